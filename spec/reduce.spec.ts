/**
 * Reductions against a reference that visits every element, decomposes its index by div/mod and
 * adds it into the output cell whose reduced coordinates are zeroed.
 */
import { Tensor, tensor } from '../lib/tensor';
import { sum, mean, max, min, argMax } from '../lib/ops/reduce';
import { ShapeError, ValueError } from '../lib/errors';
import { Random } from '../lib/random';

function size(shape: readonly number[]): number {
  return shape.reduce((p, d) => p * d, 1);
}

function rand(shape: number[], seed: number): Tensor {
  const rng = new Random(seed);
  const data = new Float32Array(size(shape));
  for (let i = 0; i < data.length; i++) data[i] = Math.round((rng.uniform() * 20 - 10) * 8) / 8; // exact in float32
  return new Tensor(data, shape);
}

type Kind = 'sum' | 'mean' | 'max' | 'min';

function reference(x: Tensor, axes: number[], keepDims: boolean, kind: Kind): { shape: number[]; data: number[] } {
  const shape = x.shape, rank = shape.length;
  const kept = shape.map((d, i) => (axes.includes(i) ? 1 : d));
  const n = size(kept);
  const init = kind === 'max' ? -Infinity : kind === 'min' ? Infinity : 0;
  const acc = new Array<number>(n).fill(init);
  let count = 1;
  for (const a of axes) count *= shape[a];
  for (let flat = 0; flat < x.size; flat++) {
    let rem = flat, o = 0, so = 1;
    for (let d = rank - 1; d >= 0; d--) {
      const i = rem % shape[d];
      rem = Math.floor(rem / shape[d]);
      o += (axes.includes(d) ? 0 : i) * so;
      so *= kept[d];
    }
    const v = x.data[flat];
    if (kind === 'max') acc[o] = Number.isNaN(v) || Number.isNaN(acc[o]) ? NaN : Math.max(acc[o], v);
    else if (kind === 'min') acc[o] = Number.isNaN(v) || Number.isNaN(acc[o]) ? NaN : Math.min(acc[o], v);
    else acc[o] += v;
  }
  const data = kind === 'mean' ? acc.map((v) => v / count) : acc;
  return { shape: keepDims ? kept : shape.filter((_, i) => !axes.includes(i)), data: data.map(Math.fround) };
}

const OPS: Record<Kind, (x: Tensor, axis?: number | number[], keepDims?: boolean) => Tensor> = { sum, mean, max, min };

function expectMatches(y: Tensor, ref: { shape: number[]; data: number[] }, ctx: string): void {
  expect({ ctx, shape: y.shape }).toEqual({ ctx, shape: ref.shape });
  for (let i = 0; i < ref.data.length; i++) {
    const a = y.data[i], e = ref.data[i];
    const ok = Number.isNaN(e) ? Number.isNaN(a) : Math.abs(a - e) <= 1e-6 * Math.max(1, Math.abs(e));
    if (!ok) throw new Error(`${ctx}: index ${i}: got ${a}, expected ${e}`);
  }
}

function subsets(n: number): number[][] {
  const out: number[][] = [];
  for (let mask = 0; mask < 1 << n; mask++) out.push([...Array(n).keys()].filter((i) => mask & (1 << i)));
  return out;
}

describe('sum/mean/max/min over every axis combination of a rank-4 tensor', () => {
  const shapes = [[2, 3, 4, 5], [3, 1, 4, 2], [1, 6, 1, 7]];
  for (const shape of shapes) {
    const x = rand(shape, shape.join('').length * 31 + shape[0]);
    for (const kind of ['sum', 'mean', 'max', 'min'] as Kind[]) {
      test(`${kind} x=[${shape}] all 16 axis sets × keepDims false/true, axes given as listed, negative and single number`, () => {
        for (const axes of subsets(4)) {
          for (const keepDims of [false, true]) {
            const ref = reference(x, axes, keepDims, kind);
            const ctx = `${kind} x=[${shape}] axes=[${axes}] keepDims=${keepDims}`;
            expectMatches(OPS[kind](x, axes, keepDims), ref, ctx);
            // Negative spelling, reversed order: same result.
            expectMatches(OPS[kind](x, axes.map((a) => a - 4).reverse(), keepDims), ref, `${ctx} (negative axes)`);
            if (axes.length === 1) expectMatches(OPS[kind](x, axes[0], keepDims), ref, `${ctx} (number)`);
          }
        }
      });
    }
  }

  test('no axis reduces everything to shape [] (keepDims false) or [1,1,1,1] (true)', () => {
    const x = rand([2, 3, 4, 5], 9);
    const total = Array.from(x.data).reduce((a, b) => a + b, 0);
    expect(sum(x).shape).toEqual([]);
    expect(sum(x).toArray()).toBeCloseTo(total, 3);
    expect(sum(x, undefined, true).shape).toEqual([1, 1, 1, 1]);
    expect(mean(x).toArray()).toBeCloseTo(total / 120, 5);
    expect(max(x).toArray()).toBe(Math.max(...Array.from(x.data)));
    expect(min(x).toArray()).toBe(Math.min(...Array.from(x.data)));
  });

  test('rank 0 and rank 1: sum(scalar) = scalar, sum([1..4]) = 10, mean = 2.5', () => {
    expect(sum(tensor(3)).toArray()).toBe(3);
    expect(sum(tensor(3)).shape).toEqual([]);
    expect(sum(tensor([1, 2, 3, 4])).toArray()).toBe(1 + 2 + 3 + 4);
    expect(mean(tensor([1, 2, 3, 4]), 0).toArray()).toBe((1 + 2 + 3 + 4) / 4);
    expect(max(tensor([-3, -1, -2]), -1, true).toArray()).toEqual([-1]);
  });

  test('sum accumulates in float64: 1e6 ones plus 1e8 sums exactly', () => {
    const data = new Float32Array(1_000_001).fill(1);
    data[0] = 1e8;
    expect(sum(new Tensor(data, [data.length])).toArray()).toBe(1e8 + 1e6);
  });

  test('NaN propagates through sum/mean/max/min; ±Infinity follows IEEE', () => {
    const x = tensor([[1, NaN, 3], [4, 5, 6], [-Infinity, 0, Infinity], [NaN, 2, 1]]);
    expect(Array.from(sum(x, 1).data)).toEqual([NaN, 15, NaN, NaN]);
    expect(Array.from(max(x, 1).data)).toEqual([NaN, 6, Infinity, NaN]);
    expect(Array.from(min(x, 1).data)).toEqual([NaN, 4, -Infinity, NaN]);
    expect(Array.from(max(x, 0).data)).toEqual([NaN, NaN, Infinity]);
    expect(Array.from(mean(x, 0).data)).toEqual([NaN, NaN, Infinity]);
    expect(Number.isNaN(max(x).toArray() as number)).toBe(true);
  });

  test('empty axes: sum over size 0 gives 0, mean gives NaN (0/0); an empty result shape is fine', () => {
    const x = new Tensor(new Float32Array(0), [0, 3]);
    expect(Array.from(sum(x, 0).data)).toEqual([0, 0, 0]);
    expect(Array.from(mean(x, 0).data)).toEqual([NaN, NaN, NaN]);
    expect(sum(x, 1).shape).toEqual([0]);
    expect(max(x, 1).shape).toEqual([0]);
  });

  test('throws when max/min reduce over an empty axis', () => {
    const x = new Tensor(new Float32Array(0), [0, 3]);
    expect(() => max(x, 0)).toThrow(ShapeError);
    expect(() => max(x, 0)).toThrow(/^max: cannot reduce over an empty axis \(x shape \[0,3\], axes \[0\]\)/);
    expect(() => min(x)).toThrow(/^min: cannot reduce over an empty axis/);
  });

  test.each(['sum', 'mean', 'max'] as Kind[])('%s throws when axes repeat, are out of range or not integers', (kind) => {
    const x = rand([2, 3, 4, 5], 3);
    const op = OPS[kind];
    expect(() => op(x, [1, 1])).toThrow(ValueError);
    expect(() => op(x, [1, 1])).toThrow(new RegExp(`^${kind}: axis \\[1,1\\] contains axis 1 more than once`));
    expect(() => op(x, [1, -3])).toThrow(new RegExp(`^${kind}: axis \\[1,-3\\] contains axis 1 more than once`));
    expect(() => op(x, 4)).toThrow(ShapeError);
    expect(() => op(x, 4)).toThrow(new RegExp(`^${kind}: axis 4 is out of range for a rank-4 tensor \\(expected -4 <= axis < 4\\)`));
    expect(() => op(x, [0, -5])).toThrow(new RegExp(`^${kind}: axis -5 is out of range`));
    expect(() => op(x, 0.5)).toThrow(new RegExp(`^${kind}: axis must be an integer, got 0.5`));
    expect(() => op(x, '1' as unknown as number)).toThrow(new RegExp(`^${kind}: axis must be an integer or an array of integers, got "1"`));
    expect(() => op(tensor(1), 0)).toThrow(new RegExp(`^${kind}: axis 0 is out of range for a rank-0 tensor`));
    expect(() => op([1, 2] as unknown as Tensor)).toThrow(new RegExp(`^${kind}: x must be a Tensor`));
  });
});

describe('argMax', () => {
  function refArgMax(x: Tensor, axis: number): { shape: number[]; data: number[] } {
    const shape = x.shape;
    const inner = size(shape.slice(axis + 1)), len = shape[axis], outer = x.size / (len * inner);
    const data: number[] = [];
    for (let o = 0; o < outer; o++) {
      for (let i = 0; i < inner; i++) {
        let best = 0;
        for (let j = 1; j < len; j++) {
          const v = x.data[(o * len + j) * inner + i], b = x.data[(o * len + best) * inner + i];
          if (Number.isNaN(b)) break;
          if (Number.isNaN(v) || v > b) best = j;
        }
        data.push(best);
      }
    }
    return { shape: shape.filter((_, d) => d !== axis), data };
  }

  const x = rand([3, 4, 5], 17);
  test.each([0, 1, 2, -1, -2, -3])('argMax x=[3,4,5] axis=%i matches a first-maximum scan', (axis) => {
    const ax = axis < 0 ? axis + 3 : axis;
    const ref = refArgMax(x, ax);
    const y = argMax(x, axis);
    expect(y.shape).toEqual(ref.shape);
    expect(y.data).toBeInstanceOf(Float32Array);
    expect(Array.from(y.data)).toEqual(ref.data);
  });

  test('argMax default axis is -1; ties give the first maximum', () => {
    expect(Array.from(argMax(tensor([[1, 3, 3], [7, 7, 7], [0, -1, 0]])).data)).toEqual([1, 0, 0]);
  });

  test('argMax: a NaN counts as the maximum, the first NaN wins; -Infinity rows give 0', () => {
    expect(Array.from(argMax(tensor([[1, NaN, 5, NaN], [-Infinity, -Infinity, -Infinity, -Infinity], [NaN, 9, 9, 9]])).data))
      .toEqual([1, 0, 0]);
  });

  test('throws when argMax gets a scalar, a bad axis or an empty axis', () => {
    expect(() => argMax(tensor(1))).toThrow(/^argMax: x must have rank >= 1, got a scalar/);
    expect(() => argMax(x, 3)).toThrow(/^argMax: axis 3 is out of range for a rank-3 tensor/);
    expect(() => argMax(x, [0] as unknown as number)).toThrow(/^argMax: axis must be an integer, got \[0\]/);
    expect(() => argMax(new Tensor(new Float32Array(0), [2, 0]))).toThrow(/^argMax: cannot take argMax over an empty axis \(x shape \[2,0\], axis 1\)/);
  });
});
