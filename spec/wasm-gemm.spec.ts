/**
 * The wasm backend's encoder, probes and GEMM (kernels/wasm/) against the naive triple loop
 * (kernels/reference/gemm.ts) and the JS kernel (kernels/gemm.ts).
 *
 * Gaps between a strided operand's elements hold NaN (a stray read shows as NaN in C) and the
 * gaps of C a sentinel (a stray write shows as a changed sentinel). Tolerance: |wasm − ref| ≤
 * 1e-5 · (|alpha|·|A|·|B| + |beta|·|C|) elementwise — relative to the scale of each sum; the wasm
 * kernel sums in float32, the reference in float64.
 */
import { encodeModule, sleb, uleb } from '../kernels/wasm/encoder';
import { relaxedProbeFunction, simdProbeFunction } from '../kernels/wasm/gemm-kernel';
import { MR, kernelModules, relaxedSimdSupported, simdSupported, wasmRuntime, MEMORY_PAGES } from '../kernels/wasm/runtime';
import { gemmWasm, KC, MC } from '../kernels/wasm/gemm';
import { gemm } from '../kernels/gemm';
import { gemmReference } from '../kernels/reference/gemm';
import { Random } from '../lib/random';

const NR = 8;
const SENTINEL = 12345.5;
const rng = new Random(20261207);
type Layout = 'row' | 'col' | 'rowStrided' | 'colStrided' | 'negRow';
interface Operand { data: Float32Array; off: number; rs: number; cs: number; rows: number; cols: number }

function operand(rows: number, cols: number, kind: Layout, gap: number): Operand {
  let off = 0, rs = 0, cs = 0, len = 0;
  const r = Math.max(rows, 1), c = Math.max(cols, 1);
  switch (kind) {
    case 'row': rs = c; cs = 1; len = r * c; break;
    case 'col': rs = 1; cs = r; len = r * c; break;
    case 'rowStrided': off = 5; cs = 2; rs = 2 * c + 3; len = off + (r - 1) * rs + (c - 1) * cs + 4; break;
    case 'colStrided': off = 2; rs = 3; cs = 3 * r + 1; len = off + (r - 1) * rs + (c - 1) * cs + 2; break;
    case 'negRow': rs = -c; cs = 1; off = (r - 1) * c; len = r * c; break;
  }
  const data = new Float32Array(len).fill(gap);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) data[off + i * rs + j * cs] = rng.uniform() * 2 - 1;
  return { data, off, rs, cs, rows, cols };
}

function abs(x: Operand): Float32Array {
  const d = new Float32Array(x.data.length);
  for (let i = 0; i < x.rows; i++) for (let j = 0; j < x.cols; j++) d[x.off + i * x.rs + j * x.cs] = Math.abs(x.data[x.off + i * x.rs + j * x.cs]);
  return d;
}

interface Case { m: number; n: number; k: number; alpha?: number; beta?: number; la?: Layout; lb?: Layout; lc?: Layout; cFill?: number }

/** '' when wasm agrees with the reference on every element of C and wrote no gap; else the first mismatch. */
function compare(cs: Case): string {
  const { m, n, k } = cs;
  const alpha = cs.alpha ?? 1, beta = cs.beta ?? 0;
  const la = cs.la ?? 'row', lb = cs.lb ?? 'row', lc = cs.lc ?? 'row';
  const A = operand(m, k, la, NaN), B = operand(k, n, lb, NaN), C = operand(m, n, lc, SENTINEL);
  if (cs.cFill !== undefined) for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) C.data[C.off + i * C.rs + j * C.cs] = cs.cFill;
  const got = Float32Array.from(C.data), want = Float32Array.from(C.data);
  gemmWasm(m, n, k, alpha, A.data, A.off, A.rs, A.cs, B.data, B.off, B.rs, B.cs, beta, got, C.off, C.rs, C.cs);
  gemmReference(m, n, k, alpha, A.data, A.off, A.rs, A.cs, B.data, B.off, B.rs, B.cs, beta, want, C.off, C.rs, C.cs);
  const scale = Float32Array.from(C.data).map(Math.abs);
  const cleanBeta = cs.cFill !== undefined && !Number.isFinite(cs.cFill) ? 0 : Math.abs(beta);
  gemmReference(m, n, k, Math.abs(alpha), abs(A), A.off, A.rs, A.cs, abs(B), B.off, B.rs, B.cs, cleanBeta, scale, C.off, C.rs, C.cs);
  const size = `m=${m} n=${n} k=${k} alpha=${alpha} beta=${beta} A:${la} B:${lb} C:${lc}`;
  const inside = new Uint8Array(got.length);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      const idx = C.off + i * C.rs + j * C.cs;
      inside[idx] = 1;
      const g = got[idx], w = want[idx];
      if (!Number.isFinite(w) || !Number.isFinite(g)) {
        if (!Object.is(g, w)) return `C(${i},${j}): wasm ${g} vs reference ${w} (${size})`;
        continue;
      }
      const tol = 1e-5 * scale[idx] + 1e-30;
      if (Math.abs(g - w) > tol) return `C(${i},${j}): wasm ${g} vs reference ${w}, |diff| ${Math.abs(g - w)} > ${tol} (${size})`;
    }
  }
  for (let idx = 0; idx < got.length; idx++) {
    if (!inside[idx] && !Object.is(got[idx], C.data[idx])) return `C gap ${idx} written: ${C.data[idx]} → ${got[idx]} (${size})`;
  }
  return '';
}

function expectAll(cases: Case[]): void {
  const failures: string[] = [];
  for (const cs of cases) {
    const msg = compare(cs);
    if (msg) failures.push(msg);
    if (failures.length >= 5) break;
  }
  expect(failures).toEqual([]);
}

describe('kernels/wasm/encoder', () => {
  test('unsigned LEB128: 0, 127, 128, 624485 (the spec example), 2^32 − 1', () => {
    expect(uleb(0)).toEqual([0x00]);
    expect(uleb(127)).toEqual([0x7f]);
    expect(uleb(128)).toEqual([0x80, 0x01]);
    expect(uleb(624485)).toEqual([0xe5, 0x8e, 0x26]);
    expect(uleb(0xffffffff)).toEqual([0xff, 0xff, 0xff, 0xff, 0x0f]);
  });
  test('signed LEB128: 0, −1, 63, 64, −64, −65, −123456 (the spec example), int32 extremes', () => {
    expect(sleb(0)).toEqual([0x00]);
    expect(sleb(-1)).toEqual([0x7f]);
    expect(sleb(63)).toEqual([0x3f]);
    expect(sleb(64)).toEqual([0xc0, 0x00]);
    expect(sleb(-64)).toEqual([0x40]);
    expect(sleb(-65)).toEqual([0xbf, 0x7f]);
    expect(sleb(-123456)).toEqual([0xc0, 0xbb, 0x78]);
    expect(sleb(0x7fffffff)).toEqual([0xff, 0xff, 0xff, 0xff, 0x07]);
    expect(sleb(-0x80000000)).toEqual([0x80, 0x80, 0x80, 0x80, 0x78]);
  });
  test('a module starts with the magic and version, and the engine validates the SIMD probe', () => {
    const bytes = encodeModule(1, [simdProbeFunction()]);
    expect(Array.from(bytes.slice(0, 8))).toEqual([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]);
    expect(WebAssembly.validate(bytes)).toBe(true); // Node ≥ 16 has fixed-width SIMD
    expect(simdSupported()).toBe(true);
  });
  test('relaxed SIMD is reported exactly when its probe validates, and a broken body does not validate', () => {
    expect(relaxedSimdSupported()).toBe(WebAssembly.validate(encodeModule(1, [relaxedProbeFunction()])));
    const bad = encodeModule(1, [simdProbeFunction()]);
    bad[bad.length - 2] = 0xff; // corrupt the last instruction before the body's end
    expect(WebAssembly.validate(bad)).toBe(false);
  });
  test('every kernel module validates with mul + add, and with relaxed_madd exactly where relaxed SIMD does', () => {
    for (const bytes of kernelModules(false)) expect(WebAssembly.validate(bytes)).toBe(true);
    expect(kernelModules(true).every((bytes) => WebAssembly.validate(bytes))).toBe(relaxedSimdSupported());
  });
  test('every kernel module is small enough for synchronous compilation in a browser (< 4 KiB)', () => {
    for (const relaxed of [false, true]) for (const bytes of kernelModules(relaxed)) expect(bytes.length).toBeLessThan(4096);
  });
  test('the runtime memory cannot grow (maximum = initial) and its view stays attached', () => {
    const rt = wasmRuntime();
    expect(rt).not.toBeNull();
    expect(() => rt!.memory.grow(1)).toThrow();
    expect(rt!.f32.buffer).toBe(rt!.memory.buffer);
    expect(rt!.f32.length * 4).toBe(MEMORY_PAGES * 65536);
  });
});

const uniq = (xs: number[]): number[] => [...new Set(xs.filter((x) => x >= 1))].sort((x, y) => x - y);
const EDGE_MN = uniq([1, MR - 1, MR, MR + 1, NR - 1, NR, NR + 1, 2 * NR + 1, 37, 67]);
const EDGE_K = [0, 1, 2, 7, 31, KC - 1, KC, KC + 1];

describe(`gemmWasm tile edges MR=${MR} NR=${NR} KC=${KC} MC=${MC}`, () => {
  for (const k of EDGE_K) {
    test(`every m, n in {${EDGE_MN.join(',')}} at k=${k}, row-major, alpha=1 beta=0 over NaN in C`, () => {
      const cases: Case[] = [];
      for (const m of EDGE_MN) for (const n of EDGE_MN) cases.push({ m, n, k, cFill: NaN });
      expectAll(cases);
    });
  }
  test('odd sizes 1…67 (primes and their neighbours), every transpose combination', () => {
    const sizes = [1, 2, 3, 5, 11, 13, 29, 41, 53, 67];
    const cases: Case[] = [];
    for (const la of ['row', 'col'] as const) {
      for (const lb of ['row', 'col'] as const) {
        for (let t = 0; t < sizes.length; t++) {
          cases.push({ m: sizes[t], n: sizes[(t + 3) % sizes.length], k: sizes[(t + 7) % sizes.length], la, lb });
        }
      }
    }
    expectAll(cases);
  });
  test(`m=2·MC+1, n=2·NR+3, k=2·KC+3: several ic and pc blocks, beta=0.25 applied once`, () => {
    expectAll([
      { m: 2 * MC + 1, n: 2 * NR + 3, k: 2 * KC + 3, alpha: 1, beta: 0.25 },
      { m: 2 * MC + 1, n: 2 * NR + 3, k: 2 * KC + 3, alpha: -2, beta: 0, cFill: NaN, la: 'col' },
    ]);
  });
  test('n = 1100 crosses the jc block edge; k = 13000 takes two k chunks', () => {
    expectAll([{ m: 5, n: 1100, k: 9, beta: -1 }, { m: 6, n: 9, k: 13000, alpha: 0.5, beta: 2 }]);
  });
});

describe('gemmWasm strides, alpha, beta, special values', () => {
  const LAYOUTS: Layout[] = ['row', 'col', 'rowStrided', 'colStrided', 'negRow'];
  test('every A × B × C layout, m=37 n=9 k=33 and m=5 n=3 k=7, beta=0.5', () => {
    const cases: Case[] = [];
    for (const la of LAYOUTS) for (const lb of LAYOUTS) for (const lc of LAYOUTS) {
      cases.push({ m: 37, n: 9, k: 33, beta: 0.5, la, lb, lc }, { m: 5, n: 3, k: 7, beta: 0.5, la, lb, lc });
    }
    expectAll(cases);
  });
  test('alpha in {1, −0.5, 0, 2} × beta in {0, 1, −1.5, 0.25}, C column-major and row-major', () => {
    const cases: Case[] = [];
    for (const alpha of [1, -0.5, 0, 2]) for (const beta of [0, 1, -1.5, 0.25]) {
      cases.push({ m: 13, n: 17, k: 19, alpha, beta, lc: 'col' }, { m: 13, n: 17, k: 19, alpha, beta });
    }
    expectAll(cases);
  });
  test('k = 0 gives C = beta·C; beta = 0 ignores NaN and Infinity in C', () => {
    expectAll([
      { m: 5, n: 6, k: 0, beta: 0, cFill: NaN }, { m: 5, n: 6, k: 0, beta: -2, lc: 'rowStrided' },
      { m: 9, n: 10, k: 11, beta: 0, cFill: Infinity, lc: 'colStrided' },
    ]);
  });
  test('NaN and Infinity in A or B propagate to exactly the rows and columns they touch', () => {
    const m = 6, n = 10, k = 5;
    const a = new Float32Array(m * k).fill(1), b = new Float32Array(k * n).fill(1);
    a[2 * k + 3] = NaN;      // row 2
    b[1 * n + 7] = Infinity; // column 7
    const c = new Float32Array(m * n);
    gemmWasm(m, n, k, 1, a, 0, k, 1, b, 0, n, 1, 0, c, 0, n, 1);
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        const want = i === 2 ? NaN : j === 7 ? Infinity : k;
        expect([i, j, c[i * n + j]]).toEqual([i, j, want]);
      }
    }
  });
  test('agrees with the JS kernel (kernels/gemm.ts) on 67×53×61 and 128×96×300 to 1e-5 of the sum scale', () => {
    for (const [m, n, k] of [[67, 53, 61], [128, 96, 300]]) {
      const A = operand(m, k, 'row', 0), B = operand(k, n, 'col', 0);
      const cw = new Float32Array(m * n), cj = new Float32Array(m * n), s = new Float32Array(m * n);
      gemmWasm(m, n, k, 1, A.data, 0, A.rs, A.cs, B.data, 0, B.rs, B.cs, 0, cw, 0, n, 1);
      gemm(m, n, k, 1, A.data, 0, A.rs, A.cs, B.data, 0, B.rs, B.cs, 0, cj, 0, n, 1);
      gemmReference(m, n, k, 1, abs(A), 0, A.rs, A.cs, abs(B), 0, B.rs, B.cs, 0, s, 0, n, 1);
      let worst = 0;
      for (let i = 0; i < m * n; i++) worst = Math.max(worst, Math.abs(cw[i] - cj[i]) / s[i]);
      expect(worst).toBeLessThan(1e-5);
    }
  });
});
