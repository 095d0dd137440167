// WebAssembly feature detection by validating tiny modules (no instantiation, no side effects).

/** (module (func (result v128) i32.const 0 i8x16.splat i8x16.popcnt)): valid only with fixed-width SIMD. */
const SIMD_PROBE = new Uint8Array([
  0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 10, 1, 8, 0, 65, 0, 253, 15, 253, 98, 11,
]);

/** Whether the engine validates fixed-width SIMD (the 'simd' build). */
export function hasSimd(): boolean {
  return typeof WebAssembly === 'object' && WebAssembly.validate(SIMD_PROBE);
}

/**
 * (module (func (result v128) i32.const 0 i8x16.splat ×3 f32x4.relaxed_madd)): valid only where the engine
 * accepts relaxed SIMD (Node 22+, current browsers; Node 20 only with --experimental-wasm-relaxed-simd).
 */
const RELAXED_SIMD_PROBE = new Uint8Array([
  0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 19, 1, 17, 0, 65, 0, 253, 15, 65, 0, 253, 15, 65, 0,
  253, 15, 253, 133, 2, 11,
]);

/** Whether the engine validates relaxed SIMD (f32x4.relaxed_madd), so the 'relaxed' build can run. */
export function hasRelaxedSimd(): boolean {
  return typeof WebAssembly === 'object' && WebAssembly.validate(RELAXED_SIMD_PROBE);
}
