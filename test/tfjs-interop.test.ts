// fused-rnn/tfjs and tfjs model files: a model written by tfjs-layers 4.22 itself (model.save;
// test/fixtures/tfjs/a_lstm, copied from the shared interop fixtures, with the output tfjs computed on the
// stored input) loads through tf.loadLayersModel with its LSTM built as a fused layer and predicts the stored
// output within 1e-5; models saved by stock tfjs load fused (and back), config and weight names are tfjs'
// own, and a Keras-default GRU (reset_after, bias (2, 3H)) that stock tfjs refuses to load loads fused.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { installFusedLayers, type FusedLayersInstallation } from '../src/tfjs/index.js';
import { checkClose } from './helpers/check-close.js';
import { uniform } from './helpers/random.js';
import { calls, resetCounters, setup, stockPathCalls, tf } from './helpers/tfjs-twins.js';

/* eslint-disable @typescript-eslint/no-explicit-any */
const FIXTURES = new URL('./fixtures/tfjs/', import.meta.url);
let inst: FusedLayersInstallation;

test.before(async () => {
  const unregistered = await setup('cpu');
  // Registered this time: tf.loadLayersModel must build fused layers.
  inst = await installFusedLayers(tf, { kernels: unregistered.kernels, onStockPath: (l, r) => stockPathCalls.push(`${l}: ${r}`) });
});

/** An in-memory IOHandler over saved artifacts (what tfjs' file/http handlers produce). */
function fromArtifacts(artifacts: any) {
  return { load: async () => artifacts };
}

/** model.save into memory: the artifacts tfjs writes (model.json topology, weight specs and the weight bytes). */
async function saved(model: any): Promise<any> {
  let artifacts: any;
  await model.save(tf.io.withSaveHandler(async (a: any) => {
    artifacts = a;
    return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
  }));
  return artifacts;
}

test('a model saved by tfjs-layers (model.json + weights.bin) loads with a fused LSTM and predicts tfjs\' stored output', async () => {
  resetCounters();
  const json = JSON.parse(readFileSync(new URL('a_lstm/model.json', FIXTURES), 'utf8'));
  const bin = readFileSync(new URL('a_lstm/weights.bin', FIXTURES));
  const expected = JSON.parse(readFileSync(new URL('f_tfjs_a_lstm.json', FIXTURES), 'utf8'));
  const model = await tf.loadLayersModel(fromArtifacts({
    modelTopology: json.modelTopology, format: json.format, generatedBy: json.generatedBy, convertedBy: json.convertedBy,
    weightSpecs: json.weightsManifest[0].weights, weightData: bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.byteLength),
  }));
  const lstm = model.getLayer('lstm');
  assert.ok(lstm instanceof inst.classes.LSTM, 'the LSTM is built as the fused class');
  assert.is(lstm.getClassName(), 'LSTM');
  const ids = tf.tensor2d(expected.input.value.flat(), expected.input.shape, 'int32');
  const y = (model.predict(ids) as any).dataSync();
  checkClose('prediction vs tfjs\' stored output', y, expected.output.value.flat(), 1e-5, 0);
  assert.ok(calls(/lstm_infer/) === 1, 'one fused kernel call for the whole batch of sequences');
  assert.equal(stockPathCalls, []);
  // The same file in stock tfjs (registry restored) predicts the same.
  inst.uninstall();
  try {
    const stock = await tf.loadLayersModel(fromArtifacts({
      modelTopology: json.modelTopology, weightSpecs: json.weightsManifest[0].weights, weightData: bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.byteLength),
    }));
    assert.not.ok(stock.getLayer('lstm') instanceof inst.classes.LSTM, 'uninstall restores the stock class');
    checkClose('stock tfjs on the same file', (stock.predict(ids) as any).dataSync(), y, 1e-5, 0);
  } finally {
    inst = await installFusedLayers(tf, { kernels: inst.kernels, onStockPath: (l, r) => stockPathCalls.push(`${l}: ${r}`) });
  }
});

/** A stock tfjs model with every recurrent class, built while the registry is stock. */
function stockModel() {
  const R = { recurrentActivation: 'sigmoid', recurrentInitializer: 'glorotUniform' } as const;
  const input = tf.input({ shape: [6, 5] });
  let h = tf.layers.masking({ maskValue: 0 }).apply(input) as any;
  h = tf.layers.bidirectional({ layer: tf.layers.lstm({ units: 4, returnSequences: true, ...R }) as any, mergeMode: 'sum' }).apply(h);
  // tfjs' defaults (hardSigmoid gates) in the GRU: fused via the kernels' hard_sigmoid_tfjs.
  h = tf.layers.gru({ units: 5, returnSequences: true, recurrentInitializer: 'glorotUniform' }).apply(h);
  h = tf.layers.simpleRNN({ units: 3, goBackwards: true, recurrentInitializer: 'glorotUniform' }).apply(h);
  const model = tf.model({ inputs: input, outputs: tf.layers.dense({ units: 2 }).apply(h) as any });
  model.setWeights(model.weights.map((w, i) => {
    const shape = w.shape as number[];
    return tf.tensor(uniform(shape.reduce((a, b) => a * b, 1), 60 + i, -0.5, 0.5), shape);
  }));
  return model;
}

test('models saved by stock tfjs load fused (Bidirectional, GRU, SimpleRNN, masks) and round-trip through model.save', async () => {
  resetCounters();
  inst.uninstall();
  let stock: any;
  try {
    stock = stockModel();
  } finally {
    inst = await installFusedLayers(tf, { kernels: inst.kernels, onStockPath: (l, r) => stockPathCalls.push(`${l}: ${r}`) });
  }
  const v = uniform(4 * 6 * 5, 3);
  v.fill(0, 2 * 30 + 4 * 5, 3 * 30); // row 2: last two steps masked
  const xs = tf.tensor3d(v, [4, 6, 5]);
  const want = (stock.predict(xs) as any).dataSync();
  const artifacts = await saved(stock);
  const fused = await tf.loadLayersModel(fromArtifacts(artifacts));
  const classes = fused.layers.map((l: any) => l.getClassName());
  assert.equal(classes, ['InputLayer', 'Masking', 'Bidirectional', 'GRU', 'SimpleRNN', 'Dense']);
  assert.ok(fused.layers[2] instanceof inst.classes.Bidirectional && (fused.layers[2] as any).forwardLayer instanceof inst.classes.LSTM);
  assert.ok(fused.layers[3] instanceof inst.classes.GRU && fused.layers[4] instanceof inst.classes.SimpleRNN);
  checkClose('fused model loaded from stock artifacts', (fused.predict(xs) as any).dataSync(), want, 1e-5, 0);
  assert.ok(calls(/lstm_infer/) === 2 && calls(/gru_infer/) === 1 && calls(/simple_rnn_infer/) === 1, 'every recurrent layer ran fused');
  // Saved again by the fused model: the same topology (class names, config) and weight names as tfjs wrote.
  const again = await saved(fused);
  assert.equal(JSON.parse(JSON.stringify(again.modelTopology)), JSON.parse(JSON.stringify(artifacts.modelTopology)));
  assert.equal(again.weightSpecs.map((s: any) => `${s.name} ${s.shape}`), artifacts.weightSpecs.map((s: any) => `${s.name} ${s.shape}`));
  assert.equal(stockPathCalls, []);
});

test('a Keras-default GRU (resetAfter true, bias (2, 3H)) saves and loads fused; stock tfjs refuses the same file', async () => {
  const input = tf.input({ shape: [5, 3] });
  const gru = inst.layers.gru({ units: 4, resetAfter: true, recurrentActivation: 'sigmoid', recurrentInitializer: 'glorotUniform', name: 'g' });
  const model = tf.model({ inputs: input, outputs: gru.apply(input) as any });
  model.setWeights(model.weights.map((w, i) => tf.tensor(uniform((w.shape as number[]).reduce((a, b) => a * b, 1), 80 + i), w.shape as number[])));
  const artifacts = await saved(model);
  const topology = JSON.stringify(artifacts.modelTopology);
  assert.ok(/"reset_after":true/.test(topology), 'the config says reset_after: true');
  assert.equal(artifacts.weightSpecs.map((s: any) => `${s.name} ${s.shape}`), ['g/kernel 3,12', 'g/recurrent_kernel 4,12', 'g/bias 2,12']);
  const xs = tf.tensor3d(uniform(2 * 5 * 3, 9), [2, 5, 3]);
  const loaded = await tf.loadLayersModel(fromArtifacts(artifacts));
  checkClose('reloaded reset_after GRU', (loaded.predict(xs) as any).dataSync(), (model.predict(xs) as any).dataSync(), 0, 0);
  inst.uninstall();
  try {
    await tf.loadLayersModel(fromArtifacts(artifacts)).then(() => assert.unreachable('stock tfjs should refuse reset_after'), (e: Error) => {
      assert.match(e.message, /reset_after/);
    });
  } finally {
    inst = await installFusedLayers(tf, { kernels: inst.kernels, onStockPath: (l, r) => stockPathCalls.push(`${l}: ${r}`) });
  }
});

test('installing twice finds the stock classes through the fused ones; fusedLayers needs an install', async () => {
  const again = await installFusedLayers(tf, { kernels: inst.kernels });
  assert.ok(Object.getPrototypeOf(again.classes.LSTM) === Object.getPrototypeOf(inst.classes.LSTM), 'both extend the stock LSTM');
  again.uninstall();
  inst.uninstall();
  const { fusedLayers } = await import('../src/tfjs/index.js');
  assert.throws(() => fusedLayers.lstm({ units: 2 }), /installFusedLayers/);
  await installFusedLayers({} as any).then(() => assert.unreachable('a namespace without tfjs-layers is refused'),
    (e: Error) => assert.match(e.message, /tfjs-core and tfjs-layers/));
});

test.run();
