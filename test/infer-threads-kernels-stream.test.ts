// Threaded streaming steps of the layers that used to run on one thread (issue 20): int8 LSTM / GRU,
// SimpleRNN (f32 and int8) and the reset-before GRU (two claimed runs per step, the first one's end is the
// barrier before the candidate product). With loadInferenceModel(src, { threads: 2 }) their steps are cut
// into chunks of 32 units (infer_*_units, test/infer-threads-kernels.test.ts) that the caller and the helper
// claim; outputs and state must be BIT-IDENTICAL to the one-thread stream and to predict, whoever runs which
// chunk: the helper runs none, all (slowly: the caller must wait for it), or a random share.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Dense, Embedding, GRU, LSTM, Sequential, SimpleRNN, loadKernels, saveModelToBytes, type Kernels } from '../src/index.js';
import { loadInferenceModel, loadInferKernels, type InferKernels, type InferenceModel } from '../src/infer/index.js';
import type { StepThreads, StepThreadsTuning } from '../bindings/infer-threads.js';
import { InferRecurrent } from '../src/infer/layers.js';
import { floats, lcg, same, sameStates, paddedIds, DEFAULT_TUNING } from './helpers/bit-identity.js';

let k: Kernels;
let one: InferKernels;
let two: InferKernels;
let pool: StepThreads;
test.before(async () => {
  k = await loadKernels({ variant: 'simd' });
  one = await loadInferKernels({ variant: 'simd' });
  two = await loadInferKernels({ variant: 'simd', threads: 2 });
  pool = two.threads as unknown as StepThreads;
  // Chunks of 32 units (the default is 64), always by chunks: exact counts (a whole call covers both reset-before runs).
  pool.tune({ chunkPanels: 1, whole: false });
  InferRecurrent.minSplitWork = 0; // small layers split too (the default threshold has its own test, last)
});
test.after(() => two.dispose());
const reset = DEFAULT_TUNING;

const V = 9;
const rightPadded = (N: number, T: number, seed: number) => paddedIds(N, T, seed, V);

// runs: threaded runs per step (one per layer; two for a reset-before GRU); chunks: chunks per step in all.
interface Case { name: string; make: () => Sequential; x: number[][] | number[][][]; weights: 'int8' | 'float32'; runs: number; chunks: number }
const cases: Case[] = [
  { name: 'int8 LSTM(256), D 64, B = 1', make: () => new Sequential([new LSTM({ units: 256, inputShape: [null, 64] })], { seed: 31, kernels: k }), x: floats(1, 8, 64, 31), weights: 'int8', runs: 1, chunks: 8 },
  {
    name: 'Embedding(maskZero, right-padded) → int8 GRU(128) reset-after, B = 3',
    make: () => new Sequential([new Embedding({ inputDim: V, outputDim: 5, maskZero: true, inputShape: [10] }), new GRU({ units: 128 })], { seed: 32, kernels: k }),
    x: rightPadded(3, 10, 32), weights: 'int8', runs: 1, chunks: 4,
  },
  { name: 'GRU(96) reset-before, hard_sigmoid, B = 5', make: () => new Sequential([new GRU({ units: 96, resetAfter: false, recurrentActivation: 'hard_sigmoid', inputShape: [null, 7] })], { seed: 33, kernels: k }), x: floats(5, 7, 7, 33), weights: 'float32', runs: 2, chunks: 6 },
  {
    name: 'Embedding(maskZero) → int8 GRU(64, seq) reset-before → SimpleRNN(96, relu) → Dense(softmax), B = 3',
    make: () => new Sequential([new Embedding({ inputDim: V, outputDim: 6, maskZero: true, inputShape: [9] }), new GRU({ units: 64, resetAfter: false, returnSequences: true }), new SimpleRNN({ units: 96, activation: 'relu' }), new Dense({ units: 3, activation: 'softmax' })], { seed: 34, kernels: k }),
    x: rightPadded(3, 9, 34), weights: 'int8', runs: 3, chunks: 2 * 2 + 3,
  },
  { name: 'SimpleRNN(160) f32, B = 5', make: () => new Sequential([new SimpleRNN({ units: 160, inputShape: [null, 4] })], { seed: 35, kernels: k }), x: floats(5, 6, 4, 35), weights: 'float32', runs: 1, chunks: 5 },
];

type Plan = (t: number) => StepThreadsTuning;
// Steps the model on 1 thread and on 2 with plan(t) before step t; compares outputs and state each step and
// the last output with predict; returns the chunks the helper ran.
async function run(c: Case, plan: Plan): Promise<number> {
  const m = c.make();
  await m.predict(c.x);
  const bytes = saveModelToBytes(m);
  const m1: InferenceModel = await loadInferenceModel(bytes, { kernels: one, weights: c.weights });
  const m2: InferenceModel = await loadInferenceModel(bytes, { kernels: two, weights: c.weights });
  const N = c.x.length, T = c.x[0].length;
  const full = await m1.predict(c.x, { batchSize: N });
  same(`${c.name}: predict on the threaded kernels`, (await m2.predict(c.x, { batchSize: N })).data, full.data);
  const s1 = m1.stream({ batchSize: N }), s2 = m2.stream({ batchSize: N });
  const before = pool.helperChunks();
  let runs = 0;
  const poolRun = pool.run.bind(pool);
  pool.run = (job) => { runs++; return poolRun(job); };
  let last: Float32Array = new Float32Array(0);
  try {
    for (let t = 0; t < T; t++) {
      pool.tune({ ...reset, ...plan(t) });
      const xt = c.x.map((row) => row[t]) as number[] | number[][];
      last = s2.step(xt);
      same(`${c.name}: step ${t}`, last, s1.step(xt));
      sameStates(`${c.name} at ${t}`, s2.state, s1.state);
    }
  } finally {
    pool.tune(reset);
    pool.run = poolRun;
  }
  assert.is(runs, T * c.runs, 'threaded runs (a reset-before GRU: two per step)');
  const C = full.shape[full.shape.length - 1];
  const want = full.shape.length === 3 ? Float32Array.from({ length: N * C }, (_, i) => full.data[(Math.floor(i / C) * T + T - 1) * C + (i % C)]) : full.data;
  same(`${c.name}: last step vs predict`, last, want);
  return pool.helperChunks() - before;
}

for (const c of cases) {
  test(`2 threads, the helper runs none / all (slowly) / a random share of the chunks: same bits as 1 thread and predict (${c.name})`, async () => {
    assert.is(await run(c, () => ({ helperLimit: 0 })), 0, 'chunks the helper ran');
    const T = c.x[0].length;
    assert.is(await run(c, () => ({ callerWait: 32, helperDelayUs: 100 })), T * c.chunks, 'the helper ran every chunk');
    const r = lcg(c.chunks);
    let helper = 0;
    for (let round = 0; round < 3; round++) {
      helper += await run(c, () => {
        const limit = [-1, 0, 1, 2][Math.floor(r() * 4)];
        return { helperLimit: limit, callerWait: limit < 0 ? Math.floor(r() * 3) : Math.floor(r() * (limit + 1)), helperDelayUs: r() < 0.5 ? 0 : Math.floor(r() * 40), order: r() < 0.2 ? 'front' : 'ends' };
      });
    }
    assert.ok(helper > 0, `the helper ran some chunks (${helper})`);
  });
}

test('InferRecurrent.minSplitWork: int8, SimpleRNN and reset-before GRU layers with too little work per step stay on one thread', async () => {
  const saved = InferRecurrent.minSplitWork;
  InferRecurrent.minSplitWork = 120_000; // the default
  try {
    // B·(D + H)·G per run, int8 halved, reset-before per phase: SimpleRNN(256) D 64: 82 k (no); SimpleRNN(512):
    // 295 k (yes); int8 LSTM(256): 164 k (yes); int8 reset-before GRU(256): 61 k (no); f32 LSTM(64): always.
    const want: Array<[string, number, () => Sequential, 'int8' | 'float32', number]> = [
      ['SimpleRNN(256)', 64, () => new Sequential([new SimpleRNN({ units: 256, inputShape: [null, 64] })], { seed: 41, kernels: k }), 'float32', 0],
      ['SimpleRNN(512)', 64, () => new Sequential([new SimpleRNN({ units: 512, inputShape: [null, 64] })], { seed: 42, kernels: k }), 'float32', 1],
      ['int8 LSTM(256)', 64, () => new Sequential([new LSTM({ units: 256, inputShape: [null, 64] })], { seed: 43, kernels: k }), 'int8', 1],
      ['int8 GRU(256) reset-before', 64, () => new Sequential([new GRU({ units: 256, resetAfter: false, inputShape: [null, 64] })], { seed: 44, kernels: k }), 'int8', 0],
      ['f32 LSTM(64)', 3, () => new Sequential([new LSTM({ units: 64, inputShape: [null, 3] })], { seed: 45, kernels: k }), 'float32', 1],
    ];
    for (const [name, D, make, weights, runs] of want) {
      const m = make();
      await m.predict({ data: new Float32Array(D), shape: [1, 1, D] });
      const s = (await loadInferenceModel(saveModelToBytes(m), { kernels: two, weights })).stream({ batchSize: 1 });
      let n = 0;
      const poolRun = pool.run.bind(pool);
      pool.run = (job) => { n++; return poolRun(job); };
      try {
        s.step(new Float32Array(D));
      } finally {
        pool.run = poolRun;
      }
      assert.is(n, runs, `${name}: threaded runs per step`);
    }
  } finally {
    InferRecurrent.minSplitWork = saved;
  }
});

test.run();
