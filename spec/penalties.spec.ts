/**
 * The penalty hook (lib/training/penalties.ts): where regularizers enter the loss and the
 * gradients. Expected values are written as the definitions (DESIGN.md "Where penalties enter").
 */
import {
  Random, Tensor, fill, input, layers, model, regularizers, sequential, tensor,
} from '../lib/index';
import {
  PenaltyTerm, activityPenalty, addActivityGradient, addWeightPenaltyGradients, weightPenalties,
} from '../lib/training/penalties';

const sum = (xs: ArrayLike<number>) => Array.from(xs).reduce((a, b) => a + b, 0);
const abs = (xs: ArrayLike<number>) => Array.from(xs).map(Math.abs);
const sq = (xs: ArrayLike<number>) => Array.from(xs).map((v) => v * v);

describe('the Keras documentation worked example', () => {
  // tf.keras docs (Layer.losses): Dense(5, kernel_initializer='ones', kernel_regularizer=L1(0.01),
  // activity_regularizer=L2(0.01)) on ones((5, 5)) * 2 → kernel term 0.25, activity term 5, sum 5.25.
  test('Dense(5) ones kernel, L1(0.01) kernel, L2(0.01) activity, x = 2·ones([5,5]): 0.25 + 5 = 5.25', () => {
    const m = sequential([layers.dense({
      units: 5, inputShape: [5], kernelInitializer: 'ones',
      kernelRegularizer: regularizers.l1({ l1: 0.01 }), activityRegularizer: regularizers.l2({ l2: 0.01 }),
    })]);
    m.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
    const x = fill([5, 5], 2);
    const yOut = 2 * 5; // every output: Σ_i 2 · 1 = 10 (bias 0)
    const bd = m.lossBreakdown(x, fill([5, 5], yOut)); // targets = outputs: data loss 0
    const name = m.layers[0].name;
    expect(bd.data).toBe(0);
    expect(bd.penalties).toEqual([
      { layer: name, target: 'kernel', value: expect.any(Number) },
      { layer: name, target: 'activity', value: expect.any(Number) },
    ]);
    expect(bd.penalties[0].value).toBeCloseTo(0.01 * (5 * 5 * 1), 10); // 0.25
    expect(bd.penalties[1].value).toBeCloseTo((0.01 * (5 * 5 * yOut ** 2)) / 5, 10); // 25 / batch 5 = 5
    expect(bd.total).toBeCloseTo(0.25 + 5, 10);
  });
});

describe('lossBreakdown: every term by layer and target, from the definition', () => {
  const W1 = [[0.5, -1], [2, 0.25], [-0.75, 1.5]]; // [3, 2]
  const b1 = [0.1, -0.2];
  const W2 = [[1.5], [-0.5]]; // [2, 1]
  const b2 = [0.3];
  const build = () => {
    const m = sequential([
      layers.dense({
        units: 2, inputShape: [3], name: 'h',
        kernelRegularizer: regularizers.l1({ l1: 0.01 }), biasRegularizer: regularizers.l2({ l2: 0.02 }),
        activityRegularizer: regularizers.l1l2({ l1: 0.03, l2: 0.04 }),
      }),
      layers.dense({ units: 1, name: 'out', kernelRegularizer: regularizers.l1l2({ l1: 0.05, l2: 0.06 }), biasRegularizer: 'l2' }),
    ]);
    m.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
    m.setWeights([tensor(W1), tensor(b1), tensor(W2), tensor(b2)]);
    return m;
  };
  const X = [[1, 2, 3], [-1, 0.5, 2]];
  const T = [[1], [-2]];
  // Reference forward (naive loops, linear activations).
  const H = X.map((x) => [0, 1].map((j) => x[0] * W1[0][j] + x[1] * W1[1][j] + x[2] * W1[2][j] + b1[j]));
  const Y = H.map((h) => h[0] * W2[0][0] + h[1] * W2[1][0] + b2[0]);
  const B = 2;

  test('data, kernel/bias/activity terms of 2 dense layers, batch 2', () => {
    const bd = build().lossBreakdown(tensor(X), tensor(T));
    const data = ((Y[0] - T[0][0]) ** 2 + (Y[1] - T[1][0]) ** 2) / 2;
    const hFlat = H.flat();
    const expected = [
      { layer: 'h', target: 'kernel', value: 0.01 * sum(abs(W1.flat())) },
      { layer: 'h', target: 'bias', value: 0.02 * sum(sq(b1)) },
      { layer: 'h', target: 'activity', value: (0.03 * sum(abs(hFlat)) + 0.04 * sum(sq(hFlat))) / B },
      { layer: 'out', target: 'kernel', value: 0.05 * sum(abs(W2.flat())) + 0.06 * sum(sq(W2.flat())) },
      { layer: 'out', target: 'bias', value: 0.01 * sum(sq(b2)) }, // 'l2' = default 0.01
    ];
    expect(bd.data).toBeCloseTo(data, 5);
    expect(bd.penalties.map((p) => [p.layer, p.target])).toEqual(expected.map((p) => [p.layer, p.target]));
    bd.penalties.forEach((p, i) => expect(p.value).toBeCloseTo(expected[i].value, 6));
    expect(bd.total).toBeCloseTo(data + sum(expected.map((e) => e.value)), 5);
  });

  test('evaluate includes the penalties (Keras) and does not depend on batchSize', () => {
    const m = build();
    const bd = m.lossBreakdown(tensor(X), tensor(T));
    for (const batchSize of [1, 2, 32]) {
      const r = m.evaluate(tensor(X), tensor(T), { batchSize });
      expect(r.loss).toBeCloseTo(bd.total, 5);
      expect(r.data_loss).toBeCloseTo(bd.data, 5);
    }
  });

  test('the kernel penalty gradient joins dL/dW: gradients(with) − gradients(without) = l1·sign(W) / 2·l2·b', () => {
    const m = build();
    const plain = sequential([layers.dense({ units: 2, inputShape: [3], activityRegularizer: regularizers.l1l2({ l1: 0.03, l2: 0.04 }) }), layers.dense({ units: 1 })]);
    plain.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
    plain.setWeights([tensor(W1), tensor(b1), tensor(W2), tensor(b2)]);
    const g = m.gradients(tensor(X), tensor(T)).grads;
    const g0 = plain.gradients(tensor(X), tensor(T)).grads;
    const dK1 = W1.flat().map((w) => 0.01 * Math.sign(w));
    const dB1 = b1.map((b) => 2 * 0.02 * b);
    const dK2 = W2.flat().map((w) => 0.05 * Math.sign(w) + 2 * 0.06 * w);
    const dB2 = b2.map((b) => 2 * 0.01 * b);
    [dK1, dB1, dK2, dB2].forEach((d, k) => d.forEach((v, i) => expect(g[k].data[i] - g0[k].data[i]).toBeCloseTo(v, 6)));
  });

  test('the activity gradient joins dL/dy before the layer backward: dW gets Xᵀ·(reg\'(h)/B), db gets Σ reg\'(h)/B', () => {
    const m = build();
    const noAct = sequential([
      layers.dense({ units: 2, inputShape: [3], kernelRegularizer: regularizers.l1({ l1: 0.01 }), biasRegularizer: regularizers.l2({ l2: 0.02 }) }),
      layers.dense({ units: 1, kernelRegularizer: regularizers.l1l2({ l1: 0.05, l2: 0.06 }), biasRegularizer: 'l2' }),
    ]);
    noAct.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
    noAct.setWeights([tensor(W1), tensor(b1), tensor(W2), tensor(b2)]);
    const g = m.gradients(tensor(X), tensor(T)).grads;
    const g0 = noAct.gradients(tensor(X), tensor(T)).grads;
    const dH = H.map((h) => h.map((v) => (0.03 * Math.sign(v) + 2 * 0.04 * v) / B)); // [B, 2]
    for (let i = 0; i < 3; i++) for (let j = 0; j < 2; j++) {
      expect(g[0].data[i * 2 + j] - g0[0].data[i * 2 + j]).toBeCloseTo(X[0][i] * dH[0][j] + X[1][i] * dH[1][j], 6);
    }
    for (let j = 0; j < 2; j++) expect(g[1].data[j] - g0[1].data[j]).toBeCloseTo(dH[0][j] + dH[1][j], 6);
    // The layer below the output is unaffected by the first layer's activity penalty.
    expect(Array.from(g[2].data)).toEqual(Array.from(g0[2].data));
  });

  test('gradients(x, y).loss is the same breakdown as lossBreakdown(x, y), terms in the same order', () => {
    const m = build();
    const a = m.lossBreakdown(tensor(X), tensor(T));
    const b = m.gradients(tensor(X), tensor(T)).loss;
    expect(b.penalties.map((p) => [p.layer, p.target])).toEqual(a.penalties.map((p) => [p.layer, p.target]));
    b.penalties.forEach((p, i) => expect(p.value).toBeCloseTo(a.penalties[i].value, 6));
    expect(b.total).toBeCloseTo(a.total, 6);
  });

  test('lossBreakdown in chunks (batchSize 3 over 10 samples) equals one batch: data mean, activity Σ/N', () => {
    const m = build();
    const r = new Random(4);
    const x = new Tensor(Float32Array.from({ length: 30 }, () => r.normal()), [10, 3]);
    const t = new Tensor(Float32Array.from({ length: 10 }, () => r.normal()), [10, 1]);
    const one = m.lossBreakdown(x, t, { batchSize: 10 });
    const chunked = m.lossBreakdown(x, t, { batchSize: 3 });
    expect(chunked.data).toBeCloseTo(one.data, 6);
    expect(chunked.total).toBeCloseTo(one.total, 6);
    chunked.penalties.forEach((p, i) => expect([p.layer, p.target, p.value]).toEqual([one.penalties[i].layer, one.penalties[i].target, expect.closeTo(one.penalties[i].value, 6)]));
    expect(() => m.lossBreakdown(x, t, { batchSize: 0 })).toThrow(/lossBreakdown: batchSize must be a positive integer/);
  });

  test('a non-trainable weight is not penalised (no term, no gradient added)', () => {
    const m = build();
    m.layers[0].weights[0].trainable = false;
    const bd = m.lossBreakdown(tensor(X), tensor(T));
    expect(bd.penalties.filter((p) => p.layer === 'h').map((p) => p.target)).toEqual(['bias', 'activity']);
  });
});

describe('weight sharing: one layer applied at two nodes', () => {
  test('its kernel and bias are penalised once, its activity at each node (two terms), getWeights lists it once', () => {
    const x = input({ shape: [2] });
    const shared = layers.dense({
      units: 2, name: 'shared', kernelRegularizer: regularizers.l2({ l2: 0.1 }), biasRegularizer: regularizers.l1({ l1: 0.2 }),
      activityRegularizer: regularizers.l1({ l1: 0.3 }),
    });
    const h1 = shared.apply(x);
    const h2 = shared.apply(h1);
    const m = model({ inputs: x, outputs: h2 });
    m.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
    const W = [[1, -2], [0.5, 1]], b = [0.25, -0.5];
    m.setWeights([tensor(W), tensor(b)]);
    expect(m.getWeights()).toHaveLength(2);
    const X = [[1, 1], [2, -1], [0, 3]];
    const f = (v: number[]) => [0, 1].map((j) => v[0] * W[0][j] + v[1] * W[1][j] + b[j]);
    const H1 = X.map(f), H2 = H1.map(f);
    const bd = m.lossBreakdown(tensor(X), tensor(H2)); // targets = outputs: data 0
    expect(bd.penalties).toEqual([
      { layer: 'shared', target: 'kernel', value: expect.closeTo(0.1 * sum(sq(W.flat())), 6) },
      { layer: 'shared', target: 'bias', value: expect.closeTo(0.2 * sum(abs(b)), 6) },
      { layer: 'shared', target: 'activity', value: expect.closeTo((0.3 * sum(abs(H1.flat()))) / 3, 5) },
      { layer: 'shared', target: 'activity', value: expect.closeTo((0.3 * sum(abs(H2.flat()))) / 3, 5) },
    ]);
    // The kernel penalty gradient is added once: with data loss 0 and no activity terms, grad = 2·0.1·W.
    const plain = layers.dense({ units: 2, kernelRegularizer: regularizers.l2({ l2: 0.1 }) });
    const m2 = model({ inputs: x, outputs: plain.apply(plain.apply(x)) });
    m2.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
    m2.setWeights([tensor(W), tensor(b)]);
    const g = m2.gradients(tensor(X), tensor(H2)).grads;
    W.flat().forEach((w, i) => expect(g[0].data[i]).toBeCloseTo(2 * 0.1 * w, 6));
  });
});

describe('penalties.ts building blocks', () => {
  const layer = () => {
    const l = layers.dense({ units: 2, kernelRegularizer: regularizers.l2({ l2: 0.5 }), activityRegularizer: regularizers.l1({ l1: 0.25 }) });
    l.build([[2]]);
    l.setWeights([tensor([[1, -2], [3, 4]]), tensor([0, 0])]);
    return l;
  };

  test('weightPenalties sums and records kernel 0.5·Σw²', () => {
    const terms: PenaltyTerm[] = [];
    const l = layer();
    expect(weightPenalties([l], terms)).toBeCloseTo(0.5 * (1 + 4 + 9 + 16), 10);
    expect(terms).toEqual([{ layer: l.name, target: 'kernel', value: 15 }]);
  });

  test('activityPenalty divides by the batch: 0.25·Σ|y| / B with B = 2', () => {
    const y = tensor([[1, -2], [3, -4]]);
    expect(activityPenalty(layer(), y)).toBeCloseTo((0.25 * (1 + 2 + 3 + 4)) / 2, 10);
  });

  test('addActivityGradient returns dy + 0.25·sign(y)/B and never writes into dy', () => {
    const y = tensor([[1, -2], [0, -4]]);
    const dy = tensor([[10, 10], [10, 10]]);
    const out = addActivityGradient(layer(), y, dy);
    expect(Array.from(out.data)).toEqual([10 + 0.125, 10 - 0.125, 10 + 0, 10 - 0.125]);
    expect(Array.from(dy.data)).toEqual([10, 10, 10, 10]);
    const plain = layers.dense({ units: 2 });
    expect(addActivityGradient(plain, y, dy)).toBe(dy);
  });

  test('addWeightPenaltyGradients adds 2·0.5·W into grad (after whatever the layer put there)', () => {
    const l = layer();
    l.weights[0].grad.set([1, 1, 1, 1]);
    addWeightPenaltyGradients(l);
    expect(Array.from(l.weights[0].grad)).toEqual([1 + 1, 1 - 2, 1 + 3, 1 + 4]);
    expect(Array.from(l.weights[1].grad)).toEqual([0, 0]);
  });

  test('custom regularizer objects are called with the weight tensor', () => {
    const seen: Tensor[] = [];
    const custom = { penalty: (x: Tensor) => { seen.push(x); return 7; }, gradient: (x: Tensor) => x, getConfig: () => ({ className: 'C', config: {} }) };
    const m = sequential([layers.dense({ units: 1, inputShape: [2], kernelRegularizer: custom })]);
    m.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
    const bd = m.lossBreakdown(tensor([[1, 2]]), tensor([[0]]));
    expect(bd.penalties[0].value).toBe(7);
    expect(seen[0].shape).toEqual([2, 1]);
  });
});
