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
import { lstmForwardRowUnits, gruForwardRowAfterUnits, gruForwardGatesBeforeUnits, gruForwardRowBeforeUnits } from "./recurrent-rows";
import { gemmPacked, packPanels } from "./packed-gemm";
import { FLAG_REVERSE, FLAG_LEFT_PADDED, FLAG_RESET_AFTER, stepTime, isValid, runEnd, copyRow } from "./recurrent-core";
import { gemmQ8Cols } from "./quant-gemm";
import { kernelScratch } from "./heap";

/** Packs B (K, N) with row stride ldb into f32 column panels at P (K·N floats): once per model load. */
export function infer_pack(P: usize, B: usize, ldb: i32, K: i32, N: i32): void {
  packPanels(P, B, ldb, K, N);
}

// C (M, N) stride ldc (+)= A (M, K) stride lda · W over rows [m0, m1): f32 panels (s == 0) or int8 (s != 0).
// back: the f32 panels in reverse order (same bits; packed-gemm gemmPacked), on every other step.
// pre: A's rows quantized already (quant_rows) or 0.
@inline function __product(C: usize, ldc: i32, A: usize, lda: i32, P: usize, s: usize, M: i32, N: i32, K: i32, m0: i32, m1: i32, accumulate: i32, qtmp: usize, back: bool, pre: usize): void {
  if (s == 0) gemmPacked(C, ldc, A, lda, P, M, N, K, m0, m1, accumulate, back);
  else gemmQ8Cols(C, ldc, A, lda, P, s, K, m0, m1, accumulate, qtmp, N, 1, 0, N, pre);
}

// Flips on every step of every call, so that one-step calls (streaming) alternate the panel order of their
// products as a T-step call does (packed-gemm gemmPacked "backwards"); the order never changes a bit.
let stepParity: bool = false;
@inline function __nextParity(): bool {
  stepParity = !stepParity;
  return stepParity;
}

// ---- Unit ranges: every step below computes units [u0, u1) of ONE step, i.e. the columns
// {g·H + [u0, u1) : g < gates} of each product (gate blocks of H columns). The whole-layer kernels run them
// over [0, H) (one body per layer class: the bundle bar), threaded streaming over a thread's units
// (bindings/infer-threads.ts). A split range needs H % 32 == 0 and u0, u1 multiples of 32 (whole panels of
// both weight forms); every column is then the same sum as the whole product's and every unit the same
// pointwise operations, so any split gives the whole step's bits (test/infer-threads-kernels*.test.ts).

// C (+)= A · W on those columns over rows [m0, m1); W (K, gates·H) packed (f32 or int8 per s). [0, H) is
// one product over all gates·H columns (any H), as the whole-layer kernels always ran it.
function __productCols(C: usize, ldc: i32, A: usize, lda: i32, P: usize, s: usize, M: i32, K: i32, H: i32, gates: i32, u0: i32, u1: i32, m0: i32, m1: i32, accumulate: i32, qtmp: usize, back: bool, pre: usize): void {
  if (u1 - u0 == H) {
    __product(C, ldc, A, lda, P, s, M, gates * H, K, m0, m1, accumulate, qtmp, back, pre);
  } else if (s != 0) {
    gemmQ8Cols(C, ldc, A, lda, P, s, K, m0, m1, accumulate, qtmp, H, gates, u0, u1, pre); // each row quantized once
  } else {
    for (let g = 0; g < gates; g++) {
      const col = g * H + u0;
      gemmPacked(C + (<usize>col << 2), ldc, A, lda, P + (<usize>col * <usize>K << 2), M, u1 - u0, K, m0, m1, accumulate, back);
    }
  }
}

// The input projection of those columns into scratch (B, gates·H) with row stride S: x_t·W + b (as the
// training kernels: the product, then the bias added).
function __projectCols(scratch: usize, S: i32, xt: usize, B: i32, D: i32, Wp: usize, Ws: usize, b: usize, H: i32, gates: i32, u0: i32, u1: i32, qtmp: usize, back: bool, preX: usize): void {
  __productCols(scratch, S, xt, D, Wp, Ws, B, D, H, gates, u0, u1, 0, B, 0, qtmp, back, preX);
  __biasCols(scratch, S, b, B, H, gates, u0, u1);
}

// C[:, cols] += b[cols] over B rows (per element: the split never changes a bit).
function __biasCols(C: usize, ldc: i32, b: usize, B: i32, H: i32, gates: i32, u0: i32, u1: i32): void {
  for (let g = 0; g < gates; g++) {
    const o = <usize>(g * H + u0) << 2;
    biasAddStrided(C + o, ldc, b + o, B, u1 - u0);
  }
}

// Masked rows [b0, b1) carry h: their units copied into hOut (nothing to do when hOut is h).
function __carryUnits(hOut: usize, h: usize, H: i32, b0: i32, b1: i32, u0: i32, u1: i32): void {
  if (hOut == h) return;
  for (let r = b0; r < b1; r++) {
    const o = (<usize>r * <usize>H + <usize>u0) << 2;
    copyRow(hOut + o, h + o, u1 - u0);
  }
}

// ---- LSTM ([i | f | g | o], Keras); the rows are recurrent-rows.ts lstmForwardRow's operations (c in place)

// Step t (walk time of the mask) on units [u0, u1): scratch (B, 4H) = x_t·W + b, += h·U over the valid rows,
// then their rows: c updated in place, the new h into hOut (h itself when one call does all units; another
// buffer when threads share the step, as the others still read h); masked rows carry h.
function __lstmStep(
  hOut: usize, h: usize, c: usize, scratch: usize, qtmp: usize, xt: usize, Wp: usize, Ws: usize, Up: usize, Us: usize,
  b: usize, lengths: usize, t: i32, T: i32, B: i32, D: i32, H: i32, u0: i32, u1: i32, left: bool, act: i32, ract: i32, back: bool,
  preX: usize, preH: usize
): void {
  const G = H << 2;
  __projectCols(scratch, G, xt, B, D, Wp, Ws, b, H, 4, u0, u1, qtmp, back, preX);
  let b0 = 0;
  while (b0 < B) {
    const b1 = runEnd(lengths, b0, B, t, T, left);
    if (isValid(lengths, b0, t, T, left)) {
      __productCols(scratch, G, h, H, Up, Us, B, H, H, 4, u0, u1, b0, b1, 1, qtmp, back, preH);
      for (let r = b0; r < b1; r++) {
        const rh = <usize>r * <usize>H << 2;
        lstmForwardRowUnits(scratch + (<usize>r * <usize>G << 2), c + rh, c + rh, hOut + rh, H, u0, u1, act, ract);
      }
    } else {
      __carryUnits(hOut, h, H, b0, b1, u0, u1);
    }
    b0 = b1;
  }
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
  const reverse = (flags & FLAG_REVERSE) != 0;
  const left = (flags & FLAG_LEFT_PADDED) != 0;
  for (let k = 0; k < T; k++) {
    const t = stepTime(k, T, reverse);
    const xt = x + (<usize>t * <usize>B * <usize>D << 2);
    __lstmStep(h, h, c, scratch, qtmp, xt, Wp, Ws, Up, Us, b, lengths, t, T, B, D, H, 0, H, left, activation, recurrentActivation, __nextParity(), 0, 0);
    if (y != 0) copyRow(y + (<usize>t * <usize>(B * H) << 2), h, B * H);
  }
}

// ---- GRU ([z | r | n], Keras; both reset_after variants). Scratch rows (4H): [z | r | n | hn]; the rows are
// recurrent-rows.ts gruForwardRowAfter / gruForwardGatesBefore + gruForwardRowBefore's operations.

// Step t on units [u0, u1), as __lstmStep. phase (bits): 1 = the projection, z|r += h·U_zr and then
// reset-after: hn = h·U_n and the rows (the whole step); reset-before: z, r activated and r ⊙ h into block 4
// for these units. 2 = reset-before only: n += (r ⊙ h)·U_n, which reads r ⊙ h of ALL units (threads: after
// every thread's phase 1), and the rows. 3 = both (one call over [0, H)).
function __gruStep(
  hOut: usize, h: usize, scratch: usize, qtmp: usize, xt: usize, Wp: usize, Ws: usize, Pzr: usize, Szr: usize, Pn: usize, Sn: usize,
  b: usize, lengths: usize, t: i32, T: i32, B: i32, D: i32, H: i32, u0: i32, u1: i32, flags: i32, act: i32, ract: i32, phase: i32, back: bool,
  preX: usize, preH: usize
): void {
  const S = H << 2;
  const H4 = <usize>H << 2, S4 = <usize>S << 2;
  const left = (flags & FLAG_LEFT_PADDED) != 0;
  const resetAfter = (flags & FLAG_RESET_AFTER) != 0;
  if (phase & 1) {
    // The projection into blocks 1-3: x·W + b_i (+ b_r on z|r with resetAfter), as gru.ts __project.
    __projectCols(scratch, S, xt, B, D, Wp, Ws, b, H, 3, u0, u1, qtmp, back, preX);
    if (resetAfter) __biasCols(scratch, S, b + (<usize>(3 * H) << 2), B, H, 2, u0, u1);
    const brn = b + (<usize>(5 * H) << 2);
    let b0 = 0;
    while (b0 < B) {
      const b1 = runEnd(lengths, b0, B, t, T, left);
      if (isValid(lengths, b0, t, T, left)) {
        __productCols(scratch, S, h, H, Pzr, Szr, B, H, H, 2, u0, u1, b0, b1, 1, qtmp, back, preH); // z|r += h·U_zr
        if (resetAfter) {
          __productCols(scratch + 3 * H4, S, h, H, Pn, Sn, B, H, H, 1, u0, u1, b0, b1, 0, qtmp, back, preH); // hn = h·U_n
          for (let r = b0; r < b1; r++) gruForwardRowAfterUnits(scratch + <usize>r * S4, h + <usize>r * H4, hOut + <usize>r * H4, brn, H, u0, u1, act, ract);
        } else {
          for (let r = b0; r < b1; r++) gruForwardGatesBeforeUnits(scratch + <usize>r * S4, h + <usize>r * H4, H, u0, u1, ract);
        }
      } else if (resetAfter) {
        __carryUnits(hOut, h, H, b0, b1, u0, u1);
      }
      b0 = b1;
    }
  }
  if (resetAfter || (phase & 2) == 0) return;
  let b0 = 0;
  while (b0 < B) {
    const b1 = runEnd(lengths, b0, B, t, T, left);
    if (isValid(lengths, b0, t, T, left)) {
      __productCols(scratch + 2 * H4, S, scratch + 3 * H4, S, Pn, Sn, B, H, H, 1, u0, u1, b0, b1, 1, qtmp, back, 0); // n += (r⊙h)·U_n
      for (let r = b0; r < b1; r++) gruForwardRowBeforeUnits(scratch + <usize>r * S4, h + <usize>r * H4, hOut + <usize>r * H4, H, u0, u1, act);
    } else {
      __carryUnits(hOut, h, H, b0, b1, u0, u1);
    }
    b0 = b1;
  }
}

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
  const reverse = (flags & FLAG_REVERSE) != 0;
  for (let k = 0; k < T; k++) {
    const t = stepTime(k, T, reverse);
    const xt = x + (<usize>t * <usize>B * <usize>D << 2);
    __gruStep(h, h, scratch, qtmp, xt, Wp, Ws, Pzr, Szr, Pn, Sn, b, lengths, t, T, B, D, H, 0, H, flags, activation, recurrentActivation, 3, __nextParity(), 0, 0);
    if (y != 0) copyRow(y + (<usize>t * <usize>(B * H) << 2), h, B * H);
  }
}

// ---- SimpleRNN: h' = act(x·W + b + h·U)

// dst[0..n) = act(src[0..n)).
function __activateInto(dst: usize, src: usize, n: i32, act: i32): void {
  let j = 0;
  if (ASC_FEATURE_SIMD) {
    for (; j + 4 <= n; j += 4) {
      const q = <usize>j << 2;
      v128.store(dst + q, activate4(v128.load(src + q), act));
    }
  }
  for (; j < n; j++) {
    const q = <usize>j << 2;
    store<f32>(dst + q, activate1(load<f32>(src + q), act));
  }
}

// Step t on units [u0, u1), as __lstmStep; scratch (B, H).
function __simpleRnnStep(
  hOut: usize, h: usize, scratch: usize, qtmp: usize, xt: usize, Wp: usize, Ws: usize, Up: usize, Us: usize,
  b: usize, lengths: usize, t: i32, T: i32, B: i32, D: i32, H: i32, u0: i32, u1: i32, left: bool, act: i32, back: bool,
  preX: usize, preH: usize
): void {
  __projectCols(scratch, H, xt, B, D, Wp, Ws, b, H, 1, u0, u1, qtmp, back, preX);
  let b0 = 0;
  while (b0 < B) {
    const b1 = runEnd(lengths, b0, B, t, T, left);
    if (isValid(lengths, b0, t, T, left)) {
      __productCols(scratch, H, h, H, Up, Us, B, H, H, 1, u0, u1, b0, b1, 1, qtmp, back, preH);
      if (u1 - u0 == H) {
        // All units: the run's rows as one span (as the kernel always did; the SIMD / scalar split of any H).
        const o = <usize>b0 * <usize>H << 2;
        __activateInto(hOut + o, scratch + o, (b1 - b0) * H, act);
      } else {
        for (let r = b0; r < b1; r++) {
          const o = (<usize>r * <usize>H + <usize>u0) << 2;
          __activateInto(hOut + o, scratch + o, u1 - u0, act);
        }
      }
    } else {
      __carryUnits(hOut, h, H, b0, b1, u0, u1);
    }
    b0 = b1;
  }
}

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
    const xt = x + (<usize>t * <usize>B * <usize>D << 2);
    __simpleRnnStep(h, h, scratch, qtmp, xt, Wp, Ws, Up, Us, b, lengths, t, T, B, D, H, 0, H, left, activation, __nextParity(), 0, 0);
    if (y != 0) copyRow(y + (<usize>t * <usize>(B * H) << 2), h, B * H);
  }
}

// ---- Threaded streaming (bindings/infer-threads.ts): one thread's share of ONE step (T = 1), split by UNITS

// Flips on every call of this instance, as stepParity (a helper's instance has its own): the panels a
// thread read last, still in its L2, are the first it reads again.
let unitsParity: bool = false;
@inline function __nextUnitsParity(): bool {
  unitsParity = !unitsParity;
  return unitsParity;
}

// Argument layout shared by the three units kernels (bindings/infer-threads.ts passes every chunk of a step
// the same argument block and only its own u0, u1 at positions 12, 13): the f32 reset-after ABI of the first
// threaded kernels (17 arguments), then optional ones a caller may leave out (a JS call passes 0 for them):
// qtmp, the scale pointers of int8 weights, and (GRU) the phase. qtmp = 0: this thread's kernel scratch
// (heap.ts), so that threads sharing one argument block never quantize into the same bytes; it holds
// max(D, H) + 2 int16 after the 128 bytes of panel staging (gemmQ8Cols), i.e. max(D, H) ≤ 32700.
// FLAG_PREQUANTIZED (int8): qtmp points at x's and h's rows quantized by the caller before the chunks run
// (quant_rows(qtmp, x, D, B, D), then quant_rows(qtmp + B·R(D), h, H, B, H); R as quant_rows), so that a
// step quantizes them once, not once per chunk (≈ 0.4 µs per chunk at D 64, H 256, measured); the on-the-fly
// quantization left (r ⊙ h of a reset-before GRU) uses the thread's kernel scratch.
const FLAG_PREQUANTIZED: i32 = 64;

@inline function __qtmp(qtmp: usize, flags: i32): usize {
  return qtmp != 0 && (flags & FLAG_PREQUANTIZED) == 0 ? qtmp : kernelScratch() + 128;
}

// Where the pre-quantized rows of x (B, D) and of h (B, H) start (0: none).
@inline function __preX(qtmp: usize, flags: i32): usize {
  return (flags & FLAG_PREQUANTIZED) != 0 ? qtmp : 0;
}
@inline function __preH(qtmp: usize, flags: i32, B: i32, D: i32): usize {
  return (flags & FLAG_PREQUANTIZED) != 0 ? qtmp + <usize>B * (16 + ((<usize>((D + 1) & ~1) << 1) + 15 & ~(<usize>15))) : 0;
}

/**
 * One thread's share of ONE LSTM step (T = 1): units [u0, u1) (multiples of 32, the panel width, H % 32 == 0;
 * or [0, H) for any H). Weights f32 panels (Ws = Us = 0) or int8 panels with column scales Ws, Us; qtmp as
 * above. For each gate g: scratch[:, cols] = x·W[:, cols] + b[cols], then += h·U[:, cols] (the valid rows),
 * then the pointwise rows of units [u0, u1): c updated in place, the new h written to hOut (B, H), NOT to h,
 * which the other threads are still reading for their products; masked rows copy h into hOut. The caller
 * copies hOut into h once every share is done. Bit-identical to a one-step infer_lstm whatever the split
 * (tested).
 */
export function infer_lstm_units(
  hOut: usize, h: usize, c: usize, scratch: usize, x: usize, Wp: usize, Up: usize, b: usize, lengths: usize,
  B: i32, D: i32, H: i32, u0: i32, u1: i32, flags: i32, activation: i32, recurrentActivation: i32,
  qtmp: usize, Ws: usize, Us: usize
): void {
  __lstmStep(hOut, h, c, scratch, __qtmp(qtmp, flags), x, Wp, Ws, Up, Us, b, lengths, 0, 1, B, D, H, u0, u1, (flags & FLAG_LEFT_PADDED) != 0, activation, recurrentActivation, __nextUnitsParity(),
    __preX(qtmp, flags), __preH(qtmp, flags, B, D));
}

/**
 * One thread's share of ONE GRU step (T = 1), both reset_after variants and weight forms (Szr, Sn: scales
 * of U[:, 0:2H] and U[:, 2H:3H]), as infer_lstm_units. Scratch rows (4H) [z | r | n | hn] are shared by the
 * threads (each writes its units' columns). phase 0 or 3: the whole step of these units (reset-before: only
 * with [0, H)). Reset-before on threads: phase 1 (z, r and r ⊙ h of these units into block 4) on every share,
 * then, once all are done (a barrier), phase 2 (the candidate product n += (r ⊙ h)·U_n, which reads r ⊙ h of
 * ALL units, and the rows into hOut). Reset-after has one phase: 1 is the whole step, 2 does nothing.
 * Bit-identical to a one-step infer_gru whatever the split (tested).
 */
export function infer_gru_units(
  hOut: usize, h: usize, scratch: usize, x: usize, Wp: usize, Pzr: usize, Pn: usize, b: usize, lengths: usize,
  B: i32, D: i32, H: i32, u0: i32, u1: i32, flags: i32, activation: i32, recurrentActivation: i32,
  qtmp: usize, Ws: usize, Szr: usize, Sn: usize, phase: i32
): void {
  __gruStep(hOut, h, scratch, __qtmp(qtmp, flags), x, Wp, Ws, Pzr, Szr, Pn, Sn, b, lengths, 0, 1, B, D, H, u0, u1, flags, activation, recurrentActivation, phase == 0 ? 3 : phase, __nextUnitsParity(),
    __preX(qtmp, flags), __preH(qtmp, flags, B, D));
}

/**
 * One thread's share of ONE SimpleRNN step (T = 1), as infer_lstm_units and in its argument layout (c and
 * recurrentActivation unused): scratch (B, H) columns [u0, u1) = x·W + b, += h·U (valid rows), then act into
 * hOut; masked rows copy h. Bit-identical to a one-step infer_simple_rnn whatever the split (tested).
 */
export function infer_simple_rnn_units(
  hOut: usize, h: usize, c: usize, scratch: usize, x: usize, Wp: usize, Up: usize, b: usize, lengths: usize,
  B: i32, D: i32, H: i32, u0: i32, u1: i32, flags: i32, activation: i32, recurrentActivation: i32,
  qtmp: usize, Ws: usize, Us: usize
): void {
  __simpleRnnStep(hOut, h, scratch, __qtmp(qtmp, flags), x, Wp, Ws, Up, Us, b, lengths, 0, 1, B, D, H, u0, u1, (flags & FLAG_LEFT_PADDED) != 0, activation, __nextUnitsParity(),
    __preX(qtmp, flags), __preH(qtmp, flags, B, D));
}
