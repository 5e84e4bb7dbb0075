/**
 * Learning-rate schedules (lib/training/schedules.ts) against the Keras 3 formulas written out, as
 * `learningRate` of every optimizer (the step count before the update, 0 first), and the
 * reduceLROnPlateau / learningRateScheduler callbacks (lib/training/callbacks.ts).
 */
import * as schedules from '../lib/training/schedules';
import * as optimizers from '../lib/training/optimizers';
import * as callbacks from '../lib/training/callbacks';
import * as layers from '../lib/layers/index';
import { sequential } from '../lib/graph/model';
import { ConfigError, ValueError } from '../lib/errors';
import { Tensor } from '../lib/tensor';
import { randn } from './helpers/layer-check';

describe('schedule values vs the Keras formulas', () => {
  test('exponentialDecay: 0.1 · 0.5^(step / 10), staircase floors the exponent', () => {
    const s = schedules.exponentialDecay({ initialLearningRate: 0.1, decaySteps: 10, decayRate: 0.5 });
    expect(s.call(0)).toBe(0.1);
    expect(s.call(5)).toBeCloseTo(0.1 * Math.pow(0.5, 0.5), 12);
    expect(s.call(25)).toBeCloseTo(0.1 * Math.pow(0.5, 2.5), 12);
    const st = schedules.exponentialDecay({ initialLearningRate: 0.1, decaySteps: 10, decayRate: 0.5, staircase: true });
    expect(st.call(9)).toBe(0.1);
    expect(st.call(10)).toBeCloseTo(0.05, 12);
    expect(st.call(25)).toBeCloseTo(0.1 * 0.25, 12);
    expect(s.getConfig()).toEqual({ initialLearningRate: 0.1, decaySteps: 10, decayRate: 0.5, staircase: false, name: 'ExponentialDecay' });
    expect(s.className).toBe('ExponentialDecay');
  });

  test('inverseTimeDecay: 0.5 / (1 + 0.5 · step / 2), staircase floors step / 2', () => {
    const s = schedules.inverseTimeDecay({ initialLearningRate: 0.5, decaySteps: 2, decayRate: 0.5 });
    expect(s.call(0)).toBe(0.5);
    expect(s.call(3)).toBeCloseTo(0.5 / (1 + 0.5 * 1.5), 12);
    const st = schedules.inverseTimeDecay({ initialLearningRate: 0.5, decaySteps: 2, decayRate: 0.5, staircase: true });
    expect(st.call(3)).toBeCloseTo(0.5 / (1 + 0.5 * 1), 12);
    expect(s.className).toBe('InverseTimeDecay');
  });

  test('piecewiseConstantDecay boundaries [100000, 110000] values [1, 0.5, 0.1] (the Keras docstring example)', () => {
    const s = schedules.piecewiseConstantDecay({ boundaries: [100000, 110000], values: [1.0, 0.5, 0.1] });
    expect(s.call(0)).toBe(1.0);
    expect(s.call(100000)).toBe(1.0);           // step <= boundaries[0]
    expect(s.call(100001)).toBe(0.5);
    expect(s.call(110000)).toBe(0.5);
    expect(s.call(110001)).toBe(0.1);
    expect(s.getConfig()).toEqual({ boundaries: [100000, 110000], values: [1.0, 0.5, 0.1], name: 'PiecewiseConstant' });
  });

  test('cosineDecay without warm-up: 0.1 · ((1 − α)·½(1 + cos(π·min(step, 100)/100)) + α), α = 0.2', () => {
    const s = schedules.cosineDecay({ initialLearningRate: 0.1, decaySteps: 100, alpha: 0.2 });
    const keras = (step: number) => 0.1 * ((1 - 0.2) * 0.5 * (1 + Math.cos((Math.PI * Math.min(step, 100)) / 100)) + 0.2);
    for (const step of [0, 1, 25, 50, 99, 100, 150]) expect(s.call(step)).toBeCloseTo(keras(step), 12);
    expect(s.call(100)).toBeCloseTo(0.1 * 0.2, 12);
    expect(s.call(50)).toBeCloseTo(0.1 * (0.8 * 0.5 + 0.2), 12);
  });

  test('cosineDecay with warm-up 0 → 0.1 over 10 steps, then cosine over 100 steps to α·0.1', () => {
    const s = schedules.cosineDecay({ initialLearningRate: 0, decaySteps: 100, warmupTarget: 0.1, warmupSteps: 10, alpha: 0.1 });
    expect(s.call(0)).toBe(0);
    expect(s.call(5)).toBeCloseTo(0.1 * 5 / 10, 12);
    expect(s.call(10)).toBeCloseTo(0.1, 12);            // decay starts at the target
    expect(s.call(60)).toBeCloseTo(0.1 * (0.9 * 0.5 * (1 + Math.cos(Math.PI * 0.5)) + 0.1), 12);
    expect(s.call(110)).toBeCloseTo(0.1 * 0.1, 12);
    expect(s.call(500)).toBeCloseTo(0.1 * 0.1, 12);     // clamped at warmupSteps + decaySteps
    expect(s.getConfig()).toEqual({ initialLearningRate: 0, decaySteps: 100, alpha: 0.1, name: 'CosineDecay', warmupTarget: 0.1, warmupSteps: 10 });
  });

  test('throws on bad options', () => {
    expect(() => schedules.exponentialDecay({ initialLearningRate: 0.1, decaySteps: 0, decayRate: 0.5 })).toThrow(/decaySteps must be a finite number > 0, got 0/);
    expect(() => schedules.exponentialDecay({ initialLearningRate: 0.1, decayRate: 0.5 } as any)).toThrow(/decaySteps is required/);
    expect(() => schedules.inverseTimeDecay({ initialLearningRate: 0.1, decaySteps: 1, decayRate: 0.5, staircase: 1 } as any)).toThrow(/staircase must be a boolean/);
    expect(() => schedules.piecewiseConstantDecay({ boundaries: [10, 5], values: [1, 2, 3] })).toThrow(/strictly increasing/);
    expect(() => schedules.piecewiseConstantDecay({ boundaries: [10], values: [1, 2, 3] })).toThrow(/one more entry than boundaries \(2\), got 3 values for 1 boundaries/);
    expect(() => schedules.cosineDecay({ initialLearningRate: 0.1, decaySteps: 10, warmupSteps: -1 })).toThrow(/warmupSteps must be a finite number >= 0/);
    expect(() => schedules.cosineDecay({ initialLearningRate: 0.1, decaySteps: 10, warmup: 5 } as any)).toThrow(ConfigError);
  });
});

describe('schedules as learningRate of every optimizer', () => {
  function oneDense() {
    const m = sequential([layers.dense({ units: 2, inputShape: [3], seed: 4 })]);
    return m;
  }

  test('sgd with exponentialDecay: step t uses lr(t), t = 0, 1, 2 (hand-applied SGD on the same gradients)', async () => {
    const x = randn([4, 3], 1), y = randn([4, 2], 2);
    const sched = schedules.exponentialDecay({ initialLearningRate: 0.1, decaySteps: 1, decayRate: 0.5 });
    const m = oneDense();
    m.compile({ optimizer: optimizers.sgd({ learningRate: sched }), loss: 'meanSquaredError' });
    const ref = oneDense();
    ref.compile({ optimizer: optimizers.sgd({ learningRate: 1 }), loss: 'meanSquaredError' });
    ref.setWeights(m.getWeights());
    for (let t = 0; t < 3; t++) {
      const { grads } = ref.gradients(x, y);
      ref.setWeights(ref.getWeights().map((w, i) => new Tensor(w.data.map((v, j) => v - sched.call(t) * grads[i].data[j]), w.shape)));
    }
    await m.fit(x, y, { epochs: 3, batchSize: 4, shuffle: false, verbose: 0 });
    m.getWeights().forEach((w, i) => w.data.forEach((v, j) => expect(v).toBeCloseTo(ref.getWeights()[i].data[j], 6)));
    expect(m.optimizer!.iterations).toBe(3);
    expect(m.optimizer!.currentLearningRate!()).toBeCloseTo(0.1 * 0.125, 12);
  });

  test('adam, adamw, rmsprop accept a schedule; a constant schedule equals the number', async () => {
    const x = randn([4, 3], 3), y = randn([4, 2], 4);
    for (const make of [optimizers.adam, optimizers.adamw, optimizers.rmsprop] as ((o: any) => optimizers.Optimizer)[]) {
      const a = oneDense(), b = oneDense();
      b.setWeights(a.getWeights());
      a.compile({ optimizer: make({ learningRate: 0.01 }), loss: 'meanSquaredError' });
      b.compile({ optimizer: make({ learningRate: schedules.piecewiseConstantDecay({ boundaries: [1000], values: [0.01, 0.001] }) }), loss: 'meanSquaredError' });
      await a.fit(x, y, { epochs: 3, batchSize: 2, shuffle: false, verbose: 0 });
      await b.fit(x, y, { epochs: 3, batchSize: 2, shuffle: false, verbose: 0 });
      expect(b.getWeights().map((w) => Array.from(w.data))).toEqual(a.getWeights().map((w) => Array.from(w.data)));
    }
  });

  test('getConfig carries the schedule; setting learningRate on a scheduled optimizer throws', () => {
    const sched = schedules.cosineDecay({ initialLearningRate: 0.1, decaySteps: 10 });
    const opt = optimizers.adam({ learningRate: sched });
    expect(opt.getConfig().learningRate).toEqual({ className: 'CosineDecay', config: sched.getConfig() });
    expect(() => { opt.learningRate = 0.5; }).toThrow(/created with a learning-rate schedule \(CosineDecay\)/);
    const plain = optimizers.sgd({ learningRate: 0.1 });
    plain.learningRate = 0.05;
    expect(plain.getConfig().learningRate).toBe(0.05);
    expect(() => { plain.learningRate = -1; }).toThrow(/learningRate must be a finite number >= 0, got -1/);
    expect(() => optimizers.sgd({ learningRate: 'fast' as any })).toThrow(/learningRate must be a finite number/);
  });

  test('a schedule returning NaN is an error naming the step', async () => {
    const m = oneDense();
    m.compile({ optimizer: optimizers.sgd({ learningRate: schedules.fromFunction((s) => (s < 1 ? 0.1 : NaN)) }), loss: 'meanSquaredError' });
    await expect(m.fit(randn([4, 3], 1), randn([4, 2], 2), { epochs: 2, batchSize: 4, verbose: 0 })).rejects.toThrow(/returned NaN at step 1/);
  });
});

describe('learning-rate callbacks', () => {
  function fakeModel(opt: optimizers.Optimizer) {
    return { stopTraining: false, getWeights: () => [], setWeights: () => undefined, optimizer: opt };
  }

  test('reduceLROnPlateau patience=2 factor=0.5 cooldown=1 minLr=0.02: Keras counting on a scripted val_loss', () => {
    const opt = optimizers.sgd({ learningRate: 0.1 });
    const cb = callbacks.reduceLROnPlateau({ patience: 2, factor: 0.5, cooldown: 1, minLr: 0.02 });
    cb.setModel!(fakeModel(opt));
    cb.onTrainBegin!();
    const losses = [1.0, 0.9, 0.9, 0.9, 0.95, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9];
    const lrs: number[] = [];
    losses.forEach((l, e) => { cb.onEpochEnd!(e, { val_loss: l }); lrs.push(opt.learningRate as number); });
    // Keras order: a cooldown epoch first decrements the counter (and resets wait), THEN, the counter
    // being 0, a non-improving epoch already counts. epochs 0, 1 improve; 2, 3: wait 1, 2 → 0.05 at 3
    // (cooldown 1); 4: cooldown ends, wait 1; 5: wait 2 → 0.025; 6: wait 1; 7: wait 2 → max(0.0125,
    // 0.02) = 0.02; 9: 0.02 > float32(minLr) still holds in float64, so Keras "reduces" to 0.02 again.
    expect(lrs).toEqual([0.1, 0.1, 0.1, 0.05, 0.05, 0.025, 0.025, 0.02, 0.02, 0.02, 0.02]);
    expect(cb.reductions.map((r) => r.epoch)).toEqual([3, 5, 7, 9]);
  });

  test('reduceLROnPlateau in fit lowers the optimizer rate when the loss cannot improve (lr 0 → plateau)', async () => {
    const m = sequential([layers.dense({ units: 1, inputShape: [2], seed: 1 })]);
    m.compile({ optimizer: optimizers.sgd({ learningRate: 0 }), loss: 'meanSquaredError' });
    const opt = m.optimizer!;
    opt.learningRate = 1e-12; // tiny: the loss does not move by minDelta
    const cb = callbacks.reduceLROnPlateau({ monitor: 'loss', patience: 1, factor: 0.5 });
    await m.fit(randn([8, 2], 1), randn([8, 1], 2), { epochs: 4, batchSize: 8, verbose: 0, callbacks: [cb] });
    // epoch 0 sets best; epochs 1, 2, 3 each reduce (patience 1).
    expect(opt.learningRate).toBeCloseTo(1e-12 * 0.125, 25);
  });

  test('learningRateScheduler sets lr = schedule(epoch, lr) before each epoch; lr 0 freezes the weights', async () => {
    const x = randn([6, 2], 5), y = randn([6, 1], 6);
    const a = sequential([layers.dense({ units: 1, inputShape: [2], seed: 2 })]);
    const b = sequential([layers.dense({ units: 1, inputShape: [2], seed: 2 })]);
    a.compile({ optimizer: optimizers.sgd({ learningRate: 0.1 }), loss: 'meanSquaredError' });
    b.compile({ optimizer: optimizers.sgd({ learningRate: 0.1 }), loss: 'meanSquaredError' });
    const cb = callbacks.learningRateScheduler((epoch, lr) => (epoch === 0 ? lr * 2 : 0));
    await a.fit(x, y, { epochs: 3, batchSize: 6, shuffle: false, verbose: 0, callbacks: [cb] });
    b.optimizer!.learningRate = 0.2;
    await b.fit(x, y, { epochs: 1, batchSize: 6, shuffle: false, verbose: 0 });
    expect(cb.history).toEqual([0.2, 0, 0]);
    expect(a.getWeights().map((w) => Array.from(w.data))).toEqual(b.getWeights().map((w) => Array.from(w.data)));
  });

  test('a failed fit puts the learning rate back (all-or-nothing fit), a stopped one keeps it', async () => {
    const m = sequential([layers.dense({ units: 1, inputShape: [2], seed: 1 })]);
    m.compile({ optimizer: optimizers.sgd({ learningRate: 0.1 }), loss: 'meanSquaredError' });
    const x = randn([4, 2], 1), y = randn([4, 1], 2);
    const boom = { onEpochEnd(epoch: number) { if (epoch === 1) throw new Error('boom'); } };
    await expect(m.fit(x, y, { epochs: 3, verbose: 0, callbacks: [callbacks.learningRateScheduler((e) => 0.01 * (e + 1)), boom] })).rejects.toThrow('boom');
    expect(m.optimizer!.learningRate).toBe(0.1);
    const stop = { setModel(mm: { stopTraining: boolean }) { (this as any).m = mm; }, onEpochEnd(epoch: number) { if (epoch === 1) (this as any).m.stopTraining = true; } };
    await m.fit(x, y, { epochs: 3, verbose: 0, callbacks: [callbacks.learningRateScheduler((e) => 0.01 * (e + 1)), stop] });
    expect(m.optimizer!.learningRate).toBeCloseTo(0.02, 12);
  });

  test('throws on bad options, a scheduled optimizer, or a bad schedule result', async () => {
    expect(() => callbacks.reduceLROnPlateau({ factor: 1 })).toThrow(/factor must be a number in \[0, 1\)/);
    expect(() => callbacks.reduceLROnPlateau({ patience: -1 })).toThrow(/patience must be an integer >= 0/);
    expect(() => callbacks.reduceLROnPlateau({ monitr: 'loss' } as any)).toThrow(/unknown option/);
    expect(() => callbacks.learningRateScheduler(5 as any)).toThrow(/schedule must be a function/);
    const m = sequential([layers.dense({ units: 1, inputShape: [2], seed: 1 })]);
    m.compile({ optimizer: optimizers.sgd({ learningRate: schedules.exponentialDecay({ initialLearningRate: 0.1, decaySteps: 1, decayRate: 0.9 }) }), loss: 'meanSquaredError' });
    const x = randn([4, 2], 1), y = randn([4, 1], 2);
    await expect(m.fit(x, y, { verbose: 0, callbacks: [callbacks.reduceLROnPlateau({ monitor: 'loss' })] })).rejects.toThrow(/learningRate is a schedule \(ExponentialDecay\)/);
    m.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
    await expect(m.fit(x, y, { verbose: 0, callbacks: [callbacks.learningRateScheduler(() => NaN)] })).rejects.toThrow(ValueError);
    await expect(m.fit(x, y, { verbose: 0, callbacks: [callbacks.reduceLROnPlateau()] })).rejects.toThrow(/monitors "?val_loss/);
  });
});
