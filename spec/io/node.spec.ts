/**
 * 'ridge/node': io.fileSystem (model.json + weights.bin, tfjs-node's layout), loadLayersModel on
 * paths and file:// URLs, callbacks.modelCheckpoint({ dir | handler, monitor, saveBestOnly }), and
 * the rule that lib/ imports no Node built-in.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import * as N from '../../node/index';

let tmp: string;
beforeAll(async () => {
  await tf.setBackend('cpu');
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ridge-io-'));
});
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

function model(): N.Model {
  const m = N.sequential([
    N.layers.dense({ units: 6, activation: 'relu', inputShape: [4], seed: 1, kernelRegularizer: N.regularizers.l2({ l2: 0.01 }) }),
    N.layers.dense({ units: 2, activation: 'softmax', seed: 2 }),
  ], { name: 'disk' });
  m.compile({ optimizer: N.optimizers.adam({ learningRate: 0.05 }), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  return m;
}

const x = N.randomNormal([20, 4], { seed: 3 });
const y = N.tensor(Array.from({ length: 20 }, (_, i) => (x.data[i * 4] > 0 ? [1, 0] : [0, 1])));

describe('io.fileSystem', () => {
  it('writes model.json + weights.bin as tfjs-node does, and loads them back', async () => {
    const m = model();
    const dir = path.join(tmp, 'a', 'b');
    const r = await m.save(N.io.fileSystem(dir), { includeOptimizer: true });
    expect(fs.readdirSync(dir).sort()).toEqual(['model.json', 'weights.bin']);
    const json = JSON.parse(fs.readFileSync(path.join(dir, 'model.json'), 'utf8'));
    expect(Object.keys(json).sort()).toEqual(['convertedBy', 'format', 'generatedBy', 'modelTopology', 'trainingConfig', 'userDefinedMetadata', 'weightsManifest']);
    expect(json.weightsManifest[0].paths).toEqual(['weights.bin']);
    expect(fs.statSync(path.join(dir, 'weights.bin')).size).toBe(r.modelArtifactsInfo.weightDataBytes);
    for (const src of [dir, path.join(dir, 'model.json'), `file://${path.join(dir, 'model.json')}`]) {
      const back = await N.loadLayersModel(src);
      expect(back.getWeights().map((w) => Array.from(w.data))).toEqual(m.getWeights().map((w) => Array.from(w.data)));
      expect(back.optimizer!.className).toBe('Adam');
    }
  });

  it('tfjs reads the files Ridge wrote (weights.bin through tf.io.fromMemory, as tfjs-node would)', async () => {
    const m = model();
    const dir = path.join(tmp, 'for-tfjs');
    await m.save(N.io.fileSystem(dir));
    const json = JSON.parse(fs.readFileSync(path.join(dir, 'model.json'), 'utf8'));
    const bin = fs.readFileSync(path.join(dir, 'weights.bin'));
    const theirs = await tfl.loadLayersModel(tf.io.fromMemory({
      modelTopology: json.modelTopology, weightSpecs: json.weightsManifest[0].weights,
      weightData: new Uint8Array(bin).slice().buffer,
    }));
    const pt = (theirs.predict(tf.tensor(x.data, [20, 4])) as tf.Tensor).dataSync();
    m.predict(x).data.forEach((v, i) => expect(Math.abs(v - pt[i])).toBeLessThan(1e-6));
  });

  it('names the missing file: no model.json, no weights.bin (ValueError); malformed JSON (ConfigError)', async () => {
    await expect(N.loadLayersModel(path.join(tmp, 'nothing-here'))).rejects.toThrow(/does not exist/);
    const dir = path.join(tmp, 'half');
    await model().save(N.io.fileSystem(dir));
    fs.rmSync(path.join(dir, 'weights.bin'));
    await expect(N.loadLayersModel(dir)).rejects.toThrow(N.ValueError);
    await expect(N.loadLayersModel(dir)).rejects.toThrow(/weight file .*half\/weights\.bin does not exist/);
    fs.writeFileSync(path.join(dir, 'model.json'), '{"modelTopology": [1, 2');
    await expect(N.loadLayersModel(dir)).rejects.toThrow(N.ConfigError);
    await expect(N.loadLayersModel(dir)).rejects.toThrow(/half\/model\.json: not valid JSON/);
  });
});

describe('callbacks.modelCheckpoint', () => {
  it('saveBestOnly with dir: saves exactly the epochs where val_loss improved; the saved model is that epoch\'s', async () => {
    const m = model();
    const dir = path.join(tmp, 'best');
    const ck = N.callbacks.modelCheckpoint({ dir, monitor: 'val_loss', saveBestOnly: true });
    const seen: { epoch: number; val: number; weights: number[][] }[] = [];
    const probe = { onEpochEnd: (epoch: number, logs: Record<string, number>) => { seen.push({ epoch, val: logs.val_loss, weights: m.getWeights().map((w) => Array.from(w.data)) }); } };
    await m.fit(x, y, { epochs: 8, batchSize: 5, validationSplit: 0.25, verbose: 0, seed: 1, callbacks: [probe, ck] });
    let best = Infinity;
    const improved = seen.filter((s) => (s.val < best ? ((best = s.val), true) : false)).map((s) => s.epoch);
    expect(ck.savedEpochs).toEqual(improved);
    const last = seen.find((s) => s.epoch === improved[improved.length - 1])!;
    const back = await N.loadLayersModel(dir);
    expect(back.getWeights().map((w) => Array.from(w.data))).toEqual(last.weights);
  });

  it('every epoch with {epoch} in dir, and with a handler function', async () => {
    const m = model();
    await m.fit(x, y, { epochs: 3, batchSize: 10, verbose: 0, callbacks: [N.callbacks.modelCheckpoint({ dir: path.join(tmp, 'ep-{epoch}') })] });
    expect(['ep-1', 'ep-2', 'ep-3'].every((d) => fs.existsSync(path.join(tmp, d, 'model.json')))).toBe(true);
    const names: number[] = [];
    const ck = N.callbacks.modelCheckpoint({ handler: (epoch) => N.io.withSaveHandler((a) => { names.push(epoch); return { modelArtifactsInfo: N.io.getModelArtifactsInfoForJSON(a) }; }) });
    await m.fit(x, y, { epochs: 2, batchSize: 10, verbose: 0, callbacks: ck });
    expect(names).toEqual([0, 1]);
  });

  it('throws ConfigError on bad options, and fit rejects a monitor missing from the logs', async () => {
    expect(() => N.callbacks.modelCheckpoint({} as never)).toThrow(/exactly one of dir or handler/);
    expect(() => N.callbacks.modelCheckpoint({ dir: 'x', saveBestOnly: 'yes' as never })).toThrow(/saveBestOnly must be a boolean/);
    const ck = N.callbacks.modelCheckpoint({ dir: path.join(tmp, 'never'), saveBestOnly: true });
    await expect(model().fit(x, y, { epochs: 1, verbose: 0, callbacks: ck })).rejects.toThrow(/monitors "val_loss", which is not in the epoch logs/);
    expect(fs.existsSync(path.join(tmp, 'never'))).toBe(false);
  });
});

describe('lib/ stays free of Node built-ins', () => {
  it('no file under lib/ or kernels/ imports fs, path, os, url, child_process or node:*', () => {
    const root = path.resolve(__dirname, '..', '..');
    const bad: string[] = [];
    const walk = (d: string): void => {
      for (const e of fs.readdirSync(d, { withFileTypes: true })) {
        const p = path.join(d, e.name);
        if (e.isDirectory()) walk(p);
        else if (p.endsWith('.ts') && /from ['"](node:[^'"]+|fs|path|os|url|child_process|util|crypto)['"]|require\(['"](fs|path|os)['"]\)/.test(fs.readFileSync(p, 'utf8'))) bad.push(p);
      }
    };
    walk(path.join(root, 'lib'));
    walk(path.join(root, 'kernels'));
    expect(bad).toEqual([]);
  });
});

describe('README', () => {
  it('the three-line loading block runs against a model saved with io.fileSystem', async () => {
    const readme = fs.readFileSync(path.resolve(__dirname, '..', '..', 'README.md'), 'utf8');
    const block = /```ts\n([\s\S]*?)```/.exec(readme.split('<!-- persistence -->')[1])![1];
    expect(block.trim().split('\n')).toHaveLength(3);
    const m = model();
    const dir = path.join(tmp, 'readme');
    await m.save(N.io.fileSystem(dir));
    const body = block.replace(/^import .* from 'ridge\/node';.*$/m, '').replace(/'my-model'/, JSON.stringify(dir));
    const printed: unknown[] = [];
    // eslint-disable-next-line @typescript-eslint/no-implied-eval
    const run = new Function('loadLayersModel', 'x', 'console', `return (async () => { ${body} })();`);
    await run(N.loadLayersModel, x, { log: (v: unknown) => printed.push(v) });
    expect(printed[0]).toEqual(m.predict(x).toArray());
  });
});
