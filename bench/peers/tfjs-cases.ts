/**
 * TensorFlow.js cases, independent of the backend: the main process runs them on
 * tfjs-backend-cpu, the child process on tfjs-backend-wasm. Only @tensorflow/tfjs-core is
 * imported here (as a type); the caller passes the module in after choosing its backend.
 *
 * Input tensors are created outside the timed function. The timed function runs one op (or one
 * gradient kernel through `engine().runKernel`, exactly what tf.grad of conv would run), calls
 * dataSync() so the backend really computes and hands the values to JavaScript, then disposes
 * the output.
 *
 * Rank 1 runs as rank 2 with a height-1 image and a 1×k kernel, which is what tf.conv1d and its
 * gradient do internally (the reshape is done once, outside the timed function).
 */
import type * as tfcore from '@tensorflow/tfjs-core';
import { Case, CaseFactory } from '../measure';
import { convTensorShapes, fillUniform, Pass, Shape } from '../shapes';

type TF = typeof tfcore;
type Tensor = tfcore.Tensor;

/** The tfjs kernel a case runs, so a backend without it can be reported as 'n/a: no kernel'. */
export function tfjsKernelName(shape: Shape, pass: Pass): string {
  if (shape.kind === 'gemm') return 'BatchMatMul';
  const is3d = shape.rank === 3;
  if (pass === 'forward') return is3d ? 'Conv3D' : 'Conv2D';
  if (pass === 'backprop-input') return is3d ? 'Conv3DBackpropInputV2' : 'Conv2DBackpropInput';
  return is3d ? 'Conv3DBackpropFilterV2' : 'Conv2DBackpropFilter';
}

function random(tf: TF, shape: number[], seed: number): Tensor {
  const size = shape.reduce((a, b) => a * b, 1);
  return tf.tensor(fillUniform(new Float32Array(size), seed), shape);
}

/** Lift a rank-1 conv shape list [b, w, c] to rank 2 [b, 1, w, c] (kernel [k, i, o] → [1, k, i, o]). */
function lift1d(s: number[], isKernel: boolean): number[] {
  return isKernel ? [1, ...s] : [s[0], 1, ...s.slice(1)];
}

function caseOf(op: () => Tensor, dispose: () => void): Case {
  return {
    run: () => { const out = op(); out.dataSync(); out.dispose(); },
    result: () => { const out = op(); const v = Float32Array.from(out.dataSync()); out.dispose(); return v; },
    dispose,
  };
}

export function tfjsFactory(tf: TF, backend: string, shape: Shape, pass: Pass): CaseFactory {
  return (p) => {
    const kernelName = tfjsKernelName(shape, pass);
    if (tf.getKernel(kernelName, backend) === undefined) return 'n/a: no kernel';
    if (shape.kind === 'gemm' && p.kind === 'gemm') {
      const a = random(tf, [p.m, p.k], 1), b = random(tf, [p.k, p.n], 2);
      return caseOf(() => tf.matMul(a as tfcore.Tensor2D, b as tfcore.Tensor2D), () => { a.dispose(); b.dispose(); });
    }
    if (shape.kind !== 'conv' || p.kind !== 'conv') return `n/a: ${pass} does not apply to ${shape.name}`;
    let { x: xs, w: ws, y: ys } = convTensorShapes(shape, p);
    let strides = [...shape.strides];
    if (shape.rank === 1) {
      xs = lift1d(xs, false); ws = lift1d(ws, true); ys = lift1d(ys, false); strides = [1, ...strides];
    }
    const pad = shape.padding as 'same' | 'valid';
    const x = random(tf, xs, 3), w = random(tf, ws, 4), dy = random(tf, ys, 5);
    const dispose = (): void => { x.dispose(); w.dispose(); dy.dispose(); };
    let op: () => Tensor;
    if (shape.rank === 3) {
      const s3 = strides as [number, number, number];
      if (pass === 'forward') {
        op = () => tf.conv3d(x as tfcore.Tensor5D, w as tfcore.Tensor5D, s3, pad);
      } else if (pass === 'backprop-input') {
        op = () => tf.engine().runKernel('Conv3DBackpropInputV2', { dy, filter: w },
          { strides: s3, pad, inputShape: xs } as unknown as tfcore.NamedAttrMap) as Tensor;
      } else {
        op = () => tf.engine().runKernel('Conv3DBackpropFilterV2', { x, dy },
          { strides: s3, pad, filterShape: ws } as unknown as tfcore.NamedAttrMap) as Tensor;
      }
    } else {
      const s2 = strides as [number, number];
      const common = { strides: s2, pad, dataFormat: 'NHWC', dimRoundingMode: undefined };
      if (pass === 'forward') {
        op = () => tf.conv2d(x as tfcore.Tensor4D, w as tfcore.Tensor4D, s2, pad);
      } else if (pass === 'backprop-input') {
        op = () => tf.engine().runKernel('Conv2DBackpropInput', { dy, filter: w },
          { ...common, inputShape: xs } as unknown as tfcore.NamedAttrMap) as Tensor;
      } else {
        op = () => tf.engine().runKernel('Conv2DBackpropFilter', { x, dy },
          { ...common, filterShape: ws } as unknown as tfcore.NamedAttrMap) as Tensor;
      }
    }
    return caseOf(op, dispose);
  };
}
