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
//   RNN, MatMul/Gemm, Add/Mul/Sum/Mean of two data-path values, Expand/Tile of a unit time axis) first checks
//   that the value is exactly the full output of an earlier layer (graph-commit.ts), which also decides
//   return_sequences / return_state of a recurrent layer; feature Concats of several layers become
//   Concatenate layers. Several data inputs and outputs, branches and merges give a functional Model
//   (graph-plan.ts); one chain gives a Sequential.
// Anything else on the data path is an UnsupportedModelError naming the node.
import type { ImportPlan } from '../assemble.js';
import { FusedRnnError } from '../../index.js';
import { ModelFileError, UnsupportedModelError } from '../errors.js';
import { transpose2d } from '../tensor.js';
import { concatDyn, dropUnitAxis, lastStep, partWidth, reshapeDyn, sliceDyn } from './graph-axes.js';
import { commitValue, outputOf } from './graph-commit.js';
import { entriesToPlan } from './graph-plan.js';
import { activationOf, asDyn, constTensor, maskOps, need, neededNodes, where, type Dyn, type Entry, type Ref, type Val } from './graph-values.js';
import { DataType, decodeModel, type OnnxGraph, type OnnxNode } from './proto.js';
import { maskingOp } from './masking-ops.js';
import { recurrentNode } from './recurrent-node.js';
import { attr, evalStatic, reshapeDims, type ConstTensor } from './static-ops.js';

class GraphImporter {
  private vals = new Map<string, Val>();
  private stack: Entry[] = [];
  private memo = new Map<string, Ref>();
  // Probe batch size and lengths for shape-only values: primes unlikely to equal a feature width (a Reshape is
  // followed by matching dimension products); each input gets its own length.
  private probeB = 101;

  constructor(private readonly graph: OnnxGraph, private readonly file: string, private readonly outputNames: string[]) {}

  run(): ImportPlan {
    const g = this.graph;
    for (const t of g.initializers) this.vals.set(t.name, { kind: 'const', t: { dims: t.dims.slice(), data: t.data, dataType: t.dataType } });
    const inits = new Set(g.initializers.map((t) => t.name));
    const dataInputs = g.inputs.filter((i) => !inits.has(i.name));
    if (dataInputs.length === 0) throw new UnsupportedModelError(`ONNX graph "${g.name}"`, 'has no data inputs');
    const fixed = (d: number | string | null) => (typeof d === 'number' && d > 0 ? d : null);
    const batch = dataInputs.map((i) => fixed(i.dims[0])).find((d) => d !== null);
    if (batch) this.probeB = batch;
    const probeT = [103, 107, 109, 113, 127, 131, 137, 139];
    dataInputs.forEach((input, k) => {
      const T = fixed(input.dims[1]) ?? probeT[k % probeT.length] + 32 * Math.floor(k / probeT.length);
      const isIds = input.elemType !== DataType.FLOAT && input.elemType !== DataType.DOUBLE && input.elemType !== DataType.FLOAT16;
      const src = this.stack.length;
      if (isIds) {
        if (input.dims.length !== 2) throw new UnsupportedModelError(`ONNX input "${input.name}"`, `integer input must be ids (batch, time), got rank ${input.dims.length}`);
        this.stack.push({ kind: 'input', name: input.name, width: 0, ids: true, time: fixed(input.dims[1]) });
        this.vals.set(input.name, { kind: 'ids', tags: ['B', 'T'], shape: [this.probeB, T], input: src });
      } else {
        if (input.dims.length !== 3 || typeof input.dims[2] !== 'number') throw new UnsupportedModelError(`ONNX input "${input.name}"`, 'float input must be (batch, time, features) with a fixed feature count');
        const D = input.dims[2];
        this.stack.push({ kind: 'input', name: input.name, width: D, ids: false, time: fixed(input.dims[1]) });
        this.vals.set(input.name, outputOf(src, ['B', 'T', 'F'], [this.probeB, T, D]));
      }
    });
    const needed = neededNodes(this.graph, this.outputNames, this.file);
    for (const node of g.nodes) if (needed.has(node)) this.visit(node);
    const outputs = this.outputNames.map((name) => {
      const out = this.vals.get(name);
      const here = `ONNX output "${name}"`;
      if (!out || out.kind !== 'dyn') throw new UnsupportedModelError(here, 'does not depend on the input');
      const okTags = (out.tags.join() === 'B,T,F') || (out.tags.join() === 'B,F');
      if (!okTags) throw new UnsupportedModelError(here, `has axes (${out.tags.join(', ')}); fused-rnn returns (batch, time, features) or (batch, features)`);
      return { name, ref: this.commit(out, here) };
    });
    return entriesToPlan(this.stack, outputs, this.graph.name);
  }

  private commit(v: Dyn, consumer: string): Ref {
    return commitValue(this.stack, this.memo, v, consumer);
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
      let out: ConstTensor[] | null;
      try {
        out = evalStatic(node, ins.map((v) => (v ? (v as { t: ConstTensor }).t : null)));
      } catch (e) {
        // A node with missing or inconsistent constant inputs (a damaged graph) is named, never a TypeError.
        if (e instanceof FusedRnnError) throw e;
        throw new ModelFileError(`${this.file}: ${where(node)}`, `cannot be evaluated on its constant inputs (${(e as Error).message})`);
      }
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
    if (ins.some((v) => v?.kind === 'fmask') || (node.opType === 'Equal' && ins.some((v) => v?.kind === 'dyn'))) {
      return [maskingOp(this.stack, this.memo, node, ins, (v, consumer) => this.commit(v, consumer), where(node))];
    }
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
        return [{ kind: 'lens', input: x!.input }];
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
        return recurrentNode(this.stack, node, ins, (v, consumer) => this.commit(v, consumer));
      case 'MatMul':
      case 'Gemm':
        return [this.dense(node, ins)];
      case 'Add':
      case 'Mul':
      case 'Div':
      case 'Sum':
      case 'Mean':
        return [this.elementwise(node, ins)];
      case 'Expand':
      case 'Tile':
        return [this.repeat(node, ins)];
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
      this.stack.push({ kind: 'embedding', node, table: constTensor(data.t), maskZero: false, input: { src: index.input, what: 'out' } });
      return outputOf(this.stack.length - 1, [...index.tags, 'F'], [...index.shape, data.t.dims[1]]);
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

  private dense(node: OnnxNode, ins: Array<Val | null>): Dyn {
    const [a, b, cBias] = ins;
    const X = asDyn(a, node);
    const Wt = need(b?.kind === 'const' ? b.t : null, node, 'the weight matrix');
    if (X.tags[X.tags.length - 1] !== 'F') this.unsupported(node, 'multiplies along an axis other than the features');
    if (Wt.dims.length !== 2) this.unsupported(node, `weight of rank ${Wt.dims.length}`);
    const input = this.commit(X, where(node));
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
    this.stack.push({ kind: 'dense', node, kernel, bias, activation: 'linear', input, ver: 0 });
    const shape = X.shape.slice(); shape[shape.length - 1] = kernel.shape[1];
    return outputOf(this.stack.length - 1, X.tags, shape, 0);
  }

  /** The dense entry when v is exactly its current output (bias/activation not yet set by another consumer); else null. */
  private denseOf(v: Dyn): Extract<Entry, { kind: 'dense' }> | null {
    const p = v.feat?.length === 1 && !v.list ? v.feat[0] : null;
    const e = p ? this.stack[p.src] : null;
    return e?.kind === 'dense' && p!.ver === e.ver ? e : null;
  }

  /** Add / Mul / Sum / Mean / Div: a Dense bias, or a merge of data-path values (Add, Multiply, Average). */
  private elementwise(node: OnnxNode, ins: Array<Val | null>): Dyn {
    const dyns = ins.filter((q): q is Dyn => q?.kind === 'dyn');
    const consts = ins.filter((q): q is { kind: 'const'; t: ConstTensor } => q?.kind === 'const');
    if (dyns.length + consts.length !== ins.length) this.unsupported(node, 'combines the data path with ids or masks');
    const op = node.opType;
    if (dyns.length === 1 && consts.length === 1) {
      const [v, k] = [dyns[0], consts[0].t];
      if (op === 'Add') return this.addBias(node, v, k);
      const merged = this.mergeOf(v);
      const n = merged?.op === 'Add' ? merged.inputs.length : 0;
      const scale = op === 'Mul' ? k.data[0] : op === 'Div' && ins[0] === v ? 1 / k.data[0] : NaN;
      // Average = the sum of its inputs scaled by 1/n (Mul by 1/n, or Div by n).
      if (n > 1 && k.data.length === 1 && Math.abs(scale * n - 1) < 1e-6) return this.merge(node, 'Average', merged!.inputs, v);
      this.unsupported(node, `${op === 'Mul' ? 'scales' : 'divides'} the data path by a constant other than 1 / (number of summed inputs) (an Average)`);
    }
    if (consts.length || dyns.length < 2 || (op !== 'Sum' && op !== 'Mean' && dyns.length !== 2) || op === 'Div') this.unsupported(node, 'combines data-path values other than as Add, Mul, Sum or Mean of equal shapes');
    if (!dyns.every((d) => d.tags.join() === dyns[0].tags.join() && d.shape.join() === dyns[0].shape.join())) this.unsupported(node, `combines values of different shapes (${dyns.map((d) => `(${d.shape.join(', ')})`).join(', ')}); broadcasting is not supported`);
    const refs = dyns.map((d) => this.commit(d, where(node)));
    if (op === 'Mul') return this.merge(node, 'Multiply', refs, dyns[0]);
    // Add chains (Add(Add(a, b), c), as exporters write a 3-way sum) become one Add of all the summands.
    const flat = refs.flatMap((r) => { const e = this.stack[r.src]; return e.kind === 'merge' && e.op === 'Add' && r.what === 'out' ? e.inputs : [r]; });
    return this.merge(node, op === 'Mean' ? 'Average' : 'Add', op === 'Mean' ? refs : flat, dyns[0]);
  }

  /** The merge entry v is exactly the output of, or null. */
  private mergeOf(v: Dyn): Extract<Entry, { kind: 'merge' }> | null {
    const p = v.feat?.length === 1 && !v.list ? v.feat[0] : null;
    const e = p ? this.stack[p.src] : null;
    return e?.kind === 'merge' ? e : null;
  }

  private merge(node: OnnxNode, op: 'Add' | 'Multiply' | 'Average', inputs: Ref[], like: Dyn): Dyn {
    const width = like.shape[like.shape.length - 1];
    this.stack.push({ kind: 'merge', source: where(node), op, inputs, width });
    return outputOf(this.stack.length - 1, like.tags, like.shape);
  }

  /** Expand / Tile of a (B, 1, F) value along its unit axis: RepeatVector(n). */
  private repeat(node: OnnxNode, ins: Array<Val | null>): Dyn {
    const v = asDyn(ins[0], node);
    const k = need(ins[1]?.kind === 'const' ? ins[1].t : null, node, node.opType === 'Tile' ? 'repeats' : 'shape');
    const target = Array.from(k.data);
    const rank = Math.max(v.shape.length, target.length);
    if (rank !== 3 || v.tags.join() !== 'B,1,F') this.unsupported(node, `repeats a value with axes (${v.tags.join(', ')}); only (batch, 1, features) → (batch, n, features) (RepeatVector) is supported`);
    const n = node.opType === 'Tile' ? target[1] : target[1];
    const others = node.opType === 'Tile' ? target[0] === 1 && target[2] === 1 : (target[0] === 1 || target[0] === v.shape[0]) && (target[2] === 1 || target[2] === v.shape[2]);
    if (!Number.isInteger(n) || n < 1 || n > 2 ** 24) throw new ModelFileError(`${this.file}: ${where(node)}`, `repeats ${n} times (damaged graph?)`);
    if (!others) this.unsupported(node, `${node.opType === 'Tile' ? 'repeats' : 'shape'} (${target.join(', ')}) repeats other axes than the unit time axis`);
    const input = this.commit({ ...v, tags: ['B', 'F'], shape: [v.shape[0], v.shape[2]] }, where(node));
    this.stack.push({ kind: 'repeat', node, n, input, width: v.shape[2] });
    return outputOf(this.stack.length - 1, ['B', 'T', 'F'], [v.shape[0], n, v.shape[2]]);
  }

  private addBias(node: OnnxNode, v: Dyn, k: ConstTensor): Dyn {
    const e = this.denseOf(v);
    if (!e || e.bias || e.activation !== 'linear') this.unsupported(node, 'adds a constant that is not the bias of a MatMul');
    const N = e.kernel.shape[1];
    if (k.data.length !== N || k.dims[k.dims.length - 1] !== N) this.unsupported(node, `bias of shape (${k.dims}) for ${N} units`);
    e.bias = Float32Array.from(k.data);
    return this.bump(e, v);
  }

  /** A Dense changed by bias/activation: values read before it name the old stage (graph-commit.ts refuses them). */
  private bump(e: Extract<Entry, { kind: 'dense' }>, v: Dyn): Dyn {
    e.ver++;
    return outputOf(v.feat![0].src, v.tags, v.shape, e.ver);
  }

  private activation(node: OnnxNode, v: Dyn): Dyn {
    const e = this.denseOf(v);
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
    return this.bump(e, v);
  }
}

/**
 * Reads an ONNX model into an import plan: every graph output, or the ones `output` names (one name or a
 * list, in that order).
 */
export async function planOnnx(bytes: Uint8Array, file: string, output?: string | string[]): Promise<ImportPlan> {
  const model = decodeModel(bytes, file);
  const opset = model.opsets.find((o) => o.domain === '' || o.domain === 'ai.onnx')?.version ?? 0;
  if (opset && opset < 7) throw new UnsupportedModelError(`ONNX model "${file}"`, `opset ${opset} is older than 7`);
  const names = output === undefined ? model.graph.outputs.map((o) => o.name) : typeof output === 'string' ? [output] : output;
  if (names.length === 0) throw new ModelFileError(file, 'the ONNX graph has no outputs');
  return new GraphImporter(model.graph, file, names).run();
}
