/**
 * The public `layers` namespace (API.md): one factory per layer, camelCase names as TensorFlow.js.
 *
 *   const h = layers.dense({ units: 64, activation: 'relu', kernelRegularizer: 'l2' }).apply(x);
 *
 * Every factory validates its options at once (ConfigError naming the layer and the argument).
 */
import { Dense, DenseArgs } from './dense';

export { Layer } from './layer';
export type { LayerWeight, ForwardResult } from './layer';
export { Dense } from './dense';
export type { DenseArgs } from './dense';

/** Fully connected layer on the last axis: y = act(x·W + b). */
export function dense(args: DenseArgs): Dense { return new Dense(args); }
