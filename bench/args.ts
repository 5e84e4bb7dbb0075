/** Command-line flags of `npm run bench -- …` (pure, tested in spec/bench.spec.ts). */

export interface BenchArgs {
  quick: boolean;
  filter: string | null;
  wasm: boolean;
  train: boolean;
  out: string;
}

export const DEFAULT_OUT = 'bench/results/latest.json';

export const USAGE = `usage: npm run bench -- [--quick] [--filter <substring>] [--no-wasm] [--no-train] [--out <file>]
  --quick            GEMM 256 & 512 and four conv shapes, short timings (< 3 min)
  --filter <s>       only shapes whose name contains s (the training benchmark runs only if s is 'train')
  --no-wasm          skip the tfjs-backend-wasm child process
  --no-train         skip bench/train.bench.ts
  --out <file>       where to write the JSON results (default ${DEFAULT_OUT})`;

export function parseArgs(argv: readonly string[]): BenchArgs {
  const a: BenchArgs = { quick: false, filter: null, wasm: true, train: true, out: DEFAULT_OUT };
  for (let i = 0; i < argv.length; i++) {
    const f = argv[i];
    if (f === '--quick') a.quick = true;
    else if (f === '--no-wasm') a.wasm = false;
    else if (f === '--no-train') a.train = false;
    else if (f === '--filter' || f === '--out') {
      const v = argv[i + 1];
      if (v === undefined || v.startsWith('--')) throw new Error(`bench: ${f} needs a value\n${USAGE}`);
      if (f === '--filter') a.filter = v; else a.out = v;
      i++;
    } else if (f.startsWith('--filter=')) a.filter = f.slice('--filter='.length);
    else if (f.startsWith('--out=')) a.out = f.slice('--out='.length);
    else throw new Error(`bench: unknown argument ${f}\n${USAGE}`);
  }
  return a;
}

/** The training benchmark runs without a filter, or when the filter names it. */
export function trainSelected(a: BenchArgs): boolean {
  return a.train && (a.filter === null || 'train'.includes(a.filter) || a.filter.includes('train'));
}
