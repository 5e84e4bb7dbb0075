/**
 * Layer: the base of every hand-written layer.
 *
 * Life of a layer (one recognisable shape in every file, STYLE.md §8):
 *   config (validated in the constructor)
 *   → build(inputShapes)           creates the weights, once, from the feature shapes (no batch)
 *   → computeOutputShape(inputShapes)
 *   → forward(inputs, training)    returns { y, ctx }: the output and what backward needs
 *   → backward(ctx, dy)            returns dx for each input and ADDS (+=) into weight.grad
 *
 * `ctx` is per call, so a layer applied at two places in a graph (weight sharing) keeps two
 * contexts and accumulates both contributions into the same `grad`.
 *
 * Regularizers are only *declared* here (on each LayerWeight and `activityRegularizer`); where
 * their penalties and gradients enter the loss is lib/training/penalties.ts, in one place.
 */
import { ConfigError, ShapeError, fmtShape, fmtValue } from '../errors';
import { Tensor, checkShape } from '../tensor';
import type { Regularizer } from '../regularizers';
import type { Constraint } from '../constraints';
import { SymbolicTensor } from '../graph/symbolic';
import { Random } from '../random';
import type { Initializer } from '../initializers';
import { addInto } from '../../kernels/activations';

/**
 * The penalty target a weight is reported under in the loss breakdown: the camelCase name of the
 * Keras regularizer hook without "Regularizer" (`kernelRegularizer` → 'kernel',
 * `recurrentRegularizer` → 'recurrent', `depthwiseRegularizer` → 'depthwise', …).
 */
export type WeightTarget = 'kernel' | 'bias' | 'recurrent' | 'embeddings' | 'gamma' | 'beta' | 'depthwise' | 'pointwise';

/** A trainable (or not) weight, its gradient buffer, its regularizer and its constraint. */
export interface LayerWeight {
  /** 'kernel', 'bias' (or another name for layers with other weights, e.g. 'recurrent_kernel'). */
  name: string;
  /** Which penalty target this weight is for the loss breakdown. */
  target: WeightTarget;
  /** The live value; optimizers update `value.data` in place. */
  value: Tensor;
  /** Gradient of the total loss w.r.t. value, same length; zeroed by the graph before each step. */
  grad: Float32Array;
  regularizer: Regularizer | null;
  /** Projection applied after each optimizer step (lib/constraints.ts); null when none. */
  constraint: Constraint | null;
  trainable: boolean;
}

export interface ForwardResult {
  y: Tensor;
  ctx: unknown;
}

let layerCounter: Record<string, number> = {};

/** Unique default names per class, as Keras does: dense_1, dense_2, conv2d_1 … */
export function defaultLayerName(prefix: string): string {
  layerCounter[prefix] = (layerCounter[prefix] ?? 0) + 1;
  return `${prefix}_${layerCounter[prefix]}`;
}

export abstract class Layer {
  readonly name: string;
  /** Keras-style class name, e.g. 'Dense', 'Conv2D'. */
  abstract readonly className: string;
  /** Feature shape of the input (no batch), from the `inputShape` option, if given. */
  readonly inputShape: number[] | null;
  /** Penalises this layer's output (after activation); divided by the batch size. */
  activityRegularizer: Regularizer | null = null;
  /** Kernel first, then bias (`getWeights()` order). Empty until built. */
  weights: LayerWeight[] = [];
  built = false;
  /** Feature shapes (no batch) the layer was built with. */
  builtInputShapes: number[][] | null = null;

  constructor(prefix: string, opts: { name?: string; inputShape?: number[] } = {}) {
    if (opts.name !== undefined && (typeof opts.name !== 'string' || opts.name === '')) {
      throw new ConfigError(`${prefix}: name must be a non-empty string, got ${String(opts.name)}`);
    }
    this.name = opts.name ?? defaultLayerName(prefix);
    if (opts.inputShape !== undefined) {
      if (!Array.isArray(opts.inputShape) || !opts.inputShape.every((d) => Number.isInteger(d) && d > 0)) {
        throw new ConfigError(`${this.name}: inputShape must be an array of positive integers (no batch dimension), got ${JSON.stringify(opts.inputShape)}`);
      }
      this.inputShape = opts.inputShape.slice();
    } else {
      this.inputShape = null;
    }
  }

  /** Output feature shape (no batch) for these input feature shapes; throws ShapeError naming the layer. */
  abstract computeOutputShape(inputShapes: number[][]): number[];

  /** Creates weights for these input feature shapes. Layers without weights keep the default. */
  protected buildWeights(_inputShapes: number[][]): void {}

  /** Builds once; a second call with different shapes is a ShapeError. */
  build(inputShapes: number[][]): void {
    if (this.built) {
      const same = this.builtInputShapes!.length === inputShapes.length &&
        this.builtInputShapes!.every((s, i) => s.length === inputShapes[i].length && s.every((d, j) => d === inputShapes[i][j]));
      if (!same) {
        throw new ShapeError(`${this.name}: layer was built for input shape ${this.builtInputShapes!.map(fmtShape).join(', ')} but is now called on ${inputShapes.map(fmtShape).join(', ')}`);
      }
      return;
    }
    this.computeOutputShape(inputShapes); // validates
    this.buildWeights(inputShapes);
    this.builtInputShapes = inputShapes.map((s) => s.slice());
    this.built = true;
  }

  /** Forward pass on a batch. Keeps in `ctx` what backward needs. */
  abstract forward(inputs: Tensor[], training: boolean): ForwardResult;

  /**
   * Backward pass: returns d loss / d input for each input; adds weight gradients into `grad`.
   * `needDx = false` (optional, default true) tells a layer that nobody needs its input gradients
   * (its input is a model input): layers with weights then skip that work and return `[]`.
   */
  abstract backward(ctx: unknown, dy: Tensor, needDx?: boolean): Tensor[];

  /** Functional API: records a node applying this layer to `inputs`. */
  apply(inputs: SymbolicTensor | SymbolicTensor[]): SymbolicTensor {
    const list = Array.isArray(inputs) ? inputs : [inputs];
    if (list.length === 0 || !list.every((t) => t instanceof SymbolicTensor)) {
      throw new ConfigError(`${this.name}: apply expects a SymbolicTensor or an array of them (from input() or another layer's apply)`);
    }
    const shapes = list.map((t) => t.featureShape);
    this.build(shapes);
    const out = this.computeOutputShape(shapes);
    return new SymbolicTensor([null, ...out], this, list, this.name);
  }

  /** Copies of the weights, kernel then bias. */
  getWeights(): Tensor[] {
    return this.weights.map((w) => w.value.clone());
  }

  /** Sets the weights (same order as getWeights); checks every shape before changing anything. */
  setWeights(ws: Tensor[]): void {
    if (!Array.isArray(ws) || ws.length !== this.weights.length) {
      throw new ShapeError(`${this.name}: setWeights expects ${this.weights.length} tensors [${this.weights.map((w) => w.name).join(', ')}], got ${Array.isArray(ws) ? ws.length : typeof ws}`);
    }
    ws.forEach((t, i) => {
      const want = this.weights[i].value.shape;
      if (!(t instanceof Tensor) || t.shape.length !== want.length || t.shape.some((d, j) => d !== want[j])) {
        throw new ShapeError(`${this.name}: setWeights ${this.weights[i].name} must have shape ${fmtShape(want)}, got ${t instanceof Tensor ? fmtShape(t.shape) : typeof t}`);
      }
    });
    ws.forEach((t, i) => this.weights[i].value.data.set(t.data));
  }

  /** Number of scalar weights. */
  countParams(): number {
    return this.weights.reduce((n, w) => n + w.value.size, 0);
  }

  /** Keras-style config for summary() and serialization. */
  getConfig(): Record<string, unknown> {
    return { name: this.name };
  }

  // ---- helpers for subclasses (additions; the contract above is unchanged) ----

  /**
   * Checks that `inputs` is a non-empty array of Tensors with a batch axis, then lets a layer be
   * used on its own (`layer.forward([x], false)`) without apply(): builds it from the inputs'
   * feature shapes (batch dropped) on first use. A built layer is not rebuilt, but its
   * computeOutputShape still validates the inputs.
   */
  protected ensureBuilt(inputs: Tensor[]): void {
    if (!Array.isArray(inputs) || inputs.length === 0) {
      throw new ConfigError(`${this.name}: forward expects a non-empty array of Tensors, got ${fmtValue(inputs)}`);
    }
    for (let i = 0; i < inputs.length; i++) {
      const t = inputs[i];
      if (!(t instanceof Tensor)) throw new ConfigError(`${this.name}: input ${i} must be a Tensor, got ${fmtValue(t)}`);
      if (t.rank < 1) throw new ShapeError(`${this.name}: input ${i} must have a batch dimension, got shape ${fmtShape(t.shape)}`);
    }
    const shapes = inputs.map((t) => t.shape.slice(1));
    // A built layer still checks that these inputs are legal for it (a weightless layer built
    // elsewhere, e.g. softmax, must not silently run across the wrong axis).
    if (!this.built) this.build(shapes);
    else this.computeOutputShape(shapes);
  }

  /**
   * Creates a weight filled by `init` (drawing from `rng`), with a zeroed gradient buffer. A
   * constraint that cannot apply to this shape (an axis out of range) is a ShapeError here, at build.
   */
  protected makeWeight(name: string, target: WeightTarget, shape: number[], init: Initializer,
    regularizer: Regularizer | null, rng: Random, constraint: Constraint | null = null): LayerWeight {
    checkShape(this.name, `${name} shape`, shape); // a huge size option is a ShapeError here, not a RangeError
    constraint?.checkShape?.(`${this.name}: ${name}`, shape);
    const value = new Tensor(init.init(shape, rng), shape);
    return { name, target, value, grad: new Float32Array(value.size), regularizer, constraint, trainable: true };
  }
}

/** weight.grad += g (same number of elements). */
export function accumulateGrad(weight: LayerWeight, g: Tensor): void {
  addInto(weight.grad, g.data, weight.grad.length);
}

/** A regularizer's Keras-style config for getConfig()/summary(); null when there is none. */
export function regularizerConfig(r: Regularizer | null): { className: string; config: Record<string, number> } | null {
  if (r === null) return null;
  if (typeof r.getConfig === 'function') return r.getConfig();
  return { className: r.constructor?.name && r.constructor.name !== 'Object' ? r.constructor.name : 'Custom', config: {} };
}

// ---- option validation shared by the layer files (messages name the layer and the argument) ----

/** Throws ConfigError on an option name the layer does not know (catches typos like `kernelRegulariser`). */
export function checkOptionNames(layer: string, opts: object, allowed: readonly string[]): void {
  if (opts === null || typeof opts !== 'object' || Array.isArray(opts)) {
    throw new ConfigError(`${layer}: options must be an object, got ${fmtValue(opts)}`);
  }
  for (const key of Object.keys(opts)) {
    if (!allowed.includes(key) && (opts as Record<string, unknown>)[key] !== undefined) {
      throw new ConfigError(`${layer}: unknown option ${fmtValue(key)} (allowed: ${allowed.join(', ')})`);
    }
  }
}

/** A positive integer option. */
export function positiveInt(layer: string, arg: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) {
    throw new ConfigError(`${layer}: ${arg} must be a positive integer, got ${fmtValue(v)}`);
  }
  return v;
}

/** A number or an array of `rank` positive integers, expanded to `rank` entries. */
export function positiveIntTuple(layer: string, arg: string, v: unknown, rank: number): number[] {
  if (typeof v === 'number') return new Array<number>(rank).fill(positiveInt(layer, arg, v));
  if (!Array.isArray(v) || v.length !== rank || !v.every((d) => typeof d === 'number' && Number.isInteger(d) && d >= 1)) {
    throw new ConfigError(`${layer}: ${arg} must be a positive integer or an array of ${rank} positive integers, got ${fmtValue(v)}`);
  }
  return v.slice();
}

/** A boolean option with a default. */
export function boolOption(layer: string, arg: string, v: unknown, dflt: boolean): boolean {
  if (v === undefined) return dflt;
  if (typeof v !== 'boolean') throw new ConfigError(`${layer}: ${arg} must be true or false, got ${fmtValue(v)}`);
  return v;
}

/** An optional finite-number seed. */
export function seedOption(layer: string, v: unknown): number | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new ConfigError(`${layer}: seed must be a finite number, got ${fmtValue(v)}`);
  return v;
}
