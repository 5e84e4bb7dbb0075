/**
 * Ridge's kernels and the naive reference loops as benchmark cases: the kernels are called
 * directly on typed arrays allocated (and filled) once, outside the timed function. The timed
 * function is exactly one kernel call.
 *
 * Cache assumptions: inputs are reused call after call, so whatever fits in cache stays warm
 * between calls (GEMM 128–512 operands fit in L2; the conv activations of the larger shapes and
 * GEMM 1024 do not). Nothing is flushed between calls — the same for every implementation.
 */
import { ConvGeometry } from '../kernels/conv-geometry';
import { convBackpropFilter, convBackpropInput, convForward, convWorkspaceBytes } from '../kernels/conv';
import { gemm } from '../kernels/gemm';
import { gemmReference } from '../kernels/reference/gemm';
import {
  convBackpropFilterReference, convBackpropInputReference, convForwardReference,
} from '../kernels/reference/conv';
import { gemmWasm } from '../kernels/wasm/gemm';
import { convBackpropFilterWasm, convBackpropInputWasm, convForwardWasm } from '../kernels/wasm/conv';
import { wasmRuntime } from '../kernels/wasm/runtime';
import { Case, CaseFactory } from './measure';
import { ConvPass, ConvProblem, ConvShape, fillUniform, geometryOf, Pass, Shape } from './shapes';

type GemmFn = typeof gemm;
type ConvFns = {
  forward: typeof convForward;
  backpropInput: typeof convBackpropInput;
  backpropFilter: typeof convBackpropFilter;
};

const RIDGE_CONV: ConvFns = { forward: convForward, backpropInput: convBackpropInput, backpropFilter: convBackpropFilter };
const REFERENCE_CONV: ConvFns = {
  forward: convForwardReference,
  backpropInput: convBackpropInputReference,
  backpropFilter: convBackpropFilterReference,
};

const WASM_CONV: ConvFns = { forward: convForwardWasm, backpropInput: convBackpropInputWasm, backpropFilter: convBackpropFilterWasm };

function gemmCase(fn: GemmFn, m: number, n: number, k: number): Case {
  const a = fillUniform(new Float32Array(m * k), 1);
  const b = fillUniform(new Float32Array(k * n), 2);
  const c = new Float32Array(m * n);
  // Row-major, contiguous: A(i, p) = a[i·k + p], B(p, j) = b[p·n + j], C(i, j) = c[i·n + j].
  const run = (): void => fn(m, n, k, 1, a, 0, k, 1, b, 0, n, 1, 0, c, 0, n, 1);
  return { run, result: () => { run(); return c.slice(); }, dispose: () => undefined };
}

function convCase(fns: ConvFns, g: ConvGeometry, pass: ConvPass): Case {
  const xLen = g.batch * g.inD * g.inH * g.inW * g.inC;
  const wLen = g.kD * g.kH * g.kW * g.inC * g.outC;
  const yLen = g.batch * g.outD * g.outH * g.outW * g.outC;
  if (pass === 'forward') {
    const x = fillUniform(new Float32Array(xLen), 3);
    const w = fillUniform(new Float32Array(wLen), 4);
    const y = new Float32Array(yLen);
    const run = (): void => fns.forward(g, x, w, null, y);
    return { run, result: () => { run(); return y.slice(); }, dispose: () => undefined };
  }
  if (pass === 'backprop-input') {
    const dy = fillUniform(new Float32Array(yLen), 5);
    const w = fillUniform(new Float32Array(wLen), 4);
    const dx = new Float32Array(xLen);
    const run = (): void => fns.backpropInput(g, dy, w, dx);
    return { run, result: () => { run(); return dx.slice(); }, dispose: () => undefined };
  }
  const x = fillUniform(new Float32Array(xLen), 3);
  const dy = fillUniform(new Float32Array(yLen), 5);
  const dw = new Float32Array(wLen);
  const run = (): void => fns.backpropFilter(g, x, dy, dw);
  return { run, result: () => { run(); return dw.slice(); }, dispose: () => undefined };
}

/**
 * A factory for Ridge's JS kernels ('ridge'), its wasm backend ('ridge-wasm', the kernels of
 * kernels/wasm/ called directly, in this process: they never detach a buffer) or the naive loops
 * ('reference') on one shape and pass.
 */
export function kernelFactory(impl: 'ridge' | 'ridge-wasm' | 'reference', shape: Shape, pass: Pass): CaseFactory {
  return (p) => {
    if (impl === 'ridge-wasm' && wasmRuntime() === null) return 'n/a: WebAssembly SIMD unavailable';
    if (shape.kind === 'gemm' && p.kind === 'gemm') {
      return gemmCase(impl === 'ridge' ? gemm : impl === 'ridge-wasm' ? gemmWasm : gemmReference, p.m, p.n, p.k);
    }
    if (shape.kind === 'conv' && p.kind === 'conv' && pass !== 'matmul') {
      return convCase(impl === 'ridge' ? RIDGE_CONV : impl === 'ridge-wasm' ? WASM_CONV : REFERENCE_CONV, geometryOf(shape, p), pass);
    }
    return `n/a: ${pass} does not apply to ${shape.name}`;
  };
}

const WORKSPACE_PASS = {
  'forward': 'forward',
  'backprop-input': 'backpropInput',
  'backprop-filter': 'backpropFilter',
} as const;

/** Peak temporary memory (bytes) of one Ridge conv call on the full shape, as the kernel declares it. */
export function ridgeConvWorkspaceBytes(shape: ConvShape, pass: ConvPass, p?: ConvProblem): number {
  return convWorkspaceBytes(geometryOf(shape, p), WORKSPACE_PASS[pass]);
}
