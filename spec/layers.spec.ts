/**
 * Layers: finite-difference gradients for inputs and weights (spec/helpers/layer-check.ts), shape
 * inference, errors naming the layer, weights in and out, seeded initialization, dropout statistics.
 */
import * as layers from '../lib/layers/index';
import { ConfigError, ShapeError } from '../lib/errors';
import { Tensor, tensor } from '../lib/tensor';
import { l1 } from '../lib/regularizers';
import { checkLayerGradients, randn } from './helpers/layer-check';

const ACTS = ['linear', 'relu', 'sigmoid', 'tanh', 'softmax'] as const;

function expectClose(got: ArrayLike<number>, want: ArrayLike<number>, tol = 1e-5, what = ''): void {
  expect(got.length).toBe(want.length);
  for (let i = 0; i < want.length; i++) {
    if (!(Math.abs(got[i] - want[i]) <= tol * Math.max(1, Math.abs(want[i])))) {
      throw new Error(`${what} index ${i}: got ${got[i]}, want ${want[i]}`);
    }
  }
}

/** Naive dense: y[r, u] = Σ_i x[r, i] · W[i, u] + b[u] (no activation). */
function denseReference(x: Tensor, w: Tensor, b: Tensor | null): Float64Array {
  const inDim = w.shape[0], units = w.shape[1], rows = x.size / inDim;
  const y = new Float64Array(rows * units);
  for (let r = 0; r < rows; r++)
    for (let u = 0; u < units; u++) {
      let s = b === null ? 0 : b.data[u];
      for (let i = 0; i < inDim; i++) s += x.data[r * inDim + i] * w.data[i * units + u];
      y[r * units + u] = s;
    }
  return y;
}

describe('dense', () => {
  for (const activation of ACTS) {
    for (const useBias of [true, false]) {
      test(`gradients x=[3,5] units=4 activation=${activation} useBias=${useBias}`, () => {
        const layer = layers.dense({ units: 4, activation, useBias, seed: 1, biasInitializer: 'randomNormal' });
        const rep = checkLayerGradients(layer, [randn([3, 5], 7)]);
        expect(rep.checked).toBeGreaterThan(20);
      });
    }
  }

  test('gradients on a rank-3 input x=[2,3,5] units=4 (applies to the last axis)', () => {
    const layer = layers.dense({ units: 4, activation: 'tanh', seed: 2, biasInitializer: 'randomNormal' });
    checkLayerGradients(layer, [randn([2, 3, 5], 8)]);
    const { y } = layer.forward([randn([2, 3, 5], 9)], false);
    expect(y.shape).toEqual([2, 3, 4]);
  });

  test('forward x=[4,3] units=2 linear matches the naive loop, weights [kernel [3,2], bias [2]]', () => {
    const layer = layers.dense({ units: 2, biasInitializer: 'randomNormal', seed: 3 });
    const x = randn([4, 3], 10);
    const { y } = layer.forward([x], false);
    const [w, b] = layer.getWeights();
    expect(w.shape).toEqual([3, 2]);
    expect(b.shape).toEqual([2]);
    expectClose(y.data, denseReference(x, w, b));
  });

  test('useBias=false: getWeights() is [kernel] only and countParams = in·units', () => {
    const layer = layers.dense({ units: 3, useBias: false });
    layer.build([[5]]);
    expect(layer.getWeights().map((t) => t.shape)).toEqual([[5, 3]]);
    expect(layer.countParams()).toBe(5 * 3);
  });

  test('regularizers are declared on the weights and the layer, not applied', () => {
    const layer = layers.dense({ units: 3, kernelRegularizer: 'l2', biasRegularizer: l1({ l1: 0.5 }), activityRegularizer: 'l1' });
    layer.build([[2]]);
    expect(layer.weights[0].target).toBe('kernel');
    expect(layer.weights[0].regularizer!.getConfig()).toEqual({ className: 'L2', config: { l2: 0.01 } });
    expect(layer.weights[1].target).toBe('bias');
    expect(layer.weights[1].regularizer!.getConfig()).toEqual({ className: 'L1', config: { l1: 0.5 } });
    expect(layer.activityRegularizer!.getConfig()).toEqual({ className: 'L1', config: { l1: 0.01 } });
    const cfg = layer.getConfig();
    expect(cfg.units).toBe(3);
    expect(cfg.kernelRegularizer).toEqual({ className: 'L2', config: { l2: 0.01 } });
    expect(cfg.biasRegularizer).toEqual({ className: 'L1', config: { l1: 0.5 } });
  });

  test('throws when units is not a positive integer', () => {
    expect(() => layers.dense({ units: 0 })).toThrow(ConfigError);
    expect(() => layers.dense({ units: 2.5 })).toThrow(/dense.*units must be a positive integer, got 2.5/);
    expect(() => layers.dense({} as never)).toThrow(/units must be a positive integer, got undefined/);
  });

  test('throws when activation, initializer, regularizer or an option name is unknown', () => {
    expect(() => layers.dense({ units: 2, activation: 'gelu' as never })).toThrow(/dense.*activation must be one of .*got "gelu"/);
    expect(() => layers.dense({ units: 2, kernelInitializer: 'glorot' })).toThrow(/dense.*kernelInitializer must be one of .*got "glorot"/);
    expect(() => layers.dense({ units: 2, kernelRegularizer: 'l3' as never })).toThrow(/dense.*kernelRegularizer must be/);
    expect(() => layers.dense({ units: 2, kernelRegulariser: 'l2' } as never)).toThrow(/dense: unknown option "kernelRegulariser"/);
    expect(() => layers.dense({ units: 2, useBias: 1 as never })).toThrow(/useBias must be true or false/);
  });

  test('throws when called on an input whose last axis differs from the built one (ShapeError naming the layer)', () => {
    const layer = layers.dense({ units: 2, name: 'head' });
    layer.forward([randn([1, 3], 1)], false);
    expect(() => layer.forward([randn([1, 4], 1)], false)).toThrow(ShapeError);
    expect(() => layer.forward([randn([1, 4], 1)], false)).toThrow(/head: input must have shape \[batch, \.\.\., 3\], got \[1,4\]/);
    expect(() => layer.computeOutputShape([[4]])).toThrow(/head: input last axis must be 3/);
  });
});

describe('weights in and out', () => {
  test('setWeights then getWeights round-trips copies', () => {
    const layer = layers.dense({ units: 2 });
    layer.build([[3]]);
    const w = tensor([[1, 2], [3, 4], [5, 6]]);
    const b = tensor([0.5, -0.5]);
    layer.setWeights([w, b]);
    const [w2, b2] = layer.getWeights();
    expect(w2.toArray()).toEqual(w.toArray());
    expect(b2.toArray()).toEqual(b.toArray());
    w2.data[0] = 99; // a copy: the layer is unchanged
    expect(layer.getWeights()[0].data[0]).toBe(1);
  });

  test('throws when setWeights gets a wrong shape, and nothing is half-applied', () => {
    const layer = layers.dense({ units: 2, seed: 5 });
    layer.build([[3]]);
    const before = layer.getWeights();
    expect(() => layer.setWeights([tensor([[1, 2], [3, 4], [5, 6]]), tensor([1, 2, 3])])).toThrow(/setWeights bias must have shape \[2\], got \[3\]/);
    expect(() => layer.setWeights([tensor([[1, 2], [3, 4], [5, 6]])])).toThrow(/setWeights expects 2 tensors/);
    const after = layer.getWeights();
    expect(after[0].toArray()).toEqual(before[0].toArray());
    expect(after[1].toArray()).toEqual(before[1].toArray());
  });
});

describe('weight sharing', () => {
  test('backward on two contexts accumulates both contributions into grad (dense tanh)', () => {
    const layer = layers.dense({ units: 3, activation: 'tanh', seed: 4, biasInitializer: 'randomNormal' });
    const xa = randn([2, 4], 1), xb = randn([5, 4], 2);
    const ra = randn([2, 3], 3), rb = randn([5, 3], 4);
    const fa = layer.forward([xa], false), fb = layer.forward([xb], false);
    const grads = (ctx: unknown, r: Tensor): Float32Array[] => {
      layer.weights.forEach((w) => w.grad.fill(0));
      layer.backward(ctx, r);
      return layer.weights.map((w) => w.grad.slice());
    };
    const ga = grads(fa.ctx, ra), gb = grads(fb.ctx, rb);
    layer.weights.forEach((w) => w.grad.fill(0));
    layer.backward(fa.ctx, ra);
    layer.backward(fb.ctx, rb);
    layer.weights.forEach((w, k) => expectClose(w.grad, ga[k].map((v, i) => v + gb[k][i]), 1e-5, w.name));
  });
});

describe('seeded initialization', () => {
  test('the same seed gives the same weights; another seed differs', () => {
    const make = (seed: number): Tensor[] => {
      const l = layers.dense({ units: 4, seed, biasInitializer: 'glorotNormal' });
      l.build([[6]]);
      return l.getWeights();
    };
    const a = make(11), b = make(11), c = make(12);
    expect(a[0].toArray()).toEqual(b[0].toArray());
    expect(a[1].toArray()).toEqual(b[1].toArray());
    expect(a[0].toArray()).not.toEqual(c[0].toArray());
  });
});

