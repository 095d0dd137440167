// Shared by the fused-rnn/infer tests that compare outputs bit for bit (threads vs one thread vs predict):
// the comparison and the seeded data they feed both sides.
import * as assert from 'uvu/assert';

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
