// The peer benchmark's workloads, shared by every worker so all peers see identical shapes, weights and data.
// Legend: B batch, T steps, V vocabulary, E embedding width, D input width, H units.
//   W1   ids (B32, T40) → Embedding(5000, 100) → LSTM(64) → Dense(1, sigmoid), BCE, Adam: train sequences/s
//   W1f  floats (B32, T40, D100) → LSTM(64) → Dense(1, sigmoid): the same without the embedding
//   W2   ids (B32, T64) → Embedding(80, 64) → LSTM(256, seq) → Dense(80) softmax, CE, Adam: train tokens/s
//   W2f  floats (B32, T64, D64) → LSTM(256, seq) → Dense(80) softmax; "gru" variants use GRU(256)
//   W3   LSTM(256) / GRU(256) inference on floats (B, T64, D64), last state, B = 1 and 32: sequences/s
//   char LM B1: W2 at B = 1 (brain.js' char LSTM, hidden 256, trains one sequence at a time): chars/s
// GRUs are reset-before (Keras resetAfter false, ONNX linear_before_reset 0) on every peer: the only GRU tfjs has.
import { Dense, Embedding, GRU, LSTM, Sequential, type Kernels, type Layer } from '../../src/index.js';
import { rng, uniform } from '../../test/helpers/random.js';

// 'fused-rnn 2t': loadKernels({ threads: 2 }); 'ort-web 2t': onnxruntime-web with env.wasm.numThreads = 2.
export type PeerName = 'fused-rnn' | 'fused-rnn 2t' | 'tfjs-cpu' | 'tfjs-wasm' | 'ort-web' | 'ort-web 2t' | 'ort-node' | 'brain.js';
export const PEERS: PeerName[] = ['fused-rnn', 'fused-rnn 2t', 'tfjs-cpu', 'tfjs-wasm', 'ort-web', 'ort-web 2t', 'ort-node', 'brain.js'];

export interface Workload {
  id: string;
  kind: 'train' | 'infer';
  cell: 'lstm' | 'gru';
  B: number;
  T: number;
  /** ids input: vocabulary and embedding width; floats input: D only. */
  V?: number;
  E?: number;
  D: number;
  H: number;
  returnSequences: boolean;
  /** Dense head (train only). */
  head?: { units: number; activation: 'sigmoid' | 'softmax' };
  unit: 'sequences/s' | 'tokens/s' | 'chars/s';
  /** Peers that run it; the others get the reason in the table. */
  peers: PeerName[];
}

const TF: PeerName[] = ['fused-rnn', 'tfjs-cpu', 'tfjs-wasm'];
const ALL_INFER: PeerName[] = ['fused-rnn', 'tfjs-cpu', 'tfjs-wasm', 'ort-web', 'ort-node'];
const w1 = { kind: 'train', cell: 'lstm', B: 32, T: 40, H: 64, returnSequences: false, head: { units: 1, activation: 'sigmoid' }, unit: 'sequences/s', peers: TF } as const;
const w2 = { kind: 'train', B: 32, T: 64, H: 256, returnSequences: true, head: { units: 80, activation: 'softmax' }, unit: 'tokens/s', peers: TF } as const;
const w3 = { kind: 'infer', T: 64, D: 64, H: 256, returnSequences: false, unit: 'sequences/s', peers: ALL_INFER } as const;

export const WORKLOADS: Workload[] = [
  { id: 'W1', ...w1, V: 5000, E: 100, D: 100 },
  { id: 'W1f', ...w1, D: 100 },
  { id: 'W2', ...w2, cell: 'lstm', V: 80, E: 64, D: 64, peers: [...TF, 'fused-rnn 2t'] },
  { id: 'W2f', ...w2, cell: 'lstm', D: 64, peers: [...TF, 'fused-rnn 2t'] },
  { id: 'W2 gru', ...w2, cell: 'gru', V: 80, E: 64, D: 64 },
  { id: 'W2f gru', ...w2, cell: 'gru', D: 64 },
  { id: 'W3 B1', ...w3, cell: 'lstm', B: 1, peers: [...ALL_INFER, 'fused-rnn 2t', 'ort-web 2t'] },
  { id: 'W3 B32', ...w3, cell: 'lstm', B: 32, peers: [...ALL_INFER, 'fused-rnn 2t', 'ort-web 2t'] },
  { id: 'W3 gru B1', ...w3, cell: 'gru', B: 1 },
  { id: 'W3 gru B32', ...w3, cell: 'gru', B: 32 },
  { id: 'char LM B1', kind: 'train', cell: 'lstm', B: 1, T: 64, V: 80, E: 64, D: 64, H: 256, returnSequences: true,
    head: { units: 80, activation: 'softmax' }, unit: 'chars/s', peers: ['fused-rnn', 'brain.js'] },
];

/** Why a peer has no number for a workload (shown in the table). */
export function notRun(w: Workload, peer: PeerName): string {
  if (peer === 'ort-web' || peer === 'ort-node' || peer === 'ort-web 2t') return w.kind === 'train' ? 'cannot train' : '–';
  if (peer === 'brain.js') return '–';
  return '–';
}

/** Items per timed run: sequences for W1/W3, tokens for W2 and the char LM. */
export const itemsPerRun = (w: Workload): number => (w.unit === 'sequences/s' ? w.B : w.B * w.T);

export const usesIds = (w: Workload): boolean => w.V !== undefined;

/** The fused-rnn model of a workload with seeded weights: every peer copies its weights from this. */
export async function fusedModel(w: Workload, k: Kernels): Promise<Sequential> {
  const layers: Layer[] = [];
  if (usesIds(w)) layers.push(new Embedding({ inputDim: w.V!, outputDim: w.E! }));
  const rnn = { units: w.H, returnSequences: w.returnSequences };
  layers.push(w.cell === 'lstm' ? new LSTM(rnn) : new GRU({ ...rnn, resetAfter: false }));
  if (w.head) layers.push(new Dense(w.head));
  const m = new Sequential(layers, { seed: 1, kernels: k });
  await m.build(usesIds(w) ? [w.T] : [w.T, w.D]);
  return m;
}

/** Seeded inputs and targets of one batch (ids or floats; 0/1 labels for W1, next-token ids for W2). */
export function batch(w: Workload) {
  const r = rng(11);
  const x = usesIds(w)
    ? { data: Int32Array.from({ length: w.B * w.T }, () => Math.floor(r() * w.V!)), shape: [w.B, w.T] }
    : { data: uniform(w.B * w.T * w.D, 12, -1, 1), shape: [w.B, w.T, w.D] };
  const y = !w.head ? null
    : w.head.units === 1 ? { data: Float32Array.from({ length: w.B }, () => Math.floor(r() * 2)), shape: [w.B, 1] }
      : { data: Int32Array.from({ length: w.B * w.T }, () => Math.floor(r() * w.head!.units)), shape: [w.B, w.T] };
  return { x, y };
}
