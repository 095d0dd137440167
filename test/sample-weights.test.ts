// Sample and class weights (Keras semantics): the weighted loss Σ w·ℓ / N and one SGD step computed by hand on
// a Dense(1, sigmoid) model; classWeight ≡ the matching sampleWeight; weighted accuracy; 'balanced' weights as
// scikit-learn defines them; a negative or NaN weight is a typed error and leaves the weights unchanged.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Dense, Sequential } from '../src/index.js';
import { DataValueError } from '../src/errors.js';
import { balancedClassWeights, classWeightsFromCounts, combineWeights } from '../src/training/sample-weights.js';
import { rejectsTyped, throwsTyped } from './helpers/assert-throws.js';

const X = [[1, 2], [0.5, -1], [-1, 0.25], [2, 1]];
const Y = [1, 0, 0, 1];
const W0 = { kernel: [0.3, -0.2], bias: 0.15 }; // no logit sits at 0 (a tie at the 0.5 threshold)

async function model(): Promise<Sequential> {
  const m = new Sequential([new Dense({ units: 1, activation: 'sigmoid', inputShape: [2] })], { seed: 3 });
  m.compile({ optimizer: { className: 'sgd', config: { learningRate: 0.5 } }, loss: 'binaryCrossentropy', metrics: ['accuracy'] });
  await m.build();
  const [k, b] = m.getWeights();
  m.setWeights([{ path: k.path, shape: k.shape, data: W0.kernel }, { path: b.path, shape: b.shape, data: [W0.bias] }]);
  return m;
}

// By hand (f64): p_i = σ(x_i·k + b), ℓ_i = −y log p − (1−y) log(1−p); loss = Σ w_i ℓ_i / N;
// dL/dk = Σ w_i (p_i − y_i) x_i / N, dL/db = Σ w_i (p_i − y_i) / N.
const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));
const p = X.map((x) => sigmoid(x[0] * W0.kernel[0] + x[1] * W0.kernel[1] + W0.bias));
const ell = p.map((q, i) => -(Y[i] * Math.log(q) + (1 - Y[i]) * Math.log(1 - q)));

test('weighted loss by hand: evaluate(x, y, { sampleWeight }) = Σ w·ℓ / N (Keras sum_over_batch_size)', async () => {
  const m = await model();
  const w = [2, 0, 1, 0.5];
  const want = w.reduce((s, wi, i) => s + wi * ell[i], 0) / 4;
  const got = await m.evaluate(X, Y, { sampleWeight: w, batchSize: 4 });
  assert.ok(Math.abs(got.loss - want) < 1e-6, `loss ${got.loss} vs ${want}`);
  const plain = await m.evaluate(X, Y, { batchSize: 4 });
  assert.ok(Math.abs(plain.loss - ell.reduce((a, b) => a + b, 0) / 4) < 1e-6);
  // also across batches of 3 + 1: Σ over batches of (Σ_batch w·ℓ / B)·B / N = the same Σ w·ℓ / N
  const split = await m.evaluate(X, Y, { sampleWeight: w, batchSize: 3 });
  assert.ok(Math.abs(split.loss - want) < 1e-6, `batched ${split.loss} vs ${want}`);
});

test('one SGD step with sample weights moves the weights by the weighted gradient (by hand)', async () => {
  const m = await model();
  const w = [2, 0, 1, 0.5];
  await m.fit(X, Y, { epochs: 1, batchSize: 4, shuffle: false, sampleWeight: w });
  const g = [0, 0, 0];
  X.forEach((x, i) => { const d = w[i] * (p[i] - Y[i]) / 4; g[0] += d * x[0]; g[1] += d * x[1]; g[2] += d; });
  const [k, b] = m.getWeights();
  const want = [W0.kernel[0] - 0.5 * g[0], W0.kernel[1] - 0.5 * g[1], W0.bias - 0.5 * g[2]];
  const got = [k.data[0], k.data[1], b.data[0]];
  got.forEach((v, i) => assert.ok(Math.abs(v - want[i]) < 1e-6, `param ${i}: ${v} vs ${want[i]}`));
});

test('classWeight {0: 1, 1: 3} trains exactly as the matching sampleWeight; balanced weights as scikit-learn', async () => {
  const a = await model(), b = await model();
  await a.fit(X, Y, { epochs: 2, batchSize: 2, seed: 1, classWeight: { 0: 1, 1: 3 } });
  await b.fit(X, Y, { epochs: 2, batchSize: 2, seed: 1, sampleWeight: Y.map((y) => (y ? 3 : 1)) });
  assert.equal(a.getWeights().map((t) => [...t.data]), b.getWeights().map((t) => [...t.data]));
  // sklearn compute_class_weight('balanced', classes=[0, 1, 2], y=[0, 0, 0, 1, 2, 2]) = 6/(3·3), 6/(3·1), 6/(3·2)
  assert.equal(balancedClassWeights([0, 0, 0, 1, 2, 2]), { 0: 6 / 9, 1: 2, 2: 1 });
  assert.equal(classWeightsFromCounts([3, 1, 2]), { 0: 6 / 9, 1: 2, 2: 1 });
  assert.equal([...combineWeights({ data: [0, 1, 1], shape: [3] }, 3, [1, 2, 0.5], 'balanced', 'f')!], [1 * 1.5, 2 * 0.75, 0.5 * 0.75]);
  throwsTyped(() => balancedClassWeights([0, 2]), DataValueError, /class 1 has no samples/);
});

test('metrics are weighted: accuracy = Σ w·hit / Σ w', async () => {
  const m = await model();
  const hits = p.map((q, i) => (q > 0.5 ? 1 : 0) === Y[i]);
  const w = [1, 3, 0, 2];
  const want = w.reduce((s, wi, i) => s + (hits[i] ? wi : 0), 0) / w.reduce((a, b) => a + b, 0);
  const got = await m.evaluate(X, Y, { sampleWeight: w });
  assert.ok(Math.abs(got.accuracy - want) < 1e-9, `accuracy ${got.accuracy} vs ${want} (hits ${hits})`);
});

test('bad weights: negative, NaN, wrong count, bad classWeight → DataValueError, weights unchanged', async () => {
  const m = await model();
  const before = m.getWeights().map((t) => [...t.data]);
  await rejectsTyped(() => m.fit(X, Y, { sampleWeight: [1, -1, 1, 1] }), DataValueError, /sampleWeight\[1\] = -1 must be a finite number >= 0/);
  await rejectsTyped(() => m.fit(X, Y, { sampleWeight: [1, NaN, 1, 1] }), DataValueError, /sampleWeight\[1\] = NaN/);
  await rejectsTyped(() => m.fit(X, Y, { sampleWeight: [1, 1] }), DataValueError, /sampleWeight has 2 values for 4 samples/);
  await rejectsTyped(() => m.fit(X, Y, { classWeight: { 1: -2 } }), DataValueError, /classWeight\[1\] = -2/);
  await rejectsTyped(() => m.fit(X, Y, { classWeight: { one: 2 } as never }), DataValueError, /classWeight key "one"/);
  await rejectsTyped(() => m.evaluate(X, Y, { sampleWeight: [0, 0, -0.5, 0] }), DataValueError, /sampleWeight\[2\]/);
  assert.equal(m.getWeights().map((t) => [...t.data]), before);
});

test.run();
