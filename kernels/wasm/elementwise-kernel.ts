/**
 * ReLU forward and backward on the wasm backend: the loops the training profile showed next after
 * the convolutions (the JS loops branch on the sign of every value, which random data mispredicts).
 * Both are branch-free f32x4 masks with exactly the JS kernels' results (kernels/activations.ts):
 *
 *   relu_in_place(p, n)        y = y < 0 ? 0 : y        mask = f32x4.lt(y, 0), y = v128.andnot(y, mask)
 *                              (NaN and −0 stay as they are, like `if (v < 0) y[i] = 0`)
 *   relu_backward(y, dy, n)    dy = y > 0 ? dy : 0      mask = f32x4.gt(y, 0), dy = v128.and(dy, mask)
 *                              (in place on the dy copy; y NaN → 0, dy NaN kept where y > 0)
 *
 * n floats at byte addresses p / y / dy; four lanes at a time, the last n mod 4 one at a time. The
 * JS drivers (kernels/wasm/elementwise.ts) copy chunks through the X region (native copies in and
 * out), so any length works.
 */
import { Code, FunctionDef, I32, V128 } from './encoder';

export function reluInPlaceFunction(): FunctionDef {
  const f = new Code([I32, I32]);
  const [p, n] = [0, 1];
  const end = f.local(I32), end4 = f.local(I32), v = f.local(V128), zero = f.local(V128);
  f.v128Zero().set(zero);
  f.get(p).get(n).i32(4).i32Mul().i32Add().set(end);
  f.get(p).get(n).i32(-4).i32And().i32(4).i32Mul().i32Add().set(end4);
  f.block(); f.loop();
  f.get(p).get(end4).i32GeU().brIf(1);
  f.get(p).v128Load(0).set(v);
  f.get(p).get(v).get(v).get(zero).f32x4Lt().v128AndNot().v128Store(0);
  f.get(p).i32(16).i32Add().set(p);
  f.br(0);
  f.end(); f.end();
  f.block(); f.loop();
  f.get(p).get(end).i32GeU().brIf(1);
  // scalar tail through lane 0: the same mask arithmetic on one float
  f.get(p).v128Load32Splat(0).set(v);
  f.get(p).get(v).get(v).get(zero).f32x4Lt().v128AndNot().f32x4ExtractLane(0).f32Store(0);
  f.get(p).i32(4).i32Add().set(p);
  f.br(0);
  f.end(); f.end();
  return { name: 'relu_in_place', code: f };
}

export function reluBackwardFunction(): FunctionDef {
  const f = new Code([I32, I32, I32]);
  const [y, dy, n] = [0, 1, 2];
  const end = f.local(I32), end4 = f.local(I32), zero = f.local(V128);
  f.v128Zero().set(zero);
  f.get(y).get(n).i32(4).i32Mul().i32Add().set(end);
  f.get(y).get(n).i32(-4).i32And().i32(4).i32Mul().i32Add().set(end4);
  f.block(); f.loop();
  f.get(y).get(end4).i32GeU().brIf(1);
  f.get(dy).get(dy).v128Load(0).get(y).v128Load(0).get(zero).f32x4Gt().v128And().v128Store(0);
  f.get(y).i32(16).i32Add().set(y);
  f.get(dy).i32(16).i32Add().set(dy);
  f.br(0);
  f.end(); f.end();
  f.block(); f.loop();
  f.get(y).get(end).i32GeU().brIf(1);
  f.get(dy).get(dy).v128Load32Splat(0).get(y).v128Load32Splat(0).get(zero).f32x4Gt().v128And().f32x4ExtractLane(0).f32Store(0);
  f.get(y).i32(4).i32Add().set(y);
  f.get(dy).i32(4).i32Add().set(dy);
  f.br(0);
  f.end(); f.end();
  return { name: 'relu_backward', code: f };
}

