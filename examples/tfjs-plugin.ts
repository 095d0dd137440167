// fused-rnn as the recurrent backend of TensorFlow.js (`npm run example:tfjs-plugin`):
//   1. install the fused layers into tfjs (tfjs-core + tfjs-layers 4.x, here on its wasm backend);
//   2. load an existing tfjs model file (written by tfjs' own model.save): its LSTM now runs fused;
//   3. build a model with the fused factories (a Keras-default reset_after GRU, which stock tfjs refuses) and
//      train it with tfjs' own model.fit;
//   4. time predict of the same LSTM(256) model, stock vs fused, on the same backend.
import * as tfc from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import * as tfl from '@tensorflow/tfjs-layers';
import { readFileSync } from 'node:fs';
import { fusedLayers, installFusedLayers } from '../src/tfjs/index.js';

const tf = { ...tfc, ...tfl };
await tf.setBackend('wasm');

// 1. Register fused LSTM, GRU, SimpleRNN and Bidirectional under tfjs' class names.
const fused = await installFusedLayers(tf);

// 2. An existing tfjs model: Embedding(200, 16) → LSTM(8) → Dense(1, sigmoid), saved by tfjs-layers 4.22.
const dir = new URL('../test/fixtures/tfjs/a_lstm/', import.meta.url);
const json = JSON.parse(readFileSync(new URL('model.json', dir), 'utf8'));
const bin = readFileSync(new URL('weights.bin', dir));
const model = await tf.loadLayersModel({
  load: async () => ({ modelTopology: json.modelTopology, weightSpecs: json.weightsManifest[0].weights,
    weightData: bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.byteLength) }),
});
const ids = tf.tensor2d([[9, 174, 113, 61, 141, 81, 33, 145, 124, 12, 115, 175]], [1, 12], 'int32');
console.log(`loaded tfjs model; its LSTM is fused: ${model.getLayer('lstm') instanceof fused.classes.LSTM}; ` +
  `prediction ${(model.predict(ids) as tfc.Tensor).dataSync()[0].toFixed(6)} (tfjs stored 0.417827)`);

// 3. A reset_after GRU (Keras' default; bias (2, 3H)) trained by tfjs' model.fit through the fused kernels.
const T = 20, D = 4, N = 256;
const xs = tf.randomUniform([N, T, D], -1, 1, 'float32', 1);
const ys = tf.reshape(tf.cast(tf.greater(tf.sum(tf.slice(xs, [0, 0, 0], [N, T, 1]), [1, 2]), 0), 'float32'), [N, 1]);
const gruModel = tf.sequential({ layers: [
  fusedLayers.gru({ units: 32, resetAfter: true, recurrentActivation: 'sigmoid', recurrentInitializer: 'glorotUniform', inputShape: [T, D] }),
  tf.layers.dense({ units: 1, activation: 'sigmoid' }),
] });
gruModel.compile({ optimizer: tf.train.adam(0.01), loss: 'binaryCrossentropy', metrics: ['accuracy'] });
const history = await gruModel.fit(xs, ys, { epochs: 8, batchSize: 32, verbose: 0 });
const acc = history.history.acc as number[];
console.log(`GRU(32, resetAfter) trained by model.fit: accuracy ${acc[0].toFixed(2)} → ${acc[acc.length - 1].toFixed(2)} (task: sign of Σ x[:, 0])`);

// 4. The same LSTM(256) model on (1, 64, 64), stock tfjs-wasm vs fused.
fused.uninstall(); // registry back to stock (layers built above stay fused)
const build = (L: typeof tf.layers | typeof fusedLayers) => tf.sequential({ layers: [
  L.lstm({ units: 256, recurrentActivation: 'sigmoid', recurrentInitializer: 'glorotUniform', inputShape: [64, 64] }),
] });
const stock = build(tf.layers), mine = build(fused.layers); // fused.layers stays usable after uninstall
mine.setWeights(stock.getWeights());
const x = tf.randomUniform([1, 64, 64], -1, 1, 'float32', 2);
const time = (m: tfl.LayersModel) => {
  for (let i = 0; i < 3; i++) (m.predict(x) as tfc.Tensor).dataSync();
  const t = performance.now();
  for (let i = 0; i < 5; i++) (m.predict(x) as tfc.Tensor).dataSync();
  return (performance.now() - t) / 5;
};
const ts = time(stock), tm = time(mine);
console.log(`LSTM(256) predict on (1, 64, 64), tfjs-wasm: stock ${ts.toFixed(1)} ms, fused ${tm.toFixed(1)} ms (${(ts / tm).toFixed(1)}x)`);
