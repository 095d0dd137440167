// GRU over a whole sequence in ONE call: training forward, backward, inference-only forward; both Keras
// variants (RESET_AFTER flag: Keras 3 default; without it: Keras 2 / tfjs). ABI: docs/recurrent-abi.md;
// backward derivation: docs/gru.md. Legend: T steps, B batch, D input width, H units, G = 3H gate width
// (blocks [z | r | n]), S = 4H saved width.
//   resetAfter:  z, r = ra(x·W + b_i + h·U + b_r);  hn = h·U_n + b_rn;  n = act(x·W_n + b_in + r ⊙ hn)
//   !resetAfter: z, r = ra(x·W + b + h·U);          hn = r ⊙ h;         n = act(x·W_n + b_n + hn·U_n)
//   h' = z ⊙ h + (1 − z) ⊙ n   (z weights the OLD state, as in Keras)
// Saved gates (T, B, 4H) = [z | r | n | hn]; dgates (T, B, 4H) = [dz_pre | dr_pre | dn_pre | dn_rec] with
// dn_rec the gradient of the n block's recurrent GEMM input side: r ⊙ dn_pre (resetAfter) or dn_pre.
// ra = recurrentActivation (sigmoid | hard_sigmoid), act = activation (tanh | relu | sigmoid | linear);
// error bounds in math.ts. Backward uses saved post-activations (no extra error).
// https://keras.io/api/layers/recurrent_layers/gru/

import { gemmCore, gemmNTCore, biasAddStrided, colSumsStrided } from "./gemm-core";
import { activate1, activate4, derivative1, derivative4 } from "./math";
import { sum_squares } from "./vector";
import {
  FLAG_REVERSE, FLAG_ACCUMULATE_DX, FLAG_RESET_AFTER, FLAG_PER_GATE_RMASK, stepTime, prevSlot, outSlot, slotRow,
  rowState, stateRunEnd, ROW_LEADING, ROW_CARRY, ROW_FIRST, outputRows, firstStepWeightGradient, copyRow, addRow, zeroRow, recurrentStep, recurrentStepBackward, gemmTNPanels,
  maskBlock, mulInto, maskedRecurrentStep, maskedRecurrentStepBackward, gemmTNPanelsMasked, inputProjectionPacked,
} from "./recurrent-core";
import { gemmPacked, packPanels } from "./packed-gemm";
import { gruForwardRowAfter, gruForwardGatesBefore, gruForwardRowBefore } from "./recurrent-rows";
import { mustPack } from "./recurrent-packed";

// ---- pointwise rows: the forward ones are in recurrent-rows.ts (shared with infer-recurrent.ts).

// Backward rows (dg: one row of dgates (4H); dho: total dL/dh at the output (H); dhp: dL/dh_prev (H), +=;
// a: the saved gates row [z | r | n | hn]; hp: h_prev).
//   dn_pre = dh·(1 − z)·act'(n);  dz_pre = dh·(h_prev − n)·ra'(z);  dh_prev += dh·z

// resetAfter: dr_pre = dn_pre·hn·ra'(r);  dn_rec = dn_pre·r (gradient of hn = h·U_n + b_rn).
@inline function __backwardRowAfter(dg: usize, dho: usize, dhp: usize, a: usize, hp: usize, H: i32, act: i32, ract: i32): void {
  const H4 = <usize>H << 2;
  let j = 0;
  if (ASC_FEATURE_SIMD) {
    const one = f32x4.splat(1);
    for (; j + 4 <= H; j += 4) {
      const o = <usize>j << 2;
      const p = a + o;
      const z = v128.load(p), r = v128.load(p + H4), n = v128.load(p + 2 * H4), hn = v128.load(p + 3 * H4);
      const d = v128.load(dho + o);
      const dn = f32x4.mul(f32x4.mul(d, f32x4.sub(one, z)), derivative4(n, act));
      const q = dg + o;
      v128.store(q, f32x4.mul(f32x4.mul(d, f32x4.sub(v128.load(hp + o), n)), derivative4(z, ract)));
      v128.store(q + H4, f32x4.mul(f32x4.mul(dn, hn), derivative4(r, ract)));
      v128.store(q + 2 * H4, dn);
      v128.store(q + 3 * H4, f32x4.mul(dn, r));
      v128.store(dhp + o, f32x4.add(v128.load(dhp + o), f32x4.mul(d, z)));
    }
  }
  for (; j < H; j++) {
    const o = <usize>j << 2;
    const p = a + o;
    const z = load<f32>(p), r = load<f32>(p + H4), n = load<f32>(p + 2 * H4), hn = load<f32>(p + 3 * H4);
    const d = load<f32>(dho + o);
    const dn = (d * (<f32>1 - z)) * derivative1(n, act);
    const q = dg + o;
    store<f32>(q, (d * (load<f32>(hp + o) - n)) * derivative1(z, ract));
    store<f32>(q + H4, (dn * hn) * derivative1(r, ract));
    store<f32>(q + 2 * H4, dn);
    store<f32>(q + 3 * H4, dn * r);
    store<f32>(dhp + o, load<f32>(dhp + o) + d * z);
  }
}

// !resetAfter, first half: dz_pre, dn_pre and dh·z (dr needs d(r ⊙ h) = dn_pre · U_nᵀ first).
@inline function __backwardRowBefore1(dg: usize, dho: usize, dhp: usize, a: usize, hp: usize, H: i32, act: i32, ract: i32): void {
  const H4 = <usize>H << 2;
  let j = 0;
  if (ASC_FEATURE_SIMD) {
    const one = f32x4.splat(1);
    for (; j + 4 <= H; j += 4) {
      const o = <usize>j << 2;
      const p = a + o;
      const z = v128.load(p), n = v128.load(p + 2 * H4);
      const d = v128.load(dho + o);
      const q = dg + o;
      v128.store(q, f32x4.mul(f32x4.mul(d, f32x4.sub(v128.load(hp + o), n)), derivative4(z, ract)));
      v128.store(q + 2 * H4, f32x4.mul(f32x4.mul(d, f32x4.sub(one, z)), derivative4(n, act)));
      v128.store(dhp + o, f32x4.add(v128.load(dhp + o), f32x4.mul(d, z)));
    }
  }
  for (; j < H; j++) {
    const o = <usize>j << 2;
    const p = a + o;
    const z = load<f32>(p), n = load<f32>(p + 2 * H4);
    const d = load<f32>(dho + o);
    const q = dg + o;
    store<f32>(q, (d * (load<f32>(hp + o) - n)) * derivative1(z, ract));
    store<f32>(q + 2 * H4, (d * (<f32>1 - z)) * derivative1(n, act));
    store<f32>(dhp + o, load<f32>(dhp + o) + d * z);
  }
}

// !resetAfter, second half: block 4 of dg holds d(r ⊙ h); dr_pre = d(r⊙h)·h_prev·ra'(r),
// dh_prev += d(r⊙h)·r; then block 4 becomes dn_rec = dn_pre (the n-block GEMM's own gradient).
@inline function __backwardRowBefore2(dg: usize, dhp: usize, a: usize, hp: usize, H: i32, ract: i32): void {
  const H4 = <usize>H << 2;
  let j = 0;
  if (ASC_FEATURE_SIMD) {
    for (; j + 4 <= H; j += 4) {
      const o = <usize>j << 2;
      const q = dg + o;
      const r = v128.load(a + o + H4);
      const drh = v128.load(q + 3 * H4);
      v128.store(q + H4, f32x4.mul(f32x4.mul(drh, v128.load(hp + o)), derivative4(r, ract)));
      v128.store(dhp + o, f32x4.add(v128.load(dhp + o), f32x4.mul(drh, r)));
      v128.store(q + 3 * H4, v128.load(q + 2 * H4));
    }
  }
  for (; j < H; j++) {
    const o = <usize>j << 2;
    const q = dg + o;
    const r = load<f32>(a + o + H4);
    const drh = load<f32>(q + 3 * H4);
    store<f32>(q + H4, (drh * load<f32>(hp + o)) * derivative1(r, ract));
    store<f32>(dhp + o, load<f32>(dhp + o) + drh * r);
    store<f32>(q + 3 * H4, load<f32>(q + 2 * H4));
  }
}

// !resetAfter with recurrent dropout: as __backwardRowBefore2 with the masked state h_prev ⊙ m_n (the factor
// r multiplies in the forward): dr_pre = d(r⊙hm)·(h_prev ⊙ m_n)·ra'(r), dh_prev += d(r⊙hm)·r·m_n.
@inline function __backwardRowBefore2Masked(dg: usize, dhp: usize, a: usize, hp: usize, mn: usize, H: i32, ract: i32): void {
  const H4 = <usize>H << 2;
  let j = 0;
  if (ASC_FEATURE_SIMD) {
    for (; j + 4 <= H; j += 4) {
      const o = <usize>j << 2;
      const q = dg + o;
      const r = v128.load(a + o + H4);
      const m = v128.load(mn + o);
      const drh = v128.load(q + 3 * H4);
      v128.store(q + H4, f32x4.mul(f32x4.mul(drh, f32x4.mul(v128.load(hp + o), m)), derivative4(r, ract)));
      v128.store(dhp + o, f32x4.add(v128.load(dhp + o), f32x4.mul(f32x4.mul(drh, r), m)));
      v128.store(q + 3 * H4, v128.load(q + 2 * H4));
    }
  }
  for (; j < H; j++) {
    const o = <usize>j << 2;
    const q = dg + o;
    const r = load<f32>(a + o + H4);
    const m = load<f32>(mn + o);
    const drh = load<f32>(q + 3 * H4);
    store<f32>(q + H4, (drh * (load<f32>(hp + o) * m)) * derivative1(r, ract));
    store<f32>(dhp + o, load<f32>(dhp + o) + (drh * r) * m);
    store<f32>(q + 3 * H4, load<f32>(q + 2 * H4));
  }
}

// ---- one forward step over the valid rows [b0, b1) (shared by training and inference)
// gt: the step's (B, 4H) gates block with the projection in blocks 1-3; hp, ho: (B, H) state rows of the
// previous / this step (ho may equal hp); brn: b_rn (H), resetAfter only.

function __forwardStep(
  gt: usize, hp: usize, ho: usize, U: usize, Pzr: usize, brn: usize, B: i32, H: i32, b0: i32, b1: i32,
  resetAfter: bool, act: i32, ract: i32, save: bool, rmask: usize, perGate: bool, scratch: usize
): void {
  const G = 3 * H, S = H << 2;
  const H4 = <usize>H << 2, S4 = <usize>S << 2;
  // Packed U (Pzr != 0, packGru): U_zr panels at Pzr, U_n panels after them.
  const Pn: usize = Pzr == 0 ? 0 : Pzr + (<usize>H * <usize>(2 * H) << 2);
  // hn: the left factor of the n block's recurrent product: h_prev, or h_prev ⊙ m_n in scratch (dropout).
  let hn = hp;
  if (rmask == 0) {
    if (Pzr != 0) gemmPacked(gt, S, hp, H, Pzr, B, 2 * H, H, b0, b1, 1); // z|r blocks += h·U_zr
    else recurrentStep(gt, S, hp, U, G, B, H, 2 * H, b0, b1);
  } else if (!perGate) {
    maskedRecurrentStep(gt, S, hp, rmask, scratch, U, G, B, H, 2 * H, b0, b1); // z|r += (h⊙m)·U_zr; scratch = h⊙m
    hn = scratch;
  } else {
    maskedRecurrentStep(gt, S, hp, maskBlock(rmask, 0, B, H, true), scratch, U, G, B, H, H, b0, b1);
    maskedRecurrentStep(gt + H4, S, hp, maskBlock(rmask, 1, B, H, true), scratch, U + H4, G, B, H, H, b0, b1);
    const o = <usize>b0 * H4;
    mulInto(scratch + o, hp + o, maskBlock(rmask, 2, B, H, true) + o, (b1 - b0) * H);
    hn = scratch;
  }
  if (resetAfter) {
    if (Pn != 0) gemmPacked(gt + 3 * H4, S, hn, H, Pn, B, H, H, b0, b1, 0); // hn = h·U_n
    else gemmCore(gt + 3 * H4, S, hn, H, 1, U + 2 * H4, G, B, H, H, b0, b1, 0);
    for (let r = b0; r < b1; r++) {
      const rh = <usize>r * H4;
      gruForwardRowAfter(gt + <usize>r * S4, hp + rh, ho + rh, brn, H, act, ract, save);
    }
  } else {
    for (let r = b0; r < b1; r++) gruForwardGatesBefore(gt + <usize>r * S4, hn + <usize>r * H4, H, ract); // r ⊙ h(⊙m)
    if (Pn != 0) gemmPacked(gt + 2 * H4, S, gt + 3 * H4, S, Pn, B, H, H, b0, b1, 1); // n block += (r⊙h)·U_n
    else gemmCore(gt + 2 * H4, S, gt + 3 * H4, S, 1, U + 2 * H4, G, B, H, H, b0, b1, 1);
    for (let r = b0; r < b1; r++) {
      const rh = <usize>r * H4;
      gruForwardRowBefore(gt + <usize>r * S4, hp + rh, ho + rh, H, act, save);
    }
  }
}

// The hoisted projection over T·B rows into blocks 1-3 of P (row stride 4H): x·W + b_i, and with
// resetAfter also + b_r on the z|r blocks (so the per-step maths adds only b_rn).
function __project(P: usize, x: usize, W: usize, Wp: usize, b: usize, TB: i32, D: i32, H: i32, resetAfter: bool): void {
  const G = 3 * H;
  inputProjectionPacked(P, H << 2, x, W, Wp, b, TB, D, G);
  if (resetAfter) biasAddStrided(P, H << 2, b + (<usize>G << 2), TB, 2 * H);
}

/**
 * Workspace (docs/recurrent-abi.md) of (D + H)·3H floats, or 0: W (D, 3H) packed at work, then U_zr (H, 2H)
 * and U_n (H, H) packed separately (the recurrent products take them apart). Returns the packed U_zr.
 */
function __packGru(work: usize, W: usize, U: usize, D: i32, H: i32): usize {
  if (work == 0) return 0;
  const G = 3 * H;
  const Pzr = work + (<usize>D * <usize>G << 2);
  packPanels(work, W, G, D, G);
  packPanels(Pzr, U, G, H, 2 * H);
  packPanels(Pzr + (<usize>H * <usize>(2 * H) << 2), U + (<usize>(2 * H) << 2), G, H, H);
  return Pzr;
}

/**
 * Training forward. h (T+1, B, H): the caller puts h0 in slot 0 (slot T with REVERSE); the kernel writes
 * the other T slots. gates (T, B, 4H) out: [z | r | n | hn] by time (zero rows at masked steps).
 * x (T, B, D); W (D, 3H); U (H, 3H); b (3H), or (2, 3H) = [b_i; b_r] with RESET_AFTER; lengths: (B) i32, a (T, B) u8 step mask with STEP_MASK, or 0 (docs/recurrent-abi.md "Masking").
 * rmask: recurrent dropout mask (B, H), or (3, B, H) = [m_z; m_r; m_n] with FLAG_PER_GATE_RMASK, or 0: h_prev
 * ⊙ m replaces h_prev in the recurrent products only (docs/gru.md); rscratch (max(B, 32), H), mask only.
 */
export function gru_forward(
  h: usize, gates: usize,
  x: usize, W: usize, U: usize, b: usize, lengths: usize, rmask: usize, rscratch: usize, work: usize,
  T: i32, B: i32, D: i32, H: i32, flags: i32, activation: i32, recurrentActivation: i32
): void {
  const S = H << 2;
  const perGate = (flags & FLAG_PER_GATE_RMASK) != 0;
  const reverse = (flags & FLAG_REVERSE) != 0;
  const resetAfter = (flags & FLAG_RESET_AFTER) != 0;
  const s0 = reverse ? T : 0; // the h0 slot
  const brn = b + (<usize>(5 * H) << 2);
  const Pzr = __packGru(work, W, U, D, H);
  __project(gates, x, W, work, b, T * B, D, H, resetAfter);
  for (let k = 0; k < T; k++) {
    const t = stepTime(k, T, reverse);
    const ps = prevSlot(t, reverse), os = outSlot(t, reverse);
    const gt = gates + (<usize>t * <usize>B * <usize>S << 2);
    let b0 = 0;
    while (b0 < B) {
      const st = rowState(lengths, b0, k, t, T, B, flags);
      const b1 = stateRunEnd(lengths, st, b0, k, t, T, B, flags);
      if (st == ROW_LEADING || st == ROW_CARRY) {
        for (let r = b0; r < b1; r++) {
          // Keras: the output repeats the previous output, 0 before the first valid step.
          if (st == ROW_LEADING) zeroRow(slotRow(h, os, r, B, H), H);
          else copyRow(slotRow(h, os, r, B, H), slotRow(h, ps, r, B, H), H);
          zeroRow(gt + (<usize>r * <usize>S << 2), S);
        }
      } else {
        __forwardStep(gt, slotRow(h, st == ROW_FIRST ? s0 : ps, 0, B, H), slotRow(h, os, 0, B, H), U, Pzr, brn, B, H, b0, b1,
          resetAfter, activation, recurrentActivation, true, rmask, perGate, rscratch);
      }
      b0 = b1;
    }
  }
}

// Rows [b0, b1) of dh_prev += ([dz_pre | dr_pre]·U_zrᵀ) ⊙ m (one GEMM, shared mask) or
// (dz_pre·U_zᵀ) ⊙ m_z + (dr_pre·U_rᵀ) ⊙ m_r (per-gate masks). dg: the step's (B, 4H) dgates block.
function __maskedZrBackward(dhp: usize, dg: usize, U: usize, mz: usize, mr: usize, perGate: bool, scratch: usize, B: i32, H: i32, b0: i32, b1: i32): void {
  const G = 3 * H, S = H << 2, H4 = <usize>H << 2;
  if (!perGate) {
    maskedRecurrentStepBackward(dhp, dg, S, U, G, mz, scratch, B, H, 2 * H, b0, b1);
  } else {
    maskedRecurrentStepBackward(dhp, dg, S, U, G, mz, scratch, B, H, H, b0, b1);
    maskedRecurrentStepBackward(dhp, dg + H4, S, U + H4, G, mr, scratch, B, H, H, b0, b1);
  }
}

/**
 * Backward over the whole sequence.
 * Outputs: dx (T, B, D) written (added with ACCUMULATE_DX; 0 = not needed); dW (D, 3H), dU (H, 3H),
 * db (3H | 2·3H) accumulated (+=); dgates (T, B, 4H) = [dz_pre | dr_pre | dn_pre | dn_rec] (zero rows at
 * masked steps); hnorm2 (T) f64 = ‖total dL/dh_t‖² (0 = not needed; f64 so tiny norms do not underflow).
 * In/out: dh (T+1, B, H): upstream gradients in the output slots; the h0 slot is zeroed then ends as dh0,
 * the output slots end as the total dL/dh_t.
 * Saved: x, W, U, gates, h from gru_forward with the same lengths, flags and rmask (each recurrent product's
 * dh_prev term is multiplied by its mask, dU_k += (h_prev ⊙ m_k)ᵀ·dgates_k; rscratch (max(B, 32), H)).
 */
export function gru_backward(
  dx: usize, dW: usize, dU: usize, db: usize, dgates: usize, hnorm2: usize,
  dh: usize,
  x: usize, W: usize, U: usize, gates: usize, h: usize, lengths: usize, rmask: usize, rscratch: usize,
  T: i32, B: i32, D: i32, H: i32, flags: i32, activation: i32, recurrentActivation: i32
): void {
  const G = 3 * H, S = H << 2;
  const perGate = (flags & FLAG_PER_GATE_RMASK) != 0;
  // masks of the z, r, n blocks (all the same pointer with one shared mask)
  const mz = maskBlock(rmask, 0, B, H, perGate), mr = maskBlock(rmask, 1, B, H, perGate), mn = maskBlock(rmask, 2, B, H, perGate);
  const H4 = <usize>H << 2, S4 = <usize>S << 2;
  const reverse = (flags & FLAG_REVERSE) != 0;
  const resetAfter = (flags & FLAG_RESET_AFTER) != 0;
  const BH = B * H;
  const s0 = reverse ? T : 0; // the h0 slot
  zeroRow(slotRow(dh, s0, 0, B, H), BH);
  for (let kk = 0; kk < T; kk++) {
    const k = T - 1 - kk;
    const t = stepTime(k, T, reverse);
    const ps = prevSlot(t, reverse), os = outSlot(t, reverse);
    const at = gates + (<usize>t * <usize>B * <usize>S << 2);
    const dgt = dgates + (<usize>t * <usize>B * <usize>S << 2);
    const dho = slotRow(dh, os, 0, B, H);
    let b0 = 0;
    while (b0 < B) {
      const st = rowState(lengths, b0, k, t, T, B, flags);
      const b1 = stateRunEnd(lengths, st, b0, k, t, T, B, flags);
      // previous state and its gradient: the h0 slot at a row's first valid step after leading masked steps
      const s = st == ROW_FIRST ? s0 : ps;
      const dhp = slotRow(dh, s, 0, B, H), hp = slotRow(h, s, 0, B, H);
      if (st == ROW_LEADING || st == ROW_CARRY) {
        for (let r = b0; r < b1; r++) {
          zeroRow(dgt + <usize>r * S4, S);
          // A carried output passes its gradient to the previous slot; a leading output is the constant 0.
          if (st == ROW_CARRY) addRow(dhp + <usize>r * H4, dho + <usize>r * H4, H);
          else zeroRow(dho + <usize>r * H4, H);
        }
      } else if (resetAfter) {
        for (let r = b0; r < b1; r++) {
          const rs = <usize>r * S4, rh = <usize>r * H4;
          __backwardRowAfter(dgt + rs, dho + rh, dhp + rh, at + rs, hp + rh, H, activation, recurrentActivation);
        }
        // dh_prev += [dz_pre | dr_pre]·U_zrᵀ + dn_rec·U_nᵀ (each term ⊙ its mask with recurrent dropout)
        if (rmask == 0) {
          recurrentStepBackward(dhp, dgt, S, U, G, B, H, 2 * H, b0, b1);
        } else {
          __maskedZrBackward(dhp, dgt, U, mz, mr, perGate, rscratch, B, H, b0, b1);
        }
        if (rmask == 0) recurrentStepBackward(dhp, dgt + 3 * H4, S, U + 2 * H4, G, B, H, H, b0, b1);
        else maskedRecurrentStepBackward(dhp, dgt + 3 * H4, S, U + 2 * H4, G, mn, rscratch, B, H, H, b0, b1);
      } else {
        for (let r = b0; r < b1; r++) {
          const rs = <usize>r * S4, rh = <usize>r * H4;
          __backwardRowBefore1(dgt + rs, dho + rh, dhp + rh, at + rs, hp + rh, H, activation, recurrentActivation);
        }
        // block 4 = d(r ⊙ h) = dn_pre · U_nᵀ (overwritten by dn_rec in the second half)
        gemmNTCore(dgt + 3 * H4, S, dgt + 2 * H4, S, U + 2 * H4, G, B, H, H, b0, b1, 0);
        if (rmask == 0) {
          for (let r = b0; r < b1; r++) {
            const rs = <usize>r * S4, rh = <usize>r * H4;
            __backwardRowBefore2(dgt + rs, dhp + rh, at + rs, hp + rh, H, recurrentActivation);
          }
          recurrentStepBackward(dhp, dgt, S, U, G, B, H, 2 * H, b0, b1);
        } else {
          for (let r = b0; r < b1; r++) {
            const rs = <usize>r * S4, rh = <usize>r * H4;
            __backwardRowBefore2Masked(dgt + rs, dhp + rh, at + rs, hp + rh, mn + rh, H, recurrentActivation);
          }
          __maskedZrBackward(dhp, dgt, U, mz, mr, perGate, rscratch, B, H, b0, b1);
        }
      }
      b0 = b1;
    }
    if (hnorm2 != 0) store<f64>(hnorm2 + (<usize>t << 3), sum_squares(dho, BH));
  }
  // Weight gradients over all T·B rows (masked rows of dgates are zero, so they add nothing).
  const TB = T * B;
  const hPrev = slotRow(h, reverse ? 1 : 0, 0, B, H);
  // The transposed GEMMs sum T·B rows in panels (gemmTNPanels: the panel stays in cache, docs/recurrent-abi.md).
  gemmTNPanels(dW, G, x, D, dgates, S, D, G, TB);                          // dW += xᵀ·dgates[:, 0:3H]
  if (rmask == 0) {
    gemmTNPanels(dU, G, hPrev, H, dgates, S, H, 2 * H, TB);                // dU_zr += h_prevᵀ·dgates[:, 0:2H]
  } else if (!perGate) {
    gemmTNPanelsMasked(dU, G, hPrev, mz, rscratch, dgates, S, B, H, 2 * H, TB); // (h_prev ⊙ m)ᵀ·dgates[:, 0:2H]
  } else {
    gemmTNPanelsMasked(dU, G, hPrev, mz, rscratch, dgates, S, B, H, H, TB);
    gemmTNPanelsMasked(dU + H4, G, hPrev, mr, rscratch, dgates + H4, S, B, H, H, TB);
  }
  if (resetAfter) {
    if (rmask == 0) gemmTNPanels(dU + 2 * H4, G, hPrev, H, dgates + 3 * H4, S, H, H, TB); // dU_n += h_prevᵀ·dn_rec
    else gemmTNPanelsMasked(dU + 2 * H4, G, hPrev, mn, rscratch, dgates + 3 * H4, S, B, H, H, TB);
  } else {
    gemmTNPanels(dU + 2 * H4, G, gates + 3 * H4, S, dgates + 3 * H4, S, H, H, TB); // dU_n += (r⊙h)ᵀ·dn_pre
  }
  if (lengths != 0) {
    // the h0 term of rows whose first valid step follows leading masked steps (recurrent-core)
    const h0 = slotRow(h, s0, 0, B, H);
    if (rmask == 0) firstStepWeightGradient(dU, G, h0, 0, dgates, S, 2 * H, lengths, T, B, H, flags);
    else {
      firstStepWeightGradient(dU, G, h0, mz, dgates, S, H, lengths, T, B, H, flags);
      firstStepWeightGradient(dU + H4, G, h0, mr, dgates + H4, S, H, lengths, T, B, H, flags);
    }
    if (resetAfter) firstStepWeightGradient(dU + 2 * H4, G, h0, rmask == 0 ? 0 : mn, dgates + 3 * H4, S, H, lengths, T, B, H, flags);
  }
  colSumsStrided(db, dgates, S, TB, G, 1);                                   // b (or b_i) += Σ dgates[:, 0:3H]
  if (resetAfter) {
    colSumsStrided(db + (<usize>G << 2), dgates, S, TB, 2 * H, 1);          // b_r,zr += Σ [dz_pre | dr_pre]
    colSumsStrided(db + (<usize>(5 * H) << 2), dgates + 3 * H4, S, TB, H, 1); // b_rn += Σ dn_rec
  }
  if (dx != 0) gemmNTCore(dx, D, dgates, S, W, G, TB, D, G, 0, TB, (flags & FLAG_ACCUMULATE_DX) != 0 ? 1 : 0);
}

// Floats of projected gates gru_infer keeps at once (256 KB; as lstm.ts PROJECT_FLOATS).
const GRU_PROJECT_FLOATS: i32 = 1 << 16;

/**
 * Inference-only forward: saves nothing for backward. h (B, H): the initial state in, the final state out.
 * y (T, B, H): the output at every time (0 = last output only, which is h). scratch (T, B, 4H): the input
 * projection and per-step products. work ((D + H)·3H floats, or 0): the packed panels (__packGru), by this call
 * or (FLAG_PREPACKED) an earlier one. Same lengths, flags and activations as gru_forward.
 */
export function gru_infer(
  y: usize, h: usize, scratch: usize, work: usize,
  x: usize, W: usize, U: usize, b: usize, lengths: usize,
  T: i32, B: i32, D: i32, H: i32, flags: i32, activation: i32, recurrentActivation: i32
): void {
  const S = H << 2;
  const reverse = (flags & FLAG_REVERSE) != 0;
  const resetAfter = (flags & FLAG_RESET_AFTER) != 0;
  const brn = b + (<usize>(5 * H) << 2);
  // FLAG_PREPACKED (recurrent-packed.ts): work already holds the panels (the caller's cache), U_zr's after W's.
  const Pzr = mustPack(work, flags) ? __packGru(work, W, U, D, H) : work == 0 ? 0 : work + (<usize>D * <usize>(3 * H) << 2);
  // As lstm_infer: unpacked, the projection hoisted over all T·B rows; packed, Tc steps at a time into the
  // first Tc·B rows of scratch, Tc·B·4H ≤ 64 K floats (same bits: rows are independent). At B = 1 (Tc = 64
  // at H = 256) W is read once per call as one 64-row GEMM, not once per step as a GEMV that also pushed
  // U's panels out of L2 (W3 gru B1: 0.94× onnxruntime-web before).
  if (Pzr == 0) __project(scratch, x, W, 0, b, T * B, D, H, resetAfter);
  const Tc = Pzr == 0 ? T : max<i32>(1, min<i32>(T, GRU_PROJECT_FLOATS / (B * S)));
  let lo = 0; // the first time of the projected chunk
  for (let k = 0; k < T; k++) {
    const t = stepTime(k, T, reverse);
    let st = scratch + (<usize>t * <usize>B * <usize>S << 2);
    if (Pzr != 0) {
      if (k % Tc == 0) {
        const n = min<i32>(Tc, T - k);
        lo = reverse ? t - n + 1 : t;
        __project(scratch, x + (<usize>lo * <usize>B * <usize>D << 2), W, work, b, n * B, D, H, resetAfter);
      }
      st = scratch + (<usize>(t - lo) * <usize>B * <usize>S << 2);
    }
    let b0 = 0;
    while (b0 < B) {
      const rs = rowState(lengths, b0, k, t, T, B, flags);
      const b1 = stateRunEnd(lengths, rs, b0, k, t, T, B, flags);
      if (rs != ROW_LEADING && rs != ROW_CARRY) {
        __forwardStep(st, h, h, U, Pzr, brn, B, H, b0, b1, resetAfter, activation, recurrentActivation, false, 0, false, 0);
      }
      b0 = b1;
    }
    if (y != 0) outputRows(y + (<usize>t * <usize>(B * H) << 2), h, lengths, k, t, T, B, H, flags);
  }
}
