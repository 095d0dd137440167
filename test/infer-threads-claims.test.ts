// The claiming protocol of threaded streaming steps (bindings/infer-threads.ts, issue 20): a step is cut
// into chunks of units; the caller claims from the front, the helper from the back, and the caller waits only
// for chunks the helper has claimed. Deterministic hooks (StepThreads.tune) force every interleaving that
// timing could produce, and the outputs and state must be BIT-IDENTICAL to one thread and to predict in each:
//   (a) the helper never joins (helperLimit 0): the caller runs every chunk, and returns;
//   (b) the helper runs every chunk (callerWait: the caller lets it claim all first), slowly (helperDelayUs):
//       the caller must wait for claimed chunks (a caller that does not wait reads half-written units);
//   (c) (a) and (b) alternating step by step;
//   (d) random limits, waits, delays and gaps between steps, with a helper that comes late (helperPauseUs):
//       it must claim nothing of a finished step nor a later step's chunk under an old tag.
// LSTM and reset-after GRU, B = 1, 3, 5, stacked layers, masked rows (right-padded, maskZero).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Embedding, GRU, LSTM, Sequential, loadKernels, saveModelToBytes, type Kernels } from '../src/index.js';
import { loadInferenceModel, loadInferKernels, FusedRnnError, type InferKernels, type InferenceModel } from '../src/infer/index.js';
import type { StepThreads, StepThreadsTuning } from '../bindings/infer-threads.js';
import { floats, lcg, same, sameStates, paddedIds, DEFAULT_TUNING } from './helpers/bit-identity.js';

let k: Kernels;
let one: InferKernels;
let two: InferKernels;
let pool: StepThreads;
test.before(async () => {
  k = await loadKernels({ variant: 'simd' });
  one = await loadInferKernels();
  two = await loadInferKernels({ threads: 2 });
  pool = two.threads as unknown as StepThreads;
  pool.tune({ chunkPanels: 1 }); // chunks of 32 units here (more chunks, more interleavings); the default is 2
});
test.after(() => two.dispose());
const reset = DEFAULT_TUNING;

const V = 9;
const rightPadded = (N: number, T: number, seed: number) => paddedIds(N, T, seed, V);

// chunks: the chunks of each threaded layer's step (32 units each).
interface Case { name: string; make: () => Sequential; x: number[][] | number[][][]; chunks: number[] }
const cases: Case[] = [
  { name: 'LSTM(160), B = 1', make: () => new Sequential([new LSTM({ units: 160, inputShape: [null, 6] })], { seed: 21, kernels: k }), x: floats(1, 12, 6, 21), chunks: [5] },
  { name: 'GRU(128) reset-after, B = 3', make: () => new Sequential([new GRU({ units: 128, inputShape: [null, 5] })], { seed: 22, kernels: k }), x: floats(3, 12, 5, 22), chunks: [4] },
  {
    name: 'Embedding(maskZero, right-padded) → LSTM(96, seq) → GRU(64), B = 5',
    make: () => new Sequential([new Embedding({ inputDim: V, outputDim: 4, maskZero: true, inputShape: [12] }), new LSTM({ units: 96, returnSequences: true }), new GRU({ units: 64 })], { seed: 23, kernels: k }),
    x: rightPadded(5, 12, 23), chunks: [3, 2],
  },
];

type Plan = (t: number) => StepThreadsTuning & { gapMs?: number };
// Steps one model on 1 thread and on 2 with `plan(t)` set before step t; compares every output and state;
// returns the chunks the helper ran and the chunks in all.
async function run(c: Case, plan: Plan): Promise<{ helper: number; total: number }> {
  const m = c.make();
  await m.predict(c.x);
  const bytes = saveModelToBytes(m);
  const m1: InferenceModel = await loadInferenceModel(bytes, { kernels: one, weights: 'float32' });
  const m2: InferenceModel = await loadInferenceModel(bytes, { kernels: two, weights: 'float32' });
  const N = c.x.length, T = c.x[0].length;
  const full = await m1.predict(c.x, { batchSize: N });
  const s1 = m1.stream({ batchSize: N }), s2 = m2.stream({ batchSize: N });
  const before = pool.helperChunks();
  let last: Float32Array = new Float32Array(0);
  try {
    for (let t = 0; t < T; t++) {
      const p = plan(t);
      if (p.gapMs) await new Promise((r) => setTimeout(r, p.gapMs));
      pool.tune({ ...reset, ...p });
      const xt = c.x.map((row) => row[t]) as number[] | number[][];
      last = s2.step(xt);
      same(`${c.name}: step ${t}`, last, s1.step(xt));
      sameStates(`${c.name} at ${t}`, s2.state, s1.state);
    }
  } finally {
    pool.tune(reset);
  }
  same(`${c.name}: last step vs predict`, last, full.data);
  // A stray chunk run by a helper after the last step would show in the state once it is done.
  await new Promise((r) => setTimeout(r, 5));
  s1.state.forEach((st, i) => same(`${c.name}: h of ${st.layer} after the last step`, s2.state[i].h, st.h));
  return { helper: pool.helperChunks() - before, total: T * c.chunks.reduce((a, b) => a + b, 0) };
}

for (const c of cases) {
  test(`(a) the helper never joins: the caller runs every chunk (${c.name})`, async () => {
    const r = await run(c, () => ({ helperLimit: 0 }));
    assert.is(r.helper, 0, 'chunks the helper ran');
  });

  test(`(b) the helper claims every chunk and is slow: the caller waits for them (${c.name})`, async () => {
    const r = await run(c, () => ({ callerWait: 32, helperDelayUs: 300 }));
    assert.is(r.helper, r.total, 'chunks the helper ran');
  });

  test(`(c) alternating: caller-only and helper-only steps (${c.name})`, async () => {
    const r = await run(c, (t) => (t & 1 ? { callerWait: 32, helperDelayUs: 100 } : { helperLimit: 0 }));
    const odd = Math.floor(c.x[0].length / 2);
    assert.is(r.helper, odd * c.chunks.reduce((a, b) => a + b, 0), 'chunks the helper ran');
  });

  test(`(c') exactly one chunk each step for the helper, from the back (${c.name})`, async () => {
    const r = await run(c, () => ({ helperLimit: 1, callerWait: 1, helperDelayUs: 50 }));
    assert.is(r.helper, c.x[0].length * c.chunks.length, 'chunks the helper ran');
  });

  test(`(d) random limits, waits, delays, late helpers and gaps (${c.name})`, async () => {
    const r = lcg(c.chunks[0] * 7 + 1);
    let helper = 0, total = 0;
    for (let round = 0; round < 6; round++) {
      const res = await run(c, () => {
        const limit = [-1, -1, 0, 1, 2][Math.floor(r() * 5)];
        const wait = limit < 0 ? Math.floor(r() * 4) : Math.floor(r() * (limit + 1));
        return { helperLimit: limit, callerWait: wait, helperDelayUs: r() < 0.5 ? 0 : Math.floor(r() * 80), helperPauseUs: r() < 0.3 ? Math.floor(r() * 200) : 0, order: r() < 0.2 ? 'front' : 'ends', gapMs: r() < 0.2 ? Math.floor(r() * 3) : 0 };
      });
      helper += res.helper;
      total += res.total;
    }
    assert.ok(helper > 0 && helper < total, `the helper ran some of the chunks, not all (${helper} of ${total})`);
  });
}

for (const c of cases) {
  test(`a helper that comes late (after the caller finished the step) claims nothing of it (${c.name})`, async () => {
    // The helper pauses 0.5-2 ms after it sees each step, by then usually over (the caller never waits for an
    // unclaimed chunk): a claim under the old tag would run a chunk of the current step twice.
    // 1.5 ms pauses across 1 ms gaps: the helper wakes from step t's pause after step t + 1 has finished.
    // (Every step notifies the helper, though 1 ms apart.)
    const r = lcg(5), gap = pool.wakeGapMs;
    pool.wakeGapMs = 1e9;
    try {
      await run(c, () => ({ helperPauseUs: r() < 0.5 ? 1500 : 700, gapMs: 1 }));
    } finally {
      pool.wakeGapMs = gap;
    }
  });
}

test('a chunk that fails on the helper is a FusedRnnError on the caller; the pool keeps working', async () => {
  // A job whose output pointer lies past the memory: the helper's kernel traps (out of bounds).
  const bad = 2 ** 31 - 64, H = 64;
  const job = pool.job(0, [bad, bad, bad, bad, bad, bad, bad, bad, 0, 1, 4, H, 0, H, 0, 1, 2], H);
  pool.tune({ ...reset, callerWait: 32 });
  try {
    pool.run(job);
    assert.unreachable('the failed step returned');
  } catch (e) {
    assert.instance(e, FusedRnnError);
    assert.match((e as Error).message, /infer_lstm_units failed on a helper/);
  } finally {
    pool.tune(reset);
  }
  await run(cases[0], () => ({ callerWait: 1 }));
});

test.run();
