// Reference LSTM in plain TypeScript over f32 or f64 arrays (f64 for the gradchecks), written step by step
// to mirror assembly/lstm.ts: same slots, masking, flags and outputs. Exact activations (f64 Math).
// Legend: T steps, B batch, D input width, H units, G = 4H; gate order [i | f | c(g) | o].
//   i, f, o = ra(z), g = act(z), z = x·W + b + h_prev·U;  c' = f·c + i·g;  h' = o·act(c')

import { activate, derivative } from './activations.js';
import type { FloatArray } from './float-array.js';
import {
  ACCUMULATE_DX, addMaskedRowTimesMatrix, addMaskedRowTimesTransposed, addRowTimesMatrix, addRowTimesTransposed,
  ROW_CARRY, ROW_FIRST, ROW_LEADING, isReverse, maskOf, outSlot, prevSlot, projectRows, rowStates, stepTime, sumSquaresAt,
  weightGradients, type RecurrentConfig,
} from './recurrent-common.js';

/**
 * h, c (T+1, B, H) with the initial state in slot 0 (T when reverse); gates (T, B, 4H) out. With
 * cfg.recurrentMask the recurrent product is (h_prev ⊙ m_k)·U_k per gate block k (Keras recurrent_dropout).
 */
export function lstmForward(
  h: FloatArray, c: FloatArray, gates: FloatArray,
  x: FloatArray, W: FloatArray, U: FloatArray, b: FloatArray, cfg: RecurrentConfig,
): void {
  const { T, B, D, H } = cfg;
  const G = 4 * H, rev = isReverse(cfg);
  projectRows(gates, 0, x, 0, W, b, T * B, D, G);
  const row = new Float64Array(G);
  const mask = maskOf(cfg);
  const states = rowStates(cfg), s0 = rev ? T : 0;
  for (let k = 0; k < T; k++) {
    const t = stepTime(k, T, rev);
    const ps = prevSlot(t, rev), os = outSlot(t, rev);
    for (let r = 0; r < B; r++) {
      const go = (t * B + r) * G, po = (ps * B + r) * H, oo = (os * B + r) * H;
      const st = states[t * B + r];
      if (st === ROW_LEADING || st === ROW_CARRY) {
        // Keras: the output repeats the previous output, 0 before the first valid step; the state is carried.
        for (let j = 0; j < H; j++) { h[oo + j] = st === ROW_CARRY ? h[po + j] : 0; c[oo + j] = c[po + j]; }
        gates.fill(0, go, go + G);
        continue;
      }
      const hp = st === ROW_FIRST ? (s0 * B + r) * H : po; // h_prev: h0 after leading masked steps
      if (mask === null) addRowTimesMatrix(gates, go, h, hp, U, H, G, row);
      else addMaskedRowTimesMatrix(gates, go, h, hp, U, H, G, mask, r);
      for (let j = 0; j < H; j++) {
        const i = activate(gates[go + j], cfg.recurrentActivation);
        const f = activate(gates[go + H + j], cfg.recurrentActivation);
        const g = activate(gates[go + 2 * H + j], cfg.activation);
        const o = activate(gates[go + 3 * H + j], cfg.recurrentActivation);
        gates[go + j] = i; gates[go + H + j] = f; gates[go + 2 * H + j] = g; gates[go + 3 * H + j] = o;
        c[oo + j] = f * c[po + j] + i * g;
        h[oo + j] = o * activate(c[oo + j], cfg.activation);
      }
    }
  }
}

/** What lstmBackward writes (see assembly/lstm.ts lstm_backward). */
export interface LstmGrads {
  /** (T, B, D) written, or added with ACCUMULATE_DX; null = not needed. */
  dx: FloatArray | null;
  /** Accumulated (+=). */
  dW: FloatArray;
  dU: FloatArray;
  db: FloatArray;
  /** (B, H) out. */
  dc0: FloatArray;
  /** (T, B, 4H) out. */
  dgates: FloatArray;
  hnorm2: FloatArray | null;
  cnorm2: FloatArray | null;
  /** Tests only: (T, B, H) receives the total dL/dc_t by time. */
  dcTotal?: FloatArray | null;
}

/**
 * dh (T+1, B, H): upstream in the output slots; ends with dh0 in the h0 slot and the total dL/dh_t in the
 * output slots. dc (B, H): the upstream dL/d(final c) in; scratch afterwards.
 */
export function lstmBackward(
  out: LstmGrads, dh: FloatArray, dc: FloatArray,
  x: FloatArray, W: FloatArray, U: FloatArray, gates: FloatArray, c: FloatArray, h: FloatArray, cfg: RecurrentConfig,
): void {
  const { T, B, D, H } = cfg;
  const G = 4 * H, BH = B * H, rev = isReverse(cfg);
  const ra = cfg.recurrentActivation, act = cfg.activation;
  const mask = maskOf(cfg);
  const h0 = rev ? T : 0;
  dh.fill(0, h0 * BH, (h0 + 1) * BH);
  let cur: FloatArray = dc;
  let next: FloatArray = new (dc.constructor as Float64ArrayConstructor)(BH);
  const states = rowStates(cfg);
  for (let k = T - 1; k >= 0; k--) {
    const t = stepTime(k, T, rev);
    const ps = prevSlot(t, rev), os = outSlot(t, rev);
    for (let r = 0; r < B; r++) {
      const go = (t * B + r) * G, oo = (os * B + r) * H, ro = r * H;
      const st = states[t * B + r];
      const po = ((st === ROW_FIRST ? h0 : ps) * B + r) * H;
      if (st === ROW_LEADING || st === ROW_CARRY) {
        out.dgates.fill(0, go, go + G);
        for (let j = 0; j < H; j++) {
          // a carried output passes its gradient back; a leading output is the constant 0
          if (st === ROW_CARRY) dh[po + j] += dh[oo + j];
          else dh[oo + j] = 0;
          next[ro + j] = cur[ro + j];
        }
        continue;
      }
      for (let j = 0; j < H; j++) {
        const i = gates[go + j], f = gates[go + H + j], g = gates[go + 2 * H + j], o = gates[go + 3 * H + j];
        const tc = activate(c[oo + j], act);
        const dhv = dh[oo + j];
        const dct = cur[ro + j] + dhv * o * derivative(tc, act);
        cur[ro + j] = dct;
        next[ro + j] = dct * f;
        out.dgates[go + j] = dct * g * derivative(i, ra);
        out.dgates[go + H + j] = dct * c[po + j] * derivative(f, ra);
        out.dgates[go + 2 * H + j] = dct * i * derivative(g, act);
        out.dgates[go + 3 * H + j] = dhv * tc * derivative(o, ra);
      }
      if (mask === null) addRowTimesTransposed(dh, po, out.dgates, go, U, H, G);
      else addMaskedRowTimesTransposed(dh, po, out.dgates, go, U, H, G, mask, r);
    }
    if (out.hnorm2) out.hnorm2[t] = sumSquaresAt(dh, os * BH, BH);
    if (out.cnorm2) out.cnorm2[t] = sumSquaresAt(cur, 0, BH);
    if (out.dcTotal) out.dcTotal.set(cur.subarray(0, BH), t * BH);
    const swap = cur;
    cur = next;
    next = swap;
  }
  out.dc0.set(cur.subarray(0, BH));
  weightGradients(out.dx, out.dW, out.dU, out.db, out.dgates, x, W, h, (rev ? 1 : 0) * BH, T * B, D, H, G,
    (cfg.flags & ACCUMULATE_DX) !== 0, mask, B, { states, h0Offset: h0 * BH });
}

/** h, c (B, H): initial state in, final state out; y (T, B, H) or null; scratch (T, B, 4H). */
export function lstmInfer(
  y: FloatArray | null, h: FloatArray, c: FloatArray, scratch: FloatArray,
  x: FloatArray, W: FloatArray, U: FloatArray, b: FloatArray, cfg: RecurrentConfig,
): void {
  const { T, B, D, H } = cfg;
  const G = 4 * H, rev = isReverse(cfg);
  projectRows(scratch, 0, x, 0, W, b, T * B, D, G);
  const row = new Float64Array(G);
  const states = rowStates(cfg);
  for (let k = 0; k < T; k++) {
    const t = stepTime(k, T, rev);
    for (let r = 0; r < B; r++) {
      const st = states[t * B + r];
      if (y) y.fill(0, (t * B + r) * H, (t * B + r + 1) * H);
      if (st === ROW_LEADING || st === ROW_CARRY) continue;
      const go = (t * B + r) * G, ro = r * H;
      addRowTimesMatrix(scratch, go, h, ro, U, H, G, row);
      for (let j = 0; j < H; j++) {
        const i = activate(scratch[go + j], cfg.recurrentActivation);
        const f = activate(scratch[go + H + j], cfg.recurrentActivation);
        const g = activate(scratch[go + 2 * H + j], cfg.activation);
        const o = activate(scratch[go + 3 * H + j], cfg.recurrentActivation);
        c[ro + j] = f * c[ro + j] + i * g;
        h[ro + j] = o * activate(c[ro + j], cfg.activation);
      }
    }
    // outputs: the state, 0 before the row's first valid step (Keras)
    if (y) for (let r = 0; r < B; r++) if (states[t * B + r] !== ROW_LEADING) y.set(h.subarray(r * H, (r + 1) * H), (t * B + r) * H);
  }
}
