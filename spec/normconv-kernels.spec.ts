/**
 * The kernels of kernels/normalization.ts, kernels/depthwise.ts and kernels/conv-transpose.ts
 * against the naive loops of kernels/reference/ (normalization: the Jacobian written out; the
 * convolutions: their sum/scatter definitions), over odd sizes, every rank, strides, dilations,
 * padding and output padding.
 */
import { Padding, convGeometry } from '../kernels/conv-geometry';
import { batchNormBackward, batchNormForward, batchNormMoments, layerNormBackward, layerNormForward } from '../kernels/normalization';
import { batchNormReference, layerNormReference } from '../kernels/reference/normalization';
import { depthwiseBackpropFilter, depthwiseBackpropInput, depthwiseForward } from '../kernels/depthwise';
import { depthwiseBackpropFilterReference, depthwiseBackpropInputReference, depthwiseForwardReference } from '../kernels/reference/depthwise';
import {
  convTransposeBackpropFilter, convTransposeBackpropInput, convTransposeForward, convTransposeGeometry, convTransposeLength,
} from '../kernels/conv-transpose';
import {
  convTransposeBackpropFilterReference, convTransposeBackpropInputReference, convTransposeForwardReference,
} from '../kernels/reference/conv-transpose';
import { Random } from '../lib/random';

function rand(n: number, rng: Random, offset = 0): Float32Array {
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = offset + rng.uniform() * 2 - 1;
  return a;
}

function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tol: number, label: string): void {
  if (actual.length !== expected.length) throw new Error(`${label}: length ${actual.length}, expected ${expected.length}`);
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i], e = expected[i];
    if (!(Math.abs(a - e) <= tol * Math.max(1, Math.abs(e)))) throw new Error(`${label}: index ${i} of ${expected.length}: got ${a}, expected ${e} (tolerance ${tol})`);
  }
}

describe('batch normalization kernels vs the Jacobian reference', () => {
  const cases = [[7, 5, 1], [1, 3, 1], [3, 4, 5], [2, 1, 9], [13, 2, 1]];
  for (const [outer, n, inner] of cases) {
    for (const fixed of [false, true]) {
      for (const affine of [true, false]) {
        test(`[outer=${outer}, n=${n}, inner=${inner}] ${fixed ? 'moving' : 'batch'} statistics, gamma/beta ${affine ? 'given' : 'null'}`, () => {
          const rng = new Random(outer * 100 + n * 10 + inner);
          const size = outer * n * inner;
          const x = rand(size, rng, 3), dy = rand(size, rng);
          const gamma = affine ? rand(n, rng, 1) : null, beta = affine ? rand(n, rng) : null;
          const eps = 1e-3;
          const mean = new Float32Array(n), variance = new Float32Array(n);
          let stats: { mean: Float32Array; variance: Float32Array } | null = null;
          if (fixed) {
            stats = { mean: rand(n, rng, 3), variance: rand(n, rng, 1.5) };
            mean.set(stats.mean); variance.set(stats.variance);
          } else {
            batchNormMoments(x, outer, n, inner, mean, variance);
          }
          const ref = batchNormReference(x, dy, outer, n, inner, gamma, beta, eps, stats);
          expectClose(mean, ref.mean, 1e-6, 'mean');
          expectClose(variance, ref.variance, 1e-5, 'variance');
          const y = new Float32Array(size), dx = new Float32Array(size);
          const dgamma = new Float32Array(n).fill(0.5), dbeta = new Float32Array(n).fill(-0.25);
          batchNormForward(x, outer, n, inner, mean, variance, gamma, beta, eps, y);
          batchNormBackward(dy, x, outer, n, inner, mean, variance, gamma, eps, !fixed, dx, dgamma, dbeta);
          expectClose(y, ref.y, 1e-5, 'y');
          expectClose(dx, ref.dx, 1e-4, 'dx');
          expectClose(dgamma, ref.dgamma.map((v) => v + 0.5), 1e-5, 'dgamma (accumulated)');
          expectClose(dbeta, ref.dbeta.map((v) => v - 0.25), 1e-5, 'dbeta (accumulated)');
        });
      }
    }
  }
});

describe('layer normalization kernels vs the Jacobian reference', () => {
  const cases = [[6, 7, 1], [1, 1, 1], [3, 4, 5], [2, 9, 2], [5, 2, 1]];
  for (const [outer, n, inner] of cases) {
    for (const affine of [true, false]) {
      test(`[outer=${outer}, n=${n}, inner=${inner}] gamma/beta ${affine ? 'given' : 'null'}`, () => {
        const rng = new Random(outer * 31 + n * 7 + inner);
        const size = outer * n * inner;
        const x = rand(size, rng, -2), dy = rand(size, rng);
        const gamma = affine ? rand(n, rng, 1) : null, beta = affine ? rand(n, rng) : null;
        const ref = layerNormReference(x, dy, outer, n, inner, gamma, beta, 1e-3);
        const y = new Float32Array(size), dx = new Float32Array(size);
        const mean = new Float32Array(outer * inner), invStd = new Float32Array(outer * inner);
        const dgamma = new Float32Array(n), dbeta = new Float32Array(n);
        layerNormForward(x, outer, n, inner, gamma, beta, 1e-3, y, mean, invStd);
        layerNormBackward(dy, x, outer, n, inner, mean, invStd, gamma, dx, dgamma, dbeta);
        expectClose(y, ref.y, 1e-5, 'y');
        expectClose(dx, ref.dx, 1e-4, 'dx');
        expectClose(dgamma, ref.dgamma, 1e-5, 'dgamma');
        expectClose(dbeta, ref.dbeta, 1e-5, 'dbeta');
      });
    }
  }
});

interface DwCase { batch: number; sp: number[]; c: number; k: number[]; mult: number; s: number[]; d: number[]; p: Padding }
const dw = (batch: number, sp: number[], c: number, k: number[], mult: number, s: number[], d: number[], p: Padding): DwCase => ({ batch, sp, c, k, mult, s, d, p });

describe('depthwise kernels vs the reference loops', () => {
  const cases: DwCase[] = [
    dw(2, [9], 3, [3], 1, [1], [1], 'valid'),
    dw(2, [10], 2, [4], 3, [2], [1], 'same'),
    dw(1, [11], 3, [3], 2, [1], [2], 'causal'),
    dw(2, [7, 6], 3, [3, 3], 1, [1, 1], [1, 1], 'same'),
    dw(2, [7, 8], 5, [3, 2], 2, [2, 3], [1, 1], 'valid'),
    dw(1, [9, 9], 4, [3, 3], 3, [1, 1], [2, 3], 'same'),
    dw(1, [5, 5], 1, [5, 5], 1, [1, 1], [1, 1], 'valid'),
    dw(3, [6, 7], 2, [2, 2], 4, [2, 2], [1, 1], 'same'),
    dw(1, [4, 5, 6], 2, [2, 3, 2], 2, [1, 2, 1], [1, 1, 1], 'same'),
    // mult = 1 with ≥ 4 channels: the 4-channel blocked forward, and (stride 1) the flipped-tap input gradient
    dw(2, [6, 7], 9, [3, 3], 1, [1, 1], [1, 2], 'same'),
    dw(1, [8], 6, [4], 1, [1], [1], 'same'),
    dw(2, [7, 5], 8, [3, 2], 1, [2, 1], [1, 1], 'valid'),
    dw(1, [3, 4, 3], 5, [2, 2, 2], 1, [1, 1, 1], [1, 1, 1], 'same'),
  ];
  for (const c of cases) {
    const rank = c.sp.length as 1 | 2 | 3;
    test(`rank${rank} x=[${c.batch},${c.sp},${c.c}] k=[${c.k}] mult=${c.mult} s=${c.s} d=${c.d} p=${c.p}: forward (bias and none), backprop-input, backprop-filter`, () => {
      const g = convGeometry(rank, c.batch, c.sp, c.c, c.k, c.c * c.mult, c.s, c.d, c.p);
      const rng = new Random(c.sp.reduce((a, b) => a * 7 + b, c.c * 13 + c.mult));
      const nx = c.batch * g.inD * g.inH * g.inW * c.c, nw = g.kD * g.kH * g.kW * g.outC, ny = c.batch * g.outD * g.outH * g.outW * g.outC;
      const x = rand(nx, rng), w = rand(nw, rng), dyv = rand(ny, rng), bias = rand(g.outC, rng);
      for (const b of [null, bias]) {
        const y = new Float32Array(ny).fill(NaN), yr = new Float32Array(ny);
        depthwiseForward(g, c.mult, x, w, b, y);
        depthwiseForwardReference(g, c.mult, x, w, b, yr);
        expectClose(y, yr, 1e-5, `forward bias=${b !== null}`);
      }
      const dx = new Float32Array(nx).fill(NaN), dxr = new Float32Array(nx);
      depthwiseBackpropInput(g, c.mult, dyv, w, dx);
      depthwiseBackpropInputReference(g, c.mult, dyv, w, dxr);
      expectClose(dx, dxr, 1e-5, 'backprop-input');
      const dwk = new Float32Array(nw).fill(NaN), dwr = new Float32Array(nw);
      depthwiseBackpropFilter(g, c.mult, x, dyv, dwk);
      depthwiseBackpropFilterReference(g, c.mult, x, dyv, dwr);
      expectClose(dwk, dwr, 1e-5, 'backprop-filter');
    });
  }
});

describe('convTransposeLength is Keras deconv_output_length', () => {
  test.each([
    // [in, k, s, d, padding, outputPadding, expected]
    [5, 3, 2, 1, 'valid', null, 5 * 2 + (3 - 2)],
    [5, 3, 2, 1, 'same', null, 5 * 2],
    [5, 1, 3, 1, 'valid', null, 5 * 3 + 0],
    [4, 3, 1, 2, 'valid', null, 4 + (5 - 1)],
    [5, 3, 2, 1, 'same', 1, (5 - 1) * 2 + 3 - 2 * 1 + 1],
    [5, 4, 3, 1, 'valid', 2, (5 - 1) * 3 + 4 + 2],
  ] as const)('in=%d k=%d s=%d d=%d %s outputPadding=%p → %d', (n, k, s, d, p, op, expected) => {
    expect(convTransposeLength(n, k, s, d, p, op)).toBe(expected);
  });
});

interface TCase { batch: number; sp: number[]; c: number; k: number[]; f: number; s: number[]; d: number[]; p: 'valid' | 'same'; op: number[] | null }
const tc = (batch: number, sp: number[], c: number, k: number[], f: number, s: number[], d: number[], p: 'valid' | 'same', op: number[] | null = null): TCase =>
  ({ batch, sp, c, k, f, s, d, p, op });

describe('transposed conv kernels (via conv.ts) vs the scatter definition', () => {
  const cases: TCase[] = [
    tc(2, [5], 3, [3], 4, [1], [1], 'valid'),
    tc(2, [5], 3, [3], 4, [2], [1], 'same'),
    tc(1, [6], 2, [4], 3, [3], [1], 'valid', [2]),
    tc(1, [6], 5, [3], 6, [1], [2], 'same'),
    tc(2, [4, 5], 3, [3, 3], 5, [2, 2], [1, 1], 'same'),
    tc(2, [4, 5], 6, [3, 3], 5, [1, 1], [1, 1], 'same'),
    tc(1, [5, 4], 2, [2, 3], 3, [2, 1], [1, 1], 'valid'),
    tc(1, [3, 4], 3, [4, 4], 2, [3, 2], [1, 1], 'same', [1, 1]),
    tc(1, [5, 5], 4, [3, 3], 4, [2, 2], [1, 1], 'same', [0, 1]),
    tc(2, [4, 6], 1, [3, 3], 2, [1, 1], [2, 1], 'valid'),
    tc(1, [6, 9], 8, [3, 3], 8, [1, 1], [1, 1], 'same'),   // stride 1, ≥ 4 channels: the flipped-kernel route
    tc(1, [3, 3, 4], 2, [2, 3, 3], 3, [2, 1, 2], [1, 1, 1], 'same'),
    tc(1, [3, 2, 3], 3, [3, 2, 2], 2, [1, 2, 1], [1, 1, 1], 'valid', [0, 1, 0]),
  ];
  for (const c of cases) {
    const rank = c.sp.length as 1 | 2 | 3;
    test(`rank${rank} x=[${c.batch},${c.sp},${c.c}] k=[${c.k},${c.f},${c.c}] s=${c.s} d=${c.d} p=${c.p} outputPadding=${c.op ?? 'none'}`, () => {
      const g = convTransposeGeometry(rank, c.batch, c.sp, c.c, c.k, c.f, c.s, c.d, c.p, c.op);
      const rng = new Random(c.sp.reduce((a, b) => a * 5 + b, c.c * 11 + c.f));
      const nx = c.batch * g.outD * g.outH * g.outW * c.c, nw = g.kD * g.kH * g.kW * c.f * c.c, ny = c.batch * g.inD * g.inH * g.inW * c.f;
      const x = rand(nx, rng), w = rand(nw, rng), dyv = rand(ny, rng), bias = rand(c.f, rng);
      for (const b of [null, bias]) {
        const y = new Float32Array(ny).fill(NaN), yr = new Float32Array(ny);
        convTransposeForward(g, x, w, b, y);
        convTransposeForwardReference(g, x, w, b, yr);
        expectClose(y, yr, 1e-5, `forward bias=${b !== null}`);
      }
      const dx = new Float32Array(nx).fill(NaN), dxr = new Float32Array(nx);
      convTransposeBackpropInput(g, dyv, w, dx);
      convTransposeBackpropInputReference(g, dyv, w, dxr);
      expectClose(dx, dxr, 1e-5, 'backprop-input');
      const dwk = new Float32Array(nw).fill(NaN), dwr = new Float32Array(nw);
      convTransposeBackpropFilter(g, x, dyv, dwk);
      convTransposeBackpropFilterReference(g, x, dyv, dwr);
      expectClose(dwk, dwr, 1e-5, 'backprop-filter');
    });
  }
});

describe('convTransposeGeometry agrees with Keras 3 JAX-backend padding (backend_utils, conv-transpose padding args)', () => {
  // Keras' JAX route: dilate x by the stride, pad left/right, run a full conv with the flipped kernel:
  //   effK = (k − 1)·d + 1
  //   valid: left = effK − 1, right = effK − 1 + (outputPadding ?? max(effK, s) − effK)
  //   same:  padLen = outputPadding == null ? s + effK − 2 : effK + effK % 2 − 2 + outputPadding
  //          left = min(⌊padLen / 2⌋ + padLen % 2, effK − 1), right = padLen − left
  //   output length = (in − 1)·s − effK + 2 + left + right; our "pad before" is effK − 1 − left
  function jax(k: number, s: number, d: number, padding: 'valid' | 'same', op: number | null): { left: number; right: number } {
    const effK = (k - 1) * d + 1;
    if (padding === 'valid') return { left: effK - 1, right: effK - 1 + (op ?? Math.max(effK, s) - effK) };
    const padLen = op === null ? s + effK - 2 : effK + (effK % 2) - 2 + op;
    const left = Math.min(Math.floor(padLen / 2) + (padLen % 2), effK - 1);
    return { left, right: padLen - left };
  }
  test('every k ≤ 5, s ≤ 4 (d ≤ 3 at s = 1), outputPadding null or < s, both paddings, in = 5', () => {
    let n = 0;
    for (const padding of ['valid', 'same'] as const)
      for (let k = 1; k <= 5; k++)
        for (let s = 1; s <= 4; s++)
          for (let d = 1; d <= (s === 1 ? 3 : 1); d++)
            for (const op of [null, ...Array.from({ length: s }, (_, i) => i)]) {
              const g = convTransposeGeometry(1, 1, [5], 1, [k], 1, [s], [d], padding, op === null ? null : [op]);
              const effK = (k - 1) * d + 1;
              const { left, right } = jax(k, s, d, padding, op);
              const what = `k=${k} s=${s} d=${d} ${padding} op=${op}`;
              expect([what, g.inW]).toEqual([what, (5 - 1) * s - effK + 2 + left + right]);
              expect([what, g.padLeft]).toEqual([what, effK - 1 - left]);
              n++;
            }
    expect(n).toBeGreaterThan(80);
  });
});
