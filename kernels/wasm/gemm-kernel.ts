/**
 * The WebAssembly GEMM macro-kernel, emitted by TypeScript (no .wasm file): one exported function
 *
 *   gemm_block(a, aStride, b, bStride, c, ldc, kc, mPanels, nPanels, acc)
 *
 *   for jp < nPanels:  for ip < mPanels:                                   (loops 2 and 1 of BLIS)
 *     C[MR×8] (=|+=) Ã_ip[MR×kc] · B̃_jp[kc×8]     f32x4 register tile: MR rows × two f32x4
 *
 * All arguments are i32; pointers and strides are byte offsets into the one imported memory:
 *
 *   packed A panel ip at a + ip·aStride, p-major:   f32[p·MR + i] = A(ip·MR + i, p)
 *   packed B panel jp at b + jp·bStride, p-major:   f32[p·8 + j]  = B(p, jp·8 + j)
 *   C tile (ip, jp) at c + ip·MR·ldc + jp·32, row-major with row pitch ldc bytes (16-byte aligned)
 *
 *     Ã panel (MR = 4)         B̃ panel (NR = 8)              C tile
 *    ┌a00 a10 a20 a30┐ p=0    ┌b00 … b07┐ p=0      acc[i][0] = C(i, 0…3), acc[i][1] = C(i, 4…7)
 *    │a01 a11 a21 a31│ p=1    │b10 … b17│ p=1
 *    └ …  (kc rows)  ┘        └ …       ┘
 *
 * One k step: two v128.load of B̃, MR v128.load32_splat of Ã, 2·MR multiply-adds (f32x4.relaxed_madd
 * where it validates, else f32x4.mul + f32x4.add). The panels are zero-padded by the packer and the
 * C tile lives in a padded scratch block, so there are no edge variants: every tile is full, and
 * the driver copies only the live part out. kc ≥ 1, mPanels ≥ 1, nPanels ≥ 1 (the driver's contract).
 * acc = 0 overwrites C, acc ≠ 0 adds to it. Sums are float32, in order p = 0 … kc−1 per lane.
 */
import { Code, FunctionDef, I32, V128 } from './encoder';

/** Columns of the register tile (two f32x4). */
export const NR = 8;

export function gemmBlockFunction(mr: number, relaxed: boolean): FunctionDef {
  const f = new Code([I32, I32, I32, I32, I32, I32, I32, I32, I32, I32]);
  const [a, aStride, b, bStride, c, ldc, kc, mPanels, nPanels, acc] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];
  const jp = f.local(I32), ip = f.local(I32), pa = f.local(I32), pb = f.local(I32), pEnd = f.local(I32), cp = f.local(I32);
  const av = f.local(V128), b0 = f.local(V128), b1 = f.local(V128);
  const accs: [number, number][] = [];
  for (let i = 0; i < mr; i++) accs.push([f.local(V128), f.local(V128)]);

  const madd = (accL: number, bL: number): void => {
    if (relaxed) f.get(av).get(bL).get(accL).f32x4RelaxedMadd().set(accL);
    else f.get(accL).get(av).get(bL).f32x4Mul().f32x4Add().set(accL);
  };

  f.i32(0).set(jp);
  f.loop(); // J
  {
    f.i32(0).set(ip);
    f.loop(); // I
    {
      // pa = a + ip·aStride, pEnd = pa + kc·MR·4, pb = b + jp·bStride
      f.get(a).get(ip).get(aStride).i32Mul().i32Add().tee(pa)
        .get(kc).i32(mr * 4).i32Mul().i32Add().set(pEnd);
      f.get(b).get(jp).get(bStride).i32Mul().i32Add().set(pb);
      for (const [x, y] of accs) { f.v128Zero().set(x); f.v128Zero().set(y); }
      f.loop(); // P: one k step
      {
        f.get(pb).v128Load(0).set(b0);
        f.get(pb).v128Load(16).set(b1);
        for (let i = 0; i < mr; i++) {
          f.get(pa).v128Load32Splat(4 * i).set(av);
          madd(accs[i][0], b0);
          madd(accs[i][1], b1);
        }
        f.get(pb).i32(NR * 4).i32Add().set(pb);
        f.get(pa).i32(mr * 4).i32Add().tee(pa).get(pEnd).i32LtU().brIf(0);
      }
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
