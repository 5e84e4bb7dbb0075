/**
 * Gradient clipping on every optimizer (Keras 3 base_optimizer._clip_gradients), against
 * hand-computed clipped gradients:
 *   clipnorm c        g ← g · c / max(‖g‖, c)              per weight
 *   globalClipnorm c  g ← g · min(1, c / ‖all g‖)          one norm over every trainable weight
 *   clipvalue c       g ← min(max(g, −c), c)               per element
 * The penalties' gradients are part of the clipped gradient (they are in weight.grad before the
 * optimizer runs), and weight.grad itself is left unclipped.
 */
import * as optimizers from '../lib/training/optimizers';
import * as layers from '../lib/layers/index';
import * as regularizers from '../lib/regularizers';
import { sequential } from '../lib/graph/model';
import type { LayerWeight } from '../lib/layers/layer';
import { ConfigError } from '../lib/errors';
import { Tensor } from '../lib/tensor';
import { randn } from './helpers/layer-check';

function weight(values: number[], grad: number[]): LayerWeight {
  return {
    name: 'kernel', target: 'kernel', value: new Tensor(new Float32Array(values), [values.length]),
    grad: new Float32Array(grad), regularizer: null, constraint: null, trainable: true,
  };
}

describe('clipping with plain SGD lr = 1 (w ← w − clipped g)', () => {
  test('clipnorm 1: g = [3, 4] (‖g‖ = 5) → [0.6, 0.8]; g = [0.3, 0.4] (‖g‖ < 1) unchanged', () => {
    const a = weight([0, 0], [3, 4]), b = weight([0, 0], [0.3, 0.4]);
    optimizers.sgd({ learningRate: 1, clipnorm: 1 }).applyGradients([a, b]);
    expect(Array.from(a.value.data)).toEqual([-0.6, -0.8].map(Math.fround));
    expect(Array.from(b.value.data)).toEqual([-0.3, -0.4].map(Math.fround));
    expect(Array.from(a.grad)).toEqual([3, 4]); // weight.grad is not clipped in place
  });

  test('globalClipnorm 1: g1 = [3, 0], g2 = [0, 4] → ‖all‖ = 5 → both scaled by 1/5', () => {
    const a = weight([1, 1], [3, 0]), b = weight([1, 1], [0, 4]);
    optimizers.sgd({ learningRate: 1, globalClipnorm: 1 }).applyGradients([a, b]);
    [1 - 3 / 5, 1].forEach((v, i) => expect(a.value.data[i]).toBeCloseTo(v, 7));
    [1, 1 - 4 / 5].forEach((v, i) => expect(b.value.data[i]).toBeCloseTo(v, 7));
  });

  test('globalClipnorm: all-zero gradients stay zero (no 0/0), a frozen weight is not in the norm', () => {
    const a = weight([1, 2], [0, 0]);
    optimizers.sgd({ learningRate: 1, globalClipnorm: 1 }).applyGradients([a]);
    expect(Array.from(a.value.data)).toEqual([1, 2]);
    const b = weight([0, 0], [3, 4]), frozen = weight([0], [100]);
    frozen.trainable = false;
    optimizers.sgd({ learningRate: 1, globalClipnorm: 1 }).applyGradients([b, frozen]);
    expect(Array.from(b.value.data)).toEqual([-0.6, -0.8].map(Math.fround));
    expect(Array.from(frozen.value.data)).toEqual([0]);
  });

  test('clipvalue 0.5: g = [2, −3, 0.1] → [0.5, −0.5, 0.1]', () => {
    const a = weight([0, 0, 0], [2, -3, 0.1]);
    optimizers.sgd({ learningRate: 1, clipvalue: 0.5 }).applyGradients([a]);
    expect(Array.from(a.value.data)).toEqual([-0.5, 0.5, -0.1].map(Math.fround));
  });
});

describe('clipping on adam, adamw, rmsprop, sgd momentum: same as the unclipped optimizer fed the clipped gradient', () => {
  const makers: [string, (o: Record<string, unknown>) => optimizers.Optimizer][] = [
    ['sgd momentum', (o) => optimizers.sgd({ learningRate: 0.1, momentum: 0.9, ...o })],
    ['adam', (o) => optimizers.adam({ learningRate: 0.01, ...o })],
    ['adamw', (o) => optimizers.adamw({ learningRate: 0.01, ...o })],
    ['rmsprop', (o) => optimizers.rmsprop({ learningRate: 0.01, momentum: 0.5, ...o })],
  ];
  for (const [what, make] of makers) {
    test(`${what}: clipnorm 2 over 3 steps`, () => {
      const clipped = make({ clipnorm: 2 }), plain = make({});
      const a = weight([0.5, -1, 2], [0, 0, 0]), b = weight([0.5, -1, 2], [0, 0, 0]);
      for (let step = 0; step < 3; step++) {
        const g = [3 + step, -4, 1];
        const norm = Math.hypot(...g);
        a.grad.set(g);
        b.grad.set(g.map((v) => (v * 2) / Math.max(norm, 2)));
        clipped.applyGradients([a]);
        plain.applyGradients([b]);
      }
      Array.from(a.value.data).forEach((v, i) => expect(v).toBeCloseTo(b.value.data[i], 6));
      expect(clipped.getConfig().clipnorm).toBe(2);
    });
  }
});

describe('clipping in fit: the penalty gradients are clipped together with the data gradients', () => {
  test('dense + l2 kernel penalty, globalClipnorm 0.1, one full-batch SGD step = w − lr · clip(data + penalty grads)', async () => {
    const x = randn([6, 3], 1), y = randn([6, 2], 2, 3);
    const make = (l2: number | null) => sequential([layers.dense({ units: 2, inputShape: [3], seed: 7, kernelRegularizer: l2 === null ? undefined : regularizers.l2({ l2 }) })]);
    const m = make(0.5);
    m.compile({ optimizer: optimizers.sgd({ learningRate: 0.5, globalClipnorm: 0.1 }), loss: 'meanSquaredError' });
    const w0 = m.getWeights();
    const { grads } = m.gradients(x, y);           // data + penalty gradients
    const noPenalty = make(null);
    noPenalty.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
    noPenalty.setWeights(w0);
    const dataOnly = noPenalty.gradients(x, y).grads;
    expect(Math.abs(grads[0].data[0] - dataOnly[0].data[0])).toBeGreaterThan(1e-3); // the penalty is in there
    const norm = Math.sqrt(grads.reduce((s, g) => s + g.data.reduce((a, v) => a + v * v, 0), 0));
    expect(norm).toBeGreaterThan(0.1);              // so the clip is active
    await m.fit(x, y, { epochs: 1, batchSize: 6, shuffle: false, verbose: 0 });
    m.getWeights().forEach((w, i) => w.data.forEach((v, j) => {
      expect(v).toBeCloseTo(w0[i].data[j] - 0.5 * grads[i].data[j] * (0.1 / norm), 6);
    }));
  });

  test('throws when two clips are set, or a clip is not > 0', () => {
    expect(() => optimizers.adam({ clipnorm: 1, clipvalue: 1 })).toThrow(/only one of clipnorm, clipvalue, globalClipnorm can be set, got clipnorm and clipvalue/);
    expect(() => optimizers.sgd({ globalClipnorm: 0 })).toThrow(/globalClipnorm must be a finite number in \(0, ∞\], got 0/);
    expect(() => optimizers.rmsprop({ clipvalue: -1 })).toThrow(ConfigError);
    expect(() => optimizers.adamw({ clipNorm: 1 } as any)).toThrow(/unknown option "?clipNorm/);
  });
});
