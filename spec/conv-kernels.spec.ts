/**
 * kernels/conv.ts against the naive loops of kernels/reference/conv.ts, over every option
 * combination on odd sizes, ranks 1–3, every pass; the backward kernels also against central
 * finite differences of loss = Σ y·r.
 */
import { ConvGeometry, Padding, convGeometry } from '../kernels/conv-geometry';
import { convBackpropFilter, convBackpropInput, convBiasGrad, convForward, convWorkspaceBytes } from '../kernels/conv';
import {
  convBackpropFilterReference, convBackpropInputReference, convBiasGradReference, convForwardReference,
} from '../kernels/reference/conv';
import { Random } from '../lib/random';

interface Case {
  batch: number; inSpatial: number[]; inC: number; kernel: number[]; outC: number;
  strides: number[]; dilations: number[]; padding: Padding;
}

function rankOf(c: Case): 1 | 2 | 3 {
  return c.inSpatial.length as 1 | 2 | 3;
}

function describeCase(c: Case): string {
  return `rank${rankOf(c)} x=[${c.batch},${c.inSpatial},${c.inC}] k=[${c.kernel},${c.inC},${c.outC}] ` +
    `s=${c.strides.join('x')} d=${c.dilations.join('x')} p=${c.padding}`;
}

function geom(c: Case): ConvGeometry {
  return convGeometry(rankOf(c), c.batch, c.inSpatial, c.inC, c.kernel, c.outC, c.strides, c.dilations, c.padding);
}

function randomArray(n: number, rng: Random): Float32Array {
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = rng.uniform() * 2 - 1;
  return a;
}

function sizes(g: ConvGeometry): { x: number; w: number; y: number } {
  return {
    x: g.batch * g.inD * g.inH * g.inW * g.inC,
    w: g.kD * g.kH * g.kW * g.inC * g.outC,
    y: g.batch * g.outD * g.outH * g.outW * g.outC,
  };
}

/** '' when every |a − e| ≤ tol · max(1, |e|), else a message naming the first bad index. */
function mismatch(actual: ArrayLike<number>, expected: ArrayLike<number>, tol: number, label: string): string {
  if (actual.length !== expected.length) return `${label}: length ${actual.length}, expected ${expected.length}`;
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i], e = expected[i];
    if (!(Math.abs(a - e) <= tol * Math.max(1, Math.abs(e)))) {
      return `${label}: index ${i}: got ${a}, expected ${e} (tolerance ${tol})`;
    }
  }
  return '';
}

const c1 = (w: number, inC: number, k: number, outC: number, s: number, d: number, padding: Padding, batch = 2): Case =>
  ({ batch, inSpatial: [w], inC, kernel: [k], outC, strides: [s], dilations: [d], padding });
const c2 = (hw: number[], inC: number, k: number[], outC: number, s: number[], d: number[], padding: Padding, batch = 2): Case =>
  ({ batch, inSpatial: hw, inC, kernel: k, outC, strides: s, dilations: d, padding });
const c3 = (dhw: number[], inC: number, k: number[], outC: number, s: number[], d: number[], padding: Padding, batch = 2): Case =>
  ({ batch, inSpatial: dhw, inC, kernel: k, outC, strides: s, dilations: d, padding });

const CASES: Case[] = [
  // rank 1
  c1(9, 3, 3, 4, 1, 1, 'valid'),
  c1(9, 3, 3, 4, 2, 1, 'same'),
  c1(10, 2, 4, 3, 3, 1, 'valid'),
  c1(9, 3, 3, 4, 1, 2, 'causal'),
  c1(7, 1, 2, 3, 2, 1, 'causal', 1),
  c1(8, 3, 3, 5, 1, 3, 'same'),
  c1(4, 2, 7, 3, 1, 1, 'same'),           // kernel longer than the input
  c1(11, 5, 1, 4, 1, 1, 'valid'),         // pointwise
  c1(11, 5, 1, 4, 2, 1, 'same'),          // 1×1 strided
  // rank 2
  c2([7, 7], 3, [3, 3], 5, [2, 2], [1, 1], 'same'),
  c2([7, 7], 3, [3, 3], 5, [2, 2], [1, 1], 'valid'),
  c2([7, 7], 3, [3, 3], 5, [1, 1], [2, 2], 'same'),
  c2([8, 6], 2, [2, 3], 4, [1, 1], [2, 2], 'valid'),
  c2([3, 2], 2, [5, 4], 3, [1, 1], [1, 1], 'same'),     // kernel larger than the input
  c2([5, 6], 4, [1, 1], 3, [1, 1], [1, 1], 'valid'),    // pointwise: straight GEMM
  c2([5, 6], 4, [1, 1], 3, [1, 1], [1, 1], 'same'),
  c2([7, 5], 4, [1, 1], 3, [2, 2], [1, 1], 'valid'),    // 1×1 strided: not pointwise
  c2([6, 7], 3, [3, 1], 2, [2, 1], [1, 1], 'same'),     // rectangular kernels, per-axis strides
  c2([6, 7], 3, [1, 3], 2, [1, 3], [1, 1], 'valid'),
  c2([9, 8], 1, [3, 3], 6, [1, 1], [1, 1], 'same', 1),  // batch 1, inC 1 (MNIST-like)
  c2([5, 5], 2, [2, 2], 3, [1, 1], [1, 1], 'same'),     // even kernel: extra padding after
  c2([10, 9], 2, [3, 2], 3, [3, 2], [1, 1], 'same'),
  c2([9, 7], 3, [2, 3], 4, [1, 1], [3, 2], 'same'),
  // rank 3
  c3([5, 4, 6], 2, [3, 2, 3], 3, [2, 2, 2], [1, 1, 1], 'same'),
  c3([5, 6, 5], 2, [2, 2, 2], 3, [1, 1, 1], [2, 1, 2], 'valid'),
  c3([3, 4, 3], 3, [1, 1, 1], 2, [1, 1, 1], [1, 1, 1], 'valid'),
  c3([2, 3, 2], 2, [3, 4, 3], 2, [1, 1, 1], [1, 1, 1], 'same'),
  c3([6, 5, 4], 1, [3, 3, 3], 4, [1, 2, 1], [1, 1, 1], 'same', 1),
  // several patch tiles, the last one partial
  c2([20, 19], 128, [3, 3], 4, [1, 1], [1, 1], 'same', 2),
  c2([64, 65], 4, [3, 3], 3, [1, 1], [1, 1], 'same', 2),
  // Winograd F(2,3) along W (kW = 3, strideW = 1, dilW = 1): odd/even widths, edges, every rank
  c1(9, 8, 3, 5, 1, 1, 'valid'),
  c1(10, 8, 3, 5, 1, 1, 'same', 1),
  c1(7, 9, 3, 3, 1, 1, 'causal'),
  c1(2, 8, 3, 4, 1, 1, 'same'),                          // input narrower than the kernel
  c2([5, 7], 3, [3, 3], 6, [2, 1], [1, 1], 'same'),      // strided along H only
  c2([6, 4], 4, [2, 3], 5, [1, 1], [2, 1], 'valid'),     // dilated along H only
  c2([4, 3], 9, [3, 3], 7, [1, 1], [1, 1], 'same', 3),   // outW = 3
  c3([3, 4, 5], 3, [2, 2, 3], 4, [1, 1, 1], [1, 1, 1], 'same'),
  // F(4,3) along W (outW ≥ 8): partial last quads, both edges, several channel blocks, rank 3
  c1(13, 8, 3, 4, 1, 1, 'same'),
  c1(12, 8, 3, 3, 1, 1, 'causal', 1),
  c2([3, 9], 128, [3, 3], 61, [1, 1], [1, 1], 'same', 1),
  c2([5, 11], 3, [3, 3], 4, [2, 1], [1, 1], 'valid'),
  c3([3, 3, 10], 2, [2, 2, 3], 3, [1, 1, 1], [1, 1, 1], 'valid'),
  c3([2, 3, 11], 3, [1, 3, 3], 5, [1, 1, 1], [1, 1, 1], 'same'),
  c2([7, 10], 1, [3, 3], 5, [1, 1], [1, 1], 'same', 2),  // K' = 3: one input channel (MNIST-like)
  // stride-2 polyphase variant (kW = 3, strideW = 2): odd/even output widths, both edges
  c1(10, 8, 3, 4, 2, 1, 'same'),
  c1(11, 8, 3, 5, 2, 1, 'valid', 1),
  c1(3, 8, 3, 3, 2, 1, 'same'),
  c2([6, 9], 4, [2, 3], 3, [1, 2], [1, 1], 'same'),
  c3([4, 3, 8], 2, [2, 2, 3], 4, [2, 1, 2], [1, 1, 1], 'same'),
  // small K (≤ 12) over several 1024-row filter-gradient tiles
  c2([40, 30], 1, [3, 3], 5, [1, 1], [1, 1], 'same', 1),
  c2([40, 30], 1, [3, 2], 5, [1, 1], [1, 1], 'same', 1),
  // patch widths too large for the constant workspaces: the GEMM route (kernels/gemm.ts)
  c1(9, 22000, 3, 2, 1, 1, 'valid', 1),
  c1(3, 270000, 1, 2, 2, 1, 'valid', 1),
  // K·N too large for one packed W block: several output-channel blocks
  c2([5, 4], 128, [3, 3], 121, [1, 1], [1, 1], 'same', 1),
];

describe('conv kernels vs reference loops', () => {
  const rng = new Random(7);
  for (const c of CASES) {
    const name = describeCase(c);
    const g = geom(c);
    const n = sizes(g);
    const x = randomArray(n.x, rng), w = randomArray(n.w, rng), dy = randomArray(n.y, rng);
    const bias = randomArray(c.outC, rng);
    const tol = 1e-5; // relative, floored at scale 1: float32 rounding of sums of up to ~10^4 terms

    test(`forward ${name}`, () => {
      for (const b of [null, bias]) {
        const want = new Float32Array(n.y), got = new Float32Array(n.y).fill(NaN);
        convForwardReference(g, x, w, b, want);
        convForward(g, x, w, b, got);
        expect(mismatch(got, want, tol, `forward ${name} bias=${b !== null}`)).toBe('');
      }
    });

    test(`backpropInput ${name}`, () => {
      const want = new Float32Array(n.x), got = new Float32Array(n.x).fill(NaN);
      convBackpropInputReference(g, dy, w, want);
      convBackpropInput(g, dy, w, got);
      expect(mismatch(got, want, tol, `backpropInput ${name}`)).toBe('');
    });

    test(`backpropFilter ${name}`, () => {
      const want = new Float32Array(n.w), got = new Float32Array(n.w).fill(NaN);
      convBackpropFilterReference(g, x, dy, want);
      convBackpropFilter(g, x, dy, got);
      expect(mismatch(got, want, tol, `backpropFilter ${name}`)).toBe('');
    });

    test(`biasGrad ${name}`, () => {
      const want = new Float32Array(c.outC), got = new Float32Array(c.outC).fill(NaN);
      convBiasGradReference(g, dy, want);
      convBiasGrad(g, dy, got);
      expect(mismatch(got, want, tol, `biasGrad ${name}`)).toBe('');
    });
  }
});

describe('conv backward kernels vs central finite differences of loss = Σ y·r', () => {
  const FD_CASES: Case[] = [
    c1(7, 2, 3, 3, 1, 2, 'causal'),
    c1(8, 2, 3, 2, 2, 1, 'same'),
    c2([5, 5], 2, [3, 3], 3, [2, 2], [1, 1], 'same'),
    c2([6, 5], 2, [2, 3], 2, [1, 1], [2, 1], 'valid'),
    c2([3, 3], 1, [1, 1], 2, [1, 1], [1, 1], 'valid'),
    c3([3, 4, 3], 2, [2, 3, 2], 2, [1, 2, 1], [1, 1, 1], 'same'),
    c2([4, 5], 3, [3, 3], 2, [1, 1], [1, 1], 'same'),   // Winograd along W
    c1(7, 8, 3, 2, 1, 1, 'causal'),                     // Winograd along W
    c1(13, 8, 3, 2, 1, 1, 'same'),                      // F(4,3) along W
    c2([3, 10], 4, [3, 3], 4, [1, 1], [1, 1], 'same'),  // F(4,3) along W
  ];
  const rng = new Random(11);
  const eps = 1e-2;
  for (const c of FD_CASES) {
    const name = describeCase(c);
    const g = geom(c);
    const n = sizes(g);
    const x = randomArray(n.x, rng), w = randomArray(n.w, rng), bias = randomArray(c.outC, rng);
    const r = randomArray(n.y, rng);
    const y = new Float32Array(n.y);
    const loss = (xv: Float32Array, wv: Float32Array, bv: Float32Array): number => {
      convForward(g, xv, wv, bv, y);
      let s = 0;
      for (let i = 0; i < y.length; i++) s += y[i] * r[i];
      return s;
    };
    const numeric = (v: Float32Array): Float64Array => {
      const out = new Float64Array(v.length);
      for (let i = 0; i < v.length; i++) {
        const keep = v[i];
        v[i] = keep + eps; const up = loss(x, w, bias);
        v[i] = keep - eps; const down = loss(x, w, bias);
        v[i] = keep;
        out[i] = (up - down) / (2 * eps);
      }
      return out;
    };

    test(`d loss/dx ${name}`, () => {
      const dx = new Float32Array(n.x);
      convBackpropInput(g, r, w, dx);
      expect(mismatch(dx, numeric(x), 2e-3, `dx ${name}`)).toBe('');
    });
    test(`d loss/dw ${name}`, () => {
      const dw = new Float32Array(n.w);
      convBackpropFilter(g, x, r, dw);
      expect(mismatch(dw, numeric(w), 2e-3, `dw ${name}`)).toBe('');
    });
    test(`d loss/dbias ${name}`, () => {
      const db = new Float32Array(c.outC);
      convBiasGrad(g, r, db);
      expect(mismatch(db, numeric(bias), 2e-3, `db ${name}`)).toBe('');
    });
  }
});

describe('conv kernels: IEEE values and workspace', () => {
  test('NaN and Infinity in x flow through forward like IEEE arithmetic (x=[1,3,3,1] k=[2,2,1,1] valid)', () => {
    const g = convGeometry(2, 1, [3, 3], 1, [2, 2], 1, [1, 1], [1, 1], 'valid');
    const x = new Float32Array([1, 2, 3, 4, NaN, 6, 7, 8, Infinity]);
    const w = new Float32Array([1, 1, 1, 1]);
    const y = new Float32Array(4);
    convForward(g, x, w, null, y);
    expect(Array.from(y)).toEqual([NaN, NaN, NaN, NaN]);
    const x2 = new Float32Array([1, 2, 3, 4, 5, 6, 7, 8, Infinity]);
    convForward(g, x2, w, null, y);
    expect(Array.from(y)).toEqual([1 + 2 + 4 + 5, 2 + 3 + 5 + 6, 4 + 5 + 7 + 8, Infinity]);
  });

  test('an Infinity in x reaches every output that reads it on the Winograd route (x=[1,1,12,3] k=[1,3,3,2] same, F(4,3))', () => {
    // Winograd combines the 6 inputs of a 4-output tile before multiplying, so an Infinity may
    // surface as NaN where the direct sum gives ±Infinity, and also in the other outputs of its
    // tile (here ow = 7); it is never turned into a finite number, and other tiles are untouched.
    const g = convGeometry(2, 1, [1, 12], 3, [1, 3], 2, [1, 1], [1, 1], 'same');
    const rng = new Random(5);
    const x = randomArray(36, rng), w = randomArray(18, rng);
    x[3 * 5 + 1] = Infinity; // width 5, channel 1: read by ow = 4, 5, 6 (tile ow = 4…7)
    const got = new Float32Array(24), want = new Float32Array(24);
    convForward(g, x, w, null, got);
    convForwardReference(g, x, w, null, want);
    for (let ow = 0; ow < 12; ow++) {
      for (let co = 0; co < 2; co++) {
        const i = ow * 2 + co;
        if (ow >= 4 && ow <= 6) expect(Number.isFinite(got[i])).toBe(false);
        else if (ow < 4 || ow > 7) expect(mismatch([got[i]], [want[i]], 1e-5, `ow=${ow} co=${co}`)).toBe('');
      }
    }
  });

  test('workspace stays within 8 MiB for big layers (3x3x512x512, 3x1024x1024 conv1d, 3x3x8x4096), every pass', () => {
    const big = [
      convGeometry(2, 1, [14, 14], 512, [3, 3], 512, [1, 1], [1, 1], 'same'),
      convGeometry(1, 1, [100], 1024, [3], 1024, [1], [1], 'same'),
      convGeometry(2, 1, [8, 8], 8, [3, 3], 4096, [1, 1], [1, 1], 'same'),
    ];
    for (const g of big) {
      for (const pass of ['forward', 'backpropInput', 'backpropFilter'] as const) {
        expect(convWorkspaceBytes(g, pass)).toBeLessThanOrEqual(8 * 1024 * 1024);
      }
    }
  });

  test('workspace does not grow with the batch (resnet-conv shape, batch 1 vs 64, every pass)', () => {
    for (const pass of ['forward', 'backpropInput', 'backpropFilter'] as const) {
      const small = convWorkspaceBytes(convGeometry(2, 1, [56, 56], 64, [3, 3], 64, [1, 1], [1, 1], 'same'), pass);
      const large = convWorkspaceBytes(convGeometry(2, 64, [56, 56], 64, [3, 3], 64, [1, 1], [1, 1], 'same'), pass);
      expect(large).toBe(small);
      expect(large).toBeLessThanOrEqual(4 * 1024 * 1024);
    }
  });
});
