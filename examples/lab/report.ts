/**
 * The lab's report folder:
 *   index.html    the table, the run's settings and inline SVG charts (learning curves per variant,
 *                 test accuracy, weight-magnitude histograms per variant, penalty share over epochs)
 *   results.json  every number (LabResults; non-finite numbers become null, as JSON has no NaN)
 *   table.md      the table as Markdown (for a README)
 *   *.svg         each chart as a standalone file
 *
 * `buildReport` is pure (results → file contents); `writeReport` writes them.
 */
import * as fs from 'fs';
import * as path from 'path';
import type { LabResults, VariantResult } from './results';
import { NEAR_ZERO } from './results';
import { barChart, escapeXml, extent, lineChart, PALETTE, type Series } from './svg';
import { resultColumns, renderMarkdown, type Column } from './table';

export interface ReportFiles {
  html: string;
  json: string;
  markdown: string;
  /** Standalone charts, file name → SVG text (also inlined in the HTML). */
  svgs: { name: string; title: string; svg: string }[];
}

function colorOf(i: number): string {
  return PALETTE[i % PALETTE.length];
}

function describeSpec(v: VariantResult): string {
  return `${v.label}: ${v.description} (${v.optimizer})`;
}

/** Learning curves, one panel per variant, sharing one y range so panels compare directly. */
function learningCurves(results: LabResults): ReportFiles['svgs'] {
  // log scale: the training loss falls by decades while the test loss stalls — the overfitting gap
  const all = results.variants.flatMap((v) => [...v.history.dataLoss, ...v.history.valDataLoss, ...v.history.loss]).filter((x) => x > 0);
  const yRange = extent(all);
  const xRange: [number, number] = [Math.min(1, results.options.epochs), Math.max(results.options.epochs, 2)];
  return results.variants.map((v, i) => {
    const e = v.history.epoch;
    const series: Series[] = [
      { name: 'train data loss', color: colorOf(i), points: e.map((x, k) => [x, v.history.dataLoss[k]] as const) },
      { name: 'test data loss', color: colorOf(i), dash: '6 4', points: e.map((x, k) => [x, v.history.valDataLoss[k]] as const) },
    ];
    const hasPenalty = v.history.loss.some((l, k) => Math.abs(l - v.history.dataLoss[k]) > 1e-9 * Math.max(1, Math.abs(l)));
    if (hasPenalty) {
      series.push({ name: 'train + penalty', color: '#888888', width: 1, dash: '2 3', points: e.map((x, k) => [x, v.history.loss[k]] as const) });
    }
    return {
      name: `learning-curves-${i + 1}.svg`,
      title: `Learning curves: ${v.label}`,
      svg: lineChart({ title: v.label, xLabel: 'epoch', yLabel: 'cross-entropy (log scale)', series, xRange, yRange, logY: true, width: 460, height: 260, integerX: true }),
    };
  });
}

function accuracyChart(results: LabResults): ReportFiles['svgs'] {
  const have = results.variants.filter((v) => v.history.valAccuracy.length > 0 && v.history.valAccuracy.some(Number.isFinite));
  if (have.length === 0) return [];
  const series: Series[] = [];
  results.variants.forEach((v, i) => {
    if (!have.includes(v)) return;
    series.push({ name: v.label, color: colorOf(i), points: v.history.epoch.map((x, k) => [x, v.history.valAccuracy[k] * 100] as const) });
  });
  return [{
    name: 'test-accuracy.svg',
    title: 'Test accuracy over epochs',
    svg: lineChart({ title: 'Test accuracy after each epoch', xLabel: 'epoch', yLabel: 'test accuracy (%)', series, width: 620, height: 320, integerX: true }),
  }];
}

function penaltyShareChart(results: LabResults): ReportFiles['svgs'] {
  const series: Series[] = results.variants.map((v, i) => ({
    name: v.label,
    color: colorOf(i),
    points: v.history.epoch.map((x, k) => [x, v.history.penaltyShare[k] * 100] as const),
  }));
  const [, hi] = extent(series.flatMap((s) => s.points.map((p) => p[1])));
  return [{
    name: 'penalty-share.svg',
    title: 'Penalty share of the training loss',
    svg: lineChart({ title: 'Penalty share of the training loss', xLabel: 'epoch', yLabel: 'penalty / total loss (%)', series, yRange: [0, Math.max(hi * 1.05, 1)], width: 620, height: 320, integerX: true }),
  }];
}

/** Weight-magnitude histograms (log10|w| over all kernels), one per variant, shared y range. */
function histograms(results: LabResults): ReportFiles['svgs'] {
  const fractions = results.variants.map((v) => v.histogram.counts.map((n) => (v.histogram.total > 0 ? (n / v.histogram.total) * 100 : 0)));
  const yMax = Math.max(1, ...fractions.flat()) * 1.05;
  return results.variants.map((v, i) => {
    const h = v.histogram;
    const bars = h.counts.map((n, k) => ({
      lo: h.edges[k],
      hi: h.edges[k + 1],
      value: fractions[i][k],
      label: `${k === 0 ? '|w| < ' + fmtPow(h.edges[1]) : k === h.counts.length - 1 ? '|w| ≥ ' + fmtPow(h.edges[k]) : fmtPow(h.edges[k]) + ' ≤ |w| < ' + fmtPow(h.edges[k + 1])}: ${n} weights (${fractions[i][k].toFixed(1)}%)`,
    }));
    const ticks = h.edges.filter((e) => Number.isInteger(e));
    return {
      name: `weights-${i + 1}.svg`,
      title: `Weight magnitudes: ${v.label}`,
      svg: barChart({
        title: v.label, xLabel: '|w| (log scale, all kernels)', yLabel: '% of weights', bars, color: colorOf(i),
        yRange: [0, yMax], xTicks: ticks, xTickLabel: fmtPow, width: 340, height: 220,
      }),
    };
  });
}

/** 10^k written compactly: 1e-3, 1. */
function fmtPow(k: number): string {
  return k === 0 ? '1' : `1e${k}`;
}

function htmlTable(cols: readonly Column[]): string {
  const rows = cols[0]?.cells.length ?? 0;
  const th = cols.map((c) => `<th class="${c.align}">${escapeXml(c.header)}</th>`).join('');
  const body: string[] = [];
  for (let r = 0; r < rows; r++) body.push(`<tr>${cols.map((c) => `<td class="${c.align}">${escapeXml(c.cells[r])}</td>`).join('')}</tr>`);
  return `<table>\n<thead><tr>${th}</tr></thead>\n<tbody>\n${body.join('\n')}\n</tbody>\n</table>`;
}

/** The penalty terms of the final training-set breakdown, one row per variant, one column per layer/target. */
export function penaltyColumns(results: LabResults): Column[] {
  const keys: string[] = [];
  for (const v of results.variants) for (const p of v.final.penalties) if (!keys.includes(`${p.layer} ${p.target}`)) keys.push(`${p.layer} ${p.target}`);
  const cols: Column[] = [{ header: 'variant', align: 'left', cells: results.variants.map((v) => v.label) }];
  for (const k of keys) {
    cols.push({
      header: k,
      align: 'right',
      cells: results.variants.map((v) => {
        const t = v.final.penalties.find((p) => `${p.layer} ${p.target}` === k);
        return t ? t.value.toPrecision(3) : '–';
      }),
    });
  }
  cols.push({ header: 'data loss', align: 'right', cells: results.variants.map((v) => v.final.trainDataLoss.toPrecision(3)) });
  return cols;
}

/** "The hidden kernel holds 96% of the kernel weights, …" from the model's kernel shapes. */
function largestKernelNote(results: LabResults): string {
  const ks = results.model.layers.filter((l) => l.kernelShape).map((l) => ({ name: l.name, n: l.kernelShape!.reduce((a, b) => a * b, 1) }));
  if (ks.length === 0) return '';
  const total = ks.reduce((s, k) => s + k.n, 0);
  const big = ks.reduce((a, b) => (b.n > a.n ? b : a));
  return `The ${escapeXml(big.name)} kernel holds ${((big.n / total) * 100).toFixed(0)}% of the kernel weights, so it carries most of any kernel penalty.`;
}

/** JSON without NaN/Infinity surprises: they become null explicitly. */
export function toJson(results: LabResults): string {
  return JSON.stringify(results, (_k, v) => (typeof v === 'number' && !Number.isFinite(v) ? null : v), 2) + '\n';
}

export function buildReport(results: LabResults): ReportFiles {
  const curves = learningCurves(results);
  const acc = accuracyChart(results);
  const hists = histograms(results);
  const share = penaltyShareChart(results);
  const cols = resultColumns(results);
  const o = results.options;
  const d = results.data;
  const figure = (s: { title: string; svg: string }) => `<figure>${s.svg}</figure>`;
  const html = `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Ridge regularization lab</title>
<style>
body { font-family: system-ui, sans-serif; max-width: 1400px; margin: 2em auto; padding: 0 1em; color: #222; }
table { border-collapse: collapse; font-variant-numeric: tabular-nums; margin: 1em 0; }
th, td { padding: 4px 10px; border-bottom: 1px solid #ddd; }
th { background: #f5f5f5; }
.right { text-align: right; } .left { text-align: left; }
.grid { display: flex; flex-wrap: wrap; gap: 8px; }
figure { margin: 0; }
pre { background: #f7f7f7; padding: 0.8em; overflow-x: auto; }
.note { color: #555; max-width: 60em; }
</style>
</head>
<body>
<h1>Ridge regularization lab</h1>
<p>One small conv net, ${results.variants.length} variants, the same seed (${o.seed}) and the same initial weights.
Real MNIST digits from the <code>mnist</code> package: ${d.train} for training, ${d.test} held out for testing
(disjoint, seeded split; pixels normalised with the training mean ${d.mean.toFixed(4)} and standard deviation ${d.std.toFixed(4)}).
${o.epochs} epochs, batch size ${o.batch}; SGD with momentum 0.9 at learning rate ${o.lr} (the adamw/adam variants: Adam's update at ${o.adamLr}). Total time ${results.seconds.toFixed(1)} s; finished ${escapeXml(results.finishedAt)}.</p>

<h2>Results</h2>
${htmlTable(cols)}
<p class="note">Accuracies and losses are measured after the last epoch in inference mode on the whole training and test sets.
<em>data loss</em> is the categorical cross-entropy on the training set; <em>penalty share</em> is the sum of the penalties divided by the total
training loss (data + penalties); AdamW's decoupled decay is not part of the loss, so its share is 0. ‖W‖ is the L2 norm of each layer's kernel.
|w|&lt;${NEAR_ZERO} is the fraction of kernel entries whose magnitude is below ${NEAR_ZERO}: L1's constant pull drives weights there, L2's proportional pull only shrinks them.</p>
<ul>
${results.variants.map((v) => `<li>${escapeXml(describeSpec(v))}</li>`).join('\n')}
</ul>
<h3>Penalty terms after training</h3>
<p class="note">Each term of model.lossBreakdown on the whole training set, by layer and target (kernel, bias, activity), next to the data loss.
${largestKernelNote(results)}</p>
${htmlTable(penaltyColumns(results))}

<h2>Learning curves</h2>
<p class="note">Data loss (cross-entropy, log scale) per epoch: solid on the training batches, dashed on the held-out test set; the thin grey dotted line is the training loss including the penalty. A training curve that keeps falling by decades while the test curve stalls or turns up is overfitting; a penalty keeps the training loss from collapsing and lowers the test curve.</p>
<div class="grid">
${curves.map(figure).join('\n')}
</div>
${acc.length > 0 ? `<div class="grid">\n${acc.map(figure).join('\n')}\n</div>` : ''}

<h2>Weight magnitudes</h2>
<p class="note">Histogram of |w| over all kernel entries after training (log scale, half-decade bins; the first bin also holds everything smaller, the last everything larger). L2 shrinks the bulk of the weights; L1 piles weights up near zero.</p>
<div class="grid">
${hists.map(figure).join('\n')}
</div>

<h2>Penalty share over epochs</h2>
<p class="note">(training loss − data loss) / training loss, averaged over each epoch's batches.</p>
<div class="grid">
${share.map(figure).join('\n')}
</div>

<h2>Model</h2>
<pre>${escapeXml(results.model.summary)}</pre>
<p class="note">Every number on this page is in <a href="results.json">results.json</a>; the table as Markdown is in <a href="table.md">table.md</a>.</p>
</body>
</html>
`;
  return {
    html,
    json: toJson(results),
    markdown: renderMarkdown(cols) + '\n',
    svgs: [...curves, ...acc, ...hists, ...share],
  };
}

/** Writes the report into `dir` (created if missing); returns the absolute path of index.html. */
export function writeReport(dir: string, results: LabResults): string {
  const files = buildReport(results);
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'index.html'), files.html);
  fs.writeFileSync(path.join(dir, 'results.json'), files.json);
  fs.writeFileSync(path.join(dir, 'table.md'), files.markdown);
  for (const s of files.svgs) fs.writeFileSync(path.join(dir, s.name), `<?xml version="1.0" encoding="UTF-8"?>\n${s.svg}\n`);
  return path.resolve(dir, 'index.html');
}
