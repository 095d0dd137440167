// The pointwise rows of the recurrent forward passes, shared by the training kernels (lstm.ts, gru.ts: save
// the activated gates for backward) and the inference-only ones (infer-recurrent.ts: save nothing). One
// definition, so training forward, predict, fused-rnn/infer and its streaming steps run the same operation
// sequence, hence the same bits. Not re-exported from assembly/index.ts (these are not module exports).

import { activate1, activate4 } from "./math";

// ---- LSTM ([i | f | g | o], Keras)

// One row of the pointwise forward: z (4H) pre-activations in, activated gates back into z when `save`.
// cPrev may equal cOut (inference updates the state in place).
@inline export function lstmForwardRow(z: usize, cPrev: usize, cOut: usize, hOut: usize, H: i32, act: i32, ract: i32, save: bool): void {
  lstmForwardRowUnits(z, cPrev, cOut, hOut, H, 0, H, act, ract, save);
}

// ---- GRU ([z | r | n], Keras; rows g: one row of gates (4H); hp: h_prev (H); ho: h out (H), may equal hp)

// resetAfter: g holds [x·W_z + b_iz + b_rz + h·U_z | same for r | x·W_n + b_in | h·U_n]; brn (H) = b_rn.
@inline export function gruForwardRowAfter(g: usize, hp: usize, ho: usize, brn: usize, H: i32, act: i32, ract: i32, save: bool): void {
  gruForwardRowAfterUnits(g, hp, ho, brn, H, 0, H, act, ract, save);
}

// !resetAfter, first half: z, r activated in place; hn = r ⊙ h_prev into the 4th block (the left factor of
// the dependent n-block GEMM).
@inline export function gruForwardGatesBefore(g: usize, hp: usize, H: i32, ract: i32): void {
  gruForwardGatesBeforeUnits(g, hp, H, 0, H, ract);
}

// !resetAfter, second half: n = act(x·W_n + b_n + hn·U_n) (block 3 holds the sum), h' = z·h + (1 − z)·n.
@inline export function gruForwardRowBefore(g: usize, hp: usize, ho: usize, H: i32, act: i32, save: bool): void {
  const H4 = <usize>H << 2;
  let j = 0;
  if (ASC_FEATURE_SIMD) {
    const one = f32x4.splat(1);
    for (; j + 4 <= H; j += 4) {
      const o = <usize>j << 2;
      const p = g + o;
      const z = v128.load(p);
      const n = activate4(v128.load(p + 2 * H4), act);
      v128.store(ho + o, f32x4.add(f32x4.mul(z, v128.load(hp + o)), f32x4.mul(f32x4.sub(one, z), n)));
      if (save) v128.store(p + 2 * H4, n);
    }
  }
  for (; j < H; j++) {
    const o = <usize>j << 2;
    const p = g + o;
    const z = load<f32>(p);
    const n = activate1(load<f32>(p + 2 * H4), act);
    store<f32>(ho + o, z * load<f32>(hp + o) + (<f32>1 - z) * n);
    if (save) store<f32>(p + 2 * H4, n);
  }
}

// ---- Unit ranges (threaded streaming, infer-recurrent.ts infer_lstm_units): one thread's units [j0, j1)

// lstmForwardRow on units [j0, j1) only (j0 a multiple of 4: the same SIMD / scalar split of the units as
// the whole row, hence the same bits); z, cPrev, cOut, hOut are the whole row's pointers. lstmForwardRow is
// this over [0, H).
@inline export function lstmForwardRowUnits(z: usize, cPrev: usize, cOut: usize, hOut: usize, H: i32, j0: i32, j1: i32, act: i32, ract: i32, save: bool = false): void {
  const H4 = <usize>H << 2;
  let j = j0;
  if (ASC_FEATURE_SIMD) {
    for (; j + 4 <= j1; j += 4) {
      const o = <usize>j << 2;
      const p = z + o;
      const gi = activate4(v128.load(p), ract);
      const gf = activate4(v128.load(p + H4), ract);
      const gg = activate4(v128.load(p + 2 * H4), act);
      const go = activate4(v128.load(p + 3 * H4), ract);
      const c = f32x4.add(f32x4.mul(gf, v128.load(cPrev + o)), f32x4.mul(gi, gg));
      v128.store(cOut + o, c);
      v128.store(hOut + o, f32x4.mul(go, activate4(c, act)));
      if (save) {
        v128.store(p, gi);
        v128.store(p + H4, gf);
        v128.store(p + 2 * H4, gg);
        v128.store(p + 3 * H4, go);
      }
    }
  }
  for (; j < j1; j++) {
    const o = <usize>j << 2;
    const p = z + o;
    const gi = activate1(load<f32>(p), ract);
    const gf = activate1(load<f32>(p + H4), ract);
    const gg = activate1(load<f32>(p + 2 * H4), act);
    const go = activate1(load<f32>(p + 3 * H4), ract);
    const c = gf * load<f32>(cPrev + o) + gi * gg;
    store<f32>(cOut + o, c);
    store<f32>(hOut + o, go * activate1(c, act));
    if (save) {
      store<f32>(p, gi);
      store<f32>(p + H4, gf);
      store<f32>(p + 2 * H4, gg);
      store<f32>(p + 3 * H4, go);
    }
  }
}

// gruForwardRowAfter on units [j0, j1) only (j0 a multiple of 4, as lstmForwardRowUnits; gruForwardRowAfter is
// this over [0, H));
// g, hp, ho, brn are the whole row's pointers (ho may equal hp).
@inline export function gruForwardRowAfterUnits(g: usize, hp: usize, ho: usize, brn: usize, H: i32, j0: i32, j1: i32, act: i32, ract: i32, save: bool = false): void {
  const H4 = <usize>H << 2;
  let j = j0;
  if (ASC_FEATURE_SIMD) {
    const one = f32x4.splat(1);
    for (; j + 4 <= j1; j += 4) {
      const o = <usize>j << 2;
      const p = g + o;
      const z = activate4(v128.load(p), ract);
      const r = activate4(v128.load(p + H4), ract);
      const hn = f32x4.add(v128.load(p + 3 * H4), v128.load(brn + o));
      const n = activate4(f32x4.add(v128.load(p + 2 * H4), f32x4.mul(r, hn)), act);
      const h = f32x4.add(f32x4.mul(z, v128.load(hp + o)), f32x4.mul(f32x4.sub(one, z), n));
      v128.store(ho + o, h);
      if (save) {
        v128.store(p, z);
        v128.store(p + H4, r);
        v128.store(p + 2 * H4, n);
        v128.store(p + 3 * H4, hn);
      }
    }
  }
  for (; j < j1; j++) {
    const o = <usize>j << 2;
    const p = g + o;
    const z = activate1(load<f32>(p), ract);
    const r = activate1(load<f32>(p + H4), ract);
    const hn = load<f32>(p + 3 * H4) + load<f32>(brn + o);
    const n = activate1(load<f32>(p + 2 * H4) + r * hn, act);
    const h = z * load<f32>(hp + o) + (<f32>1 - z) * n;
    store<f32>(ho + o, h);
    if (save) {
      store<f32>(p, z);
      store<f32>(p + H4, r);
      store<f32>(p + 2 * H4, n);
      store<f32>(p + 3 * H4, hn);
    }
  }
}

// gruForwardGatesBefore on units [j0, j1) only (j0 a multiple of 4, as lstmForwardRowUnits): z, r activated
// in place, r ⊙ h_prev into the 4th block, for those units (the first phase of a threaded reset-before step).
@inline export function gruForwardGatesBeforeUnits(g: usize, hp: usize, H: i32, j0: i32, j1: i32, ract: i32): void {
  const H4 = <usize>H << 2;
  let j = j0;
  if (ASC_FEATURE_SIMD) {
    for (; j + 4 <= j1; j += 4) {
      const o = <usize>j << 2;
      const p = g + o;
      const z = activate4(v128.load(p), ract);
      const r = activate4(v128.load(p + H4), ract);
      v128.store(p, z);
      v128.store(p + H4, r);
      v128.store(p + 3 * H4, f32x4.mul(r, v128.load(hp + o)));
    }
  }
  for (; j < j1; j++) {
    const o = <usize>j << 2;
    const p = g + o;
    const z = activate1(load<f32>(p), ract);
    const r = activate1(load<f32>(p + H4), ract);
    store<f32>(p, z);
    store<f32>(p + H4, r);
    store<f32>(p + 3 * H4, r * load<f32>(hp + o));
  }
}

// gruForwardRowBefore on units [j0, j1) only (j0 a multiple of 4; nothing saved): the second phase.
@inline export function gruForwardRowBeforeUnits(g: usize, hp: usize, ho: usize, H: i32, j0: i32, j1: i32, act: i32): void {
  const H4 = <usize>H << 2;
  let j = j0;
  if (ASC_FEATURE_SIMD) {
    const one = f32x4.splat(1);
    for (; j + 4 <= j1; j += 4) {
      const o = <usize>j << 2;
      const p = g + o;
      const z = v128.load(p);
      const n = activate4(v128.load(p + 2 * H4), act);
      v128.store(ho + o, f32x4.add(f32x4.mul(z, v128.load(hp + o)), f32x4.mul(f32x4.sub(one, z), n)));
    }
  }
  for (; j < j1; j++) {
    const o = <usize>j << 2;
    const p = g + o;
    const z = load<f32>(p);
    const n = activate1(load<f32>(p + 2 * H4), act);
    store<f32>(ho + o, z * load<f32>(hp + o) + (<f32>1 - z) * n);
  }
}
