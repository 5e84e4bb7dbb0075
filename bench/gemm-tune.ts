/**
 * GEMM tuning sweep — how kernels/gemm.ts got its MR×NR, KC, MC, NC (and why it has no direct
 * loop for tiny problems).
 *
 *   npx ts-node --transpile-only bench/gemm-tune.ts [--quick] [--rounds N] [--only headline|micro|shapes|blocks|skinny|small]
 *
 * One process, everything interleaved: each round times every variant once, in a shuffled order,
 * and a variant's score is the median over rounds, so a burst of load from another process on
 * this shared 2-core machine hits all variants alike. Compare variants within one run only.
 *
 * Variants are generated as source text (new Function) from one template: the same five loops,
 * packing and write-back as kernels/gemm.ts, with the microkernel unrolled for the given MR×NR
 * and the k loop unrolled U times. The production kernel, the naive reference and a
 * register-only multiply-add probe (the practical scalar ceiling) run in the same rounds.
 * Inputs are created outside the timed calls; at 512 and 1024 the operands (1–4 MiB each as
 * float32) do not fit in L2 (1 MiB per core), so packing reads come from L3/DRAM as in real use.
 */
import { gemm, MR, NR, KC, MC, NC } from '../kernels/gemm';
import { gemmReference } from '../kernels/reference/gemm';

type GemmFn = (
  m: number, n: number, k: number, alpha: number,
  a: Float32Array, aOff: number, aRs: number, aCs: number,
  b: Float32Array, bOff: number, bRs: number, bCs: number,
  beta: number, c: Float32Array, cOff: number, cRs: number, cCs: number,
) => void;

interface Config { mr: number; nr: number; kc: number; mc: number; nc: number; unroll: number; order: 'jr-ir' | 'ir-jr' }

const args = process.argv.slice(2);
const QUICK = args.includes('--quick');
const ROUNDS = Number(args[args.indexOf('--rounds') + 1]) || (QUICK ? 7 : 21);
const ONLY = args.includes('--only') ? args[args.indexOf('--only') + 1] : '';

// ---------------------------------------------------------------------------------------------
// Variant generator
// ---------------------------------------------------------------------------------------------

function microSource(mr: number, nr: number, unroll: number): string {
  const L: string[] = [];
  const accs: string[] = [];
  for (let r = 0; r < mr; r++) for (let j = 0; j < nr; j++) accs.push(`acc${r}${j}`);
  L.push(`function micro(kc, aI, bI, alpha, beta, c, cI, cRs, cCs, mr, nr) {`);
  L.push(`  let ${accs.map((x) => x + ' = 0').join(', ')};`);
  const step = (u: number): void => {
    const ao = u * mr, bo = u * nr;
    L.push(`    {`);
    L.push(`    const ${Array.from({ length: mr }, (_, r) => `a${r} = ws[aI + ${ao + r}]`).join(', ')};`);
    L.push(`    const ${Array.from({ length: nr }, (_, j) => `b${j} = ws[bI + ${bo + j}]`).join(', ')};`);
    for (let r = 0; r < mr; r++) L.push('    ' + Array.from({ length: nr }, (_, j) => `acc${r}${j} += a${r} * b${j};`).join(' '));
    L.push(`    }`);
  };
  if (unroll > 1) {
    L.push(`  let p = 0;`);
    L.push(`  for (; p + ${unroll} <= kc; p += ${unroll}) {`);
    for (let u = 0; u < unroll; u++) step(u);
    L.push(`    aI += ${mr * unroll}; bI += ${nr * unroll};`);
    L.push(`  }`);
    L.push(`  for (; p < kc; p++) {`);
  } else {
    L.push(`  for (let p = 0; p < kc; p++) {`);
  }
  step(0);
  L.push(`    aI += ${mr}; bI += ${nr};`);
  L.push(`  }`);
  L.push(`  if (mr === ${mr} && nr === ${nr}) {`);
  L.push(`    if (beta === 0) {`);
  for (let r = 0; r < mr; r++) for (let j = 0; j < nr; j++) L.push(`      c[cI + ${r} * cRs + ${j} * cCs] = alpha * acc${r}${j};`);
  L.push(`    } else {`);
  for (let r = 0; r < mr; r++) for (let j = 0; j < nr; j++) {
    L.push(`      { const x = cI + ${r} * cRs + ${j} * cCs; c[x] = alpha * acc${r}${j} + beta * c[x]; }`);
  }
  L.push(`    }`);
  L.push(`    return;`);
  L.push(`  }`);
  accs.forEach((x, i) => L.push(`  ws[TILE + ${i}] = ${x};`));
  L.push(`  for (let r = 0; r < mr; r++) for (let j = 0; j < nr; j++) {`);
  L.push(`    const x = cI + r * cRs + j * cCs, v = ws[TILE + r * ${nr} + j];`);
  L.push(`    c[x] = beta === 0 ? alpha * v : alpha * v + beta * c[x];`);
  L.push(`  }`);
  L.push(`}`);
  return L.join('\n');
}

/**
 * One complete packed GEMM for the configuration, built like kernels/gemm.ts: a const
 * Float64Array workspace in the closure (B block, then A block, then the edge tile), packA,
 * packB, the microkernel and the five loops; warmed up on tiny problems before use.
 */
function makeVariant(cfg: Config): GemmFn {
  const { mr: MR_, nr: NR_, kc: KC_, mc: MC_, nc: NC_ } = cfg;
  const inner = cfg.order === 'jr-ir'
    ? `for (let jr = 0; jr < nc; jr += ${NR_}) {
          const nr = nc - jr < ${NR_} ? nc - jr : ${NR_};
          for (let ir = 0; ir < mc; ir += ${MR_}) {
            const mr = mc - ir < ${MR_} ? mc - ir : ${MR_};
            micro(kc, A_BASE + ir * kc, jr * kc, alpha, bb, c, cOff + (ic + ir) * cRs + (jc + jr) * cCs, cRs, cCs, mr, nr);
          }
        }`
    : `for (let ir = 0; ir < mc; ir += ${MR_}) {
          const mr = mc - ir < ${MR_} ? mc - ir : ${MR_};
          for (let jr = 0; jr < nc; jr += ${NR_}) {
            const nr = nc - jr < ${NR_} ? nc - jr : ${NR_};
            micro(kc, A_BASE + ir * kc, jr * kc, alpha, bb, c, cOff + (ic + ir) * cRs + (jc + jr) * cCs, cRs, cCs, mr, nr);
          }
        }`;
  const src = `
'use strict';
const B_SIZE = ${KC_} * ${Math.ceil(NC_ / NR_) * NR_};
const A_BASE = B_SIZE + 40;
const TILE = A_BASE + ${Math.ceil(MC_ / MR_) * MR_ * KC_} + 8;
const ws = new Float64Array(TILE + ${MR_ * NR_});
function packA(mc, kc, a, s0, aRs, aCs) {
  let dst = A_BASE;
  for (let ir = 0; ir < mc; ir += ${MR_}) {
    const mr = mc - ir < ${MR_} ? mc - ir : ${MR_};
    for (let r = 0; r < ${MR_}; r++) {
      let d = dst + r;
      if (r < mr) { let s = s0 + (ir + r) * aRs; for (let p = 0; p < kc; p++) { ws[d] = a[s]; d += ${MR_}; s += aCs; } }
      else { for (let p = 0; p < kc; p++) { ws[d] = 0; d += ${MR_}; } }
    }
    dst += ${MR_} * kc;
  }
}
function packB(kc, nc, b, s0, bRs, bCs) {
  let dst = 0;
  for (let jr = 0; jr < nc; jr += ${NR_}) {
    const nr = nc - jr < ${NR_} ? nc - jr : ${NR_};
    for (let j = 0; j < ${NR_}; j++) {
      let d = dst + j;
      if (j < nr) { let s = s0 + (jr + j) * bCs; for (let p = 0; p < kc; p++) { ws[d] = b[s]; d += ${NR_}; s += bRs; } }
      else { for (let p = 0; p < kc; p++) { ws[d] = 0; d += ${NR_}; } }
    }
    dst += ${NR_} * kc;
  }
}
${microSource(MR_, NR_, cfg.unroll)}
function gemmVariant(m, n, k, alpha, a, aOff, aRs, aCs, b, bOff, bRs, bCs, beta, c, cOff, cRs, cCs) {
  for (let jc = 0; jc < n; jc += ${NC_}) {
    const nc = n - jc < ${NC_} ? n - jc : ${NC_};
    for (let pc = 0; pc < k; pc += ${KC_}) {
      const kc = k - pc < ${KC_} ? k - pc : ${KC_};
      const bb = pc === 0 ? beta : 1;
      packB(kc, nc, b, bOff + pc * bRs + jc * bCs, bRs, bCs);
      for (let ic = 0; ic < m; ic += ${MC_}) {
        const mc = m - ic < ${MC_} ? m - ic : ${MC_};
        packA(mc, kc, a, aOff + ic * aRs + pc * aCs, aRs, aCs);
        ${inner}
      }
    }
  }
}
{
  const x = new Float32Array(${(MR_ + 1) * (NR_ + 1) * 2}).map((_, i) => (i % 7) - 3);
  const y = new Float32Array(${(MR_ + 1) * (NR_ + 1)});
  for (let rep = 0; rep < 16; rep++) for (const beta of [0, 0.5]) {
    gemmVariant(${MR_ + 1}, ${NR_ + 1}, 2, 1, x, 0, 2, 1, x, 0, ${NR_ + 1}, 1, beta, y, 0, ${NR_ + 1}, 1);
    gemmVariant(${MR_}, ${NR_}, 2, 1, x, 0, 2, 1, x, 0, ${NR_}, 1, beta, y, 0, ${NR_}, 1);
  }
}
return gemmVariant;`;
  return new Function(src)() as GemmFn;
}

const label = (c: Config): string => `${c.mr}x${c.nr} u${c.unroll} KC=${c.kc} MC=${c.mc} NC=${c.nc} ${c.order}`;

// ---------------------------------------------------------------------------------------------
// Register-only multiply-add probe: independent chains s = s·x + y kept in registers (no loads,
// no stores in the loop). 2 FLOPs per multiply-add. The best of 8/12/16 chains is the ceiling.
// ---------------------------------------------------------------------------------------------

function makeProbe(chains: number): (iters: number, x: number, y: number) => number {
  const s = Array.from({ length: chains }, (_, i) => `s${i}`);
  const src = `return function probe(iters, x, y) {
    let ${s.map((v, i) => `${v} = ${i} * 1e-3`).join(', ')};
    for (let i = 0; i < iters; i++) { ${s.map((v) => `${v} = ${v} * x + y;`).join(' ')} }
    return ${s.join(' + ')};
  };`;
  return new Function(src)();
}

// ---------------------------------------------------------------------------------------------
// Timing harness
// ---------------------------------------------------------------------------------------------

interface Entry { name: string; flops: number; run: () => void; samples: number[] }

function rand(len: number, seed: number): Float32Array {
  const x = new Float32Array(len);
  let s = seed >>> 0;
  for (let i = 0; i < len; i++) { s = (Math.imul(s, 1664525) + 1013904223) >>> 0; x[i] = s / 2 ** 31 - 1; }
  return x;
}

function now(): number { return Number(process.hrtime.bigint()) / 1e9; }

/** Calls needed for one sample to last ≥ SAMPLE_S, estimated from one warm call. Short samples
 * are less often cut by another process's time slice (which also evicts L1/L2). */
const SAMPLE_S = 0.005;
function repsFor(run: () => void): number {
  run(); run();
  const t0 = now(); run(); const dt = now() - t0;
  return Math.max(1, Math.ceil(SAMPLE_S / Math.max(dt, 1e-7)));
}

function shuffle<T>(xs: T[]): void {
  for (let i = xs.length - 1; i > 0; i--) { const j = Math.floor(Math.random() * (i + 1)); [xs[i], xs[j]] = [xs[j], xs[i]]; }
}

const median = (xs: number[]): number => { const s = [...xs].sort((a, b) => a - b); return s[s.length >> 1]; };

function runRounds(entries: Entry[], rounds: number): void {
  const reps = entries.map((e) => repsFor(e.run));
  const order = entries.map((_, i) => i);
  for (let r = 0; r < rounds; r++) {
    shuffle(order);
    for (const i of order) {
      const e = entries[i];
      const t0 = now();
      for (let q = 0; q < reps[i]; q++) e.run();
      e.samples.push(e.flops * reps[i] / (now() - t0) / 1e9);
    }
  }
}

function report(title: string, entries: Entry[]): void {
  console.log(`\n## ${title}`);
  const best = Math.max(...entries.map((e) => median(e.samples)));
  for (const e of [...entries].sort((x, y) => median(y.samples) - median(x.samples))) {
    const med = median(e.samples);
    const s = [...e.samples].sort((x, y) => x - y);
    const p90 = s[Math.min(s.length - 1, Math.floor(0.9 * s.length))];
    console.log(`${e.name.padEnd(52)} median ${med.toFixed(2).padStart(6)} GFLOP/s  p90 ${p90.toFixed(2).padStart(6)}  ${(100 * med / best).toFixed(0)}%`);
  }
}

function probeEntries(): Entry[] {
  return [8, 12, 16].map((chains) => {
    const probe = makeProbe(chains);
    const iters = 2_000_000;
    let sink = 0;
    return {
      name: `probe: register-only mul-add, ${chains} chains`, flops: 2 * chains * iters, samples: [],
      run: () => { sink += probe(iters, 0.9999999, 1e-7); if (sink === 42) console.log(''); },
    };
  });
}

function gemmEntry(name: string, fn: GemmFn, m: number, n: number, k: number, transB = false): Entry {
  const a = rand(m * k, 1 + m), b = rand(k * n, 2 + n), c = new Float32Array(m * n);
  // transB: B stored n×k row-major and read as its transpose (bRs = 1, bCs = k)
  const bRs = transB ? 1 : n, bCs = transB ? k : 1;
  return {
    name, flops: 2 * m * n * k, samples: [],
    run: () => fn(m, n, k, 1, a, 0, k, 1, b, 0, bRs, bCs, 0, c, 0, n, 1),
  };
}

// ---------------------------------------------------------------------------------------------
// Sweeps
// ---------------------------------------------------------------------------------------------

const base: Config = { mr: MR, nr: NR, kc: KC, mc: MC, nc: NC, unroll: 1, order: 'jr-ir' };

/**
 * The microkernel alone, panels resident in L1 (kc = 256, same panels every call): the ceiling
 * of each MR×NR shape without packing or cache effects. 'const ws' reads a module-level const
 * Float64Array (as kernels/gemm.ts does); 'args' reads the same kind of arrays passed as
 * arguments (TurboFan then re-checks the map and reloads base and length in the loop).
 */
function microLoopSource(mr: number, nr: number, unroll: number, viaArgs: boolean, masked = false): string {
  const accs: string[] = [];
  for (let r = 0; r < mr; r++) for (let j = 0; j < nr; j++) accs.push(`acc${r}${j}`);
  const A = viaArgs ? 'ap' : 'ws', B = viaArgs ? 'bp' : 'ws';
  // masked: i = aI & 0xffff has a known small range, so i + r needs no int32 overflow check
  let body = masked ? 'const ia = aI & 0xffff, ib = bI & 0xffff;\n' : 'const ia = aI, ib = bI;\n';
  for (let u = 0; u < unroll; u++) {
    body += '{\n';
    body += `const ${Array.from({ length: mr }, (_, r) => `a${r} = ${A}[ia + ${u * mr + r}]`).join(', ')};\n`;
    body += `const ${Array.from({ length: nr }, (_, j) => `b${j} = ${B}[ib + ${u * nr + j}]`).join(', ')};\n`;
    for (let r = 0; r < mr; r++) body += Array.from({ length: nr }, (_, j) => `acc${r}${j} += a${r} * b${j};`).join(' ') + '\n';
    body += '}\n';
  }
  return `
'use strict';
const ws = new Float64Array(8192).map((_, i) => 1 + (i % 13) * 1e-3);
return function micro(kc, ap, aI, bp, bI, out) {
  let ${accs.map((x) => x + ' = 0').join(', ')};
  for (let p = 0; p < kc; p += ${unroll}) {
    ${body}
    aI += ${mr * unroll}; bI += ${nr * unroll};
  }
  out[0] += ${accs.join(' + ')};
};`;
}

function sweepMicro(): void {
  const KCm = 256, calls = 400;
  const ap = new Float64Array(8192).map((_, i) => 1 + (i % 11) * 1e-3);
  const bp = new Float64Array(8192).map((_, i) => 1 + (i % 7) * 1e-3);
  const out = new Float64Array(1);
  const entries: Entry[] = [...probeEntries()];
  const shapes: [number, number][] = [[2, 4], [3, 4], [4, 3], [4, 4], [2, 6], [3, 3], [2, 8], [3, 8], [4, 8], [6, 4]];
  for (const [mr, nr] of shapes) {
    for (const unroll of [1, 2]) {
      for (const [viaArgs, masked] of [[false, false], [false, true], [true, false]]) {
        if (viaArgs && unroll > 1) continue;
        const fn = new Function(microLoopSource(mr, nr, unroll, viaArgs, masked))();
        entries.push({
          name: `micro ${mr}x${nr} u${unroll} ${viaArgs ? 'args' : masked ? 'const ws masked' : 'const ws'}`, flops: 2 * mr * nr * KCm * calls, samples: [],
          run: () => { for (let i = 0; i < calls; i++) fn(KCm, ap, 0, bp, 4096, out); },
        });
      }
    }
  }
  runRounds(entries, ROUNDS);
  report('microkernel alone, panels in L1 (kc=256)', entries);
}

function sweepShapes(): void {
  const shapes: [number, number][] = [[2, 4], [3, 4], [4, 4], [2, 6], [3, 6], [4, 6], [6, 4], [2, 8], [3, 8], [4, 8], [5, 4], [4, 3], [4, 5]];
  const N = QUICK ? 384 : 512;
  const entries: Entry[] = [...probeEntries()];
  for (const [mr, nr] of shapes) {
    for (const unroll of [1, 2]) {
      const cfg = { ...base, mr, nr, unroll, mc: Math.ceil(96 / mr) * mr };
      entries.push(gemmEntry(label(cfg), makeVariant(cfg), N, N, N));
    }
  }
  entries.push(gemmEntry(`kernels/gemm.ts (${MR}x${NR} KC=${KC} MC=${MC} NC=${NC})`, gemm, N, N, N));
  runRounds(entries, ROUNDS);
  report(`microkernel shape MR×NR and k-unroll, GEMM ${N}³`, entries);
}

function sweepBlocks(): void {
  const N = QUICK ? 384 : 512;
  const entries: Entry[] = [...probeEntries()];
  const configs: Config[] = [];
  for (const kc of [128, 192, 256, 384, 512]) for (const mcRows of [48, 96, 192]) {
    const mc = Math.ceil(mcRows / base.mr) * base.mr;
    configs.push({ ...base, kc, mc });
  }
  configs.push({ ...base, order: 'ir-jr' }, { ...base, order: 'ir-jr', mc: 192 });
  configs.push({ ...base, nc: 128 }, { ...base, nc: 512 });
  for (const cfg of configs) entries.push(gemmEntry(label(cfg), makeVariant(cfg), N, N, N));
  entries.push(gemmEntry(`kernels/gemm.ts (${MR}x${NR} KC=${KC} MC=${MC} NC=${NC})`, gemm, N, N, N));
  runRounds(entries, ROUNDS);
  report(`block sizes KC × MC (and loop order, NC), GEMM ${N}³`, entries);
}

function sweepSkinny(): void {
  // Convolution lowered to GEMM: m patch rows, n output channels, k = kernel volume × in channels.
  const shapes: [string, number, number, number][] = [
    ['mnist-conv1 3x3x1→32', 28 * 28 * 4, 32, 9],
    ['cifar-conv 3x3x32→64', 32 * 32 * 2, 64, 288],
    ['resnet 3x3x64→64', 56 * 56, 64, 576],
    ['pointwise 1x1x64→64', 56 * 56, 64, 64],
    ['conv3d 3x3x3x16→32', 16 * 16 * 4, 32, 432],
    ['backprop-filter Pᵀ·dY', 288, 64, 4096],
  ];
  for (const [name, m, n, k] of shapes) {
    const entries: Entry[] = [];
    entries.push(gemmEntry(`${name} kernels/gemm.ts`, gemm, m, n, k));
    for (const [mr, nr] of [[3, 4], [4, 4], [2, 8], [4, 8], [3, 8]] as [number, number][]) {
      const cfg = { ...base, mr, nr, mc: Math.ceil(MC / mr) * mr };
      entries.push(gemmEntry(`${name} ${label(cfg)}`, makeVariant(cfg), m, n, k));
    }
    entries.push(gemmEntry(`${name} reference`, gemmReference, m, n, k));
    runRounds(entries, Math.max(3, ROUNDS >> 1));
    report(`skinny ${name}: m=${m} n=${n} k=${k}`, entries);
  }
}

function sweepSmall(): void {
  // Where does packing start to pay? Compare a direct loop with the packed path on small cubes.
  const direct: GemmFn = (m, n, k, alpha, a, aOff, aRs, aCs, b, bOff, bRs, bCs, beta, c, cOff, cRs, cCs) => {
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        let s = 0, ai = aOff + i * aRs, bi = bOff + j * bCs;
        for (let p = 0; p < k; p++) { s += a[ai] * b[bi]; ai += aCs; bi += bRs; }
        const x = cOff + i * cRs + j * cCs;
        c[x] = beta === 0 ? alpha * s : alpha * s + beta * c[x];
      }
    }
  };
  const packed = makeVariant(base);
  for (const [m, n, k] of [[4, 4, 4], [8, 8, 8], [12, 12, 12], [16, 16, 16], [24, 24, 24], [32, 32, 32], [64, 4, 16], [4, 64, 16], [256, 16, 9]]) {
    const entries = [
      gemmEntry(`m=${m} n=${n} k=${k} (mnk=${m * n * k}) direct`, direct, m, n, k),
      gemmEntry(`m=${m} n=${n} k=${k} (mnk=${m * n * k}) packed ${MR}x${NR}`, packed, m, n, k),
      gemmEntry(`m=${m} n=${n} k=${k} (mnk=${m * n * k}) kernels/gemm.ts`, gemm, m, n, k),
    ];
    runRounds(entries, ROUNDS);
    report(`small m=${m} n=${n} k=${k}`, entries);
  }
}

function headline(): void {
  const entries: Entry[] = [...probeEntries()];
  for (const N of QUICK ? [128, 256, 512] : [128, 256, 512, 1024]) {
    entries.push(gemmEntry(`GEMM ${N} kernels/gemm.ts`, gemm, N, N, N));
    entries.push(gemmEntry(`GEMM ${N} kernels/gemm.ts, B transposed`, gemm, N, N, N, true));
    if (N <= 512) entries.push(gemmEntry(`GEMM ${N} gemmReference`, gemmReference, N, N, N));
  }
  runRounds(entries, ROUNDS);
  if (!QUICK) {
    // The naive loop at 1024 takes seconds per call: 3 samples, right after the others.
    const ref = gemmEntry('GEMM 1024 gemmReference (3 samples)', gemmReference, 1024, 1024, 1024);
    runRounds([ref], 3);
    entries.push(ref);
  }
  report(`headline: kernels/gemm.ts (${MR}x${NR} KC=${KC} MC=${MC} NC=${NC}) vs reference and probe`, entries);
}

console.log(`node ${process.version}, rounds=${ROUNDS}${QUICK ? ' (quick)' : ''}`);
if (!ONLY || ONLY === 'headline') headline();
if (!ONLY || ONLY === 'micro') sweepMicro();
if (!ONLY || ONLY === 'shapes') sweepShapes();
if (!ONLY || ONLY === 'blocks') sweepBlocks();
if (!ONLY || ONLY === 'skinny') sweepSkinny();
if (!ONLY || ONLY === 'small') sweepSmall();
