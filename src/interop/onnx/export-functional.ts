// Functional fused-rnn Models → ONNX (opset ≥ 14). Every value between layers is batch-major ((B, F) or
// (B, T, F)); a recurrent layer transposes its input to (T, B, D), runs LSTM/GRU/RNN and maps its outputs
// back: y = Y (T, dirs, B, H) → (B, T, dirs·H) for sequences, or Y_h (dirs, B, H) → (B, dirs·H); states
// h = Squeeze(Y_h, 0), c = Squeeze(Y_c, 0); initial states enter as Unsqueeze(h, 0) (1, B, H).
// Masks: an Embedding(maskZero) gives its ids' sequence_lens = ReduceSum(Cast(Not(Equal(ids, 0)))) (right
// padding only, as the Sequential export), carried along sequences to the recurrent layers that read them.
// Graph inputs are the model's inputs by name (int ids as int64); outputs are `output` (one) or `output_<i>`.
import { Add, Average, Bidirectional, Concatenate, Dense, Dropout, Embedding, Masking, Multiply, Recurrent, RepeatVector, type Layer, type Model, type Shape } from '../../index.js';
import { UnsupportedModelError } from '../errors.js';
import { exportGraphOf, type ExportEdge } from '../functional-graph.js';
import { OnnxBuilder, denseOp, int, ints, layerWeights, maskingNodes, recurrentOp, type OnnxExportOptions } from './export-graph.js';
import { DataType, encodeModel, type OnnxValueInfo } from './proto.js';

const describe = (l: Layer) => `${l.className} "${l.name}"`;

/** A value on the data path: its ONNX name, whether it has a time axis, and its sequence_lens ('' = unmasked). */
interface Value {
  name: string;
  seq: boolean;
  lens: string;
}

const dimsOf = (shape: Shape, batchTime: (d: number | null, i: number) => number | string) => ['batch', ...shape.map(batchTime)];

/** Exports a built functional model as ONNX bytes (see the file comment). */
export function exportOnnxFunctional(model: Model, options: OnnxExportOptions = {}): Uint8Array {
  const where = `${model.className} "${model.name}"`;
  if (!model.built) throw new UnsupportedModelError(where, 'build the model before exporting it');
  const opset = options.opset ?? 14;
  if (opset < 14) throw new UnsupportedModelError(where, `opset ${opset}: the ONNX export needs opset ≥ 14`);
  const g = exportGraphOf(model);
  const b = new OnnxBuilder();
  const i64 = (base: string, v: number[]) => b.init(base, [v.length], v, DataType.INT64);
  const values = new Map<string, Value>();
  const key = (e: ExportEdge) => `${e.node}:${e.index}`;
  const val = (e: ExportEdge) => values.get(key(e))!;
  g.inputs.forEach((inp, i) => values.set(key({ node: -1, index: i }), { name: inp.name, seq: inp.shape.length >= 2 || (inp.dtype === 'int32' && inp.shape.length === 1), lens: '' }));
  // Who reads each value: masked unidirectional sequences may only feed recurrent layers (see below).
  const readers = new Map<string, Layer[]>();
  g.nodes.forEach((n) => n.inputs.forEach((e, j) => { if (j < n.inputs.length - n.stateCount) readers.set(key(e), [...(readers.get(key(e)) ?? []), n.layer]); }));
  g.outputs.forEach((e) => readers.set(key(e), [...(readers.get(key(e)) ?? []), model as unknown as Layer]));

  g.nodes.forEach((n, ni) => {
    const l = n.layer, here = describe(l);
    const main = n.inputs.slice(0, n.inputs.length - n.stateCount).map(val), states = n.inputs.slice(main.length).map(val);
    const set = (index: number, v: Value) => values.set(key({ node: ni, index }), v);
    if (l instanceof Dropout) return set(0, main[0]);
    if (l instanceof Embedding) {
      const ids = main[0].name;
      const [table] = layerWeights(model, l);
      let lens = '';
      if (l.maskZero) {
        if (options.padding === 'left') throw new UnsupportedModelError(`${here} (mask_zero)`, 'ONNX sequence_lens expresses right padding only; left-padded input cannot be exported (pad with padding: "post")');
        const nonzero = b.node('Not', [b.node('Equal', [ids, b.init('zero', [], [0], DataType.INT64)])[0]])[0];
        lens = b.node('ReduceSum', [b.node('Cast', [nonzero], [int('to', DataType.INT32)])[0], i64('time_axis', [1])], [int('keepdims', 0)])[0];
      }
      return set(0, { name: b.node('Gather', [b.init('embeddings', table.shape, table.data), ids], [int('axis', 0)])[0], seq: true, lens });
    }
    if (l instanceof Masking) {
      if (options.padding === 'left') throw new UnsupportedModelError(here, 'ONNX sequence_lens expresses right padding only; left-padded input cannot be exported (pad with padding: "post")');
      if (!main[0].seq || main[0].lens) throw new UnsupportedModelError(here, 'the ONNX export writes Masking on an unmasked float sequence only');
      const { out, lens } = maskingNodes(b, main[0].name, l.maskValue, opset);
      return set(0, { name: out, seq: true, lens });
    }
    if (l instanceof Recurrent || l instanceof Bidirectional) {
      const bidi = l instanceof Bidirectional;
      const inner = bidi ? l.forwardLayer : l;
      const x = main[0];
      if (!x.seq) throw new UnsupportedModelError(here, 'needs a sequence input');
      if (inner.stateful) throw new UnsupportedModelError(here, 'stateful layers carry state between calls; ONNX models are stateless');
      if (bidi && l.mergeMode !== 'concat') throw new UnsupportedModelError(here, `merge mode ${l.mergeMode}: the ONNX export writes concat only`);
      if (bidi && inner.returnState) throw new UnsupportedModelError(here, 'a Bidirectional layer returning its states has no ONNX export yet');
      if (inner.goBackwards && inner.returnSequences) throw new UnsupportedModelError(here, 'goBackwards with returnSequences returns time-reversed outputs (Keras); ONNX reverse keeps time order');
      if (x.lens && inner.returnSequences && !bidi && (readers.get(key({ node: ni, index: 0 })) ?? []).some((r) => !(r instanceof Recurrent || r instanceof Bidirectional))) {
        throw new UnsupportedModelError(here, 'a masked sequence output read by a non-recurrent layer or returned: Keras repeats the last output on padded steps, ONNX writes zeros');
      }
      const { op, weights, attrs, outputs } = recurrentOp(b, model, l);
      const xT = b.node('Transpose', [x.name], [ints('perm', [1, 0, 2])])[0];
      const init = states.map((s) => b.node('Unsqueeze', [s.name, i64('axes', [0])])[0]);
      // X, W, R, B, sequence_lens ('' = none), initial_h[, initial_c]
      const opInputs = [xT, ...weights, x.lens, ...init];
      while (opInputs.length > 4 && opInputs[opInputs.length - 1] === '') opInputs.pop();
      const [Y, Yh, Yc] = b.node(op, opInputs, attrs, outputs);
      if (inner.returnSequences) {
        const t = b.node('Transpose', [Y], [ints('perm', [0, 2, 1, 3])])[0];
        const r = b.node('Reshape', [t, i64('shape', [0, 0, -1])])[0];
        set(0, { name: b.node('Transpose', [r], [ints('perm', [1, 0, 2])])[0], seq: true, lens: x.lens });
      } else {
        const t = b.node('Transpose', [Yh], [ints('perm', [1, 0, 2])])[0];
        set(0, { name: b.node('Reshape', [t, i64('shape', [0, -1])])[0], seq: false, lens: '' });
      }
      if (inner.returnState) {
        set(1, { name: b.node('Squeeze', [Yh, i64('axes', [0])])[0], seq: false, lens: '' });
        if (Yc) set(2, { name: b.node('Squeeze', [Yc, i64('axes', [0])])[0], seq: false, lens: '' });
      }
      return;
    }
    if (l instanceof Dense) return set(0, { ...main[0], name: denseOp(b, model, l, main[0].name) });
    if (l instanceof Add || l instanceof Multiply || l instanceof Average || l instanceof Concatenate) {
      // Keras masks a merge with the AND of its inputs' masks (an unmasked input counts as all valid): one
      // sequence_lens carries it when every masked input has the same one (the same ids).
      const lens = [...new Set(main.map((v) => v.lens).filter(Boolean))];
      if (lens.length > 1) throw new UnsupportedModelError(here, 'merges sequences masked by different inputs (Keras combines their masks); one ONNX sequence_lens cannot express that');
      let out: string;
      if (l instanceof Concatenate) out = b.node('Concat', main.map((v) => v.name), [int('axis', -1)])[0];
      else {
        out = main[0].name;
        for (const v of main.slice(1)) out = b.node(l instanceof Multiply ? 'Mul' : 'Add', [out, v.name])[0];
        if (l instanceof Average) out = b.node('Mul', [out, b.init('inverse_count', [], [1 / main.length])])[0];
      }
      return set(0, { name: out, seq: main[0].seq, lens: main[0].seq ? lens[0] ?? '' : '' });
    }
    if (l instanceof RepeatVector) {
      const u = b.node('Unsqueeze', [main[0].name, i64('axes', [1])])[0];
      return set(0, { name: b.node('Expand', [u, i64('shape', [1, l.n, 1])])[0], seq: true, lens: '' });
    }
    throw new UnsupportedModelError(here, 'has no ONNX export (supported in functional models: Embedding, Masking, LSTM, GRU, SimpleRNN, Bidirectional (concat), Dense, Dropout, Add, Multiply, Average, Concatenate, RepeatVector)');
  });

  // Symbolic dims are named per tensor: two inputs may have different lengths.
  const symbolic = (owner: string) => (d: number | null, i: number) => (d === null ? `${owner}_${i === 0 ? 'time' : `dim${i}`}` : d);
  const inputs: OnnxValueInfo[] = g.inputs.map((inp) => ({ name: inp.name, elemType: inp.dtype === 'int32' ? DataType.INT64 : DataType.FLOAT, dims: dimsOf(inp.shape, symbolic(inp.name)) }));
  const outputs: OnnxValueInfo[] = g.outputs.map((e, i) => {
    const name = g.outputs.length === 1 ? 'output' : `output_${i}`;
    b.nodes.push({ name: `${name}_identity`, opType: 'Identity', domain: '', inputs: [val(e).name], outputs: [name], attributes: [] });
    return { name, elemType: DataType.FLOAT, dims: dimsOf(g.nodes[e.node].outputShapes[e.index], symbolic(name)) };
  });
  return encodeModel({
    irVersion: 8, producerName: 'fused-rnn', producerVersion: '0.1.0', opsets: [{ domain: '', version: opset }],
    graph: { name: model.name, nodes: b.nodes, initializers: b.inits, inputs, outputs },
  });
}
