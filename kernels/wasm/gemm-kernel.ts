/**
 * The WebAssembly kernels, emitted by TypeScript (no .wasm file):
 *
 *   gemm_block(a, aStride, aStep, b, bStride, bStep, c, ldc, kc, mPanels, nPanels, acc)
 *
 *   for jp < nPanels:  for ip < mPanels:                                   (loops 2 and 1 of BLIS)
 *     C[MR×8] (=|+=) A_ip[MR×kc] · B_jp[kc×8]      f32x4 register tile: MR rows × two f32x4
 *
 * All arguments are i32; pointers, strides and steps are byte offsets into the one imported memory:
 *
 *   A(ip·MR + i, p)        at a + ip·aStride + p·aStep + 4i    (the MR values of one p adjacent:
 *                          packed panels, aStep = 4·MR; or a row-major matrix read transposed, aStep = 4·ld)
 *   B(p, jp·8 + j)         at b + jp·bStride + p·bStep + 4j    (packed: bStep = 32; row-major: 4·ld)
 *   C(ip·MR + i, jp·8 + j) at c + (ip·MR + i)·ldc + 4(jp·8 + j)
 *
 *     packed Ã panel (MR = 4)    B̃ panel (8 columns)        C tile
 *    ┌a00 a10 a20 a30┐ p=0      ┌b00 … b07┐ p=0      acc[i][0] = C(i, 0…3), acc[i][1] = C(i, 4…7)
 *    │a01 a11 a21 a31│ p=1      │b10 … b17│ p=1
 *    └ …  (kc rows)  ┘          └ …       ┘
 *
 * One k step: two v128.load of B, MR v128.load32_splat of A, 2·MR multiply-adds (f32x4.relaxed_madd
 * where relaxed SIMD validates, else f32x4.mul + f32x4.add). No edge variants: rows past the live M
 * and columns past the live N are computed from whatever the memory holds there (zero padding or
 * a neighbour's data — never out of bounds, the driver keeps every read inside the memory) into a
 * padded C scratch, and the driver copies only the live part out. Each C element depends only on
 * its own row of A and column of B, so padding never leaks into live values. kc ≥ 1, mPanels ≥ 1,
 * nPanels ≥ 1. acc = 0 overwrites C, acc ≠ 0 adds to it. Sums are float32, in order p = 0 … kc−1.
 *
 * Why packed A, not row-major A read in place: a variant reading MR row-major rows through MR
 * pointers (k unrolled by 4) ran at half the speed of the packed kernel in the same process
 * (96×256 · 256×256 blocks: 5.7–7.5 vs 12.6–12.7 GFLOP/s on a loaded machine, twice), so row-major
 * tiles are converted by pack_panels (below) instead — a SIMD 4×4 transpose, cheap next to the GEMM.
 * MR = 6 (12 accumulators) ran at 7.9–9.2 in the same runs: V8 spills.
 */
import { Code, FunctionDef, I32, V128 } from './encoder';

/** Columns of the register tile (two f32x4). */
export const NR = 8;

export function gemmBlockFunction(mr: number, relaxed: boolean): FunctionDef {
  const f = new Code([I32, I32, I32, I32, I32, I32, I32, I32, I32, I32, I32, I32]);
  const [a, aStride, aStep, b, bStride, bStep, c, ldc, kc, mPanels, nPanels, acc] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11];
  const jp = f.local(I32), ip = f.local(I32), pa = f.local(I32), pb = f.local(I32), pEnd = f.local(I32);
  const cp = f.local(I32);
  const av = f.local(V128), b0 = f.local(V128), b1 = f.local(V128);
  const accs: [number, number][] = [];
  for (let i = 0; i < mr; i++) accs.push([f.local(V128), f.local(V128)]);

  const madd = (accL: number, bL: number): void => {
    if (relaxed) f.get(av).get(bL).get(accL).f32x4RelaxedMadd().set(accL);
    else f.get(accL).get(av).get(bL).f32x4Mul().f32x4Add().set(accL);
  };
  /** One k step: B row at pb (then pb += bStep), A(i, p) at pa + 4i. */
  const kStep = (): void => {
    f.get(pb).v128Load(0).set(b0);
    f.get(pb).v128Load(16).set(b1);
    for (let i = 0; i < mr; i++) {
      f.get(pa).v128Load32Splat(4 * i).set(av);
      madd(accs[i][0], b0);
      madd(accs[i][1], b1);
    }
    f.get(pb).get(bStep).i32Add().set(pb);
  };

  f.i32(0).set(jp);
  f.loop(); // J
  {
    f.i32(0).set(ip);
    f.loop(); // I
    {
      // pa = a + ip·aStride, pb = b + jp·bStride
      f.get(a).get(ip).get(aStride).i32Mul().i32Add().set(pa);
      f.get(b).get(jp).get(bStride).i32Mul().i32Add().set(pb);
      for (const [x, y] of accs) { f.v128Zero().set(x); f.v128Zero().set(y); }
      f.get(pa).get(kc).get(aStep).i32Mul().i32Add().set(pEnd);
      f.loop(); // P: one k step (kc ≥ 1)
      kStep();
      f.get(pa).get(aStep).i32Add().tee(pa).get(pEnd).i32LtU().brIf(0);
      f.end();
      // cp = c + ip·MR·ldc + jp·32
      f.get(c).get(ip).i32(mr).i32Mul().get(ldc).i32Mul().i32Add()
        .get(jp).i32(NR * 4).i32Mul().i32Add().set(cp);
      const store = (add: boolean): void => {
        for (let i = 0; i < mr; i++) {
          for (let h = 0; h < 2; h++) {
            f.get(cp);
            if (add) f.get(cp).v128Load(16 * h).get(accs[i][h]).f32x4Add();
            else f.get(accs[i][h]);
            f.v128Store(16 * h);
          }
          if (i < mr - 1) f.get(cp).get(ldc).i32Add().set(cp);
        }
      };
      f.get(acc).if_();
      store(true);
      f.else_();
      store(false);
      f.end();
      f.get(ip).i32(1).i32Add().tee(ip).get(mPanels).i32LtS().brIf(0);
    }
    f.end();
    f.get(jp).i32(1).i32Add().tee(jp).get(nPanels).i32LtS().brIf(0);
  }
  f.end();
  return { name: 'gemm_block', code: f };
}

/** A function using only fixed-width SIMD (loads, splat, mul, add, store): validates where SIMD does. */
export function simdProbeFunction(): FunctionDef {
  const f = new Code([I32]);
  f.get(0).get(0).v128Load(0).get(0).v128Load32Splat(16).f32x4Mul().get(0).v128Load(32).f32x4Add().v128Store(0);
  return { name: 'probe', code: f };
}

/** The same with f32x4.relaxed_madd: validates only where relaxed SIMD is on. */
export function relaxedProbeFunction(): FunctionDef {
  const f = new Code([I32]);
  f.get(0).get(0).v128Load(0).get(0).v128Load32Splat(16).get(0).v128Load(32).f32x4RelaxedMadd().v128Store(0);
  return { name: 'probe', code: f };
}

/**
 * pack_panels(src, lda, dst, panels, kc):  row-major rows → packed MR-row panels (MR = 4)
 *
 *   dst + ip·kc·16 + p·16 + 4i  ←  src + (ip·4 + i)·lda + 4p        ip < panels, p < kc, i < 4
 *
 * Four k at a time: one v128.load per row, a 4×4 transpose in eight shuffles, four v128.store;
 * the last kc mod 4 columns one float at a time. lda is in bytes; the rows need no alignment.
 */
export function packPanelsFunction(): FunctionDef {
  const f = new Code([I32, I32, I32, I32, I32]);
  const [src, lda, dst, panels, kc] = [0, 1, 2, 3, 4];
  const ip = f.local(I32), r0 = f.local(I32), d = f.local(I32), end4 = f.local(I32), end = f.local(I32);
  const rv = [f.local(V128), f.local(V128), f.local(V128), f.local(V128)];
  const t = [f.local(V128), f.local(V128), f.local(V128), f.local(V128)];
  f.i32(0).set(ip);
  f.get(dst).set(d);
  f.block();
  f.get(panels).i32Eqz().brIf(0);
  f.loop(); // panels
  {
    // r0 = src + ip·4·lda (row 0 of the panel); rows i at r0 + i·lda
    f.get(src).get(ip).i32(4).i32Mul().get(lda).i32Mul().i32Add().set(r0);
    f.get(r0).get(kc).i32(-4).i32And().i32(4).i32Mul().i32Add().set(end4);
    f.get(r0).get(kc).i32(4).i32Mul().i32Add().set(end);
    f.block();
    f.get(r0).get(end4).i32GeU().brIf(0);
    f.loop(); // four columns
    for (let i = 0; i < 4; i++) {
      f.get(r0);
      if (i > 0) f.get(lda).i32(i).i32Mul().i32Add();
      f.v128Load(0).set(rv[i]);
    }
    f.get(rv[0]).get(rv[1]).f32x4Shuffle(0, 4, 1, 5).set(t[0]); // a0 b0 a1 b1
    f.get(rv[0]).get(rv[1]).f32x4Shuffle(2, 6, 3, 7).set(t[1]); // a2 b2 a3 b3
    f.get(rv[2]).get(rv[3]).f32x4Shuffle(0, 4, 1, 5).set(t[2]); // c0 d0 c1 d1
    f.get(rv[2]).get(rv[3]).f32x4Shuffle(2, 6, 3, 7).set(t[3]); // c2 d2 c3 d3
    f.get(d).get(t[0]).get(t[2]).f32x4Shuffle(0, 1, 4, 5).v128Store(0);
    f.get(d).get(t[0]).get(t[2]).f32x4Shuffle(2, 3, 6, 7).v128Store(16);
    f.get(d).get(t[1]).get(t[3]).f32x4Shuffle(0, 1, 4, 5).v128Store(32);
    f.get(d).get(t[1]).get(t[3]).f32x4Shuffle(2, 3, 6, 7).v128Store(48);
    f.get(d).i32(64).i32Add().set(d);
    f.get(r0).i32(16).i32Add().tee(r0).get(end4).i32LtU().brIf(0);
    f.end();
    f.end();
    f.block();
    f.get(r0).get(end).i32GeU().brIf(0);
    f.loop(); // the last kc mod 4 columns
    for (let i = 0; i < 4; i++) {
      f.get(d);
      f.get(r0);
      if (i > 0) f.get(lda).i32(i).i32Mul().i32Add();
      f.f32Load(0).f32Store(4 * i);
    }
    f.get(d).i32(16).i32Add().set(d);
    f.get(r0).i32(4).i32Add().tee(r0).get(end).i32LtU().brIf(0);
    f.end();
    f.end();
    f.get(ip).i32(1).i32Add().tee(ip).get(panels).i32LtU().brIf(0);
  }
  f.end();
  f.end();
  return { name: 'pack_panels', code: f };
}
