/**
 * Tables as columns of strings, rendered as aligned plain text (console) or Markdown (README,
 * summary.md); report.ts renders them as HTML.
 */

export interface Column {
  header: string;
  align: 'left' | 'right';
  cells: string[];
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

