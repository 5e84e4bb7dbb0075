import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Random } from '../lib/random';
import { buildReport, writeReport } from '../examples/lab/report';
import { NEAR_ZERO, type LabResults, type VariantResult } from '../examples/lab/results';
import { escapeXml, lineChart, barChart, niceTicks } from '../examples/lab/svg';
import { countNearZero, logMagnitudeHistogram, HISTOGRAM_EDGES, l2Norm } from '../examples/lab/stats';
import { formatResultsTable, formatResultsMarkdown } from '../examples/lab/table';
import { parseLabArgs } from '../examples/lab/options';
import { VariantProgress } from '../examples/lab/progress';

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

/** Synthetic but self-consistent results (what runLab produces), from a seeded generator. */
function fixture(nVariants: number, epochs: number, seed = 7): LabResults {
  const rnd = new Random(seed);
  const parsed = parseLabArgs(['--epochs', String(epochs), '--train', '100', '--test', '50']);
  if (parsed.kind !== 'run') throw new Error('fixture options');
  const options = { ...parsed.options, variants: parsed.options.variants.slice(0, nVariants) };
  const layerDefs = [
    { name: 'conv1', className: 'Conv2D', kernelShape: [3, 3, 1, 8] },
    { name: 'pool1', className: 'MaxPooling2D', kernelShape: null },
    { name: 'hidden', className: 'Dense', kernelShape: [200, 32] },
  ];
  const variants: VariantResult[] = options.variants.map((spec, vi) => {
    const kernels = layerDefs.filter((l) => l.kernelShape).map((l) => {
      const n = l.kernelShape!.reduce((a, b) => a * b, 1);
      return Float32Array.from({ length: n }, () => rnd.normal() * 0.1 * (rnd.uniform() < 0.2 ? 1e-4 : 1));
    });
    const loss: number[] = [], dataLoss: number[] = [], valLoss: number[] = [], valDataLoss: number[] = [];
    for (let e = 0; e < epochs; e++) {
      const d = 2 * Math.exp(-e / 3) + 0.05 * rnd.uniform();
      const p = spec.kind === 'none' || spec.kind === 'adamw' ? 0 : 0.1 * rnd.uniform();
      dataLoss.push(d); loss.push(d + p);
      const vd = d + 0.1 * e * (vi === 0 ? 1 : 0.3);
      valDataLoss.push(vd); valLoss.push(vd + p);
    }
    const trainAccuracy = 0.9 + 0.1 * rnd.uniform(), testAccuracy = 0.8 + 0.1 * rnd.uniform();
    const trainDataLoss = dataLoss[epochs - 1] * 0.9;
    const penalties = spec.kind === 'none' || spec.kind === 'adamw' ? [] : [{ layer: 'conv1', target: 'kernel', value: 0.01 }, { layer: 'hidden', target: 'kernel', value: 0.03 }];
    const penalty = penalties.reduce((s, p) => s + p.value, 0);
    const total = kernels.reduce((s, k) => s + k.length, 0);
    return {
      label: spec.label,
      spec,
      description: `variant ${spec.kind} <&> "quoted"`,
      optimizer: spec.kind === 'adamw' ? 'adamw' : 'adam',
      history: {
        epoch: Array.from({ length: epochs }, (_, e) => e + 1),
        loss, dataLoss, valLoss, valDataLoss,
        penaltyShare: loss.map((l, e) => (l - dataLoss[e]) / l),
        accuracy: dataLoss.map(() => rnd.uniform()),
        valAccuracy: dataLoss.map(() => rnd.uniform()),
        seconds: dataLoss.map(() => 1 + rnd.uniform()),
      },
      final: {
        trainAccuracy, testAccuracy, gap: trainAccuracy - testAccuracy,
        trainDataLoss, trainTotalLoss: trainDataLoss + penalty, penalty,
        penaltyShare: penalty / (trainDataLoss + penalty), testDataLoss: valDataLoss[epochs - 1],
        penalties,
        nearZeroFraction: kernels.reduce((s, k) => s + countNearZero(k), 0) / total,
        kernelL2: Math.sqrt(kernels.reduce((s, k) => s + l2Norm(k) ** 2, 0)),
      },
      layers: layerDefs.filter((l) => l.kernelShape).map((l, k) => ({
        name: l.name, className: l.className, kernelShape: l.kernelShape!,
        kernelL2: l2Norm(kernels[k]), nearZeroFraction: countNearZero(kernels[k]) / kernels[k].length, kernelMaxAbs: 0.3,
      })),
      histogram: logMagnitudeHistogram(kernels),
      secondsPerEpoch: 1.5,
      seconds: 1.5 * epochs,
    };
  });
  return {
    finishedAt: '2026-11-30T03:00:00.000Z',
    options,
    data: { source: 'fixture', train: 100, test: 50, mean: 0.13, std: 0.31, classCountsTrain: new Array(10).fill(10), classCountsTest: new Array(10).fill(5) },
    model: { summary: 'Layer (type)   Output shape   Params\nconv1 <Conv2D>   [null,26,26,8]   80', params: 6512, layers: layerDefs },
    nearZeroThreshold: NEAR_ZERO,
    variants,
    seconds: 12.5,
  };
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

describe('lab report: weight statistics', () => {
  test('logMagnitudeHistogram matches a direct count per half-decade (zeros and tiny values in the first bin)', () => {
    const w = Float32Array.from([0, 1e-9, -2e-6, 5e-4, -9.9e-4, 1e-3, 0.03, -0.5, 2, 7]);
    const h = logMagnitudeHistogram([w.subarray(0, 4), w.subarray(4)]);
    expect(h.total).toBe(10);
    expect(h.edges).toEqual(HISTOGRAM_EDGES);
    const expected = new Array(12).fill(0);
    for (const v of w) {
      const a = Math.abs(v);
      let k = 0;
      while (k < 11 && a >= 10 ** HISTOGRAM_EDGES[k + 1]) k++;
      expected[k]++;
    }
    expect(h.counts).toEqual(expected);
    expect(countNearZero(w, 1e-3)).toBe(5);
    expect(l2Norm(Float32Array.from([3, -4]))).toBe(5);
  });
});

describe('lab report: buildReport and writeReport', () => {
  const results = fixture(4, 6);
  const files = buildReport(results);

  test('4 variants × 6 epochs: every SVG is well-formed XML with an <svg> root', () => {
    // 4 learning-curve panels, 1 test-accuracy chart, 4 histograms, 1 penalty-share chart
    expect(files.svgs.map((s) => s.name)).toEqual([
      'learning-curves-1.svg', 'learning-curves-2.svg', 'learning-curves-3.svg', 'learning-curves-4.svg',
      'test-accuracy.svg',
      'weights-1.svg', 'weights-2.svg', 'weights-3.svg', 'weights-4.svg',
      'penalty-share.svg',
    ]);
    for (const s of files.svgs) {
      const { root, counts } = checkXml(s.svg);
      expect(root).toBe('svg');
      expect(s.svg).toContain('xmlns="http://www.w3.org/2000/svg"');
      expect(s.svg).not.toMatch(/NaN|undefined/);
      if (s.name.startsWith('weights')) expect(counts.rect).toBeGreaterThanOrEqual(12);
      else expect(counts.path).toBeGreaterThanOrEqual(1);
    }
    // a penalised variant draws train, test and total; 'none' draws only train and test
    expect(checkXml(files.svgs[0].svg).counts.path).toBe(2);
    expect(checkXml(files.svgs[1].svg).counts.path).toBe(3);
    expect(checkXml(files.svgs[9].svg).counts.path).toBe(4);
  });

  test('index.html has the required elements: title, the table with one row per variant, every chart inline', () => {
    const html = files.html;
    expect(html.startsWith('<!DOCTYPE html>')).toBe(true);
    expect(html).toMatch(/<title>Ridge regularization lab<\/title>/);
    expect(html).toMatch(/<h2>Learning curves<\/h2>/);
    expect(html).toMatch(/<h2>Weight magnitudes<\/h2>/);
    expect(html).toMatch(/<h2>Penalty share over epochs<\/h2>/);
    const table = /<table>[\s\S]*?<\/table>/.exec(html)![0];
    checkXml(table); // the table itself is well-formed
    expect(table.match(/<tr>/g)).toHaveLength(1 + 4);
    const headers = table.match(/<th /g)!.length;
    for (const row of table.match(/<tr>.*<\/tr>/g)!.slice(1)) expect(row.match(/<td /g)).toHaveLength(headers);
    // the penalty-terms table: one row per variant, one column per layer/target present
    const terms = /<h3>Penalty terms after training<\/h3>[\s\S]*?(<table>[\s\S]*?<\/table>)/.exec(html)![1];
    checkXml(terms);
    expect(terms.match(/<tr>/g)).toHaveLength(1 + 4);
    expect(terms).toContain('>conv1 kernel</th>');
    expect(terms).toContain('>hidden kernel</th>');
    expect(html).toContain('The hidden kernel holds 99% of the kernel weights');
    // every SVG appears inline, each well-formed in place
    const inline = html.match(/<svg[\s\S]*?<\/svg>/g)!;
    expect(inline).toHaveLength(files.svgs.length);
    inline.forEach((s) => checkXml(s));
    // text from the results is escaped
    expect(html).toContain('variant none &lt;&amp;&gt; &quot;quoted&quot;');
    expect(html).not.toMatch(/NaN|undefined/);
  });

  test('results.json holds every number, consistent with the table', () => {
    const parsed = JSON.parse(files.json) as LabResults;
    expect(parsed.variants).toHaveLength(4);
    for (const [k, v] of parsed.variants.entries()) {
      const src = results.variants[k];
      expect(v.final.gap).toBeCloseTo(v.final.trainAccuracy - v.final.testAccuracy, 12);
      expect(v.final.penaltyShare).toBeCloseTo(v.final.penalty / v.final.trainTotalLoss, 12);
      expect(v.final.penalty).toBeCloseTo(v.final.penalties.reduce((s, p) => s + p.value, 0), 12);
      expect(v.histogram.counts.reduce((a, b) => a + b, 0)).toBe(v.histogram.total);
      expect(v.history.loss).toHaveLength(6);
      expect(v.history.penaltyShare).toEqual(src.history.penaltyShare);
      expect(v.layers.map((l) => l.kernelL2)).toEqual(src.layers.map((l) => l.kernelL2));
    }
    // the text and Markdown tables print the same rounded numbers as results.json
    const text = formatResultsTable(results);
    const md = formatResultsMarkdown(results);
    expect(files.markdown.trim()).toBe(md);
    for (const v of parsed.variants) {
      const cells = [`${(v.final.trainAccuracy * 100).toFixed(1)}%`, `${(v.final.testAccuracy * 100).toFixed(1)}%`, v.final.trainDataLoss.toFixed(3), v.layers[0].kernelL2.toFixed(2)];
      const line = text.split('\n').find((l) => l.startsWith(v.label + ' '))!;
      const mdLine = md.split('\n').find((l) => l.startsWith(`| ${v.label} |`))!;
      for (const cell of cells) {
        expect(line).toContain(cell);
        expect(mdLine).toContain(cell);
      }
    }
  });

  test('non-finite numbers become null in results.json and gaps in the charts', () => {
    const broken = fixture(2, 3, 11);
    broken.variants[1].history.valDataLoss[1] = NaN;
    broken.variants[1].final.testDataLoss = Infinity;
    const f = buildReport(broken);
    const parsed = JSON.parse(f.json);
    expect(parsed.variants[1].history.valDataLoss[1]).toBeNull();
    expect(parsed.variants[1].final.testDataLoss).toBeNull();
    for (const s of f.svgs) expect(s.svg).not.toMatch(/NaN/);
  });

  test('writeReport writes index.html, results.json, table.md and each SVG file (XML prolog + svg)', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ridge-lab-report-'));
    try {
      const out = path.join(dir, 'nested', 'report');
      const index = writeReport(out, results);
      expect(index).toBe(path.resolve(out, 'index.html'));
      expect(fs.readFileSync(index, 'utf8')).toBe(files.html);
      expect(JSON.parse(fs.readFileSync(path.join(out, 'results.json'), 'utf8')).variants[2].final.testAccuracy).toBe(results.variants[2].final.testAccuracy);
      expect(fs.readFileSync(path.join(out, 'table.md'), 'utf8')).toBe(files.markdown);
      for (const s of files.svgs) {
        const text = fs.readFileSync(path.join(out, s.name), 'utf8');
        expect(text.startsWith('<?xml version="1.0" encoding="UTF-8"?>')).toBe(true);
        expect(checkXml(text).root).toBe('svg');
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('lab progress bar', () => {
  function sink(isTTY: boolean) {
    const chunks: string[] = [];
    return { isTTY, chunks, write: (s: string) => { chunks.push(s); return true; } };
  }
  const logs = (loss: number, data: number, acc: number) => ({ loss, data_loss: data, val_accuracy: acc });

  test('not a terminal: one plain line per epoch with loss, penalty share and test accuracy, no \\r', () => {
    const s = sink(false);
    const p = new VariantProgress(s, '[2/6] l2=1e-3', 3, 4);
    for (let e = 0; e < 3; e++) {
      p.onEpochBegin(e);
      for (let b = 0; b < 4; b++) p.onBatchEnd(b, { loss: 1, data_loss: 0.5 });
      p.onEpochEnd(e, logs(0.5, 0.4, 0.9 + e / 100));
    }
    p.onTrainEnd();
    expect(s.chunks).toHaveLength(3);
    expect(s.chunks[0]).toMatch(/^\[2\/6\] l2=1e-3 epoch 1\/3 {2}loss 0\.5000 \(penalty 20\.0%\) {2}test acc 90\.0% {2}\S+\n$/);
    expect(s.chunks[2]).toMatch(/epoch 3\/3 .*test acc 92\.0%/);
    expect(s.chunks.join('')).not.toContain('\r');
  });

  test('terminal: the line is redrawn in place with a bar and ends with one newline', () => {
    const s = sink(true);
    const p = new VariantProgress(s, '[1/1] none', 2, 2);
    p.onEpochBegin(0);
    p.onBatchEnd(0, { loss: 2, data_loss: 2 });
    p.onEpochEnd(0, logs(1, 1, 0.5));
    p.onEpochBegin(1);
    p.onEpochEnd(1, logs(0.5, 0.5, 0.75));
    p.onTrainEnd();
    const out = s.chunks.join('');
    expect(out.startsWith('\r[1/1] none [')).toBe(true);
    expect(out).toContain('[=========>..........]  epoch 1/2  loss 1.0000 (penalty 0.0%)  test acc 50.0%');
    expect(out).toContain('[====================]  epoch 2/2  loss 0.5000');
    expect(out.endsWith('\n')).toBe(true);
    expect(out.match(/\n/g)).toHaveLength(1);
  });

  test('no sink: silent', () => {
    const p = new VariantProgress(null, 'x', 1, 1);
    expect(() => { p.onEpochBegin(0); p.onBatchEnd(0, { loss: 1 }); p.onEpochEnd(0, { loss: 1 }); p.onTrainEnd(); }).not.toThrow();
  });
});
