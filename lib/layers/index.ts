/**
 * The public `layers` namespace (API.md): one factory per layer, camelCase names as TensorFlow.js.
 *
 *   const h = layers.dense({ units: 64, activation: 'relu', kernelRegularizer: 'l2' }).apply(x);
 *
 * Every factory validates its options at once (ConfigError naming the layer and the argument).
 */
import { Dense, DenseArgs } from './dense';
import { Conv, ConvArgs } from './conv';
import { GlobalPooling, GlobalPoolingArgs, Pooling, PoolingArgs } from './pooling';
import {
  Activation, ActivationArgs, Dropout, DropoutArgs, Flatten, FlattenArgs, Reshape, ReshapeArgs,
} from './core';
import { Add, Concatenate, ConcatenateArgs, MergeArgs } from './merge';
import { registerLayerClass } from './registry';
import { Embedding, EmbeddingArgs } from './embedding';
import { GRU, GRUArgs, LSTM, LSTMArgs, SimpleRNN, SimpleRNNArgs } from './recurrent';
import { BatchNormalization, BatchNormalizationArgs, LayerNormalization, LayerNormalizationArgs } from './normalization';
import { ConvTranspose, ConvTransposeArgs, DepthwiseConv2D, DepthwiseConv2DArgs, SeparableConv, SeparableConvArgs } from './conv-family';
import {
  ActivityRegularization, ActivityRegularizationArgs, GaussianDropout, GaussianDropoutArgs, GaussianNoise,
  GaussianNoiseArgs, SpatialDropout, SpatialDropoutArgs,
} from './noise';
import {
  Cropping1DArgs, Cropping2DArgs, PadCrop, Permute, PermuteArgs, RepeatVector, RepeatVectorArgs, UpSampling,
  UpSampling1DArgs, UpSampling2DArgs, ZeroPadding1DArgs, ZeroPadding2DArgs,
} from './reshaping';
import { ElementwiseMerge } from './merge';

export { registerLayerClass, layerClassFromName, registeredLayerClasses } from './registry';
export type { LayerFromConfig } from './registry';

export { Layer } from './layer';
export type { LayerWeight, ForwardResult } from './layer';
export { Dense } from './dense';
export type { DenseArgs, KernelLayerArgs, InitializerIdentifier } from './dense';
export { Conv } from './conv';
export type { ConvArgs, ConvPadding } from './conv';
export { Pooling, GlobalPooling } from './pooling';
export type { PoolingArgs, GlobalPoolingArgs } from './pooling';
export { Flatten, Reshape, Dropout, Activation } from './core';
export type { FlattenArgs, ReshapeArgs, DropoutArgs, ActivationArgs } from './core';
export { Add, Concatenate } from './merge';
export type { MergeArgs, ConcatenateArgs } from './merge';
export { Embedding } from './embedding';
export type { EmbeddingArgs } from './embedding';
export { RNNBase, SimpleRNN, LSTM, GRU } from './recurrent';
export type { RNNBaseArgs, SimpleRNNArgs, LSTMArgs, GRUArgs, RecurrentActivationName } from './recurrent';
export { BatchNormalization, LayerNormalization } from './normalization';
export type { BatchNormalizationArgs, LayerNormalizationArgs } from './normalization';
export { DepthwiseConv2D, SeparableConv, ConvTranspose } from './conv-family';
export type { DepthwiseConv2DArgs, SeparableConvArgs, ConvTransposeArgs } from './conv-family';
export { ElementwiseMerge } from './merge';
export { GaussianNoise, GaussianDropout, SpatialDropout, ActivityRegularization } from './noise';
export type { GaussianNoiseArgs, GaussianDropoutArgs, SpatialDropoutArgs, ActivityRegularizationArgs, DataFormat } from './noise';
export { UpSampling, PadCrop, Permute, RepeatVector } from './reshaping';
export type {
  UpSampling1DArgs, UpSampling2DArgs, Interpolation, ZeroPadding1DArgs, ZeroPadding2DArgs, Cropping1DArgs, Cropping2DArgs,
  PermuteArgs, RepeatVectorArgs,
} from './reshaping';

/** Fully connected layer on the last axis: y = act(x·W + b). */
export function dense(args: DenseArgs): Dense { return new Dense(args); }

/** 1-D convolution over [batch, width, channels]; 'causal' padding allowed. */
export function conv1d(args: ConvArgs): Conv { return new Conv(1, args); }
/** 2-D convolution over [batch, height, width, channels]. */
export function conv2d(args: ConvArgs): Conv { return new Conv(2, args); }
/** 3-D convolution over [batch, depth, height, width, channels]. */
export function conv3d(args: ConvArgs): Conv { return new Conv(3, args); }

export function maxPooling1d(args: PoolingArgs = {}): Pooling { return new Pooling('max', 1, args); }
export function maxPooling2d(args: PoolingArgs = {}): Pooling { return new Pooling('max', 2, args); }
export function maxPooling3d(args: PoolingArgs = {}): Pooling { return new Pooling('max', 3, args); }
export function averagePooling1d(args: PoolingArgs = {}): Pooling { return new Pooling('avg', 1, args); }
export function averagePooling2d(args: PoolingArgs = {}): Pooling { return new Pooling('avg', 2, args); }
export function averagePooling3d(args: PoolingArgs = {}): Pooling { return new Pooling('avg', 3, args); }

export function globalAveragePooling1d(args: GlobalPoolingArgs = {}): GlobalPooling { return new GlobalPooling('avg', 1, args); }
export function globalAveragePooling2d(args: GlobalPoolingArgs = {}): GlobalPooling { return new GlobalPooling('avg', 2, args); }
export function globalAveragePooling3d(args: GlobalPoolingArgs = {}): GlobalPooling { return new GlobalPooling('avg', 3, args); }
export function globalMaxPooling1d(args: GlobalPoolingArgs = {}): GlobalPooling { return new GlobalPooling('max', 1, args); }
export function globalMaxPooling2d(args: GlobalPoolingArgs = {}): GlobalPooling { return new GlobalPooling('max', 2, args); }
export function globalMaxPooling3d(args: GlobalPoolingArgs = {}): GlobalPooling { return new GlobalPooling('max', 3, args); }

/** [batch, ...] → [batch, product]; shares the data (no copy). */
export function flatten(args: FlattenArgs = {}): Flatten { return new Flatten(args); }
/** [batch, ...] → [batch, ...targetShape] (one -1 inferred); shares the data. */
export function reshape(args: ReshapeArgs): Reshape { return new Reshape(args); }
/** Inverted dropout, active only when training; seeded masks. */
export function dropout(args: DropoutArgs): Dropout { return new Dropout(args); }
/** Applies an activation: 'linear' | 'relu' | 'sigmoid' | 'tanh' | 'softmax'. */
export function activation(args: ActivationArgs): Activation { return new Activation(args); }
/** Elementwise sum of two or more inputs of one shape. */
export function add(args: MergeArgs = {}): Add { return new Add(args); }
/** Joins two or more inputs along `axis` (default -1). */
export function concatenate(args: ConcatenateArgs = {}): Concatenate { return new Concatenate(args); }

/** Integer indices [batch, ...] → rows of a trainable [inputDim, outputDim] table. */
export function embedding(args: EmbeddingArgs): Embedding { return new Embedding(args); }
/** Fully connected RNN over [batch, timesteps, features], backprop through time. */
export function simpleRNN(args: SimpleRNNArgs): SimpleRNN { return new SimpleRNN(args); }
/** LSTM over [batch, timesteps, features] (gates i, f, c, o; Keras defaults). */
export function lstm(args: LSTMArgs): LSTM { return new LSTM(args); }
/** GRU over [batch, timesteps, features] (gates z, r, h; resetAfter = true by default, as Keras). */
export function gru(args: GRUArgs): GRU { return new GRU(args); }
/** Batch normalization over `axis` (default −1): batch statistics in training, moving ones in inference. */
export function batchNormalization(args: BatchNormalizationArgs = {}): BatchNormalization { return new BatchNormalization(args); }
/** Layer normalization over `axis` (default −1; an int or adjacent axes), per sample. */
export function layerNormalization(args: LayerNormalizationArgs = {}): LayerNormalization { return new LayerNormalization(args); }
/** Depthwise 2-D convolution: each input channel gets `depthMultiplier` filters of its own. */
export function depthwiseConv2d(args: DepthwiseConv2DArgs): DepthwiseConv2D { return new DepthwiseConv2D(args); }
/** Depthwise 1-D convolution followed by a pointwise (1-wide) convolution to `filters`. */
export function separableConv1d(args: SeparableConvArgs): SeparableConv { return new SeparableConv(1, args); }
/** Depthwise 2-D convolution followed by a pointwise (1×1) convolution to `filters`. */
export function separableConv2d(args: SeparableConvArgs): SeparableConv { return new SeparableConv(2, args); }
/** Transposed 1-D convolution (the input gradient of conv1d): kernel [k, filters, inChannels]. */
export function conv1dTranspose(args: ConvTransposeArgs): ConvTranspose { return new ConvTranspose(1, args); }
/** Transposed 2-D convolution: kernel [kh, kw, filters, inChannels]. */
export function conv2dTranspose(args: ConvTransposeArgs): ConvTranspose { return new ConvTranspose(2, args); }
/** Transposed 3-D convolution: kernel [kd, kh, kw, filters, inChannels]. */
export function conv3dTranspose(args: ConvTransposeArgs): ConvTranspose { return new ConvTranspose(3, args); }
// ---- noise, reshaping and elementwise-merge layers (lib/layers/noise.ts, reshaping.ts, merge.ts) ----

/** Identity whose output is penalised by l1·Σ|y| + l2·Σy² (divided by the batch size); defaults 0, 0. */
export function activityRegularization(args: ActivityRegularizationArgs = {}): ActivityRegularization { return new ActivityRegularization(args); }
/** Adds N(0, stddev²) noise while training; identity in inference. */
export function gaussianNoise(args: GaussianNoiseArgs): GaussianNoise { return new GaussianNoise(args); }
/** Multiplies by N(1, rate / (1 − rate)) noise while training; identity in inference. */
export function gaussianDropout(args: GaussianDropoutArgs): GaussianDropout { return new GaussianDropout(args); }
/** Drops whole channels of [batch, steps, channels] while training. */
export function spatialDropout1d(args: SpatialDropoutArgs): SpatialDropout { return new SpatialDropout(1, args); }
/** Drops whole feature maps of [batch, h, w, channels] while training. */
export function spatialDropout2d(args: SpatialDropoutArgs): SpatialDropout { return new SpatialDropout(2, args); }
/** Drops whole feature volumes of [batch, d, h, w, channels] while training. */
export function spatialDropout3d(args: SpatialDropoutArgs): SpatialDropout { return new SpatialDropout(3, args); }
/** Repeats each step `size` times (default 2). */
export function upSampling1d(args: UpSampling1DArgs = {}): UpSampling { return new UpSampling(1, args); }
/** Up-samples rows and columns by `size` (default [2, 2]); interpolation 'nearest' or 'bilinear'. */
export function upSampling2d(args: UpSampling2DArgs = {}): UpSampling { return new UpSampling(2, args); }
/** Zeros before/after the steps axis (default 1, 1). */
export function zeroPadding1d(args: ZeroPadding1DArgs = {}): PadCrop { return new PadCrop('pad', 1, args); }
/** Zeros around rows and columns (default 1 on every side). */
export function zeroPadding2d(args: ZeroPadding2DArgs = {}): PadCrop { return new PadCrop('pad', 2, args); }
/** Removes steps at the start/end (default 1, 1). */
export function cropping1d(args: Cropping1DArgs = {}): PadCrop { return new PadCrop('crop', 1, args); }
/** Removes rows/columns at the edges (default none). */
export function cropping2d(args: Cropping2DArgs = {}): PadCrop { return new PadCrop('crop', 2, args); }
/** Permutes the feature axes; `dims` is 1-based (Keras). */
export function permute(args: PermuteArgs): Permute { return new Permute(args); }
/** [batch, f] → [batch, n, f]. */
export function repeatVector(args: RepeatVectorArgs): RepeatVector { return new RepeatVector(args); }
/** Elementwise product of two or more inputs of one shape. */
export function multiply(args: MergeArgs = {}): ElementwiseMerge { return new ElementwiseMerge('multiply', args); }
/** Elementwise mean of two or more inputs of one shape. */
export function average(args: MergeArgs = {}): ElementwiseMerge { return new ElementwiseMerge('average', args); }
/** inputs[0] − inputs[1] (exactly two inputs of one shape). */
export function subtract(args: MergeArgs = {}): ElementwiseMerge { return new ElementwiseMerge('subtract', args); }
/** Elementwise maximum of two or more inputs of one shape. */
export function maximum(args: MergeArgs = {}): ElementwiseMerge { return new ElementwiseMerge('maximum', args); }
/** Elementwise minimum of two or more inputs of one shape. */
export function minimum(args: MergeArgs = {}): ElementwiseMerge { return new ElementwiseMerge('minimum', args); }

// ---- registration: every layer class by its Keras class name (lib/layers/registry.ts) ----
// fromConfig receives getConfig()'s camelCase object (objects revived); `trainable` is not a
// constructor option of these layers, so it is dropped here.
type Cfg = Record<string, unknown>;
const opts = (c: Cfg): any => { const { trainable: _t, ...rest } = c; return rest; };
registerLayerClass('Dense', (c) => dense(opts(c)));
registerLayerClass('Conv1D', (c) => conv1d(opts(c)));
registerLayerClass('Conv2D', (c) => conv2d(opts(c)));
registerLayerClass('Conv3D', (c) => conv3d(opts(c)));
for (const rank of [1, 2, 3] as const) {
  registerLayerClass(`MaxPooling${rank}D`, (c) => new Pooling('max', rank, opts(c)));
  registerLayerClass(`AveragePooling${rank}D`, (c) => new Pooling('avg', rank, opts(c)));
  registerLayerClass(`GlobalMaxPooling${rank}D`, (c) => new GlobalPooling('max', rank, opts(c)));
  registerLayerClass(`GlobalAveragePooling${rank}D`, (c) => new GlobalPooling('avg', rank, opts(c)));
}
registerLayerClass('Flatten', (c) => flatten(opts(c)));
registerLayerClass('Reshape', (c) => reshape(opts(c)));
registerLayerClass('Dropout', (c) => dropout(opts(c)));
registerLayerClass('Activation', (c) => activation(opts(c)));
registerLayerClass('Add', (c) => add(opts(c)));
registerLayerClass('Concatenate', (c) => concatenate(opts(c)));
registerLayerClass('Embedding', (c) => embedding(opts(c)));
registerLayerClass('SimpleRNN', (c) => simpleRNN(opts(c)));
registerLayerClass('LSTM', (c) => lstm(opts(c)));
registerLayerClass('GRU', (c) => gru(opts(c)));
registerLayerClass('BatchNormalization', (c) => batchNormalization(opts(c)));
registerLayerClass('LayerNormalization', (c) => layerNormalization(opts(c)));
registerLayerClass('DepthwiseConv2D', (c) => depthwiseConv2d(opts(c)));
registerLayerClass('SeparableConv1D', (c) => separableConv1d(opts(c)));
registerLayerClass('SeparableConv2D', (c) => separableConv2d(opts(c)));
registerLayerClass('Conv1DTranspose', (c) => conv1dTranspose(opts(c)));
registerLayerClass('Conv2DTranspose', (c) => conv2dTranspose(opts(c)));
registerLayerClass('Conv3DTranspose', (c) => conv3dTranspose(opts(c)));
registerLayerClass('ActivityRegularization', (c) => activityRegularization(opts(c)));
registerLayerClass('GaussianNoise', (c) => gaussianNoise(opts(c)));
registerLayerClass('GaussianDropout', (c) => gaussianDropout(opts(c)));
registerLayerClass('SpatialDropout1D', (c) => spatialDropout1d(opts(c)));
registerLayerClass('SpatialDropout2D', (c) => spatialDropout2d(opts(c)));
registerLayerClass('SpatialDropout3D', (c) => spatialDropout3d(opts(c)));
registerLayerClass('UpSampling1D', (c) => upSampling1d(opts(c)));
registerLayerClass('UpSampling2D', (c) => upSampling2d(opts(c)));
registerLayerClass('ZeroPadding1D', (c) => zeroPadding1d(opts(c)));
registerLayerClass('ZeroPadding2D', (c) => zeroPadding2d(opts(c)));
registerLayerClass('Cropping1D', (c) => cropping1d(opts(c)));
registerLayerClass('Cropping2D', (c) => cropping2d(opts(c)));
registerLayerClass('Permute', (c) => permute(opts(c)));
registerLayerClass('RepeatVector', (c) => repeatVector(opts(c)));
registerLayerClass('Multiply', (c) => multiply(opts(c)));
registerLayerClass('Average', (c) => average(opts(c)));
registerLayerClass('Subtract', (c) => subtract(opts(c)));
registerLayerClass('Maximum', (c) => maximum(opts(c)));
registerLayerClass('Minimum', (c) => minimum(opts(c)));
