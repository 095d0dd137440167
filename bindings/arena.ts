// One WebAssembly.Memory and an allocator over it (llm.c-style slabs are carved from here).
//
//   0 ........ base ..................................... top ............. byteLength
//   | module's | blocks, each 16-byte aligned, and holes  | free (grows by  |
//   |  statics | (freed blocks), reused first-fit         |  memory.grow)   |
//
// Blocks are numbered in allocation order; mark() is that number and release(mark) frees every block
// allocated after it (a stack, for temporaries and plans), wherever it lies. free(ptr) frees one block and
// freeOwned(owner) every block claim()ed by an owner (a model's dispose()); freed space next to `top` lowers
// it, other freed space becomes a hole that later allocations reuse, so models created and disposed on one
// Kernels keep the memory flat.
//
// memory.grow detaches every typed-array view of the old buffer, so views are never cached by callers:
// `f32(ptr, n)` builds a fresh one, and the cached whole-memory views are re-derived when the buffer changes.

import { ArenaError } from './errors.js';

/** A short rendering of a bad argument (a huge array is not joined into the message). */
const describeArg = (v: unknown): string => (Array.isArray(v) ? `an array of ${v.length}` : typeof v === 'object' && v !== null ? 'an object' : String(v));

/** Values to copy in: an array or typed array of numbers (checked before anything is allocated). */
function checkValues(where: string, values: unknown): void {
  const ok = (Array.isArray(values) || (ArrayBuffer.isView(values) && !(values instanceof DataView))) && (values as ArrayLike<unknown>).length <= 2 ** 30;
  if (!ok) throw new ArenaError(`${where}: values must be an array or a typed array of numbers, got ${describeArg(values)}`);
  if (Array.isArray(values)) for (let i = 0; i < values.length; i++) if (typeof values[i] !== 'number') throw new ArenaError(`${where}: values[${i}] = ${describeArg(values[i])} is not a number`);
}

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
  /** A shared memory (SharedArrayBuffer, for threads: loadKernels({ threads })). Default false. */
  shared?: boolean;
}

const alignUp = (n: number, a: number): number => Math.ceil(n / a) * a;

/** One live allocation: [ptr, ptr + bytes), its number in allocation order, and who claimed it. */
interface Block {
  ptr: Ptr;
  bytes: number;
  seq: number;
  owner: object | null;
}

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
  /** Live blocks by pointer. */
  private live = new Map<Ptr, Block>();
  /** Blocks in allocation order (seq increasing); freed ones are dropped lazily. */
  private stack: Block[] = [];
  /** Holes below top: [start, end) pairs, sorted by start, disjoint and never touching each other or top. */
  private holes: Array<[number, number]> = [];
  /** Number of the last allocation (what mark() returns). */
  private seq = 0;

  constructor(options: ArenaOptions = {}) {
    if (typeof options !== 'object' || options === null) throw new ArenaError(`Arena: options must be an object, got ${options === null ? 'null' : typeof options}`);
    for (const key of ['base', 'initialBytes', 'maximumBytes'] as const) {
      const v = options[key];
      if (v !== undefined && (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0)) throw new ArenaError(`Arena: ${key} must be a non-negative integer (bytes), got ${JSON.stringify(v)}`);
    }
    const initialPages = Math.max(1, Math.ceil((options.initialBytes ?? 16 * 1024 * 1024) / PAGE_BYTES));
    const maximumPages = Math.min(65535, Math.ceil((options.maximumBytes ?? 65535 * PAGE_BYTES) / PAGE_BYTES));
    if (initialPages > maximumPages) {
      throw new ArenaError(`Arena: initialBytes ${options.initialBytes} exceeds maximumBytes ${options.maximumBytes}`);
    }
    if (options.shared !== undefined && typeof options.shared !== 'boolean') throw new ArenaError(`Arena: shared must be a boolean, got ${JSON.stringify(options.shared)}`);
    this.memory = new WebAssembly.Memory({ initial: initialPages, maximum: maximumPages, shared: options.shared === true });
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
    if (this.topByte !== this.baseByte || this.live.size) throw new ArenaError('Arena.reserveBelow: the arena already has allocations');
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

  /** Bytes in live blocks (what a leak test watches; top − base minus the holes). */
  get usedBytes(): number {
    let used = this.topByte - this.baseByte;
    for (const [a, b] of this.holes) used -= b - a;
    return used;
  }

  /** Number of live blocks. */
  get blockCount(): number {
    return this.live.size;
  }

  /**
   * Allocates `bytes` (16-byte aligned start, length rounded up to 16): first fit in a hole, else at the
   * top, growing memory if needed. A failed allocation changes nothing.
   */
  allocBytes(bytes: number): Ptr {
    if (!Number.isSafeInteger(bytes) || bytes < 0) {
      throw new ArenaError(`Arena.allocBytes: size must be a non-negative safe integer, got ${describeArg(bytes)}`);
    }
    const size = alignUp(bytes, ALIGN);
    let ptr = -1;
    if (size > 0) {
      for (let i = 0; i < this.holes.length; i++) {
        const h = this.holes[i];
        if (h[1] - h[0] < size) continue;
        ptr = h[0];
        if (h[1] - h[0] === size) this.holes.splice(i, 1);
        else h[0] += size;
        break;
      }
    }
    if (ptr < 0) {
      ptr = this.topByte;
      this.ensure(ptr + size);
      this.topByte = ptr + size;
    }
    const block: Block = { ptr, bytes: size, seq: ++this.seq, owner: null };
    if (size > 0) this.live.set(ptr, block);
    this.stack.push(block);
    return ptr;
  }

  /** Frees one block returned by alloc/allocBytes/putF32...; ArenaError for a pointer that is not a live block. */
  free(ptr: Ptr): void {
    const b = this.live.get(ptr);
    if (!b) throw new ArenaError(`Arena.free: ${ptr} is not the start of a live allocation`);
    this.drop(b);
  }

  /**
   * Marks every live, unclaimed block allocated after `since` (a mark()) as `owner`'s, so that
   * freeOwned(owner) can free them all later (a model claims what it allocated when it is disposed).
   */
  claim(owner: object, since: number): void {
    for (let i = this.stack.length - 1; i >= 0 && this.stack[i].seq > since; i--) {
      const b = this.stack[i];
      if (b.owner === null && this.live.get(b.ptr) === b) b.owner = owner;
    }
  }

  /** Frees every live block claimed by `owner`; returns the bytes freed. */
  freeOwned(owner: object): number {
    let freed = 0;
    for (const b of [...this.live.values()]) {
      if (b.owner !== owner) continue;
      freed += b.bytes;
      this.drop(b);
    }
    return freed;
  }

  private drop(b: Block): void {
    this.live.delete(b.ptr);
    b.owner = null;
    let start = b.ptr, end = b.ptr + b.bytes;
    // Merge with the holes touching [start, end), then lower top if the result reaches it.
    const holes = this.holes;
    let i = 0;
    while (i < holes.length && holes[i][1] < start) i++;
    if (i < holes.length && holes[i][1] === start) {
      start = holes[i][0];
      holes.splice(i, 1);
    }
    if (i < holes.length && holes[i][0] === end) {
      end = holes[i][1];
      holes.splice(i, 1);
    }
    if (end === this.topByte) {
      this.topByte = start;
      const last = holes[holes.length - 1];
      if (last && last[1] === start) {
        this.topByte = last[0];
        holes.pop();
      }
    } else if (end > start) {
      holes.splice(i, 0, [start, end]);
    }
    while (this.stack.length && this.live.get(this.stack[this.stack.length - 1].ptr) !== this.stack[this.stack.length - 1]) this.stack.pop();
  }

  /** Allocates n f32 (or i32) elements. */
  alloc(n: number): Ptr {
    if (!Number.isSafeInteger(n) || n < 0) {
      throw new ArenaError(`Arena.alloc: element count must be a non-negative safe integer, got ${describeArg(n)}`);
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
    if (!Number.isSafeInteger(endByte) || endByte < 0) throw new ArenaError(`Arena.ensure: endByte must be a non-negative safe integer, got ${describeArg(endByte)}`);
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

  /**
   * A rewind point (the number of allocations so far): release(mark()) frees everything allocated after it.
   * Equal marks mean nothing was allocated (and kept) in between.
   */
  mark(): number {
    return this.seq;
  }

  /** Frees every block allocated after `mark` (wherever it lies), and rewinds the allocation count to it. */
  release(mark: number): void {
    if (!Number.isSafeInteger(mark) || mark < 0 || mark > this.seq) {
      throw new ArenaError(`Arena.release: mark ${describeArg(mark)} is not a live mark in [0, ${this.seq}]`);
    }
    while (this.stack.length && this.stack[this.stack.length - 1].seq > mark) {
      const b = this.stack.pop()!;
      if (this.live.get(b.ptr) === b) this.drop(b);
    }
    this.seq = mark;
  }

  /** Frees everything. */
  reset(): void {
    this.topByte = this.base;
    this.live.clear();
    this.stack = [];
    this.holes = [];
    this.seq = 0;
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
    checkValues('Arena.putF32', values);
    const p = this.alloc(values.length);
    this.F32.set(values, p >> 2);
    return p;
  }

  putI32(values: ArrayLike<number>): Ptr {
    checkValues('Arena.putI32', values);
    const p = this.alloc(values.length);
    this.I32.set(values, p >> 2);
    return p;
  }

  /** A copy (not a view) of n floats at ptr. */
  readF32(ptr: Ptr, n: number): Float32Array {
    return this.F32.slice(ptr >> 2, (ptr >> 2) + n);
  }
}
