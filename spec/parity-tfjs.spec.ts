/**
 * Model-level parity with TensorFlow.js (@tensorflow/tfjs-layers on tfjs-backend-cpu): the same
 * weights in a Ridge model and a tfjs LayersModel give the same outputs, data loss, kernel/bias
 * penalties (tfjs `layer.calculateLosses()`, i.e. its regularizers' apply) and gradients of the
 * total loss (tf.variableGrads over data loss + penalties), for a dense net and small conv nets
 * (conv1d/2d/3d with pooling).
 *
 * tfjs has no activity regularizers: for those, the expected penalty is written from the
 * definition (l · Σ f(y) / B on tfjs' own intermediate output), and the expected gradient comes
 * from tf.variableGrads of that same expression added to tfjs' loss.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import { Model, Random, Tensor, layers, optimizers, regularizers, sequential } from '../lib/index';
import { expectClose, toTf } from './helpers/tfjs-parity';

beforeAll(async () => {
  await tf.setBackend('cpu');
});


function randn(shape: number[], seed: number, scale = 1): Tensor {
  const r = new Random(seed);
  return new Tensor(Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => scale * r.normal()), shape);
}


type LossName = 'meanSquaredError' | 'binaryCrossentropy' | 'categoricalCrossentropy';
const TF_LOSS: Record<LossName, (t: tf.Tensor, p: tf.Tensor) => tf.Tensor> = {
  meanSquaredError: tfl.metrics.meanSquaredError,
  binaryCrossentropy: tfl.metrics.binaryCrossentropy,
  categoricalCrossentropy: tfl.metrics.categoricalCrossentropy,
};

/** The tfjs twin: same layer configs, Ridge's weights copied in. */
function twin(ours: Model, tfLayers: tfl.layers.Layer[], inputShape: number[]): tfl.LayersModel {
  const theirs = tfl.sequential({ layers: tfLayers });
  theirs.build([null, ...inputShape]);
  const ws = ours.getWeights();
  expect(theirs.getWeights().map((w) => w.shape)).toEqual(ws.map((w) => w.shape));
  theirs.setWeights(ws.map(toTf));
  return theirs;
}

/**
 * Compares outputs, data loss, kernel/bias penalties and gradients. `activity` adds, per tfjs layer
 * index, the definition of an activity penalty on that layer's output (tfjs has none).
 */
function compare(ours: Model, theirs: tfl.LayersModel, x: Tensor, y: Tensor, loss: LossName,
  activity: { layer: number; penalty: (h: tf.Tensor) => tf.Scalar }[] = []): void {
  const xt = toTf(x), yt = toTf(y);
  // Outputs.
  expectClose(ours.predict(x).data, (theirs.predict(xt) as tf.Tensor).dataSync(), 1e-5, 'outputs');
  // Data loss and penalties.
  const bd = ours.lossBreakdown(x, y);
  const tfData = tf.mean(TF_LOSS[loss](yt, theirs.predict(xt) as tf.Tensor)).dataSync()[0];
  expect(bd.data).toBeCloseTo(tfData, 5);
  const weightTerms = bd.penalties.filter((p) => p.target !== 'activity');
  const tfTerms = theirs.layers.flatMap((l) => l.calculateLosses().map((s) => s.dataSync()[0]));
  expectClose(weightTerms.map((p) => p.value), tfTerms, 1e-5, 'kernel/bias penalties');
  // Activity penalties from the definition, on tfjs' intermediate outputs.
  const intermediate = (k: number): tf.Tensor => {
    let h: tf.Tensor = xt;
    for (let i = 0; i <= k; i++) h = theirs.layers[i].apply(h) as tf.Tensor;
    return h;
  };
  const actTerms = bd.penalties.filter((p) => p.target === 'activity');
  expect(actTerms).toHaveLength(activity.length);
  activity.forEach((a, i) => expect(actTerms[i].value).toBeCloseTo(a.penalty(intermediate(a.layer)).dataSync()[0], 5));
  // Gradients of the total loss.
  const vars = theirs.trainableWeights.map((w) => (w as unknown as { val: tf.Variable }).val);
  const { value, grads } = tf.variableGrads(() => {
    const terms: tf.Scalar[] = [tf.mean(TF_LOSS[loss](yt, theirs.apply(xt, { training: false }) as tf.Tensor)) as tf.Scalar];
    terms.push(...theirs.layers.flatMap((l) => l.calculateLosses()));
    activity.forEach((a) => terms.push(a.penalty(intermediate(a.layer))));
    return tf.addN(terms) as tf.Scalar;
  }, vars);
  const ridge = ours.gradients(x, y);
  expect(ridge.loss.total).toBeCloseTo(value.dataSync()[0], 4);
  vars.forEach((v, k) => expectClose(ridge.grads[k].data, grads[v.name].dataSync(), 2e-4, `gradient of weight ${k} (${v.name})`));
}

const B = 4;

describe('dense net vs tfjs-layers', () => {
  test('dense 6 relu (kernel l2 0.01, bias l1 0.02) → dense 3 softmax (kernel l1l2), categoricalCrossentropy, batch 4', () => {
    const ours = sequential([
      layers.dense({ units: 6, activation: 'relu', inputShape: [5], seed: 1, biasInitializer: 'randomNormal', kernelRegularizer: regularizers.l2({ l2: 0.01 }), biasRegularizer: regularizers.l1({ l1: 0.02 }) }),
      layers.dense({ units: 3, activation: 'softmax', seed: 2, kernelRegularizer: regularizers.l1l2({ l1: 0.01, l2: 0.03 }) }),
    ]);
    ours.compile({ optimizer: 'sgd', loss: 'categoricalCrossentropy' });
    const theirs = twin(ours, [
      tfl.layers.dense({ units: 6, activation: 'relu', inputShape: [5], kernelRegularizer: tfl.regularizers.l2({ l2: 0.01 }), biasRegularizer: tfl.regularizers.l1({ l1: 0.02 }) }),
      tfl.layers.dense({ units: 3, activation: 'softmax', kernelRegularizer: tfl.regularizers.l1l2({ l1: 0.01, l2: 0.03 }) }),
    ], [5]);
    const y = new Tensor(new Float32Array(B * 3), [B, 3]);
    [0, 2, 1, 2].forEach((c, r) => { y.data[r * 3 + c] = 1; });
    compare(ours, theirs, randn([B, 5], 3), y, 'categoricalCrossentropy');
  });

  test('dense 4 tanh with activity l2(0.05) (definition) → dense 1 sigmoid (bias l2), binaryCrossentropy', () => {
    const ours = sequential([
      layers.dense({ units: 4, activation: 'tanh', inputShape: [3], seed: 4, activityRegularizer: regularizers.l2({ l2: 0.05 }), kernelRegularizer: 'l1' }),
      layers.dense({ units: 1, activation: 'sigmoid', seed: 5, biasInitializer: 'randomNormal', biasRegularizer: 'l2' }),
    ]);
    ours.compile({ optimizer: 'sgd', loss: 'binaryCrossentropy' });
    const theirs = twin(ours, [
      tfl.layers.dense({ units: 4, activation: 'tanh', inputShape: [3], kernelRegularizer: tfl.regularizers.l1({ l1: 0.01 }) }),
      tfl.layers.dense({ units: 1, activation: 'sigmoid', biasRegularizer: tfl.regularizers.l2({ l2: 0.01 }) }),
    ], [3]);
    const y = new Tensor(Float32Array.from([1, 0, 0, 1]), [B, 1]);
    compare(ours, theirs, randn([B, 3], 6), y, 'binaryCrossentropy', [
      { layer: 0, penalty: (h) => tf.div(tf.mul(0.05, tf.sum(tf.square(h))), h.shape[0]) as tf.Scalar },
    ]);
  });
});

describe('conv nets vs tfjs-layers', () => {
  test('conv1d 3 k3 relu (kernel l2) → maxPooling1d 2 → flatten → dense 2 (kernel l1), MSE, x=[4,8,2]', () => {
    const ours = sequential([
      layers.conv1d({ filters: 3, kernelSize: 3, activation: 'relu', inputShape: [8, 2], seed: 7, biasInitializer: 'randomNormal', kernelRegularizer: regularizers.l2({ l2: 0.02 }) }),
      layers.maxPooling1d({ poolSize: 2 }),
      layers.flatten(),
      layers.dense({ units: 2, seed: 8, kernelRegularizer: regularizers.l1({ l1: 0.01 }) }),
    ]);
    ours.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
    const theirs = twin(ours, [
      tfl.layers.conv1d({ filters: 3, kernelSize: 3, activation: 'relu', inputShape: [8, 2], kernelRegularizer: tfl.regularizers.l2({ l2: 0.02 }) }),
      tfl.layers.maxPooling1d({ poolSize: 2 }),
      tfl.layers.flatten(),
      tfl.layers.dense({ units: 2, kernelRegularizer: tfl.regularizers.l1({ l1: 0.01 }) }),
    ], [8, 2]);
    compare(ours, theirs, randn([B, 8, 2], 9), randn([B, 2], 10), 'meanSquaredError');
  });

  test('conv2d 2 k2 same tanh (kernel l1, bias l2) → averagePooling2d 2 → flatten → dense 1 sigmoid, BCE, x=[4,6,6,1]', () => {
    const ours = sequential([
      layers.conv2d({ filters: 2, kernelSize: 2, padding: 'same', activation: 'tanh', inputShape: [6, 6, 1], seed: 11, biasInitializer: 'randomNormal', kernelRegularizer: regularizers.l1({ l1: 0.03 }), biasRegularizer: regularizers.l2({ l2: 0.04 }) }),
      layers.averagePooling2d({ poolSize: 2 }),
      layers.flatten(),
      layers.dense({ units: 1, activation: 'sigmoid', seed: 12 }),
    ]);
    ours.compile({ optimizer: 'sgd', loss: 'binaryCrossentropy' });
    const theirs = twin(ours, [
      tfl.layers.conv2d({ filters: 2, kernelSize: 2, padding: 'same', activation: 'tanh', inputShape: [6, 6, 1], kernelRegularizer: tfl.regularizers.l1({ l1: 0.03 }), biasRegularizer: tfl.regularizers.l2({ l2: 0.04 }) }),
      tfl.layers.averagePooling2d({ poolSize: 2 }),
      tfl.layers.flatten(),
      tfl.layers.dense({ units: 1, activation: 'sigmoid' }),
    ], [6, 6, 1]);
    compare(ours, theirs, randn([B, 6, 6, 1], 13), new Tensor(Float32Array.from([0, 1, 1, 0]), [B, 1]), 'binaryCrossentropy');
  });

  test('conv2d 3 k3 relu (kernel l2, activity l1 by definition) → maxPooling2d 2 → flatten → dense 3 softmax, CCE, x=[4,7,7,2]', () => {
    const ours = sequential([
      layers.conv2d({ filters: 3, kernelSize: 3, activation: 'relu', inputShape: [7, 7, 2], seed: 14, kernelRegularizer: regularizers.l2({ l2: 0.01 }), activityRegularizer: regularizers.l1({ l1: 0.02 }) }),
      layers.maxPooling2d({ poolSize: 2 }),
      layers.flatten(),
      layers.dense({ units: 3, activation: 'softmax', seed: 15 }),
    ]);
    ours.compile({ optimizer: 'sgd', loss: 'categoricalCrossentropy' });
    const theirs = twin(ours, [
      tfl.layers.conv2d({ filters: 3, kernelSize: 3, activation: 'relu', inputShape: [7, 7, 2], kernelRegularizer: tfl.regularizers.l2({ l2: 0.01 }) }),
      tfl.layers.maxPooling2d({ poolSize: 2 }),
      tfl.layers.flatten(),
      tfl.layers.dense({ units: 3, activation: 'softmax' }),
    ], [7, 7, 2]);
    const y = new Tensor(new Float32Array(B * 3), [B, 3]);
    [1, 0, 2, 1].forEach((c, r) => { y.data[r * 3 + c] = 1; });
    compare(ours, theirs, randn([B, 7, 7, 2], 16), y, 'categoricalCrossentropy', [
      { layer: 0, penalty: (h) => tf.div(tf.mul(0.02, tf.sum(tf.abs(h))), h.shape[0]) as tf.Scalar },
    ]);
  });

  test('conv3d 2 k2 (kernel l1l2, bias l1) → maxPooling3d 2 → flatten → dense 2, MSE, x=[4,4,4,4,1]', () => {
    const ours = sequential([
      layers.conv3d({ filters: 2, kernelSize: 2, activation: 'sigmoid', inputShape: [4, 4, 4, 1], seed: 17, biasInitializer: 'randomNormal', kernelRegularizer: regularizers.l1l2({ l1: 0.01, l2: 0.02 }), biasRegularizer: regularizers.l1({ l1: 0.05 }) }),
      layers.maxPooling3d({ poolSize: 2, padding: 'same' }),
      layers.flatten(),
      layers.dense({ units: 2, seed: 18 }),
    ]);
    ours.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
    const theirs = twin(ours, [
      tfl.layers.conv3d({ filters: 2, kernelSize: 2, activation: 'sigmoid', inputShape: [4, 4, 4, 1], kernelRegularizer: tfl.regularizers.l1l2({ l1: 0.01, l2: 0.02 }), biasRegularizer: tfl.regularizers.l1({ l1: 0.05 }) }),
      tfl.layers.maxPooling3d({ poolSize: 2, padding: 'same' }),
      tfl.layers.flatten(),
      tfl.layers.dense({ units: 2 }),
    ], [4, 4, 4, 1]);
    compare(ours, theirs, randn([B, 4, 4, 4, 1], 19), randn([B, 2], 20), 'meanSquaredError');
  });
});

describe('training parity', () => {
  const optimizerCases: [string, () => optimizers.Optimizer, () => tf.Optimizer, number][] = [
    // tfjs' Adam puts ε on the bias-corrected √v̂ (Keras: "epsilon hat" on √v); with |g| ≫ ε the two agree to ~1e-6.
    ['adam lr 0.01', () => optimizers.adam({ learningRate: 0.01 }), () => tf.train.adam(0.01, 0.9, 0.999, 1e-7), 1e-4],
    ['rmsprop lr 0.01 momentum 0.5 (ε inside the root in both)', () => optimizers.rmsprop({ learningRate: 0.01, momentum: 0.5 }), () => tf.train.rmsprop(0.01, 0.9, 0.5, 1e-7), 1e-5],
    ['sgd momentum 0.9 lr 0.05', () => optimizers.sgd({ learningRate: 0.05, momentum: 0.9 }), () => tf.train.momentum(0.05, 0.9), 1e-5],
  ];
  test.each(optimizerCases)('4 full-batch steps with %s give the weights tfjs model.fit gives', async (_name, ourOpt, theirOpt, tol) => {
    const ours = sequential([
      layers.dense({ units: 4, activation: 'tanh', inputShape: [3], seed: 31, kernelRegularizer: regularizers.l2({ l2: 0.05 }) }),
      layers.dense({ units: 1, seed: 32, biasInitializer: 'randomNormal' }),
    ]);
    ours.compile({ optimizer: ourOpt(), loss: 'meanSquaredError' });
    const theirs = twin(ours, [
      tfl.layers.dense({ units: 4, activation: 'tanh', inputShape: [3], kernelRegularizer: tfl.regularizers.l2({ l2: 0.05 }) }),
      tfl.layers.dense({ units: 1 }),
    ], [3]);
    theirs.compile({ optimizer: theirOpt(), loss: 'meanSquaredError' });
    const x = randn([6, 3], 33), y = randn([6, 1], 34);
    await ours.fit(x, y, { epochs: 4, batchSize: 6, shuffle: false, verbose: 0 });
    await theirs.fit(toTf(x), toTf(y), { epochs: 4, batchSize: 6, shuffle: false, verbose: 0 });
    ours.getWeights().forEach((w, k) => expectClose(w.data, theirs.getWeights()[k].dataSync(), tol, `weight ${k} after 4 steps`));
  });

  test('3 SGD steps (lr 0.1) of a regularized dense net give the same weights as tfjs model.fit', async () => {
    const ours = sequential([
      layers.dense({ units: 4, activation: 'tanh', inputShape: [3], seed: 21, kernelRegularizer: regularizers.l2({ l2: 0.05 }) }),
      layers.dense({ units: 1, seed: 22, biasInitializer: 'randomNormal', biasRegularizer: regularizers.l1({ l1: 0.05 }) }),
    ]);
    ours.compile({ optimizer: optimizers.sgd({ learningRate: 0.1 }), loss: 'meanSquaredError' });
    const theirs = twin(ours, [
      tfl.layers.dense({ units: 4, activation: 'tanh', inputShape: [3], kernelRegularizer: tfl.regularizers.l2({ l2: 0.05 }) }),
      tfl.layers.dense({ units: 1, biasRegularizer: tfl.regularizers.l1({ l1: 0.05 }) }),
    ], [3]);
    theirs.compile({ optimizer: tf.train.sgd(0.1), loss: 'meanSquaredError' });
    const x = randn([6, 3], 23), y = randn([6, 1], 24);
    const ho = await ours.fit(x, y, { epochs: 3, batchSize: 6, shuffle: false, verbose: 0 });
    const ht = await theirs.fit(toTf(x), toTf(y), { epochs: 3, batchSize: 6, shuffle: false, verbose: 0 });
    ours.getWeights().forEach((w, k) => expectClose(w.data, theirs.getWeights()[k].dataSync(), 1e-5, `weight ${k} after 3 steps`));
    // tfjs' training loss includes the penalties too (it is its evaluate() that drops them).
    expectClose(ho.history.loss, ht.history.loss as number[], 1e-5, 'training loss per epoch');
  });
});
