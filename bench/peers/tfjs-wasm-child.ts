/**
 * Child process: measures @tensorflow/tfjs-backend-wasm (XNNPACK) with the same cases, problem
 * choice and benchmark.js settings as the main process, one shape and pass at a time, when the
 * parent asks — so each wasm timing is taken right after the main process timed the same shape
 * and pass, under the same load on this shared machine.
 *
 * Why a separate process: the wasm backend grows its WebAssembly.Memory, and growing it detaches
 * the old ArrayBuffer. The first detach in a Node process slows every typed-array loop in that
 * process for good (10–40% measured here, DESIGN.md) — it would slow Ridge's kernels and
 * tfjs-backend-cpu in the main process and make every ratio wrong.
 *
 * Protocol (newline-delimited, text only: nothing is transferred between the processes):
 *   argv[2]  JSON BenchSettings
 *   stdout   'READY <JSON WasmInfo>' once the backend is up
 *   stdin    '<JSON { shape, pass }>' per request            → stdout 'ROW <JSON ResultRow>'
 *   stdin closed                                             → exit 0
 *   stderr   progress lines
 *
 * The .wasm binaries are loaded from node_modules (setWasmPaths to the package's dist folder).
 */
import * as path from 'path';
import * as readline from 'readline';
import { BenchSettings, chooseCase, runSuite, timedRow } from '../measure';
import { ResultRow } from '../report';
import { ALL_SHAPES, Pass } from '../shapes';
import { tfjsFactory } from './tfjs-cases';
import type { WasmInfo } from './tfjs-wasm';

async function main(): Promise<void> {
  const settings = JSON.parse(process.argv[2]) as BenchSettings;
  const tf = await import('@tensorflow/tfjs-core');
  const wasm = await import('@tensorflow/tfjs-backend-wasm');
  tf.env().set('PROD', true);
  const wasmDir = path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm'));
  wasm.setWasmPaths(wasmDir + path.sep);
  if (!(await tf.setBackend('wasm'))) throw new Error('tfjs-backend-wasm failed to initialise');
  const simd = Boolean(await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT'));
  const threads = Boolean(await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT'));
  const binary = simd && threads ? 'tfjs-backend-wasm-threaded-simd.wasm'
    : simd ? 'tfjs-backend-wasm-simd.wasm' : 'tfjs-backend-wasm.wasm';
  const info: WasmInfo = { simd, threads, binary, dir: path.relative(process.cwd(), wasmDir) };
  process.stdout.write(`READY ${JSON.stringify(info)}\n`);

  const measure = (shapeName: string, pass: Pass): ResultRow => {
    const shape = ALL_SHAPES.find((s) => s.name === shapeName);
    if (shape === undefined) throw new Error(`unknown shape ${shapeName}`);
    let chosen: ReturnType<typeof chooseCase>;
    try {
      chosen = chooseCase(shape, tfjsFactory(tf, 'wasm', shape, pass), settings.callBudget);
    } catch (e) {
      chosen = `error: ${e instanceof Error ? e.message : String(e)}`;
    }
    if (typeof chosen === 'string') return { shape: shape.name, pass, impl: 'tfjs-wasm', gflops: null, note: chosen };
    const timings = runSuite(`${shape.name} ${pass} (tfjs-wasm)`, [{ name: 'tfjs-wasm', run: chosen.c.run }], settings);
    chosen.c.dispose();
    return timedRow(shape, pass, 'tfjs-wasm', chosen.problem, timings.get('tfjs-wasm'));
  };

  const lines = readline.createInterface({ input: process.stdin });
  for await (const line of lines) {
    if (line.trim() === '') continue;
    const req = JSON.parse(line) as { shape: string; pass: Pass };
    const row = measure(req.shape, req.pass);
    process.stdout.write(`ROW ${JSON.stringify(row)}\n`);
  }
}

main().then(() => process.exit(0), (e: unknown) => {
  process.stderr.write(`tfjs-wasm child failed: ${e instanceof Error ? e.stack ?? e.message : String(e)}\n`);
  process.exit(1);
});
