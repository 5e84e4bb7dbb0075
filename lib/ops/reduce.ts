/**
 * Reductions over any set of axes: sum, mean, max, min (keepDims optional), and argMax.
 *
 *   sum(x)                 all axes → shape []
 *   sum(x, [0, 2], true)   [A,B,C,D] → [1,B,1,D]
 *
 * How a reduction runs: size-1 axes are dropped and adjacent axes of the same kind (reduced or
 * kept) are merged, so the input reads as alternating groups, e.g. [B,N] over axis 0 is
 * (reduced B)(kept N). An odometer walks every axis but the last; the last group is one tight loop:
 *   last group reduced  acc[o] ∘= x[i … i+n)          (a row sum, contiguous)
 *   last group kept     acc[o+j] ∘= x[i+j], j < n     (a vector accumulate, contiguous)
 * Sums accumulate in float64. No allocation per element; one odometer step per row.
 * NaN propagates through sum and max/min (max([1, NaN]) = NaN).
 */
import { ShapeError, fmtShape } from '../errors';
import { Tensor, shapeSize } from '../tensor';
import { checkTensor, normalizeAxes, normalizeAxis } from './broadcast';

const SUM = 0, MAX = 1, MIN = 2;

function reduce(op: string, kind: number, x: Tensor, axis: number | number[] | undefined, keepDims: boolean): { acc: Float64Array; shape: number[]; count: number } {
  checkTensor(op, 'x', x);
  const axes = normalizeAxes(op, axis, x.rank);
  const shape = x.shape;
  const reduced = new Array<boolean>(x.rank).fill(false);
  for (const a of axes) reduced[a] = true;

  const outShape: number[] = [];
  let count = 1;
  for (let d = 0; d < x.rank; d++) {
    if (reduced[d]) { count *= shape[d]; if (keepDims) outShape.push(1); } else outShape.push(shape[d]);
  }
  const outSize = shapeSize(outShape);
  const acc = new Float64Array(outSize);
  if (kind !== SUM) {
    if (count === 0 && outSize > 0) {
      throw new ShapeError(`${op}: cannot reduce over an empty axis (x shape ${fmtShape(shape)}, axes [${axes.join(',')}])`);
    }
    acc.fill(kind === MAX ? -Infinity : Infinity);
  }
  if (outSize === 0 || count === 0) return { acc, shape: outShape, count };

  // Collapse into alternating groups of reduced / kept axes (size-1 axes dropped).
  const dims: number[] = [], red: boolean[] = [];
  for (let d = 0; d < x.rank; d++) {
    if (shape[d] === 1) continue;
    const last = dims.length - 1;
    if (last >= 0 && red[last] === reduced[d]) dims[last] *= shape[d];
    else { dims.push(shape[d]); red.push(reduced[d]); }
  }
  const xd = x.data;
  const r = dims.length;
  if (r === 0) { acc[0] = xd[0]; return { acc, shape: outShape, count }; }
  // Input strides (row-major over the groups) and output strides (over kept groups only, 0 for reduced).
  const xs = new Array<number>(r), os = new Array<number>(r);
  for (let d = r - 1, s = 1, so = 1; d >= 0; d--) {
    xs[d] = s; s *= dims[d];
    if (red[d]) os[d] = 0; else { os[d] = so; so *= dims[d]; }
  }
  const n = dims[r - 1];
  const lastReduced = red[r - 1];
  const rows = x.size / n;
  const idx = new Array<number>(r).fill(0);
  let o = 0;
  for (let row = 0, i = 0; row < rows; row++, i += n) {
    if (lastReduced) {
      const end = i + n;
      if (kind === SUM) {
        let s = 0;
        for (let p = i; p < end; p++) s += xd[p];
        acc[o] += s;
      } else if (kind === MAX) {
        let m = acc[o];
        for (let p = i; p < end; p++) { const v = xd[p]; if (v > m || v !== v) m = v; }
        acc[o] = m;
      } else {
        let m = acc[o];
        for (let p = i; p < end; p++) { const v = xd[p]; if (v < m || v !== v) m = v; }
        acc[o] = m;
      }
    } else if (kind === SUM) {
      for (let j = 0; j < n; j++) acc[o + j] += xd[i + j];
    } else if (kind === MAX) {
      for (let j = 0; j < n; j++) { const v = xd[i + j]; if (v > acc[o + j] || v !== v) acc[o + j] = v; }
    } else {
      for (let j = 0; j < n; j++) { const v = xd[i + j]; if (v < acc[o + j] || v !== v) acc[o + j] = v; }
    }
    // Odometer over groups r-2 … 0 (only the output offset is needed; the input is read in order).
    for (let d = r - 2; d >= 0; d--) {
      o += os[d];
      if (++idx[d] < dims[d]) break;
      o -= os[d] * dims[d];
      idx[d] = 0;
    }
  }
  // An accumulator that saw a NaN stays NaN: `v > NaN` is false and a later NaN re-assigns NaN.
  return { acc, shape: outShape, count };
}

/** Σ x over `axis` (an axis, a list of axes, or all when omitted); float64 accumulation. */
export function sum(x: Tensor, axis?: number | number[], keepDims = false): Tensor {
  const { acc, shape } = reduce('sum', SUM, x, axis, keepDims);
  return new Tensor(new Float32Array(acc), shape);
}

/** Mean over `axis` (all when omitted): the sum divided by the number of reduced values (NaN when 0). */
export function mean(x: Tensor, axis?: number | number[], keepDims = false): Tensor {
  const { acc, shape, count } = reduce('mean', SUM, x, axis, keepDims);
  const out = new Float32Array(acc.length);
  for (let i = 0; i < acc.length; i++) out[i] = acc[i] / count;
  return new Tensor(out, shape);
}

/** Maximum over `axis` (all when omitted); NaN if any reduced value is NaN. Empty axes throw. */
export function max(x: Tensor, axis?: number | number[], keepDims = false): Tensor {
  const { acc, shape } = reduce('max', MAX, x, axis, keepDims);
  return new Tensor(new Float32Array(acc), shape);
}

/** Minimum over `axis` (all when omitted); NaN if any reduced value is NaN. Empty axes throw. */
export function min(x: Tensor, axis?: number | number[], keepDims = false): Tensor {
  const { acc, shape } = reduce('min', MIN, x, axis, keepDims);
  return new Tensor(new Float32Array(acc), shape);
}

/**
 * Index of the maximum along one axis (default last), as float32 values; the axis is removed.
 * Ties give the first maximum; a NaN counts as the maximum (the first NaN wins, as NumPy).
 */
export function argMax(x: Tensor, axis = -1): Tensor {
  checkTensor('argMax', 'x', x);
  if (x.rank === 0) throw new ShapeError(`argMax: x must have rank >= 1, got a scalar (shape [])`);
  const ax = normalizeAxis('argMax', axis, x.rank);
  const len = x.shape[ax];
  const inner = shapeSize(x.shape.slice(ax + 1));
  const outShape = x.shape.filter((_, d) => d !== ax);
  const outSize = shapeSize(outShape);
  if (len === 0 && outSize > 0) {
    throw new ShapeError(`argMax: cannot take argMax over an empty axis (x shape ${fmtShape(x.shape)}, axis ${ax})`);
  }
  const outer = outSize === 0 ? 0 : outSize / inner;
  const xd = x.data, out = new Float32Array(outSize);
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const base = o * len * inner + i;
      let best = 0, m = xd[base];
      if (m === m) {
        for (let j = 1, p = base + inner; j < len; j++, p += inner) {
          const v = xd[p];
          if (v > m) { m = v; best = j; } else if (v !== v) { best = j; break; }
        }
      }
      out[o * inner + i] = best;
    }
  }
  return new Tensor(out, outShape);
}
