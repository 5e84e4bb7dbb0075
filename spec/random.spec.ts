/**
 * Seeded random tensors. The generator is documented as mulberry32 with uniforms u = x / 2^32 and
 * Box–Muller normals (cos first, then the spare sin; u1 mapped to (0, 1]). This spec re-implements
 * that documented algorithm independently and pins the engine's numbers to it.
 */
import { randomNormal, randomUniform } from '../lib/tensor';
import { Random } from '../lib/random';
import { ConfigError, ShapeError } from '../lib/errors';

/** mulberry32, written from its published description (state += 0x6D2B79F5, two xorshift-multiply rounds). */
function mulberry32(seed: number): () => number {
  let a = seed | 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function boxMuller(next: () => number, count: number): number[] {
  const out: number[] = [];
  while (out.length < count) {
    const u1 = 1 - next(), u2 = next();
    const r = Math.sqrt(-2 * Math.log(u1));
    out.push(r * Math.cos(2 * Math.PI * u2), r * Math.sin(2 * Math.PI * u2));
  }
  return out.slice(0, count);
}

function moments(xs: ArrayLike<number>): { mean: number; std: number } {
  let s = 0, s2 = 0;
  for (let i = 0; i < xs.length; i++) { s += xs[i]; s2 += xs[i] * xs[i]; }
  const mean = s / xs.length;
  return { mean, std: Math.sqrt(s2 / xs.length - mean * mean) };
}

describe('seeded generator: pinned to the documented mulberry32 + Box–Muller', () => {
  test.each([0, 1, 42, 123456789, 4294967295])('Random(%i).uniform() and nextUint32() follow mulberry32', (seed) => {
    const ref = mulberry32(seed), r = new Random(seed), r2 = new Random(seed);
    for (let i = 0; i < 20; i++) {
      const u = ref();
      expect(r.uniform()).toBe(u);
      expect(r2.nextUint32()).toBe(u * 4294967296);
    }
  });

  test('randomUniform([8], { min: -2, max: 3, seed: 42 }) = fround(-2 + 5·u_i)', () => {
    const ref = mulberry32(42);
    const expected = Array.from({ length: 8 }, () => Math.fround(-2 + (3 - -2) * ref()));
    expect(Array.from(randomUniform([8], { min: -2, max: 3, seed: 42 }).data)).toEqual(expected);
  });

  test('randomNormal([7], { mean: 1, stddev: 2, seed: 7 }) = fround(1 + 2·z_i), z from Box–Muller pairs (odd count uses the spare)', () => {
    const z = boxMuller(mulberry32(7), 7);
    const t = randomNormal([7], { mean: 1, stddev: 2, seed: 7 });
    expect(Array.from(t.data)).toEqual(z.map((v) => Math.fround(1 + 2 * v)));
  });

  test('default randomUniform is [0,1) and default randomNormal is mean 0, stddev 1', () => {
    const ref = mulberry32(5);
    expect(Array.from(randomUniform([3], { seed: 5 }).data)).toEqual([ref(), ref(), ref()].map(Math.fround));
    const z = boxMuller(mulberry32(5), 4);
    expect(Array.from(randomNormal([2, 2], { seed: 5 }).data)).toEqual(z.map(Math.fround));
  });

  test('same seed → same numbers; different seeds → different numbers; fractional seeds are floored', () => {
    const a = randomNormal([100], { seed: 9 }), b = randomNormal([100], { seed: 9 }), c = randomNormal([100], { seed: 10 });
    expect(Array.from(a.data)).toEqual(Array.from(b.data));
    expect(Array.from(a.data)).not.toEqual(Array.from(c.data));
    expect(Array.from(randomUniform([5], { seed: 3.7 }).data)).toEqual(Array.from(randomUniform([5], { seed: 3 }).data));
    expect(Array.from(randomUniform([5], { seed: -12 }).data)).toEqual(Array.from(randomUniform([5], { seed: -12 }).data));
  });

  test('seeds in [0, 2^32) are the mulberry32 state; small negative seeds do not collide with small positive ones', () => {
    const first = (seed: number): number[] => { const r = new Random(seed); return [r.uniform(), r.uniform()]; };
    const ref = mulberry32(77);
    expect(first(77)).toEqual([ref(), ref()]);
    const seen = new Set<string>();
    for (let seed = -50; seed <= 50; seed++) seen.add(first(seed).join(','));
    expect(seen.size).toBe(101);
    expect(first(2 ** 32 + 5)).not.toEqual(first(5));
    expect(first(-1)).toEqual(first(-1));
  });

  test('with a seed, Math.random is never called; without one it seeds the generator', () => {
    const spy = jest.spyOn(Math, 'random');
    try {
      randomNormal([10], { seed: 1 });
      randomUniform([10], { seed: 1 });
      new Random(5).shuffle([1, 2, 3]);
      expect(spy).not.toHaveBeenCalled();
      const a = randomUniform([4]);
      expect(spy).toHaveBeenCalledTimes(1);
      expect(a.shape).toEqual([4]);
    } finally {
      spy.mockRestore();
    }
  });
});

describe('distribution moments (200k samples)', () => {
  test('randomNormal mean 3, stddev 0.5: sample mean ≈ 3 (±0.01), std ≈ 0.5 (±0.01), 68.3% within 1σ', () => {
    const x = randomNormal([200_000], { mean: 3, stddev: 0.5, seed: 11 }).data;
    const m = moments(x);
    expect(Math.abs(m.mean - 3)).toBeLessThan(0.01);
    expect(Math.abs(m.std - 0.5)).toBeLessThan(0.01);
    let inside = 0;
    for (let i = 0; i < x.length; i++) if (Math.abs(x[i] - 3) < 0.5) inside++;
    expect(Math.abs(inside / x.length - 0.6827)).toBeLessThan(0.005);
  });

  test('randomUniform [-1, 4): all values in range, mean ≈ 1.5, std ≈ 5/√12', () => {
    const x = randomUniform([200_000], { min: -1, max: 4, seed: 12 }).data;
    let lo = Infinity, hi = -Infinity;
    for (let i = 0; i < x.length; i++) { lo = Math.min(lo, x[i]); hi = Math.max(hi, x[i]); }
    expect(lo).toBeGreaterThanOrEqual(-1);
    expect(hi).toBeLessThan(4);
    const m = moments(x);
    expect(Math.abs(m.mean - 1.5)).toBeLessThan(0.02);
    expect(Math.abs(m.std - 5 / Math.sqrt(12))).toBeLessThan(0.01);
  });

  test('randomUniform stays below max even when float32 rounding would reach it: [1, 1+2^-20) has 8 float32 values', () => {
    const max = 1 + 2 ** -20;
    const x = randomUniform([20_000], { min: 1, max, seed: 3 }).data;
    const distinct = new Set(Array.from(x));
    for (const v of distinct) expect(v).toBeLessThan(max);
    expect(distinct.size).toBe(8); // 1, 1 + 2^-23, …, 1 + 7·2^-23
  });

  test('stddev 0 gives the mean; min = max gives min', () => {
    expect(Array.from(randomNormal([3], { mean: 2, stddev: 0, seed: 1 }).data)).toEqual([2, 2, 2]);
    expect(Array.from(randomUniform([3], { min: 5, max: 5, seed: 1 }).data)).toEqual([5, 5, 5]);
  });
});

describe('Random helpers', () => {
  test('int(n) is in [0, n) and equals floor(u·n)', () => {
    const ref = mulberry32(8), r = new Random(8);
    for (let i = 0; i < 1000; i++) expect(r.int(7)).toBe(Math.floor(ref() * 7));
  });

  test('shuffle is a deterministic Fisher–Yates permutation', () => {
    const a = Array.from({ length: 50 }, (_, i) => i), b = a.slice();
    new Random(4).shuffle(a);
    new Random(4).shuffle(b);
    expect(a).toEqual(b);
    expect(a.slice().sort((p, q) => p - q)).toEqual(Array.from({ length: 50 }, (_, i) => i));
    expect(a).not.toEqual(Array.from({ length: 50 }, (_, i) => i));
    // Reference Fisher–Yates with the same uniforms.
    const ref = mulberry32(4), c = Array.from({ length: 50 }, (_, i) => i);
    for (let i = c.length - 1; i > 0; i--) { const j = Math.floor(ref() * (i + 1)); [c[i], c[j]] = [c[j], c[i]]; }
    expect(a).toEqual(c);
  });
});

describe('random tensor errors', () => {
  test('throws when options are out of range or not finite', () => {
    expect(() => randomNormal([2], { stddev: -1 })).toThrow(ConfigError);
    expect(() => randomNormal([2], { stddev: -1 })).toThrow(/^randomNormal: stddev must be >= 0, got -1/);
    expect(() => randomNormal([2], { mean: NaN })).toThrow(/^randomNormal: mean must be a finite number, got NaN/);
    expect(() => randomNormal([2], { seed: Infinity })).toThrow(/^randomNormal: seed must be a finite number, got Infinity/);
    expect(() => randomUniform([2], { min: 1, max: 0 })).toThrow(/^randomUniform: max must be >= min, got min 1, max 0/);
    expect(() => randomUniform([2], { max: '1' as unknown as number })).toThrow(/^randomUniform: max must be a finite number, got "1"/);
  });

  test('throws when the shape is malformed', () => {
    expect(() => randomNormal([2, -3])).toThrow(ShapeError);
    expect(() => randomUniform([0.5])).toThrow(/^randomUniform: shape must be an array of non-negative integers, got \[0.5\]/);
  });
});
