/**
 * Interop with TensorFlow.js (@tensorflow/tfjs-layers on tfjs-backend-cpu), both ways, through the
 * layers-model artifacts each side writes:
 *
 *   tfjs → Ridge   tfjs model.save(tf.io.withSaveHandler) → loadLayersModel(io.fromMemory)
 *                  same predictions (1e-5), every regularizer term of lossBreakdown equals the tfjs
 *                  layer's regularization loss, and one SGD step equals tfjs' step (it trains on)
 *   Ridge → tfjs   model.save(io.withSaveHandler) → tf.loadLayersModel(tf.io.fromMemory)
 *                  same predictions and the same regularizers (config and penalty values)
 *
 * The max prediction difference per model and direction is printed (the table of the report).
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import * as R from '../../lib/index';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const table: string[] = [];
afterAll(() => {
  // eslint-disable-next-line no-console
  console.log(['model | direction | max |Δ prediction|', '--- | --- | ---', ...table].join('\n'));
});

type Artifacts = R.io.ModelArtifacts;

async function tfjsArtifacts(m: tfl.LayersModel): Promise<Artifacts> {
  let out: Artifacts | null = null;
  await m.save(tf.io.withSaveHandler(async (a) => {
    out = a as unknown as Artifacts;
    return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
  }));
  return out!;
}

async function ridgeArtifacts(m: R.Model, includeOptimizer = false): Promise<Artifacts> {
  let out: Artifacts | null = null;
  await m.save(R.io.withSaveHandler((a) => {
    out = a;
    return { modelArtifactsInfo: R.io.getModelArtifactsInfoForJSON(a) };
  }), { includeOptimizer });
  return out!;
}

/** A deterministic input in [-1, 1). */
function input(shape: number[], seed: number): R.Tensor {
  return R.randomUniform(shape, { min: -1, max: 1, seed });
}

function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i] - b[i]) / Math.max(1, Math.abs(b[i])));
  return d;
}

/** tfjs' regularization loss of each hook of each layer, by layer name, in addWeight order (kernel, bias). */
function tfjsPenalties(m: tfl.LayersModel): Map<string, number[]> {
  const out = new Map<string, number[]>();
  for (const l of m.layers) {
    const fns = (l as unknown as { losses: (() => tf.Scalar)[] }).losses;
    if (fns.length > 0) out.set(l.name, fns.map((f) => f().dataSync()[0]));
  }
  return out;
}

/** Ridge's weight-penalty terms by layer, kernel before bias. */
function ridgePenalties(m: R.Model, x: R.Tensor, y: R.Tensor): Map<string, number[]> {
  const b = m.lossBreakdown(x, y);
  const out = new Map<string, number[]>();
  const order = { kernel: 0, bias: 1 } as Record<string, number>;
  for (const t of b.penalties.filter((p) => p.target !== 'activity').sort((p, q) => order[p.target] - order[q.target])) {
    out.set(t.layer, [...(out.get(t.layer) ?? []), t.value]);
  }
  return out;
}

// ------------------------------------------------------------------------------------------------
// The models, built in tfjs

/** train: fit on after loading; sgdStep: also compare one SGD step with tfjs' (not for a shared
 * regularized layer: tfjs adds its penalty once per call, Keras and Ridge once per variable). */
interface Case { name: string; inShape: number[]; build: () => tfl.LayersModel; train?: boolean; sgdStep?: boolean }

const reg = tfl.regularizers;
const CASES: Case[] = [
  {
    name: 'dense (relu, softmax; L1L2 kernel, L2 bias, L1 kernel)', inShape: [6], train: true, sgdStep: true,
    build: () => tfl.sequential({ layers: [
      tfl.layers.dense({ units: 5, activation: 'relu', inputShape: [6], kernelRegularizer: reg.l1l2({ l1: 0.01, l2: 0.02 }), biasRegularizer: reg.l2({ l2: 0.1 }), biasInitializer: 'randomNormal' }),
      tfl.layers.dense({ units: 3, activation: 'softmax', kernelRegularizer: reg.l1({ l1: 0.003 }) }),
    ] }),
  },
  {
    name: 'conv1d same + maxPooling1d + flatten + dense', inShape: [10, 2], train: true, sgdStep: true,
    build: () => tfl.sequential({ layers: [
      tfl.layers.conv1d({ filters: 3, kernelSize: 3, padding: 'same', activation: 'tanh', inputShape: [10, 2], kernelRegularizer: reg.l2({ l2: 0.01 }), biasRegularizer: reg.l1({ l1: 0.02 }), biasInitializer: 'randomUniform' }),
      tfl.layers.maxPooling1d({ poolSize: 2 }),
      tfl.layers.flatten(),
      tfl.layers.dense({ units: 2 }),
    ] }),
  },
  {
    name: 'conv2d + maxPooling2d + conv2d(strides 2, same) + averagePooling2d + flatten + dropout + dense', inShape: [9, 9, 2], train: true,
    build: () => tfl.sequential({ layers: [
      tfl.layers.conv2d({ filters: 4, kernelSize: 3, activation: 'relu', inputShape: [9, 9, 2], kernelRegularizer: reg.l1({ l1: 0.001 }), biasRegularizer: reg.l1l2({ l1: 0.01, l2: 0.01 }), biasInitializer: 'ones' }),
      tfl.layers.maxPooling2d({ poolSize: 2, strides: 1 }),
      tfl.layers.conv2d({ filters: 3, kernelSize: [2, 3], strides: 2, padding: 'same', kernelRegularizer: reg.l2({ l2: 0.005 }) }),
      tfl.layers.averagePooling2d({ poolSize: 2, padding: 'same' }),
      tfl.layers.flatten(),
      tfl.layers.dropout({ rate: 0.25 }),
      tfl.layers.dense({ units: 2, activation: 'sigmoid', kernelRegularizer: reg.l1l2({ l1: 0.001, l2: 0.002 }) }),
    ] }),
  },
  {
    name: 'conv3d + maxPooling3d + flatten + dense', inShape: [5, 5, 5, 1], train: true, sgdStep: true,
    build: () => tfl.sequential({ layers: [
      tfl.layers.conv3d({ filters: 2, kernelSize: 2, inputShape: [5, 5, 5, 1], kernelRegularizer: reg.l1l2({ l1: 0.01, l2: 0.03 }), biasInitializer: 'randomNormal' }),
      tfl.layers.maxPooling3d({ poolSize: 2 }),
      tfl.layers.flatten(),
      tfl.layers.dense({ units: 2, biasRegularizer: reg.l2({ l2: 0.5 }), biasInitializer: 'randomNormal' }),
    ] }),
  },
  {
    name: 'functional: shared dense, add, concatenate', inShape: [6], train: true,
    build: () => {
      const x = tfl.input({ shape: [6] });
      const shared = tfl.layers.dense({ units: 6, activation: 'tanh', kernelRegularizer: reg.l2({ l2: 0.02 }) });
      const a = shared.apply(x) as tfl.SymbolicTensor;
      const b = shared.apply(a) as tfl.SymbolicTensor;
      const c = tfl.layers.dense({ units: 6, kernelRegularizer: reg.l1({ l1: 0.01 }), biasRegularizer: reg.l1({ l1: 0.04 }), biasInitializer: 'randomNormal' }).apply(x) as tfl.SymbolicTensor;
      const s = tfl.layers.add().apply([a, b, c]) as tfl.SymbolicTensor;
      const j = tfl.layers.concatenate().apply([s, x]) as tfl.SymbolicTensor;
      const y = tfl.layers.dense({ units: 2, kernelRegularizer: reg.l1l2({ l1: 0.002, l2: 0.003 }) }).apply(j) as tfl.SymbolicTensor;
      return tfl.model({ inputs: x, outputs: y });
    },
  },
  {
    name: 'functional: two branches, averagePooling1d, globalMaxPooling1d, flatten, concatenate', inShape: [8, 3],
    build: () => {
      const x = tfl.input({ shape: [8, 3] });
      const p = tfl.layers.averagePooling1d({ poolSize: 2 }).apply(x) as tfl.SymbolicTensor;
      const g = tfl.layers.globalMaxPooling1d({}).apply(p) as tfl.SymbolicTensor;
      const f = tfl.layers.flatten().apply(x) as tfl.SymbolicTensor;
      const j = tfl.layers.concatenate({ axis: -1 }).apply([g, f]) as tfl.SymbolicTensor;
      const y = tfl.layers.dense({ units: 3, kernelRegularizer: reg.l2({ l2: 0.01 }) }).apply(j) as tfl.SymbolicTensor;
      return tfl.model({ inputs: x, outputs: y });
    },
  },
  {
    name: 'functional: reshape, conv2d same, activation, globalAverage/MaxPooling2d, add', inShape: [16], train: true, sgdStep: true,
    build: () => {
      const x = tfl.input({ shape: [16] });
      const r = tfl.layers.reshape({ targetShape: [4, 4, 1] }).apply(x) as tfl.SymbolicTensor;
      const c = tfl.layers.conv2d({ filters: 2, kernelSize: 2, padding: 'same', kernelRegularizer: reg.l2({ l2: 0.02 }), biasRegularizer: reg.l1({ l1: 0.1 }), biasInitializer: 'randomNormal' }).apply(r) as tfl.SymbolicTensor;
      const a = tfl.layers.activation({ activation: 'sigmoid' }).apply(c) as tfl.SymbolicTensor;
      const s = tfl.layers.add().apply([tfl.layers.globalAveragePooling2d({}).apply(a) as tfl.SymbolicTensor, tfl.layers.globalMaxPooling2d({}).apply(c) as tfl.SymbolicTensor]) as tfl.SymbolicTensor;
      return tfl.model({ inputs: x, outputs: tfl.layers.dense({ units: 2, activation: 'tanh' }).apply(s) as tfl.SymbolicTensor });
    },
  },
];

describe('TensorFlow.js → Ridge', () => {
  for (const c of CASES) {
    it(`${c.name}: same predictions, same penalties${c.sgdStep ? ', same SGD step' : ''}${c.train ? ', trains on' : ''}`, async () => {
      const theirs = c.build();
      const art = await tfjsArtifacts(theirs);
      expect(art.format).toBe('layers-model');
      const ours = await R.loadLayersModel(R.io.fromMemory(art));
      const x = input([4, ...c.inShape], 11);
      const pt = theirs.predict(tf.tensor(x.data, x.shape as number[])) as tf.Tensor;
      const d = maxDiff(ours.predict(x).data, pt.dataSync());
      table.push(`${c.name} | tfjs → Ridge | ${d.toExponential(1)}`);
      expect(d).toBeLessThan(1e-5);
      expect(ours.predict(x).shape).toEqual(pt.shape);

      // Penalties: Ridge's lossBreakdown terms against tfjs' per-layer regularization losses.
      ours.compile({ optimizer: R.optimizers.sgd({ learningRate: 0.1 }), loss: 'meanSquaredError' });
      const y = input([4, ...(pt.shape.slice(1) as number[])], 12);
      const want = tfjsPenalties(theirs);
      const got = ridgePenalties(ours, x, y);
      expect([...got.keys()].sort()).toEqual([...want.keys()].sort());
      expect(want.size).toBeGreaterThan(0);
      for (const [layer, values] of want) {
        expect(got.get(layer)!.length).toBe(values.length);
        values.forEach((v, i) => expect(Math.abs(got.get(layer)![i] - v)).toBeLessThan(1e-5 * Math.max(1, v)));
      }

      if (c.train) {
        // One full-batch SGD step on both: the same weights after it (penalty gradients included).
        theirs.compile({ optimizer: tf.train.sgd(0.1), loss: 'meanSquaredError' });
        const xt = tf.tensor(x.data, x.shape as number[]), yt = tf.tensor(y.data, y.shape as number[]);
        if (c.sgdStep) {
          await theirs.fit(xt, yt, { epochs: 1, batchSize: 4, shuffle: false, verbose: 0 });
          await ours.fit(x, y, { epochs: 1, batchSize: 4, shuffle: false, verbose: 0 });
          const tw = theirs.getWeights().map((w) => w.dataSync());
          const rw = ours.getWeights().map((w) => w.data);
          expect(rw.length).toBe(tw.length);
          rw.forEach((w, i) => expect(maxDiff(w, tw[i])).toBeLessThan(1e-5));
        }
        const before = ours.evaluate(x, y).loss;
        await ours.fit(x, y, { epochs: 5, batchSize: 4, shuffle: false, verbose: 0, seed: 1 });
        expect(ours.evaluate(x, y).loss).toBeLessThan(before);
      }
    });
  }
});

// ------------------------------------------------------------------------------------------------

describe('Ridge → TensorFlow.js', () => {
  const L = R.layers, rr = R.regularizers;
  const ridgeCases: { name: string; inShape: number[]; build: () => R.Model }[] = [
    {
      name: 'dense (relu, softmax; L1L2 kernel, L2 bias, L1 kernel)', inShape: [6],
      build: () => R.sequential([
        L.dense({ units: 5, activation: 'relu', inputShape: [6], seed: 1, kernelRegularizer: rr.l1l2({ l1: 0.01, l2: 0.02 }), biasRegularizer: rr.l2({ l2: 0.1 }), biasInitializer: 'randomNormal' }),
        L.dense({ units: 3, activation: 'softmax', seed: 2, kernelRegularizer: rr.l1({ l1: 0.003 }) }),
      ]),
    },
    {
      name: 'conv1d same dilated + maxPooling1d + flatten + dense', inShape: [10, 2],
      build: () => R.sequential([
        L.conv1d({ filters: 3, kernelSize: 3, padding: 'same', dilationRate: 2, activation: 'tanh', inputShape: [10, 2], seed: 3, kernelRegularizer: rr.l2({ l2: 0.01 }), biasInitializer: 'randomUniform' }),
        L.maxPooling1d({ poolSize: 2 }),
        L.flatten(),
        L.dense({ units: 2, seed: 4 }),
      ]),
    },
    {
      name: 'conv2d + maxPooling2d + conv2d(strides 2, same) + averagePooling2d + flatten + dropout + dense', inShape: [9, 9, 2],
      build: () => R.sequential([
        L.conv2d({ filters: 4, kernelSize: 3, activation: 'relu', inputShape: [9, 9, 2], seed: 5, kernelRegularizer: rr.l1({ l1: 0.001 }), biasRegularizer: rr.l1l2(), biasInitializer: 'ones' }),
        L.maxPooling2d({ poolSize: 2, strides: 1 }),
        L.conv2d({ filters: 3, kernelSize: [2, 3], strides: 2, padding: 'same', seed: 6, kernelRegularizer: 'l2' }),
        L.averagePooling2d({ poolSize: 2, padding: 'same' }),
        L.flatten(),
        L.dropout({ rate: 0.25, seed: 9 }),
        L.dense({ units: 2, activation: 'sigmoid', seed: 7, kernelRegularizer: rr.l1l2({ l1: 0.001, l2: 0.002 }) }),
      ]),
    },
    {
      name: 'conv3d + maxPooling3d + flatten + dense', inShape: [5, 5, 5, 1],
      build: () => R.sequential([
        L.conv3d({ filters: 2, kernelSize: 2, inputShape: [5, 5, 5, 1], seed: 8, kernelRegularizer: rr.l1l2({ l1: 0.01, l2: 0.03 }), biasInitializer: 'randomNormal' }),
        L.maxPooling3d({ poolSize: 2 }),
        L.flatten(),
        L.dense({ units: 2, seed: 9, biasRegularizer: rr.l2({ l2: 0.5 }), biasInitializer: 'randomNormal' }),
      ]),
    },
    {
      name: 'functional: shared dense, add, concatenate', inShape: [6],
      build: () => {
        const x = R.input({ shape: [6] });
        const shared = L.dense({ units: 6, activation: 'tanh', seed: 10, kernelRegularizer: rr.l2({ l2: 0.02 }) });
        const a = shared.apply(x);
        const b = shared.apply(a);
        const c = L.dense({ units: 6, seed: 11, kernelRegularizer: rr.l1({ l1: 0.01 }), biasRegularizer: rr.l1({ l1: 0.04 }), biasInitializer: 'randomNormal' }).apply(x);
        const s = L.add().apply([a, b, c]);
        const j = L.concatenate().apply([s, x]);
        return R.model({ inputs: x, outputs: L.dense({ units: 2, seed: 12, kernelRegularizer: rr.l1l2({ l1: 0.002, l2: 0.003 }) }).apply(j) });
      },
    },
    {
      name: 'functional: two branches, averagePooling1d, globalMaxPooling1d, flatten, concatenate', inShape: [8, 3],
      build: () => {
        const x = R.input({ shape: [8, 3] });
        const g = L.globalMaxPooling1d().apply(L.averagePooling1d({ poolSize: 2 }).apply(x));
        const j = L.concatenate({ axis: -1 }).apply([g, L.flatten().apply(x)]);
        return R.model({ inputs: x, outputs: L.dense({ units: 3, seed: 13, kernelRegularizer: rr.l2({ l2: 0.01 }) }).apply(j) });
      },
    },
    {
      name: 'functional: reshape, conv2d same, activation, globalAverage/MaxPooling2d, add', inShape: [16],
      build: () => {
        const x = R.input({ shape: [16] });
        const c = L.conv2d({ filters: 2, kernelSize: 2, padding: 'same', seed: 14, kernelRegularizer: rr.l2({ l2: 0.02 }), biasRegularizer: rr.l1({ l1: 0.1 }), biasInitializer: 'randomNormal' })
          .apply(L.reshape({ targetShape: [4, 4, 1] }).apply(x));
        const a = L.activation({ activation: 'sigmoid' }).apply(c);
        const s = L.add().apply([L.globalAveragePooling2d().apply(a), L.globalMaxPooling2d().apply(c)]);
        return R.model({ inputs: x, outputs: L.dense({ units: 2, activation: 'tanh', seed: 15 }).apply(s) });
      },
    },
  ];

  for (const c of ridgeCases) {
    it(`${c.name}: tf.loadLayersModel gives the same predictions and regularizers`, async () => {
      const ours = c.build();
      const art = await ridgeArtifacts(ours);
      const theirs = await tfl.loadLayersModel(tf.io.fromMemory(art as unknown as tf.io.ModelArtifacts));
      const x = input([4, ...c.inShape], 21);
      const pt = theirs.predict(tf.tensor(x.data, x.shape as number[])) as tf.Tensor;
      const d = maxDiff(ours.predict(x).data, pt.dataSync());
      table.push(`${c.name} | Ridge → tfjs | ${d.toExponential(1)}`);
      expect(d).toBeLessThan(1e-5);
      // The regularizers arrive: same penalty per layer and hook.
      ours.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
      const got = tfjsPenalties(theirs);
      const want = ridgePenalties(ours, x, input([4, ...(pt.shape.slice(1) as number[])], 22));
      expect([...got.keys()].sort()).toEqual([...want.keys()].sort());
      for (const [layer, values] of want) values.forEach((v, i) => expect(Math.abs(got.get(layer)![i] - v)).toBeLessThan(1e-5 * Math.max(1, v)));
      // Layer names and the dropout seed survive.
      expect(theirs.layers.map((l) => l.name)).toEqual(expect.arrayContaining(ours.layers.map((l) => l.name)));
    });
  }

  it('a shared regularized layer: tfjs adds its penalty once per call, Ridge (as Keras) once per variable', async () => {
    const theirs = CASES[4].build();
    const ours = await R.loadLayersModel(R.io.fromMemory(await tfjsArtifacts(theirs)));
    ours.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
    const x = input([2, 6], 1), y = input([2, 2], 2);
    const terms = ours.lossBreakdown(x, y).penalties;
    const ridgeSum = terms.reduce((n, t) => n + t.value, 0);
    const sharedKernel = terms.find((t) => t.layer === theirs.layers[1].name && t.target === 'kernel')!.value;
    const tfjsSum = (theirs as unknown as { calculateLosses(): tf.Scalar[] }).calculateLosses().reduce((n, t) => n + t.dataSync()[0], 0);
    expect(Math.abs(tfjsSum - (ridgeSum + sharedKernel))).toBeLessThan(1e-6);
  });

  it('activity regularizers: tfjs keeps them in the config but refuses to build the model (NotImplementedError)', async () => {
    const ours = R.sequential([R.layers.dense({ units: 2, inputShape: [3], activityRegularizer: R.regularizers.l1({ l1: 0.1 }) })]);
    const art = await ridgeArtifacts(ours);
    const cfg = (art.modelTopology as { config: { layers: { config: Record<string, unknown> }[] } }).config.layers[0].config;
    expect(cfg.activity_regularizer).toEqual({ class_name: 'L1L2', config: { l1: 0.1, l2: 0 } });
    await expect(tfl.loadLayersModel(tf.io.fromMemory(art as unknown as tf.io.ModelArtifacts))).rejects.toThrow(/activity regularizer/);
    // Ridge itself round-trips it, penalty included.
    const back = await R.loadLayersModel(R.io.fromMemory(art));
    expect(back.layers[0].activityRegularizer!.getConfig()).toEqual({ className: 'L1', config: { l1: 0.1 } });
  });

  it('Ridge → tfjs → Ridge keeps every weight bit for bit', async () => {
    const ours = ridgeCases[2].build();
    const art = await ridgeArtifacts(ours);
    const theirs = await tfl.loadLayersModel(tf.io.fromMemory(art as unknown as tf.io.ModelArtifacts));
    const back = await R.loadLayersModel(R.io.fromMemory(await tfjsArtifacts(theirs)));
    const a = ours.getWeights(), b = back.getWeights();
    expect(b.length).toBe(a.length);
    a.forEach((w, i) => expect(Array.from(b[i].data)).toEqual(Array.from(w.data)));
    expect(back.layers.map((l) => l.getConfig())).toEqual(ours.layers.map((l) => l.getConfig()));
  });
});

describe('Keras → (tensorflowjs_converter) → Ridge', () => {
  it('reads a Keras 2 file as the converter writes it: model_config wrapper, InputLayer, L2 class, Keras-only keys', async () => {
    const glorot = { class_name: 'GlorotUniform', config: { seed: null } };
    const topology = {
      keras_version: '2.13.1', backend: 'tensorflow',
      model_config: { class_name: 'Sequential', config: { name: 'sequential', layers: [
        { class_name: 'InputLayer', config: { batch_input_shape: [null, 6, 6, 1], dtype: 'float32', sparse: false, ragged: false, name: 'conv2d_input' } },
        { class_name: 'Conv2D', config: { name: 'conv2d', trainable: true, dtype: 'float32', filters: 3, kernel_size: [3, 3], strides: [1, 1], padding: 'valid',
          data_format: 'channels_last', dilation_rate: [1, 1], groups: 1, activation: 'relu', use_bias: true, kernel_initializer: glorot,
          bias_initializer: { class_name: 'Zeros', config: {} }, kernel_regularizer: { class_name: 'L2', config: { l2: 0.0010000000474974513 } },
          bias_regularizer: null, activity_regularizer: null, kernel_constraint: null, bias_constraint: null } },
        { class_name: 'MaxPooling2D', config: { name: 'max_pooling2d', trainable: true, dtype: 'float32', pool_size: [2, 2], padding: 'valid', strides: [2, 2], data_format: 'channels_last' } },
        { class_name: 'Flatten', config: { name: 'flatten', trainable: true, dtype: 'float32', data_format: 'channels_last' } },
        { class_name: 'Dropout', config: { name: 'dropout', trainable: true, dtype: 'float32', rate: 0.5, noise_shape: null, seed: null } },
        { class_name: 'Dense', config: { name: 'dense', trainable: true, dtype: 'float32', units: 2, activation: 'softmax', use_bias: true, kernel_initializer: glorot,
          bias_initializer: { class_name: 'Zeros', config: {} }, kernel_regularizer: { class_name: 'L1', config: { l1: 0.01 } }, bias_regularizer: null,
          activity_regularizer: { class_name: 'L2', config: { l2: 0.02 } }, kernel_constraint: null, bias_constraint: null } },
      ] } },
      training_config: { loss: 'categorical_crossentropy', metrics: ['accuracy'], optimizer_config: { class_name: 'Adam', config: { learning_rate: 0.001 } } },
    };
    const shapes: [string, number[]][] = [['conv2d/kernel', [3, 3, 1, 3]], ['conv2d/bias', [3]], ['dense/kernel', [12, 2]], ['dense/bias', [2]]];
    const values = shapes.map(([, s], i) => R.randomNormal(s, { stddev: 0.3, seed: 30 + i }).data);
    const data = new Float32Array(values.reduce((n, v) => n + v.length, 0));
    let o = 0;
    for (const v of values) { data.set(v, o); o += v.length; }
    const art = { modelTopology: topology, format: 'layers-model', generatedBy: 'keras v2.13.1', convertedBy: 'TensorFlow.js Converter v4.22.0',
      weightSpecs: shapes.map(([name, shape]) => ({ name, shape, dtype: 'float32' as const })), weightData: data.buffer };
    const ours = await R.loadLayersModel(R.io.fromMemory(art));
    expect(ours.layers.map((l) => l.name)).toEqual(['conv2d', 'max_pooling2d', 'flatten', 'dropout', 'dense']);
    expect(ours.optimizer).toBe(null); // the converter's training_config sits inside modelTopology: ignored, as tfjs does
    // tfjs as the oracle for the predictions (it has no L1 / L2 classes nor activity regularizers: those are taken out for it).
    const forTfjs = JSON.parse(JSON.stringify(topology));
    forTfjs.model_config.config.layers[1].config.kernel_regularizer = null;
    forTfjs.model_config.config.layers[5].config.kernel_regularizer = null;
    forTfjs.model_config.config.layers[5].config.activity_regularizer = null;
    const theirs = await tfl.loadLayersModel(tf.io.fromMemory({ ...art, modelTopology: forTfjs }));
    const x = input([3, 6, 6, 1], 40);
    const pt = (theirs.predict(tf.tensor(x.data, [3, 6, 6, 1])) as tf.Tensor).dataSync();
    const d = maxDiff(ours.predict(x).data, pt);
    table.push(`Keras 2 converted file (conv2d, pooling, flatten, dropout, dense) | Keras → Ridge | ${d.toExponential(1)}`);
    expect(d).toBeLessThan(1e-5);
    // Penalties as Keras defines them: l2·Σk², l1·Σ|k|, activity l2·Σy²/B.
    ours.compile({ optimizer: 'sgd', loss: 'categoricalCrossentropy' });
    const y = R.tensor([[1, 0], [0, 1], [1, 0]]);
    const terms = ours.lossBreakdown(x, y).penalties;
    const sum = (v: Float32Array, f: (a: number) => number) => v.reduce((n, a) => n + f(a), 0);
    const yp = ours.predict(x).data;
    expect(terms.map((t) => [t.layer, t.target])).toEqual([['conv2d', 'kernel'], ['dense', 'kernel'], ['dense', 'activity']]);
    expect(terms[0].value).toBeCloseTo(0.0010000000474974513 * sum(values[0], (a) => a * a), 6);
    expect(terms[1].value).toBeCloseTo(0.01 * sum(values[2], Math.abs), 6);
    expect(terms[2].value).toBeCloseTo((0.02 * sum(yp, (a) => a * a)) / 3, 6);
  });
});
