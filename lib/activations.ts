/**
 * Activations: forward through the ops, backward from the activation's OUTPUT y (so a layer keeps
 * only y for its backward pass, never the pre-activation).
 *
 *   linear    y = x                  dx = dy
 *   relu      y = max(x, 0)          dx = dy · (y > 0)
 *   sigmoid   y = 1 / (1 + e^−x)     dx = dy · y · (1 − y)
 *   tanh      y = tanh(x)            dx = dy · (1 − y²)
 *   softmax   y = softmax(x, −1)     dx = y ⊙ (dy − Σ(dy ⊙ y))   along the last axis
 *
 * The derivative loops live in kernels/activations.ts; on the 'wasm' backend (lib/backend.ts) relu's
 * forward and backward run kernels/wasm/elementwise.ts instead (same results, bit for bit).
 */
import { ConfigError, fmtValue } from './errors';
import { Tensor } from './tensor';
import { sigmoid, softmax, tanh } from './ops/elementwise';
import {
  reluBackward, reluInPlace, sigmoidBackward, softmaxBackward, tanhBackward,
} from '../kernels/activations';
import { reluBackwardWasm, reluInPlaceWasm } from '../kernels/wasm/elementwise';
import { getBackend } from './backend';

export type ActivationName = 'linear' | 'relu' | 'sigmoid' | 'tanh' | 'softmax';

export const ACTIVATIONS: readonly ActivationName[] = ['linear', 'relu', 'sigmoid', 'tanh', 'softmax'];

/** Resolves a layer's `activation` option: null/undefined → 'linear'; unknown names → ConfigError. */
export function getActivation(layer: string, v: unknown, arg = 'activation'): ActivationName {
  if (v === undefined || v === null) return 'linear';
  if (typeof v === 'string' && (ACTIVATIONS as readonly string[]).includes(v)) return v as ActivationName;
  throw new ConfigError(`${layer}: ${arg} must be one of ${ACTIVATIONS.map((a) => `'${a}'`).join(', ')} (or null), got ${fmtValue(v)}`);
}

/**
 * y = act(z). When `owned` is true, `z` is a fresh tensor nobody else holds and relu may
 * overwrite it in place (saves one allocation per step on the hot path).
 */
export function activationForward(act: ActivationName, z: Tensor, owned = false): Tensor {
  switch (act) {
    case 'linear': return z;
    case 'relu': {
      const y = owned ? z : z.clone();
      if (!(getBackend() === 'wasm' && reluInPlaceWasm(y.data, y.size))) reluInPlace(y.data, y.size);
      return y;
    }
    case 'sigmoid': return sigmoid(z);
    case 'tanh': return tanh(z);
    case 'softmax': return softmax(z, -1);
  }
}

/** dz = d loss / d z from y = act(z) and dy = d loss / d y. Linear returns dy itself (no copy). */
export function activationBackward(act: ActivationName, y: Tensor, dy: Tensor): Tensor {
  if (act === 'linear') return dy;
  const dz = new Float32Array(y.size);
  switch (act) {
    case 'relu':
      if (!(getBackend() === 'wasm' && reluBackwardWasm(y.data, dy.data, dz, y.size))) reluBackward(y.data, dy.data, dz, y.size);
      break;
    case 'sigmoid': sigmoidBackward(y.data, dy.data, dz, y.size); break;
    case 'tanh': tanhBackward(y.data, dy.data, dz, y.size); break;
    case 'softmax': {
      const cols = y.rank === 0 ? 1 : y.shape[y.rank - 1];
      softmaxBackward(y.data, dy.data, dz, cols === 0 ? 0 : y.size / cols, cols);
      break;
    }
  }
  return new Tensor(dz, y.shape);
}
