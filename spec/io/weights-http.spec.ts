/**
 * Weight bytes and remote files: quantized weights (uint8 / uint16 / float16) dequantized as
 * tfjs' io.decodeWeights does, several shards cut at arbitrary bytes, model.json over a stubbed
 * global fetch with shards resolved relative to it (tfjs loads the same stub as the oracle), a
 * missing shard, and Ridge's training state read by tfjs.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import * as R from '../../lib/index';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

async function ridgeArtifacts(m: R.Model, includeOptimizer = false): Promise<R.io.ModelArtifacts> {
  let out: R.io.ModelArtifacts | null = null;
  await m.save(R.io.withSaveHandler((a) => { out = a; return { modelArtifactsInfo: R.io.getModelArtifactsInfoForJSON(a) }; }), { includeOptimizer });
  return out!;
}

function model(): R.Model {
  return R.sequential([
    R.layers.conv2d({ filters: 3, kernelSize: 3, inputShape: [6, 6, 1], activation: 'relu', seed: 1, biasInitializer: 'randomNormal', kernelRegularizer: 'l2' }),
    R.layers.flatten(),
    R.layers.dense({ units: 4, seed: 2, biasInitializer: 'randomNormal' }),
  ], { name: 'q' });
}

/** float → IEEE half, round to nearest even (test-side encoder; the decoder under test is Ridge's). */
function toHalf(v: number): number {
  const f = new Float32Array([v]);
  const u = new Uint32Array(f.buffer)[0];
  const sign = (u >>> 16) & 0x8000;
  const exp = ((u >>> 23) & 0xff) - 127 + 15;
  let mant = u & 0x7fffff;
  if (exp <= 0) { // subnormal half
    if (exp < -10) return sign;
    mant |= 0x800000;
    const shift = 14 - exp;
    let h = mant >>> shift;
    const rem = mant & ((1 << shift) - 1), half = 1 << (shift - 1);
    if (rem > half || (rem === half && (h & 1))) h++;
    return sign | h;
  }
  let h = sign | (exp << 10) | (mant >>> 13);
  const rem = mant & 0x1fff;
  if (rem > 0x1000 || (rem === 0x1000 && (h & 1))) h++;
  return h;
}

/** Quantizes every float32 model weight of `a` to `dtype`, as the tfjs converter does. */
function quantize(a: R.io.ModelArtifacts, dtype: 'uint8' | 'uint16' | 'float16'): R.io.ModelArtifacts {
  const src = new DataView(a.weightData as ArrayBuffer);
  const parts: number[] = [];
  let o = 0;
  const specs = a.weightSpecs!.map((s) => {
    const n = s.shape.reduce((p, d) => p * d, 1);
    const v = Array.from({ length: n }, (_, i) => src.getFloat32(o + 4 * i, true));
    o += 4 * n;
    if (dtype === 'float16') {
      v.forEach((x) => { const h = toHalf(x); parts.push(h & 0xff, h >>> 8); });
      return { ...s, quantization: { dtype } };
    }
    const levels = dtype === 'uint8' ? 255 : 65535;
    const min = Math.min(...v), max = Math.max(...v);
    const scale = max > min ? (max - min) / levels : 1;
    v.forEach((x) => {
      const q = Math.round((x - min) / scale);
      if (dtype === 'uint8') parts.push(q); else parts.push(q & 0xff, q >>> 8);
    });
    return { ...s, quantization: { dtype, scale, min } };
  });
  return { ...a, weightSpecs: specs, weightData: Uint8Array.from(parts).buffer };
}

describe('quantized weights', () => {
  for (const dtype of ['uint8', 'uint16', 'float16'] as const) {
    it(`${dtype}: Ridge dequantizes exactly as tf.io.decodeWeights, and predicts as tfjs does on the same file`, async () => {
      const q = quantize(await ridgeArtifacts(model()), dtype);
      const ours = await R.loadLayersModel(R.io.fromMemory(q));
      const want = tf.io.decodeWeights(q.weightData as ArrayBuffer, q.weightSpecs as tf.io.WeightsManifestEntry[]);
      const names = q.weightSpecs!.map((s) => s.name);
      ours.getWeights().forEach((w, i) => expect(Array.from(w.data)).toEqual(Array.from(want[names[i]].dataSync())));
      const theirs = await tfl.loadLayersModel(tf.io.fromMemory(q as unknown as tf.io.ModelArtifacts));
      const x = R.randomUniform([2, 6, 6, 1], { min: -1, max: 1, seed: 5 });
      const pt = (theirs.predict(tf.tensor(x.data, [2, 6, 6, 1])) as tf.Tensor).dataSync();
      ours.predict(x).data.forEach((v, i) => expect(Math.abs(v - pt[i])).toBeLessThan(1e-5));
      // and it is close to the unquantized model (the quantization step bounds the error)
      const orig = model();
      const tol = dtype === 'uint8' ? 0.05 : 2e-3;
      ours.predict(x).data.forEach((v, i) => expect(Math.abs(v - orig.predict(x).data[i])).toBeLessThan(tol));
    });
  }
});

// ------------------------------------------------------------------------------------------------

/**
 * A minimal Response made in this realm (jest runs specs in a vm context; undici's Response.json()
 * would build arrays of the outer realm, which tfjs' `instanceof Array` checks reject).
 */
function response(body: string | ArrayBuffer | undefined) {
  const ok = body !== undefined;
  return {
    ok, status: ok ? 200 : 404, statusText: ok ? 'OK' : 'Not Found',
    text: async () => (typeof body === 'string' ? body : ''),
    json: async () => JSON.parse(body as string),
    arrayBuffer: async () => (body as ArrayBuffer).slice(0),
  };
}

/** A global fetch serving `files` by URL; counts the requests. */
function stubFetch(files: Map<string, string | ArrayBuffer>): { restore: () => void; requests: string[] } {
  const g = globalThis as { fetch?: typeof fetch };
  const saved = g.fetch;
  const requests: string[] = [];
  g.fetch = (async (input: RequestInfo | URL) => {
    const url = String(input);
    requests.push(url);
    return response(files.get(url));
  }) as unknown as typeof fetch;
  return { restore: () => { g.fetch = saved; }, requests };
}

/** model.json with the weights cut into shards at `cuts` (byte offsets), in two groups. */
function shardedFiles(a: R.io.ModelArtifacts, base: string, cuts: number[]): Map<string, string | ArrayBuffer> {
  const data = a.weightData as ArrayBuffer;
  const bounds = [0, ...cuts, data.byteLength];
  const shards = bounds.slice(1).map((end, i) => data.slice(bounds[i], end));
  const names = shards.map((_, i) => `group1-shard${i + 1}of${shards.length}.bin`);
  const files = new Map<string, string | ArrayBuffer>();
  const modelJSON = {
    modelTopology: a.modelTopology, format: a.format, generatedBy: a.generatedBy, convertedBy: a.convertedBy,
    weightsManifest: [{ paths: names, weights: a.weightSpecs }],
  };
  files.set(`${base}model.json`, JSON.stringify(modelJSON));
  names.forEach((n, i) => files.set(`${base}${n}`, shards[i]));
  return files;
}

describe('loading model.json over HTTP (global fetch)', () => {
  it('fetches model.json and every shard relative to it (shards cut inside weights); tfjs agrees', async () => {
    const m = model();
    const a = await ridgeArtifacts(m);
    const base = 'https://models.example.test/zoo/q/';
    const files = shardedFiles(a, base, [5, 37, 200, 201]);
    const stub = stubFetch(files);
    try {
      const ours = await R.loadLayersModel(`${base}model.json`);
      expect(stub.requests).toEqual([`${base}model.json`, ...[1, 2, 3, 4, 5].map((i) => `${base}group1-shard${i}of5.bin`)]);
      ours.getWeights().forEach((w, i) => expect(Array.from(w.data)).toEqual(Array.from(m.getWeights()[i].data)));
      const theirs = await tfl.loadLayersModel(`${base}model.json`);
      const x = R.randomUniform([2, 6, 6, 1], { min: -1, max: 1, seed: 7 });
      const pt = (theirs.predict(tf.tensor(x.data, [2, 6, 6, 1])) as tf.Tensor).dataSync();
      ours.predict(x).data.forEach((v, i) => expect(Math.abs(v - pt[i])).toBeLessThan(1e-5));
    } finally {
      stub.restore();
    }
  });

  it('keeps the query string on every shard (signed URLs) and accepts io.http(url, { fetchFunc })', async () => {
    const m = model();
    const a = await ridgeArtifacts(m);
    const base = 'https://cdn.example.test/m/';
    const files = new Map<string, string | ArrayBuffer>();
    for (const [k, v] of shardedFiles(a, base, [100])) files.set(`${k}?sig=abc`, v);
    const requests: string[] = [];
    const fetchFunc = (async (u: RequestInfo | URL) => {
      requests.push(String(u));
      return response(files.get(String(u)));
    }) as unknown as typeof fetch;
    const ours = await R.loadLayersModel(R.io.http(`${base}model.json?sig=abc`, { fetchFunc }));
    expect(requests).toEqual([`${base}model.json?sig=abc`, `${base}group1-shard1of2.bin?sig=abc`, `${base}group1-shard2of2.bin?sig=abc`]);
    expect(ours.countParams()).toBe(m.countParams());
  });

  it('throws when a shard is missing, naming its URL (ValueError, HTTP 404)', async () => {
    const a = await ridgeArtifacts(model());
    const base = 'https://models.example.test/broken/';
    const files = shardedFiles(a, base, [64]);
    files.delete(`${base}group1-shard2of2.bin`);
    const stub = stubFetch(files);
    try {
      const p = R.loadLayersModel(`${base}model.json`);
      await expect(p).rejects.toThrow(R.ValueError);
      await expect(R.loadLayersModel(`${base}model.json`)).rejects.toThrow(/weight shard https:\/\/models\.example\.test\/broken\/group1-shard2of2\.bin could not be loaded: HTTP 404/);
    } finally {
      stub.restore();
    }
  });

  it('throws ConfigError naming the URL when model.json is not JSON', async () => {
    const stub = stubFetch(new Map([['https://x.test/model.json', '{"modelTopology": {']]));
    try {
      await expect(R.loadLayersModel('https://x.test/model.json')).rejects.toThrow(/https:\/\/x\.test\/model\.json: not valid JSON/);
    } finally {
      stub.restore();
    }
  });
});

describe('training state read by TensorFlow.js', () => {
  it('tfjs loads Ridge\'s Adam state (iter, m, v) and compiles with the saved loss', async () => {
    const m = R.sequential([R.layers.dense({ units: 3, inputShape: [4], seed: 1 }), R.layers.dense({ units: 2, activation: 'softmax', seed: 2 })]);
    m.compile({ optimizer: R.optimizers.adam({ learningRate: 0.02 }), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
    const x = R.randomNormal([8, 4], { seed: 1 }), y = R.tensor(Array.from({ length: 8 }, (_, i) => (i % 2 ? [1, 0] : [0, 1])));
    await m.fit(x, y, { epochs: 3, batchSize: 4, shuffle: false, verbose: 0 });
    const a = await ridgeArtifacts(m, true);
    const theirs = await tfl.loadLayersModel(tf.io.fromMemory(a as unknown as tf.io.ModelArtifacts));
    expect(theirs.optimizer.getClassName()).toBe('Adam');
    const w = await theirs.optimizer.getWeights();
    expect(w[0].name).toBe('iter');
    expect(w[0].tensor.dataSync()[0]).toBe(6);
    expect(w.map((v) => v.name).slice(1)).toEqual(a.weightSpecs!.filter((s) => s.group === 'optimizer').slice(1).map((s) => s.name));
    // The first moment of the first kernel is Ridge's, value for value.
    const ridgeM = R.io.decodeWeights(a.weightData, a.weightSpecs, 'test').find((d) => d.spec.name.endsWith('/kernel/m'))!;
    expect(Array.from(w[1].tensor.dataSync())).toEqual(Array.from(ridgeM.values));
  });

  for (const [name, make] of [['Momentum (accumulator converted to Keras\' m = -lr·a)', () => tf.train.momentum(0.05, 0.9)], ['Adam', () => tf.train.adam(0.02)], ['RMSProp', () => tf.train.rmsprop(0.01, 0.9, 0.5)]] as [string, () => tf.Optimizer][]) {
    it(`tfjs ${name} state → Ridge: the next step after loading equals tfjs' next step`, async () => {
      const theirs = tfl.sequential({ layers: [tfl.layers.dense({ units: 3, inputShape: [4], activation: 'tanh', kernelRegularizer: tfl.regularizers.l2({ l2: 0.01 }) }), tfl.layers.dense({ units: 2 })] });
      theirs.compile({ optimizer: make(), loss: 'meanSquaredError' });
      const x = R.randomNormal([8, 4], { seed: 4 }), y = R.randomNormal([8, 2], { seed: 5 });
      const xt = tf.tensor(x.data, [8, 4]), yt = tf.tensor(y.data, [8, 2]);
      await theirs.fit(xt, yt, { epochs: 3, batchSize: 8, shuffle: false, verbose: 0 });
      let art: R.io.ModelArtifacts | null = null;
      await theirs.save(tf.io.withSaveHandler(async (a) => { art = a as unknown as R.io.ModelArtifacts; return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } }; }), { includeOptimizer: true });
      const ours = await R.loadLayersModel(R.io.fromMemory(art!));
      expect(ours.optimizer!.iterations).toBe(3);
      await theirs.fit(xt, yt, { epochs: 1, batchSize: 8, shuffle: false, verbose: 0 });
      await ours.fit(x, y, { epochs: 1, batchSize: 8, shuffle: false, verbose: 0 });
      const tw = theirs.getWeights().map((w) => w.dataSync());
      ours.getWeights().forEach((w, i) => w.data.forEach((v, j) => expect(Math.abs(v - tw[i][j])).toBeLessThan(1e-5)));
    });
  }
});

