/**
 * lib/ops/conv.ts: shapes and values against the reference loops, options parsing, and every
 * error path (matched by regex).
 */
import {
  conv1d, conv2d, conv3d, conv1dBackpropInput, conv2dBackpropInput, conv3dBackpropInput,
  conv1dBackpropFilter, conv2dBackpropFilter, conv3dBackpropFilter, convBiasGradient, convOutputShape,
} from '../lib/ops/conv';
import { ConfigError, ShapeError, ValueError } from '../lib/errors';
import { Tensor, randomUniform, tensor } from '../lib/tensor';
import { convGeometry, Padding } from '../kernels/conv-geometry';
import {
  convBackpropFilterReference, convBackpropInputReference, convForwardReference,
} from '../kernels/reference/conv';

function mismatch(actual: ArrayLike<number>, expected: ArrayLike<number>, tol: number, label: string): string {
  if (actual.length !== expected.length) return `${label}: length ${actual.length}, expected ${expected.length}`;
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i], e = expected[i];
    if (!(Math.abs(a - e) <= tol * Math.max(1, Math.abs(e)))) return `${label}: index ${i}: got ${a}, expected ${e}`;
  }
  return '';
}

interface OpCase { rank: 1 | 2 | 3; x: number[]; k: number[]; strides: number | number[]; dilationRate: number | number[]; padding: Padding; out: number[] }

const OP_CASES: OpCase[] = [
  { rank: 1, x: [2, 9, 3], k: [3, 3, 4], strides: 2, dilationRate: 1, padding: 'same', out: [2, 5, 4] },
  { rank: 1, x: [2, 9, 3], k: [3, 3, 4], strides: 1, dilationRate: 2, padding: 'causal', out: [2, 9, 4] },
  { rank: 1, x: [1, 9, 1], k: [4, 1, 2], strides: [3], dilationRate: [1], padding: 'valid', out: [1, 2, 2] },
  { rank: 2, x: [2, 7, 7, 3], k: [3, 3, 3, 5], strides: 2, dilationRate: 1, padding: 'same', out: [2, 4, 4, 5] },
  { rank: 2, x: [2, 7, 6, 2], k: [3, 2, 2, 3], strides: 1, dilationRate: [2, 1], padding: 'valid', out: [2, 3, 5, 3] },
  { rank: 2, x: [1, 3, 2, 2], k: [5, 4, 2, 3], strides: 1, dilationRate: 1, padding: 'same', out: [1, 3, 2, 3] },
  { rank: 2, x: [2, 5, 6, 4], k: [1, 1, 4, 3], strides: 1, dilationRate: 1, padding: 'valid', out: [2, 5, 6, 3] },
  { rank: 3, x: [2, 5, 4, 6, 2], k: [3, 2, 3, 2, 3], strides: [2, 1, 2], dilationRate: 1, padding: 'same', out: [2, 3, 4, 3, 3] },
  { rank: 3, x: [1, 5, 5, 5, 1], k: [2, 2, 2, 1, 2], strides: 1, dilationRate: 2, padding: 'valid', out: [1, 3, 3, 3, 2] },
];

const perAxis = (v: number | number[], rank: number): number[] => (typeof v === 'number' ? new Array(rank).fill(v) : v);

describe('conv ops vs reference loops', () => {
  let seed = 1;
  for (const c of OP_CASES) {
    const name = `conv${c.rank}d x=[${c.x}] k=[${c.k}] s=${c.strides} d=${c.dilationRate} p=${c.padding}`;
    const opts = { strides: c.strides, dilationRate: c.dilationRate, padding: c.padding };
    const fwd = [conv1d, conv2d, conv3d][c.rank - 1];
    const bpi = [conv1dBackpropInput, conv2dBackpropInput, conv3dBackpropInput][c.rank - 1];
    const bpf = [conv1dBackpropFilter, conv2dBackpropFilter, conv3dBackpropFilter][c.rank - 1];
    const x = randomUniform(c.x, { min: -1, max: 1, seed: seed++ });
    const w = randomUniform(c.k, { min: -1, max: 1, seed: seed++ });
    const dy = randomUniform(c.out, { min: -1, max: 1, seed: seed++ });
    const g = convGeometry(c.rank, c.x[0], c.x.slice(1, -1), c.x[c.rank + 1], c.k.slice(0, c.rank), c.k[c.rank + 1],
      perAxis(c.strides, c.rank), perAxis(c.dilationRate, c.rank), c.padding);

    test(`forward ${name} → [${c.out}]`, () => {
      const y = fwd(x, w, opts);
      expect(y.shape).toEqual(c.out);
      expect(convOutputShape(c.rank, c.x, c.k, opts)).toEqual(c.out);
      const want = new Float32Array(y.size);
      convForwardReference(g, x.data, w.data, null, want);
      expect(mismatch(y.data, want, 1e-5, name)).toBe('');
    });
    test(`backpropInput ${name}`, () => {
      const dx = bpi(dy, w, c.x, opts);
      expect(dx.shape).toEqual(c.x);
      const want = new Float32Array(dx.size);
      convBackpropInputReference(g, dy.data, w.data, want);
      expect(mismatch(dx.data, want, 1e-5, name)).toBe('');
    });
    test(`backpropFilter ${name}`, () => {
      const dw = bpf(x, dy, c.k, opts);
      expect(dw.shape).toEqual(c.k);
      const want = new Float32Array(dw.size);
      convBackpropFilterReference(g, x.data, dy.data, want);
      expect(mismatch(dw.data, want, 1e-5, name)).toBe('');
    });
  }

  test('conv2d with default options is valid, stride 1 (x=[1,3,3,1] k=[2,2,1,1] ones)', () => {
    const x = tensor([1, 2, 3, 4, 5, 6, 7, 8, 9], [1, 3, 3, 1]);
    const w = tensor([1, 1, 1, 1], [2, 2, 1, 1]);
    const y = conv2d(x, w);
    expect(y.shape).toEqual([1, 2, 2, 1]);
    expect(Array.from(y.data)).toEqual([1 + 2 + 4 + 5, 2 + 3 + 5 + 6, 4 + 5 + 7 + 8, 5 + 6 + 8 + 9]);
  });

  test('conv2d with bias adds it to every output position (x=[2,5,6,3] k=[3,3,3,4] s=1 p=same)', () => {
    const x = randomUniform([2, 5, 6, 3], { min: -1, max: 1, seed: 40 }), w = randomUniform([3, 3, 3, 4], { min: -1, max: 1, seed: 41 });
    const bias = randomUniform([4], { min: -1, max: 1, seed: 42 });
    const y = conv2d(x, w, { padding: 'same', bias });
    const g = convGeometry(2, 2, [5, 6], 3, [3, 3], 4, [1, 1], [1, 1], 'same');
    const want = new Float32Array(y.size);
    convForwardReference(g, x.data, w.data, bias.data, want);
    expect(mismatch(y.data, want, 1e-5, 'conv2d bias')).toBe('');
  });

  test('conv1d causal sees only the past (x=[1,4,1] k=[2,1,1] w=[10,1] d=1)', () => {
    const y = conv1d(tensor([1, 2, 3, 4], [1, 4, 1]), tensor([10, 1], [2, 1, 1]), { padding: 'causal' });
    // y[t] = 10·x[t−1] + 1·x[t], x[−1] = 0
    expect(Array.from(y.data)).toEqual([1, 10 * 1 + 2, 10 * 2 + 3, 10 * 3 + 4]);
  });

  test('convBiasGradient sums every axis but the last (dy=[2,2,3])', () => {
    const dy = tensor([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12], [2, 2, 3]);
    const db = convBiasGradient(dy);
    expect(db.shape).toEqual([3]);
    expect(Array.from(db.data)).toEqual([1 + 4 + 7 + 10, 2 + 5 + 8 + 11, 3 + 6 + 9 + 12]);
  });

  test('ops do not write into their inputs (conv2d and both gradients)', () => {
    const x = randomUniform([1, 5, 5, 2], { seed: 3 }), w = randomUniform([3, 3, 2, 2], { seed: 4 });
    const dy = randomUniform([1, 3, 3, 2], { seed: 5 });
    const [xs, ws, dys] = [x.data.slice(), w.data.slice(), dy.data.slice()];
    conv2d(x, w);
    conv2dBackpropInput(dy, w, [1, 5, 5, 2]);
    conv2dBackpropFilter(x, dy, [3, 3, 2, 2]);
    expect(x.data).toEqual(xs);
    expect(w.data).toEqual(ws);
    expect(dy.data).toEqual(dys);
  });
});

describe('conv ops: errors', () => {
  const x4 = randomUniform([1, 6, 6, 2], { seed: 1 });
  const w4 = randomUniform([3, 3, 2, 4], { seed: 2 });
  const dy4 = randomUniform([1, 4, 4, 4], { seed: 3 });

  test('throws when the conv2d input is not rank 4', () => {
    const t = () => conv2d(randomUniform([28, 28]), w4);
    expect(t).toThrow(ShapeError);
    expect(t).toThrow(/^conv2d: input must be rank 4 \[batch, height, width, channels\], got shape \[28,28\]$/);
  });
  test('throws when the conv1d / conv3d input has the wrong rank', () => {
    expect(() => conv1d(x4, randomUniform([3, 2, 4]))).toThrow(/conv1d: input must be rank 3 \[batch, width, channels\], got shape \[1,6,6,2\]/);
    expect(() => conv3d(x4, randomUniform([1, 3, 3, 2, 4]))).toThrow(/conv3d: input must be rank 5 \[batch, depth, height, width, channels\], got shape \[1,6,6,2\]/);
  });
  test('throws when the kernel has the wrong rank', () => {
    expect(() => conv2d(x4, randomUniform([3, 2, 4]))).toThrow(ShapeError);
    expect(() => conv2d(x4, randomUniform([3, 2, 4]))).toThrow(/conv2d: kernel must be rank 4 \[kernelHeight, kernelWidth, inChannels, outChannels\], got shape \[3,2,4\]/);
  });
  test('throws when a kernel size is 0', () => {
    expect(() => conv2d(x4, new Tensor(new Float32Array(0), [0, 3, 2, 4]))).toThrow(/conv2d: kernel sizes must all be >= 1.*got shape \[0,3,2,4\]/);
  });
  test('throws when input channels and kernel inChannels differ, naming both', () => {
    const t = () => conv2d(x4, randomUniform([3, 3, 5, 4]));
    expect(t).toThrow(ShapeError);
    expect(t).toThrow(/conv2d: input channels \(2\) must equal kernel inChannels \(5\): input shape \[1,6,6,2\], kernel shape \[3,3,5,4\]/);
  });
  test('throws when strides are not positive integers', () => {
    for (const strides of [0, -1, 1.5, [1], [1, 0], [1, 2, 3], 'two']) {
      const t = () => conv2d(x4, w4, { strides: strides as number });
      expect(t).toThrow(ConfigError);
      expect(t).toThrow(/conv2d: strides must be a positive integer or an array of 2 positive integers, got /);
    }
  });
  test('throws when dilationRate is not positive integers', () => {
    for (const dilationRate of [0, 2.5, [2, -1], NaN]) {
      expect(() => conv2d(x4, w4, { dilationRate: dilationRate as number })).toThrow(/conv2d: dilationRate must be a positive integer or an array of 2 positive integers, got /);
    }
  });
  test('throws when strides > 1 come with dilationRate > 1', () => {
    const t = () => conv2d(x4, w4, { strides: [1, 2], dilationRate: [2, 1] });
    expect(t).toThrow(ConfigError);
    expect(t).toThrow(/conv2d: strides > 1 together with dilationRate > 1 is not supported, got strides \[1,2\] and dilationRate \[2,1\]/);
  });
  test("throws when padding is 'causal' on conv2d / conv3d or unknown", () => {
    expect(() => conv2d(x4, w4, { padding: 'causal' })).toThrow(ConfigError);
    expect(() => conv2d(x4, w4, { padding: 'causal' })).toThrow(/conv2d: padding must be 'valid' or 'same', got "causal" \('causal' padding is for conv1d only\)/);
    expect(() => conv3d(randomUniform([1, 3, 3, 3, 1]), randomUniform([1, 1, 1, 1, 1]), { padding: 'causal' })).toThrow(/conv3d: padding must be/);
    expect(() => conv1d(randomUniform([1, 5, 1]), randomUniform([2, 1, 1]), { padding: 'full' as Padding })).toThrow(/conv1d: padding must be 'valid' or 'same' or 'causal', got "full"/);
  });
  test('throws when the output would be empty', () => {
    const t = () => conv2d(x4, randomUniform([7, 3, 2, 4]));
    expect(t).toThrow(ShapeError);
    expect(t).toThrow(/conv2d: output would be empty: input spatial \[6,6\] with kernel \[7,3\].*padding 'valid' gives output \[0,4\]/);
    expect(() => conv1d(randomUniform([1, 5, 1]), randomUniform([3, 1, 1]), { dilationRate: 3 })).toThrow(/conv1d: output would be empty/);
  });
  test('throws when an argument is not a Tensor', () => {
    expect(() => conv2d([1, 2, 3] as unknown as Tensor, w4)).toThrow(ValueError);
    expect(() => conv2d([1, 2, 3] as unknown as Tensor, w4)).toThrow(/conv2d: input must be a Tensor, got \[1,2,3\]/);
  });
  test('throws when dy does not match the forward output shape', () => {
    const bad = randomUniform([1, 5, 4, 4]);
    expect(() => conv2dBackpropInput(bad, w4, [1, 6, 6, 2])).toThrow(ShapeError);
    expect(() => conv2dBackpropInput(bad, w4, [1, 6, 6, 2])).toThrow(/conv2dBackpropInput: dy must have the forward output's shape \[1,4,4,4\], got shape \[1,5,4,4\]/);
    expect(() => conv2dBackpropFilter(x4, bad, [3, 3, 2, 4])).toThrow(/conv2dBackpropFilter: dy must have the forward output's shape \[1,4,4,4\], got shape \[1,5,4,4\]/);
  });
  test('throws when inputShape / kernelShape are malformed or disagree', () => {
    expect(() => conv2dBackpropInput(dy4, w4, [1, 6, 6] as number[])).toThrow(/conv2dBackpropInput: inputShape must be rank 4 \[batch, height, width, channels\], got shape \[1,6,6\]/);
    expect(() => conv2dBackpropInput(dy4, w4, [1, 6, 6.5, 2])).toThrow(/conv2dBackpropInput: inputShape must be an array of non-negative integers, got \[1,6,6.5,2\]/);
    expect(() => conv2dBackpropInput(dy4, w4, [1, 6, 6, 3])).toThrow(/conv2dBackpropInput: inputShape channels \(3\) must equal kernel inChannels \(2\)/);
    expect(() => conv2dBackpropFilter(x4, dy4, [3, 3, 4])).toThrow(/conv2dBackpropFilter: kernelShape must be rank 4/);
    expect(() => conv2dBackpropFilter(x4, dy4, [3, 3, 3, 4])).toThrow(/conv2dBackpropFilter: input channels \(2\) must equal kernelShape inChannels \(3\)/);
  });
  test('throws when the bias does not have shape [outChannels]', () => {
    const t = () => conv2d(x4, w4, { bias: randomUniform([3]) });
    expect(t).toThrow(ShapeError);
    expect(t).toThrow(/conv2d: bias must have shape \[outChannels\] = \[4\], got shape \[3\]/);
    expect(() => conv2d(x4, w4, { bias: [1, 2, 3, 4] as unknown as Tensor })).toThrow(/conv2d: bias must be a Tensor, got \[1,2,3,4\]/);
  });
  test('throws when convBiasGradient gets a scalar', () => {
    expect(() => convBiasGradient(tensor(3))).toThrow(/convBiasGradient: dy must have rank >= 1 \[\.\.\., channels\], got shape \[\]/);
  });
});
