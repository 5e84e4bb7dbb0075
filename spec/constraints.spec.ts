/**
 * Weight constraints (lib/constraints.ts): each formula against hand-computed values and against
 * TensorFlow.js' tf.constraints on the same weights; the hook in fit (applied after every step, on
 * Dense and Conv kernels and biases); option and shape errors.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import { constraints, tensor, layers, sequential, randomNormal, Tensor, ConfigError, ShapeError, ValueError } from '../lib/index';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const EPS = 1e-7;

function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tol: number, what: string): void {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < actual.length; i++) {
    if (!(Math.abs(actual[i] - expected[i]) <= tol * Math.max(1, Math.abs(expected[i])))) {
      throw new Error(`${what}: index ${i}: got ${actual[i]}, expected ${expected[i]}`);
    }
  }
}

describe('formulas, hand-computed', () => {
  // Columns (axis 0 of a [2, 2] kernel): [3, 4] has norm 5, [0.3, 0.4] has norm 0.5.
  const w = tensor([[3, 0.3], [4, 0.4]]);

  test('maxNorm maxValue=2 axis=0: the column of norm 5 is scaled to 2, the column of norm 0.5 is kept', () => {
    const out = constraints.maxNorm({ maxValue: 2, axis: 0 }).apply(w);
    expectClose(out.data, [3 * 2 / (5 + EPS), 0.3 * 0.5 / (0.5 + EPS), 4 * 2 / (5 + EPS), 0.4 * 0.5 / (0.5 + EPS)], 1e-6, 'maxNorm');
  });

  test('unitNorm axis=1 (rows): each row is divided by its norm', () => {
    const n0 = Math.hypot(3, 0.3), n1 = Math.hypot(4, 0.4);
    const out = constraints.unitNorm({ axis: 1 }).apply(w);
    expectClose(out.data, [3 / (n0 + EPS), 0.3 / (n0 + EPS), 4 / (n1 + EPS), 0.4 / (n1 + EPS)], 1e-6, 'unitNorm');
  });

  test('minMaxNorm min=1 max=2 rate=0.5: norms 5 → 0.5·2 + 0.5·5 = 3.5, 0.5 → 0.5·1 + 0.5·0.5 = 0.75', () => {
    const out = constraints.minMaxNorm({ minValue: 1, maxValue: 2, rate: 0.5 }).apply(w);
    expectClose(out.data, [3 * 3.5 / 5, 0.3 * 0.75 / 0.5, 4 * 3.5 / 5, 0.4 * 0.75 / 0.5], 1e-6, 'minMaxNorm');
  });

  test('nonNeg zeroes negative entries only', () => {
    expect(Array.from(constraints.nonNeg().apply(tensor([-1, 0, 2, -0.5])).data)).toEqual([0, 0, 2, 0]);
  });

  test('axis as a list: a conv kernel [kh, kw, in, out] with axis [0, 1, 2] constrains each filter', () => {
    const k = randomNormal([3, 3, 2, 4], { seed: 3 });
    const out = constraints.maxNorm({ maxValue: 0.5, axis: [0, 1, 2] }).apply(k);
    for (let o = 0; o < 4; o++) {
      let sq = 0;
      for (let i = o; i < out.size; i += 4) sq += out.data[i] ** 2;
      expect(Math.sqrt(sq)).toBeLessThanOrEqual(0.5 + 1e-6);
    }
  });
});

describe('parity with tf.constraints on the same weights', () => {
  const w = randomNormal([5, 3, 4], { seed: 11, stddev: 2 });
  const wt = tf.tensor(w.data, w.shape as number[]);
  const cases: [string, () => { apply(x: Tensor): Tensor }, () => { apply(x: tf.Tensor): tf.Tensor }][] = [
    ['maxNorm maxValue=1.5 axis=0', () => constraints.maxNorm({ maxValue: 1.5, axis: 0 }), () => tfl.constraints.maxNorm({ maxValue: 1.5, axis: 0 })],
    ['maxNorm maxValue=3 axis=[0,1]', () => constraints.maxNorm({ maxValue: 3, axis: [0, 1] }), () => tfl.constraints.maxNorm({ maxValue: 3, axis: [0, 1] as unknown as number })],
    ['unitNorm axis=2', () => constraints.unitNorm({ axis: 2 }), () => tfl.constraints.unitNorm({ axis: 2 })],
    ['minMaxNorm min=1 max=2 rate=0.7 axis=1', () => constraints.minMaxNorm({ minValue: 1, maxValue: 2, rate: 0.7, axis: 1 }), () => tfl.constraints.minMaxNorm({ minValue: 1, maxValue: 2, rate: 0.7, axis: 1 })],
    ['nonNeg', () => constraints.nonNeg(), () => tfl.constraints.nonNeg()],
  ];
  test.each(cases)('%s', (_, ours, theirs) => {
    const expected = theirs().apply(wt).dataSync();
    expectClose(ours().apply(w).data, expected, 1e-5, 'constraint');
  });
});

describe('the hook in fit: after every optimizer step', () => {
  test('dense kernelConstraint maxNorm(1) + biasConstraint nonNeg hold after each batch, and the weights did move', async () => {
    const x = randomNormal([64, 6], { seed: 1 });
    const y = randomNormal([64, 3], { seed: 2, stddev: 10 });
    const d = layers.dense({ units: 3, inputShape: [6], seed: 4, kernelConstraint: constraints.maxNorm({ maxValue: 1 }), biasConstraint: 'nonNeg' });
    const m = sequential([d]);
    m.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
    const before = m.getWeights()[0].data.slice();
    let checked = 0;
    await m.fit(x, y, {
      epochs: 2, batchSize: 16, verbose: 0, seed: 1,
      callbacks: { onBatchEnd: () => {
        const [k, b] = d.getWeights();
        for (let u = 0; u < 3; u++) {
          let sq = 0;
          for (let i = 0; i < 6; i++) sq += k.data[i * 3 + u] ** 2;
          expect(Math.sqrt(sq)).toBeLessThanOrEqual(1 + 1e-6);
        }
        for (const v of b.data) expect(v).toBeGreaterThanOrEqual(0);
        checked++;
      } },
    });
    expect(checked).toBe(8);
    expect(Math.max(...m.getWeights()[0].data.map((v, i) => Math.abs(v - before[i])))).toBeGreaterThan(1e-3);
  });

  test('the classic dropout + maxNorm(3) recipe: without the constraint the norms exceed 3, with it they stay below', async () => {
    const x = randomNormal([128, 10], { seed: 5 });
    const y = randomNormal([128, 1], { seed: 6, stddev: 50 });
    const norms = async (constraint?: constraints.ConstraintIdentifier) => {
      const h = layers.dense({ units: 16, activation: 'relu', inputShape: [10], seed: 7, kernelConstraint: constraint });
      const m = sequential([h, layers.dropout({ rate: 0.5, seed: 1 }), layers.dense({ units: 1, seed: 8 })]);
      m.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
      await m.fit(x, y, { epochs: 5, batchSize: 32, verbose: 0, seed: 2 });
      const k = h.getWeights()[0];
      const out: number[] = [];
      for (let u = 0; u < 16; u++) {
        let sq = 0;
        for (let i = 0; i < 10; i++) sq += k.data[i * 16 + u] ** 2;
        out.push(Math.sqrt(sq));
      }
      return Math.max(...out);
    };
    expect(await norms()).toBeGreaterThan(3);
    expect(await norms(constraints.maxNorm({ maxValue: 3 }))).toBeLessThanOrEqual(3 + 1e-5);
  });

  test('conv2d kernelConstraint unitNorm axis [0,1,2]: every filter has norm 1 after fit', async () => {
    const x = randomNormal([8, 5, 5, 2], { seed: 9 });
    const y = randomNormal([8, 3, 3, 4], { seed: 10 });
    const c = layers.conv2d({ filters: 4, kernelSize: 3, inputShape: [5, 5, 2], seed: 3, kernelConstraint: constraints.unitNorm({ axis: [0, 1, 2] }) });
    const m = sequential([c]);
    m.compile({ optimizer: 'adam', loss: 'meanSquaredError' });
    await m.fit(x, y, { epochs: 1, batchSize: 4, verbose: 0 });
    const k = c.getWeights()[0];
    for (let o = 0; o < 4; o++) {
      let sq = 0;
      for (let i = o; i < k.size; i += 4) sq += k.data[i] ** 2;
      expect(Math.sqrt(sq)).toBeCloseTo(1, 5);
    }
  });

  test('a user constraint (an object with apply) runs, and one returning a wrong shape is a ValueError naming the weight', async () => {
    const x = randomNormal([4, 2], { seed: 1 });
    const y = randomNormal([4, 1], { seed: 2 });
    const clip = { apply: (w: Tensor) => new Tensor(w.data.map((v) => Math.max(-0.01, Math.min(0.01, v))), w.shape as number[]) };
    const d = layers.dense({ units: 1, inputShape: [2], kernelConstraint: clip });
    const m = sequential([d]);
    m.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
    await m.fit(x, y, { epochs: 1, batchSize: 4, verbose: 0 });
    for (const v of d.getWeights()[0].data) expect(Math.abs(v)).toBeLessThanOrEqual(0.01 + 1e-9);

    const bad = layers.dense({ units: 1, inputShape: [2], name: 'bad_dense', kernelConstraint: { apply: () => tensor([1]) } });
    const m2 = sequential([bad]);
    m2.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
    await expect(m2.fit(x, y, { epochs: 1, verbose: 0 })).rejects.toThrow(ValueError);
    await expect(m2.fit(x, y, { epochs: 1, verbose: 0 })).rejects.toThrow(/bad_dense\/kernel.*shape \[2,1\]/);
  });
});

describe('errors', () => {
  test('throws when maxValue is negative, rate above 1, maxValue below minValue, axis not an integer, or an option is unknown', () => {
    expect(() => constraints.maxNorm({ maxValue: -1 })).toThrow(/constraints.maxNorm: maxValue must be a finite number >= 0, got -1/);
    expect(() => constraints.minMaxNorm({ rate: 2 })).toThrow(/rate must be in \[0, 1\], got 2/);
    expect(() => constraints.minMaxNorm({ minValue: 3, maxValue: 1 })).toThrow(/maxValue must be >= minValue/);
    expect(() => constraints.unitNorm({ axis: 0.5 })).toThrow(ConfigError);
    expect(() => constraints.maxNorm({ max_value: 2 } as never)).toThrow(/unknown option "max_value"/);
  });

  test('throws when a layer gets an unknown constraint name', () => {
    expect(() => layers.dense({ units: 2, kernelConstraint: 'maxnorm' as never })).toThrow(/kernelConstraint must be 'maxNorm'.*got "maxnorm"/);
  });

  test('throws at build when the axis is out of range for the weight', () => {
    const d = layers.dense({ units: 2, inputShape: [3], name: 'axis_dense', kernelConstraint: constraints.maxNorm({ axis: 2 }) });
    expect(() => sequential([d])).toThrow(ShapeError);
    expect(() => sequential([layers.dense({ units: 2, inputShape: [3], kernelConstraint: constraints.maxNorm({ axis: 5 }) })])).toThrow(/MaxNorm axis \[5\] is out of range for a weight of shape \[3,2\]/);
  });
});
