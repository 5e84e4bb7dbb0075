/**
 * Pointwise parts of the recurrent cells (SimpleRNN, LSTM, GRU) and the sequence layout moves.
 * The matrix products of every step are GEMMs in the layer (kernels/gemm.ts); these kernels do
 * the elementwise gate math between them, forward and backward, over [batch, units] blocks.
 *
 *   layouts (time-major, one step s = one contiguous block):
 *     Z  [T, B, G]   gate pre-activations (x·W + b + h·U), overwritten by the gate activations
 *     H  [T+1, B, u] hidden states, H[0] = 0 (the initial state); step s reads H[s], writes H[s+1]
 *     C  [T+1, B, u] LSTM carry states, same convention
 *   G = k·units with k = 1 (SimpleRNN), 4 (LSTM: i, f, c, o), 3 (GRU: z, r, h), Keras order.
 *
 * Activations by code (ACT_*): derivatives are taken from the activation's OUTPUT y, as
 * lib/activations.ts does:  linear 1, relu (y > 0), sigmoid y(1 − y), tanh 1 − y²,
 * hardSigmoid 0.2 inside (0, 1) (y = clip(0.2·x + 0.5, 0, 1), the Keras 2 / TensorFlow.js one).
 */

export const ACT_LINEAR = 0;
export const ACT_RELU = 1;
export const ACT_SIGMOID = 2;
export const ACT_TANH = 3;
export const ACT_HARD_SIGMOID = 4;

/** y = act(x) for one of the ACT_* codes. */
export function actForward(code: number, x: number): number {
  switch (code) {
    case ACT_RELU: return x > 0 ? x : 0;
    case ACT_SIGMOID: return 1 / (1 + Math.exp(-x));
    case ACT_TANH: return Math.tanh(x);
    case ACT_HARD_SIGMOID: { const y = 0.2 * x + 0.5; return y <= 0 ? 0 : y >= 1 ? 1 : y; }
    default: return x;
  }
}

/** d act / d x expressed through y = act(x). */
export function actGradFromY(code: number, y: number): number {
  switch (code) {
    case ACT_RELU: return y > 0 ? 1 : 0;
    case ACT_SIGMOID: return y * (1 - y);
    case ACT_TANH: return 1 - y * y;
    case ACT_HARD_SIGMOID: return y > 0 && y < 1 ? 0.2 : 0;
    default: return 1;
  }
}

// ---- layout ----------------------------------------------------------------------------------

/**
 * xt[s, b, i] = x[b, t, i] · mask[b, i]  with t = s (or T − 1 − s when `backwards`);
 * x [B, T, I] batch-major, xt [T, B, I] time-major in processing order; mask [B, I] or null.
 */
export function toTimeMajor(x: Float32Array, batch: number, steps: number, dim: number, backwards: boolean,
  mask: Float32Array | null, xt: Float32Array): void {
  for (let s = 0; s < steps; s++) {
    const t = backwards ? steps - 1 - s : s;
    for (let b = 0; b < batch; b++) {
      const src = (b * steps + t) * dim, dst = (s * batch + b) * dim, m = b * dim;
      if (mask === null) for (let i = 0; i < dim; i++) xt[dst + i] = x[src + i];
      else for (let i = 0; i < dim; i++) xt[dst + i] = x[src + i] * mask[m + i];
    }
  }
}

/** The inverse move for gradients: dx[b, t, i] = dxt[s, b, i] · mask[b, i] (same t(s) as toTimeMajor). */
export function fromTimeMajor(dxt: Float32Array, batch: number, steps: number, dim: number, backwards: boolean,
  mask: Float32Array | null, dx: Float32Array): void {
  for (let s = 0; s < steps; s++) {
    const t = backwards ? steps - 1 - s : s;
    for (let b = 0; b < batch; b++) {
      const dst = (b * steps + t) * dim, src = (s * batch + b) * dim, m = b * dim;
      if (mask === null) for (let i = 0; i < dim; i++) dx[dst + i] = dxt[src + i];
      else for (let i = 0; i < dim; i++) dx[dst + i] = dxt[src + i] * mask[m + i];
    }
  }
}

/**
 * The layer output from the states: returnSequences → y[b, s, j] = H[s+1][b, j] ([B, T, u], in
 * processing order, as Keras), else y[b, j] = H[T][b, j] ([B, u]).
 */
export function statesToOutput(h: Float32Array, batch: number, steps: number, units: number, sequences: boolean, y: Float32Array): void {
  if (!sequences) {
    const off = steps * batch * units;
    for (let n = 0; n < batch * units; n++) y[n] = h[off + n];
    return;
  }
  for (let s = 0; s < steps; s++) {
    for (let b = 0; b < batch; b++) {
      const src = ((s + 1) * batch + b) * units, dst = (b * steps + s) * units;
      for (let j = 0; j < units; j++) y[dst + j] = h[src + j];
    }
  }
}

/**
 * dh[b, j] = dhNext[b, j] + dy at step s: dy[b, s, j] for sequences, dy[b, j] at the last step only.
 */
export function stepOutputGrad(dy: Float32Array, dhNext: Float32Array, batch: number, steps: number, units: number,
  sequences: boolean, s: number, dh: Float32Array): void {
  const n = batch * units;
  if (!sequences) {
    if (s === steps - 1) for (let k = 0; k < n; k++) dh[k] = dhNext[k] + dy[k];
    else for (let k = 0; k < n; k++) dh[k] = dhNext[k];
    return;
  }
  for (let b = 0; b < batch; b++) {
    const src = (b * steps + s) * units, off = b * units;
    for (let j = 0; j < units; j++) dh[off + j] = dhNext[off + j] + dy[src + j];
  }
}

/** out[outOff + k] = a[aOff + k] · m[k] for k < n (a recurrent dropout mask on h). */
export function mulMaskInto(a: Float32Array, aOff: number, m: Float32Array, out: Float32Array, outOff: number, n: number): void {
  for (let k = 0; k < n; k++) out[outOff + k] = a[aOff + k] * m[k];
}

/** dst[k] += src[k] · m[k] (m null: · 1), for k < n. */
export function addMaskedInto(dst: Float32Array, src: Float32Array, m: Float32Array | null, n: number): void {
  if (m === null) for (let k = 0; k < n; k++) dst[k] += src[k];
  else for (let k = 0; k < n; k++) dst[k] += src[k] * m[k];
}

/** Row-vector bias added to `rows` rows of width `cols` (row stride `cols`) starting at `off`. */
export function addBiasRows(z: Float32Array, off: number, bias: Float32Array, biasOff: number, rows: number, cols: number): void {
  for (let r = 0, o = off; r < rows; r++, o += cols) {
    for (let c = 0; c < cols; c++) z[o + c] += bias[biasOff + c];
  }
}

/** dst[dstOff + c] += Σ_r src[r·cols + c]: a bias gradient from a [rows, cols] gradient. */
export function addColumnSums(src: Float32Array, rows: number, cols: number, dst: Float32Array, dstOff: number): void {
  const acc = new Float64Array(cols);
  for (let r = 0, o = 0; r < rows; r++, o += cols) {
    for (let c = 0; c < cols; c++) acc[c] += src[o + c];
  }
  for (let c = 0; c < cols; c++) dst[dstOff + c] += acc[c];
}

// ---- SimpleRNN -------------------------------------------------------------------------------

/** h[hOff + k] = act(z[zOff + k]) for k < n. */
export function activateInto(code: number, z: Float32Array, zOff: number, h: Float32Array, hOff: number, n: number): void {
  for (let k = 0; k < n; k++) h[hOff + k] = actForward(code, z[zOff + k]);
}

/** dz[dzOff + k] = dh[k] · act'(from y[yOff + k]) for k < n. */
export function activationGradInto(code: number, y: Float32Array, yOff: number, dh: Float32Array, dz: Float32Array, dzOff: number, n: number): void {
  for (let k = 0; k < n; k++) dz[dzOff + k] = dh[k] * actGradFromY(code, y[yOff + k]);
}

// ---- LSTM (gates i, f, c, o) -------------------------------------------------------------------

/**
 * One LSTM step on pre-activations z [B, 4u] (at zOff), in place → gate activations:
 *   i = rec(z_i)  f = rec(z_f)  g = act(z_c)  o = rec(z_o)
 *   c = f ⊙ cPrev + i ⊙ g      ac = act(c)      h = o ⊙ ac
 */
export function lstmCellForward(z: Float32Array, zOff: number, c: Float32Array, cPrevOff: number, cOff: number,
  ac: Float32Array, acOff: number, h: Float32Array, hOff: number, batch: number, units: number, act: number, rec: number): void {
  const g4 = 4 * units;
  for (let b = 0; b < batch; b++) {
    const zb = zOff + b * g4, sb = b * units;
    for (let j = 0; j < units; j++) {
      const i = actForward(rec, z[zb + j]);
      const f = actForward(rec, z[zb + units + j]);
      const g = actForward(act, z[zb + 2 * units + j]);
      const o = actForward(rec, z[zb + 3 * units + j]);
      z[zb + j] = i; z[zb + units + j] = f; z[zb + 2 * units + j] = g; z[zb + 3 * units + j] = o;
      const cc = f * c[cPrevOff + sb + j] + i * g;
      c[cOff + sb + j] = cc;
      const a = actForward(act, cc);
      ac[acOff + sb + j] = a;
      h[hOff + sb + j] = o * a;
    }
  }
}

/**
 * Backward of one LSTM step. In: gates (i, f, g, o at gOff), cPrev, ac = act(c), dh (total
 * d loss / d h_t), dc (d loss / d c_t from step t+1). Out: dz [B, 4u] at dzOff, dc ← d loss / d c_{t−1}.
 *   do = dh ⊙ ac                dc_t = dc + dh ⊙ o ⊙ act'(ac)
 *   di = dc_t ⊙ g   dg = dc_t ⊙ i   df = dc_t ⊙ cPrev   dc_{t−1} = dc_t ⊙ f
 *   dz = (di·rec'(i), df·rec'(f), dg·act'(g), do·rec'(o))
 */
export function lstmCellBackward(gates: Float32Array, gOff: number, c: Float32Array, cPrevOff: number,
  ac: Float32Array, acOff: number, dh: Float32Array, dc: Float32Array, dz: Float32Array, dzOff: number,
  batch: number, units: number, act: number, rec: number): void {
  const g4 = 4 * units;
  for (let b = 0; b < batch; b++) {
    const gb = gOff + b * g4, db = dzOff + b * g4, sb = b * units;
    for (let j = 0; j < units; j++) {
      const i = gates[gb + j], f = gates[gb + units + j], g = gates[gb + 2 * units + j], o = gates[gb + 3 * units + j];
      const a = ac[acOff + sb + j];
      const dhv = dh[sb + j];
      const dct = dc[sb + j] + dhv * o * actGradFromY(act, a);
      dz[db + j] = dct * g * actGradFromY(rec, i);
      dz[db + units + j] = dct * c[cPrevOff + sb + j] * actGradFromY(rec, f);
      dz[db + 2 * units + j] = dct * i * actGradFromY(act, g);
      dz[db + 3 * units + j] = dhv * a * actGradFromY(rec, o);
      dc[sb + j] = dct * f;
    }
  }
}

// ---- GRU (gates z, r, h) -----------------------------------------------------------------------

/**
 * resetAfter = false, first half of a step: z, r = rec(pre-activations) in place (z [B, 3u] at
 * zOff), and rh = r ⊙ hm (hm: the masked previous state), the input of the candidate's product.
 */
export function gruGatesForward(z: Float32Array, zOff: number, hm: Float32Array, hmOff: number, rh: Float32Array, rhOff: number,
  batch: number, units: number, rec: number): void {
  const g3 = 3 * units;
  for (let b = 0; b < batch; b++) {
    const zb = zOff + b * g3, sb = b * units;
    for (let j = 0; j < units; j++) {
      z[zb + j] = actForward(rec, z[zb + j]);
      const r = actForward(rec, z[zb + units + j]);
      z[zb + units + j] = r;
      rh[rhOff + sb + j] = r * hm[hmOff + sb + j];
    }
  }
}

/** resetAfter = false, second half: hh = act(z_h) in place, h = z ⊙ hPrev + (1 − z) ⊙ hh. */
export function gruOutputForward(z: Float32Array, zOff: number, h: Float32Array, hPrevOff: number, hOff: number,
  batch: number, units: number, act: number): void {
  const g3 = 3 * units;
  for (let b = 0; b < batch; b++) {
    const zb = zOff + b * g3, sb = b * units;
    for (let j = 0; j < units; j++) {
      const hh = actForward(act, z[zb + 2 * units + j]);
      z[zb + 2 * units + j] = hh;
      const u = z[zb + j];
      h[hOff + sb + j] = u * h[hPrevOff + sb + j] + (1 - u) * hh;
    }
  }
}

/**
 * resetAfter = true, a whole step: with rc = hm·U + b_rec [B, 3u] (at rcOff) and x-part z [B, 3u]:
 *   z = rec(x_z + rc_z)   r = rec(x_r + rc_r)   hh = act(x_h + r ⊙ rc_h)   h = z ⊙ hPrev + (1 − z) ⊙ hh
 * z, r, hh overwrite the pre-activations.
 */
export function gruResetAfterForward(z: Float32Array, zOff: number, rc: Float32Array, rcOff: number, h: Float32Array,
  hPrevOff: number, hOff: number, batch: number, units: number, act: number, rec: number): void {
  const g3 = 3 * units;
  for (let b = 0; b < batch; b++) {
    const zb = zOff + b * g3, rb = rcOff + b * g3, sb = b * units;
    for (let j = 0; j < units; j++) {
      const u = actForward(rec, z[zb + j] + rc[rb + j]);
      const r = actForward(rec, z[zb + units + j] + rc[rb + units + j]);
      const hh = actForward(act, z[zb + 2 * units + j] + r * rc[rb + 2 * units + j]);
      z[zb + j] = u; z[zb + units + j] = r; z[zb + 2 * units + j] = hh;
      h[hOff + sb + j] = u * h[hPrevOff + sb + j] + (1 - u) * hh;
    }
  }
}

/**
 * GRU backward, the part both variants share. From dh (total d loss / d h_t):
 *   dz_z = dh ⊙ (hPrev − hh) ⊙ rec'(z)     dz_h = dh ⊙ (1 − z) ⊙ act'(hh)     dhPrev = dh ⊙ z
 * written to dz [B, 3u] (z and h parts) and dhPrev [B, u] (the direct path; the products add later).
 */
export function gruBackwardOutput(gates: Float32Array, gOff: number, h: Float32Array, hPrevOff: number, dh: Float32Array,
  dz: Float32Array, dzOff: number, dhPrev: Float32Array, batch: number, units: number, act: number, rec: number): void {
  const g3 = 3 * units;
  for (let b = 0; b < batch; b++) {
    const gb = gOff + b * g3, db = dzOff + b * g3, sb = b * units;
    for (let j = 0; j < units; j++) {
      const u = gates[gb + j], hh = gates[gb + 2 * units + j];
      const d = dh[sb + j];
      dz[db + j] = d * (h[hPrevOff + sb + j] - hh) * actGradFromY(rec, u);
      dz[db + 2 * units + j] = d * (1 - u) * actGradFromY(act, hh);
      dhPrev[sb + j] = d * u;
    }
  }
}

/**
 * resetAfter = false: from drh = dz_h·U_hᵀ (d loss / d (r ⊙ hm)):
 *   dz_r = drh ⊙ hm ⊙ rec'(r)      dhm = drh ⊙ r
 */
export function gruBackwardReset(gates: Float32Array, gOff: number, hm: Float32Array, hmOff: number, drh: Float32Array,
  dz: Float32Array, dzOff: number, dhm: Float32Array, batch: number, units: number, rec: number): void {
  const g3 = 3 * units;
  for (let b = 0; b < batch; b++) {
    const gb = gOff + b * g3, db = dzOff + b * g3, sb = b * units;
    for (let j = 0; j < units; j++) {
      const r = gates[gb + units + j], d = drh[sb + j];
      dz[db + units + j] = d * hm[hmOff + sb + j] * actGradFromY(rec, r);
      dhm[sb + j] = d * r;
    }
  }
}

/**
 * resetAfter = true: with rc_h kept from the forward and dz_h = d loss / d (x_h + r ⊙ rc_h):
 *   dz_r = dz_h ⊙ rc_h ⊙ rec'(r)     drc = (dz_z, dz_r, dz_h ⊙ r)   [B, 3u] at drcOff
 */
export function gruBackwardResetAfter(gates: Float32Array, gOff: number, rc: Float32Array, rcOff: number,
  dz: Float32Array, dzOff: number, drc: Float32Array, drcOff: number, batch: number, units: number, rec: number): void {
  const g3 = 3 * units;
  for (let b = 0; b < batch; b++) {
    const gb = gOff + b * g3, db = dzOff + b * g3, rb = rcOff + b * g3, ob = drcOff + b * g3;
    for (let j = 0; j < units; j++) {
      const r = gates[gb + units + j], dh = dz[db + 2 * units + j];
      const dr = dh * rc[rb + 2 * units + j] * actGradFromY(rec, r);
      dz[db + units + j] = dr;
      drc[ob + j] = dz[db + j];
      drc[ob + units + j] = dr;
      drc[ob + 2 * units + j] = dh * r;
    }
  }
}

// ---- Embedding -------------------------------------------------------------------------------

/** y[n, :] = table[idx[n], :] for n < count (indices already checked to be in range). */
export function gatherRows(table: Float32Array, idx: Float32Array, count: number, dim: number, y: Float32Array): void {
  for (let n = 0; n < count; n++) {
    const src = idx[n] * dim, dst = n * dim;
    for (let d = 0; d < dim; d++) y[dst + d] = table[src + d];
  }
}

/** grad[idx[n], :] += dy[n, :] for n < count: the scatter-add that is an embedding's gradient. */
export function scatterAddRows(dy: Float32Array, idx: Float32Array, count: number, dim: number, grad: Float32Array): void {
  for (let n = 0; n < count; n++) {
    const dst = idx[n] * dim, src = n * dim;
    for (let d = 0; d < dim; d++) grad[dst + d] += dy[src + d];
  }
}
