/**
 * BatchNormalization and LayerNormalization (Keras 3 semantics, checked against TensorFlow.js).
 *
 * BatchNormalization — per channel j of `axis` (default −1), statistics over every other axis:
 *   training   mean_j, var_j of the batch (biased);  y = γ_j·(x − mean_j)/√(var_j + ε) + β_j
 *              then  moving_mean ← moving_mean·momentum + mean·(1 − momentum)   (same for the
 *              variance), at every training forward, as Keras' call() does
 *   inference  the same formula with moving_mean, moving_variance
 *   backward   kernels/normalization.ts: through the batch statistics in training, through
 *              fixed statistics in inference
 *   weights    [gamma, beta, moving_mean, moving_variance] (Keras order; gamma only when `scale`,
 *              beta only when `center`), each of shape [C]. moving_mean and moving_variance are
 *              NON-trainable: no gradient, never penalised, skipped by optimizers and constraints
 *              (LayerWeight.trainable = false; penalties.ts, optimizers.ts and constraints.ts skip them).
 *   defaults   momentum 0.99, epsilon 1e-3, gamma 'ones', beta 'zeros', moving mean 'zeros',
 *              moving variance 'ones'
 *
 * LayerNormalization — per sample, statistics over `axis` (an int or a list of adjacent axes,
 * default −1):  y = γ·(x − mean)/√(var + ε) + β, γ and β shaped like the normalized axes;
 *   epsilon 1e-3; weights [gamma, beta]. Same in training and inference.
 *
 * Both views x as [outer, n, inner] (n = the normalized/channel block); the loops are in
 * kernels/normalization.ts. gammaRegularizer / betaRegularizer enter the loss through
 * lib/training/penalties.ts (targets 'gamma' and 'beta').
 */
import { ConfigError, ShapeError, fmtShape, fmtValue } from '../errors';
import { Tensor } from '../tensor';
import { Random } from '../random';
import { getRegularizer, Regularizer, RegularizerIdentifier } from '../regularizers';
import { getInitializer, Initializer } from '../initializers';
import { Constraint, ConstraintIdentifier, constraintConfig, getConstraint } from '../constraints';
import {
  batchNormBackward, batchNormForward, batchNormMoments, layerNormBackward, layerNormForward, movingAverageUpdate,
} from '../../kernels/normalization';
import { ForwardResult, Layer, LayerWeight, boolOption, checkOptionNames, regularizerConfig, seedOption } from './layer';
import type { InitializerIdentifier } from './kernel-layer';

function finiteIn(layer: string, arg: string, v: unknown, lo: number, hi: number, loOpen: boolean): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || (loOpen ? v <= lo : v < lo) || v > hi) {
    throw new ConfigError(`${layer}: ${arg} must be a finite number in ${loOpen ? '(' : '['}${lo}, ${hi === Infinity ? '∞' : hi}], got ${fmtValue(v)}`);
  }
  return v;
}

function oneInput(layer: string, n: number): void {
  if (n !== 1) throw new ShapeError(`${layer}: expects exactly 1 input, got ${n}`);
}

const prod = (a: readonly number[]): number => a.reduce((p, d) => p * d, 1);

/** The shared options of the two normalization layers (gamma and beta hooks). */
interface NormArgs {
  epsilon?: number;
  center?: boolean;
  scale?: boolean;
  betaInitializer?: InitializerIdentifier;
  gammaInitializer?: InitializerIdentifier;
  betaRegularizer?: RegularizerIdentifier | null;
  gammaRegularizer?: RegularizerIdentifier | null;
  betaConstraint?: ConstraintIdentifier | null;
  gammaConstraint?: ConstraintIdentifier | null;
  inputShape?: number[];
  name?: string;
  /** Seeds the initializers (only matters for random ones). */
  seed?: number;
}

const NORM_OPTIONS = ['epsilon', 'center', 'scale', 'betaInitializer', 'gammaInitializer', 'betaRegularizer', 'gammaRegularizer',
  'betaConstraint', 'gammaConstraint', 'inputShape', 'name', 'seed'] as const;

/** gamma/beta options, validated, and their weights. */
abstract class NormLayer extends Layer {
  readonly epsilon: number;
  readonly center: boolean;
  readonly scale: boolean;
  readonly betaInitializer: Initializer;
  readonly gammaInitializer: Initializer;
  readonly betaRegularizer: Regularizer | null;
  readonly gammaRegularizer: Regularizer | null;
  readonly betaConstraint: Constraint | null;
  readonly gammaConstraint: Constraint | null;
  readonly seed: number | undefined;
  /** The [outer, n, inner] view's n and inner for the built feature shape (outer = batch · before). */
  protected before = 1;
  protected n = 1;
  protected inner = 1;

  constructor(prefix: string, args: NormArgs) {
    super(prefix, args);
    const l = this.name;
    this.epsilon = finiteIn(l, 'epsilon', args.epsilon ?? 1e-3, 0, Infinity, true);
    this.center = boolOption(l, 'center', args.center, true);
    this.scale = boolOption(l, 'scale', args.scale, true);
    this.betaInitializer = getInitializer(l, 'betaInitializer', args.betaInitializer, 'zeros');
    this.gammaInitializer = getInitializer(l, 'gammaInitializer', args.gammaInitializer, 'ones');
    this.betaRegularizer = getRegularizer(l, 'betaRegularizer', args.betaRegularizer);
    this.gammaRegularizer = getRegularizer(l, 'gammaRegularizer', args.gammaRegularizer);
    this.betaConstraint = getConstraint(l, 'betaConstraint', args.betaConstraint);
    this.gammaConstraint = getConstraint(l, 'gammaConstraint', args.gammaConstraint);
    this.seed = seedOption(l, args.seed);
  }

  protected get gamma(): LayerWeight | null { return this.scale ? this.weights[0] : null; }
  protected get beta(): LayerWeight | null { return this.center ? this.weights[this.scale ? 1 : 0] : null; }

  /** [gamma, beta] (each when enabled) of `shape`, from one seeded generator. */
  protected makeGammaBeta(shape: number[], rng: Random): LayerWeight[] {
    const ws: LayerWeight[] = [];
    if (this.scale) ws.push(this.makeWeight('gamma', 'gamma', shape, this.gammaInitializer, this.gammaRegularizer, rng, this.gammaConstraint));
    if (this.center) ws.push(this.makeWeight('beta', 'beta', shape, this.betaInitializer, this.betaRegularizer, rng, this.betaConstraint));
    return ws;
  }

  computeOutputShape(inputShapes: number[][]): number[] {
    oneInput(this.name, inputShapes.length);
    const s = inputShapes[0];
    if (this.built) {
      const want = this.builtInputShapes![0];
      if (s.length !== want.length || s.some((d, i) => d !== want[i])) {
        throw new ShapeError(`${this.name}: layer was built for feature shape ${fmtShape(want)}, got ${fmtShape(s)}`);
      }
    } else {
      this.resolveAxes(s);
    }
    return s.slice();
  }

  /** Validates the axes against a feature shape; throws ShapeError naming both. */
  protected abstract resolveAxes(featureShape: number[]): { first: number; last: number };

  protected setView(featureShape: number[]): void {
    const { first, last } = this.resolveAxes(featureShape);
    // axes count the batch: feature axis a is full axis a + 1
    this.before = prod(featureShape.slice(0, first - 1));
    this.n = prod(featureShape.slice(first - 1, last));
    this.inner = prod(featureShape.slice(last));
  }

  protected checkInput(x: Tensor): void {
    const want = this.builtInputShapes![0];
    if (x.rank !== want.length + 1 || x.shape.slice(1).some((d, i) => d !== want[i])) {
      throw new ShapeError(`${this.name}: input must have shape [batch,${want.join(',')}], got ${fmtShape(x.shape)}`);
    }
  }

  protected normConfig(): Record<string, unknown> {
    return {
      epsilon: this.epsilon,
      center: this.center,
      scale: this.scale,
      betaInitializer: this.betaInitializer.getConfig(),
      gammaInitializer: this.gammaInitializer.getConfig(),
      betaRegularizer: regularizerConfig(this.betaRegularizer),
      gammaRegularizer: regularizerConfig(this.gammaRegularizer),
      betaConstraint: constraintConfig(this.betaConstraint),
      gammaConstraint: constraintConfig(this.gammaConstraint),
    };
  }
}

// ------------------------------------------------------------------------------------------------

export interface BatchNormalizationArgs extends NormArgs {
  /** The channel axis (counting the batch as axis 0; negative from the end). Default −1. */
  axis?: number;
  /** Weight of the old moving statistics in each update (default 0.99). */
  momentum?: number;
  movingMeanInitializer?: InitializerIdentifier;
  movingVarianceInitializer?: InitializerIdentifier;
}

const BN_OPTIONS = ['axis', 'momentum', 'movingMeanInitializer', 'movingVarianceInitializer', ...NORM_OPTIONS] as const;

interface BatchNormCtx {
  x: Tensor;
  outer: number;
  mean: Float32Array;
  variance: Float32Array;
  /** true: the statistics are the batch's (training), so dx flows through them. */
  batchStats: boolean;
}

export class BatchNormalization extends NormLayer {
  readonly className = 'BatchNormalization';
  readonly axis: number;
  readonly momentum: number;
  readonly movingMeanInitializer: Initializer;
  readonly movingVarianceInitializer: Initializer;

  constructor(args: BatchNormalizationArgs = {}) {
    checkOptionNames('batchNormalization', args, BN_OPTIONS);
    super('batch_normalization', args);
    const l = this.name;
    const axis = args.axis ?? -1;
    if (typeof axis !== 'number' || !Number.isInteger(axis)) throw new ConfigError(`${l}: axis must be an integer (the channel axis, e.g. -1), got ${fmtValue(axis)}`);
    this.axis = axis;
    this.momentum = finiteIn(l, 'momentum', args.momentum ?? 0.99, 0, 1, false);
    this.movingMeanInitializer = getInitializer(l, 'movingMeanInitializer', args.movingMeanInitializer, 'zeros');
    this.movingVarianceInitializer = getInitializer(l, 'movingVarianceInitializer', args.movingVarianceInitializer, 'ones');
  }

  protected resolveAxes(featureShape: number[]): { first: number; last: number } {
    const rank = featureShape.length + 1;
    const a = this.axis < 0 ? this.axis + rank : this.axis;
    if (rank < 2 || a < 1 || a >= rank) {
      throw new ShapeError(`${this.name}: axis ${this.axis} is out of range for an input of shape [batch,${featureShape.join(',')}] (allowed: 1…${rank - 1} or -1…-${rank - 1}; axis 0 is the batch)`);
    }
    return { first: a, last: a };
  }

  // ---- build ----
  protected override buildWeights(inputShapes: number[][]): void {
    this.setView(inputShapes[0]);
    const shape = [this.n];
    const rng = new Random(this.seed);
    const ws = this.makeGammaBeta(shape, rng);
    for (const [name, init] of [['moving_mean', this.movingMeanInitializer], ['moving_variance', this.movingVarianceInitializer]] as const) {
      // Non-trainable state: the target is never used (no regularizer), no constraint.
      const w = this.makeWeight(name, name === 'moving_mean' ? 'beta' : 'gamma', shape, init, null, rng, null);
      w.trainable = false;
      ws.push(w);
    }
    this.weights = ws;
  }

  private get movingMean(): LayerWeight { return this.weights[this.weights.length - 2]; }
  private get movingVariance(): LayerWeight { return this.weights[this.weights.length - 1]; }

  // ---- forward ----
  forward(inputs: Tensor[], training: boolean): ForwardResult {
    this.ensureBuilt(inputs);
    oneInput(this.name, inputs.length);
    const x = inputs[0];
    this.checkInput(x);
    const n = this.n, inner = this.inner, outer = x.shape[0] * this.before;
    let mean: Float32Array, variance: Float32Array;
    if (training) {
      mean = new Float32Array(n);
      variance = new Float32Array(n);
      batchNormMoments(x.data, outer, n, inner, mean, variance);
    } else {
      mean = this.movingMean.value.data.slice();
      variance = this.movingVariance.value.data.slice();
    }
    const y = new Float32Array(x.size);
    batchNormForward(x.data, outer, n, inner, mean, variance, this.gamma?.value.data ?? null, this.beta?.value.data ?? null, this.epsilon, y);
    if (training && outer * inner > 0) {
      movingAverageUpdate(this.movingMean.value.data, mean, this.momentum, n);
      movingAverageUpdate(this.movingVariance.value.data, variance, this.momentum, n);
    }
    const ctx: BatchNormCtx = { x, outer, mean, variance, batchStats: training };
    return { y: new Tensor(y, x.shape), ctx };
  }

  // ---- backward ----
  backward(ctx: unknown, dy: Tensor, needDx = true): Tensor[] {
    const c = ctx as BatchNormCtx;
    const dx = needDx ? new Float32Array(c.x.size) : null;
    batchNormBackward(dy.data, c.x.data, c.outer, this.n, this.inner, c.mean, c.variance, this.gamma?.value.data ?? null,
      this.epsilon, c.batchStats, dx, this.gamma?.grad ?? null, this.beta?.grad ?? null);
    return dx === null ? [] : [new Tensor(dx, c.x.shape)];
  }

  // ---- config ----
  override getConfig(): Record<string, unknown> {
    return {
      name: this.name,
      trainable: true,
      axis: this.axis,
      momentum: this.momentum,
      movingMeanInitializer: this.movingMeanInitializer.getConfig(),
      movingVarianceInitializer: this.movingVarianceInitializer.getConfig(),
      ...this.normConfig(),
    };
  }
}

// ------------------------------------------------------------------------------------------------

export interface LayerNormalizationArgs extends NormArgs {
  /** The normalized axis or adjacent axes (counting the batch as axis 0; negative from the end). Default −1. */
  axis?: number | number[];
}

const LN_OPTIONS = ['axis', ...NORM_OPTIONS] as const;

interface LayerNormCtx {
  x: Tensor;
  outer: number;
  mean: Float32Array;
  invStd: Float32Array;
}

export class LayerNormalization extends NormLayer {
  readonly className = 'LayerNormalization';
  readonly axis: number | number[];

  constructor(args: LayerNormalizationArgs = {}) {
    checkOptionNames('layerNormalization', args, LN_OPTIONS);
    super('layer_normalization', args);
    const axis = args.axis ?? -1;
    const list = typeof axis === 'number' ? [axis] : axis;
    if (!Array.isArray(list) || list.length === 0 || !list.every((a) => typeof a === 'number' && Number.isInteger(a))) {
      throw new ConfigError(`${this.name}: axis must be an integer or a non-empty array of integers, got ${fmtValue(axis)}`);
    }
    this.axis = typeof axis === 'number' ? axis : axis.slice();
  }

  protected resolveAxes(featureShape: number[]): { first: number; last: number } {
    const rank = featureShape.length + 1;
    const list = (typeof this.axis === 'number' ? [this.axis] : this.axis).map((a) => (a < 0 ? a + rank : a));
    const sorted = [...new Set(list)].sort((a, b) => a - b);
    const where = `for an input of shape [batch,${featureShape.join(',')}]`;
    if (sorted.length !== list.length) throw new ConfigError(`${this.name}: axis must not repeat, got ${fmtValue(this.axis)}`);
    if (sorted.some((a) => a < 1 || a >= rank)) {
      throw new ShapeError(`${this.name}: axis ${fmtValue(this.axis)} is out of range ${where} (allowed: 1…${rank - 1} or negative; axis 0 is the batch)`);
    }
    if (sorted[sorted.length - 1] - sorted[0] !== sorted.length - 1) {
      throw new ConfigError(`${this.name}: axis must be adjacent axes (e.g. [-2, -1]), got ${fmtValue(this.axis)} ${where}`);
    }
    return { first: sorted[0], last: sorted[sorted.length - 1] };
  }

  // ---- build ----
  protected override buildWeights(inputShapes: number[][]): void {
    const s = inputShapes[0];
    this.setView(s);
    const { first, last } = this.resolveAxes(s);
    this.weights = this.makeGammaBeta(s.slice(first - 1, last), new Random(this.seed));
  }

  // ---- forward ----
  forward(inputs: Tensor[], _training: boolean): ForwardResult {
    this.ensureBuilt(inputs);
    oneInput(this.name, inputs.length);
    const x = inputs[0];
    this.checkInput(x);
    const outer = x.shape[0] * this.before, rows = outer * this.inner;
    const y = new Float32Array(x.size), mean = new Float32Array(rows), invStd = new Float32Array(rows);
    layerNormForward(x.data, outer, this.n, this.inner, this.gamma?.value.data ?? null, this.beta?.value.data ?? null, this.epsilon, y, mean, invStd);
    const ctx: LayerNormCtx = { x, outer, mean, invStd };
    return { y: new Tensor(y, x.shape), ctx };
  }

  // ---- backward ----
  backward(ctx: unknown, dy: Tensor, needDx = true): Tensor[] {
    const c = ctx as LayerNormCtx;
    const dx = needDx ? new Float32Array(c.x.size) : null;
    layerNormBackward(dy.data, c.x.data, c.outer, this.n, this.inner, c.mean, c.invStd, this.gamma?.value.data ?? null,
      dx, this.gamma?.grad ?? null, this.beta?.grad ?? null);
    return dx === null ? [] : [new Tensor(dx, c.x.shape)];
  }

  // ---- config ----
  override getConfig(): Record<string, unknown> {
    return {
      name: this.name,
      trainable: true,
      axis: typeof this.axis === 'number' ? this.axis : this.axis.slice(),
      ...this.normConfig(),
    };
  }
}
