// GEMM cores with explicit strides, shared by the exported GEMM family (assembly/gemm.ts) and by the fused
// recurrent kernels, which multiply column blocks of wider buffers (e.g. the z|r block of GRU gates).
// Not re-exported from assembly/index.ts: these are internal to the module.
// Legend: C (M, N) with row stride ldc; B (K, N) with row stride ldb; A element (i, k) at A + 4·(i·rsA + k·csA)
// (nn: rsA = lda, csA = 1; tn: rsA = 1, csA = lda). All strides in elements.
// Each C element is summed over k in ascending order with separate multiply and add (no FMA), so every tile
// shape, and the scalar build, gives identical bits. Micro-kernel: a 4×8 tile of C in 8 f32x4 accumulators
// (the relaxed build: 6×8 in 12, same order, its FMA per step is the only difference).

import { madd4 } from "./madd";
import { kernelScratch } from "./heap";

@inline function __store(p: usize, v: v128, accumulate: i32): void {
  if (accumulate) v = f32x4.add(v128.load(p), v);
  v128.store(p, v);
}

@inline function __storeScalar(p: usize, v: f32, accumulate: i32): void {
  if (accumulate) v = load<f32>(p) + v;
  store<f32>(p, v);
}

// One row of C over columns [j0, N), scalar; used for remainders and the scalar build.
@inline function __rowScalar(
  C: usize, ldc: i32, A: usize, rsA: i32, csA: i32, B: usize, ldb: i32, N: i32, K: i32, i: i32, j0: i32, accumulate: i32
): void {
  const pa = A + (<usize>(i * rsA) << 2);
  const csA4 = <usize>csA << 2;
  const ldb4 = <usize>ldb << 2;
  for (let j = j0; j < N; j++) {
    let s: f32 = 0;
    let a = pa;
    let b = B + (<usize>j << 2);
    for (let k = 0; k < K; k++) {
      s += load<f32>(a) * load<f32>(b);
      a += csA4;
      b += ldb4;
    }
    __storeScalar(C + (<usize>(i * ldc + j) << 2), s, accumulate);
  }
}

// One 6×8 tile of C in 12 accumulators (the relaxed build only): rows of A at a + r·rsA4, k stride csA4; B
// row stride ldb4. Stored without accumulating (a load of C after the k loop makes V8 spill accumulators).
// Why 6×8 there: relaxed_madd is one FMA whose 4-cycle latency on 2 pipes needs 8 chains in flight, and
// the 4×8 tile has exactly 8, so any stall idles a pipe; 12 chains ran the 256³ GEMM at 56 instead of 46
// GFLOP/s on Node 24 (Zen 5). The SIMD build's mul + add needs a register for each product, so there 6×8
// spills (28 GFLOP/s) and the 4×8 tile stays.
@inline function __tile6x8(c: usize, ldc4: usize, a: usize, rsA4: usize, csA4: usize, b: usize, ldb4: usize, K: i32): void {
  let c00 = f32x4.splat(0), c01 = f32x4.splat(0), c10 = f32x4.splat(0), c11 = f32x4.splat(0);
  let c20 = f32x4.splat(0), c21 = f32x4.splat(0), c30 = f32x4.splat(0), c31 = f32x4.splat(0);
  let c40 = f32x4.splat(0), c41 = f32x4.splat(0), c50 = f32x4.splat(0), c51 = f32x4.splat(0);
  const a1 = rsA4, a2 = rsA4 * 2, a3 = rsA4 * 3, a4 = rsA4 * 4, a5 = rsA4 * 5;
  for (let k = 0; k < K; k++) {
    const b0 = v128.load(b), b1 = v128.load(b, 16);
    let s = v128.load32_splat(a);  c00 = madd4(s, b0, c00); c01 = madd4(s, b1, c01);
    s = v128.load32_splat(a + a1); c10 = madd4(s, b0, c10); c11 = madd4(s, b1, c11);
    s = v128.load32_splat(a + a2); c20 = madd4(s, b0, c20); c21 = madd4(s, b1, c21);
    s = v128.load32_splat(a + a3); c30 = madd4(s, b0, c30); c31 = madd4(s, b1, c31);
    s = v128.load32_splat(a + a4); c40 = madd4(s, b0, c40); c41 = madd4(s, b1, c41);
    s = v128.load32_splat(a + a5); c50 = madd4(s, b0, c50); c51 = madd4(s, b1, c51);
    a += csA4;
    b += ldb4;
  }
  v128.store(c, c00); v128.store(c, c01, 16); c += ldc4;
  v128.store(c, c10); v128.store(c, c11, 16); c += ldc4;
  v128.store(c, c20); v128.store(c, c21, 16); c += ldc4;
  v128.store(c, c30); v128.store(c, c31, 16); c += ldc4;
  v128.store(c, c40); v128.store(c, c41, 16); c += ldc4;
  v128.store(c, c50); v128.store(c, c51, 16);
}

// Set form (not inlined: one copy of the k loop with its own register allocation).
function __tile6x8Set(c: usize, ldc4: usize, a: usize, rsA4: usize, csA4: usize, b: usize, ldb4: usize, K: i32): void {
  __tile6x8(c, ldc4, a, rsA4, csA4, b, ldb4, K);
}

// 6 rows × 8 floats of scratch for __tile6x8Add (per instance): the first 192 bytes of packed-gemm's
// ROWS_TMP (heap.ts). Shared safely: neither staging is live while the other code runs (both are filled
// and consumed inside one call that calls nothing of the other).
@inline function __tile6Tmp(): usize { return kernelScratch() + 65536 + 128; }

// Accumulating form: the tile into scratch, then added to C: the same bits as C + (Σ) at full speed.
function __tile6x8Add(c: usize, ldc4: usize, a: usize, rsA4: usize, csA4: usize, b: usize, ldb4: usize, K: i32): void {
  const t = __tile6Tmp();
  __tile6x8(t, 32, a, rsA4, csA4, b, ldb4, K);
  for (let r: usize = 0; r < 6; r++) {
    const q = c + r * ldc4, u = t + (r << 5);
    v128.store(q, f32x4.add(v128.load(q), v128.load(u)));
    v128.store(q, f32x4.add(v128.load(q, 16), v128.load(u, 16)), 16);
  }
}

/** C (M, N) (+)= A · B over rows [m0, m1), A read through strides (rsA, csA). */
export function gemmCore(
  C: usize, ldc: i32, A: usize, rsA: i32, csA: i32, B: usize, ldb: i32,
  M: i32, N: i32, K: i32, m0: i32, m1: i32, accumulate: i32
): void {
  if (ASC_FEATURE_RELAXED_SIMD && m1 - m0 >= 6 && N >= 8) {
    // Rows in blocks of 6 over the full 8-column tiles; the rest (columns N mod 8 of those rows, then the
    // last m mod 6 rows) on the general path below. Per element the same k order either way.
    const ldb4 = <usize>ldb << 2, ldc4 = <usize>ldc << 2, csA4 = <usize>csA << 2, rsA4 = <usize>rsA << 2;
    const N8 = N & ~7;
    let i = m0;
    for (; i + 6 <= m1; i += 6) {
      const pa = A + <usize>i * rsA4, pc = C + <usize>i * ldc4;
      for (let j = 0; j < N8; j += 8) {
        const o = <usize>j << 2;
        if (accumulate) __tile6x8Add(pc + o, ldc4, pa, rsA4, csA4, B + o, ldb4, K);
        else __tile6x8Set(pc + o, ldc4, pa, rsA4, csA4, B + o, ldb4, K);
      }
    }
    if (N8 < N) gemmCore4(C + (<usize>N8 << 2), ldc, A, rsA, csA, B + (<usize>N8 << 2), ldb, M, N - N8, K, m0, i, accumulate);
    gemmCore4(C, ldc, A, rsA, csA, B, ldb, M, N, K, i, m1, accumulate);
    return;
  }
  gemmCore4(C, ldc, A, rsA, csA, B, ldb, M, N, K, m0, m1, accumulate);
}

// The general path: 4×8 tiles, then 4-column tiles, then single rows (below).
function gemmCore4(
  C: usize, ldc: i32, A: usize, rsA: i32, csA: i32, B: usize, ldb: i32,
  M: i32, N: i32, K: i32, m0: i32, m1: i32, accumulate: i32
): void {
  if (!ASC_FEATURE_SIMD) {
    for (let i = m0; i < m1; i++) __rowScalar(C, ldc, A, rsA, csA, B, ldb, N, K, i, 0, accumulate);
    return;
  }
  const ldb4 = <usize>ldb << 2;
  const ldc4 = <usize>ldc << 2;
  const csA4 = <usize>csA << 2;
  const rsA4 = <usize>rsA << 2;
  let i = m0;
  for (; i + 4 <= m1; i += 4) {
    const pa = A + (<usize>(i * rsA) << 2);
    const pc = C + (<usize>(i * ldc) << 2);
    let j = 0;
    for (; j + 8 <= N; j += 8) {
      let c00 = f32x4.splat(0), c01 = f32x4.splat(0);
      let c10 = f32x4.splat(0), c11 = f32x4.splat(0);
      let c20 = f32x4.splat(0), c21 = f32x4.splat(0);
      let c30 = f32x4.splat(0), c31 = f32x4.splat(0);
      let a = pa;
      let b = B + (<usize>j << 2);
      for (let k = 0; k < K; k++) {
        const b0 = v128.load(b);
        const b1 = v128.load(b, 16);
        let s = f32x4.splat(load<f32>(a));
        c00 = madd4(s, b0, c00);
        c01 = madd4(s, b1, c01);
        s = f32x4.splat(load<f32>(a + rsA4));
        c10 = madd4(s, b0, c10);
        c11 = madd4(s, b1, c11);
        s = f32x4.splat(load<f32>(a + 2 * rsA4));
        c20 = madd4(s, b0, c20);
        c21 = madd4(s, b1, c21);
        s = f32x4.splat(load<f32>(a + 3 * rsA4));
        c30 = madd4(s, b0, c30);
        c31 = madd4(s, b1, c31);
        a += csA4;
        b += ldb4;
      }
      const q = pc + (<usize>j << 2);
      __store(q, c00, accumulate);            __store(q + 16, c01, accumulate);
      __store(q + ldc4, c10, accumulate);     __store(q + ldc4 + 16, c11, accumulate);
      __store(q + 2 * ldc4, c20, accumulate); __store(q + 2 * ldc4 + 16, c21, accumulate);
      __store(q + 3 * ldc4, c30, accumulate); __store(q + 3 * ldc4 + 16, c31, accumulate);
    }
    for (; j + 4 <= N; j += 4) {
      let c0 = f32x4.splat(0), c1 = f32x4.splat(0), c2 = f32x4.splat(0), c3 = f32x4.splat(0);
      let a = pa;
      let b = B + (<usize>j << 2);
      for (let k = 0; k < K; k++) {
        const b0 = v128.load(b);
        c0 = madd4(f32x4.splat(load<f32>(a)), b0, c0);
        c1 = madd4(f32x4.splat(load<f32>(a + rsA4)), b0, c1);
        c2 = madd4(f32x4.splat(load<f32>(a + 2 * rsA4)), b0, c2);
        c3 = madd4(f32x4.splat(load<f32>(a + 3 * rsA4)), b0, c3);
        a += csA4;
        b += ldb4;
      }
      const q = pc + (<usize>j << 2);
      __store(q, c0, accumulate);
      __store(q + ldc4, c1, accumulate);
      __store(q + 2 * ldc4, c2, accumulate);
      __store(q + 3 * ldc4, c3, accumulate);
    }
    if (j < N) {
      for (let r = 0; r < 4; r++) __rowScalar(C, ldc, A, rsA, csA, B, ldb, N, K, i + r, j, accumulate);
    }
  }
  // Remaining rows one at a time (and B = 1 GEMVs): 32 columns per pass in 8 accumulators, so every row k
  // of B is read as two whole cache lines (a 4 KB-strided walk over B with only 8 columns per pass touched
  // each page 4× as often and ran at half the speed for M = 1); then 8 and 4 columns, then scalar.
  for (; i < m1; i++) {
    const pa = A + (<usize>(i * rsA) << 2);
    const pc = C + (<usize>(i * ldc) << 2);
    let j = 0;
    for (; j + 32 <= N; j += 32) {
      let c0 = f32x4.splat(0), c1 = f32x4.splat(0), c2 = f32x4.splat(0), c3 = f32x4.splat(0);
      let c4 = f32x4.splat(0), c5 = f32x4.splat(0), c6 = f32x4.splat(0), c7 = f32x4.splat(0);
      let a = pa;
      let b = B + (<usize>j << 2);
      for (let k = 0; k < K; k++) {
        const s = f32x4.splat(load<f32>(a));
        c0 = madd4(s, v128.load(b), c0);
        c1 = madd4(s, v128.load(b, 16), c1);
        c2 = madd4(s, v128.load(b, 32), c2);
        c3 = madd4(s, v128.load(b, 48), c3);
        c4 = madd4(s, v128.load(b, 64), c4);
        c5 = madd4(s, v128.load(b, 80), c5);
        c6 = madd4(s, v128.load(b, 96), c6);
        c7 = madd4(s, v128.load(b, 112), c7);
        a += csA4;
        b += ldb4;
      }
      const q = pc + (<usize>j << 2);
      __store(q, c0, accumulate); __store(q + 16, c1, accumulate); __store(q + 32, c2, accumulate); __store(q + 48, c3, accumulate);
      __store(q + 64, c4, accumulate); __store(q + 80, c5, accumulate); __store(q + 96, c6, accumulate); __store(q + 112, c7, accumulate);
    }
    for (; j + 8 <= N; j += 8) {
      let c0 = f32x4.splat(0), c1 = f32x4.splat(0);
      let a = pa;
      let b = B + (<usize>j << 2);
      for (let k = 0; k < K; k++) {
        const s = f32x4.splat(load<f32>(a));
        c0 = madd4(s, v128.load(b), c0);
        c1 = madd4(s, v128.load(b, 16), c1);
        a += csA4;
        b += ldb4;
      }
      __store(pc + (<usize>j << 2), c0, accumulate);
      __store(pc + (<usize>j << 2) + 16, c1, accumulate);
    }
    for (; j + 4 <= N; j += 4) {
      let c0 = f32x4.splat(0);
      let a = pa;
      let b = B + (<usize>j << 2);
      for (let k = 0; k < K; k++) {
        c0 = madd4(f32x4.splat(load<f32>(a)), v128.load(b), c0);
        a += csA4;
        b += ldb4;
      }
      __store(pc + (<usize>j << 2), c0, accumulate);
    }
    if (j < N) __rowScalar(C, ldc, A, rsA, csA, B, ldb, N, K, i, j, accumulate);
  }
}

// ---- dot-shaped core: C (M, N) (+)= A (M, K) · Bᵀ, B (N, K); rows of A stride lda, rows of B stride ldb.
// Each dot product: 4 lane partial sums over k ≡ lane (mod 4), combined (s0 + s1) + (s2 + s3), then the
// k remainder in order; the scalar build follows the same order.

@inline function __dotScalar(a: usize, b: usize, K: i32): f32 {
  let s0: f32 = 0, s1: f32 = 0, s2: f32 = 0, s3: f32 = 0;
  let k = 0;
  for (; k + 4 <= K; k += 4) {
    const o = <usize>k << 2;
    s0 += load<f32>(a + o) * load<f32>(b + o);
    s1 += load<f32>(a + o, 4) * load<f32>(b + o, 4);
    s2 += load<f32>(a + o, 8) * load<f32>(b + o, 8);
    s3 += load<f32>(a + o, 12) * load<f32>(b + o, 12);
  }
  let s = (s0 + s1) + (s2 + s3);
  for (; k < K; k++) s += load<f32>(a + (<usize>k << 2)) * load<f32>(b + (<usize>k << 2));
  return s;
}

@inline function __hsum(v: v128): f32 {
  return (f32x4.extract_lane(v, 0) + f32x4.extract_lane(v, 1)) +
         (f32x4.extract_lane(v, 2) + f32x4.extract_lane(v, 3));
}

@inline function __tail(s: f32, a: usize, b: usize, k0: i32, K: i32): f32 {
  for (let k = k0; k < K; k++) s += load<f32>(a + (<usize>k << 2)) * load<f32>(b + (<usize>k << 2));
  return s;
}

export function gemmNTCore(
  C: usize, ldc: i32, A: usize, lda: i32, B: usize, ldb: i32,
  M: i32, N: i32, K: i32, m0: i32, m1: i32, accumulate: i32
): void {
  const lda4 = <usize>lda << 2;
  const ldb4 = <usize>ldb << 2;
  const ldc4 = <usize>ldc << 2;
  if (!ASC_FEATURE_SIMD) {
    for (let i = m0; i < m1; i++) {
      for (let j = 0; j < N; j++) {
        __storeScalar(C + <usize>i * ldc4 + (<usize>j << 2), __dotScalar(A + <usize>i * lda4, B + <usize>j * ldb4, K), accumulate);
      }
    }
    return;
  }
  const Kv = K & ~3;
  const Kv4 = <usize>Kv << 2;
  let i = m0;
  // 2 rows of A × 4 rows of B: 8 accumulators, 6 loads per k-step of 4.
  for (; i + 2 <= m1; i += 2) {
    const a0 = A + <usize>i * lda4;
    const a1 = a0 + lda4;
    const c0 = C + <usize>i * ldc4;
    const c1 = c0 + ldc4;
    let j = 0;
    for (; j + 4 <= N; j += 4) {
      const b0 = B + <usize>j * ldb4, b1 = b0 + ldb4, b2 = b1 + ldb4, b3 = b2 + ldb4;
      let s00 = f32x4.splat(0), s01 = f32x4.splat(0), s02 = f32x4.splat(0), s03 = f32x4.splat(0);
      let s10 = f32x4.splat(0), s11 = f32x4.splat(0), s12 = f32x4.splat(0), s13 = f32x4.splat(0);
      for (let o: usize = 0; o < Kv4; o += 16) {
        const x0 = v128.load(a0 + o), x1 = v128.load(a1 + o);
        let y = v128.load(b0 + o);
        s00 = madd4(x0, y, s00); s10 = madd4(x1, y, s10);
        y = v128.load(b1 + o);
        s01 = madd4(x0, y, s01); s11 = madd4(x1, y, s11);
        y = v128.load(b2 + o);
        s02 = madd4(x0, y, s02); s12 = madd4(x1, y, s12);
        y = v128.load(b3 + o);
        s03 = madd4(x0, y, s03); s13 = madd4(x1, y, s13);
      }
      const q0 = c0 + (<usize>j << 2), q1 = c1 + (<usize>j << 2);
      __storeScalar(q0, __tail(__hsum(s00), a0, b0, Kv, K), accumulate);
      __storeScalar(q0 + 4, __tail(__hsum(s01), a0, b1, Kv, K), accumulate);
      __storeScalar(q0 + 8, __tail(__hsum(s02), a0, b2, Kv, K), accumulate);
      __storeScalar(q0 + 12, __tail(__hsum(s03), a0, b3, Kv, K), accumulate);
      __storeScalar(q1, __tail(__hsum(s10), a1, b0, Kv, K), accumulate);
      __storeScalar(q1 + 4, __tail(__hsum(s11), a1, b1, Kv, K), accumulate);
      __storeScalar(q1 + 8, __tail(__hsum(s12), a1, b2, Kv, K), accumulate);
      __storeScalar(q1 + 12, __tail(__hsum(s13), a1, b3, Kv, K), accumulate);
    }
    for (; j < N; j++) {
      const b0 = B + <usize>j * ldb4;
      let s0 = f32x4.splat(0), s1 = f32x4.splat(0);
      for (let o: usize = 0; o < Kv4; o += 16) {
        const y = v128.load(b0 + o);
        s0 = madd4(v128.load(a0 + o), y, s0);
        s1 = madd4(v128.load(a1 + o), y, s1);
      }
      __storeScalar(c0 + (<usize>j << 2), __tail(__hsum(s0), a0, b0, Kv, K), accumulate);
      __storeScalar(c1 + (<usize>j << 2), __tail(__hsum(s1), a1, b0, Kv, K), accumulate);
    }
  }
  for (; i < m1; i++) {
    const a0 = A + <usize>i * lda4;
    for (let j = 0; j < N; j++) {
      const b0 = B + <usize>j * ldb4;
      let s0 = f32x4.splat(0);
      for (let o: usize = 0; o < Kv4; o += 16) {
        s0 = madd4(v128.load(a0 + o), v128.load(b0 + o), s0);
      }
      __storeScalar(C + <usize>i * ldc4 + (<usize>j << 2), __tail(__hsum(s0), a0, b0, Kv, K), accumulate);
    }
  }
}

// ---- strided row helpers for column blocks of wider buffers

/** Y rows [0, M) of width N (row stride ldy) += b (N). */
export function biasAddStrided(Y: usize, ldy: i32, b: usize, M: i32, N: i32): void {
  const ldy4 = <usize>ldy << 2;
  for (let r = 0; r < M; r++) {
    const y = Y + <usize>r * ldy4;
    let j = 0;
    if (ASC_FEATURE_SIMD) {
      for (; j + 4 <= N; j += 4) {
        const o = <usize>j << 2;
        v128.store(y + o, f32x4.add(v128.load(y + o), v128.load(b + o)));
      }
    }
    for (; j < N; j++) {
      const o = <usize>j << 2;
      store<f32>(y + o, load<f32>(y + o) + load<f32>(b + o));
    }
  }
}

/** out (N) (+)= Σ over rows [0, M) of X (width N, row stride ldx), rows in ascending order. */
export function colSumsStrided(out: usize, X: usize, ldx: i32, M: i32, N: i32, accumulate: i32): void {
  if (!accumulate) memory.fill(out, 0, <usize>N << 2);
  const ldx4 = <usize>ldx << 2;
  for (let r = 0; r < M; r++) biasAddStrided(out, 0, X + <usize>r * ldx4, 1, N);
}
