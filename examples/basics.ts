/**
 * Ridge basics: tensors and ops in thirty lines.
 * Run: npx ts-node --transpile-only examples/basics.ts
 */
import { tensor, randomNormal, add, matMul, softmax, sum, mean, argMax, transpose } from '../lib/index';

const round = (_k: string, v: unknown): unknown => (typeof v === 'number' ? +v.toPrecision(4) : v);
const show = (label: string, t: { shape: readonly number[]; toArray(): unknown }): void =>
  console.log(`${label.padEnd(34)} [${t.shape.join(',')}]  ${JSON.stringify(t.toArray(), round)}`);

// A batch of 2 samples with 3 features, and a bias per feature.
const x = tensor([[1, 2, 3], [4, 5, 6]]);
const bias = tensor([0.5, -0.5, 0]);
show('x', x);
show('x + bias (broadcast [2,3]+[3])', add(x, bias));
show('x + column [[10],[20]] ([2,1])', add(x, tensor([[10], [20]])));

// A dense layer by hand: y = x·W, W drawn from a seeded normal (same seed → same numbers).
const w = randomNormal([3, 4], { stddev: 0.1, seed: 42 });
const y = matMul(x, w);
show('y = matMul(x, W)', y);
show('xᵀ·x (transposeA, no copy)', matMul(x, x, { transposeA: true }));
show('transpose(x)', transpose(x));

// Class probabilities: softmax along the last axis, stable even for huge logits.
const logits = tensor([[2, 1, 0.1], [1000, 1000, 0]]);
show('softmax(logits)', softmax(logits));
show('argMax(logits)', argMax(logits));

// Reductions over any axes, with or without keepDims.
show('sum(x)', sum(x));
show('sum(x, 0)', sum(x, 0));
show('mean(x, 1, keepDims)', mean(x, 1, true));
