/**
 * Backend selection (lib/backend.ts): the default, setBackend/getBackend, that matMul and the conv
 * ops really run the selected kernels, and that a model trains to the same numbers on both.
 */
import {
  ConfigError, Random, Tensor, conv2d, conv2dBackpropFilter, conv2dBackpropInput, getBackend, layers, matMul,
  optimizers, regularizers, sequential, setBackend, wasmBackendAvailable,
} from '../lib/index';
import { convGeometry } from '../kernels/conv-geometry';
import { convBackpropFilter, convBackpropInput, convForward } from '../kernels/conv';
import { convBackpropFilterWasm, convBackpropInputWasm, convForwardWasm } from '../kernels/wasm/conv';
import { gemm } from '../kernels/gemm';
import { gemmWasm } from '../kernels/wasm/gemm';
import { reluBackward, reluInPlace } from '../kernels/activations';
import { reluBackwardWasm, reluInPlaceWasm } from '../kernels/wasm/elementwise';
import * as fs from 'fs';
import * as path from 'path';

const rng = new Random(11);
const randn = (shape: number[]): Tensor =>
  new Tensor(Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => rng.normal()), shape);

afterEach(() => setBackend('wasm'));

describe('backend selection', () => {
  test("the default is 'wasm' where the SIMD probe validates (Node ≥ 16 does)", () => {
    expect(wasmBackendAvailable()).toBe(true);
    expect(getBackend()).toBe('wasm');
  });
  test("setBackend('js') / setBackend('wasm') switch getBackend()", () => {
    setBackend('js');
    expect(getBackend()).toBe('js');
    setBackend('wasm');
    expect(getBackend()).toBe('wasm');
  });
  test('throws a ConfigError naming the argument for an unknown backend, and keeps the current one', () => {
    setBackend('js');
    expect(() => setBackend('webgl' as 'js')).toThrow(ConfigError);
    expect(() => setBackend('webgl' as 'js')).toThrow(/setBackend: name must be 'wasm' or 'js', got "webgl"/);
    expect(getBackend()).toBe('js');
  });
  test('matMul runs kernels/gemm.ts on js and kernels/wasm/gemm.ts on wasm (bit for bit), incl. transposes', () => {
    const a = randn([37, 29]), b = randn([45, 29]);
    for (const backend of ['js', 'wasm'] as const) {
      setBackend(backend);
      const got = matMul(a, b, { transposeB: true });
      const want = new Float32Array(37 * 45);
      (backend === 'js' ? gemm : gemmWasm)(37, 45, 29, 1, a.data, 0, 29, 1, b.data, 0, 1, 29, 0, want, 0, 45, 1);
      expect(Array.from(got.data)).toEqual(Array.from(want));
    }
  });
  test('conv2d and both conv2d gradients run the selected kernels (bit for bit), x=[2,9,9,8] k=[3,3,8,12] s=2 same', () => {
    const x = randn([2, 9, 9, 8]), w = randn([3, 3, 8, 12]), bias = randn([12]);
    const g = convGeometry(2, 2, [9, 9], 8, [3, 3], 12, [2, 2], [1, 1], 'same');
    const dy = randn([2, 5, 5, 12]);
    for (const backend of ['js', 'wasm'] as const) {
      setBackend(backend);
      const fwd = backend === 'js' ? convForward : convForwardWasm;
      const bpi = backend === 'js' ? convBackpropInput : convBackpropInputWasm;
      const bpf = backend === 'js' ? convBackpropFilter : convBackpropFilterWasm;
      const y = new Float32Array(2 * 5 * 5 * 12), dx = new Float32Array(x.size), dw = new Float32Array(w.size);
      fwd(g, x.data, w.data, bias.data, y);
      bpi(g, dy.data, w.data, dx);
      bpf(g, x.data, dy.data, dw);
      const opts = { strides: 2, padding: 'same' as const };
      expect(Array.from(conv2d(x, w, { ...opts, bias }).data)).toEqual(Array.from(y));
      expect(Array.from(conv2dBackpropInput(dy, w, [2, 9, 9, 8], opts).data)).toEqual(Array.from(dx));
      expect(Array.from(conv2dBackpropFilter(x, dy, [3, 3, 8, 12], opts).data)).toEqual(Array.from(dw));
    }
  });
  test('a conv net trains to the same losses and weights on both backends (3 epochs, Adam, L2; 1e-4 relative)', async () => {
    const x = randn([48, 12, 12, 1]);
    const yData = new Float32Array(48 * 4);
    for (let i = 0; i < 48; i++) yData[i * 4 + (i % 4)] = 1;
    const y = new Tensor(yData, [48, 4]);
    const run = async (backend: 'js' | 'wasm'): Promise<{ loss: number[]; weights: Float32Array[] }> => {
      setBackend(backend);
      const m = sequential([
        layers.conv2d({ filters: 8, kernelSize: 3, activation: 'relu', inputShape: [12, 12, 1], kernelRegularizer: regularizers.l2({ l2: 1e-3 }), seed: 1 }),
        layers.maxPooling2d({ poolSize: 2 }),
        layers.conv2d({ filters: 16, kernelSize: 3, activation: 'relu', seed: 2 }),
        layers.flatten(),
        layers.dense({ units: 4, activation: 'softmax', seed: 3 }),
      ]);
      m.compile({ optimizer: optimizers.adam({ learningRate: 0.01 }), loss: 'categoricalCrossentropy' });
      const h = await m.fit(x, y, { epochs: 3, batchSize: 16, verbose: 0, seed: 7 });
      return { loss: h.history.loss, weights: m.getWeights().map((t) => t.data) };
    };
    const js = await run('js'), wasm = await run('wasm');
    for (let e = 0; e < 3; e++) expect(Math.abs(wasm.loss[e] - js.loss[e])).toBeLessThan(1e-4 * Math.abs(js.loss[e]));
    js.weights.forEach((wj, i) => {
      let worst = 0, scale = 0;
      for (let j = 0; j < wj.length; j++) { worst = Math.max(worst, Math.abs(wasm.weights[i][j] - wj[j])); scale = Math.max(scale, Math.abs(wj[j])); }
      expect(worst).toBeLessThan(1e-4 * scale);
    });
  });
});

/** The first index whose float32 bits differ (−1 when none): NaN payloads and −0 count. */
function firstBitDifference(a: Float32Array, b: Float32Array): number {
  const x = new Uint32Array(a.buffer, a.byteOffset, a.length), y = new Uint32Array(b.buffer, b.byteOffset, b.length);
  if (x.length !== y.length) return 0;
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return i;
  return -1;
}

describe('relu on the wasm backend (kernels/wasm/elementwise.ts)', () => {
  const special = [NaN, -0, 0, Infinity, -Infinity, 1e-45, -1e-45, 3.5, -2];
  for (const n of [0, 1, 3, 4, 5, 9, 17, (1 << 20) + 7]) {
    test(`forward in place and backward are bit-identical to kernels/activations.ts, n=${n} (NaN, ±0, ±Infinity, subnormals)`, () => {
      const y0 = new Float32Array(n), dy = new Float32Array(n);
      for (let i = 0; i < n; i++) {
        y0[i] = i < special.length ? special[i] : rng.normal();
        dy[i] = i < special.length ? special[(i + 4) % special.length] : rng.normal();
      }
      const a = y0.slice(), b = y0.slice();
      expect(reluInPlaceWasm(a, n)).toBe(true);
      reluInPlace(b, n);
      expect(firstBitDifference(a, b)).toBe(-1);
      const da = new Float32Array(n), db = new Float32Array(n);
      expect(reluBackwardWasm(b, dy, da, n)).toBe(true);
      reluBackward(b, dy, db, n);
      expect(firstBitDifference(da, db)).toBe(-1);
    });
  }
});

describe('browser safety', () => {
  test('kernels/wasm/ and lib/backend.ts import no Node built-in and reference no process/Buffer/require', () => {
    const files = [...fs.readdirSync(path.join(__dirname, '../kernels/wasm')).map((f) => `kernels/wasm/${f}`), 'lib/backend.ts'];
    for (const f of files) {
      const src = fs.readFileSync(path.join(__dirname, '..', f), 'utf8');
      const imports = [...src.matchAll(/from '([^']+)'/g)].map((m) => m[1]);
      expect([f, imports.filter((i) => !i.startsWith('.'))]).toEqual([f, []]);
      const code = src.replace(/\/\*[\s\S]*?\*\//g, '').replace(/\/\/.*$/gm, ''); // comments removed
      expect([f, /\b(process|Buffer|require)\s*[.(]/.test(code)]).toEqual([f, false]);
    }
  });
});
