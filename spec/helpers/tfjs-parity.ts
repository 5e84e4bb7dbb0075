/**
 * What the TensorFlow.js parity specs share: a Ridge tensor as a tfjs tensor, and an elementwise
 * comparison whose failure names the quantity, the index and both values.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Tensor } from '../../lib';

/** The same values and shape as a tfjs tensor (on whatever tfjs backend is set). */
export const toTf = (t: Tensor): tf.Tensor => tf.tensor(t.data, t.shape as number[]);

/** |actual − expected| ≤ tol · max(1, |expected|) at every index; throws naming `what` and the index. */
export function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tol: number, what: string): void {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < actual.length; i++) {
    if (!(Math.abs(actual[i] - expected[i]) <= tol * Math.max(1, Math.abs(expected[i])))) {
      throw new Error(`${what}: index ${i} of ${actual.length}: ridge ${actual[i]}, expected ${expected[i]} (tol ${tol})`);
    }
  }
}
