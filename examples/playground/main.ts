/**
 * The playground page: reads the controls into a SessionConfig, talks to the worker (worker.ts) and
 * draws each snapshot: the decision boundary with the points, train vs test data loss, the loss
 * breakdown term by term and one weight histogram per layer. Numbers shown in the stats also sit in
 * `data-value` attributes at full precision (the browser spec reads them).
 */
import type { LayerSpec, PenaltyKind, SessionConfig, Snapshot } from './session';
import { DOMAIN, GRID } from './session';
import type { DatasetName, Points } from './data';

const $ = <T extends HTMLElement = HTMLElement>(id: string): T => {
  const el = document.getElementById(id);
  if (!el) throw new Error(`playground: no element #${id}`);
  return el as T;
};
const value = (id: string) => $<HTMLInputElement>(id).value;
const TARGETS = ['kernel', 'bias', 'activity'] as const;
const KINDS: [PenaltyKind, string][] = [['off', 'off'], ['l1', 'L1'], ['l2', 'L2'], ['l1l2', 'L1L2']];

const worker = new Worker('build/worker.js', { type: 'module' }) // relative to index.html;
let points: { train: Points; test: Points } | null = null;
let last: Snapshot | null = null;
let running = false;

// ------------------------------------------------------------------ controls → config
function hiddenUnits(): number[] {
  const units = value('hidden').split(',').map((s) => Number(s.trim())).filter((n) => Number.isInteger(n) && n > 0 && n <= 256);
  return units.length ? units.slice(0, 4) : [8];
}

/** One table row per layer (hidden layers, then the output), keeping choices already made. */
function renderLayerTable(): void {
  const body = document.querySelector('#layers tbody')!;
  const names = [...hiddenUnits().map((u, i) => `hidden${i + 1} (${u})`), 'output (1)'];
  const old = new Map<string, string>();
  body.querySelectorAll('select, input').forEach((el) => old.set(el.id, (el as HTMLInputElement).value));
  body.innerHTML = '';
  names.forEach((name, i) => {
    const tr = document.createElement('tr');
    tr.innerHTML = `<td>${name}</td>` + TARGETS.map((t) =>
      `<td><select id="reg-${i}-${t}">${KINDS.map(([k, label]) => `<option value="${k}">${label}</option>`).join('')}</select>` +
      `<input id="lam-${i}-${t}" type="number" min="0" step="0.001" value="0.003" title="λ"></td>`).join('');
    body.appendChild(tr);
  });
  body.querySelectorAll('select, input').forEach((el) => {
    const v = old.get(el.id);
    if (v !== undefined) (el as HTMLInputElement).value = v;
  });
}

function readConfig(): SessionConfig {
  const units = hiddenUnits();
  const activation = value('activation') as LayerSpec['activation'];
  const layers: LayerSpec[] = [...units, 1].map((u, i) => {
    const pen = (t: string) => ({ kind: value(`reg-${i}-${t}`) as PenaltyKind, lambda: Number(value(`lam-${i}-${t}`)) || 0 });
    return { units: u, activation: i === units.length ? 'sigmoid' : activation, kernel: pen('kernel'), bias: pen('bias'), activity: pen('activity') };
  });
  const int = (id: string, lo: number, hi: number, d: number) => {
    const n = Math.round(Number(value(id)));
    return Number.isFinite(n) ? Math.min(hi, Math.max(lo, n)) : d;
  };
  return {
    dataset: value('dataset') as DatasetName,
    noise: Number(value('noise')),
    nTrain: int('n-train', 4, 500, 24),
    nTest: int('n-test', 10, 2000, 400),
    seed: int('seed', -1e9, 1e9, 1),
    learningRate: Number(value('lr')) > 0 ? Number(value('lr')) : 0.02,
    layers,
  };
}

function setRunning(r: boolean): void {
  running = r;
  $<HTMLButtonElement>('start').disabled = r;
  $<HTMLButtonElement>('pause').disabled = !r;
}

function status(text: string): void { $('status').textContent = text; }

function reset(): void {
  setRunning(false);
  status('resetting…');
  worker.postMessage({ type: 'reset', config: readConfig() });
}

// ------------------------------------------------------------------ drawing
const C0 = [232, 128, 58], C1 = [47, 127, 193];

function drawBoundary(s: Snapshot): void {
  const canvas = $<HTMLCanvasElement>('boundary');
  const ctx = canvas.getContext('2d')!;
  const W = canvas.width, H = canvas.height;
  const img = ctx.createImageData(GRID, GRID);
  for (let i = 0; i < GRID * GRID; i++) {
    const p = s.grid[i];
    const c = p >= 0.5 ? C1 : C0;
    const strength = Math.min(1, Math.abs(p - 0.5) * 2); // 0 on the boundary, 1 when confident
    for (let k = 0; k < 3; k++) img.data[4 * i + k] = Math.round(255 + (c[k] - 255) * (0.15 + 0.45 * strength));
    img.data[4 * i + 3] = 255;
  }
  const tmp = document.createElement('canvas');
  tmp.width = GRID; tmp.height = GRID;
  tmp.getContext('2d')!.putImageData(img, 0, 0);
  ctx.imageSmoothingEnabled = true;
  ctx.drawImage(tmp, 0, 0, W, H);
  // the 0.5 contour, cell by cell
  ctx.fillStyle = 'rgba(30,30,40,0.8)';
  const cw = W / GRID, ch = H / GRID;
  for (let r = 0; r < GRID; r++) for (let c = 0; c < GRID; c++) {
    const a = s.grid[r * GRID + c] >= 0.5;
    if (c + 1 < GRID && a !== (s.grid[r * GRID + c + 1] >= 0.5)) ctx.fillRect((c + 1) * cw - 1, r * ch, 2, ch);
    if (r + 1 < GRID && a !== (s.grid[(r + 1) * GRID + c] >= 0.5)) ctx.fillRect(c * cw, (r + 1) * ch - 1, cw, 2);
  }
  if (!points) return;
  const px = (x: number) => ((x + DOMAIN) / (2 * DOMAIN)) * W, py = (y: number) => ((DOMAIN - y) / (2 * DOMAIN)) * H;
  const dots = (p: Points, radius: number, alpha: number, stroke: boolean) => {
    for (let i = 0; i < p.n; i++) {
      const c = p.label[i] === 1 ? C1 : C0;
      ctx.beginPath();
      ctx.arc(px(p.xy[2 * i]), py(p.xy[2 * i + 1]), radius, 0, 2 * Math.PI);
      ctx.fillStyle = `rgba(${c[0]},${c[1]},${c[2]},${alpha})`;
      ctx.fill();
      if (stroke) { ctx.lineWidth = 1.5; ctx.strokeStyle = '#fff'; ctx.stroke(); }
    }
  };
  if ($<HTMLInputElement>('show-test').checked) dots(points.test, 2, 0.45, false);
  dots(points.train, 5, 1, true);
}

function drawCurves(s: Snapshot): void {
  const canvas = $<HTMLCanvasElement>('curves');
  const ctx = canvas.getContext('2d')!;
  const W = canvas.width, H = canvas.height, L = 36, B = 18;
  ctx.clearRect(0, 0, W, H);
  const h = s.history;
  const maxStep = Math.max(1, h[h.length - 1].step);
  const maxLoss = Math.max(0.1, ...h.map((e) => Math.min(e.test, 5)), ...h.map((e) => e.train));
  const x = (step: number) => L + ((W - L - 6) * step) / maxStep, y = (v: number) => H - B - ((H - B - 6) * Math.min(v, maxLoss)) / maxLoss;
  ctx.strokeStyle = '#ccd'; ctx.fillStyle = '#667'; ctx.font = '11px system-ui'; ctx.lineWidth = 1;
  for (const f of [0, 0.5, 1]) {
    ctx.beginPath(); ctx.moveTo(L, y(f * maxLoss)); ctx.lineTo(W - 6, y(f * maxLoss)); ctx.stroke();
    ctx.fillText((f * maxLoss).toFixed(2), 2, y(f * maxLoss) + 4);
  }
  ctx.fillText(`step ${maxStep}`, W - 60, H - 4);
  const line = (key: 'train' | 'test', color: string, dash: number[]) => {
    ctx.beginPath(); ctx.setLineDash(dash); ctx.strokeStyle = color; ctx.lineWidth = 2;
    h.forEach((e, i) => (i ? ctx.lineTo(x(e.step), y(e[key])) : ctx.moveTo(x(e.step), y(e[key]))));
    ctx.stroke(); ctx.setLineDash([]);
  };
  line('train', '#333', []);
  line('test', '#c33', [5, 3]);
}

function drawBreakdown(s: Snapshot): void {
  const bd = s.breakdown;
  const rows = [{ cls: 'data', label: 'data (cross-entropy)', v: bd.data },
    ...bd.penalties.map((p) => ({ cls: p.target, label: `${p.layer} · ${p.target}`, v: p.value }))];
  const max = Math.max(...rows.map((r) => r.v), 1e-12);
  $('breakdown').innerHTML = rows.map((r) =>
    `<div class="row ${r.cls}" data-term="${r.label}" data-value="${r.v}"><span>${r.label}</span>` +
    `<span><div class="bar" style="width:${(100 * r.v) / max}%"></div></span><span class="num">${fmt(r.v)}</span></div>`).join('') +
    `<div class="row total" data-value="${bd.total}"><span>total</span><span>${bd.total > 0 ? `penalties ${((100 * (bd.total - bd.data)) / bd.total).toFixed(1)}%` : ''}</span><span class="num">${fmt(bd.total)}</span></div>`;
}

function drawHistograms(s: Snapshot): void {
  const box = $('histograms');
  if (box.children.length !== s.histograms.length) {
    box.innerHTML = s.histograms.map((_, i) => `<div class="hist"><div class="caption" id="hist-cap-${i}"></div><canvas id="hist-${i}" width="350" height="60"></canvas></div>`).join('');
  }
  s.histograms.forEach((hg, i) => {
    $(`hist-cap-${i}`).textContent = `${hg.layer} kernel: ${hg.size} weights, ‖W‖ = ${hg.norm.toFixed(3)}, max |w| = ${hg.limit.toFixed(3)}, |w| < 0.001: ${hg.nearZero}`;
    const canvas = $<HTMLCanvasElement>(`hist-${i}`);
    const ctx = canvas.getContext('2d')!;
    ctx.clearRect(0, 0, canvas.width, canvas.height);
    const peak = Math.max(...hg.counts, 1), bw = canvas.width / hg.counts.length;
    ctx.fillStyle = '#b65c9c';
    hg.counts.forEach((c, k) => { const hh = ((canvas.height - 12) * c) / peak; ctx.fillRect(k * bw + 1, canvas.height - 12 - hh, bw - 2, hh); });
    ctx.fillStyle = '#667'; ctx.font = '10px system-ui';
    ctx.fillText(`-${hg.limit.toFixed(2)}`, 0, canvas.height - 1);
    ctx.fillText('0', canvas.width / 2 - 3, canvas.height - 1);
    ctx.fillText(hg.limit.toFixed(2), canvas.width - 26, canvas.height - 1);
  });
}

function fmt(v: number): string {
  const a = Math.abs(v);
  return a !== 0 && (a < 1e-3 || a >= 1e4) ? v.toExponential(2) : v.toFixed(4);
}

function stat(id: string, v: number, text = fmt(v)): void {
  const el = $(id);
  el.textContent = text;
  el.dataset.value = String(v);
}

function render(s: Snapshot): void {
  last = s;
  drawBoundary(s);
  drawCurves(s);
  drawBreakdown(s);
  drawHistograms(s);
  stat('stat-step', s.step, String(s.step));
  stat('stat-train-loss', s.train.data);
  stat('stat-test-loss', s.test.data);
  stat('stat-weight-norm', s.weightNorm);
  $('stat-accuracy').textContent = `${(100 * s.train.accuracy).toFixed(1)}% / ${(100 * s.test.accuracy).toFixed(1)}%`;
}

// ------------------------------------------------------------------ wiring
worker.onmessage = (e: MessageEvent) => {
  const m = e.data;
  if (m.type === 'snapshot') {
    if (m.snapshot.points) points = m.snapshot.points;
    render(m.snapshot);
    setRunning(m.running);
    status(m.running ? `training… step ${m.snapshot.step}` : `ready at step ${m.snapshot.step}`);
  } else if (m.type === 'paused') {
    setRunning(false);
    status(`paused at step ${m.step}`);
  } else if (m.type === 'error') {
    setRunning(false);
    status('error: ' + m.message);
    console.error('playground worker:', m.message);
  }
};
worker.onerror = (e) => { status('worker failed: ' + e.message); console.error('playground worker failed:', e.message); };

$('reset').addEventListener('click', reset);
$('start').addEventListener('click', () => { setRunning(true); worker.postMessage({ type: 'start', stepsPerTick: Math.min(10, Number(value('steps-per-click'))) }); });
$('pause').addEventListener('click', () => worker.postMessage({ type: 'pause' }));
$('step').addEventListener('click', () => { status('stepping…'); worker.postMessage({ type: 'step', steps: Number(value('steps-per-click')) }); });
$('show-test').addEventListener('change', () => { if (last) drawBoundary(last); });
$('noise').addEventListener('input', () => { $('noise-value').textContent = Number(value('noise')).toFixed(2); });
for (const id of ['dataset', 'noise', 'n-train', 'n-test', 'seed', 'activation', 'lr']) $(id).addEventListener('change', reset);
$('hidden').addEventListener('change', () => { renderLayerTable(); reset(); });
document.querySelector('#layers tbody')!.addEventListener('change', reset);

renderLayerTable();
reset();
