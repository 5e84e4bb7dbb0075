/**
 * Max and average pooling forward / backward and the bias gradient on the wasm backend: JS drivers
 * around the SIMD kernels of kernels/wasm/pool-kernel.ts (read its header for the loops).
 *
 *   maxPoolForwardWasm(g, x, y)           ≡ kernels/pool.ts maxPoolForward, bit for bit
 *   maxPoolBackwardWasm(g, x, dy, dx)     ≡ kernels/pool.ts maxPoolBackward, bit for bit (dx overwritten)
 *   avgPoolForwardWasm(g, x, y)           ≡ kernels/pool.ts avgPoolForward (float64 sums in the same
 *   avgPoolBackwardWasm(g, dy, dx)        ≡ kernels/pool.ts avgPoolBackward  order: the same bits)
 *   biasGradWasm(rows, C, dy, db)         db[c] = Σ_r dy[r·C + c]   (≈ kernels/conv.ts convBiasGrad)
 *
 * Memory during one call (the regions of kernels/wasm/runtime.ts are free while a kernel runs):
 *
 *   A region            window tables: (offset, count) per output index along D, H, W, then the
 *                       list of one window's x addresses (written and read by the kernel)
 *   S … X regions       pooling: a group of whole batch items, x | dx | dy (max backward),
 *   (back to back,               x | y (forwards), dx | dy (avg backward)
 *    15 MiB)            bias:    the X region takes ≤ 2 Mi floats of dy rows at a time, the C
 *                                region their partial column sums (one row per BLOCK rows)
 *
 * Operands go in and out with native copies (TypedArray.set / subarray), a group of batch items
 * at a time, so any batch size runs. A single batch item too big for the data span, window tables
 * too big for the A region (outD + outH + outW beyond ~131 000, or a huge window), or no runtime at
 * all: the JS kernels run instead. Empty tensors too.
 *
 * Bias gradient accuracy: the kernel sums BLOCK = 128 rows per partial in float32 (four chains of
 * ≤ 32 rows); the partials are added here in float64, as convBiasGrad sums. The difference from
 * convBiasGrad measured ≤ 3e-8 of Σ|dy| on signed random data and ≤ 1.3e-7 on all-positive data
 * (rows up to 100 000; the float32 rounding of the result is part of it). The spec tests 1e-6.
 */
import { ConvGeometry, convGeometry } from '../conv-geometry';
import { avgPoolBackward, avgPoolForward, maxPoolBackward, maxPoolForward } from '../pool';
import { convBiasGrad } from '../conv';
import { A_BASE, A_BYTES, C_BASE, C_BYTES, S_BASE, WasmRuntime, X_BASE, X_BYTES, wasmRuntime } from './runtime';

/** The S, B, C and X regions lie back to back: one span for the pooling operands. */
const DATA_BASE = S_BASE, DATA_END = X_BASE + X_BYTES;
/** Rows per float32 partial sum of the bias gradient. */
export const BIAS_BLOCK = 128;

const roundUp16 = (bytes: number): number => Math.ceil(bytes / 16) * 16;

interface PoolPlan {
  /** Batch items per kernel call. */
  group: number;
  xItem: number; yItem: number; // floats per batch item
  x: number; dx: number; y: number; // byte addresses (dx only for backward)
  tD: number; tH: number; tW: number; tEnd: number; win: number;
}

/**
 * Writes the window tables into the A region and places the operands; null when a batch item or
 * the tables do not fit (or there is nothing to do).
 */
function poolPlan(rt: WasmRuntime, g: ConvGeometry, backward: boolean): PoolPlan | null {
  const C = g.inC, xItem = g.inD * g.inH * g.inW * C, yItem = g.outD * g.outH * g.outW * C;
  if (g.batch === 0 || xItem === 0) return null;
  const tD = A_BASE, tH = tD + 8 * g.outD, tW = tH + 8 * g.outH, tEnd = tW + 8 * g.outW, win = tEnd;
  const winMax = Math.min(g.kD, g.inD) * Math.min(g.kH, g.inH) * Math.min(g.kW, g.inW);
  if (win + 4 * winMax > A_BASE + A_BYTES) return null;
  const itemBytes = (backward ? 2 : 1) * roundUp16(4 * xItem) + roundUp16(4 * yItem);
  const group = Math.min(g.batch, Math.floor((DATA_END - DATA_BASE) / itemBytes));
  if (group < 1) return null;
  const i32 = new Int32Array(rt.memory.buffer);
  const rowW = 4 * C, rowH = g.inW * rowW, rowD = g.inH * rowH;
  const axis = (table: number, out: number, stride: number, pad: number, k: number, size: number, row: number): void => {
    for (let o = 0; o < out; o++) {
      const start = o * stride - pad, lo = Math.max(start, 0), hi = Math.min(start + k, size);
      i32[(table >> 2) + 2 * o] = lo * row;
      i32[(table >> 2) + 2 * o + 1] = hi - lo;
    }
  };
  axis(tD, g.outD, g.strideD, g.padFront, g.kD, g.inD, rowD);
  axis(tH, g.outH, g.strideH, g.padTop, g.kH, g.inH, rowH);
  axis(tW, g.outW, g.strideW, g.padLeft, g.kW, g.inW, rowW);
  const x = DATA_BASE, xBytes = roundUp16(4 * xItem * group);
  const dx = x + xBytes, y = backward ? dx + xBytes : dx;
  return { group, xItem, yItem, x, dx, y, tD, tH, tW, tEnd, win };
}

/**
 * Batch items per kernel call for pooling `g`: max backward (`backward`), or max forward and both
 * avg passes (not `backward`); 0 when the JS kernel runs instead (no runtime, empty input, a batch
 * item or the window tables too big for the memory).
 */
export function poolGroup(g: ConvGeometry, backward: boolean): number {
  const rt = wasmRuntime();
  const p = rt === null ? null : poolPlan(rt, g, backward);
  return p === null ? 0 : p.group;
}

function poolArgs(g: ConvGeometry, p: PoolPlan, items: number): number[] {
  const rowH = 4 * g.inW * g.inC, rowD = g.inH * rowH;
  return [items, 4 * p.xItem, g.inC, rowH, rowD, p.tD, p.tH, p.tW, p.tEnd, p.win];
}

/** y = max over each window (first max; NaN wins), on the wasm backend where it runs. */
export function maxPoolForwardWasm(g: ConvGeometry, x: Float32Array, y: Float32Array): void {
  const rt = wasmRuntime();
  const p = rt === null ? null : poolPlan(rt, g, false);
  if (rt === null || p === null) { maxPoolForward(g, x, y); return; }
  const f32 = rt.f32, X0 = p.x >> 2, Y0 = p.y >> 2;
  for (let b0 = 0; b0 < g.batch; b0 += p.group) {
    const items = Math.min(p.group, g.batch - b0);
    f32.set(x.subarray(b0 * p.xItem, (b0 + items) * p.xItem), X0);
    rt.maxPoolForward(p.x, p.y, ...poolArgs(g, p, items));
    y.set(f32.subarray(Y0, Y0 + items * p.yItem), b0 * p.yItem);
  }
}

/** dx = Σ over outputs of dy at the window's first maximum (first NaN if any). Overwrites dx. */
export function maxPoolBackwardWasm(g: ConvGeometry, x: Float32Array, dy: Float32Array, dx: Float32Array): void {
  const rt = wasmRuntime();
  const p = rt === null ? null : poolPlan(rt, g, true);
  if (rt === null || p === null) { maxPoolBackward(g, x, dy, dx); return; }
  const f32 = rt.f32, X0 = p.x >> 2, DX0 = p.dx >> 2, DY0 = p.y >> 2;
  for (let b0 = 0; b0 < g.batch; b0 += p.group) {
    const items = Math.min(p.group, g.batch - b0), xLen = items * p.xItem;
    f32.set(x.subarray(b0 * p.xItem, b0 * p.xItem + xLen), X0);
    f32.set(dy.subarray(b0 * p.yItem, (b0 + items) * p.yItem), DY0);
    f32.fill(0, DX0, DX0 + xLen);
    rt.maxPoolBackward(p.x, p.y, p.dx, ...poolArgs(g, p, items));
    dx.set(f32.subarray(DX0, DX0 + xLen), b0 * p.xItem);
  }
}

/** y = mean of each window over its positions inside the input, on the wasm backend where it runs. */
export function avgPoolForwardWasm(g: ConvGeometry, x: Float32Array, y: Float32Array): void {
  const rt = wasmRuntime();
  const p = rt === null ? null : poolPlan(rt, g, false);
  if (rt === null || p === null) { avgPoolForward(g, x, y); return; }
  const f32 = rt.f32, X0 = p.x >> 2, Y0 = p.y >> 2;
  for (let b0 = 0; b0 < g.batch; b0 += p.group) {
    const items = Math.min(p.group, g.batch - b0);
    f32.set(x.subarray(b0 * p.xItem, (b0 + items) * p.xItem), X0);
    rt.avgPoolForward(p.x, p.y, ...poolArgs(g, p, items));
    y.set(f32.subarray(Y0, Y0 + items * p.yItem), b0 * p.yItem);
  }
}

/** dx = Σ over outputs of dy / n spread over the window's n positions inside the input. Overwrites dx. */
export function avgPoolBackwardWasm(g: ConvGeometry, dy: Float32Array, dx: Float32Array): void {
  const rt = wasmRuntime();
  const p = rt === null ? null : poolPlan(rt, g, false); // the x slot holds dx, the y slot dy
  if (rt === null || p === null) { avgPoolBackward(g, dy, dx); return; }
  const f32 = rt.f32, DX0 = p.x >> 2, DY0 = p.y >> 2;
  for (let b0 = 0; b0 < g.batch; b0 += p.group) {
    const items = Math.min(p.group, g.batch - b0), xLen = items * p.xItem;
    f32.set(dy.subarray(b0 * p.yItem, (b0 + items) * p.yItem), DY0);
    f32.fill(0, DX0, DX0 + xLen);
    rt.avgPoolBackward(p.x, p.y, ...poolArgs(g, p, items));
    dx.set(f32.subarray(DX0, DX0 + xLen), b0 * p.xItem);
  }
}

/** db[c] = Σ over rows r of dy[r·C + c] (dy viewed as [rows × C]); db has C entries. */
export function biasGradWasm(rows: number, C: number, dy: Float32Array, db: Float32Array): void {
  const rt = wasmRuntime();
  // rows per copy into the X region: whole blocks; their partial rows fit the C region easily
  const chunk = Math.floor((X_BYTES >> 2) / Math.max(C, 1) / BIAS_BLOCK) * BIAS_BLOCK;
  if (rt === null || chunk === 0 || (chunk / BIAS_BLOCK) * C > (C_BYTES >> 2)) {
    convBiasGrad(convGeometry(1, rows, [1], C, [1], C, [1], [1], 'valid'), dy, db);
    return;
  }
  const f32 = rt.f32, X0 = X_BASE >> 2, P0 = C_BASE >> 2;
  const acc = new Float64Array(C);
  for (let r0 = 0; r0 < rows; r0 += chunk) {
    const n = Math.min(chunk, rows - r0);
    f32.set(dy.subarray(r0 * C, (r0 + n) * C), X0);
    rt.columnSums(X_BASE, n, C, BIAS_BLOCK, C_BASE);
    const partials = Math.ceil(n / BIAS_BLOCK);
    for (let p = 0, i = P0; p < partials; p++) {
      for (let c = 0; c < C; c++, i++) acc[c] += f32[i];
    }
  }
  for (let c = 0; c < C; c++) db[c] = acc[c];
}
