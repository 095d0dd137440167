// Threaded LSTM inference split by UNITS (assembly/recurrent-cols.ts, a stepped pool job with a barrier
// between steps) gives the SAME bits as one thread: every gate column is summed in the one-thread order.
// Checked on the plain SIMD build, relaxed against relaxed and the scalar build, for 2 and 3 threads, B = 1 and batches, with
// lengths (right and left padded), step masks, reverse, odd and even T (odd T ends in the second state
// buffer), the outputs y, and projection chunks (Tc < T, and Tc = 1). The row split is checked on the same
// shapes. Also the barrier itself: a step of the caller sees every helper's previous step and none after it,
// and a helper's failure in a stepped job is a typed error without a hang, the pool still usable.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { hasRelaxedSimd, loadKernels, FusedRnnError, type Kernels } from '../bindings/index.js';
import { inferSplit, inferSplitOverride } from '../bindings/threads/dispatch.js';
import { ThreadPool } from '../bindings/threads/pool.js';
import { withSharedMemoryImport } from '../bindings/threads/shared-module.js';
import { embeddedWasm } from '../bindings/embedded.js';
import { uniform } from './helpers/random.js';
import { checkEqual } from './helpers/check-close.js';

interface Case { T: number; B: number; D: number; H: number; padding: 'none' | 'right' | 'left' | 'steps'; reverse: boolean; y: boolean }

/** One seeded lstmInfer call: the final h, c and (when asked) y read back. */
function infer(k: Kernels, p: Case): Record<string, Float32Array> {
  const { T, B, D, H } = p, G = 4 * H, a = k.arena;
  const mark = a.mark();
  try {
    const put = (n: number, seed: number) => a.putF32(uniform(n, seed, -0.5, 0.5));
    const ref = (ptr: number, shape: number[]) => ({ ptr, shape });
    const lengths = p.padding === 'right' || p.padding === 'left' ? Array.from({ length: B }, (_, b) => [T, 0, 1, (b * 5) % (T + 1)][b % 4]) : undefined;
    const stepMask = p.padding === 'steps' ? Array.from({ length: T * B }, (_, i) => ((i * 7) % 5 !== 0 && i % B !== 2 ? 1 : 0)) : undefined;
    const x = ref(put(T * B * D, 1), [T, B, D]), W = ref(put(D * G, 2), [D, G]), U = ref(put(H * G, 3), [H, G]), b = ref(put(G, 4), [G]);
    const h = ref(put(B * H, 13), [B, H]), c = ref(put(B * H, 14), [B, H]);
    const y = p.y ? ref(a.allocZeroed(T * B * H), [T, B, H]) : undefined;
    k.lstmInfer({ T, B, D, H, x, W, U, b, h, c, y, scratch: ref(a.allocZeroed(T * B * G), [T, B, G]), lengths, stepMask, leftPadded: p.padding === 'left', reverse: p.reverse });
    const out: Record<string, Float32Array> = { h: a.f32(h.ptr, B * H).slice(), c: a.f32(c.ptr, B * H).slice() };
    if (y) out.y = a.f32(y.ptr, T * B * H).slice();
    return out;
  } finally {
    a.release(mark);
  }
}

const CASES: Case[] = [
  { T: 9, B: 1, D: 5, H: 64, padding: 'none', reverse: false, y: true },
  { T: 8, B: 1, D: 7, H: 96, padding: 'none', reverse: true, y: false },
  { T: 5, B: 1, D: 8, H: 160, padding: 'none', reverse: false, y: true }, // ('auto' picks units here)
  { T: 7, B: 6, D: 4, H: 64, padding: 'right', reverse: false, y: true },
  { T: 10, B: 5, D: 3, H: 96, padding: 'left', reverse: true, y: true },
  { T: 11, B: 7, D: 6, H: 128, padding: 'steps', reverse: false, y: true },
  { T: 6, B: 9, D: 5, H: 64, padding: 'steps', reverse: true, y: false },
  // Tc = 32 (B·4H = 2048): a chunk boundary inside T, both directions
  { T: 37, B: 8, D: 9, H: 64, padding: 'right', reverse: true, y: true },
  { T: 36, B: 8, D: 9, H: 64, padding: 'none', reverse: false, y: false },
  // Tc = 1 (B·4H = 69,632 > 64 K floats)
  { T: 3, B: 68, D: 4, H: 256, padding: 'none', reverse: false, y: true },
];

async function sameAsOneThread(variant: 'simd' | 'relaxed' | 'scalar') {
  const one = await loadKernels({ variant });
  const many = [await loadKernels({ variant, threads: 2, threadMinFlops: 0 }), await loadKernels({ variant, threads: 3, threadMinFlops: 0 })];
  try {
    for (const p of CASES) {
      const want = infer(one, p);
      for (const k of many) {
        for (const mode of ['units', 'rows', 'auto'] as const) {
          inferSplitOverride.mode = mode;
          const got = infer(k, p);
          for (const name of Object.keys(want)) checkEqual(`${variant} ${name} ${JSON.stringify(p)} threads ${k.threads} ${mode}`, got[name], want[name]);
        }
      }
    }
  } finally {
    inferSplitOverride.mode = 'auto';
    for (const k of many) k.dispose();
  }
}

test('LSTM inference split by units equals 1 thread bit for bit (simd; 2 and 3 threads; masks, reverse, chunks)', async () => {
  await sameAsOneThread('simd');
});

test('LSTM inference split by units equals 1 thread bit for bit (relaxed vs relaxed)', async () => {
  if (!hasRelaxedSimd()) return; // (Node 20 without the flag: the relaxed build cannot load)
  await sameAsOneThread('relaxed');
});

test('LSTM inference split by units equals 1 thread bit for bit (scalar build)', async () => {
  await sameAsOneThread('scalar');
});

test('the units split would be caught changing a bit (the comparison can fail)', async () => {
  const one = await loadKernels({ variant: 'simd' });
  const p = CASES[2];
  const a = infer(one, p), b = infer(one, { ...p, reverse: true });
  assert.not.ok(Array.from(a.h).every((v, i) => Object.is(v, b.h[i])), 'a different walk must change h');
});

test('the split chosen: units for B = 1 with a big enough step and H a multiple of 32; rows otherwise', () => {
  assert.is(inferSplit(64, 1, 64, 256, 2, true), 'units');
  assert.is(inferSplit(64, 1, 64, 160, 2, true), 'units');
  assert.is(inferSplit(64, 1, 64, 512, 3, true), 'units');
  assert.is(inferSplit(64, 1, 64, 128, 2, true), 'rows', 'too small a step for the barrier');
  assert.is(inferSplit(64, 2, 64, 256, 2, true), 'rows', 'a batch splits by rows');
  assert.is(inferSplit(64, 32, 64, 256, 2, true), 'rows');
  assert.is(inferSplit(64, 1, 64, 264, 2, true), 'rows', 'H not a multiple of 32');
  assert.is(inferSplit(64, 1, 64, 256, 2, false), 'rows', 'unpacked weights');
  assert.is(inferSplit(64, 1, 64, 256, 1, true), 'rows');
});

test('predict at B = 1 on 2 threads (units, cached packed weights) equals 1 thread, also after setWeights', async () => {
  const { Sequential, LSTM, Dense } = await import('../src/index.js');
  let stepped = 0;
  const runStepped = ThreadPool.prototype.runStepped;
  ThreadPool.prototype.runStepped = function (this: ThreadPool, ...a: Parameters<typeof runStepped>) {
    stepped++;
    return runStepped.apply(this, a);
  };
  const T = 7, D = 6, H = 160;
  const x = { data: uniform(T * D, 21, -1, 1), shape: [1, T, D] };
  const make = (kernels: Kernels) => new Sequential([new LSTM({ units: H, inputShape: [T, D], name: 'lstm' }), new Dense({ units: 3, name: 'out' })], { seed: 5, kernels });
  const two = await loadKernels({ variant: 'simd', threads: 2, threadMinFlops: 0 });
  try {
    const m1 = make(await loadKernels({ variant: 'simd' })), m2 = make(two);
    await m1.build([T, D]);
    await m2.build([T, D]);
    const bits = async (m: InstanceType<typeof Sequential>) => Array.from((await m.predict(x, { batchSize: 1 })).data as Float32Array);
    const want = await bits(m1);
    assert.equal(await bits(m2), want, 'first predict (packs)');
    assert.equal(await bits(m2), want, 'second predict (cached panels)');
    const w = m1.getWeights().map((t) => ({ ...t, data: t.data.map((_v: number, i: number) => Math.sin(i * 0.37) * 0.3) }));
    m1.setWeights(w);
    m2.setWeights(w);
    const want2 = await bits(m1);
    assert.not.equal(want2, want, 'new weights change the prediction');
    assert.equal(await bits(m2), want2, 'after setWeights (repacked)');
    assert.ok(stepped >= 3, `the units split ran (${stepped} stepped jobs)`);
  } finally {
    ThreadPool.prototype.runStepped = runStepped;
    two.dispose();
  }
});

/** A pool over the release build's exports `names`, on a fresh shared memory of 2 MiB. */
async function rawPool(helpers: number, names: string[]) {
  const memory = new WebAssembly.Memory({ initial: 32, maximum: 64, shared: true });
  const module = await WebAssembly.compile(withSharedMemoryImport(embeddedWasm('release'), 64) as BufferSource);
  const pool = await ThreadPool.start(module, memory, Array.from({ length: helpers }, () => 0), names);
  return { memory, pool };
}

test('stepped jobs: step k of the caller sees every helper at step k - 1 or k, never beyond (the barrier orders)', async () => {
  // Helper i runs scale(x_i, 2, k) at step k: x_i[0] doubles once per step from step 1 on. The caller's step
  // k (after the barrier) must find every x_i[0] = 2^(k-1) (helper still before its step k) or 2^k.
  const { memory, pool } = await rawPool(2, ['scale']);
  try {
    const base = 1 << 20;
    const xs = [base, base + 4096];
    const f32 = new Float32Array(memory.buffer);
    for (const x of xs) f32.fill(1, x >> 2, (x >> 2) + 64);
    const seen: string[] = [];
    const steps = 40;
    pool.runStepped(0, [[0], ...xs.map((x) => [x, 2])], steps, (_unused: number, k: number) => {
      for (const x of xs) {
        const v = f32[x >> 2];
        if (k > 0 && v !== 2 ** (k - 1) && v !== 2 ** k) seen.push(`step ${k}: x[0] = ${v}`);
      }
    });
    assert.equal(seen, []);
    for (const x of xs) assert.is(f32[x >> 2], 2 ** (steps - 1), 'every helper ran every step');
    // shareMs: what each thread's calls took (the caller's own and each helper's, as they measured)
    for (let i = 0; i < 3; i++) assert.ok(pool.shareMs(i) >= (i === 0 ? 0 : 1e-9) && pool.shareMs(i) < 10000, `share ${i}: ${pool.shareMs(i)} ms`);
    const before = pool.shareMs(1);
    pool.run(0, [[xs[0], 1, 0], [xs[1], 1, 64]], () => {});
    assert.ok(pool.shareMs(1) !== before && pool.shareMs(1) >= 0, 'a plain run records its share too');
    assert.throws(() => pool.shareMs(3), /share 3 of 3/);
  } finally {
    pool.dispose();
  }
});

test('stepped jobs: a helper that traps is a typed error, every thread stops at a barrier, the pool runs again', async () => {
  const { memory, pool } = await rawPool(1, ['scale']);
  try {
    const outside = memory.buffer.byteLength + 4096;
    let calls = 0;
    try {
      pool.runStepped(0, [[0], [outside, 2]], 50, () => void calls++);
      assert.unreachable('the trap was not reported');
    } catch (e) {
      assert.instance(e, FusedRnnError);
      assert.match((e as Error).message, /kernel scale failed on helper 1/);
    }
    assert.ok(calls < 50, `the caller stopped early (${calls} calls)`);
    const x = 1 << 20, f32 = new Float32Array(memory.buffer);
    f32[x >> 2] = 1;
    pool.runStepped(0, [[0], [x, 2]], 5, () => {});
    assert.is(f32[x >> 2], 16);
    assert.throws(() => pool.runStepped(0, [[0]], 0, () => {}), /steps must be a positive integer/);
  } finally {
    pool.dispose();
  }
});

test.run();
