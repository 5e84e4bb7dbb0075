/**
 * Metrics reported by fit() and evaluate(): 'accuracy' (alias 'acc'), 'mse', 'mae'.
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
  if (id !== null && typeof id === 'object' && typeof (id as Metric).name === 'string' && typeof (id as Metric).batch === 'function') {
    return id as Metric;
  }
  throw new ConfigError(`compile: metrics entries must be 'accuracy', 'mse', 'mae' or { name, batch(yTrue, yPred) }, got ${fmtValue(id)}`);
}
