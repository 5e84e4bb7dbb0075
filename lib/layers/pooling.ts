/**
 * Pooling layers: MaxPooling1D/2D/3D, AveragePooling1D/2D/3D (one class), and global pooling
 * GlobalAveragePooling1D/2D/3D, GlobalMaxPooling1D/2D/3D (one class). No weights.
 *
 *   x [batch, ...spatial, C] → y [batch, ...outSpatial, C]      (windowed; outSpatial as conv with d = 1)
 *     max:  y = max over the window                dX: dY routed to the window's first maximum
 *     avg:  y = mean over the window's positions   dX: dY / count spread over the window
 *           ('same' padding: only positions inside the input count, as TensorFlow)
 *   x [batch, ...spatial, C] → y [batch, C]                     (global)
 *
 * poolSize defaults to 2 per axis (Keras), strides to poolSize, padding to 'valid'.
 */
import { ConfigError, RidgeError, ShapeError, fmtShape, fmtValue } from '../errors';
import { Tensor } from '../tensor';
import {
  PoolOptions, avgPool1d, avgPool1dBackprop, avgPool2d, avgPool2dBackprop, avgPool3d, avgPool3dBackprop,
  globalAvgPool, globalAvgPoolBackprop, globalMaxPool, globalMaxPoolBackprop, maxPool1d, maxPool1dBackprop,
  maxPool2d, maxPool2dBackprop, maxPool3d, maxPool3dBackprop, poolOutputShape,
} from '../ops/pool';
import { ForwardResult, Layer, checkOptionNames, positiveIntTuple } from './layer';

type Rank = 1 | 2 | 3;
export type PoolKind = 'max' | 'avg';

export interface PoolingArgs {
  poolSize?: number | number[];
  strides?: number | number[] | null;
  padding?: 'valid' | 'same';
  inputShape?: number[];
  name?: string;
}

export interface GlobalPoolingArgs {
  inputShape?: number[];
  name?: string;
}

const LAYOUT: Record<Rank, string> = {
  1: '[batch, width, channels]',
  2: '[batch, height, width, channels]',
  3: '[batch, depth, height, width, channels]',
};

const POOL_OPS = {
  max: {
    1: { fwd: maxPool1d, bp: maxPool1dBackprop },
    2: { fwd: maxPool2d, bp: maxPool2dBackprop },
    3: { fwd: maxPool3d, bp: maxPool3dBackprop },
  },
  avg: {
    1: { fwd: avgPool1d, bp: avgPool1dBackprop },
    2: { fwd: avgPool2d, bp: avgPool2dBackprop },
    3: { fwd: avgPool3d, bp: avgPool3dBackprop },
  },
} as const;

function asLayerError(layer: string, e: unknown): never {
  if (e instanceof RidgeError) {
    const Ctor = e.constructor as new (m: string) => RidgeError;
    throw new Ctor(`${layer}: ${e.message}`);
  }
  throw e;
}

function checkRank(layer: string, s: number[], rank: Rank, inputs: number): void {
  if (inputs !== 1) throw new ShapeError(`${layer}: expects exactly 1 input, got ${inputs}`);
  if (s.length !== rank + 1) {
    throw new ShapeError(`${layer}: input must be rank ${rank + 2} ${LAYOUT[rank]}, got feature shape ${fmtShape(s)} (batch excluded)`);
  }
}

/** Max context keeps x (the argmax is recomputed in backward); average keeps only x's shape. */
interface PoolCtx { x: Tensor | null; xShape: readonly number[] }

export class Pooling extends Layer {
  readonly className: string;
  readonly rank: Rank;
  readonly kind: PoolKind;
  readonly poolSize: number[];
  readonly strides: number[];
  readonly padding: 'valid' | 'same';
  private readonly opts: PoolOptions;

  constructor(kind: PoolKind, rank: Rank, args: PoolingArgs = {}) {
    const prefix = `${kind === 'max' ? 'max' : 'average'}_pooling${rank}d`;
    checkOptionNames(prefix, args, ['poolSize', 'strides', 'padding', 'inputShape', 'name']);
    super(prefix, args);
    this.kind = kind;
    this.rank = rank;
    this.className = `${kind === 'max' ? 'Max' : 'Average'}Pooling${rank}D`;
    const n = this.name;
    this.poolSize = positiveIntTuple(n, 'poolSize', args.poolSize ?? 2, rank);
    this.strides = args.strides === undefined || args.strides === null
      ? this.poolSize.slice() : positiveIntTuple(n, 'strides', args.strides, rank);
    const padding = args.padding ?? 'valid';
    if (padding !== 'valid' && padding !== 'same') {
      throw new ConfigError(`${n}: padding must be 'valid' or 'same', got ${fmtValue(padding)}`);
    }
    this.padding = padding;
    this.opts = { poolSize: this.poolSize, strides: this.strides, padding: this.padding };
  }

  computeOutputShape(inputShapes: number[][]): number[] {
    checkRank(this.name, inputShapes[0] ?? [], this.rank, inputShapes.length);
    try {
      return poolOutputShape([1, ...inputShapes[0]], this.opts).slice(1);
    } catch (e) {
      return asLayerError(this.name, e);
    }
  }

  forward(inputs: Tensor[], _training: boolean): ForwardResult {
    this.ensureBuilt(inputs);
    if (inputs.length !== 1) throw new ShapeError(`${this.name}: expects exactly 1 input, got ${inputs.length}`);
    const x = inputs[0];
    let y: Tensor;
    try {
      y = POOL_OPS[this.kind][this.rank].fwd(x, this.opts);
    } catch (e) {
      return asLayerError(this.name, e);
    }
    const ctx: PoolCtx = { x: this.kind === 'max' ? x : null, xShape: x.shape };
    return { y, ctx };
  }

  backward(ctx: unknown, dy: Tensor): Tensor[] {
    const c = ctx as PoolCtx;
    if (this.kind === 'max') return [POOL_OPS.max[this.rank].bp(dy, c.x!, this.opts)];
    return [POOL_OPS.avg[this.rank].bp(dy, c.xShape as number[], this.opts)];
  }

  override getConfig(): Record<string, unknown> {
    const one = (v: number[]): number | number[] => (this.rank === 1 ? v[0] : v.slice());
    return { name: this.name, trainable: true, poolSize: one(this.poolSize), strides: one(this.strides), padding: this.padding };
  }
}

export class GlobalPooling extends Layer {
  readonly className: string;
  readonly rank: Rank;
  readonly kind: PoolKind;

  constructor(kind: PoolKind, rank: Rank, args: GlobalPoolingArgs = {}) {
    const prefix = `global_${kind === 'max' ? 'max' : 'average'}_pooling${rank}d`;
    checkOptionNames(prefix, args, ['inputShape', 'name']);
    super(prefix, args);
    this.kind = kind;
    this.rank = rank;
    this.className = `Global${kind === 'max' ? 'Max' : 'Average'}Pooling${rank}D`;
  }

  computeOutputShape(inputShapes: number[][]): number[] {
    const s = inputShapes[0] ?? [];
    checkRank(this.name, s, this.rank, inputShapes.length);
    if (s.slice(0, -1).some((d) => d < 1)) throw new ShapeError(`${this.name}: every spatial size must be >= 1, got feature shape ${fmtShape(s)}`);
    return [s[this.rank]];
  }

  forward(inputs: Tensor[], _training: boolean): ForwardResult {
    this.ensureBuilt(inputs);
    if (inputs.length !== 1) throw new ShapeError(`${this.name}: expects exactly 1 input, got ${inputs.length}`);
    const x = inputs[0];
    if (x.rank !== this.rank + 2) {
      throw new ShapeError(`${this.name}: input must be rank ${this.rank + 2} ${LAYOUT[this.rank]}, got shape ${fmtShape(x.shape)}`);
    }
    const y = this.kind === 'max' ? globalMaxPool(x) : globalAvgPool(x);
    const ctx: PoolCtx = { x: this.kind === 'max' ? x : null, xShape: x.shape };
    return { y, ctx };
  }

  backward(ctx: unknown, dy: Tensor): Tensor[] {
    const c = ctx as PoolCtx;
    return [this.kind === 'max' ? globalMaxPoolBackprop(dy, c.x!) : globalAvgPoolBackprop(dy, c.xShape as number[])];
  }

  override getConfig(): Record<string, unknown> {
    return { name: this.name, trainable: true };
  }
}
