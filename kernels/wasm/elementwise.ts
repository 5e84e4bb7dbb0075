/**
 * ReLU forward and backward on the wasm backend (kernels/wasm/elementwise-kernel.ts): chunks of the
 * operands are copied into the X region (native copies), masked there by f32x4 code, and copied out.
 * Results are bit-identical to kernels/activations.ts (reluInPlace, reluBackward).
 */
import { X_BASE, X_BYTES, wasmRuntime } from './runtime';

const X0 = X_BASE >> 2, CHUNK = (X_BYTES >> 2) >> 1; // two operands of 1 Mi floats each

/** y[i] = max(y[i], 0) in place for i < n, on the wasm backend (kernels/activations.ts reluInPlace otherwise). */
export function reluInPlaceWasm(y: Float32Array, n: number): boolean {
  const rt = wasmRuntime();
  if (rt === null) return false;
  const f32 = rt.f32;
  for (let i = 0; i < n; i += 2 * CHUNK) {
    const len = Math.min(2 * CHUNK, n - i);
    f32.set(y.subarray(i, i + len), X0);
    rt.reluInPlace(X_BASE, len);
    y.set(f32.subarray(X0, X0 + len), i);
  }
  return true;
}

/** dx[i] = y[i] > 0 ? dy[i] : 0 for i < n, on the wasm backend (false when there is none). */
export function reluBackwardWasm(y: Float32Array, dy: Float32Array, dx: Float32Array, n: number): boolean {
  const rt = wasmRuntime();
  if (rt === null) return false;
  const f32 = rt.f32;
  for (let i = 0; i < n; i += CHUNK) {
    const len = Math.min(CHUNK, n - i);
    f32.set(y.subarray(i, i + len), X0);
    f32.set(dy.subarray(i, i + len), X0 + CHUNK);
    rt.reluBackward(X_BASE, X_BASE + 4 * CHUNK, len);
    dx.set(f32.subarray(X0 + CHUNK, X0 + CHUNK + len), i);
  }
  return true;
}
