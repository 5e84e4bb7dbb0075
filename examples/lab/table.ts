/**
 * The lab's results table, as aligned plain text (console) and as Markdown (README, table.md).
 * One row per variant; the columns are built once (`resultColumns`) and rendered twice.
 */
import { NEAR_ZERO, type LabResults } from './results';

export interface Column {
  header: string;
  align: 'left' | 'right';
  cells: string[];
}

export function pct(v: number, digits = 1): string {
  return Number.isFinite(v) ? `${(v * 100).toFixed(digits)}%` : String(v);
}

export function num(v: number, digits = 3): string {
  if (!Number.isFinite(v)) return String(v);
  if (v !== 0 && Math.abs(v) < 10 ** -digits) return v.toExponential(1);
  return v.toFixed(digits);
}

/** Signed accuracy points, e.g. +12.3 (the train − test gap). */
function points(v: number): string {
  return Number.isFinite(v) ? `${v >= 0 ? '+' : ''}${(v * 100).toFixed(1)}` : String(v);
}

export function resultColumns(results: LabResults): Column[] {
  const vs = results.variants;
  const layerNames = results.model.layers.filter((l) => l.kernelShape !== null).map((l) => l.name);
  const cols: Column[] = [
    { header: 'variant', align: 'left', cells: vs.map((v) => v.label) },
    { header: 'train acc', align: 'right', cells: vs.map((v) => pct(v.final.trainAccuracy)) },
    { header: 'test acc', align: 'right', cells: vs.map((v) => pct(v.final.testAccuracy)) },
    { header: 'gap (pts)', align: 'right', cells: vs.map((v) => points(v.final.gap)) },
    { header: 'data loss', align: 'right', cells: vs.map((v) => num(v.final.trainDataLoss)) },
    { header: 'test loss', align: 'right', cells: vs.map((v) => num(v.final.testDataLoss)) },
    { header: 'penalty share', align: 'right', cells: vs.map((v) => pct(v.final.penaltyShare)) },
  ];
  for (const name of layerNames) {
    cols.push({
      header: `‖W‖ ${name}`,
      align: 'right',
      cells: vs.map((v) => num(v.layers.find((l) => l.name === name)?.kernelL2 ?? NaN, 2)),
    });
  }
  cols.push({ header: `|w|<${NEAR_ZERO.toExponential(0)}`, align: 'right', cells: vs.map((v) => pct(v.final.nearZeroFraction)) });
  cols.push({ header: 's/epoch', align: 'right', cells: vs.map((v) => num(v.secondsPerEpoch, 2)) });
  return cols;
}

/** Display width: code points (the ‖ of the norm headers is one column wide). */
function width(s: string): number {
  return Array.from(s).length;
}

function pad(s: string, w: number, align: 'left' | 'right'): string {
  const fill = ' '.repeat(Math.max(0, w - width(s)));
  return align === 'left' ? s + fill : fill + s;
}

export function renderText(cols: readonly Column[]): string {
  const widths = cols.map((c) => Math.max(width(c.header), ...c.cells.map(width)));
  const rows = cols[0]?.cells.length ?? 0;
  const line = (cells: string[]) => cells.map((s, i) => pad(s, widths[i], cols[i].align)).join('  ').replace(/\s+$/, '');
  const out = [line(cols.map((c) => c.header)), widths.map((w) => '─'.repeat(w)).join('  ')];
  for (let r = 0; r < rows; r++) out.push(line(cols.map((c) => c.cells[r])));
  return out.join('\n');
}

export function renderMarkdown(cols: readonly Column[]): string {
  const esc = (s: string) => s.replace(/\|/g, '\\|');
  const rows = cols[0]?.cells.length ?? 0;
  const out = [
    `| ${cols.map((c) => esc(c.header)).join(' | ')} |`,
    `| ${cols.map((c) => (c.align === 'right' ? '---:' : ':---')).join(' | ')} |`,
  ];
  for (let r = 0; r < rows; r++) out.push(`| ${cols.map((c) => esc(c.cells[r])).join(' | ')} |`);
  return out.join('\n');
}

export function formatResultsTable(results: LabResults): string {
  return renderText(resultColumns(results));
}

export function formatResultsMarkdown(results: LabResults): string {
  return renderMarkdown(resultColumns(results));
}
