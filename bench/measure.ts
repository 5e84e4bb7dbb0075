/**
 * Timing: benchmark.js suites, plus the rule that picks which problem a slow implementation is
 * timed on. Used by the main process (bench/run.ts) and the tfjs-wasm child alike, so both sides
 * measure the same way.
 *
 * A Case owns its preallocated inputs and outputs; `run()` is the timed unit (one kernel call, or
 * for tfjs one op with dataSync() so the work is really done, then dispose of the output).
 */
import Benchmark from 'benchmark';
import type { ResultRow } from './report';
import { candidateProblems, describeProblem, Impl, isReduced, Pass, Problem, problemFlops, Shape } from './shapes';

export interface Case {
  /** The timed unit. */
  run(): void;
  /** Run once and return a copy of the output (untimed: for specs checking that peers agree). */
  result(): Float32Array;
  dispose(): void;
}

/** Builds a case for one problem, or says why this implementation cannot run it ('n/a: …'). */
export type CaseFactory = (p: Problem) => Case | string;

export interface BenchSettings {
  /** Largest single-call time (s) the problem choice aims for. */
  callBudget: number;
  /** benchmark.js: run at least this many seconds … */
  maxTime: number;
  /** … and at least this many samples. */
  minSamples: number;
}

/*
 * benchmark.js makes about minSamples + 3 calls of a function slower than its minTime, and the
 * problem climb about two more: a slow case costs ≈ (minSamples + 5) × callBudget of wall time.
 */
export const QUICK_SETTINGS: BenchSettings = { callBudget: 0.3, maxTime: 0.4, minSamples: 3 };
export const FULL_SETTINGS: BenchSettings = { callBudget: 1.0, maxTime: 1.5, minSamples: 4 };

export interface Timing {
  /** Median over benchmark.js samples of the seconds per call (robust on a shared machine). */
  seconds: number;
  /** benchmark.js relative margin of error (%) of the mean. */
  rme: number;
  samples: number;
  /** Fastest sample, seconds per call. */
  min: number;
  /**
   * CPU time this process used over wall time while the benchmark ran (≈1 on an idle core;
   * lower means other processes on this shared machine took the core part of the time).
   */
  cpuShare: number;
}

export function median(v: readonly number[]): number {
  const s = [...v].sort((a, b) => a - b);
  const h = s.length >> 1;
  return s.length % 2 === 1 ? s[h] : (s[h - 1] + s[h]) / 2;
}

/** Wall time of one call, seconds. */
export function timeOnce(run: () => void): number {
  const t0 = performance.now();
  run();
  return (performance.now() - t0) / 1000;
}

export interface Chosen {
  problem: Problem;
  c: Case;
}

/**
 * Climb the candidate ladder from the smallest problem: time a call, predict the next larger
 * candidate's time from that rate, and move up while the prediction fits `budget` seconds.
 *
 * Wall-clock timings on a shared machine have spikes (preemption, a GC), and a single spike
 * would stop the climb early and time a needlessly small problem, so: a call shorter than
 * budget/8 is repeated and the fastest kept (three calls on the smallest problem, whose first
 * call is also cold: JIT, lazy set-up in a peer), and before stopping, a call under budget/2 is
 * timed once more to confirm. Per-call overhead only makes the prediction pessimistic (a smaller
 * problem than necessary), never a call much over budget. The climb costs about twice the final
 * call. Returns the case built for the chosen problem (the caller disposes it), or the factory's
 * 'n/a' reason.
 */
export function chooseCase(shape: Shape, factory: CaseFactory, budget: number): Chosen | string {
  const cands = candidateProblems(shape).reverse(); // smallest first
  let idx = 0;
  let built = factory(cands[0]);
  if (typeof built === 'string') return built;
  for (;;) {
    const c: Case = built;
    let seconds = timeOnce(() => c.run());
    const repeats = idx === 0 ? 2 : 1;
    for (let r = 0; r < repeats && seconds < budget / 8; r++) seconds = Math.min(seconds, timeOnce(() => c.run()));
    if (idx === cands.length - 1) break;
    const growth = problemFlops(shape, cands[idx + 1]) / problemFlops(shape, cands[idx]);
    if (seconds * growth > budget && seconds < budget / 2) seconds = Math.min(seconds, timeOnce(() => c.run()));
    if (seconds * growth > budget) break;
    c.dispose();
    idx++;
    built = factory(cands[idx]);
    if (typeof built === 'string') return built;
  }
  return { problem: cands[idx], c: built };
}

export interface SuiteEntry {
  name: string;
  run: () => void;
}

/**
 * Run one benchmark.js suite (entries in order, synchronously) and return each entry's timing, or
 * the error it threw as a string. `onCycle` reports each finished benchmark (progress output).
 */
export function runSuite(
  suiteName: string, entries: SuiteEntry[], settings: BenchSettings,
  onCycle: (name: string, t: Timing | string) => void = () => undefined,
): Map<string, Timing | string> {
  const out = new Map<string, Timing | string>();
  const suite = new Benchmark.Suite(suiteName);
  let cpu0 = process.cpuUsage();
  let wall0 = performance.now();
  for (const e of entries) {
    // The function is passed by reference (not decompiled): benchmark.js falls back to calling
    // it when its source cannot be recompiled out of its closure, which is the case here.
    suite.add(e.name, e.run, {
      maxTime: settings.maxTime, minSamples: settings.minSamples, initCount: 1,
      onStart: () => { cpu0 = process.cpuUsage(); wall0 = performance.now(); },
    });
  }
  suite.on('cycle', (event: Benchmark.Event) => {
    const b = event.target as unknown as Benchmark;
    if (b.error) {
      const msg = `error: ${String((b.error as Error).message ?? b.error)}`;
      out.set(String(b.name), msg);
      onCycle(String(b.name), msg);
      return;
    }
    const cpu = process.cpuUsage(cpu0);
    const wallMs = performance.now() - wall0;
    const t: Timing = {
      seconds: median(b.stats.sample), rme: b.stats.rme, samples: b.stats.sample.length,
      min: Math.min(...b.stats.sample), cpuShare: (cpu.user + cpu.system) / 1000 / Math.max(wallMs, 1e-3),
    };
    out.set(String(b.name), t);
    onCycle(String(b.name), t);
  });
  suite.run({ async: false });
  return out;
}

/** The result row of one timing (or of its error string). */
export function timedRow(shape: Shape, pass: Pass, impl: Impl, problem: Problem, t: Timing | string | undefined): ResultRow {
  if (typeof t === 'string' || t === undefined) {
    return { shape: shape.name, pass, impl, gflops: null, note: t ?? 'error: not measured' };
  }
  const gflops = problemFlops(shape, problem) / t.seconds / 1e9;
  return {
    shape: shape.name, pass, impl, gflops,
    ms: t.seconds * 1000, minMs: t.min * 1000, samples: t.samples, rme: t.rme,
    cpuShare: t.cpuShare, gflopsPerCpuSecond: gflops / Math.max(t.cpuShare, 1e-3),
    problem: describeProblem(problem), reduced: isReduced(shape, problem),
  };
}
