/**
 * Depthwise convolution of rank 1, 2 or 3 (stored as 3-D, see conv-geometry.ts): every input
 * channel c is convolved with its own `mult` filters, and output channel c·mult + m is filter m
 * of channel c (Keras DepthwiseConv2D / the first half of SeparableConv).
 *
 *   x  [batch, inD, inH, inW, C]     w  [kD, kH, kW, C, mult]  (Keras layout)
 *   y  [batch, outD, outH, outW, C·mult]                         g.inC = C, g.outC = C·mult
 *
 *   y[b, o, c·mult + m]  = bias[c·mult + m] + Σ_k x[b, o·s − pad + k·d, c] · w[k, c, m]
 *   dx[b, i, c]         += Σ_{o, k : o·s − pad + k·d = i} Σ_m dy[b, o, c·mult + m] · w[k, c, m]
 *   dw[k, c, m]          = Σ_{b, o} x[b, o·s − pad + k·d, c] · dy[b, o, c·mult + m]
 *
 * With w's tap rows [C·mult] laid out like y's channels, one tap is one contiguous multiply-add
 * over the channels: per output position the valid taps are computed first (no bounds test in
 * the inner loop), and the channel loop is the innermost. There is no reduction over channels,
 * so this is memory-bound and a GEMM would not help; accumulators are float64.
 */
import { ConvGeometry } from './conv-geometry';

/** First tap k ≥ 0 with start + k·dil ≥ 0. */
function firstTap(start: number, dil: number): number {
  return start >= 0 ? 0 : Math.ceil(-start / dil);
}

/** One past the last tap k < kernel with start + k·dil < size (≤ 0 when none). */
function endTap(start: number, dil: number, size: number, kernel: number): number {
  return start >= size ? 0 : Math.min(kernel, Math.ceil((size - start) / dil));
}

let wsRow = new Float64Array(0);
let wsTapX = new Int32Array(0);
let wsTapW = new Int32Array(0);
let wsDw = new Float64Array(0);

/**
 * depthwiseForward:  y = depthwise(x, w) (+ bias); y is overwritten.
 *
 * Per output position the valid taps are listed first (offsets into x and w); then with
 * mult = 1 four channels at a time are summed over the taps in four local accumulators and
 * stored once (no accumulator traffic through memory), else an accumulator row of C·mult.
 */
export function depthwiseForward(g: ConvGeometry, mult: number, x: Float32Array, w: Float32Array,
  bias: Float32Array | null, y: Float32Array): void {
  const { batch, inD, inH, inW, inC, outD, outH, outW, outC, kH, kW } = g;
  if (wsRow.length < outC) wsRow = new Float64Array(outC);
  const maxTaps = g.kD * kH * kW;
  if (wsTapX.length < maxTaps) { wsTapX = new Int32Array(maxTaps); wsTapW = new Int32Array(maxTaps); }
  const acc = wsRow, tapX = wsTapX, tapW = wsTapW;
  const c4 = inC - (inC % 4);
  let yOff = 0;
  for (let b = 0; b < batch; b++) {
    for (let od = 0; od < outD; od++) {
      const sd = od * g.strideD - g.padFront;
      const kd0 = firstTap(sd, g.dilD), kd1 = endTap(sd, g.dilD, inD, g.kD);
      for (let oh = 0; oh < outH; oh++) {
        const sh = oh * g.strideH - g.padTop;
        const kh0 = firstTap(sh, g.dilH), kh1 = endTap(sh, g.dilH, inH, kH);
        for (let ow = 0; ow < outW; ow++, yOff += outC) {
          const sw = ow * g.strideW - g.padLeft;
          const kw0 = firstTap(sw, g.dilW), kw1 = endTap(sw, g.dilW, inW, kW);
          // the valid taps of this output position
          let nt = 0;
          for (let kd = kd0; kd < kd1; kd++) {
            const rowD = (b * inD + sd + kd * g.dilD) * inH;
            for (let kh = kh0; kh < kh1; kh++) {
              const rowH = (rowD + sh + kh * g.dilH) * inW;
              for (let kw = kw0; kw < kw1; kw++, nt++) {
                tapX[nt] = (rowH + sw + kw * g.dilW) * inC;
                tapW[nt] = ((kd * kH + kh) * kW + kw) * outC;
              }
            }
          }
          if (mult === 1) {
            let c = 0;
            for (; c < c4; c += 4) {
              let a0 = 0, a1 = 0, a2 = 0, a3 = 0;
              if (bias !== null) { a0 = bias[c]; a1 = bias[c + 1]; a2 = bias[c + 2]; a3 = bias[c + 3]; }
              for (let t = 0; t < nt; t++) {
                const xi = tapX[t] + c, wi = tapW[t] + c;
                a0 += x[xi] * w[wi]; a1 += x[xi + 1] * w[wi + 1];
                a2 += x[xi + 2] * w[wi + 2]; a3 += x[xi + 3] * w[wi + 3];
              }
              y[yOff + c] = a0; y[yOff + c + 1] = a1; y[yOff + c + 2] = a2; y[yOff + c + 3] = a3;
            }
            for (; c < inC; c++) {
              let a = bias === null ? 0 : bias[c];
              for (let t = 0; t < nt; t++) a += x[tapX[t] + c] * w[tapW[t] + c];
              y[yOff + c] = a;
            }
            continue;
          }
          if (bias === null) acc.fill(0, 0, outC);
          else for (let co = 0; co < outC; co++) acc[co] = bias[co];
          for (let t = 0; t < nt; t++) {
            const xOff = tapX[t], wOff = tapW[t];
            for (let c = 0, co = 0; c < inC; c++) {
              const xv = x[xOff + c];
              for (let m = 0; m < mult; m++, co++) acc[co] += xv * w[wOff + co];
            }
          }
          for (let co = 0; co < outC; co++) y[yOff + co] = acc[co];
        }
      }
    }
  }
}

let wsFlip = new Float32Array(0);

/**
 * With mult = 1 and every stride 1 the input gradient is itself a depthwise forward — of dy, with
 * the taps reversed and padding effK − 1 − pad (as kernels/conv.ts does for convolutions):
 *   dx[i, c] = Σ_k dy[i + pad − k·d, c] · w[k, c] = Σ_k' dy[i − (effK − 1 − pad) + k'·d, c] · w[K − 1 − k', c]
 * so it gathers (no scatter) through the blocked forward loop.
 */
function backpropInputAsForward(g: ConvGeometry, dy: Float32Array, w: Float32Array, dx: Float32Array): void {
  const taps = g.kD * g.kH * g.kW, c = g.inC;
  if (wsFlip.length < taps * c) wsFlip = new Float32Array(taps * c);
  const wf = wsFlip;
  for (let t = 0; t < taps; t++) {
    const src = (taps - 1 - t) * c, dst = t * c;
    for (let ci = 0; ci < c; ci++) wf[dst + ci] = w[src + ci];
  }
  const flipped: ConvGeometry = {
    ...g,
    inD: g.outD, inH: g.outH, inW: g.outW, outD: g.inD, outH: g.inH, outW: g.inW,
    padFront: (g.kD - 1) * g.dilD - g.padFront, padTop: (g.kH - 1) * g.dilH - g.padTop, padLeft: (g.kW - 1) * g.dilW - g.padLeft,
    padBack: (g.kD - 1) * g.dilD - g.padBack, padBottom: (g.kH - 1) * g.dilH - g.padBottom, padRight: (g.kW - 1) * g.dilW - g.padRight,
  };
  depthwiseForward(flipped, 1, dy, wf, null, dx);
}

/** depthwiseBackpropInput:  dx = d loss / d x from dy; dx is overwritten. */
export function depthwiseBackpropInput(g: ConvGeometry, mult: number, dy: Float32Array, w: Float32Array, dx: Float32Array): void {
  const { batch, inD, inH, inW, inC, outD, outH, outW, outC, kH, kW } = g;
  if (mult === 1 && g.strideD === 1 && g.strideH === 1 && g.strideW === 1) {
    backpropInputAsForward(g, dy, w, dx);
    return;
  }
  dx.fill(0);
  let yOff = 0;
  for (let b = 0; b < batch; b++) {
    for (let od = 0; od < outD; od++) {
      const sd = od * g.strideD - g.padFront;
      const kd0 = firstTap(sd, g.dilD), kd1 = endTap(sd, g.dilD, inD, g.kD);
      for (let oh = 0; oh < outH; oh++) {
        const sh = oh * g.strideH - g.padTop;
        const kh0 = firstTap(sh, g.dilH), kh1 = endTap(sh, g.dilH, inH, kH);
        for (let ow = 0; ow < outW; ow++, yOff += outC) {
          const sw = ow * g.strideW - g.padLeft;
          const kw0 = firstTap(sw, g.dilW), kw1 = endTap(sw, g.dilW, inW, kW);
          for (let kd = kd0; kd < kd1; kd++) {
            const rowD = (b * inD + sd + kd * g.dilD) * inH;
            for (let kh = kh0; kh < kh1; kh++) {
              const rowH = (rowD + sh + kh * g.dilH) * inW;
              for (let kw = kw0; kw < kw1; kw++) {
                const xOff = (rowH + sw + kw * g.dilW) * inC;
                const wOff = ((kd * kH + kh) * kW + kw) * outC;
                if (mult === 1) {
                  for (let c = 0; c < inC; c++) dx[xOff + c] += dy[yOff + c] * w[wOff + c];
                } else {
                  for (let c = 0, co = 0; c < inC; c++) {
                    let s = 0;
                    for (let m = 0; m < mult; m++, co++) s += dy[yOff + co] * w[wOff + co];
                    dx[xOff + c] += s;
                  }
                }
              }
            }
          }
        }
      }
    }
  }
}

/** depthwiseBackpropFilter:  dw = d loss / d w from x and dy; dw is overwritten. */
export function depthwiseBackpropFilter(g: ConvGeometry, mult: number, x: Float32Array, dy: Float32Array, dw: Float32Array): void {
  const { batch, inD, inH, inW, inC, outD, outH, outW, outC, kH, kW } = g;
  const size = g.kD * kH * kW * outC;
  if (wsDw.length < size) wsDw = new Float64Array(size);
  const acc = wsDw;
  acc.fill(0, 0, size);
  let yOff = 0;
  for (let b = 0; b < batch; b++) {
    for (let od = 0; od < outD; od++) {
      const sd = od * g.strideD - g.padFront;
      const kd0 = firstTap(sd, g.dilD), kd1 = endTap(sd, g.dilD, inD, g.kD);
      for (let oh = 0; oh < outH; oh++) {
        const sh = oh * g.strideH - g.padTop;
        const kh0 = firstTap(sh, g.dilH), kh1 = endTap(sh, g.dilH, inH, kH);
        for (let ow = 0; ow < outW; ow++, yOff += outC) {
          const sw = ow * g.strideW - g.padLeft;
          const kw0 = firstTap(sw, g.dilW), kw1 = endTap(sw, g.dilW, inW, kW);
          for (let kd = kd0; kd < kd1; kd++) {
            const rowD = (b * inD + sd + kd * g.dilD) * inH;
            for (let kh = kh0; kh < kh1; kh++) {
              const rowH = (rowD + sh + kh * g.dilH) * inW;
              for (let kw = kw0; kw < kw1; kw++) {
                const xOff = (rowH + sw + kw * g.dilW) * inC;
                const wOff = ((kd * kH + kh) * kW + kw) * outC;
                if (mult === 1) {
                  for (let c = 0; c < inC; c++) acc[wOff + c] += x[xOff + c] * dy[yOff + c];
                } else {
                  for (let c = 0, co = 0; c < inC; c++) {
                    const xv = x[xOff + c];
                    for (let m = 0; m < mult; m++, co++) acc[wOff + co] += xv * dy[yOff + co];
                  }
                }
              }
            }
          }
        }
      }
    }
  }
  for (let i = 0; i < size; i++) dw[i] = acc[i];
}
