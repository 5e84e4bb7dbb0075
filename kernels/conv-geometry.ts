/**
 * One record for the geometry of a convolution or pooling window of any rank (1, 2 or 3),
 * computed once per call and consumed by every conv and pool kernel.
 *
 * Every rank is stored as 3-D: a rank-1 op has inD = inH = 1 (its length is inW), a rank-2 op has
 * inD = 1. Tensors are channels-last:
 *
 *   x  [batch, inD, inH, inW, inC]          (rank 1: [batch, inW, inC], rank 2: [batch, inH, inW, inC])
 *   w  [kD, kH, kW, inC, outC]              (Keras layout; pooling has no w)
 *   y  [batch, outD, outH, outW, outC]
 *
 * Output position o along one axis reads input positions  o·stride − padBefore + k·dilation,
 * k = 0 … kernel−1; positions outside [0, in) are zero padding (conv) or ignored (pool).
 *
 * Padding (TensorFlow / Keras):
 *   valid   out = floor((in − effK) / s) + 1,  effK = (k − 1)·d + 1,  no padding
 *   same    out = ceil(in / s),  total = max((out − 1)·s + effK − in, 0),
 *           before = floor(total / 2), after = total − before   (the extra one goes after)
 *   causal  (rank 1 only) before = d·(k − 1), after = 0, out = ceil(in / s)
 *
 * This module does no validation: lib/ops checks arguments before building a geometry, and
 * treats an output size < 1 as a ShapeError.
 */
export type Padding = 'valid' | 'same' | 'causal';

export interface ConvGeometry {
  rank: 1 | 2 | 3;
  batch: number;
  inD: number; inH: number; inW: number; inC: number;
  outD: number; outH: number; outW: number; outC: number;
  kD: number; kH: number; kW: number;
  strideD: number; strideH: number; strideW: number;
  dilD: number; dilH: number; dilW: number;
  padFront: number; padTop: number; padLeft: number;    // padding before, per axis
  padBack: number; padBottom: number; padRight: number; // padding after, per axis
}

export interface AxisGeometry { out: number; before: number; after: number }

/** Output size and padding of one spatial axis. */
export function axisGeometry(size: number, kernel: number, stride: number, dilation: number, padding: Padding): AxisGeometry {
  const effK = (kernel - 1) * dilation + 1;
  if (padding === 'valid') {
    return { out: size >= effK ? Math.floor((size - effK) / stride) + 1 : 0, before: 0, after: 0 };
  }
  if (padding === 'causal') {
    return { out: Math.ceil(size / stride), before: dilation * (kernel - 1), after: 0 };
  }
  const out = Math.ceil(size / stride);
  const total = Math.max((out - 1) * stride + effK - size, 0);
  const before = Math.floor(total / 2);
  return { out, before, after: total - before };
}

/**
 * Geometry for a rank-`rank` conv or pool. `inSpatial`, `kernel`, `strides`, `dilations` each have
 * `rank` entries (outermost spatial axis first). For pooling pass outC = inC and dilations of 1.
 */
export function convGeometry(
  rank: 1 | 2 | 3,
  batch: number,
  inSpatial: readonly number[],
  inC: number,
  kernel: readonly number[],
  outC: number,
  strides: readonly number[],
  dilations: readonly number[],
  padding: Padding,
): ConvGeometry {
  // Left-pad every per-axis list to 3 entries (D, H, W) with 1s.
  const lift = (v: readonly number[]): number[] => [...new Array(3 - rank).fill(1), ...v];
  const s = lift(inSpatial), k = lift(kernel), st = lift(strides), dl = lift(dilations);
  const axes = [0, 1, 2].map((a) =>
    a < 3 - rank ? { out: 1, before: 0, after: 0 } : axisGeometry(s[a], k[a], st[a], dl[a], padding),
  );
  return {
    rank, batch,
    inD: s[0], inH: s[1], inW: s[2], inC,
    outD: axes[0].out, outH: axes[1].out, outW: axes[2].out, outC,
    kD: k[0], kH: k[1], kW: k[2],
    strideD: st[0], strideH: st[1], strideW: st[2],
    dilD: dl[0], dilH: dl[1], dilW: dl[2],
    padFront: axes[0].before, padTop: axes[1].before, padLeft: axes[2].before,
    padBack: axes[0].after, padBottom: axes[1].after, padRight: axes[2].after,
  };
}

/** The spatial output sizes of `g`, outermost first, `g.rank` entries. */
export function outSpatial(g: ConvGeometry): number[] {
  return [g.outD, g.outH, g.outW].slice(3 - g.rank);
}
