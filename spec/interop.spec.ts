/**
 * ndarray interop with the real scijs `ndarray` package (a dev dependency; lib/ never imports it).
 * The reference reads every view element through ndarray's own `get(...)`.
 */
import ndarray from 'ndarray';
import { Tensor, tensor } from '../lib/tensor';
import { fromNdarray, toNdarray, NdarrayLike } from '../lib/interop/ndarray';
import { ValueError } from '../lib/errors';

function viaGet(nd: ndarray.NdArray): number[] {
  const out: number[] = [];
  const shape = nd.shape;
  const n = shape.reduce((p, d) => p * d, 1);
  for (let f = 0; f < n; f++) {
    const idx = new Array<number>(shape.length);
    let rem = f;
    for (let d = shape.length - 1; d >= 0; d--) { idx[d] = rem % shape[d]; rem = Math.floor(rem / shape[d]); }
    out.push(Math.fround(nd.get(...idx)));
  }
  return out;
}

function expectView(nd: ndarray.NdArray, ctx: string): Tensor {
  const t = fromNdarray(nd as unknown as NdarrayLike);
  expect({ ctx, shape: t.shape }).toEqual({ ctx, shape: nd.shape });
  expect({ ctx, data: Array.from(t.data) }).toEqual({ ctx, data: viaGet(nd) });
  return t;
}

function base(shape: number[], Ctor: Float32ArrayConstructor | Float64ArrayConstructor = Float64Array): ndarray.NdArray {
  const n = shape.reduce((p, d) => p * d, 1);
  const data = new Ctor(n);
  for (let i = 0; i < n; i++) data[i] = i * 1.5 - 7;
  return ndarray(data, shape);
}

describe('fromNdarray with real ndarray views', () => {
  test('contiguous [3,4] Float64Array and [2,3,4] Float32Array', () => {
    expectView(base([3, 4]), 'contiguous [3,4]');
    expectView(base([2, 3, 4], Float32Array), 'contiguous [2,3,4]');
  });

  test('transposed view nd.transpose(1,0) of [3,4] → [4,3] column-major read', () => {
    const nd = base([3, 4]);
    const t = expectView(nd.transpose(1, 0), 'transpose(1,0)');
    expect(t.shape).toEqual([4, 3]);
    expect(t.toArray()).toEqual([0, 1, 2, 3].map((j) => [0, 1, 2].map((i) => i * 4 * 1.5 + j * 1.5 - 7)));
  });

  test('rank-3 transpose(2,0,1) view', () => {
    expectView(base([2, 3, 4]).transpose(2, 0, 1), 'transpose(2,0,1)');
  });

  test('stepped view with offset: nd.hi(5,6).lo(1,2).step(2,3) of [6,7]', () => {
    const nd = base([6, 7]).hi(5, 6).lo(1, 2).step(2, 3);
    expect(nd.offset).toBeGreaterThan(0);
    const t = expectView(nd, 'hi.lo.step');
    expect(t.shape).toEqual([2, 2]); // rows 1,3 ; columns 2,5
  });

  test('negative steps: step(-1,-2) and step(1,-1) views', () => {
    expectView(base([4, 5]).step(-1, -2), 'step(-1,-2)');
    const t = expectView(base([2, 3]).step(1, -1), 'step(1,-1)');
    expect(t.toArray()).toEqual([[2, 1, 0].map((j) => j * 1.5 - 7), [5, 4, 3].map((j) => j * 1.5 - 7)]);
  });

  test('a picked sub-array (pick(1) of [3,4,5]) and a rank-0 pick', () => {
    expectView(base([3, 4, 5]).pick(1), 'pick(1)');
    const scalar = base([3, 4]).pick(2, 1);
    const t = fromNdarray(scalar as unknown as NdarrayLike);
    expect(t.shape).toEqual([]);
    expect(t.toArray()).toBe((2 * 4 + 1) * 1.5 - 7);
  });

  test('plain-Array data, contiguous and transposed', () => {
    const nd = ndarray([1, 2, 3, 4, 5, 6], [2, 3]);
    expect(fromNdarray(nd as unknown as NdarrayLike).toArray()).toEqual([[1, 2, 3], [4, 5, 6]]);
    expect(fromNdarray(nd.transpose(1, 0) as unknown as NdarrayLike).toArray()).toEqual([[1, 4], [2, 5], [3, 6]]);
  });

  test('other typed arrays (Int32Array, Uint8Array) are converted to float32; NaN/Infinity kept', () => {
    expect(fromNdarray(ndarray(new Int32Array([-3, 7]), [2]) as unknown as NdarrayLike).toArray()).toEqual([-3, 7]);
    expect(fromNdarray(ndarray(new Uint8Array([255, 0, 1, 2]), [2, 2]) as unknown as NdarrayLike).toArray()).toEqual([[255, 0], [1, 2]]);
    expect(Array.from(fromNdarray(ndarray(new Float64Array([NaN, Infinity]), [2]) as unknown as NdarrayLike).data)).toEqual([NaN, Infinity]);
  });

  test('the tensor is a copy: writing the ndarray afterwards does not change it', () => {
    const nd = base([2, 2]);
    const t = fromNdarray(nd as unknown as NdarrayLike);
    nd.set(0, 0, 100);
    expect(t.data[0]).toBe(-7);
  });

  test('a hand-written ndarray-like object (no package) works', () => {
    const t = fromNdarray({ data: [9, 8, 7, 6, 5, 4], shape: [2, 2], stride: [-2, 1], offset: 4 });
    expect(t.toArray()).toEqual([[5, 4], [7, 6]]);
  });
});

describe('toNdarray', () => {
  test('round trip: toNdarray(t, ndarray) gives a Float32Array-backed copy with the same shape and values', () => {
    const t = tensor([[1, 2, 3], [4, 5, 6]]);
    const nd = toNdarray(t, ndarray);
    expect(nd.shape).toEqual([2, 3]);
    expect(nd.data).toBeInstanceOf(Float32Array);
    expect(nd.data).not.toBe(t.data);
    expect(nd.get(1, 2)).toBe(6);
    nd.set(0, 0, 42);
    expect(t.data[0]).toBe(1);
    expect(fromNdarray(nd as unknown as NdarrayLike).toArray()).toEqual([[42, 2, 3], [4, 5, 6]]);
  });

  test('round trip through a transposed view of the result', () => {
    const t = tensor([[1, 2], [3, 4], [5, 6]]);
    const back = fromNdarray(toNdarray(t, ndarray).transpose(1, 0) as unknown as NdarrayLike);
    expect(back.toArray()).toEqual([[1, 3, 5], [2, 4, 6]]);
  });

  test('returns exactly what the factory returns, called as factory(data, shape)', () => {
    const calls: unknown[][] = [];
    const sentinel = { tag: 'mine' };
    const out = toNdarray(tensor([1, 2]), (data, shape) => { calls.push([data, shape]); return sentinel; });
    expect(out).toBe(sentinel);
    expect(calls.length).toBe(1);
    expect(Array.from(calls[0][0] as Float32Array)).toEqual([1, 2]);
    expect(calls[0][1]).toEqual([2]);
  });

  test('throws when the factory is not a function or t is not a Tensor', () => {
    expect(() => toNdarray(tensor([1]), 5 as unknown as () => unknown)).toThrow(ValueError);
    expect(() => toNdarray(tensor([1]), 5 as unknown as () => unknown)).toThrow(/^toNdarray: ndarrayFactory must be a function like scijs ndarray\(data, shape\), got 5/);
    expect(() => toNdarray([1] as unknown as Tensor, ndarray)).toThrow(/^toNdarray: t must be a Tensor, got \[1\]/);
  });
});

describe('fromNdarray errors', () => {
  const ok = { data: [1, 2, 3, 4], shape: [2, 2], stride: [2, 1], offset: 0 };
  test('throws when the object is missing fields, naming them', () => {
    expect(() => fromNdarray(null as unknown as NdarrayLike)).toThrow(ValueError);
    expect(() => fromNdarray(null as unknown as NdarrayLike)).toThrow(/^fromNdarray: nd must be an ndarray-like object with data, shape, stride and offset, got null/);
    expect(() => fromNdarray({ data: [1] } as unknown as NdarrayLike)).toThrow(/^fromNdarray: nd is missing shape, stride, offset/);
    expect(() => fromNdarray({ ...ok, stride: undefined } as unknown as NdarrayLike)).toThrow(/^fromNdarray: nd is missing stride/);
  });

  test('throws when data, shape, stride or offset are malformed', () => {
    expect(() => fromNdarray({ ...ok, data: 'abcd' } as unknown as NdarrayLike)).toThrow(/^fromNdarray: nd.data must be a typed array or an Array of numbers, got "abcd"/);
    expect(() => fromNdarray({ ...ok, shape: [2, -2] })).toThrow(/^fromNdarray: nd.shape must be an array of non-negative integers, got \[2,-2\]/);
    expect(() => fromNdarray({ ...ok, stride: [2] })).toThrow(/^fromNdarray: nd.stride must be 2 integer\(s\), one per axis of shape \[2,2\], got \[2\]/);
    expect(() => fromNdarray({ ...ok, offset: 0.5 })).toThrow(/^fromNdarray: nd.offset must be an integer, got 0.5/);
  });

  test('throws when the view reads outside the data', () => {
    expect(() => fromNdarray({ ...ok, offset: 1 })).toThrow(/^fromNdarray: the view \(shape \[2,2\], stride \[2,1\], offset 1\) reads positions 1\.\.4, outside nd.data of length 4/);
    expect(() => fromNdarray({ ...ok, stride: [-2, 1] })).toThrow(/reads positions -2\.\.1, outside nd.data of length 4/);
  });

  test('throws when Array data holds a non-number', () => {
    expect(() => fromNdarray({ ...ok, data: [1, 2, 'x', 4] as unknown as number[] })).toThrow(/^fromNdarray: nd.data\[2\] must be a number, got "x"/);
  });
});
