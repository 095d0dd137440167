// The plain-TypeScript backend: the same raw ABI as the wasm module, over the same kind of memory, so the
// checked Kernels interface (and every model above it) runs unchanged on either. It is the reference for
// tests and the "plain JS" side of the SIMD-vs-JS benchmarks.

import type { Arena, Ptr } from './arena.js';
import type { RawKernels } from './kernels.js';
import * as gemm from './reference/gemm.js';
import * as vec from './reference/vector.js';
import * as opt from './reference/optimizers.js';
import * as clip from './reference/clipping.js';
import { activationReference } from './families/activations.js';
import { lstmReference } from './families/lstm.js';
import { simpleRnnReference } from './families/simple-rnn.js';
import { gruReference } from './families/gru.js';
import { embeddingReference } from './families/embedding.js';
import { denseReference } from './families/dense.js';
import { dropoutReference } from './families/dropout.js';
import { lossReference } from './families/losses.js';
import { conv1dReference } from './families/conv1d.js';
import { poolingReference } from './families/pooling.js';

/** The plain-TypeScript reference implementation of every raw kernel export, over `arena` (the `js` backend and the tests' oracle). */
export function referenceRaw(arena: Arena): RawKernels {
  const f32 = (p: Ptr, n: number) => arena.f32(p, n);
  return {
    ...activationReference(arena),
    ...lstmReference(arena),
    ...simpleRnnReference(arena),
    ...gruReference(arena),
    ...embeddingReference(arena),
    ...denseReference(arena),
    ...dropoutReference(arena),
    ...lossReference(arena),
    ...conv1dReference(arena),
    ...poolingReference(arena),
    heap_base: () => 0,
    gemm_nn: (C, A, B, M, N, K, m0, m1, acc) => gemm.gemmNN(f32(C, M * N), f32(A, M * K), f32(B, K * N), M, N, K, m0, m1, acc !== 0),
    gemm_tn: (C, A, B, M, N, K, m0, m1, acc) => gemm.gemmTN(f32(C, M * N), f32(A, K * M), f32(B, K * N), M, N, K, m0, m1, acc !== 0),
    gemm_nt: (C, A, B, M, N, K, m0, m1, acc) => gemm.gemmNT(f32(C, M * N), f32(A, M * K), f32(B, N * K), M, N, K, m0, m1, acc !== 0),
    fill: (x, value, n) => f32(x, n).fill(value),
    copy: (dst, src, n) => arena.F32.copyWithin(dst >> 2, src >> 2, (src >> 2) + n),
    scale: (x, alpha, n) => vec.scale(f32(x, n), alpha),
    axpy: (y, alpha, x, n) => vec.axpy(f32(y, n), alpha, f32(x, n)),
    sum_squares: (x, n) => vec.sumSquares(f32(x, n)),
    bias_add_rows: (Y, b, M, N) => vec.biasAddRows(f32(Y, M * N), f32(b, N), M, N),
    col_sums: (out, X, M, N, acc) => vec.colSums(f32(out, N), f32(X, M * N), M, N, acc !== 0),
    copy_rows: (dst, ldd, src, lds, rows, cols, acc) =>
      vec.copyRows(f32(dst, (rows - 1) * ldd + cols), ldd, f32(src, (rows - 1) * lds + cols), lds, rows, cols, acc !== 0),
    mul: (y, a, b, n, acc) => vec.mul(f32(y, n), f32(a, n), f32(b, n), n, acc !== 0),
    // optimizers: slab bases + element range [i0, i1)
    sgd_update: (W, M, G, lr, mu, nesterov, i0, i1) =>
      opt.sgd(f32(W + 4 * i0, i1 - i0), mu === 0 ? null : f32(M + 4 * i0, i1 - i0), f32(G + 4 * i0, i1 - i0), lr, mu, nesterov !== 0),
    adam_update: (W, M, V, G, lr, b1, b2, eps, t, i0, i1) =>
      opt.adam(f32(W + 4 * i0, i1 - i0), f32(M + 4 * i0, i1 - i0), f32(V + 4 * i0, i1 - i0), f32(G + 4 * i0, i1 - i0), lr, b1, b2, eps, t),
    adamw_update: (W, M, V, G, lr, b1, b2, eps, t, wd, i0, i1) =>
      opt.adamw(f32(W + 4 * i0, i1 - i0), f32(M + 4 * i0, i1 - i0), f32(V + 4 * i0, i1 - i0), f32(G + 4 * i0, i1 - i0), lr, b1, b2, eps, t, wd),
    rmsprop_update: (W, V, G, lr, rho, eps, i0, i1) =>
      opt.rmsprop(f32(W + 4 * i0, i1 - i0), f32(V + 4 * i0, i1 - i0), f32(G + 4 * i0, i1 - i0), lr, rho, eps),
    adagrad_update: (W, A, G, lr, eps, i0, i1) =>
      opt.adagrad(f32(W + 4 * i0, i1 - i0), f32(A + 4 * i0, i1 - i0), f32(G + 4 * i0, i1 - i0), lr, eps),
    regularizer_grad: (G, W, l1, l2, i0, i1) => opt.regularizerGrad(f32(G + 4 * i0, i1 - i0), f32(W + 4 * i0, i1 - i0), l1, l2),
    // clipping: G is the grad slab from its base, table i32 (count, 2)
    grad_norms: (sums, status, G, table, count) =>
      clip.gradNorms(new Float64Array(arena.memory.buffer, sums, count), arena.i32(status, 2), arena.F32.subarray(G >> 2), arena.i32(table, 2 * count), count),
    clip_value: (G, table, count, c) => clip.clipValue(arena.F32.subarray(G >> 2), arena.i32(table, 2 * count), count, Math.fround(c)),
    clip_norm: (G, table, sums, count, c) =>
      clip.clipNorm(arena.F32.subarray(G >> 2), arena.i32(table, 2 * count), new Float64Array(arena.memory.buffer, sums, count), count, c),
    clip_scale: (G, table, count, s) => clip.clipScale(arena.F32.subarray(G >> 2), arena.i32(table, 2 * count), count, Math.fround(s)),
  };
}
