/**
 * Reference GEMM:  C[m×n] = alpha · A[m×k] · B[k×n] + beta · C[m×n]
 *
 * The naive triple loop: the oracle for spec/gemm.spec.ts and the baseline for bench/. Same
 * signature and contract as kernels/gemm.ts — A(i, p) = a[aOff + i·aRs + p·aCs], B(p, j) and
 * C(i, j) likewise, so a transpose is a stride swap. Each dot product is summed in float64 in
 * order p = 0 … k−1. beta = 0 overwrites C (old contents, even NaN, are ignored); k = 0 gives
 * C = beta·C. Nothing is skipped, so NaN and Infinity in A or B propagate.
 */
export function gemmReference(
  m: number, n: number, k: number,
  alpha: number,
  a: Float32Array, aOff: number, aRs: number, aCs: number,
  b: Float32Array, bOff: number, bRs: number, bCs: number,
  beta: number,
  c: Float32Array, cOff: number, cRs: number, cCs: number,
): void {
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let sum = 0;
      for (let p = 0; p < k; p++) {
        sum += a[aOff + i * aRs + p * aCs] * b[bOff + p * bRs + j * bCs];
      }
      const ci = cOff + i * cRs + j * cCs;
      c[ci] = beta === 0 ? alpha * sum : alpha * sum + beta * c[ci];
    }
  }
}
