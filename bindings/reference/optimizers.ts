// Reference optimizer updates and the L1/L2 regularization gradient over typed arrays (f32 or f64).
// Every array is the updated range itself (element i of w, g and the state arrays belong together).
// With Float32Array storage each operation is rounded to f32 (Math.fround), which reproduces the wasm kernels
// bit for bit: an f32 +, −, ·, / or sqrt computed in f64 and rounded once is the correctly rounded f32 result.
// With Float64Array nothing is rounded (the f64 reference for checks).

import type { FloatArray } from './float-array.js';

const same = (x: number): number => x;
const rounding = (x: FloatArray): ((x: number) => number) => (x instanceof Float32Array ? Math.fround : same);

/** b^n for integer n >= 0 by square-and-multiply in f64 (the same loop as assembly/optimizers.ts). */
export function powi(b: number, n: number): number {
  let r = 1, x = b;
  while (n > 0) {
    if (n & 1) r *= x;
    x *= x;
    n >>= 1;
  }
  return r;
}

/** Keras Adam's bias-corrected step size α = lr·sqrt(1 − β2^t)/(1 − β1^t) (f64). */
export function adamAlpha(lr: number, beta1: number, beta2: number, t: number): number {
  return (lr * Math.sqrt(1 - powi(beta2, t))) / (1 - powi(beta1, t));
}

/** Keras SGD: m = m·μ − g·lr; w += m (or, Nesterov, w += m·μ − g·lr); with μ = 0: w −= g·lr (m unused). */
export function sgd(w: FloatArray, m: FloatArray | null, g: FloatArray, lr: number, momentum: number, nesterov: boolean): void {
  const f = rounding(w), lr_ = f(lr), mu = f(momentum), n = w.length;
  if (momentum === 0 || m === null) {
    for (let i = 0; i < n; i++) w[i] = f(w[i] - f(g[i] * lr_));
    return;
  }
  for (let i = 0; i < n; i++) {
    const glr = f(g[i] * lr_);
    const mi = f(f(m[i] * mu) - glr);
    m[i] = mi;
    w[i] = f(w[i] + (nesterov ? f(f(mi * mu) - glr) : mi));
  }
}

function adamCore(
  w: FloatArray, m: FloatArray, v: FloatArray, g: FloatArray, lr: number, beta1: number, beta2: number, epsilon: number,
  t: number, weightDecay: number, decay: boolean,
): void {
  const f = rounding(w);
  const alpha = f(adamAlpha(lr, beta1, beta2, t));
  const c1 = f(1 - beta1), c2 = f(1 - beta2), eps = f(epsilon), lr_ = f(lr), wd = f(weightDecay);
  for (let i = 0; i < w.length; i++) {
    const gi = g[i];
    let wi = w[i];
    if (decay) wi = f(wi - f(f(wi * wd) * lr_));
    const mi = f(m[i] + f(f(gi - m[i]) * c1));
    const vi = f(v[i] + f(f(f(gi * gi) - v[i]) * c2));
    m[i] = mi;
    v[i] = vi;
    w[i] = f(wi - f(f(mi * alpha) / f(f(Math.sqrt(vi)) + eps)));
  }
}

/** Keras Adam: m += (g − m)(1 − β1); v += (g² − v)(1 − β2); w −= m·α / (sqrt(v) + ε). */
export function adam(w: FloatArray, m: FloatArray, v: FloatArray, g: FloatArray, lr: number, beta1: number, beta2: number, epsilon: number, t: number): void {
  adamCore(w, m, v, g, lr, beta1, beta2, epsilon, t, 0, false);
}

/** Keras AdamW: w −= (w·wd)·lr, then the Adam step. */
export function adamw(
  w: FloatArray, m: FloatArray, v: FloatArray, g: FloatArray, lr: number, beta1: number, beta2: number, epsilon: number,
  t: number, weightDecay: number,
): void {
  adamCore(w, m, v, g, lr, beta1, beta2, epsilon, t, weightDecay, true);
}

/** Keras RMSprop (no momentum, not centered): v = ρ·v + (1 − ρ)·g²; w −= lr·g / sqrt(v + ε). */
export function rmsprop(w: FloatArray, v: FloatArray, g: FloatArray, lr: number, rho: number, epsilon: number): void {
  const f = rounding(w), lr_ = f(lr), r = f(rho), c = f(1 - rho), eps = f(epsilon);
  for (let i = 0; i < w.length; i++) {
    const gi = g[i];
    const vi = f(f(r * v[i]) + f(c * f(gi * gi)));
    v[i] = vi;
    w[i] = f(w[i] - f(f(lr_ * gi) / f(Math.sqrt(f(vi + eps)))));
  }
}

/** Keras Adagrad: a += g²; w −= lr·g / sqrt(a + ε) (a starts at initial_accumulator_value, default 0.1). */
export function adagrad(w: FloatArray, a: FloatArray, g: FloatArray, lr: number, epsilon: number): void {
  const f = rounding(w), lr_ = f(lr), eps = f(epsilon);
  for (let i = 0; i < w.length; i++) {
    const gi = g[i];
    const ai = f(a[i] + f(gi * gi));
    a[i] = ai;
    w[i] = f(w[i] - f(f(lr_ * gi) / f(Math.sqrt(f(ai + eps)))));
  }
}

/** g += l1·sign(w) + (2·l2)·w: the gradient of Keras' L1L2 penalty l1·Σ|w| + l2·Σw² (sign(0) = 0). */
export function regularizerGrad(g: FloatArray, w: FloatArray, l1: number, l2: number): void {
  const f = rounding(g), a = f(l1), b = f(2 * l2);
  for (let i = 0; i < g.length; i++) {
    const wi = w[i];
    const s = (wi > 0 ? 1 : 0) - (wi < 0 ? 1 : 0);
    g[i] = f(g[i] + f(f(a * s) + f(b * wi)));
  }
}
