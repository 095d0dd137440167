// Reference activations in f64 Math (the exact functions the wasm approximations are measured against).
// Kinds: 0 linear, 1 tanh, 2 sigmoid, 3 relu, 4 hard_sigmoid (Keras 3: relu6(x + 3) / 6),
// 5 hard_sigmoid_tfjs (TF.js hardSigmoid and Keras 2 hard_sigmoid: clip(0.2·x + 0.5, 0, 1)).

import type { FloatArray } from './float-array.js';

/**
 * Activation names and their ABI codes. `hard_sigmoid` is Keras 3's relu6(x + 3) / 6; `hard_sigmoid_tfjs` is
 * the slope-0.2 form of TF.js (`hardSigmoid`, its default recurrentActivation) and Keras 2.
 */
export const ACTIVATIONS = { linear: 0, tanh: 1, sigmoid: 2, relu: 3, hard_sigmoid: 4, hard_sigmoid_tfjs: 5 } as const;
export type ActivationName = keyof typeof ACTIVATIONS;
export type ActivationKind = (typeof ACTIVATIONS)[ActivationName];

export function activate(x: number, kind: number): number {
  switch (kind) {
    case 1: return Math.tanh(x);
    case 2: return 1 / (1 + Math.exp(-x));
    case 3: return x > 0 ? x : 0;
    case 4: return Math.min(Math.max(x + 3, 0), 6) / 6;
    case 5: return Math.min(Math.max(0.2 * x + 0.5, 0), 1);
    default: return x;
  }
}

/** d act / dx expressed through the output y = act(x). */
export function derivative(y: number, kind: number): number {
  switch (kind) {
    case 1: return 1 - y * y;
    case 2: return y * (1 - y);
    case 3: return y > 0 ? 1 : 0;
    case 4: return y > 0 && y < 1 ? 1 / 6 : 0;
    case 5: return y > 0 && y < 1 ? 0.2 : 0;
    default: return 1;
  }
}

export function activationForward(y: FloatArray, x: FloatArray, n: number, kind: number): void {
  for (let i = 0; i < n; i++) y[i] = activate(x[i], kind);
}

export function activationBackward(dx: FloatArray, dy: FloatArray, y: FloatArray, n: number, kind: number, accumulate: boolean): void {
  for (let i = 0; i < n; i++) {
    const g = dy[i] * derivative(y[i], kind);
    dx[i] = accumulate ? dx[i] + g : g;
  }
}
