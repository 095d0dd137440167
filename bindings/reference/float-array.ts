/** The reference runs in f32 (same storage as wasm) or f64 (for finite-difference gradient checks). */
export type FloatArray = Float32Array | Float64Array;
