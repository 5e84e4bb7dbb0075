/**
 * Bad files: every defect is a typed error (ShapeError / ConfigError / ValueError) naming the
 * source, the layer, the weight, what was expected and what was found; nothing half-built. Then a
 * seeded fuzz of a real artifact (byte flips in the JSON text and in the weight data, truncations,
 * extensions): every case is a typed error or a model whose weights and predictions are finite —
 * never another exception, a hang or a silent NaN.
 */
import * as R from '../../lib/index';

const L = R.layers;

function model(): R.Model {
  const m = R.sequential([
    L.conv2d({ filters: 2, kernelSize: 2, inputShape: [4, 4, 1], activation: 'relu', seed: 1, kernelRegularizer: R.regularizers.l1l2({ l1: 0.01, l2: 0.02 }), name: 'conv' }),
    L.flatten({ name: 'flat' }),
    L.dropout({ rate: 0.3, seed: 4, name: 'drop' }),
    L.dense({ units: 3, activation: 'softmax', seed: 2, biasRegularizer: 'l2', kernelConstraint: R.constraints.maxNorm({ maxValue: 3 }), name: 'out' }),
  ], { name: 'victim' });
  m.compile({ optimizer: R.optimizers.adam({ learningRate: 0.01 }), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  return m;
}

async function artifacts(m: R.Model, includeOptimizer = false): Promise<R.io.ModelArtifacts> {
  let out: R.io.ModelArtifacts | null = null;
  await m.save(R.io.withSaveHandler((a) => { out = a; return { modelArtifactsInfo: R.io.getModelArtifactsInfoForJSON(a) }; }), { includeOptimizer });
  return out!;
}

const load = (a: object) => R.loadLayersModel(R.io.fromMemory(a));
const clone = <T>(v: T): T => JSON.parse(JSON.stringify(v));

describe('bad artifacts: typed errors that say what and where', () => {
  let good: R.io.ModelArtifacts;
  beforeAll(async () => { good = await artifacts(model()); });

  it('throws ValueError on a truncated weight buffer, naming the weight cut short and both byte counts', async () => {
    const data = (good.weightData as ArrayBuffer).slice(0, 50);
    await expect(load({ ...good, weightData: data })).rejects.toThrow(R.ValueError);
    await expect(load({ ...good, weightData: data })).rejects.toThrow(/^loadLayersModel\(io\.fromMemory\): weight data is truncated: the weight specs describe 268 bytes, got 50; weight 'out\/kernel' \[18,3\] needs bytes 40\.\.256 but the data ends at 50$/);
  });

  it('throws ValueError on an oversized weight buffer', async () => {
    const big = new Uint8Array((good.weightData as ArrayBuffer).byteLength + 4);
    await expect(load({ ...good, weightData: big.buffer })).rejects.toThrow(/weight data is oversized: the weight specs describe \d+ bytes, got \d+/);
  });

  it('throws ShapeError when a spec shape disagrees with the layer, naming layer, weight, expected and found', async () => {
    const a = clone({ ...good, weightData: undefined });
    a.weightSpecs![2].shape = [6, 9]; // out/kernel is [18, 3]: same size, wrong shape
    await expect(load({ ...a, weightData: good.weightData })).rejects.toThrow(R.ShapeError);
    await expect(load({ ...a, weightData: good.weightData })).rejects.toThrow(/layer 'out' \(Dense\) weight 'kernel' must have shape \[18,3\], the file has 'out\/kernel' with shape \[6,9\]/);
  });

  it('throws ConfigError on a weight the model lacks and on a weight the file lacks', async () => {
    const a = clone({ ...good, weightData: undefined });
    a.weightSpecs![3].name = 'out/bias_typo';
    await expect(load({ ...a, weightData: good.weightData })).rejects.toThrow(/weight 'out\/bias_typo' in the file matches no weight of the model/);
    const b = clone({ ...good, weightData: undefined });
    b.weightSpecs = b.weightSpecs!.slice(0, 3);
    const data = (good.weightData as ArrayBuffer).slice(0, 268 - 12);
    await expect(load({ ...b, weightData: data })).rejects.toThrow(/1 of 4 weights are not in the file: 'out\/bias'/);
  });

  it('throws ConfigError on an unknown layer class, naming it, its layer and the registered classes', async () => {
    const a = clone({ ...good, weightData: undefined });
    (a.modelTopology as any).config.layers[1].class_name = 'Flatten3000';
    await expect(load({ ...a, weightData: good.weightData })).rejects.toThrow(R.ConfigError);
    await expect(load({ ...a, weightData: good.weightData })).rejects.toThrow(/modelTopology layers\[1\] layer 'flat' \(Flatten3000\): unknown layer class 'Flatten3000' \(Ridge has .*Dense.*\)/);
  });

  it('throws ConfigError on an unknown activation, naming the layer', async () => {
    const a = clone({ ...good, weightData: undefined });
    (a.modelTopology as any).config.layers[3].config.activation = 'swishy';
    await expect(load({ ...a, weightData: good.weightData })).rejects.toThrow(/layer 'out' \(Dense\): out: activation must be one of .*got "swishy"/);
  });

  it('throws ConfigError on an unknown initializer or constraint class, and a graph model', async () => {
    const a = clone({ ...good, weightData: undefined });
    (a.modelTopology as any).config.layers[3].config.kernel_constraint = { class_name: 'RadialConstraint', config: {} };
    await expect(load({ ...a, weightData: good.weightData })).rejects.toThrow(/kernel_constraint: unknown constraint class 'RadialConstraint'/);
    await expect(load({ ...good, format: 'graph-model' })).rejects.toThrow(/format must be 'layers-model', got "graph-model" \(a TensorFlow\.js graph model/);
  });

  it('throws ConfigError on malformed model JSON (modelFromJSON) and on a topology that is not a model', () => {
    expect(() => R.modelFromJSON('{"class_name": "Sequential", "config": {')).toThrow(/modelFromJSON: the text is not valid JSON/);
    expect(() => R.modelFromJSON({ class_name: 'Tree', config: {} })).toThrow(/model class_name must be 'Sequential', 'Model' or 'Functional', got "Tree"/);
    expect(() => R.modelFromJSON({ class_name: 'Sequential', config: { layers: [] } })).toThrow(/non-empty layers array/);
  });

  it('throws ValueError naming the weight when a value is NaN or infinite', async () => {
    const data = (good.weightData as ArrayBuffer).slice(0);
    new Float32Array(data)[36] = NaN; // conv/kernel 8 floats + conv/bias 2, then out/kernel: float 36 is its index 26
    await expect(load({ ...good, weightData: data })).rejects.toThrow(/weight 'out\/kernel' \[18,3\] holds NaN at index 26 \(bytes 40\.\.256 of the weight data\)/);
    new Float32Array(data)[36] = 1;
    new Float32Array(data)[1] = -Infinity;
    await expect(load({ ...good, weightData: data })).rejects.toThrow(/weight 'conv\/kernel' \[2,2,1,2\] holds -Infinity at index 1/);
  });

  it('a functional graph naming a layer that is not there, or an output that never comes, is a ConfigError', () => {
    const x = R.input({ shape: [3], name: 'x' });
    const m = R.model({ inputs: x, outputs: L.dense({ units: 2, name: 'd' }).apply(x) });
    const t = m.toJSON(null, false) as any;
    const a = clone(t); a.config.layers[1].inbound_nodes = [[['ghost', 0, 0, {}]]];
    expect(() => R.modelFromJSON(a)).toThrow(/inbound node names layer 'ghost', which is not in the model/);
    const b = clone(t); b.config.output_layers = [['d', 1, 0]];
    expect(() => R.modelFromJSON(b)).toThrow(/output_layers\[0\]: no tensor d\[1\] in the model/);
    const c = clone(t); c.config.layers[1].inbound_nodes = [[['d', 0, 0, {}]]];
    expect(() => R.modelFromJSON(c)).toThrow(/waits for d\[0\], which is never produced/);
  });

  it('optimizer weights that do not fit the model are a ConfigError, and nothing is returned half-built', async () => {
    const a = await artifacts(model(), true);
    const bad = clone({ ...a, weightData: undefined });
    const i = bad.weightSpecs!.findIndex((s) => s.name === 'out/kernel/m');
    bad.weightSpecs![i].name = 'out/kernel/mm';
    await expect(load({ ...bad, weightData: a.weightData })).rejects.toThrow(/optimizer weight 'out\/kernel\/m' is missing/);
    // The same artifacts, unharmed, still load (the failure changed nothing shared).
    const ok = await load(a);
    expect(ok.optimizer!.iterations).toBe(0);
  });
});

// ------------------------------------------------------------------------------------------------

describe('loader fuzz: mutated real artifacts', () => {
  it('every mutation is a typed error or a model with finite weights and predictions (400 seeded cases)', async () => {
    const m = model();
    await m.fit(R.randomNormal([6, 4, 4, 1], { seed: 1 }), R.tensor([[1, 0, 0], [0, 1, 0], [0, 0, 1], [1, 0, 0], [0, 1, 0], [0, 0, 1]]), { epochs: 2, batchSize: 3, verbose: 0 });
    const a = await artifacts(m, true);
    const json = JSON.stringify({
      modelTopology: a.modelTopology, format: a.format, generatedBy: a.generatedBy, convertedBy: a.convertedBy,
      trainingConfig: a.trainingConfig, userDefinedMetadata: a.userDefinedMetadata,
      weightsManifest: [{ paths: ['weights.bin'], weights: a.weightSpecs }],
    });
    const bin = new Uint8Array(a.weightData as ArrayBuffer);
    const rng = new R.Random(2026);
    const x = R.randomNormal([2, 4, 4, 1], { seed: 9 });
    const outcomes: Record<string, number> = {};
    const printable = '0123456789-.eE,:{}[]"abcdefghijklmnopqrstuvwxyz_ \\n';
    for (let c = 0; c < 400; c++) {
      let text = json;
      let bytes = bin.slice();
      const kind = c % 5;
      if (kind === 0) { // flip 1–3 characters of model.json
        const chars = text.split('');
        for (let k = 0, n = 1 + rng.int(3); k < n; k++) chars[rng.int(chars.length)] = rng.uniform() < 0.5 ? printable[rng.int(printable.length)] : String.fromCharCode(rng.int(256));
        text = chars.join('');
      } else if (kind === 1) { // truncate model.json
        text = text.slice(0, rng.int(text.length));
      } else if (kind === 2) { // flip bits of the weights
        for (let k = 0, n = 1 + rng.int(4); k < n; k++) bytes[rng.int(bytes.length)] ^= 1 << rng.int(8);
      } else if (kind === 3) { // truncate the weights
        bytes = bytes.slice(0, rng.int(bytes.length));
      } else { // extend the weights, or replace a number of model.json by a large one
        if (rng.uniform() < 0.5) { const longer = new Uint8Array(bytes.length + 1 + rng.int(8)); longer.set(bytes); bytes = longer; }
        // (sizes from 1e5 to 1e9 are left out: they are valid configs that allocate gigabytes before
        // the weights are compared, which is slow, not wrong)
        else { let seen = 0; const target = rng.int(60); text = text.replace(/\d+/g, (d) => (seen++ === target ? String(rng.uniform() < 0.5 ? 10 ** (1 + rng.int(4)) : 10 ** (10 + rng.int(6))) : d)); }
      }
      const files = new Map<string, string | ArrayBuffer>([['https://fuzz.test/model.json', text], ['https://fuzz.test/weights.bin', bytes.buffer]]);
      const fetchFunc = (async (u: string) => {
        const b = files.get(String(u));
        return { ok: b !== undefined, status: b === undefined ? 404 : 200, statusText: '', text: async () => b as string, arrayBuffer: async () => b as ArrayBuffer };
      }) as unknown as typeof fetch;
      let outcome: string;
      try {
        const back = await R.loadLayersModel(R.io.http('https://fuzz.test/model.json', { fetchFunc }));
        for (const w of back.getWeights()) for (const v of w.data) if (!Number.isFinite(v)) throw new Error(`case ${c}: loaded a non-finite weight`);
        let y: R.Tensor | null = null;
        try { y = back.predict(x); } catch (e) { if (!(e instanceof R.RidgeError)) throw e; outcome = 'model, input refused'; }
        if (y) for (const v of y.data) if (!Number.isFinite(v)) throw new Error(`case ${c}: prediction ${v}`);
        outcome ??= 'model';
      } catch (e) {
        if (!(e instanceof R.RidgeError)) throw new Error(`case ${c} (kind ${kind}): ${(e as Error)?.constructor?.name}: ${(e as Error)?.message}`);
        outcome = e.constructor.name;
      }
      outcomes[outcome] = (outcomes[outcome] ?? 0) + 1;
    }
    // eslint-disable-next-line no-console
    console.log('fuzz outcomes', outcomes);
    expect(Object.values(outcomes).reduce((p, q) => p + q, 0)).toBe(400);
    expect(outcomes.ConfigError).toBeGreaterThan(0);
    expect(outcomes.ValueError).toBeGreaterThan(0);
  });
});
