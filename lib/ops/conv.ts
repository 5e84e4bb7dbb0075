/**
 * Convolution ops (API.md): conv1d/2d/3d, their input and filter gradients, and the bias gradient.
 *
 *   x  [batch, ...spatial, inC]   (channels-last)
 *   w  [...kernel, inC, outC]     (Keras layout)
 *   y  [batch, ...outSpatial, outC]
 *
 * Each op validates its arguments once, builds one ConvGeometry and calls a kernel from
 * kernels/conv.ts ('js' backend) or kernels/wasm/conv.ts ('wasm', lib/backend.ts; the bias
 * gradient: kernels/wasm/pool.ts biasGradWasm); nothing is allocated but the result tensor.
 *
 * opts: { strides = 1, padding = 'valid' | 'same' | 'causal' (conv1d only), dilationRate = 1 };
 * strides and dilationRate are a number (every axis) or one number per spatial axis. The forward
 * ops also take `bias` [outC] (an extension of API.md), added inside the kernel.
 */
import { ConfigError, ShapeError, ValueError, fmtShape, fmtValue } from '../errors';
import { Tensor, shapeSize } from '../tensor';
import { ConvGeometry, Padding, convGeometry, outSpatial } from '../../kernels/conv-geometry';
import { convBackpropFilter as filterJs, convBackpropInput as inputJs, convBiasGrad, convForward as forwardJs } from '../../kernels/conv';
import { convBackpropFilterWasm, convBackpropInputWasm, convForwardWasm } from '../../kernels/wasm/conv';
import { biasGradWasm } from '../../kernels/wasm/pool';
import { getBackend } from '../backend';

export interface ConvOptions {
  strides?: number | number[];
  padding?: Padding;
  dilationRate?: number | number[];
}

/**
 * Forward options: ConvOptions plus an optional `bias` [outC], added inside the kernel (no extra
 * pass over the output, no extra tensor) — what a Conv layer wants.
 */
export interface ConvForwardOptions extends ConvOptions {
  bias?: Tensor;
}

type Rank = 1 | 2 | 3;

const INPUT_LAYOUT: Record<Rank, string> = {
  1: '[batch, width, channels]',
  2: '[batch, height, width, channels]',
  3: '[batch, depth, height, width, channels]',
};
const KERNEL_LAYOUT: Record<Rank, string> = {
  1: '[kernelWidth, inChannels, outChannels]',
  2: '[kernelHeight, kernelWidth, inChannels, outChannels]',
  3: '[kernelDepth, kernelHeight, kernelWidth, inChannels, outChannels]',
};

interface ParsedOptions { strides: number[]; dilations: number[]; padding: Padding }

/** A number or `rank` numbers, each a positive integer. */
function perAxis(op: string, arg: string, v: unknown, rank: Rank): number[] {
  const ok = (n: unknown): boolean => typeof n === 'number' && Number.isInteger(n) && n >= 1;
  if (ok(v)) return new Array<number>(rank).fill(v as number);
  if (Array.isArray(v) && v.length === rank && v.every(ok)) return v.slice();
  throw new ConfigError(`${op}: ${arg} must be a positive integer or an array of ${rank} positive integers, got ${fmtValue(v)}`);
}

function parseOptions(op: string, rank: Rank, opts: unknown): ParsedOptions {
  if (opts === undefined || opts === null) opts = {};
  if (typeof opts !== 'object' || Array.isArray(opts)) {
    throw new ConfigError(`${op}: options must be an object { strides, padding, dilationRate }, got ${fmtValue(opts)}`);
  }
  const o = opts as ConvOptions;
  const strides = perAxis(op, 'strides', o.strides ?? 1, rank);
  const dilations = perAxis(op, 'dilationRate', o.dilationRate ?? 1, rank);
  const padding = o.padding ?? 'valid';
  const allowed = rank === 1 ? ['valid', 'same', 'causal'] : ['valid', 'same'];
  if (!allowed.includes(padding as string)) {
    const hint = padding === 'causal' ? ` ('causal' padding is for conv1d only)` : '';
    throw new ConfigError(`${op}: padding must be ${allowed.map((p) => `'${p}'`).join(' or ')}, got ${fmtValue(padding)}${hint}`);
  }
  if (strides.some((s) => s > 1) && dilations.some((d) => d > 1)) {
    throw new ConfigError(`${op}: strides > 1 together with dilationRate > 1 is not supported, got strides ${fmtShape(strides)} and dilationRate ${fmtShape(dilations)}`);
  }
  return { strides, dilations, padding };
}

function checkTensor(op: string, arg: string, t: unknown): Tensor {
  if (!(t instanceof Tensor)) throw new ValueError(`${op}: ${arg} must be a Tensor, got ${fmtValue(t)}`);
  return t;
}

function checkInputShape(op: string, arg: string, shape: readonly number[], rank: Rank): void {
  if (shape.length !== rank + 2) {
    throw new ShapeError(`${op}: ${arg} must be rank ${rank + 2} ${INPUT_LAYOUT[rank]}, got shape ${fmtShape(shape)}`);
  }
  if (shape[rank + 1] < 1) {
    throw new ShapeError(`${op}: ${arg} must have at least 1 channel, got shape ${fmtShape(shape)}`);
  }
}

function checkKernelShape(op: string, arg: string, shape: readonly number[], rank: Rank): void {
  if (shape.length !== rank + 2) {
    throw new ShapeError(`${op}: ${arg} must be rank ${rank + 2} ${KERNEL_LAYOUT[rank]}, got shape ${fmtShape(shape)}`);
  }
  if (shape.some((d) => d < 1)) {
    throw new ShapeError(`${op}: ${arg} sizes must all be >= 1 ${KERNEL_LAYOUT[rank]}, got shape ${fmtShape(shape)}`);
  }
}

/** A user-supplied full shape (inputShape / kernelShape): an array of non-negative integers. */
function checkShapeArg(op: string, arg: string, shape: unknown): number[] {
  if (!Array.isArray(shape) || !shape.every((d) => typeof d === 'number' && Number.isInteger(d) && d >= 0)) {
    throw new ShapeError(`${op}: ${arg} must be an array of non-negative integers, got ${fmtValue(shape)}`);
  }
  return shape.slice();
}

/**
 * Validates input shape × kernel shape × options and returns the geometry. Throws ShapeError on
 * rank or channel mismatch or an empty output, ConfigError on bad options.
 */
function geometryFor(op: string, rank: Rank, inputShape: readonly number[], kernelShape: readonly number[], opts: unknown,
  inputArg = 'input', kernelArg = 'kernel'): ConvGeometry {
  checkInputShape(op, inputArg, inputShape, rank);
  checkKernelShape(op, kernelArg, kernelShape, rank);
  const inC = inputShape[rank + 1], kInC = kernelShape[rank];
  if (inC !== kInC) {
    throw new ShapeError(`${op}: ${inputArg} channels (${inC}) must equal ${kernelArg} inChannels (${kInC}): ${inputArg} shape ${fmtShape(inputShape)}, ${kernelArg} shape ${fmtShape(kernelShape)}`);
  }
  const { strides, dilations, padding } = parseOptions(op, rank, opts);
  const spatial = inputShape.slice(1, rank + 1), kernel = kernelShape.slice(0, rank);
  const g = convGeometry(rank, inputShape[0], spatial, inC, kernel, kernelShape[rank + 1], strides, dilations, padding);
  const out = outSpatial(g);
  if (out.some((o) => o < 1)) {
    throw new ShapeError(`${op}: output would be empty: ${inputArg} spatial ${fmtShape(spatial)} with kernel ${fmtShape(kernel)}, strides ${fmtShape(strides)}, dilationRate ${fmtShape(dilations)} and padding '${padding}' gives output ${fmtShape(out)}`);
  }
  return g;
}

function outputShapeOf(g: ConvGeometry): number[] {
  return [g.batch, ...outSpatial(g), g.outC];
}

function checkDy(op: string, dy: Tensor, g: ConvGeometry): void {
  const expected = outputShapeOf(g);
  if (dy.rank !== expected.length || dy.shape.some((d, i) => d !== expected[i])) {
    throw new ShapeError(`${op}: dy must have the forward output's shape ${fmtShape(expected)}, got shape ${fmtShape(dy.shape)}`);
  }
}

function forward(op: string, rank: Rank, x: unknown, w: unknown, opts: unknown): Tensor {
  const xt = checkTensor(op, 'input', x), wt = checkTensor(op, 'kernel', w);
  const g = geometryFor(op, rank, xt.shape, wt.shape, opts);
  const b = (opts as ConvForwardOptions | undefined)?.bias;
  let bias: Float32Array | null = null;
  if (b !== undefined) {
    const bt = checkTensor(op, 'bias', b);
    if (bt.rank !== 1 || bt.shape[0] !== g.outC) {
      throw new ShapeError(`${op}: bias must have shape [outChannels] = [${g.outC}], got shape ${fmtShape(bt.shape)}`);
    }
    bias = bt.data;
  }
  const shape = outputShapeOf(g);
  const y = new Float32Array(shapeSize(shape));
  (getBackend() === 'wasm' ? convForwardWasm : forwardJs)(g, xt.data, wt.data, bias, y);
  return new Tensor(y, shape);
}

function backpropInput(op: string, rank: Rank, dy: unknown, w: unknown, inputShape: unknown, opts: unknown): Tensor {
  const dyt = checkTensor(op, 'dy', dy), wt = checkTensor(op, 'kernel', w);
  const shape = checkShapeArg(op, 'inputShape', inputShape);
  const g = geometryFor(op, rank, shape, wt.shape, opts, 'inputShape');
  checkDy(op, dyt, g);
  const dx = new Float32Array(shapeSize(shape));
  (getBackend() === 'wasm' ? convBackpropInputWasm : inputJs)(g, dyt.data, wt.data, dx);
  return new Tensor(dx, shape);
}

function backpropFilter(op: string, rank: Rank, x: unknown, dy: unknown, kernelShape: unknown, opts: unknown): Tensor {
  const xt = checkTensor(op, 'input', x), dyt = checkTensor(op, 'dy', dy);
  const shape = checkShapeArg(op, 'kernelShape', kernelShape);
  const g = geometryFor(op, rank, xt.shape, shape, opts, 'input', 'kernelShape');
  checkDy(op, dyt, g);
  const dw = new Float32Array(shapeSize(shape));
  (getBackend() === 'wasm' ? convBackpropFilterWasm : filterJs)(g, xt.data, dyt.data, dw);
  return new Tensor(dw, shape);
}

/** 1-D convolution: x [batch, width, inC], w [kernelWidth, inC, outC] → [batch, outWidth, outC]. */
export function conv1d(x: Tensor, w: Tensor, opts: ConvForwardOptions = {}): Tensor {
  return forward('conv1d', 1, x, w, opts);
}

/** 2-D convolution: x [batch, h, w, inC], w [kh, kw, inC, outC] → [batch, outH, outW, outC]. */
export function conv2d(x: Tensor, w: Tensor, opts: ConvForwardOptions = {}): Tensor {
  return forward('conv2d', 2, x, w, opts);
}

/** 3-D convolution: x [batch, d, h, w, inC], w [kd, kh, kw, inC, outC] → [batch, outD, outH, outW, outC]. */
export function conv3d(x: Tensor, w: Tensor, opts: ConvForwardOptions = {}): Tensor {
  return forward('conv3d', 3, x, w, opts);
}

/** d loss / d x of conv1d, given dy = d loss / d y; `inputShape` is x's full shape. */
export function conv1dBackpropInput(dy: Tensor, w: Tensor, inputShape: number[], opts: ConvOptions = {}): Tensor {
  return backpropInput('conv1dBackpropInput', 1, dy, w, inputShape, opts);
}

export function conv2dBackpropInput(dy: Tensor, w: Tensor, inputShape: number[], opts: ConvOptions = {}): Tensor {
  return backpropInput('conv2dBackpropInput', 2, dy, w, inputShape, opts);
}

export function conv3dBackpropInput(dy: Tensor, w: Tensor, inputShape: number[], opts: ConvOptions = {}): Tensor {
  return backpropInput('conv3dBackpropInput', 3, dy, w, inputShape, opts);
}

/** d loss / d w of conv1d, given dy = d loss / d y; `kernelShape` is w's full Keras shape. */
export function conv1dBackpropFilter(x: Tensor, dy: Tensor, kernelShape: number[], opts: ConvOptions = {}): Tensor {
  return backpropFilter('conv1dBackpropFilter', 1, x, dy, kernelShape, opts);
}

export function conv2dBackpropFilter(x: Tensor, dy: Tensor, kernelShape: number[], opts: ConvOptions = {}): Tensor {
  return backpropFilter('conv2dBackpropFilter', 2, x, dy, kernelShape, opts);
}

export function conv3dBackpropFilter(x: Tensor, dy: Tensor, kernelShape: number[], opts: ConvOptions = {}): Tensor {
  return backpropFilter('conv3dBackpropFilter', 3, x, dy, kernelShape, opts);
}

/** Bias gradient of a conv (or dense) layer: Σ of dy over every axis but the last → [channels]. */
export function convBiasGradient(dy: Tensor): Tensor {
  const t = checkTensor('convBiasGradient', 'dy', dy);
  if (t.rank < 1) throw new ShapeError(`convBiasGradient: dy must have rank >= 1 [..., channels], got shape ${fmtShape(t.shape)}`);
  const channels = t.shape[t.rank - 1];
  const rows = channels === 0 ? 0 : t.size / channels;
  const db = new Float32Array(channels);
  if (getBackend() === 'wasm') biasGradWasm(rows, channels, t.data, db);
  else convBiasGrad(convGeometry(1, rows, [1], channels, [1], channels, [1], [1], 'valid'), t.data, db);
  return new Tensor(db, [channels]);
}

/**
 * The output shape of conv{rank}d for a full input shape and full kernel shape (validated like
 * the op itself), e.g. convOutputShape(2, [32, 28, 28, 1], [3, 3, 1, 32], { padding: 'same' })
 * → [32, 28, 28, 32]. For layers computing shapes before any data flows.
 */
export function convOutputShape(rank: 1 | 2 | 3, inputShape: number[], kernelShape: number[], opts: ConvOptions = {}): number[] {
  const op = `convOutputShape (conv${rank}d)`;
  if (rank !== 1 && rank !== 2 && rank !== 3) throw new ConfigError(`convOutputShape: rank must be 1, 2 or 3, got ${fmtValue(rank)}`);
  return outputShapeOf(geometryFor(op, rank, checkShapeArg(op, 'inputShape', inputShape), checkShapeArg(op, 'kernelShape', kernelShape), opts, 'input'));
}
