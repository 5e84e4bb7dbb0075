/**
 * Optimizers (lib/training/optimizers.ts) against hand-computed Keras 3 updates: a few steps each,
 * expected numbers written as the update rule's arithmetic. Weights are float32, so each step's
 * expected value is rounded with Math.fround like the stored weight.
 */
import { ConfigError, layers, optimizers, sequential, tensor, Random, Tensor } from '../lib/index';
import type { LayerWeight } from '../lib/layers/layer';

const f = Math.fround;

function weight(values: number[], trainable = true): LayerWeight {
  return { name: 'kernel', target: 'kernel', value: tensor(values), grad: new Float32Array(values.length), regularizer: null, constraint: null, trainable };
}

/** Runs the optimizer on one scalar weight w0 with the given gradient sequence; returns w after each step. */
function run(opt: optimizers.Optimizer, w0: number, grads: number[]): number[] {
  const w = weight([w0]);
  return grads.map((g) => {
    w.grad[0] = g;
    opt.applyGradients([w]);
    return w.value.data[0];
  });
}

const G = [0.5, -0.2, 0.1];

describe('sgd', () => {
  test('plain: w ← w − lr·g, lr 0.1', () => {
    let w = 1;
    const expected = G.map((g) => (w = f(w - 0.1 * g)));
    expect(run(optimizers.sgd({ learningRate: 0.1 }), 1, G)).toEqual(expected);
  });
  test('defaults: lr 0.01', () => {
    expect(run(optimizers.sgd(), 2, [1])[0]).toBeCloseTo(2 - 0.01 * 1, 7);
  });
  test('momentum 0.9: m ← 0.9·m − 0.1·g; w ← w + m', () => {
    let w = 1, m = 0;
    const expected = G.map((g) => { m = f(0.9 * m - 0.1 * g); return (w = f(w + m)); });
    run(optimizers.sgd({ learningRate: 0.1, momentum: 0.9 }), 1, G).forEach((v, i) => expect(v).toBeCloseTo(expected[i], 6));
  });
  test('nesterov: m ← 0.9·m − 0.1·g; w ← w + 0.9·m − 0.1·g', () => {
    let w = 1, m = 0;
    const expected = G.map((g) => { m = f(0.9 * m - 0.1 * g); return (w = f(w + 0.9 * m - 0.1 * g)); });
    run(optimizers.sgd({ learningRate: 0.1, momentum: 0.9, nesterov: true }), 1, G).forEach((v, i) => expect(v).toBeCloseTo(expected[i], 6));
  });
});

describe('adam', () => {
  test('lr 0.01, β1 0.9, β2 0.999, ε 1e-7: m, v, α = lr·√(1−β2^t)/(1−β1^t), w ← w − α·m/(√v + ε)', () => {
    let w = 1, m = 0, v = 0;
    const expected = G.map((g, i) => {
      const t = i + 1;
      m = m + (g - m) * (1 - 0.9);
      v = v + (g * g - v) * (1 - 0.999);
      const alpha = (0.01 * Math.sqrt(1 - 0.999 ** t)) / (1 - 0.9 ** t);
      return (w = f(w - (alpha * m) / (Math.sqrt(v) + 1e-7)));
    });
    run(optimizers.adam({ learningRate: 0.01 }), 1, G).forEach((x, i) => expect(x).toBeCloseTo(expected[i], 6));
  });
  test('first step moves every weight by ≈ lr·sign(g) (bias correction)', () => {
    const w = weight([1, -1, 3]);
    w.grad.set([0.001, -50, 2]);
    const opt = optimizers.adam({ learningRate: 0.01 });
    opt.applyGradients([w]);
    expect(Array.from(w.value.data).map((x, i) => [1, -1, 3][i] - x)).toEqual([expect.closeTo(0.01, 4), expect.closeTo(-0.01, 4), expect.closeTo(0.01, 4)]);
    expect(opt.iterations).toBe(1);
  });
  test('custom β1 0.5, β2 0.9, ε 0.1', () => {
    let w = 2, m = 0, v = 0;
    const expected = G.map((g, i) => {
      const t = i + 1;
      m = m + (g - m) * 0.5;
      v = v + (g * g - v) * 0.1;
      const alpha = (0.1 * Math.sqrt(1 - 0.9 ** t)) / (1 - 0.5 ** t);
      return (w = f(w - (alpha * m) / (Math.sqrt(v) + 0.1)));
    });
    run(optimizers.adam({ learningRate: 0.1, beta1: 0.5, beta2: 0.9, epsilon: 0.1 }), 2, G).forEach((x, i) => expect(x).toBeCloseTo(expected[i], 6));
  });
});

describe('adamw', () => {
  test('weight decay 0.1 applied before the Adam step: w ← w − lr·wd·w, then Adam', () => {
    let w = 1, m = 0, v = 0;
    const expected = G.map((g, i) => {
      const t = i + 1;
      w = w - 0.01 * 0.1 * w;
      m = m + (g - m) * 0.1;
      v = v + (g * g - v) * 0.001;
      const alpha = (0.01 * Math.sqrt(1 - 0.999 ** t)) / (1 - 0.9 ** t);
      return (w = f(w - (alpha * m) / (Math.sqrt(v) + 1e-7)));
    });
    run(optimizers.adamw({ learningRate: 0.01, weightDecay: 0.1 }), 1, G).forEach((x, i) => expect(x).toBeCloseTo(expected[i], 6));
  });
  test('default weightDecay 0.004 with a zero gradient shrinks w by lr·wd: 5 · (1 − 0.001 · 0.004)', () => {
    expect(run(optimizers.adamw(), 5, [0])[0]).toBeCloseTo(5 * (1 - 0.001 * 0.004), 6);
    expect(optimizers.adamw().getConfig()).toEqual({ learningRate: 0.001, beta1: 0.9, beta2: 0.999, epsilon: 1e-7, weightDecay: 0.004 });
  });
});

describe('rmsprop', () => {
  test('lr 0.01, ρ 0.9: v ← 0.9·v + 0.1·g²; w ← w − lr·g/√(v + ε) (ε inside the root, Keras 3)', () => {
    let w = 1, v = 0;
    const expected = G.map((g) => { v = 0.9 * v + 0.1 * g * g; return (w = f(w - (0.01 * g) / Math.sqrt(v + 1e-7))); });
    run(optimizers.rmsprop({ learningRate: 0.01 }), 1, G).forEach((x, i) => expect(x).toBeCloseTo(expected[i], 6));
  });
  test('ε inside the root is visible with ε = 1: first step lr·g/√(0.1·g² + 1)', () => {
    const g = 2;
    expect(run(optimizers.rmsprop({ learningRate: 0.5, epsilon: 1 }), 0, [g])[0]).toBeCloseTo(-(0.5 * g) / Math.sqrt(0.1 * g * g + 1), 6);
  });
  test('momentum 0.5: m ← 0.5·m + lr·g/√(v + ε); w ← w − m', () => {
    let w = 1, v = 0, m = 0;
    const expected = G.map((g) => {
      v = 0.9 * v + 0.1 * g * g;
      m = 0.5 * m + (0.01 * g) / Math.sqrt(v + 1e-7);
      return (w = f(w - m));
    });
    run(optimizers.rmsprop({ learningRate: 0.01, momentum: 0.5 }), 1, G).forEach((x, i) => expect(x).toBeCloseTo(expected[i], 6));
  });
});

describe('state and bookkeeping', () => {
  test('state is kept per weight: two weights with different gradients follow their own momentum', () => {
    const a = weight([0]), b = weight([0]);
    const opt = optimizers.sgd({ learningRate: 1, momentum: 0.5 });
    a.grad[0] = 1; b.grad[0] = -2;
    opt.applyGradients([a, b]);
    opt.applyGradients([a, b]);
    expect([a.value.data[0], b.value.data[0]]).toEqual([-1 + (-0.5 - 1), 2 + (1 + 2)]);
  });
  test('non-trainable weights are not updated', () => {
    const w = weight([1], false);
    w.grad[0] = 1;
    optimizers.adam().applyGradients([w]);
    expect(w.value.data[0]).toBe(1);
  });
  test('state persists across fit() calls: fit 1 epoch + fit 1 epoch = fit 2 epochs (Adam)', async () => {
    const make = () => {
      const m = sequential([layers.dense({ units: 3, inputShape: [2], activation: 'tanh', seed: 4 }), layers.dense({ units: 1, seed: 5 })]);
      m.compile({ optimizer: optimizers.adam({ learningRate: 0.05 }), loss: 'meanSquaredError' });
      return m;
    };
    const r = new Random(1);
    const x = new Tensor(Float32Array.from({ length: 16 }, () => r.normal()), [8, 2]);
    const y = new Tensor(Float32Array.from({ length: 8 }, () => r.normal()), [8, 1]);
    const twice = make(), once = make(), fresh = make();
    const opts = { batchSize: 4, shuffle: false, verbose: 0 as const };
    await twice.fit(x, y, opts);
    await twice.fit(x, y, opts);
    await once.fit(x, y, { ...opts, epochs: 2 });
    expect(twice.optimizer!.iterations).toBe(4);
    twice.getWeights().forEach((w, i) => expect(Array.from(w.data)).toEqual(Array.from(once.getWeights()[i].data)));
    // A fresh optimizer (recompile) restarts the moments: the second fit differs.
    await fresh.fit(x, y, opts);
    fresh.compile({ optimizer: optimizers.adam({ learningRate: 0.05 }), loss: 'meanSquaredError' });
    await fresh.fit(x, y, opts);
    expect(Array.from(fresh.getWeights()[0].data)).not.toEqual(Array.from(once.getWeights()[0].data));
  });
  test('strings give Keras defaults', () => {
    expect(optimizers.get('sgd').getConfig()).toEqual({ learningRate: 0.01, momentum: 0, nesterov: false });
    expect(optimizers.get('adam').getConfig()).toEqual({ learningRate: 0.001, beta1: 0.9, beta2: 0.999, epsilon: 1e-7 });
    expect(optimizers.get('rmsprop').getConfig()).toEqual({ learningRate: 0.001, rho: 0.9, momentum: 0, epsilon: 1e-7 });
    expect(optimizers.get('adamw').className).toBe('AdamW');
  });
});

describe('bad hyper-parameters', () => {
  test.each([
    ['sgd learningRate -1', () => optimizers.sgd({ learningRate: -1 }), /optimizers.sgd: learningRate must be a finite number in \[0, ∞\], got -1/],
    ['sgd momentum 1.5', () => optimizers.sgd({ momentum: 1.5 }), /optimizers.sgd: momentum must be a finite number in \[0, 1\], got 1.5/],
    ['sgd nesterov "yes"', () => optimizers.sgd({ nesterov: 'yes' as unknown as boolean }), /nesterov must be a boolean/],
    ['adam beta1 1', () => optimizers.adam({ beta1: 1 }), /optimizers.adam: beta1 must be a finite number in \[0, 1\)/],
    ['adam epsilon NaN', () => optimizers.adam({ epsilon: NaN }), /epsilon must be a finite number/],
    ['adamw weightDecay -0.1', () => optimizers.adamw({ weightDecay: -0.1 }), /weightDecay must be/],
    ['rmsprop rho 1', () => optimizers.rmsprop({ rho: 1 }), /rho must be a finite number in \[0, 1\)/],
    ['adam unknown option lr', () => optimizers.adam({ lr: 0.1 } as unknown as optimizers.AdamOptions), /unknown option "lr"/],
    ['unknown name', () => optimizers.get('adagrad'), /optimizer must be 'sgd', 'adam', 'adamw', 'rmsprop'/],
  ])('throws when %s', (_n, make, re) => {
    expect(make).toThrow(ConfigError);
    expect(make).toThrow(re);
  });
});
