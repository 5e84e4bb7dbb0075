/**
 * Naive pooling loops: the oracle for spec/pool.spec.ts and the baseline for bench/.
 *
 * Same signatures and contracts as ../pool.ts, with the suffix `Reference`. Every loop walks the
 * whole window and tests each position against the input bounds (padding is simply skipped), and
 * every element is addressed by its full row-major index — slow, obviously right.
 *
 *   x  [batch, inD, inH, inW, C]   y / dy  [batch, outD, outH, outW, C]   (rank 1/2: inD = inH = 1 …)
 *
 * Max: the first maximum in row-major window order (kd, kh, kw) wins; a NaN in the window is the
 * maximum (the first NaN). Avg: the sum over positions inside the input divided by their count.
 */
import { ConvGeometry } from '../conv-geometry';

function xIndex(g: ConvGeometry, b: number, d: number, h: number, w: number, c: number): number {
  return (((b * g.inD + d) * g.inH + h) * g.inW + w) * g.inC + c;
}

function yIndex(g: ConvGeometry, b: number, d: number, h: number, w: number, c: number): number {
  return (((b * g.outD + d) * g.outH + h) * g.outW + w) * g.outC + c;
}

/**
 * Calls `visit(xIndex)` for every window position of output (b, od, oh, ow, c) that lies inside
 * the input, in row-major window order.
 */
function forEachInWindow(
  g: ConvGeometry, b: number, od: number, oh: number, ow: number, c: number, visit: (i: number) => void,
): void {
  for (let kd = 0; kd < g.kD; kd++) {
    const d = od * g.strideD - g.padFront + kd * g.dilD;
    if (d < 0 || d >= g.inD) continue;
    for (let kh = 0; kh < g.kH; kh++) {
      const h = oh * g.strideH - g.padTop + kh * g.dilH;
      if (h < 0 || h >= g.inH) continue;
      for (let kw = 0; kw < g.kW; kw++) {
        const w = ow * g.strideW - g.padLeft + kw * g.dilW;
        if (w < 0 || w >= g.inW) continue;
        visit(xIndex(g, b, d, h, w, c));
      }
    }
  }
}

/** Calls `visit(b, od, oh, ow, c)` for every output element in row-major order. */
function forEachOutput(g: ConvGeometry, visit: (b: number, od: number, oh: number, ow: number, c: number) => void): void {
  for (let b = 0; b < g.batch; b++)
    for (let od = 0; od < g.outD; od++)
      for (let oh = 0; oh < g.outH; oh++)
        for (let ow = 0; ow < g.outW; ow++)
          for (let c = 0; c < g.outC; c++) visit(b, od, oh, ow, c);
}

/** The x index of the first maximum (or first NaN) in the window of one output element. */
function argMaxInWindow(g: ConvGeometry, x: Float32Array, b: number, od: number, oh: number, ow: number, c: number): number {
  let best = -1;
  forEachInWindow(g, b, od, oh, ow, c, (i) => {
    if (best < 0) { best = i; return; }
    const m = x[best], v = x[i];
    if (Number.isNaN(m)) return;
    if (Number.isNaN(v) || v > m) best = i;
  });
  return best;
}

export function maxPoolForwardReference(g: ConvGeometry, x: Float32Array, y: Float32Array): void {
  forEachOutput(g, (b, od, oh, ow, c) => {
    y[yIndex(g, b, od, oh, ow, c)] = x[argMaxInWindow(g, x, b, od, oh, ow, c)];
  });
}

export function maxPoolBackwardReference(g: ConvGeometry, x: Float32Array, dy: Float32Array, dx: Float32Array): void {
  dx.fill(0);
  forEachOutput(g, (b, od, oh, ow, c) => {
    dx[argMaxInWindow(g, x, b, od, oh, ow, c)] += dy[yIndex(g, b, od, oh, ow, c)];
  });
}

export function avgPoolForwardReference(g: ConvGeometry, x: Float32Array, y: Float32Array): void {
  forEachOutput(g, (b, od, oh, ow, c) => {
    let sum = 0, count = 0;
    forEachInWindow(g, b, od, oh, ow, c, (i) => { sum += x[i]; count++; });
    y[yIndex(g, b, od, oh, ow, c)] = sum / count;
  });
}

export function avgPoolBackwardReference(g: ConvGeometry, dy: Float32Array, dx: Float32Array): void {
  dx.fill(0);
  forEachOutput(g, (b, od, oh, ow, c) => {
    let count = 0;
    forEachInWindow(g, b, od, oh, ow, c, () => { count++; });
    const share = dy[yIndex(g, b, od, oh, ow, c)] / count;
    forEachInWindow(g, b, od, oh, ow, c, (i) => { dx[i] += share; });
  });
}

/** x [batch, spatialSize, channels] → y [batch, channels]: the mean over the spatial positions. */
export function globalAvgPoolForwardReference(batch: number, spatialSize: number, channels: number, x: Float32Array, y: Float32Array): void {
  for (let b = 0; b < batch; b++) {
    for (let c = 0; c < channels; c++) {
      let sum = 0;
      for (let s = 0; s < spatialSize; s++) sum += x[(b * spatialSize + s) * channels + c];
      y[b * channels + c] = sum / spatialSize;
    }
  }
}

export function globalAvgPoolBackwardReference(batch: number, spatialSize: number, channels: number, dy: Float32Array, dx: Float32Array): void {
  for (let b = 0; b < batch; b++) {
    for (let s = 0; s < spatialSize; s++) {
      for (let c = 0; c < channels; c++) dx[(b * spatialSize + s) * channels + c] = dy[b * channels + c] / spatialSize;
    }
  }
}

function globalArgMax(batch: number, spatialSize: number, channels: number, x: Float32Array, b: number, c: number): number {
  let best = (b * spatialSize) * channels + c;
  for (let s = 1; s < spatialSize; s++) {
    const i = (b * spatialSize + s) * channels + c;
    if (Number.isNaN(x[best])) break;
    if (Number.isNaN(x[i]) || x[i] > x[best]) best = i;
  }
  return best;
}

export function globalMaxPoolForwardReference(batch: number, spatialSize: number, channels: number, x: Float32Array, y: Float32Array): void {
  for (let b = 0; b < batch; b++) {
    for (let c = 0; c < channels; c++) y[b * channels + c] = x[globalArgMax(batch, spatialSize, channels, x, b, c)];
  }
}

export function globalMaxPoolBackwardReference(
  batch: number, spatialSize: number, channels: number, x: Float32Array, dy: Float32Array, dx: Float32Array,
): void {
  dx.fill(0);
  for (let b = 0; b < batch; b++) {
    for (let c = 0; c < channels; c++) dx[globalArgMax(batch, spatialSize, channels, x, b, c)] += dy[b * channels + c];
  }
}
