/**
 * Child process: measures @tensorflow/tfjs-backend-wasm (XNNPACK) on the shapes named by the
 * parent, with the same cases, problem choice and benchmark.js settings as the main process.
 *
 * Why a separate process: the wasm backend grows its WebAssembly.Memory, and growing it detaches
 * the old ArrayBuffer. The first detach in a Node process slows every typed-array loop in that
 * process for good (10–40% measured here, DESIGN.md) — it would slow Ridge's kernels and
 * tfjs-backend-cpu in the main process and make every ratio wrong.
 *
 *   argv[2]  JSON WasmChildRequest
 *   stderr   progress lines
 *   stdout   one line 'RESULT <JSON WasmChildResult>'
 *
 * The .wasm binaries are loaded from node_modules (setWasmPaths to the package's dist folder).
 */
import * as path from 'path';
import { chooseCase, runSuite, timedRow } from '../measure';
import { ResultRow } from '../report';
import { ALL_SHAPES, passesOf } from '../shapes';
import { tfjsFactory } from './tfjs-cases';
import type { WasmChildRequest, WasmChildResult } from './tfjs-wasm';

async function main(): Promise<void> {
  const req = JSON.parse(process.argv[2]) as WasmChildRequest;
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
  process.stderr.write(`  [tfjs-wasm] backend ready: ${binary} from ${wasmDir} (simd ${simd}, threads ${threads})\n`);

  const rows: ResultRow[] = [];
  for (const name of req.shapes) {
    const shape = ALL_SHAPES.find((s) => s.name === name);
    if (shape === undefined) throw new Error(`unknown shape ${name}`);
    for (const pass of passesOf(shape)) {
      let chosen: ReturnType<typeof chooseCase>;
      try {
        chosen = chooseCase(shape, tfjsFactory(tf, 'wasm', shape, pass), req.settings.callBudget);
      } catch (e) {
        chosen = `error: ${e instanceof Error ? e.message : String(e)}`;
      }
      if (typeof chosen === 'string') {
        rows.push({ shape: shape.name, pass, impl: 'tfjs-wasm', gflops: null, note: chosen });
        process.stderr.write(`  [tfjs-wasm] ${shape.name} ${pass}: ${chosen}\n`);
        continue;
      }
      const timings = runSuite(`${shape.name} ${pass} (tfjs-wasm)`, [{ name: 'tfjs-wasm', run: chosen.c.run }], req.settings);
      chosen.c.dispose();
      const row = timedRow(shape, pass, 'tfjs-wasm', chosen.problem, timings.get('tfjs-wasm'));
      rows.push(row);
      process.stderr.write(`  [tfjs-wasm] ${shape.name} ${pass}: ${row.gflops === null ? row.note
        : `${row.gflops.toFixed(3)} GFLOP/s  cpu ${(100 * (row.cpuShare ?? 0)).toFixed(0)}%${row.reduced ? `  (reduced: ${row.problem})` : ''}`}\n`);
    }
  }
  const result: WasmChildResult = { simd, threads, binary, rows };
  process.stdout.write(`RESULT ${JSON.stringify(result)}\n`);
}

main().catch((e: unknown) => {
  process.stderr.write(`  [tfjs-wasm] failed: ${e instanceof Error ? e.stack ?? e.message : String(e)}\n`);
  process.exit(1);
});
