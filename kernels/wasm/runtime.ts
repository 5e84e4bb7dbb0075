/**
 * The WebAssembly runtime of the wasm backend: the SIMD probes, the one memory, the one instance.
 *
 * Never detach: growing a WebAssembly.Memory detaches its old ArrayBuffer, and the first detach in
 * a process slows every typed-array loop in it for good (DESIGN.md). So the memory is created once,
 * at a fixed size with maximum = initial (it cannot grow: `grow` would throw), and every kernel
 * copies tiles in and out of the fixed regions below through one Float32Array view that stays
 * valid for the life of the process.
 *
 *   byte offset   0 ─ A_BASE … A_BASE + A_BYTES   packed A panels (patch tiles, dY panels, Pᵀ)
 *                     S_BASE … S_BASE + S_BYTES   row-major staging (patch rows, dY rows) for pack_panels
 *                     B_BASE … B_BASE + B_BYTES   B operand (W, Wᵀ, dY rows, packed B panels)
 *                     C_BASE … C_BASE + C_BYTES   the C scratch block the tiles are written to
 *                     X_BASE … X_BASE + X_BYTES   a copy of the conv input (whole, or a group of
 *                                                 batch items) that im2col gathers from
 *
 * The kernels are split over a few modules (KERNEL_GROUPS), all importing that one memory, so each
 * stays under the 4 KiB that browsers allow a synchronous `new WebAssembly.Module` on the main
 * thread; their exports are merged into one runtime. Nothing here uses a Node API.
 */
import { FunctionDef, encodeModule } from './encoder';
import { gemmBlockFunction, packPanelsFunction, relaxedProbeFunction, simdProbeFunction } from './gemm-kernel';
import { im2colFunction } from './im2col-kernel';
import { dotRowsFunction } from './dot-kernel';
import { winoGatherFunction, winoOutputFunction } from './winograd-kernel';
import { reluBackwardFunction, reluInPlaceFunction } from './elementwise-kernel';
import { columnSumsFunction, poolFunction } from './pool-kernel';

const MiB = 1024 * 1024;
export const A_BASE = 0;
export const A_BYTES = 1 * MiB;
export const S_BASE = A_BASE + A_BYTES;
export const S_BYTES = 1 * MiB;
export const B_BASE = S_BASE + S_BYTES;
export const B_BYTES = 3 * MiB;
export const C_BASE = B_BASE + B_BYTES;
export const C_BYTES = 3 * MiB;
export const X_BASE = C_BASE + C_BYTES;
export const X_BYTES = 8 * MiB;
/** The whole memory: 16 MiB = 256 pages of 64 KiB, fixed. */
export const MEMORY_PAGES = (X_BASE + X_BYTES) / 65536;

/** Rows of the register tile (the packed A panel height); columns are NR = 8. */
export const MR = 4;

/** gemm_block (kernels/wasm/gemm-kernel.ts); every argument a byte offset or a count. */
export type GemmBlock = (
  a: number, aStride: number, aStep: number, b: number, bStride: number, bStep: number, c: number, ldc: number,
  kc: number, mPanels: number, nPanels: number, acc: number,
) => void;

export interface WasmRuntime {
  readonly memory: WebAssembly.Memory;
  /** The memory as float32; index = byte offset / 4. Valid forever (the memory never grows). */
  readonly f32: Float32Array;
  /** A(i, p) at a + ip·aStride + p·aStep + 4i (packed panels, or a row-major matrix read transposed). */
  readonly gemmBlock: GemmBlock;
  /** pack_panels(src, lda, dst, panels, kc): row-major rows (pitch lda bytes) → packed 4-row panels. */
  readonly packPanels: (src: number, lda: number, dst: number, panels: number, kc: number) => void;
  /** im2col (kernels/wasm/im2col-kernel.ts): patch rows of x (in the memory) → row-major rows at dst. */
  readonly im2col: (...args: number[]) => void;
  /** col2im: the same arguments; adds the patch rows at dst back into x (the input gradient's scatter). */
  readonly col2im: (...args: number[]) => void;
  /** dot_rows (kernels/wasm/dot-kernel.ts): a one-output-channel convolution of a zero-padded input. */
  readonly dotRows: (...args: number[]) => void;
  /** wino_gather / wino_output (kernels/wasm/winograd-kernel.ts): F(4,3) along W, input and output transforms. */
  readonly winoGather: (...args: number[]) => void;
  readonly winoOutput: (...args: number[]) => void;
  /** relu_in_place(p, n) and relu_backward(y, dy, n) (kernels/wasm/elementwise.ts). */
  readonly reluInPlace: (p: number, n: number) => void;
  readonly reluBackward: (y: number, dy: number, n: number) => void;
  /** max/avg_pool_forward/backward and column_sums (kernels/wasm/pool-kernel.ts, drivers in kernels/wasm/pool.ts). */
  readonly maxPoolForward: (...args: number[]) => void;
  readonly maxPoolBackward: (...args: number[]) => void;
  readonly avgPoolForward: (...args: number[]) => void;
  readonly avgPoolBackward: (...args: number[]) => void;
  readonly columnSums: (dy: number, rows: number, C: number, block: number, out: number) => void;
  /** Whether the kernels use f32x4.relaxed_madd (relaxed SIMD validated) or mul + add. */
  readonly relaxed: boolean;
}

function validates(bytes: Uint8Array<ArrayBuffer>): boolean {
  try {
    return typeof WebAssembly === 'object' && WebAssembly.validate(bytes);
  } catch {
    return false;
  }
}

let simd: boolean | undefined;
let relaxed: boolean | undefined;

/** Whether this engine validates a module using fixed-width SIMD (f32x4). */
export function simdSupported(): boolean {
  if (simd === undefined) simd = validates(encodeModule(1, [simdProbeFunction()]));
  return simd;
}

/** Whether this engine validates f32x4.relaxed_madd (relaxed SIMD). */
export function relaxedSimdSupported(): boolean {
  if (relaxed === undefined) relaxed = simdSupported() && validates(encodeModule(1, [relaxedProbeFunction()]));
  return relaxed;
}

/**
 * The kernel functions, grouped into modules of < 4 KiB each (a browser compiles a module
 * synchronously on the main thread only up to 4 KiB). Add a kernel to a group with room, or start
 * a new group; spec/wasm-gemm.spec.ts checks every group's size.
 */
const KERNEL_GROUPS: readonly ((relaxedMadd: boolean) => FunctionDef[])[] = [
  (relaxedMadd) => [gemmBlockFunction(MR, relaxedMadd), packPanelsFunction()],
  () => [im2colFunction(), im2colFunction(true), reluInPlaceFunction(), reluBackwardFunction()],
  () => [dotRowsFunction()],
  () => [winoGatherFunction(), winoOutputFunction()],
  () => [poolFunction('max_pool_forward'), poolFunction('max_pool_backward'), columnSumsFunction(),
    poolFunction('avg_pool_forward'), poolFunction('avg_pool_backward')],
];

/** The bytes of every kernel module (mul + add, or relaxed_madd), each importing the fixed memory. */
export function kernelModules(relaxedMadd: boolean): Uint8Array<ArrayBuffer>[] {
  return KERNEL_GROUPS.map((group) => encodeModule(MEMORY_PAGES, group(relaxedMadd)));
}

let runtime: WasmRuntime | null | undefined;
let failure = '';

/** The instance, compiled on first use; null where SIMD does not validate or compiling failed. */
export function wasmRuntime(): WasmRuntime | null {
  if (runtime !== undefined) return runtime;
  runtime = null;
  if (!simdSupported()) { failure = 'WebAssembly SIMD does not validate on this engine'; return null; }
  try {
    const rel = relaxedSimdSupported();
    const memory = new WebAssembly.Memory({ initial: MEMORY_PAGES, maximum: MEMORY_PAGES });
    const merged: Record<string, unknown> = {};
    for (const bytes of kernelModules(rel)) {
      Object.assign(merged, new WebAssembly.Instance(new WebAssembly.Module(bytes), { env: { memory } }).exports);
    }
    runtime = {
      memory,
      f32: new Float32Array(memory.buffer),
      gemmBlock: merged.gemm_block as GemmBlock,
      packPanels: merged.pack_panels as WasmRuntime['packPanels'],
      im2col: merged.im2col as WasmRuntime['im2col'],
      col2im: merged.col2im as WasmRuntime['col2im'],
      dotRows: merged.dot_rows as WasmRuntime['dotRows'],
      winoGather: merged.wino_gather as WasmRuntime['winoGather'],
      winoOutput: merged.wino_output as WasmRuntime['winoOutput'],
      reluInPlace: merged.relu_in_place as WasmRuntime['reluInPlace'],
      reluBackward: merged.relu_backward as WasmRuntime['reluBackward'],
      maxPoolForward: merged.max_pool_forward as WasmRuntime['maxPoolForward'],
      maxPoolBackward: merged.max_pool_backward as WasmRuntime['maxPoolBackward'],
      avgPoolForward: merged.avg_pool_forward as WasmRuntime['avgPoolForward'],
      avgPoolBackward: merged.avg_pool_backward as WasmRuntime['avgPoolBackward'],
      columnSums: merged.column_sums as WasmRuntime['columnSums'],
      relaxed: rel,
    };
  } catch (e) {
    failure = `compiling the wasm kernels failed: ${e instanceof Error ? e.message : String(e)}`;
  }
  return runtime;
}

/** Why wasmRuntime() returned null ('' when it did not). */
export function wasmFailure(): string {
  return failure;
}

/** The runtime, or an Error naming why there is none (for kernels called with the backend off). */
export function requireRuntime(op: string): WasmRuntime {
  const rt = wasmRuntime();
  if (rt === null) throw new Error(`${op}: the wasm backend is unavailable: ${failure}`);
  return rt;
}
