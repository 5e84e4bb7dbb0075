/**
 * Ridge's error types. Every message names the op or layer, the argument, what was expected and
 * what was received, e.g. `conv2d: input must be rank 4 [batch, height, width, channels], got shape [28,28]`.
 *
 * - ShapeError  — shapes that disagree, do not broadcast, or have the wrong rank.
 * - ConfigError — an option or configuration value that is not allowed (a negative rate, an
 *                 unknown activation, strides > 1 together with dilation > 1, …).
 * - ValueError  — a data value that is not allowed (a non-integer class id, an index out of range, …).
 */
export class RidgeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
    Object.setPrototypeOf(this, new.target.prototype);
  }
}

export class ShapeError extends RidgeError {}
export class ConfigError extends RidgeError {}
export class ValueError extends RidgeError {}

/** `[2,3,4]` — the way every message prints a shape. */
export function fmtShape(shape: readonly number[]): string {
  return `[${shape.join(',')}]`;
}

/** A short, readable rendering of a received value for error messages. */
export function fmtValue(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v);
  if (Array.isArray(v)) return v.length > 8 ? `[${v.slice(0, 8).map(fmtValue).join(',')},…]` : `[${v.map(fmtValue).join(',')}]`;
  if (v instanceof Float32Array) return `Float32Array(${v.length})`;
  if (v === null) return 'null';
  if (typeof v === 'object') {
    const name = (v as object).constructor?.name;
    return name && name !== 'Object' ? name : 'object';
  }
  return String(v);
}
