/**
 * Transposed convolution ("deconvolution", Keras Conv1DTranspose/Conv2DTranspose/Conv3DTranspose)
 * of rank 1, 2 or 3, as the adjoint of a forward convolution — so it runs on the fast kernels of
 * conv.ts with no loop of its own:
 *
 *   x  [batch, ...in, inC]       w  [...k, filters, inC]  (Keras layout)      y  [batch, ...L, filters]
 *
 *   Let F be the forward conv from [..., L, filters] to [..., in, inC] with kernel w (w is already
 *   in F's Keras layout [...k, F's inC = filters, F's outC = inC]). Then
 *     y             = Fᵀ(x)           = convBackpropInput(F, dy := x, w)     (+ bias)
 *     dx            = F(dy)           = convForward(F, x := dy, w)
 *     dw            = convBackpropFilter(F, x := dy, dy := x)
 *   i.e. y[b, o·s − pad + k·d, f] += x[b, o, c] · w[k, f, c].
 *
 * Output length per axis (Keras deconv_output_length, effK = (k − 1)·d + 1):
 *   outputPadding null:  valid  L = in·s + max(effK − s, 0)     same  L = in·s
 *   outputPadding p:     L = (in − 1)·s + effK − 2·pad + p,  pad = (same ? ⌊effK / 2⌋ : 0)
 * F's padding before is TensorFlow's for a forward conv from L to `in`:
 *   valid 0;  same ⌊max((in − 1)·s + effK − L, 0) / 2⌋
 * (the same numbers tf.nn.conv_transpose and Keras' JAX padding give). F's padding after is
 * whatever makes the window count come out at `in`; the kernels only read the padding before.
 */
import { ConvGeometry, Padding } from './conv-geometry';
import { convBackpropFilter, convBackpropInput, convForward } from './conv';
import { addBiasRowsInPlace } from './activations';

/** Keras deconv_output_length for one axis. */
export function convTransposeLength(size: number, kernel: number, stride: number, dilation: number,
  padding: 'valid' | 'same', outputPadding: number | null): number {
  const effK = (kernel - 1) * dilation + 1;
  if (outputPadding === null) return padding === 'valid' ? size * stride + Math.max(effK - stride, 0) : size * stride;
  const pad = padding === 'same' ? Math.floor(effK / 2) : 0;
  return (size - 1) * stride + effK - 2 * pad + outputPadding;
}

/**
 * The geometry of F (see the header) for a transposed conv of x [batch, ...inSpatial, inC] with
 * `filters` output channels. `outputPadding` null or one entry per axis.
 */
export function convTransposeGeometry(rank: 1 | 2 | 3, batch: number, inSpatial: readonly number[], inC: number,
  kernel: readonly number[], filters: number, strides: readonly number[], dilations: readonly number[],
  padding: 'valid' | 'same', outputPadding: readonly number[] | null): ConvGeometry {
  const lift = (v: readonly number[], fill: number): number[] => [...new Array(3 - rank).fill(fill), ...v];
  const s = lift(inSpatial, 1), k = lift(kernel, 1), st = lift(strides, 1), dl = lift(dilations, 1);
  const op = outputPadding === null ? null : lift(outputPadding, 0);
  const L: number[] = [], before: number[] = [], after: number[] = [];
  for (let a = 0; a < 3; a++) {
    if (a < 3 - rank) { L.push(1); before.push(0); after.push(0); continue; }
    const len = convTransposeLength(s[a], k[a], st[a], dl[a], padding, op === null ? null : op[a]);
    const effK = (k[a] - 1) * dl[a] + 1;
    const total = (s[a] - 1) * st[a] + effK - len;
    const b = padding === 'same' ? Math.floor(Math.max(total, 0) / 2) : 0;
    L.push(len); before.push(b); after.push(total - b);
  }
  return {
    rank, batch,
    inD: L[0], inH: L[1], inW: L[2], inC: filters,
    outD: s[0], outH: s[1], outW: s[2], outC: inC,
    kD: k[0], kH: k[1], kW: k[2],
    strideD: st[0], strideH: st[1], strideW: st[2],
    dilD: dl[0], dilH: dl[1], dilW: dl[2],
    padFront: before[0], padTop: before[1], padLeft: before[2],
    padBack: after[0], padBottom: after[1], padRight: after[2],
  };
}

/** The spatial sizes of a transposed conv's output (F's input), outermost first. */
export function convTransposeOutSpatial(g: ConvGeometry): number[] {
  return [g.inD, g.inH, g.inW].slice(3 - g.rank);
}

/** convTransposeForward:  y = Fᵀ(x) (+ bias [filters]); y is overwritten. */
export function convTransposeForward(g: ConvGeometry, x: Float32Array, w: Float32Array, bias: Float32Array | null, y: Float32Array): void {
  convBackpropInput(g, x, w, y);
  if (bias !== null) addBiasRowsInPlace(y, bias, y.length / g.inC, g.inC);
}

/** convTransposeBackpropInput:  dx = F(dy); dx is overwritten. */
export function convTransposeBackpropInput(g: ConvGeometry, dy: Float32Array, w: Float32Array, dx: Float32Array): void {
  convForward(g, dy, w, null, dx);
}

/** convTransposeBackpropFilter:  dw[...k, filters, inC] from x and dy; dw is overwritten. */
export function convTransposeBackpropFilter(g: ConvGeometry, x: Float32Array, dy: Float32Array, dw: Float32Array): void {
  convBackpropFilter(g, dy, x, dw);
}

export type { Padding };
