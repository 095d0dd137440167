// LSTM over a whole sequence in ONE call: training forward, backward, inference-only forward.
// Keras layout and gate order [i | f | c(g) | o]; ABI (slots, masking, flags): docs/recurrent-abi.md.
// Legend: T steps, B batch, D input width, H units, G = 4H gate width.
//   z = x·W + b (one GEMM over T·B rows, hoisted) + h_prev·U (per step, fused with the pointwise maths)
//   i = ra(z_i), f = ra(z_f), g = act(z_g), o = ra(z_o);  c' = f·c + i·g;  h' = o·act(c')
// ra = recurrentActivation (sigmoid | hard_sigmoid), act = activation (tanh | relu | sigmoid | linear);
// approximation error bounds in math.ts. Backward uses the saved post-activations (no extra error).
// https://keras.io/api/layers/recurrent_layers/lstm/

import { activate1, activate4, derivative1, derivative4, sigmoid4, tanh4, ACT_TANH, ACT_SIGMOID } from "./math";
import { sum_squares } from "./vector";
import {
  FLAG_REVERSE, FLAG_ACCUMULATE_DX, FLAG_PER_GATE_RMASK, stepTime, prevSlot, outSlot, slotRow, rowState, stateRunEnd,
  ROW_LEADING, ROW_CARRY, ROW_FIRST,
  copyRow, addRow, zeroRow, outputRows, inputProjection, recurrentStepBackward, weightGradients,
  packWeights, inputProjectionPacked, recurrentStepPacked,
  maskedRecurrentBlocks, maskedRecurrentBlocksBackward,
} from "./recurrent-core";
import { lstmForwardRow, lstmForwardRowUnits } from "./recurrent-rows";
import { mustPack } from "./recurrent-packed";

// One row of the pointwise backward. dc (H) holds the carried dL/dc_t and is overwritten with the total
// dL/dc_t = carry + dh·o·act'(act(c_t)); dcPrev (H) receives dL/dc_{t-1} = total·f; dz (4H) the gate
// pre-activation gradients [di·ra'(i) | df·ra'(f) | dg·act'(g) | do·ra'(o)].
@inline function __backwardRow(
  dz: usize, dc: usize, dcPrev: usize, dh: usize, a: usize, cPrev: usize, cOut: usize, H: i32, act: i32, ract: i32
): void {
  const H4 = <usize>H << 2;
  let j = 0;
  if (ASC_FEATURE_SIMD) {
    for (; j + 4 <= H; j += 4) {
      const o = <usize>j << 2;
      const p = a + o;
      const gi = v128.load(p), gf = v128.load(p + H4), gg = v128.load(p + 2 * H4), go = v128.load(p + 3 * H4);
      const tc = activate4(v128.load(cOut + o), act);
      const dhv = v128.load(dh + o);
      const dct = f32x4.add(v128.load(dc + o), f32x4.mul(f32x4.mul(dhv, go), derivative4(tc, act)));
      v128.store(dc + o, dct);
      v128.store(dcPrev + o, f32x4.mul(dct, gf));
      const q = dz + o;
      v128.store(q, f32x4.mul(f32x4.mul(dct, gg), derivative4(gi, ract)));
      v128.store(q + H4, f32x4.mul(f32x4.mul(dct, v128.load(cPrev + o)), derivative4(gf, ract)));
      v128.store(q + 2 * H4, f32x4.mul(f32x4.mul(dct, gi), derivative4(gg, act)));
      v128.store(q + 3 * H4, f32x4.mul(f32x4.mul(dhv, tc), derivative4(go, ract)));
    }
  }
  for (; j < H; j++) {
    const o = <usize>j << 2;
    const p = a + o;
    const gi = load<f32>(p), gf = load<f32>(p + H4), gg = load<f32>(p + 2 * H4), go = load<f32>(p + 3 * H4);
    const tc = activate1(load<f32>(cOut + o), act);
    const dhv = load<f32>(dh + o);
    const dct = load<f32>(dc + o) + (dhv * go) * derivative1(tc, act);
    store<f32>(dc + o, dct);
    store<f32>(dcPrev + o, dct * gf);
    const q = dz + o;
    store<f32>(q, (dct * gg) * derivative1(gi, ract));
    store<f32>(q + H4, (dct * load<f32>(cPrev + o)) * derivative1(gf, ract));
    store<f32>(q + 2 * H4, (dct * gi) * derivative1(gg, act));
    store<f32>(q + 3 * H4, (dhv * tc) * derivative1(go, ract));
  }
}

/**
 * Training forward. h, c (T+1, B, H): the caller puts h0/c0 in slot 0 (slot T with REVERSE); the kernel
 * writes the other T slots. gates (T, B, 4H) out: activated [i | f | g | o] by time (zero rows at masked
 * steps). x (T, B, D); W (D, 4H); U (H, 4H); b (4H); lengths: (B) i32 lengths, a (T, B) u8 step mask with STEP_MASK, or 0 (docs/recurrent-abi.md "Masking").
 * rmask: recurrent dropout mask (B, H), or (4, B, H) with FLAG_PER_GATE_RMASK, or 0 (none): gates +=
 * (h_prev ⊙ m)·U; rscratch (max(B, 32), H) is used only with a mask.
 */
export function lstm_forward(
  h: usize, c: usize, gates: usize,
  x: usize, W: usize, U: usize, b: usize, lengths: usize, rmask: usize, rscratch: usize, work: usize,
  T: i32, B: i32, D: i32, H: i32, flags: i32, activation: i32, recurrentActivation: i32
): void {
  const G = H << 2;
  const perGate = (flags & FLAG_PER_GATE_RMASK) != 0;
  const reverse = (flags & FLAG_REVERSE) != 0;
  const s0 = reverse ? T : 0; // the h0 slot
  const Up = packWeights(work, W, U, D, H, G);
  inputProjectionPacked(gates, G, x, W, work, b, T * B, D, G);
  for (let k = 0; k < T; k++) {
    const t = stepTime(k, T, reverse);
    const ps = prevSlot(t, reverse), os = outSlot(t, reverse);
    const gt = gates + (<usize>t * <usize>B * <usize>G << 2);
    let b0 = 0;
    while (b0 < B) {
      const st = rowState(lengths, b0, k, t, T, B, flags);
      const b1 = stateRunEnd(lengths, st, b0, k, t, T, B, flags);
      if (st == ROW_LEADING || st == ROW_CARRY) {
        for (let r = b0; r < b1; r++) {
          // Keras: the output repeats the previous output (0 before the first valid step); c is carried.
          if (st == ROW_LEADING) zeroRow(slotRow(h, os, r, B, H), H);
          else copyRow(slotRow(h, os, r, B, H), slotRow(h, ps, r, B, H), H);
          copyRow(slotRow(c, os, r, B, H), slotRow(c, ps, r, B, H), H);
          zeroRow(gt + (<usize>r * <usize>G << 2), G);
        }
      } else {
        const hp = slotRow(h, st == ROW_FIRST ? s0 : ps, 0, B, H);
        if (rmask == 0) recurrentStepPacked(gt, G, hp, U, Up, B, H, G, b0, b1, (k & 1) != 0);
        else maskedRecurrentBlocks(gt, G, hp, rmask, perGate, rscratch, U, G, B, H, 4, b0, b1);
        for (let r = b0; r < b1; r++) {
          lstmForwardRow(gt + (<usize>r * <usize>G << 2), slotRow(c, ps, r, B, H), slotRow(c, os, r, B, H),
            slotRow(h, os, r, B, H), H, activation, recurrentActivation, true);
        }
      }
      b0 = b1;
    }
  }
}

/**
 * Backward over the whole sequence.
 * Outputs: dx (T, B, D) written (added with ACCUMULATE_DX; 0 = not needed); dW (D, 4H), dU (H, 4H), db (4H)
 * accumulated (+=); dc0 (B, H) = dL/dc0; dgates (T, B, 4H) pre-activation gate gradients; hnorm2 (T) and
 * cnorm2 (T), both f64 = ‖total dL/dh_t‖², ‖total dL/dc_t‖² (0 = not needed; f64: no underflow).
 * In/out: dh (T+1, B, H): upstream gradients in the output slots; the h0 slot is zeroed then ends as dh0,
 * the output slots end as the total dL/dh_t. dc (B, H): in the upstream dL/d(final c), then scratch.
 * Saved: x, W, U, gates, c, h from lstm_forward with the same lengths, flags and rmask (dh_prev gets
 * (dgates·Uᵀ) ⊙ m, dU += (h_prev ⊙ m)ᵀ·dgates; rscratch (max(B, 32), H) used only with a mask).
 */
export function lstm_backward(
  dx: usize, dW: usize, dU: usize, db: usize, dc0: usize, dgates: usize, hnorm2: usize, cnorm2: usize,
  dh: usize, dc: usize,
  x: usize, W: usize, U: usize, gates: usize, c: usize, h: usize, lengths: usize, rmask: usize, rscratch: usize,
  T: i32, B: i32, D: i32, H: i32, flags: i32, activation: i32, recurrentActivation: i32
): void {
  const G = H << 2;
  const perGate = (flags & FLAG_PER_GATE_RMASK) != 0;
  const reverse = (flags & FLAG_REVERSE) != 0;
  const BH = B * H;
  const s0 = reverse ? T : 0; // the h0 slot
  zeroRow(slotRow(dh, s0, 0, B, H), BH);
  // dc ping-pongs between the caller's scratch and dc0: `cur` holds dL/dc at the step's output slot.
  let cur = dc, other = dc0;
  for (let kk = 0; kk < T; kk++) {
    const k = T - 1 - kk;
    const t = stepTime(k, T, reverse);
    const ps = prevSlot(t, reverse), os = outSlot(t, reverse);
    const dgt = dgates + (<usize>t * <usize>B * <usize>G << 2);
    const at = gates + (<usize>t * <usize>B * <usize>G << 2);
    let b0 = 0;
    while (b0 < B) {
      const st = rowState(lengths, b0, k, t, T, B, flags);
      const b1 = stateRunEnd(lengths, st, b0, k, t, T, B, flags);
      if (st == ROW_LEADING || st == ROW_CARRY) {
        for (let r = b0; r < b1; r++) {
          const rh = <usize>r * <usize>H << 2;
          zeroRow(dgt + (<usize>r * <usize>G << 2), G);
          // A carried output passes its gradient to the previous slot; a leading output is the constant 0.
          if (st == ROW_CARRY) addRow(slotRow(dh, ps, r, B, H), slotRow(dh, os, r, B, H), H);
          else zeroRow(slotRow(dh, os, r, B, H), H);
          copyRow(other + rh, cur + rh, H);
        }
      } else {
        for (let r = b0; r < b1; r++) {
          const rg = <usize>r * <usize>G << 2, rh = <usize>r * <usize>H << 2;
          __backwardRow(dgt + rg, cur + rh, other + rh, slotRow(dh, os, r, B, H), at + rg,
            slotRow(c, ps, r, B, H), slotRow(c, os, r, B, H), H, activation, recurrentActivation);
        }
        const dhp = slotRow(dh, st == ROW_FIRST ? s0 : ps, 0, B, H);
        if (rmask == 0) recurrentStepBackward(dhp, dgt, G, U, G, B, H, G, b0, b1);
        else maskedRecurrentBlocksBackward(dhp, dgt, G, U, G, rmask, perGate, rscratch, B, H, 4, b0, b1);
      }
      b0 = b1;
    }
    if (hnorm2 != 0) store<f64>(hnorm2 + (<usize>t << 3), sum_squares(slotRow(dh, os, 0, B, H), BH));
    if (cnorm2 != 0) store<f64>(cnorm2 + (<usize>t << 3), sum_squares(cur, BH));
    const swap = cur;
    cur = other;
    other = swap;
  }
  if (cur != dc0) copyRow(dc0, cur, BH);
  weightGradients(dx, dW, dU, db, dgates, G, x, W, slotRow(h, reverse ? 1 : 0, 0, B, H), T * B, D, H, G,
    (flags & FLAG_ACCUMULATE_DX) != 0, rmask, perGate, rscratch, B, lengths, T, flags, slotRow(h, s0, 0, B, H));
}

// Floats of projected gates lstm_infer keeps at once (256 KB).
const PROJECT_FLOATS: i32 = 1 << 16;

/**
 * Inference-only forward: saves nothing for backward. h, c (B, H): the initial state in, the final state
 * out. y (T, B, H): the output at every time (0 = last output only, which is h). scratch (T, B, 4H): the
 * input projection. work ((D + H)·4H floats, or 0): W and U packed into panels (recurrent-core packWeights);
 * with FLAG_PREPACKED (recurrent-packed.ts) work already holds them. Same lengths, flags and activations as
 * lstm_forward.
 */
export function lstm_infer(
  y: usize, h: usize, c: usize, scratch: usize, work: usize,
  x: usize, W: usize, U: usize, b: usize, lengths: usize,
  T: i32, B: i32, D: i32, H: i32, flags: i32, activation: i32, recurrentActivation: i32
): void {
  const G = H << 2;
  const reverse = (flags & FLAG_REVERSE) != 0;
  // FLAG_PREPACKED (recurrent-packed.ts): work already holds the panels (the caller's cache), U's after W's.
  const Up = mustPack(work, flags) ? packWeights(work, W, U, D, H, G) : work == 0 ? 0 : work + (<usize>D * <usize>G << 2);
  // Unpacked: the projection hoisted over all T·B rows. Packed: projected Tc steps at a time into the first
  // Tc·B rows of scratch (same bits: rows are independent), Tc·B·4H ≤ 64 K floats so the block stays in
  // cache (at B = 32 the whole (T, B, 4H) block is 8 MB; Tc = 2). At B = 1 (Tc = 64 at H = 256) W is read
  // once per call instead of once per step, and the product is a 64-row GEMM instead of 64 GEMVs.
  if (Up == 0) inputProjection(scratch, G, x, W, b, T * B, D, G);
  const Tc = Up == 0 ? T : max<i32>(1, min<i32>(T, PROJECT_FLOATS / (B * G)));
  let lo = 0; // the first time of the projected chunk
  for (let k = 0; k < T; k++) {
    const t = stepTime(k, T, reverse);
    let st = scratch + (<usize>t * <usize>B * <usize>G << 2);
    if (Up != 0) {
      if (k % Tc == 0) {
        const n = min<i32>(Tc, T - k);
        lo = reverse ? t - n + 1 : t;
        inputProjectionPacked(scratch, G, x + (<usize>lo * <usize>B * <usize>D << 2), W, work, b, n * B, D, G);
      }
      st = scratch + (<usize>(t - lo) * <usize>B * <usize>G << 2);
    }
    let b0 = 0;
    while (b0 < B) {
      const rs = rowState(lengths, b0, k, t, T, B, flags);
      const b1 = stateRunEnd(lengths, rs, b0, k, t, T, B, flags);
      if (rs != ROW_LEADING && rs != ROW_CARRY) {
        recurrentStepPacked(st, G, h, U, Up, B, H, G, b0, b1, (k & 1) != 0);
        for (let r = b0; r < b1; r++) {
          const rh = <usize>r * <usize>H << 2;
          __inferRow(st + (<usize>r * <usize>G << 2), c + rh, h + rh, H, activation, recurrentActivation);
        }
      }
      b0 = b1;
    }
    if (y != 0) outputRows(y + (<usize>t * <usize>(B * H) << 2), h, lengths, k, t, T, B, H, flags);
  }
}

// ---- Row-range forms for threads (bindings/threads/): each thread runs the same walk over batch rows
// [r0, r1) only. Rows are independent sequences, so every element is computed exactly as in the whole-batch
// kernel (same sums in the same order): the results are bit-identical for any split. `work` must already
// hold W and U packed (recurrent_pack_weights, called once by the dispatching thread), or be 0 (unpacked).
// The input projection runs per step on the range's rows (rows t·B + [r0, r1) are not contiguous over T).

/** lstm_forward over batch rows [r0, r1); rmask must be 0 (the dispatcher runs masked calls on one thread). */
export function lstm_forward_rows(
  h: usize, c: usize, gates: usize,
  x: usize, W: usize, U: usize, b: usize, lengths: usize, work: usize,
  T: i32, B: i32, D: i32, H: i32, flags: i32, activation: i32, recurrentActivation: i32, r0: i32, r1: i32
): void {
  const G = H << 2;
  const reverse = (flags & FLAG_REVERSE) != 0;
  const s0 = reverse ? T : 0; // the h0 slot
  const Up: usize = work == 0 ? <usize>0 : work + (<usize>D * <usize>G << 2);
  const n = r1 - r0;
  for (let k = 0; k < T; k++) {
    const t = stepTime(k, T, reverse);
    const ps = prevSlot(t, reverse), os = outSlot(t, reverse);
    const gt = gates + (<usize>t * <usize>B * <usize>G << 2);
    const row = <usize>t * <usize>B + <usize>r0;
    inputProjectionPacked(gt + (<usize>r0 * <usize>G << 2), G, x + (row * <usize>D << 2), W, work, b, n, D, G);
    let b0 = r0;
    while (b0 < r1) {
      const st = rowState(lengths, b0, k, t, T, B, flags);
      const b1 = min<i32>(stateRunEnd(lengths, st, b0, k, t, T, B, flags), r1);
      if (st == ROW_LEADING || st == ROW_CARRY) {
        for (let r = b0; r < b1; r++) {
          if (st == ROW_LEADING) zeroRow(slotRow(h, os, r, B, H), H);
          else copyRow(slotRow(h, os, r, B, H), slotRow(h, ps, r, B, H), H);
          copyRow(slotRow(c, os, r, B, H), slotRow(c, ps, r, B, H), H);
          zeroRow(gt + (<usize>r * <usize>G << 2), G);
        }
      } else {
        recurrentStepPacked(gt, G, slotRow(h, st == ROW_FIRST ? s0 : ps, 0, B, H), U, Up, B, H, G, b0, b1, (k & 1) != 0);
        for (let r = b0; r < b1; r++) {
          lstmForwardRow(gt + (<usize>r * <usize>G << 2), slotRow(c, ps, r, B, H), slotRow(c, os, r, B, H),
            slotRow(h, os, r, B, H), H, activation, recurrentActivation, true);
        }
      }
      b0 = b1;
    }
  }
}

/**
 * The sequential sweep of lstm_backward over batch rows [r0, r1): dgates, dh (h0 slot zeroed then dh0,
 * output slots the total dL/dh_t) and dc0 of those rows; dc (B, H) the caller's carry scratch. hnorm2 and
 * cnorm2 (T f64 each, or 0) receive this range's PARTIAL sums of squares (the dispatcher adds the ranges in
 * order). The weight gradients follow as recurrent_weight_gradients_part; rmask must be 0.
 */
export function lstm_backward_rows(
  dc0: usize, dgates: usize, hnorm2: usize, cnorm2: usize, dh: usize, dc: usize,
  U: usize, gates: usize, c: usize, lengths: usize,
  T: i32, B: i32, H: i32, flags: i32, activation: i32, recurrentActivation: i32, r0: i32, r1: i32
): void {
  const G = H << 2;
  const reverse = (flags & FLAG_REVERSE) != 0;
  const n = r1 - r0;
  const nH = n * H;
  const rowOff = <usize>r0 * <usize>H << 2;
  const s0 = reverse ? T : 0;
  zeroRow(slotRow(dh, s0, r0, B, H), nH);
  let cur = dc, other = dc0;
  for (let kk = 0; kk < T; kk++) {
    const k = T - 1 - kk;
    const t = stepTime(k, T, reverse);
    const ps = prevSlot(t, reverse), os = outSlot(t, reverse);
    const dgt = dgates + (<usize>t * <usize>B * <usize>G << 2);
    const at = gates + (<usize>t * <usize>B * <usize>G << 2);
    let b0 = r0;
    while (b0 < r1) {
      const st = rowState(lengths, b0, k, t, T, B, flags);
      const b1 = min<i32>(stateRunEnd(lengths, st, b0, k, t, T, B, flags), r1);
      if (st == ROW_LEADING || st == ROW_CARRY) {
        for (let r = b0; r < b1; r++) {
          const rh = <usize>r * <usize>H << 2;
          zeroRow(dgt + (<usize>r * <usize>G << 2), G);
          if (st == ROW_CARRY) addRow(slotRow(dh, ps, r, B, H), slotRow(dh, os, r, B, H), H);
          else zeroRow(slotRow(dh, os, r, B, H), H);
          copyRow(other + rh, cur + rh, H);
        }
      } else {
        for (let r = b0; r < b1; r++) {
          const rg = <usize>r * <usize>G << 2, rh = <usize>r * <usize>H << 2;
          __backwardRow(dgt + rg, cur + rh, other + rh, slotRow(dh, os, r, B, H), at + rg,
            slotRow(c, ps, r, B, H), slotRow(c, os, r, B, H), H, activation, recurrentActivation);
        }
        recurrentStepBackward(slotRow(dh, st == ROW_FIRST ? s0 : ps, 0, B, H), dgt, G, U, G, B, H, G, b0, b1);
      }
      b0 = b1;
    }
    if (hnorm2 != 0) store<f64>(hnorm2 + (<usize>t << 3), sum_squares(slotRow(dh, os, r0, B, H), nH));
    if (cnorm2 != 0) store<f64>(cnorm2 + (<usize>t << 3), sum_squares(cur + rowOff, nH));
    const swap = cur;
    cur = other;
    other = swap;
  }
  if (cur != dc0) copyRow(dc0 + rowOff, cur + rowOff, nH);
}

/** lstm_infer over batch rows [r0, r1) (work pre-packed or 0; scratch rows [r0, r1) of its first B rows). */
export function lstm_infer_rows(
  y: usize, h: usize, c: usize, scratch: usize, work: usize,
  x: usize, W: usize, U: usize, b: usize, lengths: usize,
  T: i32, B: i32, D: i32, H: i32, flags: i32, activation: i32, recurrentActivation: i32, r0: i32, r1: i32
): void {
  const G = H << 2;
  const reverse = (flags & FLAG_REVERSE) != 0;
  const Up: usize = work == 0 ? <usize>0 : work + (<usize>D * <usize>G << 2);
  const n = r1 - r0;
  for (let k = 0; k < T; k++) {
    const t = stepTime(k, T, reverse);
    inputProjectionPacked(scratch + (<usize>r0 * <usize>G << 2), G, x + ((<usize>t * <usize>B + <usize>r0) * <usize>D << 2), W, work, b, n, D, G);
    let b0 = r0;
    while (b0 < r1) {
      const rs = rowState(lengths, b0, k, t, T, B, flags);
      const b1 = min<i32>(stateRunEnd(lengths, rs, b0, k, t, T, B, flags), r1);
      if (rs != ROW_LEADING && rs != ROW_CARRY) {
        recurrentStepPacked(scratch, G, h, U, Up, B, H, G, b0, b1, (k & 1) != 0);
        for (let r = b0; r < b1; r++) {
          const rh = <usize>r * <usize>H << 2;
          __inferRow(scratch + (<usize>r * <usize>G << 2), c + rh, h + rh, H, activation, recurrentActivation);
        }
      }
      b0 = b1;
    }
    if (y != 0) {
      const yt = y + ((<usize>t * <usize>B + <usize>r0) * <usize>H << 2);
      copyRow(yt, h + (<usize>r0 * <usize>H << 2), n * H);
      if (lengths != 0) {
        for (let r = r0; r < r1; r++) {
          if (rowState(lengths, r, k, t, T, B, flags) == ROW_LEADING) zeroRow(yt + (<usize>(r - r0) * <usize>H << 2), H);
        }
      }
    }
  }
}

// One inference row's pointwise maths (lstmForwardRow, save = false, c in place). Keras' default activations
// (tanh, sigmoid) take __rowTanhSigmoid: 1.01–1.02× at B = 1 and 1.01–1.035× at B = 32 per lstm_infer call
// (A/B alternating in one process, simd and relaxed builds, same bits checked).
@inline function __inferRow(z: usize, c: usize, h: usize, H: i32, act: i32, ract: i32): void {
  if (act == ACT_TANH && ract == ACT_SIGMOID) __rowTanhSigmoid(z, c, h, H);
  else lstmForwardRow(z, c, c, h, H, act, ract, false);
}

// lstmForwardRow (save = false, c in place) for tanh / sigmoid, two groups of 4 units per iteration with
// tanh4 / sigmoid4 called directly: the same operations per unit (activate4 dispatches to exactly these),
// hence the same bits; the remainder through lstmForwardRowUnits (the same SIMD / scalar split of units).
function __rowTanhSigmoid(z: usize, c: usize, h: usize, H: i32): void {
  const H4 = <usize>H << 2;
  let j = 0;
  if (ASC_FEATURE_SIMD) {
    for (; j + 8 <= H; j += 8) {
      const o = <usize>j << 2, p = z + o;
      const gi0 = sigmoid4(v128.load(p)), gi1 = sigmoid4(v128.load(p, 16));
      const gf0 = sigmoid4(v128.load(p + H4)), gf1 = sigmoid4(v128.load(p + H4, 16));
      const gg0 = tanh4(v128.load(p + 2 * H4)), gg1 = tanh4(v128.load(p + 2 * H4, 16));
      const go0 = sigmoid4(v128.load(p + 3 * H4)), go1 = sigmoid4(v128.load(p + 3 * H4, 16));
      const c0 = f32x4.add(f32x4.mul(gf0, v128.load(c + o)), f32x4.mul(gi0, gg0));
      const c1 = f32x4.add(f32x4.mul(gf1, v128.load(c + o, 16)), f32x4.mul(gi1, gg1));
      v128.store(c + o, c0); v128.store(c + o, c1, 16);
      v128.store(h + o, f32x4.mul(go0, tanh4(c0))); v128.store(h + o, f32x4.mul(go1, tanh4(c1)), 16);
    }
  }
  lstmForwardRowUnits(z, c, c, h, H, j, H, ACT_TANH, ACT_SIGMOID);
}
