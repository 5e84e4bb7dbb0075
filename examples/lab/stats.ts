/**
 * Statistics over seeds: every comparison in the lab runs on several seeds and reports mean ±
 * standard deviation, or a paired difference (same seed: same data, same initial weights) with
 * its spread and a plain verdict. Pure functions over number arrays.
 */

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
