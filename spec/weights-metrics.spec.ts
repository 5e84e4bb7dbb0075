/**
 * Sample and class weights (fit, evaluate, validation), label smoothing in the cross-entropies, and
 * the metrics precision, recall, auc, topKCategoricalAccuracy, meanAbsoluteError, r2Score —
 * against hand-computed values, naive reference loops and TensorFlow.js (tf.losses with
 * labelSmoothing, tfjs-layers' precision/recall).
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import * as losses from '../lib/training/losses';
import * as metrics from '../lib/training/metrics';
import * as optimizers from '../lib/training/optimizers';
import * as layers from '../lib/layers/index';
import { sequential } from '../lib/graph/model';
import { ConfigError, ShapeError, ValueError } from '../lib/errors';
import { Tensor } from '../lib/tensor';
import { Random } from '../lib/random';
import { randn } from './helpers/layer-check';
import { toTf } from './helpers/tfjs-parity';

beforeAll(async () => {
  await tf.setBackend('cpu');
});


function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tol: number, what: string): void {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < actual.length; i++) {
    if (!(Math.abs(actual[i] - expected[i]) <= tol * Math.max(1, Math.abs(expected[i])))) {
      throw new Error(`${what}: index ${i}: ridge ${actual[i]}, expected ${expected[i]} (tol ${tol})`);
    }
  }
}

function uniform(shape: number[], seed: number, lo = 0, hi = 1): Tensor {
  const rng = new Random(seed);
  const n = shape.reduce((a, b) => a * b, 1);
  return new Tensor(Float32Array.from({ length: n }, () => lo + (hi - lo) * rng.uniform()), shape);
}

function oneHot(ids: number[], C: number): Tensor {
  const d = new Float32Array(ids.length * C);
  ids.forEach((c, i) => { d[i * C + c] = 1; });
  return new Tensor(d, [ids.length, C]);
}

// ------------------------------------------------------------------------------------------------
describe('labelSmoothing (Keras: binary t(1 − ls) + ls/2, categorical t(1 − ls) + ls/C)', () => {
  test('binaryCrossentropy fromLogits ls=0.2 vs tf.losses.sigmoidCrossEntropy(labelSmoothing 0.2): value and gradient', () => {
    const z = randn([4, 3], 1, 2), t = new Tensor(Float32Array.from({ length: 12 }, (_, i) => (i * 7) % 3 === 0 ? 1 : 0), [4, 3]);
    const { value, grad } = losses.binaryCrossentropy({ fromLogits: true, labelSmoothing: 0.2 }).valueAndGradient(t, z);
    const f = (zz: tf.Tensor) => tf.losses.sigmoidCrossEntropy(toTf(t), zz, undefined, 0.2);
    expect(value).toBeCloseTo(f(toTf(z)).dataSync()[0], 5);
    expectClose(grad.data, tf.grad(f)(toTf(z)).dataSync(), 1e-5, 'bce ls gradient');
  });

  test('categoricalCrossentropy fromLogits ls=0.1 vs tf.losses.softmaxCrossEntropy(labelSmoothing 0.1)', () => {
    const z = randn([5, 4], 2, 2), t = oneHot([0, 3, 1, 1, 2], 4);
    const { value, grad } = losses.categoricalCrossentropy({ fromLogits: true, labelSmoothing: 0.1 }).valueAndGradient(t, z);
    const f = (zz: tf.Tensor) => tf.losses.softmaxCrossEntropy(toTf(t), zz, undefined, 0.1);
    expect(value).toBeCloseTo(f(toTf(z)).dataSync()[0], 5);
    expectClose(grad.data, tf.grad(f)(toTf(z)).dataSync(), 1e-5, 'cce ls gradient');
  });

  test('on probabilities: equals the unsmoothed loss on the softened targets (binary and categorical)', () => {
    const p = uniform([3, 4], 3, 0.05, 0.95), t = oneHot([2, 0, 3], 4);
    const soft = (k: number) => new Tensor(t.data.map((v) => v * (1 - 0.3) + k), t.shape);
    expect(losses.binaryCrossentropy({ labelSmoothing: 0.3 }).compute(t, p)).toBeCloseTo(losses.binaryCrossentropy().compute(soft(0.15), p), 6);
    expect(losses.categoricalCrossentropy({ labelSmoothing: 0.3 }).compute(t, p)).toBeCloseTo(losses.categoricalCrossentropy().compute(soft(0.3 / 4), p), 6);
    // compile accepts it by name; yTrue is not modified
    const before = Array.from(t.data);
    expect(losses.get({ name: 'categoricalCrossentropy', labelSmoothing: 0.3 }).compute(t, p)).toBeCloseTo(losses.categoricalCrossentropy().compute(soft(0.3 / 4), p), 6);
    expect(Array.from(t.data)).toEqual(before);
  });

  test('throws on a bad labelSmoothing, or on a loss that has none', () => {
    expect(() => losses.binaryCrossentropy({ labelSmoothing: 1.5 })).toThrow(/labelSmoothing must be a number in \[0, 1\], got 1.5/);
    expect(() => losses.sparseCategoricalCrossentropy({ labelSmoothing: 0.1 } as any)).toThrow(/unknown option "?labelSmoothing/);
    expect(() => losses.get({ name: 'meanSquaredError', labelSmoothing: 0.1 })).toThrow(/labelSmoothing applies to binaryCrossentropy and categoricalCrossentropy only/);
  });
});

// ------------------------------------------------------------------------------------------------
describe('sample weights: data loss = Σ w_b · loss_b / B (Keras sum_over_batch_size)', () => {
  test('weightedLoss for MSE and sparse CCE vs a hand loop over samples', () => {
    const p = randn([4, 3], 4), t = randn([4, 3], 5), w = new Float32Array([1, 0, 2, 0.5]);
    let hand = 0;
    for (let b = 0; b < 4; b++) {
      let s = 0;
      for (let j = 0; j < 3; j++) s += (p.data[b * 3 + j] - t.data[b * 3 + j]) ** 2;
      hand += w[b] * (s / 3);
    }
    const r = losses.weightedLoss(losses.meanSquaredError(), t, p, w, true);
    expect(r.value).toBeCloseTo(hand / 4, 6);
    for (let b = 0; b < 4; b++) for (let j = 0; j < 3; j++) {
      expect(r.grad!.data[b * 3 + j]).toBeCloseTo((w[b] * 2 * (p.data[b * 3 + j] - t.data[b * 3 + j])) / 3 / 4, 6);
    }
    const probs = uniform([4, 3], 6, 0.1, 1), ids = new Tensor(new Float32Array([0, 2, 1, 2]), [4]);
    let ce = 0;
    for (let b = 0; b < 4; b++) {
      const row = Array.from(probs.data.subarray(b * 3, b * 3 + 3)), sum = row.reduce((a, v) => a + v, 0);
      ce += w[b] * -Math.log(row[ids.data[b]] / sum);
    }
    expect(losses.weightedLoss(losses.sparseCategoricalCrossentropy(), ids, probs, w, false).value).toBeCloseTo(ce / 4, 5);
    // all weights 1: the unweighted loss
    expect(losses.weightedLoss(losses.meanSquaredError(), t, p, new Float32Array(4).fill(1), false).value).toBeCloseTo(losses.meanSquaredError().compute(t, p), 6);
  });

  const make = () => sequential([layers.dense({ units: 2, inputShape: [3], seed: 11 })]);

  test('fit: weights all 2 with SGD lr equals weights 1 with lr 2 (no penalties)', async () => {
    const x = randn([8, 3], 7), y = randn([8, 2], 8);
    const a = make(), b = make();
    b.setWeights(a.getWeights());
    a.compile({ optimizer: optimizers.sgd({ learningRate: 0.05 }), loss: 'meanSquaredError' });
    b.compile({ optimizer: optimizers.sgd({ learningRate: 0.1 }), loss: 'meanSquaredError' });
    const ha = await a.fit(x, y, { epochs: 2, batchSize: 4, seed: 3, verbose: 0, sampleWeight: new Array(8).fill(2) });
    const hb = await b.fit(x, y, { epochs: 2, batchSize: 4, seed: 3, verbose: 0 });
    a.getWeights().forEach((w, i) => expectClose(w.data, b.getWeights()[i].data, 1e-6, 'weights'));
    expect(ha.history.loss[0]).toBeCloseTo(2 * hb.history.loss[0], 5);
  });

  test('fit: zero weight on half the samples = training on the other half with lr · (kept / B)', async () => {
    const x = randn([6, 3], 9), y = randn([6, 2], 10);
    const a = make(), b = make();
    b.setWeights(a.getWeights());
    a.compile({ optimizer: optimizers.sgd({ learningRate: 0.3 }), loss: 'meanSquaredError' });
    b.compile({ optimizer: optimizers.sgd({ learningRate: 0.3 * 3 / 6 }), loss: 'meanSquaredError' });
    const keep = [0, 2, 5];
    const w = new Tensor(Float32Array.from({ length: 6 }, (_, i) => (keep.includes(i) ? 1 : 0)), [6, 1]);
    const rows = (t: Tensor) => new Tensor(Float32Array.from(keep.flatMap((i) => Array.from(t.data.subarray(i * t.shape[1], (i + 1) * t.shape[1])))), [3, t.shape[1]]);
    await a.fit(x, y, { epochs: 3, batchSize: 6, shuffle: false, verbose: 0, sampleWeight: w });
    await b.fit(rows(x), rows(y), { epochs: 3, batchSize: 3, shuffle: false, verbose: 0 });
    a.getWeights().forEach((wt, i) => expectClose(wt.data, b.getWeights()[i].data, 1e-5, 'weights'));
  });

  test('evaluate({ sampleWeight }) = Σ w_i · loss_i / N, independent of batchSize; penalties unweighted', () => {
    const m = sequential([layers.dense({ units: 2, inputShape: [3], seed: 12, kernelRegularizer: 'l2' })]);
    m.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
    const x = randn([5, 3], 13), y = randn([5, 2], 14), w = [0.5, 1, 2, 0, 3];
    let hand = 0;
    for (let i = 0; i < 5; i++) {
      const xi = new Tensor(x.data.slice(i * 3, i * 3 + 3), [1, 3]), yi = new Tensor(y.data.slice(i * 2, i * 2 + 2), [1, 2]);
      hand += w[i] * m.evaluate(xi, yi).data_loss;
    }
    const e1 = m.evaluate(x, y, { sampleWeight: w, batchSize: 2 });
    const e2 = m.evaluate(x, y, { sampleWeight: new Float32Array(w) });
    expect(e1.data_loss).toBeCloseTo(hand / 5, 6);
    expect(e2.data_loss).toBeCloseTo(hand / 5, 6);
    const penalty = m.evaluate(x, y).loss - m.evaluate(x, y).data_loss;
    expect(e1.loss - e1.data_loss).toBeCloseTo(penalty, 6);
  });

  test('validationSplit splits the sample weights; validationData takes [x, y, w]', async () => {
    const x = randn([10, 3], 15), y = randn([10, 2], 16);
    const w = Array.from({ length: 10 }, (_, i) => (i % 3) + 0.5);
    const m = make();
    m.compile({ optimizer: optimizers.sgd({ learningRate: 0 }), loss: 'meanSquaredError' }); // lr 0: weights fixed
    const h = await m.fit(x, y, { epochs: 1, verbose: 0, validationSplit: 0.2, sampleWeight: w });
    const vx = new Tensor(x.data.slice(24), [2, 3]), vy = new Tensor(y.data.slice(16), [2, 2]);
    expect(h.history.val_data_loss[0]).toBeCloseTo(m.evaluate(vx, vy, { sampleWeight: w.slice(8) }).data_loss, 6);
    const h2 = await m.fit(x, y, { epochs: 1, verbose: 0, validationData: [vx, vy, [1, 3]] });
    expect(h2.history.val_data_loss[0]).toBeCloseTo(m.evaluate(vx, vy, { sampleWeight: [1, 3] }).data_loss, 6);
  });

  test('classWeight { 0: 1, 1: 4 } = the sample weights of each target class (one-hot, sparse and binary targets)', async () => {
    const x = randn([6, 3], 17);
    const ids = [0, 1, 1, 0, 2, 1];
    const cases: [string, Tensor, 'categoricalCrossentropy' | 'sparseCategoricalCrossentropy' | 'binaryCrossentropy', number][] = [
      ['one-hot', oneHot(ids, 3), 'categoricalCrossentropy', 3],
      ['sparse', new Tensor(Float32Array.from(ids), [6]), 'sparseCategoricalCrossentropy', 3],
      ['binary', new Tensor(Float32Array.from(ids.map((c) => (c === 1 ? 1 : 0))), [6, 1]), 'binaryCrossentropy', 1],
    ];
    for (const [what, y, loss, units] of cases) {
      const mk = () => sequential([layers.dense({ units, inputShape: [3], seed: 18, activation: units === 1 ? 'sigmoid' : 'softmax' })]);
      const a = mk(), b = mk();
      b.setWeights(a.getWeights());
      a.compile({ optimizer: optimizers.sgd({ learningRate: 0.5 }), loss });
      b.compile({ optimizer: optimizers.sgd({ learningRate: 0.5 }), loss });
      const w = (what === 'binary' ? ids.map((c) => (c === 1 ? 1 : 0)) : ids).map((c) => (c === 1 ? 4 : 1)); // class 2 not listed: 1
      await a.fit(x, y, { epochs: 2, batchSize: 3, seed: 1, verbose: 0, classWeight: { 0: 1, 1: 4 } });
      await b.fit(x, y, { epochs: 2, batchSize: 3, seed: 1, verbose: 0, sampleWeight: w });
      a.getWeights().forEach((wt, i) => expectClose(wt.data, b.getWeights()[i].data, 1e-6, `${what} weights`));
    }
  });

  test('throws on both weights, a wrong length, non-finite weights, bad class ids', async () => {
    const m = make();
    m.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
    const x = randn([4, 3], 1), y = randn([4, 2], 2);
    const w0 = m.getWeights();
    await expect(m.fit(x, y, { verbose: 0, sampleWeight: [1, 1, 1, 1], classWeight: { 0: 2 } })).rejects.toThrow(/either sampleWeight or classWeight, not both/);
    await expect(m.fit(x, y, { verbose: 0, sampleWeight: [1, 1, 1] })).rejects.toThrow(ShapeError);
    await expect(m.fit(x, y, { verbose: 0, sampleWeight: [1, NaN, 1, 1] })).rejects.toThrow(/sampleWeight must be finite numbers, got NaN at index 1/);
    await expect(m.fit(x, y, { verbose: 0, classWeight: { a: 1 } as any })).rejects.toThrow(/classWeight keys must be class ids/);
    await expect(m.fit(x, y, { verbose: 0, sampleWeight: 'heavy' as any })).rejects.toThrow(ValueError);
    expect(m.getWeights().map((t) => Array.from(t.data))).toEqual(w0.map((t) => Array.from(t.data))); // nothing changed
    expect(() => m.evaluate(x, y, { sampleWeight: [1, 2] })).toThrow(/one weight per sample \(4\), got 2/);
    expect(() => m.evaluate(x, y, { sampleWeights: [1, 2] } as any)).toThrow(/unknown option/);
  });
});

// ------------------------------------------------------------------------------------------------
describe('metrics', () => {
  const evalMetric = (mt: metrics.Metric, t: Tensor, p: Tensor, batch = 1000): number => {
    // the pass fit/evaluate make: one accumulator over batches of rows
    const acc = new metrics.MetricAccumulator(mt);
    const n = t.shape[0], tr = t.size / n, pr = p.size / n;
    for (let s = 0; s < n; s += batch) {
      const c = Math.min(batch, n - s);
      acc.add(new Tensor(t.data.slice(s * tr, (s + c) * tr), [c, ...t.shape.slice(1)]), new Tensor(p.data.slice(s * pr, (s + c) * pr), [c, ...p.shape.slice(1)]));
    }
    return acc.result();
  };

  const t = new Tensor(new Float32Array([1, 0, 1, 1, 0, 0, 1, 0]), [8, 1]);
  const p = new Tensor(new Float32Array([0.9, 0.6, 0.4, 0.7, 0.2, 0.55, 0.8, 0.1]), [8, 1]);

  test('precision and recall at 0.5: TP 3, FP 2, FN 1 → 3/5 and 3/4; vs tfjs-layers; accumulated over batches', () => {
    expect(evalMetric(metrics.precision(), t, p)).toBeCloseTo(3 / 5, 7);
    expect(evalMetric(metrics.recall(), t, p)).toBeCloseTo(3 / 4, 7);
    expect(evalMetric(metrics.precision(), t, p, 3)).toBeCloseTo(3 / 5, 7);   // state, not a mean of batch values
    expect(evalMetric(metrics.recall(), t, p, 3)).toBeCloseTo(3 / 4, 7);
    // tfjs-layers' precision/recall take 0/1 predictions: give them p > 0.5
    const decided = tf.cast(tf.greater(toTf(p), 0.5), 'float32');
    expect(tfl.metrics.precision(toTf(t), decided).dataSync()[0]).toBeCloseTo(3 / 5, 6);
    expect(tfl.metrics.recall(toTf(t), decided).dataSync()[0]).toBeCloseTo(3 / 4, 6);
    expect(evalMetric(metrics.precision({ thresholds: 0.65 }), t, p)).toBeCloseTo(3 / 3, 7);
    // no predicted positives: 0, not NaN (Keras divide_no_nan)
    expect(evalMetric(metrics.precision({ thresholds: 0.95 }), t, p)).toBe(0);
  });

  test('auc: naive Keras algorithm (TPR/FPR at 200 thresholds, trapezoids) and the exact AUC on separated bins', () => {
    const rng = new Random(5);
    const n = 300;
    const tt = new Tensor(Float32Array.from({ length: n }, () => (rng.uniform() < 0.4 ? 1 : 0)), [n, 1]);
    const pp = new Tensor(Float32Array.from(tt.data, (v) => Math.min(1, Math.max(0, 0.5 * rng.uniform() + 0.3 * v + 0.1))), [n, 1]);
    // naive reference, written from Keras' AUC docs
    const N = 200;
    const th = [-1e-7, ...Array.from({ length: N - 2 }, (_, i) => (i + 1) / (N - 1)), 1 + 1e-7];
    const pos = tt.data.reduce((a, v) => a + v, 0), neg = n - pos;
    const tpr = th.map((h) => pp.data.reduce((a, v, i) => a + (v > h && tt.data[i] === 1 ? 1 : 0), 0) / pos);
    const fpr = th.map((h) => pp.data.reduce((a, v, i) => a + (v > h && tt.data[i] === 0 ? 1 : 0), 0) / neg);
    let ref = 0;
    for (let i = 0; i < N - 1; i++) ref += (fpr[i] - fpr[i + 1]) * (tpr[i] + tpr[i + 1]) / 2;
    expect(evalMetric(metrics.auc(), tt, pp)).toBeCloseTo(ref, 10);
    expect(evalMetric(metrics.auc(), tt, pp, 7)).toBeCloseTo(ref, 10);
    // Each prediction in its own threshold bin: the trapezoid sum is the exact ROC AUC
    // (P(score of a positive > score of a negative)).
    const tb = new Tensor(new Float32Array([1, 0, 1, 0, 0, 1, 1, 0]), [8, 1]);
    const pb = new Tensor(Float32Array.from([150, 20, 90, 100, 10, 180, 60, 40], (k) => (k + 0.5) / 199), [8, 1]);
    let wins = 0;
    for (let i = 0; i < 8; i++) for (let j = 0; j < 8; j++) if (tb.data[i] === 1 && tb.data[j] === 0 && pb.data[i] > pb.data[j]) wins++;
    expect(evalMetric(metrics.auc(), tb, pb)).toBeCloseTo(wins / 16, 6);
    expect(evalMetric(metrics.auc(), tb, new Tensor(tb.data.map((v) => v * 0.8 + 0.1), [8, 1]))).toBeCloseTo(1, 7);
    // fromLogits: sigmoid first
    const logits = new Tensor(pb.data.map((v) => Math.log(v / (1 - v))), [8, 1]);
    expect(evalMetric(metrics.auc({ fromLogits: true }), tb, logits)).toBeCloseTo(wins / 16, 5);
  });

  test('topKCategoricalAccuracy k=2 and its sparse form vs a hand count; ties at the boundary count as in', () => {
    const pr = new Tensor(new Float32Array([
      0.1, 0.5, 0.3, 0.1,   // true 2: 2nd highest → in
      0.4, 0.3, 0.2, 0.1,   // true 3: 4th → out
      0.25, 0.25, 0.25, 0.25, // true 1: all tied → in (nothing strictly higher)
      0.7, 0.1, 0.1, 0.1,   // true 0: top → in
    ]), [4, 4]);
    const ids = [2, 3, 1, 0];
    expect(evalMetric(metrics.topKCategoricalAccuracy({ k: 2 }), oneHot(ids, 4), pr)).toBeCloseTo(3 / 4, 7);
    expect(evalMetric(metrics.sparseTopKCategoricalAccuracy({ k: 2 }), new Tensor(Float32Array.from(ids), [4]), pr)).toBeCloseTo(3 / 4, 7);
    expect(evalMetric(metrics.topKCategoricalAccuracy({ k: 1 }), oneHot(ids, 4), pr)).toBeCloseTo(2 / 4, 7);
  });

  test('meanAbsoluteError and r2Score (uniform average over columns) vs the definitions', () => {
    const yt = randn([7, 2], 20), yp = randn([7, 2], 21, 0.5);
    let mae = 0;
    for (let i = 0; i < 14; i++) mae += Math.abs(yt.data[i] - yp.data[i]);
    expect(evalMetric(metrics.meanAbsoluteError(), yt, yp, 3)).toBeCloseTo(mae / 14, 6);
    let r2 = 0;
    for (let j = 0; j < 2; j++) {
      const col = (t: Tensor) => [0, 1, 2, 3, 4, 5, 6].map((i) => t.data[i * 2 + j]);
      const a = col(yt), b = col(yp), mean = a.reduce((s, v) => s + v, 0) / 7;
      const res = a.reduce((s, v, i) => s + (v - b[i]) ** 2, 0), tot = a.reduce((s, v) => s + (v - mean) ** 2, 0);
      r2 += 1 - res / tot;
    }
    expect(evalMetric(metrics.r2Score(), yt, yp)).toBeCloseTo(r2 / 2, 5);
    expect(evalMetric(metrics.r2Score(), yt, yp, 2)).toBeCloseTo(r2 / 2, 5);
    expect(evalMetric(metrics.r2Score(), yt, yt)).toBeCloseTo(1, 6);
  });

  test('in compile: by name, as objects; History and evaluate keys; validation uses a fresh state', async () => {
    const x = randn([12, 3], 22);
    const y = new Tensor(Float32Array.from({ length: 12 }, (_, i) => i % 2), [12, 1]);
    const m = sequential([layers.dense({ units: 1, activation: 'sigmoid', inputShape: [3], seed: 3 })]);
    m.compile({ optimizer: 'adam', loss: 'binaryCrossentropy', metrics: ['precision', 'recall', 'auc', metrics.auc({ numThresholds: 50, name: 'auc50' })] });
    const h = await m.fit(x, y, { epochs: 2, batchSize: 4, verbose: 0, validationSplit: 0.25 });
    for (const k of ['precision', 'recall', 'auc', 'auc50', 'val_precision', 'val_recall', 'val_auc', 'val_auc50']) expect(h.history[k]).toHaveLength(2);
    const e = m.evaluate(x, y, { batchSize: 5 });
    const p = m.predict(x);
    expect(e.auc).toBeCloseTo(evalMetric(metrics.auc(), y, p), 6);
    expect(e.precision).toBeCloseTo(evalMetric(metrics.precision(), y, p), 6);
    const r = sequential([layers.dense({ units: 2, inputShape: [3], seed: 4 })]);
    r.compile({ optimizer: 'sgd', loss: 'mse', metrics: ['r2Score', 'meanAbsoluteError'] });
    const yr = randn([12, 2], 23);
    const er = r.evaluate(x, yr, { batchSize: 5 });
    expect(er.r2Score).toBeCloseTo(evalMetric(metrics.r2Score(), yr, r.predict(x)), 5);
    expect(er.meanAbsoluteError).toBeCloseTo(evalMetric(metrics.meanAbsoluteError(), yr, r.predict(x)), 6);
  });

  test('throws on bad metric options and unknown names', () => {
    expect(() => metrics.auc({ numThresholds: 1 })).toThrow(/numThresholds must be an integer > 1, got 1/);
    expect(() => metrics.precision({ thresholds: 2 })).toThrow(/thresholds must be one number in \[0, 1\], got 2/);
    expect(() => metrics.topKCategoricalAccuracy({ k: 0 })).toThrow(/k must be a positive integer, got 0/);
    expect(() => metrics.auc({ curve: 'PR' } as any)).toThrow(/unknown option "?curve/);
    const m = sequential([layers.dense({ units: 1, inputShape: [3] })]);
    expect(() => m.compile({ optimizer: 'sgd', loss: 'mse', metrics: ['f1'] })).toThrow(ConfigError);
  });
});
