/**
 * Max and average pooling forward and backward, and column sums (the bias gradient), as
 * WebAssembly SIMD code. The JS drivers are kernels/wasm/pool.ts; the pooling semantics are
 * kernels/pool.ts's, bit for bit.
 *
 *   max_pool_forward(x, y, items, xItem, C, rowH, rowD, tD, tH, tW, tEnd, win)
 *     y[b, od, oh, ow, c] = x at the FIRST maximum of the window in row-major order (kd, kh, kw);
 *                           a NaN in the window wins (the first NaN, payload kept)
 *   max_pool_backward(x, dy, dx, items, xItem, C, rowH, rowD, tD, tH, tW, tEnd, win)
 *     dx[that first maximum] += dy[b, od, oh, ow, c], in output order (dx zeroed by the caller)
 *   avg_pool_forward(x, y, …the same 10 arguments…)
 *     y = f32((Σ_j f64(x[win[j]])) / n), n = the window's positions inside the input
 *   avg_pool_backward(dx, dy, …the same 10…)     (dx in the x slot, zeroed by the caller)
 *     share = f64(dy) / n;  dx[win[j]] = f32(f64(dx[win[j]]) + share) for every j, in output order
 *   column_sums(dy, rows, C, block, out)
 *     out[p, c] = Σ dy[r, c] over the rows r of block p (rows p·block … min(rows, (p+1)·block) − 1)
 *
 * Every argument is an i32: addresses and sizes in BYTES (xItem = one batch item of x, rowH = one
 * input row, inW·C·4, rowD = one input plane, inH·inW·C·4), counts as counts. x and y / dy hold
 * `items` whole batch items, channels-last; dx is x's shape.
 *
 * Windows come from three per-axis tables written by the driver, one (offset, count) pair of i32 per
 * output index along D (tD … tH), H (tH … tW) and W (tW … tEnd): the byte offset inside a batch
 * item of the window's first position INSIDE the input along that axis, and how many positions
 * inside the input it spans (≥ 1). So windows are clipped: padded positions take no part.
 *
 *   for each batch item, each (od, oh, ow):
 *     win ← the x addresses of the window's positions, in row-major window order   (one i32 each)
 *     for each group of 4 channels c … c+3 (then each of the last C mod 4 alone):
 *                                     lanes:  c     c+1    c+2    c+3
 *       m    ← x[win[0] + c …]                m0    m1     m2     m3      f32x4
 *       best ← win[0]                         a0    a0     a0     a0      i32x4 (backward only)
 *       for j = 1 … n−1:  v ← x[win[j] + c …]
 *         take = (m == m) & ~(v <= m)         v > m, or v NaN while m is not: the FIRST max / NaN
 *         m    = bitselect(v, m, take)        bitwise, so −0 / +0 and NaN payloads are kept
 *         best = bitselect(win[j], best, take)
 *       forward: y ← m          backward: per lane l, dx[best_l + c + l] += dy[c + l] (f32.add)
 *
 * Ties keep the earlier position (v <= m); −0 and +0 tie. f32x4.max is not used: it would pick +0
 * over −0 and canonicalize NaNs. The channel tail (C mod 4) runs the same code on a splat load
 * (v128.load32_splat) and uses lane 0. The backward scatter adds dy in output order with f32.add,
 * which equals JS's `dx[i] += dy[j]` (a float64 add of two float32s, rounded once: exact rounding).
 *
 * Average pooling sums in float64 exactly as the JS kernel does (its `sum` is a JS number): each
 * f32x4 of x is promoted to two f64x2 (lanes 0–1, and 2–3 after a shuffle), added in window order
 * starting from 0, divided by n and demoted once (f32x4.demote_f64x2_zero, the halves shuffled
 * back together) — the same roundings, so the same bits (NaN payloads aside: arithmetic on NaN may
 * change them, in JS and wasm alike). The backward pass adds the float64 share to the promoted dx.
 *
 * column_sums keeps four f32x4 accumulators on rows r, r+1, r+2, r+3 of a block (independent add
 * chains, each ≤ block/4 long) and writes (acc0 + acc1) + (acc2 + acc3) per block; the driver adds
 * the blocks' partial rows in float64, so the error stays that of a ≤ block/4-term float32 sum.
 */
import { Code, FunctionDef, I32, V128 } from './encoder';

/** while (a < b) { body }  — unsigned compare; body must advance a. */
function whileLt(f: Code, a: number, b: number, body: () => void): void {
  f.block(); f.loop();
  f.get(a).get(b).i32GeU().brIf(1);
  body();
  f.br(0);
  f.end(); f.end();
}

/** do { body } while (a < b)  — for loops known to run at least once. */
function doWhileLt(f: Code, a: number, b: number, body: () => void): void {
  f.loop();
  body();
  f.get(a).get(b).i32LtU().brIf(0);
  f.end();
}

/** a += b (i32 locals). */
function addTo(f: Code, a: number, b: number): void {
  f.get(a).get(b).i32Add().set(a);
}

function addConst(f: Code, a: number, k: number): void {
  f.get(a).i32(k).i32Add().set(a);
}

export type PoolKernelName = 'max_pool_forward' | 'max_pool_backward' | 'avg_pool_forward' | 'avg_pool_backward';

/** One of the four pooling kernels; see the header. */
export function poolFunction(name: PoolKernelName): FunctionDef {
  const max = name.startsWith('max'), backward = name.endsWith('backward'), scatter = name === 'max_pool_backward';
  const f = new Code(new Array<typeof I32>(scatter ? 13 : 12).fill(I32));
  let arg = 0;
  // x: the array the windows index (x, or dx for avg backward); out: y or dy, walked in output order
  const x = arg++, out = arg++;
  const dx = scatter ? arg++ : -1;
  const items = arg++, xItem = arg++, C = arg++, rowH = arg++, rowD = arg++;
  const tD = arg++, tH = arg++, tW = arg++, tEnd = arg++, win = arg++;
  const cBytes = f.local(I32), c4Bytes = f.local(I32), xEnd = f.local(I32), xb = f.local(I32);
  const pd = f.local(I32), ph = f.local(I32), pw = f.local(I32);
  const pD = f.local(I32), pH = f.local(I32), pW = f.local(I32), endD = f.local(I32), endH = f.local(I32), endW = f.local(I32);
  const q = f.local(I32), winEnd = f.local(I32), c = f.local(I32), a = f.local(I32), shift = f.local(I32), addr = f.local(I32);
  const m = f.local(V128), v = f.local(V128), take = f.local(V128), best = f.local(V128);
  const lo = f.local(V128), hi = f.local(V128), count = f.local(V128);

  /** The x addresses of the window at (pd, ph, pw) of the batch item at xb → win … winEnd. */
  const listWindow = (): void => {
    f.get(win).set(q);
    f.get(xb).get(pd).i32Load(0).i32Add().get(ph).i32Load(0).i32Add().get(pw).i32Load(0).i32Add().set(pD);
    f.get(pD).get(pd).i32Load(4).get(rowD).i32Mul().i32Add().set(endD);
    doWhileLt(f, pD, endD, () => {
      f.get(pD).set(pH);
      f.get(pH).get(ph).i32Load(4).get(rowH).i32Mul().i32Add().set(endH);
      doWhileLt(f, pH, endH, () => {
        f.get(pH).set(pW);
        f.get(pW).get(pw).i32Load(4).get(cBytes).i32Mul().i32Add().set(endW);
        doWhileLt(f, pW, endW, () => {
          f.get(q).get(pW).i32Store(0);
          addConst(f, q, 4);
          addTo(f, pW, cBytes);
        });
        addTo(f, pH, rowH);
      });
      addTo(f, pD, rowD);
    });
    f.get(q).set(winEnd);
  };

  const load = (splat: boolean): void => { if (splat) f.v128Load32Splat(0); else f.v128Load(0); };
  /** f32x4 on the stack → its lanes 2, 3 as f64x2. */
  const promoteHigh = (): void => { f.tee(v).get(v).f32x4Shuffle(2, 3, 2, 3).f64x2PromoteLowF32x4(); };
  /** f64x2 lo, hi on the stack → one f32x4 [lo0, lo1, hi0, hi1] (`take` as the scratch local). */
  const demotePair = (): void => {
    f.set(take).f32x4DemoteF64x2Zero().get(take).f32x4DemoteF64x2Zero().f32x4Shuffle(0, 1, 4, 5);
  };

  /** m (and best) ← the first max / first NaN over the window, channels c … (4 lanes, or a splat). */
  const maxChain = (splat: boolean): void => {
    f.get(win).set(q);
    f.get(q).i32Load(0).tee(a).get(c).i32Add(); load(splat); f.set(m);
    if (scatter) f.get(a).i32x4Splat().set(best);
    addConst(f, q, 4);
    whileLt(f, q, winEnd, () => {
      f.get(q).i32Load(0).tee(a).get(c).i32Add(); load(splat); f.set(v);
      f.get(m).get(m).f32x4Eq().get(v).get(m).f32x4Le().v128AndNot().set(take);
      f.get(v).get(m).get(take).v128Bitselect().set(m);
      if (scatter) f.get(a).i32x4Splat().get(best).get(take).v128Bitselect().set(best);
      addConst(f, q, 4);
    });
  };

  /** One group of channels c … (4 lanes, or a splat and lane 0). */
  const channels = (splat: boolean): void => {
    const lanes = splat ? 1 : 4;
    if (max) {
      maxChain(splat);
      if (!scatter) { // y[c …] ← m
        f.get(out).get(c).i32Add().get(m);
        if (splat) f.f32x4ExtractLane(0).f32Store(0); else f.v128Store(0);
        return;
      }
      for (let l = 0; l < lanes; l++) { // dx[best_l + c + l] += dy[c + l]
        f.get(best).i32x4ExtractLane(l).get(shift).i32Add().get(c).i32Add().set(addr);
        f.get(addr).get(addr).f32Load(4 * l).get(out).get(c).i32Add().f32Load(4 * l).f32Add().f32Store(4 * l);
      }
      return;
    }
    if (!backward) { // y[c …] ← f32((Σ_j f64(x[win[j] + c …])) / n)
      f.v128Zero().set(lo); f.v128Zero().set(hi);
      f.get(win).set(q);
      whileLt(f, q, winEnd, () => {
        // lo += f64(v0, v1), hi += f64(v2, v3): the running sum first, as JS's `sum += x[i]`
        f.get(lo).get(q).i32Load(0).get(c).i32Add(); load(splat); f.tee(v).f64x2PromoteLowF32x4().f64x2Add().set(lo);
        if (!splat) { f.get(hi).get(v); promoteHigh(); f.f64x2Add().set(hi); }
        addConst(f, q, 4);
      });
      f.get(out).get(c).i32Add();
      if (splat) {
        f.get(lo).get(count).f64x2Div().f32x4DemoteF64x2Zero().f32x4ExtractLane(0).f32Store(0);
      } else {
        f.get(lo).get(count).f64x2Div().get(hi).get(count).f64x2Div(); demotePair(); f.v128Store(0);
      }
      return;
    }
    // avg backward: share = f64(dy[c …]) / n; dx[win[j] + c …] = f32(f64(dx) + share) for every j
    f.get(out).get(c).i32Add(); load(splat); f.tee(v).f64x2PromoteLowF32x4().get(count).f64x2Div().set(lo);
    if (!splat) { f.get(v); promoteHigh(); f.get(count).f64x2Div().set(hi); }
    f.get(win).set(q);
    whileLt(f, q, winEnd, () => {
      f.get(q).i32Load(0).get(c).i32Add().tee(addr).get(addr); load(splat); f.tee(v);
      f.f64x2PromoteLowF32x4().get(lo).f64x2Add();
      if (splat) {
        f.f32x4DemoteF64x2Zero().f32x4ExtractLane(0).f32Store(0);
      } else {
        f.get(v); promoteHigh(); f.get(hi).f64x2Add(); demotePair(); f.v128Store(0);
      }
      addConst(f, q, 4);
    });
  };

  f.get(C).i32(2).i32Shl().set(cBytes);
  f.get(C).i32(-4).i32And().i32(2).i32Shl().set(c4Bytes);
  f.get(x).get(items).get(xItem).i32Mul().i32Add().set(xEnd);
  if (scatter) f.get(dx).get(x).i32Sub().set(shift);
  f.get(x).set(xb);
  whileLt(f, xb, xEnd, () => {
    f.get(tD).set(pd);
    whileLt(f, pd, tH, () => {
      f.get(tH).set(ph);
      whileLt(f, ph, tW, () => {
        f.get(tW).set(pw);
        whileLt(f, pw, tEnd, () => {
          listWindow();
          if (!max) f.get(winEnd).get(win).i32Sub().i32(2).i32ShrU().f64ConvertI32U().f64x2Splat().set(count);
          f.i32(0).set(c);
          whileLt(f, c, c4Bytes, () => { channels(false); addConst(f, c, 16); });
          whileLt(f, c, cBytes, () => { channels(true); addConst(f, c, 4); });
          addTo(f, out, cBytes);
          addConst(f, pw, 8);
        });
        addConst(f, ph, 8);
      });
      addConst(f, pd, 8);
    });
    addTo(f, xb, xItem);
  });
  return { name, code: f };
}

/** column_sums(dy, rows, C, block, out); see the header. */
export function columnSumsFunction(): FunctionDef {
  const f = new Code([I32, I32, I32, I32, I32]);
  const [dy, rows, C, block, out] = [0, 1, 2, 3, 4];
  const row = f.local(I32), row2 = f.local(I32), row3 = f.local(I32), row4 = f.local(I32), c4Bytes = f.local(I32);
  const p = f.local(I32), pEnd = f.local(I32), bEnd = f.local(I32), c = f.local(I32), q = f.local(I32);
  const acc0 = f.local(V128), acc1 = f.local(V128), acc2 = f.local(V128), acc3 = f.local(V128);

  /** acc ← the column sums of rows p … bEnd at channel c (4 lanes, or a splat); leaves the total on the stack. */
  const sums = (splat: boolean): void => {
    const load = (): void => { if (splat) f.v128Load32Splat(0); else f.v128Load(0); };
    const accumulate = (acc: number, offset: number): void => {
      f.get(acc).get(q);
      if (offset >= 0) f.get(offset).i32Add();
      load(); f.f32x4Add().set(acc);
    };
    for (const acc of [acc0, acc1, acc2, acc3]) f.v128Zero().set(acc);
    f.get(p).get(c).i32Add().set(q);
    f.block(); f.loop();
    f.get(q).get(row3).i32Add().get(bEnd).i32GeU().brIf(1); // four rows left?
    accumulate(acc0, -1); accumulate(acc1, row); accumulate(acc2, row2); accumulate(acc3, row3);
    addTo(f, q, row4);
    f.br(0);
    f.end(); f.end();
    whileLt(f, q, bEnd, () => { accumulate(acc0, -1); addTo(f, q, row); });
    f.get(acc0).get(acc1).f32x4Add().get(acc2).get(acc3).f32x4Add().f32x4Add();
  };

  f.get(C).i32(2).i32Shl().set(row);
  f.get(row).i32(1).i32Shl().set(row2);
  f.get(row2).get(row).i32Add().set(row3);
  f.get(row).i32(2).i32Shl().set(row4);
  f.get(C).i32(-4).i32And().i32(2).i32Shl().set(c4Bytes);
  f.get(dy).get(rows).get(row).i32Mul().i32Add().set(pEnd);
  f.get(dy).set(p);
  whileLt(f, p, pEnd, () => {
    // bEnd = min(p + block rows, pEnd)
    f.get(p).get(block).get(row).i32Mul().i32Add().tee(bEnd).get(pEnd).get(bEnd).get(pEnd).i32LtU().select().set(bEnd);
    f.i32(0).set(c);
    whileLt(f, c, c4Bytes, () => {
      f.get(out).get(c).i32Add(); sums(false); f.v128Store(0);
      addConst(f, c, 16);
    });
    whileLt(f, c, row, () => {
      f.get(out).get(c).i32Add(); sums(true); f.f32x4ExtractLane(0).f32Store(0);
      addConst(f, c, 4);
    });
    addTo(f, out, row);
    f.get(bEnd).set(p);
  });
  return { name: 'column_sums', code: f };
}
