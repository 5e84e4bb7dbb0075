/**
 * Embedding (lib/layers/embedding.ts): table lookup forward, scatter-add backward, the
 * embeddings/activity penalty hooks, TensorFlow.js parity (outputs, gradients, penalties, fit),
 * finite differences of the total loss, index validation, inputLength, config and summary.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import { ConfigError, ShapeError, Tensor, ValueError, tensor, constraints, gradCheck, input, layers, model, optimizers, regularizers, sequential } from '../lib/index';
import { Embedding } from '../lib/layers/embedding';
import { layerClassFromName } from '../lib/layers/registry';
import { randn } from './helpers/layer-check';
import { expectClose, toTf } from './helpers/tfjs-parity';

beforeAll(async () => {
  await tf.setBackend('cpu');
});



/** Indices with repeats: (7·n + 3) mod inputDim. */
function ids(shape: number[], inputDim: number): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  return new Tensor(Float32Array.from({ length: n }, (_, i) => (7 * i + 3) % inputDim), shape);
}

describe('forward and backward', () => {
  test.each([[[4, 5]], [[6]], [[2, 2, 3]]])('x=%j inputDim=6 outputDim=3: y[..., :] = E[x[...], :]', (shape) => {
    const e = layers.embedding({ inputDim: 6, outputDim: 3, seed: 1 });
    const x = ids(shape, 6);
    const y = e.forward([x], false).y;
    expect(y.shape).toEqual([...shape, 3]);
    const E = e.getWeights()[0].data;
    for (let n = 0; n < x.size; n++) for (let d = 0; d < 3; d++) expect(y.data[n * 3 + d]).toBe(E[x.data[n] * 3 + d]);
  });

  test('backward is a scatter-add: dE[i, :] = Σ over the positions holding i of dY (repeats add up); dx = 0', () => {
    const e = layers.embedding({ inputDim: 5, outputDim: 2, seed: 2 });
    const x = tensor([1, 3, 1, 1, 0, 3], [2, 3]);
    const { ctx } = e.forward([x], false);
    const dy = randn([2, 3, 2], 3);
    e.weights[0].grad.fill(0);
    const [dx] = e.backward(ctx, dy);
    const want = new Float64Array(10);
    for (let n = 0; n < 6; n++) for (let d = 0; d < 2; d++) want[x.data[n] * 2 + d] += dy.data[n * 2 + d];
    expectClose(e.weights[0].grad, want, 1e-6, 'dE');
    expect(Array.from(e.weights[0].grad.slice(4, 6))).toEqual([0, 0]); // index 2 never used
    expect(dx.shape).toEqual([2, 3]);
    expect(Array.from(dx.data)).toEqual(new Array(6).fill(0));
  });

  test('default initializer: U(−0.05, 0.05) (Keras "uniform"), seeded', () => {
    const a = layers.embedding({ inputDim: 50, outputDim: 8, seed: 4 });
    const b = layers.embedding({ inputDim: 50, outputDim: 8, seed: 4 });
    a.build([[1]]); b.build([[1]]);
    const w = a.weights[0].value.data;
    expect(Math.max(...w)).toBeLessThanOrEqual(0.05);
    expect(Math.min(...w)).toBeGreaterThanOrEqual(-0.05);
    expect(Math.max(...w) - Math.min(...w)).toBeGreaterThan(0.09);
    expect(Array.from(b.weights[0].value.data)).toEqual(Array.from(w));
    expect(a.weights.map((x) => [x.name, x.target])).toEqual([['embeddings', 'embeddings']]);
  });
});

describe('vs tfjs-layers on the same weights', () => {
  test('output and dE of Σ y·r for x=[3,4] inputDim=7 outputDim=5', () => {
    const ours = layers.embedding({ inputDim: 7, outputDim: 5, seed: 5 });
    const theirs = tfl.layers.embedding({ inputDim: 7, outputDim: 5 });
    const x = ids([3, 4], 7);
    const { y, ctx } = ours.forward([x], false);
    const xt = toTf(x);
    theirs.apply(xt);
    theirs.setWeights(ours.getWeights().map(toTf));
    const yt = theirs.apply(xt) as tf.Tensor;
    expect(y.shape).toEqual(yt.shape);
    expectClose(y.data, yt.dataSync(), 1e-6, 'output');
    const r = randn(y.shape as number[], 6);
    const vars = theirs.trainableWeights.map((w) => (w as unknown as { val: tf.Variable }).val);
    const { grads } = tf.variableGrads(() => tf.sum(tf.mul(theirs.apply(xt) as tf.Tensor, toTf(r))) as tf.Scalar, vars);
    ours.weights[0].grad.fill(0);
    ours.backward(ctx, r);
    expectClose(ours.weights[0].grad, grads[vars[0].name].dataSync(), 1e-5, 'dE');
  });

  const build = () => {
    const m = sequential([
      layers.embedding({ inputDim: 9, outputDim: 4, inputLength: 5, seed: 7, embeddingsRegularizer: regularizers.l2({ l2: 0.05 }) }),
      layers.flatten(),
      layers.dense({ units: 2, seed: 8, kernelRegularizer: regularizers.l1({ l1: 0.01 }) }),
    ]);
    m.compile({ optimizer: optimizers.sgd({ learningRate: 0.2 }), loss: 'meanSquaredError' });
    const theirs = tfl.sequential({ layers: [
      tfl.layers.embedding({ inputDim: 9, outputDim: 4, inputLength: 5, embeddingsRegularizer: tfl.regularizers.l2({ l2: 0.05 }) }),
      tfl.layers.flatten(),
      tfl.layers.dense({ units: 2, kernelRegularizer: tfl.regularizers.l1({ l1: 0.01 }) }),
    ] });
    theirs.setWeights(m.getWeights().map(toTf));
    theirs.compile({ optimizer: tf.train.sgd(0.2), loss: 'meanSquaredError' });
    return { m, theirs };
  };
  const x = ids([6, 5], 9), y = randn([6, 2], 9);

  test('embedding (embeddings l2) → flatten → dense: outputs, penalties (calculateLosses), gradients of the total loss', () => {
    const { m, theirs } = build();
    const xt = toTf(x), yt = toTf(y);
    expectClose(m.predict(x).data, (theirs.predict(xt) as tf.Tensor).dataSync(), 1e-6, 'outputs');
    const bd = m.lossBreakdown(x, y);
    expect(bd.penalties.map((p) => p.target)).toEqual(['embeddings', 'kernel']);
    expectClose(bd.penalties.map((p) => p.value), theirs.layers.flatMap((l) => l.calculateLosses().map((s) => s.dataSync()[0])), 1e-5, 'penalties');
    const E = m.getWeights()[0].data;
    expect(bd.penalties[0].value).toBeCloseTo(0.05 * Array.from(E).reduce((s, v) => s + v * v, 0), 6);
    const vars = theirs.trainableWeights.map((w) => (w as unknown as { val: tf.Variable }).val);
    const { value, grads } = tf.variableGrads(() => tf.addN([
      tf.losses.meanSquaredError(yt, theirs.apply(xt) as tf.Tensor) as tf.Scalar,
      ...theirs.layers.flatMap((l) => l.calculateLosses()),
    ]) as tf.Scalar, vars);
    const ridge = m.gradients(x, y);
    expect(ridge.loss.total).toBeCloseTo(value.dataSync()[0], 5);
    vars.forEach((v, k) => expectClose(ridge.grads[k].data, grads[v.name].dataSync(), 1e-5, `gradient ${k} (${v.name})`));
  });

  test('3 SGD steps (lr 0.2) give the weights and training losses of tfjs model.fit', async () => {
    const { m, theirs } = build();
    const ho = await m.fit(x, y, { epochs: 3, batchSize: 6, shuffle: false, verbose: 0 });
    const ht = await theirs.fit(toTf(x), toTf(y), { epochs: 3, batchSize: 6, shuffle: false, verbose: 0 });
    m.getWeights().forEach((w, k) => expectClose(w.data, theirs.getWeights()[k].dataSync(), 1e-5, `weight ${k}`));
    expectClose(ho.history.loss, ht.history.loss as number[], 1e-5, 'loss per epoch');
  });
});

describe('finite differences of the total loss (gradCheck)', () => {
  test('embedding (embeddings l2, activity l2) → flatten → dense', () => {
    const m = sequential([
      layers.embedding({ inputDim: 6, outputDim: 3, inputShape: [4], seed: 11, embeddingsInitializer: { name: 'randomNormal', stddev: 0.5 },
        embeddingsRegularizer: regularizers.l2({ l2: 0.05 }), activityRegularizer: regularizers.l2({ l2: 0.03 }) }),
      layers.flatten(),
      layers.dense({ units: 2, seed: 12 }),
    ]);
    m.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
    const x = ids([5, 4], 5), y = randn([5, 2], 13); // index 5 unused: its gradient is the penalty's alone
    expect(m.lossBreakdown(x, y).penalties.map((p) => p.target)).toEqual(['embeddings', 'activity']);
    const rep = gradCheck(m, x, y, { eps: 1e-2, tolerance: 1e-3 });
    expect(rep.entries.length).toBe(18 + 26);
    expect(rep.maxRelError).toBeLessThan(1e-3);
  });

  test('embedding → lstm (kernel/recurrent l2) → dense: the gradient flows through the LSTM into the table', () => {
    const m = sequential([
      layers.embedding({ inputDim: 7, outputDim: 3, inputShape: [5], seed: 14, embeddingsInitializer: { name: 'randomNormal', stddev: 0.5 } }),
      layers.lstm({ units: 3, seed: 15, kernelRegularizer: regularizers.l2({ l2: 0.02 }), recurrentRegularizer: regularizers.l2({ l2: 0.02 }) }),
      layers.dense({ units: 1, seed: 16 }),
    ]);
    m.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
    const x = ids([4, 5], 7), y = randn([4, 1], 17);
    const rep = gradCheck(m, x, y, { eps: 1e-2, tolerance: 2e-3 });
    expect(rep.entries.filter((e) => e.weight.endsWith('/embeddings')).some((e) => Math.abs(e.analytic) > 1e-4)).toBe(true);
    expect(rep.maxRelError).toBeLessThan(2e-3);
  });
});

describe('indices, options and errors', () => {
  test.each([
    ['index = inputDim', 10, /embedding_\d+: index 10 at position 3 of input shape \[2,3\] is not an integer in \[0, inputDim = 10\)/],
    ['a negative index', -1, /index -1 at position 3 .*inputDim = 10/],
    ['a fractional index', 2.5, /index 2\.5 at position 3/],
    ['NaN', NaN, /index NaN at position 3/],
  ])('throws a ValueError on %s, naming the layer, the index and inputDim', (_n, bad, re) => {
    const e = layers.embedding({ inputDim: 10, outputDim: 2 });
    const x = tensor([1, 2, 3, bad, 4, 5], [2, 3]);
    expect(() => e.forward([x], false)).toThrow(ValueError);
    expect(() => e.forward([x], false)).toThrow(re);
  });

  test('a bad index in fit changes nothing', async () => {
    const m = sequential([layers.embedding({ inputDim: 4, outputDim: 2, inputShape: [2], seed: 1 }), layers.flatten(), layers.dense({ units: 1, seed: 2 })]);
    m.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
    const before = m.getWeights().map((w) => Array.from(w.data));
    await expect(m.fit(tensor([0, 1, 2, 4], [2, 2]), randn([2, 1], 3), { epochs: 1, verbose: 0 })).rejects.toThrow(ValueError);
    expect(m.getWeights().map((w) => Array.from(w.data))).toEqual(before);
  });

  test('inputLength sets the input shape (as tfjs) and is checked against the input', () => {
    const m = sequential([layers.embedding({ inputDim: 5, outputDim: 3, inputLength: 4 }), layers.flatten()]);
    expect(m.summary()).toMatch(/\[null,4,3\]/);
    expect(() => layers.embedding({ inputDim: 5, outputDim: 3, inputLength: 4 }).apply(input({ shape: [6] }))).toThrow(ShapeError);
    expect(() => layers.embedding({ inputDim: 5, outputDim: 3, inputLength: 4 }).apply(input({ shape: [6] }))).toThrow(/inputLength is \[4\] but the input has feature shape \[6\]/);
    const two = layers.embedding({ inputDim: 5, outputDim: 3, inputLength: [2, 3] });
    expect(two.apply(input({ shape: [2, 3] })).shape).toEqual([null, 2, 3, 3]);
  });

  test.each([
    ['inputDim 0', { inputDim: 0, outputDim: 2 }, /inputDim must be a positive integer, got 0/],
    ['outputDim 1.5', { inputDim: 3, outputDim: 1.5 }, /outputDim must be a positive integer, got 1.5/],
    ['maskZero true', { inputDim: 3, outputDim: 2, maskZero: true }, /maskZero must be false/],
    ['inputLength 0', { inputDim: 3, outputDim: 2, inputLength: 0 }, /inputLength must be a positive integer/],
    ['inputLength ≠ inputShape', { inputDim: 3, outputDim: 2, inputLength: 4, inputShape: [5] }, /inputLength 4 does not match inputShape/],
    ['a typo', { inputDim: 3, outputDim: 2, embeddingRegularizer: 'l2' }, /unknown option/],
    ['a bad regularizer', { inputDim: 3, outputDim: 2, embeddingsRegularizer: 'l3' }, /embeddingsRegularizer/],
  ])('throws a ConfigError on %s', (_n, args, re) => {
    expect(() => layers.embedding(args as never)).toThrow(ConfigError);
    expect(() => layers.embedding(args as never)).toThrow(re);
  });

  test('embeddingsConstraint is applied after every optimizer step (maxNorm over each row, axis 1)', async () => {
    const m = sequential([
      layers.embedding({ inputDim: 5, outputDim: 3, inputShape: [3], seed: 3, embeddingsInitializer: { name: 'randomNormal', stddev: 2 },
        embeddingsConstraint: constraints.maxNorm({ maxValue: 0.5, axis: 1 }) }),
      layers.flatten(), layers.dense({ units: 1, seed: 4 }),
    ]);
    m.compile({ optimizer: optimizers.sgd({ learningRate: 0.1 }), loss: 'meanSquaredError' });
    await m.fit(ids([4, 3], 5), randn([4, 1], 5), { epochs: 1, batchSize: 4, verbose: 0 });
    const E = m.getWeights()[0].data;
    for (let i = 0; i < 5; i++) expect(Math.hypot(E[3 * i], E[3 * i + 1], E[3 * i + 2])).toBeLessThanOrEqual(0.5 + 1e-5);
  });
});

describe('summary, getConfig, registration', () => {
  test('summary row with the embeddings and activity regularizers; lossBreakdown one term per hook', () => {
    const x = input({ shape: [5] });
    const h = layers.embedding({ inputDim: 10, outputDim: 4, embeddingsRegularizer: 'l2', activityRegularizer: 'l1', name: 'emb' }).apply(x);
    const m = model({ inputs: x, outputs: layers.dense({ units: 1 }).apply(layers.flatten().apply(h)) });
    expect(m.summary()).toMatch(/emb \(Embedding\)\s+\[null,5,4\]\s+40\s+embeddings: L2\(l2=0.01\), activity: L1\(l1=0.01\)/);
    m.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
    const bd = m.lossBreakdown(ids([2, 5], 10), randn([2, 1], 1));
    expect(bd.penalties.map((p) => `${p.layer}:${p.target}`)).toEqual(['emb:embeddings', 'emb:activity']);
  });

  test('getConfig has every option; Embedding is registered and rebuilds from its config values', () => {
    const e = layers.embedding({ inputDim: 8, outputDim: 2, inputLength: 3, embeddingsRegularizer: 'l1', seed: 9 });
    const cfg = e.getConfig();
    expect(Object.keys(cfg).sort()).toEqual(['activityRegularizer', 'embeddingsConstraint', 'embeddingsInitializer', 'embeddingsRegularizer',
      'inputDim', 'inputLength', 'maskZero', 'name', 'outputDim', 'seed', 'trainable'].sort());
    expect(cfg).toMatchObject({ inputDim: 8, outputDim: 2, inputLength: 3, maskZero: false, seed: 9,
      embeddingsInitializer: { className: 'RandomUniform', config: { minval: -0.05, maxval: 0.05 } }, embeddingsRegularizer: { className: 'L1' } });
    const back = layerClassFromName('Embedding')!({ inputDim: 8, outputDim: 2, inputLength: 3, maskZero: false, seed: null, name: 'e2', trainable: true });
    expect(back).toBeInstanceOf(Embedding);
    expect(back.getConfig()).toMatchObject({ name: 'e2', inputDim: 8, outputDim: 2, inputLength: 3 });
  });
});
