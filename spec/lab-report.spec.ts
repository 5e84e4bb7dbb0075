import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { buildReport, toJson, writeReport, type RunInfo } from '../examples/lab/report';
import { escapeXml, lineChart, barChart, niceTicks, heatmap, contourSegments, divergingColor, sideBySide } from '../examples/lab/svg';
import { renderMarkdown, renderText } from '../examples/lab/table';
import { LabProgress } from '../examples/lab/progress';
import type { Section } from '../examples/lab/experiments';

/**
 * A strict XML well-formedness check (enough for SVG): one root element, every start tag closed in
 * order, attributes quoted and unique, no raw '<' or stray '&' in text or attribute values.
 * Returns the root element's name and a count of elements by name.
 */
function checkXml(xml: string): { root: string; counts: Record<string, number> } {
  let i = 0;
  const stack: string[] = [];
  const counts: Record<string, number> = {};
  let root: string | null = null;
  const fail = (msg: string): never => {
    throw new Error(`not well-formed XML at ${i}: ${msg}: …${xml.slice(Math.max(0, i - 40), i + 40)}…`);
  };
  const checkText = (s: string) => {
    if (s.includes('<')) fail('raw < in text');
    const amp = /&(?!(amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);)/.exec(s);
    if (amp) fail('stray & in text');
  };
  while (i < xml.length) {
    const lt = xml.indexOf('<', i);
    const text = lt < 0 ? xml.slice(i) : xml.slice(i, lt);
    checkText(text);
    if (stack.length === 0 && text.trim() !== '') fail('text outside the root element');
    if (lt < 0) break;
    i = lt;
    if (xml.startsWith('<?', i)) {
      const end = xml.indexOf('?>', i);
      if (end < 0 || root !== null) fail('bad processing instruction');
      i = end + 2;
      continue;
    }
    if (xml.startsWith('<!--', i)) {
      const end = xml.indexOf('-->', i);
      if (end < 0) fail('unterminated comment');
      i = end + 3;
      continue;
    }
    const m = /^<(\/?)([A-Za-z_][\w:.-]*)((?:\s+[A-Za-z_][\w:.-]*\s*=\s*(?:"[^"]*"|'[^']*'))*)\s*(\/?)>/.exec(xml.slice(i));
    if (!m) fail('malformed tag');
    const [whole, close, name, attrs, selfClose] = m!;
    if (close) {
      if (attrs.trim() !== '' || selfClose) fail('end tag with attributes');
      if (stack.pop() !== name) fail(`end tag </${name}> does not match`);
    } else {
      if (stack.length === 0) {
        if (root !== null) fail('second root element');
        root = name;
      }
      const seen = new Set<string>();
      for (const a of attrs.matchAll(/([A-Za-z_][\w:.-]*)\s*=\s*("[^"]*"|'[^']*')/g)) {
        if (seen.has(a[1])) fail(`duplicate attribute ${a[1]}`);
        seen.add(a[1]);
        checkText(a[2].slice(1, -1));
      }
      counts[name] = (counts[name] ?? 0) + 1;
      if (!selfClose) stack.push(name);
    }
    i += whole.length;
  }
  if (stack.length > 0) fail(`unclosed <${stack[stack.length - 1]}>`);
  if (root === null) fail('no root element');
  return { root: root!, counts };
}

describe('lab report: svg primitives', () => {
  test('escapeXml escapes the five XML specials', () => {
    expect(escapeXml(`a<b>&"c"'d'`)).toBe('a&lt;b&gt;&amp;&quot;c&quot;&apos;d&apos;');
  });

  test.each([
    [0, 1, [0, 0.2, 0.4, 0.6, 0.8, 1]],
    [0, 2.3, [0, 0.5, 1, 1.5, 2]],
    [0.02, 0.11, [0.02, 0.04, 0.06, 0.08, 0.1]],
    [-3, 12, [0, 5, 10]],
    [-0.7, 0.3, [-0.6, -0.4, -0.2, 0, 0.2]],
  ])('niceTicks(%p, %p) covers the range with round steps', (lo, hi, expected) => {
    expect(niceTicks(lo, hi, 5)).toEqual(expected);
  });

  test('lineChart with 3 series (one with a NaN gap) is well-formed XML with one path per series', () => {
    const svg = lineChart({
      title: 'loss <train & test>', xLabel: 'epoch', yLabel: 'loss',
      series: [
        { name: 'a', color: '#000000', points: [[1, 1], [2, 0.5], [3, 0.25]] },
        { name: 'b & c', color: '#ff0000', dash: '4 2', points: [[1, 2], [2, NaN], [3, 1]] },
        { name: 'single', color: '#00ff00', points: [[2, 1.5]] },
      ],
    });
    const { root, counts } = checkXml(svg);
    expect(root).toBe('svg');
    expect(counts.path).toBe(3);
    expect(counts.circle).toBe(1); // the one-point series gets a dot
    expect(svg).not.toMatch(/NaN|undefined|Infinity/);
    // the NaN splits series b into two move-to segments
    const b = /<path d="([^"]+)"[^>]*stroke="#ff0000"/.exec(svg)![1];
    expect(b.match(/M/g)).toHaveLength(2);
  });

  test('lineChart logY: losses from 1.5 to 5e-4 get power-of-ten ticks 1e-4 … 10, zero values are skipped', () => {
    const svg = lineChart({
      title: 'log', xLabel: 'epoch', yLabel: 'loss', logY: true, integerX: true,
      series: [{ name: 'train', color: '#000000', points: [[1, 1.5], [2, 0.1], [3, 0], [4, 5e-4]] }],
    });
    checkXml(svg);
    const yLabels = [...svg.matchAll(/text-anchor="end">([^<]+)<\/text>/g)].map((m) => m[1]);
    expect(yLabels).toEqual(['1e-4', '1e-3', '0.01', '0.1', '1', '10']);
    const d = /<path d="([^"]+)"/.exec(svg)![1];
    expect(d.match(/[ML]/g)).toEqual(['M', 'L', 'M']); // the zero breaks the line
    const xLabels = [...svg.matchAll(/text-anchor="middle">(\d+)<\/text>/g)].map((m) => Number(m[1]));
    expect(xLabels.every((v) => Number.isInteger(v))).toBe(true);
  });

  test('barChart with 12 bins is well-formed XML with 12 bars carrying tooltips', () => {
    const bars = Array.from({ length: 12 }, (_, k) => ({ lo: -6 + k / 2, hi: -5.5 + k / 2, value: k }));
    const svg = barChart({ title: 'w', xLabel: '|w|', yLabel: '%', bars, color: '#123456', xTicks: [-6, -4, -2, 0], xTickLabel: (v) => `1e${v}` });
    const { counts } = checkXml(svg);
    expect(svg.match(/<rect [^>]*fill="#123456"/g)).toHaveLength(12);
    expect(counts.title).toBe(13); // the chart title + one per bar
    expect(svg).toContain('>1e-4</text>');
  });
});


describe('lab report: error bars, log x axes, heatmaps', () => {
  test('error bars: one bar path (with caps) per point with a positive half-width; zero half-widths draw none', () => {
    const svg = lineChart({
      title: 't', xLabel: 'x', yLabel: 'y',
      series: [{ name: 'a', color: '#112233', points: [[1, 1], [2, 2], [3, 3]], errors: [0.5, 0, 0.25] }],
    });
    checkXml(svg);
    const bars = [...svg.matchAll(/<path d="M([\d.]+) ([\d.]+) L([\d.]+) ([\d.]+) M/g)];
    expect(bars).toHaveLength(2);
    for (const m of bars) expect(m[1]).toBe(m[3]); // vertical
    // the first bar spans y 0.5 … 1.5: three times as long as the third (2.75 … 3.25) is tall, ×2
    const len = (m: RegExpMatchArray) => Math.abs(Number(m[2]) - Number(m[4]));
    expect(len(bars[0]) / len(bars[1])).toBeCloseTo(2, 1);
  });

  test('logX: λ from 1e-6 to 1 gets power-of-ten tick labels; explicit xTickValues label sizes', () => {
    const svg = lineChart({ title: 't', xLabel: 'λ', yLabel: 'loss', logX: true, series: [{ name: 'a', color: '#000000', markers: true, points: [[1e-6, 1], [1e-3, 2], [1, 3], [0, 5]] }] });
    checkXml(svg);
    const xLabels = [...svg.matchAll(/<text x="[\d.]+" y="[\d.]+" text-anchor="middle">([^<]+)<\/text>/g)].map((m) => m[1]);
    expect(xLabels).toEqual(expect.arrayContaining(['1e-6', '1e-5', '1e-4', '1e-3', '0.01', '0.1', '1']));
    expect(svg.match(/<circle /g)).toHaveLength(3); // x = 0 has no place on a log axis
    const sizes = lineChart({ title: 't', xLabel: 'n', yLabel: 'err', logX: true, xTickValues: [250, 1000, 8000], series: [{ name: 'a', color: '#000000', points: [[250, 10], [8000, 2]] }] });
    expect(sizes).toContain('>250</text>');
    expect(sizes).toContain('>8000</text>');
  });

  test('divergingColor: 0 blue end, 0.5 white, 1 orange end (75% mixes)', () => {
    expect(divergingColor(0.5)).toBe('#ffffff');
    // 255 + (0x4e − 255)·0.75 = 122.25 → 7a; 0x79 → 154.5 → 9b (rounded 155); 0xa7 → 189
    expect(divergingColor(0)).toBe('#7a9bbd');
    expect(divergingColor(1)).toBe(divergingColor(1.7));
    expect(divergingColor(NaN)).toBe('#ffffff');
  });

  test('contourSegments: a 2×2 grid with one corner above the level gives one segment cutting two edges at the interpolated points', () => {
    // values: bl 0, br 1, tl 0, tr 0 (row-major, row 0 at the bottom); level 0.5
    const segs = contourSegments([0, 1, 0, 0], 2, 2, 0.5);
    expect(segs).toEqual([[0.5, 0, 1, 0.5]]);
    expect(contourSegments([1, 1, 1, 1], 2, 2, 0.5)).toEqual([]);
    // a vertical boundary through a 3×2 grid: x = 0.25 of the first cell … one segment per cell row
    const v = contourSegments([0, 2, 2, 0, 2, 2], 3, 2, 0.5);
    expect(v).toEqual([[0.25, 0, 0.25, 1]]);
  });

  test('heatmap of a 30×30 grid with points and the 0.5 contour is well-formed, merges equal cells, draws every point in range', () => {
    const n = 30;
    const values = Float32Array.from({ length: n * n }, (_, k) => (k % n < n / 2 ? 0.1 : 0.9));
    const points = [{ x: 0.2, y: 0.2, cls: 0 }, { x: 0.8, y: 0.5, cls: 1 }, { x: 5, y: 5, cls: 1 }];
    const svg = heatmap({ title: 'P <1>', xLabel: 'x₁', yLabel: 'x₂', values, nx: n, ny: n, xRange: [0, 1], yRange: [0, 1], points, contour: 0.5, valueLabel: 'P(class 1)' });
    const { root, counts } = checkXml(svg);
    expect(root).toBe('svg');
    // two runs per row after merging, plus the colour bar (20) and the points/frame
    expect(svg.match(/<rect [^>]*fill="#[0-9a-f]{6}"\/>/g)!.length).toBeLessThan(2 * n + 20 + 4);
    expect(counts.circle).toBe(1); // the class-0 point; the out-of-range point is skipped
    expect(svg).toContain('decision boundary (0.5)');
    expect(svg).not.toMatch(/NaN|undefined|Infinity/);
  });
});

describe('lab report: sideBySide', () => {
  test('two charts of width 300 and 200 with gap 10: one well-formed svg of width 510, the second placed at x = 310', () => {
    const a = lineChart({ title: 'a', xLabel: 'x', yLabel: 'y', width: 300, height: 200, series: [{ name: 's', color: '#000000', points: [[0, 0], [1, 1]] }] });
    const b = lineChart({ title: 'b', xLabel: 'x', yLabel: 'y', width: 200, height: 250, series: [] });
    const svg = sideBySide([a, b], 10);
    const { root, counts } = checkXml(svg);
    expect(root).toBe('svg');
    expect(counts.svg).toBe(3);
    expect(svg).toMatch(/^<svg xmlns="http:\/\/www.w3.org\/2000\/svg" width="510" height="250"/);
    expect(svg).toContain('<svg x="0" y="0" xmlns');
    expect(svg).toContain('<svg x="310" y="0" xmlns');
    expect(() => sideBySide(['<g/>'])).toThrow(/must start with <svg/);
  });
});

function section(id: Section['id'], claim: number | null): Section {
  return {
    id, claim, title: `Title ${id} & <co>`, sentence: `Sentence for ${id}.`, setup: 'Setup "quoted".',
    figures: [{ name: `${id}.svg`, caption: 'cap', svg: lineChart({ title: id, xLabel: 'x', yLabel: 'y', series: [{ name: 's', color: '#000000', points: [[1, 1], [2, 2]] }] }) }],
    tables: [{ caption: 'tab', columns: [{ header: 'variant', align: 'left', cells: ['none', 'l2=1e-3'] }, { header: 'test loss', align: 'right', cells: ['0.5 ± 0.1', '0.3 ± 0.05'] }] }],
    finding: `Finding ${id}: within the noise.`, headline: `headline ${id} 0.5 ± 0.1`, data: { value: NaN, arr: Float32Array.from([1, 2]), built: { huge: true } }, seconds: 1.25,
  };
}

const INFO: RunInfo = { seeds: [42, 43, 44], quick: false, finishedAt: '2026-12-07T02:00:00.000Z', seconds: 61.5, machine: 'Node test', command: 'npm start' };

describe('lab report: buildReport and writeReport', () => {
  const sections = [section('growth', 1), section('boundary', null)];

  test('index.html: one section per claim with heading, claim sentence, setup, inline SVG, table and finding; a table of contents', () => {
    const { html } = buildReport(sections, INFO);
    expect(html.match(/<section id=/g)).toHaveLength(2);
    expect(html).toContain('<section id="claim-1">');
    expect(html).toContain('<section id="boundary">');
    expect(html).toContain('<h2>Claim 1. Title growth &amp; &lt;co&gt;</h2>');
    expect(html).toContain('<p class="claim">Sentence for growth.</p>');
    expect(html).toContain('Setup &quot;quoted&quot;.');
    expect(html).toContain('<b>What the numbers show.</b> Finding growth: within the noise.');
    expect(html).toContain('href="#claim-1"');
    expect(html.match(/<svg /g)).toHaveLength(2);
    expect(html.match(/<tr>/g)).toHaveLength(2 * 3);
    expect(html).toContain('3 seeds (42, 43, 44)');
  });

  test('results.json: NaN → null, typed arrays → arrays, trained models left out, figures by name', () => {
    const { json } = buildReport(sections, INFO);
    const parsed = JSON.parse(json);
    expect(parsed.info).toEqual(INFO);
    expect(parsed.sections[0].data).toEqual({ value: null, arr: [1, 2] });
    expect(parsed.sections[0].figures).toEqual([{ name: 'growth.svg', caption: 'cap' }]);
    expect(toJson({ a: Infinity })).toBe('{\n "a": null\n}\n');
  });

  test('summary.md is a Markdown table of the headlines', () => {
    const { markdown } = buildReport(sections, INFO);
    expect(markdown).toContain('| 1. Title growth & <co> | headline growth 0.5 ± 0.1 |');
    expect(markdown).toContain('| Title boundary & <co> | headline boundary 0.5 ± 0.1 |');
  });

  test('writeReport writes index.html, results.json, summary.md and every SVG (XML prolog + svg)', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ridge-lab-report-'));
    try {
      const index = writeReport(path.join(dir, 'nested', 'out'), sections, INFO);
      expect(index).toBe(path.resolve(dir, 'nested', 'out', 'index.html'));
      for (const f of ['index.html', 'results.json', 'summary.md', 'growth.svg', 'boundary.svg']) expect(fs.existsSync(path.join(dir, 'nested', 'out', f))).toBe(true);
      const svg = fs.readFileSync(path.join(dir, 'nested', 'out', 'growth.svg'), 'utf8');
      expect(svg.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n<svg ')).toBe(true);
      checkXml(svg);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('text and Markdown tables align their columns', () => {
    const cols = sections[0].tables[0].columns;
    expect(renderText(cols).split('\n')).toEqual([
      'variant   test loss',
      '───────  ──────────',
      'none      0.5 ± 0.1',
      'l2=1e-3  0.3 ± 0.05',
    ]);
    expect(renderMarkdown(cols).split('\n')[1]).toBe('| :--- | ---: |');
  });
});

describe('lab progress', () => {
  function sink(tty: boolean) {
    const out: string[] = [];
    return { out, s: { write: (x: string) => out.push(x), isTTY: tty } };
  }

  test('not a terminal: a header per experiment and one line per run, no \\r', () => {
    const { out, s } = sink(false);
    const p = new LabProgress(s);
    p.experiment(0, 2, 'growth', 'claim 1: x');
    const r = p.run('mnist none · seed 42');
    r.epoch(0, 3); r.epoch(1, 3);
    r.done('test loss 0.5');
    const text = out.join('');
    expect(text).toMatch(/^\n\[1\/2\] growth — claim 1: x\n {2}mnist none · seed 42 +\d+\.\d s {2}test loss 0\.5\n$/);
    expect(text).not.toContain('\r');
  });

  test('terminal: the run line is redrawn in place and ends with one newline', () => {
    const { out, s } = sink(true);
    const r = new LabProgress(s).run('x');
    r.epoch(2, 3);
    r.done('ok');
    const text = out.join('');
    expect(text).toContain('\r  x');
    expect(text).toContain('epoch 3/3');
    expect(text.endsWith('ok\x1b[K\n')).toBe(true);
    expect(text.match(/\n/g)).toHaveLength(1);
  });

  test('no sink: silent', () => {
    const p = new LabProgress(null);
    p.experiment(0, 1, 'a', 'b');
    p.run('x').done('y');
  });
});
