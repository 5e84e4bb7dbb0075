/**
 * Callbacks for fit(): plain objects with any of these hooks (each may return a Promise, which
 * fit awaits). Order within one fit call:
 *
 *   setModel(model) → onTrainBegin → for each epoch: onEpochBegin(epoch)
 *     → for each batch: onBatchBegin(batch) → step → onBatchEnd(batch, logs)
 *     → (validation) → onEpochEnd(epoch, logs)
 *   → onTrainEnd(logs)
 *
 * A callback stops training by setting `model.stopTraining = true` (Keras); fit finishes the
 * current batch, runs onEpochEnd for the current epoch and onTrainEnd, and resolves with History.
 * `epoch` and `batch` are 0-based, as in Keras. Batch logs: { batch, size, loss, data_loss,
 * <metrics> } for that batch. Epoch logs: { loss, data_loss, <metrics>, val_loss, val_data_loss,
 * val_<metrics> }.
 */
import { ConfigError, ValueError, fmtValue } from '../errors';
import type { Tensor } from '../tensor';
import type { Optimizer } from './optimizers';

export type Logs = Record<string, number>;

/** What a callback may use of the model being trained. */
export interface CallbackModel {
  stopTraining: boolean;
  getWeights(): Tensor[];
  setWeights(ws: Tensor[]): void;
  /** The compiled optimizer (learning-rate callbacks read and set its learningRate). */
  readonly optimizer?: Optimizer | null;
}

export interface Callback {
  setModel?(model: CallbackModel): void;
  onTrainBegin?(logs?: Logs): void | Promise<void>;
  onEpochBegin?(epoch: number, logs?: Logs): void | Promise<void>;
  onBatchBegin?(batch: number, logs?: Logs): void | Promise<void>;
  onBatchEnd?(batch: number, logs: Logs): void | Promise<void>;
  onEpochEnd?(epoch: number, logs: Logs): void | Promise<void>;
  onTrainEnd?(logs?: Logs): void | Promise<void>;
  /** fit() checks before training that this key will be in the epoch logs. */
  readonly monitor?: string;
}

export interface EarlyStoppingOptions {
  monitor?: string;
  patience?: number;
  minDelta?: number;
  restoreBestWeights?: boolean;
  /** 'min' | 'max' | 'auto' (auto: 'max' for accuracy-like keys, else 'min'). */
  mode?: 'auto' | 'min' | 'max';
  /** Epochs to wait before monitoring (Keras' start_from_epoch). */
  startFromEpoch?: number;
}

export interface EarlyStopping extends Callback {
  readonly monitor: string;
  /** 0-based epoch at which training was stopped, or null. */
  stoppedEpoch: number | null;
  /** 0-based epoch of the best monitored value, or null. */
  bestEpoch: number | null;
  best: number;
}

/**
 * Stops when `monitor` has not improved by more than `minDelta` for `patience` epochs (Keras 3
 * EarlyStopping). With `restoreBestWeights`, the weights of the best epoch are put back when it
 * stops (as Keras: only when it actually stops early).
 */
export function earlyStopping(opts: EarlyStoppingOptions = {}): EarlyStopping {
  const allowed = ['monitor', 'patience', 'minDelta', 'restoreBestWeights', 'mode', 'startFromEpoch'];
  if (opts === null || typeof opts !== 'object') throw new ConfigError(`callbacks.earlyStopping: options must be an object, got ${fmtValue(opts)}`);
  for (const k of Object.keys(opts)) {
    if (!allowed.includes(k)) throw new ConfigError(`callbacks.earlyStopping: unknown option ${fmtValue(k)} (allowed: ${allowed.join(', ')})`);
  }
  const monitor = opts.monitor ?? 'val_loss';
  const patience = opts.patience ?? 0;
  const minDeltaAbs = Math.abs(opts.minDelta ?? 0);
  const restore = opts.restoreBestWeights ?? false;
  const startFrom = opts.startFromEpoch ?? 0;
  if (typeof monitor !== 'string' || monitor === '') throw new ConfigError(`callbacks.earlyStopping: monitor must be a log key such as 'val_loss', got ${fmtValue(monitor)}`);
  if (!Number.isInteger(patience) || patience < 0) throw new ConfigError(`callbacks.earlyStopping: patience must be an integer >= 0, got ${fmtValue(patience)}`);
  if (!Number.isFinite(minDeltaAbs)) throw new ConfigError(`callbacks.earlyStopping: minDelta must be a finite number, got ${fmtValue(opts.minDelta)}`);
  if (typeof restore !== 'boolean') throw new ConfigError(`callbacks.earlyStopping: restoreBestWeights must be a boolean, got ${fmtValue(restore)}`);
  if (!Number.isInteger(startFrom) || startFrom < 0) throw new ConfigError(`callbacks.earlyStopping: startFromEpoch must be an integer >= 0, got ${fmtValue(startFrom)}`);
  let mode = opts.mode ?? 'auto';
  if (mode !== 'auto' && mode !== 'min' && mode !== 'max') throw new ConfigError(`callbacks.earlyStopping: mode must be 'auto', 'min' or 'max', got ${fmtValue(mode)}`);
  if (mode === 'auto') mode = /acc|auc/.test(monitor) ? 'max' : 'min';
  const sign = mode === 'max' ? 1 : -1; // compare sign·value: larger is better
  // Improvement (Keras): max: current − minDelta > best; min: current + minDelta < best.
  const improves = (current: number, reference: number) => sign * current - minDeltaAbs > sign * reference;

  let model: CallbackModel | null = null;
  let wait = 0;
  let bestWeights: Tensor[] | null = null;

  const cb: EarlyStopping = {
    monitor,
    stoppedEpoch: null,
    bestEpoch: null,
    best: mode === 'max' ? -Infinity : Infinity,
    setModel(m) { model = m; },
    onTrainBegin() {
      wait = 0;
      cb.best = mode === 'max' ? -Infinity : Infinity;
      cb.stoppedEpoch = null;
      cb.bestEpoch = null;
      bestWeights = null;
    },
    onEpochEnd(epoch, logs) {
      const current = logs[monitor];
      if (current === undefined || epoch < startFrom || model === null) return;
      if (restore && bestWeights === null) bestWeights = model.getWeights();
      wait++;
      if (improves(current, cb.best)) {
        cb.best = current;
        cb.bestEpoch = epoch;
        if (restore) bestWeights = model.getWeights();
        wait = 0;
        return;
      }
      if (wait >= patience && epoch > 0) {
        cb.stoppedEpoch = epoch;
        model.stopTraining = true;
        if (restore && bestWeights !== null) model.setWeights(bestWeights);
      }
    },
  };
  return cb;
}

export interface TerminateOnNaN extends Callback {
  /** 0-based batch index (within its epoch) where a non-finite loss was seen, or null. */
  stoppedAtBatch: number | null;
}

/**
 * Stops training as soon as a batch's loss is NaN or infinite (Keras TerminateOnNaN). Note that
 * fit's `checkNumerics` (on by default) throws as soon as a WEIGHT turns non-finite, which usually
 * comes first; pass `checkNumerics: false` to stop gracefully with this callback instead.
 */
export function terminateOnNaN(): TerminateOnNaN {
  let model: CallbackModel | null = null;
  const cb: TerminateOnNaN = {
    stoppedAtBatch: null,
    setModel(m) { model = m; },
    onBatchEnd(batch, logs) {
      const loss = logs.loss;
      if (loss !== undefined && !Number.isFinite(loss) && model !== null) {
        cb.stoppedAtBatch = batch;
        model.stopTraining = true;
      }
    },
  };
  return cb;
}

// Saving during fit (lib/io/checkpoint.ts); 'ridge/node' adds a `dir` option.
export { modelCheckpoint } from '../io/checkpoint';
export type { ModelCheckpoint, ModelCheckpointOptions } from '../io/checkpoint';
// ------------------------------------------------------------------------------------------------
// Learning-rate callbacks (Keras 3 ReduceLROnPlateau and LearningRateScheduler). Both set
// `model.optimizer.learningRate`, which must be a number (an optimizer built with a schedule
// refuses, as in Keras).

/** The optimizer's current numeric learning rate, or a ConfigError naming the callback. */
function numericLr(who: string, model: CallbackModel | null): { opt: Optimizer; lr: number } {
  const opt = model?.optimizer ?? null;
  if (opt === null || !('learningRate' in opt)) {
    throw new ConfigError(`${who}: the model's optimizer has no learningRate to adjust (compile the model with an optimizers.*() object or name)`);
  }
  const lr = opt.learningRate;
  if (typeof lr !== 'number') {
    throw new ConfigError(`${who}: the optimizer's learningRate is a schedule (${(lr as { className?: string }).className ?? 'custom'}); a callback cannot also set it — use one or the other`);
  }
  return { opt, lr };
}

export interface ReduceLROnPlateauOptions {
  /** Log key to watch (default 'val_loss'). */
  monitor?: string;
  /** new lr = lr · factor (default 0.1; must be < 1). */
  factor?: number;
  /** Epochs without improvement before reducing (default 10). */
  patience?: number;
  /** 'auto' (max when the key contains 'acc', else min, as Keras), 'min' or 'max'. */
  mode?: 'auto' | 'min' | 'max';
  /** Improvement threshold (default 1e-4). */
  minDelta?: number;
  /** Epochs to wait after a reduction before counting again (default 0). */
  cooldown?: number;
  /** Lower bound of the learning rate (default 0). */
  minLr?: number;
}

export interface ReduceLROnPlateau extends Callback {
  readonly monitor: string;
  best: number;
  /** 0-based epochs at which the learning rate was reduced. */
  readonly reductions: { epoch: number; from: number; to: number }[];
}

/**
 * Multiplies the learning rate by `factor` when `monitor` has not improved by more than `minDelta`
 * for `patience` epochs, then waits `cooldown` epochs; never below `minLr` (Keras 3 ReduceLROnPlateau).
 */
export function reduceLROnPlateau(opts: ReduceLROnPlateauOptions = {}): ReduceLROnPlateau {
  const who = 'callbacks.reduceLROnPlateau';
  const allowed = ['monitor', 'factor', 'patience', 'mode', 'minDelta', 'cooldown', 'minLr'];
  if (opts === null || typeof opts !== 'object' || Array.isArray(opts)) throw new ConfigError(`${who}: options must be an object, got ${fmtValue(opts)}`);
  for (const k of Object.keys(opts)) {
    if (!allowed.includes(k)) throw new ConfigError(`${who}: unknown option ${fmtValue(k)} (allowed: ${allowed.join(', ')})`);
  }
  const monitor = opts.monitor ?? 'val_loss';
  const factor = opts.factor ?? 0.1;
  const patience = opts.patience ?? 10;
  const minDelta = opts.minDelta ?? 1e-4;
  const cooldown = opts.cooldown ?? 0;
  const minLr = opts.minLr ?? 0;
  if (typeof monitor !== 'string' || monitor === '') throw new ConfigError(`${who}: monitor must be a log key such as 'val_loss', got ${fmtValue(monitor)}`);
  if (typeof factor !== 'number' || !(factor >= 0 && factor < 1)) throw new ConfigError(`${who}: factor must be a number in [0, 1) (Keras does not support a factor >= 1), got ${fmtValue(factor)}`);
  if (!Number.isInteger(patience) || patience < 0) throw new ConfigError(`${who}: patience must be an integer >= 0, got ${fmtValue(patience)}`);
  if (typeof minDelta !== 'number' || !Number.isFinite(minDelta)) throw new ConfigError(`${who}: minDelta must be a finite number, got ${fmtValue(minDelta)}`);
  if (!Number.isInteger(cooldown) || cooldown < 0) throw new ConfigError(`${who}: cooldown must be an integer >= 0, got ${fmtValue(cooldown)}`);
  if (typeof minLr !== 'number' || !Number.isFinite(minLr) || minLr < 0) throw new ConfigError(`${who}: minLr must be a finite number >= 0, got ${fmtValue(minLr)}`);
  const mode = opts.mode ?? 'auto';
  if (mode !== 'auto' && mode !== 'min' && mode !== 'max') throw new ConfigError(`${who}: mode must be 'auto', 'min' or 'max', got ${fmtValue(mode)}`);
  const maximize = mode === 'max' || (mode === 'auto' && monitor.includes('acc'));
  // Keras: min: current < best − minDelta;  max: current > best + minDelta.
  const better = (current: number, best: number) => (maximize ? current > best + minDelta : current < best - minDelta);
  const minLr32 = Math.fround(minLr);

  let model: CallbackModel | null = null;
  let wait = 0, cooldownCounter = 0;
  const cb: ReduceLROnPlateau = {
    monitor,
    best: maximize ? -Infinity : Infinity,
    reductions: [],
    setModel(m) { model = m; },
    onTrainBegin() {
      numericLr(who, model); // fail before the first epoch, not after it
      wait = 0;
      cooldownCounter = 0;
      cb.best = maximize ? -Infinity : Infinity;
    },
    onEpochEnd(epoch, logs) {
      const current = logs[monitor];
      if (current === undefined) return;
      if (cooldownCounter > 0) { cooldownCounter--; wait = 0; }
      if (better(current, cb.best)) {
        cb.best = current;
        wait = 0;
      } else if (cooldownCounter === 0) {
        wait++;
        if (wait >= patience) {
          const { opt, lr } = numericLr(who, model);
          if (lr > minLr32) {
            const next = Math.max(lr * factor, minLr);
            opt.learningRate = next;
            cb.reductions.push({ epoch, from: lr, to: next });
            cooldownCounter = cooldown;
            wait = 0;
          }
        }
      }
    },
  };
  return cb;
}

export interface LearningRateScheduler extends Callback {
  /** The learning rate set at the start of each epoch that ran, in order. */
  readonly history: number[];
}

/**
 * Sets the learning rate at the start of every epoch to `schedule(epoch, currentLr)` (Keras 3
 * LearningRateScheduler; `epoch` is 0-based). The result must be a finite number >= 0.
 */
export function learningRateScheduler(schedule: (epoch: number, lr: number) => number): LearningRateScheduler {
  const who = 'callbacks.learningRateScheduler';
  if (typeof schedule !== 'function') throw new ConfigError(`${who}: schedule must be a function (epoch, lr) => lr, got ${fmtValue(schedule)}`);
  let model: CallbackModel | null = null;
  const cb: LearningRateScheduler = {
    history: [],
    setModel(m) { model = m; },
    onTrainBegin() { numericLr(who, model); },
    onEpochBegin(epoch) {
      const { opt, lr } = numericLr(who, model);
      const next = schedule(epoch, lr);
      if (typeof next !== 'number' || !Number.isFinite(next) || next < 0) {
        throw new ValueError(`${who}: schedule(${epoch}, ${lr}) must return a finite number >= 0, got ${fmtValue(next)}`);
      }
      opt.learningRate = next;
      cb.history.push(next);
    },
  };
  return cb;
}

