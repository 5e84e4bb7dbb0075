/**
 * Naive depthwise convolution loops from the definition (the oracle for spec/), float64 sums:
 *
 *   y[b, o, c·mult + m] = bias + Σ_k x[b, o·s − pad + k·d, c] · w[k, c, m]     (out of range reads 0)
 *   dx, dw: the same sum differentiated, visiting every (b, o, k, c, m) once.
 */
import { ConvGeometry } from '../conv-geometry';

function inPos(o: number, k: number, stride: number, pad: number, dil: number, size: number): number {
  const i = o * stride - pad + k * dil;
  return i >= 0 && i < size ? i : -1;
}

/** Calls visit(xIndex, wIndex, yIndex) for every product of the depthwise sum. */
function eachProduct(g: ConvGeometry, mult: number, visit: (xi: number, wi: number, yi: number) => void): void {
  const { batch, inD, inH, inW, inC, outD, outH, outW, outC, kD, kH, kW } = g;
  for (let b = 0; b < batch; b++)
    for (let od = 0; od < outD; od++)
      for (let oh = 0; oh < outH; oh++)
        for (let ow = 0; ow < outW; ow++)
          for (let kd = 0; kd < kD; kd++) {
            const id = inPos(od, kd, g.strideD, g.padFront, g.dilD, inD);
            if (id < 0) continue;
            for (let kh = 0; kh < kH; kh++) {
              const ih = inPos(oh, kh, g.strideH, g.padTop, g.dilH, inH);
              if (ih < 0) continue;
              for (let kw = 0; kw < kW; kw++) {
                const iw = inPos(ow, kw, g.strideW, g.padLeft, g.dilW, inW);
                if (iw < 0) continue;
                for (let c = 0; c < inC; c++)
                  for (let m = 0; m < mult; m++) {
                    const co = c * mult + m;
                    visit((((b * inD + id) * inH + ih) * inW + iw) * inC + c,
                      (((kd * kH + kh) * kW + kw) * inC + c) * mult + m,
                      (((b * outD + od) * outH + oh) * outW + ow) * outC + co);
                  }
              }
            }
          }
}

export function depthwiseForwardReference(g: ConvGeometry, mult: number, x: Float32Array, w: Float32Array, bias: Float32Array | null, y: Float32Array): void {
  const acc = new Float64Array(y.length);
  if (bias) for (let i = 0; i < acc.length; i++) acc[i] = bias[i % g.outC];
  eachProduct(g, mult, (xi, wi, yi) => { acc[yi] += x[xi] * w[wi]; });
  for (let i = 0; i < y.length; i++) y[i] = acc[i];
}

export function depthwiseBackpropInputReference(g: ConvGeometry, mult: number, dy: Float32Array, w: Float32Array, dx: Float32Array): void {
  const acc = new Float64Array(dx.length);
  eachProduct(g, mult, (xi, wi, yi) => { acc[xi] += dy[yi] * w[wi]; });
  for (let i = 0; i < dx.length; i++) dx[i] = acc[i];
}

export function depthwiseBackpropFilterReference(g: ConvGeometry, mult: number, x: Float32Array, dy: Float32Array, dw: Float32Array): void {
  const acc = new Float64Array(dw.length);
  eachProduct(g, mult, (xi, wi, yi) => { acc[wi] += x[xi] * dy[yi]; });
  for (let i = 0; i < dw.length; i++) dw[i] = acc[i];
}
