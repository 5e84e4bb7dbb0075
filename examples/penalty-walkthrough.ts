/**
 * Where penalties enter the loss and the gradients, with numbers.
 *
 *   npx ts-node --transpile-only examples/penalty-walkthrough.ts
 *
 * For one dense layer and a batch of 4 (seeded weights and data), then for one conv2d layer, it
 * prints every term of the loss — data, kernel L2, bias L1, activity L1 / batch — each computed by
 * hand next to the value model.lossBreakdown reports, and, for a few weights, the gradient split
 * into its parts:
 *
 *   data        from a twin model without regularizers (same weights): model.gradients
 *   weight pen. 2·l2·w (kernel) or l1·sign(b) (bias)
 *   activity    the activity penalty's gradient, back through the layer (by hand below)
 *   sum         data + weight pen. + activity
 *   engine      model.gradients on the regularized model (total)
 *   finite diff (total(w + h) − total(w − h)) / 2h with model.lossBreakdown
 *
 * Then: why the activity penalty is divided by the batch size (the same samples twice), L2 vs
 * decoupled weight decay (SGD: equal; Adam: different), and a custom regularizer.
 *
 * `runWalkthrough()` returns every number; `formatWalkthrough()` prints them. docs/penalties.md
 * quotes the printed blocks and spec/walkthrough.spec.ts checks the quotes against a fresh run.
 */
import { Random, Tensor, layers, optimizers, regularizers, sequential, type Layer, type Model, type Regularizer } from '../lib';

// ------------------------------------------------------------------------------------------------
// The custom regularizer of docs/penalties.md ("Writing your own regularizer"), used in section 5.

/**
 * Smooth L1 (pseudo-Huber): l1·Σ(√(w² + δ²) − δ). Like L1 far from zero (slope ±l1), like L2 near
 * zero (curvature l1/δ), differentiable everywhere, so gradient checks never hit a kink.
 */
export function smoothL1(opts: { l1: number; delta: number }): Regularizer {
  const { l1, delta } = opts;
  return {
    penalty(x: Tensor): number {
      let s = 0;
      for (let i = 0; i < x.size; i++) s += Math.sqrt(x.data[i] * x.data[i] + delta * delta) - delta;
      return l1 * s;
    },
    gradient(x: Tensor): Tensor {
      const g = new Float32Array(x.size);
      for (let i = 0; i < x.size; i++) g[i] = (l1 * x.data[i]) / Math.sqrt(x.data[i] * x.data[i] + delta * delta);
      return new Tensor(g, x.shape);
    },
    getConfig() {
      return { className: 'SmoothL1', config: { l1, delta } };
    },
  };
}

// ------------------------------------------------------------------------------------------------
// Settings

export const SEED = 7;
export const BATCH = 4;
/** kernelRegularizer l2(L2), biasRegularizer l1(BIAS_L1), activityRegularizer l1(ACT_L1). */
export const L2 = 0.05;
export const BIAS_L1 = 0.02;
export const ACT_L1 = 0.03;
/** Finite-difference step (central differences on the float32 engine: ~4 significant digits). */
export const FD_STEP = 5e-3;

export interface LossTerm {
  name: string;
  /** The formula with the numbers put in. */
  byHand: string;
  value: number;
  /** The same term as model.lossBreakdown reports it. */
  engine: number;
}

export interface GradientRow {
  weight: string;
  w: number;
  data: number;
  /** 2·l2·w for a kernel entry, l1·sign(b) for a bias entry. */
  weightPenalty: number;
  activity: number;
  sum: number;
  engine: number;
  finiteDiff: number;
}

export interface LayerWalkthrough {
  title: string;
  terms: LossTerm[];
  /** Sum of the hand-computed terms, and model.lossBreakdown(...).total. */
  total: number;
  engineTotal: number;
  rows: GradientRow[];
}

export interface BatchDemo {
  /** Σ|y| over the batch, the activity term, for the batch of 4 and the same 4 samples twice. */
  sumAbs4: number;
  term4: number;
  sumAbs8: number;
  term8: number;
}

export interface DecayDemo {
  lr: number;
  lambda: number;
  weight: string;
  w0: number;
  /** SGD, one step on the data loss alone (engine). */
  sgd: number;
  /** SGD, one step on the data loss + l2(λ) (engine). */
  sgdL2: number;
  /** SGD with decoupled decay 2λ, by hand: w·(1 − lr·2λ) − lr·g_data. */
  sgdDecay: number;
  adamSteps: number;
  adamLr: number;
  /** Adam on data loss + l2(λ), and AdamW with weightDecay 2λ, after `adamSteps` steps (engine). */
  adamL2: number;
  adamW: number;
  /** Plain Adam without any penalty, for reference. */
  adam: number;
}

export interface CustomDemo {
  config: { className: string; config: Record<string, number> };
  penalty: number;
  engineTerm: number;
  rows: { weight: string; w: number; data: number; penaltyGrad: number; engine: number; finiteDiff: number }[];
}

export interface Walkthrough {
  dense: LayerWalkthrough;
  conv: LayerWalkthrough;
  batch: BatchDemo;
  decay: DecayDemo;
  custom: CustomDemo;
}

// ------------------------------------------------------------------------------------------------
// Helpers (public API only)

function seeded(rng: Random, shape: number[], scale: number, kind: 'normal' | 'uniform' = 'normal'): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  const d = new Float32Array(n);
  for (let i = 0; i < n; i++) d[i] = kind === 'normal' ? rng.normal() * scale : (2 * rng.uniform() - 1) * scale;
  return new Tensor(d, shape);
}

function compiled(ls: Layer[], optimizer: Parameters<Model['compile']>[0]['optimizer'] = 'sgd'): Model {
  const m = sequential(ls);
  m.compile({ optimizer, loss: 'meanSquaredError' });
  return m;
}

/** Central difference of model.lossBreakdown(x, y).total in weight tensor `t`, flat index `i`. */
function finiteDiff(m: Model, x: Tensor, y: Tensor, t: number, i: number, h = FD_STEP): number {
  const ws = m.getWeights();
  const at = (delta: number) => {
    const copy = ws.map((w) => new Tensor(w.data.slice(), w.shape));
    copy[t].data[i] += delta;
    m.setWeights(copy);
    return m.lossBreakdown(x, y).total;
  };
  const plus = at(h), minus = at(-h);
  m.setWeights(ws);
  return (plus - minus) / (2 * h);
}

function sumSq(d: Float32Array): number { let s = 0; for (const v of d) s += v * v; return s; }
function sumAbs(d: Float32Array): number { let s = 0; for (const v of d) s += Math.abs(v); return s; }
function fmt(v: number): string { return Number.isFinite(v) ? (+v.toPrecision(6)).toString() : String(v); }

/** Index name like kernel[1,2,0,1] from a flat index and a shape. */
function indexName(name: string, shape: readonly number[], flat: number): string {
  const idx: number[] = [];
  for (let k = shape.length - 1; k >= 0; k--) { idx.unshift(flat % shape[k]); flat = Math.floor(flat / shape[k]); }
  return `${name}[${idx.join(',')}]`;
}

function penaltyOf(b: { penalties: { target: string; value: number }[] }, target: string): number {
  return b.penalties.filter((p) => p.target === target).reduce((s, p) => s + p.value, 0);
}

/**
 * The loss terms and gradient rows for one layer (dense or conv2d): `make(regularized)` builds the
 * layer with or without the three regularizers; `activityGrad(x, y)` back-propagates
 * dA/dy = ACT_L1·sign(y)/B through tanh and the layer by hand and returns [dKernel, dBias].
 */
function walkLayer(title: string, make: (regularized: boolean) => Layer, x: Tensor, target: Tensor,
  kernel: Tensor, bias: Tensor, picks: [number, number][],
  activityGrad: (x: Tensor, dz: Float32Array) => [Float32Array, Float32Array]): LayerWalkthrough {
  const reg = compiled([make(true)]);
  const plain = compiled([make(false)]);
  reg.setWeights([kernel, bias]);
  plain.setWeights([kernel, bias]);

  // --- loss terms by hand ---
  const y = reg.predict(x, { batchSize: BATCH });
  let se = 0;
  for (let i = 0; i < y.size; i++) se += (y.data[i] - target.data[i]) ** 2;
  const data = se / y.size;
  const k2 = sumSq(kernel.data), b1 = sumAbs(bias.data), a1 = sumAbs(y.data);
  const breakdown = reg.lossBreakdown(x, target);
  const terms: LossTerm[] = [
    { name: 'data (mean squared error)', byHand: `Σ(y − t)² / ${y.size} = ${fmt(se)} / ${y.size}`, value: data, engine: breakdown.data },
    { name: 'kernel L2', byHand: `${L2} · Σw² = ${L2} · ${fmt(k2)}`, value: L2 * k2, engine: penaltyOf(breakdown, 'kernel') },
    { name: 'bias L1', byHand: `${BIAS_L1} · Σ|b| = ${BIAS_L1} · ${fmt(b1)}`, value: BIAS_L1 * b1, engine: penaltyOf(breakdown, 'bias') },
    { name: 'activity L1 / batch', byHand: `${ACT_L1} · Σ|y| / ${BATCH} = ${ACT_L1} · ${fmt(a1)} / ${BATCH}`, value: (ACT_L1 * a1) / BATCH, engine: penaltyOf(breakdown, 'activity') },
  ];

  // --- gradients ---
  const gData = plain.gradients(x, target).grads;
  const gTotal = reg.gradients(x, target).grads;
  // activity: dA/dy = l1·sign(y)/B, through tanh: dz = dA/dy · (1 − y²)
  const dz = new Float32Array(y.size);
  for (let i = 0; i < y.size; i++) dz[i] = ((ACT_L1 * Math.sign(y.data[i])) / BATCH) * (1 - y.data[i] * y.data[i]);
  const gAct = activityGrad(x, dz);
  const rows: GradientRow[] = picks.map(([t, i]) => {
    const w = (t === 0 ? kernel : bias).data[i];
    const weightPenalty = t === 0 ? 2 * L2 * w : BIAS_L1 * Math.sign(w);
    const data = gData[t].data[i], activity = gAct[t][i];
    return {
      weight: indexName(t === 0 ? 'kernel' : 'bias', (t === 0 ? kernel : bias).shape, i),
      w, data, weightPenalty, activity,
      sum: data + weightPenalty + activity,
      engine: gTotal[t].data[i],
      finiteDiff: finiteDiff(reg, x, target, t, i),
    };
  });
  return { title, terms, total: terms.reduce((s, t) => s + t.value, 0), engineTotal: breakdown.total, rows };
}

// ------------------------------------------------------------------------------------------------

export async function runWalkthrough(): Promise<Walkthrough> {
  const rng = new Random(SEED);
  const regs = (on: boolean) => (on
    ? { kernelRegularizer: regularizers.l2({ l2: L2 }), biasRegularizer: regularizers.l1({ l1: BIAS_L1 }), activityRegularizer: regularizers.l1({ l1: ACT_L1 }) }
    : {});

  // 1. Dense: x [4, 3] → tanh(x·W + b) [4, 2], W [3, 2], b [2]
  const IN = 3, UNITS = 2;
  const xd = seeded(rng, [BATCH, IN], 1);
  const td = seeded(rng, [BATCH, UNITS], 1, 'uniform');
  const kd = seeded(rng, [IN, UNITS], 0.8);
  const bd = seeded(rng, [UNITS], 0.3);
  const dense = walkLayer('dense: x [4,3] → tanh(x·W + b) [4,2]',
    (on) => layers.dense({ units: UNITS, activation: 'tanh', inputShape: [IN], ...regs(on) }),
    xd, td, kd, bd, [[0, 0], [0, 5], [1, 0], [1, 1]],
    (x, dz) => {
      const dW = new Float32Array(IN * UNITS), db = new Float32Array(UNITS);
      for (let b = 0; b < BATCH; b++) {
        for (let j = 0; j < UNITS; j++) {
          const g = dz[b * UNITS + j];
          db[j] += g;
          for (let i = 0; i < IN; i++) dW[i * UNITS + j] += x.data[b * IN + i] * g; // dW = xᵀ·dz
        }
      }
      return [dW, db];
    });

  // 2. Conv2d: x [4, 5, 5, 1] → tanh(conv(x, W) + b) [4, 3, 3, 2], W [3, 3, 1, 2], 'valid'
  const H = 5, K = 3, CO = 2, OH = H - K + 1;
  const xc = seeded(rng, [BATCH, H, H, 1], 1);
  const tc = seeded(rng, [BATCH, OH, OH, CO], 1, 'uniform');
  const kc = seeded(rng, [K, K, 1, CO], 0.5);
  const bc = seeded(rng, [CO], 0.3);
  const conv = walkLayer('conv2d: x [4,5,5,1] → tanh(conv(x, W) + b) [4,3,3,2], 3×3 kernel, valid',
    (on) => layers.conv2d({ filters: CO, kernelSize: K, activation: 'tanh', inputShape: [H, H, 1], ...regs(on) }),
    xc, tc, kc, bc, [[0, 0], [0, 11], [1, 1]],
    (x, dz) => {
      const dW = new Float32Array(K * K * CO), db = new Float32Array(CO);
      for (let b = 0; b < BATCH; b++) {
        for (let oy = 0; oy < OH; oy++) {
          for (let ox = 0; ox < OH; ox++) {
            for (let co = 0; co < CO; co++) {
              const g = dz[((b * OH + oy) * OH + ox) * CO + co];
              db[co] += g;
              for (let ky = 0; ky < K; ky++) {
                for (let kx = 0; kx < K; kx++) dW[(ky * K + kx) * CO + co] += x.data[(b * H + oy + ky) * H + ox + kx] * g;
              }
            }
          }
        }
      }
      return [dW, db];
    });

  // 3. The activity penalty is divided by the batch size: the same 4 samples twice → same term.
  const m = compiled([layers.dense({ units: UNITS, activation: 'tanh', inputShape: [IN], ...regs(true) })]);
  m.setWeights([kd, bd]);
  const twice = (t: Tensor) => { const d = new Float32Array(t.size * 2); d.set(t.data); d.set(t.data, t.size); return new Tensor(d, [t.shape[0] * 2, ...t.shape.slice(1)]); };
  const y4 = m.predict(xd), y8 = m.predict(twice(xd));
  const batch: BatchDemo = {
    sumAbs4: sumAbs(y4.data), term4: penaltyOf(m.lossBreakdown(xd, td), 'activity'),
    sumAbs8: sumAbs(y8.data), term8: penaltyOf(m.lossBreakdown(twice(xd), twice(td)), 'activity'),
  };

  // 4. L2 penalty vs decoupled weight decay, on the dense layer (kernel l2(λ) only).
  const lr = 0.1, lambda = L2, adamLr = 0.01, adamSteps = 10;
  const denseWith = (reg: Regularizer | undefined, optimizer: Parameters<Model['compile']>[0]['optimizer']) => {
    const mm = compiled([layers.dense({ units: UNITS, activation: 'tanh', inputShape: [IN], kernelRegularizer: reg })], optimizer);
    mm.setWeights([kd, bd]);
    return mm;
  };
  const steps = async (mm: Model, n: number) => { await mm.fit(xd, td, { epochs: n, batchSize: BATCH, shuffle: false, verbose: 0 }); return mm.getWeights()[0].data[0]; };
  const gData = denseWith(undefined, 'sgd').gradients(xd, td).grads[0].data[0];
  const w0 = kd.data[0];
  const decay: DecayDemo = {
    lr, lambda, weight: 'kernel[0,0]', w0,
    sgd: await steps(denseWith(undefined, optimizers.sgd({ learningRate: lr })), 1),
    sgdL2: await steps(denseWith(regularizers.l2({ l2: lambda }), optimizers.sgd({ learningRate: lr })), 1),
    sgdDecay: w0 * (1 - lr * 2 * lambda) - lr * gData,
    adamSteps, adamLr,
    adamL2: await steps(denseWith(regularizers.l2({ l2: lambda }), optimizers.adam({ learningRate: adamLr })), adamSteps),
    adamW: await steps(denseWith(undefined, optimizers.adamw({ learningRate: adamLr, weightDecay: 2 * lambda })), adamSteps),
    adam: await steps(denseWith(undefined, optimizers.adam({ learningRate: adamLr })), adamSteps),
  };

  // 5. A custom regularizer: smoothL1 on the dense kernel.
  const sl1 = smoothL1({ l1: 0.05, delta: 0.1 });
  const cm = compiled([layers.dense({ units: UNITS, activation: 'tanh', inputShape: [IN], kernelRegularizer: sl1 })]);
  cm.setWeights([kd, bd]);
  const cData = denseWith(undefined, 'sgd').gradients(xd, td).grads[0];
  const cTotal = cm.gradients(xd, td).grads[0];
  const cPen = sl1.gradient(kd);
  const custom: CustomDemo = {
    config: sl1.getConfig(),
    penalty: sl1.penalty(kd),
    engineTerm: penaltyOf(cm.lossBreakdown(xd, td), 'kernel'),
    rows: [0, 3, 5].map((i) => ({
      weight: indexName('kernel', kd.shape, i), w: kd.data[i], data: cData.data[i], penaltyGrad: cPen.data[i],
      engine: cTotal.data[i], finiteDiff: finiteDiff(cm, xd, td, 0, i),
    })),
  };
  return { dense, conv, batch, decay, custom };
}

// ------------------------------------------------------------------------------------------------
// Printing

function table(headers: string[], rows: string[][], alignLeft = 1): string[] {
  const width = (s: string) => Array.from(s).length;
  const widths = headers.map((h, c) => Math.max(width(h), ...rows.map((r) => width(r[c]))));
  const pad = (s: string, c: number) => (c < alignLeft ? s + ' '.repeat(widths[c] - width(s)) : ' '.repeat(widths[c] - width(s)) + s);
  return [headers, ...rows].map((r) => '  ' + r.map(pad).join('  ').replace(/\s+$/, ''));
}

function formatLayer(n: number, l: LayerWalkthrough): string[] {
  const out = [`${n}. ${l.title}`, '', `Loss terms (batch of ${BATCH}):`];
  out.push(...table(['term', 'by hand', 'value', 'lossBreakdown'], [
    ...l.terms.map((t) => [t.name, t.byHand, fmt(t.value), fmt(t.engine)]),
    ['total', '', fmt(l.total), fmt(l.engineTotal)],
  ], 2));
  out.push('', 'Gradient of the total loss, split into its parts:');
  out.push(...table(['weight', 'w', 'data', '2·l2·w | l1·sign(b)', 'activity', 'sum', 'engine', 'finite diff'],
    l.rows.map((r) => [r.weight, fmt(r.w), fmt(r.data), fmt(r.weightPenalty), fmt(r.activity), fmt(r.sum), fmt(r.engine), fmt(r.finiteDiff)])));
  return out;
}

export function formatWalkthrough(w: Walkthrough): string {
  const out: string[] = [
    `Penalty walkthrough: kernelRegularizer l2(${L2}), biasRegularizer l1(${BIAS_L1}), activityRegularizer l1(${ACT_L1}), loss meanSquaredError, seed ${SEED}`,
    '',
    ...formatLayer(1, w.dense),
    '',
    ...formatLayer(2, w.conv),
    '',
    `3. The activity penalty is divided by the batch size (dense layer above)`,
    '',
    ...table(['batch', 'Σ|y|', `activity term = ${ACT_L1} · Σ|y| / batch`], [
      ['4 samples', fmt(w.batch.sumAbs4), fmt(w.batch.term4)],
      ['the same 4 samples twice', fmt(w.batch.sumAbs8), fmt(w.batch.term8)],
    ]),
    '',
    `4. L2 penalty vs decoupled weight decay (dense layer, kernel l2(λ = ${w.decay.lambda}) only; ${w.decay.weight} starts at ${fmt(w.decay.w0)})`,
    '',
    ...table(['optimizer', `${w.decay.weight} after`, 'minus no-penalty run'], [
      [`SGD lr ${w.decay.lr}, no penalty, 1 step`, fmt(w.decay.sgd), ''],
      [`SGD lr ${w.decay.lr}, loss + l2(${w.decay.lambda}), 1 step`, fmt(w.decay.sgdL2), fmt(w.decay.sgdL2 - w.decay.sgd)],
      [`SGD lr ${w.decay.lr}, decoupled decay ${2 * w.decay.lambda} (by hand), 1 step`, fmt(w.decay.sgdDecay), fmt(w.decay.sgdDecay - w.decay.sgd)],
      [`Adam lr ${w.decay.adamLr}, no penalty, ${w.decay.adamSteps} steps`, fmt(w.decay.adam), ''],
      [`Adam lr ${w.decay.adamLr}, loss + l2(${w.decay.lambda}), ${w.decay.adamSteps} steps`, fmt(w.decay.adamL2), fmt(w.decay.adamL2 - w.decay.adam)],
      [`AdamW lr ${w.decay.adamLr}, weightDecay ${2 * w.decay.lambda}, ${w.decay.adamSteps} steps`, fmt(w.decay.adamW), fmt(w.decay.adamW - w.decay.adam)],
    ]),
    '',
    `5. A custom regularizer: ${w.custom.config.className}(${Object.entries(w.custom.config.config).map(([k, v]) => `${k} ${v}`).join(', ')}) on the dense kernel`,
    '',
    `  penalty(W) = ${fmt(w.custom.penalty)}   lossBreakdown kernel term = ${fmt(w.custom.engineTerm)}`,
    ...table(['weight', 'w', 'data', 'gradient(W)', 'engine', 'finite diff'],
      w.custom.rows.map((r) => [r.weight, fmt(r.w), fmt(r.data), fmt(r.penaltyGrad), fmt(r.engine), fmt(r.finiteDiff)])),
  ];
  return out.join('\n') + '\n';
}

// ------------------------------------------------------------------------------------------------
// Keeping docs/penalties.md in step

/** A line with its numbers replaced by '#' and its spaces collapsed: what must not change. */
const NUMBER = /-?\d+(?:\.\d+)?(?:e[-+]?\d+)?/g;

export function lineSkeleton(line: string): string {
  return line.replace(NUMBER, '#').replace(/\s+/g, ' ').trim();
}

/**
 * Replaces every block the guide quotes (a ```text fence right after `<!-- walkthrough -->`) by
 * the run of printed lines with the same text skeleton, so new numbers flow into the guide.
 * Numbers quoted in the prose are not touched (spec/walkthrough.spec.ts reports stale ones).
 * Throws when a block's text no longer appears in the output (the guide needs a human).
 */
export function updateGuide(markdown: string, printed: string): string {
  const out = printed.split('\n');
  return markdown.replace(/(<!-- walkthrough -->\n```text\n)([\s\S]*?)(```)/g, (_m, open: string, body: string, close: string) => {
    const block = body.replace(/\n$/, '').split('\n');
    // candidates: runs of printed lines with the same text; the same table layout appears for the
    // dense and the conv layer, so pick the run whose numbers are closest to the quoted ones
    let start = -1, best = Infinity;
    for (let i = 0; i < out.length; i++) {
      if (!block.every((line, k) => out[i + k] !== undefined && lineSkeleton(out[i + k]) === lineSkeleton(line))) continue;
      let distance = 0;
      block.forEach((line, k) => {
        const a = line.match(NUMBER) ?? [], b = out[i + k].match(NUMBER) ?? [];
        a.forEach((t, j) => { const x = Number(t), y = Number(b[j]); distance += Math.abs(x - y) / (Math.abs(x) + Math.abs(y) + 1e-12); });
      });
      if (distance < best) { best = distance; start = i; }
    }
    if (start < 0) throw new Error(`updateGuide: the walkthrough no longer prints a block starting with\n  ${block[0]}`);
    return open + out.slice(start, start + block.length).join('\n') + '\n' + close;
  });
}

if (require.main === module) {
  // npx ts-node --transpile-only examples/penalty-walkthrough.ts [--update-doc docs/penalties.md]
  const i = process.argv.indexOf('--update-doc');
  runWalkthrough().then(
    (w) => {
      const printed = formatWalkthrough(w);
      if (i < 0) { process.stdout.write(printed); return; }
      // eslint-disable-next-line @typescript-eslint/no-var-requires
      const fs = require('fs') as typeof import('fs');
      const file = process.argv[i + 1] ?? 'docs/penalties.md';
      fs.writeFileSync(file, updateGuide(fs.readFileSync(file, 'utf8'), printed));
      process.stdout.write(`updated the quoted blocks of ${file}; check its prose numbers with npx jest spec/walkthrough.spec.ts\n`);
    },
    (err) => { process.stderr.write(String(err instanceof Error ? err.stack : err) + '\n'); process.exitCode = 1; },
  );
}
