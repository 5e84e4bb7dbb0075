/**
 * The wasm convolution kernels (kernels/wasm/conv.ts) against the naive loops of
 * kernels/reference/conv.ts and the JS kernels of kernels/conv.ts, over option sweeps: ranks 1–3,
 * strides, dilation, 'same'/'valid'/'causal' padding, batch 1 and 2, channel counts around the
 * register tile's edges (MR = 4 rows, NR = 8 columns), every pass.
 *
 * Tolerance: |wasm − ref| ≤ 1e-5 · Σ|terms| elementwise (the scale of each sum, computed by the
 * same reference loops on |x| and |w|): the wasm kernels sum in float32, the reference in float64.
 */
import { ConvGeometry, Padding, convGeometry } from '../kernels/conv-geometry';
import { convBackpropFilter, convBackpropInput, convForward } from '../kernels/conv';
import {
  convBackpropFilterReference, convBackpropInputReference, convForwardReference,
} from '../kernels/reference/conv';
import { convBackpropFilterWasm, convBackpropInputWasm, convForwardWasm, dotPlan, filterPlan, winogradPlan } from '../kernels/wasm/conv';
import { wasmRuntime } from '../kernels/wasm/runtime';
import { Random } from '../lib/random';

interface Case {
  batch: number; inSpatial: number[]; inC: number; kernel: number[]; outC: number;
  strides: number[]; dilations: number[]; padding: Padding;
}

const rankOf = (c: Case): 1 | 2 | 3 => c.inSpatial.length as 1 | 2 | 3;
const describeCase = (c: Case): string =>
  `rank${rankOf(c)} x=[${c.batch},${c.inSpatial},${c.inC}] k=[${c.kernel},${c.inC},${c.outC}] ` +
  `s=${c.strides.join('x')} d=${c.dilations.join('x')} p=${c.padding}`;
const geom = (c: Case): ConvGeometry =>
  convGeometry(rankOf(c), c.batch, c.inSpatial, c.inC, c.kernel, c.outC, c.strides, c.dilations, c.padding);

const rng = new Random(97);
function randomArray(n: number): Float32Array {
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
const absOf = (a: Float32Array): Float32Array => a.map(Math.abs);

/** '' when every |a − e| ≤ 1e-5 · scale (+ a floor for sums of nothing), else the first bad index. */
function mismatch(actual: Float32Array, expected: Float32Array, scale: Float32Array, label: string): string {
  if (actual.length !== expected.length) return `${label}: length ${actual.length}, expected ${expected.length}`;
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i], e = expected[i];
    if (!(Math.abs(a - e) <= 1e-5 * scale[i] + 1e-30)) return `${label}: index ${i}: got ${a}, expected ${e} (scale ${scale[i]})`;
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
  c1(4, 2, 7, 3, 1, 1, 'same'),             // kernel longer than the input
  c1(11, 5, 1, 4, 1, 1, 'valid'),           // pointwise
  c1(11, 5, 1, 4, 2, 1, 'same'),            // 1×1 strided
  c1(33, 9, 3, 17, 1, 1, 'same', 1),        // inC ≥ 8: dx through the flipped-kernel forward; N = 2·NR + 1
  c1(40, 30, 3, 8, 1, 2, 'causal', 1),      // long native runs of x, N = NR
  c1(21, 16, 5, 9, 2, 1, 'same'),           // strided col2im with inC ≥ 8
  // rank 2
  c2([7, 7], 3, [3, 3], 5, [2, 2], [1, 1], 'same'),
  c2([7, 7], 3, [3, 3], 5, [2, 2], [1, 1], 'valid'),
  c2([7, 7], 3, [3, 3], 5, [1, 1], [2, 2], 'same'),
  c2([8, 6], 2, [2, 3], 4, [1, 1], [2, 2], 'valid'),
  c2([3, 2], 2, [5, 4], 3, [1, 1], [1, 1], 'same'),       // kernel larger than the input
  c2([9, 9], 1, [3, 3], 7, [1, 1], [1, 1], 'same', 1),    // an MNIST first layer (K = 9), batch 1
  c2([10, 12], 8, [3, 3], 16, [1, 1], [1, 1], 'same'),    // dx via the flipped kernel, N = 2·NR
  c2([11, 9], 12, [3, 2], 9, [2, 1], [1, 1], 'same', 1),  // mixed strides
  c2([13, 13], 9, [3, 3], 3, [1, 1], [2, 3], 'valid'),    // mixed dilations, N < NR
  // rank 3
  c3([5, 5, 5], 2, [3, 3, 3], 3, [1, 1, 1], [1, 1, 1], 'same'),
  c3([6, 5, 4], 2, [2, 3, 2], 4, [2, 1, 2], [1, 1, 1], 'valid'),
  c3([5, 6, 7], 3, [2, 2, 3], 2, [1, 1, 1], [2, 1, 2], 'same', 1),
  c3([4, 5, 6], 8, [3, 3, 3], 10, [1, 1, 1], [1, 1, 1], 'same', 1),
];

describe('wasm conv kernels vs reference loops and the JS kernels', () => {
  beforeAll(() => { expect(wasmRuntime()).not.toBeNull(); });
  for (const c of CASES) {
    const name = describeCase(c);
    const g = geom(c), n = sizes(g);
    const x = randomArray(n.x), w = randomArray(n.w), dy = randomArray(n.y), bias = randomArray(g.outC);
    test(`forward (with and without bias) ${name}`, () => {
      for (const b of [null, bias]) {
        const got = new Float32Array(n.y).fill(NaN), want = new Float32Array(n.y), js = new Float32Array(n.y), scale = new Float32Array(n.y);
        convForwardWasm(g, x, w, b, got);
        convForwardReference(g, x, w, b, want);
        convForward(g, x, w, b, js);
        convForwardReference(g, absOf(x), absOf(w), b === null ? null : absOf(b), scale);
        expect(mismatch(got, want, scale, 'vs reference')).toBe('');
        expect(mismatch(got, js, scale, 'vs JS kernel')).toBe('');
      }
    });
    test(`backpropInput ${name}`, () => {
      const got = new Float32Array(n.x).fill(NaN), want = new Float32Array(n.x), js = new Float32Array(n.x), scale = new Float32Array(n.x);
      convBackpropInputWasm(g, dy, w, got);
      convBackpropInputReference(g, dy, w, want);
      convBackpropInput(g, dy, w, js);
      convBackpropInputReference(g, absOf(dy), absOf(w), scale);
      expect(mismatch(got, want, scale, 'vs reference')).toBe('');
      expect(mismatch(got, js, scale, 'vs JS kernel')).toBe('');
    });
    test(`backpropFilter ${name}`, () => {
      const got = new Float32Array(n.w).fill(NaN), want = new Float32Array(n.w), js = new Float32Array(n.w), scale = new Float32Array(n.w);
      convBackpropFilterWasm(g, x, dy, got);
      convBackpropFilterReference(g, x, dy, want);
      convBackpropFilter(g, x, dy, js);
      convBackpropFilterReference(g, absOf(x), absOf(dy), scale);
      expect(mismatch(got, want, scale, 'vs reference')).toBe('');
      expect(mismatch(got, js, scale, 'vs JS kernel')).toBe('');
    });
  }
});

describe('wasm conv kernels: tiles, sizes, IEEE values', () => {
  test('several tiles and KC slices: x=[2,40,40,24] k=[3,3,24,40] same (K = 216, N = 40), every pass vs the JS kernels', () => {
    const g = geom(c2([40, 40], 24, [3, 3], 40, [1, 1], [1, 1], 'same'));
    const n = sizes(g);
    const x = randomArray(n.x), w = randomArray(n.w), dy = randomArray(n.y);
    const pairs: [Float32Array, Float32Array, Float32Array][] = [];
    const y = [new Float32Array(n.y), new Float32Array(n.y), new Float32Array(n.y)];
    convForwardWasm(g, x, w, null, y[0]); convForward(g, x, w, null, y[1]); convForward(g, absOf(x), absOf(w), null, y[2]);
    pairs.push([y[0], y[1], y[2]]);
    const dx = [new Float32Array(n.x), new Float32Array(n.x), new Float32Array(n.x)];
    convBackpropInputWasm(g, dy, w, dx[0]); convBackpropInput(g, dy, w, dx[1]); convBackpropInput(g, absOf(dy), absOf(w), dx[2]);
    pairs.push([dx[0], dx[1], dx[2]]);
    const dw = [new Float32Array(n.w), new Float32Array(n.w), new Float32Array(n.w)];
    convBackpropFilterWasm(g, x, dy, dw[0]); convBackpropFilter(g, x, dy, dw[1]); convBackpropFilter(g, absOf(x), absOf(dy), dw[2]);
    pairs.push([dw[0], dw[1], dw[2]]);
    for (const [got, want, scale] of pairs) expect(mismatch(got, want, scale, 'vs JS')).toBe('');
  });
  test('K > KC = 256 (x=[1,6,6,40] k=[3,3,40,12], K = 360) and strided col2im with K > 256, vs reference', () => {
    for (const s of [1, 2]) {
      const g = geom(c2([6, 6], 40, [3, 3], 12, [s, s], [1, 1], 'same', 1));
      const n = sizes(g);
      const x = randomArray(n.x), w = randomArray(n.w), dy = randomArray(n.y);
      const y = new Float32Array(n.y), yr = new Float32Array(n.y), ys = new Float32Array(n.y);
      convForwardWasm(g, x, w, null, y); convForwardReference(g, x, w, null, yr); convForwardReference(g, absOf(x), absOf(w), null, ys);
      expect(mismatch(y, yr, ys, `forward s=${s}`)).toBe('');
      const dx = new Float32Array(n.x), dxr = new Float32Array(n.x), dxs = new Float32Array(n.x);
      convBackpropInputWasm(g, dy, w, dx); convBackpropInputReference(g, dy, w, dxr); convBackpropInputReference(g, absOf(dy), absOf(w), dxs);
      expect(mismatch(dx, dxr, dxs, `backpropInput s=${s}`)).toBe('');
      const dw = new Float32Array(n.w), dwr = new Float32Array(n.w), dws = new Float32Array(n.w);
      convBackpropFilterWasm(g, x, dy, dw); convBackpropFilterReference(g, x, dy, dwr); convBackpropFilterReference(g, absOf(x), absOf(dy), dws);
      expect(mismatch(dw, dwr, dws, `backpropFilter s=${s}`)).toBe('');
    }
  });
  test('inputs larger than the 8 MiB X region: one batch item per group (x=[2,256,256,16], 4 MiB per item) and the JS gather/scatter (one item of 8.2 MiB), strided, every pass vs the JS kernels', () => {
    for (const c of [c2([256, 256], 16, [1, 3], 3, [1, 2], [1, 1], 'same', 2), c1(270_000, 8, 3, 2, 2, 1, 'same', 1)]) {
      const g = geom(c), n = sizes(g);
      const x = randomArray(n.x), w = randomArray(n.w), dy = randomArray(n.y);
      const y = new Float32Array(n.y), yj = new Float32Array(n.y), ys = new Float32Array(n.y);
      convForwardWasm(g, x, w, null, y); convForward(g, x, w, null, yj); convForward(g, absOf(x), absOf(w), null, ys);
      expect(mismatch(y, yj, ys, `forward ${describeCase(c)}`)).toBe('');
      const dw = new Float32Array(n.w), dwj = new Float32Array(n.w), dws = new Float32Array(n.w);
      convBackpropFilterWasm(g, x, dy, dw); convBackpropFilter(g, x, dy, dwj); convBackpropFilter(g, absOf(x), absOf(dy), dws);
      expect(mismatch(dw, dwj, dws, `backpropFilter ${describeCase(c)}`)).toBe('');
      const dx = new Float32Array(n.x).fill(NaN), dxj = new Float32Array(n.x), dxs = new Float32Array(n.x);
      convBackpropInputWasm(g, dy, w, dx); convBackpropInput(g, dy, w, dxj); convBackpropInput(g, absOf(dy), absOf(w), dxs);
      expect(mismatch(dx, dxj, dxs, `backpropInput ${describeCase(c)}`)).toBe('');
    }
  });
  test('NaN and Infinity in x reach exactly the outputs that read them (x=[1,3,3,1] k=[2,2,1,1] valid)', () => {
    const g = geom(c2([3, 3], 1, [2, 2], 1, [1, 1], [1, 1], 'valid', 1));
    const x = Float32Array.from([1, 1, 1, 1, NaN, 1, 1, 1, Infinity]);
    const w = Float32Array.from([1, 1, 1, 1]);
    const y = new Float32Array(4), want = new Float32Array(4);
    convForwardWasm(g, x, w, null, y);
    convForwardReference(g, x, w, null, want);
    expect(Array.from(y)).toEqual(Array.from(want)); // every output reads the NaN
    const g2 = geom(c2([3, 3], 1, [1, 1], 1, [1, 1], [1, 1], 'valid', 1));
    const y2 = new Float32Array(9);
    convForwardWasm(g2, x, w.subarray(0, 1), null, y2);
    expect(Array.from(y2)).toEqual([1, 1, 1, 1, NaN, 1, 1, 1, Infinity]);
  });
});

describe('wasm gradients for one input channel (dot_rows over the padded dy; dW from the padded x in place)', () => {
  // inC = 1, every stride 1, dilW = 1: outC around the f32x4 width (channels padded to 4), output
  // widths 1…9 (the group of four positions at each row's end), dilation in h and d, every padding.
  const DOT_CASES: Case[] = [
    c1(1, 1, 1, 1, 1, 1, 'valid', 1),
    c1(5, 1, 3, 1, 1, 1, 'same'),
    c1(9, 1, 4, 3, 1, 1, 'causal'),
    c1(6, 1, 7, 5, 1, 1, 'same'),              // kernel longer than the input
    c1(13, 1, 3, 33, 1, 1, 'valid', 3),
    c2([1, 1], 1, [1, 1], 4, [1, 1], [1, 1], 'valid', 1),
    c2([4, 2], 1, [3, 3], 2, [1, 1], [1, 1], 'same'),
    c2([5, 3], 1, [2, 2], 4, [1, 1], [1, 1], 'valid'),
    c2([6, 7], 1, [3, 2], 5, [1, 1], [2, 1], 'same'),   // dilation along h
    c2([7, 8], 1, [3, 3], 8, [1, 1], [1, 1], 'valid'),
    c2([8, 9], 1, [5, 5], 17, [1, 1], [1, 1], 'same'),
    c2([28, 28], 1, [3, 3], 32, [1, 1], [1, 1], 'same', 3), // the MNIST bench layer, batch 3
    c3([3, 4, 5], 1, [2, 3, 3], 6, [1, 1, 1], [1, 1, 1], 'same'),
    c3([5, 4, 3], 1, [3, 2, 1], 3, [1, 1, 1], [2, 1, 1], 'valid'), // dilation along d
  ];
  for (const c of DOT_CASES) {
    test(`backpropInput ${describeCase(c)} vs reference and the JS kernel`, () => {
      const g = geom(c), n = sizes(g);
      expect(dotPlan(g)).not.toBeNull(); // the dot_rows route is the one taken
      const dy = randomArray(n.y), w = randomArray(n.w);
      const got = new Float32Array(n.x).fill(NaN), want = new Float32Array(n.x), js = new Float32Array(n.x), scale = new Float32Array(n.x);
      convBackpropInputWasm(g, dy, w, got);
      convBackpropInputReference(g, dy, w, want);
      convBackpropInput(g, dy, w, js);
      convBackpropInputReference(g, absOf(dy), absOf(w), scale);
      expect(mismatch(got, want, scale, 'vs reference')).toBe('');
      expect(mismatch(got, js, scale, 'vs JS kernel')).toBe('');
    });
  }
  for (const c of DOT_CASES.filter((c) => c.kernel[c.kernel.length - 1] <= 4)) {
    test(`backpropFilter ${describeCase(c)} vs reference and the JS kernel`, () => {
      const g = geom(c), n = sizes(g);
      expect(filterPlan(g)).not.toBeNull();
      const x = randomArray(n.x), dy = randomArray(n.y);
      const got = new Float32Array(n.w).fill(NaN), want = new Float32Array(n.w), js = new Float32Array(n.w), scale = new Float32Array(n.w);
      convBackpropFilterWasm(g, x, dy, got);
      convBackpropFilterReference(g, x, dy, want);
      convBackpropFilter(g, x, dy, js);
      convBackpropFilterReference(g, absOf(x), absOf(dy), scale);
      expect(mismatch(got, want, scale, 'vs reference')).toBe('');
      expect(mismatch(got, js, scale, 'vs JS kernel')).toBe('');
    });
  }
  test('backpropFilter with Infinity and NaN in x (x=[2,6,6,1] k=[3,3,1,5] same) gives the JS kernel\'s non-finite pattern exactly', () => {
    const g = geom(c2([6, 6], 1, [3, 3], 5, [1, 1], [1, 1], 'same')), n = sizes(g);
    const x = randomArray(n.x), dy = randomArray(n.y);
    x[5] = Infinity; // the last column of row 0: the padded grid's extra positions read it
    x[36 + 13] = NaN;
    for (let i = 0; i < n.y; i += 7) dy[i] = 0;
    const got = new Float32Array(n.w), js = new Float32Array(n.w);
    convBackpropFilterWasm(g, x, dy, got);
    convBackpropFilter(g, x, dy, js);
    const pattern = (a: Float32Array): string[] => Array.from(a, (v) => (Number.isFinite(v) ? 'finite' : String(v)));
    expect(pattern(got)).toEqual(pattern(js));
  });
  test('several groups of batch items (x=[4,200,200,1] k=[3,3,1,16] same: 2.6 MB of padded dy per item, 3 per group) vs the JS kernel', () => {
    const g = geom(c2([200, 200], 1, [3, 3], 16, [1, 1], [1, 1], 'same', 4)), n = sizes(g);
    expect(dotPlan(g)?.group).toBe(3);
    const dy = randomArray(n.y), w = randomArray(n.w);
    const got = new Float32Array(n.x).fill(NaN), js = new Float32Array(n.x), scale = new Float32Array(n.x);
    convBackpropInputWasm(g, dy, w, got);
    convBackpropInput(g, dy, w, js);
    convBackpropInput(g, absOf(dy), absOf(w), scale);
    expect(mismatch(got, js, scale, 'vs JS kernel')).toBe('');
  });
  test('backpropFilter over several groups of batch items and several dy chunks per slab (x=[2,1100000,1] k=[3,1,10] same: one 4.4 MB item per group, 23 chunks of dy) vs the JS kernel', () => {
    const g = geom(c1(1_100_000, 1, 3, 10, 1, 1, 'same', 2)), n = sizes(g);
    const p = filterPlan(g);
    expect([p?.group, Math.ceil(g.outW / (p?.chunk ?? Infinity))]).toEqual([1, 23]);
    const x = randomArray(n.x), dy = randomArray(n.y);
    const dw = new Float32Array(n.w).fill(NaN), dwj = new Float32Array(n.w), dws = new Float32Array(n.w);
    convBackpropFilterWasm(g, x, dy, dw);
    convBackpropFilter(g, x, dy, dwj);
    convBackpropFilter(g, absOf(x), absOf(dy), dws);
    expect(mismatch(dw, dwj, dws, 'backpropFilter vs JS kernel')).toBe('');
  });
  test('NaN and Infinity in dy reach exactly the dx positions whose windows read them (x=[1,4,4,1] k=[2,2,1,2] valid)', () => {
    const g = geom(c2([4, 4], 1, [2, 2], 2, [1, 1], [1, 1], 'valid', 1)), n = sizes(g);
    const dy = new Float32Array(n.y).fill(1);
    dy[0] = NaN; // position (0, 0), channel 0: reaches dx (0,0), (0,1), (1,0), (1,1)
    dy[2 * 8 + 1] = Infinity; // position (2, 2), channel 1: reaches dx (2..3, 2..3)
    const w = new Float32Array(n.w).fill(1);
    const got = new Float32Array(n.x), want = new Float32Array(n.x);
    convBackpropInputWasm(g, dy, w, got);
    convBackpropInputReference(g, dy, w, want);
    expect(Array.from(got)).toEqual(Array.from(want));
    // dx (1,1) reads the NaN, dx (3,3) only the Infinity, dx (0,3) two finite terms (one window, two channels)
    expect([Number.isNaN(got[5]), got[15], got[3]]).toEqual([true, Infinity, 2]);
  });
});

describe('wasm Winograd F(4,3) along W (kW = 3, strideW = 1, dilW = 1, outW ≥ 8, channels multiples of 4)', () => {
  // output widths 8…13 (a partial last quad), borders on both sides, D/H strides, dilations and
  // padding, ranks 1–3; forward with and without bias and backprop-input (the flipped-kernel
  // forward of dy takes the same route when inC and outC are multiples of 4).
  const WINO_CASES: Case[] = [
    c1(8, 4, 3, 4, 1, 1, 'valid', 1),        // outW = 6: too narrow, plain route (checks the plan's gate)
    c1(10, 4, 3, 4, 1, 1, 'valid'),          // outW = 8: two full quads
    c1(13, 8, 3, 12, 1, 1, 'same'),          // outW = 13: a last quad with one live output
    c1(11, 4, 3, 8, 1, 1, 'causal'),
    c2([9, 11], 4, [3, 3], 8, [1, 1], [1, 1], 'same'),
    c2([9, 12], 8, [3, 3], 4, [2, 1], [1, 1], 'same'),   // stride along h only
    c2([10, 14], 4, [2, 3], 4, [1, 1], [2, 1], 'valid'),  // dilation along h, kH = 2
    c2([16, 16], 32, [3, 3], 64, [1, 1], [1, 1], 'same', 1),
    c2([13, 13], 16, [3, 3], 32, [1, 1], [1, 1], 'valid'), // the training bench's second layer
    c3([4, 5, 10], 4, [2, 3, 3], 8, [1, 1, 1], [1, 1, 1], 'same'),
    c3([5, 4, 9], 4, [3, 1, 3], 4, [2, 1, 1], [1, 1, 1], 'valid', 1),
  ];
  for (const c of WINO_CASES) {
    const g = geom(c), n = sizes(g);
    const x = randomArray(n.x), w = randomArray(n.w), dy = randomArray(n.y), bias = randomArray(g.outC);
    test(`forward ${describeCase(c)} (route: ${winogradPlan(g) === null ? 'plain' : 'winograd'}) vs reference and the JS kernel`, () => {
      expect(winogradPlan(g) === null).toBe(g.outW < 8);
      for (const b of [null, bias]) {
        const got = new Float32Array(n.y).fill(NaN), want = new Float32Array(n.y), js = new Float32Array(n.y), scale = new Float32Array(n.y);
        convForwardWasm(g, x, w, b, got);
        convForwardReference(g, x, w, b, want);
        convForward(g, x, w, b, js);
        convForwardReference(g, absOf(x), absOf(w), b === null ? null : absOf(b), scale);
        expect(mismatch(got, want, scale, `vs reference, bias ${b !== null}`)).toBe('');
        expect(mismatch(got, js, scale, `vs JS kernel, bias ${b !== null}`)).toBe('');
      }
    });
    test(`backpropInput ${describeCase(c)} vs reference`, () => {
      const got = new Float32Array(n.x).fill(NaN), want = new Float32Array(n.x), scale = new Float32Array(n.x);
      convBackpropInputWasm(g, dy, w, got);
      convBackpropInputReference(g, dy, w, want);
      convBackpropInputReference(g, absOf(dy), absOf(w), scale);
      expect(mismatch(got, want, scale, 'vs reference')).toBe('');
    });
  }
  test('several tiles and groups of batch items (x=[3,130,130,64] k=[3,3,64,8] same: 4.3 MB per item, one item per group, tiles across rows) vs the JS kernel', () => {
    const g = geom(c2([130, 130], 64, [3, 3], 8, [1, 1], [1, 1], 'same', 3)), n = sizes(g);
    const p = winogradPlan(g);
    expect(p).not.toBeNull();
    expect(g.outH * p!.qpr).toBeGreaterThan(p!.tile);
    expect(Math.floor(((8 << 20) / 4 - 64) / (130 * 130 * 64))).toBe(1); // the X region holds one item
    const x = randomArray(n.x), w = randomArray(n.w);
    const got = new Float32Array(n.y).fill(NaN), js = new Float32Array(n.y), scale = new Float32Array(n.y);
    convForwardWasm(g, x, w, null, got);
    convForward(g, x, w, null, js);
    convForward(g, absOf(x), absOf(w), null, scale);
    expect(mismatch(got, js, scale, 'vs JS kernel')).toBe('');
  });
  test('a NaN in x reaches only the quads whose windows read it (x=[1,1,12,4] k=[1,3,4,4] valid: outputs 0…9 in quads 0–3, 4–7, 8–9)', () => {
    const g = geom(c2([1, 12], 4, [1, 3], 4, [1, 1], [1, 1], 'valid', 1)), n = sizes(g);
    expect(winogradPlan(g)).not.toBeNull();
    const x = randomArray(n.x), w = randomArray(n.w);
    x[4 * 10 + 2] = NaN; // column 10, channel 2: read by outputs 8 and 9 (quad 2) only
    const y = new Float32Array(n.y);
    convForwardWasm(g, x, w, null, y);
    const nanPositions = [...new Set(Array.from(y).flatMap((v, i) => (Number.isNaN(v) ? [Math.floor(i / 4)] : [])))];
    expect(nanPositions).toEqual([8, 9]);
  });
});
