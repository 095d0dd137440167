// Layout changes between tfjs and the kernels, done in the same pass as the copy: tfjs is batch-major
// (B, T, ·) and emits sequence outputs in processing order; the kernels are time-major (T, B, ·) with
// (T+1, B, H) state slots (docs/recurrent-abi.md). Every copy is a row copy (TypedArray.set of one row).
// Legend: T steps, B batch, D input width, H units.

import type { Arena, Ptr } from '../../bindings/index.js';

/** F32[at .. at+n) += src[from .. from+n). */
export function addRow(F32: Float32Array, at: number, src: Float32Array, from: number, n: number): void {
  for (let i = 0; i < n; i++) F32[at + i] += src[from + i];
}

/** Copies x (B, T, D) batch-major into kernel memory at `dst` as (T, B, D). */
export function putTimeMajor(arena: Arena, dst: Ptr, x: Float32Array, B: number, T: number, D: number): void {
  const F32 = arena.F32;
  const base = dst >> 2;
  if (B === 1) {
    F32.set(x.subarray(0, T * D), base);
    return;
  }
  for (let b = 0; b < B; b++) {
    for (let t = 0; t < T; t++) {
      const src = (b * T + t) * D;
      F32.set(x.subarray(src, src + D), base + (t * B + b) * D);
    }
  }
}

/** Reads (T, B, D) time-major kernel memory at `src` into a new batch-major (B, T, D) array. */
export function readBatchMajor(arena: Arena, src: Ptr, B: number, T: number, D: number): Float32Array {
  const F32 = arena.F32;
  const base = src >> 2;
  if (B === 1) return F32.slice(base, base + T * D);
  const out = new Float32Array(B * T * D);
  for (let t = 0; t < T; t++) {
    for (let b = 0; b < B; b++) {
      const from = base + (t * B + b) * D;
      out.set(F32.subarray(from, from + D), (b * T + t) * D);
    }
  }
  return out;
}

/**
 * Reads a sequence output from time-indexed rows (`rowOfTime(t)` = the (B, H) row block of time t) into a
 * batch-major (B, T, H) array in tfjs' processing order (reversed with goBackwards).
 */
export function readSequence(arena: Arena, base: Ptr, B: number, T: number, H: number, goBackwards: boolean, rowOfTime: (t: number) => number): Float32Array {
  const F32 = arena.F32;
  const out = new Float32Array(B * T * H);
  for (let j = 0; j < T; j++) {
    const row = rowOfTime(goBackwards ? T - 1 - j : j);
    for (let b = 0; b < B; b++) {
      const from = (base >> 2) + (row * B + b) * H;
      out.set(F32.subarray(from, from + H), (b * T + j) * H);
    }
  }
  return out;
}
