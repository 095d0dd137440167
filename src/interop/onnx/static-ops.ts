// Evaluation of the ONNX "plumbing" ops on constant tensors (initializers, Constant nodes, and shapes of the
// data path under a probe batch/length): Shape, Gather, Slice, Concat, (Un)Squeeze, Reshape, Transpose,
// Cast, Expand, ConstantOfShape, Range, elementwise arithmetic and comparisons with broadcasting.
// Semantics: https://onnx.ai/onnx/operators/ (numpy-style broadcasting, negative axes count from the end).
import { ModelFileError, UnsupportedModelError } from '../errors.js';
import { DataType, type OnnxNode } from './proto.js';

/** A constant tensor during evaluation (integers held exactly in Float64Array). */
export interface ConstTensor {
  dims: number[];
  data: Float32Array | Float64Array;
  dataType: number;
}

const size = (dims: readonly number[]) => dims.reduce((a, b) => a * b, 1);

/** A shape a node computes (Expand, ConstantOfShape, Range), checked before anything is allocated. */
function checkedShape(dims: number[], node: OnnxNode): number[] {
  if (!dims.every((d) => Number.isInteger(d) && d >= 0) || size(dims) > 2 ** 28) {
    throw new ModelFileError(`ONNX ${node.opType} "${node.name}"`, `computes the shape (${dims.join(', ')}): not a shape of at most 2^28 elements (damaged graph?)`);
  }
  return dims;
}
const isFloat = (dt: number) => dt === DataType.FLOAT || dt === DataType.DOUBLE || dt === DataType.FLOAT16;

function make(dims: number[], dataType: number, values?: ArrayLike<number>): ConstTensor {
  const n = size(dims);
  const data = isFloat(dataType) ? new Float32Array(n) : new Float64Array(n);
  if (values) data.set(values);
  return { dims, data, dataType };
}

/** Row-major strides of dims. */
function strides(dims: readonly number[]): number[] {
  const s = new Array<number>(dims.length);
  let acc = 1;
  for (let i = dims.length - 1; i >= 0; i--) { s[i] = acc; acc *= dims[i]; }
  return s;
}

function normAxis(axis: number, rank: number, node: OnnxNode): number {
  const a = axis < 0 ? axis + rank : axis;
  if (a < 0 || a >= Math.max(rank, 1)) throw new UnsupportedModelError(`ONNX ${node.opType} "${node.name}"`, `axis ${axis} out of range for rank ${rank}`);
  return a;
}

/** Attribute value by name (int, float, ints, string, tensor), or the fallback. */
export function attr<T>(node: OnnxNode, name: string, fallback: T): T {
  const a = node.attributes.find((x) => x.name === name);
  if (!a) return fallback;
  return (a.ints ?? a.floats ?? a.strings ?? a.i ?? a.f ?? a.s ?? a.t ?? fallback) as T;
}

function broadcast(a: ConstTensor, b: ConstTensor, node: OnnxNode, f: (x: number, y: number) => number, outType: number): ConstTensor {
  const rank = Math.max(a.dims.length, b.dims.length);
  const pad = (d: number[]) => [...new Array(rank - d.length).fill(1), ...d];
  const da = pad(a.dims), db = pad(b.dims);
  const dims = da.map((x, i) => {
    if (x !== db[i] && x !== 1 && db[i] !== 1) throw new UnsupportedModelError(`ONNX ${node.opType} "${node.name}"`, `shapes (${a.dims}) and (${b.dims}) do not broadcast`);
    return Math.max(x, db[i]);
  });
  const out = make(dims, outType);
  const sa = strides(da), sb = strides(db), so = strides(dims);
  for (let i = 0; i < out.data.length; i++) {
    let ia = 0, ib = 0, r = i;
    for (let k = 0; k < rank; k++) {
      const c = Math.floor(r / so[k]);
      r -= c * so[k];
      if (da[k] !== 1) ia += c * sa[k];
      if (db[k] !== 1) ib += c * sb[k];
    }
    out.data[i] = f(a.data[ia], b.data[ib]);
  }
  return out;
}

/** Generic gather of `index` positions along `axis` (used by Gather, Slice, Transpose helpers). */
function take(t: ConstTensor, axis: number, index: number[]): ConstTensor {
  const dims = t.dims.slice();
  dims[axis] = index.length;
  const out = make(dims, t.dataType);
  const outer = size(t.dims.slice(0, axis)), inner = size(t.dims.slice(axis + 1)), n = t.dims[axis];
  for (let o = 0; o < outer; o++) {
    for (let j = 0; j < index.length; j++) {
      const src = (o * n + index[j]) * inner, dst = (o * index.length + j) * inner;
      for (let k = 0; k < inner; k++) out.data[dst + k] = t.data[src + k];
    }
  }
  return out;
}

/** Transpose by perm. */
export function transposeConst(t: ConstTensor, perm: number[]): ConstTensor {
  const dims = perm.map((p) => t.dims[p]);
  const out = make(dims, t.dataType);
  const si = strides(t.dims), so = strides(dims);
  for (let i = 0; i < out.data.length; i++) {
    let r = i, src = 0;
    for (let k = 0; k < dims.length; k++) {
      const c = Math.floor(r / so[k]);
      r -= c * so[k];
      src += c * si[perm[k]];
    }
    out.data[i] = t.data[src];
  }
  return out;
}

/** Normalises Slice parameters along one axis of length n → the selected indices. */
export function sliceIndices(n: number, start: number, end: number, step: number): number[] {
  const clamp = (v: number, lo: number, hi: number) => Math.min(Math.max(v, lo), hi);
  let s = start < 0 ? start + n : start, e = end < 0 ? end + n : end;
  const out: number[] = [];
  if (step > 0) {
    s = clamp(s, 0, n); e = clamp(e, 0, n);
    for (let i = s; i < e; i += step) out.push(i);
  } else {
    s = clamp(s, -1, n - 1); e = clamp(e, -1, n - 1);
    for (let i = s; i > e; i += step) out.push(i);
  }
  return out;
}

/** Reads Slice's starts/ends/axes/steps (inputs since opset 10, attributes before). */
export function sliceParams(node: OnnxNode, inputs: Array<ConstTensor | null>, rank: number): Array<{ axis: number; start: number; end: number; step: number }> {
  const fromInputs = node.inputs.length > 1;
  const list = (i: number, name: string): number[] | null => (fromInputs ? (inputs[i] ? Array.from(inputs[i]!.data) : null) : attr<number[] | null>(node, name, null));
  const starts = list(1, 'starts'), ends = list(2, 'ends');
  if (!starts || !ends) throw new UnsupportedModelError(`ONNX Slice "${node.name}"`, 'starts/ends must be constants');
  const axes = list(3, 'axes') ?? starts.map((_, i) => i);
  const steps = list(4, 'steps') ?? starts.map(() => 1);
  return starts.map((s, i) => ({ axis: normAxis(axes[i], rank, node), start: s, end: ends[i], step: steps[i] }));
}

/** Resolves a Reshape target (0 = copy the input dim unless allowzero, -1 = infer). */
export function reshapeDims(inDims: number[], spec: number[], allowZero: boolean, node: OnnxNode): number[] {
  const dims = spec.map((d, i) => (d === 0 && !allowZero ? inDims[i] : d));
  const known = dims.filter((d) => d !== -1).reduce((a, b) => a * b, 1);
  const total = size(inDims);
  const out = dims.map((d) => (d === -1 ? total / known : d));
  if (size(out) !== total || out.some((d) => !Number.isInteger(d))) {
    throw new UnsupportedModelError(`ONNX Reshape "${node.name}"`, `cannot reshape (${inDims.join(', ')}) to (${spec.join(', ')})`);
  }
  return out;
}

/** Evaluates one node whose inputs are all constant; null when the op is not a plumbing op. */
export function evalStatic(node: OnnxNode, ins: Array<ConstTensor | null>): ConstTensor[] | null {
  const x = ins[0]!;
  const where = `ONNX ${node.opType} "${node.name}"`;
  switch (node.opType) {
    case 'Identity':
    case 'Dropout':
      return [x];
    case 'Constant': {
      const t = attr<{ dims: number[]; data: Float32Array | Float64Array; dataType: number } | null>(node, 'value', null);
      if (t && typeof t === 'object' && 'dims' in t) return [{ dims: t.dims.slice(), data: t.data, dataType: t.dataType }];
      const f = node.attributes.find((a) => a.name === 'value_float' || a.name === 'value_int' || a.name === 'value_floats' || a.name === 'value_ints');
      if (!f) throw new UnsupportedModelError(where, 'Constant without a supported value attribute');
      if (f.name === 'value_float') return [make([], DataType.FLOAT, [f.f!])];
      if (f.name === 'value_int') return [make([], DataType.INT64, [f.i!])];
      if (f.name === 'value_floats') return [make([f.floats!.length], DataType.FLOAT, f.floats!)];
      return [make([f.ints!.length], DataType.INT64, f.ints!)];
    }
    case 'Shape': {
      const r = x.dims.length;
      let s = attr<number>(node, 'start', 0), e = attr<number>(node, 'end', r);
      if (s < 0) s += r;
      if (e < 0) e += r;
      s = Math.min(Math.max(s, 0), r); e = Math.min(Math.max(e, 0), r);
      const d = x.dims.slice(s, e);
      return [make([d.length], DataType.INT64, d)];
    }
    case 'Size':
      return [make([], DataType.INT64, [size(x.dims)])];
    case 'Cast': {
      const to = attr<number>(node, 'to', DataType.FLOAT);
      const out = make(x.dims.slice(), to);
      for (let i = 0; i < out.data.length; i++) out.data[i] = isFloat(to) ? x.data[i] : to === DataType.BOOL ? (x.data[i] !== 0 ? 1 : 0) : Math.trunc(x.data[i]);
      return [out];
    }
    case 'Gather': {
      const axis = normAxis(attr<number>(node, 'axis', 0), x.dims.length, node);
      const idx = ins[1]!;
      const n = x.dims[axis];
      const index = Array.from(idx.data, (v) => (v < 0 ? v + n : v));
      const t = take(x, axis, index);
      return [{ ...t, dims: [...x.dims.slice(0, axis), ...idx.dims, ...x.dims.slice(axis + 1)] }];
    }
    case 'Slice': {
      let t = x;
      for (const p of sliceParams(node, ins, x.dims.length)) t = take(t, p.axis, sliceIndices(t.dims[p.axis], p.start, p.end, p.step));
      return [t];
    }
    case 'Concat': {
      const parts = ins.filter((t): t is ConstTensor => t !== null);
      const axis = normAxis(attr<number>(node, 'axis', 0), parts[0].dims.length, node);
      const dims = parts[0].dims.slice();
      dims[axis] = parts.reduce((a, t) => a + t.dims[axis], 0);
      const out = make(dims, parts[0].dataType);
      const outer = size(dims.slice(0, axis)), inner = size(dims.slice(axis + 1));
      let off = 0;
      for (const t of parts) {
        const w = t.dims[axis] * inner;
        for (let o = 0; o < outer; o++) out.data.set(t.data.subarray(o * w, (o + 1) * w), o * dims[axis] * inner + off);
        off += w;
      }
      return [out];
    }
    case 'Unsqueeze': {
      const axes = node.inputs.length > 1 ? Array.from(ins[1]!.data) : attr<number[]>(node, 'axes', []);
      const rank = x.dims.length + axes.length;
      const norm = axes.map((a) => (a < 0 ? a + rank : a)).sort((a, b) => a - b);
      const dims = x.dims.slice();
      for (const a of norm) dims.splice(a, 0, 1);
      return [{ ...x, dims }];
    }
    case 'Squeeze': {
      const axesIn = node.inputs.length > 1 && ins[1] ? Array.from(ins[1].data) : attr<number[] | null>(node, 'axes', null);
      const axes = axesIn ? axesIn.map((a) => normAxis(a, x.dims.length, node)) : x.dims.map((d, i) => (d === 1 ? i : -1)).filter((i) => i >= 0);
      return [{ ...x, dims: x.dims.filter((_, i) => !axes.includes(i)) }];
    }
    case 'Reshape':
      return [{ ...x, dims: reshapeDims(x.dims, Array.from(ins[1]!.data), attr<number>(node, 'allowzero', 0) === 1, node) }];
    case 'Flatten': {
      const axis = normAxis(attr<number>(node, 'axis', 1), x.dims.length + 1, node);
      return [{ ...x, dims: [size(x.dims.slice(0, axis)), size(x.dims.slice(axis))] }];
    }
    case 'Transpose':
      return [transposeConst(x, attr<number[]>(node, 'perm', x.dims.map((_, i) => x.dims.length - 1 - i)))];
    case 'Expand': {
      const shape = checkedShape(Array.from(ins[1]!.data), node);
      return [broadcast(x, make(shape, x.dataType, new Array(size(shape)).fill(0)), node, (a) => a, x.dataType)];
    }
    case 'ConstantOfShape': {
      const v = attr<ConstTensor | null>(node, 'value', null);
      const dims = checkedShape(Array.from(x.data), node);
      const out = make(dims, v ? v.dataType : DataType.FLOAT);
      out.data.fill(v ? v.data[0] : 0);
      return [out];
    }
    case 'Range': {
      const [s, l, d] = [ins[0]!.data[0], ins[1]!.data[0], ins[2]!.data[0]];
      const n = checkedShape([Math.max(Math.ceil((l - s) / d), 0)], node)[0];
      return [make([n], x.dataType, Array.from({ length: n }, (_, i) => s + i * d))];
    }
    case 'Add': return [broadcast(x, ins[1]!, node, (a, b) => a + b, x.dataType)];
    case 'Sub': return [broadcast(x, ins[1]!, node, (a, b) => a - b, x.dataType)];
    case 'Mul': return [broadcast(x, ins[1]!, node, (a, b) => a * b, x.dataType)];
    case 'Div': return [broadcast(x, ins[1]!, node, (a, b) => (isFloat(x.dataType) ? a / b : Math.trunc(a / b)), x.dataType)];
    case 'Equal': return [broadcast(x, ins[1]!, node, (a, b) => (a === b ? 1 : 0), DataType.BOOL)];
    case 'Less': return [broadcast(x, ins[1]!, node, (a, b) => (a < b ? 1 : 0), DataType.BOOL)];
    case 'Greater': return [broadcast(x, ins[1]!, node, (a, b) => (a > b ? 1 : 0), DataType.BOOL)];
    case 'Max': return [broadcast(x, ins[1]!, node, Math.max, x.dataType)];
    case 'Min': return [broadcast(x, ins[1]!, node, Math.min, x.dataType)];
    case 'Not': { const o = make(x.dims.slice(), DataType.BOOL); for (let i = 0; i < o.data.length; i++) o.data[i] = x.data[i] ? 0 : 1; return [o]; }
    case 'Neg': { const o = make(x.dims.slice(), x.dataType); for (let i = 0; i < o.data.length; i++) o.data[i] = -x.data[i]; return [o]; }
    case 'Where': {
      const c = x, a = ins[1]!, b = ins[2]!;
      const ab = broadcast(a, b, node, (p) => p, a.dataType);
      const cc = broadcast(c, ab, node, (p) => p, DataType.BOOL);
      const aa = broadcast(a, cc, node, (p) => p, a.dataType), bb = broadcast(b, cc, node, (p) => p, a.dataType);
      const o = make(cc.dims.slice(), a.dataType);
      for (let i = 0; i < o.data.length; i++) o.data[i] = cc.data[i] ? aa.data[i] : bb.data[i];
      return [o];
    }
    case 'ReduceProd':
    case 'ReduceSum': {
      const axesIn = node.inputs.length > 1 && ins[1] ? Array.from(ins[1].data) : attr<number[] | null>(node, 'axes', null);
      if (axesIn && axesIn.length !== 1 || x.dims.length !== 1) return null;
      const v = Array.from(x.data).reduce((p, q) => (node.opType === 'ReduceSum' ? p + q : p * q), node.opType === 'ReduceSum' ? 0 : 1);
      return [make(attr<number>(node, 'keepdims', 1) ? [1] : [], x.dataType, [v])];
    }
    default:
      return null;
  }
}
