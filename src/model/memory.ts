// A model's memory in the shared arena, and the one rule for sharing it (written once, here).
//
// A model's memory is a stack of levels, each allocated after the ones below it:
//   | 0 slabs: params P, grads P | 1 training state: optimizer k·P, grad table | 2 update snapshot P | 3 plan |
// Re-allocating a level drops every level above it. Several models may share one Kernels (one arena):
//
//   THE RULE  A model frees and reuses its own memory from level L up only when that memory is the top of
//             the arena (no other model allocated after it) and contiguous; otherwise level L is allocated
//             on top of everything (the model's old memory above L stays as a hole, never handed to
//             anyone else while this model may still point into it).
//
// Every (re-)allocation is a transaction: when it throws (a memory limit, a shape error found while
// planning), the arena top and this model's levels are as before, so the old memory stays valid.
//
// The activation plan is one block carved by a BlockPlanner (16-byte aligned bumps, like the arena), so a
// plan can be measured first (counting pass, no memory touched) and laid out again at the same address.

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

export class ModelMemory {
  /** Start (arena mark) of each live level. */
  private starts: number[] = [];
  /** The arena top right after this model's last allocation (-1: none yet). */
  private end = -1;
  /** Start of this model's topmost contiguous run of memory. */
  private ownFrom = 0;

  constructor(readonly arena: Arena) {}

  /** Whether the level is allocated. */
  has(level: number): boolean {
    return this.starts.length > level;
  }

  /**
   * (Re-)allocates `level` through `fill` (which allocates from the arena and returns what it made),
   * dropping the levels above it. Transactional: if `fill` throws, the arena and the levels are unchanged.
   */
  allocate<T>(level: number, fill: () => T): T {
    const a = this.arena, top = a.mark();
    const start = this.starts[level];
    const reuse = start !== undefined && top === this.end && start >= this.ownFrom;
    const from = reuse ? start : top;
    a.release(from);
    let result: T;
    try {
      result = fill();
    } catch (e) {
      a.release(from);
      if (top > from) a.allocBytes(top - from); // give the old levels back (their contents are untouched)
      throw e;
    }
    if (!reuse) this.ownFrom = from;
    this.starts.length = Math.min(this.starts.length, level);
    while (this.starts.length < level) this.starts.push(from); // lower levels never allocated: empty
    this.starts.push(from);
    this.end = a.mark();
    return result;
  }

  /** One zeroed block of `floats` elements as `level` (transactional, see allocate). */
  allocateBlock(level: number, floats: number): Ptr {
    return this.allocate(level, () => this.arena.allocZeroed(floats));
  }
}
