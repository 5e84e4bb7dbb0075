/**
 * The WebAssembly GEMM macro-kernels, emitted by TypeScript (no .wasm file). Two exported functions
 * with the same loops and register tile, differing in how they address A:
 *
 *   gemm_block     (a, aStride, aStep, b, bStride, bStep, c, ldc, kc, mPanels, nPanels, acc)
 *   gemm_block_rows(a, aStride, lda,   b, bStride, bStep, c, ldc, kc, mPanels, nPanels, acc)
 *
 *   for jp < nPanels:  for ip < mPanels:                                   (loops 2 and 1 of BLIS)
 *     C[MR×8] (=|+=) A_ip[MR×kc] · B_jp[kc×8]      f32x4 register tile: MR rows × two f32x4
 *
 * All arguments are i32; pointers, strides and steps are byte offsets into the one imported memory:
 *
 *   gemm_block:       A(ip·MR + i, p) at a + ip·aStride + p·aStep + 4i   (the MR values of one p adjacent:
 *                     packed panels, aStep = 4·MR; or a row-major matrix read transposed, aStep = 4·ld)
 *   gemm_block_rows:  A(ip·MR + i, p) at a + ip·aStride + i·lda + 4p     (row-major rows, aStride = MR·lda)
 *   both:             B(p, jp·8 + j)  at b + jp·bStride + p·bStep + 4j   (packed: bStep = 32; row-major: 4·ld)
 *                     C(ip·MR + i, jp·8 + j) at c + (ip·MR + i)·ldc + 4(jp·8 + j)
 *
 *     packed Ã panel (MR = 4)    B̃ panel (8 columns)        C tile
 *    ┌a00 a10 a20 a30┐ p=0      ┌b00 … b07┐ p=0      acc[i][0] = C(i, 0…3), acc[i][1] = C(i, 4…7)
 *    │a01 a11 a21 a31│ p=1      │b10 … b17│ p=1
 *    └ …  (kc rows)  ┘          └ …       ┘
 *
 * One k step: two v128.load of B, MR v128.load32_splat of A, 2·MR multiply-adds (f32x4.relaxed_madd
 * where relaxed SIMD validates, else f32x4.mul + f32x4.add). gemm_block_rows runs k in steps of 4
 * (immediate offsets 0, 4, 8, 12 on the MR row pointers), then single steps. No edge variants: rows
 * past the live M and columns past the live N are computed from whatever the memory holds there
 * (zero padding or a neighbour's data — never out of bounds, the driver keeps every read inside the
 * memory) into a padded C scratch, and the driver copies only the live part out. Each C element
 * depends only on its own row of A and column of B, so padding never leaks into live values.
 * kc ≥ 1, mPanels ≥ 1, nPanels ≥ 1. acc = 0 overwrites C, acc ≠ 0 adds to it. Sums are float32,
 * in order p = 0 … kc−1.
 */
import { Code, FunctionDef, I32, V128 } from './encoder';

/** Columns of the register tile (two f32x4). */
export const NR = 8;

export function gemmBlockFunction(mr: number, relaxed: boolean, rowsA = false): FunctionDef {
  const f = new Code([I32, I32, I32, I32, I32, I32, I32, I32, I32, I32, I32, I32]);
  const [a, aStride, aStep, b, bStride, bStep, c, ldc, kc, mPanels, nPanels, acc] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11];
  const jp = f.local(I32), ip = f.local(I32), pa = f.local(I32), pb = f.local(I32), pEnd = f.local(I32);
  const cp = f.local(I32), pEnd4 = f.local(I32);
  const rowPtr: number[] = [pa];
  if (rowsA) for (let i = 1; i < mr; i++) rowPtr.push(f.local(I32));
  const av = f.local(V128), b0 = f.local(V128), b1 = f.local(V128);
  const accs: [number, number][] = [];
  for (let i = 0; i < mr; i++) accs.push([f.local(V128), f.local(V128)]);

  const madd = (accL: number, bL: number): void => {
    if (relaxed) f.get(av).get(bL).get(accL).f32x4RelaxedMadd().set(accL);
    else f.get(accL).get(av).get(bL).f32x4Mul().f32x4Add().set(accL);
  };
  /** One k step: B row at pb (then pb += bStep); A(i, p) at pa + 4i (packed) or rowPtr[i] + off (rows). */
  const kStep = (off: number): void => {
    f.get(pb).v128Load(0).set(b0);
    f.get(pb).v128Load(16).set(b1);
    for (let i = 0; i < mr; i++) {
      if (rowsA) f.get(rowPtr[i]).v128Load32Splat(off);
      else f.get(pa).v128Load32Splat(4 * i);
      f.set(av);
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
      if (rowsA) {
        // row pointers pa + i·lda; pEnd = pa + 4·kc, pEnd4 = pa + 4·(kc rounded down to 4)
        for (let i = 1; i < mr; i++) f.get(rowPtr[i - 1]).get(aStep).i32Add().set(rowPtr[i]);
        f.get(pa).get(kc).i32(4).i32Mul().i32Add().set(pEnd);
        f.get(pa).get(kc).i32(-4).i32And().i32(4).i32Mul().i32Add().set(pEnd4);
        // four k steps per iteration
        f.block();
        f.get(pa).get(pEnd4).i32GeU().brIf(0);
        f.loop();
        for (let u = 0; u < 4; u++) kStep(4 * u);
        for (const r of rowPtr) f.get(r).i32(16).i32Add().set(r);
        f.get(pa).get(pEnd4).i32LtU().brIf(0);
        f.end();
        f.end();
        // the rest, one step at a time
        f.block();
        f.get(pa).get(pEnd).i32GeU().brIf(0);
        f.loop();
        kStep(0);
        for (const r of rowPtr) f.get(r).i32(4).i32Add().set(r);
        f.get(pa).get(pEnd).i32LtU().brIf(0);
        f.end();
        f.end();
      } else {
        f.get(pa).get(kc).get(aStep).i32Mul().i32Add().set(pEnd);
        f.loop(); // P: one k step (kc ≥ 1)
        kStep(0);
        f.get(pa).get(aStep).i32Add().tee(pa).get(pEnd).i32LtU().brIf(0);
        f.end();
      }
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
  return { name: rowsA ? 'gemm_block_rows' : 'gemm_block', code: f };
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
