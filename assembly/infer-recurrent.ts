// Inference-only recurrent kernels with weights packed ONCE (issue 20: streaming). Same ABI as *_infer in
// docs/recurrent-abi.md (state h, c (B, H) in and out; y (T, B, H) or 0; lengths; REVERSE / LEFT_PADDED /
// RESET_AFTER flags; activation codes), but the weights arrive already packed, so a one-step call (T = 1,
// the streaming step) costs no packing pass, and the projection runs step by step into scratch (B, S).
// Two weight forms, chosen per matrix by its scale pointer:
//   scales == 0: f32 column panels (packed-gemm packPanels). Every product is the packed GEMM that
//     lstm_infer / gru_infer / simple_rnn_infer run, and the pointwise rows are theirs (recurrent-rows.ts),
//     so results are bit-identical to the training library's predict (tested) and a T-step call
//     equals T one-step calls bit for bit (the state is the only carry).
//   scales != 0: int8 panels with per-column scales (quant-gemm.ts); qtmp holds the quantized input row.
// Legend: T steps, B batch, D input width, H units, G gate width (4H LSTM, 3H GRU, H SimpleRNN).

import { activate1, activate4 } from "./math";
import { biasAddStrided } from "./gemm-core";
import { lstmForwardRowUnits, gruForwardRowAfterUnits, gruForwardGatesBefore, gruForwardRowBefore } from "./recurrent-rows";
import { gemmPacked, packPanels } from "./packed-gemm";
import { FLAG_REVERSE, FLAG_LEFT_PADDED, FLAG_RESET_AFTER, stepTime, isValid, runEnd, copyRow } from "./recurrent-core";
import { gemmQ8 } from "./quant-gemm";

/** Packs B (K, N) with row stride ldb into f32 column panels at P (K·N floats): once per model load. */
export function infer_pack(P: usize, B: usize, ldb: i32, K: i32, N: i32): void {
  packPanels(P, B, ldb, K, N);
}

// C (M, N) stride ldc (+)= A (M, K) stride lda · W over rows [m0, m1): f32 panels (s == 0) or int8 (s != 0).
// back: the f32 panels in reverse order (same bits; packed-gemm gemmPacked), on every other step.
@inline function __product(C: usize, ldc: i32, A: usize, lda: i32, P: usize, s: usize, M: i32, N: i32, K: i32, m0: i32, m1: i32, accumulate: i32, qtmp: usize, back: bool = false): void {
  if (s == 0) gemmPacked(C, ldc, A, lda, P, M, N, K, m0, m1, accumulate, back);
  else gemmQ8(C, ldc, A, lda, P, s, M, N, K, m0, m1, accumulate, qtmp);
}

// Flips on every step of every call, so that one-step calls (streaming) alternate the panel order of their
// products as a T-step call does (packed-gemm gemmPacked "backwards"); the order never changes a bit.
let stepParity: bool = false;
@inline function __nextParity(): bool {
  stepParity = !stepParity;
  return stepParity;
}

// The input projection of step t into scratch (B, G) with row stride S: x_t·W + b (as the training kernels:
// the product, then the bias added).
@inline function __project(scratch: usize, S: i32, x: usize, t: i32, B: i32, D: i32, Wp: usize, Ws: usize, b: usize, G: i32, qtmp: usize, back: bool): void {
  __product(scratch, S, x + (<usize>t * <usize>B * <usize>D << 2), D, Wp, Ws, B, G, D, 0, B, 0, qtmp, back);
  biasAddStrided(scratch, S, b, B, G);
}

// ---- LSTM ([i | f | g | o], Keras); the rows are recurrent-rows.ts lstmForwardRow (c updated in place)

// One row's units [j0, j1) (lstmForwardRowUnits: lstmForwardRow's operations, nothing saved), c in place.
// Not inlined: infer_lstm (all units) and infer_lstm_units (a thread's units) share this one copy of the
// activations, which keeps the embedded module small (the fused-rnn/infer bundle bar).
function __lstmRow(z: usize, c: usize, hOut: usize, H: i32, j0: i32, j1: i32, act: i32, ract: i32): void {
  lstmForwardRowUnits(z, c, c, hOut, H, j0, j1, act, ract);
}

/**
 * LSTM over T steps with packed weights. h, c (B, H) state in/out; y (T, B, H) or 0; scratch (B, 4H);
 * x (T, B, D); Wp: W (D, 4H) packed, Ws its column scales (int8) or 0 (f32); Up, Us likewise for U (H, 4H);
 * b (4H); lengths (B) i32 or 0; qtmp: max(D, H) + 2 int16 (int8 weights only).
 */
export function infer_lstm(
  y: usize, h: usize, c: usize, scratch: usize, qtmp: usize,
  x: usize, Wp: usize, Ws: usize, Up: usize, Us: usize, b: usize, lengths: usize,
  T: i32, B: i32, D: i32, H: i32, flags: i32, activation: i32, recurrentActivation: i32
): void {
  const G = H << 2;
  const reverse = (flags & FLAG_REVERSE) != 0;
  const left = (flags & FLAG_LEFT_PADDED) != 0;
  for (let k = 0; k < T; k++) {
    const t = stepTime(k, T, reverse);
    const back = __nextParity();
    __project(scratch, G, x, t, B, D, Wp, Ws, b, G, qtmp, back);
    let b0 = 0;
    while (b0 < B) {
      const b1 = runEnd(lengths, b0, B, t, T, left);
      if (isValid(lengths, b0, t, T, left)) {
        __product(scratch, G, h, H, Up, Us, B, G, H, b0, b1, 1, qtmp, back);
        for (let r = b0; r < b1; r++) {
          const rh = <usize>r * <usize>H << 2;
          __lstmRow(scratch + (<usize>r * <usize>G << 2), c + rh, h + rh, H, 0, H, activation, recurrentActivation);
        }
      }
      b0 = b1;
    }
    if (y != 0) copyRow(y + (<usize>t * <usize>(B * H) << 2), h, B * H);
  }
}

// One row's units [j0, j1) of the reset-after GRU (gruForwardRowAfterUnits: gruForwardRowAfter's operations,
// nothing saved). Not inlined, for the reason of __lstmRow: infer_gru and infer_gru_units share one copy.
function __gruRowAfter(g: usize, hp: usize, ho: usize, brn: usize, H: i32, j0: i32, j1: i32, act: i32, ract: i32): void {
  gruForwardRowAfterUnits(g, hp, ho, brn, H, j0, j1, act, ract);
}

// ---- GRU ([z | r | n], Keras; both reset_after variants). Scratch rows (4H): [z | r | n | hn]; the rows are
// recurrent-rows.ts gruForwardRowAfter / gruForwardGatesBefore + gruForwardRowBefore (h updated in place).

/**
 * GRU over T steps with packed weights. h (B, H) state in/out; y (T, B, H) or 0; scratch (B, 4H);
 * x (T, B, D); Wp/Ws: W (D, 3H); Pzr/Szr: U[:, 0:2H]; Pn/Sn: U[:, 2H:3H] (packed separately, as gru.ts does);
 * b (3H), or (2, 3H) = [b_i; b_r] with RESET_AFTER; lengths (B) i32 or 0; qtmp as infer_lstm.
 */
export function infer_gru(
  y: usize, h: usize, scratch: usize, qtmp: usize,
  x: usize, Wp: usize, Ws: usize, Pzr: usize, Szr: usize, Pn: usize, Sn: usize, b: usize, lengths: usize,
  T: i32, B: i32, D: i32, H: i32, flags: i32, activation: i32, recurrentActivation: i32
): void {
  const G = 3 * H, S = H << 2;
  const H4 = <usize>H << 2, S4 = <usize>S << 2;
  const reverse = (flags & FLAG_REVERSE) != 0;
  const left = (flags & FLAG_LEFT_PADDED) != 0;
  const resetAfter = (flags & FLAG_RESET_AFTER) != 0;
  const brn = b + (<usize>(5 * H) << 2);
  for (let k = 0; k < T; k++) {
    const t = stepTime(k, T, reverse);
    const back = __nextParity();
    // The projection into blocks 1-3: x·W + b_i (+ b_r on z|r with resetAfter), as gru.ts __project.
    __project(scratch, S, x, t, B, D, Wp, Ws, b, G, qtmp, back);
    if (resetAfter) biasAddStrided(scratch, S, b + (<usize>G << 2), B, 2 * H);
    let b0 = 0;
    while (b0 < B) {
      const b1 = runEnd(lengths, b0, B, t, T, left);
      if (isValid(lengths, b0, t, T, left)) {
        __product(scratch, S, h, H, Pzr, Szr, B, 2 * H, H, b0, b1, 1, qtmp, back); // z|r += h·U_zr
        if (resetAfter) {
          __product(scratch + 3 * H4, S, h, H, Pn, Sn, B, H, H, b0, b1, 0, qtmp, back); // hn = h·U_n
          for (let r = b0; r < b1; r++) __gruRowAfter(scratch + <usize>r * S4, h + <usize>r * H4, h + <usize>r * H4, brn, H, 0, H, activation, recurrentActivation);
        } else {
          for (let r = b0; r < b1; r++) gruForwardGatesBefore(scratch + <usize>r * S4, h + <usize>r * H4, H, recurrentActivation);
          __product(scratch + 2 * H4, S, scratch + 3 * H4, S, Pn, Sn, B, H, H, b0, b1, 1, qtmp, back); // n += (r⊙h)·U_n
          for (let r = b0; r < b1; r++) gruForwardRowBefore(scratch + <usize>r * S4, h + <usize>r * H4, h + <usize>r * H4, H, activation, false);
        }
      }
      b0 = b1;
    }
    if (y != 0) copyRow(y + (<usize>t * <usize>(B * H) << 2), h, B * H);
  }
}

// ---- SimpleRNN: h' = act(x·W + b + h·U)

/**
 * SimpleRNN over T steps with packed weights. h (B, H) state in/out; y (T, B, H) or 0; scratch (B, H);
 * Wp/Ws: W (D, H); Up/Us: U (H, H); b (H); lengths (B) i32 or 0; qtmp as infer_lstm.
 */
export function infer_simple_rnn(
  y: usize, h: usize, scratch: usize, qtmp: usize,
  x: usize, Wp: usize, Ws: usize, Up: usize, Us: usize, b: usize, lengths: usize,
  T: i32, B: i32, D: i32, H: i32, flags: i32, activation: i32
): void {
  const reverse = (flags & FLAG_REVERSE) != 0;
  const left = (flags & FLAG_LEFT_PADDED) != 0;
  for (let k = 0; k < T; k++) {
    const t = stepTime(k, T, reverse);
    const back = __nextParity();
    __project(scratch, H, x, t, B, D, Wp, Ws, b, H, qtmp, back);
    let b0 = 0;
    while (b0 < B) {
      const b1 = runEnd(lengths, b0, B, t, T, left);
      if (isValid(lengths, b0, t, T, left)) {
        __product(scratch, H, h, H, Up, Us, B, H, H, b0, b1, 1, qtmp, back);
        const o = <usize>b0 * <usize>H << 2;
        const n = (b1 - b0) * H;
        let j = 0;
        if (ASC_FEATURE_SIMD) {
          for (; j + 4 <= n; j += 4) {
            const q = o + (<usize>j << 2);
            v128.store(h + q, activate4(v128.load(scratch + q), activation));
          }
        }
        for (; j < n; j++) {
          const q = o + (<usize>j << 2);
          store<f32>(h + q, activate1(load<f32>(scratch + q), activation));
        }
      }
      b0 = b1;
    }
    if (y != 0) copyRow(y + (<usize>t * <usize>(B * H) << 2), h, B * H);
  }
}

// ---- Threaded streaming (bindings/infer-threads.ts): one thread's share of an LSTM step, split by UNITS

// Flips on every call of this instance, as stepParity (a helper's instance has its own): the panels a
// thread read last, still in its L2, are the first it reads again.
let unitsParity: bool = false;

/**
 * One thread's share of ONE LSTM step (T = 1) with f32 panels: units [u0, u1) (multiples of 32, the panel
 * width, so that each gate's column range [g·H + u0, g·H + u1) is a run of whole panels; H % 32 == 0).
 * For each gate g: scratch[:, cols] = x·W[:, cols] + b[cols], then += h·U[:, cols] (the valid rows), then
 * the pointwise rows of units [u0, u1): c updated in place, the new h written to hOut (B, H), NOT to h,
 * which the other threads are still reading for their products; masked rows copy h into hOut. The caller
 * copies hOut into h once every share is done. Every column is the same panel sum as infer_lstm's, and the
 * rows are lstmForwardRow's operations on a unit range, so the result is bit-identical to a one-step
 * infer_lstm whatever the split (tested).
 */
export function infer_lstm_units(
  hOut: usize, h: usize, c: usize, scratch: usize, x: usize, Wp: usize, Up: usize, b: usize, lengths: usize,
  B: i32, D: i32, H: i32, u0: i32, u1: i32, flags: i32, activation: i32, recurrentActivation: i32
): void {
  const G = H << 2, n = u1 - u0;
  const left = (flags & FLAG_LEFT_PADDED) != 0;
  unitsParity = !unitsParity;
  const back = unitsParity;
  for (let g = 0; g < 4; g++) {
    const col = g * H + u0;
    gemmPacked(scratch + (<usize>col << 2), G, x, D, Wp + (<usize>col * <usize>D << 2), B, n, D, 0, B, 0, back);
    biasAddStrided(scratch + (<usize>col << 2), G, b + (<usize>col << 2), B, n);
  }
  let b0 = 0;
  while (b0 < B) {
    const b1 = runEnd(lengths, b0, B, 0, 1, left);
    if (isValid(lengths, b0, 0, 1, left)) {
      for (let g = 0; g < 4; g++) {
        const col = g * H + u0;
        gemmPacked(scratch + (<usize>col << 2), G, h, H, Up + (<usize>col * <usize>H << 2), B, n, H, b0, b1, 1, back);
      }
      for (let r = b0; r < b1; r++) {
        const rh = <usize>r * <usize>H << 2;
        __lstmRow(scratch + (<usize>r * <usize>G << 2), c + rh, hOut + rh, H, u0, u1, activation, recurrentActivation);
      }
    } else {
      for (let r = b0; r < b1; r++) {
        const o = (<usize>r * <usize>H + <usize>u0) << 2;
        copyRow(hOut + o, h + o, n);
      }
    }
    b0 = b1;
  }
}

/**
 * One thread's share of ONE reset-after GRU step (T = 1, f32 panels), as infer_lstm_units: units [u0, u1)
 * (multiples of 32, H % 32 == 0). Scratch rows (4H) as infer_gru: for each block (z, r, n) its columns
 * [k·H + u0, k·H + u1) = x·W + b_i (+ b_r on z, r), then z, r += h·U_zr (Pzr: U[:, 0:2H]) and hn = h·U_n (Pn)
 * over the valid rows, then the rows of units [u0, u1) with the new h written to hOut (masked rows: h copied).
 * Bit-identical to a one-step infer_gru (every column the same sum in the same order).
 */
export function infer_gru_units(
  hOut: usize, h: usize, scratch: usize, x: usize, Wp: usize, Pzr: usize, Pn: usize, b: usize, lengths: usize,
  B: i32, D: i32, H: i32, u0: i32, u1: i32, flags: i32, activation: i32, recurrentActivation: i32
): void {
  const G = 3 * H, S = H << 2, n = u1 - u0;
  const H4 = <usize>H << 2, S4 = <usize>S << 2;
  const left = (flags & FLAG_LEFT_PADDED) != 0;
  unitsParity = !unitsParity;
  const back = unitsParity;
  for (let k = 0; k < 3; k++) {
    const col = k * H + u0;
    gemmPacked(scratch + (<usize>col << 2), S, x, D, Wp + (<usize>col * <usize>D << 2), B, n, D, 0, B, 0, back);
    biasAddStrided(scratch + (<usize>col << 2), S, b + (<usize>col << 2), B, n);
  }
  for (let k = 0; k < 2; k++) {
    const col = k * H + u0;
    biasAddStrided(scratch + (<usize>col << 2), S, b + (<usize>(G + col) << 2), B, n);
  }
  const brn = b + (<usize>(5 * H) << 2);
  let b0 = 0;
  while (b0 < B) {
    const b1 = runEnd(lengths, b0, B, 0, 1, left);
    if (isValid(lengths, b0, 0, 1, left)) {
      for (let k = 0; k < 2; k++) {
        const col = k * H + u0;
        gemmPacked(scratch + (<usize>col << 2), S, h, H, Pzr + (<usize>col * <usize>H << 2), B, n, H, b0, b1, 1, back);
      }
      gemmPacked(scratch + 3 * H4 + (<usize>u0 << 2), S, h, H, Pn + (<usize>u0 * <usize>H << 2), B, n, H, b0, b1, 0, back);
      for (let r = b0; r < b1; r++) __gruRowAfter(scratch + <usize>r * S4, h + <usize>r * H4, hOut + <usize>r * H4, brn, H, u0, u1, activation, recurrentActivation);
    } else {
      for (let r = b0; r < b1; r++) {
        const o = (<usize>r * <usize>H + <usize>u0) << 2;
        copyRow(hOut + o, h + o, n);
      }
    }
    b0 = b1;
  }
}
