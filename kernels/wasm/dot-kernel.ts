/**
 * dot_rows(x, xRow, w, taps, tapOff, runV, pix, y, yRow, rows, outW)
 *
 * A convolution with ONE output channel over an input that is already zero-padded (so every window
 * lies inside it), stride 1 along w, written as dot products — the input gradient of a layer with
 * one input channel (a grayscale first layer) is such a convolution of dY with the flipped kernel:
 *
 *   y[r, q] = Σ_t Σ_j  x[r·xRow + tapOff[t] + q·pix + 4j] · w[t·runV·16 + 4j]     (bytes; j < 4·runV floats)
 *
 *   r < rows (output rows), q < outW (output positions in a row, one float each, row pitch yRow),
 *   t < taps (the kd, kh kernel rows: tapOff is an i32 table of their byte offsets in x), and per
 *   tap row one contiguous run of runV v128 (the kW taps × the channels padded to a multiple of 4:
 *   the kw and channel axes of a window are adjacent in channels-last data). pix = bytes per input
 *   position (4 · padded channels).
 *
 *          x row r + tapOff[t]:  |q=0: kw0 c0…c3 kw1 …|q=1 …|        w tap row t: |kw0 c0…c3 kw1 …|
 *   four positions q…q+3 at once: one w load, four x loads (pix apart), four f32x4 multiply-adds
 *   into acc0…acc3; then the four accumulators are reduced across lanes by a 4×4 transpose-add and
 *   stored as one v128: y[r, q…q+3].
 *
 * Edges: a row's last group computes up to 3 positions past outW (reading input past the row, and
 * storing past it into the next row, which is written after it, or into the slack the driver keeps
 * after y and x). All addresses are bytes in the one memory; rows ≥ 1, outW ≥ 1, taps ≥ 1, runV ≥ 1.
 * Sums are float32: per lane in j order, then the four lanes.
 */
import { Code, FunctionDef, I32, V128 } from './encoder';

export function dotRowsFunction(): FunctionDef {
  const f = new Code(new Array(11).fill(I32));
  const [x, xRow, w, taps, tapOff, runV, pix, y, yRow, rows, outW] = Array.from({ length: 11 }, (_, i) => i);
  const r = f.local(I32), q = f.local(I32), t = f.local(I32), j = f.local(I32);
  const xr = f.local(I32), yr = f.local(I32), xq = f.local(I32);
  const p0 = f.local(I32), p1 = f.local(I32), p2 = f.local(I32), p3 = f.local(I32), wp = f.local(I32), yq = f.local(I32);
  const acc = [f.local(V128), f.local(V128), f.local(V128), f.local(V128)];
  const wv = f.local(V128), u0 = f.local(V128), u1 = f.local(V128);

  f.i32(0).set(r);
  f.loop(); // rows
  {
    f.get(x).get(r).get(xRow).i32Mul().i32Add().set(xr);
    f.get(y).get(r).get(yRow).i32Mul().i32Add().set(yr);
    f.i32(0).set(q);
    f.loop(); // groups of four positions
    {
      // xq = xr + q·pix
      f.get(xr).get(q).get(pix).i32Mul().i32Add().set(xq);
      for (const a of acc) f.v128Zero().set(a);
      f.i32(0).set(t);
      f.get(w).set(wp);
      f.loop(); // tap rows
      {
        f.get(xq).get(tapOff).get(t).i32(4).i32Mul().i32Add().i32Load(0).i32Add().set(p0);
        f.get(p0).get(pix).i32Add().set(p1);
        f.get(p1).get(pix).i32Add().set(p2);
        f.get(p2).get(pix).i32Add().set(p3);
        f.i32(0).set(j);
        f.loop(); // the run of one tap row
        {
          f.get(wp).v128Load(0).set(wv);
          [p0, p1, p2, p3].forEach((p, i) => {
            f.get(acc[i]).get(p).v128Load(0).get(wv).f32x4Mul().f32x4Add().set(acc[i]);
            f.get(p).i32(16).i32Add().set(p);
          });
          f.get(wp).i32(16).i32Add().set(wp);
          f.get(j).i32(1).i32Add().tee(j).get(runV).i32LtS().brIf(0);
        }
        f.end();
        f.get(t).i32(1).i32Add().tee(t).get(taps).i32LtS().brIf(0);
      }
      f.end();
      // lane sums: u0 = [a0+a2, b0+b2, a1+a3, b1+b3], u1 the same for c, d; then [Σa, Σb, Σc, Σd]
      f.get(acc[0]).get(acc[1]).f32x4Shuffle(0, 4, 1, 5).get(acc[0]).get(acc[1]).f32x4Shuffle(2, 6, 3, 7).f32x4Add().set(u0);
      f.get(acc[2]).get(acc[3]).f32x4Shuffle(0, 4, 1, 5).get(acc[2]).get(acc[3]).f32x4Shuffle(2, 6, 3, 7).f32x4Add().set(u1);
      f.get(yr).get(q).i32(4).i32Mul().i32Add().set(yq);
      f.get(yq)
        .get(u0).get(u1).f32x4Shuffle(0, 1, 4, 5)
        .get(u0).get(u1).f32x4Shuffle(2, 3, 6, 7)
        .f32x4Add().v128Store(0);
      f.get(q).i32(4).i32Add().tee(q).get(outW).i32LtS().brIf(0);
    }
    f.end();
    f.get(r).i32(1).i32Add().tee(r).get(rows).i32LtS().brIf(0);
  }
  f.end();
  return { name: 'dot_rows', code: f };
}
