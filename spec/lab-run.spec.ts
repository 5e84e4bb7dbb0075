import { spawnSync } from 'child_process';
import * as path from 'path';
import * as ridge from '../lib';
import { Random } from '../lib';
import { head, linregProblem, loadAllDigits, loadMnistFlat, loadMnistSplit, moons, moonsProblem, LINREG, PIXELS } from '../examples/lab/data';
import { runExperiment, type Ctx } from '../examples/lab/experiments';
import { LabProgress } from '../examples/lab/progress';

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

describe('lab data: flat MNIST splits, moons, the d2l regression', () => {
  test('loadMnistFlat: disjoint train/val/test of [n, 784], normalised by the training pixels only', () => {
    const p = loadMnistFlat({ train: 120, val: 40, test: 60, seed: 2 });
    expect(p.train.x.shape).toEqual([120, 784]);
    expect(p.val.x.shape).toEqual([40, 784]);
    expect(p.test.y.shape).toEqual([60, 10]);
    let sum = 0;
    for (const v of p.train.x.data) sum += v;
    expect(sum / p.train.x.size).toBeCloseTo(0, 4);
    // the same seed as loadMnistSplit with train = 120 gives the same training digits (same shuffle)
    const s = loadMnistSplit({ train: 120, test: 100, seed: 2 });
    expect(Array.from(p.train.labels!)).toEqual(Array.from(s.labelsTrain));
    expect(() => loadMnistFlat({ train: 9000, val: 900, test: 101, seed: 1 })).toThrow(/train \+ val \+ test <= 10000/);
  });

  test('moons: alternating balanced classes on the two half circles (noise 0 → exactly on the curves)', () => {
    const m = moons(200, 0, new Random(3));
    for (let i = 0; i < 200; i++) {
      const x = m.x.data[2 * i], y = m.x.data[2 * i + 1];
      expect(m.labels![i]).toBe(i % 2);
      expect(m.y.data[i]).toBe(i % 2);
      // class 0: x² + y² = 1, y ≥ 0; class 1: (x − 1)² + (y − 0.5)² = 1, y ≤ 0.5
      if (i % 2 === 0) { expect(x * x + y * y).toBeCloseTo(1, 5); expect(y).toBeGreaterThanOrEqual(0); }
      else { expect((x - 1) ** 2 + (y - 0.5) ** 2).toBeCloseTo(1, 5); expect(y).toBeLessThanOrEqual(0.5 + 1e-6); }
    }
    const p = moonsProblem(1);
    expect([p.train.x.shape[0], p.val.x.shape[0], p.test.x.shape[0]]).toEqual([80, 200, 1000]);
    expect(moonsProblem(1).train.x.data).toEqual(p.train.x.data);
  });

  test("d2l regression: y − 0.05 − 0.01·Σx has the noise's std 0.01; 20/20/100 samples of 200 features", () => {
    const p = linregProblem(4);
    expect(p.train.x.shape).toEqual([LINREG.train, LINREG.features]);
    expect(p.test.x.shape).toEqual([LINREG.test, LINREG.features]);
    const r: number[] = [];
    for (let i = 0; i < LINREG.test; i++) {
      let s = LINREG.b;
      for (let j = 0; j < LINREG.features; j++) s += LINREG.w * p.test.x.data[i * LINREG.features + j];
      r.push(p.test.y.data[i] - s);
    }
    const sd = Math.sqrt(r.reduce((a, v) => a + v * v, 0) / r.length);
    expect(sd).toBeGreaterThan(0.007);
    expect(sd).toBeLessThan(0.013);
    const h = head(p.test, 7);
    expect(h.x.shape).toEqual([7, 200]);
    expect(Array.from(h.y.data)).toEqual(Array.from(p.test.y.data.slice(0, 7)));
  });
});

describe('lab run: the activity experiment in --quick mode, in process', () => {
  test('claim 6 on 3 seeds: the Keras ratio barely moves with the batch; undivided = ratio·B; a well-formed section', async () => {
    const ctx: Ctx = { seeds: [1, 2, 3], quick: true, log: new LabProgress(null), cache: new Map() };
    const s = await runExperiment('activity', ctx);
    expect(s.claim).toBe(6);
    const d = s.data as { batches: number[]; perSeed: { batch: number; ratio: number; undivided: number; activity: number; kernel: number }[][] };
    expect(d.batches).toEqual([16, 64, 256]);
    expect(d.perSeed).toHaveLength(3);
    for (const rows of d.perSeed) {
      // the kernel term depends on the weights only: the same on every batch
      for (const r of rows) {
        expect(r.kernel).toBeCloseTo(rows[0].kernel, 9);
        expect(r.undivided).toBeCloseTo(r.ratio * r.batch, 9);
        expect(r.activity).toBeGreaterThan(0);
      }
      // per-sample mean: fluctuates with the digits drawn, far less than the 16× of the batch sizes
      const ratios = rows.map((r) => r.ratio);
      expect(Math.max(...ratios) / Math.min(...ratios)).toBeLessThan(1.5);
      expect(rows[2].undivided / rows[0].undivided).toBeGreaterThan(10);
    }
    expect(s.figures).toHaveLength(1);
    expect(s.figures[0].svg.startsWith('<svg ')).toBe(true);
    expect(s.finding).toMatch(/From batch 16 to 256 the Keras ratio goes from/);
    expect(s.tables[0].columns[0].cells).toEqual(['16', '64', '256']);
  }, 60000);
});

describe('lab entry: exit codes', () => {
  const run = (args: string[]) => spawnSync(process.execPath, ['-r', 'ts-node/register/transpile-only', path.join(__dirname, '..', 'examples', 'lab.ts'), ...args], {
    cwd: path.join(__dirname, '..'), encoding: 'utf8', timeout: 60000,
  });

  test('throws when an option is bad: message on stderr, exit code 2, nothing on stdout', () => {
    const r = run(['--seeds', 'many']);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^lab: --seeds must be an integer between 3 and 20, got "many"\nRun with --help for usage\.\n$/);
    expect(r.stdout).toBe('');
  });

  test('--backend without setBackend in this build: exit code 2 naming it (feature-detected)', () => {
    const r = run(['--backend', 'nosuchbackend', '--experiment', 'sweep']);
    expect(r.status).toBe(2);
    if (typeof (ridge as unknown as { setBackend?: unknown }).setBackend === 'function') {
      expect(r.stderr).toMatch(/^lab: --backend nosuchbackend: /);
    } else {
      expect(r.stderr).toMatch(/^lab: --backend nosuchbackend: this build of Ridge has no setBackend/);
    }
    expect(r.stdout).toBe('');
  });
});

describe('lab entry: saved models', () => {
  test('--quick --experiment boundary saves each variant\'s best model; it loads back with its regularizers and the held-out loss it was chosen by', async () => {
    const os = await import('os');
    const fs = await import('fs');
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'ridge-lab-'));
    const r = spawnSync(process.execPath, ['-r', 'ts-node/register/transpile-only', path.join(__dirname, '..', 'examples', 'lab.ts'), '--quick', '--experiment', 'boundary', '--out', out],
      { cwd: path.join(__dirname, '..'), encoding: 'utf8', timeout: 120000 });
    expect(r.status).toBe(0);
    const dirs = fs.readdirSync(path.join(out, 'models')).sort();
    expect(dirs).toContain('moons-none');
    expect(dirs).toContain('moons-l2_1e-3');
    for (const d of dirs) expect(fs.readdirSync(path.join(out, 'models', d)).sort()).toEqual(['model.json', 'weights.bin']);
    const { loadLayersModel } = await import('../node');
    const m = await loadLayersModel(path.join(out, 'models', 'moons-l2_1e-3'));
    expect(m.layers[0].getConfig().kernelRegularizer).toEqual({ className: 'L2', config: { l2: 1e-3 } });
    const p = m.predict(new ridge.Tensor(new Float32Array([0.5, 0.25, -1, 0.5]), [2, 2]));
    expect(p.shape).toEqual([2, 1]);
    for (const v of p.data) expect(v > 0 && v < 1).toBe(true);
    fs.rmSync(out, { recursive: true, force: true });
  }, 150000);
});
