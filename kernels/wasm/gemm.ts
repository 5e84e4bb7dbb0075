/**
 * GEMM on the wasm backend:  C[m×n] = alpha · A[m×k] · B[k×n] + beta · C[m×n]
 * Same contract as kernels/gemm.ts (offsets, a row and a column stride per matrix, beta = 0
 * ignores C's old contents, k = 0 gives C = beta·C, nothing skipped so NaN/Infinity propagate);
 * sums are float32 (the JS kernel sums in float64), so results differ by float32 rounding.
 *
 *   ko: k in chunks of at most KO_MAX (only enormous k: beta on the first chunk, then C += …)
 *    jc: n in blocks of nc      pack B[kk×nc] → B region, NR-column panels over the whole chunk
 *     ic: m in blocks of mc     pack A[mc×kk] → A region, MR-row panels over the whole chunk
 *      pc: kk in blocks of KC   gemm_block over the KC-deep slice of every panel (loops jr, ir)
 *                               → C scratch [mc×nc], overwritten on pc = 0, accumulated after
 *      copy the live mc×nc of the scratch to C:  C = alpha·S + beta·C
 *
 *   packed A, panel ip (MR rows), p-major        packed B, panel jp (NR = 8 columns), p-major
 *   byte a + ip·(kk·MR·4) + p·MR·4 + i·4          byte b + jp·(kk·32) + p·32 + j·4
 * (A with contiguous rows is copied row-major, pitch kk, to the staging region, then packed by pack_panels.)
 * A KC slice starting at depth pc is the same panels offset by pc·MR·4 (A) and pc·32 (B), with the
 * same panel strides, so nothing is repacked per slice. Rows past m and columns past n are
 * zero-padded, so every register tile is full; the C scratch has a row pitch of nc rounded up to 8.
 */
import { A_BASE, A_BYTES, B_BASE, B_BYTES, C_BASE, C_BYTES, MR, S_BASE, requireRuntime } from './runtime';
import { NR } from './gemm-kernel';

/** Depth of one gemm_block call (the A slice MC·KC·4 = 128 KiB stays in L2, a B̃ panel slice 8 KiB in L1). */
export const KC = 256;
/** Rows of A per packed block. */
export const MC = 128;
/** Most columns of B per packed block. */
export const NC = 1024;
/** The largest k chunk: B must hold at least 64 columns of it. */
const KO_MAX = Math.floor(B_BYTES / (4 * 64));

const roundUp = (v: number, m: number): number => Math.ceil(v / m) * m;

export function gemmWasm(
  m: number, n: number, k: number,
  alpha: number,
  a: Float32Array, aOff: number, aRs: number, aCs: number,
  b: Float32Array, bOff: number, bRs: number, bCs: number,
  beta: number,
  c: Float32Array, cOff: number, cRs: number, cCs: number,
): void {
  if (m <= 0 || n <= 0) return;
  if (k <= 0) {
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        const ci = cOff + i * cRs + j * cCs;
        c[ci] = beta === 0 ? 0 : beta * c[ci];
      }
    }
    return;
  }
  const rt = requireRuntime('gemm');
  const f32 = rt.f32;
  // A with contiguous rows (aCs = 1) is copied row by row (a native copy) into the staging region
  // and packed there by pack_panels (SIMD); any other A is packed into panels here.
  const rows = aCs === 1, block = rt.gemmBlock;
  for (let k0 = 0; k0 < k; k0 += KO_MAX) {
    const kk = Math.min(KO_MAX, k - k0);
    const betaChunk = k0 === 0 ? beta : 1;
    // nc: B chunk kk × roundUp(nc, 8) floats in B_BYTES; mc: A chunk and C scratch within their regions.
    const ncMax = Math.min(NC, Math.floor(B_BYTES / (4 * kk * NR)) * NR);
    const nc = Math.min(roundUp(n, NR), ncMax);
    const mcMax = Math.min(MC, Math.floor(A_BYTES / (4 * kk * MR)) * MR, Math.floor(C_BYTES / (4 * nc * MR)) * MR);
    for (let jc = 0; jc < n; jc += nc) {
      const ncb = Math.min(nc, n - jc);
      const nPanels = Math.ceil(ncb / NR), ldc = nPanels * NR;
      packB(kk, ncb, b, bOff + k0 * bRs + jc * bCs, bRs, bCs, f32, B_BASE >> 2);
      for (let ic = 0; ic < m; ic += mcMax) {
        const mcb = Math.min(mcMax, m - ic);
        const mPanels = Math.ceil(mcb / MR);
        if (rows) {
          copyRowsA(mcb, kk, a, aOff + ic * aRs + k0, aRs, f32, S_BASE >> 2);
          rt.packPanels(S_BASE, kk * 4, A_BASE, mPanels, kk);
        } else {
          packA(mcb, kk, a, aOff + ic * aRs + k0 * aCs, aRs, aCs, f32, A_BASE >> 2);
        }
        for (let pc = 0; pc < kk; pc += KC) {
          const kc = Math.min(KC, kk - pc);
          block(A_BASE + pc * MR * 4, kk * MR * 4, MR * 4, B_BASE + pc * NR * 4, kk * NR * 4, NR * 4, C_BASE, ldc * 4,
            kc, mPanels, nPanels, pc === 0 ? 0 : 1);
        }
        copyOut(mcb, ncb, alpha, betaChunk, f32, C_BASE >> 2, ldc, c, cOff + ic * cRs + jc * cCs, cRs, cCs);
      }
    }
  }
}

/**
 * A block [mc×kk] with contiguous rows → f32[d0 …] row-major (row pitch kk), one native copy per
 * row; the rows of the last MR panel past mc are zeroed (packed, multiplied, then dropped).
 */
function copyRowsA(mc: number, kk: number, a: Float32Array, aStart: number, aRs: number, f32: Float32Array, d0: number): void {
  for (let i = 0; i < mc; i++) {
    const s = aStart + i * aRs;
    f32.set(a.subarray(s, s + kk), d0 + i * kk);
  }
  f32.fill(0, d0 + mc * kk, d0 + roundUp(mc, MR) * kk);
}

/** A block [mc×kk] from aStart → f32[d0 …] as MR-row panels over the whole depth; rows past mc are zero. */
function packA(mc: number, kk: number, a: Float32Array, aStart: number, aRs: number, aCs: number, f32: Float32Array, d0: number): void {
  for (let ir = 0, panel = d0; ir < mc; ir += MR, panel += kk * MR) {
    const mr = Math.min(MR, mc - ir);
    if (mr === MR && aRs === 1) {
      // A stored column-major (transposed): the MR values of one p are adjacent in a
      let s = aStart + ir, d = panel;
      for (let p = 0; p < kk; p++, s += aCs, d += MR) {
        f32[d] = a[s]; f32[d + 1] = a[s + 1]; f32[d + 2] = a[s + 2]; f32[d + 3] = a[s + 3];
      }
      continue;
    }
    for (let r = 0; r < MR; r++) {
      let d = panel + r;
      if (r < mr) {
        let s = aStart + (ir + r) * aRs;
        for (let p = 0; p < kk; p++, d += MR, s += aCs) f32[d] = a[s];
      } else {
        for (let p = 0; p < kk; p++, d += MR) f32[d] = 0;
      }
    }
  }
}

/** B block [kk×nc] from bStart → f32[d0 …] as NR-column panels over the whole depth; columns past nc are zero. */
function packB(kk: number, nc: number, b: Float32Array, bStart: number, bRs: number, bCs: number, f32: Float32Array, d0: number): void {
  for (let jr = 0, panel = d0; jr < nc; jr += NR, panel += kk * NR) {
    const nr = Math.min(NR, nc - jr);
    if (nr === NR && bCs === 1) {
      // B row-major: the 8 values of one p are adjacent in b
      let s = bStart + jr, d = panel;
      for (let p = 0; p < kk; p++, s += bRs, d += NR) {
        f32[d] = b[s]; f32[d + 1] = b[s + 1]; f32[d + 2] = b[s + 2]; f32[d + 3] = b[s + 3];
        f32[d + 4] = b[s + 4]; f32[d + 5] = b[s + 5]; f32[d + 6] = b[s + 6]; f32[d + 7] = b[s + 7];
      }
      continue;
    }
    for (let j = 0; j < NR; j++) {
      let d = panel + j;
      if (j < nr) {
        let s = bStart + (jr + j) * bCs;
        for (let p = 0; p < kk; p++, d += NR, s += bRs) f32[d] = b[s];
      } else {
        for (let p = 0; p < kk; p++, d += NR) f32[d] = 0;
      }
    }
  }
}

/** C(i, j) = alpha·S(i, j) + beta·C(i, j) for the live mc×nc of the scratch S (row pitch ldc floats). */
function copyOut(
  mc: number, nc: number, alpha: number, beta: number, f32: Float32Array, s0: number, ldc: number,
  c: Float32Array, cStart: number, cRs: number, cCs: number,
): void {
  if (alpha === 1 && beta === 0 && cCs === 1) {
    for (let i = 0; i < mc; i++) c.set(f32.subarray(s0 + i * ldc, s0 + i * ldc + nc), cStart + i * cRs);
    return;
  }
  for (let i = 0; i < mc; i++) {
    const s = s0 + i * ldc, row = cStart + i * cRs;
    if (beta === 0) for (let j = 0; j < nc; j++) c[row + j * cCs] = alpha * f32[s + j];
    else if (beta === 1 && alpha === 1) for (let j = 0; j < nc; j++) c[row + j * cCs] += f32[s + j];
    else for (let j = 0; j < nc; j++) c[row + j * cCs] = alpha * f32[s + j] + beta * c[row + j * cCs];
  }
}
