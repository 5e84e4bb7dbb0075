/**
 * Central finite-difference gradient check for ONE layer (caffe's GradientChecker, STYLE.md §11).
 *
 *   loss(inputs, weights) = Σ_i y_i · r_i          r: a fixed random tensor shaped like y
 *   analytic:   dL/dx = layer.backward(ctx, r),  dL/dW = weight.grad (zeroed first)
 *   numeric:    (L(v + eps) − L(v − eps)) / (2·eps)   for sampled elements v of every input and weight
 *   accept:     |analytic − numeric| <= tol · max(1, |analytic|, |numeric|)   (floored at scale 1)
 *
 * Tensors are float32, so the loss is summed in float64 but every forward is float32: eps ≈ 1e-2 …
 * 1e-3 with tol ≈ 1e-2 is the right regime (rounding noise ≈ 1e-7·|L| / eps).
 *
 * Kinks (ReLU at 0, a max-pool argmax changing): a point is skipped when its one-sided differences
 * (L(v+eps) − L(v)) / eps and (L(v) − L(v−eps)) / eps disagree by more than `kinkTol`; a central
 * difference is then meaningless there. The checker fails if more than `maxKinkFraction` of the
 * points are skipped, so a real bug cannot hide as "kinks". Choose sample points away from kinks
 * anyway (spaced values for max-pooling, random values for ReLU).
 */
import { Layer } from '../../lib/layers/layer';
import { Random } from '../../lib/random';
import { Tensor } from '../../lib/tensor';

export interface LayerCheckOptions {
  eps?: number;
  tol?: number;
  /** Elements sampled per input / weight tensor (all of them if the tensor is smaller). */
  maxPoints?: number;
  seed?: number;
  /** One-sided slopes differing by more than this mark a kink (default 20·tol). */
  kinkTol?: number;
  maxKinkFraction?: number;
  training?: boolean;
}

export interface LayerCheckReport {
  checked: number;
  skippedKinks: number;
  maxError: number;
}

function lossOf(y: Tensor, r: Float32Array): number {
  let s = 0;
  const d = y.data;
  for (let i = 0; i < d.length; i++) s += d[i] * r[i];
  return s;
}

function sampleIndices(n: number, k: number, rng: Random): number[] {
  if (n <= k) return Array.from({ length: n }, (_, i) => i);
  const idx = Array.from({ length: n }, (_, i) => i);
  rng.shuffle(idx);
  return idx.slice(0, k).sort((a, b) => a - b);
}

/**
 * Checks the input gradients and every weight gradient of `layer` at `inputs`. Throws an Error
 * naming the tensor, the index, both values and the layer on the first mismatch.
 */
export function checkLayerGradients(layer: Layer, inputs: Tensor[], opts: LayerCheckOptions = {}): LayerCheckReport {
  const eps = opts.eps ?? 1e-3;
  const tol = opts.tol ?? 1e-2;
  const maxPoints = opts.maxPoints ?? 40;
  const kinkTol = opts.kinkTol ?? 20 * tol;
  const maxKinkFraction = opts.maxKinkFraction ?? 0.05;
  const training = opts.training ?? false;
  const rng = new Random(opts.seed ?? 1234);

  const first = layer.forward(inputs, training);
  const r = new Float32Array(first.y.size);
  for (let i = 0; i < r.length; i++) r[i] = rng.normal();
  const L0 = lossOf(first.y, r);

  for (const w of layer.weights) w.grad.fill(0);
  const dxs = layer.backward(first.ctx, new Tensor(r.slice(), first.y.shape));
  if (dxs.length !== inputs.length) throw new Error(`${layer.name}: backward returned ${dxs.length} gradients for ${inputs.length} inputs`);
  dxs.forEach((dx, k) => {
    if (dx.shape.length !== inputs[k].shape.length || dx.shape.some((d, j) => d !== inputs[k].shape[j])) {
      throw new Error(`${layer.name}: dx[${k}] has shape [${dx.shape}] but input ${k} has shape [${inputs[k].shape}]`);
    }
  });

  const targets: { label: string; data: Float32Array; analytic: Float32Array }[] = [
    ...inputs.map((x, k) => ({ label: `input ${k} [${x.shape}]`, data: x.data, analytic: dxs[k].data.slice() })),
    // Non-trainable weights (batch norm's moving statistics) are state, not parameters: no gradient.
    ...layer.weights.filter((w) => w.trainable).map((w) => ({ label: `weight ${w.name} [${w.value.shape}]`, data: w.value.data, analytic: w.grad.slice() })),
  ];

  let checked = 0, skipped = 0, maxError = 0;
  for (const t of targets) {
    for (const i of sampleIndices(t.data.length, maxPoints, rng)) {
      const v = t.data[i];
      t.data[i] = v + eps;
      const Lp = lossOf(layer.forward(inputs, training).y, r);
      t.data[i] = v - eps;
      const Lm = lossOf(layer.forward(inputs, training).y, r);
      t.data[i] = v;
      const numeric = (Lp - Lm) / (2 * eps);
      const right = (Lp - L0) / eps, left = (L0 - Lm) / eps;
      const scale = Math.max(1, Math.abs(numeric), Math.abs(t.analytic[i]));
      if (Math.abs(right - left) > kinkTol * scale) { skipped++; continue; }
      const err = Math.abs(t.analytic[i] - numeric) / scale;
      maxError = Math.max(maxError, err);
      checked++;
      if (err > tol) {
        throw new Error(`${layer.name}: gradient of ${t.label} at index ${i}: analytic ${t.analytic[i]}, numeric ${numeric} (relative error ${err.toExponential(2)} > ${tol})`);
      }
    }
  }
  if (skipped > Math.max(1, maxKinkFraction * (checked + skipped))) {
    throw new Error(`${layer.name}: ${skipped} of ${checked + skipped} points skipped as kinks (> ${maxKinkFraction * 100}%): move the sample away from kinks or the gradient is wrong`);
  }
  return { checked, skippedKinks: skipped, maxError };
}

/** A seeded normal tensor, optionally scaled. */
export function randn(shape: number[], seed: number, scale = 1): Tensor {
  const rng = new Random(seed);
  let n = 1;
  for (const d of shape) n *= d;
  const data = new Float32Array(n);
  for (let i = 0; i < n; i++) data[i] = scale * rng.normal();
  return new Tensor(data, shape);
}

/**
 * Distinct values spaced by `gap` (a shuffled ramp): no two elements are within 2·eps of each
 * other, so a max-pool's argmax never flips under a finite-difference perturbation.
 */
export function spacedValues(shape: number[], seed: number, gap = 0.05): Tensor {
  const rng = new Random(seed);
  let n = 1;
  for (const d of shape) n *= d;
  const order = Array.from({ length: n }, (_, i) => i);
  rng.shuffle(order);
  const data = new Float32Array(n);
  for (let i = 0; i < n; i++) data[i] = (order[i] - n / 2) * gap;
  return new Tensor(data, shape);
}
