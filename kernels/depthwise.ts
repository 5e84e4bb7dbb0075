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
let wsDw = new Float64Array(0);

/** depthwiseForward:  y = depthwise(x, w) (+ bias); y is overwritten. */
export function depthwiseForward(g: ConvGeometry, mult: number, x: Float32Array, w: Float32Array,
  bias: Float32Array | null, y: Float32Array): void {
  const { batch, inD, inH, inW, inC, outD, outH, outW, outC, kH, kW } = g;
  if (wsRow.length < outC) wsRow = new Float64Array(outC);
  const acc = wsRow;
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
          if (bias === null) acc.fill(0, 0, outC);
          else for (let co = 0; co < outC; co++) acc[co] = bias[co];
          for (let kd = kd0; kd < kd1; kd++) {
            const rowD = (b * inD + sd + kd * g.dilD) * inH;
            for (let kh = kh0; kh < kh1; kh++) {
              const rowH = (rowD + sh + kh * g.dilH) * inW;
              for (let kw = kw0; kw < kw1; kw++) {
                const xOff = (rowH + sw + kw * g.dilW) * inC;
                const wOff = ((kd * kH + kh) * kW + kw) * outC;
                if (mult === 1) {
                  for (let c = 0; c < inC; c++) acc[c] += x[xOff + c] * w[wOff + c];
                } else {
                  for (let c = 0, co = 0; c < inC; c++) {
                    const xv = x[xOff + c];
                    for (let m = 0; m < mult; m++, co++) acc[co] += xv * w[wOff + co];
                  }
                }
              }
            }
          }
          for (let co = 0; co < outC; co++) y[yOff + co] = acc[co];
        }
      }
    }
  }
}

/** depthwiseBackpropInput:  dx = d loss / d x from dy; dx is overwritten. */
export function depthwiseBackpropInput(g: ConvGeometry, mult: number, dy: Float32Array, w: Float32Array, dx: Float32Array): void {
  const { batch, inD, inH, inW, inC, outD, outH, outW, outC, kH, kW } = g;
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
