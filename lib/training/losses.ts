/**
 * Losses: the data part of the training loss, with its gradient w.r.t. the predictions.
 *
 * Reduction is Keras' 'sum_over_batch_size': the mean over every position of the output.
 *   meanSquaredError             mean (p − t)²                      d/dp = 2 (p − t) / N
 *   meanAbsoluteError            mean |p − t|                       d/dp = sign(p − t) / N
 *   binaryCrossentropy           mean −[t log p + (1−t) log(1−p)]    p clipped to [ε, 1−ε]
 *   categoricalCrossentropy      mean over samples of −Σ_c t_c log q_c,  q = clip(p / Σp, ε, 1−ε)
 *   sparseCategoricalCrossentropy  the same with t = oneHot(id), ids of shape [batch] or [batch, 1]
 * N is the number of elements (MSE, MAE, BCE) or of samples (cross-entropies: one term per sample
 * and position, summed over the class axis, the last one). ε = 1e-7 (Keras' backend epsilon). As in
 * Keras, the categorical losses first rescale p to sum to 1, then clip; a clipped probability has
 * zero gradient (like TensorFlow's clip_by_value).
 *
 * `fromLogits: true` takes raw scores and is computed stably (never forms log of a probability):
 *   BCE   max(z, 0) − z t + log(1 + e^(−|z|))       d/dz = (σ(z) − t) / N
 *   CCE   Σ_c t_c (logsumexp(z) − z_c)              d/dz_c = ((Σ t) softmax(z)_c − t_c) / N
 *
 * `labelSmoothing` ls ∈ [0, 1] (binary and categorical cross-entropy, Keras): the targets are
 * softened before the loss, t ← t·(1 − ls) + ls/2 (binary) or t·(1 − ls) + ls/C (categorical, C
 * classes); the gradient formulas above hold with the softened t.
 *
 * Sample weights (fit/evaluate `sampleWeight`, `classWeight`): weightedLoss() below, for any Loss.
 *
 * Identifiers accepted by compile(): a name ('meanSquaredError', 'mse', 'mean_squared_error', …),
 * `{ name, fromLogits: true }`, or a Loss object (e.g. `losses.binaryCrossentropy({ fromLogits: true })`,
 * or any object with `name`, `compute` and `valueAndGradient`).
 */
import { ConfigError, ShapeError, ValueError, fmtShape, fmtValue } from '../errors';
import { Tensor } from '../tensor';

export const EPSILON = 1e-7;

export interface Loss {
  /** Canonical name, e.g. 'meanSquaredError'. */
  readonly name: string;
  readonly fromLogits: boolean;
  /** The mean loss over the batch. */
  compute(yTrue: Tensor, yPred: Tensor): number;
  /** The mean loss and its gradient w.r.t. yPred (same shape as yPred). */
  valueAndGradient(yTrue: Tensor, yPred: Tensor): { value: number; grad: Tensor };
  /** Throws ShapeError/ValueError when targets do not fit predictions of this shape (batch included). */
  checkTargets?(who: string, yTrue: Tensor, predShape: readonly number[]): void;
}

type Kernel = (t: Float32Array, p: Float32Array, classes: number, grad: Float32Array | null) => number;

// ------------------------------------------------------------------------------------------------
// Kernels: mean loss over the batch; when `grad` is given, its gradient w.r.t. p is written there.

const mse: Kernel = (t, p, _c, grad) => {
  const n = p.length;
  let s = 0;
  for (let i = 0; i < n; i++) {
    const d = p[i] - t[i];
    s += d * d;
    if (grad) grad[i] = (2 * d) / n;
  }
  return s / n;
};

const mae: Kernel = (t, p, _c, grad) => {
  const n = p.length;
  let s = 0;
  for (let i = 0; i < n; i++) {
    const d = p[i] - t[i];
    s += Math.abs(d);
    if (grad) grad[i] = Math.sign(d) / n;
  }
  return s / n;
};

const bce: Kernel = (t, p, _c, grad) => {
  const n = p.length;
  const hi = 1 - EPSILON;
  let s = 0;
  for (let i = 0; i < n; i++) {
    const raw = p[i];
    const q = raw < EPSILON ? EPSILON : raw > hi ? hi : raw;
    const ti = t[i];
    s -= ti * Math.log(q) + (1 - ti) * Math.log(1 - q);
    if (grad) grad[i] = raw < EPSILON || raw > hi ? 0 : (-ti / q + (1 - ti) / (1 - q)) / n;
  }
  return s / n;
};

const bceLogits: Kernel = (t, z, _c, grad) => {
  const n = z.length;
  let s = 0;
  for (let i = 0; i < n; i++) {
    const zi = z[i];
    const ti = t[i];
    s += Math.max(zi, 0) - zi * ti + Math.log1p(Math.exp(-Math.abs(zi)));
    if (grad) {
      const sig = zi >= 0 ? 1 / (1 + Math.exp(-zi)) : Math.exp(zi) / (1 + Math.exp(zi));
      grad[i] = (sig - ti) / n;
    }
  }
  return s / n;
};

/** Categorical cross-entropy on probabilities; `t` is one row of C targets per position. */
const cce: Kernel = (t, p, C, grad) => {
  const rows = p.length / C;
  const hi = 1 - EPSILON;
  let s = 0;
  for (let r = 0, o = 0; r < rows; r++, o += C) {
    let sum = 0;
    for (let c = 0; c < C; c++) sum += p[o + c];
    if (!(sum > 0)) {
      // An all-zero row (e.g. a relu output layer that died): every q is clipped to ε, so the loss
      // is −Σ t log ε and the gradient 0 (clipped probabilities pass no gradient). Keras computes
      // 0/0 here and returns NaN; Ridge keeps the loss finite for finite inputs.
      for (let c = 0; c < C; c++) {
        s -= t[o + c] * Math.log(EPSILON);
        if (grad) grad[o + c] = 0;
      }
      continue;
    }
    let rowLoss = 0;
    let gq = 0; // Σ_c g_c q_c, with g_c = dL/dq_c
    for (let c = 0; c < C; c++) {
      const q = p[o + c] / sum;
      const qc = q < EPSILON ? EPSILON : q > hi ? hi : q;
      const tc = t[o + c];
      rowLoss -= tc * Math.log(qc);
      if (grad) {
        const g = q < EPSILON || q > hi ? 0 : -tc / qc;
        grad[o + c] = g; // dL/dq_c for now
        gq += g * q;
      }
    }
    s += rowLoss;
    if (grad) {
      // q = p / Σp  ⇒  dL/dp_j = (dL/dq_j − Σ_c dL/dq_c · q_c) / Σp, then the batch mean's 1/rows.
      const k = 1 / (sum * rows);
      for (let c = 0; c < C; c++) grad[o + c] = (grad[o + c] - gq) * k;
    }
  }
  return s / rows;
};

const cceLogits: Kernel = (t, z, C, grad) => {
  const rows = z.length / C;
  let s = 0;
  for (let r = 0, o = 0; r < rows; r++, o += C) {
    let m = -Infinity;
    for (let c = 0; c < C; c++) if (z[o + c] > m) m = z[o + c];
    let e = 0;
    for (let c = 0; c < C; c++) e += Math.exp(z[o + c] - m);
    const lse = m + Math.log(e);
    let tsum = 0;
    for (let c = 0; c < C; c++) {
      const tc = t[o + c];
      tsum += tc;
      s += tc * (lse - z[o + c]);
    }
    if (grad) {
      for (let c = 0; c < C; c++) grad[o + c] = (tsum * Math.exp(z[o + c] - lse) - t[o + c]) / rows;
    }
  }
  return s / rows;
};

// ------------------------------------------------------------------------------------------------
// Shape checks

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

/** Elementwise losses: same shape, or [batch] targets for [batch, 1] predictions (and back). */
function checkElementwise(who: string, yTrue: Tensor, predShape: readonly number[]): void {
  const t = yTrue.shape;
  const ok = sameShape(t, predShape) ||
    (t.length + 1 === predShape.length && predShape[predShape.length - 1] === 1 && sameShape(t, predShape.slice(0, -1))) ||
    (t.length === predShape.length + 1 && t[t.length - 1] === 1 && sameShape(t.slice(0, -1), predShape));
  if (!ok) throw new ShapeError(`${who}: targets must have the shape of the predictions ${fmtShape(predShape)}, got ${fmtShape(t)}`);
}

/** Sparse ids: shape pred[:-1] or pred[:-1] + [1]; every value an integer in [0, classes). */
function checkSparse(who: string, yTrue: Tensor, predShape: readonly number[]): void {
  const lead = predShape.slice(0, -1);
  const t = yTrue.shape;
  if (!(sameShape(t, lead) || (t.length === lead.length + 1 && t[t.length - 1] === 1 && sameShape(t.slice(0, -1), lead)))) {
    throw new ShapeError(`${who}: sparse targets must be integer class ids of shape ${fmtShape(lead)} or ${fmtShape([...lead, 1])} for predictions ${fmtShape(predShape)}, got ${fmtShape(t)}`);
  }
  const C = predShape[predShape.length - 1];
  const d = yTrue.data;
  for (let i = 0; i < d.length; i++) {
    const v = d[i];
    if (!Number.isInteger(v) || v < 0 || v >= C) {
      throw new ValueError(`${who}: sparse targets must be integer class ids in [0, ${C - 1}], got ${fmtValue(v)} at index ${i}`);
    }
  }
}

function checkTensors(who: string, yTrue: unknown, yPred: unknown): void {
  if (!(yTrue instanceof Tensor)) throw new ValueError(`${who}: yTrue must be a Tensor, got ${fmtValue(yTrue)}`);
  if (!(yPred instanceof Tensor)) throw new ValueError(`${who}: yPred must be a Tensor, got ${fmtValue(yPred)}`);
  if (yPred.rank < 1) throw new ShapeError(`${who}: yPred must have at least rank 1 [batch, …], got shape ${fmtShape(yPred.shape)}`);
}

// ------------------------------------------------------------------------------------------------
// The Loss objects

class BuiltinLoss implements Loss {
  constructor(
    readonly name: string,
    readonly fromLogits: boolean,
    private readonly kernel: Kernel,
    private readonly kind: 'elementwise' | 'categorical' | 'sparse',
    readonly labelSmoothing = 0,
  ) {}

  checkTargets(who: string, yTrue: Tensor, predShape: readonly number[]): void {
    if (this.kind === 'sparse') checkSparse(who, yTrue, predShape);
    else if (this.kind === 'categorical') {
      if (!sameShape(yTrue.shape, predShape)) {
        throw new ShapeError(`${who}: categorical targets must have the shape of the predictions ${fmtShape(predShape)} (one-hot or probabilities), got ${fmtShape(yTrue.shape)}`);
      }
    } else checkElementwise(who, yTrue, predShape);
  }

  private run(yTrue: Tensor, yPred: Tensor, grad: Float32Array | null): number {
    const who = `losses.${this.name}`;
    checkTensors(who, yTrue, yPred);
    this.checkTargets(who, yTrue, yPred.shape);
    const C = yPred.shape[yPred.rank - 1];
    if (yPred.size === 0) return NaN; // mean over zero elements, as Keras
    let t = yTrue.data;
    if (this.kind === 'sparse') {
      // One-hot rows of C, so the categorical kernel is the single definition of the math.
      t = new Float32Array(yPred.size);
      const ids = yTrue.data;
      for (let r = 0; r < ids.length; r++) t[r * C + ids[r]] = 1;
    }
    const ls = this.labelSmoothing;
    if (ls > 0) {
      // Keras: binary t·(1 − ls) + ls/2; categorical t·(1 − ls) + ls/C. A fresh array: yTrue is never written.
      const add = this.kind === 'elementwise' ? 0.5 * ls : ls / C;
      const soft = new Float32Array(t.length);
      for (let i = 0; i < soft.length; i++) soft[i] = t[i] * (1 - ls) + add;
      t = soft;
    }
    return this.kernel(t, yPred.data, C, grad);
  }

  compute(yTrue: Tensor, yPred: Tensor): number {
    return this.run(yTrue, yPred, null);
  }

  valueAndGradient(yTrue: Tensor, yPred: Tensor): { value: number; grad: Tensor } {
    const g = new Float32Array(yPred instanceof Tensor ? yPred.size : 0);
    const value = this.run(yTrue, yPred, g);
    return { value, grad: new Tensor(g, yPred.shape) };
  }
}

export interface CrossentropyOptions {
  fromLogits?: boolean;
  /** Binary and categorical cross-entropy only: soften the targets by this much, in [0, 1] (default 0). */
  labelSmoothing?: number;
}

function fromLogitsOption(fn: string, opts: unknown, smoothing = false): boolean {
  if (opts === undefined) return false;
  if (typeof opts !== 'object' || opts === null) throw new ConfigError(`losses.${fn}: options must be an object { fromLogits?${smoothing ? ', labelSmoothing?' : ''} }, got ${fmtValue(opts)}`);
  const allowed = smoothing ? ['fromLogits', 'labelSmoothing'] : ['fromLogits'];
  for (const k of Object.keys(opts)) {
    if (!allowed.includes(k) && (opts as Record<string, unknown>)[k] !== undefined) {
      throw new ConfigError(`losses.${fn}: unknown option ${fmtValue(k)} (allowed: ${allowed.join(', ')})`);
    }
  }
  const v = (opts as CrossentropyOptions).fromLogits;
  if (v !== undefined && typeof v !== 'boolean') throw new ConfigError(`losses.${fn}: fromLogits must be a boolean, got ${fmtValue(v)}`);
  return v ?? false;
}

function labelSmoothingOption(fn: string, opts: unknown): number {
  const v = opts === undefined ? undefined : (opts as CrossentropyOptions).labelSmoothing;
  if (v === undefined) return 0;
  if (typeof v !== 'number' || !(v >= 0 && v <= 1)) throw new ConfigError(`losses.${fn}: labelSmoothing must be a number in [0, 1], got ${fmtValue(v)}`);
  return v;
}

/** mean (p − t)² */
export function meanSquaredError(): Loss {
  return new BuiltinLoss('meanSquaredError', false, mse, 'elementwise');
}

/** mean |p − t| */
export function meanAbsoluteError(): Loss {
  return new BuiltinLoss('meanAbsoluteError', false, mae, 'elementwise');
}

/** mean −[t log p + (1−t) log(1−p)], p clipped to [1e-7, 1 − 1e-7]; `fromLogits` for raw scores. */
export function binaryCrossentropy(opts?: CrossentropyOptions): Loss {
  const logits = fromLogitsOption('binaryCrossentropy', opts, true);
  return new BuiltinLoss('binaryCrossentropy', logits, logits ? bceLogits : bce, 'elementwise', labelSmoothingOption('binaryCrossentropy', opts));
}

/** mean over samples of −Σ_c t_c log p_c (p rescaled to sum 1, clipped); `fromLogits` for raw scores. */
export function categoricalCrossentropy(opts?: CrossentropyOptions): Loss {
  const logits = fromLogitsOption('categoricalCrossentropy', opts, true);
  return new BuiltinLoss('categoricalCrossentropy', logits, logits ? cceLogits : cce, 'categorical', labelSmoothingOption('categoricalCrossentropy', opts));
}

/** categoricalCrossentropy with integer class ids as targets ([batch] or [batch, 1]). */
export function sparseCategoricalCrossentropy(opts?: CrossentropyOptions): Loss {
  const logits = fromLogitsOption('sparseCategoricalCrossentropy', opts);
  return new BuiltinLoss('sparseCategoricalCrossentropy', logits, logits ? cceLogits : cce, 'sparse');
}

const FACTORIES: Record<string, (o?: CrossentropyOptions) => Loss> = {
  meanSquaredError, mse: meanSquaredError, mean_squared_error: meanSquaredError,
  meanAbsoluteError, mae: meanAbsoluteError, mean_absolute_error: meanAbsoluteError,
  binaryCrossentropy, binary_crossentropy: binaryCrossentropy,
  categoricalCrossentropy, categorical_crossentropy: categoricalCrossentropy,
  sparseCategoricalCrossentropy, sparse_categorical_crossentropy: sparseCategoricalCrossentropy,
};

export type LossIdentifier = string | { name: string; fromLogits?: boolean; labelSmoothing?: number } | Loss;

/** Resolves compile()'s `loss`: a name, `{ name, fromLogits }`, or a Loss object. */
export function get(identifier: LossIdentifier, who = 'losses.get'): Loss {
  const names = "'meanSquaredError', 'meanAbsoluteError', 'binaryCrossentropy', 'categoricalCrossentropy', 'sparseCategoricalCrossentropy'";
  if (typeof identifier === 'string') {
    const f = FACTORIES[identifier];
    if (!f) throw new ConfigError(`${who}: loss must be one of ${names}, { name, fromLogits } or a Loss object, got ${fmtValue(identifier)}`);
    return f();
  }
  if (identifier !== null && typeof identifier === 'object') {
    const o = identifier as Partial<Loss> & { name?: unknown; fromLogits?: unknown; labelSmoothing?: unknown };
    if (typeof o.compute === 'function' && typeof o.valueAndGradient === 'function') {
      if (typeof o.name !== 'string') throw new ConfigError(`${who}: a Loss object needs a string name, got ${fmtValue(o.name)}`);
      return identifier as Loss;
    }
    if (typeof o.name === 'string' && FACTORIES[o.name]) {
      const f = FACTORIES[o.name];
      if (o.fromLogits !== undefined && typeof o.fromLogits !== 'boolean') {
        throw new ConfigError(`${who}: loss.fromLogits must be a boolean, got ${fmtValue(o.fromLogits)}`);
      }
      if (o.fromLogits && (f === meanSquaredError || f === meanAbsoluteError)) {
        throw new ConfigError(`${who}: fromLogits applies to the cross-entropies only, got loss ${fmtValue(o.name)}`);
      }
      if (o.labelSmoothing !== undefined && f !== binaryCrossentropy && f !== categoricalCrossentropy) {
        throw new ConfigError(`compile: labelSmoothing applies to binaryCrossentropy and categoricalCrossentropy only, got loss ${fmtValue(o.name)}`);
      }
      const args: CrossentropyOptions = { fromLogits: o.fromLogits as boolean | undefined };
      if (o.labelSmoothing !== undefined) args.labelSmoothing = o.labelSmoothing as number;
      return f(args);
    }
  }
  throw new ConfigError(`${who}: loss must be one of ${names}, { name, fromLogits } or a Loss object, got ${fmtValue(identifier)}`);
}

// ------------------------------------------------------------------------------------------------
// Sample weights (Keras 'sum_over_batch_size' with sample_weight): each sample's loss is scaled by
// its weight and the sum is divided by the batch size B (not by the sum of the weights):
//
//   L = (1/B) Σ_b w_b · loss(y_b, p_b)        dL/dp_b = (w_b / B) · d loss(y_b, p_b) / dp_b
//
// where loss(y_b, p_b) is the loss on sample b alone (its mean over the sample's positions), so this
// holds for every Loss whose value is a mean over samples (all built-in ones, and Keras' reduction).
// Weights of 1 give the unweighted loss exactly.

/** Rows [b, b + 1) of t (a view). */
function sampleOf(t: Tensor, b: number): Tensor {
  const row = t.size / t.shape[0];
  return new Tensor(t.data.subarray(b * row, (b + 1) * row), [1, ...t.shape.slice(1)]);
}

/** The sample-weighted loss and (when `withGrad`) its gradient w.r.t. yPred; `w` has one entry per sample. */
export function weightedLoss(loss: Loss, yTrue: Tensor, yPred: Tensor, w: Float32Array, withGrad: boolean): { value: number; grad: Tensor | null } {
  const B = yPred.shape[0];
  if (w.length !== B) throw new ShapeError(`losses: sampleWeight must have one entry per sample (${B}), got ${w.length}`);
  const grad = withGrad ? new Float32Array(yPred.size) : null;
  const row = yPred.size / B;
  let total = 0;
  for (let b = 0; b < B; b++) {
    const wb = w[b];
    if (wb === 0) continue; // contributes nothing (and its gradient stays 0)
    const yt = sampleOf(yTrue, b), yp = sampleOf(yPred, b);
    if (grad) {
      const r = loss.valueAndGradient(yt, yp);
      total += wb * r.value;
      const g = r.grad.data, k = wb / B, off = b * row;
      for (let i = 0; i < row; i++) grad[off + i] = g[i] * k;
    } else {
      total += wb * loss.compute(yt, yp);
    }
  }
  return { value: total / B, grad: grad ? new Tensor(grad, yPred.shape) : null };
}

