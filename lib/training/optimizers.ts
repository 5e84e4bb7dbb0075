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
 * Non-trainable weights are skipped. With plain SGD, an l2(λ) kernel regularizer is the same as
 * decoupled weight decay 2λ; with momentum or Adam they differ (Loshchilov & Hutter), which is
 * why adamw exists.
 */
import { ConfigError, fmtValue } from '../errors';
import type { LayerWeight } from '../layers/layer';

export interface Optimizer {
  /** Keras class name: 'SGD', 'Adam', 'AdamW', 'RMSprop'. */
  readonly className: string;
  /** Steps taken so far (persists across fit calls). */
  iterations: number;
  /** One update of every trainable weight from its `grad`; increments `iterations`. */
  applyGradients(weights: readonly LayerWeight[]): void;
  getConfig(): Record<string, number | boolean>;
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

/** @internal An optimizer's step count and per-weight buffers, as saveState() copies them. */
export interface OptimizerState { iterations: number; slots: Map<LayerWeight, Float32Array[]> }

/** Per-weight state buffers, created lazily (zeros) at a weight's first update. */
abstract class BaseOptimizer implements Optimizer {
  abstract readonly className: string;
  iterations = 0;
  private readonly slots = new Map<LayerWeight, Float32Array[]>();

  protected state(w: LayerWeight, count: number): Float32Array[] {
    let s = this.slots.get(w);
    if (!s) {
      s = [];
      for (let i = 0; i < count; i++) s.push(new Float32Array(w.value.size));
      this.slots.set(w, s);
    }
    return s;
  }

  protected abstract update(w: Float32Array, g: Float32Array, weight: LayerWeight): void;

  /** @internal A deep copy of `iterations` and every slot (lib/training/transaction.ts). */
  saveState(): OptimizerState {
    const slots = new Map<LayerWeight, Float32Array[]>();
    for (const [w, s] of this.slots) slots.set(w, s.map((a) => a.slice()));
    return { iterations: this.iterations, slots };
  }

  /** @internal Puts back a state taken by saveState(): slots created since are dropped. */
  restoreState(st: OptimizerState): void {
    this.iterations = st.iterations;
    for (const w of [...this.slots.keys()]) if (!st.slots.has(w)) this.slots.delete(w);
    for (const [w, saved] of st.slots) {
      const live = this.slots.get(w);
      if (live && live.length === saved.length) live.forEach((a, i) => a.set(saved[i]));
      else this.slots.set(w, saved.map((a) => a.slice()));
    }
  }

  applyGradients(weights: readonly LayerWeight[]): void {
    for (const weight of weights) {
      if (!weight.trainable) continue;
      this.update(weight.value.data, weight.grad, weight);
    }
    this.iterations++;
  }

  abstract getConfig(): Record<string, number | boolean>;
}

export interface SGDOptions { learningRate?: number; momentum?: number; nesterov?: boolean }

class SGD extends BaseOptimizer {
  readonly className = 'SGD';
  constructor(readonly learningRate: number, readonly momentum: number, readonly nesterov: boolean) { super(); }

  protected update(w: Float32Array, g: Float32Array, weight: LayerWeight): void {
    const lr = this.learningRate, mu = this.momentum, n = w.length;
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

  getConfig() { return { learningRate: this.learningRate, momentum: this.momentum, nesterov: this.nesterov }; }
}

/** SGD, Keras defaults: learningRate 0.01, momentum 0, nesterov false. */
export function sgd(opts?: SGDOptions): Optimizer {
  const o = checkKeys('sgd', opts, ['learningRate', 'momentum', 'nesterov']);
  const nesterov = o.nesterov ?? false;
  if (typeof nesterov !== 'boolean') throw new ConfigError(`optimizers.sgd: nesterov must be a boolean, got ${fmtValue(nesterov)}`);
  return new SGD(
    num('sgd', 'learningRate', o.learningRate ?? 0.01, 0, Infinity, false, false),
    num('sgd', 'momentum', o.momentum ?? 0, 0, 1, false, false),
    nesterov,
  );
}

export interface AdamOptions { learningRate?: number; beta1?: number; beta2?: number; epsilon?: number }
export interface AdamWOptions extends AdamOptions { weightDecay?: number }

class Adam extends BaseOptimizer {
  className = 'Adam';
  constructor(readonly learningRate: number, readonly beta1: number, readonly beta2: number,
    readonly epsilon: number, readonly weightDecay: number) { super(); }

  protected update(w: Float32Array, g: Float32Array, weight: LayerWeight): void {
    const [m, v] = this.state(weight, 2);
    const lr = this.learningRate, b1 = this.beta1, b2 = this.beta2, eps = this.epsilon, n = w.length;
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

  getConfig(): Record<string, number | boolean> {
    const c: Record<string, number> = { learningRate: this.learningRate, beta1: this.beta1, beta2: this.beta2, epsilon: this.epsilon };
    if (this.className === 'AdamW') c.weightDecay = this.weightDecay;
    return c;
  }
}

function adamArgs(fn: string, o: Record<string, unknown>): [number, number, number, number] {
  return [
    num(fn, 'learningRate', o.learningRate ?? 0.001, 0, Infinity, false, false),
    num(fn, 'beta1', o.beta1 ?? 0.9, 0, 1, false, true),
    num(fn, 'beta2', o.beta2 ?? 0.999, 0, 1, false, true),
    num(fn, 'epsilon', o.epsilon ?? 1e-7, 0, Infinity, false, false),
  ];
}

/** Adam, Keras defaults: learningRate 0.001, beta1 0.9, beta2 0.999, epsilon 1e-7. */
export function adam(opts?: AdamOptions): Optimizer {
  const o = checkKeys('adam', opts, ['learningRate', 'beta1', 'beta2', 'epsilon']);
  return new Adam(...adamArgs('adam', o), 0);
}

/** AdamW: Adam with decoupled weight decay (default 0.004, Keras) applied before each step. */
export function adamw(opts?: AdamWOptions): Optimizer {
  const o = checkKeys('adamw', opts, ['learningRate', 'beta1', 'beta2', 'epsilon', 'weightDecay']);
  const opt = new Adam(...adamArgs('adamw', o), num('adamw', 'weightDecay', o.weightDecay ?? 0.004, 0, Infinity, false, false));
  opt.className = 'AdamW';
  return opt;
}

export interface RMSpropOptions { learningRate?: number; rho?: number; momentum?: number; epsilon?: number }

class RMSprop extends BaseOptimizer {
  readonly className = 'RMSprop';
  constructor(readonly learningRate: number, readonly rho: number, readonly momentum: number, readonly epsilon: number) { super(); }

  protected update(w: Float32Array, g: Float32Array, weight: LayerWeight): void {
    const lr = this.learningRate, rho = this.rho, mu = this.momentum, eps = this.epsilon, n = w.length;
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

  getConfig() { return { learningRate: this.learningRate, rho: this.rho, momentum: this.momentum, epsilon: this.epsilon }; }
}

/** RMSprop, Keras defaults: learningRate 0.001, rho 0.9, momentum 0, epsilon 1e-7 (inside the sqrt). */
export function rmsprop(opts?: RMSpropOptions): Optimizer {
  const o = checkKeys('rmsprop', opts, ['learningRate', 'rho', 'momentum', 'epsilon']);
  return new RMSprop(
    num('rmsprop', 'learningRate', o.learningRate ?? 0.001, 0, Infinity, false, false),
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
