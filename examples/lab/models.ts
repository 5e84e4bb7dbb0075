/**
 * The lab's models and one training helper.
 *
 *   MNIST   784 → dense 64 relu → dense 64 relu → dense 10 softmax     (55k weights, SGD momentum)
 *   moons   2 → dense 64 relu → dense 64 relu → dense 1 sigmoid        (4.4k weights for 80 points, Adam)
 *   linreg  200 → dense 1 linear                                        (d2l's model, plain SGD)
 *
 * A penalty is described by a Penalty value; every model of one seed starts from the same initial
 * weights (the layers' initializers are seeded from the seed alone), so variants differ only in
 * the penalty.
 */
import { layers, optimizers, regularizers, sequential, type Layer, type Model, type Regularizer, type Tensor } from '../../lib';

/** A weight penalty: on the kernels (one λ for all, or one per layer), optionally the biases, optionally an activity L1. */
export interface Penalty {
  kind: 'none' | 'l2' | 'l1';
  /** One λ for every kernel, or one per kernel layer (in order). */
  lambda: number | readonly number[];
  /** Also put the same regularizer on the biases. */
  bias?: boolean;
  /** L1 activity penalty on the hidden layers' outputs. */
  activity?: number;
}

export const NO_PENALTY: Penalty = { kind: 'none', lambda: 0 };

export function penaltyLabel(p: Penalty): string {
  if (p.kind === 'none') return 'none';
  const l = typeof p.lambda === 'number' ? fmtLambda(p.lambda) : `[${p.lambda.map(fmtLambda).join(', ')}]`;
  return `${p.kind}=${l}${p.bias ? ' +bias' : ''}${p.activity ? ` +activity ${fmtLambda(p.activity)}` : ''}`;
}

/** 1e-3, 3e-3, 0.1 → '1e-3', '3e-3', '0.1'. */
export function fmtLambda(v: number): string {
  if (v === 0) return '0';
  if (v >= 0.01 && v < 1000) return (+v.toPrecision(3)).toString();
  const e = Math.floor(Math.log10(v));
  const m = +(v / Math.pow(10, e)).toPrecision(2);
  return m === 1 ? `1e${e}` : `${m}e${e}`;
}

function regularizerFor(kind: Penalty['kind'], lambda: number): Regularizer | undefined {
  if (kind === 'none' || lambda === 0) return undefined;
  return kind === 'l2' ? regularizers.l2({ l2: lambda }) : regularizers.l1({ l1: lambda });
}

export interface Built {
  model: Model;
  /** The dense layers, in order. */
  dense: Layer[];
}

/** A chain of dense layers: `units` hidden relu layers, then the output layer. */
export function mlp(inputs: number, hidden: readonly number[], outputs: number, outputActivation: 'softmax' | 'sigmoid' | 'linear', penalty: Penalty, seed: number): Built {
  const sizes = [...hidden, outputs];
  const lam = (i: number) => (typeof penalty.lambda === 'number' ? penalty.lambda : penalty.lambda[i] ?? 0);
  const ls = sizes.map((units, i) => {
    const kr = regularizerFor(penalty.kind, lam(i));
    const last = i === sizes.length - 1;
    return layers.dense({
      name: last ? 'output' : `hidden${i + 1}`,
      units,
      activation: last ? outputActivation : 'relu',
      inputShape: i === 0 ? [inputs] : undefined,
      kernelRegularizer: kr,
      biasRegularizer: penalty.bias ? regularizerFor(penalty.kind, lam(i)) : undefined,
      activityRegularizer: !last && penalty.activity ? regularizers.l1({ l1: penalty.activity }) : undefined,
      seed: seed * 31 + i,
    });
  });
  return { model: sequential(ls), dense: ls };
}

export interface Setup {
  hidden: number[];
  epochs: number;
  batch: number;
  optimizer: () => ReturnType<typeof optimizers.sgd>;
  optimizerName: string;
}

export const MNIST_MODEL = { hidden: [64, 64], lr: 0.02, momentum: 0.9, batch: 32 } as const;
export const MOONS_MODEL = { hidden: [64, 64], lr: 0.01 } as const;
export const LINREG_MODEL = { lr: 0.0015, batch: 5, epochs: 100 } as const;

export function mnistModel(penalty: Penalty, seed: number): Built {
  const b = mlp(784, MNIST_MODEL.hidden, 10, 'softmax', penalty, seed);
  b.model.compile({ optimizer: optimizers.sgd({ learningRate: MNIST_MODEL.lr, momentum: MNIST_MODEL.momentum }), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  return b;
}

export function moonsModel(penalty: Penalty, seed: number): Built {
  const b = mlp(2, MOONS_MODEL.hidden, 1, 'sigmoid', penalty, seed);
  b.model.compile({ optimizer: optimizers.adam({ learningRate: MOONS_MODEL.lr }), loss: 'binaryCrossentropy', metrics: ['accuracy'] });
  return b;
}

/**
 * d2l's model: one linear unit on 200 features, squared error, plain SGD. Keras' mean squared
 * error has no ½ and l2(λ) is λ·Σw², so this objective is exactly twice d2l's
 * ½·mean(r²) + (λ/2)·‖w‖²; the learning rate 0.0015 is d2l's 0.003 halved, giving d2l's steps.
 */
export function linregModel(penalty: Penalty, seed: number, features = 200): Built {
  const b = mlp(features, [], 1, 'linear', penalty, seed);
  b.model.compile({ optimizer: optimizers.sgd({ learningRate: LINREG_MODEL.lr }), loss: 'meanSquaredError' });
  return b;
}

export interface EpochLogs {
  loss: number;
  data_loss: number;
  val_data_loss?: number;
  [k: string]: number | undefined;
}

/** fit with the lab's defaults (seeded shuffling, quiet) and an optional per-epoch hook. */
export async function train(b: Built, x: Tensor, y: Tensor, opts: {
  epochs: number; batch: number; seed: number; validation?: [Tensor, Tensor];
  onEpoch?: (epoch: number, logs: EpochLogs) => void;
}): Promise<Record<string, number[]>> {
  const h = await b.model.fit(x, y, {
    epochs: opts.epochs,
    batchSize: opts.batch,
    shuffle: true,
    seed: opts.seed,
    verbose: 0,
    validationData: opts.validation,
    callbacks: opts.onEpoch ? [{ onEpochEnd: (e: number, logs: Record<string, number>) => opts.onEpoch!(e, logs as EpochLogs) }] : [],
  });
  return h.history as unknown as Record<string, number[]>;
}

/** The data loss (the compiled loss without penalties) of a model on a whole set. */
export function dataLoss(m: Model, x: Tensor, y: Tensor): number {
  const r = m.evaluate(x, y, { batchSize: 1000 });
  return r.data_loss ?? r.loss;
}
