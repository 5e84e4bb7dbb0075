/// <reference types="node" />
/**
 * 'ridge/node': what needs Node's file system, kept out of lib/ so the engine itself imports no
 * Node built-in. Everything of 'ridge' is re-exported, with `io` and `callbacks` extended:
 *
 *   import { io, callbacks, loadLayersModel } from 'ridge/node';
 *   await model.save(io.fileSystem('out/model'));                  // out/model/model.json + weights.bin
 *   const m = await loadLayersModel(io.fileSystem('out/model'));   // or 'file://out/model/model.json'
 *   model.fit(x, y, { callbacks: [callbacks.modelCheckpoint({ dir: 'out/best', saveBestOnly: true })] })
 */
import * as libIo from '../lib/io/index';
import * as libCallbacks from '../lib/training/callbacks';
import { IOHandler, LoadOptions, loadLayersModel as libLoad } from '../lib/io/artifacts';
import { ConfigError } from '../lib/errors';
import type { Model } from '../lib/graph/model';
import type { Logs } from '../lib/training/callbacks';
import { fileSystem } from './file-system';

export * from '../lib/index';
export { fileSystem, MODEL_JSON_FILENAME, WEIGHTS_BINARY_FILENAME } from './file-system';
export type { FileSystemHandler } from './file-system';

/** lib's io namespace plus fileSystem. */
export const io = { ...libIo, fileSystem };

export interface NodeModelCheckpointOptions extends Omit<libCallbacks.ModelCheckpointOptions, 'handler'> {
  handler?: libCallbacks.ModelCheckpointOptions['handler'];
  /** Directory to save into (io.fileSystem); `{epoch}` in it becomes the 1-based epoch number. */
  dir?: string;
}

/** modelCheckpoint with `dir` (a directory, optionally with `{epoch}`) as well as `handler`. */
function modelCheckpoint(opts: NodeModelCheckpointOptions): libCallbacks.ModelCheckpoint {
  if (opts === null || typeof opts !== 'object') throw new ConfigError(`callbacks.modelCheckpoint: options must be an object { dir | handler, monitor?, saveBestOnly? }, got ${String(opts)}`);
  const { dir, ...rest } = opts;
  if ((dir === undefined) === (rest.handler === undefined)) throw new ConfigError('callbacks.modelCheckpoint: give exactly one of dir or handler');
  if (dir !== undefined) {
    if (typeof dir !== 'string' || dir === '') throw new ConfigError(`callbacks.modelCheckpoint: dir must be a non-empty string, got ${JSON.stringify(dir)}`);
    const handler = dir.includes('{epoch}') ? (epoch: number, _logs: Logs) => fileSystem(dir.replace(/\{epoch\}/g, String(epoch + 1))) : fileSystem(dir);
    return libCallbacks.modelCheckpoint({ ...rest, handler });
  }
  return libCallbacks.modelCheckpoint(rest as libCallbacks.ModelCheckpointOptions);
}

/** lib's callbacks namespace, with modelCheckpoint taking `dir`. */
export const callbacks = { ...libCallbacks, modelCheckpoint };

/** loadLayersModel that also takes 'file://…' and plain paths (io.fileSystem). */
export function loadLayersModel(handlerOrUrl: IOHandler | string, opts?: LoadOptions): Promise<Model> {
  if (typeof handlerOrUrl === 'string' && !/^https?:\/\//i.test(handlerOrUrl)) return libLoad(fileSystem(handlerOrUrl), opts);
  return libLoad(handlerOrUrl, opts);
}
