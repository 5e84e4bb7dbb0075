/**
 * Elementwise ops against plain references written here: broadcasting by index arithmetic (each
 * output index decomposed with div/mod, mapped to each operand), unary math by Math.*, softmax
 * by its definition in float64.
 */
import { Tensor, tensor } from '../lib/tensor';
import {
  add, sub, mul, div, neg, abs, square, sqrt, exp, log, relu, sigmoid, tanh,
  softmax, logSoftmax, logSumExp, maximum, minimum, sign,
} from '../lib/ops/elementwise';
import { ShapeError, ValueError } from '../lib/errors';
import { Random } from '../lib/random';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';

type BinOp = (a: Tensor | number, b: Tensor | number) => Tensor;
const BINARY: [string, BinOp, (x: number, y: number) => number][] = [
  ['add', add, (x, y) => x + y],
  ['sub', sub, (x, y) => x - y],
  ['mul', mul, (x, y) => x * y],
  ['div', div, (x, y) => x / y],
  ['maximum', maximum, (x, y) => (Number.isNaN(x) || Number.isNaN(y) ? NaN : Math.max(x, y))],
  ['minimum', minimum, (x, y) => (Number.isNaN(x) || Number.isNaN(y) ? NaN : Math.min(x, y))],
];

function size(shape: readonly number[]): number {
  return shape.reduce((p, d) => p * d, 1);
}

function rand(shape: number[], rng: Random): Tensor {
  const data = new Float32Array(size(shape));
  for (let i = 0; i < data.length; i++) data[i] = rng.uniform() * 4 - 2;
  return new Tensor(data, shape);
}

/** NumPy broadcasting by index arithmetic; returns null when the shapes do not broadcast. */
function refBroadcast(a: Tensor, b: Tensor, f: (x: number, y: number) => number): { shape: number[]; data: number[] } | null {
  const rank = Math.max(a.rank, b.rank);
  const pa = [...new Array(rank - a.rank).fill(1), ...a.shape];
  const pb = [...new Array(rank - b.rank).fill(1), ...b.shape];
  const shape: number[] = [];
  for (let d = 0; d < rank; d++) {
    if (pa[d] !== pb[d] && pa[d] !== 1 && pb[d] !== 1) return null;
    shape.push(pa[d] === 1 ? pb[d] : pa[d]);
  }
  const data: number[] = [];
  for (let flat = 0; flat < size(shape); flat++) {
    let rem = flat, ia = 0, ib = 0, sa = 1, sb = 1;
    for (let d = rank - 1; d >= 0; d--) {
      const i = rem % shape[d];
      rem = Math.floor(rem / shape[d]);
      ia += (pa[d] === 1 ? 0 : i) * sa;
      ib += (pb[d] === 1 ? 0 : i) * sb;
      sa *= pa[d];
      sb *= pb[d];
    }
    data.push(Math.fround(f(a.data[ia], b.data[ib])));
  }
  return { shape, data };
}

function expectSame(actual: Tensor, shape: number[], expected: ArrayLike<number>, ctx: string): void {
  expect({ ctx, shape: actual.shape }).toEqual({ ctx, shape });
  for (let i = 0; i < expected.length; i++) {
    if (!Object.is(actual.data[i], expected[i]) && !(actual.data[i] === expected[i])) {
      throw new Error(`${ctx}: index ${i}: got ${actual.data[i]}, expected ${expected[i]}`);
    }
  }
}

function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tol: number, ctx: string): void {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i], e = expected[i];
    if (Number.isNaN(e) ? !Number.isNaN(a) : !(Math.abs(a - e) <= tol * Math.max(1, Math.abs(e)) || a === e)) {
      throw new Error(`${ctx}: index ${i}: got ${a}, expected ${e} (tol ${tol})`);
    }
  }
}

/** A random broadcast-compatible pair: a result shape of rank 0–5, each operand drops leading axes and sets some to 1. */
function randomPair(rng: Random): [number[], number[]] {
  const rank = rng.int(6);
  const out: number[] = [];
  for (let d = 0; d < rank; d++) out.push(1 + rng.int(4));
  const derive = (): number[] => {
    const keep = rng.int(rank + 1);
    return out.slice(rank - keep).map((d) => (rng.uniform() < 0.35 ? 1 : d));
  };
  return [derive(), derive()];
}

describe('binary ops: NumPy broadcasting against an index-arithmetic reference', () => {
  test('200 seeded random shape pairs (rank 0-5, size-1 axes), every binary op', () => {
    const rng = new Random(2024);
    const seen = new Set<string>();
    for (let t = 0; t < 200; t++) {
      const [sa, sb] = randomPair(rng);
      const a = rand(sa, rng), b = rand(sb, rng);
      for (const [name, op, f] of BINARY) {
        const ref = refBroadcast(a, b, f)!;
        expectSame(op(a, b), ref.shape, ref.data, `${name} a=[${sa}] b=[${sb}]`);
      }
      seen.add(`${sa.length}/${sb.length}`);
    }
    expect(seen.size).toBeGreaterThan(15); // many rank combinations were exercised
  });

  test('throws when shapes do not broadcast: 60 seeded incompatible pairs, message names both shapes', () => {
    const rng = new Random(7);
    for (let t = 0; t < 60; t++) {
      const [sa, sb] = randomPair(rng);
      // Make one aligned axis conflict: sizes 2 and 3 on the k-th axis from the end.
      if (Math.min(sa.length, sb.length) === 0) { sa.push(2); sb.push(3); } else {
        const k = rng.int(Math.min(sa.length, sb.length));
        sa[sa.length - 1 - k] = 2;
        sb[sb.length - 1 - k] = 3;
      }
      const a = rand(sa, rng), b = rand(sb, rng);
      expect(refBroadcast(a, b, (x, y) => x + y)).toBeNull();
      const pattern = new RegExp(`^add: shapes \\[${sa.join(',')}\\] and \\[${sb.join(',')}\\] do not broadcast`);
      expect(() => add(a, b)).toThrow(ShapeError);
      expect(() => add(a, b)).toThrow(pattern);
    }
  });

  test.each([
    ['same shape [3,4]+[3,4]', [3, 4], [3, 4]],
    ['bias add [5,7]+[7]', [5, 7], [7]],
    ['bias add reversed [7]+[5,7]', [7], [5, 7]],
    ['trailing block [2,3,4]+[3,4]', [2, 3, 4], [3, 4]],
    ['trailing with leading 1s [2,3,4]+[1,1,4]', [2, 3, 4], [1, 1, 4]],
    ['per-row [6,5]+[6,1]', [6, 5], [6, 1]],
    ['outer product [4,1]+[1,9]', [4, 1], [1, 9]],
    ['middle axis [2,1,3]+[1,4,1]', [2, 1, 3], [1, 4, 1]],
    ['size-1 tensor [1]+[3,2]', [1], [3, 2]],
    ['rank 0 [] + [2,3]', [], [2, 3]],
    ['[2,3] + rank 0 []', [2, 3], []],
    ['empty [0,3]+[3]', [0, 3], [3]],
    ['empty [2,0]+[2,1]', [2, 0], [2, 1]],
    ['long rows [3,130]+[130] (unrolled tail)', [3, 130], [130]],
  ])('fast and general paths: %s', (_name, sa, sb) => {
    const rng = new Random(11);
    const a = rand(sa as number[], rng), b = rand(sb as number[], rng);
    for (const [name, op, f] of BINARY) {
      const ref = refBroadcast(a, b, f)!;
      expectSame(op(a, b), ref.shape, ref.data, `${name} a=[${sa}] b=[${sb}]`);
    }
  });

  test('plain numbers on either side: tensor∘number, number∘tensor, number∘number (rank 0)', () => {
    const a = tensor([[1, -2, 3], [4.5, 0, -6]]);
    expect(sub(a, 1.5).toArray()).toEqual([[-0.5, -3.5, 1.5], [3, -1.5, -7.5]]);
    expect(sub(10, a).toArray()).toEqual([[9, 12, 7], [5.5, 10, 16]]);
    expect(div(1, tensor([2, 4, 0])).toArray()).toEqual([0.5, 0.25, Infinity]);
    const s = mul(3, 4);
    expect(s.shape).toEqual([]);
    expect(s.toArray()).toBe(12);
    expect(add(0.1, 0.2).data[0]).toBe(Math.fround(Math.fround(0.1) + Math.fround(0.2)));
  });

  test('inputs are not modified and the result has its own buffer', () => {
    const a = tensor([1, 2, 3]), b = tensor([4, 5, 6]);
    const c = add(a, b);
    expect(Array.from(a.data)).toEqual([1, 2, 3]);
    expect(Array.from(b.data)).toEqual([4, 5, 6]);
    expect(c.data.buffer).not.toBe(a.data.buffer);
    expect(c.data.buffer).not.toBe(b.data.buffer);
  });

  test('NaN and ±Infinity flow through like IEEE arithmetic', () => {
    const a = tensor([NaN, Infinity, -Infinity, 1, 0]);
    const b = tensor([1, -Infinity, -Infinity, 0, 0]);
    expect(Array.from(add(a, b).data)).toEqual([NaN, NaN, -Infinity, 1, 0]);
    expect(Array.from(div(a, b).data)).toEqual([NaN, NaN, NaN, Infinity, NaN]);
    expect(Array.from(mul(a, 0).data)).toEqual([NaN, NaN, NaN, 0, 0]);
    expect(Array.from(maximum(a, 2).data)).toEqual([NaN, Infinity, 2, 2, 2]);
    expect(Array.from(minimum(2, a).data)).toEqual([NaN, 2, -Infinity, 1, 0]);
  });

  test.each([
    ['add', add], ['sub', sub], ['mul', mul], ['div', div],
  ] as [string, BinOp][])('%s throws when an operand is not a Tensor or number', (name, op) => {
    expect(() => op(tensor([1]), 'x' as unknown as number)).toThrow(ValueError);
    expect(() => op(tensor([1]), 'x' as unknown as number)).toThrow(new RegExp(`^${name}: b must be a Tensor or a number, got "x"`));
    expect(() => op([1, 2] as unknown as Tensor, 1)).toThrow(new RegExp(`^${name}: a must be a Tensor or a number, got \\[1,2\\]`));
  });
});

describe('unary ops against Math references', () => {
  const values = [-1e4, -88.7, -20, -3.5, -1, -0.25, 0, 0.25, 1, 3.5, 20, 88.7, 1e4];
  const x = new Tensor(Float32Array.from([...values, ...values.map((v) => v / 7)]), [2, 13]);
  const cases: [string, (t: Tensor) => Tensor, (v: number) => number][] = [
    ['neg', neg, (v) => -v],
    ['abs', abs, Math.abs],
    ['square', square, (v) => v * v],
    ['sqrt', sqrt, Math.sqrt],
    ['exp', exp, Math.exp],
    ['log', log, Math.log],
    ['relu', relu, (v) => (v > 0 ? v : 0)],
    ['sigmoid', sigmoid, (v) => 1 / (1 + Math.exp(-v))],
    ['tanh', tanh, Math.tanh],
    ['sign', sign, (v) => (v > 0 ? 1 : v < 0 ? -1 : 0)],
  ];
  test.each(cases)('%s x=[2,13] spanning -1e4..1e4', (_name, op, f) => {
    const y = op(x);
    expect(y.shape).toEqual([2, 13]);
    expectClose(y.data, Array.from(x.data, (v) => Math.fround(f(v))), 1e-6, _name);
    expect(Array.from(x.data.slice(0, 13))).toEqual(values.map(Math.fround)); // input untouched
  });

  test('sigmoid is finite and exact at large |x|: sigmoid(-1000) = 0, sigmoid(1000) = 1, sigmoid(0) = 0.5', () => {
    const y = sigmoid(tensor([-1000, -100, 0, 100, 1000]));
    expect(Array.from(y.data)).toEqual([0, Math.fround(Math.exp(-100) / (1 + Math.exp(-100))), 0.5, 1, 1]);
  });

  test.each(cases)('%s propagates NaN', (_name, op) => {
    expect(Number.isNaN(op(tensor([NaN])).data[0])).toBe(true);
  });

  test('relu(NaN) = NaN, relu(-Infinity) = 0, relu(Infinity) = Infinity; log(0) = -Infinity; sqrt(-1) = NaN', () => {
    expect(Array.from(relu(tensor([NaN, -Infinity, Infinity])).data)).toEqual([NaN, 0, Infinity]);
    expect(Array.from(log(tensor([0, -1])).data)).toEqual([-Infinity, NaN]);
    expect(Array.from(sqrt(tensor([-1])).data)).toEqual([NaN]);
    expect(Array.from(sigmoid(tensor([Infinity, -Infinity])).data)).toEqual([1, 0]);
  });

  test('relu keeps NaN of either sign bit, maps -0 to +0, and reads a tensor viewing part of a buffer', () => {
    const buf = new Float32Array(8);
    const bits = new Int32Array(buf.buffer);
    buf.set([5, -0, 3, -2, Infinity, -Infinity, 0, 0]);
    bits[6] = 0x7fc00000; // +NaN
    bits[7] = 0xffc00001 | 0; // -NaN with a payload
    const view = new Tensor(buf.subarray(1), [7]);
    const y = relu(view);
    expect(Object.is(y.data[0], 0)).toBe(true);
    expect(Array.from(y.data.slice(1, 5))).toEqual([3, 0, Infinity, 0]);
    expect(Number.isNaN(y.data[5])).toBe(true);
    expect(Number.isNaN(y.data[6])).toBe(true);
  });

  test('unary ops keep rank 0 and empty shapes', () => {
    expect(exp(tensor(0)).shape).toEqual([]);
    expect(exp(tensor(0)).toArray()).toBe(1);
    expect(relu(new Tensor(new Float32Array(0), [0, 4])).shape).toEqual([0, 4]);
  });

  test.each(cases)('%s throws when x is not a Tensor', (name, op) => {
    expect(() => op([1, 2] as unknown as Tensor)).toThrow(ValueError);
    expect(() => op([1, 2] as unknown as Tensor)).toThrow(new RegExp(`^${name}: x must be a Tensor, got \\[1,2\\]`));
  });
});

/** Softmax, log-softmax and log-sum-exp by definition (float64, max-shifted) along one axis. */
function refAlongAxis(x: Tensor, axis: number, kind: 'softmax' | 'logSoftmax'): number[] {
  const shape = x.shape, rank = shape.length;
  const strides = shape.map((_, d) => size(shape.slice(d + 1)));
  const out = new Array<number>(x.size);
  for (let flat = 0; flat < x.size; flat++) {
    const j = Math.floor(flat / strides[axis]) % shape[axis];
    const rowStart = flat - j * strides[axis];
    const row: number[] = [];
    for (let q = 0; q < shape[axis]; q++) row.push(x.data[rowStart + q * strides[axis]]);
    const m = Math.max(...row);
    const s = row.reduce((acc, v) => acc + Math.exp(v - m), 0);
    out[flat] = kind === 'softmax' ? Math.exp(row[j] - m) / s : row[j] - m - Math.log(s);
  }
  void rank;
  return out;
}

describe('softmax, logSoftmax, logSumExp', () => {
  const rng = new Random(5);
  const x = rand([3, 4, 5], rng);

  test.each([0, 1, 2, -1, -2, -3])('softmax x=[3,4,5] axis=%i matches the definition and rows sum to 1', (axis) => {
    const ax = axis < 0 ? axis + 3 : axis;
    const y = softmax(x, axis);
    expect(y.shape).toEqual([3, 4, 5]);
    expectClose(y.data, refAlongAxis(x, ax, 'softmax'), 1e-6, `softmax axis ${axis}`);
    const rowSums = new Map<string, number>();
    for (let flat = 0; flat < y.size; flat++) {
      const idx = [Math.floor(flat / 20), Math.floor(flat / 5) % 4, flat % 5];
      idx[ax] = 0;
      const k = idx.join(',');
      rowSums.set(k, (rowSums.get(k) ?? 0) + y.data[flat]);
    }
    for (const s of rowSums.values()) expect(Math.abs(s - 1)).toBeLessThan(1e-6);
  });

  test('softmax default axis is the last one', () => {
    expect(Array.from(softmax(x).data)).toEqual(Array.from(softmax(x, 2).data));
  });

  test.each([0, 1, 2, -1])('logSoftmax x=[3,4,5] axis=%i matches the definition', (axis) => {
    const ax = axis < 0 ? axis + 3 : axis;
    expectClose(logSoftmax(x, axis).data, refAlongAxis(x, ax, 'logSoftmax'), 1e-6, `logSoftmax axis ${axis}`);
  });

  test('softmax and logSoftmax are stable for huge logits: [1000, 1000] → [0.5, 0.5], [-1000, 0] → [e^-1000 = 0, 1]', () => {
    expect(Array.from(softmax(tensor([1000, 1000])).data)).toEqual([0.5, 0.5]);
    expect(Array.from(softmax(tensor([-1000, 0])).data)).toEqual([0, 1]);
    expect(Array.from(logSoftmax(tensor([-1000, 0])).data)).toEqual([-1000, 0]);
    expect(Array.from(logSoftmax(tensor([1e4, 1e4])).data)).toEqual([Math.fround(-Math.LN2), Math.fround(-Math.LN2)]);
  });

  test('softmax with NaN in a row gives NaN for that row only; a -Infinity logit gets probability 0', () => {
    const y = softmax(tensor([[1, NaN, 2], [0, -Infinity, 0]]));
    expect(Array.from(y.data.slice(0, 3)).every(Number.isNaN)).toBe(true);
    expect(Array.from(y.data.slice(3))).toEqual([0.5, 0, 0.5]);
  });

  const axesCases: [string, number | number[] | undefined][] = [
    ['all', undefined], ['0', 0], ['-1', -1], ['[0,2]', [0, 2]], ['[1,2]', [1, 2]], ['[]', []],
  ];
  test.each(axesCases)('logSumExp x=[3,4,5] axes=%s keepDims false/true matches log Σ exp in float64', (_n, axis) => {
    const axes = axis === undefined ? [0, 1, 2] : (typeof axis === 'number' ? [axis] : axis).map((a) => (a < 0 ? a + 3 : a));
    const keptShape = [3, 4, 5].map((d, i) => (axes.includes(i) ? 1 : d));
    const sums = new Array<number>(size(keptShape)).fill(0);
    const maxes = new Array<number>(size(keptShape)).fill(-Infinity);
    const keyOf = (flat: number): number => {
      const idx = [Math.floor(flat / 20), Math.floor(flat / 5) % 4, flat % 5].map((v, d) => (axes.includes(d) ? 0 : v));
      return (idx[0] * keptShape[1] + idx[1]) * keptShape[2] + idx[2];
    };
    for (let f = 0; f < x.size; f++) maxes[keyOf(f)] = Math.max(maxes[keyOf(f)], x.data[f]);
    for (let f = 0; f < x.size; f++) sums[keyOf(f)] += Math.exp(x.data[f] - maxes[keyOf(f)]);
    const ref = sums.map((s, i) => maxes[i] + Math.log(s));
    const kept = logSumExp(x, axis, true);
    expect(kept.shape).toEqual(keptShape);
    expectClose(kept.data, ref, 1e-6, 'logSumExp keepDims');
    const dropped = logSumExp(x, axis);
    expect(dropped.shape).toEqual([3, 4, 5].filter((_, i) => !axes.includes(i)));
    expectClose(dropped.data, ref, 1e-6, 'logSumExp');
  });

  test('logSumExp is stable and handles infinite rows: [1000,1000] → 1000+ln2, [-Inf,-Inf] → -Inf, [Inf,1] → Inf', () => {
    const y = logSumExp(tensor([[1000, 1000], [-Infinity, -Infinity], [Infinity, 1]]), 1);
    expect(Array.from(y.data)).toEqual([Math.fround(1000 + Math.LN2), -Infinity, Infinity]);
  });

  test('throws when softmax/logSoftmax get a scalar or a bad axis', () => {
    expect(() => softmax(tensor(1))).toThrow(/^softmax: x must have rank >= 1, got a scalar/);
    expect(() => softmax(x, 3)).toThrow(ShapeError);
    expect(() => softmax(x, 3)).toThrow(/^softmax: axis 3 is out of range for a rank-3 tensor/);
    expect(() => logSoftmax(x, -4)).toThrow(/^logSoftmax: axis -4 is out of range for a rank-3 tensor/);
    expect(() => softmax(x, 1.5)).toThrow(ValueError);
    expect(() => softmax(x, 1.5)).toThrow(/^softmax: axis must be an integer, got 1.5/);
    expect(() => softmax('x' as unknown as Tensor)).toThrow(/^softmax: x must be a Tensor/);
  });

  test('throws when logSumExp gets duplicate or out-of-range axes', () => {
    expect(() => logSumExp(x, [0, -3])).toThrow(/^logSumExp: axis \[0,-3\] contains axis 0 more than once/);
    expect(() => logSumExp(x, 5)).toThrow(/^logSumExp: axis 5 is out of range/);
  });
});

describe('parity with TensorFlow.js (@tensorflow/tfjs-backend-cpu)', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });
  const tfOf = (t: Tensor): tf.Tensor => tf.tensor(t.data, t.shape.slice());

  test.each([
    [[5, 7], [7]], [[6, 5], [6, 1]], [[4, 1], [1, 9]], [[2, 1, 3, 1], [4, 1, 5]], [[], [3, 2]],
  ])('add/sub/mul/div a=%j b=%j agree with tf (float32 results equal)', (sa, sb) => {
    const rng = new Random(21);
    const a = rand(sa as number[], rng), b = rand(sb as number[], rng);
    const pairs: [BinOp, (x: tf.Tensor, y: tf.Tensor) => tf.Tensor][] = [[add, tf.add], [sub, tf.sub], [mul, tf.mul], [div, tf.div]];
    for (const [ours, theirs] of pairs) {
      const y = ours(a, b), r = theirs(tfOf(a), tfOf(b));
      expect(y.shape).toEqual(r.shape);
      expectClose(y.data, r.dataSync(), 1e-6, `${ours.name} a=[${sa}] b=[${sb}]`);
    }
  });

  test('softmax, logSoftmax, sigmoid, tanh, relu on [4,9] logits spanning ±30 agree with tf', () => {
    const rng = new Random(22);
    const data = new Float32Array(36);
    for (let i = 0; i < data.length; i++) data[i] = (rng.uniform() * 2 - 1) * 30;
    const x = new Tensor(data, [4, 9]), tx = tfOf(x);
    expectClose(softmax(x).data, tf.softmax(tx).dataSync(), 1e-5, 'softmax');
    expectClose(logSoftmax(x).data, tf.logSoftmax(tx).dataSync(), 1e-5, 'logSoftmax');
    expectClose(sigmoid(x).data, tf.sigmoid(tx).dataSync(), 1e-6, 'sigmoid');
    expectClose(tanh(x).data, tf.tanh(tx).dataSync(), 1e-6, 'tanh');
    expectClose(relu(x).data, tf.relu(tx).dataSync(), 0, 'relu');
  });

  test('logSumExp over axes [0], [1], all (keepDims true) agrees with tf', () => {
    const rng = new Random(23);
    const x = rand([3, 4, 5], rng), tx = tfOf(x);
    for (const axis of [[0], [1], [0, 2], undefined] as (number[] | undefined)[]) {
      const y = logSumExp(x, axis, true), r = tf.logSumExp(tx, axis, true);
      expect(y.shape).toEqual(r.shape);
      expectClose(y.data, r.dataSync(), 1e-5, `logSumExp axis ${JSON.stringify(axis)}`);
    }
  });
});
