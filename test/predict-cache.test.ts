// Packed recurrent weights cached between predict calls (issue 17; docs/decisions.md "Packed weights cached
// between predict calls"). A cache may never serve stale weights: after every way the weights can change
// (fit, trainOnBatch, setWeights, loadWeights, EarlyStopping's restore, writes through `slabs`, another model
// training on the same Kernels, a re-plan), predict must equal, bit for bit, the predict of a FRESH model
// (built from the config, given the weights with setWeights, never predicted before: it packs on its first
// call). And the cache must be used: a second predict on unchanged weights passes the PREPACKED flag.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  Bidirectional, Dense, EarlyStopping, GRU, LSTM, Sequential, SimpleRNN, loadKernels, loadWeights, saveModelToBytes,
  DataValueError, KernelArgumentError, type Kernels, type RawKernels,
} from '../src/index.js';
import { uniform } from './helpers/random.js';

const PREPACKED = 64; // assembly/recurrent-packed.ts
const T = 6, D = 5, N = 3;

/** Inference calls seen by the raw layer: [kernel, flags] (flags: the argument before the activations). */
const calls: Array<[string, number]> = [];
const spy = (raw: RawKernels): RawKernels => {
  const r = raw as unknown as Record<string, (...a: number[]) => void>;
  const wrap = (name: string, flagsAt: number) => (...a: number[]) => { calls.push([name, a[flagsAt]]); return r[name](...a); };
  return { ...raw, lstm_infer: wrap('lstm_infer', 14), gru_infer: wrap('gru_infer', 13), simple_rnn_infer: wrap('simple_rnn_infer', 13) } as RawKernels;
};

const kernels = await loadKernels({ variant: 'simd', wrapRaw: spy });
const other = await loadKernels({ variant: 'simd' }); // the fresh models run here

function makeModel(k: Kernels, seed = 3): Sequential {
  return new Sequential([
    new LSTM({ units: 8, returnSequences: true, inputShape: [T, D], name: 'lstm' }),
    new Bidirectional({ layer: new GRU({ units: 6, returnSequences: true, name: 'gru' }), name: 'bi' }),
    new SimpleRNN({ units: 7, name: 'simple' }),
    new Dense({ units: 2, name: 'out' }),
  ], { seed, kernels: k });
}

const x = { data: uniform(N * T * D, 5, -1, 1), shape: [N, T, D] };
const y = { data: uniform(N * 2, 6, -1, 1), shape: [N, 2] };

/** The bits of a prediction. */
const bits = (p: { data: Float32Array }) => Array.from(new Uint32Array(p.data.buffer, p.data.byteOffset, p.data.length));

async function predictBits(m: Sequential, batchSize = N): Promise<number[]> {
  return bits((await m.predict(x, { batchSize })) as { data: Float32Array });
}

/** The prediction of a fresh model with m's weights (first predict: packs). */
async function freshBits(m: Sequential, batchSize = N): Promise<number[]> {
  const f = makeModel(other, 99);
  await f.build([T, D]);
  f.setWeights(m.getWeights());
  const out = await predictBits(f, batchSize);
  f.dispose();
  return out;
}

async function assertFresh(m: Sequential, what: string, batchSize = N): Promise<number[]> {
  const got = await predictBits(m, batchSize);
  assert.equal(got, await freshBits(m, batchSize), `${what}: predict equals a fresh model's predict bit for bit`);
  return got;
}

/** Flags of the inference calls made by `f`. */
async function flagsOf(f: () => Promise<unknown>): Promise<Array<[string, boolean]>> {
  calls.length = 0;
  await f();
  return calls.map(([n, flags]) => [n, (flags & PREPACKED) !== 0]);
}

test('the second predict on unchanged weights reuses the packed panels (and equals the first)', async () => {
  const m = makeModel(kernels);
  m.compile({ optimizer: 'adam', loss: 'mse' });
  const first = await flagsOf(() => predictBits(m));
  assert.equal(first, [['lstm_infer', false], ['gru_infer', false], ['gru_infer', false], ['simple_rnn_infer', false]]);
  const a = await predictBits(m);
  calls.length = 0;
  const b = await predictBits(m);
  assert.equal(calls.map(([, f]) => (f & PREPACKED) !== 0), [true, true, true, true], 'every recurrent layer skipped packing');
  assert.equal(a, b);
  assert.equal(b, await freshBits(m));
  m.dispose();
});

test('no stale weights: fit, trainOnBatch, setWeights, loadWeights, EarlyStopping restore, slabs writes', async () => {
  const m = makeModel(kernels);
  m.compile({ optimizer: 'adam', loss: 'mse' });
  const p0 = await assertFresh(m, 'built');
  await assertFresh(m, 'built, cached');

  await m.fit(x, y, { epochs: 2, batchSize: 2, shuffle: false });
  const p1 = await assertFresh(m, 'after fit');
  assert.not.equal(p1, p0, 'fit changed the predictions (the test can fail)');
  await assertFresh(m, 'after fit, cached');

  await m.trainOnBatch(x, y);
  const p2 = await assertFresh(m, 'after trainOnBatch');
  assert.not.equal(p2, p1);

  const w = m.getWeights();
  const saved = saveModelToBytes(m);
  m.setWeights(w.map((t) => ({ ...t, data: t.data.map((v) => v * 0.5) })));
  const p3 = await assertFresh(m, 'after setWeights');
  assert.not.equal(p3, p2);
  // one tensor only: the recurrent kernel of the LSTM
  m.setWeights([{ ...w[1], data: w[1].data.map((v) => -v) }]);
  await assertFresh(m, 'after setWeights of one recurrent kernel');

  await loadWeights(m, saved);
  const p4 = await assertFresh(m, 'after loadWeights');
  assert.equal(p4, p2, 'the saved weights are back');

  // EarlyStopping with restoreBestWeights writes the best epoch's weights back through setWeights
  await m.fit(x, y, { epochs: 4, batchSize: 3, shuffle: false, validationData: [x, y],
    callbacks: [new EarlyStopping({ monitor: 'val_loss', patience: 1, restoreBestWeights: true, mode: 'max' })] });
  await assertFresh(m, 'after EarlyStopping restored weights');

  // Direct writes through the slabs pointer: read `slabs`, write, predict
  const P = m.paramTable.entries.find((e) => e.path.endsWith('recurrent_kernel'))!;
  const { params } = m.slabs;
  kernels.arena.f32(params + P.offset * 4, P.size).fill(0.01);
  const p5 = await assertFresh(m, 'after a write through slabs.params');
  await predictBits(m);
  kernels.arena.f32(m.slabs.params + P.offset * 4, P.size).fill(-0.02); // slabs read again before the write
  assert.not.equal(await assertFresh(m, 'after a second write through slabs.params'), p5);
  m.dispose();
});

test('no stale weights across models sharing one Kernels, and across re-plans', async () => {
  const a = makeModel(kernels, 1), b = makeModel(kernels, 2);
  a.compile({ optimizer: 'sgd', loss: 'mse' });
  b.compile({ optimizer: 'adam', loss: 'mse' });
  const pa = await assertFresh(a, 'model a');
  await assertFresh(b, 'model b');
  await b.fit(x, y, { epochs: 2, batchSize: 1 });
  assert.equal(await assertFresh(a, 'model a after b trained'), pa, 'a is untouched by b');
  await assertFresh(b, 'model b after training');
  // a larger batch re-plans (a new plan block); a smaller one reuses the plan
  await assertFresh(a, 'batch 1', 1);
  const big = { data: new Float32Array(40 * T * D).map((_, i) => x.data[i % x.data.length]), shape: [40, T, D] };
  await a.predict(big, { batchSize: 40 });
  await assertFresh(a, 'after a re-plan for batch 40');
  await a.trainOnBatch(x, y); // training plan in between, then predict re-plans for inference
  await assertFresh(a, 'after trainOnBatch between predicts');
  a.dispose(); b.dispose();
});

test('threads: the cached workspace is repacked or reused on the pool with the same bits', async () => {
  const two = await loadKernels({ variant: 'simd', threads: 2, threadMinFlops: 0 });
  const m = makeModel(two);
  m.compile({ optimizer: 'adam', loss: 'mse' });
  await assertFresh(m, 'two threads');
  await assertFresh(m, 'two threads, cached');
  await m.fit(x, y, { epochs: 1, batchSize: 3 });
  await assertFresh(m, 'two threads after fit');
  m.dispose();
  // B = 1 on two threads splits LSTM(160) by units (each thread packs its own panels unless PREPACKED)
  const wide = (k: Kernels) => new Sequential([new LSTM({ units: 160, inputShape: [T, D], name: 'wide' })], { seed: 4, kernels: k });
  const u = wide(two), ref = wide(other);
  await u.build([T, D]); await ref.build([T, D]);
  const one = { data: x.data.subarray(0, T * D), shape: [1, T, D] };
  const run = async (mm: Sequential) => bits((await mm.predict(one)) as { data: Float32Array });
  for (const step of ['first', 'cached', 'after setWeights', 'cached again']) {
    if (step === 'after setWeights') u.setWeights(u.getWeights().map((t) => ({ ...t, data: t.data.map((v) => v * 0.75) })));
    ref.setWeights(u.getWeights());
    assert.equal(await run(u), await run(ref), `B = 1 on two threads, ${step}`);
  }
  u.dispose(); ref.dispose();
  two.dispose();
});

test('the B = 1 input copy and the Float32Array finiteness check: same predictions, bad values named', async () => {
  const m = makeModel(kernels);
  assert.equal(await predictBits(m, 1), await predictBits(m, N), 'batches of one = one batch of three (rows are independent)');
  for (const bad of [NaN, Infinity, -Infinity]) {
    const data = Float32Array.from(x.data);
    data[(1 * T + 2) * D + 3] = bad;
    try {
      await m.predict({ data, shape: [N, T, D] }, { batchSize: 1 });
      assert.unreachable('should throw');
    } catch (e) {
      assert.instance(e, DataValueError);
      assert.match((e as Error).message, `x[1][2][3] = ${bad} is not finite`);
    }
  }
  m.dispose();
});

test('kernel level: a current workspace gives the bits of packing per call; bad workspaces are typed errors', async () => {
  const k = await loadKernels({ variant: 'simd' });
  const a = k.arena, Tk = 9, B = 3, Dk = 7, H = 12, G = 4 * H;
  const x = a.putF32(uniform(Tk * B * Dk, 1, -1, 1)), W = a.putF32(uniform(Dk * G, 2, -0.5, 0.5)), U = a.putF32(uniform(H * G, 3, -0.5, 0.5));
  const b = a.putF32(uniform(G, 4, -0.1, 0.1));
  const h = a.alloc(B * H), c = a.alloc(B * H), scratch = a.alloc(Tk * B * G), yb = a.alloc(Tk * B * H);
  const floats = (Dk + H) * G, work = (a.alloc(floats + 16) + 63) & ~63;
  const run = (packed: { work: { ptr: number; shape: number[] }; current: boolean } | null) => {
    a.f32(h, B * H).fill(0.1); a.f32(c, B * H).fill(-0.1);
    k.lstmInfer({ T: Tk, B, D: Dk, H, x: { ptr: x, shape: [Tk, B, Dk] }, W: { ptr: W, shape: [Dk, G] }, U: { ptr: U, shape: [H, G] }, b: { ptr: b, shape: [G] },
      y: { ptr: yb, shape: [Tk, B, H] }, h: { ptr: h, shape: [B, H] }, c: { ptr: c, shape: [B, H] }, scratch: { ptr: scratch, shape: [Tk, B, G] }, packed });
    return [...a.readF32(yb, Tk * B * H), ...a.readF32(c, B * H)];
  };
  const plain = run(null);
  assert.equal(run({ work: { ptr: work, shape: [floats] }, current: false }), plain, 'packing into a kept workspace');
  assert.equal(run({ work: { ptr: work, shape: [floats] }, current: true }), plain, 'reusing it');
  // current: true on a workspace that holds other weights is the caller's broken promise: the kernel reads
  // what is there (this is why the model keys the cache by the weights version)
  a.f32(work, floats).fill(0);
  assert.not.equal(run({ work: { ptr: work, shape: [floats] }, current: true }), plain);
  const bad = (packed: unknown, re: RegExp) => {
    try { run(packed as never); assert.unreachable('should throw'); } catch (e) {
      assert.instance(e, KernelArgumentError); assert.match((e as Error).message, re);
    }
  };
  bad({ work: { ptr: work + 16, shape: [floats] }, current: true }, /packed\.work.*64-byte aligned/);
  bad({ work: { ptr: work, shape: [floats - 4] }, current: true }, /packed\.work/);
  bad({ work: { ptr: work, shape: [floats] }, current: 1 }, /packed\.current.*boolean/);
  bad({ work: { ptr: scratch - (scratch % 64) + 64, shape: [floats] }, current: false }, /overlap|packed\.work/);
  k.dispose();
});

test.run();
