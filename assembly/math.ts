// Transcendentals for the kernels, in f32x4 and scalar f32 with the SAME operation sequence (so the SIMD
// and scalar builds agree bit for bit). Internal: not re-exported from assembly/index.ts.
// Error bounds, measured over a dense grid on [-20, 20] against f64 Math (test/activations.test.ts):
//   exp:      relative error ≤ 2e-7 for x in [-87, 88] (Cephes expf polynomial, clamped outside)
//   sigmoid:  1 / (1 + exp(-x)): absolute error ≤ 1.2e-7 (measured 8.9e-8)
//   tanh:     sign(x)·(1 − 2 / (exp(2|x|) + 1)): absolute error ≤ 2e-7 (measured 1.1e-7). Near 0 the error is
//             absolute, not relative (tanh(1e-9) may come out 0): what an RNN cell needs, at half the cost
//             of adding Cephes' small-|x| polynomial branch (tanh 2.1 → 1.4 ns per element).
// Activation kinds (the ABI's codes): 0 linear, 1 tanh, 2 sigmoid, 3 relu, 4 hard_sigmoid (Keras 3:
// relu6(x + 3) / 6), 5 hard_sigmoid_tfjs (TF.js and Keras 2: clip(0.2·x + 0.5, 0, 1), computed as
// f32(0.2)·x + 0.5 like tfjs-layers' K.hardSigmoid; exact in f32 up to that rounding).

export const ACT_LINEAR: i32 = 0;
export const ACT_TANH: i32 = 1;
export const ACT_SIGMOID: i32 = 2;
export const ACT_RELU: i32 = 3;
export const ACT_HARD_SIGMOID: i32 = 4;
/** TF.js / Keras 2 hard sigmoid: clip(0.2·x + 0.5, 0, 1) (slope 0.2, saturating at |x| = 2.5). */
export const ACT_HARD_SIGMOID_TFJS: i32 = 5;

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
const MAGIC: f32 = 12582912.0; // 1.5·2^23

// ---- exp

@inline export function exp1(x: f32): f32 {
  x = min<f32>(max<f32>(x, EXP_LO), EXP_HI);
  // n = round(x·log2 e) by the 1.5·2^23 trick: t's unit in the last place is 1, so the add rounds (ties to
  // even) and t's low mantissa bits hold n; the SIMD code does the same operations (same bits).
  const t = x * LOG2E + MAGIC;
  const n = t - MAGIC;
  const r = (x - n * LN2_HI) - n * LN2_LO;
  let p = P0;
  p = p * r + P1;
  p = p * r + P2;
  p = p * r + P3;
  p = p * r + P4;
  p = p * r + P5;
  const y = (p * (r * r) + r) + 1;
  return y * reinterpret<f32>((reinterpret<i32>(t) + (127 - 0x4B400000)) << 23);
}

// The f32x4 constants live in a static table and are loaded where used: a v128.const inside a loop costs V8
// three instructions per use on x64 (no hoisting), a load one. Clamping uses pmin/pmax (one minps/maxps;
// f32x4.min/max cost V8 eight instructions each for their NaN/±0 rules, which cannot matter against the
// finite bounds: NaN still propagates). Rounding x·log2 e with + 1.5·2^23 gives n and the bits of 2^n
// without floor or trunc_sat (V8 expands the latter to eight instructions).
// Together: sigmoid 2.4 → 1.1 ns, tanh 3.5 → 1.4 ns per element (8 K elements, in cache).
const K4 = memory.data<f32>([
  EXP_LO, EXP_LO, EXP_LO, EXP_LO, EXP_HI, EXP_HI, EXP_HI, EXP_HI, LOG2E, LOG2E, LOG2E, LOG2E,
  LN2_HI, LN2_HI, LN2_HI, LN2_HI, LN2_LO, LN2_LO, LN2_LO, LN2_LO, P0, P0, P0, P0, P1, P1, P1, P1,
  P2, P2, P2, P2, P3, P3, P3, P3, P4, P4, P4, P4, P5, P5, P5, P5,
  1, 1, 1, 1, MAGIC, MAGIC, MAGIC, MAGIC, 2, 2, 2, 2, -0.0, -0.0, -0.0, -0.0,
], 16);
const K_EXP_LO = 0, K_EXP_HI = 1, K_LOG2E = 2, K_LN2_HI = 3, K_LN2_LO = 4, K_P0 = 5, K_P1 = 6, K_P2 = 7, K_P3 = 8,
  K_P4 = 9, K_P5 = 10, K_ONE = 11, K_MAGIC = 12, K_TWO = 13, K_SIGN = 14;
@inline function k4(i: i32): v128 {
  return v128.load(K4 + (<usize>i << 4));
}

@inline export function exp4(x: v128): v128 {
  x = f32x4.pmin(f32x4.pmax(x, k4(K_EXP_LO)), k4(K_EXP_HI));
  const t = f32x4.add(f32x4.mul(x, k4(K_LOG2E)), k4(K_MAGIC));
  const n = f32x4.sub(t, k4(K_MAGIC));
  const r = f32x4.sub(f32x4.sub(x, f32x4.mul(n, k4(K_LN2_HI))), f32x4.mul(n, k4(K_LN2_LO)));
  let p = k4(K_P0);
  p = f32x4.add(f32x4.mul(p, r), k4(K_P1));
  p = f32x4.add(f32x4.mul(p, r), k4(K_P2));
  p = f32x4.add(f32x4.mul(p, r), k4(K_P3));
  p = f32x4.add(f32x4.mul(p, r), k4(K_P4));
  p = f32x4.add(f32x4.mul(p, r), k4(K_P5));
  const y = f32x4.add(f32x4.add(f32x4.mul(p, f32x4.mul(r, r)), r), k4(K_ONE));
  // bits of t are 0x4B400000 + n; the exponent field of 2^n is n + 127
  const scale = i32x4.shl(i32x4.add(t, i32x4.splat(127 - 0x4B400000)), 23);
  return f32x4.mul(y, scale);
}

// ---- sigmoid, tanh

@inline export function sigmoid1(x: f32): f32 {
  return <f32>1 / (<f32>1 + exp1(-x));
}

@inline export function sigmoid4(x: v128): v128 {
  const one = k4(K_ONE);
  return f32x4.div(one, f32x4.add(one, exp4(f32x4.neg(x))));
}

@inline export function tanh1(x: f32): f32 {
  const a = Mathf.abs(x);
  const t = <f32>1 - <f32>2 / (exp1(a + a) + <f32>1);
  return copysign<f32>(t, x);
}

@inline export function tanh4(x: v128): v128 {
  const a = f32x4.abs(x);
  const one = k4(K_ONE);
  const t = f32x4.sub(one, f32x4.div(k4(K_TWO), f32x4.add(exp4(f32x4.add(a, a)), one)));
  // copysign: magnitude bits of t, sign bit of x
  return v128.bitselect(x, t, k4(K_SIGN));
}

// ---- generic activation by kind code

@inline export function activate1(x: f32, kind: i32): f32 {
  if (kind == ACT_TANH) return tanh1(x);
  if (kind == ACT_SIGMOID) return sigmoid1(x);
  if (kind == ACT_RELU) return max<f32>(x, 0);
  if (kind == ACT_HARD_SIGMOID) return min<f32>(max<f32>(x + 3, 0), 6) / 6;
  if (kind == ACT_HARD_SIGMOID_TFJS) return min<f32>(max<f32>(x * <f32>0.2 + <f32>0.5, 0), 1);
  return x;
}

@inline export function activate4(x: v128, kind: i32): v128 {
  if (kind == ACT_TANH) return tanh4(x);
  if (kind == ACT_SIGMOID) return sigmoid4(x);
  if (kind == ACT_RELU) return f32x4.max(x, f32x4.splat(0));
  if (kind == ACT_HARD_SIGMOID) {
    return f32x4.div(f32x4.min(f32x4.max(f32x4.add(x, f32x4.splat(3)), f32x4.splat(0)), f32x4.splat(6)), f32x4.splat(6));
  }
  if (kind == ACT_HARD_SIGMOID_TFJS) {
    const y = f32x4.add(f32x4.mul(x, f32x4.splat(<f32>0.2)), f32x4.splat(<f32>0.5));
    return f32x4.min(f32x4.max(y, f32x4.splat(0)), f32x4.splat(1));
  }
  return x;
}

/** Derivative from the saved OUTPUT y = act(x) (so backward adds no approximation error). */
@inline export function derivative1(y: f32, kind: i32): f32 {
  if (kind == ACT_TANH) return <f32>1 - y * y;
  if (kind == ACT_SIGMOID) return y * (<f32>1 - y);
  if (kind == ACT_RELU) return y > 0 ? <f32>1 : <f32>0;
  if (kind == ACT_HARD_SIGMOID) return y > 0 && y < 1 ? <f32>(1.0 / 6.0) : <f32>0;
  if (kind == ACT_HARD_SIGMOID_TFJS) return y > 0 && y < 1 ? <f32>0.2 : <f32>0;
  return 1;
}

@inline export function derivative4(y: v128, kind: i32): v128 {
  const one = f32x4.splat(1);
  if (kind == ACT_TANH) return f32x4.sub(one, f32x4.mul(y, y));
  if (kind == ACT_SIGMOID) return f32x4.mul(y, f32x4.sub(one, y));
  const zero = f32x4.splat(0);
  if (kind == ACT_RELU) return v128.and(f32x4.gt(y, zero), one);
  if (kind == ACT_HARD_SIGMOID) {
    return v128.and(v128.and(f32x4.gt(y, zero), f32x4.lt(y, one)), f32x4.splat(<f32>(1.0 / 6.0)));
  }
  if (kind == ACT_HARD_SIGMOID_TFJS) return v128.and(v128.and(f32x4.gt(y, zero), f32x4.lt(y, one)), f32x4.splat(<f32>0.2));
  return one;
}

/** In place over n floats: x = act(x). */
@inline export function activateInPlace(x: usize, n: i32, kind: i32): void {
  if (kind == ACT_LINEAR) return;
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    for (; i + 4 <= n; i += 4) {
      const p = x + (<usize>i << 2);
      v128.store(p, activate4(v128.load(p), kind));
    }
  }
  for (; i < n; i++) {
    const p = x + (<usize>i << 2);
    store<f32>(p, activate1(load<f32>(p), kind));
  }
}
