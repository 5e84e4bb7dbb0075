/**
 * Layout ops: transpose, concat, slice, oneHot. Each returns a new contiguous tensor.
 *
 *   transpose([2,3,4], [2,0,1]) → [4,2,3]          out[i,j,k] = x[j,k,i]
 *   concat([[2,3], [2,5]], 1)   → [2,8]
 *   slice([4,5], [1,2], [2,-1]) → [2,3]            rows 1..2, columns 2..4 (-1: to the end)
 *   oneHot([0,2], 3)            → [[1,0,0],[0,0,1]]
 */
import { ConfigError, ShapeError, ValueError, fmtShape, fmtValue } from '../errors';
import { NestedArray, Tensor, checkShape, shapeSize, stridesOf, tensor } from '../tensor';
import { checkTensor, normalizeAxis } from './broadcast';

/** Copies below this length use a plain loop; longer ones `TypedArray.set` (one subarray view each). */
const SET_MIN = 64;

/**
 * Permutes the axes: output axis d is input axis perm[d]. Default perm reverses the axes.
 * Axes that stay adjacent are merged first; the last two remaining axes are copied in 32×32 tiles
 * so both the reads and the writes stay within a few cache lines.
 */
export function transpose(x: Tensor, perm?: number[]): Tensor {
  checkTensor('transpose', 'x', x);
  const rank = x.rank;
  let p: number[];
  if (perm === undefined) {
    p = [];
    for (let d = rank - 1; d >= 0; d--) p.push(d);
  } else {
    const ok = Array.isArray(perm) && perm.length === rank &&
      perm.every((v) => Number.isInteger(v) && v >= 0 && v < rank) && new Set(perm).size === rank;
    if (!ok) {
      throw new ValueError(
        `transpose: perm must be a permutation of [0..${rank - 1}] for x shape ${fmtShape(x.shape)}, got ${fmtValue(perm)}`,
      );
    }
    p = perm.slice();
  }
  const inStrides = stridesOf(x.shape);
  const outShape = p.map((a) => x.shape[a]);
  const out = new Float32Array(x.size);
  if (x.size === 0) return new Tensor(out, outShape);

  // Collapse: drop size-1 axes, merge output-adjacent axes that are also input-adjacent.
  const dims: number[] = [], st: number[] = [];
  for (let d = 0; d < rank; d++) {
    const size = outShape[d], s = inStrides[p[d]];
    if (size === 1) continue;
    const last = dims.length - 1;
    if (last >= 0 && st[last] === s * size) { dims[last] *= size; st[last] = s; } else { dims.push(size); st.push(s); }
  }
  const xd = x.data;
  const r = dims.length;
  if (r <= 1) { out.set(xd); return new Tensor(out, outShape); } // order unchanged

  // Odometer over axes 0 … r-3; each step copies one [R, C] tile grid (axes r-2, r-1).
  const R = dims[r - 2], C = dims[r - 1], sr = st[r - 2], sc = st[r - 1];
  const TILE = 32;
  const outer = x.size / (R * C);
  const idx = new Array<number>(r).fill(0);
  let base = 0;
  for (let t = 0, o = 0; t < outer; t++, o += R * C) {
    for (let i0 = 0; i0 < R; i0 += TILE) {
      const i1 = Math.min(i0 + TILE, R);
      for (let j0 = 0; j0 < C; j0 += TILE) {
        const j1 = Math.min(j0 + TILE, C);
        for (let i = i0; i < i1; i++) {
          const orow = o + i * C, irow = base + i * sr;
          for (let j = j0; j < j1; j++) out[orow + j] = xd[irow + j * sc];
        }
      }
    }
    for (let d = r - 3; d >= 0; d--) {
      base += st[d];
      if (++idx[d] < dims[d]) break;
      base -= st[d] * dims[d];
      idx[d] = 0;
    }
  }
  return new Tensor(out, outShape);
}

/** Joins tensors along `axis` (negative counts from the end); every other axis must agree. */
export function concat(xs: Tensor[], axis = 0): Tensor {
  if (!Array.isArray(xs) || xs.length === 0) {
    throw new ValueError(`concat: xs must be a non-empty array of tensors, got ${fmtValue(xs)}`);
  }
  xs.forEach((t, i) => checkTensor('concat', `xs[${i}]`, t));
  const first = xs[0];
  if (first.rank === 0) throw new ShapeError(`concat: tensors must have rank >= 1, got xs[0] shape []`);
  const ax = normalizeAxis('concat', axis, first.rank);
  let total = 0;
  for (let i = 0; i < xs.length; i++) {
    const s = xs[i].shape;
    const same = s.length === first.rank && s.every((d, j) => j === ax || d === first.shape[j]);
    if (!same) {
      throw new ShapeError(
        `concat: xs[${i}] shape ${fmtShape(s)} does not match xs[0] shape ${fmtShape(first.shape)} on the axes other than axis ${ax}`,
      );
    }
    total += s[ax];
  }
  const outShape = first.shape.slice();
  outShape[ax] = total;
  const out = new Float32Array(shapeSize(outShape));
  if (out.length === 0) return new Tensor(out, outShape);
  const inner = shapeSize(first.shape.slice(ax + 1));
  const outer = out.length / (total * inner);
  let o = 0;
  for (let b = 0; b < outer; b++) {
    for (let i = 0; i < xs.length; i++) {
      const chunk = xs[i].shape[ax] * inner, xd = xs[i].data, start = b * chunk;
      if (chunk >= SET_MIN) out.set(xd.subarray(start, start + chunk), o);
      else for (let j = 0; j < chunk; j++) out[o + j] = xd[start + j];
      o += chunk;
    }
  }
  return new Tensor(out, outShape);
}

function indexList(op: string, arg: string, v: unknown, rank: number, x: Tensor): number[] {
  const list = typeof v === 'number' ? [v] : v;
  if (!Array.isArray(list) || list.length !== rank || !list.every((d) => Number.isInteger(d))) {
    throw new ValueError(`${op}: ${arg} must be ${rank} integer(s), one per axis of x shape ${fmtShape(x.shape)}, got ${fmtValue(v)}`);
  }
  return list;
}

/**
 * The block of x starting at `begin` with `size` values per axis (an entry -1: to the end of that
 * axis; `size` omitted: to the end of every axis). For a rank-1 x, begin and size may be numbers.
 */
export function slice(x: Tensor, begin: number | number[], size?: number | number[]): Tensor {
  checkTensor('slice', 'x', x);
  const rank = x.rank;
  const b = indexList('slice', 'begin', begin, rank, x);
  const s = size === undefined ? new Array<number>(rank).fill(-1) : indexList('slice', 'size', size, rank, x);
  const outShape = new Array<number>(rank);
  for (let d = 0; d < rank; d++) {
    const dim = x.shape[d];
    if (b[d] < 0 || b[d] > dim) {
      throw new ShapeError(`slice: begin[${d}] = ${b[d]} is out of range for x shape ${fmtShape(x.shape)} (expected 0 <= begin <= ${dim})`);
    }
    const n = s[d] === -1 ? dim - b[d] : s[d];
    if (n < 0 || b[d] + n > dim) {
      throw new ShapeError(
        `slice: size[${d}] = ${s[d]} with begin[${d}] = ${b[d]} runs past x shape ${fmtShape(x.shape)} (expected -1 or 0 <= size <= ${dim - b[d]})`,
      );
    }
    outShape[d] = n;
  }
  const out = new Float32Array(shapeSize(outShape));
  if (out.length === 0) return new Tensor(out, outShape);
  if (rank === 0) { out[0] = x.data[0]; return new Tensor(out, outShape); }
  const xs = stridesOf(x.shape);
  let base = 0;
  for (let d = 0; d < rank; d++) base += b[d] * xs[d];
  // Odometer over axes 0 … rank-2; each step copies one contiguous run of the last axis.
  const n = outShape[rank - 1];
  const rows = out.length / n;
  const idx = new Array<number>(rank).fill(0);
  const xd = x.data;
  for (let row = 0, o = 0; row < rows; row++, o += n) {
    if (n >= SET_MIN) out.set(xd.subarray(base, base + n), o);
    else for (let j = 0; j < n; j++) out[o + j] = xd[base + j];
    for (let d = rank - 2; d >= 0; d--) {
      base += xs[d];
      if (++idx[d] < outShape[d]) break;
      base -= xs[d] * outShape[d];
      idx[d] = 0;
    }
  }
  return new Tensor(out, outShape);
}

/**
 * One-hot rows: shape [...indices.shape, depth], 1 at each index, 0 elsewhere.
 *
 * Unlike TensorFlow (which returns a zero row for an out-of-range index), Ridge throws a
 * ValueError for an index that is not an integer in [0, depth), naming the position and value:
 * a silent zero row turns a label bug into a quietly wrong loss.
 */
export function oneHot(indices: Tensor | number[], depth: number): Tensor {
  let t: Tensor;
  if (indices instanceof Tensor) t = indices;
  else if (Array.isArray(indices)) {
    try { t = tensor(indices as NestedArray); } catch (e) {
      throw new ValueError(`oneHot: indices must be a Tensor or a (nested) array of integers; ${(e as Error).message}`);
    }
  }
  else throw new ValueError(`oneHot: indices must be a Tensor or an array of integers, got ${fmtValue(indices)}`);
  if (!Number.isInteger(depth) || depth < 1) {
    throw new ConfigError(`oneHot: depth must be a positive integer, got ${fmtValue(depth)}`);
  }
  const id = t.data, n = id.length;
  for (let i = 0; i < n; i++) {
    const v = id[i];
    if (!Number.isInteger(v) || v < 0 || v >= depth) {
      throw new ValueError(`oneHot: indices[${i}] = ${v} is not an integer in [0, ${depth}) (depth ${depth})`);
    }
  }
  checkShape('oneHot', 'output shape [...indices.shape, depth]', [...t.shape, depth]);
  const out = new Float32Array(n * depth);
  for (let i = 0; i < n; i++) out[i * depth + id[i]] = 1;
  return new Tensor(out, [...t.shape, depth]);
}
