// Functional (non-Sequential) models from a real framework: tfjs-layers 4.22 builds them (two inputs with an
// encoder's return_state feeding a decoder's initial_state; one masked embedding feeding an LSTM and a GRU
// that are merged by Concatenate, Add, Multiply, Average; Masking of float inputs; RepeatVector), saves them
// with its own writer, and predicts on identical weights: the oracle. Each imports from the TF.js model.json
// and from a Keras 2 `.h5` holding the same topology (Keras 2 nested-list inbound nodes), within 1e-5.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import { loadKernels, type Kernels, type Model, type Prediction } from '../src/index.js';
import { importDetailed } from '../src/interop/index.js';
import { closeReport } from './helpers/check-close.js';
import { keras2H5, type Keras2LayerWeights } from './interop-keras2-h5.js';

let k: Kernels;
test.before(async () => {
  k = await loadKernels({ variant: 'simd' });
  await tf.setBackend('cpu');
});

function expectClose(label: string, got: ArrayLike<number>, want: ArrayLike<number>, atol = 1e-5): void {
  const r = closeReport(label, got, want, atol, 0);
  assert.ok(r === null, r ?? '');
}
const values = (n: number, seed: number, s: number) => Float32Array.from({ length: n }, (_, i) => s * Math.sin(seed * 12.9898 + i * 78.233));
const GLOROT = { recurrentInitializer: 'glorotUniform' as const }; // tfjs' Orthogonal fails under Node's cpu backend; weights are set after

/** Ids (B, T) in [1, V): full, left-padded, right-padded and (optionally) all-zero rows. */
function ids(B: number, T: number, V: number, seed: number): { data: Int32Array; shape: number[] } {
  const d = new Int32Array(B * T);
  for (let b = 0; b < B; b++) for (let t = 0; t < T; t++) {
    const pad = (b % 4 === 1 && t < 2) || (b % 4 === 2 && t >= T - 3) || b % 4 === 3;
    d[b * T + t] = pad ? 0 : 1 + ((b * 31 + t * 17 + seed) % (V - 1));
  }
  return { data: d, shape: [B, T] };
}

interface Source { modelJson: string; weights: Uint8Array; specs: Array<{ name: string; shape: number[] }>; topology: Record<string, unknown>; want: Float32Array[] }

type X = Array<{ data: Int32Array | Float32Array; shape: number[] }>;
const tensors = (xs: X) => xs.map((x) => tf.tensor(Float32Array.from(x.data), x.shape));

/**
 * Randomises the weights, predicts with tfjs (or with `oracle`, tfjs run piecewise where its whole-model
 * executor departs from Keras: see the tests), and saves with tfjs' own writer.
 */
async function saved(m: tfl.LayersModel, xs: X, oracle?: () => tf.Tensor | tf.Tensor[]): Promise<Source> {
  m.setWeights(m.getWeights().map((w, i) => tf.tensor(values(w.size, i + 3, 1.5), w.shape)));
  const ys = oracle ? oracle() : m.predict(tensors(xs));
  const want = await Promise.all((Array.isArray(ys) ? ys : [ys]).map(async (y) => Float32Array.from(await y.data())));
  let art: tf.io.ModelArtifacts | null = null;
  await m.save(tf.io.withSaveHandler(async (a) => { art = a; return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } }; }));
  const a = art as unknown as tf.io.ModelArtifacts;
  const specs = a.weightSpecs as Array<{ name: string; shape: number[] }>;
  const modelJson = JSON.stringify({ format: 'layers-model', generatedBy: 'TensorFlow.js tfjs-layers v4.22.0', modelTopology: a.modelTopology, weightsManifest: [{ paths: ['weights.bin'], weights: specs }] });
  return { modelJson, weights: new Uint8Array(a.weightData as ArrayBuffer), specs, topology: a.modelTopology as Record<string, unknown>, want };
}

/** The same model as a Keras 2 `.h5` (class_name Functional, weights `<layer>/<cell>/<var>:0`). */
async function asKeras2(src: Source): Promise<Uint8Array> {
  const bin = new Float32Array(src.weights.slice().buffer);
  const byLayer = new Map<string, Keras2LayerWeights>();
  let off = 0;
  for (const s of src.specs) {
    const n = s.shape.reduce((a, b) => a * b, 1);
    const [layer, ...rest] = s.name.split('/');
    const w = byLayer.get(layer) ?? { layer, names: [], tensors: [] };
    const cls = ((src.topology.config as { layers: Array<{ name: string; class_name: string }> }).layers.find((l) => l.name === layer))!.class_name;
    const cell = ['LSTM', 'GRU', 'SimpleRNN'].includes(cls) ? `${layer}/${cls === 'SimpleRNN' ? 'simple_rnn' : cls.toLowerCase()}_cell/` : `${layer}/`;
    w.names.push(`${cell}${rest.join('/')}:0`);
    w.tensors.push({ shape: s.shape, data: bin.slice(off, off + n) });
    byLayer.set(layer, w);
    off += n;
  }
  const config = { ...src.topology, class_name: 'Functional' };
  return keras2H5(config, [...byLayer.values()]);
}

async function check(label: string, src: Source, xs: Array<{ data: Int32Array | Float32Array; shape: number[] }>): Promise<Model> {
  let first: Model | null = null;
  for (const [format, bytes] of [['tfjs', { modelJson: src.modelJson, weights: src.weights }], ['h5', await asKeras2(src)]] as const) {
    const { model, format: f } = await importDetailed<Model>(bytes, { kernels: k });
    assert.is(f, format);
    assert.is(model.className, label === 'masking' ? 'Sequential' : 'Functional', `${label} via ${format} (a single chain imports as Sequential)`);
    const got = await model.predict(xs.length === 1 ? xs[0] : xs);
    const outs = (Array.isArray(got) ? got : [got]) as Prediction[];
    assert.is(outs.length, src.want.length);
    outs.forEach((o, i) => expectClose(`${label} via ${format} output ${i}`, o.data, src.want[i]));
    first ??= model;
  }
  return first!;
}

test('encoder-decoder from tfjs: masked encoder LSTM return_state → decoder LSTM initial_state; two inputs', async () => {
  const enc = tfl.input({ shape: [null], dtype: 'int32', name: 'enc_in' });
  const dec = tfl.input({ shape: [null], dtype: 'int32', name: 'dec_in' });
  const e1 = tfl.layers.embedding({ inputDim: 20, outputDim: 4, maskZero: true, name: 'enc_emb' }).apply(enc) as tfl.SymbolicTensor;
  const [, h, c] = tfl.layers.lstm({ units: 5, returnState: true, name: 'encoder', ...GLOROT }).apply(e1) as tfl.SymbolicTensor[];
  const decEmb = tfl.layers.embedding({ inputDim: 18, outputDim: 3, name: 'dec_emb' });
  const decoder = tfl.layers.lstm({ units: 5, returnSequences: true, name: 'decoder', recurrentActivation: 'sigmoid', ...GLOROT });
  const probs = tfl.layers.dense({ units: 18, activation: 'softmax', name: 'probs' });
  const out = probs.apply(decoder.apply(decEmb.apply(dec), { initialState: [h, c] })) as tfl.SymbolicTensor;
  const xs = [ids(4, 6, 20, 1), ids(4, 5, 18, 2)];
  xs[1].data.forEach((v, i) => { if (v === 0) xs[1].data[i] = 1 + (i % 17); }); // the decoder input has no mask
  // tfjs' executor applies the encoder's mask to the decoder too (its whole-model output repeats the initial
  // state on the encoder's padded steps); Keras gives the decoder no mask (the states carry none). The oracle
  // is tfjs run piecewise: the encoder's states, then the decoder from state inputs.
  const oracle = () => {
    const [hv, cv] = tfl.model({ inputs: enc, outputs: [h, c] }).predict(tensors(xs.slice(0, 1))[0]) as tf.Tensor[];
    const hi = tfl.input({ shape: [5] }), ci = tfl.input({ shape: [5] });
    const d = tfl.model({ inputs: [dec, hi, ci], outputs: probs.apply(decoder.apply(decEmb.apply(dec), { initialState: [hi, ci] })) as tfl.SymbolicTensor });
    return d.predict([tensors(xs.slice(1))[0], hv, cv]) as tf.Tensor;
  };
  const src = await saved(tfl.model({ inputs: [enc, dec], outputs: out, name: 's2s' }), xs, oracle);
  await check('s2s', src, xs);
});

test('branches from tfjs: one masked embedding → LSTM | GRU (reset_before) → Concatenate, Add, Multiply, Average → two Dense outputs', async () => {
  const x = tfl.input({ shape: [null], dtype: 'int32', name: 'tokens' });
  const e = tfl.layers.embedding({ inputDim: 25, outputDim: 4, maskZero: true, name: 'emb' }).apply(x) as tfl.SymbolicTensor;
  const a = tfl.layers.lstm({ units: 3, name: 'branch_lstm', ...GLOROT }).apply(e) as tfl.SymbolicTensor;
  const b = tfl.layers.gru({ units: 3, name: 'branch_gru', recurrentActivation: 'sigmoid', ...GLOROT }).apply(e) as tfl.SymbolicTensor;
  const sr = tfl.layers.simpleRNN({ units: 3, returnSequences: true, name: 'seq_rnn', ...GLOROT }).apply(e) as tfl.SymbolicTensor;
  const cat = tfl.layers.concatenate({ name: 'cat' }).apply([a, b]) as tfl.SymbolicTensor;
  const sum = tfl.layers.add({ name: 'sum' }).apply([a, b]) as tfl.SymbolicTensor;
  const prod = tfl.layers.multiply({ name: 'prod' }).apply([a, sum]) as tfl.SymbolicTensor;
  const avg = tfl.layers.average({ name: 'avg' }).apply([prod, b]) as tfl.SymbolicTensor;
  const y1 = tfl.layers.dense({ units: 2, activation: 'softmax', name: 'head_cat' }).apply(tfl.layers.concatenate({ name: 'cat2' }).apply([cat, avg]) as tfl.SymbolicTensor) as tfl.SymbolicTensor;
  const y2 = tfl.layers.dense({ units: 1, name: 'head_seq' }).apply(sr) as tfl.SymbolicTensor;
  const xs = [ids(4, 7, 25, 3)];
  const src = await saved(tfl.model({ inputs: x, outputs: [y1, y2], name: 'branches' }), xs);
  await check('branches', src, xs);
});

test('float inputs from tfjs: Masking → Bidirectional(LSTM, seq) → LSTM → RepeatVector → GRU seq (reset_before)', async () => {
  const x = tfl.input({ shape: [null, 3], name: 'frames' });
  const m = tfl.layers.masking({ maskValue: 0, name: 'mask' }).apply(x) as tfl.SymbolicTensor;
  const bi = tfl.layers.bidirectional({ layer: tfl.layers.lstm({ units: 3, returnSequences: true, ...GLOROT }) as tfl.RNN, name: 'bi' }).apply(m) as tfl.SymbolicTensor;
  const s = tfl.layers.lstm({ units: 4, name: 'summary', ...GLOROT }).apply(bi) as tfl.SymbolicTensor;
  const r = tfl.layers.repeatVector({ n: 3, name: 'repeat' }).apply(s) as tfl.SymbolicTensor;
  const decode = tfl.layers.gru({ units: 2, returnSequences: true, name: 'decode', ...GLOROT });
  const y = decode.apply(r) as tfl.SymbolicTensor;
  const data = Float32Array.from({ length: 3 * 5 * 3 }, (_, i) => Math.sin(i * 0.9));
  data.fill(0, 0, 6); // row 0: two leading all-zero frames (masked)
  data.fill(0, 2 * 15); // row 2 fully masked
  const xs = [{ data, shape: [3, 5, 3] }];
  // As above, tfjs' executor carries the input mask past the LSTM that drops it (return_sequences false) into
  // the GRU; Keras does not. Oracle: tfjs up to RepeatVector, then the GRU on that (no mask).
  const oracle = () => {
    const rv = tfl.model({ inputs: x, outputs: r }).predict(tensors(xs)[0]) as tf.Tensor;
    const ri = tfl.input({ shape: [3, 4] });
    return tfl.model({ inputs: ri, outputs: decode.apply(ri) as tfl.SymbolicTensor }).predict(rv) as tf.Tensor;
  };
  const src = await saved(tfl.model({ inputs: x, outputs: y, name: 'frames_model' }), xs, oracle);
  await check('masking', src, xs);
});

test.run();
