// The per-step gradient norms (hnorm2, cnorm2) are (T) f64 outputs: 8·T bytes, 8-byte aligned.
import type { Arena, TensorRef } from '../../bindings/index.js';

/** A zeroed (n) f64 output in the arena (2·n floats, 16-byte aligned) as a TensorRef of shape [n]. */
export function f64Out(a: Arena, n: number): TensorRef & { shape: number[] } {
  return { ptr: a.allocZeroed(2 * n), shape: [n] };
}

/** A copy of an (n) f64 buffer. */
export function readF64(a: Arena, t: { ptr: number; shape: readonly number[] }): Float64Array {
  return new Float64Array(a.memory.buffer, t.ptr, t.shape.reduce((m, k) => m * k, 1)).slice();
}
