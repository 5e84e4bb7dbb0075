/**
 * Metrics reported by fit() and evaluate(): 'accuracy' (alias 'acc'), 'mse', 'mae', and the Keras
 * metrics 'precision', 'recall', 'auc', 'topKCategoricalAccuracy', 'sparseTopKCategoricalAccuracy',
 * 'meanAbsoluteError', 'r2Score' (also as factories with options: metrics.auc({ numThresholds })).
 *
 * Each metric returns a sum and a count for one batch, so an epoch's value is exact over all its
 * samples (sum of sums / sum of counts), as Keras' stateful Mean metrics are.
 *
 * 'accuracy' is resolved from the compiled loss, as Keras does:
 *   binaryCrossentropy            binary: (p > 0.5) === t per element (logits: z > 0, the same decision)
 *   categoricalCrossentropy       categorical: argmax(p) === argmax(t) per sample
 *   sparseCategoricalCrossentropy sparse: argmax(p) === id per sample
 *   other losses                  binary when the output's last axis is 1, categorical otherwise
 */
import { ConfigError, fmtValue } from '../errors';
import { Tensor } from '../tensor';
import type { Loss } from './losses';

export interface Metric {
  /** Key in logs and History ('accuracy', 'mse', 'mae'). */
  readonly name: string;
  /** Sum and count over one batch. */
  batch(yTrue: Tensor, yPred: Tensor): { sum: number; count: number };
  /**
   * Stateful metrics (precision, recall, auc, r2Score: not means of per-sample values) create a fresh
   * state per fit/evaluate pass; the epoch value is then `state.result()` after every batch's update.
   */
  createState?(): MetricState;
}

/** The running state of a stateful metric over one epoch or one evaluation. */
export interface MetricState {
  update(yTrue: Tensor, yPred: Tensor): void;
  result(): number;
}

/**
 * One metric over one pass (an epoch, a validation, an evaluate call): a mean of batch sums and
 * counts, or a stateful metric's state.
 */
export class MetricAccumulator {
  private sum = 0;
  private count = 0;
  private readonly state: MetricState | null;

  constructor(readonly metric: Metric) {
    this.state = typeof metric.createState === 'function' ? metric.createState() : null;
  }

  get name(): string { return this.metric.name; }

  /** Adds a batch; returns the value batch logs show (the batch's own mean, or the running value of a stateful metric). */
  add(yTrue: Tensor, yPred: Tensor): number {
    if (this.state) {
      this.state.update(yTrue, yPred);
      return this.state.result();
    }
    const r = this.metric.batch(yTrue, yPred);
    this.sum += r.sum;
    this.count += r.count;
    return r.sum / r.count;
  }

  result(): number {
    return this.state ? this.state.result() : this.sum / this.count;
  }
}

function binaryAccuracy(threshold: number): Metric['batch'] {
  return (t, p) => {
    let hits = 0;
    const n = p.size;
    for (let i = 0; i < n; i++) if ((p.data[i] > threshold ? 1 : 0) === t.data[i]) hits++;
    return { sum: hits, count: n };
  };
}

function argmaxRow(d: Float32Array, o: number, C: number): number {
  let best = 0;
  let m = d[o];
  for (let c = 1; c < C; c++) if (d[o + c] > m) { m = d[o + c]; best = c; }
  return best;
}

const categoricalAccuracy: Metric['batch'] = (t, p) => {
  const C = p.shape[p.rank - 1];
  const rows = p.size / C;
  let hits = 0;
  for (let r = 0; r < rows; r++) if (argmaxRow(p.data, r * C, C) === argmaxRow(t.data, r * C, C)) hits++;
  return { sum: hits, count: rows };
};

const sparseAccuracy: Metric['batch'] = (t, p) => {
  const C = p.shape[p.rank - 1];
  const rows = p.size / C;
  let hits = 0;
  for (let r = 0; r < rows; r++) if (argmaxRow(p.data, r * C, C) === t.data[r]) hits++;
  return { sum: hits, count: rows };
};

const meanSquared: Metric['batch'] = (t, p) => {
  let s = 0;
  for (let i = 0; i < p.size; i++) { const d = p.data[i] - t.data[i]; s += d * d; }
  return { sum: s, count: p.size };
};

const meanAbsolute: Metric['batch'] = (t, p) => {
  let s = 0;
  for (let i = 0; i < p.size; i++) s += Math.abs(p.data[i] - t.data[i]);
  return { sum: s, count: p.size };
};

// ------------------------------------------------------------------------------------------------
// Keras metrics beyond the means above (keras/src/metrics/*.py), over every element of the batch:
//
//   precision   TP / (TP + FP)   with predicted positive ⇔ p > threshold (default 0.5), true
//   recall      TP / (TP + FN)   positive ⇔ t ≠ 0; 0 when the denominator is 0 (divide_no_nan)
//   auc         ROC area by the trapezoid rule over numThresholds (default 200) thresholds
//               [−ε, 1/(n−1), …, (n−2)/(n−1), 1 + ε] (ε = 1e-7): TPR and FPR at each threshold
//               (p > threshold), area = Σ_i (FPR_i − FPR_{i+1}) · (TPR_i + TPR_{i+1}) / 2
//   topKCategoricalAccuracy  the true class (argmax t) is in the top k (default 5) of p: fewer than
//               k classes score strictly higher (ties count as in, as tf.math.in_top_k)
//   sparseTopKCategoricalAccuracy  the same with integer class ids as targets
//   r2Score     per output column j: 1 − Σ(t − p)² / Σ(t − mean_j t)², then the mean over columns
//               ('uniform_average'); an infinite column score (constant targets) counts as 0 (Keras)

export interface ThresholdMetricOptions { thresholds?: number; name?: string }
export interface AucOptions { numThresholds?: number; fromLogits?: boolean; name?: string }
export interface TopKOptions { k?: number; name?: string }

function options(fn: string, opts: unknown, allowed: string[]): Record<string, unknown> {
  if (opts === undefined) return {};
  if (opts === null || typeof opts !== 'object' || Array.isArray(opts)) throw new ConfigError(`metrics.${fn}: options must be an object, got ${fmtValue(opts)}`);
  for (const k of Object.keys(opts)) {
    if (!allowed.includes(k)) throw new ConfigError(`metrics.${fn}: unknown option ${fmtValue(k)} (allowed: ${allowed.join(', ')})`);
  }
  return opts as Record<string, unknown>;
}

function metricName(fn: string, v: unknown, dflt: string): string {
  if (v === undefined) return dflt;
  if (typeof v !== 'string' || v === '') throw new ConfigError(`metrics.${fn}: name must be a non-empty string, got ${fmtValue(v)}`);
  return v;
}

/** A stateful metric whose `batch` is the metric on that batch alone. */
function stateful(name: string, createState: () => MetricState): Metric {
  return {
    name,
    createState,
    batch(yTrue, yPred) {
      const st = createState();
      st.update(yTrue, yPred);
      return { sum: st.result(), count: 1 };
    },
  };
}

function confusion(kind: 'precision' | 'recall', threshold: number): () => MetricState {
  return () => {
    let tp = 0, other = 0; // other: FP for precision, FN for recall
    return {
      update(t, p) {
        for (let i = 0; i < p.size; i++) {
          const predPos = p.data[i] > threshold, truePos = t.data[i] !== 0;
          if (predPos && truePos) tp++;
          else if (kind === 'precision' ? predPos && !truePos : !predPos && truePos) other++;
        }
      },
      result() { return tp + other === 0 ? 0 : tp / (tp + other); },
    };
  };
}

function thresholdMetric(fn: 'precision' | 'recall', opts: ThresholdMetricOptions | undefined): Metric {
  const o = options(fn, opts, ['thresholds', 'name']);
  const th = o.thresholds ?? 0.5;
  if (typeof th !== 'number' || !(th >= 0 && th <= 1)) throw new ConfigError(`metrics.${fn}: thresholds must be one number in [0, 1], got ${fmtValue(th)}`);
  return stateful(metricName(fn, o.name, fn), confusion(fn, th));
}

/** TP / (TP + FP) over every element, p > thresholds (default 0.5) predicting positive (Keras Precision). */
export function precision(opts?: ThresholdMetricOptions): Metric { return thresholdMetric('precision', opts); }

/** TP / (TP + FN) over every element (Keras Recall). */
export function recall(opts?: ThresholdMetricOptions): Metric { return thresholdMetric('recall', opts); }

/** Area under the ROC curve, trapezoid rule over numThresholds thresholds (Keras AUC, curve 'ROC'). */
export function auc(opts?: AucOptions): Metric {
  const o = options('auc', opts, ['numThresholds', 'fromLogits', 'name']);
  const n = o.numThresholds ?? 200;
  if (!Number.isInteger(n) || (n as number) < 2) throw new ConfigError(`metrics.auc: numThresholds must be an integer > 1, got ${fmtValue(n)}`);
  const fromLogits = o.fromLogits ?? false;
  if (typeof fromLogits !== 'boolean') throw new ConfigError(`metrics.auc: fromLogits must be a boolean, got ${fmtValue(fromLogits)}`);
  const N = n as number;
  const thresholds = new Float64Array(N);
  thresholds[0] = 0 - 1e-7;
  for (let i = 1; i < N - 1; i++) thresholds[i] = i / (N - 1);
  thresholds[N - 1] = 1 + 1e-7;
  return stateful(metricName('auc', o.name, 'auc'), () => {
    // posAbove[i] = #positives with p > thresholds[i] (TP_i); negAbove[i] = FP_i. Built from a
    // histogram of "how many thresholds lie below p", then a suffix sum.
    const posHist = new Float64Array(N + 1), negHist = new Float64Array(N + 1);
    let pos = 0, neg = 0;
    return {
      update(t, p) {
        for (let e = 0; e < p.size; e++) {
          let v = p.data[e];
          if (fromLogits) v = 1 / (1 + Math.exp(-v));
          // k = number of thresholds strictly below v (binary search; thresholds increase)
          let lo = 0, hi = N;
          while (lo < hi) { const mid = (lo + hi) >> 1; if (thresholds[mid] < v) lo = mid + 1; else hi = mid; }
          if (t.data[e] !== 0) { posHist[lo]++; pos++; } else { negHist[lo]++; neg++; }
        }
      },
      result() {
        // TP_i = #positives with k > i (p above threshold i)
        const tpr = new Float64Array(N), fpr = new Float64Array(N);
        let tpAbove = 0, fpAbove = 0;
        for (let i = N - 1; i >= 0; i--) {
          tpAbove += posHist[i + 1];
          fpAbove += negHist[i + 1];
          tpr[i] = pos === 0 ? 0 : tpAbove / pos;
          fpr[i] = neg === 0 ? 0 : fpAbove / neg;
        }
        let area = 0;
        for (let i = 0; i < N - 1; i++) area += (fpr[i] - fpr[i + 1]) * (tpr[i] + tpr[i + 1]) / 2;
        return area;
      },
    };
  });
}

function topK(sparse: boolean, k: number): Metric['batch'] {
  return (t, p) => {
    const C = p.shape[p.rank - 1];
    const rows = p.size / C;
    let hits = 0;
    for (let r = 0, o = 0; r < rows; r++, o += C) {
      const cls = sparse ? t.data[r] : argmaxRow(t.data, o, C);
      const target = p.data[o + cls];
      let higher = 0;
      for (let c = 0; c < C; c++) if (p.data[o + c] > target) higher++;
      if (higher < k && !Number.isNaN(target)) hits++;
    }
    return { sum: hits, count: rows };
  };
}

function topKMetric(fn: string, dflt: string, sparse: boolean, opts: TopKOptions | undefined): Metric {
  const o = options(fn, opts, ['k', 'name']);
  const k = o.k ?? 5;
  if (!Number.isInteger(k) || (k as number) < 1) throw new ConfigError(`metrics.${fn}: k must be a positive integer, got ${fmtValue(k)}`);
  return { name: metricName(fn, o.name, dflt), batch: topK(sparse, k as number) };
}

/** Whether the true class (argmax of one-hot t) is among the k highest predictions (Keras, default k 5). */
export function topKCategoricalAccuracy(opts?: TopKOptions): Metric {
  return topKMetric('topKCategoricalAccuracy', 'topKCategoricalAccuracy', false, opts);
}

/** topKCategoricalAccuracy with integer class ids as targets. */
export function sparseTopKCategoricalAccuracy(opts?: TopKOptions): Metric {
  return topKMetric('sparseTopKCategoricalAccuracy', 'sparseTopKCategoricalAccuracy', true, opts);
}

/** mean |p − t| over every element. */
export function meanAbsoluteError(opts?: { name?: string }): Metric {
  const o = options('meanAbsoluteError', opts, ['name']);
  return { name: metricName('meanAbsoluteError', o.name, 'meanAbsoluteError'), batch: meanAbsolute };
}

/** Coefficient of determination, per output column then averaged (Keras R2Score, uniform_average). */
export function r2Score(opts?: { name?: string }): Metric {
  const o = options('r2Score', opts, ['name']);
  return stateful(metricName('r2Score', o.name, 'r2Score'), () => {
    let cols = -1;
    let sum: Float64Array, sq: Float64Array, res: Float64Array, count = 0;
    return {
      update(t, p) {
        const J = p.rank < 2 ? 1 : p.size / p.shape[0];
        if (cols === -1) { cols = J; sum = new Float64Array(J); sq = new Float64Array(J); res = new Float64Array(J); }
        const rows = p.size / J;
        for (let r = 0; r < rows; r++) {
          for (let j = 0; j < J; j++) {
            const i = r * J + j, ti = t.data[i], d = ti - p.data[i];
            sum[j] += ti; sq[j] += ti * ti; res[j] += d * d;
          }
        }
        count += rows;
      },
      result() {
        if (cols <= 0) return NaN;
        let s = 0;
        for (let j = 0; j < cols; j++) {
          const mean = sum[j] / count;
          const total = sq[j] - sum[j] * mean;
          let raw = 1 - res[j] / total;
          if (raw === Infinity || raw === -Infinity) raw = 0;
          s += raw;
        }
        return s / cols;
      },
    };
  });
}

const STRING_METRICS: Record<string, () => Metric> = {
  precision: () => precision(), recall: () => recall(), auc: () => auc(), AUC: () => auc({ name: 'AUC' }),
  topKCategoricalAccuracy: () => topKCategoricalAccuracy(), top_k_categorical_accuracy: () => topKCategoricalAccuracy({ name: 'top_k_categorical_accuracy' }),
  sparseTopKCategoricalAccuracy: () => sparseTopKCategoricalAccuracy(), sparse_top_k_categorical_accuracy: () => sparseTopKCategoricalAccuracy({ name: 'sparse_top_k_categorical_accuracy' }),
  r2Score: () => r2Score(), r2_score: () => r2Score({ name: 'r2_score' }),
};

/** Resolves compile()'s `metrics` entries for this loss and output shape (batch excluded). */
export function getMetric(id: unknown, loss: Loss, outputShape: readonly number[]): Metric {
  switch (id) {
    case 'accuracy': case 'acc': {
      const name = id;
      const last = outputShape[outputShape.length - 1];
      let batch: Metric['batch'];
      if (loss.name === 'sparseCategoricalCrossentropy') batch = sparseAccuracy;
      else if (loss.name === 'categoricalCrossentropy') batch = categoricalAccuracy;
      else if (loss.name === 'binaryCrossentropy') batch = binaryAccuracy(loss.fromLogits ? 0 : 0.5);
      else batch = last === 1 ? binaryAccuracy(0.5) : categoricalAccuracy;
      return { name, batch };
    }
    case 'mse': case 'meanSquaredError': return { name: id, batch: meanSquared };
    case 'mae': case 'meanAbsoluteError': return { name: id, batch: meanAbsolute };
  }
  if (typeof id === 'string' && STRING_METRICS[id]) return STRING_METRICS[id]();
  if (id !== null && typeof id === 'object' && typeof (id as Metric).name === 'string' && typeof (id as Metric).batch === 'function') {
    return id as Metric;
  }
  throw new ConfigError(`compile: metrics entries must be 'accuracy', 'mse', 'mae', ${Object.keys(STRING_METRICS).map((k) => `'${k}'`).join(', ')}, a metrics.*() object or { name, batch(yTrue, yPred) }, got ${fmtValue(id)}`);
}
