/**
 * transpose, concat, slice, oneHot against references that compute each output element's source
 * index by div/mod arithmetic.
 */
import { Tensor, tensor } from '../lib/tensor';
import { transpose, concat, slice, oneHot } from '../lib/ops/transform';
import { ConfigError, ShapeError, ValueError } from '../lib/errors';

function size(shape: readonly number[]): number {
  return shape.reduce((p, d) => p * d, 1);
}

/** Values 0, 1, 2, … so every element is distinguishable. */
function iota(shape: number[], start = 0): Tensor {
  const data = new Float32Array(size(shape));
  for (let i = 0; i < data.length; i++) data[i] = start + i;
  return new Tensor(data, shape);
}

function unravel(flat: number, shape: readonly number[]): number[] {
  const idx = new Array<number>(shape.length);
  for (let d = shape.length - 1; d >= 0; d--) {
    idx[d] = flat % shape[d];
    flat = Math.floor(flat / shape[d]);
  }
  return idx;
}

function ravel(idx: number[], shape: readonly number[]): number {
  let flat = 0;
  for (let d = 0; d < shape.length; d++) flat = flat * shape[d] + idx[d];
  return flat;
}

function permutations(n: number): number[][] {
  if (n === 0) return [[]];
  const out: number[][] = [];
  for (const p of permutations(n - 1)) for (let i = 0; i <= p.length; i++) out.push([...p.slice(0, i), n - 1, ...p.slice(i)]);
  return out;
}

function refTranspose(x: Tensor, perm: number[]): { shape: number[]; data: number[] } {
  const shape = perm.map((p) => x.shape[p]);
  const data: number[] = [];
  for (let f = 0; f < size(shape); f++) {
    const o = unravel(f, shape);
    const src = new Array<number>(x.rank);
    perm.forEach((p, d) => { src[p] = o[d]; });
    data.push(x.data[ravel(src, x.shape)]);
  }
  return { shape, data };
}

describe('transpose', () => {
  test.each([[[2, 3, 4]], [[1, 3, 1]], [[4, 1, 5]], [[2, 3, 4, 5]], [[3, 1, 2, 2]]])('every permutation of x=%j matches the index reference', (shape) => {
    const x = iota(shape as number[]);
    for (const perm of permutations(x.rank)) {
      const ref = refTranspose(x, perm);
      const y = transpose(x, perm);
      expect({ perm, shape: y.shape }).toEqual({ perm, shape: ref.shape });
      expect({ perm, data: Array.from(y.data) }).toEqual({ perm, data: ref.data });
    }
  });

  test('default perm reverses the axes: [2,3,4] → [4,3,2]; rank 1 and rank 0 are copies', () => {
    const x = iota([2, 3, 4]);
    const y = transpose(x);
    expect(y.shape).toEqual([4, 3, 2]);
    expect(Array.from(y.data)).toEqual(refTranspose(x, [2, 1, 0]).data);
    expect(transpose(tensor([1, 2, 3])).toArray()).toEqual([1, 2, 3]);
    expect(transpose(tensor(7)).toArray()).toBe(7);
    expect(transpose(tensor([[1, 2, 3], [4, 5, 6]])).toArray()).toEqual([[1, 4], [2, 5], [3, 6]]);
  });

  test.each([[[70, 33]], [[33, 70]], [[3, 65, 40]], [[64, 64]]])('tiled path x=%j with perm swapping the last two axes', (shape) => {
    const x = iota(shape as number[]);
    const perm = [...Array(x.rank).keys()];
    [perm[x.rank - 2], perm[x.rank - 1]] = [perm[x.rank - 1], perm[x.rank - 2]];
    expect(Array.from(transpose(x, perm).data)).toEqual(refTranspose(x, perm).data);
  });

  test('the result owns its buffer; NaN is moved like any value; empty tensors work', () => {
    const x = tensor([[NaN, 1], [2, Infinity]]);
    const y = transpose(x);
    expect(Array.from(y.data)).toEqual([NaN, 2, 1, Infinity]);
    expect(y.data.buffer).not.toBe(x.data.buffer);
    expect(transpose(new Tensor(new Float32Array(0), [0, 3])).shape).toEqual([3, 0]);
  });

  test('throws when perm is not a permutation of the axes', () => {
    const x = iota([2, 3, 4]);
    for (const bad of [[0, 1], [0, 1, 1], [0, 1, 3], [0, 1, -1], [0, 1, 2.5]]) {
      expect(() => transpose(x, bad)).toThrow(ValueError);
      expect(() => transpose(x, bad)).toThrow(/^transpose: perm must be a permutation of \[0\.\.2\] for x shape \[2,3,4\], got \[/);
    }
    expect(() => transpose('x' as unknown as Tensor)).toThrow(/^transpose: x must be a Tensor, got "x"/);
  });
});

describe('concat', () => {
  function refConcat(xs: Tensor[], axis: number): { shape: number[]; data: number[] } {
    const shape = xs[0].shape.slice();
    shape[axis] = xs.reduce((s, t) => s + t.shape[axis], 0);
    const data: number[] = [];
    for (let f = 0; f < size(shape); f++) {
      const idx = unravel(f, shape);
      let t = 0;
      while (idx[axis] >= xs[t].shape[axis]) { idx[axis] -= xs[t].shape[axis]; t++; }
      data.push(xs[t].data[ravel(idx, xs[t].shape)]);
    }
    return { shape, data };
  }

  test.each([0, 1, 2, -1, -3])('three rank-3 tensors along axis %i', (axis) => {
    const ax = axis < 0 ? axis + 3 : axis;
    const shapes = [[2, 3, 4], [2, 3, 4], [2, 3, 4]].map((s, i) => s.map((d, j) => (j === ax ? d + i : d)));
    const xs = shapes.map((s, i) => iota(s, 1000 * i));
    const ref = refConcat(xs, ax);
    const y = concat(xs, axis);
    expect(y.shape).toEqual(ref.shape);
    expect(Array.from(y.data)).toEqual(ref.data);
  });

  test('long chunks (>= 64 values, copied with set) and a zero-size part', () => {
    const xs = [iota([3, 70]), new Tensor(new Float32Array(0), [3, 0]), iota([3, 80], 5000)];
    const y = concat(xs, 1);
    expect(y.shape).toEqual([3, 150]);
    expect(Array.from(y.data)).toEqual(refConcat(xs, 1).data);
  });

  test('a single tensor is copied; the default axis is 0', () => {
    const x = tensor([[1, 2]]);
    const y = concat([x]);
    expect(y.toArray()).toEqual([[1, 2]]);
    expect(y.data.buffer).not.toBe(x.data.buffer);
    expect(concat([x, tensor([[3, 4]])]).toArray()).toEqual([[1, 2], [3, 4]]);
  });

  test('throws when the list is empty, shapes disagree off the axis, ranks differ, or the axis is bad', () => {
    expect(() => concat([], 0)).toThrow(ValueError);
    expect(() => concat([], 0)).toThrow(/^concat: xs must be a non-empty array of tensors, got \[\]/);
    expect(() => concat([iota([2, 3]), iota([3, 3])], 1)).toThrow(ShapeError);
    expect(() => concat([iota([2, 3]), iota([3, 3])], 1)).toThrow(
      /^concat: xs\[1\] shape \[3,3\] does not match xs\[0\] shape \[2,3\] on the axes other than axis 1/,
    );
    expect(() => concat([iota([2, 3]), iota([2, 3, 1])], 0)).toThrow(/^concat: xs\[1\] shape \[2,3,1\] does not match xs\[0\] shape \[2,3\]/);
    expect(() => concat([iota([2, 3]), iota([2, 3])], 2)).toThrow(/^concat: axis 2 is out of range for a rank-2 tensor/);
    expect(() => concat([tensor(1), tensor(2)], 0)).toThrow(/^concat: tensors must have rank >= 1, got xs\[0\] shape \[\]/);
    expect(() => concat([iota([2]), [1, 2] as unknown as Tensor], 0)).toThrow(/^concat: xs\[1\] must be a Tensor, got \[1,2\]/);
  });
});

describe('slice', () => {
  function refSlice(x: Tensor, begin: number[], sz: number[]): { shape: number[]; data: number[] } {
    const shape = sz.map((s, d) => (s === -1 ? x.shape[d] - begin[d] : s));
    const data: number[] = [];
    for (let f = 0; f < size(shape); f++) {
      const idx = unravel(f, shape).map((i, d) => i + begin[d]);
      data.push(x.data[ravel(idx, x.shape)]);
    }
    return { shape, data };
  }

  test('every begin/size box of a [3,4,2,5] tensor on a grid (with -1 sizes) matches the reference', () => {
    const x = iota([3, 4, 2, 5]);
    let count = 0;
    for (const b0 of [0, 2]) for (const b1 of [0, 1, 3]) for (const b2 of [0, 1]) for (const b3 of [0, 2, 4]) {
      for (const s3 of [-1, 1]) for (const s1 of [-1, 0, 1]) {
        const begin = [b0, b1, b2, b3], sz = [1, s1, -1, s3];
        const ref = refSlice(x, begin, sz);
        const y = slice(x, begin, sz);
        expect({ begin, sz, shape: y.shape }).toEqual({ begin, sz, shape: ref.shape });
        expect({ begin, sz, data: Array.from(y.data) }).toEqual({ begin, sz, data: ref.data });
        count++;
      }
    }
    expect(count).toBe(2 * 3 * 2 * 3 * 2 * 3);
  });

  test('rows of >= 64 values (copied with set), rank-1 number arguments, size omitted, rank 0', () => {
    const x = iota([4, 100]);
    expect(Array.from(slice(x, [1, 10], [2, 80]).data)).toEqual(refSlice(x, [1, 10], [2, 80]).data);
    expect(slice(tensor([1, 2, 3, 4, 5]), 1, 3).toArray()).toEqual([2, 3, 4]);
    expect(slice(tensor([1, 2, 3, 4, 5]), 3).toArray()).toEqual([4, 5]);
    expect(slice(tensor([[1, 2], [3, 4]]), [1, 0]).toArray()).toEqual([[3, 4]]);
    expect(slice(tensor(9), [], []).toArray()).toBe(9);
    expect(slice(x, [4, 0], [0, -1]).shape).toEqual([0, 100]);
  });

  test('throws when begin/size are out of range or malformed', () => {
    const x = iota([3, 4]);
    expect(() => slice(x, [0, 5], [1, 1])).toThrow(ShapeError);
    expect(() => slice(x, [0, 5], [1, 1])).toThrow(/^slice: begin\[1\] = 5 is out of range for x shape \[3,4\] \(expected 0 <= begin <= 4\)/);
    expect(() => slice(x, [-1, 0], [1, 1])).toThrow(/^slice: begin\[0\] = -1 is out of range/);
    expect(() => slice(x, [1, 1], [3, 1])).toThrow(/^slice: size\[0\] = 3 with begin\[0\] = 1 runs past x shape \[3,4\] \(expected -1 or 0 <= size <= 2\)/);
    expect(() => slice(x, [1, 1], [1, -2])).toThrow(/^slice: size\[1\] = -2 with begin\[1\] = 1 runs past x shape \[3,4\]/);
    expect(() => slice(x, [1], [1, 1])).toThrow(ValueError);
    expect(() => slice(x, [1], [1, 1])).toThrow(/^slice: begin must be 2 integer\(s\), one per axis of x shape \[3,4\], got \[1\]/);
    expect(() => slice(x, [0, 0], [1, 0.5])).toThrow(/^slice: size must be 2 integer\(s\), one per axis of x shape \[3,4\], got \[1,0\.5\]/);
  });
});

describe('oneHot', () => {
  test('number[] indices [0,2,1] depth 3 → identity rows; Tensor [2,2] indices → shape [2,2,4]', () => {
    expect(oneHot([0, 2, 1], 3).toArray()).toEqual([[1, 0, 0], [0, 0, 1], [0, 1, 0]]);
    const idx = tensor([[3, 0], [1, 1]]);
    const y = oneHot(idx, 4);
    expect(y.shape).toEqual([2, 2, 4]);
    for (let f = 0; f < y.size; f++) {
      const [i, j, c] = unravel(f, [2, 2, 4]);
      expect(y.data[f]).toBe(idx.data[i * 2 + j] === c ? 1 : 0);
    }
    expect(oneHot([], 2).shape).toEqual([0, 2]);
    expect(oneHot(tensor(1), 2).toArray()).toEqual([0, 1]);
  });

  test('throws when an index is not an integer in [0, depth) (TF would give a zero row; Ridge refuses)', () => {
    expect(() => oneHot([0, 3], 3)).toThrow(ValueError);
    expect(() => oneHot([0, 3], 3)).toThrow(/^oneHot: indices\[1\] = 3 is not an integer in \[0, 3\)/);
    expect(() => oneHot([-1], 3)).toThrow(/^oneHot: indices\[0\] = -1 is not an integer in \[0, 3\)/);
    expect(() => oneHot(tensor([0, 1.5]), 3)).toThrow(/^oneHot: indices\[1\] = 1.5 is not an integer/);
    expect(() => oneHot([NaN], 3)).toThrow(/^oneHot: indices\[0\] = NaN is not an integer/);
  });

  test('throws when depth is not a positive integer or indices are not an array/Tensor', () => {
    expect(() => oneHot([0], 0)).toThrow(ConfigError);
    expect(() => oneHot([0], 0)).toThrow(/^oneHot: depth must be a positive integer, got 0/);
    expect(() => oneHot([0], 2.5)).toThrow(/^oneHot: depth must be a positive integer, got 2.5/);
    expect(() => oneHot('0' as unknown as number[], 2)).toThrow(/^oneHot: indices must be a Tensor or an array of integers, got "0"/);
  });
});
