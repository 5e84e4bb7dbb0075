/**
 * The bench's wasm-backend columns and targets (bench/report.ts), and the never-detach guarantee:
 * a full training run on the wasm backend, in a child Node process started with
 * --trace-protector-invalidation, must not invalidate V8's ArrayBufferDetaching protector (V8
 * prints "Invalidating protector cell ArrayBufferDetaching" at the first detach of any buffer in
 * the process — a transfer or a WebAssembly.Memory growth — and that first detach is what slows
 * every typed-array loop afterwards, DESIGN.md). A positive control detaches on purpose.
 */
import { execFileSync } from 'child_process';
import * as path from 'path';
import {
  checkWasmTargets, renderTable, renderTrainTable, renderWasmTargets, ResultRow, validateRow, wasmTargets,
} from '../bench/report';
import { kernelFactory } from '../bench/cases';
import { CONV_SHAPES, GEMM_SHAPES } from '../bench/shapes';

const ROOT = path.join(__dirname, '..');

function runChild(extra: string[]): string {
  return execFileSync(process.execPath,
    ['--trace-protector-invalidation', '-r', 'ts-node/register/transpile-only', path.join('spec', 'helpers', 'wasm-detach-run.ts'), ...extra],
    { cwd: ROOT, encoding: 'utf8', env: { ...process.env, TS_NODE_TRANSPILE_ONLY: '1' }, stdio: ['ignore', 'pipe', 'pipe'], timeout: 120000 });
}

describe('never detach: a full training run on the wasm backend', () => {
  test('fit + evaluate + predict + every kernel: no ArrayBufferDetaching protector invalidation, memory buffer unchanged', () => {
    const out = runChild([]);
    expect(out).toMatch(/trained: loss \d/);
    expect(out).toMatch(/memory buffer unchanged: true/);
    expect(out).not.toMatch(/ArrayBufferDetaching/);
  });
  test('positive control: the same run plus one transferred buffer does report the invalidation', () => {
    const out = runChild(['--detach']);
    expect(out).toMatch(/detached a buffer on purpose: byteLength now 0/);
    expect(out).toMatch(/Invalidating protector cell ArrayBufferDetaching/);
  });
});

describe('bench report: ridge-wasm', () => {
  const row = (shape: string, pass: ResultRow['pass'], impl: ResultRow['impl'], gflops: number | null, note?: string): ResultRow =>
    ({ shape, pass, impl, gflops, ...(note ? { note } : {}) });

  test("'ridge-wasm' is a valid impl", () => {
    expect(validateRow(row('gemm-512', 'matmul', 'ridge-wasm', 30))).toEqual([]);
  });
  test('renderTable adds ridge-wasm, w×js and w×wasm columns only when ridge-wasm rows exist', () => {
    const base = [row('gemm-512', 'matmul', 'ridge', 6), row('gemm-512', 'matmul', 'tfjs-wasm', 24)];
    expect(renderTable(base, { probeByShape: {} }).split('\n')[0]).not.toMatch(/ridge-wasm/);
    const lines = renderTable([...base, row('gemm-512', 'matmul', 'ridge-wasm', 30)], { probeByShape: {} }).split('\n');
    expect(lines[0]).toMatch(/ridge-wasm\s+w×js\s+w×wasm$/);
    // 30 / 6 = 5, 30 / 24 = 1.25
    expect(lines[2].split(/\s{2,}/).slice(-3)).toEqual(['30.0', '5.00×', '1.25×']);
  });
  test('renderTrainTable adds w×ridge and w×tfjs-layers for a ridge-wasm row', () => {
    const m = 'mnist-cnn (conv16, batch 32)';
    const lines = renderTrainTable([
      { model: m, impl: 'ridge', phase: 'train', samplesPerSec: 900 },
      { model: m, impl: 'tfjs-layers (tfjs-backend-cpu)', phase: 'train', samplesPerSec: 9 },
      { model: m, impl: 'ridge-wasm', phase: 'train', samplesPerSec: 2700 },
    ]).split('\n');
    expect(lines[0].split(/\s{2,}/)).toEqual(['model', 'phase', 'ridge', 'tfjs-layers', 'ridge-wasm', '×tfjs-layers', 'w×ridge', 'w×tfjs-layers']);
    // 900 / 9 = 100, 2700 / 900 = 3, 2700 / 9 = 300
    expect(lines[2].split(/\s{2,}/)).toEqual(['mnist-cnn', 'train', '900', '9.00', '2700', '100×', '3.00×', '300×']);
  });
  test('wasmTargets: GEMM and forward ≥ 1× tfjs-wasm, conv3d ≥ 10×, backprop ≥ 3× ridge; checked per measured row', () => {
    const t = wasmTargets();
    expect(t.map((x) => x.what)).toEqual(expect.arrayContaining([
      'gemm-1024 matmul ridge-wasm ≥ 1× tfjs-wasm', 'conv1d forward ridge-wasm ≥ 1× tfjs-wasm',
      'conv3d forward ridge-wasm ≥ 10× tfjs-wasm', 'mnist-conv1 backprop-filter ridge-wasm ≥ 3× ridge',
    ]));
    expect(t.length).toBe(2 + 6 + 1 + 7 * 2);
    const res = checkWasmTargets([
      row('gemm-512', 'matmul', 'ridge-wasm', 30), row('gemm-512', 'matmul', 'tfjs-wasm', 25),
      row('cifar-conv', 'backprop-input', 'ridge-wasm', 20), row('cifar-conv', 'backprop-input', 'ridge', 10),
      row('cifar-conv', 'forward', 'ridge-wasm', 20),
    ]);
    const by = (what: string) => res.find((r) => r.what === what)!;
    expect(by('gemm-512 matmul ridge-wasm ≥ 1× tfjs-wasm')).toMatchObject({ measured: 1.2, met: true });
    expect(by('cifar-conv backprop-input ridge-wasm ≥ 3× ridge')).toMatchObject({ measured: 2, met: false });
    expect(by('cifar-conv forward ridge-wasm ≥ 1× tfjs-wasm')).toMatchObject({ measured: null, met: null });
    expect(res.length).toBe(3);
    expect(renderWasmTargets(res)).toEqual([
      'Issue 9 (wasm backend) targets: met 1 of 3 (ratios of this run)',
      '  not measured: cifar-conv forward ridge-wasm ≥ 1× tfjs-wasm',
      '  missed: cifar-conv backprop-input ridge-wasm ≥ 3× ridge — measured 2.00×',
    ]);
  });
  test('the ridge-wasm bench cases compute what the JS kernels compute (gemm-128 and mnist-conv1 on small problems)', () => {
    const gemmShape = GEMM_SHAPES[0];
    const p = { kind: 'gemm' as const, m: 16, n: 24, k: 20 };
    const wasm = kernelFactory('ridge-wasm', gemmShape, 'matmul')(p), js = kernelFactory('ridge', gemmShape, 'matmul')(p);
    if (typeof wasm === 'string' || typeof js === 'string') throw new Error('no case');
    const a = wasm.result(), b = js.result();
    for (let i = 0; i < a.length; i++) expect(Math.abs(a[i] - b[i])).toBeLessThan(1e-4);
    const conv = CONV_SHAPES[0];
    const cp = { kind: 'conv' as const, batch: 1, spatial: [6, 6] };
    for (const pass of ['forward', 'backprop-input', 'backprop-filter'] as const) {
      const cw = kernelFactory('ridge-wasm', conv, pass)(cp), cj = kernelFactory('ridge', conv, pass)(cp);
      if (typeof cw === 'string' || typeof cj === 'string') throw new Error('no case');
      const x = cw.result(), y = cj.result();
      for (let i = 0; i < x.length; i++) expect(Math.abs(x[i] - y[i])).toBeLessThan(1e-4 * (1 + Math.abs(y[i])));
    }
  });
});
