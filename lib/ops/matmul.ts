/**
 * matMul: matrix product over the last two axes, batched (with broadcasting) over the leading ones.
 *
 *   a [..., M, K]  ·  b [..., K, N]  →  [...batch, M, N]     batch = broadcast(a batch, b batch)
 *   transposeA: a is stored [..., K, M];  transposeB: b is stored [..., N, K]
 *
 * Every product is one call of kernels/gemm, which addresses each matrix through an offset, a row
 * stride and a column stride, so a transpose is a stride swap and nothing is copied:
 *
 *   A(i, p) = a[aOff + i·aRs + p·aCs]     a stored [M, K]: aRs = K, aCs = 1;  stored [K, M]: aRs = 1, aCs = M
 *   B(p, j) = b[bOff + p·bRs + j·bCs]     b stored [K, N]: bRs = N, bCs = 1;  stored [N, K]: bRs = 1, bCs = K
 *
 * The GEMM is kernels/wasm/gemm.ts on the 'wasm' backend, kernels/gemm.ts on 'js' (lib/backend.ts).
 *
 * When b has no batch (or a batch of 1s) and a is not transposed, a's batch folds into M: one GEMM
 * of (batch·M) × K × N, as a dense layer on [B, T, K] inputs wants.
 */
import { ConfigError, ShapeError, fmtShape, fmtValue } from '../errors';
import { Tensor, shapeSize } from '../tensor';
import { gemm as gemmJs } from '../../kernels/gemm';
import { gemmWasm } from '../../kernels/wasm/gemm';
import { getBackend } from '../backend';
import { broadcastStrides, checkTensor } from './broadcast';

export interface MatMulOptions {
  /** Use aᵀ (a's last two axes swapped). */
  transposeA?: boolean;
  /** Use bᵀ (b's last two axes swapped). */
  transposeB?: boolean;
}

function flag(name: string, v: unknown): boolean {
  if (v === undefined) return false;
  if (typeof v !== 'boolean') throw new ConfigError(`matMul: ${name} must be a boolean, got ${fmtValue(v)}`);
  return v;
}

export function matMul(a: Tensor, b: Tensor, opts: MatMulOptions = {}): Tensor {
  checkTensor('matMul', 'a', a);
  checkTensor('matMul', 'b', b);
  if (opts === null || typeof opts !== 'object' || Array.isArray(opts)) {
    throw new ConfigError(`matMul: options must be an object { transposeA?, transposeB? }, got ${fmtValue(opts)}`);
  }
  const tA = flag('transposeA', opts.transposeA);
  const tB = flag('transposeB', opts.transposeB);
  if (a.rank < 2) throw new ShapeError(`matMul: a must have rank >= 2 [..., rows, cols], got shape ${fmtShape(a.shape)}`);
  if (b.rank < 2) throw new ShapeError(`matMul: b must have rank >= 2 [..., rows, cols], got shape ${fmtShape(b.shape)}`);
  const ra = a.rank, rb = b.rank;
  const m = tA ? a.shape[ra - 1] : a.shape[ra - 2];
  const k = tA ? a.shape[ra - 2] : a.shape[ra - 1];
  const kb = tB ? b.shape[rb - 1] : b.shape[rb - 2];
  const n = tB ? b.shape[rb - 2] : b.shape[rb - 1];
  if (k !== kb) {
    throw new ShapeError(
      `matMul: inner sizes differ: a shape ${fmtShape(a.shape)} (transposeA ${tA}) has K = ${k}, ` +
      `b shape ${fmtShape(b.shape)} (transposeB ${tB}) has K = ${kb}`,
    );
  }

  // Batch axes, broadcast.
  const aBatch = a.shape.slice(0, ra - 2), bBatch = b.shape.slice(0, rb - 2);
  const rank = Math.max(aBatch.length, bBatch.length);
  const batch = new Array<number>(rank);
  for (let i = 0; i < rank; i++) {
    const da = i < rank - aBatch.length ? 1 : aBatch[i - (rank - aBatch.length)];
    const db = i < rank - bBatch.length ? 1 : bBatch[i - (rank - bBatch.length)];
    if (da !== db && da !== 1 && db !== 1) {
      throw new ShapeError(
        `matMul: batch axes do not broadcast: a shape ${fmtShape(a.shape)} (batch ${fmtShape(aBatch)}), ` +
        `b shape ${fmtShape(b.shape)} (batch ${fmtShape(bBatch)})`,
      );
    }
    batch[i] = da === 1 ? db : da;
  }
  const outShape = [...batch, m, n];
  const out = new Float32Array(shapeSize(outShape));
  const nb = shapeSize(batch);
  if (out.length === 0) return new Tensor(out, outShape);

  const gemm = getBackend() === 'wasm' ? gemmWasm : gemmJs;
  const aRs = tA ? 1 : k, aCs = tA ? m : 1;
  const bRs = tB ? 1 : n, bCs = tB ? k : 1;
  // b shared by every batch and a's rows contiguous across batches: one tall GEMM.
  if (shapeSize(bBatch) === 1 && !tA) {
    gemm(nb * m, n, k, 1, a.data, 0, aRs, aCs, b.data, 0, bRs, bCs, 0, out, 0, n, 1);
    return new Tensor(out, outShape);
  }
  // One GEMM per batch entry; an odometer over the batch axes tracks a's and b's matrix offsets.
  const sa = broadcastStrides(aBatch, batch).map((s) => s * m * k);
  const sb = broadcastStrides(bBatch, batch).map((s) => s * k * n);
  const idx = new Array<number>(rank).fill(0);
  let aOff = 0, bOff = 0;
  for (let t = 0, cOff = 0; t < nb; t++, cOff += m * n) {
    gemm(m, n, k, 1, a.data, aOff, aRs, aCs, b.data, bOff, bRs, bCs, 0, out, cOff, n, 1);
    for (let d = rank - 1; d >= 0; d--) {
      aOff += sa[d];
      bOff += sb[d];
      if (++idx[d] < batch[d]) break;
      aOff -= sa[d] * batch[d];
      bOff -= sb[d] * batch[d];
      idx[d] = 0;
    }
  }
  return new Tensor(out, outShape);
}
