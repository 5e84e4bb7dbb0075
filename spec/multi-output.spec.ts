/**
 * Multi-output functional models: a loss per output, lossWeights, History `<output>_loss` and
 * `<output>_<metric>`, the penalties counted once in the total; against hand sums of the per-output
 * losses, finite differences (gradCheck), and tfjs-layers' own multi-output fit (same weights, one
 * SGD step).
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import * as layers from '../lib/layers/index';
import * as losses from '../lib/training/losses';
import * as optimizers from '../lib/training/optimizers';
import * as regularizers from '../lib/regularizers';
import { input, model } from '../lib/graph/model';
import { gradCheck } from '../lib/training/gradcheck';
import { ConfigError, ValueError } from '../lib/errors';
import { Tensor } from '../lib/tensor';
import { randn } from './helpers/layer-check';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

function twoHeads(penalties: boolean) {
  const x = input({ shape: [3] });
  const trunk = layers.dense({
    units: 4, activation: 'tanh', seed: 1, name: 'trunk',
    kernelRegularizer: penalties ? regularizers.l2({ l2: 0.01 }) : undefined,
    activityRegularizer: penalties ? regularizers.l1({ l1: 0.01 }) : undefined,
  });
  const h = trunk.apply(x);
  const a = layers.dense({ units: 2, seed: 2, name: 'reg_head' }).apply(h);
  const b = layers.dense({ units: 1, activation: 'sigmoid', seed: 3, name: 'cls_head' }).apply(h);
  return model({ inputs: x, outputs: [a, b] });
}

const X = randn([8, 3], 10);
const YA = randn([8, 2], 11);
const YB = new Tensor(Float32Array.from({ length: 8 }, (_, i) => i % 2), [8, 1]);

describe('multi-output models', () => {
  test('lossBreakdown: data = 0.5·mse(a) + 2·bce(b); penalties once (trunk kernel + activity)', () => {
    const m = twoHeads(true);
    m.compile({ optimizer: 'sgd', loss: ['meanSquaredError', 'binaryCrossentropy'], lossWeights: [0.5, 2] });
    const [pa, pb] = m.predictOutputs(X);
    const hand = 0.5 * losses.meanSquaredError().compute(YA, pa) + 2 * losses.binaryCrossentropy().compute(YB, pb);
    const bd = m.lossBreakdown(X, [YA, YB]);
    expect(bd.data).toBeCloseTo(hand, 6);
    expect(bd.penalties.map((t) => `${t.layer}/${t.target}`)).toEqual(['trunk/kernel', 'trunk/activity']);
    expect(bd.total).toBeCloseTo(bd.data + bd.penalties[0].value + bd.penalties[1].value, 6);
    expect(m.outputNames).toEqual(['reg_head', 'cls_head']);
  });

  test('gradCheck: every weight against central finite differences of the weighted total', () => {
    const m = twoHeads(true);
    m.compile({ optimizer: 'sgd', loss: { reg_head: 'meanSquaredError', cls_head: 'binaryCrossentropy' }, lossWeights: { cls_head: 3 } });
    const r = gradCheck(m, X, [YA, YB], { eps: 1e-2, tolerance: 3e-3 });
    expect(r.ok).toBe(true);
    expect(r.entries.length).toBe(3 * 4 + 4 + 4 * 2 + 2 + 4 * 1 + 1);
  });

  test('an output that also feeds another layer gets both gradients (gradCheck)', () => {
    const x = input({ shape: [3] });
    const h = layers.dense({ units: 2, activation: 'tanh', seed: 4, name: 'hidden' }).apply(x);
    const out = layers.dense({ units: 1, seed: 5, name: 'out' }).apply(h);
    const m = model({ inputs: x, outputs: [h, out] });
    m.compile({ optimizer: 'sgd', loss: 'meanSquaredError' }); // one loss for every output
    expect(gradCheck(m, X, [randn([8, 2], 12), randn([8, 1], 13)], { eps: 1e-2, tolerance: 3e-3 }).ok).toBe(true);
  });

  test('fit History: loss, data_loss, <output>_loss, <output>_<metric>, val_*; with lr 0 they equal evaluate', async () => {
    const m = twoHeads(true);
    m.compile({ optimizer: optimizers.sgd({ learningRate: 0 }), loss: ['meanSquaredError', 'binaryCrossentropy'], lossWeights: [0.5, 2], metrics: ['mae'] });
    const h = await m.fit(X, [YA, YB], { epochs: 1, batchSize: 3, verbose: 0, validationData: [X, [YA, YB]] });
    const e = m.evaluate(X, [YA, YB]);
    for (const k of ['loss', 'data_loss', 'reg_head_loss', 'cls_head_loss', 'reg_head_mae', 'cls_head_mae']) {
      expect(h.history[k][0]).toBeCloseTo(e[k], 5);
      expect(h.history['val_' + k][0]).toBeCloseTo(e[k], 5);
    }
    expect(e.data_loss).toBeCloseTo(e.reg_head_loss + e.cls_head_loss, 6);
    const [pa, pb] = m.predictOutputs(X);
    expect(e.cls_head_loss).toBeCloseTo(2 * losses.binaryCrossentropy().compute(YB, pb), 5);
    expect(e.reg_head_loss).toBeCloseTo(0.5 * losses.meanSquaredError().compute(YA, pa), 5);
    expect(e.loss - e.data_loss).toBeCloseTo(m.lossBreakdown(X, [YA, YB]).penalties.reduce((s, t) => s + t.value, 0), 5);
  });

  // tfjs-layers 4.22 accepts lossWeights but ignores them (a TODO in engine/training.js), so the
  // tfjs comparison uses the default weights and lossWeights are checked by linearity.
  test('one SGD step equals tfjs-layers multi-output fit (mse + bce) on the same weights', async () => {
    const m = twoHeads(false);
    m.compile({ optimizer: optimizers.sgd({ learningRate: 0.1 }), loss: ['meanSquaredError', 'binaryCrossentropy'] });
    const xi = tfl.input({ shape: [3] });
    const th = tfl.layers.dense({ units: 4, activation: 'tanh' }).apply(xi) as tfl.SymbolicTensor;
    const ta = tfl.layers.dense({ units: 2 }).apply(th) as tfl.SymbolicTensor;
    const tb = tfl.layers.dense({ units: 1, activation: 'sigmoid' }).apply(th) as tfl.SymbolicTensor;
    const tm = tfl.model({ inputs: xi, outputs: [ta, tb] });
    tm.setWeights(m.getWeights().map((w) => tf.tensor(w.data, w.shape as number[])));
    tm.compile({ optimizer: tf.train.sgd(0.1), loss: ['meanSquaredError', 'binaryCrossentropy'] });
    const toTf = (t: Tensor) => tf.tensor(t.data, t.shape as number[]);
    await tm.fit(toTf(X), [toTf(YA), toTf(YB)], { epochs: 1, batchSize: 8, shuffle: false, verbose: 0 });
    await m.fit(X, [YA, YB], { epochs: 1, batchSize: 8, shuffle: false, verbose: 0 });
    const theirs = tm.getWeights().map((w) => w.dataSync());
    m.getWeights().forEach((w, i) => w.data.forEach((v, j) => expect(v).toBeCloseTo(theirs[i][j], 6)));
  });

  test('lossWeights [0.5, 2]: gradients = 0.5·(output a alone) + 2·(output b alone); penalty gradients once', () => {
    const grads = (lw: number[]) => {
      const m = twoHeads(true);
      m.compile({ optimizer: 'sgd', loss: ['meanSquaredError', 'binaryCrossentropy'], lossWeights: lw });
      return m.gradients(X, [YA, YB]).grads;
    };
    const both = grads([0.5, 2]), a = grads([1, 0]), b = grads([0, 1]), none = grads([0, 0]); // none: the penalties alone
    both.forEach((g, i) => g.data.forEach((v, j) => {
      const expected = 0.5 * (a[i].data[j] - none[i].data[j]) + 2 * (b[i].data[j] - none[i].data[j]) + none[i].data[j];
      expect(v).toBeCloseTo(expected, 5);
    }));
  });

  test('sampleWeight applies to every output', () => {
    const m = twoHeads(false);
    m.compile({ optimizer: 'sgd', loss: ['meanSquaredError', 'binaryCrossentropy'] });
    const w = [1, 0, 2, 1, 0, 3, 1, 1];
    const e = m.evaluate(X, [YA, YB], { sampleWeight: w });
    const [pa, pb] = m.predictOutputs(X);
    const wf = new Float32Array(w);
    expect(e.reg_head_loss).toBeCloseTo(losses.weightedLoss(losses.meanSquaredError(), YA, pa, wf, false).value, 6);
    expect(e.cls_head_loss).toBeCloseTo(losses.weightedLoss(losses.binaryCrossentropy(), YB, pb, wf, false).value, 6);
  });

  test('throws on a target count, a loss list or lossWeights that do not fit, classWeight, predict', async () => {
    const m = twoHeads(false);
    expect(() => m.compile({ optimizer: 'sgd', loss: ['mse'] })).toThrow(/loss is an array of 1 but the model has 2 output\(s\) \[reg_head, cls_head\]/);
    expect(() => m.compile({ optimizer: 'sgd', loss: 'mse', lossWeights: { head: 1 } })).toThrow(/lossWeights names "?head"?, which is not an output/);
    expect(() => m.compile({ optimizer: 'sgd', loss: 'mse', lossWeights: [1] })).toThrow(/lossWeights has 1 entries but the model has 2/);
    expect(() => m.compile({ optimizer: 'sgd', loss: { reg_head: 'mse' } as any })).toThrow(/no entry for output\(s\) cls_head/);
    m.compile({ optimizer: 'sgd', loss: ['meanSquaredError', 'binaryCrossentropy'] });
    expect(() => m.evaluate(X, YA)).toThrow(ValueError);
    expect(() => m.evaluate(X, [YA])).toThrow(/must be an array of 2 Tensors, one per model output, got 1 entries/);
    expect(() => m.evaluate(X, [YA, YA])).toThrow(/y\[1\]/);
    await expect(m.fit(X, [YA, YB], { verbose: 0, classWeight: { 0: 2 } })).rejects.toThrow(/classWeight is not supported for multi-output models/);
    expect(() => m.predict(X)).toThrow(ConfigError);
    expect(() => m.predict(X)).toThrow(/use predictOutputs/);
  });
});
