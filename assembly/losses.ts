// Losses fused with their backward: each call returns the MEAN loss (f64) and writes the gradient of that
// mean into dlogits (so it is already divided by the number of samples).
// Legend: N rows (T·B for sequence losses, time-major), C columns per row (V classes), ld the row stride of
// logits/dlogits (ld >= C; lanes [C, ld) are padding: never read, never written, so they stay zero).
// weights (N) f32 or 0: per-row weights / padded-step mask. Reduction: Σ_i w_i·ℓ_i / Σ_i w_i (a 0/1 mask
// gives the mean over valid rows, Keras 3's masked mean); with byCount = 1: Σ_i w_i·ℓ_i / N (Keras'
// sample_weight with "sum_over_batch_size"); without weights w_i = 1. If Σ w = 0 the loss is 0 and every
// gradient row is zero. Rows with w_i = 0 get zero gradient and are not evaluated.
// Loss values accumulate in f64 with the standard library's f64 log/log1p/exp (AssemblyScript's ports of
// musl: pure wasm arithmetic, < 1 ulp, identical on every engine); gradients use the f32x4 exp/sigmoid of
// math.ts (bounds there). The SIMD and scalar builds perform the same operations in the same order.
// Preconditions (checked by bindings/): sparse targets in [0, C), weights finite and >= 0, buffers in
// memory, dlogits does not overlap logits, targets or weights.

import { exp1, exp4, sigmoid1, sigmoid4 } from "./math";

/** The reduction's denominator: Σ w (f64), or N without weights or with `byCount`. */
@inline function __weightSum(weights: usize, N: i32, byCount: i32): f64 {
  if (!weights || byCount) return <f64>N;
  let s: f64 = 0;
  for (let i = 0; i < N; i++) s += <f64>load<f32>(weights + (<usize>i << 2));
  return s;
}

@inline function __weight(weights: usize, i: i32): f32 {
  return weights ? load<f32>(weights + (<usize>i << 2)) : <f32>1;
}

@inline function __zeroRow(p: usize, C: i32): void {
  memory.fill(p, 0, <usize>C << 2);
}

// ---- sigmoid binary cross-entropy from logits (keras.losses.BinaryCrossentropy(from_logits=True))

/**
 * ℓ = max(x, 0) − x·y + log(1 + exp(−|x|)) per element, mean over the C columns, then the weighted mean
 * over rows. dℓ/dx = σ(x) − y. logits and dlogits (N, C) with row stride ld; targets (N, C) contiguous.
 */
export function loss_sigmoid_bce(dlogits: usize, logits: usize, targets: usize, weights: usize, N: i32, C: i32, ld: i32, byCount: i32): f64 {
  const wsum = __weightSum(weights, N, byCount);
  const ld4 = <usize>ld << 2, C4 = <usize>C << 2;
  let total: f64 = 0;
  for (let i = 0; i < N; i++) {
    const w = __weight(weights, i);
    const x = logits + <usize>i * ld4, y = targets + <usize>i * C4, g = dlogits + <usize>i * ld4;
    if (w == 0 || wsum == 0) { __zeroRow(g, C); continue; }
    let row: f64 = 0;
    for (let j = 0; j < C; j++) {
      const xv = <f64>load<f32>(x + (<usize>j << 2)), yv = <f64>load<f32>(y + (<usize>j << 2));
      row += (max<f64>(xv, 0) - xv * yv) + Math.log1p(Math.exp(-Math.abs(xv)));
    }
    total += <f64>w * row;
    const f = <f32>(<f64>w / (wsum * <f64>C));
    let j = 0;
    if (ASC_FEATURE_SIMD) {
      const vf = f32x4.splat(f);
      for (; j + 4 <= C; j += 4) {
        const o = <usize>j << 2;
        v128.store(g + o, f32x4.mul(f32x4.sub(sigmoid4(v128.load(x + o)), v128.load(y + o)), vf));
      }
    }
    for (; j < C; j++) {
      const o = <usize>j << 2;
      store<f32>(g + o, (sigmoid1(load<f32>(x + o)) - load<f32>(y + o)) * f);
    }
  }
  return wsum == 0 ? 0 : total / (wsum * <f64>C);
}

// ---- sparse softmax cross-entropy (keras.losses.SparseCategoricalCrossentropy(from_logits=True))

/**
 * Per row: m = max_j x_j, s = Σ_j exp(x_j − m) over the C real columns, ℓ = m + log s − x[target];
 * dℓ/dx_j = exp(x_j − m)/s − [j = target]. targets (N) i32. The max, the exp, the sum and the normalisation
 * are f32x4 (sum: 4 lane partial sums combined (s0 + s1) + (s2 + s3), then the tail, in both builds).
 */
export function loss_sparse_softmax_ce(dlogits: usize, logits: usize, targets: usize, weights: usize, N: i32, C: i32, ld: i32, byCount: i32): f64 {
  const wsum = __weightSum(weights, N, byCount);
  const ld4 = <usize>ld << 2;
  const Cv = C & ~3;
  let total: f64 = 0;
  for (let i = 0; i < N; i++) {
    const w = __weight(weights, i);
    const x = logits + <usize>i * ld4, g = dlogits + <usize>i * ld4;
    if (w == 0 || wsum == 0) { __zeroRow(g, C); continue; }
    // row max (exact, so lane order does not matter)
    let m = load<f32>(x);
    let j = 0;
    if (ASC_FEATURE_SIMD) {
      if (Cv > 0) {
        let vm = v128.load(x);
        for (j = 4; j < Cv; j += 4) vm = f32x4.max(vm, v128.load(x + (<usize>j << 2)));
        m = max<f32>(max<f32>(f32x4.extract_lane(vm, 0), f32x4.extract_lane(vm, 1)),
                     max<f32>(f32x4.extract_lane(vm, 2), f32x4.extract_lane(vm, 3)));
      }
    } else {
      for (j = 0; j < Cv; j++) m = max<f32>(m, load<f32>(x + (<usize>j << 2)));
    }
    for (j = Cv; j < C; j++) m = max<f32>(m, load<f32>(x + (<usize>j << 2)));
    // e = exp(x − m) into g, and its sum
    let s0: f32 = 0, s1: f32 = 0, s2: f32 = 0, s3: f32 = 0;
    j = 0;
    if (ASC_FEATURE_SIMD) {
      const vm = f32x4.splat(m);
      let vs = f32x4.splat(0);
      for (; j < Cv; j += 4) {
        const o = <usize>j << 2;
        const e = exp4(f32x4.sub(v128.load(x + o), vm));
        v128.store(g + o, e);
        vs = f32x4.add(vs, e);
      }
      s0 = f32x4.extract_lane(vs, 0); s1 = f32x4.extract_lane(vs, 1);
      s2 = f32x4.extract_lane(vs, 2); s3 = f32x4.extract_lane(vs, 3);
    } else {
      for (; j < Cv; j += 4) {
        const o = <usize>j << 2;
        const e0 = exp1(load<f32>(x + o) - m), e1 = exp1(load<f32>(x + o, 4) - m);
        const e2 = exp1(load<f32>(x + o, 8) - m), e3 = exp1(load<f32>(x + o, 12) - m);
        store<f32>(g + o, e0); store<f32>(g + o, e1, 4); store<f32>(g + o, e2, 8); store<f32>(g + o, e3, 12);
        s0 += e0; s1 += e1; s2 += e2; s3 += e3;
      }
    }
    let s = (s0 + s1) + (s2 + s3);
    for (; j < C; j++) {
      const o = <usize>j << 2;
      const e = exp1(load<f32>(x + o) - m);
      store<f32>(g + o, e);
      s += e;
    }
    const target = load<i32>(targets + (<usize>i << 2));
    const xt = load<f32>(x + (<usize>target << 2));
    total += <f64>w * ((<f64>m - <f64>xt) + Math.log(<f64>s));
    // g = e · (w / (s·Σw)), then g[target] −= w / Σw
    const f = <f32>(<f64>w / (<f64>s * wsum));
    j = 0;
    if (ASC_FEATURE_SIMD) {
      const vf = f32x4.splat(f);
      for (; j < Cv; j += 4) {
        const o = <usize>j << 2;
        v128.store(g + o, f32x4.mul(v128.load(g + o), vf));
      }
    }
    for (; j < C; j++) {
      const o = <usize>j << 2;
      store<f32>(g + o, load<f32>(g + o) * f);
    }
    const pt = g + (<usize>target << 2);
    store<f32>(pt, load<f32>(pt) - <f32>(<f64>w / wsum));
  }
  return wsum == 0 ? 0 : total / wsum;
}

// ---- mean squared error (keras.losses.MeanSquaredError)

/** ℓ = mean_j (p_j − y_j)², weighted mean over rows; dℓ/dp_j = 2(p_j − y_j)/C. pred (N, C) stride ld. */
export function loss_mse(dpred: usize, pred: usize, targets: usize, weights: usize, N: i32, C: i32, ld: i32, byCount: i32): f64 {
  const wsum = __weightSum(weights, N, byCount);
  const ld4 = <usize>ld << 2, C4 = <usize>C << 2;
  let total: f64 = 0;
  for (let i = 0; i < N; i++) {
    const w = __weight(weights, i);
    const p = pred + <usize>i * ld4, y = targets + <usize>i * C4, g = dpred + <usize>i * ld4;
    if (w == 0 || wsum == 0) { __zeroRow(g, C); continue; }
    let row: f64 = 0;
    for (let j = 0; j < C; j++) {
      const d = <f64>load<f32>(p + (<usize>j << 2)) - <f64>load<f32>(y + (<usize>j << 2));
      row += d * d;
    }
    total += <f64>w * row;
    const f = <f32>(2 * <f64>w / (wsum * <f64>C));
    let j = 0;
    if (ASC_FEATURE_SIMD) {
      const vf = f32x4.splat(f);
      for (; j + 4 <= C; j += 4) {
        const o = <usize>j << 2;
        v128.store(g + o, f32x4.mul(f32x4.sub(v128.load(p + o), v128.load(y + o)), vf));
      }
    }
    for (; j < C; j++) {
      const o = <usize>j << 2;
      store<f32>(g + o, (load<f32>(p + o) - load<f32>(y + o)) * f);
    }
  }
  return wsum == 0 ? 0 : total / (wsum * <f64>C);
}
