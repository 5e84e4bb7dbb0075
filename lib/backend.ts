/**
 * Backend selection: which kernels the ops run on.
 *
 *   'wasm'  WebAssembly SIMD kernels assembled at run time by kernels/wasm/ (GEMM, convolution
 *           forward and both gradients, the bias gradient, max and average pooling, relu); the default
 *           wherever a SIMD probe module validates
 *   'js'    the pure-JS kernels of kernels/ (the fallback, and the oracle the wasm kernels are
 *           tested against)
 *
 * Ops read the backend on every call, so `setBackend` takes effect immediately. The wasm module is
 * compiled on first use (synchronously, a few modules of < 4 KiB each); its one memory is created once at a fixed size
 * and never grows, so no ArrayBuffer is ever detached (DESIGN.md).
 */
import { ConfigError, fmtValue } from './errors';
import { wasmFailure, wasmRuntime } from '../kernels/wasm/runtime';

export type BackendName = 'wasm' | 'js';

let current: BackendName | null = null;

/** Whether the wasm backend can run here (SIMD validates and the kernels compiled). */
export function wasmBackendAvailable(): boolean {
  return wasmRuntime() !== null;
}

/** The active backend: 'wasm' by default where WebAssembly SIMD validates, else 'js'. */
export function getBackend(): BackendName {
  if (current === null) current = wasmBackendAvailable() ? 'wasm' : 'js';
  return current;
}

/** Selects the kernels every op runs on from now on. */
export function setBackend(name: BackendName): void {
  if (name !== 'wasm' && name !== 'js') {
    throw new ConfigError(`setBackend: name must be 'wasm' or 'js', got ${fmtValue(name)}`);
  }
  if (name === 'wasm' && !wasmBackendAvailable()) {
    throw new ConfigError(`setBackend: 'wasm' is not available here (${wasmFailure()}); use 'js'`);
  }
  current = name;
}
