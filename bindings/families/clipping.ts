// Gradient norm pass (non-finite guard) and the four clipping operations: raw ABI and checked entry points.
// Legend: G the grad slab base; count tensors; table i32 (count, 2) of [offset, length] in elements from G.
//
//   GradTable  { G, table, count, sums, status }      (planned once with gradTable(); lives in the arena)
//   table  i32 (count, 2)   | off_0 len_0 | off_1 len_1 | ...   tensor t = G[off_t, off_t + len_t)
//   sums   f64 (count)      Σg² per tensor, written by the norm pass (clipNorm reads it)
//   status i32 (2)          [tensor, index] of the first non-finite gradient, or [−1, −1]
//
// The four clipping operations are distinct on purpose (docs/optimizers-and-clipping.md pins where they differ):
//   clipValue       Keras clipvalue:        g = clamp(g, −c, c) element-wise
//   clipNorm        Keras clipnorm:         each tensor g_t ·= c / max(‖g_t‖, c)
//   globalClipnorm  Keras global_clipnorm:  every g ·= c / max(‖g‖, c), ‖g‖ over all tensors, no epsilon
//   clipGradNorm    PyTorch clip_grad_norm_: every g ·= c / (‖g‖ + 1e-6), only when that is < 1

import type { Arena, Ptr } from '../arena.js';
import { aboveArguments, type ArgumentCheck, type Checker } from '../checker.js';

export interface ClippingRaw {
  grad_norms(sums: Ptr, status: Ptr, G: Ptr, table: Ptr, count: number): number;
  clip_value(G: Ptr, table: Ptr, count: number, clip: number): void;
  clip_norm(G: Ptr, table: Ptr, sums: Ptr, count: number, clip: number): void;
  clip_scale(G: Ptr, table: Ptr, count: number, s: number): void;
}

/** A set of gradient tensors inside one grad slab plus the scratch the norm pass writes. */
export interface GradTable {
  /** Grad slab base (byte offset). */
  readonly G: Ptr;
  /** i32 (count, 2): [offset, length] in elements from G. */
  readonly table: Ptr;
  readonly count: number;
  /** f64 (count), 8-byte aligned: per-tensor Σg². */
  readonly sums: Ptr;
  /** i32 (2): [tensor, index] of the first non-finite gradient or [−1, −1]. */
  readonly status: Ptr;
}

/** The norm pass result: the global L2 norm, or where the first NaN/±Inf gradient sits. */
export type GradNormResult =
  | { readonly finite: true; readonly norm: number; readonly sumSquares: number }
  | { readonly finite: false; readonly tensor: number; readonly index: number; readonly value: number };

/** PyTorch clip_grad_norm_'s epsilon: coefficient = max_norm / (total_norm + 1e-6). */
export const CLIP_GRAD_NORM_EPSILON = 1e-6;

export interface ClippingKernels {
  /**
   * Plans a GradTable in the arena: writes the [offset, length] pairs and allocates sums and status.
   * `ranges` are element ranges of the grad slab at G; they must lie in memory and not overlap.
   */
  gradTable(G: Ptr, ranges: ReadonlyArray<readonly [offset: number, length: number]>): GradTable;
  /** One deterministic pass: per-tensor Σg² into sums, the global norm, and the first non-finite gradient. */
  gradNorms(grads: GradTable): GradNormResult;
  /** Keras clipvalue: every gradient clamped to [−clip, clip] (NaN stays NaN). */
  clipValue(grads: GradTable, clip: number): void;
  /**
   * Keras clipnorm: each tensor scaled by clip / max(‖g_t‖, clip) with its own norm. Runs the norm pass
   * unless `norms` (from gradNorms on this table, G unchanged since) is given. Returns the norms used.
   */
  clipNorm(grads: GradTable, clip: number, norms?: GradNormResult): GradNormResult;
  /** Keras global_clipnorm: all tensors scaled by clip / max(‖g‖, clip), ‖g‖ the global norm (no epsilon). */
  globalClipnorm(grads: GradTable, clip: number, norms?: GradNormResult): GradNormResult;
  /** PyTorch clip_grad_norm_(max_norm): coef = max / (‖g‖ + 1e-6); all tensors ·= coef only if coef < 1. */
  clipGradNorm(grads: GradTable, maxNorm: number, norms?: GradNormResult): GradNormResult;
}

/** Validates a GradTable against the memory it points into: table, scratch, and every tensor range. */
function checkGradTable(c: ArgumentCheck, arena: Arena, grads: GradTable): void {
  if (typeof grads !== 'object' || grads === null) c.fail('grads', grads, 'must be a GradTable (from gradTable())');
  const { G, table, count, sums, status } = grads;
  c.dim('count', count);
  c.buffer('G', G, 0);
  c.buffer('table', table, 2 * count);
  c.buffer('sums', sums, 2 * count);
  if (sums % 8 !== 0) c.fail('sums', sums, 'is not 8-byte aligned (it holds f64)');
  c.buffer('status', status, 2);
  c.disjoint('sums', sums, 2 * count, 'table', table, 2 * count);
  c.disjoint('status', status, 2, 'table', table, 2 * count);
  c.disjoint('status', status, 2, 'sums', sums, 2 * count);
  const I32 = arena.I32;
  const spans: Array<[number, number, number]> = [];
  for (let t = 0; t < count; t++) {
    const off = I32[(table >> 2) + 2 * t], len = I32[(table >> 2) + 2 * t + 1];
    checkRange(c, `table[${t}]`, G, off, len);
    const p = G + off * 4;
    c.disjoint(`table[${t}]`, p, len, 'table', table, 2 * count);
    c.disjoint(`table[${t}]`, p, len, 'sums', sums, 2 * count);
    c.disjoint(`table[${t}]`, p, len, 'status', status, 2);
    if (len > 0) spans.push([off, off + len, t]);
  }
  spans.sort((a, b) => a[0] - b[0]);
  for (let i = 1; i < spans.length; i++) {
    if (spans[i][0] < spans[i - 1][1]) {
      c.fail(`table[${spans[i][2]}]`, `[${spans[i][0]}, ${spans[i][1]})`, `overlaps table[${spans[i - 1][2]}] ([${spans[i - 1][0]}, ${spans[i - 1][1]}))`);
    }
  }
}

function checkRange(c: ArgumentCheck, name: string, G: Ptr, offset: number, length: number): void {
  if (typeof offset !== 'number' || !Number.isSafeInteger(offset) || offset < 0 || offset > 0x7fffffff) {
    c.fail(`${name}.offset`, offset, 'must be a non-negative integer (elements from G)');
  }
  if (typeof length !== 'number' || !Number.isSafeInteger(length) || length < 0 || length > 0x7fffffff) {
    c.fail(`${name}.length`, length, 'must be a non-negative integer (elements)');
  }
  c.buffer(name, G + offset * 4, length);
}

function positive(c: ArgumentCheck, name: string, value: number): number {
  c.finite(name, value);
  if (!(value > 0)) c.fail(name, value, 'must be > 0');
  return value;
}

export function clippingKernels(raw: ClippingRaw, checker: Checker): ClippingKernels {
  const arena = checker.arena;

  const normPass = (grads: GradTable): GradNormResult => {
    const total = raw.grad_norms(grads.sums, grads.status, grads.G, grads.table, grads.count);
    const I32 = arena.I32;
    const tensor = I32[grads.status >> 2];
    if (tensor < 0) return { finite: true, norm: Math.sqrt(total), sumSquares: total };
    const index = I32[(grads.status >> 2) + 1];
    const off = I32[(grads.table >> 2) + 2 * tensor];
    return { finite: false, tensor, index, value: arena.F32[(grads.G >> 2) + off + index] };
  };

  // Norms given by the caller are trusted to describe the current G (documented); only their shape is checked.
  const normsFor = (c: ArgumentCheck, grads: GradTable, norms: GradNormResult | undefined): GradNormResult => {
    if (norms === undefined) return normPass(grads);
    if (typeof norms !== 'object' || norms === null || typeof norms.finite !== 'boolean') {
      c.fail('norms', norms, 'must be a result of gradNorms()');
    }
    return norms;
  };

  // A non-finite norm is passed through with the peer's semantics (Keras global_clipnorm: all NaN;
  // clip_grad_norm_: coefficient NaN or 0). guardedStep is what skips such steps.
  const normOf = (r: GradNormResult): number => (r.finite ? r.norm : Number.isNaN(r.value) ? NaN : Infinity);

  return {
    gradTable(G, ranges) {
      const c = checker.begin('grad_table');
      if (!Array.isArray(ranges)) c.fail('ranges', ranges, 'must be an array of [offset, length] pairs');
      c.dim('ranges.length', ranges.length);
      c.buffer('G', G, 0);
      ranges.forEach((r, t) => {
        if (!Array.isArray(r) || r.length !== 2) c.fail(`ranges[${t}]`, r, 'must be an [offset, length] pair');
        checkRange(c, `ranges[${t}]`, G, r[0], r[1]);
      });
      const count = ranges.length;
      // the table and scratch go above every tensor (a grad slab may lie above the arena top)
      aboveArguments(arena, c);
      const table = arena.alloc(2 * count);
      const sums = arena.alloc(2 * count); // 16-byte aligned, so f64-aligned
      const status = arena.alloc(2);
      const I32 = arena.I32;
      ranges.forEach(([off, len], t) => {
        I32[(table >> 2) + 2 * t] = off;
        I32[(table >> 2) + 2 * t + 1] = len;
      });
      const grads: GradTable = { G, table, count, sums, status };
      checkGradTable(c, arena, grads); // overlaps between tensors and with the new scratch
      return grads;
    },
    gradNorms(grads) {
      checkGradTable(checker.begin('grad_norms'), arena, grads);
      return normPass(grads);
    },
    clipValue(grads, clip) {
      const c = checker.begin('clip_value');
      positive(c, 'clip', clip);
      checkGradTable(c, arena, grads);
      raw.clip_value(grads.G, grads.table, grads.count, clip);
    },
    clipNorm(grads, clip, norms) {
      const c = checker.begin('clip_norm');
      positive(c, 'clip', clip);
      checkGradTable(c, arena, grads);
      const r = normsFor(c, grads, norms);
      raw.clip_norm(grads.G, grads.table, grads.sums, grads.count, clip);
      return r;
    },
    globalClipnorm(grads, clip, norms) {
      const c = checker.begin('global_clipnorm');
      positive(c, 'clip', clip);
      checkGradTable(c, arena, grads);
      const r = normsFor(c, grads, norms);
      const norm = normOf(r);
      // Keras: scale = clip · min(1/norm, 1/clip) = clip / max(norm, clip); a no-op when norm <= clip. Keras adds
      // (norm − norm) to the scale, so a non-finite norm (a NaN or ±Inf gradient) makes it NaN and every
      // gradient NaN: clip / max(Inf, clip) = 0 would instead give zeros beside NaN (0 · Inf).
      const s = Number.isFinite(norm) ? clip / Math.max(norm, clip) : NaN;
      if (s !== 1) raw.clip_scale(grads.G, grads.table, grads.count, s);
      return r;
    },
    clipGradNorm(grads, maxNorm, norms) {
      const c = checker.begin('clip_grad_norm');
      positive(c, 'maxNorm', maxNorm);
      checkGradTable(c, arena, grads);
      const r = normsFor(c, grads, norms);
      const coef = maxNorm / (normOf(r) + CLIP_GRAD_NORM_EPSILON);
      // torch.clamp(coef, max=1) keeps NaN, so a NaN coefficient is applied too (as PyTorch does).
      if (coef < 1 || Number.isNaN(coef)) raw.clip_scale(grads.G, grads.table, grads.count, coef);
      return r;
    },
  };
}
