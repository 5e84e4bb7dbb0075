/**
 * Keras configs ↔ Ridge configs: one layer, regularizer, initializer or constraint at a time.
 *
 *   Ridge getConfig() (camelCase)                 Keras / TensorFlow.js JSON (snake_case)
 *   { units: 8, useBias: true,                     { "units": 8, "use_bias": true,
 *     kernelRegularizer: { className: 'L2',          "kernel_regularizer": { "class_name": "L1L2",
 *                          config: { l2: 0.01 } } }                          "config": { "l1": 0, "l2": 0.01 } } }
 *
 * Writing: keys become snake_case; every `…Regularizer`, `…Initializer`, `…Constraint` value is
 * written as `{ class_name, config }`. Ridge's L1 and L2 are written as TensorFlow.js writes them,
 * `L1L2` with the other coefficient 0 (the one regularizer class tfjs registers; Keras reads it too).
 *
 * Reading: keys become camelCase; hook values are revived into real objects (regularizers.l1(...),
 * constraints.maxNorm(...), initializer option objects) BEFORE the layer's fromConfig sees them
 * (lib/layers/registry.ts); `null` values are dropped (Keras' null is "the default"); Keras-only keys
 * at their neutral value (dtype 'float32', data_format 'channels_last', noise_shape null, …) are
 * dropped. A user's own regularizer class loads once registered with `registerRegularizer`.
 */
import { ConfigError, fmtValue } from '../errors';
import * as regularizers from '../regularizers';
import type { Regularizer } from '../regularizers';
import * as constraints from '../constraints';
import type { Constraint } from '../constraints';

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

/** `kernelSize` → `kernel_size`, `l1` → `l1`. */
export function toSnakeCase(s: string): string {
  return s.replace(/([a-z0-9])([A-Z])/g, '$1_$2').replace(/([A-Z])([A-Z][a-z])/g, '$1_$2').toLowerCase();
}

/** `kernel_size` → `kernelSize`; a key without underscores is left as it is. */
export function toCamelCase(s: string): string {
  return s.replace(/_([a-z0-9])/g, (_m, c: string) => c.toUpperCase());
}

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v) && !ArrayBuffer.isView(v) && !(v instanceof ArrayBuffer);
}

// ------------------------------------------------------------------------------------------------
// Custom regularizers

export type RegularizerFromConfig = (config: Record<string, unknown>) => Regularizer;

const REGULARIZERS = new Map<string, RegularizerFromConfig>();

/**
 * Makes a user's own regularizer class loadable: a saved `{ class_name: className, config }` is
 * revived with `fromConfig(config)` (config keys camelCase, as the regularizer's getConfig wrote them).
 */
export function registerRegularizer(className: string, fromConfig: RegularizerFromConfig): void {
  if (typeof className !== 'string' || className === '') {
    throw new ConfigError(`registerRegularizer: className must be a non-empty string, got ${fmtValue(className)}`);
  }
  if (typeof fromConfig !== 'function') {
    throw new ConfigError(`registerRegularizer: fromConfig for '${className}' must be a function (config) => Regularizer, got ${fmtValue(fromConfig)}`);
  }
  REGULARIZERS.set(className, fromConfig);
}

// ------------------------------------------------------------------------------------------------
// Writing

/** Names tfjs registers where Ridge's capitalised name differs. */
const INITIALIZER_CLASS_OUT: Record<string, string> = { LecunNormal: 'LeCunNormal', LecunUniform: 'LeCunUniform' };

function snakeKeys(v: unknown): Json {
  if (Array.isArray(v)) return v.map(snakeKeys);
  if (isPlainObject(v)) {
    const out: JsonObject = {};
    for (const [k, x] of Object.entries(v)) if (x !== undefined) out[toSnakeCase(k)] = snakeKeys(x);
    return out;
  }
  if (typeof v === 'number' && !Number.isFinite(v)) return String(v); // JSON has no NaN/Infinity
  return (v ?? null) as Json;
}

function hookOut(kind: 'Regularizer' | 'Initializer' | 'Constraint', v: unknown, where: string): Json {
  if (v === null || v === undefined) return null;
  if (typeof v === 'string') return v;
  // A live regularizer/initializer/constraint object (a getConfig() that forgot to convert it).
  if (isPlainObject(v) && typeof v.getConfig === 'function') v = (v.getConfig as () => unknown).call(v);
  if (!isPlainObject(v) || typeof v.className !== 'string') {
    throw new ConfigError(`${where}: expected a { className, config } object from getConfig(), got ${fmtValue(v)}`);
  }
  let className = v.className;
  const config = (isPlainObject(v.config) ? v.config : {}) as Record<string, unknown>;
  if (kind === 'Regularizer' && (className === 'L1' || className === 'L2' || className === 'L1L2')) {
    return { class_name: 'L1L2', config: { l1: (config.l1 as number) ?? 0, l2: (config.l2 as number) ?? 0 } };
  }
  if (kind === 'Initializer') className = INITIALIZER_CLASS_OUT[className] ?? className;
  return { class_name: className, config: snakeKeys(config) };
}

/** The kind of hook a camelCase config key holds ('kernelRegularizer' → 'Regularizer'), or null. */
function hookKind(key: string): 'Regularizer' | 'Initializer' | 'Constraint' | null {
  if (key.endsWith('Regularizer')) return 'Regularizer';
  if (key.endsWith('Initializer')) return 'Initializer';
  if (key.endsWith('Constraint')) return 'Constraint';
  return null;
}

/** A layer's getConfig() as a Keras `config` object (snake_case, hooks as { class_name, config }). */
export function layerConfigToKeras(layerName: string, config: Record<string, unknown>): JsonObject {
  const out: JsonObject = {};
  for (const [k, v] of Object.entries(config)) {
    if (v === undefined) continue;
    const kind = hookKind(k);
    out[toSnakeCase(k)] = kind ? hookOut(kind, v, `layer '${layerName}' ${k}`) : snakeKeys(v);
  }
  return out;
}

// ------------------------------------------------------------------------------------------------
// Reading

function camelKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(camelKeys);
  if (isPlainObject(v)) {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) out[toCamelCase(k)] = camelKeys(x);
    return out;
  }
  return v;
}

/** `{ class_name, config }` (Keras 2, tfjs) or `{ module, class_name, config, registered_name }` (Keras 3). */
function classAndConfig(v: unknown, where: string): { className: string; config: Record<string, unknown> } {
  if (!isPlainObject(v)) throw new ConfigError(`${where}: expected { class_name, config }, got ${fmtValue(v)}`);
  const className = v.class_name ?? v.className;
  if (typeof className !== 'string' || className === '') throw new ConfigError(`${where}: class_name must be a non-empty string, got ${fmtValue(className)}`);
  const config = v.config ?? {};
  if (!isPlainObject(config)) throw new ConfigError(`${where}: config of ${className} must be an object, got ${fmtValue(config)}`);
  return { className, config: camelKeys(config) as Record<string, unknown> };
}

function coefficient(where: string, className: string, key: string, v: unknown): number {
  if (v === undefined || v === null) return 0;
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) {
    throw new ConfigError(`${where}: ${className}.${key} must be a finite number >= 0, got ${fmtValue(v)}`);
  }
  return v;
}

/** A saved regularizer → a Regularizer (or a shortcut string the layer resolves). */
export function reviveRegularizer(v: unknown, where: string): Regularizer | string | null {
  if (v === null || v === undefined) return null;
  if (typeof v === 'string') return v;
  const { className, config } = classAndConfig(v, where);
  switch (className) {
    case 'L1L2': case 'l1_l2': case 'L1': case 'l1': case 'L2': case 'l2': {
      const l1 = coefficient(where, className, 'l1', config.l1);
      const l2 = coefficient(where, className, 'l2', config.l2);
      // tfjs writes L1 and L2 as L1L2 with the other coefficient 0: they come back as l1 / l2.
      if (l2 === 0 && l1 > 0) return regularizers.l1({ l1 });
      if (l1 === 0 && l2 > 0) return regularizers.l2({ l2 });
      return regularizers.l1l2({ l1, l2 });
    }
  }
  const custom = REGULARIZERS.get(className);
  if (!custom) {
    throw new ConfigError(`${where}: unknown regularizer class '${className}'; register it before loading with ` +
      `registerRegularizer('${className}', (config) => yourRegularizer(config))`);
  }
  const r = custom(config);
  if (!r || typeof r.penalty !== 'function' || typeof r.gradient !== 'function') {
    throw new ConfigError(`${where}: registerRegularizer('${className}') fromConfig must return an object with penalty(x) and gradient(x), got ${fmtValue(r)}`);
  }
  return r;
}

/** VarianceScaling (scale, mode, distribution) → the named initializer it is, when it is one. */
function varianceScalingName(c: Record<string, unknown>): string | null {
  const scale = c.scale ?? 1, mode = c.mode ?? 'fan_in', dist = String(c.distribution ?? 'truncated_normal');
  const normal = dist === 'normal' || dist === 'truncated_normal' || dist === 'truncatedNormal';
  const kind = dist === 'uniform' ? 'Uniform' : normal ? 'Normal' : null;
  if (kind === null) return null;
  if (scale === 1 && (mode === 'fan_avg' || mode === 'fanAvg')) return `glorot${kind}`;
  if (scale === 2 && (mode === 'fan_in' || mode === 'fanIn')) return `he${kind}`;
  if (scale === 1 && (mode === 'fan_in' || mode === 'fanIn')) return `lecun${kind}`;
  return null;
}

/** A saved initializer → Ridge's initializer option `{ name, seed?, mean?, … }` (the layer validates it). */
export function reviveInitializer(v: unknown, where: string): Record<string, unknown> | string | null {
  if (v === null || v === undefined) return null;
  if (typeof v === 'string') return v;
  const { className, config } = classAndConfig(v, where);
  const opts: Record<string, unknown> = {};
  let name: string = className.charAt(0).toLowerCase() + className.slice(1);
  if (className === 'LeCunNormal') name = 'lecunNormal';
  if (className === 'LeCunUniform') name = 'lecunUniform';
  if (className === 'VarianceScaling') {
    const named = varianceScalingName(config);
    if (named === null) {
      throw new ConfigError(`${where}: VarianceScaling ${JSON.stringify(config)} is not one of the initializers Ridge has (glorot/he/lecun, uniform or normal)`);
    }
    name = named;
    if (config.seed !== undefined && config.seed !== null) opts.seed = config.seed;
  } else {
    for (const [k, x] of Object.entries(config)) if (x !== null && x !== undefined) opts[k] = x;
  }
  return { name, ...opts };
}

/** A saved constraint → a Constraint. */
export function reviveConstraint(v: unknown, where: string): Constraint | string | null {
  if (v === null || v === undefined) return null;
  if (typeof v === 'string') return v;
  const { className, config } = classAndConfig(v, where);
  const c: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(config)) if (x !== null && x !== undefined) c[k] = x;
  try {
    switch (className) {
      case 'MaxNorm': case 'maxNorm': case 'max_norm': return constraints.maxNorm(c);
      case 'UnitNorm': case 'unitNorm': case 'unit_norm': return constraints.unitNorm(c);
      case 'MinMaxNorm': case 'minMaxNorm': case 'min_max_norm': return constraints.minMaxNorm(c);
      case 'NonNeg': case 'nonNeg': case 'non_neg': return constraints.nonNeg();
    }
  } catch (e) {
    if (e instanceof ConfigError) throw new ConfigError(`${where}: ${e.message}`);
    throw e;
  }
  throw new ConfigError(`${where}: unknown constraint class '${className}' (Ridge has MaxNorm, UnitNorm, MinMaxNorm, NonNeg)`);
}

/** Keras-only keys Ridge drops when they hold Keras' default (the value Ridge always has). */
const NEUTRAL: Record<string, (v: unknown) => boolean> = {
  dtype: (v) => v === null || v === 'float32' || (isPlainObject(v) && isPlainObject(v.config) && v.config.name === 'float32'),
  dataFormat: (v) => v === null || v === 'channels_last' || v === 'channelsLast',
  noiseShape: (v) => v === null,
  groups: (v) => v === 1,
  sparse: (v) => v === false,
  ragged: (v) => v === false,
  keepdims: (v) => v === false,
  batchSize: (v) => v === null,
};

/** Keys that carry the input shape in Keras layer configs (Ridge's `inputShape` is derived from them). */
const SHAPE_KEYS = ['batchInputShape', 'batchShape', 'inputShape'];

/**
 * A Keras layer `config` → the camelCase object Ridge's fromConfig receives: hooks revived, nulls
 * and neutral Keras-only keys dropped. Returns the feature input shape (batch dropped) found in
 * `batch_input_shape` / `batch_shape`, separately, since only a model's first layer may use it.
 */
export function layerConfigFromKeras(config: Record<string, unknown>, where: string): { config: Record<string, unknown>; inputShape: number[] | null } {
  const out: Record<string, unknown> = {};
  let inputShape: number[] | null = null;
  for (const [rawKey, v] of Object.entries(config)) {
    const k = toCamelCase(rawKey);
    if (SHAPE_KEYS.includes(k)) {
      if (v === null || v === undefined) continue;
      if (!Array.isArray(v) || v.length < 1) throw new ConfigError(`${where}: ${rawKey} must be an array, got ${fmtValue(v)}`);
      const dims = k === 'inputShape' ? v : v.slice(1);
      if (!dims.every((d) => Number.isInteger(d) && (d as number) > 0)) {
        throw new ConfigError(`${where}: ${rawKey} must hold positive integers after the batch dimension, got ${fmtValue(v)}`);
      }
      inputShape = dims as number[];
      continue;
    }
    if (NEUTRAL[k]?.(v)) continue;
    if (k === 'dataFormat') {
      // channels-first: only the layers that take a dataFormat option (spatialDropout2d/3d) accept
      // it; any other layer refuses it by name when it is built.
      if (v !== 'channels_first' && v !== 'channelsFirst') throw new ConfigError(`${where}: data_format ${fmtValue(v)} is not supported (Ridge layers are channels-last)`);
      out.dataFormat = 'channelsFirst';
      continue;
    }
    if (v === null || v === undefined) continue;
    // tfjs 4.x DepthwiseConv2D writes its depthwise REGULARIZER under depthwise_constraint too
    // (serializeConstraint(this.depthwiseRegularizer)): that copy is not a constraint; skip it.
    if (k === 'depthwiseConstraint' && JSON.stringify(v) === JSON.stringify(config.depthwise_regularizer ?? config.depthwiseRegularizer)) continue;
    const kind = hookKind(k);
    if (kind === 'Regularizer') out[k] = reviveRegularizer(v, `${where} ${rawKey}`);
    else if (kind === 'Initializer') out[k] = reviveInitializer(v, `${where} ${rawKey}`);
    else if (kind === 'Constraint') out[k] = reviveConstraint(v, `${where} ${rawKey}`);
    else out[k] = camelKeys(v);
  }
  return { config: out, inputShape };
}
