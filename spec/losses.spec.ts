/**
 * Losses (lib/training/losses.ts) and metrics: values from the definitions (written as
 * arithmetic), gradients against central finite differences (float64 arithmetic on float32 data),
 * clipping, fromLogits, sparse ids, errors.
 */
import { ConfigError, Random, ShapeError, Tensor, ValueError, losses, tensor } from '../lib/index';
import { getMetric } from '../lib/training/metrics';

const EPS = 1e-7;
const clip = (p: number) => Math.min(Math.max(p, EPS), 1 - EPS);

/** Central differences of loss.compute w.r.t. every element of yPred (on a float64 copy via a float32 tensor). */
function numericGrad(loss: losses.Loss, t: Tensor, p: Tensor, h = 1e-3): number[] {
  const out: number[] = [];
  for (let i = 0; i < p.size; i++) {
    const a = p.clone(), b = p.clone();
    a.data[i] += h; b.data[i] -= h;
    out.push((loss.compute(t, a) - loss.compute(t, b)) / (a.data[i] - b.data[i]));
  }
  return out;
}

function expectGradClose(loss: losses.Loss, t: Tensor, p: Tensor, tol = 2e-3): void {
  const { grad } = loss.valueAndGradient(t, p);
  const num = numericGrad(loss, t, p);
  num.forEach((n, i) => {
    const a = grad.data[i];
    expect({ i, rel: Math.abs(a - n) / Math.max(1, Math.abs(a), Math.abs(n)) < tol, a, n }).toEqual({ i, rel: true, a, n });
  });
}

function uniform(shape: number[], seed: number, lo: number, hi: number): Tensor {
  const r = new Random(seed);
  const n = shape.reduce((a, b) => a * b, 1);
  return new Tensor(Float32Array.from({ length: n }, () => lo + (hi - lo) * r.uniform()), shape);
}

/** Rows of probabilities summing to 1. */
function probs(rows: number, C: number, seed: number): Tensor {
  const u = uniform([rows, C], seed, 0.1, 1);
  for (let r = 0; r < rows; r++) {
    let s = 0;
    for (let c = 0; c < C; c++) s += u.data[r * C + c];
    for (let c = 0; c < C; c++) u.data[r * C + c] /= s;
  }
  return u;
}

describe('meanSquaredError / meanAbsoluteError', () => {
  const t = tensor([[1, 2], [3, 4]]);
  const p = tensor([[1.5, 1], [2, 6]]);
  test('MSE = mean (p − t)² over all 4 elements', () => {
    expect(losses.meanSquaredError().compute(t, p)).toBeCloseTo((0.5 ** 2 + 1 ** 2 + 1 ** 2 + 2 ** 2) / 4, 6);
  });
  test('MAE = mean |p − t|', () => {
    expect(losses.meanAbsoluteError().compute(t, p)).toBeCloseTo((0.5 + 1 + 1 + 2) / 4, 6);
  });
  test('MSE gradient 2(p − t)/N, MAE gradient sign(p − t)/N', () => {
    expect(Array.from(losses.meanSquaredError().valueAndGradient(t, p).grad.data)).toEqual([2 * 0.5 / 4, 2 * -1 / 4, 2 * -1 / 4, 2 * 2 / 4]);
    expect(Array.from(losses.meanAbsoluteError().valueAndGradient(t, p).grad.data)).toEqual([1 / 4, -1 / 4, -1 / 4, 1 / 4]);
  });
  test('MSE gradient vs finite differences, shape [3,2,2]', () => {
    expectGradClose(losses.meanSquaredError(), uniform([3, 2, 2], 1, -1, 1), uniform([3, 2, 2], 2, -1, 1));
  });
  test('targets of shape [batch] for predictions [batch, 1]', () => {
    expect(losses.meanSquaredError().compute(tensor([1, 2]), tensor([[2], [4]]))).toBeCloseTo((1 + 4) / 2, 6);
  });
  test('throws when target and prediction shapes differ', () => {
    expect(() => losses.meanSquaredError().compute(tensor([[1, 2]]), tensor([[1, 2, 3]]))).toThrow(ShapeError);
    expect(() => losses.meanSquaredError().compute(tensor([[1, 2]]), tensor([[1, 2, 3]]))).toThrow(/meanSquaredError: targets must have the shape of the predictions \[1,3\], got \[1,2\]/);
  });
});

describe('binaryCrossentropy', () => {
  test('value = mean −[t log p + (1−t) log(1−p)] over all elements', () => {
    const t = tensor([[1, 0], [0, 1]]);
    const p = tensor([[0.9, 0.2], [0.3, 0.6]]);
    const f32 = (v: number) => Math.fround(v);
    const expected = -(Math.log(f32(0.9)) + Math.log(1 - f32(0.2)) + Math.log(1 - f32(0.3)) + Math.log(f32(0.6))) / 4;
    expect(losses.binaryCrossentropy().compute(t, p)).toBeCloseTo(expected, 7);
  });
  test('probabilities clipped to [1e-7, 1 − 1e-7]: p = 0 with t = 1 costs −log(1e-7), gradient 0 there', () => {
    const t = tensor([[1], [0]]);
    const p = tensor([[0], [1]]);
    const { value, grad } = losses.binaryCrossentropy().valueAndGradient(t, p);
    expect(value).toBeCloseTo((-Math.log(EPS) - Math.log(1 - clip(1))) / 2, 5);
    expect(Array.from(grad.data)).toEqual([0, 0]);
  });
  test('gradient vs finite differences, soft targets, [4,3]', () => {
    expectGradClose(losses.binaryCrossentropy(), uniform([4, 3], 3, 0, 1), uniform([4, 3], 4, 0.05, 0.95));
  });
  test('fromLogits equals the probability form on sigmoid(z) and its gradient is (σ(z) − t)/N', () => {
    const z = tensor([[2, -1], [0.5, -3]]);
    const t = tensor([[1, 0], [1, 1]]);
    const sig = new Tensor(z.data.map((v) => 1 / (1 + Math.exp(-v))), z.shape);
    expect(losses.binaryCrossentropy({ fromLogits: true }).compute(t, z)).toBeCloseTo(losses.binaryCrossentropy().compute(t, sig), 6);
    const g = losses.binaryCrossentropy({ fromLogits: true }).valueAndGradient(t, z).grad;
    Array.from(z.data).forEach((v, i) => expect(g.data[i]).toBeCloseTo((1 / (1 + Math.exp(-v)) - t.data[i]) / 4, 7));
    expectGradClose(losses.binaryCrossentropy({ fromLogits: true }), t, z);
  });
  test('fromLogits is stable at z = ±100: loss 100 for the wrong label, 0 for the right one, finite', () => {
    const l = losses.binaryCrossentropy({ fromLogits: true });
    expect(l.compute(tensor([[0]]), tensor([[100]]))).toBeCloseTo(100, 6);
    expect(l.compute(tensor([[1]]), tensor([[100]]))).toBeCloseTo(0, 12);
    expect(l.compute(tensor([[1]]), tensor([[-100]]))).toBeCloseTo(100, 6);
  });
});

describe('categoricalCrossentropy', () => {
  test('value = mean over samples of −Σ_c t_c log p_c', () => {
    const t = tensor([[0, 1, 0], [1, 0, 0]]);
    const p = tensor([[0.2, 0.7, 0.1], [0.5, 0.25, 0.25]]);
    expect(losses.categoricalCrossentropy().compute(t, p)).toBeCloseTo(-(Math.log(0.7) + Math.log(0.5)) / 2, 6);
  });
  test('predictions are rescaled to sum 1 first (Keras): [2, 6, 2] is [0.2, 0.6, 0.2]', () => {
    expect(losses.categoricalCrossentropy().compute(tensor([[0, 1, 0]]), tensor([[2, 6, 2]]))).toBeCloseTo(-Math.log(0.6), 6);
  });
  test('clipped: a zero probability on the true class costs −log(1e-7)', () => {
    expect(losses.categoricalCrossentropy().compute(tensor([[1, 0]]), tensor([[0, 1]]))).toBeCloseTo(-Math.log(EPS), 4);
  });
  test('gradient vs finite differences, soft targets, [3,4], unnormalised predictions', () => {
    expectGradClose(losses.categoricalCrossentropy(), probs(3, 4, 5), uniform([3, 4], 6, 0.1, 2));
  });
  test('fromLogits equals the probability form on softmax(z); gradient softmax(z) − t over N', () => {
    const z = tensor([[1, 2, 0.5], [-1, 0, 3]]);
    const t = tensor([[0, 1, 0], [0.2, 0.3, 0.5]]);
    const sm = new Tensor(new Float32Array(6), [2, 3]);
    for (let r = 0; r < 2; r++) {
      const e = [0, 1, 2].map((c) => Math.exp(z.data[r * 3 + c]));
      const s = e[0] + e[1] + e[2];
      e.forEach((v, c) => { sm.data[r * 3 + c] = v / s; });
    }
    expect(losses.categoricalCrossentropy({ fromLogits: true }).compute(t, z)).toBeCloseTo(losses.categoricalCrossentropy().compute(t, sm), 6);
    const g = losses.categoricalCrossentropy({ fromLogits: true }).valueAndGradient(t, z).grad;
    for (let i = 0; i < 6; i++) expect(g.data[i]).toBeCloseTo((sm.data[i] - t.data[i]) / 2, 6);
    expectGradClose(losses.categoricalCrossentropy({ fromLogits: true }), t, z);
  });
  test('fromLogits is stable at logits 1000 apart (finite, = the gap)', () => {
    expect(losses.categoricalCrossentropy({ fromLogits: true }).compute(tensor([[0, 1]]), tensor([[1000, 0]]))).toBeCloseTo(1000, 3);
  });
  test('throws when targets are not the predictions\' shape', () => {
    expect(() => losses.categoricalCrossentropy().compute(tensor([1, 0]), tensor([[0.5, 0.5], [0.5, 0.5]]))).toThrow(/categoricalCrossentropy: categorical targets must have the shape/);
  });
});

describe('sparseCategoricalCrossentropy', () => {
  const p = tensor([[0.2, 0.7, 0.1], [0.5, 0.25, 0.25], [0.1, 0.1, 0.8]]);
  test('ids [1, 0, 2] of shape [3] and [3, 1] give −(log 0.7 + log 0.5 + log 0.8)/3', () => {
    const expected = -(Math.log(0.7) + Math.log(0.5) + Math.log(0.8)) / 3;
    expect(losses.sparseCategoricalCrossentropy().compute(tensor([1, 0, 2]), p)).toBeCloseTo(expected, 6);
    expect(losses.sparseCategoricalCrossentropy().compute(tensor([[1], [0], [2]]), p)).toBeCloseTo(expected, 6);
  });
  test('value and gradient equal categorical on one-hot targets (probabilities and logits)', () => {
    const oneHot = tensor([[0, 1, 0], [1, 0, 0], [0, 0, 1]]);
    for (const fromLogits of [false, true]) {
      const a = losses.sparseCategoricalCrossentropy({ fromLogits }).valueAndGradient(tensor([1, 0, 2]), p);
      const b = losses.categoricalCrossentropy({ fromLogits }).valueAndGradient(oneHot, p);
      expect(a.value).toBeCloseTo(b.value, 7);
      expect(Array.from(a.grad.data)).toEqual(Array.from(b.grad.data));
    }
  });
  test('gradient vs finite differences', () => {
    expectGradClose(losses.sparseCategoricalCrossentropy(), tensor([3, 0]), uniform([2, 4], 7, 0.1, 1));
  });
  test('throws when an id is not an integer', () => {
    expect(() => losses.sparseCategoricalCrossentropy().compute(tensor([1.5, 0, 2]), p)).toThrow(ValueError);
    expect(() => losses.sparseCategoricalCrossentropy().compute(tensor([1.5, 0, 2]), p)).toThrow(/integer class ids in \[0, 2\], got 1.5 at index 0/);
  });
  test('throws when an id is out of range', () => {
    expect(() => losses.sparseCategoricalCrossentropy().compute(tensor([1, 3, 2]), p)).toThrow(/got 3 at index 1/);
    expect(() => losses.sparseCategoricalCrossentropy().compute(tensor([1, -1, 2]), p)).toThrow(/got -1 at index 1/);
  });
  test('throws when ids have the wrong shape', () => {
    expect(() => losses.sparseCategoricalCrossentropy().compute(tensor([[1, 0, 2]]), p)).toThrow(ShapeError);
  });
});

describe('losses.get identifiers', () => {
  test('names, snake_case aliases, { name, fromLogits } and Loss objects', () => {
    expect(losses.get('meanSquaredError').name).toBe('meanSquaredError');
    expect(losses.get('mse').name).toBe('meanSquaredError');
    expect(losses.get('sparse_categorical_crossentropy').name).toBe('sparseCategoricalCrossentropy');
    const l = losses.get({ name: 'binaryCrossentropy', fromLogits: true });
    expect([l.name, l.fromLogits]).toEqual(['binaryCrossentropy', true]);
    const own = losses.categoricalCrossentropy({ fromLogits: true });
    expect(losses.get(own)).toBe(own);
  });
  test('throws when the name is unknown', () => {
    expect(() => losses.get('hinge')).toThrow(ConfigError);
    expect(() => losses.get('hinge')).toThrow(/losses.get: loss must be one of/);
  });
  test('throws when fromLogits is asked of MSE', () => {
    expect(() => losses.get({ name: 'meanSquaredError', fromLogits: true })).toThrow(/fromLogits applies to the cross-entropies only/);
  });
});

describe('metrics', () => {
  test('accuracy is binary for binaryCrossentropy (p > 0.5), logits threshold 0', () => {
    const m = getMetric('accuracy', losses.binaryCrossentropy(), [1]);
    expect(m.batch(tensor([[1], [0], [1], [0]]), tensor([[0.7], [0.6], [0.4], [0.1]]))).toEqual({ sum: 2, count: 4 });
    const ml = getMetric('accuracy', losses.binaryCrossentropy({ fromLogits: true }), [1]);
    expect(ml.batch(tensor([[1], [0]]), tensor([[0.2], [-0.1]]))).toEqual({ sum: 2, count: 2 });
  });
  test('accuracy is categorical for categoricalCrossentropy and sparse for sparse ids', () => {
    const p = tensor([[0.1, 0.8, 0.1], [0.6, 0.3, 0.1]]);
    expect(getMetric('accuracy', losses.categoricalCrossentropy(), [3]).batch(tensor([[0, 1, 0], [0, 0, 1]]), p)).toEqual({ sum: 1, count: 2 });
    expect(getMetric('accuracy', losses.sparseCategoricalCrossentropy(), [3]).batch(tensor([1, 0]), p)).toEqual({ sum: 2, count: 2 });
  });
  test('accuracy with MSE is binary for one output unit and categorical for several (Keras)', () => {
    expect(getMetric('accuracy', losses.meanSquaredError(), [1]).batch(tensor([[1], [0]]), tensor([[0.9], [0.9]]))).toEqual({ sum: 1, count: 2 });
    expect(getMetric('accuracy', losses.meanSquaredError(), [2]).batch(tensor([[1, 0], [0, 1]]), tensor([[0.9, 0.2], [0.9, 0.2]]))).toEqual({ sum: 1, count: 2 });
  });
  test('mse and mae sums', () => {
    expect(getMetric('mse', losses.meanAbsoluteError(), [2]).batch(tensor([[1, 2]]), tensor([[2, 4]]))).toEqual({ sum: 1 + 4, count: 2 });
    expect(getMetric('mae', losses.meanSquaredError(), [2]).batch(tensor([[1, 2]]), tensor([[2, 4]]))).toEqual({ sum: 1 + 2, count: 2 });
  });
  test('throws when a metric is unknown', () => {
    expect(() => getMetric('f1', losses.meanSquaredError(), [1])).toThrow(/metrics entries must be 'accuracy', 'mse', 'mae'/);
  });
});
