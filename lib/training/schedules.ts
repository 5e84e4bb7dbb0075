/**
 * Learning-rate schedules (Keras 3, keras/src/optimizers/schedules/learning_rate_schedule.py): a
 * function of the optimizer's step count (`iterations` before the step: 0 for the first update),
 * accepted as `learningRate` by every optimizer.
 *
 *   exponentialDecay        lr = initial · rate^(step / decaySteps)            (staircase: ⌊step / decaySteps⌋)
 *   inverseTimeDecay        lr = initial / (1 + rate · step / decaySteps)      (staircase: ⌊step / decaySteps⌋)
 *   piecewiseConstantDecay  lr = values[0] for step ≤ b[0], values[i] for b[i−1] < step ≤ b[i], values[-1] after
 *   cosineDecay             without warm-up: s = min(step, decaySteps)
 *                             lr = initial · ((1 − α)·½(1 + cos(π s / decaySteps)) + α)
 *                           with warmupTarget: s = min(step, warmupSteps + decaySteps)
 *                             s < warmupSteps:  lr = initial + (warmupTarget − initial) · s / warmupSteps
 *                             otherwise:        the cosine above from warmupTarget, at s − warmupSteps
 *
 * A schedule is an object with `call(step)`, `className` and `getConfig()`; users may pass their
 * own object of that shape (or a plain function `(step) => lr`, wrapped by `schedules.fromFunction`).
 */
import { ConfigError, fmtValue } from '../errors';

export interface LearningRateSchedule {
  /** Keras class name, e.g. 'ExponentialDecay'. */
  readonly className: string;
  /** The learning rate at optimizer step `step` (0-based count of steps already taken). */
  call(step: number): number;
  getConfig(): Record<string, unknown>;
}

/** True for an object with a `call(step)` method (a schedule). */
export function isSchedule(v: unknown): v is LearningRateSchedule {
  return v !== null && typeof v === 'object' && typeof (v as LearningRateSchedule).call === 'function';
}

/** `{ className, config }` of a schedule, for an optimizer's getConfig(). */
export function scheduleConfig(s: LearningRateSchedule): { className: string; config: Record<string, unknown> } {
  return { className: s.className ?? 'Custom', config: typeof s.getConfig === 'function' ? s.getConfig() : {} };
}

function checkKeys(fn: string, opts: unknown, allowed: string[], required: string[]): Record<string, unknown> {
  if (opts === null || typeof opts !== 'object' || Array.isArray(opts)) {
    throw new ConfigError(`schedules.${fn}: options must be an object { ${required.join(', ')}, … }, got ${fmtValue(opts)}`);
  }
  for (const k of Object.keys(opts)) {
    if (!allowed.includes(k)) throw new ConfigError(`schedules.${fn}: unknown option ${fmtValue(k)} (allowed: ${allowed.join(', ')})`);
  }
  for (const k of required) {
    if ((opts as Record<string, unknown>)[k] === undefined) throw new ConfigError(`schedules.${fn}: ${k} is required`);
  }
  return opts as Record<string, unknown>;
}

function finite(fn: string, arg: string, v: unknown, min = -Infinity, minOpen = false): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || (minOpen ? v <= min : v < min)) {
    const bound = min === -Infinity ? '' : ` ${minOpen ? '>' : '>='} ${min}`;
    throw new ConfigError(`schedules.${fn}: ${arg} must be a finite number${bound}, got ${fmtValue(v)}`);
  }
  return v;
}

function flag(fn: string, arg: string, v: unknown): boolean {
  if (v === undefined) return false;
  if (typeof v !== 'boolean') throw new ConfigError(`schedules.${fn}: ${arg} must be a boolean, got ${fmtValue(v)}`);
  return v;
}

function nameOption(fn: string, v: unknown, dflt: string): string {
  if (v === undefined) return dflt;
  if (typeof v !== 'string' || v === '') throw new ConfigError(`schedules.${fn}: name must be a non-empty string, got ${fmtValue(v)}`);
  return v;
}

// ------------------------------------------------------------------------------------------------

export interface ExponentialDecayOptions { initialLearningRate: number; decaySteps: number; decayRate: number; staircase?: boolean; name?: string }

class Decay implements LearningRateSchedule {
  constructor(readonly className: 'ExponentialDecay' | 'InverseTimeDecay', readonly initialLearningRate: number,
    readonly decaySteps: number, readonly decayRate: number, readonly staircase: boolean, readonly name: string) {}

  call(step: number): number {
    let p = step / this.decaySteps;
    if (this.staircase) p = Math.floor(p);
    return this.className === 'ExponentialDecay'
      ? this.initialLearningRate * Math.pow(this.decayRate, p)
      : this.initialLearningRate / (1 + this.decayRate * p);
  }

  getConfig(): Record<string, unknown> {
    return { initialLearningRate: this.initialLearningRate, decaySteps: this.decaySteps, decayRate: this.decayRate, staircase: this.staircase, name: this.name };
  }
}

function decay(fn: string, className: 'ExponentialDecay' | 'InverseTimeDecay', opts: unknown): LearningRateSchedule {
  const o = checkKeys(fn, opts, ['initialLearningRate', 'decaySteps', 'decayRate', 'staircase', 'name'], ['initialLearningRate', 'decaySteps', 'decayRate']);
  return new Decay(className, finite(fn, 'initialLearningRate', o.initialLearningRate, 0),
    finite(fn, 'decaySteps', o.decaySteps, 0, true), finite(fn, 'decayRate', o.decayRate, 0),
    flag(fn, 'staircase', o.staircase), nameOption(fn, o.name, className));
}

/** initialLearningRate · decayRate^(step / decaySteps) (floored exponent with `staircase`). */
export function exponentialDecay(opts: ExponentialDecayOptions): LearningRateSchedule {
  return decay('exponentialDecay', 'ExponentialDecay', opts);
}

export type InverseTimeDecayOptions = ExponentialDecayOptions;

/** initialLearningRate / (1 + decayRate · step / decaySteps) (floored ratio with `staircase`). */
export function inverseTimeDecay(opts: InverseTimeDecayOptions): LearningRateSchedule {
  return decay('inverseTimeDecay', 'InverseTimeDecay', opts);
}

// ------------------------------------------------------------------------------------------------

export interface PiecewiseConstantDecayOptions { boundaries: number[]; values: number[]; name?: string }

class PiecewiseConstant implements LearningRateSchedule {
  readonly className = 'PiecewiseConstantDecay';
  constructor(readonly boundaries: number[], readonly values: number[], readonly name: string) {}

  call(step: number): number {
    const b = this.boundaries;
    for (let i = 0; i < b.length; i++) if (step <= b[i]) return this.values[i];
    return this.values[b.length];
  }

  getConfig(): Record<string, unknown> {
    return { boundaries: this.boundaries.slice(), values: this.values.slice(), name: this.name };
  }
}

/** values[0] up to and including boundaries[0], values[i] on (boundaries[i−1], boundaries[i]], values[-1] after. */
export function piecewiseConstantDecay(opts: PiecewiseConstantDecayOptions): LearningRateSchedule {
  const fn = 'piecewiseConstantDecay';
  const o = checkKeys(fn, opts, ['boundaries', 'values', 'name'], ['boundaries', 'values']);
  const b = o.boundaries, v = o.values;
  if (!Array.isArray(b) || b.length === 0 || !b.every((x) => typeof x === 'number' && Number.isFinite(x)) || b.some((x, i) => i > 0 && x <= b[i - 1])) {
    throw new ConfigError(`schedules.${fn}: boundaries must be a non-empty array of strictly increasing finite numbers, got ${fmtValue(b)}`);
  }
  if (!Array.isArray(v) || !v.every((x) => typeof x === 'number' && Number.isFinite(x) && x >= 0)) {
    throw new ConfigError(`schedules.${fn}: values must be an array of finite numbers >= 0, got ${fmtValue(v)}`);
  }
  if (v.length !== b.length + 1) {
    throw new ConfigError(`schedules.${fn}: values must have one more entry than boundaries (${b.length + 1}), got ${v.length} values for ${b.length} boundaries`);
  }
  return new PiecewiseConstant(b.slice(), v.slice(), nameOption(fn, o.name, 'PiecewiseConstant'));
}

// ------------------------------------------------------------------------------------------------

export interface CosineDecayOptions {
  initialLearningRate: number;
  decaySteps: number;
  /** Floor of the decay as a fraction of the rate it decays from (default 0). */
  alpha?: number;
  /** Warm up linearly from initialLearningRate to this over warmupSteps, then decay from it (default: no warm-up). */
  warmupTarget?: number | null;
  warmupSteps?: number;
  name?: string;
}

class Cosine implements LearningRateSchedule {
  readonly className = 'CosineDecay';
  constructor(readonly initialLearningRate: number, readonly decaySteps: number, readonly alpha: number,
    readonly warmupTarget: number | null, readonly warmupSteps: number, readonly name: string) {}

  private decayed(step: number, from: number): number {
    const cosine = 0.5 * (1 + Math.cos(Math.PI * (step / this.decaySteps)));
    return from * ((1 - this.alpha) * cosine + this.alpha);
  }

  call(step: number): number {
    if (this.warmupTarget === null) return this.decayed(Math.min(step, this.decaySteps), this.initialLearningRate);
    const s = Math.min(step, this.decaySteps + this.warmupSteps);
    if (s < this.warmupSteps) {
      return (this.warmupTarget - this.initialLearningRate) * (s / this.warmupSteps) + this.initialLearningRate;
    }
    return this.decayed(s - this.warmupSteps, this.warmupTarget);
  }

  getConfig(): Record<string, unknown> {
    return {
      initialLearningRate: this.initialLearningRate, decaySteps: this.decaySteps, alpha: this.alpha, name: this.name,
      warmupTarget: this.warmupTarget, warmupSteps: this.warmupSteps,
    };
  }
}

/** Cosine decay from initialLearningRate (or, after a linear warm-up, from warmupTarget) to alpha times it. */
export function cosineDecay(opts: CosineDecayOptions): LearningRateSchedule {
  const fn = 'cosineDecay';
  const o = checkKeys(fn, opts, ['initialLearningRate', 'decaySteps', 'alpha', 'warmupTarget', 'warmupSteps', 'name'], ['initialLearningRate', 'decaySteps']);
  const warmupTarget = o.warmupTarget === undefined || o.warmupTarget === null ? null : finite(fn, 'warmupTarget', o.warmupTarget, 0);
  const warmupSteps = o.warmupSteps === undefined ? 0 : finite(fn, 'warmupSteps', o.warmupSteps, 0);
  // A warmupTarget with warmupSteps 0 (Keras allows it) starts the decay at the target at once.
  return new Cosine(finite(fn, 'initialLearningRate', o.initialLearningRate, 0), finite(fn, 'decaySteps', o.decaySteps, 0, true),
    o.alpha === undefined ? 0 : finite(fn, 'alpha', o.alpha, 0), warmupTarget, warmupSteps, nameOption(fn, o.name, 'CosineDecay'));
}

// ------------------------------------------------------------------------------------------------

/** Wraps a plain function `(step) => lr` as a schedule (className 'Custom'). */
export function fromFunction(f: (step: number) => number): LearningRateSchedule {
  if (typeof f !== 'function') throw new ConfigError(`schedules.fromFunction: expects a function (step) => learningRate, got ${fmtValue(f)}`);
  return { className: 'Custom', call: (step: number) => f(step), getConfig: () => ({}) };
}
