// Interop exports: native models (Bidirectional GRUs of both reset variants, masked stacks, SimpleRNN stacks
// with relu, hard_sigmoid gates, float inputs) → each format → import → identical predictions; the exported
// ONNX run by onnxruntime-web within 1e-5 (right-padded, full and empty rows); the exported TF.js model
// loaded by tfjs-layers 4.22 within 1e-5 (and a reset_after GRU refused by stock tfjs, as the export says).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as ort from 'onnxruntime-web';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import { Bidirectional, Dense, Dropout, Embedding, GRU, LSTM, Sequential, SimpleRNN, loadKernels, type Kernels } from '../src/index.js';
import { UnsupportedModelError, exportModel, importDetailed, importModel, loadTorchWeights } from '../src/interop/index.js';
import { closeReport } from './helpers/check-close.js';
import { rejectsTyped } from './helpers/assert-throws.js';

let k: Kernels;
test.before(async () => {
  k = await loadKernels();
  ort.env.wasm.numThreads = 1;
  await tf.setBackend('cpu');
});

function expectClose(label: string, got: ArrayLike<number>, want: ArrayLike<number>, atol = 1e-5): void {
  const r = closeReport(label, got, want, atol, 0);
  assert.ok(r === null, r ?? '');
}

const T = 7;
/** Ids (B, T) in [1, V) with right padding: row lengths 7, 4, 0, 1, 6. */
function rightPadded(V: number, lengths = [7, 4, 0, 1, 6]): { data: Int32Array; shape: number[] } {
  const data = new Int32Array(lengths.length * T);
  lengths.forEach((len, b) => { for (let t = 0; t < len; t++) data[b * T + t] = 1 + ((b * 31 + t * 17) % (V - 1)); });
  return { data, shape: [lengths.length, T] };
}
const full = (V: number) => rightPadded(V, [7, 7, 7]);

interface Case {
  name: string;
  make: () => Sequential;
  input: () => { data: Int32Array | Float32Array; shape: number[] };
  formats: Array<'onnx' | 'keras' | 'tfjs' | 'safetensors'>;
}

const CASES: Case[] = [
  {
    name: 'masked Embedding → Bidirectional(GRU reset_after, seq) → LSTM → Dense softmax',
    make: () => new Sequential([
      new Embedding({ inputDim: 40, outputDim: 6, maskZero: true, name: 'tokens' }),
      new Bidirectional({ layer: new GRU({ units: 5, returnSequences: true, name: 'enc' }), name: 'bi_enc' }),
      new LSTM({ units: 4, name: 'summary' }),
      new Dense({ units: 3, activation: 'softmax', name: 'head' }),
    ], { kernels: k, seed: 11, name: 'masked_bigru' }),
    input: () => rightPadded(40),
    formats: ['onnx', 'keras', 'tfjs', 'safetensors'],
  },
  {
    name: 'Bidirectional(GRU reset_before) → Dropout → Dense sigmoid',
    make: () => new Sequential([
      new Embedding({ inputDim: 30, outputDim: 5 }),
      new Bidirectional({ layer: new GRU({ units: 6, resetAfter: false }) }),
      new Dropout({ rate: 0.3 }),
      new Dense({ units: 1, activation: 'sigmoid' }),
    ], { kernels: k, seed: 12, name: 'bigru_before' }),
    input: () => full(30),
    formats: ['onnx', 'keras', 'tfjs'],
  },
  {
    name: 'SimpleRNN stack (tanh, relu) with custom names',
    make: () => new Sequential([
      new Embedding({ inputDim: 25, outputDim: 4, name: 'my_embedding' }),
      new SimpleRNN({ units: 5, returnSequences: true, name: 'first_rnn' }),
      new SimpleRNN({ units: 3, activation: 'relu', name: 'second_rnn' }),
      new Dense({ units: 2, name: 'logits' }),
    ], { kernels: k, seed: 13, name: 'rnn_stack' }),
    input: () => full(25),
    formats: ['onnx', 'keras', 'tfjs', 'safetensors'],
  },
  {
    name: 'float input → LSTM hard_sigmoid (Keras 3) → Dense tanh',
    make: () => new Sequential([
      new LSTM({ units: 6, recurrentActivation: 'hard_sigmoid', inputShape: [null, 3] }),
      new Dense({ units: 2, activation: 'tanh' }),
    ], { kernels: k, seed: 14, name: 'float_lstm' }),
    input: () => ({ data: Float32Array.from({ length: 3 * T * 3 }, (_, i) => Math.sin(i * 0.7)), shape: [3, T, 3] }),
    formats: ['onnx', 'keras'],
  },
];

async function built(c: Case): Promise<Sequential> {
  const m = c.make();
  const x = c.input();
  await m.build(x.data instanceof Int32Array ? [null] : [null, x.shape[2]]);
  return m;
}

for (const c of CASES) {
  test(`round trips: ${c.name} → ${c.formats.join(', ')} → import → identical predictions`, async () => {
    const model = await built(c);
    const x = c.input();
    const want = await model.predict(x);
    for (const format of c.formats) {
      let back: Sequential;
      if (format === 'tfjs') {
        const t = await exportModel(model, 'tfjs');
        back = await importModel({ modelJson: t.modelJson, weights: t.weights }, { kernels: k });
      } else if (format === 'safetensors') {
        back = c.make();
        await back.build([null]);
        await loadTorchWeights(back, await exportModel(model, 'safetensors'));
      } else {
        const bytes = await exportModel(model, format);
        const r = await importDetailed(bytes, { kernels: k });
        assert.is(r.format, format);
        back = r.model;
      }
      const got = await back.predict(x);
      assert.equal(got.shape, want.shape, `${format} shape`);
      expectClose(`${c.name} via ${format}`, got.data, want.data, 1e-6);
    }
  });
}

for (const c of CASES) {
  test(`onnxruntime-web runs the exported ONNX within 1e-5: ${c.name}`, async () => {
    const model = await built(c);
    const x = c.input();
    const want = await model.predict(x);
    const session = await ort.InferenceSession.create(await exportModel(model, 'onnx'));
    const feed: Record<string, ort.Tensor> = x.data instanceof Int32Array
      ? { ids: new ort.Tensor('int64', BigInt64Array.from(x.data, (v) => BigInt(v)), x.shape) }
      : { x: new ort.Tensor('float32', x.data, x.shape) };
    const out = await session.run(feed);
    expectClose(`ort ${c.name}`, out.output.data as Float32Array, want.data);
    await session.release();
  });
}

test('onnx export refuses what ONNX cannot express: left padding, non-concat merges, reverse sequences', async () => {
  const masked = await built(CASES[0]);
  await rejectsTyped(() => exportModel(masked, 'onnx', { padding: 'left' }), UnsupportedModelError, /Embedding "tokens" \(mask_zero\): ONNX sequence_lens expresses right padding only/);
  const sum = new Sequential([new Embedding({ inputDim: 9, outputDim: 3 }), new Bidirectional({ layer: new LSTM({ units: 2 }), mergeMode: 'sum', name: 'bsum' })], { kernels: k });
  await sum.build([null]);
  await rejectsTyped(() => exportModel(sum, 'onnx'), UnsupportedModelError, /Bidirectional "bsum": merge mode sum/);
  const back = new Sequential([new Embedding({ inputDim: 9, outputDim: 3 }), new LSTM({ units: 2, goBackwards: true, returnSequences: true, name: 'rev' })], { kernels: k });
  await back.build([null]);
  await rejectsTyped(() => exportModel(back, 'onnx'), UnsupportedModelError, /LSTM "rev": goBackwards with returnSequences/);
});

/**
 * The test installs tfjs-core + tfjs-layers + cpu only, whose Node bundles lack the chained ops tfjs'
 * Orthogonal initializer calls while building the model; the initializer is irrelevant (the weights are
 * replaced on load), so the test swaps it for GlorotUniform. The export itself writes Orthogonal as tfjs does.
 */
function forNodeTfjs(json: { modelTopology: unknown }): { modelTopology: object; weightsManifest: Array<{ weights: tf.io.WeightsManifestEntry[] }> } {
  const text = JSON.stringify(json).replaceAll('{"class_name":"Orthogonal","config":{"gain":1,"seed":null}}', '{"class_name":"GlorotUniform","config":{"seed":null}}');
  return JSON.parse(text);
}

test('tfjs-layers 4.22 loads the exported TF.js model and predicts within 1e-5; a reset_after GRU is refused as the export notes say', async () => {
  const c = CASES[2];
  const model = await built(c);
  const x = c.input();
  const want = await model.predict(x);
  const t = await exportModel(model, 'tfjs');
  assert.equal(t.notes, []);
  const json = forNodeTfjs(JSON.parse(t.modelJson));
  const weightData = t.weights.buffer.slice(t.weights.byteOffset, t.weights.byteOffset + t.weights.byteLength);
  const loaded = await tfl.loadLayersModel(tf.io.fromMemory({ modelTopology: json.modelTopology, weightSpecs: json.weightsManifest[0].weights, weightData }));
  const y = loaded.predict(tf.tensor2d(Float32Array.from(x.data), x.shape as [number, number])) as tf.Tensor;
  expectClose('tfjs-layers on the export', await y.data(), want.data);

  const gru = await built(CASES[0]);
  const tg = await exportModel(gru, 'tfjs');
  assert.ok(tg.notes.some((n) => /reset_after: true .*stock tfjs-layers 4\.x refuses it/.test(n)), tg.notes.join('\n'));
  const jg = forNodeTfjs(JSON.parse(tg.modelJson));
  let refused: unknown = null;
  try {
    await tfl.loadLayersModel(tf.io.fromMemory({ modelTopology: jg.modelTopology, weightSpecs: jg.weightsManifest[0].weights, weightData: tg.weights.slice().buffer }));
  } catch (e) {
    refused = e;
  }
  assert.ok(refused instanceof Error && /reset_after|resetAfter/.test(refused.message), `stock tfjs refuses reset_after: ${String(refused)}`);
});

test.run();
