/**
 * Pooling ops: max and average pooling of rank 1, 2 and 3, their gradients, and global pooling.
 *
 *   maxPool2d(x [batch, h, w, C], { poolSize, strides = poolSize, padding = 'valid' })
 *     → [batch, outH, outW, C]          valid: out = floor((in − k) / s) + 1   same: out = ceil(in / s)
 *
 * 'same' padding splits the padding as TensorFlow does (the extra one after); padded positions
 * never take part: max ignores them and average divides by the number of positions inside the
 * input, in the forward and in the backward pass. The max-pool gradient goes to the first maximum
 * in row-major window order (TensorFlow's rule for ties).
 *
 * Each op validates its arguments once, builds one geometry record (../../kernels/conv-geometry)
 * and calls a kernel from ../../kernels/pool — or, for windowed max and average pooling on the
 * 'wasm' backend (lib/backend.ts), from ../../kernels/wasm/pool (bit-identical results). Nothing
 * here loops over elements.
 */
import { Tensor, shapeSize, checkShape } from '../tensor';
import { ConfigError, ShapeError, ValueError, fmtShape, fmtValue } from '../errors';
import { ConvGeometry, convGeometry, outSpatial } from '../../kernels/conv-geometry';
import {
  maxPoolForward, maxPoolBackward, avgPoolForward, avgPoolBackward,
  globalAvgPoolForward, globalAvgPoolBackward, globalMaxPoolForward, globalMaxPoolBackward,
} from '../../kernels/pool';
import { avgPoolBackwardWasm, avgPoolForwardWasm, maxPoolBackwardWasm, maxPoolForwardWasm } from '../../kernels/wasm/pool';
import { getBackend } from '../backend';

export type PoolPadding = 'valid' | 'same';

export interface PoolOptions {
  /** Window size: one number for every spatial axis, or one per axis (outermost first). */
  poolSize: number | number[];
  /** Step between windows; defaults to poolSize (null/undefined). */
  strides?: number | number[] | null;
  padding?: PoolPadding;
}

type Rank = 1 | 2 | 3;

const LAYOUT: Record<Rank, string> = {
  1: 'rank 3 [batch, width, channels]',
  2: 'rank 4 [batch, height, width, channels]',
  3: 'rank 5 [batch, depth, height, width, channels]',
};

function isTensor(v: unknown): v is Tensor {
  return v instanceof Tensor;
}

function checkTensor(op: string, arg: string, v: unknown): Tensor {
  if (!isTensor(v)) throw new ValueError(`${op}: ${arg} must be a Tensor, got ${fmtValue(v)}`);
  return v;
}

/** poolSize / strides: a positive integer or an array of `rank` positive integers → `rank` entries. */
function perAxis(op: string, arg: string, v: unknown, rank: Rank): number[] {
  const ok = (n: unknown): boolean => typeof n === 'number' && Number.isInteger(n) && n > 0;
  if (ok(v)) return new Array<number>(rank).fill(v as number);
  if (Array.isArray(v) && v.length === rank && v.every(ok)) return v.slice();
  const plural = rank === 1 ? '1 positive integer' : `${rank} positive integers`;
  throw new ConfigError(`${op}: ${arg} must be a positive integer or an array of ${plural}, got ${fmtValue(v)}`);
}

function checkPadding(op: string, v: unknown): PoolPadding {
  if (v === 'valid' || v === 'same') return v;
  const hint = v === 'causal' ? ' (causal padding exists for conv1d only)' : '';
  throw new ConfigError(`${op}: padding must be 'valid' or 'same', got ${fmtValue(v)}${hint}`);
}

interface ParsedPool { poolSize: number[]; strides: number[]; padding: PoolPadding }

function parseOptions(op: string, opts: unknown, rank: Rank): ParsedPool {
  if (opts === null || typeof opts !== 'object') {
    throw new ConfigError(`${op}: options must be an object { poolSize, strides?, padding? }, got ${fmtValue(opts)}`);
  }
  const o = opts as Partial<PoolOptions>;
  if (o.poolSize === undefined) throw new ConfigError(`${op}: poolSize is required, got undefined`);
  const poolSize = perAxis(op, 'poolSize', o.poolSize, rank);
  const strides = o.strides === undefined || o.strides === null ? poolSize.slice() : perAxis(op, 'strides', o.strides, rank);
  const padding = checkPadding(op, o.padding ?? 'valid');
  return { poolSize, strides, padding };
}

/** Checks an input shape of rank `rank + 2` and the options; returns the geometry (output size ≥ 1). */
function poolGeometry(op: string, inputShape: readonly number[], rank: Rank, p: ParsedPool, what = 'input'): ConvGeometry {
  if (inputShape.length !== rank + 2) {
    throw new ShapeError(`${op}: ${what} must be ${LAYOUT[rank]}, got shape ${fmtShape(inputShape)}`);
  }
  const channels = inputShape[rank + 1];
  const g = convGeometry(rank, inputShape[0], inputShape.slice(1, rank + 1), channels, p.poolSize, channels,
    p.strides, new Array<number>(rank).fill(1), p.padding);
  const out = outSpatial(g);
  if (out.some((n) => n < 1)) {
    throw new ShapeError(
      `${op}: output would be empty: ${what} ${fmtShape(inputShape)} with poolSize ${fmtShape(p.poolSize)}, ` +
      `strides ${fmtShape(p.strides)} and padding '${p.padding}' gives spatial output ${fmtShape(out)} ` +
      `(each spatial size must be >= poolSize with 'valid', >= 1 with 'same')`,
    );
  }
  return g;
}

function outputShape(g: ConvGeometry): number[] {
  return [g.batch, ...outSpatial(g), g.outC];
}

/**
 * The output shape of a rank-1/2/3 pooling of `inputShape` (rank 3, 4 or 5, batch included),
 * with the same checks as the ops. For layers that need the shape before any data.
 */
export function poolOutputShape(inputShape: number[], opts: PoolOptions): number[] {
  const op = 'poolOutputShape';
  const shape = checkShape(op, 'inputShape', inputShape);
  if (shape.length < 3 || shape.length > 5) {
    throw new ShapeError(`${op}: inputShape must be rank 3, 4 or 5 [batch, ...spatial, channels], got shape ${fmtShape(shape)}`);
  }
  const rank = (shape.length - 2) as Rank;
  return outputShape(poolGeometry(op, shape, rank, parseOptions(op, opts, rank), 'inputShape'));
}

type PoolKind = 'max' | 'avg';

function poolForward(op: string, kind: PoolKind, rank: Rank, x: Tensor, opts: PoolOptions): Tensor {
  checkTensor(op, 'x', x);
  const p = parseOptions(op, opts, rank);
  const g = poolGeometry(op, x.shape, rank, p);
  const shape = outputShape(g);
  const y = new Float32Array(shapeSize(shape));
  const wasm = getBackend() === 'wasm';
  if (kind === 'max') (wasm ? maxPoolForwardWasm : maxPoolForward)(g, x.data, y);
  else (wasm ? avgPoolForwardWasm : avgPoolForward)(g, x.data, y);
  return new Tensor(y, shape);
}

function checkDy(op: string, dy: Tensor, expected: readonly number[], forWhat: string): void {
  if (dy.rank !== expected.length || dy.shape.some((d, i) => d !== expected[i])) {
    throw new ShapeError(`${op}: dy must have shape ${fmtShape(expected)} (the forward output for ${forWhat}), got shape ${fmtShape(dy.shape)}`);
  }
}

function maxPoolBackprop(op: string, rank: Rank, dy: Tensor, x: Tensor, opts: PoolOptions): Tensor {
  checkTensor(op, 'dy', dy);
  checkTensor(op, 'x', x);
  const p = parseOptions(op, opts, rank);
  const g = poolGeometry(op, x.shape, rank, p, 'x');
  checkDy(op, dy, outputShape(g), `x ${fmtShape(x.shape)}`);
  const dx = new Float32Array(x.size);
  (getBackend() === 'wasm' ? maxPoolBackwardWasm : maxPoolBackward)(g, x.data, dy.data, dx);
  return new Tensor(dx, x.shape);
}

function avgPoolBackprop(op: string, rank: Rank, dy: Tensor, inputShape: number[], opts: PoolOptions): Tensor {
  checkTensor(op, 'dy', dy);
  const shape = checkShape(op, 'inputShape', inputShape);
  const p = parseOptions(op, opts, rank);
  const g = poolGeometry(op, shape, rank, p, 'inputShape');
  checkDy(op, dy, outputShape(g), `inputShape ${fmtShape(shape)}`);
  const dx = new Float32Array(shapeSize(shape));
  (getBackend() === 'wasm' ? avgPoolBackwardWasm : avgPoolBackward)(g, dy.data, dx);
  return new Tensor(dx, shape);
}

/** Max pooling over the width of x [batch, width, channels]. */
export function maxPool1d(x: Tensor, opts: PoolOptions): Tensor { return poolForward('maxPool1d', 'max', 1, x, opts); }
/** Max pooling of x [batch, height, width, channels]. */
export function maxPool2d(x: Tensor, opts: PoolOptions): Tensor { return poolForward('maxPool2d', 'max', 2, x, opts); }
/** Max pooling of x [batch, depth, height, width, channels]. */
export function maxPool3d(x: Tensor, opts: PoolOptions): Tensor { return poolForward('maxPool3d', 'max', 3, x, opts); }
/** Average pooling over the width of x [batch, width, channels]. */
export function avgPool1d(x: Tensor, opts: PoolOptions): Tensor { return poolForward('avgPool1d', 'avg', 1, x, opts); }
/** Average pooling of x [batch, height, width, channels]. */
export function avgPool2d(x: Tensor, opts: PoolOptions): Tensor { return poolForward('avgPool2d', 'avg', 2, x, opts); }
/** Average pooling of x [batch, depth, height, width, channels]. */
export function avgPool3d(x: Tensor, opts: PoolOptions): Tensor { return poolForward('avgPool3d', 'avg', 3, x, opts); }

/** d loss / d x of maxPool1d(x, opts), given dy = d loss / d output. */
export function maxPool1dBackprop(dy: Tensor, x: Tensor, opts: PoolOptions): Tensor { return maxPoolBackprop('maxPool1dBackprop', 1, dy, x, opts); }
/** d loss / d x of maxPool2d(x, opts), given dy = d loss / d output. */
export function maxPool2dBackprop(dy: Tensor, x: Tensor, opts: PoolOptions): Tensor { return maxPoolBackprop('maxPool2dBackprop', 2, dy, x, opts); }
/** d loss / d x of maxPool3d(x, opts), given dy = d loss / d output. */
export function maxPool3dBackprop(dy: Tensor, x: Tensor, opts: PoolOptions): Tensor { return maxPoolBackprop('maxPool3dBackprop', 3, dy, x, opts); }
/** d loss / d x of avgPool1d(x, opts) for an x of shape `inputShape` (batch included). */
export function avgPool1dBackprop(dy: Tensor, inputShape: number[], opts: PoolOptions): Tensor { return avgPoolBackprop('avgPool1dBackprop', 1, dy, inputShape, opts); }
/** d loss / d x of avgPool2d(x, opts) for an x of shape `inputShape` (batch included). */
export function avgPool2dBackprop(dy: Tensor, inputShape: number[], opts: PoolOptions): Tensor { return avgPoolBackprop('avgPool2dBackprop', 2, dy, inputShape, opts); }
/** d loss / d x of avgPool3d(x, opts) for an x of shape `inputShape` (batch included). */
export function avgPool3dBackprop(dy: Tensor, inputShape: number[], opts: PoolOptions): Tensor { return avgPoolBackprop('avgPool3dBackprop', 3, dy, inputShape, opts); }

/** [batch, ...spatial, C] (rank 3–5, every spatial size ≥ 1) → { batch, spatialSize, channels }. */
function globalDims(op: string, shape: readonly number[], what: string): { batch: number; spatialSize: number; channels: number } {
  if (shape.length < 3 || shape.length > 5) {
    throw new ShapeError(`${op}: ${what} must be rank 3, 4 or 5 [batch, ...spatial, channels], got shape ${fmtShape(shape)}`);
  }
  const spatial = shape.slice(1, -1);
  if (spatial.some((n) => n < 1)) {
    throw new ShapeError(`${op}: ${what} must have every spatial size >= 1 (nothing to pool), got shape ${fmtShape(shape)}`);
  }
  return { batch: shape[0], spatialSize: shapeSize(spatial), channels: shape[shape.length - 1] };
}

/** Mean over every spatial axis: x [batch, ...spatial, C] (rank 3–5) → [batch, C]. */
export function globalAvgPool(x: Tensor): Tensor {
  const op = 'globalAvgPool';
  checkTensor(op, 'x', x);
  const { batch, spatialSize, channels } = globalDims(op, x.shape, 'x');
  const y = new Float32Array(batch * channels);
  globalAvgPoolForward(batch, spatialSize, channels, x.data, y);
  return new Tensor(y, [batch, channels]);
}

/** Max over every spatial axis: x [batch, ...spatial, C] (rank 3–5) → [batch, C]. */
export function globalMaxPool(x: Tensor): Tensor {
  const op = 'globalMaxPool';
  checkTensor(op, 'x', x);
  const { batch, spatialSize, channels } = globalDims(op, x.shape, 'x');
  const y = new Float32Array(batch * channels);
  globalMaxPoolForward(batch, spatialSize, channels, x.data, y);
  return new Tensor(y, [batch, channels]);
}

/** d loss / d x of globalAvgPool for an x of shape `inputShape`: dy [batch, C] / spatialSize everywhere. */
export function globalAvgPoolBackprop(dy: Tensor, inputShape: number[]): Tensor {
  const op = 'globalAvgPoolBackprop';
  checkTensor(op, 'dy', dy);
  const shape = checkShape(op, 'inputShape', inputShape);
  const { batch, spatialSize, channels } = globalDims(op, shape, 'inputShape');
  checkDy(op, dy, [batch, channels], `inputShape ${fmtShape(shape)}`);
  const dx = new Float32Array(shapeSize(shape));
  globalAvgPoolBackward(batch, spatialSize, channels, dy.data, dx);
  return new Tensor(dx, shape);
}

/** d loss / d x of globalMaxPool(x): dy [batch, C] at the first spatial maximum, 0 elsewhere. */
export function globalMaxPoolBackprop(dy: Tensor, x: Tensor): Tensor {
  const op = 'globalMaxPoolBackprop';
  checkTensor(op, 'dy', dy);
  checkTensor(op, 'x', x);
  const { batch, spatialSize, channels } = globalDims(op, x.shape, 'x');
  checkDy(op, dy, [batch, channels], `x ${fmtShape(x.shape)}`);
  const dx = new Float32Array(x.size);
  globalMaxPoolBackward(batch, spatialSize, channels, x.data, dy.data, dx);
  return new Tensor(dx, x.shape);
}
