/**
 * gradCheck: compares model.gradients(x, y) (backprop, penalties included) with central finite
 * differences of model.lossBreakdown(x, y).total, weight by weight — the check Caffe runs on every
 * layer, offered to users learning backprop too.
 *
 *   numeric_i  = (L(w_i + ε) − L(w_i − ε)) / (w_i⁺ − w_i⁻)     w_i± as actually stored in float32
 *   relError_i = |analytic_i − numeric_i| / max(1, |analytic_i|, |numeric_i|)   (floored at scale 1)
 *
 * Everything runs in inference mode (dropout off). The weights are restored exactly afterwards.
 * The forward pass is float32, so a central difference carries rounding noise ≈ 1e-7·|L| / ε; the
 * defaults (ε = 1e-3, tolerance 1e-3) suit losses of order 1. A difference that straddles a kink
 * (ReLU at 0, |w| ≈ 0 under L1, an activity L1 on an output ≈ 0, max-pool ties) is meaningless:
 * pick points away from kinks, or shrink ε.
 */
import { ConfigError, fmtValue } from '../errors';
import { Random } from '../random';
import type { Tensor } from '../tensor';
import type { Model } from '../graph/model';

export interface GradCheckOptions {
  /** Finite-difference step (default 1e-3). */
  eps?: number;
  /** Largest accepted relError (default 1e-3). */
  tolerance?: number;
  /** Check at most this many entries per weight, sampled without replacement (default: all). */
  maxPerWeight?: number;
  /** Seed of the sampling (default 0). */
  seed?: number;
}

export interface GradCheckEntry {
  /** 'layer/kernel' or 'layer/bias'. */
  weight: string;
  /** Flat index into the weight. */
  index: number;
  analytic: number;
  numeric: number;
  relError: number;
}

export interface GradCheckReport {
  ok: boolean;
  maxRelError: number;
  entries: GradCheckEntry[];
}

export function gradCheck(model: Model, x: Tensor | Tensor[], y: Tensor | Tensor[], opts: GradCheckOptions = {}): GradCheckReport {
  if (opts === null || typeof opts !== 'object') throw new ConfigError(`gradCheck: options must be an object, got ${fmtValue(opts)}`);
  const eps = opts.eps ?? 1e-3;
  const tolerance = opts.tolerance ?? 1e-3;
  const maxPer = opts.maxPerWeight ?? Infinity;
  if (typeof eps !== 'number' || !(eps > 0) || !Number.isFinite(eps)) throw new ConfigError(`gradCheck: eps must be a finite number > 0, got ${fmtValue(eps)}`);
  if (typeof tolerance !== 'number' || !(tolerance >= 0)) throw new ConfigError(`gradCheck: tolerance must be a number >= 0, got ${fmtValue(tolerance)}`);
  if (maxPer !== Infinity && (!Number.isInteger(maxPer) || maxPer < 1)) throw new ConfigError(`gradCheck: maxPerWeight must be a positive integer, got ${fmtValue(maxPer)}`);
  const rng = new Random(opts.seed ?? 0);

  const { grads } = model.gradients(x, y); // validates x, y and the model
  const layers = model.layers;
  const weights = layers.flatMap((l) => l.weights.map((w) => ({ w, label: `${l.name}/${w.name}` })));
  const entries: GradCheckEntry[] = [];
  const f32 = new Float32Array(1);
  weights.forEach(({ w, label }, k) => {
    if (!w.trainable) return;
    const data = w.value.data;
    let indices = Array.from({ length: data.length }, (_, i) => i);
    if (indices.length > maxPer) {
      rng.shuffle(indices);
      indices = indices.slice(0, maxPer).sort((a, b) => a - b);
    }
    for (const i of indices) {
      const orig = data[i];
      f32[0] = orig + eps; const plus = f32[0];
      f32[0] = orig - eps; const minus = f32[0];
      data[i] = plus;
      const lp = model.lossBreakdown(x, y).total;
      data[i] = minus;
      const lm = model.lossBreakdown(x, y).total;
      data[i] = orig;
      const numeric = (lp - lm) / (plus - minus);
      const analytic = grads[k].data[i];
      const relError = Math.abs(analytic - numeric) / Math.max(1, Math.abs(analytic), Math.abs(numeric));
      entries.push({ weight: label, index: i, analytic, numeric, relError: Number.isNaN(relError) ? Infinity : relError });
    }
  });
  const maxRelError = entries.reduce((m, e) => Math.max(m, e.relError), 0);
  return { ok: maxRelError <= tolerance, maxRelError, entries };
}
