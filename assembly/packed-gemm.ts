// GEMM with a packed right-hand operand, for the weight matrices a recurrent kernel multiplies by at every
// step (U) or over every row of a sequence (W). Not re-exported from assembly/index.ts.
// Packed layout of B (K, N): column panels of PANEL columns (the last one narrower when N % PANEL != 0), each
// stored row after row, contiguous: element (k, j) of panel p (columns [p, p + w)) at P + 4·(p·K + k·w + j − p).
// Why: row-major B of a gate-wide matrix (N = 4H = 1024) has a 4 KB row stride, so the k-walk of a GEMM tile
// touches a new page on every row and defeats the L2 streamer; walking one contiguous 32 KB panel instead
// lifts the M = 1 GEMV from 19 to 27 GFLOP/s and the M = 32 GEMM from 29.6 to 33 GFLOP/s (the mul+add peak
// of this 128-bit, no-FMA code on the reference machine is 33.6; bench/results/gemm-*.json).
// Each panel is one gemmCore call with the panel as B, so every element of C is summed in exactly the order
// of the unpacked GEMM: packed and unpacked results are bit-identical (tested).

import { madd4 } from "./madd";
import { gemmCore } from "./gemm-core";
import { kernelScratch } from "./heap";

/** Columns per panel: the width of the single-row path of gemmCore (8 accumulators of 4 lanes). */
export const PANEL: i32 = 32;

/** Packs B (K, N) with row stride ldb into P (K·N floats, layout above). */
export function packPanels(P: usize, B: usize, ldb: i32, K: i32, N: i32): void {
  const ldb4 = <usize>ldb << 2;
  for (let p = 0; p < N; p += PANEL) {
    const w = min<i32>(PANEL, N - p);
    let src = B + (<usize>p << 2);
    let dst = P + (<usize>p * <usize>K << 2);
    if (ASC_FEATURE_SIMD && w == PANEL) {
      for (let k = 0; k < K; k++) {
        v128.store(dst, v128.load(src));             v128.store(dst, v128.load(src, 16), 16);
        v128.store(dst, v128.load(src, 32), 32);     v128.store(dst, v128.load(src, 48), 48);
        v128.store(dst, v128.load(src, 64), 64);     v128.store(dst, v128.load(src, 80), 80);
        v128.store(dst, v128.load(src, 96), 96);     v128.store(dst, v128.load(src, 112), 112);
        src += ldb4;
        dst += <usize>PANEL << 2;
      }
    } else {
      for (let k = 0; k < K; k++) {
        for (let j = 0; j < w; j++) store<f32>(dst + (<usize>j << 2), load<f32>(src + (<usize>j << 2)));
        src += ldb4;
        dst += <usize>w << 2;
      }
    }
  }
}

// Micro-kernels. Every element of C is one accumulator that sums k = 0, 1, ... in order (then, in the
// accumulating forms, C + Σ), whatever the tile shape: tile shapes and loop forms change speed, never bits.
// Loop form (measured on Node 24 / V8 13.6, 2-core Zen 5, bench/results and docs/performance.md "W3"): V8
// now unrolls a short single-step k loop itself; a k loop unrolled by hand instead gets its loads hoisted
// across the copies by the scheduler and spills accumulators (the 4×8 tile unrolled by 4 ran at 36 GFLOP/s
// in the relaxed build, the plain loop at 42; a 6×8 tile with relaxed_madd, 12 accumulators, 55). With
// separate mul + add (the SIMD build) every product needs a temporary register, so the 6×8 tile spills
// there (27) and the SIMD build keeps 4×8 tiles; its single-row kernel stays unrolled by 4 (39 vs 31).

// One 4×8 tile of C: rows of A at a, a + lda4, ...; 8 columns of a full panel at b (row stride PANEL floats).
@inline function __tile4x8(c: usize, ldc4: usize, a: usize, lda4: usize, b: usize, K: i32): void {
  let c00 = f32x4.splat(0), c01 = f32x4.splat(0), c10 = f32x4.splat(0), c11 = f32x4.splat(0);
  let c20 = f32x4.splat(0), c21 = f32x4.splat(0), c30 = f32x4.splat(0), c31 = f32x4.splat(0);
  const a1 = lda4, a2 = lda4 << 1, a3 = lda4 * 3;
  let b0: v128, b1: v128, s: v128;
  const end = a + (<usize>K << 2);
  while (a < end) {
    b0 = v128.load(b); b1 = v128.load(b, 16);
    s = v128.load32_splat(a);      c00 = madd4(s, b0, c00); c01 = madd4(s, b1, c01);
    s = v128.load32_splat(a + a1); c10 = madd4(s, b0, c10); c11 = madd4(s, b1, c11);
    s = v128.load32_splat(a + a2); c20 = madd4(s, b0, c20); c21 = madd4(s, b1, c21);
    s = v128.load32_splat(a + a3); c30 = madd4(s, b0, c30); c31 = madd4(s, b1, c31);
    a += 4;
    b += 128;
  }
  v128.store(c, c00);                 v128.store(c, c01, 16);
  v128.store(c + ldc4, c10);          v128.store(c + ldc4, c11, 16);
  v128.store(c + (ldc4 << 1), c20);   v128.store(c + (ldc4 << 1), c21, 16);
  v128.store(c + ldc4 * 3, c30);      v128.store(c + ldc4 * 3, c31, 16);
}

// One 6×8 tile (12 accumulators; relaxed build only, see above).
@inline function __tile6x8(c: usize, ldc4: usize, a: usize, lda4: usize, b: usize, K: i32): void {
  let c00 = f32x4.splat(0), c01 = f32x4.splat(0), c10 = f32x4.splat(0), c11 = f32x4.splat(0);
  let c20 = f32x4.splat(0), c21 = f32x4.splat(0), c30 = f32x4.splat(0), c31 = f32x4.splat(0);
  let c40 = f32x4.splat(0), c41 = f32x4.splat(0), c50 = f32x4.splat(0), c51 = f32x4.splat(0);
  const a1 = lda4, a2 = lda4 << 1, a3 = lda4 * 3, a4 = lda4 << 2, a5 = lda4 * 5;
  let b0: v128, b1: v128, s: v128;
  const end = a + (<usize>K << 2);
  while (a < end) {
    b0 = v128.load(b); b1 = v128.load(b, 16);
    s = v128.load32_splat(a);      c00 = madd4(s, b0, c00); c01 = madd4(s, b1, c01);
    s = v128.load32_splat(a + a1); c10 = madd4(s, b0, c10); c11 = madd4(s, b1, c11);
    s = v128.load32_splat(a + a2); c20 = madd4(s, b0, c20); c21 = madd4(s, b1, c21);
    s = v128.load32_splat(a + a3); c30 = madd4(s, b0, c30); c31 = madd4(s, b1, c31);
    s = v128.load32_splat(a + a4); c40 = madd4(s, b0, c40); c41 = madd4(s, b1, c41);
    s = v128.load32_splat(a + a5); c50 = madd4(s, b0, c50); c51 = madd4(s, b1, c51);
    a += 4;
    b += 128;
  }
  v128.store(c, c00);                 v128.store(c, c01, 16);
  v128.store(c + ldc4, c10);          v128.store(c + ldc4, c11, 16);
  v128.store(c + (ldc4 << 1), c20);   v128.store(c + (ldc4 << 1), c21, 16);
  v128.store(c + ldc4 * 3, c30);      v128.store(c + ldc4 * 3, c31, 16);
  v128.store(c + (ldc4 << 2), c40);   v128.store(c + (ldc4 << 2), c41, 16);
  v128.store(c + ldc4 * 5, c50);      v128.store(c + ldc4 * 5, c51, 16);
}

// One row of C over one full panel: 32 columns in 8 accumulators (the B = 1 GEMV of a recurrent step),
// stored without accumulating: any load of C after the k loop (a run-time or even a constant accumulate
// flag) makes V8 spill half the accumulators inside the loop, 24 instead of 38 GFLOP/s.
function __row32Set(c: usize, a: usize, b: usize, K: i32): void {
  let c0 = f32x4.splat(0), c1 = f32x4.splat(0), c2 = f32x4.splat(0), c3 = f32x4.splat(0);
  let c4 = f32x4.splat(0), c5 = f32x4.splat(0), c6 = f32x4.splat(0), c7 = f32x4.splat(0);
  let s: v128;
  if (!ASC_FEATURE_RELAXED_SIMD) {
    // SIMD build: unrolled by 4 (the K mod 4 first steps one at a time, so the order stays k = 0, 1, ...).
    const first = a + (<usize>(K & 3) << 2);
    while (a < first) {
      s = v128.load32_splat(a);
      c0 = madd4(s, v128.load(b), c0);  c1 = madd4(s, v128.load(b, 16), c1);
      c2 = madd4(s, v128.load(b, 32), c2);  c3 = madd4(s, v128.load(b, 48), c3);
      c4 = madd4(s, v128.load(b, 64), c4);  c5 = madd4(s, v128.load(b, 80), c5);
      c6 = madd4(s, v128.load(b, 96), c6);  c7 = madd4(s, v128.load(b, 112), c7);
      a += 4;
      b += 128;
    }
    const end4 = a + (<usize>(K & ~3) << 2);
    while (a < end4) {
      s = v128.load32_splat(a);
      c0 = madd4(s, v128.load(b), c0);  c1 = madd4(s, v128.load(b, 16), c1);
      c2 = madd4(s, v128.load(b, 32), c2);  c3 = madd4(s, v128.load(b, 48), c3);
      c4 = madd4(s, v128.load(b, 64), c4);  c5 = madd4(s, v128.load(b, 80), c5);
      c6 = madd4(s, v128.load(b, 96), c6);  c7 = madd4(s, v128.load(b, 112), c7);
      s = v128.load32_splat(a, 4);
      c0 = madd4(s, v128.load(b, 128), c0);  c1 = madd4(s, v128.load(b, 144), c1);
      c2 = madd4(s, v128.load(b, 160), c2);  c3 = madd4(s, v128.load(b, 176), c3);
      c4 = madd4(s, v128.load(b, 192), c4);  c5 = madd4(s, v128.load(b, 208), c5);
      c6 = madd4(s, v128.load(b, 224), c6);  c7 = madd4(s, v128.load(b, 240), c7);
      s = v128.load32_splat(a, 8);
      c0 = madd4(s, v128.load(b, 256), c0);  c1 = madd4(s, v128.load(b, 272), c1);
      c2 = madd4(s, v128.load(b, 288), c2);  c3 = madd4(s, v128.load(b, 304), c3);
      c4 = madd4(s, v128.load(b, 320), c4);  c5 = madd4(s, v128.load(b, 336), c5);
      c6 = madd4(s, v128.load(b, 352), c6);  c7 = madd4(s, v128.load(b, 368), c7);
      s = v128.load32_splat(a, 12);
      c0 = madd4(s, v128.load(b, 384), c0);  c1 = madd4(s, v128.load(b, 400), c1);
      c2 = madd4(s, v128.load(b, 416), c2);  c3 = madd4(s, v128.load(b, 432), c3);
      c4 = madd4(s, v128.load(b, 448), c4);  c5 = madd4(s, v128.load(b, 464), c5);
      c6 = madd4(s, v128.load(b, 480), c6);  c7 = madd4(s, v128.load(b, 496), c7);
      a += 16;
      b += 512;
    }
  } else {
    const end = a + (<usize>K << 2);
    while (a < end) {
      s = v128.load32_splat(a);
      c0 = madd4(s, v128.load(b), c0);  c1 = madd4(s, v128.load(b, 16), c1);
      c2 = madd4(s, v128.load(b, 32), c2);  c3 = madd4(s, v128.load(b, 48), c3);
      c4 = madd4(s, v128.load(b, 64), c4);  c5 = madd4(s, v128.load(b, 80), c5);
      c6 = madd4(s, v128.load(b, 96), c6);  c7 = madd4(s, v128.load(b, 112), c7);
      a += 4;
      b += 128;
    }
  }
  v128.store(c, c0);      v128.store(c, c1, 16); v128.store(c, c2, 32); v128.store(c, c3, 48);
  v128.store(c, c4, 64);  v128.store(c, c5, 80); v128.store(c, c6, 96); v128.store(c, c7, 112);
}

// 32 floats of scratch for __row32Add (per instance: heap.ts kernelScratch, after the 64 KB TN blocks).
@inline function __rowTmp(): usize { return kernelScratch() + 65536; }

// Accumulating form: the row into ROW_TMP, then added to C: the same bits, C + (Σ), at full speed.
function __row32Add(c: usize, a: usize, b: usize, K: i32): void {
  const tmp = __rowTmp();
  __row32Set(tmp, a, b, K);
  for (let o: usize = 0; o < 128; o += 16) v128.store(c + o, f32x4.add(v128.load(c + o), v128.load(tmp + o)));
}

// One row block over a full panel: four 4×8 (or, __rows6Set, 6×8) tiles, stored without accumulating. Two
// functions, not one with a branch: V8 allocates registers per function, and the 4×8 copies next to the
// 6×8 ones made it spill inside both loops (29 instead of 55 GFLOP/s).
function __rows4Set(c: usize, ldc4: usize, a: usize, lda4: usize, b: usize, K: i32): void {
  __tile4x8(c, ldc4, a, lda4, b, K);           __tile4x8(c + 32, ldc4, a, lda4, b + 32, K);
  __tile4x8(c + 64, ldc4, a, lda4, b + 64, K); __tile4x8(c + 96, ldc4, a, lda4, b + 96, K);
}

function __rows6Set(c: usize, ldc4: usize, a: usize, lda4: usize, b: usize, K: i32): void {
  __tile6x8(c, ldc4, a, lda4, b, K);           __tile6x8(c + 32, ldc4, a, lda4, b + 32, K);
  __tile6x8(c + 64, ldc4, a, lda4, b + 64, K); __tile6x8(c + 96, ldc4, a, lda4, b + 96, K);
}

@inline function __rowsSet(R: i32, c: usize, ldc4: usize, a: usize, lda4: usize, b: usize, K: i32): void {
  if (ASC_FEATURE_RELAXED_SIMD && R == 6) __rows6Set(c, ldc4, a, lda4, b, K);
  else __rows4Set(c, ldc4, a, lda4, b, K);
}

// R rows × 32 floats of scratch for __rowsAdd (per instance, after ROW_TMP; R ≤ 6).
@inline function __rowsTmp(): usize { return kernelScratch() + 65536 + 128; }

// Accumulating form, as __row32Add (accumulating inside the tile ran at 34 instead of 42 GFLOP/s).
function __rowsAdd(R: i32, c: usize, ldc4: usize, a: usize, lda4: usize, b: usize, K: i32): void {
  const tmp = __rowsTmp();
  __rowsSet(R, tmp, 128, a, lda4, b, K);
  for (let r: usize = 0; r < <usize>R; r++) {
    const q = c + r * ldc4, t = tmp + (r << 7);
    for (let o: usize = 0; o < 128; o += 16) v128.store(q + o, f32x4.add(v128.load(q + o), v128.load(t + o)));
  }
}

/**
 * C (M, N) with row stride ldc (+)= A · B over rows [m0, m1): A (M, K) with row stride lda, B (K, N) packed
 * in P (packPanels). Full panels use the micro-kernels above; a narrower last panel and the scalar build use
 * gemmCore on the panel. backwards: the panels last to first. Every column is one panel's sum, so the order
 * of the panels never changes a bit; a recurrent step alternates it (odd steps backwards) so that the
 * panels it read last, still in L2, are the first it reads again: at B = 1 the 1 MB of an LSTM(256) U plus
 * the rest of a step's data just overflow a 1 MB L2, and a scan in one direction missed on every panel
 * (W3 B1: 1.23 → 1.10 ms per sequence, relaxed build, Node 24).
 */
export function gemmPacked(
  C: usize, ldc: i32, A: usize, lda: i32, P: usize,
  M: i32, N: i32, K: i32, m0: i32, m1: i32, accumulate: i32, backwards: bool = false
): void {
  const ldc4 = <usize>ldc << 2;
  const lda4 = <usize>lda << 2;
  const np = (N + PANEL - 1) / PANEL;
  for (let q = 0; q < np; q++) {
    const p = (backwards ? np - 1 - q : q) * PANEL;
    const w = min<i32>(PANEL, N - p);
    const panel = P + (<usize>p * <usize>K << 2);
    if (!ASC_FEATURE_SIMD || w < PANEL) {
      gemmCore(C + (<usize>p << 2), ldc, A, lda, 1, panel, w, M, w, K, m0, m1, accumulate);
      continue;
    }
    let i = m0;
    while (i + 4 <= m1) {
      // Blocks of 6 rows (relaxed build) while that leaves no 1-3 row tail a 4-block would cover: 32 = 6·4 + 4·2.
      const left = m1 - i;
      const R = ASC_FEATURE_RELAXED_SIMD && left >= 6 && left != 8 ? 6 : 4;
      const c = C + <usize>i * ldc4 + (<usize>p << 2);
      const a = A + <usize>i * lda4;
      if (accumulate) __rowsAdd(R, c, ldc4, a, lda4, panel, K);
      else __rowsSet(R, c, ldc4, a, lda4, panel, K);
      i += R;
    }
    for (; i < m1; i++) {
      const c = C + <usize>i * ldc4 + (<usize>p << 2);
      const a = A + <usize>i * lda4;
      if (accumulate) __row32Add(c, a, panel, K);
      else __row32Set(c, a, panel, K);
    }
  }
}

// ---- Aᵀ·B over many rows (the weight gradients dW = xᵀ·dY, dU = h_prevᵀ·dgates over T·B rows)
// K in panels of 32 rows: C += Σ over each panel, panels in order. One pass over all K at once re-streams B
// from memory per tile row block (8 GFLOP/s at T·B = 2048, H = 256); panels keep it in cache (30 GFLOP/s with
// gemmCore). SIMD: per panel a (32, ≤ 256) block of A is transposed into TN_A and a (32, ≤ 256) block of B
// packed into TN_B (both static, 64 KB), and the product runs on the micro-kernels above: 35 GFLOP/s for dU
// at H = 256, G = 1024, T·B = 2048 (bigger panels, 64 or 128 rows, measured no faster). Same bits either way.
const TN_KC: i32 = 32;
const TN_MC: i32 = 256;
const TN_NC: i32 = 256;
// TN_A (32 KB) and TN_B (32 KB) are the module's kernel scratch (heap.ts).

/**
 * C (M, N) with row stride ldc += Aᵀ · B, A (K, M) with row stride lda, B (K, N) with row stride ldb, K in
 * panels of 32 (ldc > N: a column block of a wider matrix, e.g. one gate block of dU).
 */
export function gemmTNPanels(C: usize, ldc: i32, A: usize, lda: i32, B: usize, ldb: i32, M: i32, N: i32, K: i32): void {
  const lda4 = <usize>lda << 2, ldb4 = <usize>ldb << 2, ldc4 = <usize>ldc << 2;
  const TN_A = kernelScratch(), TN_B = TN_A + <usize>(TN_KC * TN_MC * 4);
  if (!ASC_FEATURE_SIMD) {
    for (let k0 = 0; k0 < K; k0 += TN_KC) {
      gemmCore(C, ldc, A + <usize>k0 * lda4, 1, lda, B + <usize>k0 * ldb4, ldb, M, N, min<i32>(TN_KC, K - k0), 0, M, 1);
    }
    return;
  }
  for (let k0 = 0; k0 < K; k0 += TN_KC) {
    const kc = min<i32>(TN_KC, K - k0);
    const Ak = A + <usize>k0 * lda4, Bk = B + <usize>k0 * ldb4;
    for (let m0 = 0; m0 < M; m0 += TN_MC) {
      const mc = min<i32>(TN_MC, M - m0);
      // TN_A (mc, kc): row i = column m0 + i of the A block
      for (let k = 0; k < kc; k++) {
        const src = Ak + <usize>k * lda4 + (<usize>m0 << 2);
        let dst = TN_A + (<usize>k << 2);
        const kc4 = <usize>kc << 2;
        for (let i = 0; i < mc; i++) {
          store<f32>(dst, load<f32>(src + (<usize>i << 2)));
          dst += kc4;
        }
      }
      for (let n0 = 0; n0 < N; n0 += TN_NC) {
        const nc = min<i32>(TN_NC, N - n0);
        packPanels(TN_B, Bk + (<usize>n0 << 2), ldb, kc, nc);
        gemmPacked(C + <usize>m0 * ldc4 + (<usize>n0 << 2), ldc, TN_A, kc, TN_B, mc, nc, kc, 0, mc, 1);
      }
    }
  }
}

// ---- The same Aᵀ·B with A transposed once, up front, into TN panels in memory (threads: every thread's
// columns of dW and dU read one shared Aᵀ, which the threads transposed half each, instead of each thread
// transposing all T·B rows of x and h for its columns), and the product walking column blocks of C with
// every k panel inside, so a block of C stays in L2 (gemmTNPanels re-reads and re-writes all of C once per
// 32-row panel: 1.3 MB of dU per panel at H = 256). Per element the sum is gemmTNPanels': C += the panel
// sums in panel order, each summed k = 0, 1, ... by the same micro-kernels: bit-identical.

/**
 * Rows [k0, k1) of A (K, M) with row stride lda (k0 a multiple of 32) transposed into TN panels at At:
 * panel p, rows [32p, 32p + kc) of A, is the (M, kc) block At + 4·32p·M, its row i = column i of A.
 */
export function transposeTNPanels(At: usize, A: usize, lda: i32, M: i32, K: i32, k0: i32, k1: i32): void {
  const lda4 = <usize>lda << 2;
  for (let p0 = k0; p0 < k1; p0 += TN_KC) {
    const kc = min<i32>(TN_KC, K - p0);
    const kc4 = <usize>kc << 2;
    const src = A + <usize>p0 * lda4, dst = At + (<usize>p0 * <usize>M << 2);
    let k = 0;
    if (ASC_FEATURE_SIMD) {
      // 4×4 blocks: four rows of A (4 columns each) in, transposed by shuffles, four rows of Aᵀ out.
      for (; k + 4 <= kc; k += 4) {
        const s0 = src + <usize>k * lda4, s1 = s0 + lda4, s2 = s1 + lda4, s3 = s2 + lda4;
        let i = 0;
        for (; i + 4 <= M; i += 4) {
          const o = <usize>i << 2;
          const r0 = v128.load(s0 + o), r1 = v128.load(s1 + o), r2 = v128.load(s2 + o), r3 = v128.load(s3 + o);
          const t0 = f32x4.shuffle(r0, r1, 0, 4, 1, 5), t1 = f32x4.shuffle(r0, r1, 2, 6, 3, 7);
          const t2 = f32x4.shuffle(r2, r3, 0, 4, 1, 5), t3 = f32x4.shuffle(r2, r3, 2, 6, 3, 7);
          const d = dst + <usize>i * kc4 + (<usize>k << 2);
          v128.store(d, f32x4.shuffle(t0, t2, 0, 1, 4, 5));
          v128.store(d + kc4, f32x4.shuffle(t0, t2, 2, 3, 6, 7));
          v128.store(d + (kc4 << 1), f32x4.shuffle(t1, t3, 0, 1, 4, 5));
          v128.store(d + kc4 * 3, f32x4.shuffle(t1, t3, 2, 3, 6, 7));
        }
        for (; i < M; i++) {
          const d = dst + <usize>i * kc4 + (<usize>k << 2), o = <usize>i << 2;
          store<f32>(d, load<f32>(s0 + o)); store<f32>(d, load<f32>(s1 + o), 4);
          store<f32>(d, load<f32>(s2 + o), 8); store<f32>(d, load<f32>(s3 + o), 12);
        }
      }
    }
    for (; k < kc; k++) {
      const s = src + <usize>k * lda4;
      let d = dst + (<usize>k << 2);
      for (let i = 0; i < M; i++) {
        store<f32>(d, load<f32>(s + (<usize>i << 2)));
        d += kc4;
      }
    }
  }
}

/**
 * C1 (M1, N) += A1ᵀ·B and C2 (M2, N) += A2ᵀ·B (M2 = 0: only the first), both with row stride ldc, B (K, N)
 * with row stride ldb, A1ᵀ and A2ᵀ in TN panels over all K (transposeTNPanels). The same sums as
 * gemmTNPanels on each (bit-identical); one packing of each B panel serves both products. Columns in
 * blocks of nb (a multiple of 32, ≤ 256), every k panel inside a block. SIMD builds only (the scalar build
 * keeps gemmTNPanels, which reads A in place).
 */
export function gemmTNPretransposed(
  C1: usize, At1: usize, M1: i32, C2: usize, At2: usize, M2: i32, ldc: i32,
  B: usize, ldb: i32, N: i32, K: i32, nb: i32
): void {
  const ldb4 = <usize>ldb << 2;
  const TN_B = kernelScratch() + <usize>(TN_KC * TN_MC * 4);
  for (let n0 = 0; n0 < N; n0 += nb) {
    const nc = min<i32>(nb, N - n0);
    const on = <usize>n0 << 2;
    for (let k0 = 0; k0 < K; k0 += TN_KC) {
      const kc = min<i32>(TN_KC, K - k0);
      packPanels(TN_B, B + <usize>k0 * ldb4 + on, ldb, kc, nc);
      gemmPacked(C1 + on, ldc, At1 + (<usize>k0 * <usize>M1 << 2), kc, TN_B, M1, nc, kc, 0, M1, 1);
      if (M2 > 0) gemmPacked(C2 + on, ldc, At2 + (<usize>k0 * <usize>M2 << 2), kc, TN_B, M2, nc, kc, 0, M2, 1);
    }
  }
}
