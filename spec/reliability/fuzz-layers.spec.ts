/**
 * Layer factories, regularizers, constraints, optimizers and losses under generated bad options.
 * A factory either rejects its options with a typed error naming the layer, or builds a layer that
 * then runs on a valid input and gives a finite output of the shape it announced — or rejects the
 * input with a typed error. Losses are also computed on generated (often wrong) targets.
 */
import fc from 'fast-check';
import { Tensor, constraints, layers, losses, optimizers, regularizers } from '../../lib';
import { FC_SEED, Tally, badValue, finite, show, typedOutcome } from './fuzz-helpers';
import { LAYERS, type Factory } from './layer-table';

const tally = new Tally();
afterAll(() => console.log(tally.report('fuzz-layers: generated cases')));

function t(shape: number[], seed = 1): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  const d = new Float32Array(n);
  for (let i = 0; i < n; i++) d[i] = Math.sin(seed * 3.7 + i * 0.9);
  return new Tensor(d, shape);
}


const OPTION_BAGS = 250;

describe('every layer factory under generated bad options', () => {
  test('the table covers every factory', () => {
    const factories = Object.entries(layers).filter(([k, v]) => typeof v === 'function' && /^[a-z]/.test(k) && !/^(register|layerClass|registered)/.test(k)).map(([k]) => k);
    expect(factories.filter((k) => !(k in LAYERS))).toEqual([]);
  });

  test.each(Object.keys(LAYERS))('%s', (name) => {
    const c = LAYERS[name];
    const fields = [...Object.keys(c.options), 'name', 'inputShape', 'seed', 'kernelRegulariser', 'units', 'rate'];
    // The layer's name prefix, as its default names carry it (dense_3 → dense).
    const prefix = c.make({ ...c.options, name: undefined }).name.replace(/_\d+$/, '');
    fc.assert(fc.property(fc.constantFrom(...fields), badValue(), fc.boolean(), (field, v, forward) => {
      const opts = { ...c.options, [field]: v };
      if (field === 'name') delete (opts as Record<string, unknown>).name; // a bad name is tested below
      const who = [typeof opts.name === 'string' ? opts.name : null, prefix, name].filter(Boolean).join('|');
      const built = typedOutcome(who, () => c.make(opts), () => show([opts]));
      tally.add('layer factories × bad options', built);
      if (!built.ok || !forward) return;
      const layer = built.value as ReturnType<Factory>;
      const xs = c.inputs.map((s, i) => t(s, i + 1));
      const run = typedOutcome(layer.name, () => layer.forward(xs, true), () => `${show([opts])} on ${show(xs)}`);
      tally.add('forwards of accepted layers', run);
      if (!run.ok) return;
      const y = (run.value as { y: Tensor }).y;
      const want = layer.computeOutputShape(c.inputs.map((s) => s.slice(1)));
      if (!finite(y)) throw new Error(`${name}(${show([opts])}) gave a non-finite output for a finite input`);
      if (y.shape.slice(1).join() !== want.join()) throw new Error(`${name}(${show([opts])}) output ${y.shape} differs from computeOutputShape ${want}`);
    }), { numRuns: OPTION_BAGS, seed: FC_SEED });
    expect(() => c.make({ ...c.options, name: 42 })).toThrow(/name must be a non-empty string/);
  });
});

describe('regularizers, constraints, optimizers, losses under generated bad options', () => {
  const run = (category: string, fn: string, f: (v: unknown) => unknown, arbs: fc.Arbitrary<unknown>, numRuns: number): void => {
    fc.assert(fc.property(arbs, (v) => { tally.add(category, typedOutcome(fn, () => f(v), () => show([v]))); }), { numRuns, seed: FC_SEED });
  };
  const bag = (keys: string[]): fc.Arbitrary<unknown> => fc.oneof(
    badValue(),
    fc.record(Object.fromEntries(keys.map((k) => [k, badValue()])), { requiredKeys: [] }),
    fc.record({ [keys[0]]: badValue(), typo: fc.constant(1) }),
  );

  test('regularizers: factories, and penalty/gradient on bad tensors', () => {
    run('regularizers', 'regularizers.l1', (v) => regularizers.l1(v as never), bag(['l1']), 150);
    run('regularizers', 'regularizers.l2', (v) => regularizers.l2(v as never), bag(['l2']), 150);
    run('regularizers', 'regularizers.l1l2', (v) => regularizers.l1l2(v as never), bag(['l1', 'l2']), 150);
    run('regularizers', 'dense_x', (v) => regularizers.getRegularizer('dense_x', 'kernelRegularizer', v), bag(['l1', 'l2']), 150);
    const r = regularizers.l1l2({ l1: 0.1, l2: 0.2 });
    run('regularizers', 'L1L2', (v) => r.penalty(v as Tensor), badValue(), 150);
    run('regularizers', 'L1L2', (v) => r.gradient(v as Tensor), badValue(), 150);
  });

  test('constraints: factories and apply', () => {
    run('constraints', 'constraints.maxNorm', (v) => constraints.maxNorm(v as never), bag(['maxValue', 'axis']), 300);
    run('constraints', 'constraints.unitNorm', (v) => constraints.unitNorm(v as never), bag(['axis']), 300);
    run('constraints', 'constraints.minMaxNorm', (v) => constraints.minMaxNorm(v as never), bag(['minValue', 'maxValue', 'rate', 'axis']), 300);
    run('constraints', 'dense_x', (v) => constraints.getConstraint('dense_x', 'kernelConstraint', v), bag(['maxValue']), 300);
  });

  test('optimizers: factories and get', () => {
    run('optimizers', 'optimizers.sgd', (v) => optimizers.sgd(v as never), bag(['learningRate', 'momentum', 'nesterov']), 300);
    run('optimizers', 'optimizers.adam', (v) => optimizers.adam(v as never), bag(['learningRate', 'beta1', 'beta2', 'epsilon']), 300);
    run('optimizers', 'optimizers.adamw', (v) => optimizers.adamw(v as never), bag(['learningRate', 'weightDecay', 'beta1']), 200);
    run('optimizers', 'optimizers.rmsprop', (v) => optimizers.rmsprop(v as never), bag(['learningRate', 'rho', 'momentum', 'epsilon']), 200);
    run('optimizers', 'optimizers.get', (v) => optimizers.get(v), fc.oneof(badValue(), fc.constantFrom('sgd', 'Adam', 'rmsprop', 'adamw', 'nadam', 'SGD ')), 200);
  });

  test('losses: factories, get, and compute on generated targets', () => {
    const names = ['meanSquaredError', 'meanAbsoluteError', 'binaryCrossentropy', 'categoricalCrossentropy', 'sparseCategoricalCrossentropy'] as const;
    const L2 = losses as unknown as Record<string, (o?: unknown) => { compute(a: unknown, b: unknown): number; valueAndGradient(a: unknown, b: unknown): { value: number; grad: Tensor } }>;
    for (const n of names) run('losses', `losses.${n}`, (v) => L2[n](v), bag(['fromLogits']), 150);
    run('losses', 'losses.get', (v) => losses.get(v as never), fc.oneof(badValue(), fc.constantFrom('mse', 'categorical_crossentropy', 'hinge', 'MeanSquaredError')), 200);
    // compute(yTrue, yPred): random shapes and values; accepted results must be finite for finite
    // inputs of the probability range, and the gradient must have yPred's shape.
    let computed = 0;
    fc.assert(fc.property(
      fc.constantFrom(...names), fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 4 }),
      fc.constantFrom('same', 'sparse', 'sparse1', 'wrong', 'bad'), fc.integer({ min: -2, max: 5 }), fc.boolean(),
      (n, rows, C, kind, label, logits) => {
        const loss = L2[n](n === 'binaryCrossentropy' || n.includes('ategorical') ? { fromLogits: logits } : undefined);
        const pred = new Tensor(new Float32Array(rows * C).map((_, i) => (logits ? Math.sin(i) * 4 : 0.05 + 0.9 * ((i * 0.37) % 1))), [rows, C]);
        const yTrue = kind === 'same' ? new Tensor(new Float32Array(rows * C).map((_, i) => (i % C === 0 ? 1 : 0)), [rows, C])
          : kind === 'sparse' ? new Tensor(new Float32Array(rows).fill(label), [rows])
            : kind === 'sparse1' ? new Tensor(new Float32Array(rows).fill(label), [rows, 1])
              : kind === 'wrong' ? new Tensor(new Float32Array(rows * (C + 1)), [rows, C + 1]) : ('labels' as unknown as Tensor);
        const o = typedOutcome(`losses.${n}`, () => loss.valueAndGradient(yTrue, pred), () => `${kind} targets, label ${label}, [${rows},${C}]`);
        tally.add('loss computations', o);
        if (!o.ok) return;
        const { value, grad } = o.value as { value: number; grad: Tensor };
        if (!Number.isFinite(value)) throw new Error(`losses.${n} gave ${value} for finite inputs (${kind}, label ${label})`);
        if (grad.shape.join() !== pred.shape.join() || !finite(grad)) throw new Error(`losses.${n} gradient is malformed`);
        computed++;
      }), { numRuns: 1500, seed: FC_SEED });
    expect(computed).toBeGreaterThan(200);
  });
});
