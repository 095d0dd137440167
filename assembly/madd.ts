// a·b + c over f32x4, the inner operation of every GEMM micro-kernel. The relaxed-SIMD build (asconfig target
// "relaxed", --enable relaxed-simd) uses f32x4.relaxed_madd, which the engine may fuse (one rounding, an FMA
// instruction) or not (two roundings): results are deterministic on one engine and CPU but may differ between
// them (docs/decisions.md). The SIMD and scalar builds keep separate multiply and add, bit for bit alike.

/** a·b + c (relaxed_madd in the relaxed-SIMD build, else mul then add). */
@inline export function madd4(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(a, b, c);
  return f32x4.add(c, f32x4.mul(a, b));
}
