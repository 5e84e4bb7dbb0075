/**
 * Saving and loading whole models as TensorFlow.js layers-model artifacts.
 *
 *   model.save(handler, { includeOptimizer })      artifacts → handler.save(artifacts)
 *   loadLayersModel(handler | 'https://…/model.json')   handler.load() → topology → weights → compile
 *
 *   artifacts = { modelTopology,            the Keras model config (lib/io/topology.ts)
 *                 format: 'layers-model', generatedBy, convertedBy: null,
 *                 weightSpecs, weightData,  lib/io/weights.ts
 *                 trainingConfig?, userDefinedMetadata? }   with includeOptimizer (lib/io/training-state.ts)
 *
 * A handler is any object with `save(artifacts)` and/or `load()` as in tfjs (`tf.io.*` handlers work
 * unchanged). Loading checks everything (topology, every weight's name, shape and bytes, the
 * optimizer state) before it returns a model, so a bad file is a typed error and never a
 * half-built model; the error names the source, the layer, the weight, what was expected and found.
 */
import { ConfigError, RidgeError, ShapeError, ValueError, fmtShape, fmtValue } from '../errors';
import type { Model } from '../graph/model';
import type { LayerWeight } from '../layers/layer';
import { isPlainObject } from './keras-config';
import { RIDGE_VERSION, modelFromTopology, modelToTopology } from './topology';
import { NamedWeight, WeightsManifestEntry, WeightsManifestGroupConfig, concatBuffers, decodeWeights, encodeWeights, isArrayBuffer } from './weights';
import {
  TrainingConfig, lossConfig, lossFromConfig, optimizerConfig, optimizerFromConfig, optimizerWeights,
  restoreOptimizer, restoreRngs, rngStates,
} from './training-state';

export type { WeightsManifestEntry, WeightsManifestGroupConfig } from './weights';
export type { TrainingConfig } from './training-state';

export interface ModelArtifacts {
  modelTopology?: object | ArrayBuffer;
  trainingConfig?: TrainingConfig;
  weightSpecs?: WeightsManifestEntry[];
  weightData?: ArrayBuffer | ArrayBuffer[];
  format?: string;
  generatedBy?: string;
  convertedBy?: string | null;
  userDefinedMetadata?: Record<string, unknown>;
  [key: string]: unknown;
}

/** model.json as written to disk or served over HTTP (weights in separate files). */
export interface ModelJSON {
  modelTopology: object;
  weightsManifest: WeightsManifestGroupConfig[];
  format?: string;
  generatedBy?: string;
  convertedBy?: string | null;
  trainingConfig?: TrainingConfig;
  userDefinedMetadata?: Record<string, unknown>;
  [key: string]: unknown;
}

export interface ModelArtifactsInfo {
  dateSaved: Date;
  modelTopologyType: 'JSON' | 'GraphDef';
  modelTopologyBytes?: number;
  weightSpecsBytes?: number;
  weightDataBytes?: number;
}

export interface SaveResult {
  modelArtifactsInfo: ModelArtifactsInfo;
  responses?: unknown[];
  errors?: unknown[];
}

export interface IOHandler {
  save?(artifacts: ModelArtifacts): Promise<SaveResult>;
  load?(): Promise<ModelArtifacts>;
  /** Optional: how errors name where the artifacts came from (a path or a URL). */
  readonly source?: string;
}

export interface SaveConfig {
  /** Also store the optimizer config and state, the loss and metrics, and the layers' random states. */
  includeOptimizer?: boolean;
  /** Store only trainable weights (tfjs' option). */
  trainableOnly?: boolean;
}

const UTF8 = { length: (s: string) => new TextEncoder().encode(s).length };

/** The summary tfjs handlers return: byte sizes of topology, specs and data. */
export function getModelArtifactsInfoForJSON(a: ModelArtifacts): ModelArtifactsInfo {
  if (isArrayBuffer(a.modelTopology)) throw new ConfigError('getModelArtifactsInfoForJSON: the model topology is binary (a graph model), not JSON');
  const data = a.weightData;
  return {
    dateSaved: new Date(),
    modelTopologyType: 'JSON',
    modelTopologyBytes: a.modelTopology == null ? 0 : UTF8.length(JSON.stringify(a.modelTopology)),
    weightSpecsBytes: a.weightSpecs == null ? 0 : UTF8.length(JSON.stringify(a.weightSpecs)),
    weightDataBytes: data == null ? 0 : Array.isArray(data) ? data.reduce((n, b) => n + b.byteLength, 0) : data.byteLength,
  };
}

// ------------------------------------------------------------------------------------------------
// Handlers (tfjs' io.fromMemory and io.withSaveHandler)

function cloneArtifacts(a: ModelArtifacts): ModelArtifacts {
  const data = a.weightData;
  return {
    ...a,
    modelTopology: isArrayBuffer(a.modelTopology) ? a.modelTopology.slice(0) : a.modelTopology == null ? a.modelTopology : JSON.parse(JSON.stringify(a.modelTopology)),
    weightSpecs: a.weightSpecs == null ? a.weightSpecs : JSON.parse(JSON.stringify(a.weightSpecs)),
    weightData: data == null ? data : Array.isArray(data) ? data.map((b) => b.slice(0)) : data.slice(0),
  };
}

/**
 * A handler whose load() returns these artifacts: `fromMemory(artifacts)`, or tfjs' older form
 * `fromMemory(modelTopology, weightSpecs?, weightData?, trainingConfig?)`. The artifacts are copied
 * on each load, so a loaded model never shares memory with the caller's buffers.
 */
export function fromMemory(modelArtifacts: object, weightSpecs?: WeightsManifestEntry[], weightData?: ArrayBuffer, trainingConfig?: TrainingConfig): IOHandler {
  if (!isPlainObject(modelArtifacts)) throw new ConfigError(`io.fromMemory: expects the artifacts object { modelTopology, weightSpecs, weightData, … }, got ${fmtValue(modelArtifacts)}`);
  const a: ModelArtifacts = 'modelTopology' in modelArtifacts || 'weightSpecs' in modelArtifacts
    ? (modelArtifacts as ModelArtifacts)
    : { modelTopology: modelArtifacts, weightSpecs, weightData, trainingConfig };
  return { source: 'io.fromMemory', load: async () => cloneArtifacts(a) };
}

/** A handler whose save(artifacts) calls `fn(artifacts)` (tfjs' io.withSaveHandler). */
export function withSaveHandler(fn: (artifacts: ModelArtifacts) => Promise<SaveResult> | SaveResult): IOHandler {
  if (typeof fn !== 'function') throw new ConfigError(`io.withSaveHandler: expects a function (artifacts) => SaveResult, got ${fmtValue(fn)}`);
  return { save: async (a) => fn(a) };
}

// ------------------------------------------------------------------------------------------------
// HTTP (global fetch): model.json, then every shard relative to it

export interface HttpOptions {
  /** fetch to use (default: the global fetch). */
  fetchFunc?: typeof fetch;
  requestInit?: RequestInit;
  /** Prefix for shard paths (default: model.json's directory). */
  weightPathPrefix?: string;
}

/** Splits 'https://h/a/model.json?v=2' into the directory 'https://h/a/' and the query '?v=2'. */
function urlParts(url: string): { dir: string; query: string } {
  const q = url.indexOf('?');
  const base = q >= 0 ? url.slice(0, q) : url;
  return { dir: base.slice(0, base.lastIndexOf('/') + 1), query: q >= 0 ? url.slice(q) : '' };
}

/** Reads model.json and its shards into artifacts; `where` names the file in every error. */
export async function artifactsFromModelJSON(json: unknown, where: string, readShard: (path: string) => Promise<ArrayBuffer>): Promise<ModelArtifacts> {
  if (!isPlainObject(json)) throw new ConfigError(`${where}: model.json must be an object { modelTopology, weightsManifest, … }, got ${fmtValue(json)}`);
  const { weightsManifest, ...rest } = json as ModelJSON;
  const a: ModelArtifacts = { ...rest };
  if (weightsManifest !== undefined) {
    if (!Array.isArray(weightsManifest)) throw new ConfigError(`${where}: weightsManifest must be an array of { paths, weights }, got ${fmtValue(weightsManifest)}`);
    const specs: WeightsManifestEntry[] = [];
    const buffers: ArrayBuffer[] = [];
    for (let g = 0; g < weightsManifest.length; g++) {
      const group = weightsManifest[g];
      if (!isPlainObject(group) || !Array.isArray(group.paths) || !Array.isArray(group.weights) || !group.paths.every((p) => typeof p === 'string')) {
        throw new ConfigError(`${where}: weightsManifest[${g}] must be { paths: string[], weights: [...] }, got ${fmtValue(group)}`);
      }
      for (const p of group.paths as string[]) buffers.push(await readShard(p));
      specs.push(...(group.weights as WeightsManifestEntry[]));
    }
    a.weightSpecs = specs;
    a.weightData = concatBuffers(buffers);
  }
  return a;
}

/** Parses JSON text; a ConfigError naming the file and the position otherwise. */
export function parseJSON(text: string, where: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new ConfigError(`${where}: not valid JSON (${(e as Error).message})`);
  }
}

/** Loads `…/model.json` and its weight shards through fetch (browsers, Node >= 18). */
export function http(url: string, opts: HttpOptions = {}): IOHandler {
  if (typeof url !== 'string' || url === '') throw new ConfigError(`io.http: url must be a non-empty string, got ${fmtValue(url)}`);
  const getFetch = (): typeof fetch => {
    const f = opts.fetchFunc ?? (globalThis as { fetch?: typeof fetch }).fetch;
    if (typeof f !== 'function') throw new ConfigError(`loadLayersModel: no global fetch to load ${url} (Node >= 18 or a browser), or pass io.http(url, { fetchFunc })`);
    return f;
  };
  const get = async (u: string, what: string): Promise<Response> => {
    let r: Response;
    try {
      r = await getFetch()(u, opts.requestInit);
    } catch (e) {
      if (e instanceof RidgeError) throw e;
      throw new ValueError(`loadLayersModel: fetching ${what} ${u} failed: ${(e as Error)?.message ?? String(e)}`);
    }
    if (!r || !r.ok) throw new ValueError(`loadLayersModel: ${what} ${u} could not be loaded: HTTP ${r?.status} ${r?.statusText ?? ''}`.trimEnd());
    return r;
  };
  return {
    source: url,
    async load() {
      const res = await get(url, 'model.json');
      const json = parseJSON(await res.text(), url);
      const { dir, query } = urlParts(url);
      const prefix = opts.weightPathPrefix ?? dir;
      return artifactsFromModelJSON(json, url, async (p) => (await get(prefix + p + query, 'weight shard')).arrayBuffer());
    },
    async save() {
      throw new ConfigError(`io.http: saving over HTTP is not supported; save with io.withSaveHandler and send the artifacts yourself`);
    },
  };
}

// ------------------------------------------------------------------------------------------------
// Save

/** The saved name of every weight: `<layer name>/<weight name>` (tfjs and Keras). */
function weightNames(m: Model): { weights: LayerWeight[]; names: string[] } {
  const weights: LayerWeight[] = [], names: string[] = [];
  for (const l of m.layers) for (const w of l.weights) { weights.push(w); names.push(`${l.name}/${w.name}`); }
  return { weights, names };
}

/** The artifacts of `m`, as tfjs-layers builds them in LayersModel.save. */
export function modelArtifacts(m: Model, config: SaveConfig = {}): ModelArtifacts {
  if (!isPlainObject(config)) throw new ConfigError(`save: config must be an object { includeOptimizer?, trainableOnly? }, got ${fmtValue(config)}`);
  for (const k of Object.keys(config)) {
    if (k !== 'includeOptimizer' && k !== 'trainableOnly') throw new ConfigError(`save: unknown option ${fmtValue(k)} (allowed: includeOptimizer, trainableOnly)`);
  }
  if (!m.built) throw new ConfigError(`save: ${m.name} is not built yet (give the first layer an inputShape, or call fit/predict once) so it has no weights to save`);
  const topology = modelToTopology(m);
  const { weights, names } = weightNames(m);
  const keep = weights.map((w) => !config.trainableOnly || w.trainable);
  const named: NamedWeight[] = weights.flatMap((w, i) => (keep[i] ? [{ name: names[i], shape: w.value.shape.slice(), values: w.value.data }] : []));
  const a: ModelArtifacts = {
    modelTopology: topology,
    format: 'layers-model',
    generatedBy: `Ridge v${RIDGE_VERSION}`,
    convertedBy: null,
  };
  if (config.includeOptimizer && m.optimizer && m.loss) {
    const opt = m.optimizer;
    a.trainingConfig = {
      loss: lossConfig(m.loss),
      metrics: m.metricNames,
      optimizer_config: optimizerConfig(opt),
    };
    named.push(...optimizerWeights(opt, weights, names));
    a.userDefinedMetadata = { ridge: { rng: rngStates(m.layers) } };
  }
  const { data, specs } = encodeWeights(named);
  a.weightSpecs = specs;
  a.weightData = data;
  return a;
}

/** model.save(handler, config): builds the artifacts and hands them to `handler.save`. */
export async function saveModel(m: Model, handler: IOHandler, config: SaveConfig = {}): Promise<SaveResult> {
  if (typeof handler === 'string') {
    throw new ConfigError(`save: URL strings are not handlers in Ridge; pass io.withSaveHandler(fn), or io.fileSystem(dir) from 'ridge/node', got ${fmtValue(handler)}`);
  }
  if (handler === null || typeof handler !== 'object' || typeof handler.save !== 'function') {
    throw new ConfigError(`save: the handler must be an object with a save(artifacts) method (io.withSaveHandler, io.fileSystem …), got ${fmtValue(handler)}`);
  }
  return handler.save(modelArtifacts(m, config));
}

// ------------------------------------------------------------------------------------------------
// Load

export interface LoadOptions {
  /** Every weight in the file must match a weight of the model and vice versa (default true). */
  strict?: boolean;
}

function resolveHandler(h: unknown): IOHandler {
  if (typeof h === 'string') {
    if (/^https?:\/\//i.test(h)) return http(h);
    if (/^file:\/\//i.test(h)) throw new ConfigError(`loadLayersModel: file:// URLs need Node: import { io } from 'ridge/node' and pass io.fileSystem(${JSON.stringify(h.slice(7))})`);
    if (typeof (globalThis as { location?: unknown }).location === 'object') return http(h); // a relative URL in a browser
    throw new ConfigError(`loadLayersModel: a string must be an http(s) URL of a model.json, got ${fmtValue(h)}`);
  }
  if (h === null || typeof h !== 'object' || typeof (h as IOHandler).load !== 'function') {
    throw new ConfigError(`loadLayersModel: expects a URL or a handler with load() (io.fromMemory, io.http, io.fileSystem …), got ${fmtValue(h)}`);
  }
  return h as IOHandler;
}

/** Builds a model from artifacts; every check runs before the model is returned. */
export function modelFromArtifacts(a: unknown, where: string, opts: LoadOptions = {}): Model {
  if (!isPlainObject(a)) throw new ConfigError(`${where}: the handler's load() must return artifacts { modelTopology, weightSpecs, weightData }, got ${fmtValue(a)}`);
  const art = a as ModelArtifacts;
  if (art.format !== undefined && art.format !== null && art.format !== 'layers-model') {
    throw new ConfigError(`${where}: format must be 'layers-model', got ${fmtValue(art.format)}${art.format === 'graph-model' ? ' (a TensorFlow.js graph model, which has no layers to rebuild)' : ''}`);
  }
  if (art.modelTopology == null) throw new ConfigError(`${where}: the artifacts have no modelTopology`);
  if (isArrayBuffer(art.modelTopology)) throw new ConfigError(`${where}: the model topology is binary (a graph model), not a Keras model config`);
  const m = modelFromTopology(art.modelTopology, `${where} modelTopology`);
  const strict = opts.strict ?? true;
  const { weights, names } = weightNames(m);
  const hasWeights = art.weightSpecs != null || art.weightData != null;
  const decoded = hasWeights ? decodeWeights(art.weightData, art.weightSpecs, where) : [];
  const modelW = decoded.filter((d) => d.spec.group !== 'optimizer');
  const optW = decoded.filter((d) => d.spec.group === 'optimizer');
  if (hasWeights && weights.length > 0 && !m.built) throw new ConfigError(`${where}: the first layer has no batch_input_shape, so the weights cannot be placed`);
  // Match by name: exact, else tfjs' shortened form (drop the two tokens before the last).
  const owner = m.layers.flatMap((l) => l.weights.map(() => l));
  const values: (Float32Array | null)[] = weights.map(() => null);
  for (const d of modelW) {
    let i = names.indexOf(d.spec.name);
    if (i < 0) {
      const t = d.spec.name.split('/');
      if (t.length > 2) i = names.indexOf([...t.slice(0, -2), t[t.length - 1]].join('/'));
    }
    if (i < 0) {
      if (strict) throw new ConfigError(`${where}: weight '${d.spec.name}' in the file matches no weight of the model (the model has ${names.map((n) => `'${n}'`).join(', ') || 'none'})`);
      continue;
    }
    if (values[i] !== null) throw new ConfigError(`${where}: weight '${names[i]}' appears twice in the file`);
    const want = weights[i].value.shape;
    const got = d.spec.shape;
    if (got.length !== want.length || got.some((x, j) => x !== want[j])) {
      throw new ShapeError(`${where}: layer '${owner[i].name}' (${owner[i].className}) weight '${weights[i].name}' must have shape ${fmtShape(want)}, the file has '${d.spec.name}' with shape ${fmtShape(got)}`);
    }
    values[i] = d.values;
  }
  const missing = names.filter((_, i) => values[i] === null);
  if (hasWeights && strict && missing.length > 0) {
    throw new ConfigError(`${where}: ${missing.length} of ${names.length} weights are not in the file: ${missing.map((n) => `'${n}'`).join(', ')}`);
  }
  // Training config: compile, then the optimizer state and the random generators.
  let compileWith: { opt: ReturnType<typeof optimizerFromConfig>; loss: ReturnType<typeof lossFromConfig>; metrics: string[] } | null = null;
  if (art.trainingConfig != null) {
    const tc = art.trainingConfig as unknown;
    if (!isPlainObject(tc)) throw new ConfigError(`${where}: trainingConfig must be an object, got ${fmtValue(tc)}`);
    for (const k of ['weighted_metrics', 'loss_weights', 'sample_weight_mode']) {
      if (tc[k] != null) throw new ConfigError(`${where}: trainingConfig.${k} is not supported by Ridge`);
    }
    // tfjs writes { <output>: [names] } (or {}) for the metrics of a model compiled without a list.
    const metrics = tc.metrics == null ? [] : isPlainObject(tc.metrics) ? Object.values(tc.metrics).flat() : tc.metrics;
    if (!Array.isArray(metrics) || !metrics.every((x) => typeof x === 'string')) throw new ConfigError(`${where}: trainingConfig.metrics must be an array of names, got ${fmtValue(metrics)}`);
    compileWith = {
      opt: optimizerFromConfig(tc.optimizer_config, `${where} trainingConfig`),
      loss: lossFromConfig(tc.loss, `${where} trainingConfig`),
      metrics: (metrics as string[]).map((x) => (x === 'acc' ? x : x.replace(/_([a-z])/g, (_s, c: string) => c.toUpperCase()))),
    };
  } else if (optW.length > 0) {
    throw new ConfigError(`${where}: the file has optimizer weights but no trainingConfig saying which optimizer they belong to`);
  }
  if (compileWith) {
    const { opt, loss, metrics } = compileWith;
    try {
      m.compile({ optimizer: opt.optimizer, loss, metrics });
    } catch (e) {
      if (e instanceof RidgeError) { const C = e.constructor as new (s: string) => RidgeError; throw new C(`${where} trainingConfig: ${e.message}`); }
      throw e;
    }
    restoreOptimizer(opt.optimizer, opt.tfjsMomentumLr, optW, weights, names, `${where} optimizer weights`);
    const meta = art.userDefinedMetadata;
    const ridge = isPlainObject(meta) && isPlainObject(meta.ridge) ? meta.ridge : null;
    if (ridge) restoreRngs(m.layers, ridge.rng, `${where} userDefinedMetadata`);
  }
  values.forEach((v, i) => { if (v) weights[i].value.data.set(v); });
  return m;
}

/**
 * Loads a model saved by Ridge, TensorFlow.js (`model.save`, the tfjs converter from Keras) or any
 * handler returning layers-model artifacts. A string is an http(s) URL of a model.json, fetched
 * with the global fetch, its shards relative to it.
 */
export async function loadLayersModel(handlerOrUrl: IOHandler | string, opts: LoadOptions = {}): Promise<Model> {
  const handler = resolveHandler(handlerOrUrl);
  const where = `loadLayersModel(${handler.source ?? 'handler'})`;
  if (!isPlainObject(opts)) throw new ConfigError(`loadLayersModel: options must be an object { strict? }, got ${fmtValue(opts)}`);
  const artifacts = await handler.load!();
  return modelFromArtifacts(artifacts, where, opts);
}
