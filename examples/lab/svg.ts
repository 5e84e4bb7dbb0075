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
  const right = legend.length > 0 || (o.styleLegend?.length ?? 0) > 0 ? 150 : 16;
  const ty = (v: number) => (o.logY ? (v > 0 ? Math.log10(v) : NaN) : v);
  const series = o.series.map((s) => ({ ...s, points: s.points.map((p) => [p[0], ty(p[1])] as const) }));
  const xr = o.xRange ?? extent(series.flatMap((s) => s.points.map((p) => p[0])));
  let yr = o.yRange ? [ty(o.yRange[0]), ty(o.yRange[1])] as [number, number] : extent(series.flatMap((s) => s.points.map((p) => p[1])));
  let yTicks: number[] | undefined;
  if (o.logY) {
    yr = [Math.floor(yr[0]), Math.ceil(yr[1])];
    if (yr[0] === yr[1]) yr[1] = yr[0] + 1;
    yTicks = [];
    const step = Math.max(1, Math.ceil((yr[1] - yr[0]) / 6));
    for (let k = yr[0]; k <= yr[1]; k += step) yTicks.push(k);
  }
  let xTicks: number[] | undefined;
  if (o.integerX) {
    const span = xr[1] - xr[0];
    const step = Math.max(1, niceTicks(0, span, 6)[1] ?? 1);
    xTicks = [];
    for (let t = Math.ceil(xr[0] / step) * step; t <= xr[1]; t += Math.round(step) || 1) xTicks.push(t);
  }
  const f = frame(width, height, o.title, o.xLabel, o.yLabel, xr, yr, right, xTicks, formatTick, yTicks, o.logY ? powerOfTen : formatTick);
  for (const s of series) {
    const d = pathData(s.points, f);
    if (d === '') continue;
    const dash = s.dash ? ` stroke-dasharray="${s.dash}"` : '';
    f.svg.push(`<path d="${d}" fill="none" stroke="${s.color}" stroke-width="${s.width ?? 2}"${dash}><title>${escapeXml(s.name)}</title></path>`);
    // single points get a dot so a 1-epoch run is still visible
    const finite = s.points.filter((p) => Number.isFinite(p[0]) && Number.isFinite(p[1]));
    if (finite.length === 1) f.svg.push(`<circle cx="${c(f.x(finite[0][0]))}" cy="${c(f.y(finite[0][1]))}" r="3" fill="${s.color}"/>`);
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
