/**
 * Memory: 200 fit + predict calls keep the heap and the tensor buffers flat, and predict on 50,000
 * samples in batches keeps only its output. Measured in a child process with --expose-gc
 * (memory-run.ts), read after full collections. The bounds are stated here and in the docs:
 *
 *   - after 200 calls (past a 20-call warm-up): V8 heap within +2 MiB of the start, ArrayBuffer
 *     memory within +256 KiB, and no upward trend across the four 50-call checkpoints (spread < 4 MiB);
 *   - predict(50,000 × 12×12×1, batchSize 256) retains exactly its output (+64 KiB slack), and
 *     between collections holds < 64 MiB of buffers (one batch's activations are ~0.8 MB; an
 *     unbatched forward would need > 200 MB).
 */
import { execFileSync } from 'child_process';
import * as path from 'path';

const MiB = 1024 * 1024;

test('200 fit/predict calls: flat heap and buffers; predict on 50,000 samples keeps only its output', () => {
  const out = execFileSync(process.execPath, ['--expose-gc', '-r', 'ts-node/register/transpile-only', path.join(__dirname, 'memory-run.ts'), '200'],
    { cwd: path.join(__dirname, '..', '..'), encoding: 'utf8' });
  const r = JSON.parse(out.trim().split('\n').pop()!);
  console.log(`memory: ${JSON.stringify(r)}`);
  const f = r.fitPredict;
  expect(r.calls).toBe(200);
  expect(f.endHeap - f.startHeap).toBeLessThan(2 * MiB);
  expect(f.endBuffers - f.startBuffers).toBeLessThan(256 * 1024);
  expect(Math.max(...f.everyFifty) - Math.min(...f.everyFifty)).toBeLessThan(4 * MiB);
  const p = r.predict50k;
  expect(p.outputBytes).toBe(50000 * 10 * 4);
  expect(Math.abs(p.retainedBuffers - p.outputBytes)).toBeLessThan(64 * 1024);
  expect(p.retainedHeap).toBeLessThan(1 * MiB);
  expect(p.buffersBeforeCollection).toBeLessThan(64 * MiB);
}, 180000);
