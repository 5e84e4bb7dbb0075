/**
 * SVG charts drawn by hand (no plotting dependency): a line chart with axes, ticks and a legend,
 * and a bar chart for histograms. Each function returns one standalone, well-formed `<svg>` element
 * as a string, ready to inline in HTML or save as a .svg file.
 *
 * Coordinates: the plot area is the rectangle [left, left + w] × [top, top + h]; data x maps
 * linearly onto it, data y likewise but flipped (SVG y grows downwards). Non-finite points are
 * skipped and break the line, so a diverged run shows a gap instead of a garbage path.
 */

/** Tableau-10: distinguishable, and readable by most colour-blind viewers. */
export const PALETTE = ['#4e79a7', '#f28e2b', '#e15759', '#76b7b2', '#59a14f', '#edc948', '#b07aa1', '#ff9da7', '#9c755f', '#bab0ac'];

export function escapeXml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');
}

/** Coordinates with two decimals: small files, sub-pixel precision. */
function c(v: number): string {
  return (Math.round(v * 100) / 100).toString();
}

/**
 * About `count` round tick values covering [min, max] (steps of 1, 2 or 5 × 10^k).
 * Returns at least two ticks when min < max; a single tick when min === max.
 */
export function niceTicks(min: number, max: number, count = 5): number[] {
  if (!Number.isFinite(min) || !Number.isFinite(max)) return [];
  if (min === max) return [min];
  if (min > max) [min, max] = [max, min];
  const raw = (max - min) / Math.max(1, count);
  const mag = Math.pow(10, Math.floor(Math.log10(raw)));
  const norm = raw / mag;
  const step = (norm < 1.5 ? 1 : norm < 3 ? 2 : norm < 7 ? 5 : 10) * mag;
  const first = Math.ceil(min / step - 1e-9) * step;
  const ticks: number[] = [];
  for (let t = first; t <= max + step * 1e-9; t += step) ticks.push(Math.abs(t) < step * 1e-9 ? 0 : +t.toPrecision(12));
  return ticks;
}

/** Short tick labels: 0.25, 1.5, 12, 1e-4. */
export function formatTick(v: number): string {
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (a >= 1e5 || a < 1e-3) return v.toExponential(0).replace('e+', 'e');
  return (+v.toPrecision(4)).toString();
}

/** 10^k as a short label: 1e-3, 0.01, 0.1, 1, 10, 1e2. */
export function powerOfTen(k: number): string {
  if (k >= -2 && k <= 1) return (+Math.pow(10, k).toPrecision(1)).toString();
  return `1e${k}`;
}

export interface Series {
  name: string;
  color: string;
  points: readonly (readonly [number, number])[];
  /** SVG stroke-dasharray, e.g. '5 3' for a dashed line. */
  dash?: string;
  width?: number;
  /** Leave out of the legend (e.g. a second line style already explained). */
  hideInLegend?: boolean;
  /** Error bar half-widths, one per point (e.g. the std over seeds); drawn as vertical bars with caps. */
  errors?: readonly number[];
  /** Draw a dot at every point (sweeps with few points). */
  markers?: boolean;
}

export interface LineChartOptions {
  title: string;
  xLabel: string;
  yLabel: string;
  series: readonly Series[];
  width?: number;
  height?: number;
  /** Fixed axis ranges (shared across small multiples); otherwise from the data. */
  xRange?: [number, number];
  yRange?: [number, number];
  /**
   * Logarithmic y axis (losses spanning decades): values are plotted as log10(y), non-positive
   * values are skipped, `yRange` is given in data units, ticks sit at powers of ten.
   */
  logY?: boolean;
  /** Only whole-number ticks on the x axis (epochs). */
  integerX?: boolean;
  /**
   * Logarithmic x axis (λ sweeps, training-set sizes): x is plotted as log10(x), non-positive x
   * are skipped, `xRange` is in data units, ticks at powers of ten (or at `xTickValues`).
   */
  logX?: boolean;
  /** Explicit x tick positions in data units (with logX: e.g. [250, 500, 1000, …]). */
  xTickValues?: readonly number[];
  /** Extra legend entries explaining line styles, e.g. [{ name: 'validation', dash: '5 3' }]. */
  styleLegend?: readonly { name: string; dash?: string }[];
}

/** Finite [min, max] over many point lists; [0, 1] when there is nothing finite. */
export function extent(values: Iterable<number>): [number, number] {
  let lo = Infinity, hi = -Infinity;
  for (const v of values) {
    if (!Number.isFinite(v)) continue;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  if (lo === Infinity) return [0, 1];
  if (lo === hi) return lo === 0 ? [0, 1] : [Math.min(0, lo), Math.max(0, hi) || 1];
  return [lo, hi];
}

interface Frame {
  left: number; top: number; w: number; h: number;
  x(v: number): number; y(v: number): number;
  svg: string[];
}

/** Opens an <svg>, draws title, axes with ticks and grid lines, axis labels. */
function frame(width: number, height: number, title: string, xLabel: string, yLabel: string,
  xr: [number, number], yr: [number, number], right: number, xTicks?: number[],
  xTickLabel: (v: number) => string = formatTick, yTicks?: number[], yTickLabel: (v: number) => string = formatTick): Frame {
  const left = 58, top = 28, bottom = 42;
  const w = width - left - right, h = height - top - bottom;
  const x = (v: number) => left + ((v - xr[0]) / (xr[1] - xr[0] || 1)) * w;
  const y = (v: number) => top + h - ((v - yr[0]) / (yr[1] - yr[0] || 1)) * h;
  const svg: string[] = [];
  svg.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="system-ui, sans-serif" font-size="11">`);
  svg.push(`<title>${escapeXml(title)}</title>`);
  svg.push(`<rect x="0" y="0" width="${width}" height="${height}" fill="#ffffff"/>`);
  svg.push(`<text x="${c(left + w / 2)}" y="16" text-anchor="middle" font-size="13" font-weight="600">${escapeXml(title)}</text>`);
  const yt = (yTicks ?? niceTicks(yr[0], yr[1], 5)).filter((t) => t >= yr[0] - 1e-12 && t <= yr[1] + 1e-12);
  for (const t of yt) {
    svg.push(`<line x1="${c(left)}" y1="${c(y(t))}" x2="${c(left + w)}" y2="${c(y(t))}" stroke="#e5e5e5"/>`);
    svg.push(`<text x="${c(left - 6)}" y="${c(y(t) + 4)}" text-anchor="end">${escapeXml(yTickLabel(t))}</text>`);
  }
  const xt = (xTicks ?? niceTicks(xr[0], xr[1], 6)).filter((t) => t >= xr[0] - 1e-12 && t <= xr[1] + 1e-12);
  for (const t of xt) {
    svg.push(`<line x1="${c(x(t))}" y1="${c(top + h)}" x2="${c(x(t))}" y2="${c(top + h + 4)}" stroke="#333333"/>`);
    svg.push(`<text x="${c(x(t))}" y="${c(top + h + 16)}" text-anchor="middle">${escapeXml(xTickLabel(t))}</text>`);
  }
  svg.push(`<line x1="${c(left)}" y1="${c(top)}" x2="${c(left)}" y2="${c(top + h)}" stroke="#333333"/>`);
  svg.push(`<line x1="${c(left)}" y1="${c(top + h)}" x2="${c(left + w)}" y2="${c(top + h)}" stroke="#333333"/>`);
  svg.push(`<text x="${c(left + w / 2)}" y="${c(height - 6)}" text-anchor="middle">${escapeXml(xLabel)}</text>`);
  svg.push(`<text x="14" y="${c(top + h / 2)}" text-anchor="middle" transform="rotate(-90 14 ${c(top + h / 2)})">${escapeXml(yLabel)}</text>`);
  return { left, top, w, h, x, y, svg };
}

/** `M x y L x y …` over finite points; a non-finite point starts a new segment. */
function pathData(points: readonly (readonly [number, number])[], f: Frame): string {
  let d = '';
  let pen = false;
  for (const [px, py] of points) {
    if (!Number.isFinite(px) || !Number.isFinite(py)) { pen = false; continue; }
    // points outside a fixed axis range are pinned to the frame's edge
    const sx = Math.min(Math.max(f.x(px), f.left), f.left + f.w);
    const sy = Math.min(Math.max(f.y(py), f.top), f.top + f.h);
    d += `${pen ? 'L' : 'M'}${c(sx)} ${c(sy)} `;
    pen = true;
  }
  return d.trim();
}

export function lineChart(o: LineChartOptions): string {
  const width = o.width ?? 560, height = o.height ?? 300;
  const legend = o.series.filter((s) => !s.hideInLegend);
  const right = legend.length > 0 || (o.styleLegend?.length ?? 0) > 0 ? 170 : 16;
  const ty = (v: number) => (o.logY ? (v > 0 ? Math.log10(v) : NaN) : v);
  const tx = (v: number) => (o.logX ? (v > 0 ? Math.log10(v) : NaN) : v);
  // error bars: the transformed low and high ends of each point's bar
  const series = o.series.map((s) => ({
    ...s,
    points: s.points.map((p) => [tx(p[0]), ty(p[1])] as const),
    bars: s.errors ? s.points.map((p, k) => [ty(p[1] - (s.errors![k] ?? 0)), ty(p[1] + (s.errors![k] ?? 0))] as const) : null,
  }));
  const xr = o.xRange ? [tx(o.xRange[0]), tx(o.xRange[1])] as [number, number] : extent(series.flatMap((s) => s.points.map((p) => p[0])));
  let yr = o.yRange ? [ty(o.yRange[0]), ty(o.yRange[1])] as [number, number]
    : extent(series.flatMap((s) => [...s.points.map((p) => p[1]), ...(s.bars ?? []).flat()]));
  let yTicks: number[] | undefined;
  if (o.logY) {
    yr = [Math.floor(yr[0]), Math.ceil(yr[1])];
    if (yr[0] === yr[1]) yr[1] = yr[0] + 1;
    yTicks = [];
    const step = Math.max(1, Math.ceil((yr[1] - yr[0]) / 6));
    for (let k = yr[0]; k <= yr[1]; k += step) yTicks.push(k);
  } else if (!o.yRange) {
    // a little headroom so error bars and markers do not touch the frame
    const pad = (yr[1] - yr[0]) * 0.04;
    yr = [yr[0] - pad, yr[1] + pad];
  }
  let xTicks: number[] | undefined;
  let xTickLabel: (v: number) => string = formatTick;
  if (o.logX) {
    if (o.xTickValues) {
      xTicks = o.xTickValues.filter((v) => v > 0).map(Math.log10);
      xTickLabel = (v) => formatTick(+Math.pow(10, v).toPrecision(6));
    } else {
      xTicks = [];
      for (let k = Math.ceil(xr[0] - 1e-9); k <= xr[1] + 1e-9; k++) xTicks.push(k);
      xTickLabel = powerOfTen;
    }
    const pad = (xr[1] - xr[0]) * 0.03 || 0.5;
    if (!o.xRange) { xr[0] -= pad; xr[1] += pad; }
  } else if (o.xTickValues) {
    xTicks = o.xTickValues.slice();
  } else if (o.integerX) {
    const span = xr[1] - xr[0];
    const step = Math.max(1, niceTicks(0, span, 6)[1] ?? 1);
    xTicks = [];
    for (let t = Math.ceil(xr[0] / step) * step; t <= xr[1]; t += Math.round(step) || 1) xTicks.push(t);
  }
  const f = frame(width, height, o.title, o.xLabel, o.yLabel, xr, yr, right, xTicks, xTickLabel, yTicks, o.logY ? powerOfTen : formatTick);
  for (const s of series) {
    const d = pathData(s.points, f);
    if (d === '') continue;
    const dash = s.dash ? ` stroke-dasharray="${s.dash}"` : '';
    f.svg.push(`<path d="${d}" fill="none" stroke="${s.color}" stroke-width="${s.width ?? 2}"${dash}><title>${escapeXml(s.name)}</title></path>`);
    const finite = s.points.filter((p) => Number.isFinite(p[0]) && Number.isFinite(p[1]));
    if (s.bars) {
      s.points.forEach((p, k) => {
        const [lo, hi] = s.bars![k];
        if (!Number.isFinite(p[0]) || !Number.isFinite(lo) || !Number.isFinite(hi) || hi - lo <= 0) return;
        const x = f.x(p[0]);
        const y0 = Math.min(Math.max(f.y(lo), f.top), f.top + f.h), y1 = Math.min(Math.max(f.y(hi), f.top), f.top + f.h);
        f.svg.push(`<path d="M${c(x)} ${c(y0)} L${c(x)} ${c(y1)} M${c(x - 3)} ${c(y0)} L${c(x + 3)} ${c(y0)} M${c(x - 3)} ${c(y1)} L${c(x + 3)} ${c(y1)}" stroke="${s.color}" stroke-width="1.2" fill="none"/>`);
      });
    }
    // single points get a dot so a 1-epoch run is still visible
    if (s.markers || finite.length === 1) {
      for (const p of finite) f.svg.push(`<circle cx="${c(f.x(p[0]))}" cy="${c(f.y(p[1]))}" r="3" fill="${s.color}"/>`);
    }
  }
  let ly = f.top + 4;
  const lx = f.left + f.w + 14;
  for (const s of legend) {
    const dash = s.dash ? ` stroke-dasharray="${s.dash}"` : '';
    f.svg.push(`<line x1="${c(lx)}" y1="${c(ly)}" x2="${c(lx + 22)}" y2="${c(ly)}" stroke="${s.color}" stroke-width="${s.width ?? 2}"${dash}/>`);
    f.svg.push(`<text x="${c(lx + 28)}" y="${c(ly + 4)}">${escapeXml(s.name)}</text>`);
    ly += 16;
  }
  if (o.styleLegend && o.styleLegend.length > 0) {
    ly += 6;
    for (const s of o.styleLegend) {
      const dash = s.dash ? ` stroke-dasharray="${s.dash}"` : '';
      f.svg.push(`<line x1="${c(lx)}" y1="${c(ly)}" x2="${c(lx + 22)}" y2="${c(ly)}" stroke="#555555" stroke-width="2"${dash}/>`);
      f.svg.push(`<text x="${c(lx + 28)}" y="${c(ly + 4)}">${escapeXml(s.name)}</text>`);
      ly += 16;
    }
  }
  f.svg.push('</svg>');
  return f.svg.join('\n');
}

export interface BarChartOptions {
  title: string;
  xLabel: string;
  yLabel: string;
  /** Bars: [lo, hi) in x units and a height. */
  bars: readonly { lo: number; hi: number; value: number; label?: string }[];
  color: string;
  width?: number;
  height?: number;
  yRange?: [number, number];
  xTicks?: number[];
  /** Tick label text for an x tick value (e.g. 10^k for log-scale bins). */
  xTickLabel?: (v: number) => string;
}

/** A histogram-style bar chart; each bar carries a <title> tooltip with its range and value. */
export function barChart(o: BarChartOptions): string {
  const width = o.width ?? 300, height = o.height ?? 200;
  const xr = extent(o.bars.flatMap((b) => [b.lo, b.hi]));
  const yr = o.yRange ?? [0, Math.max(...o.bars.map((b) => (Number.isFinite(b.value) ? b.value : 0)), 1e-12)];
  const f = frame(width, height, o.title, o.xLabel, o.yLabel, xr, yr, 12, o.xTicks, o.xTickLabel);
  for (const b of o.bars) {
    const v = Number.isFinite(b.value) ? Math.min(Math.max(b.value, yr[0]), yr[1]) : 0;
    const x0 = f.x(b.lo), x1 = f.x(b.hi);
    const y0 = f.y(v), yBase = f.y(Math.max(yr[0], 0));
    const tip = b.label ?? `[${formatTick(b.lo)}, ${formatTick(b.hi)}): ${formatTick(b.value)}`;
    f.svg.push(`<rect x="${c(x0 + 0.5)}" y="${c(Math.min(y0, yBase))}" width="${c(Math.max(x1 - x0 - 1, 0.5))}" height="${c(Math.abs(yBase - y0))}" fill="${o.color}"><title>${escapeXml(tip)}</title></rect>`);
  }
  f.svg.push('</svg>');
  return f.svg.join('\n');
}

export interface HeatmapOptions {
  title: string;
  xLabel: string;
  yLabel: string;
  /** Values in [0, 1] on a regular grid, row-major, row 0 at the bottom (y = yRange[0]). */
  values: ArrayLike<number>;
  nx: number;
  ny: number;
  xRange: [number, number];
  yRange: [number, number];
  /** Scatter points on top: class 0 as circles, class 1 as squares. */
  points?: readonly { x: number; y: number; cls: number }[];
  /** Draw the value = level contour (the decision boundary). */
  contour?: number;
  /** Colour-bar caption, e.g. 'P(class 1)'. */
  valueLabel?: string;
  width?: number;
  height?: number;
}

/** Colours of the heatmap's two ends: class 0 blue, class 1 orange (Tableau), white at 0.5. */
export const CLASS_COLORS = ['#4e79a7', '#f28e2b'] as const;

function hexRgb(h: string): [number, number, number] {
  return [parseInt(h.slice(1, 3), 16), parseInt(h.slice(3, 5), 16), parseInt(h.slice(5, 7), 16)];
}

/** Diverging map: 0 → blue, 0.5 → white, 1 → orange, lightened so points stay visible. */
export function divergingColor(v: number): string {
  const t = Math.min(1, Math.max(0, Number.isFinite(v) ? v : 0.5));
  const end = hexRgb(t < 0.5 ? CLASS_COLORS[0] : CLASS_COLORS[1]);
  const a = Math.abs(t - 0.5) * 2 * 0.75; // at most 75% of the end colour
  const mix = end.map((e) => Math.round(255 + (e - 255) * a));
  return '#' + mix.map((m) => m.toString(16).padStart(2, '0')).join('');
}

/**
 * Segments of the `level` contour over a grid (marching squares, linear interpolation on the
 * cell edges), in grid coordinates (i along x, j along y). Saddle cells join the pairs by the
 * cell-centre value.
 */
export function contourSegments(values: ArrayLike<number>, nx: number, ny: number, level: number): [number, number, number, number][] {
  const out: [number, number, number, number][] = [];
  const v = (i: number, j: number) => values[j * nx + i];
  const lerp = (a: number, b: number) => (a === b ? 0.5 : (level - a) / (b - a));
  for (let j = 0; j + 1 < ny; j++) {
    for (let i = 0; i + 1 < nx; i++) {
      const a = v(i, j), b = v(i + 1, j), cc = v(i + 1, j + 1), d = v(i, j + 1); // bl, br, tr, tl
      if (![a, b, cc, d].every(Number.isFinite)) continue;
      const code = (a > level ? 1 : 0) | (b > level ? 2 : 0) | (cc > level ? 4 : 0) | (d > level ? 8 : 0);
      if (code === 0 || code === 15) continue;
      const bottom = [i + lerp(a, b), j] as const;
      const right = [i + 1, j + lerp(b, cc)] as const;
      const top = [i + lerp(d, cc), j + 1] as const;
      const left = [i, j + lerp(a, d)] as const;
      const seg = (p: readonly [number, number], q: readonly [number, number]) => out.push([p[0], p[1], q[0], q[1]]);
      switch (code) {
        case 1: case 14: seg(left, bottom); break;
        case 2: case 13: seg(bottom, right); break;
        case 3: case 12: seg(left, right); break;
        case 4: case 11: seg(right, top); break;
        case 6: case 9: seg(bottom, top); break;
        case 7: case 8: seg(left, top); break;
        case 5: case 10: {
          const centre = (a + b + cc + d) / 4 > level;
          if ((code === 5) === centre) { seg(left, top); seg(bottom, right); } else { seg(left, bottom); seg(right, top); }
          break;
        }
      }
    }
  }
  return out;
}

/**
 * A heatmap of values in [0, 1] with a colour bar, an optional contour (the 0.5 decision
 * boundary) and scatter points. Cells of equal quantised colour are merged along each row, so a
 * 60×60 grid stays a small file.
 */
export function heatmap(o: HeatmapOptions): string {
  const width = o.width ?? 360, height = o.height ?? 330;
  const f = frame(width, height, o.title, o.xLabel, o.yLabel, o.xRange, o.yRange, 74);
  const cw = f.w / o.nx, ch = f.h / o.ny;
  const levels = 24;
  const q = (x: number) => Math.round(Math.min(1, Math.max(0, x)) * levels) / levels;
  const body: string[] = [];
  for (let j = 0; j < o.ny; j++) {
    let i = 0;
    while (i < o.nx) {
      const v = q(o.values[j * o.nx + i]);
      let k = i + 1;
      while (k < o.nx && q(o.values[j * o.nx + k]) === v) k++;
      const y = f.top + f.h - (j + 1) * ch;
      body.push(`<rect x="${c(f.left + i * cw)}" y="${c(y)}" width="${c((k - i) * cw + 0.4)}" height="${c(ch + 0.4)}" fill="${divergingColor(v)}"/>`);
      i = k;
    }
  }
  // the frame drew grid lines first; the heatmap goes over them, axes are redrawn on top
  f.svg.push(`<g shape-rendering="crispEdges">${body.join('')}</g>`);
  if (o.contour !== undefined) {
    const segs = contourSegments(o.values, o.nx, o.ny, o.contour);
    // grid coordinate i maps to the centre of cell i
    const gx = (i: number) => f.left + (i + 0.5) * cw, gy = (j: number) => f.top + f.h - (j + 0.5) * ch;
    const d = segs.map(([x0, y0, x1, y1]) => `M${c(gx(x0))} ${c(gy(y0))}L${c(gx(x1))} ${c(gy(y1))}`).join('');
    if (d) f.svg.push(`<path d="${d}" fill="none" stroke="#222222" stroke-width="1.6"><title>decision boundary (${o.contour})</title></path>`);
  }
  for (const p of o.points ?? []) {
    const x = f.x(p.x), y = f.y(p.y);
    if (x < f.left || x > f.left + f.w || y < f.top || y > f.top + f.h) continue;
    if (p.cls === 0) f.svg.push(`<circle cx="${c(x)}" cy="${c(y)}" r="3.2" fill="${CLASS_COLORS[0]}" stroke="#ffffff" stroke-width="0.8"/>`);
    else f.svg.push(`<rect x="${c(x - 3)}" y="${c(y - 3)}" width="6" height="6" fill="${CLASS_COLORS[1]}" stroke="#222222" stroke-width="0.8"/>`);
  }
  f.svg.push(`<rect x="${c(f.left)}" y="${c(f.top)}" width="${c(f.w)}" height="${c(f.h)}" fill="none" stroke="#333333"/>`);
  // colour bar
  const bx = f.left + f.w + 14, bw = 12;
  for (let k = 0; k < 20; k++) {
    const v0 = k / 20;
    f.svg.push(`<rect x="${c(bx)}" y="${c(f.top + f.h - (k + 1) * (f.h / 20))}" width="${bw}" height="${c(f.h / 20 + 0.4)}" fill="${divergingColor(v0 + 0.025)}"/>`);
  }
  for (const t of [0, 0.5, 1]) f.svg.push(`<text x="${c(bx + bw + 4)}" y="${c(f.top + f.h - t * f.h + 4)}">${t}</text>`);
  if (o.valueLabel) f.svg.push(`<text x="${c(bx + bw + 38)}" y="${c(f.top + f.h / 2)}" text-anchor="middle" transform="rotate(90 ${c(bx + bw + 38)} ${c(f.top + f.h / 2)})">${escapeXml(o.valueLabel)}</text>`);
  f.svg.push('</svg>');
  return f.svg.join('\n');
}

/** Standalone SVGs side by side in one <svg> (each keeps its own coordinates), e.g. for a README picture. */
export function sideBySide(svgs: readonly string[], gap = 8): string {
  const sizes = svgs.map((s) => {
    const m = /^<svg [^>]*width="([\d.]+)" height="([\d.]+)"/.exec(s);
    if (!m) throw new Error('sideBySide: every item must start with <svg … width="…" height="…"');
    return [Number(m[1]), Number(m[2])];
  });
  const width = sizes.reduce((a, [w]) => a + w, 0) + gap * (svgs.length - 1);
  const height = Math.max(...sizes.map(([, h]) => h));
  let x = 0;
  const parts = svgs.map((s, i) => {
    const out = s.replace(/^<svg /, `<svg x="${x}" y="0" `);
    x += sizes[i][0] + gap;
    return out;
  });
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">\n<rect x="0" y="0" width="${width}" height="${height}" fill="#ffffff"/>\n${parts.join('\n')}\n</svg>`;
}
