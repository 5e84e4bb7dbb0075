/**
 * Convolution of rank 1, 2 or 3 (all stored as 3-D, see conv-geometry.ts) lowered to GEMM over
 * tiles of the patch matrix.
 *
 *   x  [batch, inD, inH, inW, inC]     w  [kD, kH, kW, inC, outC]     y  [batch, outD, outH, outW, outC]
 *
 * With channels-last data and Keras kernels, w already is a K×N matrix (K = kD·kH·kW·inC,
 * N = outC) and y an M×N matrix (M = batch·outD·outH·outW). Row m of the patch matrix P[M×K]
 * holds the K input values output position m reads (zeros where it reads padding):
 *
 *   forward          Y[M×N]  = P[M×K] · W[K×N]  (+ bias on every row)
 *   backprop-filter  dW[K×N] = Pᵀ[K×M] · dY[M×N]
 *   backprop-input   dP[M×K] = dY[M×N] · Wᵀ[N×K], then every entry of dP is added back into the
 *                    dx position it was read from (col2im)
 *   bias gradient    db[N]   = column sums of dY
 *
 * P is never built for the whole batch: it is built TILE_ROWS rows at a time into one module-level
 * workspace, so the temporary memory of a call is bounded independently of the batch size
 * (convWorkspaceBytes). A 1×1, stride-1, unpadded convolution needs no P at all: x is already
 * the M×K matrix.
 */
import { ConvGeometry } from './conv-geometry';
import { gemm } from './gemm';

/** Floats in one patch tile (1 MiB of float32). */
const TILE_FLOATS = 1 << 18;
/** Never tile finer than this many rows, however large K is. */
const MIN_TILE_ROWS = 8;

let patchWs = new Float32Array(0);

function patchBuffer(n: number): Float32Array {
  if (patchWs.length < n) patchWs = new Float32Array(n);
  return patchWs;
}

function patchK(g: ConvGeometry): number {
  return g.kD * g.kH * g.kW * g.inC;
}

function outRows(g: ConvGeometry): number {
  return g.batch * g.outD * g.outH * g.outW;
}

/** Rows of P built per tile. */
function tileRows(g: ConvGeometry): number {
  const k = patchK(g);
  return Math.max(1, Math.min(outRows(g), Math.max(MIN_TILE_ROWS, Math.floor(TILE_FLOATS / k))));
}

/** True when x itself is the patch matrix: 1×1 kernel, stride 1, no padding. */
function isPointwise(g: ConvGeometry): boolean {
  return g.kD === 1 && g.kH === 1 && g.kW === 1 &&
    g.strideD === 1 && g.strideH === 1 && g.strideW === 1 &&
    g.padFront === 0 && g.padTop === 0 && g.padLeft === 0 &&
    g.padBack === 0 && g.padBottom === 0 && g.padRight === 0;
}

/** First kernel tap k ≥ 0 with start + k·dil ≥ 0. */
function firstTap(start: number, dil: number): number {
  return start >= 0 ? 0 : Math.ceil(-start / dil);
}

/** One past the last kernel tap k < kernel with start + k·dil < size. */
function endTap(start: number, dil: number, size: number, kernel: number): number {
  return start >= size ? 0 : Math.min(kernel, Math.ceil((size - start) / dil));
}

/**
 * im2col / col2im of rows [m0, m0 + rows) of the patch matrix.
 * scatter = false:  P[r, :] = the patch of output position m0 + r (zeros in the padding)
 * scatter = true:   dx[the patch of m0 + r] += P[r, :]   (padding entries dropped)
 *
 *   P row r:  [ kd=0: [ kh=0: [ kw=0: ci 0…inC−1 | kw=1: … ] | kh=1 … ] | kd=1 … ]
 */
function patchRows(g: ConvGeometry, x: Float32Array, m0: number, rows: number, p: Float32Array, scatter: boolean): void {
  const { inD, inH, inW, inC, outD, outH, outW, kD, kH, kW } = g;
  const { strideD, strideH, strideW, dilD, dilH, dilW, padFront, padTop, padLeft } = g;
  const k = kD * kH * kW * inC;
  const rowD = kH * kW * inC, rowH = kW * inC;
  let ow = m0 % outW;
  let t = (m0 - ow) / outW;
  let oh = t % outH;
  t = (t - oh) / outH;
  let od = t % outD;
  let b = (t - od) / outD;
  for (let r = 0; r < rows; r++) {
    const pRow = r * k;
    const d0 = od * strideD - padFront, h0 = oh * strideH - padTop, w0 = ow * strideW - padLeft;
    const kdLo = firstTap(d0, dilD), kdHi = endTap(d0, dilD, inD, kD);
    const khLo = firstTap(h0, dilH), khHi = endTap(h0, dilH, inH, kH);
    const kwLo = firstTap(w0, dilW), kwHi = endTap(w0, dilW, inW, kW);
    if (!scatter && !(kdLo === 0 && kdHi === kD && khLo === 0 && khHi === kH && kwLo === 0 && kwHi === kW)) {
      p.fill(0, pRow, pRow + k);
    }
    for (let kd = kdLo; kd < kdHi; kd++) {
      const xD = (b * inD + d0 + kd * dilD) * inH;
      const pD = pRow + kd * rowD;
      for (let kh = khLo; kh < khHi; kh++) {
        const xH = (xD + h0 + kh * dilH) * inW;
        const pH = pD + kh * rowH;
        if (dilW === 1) {
          // the valid kw taps are one contiguous run of (kwHi − kwLo)·inC values in x
          const xs = (xH + w0 + kwLo) * inC, ps = pH + kwLo * inC, n = (kwHi - kwLo) * inC;
          if (scatter) for (let i = 0; i < n; i++) x[xs + i] += p[ps + i];
          else for (let i = 0; i < n; i++) p[ps + i] = x[xs + i];
        } else {
          for (let kw = kwLo; kw < kwHi; kw++) {
            const xs = (xH + w0 + kw * dilW) * inC, ps = pH + kw * inC;
            if (scatter) for (let ci = 0; ci < inC; ci++) x[xs + ci] += p[ps + ci];
            else for (let ci = 0; ci < inC; ci++) p[ps + ci] = x[xs + ci];
          }
        }
      }
    }
    if (++ow === outW) {
      ow = 0;
      if (++oh === outH) {
        oh = 0;
        if (++od === outD) { od = 0; b++; }
      }
    }
  }
}

/** y[m, co] = bias[co] + Σ_k P[m, k] · w[k, co]. */
export function convForward(g: ConvGeometry, x: Float32Array, w: Float32Array, bias: Float32Array | null, y: Float32Array): void {
  const n = g.outC, k = patchK(g), m = outRows(g);
  if (isPointwise(g)) {
    gemm(m, n, k, 1, x, 0, k, 1, w, 0, n, 1, 0, y, 0, n, 1);
  } else {
    const tile = tileRows(g);
    const p = patchBuffer(tile * k);
    for (let m0 = 0; m0 < m; m0 += tile) {
      const rows = Math.min(tile, m - m0);
      patchRows(g, x, m0, rows, p, false);
      gemm(rows, n, k, 1, p, 0, k, 1, w, 0, n, 1, 0, y, m0 * n, n, 1);
    }
  }
  if (bias !== null) {
    for (let r = 0; r < m; r++) {
      const yRow = r * n;
      for (let co = 0; co < n; co++) y[yRow + co] += bias[co];
    }
  }
}

/** dx = col2im(dY · Wᵀ); dx is overwritten. */
export function convBackpropInput(g: ConvGeometry, dy: Float32Array, w: Float32Array, dx: Float32Array): void {
  const n = g.outC, k = patchK(g), m = outRows(g);
  if (isPointwise(g)) {
    gemm(m, k, n, 1, dy, 0, n, 1, w, 0, 1, n, 0, dx, 0, k, 1);
    return;
  }
  dx.fill(0);
  const tile = tileRows(g);
  const p = patchBuffer(tile * k);
  for (let m0 = 0; m0 < m; m0 += tile) {
    const rows = Math.min(tile, m - m0);
    gemm(rows, k, n, 1, dy, m0 * n, n, 1, w, 0, 1, n, 0, p, 0, k, 1);
    patchRows(g, dx, m0, rows, p, true);
  }
}

/** dW = Pᵀ · dY; dw is overwritten. */
export function convBackpropFilter(g: ConvGeometry, x: Float32Array, dy: Float32Array, dw: Float32Array): void {
  const n = g.outC, k = patchK(g), m = outRows(g);
  if (m === 0) { dw.fill(0); return; }
  if (isPointwise(g)) {
    gemm(k, n, m, 1, x, 0, 1, k, dy, 0, n, 1, 0, dw, 0, n, 1);
    return;
  }
  const tile = tileRows(g);
  const p = patchBuffer(tile * k);
  for (let m0 = 0; m0 < m; m0 += tile) {
    const rows = Math.min(tile, m - m0);
    patchRows(g, x, m0, rows, p, false);
    gemm(k, n, rows, 1, p, 0, 1, k, dy, m0 * n, n, 1, m0 === 0 ? 0 : 1, dw, 0, n, 1);
  }
}

/** db[co] = Σ_m dY[m, co]; db is overwritten. */
export function convBiasGrad(g: ConvGeometry, dy: Float32Array, db: Float32Array): void {
  const n = g.outC, m = outRows(g);
  const acc = new Float64Array(n);
  for (let r = 0; r < m; r++) {
    const row = r * n;
    for (let co = 0; co < n; co++) acc[co] += dy[row + co];
  }
  for (let co = 0; co < n; co++) db[co] = acc[co];
}

/** Peak temporary memory (bytes) one call of `pass` uses beyond its arguments. */
export function convWorkspaceBytes(g: ConvGeometry, pass: 'forward' | 'backpropInput' | 'backpropFilter'): number {
  void pass;
  if (isPointwise(g)) return 0;
  return tileRows(g) * patchK(g) * 4;
}
