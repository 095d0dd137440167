// A ONE-STEP ONNX LSTM / GRU graph with the state in and out (issue 20's streaming comparison): how ONNX
// Runtime users stream a recurrent model, one run per time step, feeding the previous run's state back.
// Inputs x (1, B, D) time-major (T = 1), h0 (1, B, H) [, c0 (1, B, H)]; outputs h (1, B, H) [, c (1, B, H)].
// Weights from Keras layout as in onnx-model.ts.
import { GRU_FROM_KERAS, LSTM_FROM_KERAS, attrInt, attrString, tensor, toOnnxBias, toOnnxMatrix, valueInfo, type KerasCellWeights, type OnnxCell } from './onnx-model.js';
import { peerRequire } from './peer-import.js';

const { onnx } = peerRequire('onnx-proto');

/** Serialised one-step model (opset 14) for a B-row stream. */
export function buildOnnxStep(cell: OnnxCell, D: number, H: number, B: number, w: KerasCellWeights, resetAfter = true): Uint8Array {
  const order = cell === 'lstm' ? LSTM_FROM_KERAS : GRU_FROM_KERAS, G = order.length;
  const spec = { cell, D, H, resetAfter, directions: [w] };
  const attributes = [attrInt('hidden_size', H), attrString('direction', 'forward')];
  if (cell === 'gru') attributes.push(attrInt('linear_before_reset', resetAfter ? 1 : 0));
  const lstm = cell === 'lstm';
  const node = onnx.NodeProto.create({
    name: cell, opType: lstm ? 'LSTM' : 'GRU',
    input: lstm ? ['x', 'W', 'R', 'B', '', 'h0', 'c0'] : ['x', 'W', 'R', 'B', '', 'h0'],
    output: lstm ? ['', 'h', 'c'] : ['', 'h'], attribute: attributes,
  });
  const graph = onnx.GraphProto.create({
    name: `${cell}_step`, node: [node],
    initializer: [tensor('W', [1, G * H, D], toOnnxMatrix(w.kernel, D, H, order)), tensor('R', [1, G * H, H], toOnnxMatrix(w.recurrent, H, H, order)), tensor('B', [1, 2 * G * H], toOnnxBias(spec, w.bias))],
    input: [valueInfo('x', [1, B, D]), valueInfo('h0', [1, B, H]), ...(lstm ? [valueInfo('c0', [1, B, H])] : [])],
    output: [valueInfo('h', [1, B, H]), ...(lstm ? [valueInfo('c', [1, B, H])] : [])],
  });
  return onnx.ModelProto.encode(onnx.ModelProto.create({ irVersion: 8, producerName: 'fused-rnn bench/infer', opsetImport: [{ domain: '', version: 14 }], graph })).finish();
}
