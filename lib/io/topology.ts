/**
 * Model topology ↔ the Keras model config (what Keras' `model.to_json()` and tfjs' `model.toJSON()`
 * write, and what sits in `model.json` under `modelTopology`).
 *
 *   Sequential   { class_name: 'Sequential', config: { name, layers: [{ class_name, config }, …] } }
 *                the first layer carries `batch_input_shape: [null, …]` (or an InputLayer comes first)
 *   Functional   { class_name: 'Model' | 'Functional', config: { name,
 *                  layers: [{ name, class_name, config, inbound_nodes: [[[src, nodeIndex, 0, {}], …], …] }],
 *                  input_layers: [[name, 0, 0], …], output_layers: [[name, nodeIndex, 0]] } }
 *
 * A layer applied at several places (weight sharing) has one entry with one inbound node per call;
 * `nodeIndex` says which call of the source layer produced a tensor. Layers are rebuilt through the
 * registry (lib/layers/registry.ts); nothing global changes when loading fails.
 */
import { ConfigError, RidgeError, fmtValue } from '../errors';
import type { Layer } from '../layers/layer';
import { layerClassFromName, registeredLayerClasses } from '../layers/index';
import { SymbolicTensor } from '../graph/symbolic';
import { Model, input, model as functionalModel, sequential } from '../graph/model';
import { JsonObject, Json, isPlainObject, layerConfigFromKeras, layerConfigToKeras } from './keras-config';

export const RIDGE_VERSION = '0.1.0';

/** Re-throws a Ridge error with `where` in front, keeping its class; other errors pass unchanged. */
export function withContext<T>(where: string, f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof RidgeError) {
      if (e.message.startsWith(where)) throw e;
      const Ctor = e.constructor as new (m: string) => RidgeError;
      throw new Ctor(`${where}: ${e.message}`);
    }
    // A config that asks for more memory than there is (units: 1e9) or an option of a shape the
    // layer did not expect (a number where an array belongs) is still a bad file: say so, typed.
    if (e instanceof RangeError || e instanceof TypeError) throw new ConfigError(`${where}: the configuration cannot be built (${e.message})`);
    throw e;
  }
}

// ------------------------------------------------------------------------------------------------
// Writing

function layerEntry(layer: Layer, inputShape: number[] | null): JsonObject {
  const config = layerConfigToKeras(layer.name, layer.getConfig());
  config.name = layer.name;
  config.trainable = layer.weights.length === 0 || layer.weights.some((w) => w.trainable);
  if (inputShape) config.batch_input_shape = [null, ...inputShape];
  config.dtype = 'float32';
  return { class_name: layer.className, config };
}

function checkUniqueNames(m: Model, names: string[]): void {
  const seen = new Set<string>();
  for (const n of names) {
    if (seen.has(n)) throw new ConfigError(`${m.name}: cannot serialize a model with two layers named '${n}' (Keras needs unique layer names); give the layers distinct names`);
    seen.add(n);
  }
}

/** The Keras model config of `m` as a plain JSON object. */
export function modelToTopology(m: Model): JsonObject {
  const chain = m.chainLayers;
  let body: JsonObject;
  if (chain) {
    const layers = chain.filter((l, i, a) => a.indexOf(l) === i);
    checkUniqueNames(m, layers.map((l) => l.name));
    const inShape = m.graph ? m.graph.inputs[0].featureShape : layers[0]?.inputShape ?? null;
    body = { class_name: 'Sequential', config: { name: m.name, layers: layers.map((l, i) => layerEntry(l, i === 0 ? inShape : null)) } };
  } else {
    const graph = m.graph!;
    // Each slot is (layer name, node index): an input is its InputLayer's node 0.
    const slotRef: [string, number][] = [];
    graph.inputSlots.forEach((s) => { slotRef[s] = [graph.slotNames[s], 0]; });
    const nodeCount = new Map<Layer, number>();
    const inbound = new Map<Layer, Json[]>();
    for (const node of graph.nodes) {
      const k = nodeCount.get(node.layer) ?? 0;
      nodeCount.set(node.layer, k + 1);
      slotRef[node.output] = [node.layer.name, k];
      const list = inbound.get(node.layer) ?? [];
      list.push(node.inputs.map((s) => [slotRef[s][0], slotRef[s][1], 0, {}]));
      inbound.set(node.layer, list);
    }
    const inputNames = graph.inputSlots.map((s) => graph.slotNames[s]);
    checkUniqueNames(m, [...inputNames, ...graph.layers.map((l) => l.name)]);
    const layers: Json[] = graph.inputSlots.map((s) => ({
      name: graph.slotNames[s],
      class_name: 'InputLayer',
      config: { batch_input_shape: [null, ...graph.slotShapes[s]], dtype: 'float32', sparse: false, name: graph.slotNames[s] },
      inbound_nodes: [],
    }));
    for (const layer of graph.layers) {
      const e = layerEntry(layer, null);
      layers.push({ name: layer.name, class_name: e.class_name, config: e.config, inbound_nodes: inbound.get(layer)! });
    }
    // Every output (multi-output graphs expose outputSlots; single-output ones outputSlot).
    const outSlots = (graph as unknown as { outputSlots?: number[] }).outputSlots ?? [graph.outputSlot];
    body = {
      class_name: 'Model',
      config: {
        name: m.name,
        layers,
        input_layers: inputNames.map((n) => [n, 0, 0]),
        output_layers: outSlots.map((s) => [slotRef[s][0], slotRef[s][1], 0]),
      },
    };
  }
  return { ...body, keras_version: `ridge ${RIDGE_VERSION}`, backend: 'ridge' };
}

// ------------------------------------------------------------------------------------------------
// Reading

function entryClass(entry: unknown, where: string): { className: string; config: Record<string, unknown> } {
  if (!isPlainObject(entry)) throw new ConfigError(`${where}: a layer entry must be an object { class_name, config }, got ${fmtValue(entry)}`);
  const className = entry.class_name ?? entry.className;
  if (typeof className !== 'string' || className === '') throw new ConfigError(`${where}: class_name must be a non-empty string, got ${fmtValue(className)}`);
  const config = entry.config ?? {};
  if (!isPlainObject(config)) throw new ConfigError(`${where}: config of ${className} must be an object, got ${fmtValue(config)}`);
  return { className, config };
}

/** Rebuilds one layer through the registry. `inputShape` is set only for a sequential model's first layer. */
function buildLayer(entry: unknown, where: string, allowInputShape: boolean, extraInputShape: number[] | null): { layer: Layer; trainable: boolean } {
  const { className, config } = entryClass(entry, where);
  const name = typeof config.name === 'string' ? config.name : (isPlainObject(entry) && typeof entry.name === 'string' ? entry.name : null);
  const at = name ? `${where} layer '${name}' (${className})` : `${where} layer (${className})`;
  const factory = layerClassFromName(className);
  if (!factory) {
    throw new ConfigError(`${at}: unknown layer class '${className}' (Ridge has ${registeredLayerClasses().join(', ')}; register others with layers.registerLayerClass)`);
  }
  return withContext(at, () => {
    const { config: cfg, inputShape } = layerConfigFromKeras(config, at);
    const trainable = cfg.trainable !== false;
    if (name) cfg.name = name;
    const shape = extraInputShape ?? inputShape;
    if (allowInputShape && shape) cfg.inputShape = shape;
    const layer = factory(cfg);
    if (!layer || typeof layer.apply !== 'function') throw new ConfigError(`fromConfig of '${className}' must return a Layer, got ${fmtValue(layer)}`);
    return { layer, trainable };
  });
}

/**
 * For wrapper layers (TimeDistributed, Bidirectional …) whose config holds an inner layer: rebuilds
 * `{ class_name | className, config }` (snake_case or camelCase keys, hooks as saved) into a Layer,
 * through the registry, hooks revived.
 */
export function deserializeLayer(entry: unknown, where = 'deserializeLayer'): Layer {
  const { layer, trainable } = buildLayer(entry, where, true, null);
  if (!trainable) for (const w of layer.weights) w.trainable = false;
  return layer;
}

/** The Keras `{ class_name, config }` of one layer (snake_case, hooks as { class_name, config }). */
export function serializeLayer(layer: Layer): JsonObject {
  return layerEntry(layer, layer.inputShape);
}

function freeze(layers: { layer: Layer; trainable: boolean }[]): void {
  for (const { layer, trainable } of layers) if (!trainable) for (const w of layer.weights) w.trainable = false;
}

function inputLayerShape(config: Record<string, unknown>, where: string): number[] {
  const { inputShape } = layerConfigFromKeras({ ...config, name: undefined, sparse: undefined, ragged: undefined }, where);
  if (!inputShape) throw new ConfigError(`${where}: InputLayer needs batch_input_shape (or batch_shape), got ${JSON.stringify(config)}`);
  return inputShape;
}

function sequentialFromConfig(config: unknown, where: string): Model {
  const layerList = Array.isArray(config) ? config : isPlainObject(config) ? config.layers : undefined;
  if (!Array.isArray(layerList) || layerList.length === 0) {
    throw new ConfigError(`${where}: Sequential config must have a non-empty layers array, got ${fmtValue(layerList)}`);
  }
  const name = isPlainObject(config) && typeof config.name === 'string' ? config.name : undefined;
  let entries = layerList;
  let firstShape: number[] | null = null;
  const first = entryClass(entries[0], `${where} layers[0]`);
  if (first.className === 'InputLayer') {
    firstShape = inputLayerShape(first.config, `${where} layers[0] (InputLayer)`);
    entries = entries.slice(1);
    if (entries.length === 0) throw new ConfigError(`${where}: Sequential config has only an InputLayer`);
  }
  const offset = layerList.length - entries.length;
  const built = entries.map((e, i) => buildLayer(e, `${where} layers[${i + offset}]`, i === 0, i === 0 ? firstShape : null));
  const m = withContext(where, () => sequential(built.map((b) => b.layer), { name }));
  freeze(built);
  return m;
}

type TensorRef = [string, number, number];

function parseRef(v: unknown, where: string): TensorRef {
  if (!Array.isArray(v) || v.length < 3 || typeof v[0] !== 'string' || !Number.isInteger(v[1]) || !Number.isInteger(v[2])) {
    throw new ConfigError(`${where}: expected [layerName, nodeIndex, tensorIndex], got ${fmtValue(v)}`);
  }
  return [v[0], v[1], v[2]];
}

/** One inbound node: Keras 2 / tfjs `[[name, node, tensor, kwargs], …]` or Keras 3 `{ args, kwargs }`. */
function parseNode(node: unknown, where: string): TensorRef[] {
  if (Array.isArray(node)) return node.map((r, i) => parseRef(r, `${where}[${i}]`));
  if (isPlainObject(node) && Array.isArray(node.args)) {
    const refs: TensorRef[] = [];
    const walk = (a: unknown): void => {
      if (Array.isArray(a)) { a.forEach(walk); return; }
      if (isPlainObject(a) && a.class_name === '__keras_tensor__' && isPlainObject(a.config)) refs.push(parseRef(a.config.keras_history, where));
    };
    walk(node.args);
    return refs;
  }
  throw new ConfigError(`${where}: an inbound node must be a list of [layerName, nodeIndex, tensorIndex, kwargs], got ${fmtValue(node)}`);
}

function functionalFromConfig(config: unknown, where: string): Model {
  if (!isPlainObject(config) || !Array.isArray(config.layers)) throw new ConfigError(`${where}: Model config must have a layers array, got ${fmtValue(config)}`);
  const name = typeof config.name === 'string' ? config.name : undefined;
  interface Entry { name: string; layer: Layer | null; nodes: TensorRef[][]; outputs: SymbolicTensor[]; where: string }
  const byName = new Map<string, Entry>();
  const entries: Entry[] = [];
  const built: { layer: Layer; trainable: boolean }[] = [];
  config.layers.forEach((raw, i) => {
    const at = `${where} layers[${i}]`;
    const { className, config: lc } = entryClass(raw, at);
    const entryName = isPlainObject(raw) && typeof raw.name === 'string' ? raw.name : typeof lc.name === 'string' ? lc.name : null;
    if (entryName === null) throw new ConfigError(`${at}: a functional layer entry needs a name`);
    if (byName.has(entryName)) throw new ConfigError(`${at}: two layers are named '${entryName}'`);
    const inbound = isPlainObject(raw) ? raw.inbound_nodes ?? [] : [];
    if (!Array.isArray(inbound)) throw new ConfigError(`${at} '${entryName}': inbound_nodes must be an array, got ${fmtValue(inbound)}`);
    let e: Entry;
    if (className === 'InputLayer') {
      const shape = inputLayerShape(lc, `${at} '${entryName}' (InputLayer)`);
      e = { name: entryName, layer: null, nodes: [], outputs: [input({ shape, name: entryName })], where: at };
    } else {
      const b = buildLayer(raw, `${where} layers[${i}]`, false, null);
      built.push(b);
      e = { name: entryName, layer: b.layer, nodes: inbound.map((n, k) => parseNode(n, `${at} '${entryName}' inbound_nodes[${k}]`)), outputs: [], where: at };
    }
    byName.set(entryName, e);
    entries.push(e);
  });
  const resolve = (ref: TensorRef): SymbolicTensor | undefined => byName.get(ref[0])?.outputs[ref[1]];
  // Apply nodes in order; a node whose inputs are not made yet waits for a later pass (Keras does the same).
  let progress = true;
  while (progress) {
    progress = false;
    for (const e of entries) {
      while (e.layer && e.outputs.length < e.nodes.length) {
        const refs = e.nodes[e.outputs.length];
        for (const r of refs) {
          if (!byName.has(r[0])) throw new ConfigError(`${e.where} '${e.name}': inbound node names layer '${r[0]}', which is not in the model`);
          if (r[2] !== 0) throw new ConfigError(`${e.where} '${e.name}': tensor index ${r[2]} of '${r[0]}' (Ridge layers have one output)`);
        }
        const ins = refs.map(resolve);
        if (ins.some((t) => t === undefined)) break;
        const layer = e.layer;
        const list = ins as SymbolicTensor[];
        const out = withContext(`${e.where} '${e.name}'`, () => layer.apply(list.length === 1 ? list[0] : list));
        e.outputs.push(out);
        progress = true;
      }
    }
  }
  for (const e of entries) {
    if (e.layer && e.outputs.length < e.nodes.length) {
      const missing = e.nodes[e.outputs.length].filter((r) => resolve(r) === undefined).map((r) => `${r[0]}[${r[1]}]`);
      throw new ConfigError(`${e.where} '${e.name}': node ${e.outputs.length} waits for ${missing.join(', ')}, which is never produced (a cycle or a missing node)`);
    }
  }
  const refList = (key: string): SymbolicTensor[] => {
    const list = config[key];
    if (!Array.isArray(list) || list.length === 0) throw new ConfigError(`${where}: ${key} must be a non-empty array of [layerName, nodeIndex, tensorIndex], got ${fmtValue(list)}`);
    return list.map((r, i) => {
      const ref = parseRef(r, `${where} ${key}[${i}]`);
      const t = resolve(ref);
      if (!t) throw new ConfigError(`${where} ${key}[${i}]: no tensor ${ref[0]}[${ref[1]}] in the model`);
      return t;
    });
  };
  const inputs = refList('input_layers');
  const outputs = refList('output_layers');
  const m = withContext(where, () => functionalModel({ inputs, outputs, name }));
  freeze(built);
  return m;
}

/** A Keras model config (object, or `{ model_config }` as Keras' h5 files hold it) → an unbuilt-weights Model. */
export function modelFromTopology(topology: unknown, where: string): Model {
  let t = topology;
  if (isPlainObject(t) && isPlainObject(t.model_config)) t = t.model_config;
  if (!isPlainObject(t)) throw new ConfigError(`${where}: the model topology must be an object { class_name, config }, got ${fmtValue(t)}`);
  const className = t.class_name ?? t.className;
  switch (className) {
    case 'Sequential': return sequentialFromConfig(t.config, where);
    case 'Model': case 'Functional': return functionalFromConfig(t.config, where);
  }
  throw new ConfigError(`${where}: model class_name must be 'Sequential', 'Model' or 'Functional', got ${fmtValue(className)}`);
}

/** Keras' model_from_json: a model (fresh weights) from `model.toJSON()`'s string or object, or a whole model.json. */
export function modelFromJSON(json: string | object): Model {
  const where = 'modelFromJSON';
  let v: unknown = json;
  if (typeof json === 'string') {
    try {
      v = JSON.parse(json);
    } catch (e) {
      throw new ConfigError(`${where}: the text is not valid JSON (${(e as Error).message})`);
    }
  }
  if (isPlainObject(v) && v.modelTopology !== undefined) v = v.modelTopology;
  return modelFromTopology(v, where);
}
