/**
 * Embedding: integer indices → rows of a trainable table (Keras Embedding).
 *
 *   x [batch, ...] integer indices in [0, inputDim) (stored as float32, as every Ridge tensor)
 *   E [inputDim, outputDim]  (weight 'embeddings', penalty target 'embeddings')
 *   forward    y[n, :] = E[x[n], :]                      y [batch, ..., outputDim]
 *   backward   dE[x[n], :] += dY[n, :]                   a scatter-add (repeated indices add up)
 *              dX = 0 (indices are not differentiable)
 *
 * Every index is checked before anything is computed: a non-integer, a NaN, a negative index or
 * one >= inputDim is a ValueError naming the layer, the index and inputDim (TensorFlow's CPU
 * gather raises too; Keras casts floats to int32 first — Ridge refuses a fractional index rather
 * than truncate it silently).
 */
import { ConfigError, ShapeError, ValueError, fmtShape, fmtValue } from '../errors';
import { Random } from '../random';
import { Tensor } from '../tensor';
import { getRegularizer, Regularizer, RegularizerIdentifier } from '../regularizers';
import { getInitializer, Initializer } from '../initializers';
import { Constraint, ConstraintIdentifier, constraintConfig, getConstraint } from '../constraints';
import { gatherRows, scatterAddRows } from '../../kernels/rnn';
import { ForwardResult, Layer, checkOptionNames, positiveInt, regularizerConfig, seedOption } from './layer';
import type { InitializerIdentifier } from './kernel-layer';

export interface EmbeddingArgs {
  /** Vocabulary size: indices run over 0 … inputDim − 1. */
  inputDim: number;
  /** Size of each embedding vector. */
  outputDim: number;
  /** Default 'randomUniform' (U(−0.05, 0.05), Keras 'uniform'). */
  embeddingsInitializer?: InitializerIdentifier;
  embeddingsRegularizer?: RegularizerIdentifier | null;
  activityRegularizer?: RegularizerIdentifier | null;
  embeddingsConstraint?: ConstraintIdentifier | null;
  /** Only false: Ridge's graph carries no masks. */
  maskZero?: boolean;
  /** Length of the index sequences (a number, or the feature shape as an array); sets inputShape when that is absent. */
  inputLength?: number | number[];
  inputShape?: number[];
  name?: string;
  seed?: number;
}

const EMBEDDING_OPTIONS = ['inputDim', 'outputDim', 'embeddingsInitializer', 'embeddingsRegularizer', 'activityRegularizer',
  'embeddingsConstraint', 'maskZero', 'inputLength', 'inputShape', 'name', 'seed'] as const;

interface EmbeddingCtx { idx: Float32Array; xShape: readonly number[] }

function inputLengthOption(v: unknown): number[] | null {
  if (v === undefined || v === null) return null;
  const list = typeof v === 'number' ? [v] : v;
  if (!Array.isArray(list) || list.length === 0 || !list.every((d) => typeof d === 'number' && Number.isInteger(d) && d >= 1)) {
    throw new ConfigError(`embedding: inputLength must be a positive integer or an array of positive integers, got ${fmtValue(v)}`);
  }
  return list.slice();
}

export class Embedding extends Layer {
  readonly className = 'Embedding';
  // ---- config (validated) ----
  readonly inputDim: number;
  readonly outputDim: number;
  readonly embeddingsInitializer: Initializer;
  readonly embeddingsRegularizer: Regularizer | null;
  readonly embeddingsConstraint: Constraint | null;
  readonly maskZero: boolean;
  readonly inputLength: number[] | null;
  readonly seed: number | undefined;

  constructor(args: EmbeddingArgs) {
    checkOptionNames('embedding', args, EMBEDDING_OPTIONS);
    const inputLength = inputLengthOption(args.inputLength);
    super('embedding', { name: args.name, inputShape: args.inputShape ?? inputLength ?? undefined });
    const n = this.name;
    this.inputDim = positiveInt(n, 'inputDim', args.inputDim);
    this.outputDim = positiveInt(n, 'outputDim', args.outputDim);
    this.embeddingsInitializer = getInitializer(n, 'embeddingsInitializer', args.embeddingsInitializer, 'randomUniform');
    this.embeddingsRegularizer = getRegularizer(n, 'embeddingsRegularizer', args.embeddingsRegularizer);
    this.activityRegularizer = getRegularizer(n, 'activityRegularizer', args.activityRegularizer);
    this.embeddingsConstraint = getConstraint(n, 'embeddingsConstraint', args.embeddingsConstraint);
    if (args.maskZero !== undefined && args.maskZero !== false) {
      throw new ConfigError(`${n}: maskZero must be false: Ridge's graph carries no masks, got ${fmtValue(args.maskZero)}`);
    }
    this.maskZero = false;
    this.inputLength = inputLength;
    if (inputLength && args.inputShape && (inputLength.length !== args.inputShape.length || inputLength.some((d, i) => d !== args.inputShape![i]))) {
      throw new ConfigError(`${n}: inputLength ${fmtValue(args.inputLength)} does not match inputShape ${fmtValue(args.inputShape)}`);
    }
    this.seed = seedOption(n, args.seed ?? undefined); // null (from getConfig) = no seed
  }

  // ---- build ----
  protected override buildWeights(_inputShapes: number[][]): void {
    this.weights = [this.makeWeight('embeddings', 'embeddings', [this.inputDim, this.outputDim], this.embeddingsInitializer,
      this.embeddingsRegularizer, new Random(this.seed), this.embeddingsConstraint)];
  }

  // ---- output shape ----
  computeOutputShape(inputShapes: number[][]): number[] {
    if (inputShapes.length !== 1) throw new ShapeError(`${this.name}: expects exactly 1 input, got ${inputShapes.length}`);
    const s = inputShapes[0];
    const L = this.inputLength;
    if (L && (s.length !== L.length || s.some((d, i) => d !== L[i]))) {
      throw new ShapeError(`${this.name}: inputLength is ${fmtShape(L)} but the input has feature shape ${fmtShape(s)}`);
    }
    return [...s, this.outputDim];
  }

  // ---- forward ----
  forward(inputs: Tensor[], _training: boolean): ForwardResult {
    this.ensureBuilt(inputs);
    if (inputs.length !== 1) throw new ShapeError(`${this.name}: expects exactly 1 input, got ${inputs.length}`);
    const x = inputs[0];
    const idx = x.data;
    for (let n = 0; n < idx.length; n++) {
      const v = idx[n];
      if (!(Number.isInteger(v) && v >= 0 && v < this.inputDim)) {
        throw new ValueError(`${this.name}: index ${fmtValue(v)} at position ${n} of input shape ${fmtShape(x.shape)} is not an integer in [0, inputDim = ${this.inputDim})`);
      }
    }
    const d = this.outputDim;
    const y = new Float32Array(idx.length * d);
    gatherRows(this.weights[0].value.data, idx, idx.length, d, y);
    const ctx: EmbeddingCtx = { idx, xShape: x.shape };
    return { y: new Tensor(y, [...x.shape, d]), ctx };
  }

  // ---- backward ----
  backward(ctx: unknown, dy: Tensor, needDx = true): Tensor[] {
    const c = ctx as EmbeddingCtx;
    scatterAddRows(dy.data, c.idx, c.idx.length, this.outputDim, this.weights[0].grad);
    if (!needDx) return [];
    return [new Tensor(new Float32Array(c.idx.length), c.xShape)];
  }

  // ---- config ----
  override getConfig(): Record<string, unknown> {
    return {
      name: this.name,
      trainable: true,
      inputDim: this.inputDim,
      outputDim: this.outputDim,
      embeddingsInitializer: this.embeddingsInitializer.getConfig(),
      embeddingsRegularizer: regularizerConfig(this.embeddingsRegularizer),
      activityRegularizer: regularizerConfig(this.activityRegularizer),
      embeddingsConstraint: constraintConfig(this.embeddingsConstraint),
      maskZero: this.maskZero,
      inputLength: this.inputLength === null ? null : this.inputLength.length === 1 ? this.inputLength[0] : this.inputLength.slice(),
      seed: this.seed ?? null,
    };
  }
}
