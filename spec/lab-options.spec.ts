import { DEFAULT_VARIANTS, HELP_TEXT, MNIST_SAMPLES, QUICK_DEFAULTS, parseLabArgs, type LabOptions } from '../examples/lab/options';

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
  test('no arguments → the documented defaults and the six default variants in order', () => {
    const o = run([]);
    expect(o).toMatchObject({ train: 1000, test: 2000, epochs: 12, batch: 32, seed: 42, lr: 0.02, adamLr: 2e-3, out: 'lab-report', quick: false });
    expect(o.variants).toEqual([
      { kind: 'none', label: 'none' },
      { kind: 'l2', label: 'l2=1e-3', l2: 1e-3 },
      { kind: 'l1', label: 'l1=1e-4', l1: 1e-4 },
      { kind: 'l1l2', label: 'l1l2=1e-4:1e-3', l1: 1e-4, l2: 1e-3 },
      { kind: 'activity', label: 'activity=1e-3', l1: 1e-3 },
      { kind: 'adamw', label: 'adamw=0.1', weightDecay: 0.1 },
    ]);
    expect(DEFAULT_VARIANTS.split(',')).toHaveLength(6);
  });

  test('--quick lowers train/test/epochs and keeps every other default', () => {
    const o = run(['--quick']);
    expect(o).toMatchObject({ ...QUICK_DEFAULTS, batch: 32, seed: 42, lr: 0.02, out: 'lab-report', quick: true });
    expect(o.variants).toHaveLength(6);
  });

  test('--quick never overrides an explicit option, before or after it', () => {
    expect(run(['--epochs', '7', '--quick']).epochs).toBe(7);
    expect(run(['--quick', '--train', '123']).train).toBe(123);
    expect(run(['--quick', '--train', '123']).test).toBe(QUICK_DEFAULTS.test);
  });
});

describe('lab options: every option, both spellings', () => {
  test.each([
    [['--train', '64'], { train: 64 }],
    [['--train=64'], { train: 64 }],
    [['--test', '128'], { test: 128 }],
    [['--test=128'], { test: 128 }],
    [['--epochs', '3'], { epochs: 3 }],
    [['--epochs=3'], { epochs: 3 }],
    [['--batch', '16'], { batch: 16 }],
    [['--batch=16'], { batch: 16 }],
    [['--seed', '0'], { seed: 0 }],
    [['--seed=123456'], { seed: 123456 }],
    [['--lr', '3e-4'], { lr: 3e-4 }],
    [['--lr=0.01'], { lr: 0.01 }],
    [['--adam-lr', '1e-3'], { adamLr: 1e-3 }],
    [['--adam-lr=0.005'], { adamLr: 0.005 }],
    [['--out', 'tmp/report'], { out: 'tmp/report' }],
    [['--out=x y'], { out: 'x y' }],
  ])('%j → %j', (argv, expected) => {
    expect(run(argv)).toMatchObject(expected);
  });

  test('--variants parses each kind with its coefficient and keeps the given order', () => {
    const o = run(['--variants', 'adamw=0.05,l1l2=0:2e-3,activity=5e-5,l1=2e-4,l2=1e-2,none,adam']);
    expect(o.variants).toEqual([
      { kind: 'adamw', label: 'adamw=0.05', weightDecay: 0.05 },
      { kind: 'l1l2', label: 'l1l2=0:2e-3', l1: 0, l2: 2e-3 },
      { kind: 'activity', label: 'activity=5e-5', l1: 5e-5 },
      { kind: 'l1', label: 'l1=2e-4', l1: 2e-4 },
      { kind: 'l2', label: 'l2=1e-2', l2: 1e-2 },
      { kind: 'none', label: 'none' },
      { kind: 'adam', label: 'adam' },
    ]);
  });

  test('--variants names without a value take the default coefficients', () => {
    const o = run(['--variants=l2,l1,l1l2,activity,adamw']);
    expect(o.variants.map((v) => v.label)).toEqual(['l2=1e-3', 'l1=1e-4', 'l1l2=1e-4:1e-3', 'activity=1e-3', 'adamw=0.1']);
  });

  test('--variants allows the same kind with different coefficients (a sweep)', () => {
    expect(run(['--variants', 'l2=1e-3,l2=1e-2']).variants.map((v) => v.label)).toEqual(['l2=1e-3', 'l2=1e-2']);
  });

  test('train + test may use all the digits', () => {
    expect(run(['--train', String(MNIST_SAMPLES - 1), '--test', '1'])).toMatchObject({ train: MNIST_SAMPLES - 1, test: 1 });
  });

  test('--help and -h return the usage text, which names every option', () => {
    for (const argv of [['--help'], ['-h'], ['--train', '5', '--help']]) {
      const r = parseLabArgs(argv);
      expect(r).toEqual({ kind: 'help', text: HELP_TEXT });
    }
    for (const name of ['--train', '--test', '--epochs', '--batch', '--seed', '--lr', '--adam-lr', '--variants', '--out', '--quick', '--help']) {
      expect(HELP_TEXT).toContain(name);
    }
  });
});

describe('lab options: bad values → a clear message (the entry exits with code 2)', () => {
  test.each([
    ['throws when --train is not an integer', ['--train', 'abc'], /--train must be an integer between 1 and 9999, got "abc"/],
    ['throws when --train is zero', ['--train', '0'], /--train must be an integer between 1 and 9999, got "0"/],
    ['throws when --train is fractional', ['--train', '1.5'], /--train must be an integer.*"1\.5"/],
    ['throws when --test is negative', ['--test', '-3'], /--test must be an integer.*"-3"/],
    ['throws when train + test exceed the 10,000 digits', ['--train', '6000', '--test', '5000'], /--train \+ --test must be at most 10000.*6000 \+ 5000 = 11000/],
    ['throws when --epochs is 0', ['--epochs', '0'], /--epochs must be an integer between 1 and 10000, got "0"/],
    ['throws when --batch is empty', ['--batch='], /--batch must be an integer.*got ""/],
    ['throws when --seed is negative', ['--seed', '-1'], /--seed must be a non-negative integer, got "-1"/],
    ['throws when --lr is zero', ['--lr', '0'], /--lr must be a finite number > 0, got "0"/],
    ['throws when --lr is not a number', ['--lr', 'fast'], /--lr must be a finite number > 0, got "fast"/],
    ['throws when --adam-lr is negative', ['--adam-lr=-0.001'], /--adam-lr must be a finite number > 0, got "-0.001"/],
    ['throws when --adam-lr is infinite', ['--adam-lr', 'Infinity'], /--adam-lr must be a finite number > 0, got "Infinity"/],
    ['throws when a value is missing at the end', ['--epochs'], /--epochs needs a value/],
    ['throws when a value is missing before the next option', ['--epochs', '--quick'], /--epochs needs a value/],
    ['throws when an option is unknown', ['--epoch', '3'], /unknown option "--epoch"; known: --train/],
    ['throws when a positional argument is given', ['mnist'], /unexpected argument "mnist"; options start with --/],
    ['throws when an option is given twice', ['--seed', '1', '--seed=2'], /--seed is given twice/],
    ['throws when --quick has a value', ['--quick=yes'], /--quick takes no value/],
    ['throws when a variant is unknown', ['--variants', 'none,dropout=0.5'], /unknown variant "dropout".*expected none, l2, l1, l1l2, activity, adamw or adam/],
    ['throws when a variant coefficient is not a number', ['--variants', 'l2=big'], /--variants l2 must be a finite number > 0, got "big"/],
    ['throws when a variant coefficient is zero', ['--variants', 'l1=0'], /--variants l1 must be a finite number > 0, got "0"/],
    ['throws when a variant coefficient is negative', ['--variants', 'adamw=-1e-2'], /--variants adamw must be a finite number > 0, got "-1e-2"/],
    ['throws when l1l2 lacks the colon', ['--variants', 'l1l2=1e-4'], /l1l2 must be written l1l2=<l1>:<l2>/],
    ['throws when l1l2 is all zero', ['--variants', 'l1l2=0:0'], /l1l2 needs l1 > 0 or l2 > 0/],
    ['throws when none has a value', ['--variants', 'none=1'], /none takes no value/],
    ['throws when adam has a value', ['--variants', 'adam=1e-3'], /--variants adam takes no value/],
    ['throws when the variant list has an empty item', ['--variants', 'none,,l2'], /--variants must be a comma-separated list/],
    ['throws when a variant is listed twice', ['--variants', 'l2,l2=1e-3'], /"l2=1e-3" is listed twice/],
    ['throws when --out is blank', ['--out', ' '], /--out must be a folder name/],
  ])('%s', (_name, argv, pattern) => {
    const message = errorOf(argv as string[]);
    expect(message).toMatch(pattern as RegExp);
    expect(message).toMatch(/^lab: /);
    expect(message).toMatch(/Run with --help for usage\.$/);
  });
});
