/**
 * One valid option set and input shapes per layer factory: the fuzz suite mutates these, and the
 * persistence round trip (spec/io/registry-roundtrip.spec.ts) saves and loads each of them.
 * A factory missing here fails the coverage tests of both.
 */
import { Tensor, layers, regularizers } from '../../lib';

export type Factory = (o: Record<string, unknown>) => { name: string; forward(xs: Tensor[], training: boolean): { y: Tensor }; computeOutputShape(s: number[][]): number[] };
export interface LayerCase { make: Factory; options: Record<string, unknown>; inputs: number[][] }
const L = layers as unknown as Record<string, Factory>;
const reg = { kernelRegularizer: 'l2', biasRegularizer: regularizers.l1l2({ l1: 0.01, l2: 0.01 }), activityRegularizer: 'l1' };
const conv = (r: number): LayerCase => ({
  make: L[`conv${r}d`], inputs: [[2, ...new Array(r).fill(5), 2]],
  options: { filters: 3, kernelSize: 3, strides: 1, padding: 'same', dilationRate: 1, activation: 'relu', useBias: true, seed: 1, ...reg, kernelConstraint: 'maxNorm' },
});
const pooling = (name: string, r: number): LayerCase => ({ make: L[name], inputs: [[2, ...new Array(r).fill(4), 3]], options: { poolSize: 2, strides: 2, padding: 'valid' } });
const globalPool = (name: string, r: number): LayerCase => ({ make: L[name], inputs: [[2, ...new Array(r).fill(3), 3]], options: { name: `${name}_x` } });

export const LAYERS: Record<string, LayerCase> = {
  dense: { make: L.dense, inputs: [[3, 4]], options: { units: 2, activation: 'tanh', useBias: true, seed: 1, kernelInitializer: 'glorotUniform', ...reg, biasConstraint: 'nonNeg' } },
  conv1d: conv(1), conv2d: conv(2), conv3d: conv(3),
  ...Object.fromEntries([1, 2, 3].flatMap((r) => [
    [`maxPooling${r}d`, pooling(`maxPooling${r}d`, r)], [`averagePooling${r}d`, pooling(`averagePooling${r}d`, r)],
    [`globalMaxPooling${r}d`, globalPool(`globalMaxPooling${r}d`, r)], [`globalAveragePooling${r}d`, globalPool(`globalAveragePooling${r}d`, r)],
  ])),
  flatten: { make: L.flatten, inputs: [[2, 3, 4]], options: { name: 'flat' } },
  reshape: { make: L.reshape, inputs: [[2, 3, 4]], options: { targetShape: [4, -1] } },
  dropout: { make: L.dropout, inputs: [[2, 6]], options: { rate: 0.5, seed: 3 } },
  activation: { make: L.activation, inputs: [[2, 5]], options: { activation: 'softmax' } },
  add: { make: L.add, inputs: [[2, 3], [2, 3]], options: { name: 'sum_it' } },
  concatenate: { make: L.concatenate, inputs: [[2, 3], [2, 2]], options: { axis: -1 } },
  embedding: { make: L.embedding, inputs: [[2, 4]], options: { inputDim: 5, outputDim: 3, embeddingsRegularizer: 'l2', activityRegularizer: 'l1', seed: 1 } },
  ...Object.fromEntries(['simpleRNN', 'lstm', 'gru'].map((k) => [k, { make: L[k], inputs: [[2, 4, 3]], options: {
    units: 3, returnSequences: true, dropout: 0.2, recurrentDropout: 0.2, seed: 1, kernelRegularizer: 'l2', recurrentRegularizer: 'l1', biasRegularizer: 'l2', activityRegularizer: 'l1', goBackwards: false,
  } }])),
  batchNormalization: { make: L.batchNormalization, inputs: [[4, 3]], options: { axis: -1, momentum: 0.99, epsilon: 1e-3, center: true, scale: true, gammaRegularizer: 'l2', betaRegularizer: 'l1' } },
  layerNormalization: { make: L.layerNormalization, inputs: [[4, 3]], options: { axis: -1, epsilon: 1e-3, center: true, scale: true, gammaRegularizer: 'l2' } },
  depthwiseConv2d: { make: L.depthwiseConv2d, inputs: [[2, 5, 5, 2]], options: { kernelSize: 3, strides: 1, padding: 'same', depthMultiplier: 2, depthwiseRegularizer: 'l2', seed: 1 } },
  separableConv1d: { make: L.separableConv1d, inputs: [[2, 6, 2]], options: { filters: 3, kernelSize: 3, padding: 'same', depthwiseRegularizer: 'l2', pointwiseRegularizer: 'l1', seed: 1 } },
  separableConv2d: { make: L.separableConv2d, inputs: [[2, 5, 5, 2]], options: { filters: 3, kernelSize: 3, padding: 'valid', depthMultiplier: 1, depthwiseRegularizer: 'l2', seed: 1 } },
  ...Object.fromEntries([1, 2, 3].map((r) => [`conv${r}dTranspose`, { make: L[`conv${r}dTranspose`], inputs: [[2, ...new Array(r).fill(3), 2]],
    options: { filters: 2, kernelSize: 3, strides: 2, padding: 'same', ...reg, seed: 1 } }])),
  // noise, reshaping and elementwise-merge layers (lib/layers/noise.ts, reshaping.ts, merge.ts)
  activityRegularization: { make: L.activityRegularization, inputs: [[2, 3]], options: { l1: 0.01, l2: 0.01 } },
  gaussianNoise: { make: L.gaussianNoise, inputs: [[2, 4]], options: { stddev: 0.1, seed: 1 } },
  gaussianDropout: { make: L.gaussianDropout, inputs: [[2, 4]], options: { rate: 0.2, seed: 1 } },
  spatialDropout1d: { make: L.spatialDropout1d, inputs: [[2, 4, 3]], options: { rate: 0.2, seed: 1 } },
  spatialDropout2d: { make: L.spatialDropout2d, inputs: [[2, 3, 3, 2]], options: { rate: 0.2, seed: 1, dataFormat: 'channelsLast' } },
  spatialDropout3d: { make: L.spatialDropout3d, inputs: [[2, 2, 2, 2, 2]], options: { rate: 0.2, seed: 1, dataFormat: 'channelsFirst' } },
  upSampling1d: { make: L.upSampling1d, inputs: [[2, 3, 2]], options: { size: 2 } },
  upSampling2d: { make: L.upSampling2d, inputs: [[2, 3, 3, 2]], options: { size: [2, 3], interpolation: 'bilinear', dataFormat: 'channelsLast' } },
  zeroPadding1d: { make: L.zeroPadding1d, inputs: [[2, 3, 2]], options: { padding: [1, 2] } },
  zeroPadding2d: { make: L.zeroPadding2d, inputs: [[2, 3, 3, 2]], options: { padding: [[1, 0], [0, 2]], dataFormat: 'channelsLast' } },
  cropping1d: { make: L.cropping1d, inputs: [[2, 5, 2]], options: { cropping: [1, 1] } },
  cropping2d: { make: L.cropping2d, inputs: [[2, 5, 5, 2]], options: { cropping: [[1, 1], [0, 2]], dataFormat: 'channelsLast' } },
  permute: { make: L.permute, inputs: [[2, 3, 4]], options: { dims: [2, 1] } },
  repeatVector: { make: L.repeatVector, inputs: [[2, 3]], options: { n: 2 } },
  ...Object.fromEntries(['multiply', 'average', 'maximum', 'minimum', 'subtract'].map((k) => [k, { make: L[k], inputs: [[2, 3], [2, 3]], options: { name: `${k}_it` } }])),
};
