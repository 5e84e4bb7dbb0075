/// <reference types="node" />
/**
 * io.fileSystem(path): model.json + weights.bin on disk, the layout tfjs-node's `file://` handler
 * writes and reads (so either side loads the other's files).
 *
 *   save   path is a directory (created if needed):  path/model.json   { modelTopology, weightsManifest:
 *          [{ paths: ['weights.bin'], weights }], format, generatedBy, convertedBy, trainingConfig?, … }
 *                                                    path/weights.bin    the weight bytes
 *          Both files are written to temporary names first and renamed, so a crash mid-save never
 *          leaves a model.json pointing at half-written weights.
 *   load   path is model.json, or the directory holding it; shards are read relative to model.json.
 */
import * as fs from 'fs';
import * as path from 'path';
import { ConfigError, ValueError } from '../lib/errors';
import {
  IOHandler, ModelArtifacts, ModelJSON, SaveResult, artifactsFromModelJSON, getModelArtifactsInfoForJSON, parseJSON,
} from '../lib/io/artifacts';
import { isArrayBuffer } from '../lib/io/weights';

export const MODEL_JSON_FILENAME = 'model.json';
export const WEIGHTS_BINARY_FILENAME = 'weights.bin';

function toArrayBuffer(b: Buffer): ArrayBuffer {
  return new Uint8Array(b.buffer, b.byteOffset, b.byteLength).slice().buffer;
}

async function readOrThrow(file: string, what: string): Promise<Buffer> {
  try {
    return await fs.promises.readFile(file);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new ValueError(`io.fileSystem: ${what} ${file} does not exist`);
    throw new ValueError(`io.fileSystem: cannot read ${what} ${file}: ${(e as Error).message}`);
  }
}

export interface FileSystemHandler extends IOHandler {
  readonly path: string;
  save(artifacts: ModelArtifacts): Promise<SaveResult>;
  load(): Promise<ModelArtifacts>;
}

export function fileSystem(dirOrModelJson: string): FileSystemHandler {
  if (typeof dirOrModelJson !== 'string' || dirOrModelJson === '') {
    throw new ConfigError(`io.fileSystem: path must be a non-empty string, got ${JSON.stringify(dirOrModelJson)}`);
  }
  const p = path.resolve(dirOrModelJson.startsWith('file://') ? dirOrModelJson.slice(7) : dirOrModelJson);
  return {
    path: p,
    source: p,
    async save(a: ModelArtifacts): Promise<SaveResult> {
      if (isArrayBuffer(a.modelTopology)) throw new ConfigError('io.fileSystem: binary (graph model) topologies cannot be saved');
      try {
        const st = await fs.promises.stat(p);
        if (!st.isDirectory()) throw new ConfigError(`io.fileSystem: ${p} exists and is a file; saving needs a directory`);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
        await fs.promises.mkdir(p, { recursive: true });
      }
      const json: ModelJSON = {
        modelTopology: a.modelTopology as object,
        weightsManifest: [{ paths: [WEIGHTS_BINARY_FILENAME], weights: a.weightSpecs ?? [] }],
        format: a.format,
        generatedBy: a.generatedBy,
        convertedBy: a.convertedBy,
      };
      if (a.trainingConfig != null) json.trainingConfig = a.trainingConfig;
      if (a.userDefinedMetadata != null) json.userDefinedMetadata = a.userDefinedMetadata;
      const data = a.weightData;
      const bytes = data == null ? new Uint8Array(0) : Array.isArray(data) ? Buffer.concat(data.map((b) => Buffer.from(b))) : Buffer.from(data);
      const tmp = `.tmp-${process.pid}-${Date.now()}`;
      const jsonFile = path.join(p, MODEL_JSON_FILENAME), binFile = path.join(p, WEIGHTS_BINARY_FILENAME);
      await fs.promises.writeFile(binFile + tmp, bytes);
      await fs.promises.writeFile(jsonFile + tmp, JSON.stringify(json), 'utf8');
      await fs.promises.rename(binFile + tmp, binFile);
      await fs.promises.rename(jsonFile + tmp, jsonFile);
      return { modelArtifactsInfo: getModelArtifactsInfoForJSON(a) };
    },
    async load(): Promise<ModelArtifacts> {
      let file = p;
      try {
        if ((await fs.promises.stat(p)).isDirectory()) file = path.join(p, MODEL_JSON_FILENAME);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'ENOENT') throw new ValueError(`io.fileSystem: ${p} does not exist`);
        throw e;
      }
      const text = (await readOrThrow(file, 'model file')).toString('utf8');
      const json = parseJSON(text, file);
      const dir = path.dirname(file);
      return artifactsFromModelJSON(json, file, async (shard) => toArrayBuffer(await readOrThrow(path.join(dir, shard), 'weight file')));
    },
  };
}
