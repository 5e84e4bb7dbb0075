/**
 * Winograd F(4,3) along the width axis on the wasm backend (the transforms of kernels/conv.ts's
 * convForwardWinogradW4, Lavin & Gray), for kW = 3, strideW = 1, dilW = 1 and channel counts that
 * are multiples of 4 (one f32x4 = four channels):
 *
 *   input  d0 … d5 = x at iw0 … iw0+5 (iw0 = 4·quad − padLeft; zero outside the input)
 *   v0 = 4d0 − 5d2 + d4         v1 = (d4 − 4d2) + (d3 − 4d1)     v2 = (d4 − 4d2) − (d3 − 4d1)
 *   v3 = (d4 − d2) + 2(d3 − d1)  v4 = (d4 − d2) − 2(d3 − d1)      v5 = 4d1 − 5d3 + d5
 *   m_t = V_t · U_t             six GEMMs of depth K' = kD·kH·inC (gemm_block), U_t from the driver
 *   y0 = m0 + (m1 + m2) + (m3 + m4)      y1 = (m1 − m2) + 2(m3 − m4)
 *   y2 = (m1 + m2) + 4(m3 + m4)          y3 = (m1 − m2) + 8(m3 − m4) + m5
 *
 * wino_gather(x, dst, q0, rows, inD, inH, inW, inC, outD, outH, quadsPerRow, kD, kH,
 *             strideD, strideH, dilD, dilH, padFront, padTop, padLeft, pitch, tStride)
 *   quads [q0, q0 + rows) (quad q = output row (b, od, oh), then wq < quadsPerRow) → V_t rows:
 *   V_t(r, kk) at dst + t·tStride + r·pitch + 4kk, kk = (kd·kH + kh)·inC + ci, zero for taps in
 *   the D/H padding. Interior quads load the six columns unconditionally; border quads test each.
 *
 * wino_output(m, tStride, ldm, y, q0, rows, outW, quadsPerRow, n, bias, hasBias)
 *   M_t(r, c) at m + t·tStride + r·ldm + 4c  →  the outputs of quads [q0, q0 + rows) written
 *   consecutively from y (n floats each; a row's last quad keeps only its outW − 4·wq live ones),
 *   plus bias[c] (at bias) when hasBias ≠ 0.
 *
 * Addresses and pitches are bytes in the one memory; every other argument is a count.
 */
import { Code, FunctionDef, I32, V128 } from './encoder';
import { emitEndTap, emitFirstTap, emitNextPosition, emitSplitPosition } from './im2col-kernel';

export function winoGatherFunction(): FunctionDef {
  const f = new Code(new Array(22).fill(I32));
  const [x, dst, q0, rows, inD, inH, inW, inC, outD, outH, qpr, kD, kH, sD, sH, dD, dH, pF, pT, pL, pitch, tStride] =
    Array.from({ length: 22 }, (_, i) => i);
  const L = (): number => f.local(I32);
  const r = L(), wq = L(), oh = L(), od = L(), b = L(), t = L();
  const d0 = L(), h0 = L(), iw0 = L(), kdLo = L(), kdHi = L(), khLo = L(), khHi = L(), kd = L(), kh = L();
  const row = L(), src = L(), dq = L(), ci = L(), inC4 = L(), kq4 = L(), p = L(), end = L(), inside = L();
  const ok = [L(), L(), L(), L(), L(), L()];
  const d = Array.from({ length: 6 }, () => f.local(V128));
  const v4 = f.local(V128), v5 = f.local(V128), v2 = f.local(V128), zero = f.local(V128);
  const tA = f.local(V128), tB = f.local(V128);

  f.f32Const(4).f32x4Splat().set(v4);
  f.f32Const(5).f32x4Splat().set(v5);
  f.f32Const(2).f32x4Splat().set(v2);
  f.v128Zero().set(zero);
  f.get(inC).i32(4).i32Mul().set(inC4);
  f.get(kD).get(kH).i32Mul().get(inC4).i32Mul().set(kq4);
  emitSplitPosition(f, q0, qpr, outH, outD, wq, oh, od, b, t);
  f.i32(0).set(r);
  f.get(dst).set(row);
  f.block();
  f.get(rows).i32(1).i32LtS().brIf(0);
  f.loop(); // quads
  {
    f.get(od).get(sD).i32Mul().get(pF).i32Sub().set(d0);
    f.get(oh).get(sH).i32Mul().get(pT).i32Sub().set(h0);
    f.get(wq).i32(4).i32Mul().get(pL).i32Sub().set(iw0);
    emitFirstTap(f, d0, dD, kdLo); emitEndTap(f, d0, dD, inD, kD, kdHi);
    emitFirstTap(f, h0, dH, khLo); emitEndTap(f, h0, dH, inH, kH, khHi);
    // a quad with D/H padding: zero its six V rows first
    f.get(kdLo).get(khLo).i32Add().get(kdHi).get(kD).i32Ne().i32Add().get(khHi).get(kH).i32Ne().i32Add().if_();
    for (let tt = 0; tt < 6; tt++) {
      f.get(row).get(tStride).i32(tt).i32Mul().i32Add().set(p);
      f.get(p).get(kq4).i32Add().set(end);
      f.loop();
      f.get(p).get(zero).v128Store(0);
      f.get(p).i32(16).i32Add().tee(p).get(end).i32LtU().brIf(0);
      f.end();
    }
    f.end();
    // which of the six columns are inside the input
    for (let j = 0; j < 6; j++) {
      f.get(iw0).i32(j).i32Add().i32(0).i32GeS().get(iw0).i32(j).i32Add().get(inW).i32LtS().i32And().set(ok[j]);
    }
    f.get(ok[0]).get(ok[5]).i32And().set(inside);
    f.get(kdLo).set(kd);
    f.block(); f.loop(); // kd
    {
      f.get(kd).get(kdHi).i32GeS().brIf(1);
      f.get(khLo).set(kh);
      f.block(); f.loop(); // kh
      {
        f.get(kh).get(khHi).i32GeS().brIf(1);
        // src = x + (((b·inD + d0 + kd·dD)·inH + h0 + kh·dH)·inW + iw0)·inC·4   (iw0 may be < 0: only valid columns are read)
        f.get(x)
          .get(b).get(inD).i32Mul().get(d0).i32Add().get(kd).get(dD).i32Mul().i32Add().get(inH).i32Mul()
          .get(h0).i32Add().get(kh).get(dH).i32Mul().i32Add().get(inW).i32Mul().get(iw0).i32Add()
          .get(inC4).i32Mul().i32Add().set(src);
        // dq = row + (kd·kH + kh)·inC·4
        f.get(row).get(kd).get(kH).i32Mul().get(kh).i32Add().get(inC4).i32Mul().i32Add().set(dq);
        f.i32(0).set(ci);
        f.loop(); // four channels at a time
        {
          f.get(inside).if_();
          for (let j = 0; j < 6; j++) f.get(src).get(inC4).i32(j).i32Mul().i32Add().v128Load(0).set(d[j]);
          f.else_();
          for (let j = 0; j < 6; j++) {
            f.v128Zero().set(d[j]);
            f.get(ok[j]).if_();
            f.get(src).get(inC4).i32(j).i32Mul().i32Add().v128Load(0).set(d[j]);
            f.end();
          }
          f.end();
          const st = (tt: number): void => { f.get(dq).get(tStride).i32(tt).i32Mul().i32Add(); };
          // v0 = 4d0 − 5d2 + d4
          st(0); f.get(d[0]).get(v4).f32x4Mul().get(d[2]).get(v5).f32x4Mul().f32x4Sub().get(d[4]).f32x4Add().v128Store(0);
          // v5 = 4d1 − 5d3 + d5
          st(5); f.get(d[1]).get(v4).f32x4Mul().get(d[3]).get(v5).f32x4Mul().f32x4Sub().get(d[5]).f32x4Add().v128Store(0);
          // tA = d4 − 4d2, tB = d3 − 4d1: v1 = tA + tB, v2 = tA − tB
          f.get(d[4]).get(d[2]).get(v4).f32x4Mul().f32x4Sub().set(tA);
          f.get(d[3]).get(d[1]).get(v4).f32x4Mul().f32x4Sub().set(tB);
          st(1); f.get(tA).get(tB).f32x4Add().v128Store(0);
          st(2); f.get(tA).get(tB).f32x4Sub().v128Store(0);
          // tA = d4 − d2, tB = 2(d3 − d1): v3 = tA + tB, v4 = tA − tB
          f.get(d[4]).get(d[2]).f32x4Sub().set(tA);
          f.get(d[3]).get(d[1]).f32x4Sub().get(v2).f32x4Mul().set(tB);
          st(3); f.get(tA).get(tB).f32x4Add().v128Store(0);
          st(4); f.get(tA).get(tB).f32x4Sub().v128Store(0);
          f.get(src).i32(16).i32Add().set(src);
          f.get(dq).i32(16).i32Add().set(dq);
          f.get(ci).i32(4).i32Add().tee(ci).get(inC).i32LtS().brIf(0);
        }
        f.end();
        f.get(kh).i32(1).i32Add().set(kh);
        f.br(0);
      }
      f.end(); f.end();
      f.get(kd).i32(1).i32Add().set(kd);
      f.br(0);
    }
    f.end(); f.end();
    emitNextPosition(f, wq, oh, od, b, qpr, outH, outD);
    f.get(row).get(pitch).i32Add().set(row);
    f.get(r).i32(1).i32Add().tee(r).get(rows).i32LtS().brIf(0);
  }
  f.end();
  f.end();
  return { name: 'wino_gather', code: f };
}

export function winoOutputFunction(): FunctionDef {
  const f = new Code(new Array(11).fill(I32));
  const [m, tStride, ldm, y, q0, rows, outW, qpr, n, bias, hasBias] = Array.from({ length: 11 }, (_, i) => i);
  const r = f.local(I32), wq = f.local(I32), live = f.local(I32), c = f.local(I32), mp = f.local(I32), yp = f.local(I32), n4 = f.local(I32);
  const mv = Array.from({ length: 6 }, () => f.local(V128));
  const a = f.local(V128), bb = f.local(V128), cc = f.local(V128), dd = f.local(V128), bv = f.local(V128);
  const s2 = f.local(V128), s4 = f.local(V128), s8 = f.local(V128);
  f.f32Const(2).f32x4Splat().set(s2);
  f.f32Const(4).f32x4Splat().set(s4);
  f.f32Const(8).f32x4Splat().set(s8);
  f.get(n).i32(4).i32Mul().set(n4);
  f.get(q0).get(qpr).i32RemU().set(wq);
  f.i32(0).set(r);
  f.block();
  f.get(rows).i32(1).i32LtS().brIf(0);
  f.loop(); // quads
  {
    // live = min(4, outW − 4·wq)
    f.i32(4).get(outW).get(wq).i32(4).i32Mul().i32Sub().tee(live).i32(4).get(live).i32LtS().select().set(live);
    f.i32(0).set(c);
    f.loop(); // four channels at a time
    {
      f.get(m).get(r).get(ldm).i32Mul().i32Add().get(c).i32(4).i32Mul().i32Add().set(mp);
      for (let t = 0; t < 6; t++) f.get(mp).get(tStride).i32(t).i32Mul().i32Add().v128Load(0).set(mv[t]);
      f.get(mv[1]).get(mv[2]).f32x4Add().set(a);
      f.get(mv[1]).get(mv[2]).f32x4Sub().set(bb);
      f.get(mv[3]).get(mv[4]).f32x4Add().set(cc);
      f.get(mv[3]).get(mv[4]).f32x4Sub().set(dd);
      f.v128Zero().set(bv);
      f.get(hasBias).if_();
      f.get(bias).get(c).i32(4).i32Mul().i32Add().v128Load(0).set(bv);
      f.end();
      f.get(y).get(c).i32(4).i32Mul().i32Add().set(yp);
      // y0 … y3, each stored only where live
      f.get(yp).get(mv[0]).get(a).f32x4Add().get(cc).f32x4Add().get(bv).f32x4Add().v128Store(0);
      const outs: (() => void)[] = [
        () => { f.get(bb).get(dd).get(s2).f32x4Mul().f32x4Add(); },
        () => { f.get(a).get(cc).get(s4).f32x4Mul().f32x4Add(); },
        () => { f.get(bb).get(dd).get(s8).f32x4Mul().f32x4Add().get(mv[5]).f32x4Add(); },
      ];
      outs.forEach((emit, i) => {
        f.get(live).i32(i + 1).i32GtS().if_();
        f.get(yp).get(n4).i32(i + 1).i32Mul().i32Add();
        emit();
        f.get(bv).f32x4Add().v128Store(0);
        f.end();
      });
      f.get(c).i32(4).i32Add().tee(c).get(n).i32LtS().brIf(0);
    }
    f.end();
    f.get(y).get(live).get(n4).i32Mul().i32Add().set(y);
    f.get(wq).i32(1).i32Add().tee(wq).get(qpr).i32Eq().if_();
    f.i32(0).set(wq);
    f.end();
    f.get(r).i32(1).i32Add().tee(r).get(rows).i32LtS().brIf(0);
  }
  f.end();
  f.end();
  return { name: 'wino_output', code: f };
}
