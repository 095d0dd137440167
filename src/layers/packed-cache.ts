// Packed recurrent weights kept between inference calls (issue 17; docs/decisions.md "Packed weights cached
// between predict calls"). An inference kernel given a workspace first copies W (D, G) and U (H, G) into
// column panels, one pass over (D + H)·G floats (LSTM(256), D = 64: 1.25 MB, ≈ 40–60 µs of a 1.2 ms B = 1
// predict). A recurrent layer's inference plan keeps that workspace, and this cache remembers what it holds:
// the weights version (RunContext.weightsVersion: the Engine bumps it before every write to the params slab)
// and the W and U pointers it was packed from. A call whose key matches passes `current: true` and the
// kernel skips packing; anything else repacks. Re-planning (a new plan block, or the old one laid out again)
// resets the cache, since the block's contents are not kept.
//
//   plan block: | ... | pad to 64 bytes | panels: W (D, G) packed, then U (H, G) packed | ... |

import type { Ptr, TensorRef } from '../../bindings/index.js';

/** What the checked inference kernels take as `packed` (bindings/families/recurrent-common.ts PackedWeights). */
export interface PackedArg {
  work: TensorRef;
  current: boolean;
}

/** One recurrent layer's packed-weights workspace and what it holds (see the header). */
export class PackedWeightsCache {
  private work: Ptr = 0;
  private floats = 0;
  /** What the workspace holds: the weights version and W, U pointers it was packed from (null: nothing). */
  private held: { version: number; W: Ptr; U: Ptr } | null = null;

  /** Plans the workspace of `floats` floats (64-byte aligned) through `alloc`; forgets what it held. */
  plan(alloc: (floats: number) => Ptr, floats: number): void {
    this.work = (alloc(floats + 16) + 63) & ~63;
    this.floats = floats;
    this.held = null;
  }

  /** No workspace (a training plan: the weights change at every step, packing stays per call). */
  clear(): void {
    this.work = 0;
    this.held = null;
  }

  /**
   * The `packed` argument of a call on W and U at weights `version` (undefined: the caller tracks no
   * version, so nothing is reused): current when the workspace holds exactly these. Null without a workspace.
   */
  arg(version: number | undefined, W: TensorRef, U: TensorRef): PackedArg | null {
    if (this.work === 0) return null;
    const h = this.held;
    const current = version !== undefined && h !== null && h.version === version && h.W === W.ptr && h.U === U.ptr;
    if (!current) this.held = null; // this call packs: until it returns, the workspace holds nothing known
    return { work: { ptr: this.work, shape: [this.floats] }, current };
  }

  /**
   * Records that a call on W and U at `version` returned: the workspace now holds them packed. Called only
   * after the kernel returned (a call that threw may have packed part of it: the next call repacks).
   */
  packed(version: number | undefined, W: TensorRef, U: TensorRef): void {
    this.held = version === undefined ? null : { version, W: W.ptr, U: U.ptr };
  }
}
