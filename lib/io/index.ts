/**
 * The `io` namespace: handlers for saving and loading models in the TensorFlow.js layers-model
 * format (names as tfjs' `tf.io`). `model.save(handler)` and `loadLayersModel(handlerOrUrl)` use them;
 * Node file handlers are in the 'ridge/node' subpath (node/), so nothing here imports a Node built-in.
 */
export { fromMemory, withSaveHandler, http, getModelArtifactsInfoForJSON } from './artifacts';
export type {
  IOHandler, ModelArtifacts, ModelJSON, ModelArtifactsInfo, SaveResult, SaveConfig, HttpOptions, LoadOptions,
  WeightsManifestEntry, WeightsManifestGroupConfig, TrainingConfig,
} from './artifacts';
export { encodeWeights, decodeWeights, concatBuffers } from './weights';
export type { NamedWeight, DecodedWeight } from './weights';
export { deserializeLayer, serializeLayer } from './topology';
