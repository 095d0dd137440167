// Shared internals of the fused recurrent kernels (LSTM, GRU, SimpleRNN): flags, the T+1 slot walk,
// Keras masking by per-sample lengths, the hoisted input projection and the after-sweep weight-gradient
// GEMMs. Not re-exported from assembly/index.ts. The ABI these implement is docs/recurrent-abi.md.
// Legend: T steps, B batch, D input width, H units, G gate width, S saved gate width (row stride of gates).

import { gemmCore, gemmNTCore, biasAddStrided, colSumsStrided } from "./gemm-core";
import { gemmPacked, gemmTNPanels, packPanels } from "./packed-gemm";
export { gemmTNPanels };

// ---- flags (i32 bit field, docs/recurrent-abi.md)

export const FLAG_REVERSE: i32 = 1;
export const FLAG_LEFT_PADDED: i32 = 2;
export const FLAG_ACCUMULATE_DX: i32 = 4;
export const FLAG_RESET_AFTER: i32 = 8;
/** rmask is (K, B, H), one mask per gate block (Keras >= 3.8), instead of one (B, H) mask for all blocks. */
export const FLAG_PER_GATE_RMASK: i32 = 16;
/** `valid` is a (T, B) u8 step mask of row codes (ROW_LEADING, ROW_VALID, ROW_CARRY) instead of (B) lengths. */
export const FLAG_STEP_MASK: i32 = 32;

// ---- the T+1 slot walk
// Forward: step t reads slot t, writes slot t+1. Reverse: step t reads slot t+1, writes slot t.

/** Time of the k-th step (k = 0 .. T-1) in walking order. */
@inline export function stepTime(k: i32, T: i32, reverse: bool): i32 {
  return reverse ? T - 1 - k : k;
}

/** Slot the step at time t reads its state from. */
@inline export function prevSlot(t: i32, reverse: bool): i32 {
  return reverse ? t + 1 : t;
}

/** Slot the step at time t writes (its output and new state). */
@inline export function outSlot(t: i32, reverse: bool): i32 {
  return reverse ? t : t + 1;
}

/** Byte address of row b of slot s in a (T+1, B, N) buffer. */
@inline export function slotRow(base: usize, s: i32, b: i32, B: i32, N: i32): usize {
  return base + ((<usize>s * <usize>B + <usize>b) * <usize>N << 2);
}

// ---- masking (Keras semantics, docs/recurrent-abi.md "Masking"): a masked step carries the state and does no
// gate maths; its output repeats the previous output, and before the row's first valid step (in walking order)
// the output is 0 while the state stays h0. `valid` is 0 (every step valid), (B) i32 lengths, or with
// FLAG_STEP_MASK a (T, B) u8 code per (time, row): 0 masked before the first valid step, 1 valid, 2 masked
// after it (the bindings derive the codes from a boolean mask and the direction).

/** A row's state at one step: masked before its first valid step (output 0, state h0 carried). */
export const ROW_LEADING: i32 = 0;
/** A valid step that reads its previous state from the previous slot. */
export const ROW_VALID: i32 = 1;
/** Masked after the first valid step: state and output carried from the previous slot. */
export const ROW_CARRY: i32 = 2;
/** The row's first valid step after leading masked steps: it reads its previous state from the h0 slot. */
export const ROW_FIRST: i32 = 3;

/**
 * State of batch row b at the k-th step of the walk (time t = stepTime(k)). Lengths: the first valid step
 * in walking order is k = T - len when the padding and the walk start on the same side (left padding walked
 * forward, right padding walked in reverse), else k = 0; len = 0 means no valid step.
 */
@inline export function rowState(valid: usize, b: i32, k: i32, t: i32, T: i32, B: i32, flags: i32): i32 {
  if (valid == 0) return ROW_VALID;
  const reverse = (flags & FLAG_REVERSE) != 0;
  if ((flags & FLAG_STEP_MASK) != 0) {
    const code = <i32>load<u8>(valid + <usize>t * <usize>B + <usize>b);
    if (code != ROW_VALID || k == 0) return code;
    const tp = reverse ? t + 1 : t - 1;
    return load<u8>(valid + <usize>tp * <usize>B + <usize>b) == 0 ? ROW_FIRST : ROW_VALID;
  }
  const len = load<i32>(valid + (<usize>b << 2));
  const left = (flags & FLAG_LEFT_PADDED) != 0;
  const start = len == 0 ? T : (left != reverse ? T - len : 0);
  if (k < start) return ROW_LEADING;
  if (left ? t < T - len : t >= len) return ROW_CARRY;
  return k == start && k > 0 ? ROW_FIRST : ROW_VALID;
}

/** End (exclusive) of the run of rows starting at b0 that share b0's state `s` at this step. */
@inline export function stateRunEnd(valid: usize, s: i32, b0: i32, k: i32, t: i32, T: i32, B: i32, flags: i32): i32 {
  if (valid == 0) return B;
  let b = b0 + 1;
  while (b < B && rowState(valid, b, k, t, T, B, flags) == s) b++;
  return b;
}

// Lengths-only helpers (no step mask, no leading-output rule), kept for kernels that carry state only.

/** Whether sample b is valid at time t. lengths: (B) i32 or 0 (all valid). */
@inline export function isValid(lengths: usize, b: i32, t: i32, T: i32, leftPadded: bool): bool {
  if (lengths == 0) return true;
  const len = load<i32>(lengths + (<usize>b << 2));
  return leftPadded ? t >= T - len : t < len;
}

/** End (exclusive) of the run of rows starting at b0 that share b0's validity at time t (lengths only). */
@inline export function runEnd(lengths: usize, b0: i32, B: i32, t: i32, T: i32, leftPadded: bool): i32 {
  if (lengths == 0) return B;
  const v = isValid(lengths, b0, t, T, leftPadded);
  let b = b0 + 1;
  while (b < B && isValid(lengths, b, t, T, leftPadded) == v) b++;
  return b;
}

/** dst[0..n) = src[0..n) (rows of state carried over a masked step). */
@inline export function copyRow(dst: usize, src: usize, n: i32): void {
  memory.copy(dst, src, <usize>n << 2);
}

/**
 * y (B, H) = the outputs of one inference step at time t (walk index k): the state h (B, H), with 0 in the
 * rows that have not had a valid step yet (Keras: zeros before the first valid step, not h0).
 */
export function outputRows(y: usize, h: usize, valid: usize, k: i32, t: i32, T: i32, B: i32, H: i32, flags: i32): void {
  copyRow(y, h, B * H);
  if (valid == 0) return;
  for (let b = 0; b < B; b++) {
    if (rowState(valid, b, k, t, T, B, flags) == ROW_LEADING) zeroRow(y + (<usize>b * <usize>H << 2), H);
  }
}

/** dst[0..n) += src[0..n) (a masked step's gradient carried to the previous slot). */
export function addRow(dst: usize, src: usize, n: i32): void {
  let j = 0;
  if (ASC_FEATURE_SIMD) {
    for (; j + 4 <= n; j += 4) {
      const o = <usize>j << 2;
      v128.store(dst + o, f32x4.add(v128.load(dst + o), v128.load(src + o)));
    }
  }
  for (; j < n; j++) {
    const o = <usize>j << 2;
    store<f32>(dst + o, load<f32>(dst + o) + load<f32>(src + o));
  }
}

/** x[0..n) = 0 */
@inline export function zeroRow(x: usize, n: i32): void {
  memory.fill(x, 0, <usize>n << 2);
}

// ---- recurrent dropout (docs/recurrent-abi.md "Recurrent dropout"): h_prev ⊙ m feeds the recurrent GEMM
// only. rmask (B, H), or (K, B, H) with FLAG_PER_GATE_RMASK; scratch (max(B, KC), H) is the caller's.

/** The mask of gate block k: (B, H) at rmask + k·B·H (per gate) or rmask itself (shared). */
@inline export function maskBlock(rmask: usize, k: i32, B: i32, H: i32, perGate: bool): usize {
  return perGate ? rmask + (<usize>k * <usize>B * <usize>H << 2) : rmask;
}

/** dst[0..n) = src[0..n) ⊙ m[0..n) */
export function mulInto(dst: usize, src: usize, m: usize, n: i32): void {
  let j = 0;
  if (ASC_FEATURE_SIMD) {
    for (; j + 4 <= n; j += 4) {
      const o = <usize>j << 2;
      v128.store(dst + o, f32x4.mul(v128.load(src + o), v128.load(m + o)));
    }
  }
  for (; j < n; j++) {
    const o = <usize>j << 2;
    store<f32>(dst + o, load<f32>(src + o) * load<f32>(m + o));
  }
}

/** dst[0..n) += src[0..n) ⊙ m[0..n) */
export function addMulInto(dst: usize, src: usize, m: usize, n: i32): void {
  let j = 0;
  if (ASC_FEATURE_SIMD) {
    for (; j + 4 <= n; j += 4) {
      const o = <usize>j << 2;
      v128.store(dst + o, f32x4.add(v128.load(dst + o), f32x4.mul(v128.load(src + o), v128.load(m + o))));
    }
  }
  for (; j < n; j++) {
    const o = <usize>j << 2;
    store<f32>(dst + o, load<f32>(dst + o) + load<f32>(src + o) * load<f32>(m + o));
  }
}

/**
 * Rows [b0, b1) of P (B, N) with row stride S += (hPrev ⊙ m) (B, H) · U (H, N) with row stride ldu: the
 * masked recurrent product of one column block (the masked rows go through scratch (B, H)).
 */
export function maskedRecurrentStep(P: usize, S: i32, hPrev: usize, m: usize, scratch: usize, U: usize, ldu: i32, B: i32, H: i32, N: i32, b0: i32, b1: i32): void {
  const o = <usize>b0 * <usize>H << 2;
  mulInto(scratch + o, hPrev + o, m + o, (b1 - b0) * H);
  gemmCore(P, S, scratch, H, 1, U, ldu, B, N, H, b0, b1, 1);
}

/** Rows [b0, b1) of dhPrev (B, H) += (dP (B, N) with row stride S · Uᵀ) ⊙ m, U (H, N) with row stride ldu. */
export function maskedRecurrentStepBackward(dhPrev: usize, dP: usize, S: i32, U: usize, ldu: i32, m: usize, scratch: usize, B: i32, H: i32, N: i32, b0: i32, b1: i32): void {
  gemmNTCore(scratch, H, dP, S, U, ldu, B, H, N, b0, b1, 0);
  const o = <usize>b0 * <usize>H << 2;
  addMulInto(dhPrev + o, scratch + o, m + o, (b1 - b0) * H);
}

/** Masked recurrent product of K column blocks of width H (G = K·H): one GEMM with a shared mask. */
export function maskedRecurrentBlocks(P: usize, S: i32, hPrev: usize, rmask: usize, perGate: bool, scratch: usize, U: usize, ldu: i32, B: i32, H: i32, K: i32, b0: i32, b1: i32): void {
  if (!perGate) {
    maskedRecurrentStep(P, S, hPrev, rmask, scratch, U, ldu, B, H, K * H, b0, b1);
    return;
  }
  const H4 = <usize>H << 2;
  for (let k = 0; k < K; k++) {
    maskedRecurrentStep(P + <usize>k * H4, S, hPrev, maskBlock(rmask, k, B, H, true), scratch, U + <usize>k * H4, ldu, B, H, H, b0, b1);
  }
}

/** dhPrev += Σ_k (dP_k · U_kᵀ) ⊙ m_k over K column blocks of width H (one GEMM with a shared mask). */
export function maskedRecurrentBlocksBackward(dhPrev: usize, dP: usize, S: i32, U: usize, ldu: i32, rmask: usize, perGate: bool, scratch: usize, B: i32, H: i32, K: i32, b0: i32, b1: i32): void {
  if (!perGate) {
    maskedRecurrentStepBackward(dhPrev, dP, S, U, ldu, rmask, scratch, B, H, K * H, b0, b1);
    return;
  }
  const H4 = <usize>H << 2;
  for (let k = 0; k < K; k++) {
    maskedRecurrentStepBackward(dhPrev, dP + <usize>k * H4, S, U + <usize>k * H4, ldu, maskBlock(rmask, k, B, H, true), scratch, B, H, H, b0, b1);
  }
}

// ---- the big GEMMs over T·B rows

/** P (TB, G) with row stride S = x (TB, D) · W (D, G) + bias (G): the hoisted input projection. */
export function inputProjection(P: usize, S: i32, x: usize, W: usize, bias: usize, TB: i32, D: i32, G: i32): void {
  gemmCore(P, S, x, D, 1, W, G, TB, G, D, 0, TB, 0);
  biasAddStrided(P, S, bias, TB, G);
}

/**
 * Inference workspace (docs/recurrent-abi.md): W (D, G) and U (H, G) packed into column panels at work and
 * work + 4·D·G, so the hoisted projection and every step's product walk contiguous panels. work = 0: the
 * kernels use W and U in place (same bits, slower). Returns the packed U (0 when work = 0).
 */
export function packWeights(work: usize, W: usize, U: usize, D: i32, H: i32, G: i32): usize {
  if (work == 0) return 0;
  const Up = work + (<usize>D * <usize>G << 2);
  packPanels(work, W, G, D, G);
  packPanels(Up, U, G, H, G);
  return Up;
}

/** inputProjection with W packed at Wp (packWeights) when Wp != 0. */
export function inputProjectionPacked(P: usize, S: i32, x: usize, W: usize, Wp: usize, bias: usize, TB: i32, D: i32, G: i32): void {
  if (Wp == 0) { inputProjection(P, S, x, W, bias, TB, D, G); return; }
  gemmPacked(P, S, x, D, Wp, TB, G, D, 0, TB, 0);
  biasAddStrided(P, S, bias, TB, G);
}

/**
 * recurrentStep (full gate width, ldu = G) with U packed at Up when Up != 0; backwards: the panels in reverse
 * order (packed-gemm gemmPacked; the same bits), which the callers pass on odd steps.
 */
@inline export function recurrentStepPacked(P: usize, S: i32, hPrev: usize, U: usize, Up: usize, B: i32, H: i32, G: i32, b0: i32, b1: i32, backwards: bool = false): void {
  if (Up == 0) gemmCore(P, S, hPrev, H, 1, U, G, B, G, H, b0, b1, 1);
  else gemmPacked(P, S, hPrev, H, Up, B, G, H, b0, b1, 1, backwards);
}

/**
 * Rows [b0, b1) of one step's recurrent product: P (B, G) with row stride S += hPrev (B, H) · U (H, G).
 * U's row stride is ldu (G, or wider when only a column block of U is used).
 */
@inline export function recurrentStep(P: usize, S: i32, hPrev: usize, U: usize, ldu: i32, B: i32, H: i32, G: i32, b0: i32, b1: i32): void {
  gemmCore(P, S, hPrev, H, 1, U, ldu, B, G, H, b0, b1, 1);
}

/** Rows [b0, b1) of dhPrev (B, H) += dP (B, G) with row stride S · Uᵀ, U (H, G) with row stride ldu. */
@inline export function recurrentStepBackward(dhPrev: usize, dP: usize, S: i32, U: usize, ldu: i32, B: i32, H: i32, G: i32, b0: i32, b1: i32): void {
  gemmNTCore(dhPrev, H, dP, S, U, ldu, B, H, G, b0, b1, 1);
}

// Rows of the T·B dimension per block of the masked transposed GEMMs below (the unmasked ones are
// packed-gemm gemmTNPanels, whose panels have the same height).
const KC: i32 = 32;

/**
 * C (H, N) with row stride ldc += (hPrev ⊙ m)ᵀ · dP over TB = T·B rows: hPrev (TB, H) contiguous, m (B, H)
 * the mask of row r is row r mod B, dP (TB, N) with row stride ldb. Same KC panels as gemmTNPanels (each panel
 * masked into scratch (KC, H) first), so an all-ones mask gives the unmasked result bit for bit.
 */
export function gemmTNPanelsMasked(C: usize, ldc: i32, hPrev: usize, m: usize, scratch: usize, dP: usize, ldb: i32, B: i32, H: i32, N: i32, TB: i32): void {
  const H4 = <usize>H << 2;
  for (let k0 = 0; k0 < TB; k0 += KC) {
    const kc = min<i32>(KC, TB - k0);
    for (let r = 0; r < kc; r++) {
      mulInto(scratch + <usize>r * H4, hPrev + <usize>(k0 + r) * H4, m + <usize>((k0 + r) % B) * H4, H);
    }
    gemmCore(C, ldc, scratch, 1, H, dP + (<usize>k0 * <usize>ldb << 2), ldb, H, N, kc, 0, H, 1);
  }
}

/** dU (H, G) += Σ_k (hPrev ⊙ m_k)ᵀ · dP_k over K column blocks of width H (one pass with a shared mask). */
export function maskedWeightGradientU(dU: usize, ldu: i32, hPrev: usize, rmask: usize, perGate: bool, scratch: usize, dP: usize, ldb: i32, B: i32, H: i32, K: i32, TB: i32): void {
  if (!perGate) {
    gemmTNPanelsMasked(dU, ldu, hPrev, rmask, scratch, dP, ldb, B, H, K * H, TB);
    return;
  }
  const H4 = <usize>H << 2;
  for (let k = 0; k < K; k++) {
    gemmTNPanelsMasked(dU + <usize>k * H4, ldu, hPrev, maskBlock(rmask, k, B, H, true), scratch, dP + <usize>k * H4, ldb, B, H, H, TB);
  }
}

/** c[0..n) += a · g[0..n) (separate multiply and add, the same in both builds). */
function __axpyRow(c: usize, a: f32, g: usize, n: i32): void {
  let j = 0;
  if (ASC_FEATURE_SIMD) {
    const va = f32x4.splat(a);
    for (; j + 4 <= n; j += 4) {
      const o = <usize>j << 2;
      v128.store(c + o, f32x4.add(v128.load(c + o), f32x4.mul(va, v128.load(g + o))));
    }
  }
  for (; j < n; j++) {
    const o = <usize>j << 2;
    store<f32>(c + o, load<f32>(c + o) + a * load<f32>(g + o));
  }
}

/**
 * The dU term that the T·B-row GEMM over the previous slots misses at ROW_FIRST steps, where the previous
 * state is h0 but the previous slot holds the leading output 0: C (H, N) with row stride ldc +=
 * (h0[b] ⊙ m[b])ᵀ · dP[t_b, b] for every row b whose first valid step t_b follows leading masked steps.
 * h0 (B, H) the initial-state slot; m (B, H) a recurrent dropout mask or 0; dP (T, B, ·) with row stride ldp.
 */
export function firstStepWeightGradient(
  C: usize, ldc: i32, h0: usize, m: usize, dP: usize, ldp: i32, N: i32, valid: usize, T: i32, B: i32, H: i32, flags: i32
): void {
  if (valid == 0) return;
  const reverse = (flags & FLAG_REVERSE) != 0;
  for (let b = 0; b < B; b++) {
    let s = ROW_LEADING, t = 0;
    for (let k = 0; k < T; k++) {
      t = stepTime(k, T, reverse);
      s = rowState(valid, b, k, t, T, B, flags);
      if (s != ROW_LEADING) break;
    }
    if (s != ROW_FIRST) continue;
    const g = dP + ((<usize>t * <usize>B + <usize>b) * <usize>ldp << 2);
    for (let i = 0; i < H; i++) {
      const o = (<usize>b * <usize>H + <usize>i) << 2;
      let a = load<f32>(h0 + o);
      if (m != 0) a *= load<f32>(m + o);
      __axpyRow(C + (<usize>i * <usize>ldc << 2), a, g, N);
    }
  }
}

/**
 * After the sequential sweep, over all T·B rows at once (dgates (TB, G) with row stride S):
 *   dW (D, G) += xᵀ · dgates;  dU (H, G) += hPrevᵀ · dgates (hPrev (TB, H) contiguous slots), or with a
 *   recurrent dropout mask (rmask != 0, G / H gate blocks) (hPrev ⊙ m_k)ᵀ · dgates_k per block, plus the
 *   h0 term of ROW_FIRST steps (firstStepWeightGradient; h0 the initial-state slot (B, H));
 *   db (G) += colsum(dgates);  dx (TB, D) (+)= dgates · Wᵀ (skipped when dx == 0).
 */
export function weightGradients(
  dx: usize, dW: usize, dU: usize, db: usize, dgates: usize, S: i32,
  x: usize, W: usize, hPrev: usize, TB: i32, D: i32, H: i32, G: i32, accumulateDx: bool,
  rmask: usize, perGate: bool, scratch: usize, B: i32, valid: usize, T: i32, flags: i32, h0: usize
): void {
  gemmTNPanels(dW, G, x, D, dgates, S, D, G, TB);
  if (rmask == 0) gemmTNPanels(dU, G, hPrev, H, dgates, S, H, G, TB);
  else maskedWeightGradientU(dU, G, hPrev, rmask, perGate, scratch, dgates, S, B, H, G / H, TB); // (h ⊙ m)ᵀ·dgates
  if (valid != 0) {
    if (rmask == 0) firstStepWeightGradient(dU, G, h0, 0, dgates, S, G, valid, T, B, H, flags);
    else {
      const H4 = <usize>H << 2;
      for (let k = 0; k < G / H; k++) {
        firstStepWeightGradient(dU + <usize>k * H4, G, h0, maskBlock(rmask, k, B, H, perGate), dgates + <usize>k * H4, S, H, valid, T, B, H, flags);
      }
    }
  }
  colSumsStrided(db, dgates, S, TB, G, 1);
  if (dx != 0) gemmNTCore(dx, D, dgates, S, W, G, TB, D, G, 0, TB, accumulateDx ? 1 : 0);
}
