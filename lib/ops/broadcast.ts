/**
 * Shared argument checks and NumPy broadcasting geometry for lib/ops.
 *
 * Broadcasting (NumPy rules): align the two shapes at their last axis; each aligned pair of sizes
 * must be equal or contain a 1; the result takes the larger size. A missing leading axis counts as 1.
 *
 *   [4, 1, 3]  and  [5, 1]  →  [4, 5, 3]        [2, 3] and [4] → ShapeError
 */
import { ShapeError, ValueError, fmtShape, fmtValue } from '../errors';
import { Tensor } from '../tensor';

/** Throws ValueError unless `x` is a Tensor. */
export function checkTensor(op: string, arg: string, x: unknown): Tensor {
  if (!(x instanceof Tensor)) {
    throw new ValueError(`${op}: ${arg} must be a Tensor, got ${fmtValue(x)}`);
  }
  return x;
}

/** The broadcast result shape of `a` and `b`; ShapeError naming both shapes when they do not broadcast. */
export function broadcastShape(op: string, a: readonly number[], b: readonly number[]): number[] {
  const rank = Math.max(a.length, b.length);
  const out = new Array<number>(rank);
  for (let i = 0; i < rank; i++) {
    const da = i < rank - a.length ? 1 : a[i - (rank - a.length)];
    const db = i < rank - b.length ? 1 : b[i - (rank - b.length)];
    if (da === db || db === 1) out[i] = da;
    else if (da === 1) out[i] = db;
    else {
      throw new ShapeError(
        `${op}: shapes ${fmtShape(a)} and ${fmtShape(b)} do not broadcast (axis ${i} of the result: ${da} vs ${db})`,
      );
    }
  }
  return out;
}

/**
 * Strides of `shape` read as if broadcast to `out` (rank(out) >= rank(shape)): 0 on every axis where
 * the operand has size 1 or is missing, the row-major stride otherwise.
 */
export function broadcastStrides(shape: readonly number[], out: readonly number[]): number[] {
  const rank = out.length;
  const lead = rank - shape.length;
  const strides = new Array<number>(rank).fill(0);
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    strides[i + lead] = shape[i] === 1 ? 0 : s;
    s *= shape[i];
  }
  return strides;
}

/** Normalises one axis (negative counts from the end); ShapeError naming op and rank when out of range. */
export function normalizeAxis(op: string, axis: unknown, rank: number, arg = 'axis'): number {
  if (typeof axis !== 'number' || !Number.isInteger(axis)) {
    throw new ValueError(`${op}: ${arg} must be an integer, got ${fmtValue(axis)}`);
  }
  if (axis < -rank || axis >= rank) {
    throw new ShapeError(`${op}: ${arg} ${axis} is out of range for a rank-${rank} tensor (expected ${-rank} <= ${arg} < ${rank})`);
  }
  return axis < 0 ? axis + rank : axis;
}

/**
 * Normalises an axis or list of axes to sorted, distinct, non-negative axes. `undefined` means all
 * axes. Duplicates (also after normalisation, like [1, -1] on rank 2) are a ValueError.
 */
export function normalizeAxes(op: string, axis: number | number[] | undefined, rank: number): number[] {
  if (axis === undefined || axis === null) {
    const all = new Array<number>(rank);
    for (let i = 0; i < rank; i++) all[i] = i;
    return all;
  }
  const list = typeof axis === 'number' ? [axis] : axis;
  if (!Array.isArray(list)) {
    throw new ValueError(`${op}: axis must be an integer or an array of integers, got ${fmtValue(axis)}`);
  }
  const seen = new Array<boolean>(rank).fill(false);
  const out: number[] = [];
  for (const a of list) {
    const n = normalizeAxis(op, a, rank);
    if (seen[n]) throw new ValueError(`${op}: axis ${fmtValue(list)} contains axis ${n} more than once`);
    seen[n] = true;
    out.push(n);
  }
  return out.sort((p, q) => p - q);
}
