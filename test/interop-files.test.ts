// Interop file layouts and damaged files:
// - an exported `.keras` matches the Keras 3.15 sample (a_lstm.keras) exactly: zip entries, their order and
//   STORED compression, config.json keys and values, every HDF5 group/dataset path, dtype, shape and
//   attribute (type, string encoding), read back with h5wasm;
// - Keras 2 legacy `.h5` (written here with h5wasm in Keras 2's layout: `:0` weight names, keras_version 2.x)
//   imports, with Keras 2 semantics (hard_sigmoid = the kernels' slope-0.2 hard_sigmoid_tfjs);
// - masked models (left-padded, right-padded and empty rows) keep their predictions through .keras and TF.js;
// - truncated zips, bad HDF5, missing shards, tensors of the wrong shape, unsupported layers and options give
//   typed errors naming the part, and never a model.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { strFromU8, strToU8, unzipSync, zipSync } from 'fflate';
import * as h5m from 'h5wasm';
import { Bidirectional, Dense, Embedding, GRU, LSTM, Sequential, loadKernels, type Kernels } from '../src/index.js';
import { ModelFileError, UnsupportedModelError, exportModel, importDetailed, importModel } from '../src/interop/index.js';
import { closeReport } from './helpers/check-close.js';
import { rejectsTyped } from './helpers/assert-throws.js';

const h5wasm = ((h5m as unknown as { default?: typeof h5m }).default ?? h5m) as typeof h5m;
const DIR = new URL('./fixtures/interop/', import.meta.url);
const path = (name: string) => new URL(name, DIR).pathname;
const sample = readFileSync(path('a_lstm.keras'));

let k: Kernels;
let FS: { writeFile(p: string, b: Uint8Array): void; readFile(p: string): Uint8Array; unlink(p: string): void };
test.before(async () => {
  k = await loadKernels();
  FS = (await h5wasm.ready).FS as unknown as typeof FS;
});

function expectClose(label: string, got: ArrayLike<number>, want: ArrayLike<number>, atol = 1e-6): void {
  const r = closeReport(label, got, want, atol, 0);
  assert.ok(r === null, r ?? '');
}

/** Zip entries in file order with their compression method (0 = STORED), from the local headers. */
function zipEntries(bytes: Uint8Array): Array<{ name: string; method: number }> {
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out: Array<{ name: string; method: number }> = [];
  let o = 0;
  while (v.getUint32(o, true) === 0x04034b50) {
    const method = v.getUint16(o + 8, true), size = v.getUint32(o + 18, true), n = v.getUint16(o + 26, true), extra = v.getUint16(o + 28, true);
    out.push({ name: strFromU8(bytes.subarray(o + 30, o + 30 + n)), method });
    o += 30 + n + extra + size;
  }
  return out;
}

/** Every group/dataset of an HDF5 file: path, dtype, shape, attributes with their HDF5 type details. */
function h5Layout(bytes: Uint8Array, skip: RegExp | null = null): string[] {
  const p = `/layout-${Math.random().toString(36).slice(2)}.h5`;
  FS.writeFile(p, bytes);
  const f = new h5wasm.File(p, 'r');
  const lines: string[] = [];
  const attrs = (o: { attrs: Record<string, { value: unknown; metadata: { type: number; vlen: boolean; cset?: number }; shape: unknown }> }) =>
    JSON.stringify(Object.entries(o.attrs).map(([n, a]) => [n, a.value, a.metadata.type, a.metadata.vlen, a.metadata.cset ?? null, a.shape]));
  const walk = (g: h5m.Group, prefix: string) => {
    for (const key of g.keys()) {
      const c = g.get(key) as h5m.Group | h5m.Dataset;
      const at = `${prefix}${key}`;
      if (skip && skip.test(at)) continue;
      if (c instanceof h5wasm.Group) { lines.push(`${at}/ ${attrs(c as never)}`); walk(c, `${at}/`); }
      else { const d = c as h5m.Dataset; lines.push(`${at} ${d.dtype} (${d.shape}) ${JSON.stringify(d.metadata.chunks)} ${attrs(d as never)}`); }
    }
  };
  lines.push(`/ ${attrs(f as never)}`);
  walk(f, '');
  f.close();
  FS.unlink(p);
  return lines;
}

/** config.json without what legitimately differs: object ids, the compile config, the input layer's name. */
function comparableConfig(bytes: Uint8Array): unknown {
  const c = JSON.parse(strFromU8(unzipSync(bytes)['config.json']));
  const strip = (o: unknown): unknown => {
    if (Array.isArray(o)) return o.map(strip);
    if (o && typeof o === 'object') return Object.fromEntries(Object.entries(o).filter(([key]) => key !== 'shared_object_id').map(([key, v]) => [key, strip(v)]));
    return o;
  };
  delete c.compile_config;
  c.config.layers[0].config.name = '(input)';
  return strip(c);
}

test('an exported .keras matches the Keras 3.15 sample: zip entries and order, STORED, config.json, HDF5 layout; h5wasm reads it back', async () => {
  const model = await importModel(sample, { kernels: k });
  const out = await exportModel(model, 'keras');
  assert.equal(zipEntries(out), zipEntries(sample));
  assert.equal(zipEntries(out).map((e) => e.method), [0, 0, 0]);
  assert.equal(JSON.stringify(comparableConfig(out)), JSON.stringify(comparableConfig(sample)));
  assert.equal(Object.keys(JSON.parse(strFromU8(unzipSync(out)['metadata.json']))), ['keras_version', 'date_saved']);
  const want = h5Layout(unzipSync(sample)['model.weights.h5'], /^optimizer/);
  const got = h5Layout(unzipSync(out)['model.weights.h5']);
  assert.ok(want.length >= 12, `sample layout listed: ${want.length} lines`);
  assert.equal(got, want);
  const again = await importModel(out, { kernels: k });
  const f = JSON.parse(readFileSync(path('a_lstm.json'), 'utf8'));
  const x = { data: Int32Array.from(f.input.value.flat()), shape: f.input.shape };
  expectClose('re-imported export vs Keras', (await again.predict(x)).data, f.output.value.flat(), 1e-5);
});

const T = 8;
/** Left-padded batch with a full row and an empty row (Keras pad_sequences default 'pre'). */
const leftPadded = (V: number) => {
  const lengths = [8, 5, 0, 2];
  const data = new Int32Array(lengths.length * T);
  lengths.forEach((len, b) => { for (let t = T - len; t < T; t++) data[b * T + t] = 1 + ((b * 13 + t * 5) % (V - 1)); });
  return { data, shape: [lengths.length, T] };
};

test('masked models with left-padded and empty rows keep their predictions through .keras and TF.js', async () => {
  const model = new Sequential([
    new Embedding({ inputDim: 30, outputDim: 4, maskZero: true, name: 'emb' }),
    new Bidirectional({ layer: new GRU({ units: 3, returnSequences: true, resetAfter: false, name: 'g' }), name: 'bi' }),
    new Bidirectional({ layer: new LSTM({ units: 3, name: 'l' }), mergeMode: 'ave', name: 'bi2' }),
    new Dense({ units: 2, activation: 'sigmoid', name: 'out' }),
  ], { kernels: k, seed: 5, name: 'masked' });
  await model.build([null]);
  const x = leftPadded(30);
  const want = await model.predict(x);
  const viaKeras = await importModel(await exportModel(model, 'keras'), { kernels: k });
  expectClose('via .keras', (await viaKeras.predict(x)).data, want.data);
  const t = await exportModel(model, 'tfjs');
  const viaTfjs = await importModel({ modelJson: t.modelJson, weights: t.weights }, { kernels: k });
  expectClose('via tfjs', (await viaTfjs.predict(x)).data, want.data);
  assert.is((viaKeras.layers[0] as Embedding).maskZero, true);
  assert.is((viaKeras.layers[2] as Bidirectional).mergeMode, 'ave');
});

/** A legacy .h5 in Keras 2's layout (model.save('m.h5') in TF 2.x): weight names with ':0'. */
function keras2H5(config: object, weights: Array<{ layer: string; names: string[]; tensors: Array<{ shape: number[]; data: Float32Array }> }>): Uint8Array {
  const p = `/keras2-${Math.random().toString(36).slice(2)}.h5`;
  const f = new h5wasm.File(p, 'w');
  f.create_attribute('keras_version', '2.15.0');
  f.create_attribute('backend', 'tensorflow');
  f.create_attribute('model_config', JSON.stringify(config));
  const mw = f.create_group('model_weights');
  mw.create_attribute('layer_names', weights.map((w) => w.layer));
  for (const w of weights) {
    const g = mw.create_group(w.layer);
    g.create_attribute('weight_names', w.names);
    w.names.forEach((n, i) => {
      const parts = n.split('/');
      let cur = g;
      for (const part of parts.slice(0, -1)) cur = (cur.keys().includes(part) ? cur.get(part) : cur.create_group(part)) as h5m.Group;
      cur.create_dataset({ name: parts[parts.length - 1], data: w.tensors[i].data, shape: w.tensors[i].shape, dtype: '<f4' });
    });
  }
  f.close();
  const bytes = FS.readFile(p).slice();
  FS.unlink(p);
  return bytes;
}

test('Keras 2 legacy .h5 (":0" weight names, GRU reset_after, masked) imports; its hard_sigmoid is the slope-0.2 one', async () => {
  const native = new Sequential([
    new Embedding({ inputDim: 15, outputDim: 3, maskZero: true, name: 'embedding' }),
    new GRU({ units: 4, name: 'gru' }),
    new Dense({ units: 1, activation: 'sigmoid', name: 'dense' }),
  ], { kernels: k, seed: 9 });
  await native.build([null]);
  const w = native.getWeights();
  const layer = (name: string, cfg: object) => ({ class_name: name, config: cfg });
  const config = (gateAct: string) => ({
    class_name: 'Sequential', config: { name: 'sequential', layers: [
      layer('InputLayer', { batch_input_shape: [null, null], dtype: 'float32', sparse: false, ragged: false, name: 'embedding_input' }),
      layer('Embedding', { name: 'embedding', trainable: true, batch_input_shape: [null, null], dtype: 'float32', input_dim: 15, output_dim: 3, mask_zero: true, input_length: null, embeddings_constraint: null }),
      layer('GRU', { name: 'gru', trainable: true, dtype: 'float32', return_sequences: false, return_state: false, go_backwards: false, stateful: false, unroll: false, time_major: false, units: 4, activation: 'tanh', recurrent_activation: gateAct, use_bias: true, dropout: 0.0, recurrent_dropout: 0.0, implementation: 2, reset_after: true, kernel_constraint: null, recurrent_constraint: null, bias_constraint: null, activity_regularizer: null }),
      layer('Dense', { name: 'dense', trainable: true, dtype: 'float32', units: 1, activation: 'sigmoid', use_bias: true, kernel_constraint: null, bias_constraint: null, activity_regularizer: null }),
    ] },
  });
  const weights = [
    { layer: 'embedding', names: ['embedding/embeddings:0'], tensors: [w[0]] },
    { layer: 'gru', names: ['gru/gru_cell/kernel:0', 'gru/gru_cell/recurrent_kernel:0', 'gru/gru_cell/bias:0'], tensors: w.slice(1, 4) },
    { layer: 'dense', names: ['dense/kernel:0', 'dense/bias:0'], tensors: w.slice(4, 6) },
  ];
  const x = leftPadded(15);
  const { model, format } = await importDetailed(keras2H5(config('sigmoid'), weights), { kernels: k });
  assert.is(format, 'h5');
  expectClose('Keras 2 h5', (await model.predict(x)).data, (await native.predict(x)).data);
  // Keras 2's hard_sigmoid is the slope-0.2 one (numbers checked against tfjs-layers in interop-hard-sigmoid.test.ts).
  const hs = await importModel(keras2H5(config('hard_sigmoid'), weights), { kernels: k });
  assert.is((hs.layers[1] as GRU).recurrentActivation, 'hard_sigmoid_tfjs');
});

test('damaged and unsupported files: typed errors naming the part', async () => {
  await rejectsTyped(() => importModel(sample.subarray(0, 30000), { name: 'cut.keras' }), ModelFileError, /cut\.keras: is not a readable zip/);
  const entries = unzipSync(sample);
  const noConfig = zipSync({ 'metadata.json': entries['metadata.json'], 'model.weights.h5': entries['model.weights.h5'] });
  await rejectsTyped(() => importModel(noConfig, { name: 'm.keras' }), ModelFileError, /m\.keras:config\.json: entry is missing/);
  const badH5 = entries['model.weights.h5'].slice(0, 2000);
  await rejectsTyped(() => importModel(zipSync({ ...entries, 'model.weights.h5': badH5 }), { name: 'b.keras' }), ModelFileError, /b\.keras:model\.weights\.h5/);
  const h5 = readFileSync(path('a_lstm.h5'));
  await rejectsTyped(() => importModel(h5.subarray(0, 40000), { name: 'cut.h5' }), ModelFileError, /cut\.h5/);

  const dir = mkdtempSync(join(tmpdir(), 'fused-rnn-interop-'));
  try {
    const json = readFileSync(path('tfjs/a_lstm/model.json'), 'utf8');
    writeFileSync(join(dir, 'model.json'), json);
    await rejectsTyped(() => importModel(join(dir, 'model.json')), ModelFileError, /weights\.bin: cannot read the TF\.js weight shard weights\.bin: ENOENT/);
    const bin = readFileSync(path('tfjs/a_lstm/weights.bin'));
    writeFileSync(join(dir, 'weights.bin'), bin.subarray(0, bin.length - 8));
    await rejectsTyped(() => importModel(join(dir, 'model.json')), ModelFileError, /weight dense\/kernel: needs bytes .* \(truncated shard\?\)|weight dense\/bias/);
    const m = JSON.parse(json);
    m.weightsManifest[0].weights[1].shape = [32, 16];
    await rejectsTyped(() => importModel({ modelJson: JSON.stringify(m), weights: bin }), ModelFileError, /LSTM "lstm" weight lstm\/kernel: has shape \(32, 16\) \(512 values\), expected \(16, 32\)/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }

  const config = JSON.parse(strFromU8(entries['config.json']));
  config.config.layers.splice(2, 0, { module: 'keras.layers', class_name: 'MultiHeadAttention', config: { name: 'att' }, registered_name: null });
  await rejectsTyped(() => importModel(zipSync({ ...entries, 'config.json': strToU8(JSON.stringify(config)) })), UnsupportedModelError, /MultiHeadAttention "att": this layer class is not supported/);
  const stateConfig = JSON.parse(strFromU8(entries['config.json']));
  stateConfig.config.layers[2].config.return_state = true;
  await rejectsTyped(() => importModel(zipSync({ ...entries, 'config.json': strToU8(JSON.stringify(stateConfig)) })), UnsupportedModelError, /LSTM "lstm": return_state = true is not supported/);
  await rejectsTyped(() => importModel(new Uint8Array([1, 2, 3, 4, 5]), { name: 'junk.bin' }), ModelFileError, /junk\.bin: is not a model file/);
  await rejectsTyped(() => importModel(readFileSync(path('d_torch_bilstm.safetensors')), { name: 'w.safetensors' }), ModelFileError, /w\.safetensors/);
});

test.run();
