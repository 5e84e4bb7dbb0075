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
