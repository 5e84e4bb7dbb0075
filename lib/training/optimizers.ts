/**
 * Optimizers with the Keras 3 update rules (keras/src/optimizers/*.py), applied in place to
 * `weight.value.data` from `weight.grad`. State (momentum, moments) is kept per weight in a Map
 * keyed by the LayerWeight, so it persists across fit() calls, as in Keras. `iterations` counts
 * the steps taken (Adam's bias correction uses it).
 *
 *   sgd       momentum = 0:  w ← w − lr·g
 *             momentum > 0:  m ← μ·m − lr·g;   w ← w + m                 (nesterov: w ← w + μ·m − lr·g)
 *   adam      t = iterations + 1;  α = lr·√(1 − β2^t) / (1 − β1^t)
 *             m ← m + (g − m)(1 − β1);  v ← v + (g² − v)(1 − β2);  w ← w − α·m / (√v + ε)
 *   adamw     w ← w − lr·wd·w  (decoupled weight decay, before the step), then adam
 *   rmsprop   v ← ρ·v + (1 − ρ)·g²;  Δ = lr·g / √(v + ε)   (ε INSIDE the square root, Keras 3)
 *             momentum = 0: w ← w − Δ;   momentum > 0: m ← μ·m + Δ;  w ← w − m
 *
 * Every optimizer also takes (Keras names and semantics, keras/src/optimizers/base_optimizer.py):
 *   learningRate   a number or a schedule (lib/training/schedules.ts): lr = schedule(iterations),
 *                  evaluated once per step at the step count BEFORE the step (0 for the first)
 *   clipnorm       each weight's gradient g ← g · c / max(‖g‖₂, c)
 *   globalClipnorm all gradients g ← g · min(1, c / ‖[g_1, …, g_n]‖₂)  (one norm over every weight)
 *   clipvalue      each element g ← clip(g, −c, c)
 * at most one of the three clips (Keras raises otherwise). Clipping sees the full gradient, the
 * penalties' gradients included (they are in weight.grad already, lib/training/penalties.ts), and
 * works on a copy: weight.grad is left as backward wrote it.
 *
 * Non-trainable weights are skipped. With plain SGD, an l2(λ) kernel regularizer is the same as
 * decoupled weight decay 2λ; with momentum or Adam they differ (Loshchilov & Hutter), which is
 * why adamw exists.
 */
import { ConfigError, fmtValue } from '../errors';
import type { LayerWeight } from '../layers/layer';
import { LearningRateSchedule, isSchedule, scheduleConfig } from './schedules';

/** Keras' optimizers.schedules: the same factories as the top-level `schedules` namespace. */
export * as schedules from './schedules';

/** A config value: numbers and flags, or a schedule's `{ className, config }`. */
export type OptimizerConfigValue = number | boolean | { className: string; config: Record<string, unknown> };

export interface Optimizer {
  /** Keras class name: 'SGD', 'Adam', 'AdamW', 'RMSprop'. */
  readonly className: string;
  /** Steps taken so far (persists across fit calls). */
  iterations: number;
  /** One update of every trainable weight from its `grad`; increments `iterations`. */
  applyGradients(weights: readonly LayerWeight[]): void;
  getConfig(): Record<string, OptimizerConfigValue>;
  /**
   * The learning rate: a number (settable, e.g. by callbacks.reduceLROnPlateau) or the schedule
   * given to the constructor (then not settable, as Keras). Optional so that users' own optimizer
   * objects need not have one.
   */
  learningRate?: number | LearningRateSchedule;
  /** The learning rate the next step will use (the schedule evaluated at `iterations`). */
  currentLearningRate?(): number;
}

function num(fn: string, arg: string, v: unknown, lo: number, hi: number, loOpen: boolean, hiOpen: boolean): number {
  const bad = typeof v !== 'number' || !Number.isFinite(v) ||
    (loOpen ? v <= lo : v < lo) || (hiOpen ? v >= hi : v > hi);
  if (bad) {
    const range = `${loOpen ? '(' : '['}${lo}, ${hi === Infinity ? '∞' : hi}${hiOpen ? ')' : ']'}`;
    throw new ConfigError(`optimizers.${fn}: ${arg} must be a finite number in ${range}, got ${fmtValue(v)}`);
  }
  return v as number;
}

function checkKeys(fn: string, opts: unknown, allowed: string[]): Record<string, unknown> {
  if (opts === undefined) return {};
  if (opts === null || typeof opts !== 'object' || Array.isArray(opts)) {
    throw new ConfigError(`optimizers.${fn}: options must be an object, got ${fmtValue(opts)}`);
  }
  for (const k of Object.keys(opts)) {
    if (!allowed.includes(k)) throw new ConfigError(`optimizers.${fn}: unknown option ${fmtValue(k)} (allowed: ${allowed.join(', ')})`);
  }
  return opts as Record<string, unknown>;
}

/** The options every optimizer shares (Keras base optimizer). */
export interface BaseOptimizerOptions {
  learningRate?: number | LearningRateSchedule;
  clipnorm?: number;
  clipvalue?: number;
  globalClipnorm?: number;
}

const BASE_KEYS = ['learningRate', 'clipnorm', 'clipvalue', 'globalClipnorm'];

interface Clip { kind: 'clipnorm' | 'clipvalue' | 'globalClipnorm'; value: number }

/** learningRate (number or schedule) and the clip options, validated. */
function baseArgs(fn: string, o: Record<string, unknown>, defaultLr: number): { lr: number | LearningRateSchedule; clip: Clip | null } {
  const raw = o.learningRate ?? defaultLr;
  const lr = isSchedule(raw) ? raw : num(fn, 'learningRate', raw, 0, Infinity, false, false);
  const set = (['clipnorm', 'clipvalue', 'globalClipnorm'] as const).filter((k) => o[k] !== undefined && o[k] !== null);
  if (set.length > 1) throw new ConfigError(`optimizers.${fn}: only one of clipnorm, clipvalue, globalClipnorm can be set, got ${set.join(' and ')}`);
  if (set.length === 0) return { lr, clip: null };
  const kind = set[0];
  return { lr, clip: { kind, value: num(fn, kind, o[kind], 0, Infinity, true, false) } };
}
/** @internal An optimizer's step count and per-weight buffers, as saveState() copies them. */
export interface OptimizerState {
  iterations: number;
  slots: Map<LayerWeight, Float32Array[]>;
  /** A numeric learning rate (callbacks such as reduceLROnPlateau change it during fit). */
  learningRate?: number;
}

/** Per-weight state buffers, created lazily (zeros) at a weight's first update. */
abstract class BaseOptimizer implements Optimizer {
  abstract readonly className: string;
  iterations = 0;
  private readonly slots = new Map<LayerWeight, Float32Array[]>();
  private readonly scratch = new Map<LayerWeight, Float32Array>();
  private lr: number | LearningRateSchedule;

  constructor(base: { lr: number | LearningRateSchedule; clip: Clip | null }) {
    this.lr = base.lr;
    this.clip = base.clip;
  }

  /** The clip option in force, or null. */
  readonly clip: Clip | null;

  get learningRate(): number | LearningRateSchedule {
    return this.lr;
  }

  set learningRate(v: number | LearningRateSchedule) {
    if (isSchedule(this.lr)) {
      throw new ConfigError(`${this.className}: this optimizer was created with a learning-rate schedule (${this.lr.className}), so its learning rate cannot be set`);
    }
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) {
      throw new ConfigError(`${this.className}: learningRate must be a finite number >= 0, got ${fmtValue(v)}`);
    }
    this.lr = v;
  }

  currentLearningRate(): number {
    const lr = this.lr;
    if (typeof lr === 'number') return lr;
    const v = lr.call(this.iterations);
    if (typeof v !== 'number' || !Number.isFinite(v)) {
      throw new ConfigError(`${this.className}: learning-rate schedule ${lr.className} returned ${fmtValue(v)} at step ${this.iterations}; expected a finite number`);
    }
    return v;
  }

  protected state(w: LayerWeight, count: number): Float32Array[] {
    let s = this.slots.get(w);
    if (!s) {
      s = [];
      for (let i = 0; i < count; i++) s.push(new Float32Array(w.value.size));
      this.slots.set(w, s);
    }
    return s;
  }

  protected abstract update(w: Float32Array, g: Float32Array, weight: LayerWeight, lr: number): void;

  /** The gradients to apply: weight.grad itself, or a clipped copy (Keras _clip_gradients). */
  private gradientsToApply(trainable: readonly LayerWeight[]): Float32Array[] {
    const clip = this.clip;
    if (clip === null) return trainable.map((w) => w.grad);
    const out = trainable.map((w) => {
      let buf = this.scratch.get(w);
      if (!buf || buf.length !== w.grad.length) { buf = new Float32Array(w.grad.length); this.scratch.set(w, buf); }
      buf.set(w.grad);
      return buf;
    });
    const c = clip.value;
    if (clip.kind === 'clipvalue') {
      for (const g of out) for (let i = 0; i < g.length; i++) g[i] = g[i] > c ? c : g[i] < -c ? -c : g[i];
    } else if (clip.kind === 'clipnorm') {
      for (const g of out) {
        let sq = 0;
        for (let i = 0; i < g.length; i++) sq += g[i] * g[i];
        const scale = c / Math.max(Math.sqrt(sq), c);
        if (scale !== 1) for (let i = 0; i < g.length; i++) g[i] *= scale;
      }
    } else {
      let sq = 0;
      for (const g of out) for (let i = 0; i < g.length; i++) sq += g[i] * g[i];
      const norm = Math.sqrt(sq);
      // Keras: scale = c · min(1 / norm, 1 / c), which is NaN when the norm is infinite or NaN.
      const scale = c * Math.min(1 / norm, 1 / c) + (norm - norm);
      if (scale !== 1) for (const g of out) for (let i = 0; i < g.length; i++) g[i] *= scale;
    }
    return out;
  }

  /** @internal A deep copy of `iterations` and every slot (lib/training/transaction.ts). */
  saveState(): OptimizerState {
    const slots = new Map<LayerWeight, Float32Array[]>();
    for (const [w, s] of this.slots) slots.set(w, s.map((a) => a.slice()));
    return { iterations: this.iterations, slots, learningRate: typeof this.lr === 'number' ? this.lr : undefined };
  }

  /** @internal Puts back a state taken by saveState(): slots created since are dropped. */
  restoreState(st: OptimizerState): void {
    this.iterations = st.iterations;
    if (st.learningRate !== undefined && typeof this.lr === 'number') this.lr = st.learningRate;
    for (const w of [...this.slots.keys()]) if (!st.slots.has(w)) this.slots.delete(w);
    for (const [w, saved] of st.slots) {
      const live = this.slots.get(w);
      if (live && live.length === saved.length) live.forEach((a, i) => a.set(saved[i]));
      else this.slots.set(w, saved.map((a) => a.slice()));
    }
  }

  applyGradients(weights: readonly LayerWeight[]): void {
    const lr = this.currentLearningRate();
    const trainable = weights.filter((w) => w.trainable);
    const grads = this.gradientsToApply(trainable);
    trainable.forEach((weight, i) => this.update(weight.value.data, grads[i], weight, lr));
    this.iterations++;
  }

  /** learningRate (a schedule as its `{ className, config }`) and the clip option when set. */
  protected baseConfig(): Record<string, OptimizerConfigValue> {
    const c: Record<string, OptimizerConfigValue> = { learningRate: typeof this.lr === 'number' ? this.lr : scheduleConfig(this.lr) };
    if (this.clip) c[this.clip.kind] = this.clip.value;
    return c;
  }

  abstract getConfig(): Record<string, OptimizerConfigValue>;
}

export interface SGDOptions extends BaseOptimizerOptions { momentum?: number; nesterov?: boolean }

class SGD extends BaseOptimizer {
  readonly className = 'SGD';
  constructor(base: { lr: number | LearningRateSchedule; clip: Clip | null }, readonly momentum: number, readonly nesterov: boolean) { super(base); }

  protected update(w: Float32Array, g: Float32Array, weight: LayerWeight, lr: number): void {
    const mu = this.momentum, n = w.length;
    if (mu === 0) {
      for (let i = 0; i < n; i++) w[i] -= lr * g[i];
      return;
    }
    const [m] = this.state(weight, 1);
    if (this.nesterov) {
      for (let i = 0; i < n; i++) { const mi = mu * m[i] - lr * g[i]; m[i] = mi; w[i] += mu * mi - lr * g[i]; }
    } else {
      for (let i = 0; i < n; i++) { const mi = mu * m[i] - lr * g[i]; m[i] = mi; w[i] += mi; }
    }
  }

  getConfig() { return { ...this.baseConfig(), momentum: this.momentum, nesterov: this.nesterov }; }
}

/** SGD, Keras defaults: learningRate 0.01, momentum 0, nesterov false. */
export function sgd(opts?: SGDOptions): Optimizer {
  const o = checkKeys('sgd', opts, [...BASE_KEYS, 'momentum', 'nesterov']);
  const nesterov = o.nesterov ?? false;
  if (typeof nesterov !== 'boolean') throw new ConfigError(`optimizers.sgd: nesterov must be a boolean, got ${fmtValue(nesterov)}`);
  return new SGD(
    baseArgs('sgd', o, 0.01),
    num('sgd', 'momentum', o.momentum ?? 0, 0, 1, false, false),
    nesterov,
  );
}

export interface AdamOptions extends BaseOptimizerOptions { beta1?: number; beta2?: number; epsilon?: number }
export interface AdamWOptions extends AdamOptions { weightDecay?: number }

class Adam extends BaseOptimizer {
  className = 'Adam';
  constructor(base: { lr: number | LearningRateSchedule; clip: Clip | null }, readonly beta1: number, readonly beta2: number,
    readonly epsilon: number, readonly weightDecay: number) { super(base); }

  protected update(w: Float32Array, g: Float32Array, weight: LayerWeight, lr: number): void {
    const [m, v] = this.state(weight, 2);
    const b1 = this.beta1, b2 = this.beta2, eps = this.epsilon, n = w.length;
    const t = this.iterations + 1;
    const alpha = (lr * Math.sqrt(1 - Math.pow(b2, t))) / (1 - Math.pow(b1, t));
    if (this.weightDecay > 0) {
      const decay = 1 - lr * this.weightDecay; // w ← w − lr·wd·w
      for (let i = 0; i < n; i++) w[i] *= decay;
    }
    const c1 = 1 - b1, c2 = 1 - b2;
    for (let i = 0; i < n; i++) {
      const gi = g[i];
      const mi = m[i] + (gi - m[i]) * c1;
      const vi = v[i] + (gi * gi - v[i]) * c2;
      m[i] = mi;
      v[i] = vi;
      w[i] -= (alpha * mi) / (Math.sqrt(vi) + eps);
    }
  }

  getConfig(): Record<string, OptimizerConfigValue> {
    const c: Record<string, OptimizerConfigValue> = { ...this.baseConfig(), beta1: this.beta1, beta2: this.beta2, epsilon: this.epsilon };
    if (this.className === 'AdamW') c.weightDecay = this.weightDecay;
    return c;
  }
}

function adamArgs(fn: string, o: Record<string, unknown>): [{ lr: number | LearningRateSchedule; clip: Clip | null }, number, number, number] {
  return [
    baseArgs(fn, o, 0.001),
    num(fn, 'beta1', o.beta1 ?? 0.9, 0, 1, false, true),
    num(fn, 'beta2', o.beta2 ?? 0.999, 0, 1, false, true),
    num(fn, 'epsilon', o.epsilon ?? 1e-7, 0, Infinity, false, false),
  ];
}

/** Adam, Keras defaults: learningRate 0.001, beta1 0.9, beta2 0.999, epsilon 1e-7. */
export function adam(opts?: AdamOptions): Optimizer {
  const o = checkKeys('adam', opts, [...BASE_KEYS, 'beta1', 'beta2', 'epsilon']);
  return new Adam(...adamArgs('adam', o), 0);
}

/** AdamW: Adam with decoupled weight decay (default 0.004, Keras) applied before each step. */
export function adamw(opts?: AdamWOptions): Optimizer {
  const o = checkKeys('adamw', opts, [...BASE_KEYS, 'beta1', 'beta2', 'epsilon', 'weightDecay']);
  const opt = new Adam(...adamArgs('adamw', o), num('adamw', 'weightDecay', o.weightDecay ?? 0.004, 0, Infinity, false, false));
  opt.className = 'AdamW';
  return opt;
}

export interface RMSpropOptions extends BaseOptimizerOptions { rho?: number; momentum?: number; epsilon?: number }

class RMSprop extends BaseOptimizer {
  readonly className = 'RMSprop';
  constructor(base: { lr: number | LearningRateSchedule; clip: Clip | null }, readonly rho: number, readonly momentum: number, readonly epsilon: number) { super(base); }

  protected update(w: Float32Array, g: Float32Array, weight: LayerWeight, lr: number): void {
    const rho = this.rho, mu = this.momentum, eps = this.epsilon, n = w.length;
    const s = this.state(weight, mu > 0 ? 2 : 1);
    const v = s[0];
    const c = 1 - rho;
    if (mu > 0) {
      const m = s[1];
      for (let i = 0; i < n; i++) {
        const gi = g[i];
        const vi = rho * v[i] + c * gi * gi;
        v[i] = vi;
        const mi = mu * m[i] + (lr * gi) / Math.sqrt(vi + eps);
        m[i] = mi;
        w[i] -= mi;
      }
    } else {
      for (let i = 0; i < n; i++) {
        const gi = g[i];
        const vi = rho * v[i] + c * gi * gi;
        v[i] = vi;
        w[i] -= (lr * gi) / Math.sqrt(vi + eps);
      }
    }
  }

  getConfig() { return { ...this.baseConfig(), rho: this.rho, momentum: this.momentum, epsilon: this.epsilon }; }
}

/** RMSprop, Keras defaults: learningRate 0.001, rho 0.9, momentum 0, epsilon 1e-7 (inside the sqrt). */
export function rmsprop(opts?: RMSpropOptions): Optimizer {
  const o = checkKeys('rmsprop', opts, [...BASE_KEYS, 'rho', 'momentum', 'epsilon']);
  return new RMSprop(
    baseArgs('rmsprop', o, 0.001),
    num('rmsprop', 'rho', o.rho ?? 0.9, 0, 1, false, true),
    num('rmsprop', 'momentum', o.momentum ?? 0, 0, 1, false, false),
    num('rmsprop', 'epsilon', o.epsilon ?? 1e-7, 0, Infinity, false, false),
  );
}

export type OptimizerIdentifier = 'sgd' | 'adam' | 'adamw' | 'rmsprop' | Optimizer;

/** Resolves compile()'s `optimizer`: a name (Keras defaults) or an Optimizer object. */
export function get(id: unknown, who = 'optimizers.get'): Optimizer {
  switch (id) {
    case 'sgd': return sgd();
    case 'adam': return adam();
    case 'adamw': return adamw();
    case 'rmsprop': return rmsprop();
  }
  if (id !== null && typeof id === 'object' && typeof (id as Optimizer).applyGradients === 'function') return id as Optimizer;
  throw new ConfigError(`${who}: optimizer must be 'sgd', 'adam', 'adamw', 'rmsprop' or an optimizers.*() object, got ${fmtValue(id)}`);
}
