// Interop: the real PyTorch files in test/fixtures/interop (d_torch_bilstm: Embedding → 2-layer
// bidirectional nn.LSTM → cat(h_n[-2], h_n[-1]) → Linear) as ONNX (torch.onnx.export, dynamo) and as a
// safetensors state_dict, against PyTorch's own outputs within 1e-5.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { Bidirectional, Dense, Embedding, LSTM, Sequential, loadKernels, type Kernels, type Model, type Prediction } from '../src/index.js';
import { ModelFileError, importDetailed, importModel, loadTorchWeights } from '../src/interop/index.js';
import { closeReport } from './helpers/check-close.js';
import { rejectsTyped } from './helpers/assert-throws.js';

const DIR = new URL('./fixtures/interop/', import.meta.url);
const path = (name: string) => new URL(name, DIR).pathname;
const f = JSON.parse(readFileSync(path('d_torch_bilstm.json'), 'utf8'));
const flat = (v: unknown): number[] => (Array.isArray(v) ? v.flatMap(flat) : [v as number]);
const ids = { data: Int32Array.from(flat(f.input.value)), shape: f.input.shape as number[] };

let k: Kernels;
test.before(async () => {
  k = await loadKernels();
});

function expectClose(label: string, got: ArrayLike<number>, want: ArrayLike<number>, atol = 1e-5): void {
  const r = closeReport(label, got, want, atol, 0);
  assert.ok(r === null, r ?? '');
}

test('ONNX from torch.onnx.export (dynamo): logits within 1e-5 of PyTorch and of onnxruntime', async () => {
  const { model, format, layers } = await importDetailed(path('d_torch_bilstm.onnx'), { kernels: k, output: 'logits' });
  assert.is(model.className, 'Sequential');
  assert.is(format, 'onnx');
  assert.equal(layers.map((l) => l.target.split(' ')[0]), ['Embedding', 'Bidirectional', 'Bidirectional', 'Dense']);
  const out = await model.predict(ids);
  assert.equal(out.shape, [4, 3]);
  expectClose('logits vs torch', out.data, flat(f.output.value));
  expectClose('logits vs onnxruntime', out.data, flat(f.onnx['d_torch_bilstm.onnx'].onnxruntime_logits.value));
});

test('ONNX: the second graph output ("sequence", the top layer\'s sequence) imports with options.output', async () => {
  const { model } = await importDetailed(path('d_torch_bilstm.onnx'), { kernels: k, output: 'sequence' });
  const out = await model.predict(ids);
  assert.equal(out.shape, [4, 12, 16]);
  expectClose('sequence vs torch', out.data, flat(f.output_sequence.value));
});

test('ONNX: by default every graph output imports: a functional Model with logits and the top sequence, both within 1e-5 of PyTorch', async () => {
  const { model, layers } = await importDetailed<Model>(path('d_torch_bilstm.onnx'), { kernels: k });
  assert.is(model.className, 'Functional');
  // The top layer's sequence and its h_n are both read: Bidirectional(return_sequences, return_state), and
  // cat(h_n[-2], h_n[-1]) becomes a Concatenate of its forward and backward final states.
  assert.equal(layers.map((l) => l.target.split(' ')[0]), ['Embedding', 'Bidirectional', 'Bidirectional', 'Concatenate', 'Dense']);
  const top = model.layers.find((l) => l.name === 'bidirectional_1') as Bidirectional;
  assert.is(top.forwardLayer.returnSequences, true);
  assert.is(top.forwardLayer.returnState, true);
  const out = await model.predict(ids) as Prediction[];
  assert.equal(out.map((o) => o.shape), [[4, 3], [4, 12, 16]]);
  expectClose('logits vs torch', out[0].data, flat(f.output.value));
  expectClose('sequence vs torch', out[1].data, flat(f.output_sequence.value));
  const swapped = await importModel<Model>(path('d_torch_bilstm.onnx'), { kernels: k, output: ['sequence', 'logits'] });
  const back = await swapped.predict(ids) as Prediction[];
  assert.equal(back.map((o) => o.shape), [[4, 12, 16], [4, 3]]);
  await rejectsTyped(() => importModel(path('d_torch_bilstm.onnx'), { kernels: k, output: 'nope' }), ModelFileError, /has no output named "nope" \(outputs: logits, sequence\)/);
});

function kerasEquivalent(): Sequential {
  return new Sequential([
    new Embedding({ inputDim: 100, outputDim: 8, name: 'emb' }),
    new Bidirectional({ layer: new LSTM({ units: 8, returnSequences: true }) }),
    new Bidirectional({ layer: new LSTM({ units: 8 }) }),
    new Dense({ units: 3, name: 'fc' }),
  ], { kernels: k });
}

test('safetensors state_dict by layer order (2-layer bidirectional nn.LSTM → two Bidirectional layers)', async () => {
  const model = kerasEquivalent();
  await model.build([null]);
  await loadTorchWeights(model, path('d_torch_bilstm.safetensors'));
  expectClose('logits', (await model.predict(ids)).data, flat(f.output.value));
  // The Keras-layout tensors the fixture lists (values for the small ones) are what the model holds.
  const mine = new Map(model.getWeights().map((w) => [w.path, w]));
  for (const w of f.weights_keras_layout as Array<{ path: string; shape: number[]; value?: unknown }>) {
    if (!w.value) continue;
    const ours = [...mine.values()].find((m) => m.shape.join() === w.shape.join() && closeReport('', m.data, flat(w.value), 1e-7, 0) === null);
    assert.ok(ours, `a weight equal to Keras-layout ${w.path}`);
  }
});

test('safetensors with an explicit name map; damaged files name the part; weights unchanged on error', async () => {
  const model = kerasEquivalent();
  await model.build([null]);
  const names = { emb: 'emb', bidirectional: 'lstm#0', fc: 'fc' } as Record<string, string>;
  names[model.layers[1].name] = 'lstm#0';
  names[model.layers[2].name] = 'lstm#1';
  await loadTorchWeights(model, readFileSync(path('d_torch_bilstm.safetensors')), { names });
  expectClose('logits (name map)', (await model.predict(ids)).data, flat(f.output.value));
  const before = model.getWeights();
  const bytes = readFileSync(path('d_torch_bilstm.safetensors'));
  await rejectsTyped(() => loadTorchWeights(model, bytes.subarray(0, bytes.length - 100), { name: 'cut.safetensors' }), ModelFileError, /cut\.safetensors tensor lstm\.weight_ih_l1_reverse: ends at byte/);
  await rejectsTyped(() => loadTorchWeights(model, bytes, { names: { [model.layers[2].name]: 'lstm#0' } }), ModelFileError, /needs \(16, 32\)|shape/);
  const after = model.getWeights();
  after.forEach((w, i) => assert.ok(closeReport(w.path, w.data, before[i].data, 0, 0) === null, `${w.path} unchanged`));
});

test.run();
