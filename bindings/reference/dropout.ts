// Reference dropout (f32 or f64 arrays): the mask from the same xoshiro128** as src/random.ts and
// assembly/dropout.ts; y = x ⊙ mask and dx (+)= dy ⊙ mask with the mask broadcast over R repeats.
// Legend: n mask elements, R repeats (x is (R, n)).

import type { FloatArray } from './float-array.js';
import { xoshiro128ss } from '../random.js';

/** mask[i] = (next() >>> 8) >= threshold ? scale : 0; state (4 u32) advanced by n steps. */
export function dropoutMask(mask: FloatArray, state: Uint32Array, n: number, threshold: number, scale: number): void {
  for (let i = 0; i < n; i++) mask[i] = (xoshiro128ss(state) >>> 8) >= threshold ? scale : 0;
}

export function dropoutForward(y: FloatArray, x: FloatArray, mask: FloatArray, R: number, n: number): void {
  for (let r = 0; r < R; r++) for (let i = 0; i < n; i++) y[r * n + i] = x[r * n + i] * mask[i];
}

export function dropoutBackward(dx: FloatArray, dy: FloatArray, mask: FloatArray, R: number, n: number, accumulate: boolean): void {
  for (let r = 0; r < R; r++) {
    for (let i = 0; i < n; i++) {
      const g = dy[r * n + i] * mask[i];
      dx[r * n + i] = accumulate ? dx[r * n + i] + g : g;
    }
  }
}
