/**
 * Tensor: a contiguous, row-major Float32Array with a shape.
 *
 *   shape [2, 3]   data [a b c d e f]   element (i, j) at i*3 + j
 *
 * Tensors are values: ops return new tensors and never write into their inputs. `reshape` shares
 * the data buffer (no copy), like a view. Layers and optimizers update their own weight tensors in
 * place; that is the only mutation in the engine.
 */
import { ConfigError, ShapeError, ValueError, fmtShape, fmtValue } from './errors';
import { Random } from './random';

export type NestedArray = number | NestedArray[];

export class Tensor {
  readonly shape: readonly number[];
  readonly data: Float32Array;
  readonly size: number;
  readonly rank: number;

  /** Trusting constructor: `data.length` must equal the product of `shape`. Use `tensor()` for checks. */
  constructor(data: Float32Array, shape: readonly number[]) {
    const size = shapeSize(shape);
    if (data.length !== size) {
      throw new ShapeError(`Tensor: data has ${data.length} values but shape ${fmtShape(shape)} needs ${size}`);
    }
    this.shape = Object.freeze(shape.slice());
    this.data = data;
    this.size = size;
    this.rank = shape.length;
  }

  /** Nested JS arrays (a plain number for rank 0). */
  toArray(): NestedArray {
    if (this.rank === 0) return this.data[0];
    const build = (dim: number, offset: number): NestedArray[] => {
      const n = this.shape[dim];
      const out: NestedArray[] = new Array(n);
      if (dim === this.rank - 1) {
        for (let i = 0; i < n; i++) out[i] = this.data[offset + i];
        return out;
      }
      const stride = shapeSize(this.shape.slice(dim + 1));
      for (let i = 0; i < n; i++) out[i] = build(dim + 1, offset + i * stride);
      return out;
    };
    return build(0, 0);
  }

  /** Same data, new shape; one entry may be -1 (inferred). Shares the buffer. */
  reshape(shape: number[]): Tensor {
    return new Tensor(this.data, resolveReshape('reshape', this.shape, shape));
  }

  /** A copy with its own buffer. */
  clone(): Tensor {
    return new Tensor(this.data.slice(), this.shape);
  }

  /** The single value of a size-1 tensor. */
  item(): number {
    if (this.size !== 1) throw new ShapeError(`item: tensor must have exactly one element, got shape ${fmtShape(this.shape)}`);
    return this.data[0];
  }

  toString(): string {
    return `Tensor${fmtShape(this.shape)}`;
  }
}

export function shapeSize(shape: readonly number[]): number {
  let n = 1;
  for (let i = 0; i < shape.length; i++) n *= shape[i];
  return n;
}

/** Row-major strides: strides[i] = product(shape[i+1:]). */
export function stridesOf(shape: readonly number[]): number[] {
  const strides = new Array<number>(shape.length);
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    strides[i] = s;
    s *= shape[i];
  }
  return strides;
}

/** Throws ShapeError unless `shape` is an array of non-negative integers. */
/**
 * The largest tensor: 2^31 − 1 elements (8 GiB of float32). Asking for more is a ShapeError at the
 * call that asked, instead of a RangeError from deep inside a typed-array allocation.
 */
export const MAX_ELEMENTS = 2 ** 31 - 1;

export function checkShape(op: string, arg: string, shape: unknown): number[] {
  if (!Array.isArray(shape) || !shape.every((d) => Number.isInteger(d) && d >= 0)) {
    throw new ShapeError(`${op}: ${arg} must be an array of non-negative integers, got ${fmtValue(shape)}`);
  }
  const size = (shape as number[]).reduce((a, d) => a * d, 1);
  if (size > MAX_ELEMENTS) {
    throw new ShapeError(`${op}: ${arg} ${fmtValue(shape)} has ${size} elements, more than the ${MAX_ELEMENTS} a Float32Array tensor can hold`);
  }
  return shape.slice();
}


export function resolveReshape(op: string, from: readonly number[], to: readonly number[]): number[] {
  if (!Array.isArray(to) || !to.every((d) => Number.isInteger(d) && d >= -1)) {
    throw new ShapeError(`${op}: shape must be an array of non-negative integers (one -1 allowed), got ${fmtValue(to)}`);
  }
  const size = shapeSize(from);
  const inferred = to.filter((d) => d === -1).length;
  if (inferred > 1) throw new ShapeError(`${op}: at most one -1 allowed in shape, got ${fmtShape(to)}`);
  const out = to.slice();
  if (inferred === 1) {
    const known = shapeSize(to.filter((d) => d !== -1));
    if (known === 0 || size % known !== 0) {
      throw new ShapeError(`${op}: cannot reshape ${fmtShape(from)} (${size} values) to ${fmtShape(to)}`);
    }
    out[out.indexOf(-1)] = size / known;
  } else if (shapeSize(out) !== size) {
    throw new ShapeError(`${op}: cannot reshape ${fmtShape(from)} (${size} values) to ${fmtShape(to)} (${shapeSize(out)} values)`);
  }
  return out;
}

/** Infers the shape of a (possibly nested) array, throwing ShapeError on ragged nesting. */
function inferShape(values: NestedArray): number[] {
  const shape: number[] = [];
  let v: NestedArray = values;
  while (Array.isArray(v)) {
    shape.push(v.length);
    if (v.length === 0) break;
    v = v[0];
  }
  return shape;
}

function flattenInto(values: NestedArray, shape: number[], dim: number, out: Float32Array, offset: { i: number }, path: number[]): void {
  if (dim === shape.length) {
    if (Array.isArray(values)) {
      throw new ShapeError(`tensor: ragged nesting at index [${path.join(',')}]: expected a number (shape ${fmtShape(shape)}), got an array`);
    }
    if (typeof values !== 'number') {
      throw new ValueError(`tensor: values must be numbers, got ${fmtValue(values)} at index [${path.join(',')}]`);
    }
    out[offset.i++] = values;
    return;
  }
  if (!Array.isArray(values) || values.length !== shape[dim]) {
    const got = Array.isArray(values) ? `length ${values.length}` : fmtValue(values);
    throw new ShapeError(`tensor: ragged nesting at index [${path.join(',')}]: expected an array of length ${shape[dim]} (shape ${fmtShape(shape)}), got ${got}`);
  }
  for (let i = 0; i < values.length; i++) {
    path.push(i);
    flattenInto(values[i], shape, dim + 1, out, offset, path);
    path.pop();
  }
}

/**
 * Creates a tensor from a number, a flat array, a nested array or a Float32Array.
 * With `shape`, the values are read in row-major order and their count must match.
 * A Float32Array is copied (the tensor owns its buffer).
 */
export function tensor(values: number[] | NestedArray | Float32Array, shape?: number[]): Tensor {
  let data: Float32Array;
  let inferred: number[];
  if (values instanceof Float32Array) {
    data = values.slice();
    inferred = [values.length];
  } else if (typeof values === 'number') {
    data = new Float32Array([values]);
    inferred = [];
  } else if (Array.isArray(values)) {
    inferred = inferShape(values);
    data = new Float32Array(shapeSize(inferred));
    flattenInto(values, inferred, 0, data, { i: 0 }, []);
  } else {
    throw new ValueError(`tensor: values must be a number, an array or a Float32Array, got ${fmtValue(values)}`);
  }
  if (shape === undefined) return new Tensor(data, inferred);
  const s = checkShape('tensor', 'shape', shape);
  if (shapeSize(s) !== data.length) {
    throw new ShapeError(`tensor: shape ${fmtShape(s)} needs ${shapeSize(s)} values, but values have shape ${fmtShape(inferred)} (${data.length} values)`);
  }
  return new Tensor(data, s);
}

export function zeros(shape: number[]): Tensor {
  const s = checkShape('zeros', 'shape', shape);
  return new Tensor(new Float32Array(shapeSize(s)), s);
}

export function ones(shape: number[]): Tensor {
  const s = checkShape('ones', 'shape', shape);
  return new Tensor(new Float32Array(shapeSize(s)).fill(1), s);
}

export function fill(shape: number[], value: number): Tensor {
  const s = checkShape('fill', 'shape', shape);
  if (typeof value !== 'number') throw new ValueError(`fill: value must be a number, got ${fmtValue(value)}`);
  return new Tensor(new Float32Array(shapeSize(s)).fill(value), s);
}

export interface RandomNormalOptions { mean?: number; stddev?: number; seed?: number }
export interface RandomUniformOptions { min?: number; max?: number; seed?: number }

function checkFinite(op: string, arg: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new ConfigError(`${op}: ${arg} must be a finite number, got ${fmtValue(v)}`);
  return v;
}

/** Normal samples; `seed` makes them reproducible on every platform (see random.ts). */
export function randomNormal(shape: number[], opts: RandomNormalOptions = {}): Tensor {
  const s = checkShape('randomNormal', 'shape', shape);
  const mean = checkFinite('randomNormal', 'mean', opts.mean ?? 0);
  const stddev = checkFinite('randomNormal', 'stddev', opts.stddev ?? 1);
  if (stddev < 0) throw new ConfigError(`randomNormal: stddev must be >= 0, got ${stddev}`);
  if (opts.seed !== undefined) checkFinite('randomNormal', 'seed', opts.seed);
  const rng = new Random(opts.seed);
  const data = new Float32Array(shapeSize(s));
  for (let i = 0; i < data.length; i++) data[i] = mean + stddev * rng.normal();
  return new Tensor(data, s);
}

/** Uniform samples in [min, max); `seed` makes them reproducible on every platform. */
export function randomUniform(shape: number[], opts: RandomUniformOptions = {}): Tensor {
  const s = checkShape('randomUniform', 'shape', shape);
  const min = checkFinite('randomUniform', 'min', opts.min ?? 0);
  const max = checkFinite('randomUniform', 'max', opts.max ?? 1);
  if (max < min) throw new ConfigError(`randomUniform: max must be >= min, got min ${min}, max ${max}`);
  if (opts.seed !== undefined) checkFinite('randomUniform', 'seed', opts.seed);
  const rng = new Random(opts.seed);
  const data = new Float32Array(shapeSize(s));
  // min + (max − min)·u is below max in float64, but storing it as float32 can round it up to max;
  // such values are clamped to the largest float32 below max, so the range stays [min, max).
  const cap = max > min ? float32Below(max) : max;
  for (let i = 0; i < data.length; i++) {
    data[i] = min + (max - min) * rng.uniform();
    if (data[i] > cap) data[i] = cap;
  }
  return new Tensor(data, s);
}

/** The largest float32 strictly below `x` (x finite). */
function float32Below(x: number): number {
  const f = new Float32Array([x]);
  if (f[0] < x) return f[0];
  const bits = new Int32Array(f.buffer);
  if (f[0] > 0) bits[0]--;
  else if (f[0] < 0) bits[0]++;
  else bits[0] = 0x80000001 | 0; // below ±0: the smallest negative subnormal
  return f[0];
}
