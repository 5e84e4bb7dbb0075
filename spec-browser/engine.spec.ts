/**
 * Ridge in real Chromium: the built package (dist/esm as native ES modules, and an esbuild bundle) runs
 * tensor ops, a regularized conv net's lossBreakdown and a few epochs of fit in a page, in a module
 * Web Worker and in a classic worker (IIFE bundle), and every number equals Node's on the same seed and
 * the same build. fit's progress output in a browser is one line per epoch (verbose 1 and 2) or nothing
 * (verbose 0). No console errors anywhere. When the build has backends (setBackend/getBackend), every
 * backend runs too, compared with Node on the same backend.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import type { Page } from 'puppeteer-core';
import { Harness, outDir, root, startHarness } from './helpers/browser';

const nodeModule = path.join(root, 'dist', 'esm', 'lib', 'index.js');
const runner = path.join(root, 'spec-browser', 'fixtures', 'node-run.mjs');
// eslint-disable-next-line @typescript-eslint/no-var-requires
const built = require(path.join(root, 'dist', 'cjs', 'lib', 'index.js'));
const BACKENDS: string[] = typeof built.setBackend === 'function' ? ['default', 'js', 'wasm'] : ['default'];

type Result = Record<string, unknown> & { ms?: number; samplesPerSecond?: number; backend?: string };
interface WorkerReply { result: Result; console: { type: string; text: string }[] }

function node(name: string, args: Record<string, unknown> = {}): Result {
  const r = spawnSync(process.execPath, [runner, nodeModule, name, JSON.stringify(args)], { cwd: root, encoding: 'utf8', timeout: 120_000 });
  if (r.status !== 0) throw new Error(`node-run ${name} failed (${r.status}):\n${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').pop()!);
}

/**
 * The result without its timings, every number rounded to float32: what must be identical across
 * environments. Tensors are float32 already (rounding changes nothing); the losses are doubles summed
 * from Math.log/Math.exp, and V8's Math.log and Math.exp differ in the last bit between Node 20 and
 * Chromium 156 for about 1 argument in 10 (measured on 20,000 arguments: 0 differ once rounded to
 * float32). So a scalar loss may differ by one double ulp; nothing may differ at Ridge's precision.
 */
function numbers(r: Result): Result {
  const { ms, samplesPerSecond, msRuns, ...rest } = r;
  void ms; void samplesPerSecond; void msRuns;
  return f32(rest) as Result;
}
function f32(v: unknown): unknown {
  if (typeof v === 'number') return Math.fround(v);
  if (Array.isArray(v)) return v.map(f32);
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, f32(x)]));
  return v;
}

/**
 * The comparison: on the JS kernels, identical at float32 (`numbers`). On the WASM backend (when the
 * build has one) Chromium validates relaxed SIMD and fuses f32x4.relaxed_madd while Node 20 falls back
 * to mul + add, so float32 results differ by rounding: there every number must agree to `RTOL`
 * relative to its tensor's largest value (training amplifies rounding), and the backends must match.
 */
const RTOL = 1e-4;
const TIMING = ['ms', 'samplesPerSecond', 'msRuns'];
function expectSame(got: Result, want: Result): void {
  expect(got.backend).toBe(want.backend);
  if (got.backend === 'js' || got.backend === undefined) {
    expect(numbers(got)).toEqual(numbers(want));
    return;
  }
  const bad: string[] = [];
  // Relative to the scale of the tensor a number belongs to (the largest |value| of its array), since
  // training amplifies a rounding difference in a weight near 0 as much as in a large one.
  const walk = (g: unknown, w: unknown, at: string, scale = 0): void => {
    if (typeof w === 'number' && typeof g === 'number') {
      if (!(Math.abs(g - w) <= 1e-6 + RTOL * Math.max(scale, Math.abs(w)))) bad.push(`${at}: ${g} vs Node ${w}`);
    } else if (Array.isArray(w) && Array.isArray(g) && g.length === w.length) {
      const s = w.reduce((m: number, x) => (typeof x === 'number' ? Math.max(m, Math.abs(x)) : m), 0);
      w.forEach((x, i) => walk(g[i], x, `${at}[${i}]`, s));
    } else if (w && g && typeof w === 'object' && typeof g === 'object' && !Array.isArray(w)) {
      const keys = Object.keys(w).filter((k) => !TIMING.includes(k));
      expect(Object.keys(g).filter((k) => !TIMING.includes(k)).sort()).toEqual(keys.slice().sort());
      for (const k of keys) walk((g as Record<string, unknown>)[k], (w as Record<string, unknown>)[k], `${at}.${k}`);
    } else if (g !== w) bad.push(`${at}: ${JSON.stringify(g)} vs Node ${JSON.stringify(w)}`);
  };
  walk(got, want, '');
  expect(bad.slice(0, 10)).toEqual([]);
}

const SOURCES: [string, string][] = [['dist/esm', '/dist/esm/lib/index.js'], ['esbuild bundle', '/out/ridge.bundle.js']];

let h: Harness;
let page: Page;
const nodeCache = new Map<string, Result>();
function nodeOnce(name: string, args: Record<string, unknown>): Result {
  const key = name + JSON.stringify(args);
  if (!nodeCache.has(key)) nodeCache.set(key, node(name, args));
  return nodeCache.get(key)!;
}

const inPage = (url: string, name: string, args: Record<string, unknown>): Promise<Result> =>
  page.evaluate((u, n, a) => (window as unknown as { ridgeRun(u: string, n: string, a: unknown): Promise<Result> }).ridgeRun(u, n, a), url, name, args);
const inWorker = (url: string, name: string, args: Record<string, unknown>): Promise<WorkerReply> =>
  page.evaluate((u, n, a) => (window as unknown as { ridgeWorker(u: string, n: string, a: unknown): Promise<WorkerReply> }).ridgeWorker(u, n, a), url, name, args);
const inClassicWorker = (name: string, args: Record<string, unknown>): Promise<WorkerReply> =>
  page.evaluate((n, a) => (window as unknown as { ridgeClassicWorker(n: string, a: unknown): Promise<WorkerReply> }).ridgeClassicWorker(n, a), name, args);

beforeAll(async () => {
  h = await startHarness();
  page = await h.newPage('/fixtures/page.html');
}, 60_000);

afterAll(async () => {
  await h?.close();
});

describe.each(BACKENDS)('backend %s', (backend) => {
  const args = { backend };

  test.each(SOURCES)('tensor ops in the page (%s) equal Node\'s on the same seeds', async (_label, url) => {
    const want = nodeOnce('tensorOps', args);
    const got = await inPage(url, 'tensorOps', args);
    expect(got.small).toEqual([[1 * 5 + 2 * 7, 1 * 6 + 2 * 8], [3 * 5 + 4 * 7, 3 * 6 + 4 * 8]]);
    expectSame(got, want);
  });

  test('tensor ops in a module Web Worker (dist/esm) equal Node\'s', async () => {
    const got = await inWorker('/dist/esm/lib/index.js', 'tensorOps', args);
    expectSame(got.result, nodeOnce('tensorOps', args));
    expect(got.console).toEqual([]);
  });

  test.each(SOURCES)('regularized conv net: lossBreakdown, 3 epochs of fit, lossBreakdown in the page (%s) equal Node\'s', async (_label, url) => {
    const want = nodeOnce('convNet', args);
    const got = await inPage(url, 'convNet', args);
    // The breakdown is the real thing: one term per regularized hook, total = data + Σ penalties.
    const before = got.before as { total: number; data: number; penalties: { layer: string; target: string; value: number }[] };
    expect(before.penalties.map((p) => `${p.layer}/${p.target}`)).toEqual(['conv/kernel', 'conv/bias', 'hidden/kernel', 'hidden/activity', 'out/kernel', 'out/activity']);
    expect(before.total).toBeCloseTo(before.data + before.penalties.reduce((s, p) => s + p.value, 0), 6);
    expect((got.history as { loss: number[] }).loss).toHaveLength(3);
    expectSame(got, want);
  });

  test('regularized conv net in a module Web Worker (ES bundle) equals Node, silent with verbose 0', async () => {
    const got = await inWorker('/out/ridge.bundle.js', 'convNet', args);
    expectSame(got.result, nodeOnce('convNet', args));
    expect(got.console).toEqual([]);
  });
});

test('regularized conv net in a classic worker (IIFE bundle via importScripts) equals Node', async () => {
  const got = await inClassicWorker('convNet', {});
  expectSame(got.result, nodeOnce('convNet', { backend: 'default' }));
});

describe('fit progress without a TTY', () => {
  const epochLines = (texts: string[]) => texts.filter((t) => /^Epoch \d+\/4 16\/16 /.test(t));

  test.each([[undefined, 4], [1, 4], [2, 4], [0, 0]] as [number | undefined, number][])(
    'page, verbose %s: %i console lines, one per epoch, nothing else', async (verbose, lines) => {
      const from = h.console.length;
      const r = await inPage('/dist/esm/lib/index.js', 'progress', { verbose });
      expect(r).toEqual({ epochs: 4, batches: 16 });
      const texts = h.console.slice(from).map((e) => e.text);
      expect(texts).toHaveLength(lines);
      expect(epochLines(texts)).toHaveLength(lines);
      if (lines) expect(texts[3]).toMatch(/^Epoch 4\/4 16\/16 \d+\.\ds {2}loss \d\.\d{4} \(penalty \d+\.\d%\) {2}data_loss \d\.\d{4}$/);
    });

  test.each([[1, 4], [0, 0]] as [number, number][])('module worker, verbose %i: %i console lines', async (verbose, lines) => {
    const got = await inWorker('/dist/esm/lib/index.js', 'progress', { verbose });
    const texts = got.console.map((e) => e.text);
    expect(texts).toHaveLength(lines);
    expect(epochLines(texts)).toHaveLength(lines);
  });
});

// Each backend by name when the build has backends (the page's module has had setBackend called by
// now, so 'default' would not mean the default any more); else the one there is.
const TIMED: string[] = BACKENDS.length > 1 ? BACKENDS.filter((b) => b !== 'default') : ['default'];

test('timings on the same workload (Node, page, worker; each warm in one context), in test-output/browser/timings.json', async () => {
  const report: Record<string, unknown> = {
    workload: 'convNet(n=1024 → 768 training samples, epochs=4, filters=8, batchSize=32): fit only; 6 runs in one context (ms of each); samples/s of the fastest and the median warm run',
    chromium: await h.browser.version(),
    node: process.version,
    defaultBackend: typeof built.getBackend === 'function' ? built.getBackend() : 'js (no backends in this build)',
  };
  for (const backend of TIMED) {
    const args = { backend, n: 1024, epochs: 4, filters: 8, batchSize: 32, repeat: 6 };
    const runs: Record<string, Result> = {
      node: node('timedConvNet', args),
      page: await inPage('/dist/esm/lib/index.js', 'timedConvNet', args),
      worker: (await inWorker('/dist/esm/lib/index.js', 'timedConvNet', args)).result,
    };
    expectSame(runs.page, runs.node);
    expectSame(runs.worker, runs.node);
    report[backend] = {
      msRuns: Object.fromEntries(Object.entries(runs).map(([k, r]) => [k, (r.msRuns as number[]).map((x) => Math.round(x))])),
      samplesPerSecondBest: Object.fromEntries(Object.entries(runs).map(([k, r]) => [k, Math.round((4 * 768) / (r.ms! / 1000))])),
      // the median of the warm runs (all but the first): steadier than the best on a shared machine
      samplesPerSecondMedianWarm: Object.fromEntries(Object.entries(runs).map(([k, r]) => {
        const warm = (r.msRuns as number[]).slice(1).sort((a, b) => a - b);
        return [k, Math.round((4 * 768) / (warm[Math.floor(warm.length / 2)] / 1000))];
      })),
    };
  }
  fs.mkdirSync(outDir, { recursive: true });
  fs.writeFileSync(path.join(outDir, 'timings.json'), JSON.stringify(report, null, 2) + '\n');
});

test('no console errors or warnings, no page errors, no failed requests', () => {
  expect(h.errors()).toEqual([]);
});
