/**
 * The shape of `results.json`: every number the lab prints or plots, per variant.
 * Loss values follow Keras: `loss` includes the penalties, `dataLoss` is the compiled
 * categorical cross-entropy alone (mean over the samples).
 */
import type { LabOptions, VariantSpec } from './options';

/** Weights with |w| below this count as "near zero" (the L1 sparsity column). */
export const NEAR_ZERO = 1e-3;

export interface LayerStats {
  name: string;
  className: string;
  kernelShape: number[];
  /** ‖W‖₂ = sqrt(Σ w²) over the layer's kernel. */
  kernelL2: number;
  /** Fraction of kernel entries with |w| < NEAR_ZERO. */
  nearZeroFraction: number;
  /** Largest |w| in the kernel. */
  kernelMaxAbs: number;
}

/** Histogram of log10|w| over all kernel entries: bins [edges[i], edges[i+1]); counts[0] also holds |w| below edges[0] (and w = 0). */
export interface WeightHistogram {
  edges: number[];
  counts: number[];
  total: number;
}

export interface EpochHistory {
  /** 1-based epoch numbers. */
  epoch: number[];
  /** Training loss incl. penalties, averaged over the epoch's batches (as fit reports it). */
  loss: number[];
  /** Training data loss alone, averaged over the epoch's batches. */
  dataLoss: number[];
  /** Test-set loss incl. penalties after each epoch. */
  valLoss: number[];
  /** Test-set data loss after each epoch. */
  valDataLoss: number[];
  /** (loss − dataLoss) / loss per epoch: the share of the training loss that is penalty. */
  penaltyShare: number[];
  /** Accuracy per epoch on the training batches and on the test set (if fit reported them). */
  accuracy: number[];
  valAccuracy: number[];
  /** Wall-clock seconds of each epoch (training + the validation pass). */
  seconds: number[];
}

export interface FinalStats {
  /** Accuracy on the whole training set after the last epoch (inference mode). */
  trainAccuracy: number;
  testAccuracy: number;
  /** trainAccuracy − testAccuracy. */
  gap: number;
  /** Data loss (cross-entropy) on the whole training set. */
  trainDataLoss: number;
  /** Data loss plus all penalties on the whole training set (model.lossBreakdown). */
  trainTotalLoss: number;
  /** Sum of the penalties in the breakdown. */
  penalty: number;
  /** penalty / trainTotalLoss. */
  penaltyShare: number;
  testDataLoss: number;
  /** Every penalty term by layer and target. */
  penalties: { layer: string; target: string; value: number }[];
  /** Fraction of all kernel entries with |w| < NEAR_ZERO. */
  nearZeroFraction: number;
  /** sqrt of the sum of squares of all kernels together. */
  kernelL2: number;
}

export interface VariantResult {
  label: string;
  spec: VariantSpec;
  /** One sentence: what is penalised and how. */
  description: string;
  optimizer: string;
  history: EpochHistory;
  final: FinalStats;
  layers: LayerStats[];
  histogram: WeightHistogram;
  secondsPerEpoch: number;
  seconds: number;
}

export interface LabResults {
  /** ISO time the run finished. */
  finishedAt: string;
  options: LabOptions;
  data: {
    source: string;
    train: number;
    test: number;
    mean: number;
    std: number;
    classCountsTrain: number[];
    classCountsTest: number[];
  };
  model: {
    summary: string;
    params: number;
    layers: { name: string; className: string; kernelShape: number[] | null }[];
  };
  nearZeroThreshold: number;
  variants: VariantResult[];
  /** Wall-clock seconds of the whole run (data loading, every variant, evaluation). */
  seconds: number;
}
