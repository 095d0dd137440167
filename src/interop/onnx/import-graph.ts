// ONNX graph → fused-rnn layer stack, by abstract interpretation of the nodes on the path to the output.
//
// Exporters (torch.onnx dynamo and TorchScript, tf2onnx) wrap the recurrent operators in plumbing: shapes
// computed from the input, zero initial states built with Expand/ConstantOfShape, Transpose/Reshape/Squeeze
// between layers, Gather/Slice/Concat to pick h_n. Names are generated (val_112, onnx::LSTM_357), so the
// importer follows the graph, not the names:
// - every value that does not depend on the input data is evaluated to a constant (static-ops.ts); values
//   that depend only on the input's SHAPE are evaluated under a probe batch size and length;
// - every value on the data path is a symbolic tensor whose axes are tagged B (batch), T (time), F
//   (features, a concatenation of "parts" = one direction of one layer), L (a list of per-direction states,
//   as in Y (T, dirs, B, H) or Y_h (dirs, B, H)), or 1 (a unit axis);
// - a node that consumes the data path as the input of a new layer (Gather on an embedding table, LSTM/GRU/
//   RNN, MatMul/Gemm) first checks that the value is exactly the full output of the layer below (the only
//   thing a Sequential stack can pass on), which also decides return_sequences of a recurrent layer.
// Anything else on the data path is an UnsupportedModelError naming the node.
import type { ImportPlan } from '../assemble.js';
import { ModelFileError, UnsupportedModelError } from '../errors.js';
import { transpose2d } from '../tensor.js';
import { concatDyn, dropUnitAxis, lastStep, partWidth, reshapeDyn, sliceDyn } from './graph-axes.js';
import { onnxToKeras, stackToPlan } from './graph-plan.js';
import { activationOf, asDyn, constTensor, maskOps, need, neededNodes, where, type Dyn, type Entry, type Part, type Val } from './graph-values.js';
import { DataType, decodeModel, type OnnxGraph, type OnnxNode } from './proto.js';
import { attr, evalStatic, reshapeDims, type ConstTensor } from './static-ops.js';

class GraphImporter {
  private vals = new Map<string, Val>();
  private stack: Entry[] = [];
  // Probe batch size and length for shape-only values: primes unlikely to equal a feature width (a Reshape is
  // followed by matching dimension products).
  private probe = { B: 101, T: 103 };
  private inputShape: Array<number | null> = [];

  constructor(private readonly graph: OnnxGraph, private readonly file: string, private readonly outputName: string) {}

  run(): ImportPlan {
    const g = this.graph;
    for (const t of g.initializers) this.vals.set(t.name, { kind: 'const', t: { dims: t.dims.slice(), data: t.data, dataType: t.dataType } });
    const inits = new Set(g.initializers.map((t) => t.name));
    const dataInputs = g.inputs.filter((i) => !inits.has(i.name));
    if (dataInputs.length !== 1) throw new UnsupportedModelError(`ONNX graph "${g.name}"`, `has ${dataInputs.length} data inputs (${dataInputs.map((i) => i.name).join(', ')}); fused-rnn imports single-input models`);
    const input = dataInputs[0];
    const dim = (d: number | string | null, probe: number) => (typeof d === 'number' && d > 0 ? d : probe);
    const isIds = input.elemType !== DataType.FLOAT && input.elemType !== DataType.DOUBLE && input.elemType !== DataType.FLOAT16;
    if (isIds) {
      if (input.dims.length !== 2) throw new UnsupportedModelError(`ONNX input "${input.name}"`, `integer input must be ids (batch, time), got rank ${input.dims.length}`);
      this.probe = { B: dim(input.dims[0], this.probe.B), T: dim(input.dims[1], this.probe.T) };
      this.inputShape = [typeof input.dims[1] === 'number' && input.dims[1] > 0 ? input.dims[1] : null];
      this.vals.set(input.name, { kind: 'ids', tags: ['B', 'T'], shape: [this.probe.B, this.probe.T] });
      this.stack.push({ kind: 'input', width: 0 });
    } else {
      if (input.dims.length !== 3 || typeof input.dims[2] !== 'number') throw new UnsupportedModelError(`ONNX input "${input.name}"`, 'float input must be (batch, time, features) with a fixed feature count');
      const D = input.dims[2];
      this.probe = { B: dim(input.dims[0], this.probe.B), T: dim(input.dims[1], this.probe.T) };
      this.inputShape = [typeof input.dims[1] === 'number' && input.dims[1] > 0 ? input.dims[1] : null, D];
      this.vals.set(input.name, { kind: 'dyn', tags: ['B', 'T', 'F'], shape: [this.probe.B, this.probe.T, D], list: null, feat: [{ src: 0, dir: 0 }] });
      this.stack.push({ kind: 'input', width: D });
    }
    const needed = neededNodes(this.graph, this.outputName, this.file);
    for (const node of g.nodes) if (needed.has(node)) this.visit(node);
    const out = this.vals.get(this.outputName);
    if (!out || out.kind !== 'dyn') throw new UnsupportedModelError(`ONNX output "${this.outputName}"`, 'does not depend on the input');
    this.commit(out, `ONNX output "${this.outputName}"`);
    const okTags = (out.tags.join() === 'B,T,F') || (out.tags.join() === 'B,F');
    if (!okTags) throw new UnsupportedModelError(`ONNX output "${this.outputName}"`, `has axes (${out.tags.join(', ')}); fused-rnn returns (batch, time, features) or (batch, features)`);
    return stackToPlan(this.stack, this.graph.name, this.inputShape);
  }


  private get(name: string, node: OnnxNode): Val | null {
    if (!name) return null;
    const v = this.vals.get(name);
    if (!v) throw new ModelFileError(this.file, `${where(node)} reads "${name}", which no node produces`);
    return v;
  }

  private visit(node: OnnxNode): void {
    if (node.domain && node.domain !== 'ai.onnx') throw new UnsupportedModelError(where(node), `operator domain "${node.domain}" is not supported`);
    const ins = node.inputs.map((i) => this.get(i, node));
    if (ins.every((v) => v === null || v.kind === 'const')) {
      const out = evalStatic(node, ins.map((v) => (v ? (v as { t: ConstTensor }).t : null)));
      if (!out) throw new UnsupportedModelError(where(node), 'operator is not supported (on constants)');
      node.outputs.forEach((o, i) => { if (o && out[i]) this.vals.set(o, { kind: 'const', t: out[i] }); });
      return;
    }
    const outs = this.dynamic(node, ins);
    node.outputs.forEach((o, i) => { if (o && outs[i]) this.vals.set(o, outs[i]!); });
  }

  /** Shape of a non-constant value under the probe (for Shape nodes). */
  private shapeOf(v: Val, node: OnnxNode): number[] {
    if (v.kind === 'dyn' || v.kind === 'ids' || v.kind === 'idsmask') return v.shape;
    throw new UnsupportedModelError(where(node), 'needs the shape of a value fused-rnn does not track');
  }

  private unsupported(node: OnnxNode, what = 'operator is not supported on the data path (between the input and the output)'): never {
    throw new UnsupportedModelError(where(node), what);
  }

  private dynamic(node: OnnxNode, ins: Array<Val | null>): Array<Val | null> {
    const x = ins[0];
    const c = (i: number): ConstTensor | null => { const v = ins[i]; return v && v.kind === 'const' ? v.t : null; };
    switch (node.opType) {
      case 'Shape': {
        const s = this.shapeOf(x!, node);
        const r = s.length;
        let a = attr<number>(node, 'start', 0), b = attr<number>(node, 'end', r);
        if (a < 0) a += r;
        if (b < 0) b += r;
        const d = s.slice(Math.max(0, a), Math.min(r, b));
        return [{ kind: 'const', t: { dims: [d.length], data: Float64Array.from(d), dataType: DataType.INT64 } }];
      }
      case 'Identity':
      case 'Dropout':
        return [x, null];
      case 'Cast':
        if (x!.kind === 'dyn' && ![DataType.FLOAT, DataType.DOUBLE, DataType.FLOAT16].includes(attr<number>(node, 'to', 1) as 1)) this.unsupported(node, 'casts float features to integers');
        return [x];
      case 'Equal':
      case 'Greater':
      case 'Not':
        return [maskOps(node, ins)];
      case 'ReduceSum': {
        if (x!.kind !== 'idsmask' || !x!.nonzero) this.unsupported(node);
        const axes = node.inputs.length > 1 && c(1) ? Array.from(c(1)!.data) : attr<number[]>(node, 'axes', []);
        if (axes.length !== 1 || (axes[0] !== 1 && axes[0] !== -1) || attr<number>(node, 'keepdims', 1) !== 0) this.unsupported(node, 'sums the id mask over something other than time (axis 1, keepdims=0)');
        return [{ kind: 'lens' }];
      }
      case 'Gather':
        return [this.gather(node, ins)];
      case 'Transpose': {
        const v = asDyn(x, node);
        const perm = attr<number[]>(node, 'perm', v.tags.map((_, i) => v.tags.length - 1 - i));
        return [{ ...v, tags: perm.map((p) => v.tags[p]), shape: perm.map((p) => v.shape[p]) }];
      }
      case 'Reshape':
        return [reshapeDyn(node, asDyn(x, node), reshapeDims(asDyn(x, node).shape, Array.from(need(c(1), node, 'shape').data), attr<number>(node, 'allowzero', 0) === 1, node))];
      case 'Squeeze': {
        const v = asDyn(x, node);
        const axesIn = node.inputs.length > 1 && c(1) ? Array.from(c(1)!.data) : attr<number[] | null>(node, 'axes', null);
        const axes = (axesIn ?? v.shape.map((d, i) => (d === 1 ? i : -1)).filter((i) => i >= 0)).map((a) => (a < 0 ? a + v.tags.length : a));
        let out = v;
        for (const a of axes.sort((p, q) => q - p)) out = dropUnitAxis(out, a, node);
        return [out];
      }
      case 'Unsqueeze': {
        const v = asDyn(x, node);
        const axesIn = node.inputs.length > 1 && c(1) ? Array.from(c(1)!.data) : attr<number[]>(node, 'axes', []);
        const rank = v.tags.length + axesIn.length;
        const tags = v.tags.slice(), shape = v.shape.slice();
        for (const a of axesIn.map((q) => (q < 0 ? q + rank : q)).sort((p, q) => p - q)) { tags.splice(a, 0, '1'); shape.splice(a, 0, 1); }
        return [{ ...v, tags, shape }];
      }
      case 'Slice':
        return [sliceDyn(this.stack, node, asDyn(x, node), ins)];
      case 'Concat':
        return [concatDyn(node, ins)];
      case 'LSTM':
      case 'GRU':
      case 'RNN':
        return this.recurrent(node, ins);
      case 'MatMul':
      case 'Gemm':
        return [this.dense(node, ins)];
      case 'Add':
        return [this.addBias(node, ins)];
      case 'Sigmoid':
      case 'Tanh':
      case 'Relu':
      case 'Softmax':
      case 'HardSigmoid':
        return [this.activation(node, asDyn(x, node))];
      default:
        return this.unsupported(node);
    }
  }

  private gather(node: OnnxNode, ins: Array<Val | null>): Val {
    const [data, index] = ins;
    const axisRaw = attr<number>(node, 'axis', 0);
    if (data?.kind === 'const' && index?.kind === 'ids') {
      if (axisRaw !== 0 || data.t.dims.length !== 2) this.unsupported(node, 'an embedding lookup must gather rows (axis 0) of a 2-D table');
      if (this.stack.length !== 1) this.unsupported(node, 'an embedding lookup is only supported as the first layer');
      this.stack.push({ kind: 'embedding', node, table: constTensor(data.t), maskZero: false });
      const E = data.t.dims[1];
      return { kind: 'dyn', tags: [...index.tags, 'F'], shape: [...index.shape, E], list: null, feat: [{ src: this.stack.length - 1, dir: 0 }] };
    }
    const v = asDyn(data, node);
    const idx = index?.kind === 'const' ? index.t : null;
    if (!idx) this.unsupported(node, 'gathers with indices computed from the data');
    const axis = axisRaw < 0 ? axisRaw + v.tags.length : axisRaw;
    const tag = v.tags[axis];
    const n = v.shape[axis];
    const picks = Array.from(idx.data, (i) => (i < 0 ? i + n : i));
    if (tag === 'L') {
      const list = picks.map((i) => v.list![i]);
      if (idx.dims.length === 0) {
        const tags = v.tags.filter((_, i) => i !== axis), shape = v.shape.filter((_, i) => i !== axis);
        return { kind: 'dyn', tags, shape, list: null, feat: list };
      }
      const shape = v.shape.slice(); shape[axis] = list.length;
      return { ...v, shape, list };
    }
    if (tag === 'T' && idx.dims.length === 0 && picks[0] === n - 1) return lastStep(this.stack, node, v, axis);
    return this.unsupported(node, `gathers along the ${tag} axis (only direction/layer picks of states, or the last time step of a forward layer, are supported)`);
  }

  /** Checks that v is the complete output of the top layer (what a Sequential stack passes on). */
  private commit(v: Dyn, consumer: string): void {
    const top = this.stack.length - 1;
    const e = this.stack[top];
    if (v.list) throw new UnsupportedModelError(consumer, 'reads per-direction states as a separate axis; fused-rnn passes (batch, [time,] features) between layers');
    const parts = v.feat ?? [];
    const same = (want: Part[]) => parts.length === want.length && parts.every((p, i) => p.src === want[i].src && p.dir === want[i].dir && !p.cell);
    if (parts.some((p) => p.src !== top)) {
      throw new UnsupportedModelError(consumer, 'reads the output of a layer below the previous one (skip connections need the functional API)');
    }
    if (e.kind !== 'rnn') {
      if (!same([{ src: top, dir: 0 }])) throw new UnsupportedModelError(consumer, 'reads part of the previous layer\'s features');
      return;
    }
    const all = Array.from({ length: e.dirs }, (_, d) => ({ src: top, dir: d }));
    if (!same(all)) {
      throw new UnsupportedModelError(consumer, `reads ${parts.map((p) => (p.cell ? 'the cell state' : p.dir ? 'the backward half' : 'the forward half')).join(' + ')} of ${where(e.node)}; a fused-rnn layer passes on ${e.dirs === 2 ? 'both directions concatenated [forward | backward]' : 'its output'}`);
    }
    const seq = v.tags.includes('T');
    if (seq && e.reverse) throw new UnsupportedModelError(consumer, `reads the sequence output of the reverse-direction ${where(e.node)} (time order differs from Keras go_backwards); only its final state is supported`);
    if (e.returnSequences !== undefined && e.returnSequences !== seq) {
      throw new UnsupportedModelError(consumer, `uses both the sequence and the final state of ${where(e.node)}`);
    }
    e.returnSequences = seq;
  }

  private recurrent(node: OnnxNode, ins: Array<Val | null>): Array<Val | null> {
    const [x, Wv, Rv, Bv, lensV, h0, c0, P] = ins;
    const X = asDyn(x, node);
    const layout = attr<number>(node, 'layout', 0);
    const want = layout === 0 ? 'T,B,F' : 'B,T,F';
    if (X.tags.join() !== want) this.unsupported(node, `input X has axes (${X.tags.join(', ')}), layout ${layout} needs (${want})`);
    this.commit(X, where(node));
    const W = need(Wv?.kind === 'const' ? Wv.t : null, node, 'W');
    const R = need(Rv?.kind === 'const' ? Rv.t : null, node, 'R');
    const B = Bv?.kind === 'const' ? Bv.t : null;
    if (Bv && Bv.kind !== 'const') this.unsupported(node, 'B must be a constant');
    for (const [name, s] of [['initial_h', h0], ['initial_c', c0], ['P (peepholes)', P]] as const) {
      if (!s) continue;
      if (s.kind !== 'const' || s.t.data.some((q) => q !== 0)) this.unsupported(node, `${name} must be absent or zeros (fused-rnn layers start from a zero state)`);
    }
    let masked = false;
    if (lensV) {
      if (lensV.kind !== 'lens') this.unsupported(node, 'sequence_lens must be computed from the ids (count of non-zero ids = mask_zero); other lengths are not supported');
      masked = true;
    }
    const H = attr<number>(node, 'hidden_size', 0);
    const direction = attr<string>(node, 'direction', 'forward');
    const dirs = direction === 'bidirectional' ? 2 : 1;
    if (!['forward', 'reverse', 'bidirectional'].includes(direction)) this.unsupported(node, `direction "${direction}"`);
    if (node.attributes.some((a) => a.name === 'clip')) this.unsupported(node, 'cell clipping (clip) is not supported');
    if (attr<number>(node, 'input_forget', 0) !== 0) this.unsupported(node, 'input_forget = 1 is not supported');
    const cell = node.opType as 'LSTM' | 'GRU' | 'RNN';
    const nActs = cell === 'LSTM' ? 3 : cell === 'GRU' ? 2 : 1;
    const defaults = cell === 'LSTM' ? ['Sigmoid', 'Tanh', 'Tanh'] : cell === 'GRU' ? ['Sigmoid', 'Tanh'] : ['Tanh'];
    const names = attr<string[]>(node, 'activations', [...defaults, ...(dirs === 2 ? defaults : [])]);
    const alphas = attr<number[]>(node, 'activation_alpha', []), betas = attr<number[]>(node, 'activation_beta', []);
    const acts = names.map((nm, i) => activationOf(nm, alphas[i], betas[i]) ?? this.unsupported(node, `activation ${nm}${alphas[i] !== undefined ? ` (alpha ${alphas[i]}, beta ${betas[i]})` : ''} is not supported`));
    if (dirs === 2 && acts.slice(0, nActs).join() !== acts.slice(nActs).join()) this.unsupported(node, 'different activations per direction are not supported');
    let recurrentActivation = 'sigmoid', activation = acts[0];
    if (cell === 'LSTM') {
      recurrentActivation = acts[0]; activation = acts[1];
      if (acts[1] !== acts[2]) this.unsupported(node, `cell activation ${names[1]} and output activation ${names[2]} differ (Keras uses one activation for both)`);
    } else if (cell === 'GRU') {
      recurrentActivation = acts[0]; activation = acts[1];
    }
    if (!['sigmoid', 'hard_sigmoid', 'hard_sigmoid_tfjs'].includes(recurrentActivation)) this.unsupported(node, `gate activation ${recurrentActivation} is not supported`);
    const resetAfter = cell === 'GRU' && attr<number>(node, 'linear_before_reset', 0) === 1;
    const G = cell === 'LSTM' ? 4 : cell === 'GRU' ? 3 : 1;
    const D = X.shape[2];
    if (W.dims.join() !== [dirs, G * H, D].join() || R.dims.join() !== [dirs, G * H, H].join() || (B && B.dims.join() !== [dirs, 2 * G * H].join())) {
      throw new ModelFileError(`${where(node)} weights`, `W (${W.dims}), R (${R.dims}), B (${B?.dims ?? 'none'}) do not fit hidden_size ${H}, input width ${D}, ${dirs} direction(s)`);
    }
    const weights = onnxToKeras(cell, W, R, B, dirs, H, D, resetAfter);
    this.stack.push({ kind: 'rnn', node, cell, H, dirs, reverse: direction === 'reverse', activation, recurrentActivation, resetAfter, weights, masked });
    const src = this.stack.length - 1;
    const list = Array.from({ length: dirs }, (_, d) => ({ src, dir: d }));
    const { B: Bp, T: Tp } = { B: X.shape[layout === 0 ? 1 : 0], T: X.shape[layout === 0 ? 0 : 1] };
    const Y: Dyn = layout === 0
      ? { kind: 'dyn', tags: ['T', 'L', 'B', 'F'], shape: [Tp, dirs, Bp, H], list, feat: null }
      : { kind: 'dyn', tags: ['B', 'T', 'L', 'F'], shape: [Bp, Tp, dirs, H], list, feat: null };
    const Yh: Dyn = layout === 0
      ? { kind: 'dyn', tags: ['L', 'B', 'F'], shape: [dirs, Bp, H], list, feat: null }
      : { kind: 'dyn', tags: ['B', 'L', 'F'], shape: [Bp, dirs, H], list, feat: null };
    const Yc: Dyn = { ...Yh, list: list.map((p) => ({ ...p, cell: true })) };
    // Y_h of a forward layer equals Y at the last step; a masked Y_h is the state at the last valid step.
    return [Y, Yh, Yc];
  }

  private dense(node: OnnxNode, ins: Array<Val | null>): Dyn {
    const [a, b, cBias] = ins;
    const X = asDyn(a, node);
    const Wt = need(b?.kind === 'const' ? b.t : null, node, 'the weight matrix');
    if (X.tags[X.tags.length - 1] !== 'F') this.unsupported(node, 'multiplies along an axis other than the features');
    if (Wt.dims.length !== 2) this.unsupported(node, `weight of rank ${Wt.dims.length}`);
    this.commit(X, where(node));
    let kernel = constTensor(Wt);
    let bias: Float32Array | null = null;
    if (node.opType === 'Gemm') {
      if (attr<number>(node, 'transA', 0) !== 0) this.unsupported(node, 'transA = 1');
      if (X.tags.length !== 2) this.unsupported(node, 'Gemm on a sequence');
      if (attr<number>(node, 'transB', 0) === 1) kernel = transpose2d(kernel);
      const alpha = attr<number>(node, 'alpha', 1), beta = attr<number>(node, 'beta', 1);
      if (alpha !== 1) kernel.data = kernel.data.map((q) => q * alpha);
      if (cBias) {
        const C = need(cBias.kind === 'const' ? cBias.t : null, node, 'C');
        const N = kernel.shape[1];
        if (C.data.length !== N && C.data.length !== 1) this.unsupported(node, `bias C of shape (${C.dims}) for ${N} units`);
        bias = Float32Array.from({ length: N }, (_, i) => beta * C.data[C.data.length === 1 ? 0 : i]);
      }
    }
    if (kernel.shape[0] !== X.shape[X.shape.length - 1]) throw new ModelFileError(`${where(node)} weight`, `has shape (${kernel.shape}), input has ${X.shape[X.shape.length - 1]} features`);
    this.stack.push({ kind: 'dense', node, kernel, bias, activation: 'linear' });
    const shape = X.shape.slice(); shape[shape.length - 1] = kernel.shape[1];
    return { kind: 'dyn', tags: X.tags, shape, list: null, feat: [{ src: this.stack.length - 1, dir: 0 }] };
  }

  /** The top dense layer, when v is exactly its output; else null. */
  private topDense(v: Dyn): Extract<Entry, { kind: 'dense' }> | null {
    const top = this.stack.length - 1, e = this.stack[top];
    return e.kind === 'dense' && v.feat?.length === 1 && v.feat[0].src === top ? e : null;
  }

  private addBias(node: OnnxNode, ins: Array<Val | null>): Dyn {
    const [a, b] = ins;
    const v = a?.kind === 'dyn' ? a : b?.kind === 'dyn' ? b : null;
    const k = a?.kind === 'const' ? a.t : b?.kind === 'const' ? b.t : null;
    if (!v || !k) this.unsupported(node, 'adds two data-path values (residual connections need the functional API)');
    const e = this.topDense(v);
    if (!e || e.bias || e.activation !== 'linear') this.unsupported(node, 'adds a constant that is not the bias of a MatMul');
    const N = e.kernel.shape[1];
    if (k.data.length !== N || k.dims[k.dims.length - 1] !== N) this.unsupported(node, `bias of shape (${k.dims}) for ${N} units`);
    e.bias = Float32Array.from(k.data);
    return v;
  }

  private activation(node: OnnxNode, v: Dyn): Dyn {
    const e = this.topDense(v);
    if (!e || e.activation !== 'linear') this.unsupported(node, 'an activation is supported right after a MatMul/Gemm (as a Dense activation)');
    if (node.opType === 'Softmax') {
      const axis = attr<number>(node, 'axis', -1);
      if (axis !== -1 && axis !== v.tags.length - 1) this.unsupported(node, `softmax over axis ${axis}, not the features`);
      e.activation = 'softmax';
    } else if (node.opType === 'HardSigmoid') {
      // alpha 1/6 → Keras 3's hard_sigmoid; alpha 0.2 (ONNX's default) → TF.js / Keras 2's hard_sigmoid_tfjs.
      const act = activationOf('HardSigmoid', attr<number | undefined>(node, 'alpha', undefined), attr<number | undefined>(node, 'beta', undefined));
      if (!act) this.unsupported(node, `HardSigmoid alpha ${attr(node, 'alpha', 0.2)} beta ${attr(node, 'beta', 0.5)} after a MatMul/Gemm: fused-rnn's Dense runs alpha 1/6 or 0.2 with beta 0.5 only`);
      e.activation = act;
    } else {
      e.activation = node.opType.toLowerCase();
    }
    return v;
  }

}

/** Reads an ONNX model into an import plan (the first graph output unless `output` names another). */
export async function planOnnx(bytes: Uint8Array, file: string, output?: string): Promise<ImportPlan> {
  const model = decodeModel(bytes, file);
  const opset = model.opsets.find((o) => o.domain === '' || o.domain === 'ai.onnx')?.version ?? 0;
  if (opset && opset < 7) throw new UnsupportedModelError(`ONNX model "${file}"`, `opset ${opset} is older than 7`);
  const name = output ?? model.graph.outputs[0]?.name;
  if (!name) throw new ModelFileError(file, 'the ONNX graph has no outputs');
  return new GraphImporter(model.graph, file, name).run();
}
