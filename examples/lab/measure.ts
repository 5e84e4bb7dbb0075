/**
 * The lab's measurement functions. Each one is pure (its inputs are numbers, tensors or a callback
 * that trains or predicts), so spec/lab-measure.spec.ts checks it on tiny data against values
 * computed by hand. The experiments (experiments.ts) only wire these to trained models.
 */
import { Random, Tensor, type LossBreakdown } from '../../lib';

// ---------------------------------------------------------------- weight norms ----------------

/** A kernel as a matrix: Dense kernels are [in, out]; conv kernels [..., in, out] are flattened to [Π…·in, out]. */
export interface Kernel {
  layer: string;
  data: Float32Array;
  shape: readonly number[];
}

/** ‖W‖_F = sqrt(Σ w²) of each kernel, in layer order. */
export function kernelNorms(kernels: readonly Kernel[]): { layer: string; norm: number }[] {
  return kernels.map((k) => {
    let s = 0;
    for (let i = 0; i < k.data.length; i++) s += k.data[i] * k.data[i];
    return { layer: k.layer, norm: Math.sqrt(s) };
  });
}

/** The kernels of a model's layers (the first weight of every layer that has one, named 'kernel'). */
export function modelKernels(layers: readonly { name: string; getWeights(): Tensor[] }[]): Kernel[] {
  const out: Kernel[] = [];
  for (const l of layers) {
    const ws = l.getWeights();
    if (ws.length === 0 || ws[0].rank < 2) continue;
    out.push({ layer: l.name, data: ws[0].data, shape: ws[0].shape });
  }
  return out;
}

// ---------------------------------------------------------------- spectral norm ---------------

/**
 * The largest singular value of a rows×cols matrix (row-major) by power iteration on WᵀW:
 * v ← WᵀW v / ‖WᵀW v‖, σ = ‖W v‖. Starts from a seeded random vector, stops when σ changes by
 * less than `tol` (relative) or after `iterations` steps. Exact for a matrix whose top singular
 * value is simple; converges at the rate (σ₂/σ₁)² per step.
 */
export function spectralNorm(w: ArrayLike<number>, rows: number, cols: number, opts: { iterations?: number; tol?: number; seed?: number } = {}): number {
  if (w.length !== rows * cols) throw new RangeError(`spectralNorm: ${rows}×${cols} needs ${rows * cols} values, got ${w.length}`);
  const iterations = opts.iterations ?? 500, tol = opts.tol ?? 1e-10;
  const rng = new Random(opts.seed ?? 1);
  let v = new Float64Array(cols);
  for (let j = 0; j < cols; j++) v[j] = rng.normal();
  const u = new Float64Array(rows);
  let sigma = 0;
  for (let it = 0; it < iterations; it++) {
    let nv = 0;
    for (let j = 0; j < cols; j++) nv += v[j] * v[j];
    nv = Math.sqrt(nv);
    if (nv === 0) return 0;
    for (let j = 0; j < cols; j++) v[j] /= nv;
    // u = W v
    let nu = 0;
    for (let i = 0; i < rows; i++) {
      let s = 0;
      for (let j = 0; j < cols; j++) s += w[i * cols + j] * v[j];
      u[i] = s;
      nu += s * s;
    }
    const next = Math.sqrt(nu);
    // v = Wᵀ u
    const nvv = new Float64Array(cols);
    for (let i = 0; i < rows; i++) {
      const ui = u[i];
      if (ui === 0) continue;
      for (let j = 0; j < cols; j++) nvv[j] += w[i * cols + j] * ui;
    }
    v = nvv;
    const done = Math.abs(next - sigma) <= tol * Math.max(next, 1e-300);
    sigma = next;
    if (done && it > 2) break;
  }
  return sigma;
}

/**
 * An upper bound on the Lipschitz constant (in L2) of a chain of dense layers with 1-Lipschitz
 * activations (relu, tanh, sigmoid, softmax): ‖f(x) − f(x')‖ ≤ Π_l σ_max(W_l) · ‖x − x'‖. Biases
 * do not enter. Returns the bound and each factor.
 */
export function lipschitzBound(kernels: readonly Kernel[], opts: { seed?: number } = {}): { bound: number; factors: { layer: string; sigma: number }[] } {
  const factors = kernels.map((k, i) => {
    const cols = k.shape[k.shape.length - 1];
    const rows = k.data.length / cols;
    // the kernel maps row vectors x·W: its singular values are those of the [rows, cols] matrix
    return { layer: k.layer, sigma: spectralNorm(k.data, rows, cols, { seed: (opts.seed ?? 1) + i }) };
  });
  return { bound: factors.reduce((p, f) => p * f.sigma, 1), factors };
}

// ---------------------------------------------------------------- noise sensitivity -----------

export interface NoiseRow {
  sigma: number;
  /** Mean over the samples of ‖f(x + ε) − f(x)‖₂. */
  outputChange: number;
  /** Mean over the samples of ‖ε‖₂ (about σ·√d). */
  noiseNorm: number;
  /** Mean of ‖f(x + ε) − f(x)‖ / ‖ε‖: the measured local gain, below any Lipschitz bound. */
  gain: number;
  /** Accuracy on the noisy inputs (argmax, or > 0.5 for one output); NaN without labels. */
  accuracy: number;
}

/** Class predictions of a [n, k] output: argmax for k > 1, p > 0.5 for k = 1. */
export function predictedClasses(y: Tensor): Uint8Array {
  const n = y.shape[0], k = y.size / n;
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    if (k === 1) { out[i] = y.data[i] > 0.5 ? 1 : 0; continue; }
    let best = 0;
    for (let j = 1; j < k; j++) if (y.data[i * k + j] > y.data[i * k + best]) best = j;
    out[i] = best;
  }
  return out;
}

export function accuracyOf(y: Tensor, labels: ArrayLike<number>): number {
  const p = predictedClasses(y);
  let c = 0;
  for (let i = 0; i < p.length; i++) if (p[i] === labels[i]) c++;
  return p.length === 0 ? NaN : c / p.length;
}

/**
 * Output change under Gaussian input noise at each σ. For every sample x and every σ one noise
 * vector ε = σ·z is drawn, z from `normal()` (a seeded Random's standard normals; a spec may pass
 * a fixed sequence), and f(x + ε) is compared with f(x).
 */
export function noiseSensitivity(predict: (x: Tensor) => Tensor, x: Tensor, labels: ArrayLike<number> | null,
  sigmas: readonly number[], normal: () => number): NoiseRow[] {
  const n = x.shape[0], d = x.size / n;
  const clean = predict(x);
  const k = clean.size / n;
  return sigmas.map((sigma) => {
    const noisy = new Float32Array(x.size);
    const noiseNorms = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      let s = 0;
      for (let j = 0; j < d; j++) {
        const e = sigma * normal();
        noisy[i * d + j] = x.data[i * d + j] + e;
        s += e * e;
      }
      noiseNorms[i] = Math.sqrt(s);
    }
    const out = predict(new Tensor(noisy, x.shape.slice()));
    let change = 0, noiseNorm = 0, gain = 0;
    for (let i = 0; i < n; i++) {
      let s = 0;
      for (let j = 0; j < k; j++) { const dlt = out.data[i * k + j] - clean.data[i * k + j]; s += dlt * dlt; }
      const c = Math.sqrt(s);
      change += c;
      noiseNorm += noiseNorms[i];
      gain += noiseNorms[i] > 0 ? c / noiseNorms[i] : 0;
    }
    return { sigma, outputChange: change / n, noiseNorm: noiseNorm / n, gain: gain / n, accuracy: labels ? accuracyOf(out, labels) : NaN };
  });
}

// ---------------------------------------------------------------- choosing λ ------------------

export interface Trial<P> {
  param: P;
  train: number;
  val: number;
  test: number;
}

/**
 * The trial with the lowest validation value (ties: the first). The test values are carried
 * along for the report and never read for the choice.
 */
export function chooseOnValidation<P>(trials: readonly Trial<P>[]): Trial<P> {
  if (trials.length === 0) throw new RangeError('chooseOnValidation: no trials');
  let best = trials[0];
  for (const t of trials) if (t.val < best.val || (Number.isNaN(best.val) && !Number.isNaN(t.val))) best = t;
  return best;
}

/** `count` values log-spaced from lo to hi inclusive: logGrid(1e-6, 1, 7) = 1e-6, 1e-5, …, 1. */
export function logGrid(lo: number, hi: number, count: number): number[] {
  if (count === 1) return [lo];
  const a = Math.log10(lo), b = Math.log10(hi);
  return Array.from({ length: count }, (_, i) => +Math.pow(10, a + ((b - a) * i) / (count - 1)).toPrecision(12));
}

/**
 * A λ sweep: trains once per λ (the callback returns train, validation and test losses), then
 * picks λ on validation. Returns every trial and the choice.
 */
export async function lambdaSweep(lambdas: readonly number[], trainAt: (lambda: number) => Promise<Omit<Trial<number>, 'param'>>): Promise<{ trials: Trial<number>[]; chosen: Trial<number> }> {
  const trials: Trial<number>[] = [];
  for (const l of lambdas) trials.push({ param: l, ...(await trainAt(l)) });
  return { trials, chosen: chooseOnValidation(trials) };
}

/**
 * The two search spaces of claim 4 at the same budget of `budget` trainings: one λ shared by every
 * layer on a log grid over [lo, hi], or one λ per layer drawn log-uniformly from [lo, hi].
 */
export function searchCandidates(budget: number, layerCount: number, lo: number, hi: number, rng: Random): { shared: number[][]; perLayer: number[][] } {
  const shared = logGrid(lo, hi, budget).map((l) => new Array<number>(layerCount).fill(l));
  const a = Math.log10(lo), b = Math.log10(hi);
  const perLayer = Array.from({ length: budget }, () => Array.from({ length: layerCount }, () => +Math.pow(10, a + (b - a) * rng.uniform()).toPrecision(6)));
  return { shared, perLayer };
}

// ---------------------------------------------------------------- activity vs kernel ----------

export interface TermRatio {
  batch: number;
  activity: number;
  kernel: number;
  /** activity / kernel as Keras computes it (activity divided by the batch size). */
  ratio: number;
  /** The same ratio if the activity penalty were summed over the batch (activity · batch / kernel). */
  ratioUndivided: number;
}

/**
 * The activity and kernel terms of one lossBreakdown on a batch of `batch` samples. The engine
 * divides the activity term by the batch size; "undivided" multiplies that division back out.
 */
export function activityKernelRatio(b: LossBreakdown, batch: number): TermRatio {
  let activity = 0, kernel = 0;
  for (const p of b.penalties) {
    if (p.target === 'activity') activity += p.value;
    else if (p.target === 'kernel') kernel += p.value;
  }
  return { batch, activity, kernel, ratio: activity / kernel, ratioUndivided: (activity * batch) / kernel };
}

/** Sum of the penalty terms by target. */
export function penaltyByTarget(b: LossBreakdown): Record<string, number> & { kernel: number; bias: number; activity: number } {
  const out: Record<string, number> & { kernel: number; bias: number; activity: number } = { kernel: 0, bias: 0, activity: 0 };
  for (const p of b.penalties) out[p.target] = (out[p.target] ?? 0) + p.value;
  return out;
}

// ---------------------------------------------------------------- learning curve --------------

/**
 * Epochs for a training-set size under a fixed budget of optimizer steps: about `steps` steps of
 * `batch` samples whatever the size, at least `minEpochs` passes.
 */
export function epochsForSize(size: number, batch: number, steps: number, minEpochs: number): number {
  const perEpoch = Math.ceil(size / batch);
  return Math.max(minEpochs, Math.round(steps / perEpoch));
}

/** Test error against training-set size: one callback per size, in order. */
export async function learningCurve(sizes: readonly number[], trainWith: (size: number) => Promise<{ trainError: number; testError: number }>): Promise<{ size: number; trainError: number; testError: number }[]> {
  const out: { size: number; trainError: number; testError: number }[] = [];
  for (const s of sizes) out.push({ size: s, ...(await trainWith(s)) });
  return out;
}
