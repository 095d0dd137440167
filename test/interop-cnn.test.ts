// Text CNN + recurrent layers through the Keras-family formats: Conv1D (same/causal padding, strides,
// dilation), pooling (max, average, global) and Flatten import with their options from .keras, TF.js and a
// legacy .h5 layout, and predict as the native model; SpatialDropout1D and unknown options are refused by name.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { strFromU8, strToU8, unzipSync, zipSync } from 'fflate';
import {
  AveragePooling1D, Conv1D, Dense, Embedding, Flatten, GlobalAveragePooling1D, GlobalMaxPooling1D, GRU, MaxPooling1D, Sequential, loadKernels, type Kernels,
} from '../src/index.js';
import { UnsupportedModelError, exportModel, importDetailed, importModel } from '../src/interop/index.js';
import { closeReport } from './helpers/check-close.js';
import { rejectsTyped } from './helpers/assert-throws.js';

let k: Kernels;
test.before(async () => {
  k = await loadKernels();
});

const T = 16;
const ids = Int32Array.from({ length: 3 * T }, (_, i) => 1 + ((i * 11) % 39));

function cnn(kind: 'global' | 'flatten'): Sequential {
  return new Sequential([
    new Embedding({ inputDim: 40, outputDim: 6, inputLength: T, name: 'emb' }),
    new Conv1D({ filters: 5, kernelSize: 3, padding: 'same', activation: 'relu', name: 'conv_a' }),
    new MaxPooling1D({ poolSize: 2, name: 'pool_a' }),
    new Conv1D({ filters: 4, kernelSize: 2, padding: 'causal', dilationRate: 2, activation: 'tanh', name: 'conv_b' }),
    new AveragePooling1D({ poolSize: 2, strides: 1, padding: 'same', name: 'pool_b' }),
    ...(kind === 'global'
      ? [new GRU({ units: 3, returnSequences: true, name: 'gru' }), new GlobalMaxPooling1D({ name: 'gmax' })]
      : [new Conv1D({ filters: 3, kernelSize: 3, strides: 2, name: 'conv_c' }), new Flatten({ name: 'flat' })]),
    new Dense({ units: 2, activation: 'softmax', name: 'out' }),
  ], { kernels: k, seed: 3, name: `cnn_${kind}` });
}

for (const kind of ['global', 'flatten'] as const) {
  test(`Conv1D/pooling/${kind} model: .keras and TF.js exports import with identical predictions`, async () => {
    const model = cnn(kind);
    await model.build([T]);
    const want = await model.predict({ data: ids, shape: [3, T] });
    const viaKeras = await importDetailed(await exportModel(model, 'keras'), { kernels: k });
    assert.equal(viaKeras.layers.map((l) => l.target), model.layers.map((l) => `${l.className} "${l.name}"`));
    const t = await exportModel(model, 'tfjs');
    const viaTfjs = await importModel({ modelJson: t.modelJson, weights: t.weights }, { kernels: k });
    for (const [label, m] of [['keras', viaKeras.model], ['tfjs', viaTfjs]] as const) {
      const got = await m.predict({ data: ids, shape: [3, T] });
      assert.equal(got.shape, want.shape);
      const r = closeReport(`${kind} via ${label}`, got.data, want.data, 1e-6, 0);
      assert.ok(r === null, r ?? '');
    }
  });
}

test('GlobalAveragePooling1D imports; SpatialDropout1D, channels_first and keepdims are refused by name', async () => {
  const model = new Sequential([
    new Embedding({ inputDim: 40, outputDim: 6, name: 'emb' }),
    new GlobalAveragePooling1D({ name: 'gavg' }),
    new Dense({ units: 1, activation: 'sigmoid', name: 'out' }),
  ], { kernels: k, seed: 4 });
  await model.build([null]);
  const bytes = await exportModel(model, 'keras');
  const back = await importModel(bytes, { kernels: k });
  const r = closeReport('gavg', (await back.predict({ data: ids, shape: [3, T] })).data, (await model.predict({ data: ids, shape: [3, T] })).data, 1e-6, 0);
  assert.ok(r === null, r ?? '');
  const entries = unzipSync(bytes);
  const edit = (f: (c: { config: { layers: Array<{ class_name: string; config: Record<string, unknown> }> } }) => void) => {
    const c = JSON.parse(strFromU8(entries['config.json']));
    f(c);
    return zipSync({ ...entries, 'config.json': strToU8(JSON.stringify(c)) });
  };
  await rejectsTyped(() => importModel(edit((c) => { c.config.layers[2].config.keepdims = true; })), UnsupportedModelError, /GlobalAveragePooling1D "gavg": keepdims = true is not supported/);
  await rejectsTyped(() => importModel(edit((c) => { c.config.layers[2].config.data_format = 'channels_first'; })), UnsupportedModelError, /GlobalAveragePooling1D "gavg": data_format = "channels_first"/);
  await rejectsTyped(() => importModel(edit((c) => { c.config.layers.splice(2, 0, { class_name: 'SpatialDropout1D', config: { name: 'sd', rate: 0.2 } }); })), UnsupportedModelError, /SpatialDropout1D "sd": this layer class is not supported/);
});

test.run();
