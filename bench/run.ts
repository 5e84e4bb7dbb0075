/**
 * `npm run bench [-- --quick] [--filter s] [--no-wasm] [--no-train] [--out file]`
 *
 * GFLOP/s of Ridge's kernels against the naive reference loops, @tensorflow/tfjs-backend-cpu (in
 * this process) and @tensorflow/tfjs-backend-wasm (in a child process), on DESIGN.md's shapes, all
 * measured in one run; a register-only multiply-add probe as the scalar-JS ceiling; Ridge's
 * training throughput against tfjs-layers when bench/train.bench.ts exists. Prints progress and a
 * table, writes bench/results/latest.json. What is measured and how: bench/README.md.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as v8 from 'v8';
import * as vm from 'vm';
import { BenchArgs, parseArgs, trainSelected } from './args';
import { kernelFactory, ridgeConvWorkspaceBytes } from './cases';
import { wasmRuntime } from '../kernels/wasm/runtime';
import {
  BenchSettings, CaseFactory, chooseCase, Chosen, FULL_SETTINGS, QUICK_SETTINGS, runSuite, SuiteEntry, timedRow, Timing,
} from './measure';
import { loadTfjsCpu, tfjsCpuFactory, TF } from './peers/tfjs-cpu';
import { WasmInfo, WasmPeer } from './peers/tfjs-wasm';
import { PROBE_FLOPS_PER_CALL, probeCall } from './probe';
import {
  checkTargets, checkWasmTargets, reducedFootnotes, renderWasmTargets, renderTable, renderTargets, renderTrainTable, ResultRow, trainFootnotes, TrainRow, validateRow,
  validateTrainRow,
} from './report';
import {
  describeProblem, describeShape, Impl, isReduced, Pass, passesOf, problemFlops, selectShapes, Shape,
} from './shapes';

const ROOT = path.join(__dirname, '..');
/** GEMM shapes whose Ridge GFLOP/s is reported as a percentage of the probe. */
const PROBE_SHAPES = ['gemm-512', 'gemm-1024'];

const log = (s: string): void => { process.stdout.write(`${s}\n`); };
const T0 = Date.now();
/** Elapsed time since start, '[1:05]'. */
const stamp = (): string => {
  const s = Math.round((Date.now() - T0) / 1000);
  return `[${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}]`;
};

/** A collector between suites, when V8 lets us have one (keeps peers' garbage out of the next timing). */
function collector(): () => void {
  try {
    v8.setFlagsFromString('--expose-gc');
    const gc = vm.runInNewContext('gc') as () => void;
    return () => gc();
  } catch {
    return () => undefined;
  }
}

function version(pkg: string): string {
  try {
    return (JSON.parse(fs.readFileSync(require.resolve(`${pkg}/package.json`, { paths: [ROOT] }), 'utf8')) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

/** HEAD of the repository, and whether kernels/ differs from it (others edit the same tree). */
function commit(): { head: string; kernelsModified: boolean } | null {
  try {
    const head = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--', 'kernels'], { cwd: ROOT, encoding: 'utf8' }).trim();
    return { head, kernelsModified: dirty !== '' };
  } catch {
    return null;
  }
}

function machine(): Record<string, unknown> {
  const cpus = os.cpus();
  return {
    cpu: cpus[0]?.model ?? 'unknown',
    cores: cpus.length,
    node: process.version,
    platform: `${os.platform()} ${os.arch()}`,
    loadAverageAtStart: os.loadavg().map((v) => Number(v.toFixed(2))),
  };
}

const fmtTiming = (g: number, t: Timing): string =>
  `${g.toFixed(3).padStart(8)} GFLOP/s  ${(t.seconds * 1000).toFixed(2).padStart(9)} ms/call  ±${t.rme.toFixed(1)}%` +
  `  ${t.samples} samples  cpu ${(100 * t.cpuShare).toFixed(0)}%`;

interface Pending { impl: Impl; chosen: Chosen }

/** One shape and pass: choose each implementation's problem, then one benchmark.js suite over them. */
function benchShapePass(
  shape: Shape, pass: Pass, factories: [Impl, CaseFactory][], budget: number, withProbe: boolean,
  settings: BenchSettings, rows: ResultRow[], probeByShape: Record<string, number>,
): void {
  const label = `${shape.name} ${pass}`;
  const pending: Pending[] = [];
  const entries: SuiteEntry[] = [];
  for (const [impl, factory] of factories) {
    let chosen: Chosen | string;
    try {
      chosen = chooseCase(shape, factory, budget);
    } catch (e) {
      chosen = `error: ${e instanceof Error ? e.message : String(e)}`;
    }
    if (typeof chosen === 'string') {
      rows.push({ shape: shape.name, pass, impl, gflops: null, note: chosen });
      log(`  ${label.padEnd(28)} ${impl.padEnd(10)} ${chosen}`);
      continue;
    }
    pending.push({ impl, chosen });
    entries.push({ name: impl, run: chosen.c.run });
    // The probe runs right after Ridge, in the same suite, so "% of probe" compares moments
    // seconds apart on this shared machine.
    if (withProbe && impl === 'ridge') entries.push({ name: 'probe', run: probeCall });
  }
  const timings = runSuite(label, entries, settings, (name, t) => {
    if (typeof t === 'string') { log(`  ${label.padEnd(28)} ${name.padEnd(10)} ${t}`); return; }
    const p = pending.find((q) => q.impl === name);
    const flops = p ? problemFlops(shape, p.chosen.problem) : PROBE_FLOPS_PER_CALL;
    const red = p && isReduced(shape, p.chosen.problem) ? `  (reduced: ${describeProblem(p.chosen.problem)})` : '';
    log(`  ${label.padEnd(28)} ${name.padEnd(10)} ${fmtTiming(flops / t.seconds / 1e9, t)}${red}`);
  });
  const probe = timings.get('probe');
  if (probe !== undefined && typeof probe !== 'string') probeByShape[shape.name] = PROBE_FLOPS_PER_CALL / probe.seconds / 1e9;
  for (const { impl, chosen } of pending) {
    chosen.c.dispose();
    const row = timedRow(shape, pass, impl, chosen.problem, timings.get(impl));
    if (impl === 'ridge' && shape.kind === 'conv' && pass !== 'matmul') {
      row.workspaceBytes = ridgeConvWorkspaceBytes(shape, pass);
    }
    rows.push(row);
  }
}

type RunTrainBench = (opts: { quick: boolean }) => Promise<TrainRow[]>;

async function trainBench(args: BenchArgs): Promise<{ rows: TrainRow[]; note?: string }> {
  const file = path.join(__dirname, 'train.bench.ts');
  if (!fs.existsSync(file)) return { rows: [], note: 'bench/train.bench.ts not present' };
  try {
    const mod = (await import(path.join(__dirname, 'train.bench'))) as { runTrainBench?: RunTrainBench };
    if (typeof mod.runTrainBench !== 'function') return { rows: [], note: 'bench/train.bench.ts exports no runTrainBench' };
    const rows = await mod.runTrainBench({ quick: args.quick });
    const bad = rows.flatMap((r, i) => validateTrainRow(r).map((e) => `train row ${i}: ${e}`));
    if (bad.length > 0) return { rows: [], note: `train rows rejected: ${bad.join('; ')}` };
    return { rows };
  } catch (e) {
    return { rows: [], note: `train benchmark failed: ${e instanceof Error ? e.message : String(e)}` };
  }
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const settings = args.quick ? QUICK_SETTINGS : FULL_SETTINGS;
  const shapes = selectShapes(args.quick, args.filter);
  const gc = collector();
  const started = Date.now();
  const mach = machine();
  const gitState = commit();
  log(`Ridge bench — ${args.quick ? 'quick' : 'full'} run${args.filter !== null ? `, filter '${args.filter}'` : ''}`);
  log(`${String(mach.cpu)}, ${String(mach.cores)} cores, Node ${process.version}, load average ${(mach.loadAverageAtStart as number[]).join(' ')}`);
  log(`benchmark.js: maxTime ${settings.maxTime}s, minSamples ${settings.minSamples}; problems sized for ≤ ${settings.callBudget}s per call`);
  log(`shapes: ${shapes.map((s) => s.name).join(', ') || '(none)'}`);
  log(`commit: ${gitState === null ? 'unknown' : `${gitState.head}${gitState.kernelsModified ? ' (kernels/ modified in the working tree)' : ''}`}\n`);

  const tf: TF = await loadTfjsCpu();
  const rows: ResultRow[] = [];
  const probeByShape: Record<string, number> = {};

  // The wasm child starts (and goes idle) before anything is timed; it then measures each shape
  // and pass right after this process has.
  let wasm: (WasmInfo & { error?: string }) | { skipped: true } = { skipped: true };
  let peer: WasmPeer | null = null;
  if (args.wasm && shapes.length > 0) {
    try {
      const started = await WasmPeer.start(settings, log);
      peer = started.peer;
      wasm = started.info;
      log(`  tfjs-wasm child ready: ${started.info.binary} from ${started.info.dir}` +
        ` (SIMD ${started.info.simd ? 'on' : 'off'}, threads ${started.info.threads ? 'on' : 'off'})`);
    } catch (e) {
      const msg = e instanceof Error ? e.message : String(e);
      log(`  tfjs-wasm failed to start: ${msg}`);
      wasm = { simd: false, threads: false, binary: 'none', dir: '', error: msg };
    }
  }

  // The probe alone first: the ceiling for this run, even when no GEMM shape is selected.
  const p0 = runSuite('probe', [{ name: 'probe', run: probeCall }], settings).get('probe');
  const probeGflops = p0 !== undefined && typeof p0 !== 'string' ? PROBE_FLOPS_PER_CALL / p0.seconds / 1e9 : null;
  log(`  register-only multiply-add probe: ${probeGflops === null ? String(p0) : `${probeGflops.toFixed(2)} GFLOP/s`}\n`);

  for (const shape of shapes) {
    log(`${stamp()} ${shape.name}: ${describeShape(shape)}${shape.note ? ` — ${shape.note}` : ''}`);
    for (const pass of passesOf(shape)) {
      gc();
      const factories: [Impl, CaseFactory][] = [
        ['ridge', kernelFactory('ridge', shape, pass)],
        ['ridge-wasm', kernelFactory('ridge-wasm', shape, pass)],
        ['reference', kernelFactory('reference', shape, pass)],
        ['tfjs-cpu', tfjsCpuFactory(tf, shape, pass)],
      ];
      benchShapePass(shape, pass, factories, settings.callBudget, PROBE_SHAPES.includes(shape.name),
        settings, rows, probeByShape);
      if (peer !== null) {
        let row: ResultRow;
        try {
          row = await peer.measure(shape.name, pass);
        } catch (e) {
          row = { shape: shape.name, pass, impl: 'tfjs-wasm', gflops: null, note: `error: ${e instanceof Error ? e.message : String(e)}` };
        }
        rows.push(row);
        log(`  ${`${shape.name} ${pass}`.padEnd(28)} ${'tfjs-wasm'.padEnd(10)} ${row.gflops === null ? row.note
          : `${row.gflops.toFixed(3).padStart(8)} GFLOP/s  ${(row.ms ?? 0).toFixed(2).padStart(9)} ms/call  ±${(row.rme ?? 0).toFixed(1)}%` +
            `  ${row.samples} samples  cpu ${(100 * (row.cpuShare ?? 0)).toFixed(0)}%${row.reduced ? `  (reduced: ${row.problem})` : ''}`}`);
      }
    }
  }
  if (peer !== null) await peer.close();

  let train: TrainRow[] = [];
  let trainNote: string | undefined;
  if (trainSelected(args)) {
    log(`\n${stamp()} training throughput (bench/train.bench.ts):`);
    gc();
    const t = await trainBench(args);
    train = t.rows;
    trainNote = t.note;
    if (trainNote) log(`  ${trainNote}`);
  }

  const bad = rows.flatMap((r) => validateRow(r).map((e) => `${r.shape} ${r.pass} ${r.impl}: ${e}`));
  if (bad.length > 0) throw new Error(`bench: malformed result rows:\n${bad.join('\n')}`);

  // Nothing in this process may have loaded the wasm backend (it detaches buffers).
  const wasmInMain = Object.keys(require.cache).some((k) => k.includes('tfjs-backend-wasm'));
  const minutes = (Date.now() - started) / 60000;
  log(`\n${stamp()} done`);

  if (rows.length > 0) {
    log('\nGFLOP/s (higher is better) and Ridge\'s ratio to each peer, measured in this run');
    log(renderTable(rows, { probeByShape }));
  }
  const notes: string[] = [
    `FLOPs: conv 2·(output elements)·(kernel spatial)·(in channels) for every pass; GEMM 2·M·N·K.`,
    `Each cell: median of benchmark.js samples; inputs preallocated outside the timed function, reused (warm caches).`,
    `Register-only multiply-add probe: ${probeGflops === null ? 'n/a' : probeGflops.toFixed(2)} GFLOP/s at start` +
      (Object.keys(probeByShape).length > 0
        ? `; in the GEMM suites: ${Object.entries(probeByShape).map(([k, v]) => `${k} ${v.toFixed(2)}`).join(', ')} (the '% probe' column).`
        : '.'),
    'workspace: peak temporary memory of one Ridge conv call (kernels/conv.ts convWorkspaceBytes), batch-independent.',
    '† tfjs-wasm runs in a child process (its WASM memory growth detaches an ArrayBuffer, which slows every' +
      ' typed-array loop in a process). It packs each filter once and caches it, so its conv timings exclude packing.',
  ];
  if ('binary' in wasm) {
    notes.push(`  tfjs-wasm: ${wasm.binary}, SIMD ${wasm.simd ? 'on' : 'off'}, threads ${wasm.threads ? 'on' : 'off'}` +
      `${wasm.error ? ` — FAILED: ${wasm.error}` : ''}.`);
  }
  const fn = reducedFootnotes(rows);
  if (fn.length > 0) {
    notes.push(`* measured on a reduced problem (same channels, kernel, stride, padding; smaller batch, then spatial size; GEMM: smaller M),` +
      ` GFLOP/s of that problem, to keep one call under ${settings.callBudget}s:`, ...fn);
  }
  const shares = rows.map((r) => r.cpuShare).filter((v): v is number => v !== undefined);
  if (shares.length > 0) {
    notes.push(`CPU share while timing (process CPU time / wall time): mean ${(100 * shares.reduce((a, b) => a + b, 0) / shares.length).toFixed(0)}%,` +
      ` lowest ${(100 * Math.min(...shares)).toFixed(0)}% (≈100%: a core to ourselves; less: other processes on this shared machine took part of it).`);
  }
  const rt = wasmRuntime();
  notes.push(rt === null
    ? 'ridge-wasm: unavailable (WebAssembly SIMD did not validate).'
    : `ridge-wasm: Ridge's WebAssembly SIMD backend (kernels/wasm/, bytes emitted by TypeScript), in this process;` +
      ` ${rt.relaxed ? 'relaxed SIMD (f32x4.relaxed_madd)' : 'f32x4.mul + f32x4.add (relaxed SIMD did not validate)'};` +
      ` one fixed ${(rt.memory.buffer.byteLength / 1048576).toFixed(0)} MiB memory that never grows (nothing detached).` +
      ' w×js = ridge-wasm / ridge, w×wasm = ridge-wasm / tfjs-wasm.');
  notes.push(`main process loaded tfjs-backend-wasm: ${wasmInMain ? 'YES — ratios are suspect' : 'no'}; wall time ${minutes.toFixed(1)} min.`);
  for (const n of notes) log(n);
  const targets = checkTargets(rows, probeByShape);
  if (targets.length > 0) {
    log('');
    for (const l of renderTargets(targets)) log(l);
  }
  const wasmTargetResults = checkWasmTargets(rows);
  if (wasmTargetResults.length > 0) {
    log('');
    for (const l of renderWasmTargets(wasmTargetResults)) log(l);
  }
  if (train.length > 0) {
    log('\nTraining throughput (samples/s, higher is better), Ridge vs tfjs-layers in this process');
    log(renderTrainTable(train));
    for (const n of trainFootnotes(train)) log(n);
  }

  const result = {
    generatedAt: new Date().toISOString(),
    mode: args.quick ? 'quick' : 'full',
    filter: args.filter,
    commit: gitState,
    settings,
    machine: { ...mach, loadAverageAtEnd: os.loadavg().map((v) => Number(v.toFixed(2))) },
    versions: {
      ridge: (JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string }).version,
      'tfjs-core': version('@tensorflow/tfjs-core'),
      'tfjs-backend-cpu': version('@tensorflow/tfjs-backend-cpu'),
      'tfjs-backend-wasm': version('@tensorflow/tfjs-backend-wasm'),
      'tfjs-layers': version('@tensorflow/tfjs-layers'),
      benchmark: version('benchmark'),
    },
    wasm,
    probe: { gflops: probeGflops, byShape: probeByShape },
    rows,
    targets,
    wasmTargets: wasmTargetResults,
    train,
    trainNote: trainNote ?? null,
    wasmLoadedInMainProcess: wasmInMain,
    minutes: Number(minutes.toFixed(2)),
    notes,
  };
  const out = path.resolve(ROOT, args.out);
  fs.mkdirSync(path.dirname(out), { recursive: true });
  fs.writeFileSync(out, `${JSON.stringify(result, null, 2)}\n`);
  log(`\nwrote ${path.relative(process.cwd(), out)}`);
}

main().then(() => process.exit(0), (e: unknown) => {
  process.stderr.write(`${e instanceof Error ? e.stack ?? e.message : String(e)}\n`);
  process.exit(1);
});
