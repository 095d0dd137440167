// Per-thread gate scratch of threaded streaming steps (bindings/infer-threads.ts PrivateScratch, issue 20):
// a stream on 2 threads gives each recurrent layer one scratch copy per thread, each on its own 4 KB pages,
// and a helper's chunk of an LSTM, reset-after GRU or SimpleRNN step writes its units' gate pre-activations
// into the helper's copy, never into the caller's (sharing the pages cost the 2-thread LSTM(256) step
// ≈ 1.5 µs: the cores' prefetchers pulled each other's lines). The reset-before GRU keeps one shared scratch:
// its phase 2 reads every unit's r ⊙ h, written by whichever thread ran phase 1. Outputs stay bit-identical
// to one thread either way.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { GRU, LSTM, SimpleRNN, Sequential, loadKernels, saveModelToBytes, type Kernels } from '../src/index.js';
import { InferRecurrent } from '../src/infer/layers.js';
import { loadInferenceModel, loadInferKernels, type InferKernels } from '../src/infer/index.js';
import type { StepThreads } from '../bindings/infer-threads.js';
import { floats, same } from './helpers/bit-identity.js';

let k: Kernels;
let one: InferKernels;
let two: InferKernels;
let pool: StepThreads;
const minSplit = InferRecurrent.minSplitWork;
test.before(async () => {
  k = await loadKernels({ variant: 'simd' });
  one = await loadInferKernels();
  two = await loadInferKernels({ threads: 2 });
  pool = two.threads as unknown as StepThreads;
  InferRecurrent.minSplitWork = 0; // SimpleRNN and the reset-before GRU split at these sizes too
});
test.after(() => {
  InferRecurrent.minSplitWork = minSplit;
  two.dispose();
});

const H = 64, D = 5, T = 4;
// gates: gate blocks of H columns in one scratch row; shared: whether the helper's copy must stay unused.
const cases = [
  { name: 'LSTM', gates: 4, shared: false, make: () => new LSTM({ units: H, inputShape: [null, D] }) },
  { name: 'GRU reset-after', gates: 4, shared: false, make: () => new GRU({ units: H, inputShape: [null, D] }) },
  { name: 'SimpleRNN', gates: 1, shared: false, make: () => new SimpleRNN({ units: H, inputShape: [null, D] }) },
  { name: 'GRU reset-before', gates: 4, shared: true, make: () => new GRU({ units: H, resetAfter: false, inputShape: [null, D] }) },
];

for (const c of cases) {
  test(`${c.name}(${H}) on 2 threads: the helper's chunk uses ${c.shared ? 'the one shared scratch' : 'its own scratch copy, on its own pages'}`, async () => {
    const m = new Sequential([c.make()], { seed: 31, kernels: k });
    const x = floats(1, T, D, 31);
    await m.predict(x);
    const bytes = saveModelToBytes(m);
    const s1 = (await loadInferenceModel(bytes, { kernels: one, weights: 'float32' })).stream();
    const s2 = (await loadInferenceModel(bytes, { kernels: two, weights: 'float32' })).stream();
    const { scratch, scratchStride: stride } = (s2 as unknown as { buffers: Array<{ scratch: number; scratchStride: number }> }).buffers[0];
    assert.is(scratch % 4096, 0, 'the first copy starts a page');
    assert.ok(stride >= 4 * c.gates * H && stride % 4096 === 0, `stride ${stride}: whole pages, at least one scratch row`);
    const F = two.arena.F32, caller = scratch / 4, helper = (scratch + stride) / 4;
    F.fill(0, caller, caller + 2 * (stride / 4));
    // One chunk per thread: the caller's units [0, 32), the helper's [32, 64) (it claims from the back).
    // callerWait: the caller lets the helper claim one chunk first, so the helper surely runs one; helperLimit:
    // and no more (a caller preempted after that wait would leave it the other chunk too).
    pool.tune({ callerWait: 1, helperLimit: 1 });
    const before = pool.helperChunks();
    try {
      for (let t = 0; t < T; t++) {
        const xt = x.map((row) => row[t]);
        same(`${c.name}: step ${t}`, s2.step(xt), s1.step(xt));
      }
    } finally {
      pool.tune({ callerWait: 0, helperLimit: -1 });
    }
    assert.ok(pool.helperChunks() > before, 'the helper ran chunks');
    const nonzero = (base: number, u0: number, u1: number) => {
      let n = 0;
      for (let g = 0; g < c.gates; g++) for (let u = u0; u < u1; u++) if (F[base + g * H + u] !== 0) n++;
      return n;
    };
    assert.ok(nonzero(caller, 0, 32) > 0, "the caller's units in its copy");
    if (c.shared) {
      assert.ok(nonzero(caller, 32, 64) > 0, "the helper's units in the shared scratch");
      assert.is(nonzero(helper, 0, 64), 0, 'the second copy unused');
    } else {
      assert.ok(nonzero(helper, 32, 64) > 0, "the helper's units in its own copy");
      assert.is(nonzero(caller, 32, 64), 0, "no helper unit in the caller's copy");
      assert.is(nonzero(helper, 0, 32), 0, "no caller unit in the helper's copy");
    }
  });
}

test.run();
