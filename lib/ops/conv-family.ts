/**
 * Depthwise and transposed convolution ops (extensions of API.md), channels-last, Keras layouts:
 *
 *   depthwiseConv{1,2}d(x [batch, ...spatial, C], w [...k, C, mult], opts) → [batch, ...out, C·mult]
 *       output channel c·mult + m is filter m of input channel c; opts as conv (valid | same)
 *   conv{1,2,3}dTranspose(x [batch, ...in, C], w [...k, filters, C], opts) → [batch, ...L, filters]
 *       the adjoint of a forward conv (the gradient of conv w.r.t. its input); opts add
 *       `outputPadding` (a number or one per axis, each < its stride, or null); L per axis as
 *       Keras: valid in·s + max(effK − s, 0), same in·s, or (in − 1)·s + effK − 2·pad + outputPadding
 *
 * Each op validates once, builds one geometry and calls kernels/depthwise.ts or
 * kernels/conv-transpose.ts (which runs on kernels/conv.ts); their gradients are ops too. The
 * `bias` option [outChannels] is added inside the kernel call.
 */
import { ConfigError, ShapeError, ValueError, fmtShape, fmtValue } from '../errors';
import { Tensor, checkShape, shapeSize } from '../tensor';
import { ConvGeometry, convGeometry, outSpatial } from '../../kernels/conv-geometry';
import { depthwiseBackpropFilter, depthwiseBackpropInput, depthwiseForward } from '../../kernels/depthwise';
import {
  convTransposeBackpropFilter, convTransposeBackpropInput, convTransposeForward, convTransposeGeometry, convTransposeOutSpatial,
} from '../../kernels/conv-transpose';

type Rank = 1 | 2 | 3;

export interface DepthwiseConvOptions {
  strides?: number | number[];
  padding?: 'valid' | 'same';
  dilationRate?: number | number[];
  /** [C·mult], added inside the kernel (forward only). */
  bias?: Tensor;
}

export interface ConvTransposeOptions {
  strides?: number | number[];
  padding?: 'valid' | 'same';
  dilationRate?: number | number[];
  /** Extra output length per axis (each in [0, stride)); null/undefined: Keras' default length. */
  outputPadding?: number | number[] | null;
  /** [filters], added inside the kernel (forward only). */
  bias?: Tensor;
}

const LAYOUT: Record<Rank, string> = {
  1: '[batch, width, channels]',
  2: '[batch, height, width, channels]',
  3: '[batch, depth, height, width, channels]',
};

interface Parsed { strides: number[]; dilations: number[]; padding: 'valid' | 'same'; outputPadding: number[] | null }

function perAxis(op: string, arg: string, v: unknown, rank: Rank, min: number): number[] {
  const ok = (n: unknown): boolean => typeof n === 'number' && Number.isInteger(n) && n >= min;
  if (ok(v)) return new Array<number>(rank).fill(v as number);
  if (Array.isArray(v) && v.length === rank && v.every(ok)) return v.slice();
  const what = min === 0 ? 'non-negative' : 'positive';
  throw new ConfigError(`${op}: ${arg} must be a ${what} integer or an array of ${rank} ${what} integers, got ${fmtValue(v)}`);
}

function parse(op: string, rank: Rank, opts: unknown, transpose: boolean): Parsed {
  if (opts === undefined || opts === null) opts = {};
  if (typeof opts !== 'object' || Array.isArray(opts)) throw new ConfigError(`${op}: options must be an object, got ${fmtValue(opts)}`);
  const o = opts as ConvTransposeOptions;
  const allowed = transpose ? ['strides', 'padding', 'dilationRate', 'outputPadding', 'bias'] : ['strides', 'padding', 'dilationRate', 'bias'];
  for (const k of Object.keys(o)) {
    if (!allowed.includes(k) && (o as Record<string, unknown>)[k] !== undefined) {
      throw new ConfigError(`${op}: unknown option ${fmtValue(k)} (allowed: ${allowed.join(', ')})`);
    }
  }
  const strides = perAxis(op, 'strides', o.strides ?? 1, rank, 1);
  const dilations = perAxis(op, 'dilationRate', o.dilationRate ?? 1, rank, 1);
  const padding = o.padding ?? 'valid';
  if (padding !== 'valid' && padding !== 'same') throw new ConfigError(`${op}: padding must be 'valid' or 'same', got ${fmtValue(padding)}`);
  if (strides.some((s) => s > 1) && dilations.some((d) => d > 1)) {
    throw new ConfigError(`${op}: strides > 1 together with dilationRate > 1 is not supported, got strides ${fmtShape(strides)} and dilationRate ${fmtShape(dilations)}`);
  }
  let outputPadding: number[] | null = null;
  if (transpose && o.outputPadding !== undefined && o.outputPadding !== null) {
    outputPadding = perAxis(op, 'outputPadding', o.outputPadding, rank, 0);
    outputPadding.forEach((p, a) => {
      if (p >= strides[a]) throw new ConfigError(`${op}: outputPadding must be smaller than the stride on every axis, got outputPadding ${fmtShape(outputPadding!)} with strides ${fmtShape(strides)}`);
    });
  }
  return { strides, dilations, padding, outputPadding };
}

function tensorArg(op: string, arg: string, t: unknown): Tensor {
  if (!(t instanceof Tensor)) throw new ValueError(`${op}: ${arg} must be a Tensor, got ${fmtValue(t)}`);
  return t;
}

function shapeArg(op: string, arg: string, shape: unknown): number[] {
  if (!Array.isArray(shape) || !shape.every((d) => typeof d === 'number' && Number.isInteger(d) && d >= 0)) {
    throw new ShapeError(`${op}: ${arg} must be an array of non-negative integers, got ${fmtValue(shape)}`);
  }
  return shape.slice();
}

function checkRanks(op: string, rank: Rank, xShape: readonly number[], wShape: readonly number[], xArg: string, wArg: string, wLayout: string): void {
  if (xShape.length !== rank + 2) throw new ShapeError(`${op}: ${xArg} must be rank ${rank + 2} ${LAYOUT[rank]}, got shape ${fmtShape(xShape)}`);
  if (wShape.length !== rank + 2 || wShape.some((d) => d < 1)) throw new ShapeError(`${op}: ${wArg} must be rank ${rank + 2} ${wLayout} with sizes >= 1, got shape ${fmtShape(wShape)}`);
}

function checkDy(op: string, dy: Tensor, expected: number[]): void {
  if (dy.rank !== expected.length || dy.shape.some((d, i) => d !== expected[i])) {
    throw new ShapeError(`${op}: dy must have the forward output's shape ${fmtShape(expected)}, got shape ${fmtShape(dy.shape)}`);
  }
}

function biasArg(op: string, b: unknown, channels: number): Float32Array | null {
  if (b === undefined) return null;
  const t = tensorArg(op, 'bias', b);
  if (t.rank !== 1 || t.shape[0] !== channels) throw new ShapeError(`${op}: bias must have shape [${channels}], got shape ${fmtShape(t.shape)}`);
  return t.data;
}

// ---- depthwise ----

const SPATIAL_K: Record<Rank, string> = { 1: 'kernelWidth', 2: 'kernelHeight, kernelWidth', 3: 'kernelDepth, kernelHeight, kernelWidth' };
const DW_LAYOUT = (rank: Rank): string => `[${SPATIAL_K[rank]}, inChannels, depthMultiplier]`;

function depthwiseGeometry(op: string, rank: Rank, xShape: readonly number[], wShape: readonly number[], opts: unknown, xArg = 'input', wArg = 'kernel'): { g: ConvGeometry; mult: number } {
  checkRanks(op, rank, xShape, wShape, xArg, wArg, DW_LAYOUT(rank));
  const c = xShape[rank + 1];
  if (c !== wShape[rank]) throw new ShapeError(`${op}: ${xArg} channels (${c}) must equal ${wArg} inChannels (${wShape[rank]}): ${xArg} shape ${fmtShape(xShape)}, ${wArg} shape ${fmtShape(wShape)}`);
  const { strides, dilations, padding } = parse(op, rank, opts, false);
  const mult = wShape[rank + 1];
  const g = convGeometry(rank, xShape[0], xShape.slice(1, rank + 1), c, wShape.slice(0, rank), c * mult, strides, dilations, padding);
  const out = outSpatial(g);
  if (out.some((o) => o < 1)) throw new ShapeError(`${op}: output would be empty: ${xArg} spatial ${fmtShape(xShape.slice(1, rank + 1))} with kernel ${fmtShape(wShape.slice(0, rank))} and padding '${padding}' gives ${fmtShape(out)}`);
  return { g, mult };
}

const dwOut = (g: ConvGeometry): number[] => [g.batch, ...outSpatial(g), g.outC];

/** @internal any rank (the layers use rank 1 and 2). */
export function depthwiseConv(rank: Rank, x: Tensor, w: Tensor, opts: DepthwiseConvOptions = {}): Tensor {
  const op = `depthwiseConv${rank}d`;
  const xt = tensorArg(op, 'input', x), wt = tensorArg(op, 'kernel', w);
  const { g, mult } = depthwiseGeometry(op, rank, xt.shape, wt.shape, opts);
  const bias = biasArg(op, opts?.bias, g.outC);
  const shape = dwOut(g);
  const y = new Float32Array(shapeSize(shape));
  depthwiseForward(g, mult, xt.data, wt.data, bias, y);
  return new Tensor(y, shape);
}

/** @internal d loss / d x of depthwiseConv. */
export function depthwiseConvBackpropInput(rank: Rank, dy: Tensor, w: Tensor, inputShape: number[], opts: DepthwiseConvOptions = {}): Tensor {
  const op = `depthwiseConv${rank}dBackpropInput`;
  const dyt = tensorArg(op, 'dy', dy), wt = tensorArg(op, 'kernel', w);
  const shape = shapeArg(op, 'inputShape', inputShape);
  const { g, mult } = depthwiseGeometry(op, rank, shape, wt.shape, opts, 'inputShape');
  checkDy(op, dyt, dwOut(g));
  const dx = new Float32Array(shapeSize(shape));
  depthwiseBackpropInput(g, mult, dyt.data, wt.data, dx);
  return new Tensor(dx, shape);
}

/** @internal d loss / d w of depthwiseConv. */
export function depthwiseConvBackpropFilter(rank: Rank, x: Tensor, dy: Tensor, kernelShape: number[], opts: DepthwiseConvOptions = {}): Tensor {
  const op = `depthwiseConv${rank}dBackpropFilter`;
  const xt = tensorArg(op, 'input', x), dyt = tensorArg(op, 'dy', dy);
  const shape = shapeArg(op, 'kernelShape', kernelShape);
  const { g, mult } = depthwiseGeometry(op, rank, xt.shape, shape, opts, 'input', 'kernelShape');
  checkDy(op, dyt, dwOut(g));
  const dw = new Float32Array(shapeSize(shape));
  depthwiseBackpropFilter(g, mult, xt.data, dyt.data, dw);
  return new Tensor(dw, shape);
}

/** Depthwise 2-D convolution: x [batch, h, w, C], w [kh, kw, C, mult] → [batch, outH, outW, C·mult]. */
export function depthwiseConv2d(x: Tensor, w: Tensor, opts: DepthwiseConvOptions = {}): Tensor {
  return depthwiseConv(2, x, w, opts);
}
export function depthwiseConv2dBackpropInput(dy: Tensor, w: Tensor, inputShape: number[], opts: DepthwiseConvOptions = {}): Tensor {
  return depthwiseConvBackpropInput(2, dy, w, inputShape, opts);
}
export function depthwiseConv2dBackpropFilter(x: Tensor, dy: Tensor, kernelShape: number[], opts: DepthwiseConvOptions = {}): Tensor {
  return depthwiseConvBackpropFilter(2, x, dy, kernelShape, opts);
}

// ---- transposed ----

const T_LAYOUT = (rank: Rank): string => `[${SPATIAL_K[rank]}, filters, inChannels]`;

function transposeGeometry(op: string, rank: Rank, xShape: readonly number[], wShape: readonly number[], opts: unknown, xArg = 'input', wArg = 'kernel'): ConvGeometry {
  checkRanks(op, rank, xShape, wShape, xArg, wArg, T_LAYOUT(rank));
  const c = xShape[rank + 1];
  if (c !== wShape[rank + 1]) throw new ShapeError(`${op}: ${xArg} channels (${c}) must equal ${wArg}'s last axis (inChannels, ${wShape[rank + 1]}): ${xArg} shape ${fmtShape(xShape)}, ${wArg} shape ${fmtShape(wShape)}`);
  if (xShape.slice(1, rank + 1).some((d) => d < 1)) throw new ShapeError(`${op}: ${xArg} spatial sizes must be >= 1, got shape ${fmtShape(xShape)}`);
  const { strides, dilations, padding, outputPadding } = parse(op, rank, opts, true);
  const g = convTransposeGeometry(rank, xShape[0], xShape.slice(1, rank + 1), c, wShape.slice(0, rank), wShape[rank], strides, dilations, padding, outputPadding);
  const out = convTransposeOutSpatial(g);
  if (out.some((o) => o < 1)) throw new ShapeError(`${op}: output would be empty: ${xArg} spatial ${fmtShape(xShape.slice(1, rank + 1))} gives ${fmtShape(out)}`);
  return g;
}

const tOut = (g: ConvGeometry): number[] => [g.batch, ...convTransposeOutSpatial(g), g.inC];

function transposeForward(rank: Rank, x: Tensor, w: Tensor, opts: ConvTransposeOptions): Tensor {
  const op = `conv${rank}dTranspose`;
  const xt = tensorArg(op, 'input', x), wt = tensorArg(op, 'kernel', w);
  const g = transposeGeometry(op, rank, xt.shape, wt.shape, opts);
  const bias = biasArg(op, opts?.bias, g.inC);
  const shape = checkShape(op, 'output shape', tOut(g)); // huge strides → ShapeError, not RangeError
  const y = new Float32Array(shapeSize(shape));
  convTransposeForward(g, xt.data, wt.data, bias, y);
  return new Tensor(y, shape);
}

/** @internal d loss / d x of conv{rank}dTranspose (a forward conv of dy). */
export function convTransposeBackpropInputOp(rank: Rank, dy: Tensor, w: Tensor, inputShape: number[], opts: ConvTransposeOptions = {}): Tensor {
  const op = `conv${rank}dTransposeBackpropInput`;
  const dyt = tensorArg(op, 'dy', dy), wt = tensorArg(op, 'kernel', w);
  const shape = shapeArg(op, 'inputShape', inputShape);
  const g = transposeGeometry(op, rank, shape, wt.shape, opts, 'inputShape');
  checkDy(op, dyt, tOut(g));
  const dx = new Float32Array(shapeSize(shape));
  convTransposeBackpropInput(g, dyt.data, wt.data, dx);
  return new Tensor(dx, shape);
}

/** @internal d loss / d w of conv{rank}dTranspose. */
export function convTransposeBackpropFilterOp(rank: Rank, x: Tensor, dy: Tensor, kernelShape: number[], opts: ConvTransposeOptions = {}): Tensor {
  const op = `conv${rank}dTransposeBackpropFilter`;
  const xt = tensorArg(op, 'input', x), dyt = tensorArg(op, 'dy', dy);
  const shape = shapeArg(op, 'kernelShape', kernelShape);
  const g = transposeGeometry(op, rank, xt.shape, shape, opts, 'input', 'kernelShape');
  checkDy(op, dyt, tOut(g));
  const dw = new Float32Array(shapeSize(shape));
  convTransposeBackpropFilter(g, xt.data, dyt.data, dw);
  return new Tensor(dw, shape);
}

/** @internal the output shape of conv{rank}dTranspose for full input and kernel shapes (validated). */
export function convTransposeOutputShape(rank: Rank, inputShape: number[], kernelShape: number[], opts: ConvTransposeOptions = {}): number[] {
  return tOut(transposeGeometry(`conv${rank}dTranspose`, rank, inputShape, kernelShape, opts));
}

/** @internal the output shape of depthwiseConv{rank}d for full input and kernel shapes (validated). */
export function depthwiseOutputShape(rank: Rank, inputShape: number[], kernelShape: number[], opts: DepthwiseConvOptions = {}): number[] {
  return dwOut(depthwiseGeometry(`depthwiseConv${rank}d`, rank, inputShape, kernelShape, opts).g);
}

/** 1-D transposed convolution: x [batch, w, C], w [k, filters, C] → [batch, L, filters]. */
export function conv1dTranspose(x: Tensor, w: Tensor, opts: ConvTransposeOptions = {}): Tensor { return transposeForward(1, x, w, opts); }
/** 2-D transposed convolution: x [batch, h, w, C], w [kh, kw, filters, C] → [batch, Lh, Lw, filters]. */
export function conv2dTranspose(x: Tensor, w: Tensor, opts: ConvTransposeOptions = {}): Tensor { return transposeForward(2, x, w, opts); }
/** 3-D transposed convolution: x [batch, d, h, w, C], w [kd, kh, kw, filters, C] → [batch, Ld, Lh, Lw, filters]. */
export function conv3dTranspose(x: Tensor, w: Tensor, opts: ConvTransposeOptions = {}): Tensor { return transposeForward(3, x, w, opts); }
