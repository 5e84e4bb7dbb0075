/**
 * Pooling: fast kernels vs the naive reference loops (every rank × max/avg × valid/same × stride
 * equal to, smaller and larger than the pool, odd sizes, batch 1), gradients by central finite
 * differences, the first-max tie rule, the 'same' average border divisor written as arithmetic,
 * global pooling, and every error path of lib/ops/pool.
 */
import { Tensor, tensor } from '../lib/tensor';
import { ConfigError, ShapeError, ValueError } from '../lib/errors';
import { Random } from '../lib/random';
import { ConvGeometry, convGeometry } from '../kernels/conv-geometry';
import * as fast from '../kernels/pool';
import * as ref from '../kernels/reference/pool';
import {
  maxPool1d, maxPool2d, maxPool3d, avgPool1d, avgPool2d, avgPool3d,
  maxPool1dBackprop, maxPool2dBackprop, maxPool3dBackprop, avgPool1dBackprop, avgPool2dBackprop, avgPool3dBackprop,
  globalAvgPool, globalMaxPool, globalAvgPoolBackprop, globalMaxPoolBackprop, poolOutputShape, PoolOptions,
} from '../lib/ops/pool';

type Rank = 1 | 2 | 3;
type Padding = 'valid' | 'same';

const MAX = { 1: maxPool1d, 2: maxPool2d, 3: maxPool3d } as const;
const AVG = { 1: avgPool1d, 2: avgPool2d, 3: avgPool3d } as const;
const MAX_BACK = { 1: maxPool1dBackprop, 2: maxPool2dBackprop, 3: maxPool3dBackprop } as const;
const AVG_BACK = { 1: avgPool1dBackprop, 2: avgPool2dBackprop, 3: avgPool3dBackprop } as const;

function randomData(n: number, seed: number): Float32Array {
  const rng = new Random(seed);
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = rng.normal();
  return a;
}

/**
 * Distinct values on a grid exact in float32 (multiples of 1/8, shuffled), so a max-pool window
 * never has a tie and a ±1/64 perturbation never changes which element is the maximum.
 */
function distinctData(n: number, seed: number): Float32Array {
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = (i - n / 2) / 8;
  new Random(seed).shuffle(a);
  return a;
}

/** Fails with the first index whose values differ by more than tol·max(1, |expected|). */
function expectClose(actual: Float32Array, expected: ArrayLike<number>, tol: number, what: string): void {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < actual.length; i++) {
    const a = actual[i], e = expected[i];
    const ok = Number.isNaN(e) ? Number.isNaN(a) : Math.abs(a - e) <= tol * Math.max(1, Math.abs(e));
    if (!ok) throw new Error(`${what}: index ${i} of ${actual.length}: got ${a}, expected ${e} (tol ${tol})`);
  }
}

function geometry(rank: Rank, shape: number[], pool: number[], strides: number[], padding: Padding): ConvGeometry {
  const C = shape[shape.length - 1];
  return convGeometry(rank, shape[0], shape.slice(1, -1), C, pool, C, strides, pool.map(() => 1), padding);
}

function outSize(g: ConvGeometry): number {
  return g.batch * g.outD * g.outH * g.outW * g.outC;
}

// ---------------------------------------------------------------------------------------------
// Fast kernels vs reference loops
// ---------------------------------------------------------------------------------------------

interface Case { rank: Rank; shape: number[]; pool: number[]; strides: number[]; padding: Padding; note: string }

/** Strides equal to, smaller than and larger than the pool, on odd sizes, both paddings. */
function sweep(): Case[] {
  const bases: { rank: Rank; shape: number[]; pool: number[] }[] = [
    { rank: 1, shape: [2, 11, 3], pool: [3] },
    { rank: 1, shape: [1, 7, 5], pool: [2] },
    { rank: 2, shape: [2, 7, 9, 3], pool: [3, 2] },
    { rank: 2, shape: [1, 5, 5, 1], pool: [2, 2] },
    { rank: 3, shape: [2, 5, 7, 3, 2], pool: [2, 3, 2] },
    { rank: 3, shape: [1, 3, 5, 5, 3], pool: [3, 1, 2] },
    // channel counts 4 and 9: the max kernels run four channels at a time, then a tail
    { rank: 1, shape: [2, 9, 4], pool: [3] },
    { rank: 2, shape: [1, 6, 5, 9], pool: [2, 3] },
    { rank: 3, shape: [1, 3, 4, 5, 9], pool: [2, 2, 3] },
  ];
  const cases: Case[] = [];
  for (const b of bases) {
    for (const padding of ['valid', 'same'] as const) {
      cases.push({ ...b, strides: b.pool.slice(), padding, note: 'stride = pool' });
      cases.push({ ...b, strides: b.pool.map((k) => Math.max(1, k - 1)), padding, note: 'stride < pool' });
      cases.push({ ...b, strides: b.pool.map((k) => k + 1), padding, note: 'stride > pool' });
    }
  }
  // Pool larger than the input with 'same', and 1-wide pools.
  cases.push({ rank: 1, shape: [2, 3, 2], pool: [5], strides: [1], padding: 'same', note: 'pool > input' });
  cases.push({ rank: 2, shape: [1, 3, 2, 2], pool: [5, 4], strides: [2, 1], padding: 'same', note: 'pool > input' });
  cases.push({ rank: 3, shape: [2, 2, 3, 1, 2], pool: [4, 4, 3], strides: [1, 2, 1], padding: 'same', note: 'pool > input' });
  cases.push({ rank: 2, shape: [2, 5, 3, 4], pool: [1, 1], strides: [1, 1], padding: 'valid', note: 'pool 1' });
  cases.push({ rank: 2, shape: [1, 7, 7, 3], pool: [3, 3], strides: [2, 2], padding: 'same', note: 'stride 2 on 7x7' });
  return cases;
}

const name = (c: Case): string =>
  `rank ${c.rank} x=[${c.shape}] k=[${c.pool}] s=[${c.strides}] p=${c.padding} (${c.note})`;

describe('pool kernels: fast vs reference', () => {
  const cases = sweep();

  test.each(cases.map((c, i) => [name(c), c, i] as const))('maxPoolForward %s', (_n, c, i) => {
    const g = geometry(c.rank, c.shape, c.pool, c.strides, c.padding);
    const x = randomData(c.shape.reduce((a, b) => a * b), 100 + i);
    const y = new Float32Array(outSize(g)).fill(NaN), yRef = new Float32Array(outSize(g));
    fast.maxPoolForward(g, x, y);
    ref.maxPoolForwardReference(g, x, yRef);
    expectClose(y, yRef, 0, name(c));
  });

  test.each(cases.map((c, i) => [name(c), c, i] as const))('maxPoolBackward %s', (_n, c, i) => {
    const g = geometry(c.rank, c.shape, c.pool, c.strides, c.padding);
    const n = c.shape.reduce((a, b) => a * b);
    const x = randomData(n, 200 + i), dy = randomData(outSize(g), 300 + i);
    const dx = new Float32Array(n).fill(NaN), dxRef = new Float32Array(n);
    fast.maxPoolBackward(g, x, dy, dx);
    ref.maxPoolBackwardReference(g, x, dy, dxRef);
    expectClose(dx, dxRef, 1e-6, name(c));
  });

  test.each(cases.map((c, i) => [name(c), c, i] as const))('avgPoolForward %s', (_n, c, i) => {
    const g = geometry(c.rank, c.shape, c.pool, c.strides, c.padding);
    const x = randomData(c.shape.reduce((a, b) => a * b), 400 + i);
    const y = new Float32Array(outSize(g)).fill(NaN), yRef = new Float32Array(outSize(g));
    fast.avgPoolForward(g, x, y);
    ref.avgPoolForwardReference(g, x, yRef);
    expectClose(y, yRef, 1e-6, name(c));
  });

  test.each(cases.map((c, i) => [name(c), c, i] as const))('avgPoolBackward %s', (_n, c, i) => {
    const g = geometry(c.rank, c.shape, c.pool, c.strides, c.padding);
    const n = c.shape.reduce((a, b) => a * b);
    const dy = randomData(outSize(g), 500 + i);
    const dx = new Float32Array(n).fill(NaN), dxRef = new Float32Array(n);
    fast.avgPoolBackward(g, dy, dx);
    ref.avgPoolBackwardReference(g, dy, dxRef);
    expectClose(dx, dxRef, 1e-6, name(c));
  });

  const globals: [number, number, number][] = [[2, 1, 3], [3, 7 * 5, 4], [1, 3 * 5 * 2, 1], [2, 13, 17]];
  test.each(globals)('global pooling batch=%i spatialSize=%i channels=%i', (batch, spatial, channels) => {
    const n = batch * spatial * channels, m = batch * channels;
    const x = randomData(n, 600 + n), dy = randomData(m, 700 + n);
    const y = new Float32Array(m), yRef = new Float32Array(m);
    fast.globalAvgPoolForward(batch, spatial, channels, x, y);
    ref.globalAvgPoolForwardReference(batch, spatial, channels, x, yRef);
    expectClose(y, yRef, 1e-6, 'globalAvgPoolForward');
    fast.globalMaxPoolForward(batch, spatial, channels, x, y);
    ref.globalMaxPoolForwardReference(batch, spatial, channels, x, yRef);
    expectClose(y, yRef, 0, 'globalMaxPoolForward');
    const dx = new Float32Array(n).fill(NaN), dxRef = new Float32Array(n);
    fast.globalAvgPoolBackward(batch, spatial, channels, dy, dx);
    ref.globalAvgPoolBackwardReference(batch, spatial, channels, dy, dxRef);
    expectClose(dx, dxRef, 1e-6, 'globalAvgPoolBackward');
    dx.fill(NaN);
    fast.globalMaxPoolBackward(batch, spatial, channels, x, dy, dx);
    ref.globalMaxPoolBackwardReference(batch, spatial, channels, x, dy, dxRef);
    expectClose(dx, dxRef, 0, 'globalMaxPoolBackward');
  });

  test.each(cases.filter((c) => c.shape[c.shape.length - 1] >= 4).map((c, i) => [name(c), c, i] as const))(
    'max pooling with NaN and ±Infinity sprinkled in (one in eight): fast vs reference %s', (_n, c, i) => {
      const g = geometry(c.rank, c.shape, c.pool, c.strides, c.padding);
      const n = c.shape.reduce((a, b) => a * b);
      const x = randomData(n, 800 + i), dy = randomData(outSize(g), 850 + i);
      const rng = new Random(870 + i);
      for (let k = 0; k < n; k++) {
        const r = rng.int(24);
        if (r === 0) x[k] = NaN;
        else if (r === 1) x[k] = Infinity;
        else if (r === 2) x[k] = -Infinity;
      }
      const y = new Float32Array(outSize(g)), yRef = new Float32Array(outSize(g));
      fast.maxPoolForward(g, x, y);
      ref.maxPoolForwardReference(g, x, yRef);
      expect(Array.from(y)).toEqual(Array.from(yRef)); // toEqual treats NaN as equal to NaN
      const dx = new Float32Array(n).fill(NaN), dxRef = new Float32Array(n);
      fast.maxPoolBackward(g, x, dy, dx);
      ref.maxPoolBackwardReference(g, x, dy, dxRef);
      expectClose(dx, dxRef, 1e-6, name(c));
    });

  test.each([[2, 13, 9], [3, 5, 4]])('global max pooling with NaN and ±Infinity sprinkled in: fast vs reference batch=%i spatialSize=%i channels=%i', (batch, spatial, channels) => {
    const n = batch * spatial * channels, m = batch * channels;
    const x = randomData(n, 880 + n), dy = randomData(m, 890 + n);
    const rng = new Random(895 + n);
    for (let k = 0; k < n; k++) {
      const r = rng.int(16);
      if (r === 0) x[k] = NaN;
      else if (r === 1) x[k] = Infinity;
      else if (r === 2) x[k] = -Infinity;
    }
    const y = new Float32Array(m), yRef = new Float32Array(m);
    fast.globalMaxPoolForward(batch, spatial, channels, x, y);
    ref.globalMaxPoolForwardReference(batch, spatial, channels, x, yRef);
    expect(Array.from(y)).toEqual(Array.from(yRef));
    expect(yRef.some((v) => Number.isNaN(v)) && yRef.some((v) => !Number.isNaN(v))).toBe(true); // both kinds occur
    const dx = new Float32Array(n).fill(NaN), dxRef = new Float32Array(n);
    fast.globalMaxPoolBackward(batch, spatial, channels, x, dy, dx);
    ref.globalMaxPoolBackwardReference(batch, spatial, channels, x, dy, dxRef);
    expectClose(dx, dxRef, 0, 'globalMaxPoolBackward with NaN');
  });

  test('NaN in a window propagates through max pooling (fast and reference), its gradient goes to the first NaN; infinities compare as numbers', () => {
    const g = geometry(1, [1, 12, 1], [3], [3], 'valid');
    const x = new Float32Array([1, NaN, 5, 7, NaN, NaN, NaN, 2, NaN, -Infinity, Infinity, 4]);
    for (const f of [fast.maxPoolForward, ref.maxPoolForwardReference]) {
      const y = new Float32Array(4);
      f(g, x, y);
      expect(Array.from(y)).toEqual([NaN, NaN, NaN, Infinity]);
    }
    for (const f of [fast.maxPoolBackward, ref.maxPoolBackwardReference]) {
      const dx = new Float32Array(12);
      f(g, x, new Float32Array([10, 20, 30, 40]), dx);
      expect(Array.from(dx)).toEqual([0, 10, 0, 0, 20, 0, 30, 0, 0, 0, 40, 0]);
    }
    const y = new Float32Array(1), dx = new Float32Array(6);
    fast.globalMaxPoolForward(1, 6, 1, x, y);
    expect(Number.isNaN(y[0])).toBe(true);
    fast.globalMaxPoolBackward(1, 6, 1, x, new Float32Array([3]), dx);
    expect(Array.from(dx)).toEqual([0, 3, 0, 0, 0, 0]);
  });
});

// ---------------------------------------------------------------------------------------------
// Ops: shapes, hand-computed values, tie rule, 'same' border divisor
// ---------------------------------------------------------------------------------------------

describe('pool ops: values', () => {
  const x3x3 = tensor([[[[1], [2], [3]], [[4], [5], [6]], [[7], [8], [9]]]]); // [1,3,3,1]

  test('maxPool2d x=[1,3,3,1] k=2 s=1 p=valid', () => {
    const y = maxPool2d(x3x3, { poolSize: 2, strides: 1 });
    expect(y.shape).toEqual([1, 2, 2, 1]);
    expect(Array.from(y.data)).toEqual([5, 6, 8, 9]);
  });

  test('avgPool2d x=[1,3,3,1] k=2 s=1 p=same divides by the values inside the input', () => {
    // total padding (3−1)·1 + 2 − 3 = 1 per axis: 0 before, 1 after (bottom/right).
    const y = avgPool2d(x3x3, { poolSize: 2, strides: 1, padding: 'same' });
    expect(y.shape).toEqual([1, 3, 3, 1]);
    expectClose(y.data, [
      (1 + 2 + 4 + 5) / 4, (2 + 3 + 5 + 6) / 4, (3 + 6) / 2,
      (4 + 5 + 7 + 8) / 4, (5 + 6 + 8 + 9) / 4, (6 + 9) / 2,
      (7 + 8) / 2, (8 + 9) / 2, 9 / 1,
    ], 1e-7, 'avgPool2d same');
  });

  test('avgPool2dBackprop x=[1,3,3,1] k=2 s=1 p=same uses the same border divisors', () => {
    // Output (i, j) averages rows(i)·cols(j) values: 4 inside, 2 on the last row/column, 1 in the corner.
    const dx = avgPool2dBackprop(tensor(new Float32Array(9).fill(1), [1, 3, 3, 1]), [1, 3, 3, 1], { poolSize: 2, strides: 1, padding: 'same' });
    expectClose(dx.data, [
      1 / 4, 1 / 4 + 1 / 4, 1 / 4 + 1 / 2,
      1 / 4 + 1 / 4, 1 / 4 + 1 / 4 + 1 / 4 + 1 / 4, 1 / 4 + 1 / 2 + 1 / 4 + 1 / 2,
      1 / 4 + 1 / 2, 1 / 4 + 1 / 2 + 1 / 4 + 1 / 2, 1 / 4 + 1 / 2 + 1 / 2 + 1 / 1,
    ], 1e-7, 'avgPool2dBackprop same');
  });

  test('avgPool1d x=[1,3,1] k=5 s=1 p=same (pool larger than the input) averages the 3 inputs in every window', () => {
    // total padding (3−1) + 5 − 3 = 4: 2 before, 2 after; windows [−2,2], [−1,3], [0,4].
    const y = avgPool1d(tensor([[[1], [2], [4]]]), { poolSize: 5, strides: 1, padding: 'same' });
    expect(y.shape).toEqual([1, 3, 1]);
    expectClose(y.data, [(1 + 2 + 4) / 3, (1 + 2 + 4) / 3, (1 + 2 + 4) / 3], 1e-7, 'avgPool1d');
    const m = maxPool1d(tensor([[[1], [-2], [-4]]]), { poolSize: 5, strides: 1, padding: 'same' });
    expect(Array.from(m.data)).toEqual([1, 1, 1]); // padding is never the max, even against negatives
  });

  test('maxPool1d x=[1,4,1] all negative k=3 s=2 p=same: padded positions are never the max', () => {
    // out = ceil(4/2) = 2, total (2−1)·2 + 3 − 4 = 1: 0 before, 1 after; windows [0,2] and [2,4].
    const x = tensor([[[-5], [-3], [-4], [-1]]]);
    const y = maxPool1d(x, { poolSize: 3, strides: 2, padding: 'same' });
    expect(Array.from(y.data)).toEqual([-3, -1]);
    const dx = maxPool1dBackprop(tensor([[[10], [20]]]), x, { poolSize: 3, strides: 2, padding: 'same' });
    expect(Array.from(dx.data)).toEqual([0, 10, 0, 20]);
  });

  test('maxPool2dBackprop tie rule: a window of equal values sends the gradient to its first element', () => {
    const x = tensor([[[[3], [3]], [[3], [3]]]]);
    const dx = maxPool2dBackprop(tensor([[[[7]]]]), x, { poolSize: 2 });
    expect(Array.from(dx.data)).toEqual([7, 0, 0, 0]);
  });

  test('maxPool2dBackprop tie rule: of two equal maxima the first in row-major window order wins', () => {
    // window [[1, 5], [5, 2]]: (0,1) comes before (1,0)
    const x = tensor([[[[1], [5]], [[5], [2]]]]);
    expect(Array.from(maxPool2dBackprop(tensor([[[[1]]]]), x, { poolSize: 2 }).data)).toEqual([0, 1, 0, 0]);
  });

  test('maxPool3dBackprop tie rule x=[1,2,2,2,1] k=2: depth is the outermost window axis', () => {
    // maxima 9 at (d,h,w) = (0,1,1) and (1,0,0): (0,1,1) comes first
    const x = tensor([[[[[1], [2]], [[3], [9]]], [[[9], [4]], [[5], [6]]]]]);
    const dx = maxPool3dBackprop(tensor([[[[[2]]]]]), x, { poolSize: 2 });
    expect(Array.from(dx.data)).toEqual([0, 0, 0, 2, 0, 0, 0, 0]);
  });

  test('maxPool1dBackprop tie rule with overlapping windows x=[1,5,1] k=3 s=1: each window picks its own first max', () => {
    const x = tensor([[[4], [4], [1], [4], [0]]]);
    const dx = maxPool1dBackprop(tensor([[[1], [10], [100]]]), x, { poolSize: 3, strides: 1 });
    // windows x0..x2 = [4, 4, 1] → x0;  x1..x3 = [4, 1, 4] → x1;  x2..x4 = [1, 4, 0] → x3
    expect(Array.from(dx.data)).toEqual([1, 10, 0, 100, 0]);
  });

  test('per-axis poolSize and strides arrays: maxPool2d x=[1,4,6,1] k=[2,3] s=[2,3]', () => {
    const x = tensor(Array.from({ length: 24 }, (_, i) => i), [1, 4, 6, 1]);
    const y = maxPool2d(x, { poolSize: [2, 3], strides: [2, 3] });
    expect(y.shape).toEqual([1, 2, 2, 1]);
    expect(Array.from(y.data)).toEqual([6 + 2, 6 + 5, 18 + 2, 18 + 5]);
  });

  test('strides default to poolSize (avgPool3d x=[1,2,2,4,1] k=2)', () => {
    const x = tensor(Array.from({ length: 16 }, (_, i) => i), [1, 2, 2, 4, 1]);
    const y = avgPool3d(x, { poolSize: 2 });
    expect(y.shape).toEqual([1, 1, 1, 2, 1]);
    expectClose(y.data, [(0 + 1 + 4 + 5 + 8 + 9 + 12 + 13) / 8, (2 + 3 + 6 + 7 + 10 + 11 + 14 + 15) / 8], 1e-7, 'avgPool3d');
  });

  test('ops leave their inputs unchanged and return new tensors', () => {
    const x = tensor(randomData(2 * 5 * 5 * 3, 1), [2, 5, 5, 3]);
    const before = x.data.slice();
    const y = maxPool2d(x, { poolSize: 2, padding: 'same' });
    const dy = tensor(randomData(y.size, 2), y.shape as number[]);
    const dyBefore = dy.data.slice();
    maxPool2dBackprop(dy, x, { poolSize: 2, padding: 'same' });
    avgPool2dBackprop(dy, [2, 5, 5, 3], { poolSize: 2, padding: 'same' });
    expect(x.data).toEqual(before);
    expect(dy.data).toEqual(dyBefore);
  });

  test('global pooling x=[2,3,2,2] → [2,2] (rank 4) with values written out', () => {
    const x = tensor([
      [[[1, -1], [2, -2]], [[3, -3], [4, -4]], [[5, -5], [6, -6]]],
      [[[0, 8], [0, 8]], [[9, 0], [0, 0]], [[0, 0], [9, 1]]],
    ]);
    const avg = globalAvgPool(x), max = globalMaxPool(x);
    expect(avg.shape).toEqual([2, 2]);
    expectClose(avg.data, [(1 + 2 + 3 + 4 + 5 + 6) / 6, -(1 + 2 + 3 + 4 + 5 + 6) / 6, (9 + 9) / 6, (8 + 8 + 1) / 6], 1e-7, 'globalAvgPool');
    expect(Array.from(max.data)).toEqual([6, -1, 9, 8]);
    // first max: channel 0 of batch 1 has 9 at positions 2 and 5; channel 1 has 8 at 0 and 1
    const dx = globalMaxPoolBackprop(tensor([[1, 2], [3, 4]]), x);
    expect(Array.from(dx.data)).toEqual([
      0, 2, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0,
      0, 4, 0, 0, 3, 0, 0, 0, 0, 0, 0, 0,
    ]);
    const dxAvg = globalAvgPoolBackprop(tensor([[6, 12], [-6, 0]]), [2, 3, 2, 2]);
    expect(dxAvg.shape).toEqual([2, 3, 2, 2]);
    expect(Array.from(dxAvg.data)).toEqual([].concat(...Array(6).fill([1, 2]), ...Array(6).fill([-1, 0])));
  });

  test('global pooling of rank 3 and rank 5 inputs', () => {
    const x3 = tensor(randomData(2 * 7 * 3, 3), [2, 7, 3]);
    const x5 = tensor(randomData(1 * 2 * 3 * 2 * 4, 4), [1, 2, 3, 2, 4]);
    expect(globalAvgPool(x3).shape).toEqual([2, 3]);
    expect(globalMaxPool(x5).shape).toEqual([1, 4]);
    // global pooling equals pooling with the whole spatial extent as the window
    expectClose(globalMaxPool(x5).data, maxPool3d(x5, { poolSize: [2, 3, 2] }).data, 0, 'globalMaxPool vs maxPool3d');
    expectClose(globalAvgPool(x3).data, avgPool1d(x3, { poolSize: 7 }).data, 1e-6, 'globalAvgPool vs avgPool1d');
  });

  test('empty batch and zero channels give empty outputs and gradients of the right shape', () => {
    const x0 = tensor(new Float32Array(0), [0, 5, 5, 3]);
    expect(maxPool2d(x0, { poolSize: 2 }).shape).toEqual([0, 2, 2, 3]);
    expect(avgPool2dBackprop(tensor(new Float32Array(0), [0, 3, 3, 3]), [0, 5, 5, 3], { poolSize: 2, padding: 'same' }).shape).toEqual([0, 5, 5, 3]);
    const xc = tensor(new Float32Array(0), [2, 4, 0]);
    expect(avgPool1d(xc, { poolSize: 3, strides: 1 }).shape).toEqual([2, 2, 0]);
    expect(maxPool1dBackprop(tensor(new Float32Array(0), [2, 2, 0]), xc, { poolSize: 3, strides: 1 }).shape).toEqual([2, 4, 0]);
    expect(globalMaxPool(xc).shape).toEqual([2, 0]);
    expect(globalAvgPoolBackprop(tensor(new Float32Array(0), [0, 3]), [0, 2, 2, 3]).shape).toEqual([0, 2, 2, 3]);
  });

  test('poolOutputShape matches the ops', () => {
    expect(poolOutputShape([32, 28, 28, 16], { poolSize: 2 })).toEqual([32, 14, 14, 16]);
    expect(poolOutputShape([4, 7, 3], { poolSize: 2, strides: 2, padding: 'same' })).toEqual([4, 4, 3]);
    expect(poolOutputShape([1, 5, 6, 7, 2], { poolSize: [2, 3, 4], strides: 1 })).toEqual([1, 4, 4, 4, 2]);
    const x = tensor(randomData(1 * 5 * 6 * 7 * 2, 5), [1, 5, 6, 7, 2]);
    expect(avgPool3d(x, { poolSize: [2, 3, 4], strides: 1 }).shape).toEqual([1, 4, 4, 4, 2]);
  });
});

// ---------------------------------------------------------------------------------------------
// Gradients by central finite differences (loss = Σ r·y with fixed random r)
// ---------------------------------------------------------------------------------------------

describe('pool ops: gradients by central finite differences', () => {
  const EPS = 1 / 64; // exact in float32; the data grid (1/8) keeps every max unique under ±EPS

  function fdCheck(forward: (x: Tensor) => Tensor, backward: (r: Tensor, x: Tensor) => Tensor, shape: number[], seed: number): void {
    const n = shape.reduce((a, b) => a * b);
    const x = tensor(distinctData(n, seed), shape);
    const y0 = forward(x);
    const r = tensor(randomData(y0.size, seed + 1), y0.shape as number[]);
    const loss = (t: Tensor): number => {
      const y = forward(t).data;
      let s = 0;
      for (let i = 0; i < y.length; i++) s += r.data[i] * y[i];
      return s;
    };
    const analytic = backward(r, x).data;
    const numeric = new Float64Array(n);
    const xp = x.clone();
    for (let i = 0; i < n; i++) {
      const v = x.data[i];
      xp.data[i] = v + EPS; const lp = loss(xp);
      xp.data[i] = v - EPS; const lm = loss(xp);
      xp.data[i] = v;
      numeric[i] = (lp - lm) / (2 * EPS);
    }
    expectClose(analytic, numeric, 1e-4, `gradient x=[${shape}]`);
  }

  const cases: { rank: Rank; shape: number[]; opts: PoolOptions }[] = [
    { rank: 1, shape: [2, 9, 2], opts: { poolSize: 3, strides: 2, padding: 'valid' } },
    { rank: 1, shape: [1, 7, 3], opts: { poolSize: 4, strides: 3, padding: 'same' } },
    { rank: 1, shape: [1, 3, 2], opts: { poolSize: 5, strides: 1, padding: 'same' } },
    { rank: 2, shape: [2, 5, 5, 2], opts: { poolSize: 2, strides: 2, padding: 'same' } },
    { rank: 2, shape: [1, 7, 6, 2], opts: { poolSize: [3, 2], strides: 1, padding: 'valid' } },
    { rank: 2, shape: [1, 5, 7, 1], opts: { poolSize: 3, strides: [4, 2], padding: 'same' } },
    { rank: 3, shape: [1, 3, 4, 5, 2], opts: { poolSize: 2, strides: 1, padding: 'same' } },
    { rank: 3, shape: [2, 4, 3, 5, 1], opts: { poolSize: [2, 3, 2], strides: [2, 1, 3], padding: 'valid' } },
  ];
  const label = (c: (typeof cases)[number]): string =>
    `x=[${c.shape}] k=${JSON.stringify(c.opts.poolSize)} s=${JSON.stringify(c.opts.strides)} p=${c.opts.padding}`;

  test.each(cases.map((c, i) => [label(c), c, i] as const))('maxPool gradient %s', (_l, c, i) => {
    fdCheck((x) => MAX[c.rank](x, c.opts), (r, x) => MAX_BACK[c.rank](r, x, c.opts), c.shape, 900 + i);
  });

  test.each(cases.map((c, i) => [label(c), c, i] as const))('avgPool gradient %s', (_l, c, i) => {
    fdCheck((x) => AVG[c.rank](x, c.opts), (r) => AVG_BACK[c.rank](r, c.shape, c.opts), c.shape, 950 + i);
  });

  test.each([[[2, 7, 3]], [[1, 3, 4, 2]], [[2, 2, 3, 2, 2]]])('globalMaxPool and globalAvgPool gradients x=%j', (shape) => {
    fdCheck(globalMaxPool, (r, x) => globalMaxPoolBackprop(r, x), shape, 990);
    fdCheck(globalAvgPool, (r) => globalAvgPoolBackprop(r, shape), shape, 991);
  });
});

// ---------------------------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------------------------

describe('pool ops: errors', () => {
  const x4 = tensor(new Float32Array(2 * 5 * 5 * 3), [2, 5, 5, 3]);

  test('throws when the input rank does not match the op', () => {
    expect(() => maxPool2d(tensor(new Float32Array(28 * 28), [28, 28]), { poolSize: 2 }))
      .toThrow(/^maxPool2d: input must be rank 4 \[batch, height, width, channels\], got shape \[28,28\]$/);
    expect(() => avgPool1d(x4, { poolSize: 2 })).toThrow(ShapeError);
    expect(() => avgPool1d(x4, { poolSize: 2 })).toThrow(/avgPool1d: input must be rank 3 \[batch, width, channels\], got shape \[2,5,5,3\]/);
    expect(() => maxPool3d(x4, { poolSize: 2 })).toThrow(/maxPool3d: input must be rank 5 \[batch, depth, height, width, channels\], got shape \[2,5,5,3\]/);
  });

  test('throws when poolSize is not a positive integer or has the wrong length', () => {
    expect(() => maxPool2d(x4, { poolSize: 0 })).toThrow(ConfigError);
    expect(() => maxPool2d(x4, { poolSize: 0 })).toThrow(/maxPool2d: poolSize must be a positive integer or an array of 2 positive integers, got 0/);
    expect(() => avgPool2d(x4, { poolSize: 1.5 })).toThrow(/avgPool2d: poolSize .* got 1\.5/);
    expect(() => avgPool2d(x4, { poolSize: [2, -1] })).toThrow(/avgPool2d: poolSize .* got \[2,-1\]/);
    expect(() => avgPool2d(x4, { poolSize: [2, 2, 2] })).toThrow(/avgPool2d: poolSize must be .*array of 2 positive integers, got \[2,2,2\]/);
    expect(() => maxPool1d(tensor(new Float32Array(6), [1, 6, 1]), { poolSize: NaN })).toThrow(/maxPool1d: poolSize .* got NaN/);
    expect(() => maxPool2d(x4, { poolSize: '2' as unknown as number })).toThrow(/maxPool2d: poolSize .* got "2"/);
  });

  test('throws when poolSize or the options are missing', () => {
    expect(() => maxPool2d(x4, {} as PoolOptions)).toThrow(/maxPool2d: poolSize is required/);
    expect(() => maxPool2d(x4, undefined as unknown as PoolOptions)).toThrow(ConfigError);
    expect(() => maxPool2d(x4, undefined as unknown as PoolOptions)).toThrow(/maxPool2d: options must be an object/);
  });

  test('throws when strides are not positive integers', () => {
    expect(() => maxPool2d(x4, { poolSize: 2, strides: 0 })).toThrow(ConfigError);
    expect(() => maxPool2d(x4, { poolSize: 2, strides: 0 })).toThrow(/maxPool2d: strides must be a positive integer or an array of 2 positive integers, got 0/);
    expect(() => avgPool3d(tensor(new Float32Array(8), [1, 2, 2, 2, 1]), { poolSize: 1, strides: [1, 1] }))
      .toThrow(/avgPool3d: strides must be .*3 positive integers, got \[1,1\]/);
  });

  test("throws when padding is 'causal' or unknown", () => {
    const causal = { poolSize: 2, padding: 'causal' } as unknown as PoolOptions;
    expect(() => maxPool1d(tensor(new Float32Array(6), [1, 6, 1]), causal)).toThrow(ConfigError);
    expect(() => maxPool1d(tensor(new Float32Array(6), [1, 6, 1]), causal))
      .toThrow(/maxPool1d: padding must be 'valid' or 'same', got "causal" \(causal padding exists for conv1d only\)/);
    expect(() => avgPool2d(x4, { poolSize: 2, padding: 'full' as 'same' })).toThrow(/avgPool2d: padding must be 'valid' or 'same', got "full"/);
  });

  test('throws when the output would be empty (pool larger than the input with valid, or an empty spatial axis)', () => {
    expect(() => maxPool2d(x4, { poolSize: [6, 2] })).toThrow(ShapeError);
    expect(() => maxPool2d(x4, { poolSize: [6, 2] }))
      .toThrow(/maxPool2d: output would be empty: input \[2,5,5,3\] with poolSize \[6,2\], strides \[6,2\] and padding 'valid' gives spatial output \[0,2\]/);
    expect(() => avgPool1d(tensor(new Float32Array(0), [1, 0, 2]), { poolSize: 1, padding: 'same' }))
      .toThrow(/avgPool1d: output would be empty: .*spatial output \[0\]/);
  });

  test('throws when dy does not have the forward output shape', () => {
    const dy = tensor(new Float32Array(2 * 2 * 2 * 3), [2, 2, 2, 3]);
    expect(() => maxPool2dBackprop(dy, x4, { poolSize: 2, padding: 'same' })).toThrow(ShapeError);
    expect(() => maxPool2dBackprop(dy, x4, { poolSize: 2, padding: 'same' }))
      .toThrow(/maxPool2dBackprop: dy must have shape \[2,3,3,3\] \(the forward output for x \[2,5,5,3\]\), got shape \[2,2,2,3\]/);
    expect(() => avgPool2dBackprop(dy, [2, 5, 5, 3], { poolSize: 2, padding: 'same' }))
      .toThrow(/avgPool2dBackprop: dy must have shape \[2,3,3,3\] \(the forward output for inputShape \[2,5,5,3\]\), got shape \[2,2,2,3\]/);
    expect(() => maxPool1dBackprop(tensor(new Float32Array(3), [1, 3]), tensor(new Float32Array(6), [1, 6, 1]), { poolSize: 2 }))
      .toThrow(/maxPool1dBackprop: dy must have shape \[1,3,1\]/);
  });

  test('throws when the backprop x or inputShape is wrong', () => {
    const dy = tensor(new Float32Array(12), [2, 2, 3]);
    expect(() => maxPool2dBackprop(dy, tensor(new Float32Array(12), [2, 2, 3]), { poolSize: 1 }))
      .toThrow(/maxPool2dBackprop: x must be rank 4 \[batch, height, width, channels\], got shape \[2,2,3\]/);
    expect(() => avgPool1dBackprop(dy, [2, -2, 3], { poolSize: 1 }))
      .toThrow(/avgPool1dBackprop: inputShape must be an array of non-negative integers, got \[2,-2,3\]/);
    expect(() => avgPool3dBackprop(dy, [2, 2, 3], { poolSize: 1 }))
      .toThrow(/avgPool3dBackprop: inputShape must be rank 5 \[batch, depth, height, width, channels\], got shape \[2,2,3\]/);
  });

  test('throws when x or dy is not a Tensor', () => {
    expect(() => maxPool2d([[1]] as unknown as Tensor, { poolSize: 1 })).toThrow(ValueError);
    expect(() => maxPool2d([[1]] as unknown as Tensor, { poolSize: 1 })).toThrow(/maxPool2d: x must be a Tensor, got \[\[1\]\]/);
    expect(() => avgPool2dBackprop(null as unknown as Tensor, [1, 2, 2, 1], { poolSize: 1 })).toThrow(/avgPool2dBackprop: dy must be a Tensor, got null/);
    expect(() => globalAvgPool(undefined as unknown as Tensor)).toThrow(/globalAvgPool: x must be a Tensor, got undefined/);
  });

  test('throws when global pooling gets the wrong rank, an empty spatial axis or a wrong dy', () => {
    expect(() => globalAvgPool(tensor(new Float32Array(6), [2, 3]))).toThrow(ShapeError);
    expect(() => globalAvgPool(tensor(new Float32Array(6), [2, 3])))
      .toThrow(/globalAvgPool: x must be rank 3, 4 or 5 \[batch, \.\.\.spatial, channels\], got shape \[2,3\]/);
    expect(() => globalMaxPool(tensor(new Float32Array(64), [1, 2, 2, 2, 2, 4]))).toThrow(/globalMaxPool: x must be rank 3, 4 or 5/);
    expect(() => globalMaxPool(tensor(new Float32Array(0), [2, 0, 3])))
      .toThrow(/globalMaxPool: x must have every spatial size >= 1 \(nothing to pool\), got shape \[2,0,3\]/);
    expect(() => globalAvgPoolBackprop(tensor(new Float32Array(6), [3, 2]), [2, 4, 3]))
      .toThrow(/globalAvgPoolBackprop: dy must have shape \[2,3\] \(the forward output for inputShape \[2,4,3\]\), got shape \[3,2\]/);
    expect(() => globalMaxPoolBackprop(tensor(new Float32Array(6), [2, 3, 1]), tensor(new Float32Array(24), [2, 4, 3])))
      .toThrow(/globalMaxPoolBackprop: dy must have shape \[2,3\] \(the forward output for x \[2,4,3\]\), got shape \[2,3,1\]/);
    expect(() => globalAvgPoolBackprop(tensor(new Float32Array(6), [2, 3]), [2, 3]))
      .toThrow(/globalAvgPoolBackprop: inputShape must be rank 3, 4 or 5/);
  });

  test('throws when poolOutputShape gets a bad shape or options', () => {
    expect(() => poolOutputShape([1, 2], { poolSize: 1 })).toThrow(/poolOutputShape: inputShape must be rank 3, 4 or 5/);
    expect(() => poolOutputShape([1, 2, 2, 1], { poolSize: 3 })).toThrow(/poolOutputShape: output would be empty: inputShape \[1,2,2,1\]/);
    expect(() => poolOutputShape([1, 2.5, 1], { poolSize: 1 })).toThrow(/poolOutputShape: inputShape must be an array of non-negative integers/);
  });
});
