/**
 * The lab's model and what each variant changes.
 *
 *   input 28×28×1
 *   conv1   conv2d 3×3, 8 filters, relu      → 26×26×8        80 weights
 *   pool1   maxPooling2d 2×2                 → 13×13×8
 *   conv2   conv2d 3×3, 16 filters, relu     → 11×11×16    1,168 weights
 *   pool2   maxPooling2d 2×2                 → 5×5×16
 *   flatten                                  → 400
 *   hidden  dense 256, relu                  → 256       102,656 weights (the activity penalty's layer)
 *   output  dense 10, softmax                → 10          2,570 weights
 *
 * The convolutions are kept narrow (they are most of the compute: six variants must train in
 * under 3 minutes on 2 cores) and the dense layer wide, so that the net has ~100 weights per
 * training digit and memorises the 1,000 training digits: without a penalty it reaches 100%
 * training accuracy while the test loss stalls.
 *
 * Variants ('none', 'l2', 'l1', 'l1l2') put the kernel regularizer on all four kernels (biases
 * are left alone, as usual: see docs/penalties.md); 'activity' puts l1 on the hidden layer's
 * output; 'adamw' adds no penalty and trains with AdamW's decoupled weight decay instead of SGD;
 * 'adam' (not in the default list) is plain Adam at the same learning rate, adamw's baseline.
 */
import { layers, optimizers, regularizers, sequential, type Layer, type Model, type Regularizer } from '../../lib';
import type { VariantSpec } from './options';

export const ARCH = {
  conv1Filters: 8,
  conv2Filters: 16,
  hiddenUnits: 256,
} as const;

/** The layers that carry a kernel, in model order (table columns). */
export const KERNEL_LAYERS = ['conv1', 'conv2', 'hidden', 'output'] as const;

export interface BuiltModel {
  model: Model;
  /** Layers in order (to read each layer's kernel). */
  layers: Layer[];
}

/** Kernel and activity regularizers for a variant (null: none). */
export function regularizersFor(spec: VariantSpec): { kernel: Regularizer | null; activity: Regularizer | null } {
  switch (spec.kind) {
    case 'l2': return { kernel: regularizers.l2({ l2: spec.l2 }), activity: null };
    case 'l1': return { kernel: regularizers.l1({ l1: spec.l1 }), activity: null };
    case 'l1l2': return { kernel: regularizers.l1l2({ l1: spec.l1, l2: spec.l2 }), activity: null };
    case 'activity': return { kernel: null, activity: regularizers.l1({ l1: spec.l1 }) };
    case 'none':
    case 'adamw':
    case 'adam':
      return { kernel: null, activity: null };
  }
}

/** One sentence for the report. */
export function describeVariant(spec: VariantSpec): string {
  switch (spec.kind) {
    case 'none': return 'no penalty';
    case 'l2': return `l2(${spec.l2}) on every kernel: + ${spec.l2}·Σw², gradient + ${2 * spec.l2}·w`;
    case 'l1': return `l1(${spec.l1}) on every kernel: + ${spec.l1}·Σ|w|, gradient + ${spec.l1}·sign(w)`;
    case 'l1l2': return `l1l2(l1 ${spec.l1}, l2 ${spec.l2}) on every kernel`;
    case 'activity': return `l1(${spec.l1}) on the hidden layer's output: + ${spec.l1}·Σ|h| / batch`;
    case 'adamw': return `no penalty in the loss; AdamW shrinks every weight by lr·${spec.weightDecay}·w each step`;
    case 'adam': return 'no penalty; plain Adam (the baseline for adamw)';
  }
}

/**
 * Builds the lab's conv net for a variant. The initializers are seeded (seed, seed+1, …) so the
 * architecture alone fixes the initial weights; runLab still copies one model's weights into every
 * variant (getWeights → setWeights), which is what makes the comparison fair.
 */
export function buildModel(spec: VariantSpec, seed: number): BuiltModel {
  const { kernel, activity } = regularizersFor(spec);
  const kr = kernel ?? undefined;
  const ls: Layer[] = [
    layers.conv2d({ name: 'conv1', filters: ARCH.conv1Filters, kernelSize: 3, activation: 'relu', inputShape: [28, 28, 1], kernelRegularizer: kr, seed }),
    layers.maxPooling2d({ name: 'pool1', poolSize: 2 }),
    layers.conv2d({ name: 'conv2', filters: ARCH.conv2Filters, kernelSize: 3, activation: 'relu', kernelRegularizer: kr, seed: seed + 1 }),
    layers.maxPooling2d({ name: 'pool2', poolSize: 2 }),
    layers.flatten({ name: 'flatten' }),
    layers.dense({ name: 'hidden', units: ARCH.hiddenUnits, activation: 'relu', kernelRegularizer: kr, activityRegularizer: activity ?? undefined, seed: seed + 2 }),
    layers.dense({ name: 'output', units: 10, activation: 'softmax', kernelRegularizer: kr, seed: seed + 3 }),
  ];
  const model = sequential(ls);
  return { model, layers: ls };
}

/** SGD momentum of every variant but adamw/adam. */
export const MOMENTUM = 0.9;

/**
 * The base optimizer is SGD with momentum: there an L2 penalty acts as the classic weight decay
 * (docs/penalties.md, section 5). 'adamw' and 'adam' use Adam's update with their own learning rate.
 */
export function optimizerFor(spec: VariantSpec, lr: number, adamLr: number) {
  switch (spec.kind) {
    case 'adamw': return optimizers.adamw({ learningRate: adamLr, weightDecay: spec.weightDecay });
    case 'adam': return optimizers.adam({ learningRate: adamLr });
    default: return optimizers.sgd({ learningRate: lr, momentum: MOMENTUM });
  }
}

export function optimizerName(spec: VariantSpec, lr: number, adamLr: number): string {
  switch (spec.kind) {
    case 'adamw': return `AdamW lr ${adamLr}, weightDecay ${spec.weightDecay}`;
    case 'adam': return `Adam lr ${adamLr}`;
    default: return `SGD lr ${lr}, momentum ${MOMENTUM}`;
  }
}
