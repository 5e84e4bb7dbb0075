/**
 * DepthwiseConv2D, SeparableConv1D/2D, Conv1DTranspose/2D/3D: finite-difference gradients of the
 * input and every weight, penalties through the hook (one term per regularized hook), parity with
 * tfjs-layers on the same weights (outputs, gradients, regularization losses, fit steps), summary,
 * config round trip and bad options.
 *
 * tfjs-layers 4.22 has no separableConv1d and no conv1dTranspose: those are compared with tfjs'
 * 2-D layers on inputs of height 1 (kernels [1, k, …]), which is what the 1-D layers are.
 * tfjs has no outputPadding: the kernel spec checks it against the scatter definition, and here
 * the output lengths against Keras' deconv_output_length formula.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import {
  ConfigError, ShapeError, Tensor, ValueError, constraints, conv2dTranspose, conv3dTranspose, depthwiseConv2d, gradCheck, layers,
  optimizers, regularizers, sequential,
} from '../lib/index';
import { Layer } from '../lib/layers/layer';
import { checkLayerGradients, randn } from './helpers/layer-check';
import { expectClose, toTf } from './helpers/tfjs-parity';

beforeAll(async () => {
  await tf.setBackend('cpu');
});



const biasInit = { name: 'randomNormal', stddev: 0.5 };

describe('finite-difference gradients (input and every weight)', () => {
  const cases: { name: string; make: () => Layer; x: number[] }[] = [
    { name: 'depthwiseConv2d k=3 same s=2 mult=2 tanh', x: [2, 7, 6, 3], make: () => layers.depthwiseConv2d({ kernelSize: 3, padding: 'same', strides: 2, depthMultiplier: 2, activation: 'tanh', biasInitializer: biasInit, seed: 1 }) },
    { name: 'depthwiseConv2d k=[2,3] valid d=2 useBias=false', x: [1, 8, 9, 2], make: () => layers.depthwiseConv2d({ kernelSize: [2, 3], dilationRate: 2, useBias: false, seed: 2 }) },
    { name: 'separableConv1d f=4 k=3 same s=2 mult=3 sigmoid', x: [2, 9, 2], make: () => layers.separableConv1d({ filters: 4, kernelSize: 3, padding: 'same', strides: 2, depthMultiplier: 3, activation: 'sigmoid', biasInitializer: biasInit, seed: 3 }) },
    { name: 'separableConv2d f=3 k=3 valid d=2 mult=1', x: [2, 7, 7, 3], make: () => layers.separableConv2d({ filters: 3, kernelSize: 3, dilationRate: 2, biasInitializer: biasInit, seed: 4 }) },
    { name: 'conv1dTranspose f=3 k=3 s=2 same tanh', x: [2, 5, 2], make: () => layers.conv1dTranspose({ filters: 3, kernelSize: 3, strides: 2, padding: 'same', activation: 'tanh', biasInitializer: biasInit, seed: 5 }) },
    { name: 'conv2dTranspose f=2 k=3 s=2 valid outputPadding=1', x: [2, 3, 4, 3], make: () => layers.conv2dTranspose({ filters: 2, kernelSize: 3, strides: 2, outputPadding: 1, biasInitializer: biasInit, seed: 6 }) },
    { name: 'conv2dTranspose f=5 k=[2,3] s=1 same d=2', x: [1, 4, 5, 4], make: () => layers.conv2dTranspose({ filters: 5, kernelSize: [2, 3], padding: 'same', dilationRate: 2, seed: 7 }) },
    { name: 'conv3dTranspose f=2 k=2 s=2 same', x: [1, 2, 3, 2, 2], make: () => layers.conv3dTranspose({ filters: 2, kernelSize: 2, strides: 2, padding: 'same', biasInitializer: biasInit, seed: 8 }) },
  ];
  test.each(cases)('$name x=$x', ({ make, x }) => {
    const r = checkLayerGradients(make(), [randn(x, 11)], { eps: 1e-2, tol: 1e-2 });
    expect(r.checked).toBeGreaterThan(30);
  });

  test('model gradCheck with every regularizer hook: depthwise, pointwise, kernel, bias, activity', () => {
    const m = sequential([
      layers.depthwiseConv2d({ kernelSize: 2, depthMultiplier: 2, inputShape: [5, 5, 2], seed: 1, activation: 'tanh', depthwiseRegularizer: regularizers.l2({ l2: 0.05 }), biasRegularizer: regularizers.l2({ l2: 0.02 }), biasInitializer: biasInit }),
      layers.separableConv2d({ filters: 3, kernelSize: 2, seed: 2, depthwiseRegularizer: regularizers.l1({ l1: 0.01 }), pointwiseRegularizer: regularizers.l2({ l2: 0.03 }), activityRegularizer: regularizers.l2({ l2: 0.01 }) }),
      layers.conv2dTranspose({ filters: 2, kernelSize: 2, strides: 2, seed: 3, kernelRegularizer: regularizers.l2({ l2: 0.04 }), biasRegularizer: regularizers.l2({ l2: 0.01 }), biasInitializer: biasInit }),
      layers.flatten(),
      layers.dense({ units: 2, seed: 4 }),
    ]);
    m.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
    const x = randn([3, 5, 5, 2], 12), y = randn([3, 2], 13);
    const bd = m.lossBreakdown(x, y);
    expect(bd.penalties.map((p) => p.target)).toEqual(['depthwise', 'bias', 'depthwise', 'pointwise', 'activity', 'kernel', 'bias']);
    const dw = m.layers[0].weights[0].value.data;
    expect(bd.penalties[0].value).toBeCloseTo(0.05 * Array.from(dw).reduce((s, v) => s + v * v, 0), 6);
    const report = gradCheck(m, x, y, { eps: 1e-2, tolerance: 1e-2, maxPerWeight: 12 });
    expect(report.ok).toBe(true);
    expect(new Set(report.entries.map((e) => e.weight.split('/')[1]))).toEqual(new Set(['depthwise_kernel', 'pointwise_kernel', 'kernel', 'bias']));
  });
});

/** Outputs, then dx and every weight gradient of Σ y·r, against the tfjs layer on the same weights. */
function parity(ours: Layer, theirs: tfl.layers.Layer, x: Tensor, opts: { grads: boolean; tfShape?: number[]; tfWeights?: (w: Tensor) => number[] }): void {
  const shape = opts.tfShape ?? (x.shape as number[]);
  const xt = tf.reshape(toTf(x), shape);
  const { y, ctx } = ours.forward([x], false);
  theirs.apply(xt);
  theirs.setWeights(ours.getWeights().map((w) => tf.reshape(toTf(w), opts.tfWeights ? opts.tfWeights(w) : (w.shape as number[]))));
  const yt = theirs.apply(xt) as tf.Tensor;
  expect(yt.size).toBe(y.size);
  expectClose(y.data, yt.dataSync(), 1e-4, 'output');
  if (!opts.grads) return;
  const r = randn(y.shape as number[], 21);
  const rt = tf.reshape(toTf(r), yt.shape);
  const loss = (inp: tf.Tensor): tf.Scalar => tf.sum(tf.mul(theirs.apply(inp) as tf.Tensor, rt)) as tf.Scalar;
  const dxTf = tf.grad(loss)(xt);
  const vars = theirs.trainableWeights.map((w) => (w as unknown as { val: tf.Variable }).val);
  const { grads } = tf.variableGrads(() => loss(xt), vars);
  ours.weights.forEach((w) => w.grad.fill(0));
  const [dx] = ours.backward(ctx, r);
  expectClose(dx.data, dxTf.dataSync(), 1e-4, 'dx');
  ours.weights.forEach((w, k) => expectClose(w.grad, grads[vars[k].name].dataSync(), 1e-4, `d${w.name}`));
}

describe('parity with tfjs-layers on the same weights', () => {
  const dwCases = [
    { kernelSize: 3, padding: 'valid' as const, depthMultiplier: 1, grads: true },
    { kernelSize: 3, padding: 'same' as const, strides: 2, depthMultiplier: 2, activation: 'relu' as const, grads: true },
    { kernelSize: [2, 3], padding: 'same' as const, depthMultiplier: 3, activation: 'sigmoid' as const, grads: true },
  ];
  for (const { grads, ...c } of dwCases) {
    test(`depthwiseConv2d x=[2,7,6,3] ${JSON.stringify(c)}${grads ? ' + gradients' : ''}`, () => {
      parity(layers.depthwiseConv2d({ ...c, seed: 31, biasInitializer: biasInit }), tfl.layers.depthwiseConv2d(c as never), randn([2, 7, 6, 3], 32), { grads });
    });
  }

  test('depthwiseConv2d dilationRate=2 same mult=2 vs tf.depthwiseConv2d (tfjs-layers 4.22 DepthwiseConv2D passes null for the dilation; tfjs has no gradient for it: finite differences above)', () => {
    const ours = layers.depthwiseConv2d({ kernelSize: 3, padding: 'same', dilationRate: 2, depthMultiplier: 2, seed: 30, biasInitializer: biasInit });
    const x = randn([2, 7, 6, 3], 32);
    const y = ours.forward([x], false).y;
    const [k, b] = ours.getWeights();
    const expected = tf.add(tf.depthwiseConv2d(toTf(x) as tf.Tensor4D, toTf(k) as tf.Tensor4D, 1, 'same', 'NHWC', 2), toTf(b));
    expect(y.shape).toEqual(expected.shape);
    expectClose(y.data, expected.dataSync(), 1e-4, 'output');
  });

  const sepCases = [
    { filters: 4, kernelSize: 3, padding: 'valid' as const, depthMultiplier: 1 },
    { filters: 3, kernelSize: 3, padding: 'same' as const, strides: 2, depthMultiplier: 2, activation: 'tanh' as const },
  ];
  for (const c of sepCases) {
    test(`separableConv2d x=[2,7,6,3] ${JSON.stringify(c)} + gradients`, () => {
      parity(layers.separableConv2d({ ...c, seed: 33, biasInitializer: biasInit }), tfl.layers.separableConv2d(c as never), randn([2, 7, 6, 3], 34), { grads: true });
    });
    test(`separableConv1d x=[2,9,3] ${JSON.stringify(c)} vs tfjs separableConv2d on height 1 + gradients`, () => {
      const { kernelSize, strides, ...rest } = c as { kernelSize: number; strides?: number };
      const theirs = tfl.layers.separableConv2d({ ...rest, kernelSize: [1, kernelSize], strides: [1, strides ?? 1] } as never);
      parity(layers.separableConv1d({ ...c, seed: 35, biasInitializer: biasInit }), theirs, randn([2, 9, 3], 36),
        { grads: true, tfShape: [2, 1, 9, 3], tfWeights: (w) => (w.rank === 3 ? [1, ...w.shape] : (w.shape as number[])) });
    });
  }

  const tCases = [
    { filters: 3, kernelSize: 3, strides: 1, padding: 'valid' as const },
    { filters: 2, kernelSize: 3, strides: 2, padding: 'same' as const, activation: 'relu' as const },
    { filters: 4, kernelSize: [2, 3], strides: [2, 1], padding: 'valid' as const },
    { filters: 5, kernelSize: 4, strides: 3, padding: 'same' as const, activation: 'tanh' as const },
  ];
  for (const c of tCases) {
    test(`conv2dTranspose x=[2,4,5,3] ${JSON.stringify(c)} + gradients`, () => {
      parity(layers.conv2dTranspose({ ...c, seed: 37, biasInitializer: biasInit }), tfl.layers.conv2dTranspose(c as never), randn([2, 4, 5, 3], 38), { grads: true });
    });
  }
  for (const c of [{ filters: 3, kernelSize: 3, strides: 2, padding: 'same' as const }, { filters: 2, kernelSize: 4, strides: 1, padding: 'valid' as const }]) {
    test(`conv1dTranspose x=[2,6,3] ${JSON.stringify(c)} vs tfjs conv2dTranspose on height 1 + gradients`, () => {
      const theirs = tfl.layers.conv2dTranspose({ ...c, kernelSize: [1, c.kernelSize], strides: [1, c.strides] });
      parity(layers.conv1dTranspose({ ...c, seed: 39, biasInitializer: biasInit }), theirs, randn([2, 6, 3], 40),
        { grads: true, tfShape: [2, 1, 6, 3], tfWeights: (w) => (w.rank === 3 ? [1, ...w.shape] : (w.shape as number[])) });
    });
  }
  for (const c of [{ filters: 2, kernelSize: 2, strides: 2, padding: 'same' as const }, { filters: 3, kernelSize: [3, 2, 2], strides: 1, padding: 'valid' as const }]) {
    // tfjs 4.22 has no gradient for Conv3DBackpropInputV2: forward only (finite differences above)
    test(`conv3dTranspose x=[1,3,4,3,2] ${JSON.stringify(c)} (forward)`, () => {
      parity(layers.conv3dTranspose({ ...c, seed: 41, biasInitializer: biasInit }), tfl.layers.conv3dTranspose(c as never), randn([1, 3, 4, 3, 2], 42), { grads: false });
    });
  }

  test('model: depthwise (l2) → separable (depthwise l1, pointwise l2) → conv2dTranspose (kernel l2, bias l1) → dense: penalties, then 3 SGD fit steps', async () => {
    const ours = sequential([
      layers.depthwiseConv2d({ kernelSize: 2, depthMultiplier: 2, activation: 'tanh', inputShape: [5, 5, 2], seed: 51, depthwiseRegularizer: regularizers.l2({ l2: 0.05 }) }),
      layers.separableConv2d({ filters: 3, kernelSize: 2, seed: 52, depthwiseRegularizer: regularizers.l1({ l1: 0.02 }), pointwiseRegularizer: regularizers.l2({ l2: 0.03 }) }),
      layers.conv2dTranspose({ filters: 2, kernelSize: 2, strides: 2, activation: 'tanh', seed: 53, kernelRegularizer: regularizers.l2({ l2: 0.04 }), biasRegularizer: regularizers.l1({ l1: 0.01 }), biasInitializer: biasInit }),
      layers.flatten(),
      layers.dense({ units: 2, seed: 54 }),
    ]);
    const theirs = tfl.sequential({ layers: [
      tfl.layers.depthwiseConv2d({ kernelSize: 2, depthMultiplier: 2, activation: 'tanh', inputShape: [5, 5, 2], depthwiseRegularizer: tfl.regularizers.l2({ l2: 0.05 }) }),
      tfl.layers.separableConv2d({ filters: 3, kernelSize: 2, depthwiseRegularizer: tfl.regularizers.l1({ l1: 0.02 }), pointwiseRegularizer: tfl.regularizers.l2({ l2: 0.03 }) }),
      tfl.layers.conv2dTranspose({ filters: 2, kernelSize: 2, strides: 2, activation: 'tanh', kernelRegularizer: tfl.regularizers.l2({ l2: 0.04 }), biasRegularizer: tfl.regularizers.l1({ l1: 0.01 }) }),
      tfl.layers.flatten(),
      tfl.layers.dense({ units: 2 }),
    ] });
    theirs.setWeights(ours.getWeights().map(toTf));
    const x = randn([4, 5, 5, 2], 55), y = randn([4, 2], 56);
    ours.compile({ optimizer: optimizers.sgd({ learningRate: 0.05 }), loss: 'meanSquaredError' });
    theirs.compile({ optimizer: tf.train.sgd(0.05), loss: 'meanSquaredError' });
    const bd = ours.lossBreakdown(x, y);
    const tfTerms = theirs.layers.flatMap((l) => l.calculateLosses().map((s) => s.dataSync()[0]));
    expect(bd.penalties.map((p) => p.target)).toEqual(['depthwise', 'depthwise', 'pointwise', 'kernel', 'bias']);
    expectClose(bd.penalties.map((p) => p.value), tfTerms, 1e-5, 'penalties');
    const ho = await ours.fit(x, y, { epochs: 3, batchSize: 4, shuffle: false, verbose: 0 });
    const ht = await theirs.fit(toTf(x), toTf(y), { epochs: 3, batchSize: 4, shuffle: false, verbose: 0 });
    ours.getWeights().forEach((w, k) => expectClose(w.data, theirs.getWeights()[k].dataSync(), 1e-4, `weight ${k} after 3 steps`));
    expectClose(ho.history.loss, ht.history.loss as number[], 1e-4, 'training loss per epoch');
  });
});

describe('shapes, summary, constraints, config, errors', () => {
  test('output lengths follow Keras (deconv_output_length, outputPadding included) and the kernels have Keras layouts', () => {
    const t = layers.conv2dTranspose({ filters: 4, kernelSize: [3, 4], strides: [2, 3], padding: 'same', outputPadding: [1, 2] });
    const out = t.computeOutputShape([[5, 6, 3]]);
    // (in − 1)·s + k − 2·⌊k/2⌋ + outputPadding
    expect(out).toEqual([(5 - 1) * 2 + 3 - 2 * 1 + 1, (6 - 1) * 3 + 4 - 2 * 2 + 2, 4]);
    expect(layers.conv1dTranspose({ filters: 2, kernelSize: 3, strides: 2 }).computeOutputShape([[5, 3]])).toEqual([5 * 2 + 1, 2]);
    expect(layers.conv3dTranspose({ filters: 2, kernelSize: 3, strides: 2, padding: 'same' }).computeOutputShape([[2, 3, 4, 1]])).toEqual([4, 6, 8, 2]);
    const y = t.forward([randn([1, 5, 6, 3], 1)], false).y;
    expect(y.shape).toEqual([1, ...out]);
    expect(t.weights.map((w) => [w.name, w.value.shape])).toEqual([['kernel', [3, 4, 4, 3]], ['bias', [4]]]);
    const s = layers.separableConv2d({ filters: 5, kernelSize: 3, depthMultiplier: 2 });
    s.forward([randn([1, 6, 6, 3], 2)], false);
    expect(s.weights.map((w) => [w.name, w.value.shape])).toEqual([['depthwise_kernel', [3, 3, 3, 2]], ['pointwise_kernel', [1, 1, 6, 5]], ['bias', [5]]]);
    const d = layers.depthwiseConv2d({ kernelSize: 3, depthMultiplier: 2 });
    d.forward([randn([1, 6, 6, 3], 2)], false);
    expect(d.weights.map((w) => [w.name, w.value.shape])).toEqual([['depthwise_kernel', [3, 3, 3, 2]], ['bias', [6]]]);
  });

  test('summary lists the new layers, their parameter counts and regularizers', () => {
    const m = sequential([
      layers.depthwiseConv2d({ kernelSize: 3, inputShape: [8, 8, 2], depthwiseRegularizer: regularizers.l2({ l2: 0.01 }) }),
      layers.separableConv2d({ filters: 4, kernelSize: 3, pointwiseRegularizer: 'l1' }),
      layers.conv2dTranspose({ filters: 3, kernelSize: 2, strides: 2 }),
      layers.batchNormalization(),
      layers.flatten(),
    ]);
    const s = m.summary();
    expect(s).toMatch(/depthwise_conv2d_\d+ \(DepthwiseConv2D\)\s+\[null,6,6,2\]\s+20\s+depthwise: L2\(l2=0.01\)/);
    expect(s).toMatch(/separable_conv2d_\d+ \(SeparableConv2D\)\s+\[null,4,4,4\]\s+30\s+pointwise: L1\(l1=0.01\)/); // 3·3·2 + 2·4 + 4
    expect(s).toMatch(/conv2d_transpose_\d+ \(Conv2DTranspose\)\s+\[null,8,8,3\]\s+51/);                        // 2·2·3·4 + 3
    expect(s).toMatch(/Non-trainable params: 6\b/);
  });

  test('depthwiseConstraint / pointwiseConstraint hold after fit; the kernels moved', async () => {
    const s = layers.separableConv2d({ filters: 2, kernelSize: 2, inputShape: [4, 4, 2], seed: 3, depthwiseConstraint: constraints.maxNorm({ maxValue: 0.3, axis: [0, 1] }), pointwiseConstraint: constraints.nonNeg() });
    const m = sequential([s, layers.flatten(), layers.dense({ units: 1, seed: 4 })]);
    m.compile({ optimizer: optimizers.sgd({ learningRate: 0.5 }), loss: 'meanSquaredError' });
    const before = s.getWeights();
    await m.fit(randn([8, 4, 4, 2], 5), randn([8, 1], 6, 5), { epochs: 2, batchSize: 4, verbose: 0 });
    const [dk, pk] = s.getWeights();
    expect(dk.shape).toEqual([2, 2, 2, 1]);
    for (let c = 0; c < 2; c++) { // each (inC, mult) filter: norm over the 2×2 taps
      let sq = 0;
      for (let t = 0; t < 4; t++) sq += dk.data[t * 2 + c] ** 2;
      expect(Math.sqrt(sq)).toBeLessThanOrEqual(0.3 + 1e-6);
    }
    expect(Array.from(pk.data).every((v) => v >= 0)).toBe(true);
    expect(Array.from(pk.data).some((v, i) => v !== before[1].data[i])).toBe(true);
  });

  test('getConfig lists every option and the registry rebuilds equal layers', () => {
    const { layerClassFromName } = layers;
    const made: Layer[] = [
      layers.depthwiseConv2d({ kernelSize: [3, 2], strides: 2, padding: 'same', depthMultiplier: 3, activation: 'relu', useBias: false, name: 'dw_cfg' }),
      layers.separableConv1d({ filters: 4, kernelSize: 3, dilationRate: 2, depthMultiplier: 2, name: 'sep1_cfg' }),
      layers.separableConv2d({ filters: 4, kernelSize: 3, name: 'sep2_cfg' }),
      layers.conv1dTranspose({ filters: 2, kernelSize: 3, strides: 2, outputPadding: 1, name: 't1_cfg' }),
      layers.conv2dTranspose({ filters: 2, kernelSize: 3, name: 't2_cfg' }),
      layers.conv3dTranspose({ filters: 2, kernelSize: 2, padding: 'same', name: 't3_cfg' }),
    ];
    const keys = {
      DepthwiseConv2D: ['activation', 'activityRegularizer', 'biasConstraint', 'biasInitializer', 'biasRegularizer', 'depthMultiplier', 'depthwiseConstraint',
        'depthwiseInitializer', 'depthwiseRegularizer', 'dilationRate', 'kernelSize', 'name', 'padding', 'strides', 'trainable', 'useBias'],
      SeparableConv: ['filters', 'pointwiseConstraint', 'pointwiseInitializer', 'pointwiseRegularizer'],
      ConvTranspose: ['activation', 'activityRegularizer', 'biasConstraint', 'biasInitializer', 'biasRegularizer', 'dilationRate', 'filters', 'kernelConstraint',
        'kernelInitializer', 'kernelRegularizer', 'kernelSize', 'name', 'outputPadding', 'padding', 'strides', 'trainable', 'useBias'],
    };
    for (const l of made) {
      const cfg = l.getConfig();
      const want = l.className === 'DepthwiseConv2D' ? keys.DepthwiseConv2D
        : l.className.startsWith('Separable') ? [...keys.DepthwiseConv2D, ...keys.SeparableConv] : keys.ConvTranspose;
      expect(Object.keys(cfg).sort()).toEqual([...want].sort());
      // revive: the initializers as names (their configs are plain objects), no regularizers/constraints set
      const revived: Record<string, unknown> = { ...cfg, name: `${cfg.name}_copy` };
      for (const k of Object.keys(revived)) if (k.endsWith('Initializer')) revived[k] = k === 'biasInitializer' ? 'zeros' : 'glorotUniform';
      const copy = layerClassFromName(l.className)!(revived);
      expect(copy.className).toBe(l.className);
      expect({ ...copy.getConfig(), name: 'x' }).toEqual({ ...cfg, name: 'x' });
    }
    expect(made[3].getConfig()).toMatchObject({ kernelSize: 3, strides: 2, outputPadding: 1 });
    expect(made[0].getConfig()).toMatchObject({ kernelSize: [3, 2], strides: [2, 2], depthMultiplier: 3, useBias: false });
  });

  test('throws on bad options, naming the layer and the argument', () => {
    expect(() => layers.depthwiseConv2d({ kernelSize: 3, depthMultiplier: 0 })).toThrow(/depthwise_conv2d_\d+: depthMultiplier must be a positive integer, got 0/);
    expect(() => layers.depthwiseConv2d({ kernelSize: 3, padding: 'causal' as never })).toThrow(ConfigError);
    expect(() => layers.depthwiseConv2d({ kernelSize: 3, kernelRegularizer: 'l2' } as never)).toThrow(/unknown option "kernelRegularizer"/);
    expect(() => layers.depthwiseConv2d({} as never)).toThrow(/kernelSize is required/);
    expect(() => layers.separableConv2d({ kernelSize: 3 } as never)).toThrow(/filters must be a positive integer, got undefined/);
    expect(() => layers.separableConv1d({ filters: 2, kernelSize: 3, strides: 2, dilationRate: 2 })).toThrow(/strides > 1 together with dilationRate > 1/);
    expect(() => layers.separableConv2d({ filters: 2, kernelSize: 3, pointwiseRegularizer: 'l5' as never })).toThrow(/pointwiseRegularizer must be/);
    expect(() => layers.conv2dTranspose({ filters: 2, kernelSize: 3, strides: 2, outputPadding: 2 })).toThrow(/outputPadding must be smaller than strides/);
    expect(() => layers.conv2dTranspose({ filters: 2, kernelSize: 3, outputPadding: [0, -1] })).toThrow(/outputPadding must be null, a non-negative integer or an array of 2/);
    expect(() => layers.conv3dTranspose({ filters: 2, kernelSize: [3, 3] })).toThrow(/kernelSize must be a positive integer or an array of 3/);
    expect(() => layers.conv1dTranspose({ filters: 2, kernelSize: 3, padding: 'causal' as never })).toThrow(/padding must be 'valid' or 'same', got "causal"/);
  });

  test('throws ShapeError on inputs of the wrong rank or channels, and on empty outputs', () => {
    expect(() => sequential([layers.depthwiseConv2d({ kernelSize: 3, inputShape: [8, 3] })])).toThrow(/input must be rank 4 \[batch, height, width, channels\], got feature shape \[8,3\]/);
    expect(() => sequential([layers.separableConv2d({ filters: 2, kernelSize: 5, inputShape: [3, 3, 1] })])).toThrow(ShapeError);
    expect(() => sequential([layers.separableConv2d({ filters: 2, kernelSize: 5, inputShape: [3, 3, 1] })])).toThrow(/output would be empty/);
    const t = layers.conv2dTranspose({ filters: 2, kernelSize: 3 });
    t.forward([randn([1, 4, 4, 3], 1)], false);
    expect(() => t.forward([randn([1, 4, 4, 2], 1)], false)).toThrow(ShapeError);
  });
});

describe('the ops (depthwiseConv2d, conv2dTranspose, conv3dTranspose) vs tfjs-core, and their errors', () => {
  test('depthwiseConv2d x=[2,7,6,3] w=[3,3,3,2] s=2 same, with bias, vs tf.depthwiseConv2d', () => {
    const x = randn([2, 7, 6, 3], 61), w = randn([3, 3, 3, 2], 62), b = randn([6], 63);
    const y = depthwiseConv2d(x, w, { strides: 2, padding: 'same', bias: b });
    const e = tf.add(tf.depthwiseConv2d(toTf(x) as tf.Tensor4D, toTf(w) as tf.Tensor4D, 2, 'same'), toTf(b));
    expect(y.shape).toEqual(e.shape);
    expectClose(y.data, e.dataSync(), 1e-5, 'depthwiseConv2d');
  });
  test('conv2dTranspose x=[2,4,5,3] w=[3,3,4,3] s=2 same vs tf.conv2dTranspose (output [2,8,10,4])', () => {
    const x = randn([2, 4, 5, 3], 64), w = randn([3, 3, 4, 3], 65);
    const y = conv2dTranspose(x, w, { strides: 2, padding: 'same' });
    expect(y.shape).toEqual([2, 8, 10, 4]);
    expectClose(y.data, tf.conv2dTranspose(toTf(x) as tf.Tensor4D, toTf(w) as tf.Tensor4D, [2, 8, 10, 4], 2, 'same').dataSync(), 1e-5, 'conv2dTranspose');
  });
  test('conv3dTranspose x=[1,2,3,2,2] w=[2,2,2,3,2] s=2 valid vs tf.conv3dTranspose (output [1,4,6,4,3])', () => {
    const x = randn([1, 2, 3, 2, 2], 66), w = randn([2, 2, 2, 3, 2], 67);
    const y = conv3dTranspose(x, w, { strides: 2 });
    expect(y.shape).toEqual([1, 4, 6, 4, 3]);
    expectClose(y.data, tf.conv3dTranspose(toTf(x) as tf.Tensor5D, toTf(w) as tf.Tensor5D, [1, 4, 6, 4, 3], 2, 'valid').dataSync(), 1e-5, 'conv3dTranspose');
  });
  test('throws naming the op, the argument, expected and received', () => {
    const x = randn([1, 4, 4, 3], 1);
    expect(() => depthwiseConv2d(randn([4, 4, 3], 1), randn([3, 3, 3, 1], 2))).toThrow(/depthwiseConv2d: input must be rank 4 \[batch, height, width, channels\], got shape \[4,4,3\]/);
    expect(() => depthwiseConv2d(x, randn([3, 3, 2, 1], 2))).toThrow(/depthwiseConv2d: input channels \(3\) must equal kernel inChannels \(2\)/);
    expect(() => depthwiseConv2d(x, randn([3, 3, 3, 2], 2), { bias: randn([3], 3) })).toThrow(/bias must have shape \[6\], got shape \[3\]/);
    expect(() => depthwiseConv2d(x, randn([3, 3, 3, 2], 2), { dilation: 2 } as never)).toThrow(/unknown option "dilation"/);
    expect(() => depthwiseConv2d(x, [1, 2] as never)).toThrow(ValueError);
    expect(() => conv2dTranspose(x, randn([3, 3, 4, 2], 2))).toThrow(/conv2dTranspose: input channels \(3\) must equal kernel's last axis \(inChannels, 2\)/);
    expect(() => conv2dTranspose(x, randn([3, 3, 4, 3], 2), { strides: 2, outputPadding: 3 })).toThrow(/outputPadding must be smaller than the stride/);
    expect(() => conv2dTranspose(x, randn([3, 3, 4, 3], 2), { padding: 'causal' as never })).toThrow(ConfigError);
    expect(() => conv3dTranspose(x, randn([3, 3, 4, 3], 2))).toThrow(ShapeError);
  });
});
