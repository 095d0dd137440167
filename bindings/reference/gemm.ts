// Reference GEMM in plain TypeScript over typed arrays (f32 or f64); each row of C is accumulated in an
// f64 scratch row (i-k-j order, the fast order for plain JS), then stored.
// Legend: M rows of C, N columns, K inner dimension; rows [m0, m1) are written.

import type { FloatArray } from './float-array.js';

/** C (M, N) (+)= A (M, K) · B (K, N) */
export function gemmNN(C: FloatArray, A: FloatArray, B: FloatArray, M: number, N: number, K: number, m0 = 0, m1 = M, accumulate = false): void {
  const row = new Float64Array(N);
  for (let i = m0; i < m1; i++) {
    row.fill(0);
    for (let k = 0; k < K; k++) {
      const a = A[i * K + k];
      const bo = k * N;
      for (let j = 0; j < N; j++) row[j] += a * B[bo + j];
    }
    storeRow(C, i * N, row, accumulate);
  }
}

/** C (M, N) (+)= Aᵀ · B, A (K, M), B (K, N) */
export function gemmTN(C: FloatArray, A: FloatArray, B: FloatArray, M: number, N: number, K: number, m0 = 0, m1 = M, accumulate = false): void {
  const row = new Float64Array(N);
  for (let i = m0; i < m1; i++) {
    row.fill(0);
    for (let k = 0; k < K; k++) {
      const a = A[k * M + i];
      const bo = k * N;
      for (let j = 0; j < N; j++) row[j] += a * B[bo + j];
    }
    storeRow(C, i * N, row, accumulate);
  }
}

/** C (M, N) (+)= A (M, K) · Bᵀ, B (N, K) */
export function gemmNT(C: FloatArray, A: FloatArray, B: FloatArray, M: number, N: number, K: number, m0 = 0, m1 = M, accumulate = false): void {
  for (let i = m0; i < m1; i++) {
    const ao = i * K;
    for (let j = 0; j < N; j++) {
      const bo = j * K;
      let s = 0;
      for (let k = 0; k < K; k++) s += A[ao + k] * B[bo + k];
      C[i * N + j] = accumulate ? C[i * N + j] + s : s;
    }
  }
}

function storeRow(C: FloatArray, offset: number, row: Float64Array, accumulate: boolean): void {
  if (accumulate) for (let j = 0; j < row.length; j++) C[offset + j] += row[j];
  else C.set(row, offset);
}
