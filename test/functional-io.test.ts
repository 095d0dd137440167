// Functional models in the native format: getConfig → JSON → fromConfig rebuilds the same graph (shared
// layers, states, merges, several inputs and outputs); saveModelToBytes/loadModel round-trips weights,
// predictions and the per-output compile config.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  Bidirectional, Concatenate, Dense, Embedding, GRU, Input, LSTM, Masking, Model, RepeatVector, TimeDistributed, loadKernels, loadModel,
  saveModelToBytes, type SymbolicTensor,
} from '../src/index.js';
import { checkEqual } from './helpers/check-close.js';

function build() {
  const ids = Input({ shape: [6], dtype: 'int32', name: 'ids' }), feats = Input({ shape: [6, 3], name: 'feats' });
  const e = new Embedding({ inputDim: 11, outputDim: 3, maskZero: true, name: 'emb' }).apply(ids) as SymbolicTensor;
  const f = new Masking({ maskValue: -1, name: 'mask' }).apply(feats) as SymbolicTensor;
  const shared = new Dense({ units: 3, activation: 'tanh', name: 'proj' });
  const joined = new Concatenate({ name: 'join' }).apply([shared.apply(e) as SymbolicTensor, shared.apply(f) as SymbolicTensor]) as SymbolicTensor;
  const [y, h, c] = new LSTM({ units: 4, returnState: true, name: 'enc' }).apply(joined) as SymbolicTensor[];
  const dec = new GRU({ units: 4, returnSequences: true, name: 'dec' }).apply(new RepeatVector({ n: 3, name: 'rep' }).apply(y) as SymbolicTensor, { initialState: h }) as SymbolicTensor;
  const seq = new TimeDistributed({ layer: new Dense({ units: 5, activation: 'softmax' }), name: 'per_step' }).apply(dec) as SymbolicTensor;
  const bi = new Bidirectional({ layer: new LSTM({ units: 2 }), name: 'bi' }).apply(joined) as SymbolicTensor;
  const score = new Dense({ units: 1, activation: 'sigmoid', name: 'score' }).apply(new Concatenate({ name: 'join2' }).apply([bi, c]) as SymbolicTensor) as SymbolicTensor;
  return new Model({ inputs: [ids, feats], outputs: [seq, score], name: 'two_heads', seed: 3 });
}

const x = [
  [[1, 2, 3, 0, 0, 0], [4, 5, 6, 7, 8, 9], [2, 2, 0, 0, 0, 0]],
  { data: Float32Array.from({ length: 54 }, (_, i) => (i % 7 === 0 ? -1 : Math.cos(i))), shape: [3, 6, 3] },
];

test('getConfig → JSON → fromConfig: same layers, same graph, same predictions with the same weights', async () => {
  const k = await loadKernels();
  const a = build();
  (a as { kernels: unknown }).kernels = k;
  await a.build();
  const json = JSON.parse(JSON.stringify(a.getConfig()));
  assert.is(json.className, 'Functional');
  const b = Model.fromConfig(json, { kernels: k });
  await b.build();
  assert.equal(b.inputNames, a.inputNames);
  assert.equal(b.outputNames, a.outputNames);
  assert.equal(b.getWeights().map((w) => [w.path, w.shape]), a.getWeights().map((w) => [w.path, w.shape]));
  assert.equal(JSON.parse(JSON.stringify(b.getConfig())), json, 'config round-trips exactly');
  b.setWeights(a.getWeights());
  const pa = await a.predict(x) as Array<{ data: Float32Array }>, pb = await b.predict(x) as Array<{ data: Float32Array }>;
  pa.forEach((p, i) => checkEqual(`output ${i}`, pb[i].data, p.data));
});

test('saveModelToBytes / loadModel: a trained functional model with per-output losses comes back whole', async () => {
  const k = await loadKernels();
  const m = build();
  (m as { kernels: unknown }).kernels = k;
  m.compile({ optimizer: 'adam', loss: { per_step: 'sparseCategoricalCrossentropy', score: 'binaryCrossentropy' }, metrics: { score: ['accuracy'] }, lossWeights: { per_step: 1, score: 2 } });
  const y = { per_step: [[1, 2, 3], [4, 0, 1], [2, 2, 2]], score: [1, 0, 1] };
  await m.fit(x, y, { epochs: 2, batchSize: 2 });
  const loaded = await loadModel<Model>(saveModelToBytes(m), { kernels: k });
  assert.equal(loaded.compileConfig, m.compileConfig);
  const pa = await m.predict(x) as Array<{ data: Float32Array }>, pb = await loaded.predict(x) as Array<{ data: Float32Array }>;
  pa.forEach((p, i) => checkEqual(`output ${i}`, pb[i].data, p.data));
  const la = await m.evaluate(x, y), lb = await loaded.evaluate(x, y);
  assert.equal(lb, la);
});

test.run();
