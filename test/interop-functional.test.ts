// Keras functional models that are not one chain import as fused-rnn functional Models: an encoder-decoder
// (LSTM return_state → decoder initial_state, two inputs) and a masked two-branch model (LSTM and GRU over one
// masked embedding → Concatenate → Dense). The `.keras` files are written here in Keras 3's functional format
// (config.json inbound_nodes with keras_history; weights at layers/<class counter>/...) from native models;
// the imported models must predict as the native ones. A shared layer is refused by name.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { strToU8, zipSync } from 'fflate';
import { Concatenate, Dense, Embedding, GRU, Input, LSTM, Model, loadKernels, type Kernels, type Sequential, type SymbolicTensor } from '../src/index.js';
import { UnsupportedModelError, importDetailed } from '../src/interop/index.js';
import { kerasWeightsH5 } from '../src/interop/keras/export-keras.js';
import { closeReport } from './helpers/check-close.js';
import { rejectsTyped } from './helpers/assert-throws.js';

let k: Kernels;
test.before(async () => {
  k = await loadKernels();
});

type Json = Record<string, unknown>;
const hist = (layer: string, index = 0) => ({ class_name: '__keras_tensor__', config: { shape: null, dtype: 'float32', keras_history: [layer, 0, index] } });
const layer = (class_name: string, config: Json, args: unknown[] = [], kwargs: Json = {}) =>
  ({ module: 'keras.layers', class_name, config, registered_name: null, name: config.name, inbound_nodes: args.length ? [{ args, kwargs }] : [] });
const input = (name: string, T: number | null) => ({ module: 'keras.layers', class_name: 'InputLayer', config: { batch_shape: [null, T], dtype: 'int32', sparse: false, name }, registered_name: null, name, inbound_nodes: [] });
const rnn = (cls: string, name: string, units: number, extra: Json = {}) => ({ name, units, activation: 'tanh', recurrent_activation: 'sigmoid', use_bias: true, return_sequences: false, return_state: false, go_backwards: false, stateful: false, dropout: 0, recurrent_dropout: 0, ...(cls === 'GRU' ? { reset_after: true } : {}), ...extra });

async function kerasFile(native: Model, config: Json): Promise<Uint8Array> {
  // Keras lists a functional model's layers in model.layers order, and the weight keys count in that order.
  const order = native.layers.map((l) => l.name);
  const rank = (l: { class_name: string; name: unknown }) => (l.class_name === 'InputLayer' ? -1 : order.indexOf(String(l.name)));
  config = { ...config, layers: [...(config.layers as Array<{ class_name: string; name: unknown }>)].sort((a, b) => rank(a) - rank(b)) };
  const weights = await kerasWeightsH5(native as unknown as Sequential);
  return zipSync({
    'metadata.json': [strToU8(JSON.stringify({ keras_version: '3.15.1', date_saved: 'x' })), { level: 0 }],
    'config.json': [strToU8(JSON.stringify({ module: 'keras.src.models.functional', class_name: 'Functional', config, registered_name: 'Functional' })), { level: 0 }],
    'model.weights.h5': [weights, { level: 0 }],
  });
}

const ids = (B: number, T: number, V: number, pad = 0) => Int32Array.from({ length: B * T }, (_, i) => ((i % T) < pad * (Math.floor(i / T) % 2) ? 0 : 1 + ((i * 7) % (V - 1))));

test('encoder-decoder: LSTM return_state → decoder LSTM initial_state; two inputs; sequence output', async () => {
  const enc = Input({ shape: [null], dtype: 'int32', name: 'enc_in' });
  const dec = Input({ shape: [null], dtype: 'int32', name: 'dec_in' });
  const [, h, c] = new LSTM({ units: 5, returnState: true, name: 'encoder' }).apply(new Embedding({ inputDim: 20, outputDim: 4, name: 'enc_emb' }).apply(enc) as SymbolicTensor) as SymbolicTensor[];
  const seq = new LSTM({ units: 5, returnSequences: true, name: 'decoder' }).apply(new Embedding({ inputDim: 18, outputDim: 3, name: 'dec_emb' }).apply(dec) as SymbolicTensor, { initialState: [h, c] }) as SymbolicTensor;
  const out = new Dense({ units: 18, activation: 'softmax', name: 'probs' }).apply(seq) as SymbolicTensor;
  const native = new Model({ inputs: [enc, dec], outputs: out, name: 's2s', kernels: k, seed: 21 });
  await native.build();
  const config = {
    name: 's2s', trainable: true,
    layers: [
      input('enc_in', null), input('dec_in', null),
      layer('Embedding', { name: 'enc_emb', input_dim: 20, output_dim: 4, mask_zero: false }, [hist('enc_in')]),
      layer('LSTM', rnn('LSTM', 'encoder', 5, { return_state: true }), [hist('enc_emb')]),
      layer('Embedding', { name: 'dec_emb', input_dim: 18, output_dim: 3, mask_zero: false }, [hist('dec_in')]),
      layer('LSTM', rnn('LSTM', 'decoder', 5, { return_sequences: true }), [hist('dec_emb')], { initial_state: [hist('encoder', 1), hist('encoder', 2)], training: false }),
      layer('Dense', { name: 'probs', units: 18, activation: 'softmax', use_bias: true }, [hist('decoder')]),
    ],
    input_layers: [['enc_in', 0, 0], ['dec_in', 0, 0]], output_layers: [['probs', 0, 0]],
  };
  const { model, layers } = await importDetailed<Model>(await kerasFile(native, config), { kernels: k });
  assert.is(model.className, 'Functional');
  assert.equal(layers.map((l) => l.target).sort(), ['Dense "probs"', 'Embedding "dec_emb"', 'Embedding "enc_emb"', 'LSTM "decoder"', 'LSTM "encoder"']);
  const x = [{ data: ids(3, 6, 20), shape: [3, 6] }, { data: ids(3, 4, 18), shape: [3, 4] }];
  const want = await native.predict(x), got = await model.predict(x);
  const r = closeReport('seq2seq', (got as { data: Float32Array }).data, (want as { data: Float32Array }).data, 1e-6, 0);
  assert.ok(r === null, r ?? '');
});

test('masked two-branch model (LSTM | GRU over one mask_zero embedding → Concatenate → Dense); shared layers refused', async () => {
  const x = Input({ shape: [null], dtype: 'int32', name: 'tokens' });
  const e = new Embedding({ inputDim: 25, outputDim: 4, maskZero: true, name: 'emb' }).apply(x) as SymbolicTensor;
  const a = new LSTM({ units: 3, name: 'branch_lstm' }).apply(e) as SymbolicTensor;
  const b = new GRU({ units: 2, name: 'branch_gru' }).apply(e) as SymbolicTensor;
  const y = new Dense({ units: 1, activation: 'sigmoid', name: 'out' }).apply(new Concatenate({ name: 'cat' }).apply([a, b]) as SymbolicTensor) as SymbolicTensor;
  const native = new Model({ inputs: x, outputs: y, name: 'branches', kernels: k, seed: 22 });
  await native.build();
  const layers = [
    input('tokens', null),
    layer('Embedding', { name: 'emb', input_dim: 25, output_dim: 4, mask_zero: true }, [hist('tokens')]),
    layer('LSTM', rnn('LSTM', 'branch_lstm', 3), [hist('emb')]),
    layer('GRU', rnn('GRU', 'branch_gru', 2), [hist('emb')]),
    layer('Concatenate', { name: 'cat', axis: -1 }, [[hist('branch_lstm'), hist('branch_gru')]]),
    layer('Dense', { name: 'out', units: 1, activation: 'sigmoid', use_bias: true }, [hist('cat')]),
  ];
  const config = { name: 'branches', layers, input_layers: [['tokens', 0, 0]], output_layers: [['out', 0, 0]] };
  const model = (await importDetailed<Model>(await kerasFile(native, config), { kernels: k })).model;
  const data = { data: ids(4, 7, 25, 3), shape: [4, 7] };
  const want = await native.predict(data), got = await model.predict(data);
  const r = closeReport('branches', (got as { data: Float32Array }).data, (want as { data: Float32Array }).data, 1e-6, 0);
  assert.ok(r === null, r ?? '');
  const shared = { ...config, layers: [...layers.slice(0, 5), { ...layers[5], inbound_nodes: [{ args: [hist('cat')], kwargs: {} }, { args: [hist('cat')], kwargs: {} }] }] };
  const sharedFile = await kerasFile(native, shared);
  await rejectsTyped(() => importDetailed(sharedFile, { kernels: k }), UnsupportedModelError, /Dense "out": a layer called more than once \(shared layer\)/);
});

test.run();
