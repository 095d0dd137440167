// The relaxed-SIMD build (f32x4.relaxed_madd in the GEMM micro-kernels): matches the SIMD build within
// tolerance (it may fuse multiply and add: one rounding instead of two), is deterministic on one engine and
// CPU (same call twice, same bits; a 20-step training trajectory equal to its committed golden file), and
// the SIMD build's numbers are untouched by it. On engines that validate relaxed SIMD only behind a flag
// (Node 20), this file runs itself again with --experimental-wasm-relaxed-simd.
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { hasRelaxedSimd, loadKernels, type Kernels } from '../bindings/index.js';
import { checkClose, checkEqual } from './helpers/check-close.js';
import { runNode } from './helpers/child.js';
import { uniform } from './helpers/random.js';
import { CELLS, FIELDS, problem, runKernels } from './helpers/recurrent-cells.js';
import { gappyMask, maxAbs } from './helpers/rnn-problem.js';
import { RELAXED_GOLDEN, lstmTrajectory } from './helpers/trajectory.js';

if (!hasRelaxedSimd()) {
  if (process.env.FUSED_RNN_RELAXED_CHILD) {
    console.error('relaxed SIMD is not available even with --experimental-wasm-relaxed-simd');
    process.exit(1);
  }
  // test/helpers/child.ts: the child ran this whole file; if it then hung in Node's shutdown (nodejs/node#54918)
  // after reaching process 'exit', it is run once more
  const r = await runNode(['--experimental-wasm-relaxed-simd', '--import', 'tsx', fileURLToPath(import.meta.url)],
    { output: 'inherit', timeoutMs: 600_000, env: { ...process.env, FUSED_RNN_RELAXED_CHILD: '1' } });
  process.exit(r.status ?? 1);
}

let relaxed: Kernels, simd: Kernels;
test.before(async () => {
  relaxed = await loadKernels({ variant: 'relaxed' });
  simd = await loadKernels({ variant: 'simd' });
});

test('auto picks the relaxed build here; kernels.variant says so', async () => {
  const k = await loadKernels();
  assert.is(k.variant, 'relaxed');
  assert.is(relaxed.backend, 'wasm-relaxed');
});

test('GEMM nn/tn/nt: relaxed == SIMD within 1e-5 relative (several tile shapes and remainders); deterministic', () => {
  for (const [M, N, K] of [[64, 64, 64], [33, 70, 129], [256, 256, 256], [1, 1024, 256]]) {
    for (const form of ['nn', 'tn', 'nt'] as const) {
      const A = uniform(M * K, M + K, -1, 1), B = uniform(K * N, N + K, -1, 1);
      const out = (k: Kernels) => {
        const a = k.arena, mark = a.mark();
        const pA = a.putF32(A), pB = a.putF32(B), pC = a.allocZeroed(M * N);
        (form === 'nn' ? k.gemmNN : form === 'tn' ? k.gemmTN : k.gemmNT)(pC, pA, pB, M, N, K);
        const c = a.readF32(pC, M * N);
        a.release(mark);
        return c;
      };
      const r = out(relaxed), s = out(simd);
      checkClose(`${form} ${M}x${N}x${K}`, r, s, 1e-5 * Math.sqrt(K), 1e-5);
      checkEqual(`${form} ${M}x${N}x${K} deterministic`, out(relaxed), r);
    }
  }
});

test('GEMM nn/tn relaxed: any row split and the accumulate form give the same bits (6×8 tiles, 4-row and 1-row remainders)', () => {
  // The relaxed build computes rows in blocks of 6 (12 accumulators), the rest in 4-row blocks and single
  // rows; every element must still be summed in one k order, or a threaded call (row blocks per thread)
  // would differ from one thread. Accumulate stages the tile and adds C0 once: C0 + S, rounded once.
  for (const [M, N, K] of [[6, 8, 3], [7, 9, 5], [13, 17, 33], [50, 70, 45], [64, 64, 64]]) {
    for (const form of ['nn', 'tn'] as const) {
      const A = uniform(M * K, M * 3 + K, -1, 1), B = uniform(K * N, N * 5 + K, -1, 1), C0 = uniform(M * N, M + N, -1, 1);
      const k = relaxed, a = k.arena, mark = a.mark();
      const pA = a.putF32(A), pB = a.putF32(B), pC = a.allocZeroed(M * N);
      const call = form === 'nn' ? k.gemmNN : k.gemmTN;
      call(pC, pA, pB, M, N, K);
      const whole = a.readF32(pC, M * N);
      for (const cuts of [[1, 5], [4, 10], [2, 3]]) {
        a.F32.fill(0, pC >> 2, (pC >> 2) + M * N);
        const edges = [0, ...cuts.filter((c) => c < M), M];
        for (let e = 0; e + 1 < edges.length; e++) call(pC, pA, pB, M, N, K, false, edges[e], edges[e + 1]);
        checkEqual(`${form} ${M}x${N}x${K} rows split at ${cuts}`, a.readF32(pC, M * N), whole);
      }
      a.F32.set(C0, pC >> 2);
      call(pC, pA, pB, M, N, K, true);
      checkEqual(`${form} ${M}x${N}x${K} accumulate`, a.readF32(pC, M * N), C0.map((c, i) => Math.fround(c + whole[i])));
      a.release(mark);
    }
  }
});

test('recurrent cells forward + backward (gappy masks): relaxed == SIMD within 1e-4; deterministic', () => {
  for (const [i, c] of CELLS.entries()) {
    const T = 20, B = 6, D = 9, H = 33;
    const p = problem(c, T, B, D, H, 100 + i, i % 2 === 1, gappyMask(T, B, 200 + i));
    const r = runKernels(relaxed, c, p), s = runKernels(simd, c, p);
    for (const f of FIELDS) {
      const rv = r[f], sv = s[f];
      if (rv === null || sv === null) continue;
      checkClose(`${c.label} ${f}`, rv, sv, 1e-5 * Math.max(1, maxAbs(sv)), 1e-4);
    }
    const again = runKernels(relaxed, c, p);
    for (const f of FIELDS) if (r[f] !== null) checkEqual(`${c.label} ${f} deterministic`, again[f]!, r[f]!);
  }
});

test('training trajectory on the relaxed build: bit-identical twice and equal to its committed golden file', async () => {
  assert.ok(existsSync(RELAXED_GOLDEN), `${RELAXED_GOLDEN} is missing: generate it with test/golden/generate-relaxed.ts (the test never writes it)`);
  const a = await lstmTrajectory(relaxed, 7), b = await lstmTrajectory(relaxed, 7);
  assert.equal(a.losses, b.losses, 'same seed twice');
  const golden = JSON.parse(readFileSync(RELAXED_GOLDEN, 'utf8')) as { losses: number[] };
  assert.equal(a.losses, golden.losses, 'committed relaxed trajectory');
  // the SIMD trajectory is a different, portable one (test/golden/lstm-trajectory.json, pinned in model.test.ts)
  const s = await lstmTrajectory(simd, 7);
  const simdGolden = JSON.parse(readFileSync('test/golden/lstm-trajectory.json', 'utf8')) as { losses: number[] };
  assert.equal(s.losses, simdGolden.losses, 'the SIMD build still gives the committed SIMD trajectory');
  checkClose('relaxed vs SIMD trajectory', a.losses, s.losses, 1e-4, 1e-4);
});

test.run();
