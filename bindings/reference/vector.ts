// Reference vector and row operations over typed arrays (f32 or f64).

import type { FloatArray } from './float-array.js';

export function axpy(y: FloatArray, alpha: number, x: FloatArray, n = y.length): void {
  for (let i = 0; i < n; i++) y[i] += alpha * x[i];
}

export function scale(x: FloatArray, alpha: number, n = x.length): void {
  for (let i = 0; i < n; i++) x[i] *= alpha;
}

/** Σ x² in f64, four lane partial sums combined (s0 + s1) + (s2 + s3) then the tail (the wasm order). */
export function sumSquares(x: FloatArray, n = x.length): number {
  let s0 = 0, s1 = 0, s2 = 0, s3 = 0, i = 0;
  for (; i + 4 <= n; i += 4) {
    s0 += x[i] * x[i];
    s1 += x[i + 1] * x[i + 1];
    s2 += x[i + 2] * x[i + 2];
    s3 += x[i + 3] * x[i + 3];
  }
  let s = (s0 + s1) + (s2 + s3);
  for (; i < n; i++) s += x[i] * x[i];
  return s;
}

/** Y (M, N): every row += b (N). */
export function biasAddRows(Y: FloatArray, b: FloatArray, M: number, N: number): void {
  for (let r = 0; r < M; r++) for (let j = 0; j < N; j++) Y[r * N + j] += b[j];
}

/** out (N) (+)= column sums of X (M, N). */
export function colSums(out: FloatArray, X: FloatArray, M: number, N: number, accumulate = false): void {
  if (!accumulate) out.fill(0, 0, N);
  for (let r = 0; r < M; r++) for (let j = 0; j < N; j++) out[j] += X[r * N + j];
}

/** dst rows (stride ldd) (+)= src rows (stride lds), `cols` columns each. */
export function copyRows(dst: FloatArray, ldd: number, src: FloatArray, lds: number, rows: number, cols: number, accumulate = false): void {
  for (let r = 0; r < rows; r++) {
    for (let j = 0; j < cols; j++) dst[r * ldd + j] = accumulate ? dst[r * ldd + j] + src[r * lds + j] : src[r * lds + j];
  }
}

/** y (+)= a ⊙ b */
export function mul(y: FloatArray, a: FloatArray, b: FloatArray, n: number, accumulate = false): void {
  for (let i = 0; i < n; i++) y[i] = accumulate ? y[i] + a[i] * b[i] : a[i] * b[i];
}
