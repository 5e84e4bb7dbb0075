import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { loadAllDigits, loadMnistSplit, PIXELS } from '../examples/lab/data';
import { parseLabArgs, type LabOptions } from '../examples/lab/options';
import { runLab } from '../examples/lab/run';
import { writeReport } from '../examples/lab/report';
import { formatResultsTable } from '../examples/lab/table';
import { ARCH } from '../examples/lab/variants';
import type { LabResults } from '../examples/lab/results';

function options(argv: string[]): LabOptions {
  const r = parseLabArgs(argv);
  if (r.kind !== 'run') throw new Error(JSON.stringify(r));
  return r.options;
}

describe('lab data: the seeded MNIST split', () => {
  test('train=200 test=100 seed=3: disjoint ids, same split for the same seed, another for another seed', () => {
    const a = loadMnistSplit({ train: 200, test: 100, seed: 3 });
    const b = loadMnistSplit({ train: 200, test: 100, seed: 3 });
    const c = loadMnistSplit({ train: 200, test: 100, seed: 4 });
    expect(a.trainIds).toEqual(b.trainIds);
    expect(a.testIds).toEqual(b.testIds);
    expect(c.trainIds).not.toEqual(a.trainIds);
    const train = new Set(a.trainIds);
    expect(train.size).toBe(200);
    expect(a.testIds.filter((id) => train.has(id))).toEqual([]);
    expect(a.xTrain.shape).toEqual([200, 28, 28, 1]);
    expect(a.yTest.shape).toEqual([100, 10]);
    expect(a.classCountsTrain.reduce((s, n) => s + n, 0)).toBe(200);
  });

  test('pixels are the package digits normalised with the training mean and std; labels one-hot', () => {
    const all = loadAllDigits();
    expect(all.labels.length).toBe(10000);
    const s = loadMnistSplit({ train: 300, test: 50, seed: 11 });
    // training pixels have mean 0 and standard deviation 1 after normalisation
    let sum = 0, sq = 0;
    for (const v of s.xTrain.data) { sum += v; sq += v * v; }
    const n = s.xTrain.size;
    expect(sum / n).toBeCloseTo(0, 4);
    expect(Math.sqrt(sq / n - (sum / n) ** 2)).toBeCloseTo(1, 3);
    // one sample checked against the raw package array, pixel by pixel
    const i = 17, id = s.testIds[i];
    for (let p = 0; p < PIXELS; p += 37) {
      expect(s.xTest.data[i * PIXELS + p]).toBeCloseTo((all.pixels[id * PIXELS + p] - s.mean) / s.std, 5);
    }
    expect(Array.from(s.yTest.data.subarray(i * 10, i * 10 + 10)).indexOf(1)).toBe(all.labels[id]);
    expect(s.labelsTest[i]).toBe(all.labels[id]);
    // the raw package order: digit d occupies a contiguous block, so labels never decrease
    for (let k = 1; k < all.labels.length; k++) expect(all.labels[k]).toBeGreaterThanOrEqual(all.labels[k - 1]);
  });

  test('throws when train + test exceed the 10,000 digits', () => {
    expect(() => loadMnistSplit({ train: 9000, test: 1001, seed: 1 })).toThrow(/train \+ test <= 10000/);
  });
});

describe('lab run: a --quick-style run on a tiny subset, in process', () => {
  let results: LabResults;
  // 'activity=1e-9' is a penalty too small to matter: it must train exactly like 'none' up to float noise
  const o = options(['--train', '64', '--test', '64', '--epochs', '2', '--batch', '16', '--seed', '5', '--variants', 'none,l1l2=1e-4:1e-3,activity=1e-9']);

  beforeAll(async () => {
    results = await runLab(o, { progress: null });
  });

  test('train=64 test=64 epochs=2 batch=16: results for each variant, in order, with 2 epochs of history', () => {
    expect(results.variants.map((v) => v.label)).toEqual(['none', 'l1l2=1e-4:1e-3', 'activity=1e-9']);
    expect(results.data).toMatchObject({ train: 64, test: 64 });
    expect(results.model.layers.map((l) => l.name)).toEqual(['conv1', 'pool1', 'conv2', 'pool2', 'flatten', 'hidden', 'output']);
    expect(results.model.layers.filter((l) => l.kernelShape).map((l) => l.kernelShape)).toEqual([
      [3, 3, 1, ARCH.conv1Filters], [3, 3, ARCH.conv1Filters, ARCH.conv2Filters], [5 * 5 * ARCH.conv2Filters, ARCH.hiddenUnits], [ARCH.hiddenUnits, 10],
    ]);
    for (const v of results.variants) {
      const h = v.history;
      expect(h.epoch).toEqual([1, 2]);
      for (const series of [h.loss, h.dataLoss, h.valLoss, h.valDataLoss, h.penaltyShare, h.accuracy, h.valAccuracy, h.seconds]) {
        expect(series).toHaveLength(2);
        series.forEach((x) => expect(Number.isFinite(x)).toBe(true));
      }
    }
  });

  test('every final number is finite and consistent (gap, penalty share, histogram totals, norms)', () => {
    const kernelSizes = results.model.layers.filter((l) => l.kernelShape).map((l) => l.kernelShape!.reduce((a, b) => a * b, 1));
    for (const v of results.variants) {
      const f = v.final;
      for (const x of [f.trainAccuracy, f.testAccuracy, f.gap, f.trainDataLoss, f.trainTotalLoss, f.penalty, f.penaltyShare, f.testDataLoss, f.nearZeroFraction, f.kernelL2, v.secondsPerEpoch]) {
        expect(Number.isFinite(x)).toBe(true);
      }
      expect(f.trainAccuracy).toBeGreaterThanOrEqual(0);
      expect(f.trainAccuracy).toBeLessThanOrEqual(1);
      expect(f.gap).toBeCloseTo(f.trainAccuracy - f.testAccuracy, 12);
      // accuracies are counts of correctly classified digits out of 64
      expect(f.trainAccuracy * 64).toBeCloseTo(Math.round(f.trainAccuracy * 64), 9);
      expect(f.testAccuracy * 64).toBeCloseTo(Math.round(f.testAccuracy * 64), 9);
      expect(f.trainTotalLoss).toBeCloseTo(f.trainDataLoss + f.penalty, 6);
      expect(f.penaltyShare).toBeCloseTo(f.penalty / f.trainTotalLoss, 12);
      expect(v.histogram.total).toBe(kernelSizes.reduce((a, b) => a + b, 0));
      expect(v.layers.map((l) => l.kernelShape.reduce((a, b) => a * b, 1))).toEqual(kernelSizes);
      expect(f.kernelL2).toBeCloseTo(Math.sqrt(v.layers.reduce((s, l) => s + l.kernelL2 ** 2, 0)), 6);
    }
  });

  test('none has no penalty terms; l1l2 has one kernel term per layer with a kernel; activity one term on hidden', () => {
    const [none, l1l2, act] = results.variants;
    expect(none.final.penalties).toEqual([]);
    expect(none.final.penaltyShare).toBe(0);
    expect(none.history.penaltyShare).toEqual([0, 0]);
    expect(l1l2.final.penalties.map((p) => `${p.layer}/${p.target}`)).toEqual(['conv1/kernel', 'conv2/kernel', 'hidden/kernel', 'output/kernel']);
    expect(l1l2.final.penaltyShare).toBeGreaterThan(0);
    l1l2.history.penaltyShare.forEach((s) => expect(s).toBeGreaterThan(0));
    expect(act.final.penalties.map((p) => `${p.layer}/${p.target}`)).toEqual(['hidden/activity']);
  });

  test('same seed and same initial weights: a negligible penalty (activity=1e-9) trains like none', () => {
    const [none, , act] = results.variants;
    // at most one of the 64 digits may flip (a prediction sitting on a tie)
    expect(Math.abs(act.final.testAccuracy - none.final.testAccuracy)).toBeLessThanOrEqual(1 / 64 + 1e-12);
    expect(Math.abs(act.final.trainAccuracy - none.final.trainAccuracy)).toBeLessThanOrEqual(1 / 64 + 1e-12);
    act.history.dataLoss.forEach((l, i) => expect(l).toBeCloseTo(none.history.dataLoss[i], 4));
    act.layers.forEach((l, i) => expect(l.kernelL2).toBeCloseTo(none.layers[i].kernelL2, 4));
  });

  test('the table prints a row per variant and the report folder is written', () => {
    const table = formatResultsTable(results);
    expect(table.split('\n')).toHaveLength(2 + 3);
    expect(table).toMatch(/^variant\s+train acc\s+test acc\s+gap \(pts\)/);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ridge-lab-run-'));
    try {
      writeReport(dir, results);
      for (const f of ['index.html', 'results.json', 'table.md', 'learning-curves-1.svg', 'weights-3.svg', 'penalty-share.svg']) {
        expect(fs.existsSync(path.join(dir, f))).toBe(true);
      }
      const json = JSON.parse(fs.readFileSync(path.join(dir, 'results.json'), 'utf8')) as LabResults;
      expect(json.variants[1].final.penalty).toBe(results.variants[1].final.penalty);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('lab entry: exit codes', () => {
  const run = (args: string[]) => spawnSync(process.execPath, ['-r', 'ts-node/register/transpile-only', path.join(__dirname, '..', 'examples', 'lab.ts'), ...args], {
    cwd: path.join(__dirname, '..'), encoding: 'utf8', timeout: 60000,
  });

  test('throws when an option is bad: message on stderr, exit code 2, nothing on stdout', () => {
    const r = run(['--epochs', 'many']);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^lab: --epochs must be an integer between 1 and 10000, got "many"\nRun with --help for usage\.\n$/);
    expect(r.stdout).toBe('');
  });
});
