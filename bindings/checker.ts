// Argument validation shared by every kernel family and both backends (wasm and the JS reference).
// Kernels trust, bindings check: wasm never bounds-checks raw pointers, so every dimension, pointer range,
// alignment, row range and forbidden alias is checked here, before any kernel runs.

import type { Arena, Ptr } from './arena.js';
import { KernelArgumentError } from './errors.js';

/** A buffer in kernel memory with its (unpadded, row-major) shape, for calls whose shapes must be checked. */
export interface TensorRef {
  ptr: Ptr;
  shape: readonly number[];
}

/** Formats a shape for messages: [2, 3] → "(2, 3)". */
export const formatShape = (shape: readonly number[]): string => `(${shape.join(', ')})`;

/** Validates the arguments of one kernel call; every failing check throws KernelArgumentError. */
export class ArgumentCheck {
  constructor(
    private readonly arena: Arena,
    readonly kernel: string,
  ) {}

  fail(argument: string, value: unknown, detail: string): never {
    throw new KernelArgumentError(this.kernel, argument, value, detail);
  }

  /** A dimension: a positive safe integer that fits the i32 ABI. */
  dim(name: string, value: number): number {
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || value <= 0 || value > 0x7fffffff) {
      this.fail(name, value, 'must be a positive integer (a dimension)');
    }
    return value;
  }

  /** A count that may be zero (e.g. a length). */
  count(name: string, value: number): number {
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0 || value > 0x7fffffff) {
      this.fail(name, value, 'must be a non-negative integer');
    }
    return value;
  }

  /** A finite scalar. */
  finite(name: string, value: number): number {
    if (typeof value !== 'number' || !Number.isFinite(value)) this.fail(name, value, 'must be a finite number');
    return value;
  }

  flag(name: string, value: unknown): number {
    if (typeof value !== 'boolean' && value !== 0 && value !== 1) this.fail(name, value, 'must be a boolean');
    return value ? 1 : 0;
  }

  /**
   * A buffer of `elements` 4-byte elements at byte offset `ptr`: integer, 4-byte aligned, at or above the
   * arena base (below it is the module's own data) and wholly inside memory. `elements` must be a safe
   * integer product of checked dimensions.
   */
  buffer(name: string, ptr: Ptr, elements: number): void {
    if (typeof ptr !== 'number' || !Number.isSafeInteger(ptr)) this.fail(name, ptr, 'must be an integer byte offset');
    if (ptr % 4 !== 0) this.fail(name, ptr, 'is not 4-byte aligned');
    if (ptr < this.arena.base) this.fail(name, ptr, `lies below the arena base ${this.arena.base}`);
    const end = ptr + elements * 4;
    const size = this.arena.byteLength;
    if (!Number.isSafeInteger(end) || end > size) {
      this.fail(name, ptr, `with ${elements} elements ends at byte ${end}, beyond memory (${size} bytes)`);
    }
  }

  /** `out` must not overlap `input` (identical start and length is allowed only if `allowSame`). */
  disjoint(outName: string, out: Ptr, outElements: number, inName: string, input: Ptr, inElements: number, allowSame = false): void {
    const a0 = out, a1 = out + outElements * 4, b0 = input, b1 = input + inElements * 4;
    if (a0 < b1 && b0 < a1) {
      if (allowSame && a0 === b0 && a1 === b1) return;
      this.fail(outName, out, `(bytes [${a0}, ${a1})) overlaps input ${inName} (bytes [${b0}, ${b1}))`);
    }
  }

  /**
   * A shaped buffer: `t.shape` must equal `expected` (named by `letters`, e.g. "(D, 4H)"), and the buffer
   * must lie in memory. Returns the element count.
   */
  tensor(name: string, t: TensorRef, expected: readonly number[], letters: string): number {
    if (typeof t !== 'object' || t === null || !Array.isArray(t.shape)) {
      this.fail(name, t, 'must be a tensor reference { ptr, shape }');
    }
    const same = t.shape.length === expected.length && t.shape.every((d, i) => d === expected[i]);
    if (!same) {
      throw new KernelArgumentError(this.kernel, name, t.ptr,
        `has shape ${formatShape(t.shape)}, expected ${letters} = ${formatShape(expected)}`);
    }
    const n = expected.reduce((a, b) => a * b, 1);
    this.buffer(name, t.ptr, n);
    return n;
  }

  /**
   * Per-sample sequence lengths: B integers in [0, T]; the error names the batch row and the value.
   * Returns them as an Int32Array (the caller copies them into memory for the kernel).
   */
  lengths(name: string, lengths: ArrayLike<number>, B: number, T: number): Int32Array {
    if (lengths === null || typeof lengths !== 'object' || typeof lengths.length !== 'number') {
      this.fail(name, lengths, 'must be an array of B sequence lengths');
    }
    if (lengths.length !== B) this.fail(name, `[${lengths.length} values]`, `must have B = ${B} entries`);
    const out = new Int32Array(B);
    for (let b = 0; b < B; b++) {
      const v = lengths[b];
      if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > T) {
        throw new KernelArgumentError(this.kernel, `${name}[${b}]`, v, `(batch row ${b}) must be an integer in [0, T = ${T}]`);
      }
      out[b] = v;
    }
    return out;
  }

  /**
   * A (T, B) step mask by time (entry t·B + b): T·B entries, each 0, 1, false or true; the error names the
   * time step and batch row. Returns 0/1 bytes.
   */
  stepMask(name: string, mask: ArrayLike<number | boolean>, T: number, B: number): Uint8Array {
    if (mask === null || typeof mask !== 'object' || typeof mask.length !== 'number') {
      this.fail(name, mask, 'must be an array of T·B booleans or 0/1 (time-major: entry t·B + b)');
    }
    if (mask.length !== T * B) this.fail(name, `[${mask.length} values]`, `must have T·B = ${T}·${B} = ${T * B} entries (time-major)`);
    const out = new Uint8Array(T * B);
    for (let i = 0; i < out.length; i++) {
      const v = mask[i];
      if (v !== 0 && v !== 1 && v !== true && v !== false) {
        const t = Math.floor(i / B), b = i % B;
        throw new KernelArgumentError(this.kernel, `${name}[${i}]`, v, `(time ${t}, batch row ${b}) must be 0, 1, false or true`);
      }
      out[i] = v ? 1 : 0;
    }
    return out;
  }

  /** A row range 0 <= m0 <= m1 <= M. */
  rows(m0: number, m1: number, M: number): void {
    if (!Number.isSafeInteger(m0) || m0 < 0 || m0 > M) this.fail('m0', m0, `must be an integer in [0, M = ${M}]`);
    if (!Number.isSafeInteger(m1) || m1 < m0 || m1 > M) this.fail('m1', m1, `must be an integer in [m0 = ${m0}, M = ${M}]`);
  }
}

/** Creates per-kernel checks over one arena. */
export class Checker {
  constructor(readonly arena: Arena) {}
  begin(kernel: string): ArgumentCheck {
    return new ArgumentCheck(this.arena, kernel);
  }
}
