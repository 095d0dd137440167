import { gemmCore } from "../gemm-core";
export function gemm_strided(C: usize, A: usize, B: usize, M: i32, N: i32, K: i32): void {
  gemmCore(C, N, A, K, 1, B, N, M, N, K, 0, M, 0);
}
export function pack(P: usize, B: usize, K: i32, N: i32, W: i32): void {
  for (let p = 0; p < N; p += W) for (let k = 0; k < K; k++) memory.copy(P + (<usize>(p * K + k * W) << 2), B + (<usize>(k * N + p) << 2), <usize>W << 2);
}
export function gemm_packed(C: usize, A: usize, P: usize, M: i32, N: i32, K: i32, W: i32): void {
  for (let p = 0; p < N; p += W) gemmCore(C + (<usize>p << 2), N, A, K, 1, P + (<usize>(p * K) << 2), W, M, W, K, 0, M, 0);
}
export function peak(n: i32, p: usize): f32 {
  let a0 = v128.load(p), a1 = v128.load(p,16), a2 = v128.load(p,32), a3 = v128.load(p,48), a4 = v128.load(p,64), a5 = v128.load(p,80);
  let a6 = v128.load(p,96), a7 = v128.load(p,112), a8=v128.load(p,128), a9=v128.load(p,144);
  const x = f32x4.splat(0.999), y = f32x4.splat(0.001);
  for (let i = 0; i < n; i++) {
    a0 = f32x4.add(f32x4.mul(a0, x), y); a1 = f32x4.add(f32x4.mul(a1, x), y);
    a2 = f32x4.add(f32x4.mul(a2, x), y); a3 = f32x4.add(f32x4.mul(a3, x), y);
    a4 = f32x4.add(f32x4.mul(a4, x), y); a5 = f32x4.add(f32x4.mul(a5, x), y);
    a6 = f32x4.add(f32x4.mul(a6, x), y); a7 = f32x4.add(f32x4.mul(a7, x), y);
    a8 = f32x4.add(f32x4.mul(a8, x), y); a9 = f32x4.add(f32x4.mul(a9, x), y);
  }
  const s = f32x4.add(f32x4.add(f32x4.add(a0,a1),f32x4.add(a2,a3)),f32x4.add(f32x4.add(a4,a5),f32x4.add(f32x4.add(a6,a7),f32x4.add(a8,a9))));
  return f32x4.extract_lane(s, 0);
}
// GEMV on packed 32-wide panels, k unrolled by U
@inline function acc8(c: v128, s: v128, b: usize, o: i32): v128 { return c; }
export function gemv_packed_u2(C: usize, A: usize, P: usize, N: i32, K: i32): void {
  for (let p = 0; p < N; p += 32) {
    let c0 = f32x4.splat(0), c1 = f32x4.splat(0), c2 = f32x4.splat(0), c3 = f32x4.splat(0);
    let c4 = f32x4.splat(0), c5 = f32x4.splat(0), c6 = f32x4.splat(0), c7 = f32x4.splat(0);
    let a = A;
    let b = P + (<usize>(p * K) << 2);
    const end = a + (<usize>K << 2);
    while (a < end) {
      let s = v128.load32_splat(a);
      c0 = f32x4.add(c0, f32x4.mul(s, v128.load(b)));
      c1 = f32x4.add(c1, f32x4.mul(s, v128.load(b, 16)));
      c2 = f32x4.add(c2, f32x4.mul(s, v128.load(b, 32)));
      c3 = f32x4.add(c3, f32x4.mul(s, v128.load(b, 48)));
      c4 = f32x4.add(c4, f32x4.mul(s, v128.load(b, 64)));
      c5 = f32x4.add(c5, f32x4.mul(s, v128.load(b, 80)));
      c6 = f32x4.add(c6, f32x4.mul(s, v128.load(b, 96)));
      c7 = f32x4.add(c7, f32x4.mul(s, v128.load(b, 112)));
      s = v128.load32_splat(a, 4);
      c0 = f32x4.add(c0, f32x4.mul(s, v128.load(b, 128)));
      c1 = f32x4.add(c1, f32x4.mul(s, v128.load(b, 144)));
      c2 = f32x4.add(c2, f32x4.mul(s, v128.load(b, 160)));
      c3 = f32x4.add(c3, f32x4.mul(s, v128.load(b, 176)));
      c4 = f32x4.add(c4, f32x4.mul(s, v128.load(b, 192)));
      c5 = f32x4.add(c5, f32x4.mul(s, v128.load(b, 208)));
      c6 = f32x4.add(c6, f32x4.mul(s, v128.load(b, 224)));
      c7 = f32x4.add(c7, f32x4.mul(s, v128.load(b, 240)));
      a += 8;
      b += 256;
    }
    const q = C + (<usize>p << 2);
    v128.store(q, c0); v128.store(q, c1, 16); v128.store(q, c2, 32); v128.store(q, c3, 48);
    v128.store(q, c4, 64); v128.store(q, c5, 80); v128.store(q, c6, 96); v128.store(q, c7, 112);
  }
}
@inline function tile(C: usize, ldc4: usize, A: usize, lda4: usize, b: usize, ldb4: usize, K: i32): void {
  let c00 = f32x4.splat(0), c01 = f32x4.splat(0), c10 = f32x4.splat(0), c11 = f32x4.splat(0);
  let c20 = f32x4.splat(0), c21 = f32x4.splat(0), c30 = f32x4.splat(0), c31 = f32x4.splat(0);
  let a = A;
  const end = A + (<usize>(K & ~1) << 2);
  while (a < end) {
    let b0 = v128.load(b), b1 = v128.load(b, 16);
    let s = v128.load32_splat(a);
    c00 = f32x4.add(c00, f32x4.mul(s, b0)); c01 = f32x4.add(c01, f32x4.mul(s, b1));
    s = v128.load32_splat(a + lda4);
    c10 = f32x4.add(c10, f32x4.mul(s, b0)); c11 = f32x4.add(c11, f32x4.mul(s, b1));
    s = v128.load32_splat(a + 2 * lda4);
    c20 = f32x4.add(c20, f32x4.mul(s, b0)); c21 = f32x4.add(c21, f32x4.mul(s, b1));
    s = v128.load32_splat(a + 3 * lda4);
    c30 = f32x4.add(c30, f32x4.mul(s, b0)); c31 = f32x4.add(c31, f32x4.mul(s, b1));
    b += ldb4;
    b0 = v128.load(b); b1 = v128.load(b, 16);
    s = v128.load32_splat(a, 4);
    c00 = f32x4.add(c00, f32x4.mul(s, b0)); c01 = f32x4.add(c01, f32x4.mul(s, b1));
    s = v128.load32_splat(a + lda4, 4);
    c10 = f32x4.add(c10, f32x4.mul(s, b0)); c11 = f32x4.add(c11, f32x4.mul(s, b1));
    s = v128.load32_splat(a + 2 * lda4, 4);
    c20 = f32x4.add(c20, f32x4.mul(s, b0)); c21 = f32x4.add(c21, f32x4.mul(s, b1));
    s = v128.load32_splat(a + 3 * lda4, 4);
    c30 = f32x4.add(c30, f32x4.mul(s, b0)); c31 = f32x4.add(c31, f32x4.mul(s, b1));
    b += ldb4;
    a += 8;
  }
  v128.store(C, c00); v128.store(C, c01, 16);
  v128.store(C + ldc4, c10); v128.store(C + ldc4, c11, 16);
  v128.store(C + 2 * ldc4, c20); v128.store(C + 2 * ldc4, c21, 16);
  v128.store(C + 3 * ldc4, c30); v128.store(C + 3 * ldc4, c31, 16);
}
export function gemm_packed_u2(C: usize, A: usize, P: usize, M: i32, N: i32, K: i32): void {
  for (let p = 0; p < N; p += 32) {
    const pb = P + (<usize>(p * K) << 2);
    for (let i = 0; i < M; i += 4) {
      for (let j = 0; j < 32; j += 8) {
        tile(C + (<usize>(i * N + p + j) << 2), <usize>N << 2, A + (<usize>(i * K) << 2), <usize>K << 2, pb + (<usize>j << 2), 128, K);
      }
    }
  }
}
import { gemmCore as gemmCoreOld } from "./gemm-core-old";
export function gemm_old(C: usize, A: usize, B: usize, M: i32, N: i32, K: i32): void {
  gemmCoreOld(C, N, A, K, 1, B, N, M, N, K, 0, M, 0);
}
export function gemm_tn_old(C: usize, A: usize, B: usize, M: i32, N: i32, K: i32): void { gemmCoreOld(C, N, A, 1, M, B, N, M, N, K, 0, M, 0); }
export function gemm_tn_new(C: usize, A: usize, B: usize, M: i32, N: i32, K: i32): void { gemmCore(C, N, A, 1, M, B, N, M, N, K, 0, M, 0); }
import { gemmPacked, packPanels } from "../packed-gemm";
export function gemm_packed_new(C: usize, A: usize, P: usize, M: i32, N: i32, K: i32): void { gemmPacked(C, N, A, K, P, M, N, K, 0, M, 0); }

export function gemv_row32_loop(C: usize, A: usize, P: usize, N: i32, K: i32): void {
  gemmPacked(C, N, A, K, P, 1, N, K, 0, 1, 1);
}
@inline function st(p: usize, v: v128, accumulate: i32): void { if (accumulate) v = f32x4.add(v128.load(p), v); v128.store(p, v); }
export function gemv_acc(C: usize, A: usize, P: usize, N: i32, K: i32, accumulate: i32): void {
  for (let p = 0; p < N; p += 32) {
    let c0 = f32x4.splat(0), c1 = f32x4.splat(0), c2 = f32x4.splat(0), c3 = f32x4.splat(0);
    let c4 = f32x4.splat(0), c5 = f32x4.splat(0), c6 = f32x4.splat(0), c7 = f32x4.splat(0);
    let a = A;
    let b = P + (<usize>(p * K) << 2);
    const end = a + (<usize>K << 2);
    while (a < end) {
      let s = v128.load32_splat(a);
      c0 = f32x4.add(c0, f32x4.mul(s, v128.load(b)));
      c1 = f32x4.add(c1, f32x4.mul(s, v128.load(b, 16)));
      c2 = f32x4.add(c2, f32x4.mul(s, v128.load(b, 32)));
      c3 = f32x4.add(c3, f32x4.mul(s, v128.load(b, 48)));
      c4 = f32x4.add(c4, f32x4.mul(s, v128.load(b, 64)));
      c5 = f32x4.add(c5, f32x4.mul(s, v128.load(b, 80)));
      c6 = f32x4.add(c6, f32x4.mul(s, v128.load(b, 96)));
      c7 = f32x4.add(c7, f32x4.mul(s, v128.load(b, 112)));
      s = v128.load32_splat(a, 4);
      c0 = f32x4.add(c0, f32x4.mul(s, v128.load(b, 128)));
      c1 = f32x4.add(c1, f32x4.mul(s, v128.load(b, 144)));
      c2 = f32x4.add(c2, f32x4.mul(s, v128.load(b, 160)));
      c3 = f32x4.add(c3, f32x4.mul(s, v128.load(b, 176)));
      c4 = f32x4.add(c4, f32x4.mul(s, v128.load(b, 192)));
      c5 = f32x4.add(c5, f32x4.mul(s, v128.load(b, 208)));
      c6 = f32x4.add(c6, f32x4.mul(s, v128.load(b, 224)));
      c7 = f32x4.add(c7, f32x4.mul(s, v128.load(b, 240)));
      a += 8;
      b += 256;
    }
    const q = C + (<usize>p << 2);
    st(q + 0, c0, accumulate); st(q + 16, c1, accumulate); st(q + 32, c2, accumulate); st(q + 48, c3, accumulate);
    st(q + 64, c4, accumulate); st(q + 80, c5, accumulate); st(q + 96, c6, accumulate); st(q + 112, c7, accumulate);
  }
}
function rowfn(C: usize, A: usize, P: usize, K: i32, p: i32): void {
  {
    let c0 = f32x4.splat(0), c1 = f32x4.splat(0), c2 = f32x4.splat(0), c3 = f32x4.splat(0);
    let c4 = f32x4.splat(0), c5 = f32x4.splat(0), c6 = f32x4.splat(0), c7 = f32x4.splat(0);
    let a = A;
    let b = P + (<usize>(p * K) << 2);
    const end = a + (<usize>K << 2);
    while (a < end) {
      let s = v128.load32_splat(a);
      c0 = f32x4.add(c0, f32x4.mul(s, v128.load(b)));
      c1 = f32x4.add(c1, f32x4.mul(s, v128.load(b, 16)));
      c2 = f32x4.add(c2, f32x4.mul(s, v128.load(b, 32)));
      c3 = f32x4.add(c3, f32x4.mul(s, v128.load(b, 48)));
      c4 = f32x4.add(c4, f32x4.mul(s, v128.load(b, 64)));
      c5 = f32x4.add(c5, f32x4.mul(s, v128.load(b, 80)));
      c6 = f32x4.add(c6, f32x4.mul(s, v128.load(b, 96)));
      c7 = f32x4.add(c7, f32x4.mul(s, v128.load(b, 112)));
      s = v128.load32_splat(a, 4);
      c0 = f32x4.add(c0, f32x4.mul(s, v128.load(b, 128)));
      c1 = f32x4.add(c1, f32x4.mul(s, v128.load(b, 144)));
      c2 = f32x4.add(c2, f32x4.mul(s, v128.load(b, 160)));
      c3 = f32x4.add(c3, f32x4.mul(s, v128.load(b, 176)));
      c4 = f32x4.add(c4, f32x4.mul(s, v128.load(b, 192)));
      c5 = f32x4.add(c5, f32x4.mul(s, v128.load(b, 208)));
      c6 = f32x4.add(c6, f32x4.mul(s, v128.load(b, 224)));
      c7 = f32x4.add(c7, f32x4.mul(s, v128.load(b, 240)));
      a += 8;
      b += 256;
    }
    const q = C + (<usize>p << 2);
    v128.store(q, c0); v128.store(q, c1, 16); v128.store(q, c2, 32); v128.store(q, c3, 48);
    v128.store(q, c4, 64); v128.store(q, c5, 80); v128.store(q, c6, 96); v128.store(q, c7, 112);
  }
}
export function gemv_rowfn(C: usize, A: usize, P: usize, N: i32, K: i32): void { for (let p = 0; p < N; p += 32) rowfn(C, A, P, K, p); }
export function gemm_packed_acc(C: usize, A: usize, P: usize, M: i32, N: i32, K: i32): void { gemmPacked(C, N, A, K, P, M, N, K, 0, M, 1); }
@inline function tile4(C: usize, ldc4: usize, A: usize, lda4: usize, b: usize, K: i32): void {
  let c00 = f32x4.splat(0), c01 = f32x4.splat(0), c10 = f32x4.splat(0), c11 = f32x4.splat(0);
  let c20 = f32x4.splat(0), c21 = f32x4.splat(0), c30 = f32x4.splat(0), c31 = f32x4.splat(0);
  let a = A;
  const a1 = lda4, a2 = lda4 << 1, a3 = lda4 * 3;
  const end = A + (<usize>(K & ~3) << 2);
  let b0: v128, b1: v128, s: v128;
  while (a < end) {
    b0 = v128.load(b); b1 = v128.load(b, 16);
    s = v128.load32_splat(a);      c00 = f32x4.add(c00, f32x4.mul(s, b0)); c01 = f32x4.add(c01, f32x4.mul(s, b1));
    s = v128.load32_splat(a + a1); c10 = f32x4.add(c10, f32x4.mul(s, b0)); c11 = f32x4.add(c11, f32x4.mul(s, b1));
    s = v128.load32_splat(a + a2); c20 = f32x4.add(c20, f32x4.mul(s, b0)); c21 = f32x4.add(c21, f32x4.mul(s, b1));
    s = v128.load32_splat(a + a3); c30 = f32x4.add(c30, f32x4.mul(s, b0)); c31 = f32x4.add(c31, f32x4.mul(s, b1));
    b0 = v128.load(b, 128); b1 = v128.load(b, 144);
    s = v128.load32_splat(a, 4);      c00 = f32x4.add(c00, f32x4.mul(s, b0)); c01 = f32x4.add(c01, f32x4.mul(s, b1));
    s = v128.load32_splat(a + a1, 4); c10 = f32x4.add(c10, f32x4.mul(s, b0)); c11 = f32x4.add(c11, f32x4.mul(s, b1));
    s = v128.load32_splat(a + a2, 4); c20 = f32x4.add(c20, f32x4.mul(s, b0)); c21 = f32x4.add(c21, f32x4.mul(s, b1));
    s = v128.load32_splat(a + a3, 4); c30 = f32x4.add(c30, f32x4.mul(s, b0)); c31 = f32x4.add(c31, f32x4.mul(s, b1));
    b0 = v128.load(b, 256); b1 = v128.load(b, 272);
    s = v128.load32_splat(a, 8);      c00 = f32x4.add(c00, f32x4.mul(s, b0)); c01 = f32x4.add(c01, f32x4.mul(s, b1));
    s = v128.load32_splat(a + a1, 8); c10 = f32x4.add(c10, f32x4.mul(s, b0)); c11 = f32x4.add(c11, f32x4.mul(s, b1));
    s = v128.load32_splat(a + a2, 8); c20 = f32x4.add(c20, f32x4.mul(s, b0)); c21 = f32x4.add(c21, f32x4.mul(s, b1));
    s = v128.load32_splat(a + a3, 8); c30 = f32x4.add(c30, f32x4.mul(s, b0)); c31 = f32x4.add(c31, f32x4.mul(s, b1));
    b0 = v128.load(b, 384); b1 = v128.load(b, 400);
    s = v128.load32_splat(a, 12);      c00 = f32x4.add(c00, f32x4.mul(s, b0)); c01 = f32x4.add(c01, f32x4.mul(s, b1));
    s = v128.load32_splat(a + a1, 12); c10 = f32x4.add(c10, f32x4.mul(s, b0)); c11 = f32x4.add(c11, f32x4.mul(s, b1));
    s = v128.load32_splat(a + a2, 12); c20 = f32x4.add(c20, f32x4.mul(s, b0)); c21 = f32x4.add(c21, f32x4.mul(s, b1));
    s = v128.load32_splat(a + a3, 12); c30 = f32x4.add(c30, f32x4.mul(s, b0)); c31 = f32x4.add(c31, f32x4.mul(s, b1));
    b += 512;
    a += 16;
  }
  v128.store(C, c00); v128.store(C, c01, 16);
  v128.store(C + ldc4, c10); v128.store(C + ldc4, c11, 16);
  v128.store(C + 2 * ldc4, c20); v128.store(C + 2 * ldc4, c21, 16);
  v128.store(C + 3 * ldc4, c30); v128.store(C + 3 * ldc4, c31, 16);
}
function rows4u4(c: usize, ldc4: usize, a: usize, lda4: usize, b: usize, K: i32): void {
  tile4(c, ldc4, a, lda4, b, K); tile4(c + 32, ldc4, a, lda4, b + 32, K); tile4(c + 64, ldc4, a, lda4, b + 64, K); tile4(c + 96, ldc4, a, lda4, b + 96, K);
}
export function gemm_packed_u4(C: usize, A: usize, P: usize, M: i32, N: i32, K: i32): void {
  for (let p = 0; p < N; p += 32) {
    const pb = P + (<usize>(p * K) << 2);
    for (let i = 0; i < M; i += 4) rows4u4(C + (<usize>(i * N + p) << 2), <usize>N << 2, A + (<usize>(i * K) << 2), <usize>K << 2, pb, K);
  }
}
