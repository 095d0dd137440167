// A recurrent layer's streaming step on threads (bindings/infer-threads.ts), as InferRecurrent.stepCall binds
// it: chunks of units claimed by the calling thread and any helper that is awake.

import type { Ptr } from '../../bindings/arena.js';
import type { InferKernels } from '../../bindings/infer.js';
import type { PrivateScratch } from '../../bindings/infer-threads.js';

/**
 * The step call of a layer of `units` units on threads: kernel fn (0 infer_lstm_units, 1 infer_gru_units, 2
 * infer_simple_rnn_units) with the arguments of each phase (one; two for the reset-before GRU) over chunks
 * of whole 32-column panels of units, claimed by the caller and any helper that is awake. Every chunk
 * writes its units of the new h into y (h is still being read by the others), then h = y (n floats). `single`
 * (the one-thread call of the whole step, which leaves h = y too) runs instead when no helper is awake.
 * `before` runs first on this thread (int8: quantize x and h once for every chunk). `own`: each thread's
 * scratch copy, for one-phase steps only (the reset-before GRU's phase 2 reads every unit's r ⊙ h).
 */
export function threadedStep(k: InferKernels, units: number, fn: number, phases: number[][], y: Ptr, h: Ptr, n: number, single: () => void, before: (() => void) | null, own: PrivateScratch): () => void {
  const pool = k.threads!, raw = k.raw, [job, job2] = phases.map((args, i) => pool.job(fn, args, units, i ? undefined : single, phases.length === 1 ? own : undefined));
  // Two phases: run() returns when every chunk is done, which is the barrier between them; when phase 1
  // ran `single` (the whole step), phase 2 is done too.
  // h = y only after chunks: `single` leaves h = y itself (one wasm call fewer on a spaced step).
  if (job2) return () => { before?.(); if (!pool.run(job)) { pool.run(job2); raw.copy(h, y, n); } };
  return () => { before?.(); if (!pool.run(job)) raw.copy(h, y, n); };
}
