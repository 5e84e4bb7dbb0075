/**
 * Core layers without weights: Flatten, Reshape, Dropout, Activation.
 *
 *   Flatten     x [batch, ...f] → y [batch, prod(f)]           dX = dY viewed as x's shape (no copy)
 *   Reshape     x [batch, ...f] → y [batch, ...targetShape]    one −1 inferred; dX = dY reshaped (no copy)
 *   Dropout     training:  y = x ⊙ m,  m_i = 1/(1 − rate) with probability 1 − rate, else 0
 *                          dX = dY ⊙ m   (the same mask)
 *               inference: y = x, dX = dY
 *   Activation  y = act(x),  dX = act'(dY) from y (lib/activations.ts)
 */
import { ConfigError, ShapeError, fmtShape, fmtValue } from '../errors';
import { Random } from '../random';
import { Tensor, shapeSize } from '../tensor';
import { ActivationName, activationBackward, activationForward, getActivation } from '../activations';
import { dropoutMask, mulInto } from '../../kernels/activations';
import { ForwardResult, Layer, checkOptionNames, seedOption } from './layer';

interface ShapeCtx { xShape: readonly number[] }

function oneInput(layer: string, n: number): void {
  if (n !== 1) throw new ShapeError(`${layer}: expects exactly 1 input, got ${n}`);
}

// ------------------------------------------------------------------------------------------------

export interface FlattenArgs { inputShape?: number[]; name?: string }

export class Flatten extends Layer {
  readonly className = 'Flatten';

  constructor(args: FlattenArgs = {}) {
    checkOptionNames('flatten', args, ['inputShape', 'name']);
    super('flatten', args);
  }

  computeOutputShape(inputShapes: number[][]): number[] {
    oneInput(this.name, inputShapes.length);
    return [shapeSize(inputShapes[0])];
  }

  forward(inputs: Tensor[], _training: boolean): ForwardResult {
    this.ensureBuilt(inputs);
    oneInput(this.name, inputs.length);
    const x = inputs[0];
    const batch = x.rank === 0 ? 1 : x.shape[0];
    const ctx: ShapeCtx = { xShape: x.shape };
    return { y: new Tensor(x.data, [batch, batch === 0 ? 0 : x.size / batch]), ctx };
  }

  backward(ctx: unknown, dy: Tensor): Tensor[] {
    return [new Tensor(dy.data, (ctx as ShapeCtx).xShape)];
  }

  override getConfig(): Record<string, unknown> {
    return { name: this.name, trainable: true };
  }
}

// ------------------------------------------------------------------------------------------------

export interface ReshapeArgs { targetShape: number[]; inputShape?: number[]; name?: string }

export class Reshape extends Layer {
  readonly className = 'Reshape';
  readonly targetShape: number[];

  constructor(args: ReshapeArgs) {
    checkOptionNames('reshape', args, ['targetShape', 'inputShape', 'name']);
    super('reshape', args);
    const t = args.targetShape;
    if (!Array.isArray(t) || !t.every((d) => Number.isInteger(d) && (d >= 1 || d === -1)) || t.filter((d) => d === -1).length > 1) {
      throw new ConfigError(`${this.name}: targetShape must be an array of positive integers with at most one -1 (batch excluded), got ${fmtValue(t)}`);
    }
    this.targetShape = t.slice();
  }

  computeOutputShape(inputShapes: number[][]): number[] {
    oneInput(this.name, inputShapes.length);
    const size = shapeSize(inputShapes[0]);
    const out = this.targetShape.slice();
    const known = shapeSize(out.filter((d) => d !== -1));
    const unknown = out.indexOf(-1);
    if (unknown >= 0 ? size % known !== 0 : size !== known) {
      throw new ShapeError(`${this.name}: cannot reshape feature shape ${fmtShape(inputShapes[0])} (${size} values) to targetShape ${fmtShape(this.targetShape)}`);
    }
    if (unknown >= 0) out[unknown] = size / known;
    return out;
  }

  forward(inputs: Tensor[], _training: boolean): ForwardResult {
    this.ensureBuilt(inputs);
    oneInput(this.name, inputs.length);
    const x = inputs[0];
    const out = this.computeOutputShape([x.shape.slice(1)]);
    const ctx: ShapeCtx = { xShape: x.shape };
    return { y: new Tensor(x.data, [x.shape[0], ...out]), ctx };
  }

  backward(ctx: unknown, dy: Tensor): Tensor[] {
    return [new Tensor(dy.data, (ctx as ShapeCtx).xShape)];
  }

  override getConfig(): Record<string, unknown> {
    return { name: this.name, trainable: true, targetShape: this.targetShape.slice() };
  }
}

// ------------------------------------------------------------------------------------------------

export interface DropoutArgs { rate: number; seed?: number; inputShape?: number[]; name?: string }

interface DropoutCtx { mask: Float32Array | null }

export class Dropout extends Layer {
  readonly className = 'Dropout';
  readonly rate: number;
  readonly seed: number | undefined;
  /** One generator per layer: successive training calls draw successive masks. */
  private readonly rng: Random;

  constructor(args: DropoutArgs) {
    checkOptionNames('dropout', args, ['rate', 'seed', 'inputShape', 'name']);
    super('dropout', args);
    const rate = args.rate;
    if (typeof rate !== 'number' || !(rate >= 0 && rate < 1)) {
      throw new ConfigError(`${this.name}: rate must be a number in [0, 1), got ${fmtValue(rate)}`);
    }
    this.rate = rate;
    this.seed = seedOption(this.name, args.seed);
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
    if (!training || this.rate === 0) return { y: x, ctx: { mask: null } as DropoutCtx };
    const mask = new Float32Array(x.size);
    dropoutMask(mask, x.size, this.rate, 1 / (1 - this.rate), this.rng);
    const y = new Float32Array(x.size);
    mulInto(x.data, mask, y, x.size);
    const ctx: DropoutCtx = { mask };
    return { y: new Tensor(y, x.shape), ctx };
  }

  backward(ctx: unknown, dy: Tensor): Tensor[] {
    const { mask } = ctx as DropoutCtx;
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

export interface ActivationArgs { activation: ActivationName; inputShape?: number[]; name?: string }

interface ActivationCtx { y: Tensor }

export class Activation extends Layer {
  readonly className = 'Activation';
  readonly activation: ActivationName;

  constructor(args: ActivationArgs) {
    checkOptionNames('activation', args, ['activation', 'inputShape', 'name']);
    super('activation', args);
    this.activation = getActivation(this.name, args.activation);
  }

  computeOutputShape(inputShapes: number[][]): number[] {
    oneInput(this.name, inputShapes.length);
    if (this.activation === 'softmax' && inputShapes[0].length === 0) {
      throw new ShapeError(`${this.name}: softmax needs at least one feature axis, got feature shape ${fmtShape(inputShapes[0])}`);
    }
    return inputShapes[0].slice();
  }

  forward(inputs: Tensor[], _training: boolean): ForwardResult {
    this.ensureBuilt(inputs);
    oneInput(this.name, inputs.length);
    const y = activationForward(this.activation, inputs[0], false);
    const ctx: ActivationCtx = { y };
    return { y, ctx };
  }

  backward(ctx: unknown, dy: Tensor): Tensor[] {
    return [activationBackward(this.activation, (ctx as ActivationCtx).y, dy)];
  }

  override getConfig(): Record<string, unknown> {
    return { name: this.name, trainable: true, activation: this.activation };
  }
}
