/**
 * One seeded training run and a hash of the resulting weights, shared by determinism.spec.ts and
 * run as a script in child processes:
 *
 *   node -r ts-node/register/transpile-only spec/reliability/determinism-run.ts [backend] [seed]
 *
 * prints the hash. Same seeds → same bits, in any process.
 */
import * as ridge from '../../lib';
import { Tensor, layers, optimizers, sequential } from '../../lib';

/** FNV-1a (32-bit) over the bytes of every weight, in getWeights() order, as 8 hex digits. */
export function weightHash(ws: Tensor[]): string {
  let h = 0x811c9dc5;
  for (const w of ws) {
    const bytes = new Uint8Array(w.data.buffer, w.data.byteOffset, w.data.byteLength);
    for (let i = 0; i < bytes.length; i++) { h ^= bytes[i]; h = Math.imul(h, 0x01000193) >>> 0; }
  }
  return h.toString(16).padStart(8, '0');
}

/** Selects a backend when the engine has backends (setBackend exists); returns whether it could. */
export function useBackend(name: string): boolean {
  const set = (ridge as unknown as { setBackend?: (b: string) => unknown }).setBackend;
  if (typeof set !== 'function') return name === 'js';
  try { set(name); return true; } catch { return false; }
}

/** A conv net with dropout and every kind of penalty, trained 2 epochs with shuffling. */
export async function seededRun(shuffleSeed = 11, initSeed = 1): Promise<string> {
  const m = sequential([
    layers.conv2d({ filters: 4, kernelSize: 3, padding: 'same', activation: 'relu', inputShape: [8, 8, 1], seed: initSeed, kernelRegularizer: 'l2', activityRegularizer: 'l1' }),
    layers.maxPooling2d({ poolSize: 2 }),
    layers.dropout({ rate: 0.25, seed: initSeed + 1 }),
    layers.flatten(),
    layers.dense({ units: 3, activation: 'softmax', seed: initSeed + 2, kernelRegularizer: 'l1l2', biasRegularizer: 'l2' }),
  ]);
  m.compile({ optimizer: optimizers.adam({ learningRate: 0.01 }), loss: 'sparseCategoricalCrossentropy' });
  const n = 48;
  const x = new Float32Array(n * 64);
  for (let i = 0; i < x.length; i++) x[i] = Math.sin(i * 0.37) * Math.cos(i * 0.011);
  const y = new Float32Array(n).map((_, i) => i % 3);
  await m.fit(new Tensor(x, [n, 8, 8, 1]), new Tensor(y, [n]), { epochs: 2, batchSize: 8, seed: shuffleSeed, verbose: 0 });
  return weightHash(m.getWeights());
}

if (require.main === module) {
  const [backend = 'js', seed = '11'] = process.argv.slice(2);
  if (!useBackend(backend)) { console.log('unavailable'); process.exit(0); }
  seededRun(Number(seed)).then((h) => console.log(h), (e) => { console.error(e); process.exit(1); });
}
