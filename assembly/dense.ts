// Dense (fully connected) layer, time-distributed: N = T·B rows at once through the strided GEMM cores.
// Legend: N rows, D input width, U units; ldy the row stride of y, dy and dz (ldy >= U: lanes [U, ldy) are
// padding, never read or written). Keras layout: W (D, U) kernel, b (U) bias.
// Keras: https://keras.io/api/layers/core_layers/dense/
//   forward   y = act(x·W + b)
//   backward  dz = dy ⊙ act'(y) (from the saved output);  dW += xᵀ·dz;  db += colsum(dz);  dx (+)= dz·Wᵀ
// Preconditions (checked by bindings/): buffers in memory, outputs do not overlap inputs (dz may equal dy).

import { gemmCore, gemmNTCore, biasAddStrided, colSumsStrided } from "./gemm-core";
import { gemmTNPanels } from "./packed-gemm";
import { ACT_LINEAR, activateInPlace, derivative1, derivative4 } from "./math";

/** y (N, U) stride ldy = act(x (N, D) · W (D, U) + b (U)); b = 0 means no bias. */
export function dense_forward(y: usize, x: usize, W: usize, b: usize, N: i32, D: i32, U: i32, ldy: i32, act: i32): void {
  gemmCore(y, ldy, x, D, 1, W, U, N, U, D, 0, N, 0);
  if (b) biasAddStrided(y, ldy, b, N, U);
  if (act != ACT_LINEAR) {
    const ldy4 = <usize>ldy << 2;
    for (let r = 0; r < N; r++) activateInPlace(y + <usize>r * ldy4, U, act);
  }
}

/**
 * dz (N, U) stride ldy = dy ⊙ act'(y) (skipped for linear: dz is then dy itself); dW (D, U) += xᵀ·dz;
 * db (U) += colsum(dz) (db = 0: no bias); dx (N, D) = dz·Wᵀ, or += with accumulateDx (dx = 0: not needed).
 */
export function dense_backward(
  dx: usize, dW: usize, db: usize, dz: usize, dy: usize, x: usize, W: usize, y: usize,
  N: i32, D: i32, U: i32, ldy: i32, act: i32, accumulateDx: i32
): void {
  let g = dy;
  if (act != ACT_LINEAR) {
    const ldy4 = <usize>ldy << 2;
    for (let r = 0; r < N; r++) {
      const o0 = <usize>r * ldy4;
      let j = 0;
      if (ASC_FEATURE_SIMD) {
        for (; j + 4 <= U; j += 4) {
          const o = o0 + (<usize>j << 2);
          v128.store(dz + o, f32x4.mul(v128.load(dy + o), derivative4(v128.load(y + o), act)));
        }
      }
      for (; j < U; j++) {
        const o = o0 + (<usize>j << 2);
        store<f32>(dz + o, load<f32>(dy + o) * derivative1(load<f32>(y + o), act));
      }
    }
    g = dz;
  }
  // dW (D, U) += xᵀ · g over the N rows in panels of 32 (one pass over N = 2048 ran at 8 GFLOP/s).
  gemmTNPanels(dW, U, x, D, g, ldy, D, U, N);
  if (db) colSumsStrided(db, g, ldy, N, U, 1);
  // dx (N, D) (+)= g (N, U) · Wᵀ, W (D, U) read as D rows of length U.
  if (dx) gemmNTCore(dx, D, g, ldy, W, U, N, D, U, 0, N, accumulateDx);
}

