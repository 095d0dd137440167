// Reference gradient norm pass and clipping over a tensor table (same order and rounding as
// assembly/clipping.ts). G is the grad slab from its base; table holds [offset, length] pairs in elements.

import type { FloatArray } from './float-array.js';
import { sumSquares } from './vector.js';

/** sums[t] = Σ g² of tensor t; status = [tensor, index] of the first non-finite value or [−1, −1]; returns Σ sums. */
export function gradNorms(sums: Float64Array, status: Int32Array, G: FloatArray, table: Int32Array, count: number): number {
  let total = 0, bad = -1, badIndex = -1;
  for (let t = 0; t < count; t++) {
    const off = table[2 * t], n = table[2 * t + 1];
    const s = sumSquares(G.subarray(off, off + n));
    sums[t] = s;
    total += s;
    if (bad < 0 && !Number.isFinite(s)) {
      bad = t;
      for (let i = 0; i < n; i++) {
        if (!Number.isFinite(G[off + i])) {
          badIndex = i;
          break;
        }
      }
    }
  }
  status[0] = bad;
  status[1] = badIndex;
  return total;
}

/** clipvalue: g = min(max(g, −clip), clip) (NaN stays NaN). */
export function clipValue(G: FloatArray, table: Int32Array, count: number, clip: number): void {
  for (let t = 0; t < count; t++) {
    const off = table[2 * t], n = table[2 * t + 1];
    for (let i = off; i < off + n; i++) G[i] = Math.min(Math.max(G[i], -clip), clip);
  }
}

/** clipnorm, per tensor: g_t ·= f32(clip / max(sqrt(sums[t]), clip)), skipped when that factor is 1. */
export function clipNorm(G: FloatArray, table: Int32Array, sums: Float64Array, count: number, clip: number): void {
  const f = G instanceof Float32Array ? Math.fround : (x: number) => x;
  for (let t = 0; t < count; t++) {
    const norm = Math.sqrt(sums[t]);
    const s = f(clip / Math.max(norm, clip)); // Math.max, like f64.max, propagates NaN
    if (s !== 1) scaleTensor(G, table[2 * t], table[2 * t + 1], s, f);
  }
}

/** Every tensor ·= s. */
export function clipScale(G: FloatArray, table: Int32Array, count: number, s: number): void {
  const f = G instanceof Float32Array ? Math.fround : (x: number) => x;
  const s_ = f(s);
  for (let t = 0; t < count; t++) scaleTensor(G, table[2 * t], table[2 * t + 1], s_, f);
}

function scaleTensor(G: FloatArray, off: number, n: number, s: number, f: (x: number) => number): void {
  for (let i = off; i < off + n; i++) G[i] = f(G[i] * s);
}
