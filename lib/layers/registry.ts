/**
 * Layer classes by their Keras class name, for deserialization (`modelFromJSON`, `loadLayersModel`).
 *
 * Contract for every layer class: `className` is the Keras class name, `getConfig()` returns every
 * constructor option in camelCase (plus `name` and `trainable`), and `fromConfig(config)` — given that
 * object, with regularizers/initializers/constraints already revived into objects — builds an
 * equivalent, unbuilt layer. Registering is how a new layer becomes loadable: add a line to the
 * registration block at the bottom of lib/layers/index.ts.
 */
import { ConfigError } from '../errors';
import type { Layer } from './layer';

export type LayerFromConfig = (config: Record<string, unknown>) => Layer;

const LAYER_CLASSES = new Map<string, LayerFromConfig>();

/** Makes `className` loadable. Re-registering a name replaces the earlier entry. */
export function registerLayerClass(className: string, fromConfig: LayerFromConfig): void {
  if (typeof className !== 'string' || className.length === 0) {
    throw new ConfigError(`registerLayerClass: className must be a non-empty string, got ${JSON.stringify(className)}`);
  }
  if (typeof fromConfig !== 'function') {
    throw new ConfigError(`registerLayerClass: fromConfig for '${className}' must be a function, got ${typeof fromConfig}`);
  }
  LAYER_CLASSES.set(className, fromConfig);
}

/** The factory for `className`, or undefined when no layer class of that name is registered. */
export function layerClassFromName(className: string): LayerFromConfig | undefined {
  return LAYER_CLASSES.get(className);
}

/** Every registered Keras class name, sorted. */
export function registeredLayerClasses(): string[] {
  return [...LAYER_CLASSES.keys()].sort();
}
