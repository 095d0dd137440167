// GEMM family: wasm SIMD and wasm scalar vs the TypeScript reference (f64 row accumulation), all three
// forms, overwrite and accumulate, full and partial row ranges; shapes with 1×1×1, non-multiples of 4 in
// every dimension, ≥ 2 SIMD tile iterations and 256³.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { loadKernels, type Kernels } from '../bindings/index.js';
import * as ref from '../bindings/reference/gemm.js';
import { checkClose, checkEqual } from './helpers/check-close.js';
import { uniform } from './helpers/random.js';

const SHAPES: Array<[number, number, number]> = [
  [1, 1, 1], [3, 5, 7], [4, 8, 1], [5, 9, 13], [8, 16, 16], [9, 17, 33], [13, 31, 6], [33, 70, 45], [256, 256, 256],
];
const FORMS = ['nn', 'tn', 'nt'] as const;
type Form = (typeof FORMS)[number];

const sizesOf = (form: Form, M: number, N: number, K: number) =>
  ({ A: M * K, B: K * N, C: M * N, aRows: form === 'tn' ? K : M, bShape: form === 'nt' ? [N, K] : [K, N] });

function expected(form: Form, C0: Float32Array, A: Float32Array, B: Float32Array, M: number, N: number, K: number, m0: number, m1: number, acc: boolean): Float32Array {
  const C = Float32Array.from(C0);
  const f = form === 'nn' ? ref.gemmNN : form === 'tn' ? ref.gemmTN : ref.gemmNT;
  f(C, A, B, M, N, K, m0, m1, acc);
  return C;
}

function run(k: Kernels, form: Form, C0: Float32Array, A: Float32Array, B: Float32Array, M: number, N: number, K: number, m0: number, m1: number, acc: boolean): Float32Array {
  const mark = k.arena.mark();
  const pA = k.arena.putF32(A), pB = k.arena.putF32(B), pC = k.arena.putF32(C0);
  const call = form === 'nn' ? k.gemmNN : form === 'tn' ? k.gemmTN : k.gemmNT;
  call(pC, pA, pB, M, N, K, acc, m0, m1);
  const out = k.arena.readF32(pC, M * N);
  k.arena.release(mark);
  return out;
}

let simd: Kernels, scalar: Kernels, js: Kernels;
test.before(async () => {
  simd = await loadKernels({ variant: 'simd' });
  scalar = await loadKernels({ variant: 'scalar' });
  js = await loadKernels({ backend: 'js' });
});

for (const form of FORMS) {
  test(`gemm_${form}: wasm simd, wasm scalar and js backend match the reference`, () => {
    for (const [M, N, K] of SHAPES) {
      const { A: nA, B: nB, C: nC } = sizesOf(form, M, N, K);
      const A = uniform(nA, M * 7 + 1), B = uniform(nB, N * 11 + 2), C0 = uniform(nC, K * 13 + 3);
      const tol = 2e-6 * Math.sqrt(K);
      for (const acc of [false, true]) {
        const want = expected(form, C0, A, B, M, N, K, 0, M, acc);
        const gotSimd = run(simd, form, C0, A, B, M, N, K, 0, M, acc);
        checkClose(`simd ${form} ${M}x${N}x${K} acc=${acc}`, gotSimd, want, tol, 1e-5);
        const gotScalar = run(scalar, form, C0, A, B, M, N, K, 0, M, acc);
        checkClose(`scalar ${form} ${M}x${N}x${K} acc=${acc}`, gotScalar, want, tol, 1e-5);
        // Fixed summation order: the SIMD and scalar builds agree bit for bit.
        checkEqual(`simd == scalar ${form} ${M}x${N}x${K}`, gotSimd, gotScalar);
        checkClose(`js ${form} ${M}x${N}x${K}`, run(js, form, C0, A, B, M, N, K, 0, M, acc), want, tol, 1e-5);
      }
    }
  });

  test(`gemm_${form}: a row range [m0, m1) writes only those rows`, () => {
    for (const [M, N, K] of [[9, 17, 5], [13, 12, 9], [33, 70, 45]] as const) {
      const { A: nA, B: nB, C: nC } = sizesOf(form, M, N, K);
      const A = uniform(nA, 5), B = uniform(nB, 6), C0 = uniform(nC, 7);
      for (const [m0, m1] of [[0, 1], [1, M - 1], [3, 7], [M - 1, M], [2, 2]]) {
        for (const acc of [false, true]) {
          const got = run(simd, form, C0, A, B, M, N, K, m0, m1, acc);
          const want = expected(form, C0, A, B, M, N, K, m0, m1, acc);
          checkClose(`${form} rows [${m0}, ${m1}) of ${M}x${N}x${K}`, got, want, 1e-5, 1e-5);
          // Rows outside the range keep C0 exactly.
          for (let i = 0; i < M; i++) {
            if (i >= m0 && i < m1) continue;
            checkEqual(`${form} untouched row ${i}`, got.subarray(i * N, (i + 1) * N), C0.subarray(i * N, (i + 1) * N));
          }
        }
      }
    }
  });
}

test('gemm: memory just outside C is untouched (no overrun past the tile remainder)', () => {
  for (const form of FORMS) {
    const [M, N, K] = [7, 13, 5];
    const { A: nA, B: nB, C: nC } = sizesOf(form, M, N, K);
    const a = simd.arena;
    const mark = a.mark();
    const pA = a.putF32(uniform(nA, 1)), pB = a.putF32(uniform(nB, 2));
    const guard = a.alloc(nC + 64);
    a.F32.fill(12345, guard >> 2, (guard >> 2) + nC + 64);
    const pC = guard + 128; // 32 floats of guard before C, the rest after
    a.F32.fill(0, pC >> 2, (pC >> 2) + nC);
    (form === 'nn' ? simd.gemmNN : form === 'tn' ? simd.gemmTN : simd.gemmNT)(pC, pA, pB, M, N, K);
    const all = a.readF32(guard, nC + 64);
    for (let i = 0; i < 32; i++) assert.is(all[i], 12345, `${form}: guard before C at ${i}`);
    for (let i = 32 + nC; i < nC + 64; i++) assert.is(all[i], 12345, `${form}: guard after C at ${i}`);
    a.release(mark);
  }
});

test.run();
