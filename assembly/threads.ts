// Kernels that only the threaded dispatch calls (bindings/threads/): the weights packing done once before
// the row-range recurrent kernels run, and the after-sweep weight gradients split by COLUMNS of dW, dU and
// db (each thread sums every one of the T·B rows for its columns, in the same 32-row panels as the
// one-thread kernel) and by ROWS of dx. So no thread-partial sums exist and the results are bit-identical to
// the one-thread kernel for any thread count (column splits at multiples of 32, rows at multiples of 4).
// Legend: T steps, B batch, D input width, H units, G gate width, S row stride of dgates.

import { gemmNTCore, colSumsStrided } from "./gemm-core";
import { gemmTNPanels, gemmTNPretransposed, packPanels, transposeTNPanels } from "./packed-gemm";
import { packWeights, firstStepWeightGradient } from "./recurrent-core";
import { derivative1, derivative4 } from "./math";

/** work ((D + H)·G floats) = W (D, G) and U (H, G) in column panels (what lstm_forward packs itself). */
export function recurrent_pack_weights(work: usize, W: usize, U: usize, D: i32, H: i32, G: i32): void {
  packWeights(work, W, U, D, H, G);
}

/**
 * Columns [j0, j1) (multiples of 32, the panel width, or j1 = G) of what recurrent_pack_weights packs: the
 * panels of those columns of W and of U, at the same places (panel p starts at float p·K of its matrix's
 * block), so threads can pack disjoint column ranges at once.
 */
export function recurrent_pack_weights_part(work: usize, W: usize, U: usize, D: i32, H: i32, G: i32, j0: i32, j1: i32): void {
  const o = <usize>j0 << 2, n = j1 - j0;
  const Up = work + (<usize>D * <usize>G << 2);
  packPanels(work + <usize>j0 * <usize>D * 4, W + o, G, D, n);
  packPanels(Up + <usize>j0 * <usize>H * 4, U + o, G, H, n);
}

/**
 * Rows [k0, k1) (a multiple of 32, or k1 = T·B) of x (T·B, D) and of hPrev (T·B, H) transposed into TN
 * panels at xt ((D + H)·T·B floats: xᵀ panels, then hPrevᵀ panels at xt + 4·D·T·B), the shared operand of
 * recurrent_weight_gradients_cols; threads transpose disjoint row ranges. Nothing in the scalar build.
 */
export function recurrent_transpose_inputs_part(xt: usize, x: usize, hPrev: usize, TB: i32, D: i32, H: i32, k0: i32, k1: i32): void {
  if (!ASC_FEATURE_SIMD) return;
  transposeTNPanels(xt, x, D, D, TB, k0, k1);
  transposeTNPanels(xt + (<usize>D * <usize>TB << 2), hPrev, H, H, TB, k0, k1);
}

/** Column block of the pretransposed weight-gradient product (C blocks of (D + H)·128 floats stay in L2). */
const WGRAD_NB: i32 = 128;

/**
 * Columns [j0, j1) of dW (D, G) += xᵀ·dgates, dU (H, G) += hPrevᵀ·dgates (+ the h0 term of ROW_FIRST rows
 * when `lengths` != 0), db (G) += colsum(dgates); rows [m0, m1) of dx (T·B, D) (+)= dgates·Wᵀ (dx = 0: none).
 * hPrev (T·B, H): the contiguous previous-state slots; h0 (B, H) the initial-state slot. No recurrent mask.
 * xᵀ and hPrevᵀ are already in TN panels at xt (recurrent_transpose_inputs_part over all T·B rows); the
 * scalar build reads x and hPrev in place (gemmTNPanels). Every column sums all T·B rows in the same 32-row
 * panels as the one-thread kernel: the same bits for any column split.
 */
export function recurrent_weight_gradients_cols(
  dx: usize, dW: usize, dU: usize, db: usize, dgates: usize, S: i32,
  x: usize, xt: usize, W: usize, hPrev: usize, h0: usize, lengths: usize,
  T: i32, B: i32, D: i32, H: i32, G: i32, flags: i32, accumulateDx: i32,
  j0: i32, j1: i32, m0: i32, m1: i32
): void {
  const TB = T * B;
  if (j1 > j0) {
    const o = <usize>j0 << 2, n = j1 - j0;
    if (ASC_FEATURE_SIMD) {
      gemmTNPretransposed(dW + o, xt, D, dU + o, xt + (<usize>D * <usize>TB << 2), H, G, dgates + o, S, n, TB, WGRAD_NB);
    } else {
      gemmTNPanels(dW + o, G, x, D, dgates + o, S, D, n, TB);
      gemmTNPanels(dU + o, G, hPrev, H, dgates + o, S, H, n, TB);
    }
    if (lengths != 0) firstStepWeightGradient(dU + o, G, h0, 0, dgates + o, S, n, lengths, T, B, H, flags);
    colSumsStrided(db + o, dgates + o, S, TB, n, 1);
  }
  if (dx != 0 && m1 > m0) gemmNTCore(dx, D, dgates, S, W, G, TB, D, G, m0, m1, accumulateDx);
}

// dz = dy ⊙ act'(y) on rows [r0, r1), columns [j0, j1) (row stride ldy): dense_backward's element maths.
function __dzBlock(dz: usize, dy: usize, y: usize, ldy: i32, act: i32, r0: i32, r1: i32, j0: i32, j1: i32): void {
  const ldy4 = <usize>ldy << 2;
  for (let r = r0; r < r1; r++) {
    const o0 = <usize>r * ldy4;
    let j = j0;
    if (ASC_FEATURE_SIMD) {
      for (; j + 4 <= j1; j += 4) {
        const o = o0 + (<usize>j << 2);
        v128.store(dz + o, f32x4.mul(v128.load(dy + o), derivative4(v128.load(y + o), act)));
      }
    }
    for (; j < j1; j++) {
      const o = o0 + (<usize>j << 2);
      store<f32>(dz + o, load<f32>(dy + o) * derivative1(load<f32>(y + o), act));
    }
  }
}

/** Rows [r0, r1) of dense's dz (N, U) with row stride ldy = dy ⊙ act'(y) (act not linear), all U columns. */
export function dense_dz_rows(dz: usize, dy: usize, y: usize, U: i32, ldy: i32, act: i32, r0: i32, r1: i32): void {
  __dzBlock(dz, dy, y, ldy, act, r0, r1, 0, U);
}

/**
 * Dense backward once g (N, U) with row stride ldy is final (dz, or dy for linear), split three ways at once:
 * ROWS [i0, i1) of dW (D, U) += xᵀ·g (only those columns of x are transposed, so threads share the
 * transposition instead of each doing all of x for a column range), columns [j0, j1) of db += colsum(g)
 * (db = 0: none) and rows [m0, m1) of dx (N, D) (+)= g·Wᵀ (dx = 0: none). Every element is summed as in
 * dense_backward (the same 32-row panels, in order): bit-identical for any split.
 */
export function dense_backward_part(
  dx: usize, dW: usize, db: usize, g: usize, x: usize, W: usize,
  N: i32, D: i32, U: i32, ldy: i32, accumulateDx: i32, i0: i32, i1: i32, j0: i32, j1: i32, m0: i32, m1: i32
): void {
  if (i1 > i0) gemmTNPanels(dW + (<usize>i0 * <usize>U << 2), U, x + (<usize>i0 << 2), D, g, ldy, i1 - i0, U, N);
  if (db != 0 && j1 > j0) colSumsStrided(db + (<usize>j0 << 2), g + (<usize>j0 << 2), ldy, N, j1 - j0, 1);
  if (dx != 0 && m1 > m0) gemmNTCore(dx, D, g, ldy, W, U, N, D, U, m0, m1, accumulateDx);
}
