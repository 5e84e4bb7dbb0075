/**
 * Every exported op, called with generated bad arguments: one argument (or one option field)
 * replaced by a value from the bad-value pool. Each call must return a well-formed result or throw
 * a typed error naming the op (fuzz-helpers.ts). Then "near-valid" sweeps of conv, pooling and
 * matMul: random small shapes and options, some illegal; every accepted case must equal the
 * reference loop (kernels/reference/), so a wrong answer cannot hide behind "it did not throw".
 */
import fc from 'fast-check';
import * as R from '../../lib';
import { Tensor } from '../../lib';
import { convGeometry, type Padding } from '../../kernels/conv-geometry';
import { convBackpropFilterReference, convBackpropInputReference, convForwardReference } from '../../kernels/reference/conv';
import { avgPoolForwardReference, maxPoolForwardReference } from '../../kernels/reference/pool';
import { gemmReference } from '../../kernels/reference/gemm';
import { FC_SEED, Tally, badValue, finite, mutate, show, typedOutcome } from './fuzz-helpers';

const tally = new Tally();
afterAll(() => console.log(tally.report('fuzz-ops: generated cases')));

function t(shape: number[], seed = 1): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  const d = new Float32Array(n);
  for (let i = 0; i < n; i++) d[i] = Math.sin(seed * 7.1 + i * 1.3);
  return new Tensor(d, shape);
}

/** Valid arguments for every op, and which argument is an options object (with its fields). */
interface OpCase { args: () => unknown[]; options?: { index: number; fields: string[] } }
const conv = (r: 1 | 2 | 3) => ({
  x: [2, ...new Array(r).fill(5), 3], w: [...new Array(r).fill(3), 3, 4], dy: [2, ...new Array(r).fill(3), 4],
});
const convOpts = { index: 2, fields: ['strides', 'padding', 'dilationRate', 'bias'] };
const bpOpts = { index: 3, fields: ['strides', 'padding', 'dilationRate'] };
const poolOpts = (i: number) => ({ index: i, fields: ['poolSize', 'strides', 'padding'] });
const pool = (r: number) => [2, ...new Array(r).fill(4), 3];
const pooled = (r: number) => [2, ...new Array(r).fill(2), 3];

const OPS: Record<string, OpCase> = {
  tensor: { args: () => [[1, 2, 3, 4], [2, 2]] },
  zeros: { args: () => [[2, 3]] },
  ones: { args: () => [[2, 3]] },
  fill: { args: () => [[2, 3], 0.5] },
  randomNormal: { args: () => [[2, 3], { mean: 0, stddev: 1, seed: 1 }], options: { index: 1, fields: ['mean', 'stddev', 'seed'] } },
  randomUniform: { args: () => [[2, 3], { minval: 0, maxval: 1, seed: 1 }], options: { index: 1, fields: ['minval', 'maxval', 'seed'] } },
  ...Object.fromEntries(['add', 'sub', 'mul', 'div', 'maximum', 'minimum'].map((k) => [k, { args: () => [t([2, 3]), t([3], 2)] }])),
  ...Object.fromEntries(['neg', 'abs', 'square', 'sqrt', 'exp', 'log', 'sign', 'relu', 'sigmoid', 'tanh', 'globalAvgPool', 'globalMaxPool', 'convBiasGradient']
    .map((k) => [k, { args: () => [t([2, 3, 4])] }])),
  softmax: { args: () => [t([2, 3]), -1] },
  logSoftmax: { args: () => [t([2, 3]), -1] },
  argMax: { args: () => [t([2, 3]), -1] },
  ...Object.fromEntries(['logSumExp', 'sum', 'mean', 'max', 'min'].map((k) => [k, { args: () => [t([2, 3, 4]), [0, 2], true] }])),
  matMul: { args: () => [t([2, 3]), t([3, 4]), { transposeA: false, transposeB: false }], options: { index: 2, fields: ['transposeA', 'transposeB'] } },
  transpose: { args: () => [t([2, 3, 4]), [2, 0, 1]] },
  concat: { args: () => [[t([2, 3]), t([2, 2])], 1] },
  slice: { args: () => [t([4, 5]), [1, 2], [2, 3]] },
  oneHot: { args: () => [[0, 2, 1], 3] },
  ...Object.fromEntries(([1, 2, 3] as const).flatMap((r) => [
    [`conv${r}d`, { args: () => [t(conv(r).x), t(conv(r).w, 2), { strides: 1, padding: 'valid', dilationRate: 1 }], options: convOpts }],
    [`conv${r}dBackpropInput`, { args: () => [t(conv(r).dy), t(conv(r).w, 2), conv(r).x, { strides: 1, padding: 'valid', dilationRate: 1 }], options: bpOpts }],
    [`conv${r}dBackpropFilter`, { args: () => [t(conv(r).x), t(conv(r).dy, 2), conv(r).w, { strides: 1, padding: 'valid', dilationRate: 1 }], options: bpOpts }],
    [`maxPool${r}d`, { args: () => [t(pool(r)), { poolSize: 2, strides: 2, padding: 'valid' }], options: poolOpts(1) }],
    [`avgPool${r}d`, { args: () => [t(pool(r)), { poolSize: 2, strides: 2, padding: 'valid' }], options: poolOpts(1) }],
    [`maxPool${r}dBackprop`, { args: () => [t(pooled(r)), t(pool(r), 2), { poolSize: 2, strides: 2, padding: 'valid' }], options: poolOpts(2) }],
    [`avgPool${r}dBackprop`, { args: () => [t(pooled(r)), pool(r), { poolSize: 2, strides: 2, padding: 'valid' }], options: poolOpts(2) }],
  ])),
  convOutputShape: { args: () => [2, [2, 5, 5, 3], [3, 3, 3, 4], { strides: 1, padding: 'same', dilationRate: 1 }], options: bpOpts },
  poolOutputShape: { args: () => [[2, 4, 4, 3], { poolSize: 2, strides: 2, padding: 'valid' }], options: poolOpts(1) },
  globalAvgPoolBackprop: { args: () => [t([2, 3]), [2, 4, 4, 3]] },
  // depthwise [kh, kw, C, mult] and transposed [k…, filters, inC] kernels (Keras layouts)
  depthwiseConv2d: { args: () => [t([2, 5, 5, 3]), t([3, 3, 3, 2], 2), { strides: 1, padding: 'same', dilationRate: 1 }], options: convOpts },
  depthwiseConv2dBackpropInput: { args: () => [t([2, 5, 5, 6]), t([3, 3, 3, 2], 2), [2, 5, 5, 3], { strides: 1, padding: 'same', dilationRate: 1 }], options: bpOpts },
  depthwiseConv2dBackpropFilter: { args: () => [t([2, 5, 5, 3]), t([2, 5, 5, 6], 2), [3, 3, 3, 2], { strides: 1, padding: 'same', dilationRate: 1 }], options: bpOpts },
  ...Object.fromEntries(([1, 2, 3] as const).map((r) => [`conv${r}dTranspose`, {
    args: () => [t([2, ...new Array(r).fill(3), 4]), t([...new Array(r).fill(3), 2, 4], 2), { strides: 2, padding: 'same', dilationRate: 1, outputPadding: null }],
    options: { index: 2, fields: ['strides', 'padding', 'dilationRate', 'outputPadding', 'bias'] },
  }])),
  globalMaxPoolBackprop: { args: () => [t([2, 3]), t([2, 4, 4, 3], 2)] },
};

const CASES_PER_OP = 400;

/** A returned value must be well formed: a Tensor whose buffer matches its shape, or a shape. */
function wellFormed(v: unknown): boolean {
  if (v instanceof Tensor) return v.data.length === v.shape.reduce((a, b) => a * b, 1) && v.shape.every((d) => Number.isInteger(d) && d >= 0);
  if (Array.isArray(v)) return v.every((d) => Number.isInteger(d) && d >= 0);
  return false;
}

describe('every exported op under generated bad arguments', () => {
  test('the table covers every exported function that is an op', () => {
    const notOps = new Set(['RidgeError', 'ShapeError', 'ConfigError', 'ValueError', 'Tensor', 'Random', 'Layer', 'SymbolicTensor',
      'History', 'Model', 'input', 'sequential', 'model', 'gradCheck', 'fromNdarray', 'toNdarray', 'setBackend', 'getBackend',
      'loadLayersModel', 'modelFromJSON', 'registerRegularizer', 'wasmBackendAvailable']);
    const exported = Object.entries(R).filter(([k, v]) => typeof v === 'function' && !notOps.has(k) && /^[a-z]/.test(k)).map(([k]) => k);
    expect(exported.filter((k) => !(k in OPS))).toEqual([]);
  });

  test.each(Object.keys(OPS))('%s', (name) => {
    const op = (R as unknown as Record<string, (...a: unknown[]) => unknown>)[name];
    const spec = OPS[name];
    // The valid call works (so a typed error below is caused by the mutation).
    expect(wellFormed(op(...spec.args()))).toBe(true);
    const n = spec.args().length;
    const fieldArb = spec.options ? fc.option(fc.constantFrom(...spec.options.fields), { nil: null }) : fc.constant(null);
    fc.assert(fc.property(fc.integer({ min: 0, max: n - 1 }), fieldArb, badValue(), fc.boolean(), (i, field, v, drop) => {
      const useField = spec.options && i === spec.options.index ? field : null;
      let args = mutate(spec.args(), i, useField, v);
      if (drop && useField === null) args = args.slice(0, i); // also: too few arguments
      const o = typedOutcome(name, () => op(...args), () => show(args));
      tally.add('ops × bad arguments', o);
      if (o.ok && !wellFormed(o.value)) throw new Error(`${name}(${show(args)}) returned a malformed value`);
    }), { numRuns: CASES_PER_OP, seed: FC_SEED });
  });
});

describe('backend selection under generated bad arguments', () => {
  test('setBackend: anything but a known backend name is a ConfigError naming it; the backend stays', () => {
    const api = R as unknown as { setBackend?: (b: unknown) => void; getBackend?: () => string };
    if (typeof api.setBackend !== 'function') return; // a build with one backend
    const before = api.getBackend!();
    fc.assert(fc.property(fc.oneof(badValue(), fc.constantFrom('WASM', 'cpu', 'webgl', 'js ', 'tfjs')), (v) => {
      const o = typedOutcome('setBackend', () => api.setBackend!(v), () => show([v]));
      tally.add('setBackend × bad names', o);
      if (o.ok) throw new Error(`setBackend(${show([v])}) was accepted`);
      if (api.getBackend!() !== before) throw new Error(`setBackend(${show([v])}) failed but changed the backend`);
    }), { numRuns: 200, seed: FC_SEED });
  });
});

// ---------------------------------------------------------------------------------- near-valid

const CONV = { 1: R.conv1d, 2: R.conv2d, 3: R.conv3d } as const;
const CONV_BI = { 1: R.conv1dBackpropInput, 2: R.conv2dBackpropInput, 3: R.conv3dBackpropInput } as const;
const CONV_BF = { 1: R.conv1dBackpropFilter, 2: R.conv2dBackpropFilter, 3: R.conv3dBackpropFilter } as const;

function close(a: Float32Array, b: Float32Array, tol = 1e-4): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (!(Math.abs(a[i] - b[i]) <= tol * (1 + Math.abs(b[i])))) return false;
  return true;
}

const convCase = fc.record({
  rank: fc.constantFrom(1, 2, 3) as fc.Arbitrary<1 | 2 | 3>,
  batch: fc.integer({ min: 1, max: 2 }),
  size: fc.integer({ min: 1, max: 7 }),
  cin: fc.integer({ min: 1, max: 3 }),
  cout: fc.integer({ min: 1, max: 3 }),
  k: fc.integer({ min: 1, max: 4 }),
  stride: fc.integer({ min: 1, max: 3 }),
  dil: fc.integer({ min: 1, max: 3 }),
  padding: fc.constantFrom('valid', 'same', 'causal') as fc.Arbitrary<Padding>,
  pass: fc.constantFrom('forward', 'input', 'filter'),
});

describe('near-valid sweeps: every accepted case equals the reference loop', () => {
  test('convolution forward / backprop-input / backprop-filter, ranks 1–3', () => {
    let checked = 0;
    fc.assert(fc.property(convCase, (c) => {
      const sp = new Array(c.rank).fill(c.size), ks = new Array(c.rank).fill(c.k);
      const opts = { strides: c.stride, padding: c.padding, dilationRate: c.dil };
      const xShape = [c.batch, ...sp, c.cin], wShape = [...ks, c.cin, c.cout];
      const fwd = typedOutcome(`conv${c.rank}d`, () => CONV[c.rank](t(xShape), t(wShape, 2), opts), () => JSON.stringify(c));
      tally.add('conv near-valid', fwd);
      if (!fwd.ok) return;
      const g = convGeometry(c.rank, c.batch, sp, c.cin, ks, c.cout, new Array(c.rank).fill(c.stride), new Array(c.rank).fill(c.dil), c.padding);
      const y = fwd.value as Tensor;
      if (c.pass === 'forward') {
        const ref = new Float32Array(y.size);
        convForwardReference(g, t(xShape).data, t(wShape, 2).data, null, ref);
        if (!close(y.data, ref)) throw new Error(`conv${c.rank}d ${JSON.stringify(c)} differs from the reference`);
      } else if (c.pass === 'input') {
        const dy = t(y.shape.slice(), 3);
        const dx = CONV_BI[c.rank](dy, t(wShape, 2), xShape, opts);
        const ref = new Float32Array(dx.size);
        convBackpropInputReference(g, dy.data, t(wShape, 2).data, ref);
        if (!close(dx.data, ref)) throw new Error(`conv${c.rank}dBackpropInput ${JSON.stringify(c)} differs from the reference`);
      } else {
        const dy = t(y.shape.slice(), 3);
        const dw = CONV_BF[c.rank](t(xShape), dy, wShape, opts);
        const ref = new Float32Array(dw.size);
        convBackpropFilterReference(g, t(xShape).data, dy.data, ref);
        if (!close(dw.data, ref)) throw new Error(`conv${c.rank}dBackpropFilter ${JSON.stringify(c)} differs from the reference`);
      }
      checked++;
    }), { numRuns: 800, seed: FC_SEED });
    expect(checked).toBeGreaterThan(200); // the sweep really compares numbers, not just errors
  });

  test('max and average pooling, ranks 1–3', () => {
    let checked = 0;
    const POOL = { max: { 1: R.maxPool1d, 2: R.maxPool2d, 3: R.maxPool3d }, avg: { 1: R.avgPool1d, 2: R.avgPool2d, 3: R.avgPool3d } } as const;
    fc.assert(fc.property(fc.record({
      kind: fc.constantFrom('max', 'avg') as fc.Arbitrary<'max' | 'avg'>, rank: fc.constantFrom(1, 2, 3) as fc.Arbitrary<1 | 2 | 3>,
      size: fc.integer({ min: 1, max: 6 }), c: fc.integer({ min: 1, max: 3 }), k: fc.integer({ min: 1, max: 4 }),
      stride: fc.option(fc.integer({ min: 1, max: 3 }), { nil: undefined }), padding: fc.constantFrom('valid', 'same') as fc.Arbitrary<'valid' | 'same'>,
    }), (c) => {
      const sp = new Array(c.rank).fill(c.size);
      const x = t([1, ...sp, c.c]);
      const opts = { poolSize: c.k, strides: c.stride, padding: c.padding };
      const o = typedOutcome(`${c.kind}Pool${c.rank}d`, () => POOL[c.kind][c.rank](x, opts), () => JSON.stringify(c));
      tally.add('pool near-valid', o);
      if (!o.ok) return;
      const s = c.stride ?? c.k;
      const g = convGeometry(c.rank, 1, sp, c.c, new Array(c.rank).fill(c.k), c.c, new Array(c.rank).fill(s), new Array(c.rank).fill(1), c.padding);
      const y = o.value as Tensor, ref = new Float32Array(y.size);
      (c.kind === 'max' ? maxPoolForwardReference : avgPoolForwardReference)(g, x.data, ref);
      if (!close(y.data, ref)) throw new Error(`${c.kind}Pool${c.rank}d ${JSON.stringify(c)} differs from the reference`);
      checked++;
    }), { numRuns: 600, seed: FC_SEED });
    expect(checked).toBeGreaterThan(150);
  });

  test('matMul with random ranks, batch broadcasting and transposes', () => {
    let checked = 0;
    fc.assert(fc.property(fc.record({
      m: fc.integer({ min: 0, max: 9 }), k: fc.integer({ min: 0, max: 9 }), n: fc.integer({ min: 0, max: 9 }), kb: fc.oneof(fc.constant(-1), fc.integer({ min: 0, max: 9 })),
      ta: fc.boolean(), tb: fc.boolean(), batch: fc.constantFrom<number[]>([], [2], [3, 1], [1]),
    }), (c0) => {
      const c = { ...c0, kb: c0.kb < 0 ? c0.k : c0.kb }; // mostly matching inner sizes
      const a = t([...c.batch, ...(c.ta ? [c.k, c.m] : [c.m, c.k])]), b = t([...(c.tb ? [c.n, c.kb] : [c.kb, c.n])], 2);
      const o = typedOutcome('matMul', () => R.matMul(a, b, { transposeA: c.ta, transposeB: c.tb }), () => JSON.stringify(c));
      tally.add('matMul near-valid', o);
      if (!o.ok) {
        if (c.k === c.kb) throw new Error(`matMul refused matching inner sizes: ${JSON.stringify(c)}: ${o.error.message}`);
        return;
      }
      const y = o.value as Tensor;
      const batches = c.batch.reduce((p, q) => p * q, 1), ref = new Float32Array(batches * c.m * c.n);
      for (let i = 0; i < batches; i++) {
        gemmReference(c.m, c.n, c.k, 1, a.data, i * c.m * c.k, c.ta ? 1 : c.k, c.ta ? c.m : 1,
          b.data, 0, c.tb ? 1 : c.n, c.tb ? c.k : 1, 0, ref, i * c.m * c.n, c.n, 1);
      }
      if (!close(y.data, ref) || !finite(y)) throw new Error(`matMul ${JSON.stringify(c)} differs from the reference`);
      checked++;
    }), { numRuns: 600, seed: FC_SEED });
    expect(checked).toBeGreaterThan(50);
  });
});
