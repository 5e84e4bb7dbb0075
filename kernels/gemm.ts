/**
 * GEMM:  C[m×n] = alpha · A[m×k] · B[k×n] + beta · C[m×n]
 *
 * Every matrix is addressed through an offset, a row stride and a column stride, so a transpose is
 * a stride swap:  A(i, p) = a[aOff + i·aRs + p·aCs].  With beta = 0, C is overwritten (its old
 * contents, even NaN, are ignored), as in BLAS.
 *
 * PLACEHOLDER (foundation issue): a correct, simply blocked loop. The kernels issue replaces the
 * body with packed panels and a register-blocked microkernel; the signature stays.
 */
export function gemm(
  m: number, n: number, k: number,
  alpha: number,
  a: Float32Array, aOff: number, aRs: number, aCs: number,
  b: Float32Array, bOff: number, bRs: number, bCs: number,
  beta: number,
  c: Float32Array, cOff: number, cRs: number, cCs: number,
): void {
  const row = new Float64Array(n);
  for (let i = 0; i < m; i++) {
    row.fill(0);
    for (let p = 0; p < k; p++) {
      const aip = a[aOff + i * aRs + p * aCs];
      const bRow = bOff + p * bRs;
      for (let j = 0; j < n; j++) row[j] += aip * b[bRow + j * bCs];
    }
    const cRow = cOff + i * cRs;
    if (beta === 0) for (let j = 0; j < n; j++) c[cRow + j * cCs] = alpha * row[j];
    else for (let j = 0; j < n; j++) c[cRow + j * cCs] = alpha * row[j] + beta * c[cRow + j * cCs];
  }
}
