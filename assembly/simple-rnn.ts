// SimpleRNN over a whole sequence in ONE call: training forward, backward, inference-only forward.
// ABI (slots, masking, flags): docs/recurrent-abi.md. Legend: T steps, B batch, D input width, H units (G = H).
//   h' = act(x·W + b + h·U)   (x·W + b: one GEMM over T·B rows, straight into the output slots)
// act = activation (tanh | relu | sigmoid | linear); backward takes act' from the saved output h'.
// https://keras.io/api/layers/recurrent_layers/simple_rnn/

import { activate1, activate4, derivative1, derivative4, activateInPlace } from "./math";
import { sum_squares } from "./vector";
import {
  FLAG_REVERSE, FLAG_ACCUMULATE_DX, stepTime, prevSlot, outSlot, slotRow, rowState, stateRunEnd,
  ROW_LEADING, ROW_CARRY, ROW_FIRST, copyRow, addRow, zeroRow, outputRows, recurrentStepBackward, weightGradients,
  packWeights, inputProjectionPacked, recurrentStepPacked,
  maskedRecurrentStep, maskedRecurrentStepBackward,
} from "./recurrent-core";
import { mustPack } from "./recurrent-packed";

// dst[0..n) = act(src[0..n)).
@inline function __activateInto(dst: usize, src: usize, n: i32, kind: i32): void {
  let j = 0;
  if (ASC_FEATURE_SIMD) {
    for (; j + 4 <= n; j += 4) {
      const o = <usize>j << 2;
      v128.store(dst + o, activate4(v128.load(src + o), kind));
    }
  }
  for (; j < n; j++) {
    const o = <usize>j << 2;
    store<f32>(dst + o, activate1(load<f32>(src + o), kind));
  }
}

// dz[0..n) = dh · act'(y), the derivative from the saved output y.
@inline function __gradInto(dz: usize, dh: usize, y: usize, n: i32, kind: i32): void {
  let j = 0;
  if (ASC_FEATURE_SIMD) {
    for (; j + 4 <= n; j += 4) {
      const o = <usize>j << 2;
      v128.store(dz + o, f32x4.mul(v128.load(dh + o), derivative4(v128.load(y + o), kind)));
    }
  }
  for (; j < n; j++) {
    const o = <usize>j << 2;
    store<f32>(dz + o, load<f32>(dh + o) * derivative1(load<f32>(y + o), kind));
  }
}

/**
 * Training forward. h (T+1, B, H): the caller puts h0 in slot 0 (slot T with REVERSE); the kernel writes
 * the other T slots (they also hold the pre-activations while the sweep runs). x (T, B, D); W (D, H);
 * U (H, H); b (H); lengths: (B) i32 lengths, a (T, B) u8 step mask with STEP_MASK, or 0 (docs/recurrent-abi.md "Masking"). rmask: recurrent dropout mask (B, H) or 0 (none): h' =
 * act(x·W + b + (h ⊙ m)·U); rscratch (max(B, 32), H) is used only with a mask.
 */
export function simple_rnn_forward(
  h: usize,
  x: usize, W: usize, U: usize, b: usize, lengths: usize, rmask: usize, rscratch: usize, work: usize,
  T: i32, B: i32, D: i32, H: i32, flags: i32, activation: i32
): void {
  const reverse = (flags & FLAG_REVERSE) != 0;
  const s0 = reverse ? T : 0; // the h0 slot
  const Up = packWeights(work, W, U, D, H, H);
  // The output slots of times 0..T-1 are contiguous: slots 1..T forward, 0..T-1 reverse.
  inputProjectionPacked(slotRow(h, reverse ? 0 : 1, 0, B, H), H, x, W, work, b, T * B, D, H);
  for (let k = 0; k < T; k++) {
    const t = stepTime(k, T, reverse);
    const ps = prevSlot(t, reverse), os = outSlot(t, reverse);
    let b0 = 0;
    while (b0 < B) {
      const st = rowState(lengths, b0, k, t, T, B, flags);
      const b1 = stateRunEnd(lengths, st, b0, k, t, T, B, flags);
      if (st == ROW_LEADING) {
        zeroRow(slotRow(h, os, b0, B, H), (b1 - b0) * H); // Keras: 0 before the first valid step
      } else if (st == ROW_CARRY) {
        copyRow(slotRow(h, os, b0, B, H), slotRow(h, ps, b0, B, H), (b1 - b0) * H);
      } else {
        const hp = slotRow(h, st == ROW_FIRST ? s0 : ps, 0, B, H);
        if (rmask == 0) recurrentStepPacked(slotRow(h, os, 0, B, H), H, hp, U, Up, B, H, H, b0, b1, (k & 1) != 0);
        else maskedRecurrentStep(slotRow(h, os, 0, B, H), H, hp, rmask, rscratch, U, H, B, H, H, b0, b1);
        activateInPlace(slotRow(h, os, b0, B, H), (b1 - b0) * H, activation);
      }
      b0 = b1;
    }
  }
}

/**
 * Backward over the whole sequence.
 * Outputs: dx (T, B, D) written (added with ACCUMULATE_DX; 0 = not needed); dW (D, H), dU (H, H), db (H)
 * accumulated (+=); dgates (T, B, H) pre-activation gradients; hnorm2 (T) f64 = ‖total dL/dh_t‖² (0 = not needed; f64 so tiny norms do not underflow).
 * In/out: dh (T+1, B, H): upstream gradients in the output slots; the h0 slot is zeroed then ends as dh0,
 * the output slots end as the total dL/dh_t. Saved: x, W, U, h from simple_rnn_forward (same flags, lengths,
 * rmask: dh_prev gets (dgates·Uᵀ) ⊙ m, dU += (h_prev ⊙ m)ᵀ·dgates; rscratch (max(B, 32), H)).
 */
export function simple_rnn_backward(
  dx: usize, dW: usize, dU: usize, db: usize, dgates: usize, hnorm2: usize,
  dh: usize,
  x: usize, W: usize, U: usize, h: usize, lengths: usize, rmask: usize, rscratch: usize,
  T: i32, B: i32, D: i32, H: i32, flags: i32, activation: i32
): void {
  const reverse = (flags & FLAG_REVERSE) != 0;
  const BH = B * H;
  const s0 = reverse ? T : 0; // the h0 slot
  zeroRow(slotRow(dh, s0, 0, B, H), BH);
  for (let kk = 0; kk < T; kk++) {
    const k = T - 1 - kk;
    const t = stepTime(k, T, reverse);
    const ps = prevSlot(t, reverse), os = outSlot(t, reverse);
    const dgt = dgates + (<usize>t * <usize>BH << 2);
    let b0 = 0;
    while (b0 < B) {
      const st = rowState(lengths, b0, k, t, T, B, flags);
      const b1 = stateRunEnd(lengths, st, b0, k, t, T, B, flags);
      const n = (b1 - b0) * H;
      const rows = <usize>b0 * <usize>H << 2;
      if (st == ROW_LEADING) {
        zeroRow(dgt + rows, n);
        zeroRow(slotRow(dh, os, b0, B, H), n); // the leading output is the constant 0
      } else if (st == ROW_CARRY) {
        zeroRow(dgt + rows, n);
        addRow(slotRow(dh, ps, b0, B, H), slotRow(dh, os, b0, B, H), n);
      } else {
        const dhp = slotRow(dh, st == ROW_FIRST ? s0 : ps, 0, B, H);
        __gradInto(dgt + rows, slotRow(dh, os, b0, B, H), slotRow(h, os, b0, B, H), n, activation);
        if (rmask == 0) recurrentStepBackward(dhp, dgt, H, U, H, B, H, H, b0, b1);
        else maskedRecurrentStepBackward(dhp, dgt, H, U, H, rmask, rscratch, B, H, H, b0, b1);
      }
      b0 = b1;
    }
    if (hnorm2 != 0) store<f64>(hnorm2 + (<usize>t << 3), sum_squares(slotRow(dh, os, 0, B, H), BH));
  }
  weightGradients(dx, dW, dU, db, dgates, H, x, W, slotRow(h, reverse ? 1 : 0, 0, B, H), T * B, D, H, H,
    (flags & FLAG_ACCUMULATE_DX) != 0, rmask, false, rscratch, B, lengths, T, flags, slotRow(h, s0, 0, B, H));
}

/**
 * Inference-only forward: saves nothing for backward. h (B, H): the initial state in, the final state out.
 * y (T, B, H): the output at every time (0 = last output only, which is h). scratch (T, B, H): the input
 * projection. work ((D + H)·H floats, or 0): W and U packed, by this call or (FLAG_PREPACKED) an earlier one.
 * Same lengths, flags and activation as simple_rnn_forward.
 */
export function simple_rnn_infer(
  y: usize, h: usize, scratch: usize, work: usize,
  x: usize, W: usize, U: usize, b: usize, lengths: usize,
  T: i32, B: i32, D: i32, H: i32, flags: i32, activation: i32
): void {
  const reverse = (flags & FLAG_REVERSE) != 0;
  // FLAG_PREPACKED (recurrent-packed.ts): work already holds the panels (the caller's cache), U's after W's.
  const Up = mustPack(work, flags) ? packWeights(work, W, U, D, H, H) : work == 0 ? 0 : work + (<usize>D * <usize>H << 2);
  inputProjectionPacked(scratch, H, x, W, work, b, T * B, D, H);
  for (let k = 0; k < T; k++) {
    const t = stepTime(k, T, reverse);
    const st = scratch + (<usize>t * <usize>(B * H) << 2);
    let b0 = 0;
    while (b0 < B) {
      const rs = rowState(lengths, b0, k, t, T, B, flags);
      const b1 = stateRunEnd(lengths, rs, b0, k, t, T, B, flags);
      if (rs != ROW_LEADING && rs != ROW_CARRY) {
        recurrentStepPacked(st, H, h, U, Up, B, H, H, b0, b1, (k & 1) != 0);
        const rows = <usize>b0 * <usize>H << 2;
        __activateInto(h + rows, st + rows, (b1 - b0) * H, activation);
      }
      b0 = b1;
    }
    if (y != 0) outputRows(y + (<usize>t * <usize>(B * H) << 2), h, lengths, k, t, T, B, H, flags);
  }
}
