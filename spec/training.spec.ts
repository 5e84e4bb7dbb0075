/**
 * fit / evaluate / predict (lib/training/fit.ts, lib/graph/model.ts): a model that really learns,
 * History contents, validation, callbacks and their order, earlyStopping, terminateOnNaN, the
 * NaN-weight error, argument validation that leaves the model unchanged, seeded determinism, and
 * the progress output.
 */
import {
  ConfigError, Model, input, model, Random, ShapeError, Tensor, ValueError, callbacks, layers, optimizers, regularizers, sequential, tensor,
} from '../lib/index';

function randn(shape: number[], seed: number, scale = 1): Tensor {
  const r = new Random(seed);
  const n = shape.reduce((a, b) => a * b, 1);
  return new Tensor(Float32Array.from({ length: n }, () => scale * r.normal()), shape);
}

/** Two interleaving half-moons with Gaussian noise (sklearn's make_moons), seeded. */
function twoMoons(n: number, seed: number, noise = 0.1): { x: Tensor; y: Tensor } {
  const r = new Random(seed);
  const x = new Float32Array(2 * n), y = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const t = Math.PI * r.uniform();
    const upper = i % 2 === 0;
    x[2 * i] = (upper ? Math.cos(t) : 1 - Math.cos(t)) + noise * r.normal();
    x[2 * i + 1] = (upper ? Math.sin(t) : 0.5 - Math.sin(t)) + noise * r.normal();
    y[i] = upper ? 0 : 1;
  }
  return { x: new Tensor(x, [n, 2]), y: new Tensor(y, [n, 1]) };
}

function linearModel(opts: { lr?: number; name?: string; reg?: boolean } = {}): Model {
  const m = sequential([layers.dense({ units: 1, inputShape: [3], name: opts.name, seed: 1, kernelRegularizer: opts.reg ? regularizers.l2({ l2: 0.1 }) : undefined })]);
  m.compile({ optimizer: optimizers.sgd({ learningRate: opts.lr ?? 0.05 }), loss: 'meanSquaredError' });
  return m;
}

describe('a small model that really learns', () => {
  test('XOR: dense 8 tanh → dense 1 sigmoid, Adam 0.05, 300 epochs, seeded → accuracy 1', async () => {
    const m = sequential([
      layers.dense({ units: 8, activation: 'tanh', inputShape: [2], seed: 3 }),
      layers.dense({ units: 1, activation: 'sigmoid', seed: 4 }),
    ]);
    m.compile({ optimizer: optimizers.adam({ learningRate: 0.05 }), loss: 'binaryCrossentropy', metrics: ['accuracy'] });
    const x = tensor([[0, 0], [0, 1], [1, 0], [1, 1]]);
    const y = tensor([[0], [1], [1], [0]]);
    const h = await m.fit(x, y, { epochs: 300, batchSize: 4, verbose: 0, seed: 1 });
    expect(h.history.accuracy[299]).toBe(1);
    expect(h.history.loss[299]).toBeLessThan(0.1);
    expect(m.evaluate(x, y).accuracy).toBe(1);
  });

  test('two moons (300 train / 200 test), L2-regularized MLP with dropout, Adam → test accuracy ≥ 0.95', async () => {
    const train = twoMoons(300, 1), test = twoMoons(200, 2);
    const m = sequential([
      layers.dense({ units: 32, activation: 'relu', inputShape: [2], seed: 5, kernelRegularizer: regularizers.l2({ l2: 1e-4 }) }),
      layers.dropout({ rate: 0.1, seed: 6 }),
      layers.dense({ units: 32, activation: 'relu', seed: 7, kernelRegularizer: regularizers.l2({ l2: 1e-4 }) }),
      layers.dense({ units: 1, activation: 'sigmoid', seed: 8 }),
    ]);
    m.compile({ optimizer: optimizers.adam({ learningRate: 0.01 }), loss: 'binaryCrossentropy', metrics: ['accuracy'] });
    const h = await m.fit(train.x, train.y, { epochs: 60, batchSize: 32, verbose: 0, seed: 2, validationData: [test.x, test.y] });
    expect(h.history.val_accuracy[59]).toBeGreaterThanOrEqual(0.95);
    expect(m.evaluate(test.x, test.y).accuracy).toBeGreaterThanOrEqual(0.95);
    // Penalties are part of the loss: loss − data_loss is the (positive) L2 share.
    expect(h.history.loss[59] - h.history.data_loss[59]).toBeGreaterThan(0);
  });

  test('softmax classifier with sparse ids and categorical with one-hot learn 3 blobs', async () => {
    const r = new Random(9);
    const n = 90, centers = [[0, 3], [3, -2], [-3, -2]];
    const x = new Float32Array(2 * n), ids = new Float32Array(n), oneHot = new Float32Array(3 * n);
    for (let i = 0; i < n; i++) {
      const c = i % 3;
      x[2 * i] = centers[c][0] + 0.5 * r.normal();
      x[2 * i + 1] = centers[c][1] + 0.5 * r.normal();
      ids[i] = c;
      oneHot[3 * i + c] = 1;
    }
    for (const [loss, y] of [['sparseCategoricalCrossentropy', new Tensor(ids, [n])], ['categoricalCrossentropy', new Tensor(oneHot, [n, 3])]] as const) {
      const m = sequential([layers.dense({ units: 3, activation: 'softmax', inputShape: [2], seed: 1 })]);
      m.compile({ optimizer: optimizers.adam({ learningRate: 0.05 }), loss, metrics: ['accuracy'] });
      await m.fit(new Tensor(x, [n, 2]), y, { epochs: 40, batchSize: 16, verbose: 0, seed: 3 });
      expect(m.evaluate(new Tensor(x, [n, 2]), y).accuracy).toBeGreaterThanOrEqual(0.95);
    }
  });
});

describe('History and validation', () => {
  const x = randn([10, 3], 1), y = randn([10, 1], 2);

  test('keys loss, data_loss, mae, val_loss, val_data_loss, val_mae; one entry per epoch; epoch indices', async () => {
    const m = linearModel({ reg: true });
    m.compile({ optimizer: 'sgd', loss: 'meanSquaredError', metrics: ['mae'] });
    const h = await m.fit(x, y, { epochs: 3, batchSize: 4, validationSplit: 0.2, verbose: 0 });
    expect(Object.keys(h.history).sort()).toEqual(['data_loss', 'loss', 'mae', 'val_data_loss', 'val_loss', 'val_mae']);
    Object.values(h.history).forEach((v) => expect(v).toHaveLength(3));
    expect(h.epoch).toEqual([0, 1, 2]);
    expect(h.params).toEqual({ epochs: 3, steps: 2, samples: 8, batchSize: 4 });
  });

  test('with learning rate 0, loss = the sample-weighted mean of the batch totals = evaluate on the training rows (batches 4, 4, 2)', async () => {
    const m = linearModel({ lr: 0, reg: true });
    const h = await m.fit(x, y, { epochs: 1, batchSize: 4, shuffle: false, verbose: 0 });
    const e = m.evaluate(x, y, { batchSize: 4 });
    expect(h.history.loss[0]).toBeCloseTo(e.loss, 6);
    expect(h.history.data_loss[0]).toBeCloseTo(e.data_loss, 6);
    expect(h.history.loss[0]).toBeCloseTo(m.lossBreakdown(x, y).total, 6);
    expect(h.history.loss[0]).toBeGreaterThan(h.history.data_loss[0]);
  });

  test('validationSplit 0.3 holds out the LAST 3 of 10 rows (Keras), before shuffling', async () => {
    const m = linearModel({ lr: 0 });
    const h = await m.fit(x, y, { epochs: 1, validationSplit: 0.3, verbose: 0, seed: 5 });
    const last = (t: Tensor) => new Tensor(t.data.slice((t.size / 10) * 7), [3, ...t.shape.slice(1)]);
    const first = (t: Tensor) => new Tensor(t.data.slice(0, (t.size / 10) * 7), [7, ...t.shape.slice(1)]);
    expect(h.history.val_loss[0]).toBeCloseTo(m.evaluate(last(x), last(y)).loss, 6);
    expect(h.history.loss[0]).toBeCloseTo(m.evaluate(first(x), first(y)).loss, 6);
  });

  test('validationData is evaluated after each epoch with the epoch\'s final weights', async () => {
    const m = linearModel();
    const xv = randn([5, 3], 3), yv = randn([5, 1], 4);
    const seen: number[] = [];
    const h = await m.fit(x, y, {
      epochs: 2, validationData: [xv, yv], verbose: 0,
      callbacks: [{ onEpochEnd: () => { seen.push(m.evaluate(xv, yv).loss); } }],
    });
    h.history.val_loss.forEach((v, i) => expect(v).toBeCloseTo(seen[i], 6));
  });

  test('dropout is active in fit and off in lossBreakdown/evaluate/predict', async () => {
    const m = sequential([layers.dense({ units: 8, inputShape: [3], seed: 2 }), layers.dropout({ rate: 0.5, seed: 3 }), layers.dense({ units: 1, seed: 4 })]);
    m.compile({ optimizer: optimizers.sgd({ learningRate: 0 }), loss: 'meanSquaredError' });
    const a = m.lossBreakdown(x, y).total;
    expect(m.lossBreakdown(x, y).total).toBe(a);
    expect(Array.from(m.predict(x).data)).toEqual(Array.from(m.predict(x).data));
    const h = await m.fit(x, y, { epochs: 1, batchSize: 10, verbose: 0 });
    expect(h.history.loss[0]).not.toBeCloseTo(a, 4);
  });
});

describe('callbacks', () => {
  const x = randn([6, 3], 1), y = randn([6, 1], 2);

  test('order: setModel, onTrainBegin, onEpochBegin, onBatchBegin/End per batch, onEpochEnd, onTrainEnd; async hooks awaited', async () => {
    const m = linearModel();
    const events: string[] = [];
    let slowDone = false;
    await m.fit(x, y, {
      epochs: 2, batchSize: 4, verbose: 0,
      callbacks: [{
        setModel: (mm) => { events.push(mm === m ? 'setModel' : 'setModel?'); },
        onTrainBegin: () => { events.push('trainBegin'); },
        onEpochBegin: (e) => { events.push(`epochBegin ${e}`); },
        onBatchBegin: (b) => { events.push(`batchBegin ${b}`); },
        onBatchEnd: async (b, logs) => {
          await new Promise((r) => setTimeout(r, 1));
          slowDone = true;
          events.push(`batchEnd ${b} size ${logs.size}`);
        },
        onEpochEnd: (e, logs) => { events.push(`epochEnd ${e} ${slowDone} ${Object.keys(logs).join(',')}`); },
        onTrainEnd: () => { events.push('trainEnd'); },
      }],
    });
    expect(events).toEqual([
      'setModel', 'trainBegin',
      'epochBegin 0', 'batchBegin 0', 'batchEnd 0 size 4', 'batchBegin 1', 'batchEnd 1 size 2', 'epochEnd 0 true loss,data_loss',
      'epochBegin 1', 'batchBegin 0', 'batchEnd 0 size 4', 'batchBegin 1', 'batchEnd 1 size 2', 'epochEnd 1 true loss,data_loss',
      'trainEnd',
    ]);
  });

  test('a callback setting model.stopTraining ends fit after that batch', async () => {
    const m = linearModel();
    const h = await m.fit(x, y, { epochs: 5, batchSize: 2, verbose: 0, callbacks: { onBatchEnd: (b) => { if (b === 1) m.stopTraining = true; } } });
    expect(h.epoch).toEqual([0]);
    expect(m.optimizer!.iterations).toBe(2);
  });

  test('earlyStopping(val_loss, patience 2, restoreBestWeights): validation targets −y make val_loss rise; stops at epoch 2 with epoch 0\'s weights', async () => {
    const m = linearModel({ lr: 0.05 });
    const xs = randn([16, 3], 5);
    const ys = new Tensor(xs.data.filter((_, i) => i % 3 === 0).map((v) => 2 * v), [16, 1]);
    const yNeg = new Tensor(ys.data.map((v) => -v), [16, 1]);
    const snapshots: Tensor[][] = [];
    const es = callbacks.earlyStopping({ monitor: 'val_loss', patience: 2, restoreBestWeights: true });
    const h = await m.fit(xs, ys, {
      epochs: 20, batchSize: 4, verbose: 0, validationData: [xs, yNeg],
      callbacks: [{ onEpochEnd: () => { snapshots.push(m.getWeights()); } }, es],
    });
    expect(h.history.val_loss[1]).toBeGreaterThan(h.history.val_loss[0]);
    expect(h.epoch).toEqual([0, 1, 2]);
    expect([es.bestEpoch, es.stoppedEpoch]).toEqual([0, 2]);
    m.getWeights().forEach((w, i) => expect(Array.from(w.data)).toEqual(Array.from(snapshots[0][i].data)));
  });

  test('earlyStopping minDelta: improvements smaller than minDelta do not count (driven directly)', () => {
    const model = { stopTraining: false, getWeights: () => [], setWeights: () => undefined };
    const es = callbacks.earlyStopping({ monitor: 'loss', patience: 1, minDelta: 0.1 });
    es.setModel!(model);
    es.onTrainBegin!();
    [1, 0.95].forEach((v, e) => es.onEpochEnd!(e, { loss: v }));
    expect([model.stopTraining, es.stoppedEpoch, es.best]).toEqual([true, 1, 1]);
  });

  test('earlyStopping mode auto is max for accuracy', () => {
    const model = { stopTraining: false, getWeights: () => [], setWeights: () => undefined };
    const es = callbacks.earlyStopping({ monitor: 'val_accuracy', patience: 0 });
    es.setModel!(model);
    es.onTrainBegin!();
    [0.5, 0.6, 0.7].forEach((v, e) => es.onEpochEnd!(e, { val_accuracy: v }));
    expect(model.stopTraining).toBe(false);
    es.onEpochEnd!(3, { val_accuracy: 0.65 });
    expect([model.stopTraining, es.best, es.bestEpoch]).toEqual([true, 0.7, 2]);
  });

  test('terminateOnNaN stops on a non-finite loss (checkNumerics: false): lr 1e6 diverges', async () => {
    const m = linearModel({ lr: 1e6 });
    const xs = randn([4, 3], 7, 10);
    const t = callbacks.terminateOnNaN();
    const h = await m.fit(xs, randn([4, 1], 8), { epochs: 50, batchSize: 1, verbose: 0, checkNumerics: false, callbacks: [t] });
    expect(h.epoch.length).toBeLessThan(50);
    expect(t.stoppedAtBatch).not.toBeNull();
    expect(Number.isFinite(h.history.loss[h.history.loss.length - 1])).toBe(false);
  });

  test('throws when a weight becomes non-finite: the error names the epoch, the batch and the layer', async () => {
    const m = linearModel({ lr: 1e6, name: 'lin' });
    const xs = randn([4, 3], 7, 10);
    const before = m.getWeights().map((w) => Array.from(w.data));
    await expect(m.fit(xs, randn([4, 1], 8), { epochs: 50, batchSize: 1, verbose: 0 }))
      .rejects.toThrow(/fit: weight lin\/kernel became (NaN|Infinity|-Infinity) at index \d in epoch \d+\/50, batch \d\/4/);
    // The failed fit is rolled back: the weights are exactly those before the call.
    expect(m.getWeights().map((w) => Array.from(w.data))).toEqual(before);
    await expect(m.fit(xs, randn([4, 1], 8), { epochs: 50, batchSize: 1, verbose: 0 })).rejects.toThrow(ValueError);
  });
});

describe('argument validation leaves the model unchanged', () => {
  const x = randn([6, 3], 1), y = randn([6, 1], 2);
  const bad: [string, (m: Model) => Promise<unknown>, RegExp][] = [
    ['epochs is 0', (m) => m.fit(x, y, { epochs: 0 }), /fit: epochs must be a positive integer, got 0/],
    ['batchSize is 1.5', (m) => m.fit(x, y, { batchSize: 1.5 }), /fit: batchSize must be a positive integer, got 1.5/],
    ['validationSplit is 1', (m) => m.fit(x, y, { validationSplit: 1 }), /fit: validationSplit must be a number in \(0, 1\), got 1/],
    ['validationSplit is 0', (m) => m.fit(x, y, { validationSplit: 0 }), /validationSplit must be a number in \(0, 1\)/],
    ['validationSplit leaves no validation sample', (m) => m.fit(x, y, { validationSplit: 0.01 }), /leaves 6 for training and 0 for validation/],
    ['x and y sample counts differ', (m) => m.fit(x, randn([5, 1], 3)), /fit: x and y must have the same number of samples, got 6 and 5/],
    ['x has the wrong feature shape', (m) => m.fit(randn([6, 4], 1), y), /fit: input 0 .* must have shape \[batch,3\], got \[6,4\]/],
    ['y has the wrong shape', (m) => m.fit(x, randn([6, 2], 3)), /fit: y: targets must have the shape of the predictions \[6,1\], got \[6,2\]/],
    ['an option is unknown', (m) => m.fit(x, y, { epoch: 3 } as object), /fit: unknown option "epoch"/],
    ['validationData has the wrong shape', (m) => m.fit(x, y, { validationData: [randn([2, 2], 1), randn([2, 1], 1)] }), /fit: input 0 .* must have shape \[batch,3\], got \[2,2\]/],
    ['validationData is not a pair', (m) => m.fit(x, y, { validationData: [x] as unknown as [Tensor, Tensor] }), /fit: validationData must be \[x, y\]/],
    ['a callback is not an object', (m) => m.fit(x, y, { callbacks: [42 as unknown as object] }), /fit: callbacks\[0\] must be an object/],
    ['earlyStopping monitors val_loss without validation', (m) => m.fit(x, y, { callbacks: [callbacks.earlyStopping()] }), /monitors "val_loss", which is not in the epoch logs \[loss, data_loss\] \(give validationData or validationSplit\)/],
    ['verbose is 3', (m) => m.fit(x, y, { verbose: 3 as 1 }), /fit: verbose must be 0, 1 or 2/],
    ['x is not a Tensor', (m) => m.fit([[1, 2, 3]] as unknown as Tensor, y), /fit: x must be a Tensor/],
  ];
  test.each(bad)('throws when %s', async (_name, call, re) => {
    const m = linearModel();
    const before = m.getWeights();
    await expect(call(m)).rejects.toThrow(re);
    m.getWeights().forEach((w, i) => expect(Array.from(w.data)).toEqual(Array.from(before[i].data)));
    expect(m.optimizer!.iterations).toBe(0);
  });

  test('throws when the model is not compiled', async () => {
    const m = sequential([layers.dense({ units: 1, inputShape: [3] })]);
    await expect(m.fit(x, y)).rejects.toThrow(/fit: the model must be compiled first/);
  });

  test('throws when sparse ids are out of range (checked on all of y before training)', async () => {
    const m = sequential([layers.dense({ units: 3, inputShape: [3], activation: 'softmax' })]);
    m.compile({ optimizer: 'sgd', loss: 'sparseCategoricalCrossentropy' });
    const before = m.getWeights();
    await expect(m.fit(x, tensor([0, 1, 2, 0, 1, 3]), { verbose: 0 })).rejects.toThrow(/got 3 at index 5/);
    expect(Array.from(m.getWeights()[0].data)).toEqual(Array.from(before[0].data));
  });

  test('throws when a deferred sequential model gets incompatible data, and it stays unbuilt', async () => {
    const m = sequential([layers.dense({ units: 4 }), layers.reshape({ targetShape: [3] })]);
    m.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
    await expect(m.fit(x, y, { verbose: 0 })).rejects.toThrow(ShapeError);
    expect(m.built).toBe(false);
    expect(m.layers.every((l) => !l.built)).toBe(true);
  });

  test('throws when fit is called while another fit on the same model is running', async () => {
    const m = linearModel();
    const slow = { onEpochEnd: () => new Promise<void>((r) => setTimeout(r, 5)) };
    const first = m.fit(x, y, { epochs: 2, verbose: 0, callbacks: [slow] });
    await expect(m.fit(x, y, { verbose: 0 })).rejects.toThrow(/fit: sequential_\d+ is already being trained by another fit\(\) call/);
    await first;
    expect(m.optimizer!.iterations).toBe(2);
    await m.fit(x, y, { verbose: 0 }); // free again
  });

  test('throws ConfigError for bad options (class check)', async () => {
    await expect(linearModel().fit(x, y, { shuffle: 'yes' as unknown as boolean })).rejects.toThrow(ConfigError);
  });
});

describe('seeded determinism', () => {
  const x = randn([20, 3], 1), y = randn([20, 1], 2);
  const run = async (seed: number) => {
    const m = sequential([layers.dense({ units: 4, inputShape: [3], activation: 'tanh', seed: 1 }), layers.dropout({ rate: 0.2, seed: 2 }), layers.dense({ units: 1, seed: 3 })]);
    m.compile({ optimizer: 'adam', loss: 'meanSquaredError' });
    const h = await m.fit(x, y, { epochs: 3, batchSize: 5, seed, verbose: 0 });
    return { h: h.history.loss, w: Array.from(m.getWeights()[0].data) };
  };
  test('same seed → same History and weights; another seed → another History', async () => {
    const a = await run(7), b = await run(7), c = await run(8);
    expect(b).toEqual(a);
    expect(c.h).not.toEqual(a.h);
  });
});

describe('other model and loss shapes', () => {
  test('a two-input functional model fits with validationSplit (rows split in every input)', async () => {
    const a = input({ shape: [2] }), b = input({ shape: [1] });
    const m = model({ inputs: [a, b], outputs: layers.dense({ units: 1, seed: 1 }).apply(layers.concatenate().apply([a, b])) });
    m.compile({ optimizer: optimizers.sgd({ learningRate: 0.1 }), loss: 'meanSquaredError' });
    const xa = randn([20, 2], 1), xb = randn([20, 1], 2);
    const y = new Tensor(xa.data.filter((_, i) => i % 2 === 0).map((v, i) => v - 2 * xb.data[i]), [20, 1]);
    const h = await m.fit([xa, xb], y, { epochs: 40, batchSize: 5, validationSplit: 0.25, verbose: 0, seed: 1 });
    expect(h.history.val_loss[39]).toBeLessThan(0.01 * h.history.val_loss[0]);
  });

  test('a user-defined Loss object (Huber, δ = 1) is used as given', async () => {
    const huber = {
      name: 'huber', fromLogits: false,
      compute(t: Tensor, p: Tensor) { return this.valueAndGradient(t, p).value; },
      valueAndGradient(t: Tensor, p: Tensor) {
        const g = new Float32Array(p.size);
        let s = 0;
        for (let i = 0; i < p.size; i++) {
          const d = p.data[i] - t.data[i];
          s += Math.abs(d) <= 1 ? 0.5 * d * d : Math.abs(d) - 0.5;
          g[i] = (Math.abs(d) <= 1 ? d : Math.sign(d)) / p.size;
        }
        return { value: s / p.size, grad: new Tensor(g, p.shape) };
      },
    };
    const m = sequential([layers.dense({ units: 1, inputShape: [1], seed: 1 })]);
    m.compile({ optimizer: optimizers.sgd({ learningRate: 0 }), loss: huber });
    m.setWeights([tensor([[1]]), tensor([0])]);
    const r = m.evaluate(tensor([[0], [3]]), tensor([[0.5], [0]]));
    expect(r.loss).toBeCloseTo((0.5 * 0.5 ** 2 + (3 - 0.5)) / 2, 6);
  });
});

describe('evaluate and predict', () => {
  test('predict in batches of 3 equals one batch; evaluate metrics', () => {
    const m = sequential([layers.dense({ units: 2, inputShape: [3], activation: 'sigmoid', seed: 1 })]);
    m.compile({ optimizer: 'sgd', loss: 'binaryCrossentropy', metrics: ['accuracy', 'mse'] });
    const x = randn([7, 3], 1);
    expect(Array.from(m.predict(x, { batchSize: 3 }).data)).toEqual(Array.from(m.predict(x, { batchSize: 7 }).data));
    const p = m.predict(x);
    const y = new Tensor(p.data.map((v) => (v > 0.5 ? 1 : 0)), p.shape);
    const r = m.evaluate(x, y, { batchSize: 2 });
    expect(r.accuracy).toBe(1);
    expect(r.mse).toBeCloseTo(Array.from(p.data).reduce((s, v, i) => s + (v - y.data[i]) ** 2, 0) / p.size, 6);
    expect(Object.keys(r)).toEqual(['loss', 'data_loss', 'accuracy', 'mse']);
  });
  test('throws when predict gets the wrong feature shape or batchSize', () => {
    const m = sequential([layers.dense({ units: 2, inputShape: [3] })]);
    expect(() => m.predict(randn([2, 4], 1))).toThrow(/predict: input 0 .* must have shape \[batch,3\], got \[2,4\]/);
    expect(() => m.predict(randn([2, 3], 1), { batchSize: 0 })).toThrow(/predict: batchSize must be a positive integer/);
  });
});

describe('progress output (verbose)', () => {
  const x = randn([8, 3], 1), y = randn([8, 1], 2);
  const capture = async (verbose: 0 | 1 | 2, tty: boolean) => {
    const out: string[] = [];
    const spy = jest.spyOn(process.stdout, 'write').mockImplementation((s: string | Uint8Array) => { out.push(String(s)); return true; });
    const was = process.stdout.isTTY;
    (process.stdout as { isTTY: boolean }).isTTY = tty;
    try {
      await linearModel({ reg: true }).fit(x, y, { epochs: 2, batchSize: 4, verbose, validationSplit: 0.25 });
    } finally {
      spy.mockRestore();
      (process.stdout as { isTTY: boolean | undefined }).isTTY = was;
    }
    return out;
  };
  test('not a TTY: one plain line per epoch with loss, penalty share, data_loss, val_loss', async () => {
    const out = await capture(1, false);
    expect(out).toHaveLength(2);
    expect(out[0]).toMatch(/^Epoch 1\/2 2\/2 \d+\.\ds {2}loss \S+ \(penalty \d+\.\d%\) {2}data_loss \S+ {2}val_loss \S+ {2}val_data_loss \S+\n$/);
    expect(out[1]).toMatch(/^Epoch 2\/2 /);
  });
  test('TTY: redrawn with \\r, a bar and an ETA, then the epoch line', async () => {
    const out = await capture(1, true);
    expect(out.some((s) => /^\rEpoch 1\/2 \[=+>?\.*\] \d\/2 ETA \d+\.\ds {2}loss \S+ \(penalty/.test(s))).toBe(true);
    expect(out.filter((s) => s.endsWith('\n'))).toHaveLength(2);
  });
  test('verbose 0 prints nothing', async () => {
    expect(await capture(0, true)).toEqual([]);
  });
});
