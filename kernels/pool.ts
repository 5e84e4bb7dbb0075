/**
 * Max and average pooling of rank 1, 2 and 3, forward and backward, plus global pooling.
 *
 * Contract (channels-last; every rank stored as 3-D by ./conv-geometry, inC = outC = C, dilation 1):
 *
 *   x, dx  [batch, inD, inH, inW, C]        y, dy  [batch, outD, outH, outW, C]
 *
 *   window of output (od, oh, ow) = input positions (od·sD − padFront + kd, oh·sH − padTop + kh,
 *   ow·sW − padLeft + kw), k… < kD, kH, kW, CLIPPED to the input: padded positions take no part.
 *
 *   max  y = max over the window; dx gets dy at the FIRST maximum in row-major window order
 *        (kd, kh, kw) — TensorFlow's rule for ties. A NaN in the window is the maximum (the first
 *        NaN), so NaN propagates like IEEE arithmetic instead of being dropped.
 *   avg  y = (sum over the window) / n, n = number of window positions inside the input
 *        ('same' borders divide by fewer than kD·kH·kW); backward spreads dy / n over the same n
 *        positions — the exact derivative of the forward.
 *
 * Picture, one axis, in = 5, k = 3, s = 2, 'same' (out = 3, total pad = 2: 1 before, 1 after):
 *
 *   input        [pad] x0  x1  x2  x3  x4 [pad]
 *   out 0         └──────────┘                    window x0..x1   n = 2
 *   out 1                 └──────────┘            window x1..x3   n = 3
 *   out 2                         └──────────┘    window x3..x4   n = 2
 *
 * How: for each output position the clipped window ranges are computed once (per axis, outside the
 * channel loop), the input offsets of its n valid positions are listed in `win`, and then every
 * channel runs a loop over that list (index j) with no bounds tests. Max pooling selects the index of the
 * maximum without a branch (`best ^= (best ^ i) & take`, take = 0 or −1 from the comparison), and
 * every kernel runs four channels side by side: on data in random order a compare-and-branch
 * mispredicts about once per window; the branch-free select measured 1.5–3× faster, and four
 * independent chains at a time (max and avg alike) another 1.5–2×. Backward kernels overwrite dx.
 *
 * Global pooling views x as [batch, spatialSize, C] (spatialSize = product of the spatial axes)
 * and y as [batch, C]; same max/avg rules. Indices are int32 (the bit select), so x must hold
 * fewer than 2^31 values.
 */
import { ConvGeometry } from './conv-geometry';

/**
 * Lists, for one output position, the x offsets (relative to `xBatch`) of the window positions
 * inside the input, in row-major window order. Returns how many (always ≥ 1 for 'valid'/'same').
 */
function listWindow(
  g: ConvGeometry, win: Int32Array, xBatch: number, od: number, oh: number, ow: number,
): number {
  const C = g.inC, rowW = C, rowH = g.inW * C, rowD = g.inH * g.inW * C;
  const d0 = od * g.strideD - g.padFront, h0 = oh * g.strideH - g.padTop, w0 = ow * g.strideW - g.padLeft;
  const dLo = d0 < 0 ? 0 : d0, dHi = Math.min(d0 + g.kD, g.inD);
  const hLo = h0 < 0 ? 0 : h0, hHi = Math.min(h0 + g.kH, g.inH);
  const wLo = w0 < 0 ? 0 : w0, wHi = Math.min(w0 + g.kW, g.inW);
  let n = 0;
  for (let d = dLo; d < dHi; d++) {
    const offD = xBatch + d * rowD;
    for (let h = hLo; h < hHi; h++) {
      const offH = offD + h * rowH;
      for (let w = wLo; w < wHi; w++) win[n++] = offH + w * rowW;
    }
  }
  return n;
}

/**
 * The x index of the first maximum among x[win[j] + c], j < n — or of the first NaN, if any.
 * Branch-free select: `take` is −1 (all bits) when v beats m, else 0.
 */
function firstMaxIndex(x: Float32Array, win: Int32Array, n: number, c: number): number {
  let best = win[0] + c;
  let m = x[best];
  for (let j = 1; j < n; j++) {
    const i = win[j] + c, v = x[i];
    const take = -((+(v > m) | +(v !== v)) & +(m === m));
    best ^= (best ^ i) & take;
    m = x[best];
  }
  return best;
}

/*
 * Max pooling, four channels at a time: four independent select chains (best0…best3) keep the
 * CPU busy while each waits on its load. The chains only test `v > m`; a NaN anywhere in the
 * group sets `nan`, and that group is redone by firstMaxIndex, which makes the first NaN win.
 * (A NaN in the window's first position already wins: nothing compares greater than it.)
 */

/** y = max over each window (first max; NaN wins). */
export function maxPoolForward(g: ConvGeometry, x: Float32Array, y: Float32Array): void {
  const C = g.inC, xBatchSize = g.inD * g.inH * g.inW * C;
  const win = new Int32Array(g.kD * g.kH * g.kW);
  let yOff = 0;
  for (let b = 0; b < g.batch; b++) {
    const xBatch = b * xBatchSize;
    for (let od = 0; od < g.outD; od++) {
      for (let oh = 0; oh < g.outH; oh++) {
        for (let ow = 0; ow < g.outW; ow++, yOff += C) {
          const n = listWindow(g, win, xBatch, od, oh, ow);
          const first = win[0];
          let c = 0;
          for (; c + 4 <= C; c += 4) {
            let best0 = first + c, best1 = best0 + 1, best2 = best0 + 2, best3 = best0 + 3;
            let m0 = x[best0], m1 = x[best1], m2 = x[best2], m3 = x[best3];
            let nan = 0;
            for (let j = 1; j < n; j++) {
              const i = win[j] + c;
              const v0 = x[i], v1 = x[i + 1], v2 = x[i + 2], v3 = x[i + 3];
              best0 ^= (best0 ^ i) & -(+(v0 > m0));
              best1 ^= (best1 ^ (i + 1)) & -(+(v1 > m1));
              best2 ^= (best2 ^ (i + 2)) & -(+(v2 > m2));
              best3 ^= (best3 ^ (i + 3)) & -(+(v3 > m3));
              nan |= +(v0 !== v0) | +(v1 !== v1) | +(v2 !== v2) | +(v3 !== v3);
              m0 = x[best0]; m1 = x[best1]; m2 = x[best2]; m3 = x[best3];
            }
            if (nan === 0) {
              y[yOff + c] = m0; y[yOff + c + 1] = m1; y[yOff + c + 2] = m2; y[yOff + c + 3] = m3;
            } else {
              for (let cc = c; cc < c + 4; cc++) y[yOff + cc] = x[firstMaxIndex(x, win, n, cc)];
            }
          }
          for (; c < C; c++) y[yOff + c] = x[firstMaxIndex(x, win, n, c)];
        }
      }
    }
  }
}

/** dx = Σ over outputs of dy at the window's first maximum (first NaN if any). Overwrites dx. */
export function maxPoolBackward(g: ConvGeometry, x: Float32Array, dy: Float32Array, dx: Float32Array): void {
  dx.fill(0);
  const C = g.inC, xBatchSize = g.inD * g.inH * g.inW * C;
  const win = new Int32Array(g.kD * g.kH * g.kW);
  let yOff = 0;
  for (let b = 0; b < g.batch; b++) {
    const xBatch = b * xBatchSize;
    for (let od = 0; od < g.outD; od++) {
      for (let oh = 0; oh < g.outH; oh++) {
        for (let ow = 0; ow < g.outW; ow++, yOff += C) {
          const n = listWindow(g, win, xBatch, od, oh, ow);
          const first = win[0];
          let c = 0;
          for (; c + 4 <= C; c += 4) {
            let best0 = first + c, best1 = best0 + 1, best2 = best0 + 2, best3 = best0 + 3;
            let m0 = x[best0], m1 = x[best1], m2 = x[best2], m3 = x[best3];
            let nan = 0;
            for (let j = 1; j < n; j++) {
              const i = win[j] + c;
              const v0 = x[i], v1 = x[i + 1], v2 = x[i + 2], v3 = x[i + 3];
              best0 ^= (best0 ^ i) & -(+(v0 > m0));
              best1 ^= (best1 ^ (i + 1)) & -(+(v1 > m1));
              best2 ^= (best2 ^ (i + 2)) & -(+(v2 > m2));
              best3 ^= (best3 ^ (i + 3)) & -(+(v3 > m3));
              nan |= +(v0 !== v0) | +(v1 !== v1) | +(v2 !== v2) | +(v3 !== v3);
              m0 = x[best0]; m1 = x[best1]; m2 = x[best2]; m3 = x[best3];
            }
            if (nan === 0) {
              dx[best0] += dy[yOff + c]; dx[best1] += dy[yOff + c + 1];
              dx[best2] += dy[yOff + c + 2]; dx[best3] += dy[yOff + c + 3];
            } else {
              for (let cc = c; cc < c + 4; cc++) dx[firstMaxIndex(x, win, n, cc)] += dy[yOff + cc];
            }
          }
          for (; c < C; c++) dx[firstMaxIndex(x, win, n, c)] += dy[yOff + c];
        }
      }
    }
  }
}

/** y = mean of each window over its positions inside the input. */
export function avgPoolForward(g: ConvGeometry, x: Float32Array, y: Float32Array): void {
  const C = g.inC, xBatchSize = g.inD * g.inH * g.inW * C;
  const win = new Int32Array(g.kD * g.kH * g.kW);
  let yOff = 0;
  for (let b = 0; b < g.batch; b++) {
    const xBatch = b * xBatchSize;
    for (let od = 0; od < g.outD; od++) {
      for (let oh = 0; oh < g.outH; oh++) {
        for (let ow = 0; ow < g.outW; ow++, yOff += C) {
          const n = listWindow(g, win, xBatch, od, oh, ow);
          let c = 0;
          for (; c + 4 <= C; c += 4) { // four channels side by side: four independent sums
            let sum0 = 0, sum1 = 0, sum2 = 0, sum3 = 0;
            for (let j = 0; j < n; j++) {
              const i = win[j] + c;
              sum0 += x[i]; sum1 += x[i + 1]; sum2 += x[i + 2]; sum3 += x[i + 3];
            }
            y[yOff + c] = sum0 / n; y[yOff + c + 1] = sum1 / n; y[yOff + c + 2] = sum2 / n; y[yOff + c + 3] = sum3 / n;
          }
          for (; c < C; c++) {
            let sum = 0;
            for (let j = 0; j < n; j++) sum += x[win[j] + c];
            y[yOff + c] = sum / n;
          }
        }
      }
    }
  }
}

/** dx = Σ over outputs of dy / n spread over the window's n positions inside the input. Overwrites dx. */
export function avgPoolBackward(g: ConvGeometry, dy: Float32Array, dx: Float32Array): void {
  dx.fill(0);
  const C = g.inC, xBatchSize = g.inD * g.inH * g.inW * C;
  const win = new Int32Array(g.kD * g.kH * g.kW);
  let yOff = 0;
  for (let b = 0; b < g.batch; b++) {
    const xBatch = b * xBatchSize;
    for (let od = 0; od < g.outD; od++) {
      for (let oh = 0; oh < g.outH; oh++) {
        for (let ow = 0; ow < g.outW; ow++, yOff += C) {
          const n = listWindow(g, win, xBatch, od, oh, ow);
          let c = 0;
          for (; c + 4 <= C; c += 4) {
            const share0 = dy[yOff + c] / n, share1 = dy[yOff + c + 1] / n;
            const share2 = dy[yOff + c + 2] / n, share3 = dy[yOff + c + 3] / n;
            for (let j = 0; j < n; j++) {
              const i = win[j] + c;
              dx[i] += share0; dx[i + 1] += share1; dx[i + 2] += share2; dx[i + 3] += share3;
            }
          }
          for (; c < C; c++) {
            const share = dy[yOff + c] / n;
            for (let j = 0; j < n; j++) dx[win[j] + c] += share;
          }
        }
      }
    }
  }
}

/*
 * Global pooling walks the spatial positions of four channels at a time (stride C between
 * positions), keeping four sums or four running maxima in locals. Over a long spatial axis a new
 * maximum is rare, so here a plain compare-and-branch predicts well and beats the branch-free
 * select; as above, a NaN in a group sends that group to the exact scalar loop.
 */

/** x [batch, spatialSize, channels] → y [batch, channels]: mean over the spatial positions. */
export function globalAvgPoolForward(batch: number, spatialSize: number, channels: number, x: Float32Array, y: Float32Array): void {
  const C = channels, S = spatialSize;
  for (let b = 0; b < batch; b++) {
    const xBatch = b * S * C, yOff = b * C;
    let c = 0;
    for (; c + 4 <= C; c += 4) {
      let sum0 = 0, sum1 = 0, sum2 = 0, sum3 = 0;
      for (let s = 0, i = xBatch + c; s < S; s++, i += C) {
        sum0 += x[i]; sum1 += x[i + 1]; sum2 += x[i + 2]; sum3 += x[i + 3];
      }
      y[yOff + c] = sum0 / S; y[yOff + c + 1] = sum1 / S; y[yOff + c + 2] = sum2 / S; y[yOff + c + 3] = sum3 / S;
    }
    for (; c < C; c++) {
      let sum = 0;
      for (let s = 0, i = xBatch + c; s < S; s++, i += C) sum += x[i];
      y[yOff + c] = sum / S;
    }
  }
}

/** dx [batch, spatialSize, channels] = dy [batch, channels] / spatialSize at every position. Overwrites dx. */
export function globalAvgPoolBackward(batch: number, spatialSize: number, channels: number, dy: Float32Array, dx: Float32Array): void {
  const C = channels, S = spatialSize, batchSize = S * C;
  for (let b = 0; b < batch; b++) {
    const yOff = b * C, xBatch = b * batchSize;
    for (let c = 0; c < C; c++) dx[xBatch + c] = dy[yOff + c] / S;
    // Copy the first row over the rest, doubling the filled part each time (log2(S) memcpy calls).
    for (let filled = C; filled < batchSize;) {
      const len = Math.min(filled, batchSize - filled);
      dx.copyWithin(xBatch + filled, xBatch, xBatch + len);
      filled += len;
    }
  }
}

/** The x index of the first spatial maximum (or first NaN) of channel c of the batch at xBatch. */
function globalFirstMaxIndex(x: Float32Array, xBatch: number, S: number, C: number, c: number): number {
  let best = xBatch + c;
  let m = x[best];
  for (let s = 1, i = best + C; s < S && m === m; s++, i += C) {
    const v = x[i];
    if (v > m || v !== v) { m = v; best = i; }
  }
  return best;
}

/**
 * For every (batch, channel), the x index of the first spatial maximum (first NaN if any), into
 * `best` [batch, channels].
 */
function globalArgMax(batch: number, S: number, C: number, x: Float32Array, best: Int32Array): void {
  for (let b = 0; b < batch; b++) {
    const xBatch = b * S * C, yOff = b * C;
    let c = 0;
    for (; c + 4 <= C; c += 4) {
      let i = xBatch + c;
      let best0 = i, best1 = i + 1, best2 = i + 2, best3 = i + 3;
      let m0 = x[i], m1 = x[i + 1], m2 = x[i + 2], m3 = x[i + 3];
      let nan = +(m0 !== m0) | +(m1 !== m1) | +(m2 !== m2) | +(m3 !== m3);
      for (let s = 1; s < S; s++) {
        i += C;
        const v0 = x[i], v1 = x[i + 1], v2 = x[i + 2], v3 = x[i + 3];
        if (v0 > m0) { m0 = v0; best0 = i; }
        if (v1 > m1) { m1 = v1; best1 = i + 1; }
        if (v2 > m2) { m2 = v2; best2 = i + 2; }
        if (v3 > m3) { m3 = v3; best3 = i + 3; }
        nan |= +(v0 !== v0) | +(v1 !== v1) | +(v2 !== v2) | +(v3 !== v3);
      }
      if (nan === 0) {
        best[yOff + c] = best0; best[yOff + c + 1] = best1; best[yOff + c + 2] = best2; best[yOff + c + 3] = best3;
      } else {
        for (let cc = c; cc < c + 4; cc++) best[yOff + cc] = globalFirstMaxIndex(x, xBatch, S, C, cc);
      }
    }
    for (; c < C; c++) best[yOff + c] = globalFirstMaxIndex(x, xBatch, S, C, c);
  }
}

/** x [batch, spatialSize, channels] → y [batch, channels]: max over the spatial positions (first max; NaN wins). */
export function globalMaxPoolForward(batch: number, spatialSize: number, channels: number, x: Float32Array, y: Float32Array): void {
  const best = new Int32Array(batch * channels);
  globalArgMax(batch, spatialSize, channels, x, best);
  for (let o = 0; o < best.length; o++) y[o] = x[best[o]];
}

/** dx = dy at the first spatial maximum of each (batch, channel), 0 elsewhere. Overwrites dx. */
export function globalMaxPoolBackward(
  batch: number, spatialSize: number, channels: number, x: Float32Array, dy: Float32Array, dx: Float32Array,
): void {
  const best = new Int32Array(batch * channels);
  globalArgMax(batch, spatialSize, channels, x, best);
  dx.fill(0);
  for (let o = 0; o < best.length; o++) dx[best[o]] = dy[o];
}
