// Flat vector and row operations over f32 buffers; pointers are byte offsets into linear memory.
// Legend: n elements; M rows, N columns (row-major).
// Preconditions (checked by bindings/): 4-byte aligned pointers, ranges inside memory.
// Reductions use a fixed order (4 lane partial sums, combined (s0 + s1) + (s2 + s3), then the tail),
// identical in the SIMD and scalar builds, so results are deterministic.

// ---- fill, copy, scale, axpy

/** x[0..n) = value */
export function fill(x: usize, value: f32, n: i32): void {
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    const v = f32x4.splat(value);
    for (; i + 4 <= n; i += 4) v128.store(x + (<usize>i << 2), v);
  }
  for (; i < n; i++) store<f32>(x + (<usize>i << 2), value);
}

/** dst[0..n) = src[0..n); the ranges may overlap only if dst == src (memmove semantics otherwise). */
export function copy(dst: usize, src: usize, n: i32): void {
  memory.copy(dst, src, <usize>n << 2);
}

/** x[0..n) *= alpha */
export function scale(x: usize, alpha: f32, n: i32): void {
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    const a = f32x4.splat(alpha);
    for (; i + 4 <= n; i += 4) {
      const p = x + (<usize>i << 2);
      v128.store(p, f32x4.mul(v128.load(p), a));
    }
  }
  for (; i < n; i++) {
    const p = x + (<usize>i << 2);
    store<f32>(p, load<f32>(p) * alpha);
  }
}

/** y[0..n) += alpha · x[0..n) */
export function axpy(y: usize, alpha: f32, x: usize, n: i32): void {
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    const a = f32x4.splat(alpha);
    for (; i + 4 <= n; i += 4) {
      const o = <usize>i << 2;
      v128.store(y + o, f32x4.add(v128.load(y + o), f32x4.mul(a, v128.load(x + o))));
    }
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    store<f32>(y + o, load<f32>(y + o) + alpha * load<f32>(x + o));
  }
}

// ---- reductions

/** Σ x[i]² over [0, n), accumulated in f64 (4 lane partial sums, fixed combination order). */
export function sum_squares(x: usize, n: i32): f64 {
  let s0: f64 = 0, s1: f64 = 0, s2: f64 = 0, s3: f64 = 0;
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    let lo = f64x2.splat(0), hi = f64x2.splat(0);
    for (; i + 4 <= n; i += 4) {
      const v = v128.load(x + (<usize>i << 2));
      const a = f64x2.promote_low_f32x4(v);
      const b = f64x2.promote_low_f32x4(v128.swizzle(v, i8x16(8, 9, 10, 11, 12, 13, 14, 15, 0, 1, 2, 3, 4, 5, 6, 7)));
      lo = f64x2.add(lo, f64x2.mul(a, a));
      hi = f64x2.add(hi, f64x2.mul(b, b));
    }
    s0 = f64x2.extract_lane(lo, 0); s1 = f64x2.extract_lane(lo, 1);
    s2 = f64x2.extract_lane(hi, 0); s3 = f64x2.extract_lane(hi, 1);
  } else {
    for (; i + 4 <= n; i += 4) {
      const p = x + (<usize>i << 2);
      const a = <f64>load<f32>(p), b = <f64>load<f32>(p, 4), c = <f64>load<f32>(p, 8), d = <f64>load<f32>(p, 12);
      s0 += a * a; s1 += b * b; s2 += c * c; s3 += d * d;
    }
  }
  let s = (s0 + s1) + (s2 + s3);
  for (; i < n; i++) {
    const a = <f64>load<f32>(x + (<usize>i << 2));
    s += a * a;
  }
  return s;
}

// ---- row operations

/** Y (M, N): every row += b (N). */
export function bias_add_rows(Y: usize, b: usize, M: i32, N: i32): void {
  for (let r = 0; r < M; r++) axpy(Y + (<usize>(r * N) << 2), 1, b, N);
}

/** out (N) (+)= Σ_rows X (M, N), rows summed in ascending order. */
export function col_sums(out: usize, X: usize, M: i32, N: i32, accumulate: i32): void {
  if (!accumulate) fill(out, 0, N);
  for (let r = 0; r < M; r++) axpy(out, 1, X + (<usize>(r * N) << 2), N);
}

// ---- strided copies and element-wise products (Bidirectional merge, residual connections)

/** dst rows (stride ldd) [0, rows) × [0, cols) = src rows (stride lds); strides and cols in elements. */
export function copy_rows(dst: usize, ldd: i32, src: usize, lds: i32, rows: i32, cols: i32, accumulate: i32): void {
  const bytes = <usize>cols << 2;
  for (let r = 0; r < rows; r++) {
    const d = dst + (<usize>r * <usize>ldd << 2), s = src + (<usize>r * <usize>lds << 2);
    if (accumulate) axpy(d, 1, s, cols);
    else memory.copy(d, s, bytes);
  }
}

/** y[0..n) (+)= a[0..n) ⊙ b[0..n) */
export function mul(y: usize, a: usize, b: usize, n: i32, accumulate: i32): void {
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    for (; i + 4 <= n; i += 4) {
      const o = <usize>i << 2;
      let v = f32x4.mul(v128.load(a + o), v128.load(b + o));
      if (accumulate) v = f32x4.add(v128.load(y + o), v);
      v128.store(y + o, v);
    }
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    let v = load<f32>(a + o) * load<f32>(b + o);
    if (accumulate) v = load<f32>(y + o) + v;
    store<f32>(y + o, v);
  }
}
