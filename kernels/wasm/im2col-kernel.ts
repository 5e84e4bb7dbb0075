/**
 * im2col(x, dst, m0, rows, inD, inH, inW, inC, outD, outH, outW, kD, kH, kW,
 *        strideD, strideH, strideW, dilD, dilH, dilW, padFront, padTop, padLeft, pitch)
 *
 * Rows [m0, m0 + rows) of the patch matrix P of a convolution (kernels/conv.ts's header), written
 * row-major at dst, row r at dst + r·pitch (bytes; pitch ≥ 4·K, K = kD·kH·kW·inC); x [batch, inD, inH, inW, inC] at x. Both are
 * byte addresses in the one memory; every other argument is a count. Row r holds the K input
 * values output position m0 + r reads, in (kd, kh, kw, ci) order, zeros where it reads padding:
 *
 *   P row:  [ kd=0: [ kh=0: [ kw=0: ci 0…inC−1 | kw=1: … ] | kh=1 … ] | kd=1 … ]
 *
 * Per row, the valid tap range of each axis is computed first (as kernels/conv.ts does; divisions
 * only for rows at a border), a row with any padding is zeroed, and then each valid (kd, kh) copies
 * one contiguous run of x — all valid kw taps at once when dilW = 1 — with v128 loads and stores,
 * the last floats one at a time. A row without padding (dilW = 1) copies each run in whole v128
 * moves, the last one running up to 3 floats past the run: the caller keeps 16 bytes of slack
 * after the last row at dst and after the end of x's data (the next run or row overwrites the rest).
 */
import { Code, FunctionDef, I32, V128 } from './encoder';

/**
 * scatter = false: im2col as above.  scatter = true: col2im(x, p, …) with the same arguments adds
 * every entry of the patch rows at p back into the x position it was read from (padding entries
 * dropped):  x[the patch of m0 + r] += row r  — the input gradient's scatter.
 */
export function im2colFunction(scatter = false): FunctionDef {
  const f = new Code(new Array(24).fill(I32));
  const [x, dst, m0, rows, inD, inH, inW, inC, outD, outH, outW, kD, kH, kW,
    sD, sH, sW, dD, dH, dW, pF, pT, pL, pitch] = Array.from({ length: 24 }, (_, i) => i);
  const L = (): number => f.local(I32);
  const r = L(), ow = L(), oh = L(), od = L(), b = L(), t = L();
  const d0 = L(), h0 = L(), w0 = L(), kdLo = L(), kdHi = L(), khLo = L(), khHi = L(), kwLo = L(), kwHi = L();
  const kd = L(), kh = L(), kw = L(), xD = L(), xH = L(), pRow = L(), pD = L(), pH = L();
  const src = L(), dp = L(), end = L(), k4 = L(), rowD4 = L(), rowH4 = L(), inC4 = L(), interior = L();
  const zero = f.local(V128), mask = f.local(V128);

  /**
   * Copy (or, scattering, add) the n floats at src to dp (byte addresses): v128 while 4 remain, then
   * the last n mod 4 in one v128 under a lane mask (lanes past the run keep the values they had:
   * the destination is read and written back unchanged there, within the memory's slack).
   */
  const copy = (n: () => void): void => {
    f.get(src); n(); f.i32(4).i32Mul().i32Add().set(end);
    f.block(); f.loop();
    f.get(src).i32(16).i32Add().get(end).i32GtS().brIf(1);
    if (scatter) f.get(src).get(src).v128Load(0).get(dp).v128Load(0).f32x4Add().v128Store(0);
    else f.get(dp).get(src).v128Load(0).v128Store(0);
    f.get(src).i32(16).i32Add().set(src);
    f.get(dp).i32(16).i32Add().set(dp);
    f.br(0);
    f.end(); f.end();
    f.get(src).get(end).i32LtU().if_();
    {
      // mask = lane < (end − src)/4
      f.i32x4Const(0, 1, 2, 3).get(end).get(src).i32Sub().i32(2).i32ShrU().i32x4Splat().i32x4LtS().set(mask);
      if (scatter) f.get(src).get(src).v128Load(0).get(dp).v128Load(0).f32x4Add().get(src).v128Load(0).get(mask).v128Bitselect().v128Store(0);
      else f.get(dp).get(src).v128Load(0).get(dp).v128Load(0).get(mask).v128Bitselect().v128Store(0);
    }
    f.end();
  };
  const firstTap = (start: number, dil: number, out: number): void => emitFirstTap(f, start, dil, out);
  const endTap = (start: number, dil: number, size: number, kernel: number, out: number): void => emitEndTap(f, start, dil, size, kernel, out);

  f.v128Zero().set(zero);
  f.get(inC).i32(4).i32Mul().set(inC4);
  f.get(kW).get(inC4).i32Mul().set(rowH4);
  f.get(kH).get(rowH4).i32Mul().set(rowD4);
  f.get(kD).get(rowD4).i32Mul().set(k4);
  emitSplitPosition(f, m0, outW, outH, outD, ow, oh, od, b, t);
  f.i32(0).set(r);
  f.get(dst).set(pRow);
  f.block();
  f.get(rows).i32(0).i32LtS().get(rows).i32Eqz().i32Add().brIf(0); // rows ≤ 0: nothing
  f.loop(); // rows
  {
    f.get(od).get(sD).i32Mul().get(pF).i32Sub().set(d0);
    f.get(oh).get(sH).i32Mul().get(pT).i32Sub().set(h0);
    f.get(ow).get(sW).i32Mul().get(pL).i32Sub().set(w0);
    firstTap(d0, dD, kdLo); endTap(d0, dD, inD, kD, kdHi);
    firstTap(h0, dH, khLo); endTap(h0, dH, inH, kH, khHi);
    firstTap(w0, dW, kwLo); endTap(w0, dW, inW, kW, kwHi);
    // a row touching the padding is zeroed first (v128 stores, then single floats)
    // (col2im skips this: padding entries are simply not scattered)
    f.get(kdLo).get(khLo).i32Add().get(kwLo).i32Add()
      .get(kdHi).get(kD).i32Ne().i32Add().get(khHi).get(kH).i32Ne().i32Add().get(kwHi).get(kW).i32Ne().i32Add()
      .i32Eqz().set(interior);
    f.i32(scatter ? 0 : 1).get(interior).i32Eqz().i32Mul();
    f.if_();
    {
      f.get(pRow).set(dp);
      f.get(pRow).get(k4).i32Add().set(end);
      f.block(); f.loop();
      f.get(dp).i32(16).i32Add().get(end).i32GtS().brIf(1);
      f.get(dp).get(zero).v128Store(0);
      f.get(dp).i32(16).i32Add().set(dp);
      f.br(0);
      f.end(); f.end();
      f.block(); f.loop();
      f.get(dp).get(end).i32GeU().brIf(1);
      f.get(dp).get(zero).f32x4ExtractLane(0).f32Store(0);
      f.get(dp).i32(4).i32Add().set(dp);
      f.br(0);
      f.end(); f.end();
    }
    f.end();
    f.get(kdLo).set(kd);
    f.block(); f.loop(); // kd
    {
      f.get(kd).get(kdHi).i32GeS().brIf(1);
      // xD = (b·inD + d0 + kd·dilD)·inH,  pD = pRow + kd·rowD·4
      f.get(b).get(inD).i32Mul().get(d0).i32Add().get(kd).get(dD).i32Mul().i32Add().get(inH).i32Mul().set(xD);
      f.get(pRow).get(kd).get(rowD4).i32Mul().i32Add().set(pD);
      f.get(khLo).set(kh);
      f.block(); f.loop(); // kh
      {
        f.get(kh).get(khHi).i32GeS().brIf(1);
        f.get(xD).get(h0).i32Add().get(kh).get(dH).i32Mul().i32Add().get(inW).i32Mul().set(xH);
        f.get(pD).get(kh).get(rowH4).i32Mul().i32Add().set(pH);
        f.get(dW).i32(1).i32Eq();
        f.if_();
        {
          // one run: (kwHi − kwLo)·inC floats from x[(xH + w0 + kwLo)·inC] to pH + kwLo·inC·4
          f.get(x).get(xH).get(w0).i32Add().get(kwLo).i32Add().get(inC4).i32Mul().i32Add().set(src);
          f.get(pH).get(kwLo).get(inC4).i32Mul().i32Add().set(dp);
          if (scatter) {
            copy(() => f.get(kwHi).get(kwLo).i32Sub().get(inC).i32Mul());
          } else {
            f.get(interior).if_();
            {
              // a row without padding: whole v128 moves, the last one running up to 3 floats past
              // the run (into the next run or row, which is written after it, or into the slack the
              // driver keeps after the tile; the source past the run is inside the memory too)
              f.get(dp).get(kwHi).get(inC4).i32Mul().i32Add().set(end);
              f.loop();
              f.get(dp).get(src).v128Load(0).v128Store(0);
              f.get(src).i32(16).i32Add().set(src);
              f.get(dp).i32(16).i32Add().tee(dp).get(end).i32LtU().brIf(0);
              f.end();
            }
            f.else_();
            copy(() => f.get(kwHi).get(kwLo).i32Sub().get(inC).i32Mul());
            f.end();
          }
        }
        f.else_();
        {
          f.get(kwLo).set(kw);
          f.block(); f.loop(); // kw
          f.get(kw).get(kwHi).i32GeS().brIf(1);
          f.get(x).get(xH).get(w0).i32Add().get(kw).get(dW).i32Mul().i32Add().get(inC4).i32Mul().i32Add().set(src);
          f.get(pH).get(kw).get(inC4).i32Mul().i32Add().set(dp);
          copy(() => f.get(inC));
          f.get(kw).i32(1).i32Add().set(kw);
          f.br(0);
          f.end(); f.end();
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
    emitNextPosition(f, ow, oh, od, b, outW, outH, outD);
    f.get(pRow).get(pitch).i32Add().set(pRow);
    f.get(r).i32(1).i32Add().tee(r).get(rows).i32LtS().brIf(0);
  }
  f.end();
  f.end();
  return { name: scatter ? 'col2im' : 'im2col', code: f };
}

/** out = start ≥ 0 ? 0 : ceil(−start / dil): the first valid tap of a window (the division only on border rows). */
export function emitFirstTap(f: Code, start: number, dil: number, out: number): void {
  f.i32(0).set(out);
  f.get(start).i32(0).i32LtS().if_();
  f.i32(0).get(start).i32Sub().get(dil).i32Add().i32(1).i32Sub().get(dil).i32DivS().set(out);
  f.end();
}

/**
 * out = start + (kernel − 1)·dil < size ? kernel : (start ≥ size ? 0 : ceil((size − start) / dil)):
 * the end of a window's valid taps (then the ceil is < kernel; the division only on border rows).
 */
export function emitEndTap(f: Code, start: number, dil: number, size: number, kernel: number, out: number): void {
  f.get(kernel).set(out);
  f.get(start).get(kernel).i32(1).i32Sub().get(dil).i32Mul().i32Add().get(size).i32GeS().if_();
  f.i32(0);
  f.get(size).get(start).i32Sub().get(dil).i32Add().i32(1).i32Sub().get(dil).i32DivS();
  f.get(start).get(size).i32GeS().select().set(out);
  f.end();
}

/** (b, od, oh, w) ← the output position m (w counts positions, or quads, within a row of `width`); t is scratch. */
export function emitSplitPosition(f: Code, m: number, width: number, outH: number, outD: number, w: number, oh: number, od: number, b: number, t: number): void {
  f.get(m).get(width).i32RemU().set(w);
  f.get(m).get(width).i32DivU().set(t);
  f.get(t).get(outH).i32RemU().set(oh);
  f.get(t).get(outH).i32DivU().set(t);
  f.get(t).get(outD).i32RemU().set(od);
  f.get(t).get(outD).i32DivU().set(b);
}

/** The next output position: w, carrying into oh, od, then b. */
export function emitNextPosition(f: Code, w: number, oh: number, od: number, b: number, width: number, outH: number, outD: number): void {
  f.get(w).i32(1).i32Add().tee(w).get(width).i32Eq().if_();
  {
    f.i32(0).set(w);
    f.get(oh).i32(1).i32Add().tee(oh).get(outH).i32Eq().if_();
    {
      f.i32(0).set(oh);
      f.get(od).i32(1).i32Add().tee(od).get(outD).i32Eq().if_();
      f.i32(0).set(od);
      f.get(b).i32(1).i32Add().set(b);
      f.end();
    }
    f.end();
  }
  f.end();
}
