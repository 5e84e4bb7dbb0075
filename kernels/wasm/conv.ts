/**
 * Convolution of rank 1, 2 or 3 on the wasm backend: the same patch-matrix GEMMs as kernels/conv.ts
 * (see its header for P, W, dY), over tiles of output positions copied into the fixed wasm memory
 * (kernels/wasm/runtime.ts) and multiplied by the SIMD macro-kernels (kernels/wasm/gemm-kernel.ts).
 *
 *   x  [batch, inD, inH, inW, inC]     w  [kD, kH, kW, inC, outC]     y  [batch, outD, outH, outW, outC]
 *   K = kD·kH·kW·inC, N = outC, M = batch·outD·outH·outW
 *
 *   every pass that gathers patches first copies x into the X region (a group of whole batch items
 *   at a time, one native copy) and gathers with the wasm im2col (kernels/wasm/im2col-kernel.ts);
 *   a single batch item larger than the X region is gathered from x by patchRows (JS) instead.
 *
 *   forward          kW = 3, strideW = 1, dilW = 1, outW ≥ 8, inC and outC multiples of 4:
 *                      Winograd F(4,3) along W (kernels/wasm/winograd-kernel.ts): per tile of output
 *                      quads, six V_t tiles (wino_gather) → packed → six GEMMs of depth kD·kH·inC
 *                      against U_t → wino_output — 6 products per 4 outputs and tap row instead of 12
 *                    otherwise  Y[T×N] = P[T×K] · W[K×N]          per tile of T rows:
 *                      S region  P tile, row-major (pitch K), gathered (im2col), then
 *                      A region  the same tile as packed 4-row panels (pack_panels, SIMD)  → gemm_block
 *                      B region  W, row-major (pitch N rounded up to 8), copied once per call
 *                      C region  Y tile (pre-filled with the bias rows), copied out to y
 *   backprop-input   inC = 1, every stride 1, dilW = 1:  dot products (kernels/wasm/dot-kernel.ts):
 *                      dy copied zero-padded into the X region, dx = its one-output-channel conv
 *                      with the flipped kernel, four dx positions per step (no padded GEMM columns)
 *                    otherwise every stride 1:  the forward conv of dy with the kernel flipped in
 *                      space and its channel axes swapped (no scatter; Winograd where it applies),
 *                      the flipped kernel packed straight into the B region
 *                    otherwise:  dP[T×K] = dY[T×N] · Wᵀ[N×K]:  A = dY rows (one native copy, packed),
 *                      B = Wᵀ row-major (pitch K rounded up to 8), C = dP tile, then col2im into dx
 *   backprop-filter  dW[K×N] = Σ over tiles Pᵀ[K×T] · dY[T×N]:  A = the row-major P tile read
 *                      transposed by gemm_block (A(k, r) at r·4K + 4k), B = dY rows (one native
 *                      copy), C = dW accumulated in the C region across tiles, copied out once
 *                    inC = 1, every stride 1, dilW = 1, kW ≤ 4 (and x finite):  no patch matrix: the
 *                      zero-padded x is read in place as A (see filterPlan), dy widened to the padded
 *                      rows as B
 *
 * The Winograd route's transforms are float32 (kernels/conv.ts's are float64); like the JS route it
 * combines a quad's inputs before multiplying, so an Infinity or NaN in x reaches every output of
 * its 4-wide quad. No Winograd filter gradient here (the JS kernels have one). Plans that do not fit
 * the fixed regions (enormous K·N) run the JS kernels instead, as do calls when no runtime exists.
 * Sums are float32 (kernels/conv.ts sums in float64): results agree to float32 rounding.
 */
import { ConvGeometry } from '../conv-geometry';
import { convBackpropFilter, convBackpropInput, convForward } from '../conv';
import { A_BASE, A_BYTES, B_BASE, B_BYTES, C_BASE, C_BYTES, MR, S_BASE, S_BYTES, WasmRuntime, X_BASE, X_BYTES, wasmRuntime } from './runtime';
import { NR } from './gemm-kernel';

/** Depth of one macro-kernel call (a B panel slice of KC·32 B = 8 KiB stays in L1). */
const KC = 256;
/** Target bytes of the A tile (L2-resident while every B panel streams past it). */
const A_TILE_BYTES = 256 * 1024;
/** Runs of contiguous x values at least this long are copied natively (TypedArray.set). */
const NATIVE_RUN = 24;
/**
 * Floats kept free at the end of the A, B and X regions: the kernels' padded reads past a tile, and
 * im2col's whole-v128 moves past the last patch row (in S or A) and past the input's data (in X),
 * stay inside them.
 */
const SLACK = 64;

const roundUp = (v: number, m: number): number => Math.ceil(v / m) * m;
const A0 = A_BASE >> 2, S0 = S_BASE >> 2, B0 = B_BASE >> 2, C0 = C_BASE >> 2, X0 = X_BASE >> 2;
const A_FLOATS = (A_BYTES >> 2) - SLACK, B_FLOATS = (B_BYTES >> 2) - SLACK, C_FLOATS = C_BYTES >> 2, X_FLOATS = (X_BYTES >> 2) - SLACK;

function patchK(g: ConvGeometry): number {
  return g.kD * g.kH * g.kW * g.inC;
}
function outRows(g: ConvGeometry): number {
  return g.batch * g.outD * g.outH * g.outW;
}
function firstTap(start: number, dil: number): number {
  return start >= 0 ? 0 : Math.ceil(-start / dil);
}
function endTap(start: number, dil: number, size: number, kernel: number): number {
  return start >= size ? 0 : Math.min(kernel, Math.ceil((size - start) / dil));
}

/**
 * im2col / col2im of rows [m0, m0 + rows) of the patch matrix, row-major with pitch K at
 * f32[p0 …] in the wasm memory.
 * scatter = false:  row r = the patch of output position m0 + r (zeros where it reads padding)
 * scatter = true:   x[the patch of m0 + r] += row r  (padding entries dropped)
 */
function patchRows(g: ConvGeometry, x: Float32Array, m0: number, rows: number, f32: Float32Array, p0: number, scatter: boolean): void {
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
    const pRow = p0 + r * k;
    const d0 = od * strideD - padFront, h0 = oh * strideH - padTop, w0 = ow * strideW - padLeft;
    const kdLo = firstTap(d0, dilD), kdHi = endTap(d0, dilD, inD, kD);
    const khLo = firstTap(h0, dilH), khHi = endTap(h0, dilH, inH, kH);
    const kwLo = firstTap(w0, dilW), kwHi = endTap(w0, dilW, inW, kW);
    if (!scatter && !(kdLo === 0 && kdHi === kD && khLo === 0 && khHi === kH && kwLo === 0 && kwHi === kW)) {
      f32.fill(0, pRow, pRow + k);
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
          if (scatter) for (let i = 0; i < n; i++) x[xs + i] += f32[ps + i];
          else if (n >= NATIVE_RUN) f32.set(x.subarray(xs, xs + n), ps);
          else for (let i = 0; i < n; i++) f32[ps + i] = x[xs + i];
        } else {
          for (let kw = kwLo; kw < kwHi; kw++) {
            const xs = (xH + w0 + kw * dilW) * inC, ps = pH + kw * inC;
            if (scatter) for (let ci = 0; ci < inC; ci++) x[xs + ci] += f32[ps + ci];
            else if (inC >= NATIVE_RUN) f32.set(x.subarray(xs, xs + inC), ps);
            else for (let ci = 0; ci < inC; ci++) f32[ps + ci] = x[xs + ci];
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

/**
 * The gather of one call: the input is copied into the X region a group of whole batch items at a
 * time (one native copy per group), and the wasm im2col writes patch rows from it. An input whose
 * single batch item exceeds the X region is gathered by patchRows (JS) straight from x instead.
 */
interface Gather {
  /** Batch items per group (the whole batch for the JS gather). */
  group: number;
  wasm: boolean;
}

function gatherPlan(g: ConvGeometry): Gather {
  const item = g.inD * g.inH * g.inW * g.inC;
  if (item > X_FLOATS || item === 0) return { group: g.batch, wasm: false };
  return { group: Math.min(g.batch, Math.floor(X_FLOATS / item)), wasm: true };
}

/** Copies batch items [b0, b0 + gb) of x into the X region (wasm gather only). */
function loadGroup(rt: WasmRuntime, g: ConvGeometry, x: Float32Array, gp: Gather, b0: number, gb: number): void {
  if (!gp.wasm) return;
  const item = g.inD * g.inH * g.inW * g.inC;
  rt.f32.set(x.subarray(b0 * item, (b0 + gb) * item), X_BASE >> 2);
}

/**
 * Patch rows [m0, m0 + rows) of group b0 (m0 counted from the whole batch) → row-major at f32[p0 …]:
 * the wasm im2col over the X region, or patchRows over x.
 */
function gatherRows(rt: WasmRuntime, g: ConvGeometry, x: Float32Array, gp: Gather, b0: number, m0: number, rows: number, p0: number): void {
  if (!gp.wasm) { patchRows(g, x, m0, rows, rt.f32, p0, false); return; }
  const local = m0 - b0 * g.outD * g.outH * g.outW;
  rt.im2col(X_BASE, 4 * p0, local, rows, g.inD, g.inH, g.inW, g.inC, g.outD, g.outH, g.outW, g.kD, g.kH, g.kW,
    g.strideD, g.strideH, g.strideW, g.dilD, g.dilH, g.dilW, g.padFront, g.padTop, g.padLeft, 4 * patchK(g));
}

/** Rows of a forward tile: the P tile near A_TILE_BYTES, C tile within its region, a multiple of MR. */
function forwardTile(k: number, ldb: number, m: number): number {
  const byA = Math.floor(Math.min(A_TILE_BYTES >> 2, A_FLOATS) / k);
  const byC = Math.floor(C_FLOATS / ldb);
  return Math.max(MR, Math.floor(Math.min(byA, byC, roundUp(m, MR)) / MR) * MR);
}

/** Whether a forward plan over K×N (W pitch ldb) fits the regions. */
function forwardFits(k: number, ldb: number): boolean {
  return k * ldb <= B_FLOATS && MR * k <= A_FLOATS && MR * ldb <= C_FLOATS;
}

/** W [K×N] → the B region, row-major with pitch ldb = N rounded up to 8 (the pad columns zero). */
function loadW(w: Float32Array, k: number, n: number, ldb: number, f32: Float32Array): void {
  if (ldb === n) { f32.set(w.subarray(0, k * n), B0); return; }
  for (let p = 0; p < k; p++) {
    const d = B0 + p * ldb;
    f32.set(w.subarray(p * n, p * n + n), d);
    f32.fill(0, d + n, d + ldb);
  }
}

/**
 * Y = P·W (+ bias) over tiles, W already in the B region with pitch ldb (g's K×N). The C tile is
 * pre-filled with the bias rows (or zero-initialised by the first macro-kernel call).
 */
function forwardTiles(rt: WasmRuntime, g: ConvGeometry, x: Float32Array, bias: Float32Array | null, ldb: number, y: Float32Array): void {
  const f32 = rt.f32, block = rt.gemmBlock;
  const n = g.outC, k = patchK(g), m = outRows(g);
  const tile = forwardTile(k, ldb, m);
  const nPanels = ldb / NR;
  const gp = gatherPlan(g), perItem = m / g.batch;
  for (let b0 = 0; b0 < g.batch; b0 += gp.group) {
    const gb = Math.min(gp.group, g.batch - b0), mEnd = (b0 + gb) * perItem;
    loadGroup(rt, g, x, gp, b0, gb);
    for (let m0 = b0 * perItem; m0 < mEnd; m0 += tile) {
      const rows = Math.min(tile, mEnd - m0);
      const mPanels = Math.ceil(rows / MR);
      gatherRows(rt, g, x, gp, b0, m0, rows, S0);
      if (rows < mPanels * MR) f32.fill(0, S0 + rows * k, S0 + mPanels * MR * k);
      rt.packPanels(S_BASE, 4 * k, A_BASE, mPanels, k);
      if (bias !== null) {
        f32.set(bias.subarray(0, n), C0);
        f32.fill(0, C0 + n, C0 + ldb);
        for (let filled = 1; filled < rows; filled *= 2) f32.copyWithin(C0 + filled * ldb, C0, C0 + Math.min(filled, rows - filled) * ldb);
      }
      for (let pc = 0; pc < k; pc += KC) {
        const kc = Math.min(KC, k - pc);
        block(A_BASE + 4 * MR * pc, 4 * MR * k, 4 * MR, B_BASE + 4 * pc * ldb, 4 * NR, 4 * ldb, C_BASE, 4 * ldb,
          kc, mPanels, nPanels, bias !== null || pc > 0 ? 1 : 0);
      }
      if (ldb === n) y.set(f32.subarray(C0, C0 + rows * n), m0 * n);
      else for (let r = 0; r < rows; r++) y.set(f32.subarray(C0 + r * ldb, C0 + r * ldb + n), (m0 + r) * n);
    }
  }
}

// ── Winograd F(4,3) along W (kernels/wasm/winograd-kernel.ts) ────────────────────────────────────

/** Tile of `tile` quads and the transformed kernel's pitch, or null when the route does not apply or fit. */
export interface WinogradPlan { tile: number; ldb: number; kq: number; qpr: number }

export function winogradPlan(g: ConvGeometry): WinogradPlan | null {
  if (!(g.kW === 3 && g.strideW === 1 && g.dilW === 1 && g.outW >= 8 && g.inC % 4 === 0 && g.outC % 4 === 0)) return null;
  if (!gatherPlan(g).wasm) return null;
  const kq = g.kD * g.kH * g.inC, n = g.outC, ldb = roundUp(n, NR), qpr = Math.ceil(g.outW / 4);
  if (6 * kq * ldb > B_FLOATS) return null;
  const quads = g.batch * g.outD * g.outH * qpr;
  const byS = Math.floor(Math.min((S_BYTES >> 2) - SLACK, A_FLOATS) / (6 * kq));
  const byCache = Math.floor((A_TILE_BYTES >> 2) / kq);
  const byC = Math.floor((C_FLOATS - n) / (6 * ldb + 4 * n));
  const tile = Math.floor(Math.min(byS, byCache, byC, roundUp(quads, MR)) / MR) * MR;
  return tile < MR ? null : { tile, ldb, kq, qpr };
}

/** U_t [K'×N] (t < 6) into the B region, row-major pitch ldb, from w [kD, kH, 3, inC, outC] (packWinograd4U's formulas). */
function loadWinogradU(g: ConvGeometry, w: Float32Array, p: WinogradPlan, f32: Float32Array): void {
  const n = g.outC, inC = g.inC, { kq, ldb } = p, tap = inC * n, bLen = kq * ldb;
  for (let kk = 0; kk < kq; kk++) {
    const ci = kk % inC, dh = (kk - ci) / inC;
    const w0 = (dh * 3 * inC + ci) * n, d = B0 + kk * ldb;
    for (let co = 0; co < ldb; co++) {
      let g0 = 0, g1 = 0, g2 = 0;
      if (co < n) { g0 = w[w0 + co]; g1 = w[w0 + tap + co]; g2 = w[w0 + 2 * tap + co]; }
      f32[d + co] = g0 / 4;
      f32[bLen + d + co] = -(g0 + g1 + g2) / 6;
      f32[2 * bLen + d + co] = -(g0 - g1 + g2) / 6;
      f32[3 * bLen + d + co] = g0 / 24 + g1 / 12 + g2 / 6;
      f32[4 * bLen + d + co] = g0 / 24 - g1 / 12 + g2 / 6;
      f32[5 * bLen + d + co] = g2;
    }
  }
}

/**
 * y = conv(x, w) + bias through F(4,3) along W, per tile of quads: wino_gather → the six V_t tiles
 * row-major in the S region (pitch K'), pack_panels → A region, six gemm_block runs against U_t
 * (B region) → M_t in the C region (pitch ldb), wino_output → the tile's outputs (after the M_t,
 * with the bias behind them) → one native copy into y.
 */
function forwardWinograd(rt: WasmRuntime, g: ConvGeometry, p: WinogradPlan, x: Float32Array, w: Float32Array, bias: Float32Array | null, y: Float32Array): void {
  const f32 = rt.f32, block = rt.gemmBlock;
  const { tile, ldb, kq, qpr } = p;
  const n = g.outC, nPanels = ldb / NR, outW = g.outW;
  loadWinogradU(g, w, p, f32);
  const sT = tile * kq, cT = tile * ldb, Y0 = C0 + 6 * cT, bias0 = Y0 + 4 * tile * n;
  if (bias !== null) f32.set(bias.subarray(0, n), bias0);
  const pos = (q: number): number => Math.floor(q / qpr) * outW + 4 * (q % qpr); // first output of quad q
  const gp = gatherPlan(g), perItem = g.outD * g.outH * qpr;
  for (let b0 = 0; b0 < g.batch; b0 += gp.group) {
    const gb = Math.min(gp.group, g.batch - b0), qEnd = (b0 + gb) * perItem;
    loadGroup(rt, g, x, gp, b0, gb);
    for (let q0 = b0 * perItem; q0 < qEnd; q0 += tile) {
      const rows = Math.min(tile, qEnd - q0), mPanels = Math.ceil(rows / MR);
      rt.winoGather(X_BASE, S_BASE, q0 - b0 * perItem, rows, g.inD, g.inH, g.inW, g.inC, g.outD, g.outH, qpr, g.kD, g.kH,
        g.strideD, g.strideH, g.dilD, g.dilH, g.padFront, g.padTop, g.padLeft, 4 * kq, 4 * sT);
      for (let t = 0; t < 6; t++) {
        const s0 = S0 + t * sT;
        if (rows < mPanels * MR) f32.fill(0, s0 + rows * kq, s0 + mPanels * MR * kq);
        rt.packPanels(4 * s0, 4 * kq, A_BASE + 4 * t * sT, mPanels, kq);
        for (let pc = 0; pc < kq; pc += KC) {
          block(A_BASE + 4 * (t * sT + MR * pc), 4 * MR * kq, 4 * MR, B_BASE + 4 * (t * kq * ldb + pc * ldb), 4 * NR, 4 * ldb,
            C_BASE + 4 * t * cT, 4 * ldb, Math.min(KC, kq - pc), mPanels, nPanels, pc > 0 ? 1 : 0);
        }
      }
      rt.winoOutput(C_BASE, 4 * cT, 4 * ldb, 4 * Y0, q0, rows, outW, qpr, n, 4 * bias0, bias !== null ? 1 : 0);
      const first = pos(q0);
      y.set(f32.subarray(Y0, Y0 + (pos(q0 + rows) - first) * n), first * n);
    }
  }
}

/** y = conv(x, w) + bias on the wasm backend (the JS kernel when no runtime or the plan does not fit). */
export function convForwardWasm(g: ConvGeometry, x: Float32Array, w: Float32Array, bias: Float32Array | null, y: Float32Array): void {
  const rt = wasmRuntime();
  const n = g.outC, k = patchK(g), ldb = roundUp(n, NR);
  if (rt === null || !forwardFits(k, ldb)) { convForward(g, x, w, bias, y); return; }
  if (outRows(g) === 0) return;
  const wp = winogradPlan(g);
  if (wp !== null) { forwardWinograd(rt, g, wp, x, w, bias, y); return; }
  loadW(w, k, n, ldb, rt.f32);
  forwardTiles(rt, g, x, bias, ldb, y);
}

/** The geometry of dx = conv(dy, flipped w) for a geometry g whose strides are all 1. */
function transposedGeometry(g: ConvGeometry): ConvGeometry {
  const effD = (g.kD - 1) * g.dilD, effH = (g.kH - 1) * g.dilH, effW = (g.kW - 1) * g.dilW;
  return {
    rank: g.rank, batch: g.batch,
    inD: g.outD, inH: g.outH, inW: g.outW, inC: g.outC,
    outD: g.inD, outH: g.inH, outW: g.inW, outC: g.inC,
    kD: g.kD, kH: g.kH, kW: g.kW,
    strideD: 1, strideH: 1, strideW: 1,
    dilD: g.dilD, dilH: g.dilH, dilW: g.dilW,
    padFront: effD - g.padFront, padTop: effH - g.padTop, padLeft: effW - g.padLeft,
    padBack: effD - g.padBack, padBottom: effH - g.padBottom, padRight: effW - g.padRight,
  };
}

/**
 * dx[M'×inC] for a stride-1 geometry as a forward conv of dy (see kernels/conv.ts): the flipped
 * kernel  B(tap'·outC + co, ci) = w[(taps − 1 − tap')·inC·outC + ci·outC + co]  is written straight
 * into the B region (pitch ldb = inC rounded up to 8).
 */
/** The flipped kernel for the Winograd route (grown when a call needs more, reused otherwise). */
let flipped = new Float32Array(0);

function backpropInputAsForward(rt: WasmRuntime, g: ConvGeometry, dy: Float32Array, w: Float32Array, dx: Float32Array): void {
  const f32 = rt.f32;
  const { inC, outC } = g;
  const taps = g.kD * g.kH * g.kW, ldb = roundUp(inC, NR);
  const tg = transposedGeometry(g), wp = winogradPlan(tg);
  if (wp !== null) {
    // the flipped kernel as a forward kernel [kD, kH, kW, outC, inC], then F(4,3) along W
    if (flipped.length < taps * inC * outC) flipped = new Float32Array(taps * inC * outC);
    for (let tf = 0; tf < taps; tf++) {
      const src = (taps - 1 - tf) * inC * outC;
      for (let co = 0; co < outC; co++) {
        const d = (tf * outC + co) * inC;
        for (let ci = 0; ci < inC; ci++) flipped[d + ci] = w[src + ci * outC + co];
      }
    }
    forwardWinograd(rt, tg, wp, dy, flipped, null, dx);
    return;
  }
  for (let tf = 0; tf < taps; tf++) {
    const src = (taps - 1 - tf) * inC * outC;
    for (let co = 0; co < outC; co++) {
      const d = B0 + (tf * outC + co) * ldb;
      for (let ci = 0; ci < inC; ci++) f32[d + ci] = w[src + ci * outC + co];
      for (let ci = inC; ci < ldb; ci++) f32[d + ci] = 0;
    }
  }
  forwardTiles(rt, tg, dy, null, ldb, dx);
}

/**
 * The plan of dx for one input channel (inC = 1, every stride 1, dilW = 1) as dot products
 * (kernels/wasm/dot-kernel.ts): dx = the valid convolution, with one output channel, of dy
 * zero-padded by the transposed geometry's pads and its channels padded to cp (a multiple of 4),
 * with the kernel flipped in space. null when it does not fit the regions.
 */
export interface DotPlan { dp: number; hp: number; wp: number; cp: number; itemIn: number; itemOut: number; group: number; wFloats: number }

export function dotPlan(g: ConvGeometry): DotPlan | null {
  const t = transposedGeometry(g);
  const dp = t.padFront + t.inD + t.padBack, hp = t.padTop + t.inH + t.padBottom, wp = t.padLeft + t.inW + t.padRight;
  const cp = roundUp(g.outC, 4);
  const itemIn = dp * hp * wp * cp, itemOut = g.inD * g.inH * g.inW;
  const wFloats = g.kD * g.kH * g.kW * cp, taps = g.kD * g.kH;
  // slack: the last group of four positions reads up to 3 positions past the data and stores up to 3 floats past dx
  const group = Math.min(g.batch, Math.floor((X_FLOATS - 4 * cp) / itemIn), Math.floor((C_FLOATS - 4) / itemOut));
  if (itemOut === 0 || group < 1 || wFloats + taps > B_FLOATS) return null;
  return { dp, hp, wp, cp, itemIn, itemOut, group, wFloats };
}

/**
 * dx for inC = 1 (stride 1, dilW = 1) through dot_rows: per group of batch items, dy is copied into
 * the X region zero-padded (the pads of transposedGeometry, channels to cp), the flipped kernel
 * w'[(kd·kH + kh)·kW·cp + kw·cp + co] = w[(taps − 1 − tap)·outC + co] sits in the B region with the
 * byte offsets of its kD·kH tap rows after it, and each (b, d) slab of dx rows is one call into the
 * C region, copied out per group.
 */
function backpropInputDot(rt: WasmRuntime, g: ConvGeometry, p: DotPlan, dy: Float32Array, w: Float32Array, dx: Float32Array): void {
  const f32 = rt.f32, t = transposedGeometry(g);
  const { dp, hp, wp, cp, itemIn, itemOut, group, wFloats } = p;
  const n = g.outC, taps = g.kD * g.kH * g.kW, rowsW = g.kD * g.kH;
  for (let tf = 0; tf < taps; tf++) {
    const d = B0 + tf * cp;
    f32.set(w.subarray((taps - 1 - tf) * n, (taps - tf) * n), d);
    f32.fill(0, d + n, d + cp);
  }
  const tapOff = new Int32Array(f32.buffer, B_BASE + 4 * wFloats, rowsW);
  for (let kd = 0; kd < g.kD; kd++) {
    for (let kh = 0; kh < g.kH; kh++) tapOff[kd * g.kH + kh] = 4 * ((kd * g.dilD * hp + kh * g.dilH) * wp * cp);
  }
  const rowIn = wp * cp, perItemDy = t.inD * t.inH * t.inW * n;
  for (let b0 = 0; b0 < g.batch; b0 += group) {
    const gb = Math.min(group, g.batch - b0);
    // the padded copy: zero the group, then one native copy per dy row (per position when cp > n)
    f32.fill(0, X0, X0 + gb * itemIn + 4 * cp);
    for (let bl = 0; bl < gb; bl++) {
      const src0 = (b0 + bl) * perItemDy;
      for (let d = 0; d < t.inD; d++) {
        for (let h = 0; h < t.inH; h++) {
          const s = src0 + (d * t.inH + h) * t.inW * n;
          const o = X0 + bl * itemIn + (((d + t.padFront) * hp + h + t.padTop) * wp + t.padLeft) * cp;
          if (cp === n) f32.set(dy.subarray(s, s + t.inW * n), o);
          else for (let x = 0; x < t.inW; x++) f32.set(dy.subarray(s + x * n, s + x * n + n), o + x * cp);
        }
      }
    }
    for (let bl = 0; bl < gb; bl++) {
      for (let d = 0; d < g.inD; d++) {
        rt.dotRows(X_BASE + 4 * (bl * itemIn + d * hp * rowIn), 4 * rowIn, B_BASE, rowsW, B_BASE + 4 * wFloats, g.kW * cp / 4, 4 * cp,
          C_BASE + 4 * (bl * itemOut + d * g.inH * g.inW), 4 * g.inW, g.inH, g.inW);
      }
    }
    dx.set(f32.subarray(C0, C0 + gb * itemOut), b0 * itemOut);
  }
}

/** Rows of a col2im tile: dY tile (pitch N) and dP tile (pitch ldk) within their regions. */
function inputTile(n: number, ldk: number, m: number): number {
  const byA = Math.floor(Math.min(A_TILE_BYTES >> 2, A_FLOATS) / n);
  const byC = Math.floor(C_FLOATS / ldk);
  return Math.max(MR, Math.floor(Math.min(byA, byC, roundUp(m, MR)) / MR) * MR);
}

/** dP = dY·Wᵀ per tile (dY rows copied natively, then packed), then col2im into dx. */
function backpropInputCol2im(rt: WasmRuntime, g: ConvGeometry, dy: Float32Array, w: Float32Array, dx: Float32Array): void {
  const f32 = rt.f32, block = rt.gemmBlock;
  const n = g.outC, k = patchK(g), m = outRows(g), ldk = roundUp(k, NR);
  // Wᵀ [N×K] row-major, pitch ldk:  B(co, kk) = w[kk·N + co]
  for (let co = 0; co < n; co++) {
    const d = B0 + co * ldk;
    for (let kk = 0; kk < k; kk++) f32[d + kk] = w[kk * n + co];
    for (let kk = k; kk < ldk; kk++) f32[d + kk] = 0;
  }
  // dx accumulates in the X region (zeroed per group of batch items, copied out after it) and the
  // wasm col2im scatters into it; a batch item larger than the region scatters in JS into dx.
  const gp = gatherPlan(g), perItem = m / g.batch, item = g.inD * g.inH * g.inW * g.inC;
  if (!gp.wasm) dx.fill(0);
  const tile = inputTile(n, ldk, m);
  const nPanels = ldk / NR;
  for (let b0 = 0; b0 < g.batch; b0 += gp.group) {
    const gb = Math.min(gp.group, g.batch - b0), mEnd = (b0 + gb) * perItem;
    if (gp.wasm) f32.fill(0, X0, X0 + gb * item);
    for (let m0 = b0 * perItem; m0 < mEnd; m0 += tile) {
      const rows = Math.min(tile, mEnd - m0);
      const mPanels = Math.ceil(rows / MR);
      f32.set(dy.subarray(m0 * n, (m0 + rows) * n), S0);
      if (rows < mPanels * MR) f32.fill(0, S0 + rows * n, S0 + mPanels * MR * n);
      rt.packPanels(S_BASE, 4 * n, A_BASE, mPanels, n);
      for (let pc = 0; pc < n; pc += KC) {
        const kc = Math.min(KC, n - pc);
        block(A_BASE + 4 * MR * pc, 4 * MR * n, 4 * MR, B_BASE + 4 * pc * ldk, 4 * NR, 4 * ldk, C_BASE, 4 * ldk,
          kc, mPanels, nPanels, pc > 0 ? 1 : 0);
      }
      if (gp.wasm) {
        // the wasm col2im reads the dP rows at their pitch ldk
        rt.col2im(X_BASE, C_BASE, m0 - b0 * perItem, rows, g.inD, g.inH, g.inW, g.inC, g.outD, g.outH, g.outW, g.kD, g.kH, g.kW,
          g.strideD, g.strideH, g.strideW, g.dilD, g.dilH, g.dilW, g.padFront, g.padTop, g.padLeft, 4 * ldk);
        continue;
      }
      // patchRows reads rows of pitch K: compact the dP tile in place (row r moves left, never over unread rows)
      if (ldk !== k) for (let r = 1; r < rows; r++) f32.copyWithin(C0 + r * k, C0 + r * ldk, C0 + r * ldk + k);
      patchRows(g, dx, m0, rows, f32, C0, true);
    }
    if (gp.wasm) dx.set(f32.subarray(X0, X0 + gb * item), b0 * item);
  }
}

/** dx = d loss / d x on the wasm backend (the JS kernel when no runtime or the plan does not fit). */
export function convBackpropInputWasm(g: ConvGeometry, dy: Float32Array, w: Float32Array, dx: Float32Array): void {
  const rt = wasmRuntime();
  const n = g.outC, k = patchK(g);
  const stride1 = g.strideD === 1 && g.strideH === 1 && g.strideW === 1;
  // One input channel (a grayscale first layer): dot products over the padded dy, no GEMM padding
  // columns and no scatter.
  if (rt !== null && stride1 && g.inC === 1 && g.dilW === 1) {
    const p = dotPlan(g);
    if (p !== null) { backpropInputDot(rt, g, p, dy, w, dx); return; }
  }
  // The flipped-kernel forward pays once dx has a full register tile of channels (its N); for
  // fewer (inC = 1 first layers) the padded columns would multiply zeros, and col2im is cheaper.
  if (rt !== null && stride1 && g.inC >= NR) {
    const ldb = roundUp(g.inC, NR);
    if (forwardFits(g.kD * g.kH * g.kW * n, ldb)) {
      if (outRows(g) === 0) { dx.fill(0); return; }
      backpropInputAsForward(rt, g, dy, w, dx);
      return;
    }
  }
  const ldk = roundUp(k, NR);
  if (rt === null || n * ldk > B_FLOATS || MR * n > A_FLOATS || MR * ldk > C_FLOATS) { convBackpropInput(g, dy, w, dx); return; }
  if (outRows(g) === 0) { dx.fill(0); return; }
  backpropInputCol2im(rt, g, dy, w, dx);
}

/** Rows per filter-gradient tile: P tile (pitch K) in A, dY tile (pitch N) in B. */
function filterTile(k: number, n: number, m: number): number {
  const byA = Math.floor(Math.min(A_TILE_BYTES, A_FLOATS) / k); // a P tile of up to 1 MiB (4·A_TILE_BYTES)
  const byB = Math.floor(B_FLOATS / n);
  return Math.max(1, Math.min(byA, byB, m));
}

/**
 * The plan of dW for one input channel (inC = 1, every stride 1, dilW = 1, kW ≤ 4) with no patch
 * matrix: x zero-padded (the geometry's pads) in the X region is itself the A operand. In a padded
 * (b, od) slab of hp rows × wp columns, output position (oh, ow) reads x_pad at oh·wp + ow + tap
 * offset, so over the positions p = oh·wp + ow' of a padded output grid (ow' < wp, dy zero for
 * ow' ≥ outW) the tap (kd, kh, kw) is x_pad[slab + kd·dilD·hp·wp + kh·dilH·wp + kw + p]: for one p the
 * four kw lanes are adjacent (gemm_block's A(i, p) with aStep = 4 bytes), kh is the panel (aStride
 * = dilH·wp floats), kd a separate call. Lanes kw ≥ kW read past the window and land in C rows that
 * are dropped. null when it does not fit the regions.
 */
export interface FilterPlan { dp: number; hp: number; wp: number; ldn: number; itemIn: number; group: number; chunk: number }

export function filterPlan(g: ConvGeometry): FilterPlan | null {
  const dp = g.padFront + g.inD + g.padBack, hp = g.padTop + g.inH + g.padBottom, wp = g.padLeft + g.inW + g.padRight;
  const ldn = roundUp(g.outC, NR), itemIn = dp * hp * wp;
  // positions of a (b, od) slab's padded output grid per B region fill (dy widened, pitch ldn)
  const chunk = Math.min(g.outH * wp, Math.floor(B_FLOATS / ldn / KC) * KC);
  const group = Math.min(g.batch, Math.floor((X_FLOATS - 8) / Math.max(1, itemIn)));
  if (itemIn === 0 || group < 1 || chunk < 1 || g.kD * g.kH * MR * ldn > C_FLOATS || g.outH * g.outW === 0) return null;
  return { dp, hp, wp, ldn, itemIn, group, chunk };
}

function allFinite(a: Float32Array): boolean {
  for (let i = 0; i < a.length; i++) if (a[i] - a[i] !== 0) return false;
  return true;
}

function backpropFilterPadded(rt: WasmRuntime, g: ConvGeometry, p: FilterPlan, x: Float32Array, dy: Float32Array, dw: Float32Array): void {
  const f32 = rt.f32, block = rt.gemmBlock;
  const { dp, hp, wp, ldn, itemIn, group, chunk } = p;
  const n = g.outC, item = g.inD * g.inH * g.inW, perItemDy = g.outD * g.outH * g.outW * n;
  const nPanels = ldn / NR, cRows = g.kD * g.kH * MR;
  f32.fill(0, C0, C0 + cRows * ldn);
  for (let b0 = 0; b0 < g.batch; b0 += group) {
    const gb = Math.min(group, g.batch - b0);
    // x zero-padded: zero the group, then one native copy per input row
    f32.fill(0, X0, X0 + gb * itemIn + 8);
    for (let bl = 0; bl < gb; bl++) {
      for (let d = 0; d < g.inD; d++) {
        for (let h = 0; h < g.inH; h++) {
          const s = (b0 + bl) * item + (d * g.inH + h) * g.inW;
          f32.set(x.subarray(s, s + g.inW), X0 + bl * itemIn + ((d + g.padFront) * hp + h + g.padTop) * wp + g.padLeft);
        }
      }
    }
    for (let bl = 0; bl < gb; bl++) {
      for (let od = 0; od < g.outD; od++) {
        const slabDy = (b0 + bl) * perItemDy + od * g.outH * g.outW * n, all = g.outH * wp;
        for (let p0 = 0; p0 < all; p0 += chunk) {
          const positions = Math.min(chunk, all - p0);
          // the grid positions [p0, p0 + positions): dy where ow < outW, zeros past it, pitch ldn
          for (let oh = Math.floor(p0 / wp); oh * wp < p0 + positions; oh++) {
            const lo = Math.max(p0, oh * wp) - oh * wp, hi = Math.min(p0 + positions, (oh + 1) * wp) - oh * wp;
            const d = B0 + (oh * wp + lo - p0) * ldn, s = slabDy + (oh * g.outW + lo) * n, live = Math.max(0, Math.min(hi, g.outW) - lo);
            if (ldn === n) f32.set(dy.subarray(s, s + live * n), d);
            else for (let i = 0; i < live; i++) { f32.set(dy.subarray(s + i * n, s + i * n + n), d + i * ldn); f32.fill(0, d + i * ldn + n, d + i * ldn + ldn); }
            f32.fill(0, d + live * ldn, d + (hi - lo) * ldn);
          }
          const start = X_BASE + 4 * (bl * itemIn + od * hp * wp + p0);
          for (let kd = 0; kd < g.kD; kd++) {
            const a = start + 4 * kd * g.dilD * hp * wp, c = C_BASE + 4 * kd * g.kH * MR * ldn;
            for (let pc = 0; pc < positions; pc += KC) {
              block(a + 4 * pc, 4 * g.dilH * wp, 4, B_BASE + 4 * pc * ldn, 4 * NR, 4 * ldn, c, 4 * ldn, Math.min(KC, positions - pc), g.kH, nPanels, 1);
            }
          }
        }
      }
    }
  }
  for (let kd = 0; kd < g.kD; kd++) {
    for (let kh = 0; kh < g.kH; kh++) {
      for (let kw = 0; kw < g.kW; kw++) {
        const c = C0 + ((kd * g.kH + kh) * MR + kw) * ldn;
        dw.set(f32.subarray(c, c + n), ((kd * g.kH + kh) * g.kW + kw) * n);
      }
    }
  }
}

/** dW = Σ Pᵀ·dY on the wasm backend (the JS kernel when no runtime or the plan does not fit); dw is overwritten. */
export function convBackpropFilterWasm(g: ConvGeometry, x: Float32Array, dy: Float32Array, dw: Float32Array): void {
  const rt = wasmRuntime();
  const n = g.outC, k = patchK(g), m = outRows(g);
  const ldn = roundUp(n, NR), kRows = roundUp(k, MR);
  if (rt === null || kRows * ldn > C_FLOATS || k > A_FLOATS || n > B_FLOATS) { convBackpropFilter(g, x, dy, dw); return; }
  if (m === 0) { dw.fill(0); return; }
  if (g.inC === 1 && g.strideD === 1 && g.strideH === 1 && g.strideW === 1 && g.dilW === 1 && g.kW <= MR) {
    // the padded output grid's extra positions multiply dy = 0 with real x values: only when x is
    // finite is that exactly nothing (Infinity·0 would add a NaN the direct sum does not have)
    const p = filterPlan(g);
    if (p !== null && allFinite(x)) { backpropFilterPadded(rt, g, p, x, dy, dw); return; }
  }
  const f32 = rt.f32, block = rt.gemmBlock;
  const tile = filterTile(k, n, m);
  const mPanels = kRows / MR, nPanels = ldn / NR;
  const gp = gatherPlan(g), perItem = m / g.batch;
  for (let b0 = 0; b0 < g.batch; b0 += gp.group) {
    const gb = Math.min(gp.group, g.batch - b0), mEnd = (b0 + gb) * perItem;
    loadGroup(rt, g, x, gp, b0, gb);
    for (let m0 = b0 * perItem; m0 < mEnd; m0 += tile) {
      const rows = Math.min(tile, mEnd - m0);
      gatherRows(rt, g, x, gp, b0, m0, rows, A0);
      f32.set(dy.subarray(m0 * n, (m0 + rows) * n), B0);
      // A(kk, r) = P(r, kk) at A + 4·(r·K + kk): panels of 4 kernel rows (aStride 16), one tile row per step (aStep 4K)
      for (let pc = 0; pc < rows; pc += KC) {
        const kc = Math.min(KC, rows - pc);
        block(A_BASE + 4 * pc * k, 4 * MR, 4 * k, B_BASE + 4 * pc * n, 4 * NR, 4 * n, C_BASE, 4 * ldn,
          kc, mPanels, nPanels, m0 > 0 || pc > 0 ? 1 : 0);
      }
    }
  }
  if (ldn === n) dw.set(f32.subarray(C0, C0 + k * n));
  else for (let kk = 0; kk < k; kk++) dw.set(f32.subarray(C0 + kk * ldn, C0 + kk * ldn + n), kk * n);
}
