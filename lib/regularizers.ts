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
import { ConfigError, ShapeError, ValueError, fmtShape, fmtValue } from './errors';
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

// ------------------------------------------------------------------------------------------------
// Orthogonal (Keras 3 OrthogonalRegularizer), for rank-2 weights such as a Dense kernel [in, units].
//
//   rows mode:  u_i = w_i / √max(Σ_j w_ij², 1e-12)        (each row L2-normalised, as tf.nn.l2_normalize)
//               G = U·Uᵀ  (n × n, n = rows)
//               penalty = factor · ½ · Σ_{i≠j} |G_ij| / (n(n − 1)/2)   = factor · mean over pairs of |u_i·u_j|
//   columns mode: the same on the columns (G = Uᵀ·U over the normalised columns).
//
// Gradient (rows; columns is the same on Wᵀ), with c = factor / (n(n − 1)/2):
//   d penalty / d u_i = c · Σ_{j≠i} sign(G_ij) · u_j                 (each pair appears twice in Σ_{i≠j})
//   d penalty / d w_i = (g_i − u_i (u_i · g_i)) / r_i   for r_i² = Σ_j w_ij² ≥ 1e-12   (g_i = d/du_i)
//                     = g_i / √1e-12                    otherwise (the clamp is constant there)
// sign(0) = 0, as for L1. A matrix with fewer than 2 rows (columns) has no pairs: a ShapeError.

const NORM_EPS = 1e-12;

class Orthogonal implements Regularizer {
  constructor(readonly factor: number, readonly mode: 'rows' | 'columns') {}

  /** Views W as vectors v_0 … v_{n-1} of length m (rows, or columns when mode is 'columns'). */
  private vectors(x: Tensor): { n: number; m: number; at: (i: number, k: number) => number; index: (i: number, k: number) => number } {
    checkInput('OrthogonalRegularizer', 'penalty/gradient', x);
    if (x.rank !== 2) throw new ShapeError(`regularizers.orthogonal: the weight must have rank 2, got shape ${fmtShape(x.shape)}`);
    const [R, C] = x.shape;
    const rows = this.mode === 'rows';
    const n = rows ? R : C, m = rows ? C : R;
    if (n < 2) throw new ShapeError(`regularizers.orthogonal: mode '${this.mode}' needs at least 2 ${this.mode} (pairs to compare), got shape ${fmtShape(x.shape)}`);
    const index = rows ? (i: number, k: number) => i * C + k : (i: number, k: number) => k * C + i;
    const d = x.data;
    return { n, m, at: (i, k) => d[index(i, k)], index };
  }

  /** Normalised vectors U (n × m, float64), their inverse norms, and G = U·Uᵀ. */
  private gram(x: Tensor): { n: number; m: number; u: Float64Array; inv: Float64Array; clamped: Uint8Array; g: Float64Array; index: (i: number, k: number) => number } {
    const { n, m, at, index } = this.vectors(x);
    const u = new Float64Array(n * m), inv = new Float64Array(n), clamped = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      let s = 0;
      for (let k = 0; k < m; k++) { const v = at(i, k); s += v * v; }
      clamped[i] = s < NORM_EPS ? 1 : 0;
      inv[i] = 1 / Math.sqrt(Math.max(s, NORM_EPS));
      for (let k = 0; k < m; k++) u[i * m + k] = at(i, k) * inv[i];
    }
    const g = new Float64Array(n * n);
    for (let i = 0; i < n; i++) {
      for (let j = i + 1; j < n; j++) {
        let dot = 0;
        for (let k = 0; k < m; k++) dot += u[i * m + k] * u[j * m + k];
        g[i * n + j] = dot;
        g[j * n + i] = dot;
      }
    }
    return { n, m, u, inv, clamped, g, index };
  }

  penalty(x: Tensor): number {
    const { n, g } = this.gram(x);
    let s = 0;
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) if (i !== j) s += Math.abs(g[i * n + j]);
    const pairs = (n * (n - 1)) / 2;
    return (this.factor * 0.5 * s) / pairs;
  }

  gradient(x: Tensor): Tensor {
    const { n, m, u, inv, clamped, g, index } = this.gram(x);
    const c = this.factor / ((n * (n - 1)) / 2);
    const out = new Float32Array(x.size);
    const gu = new Float64Array(m);
    for (let i = 0; i < n; i++) {
      gu.fill(0);
      for (let j = 0; j < n; j++) {
        if (j === i) continue;
        const sg = Math.sign(g[i * n + j]);
        if (sg === 0) continue;
        for (let k = 0; k < m; k++) gu[k] += sg * u[j * m + k];
      }
      let dot = 0;
      for (let k = 0; k < m; k++) { gu[k] *= c; dot += u[i * m + k] * gu[k]; }
      for (let k = 0; k < m; k++) {
        out[index(i, k)] = clamped[i] ? gu[k] * inv[i] : (gu[k] - u[i * m + k] * dot) * inv[i];
      }
    }
    return new Tensor(out, x.shape);
  }

  /**
   * `{ factor, mode }` as Keras. API.md types regularizer config values as numbers; `mode` is the one
   * string value (widening the interface would break users' own regularizers typed against it).
   */
  getConfig(): { className: string; config: Record<string, number> } {
    const config: Record<string, number | string> = { factor: this.factor, mode: this.mode };
    return { className: 'OrthogonalRegularizer', config: config as Record<string, number> };
  }
}

/**
 * Keras 3 OrthogonalRegularizer: `factor` (default 0.01) times the mean |cosine| between every pair
 * of rows (mode 'rows', the default) or columns (mode 'columns') of a rank-2 weight.
 */
export function orthogonal(opts: { factor?: number; mode?: 'rows' | 'columns' } | null = {}): Regularizer {
  opts = opts ?? {};
  if (typeof opts !== 'object' || Array.isArray(opts)) throw new ConfigError(`regularizers.orthogonal: options must be an object { factor?, mode? }, got ${fmtValue(opts)}`);
  for (const k of Object.keys(opts)) {
    if (k !== 'factor' && k !== 'mode') throw new ConfigError(`regularizers.orthogonal: unknown option ${fmtValue(k)} (allowed: factor, mode)`);
  }
  const mode = opts.mode ?? 'rows';
  if (mode !== 'rows' && mode !== 'columns') {
    throw new ValueError(`regularizers.orthogonal: mode must be 'rows' or 'columns', got ${fmtValue(opts.mode)}`);
  }
  return new Orthogonal(coefficient('orthogonal', 'factor', opts.factor ?? 0.01), mode);
}

