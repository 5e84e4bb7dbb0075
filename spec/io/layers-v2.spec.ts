/**
 * Persistence of the sequence, normalization and convolution-family layers (embedding, simpleRNN,
 * lstm, gru, batchNormalization, layerNormalization, depthwiseConv2d, separableConv1d/2d,
 * conv1d/2d/3dTranspose): Ridge round trips of config and weights, and interop with
 * TensorFlow.js both ways where tfjs has the layer (same predictions 1e-5, same penalties).
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import * as R from '../../lib/index';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const L = R.layers, rr = R.regularizers, reg = tfl.regularizers;
const table: string[] = [];
afterAll(() => {
  // eslint-disable-next-line no-console
  console.log(['model | direction | max |Δ prediction|', '--- | --- | ---', ...table].join('\n'));
});

async function ridgeArtifacts(m: R.Model, includeOptimizer = false): Promise<R.io.ModelArtifacts> {
  let out: R.io.ModelArtifacts | null = null;
  await m.save(R.io.withSaveHandler((a) => { out = a; return { modelArtifactsInfo: R.io.getModelArtifactsInfoForJSON(a) }; }), { includeOptimizer });
  return out!;
}

async function tfjsArtifacts(m: tfl.LayersModel): Promise<R.io.ModelArtifacts> {
  let out: R.io.ModelArtifacts | null = null;
  await m.save(tf.io.withSaveHandler(async (a) => { out = a as unknown as R.io.ModelArtifacts; return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } }; }));
  return out!;
}

function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i] - b[i]) / Math.max(1, Math.abs(b[i])));
  return d;
}

/** Random weights everywhere (moving variances positive), so inference uses every weight. */
function randomize(ws: R.Tensor[], names: string[], seed: number): R.Tensor[] {
  return ws.map((w, i) => (names[i].includes('moving_variance')
    ? R.randomUniform(w.shape as number[], { min: 0.5, max: 1.5, seed: seed + i })
    : R.randomNormal(w.shape as number[], { stddev: 0.3, seed: seed + i })));
}

function indices(shape: number[], vocab: number, seed: number): R.Tensor {
  const rng = new R.Random(seed);
  const t = R.zeros(shape);
  for (let i = 0; i < t.size; i++) t.data[i] = rng.int(vocab);
  return t;
}

/** Penalty values per layer (sorted: hook order may differ), from tfjs' layer losses / Ridge's breakdown. */
function tfjsPenalties(m: tfl.LayersModel): Map<string, number[]> {
  const out = new Map<string, number[]>();
  for (const l of m.layers) {
    // tfjs' recurrent layers keep their weights (and penalties) on the cell
    const cell = (l as unknown as { cell?: { losses: (() => tf.Scalar)[] } }).cell;
    const fns = [...(l as unknown as { losses: (() => tf.Scalar)[] }).losses, ...(cell ? cell.losses : [])];
    if (fns.length > 0) out.set(l.name, fns.map((f) => f().dataSync()[0]).sort((a, b) => a - b));
  }
  return out;
}
function ridgePenalties(m: R.Model, x: R.Tensor, y: R.Tensor): Map<string, number[]> {
  const out = new Map<string, number[]>();
  for (const t of m.lossBreakdown(x, y).penalties) if (t.target !== 'activity') out.set(t.layer, [...(out.get(t.layer) ?? []), t.value]);
  for (const [k, v] of out) out.set(k, v.sort((a, b) => a - b));
  return out;
}

// ------------------------------------------------------------------------------------------------

const ridgeModels: { name: string; x: () => R.Tensor; build: () => R.Model }[] = [
  {
    name: 'embedding → lstm (sequences) → gru → dense',
    x: () => indices([3, 5], 10, 1),
    build: () => R.sequential([
      L.embedding({ inputDim: 10, outputDim: 4, inputLength: 5, embeddingsRegularizer: rr.l2({ l2: 0.01 }), seed: 1 }),
      L.lstm({ units: 3, returnSequences: true, kernelRegularizer: rr.l1({ l1: 0.01 }), recurrentRegularizer: rr.l2({ l2: 0.02 }), biasRegularizer: rr.l1l2(), seed: 2 }),
      L.gru({ units: 2, resetAfter: false, recurrentRegularizer: rr.l1({ l1: 0.03 }), seed: 3 }),
      L.dense({ units: 2, seed: 4 }),
    ]),
  },
  {
    name: 'simpleRNN → batchNormalization → dense',
    x: () => R.randomNormal([3, 5, 2], { seed: 2 }),
    build: () => R.sequential([
      L.simpleRNN({ units: 3, inputShape: [5, 2], recurrentRegularizer: rr.l1l2({ l1: 0.01, l2: 0.01 }), seed: 5 }),
      L.batchNormalization({ gammaRegularizer: rr.l2({ l2: 0.1 }), betaRegularizer: rr.l1({ l1: 0.1 }) }),
      L.dense({ units: 2, seed: 6 }),
    ]),
  },
  {
    name: 'conv2d → batchNormalization → depthwiseConv2d → separableConv2d → conv2dTranspose → layerNormalization → flatten → dense',
    x: () => R.randomNormal([2, 7, 7, 2], { seed: 3 }),
    build: () => R.sequential([
      L.conv2d({ filters: 3, kernelSize: 2, inputShape: [7, 7, 2], seed: 7 }),
      L.batchNormalization({ gammaRegularizer: rr.l2({ l2: 0.05 }) }),
      L.depthwiseConv2d({ kernelSize: 2, depthMultiplier: 2, depthwiseRegularizer: rr.l2({ l2: 0.01 }), seed: 8 }),
      L.separableConv2d({ filters: 3, kernelSize: 2, pointwiseRegularizer: rr.l1({ l1: 0.01 }), depthwiseRegularizer: rr.l1({ l1: 0.02 }), seed: 9 }),
      L.conv2dTranspose({ filters: 2, kernelSize: 3, strides: 2, kernelRegularizer: rr.l2({ l2: 0.01 }), seed: 10 }),
      L.layerNormalization({ betaRegularizer: rr.l2({ l2: 0.2 }) }),
      L.flatten(),
      L.dense({ units: 2, seed: 11 }),
    ]),
  },
];

describe('Ridge round trip of the newer layers', () => {
  const more: { name: string; x: () => R.Tensor; build: () => R.Model }[] = [
    {
      name: 'separableConv1d → conv1dTranspose → globalAveragePooling1d',
      x: () => R.randomNormal([2, 8, 3], { seed: 4 }),
      build: () => R.sequential([
        L.separableConv1d({ filters: 4, kernelSize: 3, inputShape: [8, 3], depthMultiplier: 2, pointwiseRegularizer: 'l2', seed: 1 }),
        L.conv1dTranspose({ filters: 2, kernelSize: 2, strides: 2, seed: 2 }),
        L.globalAveragePooling1d(),
      ]),
    },
    {
      name: 'conv3dTranspose → flatten',
      x: () => R.randomNormal([1, 3, 3, 3, 1], { seed: 5 }),
      build: () => R.sequential([L.conv3dTranspose({ filters: 2, kernelSize: 2, strides: 2, inputShape: [3, 3, 3, 1], seed: 3, biasRegularizer: 'l1' }), L.flatten()]),
    },
    {
      name: 'lstm (returnSequences, goBackwards, dropout, recurrentDropout, unitForgetBias) → gru (resetAfter)',
      x: () => R.randomNormal([2, 4, 3], { seed: 6 }),
      build: () => R.sequential([
        L.lstm({ units: 3, inputShape: [4, 3], returnSequences: true, goBackwards: true, dropout: 0.2, recurrentDropout: 0.1, unitForgetBias: true, seed: 4 }),
        L.gru({ units: 2, resetAfter: true, seed: 5, activityRegularizer: rr.l1({ l1: 0.01 }) }),
      ]),
    },
  ];
  for (const c of [...ridgeModels, ...more]) {
    it(`${c.name}: same config, same weights bit for bit, same predictions`, async () => {
      const m = c.build();
      m.setWeights(randomize(m.getWeights(), m.layers.flatMap((l) => l.weights.map((w) => w.name)), 50));
      const back = await R.loadLayersModel(R.io.fromMemory(await ridgeArtifacts(m)));
      expect(back.layers.map((l) => l.getConfig())).toEqual(m.layers.map((l) => l.getConfig()));
      expect(back.getWeights().map((w) => Array.from(w.data))).toEqual(m.getWeights().map((w) => Array.from(w.data)));
      const x = c.x();
      expect(Array.from(back.predict(x).data)).toEqual(Array.from(m.predict(x).data));
      expect(R.modelFromJSON(m.toJSON() as string).toJSON()).toBe(m.toJSON());
    });
  }

  it('includeOptimizer with an LSTM and batch norm: fit 4 == fit 2, save, load, fit 2, bit for bit', async () => {
    const build = () => {
      const m = ridgeModels[1].build();
      m.compile({ optimizer: R.optimizers.adam({ learningRate: 0.01 }), loss: 'meanSquaredError' });
      return m;
    };
    const x = R.randomNormal([12, 5, 2], { seed: 8 }), y = R.randomNormal([12, 2], { seed: 9 });
    const o = { batchSize: 4, shuffle: false, verbose: 0 as const };
    const straight = build();
    const first = build();
    first.setWeights(straight.getWeights());
    await straight.fit(x, y, { ...o, epochs: 4 });
    await first.fit(x, y, { ...o, epochs: 2 });
    const resumed = await R.loadLayersModel(R.io.fromMemory(await ridgeArtifacts(first, true)));
    await resumed.fit(x, y, { ...o, epochs: 2 });
    expect(resumed.getWeights().map((w) => Array.from(w.data))).toEqual(straight.getWeights().map((w) => Array.from(w.data)));
  });
});

describe('TensorFlow.js ↔ Ridge for the newer layers', () => {
  const tfjsModels: { name: string; x: () => R.Tensor; build: () => tfl.LayersModel }[] = [
    {
      name: ridgeModels[0].name, x: ridgeModels[0].x,
      build: () => tfl.sequential({ layers: [
        tfl.layers.embedding({ inputDim: 10, outputDim: 4, inputLength: 5, embeddingsRegularizer: reg.l2({ l2: 0.01 }) }),
        tfl.layers.lstm({ units: 3, returnSequences: true, recurrentActivation: 'sigmoid', recurrentInitializer: 'glorotNormal', kernelRegularizer: reg.l1({ l1: 0.01 }), recurrentRegularizer: reg.l2({ l2: 0.02 }), biasRegularizer: reg.l1l2() }),
        tfl.layers.gru({ units: 2, recurrentActivation: 'sigmoid', recurrentInitializer: 'glorotNormal', recurrentRegularizer: reg.l1({ l1: 0.03 }) }),
        tfl.layers.dense({ units: 2 }),
      ] }),
    },
    {
      name: ridgeModels[1].name, x: ridgeModels[1].x,
      build: () => tfl.sequential({ layers: [
        tfl.layers.simpleRNN({ units: 3, inputShape: [5, 2], recurrentInitializer: 'glorotNormal', recurrentRegularizer: reg.l1l2({ l1: 0.01, l2: 0.01 }) }),
        tfl.layers.batchNormalization({ gammaRegularizer: reg.l2({ l2: 0.1 }), betaRegularizer: reg.l1({ l1: 0.1 }) }),
        tfl.layers.dense({ units: 2 }),
      ] }),
    },
    {
      name: ridgeModels[2].name, x: ridgeModels[2].x,
      build: () => tfl.sequential({ layers: [
        tfl.layers.conv2d({ filters: 3, kernelSize: 2, inputShape: [7, 7, 2] }),
        tfl.layers.batchNormalization({ gammaRegularizer: reg.l2({ l2: 0.05 }) }),
        tfl.layers.depthwiseConv2d({ kernelSize: 2, depthMultiplier: 2, depthwiseRegularizer: reg.l2({ l2: 0.01 }) }),
        tfl.layers.separableConv2d({ filters: 3, kernelSize: 2, pointwiseRegularizer: reg.l1({ l1: 0.01 }), depthwiseRegularizer: reg.l1({ l1: 0.02 }) }),
        tfl.layers.conv2dTranspose({ filters: 2, kernelSize: 3, strides: 2, kernelRegularizer: reg.l2({ l2: 0.01 }) }),
        tfl.layers.layerNormalization({ betaRegularizer: reg.l2({ l2: 0.2 }) }),
        tfl.layers.flatten(),
        tfl.layers.dense({ units: 2 }),
      ] }),
    },
  ];

  for (const c of tfjsModels) {
    it(`tfjs → Ridge: ${c.name}: same predictions and penalties`, async () => {
      const theirs = c.build();
      const names = theirs.weights.map((w) => w.name);
      const ws = randomize(theirs.getWeights().map((w) => R.tensor(w.dataSync() as Float32Array, w.shape)), names, 70);
      theirs.setWeights(ws.map((w) => tf.tensor(w.data, w.shape as number[])));
      const ours = await R.loadLayersModel(R.io.fromMemory(await tfjsArtifacts(theirs)));
      const x = c.x();
      const pt = theirs.predict(tf.tensor(x.data, x.shape as number[])) as tf.Tensor;
      const d = maxDiff(ours.predict(x).data, pt.dataSync());
      table.push(`${c.name} | tfjs → Ridge | ${d.toExponential(1)}`);
      expect(Math.max(...Array.from(pt.dataSync()).map(Math.abs))).toBeGreaterThan(0.01); // not a trivial output
      expect(d).toBeLessThan(1e-5);
      ours.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
      const want = tfjsPenalties(theirs), got = ridgePenalties(ours, x, R.zeros(pt.shape as number[]));
      expect([...got.keys()].sort()).toEqual([...want.keys()].sort());
      for (const [layer, v] of want) v.forEach((p, i) => expect(Math.abs(got.get(layer)![i] - p)).toBeLessThan(1e-5 * Math.max(1, p)));
    });

    it(`Ridge → tfjs: ${c.name}: tf.loadLayersModel gives the same predictions and penalties`, async () => {
      const i = tfjsModels.indexOf(c);
      const ours = ridgeModels[i].build();
      ours.setWeights(randomize(ours.getWeights(), ours.layers.flatMap((l) => l.weights.map((w) => w.name)), 90));
      const art = await ridgeArtifacts(ours);
      const theirs = await tfl.loadLayersModel(tf.io.fromMemory(art as unknown as tf.io.ModelArtifacts));
      const x = c.x();
      const pt = theirs.predict(tf.tensor(x.data, x.shape as number[])) as tf.Tensor;
      const d = maxDiff(ours.predict(x).data, pt.dataSync());
      table.push(`${c.name} | Ridge → tfjs | ${d.toExponential(1)}`);
      expect(d).toBeLessThan(1e-5);
      const got = tfjsPenalties(theirs);
      ours.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
      const want = ridgePenalties(ours, x, R.zeros(pt.shape as number[]));
      expect([...got.keys()].sort()).toEqual([...want.keys()].sort());
      for (const [layer, v] of want) v.forEach((p, k) => expect(Math.abs(got.get(layer)![k] - p)).toBeLessThan(1e-5 * Math.max(1, p)));
    });
  }
});
