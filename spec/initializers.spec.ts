/**
 * Initializers (lib/initializers.ts): Keras fans, the limits and standard deviations of the
 * variance-scaling family measured on large samples, fixed-parameter initializers, seeding, and
 * the option forms a layer accepts (camelCase, snake_case, { name, … } objects, errors).
 */
import { computeFans, getInitializer, TRUNCATED_NORMAL_STDDEV } from '../lib/initializers';
import { Random } from '../lib/random';
import { ConfigError } from '../lib/errors';
import * as layers from '../lib/layers/index';

function stats(a: Float32Array): { mean: number; std: number; min: number; max: number } {
  let s = 0, s2 = 0, min = Infinity, max = -Infinity;
  for (const v of a) { s += v; s2 += v * v; if (v < min) min = v; if (v > max) max = v; }
  const mean = s / a.length;
  return { mean, std: Math.sqrt(s2 / a.length - mean * mean), min, max };
}

const init = (name: unknown, shape: number[], seed = 1): Float32Array =>
  getInitializer('test', 'kernelInitializer', name, 'glorotUniform').init(shape, new Random(seed));

describe('fans (Keras _compute_fans)', () => {
  test('dense kernel [in=20, out=30]: fanIn 20, fanOut 30', () => {
    expect(computeFans([20, 30])).toEqual({ fanIn: 20, fanOut: 30 });
  });
  test('conv2d kernel [3,3,16,32]: fanIn 3·3·16, fanOut 3·3·32', () => {
    expect(computeFans([3, 3, 16, 32])).toEqual({ fanIn: 3 * 3 * 16, fanOut: 3 * 3 * 32 });
  });
  test('conv1d [5,4,8] and conv3d [2,3,4,5,6] kernels', () => {
    expect(computeFans([5, 4, 8])).toEqual({ fanIn: 5 * 4, fanOut: 5 * 8 });
    expect(computeFans([2, 3, 4, 5, 6])).toEqual({ fanIn: 2 * 3 * 4 * 5, fanOut: 2 * 3 * 4 * 6 });
  });
  test('bias [n]: fanIn = fanOut = n; scalar: 1, 1', () => {
    expect(computeFans([7])).toEqual({ fanIn: 7, fanOut: 7 });
    expect(computeFans([])).toEqual({ fanIn: 1, fanOut: 1 });
  });
});

describe('variance scaling family (shape [3,3,16,32]: fanIn 144, fanOut 288, 4608 values)', () => {
  const shape = [3, 3, 16, 32];
  const fanIn = 3 * 3 * 16, fanOut = 3 * 3 * 32;
  // Sample stddev of n = 4608 values has relative error ≈ 1/sqrt(2n) ≈ 1%: allow 5%.

  test('glorotUniform: U(−limit, limit) with limit = sqrt(6 / (fanIn + fanOut))', () => {
    const limit = Math.sqrt(6 / (fanIn + fanOut));
    const s = stats(init('glorotUniform', shape));
    expect(s.min).toBeGreaterThanOrEqual(-limit);
    expect(s.max).toBeLessThanOrEqual(limit);
    expect(s.max).toBeGreaterThan(0.98 * limit);
    expect(s.min).toBeLessThan(-0.98 * limit);
    expect(Math.abs(s.std / (limit / Math.sqrt(3)) - 1)).toBeLessThan(0.05);
    expect(Math.abs(s.mean)).toBeLessThan(0.05 * limit);
  });

  test('heUniform: limit = sqrt(6 / fanIn)', () => {
    const limit = Math.sqrt(6 / fanIn);
    const s = stats(init('heUniform', shape));
    expect(s.max).toBeLessThanOrEqual(limit);
    expect(s.max).toBeGreaterThan(0.98 * limit);
    expect(Math.abs(s.std / (limit / Math.sqrt(3)) - 1)).toBeLessThan(0.05);
  });

  test('glorotNormal: truncated normal whose final stddev is sqrt(2 / (fanIn + fanOut)), |x| <= 2·sqrt(2/(fanIn+fanOut))/0.8796', () => {
    const target = Math.sqrt(2 / (fanIn + fanOut));
    const s = stats(init('glorotNormal', shape));
    expect(Math.abs(s.std / target - 1)).toBeLessThan(0.05);
    expect(Math.max(-s.min, s.max)).toBeLessThanOrEqual(2 * target / TRUNCATED_NORMAL_STDDEV + 1e-7);
    expect(Math.max(-s.min, s.max)).toBeGreaterThan(1.9 * target / TRUNCATED_NORMAL_STDDEV);
  });

  test('heNormal: truncated normal whose final stddev is sqrt(2 / fanIn)', () => {
    const target = Math.sqrt(2 / fanIn);
    const s = stats(init('heNormal', shape));
    expect(Math.abs(s.std / target - 1)).toBeLessThan(0.05);
    expect(Math.max(-s.min, s.max)).toBeLessThanOrEqual(2 * target / TRUNCATED_NORMAL_STDDEV + 1e-7);
  });

  test('0.87962566103423978 is the stddev of a unit normal truncated to [−2, 2]', () => {
    // Var = 1 − 2·2·φ(2) / (2Φ(2) − 1), φ(2) = e^−2 / sqrt(2π), 2Φ(2) − 1 = erf(sqrt 2) = 0.9544997361036416
    const phi2 = Math.exp(-2) / Math.sqrt(2 * Math.PI);
    expect(Math.sqrt(1 - (2 * 2 * phi2) / 0.9544997361036416)).toBeCloseTo(TRUNCATED_NORMAL_STDDEV, 10);
  });
});

describe('fixed-parameter initializers', () => {
  test('zeros and ones', () => {
    expect(Array.from(init('zeros', [2, 3]))).toEqual([0, 0, 0, 0, 0, 0]);
    expect(Array.from(init('ones', [2, 2]))).toEqual([1, 1, 1, 1]);
  });
  test('randomNormal defaults: mean 0, stddev 0.05 (Keras)', () => {
    const s = stats(init('randomNormal', [100, 100]));
    expect(Math.abs(s.mean)).toBeLessThan(0.002);
    expect(Math.abs(s.std / 0.05 - 1)).toBeLessThan(0.03);
  });
  test('randomNormal object { mean: 1, stddev: 0.1 }', () => {
    const s = stats(init({ name: 'randomNormal', mean: 1, stddev: 0.1 }, [100, 100]));
    expect(Math.abs(s.mean - 1)).toBeLessThan(0.005);
    expect(Math.abs(s.std / 0.1 - 1)).toBeLessThan(0.03);
  });
  test('randomUniform object { minval: 2, maxval: 3 }', () => {
    const s = stats(init({ name: 'randomUniform', minval: 2, maxval: 3 }, [50, 50]));
    expect(s.min).toBeGreaterThanOrEqual(2);
    expect(s.max).toBeLessThan(3);
    expect(Math.abs(s.mean - 2.5)).toBeLessThan(0.02);
  });
});

describe('seeding and option forms', () => {
  test('the same generator seed gives the same values; an object seed overrides the generator', () => {
    expect(init('glorotNormal', [4, 5], 7)).toEqual(init('glorotNormal', [4, 5], 7));
    expect(init('glorotNormal', [4, 5], 7)).not.toEqual(init('glorotNormal', [4, 5], 8));
    expect(init({ name: 'heUniform', seed: 3 }, [4, 5], 7)).toEqual(init({ name: 'heUniform', seed: 3 }, [4, 5], 8));
  });

  test('layers: seed option reproduces every initializer, kernel and bias', () => {
    for (const kernelInitializer of ['glorotUniform', 'glorotNormal', 'heNormal', 'heUniform', 'randomNormal']) {
      const make = (): number[][] => {
        const l = layers.conv2d({ filters: 3, kernelSize: 2, kernelInitializer, biasInitializer: 'randomNormal', seed: 99 });
        l.build([[4, 4, 2]]);
        return l.getWeights().map((w) => Array.from(w.data));
      };
      expect(make()).toEqual(make());
    }
  });

  test('Keras snake_case names are accepted: glorot_uniform, he_normal', () => {
    expect(getInitializer('t', 'a', 'glorot_uniform', 'zeros').name).toBe('glorotUniform');
    expect(getInitializer('t', 'a', 'he_normal', 'zeros').name).toBe('heNormal');
  });

  test('getConfig is Keras-style', () => {
    expect(getInitializer('t', 'a', 'glorotUniform', 'zeros').getConfig()).toEqual({ className: 'GlorotUniform', config: { seed: null } });
    expect(getInitializer('t', 'a', { name: 'randomNormal', stddev: 0.1, seed: 2 }, 'zeros').getConfig())
      .toEqual({ className: 'RandomNormal', config: { mean: 0, stddev: 0.1, seed: 2 } });
    expect(getInitializer('t', 'a', undefined, 'zeros').getConfig()).toEqual({ className: 'Zeros', config: {} });
  });

  test('throws when the name is unknown (ConfigError naming the layer and argument)', () => {
    expect(() => getInitializer('dense_9', 'kernelInitializer', 'xavier', 'zeros')).toThrow(ConfigError);
    expect(() => getInitializer('dense_9', 'kernelInitializer', 'xavier', 'zeros')).toThrow(/dense_9: kernelInitializer must be one of 'zeros', 'ones', 'glorotUniform'.*got "xavier"/);
    expect(() => getInitializer('d', 'biasInitializer', 3, 'zeros')).toThrow(/d: biasInitializer must be one of .* got 3/);
  });

  test('throws when object parameters are invalid', () => {
    expect(() => getInitializer('d', 'k', { name: 'randomNormal', stddev: -1 }, 'zeros')).toThrow(/d: k.stddev must be >= 0, got -1/);
    expect(() => getInitializer('d', 'k', { name: 'randomNormal', mean: NaN }, 'zeros')).toThrow(/d: k.mean must be a finite number, got NaN/);
    expect(() => getInitializer('d', 'k', { name: 'randomUniform', minval: 1, maxval: 0 }, 'zeros')).toThrow(/maxval must be >= minval/);
    expect(() => getInitializer('d', 'k', { name: 'randomNormal', sigma: 1 }, 'zeros')).toThrow(/d: k has unknown option "sigma"/);
  });
});
