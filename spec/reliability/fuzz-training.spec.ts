/**
 * The training surface under generated bad input: compile, fit, evaluate, predict, lossBreakdown,
 * gradients and setWeights. Each call returns normally or gives a typed error naming the call;
 * fit runs under a time limit (a hang fails the case); a rejected call leaves the weights exactly
 * as they were. User regularizers that misbehave are named by layer and hook.
 */
import fc from 'fast-check';
import { Model, Tensor, layers, optimizers, regularizers, sequential } from '../../lib';
import type { Regularizer } from '../../lib';
import { FC_SEED, Tally, badValue, show, typedOutcome, typedOutcomeAsync } from './fuzz-helpers';

const tally = new Tally();
afterAll(() => console.log(tally.report('fuzz-training: generated cases')));

function t(shape: number[], seed = 1, f = (v: number) => v): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  const d = new Float32Array(n);
  for (let i = 0; i < n; i++) d[i] = f(Math.sin(seed * 5.3 + i * 1.7));
  return new Tensor(d, shape);
}

/** A small compiled classifier: dense 4 relu (l2) → dropout → dense 3 softmax. */
function classifier(reg: Regularizer | 'l2' = 'l2'): Model {
  const m = sequential([
    layers.dense({ units: 4, activation: 'relu', inputShape: [5], seed: 1, kernelRegularizer: reg, activityRegularizer: 'l1', name: 'hidden' }),
    layers.dropout({ rate: 0.2, seed: 2 }),
    layers.dense({ units: 3, activation: 'softmax', seed: 3, name: 'out' }),
  ]);
  m.compile({ optimizer: optimizers.adam({ learningRate: 0.01 }), loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
  return m;
}
const X = t([8, 5]);
const Y = new Tensor(new Float32Array([0, 1, 2, 0, 1, 2, 0, 1]), [8]);
const snapshotOf = (m: Model): number[][] => m.getWeights().map((w) => Array.from(w.data));

/** x / y / options variants that are wrong in one way, mixed with generated bad values. */
const badX = fc.oneof(badValue(), fc.constantFrom(t([8, 4]), t([8]), t([0, 5]), t([3, 5]), [t([8, 5]), t([8, 5])], t([8, 5, 1]),
  t([8, 5], 1, (v) => (v > 0.9 ? NaN : v)), t([8, 5], 1, (v) => (v > 0.9 ? Infinity : v))));
const badY = fc.oneof(badValue(), fc.constantFrom(
  new Tensor(new Float32Array([0, 1, 2, 3, 1, 2, 0, 1]), [8]), new Tensor(new Float32Array([0, 1, 2, -1, 1, 2, 0, 1]), [8]),
  new Tensor(new Float32Array([0, 1, 2, 0.5, 1, 2, 0, 1]), [8]), new Tensor(new Float32Array(8).fill(NaN), [8]),
  t([8, 3]), t([7]), new Tensor(new Float32Array([0, 1, 2, 0, 1, 2, 0, 1]), [8, 1]), Y));
const FIT_FIELDS = ['epochs', 'batchSize', 'validationSplit', 'validationData', 'shuffle', 'seed', 'callbacks', 'verbose', 'checkNumerics', 'epoch', 'lr'];

describe('fit under generated bad arguments (stopped after 2 s, 20 s hang limit per call)', () => {
  test('x, y and every option; a rejected fit changes no weight', async () => {
    let rejected = 0;
    await fc.assert(fc.asyncProperty(fc.constantFrom('x', 'y', 'opts', 'optsObject'), badX, badY, fc.constantFrom(...FIT_FIELDS), badValue(),
      async (which, x, y, field, v) => {
        const m = classifier();
        const before = snapshotOf(m);
        const opts: Record<string, unknown> = { epochs: 2, batchSize: 4, verbose: 0, seed: 1 };
        if (which === 'opts') opts[field] = v;
        const args: unknown[] = [which === 'x' ? x : X, which === 'y' ? y : Y, which === 'optsObject' ? v : opts];
        // A legitimately long run (epochs: 2^53 is allowed) is stopped after 2 s the way a user
        // would stop it; a fit that never yields to the event loop cannot be stopped, and then the
        // 20 s limit fails the case as a hang.
        const stopper = setTimeout(() => { m.stopTraining = true; }, 2000);
        const o = await typedOutcomeAsync('fit', () => m.fit(args[0] as Tensor, args[1] as Tensor, args[2] as never), () => show(args))
          .finally(() => clearTimeout(stopper));
        tally.add('fit', o);
        if (!o.ok) {
          rejected++;
          if (JSON.stringify(snapshotOf(m)) !== JSON.stringify(before)) throw new Error(`fit(${show(args)}) failed but changed the weights`);
          if (m.optimizer!.iterations !== 0) throw new Error(`fit(${show(args)}) failed but left optimizer.iterations = ${m.optimizer!.iterations}`);
        }
      }), { numRuns: 250, seed: FC_SEED });
    expect(rejected).toBeGreaterThan(100);
  }, 120000);

  test('named edge cases of the issue', async () => {
    const m = classifier();
    await expect(m.fit(X, Y, { batchSize: 0 })).rejects.toThrow(/fit: batchSize must be a positive integer, got 0/);
    await expect(m.fit(X, Y, { validationSplit: 1.5 })).rejects.toThrow(/fit: validationSplit must be a number in \(0, 1\), got 1.5/);
    await expect(m.fit(t([0, 5]), new Tensor(new Float32Array(0), [0]))).rejects.toThrow(/fit: x must have a batch dimension of at least 1/);
    await expect(m.fit(X, new Tensor(new Float32Array([0, 1, 2, 9, 1, 2, 0, 1]), [8]))).rejects.toThrow(/sparse targets must be integer class ids in \[0, 2\], got 9 at index 3/);
    await expect(m.fit(X, Y, { validationSplit: 0.05 })).rejects.toThrow(/leaves 8 for training and 0 for validation/);
  });
});

describe('evaluate, predict, lossBreakdown, gradients, compile, setWeights', () => {
  const sync = (category: string, fn: string, call: (m: Model, a: unknown[]) => unknown, arbs: fc.Arbitrary<unknown[]>, numRuns: number) => {
    fc.assert(fc.property(arbs, (args) => {
      const m = classifier();
      const before = snapshotOf(m);
      const o = typedOutcome(fn, () => call(m, args), () => show(args));
      tally.add(category, o);
      if (JSON.stringify(snapshotOf(m)) !== JSON.stringify(before)) throw new Error(`${fn}(${show(args)}) changed the weights`);
    }), { numRuns, seed: FC_SEED });
  };
  const xy = fc.tuple(fc.oneof(badX, fc.constant(X)), fc.oneof(badY, fc.constant(Y)), fc.oneof(badValue(), fc.record({ batchSize: badValue() }), fc.constant(undefined)));

  test('evaluate', () => sync('evaluate', 'evaluate', (m, [x, y, o]) => m.evaluate(x as Tensor, y as Tensor, o as never), xy, 300));
  test('predict', () => sync('predict', 'predict', (m, [x, , o]) => m.predict(x as Tensor, o as never), xy, 300));
  test('lossBreakdown', () => sync('lossBreakdown', 'lossBreakdown', (m, [x, y, o]) => m.lossBreakdown(x as Tensor, y as Tensor, o as never), xy, 300));
  test('gradients', () => sync('gradients', 'gradients', (m, [x, y]) => m.gradients(x as Tensor, y as Tensor), xy, 300));

  test('compile: a rejected compile keeps the previous configuration', () => {
    fc.assert(fc.property(fc.oneof(badValue(), fc.record({
      optimizer: fc.oneof(badValue(), fc.constantFrom('sgd', 'nadam', optimizers.sgd())),
      loss: fc.oneof(badValue(), fc.constantFrom('meanSquaredError', 'hinge', { name: 'binaryCrossentropy', fromLogits: 'yes' })),
      metrics: fc.oneof(badValue(), fc.constantFrom(['accuracy'], ['accuracy', 'accuracy'], ['f1'], 'accuracy')),
    }, { requiredKeys: [] })), (opts) => {
      const m = classifier();
      const opt = m.optimizer, loss = m.loss;
      const o = typedOutcome('compile', () => m.compile(opts as never), () => show([opts]));
      tally.add('compile', o);
      if (!o.ok && (m.optimizer !== opt || m.loss !== loss)) throw new Error(`compile(${show([opts])}) failed but replaced the configuration`);
    }), { numRuns: 300, seed: FC_SEED });
  });

  test('setWeights: wrong counts, shapes and types apply nothing', () => {
    const good = classifier().getWeights();
    sync('setWeights', 'setWeights', (m, [ws]) => m.setWeights(ws as Tensor[]), fc.tuple(fc.oneof(
      badValue(),
      fc.constant(good.slice(0, 3)),
      fc.constant([...good, good[0]]),
      fc.integer({ min: 0, max: good.length - 1 }).chain((i) => badValue().map((v) => good.map((w, j) => (j === i ? v : w)))),
      fc.integer({ min: 0, max: good.length - 1 }).map((i) => good.map((w, j) => (j === i ? t([...w.shape, 1]) : w))),
    )), 300);
  });
});

describe('user regularizers that misbehave are named by layer and hook', () => {
  const base = (over: Partial<Regularizer>): Regularizer => ({
    penalty: (x: Tensor) => 0.01 * x.data.reduce((a, v) => a + v * v, 0),
    gradient: (x: Tensor) => new Tensor(x.data.map((v) => 0.02 * v), x.shape),
    getConfig: () => ({ className: 'MyReg', config: {} }),
    ...over,
  });
  const faults: [string, Partial<Regularizer>, RegExp][] = [
    ['penalty throws', { penalty: () => { throw new Error('boom'); } }, /hidden: kernelRegularizer \(MyReg\)\.penalty threw on shape \[5, 4\]: boom/],
    ['penalty returns NaN', { penalty: () => NaN }, /hidden: kernelRegularizer \(MyReg\)\.penalty returned NaN for a finite weight of shape \[5, 4\]/],
    ['penalty returns a string', { penalty: () => '0.1' as never }, /hidden: kernelRegularizer \(MyReg\)\.penalty must return a number, got string/],
    ['gradient throws', { gradient: () => { throw new TypeError('bad'); } }, /hidden: kernelRegularizer \(MyReg\)\.gradient threw on shape \[5, 4\]: bad/],
    ['gradient has the wrong shape', { gradient: () => new Tensor(new Float32Array(4), [4]) }, /hidden: kernelRegularizer \(MyReg\)\.gradient must have the shape of its input \[5, 4\], got \[4\]/],
    ['gradient is NaN', { gradient: (x: Tensor) => new Tensor(new Float32Array(x.size).fill(NaN), x.shape) }, /hidden: kernelRegularizer \(MyReg\)\.gradient returned NaN or ±Infinity/],
    ['gradient is not a Tensor', { gradient: () => [1, 2] as never }, /hidden: kernelRegularizer \(MyReg\)\.gradient must return a Tensor of shape \[5, 4\], got object/],
    ['getConfig throws (name falls back)', { getConfig: () => { throw new Error('x'); }, penalty: () => NaN }, /hidden: kernelRegularizer \(custom\)\.penalty returned NaN/],
  ];
  const calls: [string, (m: Model) => Promise<unknown>][] = [
    ['fit', (m) => m.fit(X, Y, { epochs: 1, batchSize: 4, verbose: 0 })],
    ['evaluate', async (m) => m.evaluate(X, Y)],
    ['lossBreakdown', async (m) => m.lossBreakdown(X, Y)],
    ['gradients', async (m) => m.gradients(X, Y)],
  ];
  const cases = faults.flatMap(([what, over, re]) => calls.map(([call, f]) => [what, call, over, re, f] as const));
  test.each(cases)('%s — %s', async (_what, call, over, re, f) => {
    const penaltyOnly = over.penalty !== undefined && over.gradient === undefined;
    if (!penaltyOnly && (call === 'evaluate' || call === 'lossBreakdown')) {
      // These never ask for the gradient: the call succeeds with the correct penalty.
      const m = classifier(base(over));
      await expect(f(m)).resolves.toBeDefined();
      return;
    }
    const m = classifier(base(over));
    const before = snapshotOf(m);
    await expect(f(m)).rejects.toThrow(re);
    expect(snapshotOf(m)).toEqual(before);
    tally.add('misbehaving regularizers', { ok: false, error: new Error('') as never });
  });

  test('penalties are summed in double precision: l2 on float32-max weights is exact, not Infinity', () => {
    const m = classifier(regularizers.l2({ l2: 1 }));
    const big = Math.fround(3e38);
    m.setWeights(m.getWeights().map((w, i) => (i === 0 ? new Tensor(new Float32Array(w.size).fill(big), w.shape) : w)));
    const kernel = m.lossBreakdown(X, Y).penalties.find((p) => p.target === 'kernel')!;
    expect(kernel.value / (20 * big * big)).toBeCloseTo(1, 12);
  });
});
