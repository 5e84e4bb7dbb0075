/**
 * Noise and regularization layers without weights (Keras 3 semantics; active only when training,
 * identities in inference, seeded so the same seed gives the same noise).
 *
 *   GaussianNoise          training: y = x + ε,  ε ~ N(0, stddev²)             dX = dY
 *   GaussianDropout        training: y = x ⊙ m,  m ~ N(1, rate / (1 − rate))   dX = dY ⊙ m
 *   SpatialDropout1D/2D/3D training: y = x ⊙ m,  m[b, c] = 1/(1 − rate) with probability 1 − rate,
 *                          else 0, ONE draw per (sample, channel), broadcast over the spatial axes
 *                          (Keras' noise_shape (batch, 1, …, channels))            dX = dY ⊙ m
 *   ActivityRegularization y = x; its activity penalty l1·Σ|y| + l2·Σy² is divided by the batch
 *                          size like every activity penalty (lib/training/penalties.ts)
 */
import { ConfigError, ShapeError, fmtShape, fmtValue } from '../errors';
import { Random } from '../random';
import { Tensor } from '../tensor';
import { l1l2 } from '../regularizers';
import { mulInto } from '../../kernels/activations';
import { addNoise, mulChannelMask } from '../../kernels/resample';
import { ForwardResult, Layer, checkOptionNames, seedOption } from './layer';

function oneInput(layer: string, n: number): void {
  if (n !== 1) throw new ShapeError(`${layer}: expects exactly 1 input, got ${n}`);
}

function unitInterval(layer: string, arg: string, v: unknown, closedAtOne: boolean): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || (closedAtOne ? v > 1 : v >= 1)) {
    throw new ConfigError(`${layer}: ${arg} must be a number in [0, 1${closedAtOne ? ']' : ')'}, got ${fmtValue(v)}`);
  }
  return v;
}

interface MaskCtx { mask: Float32Array | null }

// ------------------------------------------------------------------------------------------------

export interface GaussianNoiseArgs { stddev: number; seed?: number; inputShape?: number[]; name?: string }

/** Additive zero-centred Gaussian noise while training (Keras GaussianNoise). */
export class GaussianNoise extends Layer {
  readonly className = 'GaussianNoise';
  readonly stddev: number;
  readonly seed: number | undefined;
  private readonly rng: Random;

  constructor(args: GaussianNoiseArgs) {
    checkOptionNames('gaussianNoise', args, ['stddev', 'seed', 'inputShape', 'name']);
    super('gaussian_noise', args);
    this.stddev = unitInterval(this.name, 'stddev', args.stddev, true);
    this.seed = seedOption(this.name, args.seed ?? undefined);
    this.rng = new Random(this.seed);
  }

  computeOutputShape(inputShapes: number[][]): number[] {
    oneInput(this.name, inputShapes.length);
    return inputShapes[0].slice();
  }

  forward(inputs: Tensor[], training: boolean): ForwardResult {
    this.ensureBuilt(inputs);
    oneInput(this.name, inputs.length);
    const x = inputs[0];
    if (!training || this.stddev === 0) return { y: x, ctx: null };
    const noise = new Float32Array(x.size);
    for (let i = 0; i < noise.length; i++) noise[i] = this.stddev * this.rng.normal();
    const y = new Float32Array(x.size);
    addNoise(x.data, noise, y, x.size);
    return { y: new Tensor(y, x.shape), ctx: null };
  }

  backward(_ctx: unknown, dy: Tensor): Tensor[] {
    return [dy];
  }

  override getConfig(): Record<string, unknown> {
    return { name: this.name, trainable: true, stddev: this.stddev, seed: this.seed ?? null };
  }
}

// ------------------------------------------------------------------------------------------------

export interface GaussianDropoutArgs { rate: number; seed?: number; inputShape?: number[]; name?: string }

/** Multiplicative 1-centred Gaussian noise with stddev √(rate / (1 − rate)) while training. */
export class GaussianDropout extends Layer {
  readonly className = 'GaussianDropout';
  readonly rate: number;
  readonly seed: number | undefined;
  private readonly rng: Random;

  constructor(args: GaussianDropoutArgs) {
    checkOptionNames('gaussianDropout', args, ['rate', 'seed', 'inputShape', 'name']);
    super('gaussian_dropout', args);
    this.rate = unitInterval(this.name, 'rate', args.rate, false);
    this.seed = seedOption(this.name, args.seed ?? undefined);
    this.rng = new Random(this.seed);
  }

  computeOutputShape(inputShapes: number[][]): number[] {
    oneInput(this.name, inputShapes.length);
    return inputShapes[0].slice();
  }

  forward(inputs: Tensor[], training: boolean): ForwardResult {
    this.ensureBuilt(inputs);
    oneInput(this.name, inputs.length);
    const x = inputs[0];
    if (!training || this.rate === 0) return { y: x, ctx: { mask: null } as MaskCtx };
    const stddev = Math.sqrt(this.rate / (1 - this.rate));
    const mask = new Float32Array(x.size);
    for (let i = 0; i < mask.length; i++) mask[i] = 1 + stddev * this.rng.normal();
    const y = new Float32Array(x.size);
    mulInto(x.data, mask, y, x.size);
    return { y: new Tensor(y, x.shape), ctx: { mask } as MaskCtx };
  }

  backward(ctx: unknown, dy: Tensor): Tensor[] {
    const { mask } = ctx as MaskCtx;
    if (mask === null) return [dy];
    const dx = new Float32Array(dy.size);
    mulInto(dy.data, mask, dx, dy.size);
    return [new Tensor(dx, dy.shape)];
  }

  override getConfig(): Record<string, unknown> {
    return { name: this.name, trainable: true, rate: this.rate, seed: this.seed ?? null };
  }
}

// ------------------------------------------------------------------------------------------------

export type DataFormat = 'channelsLast' | 'channelsFirst';

export interface SpatialDropoutArgs {
  rate: number;
  seed?: number;
  /** 2D/3D only (Keras): 'channelsLast' (default) or 'channelsFirst'. */
  dataFormat?: DataFormat;
  inputShape?: number[];
  name?: string;
}

interface SpatialCtx { mask: Float32Array | null; outer: number; spatial: number; channels: number }

/** Drops whole feature maps: one Bernoulli draw per (sample, channel) (Keras SpatialDropout1D/2D/3D). */
export class SpatialDropout extends Layer {
  readonly className: string;
  readonly rate: number;
  readonly seed: number | undefined;
  readonly dataFormat: DataFormat;
  private readonly rng: Random;

  constructor(readonly rank: 1 | 2 | 3, args: SpatialDropoutArgs) {
    const fn = `spatialDropout${rank}d`;
    checkOptionNames(fn, args, rank === 1 ? ['rate', 'seed', 'inputShape', 'name'] : ['rate', 'seed', 'dataFormat', 'inputShape', 'name']);
    super(`spatial_dropout${rank}d`, args);
    this.className = `SpatialDropout${rank}D`;
    this.rate = unitInterval(this.name, 'rate', args.rate, false);
    this.seed = seedOption(this.name, args.seed ?? undefined);
    const df = args.dataFormat ?? 'channelsLast';
    if (df !== 'channelsLast' && df !== 'channelsFirst') {
      throw new ConfigError(`${this.name}: dataFormat must be 'channelsLast' or 'channelsFirst', got ${fmtValue(df)}`);
    }
    this.dataFormat = df;
    this.rng = new Random(this.seed);
  }

  computeOutputShape(inputShapes: number[][]): number[] {
    oneInput(this.name, inputShapes.length);
    const s = inputShapes[0];
    if (s.length !== this.rank + 1) {
      throw new ShapeError(`${this.name}: input must be rank ${this.rank + 2} [batch, ${this.rank === 1 ? 'steps' : '...spatial'}, channels], got feature shape ${fmtShape(s)} (rank ${s.length + 1} with the batch)`);
    }
    return s.slice();
  }

  forward(inputs: Tensor[], training: boolean): ForwardResult {
    this.ensureBuilt(inputs);
    oneInput(this.name, inputs.length);
    const x = inputs[0];
    this.computeOutputShape([x.shape.slice(1)]);
    if (!training || this.rate === 0) return { y: x, ctx: { mask: null } as SpatialCtx };
    const batch = x.shape[0];
    const C = this.dataFormat === 'channelsLast' ? x.shape[x.rank - 1] : x.shape[1];
    const spatial = x.size / (batch * C);
    const mask = new Float32Array(batch * C);
    const scale = 1 / (1 - this.rate);
    for (let i = 0; i < mask.length; i++) mask[i] = this.rng.uniform() >= this.rate ? scale : 0;
    // channels-last: [batch, spatial, C]; channels-first: [batch·C, spatial, 1].
    const ctx: SpatialCtx = this.dataFormat === 'channelsLast'
      ? { mask, outer: batch, spatial, channels: C }
      : { mask, outer: batch * C, spatial, channels: 1 };
    const y = new Float32Array(x.size);
    mulChannelMask(x.data, mask, ctx.outer, ctx.spatial, ctx.channels, y);
    return { y: new Tensor(y, x.shape), ctx };
  }

  backward(ctx: unknown, dy: Tensor): Tensor[] {
    const c = ctx as SpatialCtx;
    if (c.mask === null) return [dy];
    const dx = new Float32Array(dy.size);
    mulChannelMask(dy.data, c.mask, c.outer, c.spatial, c.channels, dx);
    return [new Tensor(dx, dy.shape)];
  }

  override getConfig(): Record<string, unknown> {
    const c: Record<string, unknown> = { name: this.name, trainable: true, rate: this.rate, seed: this.seed ?? null };
    if (this.rank > 1) c.dataFormat = this.dataFormat;
    return c;
  }
}

// ------------------------------------------------------------------------------------------------

export interface ActivityRegularizationArgs { l1?: number; l2?: number; inputShape?: number[]; name?: string }

/**
 * Identity whose output carries an activity penalty l1·Σ|y| + l2·Σy² (Keras defaults 0, 0),
 * divided by the batch size through the penalty hook like any activityRegularizer.
 */
export class ActivityRegularization extends Layer {
  readonly className = 'ActivityRegularization';
  readonly l1: number;
  readonly l2: number;

  constructor(args: ActivityRegularizationArgs = {}) {
    checkOptionNames('activityRegularization', args, ['l1', 'l2', 'inputShape', 'name']);
    super('activity_regularization', args);
    for (const k of ['l1', 'l2'] as const) {
      const v = args[k];
      if (v !== undefined && (typeof v !== 'number' || !Number.isFinite(v) || v < 0)) {
        throw new ConfigError(`${this.name}: ${k} must be a finite number >= 0, got ${fmtValue(v)}`);
      }
    }
    this.l1 = args.l1 ?? 0;
    this.l2 = args.l2 ?? 0;
    this.activityRegularizer = l1l2({ l1: this.l1, l2: this.l2 });
  }

  computeOutputShape(inputShapes: number[][]): number[] {
    oneInput(this.name, inputShapes.length);
    return inputShapes[0].slice();
  }

  forward(inputs: Tensor[], _training: boolean): ForwardResult {
    this.ensureBuilt(inputs);
    oneInput(this.name, inputs.length);
    return { y: inputs[0], ctx: null };
  }

  backward(_ctx: unknown, dy: Tensor): Tensor[] {
    return [dy];
  }

  override getConfig(): Record<string, unknown> {
    return { name: this.name, trainable: true, l1: this.l1, l2: this.l2 };
  }
}
