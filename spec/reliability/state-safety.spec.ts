/**
 * State safety: a fit() that fails part-way leaves the model exactly as before the call — weights,
 * optimizer state (iterations, momenta, Adam moments) and the dropout generators — so that training
 * on afterwards is bit-identical to a twin model that never saw the failed call. Stopping on purpose
 * keeps the finished steps (Keras). setWeights and compile are atomic.
 */
import { Model, Tensor, layers, optimizers, sequential } from '../../lib';
import type { Constraint, Regularizer } from '../../lib';
import type { Callback } from '../../lib/training/callbacks';

function t(shape: number[], seed = 1): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  const d = new Float32Array(n);
  for (let i = 0; i < n; i++) d[i] = Math.sin(seed * 2.3 + i * 0.77);
  return new Tensor(d, shape);
}
const X = t([24, 6]);
const Y = new Tensor(new Float32Array(24).map((_, i) => i % 3), [24]);

type OptName = 'sgdMomentum' | 'adam' | 'rmsprop' | 'adamw';
const OPT: Record<OptName, () => optimizers.Optimizer> = {
  sgdMomentum: () => optimizers.sgd({ learningRate: 0.05, momentum: 0.9, nesterov: true }),
  adam: () => optimizers.adam({ learningRate: 0.01 }),
  rmsprop: () => optimizers.rmsprop({ learningRate: 0.01, momentum: 0.5 }),
  adamw: () => optimizers.adamw({ learningRate: 0.01, weightDecay: 0.01 }),
};

/** A model with dropout (a random generator) and an l2 kernel penalty; `reg`/`constraint` replace parts. */
function net(opt: OptName, parts: { reg?: Regularizer; constraint?: Constraint } = {}): Model {
  const m = sequential([
    layers.dense({ units: 8, activation: 'relu', inputShape: [6], seed: 11, kernelRegularizer: parts.reg ?? 'l2', kernelConstraint: parts.constraint }),
    layers.dropout({ rate: 0.3, seed: 12 }),
    layers.dense({ units: 3, activation: 'softmax', seed: 13 }),
  ]);
  m.compile({ optimizer: OPT[opt](), loss: 'sparseCategoricalCrossentropy' });
  return m;
}
const bits = (m: Model): number[][] => m.getWeights().map((w) => Array.from(new Uint32Array(w.data.slice().buffer)));
const fitOpts = { batchSize: 4, verbose: 0 as const, seed: 5 };

/** Fails `victim` with `failing`, checks nothing changed, then trains both and compares bit for bit. */
async function failThenContinue(victim: Model, twin: Model, failing: () => Promise<unknown>, error: RegExp): Promise<void> {
  await victim.fit(X, Y, { ...fitOpts, epochs: 1 });
  await twin.fit(X, Y, { ...fitOpts, epochs: 1 });
  const before = bits(victim), iterations = victim.optimizer!.iterations;
  await expect(failing()).rejects.toThrow(error);
  expect(bits(victim)).toEqual(before);
  expect(victim.optimizer!.iterations).toBe(iterations);
  await victim.fit(X, Y, { ...fitOpts, epochs: 2 });
  await twin.fit(X, Y, { ...fitOpts, epochs: 2 });
  expect(bits(victim)).toEqual(bits(twin));
  expect(victim.optimizer!.iterations).toBe(twin.optimizer!.iterations);
}

describe('a fit that fails part-way leaves weights, optimizer state and generators as before', () => {
  test.each(['sgdMomentum', 'adam', 'rmsprop', 'adamw'] as OptName[])('%s: a callback throwing at batch 3', async (opt) => {
    const victim = net(opt), twin = net(opt);
    const thrower: Callback = { onBatchEnd: (b) => { if (b === 2) throw new Error('callback failed at batch 3'); } };
    await failThenContinue(victim, twin, () => victim.fit(X, Y, { ...fitOpts, epochs: 3, callbacks: [thrower] }), /callback failed at batch 3/);
  });

  test('an async callback rejecting at the end of epoch 2', async () => {
    const victim = net('adam'), twin = net('adam');
    const thrower: Callback = { onEpochEnd: async (e) => { if (e === 1) throw new Error('async epoch failure'); } };
    await failThenContinue(victim, twin, () => victim.fit(X, Y, { ...fitOpts, epochs: 3, callbacks: [thrower] }), /async epoch failure/);
  });

  test('a user regularizer throwing at step 3 (named by layer and hook)', async () => {
    let calls = 0, armed = false;
    const reg: Regularizer = {
      penalty: (w) => 0.01 * w.data.reduce((a, v) => a + v * v, 0),
      gradient: (w) => { if (armed && ++calls === 3) throw new Error('step 3'); return new Tensor(w.data.map((v) => 0.02 * v), w.shape); },
      getConfig: () => ({ className: 'Flaky', config: {} }),
    };
    const twinReg: Regularizer = { ...reg, gradient: (w) => new Tensor(w.data.map((v) => 0.02 * v), w.shape) };
    const victim = net('adam', { reg }), twin = net('adam', { reg: twinReg });
    await failThenContinue(victim, twin, () => { armed = true; return victim.fit(X, Y, { ...fitOpts, epochs: 2 }).finally(() => { armed = false; }); },
      /dense_\d+: kernelRegularizer \(Flaky\)\.gradient threw on shape \[6, 8\]: step 3/);
  });

  test('a weight constraint throwing at step 3', async () => {
    let calls = 0, armed = false;
    const c: Constraint = { apply: (w) => { if (armed && ++calls === 3) throw new Error('constraint step 3'); return w; } };
    const victim = net('rmsprop', { constraint: c }), twin = net('rmsprop', { constraint: { apply: (w) => w } });
    await failThenContinue(victim, twin, () => { armed = true; return victim.fit(X, Y, { ...fitOpts, epochs: 2 }).finally(() => { armed = false; }); }, /constraint step 3/);
  });

  test('a weight that diverges (learning rate raised to 1e30 for the call) rolls back', async () => {
    const victim = net('sgdMomentum'), twin = net('sgdMomentum');
    await failThenContinue(victim, twin, async () => {
      const opt = victim.optimizer as unknown as { learningRate: number };
      const lr = opt.learningRate;
      opt.learningRate = 1e30;
      try { return await victim.fit(X, Y, { ...fitOpts, epochs: 3 }); } finally { opt.learningRate = lr; }
    }, /fit: weight dense_\d+\/(kernel|bias) became/);
  });

  test('labels invalid in the third batch are refused before the first step', async () => {
    const m = net('adam');
    const bad = new Tensor(Y.data.slice(), [24]);
    bad.data[10] = 3; // batch 3 of 4 samples, without shuffling
    const before = bits(m);
    await expect(m.fit(X, bad, { ...fitOpts, shuffle: false, epochs: 1 })).rejects.toThrow(/sparse targets must be integer class ids in \[0, 2\], got 3 at index 10/);
    expect(bits(m)).toEqual(before);
    expect(m.optimizer!.iterations).toBe(0);
  });

  test('NaN in the data is refused with the sample and position', async () => {
    const m = net('adam');
    const x = new Tensor(X.data.slice(), X.shape);
    x.data[2 * 6 + 3] = NaN;
    await expect(m.fit(x, Y, fitOpts)).rejects.toThrow(/fit: x contains NaN at sample 2, index \[3\]/);
    await expect(m.fit(X, Y, { ...fitOpts, validationData: [x, Y] })).rejects.toThrow(/fit: validationData\[0\] contains NaN at sample 2, index \[3\]/);
    expect(() => m.evaluate(x, Y)).toThrow(/evaluate: x contains NaN at sample 2, index \[3\]/);
    const y = new Tensor(Y.data.slice(), [24]);
    y.data[5] = Infinity;
    expect(() => m.lossBreakdown(X, y)).toThrow(/lossBreakdown/);
    expect(m.optimizer!.iterations).toBe(0);
    // predict passes NaN through: NaN in, NaN out (a correct answer, not a corrupted model).
    expect(Number.isNaN(m.predict(x).data[2 * 3])).toBe(true);
  });
});

describe('stopping on purpose keeps the finished steps (Keras)', () => {
  test('stopTraining at batch 3 keeps 3 steps', async () => {
    const m = net('adam');
    const before = bits(m);
    const h = await m.fit(X, Y, { ...fitOpts, epochs: 5, callbacks: [{ onBatchEnd: (b) => { if (b === 2) m.stopTraining = true; } }] });
    expect(m.optimizer!.iterations).toBe(3);
    expect(h.epoch).toEqual([0]);
    expect(bits(m)).not.toEqual(before);
  });
});

describe('setWeights and compile are atomic', () => {
  test('setWeights with one bad tensor applies none', () => {
    const m = net('adam');
    const before = bits(m);
    const ws = m.getWeights().map((w) => new Tensor(new Float32Array(w.size).fill(0.5), w.shape));
    ws[3] = new Tensor(new Float32Array(2), [2]);
    expect(() => m.setWeights(ws)).toThrow(/setWeights\[3\] \(dense_\d+\/bias\) must have shape \[3\], got \[2\]/);
    expect(bits(m)).toEqual(before);
  });

  test('a compile with a bad metric keeps the earlier optimizer and loss', () => {
    const m = net('adam');
    const opt = m.optimizer, loss = m.loss;
    expect(() => m.compile({ optimizer: 'sgd', loss: 'meanSquaredError', metrics: ['f1' as never] })).toThrow(/compile/);
    expect(m.optimizer).toBe(opt);
    expect(m.loss).toBe(loss);
  });
});
