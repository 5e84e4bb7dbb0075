/**
 * Data-movement loops for the reshaping layers (padding, cropping, up-sampling, repeat) and the
 * elementwise loops of the noise and merge layers. Pure functions over Float32Arrays and sizes;
 * they import nothing from lib/.
 *
 *   copyBox       dst[dstBegin + i] = src[srcBegin + i]   for every multi-index i < size (any rank)
 *                 (zero padding: copy x into a zeroed y at an offset; cropping: copy a box of x)
 *   repeatAxis    [outer, n, inner] → [outer, n·r, inner]: every inner block repeated r times
 *   sumRepeats    the adjoint of repeatAxis: [outer, n·r, inner] → [outer, n, inner], blocks summed
 *   bilinear2d    [b, h, w, c] → [b, oh, ow, c], half-pixel centres (TensorFlow's tf.image.resize):
 *                   src = (dst + ½)·(in / out) − ½, lower = max(⌊src⌋, 0), upper = min(⌈src⌉, in − 1),
 *                   y = lerp(x[lower], x[upper], src − ⌊src⌋) along each spatial axis
 *   bilinear2dBackward  the adjoint: each dy scattered to its four sources with the same weights
 */

/**
 * Box copy of any rank. `srcShape`/`dstShape` are full shapes (row-major, contiguous), `size` the
 * box extent per axis, `srcBegin`/`dstBegin` its corner in each array. The last axis is copied as
 * one contiguous run.
 */
export function copyBox(src: Float32Array, srcShape: readonly number[], srcBegin: readonly number[],
  dst: Float32Array, dstShape: readonly number[], dstBegin: readonly number[], size: readonly number[]): void {
  const rank = size.length;
  for (let a = 0; a < rank; a++) if (size[a] === 0) return;
  const srcStride = new Array<number>(rank), dstStride = new Array<number>(rank);
  let ss = 1, ds = 1;
  for (let a = rank - 1; a >= 0; a--) { srcStride[a] = ss; dstStride[a] = ds; ss *= srcShape[a]; ds *= dstShape[a]; }
  const run = size[rank - 1];
  const rec = (a: number, so: number, doff: number): void => {
    const s0 = so + srcBegin[a] * srcStride[a], d0 = doff + dstBegin[a] * dstStride[a];
    if (a === rank - 1) { dst.set(src.subarray(s0, s0 + run), d0); return; }
    for (let i = 0; i < size[a]; i++) rec(a + 1, s0 + i * srcStride[a], d0 + i * dstStride[a]);
  };
  rec(0, 0, 0);
}

/** dst [outer, n·r, inner] ← src [outer, n, inner], each inner block written r times in a row. */
export function repeatAxis(src: Float32Array, outer: number, n: number, inner: number, r: number, dst: Float32Array): void {
  let d = 0;
  for (let o = 0; o < outer; o++) {
    for (let i = 0, s = o * n * inner; i < n; i++, s += inner) {
      const block = src.subarray(s, s + inner);
      for (let k = 0; k < r; k++, d += inner) dst.set(block, d);
    }
  }
}

/** dst [outer, n, inner] = Σ over the r repeats of src [outer, n·r, inner] (dst is overwritten). */
export function sumRepeats(src: Float32Array, outer: number, n: number, inner: number, r: number, dst: Float32Array): void {
  let s = 0;
  for (let o = 0; o < outer; o++) {
    for (let i = 0, d = o * n * inner; i < n; i++, d += inner) {
      for (let j = 0; j < inner; j++) dst[d + j] = 0;
      for (let k = 0; k < r; k++, s += inner) for (let j = 0; j < inner; j++) dst[d + j] += src[s + j];
    }
  }
}

/** Source indices and weight of output position `o` for one axis (half-pixel centres). */
function lerpTable(inSize: number, outSize: number): { lo: Int32Array; hi: Int32Array; t: Float64Array } {
  const lo = new Int32Array(outSize), hi = new Int32Array(outSize), t = new Float64Array(outSize);
  const scale = inSize / outSize;
  for (let o = 0; o < outSize; o++) {
    const src = (o + 0.5) * scale - 0.5;
    const f = Math.floor(src);
    lo[o] = Math.max(f, 0);
    hi[o] = Math.min(Math.ceil(src), inSize - 1);
    t[o] = src - f;
  }
  return { lo, hi, t };
}

/** y [b, oh, ow, c] = bilinear resize of x [b, h, w, c] (half-pixel centres). */
export function bilinear2d(x: Float32Array, b: number, h: number, w: number, c: number, oh: number, ow: number, y: Float32Array): void {
  const ry = lerpTable(h, oh), rx = lerpTable(w, ow);
  let d = 0;
  for (let n = 0; n < b; n++) {
    const base = n * h * w * c;
    for (let oy = 0; oy < oh; oy++) {
      const top = base + ry.lo[oy] * w * c, bot = base + ry.hi[oy] * w * c, ty = ry.t[oy];
      for (let ox = 0; ox < ow; ox++) {
        const l = rx.lo[ox] * c, r = rx.hi[ox] * c, tx = rx.t[ox];
        for (let ch = 0; ch < c; ch++, d++) {
          const a = x[top + l + ch], bb = x[top + r + ch], cc = x[bot + l + ch], dd = x[bot + r + ch];
          const upper = a + (bb - a) * tx, lower = cc + (dd - cc) * tx;
          y[d] = upper + (lower - upper) * ty;
        }
      }
    }
  }
}

/** dx [b, h, w, c] = adjoint of bilinear2d applied to dy [b, oh, ow, c] (dx is overwritten). */
export function bilinear2dBackward(dy: Float32Array, b: number, h: number, w: number, c: number, oh: number, ow: number, dx: Float32Array): void {
  const ry = lerpTable(h, oh), rx = lerpTable(w, ow);
  dx.fill(0, 0, b * h * w * c);
  let d = 0;
  for (let n = 0; n < b; n++) {
    const base = n * h * w * c;
    for (let oy = 0; oy < oh; oy++) {
      const top = base + ry.lo[oy] * w * c, bot = base + ry.hi[oy] * w * c, ty = ry.t[oy];
      for (let ox = 0; ox < ow; ox++) {
        const l = rx.lo[ox] * c, r = rx.hi[ox] * c, tx = rx.t[ox];
        const wa = (1 - ty) * (1 - tx), wb = (1 - ty) * tx, wc = ty * (1 - tx), wd = ty * tx;
        for (let ch = 0; ch < c; ch++, d++) {
          const g = dy[d];
          dx[top + l + ch] += g * wa;
          dx[top + r + ch] += g * wb;
          dx[bot + l + ch] += g * wc;
          dx[bot + r + ch] += g * wd;
        }
      }
    }
  }
}

/** out[i] = x[i] + noise[i] (Gaussian noise), for i < n. */
export function addNoise(x: Float32Array, noise: Float32Array, out: Float32Array, n: number): void {
  for (let i = 0; i < n; i++) out[i] = x[i] + noise[i];
}

/**
 * Channel-wise mask broadcast: out[o, s, c] = x[o, s, c] · mask[o, c] for x laid out as
 * [outer, spatial, channels] (channels-last spatial dropout); for channels-first pass
 * channels = 1 and a mask of [outer·C] with spatial = the per-channel block, i.e. call with
 * (outer = batch·C, spatial, channels = 1).
 */
export function mulChannelMask(x: Float32Array, mask: Float32Array, outer: number, spatial: number, channels: number, out: Float32Array): void {
  let i = 0;
  for (let o = 0; o < outer; o++) {
    const m0 = o * channels;
    for (let s = 0; s < spatial; s++) for (let ch = 0; ch < channels; ch++, i++) out[i] = x[i] * mask[m0 + ch];
  }
}
