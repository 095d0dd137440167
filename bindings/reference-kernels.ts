// The plain-TypeScript backend: the same raw ABI as the wasm module, over the same kind of memory, so the
// checked Kernels interface (and every model above it) runs unchanged on either. It is the reference for
// tests and the "plain JS" side of the SIMD-vs-JS benchmarks.

import type { Arena, Ptr } from './arena.js';
import type { RawKernels } from './kernels.js';
import * as gemm from './reference/gemm.js';
import * as vec from './reference/vector.js';
import { activationReference } from './families/activations.js';

export function referenceRaw(arena: Arena): RawKernels {
  const f32 = (p: Ptr, n: number) => arena.f32(p, n);
  return {
    ...activationReference(arena),
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
  };
}
