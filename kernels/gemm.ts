/**
 * GEMM:  C[m×n] = alpha · A[m×k] · B[k×n] + beta · C[m×n]
 *
 * Every matrix is addressed through an offset, a row stride and a column stride, so a transpose is
 * a stride swap:  A(i, p) = a[aOff + i·aRs + p·aCs],  B(p, j) = b[bOff + p·bRs + j·bCs],
 * C(i, j) = c[cOff + i·cRs + j·cCs]  (any strides, negative included).  beta = 0 overwrites C
 * (its old contents, even NaN, are ignored), as in BLAS; k = 0 gives C = beta·C.  No zero is
 * skipped, so NaN and Infinity in A or B propagate.  Sums run in float64, in order p = 0 … k−1
 * within a KC block; C (float32) is rounded once per KC block.
 *
 * BLIS layout: five loops around one 3×4 microkernel.
 *
 *   jc: C and B in column blocks of NC        pack B[kc×nc] → ws[0 …)          (L3)
 *    pc: k in blocks of KC                     (beta on the first block, then C += …)
 *     ic: C and A in row blocks of MC          pack A[mc×kc] → ws[A_BASE …)     (L2)
 *      jr: NR-wide B panel                                                       (L1)
 *       ir: MR-tall A panel → gemmMicro3x4:  C[3×4] = alpha · Ã[3×kc] · B̃[kc×4] + beta · C
 *
 *   packed B block (NR = 4 columns per panel,     packed A block (MR = 3 rows per panel,
 *   p-major inside a panel):                      p-major inside a panel):
 *     panel 0          panel 1                      panel 0         panel 1
 *    ┌───────────────┬───────────────┬──          ┌────────────┬────────────┬──
 *    │b00 b01 b02 b03│b04 b05 b06 b07│ …          │a00 a10 a20 │a30 a40 a50 │ …
 *    │b10 b11 b12 b13│b14 b15 b16 b17│            │a01 a11 a21 │a31 a41 a51 │
 *    │ …  (kc rows)  │               │            │ … (kc rows)│            │
 *    └───────────────┴───────────────┴──          └────────────┴────────────┴──
 *   Edges: a last panel narrower than NR (or MR) is zero-padded, so the microkernel never
 *   branches inside its k loop; only the write-back checks mr < MR or nr < NR and then writes
 *   just the live part of the tile.
 *
 * Why these numbers (bench/gemm-tune.ts, `--only micro|shapes|blocks|skinny|small|headline`;
 * Node 20 / V8 11.3, AMD EPYC Zen 5, 2 cores shared with ~8 busy processes — load average 3 to
 * 14 while tuning — so only comparisons inside one run count; medians of interleaved samples):
 * - Profile of 512³ and 1024³: the microkernel is 93 % of the time, packing 5 %. So the
 *   microkernel decides the speed, and the blocking only has to keep its panels in cache.
 * - The workspace is ONE module-level `const` Float64Array. TurboFan then embeds its base and
 *   length as constants: no map check and no base/length reload per load. Microkernel alone
 *   (panels in L1), 3×4: 6.2 GFLOP/s with the const workspace vs 4.8 with the same panels
 *   passed as arguments (1.3×), in a run where the register-only probe did 10.4. The workspace is
 *   sized for the largest blocks (B KC×NC + A MC×KC ≈ 0.97 MiB), so it never has to grow, and
 *   it is never detached.
 * - 3×4: V8 emits no FMA, does not vectorize or unroll, and its scheduler places all MR·NR
 *   multiplies of an iteration before the adds, so MR·NR products and MR·NR accumulators
 *   compete for 15 xmm registers: 3×4 already spills 8 accumulators per iteration, and bigger
 *   tiles spill more. Microkernel alone, quietest runs (02:42–02:47 UTC): 3×4 6.2, 2×4 unrolled ×2 6.1,
 *   4×4 6.0, 2×6 5.9, 2×3 5.9, 2×8 5.7, 3×3 5.3, 6×4 5.1, 3×8 5.0, 4×8 4.6; unrolling k by 2 or 4
 *   lost for every shape but 2×4. Masking indices (no int32 overflow checks) or computing them
 *   from one counter changed nothing measurable. Inside whole GEMMs (512³, conv lowerings) 3×4
 *   was first or within noise of first in every run.
 * - KC = 256, MC = 96, NC = 384: B panel KC·NR·8 B = 8 KiB (L1), A block MC·KC·8 B = 192 KiB
 *   (L2 = 1 MiB per core), B block 768 KiB. KC ∈ {128 … 512} × MC ∈ {48, 96, 192}, NC ∈ {128,
 *   384, 512} and the ir/jr order all landed within 1.43–1.70 GFLOP/s at 512³ in one run at load
 *   10 (NC = 128 lowest, 1.39): inside the noise, so the sizes are the cache-fit choice; KC = 256 also keeps most convolution lowerings (k ≤ 256)
 *   in one block, so C is rounded to float32 once.
 * - No direct loop for tiny problems: packing won at every size tried, 4×4×4 included (0.77 vs
 *   0.61 GFLOP/s for a direct dot-product loop), and on skinny shapes (m=64 n=4 k=16: 1.0–1.2
 *   vs 0.54; m=256 n=16 k=9: 1.3–1.7 vs 0.43).
 * - The ceiling: the register-only multiply-add probe (12 chains s = s·x + y, no loads) runs at
 *   ≈ 10.4 GFLOP/s, the microkernel alone at ≈ 6.2 (60 %): besides the spills, every typed-array
 *   load costs 4–7 instructions (index add + overflow check + bounds check): ~85 instructions per
 *   iteration for 24 FLOPs.
 * - Result (headline run, 03:17 UTC, load 2–4, 21 interleaved rounds; median / p90 GFLOP/s):
 *   probe 6.54 / 10.32; GEMM 128: 3.42 / 5.14, 256: 3.65 / 5.38, 512: 3.39 / 5.40,
 *   1024: 3.65 / 5.00; gemmReference 0.52, 0.56, 0.60, 0.39 (medians). That is 52–56 % of the
 *   probe and 6–9× the naive loop — short of the 70 % target, by the microkernel limit above.
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

// The workspace: B block at [0, B_SIZE), A block at [A_BASE, A_BASE + A_SIZE), edge tile at TILE.
const B_SIZE = KC * Math.ceil(NC / NR) * NR;
const A_BASE = B_SIZE + 40;          // +40 doubles (320 B): A and B streams start in different 4 KiB sets
const A_SIZE = Math.ceil(MC / MR) * MR * KC;
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
  // Loop 5 (jc): columns of C and B in blocks of NC.
  for (let jc = 0; jc < n; jc += NC) {
    const nc = n - jc < NC ? n - jc : NC;
    // Loop 4 (pc): the shared dimension in blocks of KC; the first block applies beta, later
    // blocks add to C.
    for (let pc = 0; pc < k; pc += KC) {
      const kc = k - pc < KC ? k - pc : KC;
      const betaBlock = pc === 0 ? beta : 1;
      packB(kc, nc, b, bOff + pc * bRs + jc * bCs, bRs, bCs);
      // Loop 3 (ic): rows of C and A in blocks of MC.
      for (let ic = 0; ic < m; ic += MC) {
        const mc = m - ic < MC ? m - ic : MC;
        packA(mc, kc, a, aOff + ic * aRs + pc * aCs, aRs, aCs);
        // Loop 2 (jr): NR-wide panels of the packed B block (one stays in L1 for loop 1).
        for (let jr = 0; jr < nc; jr += NR) {
          const nr = nc - jr < NR ? nc - jr : NR;
          const cCol = cOff + (jc + jr) * cCs;
          // Loop 1 (ir): MR-tall panels of the packed A block.
          for (let ir = 0; ir < mc; ir += MR) {
            const mr = mc - ir < MR ? mc - ir : MR;
            gemmMicro3x4(kc, A_BASE + ir * kc, jr * kc, alpha, betaBlock,
              c, cCol + (ic + ir) * cRs, cRs, cCs, mr, nr);
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

/**
 * packA: A block [mc×kc] (from aStart) → ws[A_BASE …] as MR-row panels, p-major inside a panel
 * (the MR values of one column p are adjacent); rows past mc are zero.
 */
function packA(mc: number, kc: number, a: Float32Array, aStart: number, aRs: number, aCs: number): void {
  let panel = A_BASE;
  for (let ir = 0; ir < mc; ir += MR) {
    const mr = mc - ir < MR ? mc - ir : MR;
    for (let r = 0; r < MR; r++) {
      let d = panel + r;
      if (r < mr) {
        let s = aStart + (ir + r) * aRs;
        for (let p = 0; p < kc; p++) { ws[d] = a[s]; d += MR; s += aCs; }
      } else {
        for (let p = 0; p < kc; p++) { ws[d] = 0; d += MR; }
      }
    }
    panel += MR * kc;
  }
}

/**
 * packB: B block [kc×nc] (from bStart) → ws[0 …] as NR-column panels, p-major inside a panel
 * (the NR values of one row p are adjacent); columns past nc are zero.
 */
function packB(kc: number, nc: number, b: Float32Array, bStart: number, bRs: number, bCs: number): void {
  let panel = 0;
  for (let jr = 0; jr < nc; jr += NR) {
    const nr = nc - jr < NR ? nc - jr : NR;
    for (let j = 0; j < NR; j++) {
      let d = panel + j;
      if (j < nr) {
        let s = bStart + (jr + j) * bCs;
        for (let p = 0; p < kc; p++) { ws[d] = b[s]; d += NR; s += bRs; }
      } else {
        for (let p = 0; p < kc; p++) { ws[d] = 0; d += NR; }
      }
    }
    panel += NR * kc;
  }
}

/**
 * gemmMicro3x4:  C[3×4] = alpha · Ã[3×kc] · B̃[kc×4] + beta · C[3×4]
 * Ã at ws[aI …] (3 per p), B̃ at ws[bI …] (4 per p); twelve accumulators in locals. Only the
 * top-left mr×nr of the tile is written (edge tiles go through ws[TILE …]).
 */
function gemmMicro3x4(
  kc: number, aI: number, bI: number, alpha: number, beta: number,
  c: Float32Array, cI: number, cRs: number, cCs: number, mr: number, nr: number,
): void {
  let acc00 = 0, acc01 = 0, acc02 = 0, acc03 = 0;
  let acc10 = 0, acc11 = 0, acc12 = 0, acc13 = 0;
  let acc20 = 0, acc21 = 0, acc22 = 0, acc23 = 0;
  for (let p = 0; p < kc; p++) {
    const a0 = ws[aI], a1 = ws[aI + 1], a2 = ws[aI + 2];
    const b0 = ws[bI], b1 = ws[bI + 1], b2 = ws[bI + 2], b3 = ws[bI + 3];
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
  ws[TILE] = acc00; ws[TILE + 1] = acc01; ws[TILE + 2] = acc02; ws[TILE + 3] = acc03;
  ws[TILE + 4] = acc10; ws[TILE + 5] = acc11; ws[TILE + 6] = acc12; ws[TILE + 7] = acc13;
  ws[TILE + 8] = acc20; ws[TILE + 9] = acc21; ws[TILE + 10] = acc22; ws[TILE + 11] = acc23;
  for (let r = 0; r < mr; r++) {
    for (let j = 0; j < nr; j++) {
      const ci = cI + r * cRs + j * cCs;
      const v = ws[TILE + r * NR + j];
      c[ci] = beta === 0 ? alpha * v : alpha * v + beta * c[ci];
    }
  }
}

// Type-feedback warm-up at load (microseconds): run every branch once — edge tiles, zero
// padding, beta = 0 and beta ≠ 0 — more than the ~8 calls after which V8 allocates a function's
// feedback vector. Without it, the first big call could OSR-compile the k loop before any call
// had returned; that OSR code then deopted at the write-back ("insufficient type feedback") on
// every later call: measured 1.5 instead of 5 GFLOP/s.
(function warmUp(): void {
  const x = new Float32Array((MR + 1) * (NR + 1) * 2);
  for (let i = 0; i < x.length; i++) x[i] = (i % 7) - 3;
  const y = new Float32Array((MR + 1) * (NR + 1));
  for (let rep = 0; rep < 16; rep++) {
    for (const beta of [0, 0.5]) {
      gemm(MR + 1, NR + 1, 2, 1, x, 0, 2, 1, x, 0, NR + 1, 1, beta, y, 0, NR + 1, 1);
      gemm(MR, NR, 2, 1, x, 0, 2, 1, x, 0, NR, 1, beta, y, 0, NR, 1);
    }
  }
})();
