// ONNX graphs in the styles other exporters write (tf2onnx: int32 ids, Cast, shape-computed zero states,
// Squeeze of Y_h, MatMul + Add + Sigmoid; TorchScript export: Transpose/Reshape plumbing from Shape slices,
// Gemm transB; time-distributed MatMul + Softmax; GRU linear_before_reset 0/1; RNN Relu, reverse;
// last-step Gather), built here with random weights and run by onnxruntime-web as the oracle: the imported
// fused-rnn model must predict within 1e-5 of onnxruntime. Unsupported graphs name the node.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as ort from 'onnxruntime-web';
import { loadKernels, type Kernels, type Model, type Prediction } from '../src/index.js';
import { ModelFileError, UnsupportedModelError, importDetailed } from '../src/interop/index.js';
import { DataType, encodeModel, type OnnxAttribute, type OnnxNode, type OnnxTensor } from '../src/interop/onnx/proto.js';
import { closeReport } from './helpers/check-close.js';
import { rejectsTyped } from './helpers/assert-throws.js';

let k: Kernels;
test.before(async () => {
  k = await loadKernels();
  ort.env.wasm.numThreads = 1;
});

let seed = 1;
const rnd = () => { seed = (seed * 1103515245 + 12345) % 2147483648; return seed / 2147483648 - 0.5; };
const floats = (n: number, scale = 0.8) => Float32Array.from({ length: n }, () => rnd() * scale);

/** A tiny graph builder: nodes in order, float initializers with random values. */
class G {
  nodes: OnnxNode[] = [];
  inits: OnnxTensor[] = [];
  private n = 0;
  init(dims: number[], data?: ArrayLike<number>, dataType: number = DataType.FLOAT): string {
    const name = `c${this.n++}`;
    const size = dims.reduce((a, b) => a * b, 1);
    this.inits.push({ name, dims, dataType, data: dataType === DataType.FLOAT ? Float32Array.from(data ?? floats(size)) : Float64Array.from(data ?? []) });
    return name;
  }
  i64(values: number[], scalar = false): string {
    return this.init(scalar ? [] : [values.length], values, DataType.INT64);
  }
  op(opType: string, inputs: string[], attributes: OnnxAttribute[] = [], outputs = 1, name?: string): string[] {
    const id = name ?? `${opType}_${this.n++}`;
    const outs = Array.from({ length: outputs }, (_, i) => `${id}:${i}`);
    this.nodes.push({ name: id, opType, domain: '', inputs, outputs: outs, attributes });
    return outs;
  }
  bytes(input: { name: string; type: number; dims: Array<number | string> }, output: string, outRank = 2): Uint8Array {
    const last = this.nodes.find((q) => q.outputs.includes(output))!;
    last.outputs = last.outputs.map((o) => (o === output ? 'out' : o));
    for (const q of this.nodes) q.inputs = q.inputs.map((i) => (i === output ? 'out' : i));
    return encodeModel({
      irVersion: 8, producerName: 'test', producerVersion: '0', opsets: [{ domain: '', version: 17 }],
      graph: { name: 'g', nodes: this.nodes, initializers: this.inits, inputs: [{ name: input.name, elemType: input.type, dims: input.dims }], outputs: [{ name: 'out', elemType: DataType.FLOAT, dims: Array.from({ length: outRank }, (_, i) => `o${i}`) }] },
    });
  }
}
const ints = (name: string, v: number[]): OnnxAttribute => ({ name, type: 7, ints: v });
const int = (name: string, v: number): OnnxAttribute => ({ name, type: 2, i: v });
const str = (name: string, v: string): OnnxAttribute => ({ name, type: 3, s: v });
const strs = (name: string, v: string[]): OnnxAttribute => ({ name, type: 8, strings: v });

const B = 3, T = 6, V = 20, E = 5;
const ids = Int32Array.from({ length: B * T }, (_, i) => 1 + ((i * 7) % (V - 1)));

async function check(label: string, bytes: Uint8Array, idsType: 'int32' | 'int64' | 'float', x?: Float32Array, D = 0): Promise<string[]> {
  const session = await ort.InferenceSession.create(bytes);
  const feedName = session.inputNames[0];
  const tensor = idsType === 'float' ? new ort.Tensor('float32', x!, [B, T, D])
    : idsType === 'int32' ? new ort.Tensor('int32', ids, [B, T]) : new ort.Tensor('int64', BigInt64Array.from(ids, (v) => BigInt(v)), [B, T]);
  const want = (await session.run({ [feedName]: tensor })).out;
  await session.release();
  const { model, layers } = await importDetailed(bytes, { kernels: k });
  const got = await model.predict(idsType === 'float' ? { data: x!, shape: [B, T, D] } : { data: ids, shape: [B, T] });
  assert.equal(got.shape, want.dims.map(Number), `${label}: shape`);
  const r = closeReport(label, got.data, want.data as Float32Array, 1e-5, 0);
  assert.ok(r === null, r ?? '');
  return layers.map((l) => l.target.split(' ')[0]);
}

/** Zero initial state (dirs, B, H) computed from the input's shape, as tf2onnx and torch write it. */
function zeroState(g: G, input: string, dirs: number, H: number): string {
  const batch = g.op('Gather', [g.op('Shape', [input])[0], g.i64([0], true)], [int('axis', 0)])[0];
  const shape = g.op('Concat', [g.i64([dirs]), g.op('Unsqueeze', [batch, g.i64([0])])[0], g.i64([H])], [int('axis', 0)])[0];
  return g.op('ConstantOfShape', [shape], [{ name: 'value', type: 4, t: { name: 'v', dims: [1], dataType: DataType.FLOAT, data: new Float32Array([0]) } }])[0];
}

test('tf2onnx style: int32 ids → Cast → Gather → Transpose → LSTM(zero state from Shape) → Squeeze(Y_h) → MatMul + Add → Sigmoid', async () => {
  const g = new G(), H = 4;
  const x = g.op('Gather', [g.init([V, E]), g.op('Cast', ['ids'], [int('to', DataType.INT64)])[0]], [int('axis', 0)])[0];
  const tx = g.op('Transpose', [x], [ints('perm', [1, 0, 2])])[0];
  const h0 = zeroState(g, 'ids', 1, H);
  const [, Yh] = g.op('LSTM', [tx, g.init([1, 4 * H, E]), g.init([1, 4 * H, H]), g.init([1, 8 * H]), '', h0, h0], [int('hidden_size', H)], 3);
  const h = g.op('Squeeze', [Yh, g.i64([0])])[0];
  const y = g.op('Sigmoid', [g.op('Add', [g.op('MatMul', [h, g.init([H, 2])])[0], g.init([2])])[0]])[0];
  assert.equal(await check('tf2onnx LSTM', g.bytes({ name: 'ids', type: DataType.INT32, dims: ['unk__1', T] }, y), 'int32'), ['Embedding', 'LSTM', 'Dense']);
});

test('TorchScript style: bidirectional GRU (linear_before_reset 1) → Transpose/Reshape from Shape slices → GRU reverse (lbr 0) → Y_h → Gemm transB', async () => {
  const g = new G(), H = 3, H2 = 4;
  const x = g.op('Transpose', [g.op('Gather', [g.init([V, E]), 'ids'], [int('axis', 0)])[0]], [ints('perm', [1, 0, 2])])[0];
  const [Y] = g.op('GRU', [x, g.init([2, 3 * H, E]), g.init([2, 3 * H, H]), g.init([2, 6 * H])], [int('hidden_size', H), str('direction', 'bidirectional'), int('linear_before_reset', 1)], 2);
  const t = g.op('Transpose', [Y], [ints('perm', [0, 2, 1, 3])])[0];
  const s = g.op('Shape', [t])[0];
  const tb = g.op('Slice', [s, g.i64([0]), g.i64([2])])[0];
  const shape = g.op('Concat', [tb, g.i64([-1])], [int('axis', 0)])[0];
  const seq = g.op('Reshape', [t, shape])[0];
  const [, Yh] = g.op('GRU', [seq, g.init([1, 3 * H2, 2 * H]), g.init([1, 3 * H2, H2]), g.init([1, 6 * H2])], [int('hidden_size', H2), str('direction', 'reverse')], 2);
  const flat = g.op('Reshape', [g.op('Transpose', [Yh], [ints('perm', [1, 0, 2])])[0], g.i64([0, -1])])[0];
  const y = g.op('Gemm', [flat, g.init([3, H2]), g.init([3])], [int('transB', 1), { name: 'alpha', type: 1, f: 0.5 }])[0];
  assert.equal(await check('torchscript GRU', g.bytes({ name: 'ids', type: DataType.INT64, dims: ['batch', 'seq'] }, y), 'int64'), ['Embedding', 'Bidirectional', 'GRU', 'Dense']);
});

test('float input → RNN (Relu) sequence → Squeeze(dir) → Transpose → time-distributed MatMul + Add → Softmax (B, T, N)', async () => {
  const g = new G(), H = 5, D = 3;
  const tx = g.op('Transpose', ['x'], [ints('perm', [1, 0, 2])])[0];
  const [Y] = g.op('RNN', [tx, g.init([1, H, D]), g.init([1, H, H]), g.init([1, 2 * H])], [int('hidden_size', H), strs('activations', ['Relu'])], 2);
  const seq = g.op('Transpose', [g.op('Squeeze', [Y, g.i64([1])])[0]], [ints('perm', [1, 0, 2])])[0];
  const y = g.op('Softmax', [g.op('Add', [g.op('MatMul', [seq, g.init([H, 4])])[0], g.init([4])])[0]], [int('axis', -1)])[0];
  const xs = floats(B * T * D, 2);
  assert.equal(await check('float RNN seq', g.bytes({ name: 'x', type: DataType.FLOAT, dims: ['b', 't', D] }, y, 3), 'float', xs, D), ['SimpleRNN', 'Dense']);
});

test('last time step of a forward LSTM (Gather T = -1) is Keras return_sequences=False; HardSigmoid(1/6) gates', async () => {
  const g = new G(), H = 4;
  const tx = g.op('Transpose', [g.op('Gather', [g.init([V, E]), 'ids'], [int('axis', 0)])[0]], [ints('perm', [1, 0, 2])])[0];
  const acts = [strs('activations', ['HardSigmoid', 'Tanh', 'Tanh']), { name: 'activation_alpha', type: 6, floats: [1 / 6, 0, 0] }, { name: 'activation_beta', type: 6, floats: [0.5, 0, 0] }];
  const [Y] = g.op('LSTM', [tx, g.init([1, 4 * H, E]), g.init([1, 4 * H, H]), g.init([1, 8 * H])], [int('hidden_size', H), ...acts], 3);
  const last = g.op('Squeeze', [g.op('Gather', [Y, g.i64([-1], true)], [int('axis', 0)])[0], g.i64([0])])[0];
  const y = g.op('Gemm', [last, g.init([H, 2]), g.init([2])])[0];
  assert.equal(await check('last step', g.bytes({ name: 'ids', type: DataType.INT64, dims: ['b', 't'] }, y), 'int64'), ['Embedding', 'LSTM', 'Dense']);
});

test('unsupported graphs name the node and what is unsupported', async () => {
  const base = () => {
    const g = new G();
    const tx = g.op('Transpose', [g.op('Gather', [g.init([V, E]), 'ids'], [int('axis', 0)])[0]], [ints('perm', [1, 0, 2])])[0];
    return { g, tx };
  };
  const input = { name: 'ids', type: DataType.INT64, dims: ['b', 't'] as Array<number | string> };
  {
    const { g, tx } = base();
    const [, Yh] = g.op('LSTM', [tx, g.init([2, 16, E]), g.init([2, 16, 4])], [int('hidden_size', 4), str('direction', 'bidirectional')], 3, 'bi_lstm');
    const back = g.op('Gather', [Yh, g.i64([1], true)], [int('axis', 0)])[0];
    const y = g.op('MatMul', [back, g.init([4, 2])], [], 1, 'head')[0];
    await rejectsTyped(() => importDetailed(g.bytes(input, y)), UnsupportedModelError, /ONNX MatMul "head": reads the backward half of ONNX LSTM "bi_lstm"/);
  }
  {
    const { g, tx } = base();
    const [, Yh] = g.op('GRU', [tx, g.init([1, 9, E]), g.init([1, 9, 3]), '', '', g.init([1, 2, 3])], [int('hidden_size', 3)], 2, 'gru_h0');
    await rejectsTyped(() => importDetailed(g.bytes(input, Yh)), UnsupportedModelError, /ONNX GRU "gru_h0": initial_h must be zeros, absent, or computed from another layer/);
  }
  {
    const { g, tx } = base();
    const y = g.op('Loop', [tx], [], 1, 'while_loop')[0];
    await rejectsTyped(() => importDetailed(g.bytes(input, y)), UnsupportedModelError, /ONNX Loop "while_loop": operator is not supported on the data path/);
  }
  {
    const { g, tx } = base();
    const [, Yh] = g.op('LSTM', [tx, g.init([1, 16, E]), g.init([1, 16, 4])], [int('hidden_size', 4), { name: 'clip', type: 1, f: 3 }], 3, 'clipped');
    await rejectsTyped(() => importDetailed(g.bytes(input, g.op('Squeeze', [Yh, g.i64([0])])[0])), UnsupportedModelError, /ONNX LSTM "clipped": cell clipping/);
  }
  const good = (() => { const { g, tx } = base(); const [, Yh] = g.op('RNN', [tx, g.init([1, 4, E]), g.init([1, 4, 4])], [int('hidden_size', 4)], 2); return g.bytes(input, g.op('Squeeze', [Yh, g.i64([0])])[0]); })();
  await rejectsTyped(() => importDetailed(good.subarray(0, good.length - 40), { name: 'cut.onnx' }), ModelFileError, /cut\.onnx/);
});

/** Several inputs and outputs (G.bytes writes one of each). */
function multiBytes(g: G, inputs: Array<{ name: string; type: number; dims: Array<number | string> }>, outputs: Record<string, [string, number]>): Uint8Array {
  for (const [name, [value]] of Object.entries(outputs)) {
    const last = g.nodes.find((q) => q.outputs.includes(value))!;
    last.outputs = last.outputs.map((o) => (o === value ? name : o));
    for (const q of g.nodes) q.inputs = q.inputs.map((i) => (i === value ? name : i));
  }
  return encodeModel({
    irVersion: 8, producerName: 'test', producerVersion: '0', opsets: [{ domain: '', version: 17 }],
    graph: { name: 'multi', nodes: g.nodes, initializers: g.inits, inputs: inputs.map((i) => ({ name: i.name, elemType: i.type, dims: i.dims })), outputs: Object.entries(outputs).map(([name, [, rank]]) => ({ name, elemType: DataType.FLOAT, dims: Array.from({ length: rank }, (_, i) => `${name}${i}`) })) },
  });
}

test('functional graph in tf2onnx style: ids + float inputs, Sum / Mean / Mul / Concat merges, Gemm + Sigmoid, Tile repeat, RNN with a computed initial_h; two outputs within 1e-5 of onnxruntime', async () => {
  const g = new G(), H = 4, D = 3, T2 = 5, R = 3;
  const emb = g.op('Gather', [g.init([V, E]), 'ids'], [int('axis', 0)])[0];
  const [, Yh] = g.op('LSTM', [g.op('Transpose', [emb], [ints('perm', [1, 0, 2])])[0], g.init([1, 4 * H, E]), g.init([1, 4 * H, H]), g.init([1, 8 * H])], [int('hidden_size', H)], 3);
  const h = g.op('Squeeze', [Yh, g.i64([0])])[0];
  const [, Gh] = g.op('GRU', [g.op('Transpose', ['feats'], [ints('perm', [1, 0, 2])])[0], g.init([1, 3 * H, D]), g.init([1, 3 * H, H]), g.init([1, 6 * H])], [int('hidden_size', H), int('linear_before_reset', 1)], 2);
  const gv = g.op('Squeeze', [Gh, g.i64([0])])[0];
  const sum = g.op('Sum', [h, gv])[0], mean = g.op('Mean', [h, gv])[0], prod = g.op('Mul', [h, gv])[0];
  const avg = g.op('Div', [g.op('Add', [h, gv])[0], g.init([], [2])])[0];
  const cat = g.op('Concat', [sum, mean, prod, avg], [int('axis', -1)])[0];
  const y1 = g.op('Sigmoid', [g.op('Gemm', [cat, g.init([4 * H, 2]), g.init([2])])[0]])[0];
  const rep = g.op('Tile', [g.op('Unsqueeze', [h, g.i64([1])])[0], g.i64([1, R, 1])])[0];
  const h0 = g.op('Unsqueeze', [g.op('Gemm', [gv, g.init([H, 2]), g.init([2])])[0], g.i64([0])])[0];
  const [Y] = g.op('RNN', [g.op('Transpose', [rep], [ints('perm', [1, 0, 2])])[0], g.init([1, 2, H]), g.init([1, 2, 2]), g.init([1, 4]), '', h0], [int('hidden_size', 2)], 2);
  const y2 = g.op('Transpose', [g.op('Squeeze', [Y, g.i64([1])])[0]], [ints('perm', [1, 0, 2])])[0];
  const bytes = multiBytes(g, [{ name: 'ids', type: DataType.INT64, dims: ['b', 't'] }, { name: 'feats', type: DataType.FLOAT, dims: ['b', 't2', D] }], { probs: [y1, 2], decoded: [y2, 3] });
  const feats = floats(B * T2 * D, 2);
  const session = await ort.InferenceSession.create(bytes);
  const want = await session.run({ ids: new ort.Tensor('int64', BigInt64Array.from(ids, (v) => BigInt(v)), [B, T]), feats: new ort.Tensor('float32', feats, [B, T2, D]) });
  await session.release();
  const { model, layers } = await importDetailed<Model>(bytes, { kernels: k });
  assert.is(model.className, 'Functional');
  assert.equal(model.inputNames, ['ids', 'feats']);
  const kinds = layers.map((l) => l.target.split(' ')[0]);
  for (const kind of ['Embedding', 'LSTM', 'GRU', 'Add', 'Average', 'Multiply', 'Concatenate', 'Dense', 'RepeatVector', 'SimpleRNN']) assert.ok(kinds.includes(kind), `${kind} in ${kinds}`);
  assert.is(kinds.filter((q) => q === 'Average').length, 2, 'Mean and Add / 2 are both Average');
  const got = await model.predict([{ data: ids, shape: [B, T] }, { data: feats, shape: [B, T2, D] }]) as Prediction[];
  for (const [i, name] of ['probs', 'decoded'].entries()) {
    assert.equal(got[i].shape, want[name].dims.map(Number), name);
    const r = closeReport(`tf2onnx-style ${name}`, got[i].data, want[name].data as Float32Array, 1e-5, 0);
    assert.ok(r === null, r ?? '');
  }
});

test('functional graphs: what fused-rnn would compute differently is refused naming the node', async () => {
  const input = { name: 'ids', type: DataType.INT64, dims: ['b', 't'] as Array<number | string> };
  const lensOf = (g: G) => g.op('ReduceSum', [g.op('Cast', [g.op('Not', [g.op('Equal', ['ids', g.i64([0], true)])[0]])[0]], [int('to', DataType.INT32)])[0], g.i64([1])], [int('keepdims', 0)])[0];
  {
    // A masked unidirectional sequence into a MatMul: ONNX zeros on padded steps, Keras repeats the last output.
    const g = new G(), H = 3;
    const tx = g.op('Transpose', [g.op('Gather', [g.init([V, E]), 'ids'], [int('axis', 0)])[0]], [ints('perm', [1, 0, 2])])[0];
    const [Y] = g.op('GRU', [tx, g.init([1, 3 * H, E]), g.init([1, 3 * H, H]), g.init([1, 6 * H]), lensOf(g)], [int('hidden_size', H)], 2, 'masked_gru');
    const seq = g.op('Transpose', [g.op('Squeeze', [Y, g.i64([1])])[0]], [ints('perm', [1, 0, 2])])[0];
    const y = g.op('MatMul', [seq, g.init([H, 2])], [], 1, 'per_step')[0];
    await rejectsTyped(() => importDetailed(g.bytes(input, y, 3)), UnsupportedModelError, /ONNX MatMul "per_step": reads the masked sequence output of ONNX GRU "masked_gru": on padded steps ONNX writes zeros/);
  }
  {
    // Two layers on one embedding, only one with sequence_lens: fused-rnn would mask both.
    const g = new G(), H = 3;
    const tx = g.op('Transpose', [g.op('Gather', [g.init([V, E]), 'ids'], [int('axis', 0)])[0]], [ints('perm', [1, 0, 2])])[0];
    const [, a] = g.op('RNN', [tx, g.init([1, H, E]), g.init([1, H, H]), g.init([1, 2 * H]), lensOf(g)], [int('hidden_size', H)], 2, 'with_lens');
    const [, b] = g.op('RNN', [tx, g.init([1, H, E]), g.init([1, H, H]), g.init([1, 2 * H])], [int('hidden_size', H)], 2, 'without_lens');
    const y = g.op('Add', [g.op('Squeeze', [a, g.i64([0])])[0], g.op('Squeeze', [b, g.i64([0])])[0]])[0];
    await rejectsTyped(() => importDetailed(g.bytes(input, y)), UnsupportedModelError, /ONNX RNN "without_lens": reads a sequence masked by ONNX Gather .* but has no sequence_lens/);
  }
  {
    // A sum scaled by something other than 1/n is no Average.
    const g = new G(), H = 3;
    const tx = g.op('Transpose', [g.op('Gather', [g.init([V, E]), 'ids'], [int('axis', 0)])[0]], [ints('perm', [1, 0, 2])])[0];
    const [, a] = g.op('RNN', [tx, g.init([1, H, E]), g.init([1, H, H])], [int('hidden_size', H)], 2);
    const [, b] = g.op('GRU', [tx, g.init([1, 3 * H, E]), g.init([1, 3 * H, H])], [int('hidden_size', H)], 2);
    const sum = g.op('Add', [g.op('Squeeze', [a, g.i64([0])])[0], g.op('Squeeze', [b, g.i64([0])])[0]])[0];
    const y = g.op('Mul', [sum, g.init([], [0.3])], [], 1, 'scale')[0];
    await rejectsTyped(() => importDetailed(g.bytes(input, y)), UnsupportedModelError, /ONNX Mul "scale": scales the data path by a constant other than 1 \/ \(number of summed inputs\)/);
  }
});

test.run();
