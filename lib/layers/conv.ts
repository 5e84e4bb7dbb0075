/**
 * Conv1D / Conv2D / Conv3D: one class for every rank (caffe's one convolution layer).
 *
 *   x [batch, ...spatial, in]   W [...k, in, filters] (Keras layout)   b [filters]
 *   y [batch, ...outSpatial, filters]
 *   forward    z = conv(x, W; strides, padding, dilationRate) + b,   y = act(z)
 *   backward   dZ  = act'(dY)  (from y)
 *              dW += convBackpropFilter(x, dZ)       [...k, in, filters]
 *              db += Σ over batch and space of dZ     [filters]
 *              dX  = convBackpropInput(dZ, W)        x's shape
 *
 * Output size per axis (TensorFlow): valid ⌊(in − ((k−1)·d + 1)) / s⌋ + 1, same ⌈in / s⌉, causal
 * (rank 1 only) ⌈in / s⌉ with d·(k − 1) zeros on the left. strides > 1 together with
 * dilationRate > 1 is a ConfigError (as TensorFlow).
 *
 * Weights: [kernel, bias] (bias only when useBias). Regularizers are declared on the weights and
 * on `activityRegularizer`; lib/training/penalties.ts adds their penalties and gradients.
 */
import { ConfigError, RidgeError, ShapeError, fmtShape, fmtValue } from '../errors';
import { Tensor } from '../tensor';
import { activationBackward, activationForward } from '../activations';
import {
  ConvOptions, conv1d, conv1dBackpropFilter, conv1dBackpropInput, conv2d, conv2dBackpropFilter,
  conv2dBackpropInput, conv3d, conv3dBackpropFilter, conv3dBackpropInput, convBiasGradient, convOutputShape,
} from '../ops/conv';
import { ForwardResult, accumulateGrad, checkOptionNames, positiveInt, positiveIntTuple } from './layer';
import { KernelLayer, KernelLayerArgs, KERNEL_LAYER_OPTIONS } from './kernel-layer';

export type ConvPadding = 'valid' | 'same' | 'causal';

export interface ConvArgs extends KernelLayerArgs {
  filters: number;
  kernelSize: number | number[];
  strides?: number | number[];
  padding?: ConvPadding;
  dilationRate?: number | number[];
}

const CONV_OPTIONS = ['filters', 'kernelSize', 'strides', 'padding', 'dilationRate', ...KERNEL_LAYER_OPTIONS] as const;

type Rank = 1 | 2 | 3;

const OPS = {
  1: { fwd: conv1d, bpInput: conv1dBackpropInput, bpFilter: conv1dBackpropFilter },
  2: { fwd: conv2d, bpInput: conv2dBackpropInput, bpFilter: conv2dBackpropFilter },
  3: { fwd: conv3d, bpInput: conv3dBackpropInput, bpFilter: conv3dBackpropFilter },
} as const;

const LAYOUT: Record<Rank, string> = {
  1: '[batch, width, channels]',
  2: '[batch, height, width, channels]',
  3: '[batch, depth, height, width, channels]',
};

interface ConvCtx {
  x: Tensor;
  /** Output after activation (for the activation's derivative); null for linear. */
  y: Tensor | null;
}

/** Re-throws an op's error with the layer's name in front (the op already named the argument). */
function asLayerError(layer: string, e: unknown): never {
  if (e instanceof RidgeError) {
    const Ctor = e.constructor as new (m: string) => RidgeError;
    throw new Ctor(`${layer}: ${e.message}`);
  }
  throw e;
}

export class Conv extends KernelLayer {
  readonly className: 'Conv1D' | 'Conv2D' | 'Conv3D';
  // ---- config (validated) ----
  readonly rank: Rank;
  readonly filters: number;
  readonly kernelSize: number[];
  readonly strides: number[];
  readonly padding: ConvPadding;
  readonly dilationRate: number[];
  /** The options passed to the conv ops, built once. */
  private readonly opts: ConvOptions;

  constructor(rank: Rank, args: ConvArgs) {
    const prefix = `conv${rank}d`;
    checkOptionNames(prefix, args, CONV_OPTIONS);
    super(prefix, args);
    this.rank = rank;
    this.className = (['Conv1D', 'Conv2D', 'Conv3D'] as const)[rank - 1];
    const n = this.name;
    this.filters = positiveInt(n, 'filters', args.filters);
    if (args.kernelSize === undefined) throw new ConfigError(`${n}: kernelSize is required (a positive integer or an array of ${rank}), got undefined`);
    this.kernelSize = positiveIntTuple(n, 'kernelSize', args.kernelSize, rank);
    this.strides = positiveIntTuple(n, 'strides', args.strides ?? 1, rank);
    this.dilationRate = positiveIntTuple(n, 'dilationRate', args.dilationRate ?? 1, rank);
    const padding = args.padding ?? 'valid';
    const allowed: string[] = rank === 1 ? ['valid', 'same', 'causal'] : ['valid', 'same'];
    if (!allowed.includes(padding as string)) {
      const hint = padding === 'causal' ? ` ('causal' padding is for conv1d only)` : '';
      throw new ConfigError(`${n}: padding must be ${allowed.map((p) => `'${p}'`).join(' or ')}, got ${fmtValue(padding)}${hint}`);
    }
    this.padding = padding;
    if (this.strides.some((s) => s > 1) && this.dilationRate.some((d) => d > 1)) {
      throw new ConfigError(`${n}: strides > 1 together with dilationRate > 1 is not supported, got strides ${fmtShape(this.strides)} and dilationRate ${fmtShape(this.dilationRate)}`);
    }
    this.opts = { strides: this.strides, padding: this.padding, dilationRate: this.dilationRate };
  }

  // ---- build ----
  protected override buildWeights(inputShapes: number[][]): void {
    const s = inputShapes[0];
    this.buildKernelAndBias([...this.kernelSize, s[s.length - 1], this.filters]);
  }

  // ---- output shape ----
  computeOutputShape(inputShapes: number[][]): number[] {
    if (inputShapes.length !== 1) throw new ShapeError(`${this.name}: expects exactly 1 input, got ${inputShapes.length}`);
    const s = inputShapes[0];
    if (s.length !== this.rank + 1) {
      throw new ShapeError(`${this.name}: input must be rank ${this.rank + 2} ${LAYOUT[this.rank]}, got feature shape ${fmtShape(s)} (batch excluded)`);
    }
    const inC = this.built ? this.weights[0].value.shape[this.rank] : s[this.rank];
    if (s[this.rank] !== inC) {
      throw new ShapeError(`${this.name}: input must have ${inC} channels, got feature shape ${fmtShape(s)}`);
    }
    try {
      return convOutputShape(this.rank, [1, ...s], [...this.kernelSize, inC, this.filters], this.opts).slice(1);
    } catch (e) {
      return asLayerError(this.name, e);
    }
  }

  // ---- forward ----
  forward(inputs: Tensor[], _training: boolean): ForwardResult {
    this.ensureBuilt(inputs);
    if (inputs.length !== 1) throw new ShapeError(`${this.name}: expects exactly 1 input, got ${inputs.length}`);
    const x = inputs[0];
    const kernel = this.weights[0].value;
    let z: Tensor;
    try {
      // The bias is added inside the conv kernel (no second pass over the output).
      const opts = this.useBias ? { ...this.opts, bias: this.weights[1].value } : this.opts;
      z = OPS[this.rank].fwd(x, kernel, opts);                      // [batch, ...out, filters]
    } catch (e) {
      return asLayerError(this.name, e);
    }
    const y = activationForward(this.activation, z, true);
    const ctx: ConvCtx = { x, y: this.activation === 'linear' ? null : y };
    return { y, ctx };
  }

  // ---- backward ----
  backward(ctx: unknown, dy: Tensor, needDx = true): Tensor[] {
    const c = ctx as ConvCtx;
    const ops = OPS[this.rank];
    const kernel = this.weights[0];
    const dz = c.y === null ? dy : activationBackward(this.activation, c.y, dy);
    accumulateGrad(kernel, ops.bpFilter(c.x, dz, kernel.value.shape as number[], this.opts));   // dW += xᵀ ⋆ dZ
    if (this.useBias) accumulateGrad(this.weights[1], convBiasGradient(dz));               // db += Σ dZ
    if (!needDx) return [];
    return [ops.bpInput(dz, kernel.value, c.x.shape as number[], this.opts)];             // dX = dZ ⋆ Wᵀ
  }

  // ---- weights and config ----
  override getConfig(): Record<string, unknown> {
    const one = (v: number[]): number | number[] => (this.rank === 1 ? v[0] : v.slice());
    return {
      name: this.name,
      trainable: true,
      filters: this.filters,
      kernelSize: one(this.kernelSize),
      strides: one(this.strides),
      padding: this.padding,
      dilationRate: one(this.dilationRate),
      ...this.kernelLayerConfig(),
    };
  }
}
