// The exported GEMM family over dense row-major f32 matrices; pointers are byte offsets into linear memory.
// Legend: M rows of C, N columns of C, K the inner dimension; rows [m0, m1) of C are computed.
//   gemm_nn  C (M, N) (+)= A (M, K) · B (K, N)
//   gemm_tn  C (M, N) (+)= Aᵀ · B  with A (K, M), B (K, N)      (weight gradients: xᵀ · dY)
//   gemm_nt  C (M, N) (+)= A (M, K) · Bᵀ with B (N, K)          (input gradients:  dY · Wᵀ)
// `accumulate` = 0 overwrites C, 1 adds to it. Preconditions (checked by bindings/, never here): pointers
// 4-byte aligned, ranges in memory, C does not overlap A or B, 0 <= m0 <= m1 <= M.
// The strided cores live in gemm-core.ts; see there for the tile shapes and summation order.

import { gemmCore, gemmNTCore } from "./gemm-core";

/** C (M, N) (+)= A (M, K) · B (K, N), rows [m0, m1). */
export function gemm_nn(C: usize, A: usize, B: usize, M: i32, N: i32, K: i32, m0: i32, m1: i32, accumulate: i32): void {
  gemmCore(C, N, A, K, 1, B, N, M, N, K, m0, m1, accumulate);
}

/** C (M, N) (+)= Aᵀ · B with A (K, M), B (K, N), rows [m0, m1). */
export function gemm_tn(C: usize, A: usize, B: usize, M: i32, N: i32, K: i32, m0: i32, m1: i32, accumulate: i32): void {
  gemmCore(C, N, A, 1, M, B, N, M, N, K, m0, m1, accumulate);
}

/** C (M, N) (+)= A (M, K) · Bᵀ with B (N, K), rows [m0, m1). */
export function gemm_nt(C: usize, A: usize, B: usize, M: i32, N: i32, K: i32, m0: i32, m1: i32, accumulate: i32): void {
  gemmNTCore(C, N, A, K, B, K, M, N, K, m0, m1, accumulate);
}
