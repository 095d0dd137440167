// WebAssembly feature detection by validating tiny modules (no instantiation, no side effects).

/** (module (func (result v128) i32.const 0 i8x16.splat i8x16.popcnt)): valid only with fixed-width SIMD. */
const SIMD_PROBE = new Uint8Array([
  0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 10, 1, 8, 0, 65, 0, 253, 15, 253, 98, 11,
]);

/** True when this engine validates WebAssembly fixed-width SIMD (a tiny probe module; nothing is instantiated). */
export function hasSimd(): boolean {
  return typeof WebAssembly === 'object' && WebAssembly.validate(SIMD_PROBE);
}
