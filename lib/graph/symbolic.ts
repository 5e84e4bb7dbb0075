/**
 * SymbolicTensor: a placeholder for a tensor in a graph being built with the functional API.
 *
 *   const x = input({ shape: [28, 28, 1] });          // SymbolicTensor, sourceLayer null
 *   const h = layers.dense({ units: 8 }).apply(x);     // SymbolicTensor, sourceLayer = that dense
 *
 * `shape` includes the batch dimension as `null`. `inputs` are the SymbolicTensors the source
 * layer was applied to (empty for a graph input). Each `apply` call makes a new node, so a layer
 * applied twice (weight sharing) appears as two nodes with one set of weights.
 */
import type { Layer } from '../layers/layer';

let nextId = 0;

export class SymbolicTensor {
  readonly id: number;
  readonly shape: readonly (number | null)[];

  constructor(
    shape: readonly (number | null)[],
    readonly sourceLayer: Layer | null,
    readonly inputs: readonly SymbolicTensor[],
    readonly name: string,
  ) {
    this.id = nextId++;
    this.shape = Object.freeze(shape.slice());
  }

  /** The shape without the batch dimension. */
  get featureShape(): number[] {
    return this.shape.slice(1) as number[];
  }

  toString(): string {
    return `SymbolicTensor(${this.name}, [${this.shape.map((d) => (d === null ? 'null' : d)).join(',')}])`;
  }
}
