/**
 * Batch and layer normalization over a tensor viewed as [outer, n, inner] (row-major): the
 * normalized axes (layer norm) or the channel axis (batch norm) are the middle block, so a
 * channels-last tensor [rows, C] is outer = rows, n = C, inner = 1, and a channels-first one
 * [batch, C, h·w] is outer = batch, inner = h·w.
 *
 *   element (o, j, i) is x[(o·n + j)·inner + i]
 *
 * Batch norm (per channel j; N = outer·inner samples of it):
 *   mean_j = Σ x / N,  var_j = Σ (x − mean_j)² / N   (biased, as Keras and TensorFlow.js)
 *   y = γ_j·(x − mean_j)·s_j + β_j,   s_j = 1 / √(var_j + ε)
 *   backward, batch statistics:   x̂ = (x − mean)·s
 *     dβ_j += Σ dy,   dγ_j += Σ dy·x̂,   dx = γ_j·s_j·(dy − Σdy / N − x̂·Σ(dy·x̂) / N)
 *   backward, fixed (moving) statistics:   dx = γ_j·s_j·dy   (same dγ, dβ)
 *
 * Layer norm (per row (o, i), over its n elements; γ, β indexed by j):
 *   mean, var over j (biased), s = 1 / √(var + ε),  y = γ_j·(x − mean)·s + β_j
 *   backward:  g_j = dy_j·γ_j,  dx_j = s·(g_j − mean_j(g) − x̂_j·mean_j(g·x̂)),
 *              dγ_j += dy_j·x̂_j,  dβ_j += dy_j
 *
 * Sums are float64. Pure functions over typed arrays; gradients of γ and β are ADDED (+=); every
 * other output is overwritten. γ or β null means 1 or 0 (Keras scale = false / center = false).
 */

/** Per-channel float64 accumulators, grown by replacement (never detached). */
let wsA = new Float64Array(0);
let wsB = new Float64Array(0);
let wsC = new Float64Array(0);

/** Two zeroed per-channel accumulators (a third, wsC, is grown with them for batchNormBackward). */
function work(n: number): [Float64Array, Float64Array] {
  if (wsA.length < n) { wsA = new Float64Array(n); wsB = new Float64Array(n); wsC = new Float64Array(n); }
  wsA.fill(0, 0, n);
  wsB.fill(0, 0, n);
  return [wsA, wsB];
}

/**
 * batchNormMoments:  mean[j], variance[j] of channel j over (o, i) — two passes (mean, then the
 * squared deviations), so large offsets do not cancel.
 */
export function batchNormMoments(x: Float32Array, outer: number, n: number, inner: number,
  mean: Float32Array, variance: Float32Array): void {
  const [s, q] = work(n);
  const count = outer * inner;
  for (let o = 0; o < outer; o++) {
    const base = o * n * inner;
    if (inner === 1) {
      for (let j = 0; j < n; j++) s[j] += x[base + j];
    } else {
      for (let j = 0; j < n; j++) {
        const row = base + j * inner;
        let acc = 0;
        for (let i = 0; i < inner; i++) acc += x[row + i];
        s[j] += acc;
      }
    }
  }
  for (let j = 0; j < n; j++) s[j] = count > 0 ? s[j] / count : 0;
  for (let o = 0; o < outer; o++) {
    const base = o * n * inner;
    if (inner === 1) {
      for (let j = 0; j < n; j++) { const d = x[base + j] - s[j]; q[j] += d * d; }
    } else {
      for (let j = 0; j < n; j++) {
        const row = base + j * inner, m = s[j];
        let acc = 0;
        for (let i = 0; i < inner; i++) { const d = x[row + i] - m; acc += d * d; }
        q[j] += acc;
      }
    }
  }
  for (let j = 0; j < n; j++) { mean[j] = s[j]; variance[j] = count > 0 ? q[j] / count : 0; }
}

/** batchNormForward:  y = γ_j·(x − mean_j) / √(var_j + ε) + β_j, as one multiply-add per element. */
export function batchNormForward(x: Float32Array, outer: number, n: number, inner: number,
  mean: Float32Array, variance: Float32Array, gamma: Float32Array | null, beta: Float32Array | null,
  epsilon: number, y: Float32Array): void {
  const [scale, shift] = work(n);
  for (let j = 0; j < n; j++) {
    const sj = (gamma === null ? 1 : gamma[j]) / Math.sqrt(variance[j] + epsilon);
    scale[j] = sj;
    shift[j] = (beta === null ? 0 : beta[j]) - mean[j] * sj;
  }
  for (let o = 0; o < outer; o++) {
    const base = o * n * inner;
    if (inner === 1) {
      for (let j = 0; j < n; j++) y[base + j] = x[base + j] * scale[j] + shift[j];
    } else {
      for (let j = 0; j < n; j++) {
        const row = base + j * inner, a = scale[j], b = shift[j];
        for (let i = 0; i < inner; i++) y[row + i] = x[row + i] * a + b;
      }
    }
  }
}

/**
 * batchNormBackward: dγ += Σ dy·x̂, dβ += Σ dy (each when its array is given), and dx (when given)
 * through the batch statistics (`batchStats`) or through fixed statistics.
 */
export function batchNormBackward(dy: Float32Array, x: Float32Array, outer: number, n: number, inner: number,
  mean: Float32Array, variance: Float32Array, gamma: Float32Array | null, epsilon: number, batchStats: boolean,
  dx: Float32Array | null, dgamma: Float32Array | null, dbeta: Float32Array | null): void {
  const [sdy, sdyx] = work(n);
  // Σ dy and Σ dy·(x − mean) per channel.
  for (let o = 0; o < outer; o++) {
    const base = o * n * inner;
    if (inner === 1) {
      for (let j = 0; j < n; j++) { const g = dy[base + j]; sdy[j] += g; sdyx[j] += g * (x[base + j] - mean[j]); }
    } else {
      for (let j = 0; j < n; j++) {
        const row = base + j * inner, m = mean[j];
        let a = 0, b = 0;
        for (let i = 0; i < inner; i++) { const g = dy[row + i]; a += g; b += g * (x[row + i] - m); }
        sdy[j] += a; sdyx[j] += b;
      }
    }
  }
  const count = outer * inner;
  // Turn the sums into per-channel coefficients, in place: dx = a·dy + b·(x − mean) + c, with
  // a in wsC, b overwriting Σ dy·(x − mean) and c overwriting Σ dy (each read before it is replaced).
  const ca = wsC, cb = sdyx, cc = sdy;
  for (let j = 0; j < n; j++) {
    const s = 1 / Math.sqrt(variance[j] + epsilon);
    const sumXhat = sdyx[j] * s; // Σ dy·x̂
    if (dgamma !== null) dgamma[j] += sumXhat;
    if (dbeta !== null) dbeta[j] += sdy[j];
    const g = gamma === null ? 1 : gamma[j];
    ca[j] = g * s;
    if (batchStats && count > 0) {
      cb[j] = -g * s * s * s * sdyx[j] / count; // −γ·s·x̂·Σ(dy·x̂)/N with x̂ = (x − mean)·s
      cc[j] = -g * s * sdy[j] / count;
    } else {
      cb[j] = 0;
      cc[j] = 0;
    }
  }
  if (dx === null) return;
  for (let o = 0; o < outer; o++) {
    const base = o * n * inner;
    if (inner === 1) {
      for (let j = 0; j < n; j++) dx[base + j] = ca[j] * dy[base + j] + cb[j] * (x[base + j] - mean[j]) + cc[j];
    } else {
      for (let j = 0; j < n; j++) {
        const row = base + j * inner, a = ca[j], b = cb[j], c = cc[j], m = mean[j];
        for (let i = 0; i < inner; i++) dx[row + i] = a * dy[row + i] + b * (x[row + i] - m) + c;
      }
    }
  }
}

/**
 * layerNormForward: per row r = (o, i), mean[r] and invStd[r] = 1/√(var + ε) over its n elements
 * (kept for the backward), and y = γ_j·(x − mean)·invStd + β_j.
 */
export function layerNormForward(x: Float32Array, outer: number, n: number, inner: number,
  gamma: Float32Array | null, beta: Float32Array | null, epsilon: number,
  y: Float32Array, mean: Float32Array, invStd: Float32Array): void {
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const base = o * n * inner + i;
      let s = 0;
      for (let j = 0, p = base; j < n; j++, p += inner) s += x[p];
      const m = n > 0 ? s / n : 0;
      let q = 0;
      for (let j = 0, p = base; j < n; j++, p += inner) { const d = x[p] - m; q += d * d; }
      const r = 1 / Math.sqrt((n > 0 ? q / n : 0) + epsilon);
      mean[o * inner + i] = m;
      invStd[o * inner + i] = r;
      for (let j = 0, p = base; j < n; j++, p += inner) {
        y[p] = (x[p] - m) * r * (gamma === null ? 1 : gamma[j]) + (beta === null ? 0 : beta[j]);
      }
    }
  }
}

/** layerNormBackward: dγ += Σ_rows dy·x̂, dβ += Σ_rows dy (when given), dx (when given). */
export function layerNormBackward(dy: Float32Array, x: Float32Array, outer: number, n: number, inner: number,
  mean: Float32Array, invStd: Float32Array, gamma: Float32Array | null,
  dx: Float32Array | null, dgamma: Float32Array | null, dbeta: Float32Array | null): void {
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const base = o * n * inner + i;
      const m = mean[o * inner + i], r = invStd[o * inner + i];
      let sg = 0, sgx = 0;
      for (let j = 0, p = base; j < n; j++, p += inner) {
        const xh = (x[p] - m) * r, d = dy[p];
        if (dgamma !== null) dgamma[j] += d * xh;
        if (dbeta !== null) dbeta[j] += d;
        const g = d * (gamma === null ? 1 : gamma[j]);
        sg += g; sgx += g * xh;
      }
      if (dx === null) continue;
      const mg = sg / n, mgx = sgx / n;
      for (let j = 0, p = base; j < n; j++, p += inner) {
        const xh = (x[p] - m) * r;
        dx[p] = r * (dy[p] * (gamma === null ? 1 : gamma[j]) - mg - xh * mgx);
      }
    }
  }
}

/** movingAverageUpdate:  moving ← moving·momentum + value·(1 − momentum) (Keras' assign), i < n. */
export function movingAverageUpdate(moving: Float32Array, value: Float32Array, momentum: number, n: number): void {
  const keep = momentum, take = 1 - momentum;
  for (let i = 0; i < n; i++) moving[i] = moving[i] * keep + value[i] * take;
}
