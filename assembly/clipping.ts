// Gradient norm pass (with the non-finite guard) and the four clipping operations, over a table of tensors.
// Legend: G the grad slab base; count tensors; T the tensor table, i32 (count, 2): row t = [offset, length]
// in elements from G, so tensor t is G[offset, offset + length). Tensors are processed in table order.
// sums is f64 (count): per-tensor Σg². status is i32 (2): [tensor, index] of the first non-finite gradient
// (index within that tensor), or [−1, −1].
// Preconditions (checked by bindings/, never here): G, T, sums, status aligned (sums to 8), every tensor
// inside memory, sums/status/T disjoint from the tensors.

import { sum_squares } from "./vector";

// ---- helpers

@inline function __offset(T: usize, t: i32): usize {
  return <usize>load<i32>(T + (<usize>t << 3)) << 2;
}

@inline function __length(T: usize, t: i32): i32 {
  return load<i32>(T + (<usize>t << 3), 4);
}

/** x · s over [0, n) (f32x4 and scalar agree: one multiply per element). */
function __scale(x: usize, s: f32, n: i32): void {
  const e = <usize>n << 2;
  let o: usize = 0;
  if (ASC_FEATURE_SIMD) {
    const vs = f32x4.splat(s);
    for (; o + 16 <= e; o += 16) v128.store(x + o, f32x4.mul(v128.load(x + o), vs));
  }
  for (; o < e; o += 4) store<f32>(x + o, load<f32>(x + o) * s);
}

// ---- norm pass and guard

/**
 * One deterministic reduction: sums[t] = Σ g² of tensor t (vector.ts sum_squares order, f64), returns
 * Σ_t sums[t] in table order (f64). Squares of finite f32 cannot overflow f64, so a tensor's sum is
 * non-finite exactly when the tensor holds a NaN or ±Inf; only then is it rescanned for the first bad
 * index, which goes to status. status = [−1, −1] when every gradient is finite.
 */
export function grad_norms(sums: usize, status: usize, G: usize, T: usize, count: i32): f64 {
  let total: f64 = 0;
  let bad = -1, badIndex = -1;
  for (let t = 0; t < count; t++) {
    const p = G + __offset(T, t);
    const n = __length(T, t);
    const s = sum_squares(p, n);
    store<f64>(sums + (<usize>t << 3), s);
    total += s;
    if (bad < 0 && !isFinite<f64>(s)) {
      bad = t;
      for (let i = 0; i < n; i++) {
        if (!isFinite<f32>(load<f32>(p + (<usize>i << 2)))) {
          badIndex = i;
          break;
        }
      }
    }
  }
  store<i32>(status, bad);
  store<i32>(status, badIndex, 4);
  return total;
}

// ---- clipping

/** clipvalue (Keras): g = min(max(g, −clip), clip) element-wise (NaN stays NaN). */
export function clip_value(G: usize, T: usize, count: i32, clip: f32): void {
  for (let t = 0; t < count; t++) {
    const p = G + __offset(T, t);
    const e = <usize>__length(T, t) << 2;
    let o: usize = 0;
    if (ASC_FEATURE_SIMD) {
      const hi = f32x4.splat(clip), lo = f32x4.splat(-clip);
      for (; o + 16 <= e; o += 16) v128.store(p + o, f32x4.min(f32x4.max(v128.load(p + o), lo), hi));
    }
    for (; o < e; o += 4) store<f32>(p + o, min<f32>(max<f32>(load<f32>(p + o), -clip), clip));
  }
}

/**
 * clipnorm (Keras, per tensor): g_t ·= s_t with s_t = f32(clip / max(‖g_t‖, clip)), ‖g_t‖ = sqrt(sums[t])
 * from grad_norms (f64). Tensors with ‖g_t‖ <= clip are left untouched (s_t = 1).
 */
export function clip_norm(G: usize, T: usize, sums: usize, count: i32, clip: f64): void {
  for (let t = 0; t < count; t++) {
    const norm = Math.sqrt(load<f64>(sums + (<usize>t << 3)));
    const s = <f32>(clip / max<f64>(norm, clip));
    if (s != 1) __scale(G + __offset(T, t), s, __length(T, t));
  }
}

/** Every tensor ·= s (one factor, computed by the binding: global_clipnorm or clip_grad_norm_). */
export function clip_scale(G: usize, T: usize, count: i32, s: f32): void {
  for (let t = 0; t < count; t++) __scale(G + __offset(T, t), s, __length(T, t));
}
