// Register-only peak probes for bench/gemm.ts (a separate module, not part of the library): f32x4 multiply-add
// chains on N independent accumulators with no memory traffic, so the measured rate is the machine's (and the
// engine's) arithmetic ceiling for our kind of code. Built with SIMD (mul + add: 8 flops per step and lane
// group) and with relaxed SIMD (relaxed_madd, one FMA where the engine fuses it). Each function returns a lane
// sum so nothing is dead code. flops per call = 8 · N · iterations.
// The multiplier x and the addend y are PARAMETERS, never constants: with a constant addend (a v128.const in
// the loop body after binaryen's propagation) V8 13.6 (Node 24) rebuilds the constant from immediates at every
// use instead of keeping it in a register, which cost more than the arithmetic (6.8 instead of ~55 GFLOP/s;
// Node 20's V8 hoisted it). Nothing here can then be folded or hoisted at compile time.

import { madd4 } from "./madd";

/** 4 accumulators: a ← a·x + y, `iterations` times. */
export function peak4(iterations: i32, x: f32, y: f32): f32 {
  const m = f32x4.splat(x), c = f32x4.splat(y);
  let a0 = f32x4.splat(1), a1 = f32x4.splat(2), a2 = f32x4.splat(3), a3 = f32x4.splat(4);
  for (let i = 0; i < iterations; i++) {
    a0 = madd4(a0, m, c); a1 = madd4(a1, m, c); a2 = madd4(a2, m, c); a3 = madd4(a3, m, c);
  }
  const s = f32x4.add(f32x4.add(a0, a1), f32x4.add(a2, a3));
  return f32x4.extract_lane(s, 0) + f32x4.extract_lane(s, 3);
}

/** 8 accumulators. */
export function peak8(iterations: i32, x: f32, y: f32): f32 {
  const m = f32x4.splat(x), c = f32x4.splat(y);
  let a0 = f32x4.splat(1), a1 = f32x4.splat(2), a2 = f32x4.splat(3), a3 = f32x4.splat(4);
  let a4 = f32x4.splat(5), a5 = f32x4.splat(6), a6 = f32x4.splat(7), a7 = f32x4.splat(8);
  for (let i = 0; i < iterations; i++) {
    a0 = madd4(a0, m, c); a1 = madd4(a1, m, c); a2 = madd4(a2, m, c); a3 = madd4(a3, m, c);
    a4 = madd4(a4, m, c); a5 = madd4(a5, m, c); a6 = madd4(a6, m, c); a7 = madd4(a7, m, c);
  }
  const s = f32x4.add(f32x4.add(f32x4.add(a0, a1), f32x4.add(a2, a3)), f32x4.add(f32x4.add(a4, a5), f32x4.add(a6, a7)));
  return f32x4.extract_lane(s, 0) + f32x4.extract_lane(s, 3);
}

/** 12 accumulators. */
export function peak12(iterations: i32, x: f32, y: f32): f32 {
  const m = f32x4.splat(x), c = f32x4.splat(y);
  let a0 = f32x4.splat(1), a1 = f32x4.splat(2), a2 = f32x4.splat(3), a3 = f32x4.splat(4);
  let a4 = f32x4.splat(5), a5 = f32x4.splat(6), a6 = f32x4.splat(7), a7 = f32x4.splat(8);
  let a8 = f32x4.splat(9), a9 = f32x4.splat(10), a10 = f32x4.splat(11), a11 = f32x4.splat(12);
  for (let i = 0; i < iterations; i++) {
    a0 = madd4(a0, m, c); a1 = madd4(a1, m, c); a2 = madd4(a2, m, c); a3 = madd4(a3, m, c);
    a4 = madd4(a4, m, c); a5 = madd4(a5, m, c); a6 = madd4(a6, m, c); a7 = madd4(a7, m, c);
    a8 = madd4(a8, m, c); a9 = madd4(a9, m, c); a10 = madd4(a10, m, c); a11 = madd4(a11, m, c);
  }
  const s = f32x4.add(f32x4.add(f32x4.add(a0, a1), f32x4.add(a2, a3)), f32x4.add(f32x4.add(a4, a5), f32x4.add(a6, a7)));
  const t = f32x4.add(s, f32x4.add(f32x4.add(a8, a9), f32x4.add(a10, a11)));
  return f32x4.extract_lane(t, 0) + f32x4.extract_lane(t, 3);
}
