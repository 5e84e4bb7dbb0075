import { layers, optimizers, regularizers, sequential, Random, Tensor, type LossBreakdown } from '../lib';
import {
  activityKernelRatio, chooseOnValidation, epochsForSize, kernelNorms, lambdaSweep, learningCurve, lipschitzBound, logGrid,
  modelKernels, noiseSensitivity, penaltyByTarget, predictedClasses, searchCandidates, spectralNorm,
} from '../examples/lab/measure';
import { mean, pairedDifference, standardError, std, summarize, tCritical95 } from '../examples/lab/stats';
import { probabilityGrid } from '../examples/lab/experiments';

const PHI = (1 + Math.sqrt(5)) / 2;

/** A fixed sequence of "standard normals", cycled. */
function sequence(values: number[]): () => number {
  let i = 0;
  return () => values[i++ % values.length];
}

describe('lab stats: mean, std, standard error, paired difference', () => {
  test('[1, 2, 3, 4] → mean 2.5, sample std √(5/3), standard error √(5/3)/2', () => {
    expect(mean([1, 2, 3, 4])).toBe(2.5);
    expect(std([1, 2, 3, 4])).toBeCloseTo(Math.sqrt(5 / 3), 12);
    expect(standardError([1, 2, 3, 4])).toBeCloseTo(Math.sqrt(5 / 3) / 2, 12);
    expect(std([7])).toBe(0);
    expect(mean([])).toBeNaN();
    expect(summarize([2, 4])).toEqual({ mean: 3, std: Math.SQRT2, se: 1, n: 2, values: [2, 4] });
  });

  test('t quantiles: 12.706 at 1 df, 4.303 at 2, 2.042 at 30, 1.96 beyond', () => {
    expect(tCritical95(1)).toBe(12.706);
    expect(tCritical95(2)).toBe(4.303);
    expect(tCritical95(30)).toBe(2.042);
    expect(tCritical95(100)).toBe(1.96);
    expect(tCritical95(0)).toBeNaN();
  });

  test('paired differences b − a: spread 1 on 3 pairs is within the noise, a steady shift is clear', () => {
    // d = [1, 2, 3]: mean 2, std 1, se 1/√3, 95% half-width 4.303/√3 = 2.484 > 2
    const noisy = pairedDifference([1, 2, 3], [2, 4, 6]);
    expect(noisy.mean).toBe(2);
    expect(noisy.std).toBeCloseTo(1, 12);
    expect(noisy.ci95).toBeCloseTo(4.303 / Math.sqrt(3), 12);
    expect(noisy.verdict).toBe('within the noise');
    // d = [1, 1.1, 0.9]: mean 1, std 0.1, half-width 4.303·0.1/√3 = 0.248 < 1
    const steady = pairedDifference([0, 0, 0], [1, 1.1, 0.9]);
    expect(steady.mean).toBeCloseTo(1, 12);
    expect(steady.ci95).toBeCloseTo((4.303 * 0.1) / Math.sqrt(3), 10);
    expect(steady.verdict).toBe('clear');
    // a single pair can never be clear
    expect(pairedDifference([0], [5]).verdict).toBe('within the noise');
    expect(() => pairedDifference([1, 2], [1])).toThrow(/as many values/);
  });
});

describe('lab measure: kernel norms and the spectral norm by power iteration', () => {
  test('kernelNorms: ‖[3, 4]‖ = 5, ‖[[1, 2], [2, 4]]‖ = 5', () => {
    expect(kernelNorms([
      { layer: 'a', data: Float32Array.from([3, 4]), shape: [2, 1] },
      { layer: 'b', data: Float32Array.from([1, 2, 2, 4]), shape: [2, 2] },
    ])).toEqual([{ layer: 'a', norm: 5 }, { layer: 'b', norm: 5 }]);
  });

  test('diag(3, 1) → 3; [[1, 1], [0, 1]] → the golden ratio; [1, 2, 3]ᵀ[1, 2] → √70; zero → 0', () => {
    expect(spectralNorm([3, 0, 0, 1], 2, 2)).toBeCloseTo(3, 10);
    expect(spectralNorm([1, 1, 0, 1], 2, 2)).toBeCloseTo(PHI, 10);
    expect(spectralNorm([1, 2, 2, 4, 3, 6], 3, 2)).toBeCloseTo(Math.sqrt(70), 10);
    expect(spectralNorm([0, 0, 0, 0], 2, 2)).toBe(0);
    // a 1×n matrix: its Euclidean norm
    expect(spectralNorm([1, 2, 2], 1, 3)).toBeCloseTo(3, 10);
    expect(() => spectralNorm([1, 2, 3], 2, 2)).toThrow(/2×2 needs 4 values, got 3/);
  });

  test('a random 40×30 matrix: power iteration matches max ‖Wv‖ over many unit vectors from above, and ‖W‖_F from below', () => {
    const rng = new Random(5);
    const w = Array.from({ length: 40 * 30 }, () => rng.normal());
    const s = spectralNorm(w, 40, 30);
    let best = 0;
    for (let t = 0; t < 200; t++) {
      const v = Array.from({ length: 30 }, () => rng.normal());
      const nv = Math.hypot(...v);
      let sq = 0;
      for (let i = 0; i < 40; i++) { let r = 0; for (let j = 0; j < 30; j++) r += w[i * 30 + j] * v[j]; sq += r * r; }
      best = Math.max(best, Math.sqrt(sq) / nv);
    }
    expect(s).toBeGreaterThanOrEqual(best);
    expect(s).toBeLessThanOrEqual(Math.hypot(...w));
    // the eigenvector check: ‖WᵀW v‖ = σ²‖v‖ is what the iteration converges to; σ² ≥ (trace WᵀW)/30
    expect(s * s).toBeGreaterThanOrEqual(w.reduce((a, x) => a + x * x, 0) / 30);
  });

  test('lipschitzBound: diag(3, 1) then [[1, 1], [0, 1]] → 3·φ, and it bounds a relu network on random pairs', () => {
    const k1 = { layer: 'h', data: Float32Array.from([3, 0, 0, 1]), shape: [2, 2] };
    const k2 = { layer: 'o', data: Float32Array.from([1, 1, 0, 1]), shape: [2, 2] };
    const lb = lipschitzBound([k1, k2]);
    expect(lb.bound).toBeCloseTo(3 * PHI, 6);
    expect(lb.factors.map((f) => f.layer)).toEqual(['h', 'o']);
    // f(x) = relu(x·K1 + b1)·K2 + b2 (row vectors, Keras layout)
    const f = (x: number[]) => {
      const h = [Math.max(0, 3 * x[0] + 0.5), Math.max(0, x[1] - 0.2)];
      return [h[0] * 1 + h[1] * 0, h[0] * 1 + h[1] * 1];
    };
    const rng = new Random(9);
    for (let t = 0; t < 500; t++) {
      const x = [rng.normal(), rng.normal()], y = [rng.normal(), rng.normal()];
      const fx = f(x), fy = f(y);
      expect(Math.hypot(fx[0] - fy[0], fx[1] - fy[1])).toBeLessThanOrEqual(lb.bound * Math.hypot(x[0] - y[0], x[1] - y[1]) + 1e-9);
    }
  });

  test('modelKernels reads the Dense kernels of a model in layer order', () => {
    const d1 = layers.dense({ units: 3, inputShape: [2], name: 'a', seed: 1 });
    const d2 = layers.dense({ units: 1, name: 'b', seed: 2 });
    sequential([d1, d2]).predict(new Tensor(new Float32Array(2), [1, 2]));
    const ks = modelKernels([d1, d2]);
    expect(ks.map((k) => [k.layer, ...k.shape])).toEqual([['a', 2, 3], ['b', 3, 1]]);
    expect(ks[0].data).toEqual(d1.getWeights()[0].data);
  });
});

describe('lab measure: output change and accuracy under input noise', () => {
  test('f(x) = 2x on two samples with a fixed noise sequence: hand-computed change, noise norm, gain and accuracy', () => {
    const x = new Tensor(Float32Array.from([0, 0, 1, 1]), [2, 2]);
    const f = (t: Tensor) => new Tensor(t.data.map((v) => 2 * v), t.shape.slice());
    // σ = 0.5 draws z = (1, 0), (0, −2): ε = (0.5, 0), (0, −1); σ = 1 draws (3, 4), (0, 1)
    const rows = noiseSensitivity(f, x, [0, 1], [0.5, 1], sequence([1, 0, 0, -2, 3, 4, 0, 1]));
    // σ = 0.5: ‖Δf‖ = 2·0.5 = 1 and 2·1 = 2 → mean 1.5; ‖ε‖ mean 0.75; gain 2
    // noisy inputs (0.5, 0) → class 0, (1, 0) → class 0: labels [0, 1] → accuracy 0.5
    expect(rows[0]).toEqual({ sigma: 0.5, outputChange: 1.5, noiseNorm: 0.75, gain: 2, accuracy: 0.5 });
    // σ = 1: ε = (3, 4), ‖ε‖ = 5, ‖Δf‖ = 10; ε = (0, 1), ‖Δf‖ = 2 → mean 6, ‖ε‖ mean 3, gain 2
    // noisy inputs (3, 4) → class 1 (label 0: wrong), (1, 2) → class 1 (label 1: right)
    expect(rows[1]).toEqual({ sigma: 1, outputChange: 6, noiseNorm: 3, gain: 2, accuracy: 0.5 });
  });

  test('a linear Ridge model f(x) = x·W: the measured gain never exceeds the spectral norm of W', () => {
    const d = layers.dense({ units: 3, inputShape: [4], useBias: false, seed: 3 });
    const m = sequential([d]);
    const rng = new Random(1);
    const x = new Tensor(Float32Array.from({ length: 50 * 4 }, () => rng.normal()), [50, 4]);
    const w = d.getWeights()[0];
    const sigma = spectralNorm(w.data, 4, 3);
    const rows = noiseSensitivity((t) => m.predict(t), x, null, [0.01, 1], () => rng.normal());
    for (const r of rows) {
      expect(r.gain).toBeLessThanOrEqual(sigma * (1 + 1e-5));
      expect(r.gain).toBeGreaterThan(0);
      expect(r.accuracy).toBeNaN();
      // linear: the change scales with σ exactly in expectation; noise norm ≈ σ·√4 within sampling error
      expect(r.noiseNorm / r.sigma).toBeGreaterThan(1.5);
      expect(r.noiseNorm / r.sigma).toBeLessThan(2.3);
    }
  });

  test('predictedClasses: argmax for several outputs, > 0.5 for one', () => {
    expect(Array.from(predictedClasses(new Tensor(Float32Array.from([0.1, 0.7, 0.2, 0.5, 0.2, 0.3]), [2, 3])))).toEqual([1, 0]);
    expect(Array.from(predictedClasses(new Tensor(Float32Array.from([0.2, 0.9, 0.5]), [3, 1])))).toEqual([0, 1, 0]);
  });

  test('probabilityGrid evaluates the model at cell centres, row 0 at the bottom', () => {
    const box = { x: [0, 4] as [number, number], y: [0, 2] as [number, number] };
    const grid = probabilityGrid((t) => new Tensor(Float32Array.from({ length: t.shape[0] }, (_, i) => t.data[2 * i] + 10 * t.data[2 * i + 1]), [t.shape[0], 1]), 4, 2, box);
    // centres x = 0.5, 1.5, 2.5, 3.5; y = 0.5 (row 0), 1.5 (row 1)
    expect(Array.from(grid)).toEqual([5.5, 6.5, 7.5, 8.5, 15.5, 16.5, 17.5, 18.5]);
  });
});

describe('lab measure: choosing λ on validation, never on test', () => {
  test('the lowest validation loss wins even when another trial is better on test', () => {
    const trials = [
      { param: 1e-4, train: 0.01, val: 0.9, test: 0.8 },
      { param: 1e-3, train: 0.05, val: 0.4, test: 0.5 },
      { param: 1e-2, train: 0.2, val: 0.45, test: 0.3 },
    ];
    expect(chooseOnValidation(trials).param).toBe(1e-3);
    expect(chooseOnValidation([{ param: 1, train: 0, val: NaN, test: 0 }, { param: 2, train: 0, val: 1, test: 9 }]).param).toBe(2);
    expect(() => chooseOnValidation([])).toThrow(/no trials/);
  });

  test('logGrid(1e-6, 1, 7) is the seven powers of ten; logGrid(1e-4, 0.3, 3) has the geometric middle', () => {
    expect(logGrid(1e-6, 1, 7)).toEqual([1e-6, 1e-5, 1e-4, 1e-3, 1e-2, 1e-1, 1]);
    const g = logGrid(1e-4, 0.3, 3);
    expect(g[0]).toBeCloseTo(1e-4, 15);
    expect(g[1]).toBeCloseTo(Math.sqrt(1e-4 * 0.3), 12);
    expect(g[2]).toBeCloseTo(0.3, 12);
  });

  test('lambdaSweep trains once per λ in order and picks on validation', async () => {
    const seen: number[] = [];
    const r = await lambdaSweep([1e-3, 1e-2, 1e-1], async (l) => {
      seen.push(l);
      return { train: l, val: Math.abs(Math.log10(l) + 2), test: Math.abs(Math.log10(l) + 1) };
    });
    expect(seen).toEqual([1e-3, 1e-2, 1e-1]);
    expect(r.chosen.param).toBe(1e-2);
    expect(r.trials.map((t) => t.test)).toEqual([2, 1, 0]);
  });

  test('searchCandidates: the same budget for both; shared rows repeat one grid λ, per-layer draws stay in range and are seeded', () => {
    const a = searchCandidates(6, 3, 1e-4, 0.3, new Random(2));
    const b = searchCandidates(6, 3, 1e-4, 0.3, new Random(2));
    expect(a).toEqual(b);
    expect(a.shared).toHaveLength(6);
    expect(a.perLayer).toHaveLength(6);
    expect(a.shared.map((r) => r[0])).toEqual(logGrid(1e-4, 0.3, 6));
    for (const r of a.shared) expect(new Set(r).size).toBe(1);
    for (const r of a.perLayer) {
      expect(r).toHaveLength(3);
      for (const l of r) { expect(l).toBeGreaterThanOrEqual(1e-4 * (1 - 1e-5)); expect(l).toBeLessThanOrEqual(0.3 * (1 + 1e-5)); }
    }
    expect(new Set(a.perLayer.flat()).size).toBe(18);
  });
});

describe('lab measure: the activity term against the kernel term', () => {
  test('a breakdown with kernel terms 2 + 1 and activity 0.6 at batch 16 → ratio 0.2, undivided 3.2', () => {
    const b: LossBreakdown = { total: 4.6, data: 1, penalties: [
      { layer: 'a', target: 'kernel', value: 2 }, { layer: 'a', target: 'activity', value: 0.6 }, { layer: 'b', target: 'kernel', value: 1 },
      { layer: 'b', target: 'bias', value: 0.25 },
    ] } as LossBreakdown;
    const r = activityKernelRatio(b, 16);
    expect(r).toEqual({ batch: 16, activity: 0.6, kernel: 3, ratio: 0.6 / 3, ratioUndivided: (0.6 * 16) / 3 });
    expect(penaltyByTarget(b)).toEqual({ kernel: 3, bias: 0.25, activity: 0.6 });
  });

  test('a real model: the same 4 samples repeated to batch 16 and 64 keep the Keras ratio; undivided grows 4×; values by hand', () => {
    const d = layers.dense({ units: 3, inputShape: [2], activation: 'relu', kernelRegularizer: regularizers.l2({ l2: 0.1 }), activityRegularizer: regularizers.l1({ l1: 0.01 }), seed: 4 });
    const m = sequential([d]);
    m.compile({ optimizer: optimizers.sgd({ learningRate: 0.1 }), loss: 'meanSquaredError' });
    const base = [0.5, -1, 1, 2, -0.3, 0.8, 2, 0.1];
    const batch = (n: number) => new Tensor(Float32Array.from({ length: n * 2 }, (_, i) => base[i % 8]), [n, 2]);
    const y = (n: number) => new Tensor(new Float32Array(n * 3), [n, 3]);
    const [w, bias] = d.getWeights();
    // by hand: kernel term 0.1·Σw²; activity 0.01·Σ|relu(xW + b)| / n over the 4 distinct samples
    const kernel = 0.1 * Array.from(w.data).reduce((s, v) => s + v * v, 0);
    let act = 0;
    for (let i = 0; i < 4; i++) {
      for (let j = 0; j < 3; j++) act += Math.max(0, base[2 * i] * w.data[j] + base[2 * i + 1] * w.data[3 + j] + bias.data[j]);
    }
    const perSample = (0.01 * act) / 4;
    const r16 = activityKernelRatio(m.lossBreakdown(batch(16), y(16)), 16);
    const r64 = activityKernelRatio(m.lossBreakdown(batch(64), y(64)), 64);
    expect(r16.kernel).toBeCloseTo(kernel, 6);
    expect(r16.activity).toBeCloseTo(perSample, 6);
    expect(r64.activity).toBeCloseTo(perSample, 6);
    expect(r64.ratio).toBeCloseTo(r16.ratio, 6);
    expect(r64.ratioUndivided / r16.ratioUndivided).toBeCloseTo(4, 5);
  });
});

describe('lab measure: the learning-curve budget', () => {
  test('epochsForSize keeps about `steps` optimizer steps, at least minEpochs', () => {
    expect(epochsForSize(250, 32, 500, 2)).toBe(63); // 8 batches per epoch: 500 / 8 = 62.5
    expect(epochsForSize(1000, 32, 500, 2)).toBe(16); // 32 batches: 15.6
    expect(epochsForSize(8000, 32, 500, 2)).toBe(2); // 250 batches: 2
    expect(epochsForSize(8000, 32, 100, 2)).toBe(2); // the floor
  });

  test('learningCurve calls the trainer once per size, in order', async () => {
    const r = await learningCurve([250, 1000], async (n) => ({ trainError: 0, testError: 10 / n }));
    expect(r).toEqual([{ size: 250, trainError: 0, testError: 0.04 }, { size: 1000, trainError: 0, testError: 0.01 }]);
  });
});
