// Shared by the fused-rnn/infer tests that compare outputs bit for bit (threads vs one thread vs predict):
// the comparison and the seeded data they feed both sides.
import * as assert from 'uvu/assert';
import type { StepThreadsTuning } from '../../bindings/infer-threads.js';

/** Fails unless got and want have the same length and every element is the same float (Object.is: -0 ≠ 0, NaN = NaN). */
export const same = (label: string, got: Float32Array, want: Float32Array): void => {
  assert.is(got.length, want.length, `${label}: length`);
  for (let i = 0; i < got.length; i++) {
    if (!Object.is(got[i], want[i])) assert.unreachable(`${label}: element ${i} differs: ${got[i]} vs ${want[i]} (not bit-identical)`);
  }
};

/** A seeded linear congruential generator of values in [0, 1) (the data these tests were written with). */
export function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32);
}

/** N sequences of T steps of D values in [-1, 1), seeded. */
export const floats = (N: number, T: number, D: number, seed: number): number[][][] => {
  const r = lcg(seed);
  return Array.from({ length: N }, () => Array.from({ length: T }, () => Array.from({ length: D }, () => r() * 2 - 1)));
};

/** Fails unless two streams' states (`stream.state`: h, and c for an LSTM, per layer) are the same bits. */
export const sameStates = (label: string, got: ReadonlyArray<{ h: Float32Array; c?: Float32Array | null }>, want: ReadonlyArray<{ layer: string; h: Float32Array; c?: Float32Array | null }>): void => {
  want.forEach((st, i) => {
    same(`${label}: h of ${st.layer}`, got[i].h, st.h);
    if (st.c) same(`${label}: c of ${st.layer}`, got[i].c!, st.c);
  });
};

/**
 * N rows of T token ids in [1, V), row n valid for its first 2 + (3n mod (T − 1)) steps and 0 (padding) after,
 * seeded; `left`: each row reversed (padding first).
 */
export function paddedIds(N: number, T: number, seed: number, V: number, left = false): number[][] {
  const r = lcg(seed);
  return Array.from({ length: N }, (_, n) => {
    const row = Array.from({ length: T }, (_, t) => (t < 2 + ((n * 3) % (T - 1)) ? 1 + Math.floor(r() * (V - 1)) : 0));
    return left ? row.reverse() : row;
  });
}

/** The threaded-step hooks (StepThreads.tune) back at their defaults. */
export const DEFAULT_TUNING: StepThreadsTuning = { helperLimit: -1, helperDelayUs: 0, helperPauseUs: 0, callerWait: 0, order: 'ends' };
