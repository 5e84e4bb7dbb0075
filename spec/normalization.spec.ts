/**
 * BatchNormalization and LayerNormalization: finite-difference gradients of inputs and every
 * weight (training and inference mode, penalties included at model level), parity with
 * tfjs-layers on the same weights (outputs, moving statistics, gradients, regularization losses,
 * a few fit steps), the non-trainable moving statistics (never penalised, never moved by the
 * optimizer or a constraint), summary, config round trip and bad options.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import {
  ConfigError, ShapeError, Tensor, constraints, tensor, gradCheck, layers, optimizers, regularizers, sequential,
} from '../lib/index';
import { Layer } from '../lib/layers/layer';
import { checkLayerGradients, randn } from './helpers/layer-check';
import { expectClose, toTf } from './helpers/tfjs-parity';

beforeAll(async () => {
  await tf.setBackend('cpu');
});



/** Random gamma (around 1), beta, moving mean and a positive moving variance. */
function randomBnWeights(layer: Layer, seed: number): void {
  layer.setWeights(layer.weights.map((w, k) => {
    const r = randn(w.value.shape as number[], seed + k, 0.5);
    if (w.name === 'gamma') return new Tensor(r.data.map((v) => 1 + v), r.shape);
    if (w.name === 'moving_variance') return new Tensor(r.data.map((v) => 0.5 + v * v), r.shape);
    return r;
  }));
}

/** Channel statistics of x viewed as [rows, C] (reference for the moving-statistics update). */
function columnStats(x: Tensor): { mean: number[]; variance: number[] } {
  const c = x.shape[x.rank - 1], rows = x.size / c;
  const mean = new Array(c).fill(0), variance = new Array(c).fill(0);
  for (let r = 0; r < rows; r++) for (let j = 0; j < c; j++) mean[j] += x.data[r * c + j] / rows;
  for (let r = 0; r < rows; r++) for (let j = 0; j < c; j++) variance[j] += (x.data[r * c + j] - mean[j]) ** 2 / rows;
  return { mean, variance };
}

describe('finite-difference gradients (inputs and every trainable weight)', () => {
  const bnCases = [
    { name: 'x=[6,5] axis=-1', x: [6, 5], args: {} },
    { name: 'x=[3,4,3,2] axis=-1', x: [3, 4, 3, 2], args: {} },
    { name: 'x=[2,3,4,2] axis=1 (channels first)', x: [2, 3, 4, 2], args: { axis: 1 } },
    { name: 'x=[5,4] center=false', x: [5, 4], args: { center: false } },
    { name: 'x=[5,4] scale=false', x: [5, 4], args: { scale: false } },
  ];
  for (const c of bnCases) {
    for (const training of [true, false]) {
      test(`batchNormalization ${c.name} training=${training}`, () => {
        const bn = layers.batchNormalization(c.args);
        const x = randn(c.x, 3, 2);
        bn.forward([x], false); // builds
        randomBnWeights(bn, 10);
        const r = checkLayerGradients(bn, [x], { training, eps: 1e-2, tol: 2e-2 });
        expect(r.checked).toBeGreaterThan(20);
      });
    }
  }
  const lnCases = [
    { name: 'x=[4,6] axis=-1', x: [4, 6], args: {} },
    { name: 'x=[2,3,4] axis=[-2,-1]', x: [2, 3, 4], args: { axis: [-2, -1] } },
    { name: 'x=[2,3,4] axis=1 (inner axis left)', x: [2, 3, 4], args: { axis: 1 } },
    { name: 'x=[3,5] center=false scale=false', x: [3, 5], args: { center: false, scale: false } },
  ];
  for (const c of lnCases) {
    test(`layerNormalization ${c.name}`, () => {
      const ln = layers.layerNormalization({ ...c.args, gammaInitializer: { name: 'randomNormal', mean: 1, stddev: 0.5 }, betaInitializer: { name: 'randomNormal', stddev: 0.5 }, seed: 4 });
      const x = randn(c.x, 5, 2);
      const r = checkLayerGradients(ln, [x], { eps: 1e-2, tol: 2e-2 });
      expect(r.checked).toBeGreaterThan(10);
    });
  }

  test('model gradCheck: dense → batchNormalization (gamma l2, beta l1) → layerNormalization (gamma l1l2) → dense, penalties included', () => {
    const bn = layers.batchNormalization({ gammaRegularizer: regularizers.l2({ l2: 0.05 }), betaRegularizer: regularizers.l1({ l1: 0.03 }) });
    const m = sequential([
      layers.dense({ units: 5, inputShape: [4], seed: 1 }),
      bn,
      layers.layerNormalization({ gammaRegularizer: regularizers.l1l2({ l1: 0.02, l2: 0.04 }), betaInitializer: { name: 'randomNormal', stddev: 0.3 }, seed: 2 }),
      layers.dense({ units: 2, activation: 'tanh', seed: 3 }),
    ]);
    randomBnWeights(bn, 20);
    m.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
    const x = randn([6, 4], 6), y = randn([6, 2], 7);
    const report = gradCheck(m, x, y, { eps: 1e-2, tolerance: 2e-2 });
    expect(report.ok).toBe(true);
    // every trainable weight checked, none of the moving statistics
    const checked = new Set(report.entries.map((e) => e.weight.split('/')[1]));
    expect([...checked].sort()).toEqual(['beta', 'bias', 'gamma', 'kernel']);
  });
});

describe('penalties: one term per regularized hook, moving statistics never', () => {
  test('lossBreakdown lists gamma and beta terms with the Keras values', () => {
    const bn = layers.batchNormalization({ gammaRegularizer: regularizers.l2({ l2: 0.1 }), betaRegularizer: regularizers.l1({ l1: 0.2 }), inputShape: [3] });
    const ln = layers.layerNormalization({ betaRegularizer: 'l2', gammaRegularizer: regularizers.l1({ l1: 0.5 }) });
    const m = sequential([bn, ln]);
    m.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
    bn.setWeights([tensor([1, 2, 3], [3]), tensor([-1, 0.5, 0], [3]), tensor([9, 9, 9], [3]), tensor([9, 9, 9], [3])]);
    ln.setWeights([tensor([2, -1, 1], [3]), tensor([0.5, 1, -2], [3])]);
    const bd = m.lossBreakdown(randn([4, 3], 1), randn([4, 3], 2));
    expect(bd.penalties.map((p) => [p.layer, p.target])).toEqual([[bn.name, 'gamma'], [bn.name, 'beta'], [ln.name, 'gamma'], [ln.name, 'beta']]);
    const v = bd.penalties.map((p) => p.value);
    expect(v[0]).toBeCloseTo(0.1 * (1 + 4 + 9), 6);
    expect(v[1]).toBeCloseTo(0.2 * (1 + 0.5 + 0), 6);
    expect(v[2]).toBeCloseTo(0.5 * (2 + 1 + 1), 6);
    expect(v[3]).toBeCloseTo(0.01 * (0.25 + 1 + 4), 6);
    expect(bd.total).toBeCloseTo(bd.data + v.reduce((a, b) => a + b, 0), 6);
  });

  test('one fit step (AdamW weight decay, nonNeg on gamma): the moving statistics follow Keras exactly, untouched by optimizer and constraint', async () => {
    const bn = layers.batchNormalization({ inputShape: [3], gammaConstraint: constraints.nonNeg(), momentum: 0.9 });
    const m = sequential([bn, layers.dense({ units: 1, seed: 3 })]);
    m.compile({ optimizer: optimizers.adamw({ learningRate: 0.1, weightDecay: 0.5 }), loss: 'meanSquaredError' });
    const x = randn([8, 3], 4, 2), y = randn([8, 1], 5);
    const before = bn.getWeights();
    await m.fit(x, y, { epochs: 1, batchSize: 8, shuffle: false, verbose: 0 });
    const { mean, variance } = columnStats(x);
    const [gamma, beta, mm, mv] = bn.getWeights();
    expectClose(mm.data, mean.map((v, j) => before[2].data[j] * 0.9 + v * 0.1), 1e-6, 'moving_mean');
    expectClose(mv.data, variance.map((v, j) => before[3].data[j] * 0.9 + v * 0.1), 1e-6, 'moving_variance');
    // gamma and beta did move (the optimizer ran)
    expect(Array.from(gamma.data).some((v) => Math.abs(v - 1) > 1e-3)).toBe(true);
    expect(Array.from(beta.data).some((v) => Math.abs(v) > 1e-3)).toBe(true);
    const s = m.summary();
    expect(s).toMatch(/BatchNormalization/);
    expect(s).toMatch(/Trainable params: 10\b/);      // gamma 3 + beta 3 + dense 3 + 1
    expect(s).toMatch(/Non-trainable params: 6\b/);   // moving mean 3 + moving variance 3
  });
});

describe('parity with tfjs-layers on the same weights', () => {
  // tfjs-backend-cpu 4.22's BatchNorm kernel broadcasts gamma/beta/mean/variance along the LAST axis
  // only (flat index modulo C), whatever tfjs-layers' `axis` says; so axis=1 is compared as tfjs
  // axis=-1 on the input with axis 1 moved last (perm), and the results moved back (inverse).
  const cases = [
    { name: 'x=[6,4] axis=-1', x: [6, 4], axis: -1, perm: null, inverse: null },
    { name: 'x=[2,3,3,4] axis=-1', x: [2, 3, 3, 4], axis: -1, perm: null, inverse: null },
    { name: 'x=[2,3,4,2] axis=1 (tfjs on the transposed input)', x: [2, 3, 4, 2], axis: 1, perm: [0, 2, 3, 1], inverse: [0, 3, 1, 2] },
  ];
  for (const c of cases) {
    test(`batchNormalization ${c.name} momentum=0.8 epsilon=0.01: outputs (training and inference), moving statistics, gradients in training`, () => {
      const ours = layers.batchNormalization({ axis: c.axis, momentum: 0.8, epsilon: 0.01 });
      const theirs = tfl.layers.batchNormalization({ axis: -1, momentum: 0.8, epsilon: 0.01 });
      const x = randn(c.x, 8, 1.5);
      const into = (t: tf.Tensor): tf.Tensor => (c.perm ? tf.transpose(t, c.perm) : t);
      const back = (t: tf.Tensor): tf.Tensor => (c.inverse ? tf.transpose(t, c.inverse) : t);
      const xt = into(toTf(x));
      ours.forward([x], false);
      randomBnWeights(ours, 30);
      theirs.apply(xt);
      theirs.setWeights(ours.getWeights().map(toTf));
      // inference
      expectClose(ours.forward([x], false).y.data, back(theirs.apply(xt, { training: false }) as tf.Tensor).dataSync(), 1e-5, 'inference output');
      // training: output, then the moving statistics both layers updated
      const { y, ctx } = ours.forward([x], true);
      expectClose(y.data, back(theirs.apply(xt, { training: true }) as tf.Tensor).dataSync(), 1e-5, 'training output');
      const tw = theirs.getWeights();
      ours.getWeights().forEach((w, k) => expectClose(w.data, tw[k].dataSync(), 1e-5, `weight ${ours.weights[k].name} after one training call`));
      // gradients of Σ y·r in training mode
      const r = randn(c.x, 9);
      const rt = into(toTf(r));
      const loss = (inp: tf.Tensor): tf.Scalar => tf.sum(tf.mul(theirs.apply(inp, { training: true }) as tf.Tensor, rt)) as tf.Scalar;
      const dxTf = back(tf.grad(loss)(xt));
      const vars = theirs.trainableWeights.map((w) => (w as unknown as { val: tf.Variable }).val);
      const { grads } = tf.variableGrads(() => loss(xt), vars);
      ours.weights.forEach((w) => w.grad.fill(0));
      const [dx] = ours.backward(ctx, r);
      expectClose(dx.data, dxTf.dataSync(), 1e-4, 'dx');
      expectClose(ours.weights[0].grad, grads[vars[0].name].dataSync(), 1e-4, 'dgamma');
      expectClose(ours.weights[1].grad, grads[vars[1].name].dataSync(), 1e-4, 'dbeta');
    });
  }

  for (const axis of [-1, [-2, -1]] as const) {
    test(`layerNormalization x=[3,4,5] axis=${JSON.stringify(axis)}: outputs and gradients`, () => {
      const ours = layers.layerNormalization({ axis: axis as number | number[], gammaInitializer: { name: 'randomNormal', mean: 1, stddev: 0.5 }, betaInitializer: { name: 'randomNormal', stddev: 0.5 }, seed: 6 });
      const theirs = tfl.layers.layerNormalization({ axis: axis as number | number[] });
      const x = randn([3, 4, 5], 11, 2), xt = toTf(x);
      const { y, ctx } = ours.forward([x], false);
      theirs.apply(xt);
      theirs.setWeights(ours.getWeights().map(toTf));
      expectClose(y.data, (theirs.apply(xt) as tf.Tensor).dataSync(), 1e-5, 'output');
      const r = randn([3, 4, 5], 12);
      const loss = (inp: tf.Tensor): tf.Scalar => tf.sum(tf.mul(theirs.apply(inp) as tf.Tensor, toTf(r))) as tf.Scalar;
      const dxTf = tf.grad(loss)(xt);
      const vars = theirs.trainableWeights.map((w) => (w as unknown as { val: tf.Variable }).val);
      const { grads } = tf.variableGrads(() => loss(xt), vars);
      ours.weights.forEach((w) => w.grad.fill(0));
      const [dx] = ours.backward(ctx, r);
      expectClose(dx.data, dxTf.dataSync(), 1e-4, 'dx');
      ours.weights.forEach((w, k) => expectClose(w.grad, grads[vars[k].name].dataSync(), 1e-4, `d${w.name}`));
    });
  }

  test('model: dense → batchNormalization (gamma l2, beta l1) → layerNormalization (gamma l1) → dense: penalties, gradients, then 3 SGD fit steps incl. moving statistics', async () => {
    const build = () => {
      const ours = sequential([
        layers.dense({ units: 5, activation: 'relu', inputShape: [3], seed: 41 }),
        layers.batchNormalization({ momentum: 0.7, gammaRegularizer: regularizers.l2({ l2: 0.05 }), betaRegularizer: regularizers.l1({ l1: 0.03 }) }),
        layers.layerNormalization({ gammaRegularizer: regularizers.l1({ l1: 0.02 }) }),
        layers.dense({ units: 2, seed: 42 }),
      ]);
      const theirs = tfl.sequential({ layers: [
        tfl.layers.dense({ units: 5, activation: 'relu', inputShape: [3] }),
        tfl.layers.batchNormalization({ momentum: 0.7, gammaRegularizer: tfl.regularizers.l2({ l2: 0.05 }), betaRegularizer: tfl.regularizers.l1({ l1: 0.03 }) }),
        tfl.layers.layerNormalization({ gammaRegularizer: tfl.regularizers.l1({ l1: 0.02 }) }),
        tfl.layers.dense({ units: 2 }),
      ] });
      randomBnWeights(ours.layers[1], 50);
      ours.layers.forEach((l, i) => theirs.layers[i].setWeights(l.getWeights().map(toTf)));
      return { ours, theirs };
    };
    const x = randn([8, 3], 43), y = randn([8, 2], 44);
    const xt = toTf(x), yt = toTf(y);
    const { ours, theirs } = build();
    ours.compile({ optimizer: optimizers.sgd({ learningRate: 0.1 }), loss: 'meanSquaredError' });
    // penalties
    const bd = ours.lossBreakdown(x, y);
    const tfTerms = theirs.layers.flatMap((l) => l.calculateLosses().map((s) => s.dataSync()[0]));
    expect(bd.penalties.map((p) => p.target)).toEqual(['gamma', 'beta', 'gamma']);
    expectClose(bd.penalties.map((p) => p.value), tfTerms, 1e-5, 'penalties');
    // gradients of the total loss, inference mode (as model.gradients)
    const vars = theirs.layers.flatMap((l) => l.trainableWeights.map((w) => (w as unknown as { val: tf.Variable }).val));
    const { grads } = tf.variableGrads(() => tf.addN([
      tf.mean(tf.square(tf.sub(theirs.apply(xt, { training: false }) as tf.Tensor, yt))) as tf.Scalar,
      ...theirs.layers.flatMap((l) => l.calculateLosses()),
    ]) as tf.Scalar, vars);
    const ridge = ours.gradients(x, y);
    const trainable = ours.layers.flatMap((l) => l.weights).map((w, k) => ({ w, k })).filter((e) => e.w.trainable);
    expect(trainable).toHaveLength(vars.length);
    trainable.forEach((e, i) => expectClose(ridge.grads[e.k].data, grads[vars[i].name].dataSync(), 1e-4, `gradient of ${e.w.name}`));
    // fit: 3 full-batch SGD steps, training mode (batch statistics, moving statistics updated)
    theirs.compile({ optimizer: tf.train.sgd(0.1), loss: 'meanSquaredError' });
    const ho = await ours.fit(x, y, { epochs: 3, batchSize: 8, shuffle: false, verbose: 0 });
    const ht = await theirs.fit(xt, yt, { epochs: 3, batchSize: 8, shuffle: false, verbose: 0 });
    ours.layers.forEach((l, i) => {
      const tw = theirs.layers[i].getWeights();
      l.getWeights().forEach((w, k) => expectClose(w.data, tw[k].dataSync(), 1e-4, `${l.name}/${l.weights[k].name} after 3 steps`));
    });
    expectClose(ho.history.loss, ht.history.loss as number[], 1e-4, 'training loss per epoch');
    // inference after training: the moving statistics both sides learned
    expectClose(ours.predict(x).data, (theirs.predict(xt) as tf.Tensor).dataSync(), 1e-4, 'predict after fit');
  });
});

describe('config, registry, errors', () => {
  test('defaults are Keras 3 / TensorFlow.js: momentum 0.99, epsilon 1e-3, center, scale, gamma ones, moving variance ones, axis -1', () => {
    expect(layers.batchNormalization().getConfig()).toMatchObject({ axis: -1, momentum: 0.99, epsilon: 1e-3, center: true, scale: true,
      gammaInitializer: { className: 'Ones' }, betaInitializer: { className: 'Zeros' }, movingMeanInitializer: { className: 'Zeros' }, movingVarianceInitializer: { className: 'Ones' } });
    expect(layers.layerNormalization().getConfig()).toMatchObject({ axis: -1, epsilon: 1e-3, center: true, scale: true });
    const tb = tfl.layers.batchNormalization({}).getConfig();
    expect([tb.momentum, tb.epsilon, tb.axis]).toEqual([0.99, 1e-3, -1]);
  });

  test('getConfig lists every option and the registry rebuilds an equal layer', () => {
    const { layerClassFromName } = layers;
    const bn = layers.batchNormalization({ axis: 1, momentum: 0.9, epsilon: 1e-4, center: false, gammaRegularizer: 'l2', gammaConstraint: 'nonNeg', movingVarianceInitializer: 'ones', name: 'bn_cfg' });
    const cfg = bn.getConfig();
    expect(Object.keys(cfg).sort()).toEqual(['axis', 'betaConstraint', 'betaInitializer', 'betaRegularizer', 'center', 'epsilon', 'gammaConstraint', 'gammaInitializer',
      'gammaRegularizer', 'momentum', 'movingMeanInitializer', 'movingVarianceInitializer', 'name', 'scale', 'trainable']);
    expect(cfg).toMatchObject({ axis: 1, momentum: 0.9, epsilon: 1e-4, center: false, scale: true, gammaRegularizer: { className: 'L2', config: { l2: 0.01 } }, gammaConstraint: { className: 'NonNeg' } });
    expect(bn.className).toBe('BatchNormalization');
    const ln = layers.layerNormalization({ axis: [-2, -1], epsilon: 1e-5, betaRegularizer: 'l1', name: 'ln_cfg' });
    expect(ln.getConfig()).toMatchObject({ axis: [-2, -1], epsilon: 1e-5, center: true, scale: true, betaRegularizer: { className: 'L1' } });
    const revive = (c: Record<string, unknown>) => ({ ...c, name: `${c.name}_copy`,
      gammaRegularizer: c.gammaRegularizer ? regularizers.l2({ l2: 0.01 }) : null, betaRegularizer: c.betaRegularizer ? regularizers.l1({ l1: 0.01 }) : null,
      gammaConstraint: c.gammaConstraint ? constraints.nonNeg() : null,
      betaInitializer: 'zeros', gammaInitializer: 'ones', movingMeanInitializer: 'zeros', movingVarianceInitializer: 'ones' });
    const { movingMeanInitializer: _a, movingVarianceInitializer: _b, momentum: _m, axis: _x, ...lnRest } = revive(ln.getConfig()) as Record<string, unknown>;
    const bn2 = layerClassFromName('BatchNormalization')!(revive(cfg));
    const ln2 = layerClassFromName('LayerNormalization')!({ ...lnRest, axis: [-2, -1] });
    expect({ ...bn2.getConfig(), name: 'x' }).toEqual({ ...cfg, name: 'x' });
    expect({ ...ln2.getConfig(), name: 'x' }).toEqual({ ...ln.getConfig(), name: 'x' });
  });

  test('throws on bad options, naming the layer and the argument', () => {
    expect(() => layers.batchNormalization({ momentum: 1.5 })).toThrow(ConfigError);
    expect(() => layers.batchNormalization({ momentum: 1.5 })).toThrow(/batch_normalization_\d+: momentum must be a finite number in \[0, 1\], got 1.5/);
    expect(() => layers.batchNormalization({ epsilon: 0 })).toThrow(/epsilon must be a finite number in \(0, ∞\], got 0/);
    expect(() => layers.batchNormalization({ axis: 1.5 })).toThrow(/axis must be an integer/);
    expect(() => layers.batchNormalization({ center: 'yes' as never })).toThrow(/center must be true or false/);
    expect(() => layers.batchNormalization({ gammaRegulariser: 'l2' } as never)).toThrow(/unknown option "gammaRegulariser"/);
    expect(() => layers.batchNormalization({ betaRegularizer: 'l3' as never })).toThrow(/betaRegularizer must be/);
    expect(() => layers.layerNormalization({ axis: [] })).toThrow(/axis must be an integer or a non-empty array/);
    expect(() => layers.layerNormalization({ epsilon: -1 })).toThrow(ConfigError);
  });

  test('throws on axes that do not fit the input, and on a changed input shape', () => {
    expect(() => sequential([layers.batchNormalization({ axis: 3, inputShape: [4, 2] })])).toThrow(ShapeError);
    expect(() => sequential([layers.batchNormalization({ axis: 3, inputShape: [4, 2] })])).toThrow(/axis 3 is out of range for an input of shape \[batch,4,2\]/);
    expect(() => sequential([layers.batchNormalization({ axis: 0, inputShape: [4] })])).toThrow(/axis 0 is the batch/);
    expect(() => sequential([layers.layerNormalization({ axis: [1, 3], inputShape: [2, 3, 4] })])).toThrow(/axis must be adjacent axes/);
    const bn = layers.batchNormalization();
    bn.forward([randn([2, 3], 1)], true);
    expect(() => bn.forward([randn([2, 4], 1)], true)).toThrow(/layer was built for feature shape \[3\], got \[4\]/);
    const before = bn.getWeights();
    expect(() => bn.forward([randn([2, 4], 1)], true)).toThrow(ShapeError);
    bn.getWeights().forEach((w, k) => expect(Array.from(w.data)).toEqual(Array.from(before[k].data))); // nothing half-changed
  });
});
