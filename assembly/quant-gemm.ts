// int8 weights for inference (issue 20): packing, the int8 × int16 GEMM of the recurrent step and Dense, and
// the per-row dequantizing Embedding gather. Part of the inference-only module (assembly/infer.ts).
// Legend: M rows of A, K shared dim (Kp = K rounded up to even), N output columns, V vocabulary, E width.
//
// Weights: symmetric int8 with one f32 scale per OUTPUT COLUMN: W[k, j] ≈ q[k, j] · s[j], |q| ≤ 127.
// Activations: each row of A is quantized on the fly to int16 with its own scale a[k] ≈ qa[k] · sa,
// |qa| ≤ Qmax(K) = min(32767, floor((2^31 − 1) / (127 · Kp))), so the exact i32 sum over k cannot overflow.
//   C[i, j] (+)= f32(Σ_k qa[i, k] · q[k, j]) · (sa_i · s[j])
// The integer sum is exact, so the SIMD and scalar builds give identical bits.
// Kernel: i32x4.dot_i16x8_s multiplies 8 int16 pairs and adds adjacent products, so weights are packed by
// PAIRS of k: panel of 32 columns, per k-pair 128 bytes = 8 groups of 4 columns × 2 k
// ([c0k0 c0k1 c1k0 c1k1 c2k0 c2k1 c3k0 c3k1] per group, int16), and one dot gives the 4 columns' partial sums.
// The int8 values are widened to int16 ONCE, when packed: widening in the panel walk (v128.load8x8_s, a
// shuffle-port instruction per 8 weights on x64) capped the GEMV at 32 GMAC/s against 46 for int16 loads
// (K = 256, N = 1024, one row; docs/decisions.md). The walk reads 2 bytes per weight (half of f32); the file
// and the Embedding table stay int8.

import { kernelScratch } from "./heap";

export const QPANEL: i32 = 32;

/** Bytes of the packed form of a (K, N) int8 matrix: ceil(N / 32) panels × Kp rows × 32 int16. */
@inline function __packedBytes(K: i32, N: i32): usize {
  return <usize>((N + QPANEL - 1) / QPANEL) * <usize>((K + 1) & ~1) * <usize>(QPANEL << 1);
}

/**
 * Packs q (K, N) int8 row-major into P (layout above; zero-padded to an even K and whole panels). Runs once
 * when a model is loaded.
 */
export function quant_pack(P: usize, q: usize, K: i32, N: i32): void {
  const Kp = (K + 1) & ~1;
  memory.fill(P, 0, __packedBytes(K, N));
  for (let p = 0; p < N; p += QPANEL) {
    const panel = P + <usize>(p / QPANEL) * <usize>Kp * <usize>(QPANEL << 1);
    const w = min<i32>(QPANEL, N - p);
    for (let k = 0; k < K; k++) {
      const src = q + <usize>k * <usize>N + <usize>p;
      const row = panel + <usize>(k >> 1) * 128 + (<usize>(k & 1) << 1);
      for (let j = 0; j < w; j++) store<i16>(row + (<usize>(j >> 2) << 4) + (<usize>(j & 3) << 2), <i16>load<i8>(src + <usize>j));
    }
  }
}

/** Largest |int16| an activation row may use for a K-long dot product (no i32 overflow). */
@inline function __qmax(K: i32): f32 {
  const Kp = (K + 1) & ~1;
  return <f32>min<i32>(32767, <i32>(<f64>2147483647 / (<f64>127 * <f64>Kp)));
}

/** Quantizes a (K) into qa (Kp int16, the pad lane 0); returns the row scale sa (a ≈ qa · sa). */
function __quantizeRow(qa: usize, a: usize, K: i32): f32 {
  let m: f32 = 0;
  let k = 0;
  if (ASC_FEATURE_SIMD) {
    // max is exact, so the lane order of this reduction changes nothing (the scalar build gives the same m).
    let vm = f32x4.splat(0);
    for (; k + 4 <= K; k += 4) vm = f32x4.max(vm, f32x4.abs(v128.load(a + (<usize>k << 2))));
    m = max<f32>(max<f32>(f32x4.extract_lane(vm, 0), f32x4.extract_lane(vm, 1)), max<f32>(f32x4.extract_lane(vm, 2), f32x4.extract_lane(vm, 3)));
  }
  for (; k < K; k++) m = max<f32>(m, Mathf.abs(load<f32>(a + (<usize>k << 2))));
  const qmax = __qmax(K);
  const inv: f32 = m > 0 ? qmax / m : 0;
  k = 0;
  if (ASC_FEATURE_SIMD) {
    const vi = f32x4.splat(inv);
    for (; k + 8 <= K; k += 8) {
      const p = a + (<usize>k << 2);
      const lo = i32x4.trunc_sat_f32x4_s(f32x4.nearest(f32x4.mul(v128.load(p), vi)));
      const hi = i32x4.trunc_sat_f32x4_s(f32x4.nearest(f32x4.mul(v128.load(p, 16), vi)));
      v128.store(qa + (<usize>k << 1), i16x8.narrow_i32x4_s(lo, hi));
    }
  }
  for (; k < K; k++) store<i16>(qa + (<usize>k << 1), <i16><i32>nearest<f32>(load<f32>(a + (<usize>k << 2)) * inv));
  if (K & 1) store<i16>(qa + (<usize>K << 1), 0);
  return m / qmax;
}


// One row over one panel: acc (32 i32) = Σ over k-pairs of qa · panel, into out (32 i32).
function __rowPanel(out: usize, qa: usize, panel: usize, pairs: i32): void {
  if (ASC_FEATURE_SIMD) {
    let c0 = i32x4.splat(0), c1 = i32x4.splat(0), c2 = i32x4.splat(0), c3 = i32x4.splat(0);
    let c4 = i32x4.splat(0), c5 = i32x4.splat(0), c6 = i32x4.splat(0), c7 = i32x4.splat(0);
    let b = panel;
    let a = qa;
    // Pairs unrolled by 2 with constant offsets (V8 keeps an exit test and an interrupt check per iteration).
    if (pairs & 1) {
      const s = v128.load32_splat(a);
      c0 = i32x4.add(c0, i32x4.dot_i16x8_s(s, v128.load(b)));
      c1 = i32x4.add(c1, i32x4.dot_i16x8_s(s, v128.load(b, 16)));
      c2 = i32x4.add(c2, i32x4.dot_i16x8_s(s, v128.load(b, 32)));
      c3 = i32x4.add(c3, i32x4.dot_i16x8_s(s, v128.load(b, 48)));
      c4 = i32x4.add(c4, i32x4.dot_i16x8_s(s, v128.load(b, 64)));
      c5 = i32x4.add(c5, i32x4.dot_i16x8_s(s, v128.load(b, 80)));
      c6 = i32x4.add(c6, i32x4.dot_i16x8_s(s, v128.load(b, 96)));
      c7 = i32x4.add(c7, i32x4.dot_i16x8_s(s, v128.load(b, 112)));
      a += 4;
      b += 128;
    }
    const end = qa + (<usize>pairs << 2);
    while (a < end) {
      let s = v128.load32_splat(a);
      c0 = i32x4.add(c0, i32x4.dot_i16x8_s(s, v128.load(b)));
      c1 = i32x4.add(c1, i32x4.dot_i16x8_s(s, v128.load(b, 16)));
      c2 = i32x4.add(c2, i32x4.dot_i16x8_s(s, v128.load(b, 32)));
      c3 = i32x4.add(c3, i32x4.dot_i16x8_s(s, v128.load(b, 48)));
      c4 = i32x4.add(c4, i32x4.dot_i16x8_s(s, v128.load(b, 64)));
      c5 = i32x4.add(c5, i32x4.dot_i16x8_s(s, v128.load(b, 80)));
      c6 = i32x4.add(c6, i32x4.dot_i16x8_s(s, v128.load(b, 96)));
      c7 = i32x4.add(c7, i32x4.dot_i16x8_s(s, v128.load(b, 112)));
      s = v128.load32_splat(a, 4);
      c0 = i32x4.add(c0, i32x4.dot_i16x8_s(s, v128.load(b, 128)));
      c1 = i32x4.add(c1, i32x4.dot_i16x8_s(s, v128.load(b, 144)));
      c2 = i32x4.add(c2, i32x4.dot_i16x8_s(s, v128.load(b, 160)));
      c3 = i32x4.add(c3, i32x4.dot_i16x8_s(s, v128.load(b, 176)));
      c4 = i32x4.add(c4, i32x4.dot_i16x8_s(s, v128.load(b, 192)));
      c5 = i32x4.add(c5, i32x4.dot_i16x8_s(s, v128.load(b, 208)));
      c6 = i32x4.add(c6, i32x4.dot_i16x8_s(s, v128.load(b, 224)));
      c7 = i32x4.add(c7, i32x4.dot_i16x8_s(s, v128.load(b, 240)));
      a += 8;
      b += 256;
    }
    v128.store(out, c0);      v128.store(out, c1, 16); v128.store(out, c2, 32); v128.store(out, c3, 48);
    v128.store(out, c4, 64);  v128.store(out, c5, 80); v128.store(out, c6, 96); v128.store(out, c7, 112);
    return;
  }
  for (let j = 0; j < QPANEL; j++) {
    let s: i32 = 0;
    const g = panel + (<usize>(j >> 2) << 4) + (<usize>(j & 3) << 2);
    for (let m = 0; m < pairs; m++) {
      const a = qa + (<usize>m << 2), b = g + <usize>m * 128;
      s += <i32>load<i16>(a) * <i32>load<i16>(b) + <i32>load<i16>(a, 2) * <i32>load<i16>(b, 2);
    }
    store<i32>(out + (<usize>j << 2), s);
  }
}

/**
 * C (M, N) with row stride ldc (+)= A (M, K) with row stride lda · W, over rows [m0, m1). W is int8 packed
 * in P (quant_pack) with column scales s (N f32). qtmp: Kp int16 of scratch (the quantized row).
 */
@inline export function gemmQ8(
  C: usize, ldc: i32, A: usize, lda: i32, P: usize, s: usize,
  M: i32, N: i32, K: i32, m0: i32, m1: i32, accumulate: i32, qtmp: usize
): void {
  gemmQ8Cols(C, ldc, A, lda, P, s, K, m0, m1, accumulate, qtmp, N, 1, 0, N, 0);
}

/** Bytes of one row of quant_rows' output for a K-long row: its scale (f32, padded to 16) and Kp int16 (to 16). */
@inline function __qrowBytes(K: i32): usize {
  return 16 + ((<usize>((K + 1) & ~1) << 1) + 15 & ~(<usize>15));
}

/**
 * Quantizes rows [0, M) of A (M, K) with row stride lda as gemmQ8 does on the fly, into dst: row i at
 * dst + i·R, R = 16 + (2·Kp rounded up to 16 bytes), its scale (f32) first, its Kp int16 from byte 16.
 * Threaded int8 steps quantize x and h ONCE per step with it, not once per chunk (gemmQ8Cols `pre`).
 */
export function quant_rows(dst: usize, A: usize, lda: i32, M: i32, K: i32): void {
  const R = __qrowBytes(K);
  for (let i = 0; i < M; i++) {
    const row = dst + <usize>i * R;
    store<f32>(row, __quantizeRow(row + 16, A + (<usize>i * <usize>lda << 2), K));
  }
}

/**
 * gemmQ8 on the columns {g·stride + [c0, c1) : g < gates} of W only (a thread's units of every gate block;
 * threaded streaming, infer-recurrent.ts): each row quantized ONCE, then those panels. c0 and stride are
 * multiples of 32 (whole panels) unless gates == 1 and c0 == 0. Each column is its own exact integer sum
 * times the same scales, so any column split gives the bits of the whole product. pre != 0: the rows of A
 * quantized already (quant_rows of the same A: the same bits), A and qtmp unused.
 */
export function gemmQ8Cols(
  C: usize, ldc: i32, A: usize, lda: i32, P: usize, s: usize, K: i32, m0: i32, m1: i32, accumulate: i32, qtmp: usize,
  stride: i32, gates: i32, c0: i32, c1: i32, pre: usize
): void {
  const Kp = (K + 1) & ~1, pairs = Kp >> 1;
  const panelBytes = <usize>Kp * <usize>(QPANEL << 1);
  // 32 i32 of staging for the panel's sums: this thread's kernel scratch (heap.ts; its TN_A block, which
  // nothing in the inference module uses), so threads sharing the memory never stage in the same bytes.
  const tmp = kernelScratch();
  const R = __qrowBytes(K);
  for (let i = m0; i < m1; i++) {
    let sa: f32;
    let qa = qtmp;
    if (pre != 0) {
      qa = pre + <usize>i * R;
      sa = load<f32>(qa);
      qa += 16;
    } else {
      sa = __quantizeRow(qtmp, A + (<usize>i * <usize>lda << 2), K);
    }
    const c = C + (<usize>i * <usize>ldc << 2);
    for (let g = 0; g < gates; g++) {
      const end = g * stride + c1;
      for (let p = g * stride + c0; p < end; p += QPANEL) {
        const w = min<i32>(QPANEL, end - p);
        __rowPanel(tmp, qa, P + <usize>(p / QPANEL) * panelBytes, pairs);
        let j = 0;
        if (ASC_FEATURE_SIMD) {
          const vsa = f32x4.splat(sa);
          for (; j + 4 <= w; j += 4) {
            const o = <usize>j << 2, cp = c + (<usize>p << 2) + o;
            let v = f32x4.mul(f32x4.convert_i32x4_s(v128.load(tmp + o)), f32x4.mul(vsa, v128.load(s + (<usize>p << 2) + o)));
            if (accumulate) v = f32x4.add(v128.load(cp), v);
            v128.store(cp, v);
          }
        }
        for (; j < w; j++) {
          const o = <usize>j << 2, cp = c + (<usize>p << 2) + o;
          let v = <f32>load<i32>(tmp + o) * (sa * load<f32>(s + (<usize>p << 2) + o));
          if (accumulate) v = load<f32>(cp) + v;
          store<f32>(cp, v);
        }
      }
    }
  }
}

/** Bytes quant_pack writes for a (K, N) matrix (the bindings size their buffers with it). */
export function quant_packed_bytes(K: i32, N: i32): i32 {
  return <i32>__packedBytes(K, N);
}

/**
 * Embedding gather from an int8 table: y[t, b, :] = q[ids[b, t], :] · s[ids[b, t]] (one scale per row).
 * q (V, E) int8, s (V) f32, ids (B, T) i32 batch-major, y (T, B, E) time-major; maskZero: id 0 gives zeros.
 */
export function embedding_q8_forward(y: usize, ids: usize, q: usize, s: usize, T: i32, B: i32, E: i32, maskZero: i32): void {
  for (let t = 0; t < T; t++) {
    for (let b = 0; b < B; b++) {
      const id = load<i32>(ids + (<usize>(b * T + t) << 2));
      const dst = y + (<usize>(t * B + b) * <usize>E << 2);
      if (maskZero && id == 0) { memory.fill(dst, 0, <usize>E << 2); continue; }
      const src = q + <usize>id * <usize>E;
      const sc = load<f32>(s + (<usize>id << 2));
      for (let e = 0; e < E; e++) store<f32>(dst + (<usize>e << 2), <f32>load<i8>(src + <usize>e) * sc);
    }
  }
}
