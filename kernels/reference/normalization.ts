/**
 * Naive normalization loops, straight from the definitions: the oracle for spec/. Layout
 * [outer, n, inner] as kernels/normalization.ts; float64 throughout.
 *
 *   batch norm forward   y = γ_j·(x − mean_j)/√(var_j + ε) + β_j, stats over (o, i) or given
 *   layer norm forward   the same per row (o, i) over j
 *   backward             dx_q = Σ_p dy_p · ∂y_p/∂x_q, the Jacobian written out element by element
 *                        (O(N²) per group):  ∂y_p/∂x_q = γ·s·(δ_pq − 1/N − x̂_p·x̂_q/N)
 *                        with batch/row statistics, γ·s·δ_pq with fixed statistics
 */

function at(o: number, j: number, i: number, n: number, inner: number): number {
  return (o * n + j) * inner + i;
}

/** Batch norm forward and backward on one channel at a time; stats given (moving) or computed (batch). */
export function batchNormReference(x: Float32Array, dy: Float32Array, outer: number, n: number, inner: number,
  gamma: Float32Array | null, beta: Float32Array | null, epsilon: number,
  fixed: { mean: Float32Array; variance: Float32Array } | null):
  { y: Float64Array; dx: Float64Array; dgamma: Float64Array; dbeta: Float64Array; mean: Float64Array; variance: Float64Array } {
  const size = outer * n * inner, N = outer * inner;
  const y = new Float64Array(size), dx = new Float64Array(size);
  const dgamma = new Float64Array(n), dbeta = new Float64Array(n), mean = new Float64Array(n), variance = new Float64Array(n);
  for (let j = 0; j < n; j++) {
    const idx: number[] = [];
    for (let o = 0; o < outer; o++) for (let i = 0; i < inner; i++) idx.push(at(o, j, i, n, inner));
    let m = 0, v = 0;
    if (fixed) { m = fixed.mean[j]; v = fixed.variance[j]; } else {
      for (const p of idx) m += x[p];
      m /= N;
      for (const p of idx) v += (x[p] - m) ** 2;
      v /= N;
    }
    mean[j] = m; variance[j] = v;
    const s = 1 / Math.sqrt(v + epsilon), g = gamma ? gamma[j] : 1, b = beta ? beta[j] : 0;
    for (const p of idx) {
      const xh = (x[p] - m) * s;
      y[p] = g * xh + b;
      dgamma[j] += dy[p] * xh;
      dbeta[j] += dy[p];
    }
    for (const q of idx) {
      let acc = 0;
      for (const p of idx) {
        const delta = p === q ? 1 : 0;
        const J = fixed ? g * s * delta : g * s * (delta - 1 / N - ((x[p] - m) * s) * ((x[q] - m) * s) / N);
        acc += dy[p] * J;
      }
      dx[q] = acc;
    }
  }
  return { y, dx, dgamma, dbeta, mean, variance };
}

/** Layer norm forward and backward, one row (o, i) at a time. */
export function layerNormReference(x: Float32Array, dy: Float32Array, outer: number, n: number, inner: number,
  gamma: Float32Array | null, beta: Float32Array | null, epsilon: number):
  { y: Float64Array; dx: Float64Array; dgamma: Float64Array; dbeta: Float64Array } {
  const size = outer * n * inner;
  const y = new Float64Array(size), dx = new Float64Array(size);
  const dgamma = new Float64Array(n), dbeta = new Float64Array(n);
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      let m = 0, v = 0;
      for (let j = 0; j < n; j++) m += x[at(o, j, i, n, inner)];
      m /= n;
      for (let j = 0; j < n; j++) v += (x[at(o, j, i, n, inner)] - m) ** 2;
      v /= n;
      const s = 1 / Math.sqrt(v + epsilon);
      const xh = (j: number): number => (x[at(o, j, i, n, inner)] - m) * s;
      for (let j = 0; j < n; j++) {
        const p = at(o, j, i, n, inner);
        y[p] = (gamma ? gamma[j] : 1) * xh(j) + (beta ? beta[j] : 0);
        dgamma[j] += dy[p] * xh(j);
        dbeta[j] += dy[p];
      }
      for (let q = 0; q < n; q++) {
        let acc = 0;
        for (let p = 0; p < n; p++) {
          const J = (gamma ? gamma[p] : 1) * s * ((p === q ? 1 : 0) - 1 / n - xh(p) * xh(q) / n);
          acc += dy[at(o, p, i, n, inner)] * J;
        }
        dx[at(o, q, i, n, inner)] = acc;
      }
    }
  }
  return { y, dx, dgamma, dbeta };
}
