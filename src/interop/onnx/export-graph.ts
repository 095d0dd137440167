// fused-rnn Sequential → ONNX (opset 14) with the LSTM/GRU/RNN operators. Layout of the graph:
//   ids (batch, time) int64 ─Gather(embeddings)→ (B, T, E) ─Transpose→ (T, B, E)
//   ─LSTM/GRU/RNN→ Y (T, dirs, B, H) ─Transpose(0,2,1,3)+Reshape(0,0,-1)→ (T, B, dirs·H)   (return_sequences)
//                  Y_h (dirs, B, H) ─Transpose(1,0,2)+Reshape(0,-1)→ (B, dirs·H)             (final state)
//   ─MatMul+Add(+activation)→ output (B, [T,] N)
// Embedding mask_zero becomes sequence_lens = ReduceSum(Cast(Not(Equal(ids, 0)))) over time: ONNX can only
// express RIGHT padding that way, so a masked model is exported for right-padded input (`padding: 'left'`
// is refused), and outputs that would differ from Keras on padded steps are refused too.
import { Bidirectional, Dense, Dropout, Embedding, GRU, LSTM, Masking, Recurrent, type Layer, type Model, type Sequential } from '../../index.js';
import { UnsupportedModelError } from '../errors.js';
import { reorderBlocks, transpose2d, type Tensor } from '../tensor.js';
import { DataType, encodeModel, type OnnxAttribute, type OnnxNode, type OnnxTensor } from './proto.js';

/** Options of the ONNX export. */
export interface OnnxExportOptions {
  /** The padding side the exported model will see when the model masks (mask_zero): only 'right' can be expressed. */
  padding?: 'right' | 'left';
  /** Opset version to declare (≥ 14; default 14). */
  opset?: number;
}

const describe = (l: Layer) => `${l.className} "${l.name}"`;

/** Keras → ONNX gate blocks: LSTM ONNX i,o,f,c ← Keras i,f,c,o; GRU and RNN keep their order. */
const TO_ONNX: Record<string, number[]> = { LSTM: [0, 3, 1, 2], GRU: [0, 1, 2], SimpleRNN: [0] };

function onnxActivation(name: string, where: string): { name: string; alpha?: number; beta?: number } {
  switch (name) {
    case 'sigmoid': return { name: 'Sigmoid' };
    case 'tanh': return { name: 'Tanh' };
    case 'relu': return { name: 'Relu' };
    case 'linear': return { name: 'Affine', alpha: 1, beta: 0 };
    case 'hard_sigmoid': return { name: 'HardSigmoid', alpha: 1 / 6, beta: 0.5 };
    case 'hard_sigmoid_tfjs': return { name: 'HardSigmoid', alpha: 0.2, beta: 0.5 };
    default: throw new UnsupportedModelError(where, `activation ${name} has no ONNX recurrent counterpart`);
  }
}

/** Collects the nodes and initializers of an ONNX graph under generated unique names. */
export class OnnxBuilder {
  nodes: OnnxNode[] = [];
  inits: OnnxTensor[] = [];
  private n = 0;

  name(base: string): string {
    return `${base}_${this.n++}`;
  }

  init(base: string, dims: number[], data: ArrayLike<number>, dataType: number = DataType.FLOAT): string {
    const name = this.name(base);
    this.inits.push({ name, dims, dataType, data: dataType === DataType.FLOAT ? Float32Array.from(data) : Float64Array.from(data) });
    return name;
  }

  node(op: string, inputs: string[], attrs: OnnxAttribute[] = [], outputs = 1): string[] {
    const name = this.name(op);
    const outs = Array.from({ length: outputs }, (_, i) => `${name}_out${i}`);
    this.nodes.push({ name, opType: op, domain: '', inputs, outputs: outs, attributes: attrs });
    return outs;
  }
}

/** An INTS attribute. */
export const ints = (name: string, v: number[]): OnnxAttribute => ({ name, type: 7, ints: v });
/** An INT attribute. */
export const int = (name: string, v: number): OnnxAttribute => ({ name, type: 2, i: v });
const str = (name: string, v: string): OnnxAttribute => ({ name, type: 3, s: v });
const strs = (name: string, v: string[]): OnnxAttribute => ({ name, type: 8, strings: v });
const floats = (name: string, v: number[]): OnnxAttribute => ({ name, type: 6, floats: v });

/** The model's weights of one layer in fused-rnn order. */
export function layerWeights(model: Model, layer: Layer): Tensor[] {
  const all = new Map(model.getWeights().map((w) => [w.path, w]));
  return model.paramTable.entries.filter((e) => e.layer === layer.name).map((e) => ({ shape: e.shape.slice(), data: all.get(e.path)!.data }));
}

/** Exports a built Sequential model as ONNX bytes (see the file comment for the graph and its limits). */
export function exportOnnx(model: Sequential, options: OnnxExportOptions = {}): Uint8Array {
  if (!model.built) throw new UnsupportedModelError(`Sequential "${model.name}"`, 'build the model before exporting it');
  const opset = options.opset ?? 14;
  if (opset < 14) throw new UnsupportedModelError(`Sequential "${model.name}"`, `opset ${opset}: the ONNX export needs opset ≥ 14`);
  const b = new OnnxBuilder();
  const layers = model.layers.filter((l) => !(l instanceof Dropout));
  const inShape = model.builtInputShape!;
  const first = layers[0];
  const idsInput = first instanceof Embedding;
  const T = inShape[0];
  const inputName = idsInput ? 'ids' : 'x';
  let cur = inputName;
  let tags: 'BT' | 'TB' = 'BT';
  let seq = true;
  let lens = '';
  const masked = (idsInput && (first as Embedding).maskZero) || first instanceof Masking;
  if (masked && options.padding === 'left') {
    throw new UnsupportedModelError(first instanceof Masking ? `Masking "${first.name}"` : `Embedding "${first.name}" (mask_zero)`, 'ONNX sequence_lens expresses right padding only; left-padded input cannot be exported (pad with padding: "post")');
  }
  const toBatchMajor = () => {
    if (seq && tags === 'TB') { cur = b.node('Transpose', [cur], [ints('perm', [1, 0, 2])])[0]; tags = 'BT'; }
  };
  layers.forEach((layer, li) => {
    const next = layers[li + 1];
    const nextIsRecurrent = next instanceof Recurrent || next instanceof Bidirectional;
    if (layer instanceof Embedding) {
      if (li !== 0) throw new UnsupportedModelError(describe(layer), 'an Embedding must be the first layer');
      const [table] = layerWeights(model, layer);
      cur = b.node('Gather', [b.init('embeddings', table.shape, table.data), cur], [int('axis', 0)])[0];
      if (layer.maskZero) {
        const zero = b.init('zero', [], [0], DataType.INT64);
        const nonzero = b.node('Not', [b.node('Equal', [inputName, zero])[0]])[0];
        const counts = b.node('Cast', [nonzero], [int('to', DataType.INT32)])[0];
        lens = b.node('ReduceSum', [counts, b.init('time_axis', [1], [1], DataType.INT64)], [int('keepdims', 0)])[0];
      }
      return;
    }
    if (layer instanceof Masking) {
      if (li !== 0) throw new UnsupportedModelError(describe(layer), 'the Sequential ONNX export writes Masking as the first layer only');
      ({ out: cur, lens } = maskingNodes(b, cur, layer.maskValue, opset));
      return;
    }
    if (layer instanceof Recurrent || layer instanceof Bidirectional) {
      const bidi = layer instanceof Bidirectional;
      const inner = bidi ? (layer as Bidirectional).forwardLayer : (layer as Recurrent);
      const where = describe(layer);
      if (!seq) throw new UnsupportedModelError(where, 'needs a sequence input');
      if (inner.stateful) throw new UnsupportedModelError(where, 'stateful layers carry state between calls; ONNX models are stateless');
      if (bidi && (layer as Bidirectional).mergeMode !== 'concat') throw new UnsupportedModelError(where, `merge mode ${(layer as Bidirectional).mergeMode}: the ONNX export writes concat only`);
      if (inner.goBackwards && inner.returnSequences) throw new UnsupportedModelError(where, 'goBackwards with returnSequences returns time-reversed outputs (Keras); ONNX reverse keeps time order');
      if (masked && inner.returnSequences && !bidi && !(next instanceof Recurrent || next instanceof Bidirectional)) {
        throw new UnsupportedModelError(where, 'a masked sequence output feeding a non-recurrent layer: Keras repeats the last output on padded steps, ONNX writes zeros');
      }
      if (tags === 'BT') { cur = b.node('Transpose', [cur], [ints('perm', [1, 0, 2])])[0]; tags = 'TB'; }
      const { op, weights, attrs, outputs } = recurrentOp(b, model, layer as Recurrent | Bidirectional);
      const [Y, Yh] = b.node(op, [cur, ...weights, lens], attrs, outputs);
      if (inner.returnSequences) {
        const t = b.node('Transpose', [Y], [ints('perm', [0, 2, 1, 3])])[0];
        cur = b.node('Reshape', [t, b.init('shape', [3], [0, 0, -1], DataType.INT64)])[0];
        tags = 'TB';
      } else {
        const t = b.node('Transpose', [Yh], [ints('perm', [1, 0, 2])])[0];
        cur = b.node('Reshape', [t, b.init('shape', [2], [0, -1], DataType.INT64)])[0];
        seq = false;
      }
      if (!nextIsRecurrent) toBatchMajor();
      return;
    }
    if (layer instanceof Dense) {
      toBatchMajor();
      cur = denseOp(b, model, layer, cur);
      return;
    }
    throw new UnsupportedModelError(describe(layer), 'has no ONNX export (supported: Embedding, Masking (first), LSTM, GRU, SimpleRNN, Bidirectional (concat), Dense, Dropout)');
  });
  toBatchMajor();
  const producer = b.nodes.find((n) => n.outputs.includes(cur));
  if (!producer) throw new UnsupportedModelError(`Sequential "${model.name}"`, 'has no layer the ONNX export can write');
  producer.outputs = producer.outputs.map((o) => (o === cur ? 'output' : o));
  for (const n of b.nodes) n.inputs = n.inputs.map((i) => (i === cur ? 'output' : i));
  const last = layers[layers.length - 1];
  const outWidth = last instanceof Dense ? last.units : last instanceof Bidirectional ? 2 * last.forwardLayer.units : (last as Recurrent).units;
  const timeDim = typeof T === 'number' ? T : 'time';
  return encodeModel({
    irVersion: 8, producerName: 'fused-rnn', producerVersion: '0.1.0', opsets: [{ domain: '', version: opset }],
    graph: {
      name: model.name, nodes: b.nodes, initializers: b.inits,
      inputs: [{ name: inputName, elemType: idsInput ? DataType.INT64 : DataType.FLOAT, dims: idsInput ? ['batch', timeDim] : ['batch', timeDim, inShape[1] as number] }],
      outputs: [{ name: 'output', elemType: DataType.FLOAT, dims: seq ? ['batch', timeDim, outWidth] : ['batch', outWidth] }],
    },
  });
}

/**
 * The ONNX LSTM/GRU/RNN operator of a recurrent layer (or a concat Bidirectional): op type, W/R/B initializers
 * (gate blocks reordered, transposed), attributes and its output count. Inputs X and sequence_lens (and
 * initial states) are the caller's.
 */
export function recurrentOp(b: OnnxBuilder, model: Model, layer: Recurrent | Bidirectional): { op: string; weights: string[]; attrs: OnnxAttribute[]; outputs: number; dirs: number } {
  const bidi = layer instanceof Bidirectional;
  const inner = bidi ? layer.forwardLayer : layer;
  const where = describe(layer);
  const cell = inner.className as 'LSTM' | 'GRU' | 'SimpleRNN';
  const op = cell === 'SimpleRNN' ? 'RNN' : cell;
  const H = inner.units, dirs = bidi ? 2 : 1, G = (cell === 'LSTM' ? 4 : cell === 'GRU' ? 3 : 1) * H;
  const ws = layerWeights(model, layer);
  const D = ws[0].shape[0];
  const W = new Float32Array(dirs * G * D), R = new Float32Array(dirs * G * H), B = new Float32Array(dirs * 2 * G);
  const resetAfter = inner instanceof GRU && inner.resetAfter;
  for (let d = 0; d < dirs; d++) {
    const [kernel, recurrent, bias] = ws.slice(d * 3, d * 3 + 3);
    W.set(transpose2d(reorderBlocks(kernel, H, TO_ONNX[cell])).data, d * G * D);
    R.set(transpose2d(reorderBlocks(recurrent, H, TO_ONNX[cell])).data, d * G * H);
    const bs = reorderBlocks(bias, H, TO_ONNX[cell]).data;
    if (resetAfter) B.set(bs, d * 2 * G); // (2, 3H) = [Wb; Rb], row-major
    else B.set(bs, d * 2 * G); // one bias: Wb = bias, Rb = 0
  }
  const acts: string[] = [], alphas: number[] = [], betas: number[] = [];
  const push = (a: { name: string; alpha?: number; beta?: number }) => { acts.push(a.name); alphas.push(a.alpha ?? 0); betas.push(a.beta ?? 0); };
  for (let d = 0; d < dirs; d++) {
    if (cell === 'LSTM') { push(onnxActivation((inner as LSTM).recurrentActivation, where)); push(onnxActivation(inner.activation, where)); push(onnxActivation(inner.activation, where)); }
    else if (cell === 'GRU') { push(onnxActivation((inner as GRU).recurrentActivation, where)); push(onnxActivation(inner.activation, where)); }
    else push(onnxActivation(inner.activation, where));
  }
  const attrs: OnnxAttribute[] = [int('hidden_size', H), str('direction', bidi ? 'bidirectional' : inner.goBackwards ? 'reverse' : 'forward'), strs('activations', acts)];
  if (acts.some((a) => a === 'HardSigmoid' || a === 'Affine')) attrs.push(floats('activation_alpha', alphas), floats('activation_beta', betas));
  if (cell === 'GRU') attrs.push(int('linear_before_reset', resetAfter ? 1 : 0));
  return { op, weights: [b.init('W', [dirs, G, D], W), b.init('R', [dirs, G, H], R), b.init('B', [dirs, 2 * G], B)], attrs, outputs: cell === 'LSTM' ? 3 : 2, dirs };
}

/**
 * Keras Masking on a batch-major (B, T, D) float value, right padding: the masked value (masked steps zeroed,
 * as Keras) and its sequence_lens, the count of steps with any feature ≠ value (the pattern
 * src/interop/onnx/masking-ops.ts reads back).
 */
export function maskingNodes(b: OnnxBuilder, x: string, value: number, opset: number): { out: string; lens: string } {
  const ne = b.node('Cast', [b.node('Not', [b.node('Equal', [x, b.init('mask_value', [], [value])])[0]])[0]], [int('to', DataType.FLOAT)])[0];
  const featureAxis = () => b.init('feature_axis', [1], [2], DataType.INT64);
  // ReduceMax takes its axes as an attribute before opset 18, as an input from 18.
  const step = opset >= 18 ? b.node('ReduceMax', [ne, featureAxis()], [int('keepdims', 0)])[0] : b.node('ReduceMax', [ne], [ints('axes', [2]), int('keepdims', 0)])[0];
  const out = b.node('Mul', [x, b.node('Unsqueeze', [step, featureAxis()])[0]])[0];
  const lens = b.node('ReduceSum', [b.node('Cast', [step], [int('to', DataType.INT32)])[0], b.init('time_axis', [1], [1], DataType.INT64)], [int('keepdims', 0)])[0];
  return { out, lens };
}

/** A Dense layer on the last axis of a batch-major value: MatMul (+ Add bias) (+ activation); the output name. */
export function denseOp(b: OnnxBuilder, model: Model, layer: Dense, x: string): string {
  const ws = layerWeights(model, layer);
  let cur = b.node('MatMul', [x, b.init('kernel', ws[0].shape, ws[0].data)])[0];
  if (ws[1]) cur = b.node('Add', [cur, b.init('bias', ws[1].shape, ws[1].data)])[0];
  switch (layer.activation) {
    case 'linear': return cur;
    case 'softmax': return b.node('Softmax', [cur], [int('axis', -1)])[0];
    case 'hard_sigmoid': return b.node('HardSigmoid', [cur], [{ name: 'alpha', type: 1, f: 1 / 6 }, { name: 'beta', type: 1, f: 0.5 }])[0];
    case 'hard_sigmoid_tfjs': return b.node('HardSigmoid', [cur], [{ name: 'alpha', type: 1, f: 0.2 }, { name: 'beta', type: 1, f: 0.5 }])[0];
    case 'relu': case 'tanh': case 'sigmoid': return b.node(layer.activation[0].toUpperCase() + layer.activation.slice(1), [cur])[0];
    default: throw new UnsupportedModelError(describe(layer), `activation ${layer.activation} has no ONNX export`);
  }
}
