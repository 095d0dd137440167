// Embedding: raw ABI, checked entry points (ids validated: a wrong id would make the gather read, and the
// scatter WRITE, outside the table), the padding helpers of maskZero, and the reference raw.
// Legend: T steps, B batch, V vocabulary, E width. ids (B, T) i32 batch-major (the API layout); y, dy
// (T, B, E) time-major (the layout inside the model); embeddings and dEmbeddings (V, E), Keras layout.

import type { Arena, Ptr } from '../arena.js';
import type { ArgumentCheck, Checker, TensorRef } from '../checker.js';
import { KernelArgumentError } from '../errors.js';
import { embeddingBackward, embeddingForward } from '../reference/embedding.js';

export interface EmbeddingRaw {
  embedding_forward(y: Ptr, ids: Ptr, W: Ptr, T: number, B: number, E: number, maskZero: number): void;
  embedding_backward(dW: Ptr, dy: Ptr, ids: Ptr, T: number, B: number, E: number, maskZero: number): void;
}

/** Ids from JavaScript: B·T numbers batch-major, or B rows of T numbers. */
export type IdValues = ArrayLike<number> | ArrayLike<ArrayLike<number>>;

export interface EmbeddingForwardArgs {
  /** (T, B, E) output, time-major. */
  y: TensorRef;
  /** (B, T) i32 ids in memory; range-checked there unless `idValues` supplies them. */
  ids: TensorRef;
  /** (V, E) the table (Keras `embeddings`). */
  embeddings: TensorRef;
  /** Ids from JS (any numeric array): checked (integer, finite, in [0, V)) and written into `ids` first. */
  idValues?: IdValues;
  /** Keras mask_zero: id 0 is padding; its output row is zeros. */
  maskZero?: boolean;
}

export interface EmbeddingBackwardArgs {
  /** (V, E) gradient of the table, accumulated into (+=); duplicate ids are summed. */
  dEmbeddings: TensorRef;
  /** (T, B, E) upstream gradient, time-major. */
  dy: TensorRef;
  /** (B, T) i32 ids in memory (range-checked again: the scatter writes at W + id·E). */
  ids: TensorRef;
  /** Keras mask_zero: id 0 receives no gradient. */
  maskZero?: boolean;
}

export interface EmbeddingKernels {
  /** y[t, b] = embeddings[ids[b, t]] (batch-major ids in, time-major rows out). */
  embeddingForward(args: EmbeddingForwardArgs): void;
  /** dEmbeddings[ids[b, t]] += dy[t, b] for every (t, b), in a fixed order. */
  embeddingBackward(args: EmbeddingBackwardArgs): void;
  /** Per-sample lengths of the ids in memory (id 0 = padding), for the recurrent kernels' `lengths`. */
  embeddingLengths(args: { ids: TensorRef; padding?: Padding }): Int32Array;
}

/** Where the padding (id 0) sits: after the tokens ('post', right padding) or before them ('pre'). */
export type Padding = 'post' | 'pre';

function idError(kernel: string, b: number, t: number, v: unknown, V: number): KernelArgumentError {
  return new KernelArgumentError(kernel, `ids[${b}][${t}]`, v, `(batch row ${b}, time step ${t}) must be an integer id in [0, V = ${V})`);
}

/** Checks JS ids (integer, finite, in [0, V)) into a fresh Int32Array (B, T); nothing is written on error. */
function checkIdValues(c: ArgumentCheck, values: IdValues, B: number, T: number, V: number): Int32Array {
  if (values === null || typeof values !== 'object' || typeof values.length !== 'number') {
    c.fail('idValues', values, 'must be an array of B·T ids or of B rows of T ids');
  }
  const out = new Int32Array(B * T);
  const first = (values as ArrayLike<unknown>)[0];
  const nested = typeof first === 'object' && first !== null;
  if (values.length !== (nested ? B : B * T)) {
    c.fail('idValues', `[${values.length} ${nested ? 'rows' : 'values'}]`, `must have B·T = ${B * T} ids (or B = ${B} rows of T = ${T})`);
  }
  for (let b = 0; b < B; b++) {
    const row = nested ? (values as ArrayLike<ArrayLike<number>>)[b] : null;
    if (nested && (row === null || typeof row !== 'object' || row.length !== T)) {
      c.fail(`idValues[${b}]`, row === null || typeof row !== 'object' ? row : `[${row.length} values]`, `(batch row ${b}) must have T = ${T} ids`);
    }
    for (let t = 0; t < T; t++) {
      const v = row ? row[t] : (values as ArrayLike<number>)[b * T + t];
      if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v >= V) throw idError(c.kernel, b, t, v, V);
      out[b * T + t] = v;
    }
  }
  return out;
}

/** Range check of i32 ids already in memory (B, T). */
function checkIdsInMemory(c: ArgumentCheck, arena: Arena, ids: Ptr, B: number, T: number, V: number): void {
  const v = arena.i32(ids, B * T);
  for (let i = 0; i < B * T; i++) {
    if (v[i] < 0 || v[i] >= V) throw idError(c.kernel, Math.floor(i / T), i % T, v[i], V);
  }
}

function dims2(c: ArgumentCheck, name: string, t: TensorRef, letters: string): [number, number] {
  if (typeof t !== 'object' || t === null || !Array.isArray(t.shape) || t.shape.length !== 2) {
    c.fail(name, t?.ptr, `must be a tensor reference with shape ${letters}`);
  }
  return [c.dim(`${name}.shape[0]`, t.shape[0]), c.dim(`${name}.shape[1]`, t.shape[1])];
}

/**
 * Per-sample lengths from batch-major ids (B, T), id 0 = padding. 'post': length = 1 + the last non-zero
 * step; 'pre': T − the first non-zero step. A 0 between tokens cannot be expressed as a length and throws
 * (use sequenceMask for arbitrary masks).
 */
export function sequenceLengths(ids: ArrayLike<number>, B: number, T: number, padding: Padding = 'post', kernel = 'sequence_lengths'): Int32Array {
  const out = new Int32Array(B);
  for (let b = 0; b < B; b++) {
    let first = -1, last = -1;
    for (let t = 0; t < T; t++) if (ids[b * T + t] !== 0) { if (first < 0) first = t; last = t; }
    if (first < 0) continue;
    for (let t = first; t <= last; t++) {
      if (ids[b * T + t] === 0) {
        throw new KernelArgumentError(kernel, `ids[${b}][${t}]`, 0,
          `(batch row ${b}, time step ${t}) is padding between tokens: lengths need contiguous tokens (use a mask)`);
      }
    }
    if (padding === 'post' && first !== 0) {
      throw new KernelArgumentError(kernel, `ids[${b}][0]`, 0, `(batch row ${b}) is padding at the start, but padding is 'post'`);
    }
    if (padding === 'pre' && last !== T - 1) {
      throw new KernelArgumentError(kernel, `ids[${b}][${T - 1}]`, 0, `(batch row ${b}) is padding at the end, but padding is 'pre'`);
    }
    out[b] = last - first + 1;
  }
  return out;
}

/** Keras' mask_zero mask, time-major (T, B): 1 where ids[b, t] != 0, else 0 (loss weights for padded steps). */
export function sequenceMask(ids: ArrayLike<number>, B: number, T: number): Float32Array {
  const m = new Float32Array(T * B);
  for (let t = 0; t < T; t++) for (let b = 0; b < B; b++) m[t * B + b] = ids[b * T + t] !== 0 ? 1 : 0;
  return m;
}

export function embeddingKernels(raw: EmbeddingRaw, checker: Checker): EmbeddingKernels {
  const arena = checker.arena;
  return {
    embeddingForward(a) {
      const c = checker.begin('embedding_forward');
      const [B, T] = dims2(c, 'ids', a.ids, '(B, T)');
      const [V, E] = dims2(c, 'embeddings', a.embeddings, '(V, E)');
      const maskZero = c.flag('maskZero', a.maskZero ?? false);
      const nIds = c.tensor('ids', a.ids, [B, T], '(B, T)');
      const nW = c.tensor('embeddings', a.embeddings, [V, E], '(V, E)');
      const nY = c.tensor('y', a.y, [T, B, E], '(T, B, E)');
      c.disjoint('y', a.y.ptr, nY, 'embeddings', a.embeddings.ptr, nW);
      c.disjoint('y', a.y.ptr, nY, 'ids', a.ids.ptr, nIds);
      if (a.idValues !== undefined) {
        const checked = checkIdValues(c, a.idValues, B, T, V);
        c.disjoint('ids', a.ids.ptr, nIds, 'embeddings', a.embeddings.ptr, nW);
        arena.I32.set(checked, a.ids.ptr >> 2);
      } else {
        checkIdsInMemory(c, arena, a.ids.ptr, B, T, V);
      }
      raw.embedding_forward(a.y.ptr, a.ids.ptr, a.embeddings.ptr, T, B, E, maskZero);
    },
    embeddingBackward(a) {
      const c = checker.begin('embedding_backward');
      const [B, T] = dims2(c, 'ids', a.ids, '(B, T)');
      const [V, E] = dims2(c, 'dEmbeddings', a.dEmbeddings, '(V, E)');
      const maskZero = c.flag('maskZero', a.maskZero ?? false);
      const nIds = c.tensor('ids', a.ids, [B, T], '(B, T)');
      const nW = c.tensor('dEmbeddings', a.dEmbeddings, [V, E], '(V, E)');
      const nY = c.tensor('dy', a.dy, [T, B, E], '(T, B, E)');
      c.disjoint('dEmbeddings', a.dEmbeddings.ptr, nW, 'dy', a.dy.ptr, nY);
      c.disjoint('dEmbeddings', a.dEmbeddings.ptr, nW, 'ids', a.ids.ptr, nIds);
      checkIdsInMemory(c, arena, a.ids.ptr, B, T, V);
      raw.embedding_backward(a.dEmbeddings.ptr, a.dy.ptr, a.ids.ptr, T, B, E, maskZero);
    },
    embeddingLengths(a) {
      const c = checker.begin('embedding_lengths');
      const [B, T] = dims2(c, 'ids', a.ids, '(B, T)');
      const padding = a.padding ?? 'post';
      if (padding !== 'post' && padding !== 'pre') c.fail('padding', padding, "must be 'post' or 'pre'");
      c.tensor('ids', a.ids, [B, T], '(B, T)');
      return sequenceLengths(arena.i32(a.ids.ptr, B * T), B, T, padding, 'embedding_lengths');
    },
  };
}

export function embeddingReference(arena: Arena): EmbeddingRaw {
  return {
    embedding_forward: (y, ids, W, T, B, E, mz) =>
      embeddingForward(arena.f32(y, T * B * E), arena.i32(ids, B * T), arena.f32(W, (maxId(arena, ids, B * T) + 1) * E), T, B, E, mz !== 0),
    embedding_backward: (dW, dy, ids, T, B, E, mz) =>
      embeddingBackward(arena.f32(dW, (maxId(arena, ids, B * T) + 1) * E), arena.f32(dy, T * B * E), arena.i32(ids, B * T), T, B, E, mz !== 0),
  };
}

/** The raw ABI does not carry V; the reference views the table up to the largest id it will touch. */
function maxId(arena: Arena, ids: Ptr, n: number): number {
  const v = arena.i32(ids, n);
  let m = 0;
  for (let i = 0; i < n; i++) if (v[i] > m) m = v[i];
  return m;
}
