// The slope-0.2 hard_sigmoid of TF.js and Keras 2 (clip(0.2x + 0.5, 0, 1)) is the recurrent default of
// tfjs-layers 4.x (LSTM and GRU recurrentActivation 'hardSigmoid'): such models import with the kernels'
// hard_sigmoid_tfjs and predict as tfjs-layers itself (the oracle, run here on identical weights) within
// 1e-5, from a TF.js model.json and from a Keras 2 `.h5`. The same file tagged as written by Keras 3 means
// relu6(x + 3) / 6 and must predict measurably differently (so the test can tell the two apart).
// Exports keep the meaning: TF.js writes hard_sigmoid (tfjs-layers reloads it within 1e-5), ONNX writes
// HardSigmoid(alpha 0.2, beta 0.5) (onnxruntime within 1e-5), Keras 3 has no such activation: refused by name.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as ort from 'onnxruntime-web';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import { loadKernels, type Kernels, type GRU, type LSTM } from '../src/index.js';
import { UnsupportedModelError, exportModel, importDetailed, importModel } from '../src/interop/index.js';
import { closeReport } from './helpers/check-close.js';
import { rejectsTyped } from './helpers/assert-throws.js';
import { keras2H5 } from './interop-keras2-h5.js';

let k: Kernels;
test.before(async () => {
  k = await loadKernels({ variant: 'simd' });
  ort.env.wasm.numThreads = 1;
  await tf.setBackend('cpu');
});

function expectClose(label: string, got: ArrayLike<number>, want: ArrayLike<number>, atol = 1e-5): void {
  const r = closeReport(label, got, want, atol, 0);
  assert.ok(r === null, r ?? '');
}
const maxDiff = (a: ArrayLike<number>, b: ArrayLike<number>) => Array.from(a).reduce((m, v, i) => Math.max(m, Math.abs(v - b[i])), 0);

const V = 30, T = 9;
/** Ids (B, T): full, left-padded (3 zeros), right-padded (4 zeros), all zeros. */
const IDS = (() => {
  const d = new Int32Array(4 * T);
  for (let t = 0; t < T; t++) {
    d[t] = 1 + ((t * 7) % (V - 1));
    if (t >= 3) d[T + t] = 1 + ((t * 11 + 3) % (V - 1));
    if (t < T - 4) d[2 * T + t] = 1 + ((t * 5 + 2) % (V - 1));
  }
  return { data: d, shape: [4, T] };
})();

/** Deterministic values in [-s, s] (big enough to drive the gates through both clip ends). */
const values = (n: number, seed: number, s: number) => Float32Array.from({ length: n }, (_, i) => s * Math.sin(seed * 12.9898 + i * 78.233));

interface TfjsSource { modelJson: string; weights: Uint8Array; want: Float32Array; topology: string }

/**
 * tfjs-layers builds Embedding(mask_zero) → LSTM(seq) → GRU(reset_before) → Dense softmax with tfjs' own
 * defaults (recurrentInitializer aside: tfjs' Orthogonal fails under Node's cpu backend; the weights are set after).
 */
async function tfjsModel(): Promise<TfjsSource> {
  const m = tfl.sequential({ name: 'hs', layers: [
    tfl.layers.embedding({ inputDim: V, outputDim: 4, maskZero: true, inputShape: [T], name: 'emb' }),
    tfl.layers.lstm({ units: 5, returnSequences: true, name: 'lstm', recurrentInitializer: 'glorotUniform' }),
    tfl.layers.gru({ units: 3, name: 'gru', recurrentInitializer: 'glorotUniform' }),
    tfl.layers.dense({ units: 2, activation: 'softmax', name: 'out' }),
  ] });
  m.setWeights(m.getWeights().map((w, i) => tf.tensor(values(w.size, i + 1, i === 0 ? 1 : 2.5), w.shape)));
  const want = Float32Array.from(await (m.predict(tf.tensor2d(Float32Array.from(IDS.data), [4, T])) as tf.Tensor).data());
  let art: tf.io.ModelArtifacts | null = null;
  await m.save(tf.io.withSaveHandler(async (a) => { art = a; return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } }; }));
  const a = art as unknown as tf.io.ModelArtifacts;
  const modelJson = JSON.stringify({ format: 'layers-model', generatedBy: 'TensorFlow.js tfjs-layers v4.22.0', modelTopology: a.modelTopology, weightsManifest: [{ paths: ['weights.bin'], weights: a.weightSpecs }] });
  return { modelJson, weights: new Uint8Array(a.weightData as ArrayBuffer), want, topology: JSON.stringify(a.modelTopology) };
}

let src: TfjsSource;
test('tfjs-layers 4.x defaults (hardSigmoid gates): TF.js model.json imports and predicts as tfjs within 1e-5', async () => {
  src = await tfjsModel();
  // tfjs writes its default gate activation into the topology as Keras 2's name.
  assert.is((src.topology.match(/"recurrent_activation":"hard_sigmoid"/g) ?? []).length, 2, src.topology.slice(0, 400));
  const { model, format } = await importDetailed(src, { kernels: k });
  assert.is(format, 'tfjs');
  assert.is((model.layers[1] as LSTM).recurrentActivation, 'hard_sigmoid_tfjs');
  assert.is((model.layers[2] as GRU).recurrentActivation, 'hard_sigmoid_tfjs');
  assert.is((model.layers[2] as GRU).resetAfter, false);
  expectClose('tfjs hardSigmoid model', (await model.predict(IDS)).data, src.want);
});

/** The tfjs model as Keras 2 would save it to .h5 (same weights, `:0` names). */
function keras2Config(): object {
  const c = (class_name: string, config: object) => ({ class_name, config });
  const rnn = { trainable: true, dtype: 'float32', return_state: false, go_backwards: false, stateful: false, unroll: false, time_major: false, activation: 'tanh', recurrent_activation: 'hard_sigmoid', use_bias: true, dropout: 0.0, recurrent_dropout: 0.0, implementation: 2 };
  return { class_name: 'Sequential', config: { name: 'sequential', layers: [
    c('InputLayer', { batch_input_shape: [null, T], dtype: 'float32', sparse: false, ragged: false, name: 'emb_input' }),
    c('Embedding', { name: 'emb', trainable: true, batch_input_shape: [null, T], dtype: 'float32', input_dim: V, output_dim: 4, mask_zero: true, input_length: T }),
    c('LSTM', { ...rnn, name: 'lstm', units: 5, return_sequences: true, unit_forget_bias: true }),
    c('GRU', { ...rnn, name: 'gru', units: 3, return_sequences: false, reset_after: false }),
    c('Dense', { name: 'out', trainable: true, dtype: 'float32', units: 2, activation: 'softmax', use_bias: true }),
  ] } };
}

test('Keras 2 .h5 with hard_sigmoid gates predicts as tfjs (same maths) within 1e-5; tagged Keras 3 it is relu6(x + 3) / 6', async () => {
  src ??= await tfjsModel();
  const bin = new Float32Array(src.weights.buffer, src.weights.byteOffset, src.weights.byteLength / 4);
  const specs = (JSON.parse(src.modelJson).weightsManifest[0].weights as Array<{ name: string; shape: number[] }>);
  let off = 0;
  const byName = new Map(specs.map((s) => { const n = s.shape.reduce((a, b) => a * b, 1); const t = { shape: s.shape, data: bin.slice(off, off + n) }; off += n; return [s.name, t]; }));
  const pick = (names: string[]) => names.map((n) => { const t = byName.get(n); assert.ok(t, `tfjs weight ${n} in ${[...byName.keys()]}`); return t!; });
  const weights = [
    { layer: 'emb', names: ['emb/embeddings:0'], tensors: pick(['emb/embeddings']) },
    { layer: 'lstm', names: ['lstm/lstm_cell/kernel:0', 'lstm/lstm_cell/recurrent_kernel:0', 'lstm/lstm_cell/bias:0'], tensors: pick(['lstm/kernel', 'lstm/recurrent_kernel', 'lstm/bias']) },
    { layer: 'gru', names: ['gru/gru_cell/kernel:0', 'gru/gru_cell/recurrent_kernel:0', 'gru/gru_cell/bias:0'], tensors: pick(['gru/kernel', 'gru/recurrent_kernel', 'gru/bias']) },
    { layer: 'out', names: ['out/kernel:0', 'out/bias:0'], tensors: pick(['out/kernel', 'out/bias']) },
  ];
  const k2 = await importModel(await keras2H5(keras2Config(), weights), { kernels: k });
  assert.is((k2.layers[1] as LSTM).recurrentActivation, 'hard_sigmoid_tfjs');
  const got = (await k2.predict(IDS)).data;
  expectClose('Keras 2 h5 hard_sigmoid', got, src.want);
  const k3 = await importModel(await keras2H5(keras2Config(), weights, '3.15.1'), { kernels: k });
  assert.is((k3.layers[1] as LSTM).recurrentActivation, 'hard_sigmoid');
  const d = maxDiff((await k3.predict(IDS)).data, src.want);
  assert.ok(d > 1e-3, `Keras 3 hard_sigmoid must differ from the slope-0.2 one (max diff ${d})`);
});

test('exports keep slope 0.2: TF.js (tfjs-layers reloads it), ONNX HardSigmoid(0.2, 0.5) in onnxruntime; .keras refused by name', async () => {
  src ??= await tfjsModel();
  const model = await importModel(src, { kernels: k });
  const want = (await model.predict(IDS)).data;

  const t = await exportModel(model, 'tfjs');
  const json = JSON.parse(t.modelJson);
  const loaded = await tfl.loadLayersModel(tf.io.fromMemory({ modelTopology: json.modelTopology, weightSpecs: json.weightsManifest[0].weights, weightData: t.weights.slice().buffer }));
  const y = loaded.predict(tf.tensor2d(Float32Array.from(IDS.data), [4, T])) as tf.Tensor;
  expectClose('tfjs-layers on the TF.js export', await y.data(), src.want);

  // ONNX sequence_lens expresses right padding only: feed the full, right-padded and empty rows.
  const rows = [0, 2, 3];
  const x = { data: Int32Array.from(rows.flatMap((r) => Array.from(IDS.data.subarray(r * T, (r + 1) * T)))), shape: [3, T] };
  const wantRows = rows.flatMap((r) => Array.from(want.subarray(r * 2, r * 2 + 2)));
  const bytes = await exportModel(model, 'onnx');
  const session = await ort.InferenceSession.create(bytes);
  const out = await session.run({ ids: new ort.Tensor('int64', BigInt64Array.from(x.data, (v) => BigInt(v)), x.shape) });
  expectClose('onnxruntime on the ONNX export', out.output.data as Float32Array, wantRows);
  await session.release();
  const back = await importModel(bytes, { kernels: k });
  assert.is((back.layers[1] as LSTM).recurrentActivation, 'hard_sigmoid_tfjs');
  expectClose('ONNX export → import', (await back.predict(x)).data, wantRows, 1e-6);

  await rejectsTyped(() => exportModel(model, 'keras'), UnsupportedModelError, /LSTM "lstm".*hard_sigmoid_tfjs.*no Keras 3 activation/);
});

/** tfjs-layers' own model with hardSigmoid as a Dense / Conv1D activation, its artifacts and its prediction on x. */
async function tfjsDenseModel(layers: tfl.layers.Layer[], x: tf.Tensor): Promise<TfjsSource> {
  const m = tfl.sequential({ name: 'hs_dense', layers });
  // Large weights: the Dense/Conv1D pre-activations cross both clip ends (|z| > 2.5) and the slope.
  m.setWeights(m.getWeights().map((w, i) => tf.tensor(values(w.size, i + 3, 6), w.shape)));
  const want = Float32Array.from(await (m.predict(x) as tf.Tensor).data());
  let art: tf.io.ModelArtifacts | null = null;
  await m.save(tf.io.withSaveHandler(async (a) => { art = a; return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } }; }));
  const a = art as unknown as tf.io.ModelArtifacts;
  const modelJson = JSON.stringify({ format: 'layers-model', generatedBy: 'TensorFlow.js tfjs-layers v4.22.0', modelTopology: a.modelTopology, weightsManifest: [{ paths: ['weights.bin'], weights: a.weightSpecs }] });
  return { modelJson, weights: new Uint8Array(a.weightData as ArrayBuffer), want, topology: JSON.stringify(a.modelTopology) };
}

test('Dense and Conv1D with tfjs hardSigmoid (slope 0.2): import, TF.js and ONNX exports, ONNX import back, all within 1e-5 of tfjs-layers', async () => {
  // Ids → Embedding → LSTM → Dense(hardSigmoid): the weights drive the Dense pre-activations through both clip ends.
  const ids = { data: Int32Array.from(IDS.data, (v) => v || 1), shape: IDS.shape };
  const src = await tfjsDenseModel([
    tfl.layers.embedding({ inputDim: V, outputDim: 4, inputShape: [T], name: 'emb' }),
    tfl.layers.lstm({ units: 5, name: 'lstm', recurrentInitializer: 'glorotUniform', recurrentActivation: 'sigmoid' }),
    tfl.layers.dense({ units: 6, activation: 'hardSigmoid', name: 'gate_out' }),
  ], tf.tensor2d(Float32Array.from(ids.data), [4, T]));
  assert.match(src.topology, /"activation":"hard_sigmoid"/);
  const model = await importModel(src, { kernels: k });
  assert.is((model.layers[2] as unknown as { activation: string }).activation, 'hard_sigmoid_tfjs');
  const got = (await model.predict(ids)).data;
  expectClose('Dense hardSigmoid vs tfjs-layers', got, src.want);
  const clipped = Array.from(got).filter((v) => v === 0 || v === 1).length;
  assert.ok(clipped > 0 && clipped < got.length, `the test must reach the clip ends and the slope (${clipped} of ${got.length} clipped)`);

  const t = await exportModel(model, 'tfjs');
  const json = JSON.parse(t.modelJson);
  assert.match(JSON.stringify(json.modelTopology), /"activation":"hard_sigmoid"/);
  const loaded = await tfl.loadLayersModel(tf.io.fromMemory({ modelTopology: json.modelTopology, weightSpecs: json.weightsManifest[0].weights, weightData: t.weights.slice().buffer }));
  expectClose('tfjs-layers on the TF.js export', await (loaded.predict(tf.tensor2d(Float32Array.from(ids.data), [4, T])) as tf.Tensor).data(), src.want);

  const bytes = await exportModel(model, 'onnx');
  const session = await ort.InferenceSession.create(bytes);
  const out = await session.run({ ids: new ort.Tensor('int64', BigInt64Array.from(ids.data, (v) => BigInt(v)), ids.shape) });
  expectClose('onnxruntime on the ONNX export (HardSigmoid 0.2, 0.5)', out.output.data as Float32Array, src.want);
  await session.release();
  const back = await importModel(bytes, { kernels: k });
  assert.is((back.layers[2] as unknown as { activation: string }).activation, 'hard_sigmoid_tfjs');
  expectClose('ONNX export → import', (await back.predict(ids)).data, src.want);
  await rejectsTyped(() => exportModel(model, 'keras'), UnsupportedModelError, /Dense "gate_out".*hard_sigmoid_tfjs.*no Keras 3 activation/);

  // Floats → Conv1D(hardSigmoid) → GRU → Dense(hardSigmoid) from tfjs-layers; model.json import and TF.js re-export.
  const xs = tf.tensor3d(values(3 * T * 2, 7, 3), [3, T, 2]);
  const conv = await tfjsDenseModel([
    tfl.layers.conv1d({ filters: 4, kernelSize: 2, activation: 'hardSigmoid', inputShape: [T, 2], name: 'conv' }),
    tfl.layers.gru({ units: 3, name: 'gru', recurrentInitializer: 'glorotUniform' }),
    tfl.layers.dense({ units: 2, activation: 'hardSigmoid', name: 'head' }),
  ], xs);
  const cm = await importModel(conv, { kernels: k });
  assert.is((cm.layers[0] as unknown as { activation: string }).activation, 'hard_sigmoid_tfjs');
  const xIn = { data: Float32Array.from(await xs.data()), shape: [3, T, 2] };
  expectClose('Conv1D/Dense hardSigmoid vs tfjs-layers', (await cm.predict(xIn)).data, conv.want);
  const ct = await exportModel(cm, 'tfjs');
  const cj = JSON.parse(ct.modelJson);
  const cl = await tfl.loadLayersModel(tf.io.fromMemory({ modelTopology: cj.modelTopology, weightSpecs: cj.weightsManifest[0].weights, weightData: ct.weights.slice().buffer }));
  expectClose('tfjs-layers on the Conv1D TF.js export', await (cl.predict(xs) as tf.Tensor).data(), conv.want);
});

test.run();
