/**
 * What `includeOptimizer: true` adds to an artifact, so training resumes exactly where it stopped:
 *
 *   trainingConfig        { loss, metrics, optimizer_config: { class_name, config } }   (tfjs / Keras)
 *   weights, group 'optimizer'   'iter' (int32 scalar), then the state buffers in tfjs' order:
 *       Adam / AdamW   <weight>/m for every weight, then <weight>/v for every weight
 *       RMSprop        <weight>/rms …, then <weight>/momentum …   (class 'RMSProp', rho written as decay)
 *       SGD            momentum 0: nothing more;  momentum > 0: <weight>/momentum … (Keras' m = μ·m − lr·g)
 *   userDefinedMetadata.ridge.rng   the state of every layer's random generator (dropout masks), so the
 *       masks after loading are the ones training would have drawn next.
 *
 * TensorFlow.js reads SGD (no momentum), Adam and RMSProp with their state; it has no AdamW and
 * its momentum SGD is 'Momentum' with an accumulator a = −m / lr, which Ridge reads (converted) but
 * does not write (the conversion would round, and resuming must be bit-identical).
 */
import { ConfigError, fmtValue } from '../errors';
import { Random } from '../random';
import type { Layer, LayerWeight } from '../layers/layer';
import * as optimizers from '../training/optimizers';
import type { Optimizer, OptimizerState } from '../training/optimizers';
import type { Loss } from '../training/losses';
import { isPlainObject, toCamelCase, toSnakeCase } from './keras-config';
import type { NamedWeight, DecodedWeight } from './weights';

export interface TrainingConfig {
  optimizer_config: { class_name: string; config: Record<string, unknown> };
  loss: string | string[] | Record<string, unknown>;
  metrics?: string[] | Record<string, string>;
  [key: string]: unknown;
}

/** The @internal state accessors of Ridge's optimizers (lib/training/optimizers.ts). */
interface SlotAccess {
  saveState(): OptimizerState;
  restoreState(st: OptimizerState): void;
}

function slotAccess(opt: Optimizer): SlotAccess | null {
  const o = opt as unknown as Partial<SlotAccess>;
  return typeof o.saveState === 'function' && typeof o.restoreState === 'function' ? (o as SlotAccess) : null;
}

/** Slot names per optimizer (index i of the optimizer's state buffers), and how many it keeps. */
function slotNames(opt: Optimizer): string[] {
  const c = opt.getConfig();
  switch (opt.className) {
    case 'SGD': return (c.momentum as number) > 0 ? ['momentum'] : [];
    case 'Adam': case 'AdamW': return ['m', 'v'];
    case 'RMSprop': return ['rms', 'momentum'];
  }
  throw new ConfigError(`save: includeOptimizer supports Ridge's SGD, Adam, AdamW and RMSprop, got an optimizer of class ${fmtValue(opt.className)}`);
}

// ------------------------------------------------------------------------------------------------
// Writing

export function optimizerConfig(opt: Optimizer): { class_name: string; config: Record<string, unknown> } {
  const c = opt.getConfig();
  switch (opt.className) {
    case 'SGD':
      return (c.momentum as number) > 0
        ? { class_name: 'SGD', config: { learningRate: c.learningRate, momentum: c.momentum, nesterov: c.nesterov } }
        : { class_name: 'SGD', config: { learningRate: c.learningRate } };
    case 'Adam': return { class_name: 'Adam', config: { learningRate: c.learningRate, beta1: c.beta1, beta2: c.beta2, epsilon: c.epsilon } };
    case 'AdamW': return { class_name: 'AdamW', config: { ...c } };
    case 'RMSprop': return { class_name: 'RMSProp', config: { learningRate: c.learningRate, decay: c.rho, momentum: c.momentum, epsilon: c.epsilon, centered: false } };
  }
  throw new ConfigError(`save: includeOptimizer supports Ridge's SGD, Adam, AdamW and RMSprop, got an optimizer of class ${fmtValue(opt.className)}`);
}

const BUILTIN_LOSSES = ['meanSquaredError', 'meanAbsoluteError', 'binaryCrossentropy', 'categoricalCrossentropy', 'sparseCategoricalCrossentropy'];

export function lossConfig(loss: Loss): string | Record<string, unknown> {
  if (!BUILTIN_LOSSES.includes(loss.name)) {
    throw new ConfigError(`save: includeOptimizer can store the built-in losses (${BUILTIN_LOSSES.join(', ')}), got a loss named ${fmtValue(loss.name)}`);
  }
  if (!loss.fromLogits) return toSnakeCase(loss.name);
  return { class_name: loss.name.charAt(0).toUpperCase() + loss.name.slice(1), config: { from_logits: true } };
}

/** The optimizer's weights, tfjs order: iter, then slot 0 of every trainable weight, then slot 1, … */
export function optimizerWeights(opt: Optimizer, weights: readonly LayerWeight[], names: readonly string[]): NamedWeight[] {
  const access = slotAccess(opt);
  const slots = slotNames(opt);
  if (!access && slots.length > 0) throw new ConfigError(`save: the optimizer ${opt.className} does not expose its state`);
  const out: NamedWeight[] = [{ name: 'iter', shape: [], values: Int32Array.of(opt.iterations), group: 'optimizer' }];
  const state = access ? access.saveState().slots : new Map<LayerWeight, Float32Array[]>();
  slots.forEach((slot, k) => {
    weights.forEach((w, i) => {
      if (!w.trainable) return;
      const buf = state.get(w)?.[k];
      out.push({ name: `${names[i]}/${slot}`, shape: w.value.shape.slice(), values: buf ? buf.slice() : new Float32Array(w.value.size), group: 'optimizer' });
    });
  });
  return out;
}

/** Every Random a layer owns (dropout and other stochastic layers), by property name. */
function layerRngs(layer: Layer): [string, Random][] {
  return Object.entries(layer).filter((e): e is [string, Random] => e[1] instanceof Random).sort((a, b) => (a[0] < b[0] ? -1 : 1));
}

export function rngStates(layers: readonly Layer[]): Record<string, Record<string, { state: number; spareNormal: number | null }>> {
  const out: Record<string, Record<string, { state: number; spareNormal: number | null }>> = {};
  for (const l of layers) {
    const rngs = layerRngs(l);
    if (rngs.length === 0) continue;
    out[l.name] = {};
    for (const [k, r] of rngs) out[l.name][k] = r.getState();
  }
  return out;
}

// ------------------------------------------------------------------------------------------------
// Reading

/** Keras optimizer config keys that do not change the update rule Ridge computes. */
const IGNORED_OPTIMIZER_KEYS = ['name', 'isLegacyOptimizer', 'jitCompile', 'emaMomentum', 'emaOverwriteFrequency', 'lossScaleFactor', 'gradientAccumulationSteps'];

function pick(where: string, cls: string, c: Record<string, unknown>, keys: string[], rename: Record<string, string> = {}): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [rawK, v] of Object.entries(c)) {
    const k0 = toCamelCase(rawK);
    const k = rename[k0] ?? k0;
    if (keys.includes(k)) { if (v !== null && v !== undefined) out[k] = v; continue; }
    // Keras 3 extras are accepted at their defaults only.
    if (v === null || v === false || v === undefined || IGNORED_OPTIMIZER_KEYS.includes(k)) continue;
    if (k === 'decay' && v === 0) continue;
    throw new ConfigError(`${where}: optimizer ${cls} option ${rawK} = ${fmtValue(v)} is not supported by Ridge`);
  }
  return out;
}

/** optimizer_config → a Ridge optimizer (tfjs names SGD, Momentum, Adam, RMSProp and Keras' SGD, Adam, AdamW, RMSprop). */
export function optimizerFromConfig(oc: unknown, where: string): { optimizer: Optimizer; tfjsMomentumLr: number | null } {
  if (!isPlainObject(oc) || typeof oc.class_name !== 'string') throw new ConfigError(`${where}: optimizer_config must be { class_name, config }, got ${fmtValue(oc)}`);
  const cls = oc.class_name;
  const c = isPlainObject(oc.config) ? oc.config : {};
  const wrap = <T>(f: () => T): T => {
    try { return f(); } catch (e) { if (e instanceof ConfigError) throw new ConfigError(`${where}: ${e.message}`); throw e; }
  };
  const rn = { lr: 'learningRate', beta_1: 'beta1', beta_2: 'beta2', useNesterov: 'nesterov' } as Record<string, string>;
  switch (cls) {
    case 'SGD': case 'sgd':
      return { optimizer: wrap(() => optimizers.sgd(pick(where, cls, c, ['learningRate', 'momentum', 'nesterov'], rn))), tfjsMomentumLr: null };
    case 'Momentum': {
      const o = pick(where, cls, c, ['learningRate', 'momentum', 'nesterov'], rn);
      const opt = wrap(() => optimizers.sgd(o));
      return { optimizer: opt, tfjsMomentumLr: (opt.getConfig().learningRate as number) };
    }
    case 'Adam': case 'adam':
      return { optimizer: wrap(() => optimizers.adam(pick(where, cls, c, ['learningRate', 'beta1', 'beta2', 'epsilon'], rn))), tfjsMomentumLr: null };
    case 'AdamW': case 'adamw':
      return { optimizer: wrap(() => optimizers.adamw(pick(where, cls, c, ['learningRate', 'beta1', 'beta2', 'epsilon', 'weightDecay'], rn))), tfjsMomentumLr: null };
    case 'RMSProp': case 'RMSprop': case 'rmsprop': {
      const o = pick(where, cls, c, ['learningRate', 'rho', 'momentum', 'epsilon', 'centered'], { ...rn, decay: cls === 'RMSProp' ? 'rho' : 'decay' });
      if (o.centered === true) throw new ConfigError(`${where}: centered RMSprop is not supported by Ridge`);
      delete o.centered;
      return { optimizer: wrap(() => optimizers.rmsprop(o)), tfjsMomentumLr: null };
    }
  }
  throw new ConfigError(`${where}: optimizer class ${fmtValue(cls)} is not one Ridge has (SGD, Momentum, Adam, AdamW, RMSProp)`);
}

/** trainingConfig.loss → compile()'s loss identifier. */
export function lossFromConfig(loss: unknown, where: string): string | { name: string; fromLogits: boolean } {
  if (typeof loss === 'string') return toCamelCase(loss);
  if (Array.isArray(loss) && loss.length === 1 && typeof loss[0] === 'string') return toCamelCase(loss[0]);
  if (isPlainObject(loss) && typeof loss.class_name === 'string') {
    const name = loss.class_name.charAt(0).toLowerCase() + loss.class_name.slice(1);
    const cfg = isPlainObject(loss.config) ? loss.config : {};
    return { name, fromLogits: cfg.from_logits === true || cfg.fromLogits === true };
  }
  throw new ConfigError(`${where}: trainingConfig.loss must be a loss name (one output), got ${fmtValue(loss)}`);
}

/**
 * Puts the saved optimizer weights into `opt`: iterations and every slot, after checking them all
 * (names and shapes). `names[i]` is the saved name of `weights[i]`.
 */
export function restoreOptimizer(opt: Optimizer, tfjsMomentumLr: number | null, saved: DecodedWeight[],
  weights: readonly LayerWeight[], names: readonly string[], where: string): void {
  if (saved.length === 0) return;
  const byName = new Map(saved.map((d) => [d.spec.name, d]));
  const iter = byName.get('iter');
  if (!iter || iter.values.length !== 1 || !Number.isInteger(iter.values[0]) || iter.values[0] < 0) {
    throw new ConfigError(`${where}: optimizer weights must start with 'iter', a non-negative integer scalar, got ${iter ? fmtValue(Array.from(iter.values)) : 'none'}`);
  }
  const slots = slotNames(opt);
  const access = slotAccess(opt);
  const restored = new Map<LayerWeight, Float32Array[]>();
  const used = new Set<string>(['iter']);
  slots.forEach((slot, k) => {
    weights.forEach((w, i) => {
      if (!w.trainable) return;
      const name = `${names[i]}/${slot}`;
      const d = byName.get(name);
      if (!d) {
        if (slot === 'momentum' && opt.className === 'RMSprop') return; // RMSprop without momentum
        throw new ConfigError(`${where}: optimizer weight '${name}' is missing (${opt.className} keeps ${slots.map((s) => `<weight>/${s}`).join(', ')})`);
      }
      if (d.values.length !== w.value.size) {
        throw new ConfigError(`${where}: optimizer weight '${name}' has shape [${d.spec.shape.join(',')}], expected [${w.value.shape.join(',')}]`);
      }
      used.add(name);
      let v = d.values;
      if (tfjsMomentumLr !== null) { v = new Float32Array(v.length); for (let j = 0; j < v.length; j++) v[j] = -tfjsMomentumLr * d.values[j]; }
      const list = restored.get(w) ?? [];
      list[k] = v;
      restored.set(w, list);
    });
  });
  const extra = saved.filter((d) => !used.has(d.spec.name)).map((d) => d.spec.name);
  if (extra.length > 0) throw new ConfigError(`${where}: optimizer weights ${extra.map((n) => `'${n}'`).join(', ')} match no weight of the model for ${opt.className}`);
  if (restored.size > 0 && !access) throw new ConfigError(`${where}: the optimizer ${opt.className} does not accept state`);
  const state: OptimizerState = { iterations: iter.values[0], slots: new Map() };
  for (const [w, list] of restored) {
    // RMSprop without momentum keeps one buffer; with momentum two (zeros when the file has none).
    const want = opt.className === 'RMSprop' ? ((opt.getConfig().momentum as number) > 0 ? 2 : 1) : list.length;
    const bufs: Float32Array[] = [];
    for (let k = 0; k < want; k++) bufs.push(list[k] ?? new Float32Array(w.value.size));
    state.slots.set(w, bufs);
  }
  if (access) access.restoreState(state);
  else opt.iterations = state.iterations;
}

/** Checks and restores the layers' generator states saved by rngStates(). */
export function restoreRngs(layers: readonly Layer[], saved: unknown, where: string): void {
  if (saved === undefined || saved === null) return;
  if (!isPlainObject(saved)) throw new ConfigError(`${where}: userDefinedMetadata.ridge.rng must be an object, got ${fmtValue(saved)}`);
  const plan: [Random, { state: number; spareNormal: number | null }][] = [];
  for (const [layerName, states] of Object.entries(saved)) {
    const layer = layers.find((l) => l.name === layerName);
    if (!layer || !isPlainObject(states)) throw new ConfigError(`${where}: random state for '${layerName}', which is not a layer of the model`);
    const rngs = new Map(layerRngs(layer));
    for (const [k, s] of Object.entries(states)) {
      const r = rngs.get(k);
      if (!r || !isPlainObject(s) || !Number.isInteger(s.state) || (s.spareNormal !== null && typeof s.spareNormal !== 'number')) {
        throw new ConfigError(`${where}: bad random state ${layerName}.${k}: ${fmtValue(s)}`);
      }
      plan.push([r, { state: s.state as number, spareNormal: s.spareNormal as number | null }]);
    }
  }
  for (const [r, s] of plan) r.setState(s);
}
