/**
 * The noise, reshaping and elementwise-merge layers (lib/layers/noise.ts, reshaping.ts, merge.ts):
 * outputs against naive loops or TensorFlow.js (same inputs), input gradients by central finite
 * differences (spec/helpers/layer-check.ts) and against tf.grad where tfjs has the layer, the
 * training-only noise checked statistically and by a finite-difference check through a freshly
 * seeded layer (same seed → same noise), configs round-tripped through the registry, bad options.
 *
 * tfjs 4.22's resize gradients are not an oracle: they swap height and width when those differ,
 * mix up samples when the batch is > 1 (nearest) and ignore halfPixelCenters (bilinear). So tf.grad
 * parity for upSampling2d 'nearest' uses a square, batch-1 input, and 'bilinear' gradients are
 * checked by finite differences only; forwards are compared on the full inputs.
 *
 * tfjs gaps: it has no upSampling1d, zeroPadding1d, cropping1d, subtract, activityRegularization
 * (those use naive loops); its upSampling2d 'bilinear' uses the legacy corner-aligned sampling
 * (halfPixelCenters false) while Keras uses tf.image.resize (half-pixel centres), so bilinear is
 * compared with tf.image.resizeBilinear(x, size, false, true) instead.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import * as layers from '../lib/layers/index';
import { Layer } from '../lib/layers/layer';
import { layerClassFromName } from '../lib/layers/registry';
import { Tensor } from '../lib/tensor';
import { ConfigError, ShapeError } from '../lib/errors';
import { input, model, sequential } from '../lib/graph/model';
import { gradCheck } from '../lib/training/gradcheck';
import * as optimizers from '../lib/training/optimizers';
import * as regularizers from '../lib/regularizers';
import { checkLayerGradients, randn, spacedValues } from './helpers/layer-check';
import { expectClose, toTf } from './helpers/tfjs-parity';

beforeAll(async () => {
  await tf.setBackend('cpu');
});



/** Ridge forward + backward of loss = Σ y·r, and the same through a tfjs function of the inputs. */
function parity(ours: Layer, theirs: (xs: tf.Tensor[]) => tf.Tensor, xs: Tensor[], what: string): void {
  const { y, ctx } = ours.forward(xs, false);
  const yt = theirs(xs.map(toTf));
  expect(y.shape).toEqual(yt.shape);
  expectClose(y.data, yt.dataSync(), 1e-5, `${what} forward`);
  const r = randn(y.shape as number[], 99);
  const dxs = ours.backward(ctx, r);
  const rt = toTf(r);
  const grads = tf.grads((...ins: tf.Tensor[]) => tf.sum(tf.mul(theirs(ins), rt)))(xs.map(toTf));
  dxs.forEach((dx, k) => expectClose(dx.data, grads[k].dataSync(), 1e-5, `${what} dx[${k}]`));
}

/** Forward only (tfjs 4.22's resize gradients swap height and width when they differ: square inputs there). */
function forwardParity(ours: Layer, theirs: (xs: tf.Tensor[]) => tf.Tensor, x: Tensor, what: string): void {
  const y = ours.forward([x], false).y;
  const yt = theirs([toTf(x)]);
  expect(y.shape).toEqual(yt.shape);
  expectClose(y.data, yt.dataSync(), 1e-5, `${what} forward`);
}

const tfLayer = (l: tfl.layers.Layer) => (xs: tf.Tensor[]) => l.apply(xs.length === 1 ? xs[0] : xs) as tf.Tensor;

/** Rebuilds a layer from its config via the registry and compares the configs. */
function roundTrip(l: Layer): void {
  const cfg = l.getConfig();
  const again = layerClassFromName(l.className)!(cfg);
  expect(again.className).toBe(l.className);
  expect(again.getConfig()).toEqual(cfg);
}

// ------------------------------------------------------------------------------------------------
describe('noise layers', () => {
  test('gaussianNoise stddev=0.3: identity in inference; training adds N(0, 0.09) noise, seeded', () => {
    const x = randn([40, 500], 1);
    const l = layers.gaussianNoise({ stddev: 0.3, seed: 7 });
    expect(l.forward([x], false).y.data).toEqual(x.data);
    const y = l.forward([x], true).y;
    let s = 0, s2 = 0;
    for (let i = 0; i < x.size; i++) { const e = y.data[i] - x.data[i]; s += e; s2 += e * e; }
    const mean = s / x.size, std = Math.sqrt(s2 / x.size - mean * mean);
    expect(Math.abs(mean)).toBeLessThan(0.01);            // 3·σ/√N = 3·0.3/√20000 ≈ 0.0064
    expect(Math.abs(std - 0.3)).toBeLessThan(0.01);
    const y2 = layers.gaussianNoise({ stddev: 0.3, seed: 7 }).forward([x], true).y;
    expect(y2.data).toEqual(y.data);
    const y3 = l.forward([x], true).y;                     // the next call draws new noise
    expect(y3.data).not.toEqual(y.data);
    const r = randn([40, 500], 2);
    expect(l.backward(null, r)[0].data).toEqual(r.data);
  });

  test('gaussianDropout rate=0.2: multiplicative N(1, 0.25) noise while training, dX = dY ⊙ m', () => {
    const x = randn([40, 500], 3);
    const l = layers.gaussianDropout({ rate: 0.2, seed: 5 });
    expect(l.forward([x], false).y.data).toEqual(x.data);
    const { y, ctx } = l.forward([x], true);
    const m = Array.from(y.data, (v, i) => v / x.data[i]);
    const mean = m.reduce((a, b) => a + b, 0) / m.length;
    const std = Math.sqrt(m.reduce((a, b) => a + (b - mean) ** 2, 0) / m.length);
    expect(Math.abs(mean - 1)).toBeLessThan(0.02);
    expect(Math.abs(std - Math.sqrt(0.2 / (1 - 0.2)))).toBeLessThan(0.02);
    const r = randn([40, 500], 4);
    const dx = l.backward(ctx, r)[0];
    for (let i = 0; i < 50; i++) expect(dx.data[i]).toBeCloseTo(r.data[i] * m[i], 3);
  });

  for (const rank of [1, 2, 3] as const) {
    for (const dataFormat of rank === 1 ? ['channelsLast' as const] : ['channelsLast' as const, 'channelsFirst' as const]) {
      test(`spatialDropout${rank}d rate=0.4 ${dataFormat}: one draw per (sample, channel), scaled 1/(1 − rate)`, () => {
        const spatial = [5, 4, 3].slice(0, rank);
        const C = 6, B = 30;
        const shape = dataFormat === 'channelsLast' ? [B, ...spatial, C] : [B, C, ...spatial];
        const x = randn(shape, 10 + rank);
        const make = () => rank === 1 ? layers.spatialDropout1d({ rate: 0.4, seed: 3 })
          : rank === 2 ? layers.spatialDropout2d({ rate: 0.4, seed: 3, dataFormat }) : layers.spatialDropout3d({ rate: 0.4, seed: 3, dataFormat });
        const l = make();
        expect(l.forward([x], false).y.data).toEqual(x.data);
        const { y, ctx } = l.forward([x], true);
        const S = spatial.reduce((a, b) => a * b, 1);
        let dropped = 0;
        for (let b = 0; b < B; b++) {
          for (let c = 0; c < C; c++) {
            const ratios = new Set<number>();
            for (let s = 0; s < S; s++) {
              const i = dataFormat === 'channelsLast' ? (b * S + s) * C + c : (b * C + c) * S + s;
              ratios.add(Math.round((y.data[i] / x.data[i]) * 1e4) / 1e4);
            }
            expect(ratios.size).toBe(1);                      // the whole feature map shares one mask value
            const v = [...ratios][0];
            expect([0, Math.round((1 / 0.6) * 1e4) / 1e4]).toContain(v);
            if (v === 0) dropped++;
          }
        }
        expect(Math.abs(dropped / (B * C) - 0.4)).toBeLessThan(0.1); // 180 draws: σ ≈ 0.037
        const r = randn(shape, 20);
        const dx = l.backward(ctx, r)[0];
        for (let i = 0; i < x.size; i++) expect(dx.data[i]).toBeCloseTo(r.data[i] * (y.data[i] / x.data[i]), 3);
        expect(make().forward([x], true).y.data).toEqual(y.data); // same seed, same mask
      });
    }
  }

  test('training-mode finite differences through freshly seeded noise layers', () => {
    const x = randn([3, 4, 5], 30);
    const r = randn([3, 4, 5], 31);
    const cases: [string, () => Layer][] = [
      ['gaussianNoise', () => layers.gaussianNoise({ stddev: 0.5, seed: 1 })],
      ['gaussianDropout', () => layers.gaussianDropout({ rate: 0.3, seed: 1 })],
      ['spatialDropout1d', () => layers.spatialDropout1d({ rate: 0.5, seed: 1 })],
    ];
    for (const [what, make] of cases) {
      const L = (xx: Tensor) => { const y = make().forward([xx], true).y; let s = 0; for (let i = 0; i < y.size; i++) s += y.data[i] * r.data[i]; return s; };
      const l = make();
      const { ctx } = l.forward([x], true);
      const dx = l.backward(ctx, r)[0];
      const eps = 1e-2;
      for (let i = 0; i < x.size; i += 7) {
        const v = x.data[i];
        x.data[i] = v + eps; const lp = L(x);
        x.data[i] = v - eps; const lm = L(x);
        x.data[i] = v;
        const numeric = (lp - lm) / (2 * eps);
        if (Math.abs(numeric - dx.data[i]) > 1e-2 * Math.max(1, Math.abs(numeric))) {
          throw new Error(`${what}: index ${i}: analytic ${dx.data[i]}, numeric ${numeric}`);
        }
      }
    }
  });

  test('activityRegularization l1=0.01 l2=0.02: lossBreakdown term = (0.01·Σ|y| + 0.02·Σy²) / B; gradCheck passes', () => {
    const x = randn([5, 3], 42);                           // every |y| > 0.39: away from the L1 kink
    const y = randn([5, 2], 41);
    const d = layers.dense({ units: 2, seed: 1, inputShape: [3] });
    const ar = layers.activityRegularization({ l1: 0.01, l2: 0.02 });
    const m = sequential([d, ar]);
    m.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
    const out = m.predict(x);
    let a = 0, q = 0;
    for (const v of out.data) { a += Math.abs(v); q += v * v; }
    const bd = m.lossBreakdown(x, y);
    expect(bd.penalties).toHaveLength(1);
    expect(bd.penalties[0].layer).toBe(ar.name);
    expect(bd.penalties[0].target).toBe('activity');
    expect(bd.penalties[0].value).toBeCloseTo((0.01 * a + 0.02 * q) / 5, 6);
    expect(bd.total).toBeCloseTo(bd.data + bd.penalties[0].value, 6);
    const report = gradCheck(m, x, y, { eps: 1e-2, tolerance: 2e-3 });
    expect(report.ok).toBe(true);
    expect(report.entries.length).toBe(8);
    expect(m.summary()).toMatch(/activity: L1L2\(l1=0\.01, l2=0\.02\)/);
  });

  test('throws when options are out of range or unknown', () => {
    expect(() => layers.gaussianNoise({ stddev: -1 })).toThrow(ConfigError);
    expect(() => layers.gaussianNoise({ stddev: 2 })).toThrow(/stddev must be a number in \[0, 1\], got 2/);
    expect(() => layers.gaussianDropout({ rate: 1 })).toThrow(/rate must be a number in \[0, 1\), got 1/);
    expect(() => layers.spatialDropout2d({ rate: 0.5, dataFormat: 'nhwc' as any })).toThrow(/dataFormat must be 'channelsLast' or 'channelsFirst'/);
    expect(() => layers.spatialDropout1d({ rate: 0.5, dataFormat: 'channelsLast' } as any)).toThrow(/unknown option "?dataFormat/);
    expect(() => layers.activityRegularization({ l1: -0.1 })).toThrow(/l1 must be a finite number >= 0, got -0.1/);
    expect(() => layers.spatialDropout2d({ rate: 0.5 }).forward([randn([2, 3, 4], 1)], true)).toThrow(ShapeError);
  });
});

// ------------------------------------------------------------------------------------------------
describe('reshaping layers vs naive loops and tfjs-layers', () => {
  test('upSampling1d size=3 x=[2,4,3]: y[b, t, c] = x[b, ⌊t/3⌋, c]; gradients', () => {
    const x = randn([2, 4, 3], 50);
    const l = layers.upSampling1d({ size: 3 });
    const y = l.forward([x], false).y;
    expect(y.shape).toEqual([2, 12, 3]);
    for (let b = 0; b < 2; b++) for (let t = 0; t < 12; t++) for (let c = 0; c < 3; c++) {
      expect(y.data[(b * 12 + t) * 3 + c]).toBe(x.data[(b * 4 + Math.floor(t / 3)) * 3 + c]);
    }
    checkLayerGradients(l, [x]);
  });

  for (const size of [[2, 2], [2, 3]] as [number, number][]) {
    test(`upSampling2d nearest size=[${size}] x=[2,3,4,2] vs tfjs (forward and tf.grad)`, () => {
      const x = randn([2, 3, 4, 2], 51);
      forwardParity(layers.upSampling2d({ size }), tfLayer(tfl.layers.upSampling2d({ size })), x, 'upSampling2d nearest');
      parity(layers.upSampling2d({ size }), tfLayer(tfl.layers.upSampling2d({ size })), [randn([1, 3, 3, 2], 51)], 'upSampling2d nearest square batch 1');
      checkLayerGradients(layers.upSampling2d({ size }), [x]);
    });
    test(`upSampling2d bilinear size=[${size}] x=[2,3,4,2] vs tf.image.resizeBilinear(halfPixelCenters) and finite differences`, () => {
      const x = randn([2, 3, 4, 2], 52);
      const l = layers.upSampling2d({ size, interpolation: 'bilinear' });
      forwardParity(l, ([t]) => tf.image.resizeBilinear(t as tf.Tensor4D, [3 * size[0], 4 * size[1]], false, true), x, 'upSampling2d bilinear');
      checkLayerGradients(layers.upSampling2d({ size, interpolation: 'bilinear' }), [x]);
    });
  }

  test('upSampling2d channelsFirst equals channelsLast on the transposed input (nearest and bilinear)', () => {
    const x = randn([2, 3, 4, 5], 53); // [b, c, h, w]
    for (const interpolation of ['nearest', 'bilinear'] as const) {
      const cf = layers.upSampling2d({ size: [2, 3], interpolation, dataFormat: 'channelsFirst' }).forward([x], false).y;
      const xl = tf.transpose(toTf(x), [0, 2, 3, 1]);
      const cl = layers.upSampling2d({ size: [2, 3], interpolation }).forward([new Tensor(xl.dataSync() as Float32Array, xl.shape)], false).y;
      const back = tf.transpose(toTf(cl), [0, 3, 1, 2]);
      expect(cf.shape).toEqual([2, 3, 8, 15]);
      expectClose(cf.data, back.dataSync(), 1e-6, `channelsFirst ${interpolation}`);
      checkLayerGradients(layers.upSampling2d({ size: [2, 3], interpolation, dataFormat: 'channelsFirst' }), [x]);
    }
  });

  test('zeroPadding1d padding=[1,2] x=[2,3,2]: zeros before/after the steps; gradients', () => {
    const x = randn([2, 3, 2], 54);
    const l = layers.zeroPadding1d({ padding: [1, 2] });
    const y = l.forward([x], false).y;
    expect(y.shape).toEqual([2, 6, 2]);
    for (let b = 0; b < 2; b++) for (let t = 0; t < 6; t++) for (let c = 0; c < 2; c++) {
      const inside = t >= 1 && t < 4;
      expect(y.data[(b * 6 + t) * 2 + c]).toBe(inside ? x.data[(b * 3 + t - 1) * 2 + c] : 0);
    }
    checkLayerGradients(l, [x]);
    expect(layers.zeroPadding1d().getConfig().padding).toEqual([1, 1]);
  });

  for (const padding of [1, [2, 1], [[1, 2], [0, 3]]] as any[]) {
    test(`zeroPadding2d padding=${JSON.stringify(padding)} x=[2,3,4,2] vs tfjs`, () => {
      const x = randn([2, 3, 4, 2], 55);
      parity(layers.zeroPadding2d({ padding }), tfLayer(tfl.layers.zeroPadding2d({ padding })), [x], 'zeroPadding2d');
      checkLayerGradients(layers.zeroPadding2d({ padding }), [x]);
    });
  }

  test('zeroPadding2d channelsFirst x=[1,2,3,3] vs tfjs channelsFirst', () => {
    const x = randn([1, 2, 3, 3], 56);
    parity(layers.zeroPadding2d({ padding: [[1, 0], [2, 1]], dataFormat: 'channelsFirst' }),
      tfLayer(tfl.layers.zeroPadding2d({ padding: [[1, 0], [2, 1]], dataFormat: 'channelsFirst' })), [x], 'zeroPadding2d cf');
  });

  test('cropping1d cropping=[1,2] x=[2,6,2]: steps 1 … 3 kept; gradients', () => {
    const x = randn([2, 6, 2], 57);
    const l = layers.cropping1d({ cropping: [1, 2] });
    const y = l.forward([x], false).y;
    expect(y.shape).toEqual([2, 3, 2]);
    for (let b = 0; b < 2; b++) for (let t = 0; t < 3; t++) for (let c = 0; c < 2; c++) {
      expect(y.data[(b * 3 + t) * 2 + c]).toBe(x.data[(b * 6 + t + 1) * 2 + c]);
    }
    checkLayerGradients(l, [x]);
  });

  for (const cropping of [1, [1, 2], [[0, 2], [1, 1]]] as any[]) {
    test(`cropping2d cropping=${JSON.stringify(cropping)} x=[2,5,6,2] vs tfjs`, () => {
      const x = randn([2, 5, 6, 2], 58);
      parity(layers.cropping2d({ cropping }), tfLayer(tfl.layers.cropping2D({ cropping })), [x], 'cropping2d');
      checkLayerGradients(layers.cropping2d({ cropping }), [x]);
    });
  }

  for (const dims of [[2, 1], [3, 1, 2], [1, 3, 2]]) {
    test(`permute dims=[${dims}] vs tfjs`, () => {
      const x = randn([2, 3, 4, 5].slice(0, dims.length + 1), 59);
      parity(layers.permute({ dims }), tfLayer(tfl.layers.permute({ dims })), [x], 'permute');
      checkLayerGradients(layers.permute({ dims }), [x]);
    });
  }

  test('repeatVector n=3 x=[2,4] vs tfjs', () => {
    const x = randn([2, 4], 60);
    parity(layers.repeatVector({ n: 3 }), tfLayer(tfl.layers.repeatVector({ n: 3 })), [x], 'repeatVector');
    checkLayerGradients(layers.repeatVector({ n: 3 }), [x]);
  });

  test('throws on bad options and shapes', () => {
    expect(() => layers.upSampling2d({ interpolation: 'bicubic' as any })).toThrow(/interpolation must be 'nearest' or 'bilinear', got "?bicubic/);
    expect(() => layers.upSampling1d({ size: 0 })).toThrow(/size must be a positive integer, got 0/);
    expect(() => layers.zeroPadding2d({ padding: [1, -1] as any })).toThrow(ConfigError);
    expect(() => layers.cropping1d({ cropping: [1, 2, 3] as any })).toThrow(/cropping must be an integer >= 0 or \[before, after\]/);
    expect(() => layers.cropping1d({ cropping: [2, 2] }).forward([randn([1, 4, 2], 1)], false)).toThrow(/removes 4 of the 4 entries/);
    expect(() => layers.permute({ dims: [1, 1] })).toThrow(/dims must be a permutation of 1 … 2/);
    expect(() => layers.permute({ dims: [2, 1] }).forward([randn([1, 2, 3, 4], 1)], false)).toThrow(ShapeError);
    expect(() => layers.repeatVector({ n: 1.5 })).toThrow(/n must be a positive integer, got 1.5/);
    expect(() => layers.repeatVector({ n: 2 }).forward([randn([1, 2, 3], 1)], false)).toThrow(/input must be rank 2 \[batch, features\]/);
    expect(() => layers.upSampling2d().forward([randn([1, 2, 3], 1)], false)).toThrow(/input must be rank 4/);
  });
});

// ------------------------------------------------------------------------------------------------
describe('elementwise merge layers', () => {
  const shape = [3, 4, 2];
  // One shuffled ramp cut in three: no two values of any inputs are within 0.07, so max/min never flip under ±eps.
  const ramp = spacedValues([3, ...shape], 61, 0.07).data;
  const part = (k: number) => new Tensor(ramp.slice(k * 24, (k + 1) * 24), shape);
  const xs = [part(0), part(1), part(2)];

  test('multiply / average / maximum / minimum of 3 inputs vs tfjs (forward and tf.grad)', () => {
    parity(layers.multiply(), tfLayer(tfl.layers.multiply()), xs, 'multiply');
    parity(layers.average(), tfLayer(tfl.layers.average()), xs, 'average');
    parity(layers.maximum(), tfLayer(tfl.layers.maximum()), xs, 'maximum');
    parity(layers.minimum(), tfLayer(tfl.layers.minimum()), xs, 'minimum');
  });

  test('subtract of 2 inputs: y = x0 − x1, dX = [dY, −dY]', () => {
    parity(layers.subtract(), ([a, b]) => tf.sub(a, b), xs.slice(0, 2), 'subtract');
  });

  for (const op of ['multiply', 'average', 'subtract', 'maximum', 'minimum'] as const) {
    test(`${op}: finite-difference gradients of every input`, () => {
      const ins = op === 'subtract' ? xs.slice(0, 2) : xs;
      checkLayerGradients(layers[op](), ins.map((t) => t.clone()));
    });
  }

  test('maximum ties go to the first input (as folding tf.maximum, whose gradient goes to x where x ≥ y)', () => {
    const a = new Tensor(new Float32Array([1, 2, 3]), [1, 3]);
    const b = new Tensor(new Float32Array([1, 5, 3]), [1, 3]);
    const l = layers.maximum();
    const { ctx } = l.forward([a, b], false);
    const [da, db] = l.backward(ctx, new Tensor(new Float32Array([10, 20, 30]), [1, 3]));
    expect(Array.from(da.data)).toEqual([10, 0, 30]);
    expect(Array.from(db.data)).toEqual([0, 20, 0]);
  });

  test('in a functional model: gradCheck through multiply and subtract', () => {
    const x = input({ shape: [3] });
    const h1 = layers.dense({ units: 4, activation: 'tanh', seed: 1 }).apply(x);
    const h2 = layers.dense({ units: 4, activation: 'sigmoid', seed: 2 }).apply(x);
    const p = layers.multiply().apply([h1, h2]);
    const s = layers.subtract().apply([p, h2]);
    const out = layers.dense({ units: 1, seed: 3 }).apply(layers.maximum().apply([s, h1]));
    const m = model({ inputs: x, outputs: out });
    m.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
    const report = gradCheck(m, randn([6, 3], 70), randn([6, 1], 71), { eps: 1e-2, tolerance: 5e-3 });
    expect(report.ok).toBe(true);
  });

  test('throws when subtract gets 3 inputs, or shapes differ', () => {
    expect(() => layers.subtract().forward(xs, false)).toThrow(/subtract expects exactly 2 inputs, got 3/);
    expect(() => layers.multiply().forward([xs[0]], false)).toThrow(/expects at least 2 inputs, got 1/);
    expect(() => layers.average().forward([xs[0], randn([3, 4, 3], 1)], false)).toThrow(/every input must have the same shape/);
    expect(() => layers.maximum({ axis: 1 } as any)).toThrow(/unknown option/);
  });
});

// ------------------------------------------------------------------------------------------------
describe('serialization: className and getConfig round-trip through the registry', () => {
  const all: [string, () => Layer][] = [
    ['ActivityRegularization', () => layers.activityRegularization({ l1: 0.1, l2: 0.2 })],
    ['GaussianNoise', () => layers.gaussianNoise({ stddev: 0.1, seed: 3 })],
    ['GaussianDropout', () => layers.gaussianDropout({ rate: 0.1 })],
    ['SpatialDropout1D', () => layers.spatialDropout1d({ rate: 0.1, seed: 2 })],
    ['SpatialDropout2D', () => layers.spatialDropout2d({ rate: 0.1, dataFormat: 'channelsFirst' })],
    ['SpatialDropout3D', () => layers.spatialDropout3d({ rate: 0.1 })],
    ['UpSampling1D', () => layers.upSampling1d({ size: 3 })],
    ['UpSampling2D', () => layers.upSampling2d({ size: [2, 3], interpolation: 'bilinear' })],
    ['ZeroPadding1D', () => layers.zeroPadding1d({ padding: 2 })],
    ['ZeroPadding2D', () => layers.zeroPadding2d({ padding: [1, 2] })],
    ['Cropping1D', () => layers.cropping1d({ cropping: [0, 1] })],
    ['Cropping2D', () => layers.cropping2d({ cropping: 1 })],
    ['Permute', () => layers.permute({ dims: [2, 1] })],
    ['RepeatVector', () => layers.repeatVector({ n: 4 })],
    ['Multiply', () => layers.multiply()],
    ['Average', () => layers.average()],
    ['Subtract', () => layers.subtract()],
    ['Maximum', () => layers.maximum()],
    ['Minimum', () => layers.minimum()],
  ];
  for (const [cls, make] of all) {
    test(`${cls}`, () => {
      const l = make();
      expect(l.className).toBe(cls);
      roundTrip(l);
    });
  }

  test('getConfig carries every option in Keras form', () => {
    expect(layers.zeroPadding2d({ padding: [1, 2] }).getConfig()).toMatchObject({ padding: [[1, 1], [2, 2]], dataFormat: 'channelsLast' });
    expect(layers.cropping2d().getConfig()).toMatchObject({ cropping: [[0, 0], [0, 0]] });
    expect(layers.cropping1d().getConfig()).toMatchObject({ cropping: [1, 1] });
    expect(layers.upSampling2d().getConfig()).toMatchObject({ size: [2, 2], interpolation: 'nearest', dataFormat: 'channelsLast', trainable: true });
    expect(layers.gaussianDropout({ rate: 0.3 }).getConfig()).toMatchObject({ rate: 0.3, seed: null });
    expect(layers.activityRegularization().getConfig()).toMatchObject({ l1: 0, l2: 0 });
  });
});

// ------------------------------------------------------------------------------------------------
describe('regularizers.orthogonal (Keras 3 OrthogonalRegularizer)', () => {
  // Keras: U = l2_normalize(W, axis) (rows: axis 1), G = U·Uᵀ, penalty = factor·½·Σ|offdiag G| / (n(n−1)/2).
  const kerasTf = (w: tf.Tensor, factor: number, mode: 'rows' | 'columns'): tf.Tensor => {
    const axis = mode === 'rows' ? 1 : 0;
    const u = tf.div(w, tf.sqrt(tf.maximum(tf.sum(tf.square(w), axis, true), 1e-12)));
    const g = mode === 'rows' ? tf.matMul(u, u, false, true) : tf.matMul(u, u, true, false);
    const n = g.shape[0];
    const off = tf.sub(tf.onesLike(g), tf.eye(n));
    return tf.div(tf.mul(factor * 0.5, tf.sum(tf.abs(tf.mul(g, off)))), (n * (n - 1)) / 2);
  };

  test('a 2×2 example by hand: rows [1,0] and [1,1] → factor · |cos 45°| = 0.1 · √½', () => {
    const w = new Tensor(new Float32Array([1, 0, 1, 1]), [2, 2]);
    expect(regularizers.orthogonal({ factor: 0.1 }).penalty(w)).toBeCloseTo(0.1 * Math.SQRT1_2, 7);
    // columns [1,1] and [0,1]: the same angle
    expect(regularizers.orthogonal({ factor: 0.1, mode: 'columns' }).penalty(w)).toBeCloseTo(0.1 * Math.SQRT1_2, 7);
    // orthogonal rows: 0
    expect(regularizers.orthogonal().penalty(new Tensor(new Float32Array([2, 0, 0, -3]), [2, 2]))).toBe(0);
  });

  for (const mode of ['rows', 'columns'] as const) {
    for (const shape of [[5, 3], [3, 6]]) {
      test(`mode=${mode} W=[${shape}] penalty and gradient vs the Keras formula in tfjs (tf.grad)`, () => {
        const w = randn(shape, 80 + shape[0]);
        const reg = regularizers.orthogonal({ factor: 0.3, mode });
        const wt = toTf(w);
        expect(reg.penalty(w)).toBeCloseTo(kerasTf(wt, 0.3, mode).dataSync()[0], 5);
        const gt = tf.grad((x: tf.Tensor) => kerasTf(x, 0.3, mode))(wt);
        expectClose(reg.gradient(w).data, gt.dataSync(), 1e-5, `orthogonal ${mode} gradient`);
      });
    }
  }

  test('gradient vs central finite differences (float64 penalty of float32 weights), with a zero row (clamped norm)', () => {
    const w = randn([4, 3], 90);
    w.data.fill(0, 3, 6); // row 1 = 0: its norm is clamped at √1e-12
    for (const mode of ['rows', 'columns'] as const) {
      const reg = regularizers.orthogonal({ factor: 0.5, mode });
      const g = reg.gradient(w);
      const f32 = new Float32Array(1);
      for (let i = 0; i < w.size; i++) {
        if (mode === 'rows' && i >= 3 && i < 6) continue; // the clamp makes the penalty jump at the zero row
        const v = w.data[i];
        f32[0] = v + 1e-3; const p = f32[0];
        f32[0] = v - 1e-3; const m = f32[0];
        w.data[i] = p; const lp = reg.penalty(w);
        w.data[i] = m; const lm = reg.penalty(w);
        w.data[i] = v;
        expect(Math.abs(g.data[i] - (lp - lm) / (p - m))).toBeLessThan(1e-4);
      }
    }
  });

  test('as a Dense kernelRegularizer: one lossBreakdown term, gradCheck passes, summary and config', () => {
    const reg = regularizers.orthogonal({ factor: 0.2, mode: 'columns' });
    const d = layers.dense({ units: 4, seed: 3, inputShape: [3], kernelRegularizer: reg });
    const m = sequential([d]);
    m.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
    const x = randn([6, 3], 91), y = randn([6, 4], 92);
    const bd = m.lossBreakdown(x, y);
    expect(bd.penalties).toEqual([{ layer: d.name, target: 'kernel', value: reg.penalty(d.weights[0].value) }]);
    expect(gradCheck(m, x, y).ok).toBe(true);
    expect(reg.getConfig()).toEqual({ className: 'OrthogonalRegularizer', config: { factor: 0.2, mode: 'columns' } });
    expect(m.summary()).toMatch(/kernel: OrthogonalRegularizer\(factor=0.2, mode=columns\)/);
  });

  test('throws on a bad mode, factor, option, rank or a single row', () => {
    expect(() => regularizers.orthogonal({ mode: 'diag' as any })).toThrow(/mode must be 'rows' or 'columns', got "?diag/);
    expect(() => regularizers.orthogonal({ factor: -1 })).toThrow(/factor must be a finite number >= 0, got -1/);
    expect(() => regularizers.orthogonal({ l2: 1 } as any)).toThrow(/unknown option/);
    expect(() => regularizers.orthogonal().penalty(randn([2, 2, 2], 1))).toThrow(/must have rank 2, got shape \[2,2,2\]/);
    expect(() => regularizers.orthogonal().gradient(randn([1, 5], 1))).toThrow(/needs at least 2 rows/);
  });
});

// ------------------------------------------------------------------------------------------------
describe('the new layers inside models: summary, lossBreakdown, gradCheck, a few fit steps', () => {
  test('1D chain: zeroPadding1d → cropping1d → upSampling1d → noise layers → permute → activityRegularization → dense', async () => {
    const ar = layers.activityRegularization({ l2: 0.01 });
    const m = sequential([
      layers.zeroPadding1d({ padding: [2, 1], inputShape: [6, 3] }),
      layers.cropping1d({ cropping: [1, 2] }),
      layers.upSampling1d({ size: 2 }),
      layers.spatialDropout1d({ rate: 0.2, seed: 1 }),
      layers.gaussianNoise({ stddev: 0.1, seed: 2 }),
      layers.gaussianDropout({ rate: 0.1, seed: 3 }),
      layers.permute({ dims: [2, 1] }),
      layers.flatten(),
      layers.dense({ units: 4, activation: 'tanh', seed: 4 }),
      ar,
      layers.dense({ units: 1, seed: 5 }),
    ]);
    m.compile({ optimizer: optimizers.adam({ learningRate: 0.01 }), loss: 'meanSquaredError' });
    const s = m.summary();
    for (const cls of ['ZeroPadding1D', 'Cropping1D', 'UpSampling1D', 'SpatialDropout1D', 'GaussianNoise', 'GaussianDropout', 'Permute', 'ActivityRegularization']) expect(s).toContain(`(${cls})`);
    expect(s).toMatch(/permute_\d+ \(Permute\)\s+\[null,3,12\]/);
    const x = randn([10, 6, 3], 100), y = randn([10, 1], 101);
    const bd = m.lossBreakdown(x, y);
    expect(bd.penalties.map((t) => `${t.layer}/${t.target}`)).toEqual([`${ar.name}/activity`]);
    expect(gradCheck(m, x, y, { eps: 1e-2, tolerance: 3e-3, maxPerWeight: 10 }).ok).toBe(true);
    const before = m.evaluate(x, y).loss;
    const h = await m.fit(x, y, { epochs: 15, batchSize: 5, seed: 1, verbose: 0 });
    expect(h.history.loss.every(Number.isFinite)).toBe(true);
    expect(m.evaluate(x, y).loss).toBeLessThan(before);
  });

  test('2D chain: zeroPadding2d → upSampling2d bilinear → cropping2d → spatialDropout2d → conv2d, merges in a functional model', async () => {
    const x = input({ shape: [4, 4, 2] });
    const a = layers.zeroPadding2d({ padding: 1 }).apply(x);
    const b = layers.upSampling2d({ size: 2, interpolation: 'bilinear' }).apply(a);
    const c = layers.cropping2d({ cropping: [[2, 2], [2, 2]] }).apply(b);
    const d = layers.spatialDropout2d({ rate: 0.25, seed: 6 }).apply(c);
    const k1 = layers.conv2d({ filters: 2, kernelSize: 3, padding: 'same', seed: 7, activation: 'tanh' }).apply(d);
    const k2 = layers.conv2d({ filters: 2, kernelSize: 1, seed: 8, activation: 'sigmoid' }).apply(d);
    const merged = layers.average().apply([layers.multiply().apply([k1, k2]), layers.maximum().apply([k1, k2]), layers.minimum().apply([k1, k2])]);
    const out = layers.dense({ units: 1, seed: 9 }).apply(layers.flatten().apply(layers.subtract().apply([merged, k2])));
    const m = model({ inputs: x, outputs: out });
    m.compile({ optimizer: optimizers.sgd({ learningRate: 0.05, clipnorm: 1 }), loss: 'meanSquaredError' });
    expect(m.summary()).toMatch(/cropping2d_\d+ \(Cropping2D\)\s+\[null,8,8,2\]/);
    const xs = randn([6, 4, 4, 2], 102), ys = randn([6, 1], 103);
    expect(gradCheck(m, xs, ys, { eps: 1e-2, tolerance: 5e-3, maxPerWeight: 8 }).ok).toBe(true);
    const before = m.evaluate(xs, ys).loss;
    await m.fit(xs, ys, { epochs: 10, batchSize: 3, seed: 2, verbose: 0 });
    expect(m.evaluate(xs, ys).loss).toBeLessThan(before);
  });
});
