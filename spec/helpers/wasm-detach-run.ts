/**
 * Child process of spec/wasm-bench.spec.ts, run as
 *   node --trace-protector-invalidation -r ts-node/register/transpile-only spec/helpers/wasm-detach-run.ts [--detach]
 *
 * A full training run on the wasm backend: the bench's MNIST conv net (conv16-pool-conv32-pool-
 * dense64-dense10, L2 on every kernel, Adam) fit for 2 epochs of 4 batches of 32, then evaluate and
 * predict, plus one call of every wasm kernel (GEMM, conv forward/backprop-input/backprop-filter of
 * ranks 1–3, a strided one). V8 prints "Invalidating protector cell ArrayBufferDetaching" the first
 * time any ArrayBuffer in the process is detached (a transfer, or WebAssembly memory growth); the
 * spec asserts that line is absent. `--detach` transfers one buffer at the end: the positive
 * control showing that the detector fires.
 */
import { Random, Tensor, conv1d, conv2dBackpropFilter, conv2dBackpropInput, conv3d, getBackend, layers, matMul, optimizers, regularizers, sequential } from '../../lib/index';
import { wasmRuntime } from '../../kernels/wasm/runtime';

async function main(): Promise<void> {
  if (getBackend() !== 'wasm') throw new Error(`expected the wasm backend by default, got ${getBackend()}`);
  const r = new Random(5);
  const randn = (shape: number[]): Tensor => new Tensor(Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => r.normal()), shape);
  const l2 = () => regularizers.l2({ l2: 1e-3 });
  const model = sequential([
    layers.conv2d({ filters: 16, kernelSize: 3, activation: 'relu', inputShape: [28, 28, 1], kernelRegularizer: l2(), seed: 1 }),
    layers.maxPooling2d({ poolSize: 2 }),
    layers.conv2d({ filters: 32, kernelSize: 3, activation: 'relu', kernelRegularizer: l2(), seed: 2 }),
    layers.maxPooling2d({ poolSize: 2 }),
    layers.flatten(),
    layers.dense({ units: 64, activation: 'relu', kernelRegularizer: l2(), seed: 3 }),
    layers.dense({ units: 10, activation: 'softmax', kernelRegularizer: l2(), seed: 4 }),
  ]);
  model.compile({ optimizer: optimizers.adam(), loss: 'categoricalCrossentropy' });
  const n = 128;
  const x = randn([n, 28, 28, 1]);
  const yData = new Float32Array(n * 10);
  for (let i = 0; i < n; i++) yData[i * 10 + r.int(10)] = 1;
  const y = new Tensor(yData, [n, 10]);
  const buffer = wasmRuntime()!.memory.buffer;
  const h = await model.fit(x, y, { epochs: 2, batchSize: 32, verbose: 0, seed: 1 });
  model.evaluate(x, y, { batchSize: 32 });
  model.predict(x, { batchSize: 32 });
  // every kernel once more, through the ops
  matMul(randn([67, 130]), randn([130, 45]));
  conv1d(randn([2, 40, 9]), randn([3, 9, 12]), { padding: 'causal', dilationRate: 2 });
  conv3d(randn([1, 6, 6, 6, 3]), randn([3, 3, 3, 3, 5]), { padding: 'same' });
  conv2dBackpropInput(randn([2, 4, 4, 6]), randn([3, 3, 5, 6]), [2, 8, 8, 5], { strides: 2, padding: 'same' });
  conv2dBackpropFilter(randn([2, 8, 8, 5]), randn([2, 4, 4, 6]), [3, 3, 5, 6], { strides: 2, padding: 'same' });
  const rt = wasmRuntime()!;
  const same = rt.memory.buffer === buffer && buffer.byteLength > 0 && rt.f32.buffer === buffer;
  console.log(`trained: loss ${h.history.loss.map((v) => v.toFixed(4)).join(' ')}; memory buffer unchanged: ${same}`);
  if (process.argv.includes('--detach')) {
    const b = new ArrayBuffer(16);
    structuredClone(b, { transfer: [b] });
    console.log(`detached a buffer on purpose: byteLength now ${b.byteLength}`);
  }
}

main().catch((e) => { console.error(e); process.exit(1); });
