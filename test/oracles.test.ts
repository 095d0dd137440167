// Oracle tests against TensorFlow.js 4.22 (cpu backend): the same weights in a tfjs model and in a fused-rnn
// Sequential (wasm SIMD kernels) give the same outputs (predict, returnSequences on and off), the same loss
// and gradients (tf.variableGrads vs the gradient fused-rnn applies in one plain SGD step with lr = 1), and
// the same weights after 5 Adam steps of Embedding → LSTM → Dense(sigmoid) with binary cross-entropy.
// tfjs settings that differ from Keras 3 defaults are set explicitly: recurrentActivation 'sigmoid' (tfjs
// default hardSigmoid), unitForgetBias (irrelevant once weights are set, set anyway); tfjs' GRU is always
// reset-before (Keras resetAfter false; its args have no resetAfter), so the fused GRUs here set resetAfter false
// (reset-after GRU, the Keras 3 default, is checked against ONNX Runtime in bench/peers, see docs/peers.md).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Adam, Bidirectional, Dense, Embedding, GRU, LSTM, SGD, Sequential, SimpleRNN, loadKernels, type Kernels, type Layer } from '../src/index.js';
import { checkClose } from './helpers/check-close.js';
import { uniform } from './helpers/random.js';
import { ORACLE_RNN, checkSameLayout, copyWeightsToTfjs, normalizedPath, tf, tfjsGradients, tfjsWeights, tfl, useCpu } from './oracles/tfjs.js';

let k: Kernels;
test.before(async () => {
  k = await loadKernels();
  await useCpu();
});

interface Case {
  name: string;
  N: number;
  T: number;
  D: number;
  fused: () => Layer[];
  tfjs: () => tfl.layers.Layer[];
}

// H = 7 and D = 5 (not multiples of 4), H = 9 for GRU, T = 1 / N = 1 edge cases.
const lstm = (H: number, seq: boolean) => ({
  fused: () => [new LSTM({ units: H, returnSequences: seq })],
  tfjs: (D: number, T: number) => [tfl.layers.lstm({ units: H, returnSequences: seq, unitForgetBias: true, inputShape: [T, D], ...ORACLE_RNN })],
});
const CASES: Case[] = [
  ...[false, true].map((seq) => ({ name: `LSTM(7${seq ? ', seq' : ''})`, N: 3, T: 6, D: 5, ...wrap(lstm(7, seq), 5, 6) })),
  { name: 'LSTM(7), T = 1, N = 1', N: 1, T: 1, D: 5, ...wrap(lstm(7, false), 5, 1) },
  ...[false, true].map((seq) => ({
    name: `GRU(9, resetAfter false${seq ? ', seq' : ''})`, N: 3, T: 6, D: 5,
    fused: () => [new GRU({ units: 9, returnSequences: seq, resetAfter: false })],
    tfjs: () => [tfl.layers.gru({ units: 9, returnSequences: seq, inputShape: [6, 5], ...ORACLE_RNN })],
  })),
  ...[false, true].map((seq) => ({
    name: `SimpleRNN(7, tanh${seq ? ', seq' : ''})`, N: 3, T: 6, D: 5,
    fused: () => [new SimpleRNN({ units: 7, returnSequences: seq })],
    tfjs: () => [tfl.layers.simpleRNN({ units: 7, returnSequences: seq, inputShape: [6, 5], recurrentInitializer: 'glorotUniform' })],
  })),
  ...[false, true].map((seq) => ({
    name: `Bidirectional(LSTM(6${seq ? ', seq' : ''}), concat)`, N: 3, T: 6, D: 5,
    fused: () => [new Bidirectional({ layer: new LSTM({ units: 6, returnSequences: seq }) })],
    tfjs: () => [tfl.layers.bidirectional({
      layer: tfl.layers.lstm({ units: 6, returnSequences: seq, unitForgetBias: true, ...ORACLE_RNN }) as unknown as tfl.layers.RNN,
      mergeMode: 'concat', inputShape: [6, 5],
    })],
  })),
  {
    name: 'LSTM(7, seq) → GRU(6, resetAfter false) → Dense(3, tanh)', N: 4, T: 5, D: 5,
    fused: () => [new LSTM({ units: 7, returnSequences: true }), new GRU({ units: 6, resetAfter: false }), new Dense({ units: 3, activation: 'tanh' })],
    tfjs: () => [tfl.layers.lstm({ units: 7, returnSequences: true, unitForgetBias: true, inputShape: [5, 5], ...ORACLE_RNN }),
      tfl.layers.gru({ units: 6, ...ORACLE_RNN }), tfl.layers.dense({ units: 3, activation: 'tanh' })],
  },
];

function wrap(l: { fused: () => Layer[]; tfjs: (D: number, T: number) => tfl.layers.Layer[] }, D: number, T: number) {
  return { fused: l.fused, tfjs: () => l.tfjs(D, T) };
}

/** A fused-rnn model with seeded uniform weights in [-0.5, 0.5) and its tfjs twin holding the same weights. */
async function twins(c: Case, seed: number) {
  const fused = new Sequential(c.fused(), { seed, kernels: k });
  await fused.build([c.T, c.D]);
  fused.setWeights(fused.getWeights().map((w, i) => ({ ...w, data: uniform(w.data.length, seed * 100 + i, -0.5, 0.5) })));
  const model = tfl.sequential({ layers: c.tfjs() });
  copyWeightsToTfjs(fused, model);
  return { fused, model };
}

test('weight paths map between fused-rnn and tfjs (and a mismatch is reported)', () => {
  assert.is(normalizedPath('bidirectional_Bidirectional1/forward_lstm_LSTM1/kernel'), 'bidirectional/forward_lstm/kernel');
  assert.is(normalizedPath('bidirectional_2/backward_gru_3/recurrent_kernel'), 'bidirectional/backward_gru/recurrent_kernel');
  assert.is(normalizedPath('simple_rnn_SimpleRNN12/bias'), 'simple_rnn/bias');
  assert.is(normalizedPath('simple_rnn/bias'), 'simple_rnn/bias');
  assert.throws(() => checkSameLayout([{ path: 'gru/bias', shape: [2, 9] }], [{ path: 'gru_GRU1/bias', shape: [9] }]), /gru\/bias \[2,9\] does not match/);
  assert.throws(() => checkSameLayout([{ path: 'lstm/kernel', shape: [5, 28] }], [{ path: 'gru_GRU1/kernel', shape: [5, 28] }]), /does not match/);
});

for (const c of CASES) {
  test(`outputs agree with tfjs: ${c.name}`, async () => {
    const { fused, model } = await twins(c, 3);
    const x = uniform(c.N * c.T * c.D, 17, -1, 1);
    const got = await fused.predict({ data: x, shape: [c.N, c.T, c.D] });
    const want = tf.tidy(() => (model.predict(tf.tensor3d(x, [c.N, c.T, c.D])) as tf.Tensor).dataSync() as Float32Array);
    const wantShape = (model.outputs[0].shape as number[]).slice(1);
    assert.equal(got.shape, [c.N, ...wantShape]);
    checkClose(`${c.name} output`, got.data, want, 1e-5, 0);
  });

  test(`MSE loss and gradients agree with tfjs: ${c.name}`, async () => {
    const { fused, model } = await twins(c, 4);
    const x = uniform(c.N * c.T * c.D, 18, -1, 1);
    const outShape = [c.N, ...(model.outputs[0].shape as number[]).slice(1)];
    const y = uniform(outShape.reduce((a, b) => a * b, 1), 19, -1, 1);
    // Keras mean_squared_error averages the last axis, then the batch (and time) average: the mean of all elements.
    const want = tf.tidy(() => tfjsGradients(model, tf.tensor3d(x, [c.N, c.T, c.D]), (out) => tf.mean(tf.square(tf.sub(out, tf.tensor(y, outShape)))) as tf.Scalar));
    fused.compile({ optimizer: new SGD({ learningRate: 1 }), loss: 'mse' });
    const w0 = fused.getWeights();
    const h = await fused.fit({ data: x, shape: [c.N, c.T, c.D] }, { data: y, shape: outShape }, { epochs: 1, batchSize: c.N, shuffle: false });
    checkClose(`${c.name} loss`, [h.history.loss[0]], [want.loss], 1e-6, 1e-5);
    const w1 = fused.getWeights();
    w0.forEach((w, i) => {
      // One SGD step with lr = 1: the applied gradient is w0 − w1 (exact up to the rounding of w1, ~6e-8 here).
      const g = w.data.map((v, j) => v - w1[i].data[j]);
      checkClose(`${c.name} d ${w.path}`, g, want.grads[i], 1e-5, 1e-4);
    });
  });
}

test('5 Adam steps of Embedding → LSTM → Dense(sigmoid), BCE: losses and weights agree with tfjs', async () => {
  const N = 6, T = 8, V = 11, E = 5, H = 7, steps = 5;
  const lr = 0.01, beta1 = 0.9, beta2 = 0.999, epsilon = 1e-7;
  const fused = new Sequential([new Embedding({ inputDim: V, outputDim: E }), new LSTM({ units: H }), new Dense({ units: 1, activation: 'sigmoid' })], { seed: 2, kernels: k });
  await fused.build([T]);
  const initial = fused.getWeights().map((w, i) => ({ ...w, data: uniform(w.data.length, 40 + i, -0.5, 0.5) }));
  fused.setWeights(initial);
  const model = tfl.sequential({
    layers: [tfl.layers.embedding({ inputDim: V, outputDim: E, inputLength: T }), tfl.layers.lstm({ units: H, unitForgetBias: true, ...ORACLE_RNN }),
      tfl.layers.dense({ units: 1, activation: 'sigmoid' })],
  });
  copyWeightsToTfjs(fused, model);
  const ids = Int32Array.from(uniform(N * T, 50, 0, V), Math.floor);
  const labels = Float32Array.from(uniform(N, 51, 0, 2), Math.floor);

  // Keras 3 Adam (fused-rnn): w −= lr·sqrt(1−β2^t)/(1−β1^t) · m / (sqrt(v) + ε).
  // tfjs Adam:               w −= lr · m̂ / (sqrt(v̂) + ε'), with m̂ = m/(1−β1^t), v̂ = v/(1−β2^t).
  // They are the same update when ε' = ε / sqrt(1 − β2^t), so tfjs' epsilon is set to that before each step
  // (with a fixed ε' = ε the two differ most at step 1, where ε/sqrt(1 − β2) = 3.2e-6 sits next to sqrt(v̂) = |g|;
  // here the step losses then drift apart by up to 2.6e-5, which this test detects).
  const opt = tf.train.adam(lr, beta1, beta2, epsilon);
  model.compile({ optimizer: opt, loss: 'binaryCrossentropy' });
  const xs = tf.tensor2d(Float32Array.from(ids), [N, T]), ys = tf.tensor2d(labels, [N, 1]);
  const tfLosses: number[] = [];
  for (let t = 1; t <= steps; t++) {
    (opt as unknown as { epsilon: number }).epsilon = epsilon / Math.sqrt(1 - beta2 ** t);
    tfLosses.push(await model.trainOnBatch(xs, ys) as number);
  }

  fused.compile({ optimizer: new Adam({ learningRate: lr, beta1, beta2, epsilon }), loss: 'binaryCrossentropy' });
  const h = await fused.fit({ data: ids, shape: [N, T] }, { data: labels, shape: [N, 1] }, { epochs: steps, batchSize: N, shuffle: false });
  checkClose('losses of the 5 steps', h.history.loss, tfLosses, 1e-6, 1e-5);
  const want = tfjsWeights(model);
  const after = fused.getWeights();
  after.forEach((w, i) => checkClose(`${w.path} after ${steps} Adam steps`, w.data, want[i], 1e-5, 0));
  // The comparison can fail: every tensor moved by far more than the tolerance (Adam steps are ~lr each).
  after.forEach((w, i) => {
    const moved = Math.max(...w.data.map((v, j) => Math.abs(v - initial[i].data[j])));
    assert.ok(moved > 100 * 1e-5, `${w.path} moved only ${moved}`);
  });
});

test.run();
