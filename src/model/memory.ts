// A model's memory in the shared arena, and the one rule for sharing it (written once, here).
//
// A model's memory is a stack of levels, each allocated after the ones below it:
//   | 0 slabs: params P, grads P | 1 training state: optimizer k·P, grad table | 2 update snapshot P | 3 plan |
// Re-allocating a level drops every level above it. Several models may share one Kernels (one arena):
//
//   THE RULE  A model frees only the blocks it allocated itself: each level's blocks are claimed by that
//             level's token (Arena.claim), and dropping a level is Arena.freeOwned(token). Freed space is
//             reused by whoever allocates next (the arena's free list), so models created, re-planned and
//             disposed on one Kernels keep the memory flat, and no model frees another's blocks.
//
// Every (re-)allocation is a transaction: the new level is allocated BEFORE the old one is freed, and if
// that throws (a memory limit, a shape error found while planning) everything allocated since the start is
// released and the old level stays as it was, still valid.
//
// The activation plan is one block carved by a BlockPlanner (16-byte aligned bumps), so a plan can be
// measured first (a counting pass, no memory touched) and laid out again at the same address.

import type { Arena, Ptr } from '../../bindings/index.js';

/** The levels of a model's memory, bottom to top. */
export const Level = { slabs: 0, trainingState: 1, updateSnapshot: 2, plan: 3 } as const;

const ALIGN_FLOATS = 4; // 16 bytes

/** Bump allocation of f32/i32 elements inside one block (or counting only, when base is 0). */
export class BlockPlanner {
  private used = 0;

  constructor(private readonly base: Ptr = 0) {}

  /** Elements handed out so far, each allocation rounded up to 16 bytes. */
  get floats(): number {
    return this.used;
  }

  /** n elements at the next aligned offset (a fake address when counting). */
  alloc(n: number): Ptr {
    if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`BlockPlanner: element count must be a non-negative integer, got ${n}`);
    const p = this.base + this.used * 4;
    this.used += Math.ceil(n / ALIGN_FLOATS) * ALIGN_FLOATS;
    return p;
  }
}

/** The levels of one model's memory on a shared arena (see the header). */
export class ModelMemory {
  /** The claim token of each live level (null: never allocated). */
  private tokens: Array<object | null> = [];

  constructor(readonly arena: Arena) {}

  /** Whether the level is allocated. */
  has(level: number): boolean {
    return this.tokens[level] != null;
  }

  /**
   * (Re-)allocates `level` through `fill` (which allocates from the arena and returns what it made), then
   * frees the old level and every level above it. Transactional: if `fill` throws, nothing changes.
   */
  allocate<T>(level: number, fill: () => T): T {
    const a = this.arena, t0 = a.mark();
    let result: T;
    try {
      result = fill();
    } catch (e) {
      a.release(t0); // fill ran synchronously: every block after t0 is this attempt's
      throw e;
    }
    const token = {};
    a.claim(token, t0);
    for (let l = level; l < this.tokens.length; l++) if (this.tokens[l]) a.freeOwned(this.tokens[l]!);
    this.tokens.length = level;
    while (this.tokens.length < level) this.tokens.push(null);
    this.tokens.push(token);
    return result;
  }

  /** One zeroed block of `floats` elements as `level` (transactional, see allocate). */
  allocateBlock(level: number, floats: number): Ptr {
    return this.allocate(level, () => this.arena.allocZeroed(floats));
  }

  /** Frees every level (the model's dispose()). */
  dispose(): void {
    for (const t of this.tokens) if (t) this.arena.freeOwned(t);
    this.tokens = [];
  }
}
