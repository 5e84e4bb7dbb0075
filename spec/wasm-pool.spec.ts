/**
 * Max and average pooling and the bias gradient on the wasm backend (kernels/wasm/pool.ts, pool-kernel.ts).
 *
 * Max pooling is compared BIT for bit with kernels/pool.ts (Uint32 views: NaN payloads and −0
 * count) over ranks 1–3 × pool 1–3 × strides 1–3 × valid/same × C ∈ {1, 3, 4, 5, 8, 9, 17} ×
 * batch 1 and 3, on data with many ties (small integers, −0 next to +0) and with NaN (two
 * payloads), ±Infinity; then batches needing several kernel calls, the fallback for a batch item
 * too big for the memory, and small windows whose answer is written out by hand. The bias gradient
 * is compared with convBiasGrad (float64 sums) to 1e-6 of each column's Σ|dy|. Finally the ops and
 * the training bench's net really call the wasm kernels on the wasm backend (spies on the runtime).
 */
import { convGeometry, ConvGeometry, outSpatial } from '../kernels/conv-geometry';
import { avgPoolBackward, avgPoolForward, maxPoolBackward, maxPoolForward } from '../kernels/pool';
import { convBiasGrad } from '../kernels/conv';
import {
  BIAS_BLOCK, avgPoolBackwardWasm, avgPoolForwardWasm, biasGradWasm, maxPoolBackwardWasm, maxPoolForwardWasm, poolGroup,
} from '../kernels/wasm/pool';
import { kernelModules, wasmRuntime, WasmRuntime, X_BYTES } from '../kernels/wasm/runtime';
import {
  Tensor, avgPool2d, avgPool2dBackprop, avgPool3d, convBiasGradient, layers, maxPool1d, maxPool2d, maxPool2dBackprop, maxPool3d, maxPool3dBackprop,
  optimizers, sequential, setBackend,
} from '../lib/index';

type Rank = 1 | 2 | 3;
type Padding = 'valid' | 'same';
type DataKind = 'ties' | 'special';

/**
 * xorshift32 in [0, 1): the big cases need ~10 M values, and lib/random's generator is ~30× slower
 * under ts-jest than under plain Node; these tests need no cross-platform stream, only variety.
 */
let state = 20260501;
function uniform(): number {
  state ^= state << 13; state ^= state >>> 17; state ^= state << 5;
  return (state >>> 0) / 4294967296;
}
/** Two quiet NaNs with different payloads (and signs). */
const NAN_A = 0x7fc00001, NAN_B = 0xffc0beef;
const SPATIAL: Record<Rank, number[]> = { 1: [11], 2: [7, 6], 3: [5, 4, 6] };

const f32FromBits = (bits: number): number => new Float32Array(new Uint32Array([bits]).buffer)[0];
const hex = (v: number): string => `0x${new Uint32Array(new Float32Array([v]).buffer)[0].toString(16).padStart(8, '0')}`;

/**
 * Small integers (−2 … 2, so windows tie a lot), zeros of both signs; 'special' also puts NaN with
 * payload A or B, +Infinity or −Infinity at about 1 position in 8.
 */
function poolData(n: number, kind: DataKind): Float32Array {
  const a = new Float32Array(n), bits = new Uint32Array(a.buffer);
  for (let i = 0; i < n; i++) {
    const v = Math.floor(uniform() * 5) - 2;
    a[i] = v === 0 && uniform() < 0.5 ? -0 : v;
    if (kind === 'special' && uniform() < 0.125) {
      const s = Math.floor(uniform() * 4);
      if (s === 0) bits[i] = NAN_A;
      else if (s === 1) bits[i] = NAN_B;
      else a[i] = s === 2 ? Infinity : -Infinity;
    }
  }
  return a;
}

/** Uniform in (−1, 1). */
function signed(n: number): Float32Array {
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = 2 * uniform() - 1;
  return a;
}

/**
 * '' when a and b have the same float32 bits everywhere (`anyNaN`: where both are NaN, any
 * payloads); else the first difference, named.
 */
function bitDifference(what: string, got: Float32Array, want: Float32Array, anyNaN = false): string {
  if (got.length !== want.length) return `${what}: length ${got.length} vs ${want.length}`;
  const g = new Uint32Array(got.buffer, got.byteOffset, got.length), w = new Uint32Array(want.buffer, want.byteOffset, want.length);
  for (let i = 0; i < g.length; i++) {
    if (g[i] !== w[i] && !(anyNaN && Number.isNaN(got[i]) && Number.isNaN(want[i]))) return `${what}[${i}]: wasm ${got[i]} (${hex(got[i])}) vs js ${want[i]} (${hex(want[i])})`;
  }
  return '';
}

function sizes(g: ConvGeometry): { xLen: number; yLen: number } {
  return {
    xLen: g.batch * g.inD * g.inH * g.inW * g.inC,
    yLen: g.batch * outSpatial(g).reduce((a, b) => a * b, 1) * g.inC,
  };
}

/** Forward and backward, wasm vs JS, on one x; '' when bit-identical. */
function compareMaxPool(g: ConvGeometry, x: Float32Array, label: string): string {
  const { xLen, yLen } = sizes(g);
  const yJs = new Float32Array(yLen), yWasm = new Float32Array(yLen).fill(7);
  maxPoolForward(g, x, yJs);
  maxPoolForwardWasm(g, x, yWasm);
  const dy = signed(yLen);
  const dxJs = new Float32Array(xLen), dxWasm = new Float32Array(xLen).fill(7); // dx must be overwritten
  maxPoolBackward(g, x, dy, dxJs);
  maxPoolBackwardWasm(g, x, dy, dxWasm);
  return bitDifference(`y (${label})`, yWasm, yJs) || bitDifference(`dx (${label})`, dxWasm, dxJs);
}

/**
 * Average pooling forward and backward, wasm vs JS: the same bits on finite data (signed randoms:
 * real roundings), and on 'special' data the same bits except NaN payloads (arithmetic on NaN).
 */
function compareAvgPool(g: ConvGeometry, label: string): string {
  const { xLen, yLen } = sizes(g);
  for (const kind of ['signed', 'special'] as const) {
    const x = kind === 'signed' ? signed(xLen) : poolData(xLen, 'special');
    const yJs = new Float32Array(yLen), yWasm = new Float32Array(yLen).fill(7);
    avgPoolForward(g, x, yJs);
    avgPoolForwardWasm(g, x, yWasm);
    const dy = kind === 'signed' ? signed(yLen) : poolData(yLen, 'special');
    const dxJs = new Float32Array(xLen), dxWasm = new Float32Array(xLen).fill(7);
    avgPoolBackward(g, dy, dxJs);
    avgPoolBackwardWasm(g, dy, dxWasm);
    const anyNaN = kind === 'special';
    const diff = bitDifference(`avg y (${label} ${kind})`, yWasm, yJs, anyNaN) || bitDifference(`avg dx (${label} ${kind})`, dxWasm, dxJs, anyNaN);
    if (diff !== '') return diff;
  }
  return '';
}

function geometry(rank: Rank, batch: number, spatial: number[], C: number, pool: number, stride: number, padding: Padding): ConvGeometry {
  return convGeometry(rank, batch, spatial, C, new Array(rank).fill(pool), C, new Array(rank).fill(stride), new Array(rank).fill(1), padding);
}

describe('max and average pooling on the wasm backend are bit-identical to kernels/pool.ts', () => {
  for (const rank of [1, 2, 3] as const) {
    for (const pool of [1, 2, 3]) {
      for (const stride of [1, 2, 3]) {
        for (const padding of ['valid', 'same'] as const) {
          const name = `rank ${rank} x=[b,${SPATIAL[rank]},C] pool=${pool} s=${stride} p=${padding}${stride < pool ? ' (overlapping)' : ''}`;
          test(`${name}, C ∈ {1,3,4,5,8,9,17}, batch 1 and 3, max: ties / NaN / ±Inf / ±0, avg: randoms / NaN / ±Inf`, () => {
            for (const C of [1, 3, 4, 5, 8, 9, 17]) {
              for (const batch of [1, 3]) {
                const g = geometry(rank, batch, SPATIAL[rank], C, pool, stride, padding);
                expect(poolGroup(g, true)).toBe(batch); // one kernel call per pass
                for (const kind of ['ties', 'special'] as const) {
                  expect(compareMaxPool(g, poolData(sizes(g).xLen, kind), `${name} C=${C} batch=${batch} ${kind}`)).toBe('');
                }
                expect(compareAvgPool(g, `${name} C=${C} batch=${batch}`)).toBe('');
              }
            }
          });
        }
      }
    }
  }

  const big: [string, Rank, number[], number, number, number, Padding][] = [
    ['rank 1 x=[b,3000,5] pool=2 s=1 valid', 1, [3000], 5, 2, 1, 'valid'],
    ['rank 2 x=[b,40,40,17] pool=3 s=2 same', 2, [40, 40], 17, 3, 2, 'same'],
    ['rank 3 x=[b,10,12,9,9] pool=3 s=1 same', 3, [10, 12, 9], 9, 3, 1, 'same'],
  ];
  for (const [name, rank, spatial, C, pool, stride, padding] of big) {
    test(`${name}: a batch needing 3 kernel calls per pass (the last one partial), max and avg`, () => {
      const perCall = poolGroup(geometry(rank, 1 << 20, spatial, C, pool, stride, padding), false);
      const batch = 2 * perCall + 1;
      const g = geometry(rank, batch, spatial, C, pool, stride, padding);
      expect(poolGroup(g, false)).toBe(perCall);
      expect(poolGroup(g, true)).toBeGreaterThan(0);
      expect(poolGroup(g, true)).toBeLessThan(batch);
      expect(compareMaxPool(g, poolData(sizes(g).xLen, 'special'), `${name} batch=${batch}`)).toBe('');
      expect(compareAvgPool(g, `${name} batch=${batch}`)).toBe('');
    });
  }

  test('x=[2,1450,1450,1] pool=2: forward one item per call; backward (x, dx, dy of one item > 15 MiB) falls back to JS', () => {
    const g = geometry(2, 2, [1450, 1450], 1, 2, 2, 'valid');
    expect(poolGroup(g, false)).toBe(1);
    expect(poolGroup(g, true)).toBe(0);
    expect(compareMaxPool(g, poolData(sizes(g).xLen, 'special'), 'x=[2,1450,1450,1] pool=2')).toBe('');
  });

  test('x=[3,300000,2] pool=2 s=2: the window tables (8 bytes per output index per axis) exceed the A region → JS', () => {
    const g = geometry(1, 3, [300000], 2, 2, 2, 'valid');
    expect(poolGroup(g, false)).toBe(0);
    expect(compareMaxPool(g, poolData(sizes(g).xLen, 'special'), 'x=[3,300000,2] pool=2')).toBe('');
  });

  test('empty batch: nothing written, nothing thrown', () => {
    const g = geometry(2, 0, [4, 4], 3, 2, 2, 'valid');
    expect(poolGroup(g, false)).toBe(0);
    expect(compareMaxPool(g, new Float32Array(0), 'batch 0')).toBe('');
  });
});

describe('max pooling on the wasm backend: windows written out by hand', () => {
  /**
   * One window of 4 positions along W (rank 1, pool 4, valid), the same 4 values in every channel
   * (so the vector lanes and the C mod 4 tail both see them): y and the dx position are stated.
   */
  const cases: [string, number[], number, number][] = [
    // [name, window values (as float32 bits), expected y bits, expected argmax]
    ['ties: first max wins', [2, 3, 3, 1].map((v) => new Uint32Array(new Float32Array([v]).buffer)[0]), 0x40400000, 1],
    ['−0 before +0 → −0', [0x80000000, 0x00000000, 0x80000000, 0x00000000], 0x80000000, 0],
    ['+0 before −0 → +0', [0xbf800000, 0x00000000, 0x80000000, 0x80000000], 0x00000000, 1],
    ['NaN in 2nd place beats +Inf; first NaN payload (A) wins over B', [0x3f800000, NAN_A, 0x7f800000, NAN_B], NAN_A, 1],
    ['payload B first, then A → B', [NAN_B, 0x7f800000, NAN_A, 0x3f800000], NAN_B, 0],
    ['NaN last still wins', [0x7f800000, 0x7f800000, 0x3f800000, NAN_A], NAN_A, 3],
    ['all −Infinity → the first', [0xff800000, 0xff800000, 0xff800000, 0xff800000], 0xff800000, 0],
  ];
  for (const C of [1, 4, 5, 7]) {
    for (const [name, window, yBits, argmax] of cases) {
      test(`${name}, C=${C} (x=[1,4,${C}] pool=4 valid)`, () => {
        const g = geometry(1, 1, [4], C, 4, 4, 'valid');
        const x = new Float32Array(4 * C), bits = new Uint32Array(x.buffer);
        for (let w = 0; w < 4; w++) for (let c = 0; c < C; c++) bits[w * C + c] = window[w];
        const y = new Float32Array(C);
        maxPoolForwardWasm(g, x, y);
        const yGot = Array.from(new Uint32Array(y.buffer));
        expect(yGot.map((b) => b.toString(16))).toEqual(new Array(C).fill(yBits.toString(16)));
        const dy = Float32Array.from({ length: C }, (_, c) => c + 0.5), dx = new Float32Array(4 * C).fill(9);
        maxPoolBackwardWasm(g, x, dy, dx);
        const want = new Float32Array(4 * C);
        for (let c = 0; c < C; c++) want[argmax * C + c] = c + 0.5;
        expect(Array.from(dx)).toEqual(Array.from(want));
      });
    }
  }

  test('overlapping windows add in output order: x=[1,3,1] = [1,5,2] pool=2 s=1 → dx[1] = dy0 + dy1', () => {
    const g = geometry(1, 1, [3], 1, 2, 1, 'valid');
    const dy = new Float32Array([0.1, 0.2]), dx = new Float32Array(3);
    maxPoolBackwardWasm(g, new Float32Array([1, 5, 2]), dy, dx);
    expect(Array.from(dx)).toEqual([0, Math.fround(Math.fround(0.1) + Math.fround(0.2)), 0]);
  });

  test("'same' windows are clipped: x=[1,5,1] = [9,1,2,3,8] pool=3 s=2 same → y = [9, 3, 8] (pad 1 each side)", () => {
    const g = geometry(1, 1, [5], 1, 3, 2, 'same');
    const y = new Float32Array(3);
    maxPoolForwardWasm(g, new Float32Array([9, 1, 2, 3, 8]), y);
    expect(Array.from(y)).toEqual([9, 3, 8]);
  });

  test("avg 'same' borders divide by the positions inside: x=[9,1,2,3,8] pool=3 s=2 → y = [10/2, 6/3, 11/2], dx of dy=[1,3,2]", () => {
    const g = geometry(1, 1, [5], 1, 3, 2, 'same');
    const y = new Float32Array(3), dx = new Float32Array(5).fill(9);
    avgPoolForwardWasm(g, new Float32Array([9, 1, 2, 3, 8]), y);
    expect(Array.from(y)).toEqual([(9 + 1) / 2, (1 + 2 + 3) / 3, (3 + 8) / 2]);
    avgPoolBackwardWasm(g, new Float32Array([1, 3, 2]), dx);
    expect(Array.from(dx)).toEqual([1 / 2, 1 / 2 + 3 / 3, 3 / 3, 3 / 3 + 2 / 2, 2 / 2]);
  });

  test('avg sums in float64 like the JS kernel: x=[1, 2^-24, 2^-24] pool=3 → f32((1 + 2^-23) / 3), not f32(1/3)', () => {
    const g = geometry(1, 1, [3], 1, 3, 3, 'valid');
    const y = new Float32Array(1);
    avgPoolForwardWasm(g, new Float32Array([1, 2 ** -24, 2 ** -24]), y);
    expect(Math.fround((1 + 2 ** -23) / 3)).not.toBe(Math.fround(1 / 3));
    expect(y[0]).toBe(Math.fround((1 + 2 ** -23) / 3));
  });
});

describe('bias gradient on the wasm backend (column sums) vs convBiasGrad', () => {
  const jsBiasGrad = (rows: number, C: number, dy: Float32Array): Float32Array => {
    const db = new Float32Array(C);
    convBiasGrad(convGeometry(1, rows, [1], C, [1], C, [1], [1], 'valid'), dy, db);
    return db;
  };
  /** '' when |wasm − js| ≤ 1e-6 · Σ_r |dy[r, c]| in every column. */
  const compare = (rows: number, C: number, dy: Float32Array, label: string): string => {
    const want = jsBiasGrad(rows, C, dy), got = new Float32Array(C).fill(NaN);
    biasGradWasm(rows, C, dy, got);
    for (let c = 0; c < C; c++) {
      let scale = 0;
      for (let r = 0; r < rows; r++) scale += Math.abs(dy[r * C + c]);
      const tol = 1e-6 * scale;
      if (!(Math.abs(got[c] - want[c]) <= tol)) return `db[${c}] (${label}): wasm ${got[c]} vs js ${want[c]}, |diff| ${Math.abs(got[c] - want[c])} > ${tol}`;
    }
    return '';
  };
  for (const rows of [0, 1, 3, 255, 256, 257, 10000]) {
    test(`rows=${rows}, C ∈ {1,3,4,7,16,33}: signed and all-positive dy, within 1e-6 of Σ|dy|`, () => {
      for (const C of [1, 3, 4, 7, 16, 33]) {
        const mixed = signed(rows * C), positive = signed(rows * C).map(Math.abs);
        expect(compare(rows, C, mixed, `rows=${rows} C=${C} signed`)).toBe('');
        expect(compare(rows, C, positive, `rows=${rows} C=${C} uniform(0,1)`)).toBe('');
      }
    });
  }
  test(`rows=70001 C=33 (several copies through the X region, ${BIAS_BLOCK}-row blocks), and rows of ±Infinity / NaN propagate`, () => {
    const rows = 70001, C = 33;
    expect(rows * C).toBeGreaterThan(X_BYTES >> 2);
    expect(compare(rows, C, signed(rows * C), 'rows=70001 C=33')).toBe('');
    const dy = signed(300 * 3);
    dy[5 * 3 + 0] = Infinity; dy[200 * 3 + 1] = NaN; dy[7 * 3 + 2] = Infinity; dy[299 * 3 + 2] = -Infinity;
    const got = new Float32Array(3);
    biasGradWasm(300, 3, dy, got);
    expect([got[0], got[1], got[2]]).toEqual([Infinity, NaN, NaN]);
  });
});

describe('dispatch on the wasm backend', () => {
  let rt: WasmRuntime;
  beforeAll(() => { rt = wasmRuntime() as WasmRuntime; });
  afterEach(() => { jest.restoreAllMocks(); setBackend('wasm'); });

  test('the pool and bias kernels sit in one module of < 4096 bytes that validates (both variants)', () => {
    for (const relaxed of [false, true]) {
      const mine = kernelModules(relaxed).filter((bytes) => {
        if (!WebAssembly.validate(bytes)) return false;
        const names = WebAssembly.Module.exports(new WebAssembly.Module(bytes)).map((e) => e.name);
        return ['max_pool_forward', 'max_pool_backward', 'avg_pool_forward', 'avg_pool_backward', 'column_sums'].every((n) => names.includes(n));
      });
      expect(mine.length).toBe(1);
      expect(mine[0].length).toBeLessThan(4096);
    }
  });

  test('maxPool1d/2d/3d, maxPool2d/3dBackprop, avgPool2d/3d, avgPool2dBackprop and convBiasGradient run the wasm kernels on wasm, not on js; same bits', () => {
    const fwd = jest.spyOn(rt, 'maxPoolForward'), bwd = jest.spyOn(rt, 'maxPoolBackward'), sums = jest.spyOn(rt, 'columnSums');
    const avgFwd = jest.spyOn(rt, 'avgPoolForward'), avgBwd = jest.spyOn(rt, 'avgPoolBackward');
    const calls = (): number[] => [fwd, bwd, sums, avgFwd, avgBwd].map((spy) => spy.mock.calls.length);
    const x1 = new Tensor(poolData(2 * 9 * 5, 'special'), [2, 9, 5]);
    const x2 = new Tensor(poolData(2 * 8 * 7 * 6, 'special'), [2, 8, 7, 6]);
    const x3 = new Tensor(poolData(2 * 4 * 5 * 6 * 3, 'special'), [2, 4, 5, 6, 3]);
    const xs2 = new Tensor(signed(x2.size), x2.shape), xs3 = new Tensor(signed(x3.size), x3.shape);
    const dy2 = new Tensor(signed(2 * 4 * 4 * 6), [2, 4, 4, 6]), dy3 = new Tensor(signed(2 * 2 * 3 * 3 * 3), [2, 2, 3, 3, 3]);
    const opts2 = { poolSize: 3, strides: 2, padding: 'same' as const }, opts3 = { poolSize: 2, padding: 'same' as const };
    const run = (): Float32Array[] => [
      maxPool1d(x1, { poolSize: 3, strides: 1 }).data, maxPool2d(x2, opts2).data, maxPool3d(x3, opts3).data,
      maxPool2dBackprop(dy2, x2, opts2).data, maxPool3dBackprop(dy3, x3, opts3).data,
      avgPool2d(xs2, opts2).data, avgPool3d(xs3, opts3).data, avgPool2dBackprop(dy2, [2, 8, 7, 6], opts2).data,
      convBiasGradient(dy2).data,
    ];
    setBackend('js');
    const js = run();
    expect(calls()).toEqual([0, 0, 0, 0, 0]);
    setBackend('wasm');
    const wasm = run();
    expect(calls()).toEqual([3, 2, 1, 2, 1]);
    for (let i = 0; i < 8; i++) expect(bitDifference(`op ${i}`, wasm[i], js[i])).toBe('');
    for (let c = 0; c < 6; c++) expect(Math.abs(wasm[8][c] - js[8][c])).toBeLessThan(1e-5);
  });

  test("the training bench's net (conv16-pool-conv32-pool-dense64-dense10) trains through the wasm pool and bias kernels", async () => {
    const m = sequential([
      layers.conv2d({ filters: 16, kernelSize: 3, activation: 'relu', inputShape: [28, 28, 1], seed: 1 }),
      layers.maxPooling2d({ poolSize: 2 }),
      layers.conv2d({ filters: 32, kernelSize: 3, activation: 'relu', seed: 2 }),
      layers.maxPooling2d({ poolSize: 2 }),
      layers.flatten(),
      layers.dense({ units: 64, activation: 'relu', seed: 3 }),
      layers.dense({ units: 10, activation: 'softmax', seed: 4 }),
    ]);
    m.compile({ optimizer: optimizers.adam(), loss: 'categoricalCrossentropy' });
    const x = new Tensor(signed(32 * 28 * 28), [32, 28, 28, 1]);
    const yData = new Float32Array(32 * 10);
    for (let i = 0; i < 32; i++) yData[i * 10 + (i % 10)] = 1;
    const fwd = jest.spyOn(rt, 'maxPoolForward'), bwd = jest.spyOn(rt, 'maxPoolBackward'), sums = jest.spyOn(rt, 'columnSums');
    await m.fit(x, new Tensor(yData, [32, 10]), { epochs: 1, batchSize: 32, verbose: 0 });
    // one step: each pooling layer forward and backward once, each conv layer's bias gradient once
    expect(fwd.mock.calls.length).toBeGreaterThanOrEqual(2);
    expect(bwd.mock.calls.length).toBe(2);
    expect(sums.mock.calls.length).toBe(2);
    // the pooling layer's output on both backends, same x: the same bits
    const pool = layers.maxPooling2d({ poolSize: 2 });
    const h = new Tensor(poolData(32 * 26 * 26 * 16, 'ties'), [32, 26, 26, 16]);
    const yWasm = pool.forward([h], false).y;
    setBackend('js');
    const yJs = pool.forward([h], false).y;
    expect(bitDifference('maxPooling2d output', yWasm.data, yJs.data)).toBe('');
  });
});
