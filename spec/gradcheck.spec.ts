/**
 * gradCheck (lib/training/gradcheck.ts) over every layer type × every regularizer hook × every
 * regularizer kind × activations: model.gradients() — backprop through the graph with the penalty
 * hook — against central finite differences of lossBreakdown().total.
 *
 * Weights are set away from 0 (|w| ∈ [0.15, 0.6], L1's kink) and inputs are random normals, so
 * ReLU pre-activations and max-pool windows are almost surely away from their kinks.
 */
import {
  Model, Random, Regularizer, Tensor, gradCheck, input, layers, model, regularizers, sequential, tensor,
} from '../lib/index';
import { Layer } from '../lib/layers/layer';

type Hook = 'kernel' | 'bias' | 'activity';
type Act = 'linear' | 'relu' | 'sigmoid' | 'tanh' | 'softmax';
const HOOKS: Hook[] = ['kernel', 'bias', 'activity'];
const ACTS: Act[] = ['linear', 'relu', 'sigmoid', 'tanh', 'softmax'];

/** A user's own regularizer: 0.05 · Σ x⁴, gradient 0.2 · x³ (smooth, so no kinks). */
const quartic = (): Regularizer => ({
  penalty: (x: Tensor) => 0.05 * Array.from(x.data).reduce((s, v) => s + v ** 4, 0),
  gradient: (x: Tensor) => new Tensor(x.data.map((v) => 0.2 * v ** 3), x.shape),
  getConfig: () => ({ className: 'Quartic', config: { c: 0.05 } }),
});

const REGS: Record<string, () => Regularizer> = {
  l1: () => regularizers.l1({ l1: 0.03 }),
  l2: () => regularizers.l2({ l2: 0.04 }),
  l1l2: () => regularizers.l1l2({ l1: 0.02, l2: 0.03 }),
  custom: quartic,
};

function regOption(hook: Hook, reg: Regularizer): Record<string, Regularizer> {
  return { [`${hook}Regularizer`]: reg };
}

/** Sets every weight to ±[0.15, 0.6] (seeded), away from L1's kink at 0. */
function spreadWeights(m: Model, seed: number): void {
  const rng = new Random(seed);
  m.setWeights(m.getWeights().map((w) => new Tensor(w.data.map(() => (rng.uniform() < 0.5 ? -1 : 1) * (0.15 + 0.45 * rng.uniform())), w.shape)));
}

function randn(shape: number[], seed: number, scale = 1): Tensor {
  const rng = new Random(seed);
  const n = shape.reduce((a, b) => a * b, 1);
  return new Tensor(Float32Array.from({ length: n }, () => scale * rng.normal()), shape);
}

function check(m: Model, x: Tensor | Tensor[], y: Tensor, tolerance = 1e-3) {
  const report = gradCheck(m, x, y, { tolerance, maxPerWeight: 12, seed: 3 });
  const worst = report.entries.reduce((a, b) => (b.relError > a.relError ? b : a), report.entries[0]);
  return { report, worst: `${worst.weight}[${worst.index}] analytic ${worst.analytic} numeric ${worst.numeric} rel ${worst.relError}` };
}

const WEIGHTED: Record<string, { inputShape: number[]; make: (o: object) => Layer }> = {
  dense: { inputShape: [3], make: (o) => layers.dense({ units: 3, ...o }) },
  conv1d: { inputShape: [5, 2], make: (o) => layers.conv1d({ filters: 2, kernelSize: 2, ...o }) },
  conv2d: { inputShape: [4, 4, 2], make: (o) => layers.conv2d({ filters: 2, kernelSize: 2, padding: 'same', ...o }) },
  conv3d: { inputShape: [3, 3, 3, 1], make: (o) => layers.conv3d({ filters: 2, kernelSize: 2, ...o }) },
};

describe('gradCheck: weighted layers × regularizer hook × regularizer kind × activation', () => {
  const cases: [string, Hook, string, Act][] = [];
  for (const l of Object.keys(WEIGHTED)) for (const h of HOOKS) for (const r of Object.keys(REGS)) for (const a of ACTS) cases.push([l, h, r, a]);
  test.each(cases)('%s hook=%s reg=%s act=%s, batch 3, MSE', (layerName, hook, regName, act) => {
    const spec = WEIGHTED[layerName];
    const reg = REGS[regName]();
    const m = sequential([
      spec.make({ inputShape: spec.inputShape, activation: act, ...regOption(hook, reg) }),
      layers.flatten(),
      layers.dense({ units: 2 }),
    ]);
    m.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
    spreadWeights(m, 11);
    const x = randn([3, ...spec.inputShape], 5);
    const y = randn([3, 2], 6);
    // The hook is live: its term is in the breakdown.
    const terms = m.lossBreakdown(x, y).penalties.filter((p) => p.target === hook);
    expect(terms).toHaveLength(1);
    expect(terms[0].value).toBeGreaterThan(0);
    const { report, worst } = check(m, x, y);
    expect({ ok: report.ok, worst }).toEqual({ ok: true, worst });
  });
});

describe('gradCheck: parameter-free layers between a fully regularized conv and the head', () => {
  const allHooks = { kernelRegularizer: regularizers.l2({ l2: 0.05 }), biasRegularizer: regularizers.l1({ l1: 0.05 }), activityRegularizer: regularizers.l1l2({ l1: 0.02, l2: 0.02 }) };
  const cases: [string, number[], () => Layer, () => Layer][] = [
    ['maxPooling1d', [6, 2], () => layers.conv1d({ filters: 2, kernelSize: 2, activation: 'tanh', ...allHooks }), () => layers.maxPooling1d({ poolSize: 2 })],
    ['averagePooling1d', [6, 2], () => layers.conv1d({ filters: 2, kernelSize: 2, activation: 'tanh', ...allHooks }), () => layers.averagePooling1d({ poolSize: 2 })],
    ['maxPooling2d', [5, 5, 1], () => layers.conv2d({ filters: 2, kernelSize: 2, activation: 'relu', ...allHooks }), () => layers.maxPooling2d({ poolSize: 2 })],
    ['averagePooling2d same', [5, 5, 1], () => layers.conv2d({ filters: 2, kernelSize: 2, activation: 'sigmoid', ...allHooks }), () => layers.averagePooling2d({ poolSize: 3, strides: 2, padding: 'same' })],
    ['maxPooling3d', [3, 3, 3, 1], () => layers.conv3d({ filters: 2, kernelSize: 2, ...allHooks }), () => layers.maxPooling3d({ poolSize: 2 })],
    ['averagePooling3d', [3, 3, 3, 1], () => layers.conv3d({ filters: 2, kernelSize: 2, ...allHooks }), () => layers.averagePooling3d({ poolSize: 2 })],
    ['globalAveragePooling2d', [4, 4, 1], () => layers.conv2d({ filters: 3, kernelSize: 2, activation: 'tanh', ...allHooks }), () => layers.globalAveragePooling2d()],
    ['globalMaxPooling2d', [4, 4, 1], () => layers.conv2d({ filters: 3, kernelSize: 2, activation: 'tanh', ...allHooks }), () => layers.globalMaxPooling2d()],
    ['flatten', [4, 3], () => layers.conv1d({ filters: 2, kernelSize: 3, padding: 'causal', activation: 'relu', ...allHooks }), () => layers.flatten()],
    ['reshape', [4], () => layers.dense({ units: 6, activation: 'tanh', ...allHooks }), () => layers.reshape({ targetShape: [3, 2] })],
    ['dropout (inference mode)', [4], () => layers.dense({ units: 5, activation: 'relu', ...allHooks }), () => layers.dropout({ rate: 0.5, seed: 1 })],
    ['activation softmax', [4], () => layers.dense({ units: 5, ...allHooks }), () => layers.activation({ activation: 'softmax' })],
  ];
  test.each(cases)('%s', (_name, inputShape, first, mid) => {
    const l0 = first();
    const m = sequential([l0, mid(), layers.flatten(), layers.dense({ units: 2, activation: 'tanh' })]);
    m.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
    m.predict(randn([1, ...inputShape], 1)); // deferred build from the data's shape
    spreadWeights(m, 13);
    const x = randn([4, ...inputShape], 7);
    const y = randn([4, 2], 8, 0.5);
    expect(m.lossBreakdown(x, y).penalties.map((p) => p.target)).toEqual(['kernel', 'bias', 'activity']);
    const { report, worst } = check(m, x, y);
    expect({ ok: report.ok, worst }).toEqual({ ok: true, worst });
  });
});

describe('gradCheck: merges, fan-out and weight sharing (functional graphs)', () => {
  test('add of two branches (fan-out of the first dense, gradients accumulate), all hooks', () => {
    const x = input({ shape: [3] });
    const h = layers.dense({ units: 4, activation: 'tanh', kernelRegularizer: 'l2', activityRegularizer: 'l1' }).apply(x);
    const a = layers.dense({ units: 2, activation: 'sigmoid', biasRegularizer: 'l1l2' }).apply(h);
    const b = layers.dense({ units: 2, activityRegularizer: quartic() }).apply(h);
    const m = model({ inputs: x, outputs: layers.add().apply([a, b]) });
    m.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
    spreadWeights(m, 2);
    const { report, worst } = check(m, randn([5, 3], 1), randn([5, 2], 2));
    expect({ ok: report.ok, worst }).toEqual({ ok: true, worst });
  });

  test('concatenate of a conv branch and the raw input (axis -1)', () => {
    const x = input({ shape: [6, 2] });
    const c = layers.conv1d({ filters: 3, kernelSize: 3, padding: 'same', activation: 'relu', kernelRegularizer: regularizers.l1({ l1: 0.05 }), activityRegularizer: 'l2' }).apply(x);
    const cat = layers.concatenate().apply([c, x]);
    const out = layers.dense({ units: 1, biasRegularizer: 'l2' }).apply(layers.flatten().apply(cat));
    const m = model({ inputs: x, outputs: out });
    m.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
    spreadWeights(m, 4);
    const { report, worst } = check(m, randn([3, 6, 2], 3), randn([3, 1], 4));
    expect({ ok: report.ok, worst }).toEqual({ ok: true, worst });
  });

  test('a layer applied twice (shared weights) with kernel and activity regularizers', () => {
    const x = input({ shape: [3] });
    const shared = layers.dense({ units: 3, activation: 'tanh', kernelRegularizer: 'l2', biasRegularizer: 'l1', activityRegularizer: 'l2' });
    const m = model({ inputs: x, outputs: layers.dense({ units: 1 }).apply(shared.apply(shared.apply(x))) });
    m.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
    spreadWeights(m, 5);
    const { report, worst } = check(m, randn([4, 3], 5), randn([4, 1], 6));
    expect({ ok: report.ok, worst }).toEqual({ ok: true, worst });
  });

  test('two inputs into a concatenate (multi-input model)', () => {
    const a = input({ shape: [2] });
    const b = input({ shape: [3] });
    const cat = layers.concatenate().apply([layers.dense({ units: 2, activation: 'tanh', kernelRegularizer: 'l1l2' }).apply(a), b]);
    const m = model({ inputs: [a, b], outputs: layers.dense({ units: 1, activityRegularizer: 'l2' }).apply(cat) });
    m.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
    spreadWeights(m, 6);
    const { report, worst } = check(m, [randn([3, 2], 7), randn([3, 3], 8)], randn([3, 1], 9));
    expect({ ok: report.ok, worst }).toEqual({ ok: true, worst });
  });
});

describe('gradCheck: activity regularizer divided by the batch size', () => {
  const build = () => {
    const m = sequential([
      layers.dense({ units: 3, activation: 'sigmoid', inputShape: [2], activityRegularizer: regularizers.l2({ l2: 0.5 }) }),
      layers.dense({ units: 1, activityRegularizer: regularizers.l1({ l1: 0.3 }) }),
    ]);
    m.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
    spreadWeights(m, 9);
    return m;
  };

  test.each([1, 2, 5])('batch %d: gradients match finite differences', (B) => {
    const m = build();
    const { report, worst } = check(m, randn([B, 2], 10 + B), randn([B, 1], 20 + B));
    expect({ ok: report.ok, worst }).toEqual({ ok: true, worst });
  });

  test('batch 1: activity term = 0.5 · Σ y² / 1, and batch 2 of the same sample twice gives the same loss and gradients (/B)', () => {
    const m = build();
    const x1 = tensor([[0.3, -0.8]]);
    const y1 = tensor([[0.2]]);
    const h = m.layers[0].forward([x1], false).y.data;
    const bd1 = m.lossBreakdown(x1, y1);
    expect(bd1.penalties[0].value).toBeCloseTo((0.5 * (h[0] ** 2 + h[1] ** 2 + h[2] ** 2)) / 1, 6);
    const x2 = tensor([[0.3, -0.8], [0.3, -0.8]]);
    const y2 = tensor([[0.2], [0.2]]);
    const bd2 = m.lossBreakdown(x2, y2);
    expect(bd2.penalties[0].value).toBeCloseTo((2 * 0.5 * (h[0] ** 2 + h[1] ** 2 + h[2] ** 2)) / 2, 6);
    expect(bd2.total).toBeCloseTo(bd1.total, 6);
    const g1 = m.gradients(x1, y1).grads, g2 = m.gradients(x2, y2).grads;
    g1.forEach((g, i) => g.data.forEach((v, j) => expect(g2[i].data[j]).toBeCloseTo(v, 5)));
  });
});

describe('gradCheck report', () => {
  test('a wrong analytic gradient is caught: a regularizer whose gradient lies', () => {
    const liar: Regularizer = {
      penalty: (x) => 0.1 * Array.from(x.data).reduce((s, v) => s + v * v, 0),
      gradient: (x) => new Tensor(x.data.map((v) => 0.1 * v), x.shape), // should be 0.2 · v
      getConfig: () => ({ className: 'Liar', config: {} }),
    };
    const m = sequential([layers.dense({ units: 2, inputShape: [2], kernelRegularizer: liar })]);
    m.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
    m.setWeights([tensor([[3, -4], [5, 6]]), tensor([0, 0])]);
    const r = gradCheck(m, tensor([[0.1, 0.2]]), tensor([[0, 0]]), { tolerance: 1e-3 });
    expect(r.ok).toBe(false);
    expect(r.maxRelError).toBeGreaterThan(0.05);
    expect(r.entries.map((e) => `${e.weight}[${e.index}]`)).toEqual(expect.arrayContaining([`${m.layers[0].name}/kernel[0]`]));
  });

  test('weights are restored exactly and maxPerWeight samples', () => {
    const m = sequential([layers.dense({ units: 4, inputShape: [5] })]);
    m.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
    const before = m.getWeights();
    const r = gradCheck(m, randn([2, 5], 1), randn([2, 4], 2), { maxPerWeight: 3 });
    expect(r.entries.filter((e) => e.weight.endsWith('/kernel'))).toHaveLength(3);
    expect(r.entries.filter((e) => e.weight.endsWith('/bias'))).toHaveLength(3);
    m.getWeights().forEach((w, i) => expect(Array.from(w.data)).toEqual(Array.from(before[i].data)));
  });

  test('throws when eps is not positive', () => {
    const m = sequential([layers.dense({ units: 1, inputShape: [1] })]);
    m.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
    expect(() => gradCheck(m, tensor([[1]]), tensor([[1]]), { eps: 0 })).toThrow(/gradCheck: eps must be/);
  });
});
