/**
 * Weight constraints (Keras `kernel_constraint`, `bias_constraint`, …): a projection applied to a
 * weight AFTER each optimizer step, as Keras does (the optimizer updates the variable, then assigns
 * `constraint(variable)`). They are not penalties: nothing is added to the loss or the gradient.
 *
 *   norms = sqrt(Σ_axis w²)              (keepDims; `axis` is an index or a list of indices)
 *   maxNorm({ maxValue = 2, axis = 0 })                   w · clip(norms, 0, maxValue) / (ε + norms)
 *   unitNorm({ axis = 0 })                                w / (ε + norms)
 *   minMaxNorm({ minValue = 0, maxValue = 1, rate = 1, axis = 0 })
 *                                  w · (rate·clip(norms, minValue, maxValue) + (1 − rate)·norms) / (ε + norms)
 *   nonNeg()                                              w · (w ≥ 0)
 *
 * ε = 1e-7 (Keras' backend.epsilon(), TensorFlow.js' epsilon()). For a Dense kernel [in, out],
 * axis 0 constrains each unit's incoming weight vector; for a Conv2D kernel [kh, kw, in, out] use
 * axis [0, 1, 2] (Keras' advice). A user's own constraint is any object with `apply(w)` returning a
 * tensor of w's shape (and optionally `getConfig()`).
 *
 * Where they run: applyConstraints(), called by fit right after optimizer.applyGradients().
 */
import { ConfigError, ShapeError, ValueError, fmtShape, fmtValue } from './errors';
import { Tensor } from './tensor';
import { sum } from './ops/reduce';
import { square, sqrt, mul, div, add, minimum, maximum } from './ops/elementwise';

export interface Constraint {
  /** The projected weight, same shape as `w` (w itself is not modified). */
  apply(w: Tensor): Tensor;
  getConfig?(): { className: string; config: Record<string, unknown> };
  /** Optional: throws when the constraint cannot apply to a weight of this shape (checked at build). */
  checkShape?(who: string, shape: readonly number[]): void;
}

const EPSILON = 1e-7;

function axisList(fn: string, v: unknown): number[] {
  const list = typeof v === 'number' ? [v] : v;
  if (!Array.isArray(list) || list.length === 0 || !list.every((a) => Number.isInteger(a))) {
    throw new ConfigError(`constraints.${fn}: axis must be an integer or a non-empty array of integers, got ${fmtValue(v)}`);
  }
  if (new Set(list).size !== list.length) throw new ConfigError(`constraints.${fn}: axis must not repeat, got ${fmtValue(v)}`);
  return list.slice();
}

function finite(fn: string, arg: string, v: unknown, lo: number): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < lo) {
    throw new ConfigError(`constraints.${fn}: ${arg} must be a finite number >= ${lo}, got ${fmtValue(v)}`);
  }
  return v;
}

function checkKeys(fn: string, opts: unknown, allowed: string[]): Record<string, unknown> {
  if (opts === undefined || opts === null) return {};
  if (typeof opts !== 'object' || Array.isArray(opts)) throw new ConfigError(`constraints.${fn}: options must be an object, got ${fmtValue(opts)}`);
  for (const k of Object.keys(opts)) {
    if (!allowed.includes(k)) throw new ConfigError(`constraints.${fn}: unknown option ${fmtValue(k)} (allowed: ${allowed.join(', ')})`);
  }
  return opts as Record<string, unknown>;
}

/** The shared part of the norm constraints: norms over `axis` and the rescale w · desired / (ε + norms). */
abstract class NormConstraint implements Constraint {
  abstract readonly className: string;
  constructor(readonly axis: number[]) {}

  checkShape(who: string, shape: readonly number[]): void {
    for (const a of this.axis) {
      if (a < -shape.length || a >= shape.length) {
        throw new ShapeError(`${who}: ${this.className} axis ${fmtValue(this.axis)} is out of range for a weight of shape ${fmtShape(shape)}`);
      }
    }
  }

  /** The norms' target values for these norms. */
  protected abstract desired(norms: Tensor): Tensor;

  apply(w: Tensor): Tensor {
    this.checkShape(this.className, w.shape);
    const norms = sqrt(sum(square(w), this.axis, true));
    return mul(w, div(this.desired(norms), add(norms, EPSILON)));
  }

  abstract getConfig(): { className: string; config: Record<string, unknown> };
}

class MaxNorm extends NormConstraint {
  readonly className = 'MaxNorm';
  constructor(readonly maxValue: number, axis: number[]) { super(axis); }
  protected desired(norms: Tensor): Tensor { return minimum(norms, this.maxValue); }
  getConfig() { return { className: this.className, config: { maxValue: this.maxValue, axis: this.axis.length === 1 ? this.axis[0] : this.axis.slice() } }; }
}

class UnitNorm extends NormConstraint {
  readonly className = 'UnitNorm';
  protected desired(norms: Tensor): Tensor { return new Tensor(new Float32Array(norms.size).fill(1), norms.shape); }
  getConfig() { return { className: this.className, config: { axis: this.axis.length === 1 ? this.axis[0] : this.axis.slice() } }; }
}

class MinMaxNorm extends NormConstraint {
  readonly className = 'MinMaxNorm';
  constructor(readonly minValue: number, readonly maxValue: number, readonly rate: number, axis: number[]) { super(axis); }
  protected desired(norms: Tensor): Tensor {
    const clipped = maximum(minimum(norms, this.maxValue), this.minValue);
    return add(mul(clipped, this.rate), mul(norms, 1 - this.rate));
  }
  getConfig() {
    return { className: this.className, config: { minValue: this.minValue, maxValue: this.maxValue, rate: this.rate, axis: this.axis.length === 1 ? this.axis[0] : this.axis.slice() } };
  }
}

class NonNeg implements Constraint {
  readonly className = 'NonNeg';
  apply(w: Tensor): Tensor {
    const out = new Float32Array(w.size), d = w.data;
    for (let i = 0; i < out.length; i++) out[i] = d[i] < 0 ? 0 : d[i]; // NaN stays NaN (Keras: NaN · 0 = NaN)
    return new Tensor(out, w.shape);
  }
  getConfig() { return { className: this.className, config: {} }; }
}

/** Rescales each slice along `axis` whose L2 norm exceeds maxValue down to maxValue (default 2, axis 0). */
export function maxNorm(opts: { maxValue?: number; axis?: number | number[] } = {}): Constraint {
  const o = checkKeys('maxNorm', opts, ['maxValue', 'axis']);
  return new MaxNorm(finite('maxNorm', 'maxValue', o.maxValue ?? 2, 0), axisList('maxNorm', o.axis ?? 0));
}

/** Rescales each slice along `axis` to L2 norm 1 (default axis 0). */
export function unitNorm(opts: { axis?: number | number[] } = {}): Constraint {
  const o = checkKeys('unitNorm', opts, ['axis']);
  return new UnitNorm(axisList('unitNorm', o.axis ?? 0));
}

/** Keeps each slice's L2 norm in [minValue, maxValue], moving it there at `rate` (defaults 0, 1, 1, axis 0). */
export function minMaxNorm(opts: { minValue?: number; maxValue?: number; rate?: number; axis?: number | number[] } = {}): Constraint {
  const o = checkKeys('minMaxNorm', opts, ['minValue', 'maxValue', 'rate', 'axis']);
  const minValue = finite('minMaxNorm', 'minValue', o.minValue ?? 0, 0);
  const maxValue = finite('minMaxNorm', 'maxValue', o.maxValue ?? 1, 0);
  if (maxValue < minValue) throw new ConfigError(`constraints.minMaxNorm: maxValue must be >= minValue (${minValue}), got ${fmtValue(maxValue)}`);
  const rate = finite('minMaxNorm', 'rate', o.rate ?? 1, 0);
  if (rate > 1) throw new ConfigError(`constraints.minMaxNorm: rate must be in [0, 1], got ${fmtValue(rate)}`);
  return new MinMaxNorm(minValue, maxValue, rate, axisList('minMaxNorm', o.axis ?? 0));
}

/** Sets negative entries to 0. */
export function nonNeg(): Constraint {
  return new NonNeg();
}

export type ConstraintIdentifier = 'maxNorm' | 'unitNorm' | 'minMaxNorm' | 'nonNeg' | 'max_norm' | 'unit_norm' | 'min_max_norm' | 'non_neg' | Constraint;

/** Resolves a layer option: undefined/null → null; a name → the default constraint; an object with apply(w) → itself. */
export function getConstraint(layer: string, arg: string, v: unknown): Constraint | null {
  if (v === undefined || v === null) return null;
  if (typeof v === 'string') {
    switch (v) {
      case 'maxNorm': case 'max_norm': case 'MaxNorm': return maxNorm();
      case 'unitNorm': case 'unit_norm': case 'UnitNorm': return unitNorm();
      case 'minMaxNorm': case 'min_max_norm': case 'MinMaxNorm': return minMaxNorm();
      case 'nonNeg': case 'non_neg': case 'NonNeg': return nonNeg();
    }
  } else if (typeof v === 'object' && typeof (v as Constraint).apply === 'function') {
    return v as Constraint;
  }
  throw new ConfigError(`${layer}: ${arg} must be 'maxNorm', 'unitNorm', 'minMaxNorm', 'nonNeg' or an object with apply(w), got ${fmtValue(v)}`);
}

/** The config of a constraint for getConfig()/serialization; null when there is none. */
export function constraintConfig(c: Constraint | null): { className: string; config: Record<string, unknown> } | null {
  if (c === null) return null;
  if (typeof c.getConfig === 'function') return c.getConfig();
  return { className: c.constructor?.name && c.constructor.name !== 'Object' ? c.constructor.name : 'Custom', config: {} };
}

/**
 * THE CONSTRAINT HOOK: after the optimizer step, w ← constraint(w) for every trainable weight that
 * has one (Keras order: all weights are updated first, then projected). A user constraint returning
 * the wrong shape or a non-tensor is a ValueError naming the weight; the check runs before the write.
 */
export function applyConstraints(weights: readonly { name: string; value: Tensor; trainable: boolean; constraint?: Constraint | null }[],
  owner: (i: number) => string = () => ''): void {
  for (let i = 0; i < weights.length; i++) {
    const w = weights[i];
    if (!w.trainable || !w.constraint) continue;
    const out = w.constraint.apply(w.value);
    if (!(out instanceof Tensor) || out.size !== w.value.size) {
      const who = owner(i) ? `${owner(i)}/${w.name}` : w.name;
      throw new ValueError(`constraint of ${who}: apply(w) must return a Tensor of shape ${fmtShape(w.value.shape)}, got ${out instanceof Tensor ? fmtShape(out.shape) : fmtValue(out)}`);
    }
    w.value.data.set(out.data);
  }
}
