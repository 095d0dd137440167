// The engine of a model: weights, memory plan and one pass over the graph. It declares and initialises the
// parameter table, plans every buffer for the largest (B, T) seen (model/memory.ts), runs the layers'
// forward in topological order and backward in reverse, and computes the losses. The training loop
// (train.ts) and prediction (predict.ts) drive it; the Model class (model.ts) is its public face.
//
// Gradient fan-out: a tensor read by several consumers (layers, a loss) gets one gradient buffer per extra
// consumer (a branch); every consumer writes its own, and the branches are added into the first one just
// before the producer's backward (all consumers come later in topological order, so they have run).
// Time length and mask travel with the tensors: `forward` records, for every output, the T and mask its
// producer gave it, and each layer call gets a fresh RunContext made from its inputs' records.

import type { Kernels, Ptr, TensorRef } from '../../bindings/index.js';
import type { Random } from '../../bindings/random.js';
import { ConfigError, GraphError, ShapeError } from '../errors.js';
import { getInitializer } from '../initializers.js';
import type { InputState, Mask, Planner, Port, RunContext } from '../layers/layer.js';
import { maskFromSteps, stepValid } from '../layers/mask.js';
import { writeRowWeights } from '../training/sample-weights.js';
import type { Loss } from '../losses.js';
import { inputKind, type InputKind } from './data.js';
import type { Graph, PlanNode } from './graph.js';
import { BlockPlanner, Level, ModelMemory } from './memory.js';
import { ParamTable, type ParamEntry } from './param-table.js';
import { describeValue } from '../options/schema.js';

/** What compile() fixed for one model output. */
export interface OutputSpec {
  name: string;
  loss: Loss;
  weight: number;
  metrics: string[];
}

/** The buffers of one plan, for a training or an inference-only run of at most B samples of Ts[i] steps. */
export interface Plan {
  training: boolean;
  withInputGrads: boolean;
  B: number;
  Ts: number[];
  base: Ptr;
  inputs: Array<{ ptr: Ptr; capacity: number; port: Port }>;
  /** Per node: its output ports and the ports it reads (branch ports for extra consumers). */
  outputs: Port[][];
  reads: Port[][];
  /** Per node: branch buffers to add into its outputs' first gradient before its backward. */
  branches: Array<Array<{ into: Port; from: Port }>>;
  /** Branches of model inputs read more than once (summed after the backward, for dL/dx). */
  inputBranches: Array<{ into: Port; from: Port; input: number }>;
  /** Per model output: the port the loss reads and writes, target and row-weight buffers. */
  heads: Array<{ port: Port; targets: Ptr; targetCapacity: number; weights: Ptr; sequence: boolean; capT: number }>;
  randomState: Ptr;
}

/** The run state of one pass: batch size, every input's and every node output's T and mask. */
export interface Pass {
  B: number;
  inputs: InputState[];
  outputs: InputState[][];
  /** Per node: the explicit mask given to apply(x, { mask }) for this batch, or undefined. */
  masks: Array<Mask | null | undefined>;
}

const size = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

/** The engine of one model: weights, the memory plan, one forward/backward pass and the losses (see the header). */
export class Engine {
  readonly memory: ModelMemory;
  table: ParamTable | null = null;
  params: Ptr = 0;
  grads: Ptr = 0;
  /** Bumped by paramsForWrite() before every write to the params slab (RunContext.weightsVersion). */
  private version = 0;
  plan: Plan | null = null;
  /** Per model output, after compile (null: predictions only). */
  heads: OutputSpec[] | null = null;
  /** Per-sample weights (B) of the current batch (sampleWeight × classWeight, src/training/sample-weights.ts), or null. */
  sampleWeights: Float32Array | null = null;
  readonly kinds: InputKind[];

  constructor(readonly graph: Graph, readonly kernels: Kernels, private readonly where: string) {
    this.memory = new ModelMemory(kernels.arena);
    this.kinds = graph.inputs.map((t) => inputKind(t.shape, t.dtype === 'int32'));
  }

  /** Declares every owner's weights (first application's input shape), initialises them from `random` in declaration order. */
  build(random: Random): void {
    const { nodes, owners } = this.graph, k = this.kernels;
    const inputShape = (n: PlanNode) => (n.inputs[0].node < 0 ? this.graph.inputs[n.inputs[0].index].shape : nodes[n.inputs[0].node].outputShapes[n.inputs[0].index]);
    const specs = owners.flatMap((owner) => {
      const apps = nodes.filter((n) => n.owner === owner);
      const decl = owner.declareParams(inputShape(apps[0]));
      for (const app of apps.slice(1)) {
        const again = app.layer.declareParams(inputShape(app));
        const same = again.length === decl.length && again.every((d, i) => d.name === decl[i].name && d.shape.join() === decl[i].shape.join());
        if (!same) throw new GraphError(`${this.where}: shared layer ${owner.className} "${owner.name}" is applied to inputs whose weights would differ: (${decl.map((d) => d.shape.join(', ')).join(') (')}) vs (${again.map((d) => d.shape.join(', ')).join(') (')})`);
      }
      return decl.map((spec) => ({ layer: owner.name, spec }));
    });
    const table = ParamTable.layout(specs);
    this.memory.allocate(Level.slabs, () => {
      this.params = k.arena.allocZeroed(table.size);
      this.grads = k.arena.allocZeroed(table.size);
      // The view is taken after each fill: the orthogonal initializer uses arena scratch and may grow memory.
      for (const { layer, spec } of specs) {
        const e = table.get(`${layer}/${spec.name}`);
        const values = new Float32Array(e.size);
        getInitializer(spec.initializer).fill(values, e.shape, random, k);
        k.arena.f32(this.params, table.size).set(values, e.offset);
      }
    });
    for (const n of nodes) n.layer.bindParams(table.entries.filter((e) => e.layer === n.owner.name));
    this.table = table;
  }

  /** The plan for (B, Ts), re-planned (transactionally) only when the current one is too small or of the other mode. */
  ensurePlan(training: boolean, B: number, Ts: number[], withInputGrads = false): Plan {
    const p = this.plan;
    if (p && p.training === training && p.withInputGrads === withInputGrads && B <= p.B && Ts.every((T, i) => T <= p.Ts[i])) return p;
    const keep = p && p.training === training && p.withInputGrads === withInputGrads;
    const capB = Math.max(B, keep ? p.B : 0), capTs = Ts.map((T, i) => Math.max(T, keep ? p.Ts[i] : 0));
    const counting = new BlockPlanner();
    try {
      this.layout(counting, training, capB, capTs, withInputGrads);
      const base = this.memory.allocateBlock(Level.plan, counting.floats);
      this.plan = this.layout(new BlockPlanner(base), training, capB, capTs, withInputGrads);
      return this.plan;
    } catch (e) {
      // Lay the old plan out again at its own address (pure pointer arithmetic): the layers point at it again.
      if (p) this.plan = this.layout(new BlockPlanner(p.base), p.training, p.B, p.Ts, p.withInputGrads);
      throw e;
    }
  }

  /** Forgets the plan (after a lower memory level was re-allocated, which freed it). */
  dropPlan(): void {
    this.plan = null;
  }

  private layout(bp: BlockPlanner, training: boolean, B: number, Ts: number[], withInputGrads: boolean): Plan {
    const alloc = (n: number) => bp.alloc(n), { graph } = this;
    graph.outputs.forEach((e, o) => this.bindHead(o, graph.nodes.some((n) => n.inputs.some((x) => x.node === e.node && x.index === e.index))));
    const base = bp.alloc(0);
    const inputs = graph.inputs.map((t, i) => {
      const kind = this.kinds[i], F = kind === 'ids' ? 1 : size(t.shape.slice(kind === 'sequence' ? 1 : 0) as number[]);
      const capacity = (kind === 'vector' ? 1 : Ts[i]) * B * F;
      const ptr = alloc(capacity), grad = training && withInputGrads && kind !== 'ids' ? alloc(capacity) : 0;
      const dims = (r: { B: number; T: number }) => (kind === 'ids' ? [r.B, r.T] : kind === 'sequence' ? [r.T, r.B, ...(t.shape.slice(1) as number[])] : [r.B, ...(t.shape as number[])]);
      const port: Port = { shape: t.shape, sequence: kind !== 'vector', ids: kind === 'ids', value: (r) => ({ ptr, shape: dims(r) }), grad: (r) => (grad ? { ptr: grad, shape: dims(r) } : null) };
      return { ptr, capacity, port };
    });
    const outputs: Port[][] = [], reads: Port[][] = [], capT: number[][] = [];
    const branches: Plan['branches'] = graph.nodes.map(() => []), inputBranches: Plan['inputBranches'] = [];
    const consumers = new Map<Port, number>();
    // The port a consumer reads: the producer's own for the first consumer, a branch with its own gradient after.
    const read = (port: Port, e: { node: number; index: number }, T: number): Port => {
      const n = consumers.get(port) ?? 0;
      consumers.set(port, n + 1);
      if (n === 0 || !training || !port.grad({ B, T })) return port;
      const buf = alloc(size(port.value({ B, T }).shape));
      const branch: Port = { ...port, grad: (r) => ({ ptr: buf, shape: port.value(r).shape }) };
      if (e.node >= 0) branches[e.node].push({ into: port, from: branch });
      else inputBranches.push({ into: port, from: branch, input: e.index });
      return branch;
    };
    const source = (e: { node: number; index: number }) => (e.node < 0 ? { port: inputs[e.index].port, T: Ts[e.index] } : { port: outputs[e.node][e.index], T: capT[e.node][e.index] });
    graph.nodes.forEach((node, n) => {
      const ins = node.inputs.map((e) => { const s = source(e); return { port: read(s.port, e, s.T), T: s.T }; });
      const planner: Planner = { alloc, capacity: { B, T: ins[0].T }, inputCapacity: ins.map((i) => i.T), training, outputsUsed: node.outputsUsed };
      reads[n] = ins.map((i) => i.port);
      outputs[n] = node.layer.planNode(planner, reads[n]);
      const T = node.layer.outputSteps(ins[0].T);
      capT[n] = outputs[n].map(() => T);
    });
    const heads = graph.outputs.map((e, o) => {
      const s = source(e), port = read(s.port, e, s.T), out = graph.nodes[e.node].outputShapes[e.index];
      const rows = (port.sequence ? s.T : 1) * B;
      const targetCapacity = rows * (out[out.length - 1] as number);
      const targets = alloc(targetCapacity), weights = alloc(rows);
      return { port, targets, targetCapacity, weights, sequence: port.sequence, capT: s.T };
    });
    return { training, withInputGrads, B, Ts, base, inputs, outputs, reads, branches, inputBranches, heads, randomState: alloc(4) };
  }

  /** Output fusion: the loss binds its output layer (logits for a fused loss); predictions alone fuse softmax. */
  private bindHead(o: number, sharedPort: boolean): void {
    const e = this.graph.outputs[o], node = this.graph.nodes[e.node], layer = node.layer;
    const spec = this.heads?.[o];
    if (e.index !== 0) {
      // A returned state as an output: plain values, no activation to fuse.
      const state = { name: `${layer.name}:${e.index}`, className: layer.className, outputActivation: null, fuseOutputActivation: () => false, unfuseOutputActivation: () => {} };
      spec?.loss.bindOutput(state, this.where);
      return;
    }
    if (spec) spec.loss.bindOutput(layer, this.where);
    else layer.fuseOutputActivation('softmax');
    if (sharedPort && layer.logitsActivation) {
      throw new ConfigError(`${this.where}: output "${layer.name}" emits logits for its ${layer.logitsActivation} (fused with the loss) and cannot also feed another layer; use a linear Dense output`);
    }
  }

  private context(ins: InputState[], B: number, training: boolean, random: Random, plan: Plan): RunContext {
    const m = ins[0].mask;
    return {
      B, T: ins[0].T, kernels: this.kernels, training, mask: m, lengths: m ? m.lengths : null, leftPadded: m ? m.leftPadded : false,
      stepMask: m ? m.steps : null, inputs: ins,
      random, randomState: plan.randomState, params: this.params, grads: this.grads, weightsVersion: this.version,
    };
  }

  private inputsOf(pass: Pass, n: number): InputState[] {
    const ins = this.graph.nodes[n].inputs.map((e) => (e.node < 0 ? pass.inputs[e.index] : pass.outputs[e.node][e.index]));
    const m = pass.masks[n];
    return m === undefined ? ins : [{ T: ins[0].T, mask: m }, ...ins.slice(1)];
  }

  /** An explicit mask (apply(x, { mask })): the (B, T) values of the mask tensor, nonzero = valid. */
  private explicitMask(plan: Plan, pass: Pass, n: number): Mask | null {
    const e = this.graph.nodes[n].mask!, T = (e.node < 0 ? pass.inputs[e.index] : pass.outputs[e.node][e.index]).T;
    const port = e.node < 0 ? plan.inputs[e.index].port : plan.outputs[e.node][e.index];
    const first = this.graph.nodes[n].inputs[0], steps = (first.node < 0 ? pass.inputs[first.index] : pass.outputs[first.node][first.index]).T;
    const v = port.value({ B: pass.B, T }), W = v.shape[v.shape.length - 1];
    if (W !== steps) throw new ShapeError(`${this.where}: the mask of layer "${this.graph.nodes[n].owner.name}" has ${W} steps, its input ${steps}`);
    const a = this.kernels.arena, M = port.ids ? a.i32(v.ptr, pass.B * W) : a.f32(v.ptr, pass.B * W), valid = new Uint8Array(W * pass.B);
    for (let b = 0; b < pass.B; b++) for (let t = 0; t < W; t++) valid[t * pass.B + b] = M[b * W + t] !== 0 ? 1 : 0;
    return maskFromSteps(valid, W, pass.B);
  }

  /** Every layer's forward in topological order; returns the T and mask of every tensor. */
  forward(plan: Plan, B: number, Ts: number[], training: boolean, random: Random): Pass {
    const pass: Pass = { B, inputs: Ts.map((T) => ({ T, mask: null })), outputs: [], masks: [] };
    this.graph.nodes.forEach((node, n) => {
      if (node.mask) pass.masks[n] = this.explicitMask(plan, pass, n);
      const ctx = this.context(this.inputsOf(pass, n), B, training, random, plan);
      node.layer.forward(ctx);
      const T = node.layer.outputSteps(ctx.T), mask = node.layer.computeMask(ctx);
      pass.outputs[n] = node.outputShapes.map((_, i) => ({ T, mask: i === 0 ? mask : null }));
    });
    return pass;
  }

  /** The time length of every model output for inputs of Ts steps (what sequence targets must match). */
  outputSteps(Ts: number[]): number[] {
    const steps: number[][] = [];
    this.graph.nodes.forEach((n, i) => {
      const e = n.inputs[0], T = e.node < 0 ? Ts[e.index] : steps[e.node][e.index];
      steps[i] = n.outputShapes.map(() => n.layer.outputSteps(T));
    });
    return this.graph.outputs.map((e) => steps[e.node][e.index]);
  }

  /** The run state (T, mask) of model output o. */
  outputState(pass: Pass, o: number): InputState {
    const e = this.graph.outputs[o];
    return pass.outputs[e.node][e.index];
  }

  /** Every layer's backward in reverse order (the losses have written the output gradients). */
  backward(plan: Plan, pass: Pass, random: Random): void {
    const k = this.kernels;
    for (let n = this.graph.nodes.length - 1; n >= 0; n--) {
      const ins = this.inputsOf(pass, n);
      for (const { into, from } of plan.branches[n]) {
        const run = { B: pass.B, T: pass.outputs[n][0].T };
        const dst = into.grad(run)!, src = from.grad(run)!;
        k.axpy(dst.ptr, 1, src.ptr, size(dst.shape));
      }
      this.graph.nodes[n].layer.backward(this.context(ins, pass.B, true, random, plan));
    }
    for (const { into, from, input } of plan.inputBranches) {
      const run = { B: pass.B, T: pass.inputs[input].T };
      const dst = into.grad(run)!, src = from.grad(run)!;
      k.axpy(dst.ptr, 1, src.ptr, size(dst.shape));
    }
  }

  /** Row weights (1 valid, 0 masked) of a sequence output under its mask, or null (every row counts). */
  rowWeights(plan: Plan, o: number, pass: Pass): TensorRef | null {
    const head = plan.heads[o], st = this.outputState(pass, o);
    if (!head.sequence || !st.mask) return null;
    const T = st.T, B = pass.B, m = st.mask;
    const W = this.kernels.arena.f32(head.weights, T * B);
    for (let t = 0; t < T; t++) for (let b = 0; b < B; b++) W[t * B + b] = stepValid(m, t, b, T, B) ? 1 : 0;
    return { ptr: head.weights, shape: [T, B] };
  }

  /** Σ weight·loss over the outputs (each loss writes weight·dL/d(output) into its gradient); per-output losses. */
  losses(plan: Plan, pass: Pass): { total: number; each: number[] } {
    const k = this.kernels, each: number[] = [];
    let total = 0;
    this.heads!.forEach((spec, o) => {
      const head = plan.heads[o], st = this.outputState(pass, o);
      const run = { B: pass.B, T: st.T };
      const logits = head.port.value(run), dLogits = head.port.grad(run)!;
      const lead = head.sequence ? [st.T, pass.B] : [pass.B];
      const sw = this.sampleWeights;
      const rw = sw ? writeRowWeights(k.arena.f32(head.weights, st.T * pass.B), head.weights, sw, pass.B, st.T, head.sequence, st.mask) : null;
      const value = spec.loss.compute(k, { logits, dLogits, lead, targets: head.targets, weights: rw ? rw.weights : this.rowWeights(plan, o, pass), reduction: rw?.reduction });
      if (spec.weight !== 1) k.scale(dLogits.ptr, spec.weight, size(dLogits.shape));
      each.push(value);
      total += spec.weight * value;
    });
    return { total, each };
  }

  /** Copies of every weight tensor, table order. */
  readWeights(): Array<{ path: string; shape: number[]; data: Float32Array }> {
    const a = this.kernels.arena;
    return this.table!.entries.map((e) => ({ path: e.path, shape: e.shape.slice(), data: a.readF32(this.params + e.offset * 4, e.size) }));
  }

  /** Sets tensors by path; checks every name and shape first, so nothing changes on a mismatch. */
  writeWeights(weights: Array<{ path: string; shape: readonly number[]; data: ArrayLike<number> }>): void {
    const t = this.table!;
    if (!Array.isArray(weights)) throw new ShapeError(`${this.where}: setWeights expects an array of { path, shape, data } (as getWeights returns), got ${describeValue(weights)}`);
    const resolved: Array<[ParamEntry, ArrayLike<number>]> = Array.from(weights, (w) => {
      const e = t.entries.find((x) => x.path === w?.path);
      if (!e) throw new ShapeError(`${this.where}: no weight named ${w?.path}`);
      const same = Array.isArray(w.shape) && w.shape.length === e.shape.length && w.shape.every((d, i) => d === e.shape[i]);
      if (!same || w.data?.length !== e.size) {
        throw new ShapeError(`${this.where}: weight ${w.path} has shape (${w.shape?.join(', ')}) with ${w.data?.length} values, expected (${e.shape.join(', ')})`);
      }
      // numbers only (a string would become NaN silently); NaN itself may be set on purpose (Keras allows it)
      const bad = Array.isArray(w.data) ? w.data.findIndex((v: unknown) => typeof v !== 'number') : -1;
      if (bad >= 0 || (!Array.isArray(w.data) && !ArrayBuffer.isView(w.data))) throw new ShapeError(`${this.where}: weight ${w.path} must hold numbers${bad >= 0 ? `, got ${describeValue(w.data[bad])} at index ${bad}` : ''}`);
      return [e, w.data];
    });
    const F = this.kernels.arena.F32, base = this.paramsForWrite() >> 2;
    for (const [e, data] of resolved) F.set(data, base + e.offset);
  }

  /**
   * The params slab, for a caller about to write it: every writer (setWeights, the optimizer step, the
   * `slabs` pointer handed to users) gets the pointer here, which bumps the weights version first, so no
   * cache derived from the old values (packed recurrent panels, src/layers/packed-cache.ts) is used again.
   */
  paramsForWrite(): Ptr {
    this.version++;
    return this.params;
  }

  /** The param table (throws before build). */
  entries(filter: (e: ParamEntry) => boolean = () => true): ParamEntry[] {
    return this.table ? this.table.entries.filter(filter) : [];
  }
}
