/**
 * callbacks.modelCheckpoint: saves the model during fit (Keras' ModelCheckpoint), through any
 * save handler. 'ridge/node' adds `dir` (io.fileSystem) on top of this.
 *
 *   every epoch                      saveBestOnly false (default): save after each epoch
 *   when `monitor` improves          saveBestOnly true: save only when the monitored log value
 *                                    improves ('min' for losses, 'max' for accuracy-like keys)
 *
 * `handler` is a save handler, or a function (epoch, logs) → handler to write each epoch somewhere
 * else. The save is awaited before training goes on.
 */
import { ConfigError, fmtValue } from '../errors';
import type { Callback, CallbackModel, Logs } from '../training/callbacks';
import type { IOHandler, SaveConfig, SaveResult } from './artifacts';

export interface ModelCheckpointOptions {
  handler: IOHandler | ((epoch: number, logs: Logs) => IOHandler);
  /** Log key to watch (default 'val_loss'); used only with saveBestOnly. */
  monitor?: string;
  saveBestOnly?: boolean;
  mode?: 'auto' | 'min' | 'max';
  /** Store the optimizer state too, so training can resume exactly (default false: tfjs-portable files). */
  includeOptimizer?: boolean;
}

export interface ModelCheckpoint extends Callback {
  /** 0-based epochs that were saved. */
  readonly savedEpochs: number[];
  /** Best monitored value so far (saveBestOnly). */
  best: number;
  lastResult: SaveResult | null;
}

interface Savable extends CallbackModel { save(h: IOHandler, c?: SaveConfig): Promise<SaveResult> }

export function modelCheckpoint(opts: ModelCheckpointOptions): ModelCheckpoint {
  const who = 'callbacks.modelCheckpoint';
  if (opts === null || typeof opts !== 'object') throw new ConfigError(`${who}: options must be an object { handler, monitor?, saveBestOnly? }, got ${fmtValue(opts)}`);
  for (const k of Object.keys(opts)) {
    if (!['handler', 'monitor', 'saveBestOnly', 'mode', 'includeOptimizer'].includes(k)) {
      throw new ConfigError(`${who}: unknown option ${fmtValue(k)} (allowed: handler, monitor, saveBestOnly, mode, includeOptimizer)`);
    }
  }
  const h = opts.handler;
  if (typeof h !== 'function' && (h === null || typeof h !== 'object' || typeof h.save !== 'function')) {
    throw new ConfigError(`${who}: handler must be a save handler (io.withSaveHandler, io.fileSystem …) or (epoch, logs) => handler, got ${fmtValue(h)}`);
  }
  const monitor = opts.monitor ?? 'val_loss';
  if (typeof monitor !== 'string' || monitor === '') throw new ConfigError(`${who}: monitor must be a log key such as 'val_loss', got ${fmtValue(monitor)}`);
  const saveBestOnly = opts.saveBestOnly ?? false;
  if (typeof saveBestOnly !== 'boolean') throw new ConfigError(`${who}: saveBestOnly must be a boolean, got ${fmtValue(saveBestOnly)}`);
  const includeOptimizer = opts.includeOptimizer ?? false;
  if (typeof includeOptimizer !== 'boolean') throw new ConfigError(`${who}: includeOptimizer must be a boolean, got ${fmtValue(includeOptimizer)}`);
  let mode = opts.mode ?? 'auto';
  if (mode !== 'auto' && mode !== 'min' && mode !== 'max') throw new ConfigError(`${who}: mode must be 'auto', 'min' or 'max', got ${fmtValue(mode)}`);
  if (mode === 'auto') mode = /acc|auc/.test(monitor) ? 'max' : 'min';
  const better = mode === 'max' ? (a: number, b: number) => a > b : (a: number, b: number) => a < b;
  let model: Savable | null = null;
  const cb: ModelCheckpoint = {
    savedEpochs: [],
    best: mode === 'max' ? -Infinity : Infinity,
    lastResult: null,
    setModel(m) {
      if (typeof (m as Partial<Savable>).save !== 'function') throw new ConfigError(`${who}: the model has no save()`);
      model = m as Savable;
    },
    async onEpochEnd(epoch, logs) {
      if (!model) return;
      if (saveBestOnly) {
        const v = logs[monitor];
        if (v === undefined || !better(v, cb.best)) return;
        cb.best = v;
      }
      const handler = typeof h === 'function' ? h(epoch, logs) : h;
      cb.lastResult = await model.save(handler, { includeOptimizer });
      cb.savedEpochs.push(epoch);
    },
  };
  // fit() checks a declared monitor against the epoch logs; only saveBestOnly reads it.
  if (saveBestOnly) Object.defineProperty(cb, 'monitor', { value: monitor, enumerable: true });
  return cb;
}
