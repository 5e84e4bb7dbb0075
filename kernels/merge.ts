/**
 * Elementwise merges of k equally shaped arrays (the Multiply/Average/Subtract/Maximum/Minimum
 * layers) and their backward passes. Pure functions over Float32Arrays; nothing from lib/.
 *
 *   multiply   y = Π_k x_k            dx_k = dy · Π_{j≠k} x_j   (products recomputed, no division)
 *   average    y = (Σ_k x_k) / K      dx_k = dy / K
 *   subtract   y = x_0 − x_1          dx_0 = dy,  dx_1 = −dy
 *   maximum    y = max_k x_k          dx_k = dy where k is the FIRST index attaining the max, else 0
 *   minimum    y = min_k x_k          the same with min (ties to the first input, as a fold of
 *                                     TensorFlow's maximum/minimum, whose gradient goes to x on x ≥ y)
 */

export type MergeOp = 'multiply' | 'average' | 'subtract' | 'maximum' | 'minimum';

/** y[i] = op over xs[k][i], for i < n. */
export function mergeForward(op: MergeOp, xs: Float32Array[], y: Float32Array, n: number): void {
  const K = xs.length;
  const x0 = xs[0];
  switch (op) {
    case 'multiply':
      for (let i = 0; i < n; i++) { let p = x0[i]; for (let k = 1; k < K; k++) p *= xs[k][i]; y[i] = p; }
      return;
    case 'average': {
      const inv = 1 / K;
      for (let i = 0; i < n; i++) { let s = x0[i]; for (let k = 1; k < K; k++) s += xs[k][i]; y[i] = s * inv; }
      return;
    }
    case 'subtract': {
      const x1 = xs[1];
      for (let i = 0; i < n; i++) y[i] = x0[i] - x1[i];
      return;
    }
    case 'maximum':
      for (let i = 0; i < n; i++) { let m = x0[i]; for (let k = 1; k < K; k++) if (xs[k][i] > m) m = xs[k][i]; y[i] = m; }
      return;
    case 'minimum':
      for (let i = 0; i < n; i++) { let m = x0[i]; for (let k = 1; k < K; k++) if (xs[k][i] < m) m = xs[k][i]; y[i] = m; }
      return;
  }
}

/** dxs[k][i] = d y[i] / d xs[k][i] · dy[i], for i < n (every dxs[k] overwritten). */
export function mergeBackward(op: MergeOp, xs: Float32Array[], dy: Float32Array, dxs: Float32Array[], n: number): void {
  const K = xs.length;
  switch (op) {
    case 'multiply':
      for (let k = 0; k < K; k++) {
        const dx = dxs[k];
        for (let i = 0; i < n; i++) {
          let p = dy[i];
          for (let j = 0; j < K; j++) if (j !== k) p *= xs[j][i];
          dx[i] = p;
        }
      }
      return;
    case 'average': {
      const inv = 1 / K;
      for (let k = 0; k < K; k++) { const dx = dxs[k]; for (let i = 0; i < n; i++) dx[i] = dy[i] * inv; }
      return;
    }
    case 'subtract': {
      const d0 = dxs[0], d1 = dxs[1];
      for (let i = 0; i < n; i++) { d0[i] = dy[i]; d1[i] = -dy[i]; }
      return;
    }
    case 'maximum': case 'minimum': {
      const max = op === 'maximum';
      for (let k = 0; k < K; k++) dxs[k].fill(0, 0, n);
      for (let i = 0; i < n; i++) {
        let best = 0, m = xs[0][i];
        for (let k = 1; k < K; k++) {
          const v = xs[k][i];
          if (max ? v > m : v < m) { m = v; best = k; }
        }
        dxs[best][i] = dy[i];
      }
      return;
    }
  }
}
