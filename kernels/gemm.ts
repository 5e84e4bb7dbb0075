/**
 * GEMM:  C[m×n] = alpha · A[m×k] · B[k×n] + beta · C[m×n]
 *
 * Every matrix is addressed through an offset, a row stride and a column stride, so a transpose is
 * a stride swap:  A(i, p) = a[aOff + i·aRs + p·aCs].  With beta = 0, C is overwritten (its old
 * contents, even NaN, are ignored), as in BLAS. k = 0 gives C = beta·C. No zero is skipped, so
 * NaN and Infinity in A or B propagate.
 *
 * (first fast version — block sizes to be tuned)
 */

/** Microkernel rows (packed A panel height). */
export const MR = 3;
/** Microkernel columns (packed B panel width). */
export const NR = 4;
/** Depth of one packed block (the pc loop step). */
export const KC = 256;
/** Rows of A packed at once (the ic loop step). */
export const MC = 96;
/** Columns of B packed at once (the jc loop step). */
export const NC = 384;
/** Problems with m·n·k below this run the direct loop (packing does not pay). */
export const SMALL_MNK = 4096;

// Packing workspace: ONE module-level const, sized for the largest blocks (never grows, never
// detaches). B block at [0, B_SIZE), A block at [A_BASE, A_BASE + A_SIZE), edge tile after.
const B_SIZE = KC * (Math.ceil(NC / NR) * NR);
const A_BASE = B_SIZE + 40;             // +40 doubles: A and B panels do not alias in 4 KiB sets
const A_SIZE = (Math.ceil(MC / MR) * MR) * KC;
const TILE = A_BASE + A_SIZE + 8;
const ws = new Float64Array(TILE + MR * NR);

export function gemm(
  m: number, n: number, k: number,
  alpha: number,
  a: Float32Array, aOff: number, aRs: number, aCs: number,
  b: Float32Array, bOff: number, bRs: number, bCs: number,
  beta: number,
  c: Float32Array, cOff: number, cRs: number, cCs: number,
): void {
  if (m <= 0 || n <= 0) return;
  if (k <= 0) {
    scaleC(m, n, beta, c, cOff, cRs, cCs);
    return;
  }
  if (m * n * k < SMALL_MNK) {
    gemmDirect(m, n, k, alpha, a, aOff, aRs, aCs, b, bOff, bRs, bCs, beta, c, cOff, cRs, cCs);
  } else {
    gemmPacked(m, n, k, alpha, a, aOff, aRs, aCs, b, bOff, bRs, bCs, beta, c, cOff, cRs, cCs);
  }
}

/** The packed path on its own, for any m, n ≥ 0 and k ≥ 1 (exported for the edge-sweep spec). */
export function gemmPacked(
  m: number, n: number, k: number,
  alpha: number,
  a: Float32Array, aOff: number, aRs: number, aCs: number,
  b: Float32Array, bOff: number, bRs: number, bCs: number,
  beta: number,
  c: Float32Array, cOff: number, cRs: number, cCs: number,
): void {
  if (m <= 0 || n <= 0) return;
  if (k <= 0) {
    scaleC(m, n, beta, c, cOff, cRs, cCs);
    return;
  }
  // Loop 5 (jc): columns of C/B in blocks of NC.
  for (let jc = 0; jc < n; jc += NC) {
    const nc = n - jc < NC ? n - jc : NC;
    // Loop 4 (pc): the shared dimension in blocks of KC; the first block applies beta, later
    // blocks accumulate into C.
    for (let pc = 0; pc < k; pc += KC) {
      const kc = k - pc < KC ? k - pc : KC;
      const betaBlock = pc === 0 ? beta : 1;
      packB(kc, nc, b, bOff + pc * bRs + jc * bCs, bRs, bCs);
      // Loop 3 (ic): rows of C/A in blocks of MC.
      for (let ic = 0; ic < m; ic += MC) {
        const mc = m - ic < MC ? m - ic : MC;
        packA(mc, kc, a, aOff + ic * aRs + pc * aCs, aRs, aCs);
        // Loop 2 (jr): NR-wide panels of the packed B block.
        for (let jr = 0; jr < nc; jr += NR) {
          const nr = nc - jr < NR ? nc - jr : NR;
          const bI = jr * kc;
          // Loop 1 (ir): MR-tall panels of the packed A block.
          for (let ir = 0; ir < mc; ir += MR) {
            const mr = mc - ir < MR ? mc - ir : MR;
            gemmMicro3x4(kc, A_BASE + ir * kc, bI, alpha, betaBlock,
              c, cOff + (ic + ir) * cRs + (jc + jr) * cCs, cRs, cCs, mr, nr);
          }
        }
      }
    }
  }
}

/** C = beta·C (beta = 0 writes zeros, whatever C held). */
function scaleC(m: number, n: number, beta: number, c: Float32Array, cOff: number, cRs: number, cCs: number): void {
  for (let i = 0; i < m; i++) {
    const row = cOff + i * cRs;
    if (beta === 0) for (let j = 0; j < n; j++) c[row + j * cCs] = 0;
    else for (let j = 0; j < n; j++) c[row + j * cCs] *= beta;
  }
}

/** Direct loop for tiny problems: one float64 dot product per element of C. */
export function gemmDirect(
  m: number, n: number, k: number, alpha: number,
  a: Float32Array, aOff: number, aRs: number, aCs: number,
  b: Float32Array, bOff: number, bRs: number, bCs: number,
  beta: number, c: Float32Array, cOff: number, cRs: number, cCs: number,
): void {
  for (let i = 0; i < m; i++) {
    const aRow = aOff + i * aRs;
    const cRow = cOff + i * cRs;
    for (let j = 0; j < n; j++) {
      let sum = 0;
      let ai = aRow;
      let bi = bOff + j * bCs;
      for (let p = 0; p < k; p++) {
        sum += a[ai] * b[bi];
        ai += aCs;
        bi += bRs;
      }
      const ci = cRow + j * cCs;
      c[ci] = beta === 0 ? alpha * sum : alpha * sum + beta * c[ci];
    }
  }
}

/**
 * packA: A block [mc×kc] → MR-row panels, each stored p-major (MR values per p); rows past mc
 * are zero.
 */
function packA(mc: number, kc: number, a: Float32Array, aStart: number, aRs: number, aCs: number): void {
  const ap = ws;
  let dst = A_BASE;
  for (let ir = 0; ir < mc; ir += MR) {
    const mr = mc - ir < MR ? mc - ir : MR;
    for (let r = 0; r < MR; r++) {
      let d = dst + r;
      if (r < mr) {
        let s = aStart + (ir + r) * aRs;
        for (let p = 0; p < kc; p++) { ap[d] = a[s]; d += MR; s += aCs; }
      } else {
        for (let p = 0; p < kc; p++) { ap[d] = 0; d += MR; }
      }
    }
    dst += MR * kc;
  }
}

/**
 * packB: B block [kc×nc] → NR-column panels, each stored p-major (NR values per p); columns past
 * nc are zero.
 */
function packB(kc: number, nc: number, b: Float32Array, bStart: number, bRs: number, bCs: number): void {
  const bp = ws;
  let dst = 0;
  for (let jr = 0; jr < nc; jr += NR) {
    const nr = nc - jr < NR ? nc - jr : NR;
    for (let j = 0; j < NR; j++) {
      let d = dst + j;
      if (j < nr) {
        let s = bStart + (jr + j) * bCs;
        for (let p = 0; p < kc; p++) { bp[d] = b[s]; d += NR; s += bRs; }
      } else {
        for (let p = 0; p < kc; p++) { bp[d] = 0; d += NR; }
      }
    }
    dst += NR * kc;
  }
}

/**
 * gemmMicro3x4:  C[3×4] = alpha · Apanel[3×kc] · Bpanel[kc×4] + beta · C[3×4]
 * (only the top-left mr×nr of the tile is written).
 */
function gemmMicro3x4(
  kc: number, aI: number, bI: number, alpha: number, beta: number,
  c: Float32Array, cI: number, cRs: number, cCs: number, mr: number, nr: number,
): void {
  const ap = ws, bp = ws;
  let acc00 = 0, acc01 = 0, acc02 = 0, acc03 = 0;
  let acc10 = 0, acc11 = 0, acc12 = 0, acc13 = 0;
  let acc20 = 0, acc21 = 0, acc22 = 0, acc23 = 0;
  for (let p = 0; p < kc; p++) {
    const a0 = ap[aI], a1 = ap[aI + 1], a2 = ap[aI + 2];
    const b0 = bp[bI], b1 = bp[bI + 1], b2 = bp[bI + 2], b3 = bp[bI + 3];
    acc00 += a0 * b0; acc01 += a0 * b1; acc02 += a0 * b2; acc03 += a0 * b3;
    acc10 += a1 * b0; acc11 += a1 * b1; acc12 += a1 * b2; acc13 += a1 * b3;
    acc20 += a2 * b0; acc21 += a2 * b1; acc22 += a2 * b2; acc23 += a2 * b3;
    aI += 3;
    bI += 4;
  }
  if (mr === 3 && nr === 4) {
    const c0 = cI, c1 = cI + cRs, c2 = cI + 2 * cRs;
    const j1 = cCs, j2 = 2 * cCs, j3 = 3 * cCs;
    if (beta === 0) {
      c[c0] = alpha * acc00; c[c0 + j1] = alpha * acc01; c[c0 + j2] = alpha * acc02; c[c0 + j3] = alpha * acc03;
      c[c1] = alpha * acc10; c[c1 + j1] = alpha * acc11; c[c1 + j2] = alpha * acc12; c[c1 + j3] = alpha * acc13;
      c[c2] = alpha * acc20; c[c2 + j1] = alpha * acc21; c[c2 + j2] = alpha * acc22; c[c2 + j3] = alpha * acc23;
    } else {
      c[c0] = alpha * acc00 + beta * c[c0]; c[c0 + j1] = alpha * acc01 + beta * c[c0 + j1];
      c[c0 + j2] = alpha * acc02 + beta * c[c0 + j2]; c[c0 + j3] = alpha * acc03 + beta * c[c0 + j3];
      c[c1] = alpha * acc10 + beta * c[c1]; c[c1 + j1] = alpha * acc11 + beta * c[c1 + j1];
      c[c1 + j2] = alpha * acc12 + beta * c[c1 + j2]; c[c1 + j3] = alpha * acc13 + beta * c[c1 + j3];
      c[c2] = alpha * acc20 + beta * c[c2]; c[c2 + j1] = alpha * acc21 + beta * c[c2 + j1];
      c[c2 + j2] = alpha * acc22 + beta * c[c2 + j2]; c[c2 + j3] = alpha * acc23 + beta * c[c2 + j3];
    }
    return;
  }
  const t = ws;
  t[TILE] = acc00; t[TILE + 1] = acc01; t[TILE + 2] = acc02; t[TILE + 3] = acc03;
  t[TILE + 4] = acc10; t[TILE + 5] = acc11; t[TILE + 6] = acc12; t[TILE + 7] = acc13;
  t[TILE + 8] = acc20; t[TILE + 9] = acc21; t[TILE + 10] = acc22; t[TILE + 11] = acc23;
  for (let r = 0; r < mr; r++) {
    const row = cI + r * cRs;
    for (let j = 0; j < nr; j++) {
      const ci = row + j * cCs;
      const v = t[TILE + r * 4 + j];
      c[ci] = beta === 0 ? alpha * v : alpha * v + beta * c[ci];
    }
  }
}

// Type-feedback warm-up at load (microseconds): run every branch of the packed path once — edge
// tiles, zero padding, beta = 0 and beta ≠ 0 — so that TurboFan never compiles the microkernel
// while its write-back branches are still unvisited. Without this, the first big call could
// OSR-compile the k loop before any call had returned, and the cached OSR code then deopted at
// the write-back on every call ("insufficient type feedback"): 1.5 instead of 5+ GFLOP/s.
(function warmUp(): void {
  const x = new Float32Array((MR + 1) * (NR + 1) * 2);
  for (let i = 0; i < x.length; i++) x[i] = (i % 7) - 3;
  const y = new Float32Array((MR + 1) * (NR + 1));
  // V8 allocates a function's feedback vector only after ~8 calls: repeat past that.
  for (let rep = 0; rep < 16; rep++) {
    for (const beta of [0, 0.5]) {
      gemmPacked(MR + 1, NR + 1, 2, 1, x, 0, 2, 1, x, 0, NR + 1, 1, beta, y, 0, NR + 1, 1);
      gemmPacked(MR, NR, 2, 1, x, 0, 2, 1, x, 0, NR, 1, beta, y, 0, NR, 1);
    }
  }
})();
