/**
 * Layers: finite-difference gradients for inputs and weights (spec/helpers/layer-check.ts), shape
 * inference, errors naming the layer, weights in and out, seeded initialization, dropout statistics.
 */
import * as layers from '../lib/layers/index';
import { ConfigError, ShapeError } from '../lib/errors';
import { Tensor, tensor } from '../lib/tensor';
import { l1 } from '../lib/regularizers';
import { checkLayerGradients, randn, spacedValues } from './helpers/layer-check';
import { Layer, ForwardResult } from '../lib/layers/layer';
import { SymbolicTensor } from '../lib/graph/symbolic';

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
    expect(() => layer.forward([randn([1, 4], 1)], false)).toThrow(/head: input last axis must be 3, got feature shape \[4\]/);
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


// ---- convolutions ------------------------------------------------------------------------------

type ConvCase = { rank: 1 | 2 | 3; x: number[]; filters: number; kernelSize: number | number[]; strides?: number | number[]; padding?: 'valid' | 'same' | 'causal'; dilationRate?: number | number[] };

const convFactory = { 1: layers.conv1d, 2: layers.conv2d, 3: layers.conv3d } as const;

function convName(c: ConvCase): string {
  return `x=[${c.x}] k=${JSON.stringify(c.kernelSize)} f=${c.filters} s=${JSON.stringify(c.strides ?? 1)} d=${JSON.stringify(c.dilationRate ?? 1)} p=${c.padding ?? 'valid'}`;
}

const BASE_CASES: ConvCase[] = [
  { rank: 1, x: [2, 7, 3], filters: 4, kernelSize: 3 },
  { rank: 2, x: [2, 5, 5, 3], filters: 4, kernelSize: 3 },
  { rank: 3, x: [1, 4, 4, 4, 2], filters: 3, kernelSize: 2 },
];

const VARIANTS: ConvCase[] = [
  { rank: 1, x: [2, 9, 2], filters: 3, kernelSize: 3, padding: 'same', strides: 2 },
  { rank: 1, x: [2, 8, 2], filters: 3, kernelSize: 3, padding: 'causal' },
  { rank: 1, x: [2, 8, 2], filters: 3, kernelSize: 2, padding: 'causal', dilationRate: 2 },
  { rank: 1, x: [1, 10, 2], filters: 2, kernelSize: 3, padding: 'valid', dilationRate: 3 },
  { rank: 2, x: [2, 6, 6, 2], filters: 3, kernelSize: 3, padding: 'same', strides: 2 },
  { rank: 2, x: [2, 7, 6, 2], filters: 3, kernelSize: [2, 3], padding: 'same', strides: [2, 1] },
  { rank: 2, x: [1, 7, 7, 2], filters: 2, kernelSize: 3, padding: 'valid', strides: 2 },
  { rank: 2, x: [1, 7, 7, 2], filters: 3, kernelSize: 3, padding: 'same', dilationRate: 2 },
  { rank: 2, x: [1, 8, 7, 2], filters: 2, kernelSize: [3, 2], padding: 'valid', dilationRate: [2, 3] },
  { rank: 2, x: [2, 4, 4, 3], filters: 5, kernelSize: 1, padding: 'valid' },
  { rank: 3, x: [1, 5, 5, 4, 2], filters: 2, kernelSize: 3, padding: 'same', strides: 2 },
  { rank: 3, x: [1, 5, 5, 5, 1], filters: 2, kernelSize: 2, padding: 'valid', dilationRate: 2 },
  { rank: 3, x: [1, 4, 5, 6, 2], filters: 2, kernelSize: [1, 2, 3], padding: 'same' },
];

describe('conv', () => {
  for (const c of BASE_CASES) {
    for (const activation of ACTS) {
      for (const useBias of [true, false]) {
        test(`conv${c.rank}d gradients ${convName(c)} activation=${activation} useBias=${useBias}`, () => {
          const { rank, x, ...opts } = c;
          const layer = convFactory[rank]({ ...opts, activation, useBias, seed: 3, biasInitializer: 'randomNormal' });
          const rep = checkLayerGradients(layer, [randn(x, 21)], { maxPoints: 30 });
          expect(rep.checked).toBeGreaterThan(30);
        });
      }
    }
  }
  for (const c of VARIANTS) {
    for (const useBias of [true, false]) {
      test(`conv${c.rank}d gradients ${convName(c)} activation=tanh useBias=${useBias}`, () => {
        const { rank, x, ...opts } = c;
        const layer = convFactory[rank]({ ...opts, activation: 'tanh', useBias, seed: 4, biasInitializer: 'randomNormal' });
        checkLayerGradients(layer, [randn(x, 22)], { maxPoints: 30 });
        const out = layer.computeOutputShape([x.slice(1)]);
        expect(layer.forward([randn(x, 23)], false).y.shape).toEqual([x[0], ...out]);
      });
    }
  }

  test('conv2d weights: kernel [kh, kw, in, filters], bias [filters]; getConfig is Keras-style', () => {
    const layer = layers.conv2d({ filters: 8, kernelSize: [3, 2], strides: 1, padding: 'same', kernelRegularizer: 'l1l2' });
    layer.build([[10, 10, 3]]);
    expect(layer.getWeights().map((w) => w.shape)).toEqual([[3, 2, 3, 8], [8]]);
    expect(layer.countParams()).toBe(3 * 2 * 3 * 8 + 8);
    const cfg = layer.getConfig();
    expect(cfg).toMatchObject({ filters: 8, kernelSize: [3, 2], strides: [1, 1], padding: 'same', dilationRate: [1, 1], activation: 'linear', useBias: true });
    expect(cfg.kernelRegularizer).toEqual({ className: 'L1L2', config: { l1: 0.01, l2: 0.01 } });
    expect(layer.className).toBe('Conv2D');
    expect(layers.conv1d({ filters: 1, kernelSize: 2 }).className).toBe('Conv1D');
    expect(layers.conv3d({ filters: 1, kernelSize: 2 }).className).toBe('Conv3D');
  });

  test('conv shape inference: 28x28x1 k=3 same → [28,28,16]; valid s=2 → [13,13,16]; causal conv1d keeps the length', () => {
    expect(layers.conv2d({ filters: 16, kernelSize: 3, padding: 'same' }).computeOutputShape([[28, 28, 1]])).toEqual([28, 28, 16]);
    expect(layers.conv2d({ filters: 16, kernelSize: 3, strides: 2 }).computeOutputShape([[28, 28, 1]])).toEqual([13, 13, 16]);
    expect(layers.conv1d({ filters: 4, kernelSize: 3, padding: 'causal', dilationRate: 2 }).computeOutputShape([[10, 2]])).toEqual([10, 4]);
    expect(layers.conv3d({ filters: 2, kernelSize: [1, 2, 3] }).computeOutputShape([[4, 5, 6, 1]])).toEqual([4, 4, 4, 2]);
  });

  test('throws when a conv option is invalid (ConfigError naming the layer and the argument)', () => {
    expect(() => layers.conv2d({ filters: 0, kernelSize: 3 })).toThrow(/conv2d_\d+: filters must be a positive integer, got 0/);
    expect(() => layers.conv2d({ filters: 2 } as never)).toThrow(/conv2d_\d+: kernelSize is required/);
    expect(() => layers.conv2d({ filters: 2, kernelSize: [3] })).toThrow(/kernelSize must be a positive integer or an array of 2 positive integers, got \[3\]/);
    expect(() => layers.conv2d({ filters: 2, kernelSize: 3, strides: 0 })).toThrow(/strides must be a positive integer/);
    expect(() => layers.conv1d({ filters: 2, kernelSize: 3, dilationRate: -1 })).toThrow(/dilationRate must be a positive integer/);
    expect(() => layers.conv2d({ filters: 2, kernelSize: 3, strides: 2, dilationRate: 2 })).toThrow(/strides > 1 together with dilationRate > 1/);
    expect(() => layers.conv2d({ filters: 2, kernelSize: 3, padding: 'causal' })).toThrow(/conv2d_\d+: padding must be 'valid' or 'same', got "causal" \('causal' padding is for conv1d only\)/);
    expect(() => layers.conv3d({ filters: 2, kernelSize: 3, padding: 'full' as never })).toThrow(ConfigError);
    expect(() => layers.conv2d({ filters: 2, kernelSize: 3, activation: 'elu' as never })).toThrow(/conv2d_\d+: activation must be one of/);
    expect(() => layers.conv2d({ filters: 2, kernelSize: 3, biasInitializer: 'twos' })).toThrow(/conv2d_\d+: biasInitializer must be one of/);
    expect(() => layers.conv2d({ filters: 2, kernelSize: 3, kernelSize2: 1 } as never)).toThrow(/conv2d: unknown option "kernelSize2"/);
  });

  test('throws when the input rank, channels or size do not fit (ShapeError naming the layer)', () => {
    const layer = layers.conv2d({ filters: 2, kernelSize: 3, name: 'c1' });
    expect(() => layer.computeOutputShape([[28, 28]])).toThrow(/c1: input must be rank 4 \[batch, height, width, channels\], got feature shape \[28,28\]/);
    expect(() => layer.computeOutputShape([[2, 2, 1]])).toThrow(/c1: .*output would be empty/);
    layer.build([[8, 8, 3]]);
    expect(() => layer.computeOutputShape([[8, 8, 4]])).toThrow(/c1: input must have 3 channels, got feature shape \[8,8,4\]/);
    expect(() => layer.forward([randn([1, 8, 8, 4], 1)], false)).toThrow(ShapeError);
    expect(() => layer.forward([randn([1, 8, 8, 4], 1)], false)).toThrow(/c1: /);
  });

  test('conv2d weight sharing: two contexts accumulate into grad', () => {
    const layer = layers.conv2d({ filters: 2, kernelSize: 2, activation: 'sigmoid', seed: 9 });
    const xa = randn([1, 4, 4, 2], 1), xb = randn([2, 3, 5, 2], 2);
    const fa = layer.forward([xa], false), fb = layer.forward([xb], false);
    const ra = randn(fa.y.shape as number[], 3), rb = randn(fb.y.shape as number[], 4);
    const only = (ctx: unknown, r: Tensor): Float32Array[] => {
      layer.weights.forEach((w) => w.grad.fill(0));
      layer.backward(ctx, r);
      return layer.weights.map((w) => w.grad.slice());
    };
    const ga = only(fa.ctx, ra), gb = only(fb.ctx, rb);
    layer.weights.forEach((w) => w.grad.fill(0));
    layer.backward(fa.ctx, ra);
    layer.backward(fb.ctx, rb);
    layer.weights.forEach((w, k) => expectClose(w.grad, ga[k].map((v, i) => v + gb[k][i]), 1e-5, w.name));
  });
});

// ---- the checker itself ------------------------------------------------------------------------

/** y = 2x, but backward claims 3·dy: the checker must reject it. */
class WrongGradient extends Layer {
  readonly className = 'WrongGradient';
  constructor() { super('wrong'); }
  computeOutputShape(s: number[][]): number[] { return s[0]; }
  forward(inputs: Tensor[]): ForwardResult {
    return { y: new Tensor(inputs[0].data.map((v) => 2 * v), inputs[0].shape), ctx: null };
  }
  backward(_ctx: unknown, dy: Tensor): Tensor[] { return [new Tensor(dy.data.map((v) => 3 * v), dy.shape)]; }
}

test('layer-check throws when a backward pass is wrong (y = 2x, dx = 3·dy)', () => {
  expect(() => checkLayerGradients(new WrongGradient(), [randn([2, 3], 1)])).toThrow(/wrong_\d+: gradient of input 0 \[2,3\] at index \d+: analytic .* numeric/);
});

// ---- pooling -----------------------------------------------------------------------------------

type PoolCase = { rank: 1 | 2 | 3; x: number[]; poolSize: number | number[]; strides?: number | number[]; padding?: 'valid' | 'same' };

const POOL_CASES: PoolCase[] = [
  { rank: 1, x: [2, 7, 3], poolSize: 2 },
  { rank: 1, x: [2, 7, 3], poolSize: 3, strides: 2, padding: 'same' },
  { rank: 2, x: [2, 6, 6, 2], poolSize: 2 },
  { rank: 2, x: [1, 7, 5, 2], poolSize: [3, 2], strides: [2, 1], padding: 'same' },
  { rank: 2, x: [1, 5, 5, 3], poolSize: 3, strides: 1, padding: 'valid' },
  { rank: 3, x: [1, 4, 4, 4, 2], poolSize: 2 },
  { rank: 3, x: [1, 5, 3, 4, 2], poolSize: [2, 2, 3], strides: [2, 1, 2], padding: 'same' },
];
const maxPools = { 1: layers.maxPooling1d, 2: layers.maxPooling2d, 3: layers.maxPooling3d } as const;
const avgPools = { 1: layers.averagePooling1d, 2: layers.averagePooling2d, 3: layers.averagePooling3d } as const;

describe('pooling', () => {
  for (const c of POOL_CASES) {
    const cfg = `x=[${c.x}] pool=${JSON.stringify(c.poolSize)} s=${JSON.stringify(c.strides ?? c.poolSize)} p=${c.padding ?? 'valid'}`;
    for (const kind of ['max', 'avg'] as const) {
      test(`${kind}Pooling${c.rank}d gradients ${cfg}`, () => {
        const { rank, x, ...opts } = c;
        const layer = (kind === 'max' ? maxPools : avgPools)[rank](opts);
        // Spaced distinct values: no max-pool tie within 2·eps.
        const rep = checkLayerGradients(layer, [spacedValues(x, 31)], { eps: 1e-3 });
        expect(rep.skippedKinks).toBe(0);
        expect(layer.forward([spacedValues(x, 32)], false).y.shape).toEqual([x[0], ...layer.computeOutputShape([x.slice(1)])]);
      });
    }
  }

  test('maxPooling2d forward x=[1,4,4,1] pool=2 picks each window maximum', () => {
    const x = tensor([[1, 2, 3, 4], [5, 6, 7, 8], [9, 10, 11, 12], [13, 14, 15, 16]]).reshape([1, 4, 4, 1]);
    expect(layers.maxPooling2d({ poolSize: 2 }).forward([x], false).y.toArray()).toEqual([[[[6], [8]], [[14], [16]]]]);
    expect(layers.averagePooling2d({ poolSize: 2 }).forward([x], false).y.toArray())
      .toEqual([[[[(1 + 2 + 5 + 6) / 4], [(3 + 4 + 7 + 8) / 4]], [[(9 + 10 + 13 + 14) / 4], [(11 + 12 + 15 + 16) / 4]]]]);
  });

  test('averagePooling1d p=same averages only positions inside the input', () => {
    const x = tensor([1, 2, 3]).reshape([1, 3, 1]);
    // out = ceil(3/2) = 2; total pad = (2-1)·2 + 2 - 3 = 1 → after: windows [1,2], [3, pad]
    expect(layers.averagePooling1d({ poolSize: 2, padding: 'same' }).forward([x], false).y.data).toEqual(new Float32Array([(1 + 2) / 2, 3]));
  });

  test('pooling defaults poolSize=2, strides=poolSize; getConfig and classNames', () => {
    const p = layers.maxPooling2d();
    expect(p.getConfig()).toMatchObject({ poolSize: [2, 2], strides: [2, 2], padding: 'valid' });
    expect(p.className).toBe('MaxPooling2D');
    expect(layers.averagePooling1d({ poolSize: 3 }).getConfig()).toMatchObject({ poolSize: 3, strides: 3 });
    expect(layers.averagePooling3d().className).toBe('AveragePooling3D');
    expect(p.countParams()).toBe(0);
    expect(p.getWeights()).toEqual([]);
  });

  test('throws when pooling options or input shapes are invalid', () => {
    expect(() => layers.maxPooling2d({ poolSize: 0 })).toThrow(/max_pooling2d_\d+: poolSize must be a positive integer/);
    expect(() => layers.maxPooling2d({ poolSize: [2, 2, 2] })).toThrow(/poolSize must be a positive integer or an array of 2 positive integers/);
    expect(() => layers.averagePooling1d({ padding: 'causal' as never })).toThrow(/average_pooling1d_\d+: padding must be 'valid' or 'same', got "causal"/);
    const p = layers.maxPooling2d({ name: 'pool' });
    expect(() => p.computeOutputShape([[4, 4]])).toThrow(/pool: input must be rank 4 \[batch, height, width, channels\], got feature shape \[4,4\]/);
    expect(() => p.computeOutputShape([[1, 4, 2]])).toThrow(/pool: .*output would be empty/);
  });

  const globals = [
    ['globalAveragePooling1d', layers.globalAveragePooling1d, [2, 5, 3]],
    ['globalAveragePooling2d', layers.globalAveragePooling2d, [2, 3, 4, 3]],
    ['globalAveragePooling3d', layers.globalAveragePooling3d, [2, 2, 3, 2, 3]],
    ['globalMaxPooling1d', layers.globalMaxPooling1d, [2, 5, 3]],
    ['globalMaxPooling2d', layers.globalMaxPooling2d, [2, 3, 4, 3]],
    ['globalMaxPooling3d', layers.globalMaxPooling3d, [2, 2, 3, 2, 3]],
  ] as const;
  for (const [name, make, shape] of globals) {
    test(`${name} gradients x=[${shape}] → [${shape[0]},${shape[shape.length - 1]}]`, () => {
      const layer = make();
      const x = spacedValues(shape.slice(), 41);
      checkLayerGradients(layer, [x]);
      const { y } = layer.forward([x], false);
      expect(y.shape).toEqual([shape[0], shape[shape.length - 1]]);
      // Reference: mean / max over every spatial position, per batch and channel.
      const C = shape[shape.length - 1], S = x.size / shape[0] / C;
      for (let b = 0; b < shape[0]; b++) for (let c = 0; c < C; c++) {
        const vals = Array.from({ length: S }, (_, s) => x.data[(b * S + s) * C + c]);
        const want = name.includes('Max') ? Math.max(...vals) : vals.reduce((p, q) => p + q, 0) / S;
        expect(y.data[b * C + c]).toBeCloseTo(want, 5);
      }
    });
  }

  test('throws when a global pooling input has the wrong rank', () => {
    expect(() => layers.globalMaxPooling2d({ name: 'g' }).computeOutputShape([[4, 3]])).toThrow(/g: input must be rank 4/);
  });
});

// ---- core --------------------------------------------------------------------------------------

describe('flatten and reshape', () => {
  test('flatten x=[2,3,4,5] → [2,60] shares the data; backward restores the shape', () => {
    const layer = layers.flatten();
    const x = randn([2, 3, 4, 5], 1);
    const { y, ctx } = layer.forward([x], false);
    expect(y.shape).toEqual([2, 60]);
    expect(y.data).toBe(x.data);
    expect(layer.computeOutputShape([[3, 4, 5]])).toEqual([60]);
    checkLayerGradients(layer, [x]);
    expect(layer.backward(ctx, randn([2, 60], 2))[0].shape).toEqual([2, 3, 4, 5]);
  });

  test('reshape targetShape=[-1, 4] x=[3,2,6] → [3,3,4]; gradients', () => {
    const layer = layers.reshape({ targetShape: [-1, 4] });
    expect(layer.computeOutputShape([[2, 6]])).toEqual([3, 4]);
    const x = randn([3, 2, 6], 3);
    expect(layer.forward([x], false).y.shape).toEqual([3, 3, 4]);
    checkLayerGradients(layer, [x]);
    expect(layers.reshape({ targetShape: [6, 2] }).getConfig()).toMatchObject({ targetShape: [6, 2] });
  });

  test('throws when reshape targetShape is invalid or does not fit', () => {
    expect(() => layers.reshape({ targetShape: [-1, -1] })).toThrow(/reshape_\d+: targetShape must be an array of positive integers with at most one -1/);
    expect(() => layers.reshape({ targetShape: [0, 2] })).toThrow(ConfigError);
    expect(() => layers.reshape({ targetShape: [5], name: 'r' }).computeOutputShape([[2, 3]])).toThrow(/r: cannot reshape feature shape \[2,3\] \(6 values\) to targetShape \[5\]/);
    expect(() => layers.reshape({ targetShape: [-1, 4], name: 'r2' }).computeOutputShape([[2, 3]])).toThrow(ShapeError);
  });
});

describe('activation layer', () => {
  for (const activation of ACTS) {
    test(`activation=${activation} gradients x=[3,5] and forward values`, () => {
      const layer = layers.activation({ activation });
      const x = randn([3, 5], 5);
      const copy = x.data.slice();
      const { y } = layer.forward([x], false);
      expect(x.data).toEqual(copy); // the input is never overwritten
      const f = (v: number): number => activation === 'relu' ? Math.max(v, 0) : activation === 'sigmoid' ? 1 / (1 + Math.exp(-v)) : activation === 'tanh' ? Math.tanh(v) : v;
      if (activation === 'softmax') {
        for (let r = 0; r < 3; r++) {
          const row = Array.from(copy.slice(r * 5, r * 5 + 5));
          const e = row.map((v) => Math.exp(v));
          const s = e.reduce((p, q) => p + q, 0);
          expectClose(y.data.slice(r * 5, r * 5 + 5), e.map((v) => v / s), 1e-6, 'softmax');
        }
      } else {
        expectClose(y.data, Array.from(copy, f), 1e-6, activation);
      }
      checkLayerGradients(layer, [x]);
    });
  }
  test('throws when the activation name is unknown', () => {
    expect(() => layers.activation({ activation: 'swish' as never })).toThrow(/activation_\d+: activation must be one of 'linear', 'relu', 'sigmoid', 'tanh', 'softmax'/);
  });
});

describe('dropout', () => {
  test('dropout rate=0.3 inference (training=false) is the identity, forward and backward', () => {
    const layer = layers.dropout({ rate: 0.3, seed: 1 });
    const x = randn([4, 5], 1);
    const { y, ctx } = layer.forward([x], false);
    expect(y.data).toEqual(x.data);
    const dy = randn([4, 5], 2);
    expect(layer.backward(ctx, dy)[0].data).toEqual(dy.data);
  });

  test('dropout rate=0.25 training: kept fraction ≈ 0.75, kept values scaled by 1/(1 − 0.25), mean preserved', () => {
    const layer = layers.dropout({ rate: 0.25, seed: 7 });
    const n = 20000;
    const x = new Tensor(new Float32Array(n).fill(2), [100, 200]);
    const { y } = layer.forward([x], true);
    let kept = 0, total = 0;
    for (const v of y.data) {
      if (v !== 0) { kept++; expect(v).toBeCloseTo(2 / (1 - 0.25), 6); }
      total += v;
    }
    // Binomial(20000, 0.75): stddev ≈ sqrt(20000·0.75·0.25) ≈ 61, i.e. 0.003 of n.
    expect(Math.abs(kept / n - 0.75)).toBeLessThan(0.015);
    expect(Math.abs(total / n - 2)).toBeLessThan(0.05);
  });

  test('dropout backward uses the forward mask: dx = dy ⊙ mask', () => {
    const layer = layers.dropout({ rate: 0.5, seed: 3 });
    const x = randn([6, 7], 4);
    const { y, ctx } = layer.forward([x], true);
    const dy = randn([6, 7], 5);
    const dx = layer.backward(ctx, dy)[0];
    for (let i = 0; i < x.size; i++) {
      const mask = y.data[i] / x.data[i]; // 0 or 2
      expect(dx.data[i]).toBeCloseTo(dy.data[i] * mask, 5);
    }
  });

  test('dropout seeded: the same seed gives the same sequence of masks; successive calls differ', () => {
    const x = new Tensor(new Float32Array(500).fill(1), [5, 100]);
    const a = layers.dropout({ rate: 0.5, seed: 42 }), b = layers.dropout({ rate: 0.5, seed: 42 });
    const a1 = a.forward([x], true).y.data, a2 = a.forward([x], true).y.data;
    const b1 = b.forward([x], true).y.data, b2 = b.forward([x], true).y.data;
    expect(a1).toEqual(b1);
    expect(a2).toEqual(b2);
    expect(a1).not.toEqual(a2);
  });

  test('throws when dropout rate is outside [0, 1)', () => {
    expect(() => layers.dropout({ rate: 1 })).toThrow(/dropout_\d+: rate must be a number in \[0, 1\), got 1/);
    expect(() => layers.dropout({ rate: -0.1 })).toThrow(ConfigError);
    expect(() => layers.dropout({ rate: NaN })).toThrow(/rate must be a number in \[0, 1\), got NaN/);
    expect(() => layers.dropout({} as never)).toThrow(/got undefined/);
  });
});

// ---- merge -------------------------------------------------------------------------------------

describe('merge', () => {
  test('add of 3 inputs x=[2,3] sums them; gradients for every input', () => {
    const layer = layers.add();
    const xs = [randn([2, 3], 1), randn([2, 3], 2), randn([2, 3], 3)];
    const { y } = layer.forward(xs, false);
    expectClose(y.data, Array.from(xs[0].data, (v, i) => v + xs[1].data[i] + xs[2].data[i]), 1e-6);
    checkLayerGradients(layer, xs);
  });

  test('throws when add inputs differ in shape or there is only one (ShapeError naming the layer)', () => {
    const layer = layers.add({ name: 'sum' });
    expect(() => layer.computeOutputShape([[3], [4]])).toThrow(/sum: every input must have the same shape, got \[3\], \[4\]/);
    expect(() => layer.computeOutputShape([[3]])).toThrow(/sum: expects at least 2 inputs, got 1/);
    expect(() => layers.add().forward([randn([2, 3], 1), randn([2, 4], 1)], false)).toThrow(ShapeError);
  });

  test('concatenate axis=-1 x=[2,3] + [2,5] → [2,8]; gradients', () => {
    const layer = layers.concatenate();
    const xs = [randn([2, 3], 1), randn([2, 5], 2)];
    const { y } = layer.forward(xs, false);
    expect(y.shape).toEqual([2, 8]);
    expect(Array.from(y.data.slice(8, 11))).toEqual(Array.from(xs[0].data.slice(3, 6)));
    checkLayerGradients(layer, xs);
  });

  test('concatenate axis=1 on x=[2,2,3] + [2,4,3] + [2,1,3] → [2,7,3]; gradients', () => {
    const layer = layers.concatenate({ axis: 1 });
    expect(layer.computeOutputShape([[2, 3], [4, 3], [1, 3]])).toEqual([7, 3]);
    checkLayerGradients(layer, [randn([2, 2, 3], 1), randn([2, 4, 3], 2), randn([2, 1, 3], 3)]);
  });

  test('throws when concatenate shapes differ off the axis, or axis is 0 / out of range', () => {
    expect(() => layers.concatenate({ name: 'cat' }).computeOutputShape([[2, 3], [3, 3]])).toThrow(/cat: inputs must have the same shape except along axis -1, got \[2,3\], \[3,3\]/);
    expect(() => layers.concatenate({ axis: 0 })).toThrow(/concatenate_\d+: axis must be a non-zero integer \(0 is the batch axis/);
    expect(() => layers.concatenate({ axis: 3, name: 'cat3' }).computeOutputShape([[2], [2]])).toThrow(/cat3: axis 3 is out of range/);
  });
});

// ---- functional apply --------------------------------------------------------------------------

describe('apply (shape inference through SymbolicTensors)', () => {
  test('conv2d same → maxPooling2d → flatten → dense infers [null,28,28,8] → [null,14,14,8] → [null,1568] → [null,10]', () => {
    const x = new SymbolicTensor([null, 28, 28, 1], null, [], 'x');
    const c = layers.conv2d({ filters: 8, kernelSize: 3, padding: 'same', activation: 'relu' }).apply(x);
    const p = layers.maxPooling2d({ poolSize: 2 }).apply(c);
    const f = layers.flatten().apply(p);
    const d = layers.dense({ units: 10, activation: 'softmax' }).apply(f);
    expect([c.shape, p.shape, f.shape, d.shape]).toEqual([[null, 28, 28, 8], [null, 14, 14, 8], [null, 14 * 14 * 8], [null, 10]]);
  });

  test('throws when a built layer is applied to a different shape (ShapeError naming the layer)', () => {
    const layer = layers.dense({ units: 2, name: 'shared' });
    layer.apply(new SymbolicTensor([null, 3], null, [], 'a'));
    expect(() => layer.apply(new SymbolicTensor([null, 4], null, [], 'b'))).toThrow(/shared: layer was built for input shape \[3\] but is now called on \[4\]/);
  });
});

describe('backward(ctx, dy, needDx = false)', () => {
  const cases: [string, () => Layer, number[]][] = [
    ['dense units=3 relu', () => layers.dense({ units: 3, activation: 'relu', seed: 1 }), [4, 5]],
    ['conv2d f=2 k=3 same tanh', () => layers.conv2d({ filters: 2, kernelSize: 3, padding: 'same', activation: 'tanh', seed: 1 }), [2, 5, 5, 3]],
  ];
  for (const [name, make, shape] of cases) {
    test(`${name}: returns [] and the same weight gradients as a full backward`, () => {
      const layer = make();
      const x = randn(shape, 2);
      const { y, ctx } = layer.forward([x], true);
      const dy = randn(y.shape as number[], 3);
      layer.weights.forEach((w) => w.grad.fill(0));
      expect(layer.backward(ctx, dy)).toHaveLength(1);
      const full = layer.weights.map((w) => w.grad.slice());
      layer.weights.forEach((w) => w.grad.fill(0));
      expect(layer.backward(ctx, dy, false)).toEqual([]);
      layer.weights.forEach((w, k) => expect(w.grad).toEqual(full[k]));
    });
  }
});

test('throws when forward gets something other than an array of Tensors (naming the layer)', () => {
  const layer = layers.dense({ units: 2, name: 'fc' });
  expect(() => layer.forward([] as never, false)).toThrow(/fc: forward expects a non-empty array of Tensors/);
  expect(() => layer.forward([[1, 2]] as never, false)).toThrow(/fc: input 0 must be a Tensor, got \[1,2\]/);
  expect(() => layer.forward([tensor(3)], false)).toThrow(/fc: input 0 must have a batch dimension, got shape \[\]/);
});

describe('every factory: className, Keras-style default name, getConfig, unknown options', () => {
  const table: [string, (o?: never) => Layer, object, string, string][] = [
    ['dense', layers.dense as never, { units: 2 }, 'Dense', 'dense'],
    ['conv1d', layers.conv1d as never, { filters: 2, kernelSize: 2 }, 'Conv1D', 'conv1d'],
    ['conv2d', layers.conv2d as never, { filters: 2, kernelSize: 2 }, 'Conv2D', 'conv2d'],
    ['conv3d', layers.conv3d as never, { filters: 2, kernelSize: 2 }, 'Conv3D', 'conv3d'],
    ['maxPooling1d', layers.maxPooling1d as never, {}, 'MaxPooling1D', 'max_pooling1d'],
    ['maxPooling2d', layers.maxPooling2d as never, {}, 'MaxPooling2D', 'max_pooling2d'],
    ['maxPooling3d', layers.maxPooling3d as never, {}, 'MaxPooling3D', 'max_pooling3d'],
    ['averagePooling1d', layers.averagePooling1d as never, {}, 'AveragePooling1D', 'average_pooling1d'],
    ['averagePooling2d', layers.averagePooling2d as never, {}, 'AveragePooling2D', 'average_pooling2d'],
    ['averagePooling3d', layers.averagePooling3d as never, {}, 'AveragePooling3D', 'average_pooling3d'],
    ['globalAveragePooling1d', layers.globalAveragePooling1d as never, {}, 'GlobalAveragePooling1D', 'global_average_pooling1d'],
    ['globalAveragePooling2d', layers.globalAveragePooling2d as never, {}, 'GlobalAveragePooling2D', 'global_average_pooling2d'],
    ['globalAveragePooling3d', layers.globalAveragePooling3d as never, {}, 'GlobalAveragePooling3D', 'global_average_pooling3d'],
    ['globalMaxPooling1d', layers.globalMaxPooling1d as never, {}, 'GlobalMaxPooling1D', 'global_max_pooling1d'],
    ['globalMaxPooling2d', layers.globalMaxPooling2d as never, {}, 'GlobalMaxPooling2D', 'global_max_pooling2d'],
    ['globalMaxPooling3d', layers.globalMaxPooling3d as never, {}, 'GlobalMaxPooling3D', 'global_max_pooling3d'],
    ['flatten', layers.flatten as never, {}, 'Flatten', 'flatten'],
    ['reshape', layers.reshape as never, { targetShape: [4] }, 'Reshape', 'reshape'],
    ['dropout', layers.dropout as never, { rate: 0.5 }, 'Dropout', 'dropout'],
    ['activation', layers.activation as never, { activation: 'relu' }, 'Activation', 'activation'],
    ['add', layers.add as never, {}, 'Add', 'add'],
    ['concatenate', layers.concatenate as never, {}, 'Concatenate', 'concatenate'],
  ];
  for (const [factory, make, opts, className, prefix] of table) {
    test(`layers.${factory}: className ${className}, name ${prefix}_N, getConfig().name; throws when an option is unknown`, () => {
      const layer = make(opts as never);
      expect(layer.className).toBe(className);
      expect(layer.name).toMatch(new RegExp(`^${prefix}_\\d+$`));
      expect(layer.getConfig().name).toBe(layer.name);
      expect(make({ ...opts, name: 'custom' } as never).name).toBe('custom');
      expect(() => make({ ...opts, bogus: 1 } as never)).toThrow(new RegExp(`${prefix}: unknown option "bogus"`));
      expect(() => make({ ...opts, inputShape: [0, 2] } as never)).toThrow(/inputShape must be an array of positive integers/);
    });
  }
});

test('activation null or undefined means linear (dense, conv2d)', () => {
  expect(layers.dense({ units: 2, activation: null }).getConfig().activation).toBe('linear');
  expect(layers.dense({ units: 2 }).getConfig().activation).toBe('linear');
  expect(layers.conv2d({ filters: 2, kernelSize: 1, activation: null }).getConfig().activation).toBe('linear');
  const layer = layers.dense({ units: 2, activation: null, seed: 1 });
  const x = randn([3, 4], 1);
  const [w, b] = [layer.forward([x], false).y, layer.getWeights()];
  expectClose(w.data, denseReference(x, b[0], b[1]), 1e-5);
});
