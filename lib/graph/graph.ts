/**
 * Graph: the executable form of a model — nodes in topological order over numbered tensor slots.
 *
 *   slots:  0 = input        1 = dense_1(0)      2 = dense_2(1)     3 = add_1(1, 2)
 *   nodes:  [dense_1: 0→1]  [dense_2: 1→2]  [add_1: 1,2→3]          (a layer applied twice = two nodes)
 *
 * forward   runs the nodes in order, keeping each node's output and ctx (what its backward needs).
 * backward  runs them in reverse. A slot read by several nodes (fan-out) receives the SUM of their
 *           input gradients. Around each node's backward sits the penalty hook
 *           (lib/training/penalties.ts): the activity gradient joins dy before, the kernel/bias
 *           penalty gradients join the weight gradients after the layer's last node is done.
 */
import { ConfigError, ShapeError, fmtShape } from '../errors';
import type { Layer } from '../layers/layer';
import { Tensor } from '../tensor';
import { SymbolicTensor } from './symbolic';
import {
  PenaltyTerm, activityPenalty, addActivityGradient, addWeightPenaltyGradients,
} from '../training/penalties';

export interface GraphNode {
  layer: Layer;
  /** Slots read. */
  inputs: number[];
  /** Slot written. */
  output: number;
}

export class Graph {
  readonly inputSlots: number[];
  /** The first output's slot (single-output models: the output). */
  readonly outputSlot: number;
  /** Every output's slot, in model order (multi-output models have several). */
  readonly outputSlots: number[];
  /** The graph outputs, in model order; `output` is the first. */
  readonly outputs: SymbolicTensor[];
  readonly output: SymbolicTensor;
  readonly nodes: GraphNode[] = [];
  /** Unique layers, in topological order of their first node. */
  readonly layers: Layer[] = [];
  /** Feature shape (no batch) of each slot. */
  readonly slotShapes: number[][] = [];
  /** Name of each slot's tensor (an input's name, or the producing layer's). */
  readonly slotNames: string[] = [];
  /** Per node: does any of its inputs need a gradient (is not a model input)? */
  private readonly needDx: boolean[] = [];
  /** For each layer, the index of its FIRST node: the last one back-propagated. */
  private readonly firstNode = new Map<Layer, number>();
  /** Per-run buffers (reused). */
  private values: (Tensor | null)[] = [];
  private ctxs: unknown[] = [];
  private grads: (Tensor | null)[] = [];
  private owned: boolean[] = [];

  constructor(readonly inputs: SymbolicTensor[], output: SymbolicTensor | SymbolicTensor[]) {
    const outputs = Array.isArray(output) ? output.slice() : [output];
    this.outputs = outputs;
    this.output = outputs[0];
    const slotOf = new Map<SymbolicTensor, number>();
    const newSlot = (t: SymbolicTensor): number => {
      const s = this.slotShapes.length;
      slotOf.set(t, s);
      this.slotShapes.push(t.featureShape);
      this.slotNames.push(t.sourceLayer ? t.sourceLayer.name : t.name);
      return s;
    };
    inputs.forEach((t) => {
      if (t.sourceLayer !== null) throw new ConfigError(`model: inputs must come from input(), got ${t.toString()} (output of layer ${t.sourceLayer.name})`);
      if (slotOf.has(t)) throw new ConfigError(`model: the same input ${t.name} is listed twice in inputs`);
      newSlot(t);
    });
    this.inputSlots = inputs.map((t) => slotOf.get(t)!);
    // Post-order DFS from the output: every node after the nodes it reads.
    const onStack = new Set<SymbolicTensor>();
    const visit = (t: SymbolicTensor): number => {
      const known = slotOf.get(t);
      if (known !== undefined) return known;
      if (t.sourceLayer === null) {
        throw new ConfigError(`model: output depends on input ${t.name}, which is not in inputs [${inputs.map((i) => i.name).join(', ')}]`);
      }
      if (onStack.has(t)) throw new ConfigError(`model: the graph has a cycle through ${t.toString()}`);
      onStack.add(t);
      const ins = t.inputs.map(visit);
      onStack.delete(t);
      const layer = t.sourceLayer;
      const out = newSlot(t);
      if (!this.firstNode.has(layer)) {
        this.firstNode.set(layer, this.nodes.length);
        this.layers.push(layer);
      }
      this.nodes.push({ layer, inputs: ins, output: out });
      return out;
    };
    this.outputSlots = outputs.map(visit);
    this.outputSlot = this.outputSlots[0];
    // Layers whose inputs are all model inputs may skip computing dx (nobody reads it).
    for (const node of this.nodes) this.needDx.push(node.inputs.some((s) => !this.inputSlots.includes(s)));
  }

  get outputShape(): number[] {
    return this.slotShapes[this.outputSlot];
  }

  /** Feature shape (no batch) of every output. */
  get outputShapes(): number[][] {
    return this.outputSlots.map((s) => this.slotShapes[s]);
  }

  /** Throws ShapeError unless xs fit the graph inputs (batch excluded, all batches equal). */
  checkInputs(who: string, xs: Tensor[]): number {
    if (xs.length !== this.inputSlots.length) {
      throw new ShapeError(`${who}: model has ${this.inputSlots.length} input(s), got ${xs.length} tensor(s)`);
    }
    const batch = xs[0].shape[0];
    xs.forEach((x, i) => {
      const want = this.slotShapes[this.inputSlots[i]];
      const got = x.shape.slice(1);
      if (x.rank !== want.length + 1 || got.some((d, j) => d !== want[j])) {
        throw new ShapeError(`${who}: input ${i} (${this.slotNames[this.inputSlots[i]]}) must have shape [batch,${want.join(',')}], got ${fmtShape(x.shape)}`);
      }
      if (x.shape[0] !== batch) throw new ShapeError(`${who}: all inputs must have the same batch size, got ${xs.map((t) => t.shape[0]).join(' and ')}`);
    });
    return batch;
  }

  /**
   * Runs the nodes in order. Keeps outputs and contexts for backward. When `terms` is given, the
   * activity penalties are computed (and recorded) at each node's output; returns their sum.
   */
  forward(xs: Tensor[], training: boolean, withActivity: boolean, terms?: PenaltyTerm[]): { y: Tensor; ys: Tensor[]; activity: number } {
    const nSlots = this.slotShapes.length;
    if (this.values.length !== nSlots) this.values = new Array(nSlots).fill(null);
    if (this.ctxs.length !== this.nodes.length) this.ctxs = new Array(this.nodes.length).fill(null);
    const values = this.values;
    this.inputSlots.forEach((s, i) => { values[s] = xs[i]; });
    let activity = 0;
    for (let n = 0; n < this.nodes.length; n++) {
      const node = this.nodes[n];
      const ins: Tensor[] = new Array(node.inputs.length);
      for (let i = 0; i < ins.length; i++) ins[i] = values[node.inputs[i]]!;
      const { y, ctx } = node.layer.forward(ins, training);
      values[node.output] = y;
      this.ctxs[n] = ctx;
      if (withActivity) activity += activityPenalty(node.layer, y, terms);
    }
    return { y: values[this.outputSlot]!, ys: this.outputSlots.map((s) => values[s]!), activity };
  }

  /**
   * Back-propagates `dyOut` (d data loss / d output; one per output for multi-output graphs) through
   * the nodes of the last forward, in reverse order, with the penalty hook around each layer. Weight
   * gradients are ADDED into `weight.grad` (the caller zeroes them first). An output that also feeds
   * other nodes receives the sum of its loss gradient and theirs.
   */
  backward(dyOut: Tensor | Tensor[]): void {
    const nSlots = this.slotShapes.length;
    if (this.grads.length !== nSlots) { this.grads = new Array(nSlots).fill(null); this.owned = new Array(nSlots).fill(false); }
    const grads = this.grads, owned = this.owned;
    grads.fill(null);
    owned.fill(false);
    const dys = Array.isArray(dyOut) ? dyOut : [dyOut];
    if (dys.length !== this.outputSlots.length) throw new ShapeError(`backward: expects ${this.outputSlots.length} output gradient(s), got ${dys.length}`);
    this.outputSlots.forEach((s, k) => this.accumulate(s, dys[k]));
    for (let n = this.nodes.length - 1; n >= 0; n--) {
      const node = this.nodes[n];
      const layer = node.layer;
      let dy = grads[node.output];
      grads[node.output] = null;
      if (dy !== null) {
        // Penalty hook, BEFORE the layer's backward: dL/dy += activityReg.gradient(y) / B.
        dy = addActivityGradient(layer, this.values[node.output]!, dy);
        const needDx = this.needDx[n];
        const dxs = layer.backward(this.ctxs[n], dy, needDx);
        if (needDx) for (let i = 0; i < node.inputs.length; i++) this.accumulate(node.inputs[i], dxs[i]);
      }
      // Penalty hook, AFTER the layer's (last) backward: dL/dW += kernelReg.gradient(W), same for b.
      if (this.firstNode.get(layer) === n) addWeightPenaltyGradients(layer);
    }
    grads.fill(null);
  }

  /** Fan-out: a slot read by several nodes receives the sum of their gradients. */
  private accumulate(slot: number, dx: Tensor): void {
    if (this.inputSlots.includes(slot)) return; // nobody needs d loss / d model input
    const grads = this.grads;
    const prev = grads[slot];
    if (prev === null) { grads[slot] = dx; return; }
    if (this.owned[slot]) {
      const a = prev.data, b = dx.data;
      for (let i = 0; i < a.length; i++) a[i] += b[i];
      return;
    }
    const sum = new Float32Array(prev.size);
    const a = prev.data, b = dx.data;
    for (let i = 0; i < sum.length; i++) sum[i] = a[i] + b[i];
    grads[slot] = new Tensor(sum, prev.shape);
    this.owned[slot] = true;
  }

  /** Drops references to the last run's tensors (so they can be collected). */
  release(): void {
    this.values.fill(null);
    this.ctxs.fill(null);
  }
}
