/**
 * The memory measurements behind memory.spec.ts, run in a child process started with --expose-gc
 * (jest workers cannot collect on demand):
 *
 *   node --expose-gc -r ts-node/register/transpile-only spec/reliability/memory-run.ts [calls]
 *
 * prints one JSON line of byte counts. Heap = V8 heap used; buffers = ArrayBuffer memory (where
 * every tensor's data lives), both read after a full collection.
 */
import { Tensor, layers, optimizers, sequential } from '../../lib';

declare const gc: () => void;

function used(): { heap: number; buffers: number } {
  gc(); gc();
  const m = process.memoryUsage();
  return { heap: m.heapUsed, buffers: m.arrayBuffers };
}

function data(n: number, feat: number, seed: number): Float32Array {
  const d = new Float32Array(n * feat);
  for (let i = 0; i < d.length; i++) d[i] = Math.sin(seed + i * 0.13);
  return d;
}

async function main(): Promise<void> {
  const calls = Number(process.argv[2] ?? 200);
  const m = sequential([
    layers.conv2d({ filters: 8, kernelSize: 3, activation: 'relu', inputShape: [12, 12, 1], seed: 1, kernelRegularizer: 'l2', activityRegularizer: 'l1' }),
    layers.maxPooling2d({ poolSize: 2 }),
    layers.dropout({ rate: 0.2, seed: 2 }),
    layers.flatten(),
    layers.dense({ units: 10, activation: 'softmax', seed: 3, kernelRegularizer: 'l2' }),
  ]);
  m.compile({ optimizer: optimizers.adam({ learningRate: 1e-3 }), loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
  const x = new Tensor(data(64, 144, 1), [64, 12, 12, 1]);
  const y = new Tensor(new Float32Array(64).map((_, i) => i % 10), [64]);
  const one = async (): Promise<void> => {
    await m.fit(x, y, { epochs: 1, batchSize: 16, verbose: 0, validationSplit: 0.25 });
    m.predict(x, { batchSize: 32 });
  };
  for (let i = 0; i < 20; i++) await one(); // warm-up: JIT, lazily created optimizer slots, workspaces
  const start = used();
  const samples: number[] = [];
  for (let i = 0; i < calls; i++) {
    await one();
    if ((i + 1) % 50 === 0) { const u = used(); samples.push(u.heap + u.buffers); }
  }
  const end = used();

  // predict on 50,000 samples in batches of 256: what it keeps, and what one call allocates.
  const big = new Tensor(data(50000, 144, 2), [50000, 12, 12, 1]);
  const before = used();
  const rss0 = process.memoryUsage().rss;
  const out = m.predict(big, { batchSize: 256 });
  const noGc = process.memoryUsage();
  const after = used();
  console.log(JSON.stringify({
    calls,
    fitPredict: { startHeap: start.heap, endHeap: end.heap, startBuffers: start.buffers, endBuffers: end.buffers, everyFifty: samples },
    predict50k: {
      outputBytes: out.data.byteLength, inputBytes: big.data.byteLength,
      retainedBuffers: after.buffers - before.buffers, retainedHeap: after.heap - before.heap,
      buffersBeforeCollection: noGc.arrayBuffers - before.buffers, rssGrowth: noGc.rss - rss0,
    },
  }));
}

main().catch((e) => { console.error(e); process.exit(1); });
