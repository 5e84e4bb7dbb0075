/**
 * Naive transposed convolution from its scatter definition (the oracle for spec/), independent of
 * kernels/conv.ts. Sizes from a ConvGeometry built by convTransposeGeometry (its "in" is the
 * transposed conv's output L, its "out" the transposed conv's input):
 *
 *   y[b, o·s − pad + k·d, f] += x[b, o, c] · w[k, f, c]      (positions outside [0, L) dropped)
 *   dx[b, o, c]  = Σ_{k, f} dy[b, o·s − pad + k·d, f] · w[k, f, c]
 *   dw[k, f, c]  = Σ_{b, o} dy[b, o·s − pad + k·d, f] · x[b, o, c]
 */
import { ConvGeometry } from '../conv-geometry';

function pos(o: number, k: number, stride: number, pad: number, dil: number, size: number): number {
  const i = o * stride - pad + k * dil;
  return i >= 0 && i < size ? i : -1;
}

/** visit(xIndex into the transposed input, wIndex, yIndex into the transposed output). */
function eachProduct(g: ConvGeometry, visit: (xi: number, wi: number, yi: number) => void): void {
  // transposed input: [batch, outD, outH, outW, outC]; transposed output: [batch, inD, inH, inW, inC]
  const { batch, inD, inH, inW, inC: F, outD, outH, outW, outC: C, kD, kH, kW } = g;
  for (let b = 0; b < batch; b++)
    for (let od = 0; od < outD; od++)
      for (let oh = 0; oh < outH; oh++)
        for (let ow = 0; ow < outW; ow++)
          for (let kd = 0; kd < kD; kd++) {
            const yd = pos(od, kd, g.strideD, g.padFront, g.dilD, inD);
            if (yd < 0) continue;
            for (let kh = 0; kh < kH; kh++) {
              const yh = pos(oh, kh, g.strideH, g.padTop, g.dilH, inH);
              if (yh < 0) continue;
              for (let kw = 0; kw < kW; kw++) {
                const yw = pos(ow, kw, g.strideW, g.padLeft, g.dilW, inW);
                if (yw < 0) continue;
                for (let f = 0; f < F; f++)
                  for (let c = 0; c < C; c++) {
                    visit((((b * outD + od) * outH + oh) * outW + ow) * C + c,
                      (((kd * kH + kh) * kW + kw) * F + f) * C + c,
                      (((b * inD + yd) * inH + yh) * inW + yw) * F + f);
                  }
              }
            }
          }
}

export function convTransposeForwardReference(g: ConvGeometry, x: Float32Array, w: Float32Array, bias: Float32Array | null, y: Float32Array): void {
  const acc = new Float64Array(y.length);
  if (bias) for (let i = 0; i < acc.length; i++) acc[i] = bias[i % g.inC];
  eachProduct(g, (xi, wi, yi) => { acc[yi] += x[xi] * w[wi]; });
  for (let i = 0; i < y.length; i++) y[i] = acc[i];
}

export function convTransposeBackpropInputReference(g: ConvGeometry, dy: Float32Array, w: Float32Array, dx: Float32Array): void {
  const acc = new Float64Array(dx.length);
  eachProduct(g, (xi, wi, yi) => { acc[xi] += dy[yi] * w[wi]; });
  for (let i = 0; i < dx.length; i++) dx[i] = acc[i];
}

export function convTransposeBackpropFilterReference(g: ConvGeometry, x: Float32Array, dy: Float32Array, dw: Float32Array): void {
  const acc = new Float64Array(dw.length);
  eachProduct(g, (xi, wi, yi) => { acc[wi] += x[xi] * dy[yi]; });
  for (let i = 0; i < dw.length; i++) dw[i] = acc[i];
}
