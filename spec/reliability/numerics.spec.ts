/**
 * Numerics as properties over random shapes: the packed GEMM equals the naive loop on every shape
 * and stride pattern; analytic gradients (data + penalties) equal finite differences on random
 * dense and conv models; losses stay finite at extreme but finite inputs.
 */
import fc from 'fast-check';
import { Tensor, gradCheck, layers, losses, optimizers, regularizers, sequential } from '../../lib';
import { gemm } from '../../kernels/gemm';
import { gemmReference } from '../../kernels/reference/gemm';
import { FC_SEED } from './fuzz-helpers';

function rand(n: number, seed: number, scale = 1): Float32Array {
  const d = new Float32Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) { s = (Math.imul(s, 1664525) + 1013904223) >>> 0; d[i] = ((s / 2 ** 32) * 2 - 1) * scale; }
  return d;
}

describe('GEMM: packed kernel = reference loop', () => {
  test('400 random shapes, transposes, offsets, alpha and beta', () => {
    fc.assert(fc.property(fc.record({
      m: fc.integer({ min: 1, max: 70 }), n: fc.integer({ min: 1, max: 70 }), k: fc.integer({ min: 0, max: 300 }),
      ta: fc.boolean(), tb: fc.boolean(), off: fc.integer({ min: 0, max: 5 }),
      alpha: fc.constantFrom(1, -0.5, 2), beta: fc.constantFrom(0, 1, 0.25), seed: fc.nat(),
    }), (c) => {
      const a = rand(c.off + c.m * c.k, c.seed), b = rand(c.off + c.k * c.n, c.seed + 1);
      const c0 = rand(c.off + c.m * c.n, c.seed + 2);
      const [aRs, aCs] = c.ta ? [1, c.m] : [c.k, 1];
      const [bRs, bCs] = c.tb ? [1, c.k] : [c.n, 1];
      const got = c0.slice(), want = c0.slice();
      gemm(c.m, c.n, c.k, c.alpha, a, c.off, aRs, aCs, b, c.off, bRs, bCs, c.beta, got, c.off, c.n, 1);
      gemmReference(c.m, c.n, c.k, c.alpha, a, c.off, aRs, aCs, b, c.off, bRs, bCs, c.beta, want, c.off, c.n, 1);
      for (let i = 0; i < got.length; i++) {
        if (!(Math.abs(got[i] - want[i]) <= 1e-4 * (1 + Math.abs(want[i])) * Math.sqrt(c.k + 1))) {
          throw new Error(`gemm ${JSON.stringify(c)}: c[${i}] = ${got[i]}, reference ${want[i]}`);
        }
      }
    }), { numRuns: 400, seed: FC_SEED });
  });
});

describe('gradients = finite differences on random models (data loss + L2 penalties + activity)', () => {
  test('30 random dense models', () => {
    fc.assert(fc.property(fc.record({
      inDim: fc.integer({ min: 1, max: 6 }), hidden: fc.integer({ min: 1, max: 6 }), out: fc.integer({ min: 1, max: 4 }),
      batch: fc.integer({ min: 1, max: 5 }), act: fc.constantFrom('tanh' as const, 'sigmoid' as const, 'linear' as const), l2: fc.constantFrom(0, 0.01, 0.3), seed: fc.nat({ max: 1000 }),
    }), (c) => {
      const m = sequential([
        layers.dense({ units: c.hidden, activation: c.act, inputShape: [c.inDim], seed: c.seed, kernelRegularizer: regularizers.l2({ l2: c.l2 }), biasRegularizer: regularizers.l2({ l2: c.l2 }), activityRegularizer: regularizers.l2({ l2: c.l2 }) }),
        layers.dense({ units: c.out, seed: c.seed + 1, kernelRegularizer: regularizers.l2({ l2: c.l2 }) }),
      ]);
      m.compile({ optimizer: optimizers.sgd(), loss: 'meanSquaredError' });
      const x = new Tensor(rand(c.batch * c.inDim, c.seed + 2), [c.batch, c.inDim]);
      const y = new Tensor(rand(c.batch * c.out, c.seed + 3), [c.batch, c.out]);
      const r = gradCheck(m, x, y, { eps: 1e-2, tolerance: 2e-2, maxPerWeight: 8, seed: c.seed });
      if (!r.ok) throw new Error(`dense ${JSON.stringify(c)}: max relative error ${r.maxRelError}`);
    }), { numRuns: 30, seed: FC_SEED });
  });

  test('30 random conv models (ranks 1–3, strides, dilation, padding)', () => {
    fc.assert(fc.property(fc.record({
      rank: fc.constantFrom(1, 2, 3), size: fc.integer({ min: 3, max: 6 }), cin: fc.integer({ min: 1, max: 2 }), filters: fc.integer({ min: 1, max: 3 }),
      k: fc.integer({ min: 1, max: 3 }), stride: fc.integer({ min: 1, max: 2 }), padding: fc.constantFrom('valid', 'same'), l2: fc.constantFrom(0, 0.05), seed: fc.nat({ max: 1000 }),
    }), (c) => {
      const conv = (layers as unknown as Record<string, (o: object) => ReturnType<typeof layers.conv2d>>)[`conv${c.rank}d`];
      const sp = new Array(c.rank).fill(c.size);
      const m = sequential([
        conv({ filters: c.filters, kernelSize: c.k, strides: c.stride, padding: c.padding, activation: 'tanh', inputShape: [...sp, c.cin], seed: c.seed, kernelRegularizer: regularizers.l2({ l2: c.l2 }) }),
        layers.flatten(),
        layers.dense({ units: 2, seed: c.seed + 1 }),
      ]);
      m.compile({ optimizer: optimizers.sgd(), loss: 'meanSquaredError' });
      const n = 2 * c.size ** c.rank * c.cin;
      const x = new Tensor(rand(n, c.seed + 2), [2, ...sp, c.cin]);
      const y = new Tensor(rand(4, c.seed + 3), [2, 2]);
      const r = gradCheck(m, x, y, { eps: 1e-2, tolerance: 2e-2, maxPerWeight: 6, seed: c.seed });
      if (!r.ok) throw new Error(`conv ${JSON.stringify(c)}: max relative error ${r.maxRelError}`);
    }), { numRuns: 30, seed: FC_SEED });
  });
});

describe('losses are finite for finite inputs with extreme values', () => {
  test('300 cases: probabilities exactly 0/1, logits ±1e4, predictions ±1e30', () => {
    const names = ['meanSquaredError', 'meanAbsoluteError', 'binaryCrossentropy', 'categoricalCrossentropy', 'sparseCategoricalCrossentropy'] as const;
    fc.assert(fc.property(fc.constantFrom(...names), fc.boolean(), fc.integer({ min: 1, max: 4 }), fc.integer({ min: 2, max: 4 }),
      fc.array(fc.constantFrom(0, 1, 1e-30, 1 - 1e-8, 0.5), { minLength: 16, maxLength: 16 }), fc.array(fc.constantFrom(-1e4, 1e4, 0, -30, 1e30, -1e30), { minLength: 16, maxLength: 16 }),
      (name, logits, rows, C, probs, zs) => {
        const reg = name === 'meanSquaredError' || name === 'meanAbsoluteError';
        const f = (losses as unknown as Record<string, (o?: object) => { valueAndGradient(a: Tensor, b: Tensor): { value: number; grad: Tensor } }>)[name];
        const loss = f(reg ? undefined : { fromLogits: logits });
        const n = rows * C;
        const pred = new Tensor(Float32Array.from({ length: n }, (_, i) => (reg || logits ? (reg ? zs[i % 16] / 1e15 : zs[i % 16]) : probs[i % 16])), [rows, C]);
        const yTrue = name === 'sparseCategoricalCrossentropy'
          ? new Tensor(Float32Array.from({ length: rows }, (_, i) => i % C), [rows])
          : new Tensor(Float32Array.from({ length: n }, (_, i) => (i % C === 0 ? 1 : 0)), [rows, C]);
        const { value, grad } = loss.valueAndGradient(yTrue, pred);
        if (!Number.isFinite(value)) throw new Error(`${name} (fromLogits ${logits}) = ${value} for ${Array.from(pred.data)}`);
        for (const g of grad.data) if (!Number.isFinite(g)) throw new Error(`${name} gradient ${g} for ${Array.from(pred.data)}`);
      }), { numRuns: 300, seed: FC_SEED });
  });

  test('a model fed ±1e30 inputs gives a finite loss and finite gradients (sigmoid/softmax saturate, not overflow)', () => {
    const m = sequential([
      layers.dense({ units: 3, activation: 'tanh', inputShape: [4], seed: 1, kernelRegularizer: 'l2' }),
      layers.dense({ units: 2, activation: 'softmax', seed: 2 }),
    ]);
    m.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy' });
    const x = new Tensor(new Float32Array([1e30, -1e30, 1e30, 0, -1e30, 1e30, 0, 1e30]), [2, 4]);
    const y = new Tensor(new Float32Array([1, 0, 0, 1]), [2, 2]);
    const { loss, grads } = m.gradients(x, y);
    expect(Number.isFinite(loss.total)).toBe(true);
    for (const g of grads) for (const v of g.data) expect(Number.isFinite(v)).toBe(true);
  });
});
