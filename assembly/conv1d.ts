// Conv1D over time, TIME-major (the layout inside the model; the Embedding below it writes (T, B, E)).
// Legend: T input steps, B batch, C input channels, F filters, K kernel width, To output steps,
// s stride, d dilation, padL zero steps on the left (bindings/ derive To and padL from Keras' padding mode:
// valid / same / causal). x (T, B, C), W (K, C, F) Keras layout, b (F), y (To, B, F).
// Keras: https://keras.io/api/layers/convolution_layers/convolution1d/
//   y[t, b, :] = act(b + Σ_k x[t·s + k·d − padL, b, :] · W[k])   (terms outside [0, T) are zero padding)
// Time-major makes each tap k ONE GEMM over all valid output rows when s = 1 (the input rows of a tap are
// the contiguous block of steps [t0 + k·d − padL, t1 + k·d − padL)); with s > 1, one (B, C)·(C, F) GEMM
// per output step. Backward: dz = dy ⊙ act'(y); per tap dW[k] += x_blockᵀ·dz_block; dx_block += dz_block·W[k]ᵀ;
// db += colsum(dz).
// Preconditions (checked by bindings/): dims positive, To >= 1, 0 <= padL, buffers in memory, outputs do
// not overlap inputs (dz may equal dy).

import { gemmCore, gemmNTCore, colSumsStrided } from "./gemm-core";
import { ACT_LINEAR, activateInPlace, derivative1, derivative4 } from "./math";

/** First output step whose tap-k input step is >= 0. */
@inline function __t0(k: i32, s: i32, d: i32, padL: i32): i32 {
  const num = padL - k * d;
  return num <= 0 ? 0 : (num + s - 1) / s;
}

/** One past the last output step whose tap-k input step is < T (may be <= t0: no valid step). */
@inline function __t1(k: i32, T: i32, To: i32, s: i32, d: i32, padL: i32): i32 {
  const num = T - 1 + padL - k * d;
  return num < 0 ? 0 : min<i32>(To, num / s + 1);
}

export function conv1d_forward(
  y: usize, x: usize, W: usize, b: usize,
  T: i32, B: i32, C: i32, F: i32, K: i32, To: i32, s: i32, d: i32, padL: i32, act: i32
): void {
  const rowsOut = To * B;
  const F4 = <usize>F << 2;
  // y = bias broadcast (or zero), then every tap accumulates.
  for (let r = 0; r < rowsOut; r++) {
    if (b) memory.copy(y + <usize>r * F4, b, F4);
    else memory.fill(y + <usize>r * F4, 0, F4);
  }
  const BC4 = <usize>(B * C) << 2, BF4 = <usize>B * F4;
  for (let k = 0; k < K; k++) {
    const t0 = __t0(k, s, d, padL), t1 = __t1(k, T, To, s, d, padL);
    if (t1 <= t0) continue;
    const Wk = W + <usize>(k * C) * F4;
    if (s == 1) {
      const M = (t1 - t0) * B;
      gemmCore(y + <usize>t0 * BF4, F, x + <usize>(t0 + k * d - padL) * BC4, C, 1, Wk, F, M, F, C, 0, M, 1);
    } else {
      for (let t = t0; t < t1; t++) {
        gemmCore(y + <usize>t * BF4, F, x + <usize>(t * s + k * d - padL) * BC4, C, 1, Wk, F, B, F, C, 0, B, 1);
      }
    }
  }
  if (act != ACT_LINEAR) activateInPlace(y, rowsOut * F, act);
}

/**
 * dz (To, B, F) = dy ⊙ act'(y) (linear: dz is dy itself); dW (K, C, F) += …; db (F) += colsum(dz) (db = 0:
 * no bias); dx (T, B, C) = Σ_k …, or += with accumulateDx (dx = 0: not needed).
 */
export function conv1d_backward(
  dx: usize, dW: usize, db: usize, dz: usize, dy: usize, x: usize, W: usize, y: usize,
  T: i32, B: i32, C: i32, F: i32, K: i32, To: i32, s: i32, d: i32, padL: i32, act: i32, accumulateDx: i32
): void {
  const rowsOut = To * B;
  const n = rowsOut * F;
  let g = dy;
  if (act != ACT_LINEAR) {
    let i = 0;
    if (ASC_FEATURE_SIMD) {
      for (; i + 4 <= n; i += 4) {
        const o = <usize>i << 2;
        v128.store(dz + o, f32x4.mul(v128.load(dy + o), derivative4(v128.load(y + o), act)));
      }
    }
    for (; i < n; i++) {
      const o = <usize>i << 2;
      store<f32>(dz + o, load<f32>(dy + o) * derivative1(load<f32>(y + o), act));
    }
    g = dz;
  }
  if (db) colSumsStrided(db, g, F, rowsOut, F, 1);
  if (dx && !accumulateDx) memory.fill(dx, 0, <usize>(T * B * C) << 2);
  const F4 = <usize>F << 2;
  const BC4 = <usize>(B * C) << 2, BF4 = <usize>B * F4;
  for (let k = 0; k < K; k++) {
    const t0 = __t0(k, s, d, padL), t1 = __t1(k, T, To, s, d, padL);
    if (t1 <= t0) continue;
    const Wk = W + <usize>(k * C) * F4, dWk = dW + <usize>(k * C) * F4;
    if (s == 1) {
      const M = (t1 - t0) * B;
      const xs = x + <usize>(t0 + k * d - padL) * BC4, gs = g + <usize>t0 * BF4;
      // dW[k] (C, F) += x_blockᵀ (C, M) · g_block (M, F)
      gemmCore(dWk, F, xs, 1, C, gs, F, C, F, M, 0, C, 1);
      // dx_block (M, C) += g_block (M, F) · W[k]ᵀ, W[k] read as C rows of length F
      if (dx) gemmNTCore(dx + <usize>(t0 + k * d - padL) * BC4, C, gs, F, Wk, F, M, C, F, 0, M, 1);
    } else {
      for (let t = t0; t < t1; t++) {
        const ti = t * s + k * d - padL;
        const xs = x + <usize>ti * BC4, gs = g + <usize>t * BF4;
        gemmCore(dWk, F, xs, 1, C, gs, F, C, F, B, 0, C, 1);
        if (dx) gemmNTCore(dx + <usize>ti * BC4, C, gs, F, Wk, F, B, C, F, 0, B, 1);
      }
    }
  }
}
