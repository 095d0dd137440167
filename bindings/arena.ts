// One WebAssembly.Memory and a bump allocator over it (llm.c-style slabs are carved from here).
//
//   0 ........ base ............................ top ............. byteLength
//   | module's | allocations, each 16-byte aligned | free (grows by  |
//   |  statics |  mark() / release(mark) rewinds   |  memory.grow)   |
//
// memory.grow detaches every typed-array view of the old buffer, so views are never cached by callers:
// `f32(ptr, n)` builds a fresh one, and the cached whole-memory views are re-derived when the buffer changes.

import { ArenaError } from './errors.js';

/** Bytes in one WebAssembly memory page (64 KiB); the arena grows in whole pages. */
export const PAGE_BYTES = 65536;
/** Alignment in bytes of every arena allocation (16: one v128, so SIMD loads never straddle). */
export const ALIGN = 16;

/** A byte offset into the arena's memory. */
export type Ptr = number;

/** Where the arena starts and how large its memory may be. */
export interface ArenaOptions {
  /** First usable byte (the wasm module's heap base); rounded up to 16. */
  base?: number;
  /** Initial size in bytes (rounded up to pages). Default 16 MiB. */
  initialBytes?: number;
  /** Upper bound in bytes (rounded up to pages). Default 65535 pages (4 GiB minus one page). */
  maximumBytes?: number;
}

const alignUp = (n: number, a: number): number => Math.ceil(n / a) * a;

/** One WebAssembly.Memory and a 16-byte-aligned bump allocator over it (mark/release rewinds); every kernel pointer is a byte offset into it. */
export class Arena {
  readonly memory: WebAssembly.Memory;
  private baseByte: number;
  readonly maximumBytes: number;
  private topByte: number;
  private viewBuffer: ArrayBuffer | null = null;
  private f32View = new Float32Array(0);
  private i32View = new Int32Array(0);
  private u8View = new Uint8Array(0);
  private growCount = 0;

  constructor(options: ArenaOptions = {}) {
    const initialPages = Math.max(1, Math.ceil((options.initialBytes ?? 16 * 1024 * 1024) / PAGE_BYTES));
    const maximumPages = Math.min(65535, Math.ceil((options.maximumBytes ?? 65535 * PAGE_BYTES) / PAGE_BYTES));
    if (initialPages > maximumPages) {
      throw new ArenaError(`Arena: initialBytes ${options.initialBytes} exceeds maximumBytes ${options.maximumBytes}`);
    }
    this.memory = new WebAssembly.Memory({ initial: initialPages, maximum: maximumPages });
    this.maximumBytes = maximumPages * PAGE_BYTES;
    this.baseByte = alignUp(Math.max(ALIGN, options.base ?? ALIGN), ALIGN);
    this.topByte = this.baseByte;
  }

  /** First byte the arena hands out; below it lies the wasm module's own static data. */
  get base(): number {
    return this.baseByte;
  }

  /**
   * Raises the base above the module's static data (its heap base, known only after instantiation).
   * Only allowed while nothing is allocated.
   */
  reserveBelow(heapBase: number): void {
    if (this.topByte !== this.baseByte) throw new ArenaError('Arena.reserveBelow: the arena already has allocations');
    const base = alignUp(Math.max(this.baseByte, heapBase), ALIGN);
    this.ensure(base);
    this.baseByte = this.topByte = base;
  }

  /** First free byte: everything in [base, top) is allocated. */
  get top(): number {
    return this.topByte;
  }

  get byteLength(): number {
    return this.memory.buffer.byteLength;
  }

  /** How many times memory.grow ran (tests and the model's "no growth across epochs" check read it). */
  get grows(): number {
    return this.growCount;
  }

  /** Allocates `bytes` (16-byte aligned start, length rounded up to 16), growing memory if needed. */
  allocBytes(bytes: number): Ptr {
    if (!Number.isSafeInteger(bytes) || bytes < 0) {
      throw new ArenaError(`Arena.allocBytes: size must be a non-negative safe integer, got ${bytes}`);
    }
    const ptr = this.topByte;
    const end = ptr + alignUp(bytes, ALIGN);
    this.ensure(end);
    this.topByte = end;
    return ptr;
  }

  /** Allocates n f32 (or i32) elements. */
  alloc(n: number): Ptr {
    if (!Number.isSafeInteger(n) || n < 0) {
      throw new ArenaError(`Arena.alloc: element count must be a non-negative safe integer, got ${n}`);
    }
    return this.allocBytes(n * 4);
  }

  /** Allocates n floats and fills them with zeros (fresh memory from grow is zero, rewound memory is not). */
  allocZeroed(n: number): Ptr {
    const p = this.alloc(n);
    this.u8.fill(0, p, p + n * 4);
    return p;
  }

  /** Grows memory so that [0, endByte) is addressable. */
  ensure(endByte: number): void {
    const have = this.memory.buffer.byteLength;
    if (endByte <= have) return;
    if (endByte > this.maximumBytes) {
      throw new ArenaError(
        `Arena: cannot allocate up to byte ${endByte}: maximum is ${this.maximumBytes} bytes (${this.topByte - this.base} in use)`,
      );
    }
    const pages = Math.ceil((endByte - have) / PAGE_BYTES);
    try {
      this.memory.grow(pages);
    } catch (e) {
      throw new ArenaError(`Arena: the engine refused to grow memory by ${pages} pages to ${endByte} bytes: ${(e as Error).message}`);
    }
    this.growCount++;
  }

  /** A rewind point: release(mark()) frees everything allocated after it. */
  mark(): number {
    return this.topByte;
  }

  release(mark: number): void {
    if (!Number.isSafeInteger(mark) || mark < this.base || mark > this.topByte || mark % ALIGN !== 0) {
      throw new ArenaError(`Arena.release: mark ${mark} is not a live mark in [${this.base}, ${this.topByte}]`);
    }
    this.topByte = mark;
  }

  /** Frees everything. */
  reset(): void {
    this.topByte = this.base;
  }

  private refresh(): void {
    const buffer = this.memory.buffer;
    if (buffer !== this.viewBuffer) {
      this.viewBuffer = buffer;
      this.f32View = new Float32Array(buffer);
      this.i32View = new Int32Array(buffer);
      this.u8View = new Uint8Array(buffer);
    }
  }

  /** The whole memory as f32; re-derived after growth, so read it each time, never keep it. */
  get F32(): Float32Array {
    this.refresh();
    return this.f32View;
  }

  get I32(): Int32Array {
    this.refresh();
    return this.i32View;
  }

  get u8(): Uint8Array {
    this.refresh();
    return this.u8View;
  }

  /** A fresh f32 view of n elements at ptr (valid until the next growth). */
  f32(ptr: Ptr, n: number): Float32Array {
    return new Float32Array(this.memory.buffer, ptr, n);
  }

  i32(ptr: Ptr, n: number): Int32Array {
    return new Int32Array(this.memory.buffer, ptr, n);
  }

  /** Allocates and copies `values` in; returns the pointer. */
  putF32(values: ArrayLike<number>): Ptr {
    const p = this.alloc(values.length);
    this.F32.set(values, p >> 2);
    return p;
  }

  putI32(values: ArrayLike<number>): Ptr {
    const p = this.alloc(values.length);
    this.I32.set(values, p >> 2);
    return p;
  }

  /** A copy (not a view) of n floats at ptr. */
  readF32(ptr: Ptr, n: number): Float32Array {
    return this.F32.slice(ptr >> 2, (ptr >> 2) + n);
  }
}
