// Reference helpers shared by the recurrent cells (plain TypeScript over f32 or f64 arrays): the flags,
// the T+1 slot walk, Keras masking by lengths, and the big products over T·B rows, all written to mirror
// assembly/recurrent-core.ts. Legend: T steps, B batch, D input width, H units, G gate width.

import type { FloatArray } from './float-array.js';

export const REVERSE = 1;
export const LEFT_PADDED = 2;
export const ACCUMULATE_DX = 4;
export const RESET_AFTER = 8;
export const PER_GATE_RMASK = 16;
/** The validity argument is a (T, B) step mask instead of (B) lengths. */
export const STEP_MASK = 32;

/** Row state (Keras masking, docs/recurrent-abi.md "Masking"): masked before the first valid step (output 0). */
export const ROW_LEADING = 0;
/** Row state: a valid step reading its previous state from the previous slot. */
export const ROW_VALID = 1;
/** Row state: masked after the first valid step (state and output carried). */
export const ROW_CARRY = 2;
/** Row state: the first valid step after leading masked steps (its previous state is h0). */
export const ROW_FIRST = 3;

/** One recurrent call's configuration (dims, direction, masking, activation codes). */
export interface RecurrentConfig {
  T: number;
  B: number;
  D: number;
  H: number;
  /** (B) lengths in [0, T], or null: every sample valid at every step. */
  lengths: ArrayLike<number> | null;
  /**
   * (T, B) step mask by time (entry t·B + b), used instead of lengths when given: sample b is valid at time
   * t iff the entry is 1 (the kernels' row codes 0 and 2 are both "masked").
   */
  stepMask?: ArrayLike<number> | null;
  flags: number;
  /** ABI activation codes (0 linear, 1 tanh, 2 sigmoid, 3 relu, 4 hard_sigmoid). */
  activation: number;
  recurrentActivation: number;
  /**
   * Recurrent dropout mask: (B, H) shared by every gate block, or (K, B, H) one per block with the
   * PER_GATE_RMASK flag; null/omitted = none. h_prev ⊙ m_k feeds block k's recurrent product only.
   */
  recurrentMask?: ArrayLike<number> | null;
}

/** m_k[b, i]: the recurrent dropout mask of gate block k for batch row b, unit i. */
export type MaskAt = (k: number, b: number, i: number) => number;

/** The mask accessor of a config, or null without recurrent dropout. */
export function maskOf(cfg: RecurrentConfig): MaskAt | null {
  const m = cfg.recurrentMask;
  if (m === undefined || m === null) return null;
  const BH = cfg.B * cfg.H, H = cfg.H, per = (cfg.flags & PER_GATE_RMASK) !== 0;
  return (k, b, i) => m[(per ? k * BH : 0) + b * H + i];
}

/** Y[yo + j] += Σ_i h[ho + i] · m_{⌊j/H⌋}[b, i] · U[i·N + j] for one row b (masked recurrent product). */
export function addMaskedRowTimesMatrix(Y: FloatArray, yo: number, h: FloatArray, ho: number, U: FloatArray, H: number, N: number, mask: MaskAt, b: number): void {
  for (let j = 0; j < N; j++) {
    const k = Math.floor(j / H);
    let s = 0;
    for (let i = 0; i < H; i++) s += h[ho + i] * mask(k, b, i) * U[i * N + j];
    Y[yo + j] += s;
  }
}

/** dh[o + i] += Σ_j g[go + j] · U[i·N + j] · m_{⌊j/H⌋}[b, i] for one row b (the masked dh_prev term). */
export function addMaskedRowTimesTransposed(dh: FloatArray, o: number, g: FloatArray, go: number, U: FloatArray, H: number, N: number, mask: MaskAt, b: number): void {
  for (let i = 0; i < H; i++) {
    let s = 0;
    for (let j = 0; j < N; j++) s += g[go + j] * U[i * N + j] * mask(Math.floor(j / H), b, i);
    dh[o + i] += s;
  }
}

export const isReverse = (cfg: RecurrentConfig): boolean => (cfg.flags & REVERSE) !== 0;

/** Time of the k-th step in walking order. */
export const stepTime = (k: number, T: number, reverse: boolean): number => (reverse ? T - 1 - k : k);
/** Slot the step at time t reads from / writes to. */
export const prevSlot = (t: number, reverse: boolean): number => (reverse ? t + 1 : t);
export const outSlot = (t: number, reverse: boolean): number => (reverse ? t : t + 1);

/** Whether sample b is valid at time t (Keras masking). */
export function isValid(cfg: RecurrentConfig, b: number, t: number): boolean {
  if (cfg.stepMask !== undefined && cfg.stepMask !== null) return Number(cfg.stepMask[t * cfg.B + b]) === 1;
  if (cfg.lengths === null) return true;
  const len = cfg.lengths[b];
  return (cfg.flags & LEFT_PADDED) !== 0 ? t >= cfg.T - len : t < len;
}

/**
 * The state of every (time t, row b), entry t·B + b, found by walking each row in the call's direction:
 * masked before the row's first valid step = ROW_LEADING (Keras output 0, state h0 carried); the first valid
 * step after leading masked steps = ROW_FIRST (its previous state is h0); later masked steps ROW_CARRY.
 */
export function rowStates(cfg: RecurrentConfig): Uint8Array {
  const { T, B } = cfg, rev = isReverse(cfg);
  const out = new Uint8Array(T * B);
  for (let b = 0; b < B; b++) {
    let started = false;
    for (let k = 0; k < T; k++) {
      const t = stepTime(k, T, rev);
      const v = isValid(cfg, b, t);
      out[t * B + b] = v ? (!started && k > 0 ? ROW_FIRST : ROW_VALID) : (started ? ROW_CARRY : ROW_LEADING);
      if (v) started = true;
    }
  }
  return out;
}

/** Y[yo + r·N + j] = bias[j] + Σ_k X[xo + r·K + k] · W[k·N + j] over rows r in [0, M); f64 accumulation. */
export function projectRows(Y: FloatArray, yo: number, X: FloatArray, xo: number, W: FloatArray, bias: FloatArray, M: number, K: number, N: number): void {
  const row = new Float64Array(N);
  for (let r = 0; r < M; r++) {
    for (let j = 0; j < N; j++) row[j] = bias[j];
    for (let k = 0; k < K; k++) {
      const a = X[xo + r * K + k];
      if (a === 0) continue;
      const wo = k * N;
      for (let j = 0; j < N; j++) row[j] += a * W[wo + j];
    }
    for (let j = 0; j < N; j++) Y[yo + r * N + j] = row[j];
  }
}

/** Y[yo + j] += Σ_k h[ho + k] · U[k·N + j] for one row (the per-step recurrent product). */
export function addRowTimesMatrix(Y: FloatArray, yo: number, h: FloatArray, ho: number, U: FloatArray, K: number, N: number, row: Float64Array): void {
  row.fill(0, 0, N);
  for (let k = 0; k < K; k++) {
    const a = h[ho + k];
    if (a === 0) continue;
    const uo = k * N;
    for (let j = 0; j < N; j++) row[j] += a * U[uo + j];
  }
  for (let j = 0; j < N; j++) Y[yo + j] += row[j];
}

/** dh[o + k] += Σ_j g[go + j] · U[k·N + j] for one row (dh_prev += dgates · Uᵀ). */
export function addRowTimesTransposed(dh: FloatArray, o: number, g: FloatArray, go: number, U: FloatArray, K: number, N: number): void {
  for (let k = 0; k < K; k++) {
    const uo = k * N;
    let s = 0;
    for (let j = 0; j < N; j++) s += g[go + j] * U[uo + j];
    dh[o + k] += s;
  }
}

/**
 * After the sweep, over all M = T·B rows: dW (D, G) += xᵀ·dg; dU (H, G) += hPrevᵀ·dg (hPrev rows start at
 * element hPrevOffset of h; with a recurrent mask (h_prev ⊙ m_k)ᵀ·dg_k, row r is batch row r mod B; `first`:
 * rows in state ROW_FIRST take h_prev from the h0 slot at element h0Offset);
 * db += colsum(dg); dx (M, D) (+)= dg · Wᵀ when dx is given.
 */
export function weightGradients(
  dx: FloatArray | null, dW: FloatArray, dU: FloatArray, db: FloatArray, dg: FloatArray,
  x: FloatArray, W: FloatArray, h: FloatArray, hPrevOffset: number, M: number, D: number, H: number, G: number, accumulateDx: boolean,
  mask: MaskAt | null = null, B = 1, first: { states: Uint8Array; h0Offset: number } | null = null,
): void {
  for (let r = 0; r < M; r++) {
    const go = r * G;
    for (let k = 0; k < D; k++) {
      const a = x[r * D + k];
      if (a === 0) continue;
      for (let j = 0; j < G; j++) dW[k * G + j] += a * dg[go + j];
    }
    // the previous state of row r: h0 at a ROW_FIRST step, else the previous slot
    const hp = first !== null && first.states[r] === ROW_FIRST ? first.h0Offset + (r % B) * H : hPrevOffset + r * H;
    for (let k = 0; k < H; k++) {
      const a = h[hp + k];
      if (a === 0) continue;
      if (mask === null) for (let j = 0; j < G; j++) dU[k * G + j] += a * dg[go + j];
      else for (let j = 0; j < G; j++) dU[k * G + j] += a * mask(Math.floor(j / H), r % B, k) * dg[go + j];
    }
    for (let j = 0; j < G; j++) db[j] += dg[go + j];
    if (dx !== null) {
      for (let k = 0; k < D; k++) {
        let s = 0;
        for (let j = 0; j < G; j++) s += dg[go + j] * W[k * G + j];
        dx[r * D + k] = accumulateDx ? dx[r * D + k] + s : s;
      }
    }
  }
}

/** Σ x[o .. o+n)² in f64 (the order of vector.sumSquares). */
export function sumSquaresAt(x: FloatArray, o: number, n: number): number {
  let s0 = 0, s1 = 0, s2 = 0, s3 = 0, i = 0;
  for (; i + 4 <= n; i += 4) {
    s0 += x[o + i] * x[o + i];
    s1 += x[o + i + 1] * x[o + i + 1];
    s2 += x[o + i + 2] * x[o + i + 2];
    s3 += x[o + i + 3] * x[o + i + 3];
  }
  let s = (s0 + s1) + (s2 + s3);
  for (; i < n; i++) s += x[o + i] * x[o + i];
  return s;
}
