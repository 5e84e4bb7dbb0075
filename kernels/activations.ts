/**
 * Elementwise loops that the layers need and no op provides: activation derivatives (computed
 * from the activation's OUTPUT y, which the layer keeps anyway), the dropout mask, and the
 * gradient accumulation `grad += g`.
 *
 *   relu      y = max(x, 0)        dx = dy · (y > 0)
 *   sigmoid   y = 1 / (1 + e^−x)   dx = dy · y · (1 − y)
 *   tanh      y = tanh(x)          dx = dy · (1 − y²)
 *   softmax   y = softmax(x) rows  dx = y ⊙ (dy − Σ_j dy_j · y_j)      (one row = the last axis)
 *   dropout   mask_i = u_i >= rate ? 1 / (1 − rate) : 0                 (inverted scaling)
 *
 * Pure functions over Float32Arrays and sizes; they allocate nothing and import nothing from lib/.
 * Output arrays may alias an input (every loop reads index i before writing index i).
 */

/** dx[i] = y[i] > 0 ? dy[i] : 0, for i < n. */
export function reluBackward(y: Float32Array, dy: Float32Array, dx: Float32Array, n: number): void {
  for (let i = 0; i < n; i++) dx[i] = y[i] > 0 ? dy[i] : 0;
}

/** dx[i] = dy[i] · y[i] · (1 − y[i]), for i < n. */
export function sigmoidBackward(y: Float32Array, dy: Float32Array, dx: Float32Array, n: number): void {
  for (let i = 0; i < n; i++) {
    const yi = y[i];
    dx[i] = dy[i] * yi * (1 - yi);
  }
}

/** dx[i] = dy[i] · (1 − y[i]²), for i < n. */
export function tanhBackward(y: Float32Array, dy: Float32Array, dx: Float32Array, n: number): void {
  for (let i = 0; i < n; i++) {
    const yi = y[i];
    dx[i] = dy[i] * (1 - yi * yi);
  }
}

/**
 * Softmax Jacobian-vector product over `rows` contiguous rows of length `cols`:
 *   dx[r, j] = y[r, j] · (dy[r, j] − Σ_k dy[r, k] · y[r, k])
 * The row dot product is accumulated in float64.
 */
export function softmaxBackward(y: Float32Array, dy: Float32Array, dx: Float32Array, rows: number, cols: number): void {
  for (let r = 0, off = 0; r < rows; r++, off += cols) {
    let dot = 0;
    for (let j = 0; j < cols; j++) dot += dy[off + j] * y[off + j];
    for (let j = 0; j < cols; j++) dx[off + j] = y[off + j] * (dy[off + j] - dot);
  }
}

/** Anything with a uniform() in [0, 1): lib/random.ts's Random fits (no import needed). */
export interface UniformSource { uniform(): number }

/**
 * Inverted-dropout mask: mask[i] = scale when the i-th uniform draw is >= rate, else 0, for i < n.
 * Draws exactly n numbers from `rng`, in index order, so a seeded source gives the same mask.
 */
export function dropoutMask(mask: Float32Array, n: number, rate: number, scale: number, rng: UniformSource): void {
  for (let i = 0; i < n; i++) mask[i] = rng.uniform() >= rate ? scale : 0;
}

/** out[i] = a[i] · b[i], for i < n (applies a dropout mask forward and backward). */
export function mulInto(a: Float32Array, b: Float32Array, out: Float32Array, n: number): void {
  for (let i = 0; i < n; i++) out[i] = a[i] * b[i];
}

/** dst[i] += src[i], for i < n: adds a weight gradient into its accumulator. */
export function addInto(dst: Float32Array, src: Float32Array, n: number): void {
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    dst[i] += src[i];
    dst[i + 1] += src[i + 1];
    dst[i + 2] += src[i + 2];
    dst[i + 3] += src[i + 3];
  }
  for (; i < n; i++) dst[i] += src[i];
}

/**
 * Adds a bias row to every row of a [rows, cols] matrix, in place:  y[r, c] += bias[c].
 * Used on a freshly computed layer output (never on a tensor someone else holds).
 */
export function addBiasRowsInPlace(y: Float32Array, bias: Float32Array, rows: number, cols: number): void {
  for (let r = 0, off = 0; r < rows; r++, off += cols) {
    for (let c = 0; c < cols; c++) y[off + c] += bias[c];
  }
}

/** y[i] = max(y[i], 0) in place, for i < n (NaN stays NaN, as IEEE max would). */
export function reluInPlace(y: Float32Array, n: number): void {
  for (let i = 0; i < n; i++) {
    const v = y[i];
    if (v < 0) y[i] = 0;
  }
}
