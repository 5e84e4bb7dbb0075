/**
 * THE PENALTY HOOK — the one place where regularizers enter the loss and the gradients.
 *
 * For one step on a batch of B samples (DESIGN.md, "Where penalties enter"):
 *
 *   forward:   y_l = act(layer_l(x_l))                              for each node l of the graph
 *   loss:      total = dataLoss(y_out, target)                       (mean over the batch)
 *                    + Σ_l kernelReg_l.penalty(W_l)                  ← weightPenalties()
 *                    + Σ_l biasReg_l.penalty(b_l)                    ← weightPenalties()
 *                    + Σ_l activityReg_l.penalty(y_l) / B            ← activityPenalty()
 *   backward:  dL/dy_l += activityReg_l.gradient(y_l) / B             ← addActivityGradient(), BEFORE
 *                                                                      layer l's own backward
 *              dL/dW_l += kernelReg_l.gradient(W_l)                   ← addWeightPenaltyGradients(),
 *              dL/db_l += biasReg_l.gradient(b_l)                       AFTER it
 *
 * Rules (Keras):
 * - Only trainable weights are penalised, and each variable once, even when its layer is applied at
 *   several places in the graph (weight sharing). The graph calls addWeightPenaltyGradients once
 *   per layer, after the backward of the layer's last node to be back-propagated.
 * - The activity penalty is applied at EVERY node where the layer is applied (each output is a
 *   different tensor), always divided by the batch size B, so that its weight against the weight
 *   penalties does not change with B.
 * - Every term is recorded as { layer, target, value } for model.lossBreakdown().
 *
 * The graph (lib/graph/model.ts) calls these four functions and nothing else regularizer-related.
 * Every regularizer call goes through penaltyOf()/gradientOf() at the bottom, which turn a user
 * regularizer's misbehaviour (throwing, NaN, a wrong-shaped gradient) into a ValueError naming the
 * layer and the hook, instead of a silent NaN in the weights.
 */
import type { Layer, WeightTarget } from '../layers/layer';
import { Tensor } from '../tensor';
import type { Regularizer } from '../regularizers';
import { ValueError } from '../errors';

/** One penalty term of the loss breakdown. */
export interface PenaltyTerm {
  layer: string;
  /** 'kernel' | 'bias' | 'activity', or another weight hook ('recurrent', 'gamma', 'depthwise', … see WeightTarget). */
  target: WeightTarget | 'activity';
  value: number;
}

/** The loss split into its data part and each penalty term (API.md). */
export interface LossBreakdown {
  /** data + sum of penalties */
  total: number;
  /** the compiled loss, mean over the batch */
  data: number;
  penalties: PenaltyTerm[];
}

/**
 * Σ kernelReg.penalty(W) + Σ biasReg.penalty(b) over `layers` (each layer listed once), only for
 * trainable weights. Records each term in `terms` when given. Returns the sum.
 */
export function weightPenalties(layers: readonly Layer[], terms?: PenaltyTerm[]): number {
  let total = 0;
  for (const layer of layers) {
    for (const w of layer.weights) {
      if (w.regularizer === null || !w.trainable) continue;
      const value = penaltyOf(layer, w.target, w.regularizer, w.value);
      total += value;
      if (terms) terms.push({ layer: layer.name, target: w.target, value });
    }
  }
  return total;
}

/** activityReg.penalty(y) / B for one node's output `y` (batch = y.shape[0]); 0 without a regularizer. */
export function activityPenalty(layer: Layer, y: Tensor, terms?: PenaltyTerm[]): number {
  const reg = layer.activityRegularizer;
  if (reg === null) return 0;
  const value = penaltyOf(layer, 'activity', reg, y) / y.shape[0];
  if (terms) terms.push({ layer: layer.name, target: 'activity', value });
  return value;
}

/**
 * BEFORE the layer's backward: dL/dy + activityReg.gradient(y) / B. Returns a new tensor (the
 * incoming `dy` is never written: other nodes may hold it); returns `dy` itself without a regularizer.
 */
export function addActivityGradient(layer: Layer, y: Tensor, dy: Tensor): Tensor {
  const reg = layer.activityRegularizer;
  if (reg === null) return dy;
  const g = gradientOf(layer, 'activity', reg, y);
  const invB = 1 / y.shape[0];
  const out = new Float32Array(dy.size);
  const d = dy.data;
  for (let i = 0; i < out.length; i++) out[i] = d[i] + g[i] * invB;
  return new Tensor(out, dy.shape);
}

/** AFTER the layer's backward: grad(W) += kernelReg.gradient(W), grad(b) += biasReg.gradient(b). */
export function addWeightPenaltyGradients(layer: Layer): void {
  for (const w of layer.weights) {
    if (w.regularizer === null || !w.trainable) continue;
    const g = gradientOf(layer, w.target, w.regularizer, w.value);
    const grad = w.grad;
    for (let i = 0; i < grad.length; i++) grad[i] += g[i];
  }
}

// ---- guards around the user-replaceable part ----

function hook(layer: Layer, target: string, reg: Regularizer): string {
  const cls = typeof reg.getConfig === 'function' ? safeClass(reg) : (reg.constructor?.name || 'custom');
  return `${layer.name}: ${target}Regularizer (${cls})`;
}

function safeClass(reg: Regularizer): string {
  try { return reg.getConfig().className; } catch { return 'custom'; }
}

function allFinite(d: Float32Array): boolean {
  for (let i = 0; i < d.length; i++) if (d[i] - d[i] !== 0) return false;
  return true;
}

/** reg.penalty(x), checked: a number, and not NaN when x is finite. */
function penaltyOf(layer: Layer, target: string, reg: Regularizer, x: Tensor): number {
  let v: unknown;
  try {
    v = reg.penalty(x);
  } catch (e) {
    throw new ValueError(`${hook(layer, target, reg)}.penalty threw on shape [${x.shape.join(', ')}]: ${(e as Error)?.message ?? e}`);
  }
  if (typeof v !== 'number') {
    throw new ValueError(`${hook(layer, target, reg)}.penalty must return a number, got ${v === null ? 'null' : typeof v}`);
  }
  if (Number.isNaN(v) && allFinite(x.data)) {
    throw new ValueError(`${hook(layer, target, reg)}.penalty returned NaN for a finite ${target === 'activity' ? 'output' : 'weight'} of shape [${x.shape.join(', ')}]`);
  }
  return v;
}

/** reg.gradient(x).data, checked: a Tensor of x's size, finite where x is finite. */
function gradientOf(layer: Layer, target: string, reg: Regularizer, x: Tensor): Float32Array {
  let g: unknown;
  try {
    g = reg.gradient(x);
  } catch (e) {
    throw new ValueError(`${hook(layer, target, reg)}.gradient threw on shape [${x.shape.join(', ')}]: ${(e as Error)?.message ?? e}`);
  }
  if (!(g instanceof Tensor)) {
    throw new ValueError(`${hook(layer, target, reg)}.gradient must return a Tensor of shape [${x.shape.join(', ')}], got ${g === null ? 'null' : typeof g}`);
  }
  if (g.size !== x.size || g.shape.length !== x.shape.length || g.shape.some((d, i) => d !== x.shape[i])) {
    throw new ValueError(`${hook(layer, target, reg)}.gradient must have the shape of its input [${x.shape.join(', ')}], got [${g.shape.join(', ')}]`);
  }
  if (!allFinite(g.data) && allFinite(x.data)) {
    throw new ValueError(`${hook(layer, target, reg)}.gradient returned NaN or ±Infinity for a finite input of shape [${x.shape.join(', ')}]`);
  }
  return g.data;
}
