/**
 * The lab's report folder:
 *   index.html    a section per claim: the claim in one sentence, the setup, the plots, the tables
 *                 and what the numbers show (written from the numbers by the experiment)
 *   results.json  every number of every section (non-finite numbers become null)
 *   summary.md    the headline of every section (for a README)
 *   *.svg         each plot as a standalone file
 *
 * `buildReport` is pure (sections → file contents); `writeReport` writes them.
 */
import * as fs from 'fs';
import * as path from 'path';
import type { Section } from './experiments';
import { escapeXml } from './svg';
import { renderMarkdown, type Column } from './table';

export interface RunInfo {
  seeds: number[];
  quick: boolean;
  finishedAt: string;
  seconds: number;
  /** e.g. "Node v20.19.0, 2 CPUs (AMD EPYC), backend cpu". */
  machine: string;
  command: string;
}

export interface ReportFiles {
  html: string;
  json: string;
  markdown: string;
  svgs: { name: string; svg: string }[];
}

export function htmlTable(cols: readonly Column[]): string {
  const rows = cols[0]?.cells.length ?? 0;
  const th = cols.map((c) => `<th class="${c.align}">${escapeXml(c.header)}</th>`).join('');
  const body: string[] = [];
  for (let r = 0; r < rows; r++) body.push(`<tr>${cols.map((c) => `<td class="${c.align}">${escapeXml(c.cells[r])}</td>`).join('')}</tr>`);
  return `<table>\n<thead><tr>${th}</tr></thead>\n<tbody>\n${body.join('\n')}\n</tbody>\n</table>`;
}

/** JSON without NaN/Infinity surprises: they become null explicitly. Typed arrays become plain arrays; trained models are left out. */
export function toJson(value: unknown): string {
  return JSON.stringify(value, (k, v) => {
    if (k === 'built') return undefined;
    if (typeof v === 'number' && !Number.isFinite(v)) return null;
    if (ArrayBuffer.isView(v) && !(v instanceof DataView)) return Array.from(v as unknown as ArrayLike<number>);
    return v;
  }, 1) + '\n';
}

function sectionId(s: Section): string {
  return s.claim ? `claim-${s.claim}` : s.id;
}

function sectionHeading(s: Section): string {
  return s.claim ? `Claim ${s.claim}. ${s.title}` : s.title;
}

function sectionHtml(s: Section): string {
  const figs = s.figures.map((f) => `<figure>${f.svg}<figcaption>${escapeXml(f.caption)}</figcaption></figure>`).join('\n');
  const tables = s.tables.map((t) => `<div class="table"><p class="caption">${escapeXml(t.caption)}</p>\n${htmlTable(t.columns)}</div>`).join('\n');
  return `<section id="${sectionId(s)}">
<h2>${escapeXml(sectionHeading(s))}</h2>
<p class="claim">${escapeXml(s.sentence)}</p>
<p class="setup"><b>Setup.</b> ${escapeXml(s.setup)}</p>
<div class="grid">
${figs}
</div>
${tables}
<p class="finding"><b>What the numbers show.</b> ${escapeXml(s.finding)}</p>
<p class="time">${s.seconds.toFixed(1)} s</p>
</section>`;
}

export function buildReport(sections: readonly Section[], info: RunInfo): ReportFiles {
  const toc = sections.map((s) => `<li><a href="#${sectionId(s)}">${escapeXml(sectionHeading(s))}</a>: ${escapeXml(s.headline)}</li>`).join('\n');
  const html = `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Ridge regularization lab</title>
<style>
body { font-family: system-ui, sans-serif; max-width: 1180px; margin: 1.5em auto; padding: 0 1em; color: #222; line-height: 1.45; }
h1 { margin-bottom: 0.2em; }
h2 { margin-top: 2.2em; border-bottom: 2px solid #4e79a7; padding-bottom: 0.2em; }
section { margin-bottom: 2em; }
.claim { font-size: 1.15em; font-weight: 600; }
.setup, .caption, figcaption, .time, .meta { color: #555; font-size: 0.92em; }
.finding { background: #f3f6fa; border-left: 4px solid #4e79a7; padding: 0.6em 0.9em; }
.grid { display: flex; flex-wrap: wrap; gap: 14px; }
figure { margin: 0; max-width: 580px; }
figcaption { max-width: 560px; }
.table { overflow-x: auto; }
table { border-collapse: collapse; font-variant-numeric: tabular-nums; margin: 0.3em 0 1em; font-size: 0.9em; }
th, td { padding: 4px 9px; border-bottom: 1px solid #ddd; }
td { white-space: nowrap; }
th { background: #f5f5f5; }
.right { text-align: right; } .left { text-align: left; }
.time { text-align: right; }
ul.toc li { margin-bottom: 0.3em; }
</style>
</head>
<body>
<h1>Ridge regularization lab</h1>
<p class="meta">${escapeXml(info.command)} · ${info.seeds.length} seeds (${info.seeds.join(', ')})${info.quick ? ' · --quick (small data, few epochs: a smoke run, not evidence)' : ''} · ${info.seconds.toFixed(1)} s · ${escapeXml(info.machine)} · finished ${escapeXml(info.finishedAt)}</p>
<p>Each section states one claim about weight regularization, shows the plot and the table that test it, and says in one paragraph what the numbers show.
Every number is a mean ± standard deviation over the seeds; comparisons are paired by seed (same data, same initial weights, one difference: the penalty)
and called <em>clear</em> only when the 95% t-interval of the paired difference excludes zero, otherwise <em>within the noise</em>.
Validation splits choose; test sets only report. All plots are drawn by Ridge's own SVG code (examples/lab/svg.ts).</p>
<ul class="toc">
${toc}
</ul>
${sections.map(sectionHtml).join('\n')}
<p class="meta">Every number on this page is in <a href="results.json">results.json</a>; the headlines as Markdown in <a href="summary.md">summary.md</a>.
How each penalty enters the loss and the gradient: docs/penalties.md.</p>
</body>
</html>
`;
  const md = [
    `Ridge regularization lab — ${info.command}, ${info.seeds.length} seeds, ${info.seconds.toFixed(0)} s (${info.machine})`,
    '',
    renderMarkdown([
      { header: 'claim', align: 'left', cells: sections.map((s) => (s.claim ? `${s.claim}. ${s.title}` : s.title)) },
      { header: 'headline (mean ± std over seeds; paired difference)', align: 'left', cells: sections.map((s) => s.headline) },
    ]),
    '',
  ].join('\n');
  return {
    html,
    json: toJson({ info, sections: sections.map((s) => ({ ...s, figures: s.figures.map((f) => ({ name: f.name, caption: f.caption })) })) }),
    markdown: md,
    svgs: sections.flatMap((s) => s.figures.map((f) => ({ name: f.name, svg: f.svg }))),
  };
}

/** Writes the report into `dir` (created if missing); returns the absolute path of index.html. */
export function writeReport(dir: string, sections: readonly Section[], info: RunInfo): string {
  const files = buildReport(sections, info);
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'index.html'), files.html);
  fs.writeFileSync(path.join(dir, 'results.json'), files.json);
  fs.writeFileSync(path.join(dir, 'summary.md'), files.markdown);
  for (const s of files.svgs) fs.writeFileSync(path.join(dir, s.name), `<?xml version="1.0" encoding="UTF-8"?>\n${s.svg}\n`);
  return path.resolve(dir, 'index.html');
}
