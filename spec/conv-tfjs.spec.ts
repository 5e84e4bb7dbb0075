/**
 * Ridge's conv ops against @tensorflow/tfjs-backend-cpu on the same data: forward (tf.conv1d /
 * conv2d / conv3d) and both gradients (tf.grad of Σ conv(x, w)·r), for a handful of configurations
 * (gradients only without dilation: tfjs does not differentiate dilated convolutions).
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
// tfjs-core alone registers no gradients; the CommonJS bundle of tfjs-layers registers them all.
import '@tensorflow/tfjs-layers';
import {
  conv1d, conv2d, conv3d, conv1dBackpropFilter, conv1dBackpropInput, conv2dBackpropFilter, conv2dBackpropInput,
  conv3dBackpropFilter, conv3dBackpropInput,
} from '../lib/ops/conv';
import { Tensor, randomUniform } from '../lib/tensor';
import { toTf } from './helpers/tfjs-parity';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

function mismatch(actual: ArrayLike<number>, expected: ArrayLike<number>, tol: number, label: string): string {
  if (actual.length !== expected.length) return `${label}: length ${actual.length}, expected ${expected.length}`;
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i], e = expected[i];
    if (!(Math.abs(a - e) <= tol * Math.max(1, Math.abs(e)))) return `${label}: index ${i}: got ${a}, tfjs ${e}`;
  }
  return '';
}


interface TfCase {
  name: string; rank: 1 | 2 | 3; x: number[]; k: number[];
  strides: number; dilationRate: number; padding: 'valid' | 'same' | 'causal';
}

const CASES: TfCase[] = [
  { name: 'x=[2,9,3] k=[3,3,4] s=2 d=1 p=same', rank: 1, x: [2, 9, 3], k: [3, 3, 4], strides: 2, dilationRate: 1, padding: 'same' },
  { name: 'x=[2,10,2] k=[3,2,3] s=1 d=2 p=causal', rank: 1, x: [2, 10, 2], k: [3, 2, 3], strides: 1, dilationRate: 2, padding: 'causal' },
  { name: 'x=[1,8,2] k=[4,2,3] s=1 d=1 p=causal', rank: 1, x: [1, 8, 2], k: [4, 2, 3], strides: 1, dilationRate: 1, padding: 'causal' },
  { name: 'x=[2,11,8] k=[3,8,5] s=1 d=1 p=valid', rank: 1, x: [2, 11, 8], k: [3, 8, 5], strides: 1, dilationRate: 1, padding: 'valid' },
  { name: 'x=[2,6,7,5] k=[3,3,5,4] s=1 d=1 p=same', rank: 2, x: [2, 6, 7, 5], k: [3, 3, 5, 4], strides: 1, dilationRate: 1, padding: 'same' },
  { name: 'x=[2,7,7,3] k=[3,3,3,4] s=2 d=1 p=same', rank: 2, x: [2, 7, 7, 3], k: [3, 3, 3, 4], strides: 2, dilationRate: 1, padding: 'same' },
  { name: 'x=[1,8,7,2] k=[3,2,2,5] s=1 d=2 p=valid', rank: 2, x: [1, 8, 7, 2], k: [3, 2, 2, 5], strides: 1, dilationRate: 2, padding: 'valid' },
  { name: 'x=[2,6,5,4] k=[1,1,4,3] s=1 d=1 p=same', rank: 2, x: [2, 6, 5, 4], k: [1, 1, 4, 3], strides: 1, dilationRate: 1, padding: 'same' },
  { name: 'x=[1,5,4,6,2] k=[3,2,3,2,3] s=2 d=1 p=same', rank: 3, x: [1, 5, 4, 6, 2], k: [3, 2, 3, 2, 3], strides: 2, dilationRate: 1, padding: 'same' },
  { name: 'x=[2,4,5,4,1] k=[2,2,2,1,2] s=1 d=1 p=valid', rank: 3, x: [2, 4, 5, 4, 1], k: [2, 2, 2, 1, 2], strides: 1, dilationRate: 1, padding: 'valid' },
];

/** The same convolution in TensorFlow.js ('causal' as a left pad of d·(k−1) then 'valid', as Keras does). */
function tfConv(c: TfCase, x: tf.Tensor, w: tf.Tensor): tf.Tensor {
  if (c.rank === 1) {
    if (c.padding === 'causal') {
      const xp = tf.pad(x, [[0, 0], [c.dilationRate * (c.k[0] - 1), 0], [0, 0]]);
      return tf.conv1d(xp as tf.Tensor3D, w as tf.Tensor3D, c.strides, 'valid', 'NWC', c.dilationRate);
    }
    return tf.conv1d(x as tf.Tensor3D, w as tf.Tensor3D, c.strides, c.padding, 'NWC', c.dilationRate);
  }
  if (c.rank === 2) return tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, c.strides, c.padding as 'valid' | 'same', 'NHWC', c.dilationRate);
  return tf.conv3d(x as tf.Tensor5D, w as tf.Tensor5D, c.strides, c.padding as 'valid' | 'same', 'NDHWC', c.dilationRate);
}

describe('conv ops vs tfjs-backend-cpu', () => {
  let seed = 100;
  for (const c of CASES) {
    const label = `conv${c.rank}d ${c.name}`;
    const opts = { strides: c.strides, dilationRate: c.dilationRate, padding: c.padding };
    const x = randomUniform(c.x, { min: -1, max: 1, seed: seed++ });
    const w = randomUniform(c.k, { min: -1, max: 1, seed: seed++ });

    test(`forward ${label}`, () => {
      const y = [conv1d, conv2d, conv3d][c.rank - 1](x, w, opts);
      const ty = tfConv(c, toTf(x), toTf(w));
      expect(y.shape).toEqual(ty.shape);
      expect(mismatch(y.data, ty.dataSync(), 1e-5, `forward ${label}`)).toBe('');
    });

    // tfjs 4.22 has no gradient for dilated convolutions: those are checked by finite differences
    // in conv-kernels.spec.ts instead.
    if (c.dilationRate > 1) continue;
    test(`gradients (tf.grad of Σ y·r) ${label}`, () => {
      const y = [conv1d, conv2d, conv3d][c.rank - 1](x, w, opts);
      const r = randomUniform(y.shape as number[], { min: -1, max: 1, seed: seed + 1000 });
      const tr = toTf(r);
      const [tdx, tdw] = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(tfConv(c, a, b), tr)))([toTf(x), toTf(w)]);
      const dx = [conv1dBackpropInput, conv2dBackpropInput, conv3dBackpropInput][c.rank - 1](r, w, c.x, opts);
      const dw = [conv1dBackpropFilter, conv2dBackpropFilter, conv3dBackpropFilter][c.rank - 1](x, r, c.k, opts);
      expect(mismatch(dx.data, tdx.dataSync(), 1e-5, `dx ${label}`)).toBe('');
      expect(mismatch(dw.data, tdw.dataSync(), 1e-5, `dw ${label}`)).toBe('');
    });
  }
});
