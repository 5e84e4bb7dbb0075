/**
 * Reshaping layers without weights (Keras 3 semantics). Shapes exclude nothing: [batch, …].
 *
 *   UpSampling1D   [b, s, c] → [b, s·size, c]            each step repeated `size` times
 *                  dX = the sum of dY over each step's repeats
 *   UpSampling2D   [b, h, w, c] → [b, h·sh, w·sw, c]     'nearest': rows and columns repeated;
 *                  'bilinear': TensorFlow's half-pixel resize (kernels/resample.ts), dX its adjoint
 *   ZeroPadding1D/2D  zeros [before, after] added on each spatial axis;   dX = the inner box of dY
 *   Cropping1D/2D     [before, after] removed from each spatial axis;     dX = dY placed in zeros
 *   Permute        y = transpose(x, [0, ...dims]) with `dims` 1-based over the feature axes (Keras)
 *                  dX = transpose(dY, inverse)
 *   RepeatVector   [b, f] → [b, n, f];                    dX = Σ over the n copies
 *
 * 2D layers take `dataFormat` ('channelsLast', the default, or 'channelsFirst' [b, c, h, w]).
 */
import { ConfigError, ShapeError, fmtShape, fmtValue } from '../errors';
import { MAX_ELEMENTS, Tensor, shapeSize } from '../tensor';
import { transpose } from '../ops/transform';
import { bilinear2d, bilinear2dBackward, copyBox, repeatAxis, sumRepeats } from '../../kernels/resample';
import { ForwardResult, Layer, checkOptionNames, positiveInt, positiveIntTuple } from './layer';
import type { DataFormat } from './noise';

function oneInput(layer: string, n: number): void {
  if (n !== 1) throw new ShapeError(`${layer}: expects exactly 1 input, got ${n}`);
}

function dataFormatOption(layer: string, v: unknown): DataFormat {
  const df = v ?? 'channelsLast';
  if (df !== 'channelsLast' && df !== 'channelsFirst') {
    throw new ConfigError(`${layer}: dataFormat must be 'channelsLast' or 'channelsFirst', got ${fmtValue(v)}`);
  }
  return df;
}

/** Checks the feature rank (batch excluded) of a spatial layer's single input. */
function checkSpatialRank(layer: string, s: number[], rank: number, df: DataFormat): void {
  if (s.length !== rank + 1) {
    const layout = rank === 1 ? '[batch, steps, channels]' : df === 'channelsLast' ? '[batch, height, width, channels]' : '[batch, channels, height, width]';
    throw new ShapeError(`${layer}: input must be rank ${rank + 2} ${layout}, got feature shape ${fmtShape(s)} (rank ${s.length + 1} with the batch)`);
  }
}

/** A ShapeError when an output of this shape (batch included or not) cannot be one Float32Array. */
function checkSize(layer: string, shape: readonly number[]): number[] {
  const size = shapeSize(shape);
  if (!(size <= MAX_ELEMENTS)) {
    throw new ShapeError(`${layer}: the output shape ${fmtShape(shape)} has ${size} elements, more than the ${MAX_ELEMENTS} a Float32Array tensor can hold`);
  }
  return shape.slice();
}

/** Full-shape axes (batch = 0) of the spatial dimensions. */
function spatialAxes(rank: number, df: DataFormat): number[] {
  return Array.from({ length: rank }, (_, i) => (df === 'channelsLast' ? 1 + i : 2 + i));
}

// ------------------------------------------------------------------------------------------------

export type Interpolation = 'nearest' | 'bilinear';

export interface UpSampling1DArgs { size?: number; inputShape?: number[]; name?: string }
export interface UpSampling2DArgs {
  size?: number | [number, number];
  interpolation?: Interpolation;
  dataFormat?: DataFormat;
  inputShape?: number[];
  name?: string;
}

interface UpCtx { xShape: readonly number[] }

/** Nearest (repeat) or bilinear up-sampling of 1 or 2 spatial axes. */
export class UpSampling extends Layer {
  readonly className: string;
  readonly size: number[];
  readonly interpolation: Interpolation;
  readonly dataFormat: DataFormat;

  constructor(readonly rank: 1 | 2, args: UpSampling1DArgs | UpSampling2DArgs = {}) {
    const fn = `upSampling${rank}d`;
    checkOptionNames(fn, args, rank === 1 ? ['size', 'inputShape', 'name'] : ['size', 'interpolation', 'dataFormat', 'inputShape', 'name']);
    super(`up_sampling${rank}d`, args);
    this.className = `UpSampling${rank}D`;
    const a = args as UpSampling2DArgs;
    this.size = rank === 1 ? [positiveInt(this.name, 'size', a.size ?? 2)] : positiveIntTuple(this.name, 'size', a.size ?? 2, 2);
    const interp = a.interpolation ?? 'nearest';
    if (interp !== 'nearest' && interp !== 'bilinear') {
      throw new ConfigError(`${this.name}: interpolation must be 'nearest' or 'bilinear', got ${fmtValue(a.interpolation)}`);
    }
    this.interpolation = interp;
    this.dataFormat = dataFormatOption(this.name, a.dataFormat);
  }

  computeOutputShape(inputShapes: number[][]): number[] {
    oneInput(this.name, inputShapes.length);
    const s = inputShapes[0];
    checkSpatialRank(this.name, s, this.rank, this.dataFormat);
    const out = s.slice();
    spatialAxes(this.rank, this.dataFormat).forEach((a, i) => { out[a - 1] *= this.size[i]; });
    return checkSize(this.name, out);
  }

  forward(inputs: Tensor[], _training: boolean): ForwardResult {
    this.ensureBuilt(inputs);
    oneInput(this.name, inputs.length);
    const x = inputs[0];
    const outShape = checkSize(this.name, [x.shape[0], ...this.computeOutputShape([x.shape.slice(1)])]);
    const ctx: UpCtx = { xShape: x.shape };
    if (this.interpolation === 'bilinear') return { y: this.bilinear(x, outShape, false), ctx };
    // Nearest: repeat one spatial axis after the other.
    let cur = x.data, shape = x.shape.slice();
    spatialAxes(this.rank, this.dataFormat).forEach((a, i) => {
      const r = this.size[i];
      const outer = shapeSize(shape.slice(0, a)), inner = shapeSize(shape.slice(a + 1));
      const next = new Float32Array(cur.length * r);
      repeatAxis(cur, outer, shape[a], inner, r, next);
      shape[a] *= r;
      cur = next;
    });
    return { y: new Tensor(cur, shape), ctx };
  }

  backward(ctx: unknown, dy: Tensor): Tensor[] {
    const { xShape } = ctx as UpCtx;
    if (this.interpolation === 'bilinear') return [this.bilinear(dy, xShape.slice(), true)];
    let cur = dy.data, shape = dy.shape.slice();
    const axes = spatialAxes(this.rank, this.dataFormat);
    for (let i = axes.length - 1; i >= 0; i--) {
      const a = axes[i], r = this.size[i];
      const n = shape[a] / r;
      const outer = shapeSize(shape.slice(0, a)), inner = shapeSize(shape.slice(a + 1));
      const next = new Float32Array(cur.length / r);
      sumRepeats(cur, outer, n, inner, r, next);
      shape[a] = n;
      cur = next;
    }
    return [new Tensor(cur, shape)];
  }

  /** Bilinear resize of `t` to `toShape` (forward), or its adjoint back to `toShape` (backward). */
  private bilinear(t: Tensor, toShape: number[], adjoint: boolean): Tensor {
    const cf = this.dataFormat === 'channelsFirst';
    const src = cf ? transpose(t, [0, 2, 3, 1]) : t;
    const [b, sh, sw, c] = src.shape;
    const [oh, ow] = cf ? [toShape[2], toShape[3]] : [toShape[1], toShape[2]];
    const out = new Float32Array(b * oh * ow * c);
    if (adjoint) bilinear2dBackward(src.data, b, oh, ow, c, sh, sw, out);
    else bilinear2d(src.data, b, sh, sw, c, oh, ow, out);
    const y = new Tensor(out, [b, oh, ow, c]);
    return cf ? transpose(y, [0, 3, 1, 2]) : y;
  }

  override getConfig(): Record<string, unknown> {
    if (this.rank === 1) return { name: this.name, trainable: true, size: this.size[0] };
    return { name: this.name, trainable: true, size: this.size.slice(), interpolation: this.interpolation, dataFormat: this.dataFormat };
  }
}

// ------------------------------------------------------------------------------------------------

export type Pair = [number, number];

export interface ZeroPadding1DArgs { padding?: number | Pair; inputShape?: number[]; name?: string }
export interface ZeroPadding2DArgs { padding?: number | Pair | [Pair, Pair]; dataFormat?: DataFormat; inputShape?: number[]; name?: string }
export interface Cropping1DArgs { cropping?: number | Pair; inputShape?: number[]; name?: string }
export interface Cropping2DArgs { cropping?: number | Pair | [Pair, Pair]; dataFormat?: DataFormat; inputShape?: number[]; name?: string }

const isNonNegInt = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 0;

/**
 * Keras' normalisation of `padding` / `cropping`: 1D: n → [n, n], [a, b]; 2D: n → [[n, n], [n, n]],
 * [a, b] → [[a, a], [b, b]] (symmetric per axis), [[t, b], [l, r]].
 */
function pairsOption(layer: string, arg: string, v: unknown, rank: 1 | 2): Pair[] {
  if (isNonNegInt(v)) return Array.from({ length: rank }, () => [v, v] as Pair);
  if (Array.isArray(v) && v.length === 2 && rank === 1 && v.every(isNonNegInt)) return [[v[0], v[1]]];
  if (Array.isArray(v) && v.length === 2 && rank === 2) {
    if (v.every(isNonNegInt)) return [[v[0], v[0]], [v[1], v[1]]];
    if (v.every((p) => Array.isArray(p) && p.length === 2 && p.every(isNonNegInt))) return [[v[0][0], v[0][1]], [v[1][0], v[1][1]]];
  }
  const want = rank === 1 ? 'an integer >= 0 or [before, after]' : 'an integer >= 0, [height, width] or [[top, bottom], [left, right]]';
  throw new ConfigError(`${layer}: ${arg} must be ${want} of integers >= 0, got ${fmtValue(v)}`);
}

interface BoxCtx { xShape: readonly number[] }

/** Zero padding or cropping of the 1 or 2 spatial axes. */
export class PadCrop extends Layer {
  readonly className: string;
  /** [before, after] per spatial axis. */
  readonly pairs: Pair[];
  readonly dataFormat: DataFormat;

  constructor(readonly mode: 'pad' | 'crop', readonly rank: 1 | 2, args: ZeroPadding1DArgs | ZeroPadding2DArgs | Cropping1DArgs | Cropping2DArgs = {}) {
    const arg = mode === 'pad' ? 'padding' : 'cropping';
    const fn = mode === 'pad' ? `zeroPadding${rank}d` : `cropping${rank}d`;
    checkOptionNames(fn, args, rank === 1 ? [arg, 'inputShape', 'name'] : [arg, 'dataFormat', 'inputShape', 'name']);
    super(mode === 'pad' ? `zero_padding${rank}d` : `cropping${rank}d`, args);
    this.className = mode === 'pad' ? `ZeroPadding${rank}D` : `Cropping${rank}D`;
    const raw = (args as Record<string, unknown>)[arg];
    const dflt = mode === 'pad' ? 1 : rank === 1 ? 1 : 0; // Keras: ZeroPadding 1 / (1, 1); Cropping1D (1, 1); Cropping2D ((0, 0), (0, 0))
    this.pairs = pairsOption(this.name, arg, raw ?? dflt, rank);
    this.dataFormat = dataFormatOption(this.name, (args as ZeroPadding2DArgs).dataFormat);
  }

  computeOutputShape(inputShapes: number[][]): number[] {
    oneInput(this.name, inputShapes.length);
    const s = inputShapes[0];
    checkSpatialRank(this.name, s, this.rank, this.dataFormat);
    const out = s.slice();
    spatialAxes(this.rank, this.dataFormat).forEach((a, i) => {
      const [lo, hi] = this.pairs[i];
      if (this.mode === 'pad') out[a - 1] += lo + hi;
      else {
        if (lo + hi >= s[a - 1]) {
          throw new ShapeError(`${this.name}: cropping ${fmtValue(this.pairs[i])} removes ${lo + hi} of the ${s[a - 1]} entries of spatial axis ${i} (feature shape ${fmtShape(s)}); at least one must remain`);
        }
        out[a - 1] -= lo + hi;
      }
    });
    return checkSize(this.name, out);
  }

  /** Corner of the box (x inside y for padding, y inside x for cropping), full shape. */
  private corner(fullRank: number): number[] {
    const begin = new Array<number>(fullRank).fill(0);
    spatialAxes(this.rank, this.dataFormat).forEach((a, i) => { begin[a] = this.pairs[i][0]; });
    return begin;
  }

  forward(inputs: Tensor[], _training: boolean): ForwardResult {
    this.ensureBuilt(inputs);
    oneInput(this.name, inputs.length);
    const x = inputs[0];
    const yShape = checkSize(this.name, [x.shape[0], ...this.computeOutputShape([x.shape.slice(1)])]);
    const y = new Float32Array(shapeSize(yShape));
    const zero = new Array<number>(x.rank).fill(0), c = this.corner(x.rank);
    if (this.mode === 'pad') copyBox(x.data, x.shape, zero, y, yShape, c, x.shape);
    else copyBox(x.data, x.shape, c, y, yShape, zero, yShape);
    const ctx: BoxCtx = { xShape: x.shape };
    return { y: new Tensor(y, yShape), ctx };
  }

  backward(ctx: unknown, dy: Tensor): Tensor[] {
    const { xShape } = ctx as BoxCtx;
    const dx = new Float32Array(shapeSize(xShape));
    const zero = new Array<number>(dy.rank).fill(0), c = this.corner(dy.rank);
    if (this.mode === 'pad') copyBox(dy.data, dy.shape, c, dx, xShape, zero, xShape);
    else copyBox(dy.data, dy.shape, zero, dx, xShape, c, dy.shape);
    return [new Tensor(dx, xShape)];
  }

  override getConfig(): Record<string, unknown> {
    const key = this.mode === 'pad' ? 'padding' : 'cropping';
    const value = this.rank === 1 ? this.pairs[0].slice() : this.pairs.map((p) => p.slice());
    const c: Record<string, unknown> = { name: this.name, trainable: true, [key]: value };
    if (this.rank === 2) c.dataFormat = this.dataFormat;
    return c;
  }
}

// ------------------------------------------------------------------------------------------------

export interface PermuteArgs { dims: number[]; inputShape?: number[]; name?: string }

/** Permutes the feature axes: `dims` is 1-based (the batch axis stays first), as Keras. */
export class Permute extends Layer {
  readonly className = 'Permute';
  readonly dims: number[];
  private readonly perm: number[];
  private readonly inverse: number[];

  constructor(args: PermuteArgs) {
    checkOptionNames('permute', args, ['dims', 'inputShape', 'name']);
    super('permute', args);
    const d = args?.dims;
    const n = Array.isArray(d) ? d.length : 0;
    const ok = Array.isArray(d) && n > 0 && d.every((v) => Number.isInteger(v) && v >= 1 && v <= n) && new Set(d).size === n;
    if (!ok) throw new ConfigError(`${this.name}: dims must be a permutation of 1 … ${n || 'rank'} (1-based feature axes, batch excluded), got ${fmtValue(d)}`);
    this.dims = d.slice();
    this.perm = [0, ...d];
    this.inverse = new Array<number>(n + 1);
    this.perm.forEach((p, i) => { this.inverse[p] = i; });
  }

  computeOutputShape(inputShapes: number[][]): number[] {
    oneInput(this.name, inputShapes.length);
    const s = inputShapes[0];
    if (s.length !== this.dims.length) {
      throw new ShapeError(`${this.name}: dims ${fmtValue(this.dims)} permutes ${this.dims.length} feature axes but the input has feature shape ${fmtShape(s)}`);
    }
    return this.dims.map((d) => s[d - 1]);
  }

  forward(inputs: Tensor[], _training: boolean): ForwardResult {
    this.ensureBuilt(inputs);
    oneInput(this.name, inputs.length);
    this.computeOutputShape([inputs[0].shape.slice(1)]);
    return { y: transpose(inputs[0], this.perm), ctx: null };
  }

  backward(_ctx: unknown, dy: Tensor): Tensor[] {
    return [transpose(dy, this.inverse)];
  }

  override getConfig(): Record<string, unknown> {
    return { name: this.name, trainable: true, dims: this.dims.slice() };
  }
}

// ------------------------------------------------------------------------------------------------

export interface RepeatVectorArgs { n: number; inputShape?: number[]; name?: string }

/** [batch, features] → [batch, n, features]. */
export class RepeatVector extends Layer {
  readonly className = 'RepeatVector';
  readonly n: number;

  constructor(args: RepeatVectorArgs) {
    checkOptionNames('repeatVector', args, ['n', 'inputShape', 'name']);
    super('repeat_vector', args);
    this.n = positiveInt(this.name, 'n', args?.n);
  }

  computeOutputShape(inputShapes: number[][]): number[] {
    oneInput(this.name, inputShapes.length);
    const s = inputShapes[0];
    if (s.length !== 1) throw new ShapeError(`${this.name}: input must be rank 2 [batch, features], got feature shape ${fmtShape(s)} (rank ${s.length + 1} with the batch)`);
    return checkSize(this.name, [this.n, s[0]]);
  }

  forward(inputs: Tensor[], _training: boolean): ForwardResult {
    this.ensureBuilt(inputs);
    oneInput(this.name, inputs.length);
    const x = inputs[0];
    this.computeOutputShape([x.shape.slice(1)]);
    const [b, f] = x.shape;
    checkSize(this.name, [b, this.n, f]);
    const y = new Float32Array(b * this.n * f);
    repeatAxis(x.data, b, 1, f, this.n, y);
    return { y: new Tensor(y, [b, this.n, f]), ctx: null };
  }

  backward(_ctx: unknown, dy: Tensor): Tensor[] {
    const [b, , f] = dy.shape;
    const dx = new Float32Array(b * f);
    sumRepeats(dy.data, b, 1, f, this.n, dx);
    return [new Tensor(dx, [b, f])];
  }

  override getConfig(): Record<string, unknown> {
    return { name: this.name, trainable: true, n: this.n };
  }
}
