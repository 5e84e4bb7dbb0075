/**
 * The rest of Keras' convolution family: DepthwiseConv2D, SeparableConv1D/2D and
 * Conv1DTranspose/Conv2DTranspose/Conv3DTranspose. Channels-last, Keras weight layouts and order.
 *
 *   DepthwiseConv2D   x [b, h, w, C]  depthwise_kernel [kh, kw, C, mult]  bias [C·mult]
 *                     z = depthwise(x) + b,  y = act(z)         output channel c·mult + m
 *   SeparableConv     depthwise_kernel [...k, C, mult]  pointwise_kernel [...1, C·mult, filters]  bias [filters]
 *                     u = depthwise(x; strides, padding, dilation),  z = conv1×1(u, P) + b,  y = act(z)
 *   ConvTranspose     kernel [...k, filters, C]  bias [filters]
 *                     z = convTranspose(x) + b,  y = act(z)     (lib/ops/conv-family.ts for the lengths)
 *
 *   backward  dZ = act'(dY);  db += Σ dZ;  then the ops' gradients:
 *     depthwise   dK += depthwiseBackpropFilter(x, dZ),  dX = depthwiseBackpropInput(dZ, K)
 *     separable   dP += convBackpropFilter(u, dZ),  dU = convBackpropInput(dZ, P),
 *                 dK += depthwiseBackpropFilter(x, dU),  dX = depthwiseBackpropInput(dU, K)
 *     transpose   dW += convTransposeBackpropFilter(x, dZ),  dX = convTransposeBackpropInput(dZ, W)
 *                 (a forward conv of dZ: kernels/conv-transpose.ts)
 *
 * Regularizers are declared on the weights (targets 'depthwise', 'pointwise', 'kernel', 'bias')
 * and on `activityRegularizer`; lib/training/penalties.ts adds their penalties and gradients.
 * Constraints (depthwiseConstraint, pointwiseConstraint, kernelConstraint, biasConstraint) run
 * after each optimizer step (lib/constraints.ts).
 */
import { ConfigError, RidgeError, ShapeError, fmtShape, fmtValue } from '../errors';
import { Tensor } from '../tensor';
import { Random } from '../random';
import { ActivationName, activationBackward, activationForward, getActivation } from '../activations';
import { getRegularizer, Regularizer, RegularizerIdentifier } from '../regularizers';
import { getInitializer, Initializer } from '../initializers';
import { Constraint, ConstraintIdentifier, constraintConfig, getConstraint } from '../constraints';
import {
  conv1d, conv1dBackpropFilter, conv1dBackpropInput, conv2d, conv2dBackpropFilter, conv2dBackpropInput, convBiasGradient,
} from '../ops/conv';
import {
  convTransposeBackpropFilterOp, convTransposeBackpropInputOp, convTransposeOutputShape, conv1dTranspose, conv2dTranspose,
  conv3dTranspose, depthwiseConv, depthwiseConvBackpropFilter, depthwiseConvBackpropInput, depthwiseOutputShape,
} from '../ops/conv-family';
import {
  ForwardResult, Layer, LayerWeight, accumulateGrad, boolOption, checkOptionNames, positiveInt, positiveIntTuple,
  regularizerConfig, seedOption,
} from './layer';
import { InitializerIdentifier, KernelLayer, KernelLayerArgs, KERNEL_LAYER_OPTIONS } from './kernel-layer';

type Rank = 1 | 2 | 3;

const LAYOUT: Record<Rank, string> = {
  1: '[batch, width, channels]',
  2: '[batch, height, width, channels]',
  3: '[batch, depth, height, width, channels]',
};

/** Re-throws an op's error with the layer's name in front (the op already named the argument). */
function asLayerError(layer: string, e: unknown): never {
  if (e instanceof RidgeError) {
    const Ctor = e.constructor as new (m: string) => RidgeError;
    throw new Ctor(`${layer}: ${e.message}`);
  }
  throw e;
}

function oneInput(layer: string, n: number): void {
  if (n !== 1) throw new ShapeError(`${layer}: expects exactly 1 input, got ${n}`);
}

interface Window { kernelSize: number[]; strides: number[]; padding: 'valid' | 'same'; dilationRate: number[] }

/** kernelSize (required), strides, padding ('valid' | 'same'), dilationRate, validated for `rank`. */
function windowOptions(layer: string, rank: Rank, a: { kernelSize?: unknown; strides?: unknown; padding?: unknown; dilationRate?: unknown }): Window {
  if (a.kernelSize === undefined) throw new ConfigError(`${layer}: kernelSize is required (a positive integer or an array of ${rank}), got undefined`);
  const kernelSize = positiveIntTuple(layer, 'kernelSize', a.kernelSize, rank);
  const strides = positiveIntTuple(layer, 'strides', a.strides ?? 1, rank);
  const dilationRate = positiveIntTuple(layer, 'dilationRate', a.dilationRate ?? 1, rank);
  const padding = a.padding ?? 'valid';
  if (padding !== 'valid' && padding !== 'same') {
    throw new ConfigError(`${layer}: padding must be 'valid' or 'same', got ${fmtValue(padding)}`);
  }
  if (strides.some((s) => s > 1) && dilationRate.some((d) => d > 1)) {
    throw new ConfigError(`${layer}: strides > 1 together with dilationRate > 1 is not supported, got strides ${fmtShape(strides)} and dilationRate ${fmtShape(dilationRate)}`);
  }
  return { kernelSize, strides, padding, dilationRate };
}

function checkRank(layer: string, rank: Rank, s: number[]): void {
  if (s.length !== rank + 1) throw new ShapeError(`${layer}: input must be rank ${rank + 2} ${LAYOUT[rank]}, got feature shape ${fmtShape(s)} (batch excluded)`);
}

// ------------------------------------------------------------------------------------------------
// Depthwise and separable: what they share

interface DepthwiseBaseArgs {
  kernelSize: number | number[];
  strides?: number | number[];
  padding?: 'valid' | 'same';
  dilationRate?: number | number[];
  depthMultiplier?: number;
  activation?: ActivationName | null;
  useBias?: boolean;
  depthwiseInitializer?: InitializerIdentifier;
  biasInitializer?: InitializerIdentifier;
  depthwiseRegularizer?: RegularizerIdentifier | null;
  biasRegularizer?: RegularizerIdentifier | null;
  activityRegularizer?: RegularizerIdentifier | null;
  depthwiseConstraint?: ConstraintIdentifier | null;
  biasConstraint?: ConstraintIdentifier | null;
  inputShape?: number[];
  name?: string;
  seed?: number;
}

const DEPTHWISE_BASE_OPTIONS = ['kernelSize', 'strides', 'padding', 'dilationRate', 'depthMultiplier', 'activation', 'useBias',
  'depthwiseInitializer', 'biasInitializer', 'depthwiseRegularizer', 'biasRegularizer', 'activityRegularizer',
  'depthwiseConstraint', 'biasConstraint', 'inputShape', 'name', 'seed'] as const;

interface DepthwiseCtx {
  x: Tensor;
  /** The depthwise output (separable only: the pointwise conv's input). */
  u: Tensor | null;
  /** Output after activation (for its derivative); null for linear. */
  y: Tensor | null;
}

abstract class DepthwiseBase extends Layer {
  readonly rank: Rank;
  readonly kernelSize: number[];
  readonly strides: number[];
  readonly padding: 'valid' | 'same';
  readonly dilationRate: number[];
  readonly depthMultiplier: number;
  readonly activation: ActivationName;
  readonly useBias: boolean;
  readonly depthwiseInitializer: Initializer;
  readonly biasInitializer: Initializer;
  readonly depthwiseRegularizer: Regularizer | null;
  readonly biasRegularizer: Regularizer | null;
  readonly depthwiseConstraint: Constraint | null;
  readonly biasConstraint: Constraint | null;
  readonly seed: number | undefined;
  protected readonly opts: { strides: number[]; padding: 'valid' | 'same'; dilationRate: number[] };

  constructor(prefix: string, rank: Rank, args: DepthwiseBaseArgs) {
    super(prefix, args);
    const l = this.name;
    this.rank = rank;
    const w = windowOptions(l, rank, args);
    this.kernelSize = w.kernelSize; this.strides = w.strides; this.padding = w.padding; this.dilationRate = w.dilationRate;
    this.depthMultiplier = positiveInt(l, 'depthMultiplier', args.depthMultiplier ?? 1);
    this.activation = getActivation(l, args.activation);
    this.useBias = boolOption(l, 'useBias', args.useBias, true);
    this.depthwiseInitializer = getInitializer(l, 'depthwiseInitializer', args.depthwiseInitializer, 'glorotUniform');
    this.biasInitializer = getInitializer(l, 'biasInitializer', args.biasInitializer, 'zeros');
    this.depthwiseRegularizer = getRegularizer(l, 'depthwiseRegularizer', args.depthwiseRegularizer);
    this.biasRegularizer = getRegularizer(l, 'biasRegularizer', args.biasRegularizer);
    this.activityRegularizer = getRegularizer(l, 'activityRegularizer', args.activityRegularizer);
    this.depthwiseConstraint = getConstraint(l, 'depthwiseConstraint', args.depthwiseConstraint);
    this.biasConstraint = getConstraint(l, 'biasConstraint', args.biasConstraint);
    this.seed = seedOption(l, args.seed);
    this.opts = { strides: this.strides, padding: this.padding, dilationRate: this.dilationRate };
  }

  protected inChannels(s: number[]): number {
    return this.built ? this.weights[0].value.shape[this.rank] : s[this.rank];
  }

  protected depthwiseShape(inC: number): number[] {
    return [...this.kernelSize, inC, this.depthMultiplier];
  }

  /** Feature shape (no batch) of the depthwise output. */
  protected depthwiseOut(s: number[]): number[] {
    checkRank(this.name, this.rank, s);
    const inC = this.inChannels(s);
    if (s[this.rank] !== inC) throw new ShapeError(`${this.name}: input must have ${inC} channels, got feature shape ${fmtShape(s)}`);
    try {
      return depthwiseOutputShape(this.rank, [1, ...s], this.depthwiseShape(inC), this.opts).slice(1);
    } catch (e) {
      return asLayerError(this.name, e);
    }
  }

  protected makeDepthwise(inC: number, rng: Random): LayerWeight {
    return this.makeWeight('depthwise_kernel', 'depthwise', this.depthwiseShape(inC), this.depthwiseInitializer, this.depthwiseRegularizer, rng, this.depthwiseConstraint);
  }

  protected makeBias(units: number, rng: Random): LayerWeight {
    return this.makeWeight('bias', 'bias', [units], this.biasInitializer, this.biasRegularizer, rng, this.biasConstraint);
  }

  protected get biasWeight(): LayerWeight | null {
    return this.useBias ? this.weights[this.weights.length - 1] : null;
  }

  protected depthwiseForward(x: Tensor, bias: Tensor | undefined): Tensor {
    try {
      return depthwiseConv(this.rank, x, this.weights[0].value, { ...this.opts, bias });
    } catch (e) {
      return asLayerError(this.name, e);
    }
  }

  /** dK += depthwiseBackpropFilter(x, dU); returns dX (or nothing when not needed). */
  protected depthwiseBackward(x: Tensor, du: Tensor, needDx: boolean): Tensor[] {
    const k = this.weights[0];
    accumulateGrad(k, depthwiseConvBackpropFilter(this.rank, x, du, k.value.shape as number[], this.opts));
    if (!needDx) return [];
    return [depthwiseConvBackpropInput(this.rank, du, k.value, x.shape as number[], this.opts)];
  }

  protected baseConfig(): Record<string, unknown> {
    const one = (v: number[]): number | number[] => (this.rank === 1 ? v[0] : v.slice());
    return {
      name: this.name,
      trainable: true,
      kernelSize: one(this.kernelSize),
      strides: one(this.strides),
      padding: this.padding,
      dilationRate: one(this.dilationRate),
      depthMultiplier: this.depthMultiplier,
      activation: this.activation,
      useBias: this.useBias,
      depthwiseInitializer: this.depthwiseInitializer.getConfig(),
      biasInitializer: this.biasInitializer.getConfig(),
      depthwiseRegularizer: regularizerConfig(this.depthwiseRegularizer),
      biasRegularizer: regularizerConfig(this.biasRegularizer),
      activityRegularizer: regularizerConfig(this.activityRegularizer),
      depthwiseConstraint: constraintConfig(this.depthwiseConstraint),
      biasConstraint: constraintConfig(this.biasConstraint),
    };
  }
}

// ------------------------------------------------------------------------------------------------

export type DepthwiseConv2DArgs = DepthwiseBaseArgs;

export class DepthwiseConv2D extends DepthwiseBase {
  readonly className = 'DepthwiseConv2D';

  constructor(args: DepthwiseConv2DArgs) {
    checkOptionNames('depthwiseConv2d', args, DEPTHWISE_BASE_OPTIONS);
    super('depthwise_conv2d', 2, args);
  }

  // ---- build ----
  protected override buildWeights(inputShapes: number[][]): void {
    const inC = inputShapes[0][this.rank];
    const rng = new Random(this.seed);
    this.weights = [this.makeDepthwise(inC, rng)];
    if (this.useBias) this.weights.push(this.makeBias(inC * this.depthMultiplier, rng));
  }

  // ---- output shape ----
  computeOutputShape(inputShapes: number[][]): number[] {
    oneInput(this.name, inputShapes.length);
    return this.depthwiseOut(inputShapes[0]);
  }

  // ---- forward ----
  forward(inputs: Tensor[], _training: boolean): ForwardResult {
    this.ensureBuilt(inputs);
    oneInput(this.name, inputs.length);
    const x = inputs[0];
    const z = this.depthwiseForward(x, this.biasWeight?.value);       // [b, ...out, C·mult]
    const y = activationForward(this.activation, z, true);
    const ctx: DepthwiseCtx = { x, u: null, y: this.activation === 'linear' ? null : y };
    return { y, ctx };
  }

  // ---- backward ----
  backward(ctx: unknown, dy: Tensor, needDx = true): Tensor[] {
    const c = ctx as DepthwiseCtx;
    const dz = c.y === null ? dy : activationBackward(this.activation, c.y, dy);
    const b = this.biasWeight;
    if (b) accumulateGrad(b, convBiasGradient(dz));                     // db += Σ dZ
    return this.depthwiseBackward(c.x, dz, needDx);
  }

  override getConfig(): Record<string, unknown> {
    return this.baseConfig();
  }
}

// ------------------------------------------------------------------------------------------------

export interface SeparableConvArgs extends DepthwiseBaseArgs {
  filters: number;
  pointwiseInitializer?: InitializerIdentifier;
  pointwiseRegularizer?: RegularizerIdentifier | null;
  pointwiseConstraint?: ConstraintIdentifier | null;
}

const SEPARABLE_OPTIONS = ['filters', 'pointwiseInitializer', 'pointwiseRegularizer', 'pointwiseConstraint', ...DEPTHWISE_BASE_OPTIONS] as const;

const POINTWISE = {
  1: { fwd: conv1d, bpInput: conv1dBackpropInput, bpFilter: conv1dBackpropFilter },
  2: { fwd: conv2d, bpInput: conv2dBackpropInput, bpFilter: conv2dBackpropFilter },
} as const;

export class SeparableConv extends DepthwiseBase {
  readonly className: 'SeparableConv1D' | 'SeparableConv2D';
  readonly filters: number;
  readonly pointwiseInitializer: Initializer;
  readonly pointwiseRegularizer: Regularizer | null;
  readonly pointwiseConstraint: Constraint | null;

  constructor(rank: 1 | 2, args: SeparableConvArgs) {
    checkOptionNames(`separableConv${rank}d`, args, SEPARABLE_OPTIONS);
    super(`separable_conv${rank}d`, rank, args);
    this.className = rank === 1 ? 'SeparableConv1D' : 'SeparableConv2D';
    const l = this.name;
    this.filters = positiveInt(l, 'filters', args.filters);
    this.pointwiseInitializer = getInitializer(l, 'pointwiseInitializer', args.pointwiseInitializer, 'glorotUniform');
    this.pointwiseRegularizer = getRegularizer(l, 'pointwiseRegularizer', args.pointwiseRegularizer);
    this.pointwiseConstraint = getConstraint(l, 'pointwiseConstraint', args.pointwiseConstraint);
  }

  // ---- build ----
  protected override buildWeights(inputShapes: number[][]): void {
    const inC = inputShapes[0][this.rank];
    const rng = new Random(this.seed);
    const pwShape = [...new Array<number>(this.rank).fill(1), inC * this.depthMultiplier, this.filters];
    this.weights = [
      this.makeDepthwise(inC, rng),
      this.makeWeight('pointwise_kernel', 'pointwise', pwShape, this.pointwiseInitializer, this.pointwiseRegularizer, rng, this.pointwiseConstraint),
    ];
    if (this.useBias) this.weights.push(this.makeBias(this.filters, rng));
  }

  // ---- output shape ----
  computeOutputShape(inputShapes: number[][]): number[] {
    oneInput(this.name, inputShapes.length);
    const u = this.depthwiseOut(inputShapes[0]);
    return [...u.slice(0, -1), this.filters];
  }

  // ---- forward ----
  forward(inputs: Tensor[], _training: boolean): ForwardResult {
    this.ensureBuilt(inputs);
    oneInput(this.name, inputs.length);
    const x = inputs[0];
    const u = this.depthwiseForward(x, undefined);                                   // [b, ...out, C·mult]
    const z = POINTWISE[this.rank as 1 | 2].fwd(u, this.weights[1].value, { bias: this.biasWeight?.value }); // [b, ...out, filters]
    const y = activationForward(this.activation, z, true);
    const ctx: DepthwiseCtx = { x, u, y: this.activation === 'linear' ? null : y };
    return { y, ctx };
  }

  // ---- backward ----
  backward(ctx: unknown, dy: Tensor, needDx = true): Tensor[] {
    const c = ctx as DepthwiseCtx;
    const ops = POINTWISE[this.rank as 1 | 2];
    const pw = this.weights[1];
    const u = c.u!;
    const dz = c.y === null ? dy : activationBackward(this.activation, c.y, dy);
    const b = this.biasWeight;
    if (b) accumulateGrad(b, convBiasGradient(dz));                                  // db += Σ dZ
    accumulateGrad(pw, ops.bpFilter(u, dz, pw.value.shape as number[]));             // dP += uᵀ·dZ
    const du = ops.bpInput(dz, pw.value, u.shape as number[]);                       // dU = dZ·Pᵀ
    return this.depthwiseBackward(c.x, du, needDx);
  }

  override getConfig(): Record<string, unknown> {
    const base = this.baseConfig();
    return {
      ...base,
      filters: this.filters,
      pointwiseInitializer: this.pointwiseInitializer.getConfig(),
      pointwiseRegularizer: regularizerConfig(this.pointwiseRegularizer),
      pointwiseConstraint: constraintConfig(this.pointwiseConstraint),
    };
  }
}

// ------------------------------------------------------------------------------------------------

export interface ConvTransposeArgs extends KernelLayerArgs {
  filters: number;
  kernelSize: number | number[];
  strides?: number | number[];
  padding?: 'valid' | 'same';
  /** Extra length per output axis, each < its stride; null (default): Keras' default length. */
  outputPadding?: number | number[] | null;
  dilationRate?: number | number[];
}

const TRANSPOSE_OPTIONS = ['filters', 'kernelSize', 'strides', 'padding', 'outputPadding', 'dilationRate', ...KERNEL_LAYER_OPTIONS] as const;

const TRANSPOSE_OPS = { 1: conv1dTranspose, 2: conv2dTranspose, 3: conv3dTranspose } as const;

interface TransposeCtx { x: Tensor; y: Tensor | null }

export class ConvTranspose extends KernelLayer {
  readonly className: 'Conv1DTranspose' | 'Conv2DTranspose' | 'Conv3DTranspose';
  readonly rank: Rank;
  readonly filters: number;
  readonly kernelSize: number[];
  readonly strides: number[];
  readonly padding: 'valid' | 'same';
  readonly outputPadding: number[] | null;
  readonly dilationRate: number[];
  private readonly opts: { strides: number[]; padding: 'valid' | 'same'; dilationRate: number[]; outputPadding: number[] | null };

  constructor(rank: Rank, args: ConvTransposeArgs) {
    const prefix = `conv${rank}d_transpose`;
    checkOptionNames(`conv${rank}dTranspose`, args, TRANSPOSE_OPTIONS);
    super(prefix, args);
    this.rank = rank;
    this.className = (['Conv1DTranspose', 'Conv2DTranspose', 'Conv3DTranspose'] as const)[rank - 1];
    const l = this.name;
    this.filters = positiveInt(l, 'filters', args.filters);
    const w = windowOptions(l, rank, args);
    this.kernelSize = w.kernelSize; this.strides = w.strides; this.padding = w.padding; this.dilationRate = w.dilationRate;
    if (args.outputPadding === undefined || args.outputPadding === null) {
      this.outputPadding = null;
    } else {
      const op = args.outputPadding;
      const list = typeof op === 'number' ? new Array<number>(rank).fill(op) : op;
      if (!Array.isArray(list) || list.length !== rank || !list.every((p) => typeof p === 'number' && Number.isInteger(p) && p >= 0)) {
        throw new ConfigError(`${l}: outputPadding must be null, a non-negative integer or an array of ${rank} of them, got ${fmtValue(op)}`);
      }
      list.forEach((p, a) => {
        if (p >= this.strides[a]) throw new ConfigError(`${l}: outputPadding must be smaller than strides on every axis, got outputPadding ${fmtShape(list)} and strides ${fmtShape(this.strides)}`);
      });
      this.outputPadding = list.slice();
    }
    this.opts = { strides: this.strides, padding: this.padding, dilationRate: this.dilationRate, outputPadding: this.outputPadding };
  }

  // ---- build ----
  protected override buildWeights(inputShapes: number[][]): void {
    const inC = inputShapes[0][this.rank];
    const rng = new Random(this.seed);
    this.weights = [this.makeWeight('kernel', 'kernel', [...this.kernelSize, this.filters, inC], this.kernelInitializer, this.kernelRegularizer, rng, this.kernelConstraint)];
    if (this.useBias) this.weights.push(this.makeWeight('bias', 'bias', [this.filters], this.biasInitializer, this.biasRegularizer, rng, this.biasConstraint));
  }

  // ---- output shape ----
  computeOutputShape(inputShapes: number[][]): number[] {
    oneInput(this.name, inputShapes.length);
    const s = inputShapes[0];
    checkRank(this.name, this.rank, s);
    const inC = this.built ? this.weights[0].value.shape[this.rank + 1] : s[this.rank];
    if (s[this.rank] !== inC) throw new ShapeError(`${this.name}: input must have ${inC} channels, got feature shape ${fmtShape(s)}`);
    try {
      return convTransposeOutputShape(this.rank, [1, ...s], [...this.kernelSize, this.filters, inC], this.opts).slice(1);
    } catch (e) {
      return asLayerError(this.name, e);
    }
  }

  // ---- forward ----
  forward(inputs: Tensor[], _training: boolean): ForwardResult {
    this.ensureBuilt(inputs);
    oneInput(this.name, inputs.length);
    const x = inputs[0];
    let z: Tensor;
    try {
      z = TRANSPOSE_OPS[this.rank](x, this.weights[0].value, { ...this.opts, bias: this.useBias ? this.weights[1].value : undefined });
    } catch (e) {
      return asLayerError(this.name, e);
    }
    const y = activationForward(this.activation, z, true);
    const ctx: TransposeCtx = { x, y: this.activation === 'linear' ? null : y };
    return { y, ctx };
  }

  // ---- backward ----
  backward(ctx: unknown, dy: Tensor, needDx = true): Tensor[] {
    const c = ctx as TransposeCtx;
    const kernel = this.weights[0];
    const dz = c.y === null ? dy : activationBackward(this.activation, c.y, dy);
    accumulateGrad(kernel, convTransposeBackpropFilterOp(this.rank, c.x, dz, kernel.value.shape as number[], this.opts));
    if (this.useBias) accumulateGrad(this.weights[1], convBiasGradient(dz));
    if (!needDx) return [];
    return [convTransposeBackpropInputOp(this.rank, dz, kernel.value, c.x.shape as number[], this.opts)];
  }

  override getConfig(): Record<string, unknown> {
    const one = (v: number[]): number | number[] => (this.rank === 1 ? v[0] : v.slice());
    return {
      name: this.name,
      trainable: true,
      filters: this.filters,
      kernelSize: one(this.kernelSize),
      strides: one(this.strides),
      padding: this.padding,
      outputPadding: this.outputPadding === null ? null : one(this.outputPadding),
      dilationRate: one(this.dilationRate),
      ...this.kernelLayerConfig(),
    };
  }
}
