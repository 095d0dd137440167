// Fused optimizer updates and the L1/L2 regularization gradient, over an element range of flat slabs.
// Legend: P elements per slab; [i0, i1) the element range updated. W params (P), G grads (P), and the
// optimizer state slabs M, V, A (each P) share offsets: element i of every slab belongs to parameter i.
// Every update is one pass that reads each slab once and writes it once (f32x4; the scalar build runs the
// same per-element maths in the same order, so both builds give identical bits).
// Semantics follow Keras 3 (keras/src/optimizers/*.py): per-element f32 arithmetic in Keras' order;
// hyperparameters arrive as f64 and are rounded to f32 once, the way Keras casts Python floats.
// Step-dependent factors (β^t) use binary powering in f64 (plain multiplies: identical in wasm and JS).
// Preconditions (checked by bindings/, never here): pointers 4-byte aligned, slabs in memory and pairwise
// disjoint, 0 <= i0 <= i1 <= P, t >= 1, hyperparameters finite and in range.

// ---- helpers

/** b^n for n >= 0 by square-and-multiply in f64 (bindings/reference/optimizers.ts uses the same loop). */
@inline function __powi(b: f64, n: i32): f64 {
  let r: f64 = 1;
  let x = b;
  while (n > 0) {
    if (n & 1) r *= x;
    x *= x;
    n >>= 1;
  }
  return r;
}

/** Keras' bias-corrected step size: lr · sqrt(1 − β2^t) / (1 − β1^t), in f64, rounded once to f32. */
@inline function __adamAlpha(lr: f64, beta1: f64, beta2: f64, t: i32): f32 {
  return <f32>(lr * Math.sqrt(1 - __powi(beta2, t)) / (1 - __powi(beta1, t)));
}

/** sign(w) ∈ {−1, 0, 1} (0 for ±0 and NaN) from two compares, the same in SIMD and scalar. */
@inline function __sign(w: f32): f32 {
  return <f32>(<i32>(w > 0)) - <f32>(<i32>(w < 0));
}

// ---- SGD (keras.optimizers.SGD)

/**
 * Keras SGD over [i0, i1). M (P) is the velocity slab, read only when momentum != 0.
 *   momentum = 0:  w = w − g·lr
 *   momentum > 0:  m = m·μ − g·lr;  w = w + m                     (nesterov = 0)
 *                                   w = w + (m·μ − g·lr)          (nesterov = 1, m already updated)
 */
export function sgd_update(W: usize, M: usize, G: usize, lr: f64, momentum: f64, nesterov: i32, i0: i32, i1: i32): void {
  const lr32 = <f32>lr, mu = <f32>momentum;
  const o0 = <usize>i0 << 2, o1 = <usize>i1 << 2;
  let o = o0;
  if (momentum == 0) {
    if (ASC_FEATURE_SIMD) {
      const vlr = f32x4.splat(lr32);
      for (; o + 16 <= o1; o += 16) {
        v128.store(W + o, f32x4.sub(v128.load(W + o), f32x4.mul(v128.load(G + o), vlr)));
      }
    }
    for (; o < o1; o += 4) store<f32>(W + o, load<f32>(W + o) - load<f32>(G + o) * lr32);
    return;
  }
  if (ASC_FEATURE_SIMD) {
    const vlr = f32x4.splat(lr32), vmu = f32x4.splat(mu);
    for (; o + 16 <= o1; o += 16) {
      const glr = f32x4.mul(v128.load(G + o), vlr);
      const m = f32x4.sub(f32x4.mul(v128.load(M + o), vmu), glr);
      v128.store(M + o, m);
      const step = nesterov ? f32x4.sub(f32x4.mul(m, vmu), glr) : m;
      v128.store(W + o, f32x4.add(v128.load(W + o), step));
    }
  }
  for (; o < o1; o += 4) {
    const glr = load<f32>(G + o) * lr32;
    const m = load<f32>(M + o) * mu - glr;
    store<f32>(M + o, m);
    const step = nesterov ? m * mu - glr : m;
    store<f32>(W + o, load<f32>(W + o) + step);
  }
}

// ---- Adam and AdamW (keras.optimizers.Adam / AdamW)

// One fused pass; `decay` is a compile-time constant after inlining, so Adam carries no decay work.
//   (AdamW only) w = w − (w·wd)·lr                   (base_optimizer._apply_weight_decay, before the step)
//   m = m + (g − m)·(1 − β1)
//   v = v + (g² − v)·(1 − β2)
//   w = w − (m·α) / (sqrt(v) + ε),   α = lr·sqrt(1 − β2^t)/(1 − β1^t)
@inline function __adam(
  W: usize, M: usize, V: usize, G: usize, lr: f64, beta1: f64, beta2: f64, epsilon: f64, t: i32, wd: f64,
  i0: i32, i1: i32, decay: bool,
): void {
  const alpha = __adamAlpha(lr, beta1, beta2, t);
  const c1 = <f32>(1 - beta1), c2 = <f32>(1 - beta2), eps = <f32>epsilon;
  const lr32 = <f32>lr, wd32 = <f32>wd;
  const o1 = <usize>i1 << 2;
  let o = <usize>i0 << 2;
  if (ASC_FEATURE_SIMD) {
    const va = f32x4.splat(alpha), vc1 = f32x4.splat(c1), vc2 = f32x4.splat(c2), ve = f32x4.splat(eps);
    const vlr = f32x4.splat(lr32), vwd = f32x4.splat(wd32);
    for (; o + 16 <= o1; o += 16) {
      const g = v128.load(G + o);
      let w = v128.load(W + o);
      if (decay) w = f32x4.sub(w, f32x4.mul(f32x4.mul(w, vwd), vlr));
      let m = v128.load(M + o), v = v128.load(V + o);
      m = f32x4.add(m, f32x4.mul(f32x4.sub(g, m), vc1));
      v = f32x4.add(v, f32x4.mul(f32x4.sub(f32x4.mul(g, g), v), vc2));
      w = f32x4.sub(w, f32x4.div(f32x4.mul(m, va), f32x4.add(f32x4.sqrt(v), ve)));
      v128.store(M + o, m);
      v128.store(V + o, v);
      v128.store(W + o, w);
    }
  }
  for (; o < o1; o += 4) {
    const g = load<f32>(G + o);
    let w = load<f32>(W + o);
    if (decay) w = w - (w * wd32) * lr32;
    let m = load<f32>(M + o), v = load<f32>(V + o);
    m = m + (g - m) * c1;
    v = v + (g * g - v) * c2;
    w = w - (m * alpha) / (Mathf.sqrt(v) + eps);
    store<f32>(M + o, m);
    store<f32>(V + o, v);
    store<f32>(W + o, w);
  }
}

/** Keras Adam over [i0, i1): M first moment (P), V second moment (P); t = step number (1 on the first step). */
export function adam_update(
  W: usize, M: usize, V: usize, G: usize, lr: f64, beta1: f64, beta2: f64, epsilon: f64, t: i32, i0: i32, i1: i32,
): void {
  __adam(W, M, V, G, lr, beta1, beta2, epsilon, t, 0, i0, i1, false);
}

/** Keras AdamW over [i0, i1): decoupled decay w −= (w·wd)·lr, then the Adam step (same pass). */
export function adamw_update(
  W: usize, M: usize, V: usize, G: usize, lr: f64, beta1: f64, beta2: f64, epsilon: f64, t: i32, weight_decay: f64,
  i0: i32, i1: i32,
): void {
  __adam(W, M, V, G, lr, beta1, beta2, epsilon, t, weight_decay, i0, i1, true);
}

// ---- RMSprop (keras.optimizers.RMSprop, momentum = 0, centered = False)

/**
 * Keras RMSprop over [i0, i1), V the velocity slab (P), ε inside the root:
 *   v = ρ·v + (1 − ρ)·g²;   w = w − (lr·g) / sqrt(v + ε)
 */
export function rmsprop_update(W: usize, V: usize, G: usize, lr: f64, rho: f64, epsilon: f64, i0: i32, i1: i32): void {
  const lr32 = <f32>lr, r = <f32>rho, c = <f32>(1 - rho), eps = <f32>epsilon;
  const o1 = <usize>i1 << 2;
  let o = <usize>i0 << 2;
  if (ASC_FEATURE_SIMD) {
    const vlr = f32x4.splat(lr32), vr = f32x4.splat(r), vc = f32x4.splat(c), ve = f32x4.splat(eps);
    for (; o + 16 <= o1; o += 16) {
      const g = v128.load(G + o);
      const v = f32x4.add(f32x4.mul(vr, v128.load(V + o)), f32x4.mul(vc, f32x4.mul(g, g)));
      v128.store(V + o, v);
      v128.store(W + o, f32x4.sub(v128.load(W + o), f32x4.div(f32x4.mul(vlr, g), f32x4.sqrt(f32x4.add(v, ve)))));
    }
  }
  for (; o < o1; o += 4) {
    const g = load<f32>(G + o);
    const v = r * load<f32>(V + o) + c * (g * g);
    store<f32>(V + o, v);
    store<f32>(W + o, load<f32>(W + o) - (lr32 * g) / Mathf.sqrt(v + eps));
  }
}

// ---- Adagrad (keras.optimizers.Adagrad)

/**
 * Keras Adagrad over [i0, i1), A the accumulator slab (P; the caller fills it with
 * initial_accumulator_value, Keras default 0.1, before the first step):
 *   a = a + g²;   w = w − (lr·g) / sqrt(a + ε)
 */
export function adagrad_update(W: usize, A: usize, G: usize, lr: f64, epsilon: f64, i0: i32, i1: i32): void {
  const lr32 = <f32>lr, eps = <f32>epsilon;
  const o1 = <usize>i1 << 2;
  let o = <usize>i0 << 2;
  if (ASC_FEATURE_SIMD) {
    const vlr = f32x4.splat(lr32), ve = f32x4.splat(eps);
    for (; o + 16 <= o1; o += 16) {
      const g = v128.load(G + o);
      const a = f32x4.add(v128.load(A + o), f32x4.mul(g, g));
      v128.store(A + o, a);
      v128.store(W + o, f32x4.sub(v128.load(W + o), f32x4.div(f32x4.mul(vlr, g), f32x4.sqrt(f32x4.add(a, ve)))));
    }
  }
  for (; o < o1; o += 4) {
    const g = load<f32>(G + o);
    const a = load<f32>(A + o) + g * g;
    store<f32>(A + o, a);
    store<f32>(W + o, load<f32>(W + o) - (lr32 * g) / Mathf.sqrt(a + eps));
  }
}

// ---- regularization gradient (keras.regularizers.L1L2, added to G before clipping and the step)

/**
 * G[i] += l1·sign(W[i]) + (2·l2)·W[i] over [i0, i1): the gradient of l1·Σ|w| + l2·Σw² (Keras L1L2).
 * sign(0) = 0, as tf.sign.
 */
export function regularizer_grad(G: usize, W: usize, l1: f64, l2: f64, i0: i32, i1: i32): void {
  const a = <f32>l1, b = <f32>(2 * l2);
  const o1 = <usize>i1 << 2;
  let o = <usize>i0 << 2;
  if (ASC_FEATURE_SIMD) {
    const va = f32x4.splat(a), vb = f32x4.splat(b), one = f32x4.splat(1), zero = f32x4.splat(0);
    for (; o + 16 <= o1; o += 16) {
      const w = v128.load(W + o);
      const s = f32x4.sub(v128.and(f32x4.gt(w, zero), one), v128.and(f32x4.lt(w, zero), one));
      v128.store(G + o, f32x4.add(v128.load(G + o), f32x4.add(f32x4.mul(va, s), f32x4.mul(vb, w))));
    }
  }
  for (; o < o1; o += 4) {
    const w = load<f32>(W + o);
    store<f32>(G + o, load<f32>(G + o) + (a * __sign(w) + b * w));
  }
}
