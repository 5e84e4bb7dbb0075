/**
 * Ridge ↔ Ridge persistence: the Keras config round trip (toJSON / modelFromJSON) of every layer
 * type with every hook, custom regularizers (registerRegularizer), save/load through handlers, and
 * includeOptimizer: fit 10 epochs == fit 5, save, load, fit 5, bit for bit (dropout included).
 */
import * as R from '../../lib/index';
import type { Regularizer } from '../../lib/regularizers';
import { Layer, ForwardResult } from '../../lib/layers/layer';
import { getRegularizer } from '../../lib/regularizers';
import { getInitializer, Initializer } from '../../lib/initializers';
import { Random } from '../../lib/random';

const L = R.layers, rr = R.regularizers;

async function save(m: R.Model, includeOptimizer = false): Promise<R.io.ModelArtifacts> {
  let out: R.io.ModelArtifacts | null = null;
  await m.save(R.io.withSaveHandler((a) => { out = a; return { modelArtifactsInfo: R.io.getModelArtifactsInfoForJSON(a) }; }), { includeOptimizer });
  return out!;
}

function bits(ts: R.Tensor[]): number[][] {
  return ts.map((t) => Array.from(new Uint32Array(t.data.buffer, t.data.byteOffset, t.data.length)));
}

/** Every layer type Ridge registers, with every option it has, in one functional graph. */
function everyLayerModel(): R.Model {
  const x = R.input({ shape: [6, 6, 2], name: 'image' });
  const c = L.conv2d({ filters: 3, kernelSize: [3, 2], strides: 1, padding: 'same', dilationRate: [1, 2], activation: 'relu', useBias: true,
    kernelInitializer: { name: 'heNormal', seed: 3 }, biasInitializer: 'ones', kernelRegularizer: rr.l1l2({ l1: 0.001, l2: 0.002 }),
    biasRegularizer: rr.l2({ l2: 0.3 }), activityRegularizer: rr.l1({ l1: 0.01 }), kernelConstraint: R.constraints.maxNorm({ maxValue: 2.5, axis: [0, 1, 2] }),
    biasConstraint: R.constraints.nonNeg(), name: 'conv_a', seed: 1 }).apply(x);
  const mp = L.maxPooling2d({ poolSize: 2, strides: 1, padding: 'valid', name: 'pool_a' }).apply(c);
  const ap = L.averagePooling2d({ poolSize: [2, 2], padding: 'same', name: 'pool_b' }).apply(c);
  const s = L.add({ name: 'sum' }).apply([L.globalMaxPooling2d({ name: 'gmax' }).apply(mp), L.globalAveragePooling2d({ name: 'gavg' }).apply(ap)]);
  const r = L.reshape({ targetShape: [3, 1], name: 'reshape' }).apply(s);
  const c1 = L.conv1d({ filters: 2, kernelSize: 2, padding: 'causal', kernelRegularizer: 'l2', useBias: false, name: 'conv_causal', seed: 2 }).apply(r);
  const p1 = L.averagePooling1d({ poolSize: 1, name: 'pool1d' }).apply(c1);
  const g1 = L.globalAveragePooling1d({ name: 'gavg1d' }).apply(p1);
  const f = L.flatten({ name: 'flat' }).apply(mp);
  const d = L.dropout({ rate: 0.3, seed: 42, name: 'drop' }).apply(f);
  const j = L.concatenate({ axis: -1, name: 'join' }).apply([d, g1, s]);
  const shared = L.dense({ units: 4, activation: 'tanh', kernelInitializer: { name: 'randomUniform', minval: -0.2, maxval: 0.3, seed: 9 },
    biasConstraint: R.constraints.minMaxNorm({ minValue: 0.1, maxValue: 2, rate: 0.5 }), kernelConstraint: R.constraints.unitNorm({ axis: 0 }), name: 'shared', seed: 5 });
  const h = L.activation({ activation: 'sigmoid', name: 'act' }).apply(shared.apply(L.dense({ units: 4, name: 'pre', seed: 6, kernelRegularizer: rr.l1({ l1: 0.02 }) }).apply(j)));
  const h2 = shared.apply(h);
  return R.model({ inputs: x, outputs: L.dense({ units: 2, activation: 'softmax', name: 'out', seed: 7, kernelInitializer: 'lecunNormal' }).apply(h2), name: 'every_layer' });
}

describe('toJSON / modelFromJSON (the Keras model config)', () => {
  it('every layer type round-trips its config, names, hooks, seeds and graph (shared layer included)', () => {
    const m = everyLayerModel();
    const json = m.toJSON() as string;
    expect(typeof json).toBe('string');
    const topo = JSON.parse(json);
    expect(topo.class_name).toBe('Model');
    const conv = topo.config.layers.find((l: { name: string }) => l.name === 'conv_a').config;
    expect(conv.kernel_regularizer).toEqual({ class_name: 'L1L2', config: { l1: 0.001, l2: 0.002 } });
    expect(conv.bias_regularizer).toEqual({ class_name: 'L1L2', config: { l1: 0, l2: 0.3 } });
    expect(conv.activity_regularizer).toEqual({ class_name: 'L1L2', config: { l1: 0.01, l2: 0 } });
    expect(conv.kernel_constraint).toEqual({ class_name: 'MaxNorm', config: { max_value: 2.5, axis: [0, 1, 2] } });
    expect(conv.dilation_rate).toEqual([1, 2]);
    const sharedEntry = topo.config.layers.find((l: { name: string }) => l.name === 'shared');
    expect(sharedEntry.inbound_nodes).toEqual([[['pre', 0, 0, {}]], [['act', 0, 0, {}]]]);
    expect(topo.config.layers.find((l: { name: string }) => l.name === 'act').inbound_nodes).toEqual([[['shared', 0, 0, {}]]]);

    const back = R.modelFromJSON(json);
    expect(back.name).toBe('every_layer');
    expect(back.layers.map((l) => l.name)).toEqual(m.layers.map((l) => l.name));
    expect(back.layers.map((l) => l.className)).toEqual(m.layers.map((l) => l.className));
    expect(back.layers.map((l) => l.getConfig())).toEqual(m.layers.map((l) => l.getConfig()));
    expect(back.layers.map((l) => l.activityRegularizer?.getConfig() ?? null)).toEqual(m.layers.map((l) => l.activityRegularizer?.getConfig() ?? null));
    expect(back.toJSON()).toBe(json);
    // Same graph: with the same weights, the same outputs.
    back.setWeights(m.getWeights());
    const x = R.randomNormal([3, 6, 6, 2], { seed: 1 });
    expect(Array.from(back.predict(x).data)).toEqual(Array.from(m.predict(x).data));
    // modelFromJSON also takes the object and a whole model.json.
    expect(R.modelFromJSON(topo).toJSON()).toBe(json);
    expect(R.modelFromJSON({ modelTopology: topo }).toJSON()).toBe(json);
  });

  it('the penalties of a loaded model are the ones of the original, term by term', () => {
    const m = everyLayerModel();
    const back = R.modelFromJSON(m.toJSON() as string);
    back.setWeights(m.getWeights());
    const x = R.randomNormal([3, 6, 6, 2], { seed: 2 }), y = R.tensor([[1, 0], [0, 1], [1, 0]]);
    for (const k of [m, back]) k.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy' });
    expect(back.lossBreakdown(x, y)).toEqual(m.lossBreakdown(x, y));
    expect(m.lossBreakdown(x, y).penalties.map((p) => `${p.layer}/${p.target}`)).toEqual(
      ['conv_a/kernel', 'conv_a/bias', 'conv_a/activity', 'conv_causal/kernel', 'pre/kernel']);
  });

  it('a model with two inputs keeps their order, names and shapes', async () => {
    const b = R.input({ shape: [2], name: 'b_second' });
    const a = R.input({ shape: [3], name: 'a_first' });
    const j = L.concatenate({ name: 'j' }).apply([L.dense({ units: 2, seed: 1, name: 'da' }).apply(a), b]);
    const m = R.model({ inputs: [a, b], outputs: L.dense({ units: 1, seed: 2, name: 'o' }).apply(j) });
    const back = await R.loadLayersModel(R.io.fromMemory(await save(m)));
    expect(back.inputs.map((t) => [t.name, t.shape])).toEqual([['a_first', [null, 3]], ['b_second', [null, 2]]]);
    const xa = R.tensor([[1, 2, 3], [4, 5, 6]]), xb = R.tensor([[7, 8], [9, 10]]);
    expect(Array.from(back.predict([xa, xb]).data)).toEqual(Array.from(m.predict([xa, xb]).data));
  });

  it('a sequential model keeps batch_input_shape on its first layer; toJSON(null, false) gives the object', () => {
    const m = R.sequential([L.dense({ units: 3, inputShape: [5] }), L.dropout({ rate: 0.5 }), L.dense({ units: 1 })], { name: 'seq' });
    const topo = m.toJSON(null, false) as { class_name: string; config: { name: string; layers: { config: Record<string, unknown> }[] } };
    expect(topo.class_name).toBe('Sequential');
    expect(topo.config.layers[0].config.batch_input_shape).toEqual([null, 5]);
    expect(topo.config.layers[1].config.seed).toBe(null);
    const back = R.modelFromJSON(topo);
    expect(back.built).toBe(true);
    expect(back.inputs[0].shape).toEqual([null, 5]);
  });

  it('a sequential model built on its first data (no inputShape) saves that input shape', async () => {
    const m = R.sequential([L.dense({ units: 2, seed: 1 })]);
    m.predict(R.zeros([1, 7]));
    const back = await R.loadLayersModel(R.io.fromMemory(await save(m)));
    expect(back.inputs[0].shape).toEqual([null, 7]);
    expect(Array.from(back.predict(R.ones([1, 7])).data)).toEqual(Array.from(m.predict(R.ones([1, 7])).data));
  });

  it('reads the Keras forms: an InputLayer first in a Sequential, VarianceScaling, Keras 3 inbound nodes', () => {
    const seq = {
      class_name: 'Sequential',
      config: { name: 'k', layers: [
        { class_name: 'InputLayer', config: { batch_shape: [null, 4], dtype: 'float32', sparse: false, name: 'in' } },
        { module: 'keras.layers', class_name: 'Dense', config: { name: 'd', units: 2, activation: 'relu', use_bias: true, dtype: { module: 'keras', class_name: 'DTypePolicy', config: { name: 'float32' } },
          kernel_initializer: { class_name: 'VarianceScaling', config: { scale: 2, mode: 'fan_in', distribution: 'uniform', seed: 3 } },
          kernel_regularizer: { module: 'keras.regularizers', class_name: 'L2', config: { l2: 0.05 }, registered_name: null } } },
      ] },
    };
    const m = R.modelFromJSON(seq);
    expect(m.inputs[0].shape).toEqual([null, 4]);
    expect(m.layers[0].getConfig().kernelInitializer).toEqual({ className: 'HeUniform', config: { seed: 3 } });
    expect(m.layers[0].getConfig().kernelRegularizer).toEqual({ className: 'L2', config: { l2: 0.05 } });
    const fn = {
      class_name: 'Functional',
      config: { name: 'f', layers: [
        { name: 'a', class_name: 'InputLayer', config: { batch_shape: [null, 3], name: 'a' }, inbound_nodes: [] },
        { name: 'd', class_name: 'Dense', config: { name: 'd', units: 3 }, inbound_nodes: [{ args: [{ class_name: '__keras_tensor__', config: { shape: [null, 3], keras_history: ['a', 0, 0] } }], kwargs: {} }] },
        { name: 's', class_name: 'Add', config: { name: 's' }, inbound_nodes: [{ args: [[{ class_name: '__keras_tensor__', config: { keras_history: ['a', 0, 0] } }, { class_name: '__keras_tensor__', config: { keras_history: ['d', 0, 0] } }]], kwargs: {} }] },
      ], input_layers: [['a', 0, 0]], output_layers: [['s', 0, 0]] },
    };
    const f = R.modelFromJSON(fn);
    const x = R.tensor([[1, 2, 3]]);
    const [k, b] = f.getLayer('d').getWeights();
    const want = [0, 1, 2].map((j) => [1, 2, 3][j] + b.data[j] + [0, 1, 2].reduce((n, i) => n + [1, 2, 3][i] * k.data[i * 3 + j], 0));
    Array.from(f.predict(x).data).forEach((v, j) => expect(v).toBeCloseTo(want[j], 5));
  });

  it('a custom regularizer survives with registerRegularizer; an unregistered one names the call to make', () => {
    class Elastic implements Regularizer {
      constructor(readonly alpha: number) {}
      penalty(x: R.Tensor): number { return this.alpha * x.data.reduce((n, v) => n + v * v * v * v, 0); }
      gradient(x: R.Tensor): R.Tensor { return new R.Tensor(x.data.map((v) => 4 * this.alpha * v * v * v), x.shape); }
      getConfig() { return { className: 'QuarticPenalty', config: { alpha: this.alpha } }; }
    }
    const m = R.sequential([L.dense({ units: 2, inputShape: [3], kernelRegularizer: new Elastic(0.5), name: 'q' })]);
    const json = m.toJSON() as string;
    expect(() => R.modelFromJSON(json)).toThrow(R.ConfigError);
    expect(() => R.modelFromJSON(json)).toThrow(/unknown regularizer class 'QuarticPenalty'.*registerRegularizer\('QuarticPenalty'/);
    R.registerRegularizer('QuarticPenalty', (c) => new Elastic(c.alpha as number));
    const back = R.modelFromJSON(json);
    back.setWeights(m.getWeights());
    for (const k of [m, back]) k.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
    const x = R.tensor([[1, 2, 3]]), y = R.tensor([[0, 1]]);
    const w = m.getWeights()[0].data;
    const want = 0.5 * w.reduce((n, v) => n + v * v * v * v, 0);
    const terms = back.lossBreakdown(x, y).penalties;
    expect(terms.map((t) => [t.layer, t.target])).toEqual([['q', 'kernel']]);
    expect(terms[0].value).toBeCloseTo(want, 12);
    expect(terms[0].value).toBe(m.lossBreakdown(x, y).penalties[0].value);
  });
});

/** A layer class defined outside Ridge: y = x ⊙ gamma, with a regularized 'gamma' weight. */
class Scale extends Layer {
  readonly className = 'Scale';
  readonly gammaRegularizer: Regularizer | null;
  private readonly init: Initializer;
  constructor(args: { name?: string; inputShape?: number[]; gammaRegularizer?: unknown; gammaInitializer?: unknown }) {
    super('scale', args);
    this.gammaRegularizer = getRegularizer(this.name, 'gammaRegularizer', args.gammaRegularizer);
    this.init = getInitializer(this.name, 'gammaInitializer', args.gammaInitializer, 'ones');
  }
  computeOutputShape(s: number[][]): number[] { return s[0].slice(); }
  protected override buildWeights(s: number[][]): void {
    this.weights = [this.makeWeight('gamma', 'gamma', [s[0][s[0].length - 1]], this.init, this.gammaRegularizer, new Random(1))];
  }
  forward(inputs: R.Tensor[]): ForwardResult { this.ensureBuilt(inputs); return { y: R.mul(inputs[0], this.weights[0].value), ctx: inputs[0] }; }
  backward(): R.Tensor[] { throw new Error('not needed here'); }
  // The live objects on purpose: the serializer takes their getConfig().
  override getConfig() { return { name: this.name, trainable: true, gammaRegularizer: this.gammaRegularizer, gammaInitializer: this.init.getConfig() }; }
}

describe('the layer registry is the contract', () => {
  it('a layer class registered from outside round-trips through save/load, its regularizer included', async () => {
    L.registerLayerClass('Scale', (c) => new Scale(c));
    const m = R.sequential([L.dense({ units: 3, inputShape: [2], seed: 1 }), new Scale({ gammaRegularizer: rr.l2({ l2: 0.5 }), gammaInitializer: { name: 'randomUniform', seed: 4 }, name: 'sc' })]);
    const a = await save(m);
    const cfg = (a.modelTopology as any).config.layers[1];
    expect(cfg).toMatchObject({ class_name: 'Scale', config: { gamma_regularizer: { class_name: 'L1L2', config: { l1: 0, l2: 0.5 } }, gamma_initializer: { class_name: 'RandomUniform' } } });
    expect(a.weightSpecs!.map((s) => s.name)).toEqual([`${m.layers[0].name}/kernel`, `${m.layers[0].name}/bias`, 'sc/gamma']);
    const back = await R.loadLayersModel(R.io.fromMemory(a));
    expect(back.layers[1]).toBeInstanceOf(Scale);
    const x = R.tensor([[1, -2]]), y = R.tensor([[0, 0, 0]]);
    for (const k of [m, back]) k.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
    expect(back.predict(x).data).toEqual(m.predict(x).data);
    const g = m.layers[1].weights[0].value.data; // randomUniform in [-0.05, 0.05], seed 4
    expect(back.lossBreakdown(x, y).penalties).toEqual([{ layer: 'sc', target: 'gamma', value: m.lossBreakdown(x, y).penalties[0].value }]);
    expect(back.lossBreakdown(x, y).penalties[0].value).toBeCloseTo(0.5 * (g[0] ** 2 + g[1] ** 2 + g[2] ** 2), 6);
  });
});

describe('io.serializeLayer / io.deserializeLayer (for wrapper layers holding an inner layer)', () => {
  it('round-trips one layer with its hooks, from snake_case or camelCase keys', () => {
    const d = L.dense({ units: 3, inputShape: [2], name: 'inner', kernelRegularizer: rr.l1l2({ l1: 0.1, l2: 0.2 }), activityRegularizer: 'l2', kernelConstraint: R.constraints.nonNeg() });
    const e = R.io.serializeLayer(d);
    expect(e.class_name).toBe('Dense');
    const back = R.io.deserializeLayer(e);
    expect(back.getConfig()).toEqual(d.getConfig());
    expect(back.inputShape).toEqual([2]);
    const camel = { className: 'Dense', config: d.getConfig() };
    expect(R.io.deserializeLayer(camel).getConfig()).toEqual(d.getConfig());
    expect(() => R.io.deserializeLayer({ class_name: 'Nope', config: {} })).toThrow(/unknown layer class 'Nope'/);
  });
});

describe('save / loadLayersModel through handlers', () => {
  it('artifacts look as tfjs-layers writes them, and load back to the same model', async () => {
    const m = everyLayerModel();
    const a = await save(m);
    expect(Object.keys(a).sort()).toEqual(['convertedBy', 'format', 'generatedBy', 'modelTopology', 'weightData', 'weightSpecs']);
    expect(a.format).toBe('layers-model');
    expect(a.convertedBy).toBe(null);
    expect(a.generatedBy).toMatch(/^Ridge v/);
    expect(a.weightData).toBeInstanceOf(ArrayBuffer);
    expect(a.weightSpecs!.map((s) => s.name)).toEqual(m.layers.flatMap((l) => l.weights.map((w) => `${l.name}/${w.name}`)));
    expect(a.weightSpecs!.every((s) => s.dtype === 'float32')).toBe(true);
    expect((a.weightData as ArrayBuffer).byteLength).toBe(4 * m.countParams());
    const back = await R.loadLayersModel(R.io.fromMemory(a));
    expect(bits(back.getWeights())).toEqual(bits(m.getWeights()));
    // fromMemory copies: changing the artifact afterwards does not reach the loaded model.
    new Float32Array(a.weightData as ArrayBuffer).fill(7);
    expect(bits(back.getWeights())).toEqual(bits(m.getWeights()));
    // the older fromMemory(topology, specs, data) form
    const again = await save(m);
    const b2 = await R.loadLayersModel(R.io.fromMemory(again.modelTopology as object, again.weightSpecs, again.weightData as ArrayBuffer));
    expect(bits(b2.getWeights())).toEqual(bits(m.getWeights()));
  });

  it('loads weightData given as an array of shards', async () => {
    const m = everyLayerModel();
    const a = await save(m);
    const buf = a.weightData as ArrayBuffer;
    const back = await R.loadLayersModel(R.io.fromMemory({ ...a, weightData: [buf.slice(0, 13), buf.slice(13, 100), buf.slice(100)] }));
    expect(bits(back.getWeights())).toEqual(bits(m.getWeights()));
  });

  it('trainableOnly leaves the frozen weights out (tfjs\' option); loading then needs strict: false', async () => {
    const m = R.sequential([L.dense({ units: 2, inputShape: [3], name: 'ice', seed: 1 }), L.dense({ units: 1, name: 'top', seed: 2 })]);
    m.layers[0].weights.forEach((w) => { w.trainable = false; });
    let a: R.io.ModelArtifacts | null = null;
    await m.save(R.io.withSaveHandler((x) => { a = x; return { modelArtifactsInfo: R.io.getModelArtifactsInfoForJSON(x) }; }), { trainableOnly: true });
    expect(a!.weightSpecs!.map((s) => s.name)).toEqual(['top/kernel', 'top/bias']);
    await expect(R.loadLayersModel(R.io.fromMemory(a!))).rejects.toThrow(/2 of 4 weights are not in the file: 'ice\/kernel', 'ice\/bias'/);
    const back = await R.loadLayersModel(R.io.fromMemory(a!), { strict: false });
    expect(Array.from(back.getLayer('top').getWeights()[0].data)).toEqual(Array.from(m.getLayer('top').getWeights()[0].data));
  });

  it('throws ConfigError when saving a model that is not built, or to something that is not a handler', async () => {
    const m = R.sequential([L.dense({ units: 2 })]);
    await expect(m.save(R.io.withSaveHandler(() => ({ modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } })))).rejects.toThrow(/save: sequential_\d+ is not built yet/);
    const built = R.sequential([L.dense({ units: 2, inputShape: [1] })]);
    await expect(built.save('downloads://x' as never)).rejects.toThrow(/URL strings are not handlers/);
    await expect(built.save({} as never)).rejects.toThrow(/must be an object with a save\(artifacts\) method/);
    await expect(built.save(R.io.withSaveHandler(() => ({ modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } })), { includeOptimiser: true } as never)).rejects.toThrow(/unknown option "includeOptimiser"/);
  });

  it('a frozen layer stays frozen (trainable: false)', async () => {
    const m = R.sequential([L.dense({ units: 2, inputShape: [3], name: 'frozen' }), L.dense({ units: 1 })]);
    m.layers[0].weights.forEach((w) => { w.trainable = false; });
    const back = await R.loadLayersModel(R.io.fromMemory(await save(m)));
    expect(back.layers[0].weights.map((w) => w.trainable)).toEqual([false, false]);
    expect(back.layers[1].weights.map((w) => w.trainable)).toEqual([true, true]);
  });
});

describe('includeOptimizer: resuming is bit-identical', () => {
  const data = () => {
    const x = R.randomNormal([24, 5], { seed: 1 });
    const y = R.tensor(Array.from({ length: 24 }, (_, i) => [i % 3 === 0 ? 1 : 0, i % 3 === 1 ? 1 : 0, i % 3 === 2 ? 1 : 0]));
    return { x, y };
  };
  const build = (opt: R.optimizers.Optimizer) => {
    const m = R.sequential([
      L.dense({ units: 8, activation: 'relu', inputShape: [5], seed: 1, kernelRegularizer: rr.l2({ l2: 0.01 }) }),
      L.dropout({ rate: 0.4, seed: 3 }),
      L.dense({ units: 3, activation: 'softmax', seed: 2, kernelRegularizer: rr.l1({ l1: 0.001 }), activityRegularizer: rr.l2({ l2: 0.01 }) }),
    ]);
    m.compile({ optimizer: opt, loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
    return m;
  };
  const fitOpts = { batchSize: 8, shuffle: false, verbose: 0 as const };
  const optimizers: [string, () => R.optimizers.Optimizer][] = [
    ['sgd momentum nesterov', () => R.optimizers.sgd({ learningRate: 0.05, momentum: 0.9, nesterov: true })],
    ['sgd', () => R.optimizers.sgd({ learningRate: 0.05 })],
    ['adam', () => R.optimizers.adam({ learningRate: 0.01 })],
    ['adamw', () => R.optimizers.adamw({ learningRate: 0.01, weightDecay: 0.01 })],
    ['rmsprop momentum', () => R.optimizers.rmsprop({ learningRate: 0.01, momentum: 0.5 })],
    ['rmsprop', () => R.optimizers.rmsprop({ learningRate: 0.01 })],
  ];
  for (const [name, make] of optimizers) {
    it(`${name}: fit 10 == fit 5, save, load, fit 5 (weights bit for bit, dropout masks included)`, async () => {
      const { x, y } = data();
      const straight = build(make());
      await straight.fit(x, y, { ...fitOpts, epochs: 10 });
      const first = build(make());
      await first.fit(x, y, { ...fitOpts, epochs: 5 });
      const a = await save(first, true);
      expect(a.trainingConfig!.loss).toBe('categorical_crossentropy');
      expect(a.trainingConfig!.metrics).toEqual(['accuracy']);
      expect(a.weightSpecs!.filter((s) => s.group === 'optimizer')[0]).toEqual({ name: 'iter', shape: [], dtype: 'int32', group: 'optimizer' });
      const resumed = await R.loadLayersModel(R.io.fromMemory(a));
      expect(resumed.optimizer!.className).toBe(first.optimizer!.className);
      expect(resumed.optimizer!.getConfig()).toEqual(first.optimizer!.getConfig());
      expect(resumed.optimizer!.iterations).toBe(15);
      await resumed.fit(x, y, { ...fitOpts, epochs: 5 });
      expect(bits(resumed.getWeights())).toEqual(bits(straight.getWeights()));
      expect(resumed.optimizer!.iterations).toBe(straight.optimizer!.iterations);
    });
  }

  it('with shuffling: fit 10 == fit 5, save, load, fit with initialEpoch 5 (epoch e uses the e-th shuffle of the seed)', async () => {
    const { x, y } = data();
    const shuffled = { batchSize: 8, shuffle: true, seed: 42, verbose: 0 as const };
    const straight = build(R.optimizers.adam({ learningRate: 0.01 }));
    const h10 = await straight.fit(x, y, { ...shuffled, epochs: 10 });
    const first = build(R.optimizers.adam({ learningRate: 0.01 }));
    await first.fit(x, y, { ...shuffled, epochs: 5 });
    const resumed = await R.loadLayersModel(R.io.fromMemory(await save(first, true)));
    const h = await resumed.fit(x, y, { ...shuffled, initialEpoch: 5, epochs: 10 });
    expect(h.epoch).toEqual([5, 6, 7, 8, 9]);
    expect(h.history.loss).toEqual(h10.history.loss.slice(5));
    expect(bits(resumed.getWeights())).toEqual(bits(straight.getWeights()));
    // Without initialEpoch the second call replays epochs 0–4's orders: a different run.
    const again = await R.loadLayersModel(R.io.fromMemory(await save(first, true)));
    await again.fit(x, y, { ...shuffled, epochs: 5 });
    expect(bits(again.getWeights())).not.toEqual(bits(straight.getWeights()));
    await expect(resumed.fit(x, y, { initialEpoch: 10, epochs: 10 })).rejects.toThrow(/fit: initialEpoch \(10\) must be less than epochs \(10\)/);
  });

  it('reads Keras\' optimizer_config spellings (learning_rate, beta_1, amsgrad false, jit_compile …) and refuses what Ridge cannot do', async () => {
    const m = R.sequential([L.dense({ units: 2, inputShape: [3], seed: 1 })]);
    const a = await save(m);
    const keras = { class_name: 'Adam', config: { name: 'Adam', weight_decay: null, clipnorm: null, global_clipnorm: null, clipvalue: null, use_ema: false,
      ema_momentum: 0.99, ema_overwrite_frequency: null, jit_compile: true, is_legacy_optimizer: false, learning_rate: 0.0005, beta_1: 0.8, beta_2: 0.99, epsilon: 1e-7, amsgrad: false } };
    const back = await R.loadLayersModel(R.io.fromMemory({ ...a, trainingConfig: { loss: { class_name: 'MeanSquaredError', config: { reduction: 'auto' } }, metrics: ['mae'], optimizer_config: keras } }));
    expect(back.optimizer!.getConfig()).toEqual({ learningRate: 0.0005, beta1: 0.8, beta2: 0.99, epsilon: 1e-7 });
    expect(back.loss!.name).toBe('meanSquaredError');
    const amsgrad = { ...keras, config: { ...keras.config, amsgrad: true } };
    await expect(R.loadLayersModel(R.io.fromMemory({ ...a, trainingConfig: { loss: 'mse', optimizer_config: amsgrad } }))).rejects.toThrow(/optimizer Adam option amsgrad = true is not supported by Ridge/);
    await expect(R.loadLayersModel(R.io.fromMemory({ ...a, trainingConfig: { loss: 'mean_squared_error', optimizer_config: { class_name: 'Adagrad', config: {} } } }))).rejects.toThrow(/optimizer class "Adagrad" is not one Ridge has/);
  });

  it('without the optimizer state, resuming Adam differs (the test can fail)', async () => {
    const { x, y } = data();
    const straight = build(R.optimizers.adam({ learningRate: 0.01 }));
    await straight.fit(x, y, { ...fitOpts, epochs: 10 });
    const first = build(R.optimizers.adam({ learningRate: 0.01 }));
    await first.fit(x, y, { ...fitOpts, epochs: 5 });
    const resumed = await R.loadLayersModel(R.io.fromMemory(await save(first, false)));
    resumed.compile({ optimizer: R.optimizers.adam({ learningRate: 0.01 }), loss: 'categoricalCrossentropy' });
    await resumed.fit(x, y, { ...fitOpts, epochs: 5 });
    expect(bits(resumed.getWeights())).not.toEqual(bits(straight.getWeights()));
  });
});
