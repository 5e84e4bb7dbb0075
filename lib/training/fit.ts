/**
 * The training loop behind model.fit(), and the batched evaluation behind evaluate() and
 * validation.
 *
 *   validate every argument  (nothing changes on a bad call)
 *   → build a deferred sequential model from x's shape
 *   → for each epoch:  shuffle (seeded) → for each batch:
 *        gather rows into reused buffers → zero grads → forward (dropout on) → data loss
 *        → backward with the penalty hook (lib/training/penalties.ts) → optimizer step
 *        → weight constraints (lib/constraints.ts)
 *        → numerics check → onBatchEnd
 *      → validation (inference mode) → onEpochEnd → History
 *
 * `loss` in logs and History is the total (data + every penalty); `data_loss` the compiled loss
 * alone. Epoch values average the batches weighted by their sizes (Keras).
 */
import { ConfigError, ShapeError, ValueError, fmtShape, fmtValue } from '../errors';
import { Random } from '../random';
import { Tensor } from '../tensor';
import type { Model } from '../graph/model';
import { weightPenalties } from './penalties';
import { applyConstraints } from '../constraints';
import type { Callback, Logs } from './callbacks';
import { MetricAccumulator } from './metrics';
import { weightedLoss } from './losses';
import { ProgressBar } from './progress';
import { snapshot } from './transaction';
import { checkFinite, checkFiniteData } from './data-checks';

export interface FitOptions {
  /** Passes over the training data (default 1). */
  epochs?: number;
  /** Samples per gradient step (default 32); the last batch of an epoch may be smaller. */
  batchSize?: number;
  /** [x, y] or [x, y, sampleWeight] evaluated after each epoch (inference mode); gives val_loss, val_data_loss, val_<metric>. */
  validationData?: [Tensor | Tensor[], Tensor | Tensor[]] | [Tensor | Tensor[], Tensor | Tensor[], Tensor | Float32Array | number[]];
  /**
   * One weight per sample (a [n] or [n, 1] Tensor, Float32Array or number[]): the data loss becomes
   * Σ w·loss / batch (Keras); penalties and metrics are not weighted. Split with validationSplit.
   */
  sampleWeight?: Tensor | Float32Array | number[];
  /**
   * Weight per class id, e.g. { 0: 1, 1: 5 }: each sample gets the weight of its class (argmax of a
   * one-hot target, else the rounded target value); classes not listed weigh 1 (Keras). Not together
   * with sampleWeight.
   */
  classWeight?: Record<number, number>;
  /** Fraction in (0, 1) of the samples, taken from the END of x and y before shuffling (Keras), held out for validation. */
  validationSplit?: number;
  /** Shuffle the training samples before each epoch (default true). */
  shuffle?: boolean;
  /**
   * Seed of the shuffling (same seed and weights → same History). Epoch e's order is the e-th
   * shuffle drawn from this seed, also when starting at initialEpoch, so fit({ epochs: 10 }) equals
   * fit({ epochs: 5 }) then fit({ initialEpoch: 5, epochs: 10 }).
   */
  seed?: number;
  /**
   * Epoch to start at (Keras `initial_epoch`, default 0): runs epochs initialEpoch … epochs − 1, so
   * `epochs` is the index to stop at, not a count. For resuming a run (e.g. after loadLayersModel).
   */
  initialEpoch?: number;
  callbacks?: Callback | Callback[];
  /** 0 silent, 1 progress bar on a TTY / one line per epoch otherwise (default), 2 one line per epoch. */
  verbose?: 0 | 1 | 2;
  /**
   * After every step, check that no trainable weight became NaN or ±Infinity; if one did, fit
   * rejects with a ValueError naming the epoch, the batch and the layer (default true), and the
   * model is rolled back to its weights before the call, like every failed fit. Pass false to let NaN flow (e.g. to use
   * callbacks.terminateOnNaN(), which stops gracefully on a non-finite loss instead).
   */
  checkNumerics?: boolean;
}

const FIT_KEYS = ['epochs', 'initialEpoch', 'batchSize', 'validationData', 'validationSplit', 'shuffle', 'seed', 'callbacks', 'verbose', 'checkNumerics', 'sampleWeight', 'classWeight'];

/** Validates sample weights: n finite numbers ([n] or [n, 1] Tensor, Float32Array or number[]). Returns a copy. */
export function sampleWeightArray(who: string, arg: string, v: unknown, n: number): Float32Array {
  let data: ArrayLike<number>;
  if (v instanceof Tensor) {
    if (!(v.rank === 1 || (v.rank === 2 && v.shape[1] === 1))) throw new ShapeError(`${who}: ${arg} must have shape [${n}] or [${n}, 1], got ${fmtShape(v.shape)}`);
    data = v.data;
  } else if (v instanceof Float32Array || (Array.isArray(v) && v.every((x) => typeof x === 'number'))) {
    data = v as ArrayLike<number>;
  } else {
    throw new ValueError(`${who}: ${arg} must be a Tensor, Float32Array or number[] with one weight per sample, got ${fmtValue(v)}`);
  }
  if (data.length !== n) throw new ShapeError(`${who}: ${arg} must have one weight per sample (${n}), got ${data.length}`);
  const out = Float32Array.from(data);
  for (let i = 0; i < out.length; i++) {
    if (!Number.isFinite(out[i])) throw new ValueError(`${who}: ${arg} must be finite numbers, got ${out[i]} at index ${i}`);
  }
  return out;
}

/** Keras' class_weight → sample weights: class = argmax(y) for one-hot rows, else round(y). */
function classWeightArray(who: string, cw: unknown, ys: Tensor[]): Float32Array {
  if (ys.length > 1) throw new ConfigError(`${who}: classWeight is not supported for multi-output models (as Keras); give sampleWeight`);
  const y = ys[0];
  if (cw === null || typeof cw !== 'object' || Array.isArray(cw)) throw new ConfigError(`${who}: classWeight must be an object { classId: weight }, got ${fmtValue(cw)}`);
  const table = new Map<number, number>();
  for (const [k, v] of Object.entries(cw as Record<string, unknown>)) {
    const id = Number(k);
    if (!Number.isInteger(id) || id < 0) throw new ConfigError(`${who}: classWeight keys must be class ids (integers >= 0), got ${fmtValue(k)}`);
    if (typeof v !== 'number' || !Number.isFinite(v)) throw new ConfigError(`${who}: classWeight[${k}] must be a finite number, got ${fmtValue(v)}`);
    table.set(id, v);
  }
  const n = y.shape[0];
  const row = y.size / n;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    let cls: number;
    if (row > 1) {
      let best = 0;
      for (let c = 1; c < row; c++) if (y.data[i * row + c] > y.data[i * row + best]) best = c;
      cls = best;
    } else cls = Math.round(y.data[i]);
    out[i] = table.get(cls) ?? 1;
  }
  return out;
}
const HOOKS = ['setModel', 'onTrainBegin', 'onEpochBegin', 'onBatchBegin', 'onBatchEnd', 'onEpochEnd', 'onTrainEnd'];

export class History {
  /** 0-based epoch indices that ran. */
  readonly epoch: number[] = [];
  /** One entry per epoch for each key: loss, data_loss, <metric>, val_loss, val_data_loss, val_<metric>. */
  readonly history: Record<string, number[]> = {};
  constructor(readonly params: { epochs: number; steps: number; samples: number; batchSize: number }) {}
}

/** Rows [start, start + count) of x, sharing x's buffer. */
export function sliceRows(x: Tensor, start: number, count: number): Tensor {
  if (start === 0 && count === x.shape[0]) return x;
  const row = x.size / x.shape[0];
  return new Tensor(x.data.subarray(start * row, (start + count) * row), [count, ...x.shape.slice(1)]);
}

export function checkBatchSize(who: string, opts: { batchSize?: number }): number {
  if (opts === null || typeof opts !== 'object') throw new ConfigError(`${who}: options must be an object, got ${fmtValue(opts)}`);
  for (const k of Object.keys(opts)) {
    if (k !== 'batchSize' && k !== 'verbose') throw new ConfigError(`${who}: unknown option ${fmtValue(k)} (allowed: batchSize)`);
  }
  const b = opts.batchSize ?? 32;
  if (!Number.isInteger(b) || b < 1) throw new ConfigError(`${who}: batchSize must be a positive integer, got ${fmtValue(b)}`);
  return b;
}

/**
 * loss (with penalties), data_loss and metrics over (xs, y) in batches, inference mode. With sample
 * weights `w`, data_loss = Σ w·loss / n (metrics unweighted, as Keras' `metrics`).
 */
export function evaluateBatches(m: Model, xs: Tensor[], y: Tensor | Tensor[], batchSize: number, prefix = '', w: Float32Array | null = null): Logs {
  const graph = m.graph!;
  const ys = Array.isArray(y) ? y : [y];
  const multi = ys.length > 1;
  const names = m.outputNames;
  const n = xs[0].shape[0];
  const metrics = m.outputMetrics().map((om) => ({ om, acc: new MetricAccumulator(om.metric) }));
  let dataSum = 0, activitySum = 0;
  const outSums = ys.map(() => 0);
  for (let start = 0; start < n; start += batchSize) {
    const count = Math.min(batchSize, n - start);
    const batch = xs.map((t) => sliceRows(t, start, count));
    const ybs = ys.map((t) => sliceRows(t, start, count));
    const { ys: yPreds, activity } = graph.forward(batch, false, true);
    const d = m.dataLoss(ybs, yPreds, false, w ? w.subarray(start, start + count) : null);
    dataSum += d.value * count;
    d.perOutput.forEach((v, k) => { outSums[k] += v * count; });
    activitySum += activity * count;
    metrics.forEach(({ om, acc }) => acc.add(ybs[om.output], yPreds[om.output]));
  }
  graph.release();
  const data = dataSum / n;
  const logs: Logs = {};
  logs[prefix + 'loss'] = data + weightPenalties(graph.layers) + activitySum / n;
  logs[prefix + 'data_loss'] = data;
  if (multi) outSums.forEach((v, k) => { logs[`${prefix}${names[k]}_loss`] = v / n; });
  metrics.forEach(({ om, acc }) => { logs[prefix + om.key] = acc.result(); });
  return logs;
}

function inputList(who: string, arg: string, x: unknown): Tensor[] {
  const xs = Array.isArray(x) ? x : [x];
  if (xs.length === 0 || !xs.every((t) => t instanceof Tensor)) {
    throw new ValueError(`${who}: ${arg} must be a Tensor (or an array of Tensors, one per model input), got ${fmtValue(x)}`);
  }
  for (const t of xs as Tensor[]) {
    if (t.rank < 1 || t.shape[0] < 1) throw new ShapeError(`${who}: ${arg} must have a batch dimension of at least 1 [batch, …], got shape ${fmtShape(t.shape)}`);
  }
  return xs as Tensor[];
}

/**
 * The targets: one Tensor for a single-output model (an array of one accepted), an array of one
 * Tensor per output for a multi-output model.
 */
export function targetList(who: string, arg: string, y: unknown, outputs: number): Tensor[] {
  let ys: unknown[];
  if (outputs === 1) ys = [Array.isArray(y) && y.length === 1 ? y[0] : y];
  else {
    if (!Array.isArray(y) || y.length !== outputs) {
      throw new ValueError(`${who}: ${arg} must be an array of ${outputs} Tensors, one per model output, got ${Array.isArray(y) ? `${y.length} entries` : fmtValue(y)}`);
    }
    ys = y;
  }
  return ys.map((t, k) => {
    const a = outputs > 1 ? `${arg}[${k}]` : arg;
    if (!(t instanceof Tensor)) throw new ValueError(`${who}: ${a} must be a Tensor${outputs === 1 ? ' (the model has a single output)' : ''}, got ${fmtValue(t)}`);
    if (t.rank < 1) throw new ShapeError(`${who}: ${a} must have a batch dimension [batch, …], got shape ${fmtShape(t.shape)}`);
    return t;
  });
}

/** Checks (x, y) against the model and the losses; returns the tensors. Changes nothing. */
function checkData(m: Model, who: string, xArg: string, yArg: string, x: unknown, y: unknown): { xs: Tensor[]; yts: Tensor[] } {
  const xs = inputList(who, xArg, x);
  const yts = targetList(who, yArg, y, m.outputCount);
  const out = m.prepare(who, xs, false);
  const shapes = m.graph ? m.graph.outputShapes : [out];
  const lossList = m.requireCompiled(who).losses;
  yts.forEach((yt, k) => {
    const a = yts.length > 1 ? `${yArg}[${k}]` : yArg;
    if (yt.shape[0] !== xs[0].shape[0]) {
      throw new ShapeError(`${who}: ${xArg} and ${a} must have the same number of samples, got ${xs[0].shape[0]} and ${yt.shape[0]}`);
    }
    lossList[k].checkTargets?.(`${who}: ${a}`, yt, [xs[0].shape[0], ...shapes[k]]);
  });
  checkFiniteData(who, xs, yts[0], xArg, yts.length > 1 ? `${yArg}[0]` : yArg);
  for (let k = 1; k < yts.length; k++) checkFinite(who, `${yArg}[${k}]`, yts[k]);
  return { xs, yts };
}

async function call(r: void | Promise<void>): Promise<void> {
  if (r && typeof (r as Promise<void>).then === 'function') await r;
}

export async function fitModel(m: Model, x: Tensor | Tensor[], y: Tensor | Tensor[], opts: FitOptions = {}): Promise<History> {
  const who = 'fit';
  // ---------------------------------------------------------------- 1. validate, change nothing
  const compiled = m.requireCompiled(who);
  if (m.isTraining) throw new ConfigError(`${who}: ${m.name} is already being trained by another fit() call; await it first`);
  if (opts === null || typeof opts !== 'object' || Array.isArray(opts)) throw new ConfigError(`${who}: options must be an object, got ${fmtValue(opts)}`);
  for (const k of Object.keys(opts)) {
    if (!FIT_KEYS.includes(k)) throw new ConfigError(`${who}: unknown option ${fmtValue(k)} (allowed: ${FIT_KEYS.join(', ')})`);
  }
  const epochs = opts.epochs ?? 1;
  if (!Number.isInteger(epochs) || epochs < 1) throw new ConfigError(`${who}: epochs must be a positive integer, got ${fmtValue(opts.epochs)}`);
  const initialEpoch = opts.initialEpoch ?? 0;
  if (!Number.isInteger(initialEpoch) || initialEpoch < 0) throw new ConfigError(`${who}: initialEpoch must be an integer >= 0, got ${fmtValue(opts.initialEpoch)}`);
  if (initialEpoch >= epochs) throw new ConfigError(`${who}: initialEpoch (${initialEpoch}) must be less than epochs (${epochs}): epochs is the index to stop at, as in Keras`);
  const batchSize = opts.batchSize ?? 32;
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new ConfigError(`${who}: batchSize must be a positive integer, got ${fmtValue(opts.batchSize)}`);
  const shuffle = opts.shuffle ?? true;
  if (typeof shuffle !== 'boolean') throw new ConfigError(`${who}: shuffle must be a boolean, got ${fmtValue(shuffle)}`);
  if (opts.seed !== undefined && (typeof opts.seed !== 'number' || !Number.isFinite(opts.seed))) {
    throw new ConfigError(`${who}: seed must be a finite number, got ${fmtValue(opts.seed)}`);
  }
  const verbose = opts.verbose ?? 1;
  if (verbose !== 0 && verbose !== 1 && verbose !== 2) throw new ConfigError(`${who}: verbose must be 0, 1 or 2, got ${fmtValue(verbose)}`);
  const checkNumerics = opts.checkNumerics ?? true;
  if (typeof checkNumerics !== 'boolean') throw new ConfigError(`${who}: checkNumerics must be a boolean, got ${fmtValue(checkNumerics)}`);
  const split = opts.validationSplit;
  if (split !== undefined && (typeof split !== 'number' || !(split > 0 && split < 1))) {
    throw new ConfigError(`${who}: validationSplit must be a number in (0, 1), got ${fmtValue(split)}`);
  }
  if (split !== undefined && opts.validationData !== undefined) {
    throw new ConfigError(`${who}: give either validationData or validationSplit, not both`);
  }
  const cbs: Callback[] = opts.callbacks === undefined ? [] : Array.isArray(opts.callbacks) ? opts.callbacks.slice() : [opts.callbacks];
  cbs.forEach((cb, i) => {
    if (cb === null || typeof cb !== 'object') throw new ConfigError(`${who}: callbacks[${i}] must be an object with onEpochEnd/onBatchEnd/… methods, got ${fmtValue(cb)}`);
    for (const h of HOOKS) {
      const f = (cb as Record<string, unknown>)[h];
      if (f !== undefined && typeof f !== 'function') throw new ConfigError(`${who}: callbacks[${i}].${h} must be a function, got ${fmtValue(f)}`);
    }
  });

  const all = checkData(m, who, 'x', 'y', x, y);
  const n = all.xs[0].shape[0];
  if (opts.sampleWeight !== undefined && opts.classWeight !== undefined) {
    throw new ConfigError(`${who}: give either sampleWeight or classWeight, not both (Keras)`);
  }
  const allW = opts.sampleWeight !== undefined ? sampleWeightArray(who, 'sampleWeight', opts.sampleWeight, n)
    : opts.classWeight !== undefined ? classWeightArray(who, opts.classWeight, all.yts) : null;
  let trainW = allW;
  let valW: Float32Array | null = null;
  let trainX = all.xs, trainYs = all.yts, nTrain = n;
  let val: { xs: Tensor[]; yts: Tensor[] } | null = null;
  if (split !== undefined) {
    nTrain = Math.ceil(n * (1 - split));
    if (nTrain < 1 || nTrain >= n) {
      throw new ConfigError(`${who}: validationSplit ${split} of ${n} samples leaves ${nTrain} for training and ${n - nTrain} for validation; both need at least 1`);
    }
    trainX = all.xs.map((t) => sliceRows(t, 0, nTrain));
    trainYs = all.yts.map((t) => sliceRows(t, 0, nTrain));
    if (allW) { trainW = allW.subarray(0, nTrain); valW = allW.subarray(nTrain); }
    val = { xs: all.xs.map((t) => sliceRows(t, nTrain, n - nTrain)), yts: all.yts.map((t) => sliceRows(t, nTrain, n - nTrain)) };
  } else if (opts.validationData !== undefined) {
    const vd = opts.validationData;
    if (!Array.isArray(vd) || (vd.length !== 2 && vd.length !== 3)) throw new ConfigError(`${who}: validationData must be [x, y] or [x, y, sampleWeight], got ${fmtValue(vd)}`);
    val = checkData(m, who, 'validationData[0]', 'validationData[1]', vd[0], vd[1]);
    if (vd.length === 3) valW = sampleWeightArray(who, 'validationData[2]', vd[2], val.yts[0].shape[0]);
  }
  const outShape = m.prepare(who, all.xs, false);
  const multi = m.outputCount > 1;
  // Multi-output models are functional, hence built: their per-output keys are known now.
  const metricKeys = multi ? m.outputMetrics().map((om) => om.key) : m.metrics(outShape).map((mt) => mt.name);
  const keys = ['loss', 'data_loss', ...(multi ? m.outputNames.map((nm) => `${nm}_loss`) : []), ...metricKeys];
  const epochKeys = val ? [...keys, ...keys.map((k) => 'val_' + k)] : keys;
  cbs.forEach((cb, i) => {
    if (cb.monitor !== undefined && !epochKeys.includes(cb.monitor)) {
      throw new ConfigError(`${who}: callbacks[${i}] monitors ${fmtValue(cb.monitor)}, which is not in the epoch logs [${epochKeys.join(', ')}]${cb.monitor.startsWith('val_') && !val ? ' (give validationData or validationSplit)' : ''}`);
    }
  });

  // ---------------------------------------------------------------- 2. build, set up buffers
  m.prepare(who, all.xs, true);
  const graph = m.graph!;
  const weights = graph.layers.flatMap((l) => l.weights);
  const owners = graph.layers.flatMap((l) => l.weights.map(() => l));
  const optimizer = compiled.optimizer;
  const steps = Math.ceil(nTrain / batchSize);
  const history = new History({ epochs, steps, samples: nTrain, batchSize });
  const rng = new Random(opts.seed);
  const order = new Int32Array(nTrain);
  // Batch buffers, allocated once and reused by every step (the last batch uses a prefix).
  const bufRows = Math.min(batchSize, nTrain);
  const xRows = trainX.map((t) => t.size / t.shape[0]);
  const xBufs = trainX.map((_, i) => new Float32Array(bufRows * xRows[i]));
  const yRows = trainYs.map((t) => t.size / t.shape[0]);
  const yBufs = trainYs.map((_, k) => new Float32Array(bufRows * yRows[k]));
  const metrics = m.outputMetrics();
  const outNames = m.outputNames;
  const wBuf = trainW ? new Float32Array(bufRows) : null;
  const progress = verbose === 0 ? null : new ProgressBar(epochs, steps, verbose === 1);

  m.stopTraining = false;
  m.isTraining = true;
  // All or nothing: a fit that throws leaves weights, optimizer state and dropout generators as
  // they were before the call (lib/training/transaction.ts).
  const undo = snapshot(weights, optimizer, graph.layers);
  try {
    return await trainLoop();
  } catch (e) {
    undo();
    graph.release();
    throw e;
  } finally {
    m.isTraining = false;
  }

  async function trainLoop(): Promise<History> {
    for (const cb of cbs) cb.setModel?.(m);
    for (const cb of cbs) await call(cb.onTrainBegin?.({}));

    // ---------------------------------------------------------------- 3. epochs
    let lastLogs: Logs = {};
    let lastYield = now();
    // Resuming at initialEpoch: draw the shuffles of the skipped epochs, so epoch e's order is the
    // same as in one uninterrupted run with this seed.
    if (shuffle) for (let e = 0; e < initialEpoch; e++) { for (let i = 0; i < nTrain; i++) order[i] = i; rng.shuffle(order); }
    for (let epoch = initialEpoch; epoch < epochs; epoch++) {
      for (const cb of cbs) await call(cb.onEpochBegin?.(epoch, {}));
      for (let i = 0; i < nTrain; i++) order[i] = i;
      if (shuffle) rng.shuffle(order);
      progress?.epochBegin();
      let lossSum = 0, dataSum = 0, seen = 0;
      const outSums = trainYs.map(() => 0);
      const acc = metrics.map((om) => ({ om, acc: new MetricAccumulator(om.metric) }));

      for (let b = 0; b < steps; b++) {
        for (const cb of cbs) await call(cb.onBatchBegin?.(b, {}));
        const start = b * batchSize;
        const count = Math.min(batchSize, nTrain - start);
        // Gather the batch's rows into the reused buffers.
        const xb = trainX.map((t, i) => {
          const row = xRows[i], src = t.data, buf = xBufs[i];
          for (let r = 0; r < count; r++) {
            const from = order[start + r] * row;
            buf.set(src.subarray(from, from + row), r * row);
          }
          return new Tensor(count === bufRows ? buf : buf.subarray(0, count * row), [count, ...t.shape.slice(1)]);
        });
        const ybs = trainYs.map((t, k) => {
          const row = yRows[k], buf = yBufs[k];
          for (let r = 0; r < count; r++) {
            const from = order[start + r] * row;
            buf.set(t.data.subarray(from, from + row), r * row);
          }
          return new Tensor(count === bufRows ? buf : buf.subarray(0, count * row), [count, ...t.shape.slice(1)]);
        });
        let wb: Float32Array | null = null;
        if (wBuf && trainW) {
          for (let r = 0; r < count; r++) wBuf[r] = trainW[order[start + r]];
          wb = count === bufRows ? wBuf : wBuf.subarray(0, count);
        }

        // One step: forward (dropout on), loss, backward with the penalty hook, optimizer update.
        const { data, penalty, yPreds, perOutput } = m.step(xb, ybs, true, undefined, wb);
        const total = data + penalty;
        const batchLogs: Logs = { batch: b, size: count, loss: total, data_loss: data };
        if (multi) perOutput.forEach((v, k) => { batchLogs[`${outNames[k]}_loss`] = v; outSums[k] += v * count; });
        acc.forEach(({ om, acc: a }) => { batchLogs[om.key] = a.add(ybs[om.output], yPreds[om.output]); });
        optimizer.applyGradients(weights);
        // Constraint hook (Keras): after the step, w ← constraint(w) (lib/constraints.ts).
        applyConstraints(weights, (i) => owners[i].name);
        if (checkNumerics) checkWeights(weights, owners, epoch, epochs, b, steps, total);

        lossSum += total * count;
        dataSum += data * count;
        seen += count;
        for (const cb of cbs) await call(cb.onBatchEnd?.(b, batchLogs));
        if (progress) {
          const running: Logs = { loss: lossSum / seen, data_loss: dataSum / seen };
          if (multi) outSums.forEach((v, k) => { running[`${outNames[k]}_loss`] = v / seen; });
          acc.forEach(({ om, acc: a }) => { running[om.key] = a.result(); });
          progress.batchEnd(epoch, b + 1, running);
        }
        if (m.stopTraining) break;
        // Let timers, I/O and the page run (and so let anyone set stopTraining): a long fit never
        // holds the event loop for more than ~50 ms at a time.
        if (now() - lastYield > YIELD_EVERY_MS) { await yieldToEventLoop(); lastYield = now(); }
      }
      graph.release();

      const logs: Logs = { loss: lossSum / seen, data_loss: dataSum / seen };
      if (multi) outSums.forEach((v, k) => { logs[`${outNames[k]}_loss`] = v / seen; });
      acc.forEach(({ om, acc: a }) => { logs[om.key] = a.result(); });
      if (val) Object.assign(logs, evaluateBatches(m, val.xs, val.yts, batchSize, 'val_', valW));
      history.epoch.push(epoch);
      for (const k of Object.keys(logs)) (history.history[k] ??= []).push(logs[k]);
      progress?.epochEnd(epoch, logs);
      lastLogs = logs;
      for (const cb of cbs) await call(cb.onEpochEnd?.(epoch, { ...logs }));
      if (m.stopTraining) break;
    }
    for (const cb of cbs) await call(cb.onTrainEnd?.({ ...lastLogs }));
    return history;
  }
}

const YIELD_EVERY_MS = 50;
const now = (): number => (typeof performance !== 'undefined' ? performance.now() : Date.now());
/** A macrotask turn (setTimeout 0), so pending timers and events run; microtasks would not do. */
const yieldToEventLoop = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 0));

/** Throws when a trainable weight holds NaN or ±Infinity, naming epoch, batch (1-based) and layer. */
function checkWeights(weights: { value: Tensor; trainable: boolean; name: string }[], owners: { name: string }[],
  epoch: number, epochs: number, batch: number, steps: number, loss: number): void {
  for (let w = 0; w < weights.length; w++) {
    if (!weights[w].trainable) continue;
    const d = weights[w].value.data;
    for (let i = 0; i < d.length; i++) {
      const v = d[i];
      if (v - v !== 0) { // NaN or ±Infinity
        throw new ValueError(`fit: weight ${owners[w].name}/${weights[w].name} became ${v} at index ${i} in epoch ${epoch + 1}/${epochs}, batch ${batch + 1}/${steps} (the batch's loss was ${loss}); ` +
          `lower the learning rate, check the data, or pass checkNumerics: false to let NaN flow`);
      }
    }
  }
}
