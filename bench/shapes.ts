/**
 * The benchmark's problems: named real-model shapes (DESIGN.md), their FLOP counts, and the
 * smaller "reduced" problems a slow implementation is timed on instead.
 *
 * Pure: no timing, no I/O. Shared by bench/run.ts (main process) and
 * bench/peers/tfjs-wasm-child.ts (child process), and tested by spec/bench.spec.ts.
 *
 * Layout is channels-last with Keras kernels, as everywhere in Ridge:
 *   x  [batch, ...spatial, inC]     w  [...kernel, inC, outC]     y  [batch, ...outSpatial, outC]
 *
 * FLOPs (one multiply + one add = 2), the same count for each of the three passes:
 *   conv  2 · (output elements) · (kernel spatial) · inC   = 2 · batch · Π outSpatial · outC · Π kernel · inC
 *   gemm  2 · M · N · K
 */
import { convGeometry, ConvGeometry, outSpatial, Padding } from '../kernels/conv-geometry';

export type ConvPass = 'forward' | 'backprop-input' | 'backprop-filter';
export type Pass = 'matmul' | ConvPass;
export const CONV_PASSES: readonly ConvPass[] = ['forward', 'backprop-input', 'backprop-filter'];

/** 'ridge' = Ridge's JS kernels, 'ridge-wasm' = its WebAssembly SIMD backend (kernels/wasm/). */
export type Impl = 'ridge' | 'reference' | 'tfjs-cpu' | 'tfjs-wasm' | 'ridge-wasm';
export const IMPLS: readonly Impl[] = ['ridge', 'reference', 'tfjs-cpu', 'tfjs-wasm', 'ridge-wasm'];

export interface GemmShape {
  kind: 'gemm';
  name: string;            // 'gemm-512'
  m: number; n: number; k: number;
  note: string;
}

export interface ConvShape {
  kind: 'conv';
  name: string;            // 'cifar-conv'
  rank: 1 | 2 | 3;
  batch: number;
  spatial: number[];       // input spatial sizes, outermost first
  inC: number;
  kernel: number[];        // kernel spatial sizes
  outC: number;
  strides: number[];
  padding: Padding;
  note: string;
}

export type Shape = GemmShape | ConvShape;

function gemmShape(size: number): GemmShape {
  return { kind: 'gemm', name: `gemm-${size}`, m: size, n: size, k: size, note: `C[${size}×${size}] = A·B` };
}

function conv(
  name: string, rank: 1 | 2 | 3, batch: number, spatial: number[], inC: number,
  kernel: number[], outC: number, stride: number, note: string,
): ConvShape {
  return {
    kind: 'conv', name, rank, batch, spatial, inC, kernel, outC,
    strides: spatial.map(() => stride), padding: 'same', note,
  };
}

/** DESIGN.md's table, in its order. All convs are 'same', stride 1 unless noted. */
export const GEMM_SHAPES: readonly GemmShape[] = [128, 256, 512, 1024].map(gemmShape);
export const CONV_SHAPES: readonly ConvShape[] = [
  conv('mnist-conv1', 2, 32, [28, 28], 1, [3, 3], 32, 1, 'first layer of an MNIST net: tiny K'),
  conv('cifar-conv', 2, 16, [32, 32], 32, [3, 3], 64, 1, 'mid layer'),
  conv('resnet-conv', 2, 8, [56, 56], 64, [3, 3], 64, 1, 'large'),
  conv('pointwise', 2, 8, [56, 56], 64, [1, 1], 64, 1, '1×1: pure GEMM'),
  conv('strided', 2, 16, [32, 32], 32, [3, 3], 64, 2, 'stride 2'),
  conv('conv1d', 1, 32, [256], 64, [3], 64, 1, ''),
  conv('conv3d', 3, 4, [16, 16, 16], 16, [3, 3, 3], 32, 1, ''),
];
export const ALL_SHAPES: readonly Shape[] = [...GEMM_SHAPES, ...CONV_SHAPES];

/** The subset `--quick` runs. */
export const QUICK_SHAPE_NAMES: readonly string[] = [
  'gemm-256', 'gemm-512', 'mnist-conv1', 'cifar-conv', 'conv1d', 'conv3d',
];

/** Shapes to run: the quick subset or all, then only names containing `filter` (if given). */
export function selectShapes(quick: boolean, filter: string | null): Shape[] {
  return ALL_SHAPES.filter((s) =>
    (!quick || QUICK_SHAPE_NAMES.includes(s.name)) && (filter === null || s.name.includes(filter)));
}

export function passesOf(shape: Shape): Pass[] {
  return shape.kind === 'gemm' ? ['matmul'] : [...CONV_PASSES];
}

// ------------------------------------------------------------------------------------------------
// Problems: the concrete sizes one measurement runs. A reduced problem keeps every channel count,
// kernel, stride and the padding mode, and shrinks only the batch (then the spatial sizes), or for
// GEMM only M; its GFLOP/s is that problem's own FLOPs over its own time.

export interface GemmProblem { kind: 'gemm'; m: number; n: number; k: number }
export interface ConvProblem { kind: 'conv'; batch: number; spatial: number[] }
export type Problem = GemmProblem | ConvProblem;

export function fullProblem(shape: Shape): Problem {
  return shape.kind === 'gemm'
    ? { kind: 'gemm', m: shape.m, n: shape.n, k: shape.k }
    : { kind: 'conv', batch: shape.batch, spatial: [...shape.spatial] };
}

export function isReduced(shape: Shape, p: Problem): boolean {
  if (shape.kind === 'gemm' && p.kind === 'gemm') return p.m !== shape.m || p.n !== shape.n || p.k !== shape.k;
  if (shape.kind === 'conv' && p.kind === 'conv') {
    return p.batch !== shape.batch || p.spatial.some((s, i) => s !== shape.spatial[i]);
  }
  throw new Error(`bench: problem kind ${p.kind} does not match shape ${shape.name}`);
}

/**
 * Candidate problems, largest first: the full problem, then (GEMM) M halved down to 8, or (conv)
 * the batch halved down to 1, then at batch 1 every spatial size halved while all stay
 * ≥ max(kernel, 4).
 */
export function candidateProblems(shape: Shape): Problem[] {
  const out: Problem[] = [fullProblem(shape)];
  if (shape.kind === 'gemm') {
    for (let m = Math.ceil(shape.m / 2); m >= 8; m = Math.ceil(m / 2)) {
      out.push({ kind: 'gemm', m, n: shape.n, k: shape.k });
    }
    return out;
  }
  let batch = shape.batch;
  while (batch > 1) {
    batch = Math.ceil(batch / 2);
    out.push({ kind: 'conv', batch, spatial: [...shape.spatial] });
  }
  let spatial = [...shape.spatial];
  for (;;) {
    const next = spatial.map((s) => Math.ceil(s / 2));
    if (next.some((s, i) => s < Math.max(shape.kernel[i], 4))) break;
    spatial = next;
    out.push({ kind: 'conv', batch: 1, spatial });
  }
  return out;
}

/** Geometry of a conv shape at a problem's batch and spatial sizes. */
export function geometryOf(shape: ConvShape, p: ConvProblem = fullProblem(shape) as ConvProblem): ConvGeometry {
  return convGeometry(shape.rank, p.batch, p.spatial, shape.inC, shape.kernel, shape.outC,
    shape.strides, shape.spatial.map(() => 1), shape.padding);
}

/** Input, kernel and output shapes (with batch and channels) of a conv problem. */
export function convTensorShapes(shape: ConvShape, p: ConvProblem): { x: number[]; w: number[]; y: number[] } {
  const g = geometryOf(shape, p);
  return {
    x: [p.batch, ...p.spatial, shape.inC],
    w: [...shape.kernel, shape.inC, shape.outC],
    y: [p.batch, ...outSpatial(g), shape.outC],
  };
}

export const product = (v: readonly number[]): number => v.reduce((a, b) => a * b, 1);

/** 2 · (output elements) · (kernel spatial) · inC. */
export function convFlops(g: ConvGeometry): number {
  const outElements = g.batch * g.outD * g.outH * g.outW * g.outC;
  return 2 * outElements * g.kD * g.kH * g.kW * g.inC;
}

export function gemmFlops(m: number, n: number, k: number): number {
  return 2 * m * n * k;
}

export function problemFlops(shape: Shape, p: Problem): number {
  if (shape.kind === 'gemm' && p.kind === 'gemm') return gemmFlops(p.m, p.n, p.k);
  if (shape.kind === 'conv' && p.kind === 'conv') return convFlops(geometryOf(shape, p));
  throw new Error(`bench: problem kind ${p.kind} does not match shape ${shape.name}`);
}

/** 'batch 1, 14×14' / 'M=64 (N=K=512)' — for the table's footnotes. */
export function describeProblem(p: Problem): string {
  if (p.kind === 'gemm') return `M=${p.m}, N=${p.n}, K=${p.k}`;
  return `batch ${p.batch}, ${p.spatial.join('×')}`;
}

/** The full shape as a product, e.g. '16×32×32×32 * 3×3×32×64 s2'. */
export function describeShape(s: Shape): string {
  if (s.kind === 'gemm') return `${s.m}×${s.k} · ${s.k}×${s.n}`;
  const stride = s.strides.some((v) => v !== 1) ? ` s${s.strides[0]}` : '';
  return `${[s.batch, ...s.spatial, s.inC].join('×')} * ${[...s.kernel, s.inC, s.outC].join('×')}${stride}`;
}

/**
 * Pick the largest candidate whose estimated time for one call, flops / rate, fits the budget
 * (the last, smallest candidate when none does). `rate` is FLOP/s measured on a small candidate.
 */
export function chooseProblem(shape: Shape, rate: number, budgetSeconds: number): Problem {
  const cands = candidateProblems(shape);
  for (const c of cands) if (problemFlops(shape, c) / rate <= budgetSeconds) return c;
  return cands[cands.length - 1];
}

/** Deterministic values in [-1, 1) (a 32-bit LCG), so every run times the same numbers. */
export function fillUniform(a: Float32Array, seed: number): Float32Array {
  let s = seed >>> 0;
  for (let i = 0; i < a.length; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    a[i] = s / 2147483648 - 1;
  }
  return a;
}
