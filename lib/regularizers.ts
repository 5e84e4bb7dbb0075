/**
 * Regularizers: norm penalties on a weight or on a layer's output (Keras definitions).
 *
 *   l1(x)   = l1 · Σ|x|               gradient  l1 · sign(x), with sign(0) = 0
 *   l2(x)   = l2 · Σx²                gradient  2 · l2 · x
 *   l1l2(x) = l1 · Σ|x| + l2 · Σx²    gradient  the sum of both
 *
 * Keras' L2 has no ½: its gradient is 2·l2·x. Caffe's and convnetjs' "weight decay" is ½·λ·Σx²
 * with gradient λ·x, so Keras l2(λ) equals their decay 2λ (and, for plain SGD only, decoupled
 * weight decay 2λ).
 *
 * Where these enter the loss and the gradients: lib/training/penalties.ts.
 */
import { ConfigError, ValueError, fmtValue } from './errors';
import { Tensor } from './tensor';

export interface Regularizer {
  /** The scalar added to the loss. */
  penalty(x: Tensor): number;
  /** d penalty / d x, same shape as x. */
  gradient(x: Tensor): Tensor;
  getConfig(): { className: string; config: Record<string, number> };
}

function coefficient(fn: string, name: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) {
    throw new ConfigError(`regularizers.${fn}: ${name} must be a finite number >= 0, got ${fmtValue(v)}`);
  }
  return v;
}

function checkInput(cls: string, method: string, x: unknown): void {
  if (!(x instanceof Tensor)) throw new ValueError(`${cls}.${method}: x must be a Tensor, got ${fmtValue(x)}`);
}

/** L1 and L2 in one class: L1 is l2 = 0, L2 is l1 = 0 (as Keras' L1L2). */
class L1L2 implements Regularizer {
  constructor(readonly l1: number, readonly l2: number, private readonly className: string) {}

  // A zero coefficient's term is skipped, not multiplied by 0: L1 of an infinite weight is
  // Infinity (not 0·∞ = NaN from the absent L2 term), as Keras computes only the terms it has.
  penalty(x: Tensor): number {
    checkInput(this.className, 'penalty', x);
    let abs = 0, sq = 0;
    const d = x.data;
    for (let i = 0; i < d.length; i++) {
      const v = d[i];
      abs += Math.abs(v);
      sq += v * v;
    }
    return (this.l1 !== 0 ? this.l1 * abs : 0) + (this.l2 !== 0 ? this.l2 * sq : 0);
  }

  gradient(x: Tensor): Tensor {
    checkInput(this.className, 'gradient', x);
    const g = new Float32Array(x.size);
    const d = x.data, l1 = this.l1, twoL2 = 2 * this.l2;
    if (twoL2 === 0) for (let i = 0; i < g.length; i++) g[i] = l1 * Math.sign(d[i]);       // Math.sign(0) === 0
    else if (l1 === 0) for (let i = 0; i < g.length; i++) g[i] = twoL2 * d[i];
    else for (let i = 0; i < g.length; i++) g[i] = l1 * Math.sign(d[i]) + twoL2 * d[i];
    return new Tensor(g, x.shape);
  }

  getConfig(): { className: string; config: Record<string, number> } {
    const config: Record<string, number> = {};
    if (this.className !== 'L2') config.l1 = this.l1;
    if (this.className !== 'L1') config.l2 = this.l2;
    return { className: this.className, config };
  }
}

/** `l1 · Σ|x|`, default l1 = 0.01. */
export function l1(opts: { l1?: number } | null = {}): Regularizer {
  opts = opts ?? {};
  return new L1L2(coefficient('l1', 'l1', opts.l1 ?? 0.01), 0, 'L1');
}

/** `l2 · Σx²` (no ½), default l2 = 0.01. */
export function l2(opts: { l2?: number } | null = {}): Regularizer {
  opts = opts ?? {};
  return new L1L2(0, coefficient('l2', 'l2', opts.l2 ?? 0.01), 'L2');
}

/** `l1 · Σ|x| + l2 · Σx²`, defaults 0.01 / 0.01 (tf.keras and TensorFlow.js). */
export function l1l2(opts: { l1?: number; l2?: number } | null = {}): Regularizer {
  opts = opts ?? {};
  return new L1L2(coefficient('l1l2', 'l1', opts.l1 ?? 0.01), coefficient('l1l2', 'l2', opts.l2 ?? 0.01), 'L1L2');
}

export type RegularizerIdentifier = 'l1' | 'l2' | 'l1l2' | 'l1_l2' | Regularizer;

/**
 * Resolves a layer option: undefined/null → null, a string shortcut → default coefficients, an
 * object with `penalty` and `gradient` methods → itself (a user's own regularizer).
 */
export function getRegularizer(layer: string, arg: string, v: unknown): Regularizer | null {
  if (v === undefined || v === null) return null;
  if (typeof v === 'string') {
    switch (v) {
      case 'l1': return l1();
      case 'l2': return l2();
      case 'l1l2': case 'l1_l2': return l1l2();
    }
  } else if (typeof v === 'object' && typeof (v as Regularizer).penalty === 'function' && typeof (v as Regularizer).gradient === 'function') {
    return v as Regularizer;
  }
  throw new ConfigError(`${layer}: ${arg} must be 'l1', 'l2', 'l1l2' or an object with penalty(x) and gradient(x), got ${fmtValue(v)}`);
}
