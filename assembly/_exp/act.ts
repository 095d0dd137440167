import { activate4 } from "../math";
const EXP_HI: f32 = 88.0;
const EXP_LO: f32 = -87.0;
const LOG2E: f32 = 1.44269504088896341;
const LN2_HI: f32 = 0.693359375;
const LN2_LO: f32 = -2.12194440e-4;
const P0: f32 = 1.9875691500e-4;
const P1: f32 = 1.3981999507e-3;
const P2: f32 = 8.3334519073e-3;
const P3: f32 = 4.1665795894e-2;
const P4: f32 = 1.6666665459e-1;
const P5: f32 = 5.0000001201e-1;
const T0: f32 = -5.70498872745e-3;
const T1: f32 = 2.06390887954e-2;
const T2: f32 = -5.37397155531e-2;
const T3: f32 = 1.33314422036e-1;
const T4: f32 = -3.33332819422e-1;
const K = memory.data<f32>([
  EXP_LO, EXP_LO, EXP_LO, EXP_LO, EXP_HI, EXP_HI, EXP_HI, EXP_HI, LOG2E, LOG2E, LOG2E, LOG2E, 0.5, 0.5, 0.5, 0.5,
  LN2_HI, LN2_HI, LN2_HI, LN2_HI, LN2_LO, LN2_LO, LN2_LO, LN2_LO, P0, P0, P0, P0, P1, P1, P1, P1,
  P2, P2, P2, P2, P3, P3, P3, P3, P4, P4, P4, P4, P5, P5, P5, P5,
  1, 1, 1, 1, 12582912, 12582912, 12582912, 12582912,
  T0, T0, T0, T0, T1, T1, T1, T1, T2, T2, T2, T2, T3, T3, T3, T3, T4, T4, T4, T4, 0.625, 0.625, 0.625, 0.625, 2, 2, 2, 2, -0.0, -0.0, -0.0, -0.0
], 16);
@inline function c(i: i32): v128 { return v128.load(K + (<usize>i << 4)); }
@inline function exp4m(x: v128): v128 {
  x = f32x4.pmin(f32x4.pmax(x, c(0)), c(1));
  const n = f32x4.floor(f32x4.add(f32x4.mul(x, c(2)), c(3)));
  const r = f32x4.sub(f32x4.sub(x, f32x4.mul(n, c(4))), f32x4.mul(n, c(5)));
  let p = c(6);
  p = f32x4.add(f32x4.mul(p, r), c(7));
  p = f32x4.add(f32x4.mul(p, r), c(8));
  p = f32x4.add(f32x4.mul(p, r), c(9));
  p = f32x4.add(f32x4.mul(p, r), c(10));
  p = f32x4.add(f32x4.mul(p, r), c(11));
  const y = f32x4.add(f32x4.add(f32x4.mul(p, f32x4.mul(r, r)), r), c(12));
  // n is integral in [-126, 128]: n + 1.5·2^23 is exact with bits 0x4B400000 + n
  const scale = i32x4.shl(i32x4.add(f32x4.add(n, c(13)), i32x4.splat(127 - 0x4B400000)), 23);
  return f32x4.mul(y, scale);
}
@inline function sigmoid4m(x: v128): v128 {
  const one = c(12);
  return f32x4.div(one, f32x4.add(one, exp4m(f32x4.neg(x))));
}
@inline function tanh4m(x: v128): v128 {
  const a = f32x4.abs(x);
  const z = f32x4.mul(x, x);
  let p = c(14);
  p = f32x4.add(f32x4.mul(p, z), c(15));
  p = f32x4.add(f32x4.mul(p, z), c(16));
  p = f32x4.add(f32x4.mul(p, z), c(17));
  p = f32x4.add(f32x4.mul(p, z), c(18));
  const small = f32x4.add(f32x4.mul(f32x4.mul(p, z), x), x);
  const one = c(12);
  const large = f32x4.sub(one, f32x4.div(c(20), f32x4.add(exp4m(f32x4.add(a, a)), one)));
  const signed = v128.bitselect(x, large, c(21));
  return v128.bitselect(small, signed, f32x4.lt(a, c(19)));
}
export function act_old(y: usize, x: usize, n: i32, kind: i32): void {
  for (let i = 0; i + 4 <= n; i += 4) { const o = <usize>i << 2; v128.store(y + o, activate4(v128.load(x + o), kind)); }
}
export function act_new(y: usize, x: usize, n: i32, kind: i32): void {
  if (kind == 1) for (let i = 0; i + 4 <= n; i += 4) { const o = <usize>i << 2; v128.store(y + o, tanh4m(v128.load(x + o))); }
  else for (let i = 0; i + 4 <= n; i += 4) { const o = <usize>i << 2; v128.store(y + o, sigmoid4m(v128.load(x + o))); }
}
export function hb(): usize { return __heap_base; }
