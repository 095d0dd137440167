// fused-rnn/infer on several threads (issue 20: loadInferenceModel(source, { threads: 2 })): each LSTM
// (and reset-after GRU) streaming step is cut into chunks of units that the caller and a helper thread on the
// same shared wasm memory claim (the claiming protocol itself: test/infer-threads-claims.test.ts). The outputs and the state must be BIT-IDENTICAL to the one-thread
// stream and to predict, for every split the layer takes (one panel each, uneven, masked rows, B > 1,
// stacked layers; small int8, reset-before GRU and SimpleRNN layers stay on one thread: InferRecurrent.minSplitWork, test/infer-threads-kernels-stream.test.ts); also the fallback to one thread with a one-line warning, bad options, dispose(), and
// that Node exits with idle helpers that were never disposed.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Dense, Embedding, GRU, LSTM, Sequential, SimpleRNN, loadKernels, saveModelToBytes, type Kernels } from '../src/index.js';
import { loadInferenceModel, loadInferKernels, FusedRnnError, type InferKernels, type InferenceModel } from '../src/infer/index.js';
import { InferRecurrent } from '../src/infer/layers.js';
import type { StepThreads } from '../bindings/infer-threads.js';
import { floats, lcg, same, sameStates } from './helpers/bit-identity.js';
import { runNode } from './helpers/child.js';

let k: Kernels;
let one: InferKernels;
let two: InferKernels;
test.before(async () => {
  k = await loadKernels({ variant: 'simd' });
  one = await loadInferKernels();
  two = await loadInferKernels({ threads: 2 });
  // Always by chunks (not the one-thread call while the helper sleeps, tested on its own below), so that the
  // count of threaded runs is exact (a reset-before GRU's whole call covers both of its runs).
  (two.threads as unknown as StepThreads).tune({ whole: false });
});
test.after(() => two.dispose());

const V = 11;
// Right-padded token ids of different lengths: steps where some rows are masked (they carry the state) and
// others are not, so the split kernel sees runs of valid and masked rows.
const rightPadded = (N: number, T: number, seed: number) => {
  const r = lcg(seed);
  return Array.from({ length: N }, (_, n) => Array.from({ length: T }, (_, t) => (t < 3 + ((n * 2) % (T - 2)) ? 1 + Math.floor(r() * (V - 1)) : 0)));
};

// split: how many layers of the model run threaded (one threaded run per such layer per step).
interface Case { name: string; make: () => Sequential; x: number[][] | number[][][]; weights?: 'int8'; split: number }
const cases: Case[] = [
  { name: 'LSTM(64): one panel per thread, B = 1', make: () => new Sequential([new LSTM({ units: 64, inputShape: [null, 5] })], { seed: 1, kernels: k }), x: floats(1, 9, 5, 1), split: 1 },
  { name: 'LSTM(96): uneven split (32 | 64), B = 3 → Dense(softmax)', make: () => new Sequential([new LSTM({ units: 96, returnSequences: true, inputShape: [null, 7] }), new Dense({ units: 4, activation: 'softmax' })], { seed: 2, kernels: k }), x: floats(3, 8, 7, 2), split: 1 },
  {
    name: 'Embedding(maskZero, right-padded) → LSTM(64, seq) → GRU(32) → Dense(sigmoid), B = 5',
    make: () => new Sequential([new Embedding({ inputDim: V, outputDim: 6, maskZero: true, inputShape: [10] }), new LSTM({ units: 64, returnSequences: true, recurrentActivation: 'hard_sigmoid' }), new GRU({ units: 32 }), new Dense({ units: 1, activation: 'sigmoid' })], { seed: 3, kernels: k }),
    x: rightPadded(5, 10, 3), split: 1, // GRU(32): one panel, nothing to split
  },
  { name: 'stacked LSTM(128) → LSTM(64), B = 6 (6 rows: 4-row tiles and single rows)', make: () => new Sequential([new LSTM({ units: 128, returnSequences: true, inputShape: [null, 4] }), new LSTM({ units: 64 })], { seed: 4, kernels: k }), x: floats(6, 6, 4, 4), split: 2 },
  { name: 'LSTM(40): units not a multiple of 32 stay on one thread', make: () => new Sequential([new LSTM({ units: 40, inputShape: [null, 3] })], { seed: 5, kernels: k }), x: floats(2, 5, 3, 5), split: 0 },
  { name: 'LSTM(64) int8 weights stay on one thread (below InferRecurrent.minSplitWork)', make: () => new Sequential([new LSTM({ units: 64, inputShape: [null, 3] })], { seed: 6, kernels: k }), x: floats(2, 5, 3, 6), weights: 'int8', split: 0 },
  { name: 'GRU(64) reset-after split, B = 2 → SimpleRNN(64) stays on one thread', make: () => new Sequential([new GRU({ units: 64, returnSequences: true, inputShape: [null, 3] }), new SimpleRNN({ units: 64 })], { seed: 7, kernels: k }), x: floats(2, 5, 3, 7), split: 1 },
  { name: 'GRU(96) reset-after, hard_sigmoid, uneven split, B = 5 → Dense(softmax)', make: () => new Sequential([new GRU({ units: 96, recurrentActivation: 'hard_sigmoid', inputShape: [null, 4] }), new Dense({ units: 3, activation: 'softmax' })], { seed: 12, kernels: k }), x: floats(5, 7, 4, 12), split: 1 },
  { name: 'GRU(64) reset-before stays on one thread', make: () => new Sequential([new GRU({ units: 64, resetAfter: false, inputShape: [null, 3] })], { seed: 13, kernels: k }), x: floats(2, 5, 3, 13), split: 0 },
  { name: 'GRU(64) int8 weights stay on one thread', make: () => new Sequential([new GRU({ units: 64, inputShape: [null, 3] })], { seed: 14, kernels: k }), x: floats(2, 5, 3, 14), weights: 'int8', split: 0 },
];

// Whether a stream's steps take the threaded path: count the steps the kernels' thread pool runs.
function countJobs(kernels: InferKernels): { jobs: number; restore: () => void } {
  const pool = kernels.threads!, run = pool.run.bind(pool), counter = { jobs: 0, restore: () => { pool.run = run; } };
  pool.run = (job) => { counter.jobs++; return run(job); };
  return counter;
}

for (const c of cases) {
  test(`2 threads: stream steps bit-identical to 1 thread and to predict (${c.name})`, async () => {
    const m = c.make();
    await m.predict(c.x); // builds it
    const bytes = saveModelToBytes(m);
    const opts = c.weights ? { weights: c.weights } : {};
    const m1: InferenceModel = await loadInferenceModel(bytes, { ...opts, kernels: one });
    const m2: InferenceModel = await loadInferenceModel(bytes, { ...opts, kernels: two });
    const N = c.x.length, T = c.x[0].length;
    const full = await m1.predict(c.x, { batchSize: N });
    same(`${c.name}: predict on the threaded kernels`, (await m2.predict(c.x, { batchSize: N })).data, full.data);
    const s1 = m1.stream({ batchSize: N }), s2 = m2.stream({ batchSize: N });
    const jobs = countJobs(two);
    try {
      for (let t = 0; t < T; t++) {
        const xt = c.x.map((row) => row[t]) as number[] | number[][];
        same(`${c.name}: step ${t}`, s2.step(xt), s1.step(xt));
        sameStates(`${c.name} at ${t}`, s2.state, s1.state);
      }
    } finally {
      jobs.restore();
    }
    assert.is(jobs.jobs, T * c.split, 'steps that went through the helper');
    // Predict of the whole sequence equals the last step's output (sequence outputs: the last time step).
    const C = full.shape[full.shape.length - 1];
    s2.reset();
    let last: Float32Array = new Float32Array(0);
    for (let t = 0; t < T; t++) last = s2.step(c.x.map((row) => row[t]) as number[] | number[][]);
    const want = full.shape.length === 3 ? Float32Array.from({ length: N * C }, (_, i) => full.data[(Math.floor(i / C) * T + T - 1) * C + (i % C)]) : full.data;
    same(`${c.name}: last step vs predict`, last, want);
  });
}

test('2 threads: stepMany, reset and state set/get interleave with threaded steps, same bits', async () => {
  const m = new Sequential([new LSTM({ units: 64, inputShape: [null, 3] })], { seed: 8, kernels: k });
  const x = floats(2, 8, 3, 8);
  await m.predict(x);
  const bytes = saveModelToBytes(m);
  const s1 = (await loadInferenceModel(bytes, { kernels: one })).stream({ batchSize: 2 });
  const s2 = (await loadInferenceModel(bytes, { kernels: two })).stream({ batchSize: 2 });
  same('stepMany', s2.stepMany(x.map((r) => r.slice(0, 3))).data, s1.stepMany(x.map((r) => r.slice(0, 3))).data);
  const saved = s2.state;
  for (let t = 3; t < 8; t++) same(`step ${t}`, s2.step(x.map((r) => r[t])), s1.step(x.map((r) => r[t])));
  s2.state = saved;
  s1.reset();
  s1.stepMany(x.map((r) => r.slice(0, 3)));
  for (let t = 3; t < 8; t++) same(`step ${t} after state set`, s2.step(x.map((r) => r[t])), s1.step(x.map((r) => r[t])));
});

async function lstm64(seed: number): Promise<Uint8Array> {
  const m = new Sequential([new LSTM({ units: 64, inputShape: [null, 2] })], { seed, kernels: k });
  await m.predict([[[0, 0]]]);
  return saveModelToBytes(m);
}

// The step word SEQ (int 0 of the control block): changes whenever the caller publishes a step to the helpers.
const stepWord = (pool: StepThreads) => Atomics.load((pool as unknown as { ctl: Int32Array }).ctl, 0);

test('an idle stream\'s helper sleeps; a step far apart does not wake it: the caller runs the one-thread call without publishing the step (same bits)', async () => {
  // (A reset-before GRU too: its whole call replaces both of its runs; split although small: minSplitWork 0.)
  const saved = InferRecurrent.minSplitWork;
  InferRecurrent.minSplitWork = 0;
  const m = new Sequential([new LSTM({ units: 64, returnSequences: true, inputShape: [null, 3] }), new GRU({ units: 64, resetAfter: false })], { seed: 15, kernels: k });
  const x = floats(2, 6, 3, 15);
  await m.predict(x);
  const bytes = saveModelToBytes(m);
  const kernels = await loadInferKernels({ threads: 2 });
  const pool = kernels.threads as unknown as StepThreads;
  try {
    const s1 = (await loadInferenceModel(bytes, { kernels: one })).stream({ batchSize: 2 });
    const s2 = (await loadInferenceModel(bytes, { kernels })).stream({ batchSize: 2 });
    const jobs = countJobs(kernels);
    for (let t = 0; t < 6; t++) {
      // The helper spins 0.3 ms after its last step, then sleeps; a step 15 ms later does not notify it.
      await new Promise((r) => setTimeout(r, 15));
      const until = Date.now() + 5000;
      while (!pool.asleep() && Date.now() < until) await new Promise((r) => setTimeout(r, 2));
      assert.ok(pool.asleep(), 'the helper sleeps after an idle stream');
      const before = pool.helperChunks(), seq = stepWord(pool);
      same(`step ${t}`, s2.step(x.map((r) => r[t])), s1.step(x.map((r) => r[t])));
      assert.is(pool.helperChunks(), before, `step ${t}: the sleeping helper ran no chunk`);
      // The one-thread call without publishing the step (no claims, no Atomics but the SLEEP loads).
      assert.is(stepWord(pool), seq, `step ${t}: a step with every helper asleep publishes nothing`);
      assert.ok(pool.asleep(), `step ${t}: the helper was not woken for a step 15 ms after the last`);
    }
    assert.is(jobs.jobs, 12, 'every step took the threaded path (one run per layer: the whole calls)');
    jobs.restore();
  } finally {
    kernels.dispose();
    InferRecurrent.minSplitWork = saved;
  }
});

test('threads option: bad values are typed errors; no SharedArrayBuffer or a browser main thread: 1 thread, one-line warning', async () => {
  for (const bad of [0, 1.5, -2, '2', 65]) {
    try {
      await loadInferKernels({ threads: bad as number });
      assert.unreachable(`threads ${String(bad)} was accepted`);
    } catch (e) {
      assert.instance(e, FusedRnnError);
      assert.match((e as Error).message, /threads must be an integer/);
    }
  }
  for (const bad of [-1, NaN, '1', 2000]) {
    try {
      await loadInferKernels({ threads: 2, spinMs: bad as number });
      assert.unreachable(`spinMs ${String(bad)} was accepted`);
    } catch (e) {
      assert.instance(e, FusedRnnError);
      assert.match((e as Error).message, /spinMs must be a number of milliseconds/);
    }
  }
  const warnings: string[] = [];
  const warn = console.warn;
  console.warn = (...m: unknown[]) => void warnings.push(m.join(' '));
  const g = globalThis as Record<string, unknown>;
  const sab = g.SharedArrayBuffer;
  try {
    delete g.SharedArrayBuffer;
    const a = await loadInferKernels({ threads: 2 });
    assert.is(a.threads, null);
    assert.is(warnings.length, 1);
    assert.match(warnings[0], /1 thread instead of 2: SharedArrayBuffer is not available/);
    assert.not.match(warnings[0], /\n/);
    g.SharedArrayBuffer = sab;
    g.window = {};
    g.document = {};
    const b = await loadInferKernels({ threads: 2 });
    assert.is(b.threads, null);
    assert.match(warnings[1], /main thread cannot block in Atomics\.wait/);
    // Still streams (one thread), same bits.
    delete g.window;
    delete g.document;
    const bytes = await lstm64(9);
    const xt = [0.5, -0.25];
    same('fallback', (await loadInferenceModel(bytes, { kernels: b })).stream().step(xt), (await loadInferenceModel(bytes, { kernels: one })).stream().step(xt));
  } finally {
    g.SharedArrayBuffer = sab;
    delete g.window;
    delete g.document;
    console.warn = warn;
  }
});

test('model.dispose() ends the helper: later threaded steps throw; idempotent', async () => {
  const bytes = await lstm64(10);
  const m = await loadInferenceModel(bytes, { threads: 2 });
  assert.ok(m.kernels.threads && m.kernels.threads.size === 2);
  const s = m.stream();
  s.step([1, 2]);
  m.dispose();
  m.dispose();
  try {
    s.step([1, 2]);
    assert.unreachable('a threaded step ran after dispose');
  } catch (e) {
    assert.instance(e, FusedRnnError);
    assert.match((e as Error).message, /disposed/);
  }
});

test('Node exits with an idle, never-disposed helper (unref)', async () => {
  const script = `import { loadInferenceModel } from ${JSON.stringify(new URL('../src/infer/index.ts', import.meta.url).href)};
import { LSTM, Sequential, saveModelToBytes } from ${JSON.stringify(new URL('../src/index.ts', import.meta.url).href)};
const net = new Sequential([new LSTM({ units: 64, inputShape: [null, 2] })], { seed: 1 });
await net.predict([[[0, 0]]]);
const bytes = saveModelToBytes(net);
const m = await loadInferenceModel(bytes, { threads: 2 });
const s = m.stream();
s.step([1, 2]);
console.log('done', m.kernels.threads.size);`;
  // test/helpers/child.ts: a pool that keeps Node alive never reaches process 'exit': killed at the timeout,
  // it fails (no retry); one that reached 'exit' and then hung in Node's own shutdown (nodejs/node#54918) is
  // run once more, and fails if it hangs again.
  const r = await runNode(['--import', 'tsx', '--input-type=module', '-e', script], { timeoutMs: 60_000 });
  assert.is(r.signal, null, `the process hung (killed by ${r.signal}); stderr: ${r.stderr}`);
  assert.is(r.status, 0, r.stderr);
  assert.match(r.stdout, /done 2/);
});

test.run();
