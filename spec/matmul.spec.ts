/**
 * matMul against a naive triple loop written here, which reads the operands by their stored
 * layout (so transposes are checked by index arithmetic, not by calling transpose()).
 */
import { Tensor, tensor } from '../lib/tensor';
import { matMul } from '../lib/ops/matmul';
import { ShapeError, ConfigError, ValueError } from '../lib/errors';
import { Random } from '../lib/random';

function size(shape: readonly number[]): number {
  return shape.reduce((p, d) => p * d, 1);
}

function rand(shape: number[], rng: Random): Tensor {
  const data = new Float32Array(size(shape));
  for (let i = 0; i < data.length; i++) data[i] = rng.uniform() * 2 - 1;
  return new Tensor(data, shape);
}

/** C = op(A)·op(B) for one matrix pair stored at offsets aOff/bOff; returns C and Σ|a||b| per cell (for the tolerance). */
function naive(
  a: Float32Array, aOff: number, b: Float32Array, bOff: number,
  m: number, n: number, k: number, tA: boolean, tB: boolean,
): { c: number[]; mag: number[] } {
  const c: number[] = [], mag: number[] = [];
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0, g = 0;
      for (let p = 0; p < k; p++) {
        const av = a[aOff + (tA ? p * m + i : i * k + p)];
        const bv = b[bOff + (tB ? j * k + p : p * n + j)];
        s += av * bv;
        g += Math.abs(av * bv);
      }
      c.push(s);
      mag.push(g);
    }
  }
  return { c, mag };
}

function check(actual: ArrayLike<number>, start: number, ref: { c: number[]; mag: number[] }, ctx: string): void {
  for (let i = 0; i < ref.c.length; i++) {
    const got = actual[start + i];
    const tol = 1e-5 * Math.max(1, ref.mag[i]);
    if (!(Math.abs(got - ref.c[i]) <= tol)) throw new Error(`${ctx}: C flat index ${i}: got ${got}, expected ${ref.c[i]}`);
  }
}

const SIZES = [1, 3, 4, 5, 17, 64];
const TRANSPOSES: [boolean, boolean][] = [[false, false], [true, false], [false, true], [true, true]];

describe('matMul rank 2 vs a naive triple loop', () => {
  for (const [tA, tB] of TRANSPOSES) {
    test(`all M,N,K in {${SIZES}} transposeA=${tA} transposeB=${tB}`, () => {
      const rng = new Random(100 + (tA ? 1 : 0) + (tB ? 2 : 0));
      for (const m of SIZES) for (const n of SIZES) for (const k of SIZES) {
        const a = rand(tA ? [k, m] : [m, k], rng), b = rand(tB ? [n, k] : [k, n], rng);
        const c = matMul(a, b, { transposeA: tA, transposeB: tB });
        const ctx = `M=${m} N=${n} K=${k} tA=${tA} tB=${tB}`;
        expect({ ctx, shape: c.shape }).toEqual({ ctx, shape: [m, n] });
        check(c.data, 0, naive(a.data, 0, b.data, 0, m, n, k, tA, tB), ctx);
      }
    });
  }

  test('small worked example: [[1,2],[3,4]]·[[5,6],[7,8]] = [[19,22],[43,50]], and with transposes', () => {
    const a = tensor([[1, 2], [3, 4]]), b = tensor([[5, 6], [7, 8]]);
    expect(matMul(a, b).toArray()).toEqual([[1 * 5 + 2 * 7, 1 * 6 + 2 * 8], [3 * 5 + 4 * 7, 3 * 6 + 4 * 8]]);
    expect(matMul(a, b, { transposeA: true }).toArray()).toEqual([[1 * 5 + 3 * 7, 1 * 6 + 3 * 8], [2 * 5 + 4 * 7, 2 * 6 + 4 * 8]]);
    expect(matMul(a, b, { transposeB: true }).toArray()).toEqual([[1 * 5 + 2 * 6, 1 * 7 + 2 * 8], [3 * 5 + 4 * 6, 3 * 7 + 4 * 8]]);
  });

  test('K = 0 gives zeros; M = 0 or N = 0 gives an empty result', () => {
    const c = matMul(new Tensor(new Float32Array(0), [2, 0]), new Tensor(new Float32Array(0), [0, 3]));
    expect(c.toArray()).toEqual([[0, 0, 0], [0, 0, 0]]);
    expect(matMul(new Tensor(new Float32Array(0), [0, 4]), rand([4, 3], new Random(1))).shape).toEqual([0, 3]);
    expect(matMul(rand([2, 4], new Random(1)), new Tensor(new Float32Array(0), [4, 0])).shape).toEqual([2, 0]);
  });

  test('NaN and Infinity flow: a NaN in A row 0 makes C row 0 NaN only; Inf·0 = NaN', () => {
    const a = tensor([[1, NaN], [2, 3]]), b = tensor([[1, 2], [3, 4]]);
    const c = matMul(a, b);
    expect(Array.from(c.data)).toEqual([NaN, NaN, 2 * 1 + 3 * 3, 2 * 2 + 3 * 4]);
    const d = matMul(tensor([[Infinity, 1]]), tensor([[0], [1]]));
    expect(Number.isNaN(d.data[0])).toBe(true);
    expect(matMul(tensor([[Infinity, 1]]), tensor([[2], [1]])).data[0]).toBe(Infinity);
  });

  test('inputs are not modified', () => {
    const rng = new Random(3);
    const a = rand([5, 4], rng), b = rand([4, 6], rng);
    const a0 = Array.from(a.data), b0 = Array.from(b.data);
    matMul(a, b, { transposeA: false });
    expect(Array.from(a.data)).toEqual(a0);
    expect(Array.from(b.data)).toEqual(b0);
  });
});

describe('matMul batched over leading axes (with broadcasting)', () => {
  const cases: [string, number[], number[], boolean, boolean][] = [
    ['[3,5,4]x[4,6] (b shared: folded into one tall GEMM)', [3, 5, 4], [4, 6], false, false],
    ['[2,3,5,4]x[4,6]', [2, 3, 5, 4], [4, 6], false, false],
    ['[3,4,5]^T x[4,6] (tA, b shared)', [3, 4, 5], [4, 6], true, false],
    ['[3,5,4]x[3,4,6]', [3, 5, 4], [3, 4, 6], false, false],
    ['[3,5,4]x[3,6,4]^T', [3, 5, 4], [3, 6, 4], false, true],
    ['[3,4,5]^T x[3,6,4]^T', [3, 4, 5], [3, 6, 4], true, true],
    ['[5,4]x[3,4,6] (a shared)', [5, 4], [3, 4, 6], false, false],
    ['[2,1,5,4]x[3,4,6] (broadcast to [2,3])', [2, 1, 5, 4], [3, 4, 6], false, false],
    ['[1,3,5,4]x[2,1,4,6]^... tA=false tB=false', [1, 3, 5, 4], [2, 1, 4, 6], false, false],
    ['[2,1,4,5]^T x[1,3,6,4]^T', [2, 1, 4, 5], [1, 3, 6, 4], true, true],
    ['[1,5,4]x[1,4,6] (batch of 1)', [1, 5, 4], [1, 4, 6], false, false],
    ['[4,17,3]x[4,3,1]', [4, 17, 3], [4, 3, 1], false, false],
  ];
  test.each(cases)('%s', (_name, sa, sb, tA, tB) => {
    const rng = new Random(sa.length * 10 + sb.length);
    const a = rand(sa, rng), b = rand(sb, rng);
    const ra = sa.length, rb = sb.length;
    const m = tA ? sa[ra - 1] : sa[ra - 2], k = tA ? sa[ra - 2] : sa[ra - 1];
    const n = tB ? sb[rb - 2] : sb[rb - 1];
    const aBatch = sa.slice(0, -2), bBatch = sb.slice(0, -2);
    const rank = Math.max(aBatch.length, bBatch.length);
    const pa = [...new Array(rank - aBatch.length).fill(1), ...aBatch];
    const pb = [...new Array(rank - bBatch.length).fill(1), ...bBatch];
    const batch = pa.map((d, i) => Math.max(d, pb[i]));
    const c = matMul(a, b, { transposeA: tA, transposeB: tB });
    expect(c.shape).toEqual([...batch, m, n]);
    for (let t = 0; t < size(batch); t++) {
      // Decompose the batch index, then map it to each operand (size-1 axes broadcast).
      let rem = t, ai = 0, bi = 0, sA = 1, sB = 1;
      for (let d = rank - 1; d >= 0; d--) {
        const i = rem % batch[d];
        rem = Math.floor(rem / batch[d]);
        ai += (pa[d] === 1 ? 0 : i) * sA;
        bi += (pb[d] === 1 ? 0 : i) * sB;
        sA *= pa[d];
        sB *= pb[d];
      }
      check(c.data, t * m * n, naive(a.data, ai * m * k, b.data, bi * k * n, m, n, k, tA, tB), `${_name} batch ${t}`);
    }
  });
});

describe('matMul errors', () => {
  test('throws when the inner sizes differ, naming both shapes and the transposes', () => {
    const a = tensor([[1, 2, 3], [4, 5, 6]]);
    expect(() => matMul(a, a)).toThrow(ShapeError);
    expect(() => matMul(a, a)).toThrow(
      /^matMul: inner sizes differ: a shape \[2,3\] \(transposeA false\) has K = 3, b shape \[2,3\] \(transposeB false\) has K = 2/,
    );
    expect(() => matMul(a, a, { transposeA: true, transposeB: true })).toThrow(
      /^matMul: inner sizes differ: a shape \[2,3\] \(transposeA true\) has K = 2, b shape \[2,3\] \(transposeB true\) has K = 3/,
    );
    expect(() => matMul(new Tensor(new Float32Array(24), [2, 3, 4]), new Tensor(new Float32Array(15), [5, 3]))).toThrow(
      /^matMul: inner sizes differ: a shape \[2,3,4\] \(transposeA false\) has K = 4, b shape \[5,3\]/,
    );
  });

  test('throws when an operand has rank < 2', () => {
    expect(() => matMul(tensor([1, 2]), tensor([[1], [2]]))).toThrow(/^matMul: a must have rank >= 2 \[\.\.\., rows, cols\], got shape \[2\]/);
    expect(() => matMul(tensor([[1, 2]]), tensor(3))).toThrow(/^matMul: b must have rank >= 2 \[\.\.\., rows, cols\], got shape \[\]/);
  });

  test('throws when the batch axes do not broadcast', () => {
    const a = new Tensor(new Float32Array(2 * 3 * 4), [2, 3, 4]), b = new Tensor(new Float32Array(3 * 4 * 5), [3, 4, 5]);
    expect(() => matMul(a, b)).toThrow(ShapeError);
    expect(() => matMul(a, b)).toThrow(/^matMul: batch axes do not broadcast: a shape \[2,3,4\] \(batch \[2\]\), b shape \[3,4,5\] \(batch \[3\]\)/);
  });

  test('throws when transposeA/transposeB are not booleans or the operands are not tensors', () => {
    const a = tensor([[1]]);
    expect(() => matMul(a, a, { transposeA: 1 as unknown as boolean })).toThrow(ConfigError);
    expect(() => matMul(a, a, { transposeA: 1 as unknown as boolean })).toThrow(/^matMul: transposeA must be a boolean, got 1/);
    expect(() => matMul(a, a, { transposeB: 'yes' as unknown as boolean })).toThrow(/^matMul: transposeB must be a boolean, got "yes"/);
    expect(() => matMul([[1]] as unknown as Tensor, a)).toThrow(ValueError);
    expect(() => matMul(a, [[1]] as unknown as Tensor)).toThrow(/^matMul: b must be a Tensor, got \[\[1\]\]/);
  });
});
