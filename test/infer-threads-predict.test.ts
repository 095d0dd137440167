// predict on threads (issue 20): with helper threads (loadInferenceModel(…, { threads: 2 })) only streaming
// steps are split across threads, so InferenceModel.predict steps a block of ≤ threadedPredictMaxBatch samples
// through a temporary stream (ModelStream.stepRows) instead of running the whole-sequence kernels on one
// thread. The outputs must be BIT-IDENTICAL to the one-thread predict (a T-step kernel call equals T one-step
// calls), for every layer class and split, masked sequences (right- and left-padded: predict's lengths against
// the stream's per-step masking), returnSequences, Dense and softmax outputs, int8 weights; models that cannot
// stream (goBackwards) and blocks above the limit keep the whole-sequence kernels; the temporary stream's
// memory is freed.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Dense, Embedding, GRU, LSTM, Sequential, SimpleRNN, loadKernels, saveModelToBytes, type Kernels } from '../src/index.js';
import { loadInferenceModel, loadInferKernels, InferenceModel, ModelStream, type InferKernels } from '../src/infer/index.js';
import { InferRecurrent } from '../src/infer/layers.js';
import type { StepThreads } from '../bindings/infer-threads.js';
import { floats, paddedIds, same } from './helpers/bit-identity.js';

let k: Kernels;
let one: InferKernels;
let two: InferKernels;
let pool: StepThreads;
const minSplit = InferRecurrent.minSplitWork, maxBatch = InferenceModel.threadedPredictMaxBatch;
test.before(async () => {
  k = await loadKernels({ variant: 'simd' });
  one = await loadInferKernels();
  two = await loadInferKernels({ threads: 2 });
  pool = two.threads as unknown as StepThreads;
  InferRecurrent.minSplitWork = 0; // SimpleRNN, int8 and the reset-before GRU split at these sizes too
});
test.after(() => {
  InferRecurrent.minSplitWork = minSplit;
  InferenceModel.threadedPredictMaxBatch = maxBatch;
  two.dispose();
});

const V = 11;
const padded = (N: number, T: number, seed: number, left: boolean) => paddedIds(N, T, seed, V, left);

// stepped: whether predict steps the model on threads (false: the whole-sequence kernels, no run() call).
interface Case { name: string; make: () => Sequential; x: number[][] | number[][][]; weights?: 'int8'; stepped: boolean }
const cases: Case[] = [
  { name: 'LSTM(64), B = 1', make: () => new Sequential([new LSTM({ units: 64, inputShape: [null, 5] })], { seed: 41, kernels: k }), x: floats(1, 9, 5, 41), stepped: true },
  { name: 'LSTM(96, seq) → Dense(softmax), B = 3', make: () => new Sequential([new LSTM({ units: 96, returnSequences: true, inputShape: [null, 7] }), new Dense({ units: 4, activation: 'softmax' })], { seed: 42, kernels: k }), x: floats(3, 8, 7, 42), stepped: true },
  {
    name: 'Embedding(maskZero, right-padded) → LSTM(64, seq) → GRU(64) → Dense(sigmoid), B = 5',
    make: () => new Sequential([new Embedding({ inputDim: V, outputDim: 6, maskZero: true, inputShape: [10] }), new LSTM({ units: 64, returnSequences: true }), new GRU({ units: 64 }), new Dense({ units: 1, activation: 'sigmoid' })], { seed: 43, kernels: k }),
    x: padded(5, 10, 43, false), stepped: true,
  },
  {
    name: 'Embedding(maskZero, left-padded) → GRU(64, seq), B = 4',
    // Non-zero biases: from the zero state, a step on a zero embedding would otherwise stay exactly 0, as masked.
    make: () => new Sequential([new Embedding({ inputDim: V, outputDim: 6, maskZero: true, inputShape: [10] }), new GRU({ units: 64, returnSequences: true, biasInitializer: { className: 'RandomUniform', config: { minval: -0.5, maxval: 0.5 } } })], { seed: 44, kernels: k }),
    x: padded(4, 10, 44, true), stepped: true,
  },
  { name: 'GRU(64) reset-before → SimpleRNN(64, seq), B = 2', make: () => new Sequential([new GRU({ units: 64, resetAfter: false, returnSequences: true, inputShape: [null, 3] }), new SimpleRNN({ units: 64, returnSequences: true })], { seed: 45, kernels: k }), x: floats(2, 6, 3, 45), stepped: true },
  { name: 'LSTM(64) int8 weights, B = 2', make: () => new Sequential([new LSTM({ units: 64, inputShape: [null, 3] })], { seed: 46, kernels: k }), x: floats(2, 6, 3, 46), weights: 'int8', stepped: true },
  { name: 'LSTM(64) goBackwards: cannot stream, whole-sequence kernels', make: () => new Sequential([new LSTM({ units: 64, goBackwards: true, inputShape: [null, 3] })], { seed: 47, kernels: k }), x: floats(2, 6, 3, 47), stepped: false },
  { name: 'LSTM(40): no layer splits (units not a multiple of 32), whole-sequence kernels', make: () => new Sequential([new LSTM({ units: 40, inputShape: [null, 3] })], { seed: 49, kernels: k }), x: floats(2, 6, 3, 49), stepped: false },
];

// Calls of ModelStream.stepRows (the stepped predict), counted around fn.
async function countStepped<T>(fn: () => Promise<T>): Promise<{ value: T; calls: number }> {
  const proto = ModelStream.prototype as unknown as { stepRows: (...a: unknown[]) => Float32Array };
  const original = proto.stepRows;
  let calls = 0;
  proto.stepRows = function (this: unknown, ...a: unknown[]) { calls++; return original.apply(this, a); };
  try {
    return { value: await fn(), calls };
  } finally {
    proto.stepRows = original;
  }
}

for (const c of cases) {
  test(`predict on 2 threads = 1 thread, bit for bit: ${c.name}`, async () => {
    const model = c.make();
    await model.predict(c.x);
    const bytes = saveModelToBytes(model);
    const m1 = await loadInferenceModel(bytes, { kernels: one, weights: c.weights ?? 'float32' });
    const m2 = await loadInferenceModel(bytes, { kernels: two, weights: c.weights ?? 'float32' });
    const want = await m1.predict(c.x);
    // callerWait: every step waits until the helper has claimed a chunk, so a stepped predict surely runs
    // chunks on the helper; a whole-sequence predict calls no step at all.
    const chunks = pool.helperChunks(), used = two.arena.usedBytes;
    pool.tune({ callerWait: 1 });
    let got, calls;
    try {
      ({ value: got, calls } = await countStepped(() => m2.predict(c.x)));
    } finally {
      pool.tune({ callerWait: 0 });
    }
    same(c.name, got.data, want.data);
    assert.is(calls > 0, c.stepped, c.stepped ? 'predict stepped the model' : 'predict ran the whole-sequence kernels');
    assert.equal(got.shape, want.shape);
    assert.is(pool.helperChunks() > chunks, c.stepped, c.stepped ? 'the helper ran chunks of the steps' : 'no threaded step');
    assert.is(two.arena.usedBytes, used, 'the temporary stream freed its memory');
  });
}

test('stream.stepMany on threads steps the split step too: same bits as 1 thread, any padding in the chunk', async () => {
  const model = new Sequential([new Embedding({ inputDim: V, outputDim: 6, maskZero: true, inputShape: [null] }), new LSTM({ units: 64, returnSequences: true }), new Dense({ units: 3, activation: 'softmax' })], { seed: 50, kernels: k });
  const chunks = [padded(3, 6, 50, false), padded(3, 5, 51, true), [[1, 0, 2, 3], [0, 4, 0, 5], [6, 7, 8, 0]]]; // right, left, zeros inside
  await model.predict(chunks[0]);
  const bytes = saveModelToBytes(model);
  const s1 = (await loadInferenceModel(bytes, { kernels: one, weights: 'float32' })).stream({ batchSize: 3 });
  const s2 = (await loadInferenceModel(bytes, { kernels: two, weights: 'float32' })).stream({ batchSize: 3 });
  for (const [i, chunk] of chunks.entries()) {
    const { value, calls } = await countStepped(async () => s2.stepMany(chunk));
    same(`chunk ${i}`, value.data, s1.stepMany(chunk).data);
    assert.is(calls, 1, `chunk ${i} stepped`);
    same(`chunk ${i}: h after`, s2.state[0].h, s1.state[0].h);
  }
  assert.is(s2.steps, s1.steps, 'steps counted once');
});

test('blocks above threadedPredictMaxBatch keep the whole-sequence kernels; batchSize splits the rest', async () => {
  const model = new Sequential([new LSTM({ units: 64, returnSequences: true, inputShape: [null, 4] })], { seed: 48, kernels: k });
  const x = floats(5, 6, 4, 48);
  await model.predict(x);
  const bytes = saveModelToBytes(model);
  const m1 = await loadInferenceModel(bytes, { kernels: one, weights: 'float32' });
  const m2 = await loadInferenceModel(bytes, { kernels: two, weights: 'float32' });
  const want = await m1.predict(x);
  InferenceModel.threadedPredictMaxBatch = 2;
  try {
    const chunks = pool.helperChunks();
    same('B = 5 > 2: whole-sequence', (await m2.predict(x)).data, want.data);
    assert.is(pool.helperChunks(), chunks, 'no threaded step for a block of 5');
    pool.tune({ callerWait: 1 });
    try {
      same('batchSize 2: blocks of 2, 2, 1 stepped', (await m2.predict(x, { batchSize: 2 })).data, want.data);
    } finally {
      pool.tune({ callerWait: 0 });
    }
    assert.ok(pool.helperChunks() > chunks, 'blocks of ≤ 2 stepped on threads');
  } finally {
    InferenceModel.threadedPredictMaxBatch = maxBatch;
  }
});

test.run();
