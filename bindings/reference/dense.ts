// Reference Dense (time-distributed over N rows), f32 or f64 arrays, f64 Math activations.
// Legend: N rows, D input width, U units, ldy row stride of y/dy/dz (>= U; lanes [U, ldy) untouched).
// x (N, D), W (D, U), b (U) or null.

import type { FloatArray } from './float-array.js';
import { activate, derivative } from './activations.js';

/** y = act(x·W + b) */
export function denseForward(y: FloatArray, x: FloatArray, W: FloatArray, b: FloatArray | null, N: number, D: number, U: number, ldy: number, act: number): void {
  const row = new Float64Array(U);
  for (let i = 0; i < N; i++) {
    for (let u = 0; u < U; u++) row[u] = b ? b[u] : 0;
    for (let d = 0; d < D; d++) {
      const a = x[i * D + d];
      for (let u = 0; u < U; u++) row[u] += a * W[d * U + u];
    }
    for (let u = 0; u < U; u++) y[i * ldy + u] = activate(row[u], act);
  }
}

/** dz = dy ⊙ act'(y); dW += xᵀ·dz; db += colsum(dz); dx (+)= dz·Wᵀ (dx, db may be null). */
export function denseBackward(
  dx: FloatArray | null, dW: FloatArray, db: FloatArray | null, dz: FloatArray, dy: FloatArray, x: FloatArray, W: FloatArray, y: FloatArray,
  N: number, D: number, U: number, ldy: number, act: number, accumulateDx: boolean,
): void {
  // Linear: dz is dy itself and is not written (the wasm contract).
  const g = act === 0 ? dy : dz;
  if (act !== 0) for (let i = 0; i < N; i++) for (let u = 0; u < U; u++) dz[i * ldy + u] = dy[i * ldy + u] * derivative(y[i * ldy + u], act);
  for (let i = 0; i < N; i++) {
    for (let d = 0; d < D; d++) {
      const a = x[i * D + d];
      for (let u = 0; u < U; u++) dW[d * U + u] += a * g[i * ldy + u];
    }
    if (db) for (let u = 0; u < U; u++) db[u] += g[i * ldy + u];
    if (dx) {
      for (let d = 0; d < D; d++) {
        let s = 0;
        for (let u = 0; u < U; u++) s += g[i * ldy + u] * W[d * U + u];
        dx[i * D + d] = accumulateDx ? dx[i * D + d] + s : s;
      }
    }
  }
}
