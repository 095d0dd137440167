// The ONNX importer's converted entries (inputs, layers, merges; graph-values.ts) → the import plan: a
// Sequential stack when the graph is one chain from one input to one output, else a functional graph
// (several inputs/outputs, branches, merges, RepeatVector, initial states, return_state). Only entries the
// imported outputs depend on are kept (an Add whose sum is only read scaled, as an Average, drops out).
// Masks (graph-masks.ts) are checked before any layer is made.
import {
  Add, Average, Bidirectional, Concatenate, Dense, Embedding, GRU, LSTM, Masking, Multiply, RepeatVector, SimpleRNN,
  type Layer, type Recurrent,
} from '../../index.js';
import type { GraphPlan, ImportPlan, PlannedLayer, TensorRef } from '../assemble.js';
import { UnsupportedModelError } from '../errors.js';
import { reorderBlocks, transpose2d, type Tensor } from '../tensor.js';
import { checkMasks } from './graph-masks.js';
import { refsOf, where, type Entry, type Ref, type RnnEntry } from './graph-values.js';
import type { ConstTensor } from './static-ops.js';

/** How the mapping table names an entry's source. */
const sourceOf = (e: Exclude<Entry, { kind: 'input' }>) => (e.kind === 'merge' ? e.source : where(e.node));

/** Converted entries + the graph outputs (as refs, by ONNX name) → the import plan. */
export function entriesToPlan(entries: Entry[], outputs: Array<{ name: string; ref: Ref }>, graphName: string): ImportPlan {
  // Keep what the outputs depend on.
  const live = new Set<number>();
  const todo = outputs.map((o) => o.ref.src);
  while (todo.length) {
    const i = todo.pop()!;
    if (live.has(i)) continue;
    live.add(i);
    for (const r of refsOf(entries[i])) todo.push(r.src);
  }
  // What is read of each live recurrent entry decides return_sequences / return_state.
  for (const e of entries) if (e.kind === 'rnn') e.uses.clear();
  const use = (r: Ref) => { const e = entries[r.src]; if (e.kind === 'rnn' && r.what !== 'out') e.uses.add(r.what); };
  for (const i of live) refsOf(entries[i]).forEach(use);
  outputs.forEach((o) => use(o.ref));
  checkMasks(entries, live, outputs);

  const counters = new Map<string, number>();
  const nameOf = (base: string) => { const n = counters.get(base) ?? 0; counters.set(base, n + 1); return n ? `${base}_${n}` : base; };
  const inputs = entries.map((e, i) => ({ e, i })).filter(({ e, i }) => e.kind === 'input' && live.has(i));
  const order = [...live].filter((i) => entries[i].kind !== 'input').sort((a, b) => a - b);
  const returnState = (e: RnnEntry) => e.uses.has('c') || (e.uses.has('h') && e.uses.has('seq'));
  const chain = inputs.length === 1 && outputs.length === 1 && order.length > 0 && outputs[0].ref.src === order[order.length - 1]
    && order.every((i, k) => {
      const e = entries[i];
      if (e.kind === 'merge' || e.kind === 'repeat' || e.kind === 'input' || (e.kind === 'rnn' && (e.states.length > 0 || returnState(e)))) return false;
      return e.input.src === (k === 0 ? inputs[0].i : order[k - 1]);
    });

  const layers: PlannedLayer[] = [];
  const names = new Map<number, string>();
  const calls: GraphPlan['calls'] = [];
  const bidiStates = new Map<number, TensorRef>();
  const refOf = (r: Ref): TensorRef => {
    const e = entries[r.src];
    if (e.kind === 'input') return { layer: e.name, index: 0 };
    const layer = names.get(r.src)!;
    if (e.kind !== 'rnn' || r.what === 'seq' || r.what === 'out') return { layer, index: 0 };
    if (r.what === 'c') return { layer, index: 2 };
    if (!e.uses.has('seq')) return { layer, index: 0 };
    return e.dirs === 1 ? { layer, index: 1 } : bidiStates.get(r.src)!;
  };
  for (const i of order) {
    const e = entries[i] as Exclude<Entry, { kind: 'input' }>;
    let layer: Layer;
    let params: Tensor[] = [];
    let paramSources: string[] = [];
    if (e.kind === 'embedding') {
      layer = new Embedding({ name: nameOf('embedding'), inputDim: e.table.shape[0], outputDim: e.table.shape[1], maskZero: e.maskZero });
      params = [e.table]; paramSources = [e.node.inputs[0]];
    } else if (e.kind === 'dense') {
      const N = e.kernel.shape[1];
      layer = new Dense({ name: nameOf('dense'), units: N, activation: e.activation as 'linear' });
      params = [e.kernel, { shape: [N], data: e.bias ?? new Float32Array(N) }]; paramSources = [e.node.inputs[1], e.bias ? 'bias' : '(zero bias)'];
    } else if (e.kind === 'merge') {
      const name = nameOf(e.op.toLowerCase());
      layer = e.op === 'Add' ? new Add({ name }) : e.op === 'Multiply' ? new Multiply({ name }) : e.op === 'Average' ? new Average({ name }) : new Concatenate({ name });
    } else if (e.kind === 'repeat') {
      layer = new RepeatVector({ name: nameOf('repeat_vector'), n: e.n });
    } else if (e.kind === 'masking') {
      layer = new Masking({ name: nameOf('masking'), maskValue: e.value });
    } else {
      if (e.reverse && e.uses.has('seq')) throw new UnsupportedModelError(where(e.node), 'its sequence output is read, but a reverse-direction ONNX layer keeps time order (Keras go_backwards reverses it); only its final state is supported');
      const base = e.cell === 'LSTM' ? 'lstm' : e.cell === 'GRU' ? 'gru' : 'simple_rnn';
      const opts = {
        name: nameOf(base), units: e.H, returnSequences: e.uses.has('seq'), returnState: returnState(e), goBackwards: e.reverse,
        activation: e.activation as 'tanh', recurrentActivation: e.recurrentActivation as 'sigmoid',
      };
      const { recurrentActivation: _gate, ...cellOpts } = opts;   // SimpleRNN has no gates: the option is refused there
      const make = (): Recurrent => (e.cell === 'LSTM' ? new LSTM(opts) : e.cell === 'GRU' ? new GRU({ ...opts, resetAfter: e.resetAfter }) : new SimpleRNN(cellOpts));
      layer = e.dirs === 2 ? new Bidirectional({ name: nameOf('bidirectional'), layer: make() }) : make();
      params = e.weights.flat(); paramSources = e.weights.flatMap((_, d) => ['W', 'R', 'B'].map((q) => `${q}[${d}]`));
    }
    names.set(i, layer.name);
    layers.push({ source: sourceOf(e), layer, params, paramSources });
    const main = e.kind === 'merge' ? e.inputs : [e.input];
    calls.push({ layer: layer.name, inputs: main.map(refOf), states: e.kind === 'rnn' ? e.states.map(refOf) : [] });
    if (e.kind === 'rnn' && e.dirs === 2 && returnState(e)) {
      // Bidirectional returning states gives [y, forward states..., backward states...]: h = [h_fwd | h_bwd].
      const perDir = e.cell === 'LSTM' ? 2 : 1;
      const cat = new Concatenate({ name: nameOf('concatenate') });
      layers.push({ source: `${where(e.node)} Y_h`, layer: cat, params: [], paramSources: [] });
      calls.push({ layer: cat.name, inputs: [{ layer: layer.name, index: 1 }, { layer: layer.name, index: 1 + perDir }], states: [] });
      bidiStates.set(i, { layer: cat.name, index: 0 });
    }
  }
  const first = entries[inputs[0].i] as Extract<Entry, { kind: 'input' }>;
  const shapeOf = (x: Extract<Entry, { kind: 'input' }>) => (x.ids ? [x.time] : [x.time, x.width]);
  const plan: ImportPlan = { name: graphName || 'onnx_model', inputShape: shapeOf(first), layers };
  if (!chain) {
    plan.graph = {
      inputs: inputs.map(({ e }) => { const x = e as Extract<Entry, { kind: 'input' }>; return { name: x.name, shape: shapeOf(x), dtype: x.ids ? 'int32' : 'float32' }; }),
      calls,
      outputs: outputs.map((o) => refOf(o.ref)),
    };
  }
  return plan;
}

/** ONNX W (dirs, G, D), R (dirs, G, H), B (dirs, 2G) → per direction Keras [kernel, recurrent_kernel, bias]. */
export function onnxToKeras(cell: 'LSTM' | 'GRU' | 'RNN', W: ConstTensor, R: ConstTensor, B: ConstTensor | null, dirs: number, H: number, D: number, resetAfter: boolean): Tensor[][] {
  const G = cell === 'LSTM' ? 4 : cell === 'GRU' ? 3 : 1;
  // ONNX gate blocks → Keras: LSTM i,o,f,c → i,f,c,o; GRU z,r,h = Keras z,r,h; RNN one block.
  const order = cell === 'LSTM' ? [0, 2, 3, 1] : cell === 'GRU' ? [0, 1, 2] : [0];
  const weights: Tensor[][] = [];
  for (let d = 0; d < dirs; d++) {
    const w = { shape: [G * H, D], data: Float32Array.from(W.data.subarray(d * G * H * D, (d + 1) * G * H * D)) };
    const r = { shape: [G * H, H], data: Float32Array.from(R.data.subarray(d * G * H * H, (d + 1) * G * H * H)) };
    const kernel = reorderBlocks(transpose2d(w), H, order);
    const recurrent = reorderBlocks(transpose2d(r), H, order);
    const wb = B ? Float32Array.from(B.data.subarray(d * 2 * G * H, d * 2 * G * H + G * H)) : new Float32Array(G * H);
    const rb = B ? Float32Array.from(B.data.subarray(d * 2 * G * H + G * H, (d + 1) * 2 * G * H)) : new Float32Array(G * H);
    let bias: Tensor;
    if (resetAfter) {
      const two = new Float32Array(2 * G * H);
      two.set(wb, 0); two.set(rb, G * H);
      bias = reorderBlocks({ shape: [2, G * H], data: two }, H, order);
    } else {
      bias = reorderBlocks({ shape: [G * H], data: wb.map((q, i) => q + rb[i]) }, H, order);
    }
    weights.push([kernel, recurrent, bias]);
  }
  return weights;
}
