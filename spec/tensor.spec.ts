/**
 * The tensor core: creation from numbers, flat/nested arrays and Float32Array; shape checks;
 * toArray, reshape, zeros/ones/fill, item, clone. (Seeded random tensors: random.spec.ts.)
 */
import { Tensor, tensor, zeros, ones, fill, shapeSize, stridesOf } from '../lib/tensor';
import { ConfigError, RidgeError, ShapeError, ValueError } from '../lib/errors';

describe('tensor() creation', () => {
  test('flat array → rank 1, nested arrays → their shape, row-major data', () => {
    const a = tensor([1, 2, 3]);
    expect(a.shape).toEqual([3]);
    expect(a.rank).toBe(1);
    expect(a.size).toBe(3);
    expect(a.data).toBeInstanceOf(Float32Array);
    const b = tensor([[[1, 2], [3, 4], [5, 6]], [[7, 8], [9, 10], [11, 12]]]);
    expect(b.shape).toEqual([2, 3, 2]);
    expect(b.size).toBe(12);
    // element (i, j, k) at i*6 + j*2 + k
    expect(b.data[1 * 6 + 2 * 2 + 1]).toBe(12);
    expect(Array.from(b.data)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
  });

  test('a number → rank 0 (shape [], size 1); toArray gives the number back', () => {
    const s = tensor(2.5);
    expect(s.shape).toEqual([]);
    expect(s.rank).toBe(0);
    expect(s.size).toBe(1);
    expect(s.toArray()).toBe(2.5);
    expect(s.item()).toBe(2.5);
  });

  test('Float32Array → rank 1, copied (the tensor owns its buffer); with a shape it is reshaped', () => {
    const src = new Float32Array([1, 2, 3, 4, 5, 6]);
    const t = tensor(src, [2, 3]);
    expect(t.shape).toEqual([2, 3]);
    src[0] = 99;
    expect(t.data[0]).toBe(1);
    expect(tensor(src).shape).toEqual([6]);
  });

  test('flat values with a shape are read row-major: tensor([1..6], [3,2])', () => {
    expect(tensor([1, 2, 3, 4, 5, 6], [3, 2]).toArray()).toEqual([[1, 2], [3, 4], [5, 6]]);
    expect(tensor([7], []).toArray()).toBe(7);
    expect(tensor(7, [1, 1]).toArray()).toEqual([[7]]);
  });

  test('values are stored as float32: tensor([0.1]).data[0] = fround(0.1)', () => {
    expect(tensor([0.1]).data[0]).toBe(Math.fround(0.1));
  });

  test('empty arrays: [] → shape [0]; [[], []] → shape [2, 0]', () => {
    expect(tensor([]).shape).toEqual([0]);
    expect(tensor([[], []]).shape).toEqual([2, 0]);
    expect(tensor([[], []]).toArray()).toEqual([[], []]);
  });

  test('NaN and ±Infinity are kept as values', () => {
    expect(Array.from(tensor([NaN, Infinity, -Infinity]).data)).toEqual([NaN, Infinity, -Infinity]);
  });

  test('throws when nesting is ragged, naming the index and the expected shape', () => {
    expect(() => tensor([[1, 2], [3]])).toThrow(ShapeError);
    expect(() => tensor([[1, 2], [3]])).toThrow(/^tensor: ragged nesting at index \[1\]: expected an array of length 2 \(shape \[2,2\]\), got length 1/);
    expect(() => tensor([1, [2]])).toThrow(/^tensor: ragged nesting at index \[1\]: expected a number \(shape \[2\]\), got an array/);
    expect(() => tensor([[1], 2] as unknown as number[][])).toThrow(/^tensor: ragged nesting at index \[1\]: expected an array of length 1 \(shape \[2,1\]\), got 2/);
    expect(() => tensor([[[1, 2]], [[3, 4], [5, 6]]])).toThrow(/^tensor: ragged nesting at index \[1\]/);
  });

  test('throws when the values do not fill the shape, naming both shapes', () => {
    expect(() => tensor([1, 2, 3], [2, 2])).toThrow(ShapeError);
    expect(() => tensor([1, 2, 3], [2, 2])).toThrow(/^tensor: shape \[2,2\] needs 4 values, but values have shape \[3\] \(3 values\)/);
    expect(() => tensor([[1, 2], [3, 4]], [3])).toThrow(/^tensor: shape \[3\] needs 3 values, but values have shape \[2,2\] \(4 values\)/);
    expect(() => tensor(new Float32Array(5), [2, 3])).toThrow(/^tensor: shape \[2,3\] needs 6 values, but values have shape \[5\]/);
  });

  test('throws when values are not numbers or the shape is malformed', () => {
    expect(() => tensor([1, '2'] as unknown as number[])).toThrow(ValueError);
    expect(() => tensor([1, '2'] as unknown as number[])).toThrow(/^tensor: values must be numbers, got "2" at index \[1\]/);
    expect(() => tensor('abc' as unknown as number[])).toThrow(/^tensor: values must be a number, an array or a Float32Array, got "abc"/);
    expect(() => tensor([1, 2], [2, -1])).toThrow(/^tensor: shape must be an array of non-negative integers, got \[2,-1\]/);
    expect(() => tensor([1, 2], [1.5])).toThrow(ShapeError);
  });

  test('the Tensor constructor checks data length against the shape', () => {
    expect(() => new Tensor(new Float32Array(3), [2, 2])).toThrow(/^Tensor: data has 3 values but shape \[2,2\] needs 4/);
  });

  test('errors are RidgeError subclasses with their class name', () => {
    try {
      tensor([1, 2, 3], [2, 2]);
      throw new Error('unreachable');
    } catch (e) {
      expect(e).toBeInstanceOf(ShapeError);
      expect(e).toBeInstanceOf(RidgeError);
      expect(e).toBeInstanceOf(Error);
      expect((e as Error).name).toBe('ShapeError');
    }
    expect(new ConfigError('x').name).toBe('ConfigError');
    expect(new ValueError('x')).toBeInstanceOf(RidgeError);
  });
});

describe('toArray, reshape, item, clone', () => {
  test('toArray round-trips nested arrays of rank 1-4', () => {
    const cases = [[1, 2], [[1, 2, 3], [4, 5, 6]], [[[1], [2]], [[3], [4]]], [[[[1, 2]]], [[[3, 4]]]]];
    for (const c of cases) expect(tensor(c).toArray()).toEqual(c);
  });

  test('reshape with -1 infers one axis: [2,3,4] → [-1,4] = [6,4], [4,-1] = [4,6]; shares the buffer', () => {
    const t = tensor(Array.from({ length: 24 }, (_, i) => i), [2, 3, 4]);
    const r = t.reshape([-1, 4]);
    expect(r.shape).toEqual([6, 4]);
    expect(t.reshape([4, -1]).shape).toEqual([4, 6]);
    expect(t.reshape([24]).shape).toEqual([24]);
    expect(r.data).toBe(t.data);
    expect(r.toArray()).toEqual(Array.from({ length: 6 }, (_, i) => [0, 1, 2, 3].map((j) => i * 4 + j)));
    expect(tensor([5]).reshape([]).shape).toEqual([]);
    expect(tensor(5).reshape([1, 1, -1]).shape).toEqual([1, 1, 1]);
  });

  test('throws when reshape sizes disagree or -1 is used twice or cannot be inferred', () => {
    const t = tensor([1, 2, 3, 4, 5, 6]);
    expect(() => t.reshape([4, 2])).toThrow(ShapeError);
    expect(() => t.reshape([4, 2])).toThrow(/^reshape: cannot reshape \[6\] \(6 values\) to \[4,2\] \(8 values\)/);
    expect(() => t.reshape([-1, -1])).toThrow(/^reshape: at most one -1 allowed in shape, got \[-1,-1\]/);
    expect(() => t.reshape([4, -1])).toThrow(/^reshape: cannot reshape \[6\] \(6 values\) to \[4,-1\]/);
    expect(() => t.reshape([2, -2])).toThrow(/^reshape: shape must be an array of non-negative integers \(one -1 allowed\), got \[2,-2\]/);
  });

  test('item() returns the single value and throws for more than one', () => {
    expect(tensor([[3]]).item()).toBe(3);
    expect(() => tensor([1, 2]).item()).toThrow(/^item: tensor must have exactly one element, got shape \[2\]/);
  });

  test('clone() copies the buffer; shape is frozen', () => {
    const t = tensor([1, 2]);
    const c = t.clone();
    c.data[0] = 5;
    expect(t.data[0]).toBe(1);
    expect(Object.isFrozen(t.shape)).toBe(true);
    expect(String(tensor([[1, 2]]))).toBe('Tensor[1,2]');
  });

  test('shapeSize and stridesOf: [2,3,4] → 24 and [12,4,1]; [] → 1 and []', () => {
    expect(shapeSize([2, 3, 4])).toBe(24);
    expect(stridesOf([2, 3, 4])).toEqual([12, 4, 1]);
    expect(shapeSize([])).toBe(1);
    expect(stridesOf([])).toEqual([]);
  });
});

describe('zeros, ones, fill', () => {
  test('zeros([2,3]) / ones([2,3]) / fill([2,2], -1.5) / fill([], NaN)', () => {
    expect(zeros([2, 3]).toArray()).toEqual([[0, 0, 0], [0, 0, 0]]);
    expect(ones([2, 3]).toArray()).toEqual([[1, 1, 1], [1, 1, 1]]);
    expect(fill([2, 2], -1.5).toArray()).toEqual([[-1.5, -1.5], [-1.5, -1.5]]);
    expect(Number.isNaN(fill([], NaN).toArray() as number)).toBe(true);
    expect(zeros([0, 5]).size).toBe(0);
  });

  test('throws when the shape is malformed or the fill value is not a number', () => {
    expect(() => zeros([2, -1])).toThrow(ShapeError);
    expect(() => zeros([2, -1])).toThrow(/^zeros: shape must be an array of non-negative integers, got \[2,-1\]/);
    expect(() => ones([1.5])).toThrow(/^ones: shape must be an array of non-negative integers, got \[1.5\]/);
    expect(() => zeros(3 as unknown as number[])).toThrow(/^zeros: shape must be an array of non-negative integers, got 3/);
    expect(() => fill([2], '1' as unknown as number)).toThrow(ValueError);
    expect(() => fill([2], '1' as unknown as number)).toThrow(/^fill: value must be a number, got "1"/);
  });
});
