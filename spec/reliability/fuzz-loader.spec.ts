/**
 * The model loader under generated bad input, at the level of the JSON structure (spec/io/ also
 * flips bytes of a real file): modelFromJSON and loadLayersModel on a real topology with one
 * field somewhere in the tree replaced by a bad value, on bad handlers and bad arguments.
 * Every case is a typed error naming the loader, or a model whose predictions are finite — never a
 * crash, a hang or a silent NaN.
 */
import fc from 'fast-check';
import { Model, Tensor, io, layers, loadLayersModel, modelFromJSON, registerRegularizer, sequential } from '../../lib';
import { FC_SEED, Tally, badValue, finite, show, typedOutcome, typedOutcomeAsync } from './fuzz-helpers';

const tally = new Tally();
afterAll(() => console.log(tally.report('fuzz-loader: generated cases')));

function source(): Model {
  const m = sequential([
    layers.conv1d({ filters: 2, kernelSize: 3, padding: 'same', activation: 'relu', inputShape: [6, 2], seed: 1, kernelRegularizer: 'l2', activityRegularizer: 'l1' }),
    layers.flatten(),
    layers.dropout({ rate: 0.1, seed: 2 }),
    layers.dense({ units: 3, activation: 'softmax', seed: 3, biasRegularizer: 'l1l2' }),
  ]);
  m.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy' });
  return m;
}
const X = new Tensor(new Float32Array(2 * 12).map((_, i) => Math.sin(i)), [2, 6, 2]);

/** Every path (as keys) to a value inside `v`, objects and arrays alike. */
function paths(v: unknown, prefix: (string | number)[] = [], out: (string | number)[][] = []): (string | number)[][] {
  if (v !== null && typeof v === 'object') {
    for (const [k, c] of Object.entries(v)) {
      const p = [...prefix, Array.isArray(v) ? Number(k) : k];
      out.push(p);
      paths(c, p, out);
    }
  }
  return out;
}
function setPath(root: unknown, p: (string | number)[], value: unknown, remove: boolean): unknown {
  const copy = JSON.parse(JSON.stringify(root));
  let o = copy;
  for (const k of p.slice(0, -1)) o = o[k];
  if (remove && !Array.isArray(o)) delete o[p[p.length - 1]];
  else o[p[p.length - 1]] = value;
  return copy;
}
const jsonBad = fc.constantFrom<unknown>(null, -1, 0, 1.5, 1e9, '', 'Dense', 'relu6', 'nope', true, [], [null], [-3], {}, { class_name: 'Nope', config: {} }, 'NaN');

describe('modelFromJSON and loadLayersModel on mutated topologies', () => {
  const m = source();
  const json = JSON.parse(m.toJSON() as unknown as string);
  const all = paths(json);

  test('modelFromJSON: 400 single-field mutations anywhere in the topology', () => {
    let models = 0;
    fc.assert(fc.property(fc.integer({ min: 0, max: all.length - 1 }), jsonBad, fc.boolean(), (i, v, remove) => {
      const mutated = setPath(json, all[i], v, remove);
      const o = typedOutcome('modelFromJSON', () => modelFromJSON(mutated as object), () => `${all[i].join('.')} = ${show([v])}${remove ? ' (removed)' : ''}`);
      tally.add('modelFromJSON × mutated topology', o);
      if (!o.ok) return;
      const got = o.value as Model;
      const p = typedOutcome('predict', () => got.predict(X), () => all[i].join('.'));
      if (p.ok && !finite(p.value as Tensor)) throw new Error(`modelFromJSON with ${all[i].join('.')} = ${show([v])} predicts NaN`);
      models++;
    }), { numRuns: 400, seed: FC_SEED });
    expect(models).toBeGreaterThan(10);
  });

  test('loadLayersModel: mutated weight manifests and bad handlers', async () => {
    let artifacts: Record<string, unknown> = {};
    await m.save(io.withSaveHandler((a) => { artifacts = a as unknown as Record<string, unknown>; return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } } as never; }));
    const specs = artifacts.weightSpecs as unknown[];
    const specPaths = paths(specs);
    await fc.assert(fc.asyncProperty(fc.integer({ min: 0, max: specPaths.length - 1 }), jsonBad, fc.constantFrom('spec', 'handler', 'arg'), async (i, v, where) => {
      const handler = where === 'spec' ? io.fromMemory({ ...artifacts, weightSpecs: setPath(specs, specPaths[i], v, false) })
        : where === 'handler' ? { load: () => v } : v;
      const o = await typedOutcomeAsync('loadLayersModel', () => loadLayersModel(handler as never), () => `${where} ${specPaths[i].join('.')} = ${show([v])}`, 10000);
      tally.add('loadLayersModel × mutated manifest / handler', o);
      if (o.ok && !finite((o.value as Model).predict(X))) throw new Error(`loadLayersModel accepted ${where} ${show([v])} and predicts NaN`);
    }), { numRuns: 300, seed: FC_SEED });
  });

  test('registerRegularizer and save with bad arguments', async () => {
    fc.assert(fc.property(badValue(), badValue(), (a, b) => {
      tally.add('registerRegularizer', typedOutcome('registerRegularizer', () => registerRegularizer(a as string, b as never), () => show([a, b])));
    }), { numRuns: 200, seed: FC_SEED });
    await fc.assert(fc.asyncProperty(badValue(), async (h) => {
      tally.add('model.save', await typedOutcomeAsync('save', () => source().save(h as never), () => show([h]), 10000));
    }), { numRuns: 200, seed: FC_SEED });
  });
});
