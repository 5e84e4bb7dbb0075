/**
 * Weight initializers (Keras definitions).
 *
 *   fans (Keras):  rank 2 [in, out]            fanIn = in,          fanOut = out
 *                  conv  [k…, in, out]         fanIn = prod(k)·in,  fanOut = prod(k)·out
 *                  rank 1 [n]                  fanIn = fanOut = n;  rank 0: 1, 1
 *
 *   glorotUniform   U(−limit, limit),  limit = sqrt(6 / (fanIn + fanOut))
 *   glorotNormal    truncated normal, stddev = sqrt(2 / (fanIn + fanOut)) / 0.87962566103423978
 *   heUniform       U(−limit, limit),  limit = sqrt(6 / fanIn)
 *   heNormal        truncated normal, stddev = sqrt(2 / fanIn) / 0.87962566103423978
 *   lecunUniform    U(−limit, limit),  limit = sqrt(3 / fanIn)
 *   lecunNormal     truncated normal, stddev = sqrt(1 / fanIn) / 0.87962566103423978
 *   zeros, ones
 *   randomNormal    N(mean = 0, stddev = 0.05)
 *   randomUniform   U(minval = −0.05, maxval = 0.05)
 *   truncatedNormal N(mean = 0, stddev = 0.05) truncated at 2 stddev
 *   orthogonal      gain · Q, Q from the QR of a [max(r, c), min(r, c)] standard-normal matrix with
 *                   the signs of diag(R) folded in (r = prod(shape[:-1]), c = shape[-1]), transposed
 *                   when r < c; gain = 1 (Keras Orthogonal; the RNN layers' recurrentInitializer)
 *
 * "Truncated normal" redraws every sample farther than 2 stddev from the mean (as TensorFlow);
 * 0.8796… is the stddev of a unit normal truncated to [−2, 2], so the variance-scaling ones end
 * with the variance they promise (scale / fan).
 *
 * A layer option is a name (camelCase as TensorFlow.js, or Keras snake_case: 'glorot_uniform'),
 * or an object `{ name, seed?, …parameters }`, e.g. `{ name: 'randomNormal', mean: 0, stddev: 0.1, seed: 7 }`.
 * Randomness comes from the layer's seeded generator unless the object carries its own `seed`.
 */
import { ConfigError, ShapeError, fmtShape, fmtValue } from './errors';
import { Random } from './random';

export interface Fans { fanIn: number; fanOut: number }

/** Keras' _compute_fans. */
export function computeFans(shape: readonly number[]): Fans {
  if (shape.length === 0) return { fanIn: 1, fanOut: 1 };
  if (shape.length === 1) return { fanIn: shape[0], fanOut: shape[0] };
  if (shape.length === 2) return { fanIn: shape[0], fanOut: shape[1] };
  let receptive = 1;
  for (let i = 0; i < shape.length - 2; i++) receptive *= shape[i];
  return { fanIn: receptive * shape[shape.length - 2], fanOut: receptive * shape[shape.length - 1] };
}

/** stddev of a standard normal truncated to [−2, 2]. */
export const TRUNCATED_NORMAL_STDDEV = 0.87962566103423978;

export interface Initializer {
  /** camelCase name, e.g. 'glorotUniform'. */
  readonly name: string;
  /** Fills a new Float32Array for a weight of this shape; `rng` is used unless the initializer has its own seed. */
  init(shape: readonly number[], rng: Random): Float32Array;
  getConfig(): { className: string; config: Record<string, number | string | null> };
}

type Kind = 'zeros' | 'ones' | 'uniform' | 'normal' | 'truncated';

interface Params { mean: number; stddev: number; minval: number; maxval: number; seed: number | undefined }

/** One class for every initializer: a distribution, and how its scale follows from the fans. */
class BuiltinInitializer implements Initializer {
  constructor(
    readonly name: string,
    private readonly kind: Kind,
    /** For the variance-scaling family: (fans) → limit (uniform) or stddev (normal); null = fixed params. */
    private readonly scale: ((f: Fans) => number) | null,
    private readonly params: Params,
  ) {}

  init(shape: readonly number[], layerRng: Random): Float32Array {
    let n = 1;
    for (const d of shape) n *= d;
    const out = new Float32Array(n);
    if (this.kind === 'zeros') return out;
    if (this.kind === 'ones') return out.fill(1);
    const rng = this.params.seed === undefined ? layerRng : new Random(this.params.seed);
    const fans = computeFans(shape);
    if (this.kind === 'uniform') {
      let lo = this.params.minval, hi = this.params.maxval;
      if (this.scale !== null) { hi = this.scale(fans); lo = -hi; }
      const width = hi - lo;
      for (let i = 0; i < n; i++) out[i] = lo + width * rng.uniform();
      return out;
    }
    const mean = this.scale === null ? this.params.mean : 0;
    const stddev = this.scale === null ? this.params.stddev : this.scale(fans);
    if (this.kind === 'normal') {
      for (let i = 0; i < n; i++) out[i] = mean + stddev * rng.normal();
      return out;
    }
    for (let i = 0; i < n; i++) {
      let z = rng.normal();
      while (z > 2 || z < -2) z = rng.normal();
      out[i] = mean + stddev * z;
    }
    return out;
  }

  getConfig(): { className: string; config: Record<string, number | string | null> } {
    const className = this.name.charAt(0).toUpperCase() + this.name.slice(1);
    const config: Record<string, number | string | null> = {};
    if (this.scale === null && (this.kind === 'normal' || this.kind === 'truncated')) {
      config.mean = this.params.mean;
      config.stddev = this.params.stddev;
    } else if (this.scale === null && this.kind === 'uniform') {
      config.minval = this.params.minval;
      config.maxval = this.params.maxval;
    }
    if (this.kind !== 'zeros' && this.kind !== 'ones') config.seed = this.params.seed ?? null;
    return { className, config };
  }
}

const T = TRUNCATED_NORMAL_STDDEV;

/** name → (kind, scale rule, default parameters). Keys are lowercase without underscores. */
const TABLE: Record<string, { name: string; kind: Kind; scale: ((f: Fans) => number) | null }> = {
  zeros: { name: 'zeros', kind: 'zeros', scale: null },
  ones: { name: 'ones', kind: 'ones', scale: null },
  glorotuniform: { name: 'glorotUniform', kind: 'uniform', scale: (f) => Math.sqrt(6 / (f.fanIn + f.fanOut)) },
  glorotnormal: { name: 'glorotNormal', kind: 'truncated', scale: (f) => Math.sqrt(2 / (f.fanIn + f.fanOut)) / T },
  heuniform: { name: 'heUniform', kind: 'uniform', scale: (f) => Math.sqrt(6 / f.fanIn) },
  henormal: { name: 'heNormal', kind: 'truncated', scale: (f) => Math.sqrt(2 / f.fanIn) / T },
  lecununiform: { name: 'lecunUniform', kind: 'uniform', scale: (f) => Math.sqrt(3 / f.fanIn) },
  lecunnormal: { name: 'lecunNormal', kind: 'truncated', scale: (f) => Math.sqrt(1 / f.fanIn) / T },
  randomnormal: { name: 'randomNormal', kind: 'normal', scale: null },
  randomuniform: { name: 'randomUniform', kind: 'uniform', scale: null },
  truncatednormal: { name: 'truncatedNormal', kind: 'truncated', scale: null },
};

const NAMES = Object.values(TABLE).map((e) => `'${e.name}'`).join(', ');

function finite(layer: string, arg: string, key: string, v: unknown, dflt: number): number {
  if (v === undefined) return dflt;
  if (typeof v !== 'number' || !Number.isFinite(v)) {
    throw new ConfigError(`${layer}: ${arg}.${key} must be a finite number, got ${fmtValue(v)}`);
  }
  return v;
}

/**
 * Resolves a layer's initializer option (`arg` names it in errors, e.g. 'kernelInitializer').
 * undefined → `dflt`; a name; an object `{ name, seed?, mean?, stddev?, minval?, maxval? }`;
 * or an object already implementing `Initializer` (has `init` and `getConfig`).
 */
export function getInitializer(layer: string, arg: string, v: unknown, dflt: string): Initializer {
  if (v === undefined || v === null) v = dflt;
  if (typeof v === 'object' && v !== null && typeof (v as Initializer).init === 'function' &&
      typeof (v as Initializer).getConfig === 'function' && typeof (v as Initializer).name === 'string') {
    return v as Initializer;
  }
  let name: unknown = v;
  let opts: Record<string, unknown> = {};
  if (typeof v === 'object' && v !== null && !Array.isArray(v)) {
    opts = v as Record<string, unknown>;
    name = opts.name;
  }
  if (typeof name === 'string' && name.replace(/_/g, '').toLowerCase() === 'orthogonal') return orthogonalFrom(layer, arg, opts);
  const entry = typeof name === 'string' ? TABLE[name.replace(/_/g, '').toLowerCase()] : undefined;
  if (entry === undefined) {
    throw new ConfigError(`${layer}: ${arg} must be one of ${NAMES}, 'orthogonal' or an object { name, seed?, … }, got ${fmtValue(typeof v === 'object' ? name : v)}`);
  }
  for (const key of Object.keys(opts)) {
    if (!['name', 'seed', 'mean', 'stddev', 'minval', 'maxval'].includes(key)) {
      throw new ConfigError(`${layer}: ${arg} has unknown option ${fmtValue(key)} (allowed: name, seed, mean, stddev, minval, maxval)`);
    }
  }
  const params: Params = {
    mean: finite(layer, arg, 'mean', opts.mean, 0),
    stddev: finite(layer, arg, 'stddev', opts.stddev, 0.05),
    minval: finite(layer, arg, 'minval', opts.minval, -0.05),
    maxval: finite(layer, arg, 'maxval', opts.maxval, 0.05),
    seed: opts.seed === undefined ? undefined : finite(layer, arg, 'seed', opts.seed, 0),
  };
  if (params.stddev < 0) throw new ConfigError(`${layer}: ${arg}.stddev must be >= 0, got ${params.stddev}`);
  if (params.maxval < params.minval) {
    throw new ConfigError(`${layer}: ${arg}.maxval must be >= minval, got minval ${params.minval}, maxval ${params.maxval}`);
  }
  return new BuiltinInitializer(entry.name, entry.kind, entry.scale, params);
}

// ---- orthogonal (Keras Orthogonal(gain = 1, seed)) ----

/**
 * W = gain · Q reshaped to `shape`:  A [max(r, c), min(r, c)] ~ N(0, 1),  A = Q·R (thin QR),
 * Q's column j multiplied by sign(R[j, j]) (so Q is unique), Qᵀ when r < c; r = prod(shape[:-1]),
 * c = shape[-1]. The QR is modified Gram–Schmidt run twice per column in float64 ("twice is
 * enough"), whose R has a positive diagonal: exactly the sign-corrected Q of Householder QR.
 * Rank < 2 is a ShapeError (Keras: "at least two-dimensional").
 */
class OrthogonalInitializer implements Initializer {
  readonly name = 'orthogonal';
  constructor(private readonly gain: number, private readonly seed: number | undefined) {}

  init(shape: readonly number[], layerRng: Random): Float32Array {
    if (shape.length < 2) {
      throw new ShapeError(`orthogonal initializer: the weight must be at least two-dimensional, got shape ${fmtShape(shape)}`);
    }
    const rng = this.seed === undefined ? layerRng : new Random(this.seed);
    let rows = 1;
    for (let i = 0; i < shape.length - 1; i++) rows *= shape[i];
    const cols = shape[shape.length - 1];
    const n = Math.max(rows, cols), k = Math.min(rows, cols);
    // A stored column-major: column j at q[j·n … j·n + n).
    const q = new Float64Array(n * k);
    for (let i = 0; i < n; i++) for (let j = 0; j < k; j++) q[j * n + i] = rng.normal();
    for (let j = 0; j < k; j++) {
      const cj = j * n;
      for (let pass = 0; pass < 2; pass++) {
        for (let p = 0; p < j; p++) {
          const cp = p * n;
          let dot = 0;
          for (let i = 0; i < n; i++) dot += q[cp + i] * q[cj + i];
          for (let i = 0; i < n; i++) q[cj + i] -= dot * q[cp + i];
        }
      }
      let norm = 0;
      for (let i = 0; i < n; i++) norm += q[cj + i] * q[cj + i];
      norm = Math.sqrt(norm);
      for (let i = 0; i < n; i++) q[cj + i] /= norm;
    }
    // Q is [n, k]; the weight is [rows, cols] = Q when rows >= cols, else Qᵀ.
    const out = new Float32Array(rows * cols);
    for (let r = 0; r < rows; r++) {
      for (let c = 0; c < cols; c++) out[r * cols + c] = this.gain * (rows >= cols ? q[c * n + r] : q[r * n + c]);
    }
    return out;
  }

  getConfig(): { className: string; config: Record<string, number | string | null> } {
    return { className: 'Orthogonal', config: { gain: this.gain, seed: this.seed ?? null } };
  }
}

function orthogonalFrom(layer: string, arg: string, opts: Record<string, unknown>): Initializer {
  for (const key of Object.keys(opts)) {
    if (!['name', 'seed', 'gain'].includes(key)) {
      throw new ConfigError(`${layer}: ${arg} (orthogonal) has unknown option ${fmtValue(key)} (allowed: name, seed, gain)`);
    }
  }
  const gain = finite(layer, arg, 'gain', opts.gain, 1);
  const seed = opts.seed === undefined ? undefined : finite(layer, arg, 'seed', opts.seed, 0);
  return new OrthogonalInitializer(gain, seed);
}
