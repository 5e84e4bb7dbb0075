import { DEFAULTS, HELP_TEXT, MAX_SEEDS, MIN_SEEDS, parseLabArgs, type LabOptions } from '../examples/lab/options';
import { DEFAULT_EXPERIMENTS, EXPERIMENTS } from '../examples/lab/experiments';

function run(argv: string[]): LabOptions {
  const r = parseLabArgs(argv);
  if (r.kind !== 'run') throw new Error(`expected kind 'run' for ${JSON.stringify(argv)}, got ${JSON.stringify(r)}`);
  return r.options;
}

function errorOf(argv: string[]): string {
  const r = parseLabArgs(argv);
  if (r.kind !== 'error') throw new Error(`expected kind 'error' for ${JSON.stringify(argv)}, got ${JSON.stringify(r)}`);
  return r.message;
}

describe('lab options: defaults', () => {
  test('no arguments → claims 1, 2, 3 and the decision boundaries on 3 seeds from 42', () => {
    const o = run([]);
    expect(o).toEqual({ experiments: ['growth', 'stability', 'sweep', 'boundary'], seeds: [42, 43, 44], out: 'lab-report', quick: false, backend: null });
    expect(DEFAULT_EXPERIMENTS).toEqual(['growth', 'stability', 'sweep', 'boundary']);
    expect(DEFAULTS.seeds).toBe(3);
  });

  test('--quick keeps the default selection and only sets the flag', () => {
    expect(run(['--quick'])).toMatchObject({ experiments: DEFAULT_EXPERIMENTS, quick: true, seeds: [42, 43, 44] });
  });

  test('--all runs every experiment in the lab order', () => {
    expect(run(['--all']).experiments).toEqual(EXPERIMENTS.slice());
    expect(EXPERIMENTS).toEqual(['growth', 'stability', 'sweep', 'boundary', 'perlayer', 'bias', 'activity', 'data']);
    expect(run(['--all', '--quick'])).toMatchObject({ quick: true, experiments: EXPERIMENTS.slice() });
  });
});

describe('lab options: every option, both spellings', () => {
  test.each([
    [['--experiment', 'sweep'], { experiments: ['sweep'] }],
    [['--experiment=activity,growth'], { experiments: ['growth', 'activity'] }],
    [['--experiment', ' data , bias '], { experiments: ['bias', 'data'] }],
    [['--seeds', '5'], { seeds: [42, 43, 44, 45, 46] }],
    [['--seeds=3', '--seed=0'], { seeds: [0, 1, 2] }],
    [['--seed', '7'], { seeds: [7, 8, 9] }],
    [['--out', 'tmp/report'], { out: 'tmp/report' }],
    [['--out=x y'], { out: 'x y' }],
    [['--backend', 'wasm'], { backend: 'wasm' }],
  ])('%j → %j', (argv, expected) => {
    expect(run(argv as string[])).toMatchObject(expected);
  });

  test('--help and -h return the usage text, which names every option and every experiment', () => {
    for (const argv of [['--help'], ['-h'], ['--seeds', '5', '--help']]) expect(parseLabArgs(argv)).toEqual({ kind: 'help', text: HELP_TEXT });
    for (const name of ['--experiment', '--all', '--quick', '--seeds', '--seed', '--out', '--backend', '--help']) expect(HELP_TEXT).toContain(name);
    for (const e of EXPERIMENTS) expect(HELP_TEXT).toMatch(new RegExp(`[* ] ${e} `));
    // the default ones are starred
    for (const e of DEFAULT_EXPERIMENTS) expect(HELP_TEXT).toContain(`* ${e} `);
  });
});

describe('lab options: bad values → a clear message (the entry exits with code 2)', () => {
  test.each([
    ['throws when an experiment is unknown', ['--experiment', 'growth,dropout'], /unknown experiment "dropout"; expected one of growth, stability, sweep, boundary, perlayer, bias, activity, data/],
    ['throws when the experiment list has an empty item', ['--experiment', 'growth,,sweep'], /--experiment must be a comma-separated list/],
    ['throws when an experiment is listed twice', ['--experiment', 'sweep,sweep'], /"sweep" is listed twice/],
    ['throws when --all and --experiment are both given', ['--all', '--experiment', 'sweep'], /--all and --experiment exclude each other/],
    ['throws when --seeds is below the minimum', ['--seeds', '2'], new RegExp(`--seeds must be an integer between ${MIN_SEEDS} and ${MAX_SEEDS}, got "2"`)],
    ['throws when --seeds is not an integer', ['--seeds', 'three'], /--seeds must be an integer.*"three"/],
    ['throws when --seeds is above the maximum', ['--seeds=21'], /--seeds must be an integer between 3 and 20, got "21"/],
    ['throws when --seed is negative', ['--seed', '-1'], /--seed must be an integer between 0 and 1000000000, got "-1"/],
    ['throws when a value is missing at the end', ['--seeds'], /--seeds needs a value/],
    ['throws when a value is missing before the next option', ['--experiment', '--quick'], /--experiment needs a value/],
    ['throws when an option is unknown', ['--epochs', '3'], /unknown option "--epochs"; known: --experiment/],
    ['throws when a positional argument is given', ['mnist'], /unexpected argument "mnist"; options start with --/],
    ['throws when an option is given twice', ['--seed', '1', '--seed=2'], /--seed is given twice/],
    ['throws when a flag is given twice', ['--quick', '--quick'], /--quick is given twice/],
    ['throws when --quick has a value', ['--quick=yes'], /--quick takes no value/],
    ['throws when --all has a value', ['--all=1'], /--all takes no value/],
    ['throws when --out is blank', ['--out', ' '], /--out must be a folder name/],
    ['throws when --backend is not a name', ['--backend', 'w a s m'], /--backend must be a backend name/],
  ])('%s', (_name, argv, pattern) => {
    const message = errorOf(argv as string[]);
    expect(message).toMatch(pattern as RegExp);
    expect(message).toMatch(/^lab: /);
    expect(message).toMatch(/Run with --help for usage\.$/);
  });
});
