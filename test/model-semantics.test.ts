// Keras semantics through the model: goBackwards, stateful carry (truncated BPTT), regularizers,
// optimizers by name/object with clipping, initial weights from a matrix, frozen layers.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Dense, Embedding, GRU, LSTM, SGD, Sequential, SimpleRNN, loadKernels, type Kernels } from '../src/index.js';
import { checkClose } from './helpers/check-close.js';
import { firstTokenTask, floatTask } from './helpers/tasks.js';

let k: Kernels;
test.before(async () => {
  k = await loadKernels();
});

test('goBackwards: equals the forward layer on time-reversed input; sequences come out in processing order', async () => {
  const { x } = floatTask(3, 6, 2, 1, 1);
  const reversed = x.map((s) => s.slice().reverse());
  for (const Cell of [LSTM, GRU, SimpleRNN]) {
    const make = (goBackwards: boolean, returnSequences: boolean) => new Sequential([new Cell({ units: 4, goBackwards, returnSequences, inputShape: [null, 2] })], { seed: 3, kernels: k });
    const back = await make(true, false).predict(x), fwd = await make(false, false).predict(reversed);
    checkClose(`${Cell.name} last output`, back.data, fwd.data, 1e-6, 1e-6);
    const backSeq = await make(true, true).predict(x), fwdSeq = await make(false, true).predict(reversed);
    checkClose(`${Cell.name} sequence`, backSeq.data, fwdSeq.data, 1e-6, 1e-6);
  }
});

test('stateful: two halves with carried state == the whole sequence; resetStates() starts over', async () => {
  const { x } = floatTask(2, 8, 3, 1, 2);
  for (const Cell of [LSTM, GRU, SimpleRNN]) {
    const whole = new Sequential([new Cell({ units: 5, inputShape: [null, 3] })], { seed: 4, kernels: k });
    const full = await whole.predict(x);
    const s = new Sequential([new Cell({ units: 5, stateful: true, inputShape: [null, 3] })], { seed: 4, kernels: k });
    await s.predict(x.map((q) => q.slice(0, 4)));
    const second = await s.predict(x.map((q) => q.slice(4)));
    checkClose(`${Cell.name} carried`, second.data, full.data, 1e-6, 1e-6);
    s.resetStates();
    const fresh = await s.predict(x.map((q) => q.slice(4)));
    const alone = await whole.predict(x.map((q) => q.slice(4)));
    checkClose(`${Cell.name} after reset`, fresh.data, alone.data, 1e-6, 1e-6);
  }
});

test('L2 / L1 regularizers: one SGD step adds exactly lr·(2·l2·w + l1·sign(w)) to the update', async () => {
  const { x, y } = firstTokenTask(8, 5, 6, 3);
  const step = async (reg: { l1: number; l2: number } | null) => {
    const m = new Sequential([new Embedding({ inputDim: 6, outputDim: 3 }), new LSTM({ units: 4, kernelRegularizer: reg }), new Dense({ units: 1, activation: 'sigmoid' })], { seed: 2, kernels: k });
    m.compile({ optimizer: new SGD({ learningRate: 0.5 }), loss: 'bce' });
    await m.evaluate(x, y);
    const w0 = m.getWeights();
    const h = await m.fit(x, y, { epochs: 1, batchSize: 8, shuffle: false });
    return { w0, w1: m.getWeights(), loss: h.history.loss[0] };
  };
  const plain = await step(null), reg = await step({ l1: 0.01, l2: 0.05 });
  const i = plain.w0.findIndex((w) => w.path.endsWith('lstm_') || /lstm[_0-9]*\/kernel$/.test(w.path));
  const w0 = plain.w0[i].data, dPlain = plain.w1[i].data, dReg = reg.w1[i].data;
  const want = Float32Array.from(w0, (w, j) => dPlain[j] - 0.5 * (2 * 0.05 * w + 0.01 * Math.sign(w)));
  checkClose('regularized kernel after one step', dReg, want, 1e-6, 1e-5);
  // Other tensors are unaffected by the kernel regularizer.
  checkClose('recurrent kernel', reg.w1[i + 1].data, plain.w1[i + 1].data, 0, 0);
  let penalty = 0;
  for (const w of w0) penalty += 0.05 * w * w + 0.01 * Math.abs(w);
  assert.ok(Math.abs(reg.loss - plain.loss - penalty) < 1e-5, `the reported loss includes the penalty ${penalty}`);
});

test('optimizers by name and object, each clipping option, all train and stay finite', async () => {
  const { x, y } = firstTokenTask(64, 6, 8, 4);
  for (const optimizer of ['sgd', 'adam', 'adamw', 'rmsprop', 'adagrad', { className: 'SGD', config: { learningRate: 0.1, momentum: 0.9, nesterov: true, clipvalue: 0.5 } },
    { className: 'Adam', config: { clipnorm: 1 } }, { className: 'AdamW', config: { globalClipnorm: 0.5 } }, { className: 'RMSprop', config: { clipGradNorm: 0.5 } }]) {
    const m = new Sequential([new Embedding({ inputDim: 8, outputDim: 4 }), new GRU({ units: 6 }), new Dense({ units: 1, activation: 'sigmoid' })], { seed: 1, kernels: k });
    m.compile({ optimizer, loss: 'binaryCrossentropy' });
    const h = await m.fit(x, y, { epochs: 3, batchSize: 16 });
    const label = JSON.stringify(optimizer);
    assert.ok(h.history.loss.every(Number.isFinite), `${label} finite`);
    assert.ok(h.history.loss[2] < h.history.loss[0] + 1e-3, `${label}: loss ${h.history.loss.map((v) => v.toFixed(4))}`);
    assert.ok(m.getWeights().every((w) => w.data.every(Number.isFinite)));
  }
});

test('Embedding from a matrix (GloVe-style), frozen: the table does not move, the rest trains', async () => {
  const V = 6, E = 3;
  const matrix = Array.from({ length: V }, (_, v) => Array.from({ length: E }, (_, e) => (v * E + e) / 10));
  const { x, y } = firstTokenTask(16, 4, V, 2);
  const m = new Sequential([new Embedding({ inputDim: V, outputDim: E, weights: matrix, trainable: false }), new LSTM({ units: 3 }), new Dense({ units: 1, activation: 'sigmoid' })], { seed: 1, kernels: k });
  m.compile({ optimizer: 'adam', loss: 'binaryCrossentropy' });
  await m.fit(x, y, { epochs: 2, batchSize: 4 });
  const table = m.getWeights().find((w) => w.path.endsWith('/embeddings'))!;
  assert.equal(Array.from(table.data), matrix.flat().map(Math.fround));
  assert.match(m.summary(), /Non-trainable params: 18/);
});

test('recurrentDropout changes the training step (mask applied) but not inference', async () => {
  const { x, y } = firstTokenTask(16, 6, 8, 5);
  const run = async (rate: number) => {
    const m = new Sequential([new Embedding({ inputDim: 8, outputDim: 3 }), new LSTM({ units: 4, recurrentDropout: rate }), new Dense({ units: 1, activation: 'sigmoid' })], { seed: 6, kernels: k });
    m.compile({ optimizer: 'sgd', loss: 'bce' });
    const before = await m.predict(x);
    await m.fit(x, y, { epochs: 1, batchSize: 16, shuffle: false });
    return { before, weights: m.getWeights() };
  };
  const a = await run(0), b = await run(0.5);
  checkClose('inference ignores recurrent dropout', b.before.data, a.before.data, 0, 0);
  const U = (r: typeof a) => r.weights.find((w) => w.path.endsWith('/recurrent_kernel'))!.data;
  assert.not.equal(Array.from(U(a)), Array.from(U(b)), 'the masked step differs');
});

test('getConfig() → Sequential.fromConfig() rebuilds the same architecture with the same initial weights', async () => {
  const m = new Sequential([new Embedding({ inputDim: 7, outputDim: 3, maskZero: true }), new GRU({ units: 4, returnSequences: true, resetAfter: false }), new LSTM({ units: 2, recurrentDropout: 0.1 }), new Dense({ units: 1, activation: 'sigmoid' })], { seed: 9, kernels: k });
  await m.build([null]);
  const copy = Sequential.fromConfig(m.getConfig(), { kernels: k });
  await copy.build([null]);
  assert.equal(copy.getConfig().config.layers, m.getConfig().config.layers);
  const a = m.getWeights(), b = copy.getWeights();
  assert.equal(b.map((w) => w.path), a.map((w) => w.path));
  for (let i = 0; i < a.length; i++) assert.equal(Array.from(b[i].data), Array.from(a[i].data));
});

test.run();
