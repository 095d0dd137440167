// Element-wise activations and their backward over flat f32 buffers (Dense layers, tests of the maths).
// Legend: n elements. Kinds: 0 linear, 1 tanh, 2 sigmoid, 3 relu, 4 hard_sigmoid; error bounds in math.ts.

import { activate1, activate4, derivative1, derivative4 } from "./math";

/** y[0..n) = act(x[0..n)); y may equal x. */
export function activation_forward(y: usize, x: usize, n: i32, kind: i32): void {
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    for (; i + 4 <= n; i += 4) {
      const o = <usize>i << 2;
      v128.store(y + o, activate4(v128.load(x + o), kind));
    }
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    store<f32>(y + o, activate1(load<f32>(x + o), kind));
  }
}

/** dx[0..n) (+)= dy · act'(·), the derivative taken from the saved output y. dx may equal dy. */
export function activation_backward(dx: usize, dy: usize, y: usize, n: i32, kind: i32, accumulate: i32): void {
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    for (; i + 4 <= n; i += 4) {
      const o = <usize>i << 2;
      let g = f32x4.mul(v128.load(dy + o), derivative4(v128.load(y + o), kind));
      if (accumulate) g = f32x4.add(v128.load(dx + o), g);
      v128.store(dx + o, g);
    }
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    let g = load<f32>(dy + o) * derivative1(load<f32>(y + o), kind);
    if (accumulate) g = load<f32>(dx + o) + g;
    store<f32>(dx + o, g);
  }
}
