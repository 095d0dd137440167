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
export const formatShape = (shape: readonly number[]): string => {
  if (!Array.isArray(shape) || shape.length > 64) throw new KernelArgumentError('formatShape', 'shape', Array.isArray(shape) ? `an array of ${shape.length}` : shape, 'must be an array of at most 64 dimensions');
  return `(${shape.join(', ')})`;
};

/** Validates the arguments of one kernel call; every failing check throws KernelArgumentError. */
export class ArgumentCheck {
  /** End byte of the highest buffer checked so far: temporaries of the call go above it (aboveArguments). */
  highWater = 0;

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
    if (end > this.highWater) this.highWater = end;
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

// ---- argument snapshots (issue 16, finding 8)
// A checked entry point reads its arguments to validate them and again to call wasm; a getter, a Proxy or an
// array whose elements change between the two reads could steer the call to unchecked pointers. So every
// public entry point sees a SNAPSHOT: each property of each argument read exactly once into plain data.

/** Arrays longer than this are refused before they are copied (no kernel argument is this large). */
export const MAX_SNAPSHOT_ELEMENTS = 1 << 28;
const SNAPSHOT_DEPTH = 4;
const TYPED: ReadonlyArray<new (source: ArrayLike<number>) => ArrayLike<number>> = [
  Float32Array, Float64Array, Int32Array, Uint32Array, Uint8Array, Int8Array, Uint16Array, Int16Array, Uint8ClampedArray,
];

/**
 * A copy of `value` in which every property is read exactly once: arrays element by element (their length
 * read once), typed arrays by copy, plain objects (prototype Object.prototype or null: TensorRefs, option
 * objects, GradTables) property by property, to a depth of 4. Class instances (a Random), functions and
 * primitives are passed as they are. `path` names the argument in errors.
 */
export function snapshotValue(kernel: string, path: string, value: unknown, depth = 0): unknown {
  if (typeof value !== 'object' || value === null || depth > SNAPSHOT_DEPTH) return value;
  if (ArrayBuffer.isView(value)) {
    for (const T of TYPED) if (value instanceof T) return new T(value as unknown as ArrayLike<number>);
    return value;
  }
  if (Array.isArray(value)) {
    const n: unknown = value.length;
    if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < 0 || n > MAX_SNAPSHOT_ELEMENTS) {
      throw new KernelArgumentError(kernel, path, `[${String(n)} values]`, `is too long (at most ${MAX_SNAPSHOT_ELEMENTS} entries)`);
    }
    const out = new Array<unknown>(n);
    for (let i = 0; i < n; i++) out[i] = snapshotValue(kernel, `${path}[${i}]`, value[i], depth + 1);
    return out;
  }
  const proto = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) return value;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value)) out[key] = snapshotValue(kernel, `${path}.${key}`, (value as Record<string, unknown>)[key], depth + 1);
  return out;
}

/** Snapshots the arguments of one call of entry point `kernel` (see snapshotValue). */
export function snapshotArgs(kernel: string, args: readonly unknown[]): unknown[] {
  return args.map((a, i) => snapshotValue(kernel, i === 0 ? 'args' : `args[${i}]`, a));
}

/**
 * Raises the arena top above every buffer the call's checks saw (a caller may pass buffers above the top:
 * memory it did not allocate), so temporaries allocated next can never overlap an argument. Call inside the
 * caller's mark/release; a no-op when every argument lies below the top.
 */
export function aboveArguments(arena: Arena, c: ArgumentCheck): void {
  if (c.highWater > arena.top) arena.allocBytes(c.highWater - arena.top);
}

/** Creates per-kernel checks over one arena. */
export class Checker {
  constructor(readonly arena: Arena) {}
  begin(kernel: string): ArgumentCheck {
    return new ArgumentCheck(this.arena, kernel);
  }
}
