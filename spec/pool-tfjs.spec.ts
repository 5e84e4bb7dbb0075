/**
 * Pooling parity with TensorFlow.js (@tensorflow/tfjs-backend-cpu): forward max/avg pooling of
 * rank 1 (through tf's 2-D pooling on a height-1 image), 2 and 3, valid and same, several strides;
 * the max-pool gradient through tf.grad (ties included: both send it to the first maximum); and
 * the average-pool gradient, which agrees with tf for 'valid' but NOT for 'same' at the border:
 * tfjs divides every window's gradient by the full pool size, although its forward divided by
 * the number of values inside the input. Ridge's gradient matches the finite-difference
 * derivative of the forward both compute. tfjs 4.22's 3-D max-pool gradient is also wrong when
 * the pool's height and width differ (see the test below); the agreement cases use kH = kW.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
// tfjs-core alone registers no gradients; the CommonJS bundle of tfjs-layers registers them all.
import '@tensorflow/tfjs-layers';
import { Tensor, tensor } from '../lib/tensor';
import { Random } from '../lib/random';
import {
  maxPool1d, maxPool2d, maxPool3d, avgPool1d, avgPool2d, avgPool3d,
  maxPool1dBackprop, maxPool2dBackprop, maxPool3dBackprop, avgPool2dBackprop, avgPool3dBackprop, PoolOptions,
  globalAvgPool, globalMaxPool,
} from '../lib/ops/pool';
import { expectClose, toTf } from './helpers/tfjs-parity';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

function randomTensor(shape: number[], seed: number): Tensor {
  const rng = new Random(seed);
  const a = new Float32Array(shape.reduce((p, q) => p * q, 1));
  for (let i = 0; i < a.length; i++) a[i] = rng.normal();
  return tensor(a, shape);
}



type Pair2 = [number, number];
type Pair3 = [number, number, number];

describe('pooling vs tfjs-backend-cpu: forward', () => {
  const cases2d: { shape: number[]; k: Pair2; s: Pair2; p: 'valid' | 'same' }[] = [
    { shape: [2, 7, 9, 3], k: [2, 2], s: [2, 2], p: 'valid' },
    { shape: [2, 7, 9, 3], k: [2, 2], s: [2, 2], p: 'same' },
    { shape: [1, 7, 7, 4], k: [3, 3], s: [2, 2], p: 'same' },
    { shape: [1, 7, 7, 4], k: [3, 3], s: [1, 1], p: 'valid' },
    { shape: [2, 5, 8, 2], k: [3, 2], s: [4, 3], p: 'same' },
    { shape: [1, 3, 2, 2], k: [5, 4], s: [1, 1], p: 'same' },
  ];
  test.each(cases2d)('maxPool2d and avgPool2d x=$shape k=$k s=$s p=$p', ({ shape, k, s, p }) => {
    const x = randomTensor(shape, 11);
    const opts = { poolSize: k, strides: s, padding: p };
    expectClose(maxPool2d(x, opts).data, tf.maxPool(toTf(x) as tf.Tensor4D, k, s, p).dataSync(), 0, 'maxPool2d');
    expectClose(avgPool2d(x, opts).data, tf.avgPool(toTf(x) as tf.Tensor4D, k, s, p).dataSync(), 1e-6, 'avgPool2d');
  });

  const cases1d: { shape: number[]; k: number; s: number; p: 'valid' | 'same' }[] = [
    { shape: [2, 11, 3], k: 3, s: 2, p: 'valid' },
    { shape: [2, 11, 3], k: 3, s: 2, p: 'same' },
    { shape: [1, 6, 2], k: 4, s: 1, p: 'same' },
    { shape: [3, 9, 1], k: 2, s: 3, p: 'valid' },
  ];
  test.each(cases1d)('maxPool1d and avgPool1d x=$shape k=$k s=$s p=$p (tf: 2-D pooling of a height-1 image)', ({ shape, k, s, p }) => {
    const x = randomTensor(shape, 12);
    const x4 = tf.reshape(toTf(x), [shape[0], 1, shape[1], shape[2]]) as tf.Tensor4D;
    const opts = { poolSize: k, strides: s, padding: p };
    expectClose(maxPool1d(x, opts).data, tf.maxPool(x4, [1, k], [1, s], p).dataSync(), 0, 'maxPool1d');
    expectClose(avgPool1d(x, opts).data, tf.avgPool(x4, [1, k], [1, s], p).dataSync(), 1e-6, 'avgPool1d');
  });

  const cases3d: { shape: number[]; k: Pair3; s: Pair3; p: 'valid' | 'same' }[] = [
    { shape: [2, 5, 6, 7, 2], k: [2, 2, 2], s: [2, 2, 2], p: 'valid' },
    { shape: [2, 5, 6, 7, 2], k: [2, 2, 2], s: [2, 2, 2], p: 'same' },
    { shape: [1, 4, 5, 3, 3], k: [3, 2, 3], s: [1, 2, 1], p: 'same' },
    { shape: [1, 7, 3, 5, 1], k: [2, 3, 2], s: [3, 1, 3], p: 'valid' },
  ];
  test.each(cases3d)('maxPool3d and avgPool3d x=$shape k=$k s=$s p=$p', ({ shape, k, s, p }) => {
    const x = randomTensor(shape, 13);
    const opts = { poolSize: k, strides: s, padding: p };
    expectClose(maxPool3d(x, opts).data, tf.maxPool3d(toTf(x) as tf.Tensor5D, k, s, p).dataSync(), 0, 'maxPool3d');
    expectClose(avgPool3d(x, opts).data, tf.avgPool3d(toTf(x) as tf.Tensor5D, k, s, p).dataSync(), 1e-6, 'avgPool3d');
  });

  test('globalAvgPool and globalMaxPool x=[2,5,6,3] match tf.mean and tf.max over the spatial axes', () => {
    const x = randomTensor([2, 5, 6, 3], 14);
    expectClose(globalAvgPool(x).data, tf.mean(toTf(x), [1, 2]).dataSync(), 1e-6, 'globalAvgPool');
    expectClose(globalMaxPool(x).data, tf.max(toTf(x), [1, 2]).dataSync(), 0, 'globalMaxPool');
  });
});

describe('pooling vs tfjs-backend-cpu: max-pool gradient through tf.grad', () => {
  const cases: { shape: number[]; k: Pair2; s: Pair2; p: 'valid' | 'same' }[] = [
    { shape: [2, 7, 9, 3], k: [2, 2], s: [2, 2], p: 'valid' },
    { shape: [1, 7, 7, 2], k: [3, 3], s: [2, 2], p: 'same' },
    { shape: [2, 6, 5, 2], k: [3, 2], s: [1, 1], p: 'same' },
  ];
  test.each(cases)('maxPool2dBackprop x=$shape k=$k s=$s p=$p', ({ shape, k, s, p }) => {
    const x = randomTensor(shape, 21);
    const opts = { poolSize: k, strides: s, padding: p };
    const dy = randomTensor(maxPool2d(x, opts).shape as number[], 22);
    const g = tf.grad((t: tf.Tensor) => tf.maxPool(t as tf.Tensor4D, k, s, p))(toTf(x), toTf(dy));
    expectClose(maxPool2dBackprop(dy, x, opts).data, g.dataSync(), 1e-6, 'maxPool2dBackprop');
  });

  test('maxPool2dBackprop x=[1,4,4,1] of small integers (many ties) k=2 s=1 p=same: both pick the first maximum', () => {
    const values = [1, 3, 3, 0, 3, 1, 3, 3, 2, 2, 0, 3, 2, 2, 3, 3];
    const x = tensor(values, [1, 4, 4, 1]);
    const opts: PoolOptions = { poolSize: 2, strides: 1, padding: 'same' };
    const dy = randomTensor([1, 4, 4, 1], 23);
    const g = tf.grad((t: tf.Tensor) => tf.maxPool(t as tf.Tensor4D, 2, 1, 'same'))(toTf(x), toTf(dy));
    expectClose(maxPool2dBackprop(dy, x, opts).data, g.dataSync(), 1e-6, 'maxPool2dBackprop ties');
  });

  test('maxPool1dBackprop x=[2,9,2] k=3 s=2 p=same (tf: height-1 image)', () => {
    const x = randomTensor([2, 9, 2], 24);
    const opts: PoolOptions = { poolSize: 3, strides: 2, padding: 'same' };
    const dy = randomTensor([2, 5, 2], 25);
    const g = tf.grad((t: tf.Tensor) => tf.maxPool(tf.reshape(t, [2, 1, 9, 2]) as tf.Tensor4D, [1, 3], [1, 2], 'same'))(
      toTf(x), tf.reshape(toTf(dy), [2, 1, 5, 2]));
    expectClose(maxPool1dBackprop(dy, x, opts).data, g.dataSync(), 1e-6, 'maxPool1dBackprop');
  });

  test('maxPool3dBackprop x=[1,4,5,3,2] k=[3,2,2] s=[2,2,1] p=same', () => {
    const x = randomTensor([1, 4, 5, 3, 2], 26);
    const opts: PoolOptions = { poolSize: [3, 2, 2], strides: [2, 2, 1], padding: 'same' };
    const dy = randomTensor(maxPool3d(x, opts).shape as number[], 27);
    const g = tf.grad((t: tf.Tensor) => tf.maxPool3d(t as tf.Tensor5D, [3, 2, 2], [2, 2, 1], 'same'))(toTf(x), toTf(dy));
    expectClose(maxPool3dBackprop(dy, x, opts).data, g.dataSync(), 1e-6, 'maxPool3dBackprop');
  });

  test('maxPool3dBackprop x=[1,2,3,4,1] k=[1,2,3] p=valid (pool height != width): Ridge matches finite differences, tfjs 4.22 does not', () => {
    // tfjs-backend-cpu's maxPool3dPositions encodes the window position as wRow·filterHeight + wCol
    // (the row stride should be filterWidth), so its 3-D max-pool gradient lands on the wrong
    // element whenever the pool's height and width differ.
    const values = [5, 1, 9, 2, 7, 3, 4, 8, 6, 0, 10, 11, 23, 12, 13, 22, 14, 15, 16, 21, 17, 18, 19, 20];
    const x = tensor(values.map((v) => v / 8), [1, 2, 3, 4, 1]);
    const opts: PoolOptions = { poolSize: [1, 2, 3], strides: 1 };
    const y = maxPool3d(x, opts);
    const dy = randomTensor(y.shape as number[], 28);
    const eps = 1 / 64;
    const fd = values.map((_, i) => {
      const xp = x.clone(), xm = x.clone();
      xp.data[i] += eps; xm.data[i] -= eps;
      const lp = maxPool3d(xp, opts).data.reduce((s, v, j) => s + v * dy.data[j], 0);
      const lm = maxPool3d(xm, opts).data.reduce((s, v, j) => s + v * dy.data[j], 0);
      return (lp - lm) / (2 * eps);
    });
    expectClose(maxPool3dBackprop(dy, x, opts).data, fd, 1e-5, 'ridge maxPool3dBackprop vs finite differences');
    expectClose(y.data, tf.maxPool3d(toTf(x) as tf.Tensor5D, [1, 2, 3], 1, 'valid').dataSync(), 0, 'maxPool3d forward');
    const g = tf.grad((t: tf.Tensor) => tf.maxPool3d(t as tf.Tensor5D, [1, 2, 3], 1, 'valid'))(toTf(x), toTf(dy)).dataSync();
    const worst = Math.max(...fd.map((v, i) => Math.abs(v - g[i])));
    expect(worst).toBeGreaterThan(0.1);
  });
});

describe("pooling vs tfjs-backend-cpu: average-pool gradient ('same' border)", () => {
  test('avgPool2dBackprop x=[2,6,8,3] k=2 s=2 p=valid agrees with tf.grad', () => {
    const x = randomTensor([2, 6, 8, 3], 31);
    const dy = randomTensor([2, 3, 4, 3], 32);
    const g = tf.grad((t: tf.Tensor) => tf.avgPool(t as tf.Tensor4D, 2, 2, 'valid'))(toTf(x), toTf(dy));
    expectClose(avgPool2dBackprop(dy, [2, 6, 8, 3], { poolSize: 2 }).data, g.dataSync(), 1e-6, 'avgPool2dBackprop valid');
  });

  test("avgPool3dBackprop x=[1,4,4,6,2] k=2 s=[2,1,3] p=valid agrees with tf.grad", () => {
    const x = randomTensor([1, 4, 4, 6, 2], 33);
    const opts: PoolOptions = { poolSize: 2, strides: [2, 1, 3] };
    const dy = randomTensor(avgPool3d(x, opts).shape as number[], 34);
    const g = tf.grad((t: tf.Tensor) => tf.avgPool3d(t as tf.Tensor5D, 2, [2, 1, 3], 'valid'))(toTf(x), toTf(dy));
    expectClose(avgPool3dBackprop(dy, [1, 4, 4, 6, 2], opts).data, g.dataSync(), 1e-6, 'avgPool3dBackprop valid');
  });

  test("avgPool2d x=[1,3,3,1] k=2 s=1 p=same: forwards agree; Ridge's gradient is the finite-difference one, tfjs's differs at the border", () => {
    // Forward (both): output (i, j) = mean of the rows(i)·cols(j) inputs in its window, rows = cols = [2, 2, 1].
    const x = tensor([1, 2, 3, 4, 5, 6, 7, 8, 9], [1, 3, 3, 1]);
    const opts: PoolOptions = { poolSize: 2, strides: 1, padding: 'same' };
    const ridgeY = avgPool2d(x, opts).data;
    expectClose(ridgeY, tf.avgPool(toTf(x) as tf.Tensor4D, 2, 1, 'same').dataSync(), 1e-6, 'avgPool2d same forward');

    // d/dx of Σ y (dy = ones), by central differences of the forward that both libraries compute.
    const eps = 1 / 64;
    const fd: number[] = [];
    for (let i = 0; i < 9; i++) {
      const xp = x.clone(), xm = x.clone();
      xp.data[i] += eps; xm.data[i] -= eps;
      const sp = avgPool2d(xp, opts).data.reduce((a, b) => a + b, 0);
      const sm = avgPool2d(xm, opts).data.reduce((a, b) => a + b, 0);
      fd.push((sp - sm) / (2 * eps));
    }
    const ones = tensor(new Float32Array(9).fill(1), [1, 3, 3, 1]);
    const ridgeDx = avgPool2dBackprop(ones, [1, 3, 3, 1], opts).data;
    expectClose(ridgeDx, fd, 1e-5, 'ridge avgPool2dBackprop same vs finite differences');
    // The true derivative at the bottom-right input: 1/4 + 1/2 + 1/2 + 1/1 (its 4 windows hold 4, 2, 2, 1 inputs).
    expect(ridgeDx[8]).toBeCloseTo(1 / 4 + 1 / 2 + 1 / 2 + 1 / 1, 6);

    const tfDx = tf.grad((t: tf.Tensor) => tf.avgPool(t as tf.Tensor4D, 2, 1, 'same'))(toTf(x), toTf(ones)).dataSync();
    // Interior input (0,0) lies only in full windows: everyone agrees.
    expect(tfDx[0]).toBeCloseTo(1 / 4, 6);
    // tfjs divides by the full pool size 4 everywhere: 4 · 1/4 at the corner instead of 2.25.
    expect(tfDx[8]).toBeCloseTo(1 / 4 + 1 / 4 + 1 / 4 + 1 / 4, 6);
    expect(Math.abs(tfDx[8] - fd[8])).toBeGreaterThan(1);
  });
});
