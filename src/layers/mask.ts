// Keras masks as they travel with tensors: which time steps of each sample are valid. A one-sided mask
// (every sample valid on a prefix, or every sample on a suffix) is per-sample lengths, the fused kernels'
// fast path; any other pattern (gaps, left and right padding mixed in one batch) is a (T, B) step mask.
// Legend: T steps, B batch; step masks are time-major, entry t·B + b, 1 = valid.

import type { Mask } from './layer.js';

/** A mask from time-major 0/1 validity (T, B): lengths when one-sided (the fast path), else step flags. */
export function maskFromSteps(valid: Uint8Array, T: number, B: number): Mask {
  const lengths = new Int32Array(B);
  let prefix = true, suffix = true;
  for (let b = 0; b < B; b++) {
    let n = 0, first = -1, last = -1;
    for (let t = 0; t < T; t++) if (valid[t * B + b]) { n++; if (first < 0) first = t; last = t; }
    lengths[b] = n;
    if (n === 0 || n === T) continue;
    const contiguous = last - first + 1 === n;
    prefix &&= contiguous && first === 0;
    suffix &&= contiguous && last === T - 1;
  }
  if (prefix) return { lengths, leftPadded: false, steps: null };
  if (suffix) return { lengths, leftPadded: true, steps: null };
  return { lengths: null, leftPadded: false, steps: valid.slice(0, T * B) };
}

/** Whether step t of sample b is valid under mask m (T steps, B samples). */
export function stepValid(m: Mask, t: number, b: number, T: number, B: number): boolean {
  if (m.steps) return m.steps[t * B + b] !== 0;
  const len = m.lengths![b];
  return m.leftPadded ? t >= T - len : t < len;
}

/** The (T, B) 0/1 validity of a mask. */
export function stepsOf(m: Mask, T: number, B: number): Uint8Array {
  if (m.steps) return m.steps;
  const out = new Uint8Array(T * B);
  for (let t = 0; t < T; t++) for (let b = 0; b < B; b++) out[t * B + b] = stepValid(m, t, b, T, B) ? 1 : 0;
  return out;
}

/** Keras Merge.compute_mask: a step is valid when it is valid in every masked input (null: no mask). */
export function andMasks(masks: ReadonlyArray<Mask | null>, T: number, B: number): Mask | null {
  const present = masks.filter((m): m is Mask => m !== null);
  if (present.length === 0) return null;
  if (present.length === 1) return present[0];
  const valid = stepsOf(present[0], T, B).slice();
  for (const m of present.slice(1)) {
    const v = stepsOf(m, T, B);
    for (let i = 0; i < valid.length; i++) valid[i] &= v[i];
  }
  return maskFromSteps(valid, T, B);
}
