/**
 * The register-only multiply-add probe: the practical ceiling of scalar JavaScript arithmetic on
 * this CPU, measured in the same run as the kernels so "GEMM reaches N% of it" is a same-machine,
 * same-moment ratio.
 *
 *   12 independent chains  acc_i ← acc_i · s + t   (1 multiply + 1 add = 2 FLOPs per chain)
 *
 * Everything lives in locals: no loads or stores, so the number is bounded only by how many
 * floating-point multiplies and adds V8's code issues per cycle (it emits no FMA, does not
 * vectorize and does not unroll). 12 chains is the best count measured here: 8 leave the FP
 * pipes idle waiting on the mul→add latency, 16 plus the two constants exceed the 16 xmm registers
 * of x86-64 and spill (≈3× slower). This is the same 12-accumulator budget as a 3×4 GEMM
 * microkernel, which additionally has to load its operands.
 *
 * The chains converge to t / (1 − s) = 1: bounded, never denormal, and the sum is returned so the
 * loop cannot be removed as dead code.
 */

/** FLOPs per loop iteration of `probeMultiplyAdd`: 12 chains × (1 mul + 1 add). */
export const PROBE_FLOPS_PER_ITERATION = 24;

export function probeMultiplyAdd(iterations: number): number {
  const s = 0.9999999, t = 1e-7;
  let a0 = 0.0, a1 = 0.1, a2 = 0.2, a3 = 0.3, a4 = 0.4, a5 = 0.5;
  let a6 = 0.6, a7 = 0.7, a8 = 0.8, a9 = 0.9, a10 = 1.0, a11 = 1.1;
  for (let i = 0; i < iterations; i++) {
    a0 = a0 * s + t; a1 = a1 * s + t; a2 = a2 * s + t; a3 = a3 * s + t;
    a4 = a4 * s + t; a5 = a5 * s + t; a6 = a6 * s + t; a7 = a7 * s + t;
    a8 = a8 * s + t; a9 = a9 * s + t; a10 = a10 * s + t; a11 = a11 * s + t;
  }
  return a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7 + a8 + a9 + a10 + a11;
}

/** Iterations per timed call: 2·10⁶ × 24 FLOPs ≈ 5 ms at 10 GFLOP/s. */
export const PROBE_ITERATIONS = 2_000_000;
export const PROBE_FLOPS_PER_CALL = PROBE_ITERATIONS * PROBE_FLOPS_PER_ITERATION;

/** A sink so the probe's result is observably used. */
export let probeSink = 0;

/** One timed unit of work for benchmark.js. */
export function probeCall(): void {
  probeSink += probeMultiplyAdd(PROBE_ITERATIONS);
}
