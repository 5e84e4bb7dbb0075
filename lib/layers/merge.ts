/**
 * Merge layers: Add and Concatenate. No weights; two or more inputs.
 *
 *   Add          x_1 … x_n, all of one shape  →  y = Σ_k x_k            dX_k = dY  (the same tensor)
 *   Concatenate  x_k [batch, …, a_k, …]      →  y [batch, …, Σ a_k, …] along `axis`
 *                                                dX_k = the slice of dY that x_k filled
 *
 * `axis` counts the batch axis as 0 (Keras); the default −1 is the last axis. Joining along the
 * batch axis is not allowed.
 */
import { ConfigError, ShapeError, fmtShape, fmtValue } from '../errors';
import { Tensor } from '../tensor';
import { add } from '../ops/elementwise';
import { concat, slice } from '../ops/transform';
import { addInto } from '../../kernels/activations';
import { MergeOp, mergeBackward, mergeForward } from '../../kernels/merge';
import { ForwardResult, Layer, checkOptionNames } from './layer';

export interface MergeArgs { inputShape?: number[]; name?: string }

function atLeastTwo(layer: string, n: number): void {
  if (n < 2) throw new ShapeError(`${layer}: expects at least 2 inputs, got ${n}`);
}

export class Add extends Layer {
  readonly className = 'Add';

  constructor(args: MergeArgs = {}) {
    checkOptionNames('add', args, ['inputShape', 'name']);
    super('add', args);
  }

  computeOutputShape(inputShapes: number[][]): number[] {
    atLeastTwo(this.name, inputShapes.length);
    const s0 = inputShapes[0];
    inputShapes.forEach((s, k) => {
      if (s.length !== s0.length || s.some((d, j) => d !== s0[j])) {
        throw new ShapeError(`${this.name}: every input must have the same shape, got ${inputShapes.map(fmtShape).join(', ')} (input ${k} differs from input 0)`);
      }
    });
    return s0.slice();
  }

  forward(inputs: Tensor[], _training: boolean): ForwardResult {
    this.ensureBuilt(inputs);
    this.computeOutputShape(inputs.map((t) => t.shape as number[]));  // batch included: same check
    const y = add(inputs[0], inputs[1]);                             // fresh: later inputs add in place
    for (let k = 2; k < inputs.length; k++) addInto(y.data, inputs[k].data, y.size);
    return { y, ctx: inputs.length };
  }

  backward(ctx: unknown, dy: Tensor): Tensor[] {
    return new Array<Tensor>(ctx as number).fill(dy);
  }

  override getConfig(): Record<string, unknown> {
    return { name: this.name, trainable: true };
  }
}

export interface ConcatenateArgs extends MergeArgs { axis?: number }

interface ConcatCtx { axis: number; sizes: number[] }

export class Concatenate extends Layer {
  readonly className = 'Concatenate';
  readonly axis: number;

  constructor(args: ConcatenateArgs = {}) {
    checkOptionNames('concatenate', args, ['axis', 'inputShape', 'name']);
    super('concatenate', args);
    const axis = args.axis ?? -1;
    if (!Number.isInteger(axis) || axis === 0) {
      throw new ConfigError(`${this.name}: axis must be a non-zero integer (0 is the batch axis; -1 is the last), got ${fmtValue(axis)}`);
    }
    this.axis = axis;
  }

  /** The axis in the full (batch-included) shape of rank `rank + 1`. */
  private fullAxis(featureRank: number): number {
    const rank = featureRank + 1;
    const a = this.axis < 0 ? this.axis + rank : this.axis;
    if (a < 1 || a >= rank) {
      throw new ShapeError(`${this.name}: axis ${this.axis} is out of range for inputs of rank ${rank} (batch included); allowed 1 … ${rank - 1} or -${rank - 1} … -1`);
    }
    return a;
  }

  computeOutputShape(inputShapes: number[][]): number[] {
    atLeastTwo(this.name, inputShapes.length);
    const s0 = inputShapes[0];
    const a = this.fullAxis(s0.length) - 1;                          // feature axis
    const out = s0.slice();
    inputShapes.forEach((s, k) => {
      if (s.length !== s0.length || s.some((d, j) => j !== a && d !== s0[j])) {
        throw new ShapeError(`${this.name}: inputs must have the same shape except along axis ${this.axis}, got ${inputShapes.map(fmtShape).join(', ')} (input ${k} differs)`);
      }
      if (k > 0) out[a] += s[a];
    });
    return out;
  }

  forward(inputs: Tensor[], _training: boolean): ForwardResult {
    this.ensureBuilt(inputs);
    atLeastTwo(this.name, inputs.length);
    const axis = this.fullAxis(inputs[0].rank - 1);
    const y = concat(inputs, axis);
    const ctx: ConcatCtx = { axis, sizes: inputs.map((t) => t.shape[axis]) };
    return { y, ctx };
  }

  backward(ctx: unknown, dy: Tensor): Tensor[] {
    const { axis, sizes } = ctx as ConcatCtx;
    const begin = new Array<number>(dy.rank).fill(0);
    const size = dy.shape.slice();
    return sizes.map((n) => {
      size[axis] = n;
      const part = slice(dy, begin, size);
      begin[axis] += n;
      return part;
    });
  }

  override getConfig(): Record<string, unknown> {
    return { name: this.name, trainable: true, axis: this.axis };
  }
}

// ------------------------------------------------------------------------------------------------
// Elementwise merges (Keras 3): Multiply, Average, Subtract (exactly 2 inputs), Maximum, Minimum.
//
//   Multiply  y = Π_k x_k        dX_k = dY ⊙ Π_{j≠k} x_j
//   Average   y = (Σ_k x_k) / K  dX_k = dY / K
//   Subtract  y = x_0 − x_1      dX_0 = dY, dX_1 = −dY
//   Maximum   y = max_k x_k      dX_k = dY where input k is the first maximum, else 0 (Minimum alike)
//
// All inputs must have one shape (as Add). The loops are kernels/merge.ts.

interface ElementwiseCtx { xs: Float32Array[]; shape: readonly number[] }

const MERGE_CLASS: Record<MergeOp, string> = {
  multiply: 'Multiply', average: 'Average', subtract: 'Subtract', maximum: 'Maximum', minimum: 'Minimum',
};

export class ElementwiseMerge extends Layer {
  readonly className: string;

  constructor(readonly op: MergeOp, args: MergeArgs = {}) {
    checkOptionNames(op, args, ['inputShape', 'name']);
    super(op, args);
    this.className = MERGE_CLASS[op];
  }

  private checkCount(n: number): void {
    if (this.op === 'subtract') {
      if (n !== 2) throw new ShapeError(`${this.name}: subtract expects exactly 2 inputs, got ${n}`);
    } else atLeastTwo(this.name, n);
  }

  computeOutputShape(inputShapes: number[][]): number[] {
    this.checkCount(inputShapes.length);
    const s0 = inputShapes[0];
    inputShapes.forEach((s, k) => {
      if (s.length !== s0.length || s.some((d, j) => d !== s0[j])) {
        throw new ShapeError(`${this.name}: every input must have the same shape, got ${inputShapes.map(fmtShape).join(', ')} (input ${k} differs from input 0)`);
      }
    });
    return s0.slice();
  }

  forward(inputs: Tensor[], _training: boolean): ForwardResult {
    this.ensureBuilt(inputs);
    this.computeOutputShape(inputs.map((t) => t.shape as number[]));  // batch included: same check
    const xs = inputs.map((t) => t.data);
    const y = new Float32Array(inputs[0].size);
    mergeForward(this.op, xs, y, y.length);
    const ctx: ElementwiseCtx = { xs, shape: inputs[0].shape };
    return { y: new Tensor(y, inputs[0].shape), ctx };
  }

  backward(ctx: unknown, dy: Tensor): Tensor[] {
    const { xs, shape } = ctx as ElementwiseCtx;
    const dxs = xs.map(() => new Float32Array(dy.size));
    mergeBackward(this.op, xs, dy.data, dxs, dy.size);
    return dxs.map((d) => new Tensor(d, shape));
  }

  override getConfig(): Record<string, unknown> {
    return { name: this.name, trainable: true };
  }
}
