/**
 * Every layer factory round-trips through the Keras config (io.serializeLayer → JSON text →
 * io.deserializeLayer) with every option it was given, and the rebuilt layer, given the same
 * weights, computes the same outputs. The option sets are those of the fuzz table
 * (spec/reliability/layer-table.ts), so a layer added there is checked here too.
 */
import { Tensor, io, layers } from '../../lib';
import { LAYERS } from '../reliability/layer-table';

function t(shape: number[], seed = 1): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  return new Tensor(new Float32Array(n).map((_, i) => Math.sin(seed * 3.1 + i * 0.7)), shape);
}
type AnyLayer = ReturnType<typeof layers.dense>;

test('the table covers every registered layer class', () => {
  const made = new Set(Object.values(LAYERS).map((c) => (c.make(c.options) as unknown as AnyLayer).className));
  expect(layers.registeredLayerClasses().filter((k) => !made.has(k))).toEqual([]);
});

describe.each(Object.keys(LAYERS))('%s', (name) => {
  test('config and outputs survive serialize → JSON → deserialize', () => {
    const c = LAYERS[name];
    const a = c.make(c.options) as unknown as AnyLayer;
    // embedding takes integer indices in [0, inputDim)
    const xs = c.inputs.map((s, i) => (name === 'embedding' ? new Tensor(new Float32Array(s[0] * s[1]).map((_, j) => j % 5), s) : t(s, i + 1)));
    a.forward(xs, false); // builds
    const text = JSON.stringify(io.serializeLayer(a));
    const b = io.deserializeLayer(JSON.parse(text)) as AnyLayer;
    expect(b.className).toBe(a.className);
    expect(b.name).toBe(a.name);
    expect(JSON.stringify(b.getConfig())).toBe(JSON.stringify(a.getConfig()));
    b.forward(xs, false);
    b.setWeights(a.getWeights());
    const ya = a.forward(xs, false).y, yb = b.forward(xs, false).y;
    expect(yb.shape).toEqual(ya.shape);
    expect(Array.from(yb.data)).toEqual(Array.from(ya.data));
  });
});
