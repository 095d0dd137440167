// The model's data path and memory plan under bad input (issue 16, findings 1, 2, 6, 9): every bad call
// ends in a typed error that names the layer and shapes, and afterwards the model predicts exactly as
// before and every other model on the same Kernels keeps its weights.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Conv1D, ConfigError, DataValueError, Dense, Embedding, GlobalMaxPooling1D, LSTM, Sequential, ShapeError, loadKernels, type Kernels } from '../src/index.js';
import { Random } from '../src/random.js';
import { rejectsTyped } from './helpers/assert-throws.js';
import { checkEqual } from './helpers/check-close.js';

const r = new Random(5);
const floats = (...shape: number[]) => ({ data: Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => 2 * r.uniform() - 1), shape });

/** Two models on one Kernels: the one under test and a bystander whose weights must never change. */
async function pair(k: Kernels) {
  const m = new Sequential([new LSTM({ units: 5, name: 'lstm_under_test' }), new Dense({ units: 1 })], { seed: 1, kernels: k });
  const x = floats(4, 6, 3);
  const before = (await m.predict(x)).data.slice();
  const other = new Sequential([new Dense({ units: 3, inputShape: [4] }), new Dense({ units: 1 })], { seed: 2, kernels: k });
  await other.build();
  const otherWeights = other.getWeights();
  const intact = async (label: string) => {
    checkEqual(`${label}: predictions unchanged`, (await m.predict(x)).data, before);
    other.getWeights().forEach((w, i) => checkEqual(`${label}: other model's ${w.path}`, w.data, otherWeights[i].data));
  };
  return { m, x, intact };
}

test('finding 1: x of another width or rank is a ShapeError naming the layer and both shapes; nothing is overwritten', async () => {
  const k = await loadKernels();
  const { m, intact } = await pair(k);
  for (const bad of [floats(4, 6, 5), floats(4, 6, 2), floats(4, 3), floats(4, 6, 3, 1), floats(12)]) {
    await rejectsTyped(() => m.predict(bad), ShapeError, /LSTM "lstm_under_test": expected input "sequential(_\d+)?_input" of shape \(None, None, 3\), got x \(/, `x (${bad.shape})`);
    await intact(`after x (${bad.shape})`);
  }
  m.compile({ optimizer: 'sgd', loss: 'mse' });
  await rejectsTyped(() => m.fit(floats(4, 6, 7), floats(4, 1)), ShapeError, /expected input .* got x \(4, 6, 7\)/);
  await intact('after fit with a wrong width');
});

test('finding 2: a call that fails while re-planning leaves the old plan intact (batchSize, memory limit, Conv1D length)', async () => {
  const k = await loadKernels({ maximumBytes: 24 * 1024 * 1024, initialBytes: 4 * 1024 * 1024 });
  const { m, intact } = await pair(k);
  await rejectsTyped(() => m.predict(floats(4, 6, 3), { batchSize: 1.5 }), ConfigError, /predict: batchSize must be a positive integer, got 1.5/);
  await intact('after batchSize 1.5');
  // A batch whose plan does not fit under maximumBytes: the arena refuses, the old plan stays.
  await rejectsTyped(() => m.predict(floats(4, 200000, 3), { batchSize: 4 }), Error as never, /maximum|cannot allocate/);
  await intact('after the memory limit');
  m.compile({ optimizer: 'sgd', loss: 'mse' });
  await rejectsTyped(() => m.evaluate(floats(4, 6, 3), floats(4, 1), { batchSize: '4' as never }), ConfigError, /evaluate: batchSize must be a positive integer, got "4"/);
  await intact('after evaluate with batchSize "4"');
  // A shape error found while planning (Conv1D kernel wider than the new T) keeps the old plan too.
  const conv = new Sequential([new Embedding({ inputDim: 9, outputDim: 3 }), new Conv1D({ filters: 2, kernelSize: 5, name: 'c5' }), new GlobalMaxPooling1D()], { seed: 3, kernels: k });
  const ids = [[1, 2, 3, 4, 5, 6, 7, 8]];
  const p0 = (await conv.predict(ids)).data.slice();
  await rejectsTyped(() => conv.predict([[1, 2, 3]]), ShapeError, /Conv1D "c5": input \(None, 3, 3\) has 3 steps/);
  checkEqual('conv predictions unchanged', (await conv.predict(ids)).data, p0);
  await intact('after the Conv1D shape error');
});

test('finding 6: a Dense-first model on (N, D) trains and predicts (with and without inputShape)', async () => {
  const k = await loadKernels();
  for (const first of [new Dense({ units: 8, activation: 'tanh', inputShape: [3] }), new Dense({ units: 8, activation: 'tanh' })]) {
    const m = new Sequential([first, new Dense({ units: 1 })], { seed: 4, kernels: k });
    m.compile({ optimizer: { className: 'Adam', config: { learningRate: 0.05 } }, loss: 'mse' });
    const x = floats(64, 3), y = { data: Float32Array.from({ length: 64 }, (_, i) => x.data[3 * i] - 0.5 * x.data[3 * i + 2]), shape: [64, 1] };
    const h = await m.fit(x, y, { epochs: 40, batchSize: 16 });
    assert.ok(h.history.loss[39] < 0.2 * h.history.loss[0], `loss ${h.history.loss[0]} → ${h.history.loss[39]}`);
    const p = await m.predict(x);
    assert.equal(p.shape, [64, 1]);
    assert.ok(p.data.every(Number.isFinite));
  }
});

test('finding 9: values beyond float32, sequence targets of the wrong length, binary labels outside [0, 1] are typed errors', async () => {
  const k = await loadKernels();
  const { m, intact } = await pair(k);
  const x = { data: Float64Array.from(floats(4, 6, 3).data), shape: [4, 6, 3] }; // f64 data: 1e39 is representable
  x.data[7] = 1e39;
  await rejectsTyped(() => m.predict(x), DataValueError, /x\[0\]\[2\]\[1\] = 1e\+39 is beyond the float32 range/);
  m.compile({ optimizer: 'sgd', loss: 'mse' });
  const y = { data: Float64Array.from(floats(4, 1).data), shape: [4, 1] };
  y.data[2] = -1e39;
  await rejectsTyped(() => m.fit(floats(4, 6, 3), y), DataValueError, /y\[2\]\[0\] = -1e\+39 is beyond the float32 range/);
  await intact('after values beyond float32');
  const seq = new Sequential([new Embedding({ inputDim: 7, outputDim: 3 }), new LSTM({ units: 4, returnSequences: true }), new Dense({ units: 7, activation: 'softmax', name: 'per_step' })], { kernels: k });
  seq.compile({ optimizer: 'adam', loss: 'sparseCategoricalCrossentropy' });
  const ids = [[1, 2, 3, 4], [2, 3, 4, 5]];
  await rejectsTyped(() => seq.fit(ids, [[1, 2, 3], [2, 3, 4]]), ShapeError, /y \(2, 3\) has 3 time steps, but output "per_step" has 4 for this x/);
  await rejectsTyped(() => seq.fit(ids, [[1, 2, 3, 4, 5], [2, 3, 4, 5, 6]]), ShapeError, /y \(2, 5\) has 5 time steps/);
  const reg = new Sequential([new Embedding({ inputDim: 7, outputDim: 3 }), new LSTM({ units: 4, returnSequences: true }), new Dense({ units: 2 })], { kernels: k });
  reg.compile({ optimizer: 'adam', loss: 'mse' });
  await rejectsTyped(() => reg.fit(ids, floats(2, 3, 2)), ShapeError, /y \(2, 3, 2\) has 3 time steps, but output "dense(_\d+)?" has 4/);
  const bin = new Sequential([new Embedding({ inputDim: 7, outputDim: 3 }), new LSTM({ units: 4 }), new Dense({ units: 1, activation: 'sigmoid' })], { kernels: k });
  bin.compile({ optimizer: 'adam', loss: 'binaryCrossentropy' });
  for (const label of [2, -1, 1e30]) {
    await rejectsTyped(() => bin.fit(ids, [1, label]), DataValueError, new RegExp(`y\\[1\\] = ${String(label).replace('+', '\\+')} is not a binary label`), `label ${label}`);
  }
  await bin.fit(ids, [0, 1]); // labels in {0, 1} (and soft labels in [0, 1]) train
  await bin.fit(ids, [0.25, 0.75]);
});

test.run();
