/**
 * Numbers about a trained model's weights and predictions: kernel norms, near-zero fractions,
 * log-magnitude histograms, accuracy. Plain loops over the public `Tensor.data`.
 */
import type { Tensor } from '../../lib';
import { NEAR_ZERO, type WeightHistogram } from './results';

/** sqrt(Σ w²), accumulated in double precision. */
export function l2Norm(data: Float32Array): number {
  let s = 0;
  for (let i = 0; i < data.length; i++) s += data[i] * data[i];
  return Math.sqrt(s);
}

export function maxAbs(data: Float32Array): number {
  let m = 0;
  for (let i = 0; i < data.length; i++) {
    const a = Math.abs(data[i]);
    if (a > m) m = a;
  }
  return m;
}

/** Number of entries with |w| < threshold. */
export function countNearZero(data: Float32Array, threshold = NEAR_ZERO): number {
  let n = 0;
  for (let i = 0; i < data.length; i++) if (Math.abs(data[i]) < threshold) n++;
  return n;
}

/** log10|w| bin edges: 1e-6 … 1e0 in half decades. */
export const HISTOGRAM_EDGES = Array.from({ length: 13 }, (_, i) => -6 + i * 0.5);

/**
 * Histogram of log10|w| over several arrays. Entries below the first edge (including exact zeros)
 * go to the first bin, entries at or above the last edge to the last bin.
 */
export function logMagnitudeHistogram(arrays: readonly Float32Array[], edges: readonly number[] = HISTOGRAM_EDGES): WeightHistogram {
  const bins = edges.length - 1;
  const counts = new Array<number>(bins).fill(0);
  const lo = edges[0], step = (edges[bins] - lo) / bins;
  let total = 0;
  for (const data of arrays) {
    for (let i = 0; i < data.length; i++) {
      const a = Math.abs(data[i]);
      const k = a === 0 ? 0 : Math.floor((Math.log10(a) - lo) / step);
      counts[Math.min(bins - 1, Math.max(0, k))]++;
      total++;
    }
  }
  return { edges: edges.slice(), counts, total };
}

/** Row-wise argmax of a [n, classes] tensor compared with integer labels. */
export function accuracy(probs: Tensor, labels: Uint8Array): number {
  const [n, k] = probs.shape;
  let correct = 0;
  for (let i = 0; i < n; i++) {
    let best = 0;
    for (let j = 1; j < k; j++) if (probs.data[i * k + j] > probs.data[i * k + best]) best = j;
    if (best === labels[i]) correct++;
  }
  return n === 0 ? NaN : correct / n;
}

// ---------------------------------------------------------------------------------------------
// Summary statistics over seeds: every comparison in the lab runs on several seeds and reports
// mean ± standard deviation, or a paired difference (same seed, same data, same initial weights)
// with its spread and a plain verdict.
// ---------------------------------------------------------------------------------------------

/** Arithmetic mean; NaN for an empty list. */
export function mean(xs: readonly number[]): number {
  if (xs.length === 0) return NaN;
  let s = 0;
  for (const x of xs) s += x;
  return s / xs.length;
}

/** Sample standard deviation (n − 1 in the denominator); 0 for one value, NaN for none. */
export function std(xs: readonly number[]): number {
  if (xs.length === 0) return NaN;
  if (xs.length === 1) return 0;
  const m = mean(xs);
  let s = 0;
  for (const x of xs) s += (x - m) * (x - m);
  return Math.sqrt(s / (xs.length - 1));
}

/** Standard error of the mean: std / √n. */
export function standardError(xs: readonly number[]): number {
  return xs.length === 0 ? NaN : std(xs) / Math.sqrt(xs.length);
}

/** Two-sided 95% quantiles of Student's t for 1…30 degrees of freedom (beyond: 1.96). */
const T95 = [NaN, 12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.160, 2.145, 2.131,
  2.120, 2.110, 2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042];

/** t such that P(|T| ≤ t) = 0.95 with `df` degrees of freedom. */
export function tCritical95(df: number): number {
  if (!(df >= 1)) return NaN;
  return df < T95.length ? T95[Math.floor(df)] : 1.96;
}

export interface Summary {
  mean: number;
  std: number;
  /** Standard error of the mean. */
  se: number;
  n: number;
  values: number[];
}

export function summarize(xs: readonly number[]): Summary {
  return { mean: mean(xs), std: std(xs), se: standardError(xs), n: xs.length, values: xs.slice() };
}

export interface PairedDifference extends Summary {
  /** Half-width of the 95% confidence interval of the mean difference (t · se). */
  ci95: number;
  /** 'within the noise' when the 95% interval contains 0 (or there are fewer than 2 pairs). */
  verdict: 'clear' | 'within the noise';
}

/**
 * Paired difference b − a over seeds: a[i] and b[i] come from the same seed. The verdict is
 * 'clear' only when the 95% t-interval of the mean difference excludes zero.
 */
export function pairedDifference(a: readonly number[], b: readonly number[]): PairedDifference {
  if (a.length !== b.length) throw new RangeError(`pairedDifference: need as many values in a as in b, got ${a.length} and ${b.length}`);
  const d = a.map((x, i) => b[i] - x);
  const s = summarize(d);
  const ci95 = d.length >= 2 ? tCritical95(d.length - 1) * s.se : Infinity;
  const clear = Number.isFinite(ci95) && Number.isFinite(s.mean) && Math.abs(s.mean) > ci95;
  return { ...s, ci95, verdict: clear ? 'clear' : 'within the noise' };
}

/** Number formatting for tables: 3 significant digits, exponent for tiny/huge values. */
export function fmt(v: number, digits = 3): string {
  if (!Number.isFinite(v)) return String(v);
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (a < 1e-3 || a >= 1e5) return v.toExponential(digits - 1).replace('e+', 'e');
  return (+v.toPrecision(digits)).toString();
}

/** "0.342 ± 0.012" (mean ± std over seeds). */
export function pm(s: Summary, digits = 3, scale = 1): string {
  return `${fmt(s.mean * scale, digits)} ± ${fmt(s.std * scale, Math.max(1, digits - 1))}`;
}

/** "−0.21 ± 0.03 (clear)" — the paired difference with its std and the verdict. */
export function diffText(d: PairedDifference, digits = 3, scale = 1): string {
  const sign = d.mean * scale > 0 ? '+' : '';
  return `${sign}${fmt(d.mean * scale, digits)} ± ${fmt(d.std * scale, Math.max(1, digits - 1))} (${d.verdict})`;
}
