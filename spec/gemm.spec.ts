/**
 * kernels/gemm.ts against the naive triple loop (kernels/reference/gemm.ts).
 *
 * Every case fills the gaps between a strided operand's elements with NaN (a stray read shows up
 * as NaN in C) and the gaps in C with a sentinel (a stray write shows up as a changed sentinel).
 * Tolerance: |fast − ref| ≤ 1e-5 · (|alpha|·|A|·|B| + |beta|·|C|) elementwise — the scale of the
 * sum, since both accumulate in float64 but the fast path rounds C to float32 between KC blocks.
 */
import { gemm, MR, NR, KC, MC, NC } from '../kernels/gemm';
import { gemmReference } from '../kernels/reference/gemm';
import { Random } from '../lib/random';

type Gemm = typeof gemm;
type LayoutKind = 'row' | 'col' | 'rowStrided' | 'colStrided' | 'negRow';

interface Operand { data: Float32Array; off: number; rs: number; cs: number; rows: number; cols: number }

const SENTINEL = 12345.5;
const rng = new Random(20261130);

/** A rows×cols matrix in the given layout, values uniform in [−1, 1), gaps filled with `gap`. */
function makeOperand(rows: number, cols: number, kind: LayoutKind, gap: number): Operand {
  let off = 0, rs = 0, cs = 0, len = 0;
  const r = Math.max(rows, 1), c = Math.max(cols, 1);
  switch (kind) {
    case 'row': rs = c; cs = 1; len = r * c; break;
    case 'col': rs = 1; cs = r; len = r * c; break;
    // row stride padded by 3, column stride 2, offset 5
    case 'rowStrided': off = 5; cs = 2; rs = 2 * c + 3; len = off + (r - 1) * rs + (c - 1) * cs + 4; break;
    // column-major, row stride 3, column stride padded, offset 2
    case 'colStrided': off = 2; rs = 3; cs = 3 * r + 1; len = off + (r - 1) * rs + (c - 1) * cs + 2; break;
    // rows stored bottom-up (negative row stride), as a flipped ndarray view gives
    case 'negRow': rs = -c; cs = 1; off = (r - 1) * c; len = r * c; break;
  }
  const data = new Float32Array(len).fill(gap);
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) data[off + i * rs + j * cs] = rng.uniform() * 2 - 1;
  }
  return { data, off, rs, cs, rows, cols };
}

function absCopy(x: Operand): Operand {
  const data = new Float32Array(x.data.length);
  for (let i = 0; i < x.rows; i++) {
    for (let j = 0; j < x.cols; j++) {
      const idx = x.off + i * x.rs + j * x.cs;
      data[idx] = Math.abs(x.data[idx]);
    }
  }
  return { ...x, data };
}

interface Case {
  m: number; n: number; k: number; alpha: number; beta: number;
  la?: LayoutKind; lb?: LayoutKind; lc?: LayoutKind;
  cGarbage?: number;   // value of C's elements before the call (default: random)
}

/**
 * Runs `fn` and gemmReference on identical inputs and returns the first mismatch as a message,
 * or '' when all of C agrees and no gap of C was written.
 */
function compare(fn: Gemm, cs: Case, mutate?: (a: Operand, b: Operand) => void): string {
  const { m, n, k, alpha, beta } = cs;
  const la = cs.la ?? 'row', lb = cs.lb ?? 'row', lc = cs.lc ?? 'row';
  const A = makeOperand(m, k, la, NaN);
  const B = makeOperand(k, n, lb, NaN);
  if (mutate) mutate(A, B);
  const C0 = makeOperand(m, n, lc, SENTINEL);
  if (cs.cGarbage !== undefined) {
    for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) C0.data[C0.off + i * C0.rs + j * C0.cs] = cs.cGarbage;
  }
  const got = Float32Array.from(C0.data);
  const want = Float32Array.from(C0.data);
  fn(m, n, k, alpha, A.data, A.off, A.rs, A.cs, B.data, B.off, B.rs, B.cs, beta, got, C0.off, C0.rs, C0.cs);
  gemmReference(m, n, k, alpha, A.data, A.off, A.rs, A.cs, B.data, B.off, B.rs, B.cs, beta, want, C0.off, C0.rs, C0.cs);
  // Scale of each sum: |alpha|·|A|·|B| + |beta|·|C| (NaN-free C only).
  const scale = Float32Array.from(C0.data).map(Math.abs);
  const cleanBeta = cs.cGarbage !== undefined && !Number.isFinite(cs.cGarbage) ? 0 : Math.abs(beta);
  gemmReference(m, n, k, Math.abs(alpha), absCopy(A).data, A.off, A.rs, A.cs, absCopy(B).data, B.off, B.rs, B.cs,
    cleanBeta, scale, C0.off, C0.rs, C0.cs);
  const size = `m=${m} n=${n} k=${k} alpha=${alpha} beta=${beta} A:${la} B:${lb} C:${lc}`;
  const inside = new Uint8Array(got.length);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      const idx = C0.off + i * C0.rs + j * C0.cs;
      inside[idx] = 1;
      const g = got[idx], w = want[idx];
      if (!Number.isFinite(w) || !Number.isFinite(g)) {
        if (!Object.is(g, w)) return `C(${i},${j}): fast ${g} vs reference ${w} (${size})`;
        continue;
      }
      const tol = 1e-5 * scale[idx] + 1e-30;
      if (Math.abs(g - w) > tol) return `C(${i},${j}): fast ${g} vs reference ${w}, |diff| ${Math.abs(g - w)} > tol ${tol} (${size})`;
    }
  }
  for (let idx = 0; idx < got.length; idx++) {
    if (!inside[idx] && !Object.is(got[idx], C0.data[idx])) {
      return `C gap at flat index ${idx} was written: ${C0.data[idx]} → ${got[idx]} (${size})`;
    }
  }
  return '';
}

function expectAll(fn: Gemm, cases: Case[]): void {
  const failures: string[] = [];
  for (const cs of cases) {
    const msg = compare(fn, cs);
    if (msg) failures.push(msg);
    if (failures.length >= 5) break;
  }
  expect(failures).toEqual([]);
}

const uniq = (xs: number[]): number[] => [...new Set(xs.filter((x) => x >= 1))].sort((x, y) => x - y);
// kernels/gemm.ts switches to a 3×4 tile when k < 32 (K_SMALL): its edges 2…5 and k = 31, 32.
const SMALL_TILE = [3, 4];
const EDGE_MN = uniq([1, MR - 1, MR, MR + 1, NR - 1, NR, NR + 1,
  SMALL_TILE[0] - 1, SMALL_TILE[0] + 1, SMALL_TILE[1] - 1, SMALL_TILE[1] + 1, 37, MC + 1]);
const EDGE_K = [0, 1, 7, 31, 32, KC - 1, KC, KC + 1];

describe(`gemm tile edges MR=${MR} NR=${NR} KC=${KC} MC=${MC} NC=${NC}`, () => {
  for (const k of EDGE_K) {
    test(`every m, n in {${EDGE_MN.join(',')}} at k=${k}, row-major, alpha=1 beta=0 over NaN garbage in C`, () => {
      const cases: Case[] = [];
      for (const m of EDGE_MN) for (const n of EDGE_MN) cases.push({ m, n, k, alpha: 1, beta: 0, cGarbage: NaN });
      expectAll(gemm, cases);
    });
  }

  test(`n=NC+1=${NC + 1} crosses the jc block edge (m=${MR + 1}, k=7 and k=KC+1)`, () => {
    expectAll(gemm, [
      { m: MR + 1, n: NC + 1, k: 7, alpha: 1, beta: 0 },
      { m: MR + 1, n: NC + 1, k: KC + 1, alpha: 0.5, beta: -1, lb: 'col' },
    ]);
  });

  test(`m=2·MC+1, n=NR+1, k=2·KC+3: several ic and pc blocks, beta=0.25 applied once`, () => {
    expectAll(gemm, [
      { m: 2 * MC + 1, n: NR + 1, k: 2 * KC + 3, alpha: 1, beta: 0.25 },
      { m: 2 * MC + 1, n: NR + 1, k: 2 * KC + 3, alpha: -2, beta: 0, cGarbage: NaN, la: 'col' },
    ]);
  });
});

const LAYOUTS: LayoutKind[] = ['row', 'col', 'rowStrided', 'colStrided', 'negRow'];

describe('gemm strided and transposed operands', () => {
  for (const la of LAYOUTS) {
    test(`A:${la} × every B layout × every C layout, m=37 n=${NR + 1} k=${KC + 1} and m=5 n=3 k=7`, () => {
      const cases: Case[] = [];
      for (const lb of LAYOUTS) {
        for (const lc of LAYOUTS) {
          cases.push({ m: 37, n: NR + 1, k: KC + 1, alpha: 1, beta: 0.5, la, lb, lc });
          cases.push({ m: 5, n: 3, k: 7, alpha: 1, beta: 0.5, la, lb, lc });
        }
      }
      expectAll(gemm, cases);
    });
  }
});

describe('gemm alpha/beta', () => {
  const ALPHAS = [1, -0.5, 0, 2];
  const BETAS = [0, 1, -1.5, 0.25];
  for (const [label, m, n, k] of [['large', 37, 2 * NR + 1, 2 * KC + 1], ['tiny', 3, 4, 5]] as const) {
    test(`every alpha in {${ALPHAS}} × beta in {${BETAS}}, ${label} m=${m} n=${n} k=${k}, C col-major`, () => {
      const cases: Case[] = [];
      for (const alpha of ALPHAS) for (const beta of BETAS) cases.push({ m, n, k, alpha, beta, lc: 'col' });
      expectAll(gemm, cases);
    });
    test(`beta=0 ignores NaN and Infinity already in C, ${label} m=${m} n=${n} k=${k}`, () => {
      expectAll(gemm, [
        { m, n, k, alpha: 1, beta: 0, cGarbage: NaN },
        { m, n, k, alpha: -1, beta: 0, cGarbage: Infinity, lc: 'colStrided' },
      ]);
    });
  }

  test('k=0 gives C = beta·C (beta=0 clears NaN garbage)', () => {
    for (const fn of [gemm]) {
      expectAll(fn, [
        { m: 5, n: 6, k: 0, alpha: 1, beta: 0, cGarbage: NaN },
        { m: 5, n: 6, k: 0, alpha: 1, beta: -2, lc: 'rowStrided' },
        { m: 5, n: 6, k: 0, alpha: 3, beta: 1 },
      ]);
    }
  });

  test('m=0 or n=0 writes nothing (sentinel gaps unchanged)', () => {
    const c = new Float32Array(4).fill(SENTINEL);
    const a = new Float32Array(8).fill(1);
    gemm(0, 4, 2, 1, a, 0, 2, 1, a, 0, 4, 1, 0, c, 0, 4, 1);
    gemm(4, 0, 2, 1, a, 0, 2, 1, a, 0, 4, 1, 0, c, 0, 1, 1);
    expect(Array.from(c)).toEqual([SENTINEL, SENTINEL, SENTINEL, SENTINEL]);
  });
});

describe('gemm NaN and Infinity propagation', () => {
  for (const [label, fn, m, n, k] of [
    ['edge tiles', gemm, 2 * MR + 1, 2 * NR + 1, KC + 5],
    ['tiny', gemm, 3, 2, 4],
    ['mid', gemm, 41, 17, 33],
  ] as const) {
    test(`NaN in A row 1 reaches exactly C row 1, ${label} m=${m} n=${n} k=${k}`, () => {
      let rowNaN = 0, otherNaN = 0;
      const msg = compare(fn, { m, n, k, alpha: 1, beta: 0 }, (A) => {
        A.data[A.off + 1 * A.rs + (k - 1) * A.cs] = NaN;
      });
      expect(msg).toBe('');
      // direct check, independent of the reference
      const A = makeOperand(m, k, 'row', 0), B = makeOperand(k, n, 'row', 0);
      A.data[A.off + 1 * A.rs + 0 * A.cs] = NaN;
      const c = new Float32Array(m * n);
      fn(m, n, k, 1, A.data, A.off, A.rs, A.cs, B.data, B.off, B.rs, B.cs, 0, c, 0, n, 1);
      for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) {
        if (Number.isNaN(c[i * n + j])) { if (i === 1) rowNaN++; else otherNaN++; }
      }
      expect({ rowNaN, otherNaN }).toEqual({ rowNaN: n, otherNaN: 0 });
    });

    test(`NaN in A times a zero B column still gives NaN (no zero skipping), ${label} m=${m} n=${n} k=${k}`, () => {
      const A = makeOperand(m, k, 'row', 0);
      const B = makeOperand(k, n, 'row', 0);
      B.data.fill(0);
      A.data[A.off + 0 * A.rs + 2 * A.cs] = NaN;
      const c = new Float32Array(m * n);
      fn(m, n, k, 1, A.data, A.off, A.rs, A.cs, B.data, B.off, B.rs, B.cs, 0, c, 0, n, 1);
      expect(Array.from(c.subarray(0, n)).every(Number.isNaN)).toBe(true);
      expect(Array.from(c.subarray(n)).every((v) => v === 0)).toBe(true);
    });

    test(`+Infinity and -Infinity in B column 0 give NaN there, Infinity alone stays infinite, ${label}`, () => {
      expect(compare(fn, { m, n, k, alpha: 1, beta: 0 }, (A, B) => {
        for (let i = 0; i < m; i++) A.data[A.off + i * A.rs] = Math.abs(A.data[A.off + i * A.rs]) + 0.5;
        B.data[B.off + 0 * B.rs + 0 * B.cs] = Infinity;
        B.data[B.off + 0 * B.rs + 1 * B.cs] = Infinity;
        B.data[B.off + (k - 1) * B.rs + 0 * B.cs] = -Infinity;
        for (let i = 0; i < m; i++) A.data[A.off + i * A.rs + (k - 1) * A.cs] = Math.abs(A.data[A.off + i * A.rs + (k - 1) * A.cs]) + 0.5;
      })).toBe('');
    });
  }
});

describe('gemm degenerate and skinny convolution shapes', () => {
  test('tiny and degenerate shapes: 1×1×1, 1×n, m×1, outer product (k=1), dot product (m=n=1)', () => {
    expectAll(gemm, [
      { m: 1, n: 1, k: 1, alpha: 1, beta: 0 },
      { m: 1, n: 300, k: 20, alpha: 1, beta: 0.5 },
      { m: 300, n: 1, k: 20, alpha: 1, beta: 0, lb: 'col' },
      { m: 40, n: 50, k: 1, alpha: -1, beta: 1 },
      { m: 1, n: 1, k: 1000, alpha: 1, beta: 0, la: 'col', lb: 'rowStrided' },
    ]);
  });

  test('conv-like shapes: m=300 n=16 k=9, m=200 n=64 k=27, m=97 n=32 k=576 (B transposed), m=3 n=64 k=600', () => {
    expectAll(gemm, [
      { m: 300, n: 16, k: 9, alpha: 1, beta: 0 },
      { m: 200, n: 64, k: 27, alpha: 1, beta: 1 },
      { m: 97, n: 32, k: 576, alpha: 1, beta: 0, lb: 'col' },
      { m: 3, n: 64, k: 600, alpha: 1, beta: 0, la: 'col' },
    ]);
  });

  test('a failing comparison names the index, both values and the problem size', () => {
    const broken: Gemm = (m, n, k, alpha, a, aOff, aRs, aCs, b, bOff, bRs, bCs, beta, c, cOff, cRs, cCs) => {
      gemm(m, n, k, alpha, a, aOff, aRs, aCs, b, bOff, bRs, bCs, beta, c, cOff, cRs, cCs);
      c[cOff + 2 * cRs + 1 * cCs] += 1;
    };
    expect(compare(broken, { m: 4, n: 3, k: 5, alpha: 1, beta: 0 }))
      .toMatch(/^C\(2,1\): fast -?[\d.e-]+ vs reference -?[\d.e-]+, .*\(m=4 n=3 k=5 alpha=1 beta=0 A:row B:row C:row\)$/);
  });
});
