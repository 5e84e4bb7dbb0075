/**
 * Model: a graph of layers with compile / fit / evaluate / predict (API.md, "Models").
 *
 *   sequential([l1, l2, l3])                 a chain; built at once from l1's inputShape, or on
 *                                            the first data it sees (x.shape without the batch)
 *   const x = input({ shape: [8] });         functional DAG: fan-out, merges (add, concatenate),
 *   const h = d1.apply(x); …                 shared layers (one layer applied at several places:
 *   model({ inputs: x, outputs: y })         its weights appear and are penalised once)
 *
 * The executable graph is lib/graph/graph.ts; the penalty hook lib/training/penalties.ts; the
 * training loop lib/training/fit.ts.
 */
import { checkFinite, checkFiniteData } from '../training/data-checks';
import { ConfigError, ShapeError, ValueError, fmtShape, fmtValue } from '../errors';
import { Layer, LayerWeight } from '../layers/layer';
import { Tensor } from '../tensor';
import { SymbolicTensor } from './symbolic';
import { Graph } from './graph';
import { LossBreakdown, PenaltyTerm, weightPenalties } from '../training/penalties';
import * as losses from '../training/losses';
import * as optimizers from '../training/optimizers';
import { Metric, getMetric } from '../training/metrics';
import { modelToTopology } from '../io/topology';
import { IOHandler, SaveConfig, SaveResult, saveModel } from '../io/artifacts';
import { FitOptions, History, checkBatchSize, evaluateBatches, fitModel, sampleWeightArray, sliceRows, targetList } from '../training/fit';

export type { LossBreakdown, PenaltyTerm } from '../training/penalties';
export { History } from '../training/fit';
export type { FitOptions } from '../training/fit';

const modelCounter: Record<string, number> = {};
function defaultModelName(prefix: string): string {
  modelCounter[prefix] = (modelCounter[prefix] ?? 0) + 1;
  return `${prefix}_${modelCounter[prefix]}`;
}

/** A graph input; `shape` excludes the batch dimension. */
export function input(opts: { shape: number[]; name?: string }): SymbolicTensor {
  if (opts === null || typeof opts !== 'object') throw new ConfigError(`input: expects { shape }, got ${fmtValue(opts)}`);
  const { shape } = opts;
  if (!Array.isArray(shape) || !shape.every((d) => Number.isInteger(d) && d > 0)) {
    throw new ConfigError(`input: shape must be an array of positive integers (no batch dimension), got ${fmtValue(shape)}`);
  }
  if (opts.name !== undefined && (typeof opts.name !== 'string' || opts.name === '')) {
    throw new ConfigError(`input: name must be a non-empty string, got ${fmtValue(opts.name)}`);
  }
  return new SymbolicTensor([null, ...shape], null, [], opts.name ?? defaultModelName('input'));
}

export interface CompileOptions {
  optimizer: optimizers.OptimizerIdentifier;
  /**
   * One loss (for every output), or for a multi-output model an array with one loss per output or
   * an object keyed by output name (the output layer's name).
   */
  loss: losses.LossIdentifier | losses.LossIdentifier[] | Record<string, losses.LossIdentifier>;
  /** Multi-output models: the metrics apply to every output, logged as `<output>_<metric>`. */
  metrics?: (string | Metric)[];
  /** Factor of each output's loss in the total (array in output order, or by output name); default 1. */
  lossWeights?: number[] | Record<string, number>;
}

interface Compiled {
  optimizer: optimizers.Optimizer;
  /** The first output's loss (the loss, for single-output models). */
  loss: losses.Loss;
  /** One loss per output. */
  losses: losses.Loss[];
  lossWeights: number[];
  metricIds: (string | Metric)[];
}

/** A compiled metric bound to one output: `key` is its History/log name. */
export interface OutputMetric { output: number; key: string; metric: Metric }

/** Names layer errors: a ShapeError thrown while building gets the layer's name if it lacks it. */
function withLayerName<T>(layer: Layer, f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof ShapeError && !e.message.includes(layer.name)) throw new ShapeError(`${layer.name}: ${e.message}`);
    throw e;
  }
}

function toInputList(who: string, x: unknown): Tensor[] {
  const xs = Array.isArray(x) ? x : [x];
  if (xs.length === 0 || !xs.every((t) => t instanceof Tensor)) {
    throw new ValueError(`${who}: x must be a Tensor (or an array of Tensors, one per model input), got ${fmtValue(x)}`);
  }
  xs.forEach((t: Tensor) => {
    if (t.rank < 1 || t.shape[0] < 1) throw new ShapeError(`${who}: x must have a batch dimension of at least 1 [batch, …], got shape ${fmtShape(t.shape)}`);
  });
  return xs as Tensor[];
}

export class Model {
  readonly name: string;
  /** Set by a callback to stop fit() after the current batch (Keras' stop_training). */
  stopTraining = false;
  /** @internal */ graph: Graph | null = null;
  /** @internal true while a fit() call runs (a second concurrent fit is refused). */
  isTraining = false;
  /** Layers of a sequential model, kept for deferred build and add(). */
  private readonly chain: Layer[] | null;
  private compiled: Compiled | null = null;

  /** @internal use sequential() or model(). */
  constructor(opts: { name?: string; chain?: Layer[]; inputs?: SymbolicTensor[]; output?: SymbolicTensor | SymbolicTensor[] }) {
    this.name = opts.name ?? defaultModelName(opts.chain ? 'sequential' : 'model');
    this.chain = opts.chain ?? null;
    if (opts.inputs && opts.output) this.graph = new Graph(opts.inputs, opts.output);
    else if (this.chain && this.chain.length > 0 && this.chain[0].inputShape) this.buildChain(this.chain[0].inputShape);
  }

  // ------------------------------------------------------------------------------------------------
  // Structure

  /** Unique layers in topological order (empty for a sequential model not built yet: see `chain`). */
  get layers(): Layer[] {
    if (this.graph) return this.graph.layers.slice();
    return this.chain ? this.chain.filter((l, i, a) => a.indexOf(l) === i) : [];
  }

  /** The layer called `name` (Keras' get_layer); ConfigError naming the layers when there is none. */
  getLayer(name: string): Layer {
    const layer = this.layers.find((l) => l.name === name);
    if (!layer) throw new ConfigError(`${this.name}: no layer named ${fmtValue(name)} (layers: ${this.layers.map((l) => l.name).join(', ')})`);
    return layer;
  }

  /** The graph inputs (SymbolicTensors with a null batch dimension); [] before a deferred build. */
  get inputs(): SymbolicTensor[] {
    return this.graph ? this.graph.inputs.slice() : [];
  }

  /** The graph outputs (Keras' model.outputs; one for sequential models); [] before a deferred build. */
  get outputs(): SymbolicTensor[] {
    return this.graph ? this.graph.outputs.slice() : [];
  }

  /** Each output's name (its layer's name): the prefix of `<name>_loss` and `<name>_<metric>`. */
  get outputNames(): string[] {
    return this.graph ? this.graph.outputs.map((t) => t.sourceLayer ? t.sourceLayer.name : t.name) : [];
  }

  /** Number of outputs (1 for sequential models, built or not). */
  get outputCount(): number {
    return this.graph ? this.graph.outputSlots.length : 1;
  }

  get built(): boolean {
    return this.graph !== null;
  }

  /** Every weight of every layer, in getWeights() order (layer order, kernel then bias). */
  get weights(): LayerWeight[] {
    return this.layers.flatMap((l) => l.weights);
  }

  /** Appends a layer to a sequential model. */
  add(layer: Layer): void {
    if (!this.chain) throw new ConfigError(`${this.name}: add() is for sequential models; build functional models with input()/apply()/model()`);
    if (!(layer instanceof Layer)) throw new ConfigError(`${this.name}: add expects a Layer, got ${fmtValue(layer)}`);
    if (this.graph) {
      const out = withLayerName(layer, () => layer.apply(this.graph!.output));
      this.chain.push(layer);
      this.graph = new Graph(this.graph.inputs, out);
    } else {
      this.chain.push(layer);
      if (this.chain.length === 1 && layer.inputShape) this.buildChain(layer.inputShape);
    }
  }

  /** Output feature shapes of the chain for this input shape, without building anything. */
  private dryRunChain(featureShape: number[]): number[] {
    let s = featureShape;
    for (const layer of this.chain!) {
      const cur = s;
      s = withLayerName(layer, () => {
        if (layer.built) {
          const b = layer.builtInputShapes!;
          if (b.length !== 1 || b[0].length !== cur.length || b[0].some((d, i) => d !== cur[i])) {
            throw new ShapeError(`${layer.name}: layer was built for input shape ${b.map(fmtShape).join(', ')} but receives ${fmtShape(cur)}`);
          }
        }
        return layer.computeOutputShape([cur]);
      });
    }
    return s;
  }

  private buildChain(featureShape: number[]): void {
    if (this.chain!.length === 0) throw new ConfigError(`${this.name}: a sequential model needs at least one layer`);
    this.dryRunChain(featureShape);
    const x = input({ shape: featureShape, name: `${this.name}_input` });
    let t = x;
    for (const layer of this.chain!) t = withLayerName(layer, () => layer.apply(t));
    this.graph = new Graph([x], t);
  }

  /**
   * @internal Checks x against the model (building a deferred sequential model only when `build`)
   * and returns the output feature shape. Throws before changing anything.
   */
  prepare(who: string, xs: Tensor[], build: boolean): number[] {
    if (this.graph) {
      this.graph.checkInputs(who, xs);
      return this.graph.outputShape;
    }
    if (!this.chain || this.chain.length === 0) throw new ConfigError(`${who}: ${this.name} has no layers`);
    if (xs.length !== 1) throw new ShapeError(`${who}: a sequential model has 1 input, got ${xs.length} tensors`);
    const out = this.dryRunChain(xs[0].shape.slice(1));
    if (build) this.buildChain(xs[0].shape.slice(1));
    return out;
  }

  // ------------------------------------------------------------------------------------------------
  // Compile

  /** Sets the optimizer, loss and metrics (see API.md). Recompiling replaces them. */
  compile(opts: CompileOptions): void {
    if (opts === null || typeof opts !== 'object') throw new ConfigError(`compile: expects { optimizer, loss, metrics? }, got ${fmtValue(opts)}`);
    for (const k of Object.keys(opts)) {
      if (!['optimizer', 'loss', 'metrics', 'lossWeights'].includes(k)) throw new ConfigError(`compile: unknown option ${fmtValue(k)} (allowed: optimizer, loss, metrics, lossWeights)`);
    }
    if (opts.optimizer === undefined) throw new ConfigError(`compile: optimizer is required ('sgd', 'adam', 'adamw', 'rmsprop' or optimizers.*())`);
    if (opts.loss === undefined) throw new ConfigError(`compile: loss is required (e.g. 'meanSquaredError')`);
    const optimizer = optimizers.get(opts.optimizer, 'compile');
    const lossList = this.resolveLosses(opts.loss);
    const lossWeights = this.resolveLossWeights(opts.lossWeights);
    const loss = lossList[0];
    const metricIds = opts.metrics ?? [];
    if (!Array.isArray(metricIds)) throw new ConfigError(`compile: metrics must be an array such as ['accuracy'], got ${fmtValue(metricIds)}`);
    metricIds.forEach((m) => getMetric(m, loss, [1])); // validates the identifiers
    const names = metricIds.map((m) => (typeof m === 'string' ? m : m.name));
    if (new Set(names).size !== names.length) throw new ConfigError(`compile: metrics must not repeat, got ${fmtValue(names)}`);
    this.compiled = { optimizer, loss, losses: lossList, lossWeights, metricIds: metricIds.slice() };
  }

  /** compile's `loss`: one identifier (a fresh Loss per output), an array per output, or by output name. */
  private resolveLosses(id: unknown): losses.Loss[] {
    const n = this.outputCount, names = this.outputNames;
    if (Array.isArray(id)) {
      if (id.length !== n) throw new ConfigError(`compile: loss is an array of ${id.length} but the model has ${n} output(s)${n > 1 ? ` [${names.join(', ')}]` : ''}`);
      return id.map((l) => losses.get(l as losses.LossIdentifier, 'compile'));
    }
    const isDict = n > 1 && id !== null && typeof id === 'object' && typeof (id as losses.Loss).compute !== 'function' &&
      Object.keys(id as object).every((k) => names.includes(k));
    if (isDict) {
      const d = id as Record<string, losses.LossIdentifier>;
      const missing = names.filter((nm) => d[nm] === undefined);
      if (missing.length > 0) throw new ConfigError(`compile: loss has no entry for output(s) ${missing.join(', ')} (outputs: ${names.join(', ')})`);
      return names.map((nm) => losses.get(d[nm], 'compile'));
    }
    return Array.from({ length: n }, () => losses.get(id as losses.LossIdentifier, 'compile'));
  }

  private resolveLossWeights(v: unknown): number[] {
    const n = this.outputCount, names = this.outputNames;
    if (v === undefined) return new Array<number>(n).fill(1);
    const check = (w: unknown, where: string): number => {
      if (typeof w !== 'number' || !Number.isFinite(w)) throw new ConfigError(`compile: lossWeights${where} must be a finite number, got ${fmtValue(w)}`);
      return w;
    };
    if (Array.isArray(v)) {
      if (v.length !== n) throw new ConfigError(`compile: lossWeights has ${v.length} entries but the model has ${n} output(s)`);
      return v.map((w, i) => check(w, `[${i}]`));
    }
    if (v !== null && typeof v === 'object') {
      for (const k of Object.keys(v)) if (!names.includes(k)) throw new ConfigError(`compile: lossWeights names ${fmtValue(k)}, which is not an output (outputs: ${names.join(', ')})`);
      return names.map((nm) => ((v as Record<string, unknown>)[nm] === undefined ? 1 : check((v as Record<string, unknown>)[nm], `.${nm}`)));
    }
    throw new ConfigError(`compile: lossWeights must be an array of numbers or an object by output name, got ${fmtValue(v)}`);
  }

  get optimizer(): optimizers.Optimizer | null {
    return this.compiled ? this.compiled.optimizer : null;
  }

  get loss(): losses.Loss | null {
    return this.compiled ? this.compiled.loss : null;
  }

  /** @internal */
  requireCompiled(who: string): Compiled {
    if (!this.compiled) throw new ConfigError(`${who}: the model must be compiled first: model.compile({ optimizer, loss })`);
    return this.compiled;
  }

  /** @internal metrics resolved for this output shape (accuracy depends on loss and shape). */
  metrics(outputShape: number[]): Metric[] {
    const c = this.compiled!;
    return c.metricIds.map((m) => getMetric(m, c.loss, outputShape));
  }

  /**
   * @internal Every compiled metric for every output (the model must be built): single-output
   * models log `<metric>`, multi-output models `<output>_<metric>` (each output's own loss decides
   * what 'accuracy' means).
   */
  outputMetrics(): OutputMetric[] {
    const c = this.compiled!, graph = this.graph!;
    const shapes = graph.outputShapes, names = this.outputNames, multi = shapes.length > 1;
    const out: OutputMetric[] = [];
    shapes.forEach((shape, k) => {
      for (const id of c.metricIds) {
        const metric = getMetric(id, c.losses[k], shape);
        out.push({ output: k, key: multi ? `${names[k]}_${metric.name}` : metric.name, metric });
      }
    });
    return out;
  }

  /**
   * @internal The data loss Σ_k lossWeight_k · loss_k(y_k, p_k) (sample-weighted when `w`), each
   * output's weighted term, and (when `withGrad`) the gradient for each output.
   */
  dataLoss(ys: Tensor[], yPreds: Tensor[], withGrad: boolean, w?: Float32Array | null): { value: number; perOutput: number[]; grads: Tensor[] } {
    const c = this.compiled!;
    const perOutput: number[] = [], grads: Tensor[] = [];
    let total = 0;
    yPreds.forEach((yp, k) => {
      const loss = c.losses[k], lw = c.lossWeights[k];
      let value: number, grad: Tensor | null = null;
      if (w) {
        const r = losses.weightedLoss(loss, ys[k], yp, w, withGrad);
        value = r.value;
        grad = r.grad;
      } else if (withGrad) {
        ({ value, grad } = loss.valueAndGradient(ys[k], yp));
      } else {
        value = loss.compute(ys[k], yp);
      }
      if (lw !== 1) {
        value *= lw;
        if (grad) grad = new Tensor(grad.data.map((g) => g * lw), grad.shape);
      }
      perOutput.push(value);
      if (grad) grads.push(grad);
      total += value;
    });
    return { value: total, perOutput, grads };
  }

  // ------------------------------------------------------------------------------------------------
  // One step, and the quantities built on it

  /**
   * @internal One forward + backward on a batch: zeroes the gradients, runs forward (training mode
   * or not), the data loss and its gradient, the backward with the penalty hook. Returns the loss
   * parts and the predictions. Does not update the weights.
   */
  step(xs: Tensor[], y: Tensor | Tensor[], training: boolean, terms?: PenaltyTerm[], sampleWeight?: Float32Array | null):
    { data: number; penalty: number; yPred: Tensor; yPreds: Tensor[]; perOutput: number[] } {
    const graph = this.graph!;
    for (const l of graph.layers) for (const w of l.weights) w.grad.fill(0);
    const { ys: yPreds, activity } = graph.forward(xs, training, true, terms);
    // Sample weights (fit's sampleWeight/classWeight) scale the data loss only, as Keras.
    const { value, perOutput, grads } = this.dataLoss(Array.isArray(y) ? y : [y], yPreds, true, sampleWeight);
    graph.backward(grads.length === 1 ? grads[0] : grads);
    const weightPenalty = weightPenalties(graph.layers, terms);
    return { data: value, penalty: weightPenalty + activity, yPred: yPreds[0], yPreds, perOutput };
  }

  /** @internal Forward only; activity penalties when `terms` or `withActivity`. */
  forward(xs: Tensor[], training: boolean, withActivity: boolean, terms?: PenaltyTerm[]): { y: Tensor; activity: number } {
    return this.graph!.forward(xs, training, withActivity, terms);
  }

  private checkXY(who: string, x: unknown, y: unknown): { xs: Tensor[]; yt: Tensor; yts: Tensor[] } {
    const c = this.requireCompiled(who);
    const xs = toInputList(who, x);
    const yts = targetList(who, 'y', y, this.outputCount);
    const out = this.prepare(who, xs, false);
    const outShapes = this.graph ? this.graph.outputShapes : [out];
    yts.forEach((yt, k) => {
      const arg = yts.length > 1 ? `y[${k}]` : 'y';
      if (yt.shape[0] !== xs[0].shape[0]) throw new ShapeError(`${who}: x and ${arg} must have the same number of samples, got ${xs[0].shape[0]} and ${yt.shape[0]}`);
      c.losses[k].checkTargets?.(yts.length > 1 ? `${who}: ${arg}` : who, yt, [xs[0].shape[0], ...outShapes[k]]);
    });
    checkFiniteData(who, xs, yts[0], 'x', yts.length > 1 ? 'y[0]' : 'y');
    for (let k = 1; k < yts.length; k++) checkFinite(who, `y[${k}]`, yts[k]);
    this.prepare(who, xs, true);
    return { xs, yt: yts[0], yts };
  }

  /**
   * The total loss on (x, y) split into the data loss and every penalty term (by layer and target),
   * in inference mode (dropout off), with x taken as ONE batch of N samples: activity terms are
   * Σ reg.penalty(y) / N. To bound memory, the forward runs in chunks of `batchSize` (default 256)
   * and the parts are summed (data weighted by chunk size, activity penalties over N) — the same
   * value as one batch for losses that are means over samples and for regularizers that are sums
   * over elements (l1, l2, l1l2). Pass batchSize ≥ N to force a single forward.
   */
  lossBreakdown(x: Tensor | Tensor[], y: Tensor | Tensor[], opts: { batchSize?: number } = {}): LossBreakdown {
    checkBatchSize('lossBreakdown', opts);
    const chunk = opts.batchSize ?? 256;
    const { xs, yts } = this.checkXY('lossBreakdown', x, y);
    const graph = this.graph!;
    const n = xs[0].shape[0];
    let data = 0, activity = 0;
    let activityTerms: PenaltyTerm[] = [];
    for (let start = 0; start < n; start += chunk) {
      const count = Math.min(chunk, n - start);
      const w = count / n; // 1 for a single chunk: then every value is exactly the one-batch value
      const terms: PenaltyTerm[] = [];
      const { ys: yPreds, activity: a } = graph.forward(xs.map((t) => sliceRows(t, start, count)), false, true, terms);
      const d = this.dataLoss(w === 1 ? yts : yts.map((t) => sliceRows(t, start, count)), yPreds, false).value;
      data += w === 1 ? d : d * w;
      activity += a * w;
      if (start === 0) activityTerms = terms.map((t) => ({ ...t, value: t.value * w }));
      else terms.forEach((t, i) => { activityTerms[i].value += t.value * w; });
    }
    graph.release();
    const weightTerms: PenaltyTerm[] = [];
    const weightPenalty = weightPenalties(graph.layers, weightTerms);
    const penalties = orderTerms(graph.layers, weightTerms, activityTerms);
    return { total: data + weightPenalty + activity, data, penalties };
  }

  /**
   * Gradients of the total loss (data + penalties) w.r.t. every weight, aligned with getWeights(),
   * in inference mode (dropout off), on the whole of x as one batch.
   */
  gradients(x: Tensor | Tensor[], y: Tensor | Tensor[]): { loss: LossBreakdown; grads: Tensor[] } {
    const { xs, yts } = this.checkXY('gradients', x, y);
    const terms: PenaltyTerm[] = [];
    const { data, penalty } = this.step(xs, yts, false, terms);
    this.graph!.release();
    const penalties = orderTerms(this.graph!.layers, terms.filter((t) => t.target !== 'activity'), terms.filter((t) => t.target === 'activity'));
    const grads = this.weights.map((w) => new Tensor(w.grad.slice(), w.value.shape));
    return { loss: { total: data + penalty, data, penalties }, grads };
  }

  // ------------------------------------------------------------------------------------------------
  // Train, evaluate, predict

  /** Trains the model (see FitOptions and API.md). Validates every argument before changing anything. */
  fit(x: Tensor | Tensor[], y: Tensor | Tensor[], opts: FitOptions = {}): Promise<History> {
    return fitModel(this, x, y, opts);
  }

  /**
   * Loss (data + penalties, as Keras), data_loss and the compiled metrics on (x, y), in batches,
   * in inference mode. The activity penalty of each batch is divided by its size and the batches are
   * weighted by their sizes, so the result does not depend on batchSize. `sampleWeight` (one
   * number per sample) weights the data loss as in fit: Σ w·loss / N. Multi-output models take one
   * target per output and also report `<output>_loss` (its lossWeight included) and `<output>_<metric>`.
   */
  evaluate(x: Tensor | Tensor[], y: Tensor | Tensor[], opts: { batchSize?: number; sampleWeight?: Tensor | Float32Array | number[] } = {}): Record<string, number> {
    const who = 'evaluate';
    const { sampleWeight, ...rest } = (opts ?? {}) as { sampleWeight?: unknown };
    const batchSize = checkBatchSize(who, opts === null || typeof opts !== 'object' ? opts : rest);
    const { xs, yts } = this.checkXY(who, x, y);
    const w = sampleWeight === undefined ? null : sampleWeightArray(who, 'sampleWeight', sampleWeight, yts[0].shape[0]);
    return evaluateBatches(this, xs, yts, batchSize, '', w);
  }

  /**
   * Outputs for x, computed in batches (default 32), inference mode. A multi-output model has one
   * tensor per output: use predictOutputs (predict throws a ConfigError saying so).
   */
  predict(x: Tensor | Tensor[], opts: { batchSize?: number } = {}): Tensor {
    if (this.outputCount > 1) {
      throw new ConfigError(`predict: ${this.name} has ${this.outputCount} outputs [${this.outputNames.join(', ')}]; use predictOutputs(x), which returns one tensor per output`);
    }
    return this.predictOutputs(x, opts)[0];
  }

  /** Every output for x (one tensor per output, in model order), in batches, inference mode. */
  predictOutputs(x: Tensor | Tensor[], opts: { batchSize?: number } = {}): Tensor[] {
    const who = 'predict';
    const batchSize = checkBatchSize(who, opts);
    const xs = toInputList(who, x);
    this.prepare(who, xs, false);
    this.prepare(who, xs, true);
    const graph = this.graph!;
    const n = xs[0].shape[0];
    const shapes = graph.outputShapes;
    const sizes = shapes.map((s) => s.reduce((a, b) => a * b, 1));
    const outs = sizes.map((sz) => new Float32Array(n * sz));
    for (let start = 0; start < n; start += batchSize) {
      const count = Math.min(batchSize, n - start);
      const batch = xs.map((t) => sliceRows(t, start, count));
      const { ys } = graph.forward(batch, false, false);
      ys.forEach((y, k) => outs[k].set(y.data, start * sizes[k]));
    }
    graph.release();
    return outs.map((o, k) => new Tensor(o, [n, ...shapes[k]]));
  }


  // ------------------------------------------------------------------------------------------------
  // Weights

  /** Copies of every weight: layer order, kernel then bias. */
  getWeights(): Tensor[] {
    return this.weights.map((w) => w.value.clone());
  }

  /** Sets every weight (getWeights() order). Checks all shapes first: nothing half-applied. */
  setWeights(ws: Tensor[]): void {
    const weights = this.weights;
    if (!Array.isArray(ws) || ws.length !== weights.length) {
      throw new ShapeError(`${this.name}: setWeights expects ${weights.length} tensors, got ${Array.isArray(ws) ? ws.length : fmtValue(ws)}`);
    }
    const owner = this.layers.flatMap((l) => l.weights.map(() => l.name));
    ws.forEach((t, i) => {
      const want = weights[i].value.shape;
      if (!(t instanceof Tensor) || t.rank !== want.length || t.shape.some((d, j) => d !== want[j])) {
        throw new ShapeError(`${this.name}: setWeights[${i}] (${owner[i]}/${weights[i].name}) must have shape ${fmtShape(want)}, got ${t instanceof Tensor ? fmtShape(t.shape) : fmtValue(t)}`);
      }
    });
    ws.forEach((t, i) => weights[i].value.data.set(t.data));
  }

  countParams(): number {
    return this.layers.reduce((n, l) => n + l.countParams(), 0);
  }

  // ------------------------------------------------------------------------------------------------
  // Persistence (lib/io): the TensorFlow.js layers-model format

  /**
   * The Keras model config (Keras' `to_json`, tfjs' `toJSON`): a JSON string by default, the object
   * with `returnString = false`. `modelFromJSON` rebuilds the model (fresh weights) from either.
   */
  toJSON(unused?: unknown, returnString = true): string | object {
    const topology = modelToTopology(this);
    return returnString ? JSON.stringify(topology) : topology;
  }

  /** Saves topology and weights (and, with includeOptimizer, the training state) through a handler. */
  save(handler: IOHandler, config?: SaveConfig): Promise<SaveResult> {
    return saveModel(this, handler, config);
  }

  /** @internal The layers of a sequential model (null for a functional one), for serialization. */
  get chainLayers(): Layer[] | null {
    return this.chain ? this.chain.slice() : null;
  }

  /** @internal The compiled metric names, for serialization. */
  get metricNames(): string[] {
    return this.compiled ? this.compiled.metricIds.map((m) => (typeof m === 'string' ? m : m.name)) : [];
  }

  // ------------------------------------------------------------------------------------------------
  // Summary

  /**
   * A table of the layers (one row per node), their output shapes, parameter counts and
   * regularizers, then the totals. Returned as a string: `console.log(model.summary())`.
   */
  summary(): string {
    const graph = this.graph;
    const rows: string[][] = [['Layer (type)', 'Output shape', 'Params', 'Regularizers']];
    const functional = !this.chain;
    if (functional) rows[0].push('Connected to');
    if (!graph) {
      for (const l of this.layers) rows.push([`${l.name} (${l.className})`, '? (not built)', String(l.countParams()), regularizerText(l)].concat(functional ? [''] : []));
    } else {
      if (functional) {
        graph.inputSlots.forEach((s) => rows.push([`${graph.slotNames[s]} (InputLayer)`, shapeText(graph.slotShapes[s]), '0', '', '']));
      }
      const seen = new Set<Layer>();
      for (const node of graph.nodes) {
        const l = node.layer;
        const shared = seen.has(l);
        seen.add(l);
        const row = [`${l.name} (${l.className})`, shapeText(graph.slotShapes[node.output]), shared ? '(shared)' : l.countParams().toLocaleString('en-US'), shared ? '' : regularizerText(l)];
        if (functional) row.push(node.inputs.map((s) => graph.slotNames[s]).join(', '));
        rows.push(row);
      }
    }
    const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
    const line = (r: string[]) => r.map((cell, c) => cell.padEnd(widths[c])).join('  ').trimEnd();
    const total = widths.reduce((a, b) => a + b, 0) + 2 * (widths.length - 1);
    const weights = this.weights;
    const trainable = weights.filter((w) => w.trainable).reduce((n, w) => n + w.value.size, 0);
    const all = weights.reduce((n, w) => n + w.value.size, 0);
    const out = [
      `Model: "${this.name}"`,
      '_'.repeat(total),
      line(rows[0]),
      '='.repeat(total),
      ...rows.slice(1).map(line),
      '='.repeat(total),
      `Total params: ${all.toLocaleString('en-US')}`,
      `Trainable params: ${trainable.toLocaleString('en-US')}`,
      `Non-trainable params: ${(all - trainable).toLocaleString('en-US')}`,
    ];
    if (this.compiled) {
      const c = this.compiled;
      out.push(`Optimizer: ${c.optimizer.className}  Loss: ${c.loss.name}${c.loss.fromLogits ? ' (fromLogits)' : ''}`);
    }
    return out.join('\n');
  }
}

/** Penalty terms layer by layer (model order): kernel and bias, then the layer's activity term(s). */
function orderTerms(layers: Layer[], weightTerms: PenaltyTerm[], activityTerms: PenaltyTerm[]): PenaltyTerm[] {
  const out: PenaltyTerm[] = [];
  for (const layer of layers) {
    for (const t of weightTerms) if (t.layer === layer.name) out.push(t);
    for (const t of activityTerms) if (t.layer === layer.name) out.push(t);
  }
  return out;
}

function shapeText(s: number[]): string {
  return `[null,${s.join(',')}]`;
}

function regText(r: { getConfig?: () => { className: string; config: Record<string, number> } }): string {
  if (typeof r.getConfig !== 'function') return 'custom';
  const { className, config } = r.getConfig();
  return `${className}(${Object.entries(config).map(([k, v]) => `${k}=${v}`).join(', ')})`;
}

function regularizerText(l: Layer): string {
  const parts: string[] = [];
  for (const w of l.weights) if (w.regularizer) parts.push(`${w.target}: ${regText(w.regularizer)}${w.trainable ? '' : ' (frozen)'}`);
  if (l.activityRegularizer) parts.push(`activity: ${regText(l.activityRegularizer)}`);
  return parts.join(', ');
}

/** A chain of layers. Built at once when the first layer has `inputShape`, else on first data. */
export function sequential(layers: Layer[] = [], opts: { name?: string } = {}): Model {
  if (!Array.isArray(layers)) throw new ConfigError(`sequential: expects an array of layers, got ${fmtValue(layers)}`);
  layers.forEach((l, i) => {
    if (!(l instanceof Layer)) throw new ConfigError(`sequential: layers[${i}] must be a Layer (e.g. layers.dense({ units: 8 })), got ${fmtValue(l)}`);
  });
  return new Model({ name: opts.name, chain: layers.slice() });
}

/**
 * A functional model from graph inputs to one or more outputs. Each output is named by its layer
 * (History `<name>_loss`, compile's loss/lossWeights by name), so the output layers must differ.
 */
export function model(opts: { inputs: SymbolicTensor | SymbolicTensor[]; outputs: SymbolicTensor | SymbolicTensor[]; name?: string }): Model {
  if (opts === null || typeof opts !== 'object') throw new ConfigError(`model: expects { inputs, outputs }, got ${fmtValue(opts)}`);
  const inputs = Array.isArray(opts.inputs) ? opts.inputs : [opts.inputs];
  const outputs = Array.isArray(opts.outputs) ? opts.outputs : [opts.outputs];
  if (inputs.length === 0 || !inputs.every((t) => t instanceof SymbolicTensor)) {
    throw new ConfigError(`model: inputs must be a SymbolicTensor from input() (or an array of them), got ${fmtValue(opts.inputs)}`);
  }
  if (outputs.length === 0 || !outputs.every((t) => t instanceof SymbolicTensor)) {
    throw new ConfigError(`model: outputs must be a SymbolicTensor (or an array of them), got ${fmtValue(opts.outputs)}`);
  }
  const names = outputs.map((t) => (t.sourceLayer ? t.sourceLayer.name : t.name));
  const dup = names.find((nm, i) => names.indexOf(nm) !== i);
  if (dup !== undefined) throw new ConfigError(`model: two outputs are named ${fmtValue(dup)} (outputs are named by their layer; use distinct output layers)`);
  return new Model({ name: opts.name, inputs, output: outputs.length === 1 ? outputs[0] : outputs });
}
