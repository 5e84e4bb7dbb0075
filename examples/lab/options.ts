/**
 * Command-line options of the regularization lab, parsed by a pure function (no process access),
 * so specs can test every option without spawning a process.
 *
 *   parseLabArgs(argv) → { kind: 'run', options } | { kind: 'help', text } | { kind: 'error', message }
 *
 * The entry (examples/lab.ts) prints `message` on stderr and exits with code 2 on 'error'.
 * Options accept both `--name value` and `--name=value`.
 */
import { DEFAULT_EXPERIMENTS, EXPERIMENTS, CLAIMS, type ExperimentName } from './experiments';

export interface LabOptions {
  /** Experiments to run, in the lab's order. */
  experiments: ExperimentName[];
  /** The seeds every comparison runs on: seed, seed + 1, … (count = --seeds). */
  seeds: number[];
  /** Report folder. */
  out: string;
  /** Smaller data sets and fewer epochs: the whole default selection in well under 30 s. */
  quick: boolean;
  /** A Ridge backend name for setBackend (only when this build of Ridge has one). */
  backend: string | null;
}

export type ParseResult =
  | { kind: 'run'; options: LabOptions }
  | { kind: 'help'; text: string }
  | { kind: 'error'; message: string };

export const DEFAULTS = {
  seeds: 3,
  seed: 42,
  out: 'lab-report',
} as const;

/** At least 3 seeds: every comparison reports a spread and a paired difference. */
export const MIN_SEEDS = 3;
export const MAX_SEEDS = 20;

function experimentLines(): string {
  return EXPERIMENTS.map((e) => {
    const c = CLAIMS[e];
    const mark = DEFAULT_EXPERIMENTS.includes(e) ? '*' : ' ';
    return `                  ${mark} ${e.padEnd(10)} ${c.claim ? `claim ${c.claim}: ` : ''}${c.title}`;
  }).join('\n');
}

export const HELP_TEXT = `Ridge regularization lab: one experiment per claim of weight regularization, each on
${DEFAULTS.seeds} or more seeds with mean ± std and paired differences, on real MNIST digits, two noisy moons and
the d2l high-dimensional regression. Writes lab-report/index.html (SVG plots drawn by Ridge).

Usage: npm start -- [options]
       npx ts-node --transpile-only examples/lab.ts [options]

Options:
  --experiment LIST  comma-separated experiments to run (default: the ones marked *):
${experimentLines()}
  --all              run every experiment
  --quick            smaller data and fewer epochs: a smoke run in seconds
  --seeds N          seeds per comparison, ${MIN_SEEDS}…${MAX_SEEDS} (default ${DEFAULTS.seeds})
  --seed N           first seed; the others follow (default ${DEFAULTS.seed})
  --out DIR          report folder (default ${DEFAULTS.out})
  --backend NAME     Ridge backend for setBackend(NAME), if this build of Ridge has setBackend
  -h, --help         this text
`;

const VALUE_OPTIONS = ['experiment', 'seeds', 'seed', 'out', 'backend'] as const;
const FLAG_OPTIONS = ['all', 'quick'] as const;
type ValueOption = (typeof VALUE_OPTIONS)[number];

function isValueOption(name: string): name is ValueOption {
  return (VALUE_OPTIONS as readonly string[]).includes(name);
}

class OptionError extends Error {}

function intIn(option: string, raw: string, min: number, max: number): number {
  if (!/^\d+$/.test(raw) || Number(raw) < min || Number(raw) > max) {
    throw new OptionError(`--${option} must be an integer between ${min} and ${max}, got ${JSON.stringify(raw)}`);
  }
  return Number(raw);
}

/** Parses `growth,sweep` into experiment names, in the lab's order, each once. */
export function parseExperiments(list: string): ExperimentName[] {
  const items = list.split(',').map((s) => s.trim());
  if (items.some((s) => s === '')) {
    throw new OptionError(`--experiment must be a comma-separated list like growth,sweep, got ${JSON.stringify(list)}`);
  }
  for (const it of items) {
    if (!(EXPERIMENTS as readonly string[]).includes(it)) {
      throw new OptionError(`--experiment: unknown experiment ${JSON.stringify(it)}; expected one of ${EXPERIMENTS.join(', ')}`);
    }
  }
  const dup = items.find((it, i) => items.indexOf(it) !== i);
  if (dup) throw new OptionError(`--experiment: ${JSON.stringify(dup)} is listed twice`);
  return EXPERIMENTS.filter((e) => items.includes(e));
}

/** Parses the arguments after the script name. Pure: reads nothing but `argv`. */
export function parseLabArgs(argv: readonly string[]): ParseResult {
  const given: Partial<Record<ValueOption, string>> = {};
  const flags = { all: false, quick: false };
  try {
    for (let i = 0; i < argv.length; i++) {
      const arg = argv[i];
      if (arg === '-h' || arg === '--help') return { kind: 'help', text: HELP_TEXT };
      if (!arg.startsWith('--')) throw new OptionError(`unexpected argument ${JSON.stringify(arg)}; options start with --`);
      const eq = arg.indexOf('=');
      const name = eq < 0 ? arg.slice(2) : arg.slice(2, eq);
      if ((FLAG_OPTIONS as readonly string[]).includes(name)) {
        if (eq >= 0) throw new OptionError(`--${name} takes no value, got ${JSON.stringify(arg)}`);
        const f = name as (typeof FLAG_OPTIONS)[number];
        if (flags[f]) throw new OptionError(`--${name} is given twice`);
        flags[f] = true;
        continue;
      }
      if (!isValueOption(name)) {
        throw new OptionError(`unknown option ${JSON.stringify('--' + name)}; known: ${[...VALUE_OPTIONS, ...FLAG_OPTIONS].map((o) => '--' + o).join(' ')} --help`);
      }
      let value: string;
      if (eq >= 0) {
        value = arg.slice(eq + 1);
      } else {
        if (i + 1 >= argv.length || argv[i + 1].startsWith('--')) throw new OptionError(`--${name} needs a value`);
        value = argv[++i];
      }
      if (given[name] !== undefined) throw new OptionError(`--${name} is given twice`);
      given[name] = value;
    }
    if (flags.all && given.experiment !== undefined) throw new OptionError('--all and --experiment exclude each other: --all already runs every experiment');
    const experiments = flags.all ? EXPERIMENTS.slice() : given.experiment !== undefined ? parseExperiments(given.experiment) : DEFAULT_EXPERIMENTS.slice();
    const count = given.seeds !== undefined ? intIn('seeds', given.seeds, MIN_SEEDS, MAX_SEEDS) : DEFAULTS.seeds;
    const seed = given.seed !== undefined ? intIn('seed', given.seed, 0, 1e9) : DEFAULTS.seed;
    const out = given.out ?? DEFAULTS.out;
    if (out.trim() === '') throw new OptionError('--out must be a folder name, got ""');
    const backend = given.backend ?? null;
    if (backend !== null && !/^[a-z][a-z0-9-]*$/i.test(backend)) throw new OptionError(`--backend must be a backend name like wasm, got ${JSON.stringify(backend)}`);
    return {
      kind: 'run',
      options: { experiments, seeds: Array.from({ length: count }, (_, i) => seed + i), out, quick: flags.quick, backend },
    };
  } catch (e) {
    if (e instanceof OptionError) return { kind: 'error', message: `lab: ${e.message}\nRun with --help for usage.` };
    throw e;
  }
}
