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
 * BLIS layout: five loops around one 2×3 microkernel (3×4 when k < K_SMALL = 32).
 *
 *   jc: C and B in column blocks of NC        pack B[kc×nc] → ws[0 …)          (L3)
 *    pc: k in blocks of KC                     (beta on the first block, then C += …)
 *     ic: C and A in row blocks of MC          pack A[mc×kc] → ws[A_BASE …)     (L2)
 *      jr: NR-wide B panel                                                       (L1)
 *       ir: MR-tall A panel → gemmMicro2x3:  C[2×3] = alpha · Ã[2×kc] · B̃[kc×3] + beta · C
 *
 *   packed B block (NR = 3 columns per panel,     packed A block (MR = 2 rows per panel,
 *   p-major inside a panel):                      p-major inside a panel):
 *     panel 0        panel 1                        panel 0     panel 1
 *    ┌───────────┬───────────┬──                  ┌────────┬────────┬──
 *    │b00 b01 b02│b03 b04 b05│ …                  │a00 a10 │a20 a30 │ …
 *    │b10 b11 b12│b13 b14 b15│                    │a01 a11 │a21 a31 │
 *    │ (kc rows) │           │                    │(kc rows│        │
 *    └───────────┴───────────┴──                  └────────┴────────┴──
 *   Edges: a last panel narrower than NR (or MR) is zero-padded, so the microkernel never
 *   branches inside its k loop; only the write-back checks mr < MR or nr < NR and then writes
 *   just the live part of the tile.  For k < K_SMALL the same loops run with a 3×4 tile
 *   (gemmMicro3x4, panels of 3 rows / 4 columns laid out the same way).
 *
 * Why these numbers (Node 20 / V8 11.3, AMD EPYC Zen 5, 2 cores shared with other busy
 * processes, so only comparisons inside one run count; medians of interleaved samples):
 * - Profile of 512³ and 1024³: the microkernel is 93 % of the time, packing 5 %. So the
 *   microkernel decides the speed, and the blocking only has to keep its panels in cache.
 * - The workspace is ONE module-level `const` Float64Array. TurboFan specializes a function for
 *   its context when the closure was created once (not in OSR code), so `ws`'s base and length
 *   become constants in the microkernel: no map check, no base/length reload per load (the OSR
 *   code, which --print-opt-code shows as a second compile, reloads and map-checks `ws` in every
 *   iteration; it only serves the activation that triggered it). It is sized for the largest
 *   blocks (≈ 0.94 MiB), so it never grows, and it is never detached.
 * - What limits the k loop (read in --print-opt-code output): V8 emits no FMA, does not vectorize
 *   or unroll, and its scheduler places every multiply of an iteration before the adds (the loads
 *   are pinned in program order on the effect chain, the arithmetic floats to the end of the
 *   body; writing the source interleaved changes nothing). So MR·NR products and MR·NR
 *   accumulators are live at once in the 15 allocatable xmm registers: 2·MR·NR ≤ 15 holds only for
 *   MR·NR ≤ 7. Beyond that the allocator spills accumulators, and a spilled accumulator is a
 *   loop-carried chain through memory (store at the loop head, add from memory at the end):
 *   3×4 spills 8 of 12, 2×4, 4×2 and 2×4 written column-major each spill 2, 2×3 spills none.
 *   Microkernel alone (panels in L1; ns per k step): run 1 (probe 11.5 GFLOP/s) 3×4 3.8 ns
 *   (6.2 GFLOP/s), 2×4 3.3, 4×2 3.3, 2×4 column-major 3.3, 2×3 1.9 (6.4), 3×2 1.9; run 2 (probe
 *   9.1, loaded) 3×3 4.1, 2×2 1.9, 1×4 2.0, 1×6 2.7 — spill-free tiles all run near ~1.9 ns
 *   per step, so the largest spill-free tile (2×3) wins.
 * - Indexing: every typed-array read costs a bounds check that V8 keeps even when the typer
 *   proves it redundant (typer hardening), plus an int32 overflow check on `i + r` and the loop
 *   counter unless the typer can bound them. The k loop therefore has no counter (it runs the A
 *   index to its end) and masks both indices with IDX_MASK (an identity here): 2×3 microkernel
 *   alone 6.4 → 6.9 GFLOP/s (1.87 → 1.73 ns/step, 62 % of the probe); 3×4 gained only 1–2 %
 *   in whole GEMMs. Unrolling k (×2, ×4, or pairwise partial sums acc += a·b + a'·b') loads more
 *   operands before the first multiply and spills more: 6–33 % slower for every tile tried;
 *   moving the ir loop into the kernel (fewer calls) 17 % slower (more live values).
 * - Whole GEMM, 2×3 vs the former 3×4 kernel (same process, 15 interleaved rounds, twice, load
 *   ≈ 1): 512³ 6.62 vs 5.94 and 6.64 vs 5.93 GFLOP/s (+11 %, +12 %); 1024³ 6.67 vs 5.99 and
 *   6.64 vs 5.95 (+11 %, +12 %); 59 % of the probe (11.2) instead of 53 %.
 * - Where `ws`'s memory lands matters: if its backing store sits below 2 GiB (glibc serves it
 *   from the brk heap once its mmap threshold has grown — as in a ts-node/jest process, or after
 *   big buffers were freed), TurboFan folds the address into each load as [i·8 + disp32] instead
 *   of [base + i·8], and the 2×3 loop slows from 1.74 to 2.0 ns/step (reproduced in plain node by
 *   freeing 32 MiB of ArrayBuffers first; 3×4 is hardly affected). Under ts-node the same A/B
 *   gave 512³ 5.77 vs 5.41, 5.71 vs 5.48; 1024³ 5.83 vs 5.43, 5.77 vs 5.46 (+4…7 %). Not fixed:
 *   JS cannot choose where the engine allocates a buffer.
 * - K_SMALL: a 2×3 call does half the work of a 3×4 call, so for short k the call and write-back
 *   overhead dominates: at k ≤ 16 2×3 lost 12–21 % (m=64 n=4 k=16, 256×16×9, 784×32×9, 4×4×4).
 *   256×256×k crossover measured at k ≈ 32 (2×3 vs 3×4: k=16 0.95×, 32 0.97–1.03×, 48 1.07–1.10×,
 *   96 1.10×); with the switch, those small-k shapes run as before (0.97–1.16× in one run).
 * - KC = 256, MC = 96, NC = 384: B panel KC·NR·8 B = 6 KiB (L1), A block MC·KC·8 B = 192 KiB
 *   (L2 = 1 MiB per core), B block 768 KiB. With 2×3: KC = 128 −3 %, KC = 512 +2 %, MC = 48 or
 *   192 and NC = 192 or 768 within ±3 % of these (one run, noise ≈ 3 %), so the sizes stay the
 *   cache-fit choice; KC = 256 also keeps most convolution lowerings (k ≤ 256) in one block, so
 *   C is rounded to float32 once.
 * - No direct loop for tiny problems: packing won at every size tried, 4×4×4 included (0.77 vs
 *   0.61 GFLOP/s for a direct dot-product loop), and on skinny shapes (m=64 n=4 k=16: 1.0–1.2
 *   vs 0.54; m=256 n=16 k=9: 1.3–1.7 vs 0.43) — measured with the 3×4 kernel, which still
 *   serves those k < 32 shapes.
 * - The ceiling: the register-only multiply-add probe (12 chains s = s·x + y, no loads) runs at
 *   ≈ 11.2 GFLOP/s here; the 2×3 loop body is ~45 instructions for 12 FLOPs (5 loads × lea +
 *   cmp + jcc + load, 2 masks, 2 index adds, loop compare, stack check).
 *   70 % of the probe (7.8) would need a spill-free tile bigger than V8's register allocation
 *   allows or fewer instructions per load than V8 emits for a typed-array read: not reached.
 */

/** Microkernel rows (packed A panel height). */
export const MR = 2;
/** Microkernel columns (packed B panel width). */
export const NR = 3;
/** The tile used instead when k < K_SMALL (fewer, fatter calls win when each call is short). */
const MR_SMALL = 3, NR_SMALL = 4, K_SMALL = 32;
/** Depth of one packed block (the pc loop step). */
export const KC = 256;
/** Rows of A packed at once (the ic loop step). */
export const MC = 96;
/** Columns of B packed at once (the jc loop step). */
export const NC = 384;

// The workspace: B block at [0, B_SIZE), A block at [A_BASE, A_BASE + A_SIZE), edge tile at TILE.
const B_SIZE = KC * Math.max(Math.ceil(NC / NR) * NR, Math.ceil(NC / NR_SMALL) * NR_SMALL);
const A_BASE = B_SIZE + 40;          // +40 doubles (320 B): A and B streams start in different 4 KiB sets
const A_SIZE = Math.max(Math.ceil(MC / MR) * MR, Math.ceil(MC / MR_SMALL) * MR_SMALL) * KC;
const TILE = A_BASE + A_SIZE + 8;
const ws = new Float64Array(TILE + MR_SMALL * NR_SMALL);
// 2^17 − 1 ≥ every workspace index, so `x & IDX_MASK` is the identity on them (see gemmMicro2x3).
const IDX_MASK = 0x1ffff;
if (ws.length - 1 > IDX_MASK) throw new Error('gemm: the workspace outgrew IDX_MASK; widen the mask');

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
  // The tile: 2×3, or 3×4 for a short k (one choice per call, so every block packs alike).
  const small = k < K_SMALL;
  const tm = small ? MR_SMALL : MR, tn = small ? NR_SMALL : NR;
  // Loop 5 (jc): columns of C and B in blocks of NC.
  for (let jc = 0; jc < n; jc += NC) {
    const nc = n - jc < NC ? n - jc : NC;
    // Loop 4 (pc): the shared dimension in blocks of KC; the first block applies beta, later
    // blocks add to C.
    for (let pc = 0; pc < k; pc += KC) {
      const kc = k - pc < KC ? k - pc : KC;
      const betaBlock = pc === 0 ? beta : 1;
      packB(kc, nc, b, bOff + pc * bRs + jc * bCs, bRs, bCs, tn);
      // Loop 3 (ic): rows of C and A in blocks of MC.
      for (let ic = 0; ic < m; ic += MC) {
        const mc = m - ic < MC ? m - ic : MC;
        packA(mc, kc, a, aOff + ic * aRs + pc * aCs, aRs, aCs, tm);
        // Loop 2 (jr): NR-wide panels of the packed B block (one stays in L1 for loop 1).
        for (let jr = 0; jr < nc; jr += tn) {
          const nr = nc - jr < tn ? nc - jr : tn;
          const cCol = cOff + (jc + jr) * cCs;
          // Loop 1 (ir): MR-tall panels of the packed A block.
          if (small) {
            for (let ir = 0; ir < mc; ir += MR_SMALL) {
              const mr = mc - ir < MR_SMALL ? mc - ir : MR_SMALL;
              gemmMicro3x4(kc, A_BASE + ir * kc, jr * kc, alpha, betaBlock,
                c, cCol + (ic + ir) * cRs, cRs, cCs, mr, nr);
            }
          } else {
            for (let ir = 0; ir < mc; ir += MR) {
              const mr = mc - ir < MR ? mc - ir : MR;
              gemmMicro2x3(kc, A_BASE + ir * kc, jr * kc, alpha, betaBlock,
                c, cCol + (ic + ir) * cRs, cRs, cCs, mr, nr);
            }
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
function packA(mc: number, kc: number, a: Float32Array, aStart: number, aRs: number, aCs: number, tm: number): void {
  let panel = A_BASE;
  for (let ir = 0; ir < mc; ir += tm) {
    const mr = mc - ir < tm ? mc - ir : tm;
    for (let r = 0; r < tm; r++) {
      let d = panel + r;
      if (r < mr) {
        let s = aStart + (ir + r) * aRs;
        for (let p = 0; p < kc; p++) { ws[d] = a[s]; d += tm; s += aCs; }
      } else {
        for (let p = 0; p < kc; p++) { ws[d] = 0; d += tm; }
      }
    }
    panel += tm * kc;
  }
}

/**
 * packB: B block [kc×nc] (from bStart) → ws[0 …] as NR-column panels, p-major inside a panel
 * (the NR values of one row p are adjacent); columns past nc are zero.
 */
function packB(kc: number, nc: number, b: Float32Array, bStart: number, bRs: number, bCs: number, tn: number): void {
  let panel = 0;
  for (let jr = 0; jr < nc; jr += tn) {
    const nr = nc - jr < tn ? nc - jr : tn;
    for (let j = 0; j < tn; j++) {
      let d = panel + j;
      if (j < nr) {
        let s = bStart + (jr + j) * bCs;
        for (let p = 0; p < kc; p++) { ws[d] = b[s]; d += tn; s += bRs; }
      } else {
        for (let p = 0; p < kc; p++) { ws[d] = 0; d += tn; }
      }
    }
    panel += tn * kc;
  }
}

/**
 * gemmMicro2x3:  C[2×3] = alpha · Ã[2×kc] · B̃[kc×3] + beta · C[2×3]
 * Ã at ws[aI …] (2 per p), B̃ at ws[bI …] (3 per p); six accumulators in locals. Only the
 * top-left mr×nr of the tile is written (edge tiles go through ws[TILE …]).
 *
 * The k loop has no counter of its own: it runs the A index i up to its end, and both indices
 * are masked with IDX_MASK (an identity on every workspace index), so TurboFan types them as
 * small non-negative integers and drops the int32 overflow check on every `i + r` (see header).
 */
function gemmMicro2x3(
  kc: number, aI: number, bI: number, alpha: number, beta: number,
  c: Float32Array, cI: number, cRs: number, cCs: number, mr: number, nr: number,
): void {
  let acc00 = 0, acc01 = 0, acc02 = 0;
  let acc10 = 0, acc11 = 0, acc12 = 0;
  let i = aI & IDX_MASK, j = bI & IDX_MASK;
  const end = i + kc * 2;
  while (i < end) {
    const a0 = ws[i], a1 = ws[i + 1];
    const b0 = ws[j], b1 = ws[j + 1], b2 = ws[j + 2];
    acc00 += a0 * b0; acc01 += a0 * b1; acc02 += a0 * b2;
    acc10 += a1 * b0; acc11 += a1 * b1; acc12 += a1 * b2;
    i = (i + 2) & IDX_MASK;
    j = (j + 3) & IDX_MASK;
  }
  if (mr === 2 && nr === 3) {
    const c0 = cI, c1 = cI + cRs;
    const j1 = cCs, j2 = 2 * cCs;
    if (beta === 0) {
      c[c0] = alpha * acc00; c[c0 + j1] = alpha * acc01; c[c0 + j2] = alpha * acc02;
      c[c1] = alpha * acc10; c[c1 + j1] = alpha * acc11; c[c1 + j2] = alpha * acc12;
    } else {
      c[c0] = alpha * acc00 + beta * c[c0]; c[c0 + j1] = alpha * acc01 + beta * c[c0 + j1];
      c[c0 + j2] = alpha * acc02 + beta * c[c0 + j2];
      c[c1] = alpha * acc10 + beta * c[c1]; c[c1 + j1] = alpha * acc11 + beta * c[c1 + j1];
      c[c1 + j2] = alpha * acc12 + beta * c[c1 + j2];
    }
    return;
  }
  ws[TILE] = acc00; ws[TILE + 1] = acc01; ws[TILE + 2] = acc02;
  ws[TILE + 3] = acc10; ws[TILE + 4] = acc11; ws[TILE + 5] = acc12;
  for (let r = 0; r < mr; r++) {
    for (let q = 0; q < nr; q++) {
      const ci = cI + r * cRs + q * cCs;
      const v = ws[TILE + r * 3 + q];
      c[ci] = beta === 0 ? alpha * v : alpha * v + beta * c[ci];
    }
  }
}

/**
 * gemmMicro3x4:  C[3×4] = alpha · Ã[3×kc] · B̃[kc×4] + beta · C[3×4] — the small-k tile (k < K_SMALL)
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
      const v = ws[TILE + r * 4 + j];
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
  const x = new Float32Array((MR_SMALL + 1) * K_SMALL * 2);
  for (let i = 0; i < x.length; i++) x[i] = (i % 7) - 3;
  const y = new Float32Array((MR_SMALL + 1) * (NR_SMALL + 1));
  for (let rep = 0; rep < 16; rep++) {
    for (const beta of [0, 0.5]) {
      for (const [tm, tn, k] of [[MR, NR, K_SMALL], [MR_SMALL, NR_SMALL, 2]]) {
        gemm(tm + 1, tn + 1, k, 1, x, 0, k, 1, x, 0, tn + 1, 1, beta, y, 0, tn + 1, 1);
        gemm(tm, tn, k, 1, x, 0, k, 1, x, 0, tn, 1, beta, y, 0, tn, 1);
      }
    }
  }
})();
