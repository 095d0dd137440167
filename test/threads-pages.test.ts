// Threads of the training library never write the same 4 KB pages in a hot loop where that was measured to
// cost (docs/performance.md "Threads writing the same pages"): two cores writing different lines of one
// page pull each other's lines through their prefetchers. The by-units lstm_infer gives every thread its own
// gate scratch copy, each starting a page (measured: LSTM(256) B = 1 on 2 threads, 13.1 → 11.1 µs per step),
// and so does the by-rows lstm_infer for its rows of the projected step (B = 8: the helper's share 4.45 → 4.22 ms).
// Checked here by the pointers the shares get (not by time), and that the outputs stay those of one thread.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { loadKernels, type Kernels } from '../bindings/index.js';
import { PAGE, THREAD_KERNELS, inferSplitOverride, threadPages } from '../bindings/threads/dispatch.js';
import { ThreadPool } from '../bindings/threads/pool.js';
import { uniform } from './helpers/random.js';
import { checkEqual } from './helpers/check-close.js';

/** The shares of every stepped job (`runStepped`) or plain job (`run`) of kernel `fn` run during f(). */
function sharesOf(method: 'run' | 'runStepped', fn: number, f: () => void): number[][][] {
  const jobs: number[][][] = [];
  const orig = ThreadPool.prototype[method] as (this: ThreadPool, ...a: unknown[]) => void;
  (ThreadPool.prototype as unknown as Record<string, unknown>)[method] = function (this: ThreadPool, ...a: unknown[]) {
    if (a[0] === fn) jobs.push((a[1] as number[][]).map((s) => [...s]));
    return orig.apply(this, a);
  };
  try {
    f();
  } finally {
    (ThreadPool.prototype as unknown as Record<string, unknown>)[method] = orig;
  }
  return jobs;
}
const INFER_UNITS = THREAD_KERNELS.indexOf('lstm_infer_units'), INFER_ROWS = THREAD_KERNELS.indexOf('lstm_infer_rows');
const steppedShares = (f: () => void) => sharesOf('runStepped', INFER_UNITS, f);

/** Checks that the scratch pointers (argument 4) start pages, none is `given`, and no two share a page within `used` bytes. */
function ownPages(ptrs: number[], given: number, used: number, what: string) {
  for (const p of ptrs) {
    assert.is(p % PAGE, 0, `${what}: a scratch copy starts a page (${p})`);
    assert.is.not(p, given, `${what}: not the caller-given scratch`);
  }
  const sorted = [...ptrs].sort((a, b) => a - b);
  for (let i = 1; i < sorted.length; i++) assert.ok(sorted[i] - sorted[i - 1] >= Math.ceil(used / PAGE) * PAGE, `${what}: copies ${sorted[i - 1]}, ${sorted[i]} share no page (${used} bytes used)`);
}

/** One seeded lstmInfer call: h, c, y read back, and the caller's scratch pointer. */
function infer(k: Kernels, T: number, D: number, H: number, B = 1) {
  const G = 4 * H, a = k.arena;
  const mark = a.mark();
  try {
    const put = (n: number, seed: number) => a.putF32(uniform(n, seed, -0.5, 0.5));
    const ref = (ptr: number, shape: number[]) => ({ ptr, shape });
    const h = ref(put(B * H, 13), [B, H]), c = ref(put(B * H, 14), [B, H]), y = ref(a.allocZeroed(T * B * H), [T, B, H]);
    const scratch = ref(a.allocZeroed(T * B * G), [T, B, G]);
    k.lstmInfer({ T, B, D, H, x: ref(put(T * B * D, 1), [T, B, D]), W: ref(put(D * G, 2), [D, G]), U: ref(put(H * G, 3), [H, G]), b: ref(put(G, 4), [G]), h, c, y, scratch });
    return { out: { h: a.f32(h.ptr, B * H).slice(), c: a.f32(c.ptr, B * H).slice(), y: a.f32(y.ptr, T * B * H).slice() }, scratch: scratch.ptr };
  } finally {
    a.release(mark);
  }
}

test('by-units lstm_infer: every thread writes its gate scratch into its own copy, each on its own 4 KB pages', async () => {
  const one = await loadKernels({ variant: 'simd' });
  for (const threads of [2, 3]) {
    const many = await loadKernels({ variant: 'simd', threads, threadMinFlops: 0 });
    inferSplitOverride.mode = 'units'; // (H = 96 is below the size 'auto' splits by units)
    try {
      // T = 9, H = 256: Tc = 9 (all steps in one projected chunk), 9 rows of 4 KB; T = 40, H = 512: Tc = 32.
      for (const [T, D, H] of [[9, 5, 256], [40, 7, 512], [6, 3, 96]]) {
        const want = infer(one, T, D, H).out;
        let got: ReturnType<typeof infer> | null = null;
        const jobs = steppedShares(() => { got = infer(many, T, D, H); });
        assert.is(jobs.length, 1, `one stepped job (units split) at T ${T} H ${H}`);
        const shares = jobs[0];
        assert.is(shares.length, threads);
        ownPages(shares.map((s) => s[4]), got!.scratch, 4 * Math.min(T, Math.floor((1 << 16) / (4 * H))) * 4 * H, `T ${T} H ${H}`);
        for (const name of ['h', 'c', 'y'] as const) checkEqual(`${name} T ${T} H ${H} threads ${threads}`, got!.out[name], want[name]);
      }
    } finally {
      inferSplitOverride.mode = 'auto';
      many.dispose();
    }
  }
});

test('by-rows lstm_infer: every thread projects its rows into its own copy of the first B scratch rows, on its own pages', async () => {
  const one = await loadKernels({ variant: 'simd' });
  for (const threads of [2, 3]) {
    const many = await loadKernels({ variant: 'simd', threads, threadMinFlops: 0 });
    inferSplitOverride.mode = 'rows';
    try {
      for (const [T, D, H, B] of [[9, 5, 256, 8], [5, 7, 64, 3], [4, 3, 40, 33]]) {
        const want = infer(one, T, D, H, B).out;
        let got: ReturnType<typeof infer> | null = null;
        const jobs = sharesOf('run', INFER_ROWS, () => { got = infer(many, T, D, H, B); });
        assert.is(jobs.length, 1, `one row job at T ${T} H ${H} B ${B}`);
        const shares = jobs[0];
        assert.is(shares.length, Math.min(threads, B));
        // a share's rows [r0, r1) = its last two arguments: all B rows fit its copy
        ownPages(shares.map((s) => s[3]), got!.scratch, 4 * B * 4 * H, `T ${T} H ${H} B ${B}`);
        for (const name of ['h', 'c', 'y'] as const) checkEqual(`${name} T ${T} H ${H} B ${B} threads ${threads}`, got!.out[name], want[name]);
      }
    } finally {
      inferSplitOverride.mode = 'auto';
      many.dispose();
    }
  }
});

test('threadPages.private = false (the benchmark\'s other setting) shares one scratch and keeps the same bits', async () => {
  const one = await loadKernels({ variant: 'simd' });
  const two = await loadKernels({ variant: 'simd', threads: 2, threadMinFlops: 0 });
  try {
    threadPages.private = false;
    let got: ReturnType<typeof infer> | null = null;
    const jobs = steppedShares(() => { got = infer(two, 9, 5, 256); });
    assert.equal(jobs[0].map((s) => s[4]), [got!.scratch, got!.scratch]);
    const want = infer(one, 9, 5, 256).out;
    for (const name of ['h', 'c', 'y'] as const) checkEqual(name, got!.out[name], want[name]);
    inferSplitOverride.mode = 'rows';
    const rowJobs = sharesOf('run', INFER_ROWS, () => { got = infer(two, 9, 5, 256, 8); });
    assert.equal(rowJobs[0].map((s) => s[3]), [got!.scratch, got!.scratch]);
    const want8 = infer(one, 9, 5, 256, 8).out;
    for (const name of ['h', 'c', 'y'] as const) checkEqual(`${name} rows`, got!.out[name], want8[name]);
  } finally {
    threadPages.private = true;
    inferSplitOverride.mode = 'auto';
    two.dispose();
  }
});

test.run();
