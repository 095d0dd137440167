// The ONNX importer's stack of converted nodes → the import plan (fused-rnn layers with their parameters).
import { Bidirectional, Dense, Embedding, GRU, LSTM, SimpleRNN, type Layer, type Recurrent } from '../../index.js';
import type { ImportPlan, PlannedLayer } from '../assemble.js';
import { UnsupportedModelError } from '../errors.js';
import { reorderBlocks, transpose2d, type Tensor } from '../tensor.js';
import { where, type Entry, type RnnEntry } from './graph-values.js';
import type { ConstTensor } from './static-ops.js';

/** The stack of converted ONNX nodes → fused-rnn layers with their parameters. */
export function stackToPlan(stack: Entry[], graphName: string, inputShape: Array<number | null>): ImportPlan {
  const counters = new Map<string, number>();
  const nameOf = (base: string) => { const n = counters.get(base) ?? 0; counters.set(base, n + 1); return n ? `${base}_${n}` : base; };
  const rnns = stack.filter((e): e is RnnEntry => e.kind === 'rnn');
  const masked = rnns.some((e) => e.masked);
  if (masked) {
    const bad = rnns.find((e) => !e.masked);
    if (bad) throw new UnsupportedModelError(where(bad.node), 'has no sequence_lens while another recurrent layer has them; fused-rnn masks every layer from the embedding (mask_zero)');
    const emb = stack[1];
    if (emb.kind !== 'embedding') throw new UnsupportedModelError(where(rnns[0].node), 'sequence_lens computed from the input need an embedding lookup as the first layer');
    emb.maskZero = true;
  }
  const layers: PlannedLayer[] = [];
  for (const e of stack) {
    if (e.kind === 'input') continue;
    if (e.kind === 'embedding') {
      const layer = new Embedding({ name: nameOf('embedding'), inputDim: e.table.shape[0], outputDim: e.table.shape[1], maskZero: e.maskZero });
      layers.push({ source: where(e.node), layer, params: [e.table], paramSources: [e.node.inputs[0]] });
    } else if (e.kind === 'dense') {
      const N = e.kernel.shape[1];
      const layer = new Dense({ name: nameOf('dense'), units: N, activation: e.activation as 'linear' });
      layers.push({ source: where(e.node), layer, params: [e.kernel, { shape: [N], data: e.bias ?? new Float32Array(N) }], paramSources: [e.node.inputs[1], e.bias ? 'bias' : '(zero bias)'] });
    } else {
      const base = e.cell === 'LSTM' ? 'lstm' : e.cell === 'GRU' ? 'gru' : 'simple_rnn';
      const opts = {
        name: nameOf(base), units: e.H, returnSequences: e.returnSequences ?? false, goBackwards: e.reverse,
        activation: e.activation as 'tanh', recurrentActivation: e.recurrentActivation as 'sigmoid',
      };
      const { recurrentActivation: _gate, ...cellOpts } = opts;   // SimpleRNN has no gates: the option is refused there
      const make = (): Recurrent => (e.cell === 'LSTM' ? new LSTM(opts) : e.cell === 'GRU' ? new GRU({ ...opts, resetAfter: e.resetAfter }) : new SimpleRNN(cellOpts));
      const layer: Layer = e.dirs === 2 ? new Bidirectional({ name: nameOf('bidirectional'), layer: make() }) : make();
      layers.push({ source: where(e.node), layer, params: e.weights.flat(), paramSources: e.weights.flatMap((_, d) => ['W', 'R', 'B'].map((q) => `${q}[${d}]`)) });
    }
  }
  return { name: graphName || 'onnx_model', inputShape, layers };
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
