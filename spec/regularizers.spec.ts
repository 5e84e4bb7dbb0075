/**
 * Regularizers (lib/regularizers.ts): the Keras formulas with numbers written as their definition,
 * sign(0) = 0, finite-difference gradients (|x| away from 0 for L1), the string shortcuts, a user's
 * own regularizer, coefficient errors, Keras-style getConfig, TensorFlow.js penalty parity, and the
 * Keras documentation's worked example through a Dense layer and the penalty hook.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import { getRegularizer, l1, l1l2, l2, Regularizer } from '../lib/regularizers';
import { ConfigError } from '../lib/errors';
import { Tensor, tensor, fill } from '../lib/tensor';
import * as layers from '../lib/layers/index';
import { activityPenalty, weightPenalties } from '../lib/training/penalties';
import { randn } from './helpers/layer-check';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const x = tensor([1, -2, 3, -4]);

describe('formulas (Keras)', () => {
  test('l1 default 0.01: 0.01 · Σ|x|', () => {
    expect(l1().penalty(x)).toBeCloseTo(0.01 * (1 + 2 + 3 + 4), 7);
  });
  test('l1 { l1: 0.5 }: gradient 0.5 · sign(x), sign(0) = 0', () => {
    expect(l1({ l1: 0.5 }).penalty(tensor([0, 1, -2]))).toBeCloseTo(0.5 * (0 + 1 + 2), 7);
    // -0 is a zero too: compare values (== treats -0 and 0 as equal), not Object.is.
    const g = Array.from(l1({ l1: 0.5 }).gradient(tensor([0, 1, -2, -0])).data);
    [0, 0.5, -0.5, 0].forEach((want, i) => expect(g[i] === want).toBe(true));
  });
  test('l2 default 0.01: 0.01 · Σx² (no ½), gradient 2 · 0.01 · x', () => {
    expect(l2().penalty(x)).toBeCloseTo(0.01 * (1 + 4 + 9 + 16), 7);
    const g = l2().gradient(x).data;
    [1, -2, 3, -4].forEach((v, i) => expect(g[i]).toBeCloseTo(2 * 0.01 * v, 7));
  });
  test('l1l2 { l1: 0.1, l2: 0.2 }: 0.1 · Σ|x| + 0.2 · Σx², gradient 0.1 · sign(x) + 2 · 0.2 · x', () => {
    const r = l1l2({ l1: 0.1, l2: 0.2 });
    expect(r.penalty(x)).toBeCloseTo(0.1 * (1 + 2 + 3 + 4) + 0.2 * (1 + 4 + 9 + 16), 6);
    const g = r.gradient(x).data;
    [1, -2, 3, -4].forEach((v, i) => expect(g[i]).toBeCloseTo(0.1 * Math.sign(v) + 2 * 0.2 * v, 6));
  });
  test('l1l2 defaults are 0.01 and 0.01 (tf.keras, TensorFlow.js)', () => {
    expect(l1l2().penalty(x)).toBeCloseTo(0.01 * (1 + 2 + 3 + 4) + 0.01 * (1 + 4 + 9 + 16), 7);
  });
  test('l2 { l2: 0 } and l1 { l1: 0 } are allowed and give 0', () => {
    expect(l2({ l2: 0 }).penalty(x)).toBe(0);
    expect(l1({ l1: 0 }).penalty(x)).toBe(0);
  });
  test('the gradient keeps the shape of x [2,3]', () => {
    expect(l1l2().gradient(randn([2, 3], 1)).shape).toEqual([2, 3]);
  });
});

describe('finite-difference gradients', () => {
  // L1 has a kink at 0: sample |x| >= 0.1 so x ± eps never crosses it.
  const w = new Tensor(randn([4, 5], 3).data.map((v) => (v >= 0 ? 0.1 + v : -0.1 + v)), [4, 5]);
  const cases: [string, Regularizer][] = [
    ['l1 0.3', l1({ l1: 0.3 })], ['l2 0.7', l2({ l2: 0.7 })], ['l1l2 0.2/0.05', l1l2({ l1: 0.2, l2: 0.05 })],
  ];
  for (const [name, reg] of cases) {
    test(`${name} on w=[4,5], |w| >= 0.1, eps=1e-3`, () => {
      const g = reg.gradient(w).data;
      const eps = 1e-3;
      for (let i = 0; i < w.size; i++) {
        const v = w.data[i];
        w.data[i] = v + eps; const p = reg.penalty(w);
        w.data[i] = v - eps; const m = reg.penalty(w);
        w.data[i] = v;
        const numeric = (p - m) / (2 * eps);
        expect(Math.abs(g[i] - numeric)).toBeLessThan(1e-3 * Math.max(1, Math.abs(numeric)));
      }
    });
  }
});

describe('TensorFlow.js parity (penalty values)', () => {
  test('l1, l2, l1l2 match tfjs-layers regularizers on the same tensor', () => {
    const v = randn([3, 7], 5);
    const t = tf.tensor(v.data, [3, 7]);
    const pairs: [Regularizer, ReturnType<typeof tfl.regularizers.l1>][] = [
      [l1({ l1: 0.3 }), tfl.regularizers.l1({ l1: 0.3 })],
      [l2({ l2: 0.2 }), tfl.regularizers.l2({ l2: 0.2 })],
      [l1l2({ l1: 0.01, l2: 0.02 }), tfl.regularizers.l1l2({ l1: 0.01, l2: 0.02 })],
    ];
    for (const [ours, theirs] of pairs) {
      const want = (theirs.apply(t) as tf.Tensor).dataSync()[0];
      expect(Math.abs(ours.penalty(v) - want)).toBeLessThan(1e-5 * Math.max(1, Math.abs(want)));
    }
  });
});

describe('the Keras documentation example, through Dense and the penalty hook', () => {
  // layer = Dense(5, kernel_initializer='ones', kernel_regularizer=L1(0.01), activity_regularizer=L2(0.01))
  // tensor = ones((5, 5)) * 2.0; out = layer(tensor)
  // "The kernel regularization term is 0.25; the activity regularization term (after dividing by
  //  the batch size) is 5"; sum(layer.losses) = 5.25.
  test('kernel 0.01 · 25 = 0.25, activity 0.01 · 25 · (2 · 5)² / 5 = 5, total 5.25', () => {
    const layer = layers.dense({ units: 5, kernelInitializer: 'ones', kernelRegularizer: l1({ l1: 0.01 }), activityRegularizer: l2({ l2: 0.01 }) });
    const input = fill([5, 5], 2);
    const { y } = layer.forward([input], false);
    expect(Array.from(y.data)).toEqual(new Array(25).fill(2 * 5));
    const kernel = weightPenalties([layer]);
    const activity = activityPenalty(layer, y);
    expect(kernel).toBeCloseTo(0.01 * 25, 6);
    expect(activity).toBeCloseTo((0.01 * 25 * (2 * 5) ** 2) / 5, 5);
    expect(kernel + activity).toBeCloseTo(5.25, 5);
  });
});

describe('layer options', () => {
  test("string shortcuts 'l1', 'l2', 'l1l2', 'l1_l2' give the default coefficients", () => {
    expect(getRegularizer('d', 'kernelRegularizer', 'l1')!.getConfig()).toEqual({ className: 'L1', config: { l1: 0.01 } });
    expect(getRegularizer('d', 'kernelRegularizer', 'l2')!.getConfig()).toEqual({ className: 'L2', config: { l2: 0.01 } });
    expect(getRegularizer('d', 'kernelRegularizer', 'l1l2')!.getConfig()).toEqual({ className: 'L1L2', config: { l1: 0.01, l2: 0.01 } });
    expect(getRegularizer('d', 'kernelRegularizer', 'l1_l2')!.getConfig()).toEqual({ className: 'L1L2', config: { l1: 0.01, l2: 0.01 } });
    expect(getRegularizer('d', 'kernelRegularizer', undefined)).toBeNull();
    expect(getRegularizer('d', 'kernelRegularizer', null)).toBeNull();
  });

  test("a user's own regularizer object is accepted as is and used by the layer", () => {
    const maxNorm: Regularizer = {
      penalty: (t) => 3 * Math.max(...Array.from(t.data, Math.abs)),
      gradient: (t) => new Tensor(new Float32Array(t.size), t.shape),
      getConfig: () => ({ className: 'MaxAbs', config: { scale: 3 } }),
    };
    expect(getRegularizer('d', 'kernelRegularizer', maxNorm)).toBe(maxNorm);
    const layer = layers.dense({ units: 2, kernelRegularizer: maxNorm, kernelInitializer: 'ones' });
    layer.build([[3]]);
    expect(weightPenalties([layer])).toBe(3 * 1);
    expect(layer.getConfig().kernelRegularizer).toEqual({ className: 'MaxAbs', config: { scale: 3 } });
  });

  test('throws when a shortcut is unknown or the object has no penalty/gradient', () => {
    expect(() => getRegularizer('dense_3', 'biasRegularizer', 'l3')).toThrow(ConfigError);
    expect(() => getRegularizer('dense_3', 'biasRegularizer', 'l3')).toThrow(/dense_3: biasRegularizer must be 'l1', 'l2', 'l1l2' or an object with penalty\(x\) and gradient\(x\), got "l3"/);
    expect(() => getRegularizer('dense_3', 'kernelRegularizer', { penalty: () => 0 })).toThrow(/kernelRegularizer must be/);
    expect(() => getRegularizer('dense_3', 'kernelRegularizer', 0.01)).toThrow(/got 0.01/);
  });

  test('throws when a coefficient is negative or not finite', () => {
    expect(() => l1({ l1: -0.1 })).toThrow(/regularizers.l1: l1 must be a finite number >= 0, got -0.1/);
    expect(() => l2({ l2: NaN })).toThrow(/regularizers.l2: l2 must be a finite number >= 0, got NaN/);
    expect(() => l1l2({ l1: 0.1, l2: Infinity })).toThrow(/regularizers.l1l2: l2 must be a finite number >= 0, got Infinity/);
    expect(() => l2({ l2: '0.1' as never })).toThrow(ConfigError);
  });

  test('Infinity flows through as IEEE arithmetic: l1([∞]) = ∞ with gradient 0.01 (no 0·∞ from the absent l2 term)', () => {
    expect(l1().penalty(tensor([Infinity, 1]))).toBe(Infinity);
    expect(Array.from(l1().gradient(tensor([Infinity, -Infinity])).data)).toEqual([Math.fround(0.01), Math.fround(-0.01)]);
    expect(l2().penalty(tensor([-Infinity]))).toBe(Infinity);
    expect(l1l2().penalty(tensor([Infinity]))).toBe(Infinity);
  });

  test('options may be omitted or null: l1(null) is l1()', () => {
    expect(l1(null).getConfig()).toEqual({ className: 'L1', config: { l1: 0.01 } });
    expect(l1l2(null).getConfig()).toEqual({ className: 'L1L2', config: { l1: 0.01, l2: 0.01 } });
  });

  test('NaN in the weights flows through the penalty (never silently replaced)', () => {
    expect(l2().penalty(tensor([1, NaN]))).toBeNaN();
    expect(Number.isNaN(l1().gradient(tensor([NaN])).data[0])).toBe(true);
  });
});
