/**
 * The benchmark suite's pure helpers (bench/): FLOP counts of DESIGN.md's shapes, reduced-problem
 * ladders, argument parsing, row validation and table formatting — plus a check that every
 * implementation's benchmark case computes the same thing (Ridge, reference, tfjs-cpu agree on
 * small problems), so the table compares like with like. Nothing here is timed.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { parseArgs, trainSelected, DEFAULT_OUT } from '../bench/args';
import { kernelFactory, ridgeConvWorkspaceBytes } from '../bench/cases';
import { Case, chooseCase, median, timedRow } from '../bench/measure';
import { tfjsFactory, tfjsKernelName } from '../bench/peers/tfjs-cases';
import { PROBE_FLOPS_PER_ITERATION, probeMultiplyAdd } from '../bench/probe';
import {
  checkTargets, formatBytes, formatGflops, formatRatio, issueTargets, ratio, reducedFootnotes, renderTable,
  renderTargets, renderTrainTable, ResultRow, TargetResult, trainFootnotes, validateRow, validateTrainRow,
} from '../bench/report';
import {
  ALL_SHAPES, candidateProblems, chooseProblem, CONV_PASSES, ConvShape, convTensorShapes, fullProblem,
  geometryOf, isReduced, Pass, problemFlops, QUICK_SHAPE_NAMES, selectShapes, Shape,
} from '../bench/shapes';

const shapeNamed = (name: string): Shape => {
  const s = ALL_SHAPES.find((x) => x.name === name);
  if (s === undefined) throw new Error(`no shape ${name}`);
  return s;
};
const fullFlops = (name: string): number => problemFlops(shapeNamed(name), fullProblem(shapeNamed(name)));

describe('bench shapes: FLOPs = 2·(output elements)·(kernel spatial)·(in channels), GEMM 2·M·N·K', () => {
  test.each([
    ['mnist-conv1 x=[32,28,28,1] k=3x3 out=32 same', 'mnist-conv1', 2 * (32 * 28 * 28 * 32) * (3 * 3) * 1],
    ['cifar-conv x=[16,32,32,32] k=3x3 out=64 same', 'cifar-conv', 2 * (16 * 32 * 32 * 64) * (3 * 3) * 32],
    ['resnet-conv x=[8,56,56,64] k=3x3 out=64 same', 'resnet-conv', 2 * (8 * 56 * 56 * 64) * (3 * 3) * 64],
    ['pointwise x=[8,56,56,64] k=1x1 out=64', 'pointwise', 2 * (8 * 56 * 56 * 64) * 1 * 64],
    ['strided x=[16,32,32,32] k=3x3 out=64 s=2 same (out 16x16)', 'strided', 2 * (16 * 16 * 16 * 64) * (3 * 3) * 32],
    ['conv1d x=[32,256,64] k=3 out=64 same', 'conv1d', 2 * (32 * 256 * 64) * 3 * 64],
    ['conv3d x=[4,16,16,16,16] k=3x3x3 out=32 same', 'conv3d', 2 * (4 * 16 * 16 * 16 * 32) * 27 * 16],
    ['gemm M=N=K=128', 'gemm-128', 2 * 128 * 128 * 128],
    ['gemm M=N=K=256', 'gemm-256', 2 * 256 * 256 * 256],
    ['gemm M=N=K=512', 'gemm-512', 2 * 512 * 512 * 512],
    ['gemm M=N=K=1024', 'gemm-1024', 2 * 1024 * 1024 * 1024],
  ])('%s', (_label, name, expected) => {
    expect(fullFlops(name)).toBe(expected);
  });

  test('DESIGN.md table: 4 GEMM sizes and 7 conv shapes, each conv with 3 passes', () => {
    expect(ALL_SHAPES.map((s) => s.name)).toEqual([
      'gemm-128', 'gemm-256', 'gemm-512', 'gemm-1024',
      'mnist-conv1', 'cifar-conv', 'resnet-conv', 'pointwise', 'strided', 'conv1d', 'conv3d',
    ]);
    expect(CONV_PASSES).toEqual(['forward', 'backprop-input', 'backprop-filter']);
  });

  test('tensor shapes of strided x=[16,32,32,32] k=3x3x32x64 s=2 same', () => {
    const s = shapeNamed('strided') as ConvShape;
    expect(convTensorShapes(s, { kind: 'conv', batch: 16, spatial: [32, 32] }))
      .toEqual({ x: [16, 32, 32, 32], w: [3, 3, 32, 64], y: [16, 16, 16, 64] });
  });
});

describe('bench reduced problems', () => {
  test('gemm-1024 ladder halves M down to 8, keeps N and K', () => {
    const c = candidateProblems(shapeNamed('gemm-1024'));
    expect(c.map((p) => (p.kind === 'gemm' ? p.m : -1))).toEqual([1024, 512, 256, 128, 64, 32, 16, 8]);
    expect(c.every((p) => p.kind === 'gemm' && p.n === 1024 && p.k === 1024)).toBe(true);
  });

  test('resnet-conv ladder: batch 8, 4, 2, 1, then batch 1 at 28x28, 14x14, 7x7, 4x4', () => {
    const c = candidateProblems(shapeNamed('resnet-conv'));
    expect(c.map((p) => (p.kind === 'conv' ? `${p.batch}:${p.spatial.join('x')}` : '?')))
      .toEqual(['8:56x56', '4:56x56', '2:56x56', '1:56x56', '1:28x28', '1:14x14', '1:7x7', '1:4x4']);
  });

  test('every ladder starts at the full shape and strictly decreases in FLOPs', () => {
    for (const s of ALL_SHAPES) {
      const c = candidateProblems(s);
      expect(isReduced(s, c[0])).toBe(false);
      for (let i = 1; i < c.length; i++) {
        expect(isReduced(s, c[i])).toBe(true);
        expect(problemFlops(s, c[i])).toBeLessThan(problemFlops(s, c[i - 1]));
      }
    }
  });

  test('conv ladders never shrink a spatial size below max(kernel, 4)', () => {
    for (const s of ALL_SHAPES) {
      if (s.kind !== 'conv') continue;
      for (const p of candidateProblems(s)) {
        if (p.kind === 'conv') p.spatial.forEach((v, i) => expect(v).toBeGreaterThanOrEqual(Math.max(s.kernel[i], 4)));
      }
    }
  });

  test('chooseProblem picks the largest candidate within the budget', () => {
    const s = shapeNamed('gemm-512');
    const full = 2 * 512 * 512 * 512;
    expect(chooseProblem(s, full / 0.5, 1)).toEqual({ kind: 'gemm', m: 512, n: 512, k: 512 });
    // rate = full FLOPs per 3 s: M=256 takes 1.5 s, M=128 takes 0.75 s → 128 within 1 s.
    expect(chooseProblem(s, full / 3, 1)).toEqual({ kind: 'gemm', m: 128, n: 512, k: 512 });
    expect(chooseProblem(s, 1, 1)).toEqual({ kind: 'gemm', m: 8, n: 512, k: 512 });
  });

  test('chooseCase climbs to the full problem for a near-free case and passes n/a through', () => {
    const s = shapeNamed('cifar-conv');
    const noop: Case = { run: () => undefined, result: () => new Float32Array(0), dispose: () => undefined };
    const chosen = chooseCase(s, () => noop, 10);
    expect(typeof chosen).toBe('object');
    if (typeof chosen === 'object') expect(chosen.problem).toEqual(fullProblem(s));
    expect(chooseCase(s, () => 'n/a: no kernel', 10)).toBe('n/a: no kernel');
  });

  test('timedRow: GFLOP/s of the problem timed, per CPU second, reduced flag; an error string becomes a note', () => {
    const s = shapeNamed('gemm-512');
    const p = { kind: 'gemm' as const, m: 128, n: 512, k: 512 };
    const r = timedRow(s, 'matmul', 'reference', p, { seconds: 0.5, rme: 2, samples: 4, min: 0.4, cpuShare: 0.5 });
    expect(r.gflops).toBeCloseTo((2 * 128 * 512 * 512) / 0.5 / 1e9, 12);
    expect(r.gflopsPerCpuSecond).toBeCloseTo((2 * 128 * 512 * 512) / 0.5 / 1e9 / 0.5, 12);
    expect([r.ms, r.minMs, r.reduced, r.problem]).toEqual([500, 400, true, 'M=128, N=512, K=512']);
    expect(validateRow(r)).toEqual([]);
    const e = timedRow(s, 'matmul', 'ridge', p, 'error: boom');
    expect([e.gflops, e.note]).toEqual([null, 'error: boom']);
  });

  test('median of odd and even samples', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe((2 + 3) / 2);
  });
});

describe('bench selection and arguments', () => {
  test('--quick runs the quick subset; --filter keeps names containing the substring', () => {
    expect(selectShapes(true, null).map((s) => s.name)).toEqual([...QUICK_SHAPE_NAMES]);
    expect(selectShapes(false, 'gemm').map((s) => s.name)).toEqual(['gemm-128', 'gemm-256', 'gemm-512', 'gemm-1024']);
    expect(selectShapes(true, 'conv3').map((s) => s.name)).toEqual(['conv3d']);
    expect(selectShapes(false, 'nothing-matches')).toEqual([]);
  });

  test('parseArgs reads --quick --filter x --no-wasm --no-train --out f', () => {
    expect(parseArgs([])).toEqual({ quick: false, filter: null, wasm: true, train: true, out: DEFAULT_OUT });
    expect(parseArgs(['--quick', '--filter', 'gemm', '--no-wasm', '--no-train', '--out', 'x.json']))
      .toEqual({ quick: true, filter: 'gemm', wasm: false, train: false, out: 'x.json' });
    expect(parseArgs(['--filter=conv1d']).filter).toBe('conv1d');
  });

  test('throws when an argument is unknown or --filter has no value', () => {
    expect(() => parseArgs(['--fast'])).toThrow(/unknown argument --fast/);
    expect(() => parseArgs(['--filter'])).toThrow(/--filter needs a value/);
    expect(() => parseArgs(['--filter', '--quick'])).toThrow(/--filter needs a value/);
  });

  test('the training benchmark runs without a filter or with --filter train', () => {
    expect(trainSelected(parseArgs([]))).toBe(true);
    expect(trainSelected(parseArgs(['--filter', 'train']))).toBe(true);
    expect(trainSelected(parseArgs(['--filter', 'gemm']))).toBe(false);
    expect(trainSelected(parseArgs(['--no-train']))).toBe(false);
  });
});

describe('bench probe', () => {
  test('12 chains acc = acc*s + t: 24 FLOPs per iteration, converging to t/(1-s) = 1', () => {
    expect(PROBE_FLOPS_PER_ITERATION).toBe(12 * 2);
    const s = 0.9999999, t = 1e-7;
    let expected = 0;
    for (const a0 of [0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0, 1.1]) {
      let a = a0;
      for (let i = 0; i < 1000; i++) a = a * s + t;
      expected += a;
    }
    expect(probeMultiplyAdd(1000)).toBe(expected);
  });
});

describe('bench rows and tables', () => {
  const row = (impl: ResultRow['impl'], gflops: number | null, extra: Partial<ResultRow> = {}): ResultRow =>
    ({ shape: 'gemm-512', pass: 'matmul', impl, gflops, ...extra });

  test('validateRow accepts a measured row and an n/a row with a note', () => {
    expect(validateRow(row('ridge', 6.5, { ms: 41.3, samples: 9 }))).toEqual([]);
    expect(validateRow(row('tfjs-wasm', null, { note: 'n/a: no kernel' }))).toEqual([]);
  });

  test('validateRow reports a bad impl, pass, gflops, missing note, bad workspace', () => {
    expect(validateRow({ ...row('ridge', 1), impl: 'numpy' }).join()).toMatch(/impl: expected one of/);
    expect(validateRow({ ...row('ridge', 1), pass: 'sideways' }).join()).toMatch(/pass: expected one of/);
    expect(validateRow(row('ridge', Number.NaN)).join()).toMatch(/gflops: expected a positive finite number/);
    expect(validateRow(row('ridge', -2)).join()).toMatch(/gflops/);
    expect(validateRow(row('tfjs-wasm', null)).join()).toMatch(/note: a row without gflops must say why/);
    expect(validateRow(row('ridge', 1, { workspaceBytes: 1.5 })).join()).toMatch(/workspaceBytes/);
    expect(validateRow(null)).toEqual(['row: expected an object']);
  });

  test('validateTrainRow checks phase and samplesPerSec', () => {
    expect(validateTrainRow({ model: 'mnist-cnn', impl: 'ridge', phase: 'train', samplesPerSec: 812 })).toEqual([]);
    expect(validateTrainRow({ model: 'm', impl: 'ridge', phase: 'fit', samplesPerSec: 1 }).join()).toMatch(/phase/);
    expect(validateTrainRow({ model: 'm', impl: 'ridge', phase: 'train', samplesPerSec: 0 }).join()).toMatch(/samplesPerSec/);
  });

  test('number formats: GFLOP/s to 3 significant digits, ratios with ×, bytes in KiB/MiB', () => {
    expect([formatGflops(0.0192), formatGflops(0.35), formatGflops(6.789), formatGflops(44.44), formatGflops(123.4)])
      .toEqual(['0.019', '0.350', '6.79', '44.4', '123']);
    expect(formatGflops(0.0042)).toBe('0.0042');
    expect([formatRatio(5.123), formatRatio(12.34), formatRatio(412.6), formatRatio(null)]).toEqual(['5.12×', '12.3×', '413×', '—']);
    expect([formatBytes(0), formatBytes(1536), formatBytes(3 * 1024 * 1024)]).toEqual(['0 B', '1.5 KiB', '3.00 MiB']);
    expect(ratio(6, 1.5)).toBe(4);
    expect(ratio(6, null)).toBeNull();
  });

  test('renderTable: ratios to each peer, n/a note, * for reduced, % of probe for gemm-512', () => {
    const rows: ResultRow[] = [
      row('ridge', 7.5),
      row('reference', 0.3, { reduced: true, problem: 'M=64, N=512, K=512' }),
      row('tfjs-cpu', 1.5),
      row('tfjs-wasm', 15),
      { shape: 'cifar-conv', pass: 'backprop-filter', impl: 'ridge', gflops: 5, workspaceBytes: 2 * 1024 * 1024 },
      { shape: 'cifar-conv', pass: 'backprop-filter', impl: 'tfjs-cpu', gflops: 0.02 },
      { shape: 'cifar-conv', pass: 'backprop-filter', impl: 'tfjs-wasm', gflops: null, note: 'n/a: no kernel' },
    ];
    const text = renderTable(rows, { probeByShape: { 'gemm-512': 10 } });
    const lines = text.split('\n');
    expect(lines[0]).toMatch(/^shape\s+pass\s+ridge\s+reference\s+tfjs-cpu\s+tfjs-wasm†\s+×ref\s+×cpu\s+×wasm\s+workspace\s+% probe$/);
    const gemm = lines.find((l) => l.startsWith('gemm-512'))!.split(/\s{2,}/);
    // ridge 7.5 / reference 0.3 = 25, / tfjs-cpu 1.5 = 5, / tfjs-wasm 15 = 0.5; 7.5 / probe 10 = 75 %.
    expect(gemm).toEqual(['gemm-512', 'matmul', '7.50', '0.300*', '1.50', '15.0', '25.0×', '5.00×', '0.50×', '75%']);
    const conv = lines.find((l) => l.startsWith('cifar-conv'))!.split(/\s{2,}/);
    // 5 / 0.02 = 250; the reference was not run ('-').
    expect(conv).toEqual(['cifar-conv', 'backprop-filter', '5.00', '-', '0.020', 'n/a: no kernel', '—', '250×', '—', '2.00 MiB']);
    expect(reducedFootnotes(rows)).toEqual(['  reference gemm-512 matmul: M=64, N=512, K=512']);
  });

  test('renderTrainTable: samples/s per impl and Ridge over tfjs-layers, long names shortened', () => {
    const rows = [
      { model: 'mnist-cnn (conv16-pool, batch 32)', impl: 'ridge', phase: 'train' as const, samplesPerSec: 900 },
      { model: 'mnist-cnn (conv16-pool, batch 32)', impl: 'tfjs-layers (tfjs-backend-cpu)', phase: 'train' as const, samplesPerSec: 300 },
    ];
    const lines = renderTrainTable(rows).split('\n');
    expect(lines[0].split(/\s{2,}/)).toEqual(['model', 'phase', 'ridge', 'tfjs-layers', '×tfjs-layers']);
    // 900 / 300 = 3
    expect(lines[2].split(/\s{2,}/)).toEqual(['mnist-cnn', 'train', '900', '300', '3.00×']);
    expect(trainFootnotes(rows)).toEqual([
      '  mnist-cnn: mnist-cnn (conv16-pool, batch 32)',
      '  tfjs-layers: tfjs-layers (tfjs-backend-cpu)',
    ]);
  });
});

describe('bench targets (issue 3)', () => {
  test('issueTargets: GEMM 512/1024 ≥ 5× tfjs-cpu and ≥ 70% probe; backprop-filter ≥ 250×; every pass ≥ 3× reference', () => {
    const t = issueTargets();
    const has = (what: string): boolean => t.some((x) => x.what === what);
    expect(has('gemm-512 matmul ≥ 5× tfjs-cpu')).toBe(true);
    expect(has('gemm-1024 matmul ≥ 70% of probe')).toBe(true);
    expect(has('mnist-conv1 forward ≥ 3× tfjs-cpu')).toBe(true);
    expect(has('conv3d forward ≥ 4× tfjs-cpu')).toBe(true);
    expect(has('strided backprop-input ≥ 2.8× tfjs-cpu')).toBe(true);
    expect(has('conv1d backprop-input ≥ 2.8× tfjs-cpu')).toBe(false); // 2D shapes only
    expect(has('resnet-conv backprop-filter ≥ 250× tfjs-cpu')).toBe(true);
    expect(has('conv3d backprop-filter ≥ 250× tfjs-cpu')).toBe(false); // 2D shapes only
    // 2 GEMM × 2 + 7 forward + 5 backprop-input + 5 backprop-filter + (4 GEMM + 7 × 3) vs reference
    expect(t.length).toBe(4 + 7 + 5 + 5 + 4 + 21);
  });

  test('checkTargets: met, missed by ratio, unmeasured peer; shapes not run are left out', () => {
    const rows: ResultRow[] = [
      { shape: 'gemm-512', pass: 'matmul', impl: 'ridge', gflops: 7 },
      { shape: 'gemm-512', pass: 'matmul', impl: 'tfjs-cpu', gflops: 1 },
      { shape: 'gemm-512', pass: 'matmul', impl: 'reference', gflops: null, note: 'error: x' },
    ];
    const r = checkTargets(rows, { 'gemm-512': 10 });
    const by = (what: string): TargetResult => r.find((x) => x.what === what)!;
    expect(r.length).toBe(3);
    expect([by('gemm-512 matmul ≥ 5× tfjs-cpu').measured, by('gemm-512 matmul ≥ 5× tfjs-cpu').met]).toEqual([7, true]);
    // 7 / 10 = 0.7 → exactly the 70% target
    expect(by('gemm-512 matmul ≥ 70% of probe').met).toBe(true);
    expect(by('gemm-512 matmul ≥ 3× reference').met).toBeNull();
    const text = renderTargets(r);
    expect(text[0]).toBe('Issue 3 targets: met 2 of 3 (ratios of this run)');
    expect(text[1]).toBe('  not measured: gemm-512 matmul ≥ 3× reference');
    const missed = renderTargets(checkTargets([rows[0], { ...rows[1], gflops: 2 }], { 'gemm-512': 10 }));
    // 7 / 2 = 3.5 < 5
    expect(missed).toContain('  missed: gemm-512 matmul ≥ 5× tfjs-cpu — measured 3.50×');
  });
});

describe('bench cases: Ridge, reference and tfjs-cpu compute the same thing', () => {
  beforeAll(async () => {
    tf.env().set('PROD', true);
    await tf.setBackend('cpu');
  });

  const small: ConvShape[] = [
    { kind: 'conv', name: 'c1 x=[2,9,3] k=3 out=4 s=2 same', rank: 1, batch: 2, spatial: [9], inC: 3, kernel: [3], outC: 4, strides: [2], padding: 'same', note: '' },
    { kind: 'conv', name: 'c2 x=[2,7,6,3] k=3x2 out=5 s=2 same', rank: 2, batch: 2, spatial: [7, 6], inC: 3, kernel: [3, 2], outC: 5, strides: [2, 2], padding: 'same', note: '' },
    { kind: 'conv', name: 'c3 x=[1,5,4,6,2] k=3x3x3 out=3 s=1 same', rank: 3, batch: 1, spatial: [5, 4, 6], inC: 2, kernel: [3, 3, 3], outC: 3, strides: [1, 1, 1], padding: 'same', note: '' },
  ];
  const cases: [string, Shape, Pass][] = [
    ['gemm M=N=K=13', { kind: 'gemm', name: 'g13', m: 13, n: 13, k: 13, note: '' }, 'matmul'],
    ...small.flatMap((s) => CONV_PASSES.map((p): [string, Shape, Pass] => [`${s.name} ${p}`, s, p])),
  ];

  test.each(cases)('%s', (_label, shape, pass) => {
    const p = fullProblem(shape);
    const outputs = [
      kernelFactory('ridge', shape, pass)(p),
      kernelFactory('reference', shape, pass)(p),
      tfjsFactory(tf, 'cpu', shape, pass)(p),
    ].map((c) => {
      if (typeof c === 'string') throw new Error(c);
      const v = c.result();
      c.dispose();
      return v;
    });
    const [ridge, reference, tfjsCpu] = outputs;
    expect(ridge.length).toBeGreaterThan(0);
    expect(tfjsCpu.length).toBe(reference.length);
    for (let i = 0; i < reference.length; i++) {
      const tol = 1e-4 * Math.max(1, Math.abs(reference[i]));
      if (Math.abs(ridge[i] - reference[i]) > tol || Math.abs(tfjsCpu[i] - reference[i]) > tol) {
        throw new Error(`${_label}: index ${i}: ridge ${ridge[i]}, tfjs-cpu ${tfjsCpu[i]}, reference ${reference[i]}`);
      }
    }
  });

  test('tfjs kernel names: conv1d runs as Conv2D, conv3d through the V2 gradient kernels', () => {
    expect(tfjsKernelName(small[0], 'backprop-filter')).toBe('Conv2DBackpropFilter');
    expect(tfjsKernelName(small[2], 'backprop-input')).toBe('Conv3DBackpropInputV2');
    expect(tfjsKernelName(shapeNamed('gemm-128'), 'matmul')).toBe('BatchMatMul');
  });

  test('a backend without the kernel gives n/a: no kernel', () => {
    expect(tfjsFactory(tf, 'no-such-backend', small[1], 'backprop-filter')(fullProblem(small[1]))).toBe('n/a: no kernel');
  });

  test('workspace of a Ridge conv call is a non-negative integer, independent of the batch', () => {
    const s = shapeNamed('cifar-conv') as ConvShape;
    for (const pass of CONV_PASSES) {
      const full = ridgeConvWorkspaceBytes(s, pass);
      expect(Number.isInteger(full) && full >= 0).toBe(true);
      expect(ridgeConvWorkspaceBytes(s, pass, { kind: 'conv', batch: 1, spatial: [32, 32] })).toBeLessThanOrEqual(full);
    }
    expect(geometryOf(s).outH).toBe(32);
  });
});
