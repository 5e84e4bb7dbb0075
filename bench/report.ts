/**
 * Result rows, their validation, and the printed tables. Pure (no timing, no I/O), so
 * spec/bench.spec.ts can test it.
 */
import { Impl, IMPLS, Pass } from './shapes';

export interface ResultRow {
  shape: string;
  pass: Pass;
  impl: Impl;
  /** GFLOP/s of the problem measured; null when the implementation could not run it. */
  gflops: number | null;
  /** Median seconds per call ×1000. */
  ms?: number;
  /** Fastest sample, ms per call. */
  minMs?: number;
  /** CPU time of the process / wall time while this was timed (shared machine: < 1 means contention). */
  cpuShare?: number;
  /** gflops / cpuShare: the rate per second of CPU actually received (corrects for preemption only). */
  gflopsPerCpuSecond?: number;
  samples?: number;
  /** benchmark.js relative margin of error of the mean, %. */
  rme?: number;
  /** The problem timed, e.g. 'batch 1, 14×14'. */
  problem?: string;
  /** True when the problem timed is smaller than the named shape (see bench/README.md). */
  reduced?: boolean;
  /** Why gflops is null ('n/a: no kernel'), or a remark. */
  note?: string;
  /** Ridge conv rows: peak temporary memory of one call (kernels/conv.ts convWorkspaceBytes). */
  workspaceBytes?: number;
}

export interface TrainRow {
  model: string;
  impl: string;
  phase: 'train' | 'inference';
  samplesPerSec: number;
}

const PASSES: readonly string[] = ['matmul', 'forward', 'backprop-input', 'backprop-filter'];

/** Problems with a row, as messages; [] when the row is well formed. */
export function validateRow(r: unknown): string[] {
  if (typeof r !== 'object' || r === null) return ['row: expected an object'];
  const row = r as Record<string, unknown>;
  const errs: string[] = [];
  if (typeof row.shape !== 'string' || row.shape === '') errs.push('shape: expected a non-empty string');
  if (typeof row.pass !== 'string' || !PASSES.includes(row.pass)) errs.push(`pass: expected one of ${PASSES.join(', ')}, got ${String(row.pass)}`);
  if (typeof row.impl !== 'string' || !(IMPLS as readonly string[]).includes(row.impl)) {
    errs.push(`impl: expected one of ${IMPLS.join(', ')}, got ${String(row.impl)}`);
  }
  if (row.gflops === null) {
    if (typeof row.note !== 'string' || row.note === '') errs.push('note: a row without gflops must say why');
  } else if (typeof row.gflops !== 'number' || !Number.isFinite(row.gflops) || row.gflops <= 0) {
    errs.push(`gflops: expected a positive finite number or null, got ${String(row.gflops)}`);
  }
  if (row.workspaceBytes !== undefined &&
      (typeof row.workspaceBytes !== 'number' || !Number.isInteger(row.workspaceBytes) || row.workspaceBytes < 0)) {
    errs.push(`workspaceBytes: expected a non-negative integer, got ${String(row.workspaceBytes)}`);
  }
  return errs;
}

export function validateTrainRow(r: unknown): string[] {
  if (typeof r !== 'object' || r === null) return ['train row: expected an object'];
  const row = r as Record<string, unknown>;
  const errs: string[] = [];
  if (typeof row.model !== 'string' || row.model === '') errs.push('model: expected a non-empty string');
  if (typeof row.impl !== 'string' || row.impl === '') errs.push('impl: expected a non-empty string');
  if (row.phase !== 'train' && row.phase !== 'inference') errs.push(`phase: expected train or inference, got ${String(row.phase)}`);
  if (typeof row.samplesPerSec !== 'number' || !Number.isFinite(row.samplesPerSec) || row.samplesPerSec <= 0) {
    errs.push(`samplesPerSec: expected a positive finite number, got ${String(row.samplesPerSec)}`);
  }
  return errs;
}

/** a / b, or null when either is missing. */
export function ratio(a: number | null | undefined, b: number | null | undefined): number | null {
  if (a === null || a === undefined || b === null || b === undefined || b === 0) return null;
  return a / b;
}

/** Three significant digits, at most two decimals: 0.0192, 1.23, 12.3, 123. */
export function formatGflops(g: number): string {
  if (g >= 100) return g.toFixed(0);
  if (g >= 10) return g.toFixed(1);
  if (g >= 1) return g.toFixed(2);
  if (g >= 0.01) return g.toFixed(3);
  return g.toPrecision(2);
}

/** '5.1×', '0.39×', '412×'. */
export function formatRatio(r: number | null): string {
  if (r === null) return '—';
  if (r >= 100) return `${r.toFixed(0)}×`;
  if (r >= 10) return `${r.toFixed(1)}×`;
  return `${r.toFixed(2)}×`;
}

/** '0 B', '12.0 KiB', '1.50 MiB'. */
export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / (1024 * 1024)).toFixed(2)} MiB`;
}

function pad(s: string, w: number, right: boolean): string {
  return right ? s.padStart(w) : s.padEnd(w);
}

/** Fixed-width text table; `right[i]` right-aligns column i. */
export function renderGrid(header: string[], body: string[][], right: boolean[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((r) => r[i].length)));
  const line = (cells: string[]): string => cells.map((c, i) => pad(c, widths[i], right[i])).join('  ').trimEnd();
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...body.map(line)].join('\n');
}

export interface TableContext {
  /**
   * GFLOP/s of the register-only probe, measured in the same benchmark.js suite as the shape,
   * for the shapes whose Ridge GFLOP/s is reported as a percentage of it (GEMM 512 and 1024).
   */
  probeByShape: Readonly<Record<string, number>>;
}

function cell(row: ResultRow | undefined): string {
  if (row === undefined) return '-';
  if (row.gflops === null) return row.note ?? 'n/a';
  return formatGflops(row.gflops) + (row.reduced ? '*' : '');
}

/**
 * One line per shape and pass: GFLOP/s of each implementation, Ridge's ratio to each peer, the
 * workspace of Ridge's conv call, and (GEMM 512/1024) Ridge as a percentage of the probe.
 * '*' marks a reduced problem; '-' an implementation not run.
 */
export function renderTable(rows: readonly ResultRow[], ctx: TableContext): string {
  const keys: string[] = [];
  const byKey = new Map<string, Map<Impl, ResultRow>>();
  for (const r of rows) {
    const key = `${r.shape}\u0000${r.pass}`;
    if (!byKey.has(key)) { byKey.set(key, new Map()); keys.push(key); }
    byKey.get(key)!.set(r.impl, r);
  }
  // The wasm backend's columns appear when its rows do: its GFLOP/s, its ratio to Ridge's JS
  // kernels (w×js) and to tfjs-backend-wasm (w×wasm).
  const withWasm = rows.some((r) => r.impl === 'ridge-wasm');
  const header = ['shape', 'pass', 'ridge', 'reference', 'tfjs-cpu', 'tfjs-wasm†',
    '×ref', '×cpu', '×wasm', 'workspace', '% probe', ...(withWasm ? ['ridge-wasm', 'w×js', 'w×wasm'] : [])];
  const body = keys.map((key) => {
    const [shape, pass] = key.split('\u0000');
    const m = byKey.get(key)!;
    const ridge = m.get('ridge');
    const rg = ridge?.gflops ?? null;
    const probe = ctx.probeByShape[shape];
    const pct = probe !== undefined && rg !== null ? `${((100 * rg) / probe).toFixed(0)}%` : '';
    const rw = m.get('ridge-wasm');
    const wasmCells = withWasm
      ? [cell(rw), formatRatio(ratio(rw?.gflops, rg)), formatRatio(ratio(rw?.gflops, m.get('tfjs-wasm')?.gflops))]
      : [];
    return [
      shape, pass, cell(ridge), cell(m.get('reference')), cell(m.get('tfjs-cpu')), cell(m.get('tfjs-wasm')),
      formatRatio(ratio(rg, m.get('reference')?.gflops)),
      formatRatio(ratio(rg, m.get('tfjs-cpu')?.gflops)),
      formatRatio(ratio(rg, m.get('tfjs-wasm')?.gflops)),
      ridge?.workspaceBytes === undefined ? '' : formatBytes(ridge.workspaceBytes),
      pct,
      ...wasmCells,
    ];
  });
  return renderGrid(header, body, header.map((_, i) => i >= 2));
}

/** Footnote lines for the reduced problems: 'reference  gemm-1024 matmul: M=128, N=1024, K=1024'. */
export function reducedFootnotes(rows: readonly ResultRow[]): string[] {
  return rows.filter((r) => r.reduced).map((r) => `  ${r.impl.padEnd(9)} ${r.shape} ${r.pass}: ${r.problem ?? '?'}`);
}

/** 'mnist-cnn (conv16-pool-…)' → 'mnist-cnn': the part before a parenthesised description. */
export function shortName(s: string): string {
  const i = s.indexOf(' (');
  return i > 0 ? s.slice(0, i) : s;
}

/**
 * Training throughput in samples/s: one line per model and phase, one column per implementation,
 * and Ridge's ratio to the tfjs-layers column. Long descriptions in parentheses are shortened in
 * the table; `trainFootnotes` lists them.
 */
export function renderTrainTable(rows: readonly TrainRow[]): string {
  const impls = [...new Set(rows.map((r) => r.impl))];
  const keys: string[] = [];
  for (const r of rows) { const k = `${r.model}\u0000${r.phase}`; if (!keys.includes(k)) keys.push(k); }
  const find = (k: string, impl: string): TrainRow | undefined =>
    rows.find((r) => `${r.model}\u0000${r.phase}` === k && r.impl === impl);
  const peer = impls.find((i) => i.includes('tfjs-layers')) ?? impls.find((i) => i !== 'ridge' && i !== 'ridge-wasm');
  // With a 'ridge-wasm' row: its ratio to Ridge's JS kernels (w×ridge) and to the peer (w×peer).
  const withWasm = impls.includes('ridge-wasm') && impls.includes('ridge');
  const header = ['model', 'phase', ...impls.map(shortName), ...(peer ? [`×${shortName(peer)}`] : []),
    ...(withWasm ? ['w×ridge', ...(peer ? [`w×${shortName(peer)}`] : [])] : [])];
  const body = keys.map((k) => {
    const [model, phase] = k.split('\u0000');
    const cells = impls.map((i) => { const r = find(k, i); return r ? formatGflops(r.samplesPerSec) : '-'; });
    const rt = peer ? [formatRatio(ratio(find(k, 'ridge')?.samplesPerSec, find(k, peer)?.samplesPerSec))] : [];
    const wasm = find(k, 'ridge-wasm')?.samplesPerSec;
    const wt = withWasm
      ? [formatRatio(ratio(wasm, find(k, 'ridge')?.samplesPerSec)), ...(peer ? [formatRatio(ratio(wasm, find(k, peer)?.samplesPerSec))] : [])]
      : [];
    return [shortName(model), phase, ...cells, ...rt, ...wt];
  });
  return renderGrid(header, body, header.map((_, i) => i >= 2));
}

/** The full model and implementation descriptions the train table shortened. */
export function trainFootnotes(rows: readonly TrainRow[]): string[] {
  const names = [...new Set([...rows.map((r) => r.model), ...rows.map((r) => r.impl)])];
  return names.filter((n) => shortName(n) !== n).map((n) => `  ${shortName(n)}: ${n}`);
}

// ------------------------------------------------------------------------------------------------
// The targets of the kernels issue (issue 3), checked against one run's rows.

export interface Target {
  /** 'gemm-512 matmul ≥ 5× tfjs-cpu' */
  what: string;
  shape: string;
  pass: Pass;
  /** Peer the ratio is taken to, or 'probe' for a percentage of the probe. */
  versus: 'tfjs-cpu' | 'reference' | 'probe';
  /** Required ratio (probe: required fraction, 0.7 = 70%). */
  atLeast: number;
}

export interface TargetResult extends Target {
  /** Measured ratio (probe: fraction), null when a side is missing. */
  measured: number | null;
  met: boolean | null;
}

const CONV_2D = ['mnist-conv1', 'cifar-conv', 'resnet-conv', 'pointwise', 'strided'];
const CONV_ALL = [...CONV_2D, 'conv1d', 'conv3d'];
const FORWARD_TARGET: Record<string, number> = {
  'mnist-conv1': 3, 'cifar-conv': 4.5, 'resnet-conv': 4.5, 'pointwise': 4.5, 'strided': 4.5, 'conv1d': 4.5, 'conv3d': 4,
};

/** Issue 3's targets, one per shape, pass and peer. */
export function issueTargets(): Target[] {
  const t: Target[] = [];
  const add = (shape: string, pass: Pass, versus: Target['versus'], atLeast: number): void => {
    const what = versus === 'probe' ? `${shape} ${pass} ≥ ${(100 * atLeast).toFixed(0)}% of probe`
      : `${shape} ${pass} ≥ ${atLeast}× ${versus}`;
    t.push({ what, shape, pass, versus, atLeast });
  };
  for (const g of ['gemm-512', 'gemm-1024']) { add(g, 'matmul', 'tfjs-cpu', 5); add(g, 'matmul', 'probe', 0.7); }
  for (const s of CONV_ALL) add(s, 'forward', 'tfjs-cpu', FORWARD_TARGET[s]);
  for (const s of CONV_2D) add(s, 'backprop-input', 'tfjs-cpu', 2.8);
  // "Backprop-input ≥ 2.8× tfjs-backend-cpu on every 2D shape; backprop-filter ≥ 250×": both on the
  // 2D shapes, whose tfjs-cpu Conv2DBackpropFilter runs at ≈0.01–0.02 GFLOP/s. (conv3d goes through
  // Conv3DBackpropFilterV2, ~50× faster, so a 250× ratio is not what the target means there.)
  for (const s of CONV_2D) add(s, 'backprop-filter', 'tfjs-cpu', 250);
  for (const g of ['gemm-128', 'gemm-256', 'gemm-512', 'gemm-1024']) add(g, 'matmul', 'reference', 3);
  for (const s of CONV_ALL) for (const p of ['forward', 'backprop-input', 'backprop-filter'] as const) add(s, p, 'reference', 3);
  return t;
}

/** Check each target whose shape was run; targets of shapes not in `rows` are left out. */
export function checkTargets(rows: readonly ResultRow[], probeByShape: Readonly<Record<string, number>>): TargetResult[] {
  const find = (shape: string, pass: Pass, impl: Impl): ResultRow | undefined =>
    rows.find((r) => r.shape === shape && r.pass === pass && r.impl === impl);
  return issueTargets()
    .filter((t) => find(t.shape, t.pass, 'ridge') !== undefined)
    .map((t) => {
      const ridge = find(t.shape, t.pass, 'ridge')?.gflops ?? null;
      const measured = t.versus === 'probe'
        ? ratio(ridge, probeByShape[t.shape])
        : ratio(ridge, find(t.shape, t.pass, t.versus)?.gflops);
      return { ...t, measured, met: measured === null ? null : measured >= t.atLeast };
    });
}

/** 'met 40 of 48' plus one line per missed or unmeasured target. */
export function renderTargets(results: readonly TargetResult[]): string[] {
  const met = results.filter((r) => r.met === true).length;
  const lines = [`Issue 3 targets: met ${met} of ${results.length} (ratios of this run)`];
  for (const r of results) {
    if (r.met === true) continue;
    if (r.measured === null) { lines.push(`  not measured: ${r.what}`); continue; }
    const got = r.versus === 'probe' ? `${(100 * r.measured).toFixed(0)}%` : formatRatio(r.measured);
    lines.push(`  missed: ${r.what} — measured ${got}`);
  }
  return lines;
}

// ------------------------------------------------------------------------------------------------
// The targets of the wasm backend issue (issue 9): ridge-wasm against tfjs-backend-wasm and against
// Ridge's own JS kernels, measured in the same run.

export interface WasmTarget {
  /** 'gemm-512 matmul ridge-wasm ≥ 1× tfjs-wasm' */
  what: string;
  shape: string;
  pass: Pass;
  versus: 'tfjs-wasm' | 'ridge';
  atLeast: number;
}

export interface WasmTargetResult extends WasmTarget {
  measured: number | null;
  met: boolean | null;
}

/**
 * GEMM 512/1024 and forward conv on the 2-D and 1-D shapes ≥ 1× tfjs-wasm, conv3d forward ≥ 10×
 * tfjs-wasm; backprop-input and backprop-filter ≥ 3× Ridge's JS kernels on every conv shape.
 * (The training target, ≥ 3× Ridge-js samples/s, is read from the train table.)
 */
export function wasmTargets(): WasmTarget[] {
  const t: WasmTarget[] = [];
  const add = (shape: string, pass: Pass, versus: WasmTarget['versus'], atLeast: number): void => {
    t.push({ what: `${shape} ${pass} ridge-wasm ≥ ${atLeast}× ${versus}`, shape, pass, versus, atLeast });
  };
  for (const g of ['gemm-512', 'gemm-1024']) add(g, 'matmul', 'tfjs-wasm', 1);
  for (const s of [...CONV_2D, 'conv1d']) add(s, 'forward', 'tfjs-wasm', 1);
  add('conv3d', 'forward', 'tfjs-wasm', 10);
  for (const s of CONV_ALL) for (const p of ['backprop-input', 'backprop-filter'] as const) add(s, p, 'ridge', 3);
  return t;
}

/** Check each wasm target whose shape has a ridge-wasm row. */
export function checkWasmTargets(rows: readonly ResultRow[]): WasmTargetResult[] {
  const find = (shape: string, pass: Pass, impl: Impl): ResultRow | undefined =>
    rows.find((r) => r.shape === shape && r.pass === pass && r.impl === impl);
  return wasmTargets()
    .filter((t) => find(t.shape, t.pass, 'ridge-wasm') !== undefined)
    .map((t) => {
      const measured = ratio(find(t.shape, t.pass, 'ridge-wasm')?.gflops, find(t.shape, t.pass, t.versus)?.gflops);
      return { ...t, measured, met: measured === null ? null : measured >= t.atLeast };
    });
}

/** 'met 12 of 20' plus one line per missed or unmeasured target. */
export function renderWasmTargets(results: readonly WasmTargetResult[]): string[] {
  const met = results.filter((r) => r.met === true).length;
  const lines = [`Issue 9 (wasm backend) targets: met ${met} of ${results.length} (ratios of this run)`];
  for (const r of results) {
    if (r.met === true) continue;
    lines.push(r.measured === null ? `  not measured: ${r.what}` : `  missed: ${r.what} — measured ${formatRatio(r.measured)}`);
  }
  return lines;
}
