/**
 * Recurrent layers: SimpleRNN, LSTM, GRU (Keras semantics), with backprop through time.
 *
 *   x [B, T, I]  →  y [B, T, u] (returnSequences) or [B, u] (the last state)
 *   weights   kernel W [I, k·u]   recurrent_kernel U [u, k·u]   bias b [k·u] (GRU resetAfter: [2, 3u])
 *             k = 1 (SimpleRNN), 4 (LSTM, gates i, f, c, o), 3 (GRU, gates z, r, h) — Keras order
 *
 *   forward (time-major, s = 0 … T−1; goBackwards reads x from the last step to the first):
 *     Z  = (X ⊙ m)·W + b                     ONE GEMM for every step: [T·B, I]·[I, k·u]
 *     for each step s:   Z_s += (h_{s−1} ⊙ r)·U     one GEMM per step: [B, u]·[u, k·u]
 *                        gates and states from Z_s (kernels/rnn.ts)
 *       SimpleRNN  h = act(Z_s)
 *       LSTM       i, f, o = rec(·), g = act(·);  c = f ⊙ c_{s−1} + i ⊙ g;  h = o ⊙ act(c)
 *       GRU        z, r = rec(·);  resetAfter=false: hh = act(x_h + (r ⊙ (h_{s−1} ⊙ r̃))·U_h)
 *                                  resetAfter=true:  hh = act(x_h + r ⊙ ((h_{s−1} ⊙ r̃)·U_h + b_rec,h))
 *                  h = z ⊙ h_{s−1} + (1 − z) ⊙ hh          (r̃: the recurrent dropout mask)
 *   backward (backprop through time, s = T−1 … 0):
 *     dh_s = dy_s + dh_next;  dZ_s from the cell's derivative;  dh_next = (dZ_s·Uᵀ) ⊙ r (+ the direct
 *     GRU path z ⊙ dh, the LSTM carry dc ⊙ f);  then, once for all steps:
 *     dW += (X ⊙ m)ᵀ·dZ    dU += (H ⊙ r)ᵀ·dZ    db += Σ dZ    dX = (dZ·Wᵀ) ⊙ m     (three GEMMs)
 *
 * Dropout (Keras' "variational" RNN dropout): in training, one input mask m [B, I] and one
 * recurrent mask r [B, u] are drawn per call (seeded) and kept for every time step; they scale
 * only the inputs of the matrix products (the GRU mix uses the unmasked h_{s−1}, as Keras).
 * Ridge shares each mask across the gates (Keras `implementation=2`, TensorFlow.js); Keras 3
 * switches to per-gate masks when recurrentDropout > 0 (the same distribution per product).
 *
 * Defaults follow Keras (2.x and 3): activation 'tanh', recurrentActivation 'sigmoid',
 * kernelInitializer 'glorotUniform', recurrentInitializer 'orthogonal', unitForgetBias true,
 * resetAfter true. TensorFlow.js differs (recurrentActivation 'hardSigmoid', kernelInitializer
 * 'glorotNormal', unitForgetBias unset, no resetAfter): pass those options to port a tfjs model.
 *
 * Regularizers are declared on the weights (targets 'kernel', 'recurrent', 'bias') and on
 * `activityRegularizer` (the layer's output); lib/training/penalties.ts adds them.
 */
import { ConfigError, ShapeError, fmtShape, fmtValue } from '../errors';
import { Random } from '../random';
import { Tensor } from '../tensor';
import { getRegularizer, Regularizer, RegularizerIdentifier } from '../regularizers';
import { getInitializer, Initializer } from '../initializers';
import { Constraint, ConstraintIdentifier, constraintConfig, getConstraint } from '../constraints';
import { gemm } from '../../kernels/gemm';
import { dropoutMask } from '../../kernels/activations';
import {
  ACT_HARD_SIGMOID, ACT_LINEAR, ACT_RELU, ACT_SIGMOID, ACT_TANH,
  activateInto, activationGradInto, addBiasRows, addColumnSums, addMaskedInto, fromTimeMajor,
  gruBackwardOutput, gruBackwardReset, gruBackwardResetAfter, gruGatesForward, gruOutputForward,
  gruResetAfterForward, lstmCellBackward, lstmCellForward, mulMaskInto, statesToOutput, stepOutputGrad,
  toTimeMajor,
} from '../../kernels/rnn';
import { ForwardResult, Layer, boolOption, checkOptionNames, positiveInt, regularizerConfig, seedOption } from './layer';
import type { InitializerIdentifier } from './kernel-layer';

/** The activations a recurrent layer accepts (Keras names, camelCase; null = linear). */
export type RecurrentActivationName = 'linear' | 'relu' | 'sigmoid' | 'tanh' | 'hardSigmoid';

const ACT_CODES: Record<RecurrentActivationName, number> = {
  linear: ACT_LINEAR, relu: ACT_RELU, sigmoid: ACT_SIGMOID, tanh: ACT_TANH, hardSigmoid: ACT_HARD_SIGMOID,
};

function recurrentActivation(layer: string, arg: string, v: unknown, dflt: RecurrentActivationName): RecurrentActivationName {
  if (v === undefined) return dflt;
  if (v === null) return 'linear';
  if (v === 'hard_sigmoid') return 'hardSigmoid';
  if (typeof v === 'string' && v in ACT_CODES) return v as RecurrentActivationName;
  throw new ConfigError(`${layer}: ${arg} must be one of ${Object.keys(ACT_CODES).map((a) => `'${a}'`).join(', ')} (or null), got ${fmtValue(v)}`);
}

function rateOption(layer: string, arg: string, v: unknown): number {
  if (v === undefined) return 0;
  if (typeof v !== 'number' || !(v >= 0 && v < 1)) throw new ConfigError(`${layer}: ${arg} must be a number in [0, 1), got ${fmtValue(v)}`);
  return v;
}

/** Options every recurrent layer takes (Keras names, camelCase). */
export interface RNNBaseArgs {
  units: number;
  /** Default 'tanh'. */
  activation?: RecurrentActivationName | null;
  useBias?: boolean;
  /** Default 'glorotUniform' (Keras; TensorFlow.js uses 'glorotNormal'). */
  kernelInitializer?: InitializerIdentifier;
  /** Default 'orthogonal'. */
  recurrentInitializer?: InitializerIdentifier;
  biasInitializer?: InitializerIdentifier;
  kernelRegularizer?: RegularizerIdentifier | null;
  recurrentRegularizer?: RegularizerIdentifier | null;
  biasRegularizer?: RegularizerIdentifier | null;
  activityRegularizer?: RegularizerIdentifier | null;
  kernelConstraint?: ConstraintIdentifier | null;
  recurrentConstraint?: ConstraintIdentifier | null;
  biasConstraint?: ConstraintIdentifier | null;
  /** Fraction of the input units dropped (training only), one mask for all time steps. */
  dropout?: number;
  /** Fraction of the state units dropped in the recurrent product (training only). */
  recurrentDropout?: number;
  /** Output the whole sequence [B, T, u] instead of the last state [B, u]. */
  returnSequences?: boolean;
  /** Only false: a layer has one output in Ridge's graph (see docs/api-extensions.md). */
  returnState?: boolean;
  /** Process the sequence from the last step to the first (the output sequence is in that order). */
  goBackwards?: boolean;
  /** Only false (Ridge keeps no state between batches). */
  stateful?: boolean;
  /** Accepted for Keras configs; the result is the same either way (Ridge always loops). */
  unroll?: boolean;
  inputShape?: number[];
  name?: string;
  /** Seeds the initializers and the dropout masks. */
  seed?: number;
}

export interface SimpleRNNArgs extends RNNBaseArgs {}

export interface LSTMArgs extends RNNBaseArgs {
  /** Gate activation (i, f, o). Default 'sigmoid' (Keras 2/3; TensorFlow.js: 'hardSigmoid'). */
  recurrentActivation?: RecurrentActivationName | null;
  /** Initialise the forget-gate bias to 1 (Keras default true; TensorFlow.js: unset = false). */
  unitForgetBias?: boolean;
}

export interface GRUArgs extends RNNBaseArgs {
  /** Gate activation (z, r). Default 'sigmoid' (Keras 2/3; TensorFlow.js: 'hardSigmoid'). */
  recurrentActivation?: RecurrentActivationName | null;
  /** Reset gate after the recurrent product, separate recurrent bias [2, 3u] (Keras default true; TensorFlow.js has only false). */
  resetAfter?: boolean;
}

const BASE_OPTIONS = ['units', 'activation', 'useBias', 'kernelInitializer', 'recurrentInitializer', 'biasInitializer',
  'kernelRegularizer', 'recurrentRegularizer', 'biasRegularizer', 'activityRegularizer', 'kernelConstraint',
  'recurrentConstraint', 'biasConstraint', 'dropout', 'recurrentDropout', 'returnSequences', 'returnState',
  'goBackwards', 'stateful', 'unroll', 'inputShape', 'name', 'seed'] as const;

type Cell = 'simple' | 'lstm' | 'gru';

interface RNNCtx {
  batch: number;
  steps: number;
  /** Masked inputs, time-major [T, B, I] (the A of dW = Xᵀ·dZ). */
  xt: Float32Array;
  /** Gate activations per step [T, B, k·u]. */
  z: Float32Array;
  /** States [T+1, B, u]. */
  h: Float32Array;
  /** Masked previous states [T, B, u] (h itself when there is no recurrent dropout). */
  hm: Float32Array;
  inMask: Float32Array | null;
  recMask: Float32Array | null;
  /** LSTM: carries [T+1, B, u] and act(c) [T, B, u]. */
  c: Float32Array | null;
  ac: Float32Array | null;
  /** GRU resetAfter=false: r ⊙ hm [T, B, u];  resetAfter=true: hm·U + b_rec [T, B, 3u]. */
  rh: Float32Array | null;
  rc: Float32Array | null;
}

export abstract class RNNBase extends Layer {
  // ---- config (validated) ----
  readonly units: number;
  readonly activation: RecurrentActivationName;
  readonly recurrentActivation: RecurrentActivationName;
  readonly useBias: boolean;
  readonly kernelInitializer: Initializer;
  readonly recurrentInitializer: Initializer;
  readonly biasInitializer: Initializer;
  readonly kernelRegularizer: Regularizer | null;
  readonly recurrentRegularizer: Regularizer | null;
  readonly biasRegularizer: Regularizer | null;
  readonly kernelConstraint: Constraint | null;
  readonly recurrentConstraint: Constraint | null;
  readonly biasConstraint: Constraint | null;
  readonly dropout: number;
  readonly recurrentDropout: number;
  readonly returnSequences: boolean;
  readonly returnState: boolean;
  readonly goBackwards: boolean;
  readonly stateful: boolean;
  readonly unroll: boolean;
  readonly seed: number | undefined;
  // ---- computed ----
  /** Gates per step: 1, 4 or 3. */
  protected abstract readonly gates: number;
  protected abstract readonly cell: Cell;
  /**
   * @internal The generator of the dropout masks (one per layer: successive training calls draw
   * successive masks). Specs reset it to replay a training forward exactly.
   */
  dropoutRng: Random;

  constructor(prefix: string, args: RNNBaseArgs, allowed: readonly string[], recurrentActivationArg: unknown) {
    checkOptionNames(prefix, args, allowed);
    super(prefix, args);
    const n = this.name;
    this.units = positiveInt(n, 'units', args.units);
    this.activation = recurrentActivation(n, 'activation', args.activation, 'tanh');
    this.recurrentActivation = recurrentActivation(n, 'recurrentActivation', recurrentActivationArg, 'sigmoid');
    this.useBias = boolOption(n, 'useBias', args.useBias, true);
    this.kernelInitializer = getInitializer(n, 'kernelInitializer', args.kernelInitializer, 'glorotUniform');
    this.recurrentInitializer = getInitializer(n, 'recurrentInitializer', args.recurrentInitializer, 'orthogonal');
    this.biasInitializer = getInitializer(n, 'biasInitializer', args.biasInitializer, 'zeros');
    this.kernelRegularizer = getRegularizer(n, 'kernelRegularizer', args.kernelRegularizer);
    this.recurrentRegularizer = getRegularizer(n, 'recurrentRegularizer', args.recurrentRegularizer);
    this.biasRegularizer = getRegularizer(n, 'biasRegularizer', args.biasRegularizer);
    this.activityRegularizer = getRegularizer(n, 'activityRegularizer', args.activityRegularizer);
    this.kernelConstraint = getConstraint(n, 'kernelConstraint', args.kernelConstraint);
    this.recurrentConstraint = getConstraint(n, 'recurrentConstraint', args.recurrentConstraint);
    this.biasConstraint = getConstraint(n, 'biasConstraint', args.biasConstraint);
    this.dropout = rateOption(n, 'dropout', args.dropout);
    this.recurrentDropout = rateOption(n, 'recurrentDropout', args.recurrentDropout);
    this.returnSequences = boolOption(n, 'returnSequences', args.returnSequences, false);
    this.returnState = boolOption(n, 'returnState', args.returnState, false);
    if (this.returnState) {
      throw new ConfigError(`${n}: returnState must be false: a Ridge layer has exactly one output tensor (use returnSequences: true and take the last step, or a second layer), got true`);
    }
    this.goBackwards = boolOption(n, 'goBackwards', args.goBackwards, false);
    this.stateful = boolOption(n, 'stateful', args.stateful, false);
    if (this.stateful) throw new ConfigError(`${n}: stateful must be false: Ridge keeps no recurrent state between batches, got true`);
    this.unroll = boolOption(n, 'unroll', args.unroll, false);
    this.seed = seedOption(n, args.seed ?? undefined); // null (from getConfig) = no seed
    this.dropoutRng = new Random(this.seed === undefined ? undefined : this.seed + 0x5f3759df);
  }

  /** GRU with resetAfter: a separate recurrent bias and the reset gate after the product. */
  protected usesResetAfter(): boolean { return false; }

  /** The bias weight's shape and initial values (LSTM and GRU override). */
  protected biasWeight(rng: Random): { shape: number[]; init: Initializer } {
    void rng;
    return { shape: [this.gates * this.units], init: this.biasInitializer };
  }

  // ---- build ----
  protected override buildWeights(inputShapes: number[][]): void {
    const inDim = inputShapes[0][1];
    const g = this.gates * this.units;
    const rng = new Random(this.seed);
    this.weights = [
      this.makeWeight('kernel', 'kernel', [inDim, g], this.kernelInitializer, this.kernelRegularizer, rng, this.kernelConstraint),
      this.makeWeight('recurrent_kernel', 'recurrent', [this.units, g], this.recurrentInitializer, this.recurrentRegularizer, rng, this.recurrentConstraint),
    ];
    if (this.useBias) {
      const { shape, init } = this.biasWeight(rng);
      this.weights.push(this.makeWeight('bias', 'bias', shape, init, this.biasRegularizer, rng, this.biasConstraint));
    }
  }

  // ---- output shape ----
  computeOutputShape(inputShapes: number[][]): number[] {
    if (inputShapes.length !== 1) throw new ShapeError(`${this.name}: expects exactly 1 input, got ${inputShapes.length}`);
    const s = inputShapes[0];
    if (s.length !== 2 || !(s[0] >= 1) || !(s[1] >= 1)) {
      throw new ShapeError(`${this.name}: input must have shape [batch, timesteps, features] with timesteps, features >= 1, got feature shape ${fmtShape(s)}`);
    }
    if (this.built && s[1] !== this.weights[0].value.shape[0]) {
      throw new ShapeError(`${this.name}: input features must be ${this.weights[0].value.shape[0]}, got feature shape ${fmtShape(s)}`);
    }
    return this.returnSequences ? [s[0], this.units] : [this.units];
  }

  // ---- forward ----
  forward(inputs: Tensor[], training: boolean): ForwardResult {
    this.ensureBuilt(inputs);
    if (inputs.length !== 1) throw new ShapeError(`${this.name}: expects exactly 1 input, got ${inputs.length}`);
    const x = inputs[0];
    const W = this.weights[0].value, U = this.weights[1].value;
    const I = W.shape[0], u = this.units, k = this.gates, G = k * u;
    if (x.rank !== 3 || x.shape[2] !== I || x.shape[1] < 1) {
      throw new ShapeError(`${this.name}: input must have shape [batch, timesteps >= 1, ${I}], got ${fmtShape(x.shape)}`);
    }
    const B = x.shape[0], T = x.shape[1];
    const bu = B * u, bg = B * G;

    // Dropout masks: drawn once per call, fixed over the time steps.
    let inMask: Float32Array | null = null, recMask: Float32Array | null = null;
    if (training && this.dropout > 0) {
      inMask = new Float32Array(B * I);
      dropoutMask(inMask, B * I, this.dropout, 1 / (1 - this.dropout), this.dropoutRng);
    }
    if (training && this.recurrentDropout > 0) {
      recMask = new Float32Array(bu);
      dropoutMask(recMask, bu, this.recurrentDropout, 1 / (1 - this.recurrentDropout), this.dropoutRng);
    }

    // Z = (X ⊙ m)·W + b for every step at once: [T·B, I]·[I, G].
    const xt = new Float32Array(T * B * I);
    toTimeMajor(x.data, B, T, I, this.goBackwards, inMask, xt);
    const z = new Float32Array(T * bg);
    gemm(T * B, G, I, 1, xt, 0, I, 1, W.data, 0, G, 1, 0, z, 0, G, 1);
    const bias = this.useBias ? this.weights[2].value.data : null;
    if (bias) addBiasRows(z, 0, bias, 0, T * B, G); // GRU resetAfter: row 0 = the input bias

    const h = new Float32Array((T + 1) * bu);
    const hm = recMask ? new Float32Array(T * bu) : h;
    const act = ACT_CODES[this.activation], rec = ACT_CODES[this.recurrentActivation];
    const ctx: RNNCtx = { batch: B, steps: T, xt, z, h, hm, inMask, recMask, c: null, ac: null, rh: null, rc: null };
    const Ud = U.data;
    const resetAfter = this.usesResetAfter();
    if (this.cell === 'lstm') { ctx.c = new Float32Array((T + 1) * bu); ctx.ac = new Float32Array(T * bu); }
    if (this.cell === 'gru') {
      if (resetAfter) ctx.rc = new Float32Array(T * bg);
      else ctx.rh = new Float32Array(T * bu);
    }

    for (let s = 0; s < T; s++) {
      const hPrev = s * bu, zs = s * bg;
      if (recMask) mulMaskInto(h, hPrev, recMask, hm, hPrev, bu);
      switch (this.cell) {
        case 'simple':
          gemm(B, G, u, 1, hm, hPrev, u, 1, Ud, 0, G, 1, 1, z, zs, G, 1);           // Z_s += hm·U
          activateInto(act, z, zs, h, hPrev + bu, bu);                                 // h = act(Z_s)
          break;
        case 'lstm':
          gemm(B, G, u, 1, hm, hPrev, u, 1, Ud, 0, G, 1, 1, z, zs, G, 1);           // Z_s += hm·U
          lstmCellForward(z, zs, ctx.c!, hPrev, hPrev + bu, ctx.ac!, hPrev, h, hPrev + bu, B, u, act, rec);
          break;
        case 'gru':
          if (resetAfter) {
            gemm(B, G, u, 1, hm, hPrev, u, 1, Ud, 0, G, 1, 0, ctx.rc!, zs, G, 1);   // rc = hm·U (+ b_rec)
            if (bias) addBiasRows(ctx.rc!, zs, bias, G, B, G);
            gruResetAfterForward(z, zs, ctx.rc!, zs, h, hPrev, hPrev + bu, B, u, act, rec);
          } else {
            gemm(B, 2 * u, u, 1, hm, hPrev, u, 1, Ud, 0, G, 1, 1, z, zs, G, 1);     // Z_s[:, z r] += hm·U_zr
            gruGatesForward(z, zs, hm, hPrev, ctx.rh!, hPrev, B, u, rec);
            gemm(B, u, u, 1, ctx.rh!, hPrev, u, 1, Ud, 2 * u, G, 1, 1, z, zs + 2 * u, G, 1); // Z_s[:, h] += (r ⊙ hm)·U_h
            gruOutputForward(z, zs, h, hPrev, hPrev + bu, B, u, act);
          }
          break;
      }
    }
    const yShape = this.returnSequences ? [B, T, u] : [B, u];
    const y = new Float32Array(this.returnSequences ? T * bu : bu);
    statesToOutput(h, B, T, u, this.returnSequences, y);
    return { y: new Tensor(y, yShape), ctx };
  }

  // ---- backward (through time) ----
  backward(ctxIn: unknown, dy: Tensor, needDx = true): Tensor[] {
    const c = ctxIn as RNNCtx;
    const B = c.batch, T = c.steps;
    const W = this.weights[0], U = this.weights[1];
    const I = W.value.shape[0], u = this.units, G = this.gates * u;
    const bu = B * u, bg = B * G;
    const Ud = U.value.data;
    const act = ACT_CODES[this.activation], rec = ACT_CODES[this.recurrentActivation];
    const resetAfter = this.usesResetAfter();

    const dZ = new Float32Array(T * bg);
    const dRc = resetAfter ? new Float32Array(T * bg) : null;
    const dh = new Float32Array(bu), dhNext = new Float32Array(bu), dhm = new Float32Array(bu);
    const dc = this.cell === 'lstm' ? new Float32Array(bu) : null;
    const drh = this.cell === 'gru' && !resetAfter ? new Float32Array(bu) : null;

    for (let s = T - 1; s >= 0; s--) {
      const hPrev = s * bu, zs = s * bg;
      stepOutputGrad(dy.data, dhNext, B, T, u, this.returnSequences, s, dh);        // dh = dy_s + dh_next
      switch (this.cell) {
        case 'simple':
          activationGradInto(act, c.h, hPrev + bu, dh, dZ, zs, bu);                  // dZ_s = dh ⊙ act'
          gemm(B, u, G, 1, dZ, zs, G, 1, Ud, 0, 1, G, 0, dhm, 0, u, 1);              // dhm = dZ_s·Uᵀ
          dhNext.fill(0);
          break;
        case 'lstm':
          lstmCellBackward(c.z, zs, c.c!, hPrev, c.ac!, hPrev, dh, dc!, dZ, zs, B, u, act, rec);
          gemm(B, u, G, 1, dZ, zs, G, 1, Ud, 0, 1, G, 0, dhm, 0, u, 1);              // dhm = dZ_s·Uᵀ
          dhNext.fill(0);
          break;
        case 'gru':
          gruBackwardOutput(c.z, zs, c.h, hPrev, dh, dZ, zs, dhNext, B, u, act, rec); // dh_next = dh ⊙ z (direct)
          if (resetAfter) {
            gruBackwardResetAfter(c.z, zs, c.rc!, zs, dZ, zs, dRc!, zs, B, u, rec);
            gemm(B, u, G, 1, dRc!, zs, G, 1, Ud, 0, 1, G, 0, dhm, 0, u, 1);          // dhm = dRc_s·Uᵀ
          } else {
            gemm(B, u, u, 1, dZ, zs + 2 * u, G, 1, Ud, 2 * u, 1, G, 0, drh!, 0, u, 1); // d(r ⊙ hm) = dZ_h·U_hᵀ
            gruBackwardReset(c.z, zs, c.hm, hPrev, drh!, dZ, zs, dhm, B, u, rec);       // dZ_r, dhm = drh ⊙ r
            gemm(B, u, 2 * u, 1, dZ, zs, G, 1, Ud, 0, 1, G, 1, dhm, 0, u, 1);         // dhm += dZ_zr·U_zrᵀ
          }
          break;
      }
      addMaskedInto(dhNext, dhm, c.recMask, bu);                                      // dh_next += dhm ⊙ r
    }

    // Weight gradients, one GEMM each over all T·B rows, added straight into the grad buffers.
    gemm(I, G, T * B, 1, c.xt, 0, 1, I, dZ, 0, G, 1, 1, W.grad, 0, G, 1);              // dW += Xᵀ·dZ
    if (resetAfter) {
      gemm(u, G, T * B, 1, c.hm, 0, 1, u, dRc!, 0, G, 1, 1, U.grad, 0, G, 1);         // dU += Hmᵀ·dRc
    } else if (this.cell === 'gru') {
      gemm(u, 2 * u, T * B, 1, c.hm, 0, 1, u, dZ, 0, G, 1, 1, U.grad, 0, G, 1);       // dU_zr += Hmᵀ·dZ_zr
      gemm(u, u, T * B, 1, c.rh!, 0, 1, u, dZ, 2 * u, G, 1, 1, U.grad, 2 * u, G, 1);  // dU_h += (r ⊙ Hm)ᵀ·dZ_h
    } else {
      gemm(u, G, T * B, 1, c.hm, 0, 1, u, dZ, 0, G, 1, 1, U.grad, 0, G, 1);           // dU += Hmᵀ·dZ
    }
    if (this.useBias) {
      const b = this.weights[2];
      addColumnSums(dZ, T * B, G, b.grad, 0);                                          // db += Σ dZ
      if (resetAfter) addColumnSums(dRc!, T * B, G, b.grad, G);                       // db_rec += Σ dRc
    }
    if (!needDx) return [];
    const dxt = new Float32Array(T * B * I);
    gemm(T * B, I, G, 1, dZ, 0, G, 1, W.value.data, 0, 1, G, 0, dxt, 0, I, 1);        // dX = dZ·Wᵀ
    const dx = new Float32Array(B * T * I);
    fromTimeMajor(dxt, B, T, I, this.goBackwards, c.inMask, dx);
    return [new Tensor(dx, [B, T, I])];
  }

  // ---- config ----
  protected baseConfig(): Record<string, unknown> {
    return {
      name: this.name,
      trainable: true,
      units: this.units,
      activation: this.activation,
      useBias: this.useBias,
      kernelInitializer: this.kernelInitializer.getConfig(),
      recurrentInitializer: this.recurrentInitializer.getConfig(),
      biasInitializer: this.biasInitializer.getConfig(),
      kernelRegularizer: regularizerConfig(this.kernelRegularizer),
      recurrentRegularizer: regularizerConfig(this.recurrentRegularizer),
      biasRegularizer: regularizerConfig(this.biasRegularizer),
      activityRegularizer: regularizerConfig(this.activityRegularizer),
      kernelConstraint: constraintConfig(this.kernelConstraint),
      recurrentConstraint: constraintConfig(this.recurrentConstraint),
      biasConstraint: constraintConfig(this.biasConstraint),
      dropout: this.dropout,
      recurrentDropout: this.recurrentDropout,
      returnSequences: this.returnSequences,
      returnState: this.returnState,
      goBackwards: this.goBackwards,
      stateful: this.stateful,
      unroll: this.unroll,
      seed: this.seed ?? null,
    };
  }
}

// ------------------------------------------------------------------------------------------------

/** Fully connected RNN: h_t = act(x_t·W + h_{t−1}·U + b). */
export class SimpleRNN extends RNNBase {
  readonly className = 'SimpleRNN';
  protected readonly gates = 1;
  protected readonly cell = 'simple';

  constructor(args: SimpleRNNArgs) {
    super('simple_rnn', args, BASE_OPTIONS, undefined);
  }

  override getConfig(): Record<string, unknown> {
    return this.baseConfig();
  }
}

/** Long short-term memory (Hochreiter 1997), gates i, f, c, o. */
export class LSTM extends RNNBase {
  readonly className = 'LSTM';
  protected readonly gates = 4;
  protected readonly cell = 'lstm';
  readonly unitForgetBias: boolean;

  constructor(args: LSTMArgs) {
    super('lstm', args, [...BASE_OPTIONS, 'recurrentActivation', 'unitForgetBias'], args?.recurrentActivation);
    this.unitForgetBias = boolOption(this.name, 'unitForgetBias', args.unitForgetBias, true);
  }

  /** unitForgetBias: [biasInit(u), ones(u), biasInit(2u)] (Keras, TensorFlow.js). */
  protected override biasWeight(_rng: Random): { shape: number[]; init: Initializer } {
    const u = this.units, base = this.biasInitializer;
    if (!this.unitForgetBias) return { shape: [4 * u], init: base };
    const init: Initializer = {
      name: base.name,
      init: (_shape, rng) => {
        const out = new Float32Array(4 * u);
        out.set(base.init([u], rng), 0);
        out.fill(1, u, 2 * u);
        out.set(base.init([2 * u], rng), 2 * u);
        return out;
      },
      getConfig: () => base.getConfig(),
    };
    return { shape: [4 * u], init };
  }

  override getConfig(): Record<string, unknown> {
    return { ...this.baseConfig(), recurrentActivation: this.recurrentActivation, unitForgetBias: this.unitForgetBias };
  }
}

/** Gated recurrent unit (Cho et al. 2014), gates z, r, h. */
export class GRU extends RNNBase {
  readonly className = 'GRU';
  protected readonly gates = 3;
  protected readonly cell = 'gru';
  readonly resetAfter: boolean;

  constructor(args: GRUArgs) {
    super('gru', args, [...BASE_OPTIONS, 'recurrentActivation', 'resetAfter'], args?.recurrentActivation);
    this.resetAfter = boolOption(this.name, 'resetAfter', args.resetAfter, true);
  }

  protected override usesResetAfter(): boolean { return this.resetAfter; }

  /** resetAfter: bias [2, 3u], row 0 for the input product, row 1 for the recurrent one (Keras). */
  protected override biasWeight(_rng: Random): { shape: number[]; init: Initializer } {
    return { shape: this.resetAfter ? [2, 3 * this.units] : [3 * this.units], init: this.biasInitializer };
  }

  override getConfig(): Record<string, unknown> {
    return { ...this.baseConfig(), recurrentActivation: this.recurrentActivation, resetAfter: this.resetAfter };
  }
}
