/**
 * Dense: a fully connected layer on the last axis (any input rank, as Keras).
 *
 *   x [..., in]   W [in, units]   b [units]   y [..., units]
 *   forward    z = x·W + b,   y = act(z)              (x viewed as X [rows, in], rows = size / in)
 *   backward   dZ = act'(dY)  (from y)
 *              dW += Xᵀ·dZ    [in, units]
 *              db += Σ_rows dZ [units]
 *              dX  = dZ·Wᵀ    [rows, in] → x's shape
 *
 * Weights: [kernel, bias] (bias only when useBias). Regularizers are declared on the weights and
 * on `activityRegularizer`; lib/training/penalties.ts adds their penalties and gradients.
 */
import { ShapeError, fmtShape } from '../errors';
import { Tensor } from '../tensor';
import { activationBackward, activationForward } from '../activations';
import { matMul } from '../ops/matmul';
import { sum } from '../ops/reduce';
import { addBiasRowsInPlace } from '../../kernels/activations';
import { ForwardResult, accumulateGrad, checkOptionNames, positiveInt } from './layer';
import { KernelLayer, KernelLayerArgs, KERNEL_LAYER_OPTIONS } from './kernel-layer';

export type { InitializerIdentifier, KernelLayerArgs } from './kernel-layer';

export interface DenseArgs extends KernelLayerArgs {
  units: number;
}

const DENSE_OPTIONS = ['units', ...KERNEL_LAYER_OPTIONS] as const;

interface DenseCtx {
  /** Input viewed as [rows, in] (shares the input's buffer). */
  x2: Tensor;
  /** Input shape, to give dx the same shape. */
  xShape: readonly number[];
  /** Output after activation (needed by the activation's derivative; null for linear). */
  y: Tensor | null;
}

export class Dense extends KernelLayer {
  readonly className = 'Dense';
  // ---- config (validated) ----
  readonly units: number;

  constructor(args: DenseArgs) {
    checkOptionNames('dense', args, DENSE_OPTIONS);
    super('dense', args);
    const n = this.name;
    this.units = positiveInt(n, 'units', args.units);
  }

  // ---- build ----
  protected override buildWeights(inputShapes: number[][]): void {
    const inDim = inputShapes[0][inputShapes[0].length - 1];
    this.buildKernelAndBias([inDim, this.units]);
  }

  // ---- output shape ----
  computeOutputShape(inputShapes: number[][]): number[] {
    if (inputShapes.length !== 1) {
      throw new ShapeError(`${this.name}: expects exactly 1 input, got ${inputShapes.length}`);
    }
    const s = inputShapes[0];
    if (s.length < 1) throw new ShapeError(`${this.name}: input must have at least one feature axis [batch, ..., features], got feature shape ${fmtShape(s)}`);
    if (this.built && s[s.length - 1] !== this.weights[0].value.shape[0]) {
      throw new ShapeError(`${this.name}: input last axis must be ${this.weights[0].value.shape[0]}, got feature shape ${fmtShape(s)}`);
    }
    return [...s.slice(0, -1), this.units];
  }

  // ---- forward ----
  forward(inputs: Tensor[], _training: boolean): ForwardResult {
    this.ensureBuilt(inputs);
    if (inputs.length !== 1) throw new ShapeError(`${this.name}: expects exactly 1 input, got ${inputs.length}`);
    const x = inputs[0];
    const kernel = this.weights[0].value;
    const inDim = kernel.shape[0];
    if (x.rank < 2 || x.shape[x.rank - 1] !== inDim) {
      throw new ShapeError(`${this.name}: input must have shape [batch, ..., ${inDim}], got ${fmtShape(x.shape)}`);
    }
    const rows = x.size / inDim;
    const x2 = x.reshape([rows, inDim]);
    const z = matMul(x2, kernel);                                     // [rows, units]
    if (this.useBias) addBiasRowsInPlace(z.data, this.weights[1].value.data, rows, this.units);
    const y2 = activationForward(this.activation, z, true);
    const y = y2.reshape([...x.shape.slice(0, -1), this.units]);
    const ctx: DenseCtx = { x2, xShape: x.shape, y: this.activation === 'linear' ? null : y2 };
    return { y, ctx };
  }

  // ---- backward ----
  backward(ctx: unknown, dy: Tensor, needDx = true): Tensor[] {
    const c = ctx as DenseCtx;
    const rows = c.x2.shape[0];
    const dy2 = dy.reshape([rows, this.units]);
    const dz = c.y === null ? dy2 : activationBackward(this.activation, c.y, dy2);   // [rows, units]
    accumulateGrad(this.weights[0], matMul(c.x2, dz, { transposeA: true }));        // Xᵀ·dZ [in, units]
    if (this.useBias) accumulateGrad(this.weights[1], sum(dz, 0));                  // Σ_rows dZ [units]
    if (!needDx) return [];
    const dx = matMul(dz, this.weights[0].value, { transposeB: true });             // dZ·Wᵀ [rows, in]
    return [dx.reshape(c.xShape as number[])];
  }

  // ---- weights and config ----
  override getConfig(): Record<string, unknown> {
    return {
      name: this.name,
      trainable: true,
      units: this.units,
      ...this.kernelLayerConfig(),
    };
  }
}
