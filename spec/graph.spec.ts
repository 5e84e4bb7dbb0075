/**
 * The graph (lib/graph/graph.ts, lib/graph/model.ts): sequential and functional construction,
 * topological order, shape inference with errors naming the layer, forward against naive loops,
 * fan-out gradient accumulation, weight sharing, getWeights/setWeights, summary().
 */
import {
  ConfigError, Random, ShapeError, Tensor, input, layers, model, regularizers, sequential, tensor,
} from '../lib/index';
import { Graph } from '../lib/graph/graph';

function randn(shape: number[], seed: number): Tensor {
  const r = new Random(seed);
  return new Tensor(Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => r.normal()), shape);
}

/** Naive dense: x [B, I] · W [I, U] + b. */
function denseRef(x: number[][], W: number[][], b: number[], act: (v: number) => number = (v) => v): number[][] {
  return x.map((row) => b.map((bj, j) => act(row.reduce((s, xi, i) => s + xi * W[i][j], bj))));
}

describe('sequential', () => {
  test('built at once from the first layer\'s inputShape, with output shapes per layer', () => {
    const m = sequential([
      layers.conv2d({ filters: 4, kernelSize: 3, inputShape: [8, 8, 1] }),
      layers.maxPooling2d({ poolSize: 2 }),
      layers.flatten(),
      layers.dense({ units: 5 }),
    ]);
    expect(m.built).toBe(true);
    expect(m.graph!.slotShapes).toEqual([[8, 8, 1], [6, 6, 4], [3, 3, 4], [36], [5]]);
    expect(m.countParams()).toBe(3 * 3 * 1 * 4 + 4 + 36 * 5 + 5);
  });

  test('deferred build on first data: predict builds from x.shape without the batch', () => {
    const m = sequential([layers.dense({ units: 3, seed: 1 }), layers.dense({ units: 2, seed: 2 })]);
    expect(m.built).toBe(false);
    expect(m.getWeights()).toEqual([]);
    const y = m.predict(randn([4, 7], 1));
    expect(y.shape).toEqual([4, 2]);
    expect(m.getWeights().map((w) => w.shape)).toEqual([[7, 3], [3], [3, 2], [2]]);
  });

  test('add() appends to a sequential model, built or not', () => {
    const m = sequential([layers.dense({ units: 3, inputShape: [2] })]);
    m.add(layers.dense({ units: 1 }));
    expect(m.predict(randn([2, 2], 1)).shape).toEqual([2, 1]);
    const d = sequential();
    d.add(layers.dense({ units: 4, inputShape: [3] }));
    expect(d.built).toBe(true);
  });

  test('forward of dense(relu) → dense(linear) equals naive loops', () => {
    const W1 = [[0.5, -1, 0.2], [1.5, 0.3, -0.7]], b1 = [0.1, 0, -0.2];
    const W2 = [[1], [-2], [0.5]], b2 = [0.05];
    const m = sequential([layers.dense({ units: 3, inputShape: [2], activation: 'relu' }), layers.dense({ units: 1 })]);
    m.setWeights([tensor(W1), tensor(b1), tensor(W2), tensor(b2)]);
    const x = [[1, 2], [-1, 0.5], [0.3, -0.2]];
    const ref = denseRef(denseRef(x, W1, b1, (v) => Math.max(v, 0)), W2, b2);
    const got = m.predict(tensor(x)).toArray() as number[][];
    got.forEach((r, i) => expect(r[0]).toBeCloseTo(ref[i][0], 5));
  });

  test('throws when a layer cannot take the previous output, naming that layer', () => {
    expect(() => sequential([layers.dense({ units: 4, inputShape: [3] }), layers.conv2d({ filters: 2, kernelSize: 2, name: 'bad_conv' })]))
      .toThrow(/bad_conv/);
    expect(() => sequential([layers.dense({ units: 4, inputShape: [3] }), layers.conv2d({ filters: 2, kernelSize: 2, name: 'bad_conv2' })]))
      .toThrow(ShapeError);
  });

  test('throws when the layers array holds a non-layer', () => {
    expect(() => sequential([{} as never])).toThrow(/sequential: layers\[0\] must be a Layer/);
  });
});

describe('functional graphs', () => {
  test('topological order with fan-out and a merge; each layer listed once in getWeights order', () => {
    const x = input({ shape: [4] });
    const d1 = layers.dense({ units: 3, name: 'd1' });
    const d2 = layers.dense({ units: 2, name: 'd2' });
    const d3 = layers.dense({ units: 2, name: 'd3' });
    const h = d1.apply(x);
    const a = d2.apply(h);
    const b = d3.apply(h);
    const out = layers.add({ name: 'sum' }).apply([b, a]);
    const m = model({ inputs: x, outputs: out });
    expect(m.layers.map((l) => l.name)).toEqual(['d1', 'd3', 'd2', 'sum']);
    expect(m.getWeights().map((w) => w.shape)).toEqual([[4, 3], [3], [3, 2], [2], [3, 2], [2]]);
  });

  test('fan-out: the gradient reaching a tensor read twice is the sum — add(h, h) doubles the first layer\'s gradient', () => {
    const x = input({ shape: [2] });
    const d = layers.dense({ units: 2 });
    const h = d.apply(x);
    const twice = model({ inputs: x, outputs: layers.add().apply([h, h]) });
    const once = model({ inputs: x, outputs: h });
    twice.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
    once.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
    d.setWeights([tensor([[1, 2], [3, -1]]), tensor([0.5, -0.5])]);
    const xs = tensor([[1, -1], [0.5, 2]]);
    // twice computes 2h; with targets 2t its loss is 4·MSE(h, t) and its gradient 4× once's.
    const t = tensor([[0, 1], [1, 0]]);
    const g2 = twice.gradients(xs, new Tensor(t.data.map((v) => 2 * v), t.shape)).grads;
    const g1 = once.gradients(xs, t).grads;
    g1.forEach((g, k) => g.data.forEach((v, i) => expect(g2[k].data[i]).toBeCloseTo(4 * v, 5)));
  });

  test('a shared layer (two nodes) keeps one set of weights and accumulates both nodes\' gradients', () => {
    const x = input({ shape: [2] });
    const s = layers.dense({ units: 2, name: 'shared' });
    const m = model({ inputs: x, outputs: s.apply(s.apply(x)) });
    m.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
    expect(m.layers.map((l) => l.name)).toEqual(['shared']);
    expect(m.graph!.nodes).toHaveLength(2);
    const W = [[1, 0.5], [-0.5, 2]], b = [0.1, 0.2];
    m.setWeights([tensor(W), tensor(b)]);
    // y = (xW + b)W + b: d/dW of Σ y with MSE target 0 … compare to finite differences.
    const xs = tensor([[1, 2]]), t = tensor([[0, 0]]);
    const g = m.gradients(xs, t).grads[0];
    const base = m.getWeights();
    const h = 1e-3;
    for (let i = 0; i < 4; i++) {
      const p = base.map((w) => w.clone()), q = base.map((w) => w.clone());
      p[0].data[i] += h; q[0].data[i] -= h;
      m.setWeights(p); const lp = m.lossBreakdown(xs, t).total;
      m.setWeights(q); const lq = m.lossBreakdown(xs, t).total;
      expect(g.data[i]).toBeCloseTo((lp - lq) / (p[0].data[i] - q[0].data[i]), 2);
    }
  });

  test('two inputs: predict takes an array of tensors in inputs order', () => {
    const a = input({ shape: [2] }), b = input({ shape: [1] });
    const m = model({ inputs: [a, b], outputs: layers.concatenate().apply([a, b]) });
    expect(m.predict([tensor([[1, 2]]), tensor([[3]])]).toArray()).toEqual([[1, 2, 3]]);
    expect(() => m.predict(tensor([[1, 2]]))).toThrow(/predict: model has 2 input\(s\), got 1 tensor/);
  });

  test('throws when the output depends on an input that is not in inputs', () => {
    const a = input({ shape: [2], name: 'a' }), b = input({ shape: [2], name: 'b' });
    const out = layers.add().apply([a, b]);
    expect(() => model({ inputs: a, outputs: out })).toThrow(/model: output depends on input b, which is not in inputs \[a\]/);
  });

  test('several outputs build; two outputs of one shared layer throw', () => {
    const a = input({ shape: [2] });
    // Several outputs are supported (spec/multi-output.spec.ts); two outputs of one layer cannot be told apart.
    expect(model({ inputs: a, outputs: [layers.dense({ units: 1 }).apply(a), layers.dense({ units: 1 }).apply(a)] }).outputCount).toBe(2);
    const shared = layers.dense({ units: 1 });
    expect(() => model({ inputs: a, outputs: [shared.apply(a), shared.apply(a)] })).toThrow(/two outputs are named/);
    expect(model({ inputs: [a], outputs: [layers.dense({ units: 1 }).apply(a)] }).predict(tensor([[1, 2]])).shape).toEqual([1, 1]);
  });

  test('throws when a merge gets mismatched shapes, naming the merge layer', () => {
    const a = input({ shape: [2] }), b = input({ shape: [3] });
    expect(() => layers.add({ name: 'merge_here' }).apply([a, b])).toThrow(/merge_here/);
  });

  test('throws when input shape is not positive integers', () => {
    expect(() => input({ shape: [0, 2] })).toThrow(ConfigError);
    expect(() => input({ shape: [2.5] })).toThrow(/input: shape must be an array of positive integers/);
  });

  test('throws when a Graph input is itself a layer output', () => {
    const a = input({ shape: [2] });
    const h = layers.dense({ units: 2 }).apply(a);
    expect(() => new Graph([h], h)).toThrow(/inputs must come from input\(\)/);
  });
});

describe('getLayer', () => {
  test('finds a layer by name; throws when there is none, listing the names', () => {
    const m = sequential([layers.dense({ units: 2, inputShape: [3], name: 'first' }), layers.dense({ units: 1, name: 'second' })]);
    expect(m.getLayer('second')).toBe(m.layers[1]);
    expect(() => m.getLayer('third')).toThrow(/no layer named "third" \(layers: first, second\)/);
  });
});

describe('getWeights / setWeights', () => {
  const make = () => sequential([layers.dense({ units: 2, inputShape: [3], seed: 1 }), layers.dense({ units: 1, seed: 2 })]);

  test('getWeights returns copies in layer order, kernel then bias', () => {
    const m = make();
    const ws = m.getWeights();
    expect(ws.map((w) => w.shape)).toEqual([[3, 2], [2], [2, 1], [1]]);
    ws[0].data[0] = 1234;
    expect(m.getWeights()[0].data[0]).not.toBe(1234);
  });

  test('throws when one shape is wrong, and nothing is applied (checked before any write)', () => {
    const m = make();
    const before = m.getWeights();
    const ws = [tensor([[1, 1], [1, 1], [1, 1]]), tensor([1, 1]), tensor([[1], [1]]), tensor([1, 2])];
    expect(() => m.setWeights(ws)).toThrow(/setWeights\[3\] \(dense_\d+\/bias\) must have shape \[1\], got \[2\]/);
    m.getWeights().forEach((w, i) => expect(Array.from(w.data)).toEqual(Array.from(before[i].data)));
    expect(() => m.setWeights(ws.slice(0, 3))).toThrow(/setWeights expects 4 tensors, got 3/);
  });
});

describe('summary', () => {
  test('lists layers, output shapes, parameter counts, regularizers and totals (sequential)', () => {
    const m = sequential([
      layers.conv2d({ filters: 8, kernelSize: 3, inputShape: [10, 10, 1], name: 'c1', kernelRegularizer: regularizers.l2({ l2: 0.001 }) }),
      layers.flatten({ name: 'f' }),
      layers.dense({ units: 4, name: 'out', biasRegularizer: 'l1', activityRegularizer: regularizers.l1l2({ l1: 0.01, l2: 0.02 }) }),
    ], { name: 'net' });
    m.compile({ optimizer: 'adam', loss: 'meanSquaredError' });
    const s = m.summary();
    const lines = s.split('\n');
    expect(lines[0]).toBe('Model: "net"');
    expect(s).toMatch(/c1 \(Conv2D\) +\[null,8,8,8\] +80 +kernel: L2\(l2=0\.001\)/);
    expect(s).toMatch(/f \(Flatten\) +\[null,512\] +0\n/);
    expect(s).toMatch(/out \(Dense\) +\[null,4\] +2,052 +bias: L1\(l1=0\.01\), activity: L1L2\(l1=0\.01, l2=0\.02\)/);
    expect(s).toContain(`Total params: ${(80 + 512 * 4 + 4).toLocaleString('en-US')}`);
    expect(s).toContain('Trainable params: 2,132');
    expect(s).toContain('Non-trainable params: 0');
    expect(s).toContain('Optimizer: Adam  Loss: meanSquaredError');
  });

  test('functional: input rows, Connected to, a shared layer marked (shared)', () => {
    const x = input({ shape: [3], name: 'x' });
    const s = layers.dense({ units: 3, name: 'sh' });
    const m = model({ inputs: x, outputs: s.apply(s.apply(x)), name: 'fn' });
    const text = m.summary();
    expect(text).toMatch(/x \(InputLayer\) +\[null,3\] +0/);
    expect(text).toMatch(/sh \(Dense\) +\[null,3\] +12 +x\n/);
    expect(text).toMatch(/sh \(Dense\) +\[null,3\] +\(shared\) +sh/);
    expect(text).toContain('Connected to');
  });

  test('an unbuilt sequential model says so', () => {
    expect(sequential([layers.dense({ units: 2, name: 'lazy' })]).summary()).toMatch(/lazy \(Dense\) +\? \(not built\)/);
  });
});
