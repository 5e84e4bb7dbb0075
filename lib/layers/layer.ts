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
import { ConfigError, ShapeError, fmtShape } from '../errors';
import { Tensor } from '../tensor';
import type { Regularizer } from '../regularizers';
import { SymbolicTensor } from '../graph/symbolic';

/** A trainable (or not) weight, its gradient buffer and its regularizer. */
export interface LayerWeight {
  /** 'kernel', 'bias' (or another name for layers with other weights). */
  name: string;
  /** Which penalty target this weight is for the loss breakdown. */
  target: 'kernel' | 'bias';
  /** The live value; optimizers update `value.data` in place. */
  value: Tensor;
  /** Gradient of the total loss w.r.t. value, same length; zeroed by the graph before each step. */
  grad: Float32Array;
  regularizer: Regularizer | null;
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

  /** Backward pass: returns d loss / d input for each input; adds weight gradients into `grad`. */
  abstract backward(ctx: unknown, dy: Tensor): Tensor[];

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
}
