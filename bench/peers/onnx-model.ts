// ONNX LSTM / GRU models built from fused-rnn (Keras-layout) weights with onnx-proto (protobufjs code generated
// from onnx.proto), for onnxruntime-node and onnxruntime-web. Legend: T steps, B batch, D input width, H units,
// N directions (1, or 2 for bidirectional).
//   Keras LSTM kernel (D, 4H) gates i,f,c,o; bias (4H)         → ONNX W (N, 4H, D), R (N, 4H, H) gates i,o,f,c;
//                                                                 B (N, 8H) = [Wb; Rb] with Rb = 0.
//   Keras GRU kernel (D, 3H) gates z,r,h (same order in ONNX)  → W (N, 3H, D), R (N, 3H, H), B (N, 6H) = [Wb; Rb]:
//     reset_after False: bias (3H) → Wb = bias, Rb = 0,            linear_before_reset = 0;
//     reset_after True:  bias (2, 3H) → Wb = row 0, Rb = row 1,    linear_before_reset = 1.
// ORT's CPU LSTM/GRU only take time-major X (layout = 0), so the graph transposes the batch-major input
// (B, T, D) first, as a converted Keras model would. Outputs: Y_h (N, B, H) for last-state models; for sequence
// models Y (T, N, B, H) transposed to (B, T, N, H), which is Keras' concat order (B, T, N·H).
import { peerRequire } from './peer-import.js';

const { onnx } = peerRequire('onnx-proto'); // protobufjs static code generated from onnx.proto

export type OnnxCell = 'lstm' | 'gru';

/** One direction's Keras-layout weights (kernel (D, G), recurrent (H, G), bias (G) or (2, G)). */
export interface KerasCellWeights {
  kernel: Float32Array;
  recurrent: Float32Array;
  bias: Float32Array;
}

export interface OnnxRnnSpec {
  cell: OnnxCell;
  D: number;
  H: number;
  /** GRU only: Keras reset_after (bias (2, 3H)) ↔ ONNX linear_before_reset = 1. */
  resetAfter?: boolean;
  /** Output the whole sequence (B, T, N·H) instead of the last state (B, N·H). */
  returnSequences?: boolean;
  /** One entry per direction: [forward] or [forward, backward]. */
  directions: KerasCellWeights[];
}

// ONNX gate g takes Keras gate KERAS_GATE[g] (LSTM: ONNX i,o,f,c from Keras i,f,c,o).
export const LSTM_FROM_KERAS = [0, 3, 1, 2];
export const GRU_FROM_KERAS = [0, 1, 2];

/** Keras (rows, G·H) → ONNX (G·H, rows) with the gate blocks permuted. */
export function toOnnxMatrix(m: Float32Array, rows: number, H: number, order: number[]): Float32Array {
  const G = order.length, out = new Float32Array(G * H * rows);
  for (let g = 0; g < G; g++) {
    const kg = order[g];
    for (let j = 0; j < H; j++) for (let r = 0; r < rows; r++) out[(g * H + j) * rows + r] = m[r * G * H + kg * H + j];
  }
  return out;
}

export function toOnnxBias(spec: OnnxRnnSpec, bias: Float32Array): Float32Array {
  const { H } = spec;
  const order = spec.cell === 'lstm' ? LSTM_FROM_KERAS : GRU_FROM_KERAS;
  const G = order.length, out = new Float32Array(2 * G * H); // [Wb; Rb]
  const twoRows = spec.cell === 'gru' && spec.resetAfter;
  for (let g = 0; g < G; g++) {
    for (let j = 0; j < H; j++) {
      out[g * H + j] = bias[order[g] * H + j];
      if (twoRows) out[G * H + g * H + j] = bias[G * H + order[g] * H + j];
    }
  }
  return out;
}

function concat(parts: Float32Array[]): Float32Array {
  const out = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) { out.set(p, o); o += p.length; }
  return out;
}

export const tensor = (name: string, dims: number[], data: Float32Array) => onnx.TensorProto.create({
  name, dims, dataType: onnx.TensorProto.DataType.FLOAT,
  rawData: new Uint8Array(data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength)),
});
export const attrInt = (name: string, i: number) => onnx.AttributeProto.create({ name, type: onnx.AttributeProto.AttributeType.INT, i });
const attrInts = (name: string, ints: number[]) => onnx.AttributeProto.create({ name, type: onnx.AttributeProto.AttributeType.INTS, ints });
export const attrString = (name: string, s: string) => onnx.AttributeProto.create({ name, type: onnx.AttributeProto.AttributeType.STRING, s: new TextEncoder().encode(s) });
export const valueInfo = (name: string, dims: Array<number | string>) => onnx.ValueInfoProto.create({
  name,
  type: {
    tensorType: {
      elemType: onnx.TensorProto.DataType.FLOAT,
      shape: { dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) },
    },
  },
});

/** Serialised ONNX model (opset 14): input "x" (B, T, D) batch-major, output "y". */
export function buildOnnxRnn(spec: OnnxRnnSpec): Uint8Array {
  const { cell, D, H, directions } = spec;
  const N = directions.length;
  const order = cell === 'lstm' ? LSTM_FROM_KERAS : GRU_FROM_KERAS;
  const G = order.length;
  const W = concat(directions.map((d) => toOnnxMatrix(d.kernel, D, H, order)));
  const R = concat(directions.map((d) => toOnnxMatrix(d.recurrent, H, H, order)));
  const Bias = concat(directions.map((d) => toOnnxBias(spec, d.bias)));
  const attributes = [attrInt('hidden_size', H), attrString('direction', N === 2 ? 'bidirectional' : 'forward')];
  if (cell === 'gru') attributes.push(attrInt('linear_before_reset', spec.resetAfter ? 1 : 0));
  const nodes = [
    onnx.NodeProto.create({ name: 'to_time_major', opType: 'Transpose', input: ['x'], output: ['x_tbd'], attribute: [attrInts('perm', [1, 0, 2])] }),
    onnx.NodeProto.create({
      name: cell, opType: cell === 'lstm' ? 'LSTM' : 'GRU', input: ['x_tbd', 'W', 'R', 'B'],
      output: spec.returnSequences ? ['Y'] : ['', 'y'], attribute: attributes,
    }),
  ];
  if (spec.returnSequences) {
    nodes.push(onnx.NodeProto.create({ name: 'to_batch_major', opType: 'Transpose', input: ['Y'], output: ['y'], attribute: [attrInts('perm', [2, 0, 1, 3])] }));
  }
  const graph = onnx.GraphProto.create({
    name: `${cell}_from_fused_rnn`,
    node: nodes,
    initializer: [tensor('W', [N, G * H, D], W), tensor('R', [N, G * H, H], R), tensor('B', [N, 2 * G * H], Bias)],
    input: [valueInfo('x', ['batch', 'steps', D])],
    output: [valueInfo('y', spec.returnSequences ? ['batch', 'steps', N, H] : [N, 'batch', H])],
  });
  const model = onnx.ModelProto.create({
    irVersion: 8, producerName: 'fused-rnn bench/peers', opsetImport: [{ domain: '', version: 14 }], graph,
  });
  return onnx.ModelProto.encode(model).finish();
}

/** Splits fused-rnn getWeights() of one recurrent layer (or a Bidirectional) into per-direction Keras weights. */
export function kerasDirections(weights: Array<{ path: string; data: Float32Array }>): KerasCellWeights[] {
  if (weights.length === 0 || weights.length % 3 !== 0) throw new Error(`expected 3 tensors per direction, got ${weights.length}`);
  const out: KerasCellWeights[] = [];
  for (let i = 0; i < weights.length; i += 3) {
    const [k, r, b] = weights.slice(i, i + 3);
    if (!k.path.endsWith('/kernel') || !r.path.endsWith('/recurrent_kernel') || !b.path.endsWith('/bias')) {
      throw new Error(`expected kernel, recurrent_kernel, bias; got ${k.path}, ${r.path}, ${b.path}`);
    }
    out.push({ kernel: k.data, recurrent: r.data, bias: b.data });
  }
  return out;
}
