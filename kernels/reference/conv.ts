/**
 * Naive convolution loops, straight from the definition: the oracle for spec/ and the baseline
 * for bench/. Same signatures as kernels/conv.ts; no tiling, no GEMM, float64 accumulation.
 *
 *   y[b, od, oh, ow, co] = bias[co] + Σ_{kd, kh, kw, ci} x[b, id, ih, iw, ci] · w[kd, kh, kw, ci, co]
 *   with id = od·strideD − padFront + kd·dilD  (likewise ih, iw); out-of-range positions read 0.
 *
 *   dx[b, id, ih, iw, ci] = Σ over every (od, oh, ow, kd, kh, kw, co) that reads it of dy · w
 *   dw[kd, kh, kw, ci, co] = Σ_{b, od, oh, ow} x[b, id, ih, iw, ci] · dy[b, od, oh, ow, co]
 *   db[co]                 = Σ_{b, od, oh, ow} dy[b, od, oh, ow, co]
 */
import { ConvGeometry } from '../conv-geometry';

/** Input position along one axis, or -1 when it falls in the padding. */
function inPos(o: number, k: number, stride: number, pad: number, dil: number, size: number): number {
  const i = o * stride - pad + k * dil;
  return i >= 0 && i < size ? i : -1;
}

export function convForwardReference(g: ConvGeometry, x: Float32Array, w: Float32Array, bias: Float32Array | null, y: Float32Array): void {
  const { batch, inD, inH, inW, inC, outD, outH, outW, outC, kD, kH, kW } = g;
  for (let b = 0; b < batch; b++)
    for (let od = 0; od < outD; od++)
      for (let oh = 0; oh < outH; oh++)
        for (let ow = 0; ow < outW; ow++)
          for (let co = 0; co < outC; co++) {
            let sum = bias === null ? 0 : bias[co];
            for (let kd = 0; kd < kD; kd++) {
              const id = inPos(od, kd, g.strideD, g.padFront, g.dilD, inD);
              if (id < 0) continue;
              for (let kh = 0; kh < kH; kh++) {
                const ih = inPos(oh, kh, g.strideH, g.padTop, g.dilH, inH);
                if (ih < 0) continue;
                for (let kw = 0; kw < kW; kw++) {
                  const iw = inPos(ow, kw, g.strideW, g.padLeft, g.dilW, inW);
                  if (iw < 0) continue;
                  for (let ci = 0; ci < inC; ci++) {
                    sum += x[(((b * inD + id) * inH + ih) * inW + iw) * inC + ci] *
                      w[(((kd * kH + kh) * kW + kw) * inC + ci) * outC + co];
                  }
                }
              }
            }
            y[(((b * outD + od) * outH + oh) * outW + ow) * outC + co] = sum;
          }
}

export function convBackpropInputReference(g: ConvGeometry, dy: Float32Array, w: Float32Array, dx: Float32Array): void {
  const { batch, inD, inH, inW, inC, outD, outH, outW, outC, kD, kH, kW } = g;
  const acc = new Float64Array(dx.length);
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
                for (let ci = 0; ci < inC; ci++)
                  for (let co = 0; co < outC; co++) {
                    acc[(((b * inD + id) * inH + ih) * inW + iw) * inC + ci] +=
                      dy[(((b * outD + od) * outH + oh) * outW + ow) * outC + co] *
                      w[(((kd * kH + kh) * kW + kw) * inC + ci) * outC + co];
                  }
              }
            }
          }
  for (let i = 0; i < dx.length; i++) dx[i] = acc[i];
}

export function convBackpropFilterReference(g: ConvGeometry, x: Float32Array, dy: Float32Array, dw: Float32Array): void {
  const { batch, inD, inH, inW, inC, outD, outH, outW, outC, kD, kH, kW } = g;
  for (let kd = 0; kd < kD; kd++)
    for (let kh = 0; kh < kH; kh++)
      for (let kw = 0; kw < kW; kw++)
        for (let ci = 0; ci < inC; ci++)
          for (let co = 0; co < outC; co++) {
            let sum = 0;
            for (let b = 0; b < batch; b++)
              for (let od = 0; od < outD; od++) {
                const id = inPos(od, kd, g.strideD, g.padFront, g.dilD, inD);
                if (id < 0) continue;
                for (let oh = 0; oh < outH; oh++) {
                  const ih = inPos(oh, kh, g.strideH, g.padTop, g.dilH, inH);
                  if (ih < 0) continue;
                  for (let ow = 0; ow < outW; ow++) {
                    const iw = inPos(ow, kw, g.strideW, g.padLeft, g.dilW, inW);
                    if (iw < 0) continue;
                    sum += x[(((b * inD + id) * inH + ih) * inW + iw) * inC + ci] *
                      dy[(((b * outD + od) * outH + oh) * outW + ow) * outC + co];
                  }
                }
              }
            dw[(((kd * kH + kh) * kW + kw) * inC + ci) * outC + co] = sum;
          }
}

export function convBiasGradReference(g: ConvGeometry, dy: Float32Array, db: Float32Array): void {
  const { outC } = g;
  const rows = g.batch * g.outD * g.outH * g.outW;
  for (let co = 0; co < outC; co++) {
    let sum = 0;
    for (let r = 0; r < rows; r++) sum += dy[r * outC + co];
    db[co] = sum;
  }
}
