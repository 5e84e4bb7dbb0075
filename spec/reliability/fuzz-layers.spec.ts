/**
 * Layer factories, regularizers, constraints, optimizers and losses under generated bad options.
 * A factory either rejects its options with a typed error naming the layer, or builds a layer that
 * then runs on a valid input and gives a finite output of the shape it announced — or rejects the
 * input with a typed error. Losses are also computed on generated (often wrong) targets.
 */
import fc from 'fast-check';
import { Tensor, constraints, layers, losses, optimizers, regularizers } from '../../lib';
import { FC_SEED, Tally, badValue, finite, show, typedOutcome } from './fuzz-helpers';

const tally = new Tally();
afterAll(() => console.log(tally.report('fuzz-layers: generated cases')));

function t(shape: number[], seed = 1): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  const d = new Float32Array(n);
  for (let i = 0; i < n; i++) d[i] = Math.sin(seed * 3.7 + i * 0.9);
  return new Tensor(d, shape);
}

type Factory = (o: Record<string, unknown>) => { name: string; forward(xs: Tensor[], training: boolean): { y: Tensor }; computeOutputShape(s: number[][]): number[] };
interface LayerCase { make: Factory; options: Record<string, unknown>; inputs: number[][] }
const L = layers as unknown as Record<string, Factory>;
const reg = { kernelRegularizer: 'l2', biasRegularizer: regularizers.l1l2({ l1: 0.01, l2: 0.01 }), activityRegularizer: 'l1' };
const conv = (r: number): LayerCase => ({
  make: L[`conv${r}d`], inputs: [[2, ...new Array(r).fill(5), 2]],
  options: { filters: 3, kernelSize: 3, strides: 1, padding: 'same', dilationRate: 1, activation: 'relu', useBias: true, seed: 1, ...reg, kernelConstraint: 'maxNorm' },
});
const pooling = (name: string, r: number): LayerCase => ({ make: L[name], inputs: [[2, ...new Array(r).fill(4), 3]], options: { poolSize: 2, strides: 2, padding: 'valid' } });
const globalPool = (name: string, r: number): LayerCase => ({ make: L[name], inputs: [[2, ...new Array(r).fill(3), 3]], options: { name: `${name}_x` } });

const LAYERS: Record<string, LayerCase> = {
  dense: { make: L.dense, inputs: [[3, 4]], options: { units: 2, activation: 'tanh', useBias: true, seed: 1, kernelInitializer: 'glorotUniform', ...reg, biasConstraint: 'nonNeg' } },
  conv1d: conv(1), conv2d: conv(2), conv3d: conv(3),
  ...Object.fromEntries([1, 2, 3].flatMap((r) => [
    [`maxPooling${r}d`, pooling(`maxPooling${r}d`, r)], [`averagePooling${r}d`, pooling(`averagePooling${r}d`, r)],
    [`globalMaxPooling${r}d`, globalPool(`globalMaxPooling${r}d`, r)], [`globalAveragePooling${r}d`, globalPool(`globalAveragePooling${r}d`, r)],
  ])),
  flatten: { make: L.flatten, inputs: [[2, 3, 4]], options: { name: 'flat' } },
  reshape: { make: L.reshape, inputs: [[2, 3, 4]], options: { targetShape: [4, -1] } },
  dropout: { make: L.dropout, inputs: [[2, 6]], options: { rate: 0.5, seed: 3 } },
  activation: { make: L.activation, inputs: [[2, 5]], options: { activation: 'softmax' } },
  add: { make: L.add, inputs: [[2, 3], [2, 3]], options: { name: 'sum_it' } },
  concatenate: { make: L.concatenate, inputs: [[2, 3], [2, 2]], options: { axis: -1 } },
  embedding: { make: L.embedding, inputs: [[2, 4]], options: { inputDim: 5, outputDim: 3, embeddingsRegularizer: 'l2', activityRegularizer: 'l1', seed: 1 } },
  ...Object.fromEntries(['simpleRNN', 'lstm', 'gru'].map((k) => [k, { make: L[k], inputs: [[2, 4, 3]], options: {
    units: 3, returnSequences: true, dropout: 0.2, recurrentDropout: 0.2, seed: 1, kernelRegularizer: 'l2', recurrentRegularizer: 'l1', biasRegularizer: 'l2', activityRegularizer: 'l1', goBackwards: false,
  } }])),
  batchNormalization: { make: L.batchNormalization, inputs: [[4, 3]], options: { axis: -1, momentum: 0.99, epsilon: 1e-3, center: true, scale: true, gammaRegularizer: 'l2', betaRegularizer: 'l1' } },
  layerNormalization: { make: L.layerNormalization, inputs: [[4, 3]], options: { axis: -1, epsilon: 1e-3, center: true, scale: true, gammaRegularizer: 'l2' } },
  depthwiseConv2d: { make: L.depthwiseConv2d, inputs: [[2, 5, 5, 2]], options: { kernelSize: 3, strides: 1, padding: 'same', depthMultiplier: 2, depthwiseRegularizer: 'l2', seed: 1 } },
  separableConv1d: { make: L.separableConv1d, inputs: [[2, 6, 2]], options: { filters: 3, kernelSize: 3, padding: 'same', depthwiseRegularizer: 'l2', pointwiseRegularizer: 'l1', seed: 1 } },
  separableConv2d: { make: L.separableConv2d, inputs: [[2, 5, 5, 2]], options: { filters: 3, kernelSize: 3, padding: 'valid', depthMultiplier: 1, depthwiseRegularizer: 'l2', seed: 1 } },
  ...Object.fromEntries([1, 2, 3].map((r) => [`conv${r}dTranspose`, { make: L[`conv${r}dTranspose`], inputs: [[2, ...new Array(r).fill(3), 2]],
    options: { filters: 2, kernelSize: 3, strides: 2, padding: 'same', ...reg, seed: 1 } }])),
  // noise, reshaping and elementwise-merge layers (lib/layers/noise.ts, reshaping.ts, merge.ts)
  activityRegularization: { make: L.activityRegularization, inputs: [[2, 3]], options: { l1: 0.01, l2: 0.01 } },
  gaussianNoise: { make: L.gaussianNoise, inputs: [[2, 4]], options: { stddev: 0.1, seed: 1 } },
  gaussianDropout: { make: L.gaussianDropout, inputs: [[2, 4]], options: { rate: 0.2, seed: 1 } },
  spatialDropout1d: { make: L.spatialDropout1d, inputs: [[2, 4, 3]], options: { rate: 0.2, seed: 1 } },
  spatialDropout2d: { make: L.spatialDropout2d, inputs: [[2, 3, 3, 2]], options: { rate: 0.2, seed: 1, dataFormat: 'channelsLast' } },
  spatialDropout3d: { make: L.spatialDropout3d, inputs: [[2, 2, 2, 2, 2]], options: { rate: 0.2, seed: 1, dataFormat: 'channelsFirst' } },
  upSampling1d: { make: L.upSampling1d, inputs: [[2, 3, 2]], options: { size: 2 } },
  upSampling2d: { make: L.upSampling2d, inputs: [[2, 3, 3, 2]], options: { size: [2, 3], interpolation: 'bilinear', dataFormat: 'channelsLast' } },
  zeroPadding1d: { make: L.zeroPadding1d, inputs: [[2, 3, 2]], options: { padding: [1, 2] } },
  zeroPadding2d: { make: L.zeroPadding2d, inputs: [[2, 3, 3, 2]], options: { padding: [[1, 0], [0, 2]], dataFormat: 'channelsLast' } },
  cropping1d: { make: L.cropping1d, inputs: [[2, 5, 2]], options: { cropping: [1, 1] } },
  cropping2d: { make: L.cropping2d, inputs: [[2, 5, 5, 2]], options: { cropping: [[1, 1], [0, 2]], dataFormat: 'channelsLast' } },
  permute: { make: L.permute, inputs: [[2, 3, 4]], options: { dims: [2, 1] } },
  repeatVector: { make: L.repeatVector, inputs: [[2, 3]], options: { n: 2 } },
  ...Object.fromEntries(['multiply', 'average', 'maximum', 'minimum', 'subtract'].map((k) => [k, { make: L[k], inputs: [[2, 3], [2, 3]], options: { name: `${k}_it` } }])),
};

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
