/**
 * @tensorflow/tfjs-backend-cpu, in the main process: the pure-JavaScript engine TensorFlow.js
 * users have today. It allocates plain typed arrays and never detaches a buffer, so it may share
 * the process with Ridge's kernels (tfjs-backend-wasm may not: see tfjs-wasm.ts).
 */
import type * as tfcore from '@tensorflow/tfjs-core';
import { CaseFactory } from '../measure';
import { Pass, Shape } from '../shapes';
import { tfjsFactory } from './tfjs-cases';

export type TF = typeof tfcore;

/** Load tfjs-core with the cpu backend selected. PROD silences tfjs's "install tfjs-node" banner. */
export async function loadTfjsCpu(): Promise<TF> {
  const tf = await import('@tensorflow/tfjs-core');
  await import('@tensorflow/tfjs-backend-cpu');
  tf.env().set('PROD', true);
  if (!(await tf.setBackend('cpu'))) throw new Error('bench: tfjs-backend-cpu failed to initialise');
  return tf;
}

export function tfjsCpuFactory(tf: TF, shape: Shape, pass: Pass): CaseFactory {
  return tfjsFactory(tf, 'cpu', shape, pass);
}
