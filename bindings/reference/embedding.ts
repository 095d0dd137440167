// Reference embedding gather/scatter (f32 or f64 arrays). Legend: T steps, B batch, V vocabulary, E width.
// ids (B, T) batch-major; y and dy (T, B, E) time-major; W and dW (V, E).

import type { FloatArray } from './float-array.js';

/** y[t, b, :] = W[ids[b, t], :]; with maskZero id 0 gives zeros. */
export function embeddingForward(y: FloatArray, ids: ArrayLike<number>, W: FloatArray, T: number, B: number, E: number, maskZero: boolean): void {
  for (let t = 0; t < T; t++) {
    for (let b = 0; b < B; b++) {
      const id = ids[b * T + t];
      const o = (t * B + b) * E;
      for (let e = 0; e < E; e++) y[o + e] = maskZero && id === 0 ? 0 : W[id * E + e];
    }
  }
}

/** dW[ids[b, t], :] += dy[t, b, :] (duplicates summed); with maskZero id 0 gets nothing. */
export function embeddingBackward(dW: FloatArray, dy: FloatArray, ids: ArrayLike<number>, T: number, B: number, E: number, maskZero: boolean): void {
  for (let t = 0; t < T; t++) {
    for (let b = 0; b < B; b++) {
      const id = ids[b * T + t];
      if (maskZero && id === 0) continue;
      const o = (t * B + b) * E;
      for (let e = 0; e < E; e++) dW[id * E + e] += dy[o + e];
    }
  }
}
