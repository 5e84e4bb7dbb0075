/**
 * `npm start`: the Ridge regularization lab. One experiment per claim of weight regularization
 * (examples/lab/experiments.ts), each on several seeds, on real MNIST digits, two noisy moons and
 * the d2l high-dimensional regression; prints each claim's headline and tables and writes a report
 * folder (index.html with SVG plots, results.json, summary.md). Run with --help for the options.
 */
import * as os from 'os';
import * as ridge from '../lib';
import { io as nodeIo } from '../node';
import { CLAIMS, runExperiment, type Ctx, type Section } from './lab/experiments';
import { HELP_TEXT, parseLabArgs } from './lab/options';
import { LabProgress } from './lab/progress';
import { writeReport } from './lab/report';
import { renderText } from './lab/table';
import { sideBySide } from './lab/svg';
import * as fs from 'fs';
import * as path from 'path';

/** setBackend exists only in builds of Ridge that have more than one backend: feature-detect it. */
function selectBackend(name: string | null): { ok: true; label: string } | { ok: false; message: string } {
  const setBackend = (ridge as unknown as { setBackend?: (n: string) => unknown }).setBackend;
  if (name === null) return { ok: true, label: 'default backend' };
  if (typeof setBackend !== 'function') return { ok: false, message: `lab: --backend ${name}: this build of Ridge has no setBackend, so only its built-in backend is available\nRun with --help for usage.` };
  try {
    setBackend(name);
  } catch (e) {
    return { ok: false, message: `lab: --backend ${name}: ${e instanceof Error ? e.message : String(e)}\nRun with --help for usage.` };
  }
  return { ok: true, label: `backend ${name}` };
}

async function main(argv: string[]): Promise<number> {
  const parsed = parseLabArgs(argv);
  if (parsed.kind === 'help') {
    process.stdout.write(HELP_TEXT);
    return 0;
  }
  if (parsed.kind === 'error') {
    process.stderr.write(parsed.message + '\n');
    return 2;
  }
  const o = parsed.options;
  const backend = selectBackend(o.backend);
  if (!backend.ok) {
    process.stderr.write(backend.message + '\n');
    return 2;
  }
  const t0 = Date.now();
  const cpus = os.cpus();
  const machine = `Node ${process.version}, ${cpus.length} CPUs (${(cpus[0]?.model ?? 'unknown').trim()}), ${backend.label}`;
  process.stdout.write(`Ridge regularization lab: ${o.experiments.join(', ')} on ${o.seeds.length} seeds (${o.seeds.join(', ')})${o.quick ? ', --quick' : ''}\n`);
  const log = new LabProgress(process.stdout);
  // The best model (lowest held-out data loss over the seeds) of each (problem, variant), saved at the end.
  const best = new Map<string, { model: ridge.Model; loss: number }>();
  const keep = (problem: string, variant: string, model: ridge.Model, loss: number): void => {
    const key = `${problem}-${variant}`.replace(/[^A-Za-z0-9.+-]+/g, '_');
    const cur = best.get(key);
    if (Number.isFinite(loss) && (!cur || loss < cur.loss)) best.set(key, { model, loss });
  };
  const ctx: Ctx = { seeds: o.seeds, quick: o.quick, log, cache: new Map(), keep };
  const sections: Section[] = [];
  for (const [i, name] of o.experiments.entries()) {
    const c = CLAIMS[name];
    log.experiment(i, o.experiments.length, name, `${c.claim ? `claim ${c.claim}: ` : ''}${c.title}`);
    const s = await runExperiment(name, ctx);
    sections.push(s);
    process.stdout.write(`\n  ${s.tables[0].caption}:\n`);
    process.stdout.write(renderText(s.tables[0].columns).split('\n').map((l) => '  ' + l).join('\n') + '\n');
    process.stdout.write(`  → ${s.headline}  (${s.seconds.toFixed(1)} s)\n`);
  }
  const seconds = (Date.now() - t0) / 1000;
  const index = writeReport(o.out, sections, {
    seeds: o.seeds, quick: o.quick, finishedAt: new Date().toISOString(), seconds, machine,
    command: `npm start${argv.length ? ' -- ' + argv.join(' ') : ''}`,
  });
  // the README's picture: the decision boundaries without a penalty, with l2 and with l1, side by side
  const b = sections.find((s) => s.id === 'boundary');
  if (b) fs.writeFileSync(path.join(o.out, 'boundaries.svg'), `<?xml version="1.0" encoding="UTF-8"?>\n${sideBySide([b.figures[0].svg, b.figures[1].svg, b.figures[3].svg])}\n`);
  // Each variant's best model, in the TensorFlow.js layers format: load it again with
  // `await loadLayersModel(io.fileSystem('lab-report/models/<name>'))` from 'ridge/node'.
  for (const [key, { model }] of best) await model.save(nodeIo.fileSystem(path.join(o.out, 'models', key)));
  if (best.size) process.stdout.write(`\nSaved the best model of ${best.size} variants in ${path.join(o.out, 'models')}/ (model.json + weights.bin each)\n`);
  process.stdout.write(`\nReport: ${index}  (results.json, summary.md and the SVG plots beside it)\n`);
  process.stdout.write(`Total time ${seconds.toFixed(1)} s\n`);
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => { process.exitCode = code; },
  (err) => {
    process.stderr.write(`lab: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
    process.exitCode = 1;
  },
);
