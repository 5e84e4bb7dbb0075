/**
 * Non-finite data is refused before anything runs. fit(), evaluate(), lossBreakdown() and
 * gradients() scan x and y once and reject NaN or ±Infinity with a ValueError naming the call, the
 * argument, the sample and the position inside it — a NaN is never trained on silently (one NaN
 * in one sample turns every weight it reaches into NaN within a step). predict() lets NaN through:
 * an output of NaN for an input of NaN is a correct answer, not a corrupted model.
 */
import { ValueError } from '../errors';
import type { Tensor } from '../tensor';

/** Multi-index of flat position `i` inside one sample of `shape` (batch axis dropped). */
function position(shape: readonly number[], i: number): number[] {
  const idx = new Array<number>(shape.length);
  for (let a = shape.length - 1; a >= 0; a--) { idx[a] = i % shape[a]; i = Math.floor(i / shape[a]); }
  return idx;
}

/** Throws when `t` holds NaN or ±Infinity: names `who`, `arg`, the sample and the position. */
export function checkFinite(who: string, arg: string, t: Tensor): void {
  const d = t.data;
  for (let i = 0; i < d.length; i++) {
    const v = d[i];
    if (v - v !== 0) { // NaN or ±Infinity
      const row = t.shape[0] > 0 ? t.size / t.shape[0] : 1;
      const sample = Math.floor(i / row);
      const at = position(t.shape.slice(1), i % row);
      throw new ValueError(`${who}: ${arg} contains ${v} at sample ${sample}${at.length ? `, index [${at.join(', ')}]` : ''}; ` +
        'Ridge does not train on non-finite data — drop or impute those samples first');
    }
  }
}

/** checkFinite on every model input and on the targets. */
export function checkFiniteData(who: string, xs: readonly Tensor[], y: Tensor, xArg = 'x', yArg = 'y'): void {
  xs.forEach((t, i) => checkFinite(who, xs.length === 1 ? xArg : `${xArg}[${i}]`, t));
  checkFinite(who, yArg, y);
}
