/**
 * Training and inference throughput (samples/s) of one small MNIST-shaped conv net, in Ridge and in
 * @tensorflow/tfjs-layers on @tensorflow/tfjs-backend-cpu, same shapes, same process, same run:
 *
 *   x [32, 28, 28, 1] → conv2d 16 3×3 relu → maxPooling 2 → conv2d 32 3×3 relu → maxPooling 2
 *     → flatten → dense 64 relu → dense 10 softmax          (56,714 weights; L2 1e-3 on every kernel)
 *   train: Adam (Keras defaults), batch 32, categorical cross-entropy on random one-hot targets
 *   inference: predict in batches of 32
 *   Ridge runs twice: on its JS kernels ('ridge', setBackend('js')) and on its WebAssembly SIMD
 *   backend ('ridge-wasm', setBackend('wasm')) when that is available.
 *
 * Per sample ≈ 1.4 MFLOP forward (conv2 dominates: 11·11·32 outputs × 3·3·16 × 2), ≈ 3× that to
 * train. Data are random normals created before timing; one warm-up step (or predict) per
 * implementation is not timed. tfjs trains at ~13 samples/s here, so its timed work is kept small.
 *
 *   npx ts-node --transpile-only bench/train.bench.ts [--quick]
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import { Model, Random, Tensor, getBackend, layers, optimizers, regularizers, sequential, setBackend, wasmBackendAvailable } from '../lib/index';

export interface TrainBenchRow {
  model: string;
  impl: string;
  phase: 'train' | 'inference';
  samplesPerSec: number;
}

const MODEL = 'mnist-cnn (conv16-pool-conv32-pool-dense64-dense10, L2 1e-3, Adam, batch 32)';
const BATCH = 32;

function randn(shape: number[], seed: number): Float32Array {
  const r = new Random(seed);
  return Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => r.normal());
}

function oneHot(n: number, seed: number): Float32Array {
  const r = new Random(seed);
  const y = new Float32Array(n * 10);
  for (let i = 0; i < n; i++) y[i * 10 + r.int(10)] = 1;
  return y;
}

function ridgeModel(): Model {
  const l2 = () => regularizers.l2({ l2: 1e-3 });
  const m = sequential([
    layers.conv2d({ filters: 16, kernelSize: 3, activation: 'relu', inputShape: [28, 28, 1], kernelRegularizer: l2(), seed: 1 }),
    layers.maxPooling2d({ poolSize: 2 }),
    layers.conv2d({ filters: 32, kernelSize: 3, activation: 'relu', kernelRegularizer: l2(), seed: 2 }),
    layers.maxPooling2d({ poolSize: 2 }),
    layers.flatten(),
    layers.dense({ units: 64, activation: 'relu', kernelRegularizer: l2(), seed: 3 }),
    layers.dense({ units: 10, activation: 'softmax', kernelRegularizer: l2(), seed: 4 }),
  ]);
  m.compile({ optimizer: optimizers.adam(), loss: 'categoricalCrossentropy' });
  return m;
}

function tfjsModel(): tfl.LayersModel {
  const l2 = () => tfl.regularizers.l2({ l2: 1e-3 });
  const m = tfl.sequential({
    layers: [
      tfl.layers.conv2d({ filters: 16, kernelSize: 3, activation: 'relu', inputShape: [28, 28, 1], kernelRegularizer: l2() }),
      tfl.layers.maxPooling2d({ poolSize: 2 }),
      tfl.layers.conv2d({ filters: 32, kernelSize: 3, activation: 'relu', kernelRegularizer: l2() }),
      tfl.layers.maxPooling2d({ poolSize: 2 }),
      tfl.layers.flatten(),
      tfl.layers.dense({ units: 64, activation: 'relu', kernelRegularizer: l2() }),
      tfl.layers.dense({ units: 10, activation: 'softmax', kernelRegularizer: l2() }),
    ],
  });
  m.compile({ optimizer: tf.train.adam(0.001, 0.9, 0.999, 1e-7), loss: 'categoricalCrossentropy' });
  return m;
}

const now = (): number => Number(process.hrtime.bigint()) / 1e9;

export async function runTrainBench(opts: { quick: boolean }): Promise<TrainBenchRow[]> {
  tf.env().set('PROD', true);
  if (!(await tf.setBackend('cpu'))) throw new Error('train bench: tfjs-backend-cpu failed to initialise');
  const ridgeTrainBatches = opts.quick ? 10 : 40;
  const tfjsTrainBatches = opts.quick ? 1 : 3;
  const ridgeInferSamples = opts.quick ? 1024 : 4096;
  const tfjsInferSamples = opts.quick ? 128 : 512;
  const rows: TrainBenchRow[] = [];

  // ---- Ridge, on each backend
  const before = getBackend();
  const backends: ['js' | 'wasm', string][] = [['js', 'ridge'], ...(wasmBackendAvailable() ? [['wasm', 'ridge-wasm'] as ['wasm', string]] : [])];
  for (const [backend, impl] of backends) {
    setBackend(backend);
    const m = ridgeModel();
    const n = ridgeTrainBatches * BATCH;
    const x = new Tensor(randn([n, 28, 28, 1], 1), [n, 28, 28, 1]);
    const y = new Tensor(oneHot(n, 2), [n, 10]);
    const xw = new Tensor(x.data.slice(0, BATCH * 784), [BATCH, 28, 28, 1]);
    const yw = new Tensor(y.data.slice(0, BATCH * 10), [BATCH, 10]);
    // Warm-up, not timed: 4 batches, so both backends run optimized code when timing starts (V8
    // tiers WebAssembly up from its baseline compiler in the background after some calls).
    const warm = 4 * BATCH;
    await m.fit(new Tensor(x.data.slice(0, warm * 784), [warm, 28, 28, 1]), new Tensor(y.data.slice(0, warm * 10), [warm, 10]),
      { epochs: 1, batchSize: BATCH, verbose: 0 });
    let t0 = now();
    await m.fit(x, y, { epochs: 1, batchSize: BATCH, verbose: 0, seed: 1 });
    rows.push({ model: MODEL, impl, phase: 'train', samplesPerSec: n / (now() - t0) });

    const xi = new Tensor(randn([ridgeInferSamples, 28, 28, 1], 3), [ridgeInferSamples, 28, 28, 1]);
    m.predict(xw, { batchSize: BATCH }); // warm-up
    t0 = now();
    m.predict(xi, { batchSize: BATCH });
    rows.push({ model: MODEL, impl, phase: 'inference', samplesPerSec: ridgeInferSamples / (now() - t0) });
  }
  setBackend(before);

  // ---- tfjs-layers on tfjs-backend-cpu
  {
    const m = tfjsModel();
    const n = tfjsTrainBatches * BATCH;
    const x = tf.tensor(randn([n, 28, 28, 1], 1), [n, 28, 28, 1]);
    const y = tf.tensor(oneHot(n, 2), [n, 10]);
    const xw = tf.tensor(randn([BATCH, 28, 28, 1], 4), [BATCH, 28, 28, 1]);
    const yw = tf.tensor(oneHot(BATCH, 5), [BATCH, 10]);
    await m.trainOnBatch(xw, yw); // warm-up
    let t0 = now();
    await m.fit(x, y, { epochs: 1, batchSize: BATCH, verbose: 0, shuffle: true });
    rows.push({ model: MODEL, impl: 'tfjs-layers (tfjs-backend-cpu)', phase: 'train', samplesPerSec: n / (now() - t0) });

    const xi = tf.tensor(randn([tfjsInferSamples, 28, 28, 1], 3), [tfjsInferSamples, 28, 28, 1]);
    tf.dispose(m.predict(xw, { batchSize: BATCH }) as tf.Tensor);
    t0 = now();
    const p = m.predict(xi, { batchSize: BATCH }) as tf.Tensor;
    await p.data();
    rows.push({ model: MODEL, impl: 'tfjs-layers (tfjs-backend-cpu)', phase: 'inference', samplesPerSec: tfjsInferSamples / (now() - t0) });
    tf.dispose([x, y, xw, yw, xi, p]);
    m.dispose();
  }
  return rows;
}

if (require.main === module) {
  const quick = process.argv.includes('--quick');
  runTrainBench({ quick }).then((rows) => {
    const get = (impl: string, phase: string) => rows.find((r) => r.impl === impl && r.phase === phase)?.samplesPerSec ?? NaN;
    console.log(MODEL);
    for (const r of rows) console.log(`  ${r.phase.padEnd(9)} ${r.impl.padEnd(32)} ${r.samplesPerSec.toFixed(1).padStart(9)} samples/s`);
    const tfjs = 'tfjs-layers (tfjs-backend-cpu)';
    console.log(`  ratio train ${(get('ridge', 'train') / get(tfjs, 'train')).toFixed(1)}×, inference ${(get('ridge', 'inference') / get(tfjs, 'inference')).toFixed(1)}×`);
    console.log(`  ridge-wasm / ridge: train ${(get('ridge-wasm', 'train') / get('ridge', 'train')).toFixed(2)}×, inference ${(get('ridge-wasm', 'inference') / get('ridge', 'inference')).toFixed(2)}×`);
  }).catch((e) => { console.error(e); process.exit(1); });
}
