/**
 * Max pooling and the bias gradient, JS kernels vs the wasm backend, on the training bench net's
 * shapes (bench/train.bench.ts), same process, through the ops the layers call:
 *
 *   pool1   maxPool2d + maxPool2dBackprop   x [32, 26, 26, 16]  pool 2   (after conv16)
 *   pool2   maxPool2d + maxPool2dBackprop   x [32, 11, 11, 32]  pool 2   (after conv32)
 *           (and avgPool2d + avgPool2dBackprop on the same shapes: the net does not use them)
 *   bias1   convBiasGradient                dy [32, 26, 26, 16]           (conv16's bias)
 *   bias2   convBiasGradient                dy [32, 11, 11, 32]           (conv32's bias)
 *
 * Inputs are filled before timing; each cell is the median of 15 samples, each the mean over
 * enough calls to take ≥ 20 ms. Backends alternate per sample (js, wasm, js, …) so drift hits both.
 *
 *   npx ts-node --transpile-only bench/pool-wasm.bench.ts
 */
import { Random, Tensor, avgPool2d, avgPool2dBackprop, convBiasGradient, maxPool2d, maxPool2dBackprop, setBackend } from '../lib/index';

const rng = new Random(5);
const randn = (shape: number[]): Tensor =>
  new Tensor(Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => rng.normal()), shape);

function msPerCall(fn: () => void): number {
  let calls = 1;
  for (;;) {
    const t0 = performance.now();
    for (let i = 0; i < calls; i++) fn();
    const ms = performance.now() - t0;
    if (ms >= 20) return ms / calls;
    calls *= 2;
  }
}

function median(v: number[]): number {
  const s = v.slice().sort((a, b) => a - b);
  return s[s.length >> 1];
}

const cases: [string, () => void][] = [];
for (const [name, shape] of [['pool1', [32, 26, 26, 16]], ['pool2', [32, 11, 11, 32]]] as const) {
  const x = randn([...shape]), opts = { poolSize: 2 };
  const dy = randn([shape[0], shape[1] >> 1, shape[2] >> 1, shape[3]]);
  cases.push([`${name} maxPool2d          x=[${shape}]`, () => { maxPool2d(x, opts); }]);
  cases.push([`${name} maxPool2dBackprop  x=[${shape}]`, () => { maxPool2dBackprop(dy, x, opts); }]);
  cases.push([`${name} avgPool2d          x=[${shape}]`, () => { avgPool2d(x, opts); }]);
  cases.push([`${name} avgPool2dBackprop  x=[${shape}]`, () => { avgPool2dBackprop(dy, [...shape], opts); }]);
}
for (const [name, shape] of [['bias1', [32, 26, 26, 16]], ['bias2', [32, 11, 11, 32]]] as const) {
  const dy = randn([...shape]);
  cases.push([`${name} convBiasGradient   dy=[${shape}]`, () => { convBiasGradient(dy); }]);
}

console.log('case                                         js ms   wasm ms   js/wasm');
for (const [label, fn] of cases) {
  const t: Record<'js' | 'wasm', number[]> = { js: [], wasm: [] };
  for (const b of ['js', 'wasm'] as const) { setBackend(b); msPerCall(fn); } // warm-up
  for (let s = 0; s < 15; s++) {
    for (const b of ['js', 'wasm'] as const) { setBackend(b); t[b].push(msPerCall(fn)); }
  }
  const js = median(t.js), wasm = median(t.wasm);
  console.log(`${label.padEnd(42)} ${js.toFixed(3).padStart(7)} ${wasm.toFixed(3).padStart(9)} ${(js / wasm).toFixed(2).padStart(8)}×`);
}
