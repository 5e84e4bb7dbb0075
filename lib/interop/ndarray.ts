/**
 * Interop with scijs `ndarray` — by shape, without importing the package.
 *
 * An ndarray is a flat store plus a view: element (i0, i1, …) sits at
 *
 *   data[offset + i0·stride[0] + i1·stride[1] + …]
 *
 * Strides may be negative (reversed views) or anything else (transposed, stepped views), and the
 * store may be a typed array or a plain Array. `fromNdarray` reads the view in row-major order
 * into a fresh contiguous Tensor; `toNdarray` hands a Float32Array copy and the shape to the
 * caller's `ndarray` factory and returns what it builds.
 */
import { ValueError, fmtShape, fmtValue } from '../errors';
import { Tensor, shapeSize } from '../tensor';

/** What Ridge reads from an ndarray-like object. */
export interface NdarrayLike {
  data: ArrayLike<number>;
  shape: readonly number[];
  stride: readonly number[];
  offset: number;
}

/** The scijs constructor signature `ndarray(data, shape)`. */
export type NdarrayFactory<T> = (data: Float32Array, shape: number[]) => T;

function isIntArray(v: unknown): v is number[] {
  return Array.isArray(v) && v.every((d) => Number.isInteger(d));
}

/** A contiguous Tensor copy of an ndarray-like view (any strides, typed or plain-Array data). */
export function fromNdarray(nd: NdarrayLike): Tensor {
  if (nd === null || typeof nd !== 'object') {
    throw new ValueError(`fromNdarray: nd must be an ndarray-like object with data, shape, stride and offset, got ${fmtValue(nd)}`);
  }
  const missing = (['data', 'shape', 'stride', 'offset'] as const).filter((k) => (nd as unknown as Record<string, unknown>)[k] === undefined);
  if (missing.length > 0) {
    throw new ValueError(`fromNdarray: nd is missing ${missing.join(', ')} (expected an ndarray-like object with data, shape, stride and offset)`);
  }
  const { data, shape, stride, offset } = nd;
  const isArrayData = Array.isArray(data);
  if (!isArrayData && !(ArrayBuffer.isView(data) && typeof (data as { length?: unknown }).length === 'number')) {
    throw new ValueError(`fromNdarray: nd.data must be a typed array or an Array of numbers, got ${fmtValue(data)}`);
  }
  if (!isIntArray(shape) || !shape.every((d) => d >= 0)) {
    throw new ValueError(`fromNdarray: nd.shape must be an array of non-negative integers, got ${fmtValue(shape)}`);
  }
  if (!isIntArray(stride) || stride.length !== shape.length) {
    throw new ValueError(`fromNdarray: nd.stride must be ${shape.length} integer(s), one per axis of shape ${fmtShape(shape)}, got ${fmtValue(stride)}`);
  }
  if (!Number.isInteger(offset)) {
    throw new ValueError(`fromNdarray: nd.offset must be an integer, got ${fmtValue(offset)}`);
  }
  const rank = shape.length;
  const size = shapeSize(shape);
  const out = new Float32Array(size);
  if (size === 0) return new Tensor(out, shape.slice());

  // The view must stay inside the store: lowest and highest addressed positions.
  let lo = offset, hi = offset;
  for (let d = 0; d < rank; d++) {
    const span = stride[d] * (shape[d] - 1);
    if (span < 0) lo += span; else hi += span;
  }
  if (lo < 0 || hi >= data.length) {
    throw new ValueError(
      `fromNdarray: the view (shape ${fmtShape(shape)}, stride ${fmtShape(stride)}, offset ${offset}) reads positions ` +
      `${lo}..${hi}, outside nd.data of length ${data.length}`,
    );
  }

  const d0 = data as ArrayLike<number>;
  if (rank === 0) {
    out[0] = readValue(d0, offset, isArrayData);
    return new Tensor(out, []);
  }
  // Odometer over axes 0 … rank-2; the last axis is one strided loop.
  const n = shape[rank - 1], sl = stride[rank - 1];
  const idx = new Array<number>(rank).fill(0);
  let base = offset;
  for (let o = 0; o < size; o += n) {
    if (isArrayData) for (let j = 0; j < n; j++) out[o + j] = readValue(d0, base + j * sl, true);
    else for (let j = 0; j < n; j++) out[o + j] = d0[base + j * sl];
    for (let d = rank - 2; d >= 0; d--) {
      base += stride[d];
      if (++idx[d] < shape[d]) break;
      base -= stride[d] * shape[d];
      idx[d] = 0;
    }
  }
  return new Tensor(out, shape.slice());
}

/** Plain-Array stores are checked value by value (a typed array holds numbers by construction). */
function readValue(data: ArrayLike<number>, i: number, check: boolean): number {
  const v = data[i];
  if (check && typeof v !== 'number') {
    throw new ValueError(`fromNdarray: nd.data[${i}] must be a number, got ${fmtValue(v)}`);
  }
  return v;
}

/**
 * Builds an ndarray with the caller's factory (e.g. the `ndarray` package's default export):
 * `ndarrayFactory(copy of t.data, t.shape)`. The copy keeps the tensor and the ndarray independent.
 */
export function toNdarray<T>(t: Tensor, ndarrayFactory: NdarrayFactory<T>): T {
  if (!(t instanceof Tensor)) throw new ValueError(`toNdarray: t must be a Tensor, got ${fmtValue(t)}`);
  if (typeof ndarrayFactory !== 'function') {
    throw new ValueError(`toNdarray: ndarrayFactory must be a function like scijs ndarray(data, shape), got ${fmtValue(ndarrayFactory)}`);
  }
  return ndarrayFactory(t.data.slice(), t.shape.slice());
}
