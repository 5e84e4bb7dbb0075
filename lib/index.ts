/**
 * Ridge — the public surface (../shared/API.md). Everything a user imports comes from here.
 * Zero runtime dependencies; nothing here imports a Node built-in, so it loads in browsers and
 * edge runtimes unchanged.
 */

// Errors
export { RidgeError, ShapeError, ConfigError, ValueError } from './errors';

// Tensor core
export { Tensor, tensor, zeros, ones, fill, randomNormal, randomUniform } from './tensor';
export type { NestedArray, RandomNormalOptions, RandomUniformOptions } from './tensor';
export { Random } from './random';

// Ops
export * from './ops/elementwise';
export * from './ops/reduce';
export * from './ops/matmul';
export * from './ops/transform';
export * from './ops/conv';
export * from './ops/pool';
export { depthwiseConv2d, depthwiseConv2dBackpropInput, depthwiseConv2dBackpropFilter, conv1dTranspose, conv2dTranspose, conv3dTranspose } from './ops/conv-family';
export type { DepthwiseConvOptions, ConvTransposeOptions } from './ops/conv-family';

// Interop
export * from './interop/ndarray';

// Regularizers
export * as regularizers from './regularizers';
export type { Regularizer } from './regularizers';

// Weight constraints (applied after each optimizer step)
export * as constraints from './constraints';
export type { Constraint } from './constraints';

// Layers and graph
export * as layers from './layers/index';
export { Layer } from './layers/layer';
export { SymbolicTensor } from './graph/symbolic';
export * from './graph/model';

// Training
export * as optimizers from './training/optimizers';
export * as schedules from './training/schedules';
export type { LearningRateSchedule } from './training/schedules';
export * as callbacks from './training/callbacks';
export * as losses from './training/losses';
export * as metrics from './training/metrics';
export * from './training/gradcheck';

// Persistence: the TensorFlow.js layers-model format (model.save / loadLayersModel / io.*)
export * as io from './io/index';
export { loadLayersModel } from './io/artifacts';
export { modelFromJSON } from './io/topology';
export { registerRegularizer } from './io/keras-config';
export type { RegularizerFromConfig } from './io/keras-config';
// Backend selection ('wasm' SIMD kernels by default where they validate, else 'js')
export { getBackend, setBackend, wasmBackendAvailable } from './backend';
export type { BackendName } from './backend';
