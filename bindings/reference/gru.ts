// Reference GRU (Keras semantics) in plain TypeScript over f32 or f64 arrays: the oracle for the wasm
// kernels and the JS backend. Same ABI as assembly/gru.ts (docs/recurrent-abi.md), written as plain loops
// per (step, row) so it shares no structure with the fused kernels; backward derivation in docs/gru.md.
// Legend: T steps, B batch, D input width, H units; gate blocks [z | r | n], G = 3H; saved S = 4H.
//   resetAfter:  z, r = σ(x·W + b_i + h·U + b_r);  hn = h·U_n + b_rn;  n = act(x·W_n + b_in + r ⊙ hn)
//   !resetAfter: z, r = σ(x·W + b + h·U);          hn = r ⊙ h;         n = act(x·W_n + b_n + hn·U_n)
//   h' = z ⊙ h + (1 − z) ⊙ n;  saved gates (T, B, 4H) = [z | r | n | hn];
//   dgates (T, B, 4H) = [dz_pre | dr_pre | dn_pre | dn_rec]  (dn_rec = r ⊙ dn_pre resp. dn_pre).
// Recurrent dropout (cfg.recurrentMask, m_z, m_r, m_n per block or one shared m): h_prev ⊙ m_k replaces h_prev
// in block k's recurrent product only (resetAfter: hn = (h ⊙ m_n)·U_n + b_rn; else hn = r ⊙ (h ⊙ m_n)).
const ONE: MaskAt = () => 1;

import { activate, derivative } from './activations.js';
import type { FloatArray } from './float-array.js';
import {
  ACCUMULATE_DX, RESET_AFTER, ROW_CARRY, ROW_FIRST, ROW_LEADING, isReverse, maskOf, outSlot, prevSlot, rowStates, stepTime,
  sumSquaresAt, type MaskAt,
  type RecurrentConfig,
} from './recurrent-common.js';

/**
 * One step for one batch row: reads hp (H) at hp0, writes hOut (H) at ho0 and the saved gates row (4H)
 * at g0. xRow (D) at x0. m: the recurrent dropout mask (ONE = none), bi the batch row. f64 accumulation.
 */
function stepRow(
  hOut: FloatArray, ho0: number, hp: FloatArray, hp0: number, g: FloatArray, g0: number,
  x: FloatArray, x0: number, W: FloatArray, U: FloatArray, b: FloatArray,
  D: number, H: number, resetAfter: boolean, act: number, ract: number, m: MaskAt, bi: number,
): void {
  const G = 3 * H;
  const pre = new Float64Array(G); // x·W + b_i, then + h·U (+ b_r) on the z|r blocks
  for (let j = 0; j < G; j++) {
    let s = 0;
    for (let k = 0; k < D; k++) s += x[x0 + k] * W[k * G + j];
    pre[j] = s + b[j];
  }
  const z = new Float64Array(H), r = new Float64Array(H), hn = new Float64Array(H);
  for (let j = 0; j < 2 * H; j++) {
    let s = 0;
    for (let k = 0; k < H; k++) s += hp[hp0 + k] * m(j < H ? 0 : 1, bi, k) * U[k * G + j];
    pre[j] += s + (resetAfter ? b[G + j] : 0);
  }
  for (let j = 0; j < H; j++) {
    z[j] = activate(pre[j], ract);
    r[j] = activate(pre[H + j], ract);
  }
  if (resetAfter) {
    for (let j = 0; j < H; j++) {
      let s = 0;
      for (let k = 0; k < H; k++) s += hp[hp0 + k] * m(2, bi, k) * U[k * G + 2 * H + j];
      hn[j] = s + b[G + 2 * H + j];
    }
  } else {
    for (let j = 0; j < H; j++) hn[j] = r[j] * (hp[hp0 + j] * m(2, bi, j));
  }
  for (let j = 0; j < H; j++) {
    let npre: number;
    if (resetAfter) {
      npre = pre[2 * H + j] + r[j] * hn[j];
    } else {
      let s = 0;
      for (let k = 0; k < H; k++) s += hn[k] * U[k * G + 2 * H + j];
      npre = pre[2 * H + j] + s;
    }
    const n = activate(npre, act);
    g[g0 + j] = z[j];
    g[g0 + H + j] = r[j];
    g[g0 + 2 * H + j] = n;
    g[g0 + 3 * H + j] = hn[j];
    hOut[ho0 + j] = z[j] * hp[hp0 + j] + (1 - z[j]) * n;
  }
}

/**
 * Training forward over a whole sequence. h (T+1, B, H): h0 in slot 0 (slot T with REVERSE); gates (T, B, 4H)
 * out, zero rows at masked steps. x (T, B, D), W (D, 3H), U (H, 3H), b (3H) or (2, 3H) with RESET_AFTER.
 */
export function gruForward(
  h: FloatArray, gates: FloatArray, x: FloatArray, W: FloatArray, U: FloatArray, b: FloatArray, cfg: RecurrentConfig,
): void {
  const { T, B, D, H, activation, recurrentActivation } = cfg;
  const reverse = isReverse(cfg), resetAfter = (cfg.flags & RESET_AFTER) !== 0;
  const BH = B * H, S = 4 * H;
  const m = maskOf(cfg) ?? ONE;
  const states = rowStates(cfg), s0 = reverse ? T : 0;
  for (let k = 0; k < T; k++) {
    const t = stepTime(k, T, reverse);
    const ps = prevSlot(t, reverse), os = outSlot(t, reverse);
    for (let bi = 0; bi < B; bi++) {
      const st = states[t * B + bi];
      // h_prev: the h0 slot at the first valid step after leading masked steps
      const ho0 = os * BH + bi * H, hp0 = (st === ROW_FIRST ? s0 : ps) * BH + bi * H, g0 = (t * B + bi) * S;
      if (st === ROW_LEADING || st === ROW_CARRY) {
        // Keras: the output repeats the previous output, 0 before the first valid step
        for (let j = 0; j < H; j++) h[ho0 + j] = st === ROW_CARRY ? h[hp0 + j] : 0;
        gates.fill(0, g0, g0 + S);
        continue;
      }
      stepRow(h, ho0, h, hp0, gates, g0, x, (t * B + bi) * D, W, U, b, D, H, resetAfter, activation, recurrentActivation, m, bi);
    }
  }
}

/**
 * Inference forward: h (B, H) is the state (initial in, final out); y (T, B, H) the outputs or null. The
 * kernel's (T, B, 4H) scratch has no counterpart here (the reference keeps one row of gates).
 */
export function gruInfer(
  y: FloatArray | null, h: FloatArray, x: FloatArray, W: FloatArray, U: FloatArray, b: FloatArray, cfg: RecurrentConfig,
): void {
  const { T, B, D, H, activation, recurrentActivation } = cfg;
  const reverse = isReverse(cfg), resetAfter = (cfg.flags & RESET_AFTER) !== 0;
  const g = new Float64Array(4 * H), hp = new Float64Array(H);
  const states = rowStates(cfg);
  for (let k = 0; k < T; k++) {
    const t = stepTime(k, T, reverse);
    for (let bi = 0; bi < B; bi++) {
      const st = states[t * B + bi];
      if (st !== ROW_LEADING && st !== ROW_CARRY) {
        for (let j = 0; j < H; j++) hp[j] = h[bi * H + j];
        stepRow(h, bi * H, hp, 0, g, 0, x, (t * B + bi) * D, W, U, b, D, H, resetAfter, activation, recurrentActivation, ONE, bi);
      }
      // outputs: the state, 0 before the row's first valid step (Keras)
      if (y) for (let j = 0; j < H; j++) y[(t * B + bi) * H + j] = st === ROW_LEADING ? 0 : h[bi * H + j];
    }
  }
}

/**
 * Backward over the whole sequence. dh (T+1, B, H): upstream gradient in the output slots in; out: total
 * dL/dh_t in every output slot and dh0 in the h0 slot. dW (D, 3H), dU (H, 3H), db (3H | 2·3H) accumulate;
 * dgates (T, B, 4H) written; dx (T, B, D) written (or accumulated with ACCUMULATE_DX; null = not needed);
 * hnorm2 (T) = ‖dL/dh_t‖² (null = not needed).
 */
export function gruBackward(
  dx: FloatArray | null, dW: FloatArray, dU: FloatArray, db: FloatArray, dgates: FloatArray, hnorm2: FloatArray | null,
  dh: FloatArray, x: FloatArray, W: FloatArray, U: FloatArray, gates: FloatArray, h: FloatArray, cfg: RecurrentConfig,
): void {
  const { T, B, D, H, activation, recurrentActivation } = cfg;
  const reverse = isReverse(cfg), resetAfter = (cfg.flags & RESET_AFTER) !== 0;
  const accDx = (cfg.flags & ACCUMULATE_DX) !== 0;
  const BH = B * H, S = 4 * H, G = 3 * H;
  const h0Slot = reverse ? T : 0;
  dh.fill(0, h0Slot * BH, (h0Slot + 1) * BH);
  const rec = new Float64Array(G); // gradient of the recurrent pre-activation [z | r | n] of one row
  const m = maskOf(cfg) ?? ONE;
  const states = rowStates(cfg);

  for (let k = T - 1; k >= 0; k--) {
    const t = stepTime(k, T, reverse);
    const ps = prevSlot(t, reverse), os = outSlot(t, reverse);
    for (let bi = 0; bi < B; bi++) {
      const st = states[t * B + bi];
      const ho0 = os * BH + bi * H, hp0 = (st === ROW_FIRST ? h0Slot : ps) * BH + bi * H, g0 = (t * B + bi) * S;
      if (st === ROW_LEADING || st === ROW_CARRY) {
        // a carried output passes its gradient back; a leading output is the constant 0
        for (let j = 0; j < H; j++) {
          if (st === ROW_CARRY) dh[hp0 + j] += dh[ho0 + j];
          else dh[ho0 + j] = 0;
        }
        dgates.fill(0, g0, g0 + S);
        continue;
      }
      const dhp = new Float64Array(H);
      for (let j = 0; j < H; j++) {
        const d = dh[ho0 + j], z = gates[g0 + j], n = gates[g0 + 2 * H + j], hp = h[hp0 + j];
        const dnPre = d * (1 - z) * derivative(n, activation);
        dgates[g0 + j] = d * (hp - n) * derivative(z, recurrentActivation);
        dgates[g0 + 2 * H + j] = dnPre;
        dhp[j] = d * z;
      }
      if (resetAfter) {
        for (let j = 0; j < H; j++) {
          const r = gates[g0 + H + j], hn = gates[g0 + 3 * H + j], dnPre = dgates[g0 + 2 * H + j];
          dgates[g0 + H + j] = dnPre * hn * derivative(r, recurrentActivation);
          dgates[g0 + 3 * H + j] = dnPre * r;
        }
      } else {
        // d(r ⊙ h) = dn_pre · U_nᵀ, then through r and h
        for (let k = 0; k < H; k++) {
          let drh = 0;
          for (let j = 0; j < H; j++) drh += dgates[g0 + 2 * H + j] * U[k * G + 2 * H + j];
          const r = gates[g0 + H + k];
          dgates[g0 + H + k] = drh * (h[hp0 + k] * m(2, bi, k)) * derivative(r, recurrentActivation);
          dhp[k] += drh * r * m(2, bi, k);
        }
        for (let j = 0; j < H; j++) dgates[g0 + 3 * H + j] = dgates[g0 + 2 * H + j];
      }
      // recurrent pre-activation gradient: [dz_pre | dr_pre | (resetAfter ? dn_rec : 0)]
      for (let j = 0; j < 2 * H; j++) rec[j] = dgates[g0 + j];
      for (let j = 0; j < H; j++) rec[2 * H + j] = resetAfter ? dgates[g0 + 3 * H + j] : 0;
      for (let k = 0; k < H; k++) {
        let q = dhp[k];
        for (let j = 0; j < G; j++) q += rec[j] * U[k * G + j] * m(Math.floor(j / H), bi, k);
        dh[hp0 + k] += q;
      }
    }
    if (hnorm2) hnorm2[t] = sumSquaresAt(dh, os * BH, BH);
  }

  // Weight gradients over all T·B rows, summed in f64 and added once; h_prev rows are slots 0..T-1
  // (forward) or 1..T (reverse).
  const hPrev0 = reverse ? BH : 0;
  const TB = T * B;
  const gW = new Float64Array(D * G), gU = new Float64Array(H * G), gb = new Float64Array(db.length);
  for (let i = 0; i < TB; i++) {
    const g0 = i * S;
    for (let k = 0; k < D; k++) {
      const xv = x[i * D + k];
      for (let j = 0; j < G; j++) gW[k * G + j] += xv * dgates[g0 + j];
    }
    const bi = i % B;
    const hpi = states[i] === ROW_FIRST ? h0Slot * BH + bi * H : hPrev0 + i * H; // h_prev of row i
    for (let k = 0; k < H; k++) {
      const hv = h[hpi + k];
      const nIn = resetAfter ? hv * m(2, bi, k) : gates[g0 + 3 * H + k]; // the left factor of the n-block GEMM
      for (let j = 0; j < 2 * H; j++) gU[k * G + j] += hv * m(j < H ? 0 : 1, bi, k) * dgates[g0 + j];
      for (let j = 0; j < H; j++) gU[k * G + 2 * H + j] += nIn * dgates[g0 + 3 * H + j];
    }
    for (let j = 0; j < G; j++) gb[j] += dgates[g0 + j];
    if (resetAfter) {
      for (let j = 0; j < 2 * H; j++) gb[G + j] += dgates[g0 + j];
      for (let j = 0; j < H; j++) gb[G + 2 * H + j] += dgates[g0 + 3 * H + j];
    }
    if (dx) {
      for (let k = 0; k < D; k++) {
        let q = 0;
        for (let j = 0; j < G; j++) q += dgates[g0 + j] * W[k * G + j];
        dx[i * D + k] = accDx ? dx[i * D + k] + q : q;
      }
    }
  }
  for (let i = 0; i < gW.length; i++) dW[i] += gW[i];
  for (let i = 0; i < gU.length; i++) dU[i] += gU[i];
  for (let i = 0; i < gb.length; i++) db[i] += gb[i];
}
