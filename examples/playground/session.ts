/**
 * One playground training session, independent of the page: the dataset, the MLP with a kernel / bias /
 * activity regularizer per layer, full-batch training steps, and the snapshot the page draws (decision
 * boundary grid, train/test data loss, lossBreakdown term by term, weight histograms and norms).
 * Runs in the playground's Web Worker (worker.ts) and in Node the same way.
 */
import { Model, Tensor, layers, optimizers, regularizers, sequential, tensor } from '../../lib/index';
import type { Regularizer } from '../../lib/index';
import { DatasetName, Points, makeDataset } from './data';

export type PenaltyKind = 'off' | 'l1' | 'l2' | 'l1l2';
export interface PenaltySpec { kind: PenaltyKind; lambda: number }
export interface LayerSpec {
  units: number;
  activation: 'relu' | 'tanh' | 'sigmoid' | 'linear';
  kernel: PenaltySpec;
  bias: PenaltySpec;
  activity: PenaltySpec;
}
export interface SessionConfig {
  dataset: DatasetName;
  noise: number;
  nTrain: number;
  nTest: number;
  seed: number;
  learningRate: number;
  /** hidden layers then the output layer (its units are forced to 1, sigmoid) */
  layers: LayerSpec[];
}

const off = (): PenaltySpec => ({ kind: 'off', lambda: 0.01 });
export const DEFAULT_CONFIG: SessionConfig = {
  dataset: 'moons', noise: 0.25, nTrain: 24, nTest: 400, seed: 1, learningRate: 0.02,
  layers: [
    { units: 24, activation: 'tanh', kernel: off(), bias: off(), activity: off() },
    { units: 24, activation: 'tanh', kernel: off(), bias: off(), activity: off() },
    { units: 1, activation: 'sigmoid', kernel: off(), bias: off(), activity: off() },
  ],
};

export interface Histogram { layer: string; limit: number; counts: number[]; norm: number; size: number; nearZero: number }
export interface Snapshot {
  step: number;
  train: { data: number; total: number; accuracy: number };
  test: { data: number; accuracy: number };
  breakdown: { data: number; total: number; penalties: { layer: string; target: string; value: number }[] };
  /** ‖W‖₂ over every kernel */
  weightNorm: number;
  histograms: Histogram[];
  history: { step: number; train: number; test: number }[];
  /** GRID×GRID probabilities of class 1 over [-DOMAIN, DOMAIN]², row 0 at the top */
  grid: number[];
  points?: { train: Points; test: Points };
}

export const GRID = 64;
export const DOMAIN = 1.8;
const BINS = 24;
const HISTORY = 400;

function regularizer(p: PenaltySpec): Regularizer | undefined {
  if (p.kind === 'off') return undefined;
  if (!(p.lambda >= 0) || !Number.isFinite(p.lambda)) throw new RangeError(`playground: λ must be a finite number ≥ 0, got ${p.lambda}`);
  if (p.kind === 'l1') return regularizers.l1({ l1: p.lambda });
  if (p.kind === 'l2') return regularizers.l2({ l2: p.lambda });
  return regularizers.l1l2({ l1: p.lambda, l2: p.lambda });
}

function toTensors(p: Points): { x: Tensor; y: Tensor } {
  return { x: tensor(p.xy, [p.n, 2]), y: tensor(p.label, [p.n, 1]) };
}

function accuracy(pred: Tensor, y: Tensor): number {
  let ok = 0;
  for (let i = 0; i < y.size; i++) ok += (pred.data[i] >= 0.5 ? 1 : 0) === y.data[i] ? 1 : 0;
  return ok / y.size;
}

export class Session {
  readonly model: Model;
  readonly trainPoints: Points;
  readonly testPoints: Points;
  private readonly train: { x: Tensor; y: Tensor };
  private readonly test: { x: Tensor; y: Tensor };
  private readonly gridX: Tensor;
  private history: { step: number; train: number; test: number }[] = [];
  step = 0;

  constructor(readonly config: SessionConfig) {
    this.trainPoints = makeDataset(config.dataset, config.nTrain, config.noise, config.seed);
    this.testPoints = makeDataset(config.dataset, config.nTest, config.noise, config.seed + 1000);
    this.train = toTensors(this.trainPoints);
    this.test = toTensors(this.testPoints);
    const last = config.layers.length - 1;
    this.model = sequential(config.layers.map((l, i) => layers.dense({
      name: i === last ? 'output' : `hidden${i + 1}`,
      units: i === last ? 1 : l.units,
      activation: i === last ? 'sigmoid' : l.activation,
      inputShape: i === 0 ? [2] : undefined,
      seed: config.seed * 100 + i,
      kernelRegularizer: regularizer(l.kernel),
      biasRegularizer: regularizer(l.bias),
      activityRegularizer: regularizer(l.activity),
    })));
    this.model.compile({ optimizer: optimizers.adam({ learningRate: config.learningRate }), loss: 'binaryCrossentropy' });
    const g = new Float32Array(GRID * GRID * 2);
    for (let r = 0; r < GRID; r++) {
      for (let c = 0; c < GRID; c++) {
        g[2 * (r * GRID + c)] = -DOMAIN + (2 * DOMAIN * (c + 0.5)) / GRID;
        g[2 * (r * GRID + c) + 1] = DOMAIN - (2 * DOMAIN * (r + 0.5)) / GRID;
      }
    }
    this.gridX = tensor(g, [GRID * GRID, 2]);
    this.record();
  }

  /** `n` full-batch optimizer steps (one epoch each, no shuffling: deterministic for a seed); the train
   * and test data losses are recorded for the curve about 25 times per call (every step for n ≤ 25). */
  async steps(n: number): Promise<void> {
    if (n <= 0) return;
    const every = Math.ceil(n / 25);
    await this.model.fit(this.train.x, this.train.y, {
      epochs: n, batchSize: this.config.nTrain, shuffle: false, verbose: 0,
      callbacks: { onEpochEnd: (epoch: number) => { this.step++; if ((epoch + 1) % every === 0 || epoch === n - 1) this.record(); } },
    });
  }

  private record(): void {
    const train = this.model.lossBreakdown(this.train.x, this.train.y).data;
    const test = this.model.lossBreakdown(this.test.x, this.test.y).data;
    this.history.push({ step: this.step, train, test });
    // Keep the curve at most HISTORY points long: drop every other point (never the first) when full.
    if (this.history.length > HISTORY) {
      const h = this.history;
      this.history = h.filter((_, i) => i === 0 || i % 2 === 1 || i === h.length - 1);
    }
  }

  snapshot(withPoints = false): Snapshot {
    const bd = this.model.lossBreakdown(this.train.x, this.train.y);
    const testBd = this.model.lossBreakdown(this.test.x, this.test.y);
    const histograms: Histogram[] = [];
    let sq = 0;
    for (const layer of this.model.layers) {
      const kernel = layer.getWeights()[0];
      if (!kernel) continue;
      let limit = 0, s = 0, nearZero = 0;
      for (const v of kernel.data) { limit = Math.max(limit, Math.abs(v)); s += v * v; if (Math.abs(v) < 1e-3) nearZero++; }
      limit = limit || 1;
      const counts = new Array(BINS).fill(0);
      for (const v of kernel.data) counts[Math.min(BINS - 1, Math.floor(((v + limit) / (2 * limit)) * BINS))]++;
      histograms.push({ layer: layer.name, limit, counts, norm: Math.sqrt(s), size: kernel.size, nearZero });
      sq += s;
    }
    return {
      step: this.step,
      train: { data: bd.data, total: bd.total, accuracy: accuracy(this.model.predict(this.train.x), this.train.y) },
      test: { data: testBd.data, accuracy: accuracy(this.model.predict(this.test.x), this.test.y) },
      breakdown: { data: bd.data, total: bd.total, penalties: bd.penalties.map((p) => ({ ...p })) },
      weightNorm: Math.sqrt(sq),
      histograms,
      history: this.history.slice(),
      grid: Array.from(this.model.predict(this.gridX).data),
      points: withPoints ? { train: this.trainPoints, test: this.testPoints } : undefined,
    };
  }
}
