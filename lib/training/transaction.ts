/**
 * All-or-nothing fit(): a snapshot of everything a training run changes, restored when the run
 * fails (a callback or a user regularizer throws, invalid labels in a later batch, a weight turns
 * NaN, …). What is saved:
 *
 *   - every weight's values (trainable and not: batch-norm moving statistics included);
 *   - the optimizer's `iterations` and its per-weight slots (momenta, Adam moments), when the
 *     optimizer exposes saveState()/restoreState() (every built-in one does);
 *   - the state of every layer's random generator (dropout and noise masks), so a retried fit
 *     draws exactly what the failed one would have.
 *
 * This differs from Keras on purpose: Keras keeps the steps that ran before an exception. Here a
 * failed fit() leaves the model bit-identical to before the call, so a caller can fix the cause and
 * retry without a half-trained model. Stopping on purpose (`model.stopTraining = true`,
 * earlyStopping, terminateOnNaN) is not a failure: those steps are kept, as in Keras.
 */
import { Random } from '../random';
import type { Layer, LayerWeight } from '../layers/layer';
import type { Optimizer, OptimizerState } from './optimizers';

interface Restorable { saveState(): OptimizerState; restoreState(s: OptimizerState): void }

function restorable(o: Optimizer): o is Optimizer & Restorable {
  const r = o as Partial<Restorable>;
  return typeof r.saveState === 'function' && typeof r.restoreState === 'function';
}

/** Every Random held directly by a layer (its own fields). */
function generators(layer: Layer): Random[] {
  return Object.values(layer as unknown as Record<string, unknown>).filter((v): v is Random => v instanceof Random);
}

/** Takes the snapshot; call the returned function to put everything back. */
export function snapshot(weights: readonly LayerWeight[], optimizer: Optimizer, layers: readonly Layer[]): () => void {
  const values = weights.map((w) => w.value.data.slice());
  const iterations = optimizer.iterations;
  const opt = restorable(optimizer) ? optimizer.saveState() : null;
  const rngs = layers.flatMap(generators).map((g) => ({ g, s: g.getState() }));
  return () => {
    weights.forEach((w, i) => w.value.data.set(values[i]));
    if (opt && restorable(optimizer)) optimizer.restoreState(opt);
    else optimizer.iterations = iterations;
    for (const { g, s } of rngs) g.setState(s);
  };
}
