// Reference SimpleRNN in plain TypeScript over f32 or f64 arrays (f64 for the gradchecks), mirroring
// assembly/simple-rnn.ts. Legend: T steps, B batch, D input width, H units (G = H).
//   h' = act(x·W + b + h_prev·U)

import { activate, derivative } from './activations.js';
import type { FloatArray } from './float-array.js';
import {
  ACCUMULATE_DX, addMaskedRowTimesMatrix, addMaskedRowTimesTransposed, addRowTimesMatrix, addRowTimesTransposed,
  ROW_CARRY, ROW_FIRST, ROW_LEADING, isReverse, maskOf, outSlot, prevSlot, projectRows, rowStates, stepTime, sumSquaresAt,
  weightGradients, type RecurrentConfig,
} from './recurrent-common.js';

/** h (T+1, B, H) with h0 in slot 0 (T when reverse); the other slots are written. cfg.recurrentMask: (h_prev ⊙ m)·U. */
export function simpleRnnForward(h: FloatArray, x: FloatArray, W: FloatArray, U: FloatArray, b: FloatArray, cfg: RecurrentConfig): void {
  const { T, B, D, H } = cfg;
  const rev = isReverse(cfg);
  projectRows(h, (rev ? 0 : 1) * B * H, x, 0, W, b, T * B, D, H);
  const row = new Float64Array(H);
  const mask = maskOf(cfg);
  const states = rowStates(cfg), s0 = rev ? T : 0;
  for (let k = 0; k < T; k++) {
    const t = stepTime(k, T, rev);
    const ps = prevSlot(t, rev), os = outSlot(t, rev);
    for (let r = 0; r < B; r++) {
      const oo = (os * B + r) * H, st = states[t * B + r];
      const po = ((st === ROW_FIRST ? s0 : ps) * B + r) * H; // h_prev: h0 after leading masked steps
      if (st === ROW_LEADING || st === ROW_CARRY) {
        // Keras: the output repeats the previous output, 0 before the first valid step
        for (let j = 0; j < H; j++) h[oo + j] = st === ROW_CARRY ? h[po + j] : 0;
        continue;
      }
      if (mask === null) addRowTimesMatrix(h, oo, h, po, U, H, H, row);
      else addMaskedRowTimesMatrix(h, oo, h, po, U, H, H, mask, r);
      for (let j = 0; j < H; j++) h[oo + j] = activate(h[oo + j], cfg.activation);
    }
  }
}

export interface SimpleRnnGrads {
  /** (T, B, D) written, or added with ACCUMULATE_DX; null = not needed. */
  dx: FloatArray | null;
  /** Accumulated (+=). */
  dW: FloatArray;
  dU: FloatArray;
  db: FloatArray;
  /** (T, B, H) out. */
  dgates: FloatArray;
  hnorm2: FloatArray | null;
}

/** dh (T+1, B, H): upstream in the output slots; ends with dh0 in the h0 slot, totals in the output slots. */
export function simpleRnnBackward(out: SimpleRnnGrads, dh: FloatArray, x: FloatArray, W: FloatArray, U: FloatArray, h: FloatArray, cfg: RecurrentConfig): void {
  const { T, B, D, H } = cfg;
  const BH = B * H, rev = isReverse(cfg);
  const mask = maskOf(cfg);
  const h0 = rev ? T : 0;
  dh.fill(0, h0 * BH, (h0 + 1) * BH);
  const states = rowStates(cfg);
  for (let k = T - 1; k >= 0; k--) {
    const t = stepTime(k, T, rev);
    const ps = prevSlot(t, rev), os = outSlot(t, rev);
    for (let r = 0; r < B; r++) {
      const go = (t * B + r) * H, oo = (os * B + r) * H, st = states[t * B + r];
      const po = ((st === ROW_FIRST ? h0 : ps) * B + r) * H;
      if (st === ROW_LEADING || st === ROW_CARRY) {
        out.dgates.fill(0, go, go + H);
        // a carried output passes its gradient back; a leading output is the constant 0
        for (let j = 0; j < H; j++) {
          if (st === ROW_CARRY) dh[po + j] += dh[oo + j];
          else dh[oo + j] = 0;
        }
        continue;
      }
      for (let j = 0; j < H; j++) out.dgates[go + j] = dh[oo + j] * derivative(h[oo + j], cfg.activation);
      if (mask === null) addRowTimesTransposed(dh, po, out.dgates, go, U, H, H);
      else addMaskedRowTimesTransposed(dh, po, out.dgates, go, U, H, H, mask, r);
    }
    if (out.hnorm2) out.hnorm2[t] = sumSquaresAt(dh, os * BH, BH);
  }
  weightGradients(out.dx, out.dW, out.dU, out.db, out.dgates, x, W, h, (rev ? 1 : 0) * BH, T * B, D, H, H,
    (cfg.flags & ACCUMULATE_DX) !== 0, mask, B, { states, h0Offset: h0 * BH });
}

/** h (B, H): initial state in, final state out; y (T, B, H) or null; scratch (T, B, H). */
export function simpleRnnInfer(
  y: FloatArray | null, h: FloatArray, scratch: FloatArray,
  x: FloatArray, W: FloatArray, U: FloatArray, b: FloatArray, cfg: RecurrentConfig,
): void {
  const { T, B, D, H } = cfg;
  const rev = isReverse(cfg);
  projectRows(scratch, 0, x, 0, W, b, T * B, D, H);
  const row = new Float64Array(H);
  const states = rowStates(cfg);
  for (let k = 0; k < T; k++) {
    const t = stepTime(k, T, rev);
    for (let r = 0; r < B; r++) {
      const st = states[t * B + r];
      if (st === ROW_LEADING || st === ROW_CARRY) continue;
      const so = (t * B + r) * H, ro = r * H;
      addRowTimesMatrix(scratch, so, h, ro, U, H, H, row);
      for (let j = 0; j < H; j++) h[ro + j] = activate(scratch[so + j], cfg.activation);
    }
    // outputs: the state, 0 before the row's first valid step (Keras)
    if (y) for (let r = 0; r < B; r++) {
      if (states[t * B + r] === ROW_LEADING) y.fill(0, (t * B + r) * H, (t * B + r + 1) * H);
      else y.set(h.subarray(r * H, (r + 1) * H), (t * B + r) * H);
    }
  }
}
