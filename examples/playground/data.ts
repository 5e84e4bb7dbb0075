/**
 * The playground's 2-D datasets, seeded (lib/random.ts): two classes of points in about [-1.5, 1.5]².
 *   moons     two interleaved half circles (sklearn's make_moons, centred)
 *   circles   a ring around a smaller ring (make_circles with factor 0.5)
 *   spirals   two arms winding 1.5 turns around the origin
 * `noise` is the standard deviation of the Gaussian added to both coordinates.
 */
import { Random } from '../../lib/random';

export type DatasetName = 'moons' | 'circles' | 'spirals';
export const DATASETS: DatasetName[] = ['moons', 'circles', 'spirals'];

export interface Points {
  /** [n·2] interleaved x, y */
  xy: Float32Array;
  /** [n] class 0 or 1 */
  label: Float32Array;
  n: number;
}

export function makeDataset(name: DatasetName, n: number, noise: number, seed: number): Points {
  const rng = new Random(seed);
  const xy = new Float32Array(2 * n), label = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const c = i % 2; // alternate classes: balanced for any n
    let x: number, y: number;
    if (name === 'moons') {
      const t = Math.PI * rng.uniform();
      x = c === 0 ? Math.cos(t) : 1 - Math.cos(t);
      y = c === 0 ? Math.sin(t) : 0.5 - Math.sin(t);
      x = (x - 0.5) * 1.2;
      y = (y - 0.25) * 1.2;
    } else if (name === 'circles') {
      const t = 2 * Math.PI * rng.uniform();
      const r = c === 0 ? 1.1 : 0.55;
      x = r * Math.cos(t);
      y = r * Math.sin(t);
    } else {
      const t = rng.uniform();
      const r = 0.15 + 1.15 * t;
      const a = 3 * Math.PI * t + c * Math.PI;
      x = r * Math.cos(a);
      y = r * Math.sin(a);
    }
    xy[2 * i] = x + noise * rng.normal();
    xy[2 * i + 1] = y + noise * rng.normal();
    label[i] = c;
  }
  return { xy, label, n };
}
