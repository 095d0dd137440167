// Reference 1-D pooling, time-major (f32 or f64 arrays). Legend: T input steps, B batch, C channels,
// P pool size, S stride, padL left padding, To output steps. x (T, B, C), y and argmax (To, B, C).
// Windows [t·S − padL, t·S − padL + P) ∩ [0, T): padding is ignored (TensorFlow SAME semantics).

import type { FloatArray } from './float-array.js';

/** Pooling padding (Keras): 'valid' (whole windows only) or 'same' (output length = ceil(input / stride)). */
export type PoolPadding = 'valid' | 'same';

/** Keras: valid To = floor((T − P)/S) + 1; same To = ceil(T/S), padL = floor(max((To − 1)·S + P − T, 0)/2). */
export function pool1dGeometry(T: number, P: number, S: number, padding: PoolPadding): { To: number; padL: number } {
  if (padding === 'valid') return { To: Math.floor((T - P) / S) + 1, padL: 0 };
  const To = Math.ceil(T / S);
  return { To, padL: Math.floor(Math.max((To - 1) * S + P - T, 0) / 2) };
}

const window = (t: number, S: number, P: number, padL: number, T: number): [number, number] =>
  [Math.max(t * S - padL, 0), Math.min(t * S - padL + P, T)];

export function maxPool1dForward(y: FloatArray, argmax: Int32Array, x: FloatArray, T: number, B: number, C: number, To: number, P: number, S: number, padL: number): void {
  const n = B * C;
  for (let t = 0; t < To; t++) {
    const [t0, t1] = window(t, S, P, padL, T);
    for (let i = 0; i < n; i++) {
      let m = x[t0 * n + i], at = t0;
      for (let u = t0 + 1; u < t1; u++) if (x[u * n + i] > m) { m = x[u * n + i]; at = u; }
      y[t * n + i] = m;
      argmax[t * n + i] = at;
    }
  }
}

export function maxPool1dBackward(dx: FloatArray, dy: FloatArray, argmax: ArrayLike<number>, T: number, B: number, C: number, To: number, accumulate: boolean): void {
  const n = B * C;
  if (!accumulate) dx.fill(0, 0, T * n);
  for (let t = 0; t < To; t++) for (let i = 0; i < n; i++) dx[argmax[t * n + i] * n + i] += dy[t * n + i];
}

export function avgPool1dForward(y: FloatArray, x: FloatArray, T: number, B: number, C: number, To: number, P: number, S: number, padL: number): void {
  const n = B * C;
  for (let t = 0; t < To; t++) {
    const [t0, t1] = window(t, S, P, padL, T);
    for (let i = 0; i < n; i++) {
      let s = 0;
      for (let u = t0; u < t1; u++) s += x[u * n + i];
      y[t * n + i] = s / (t1 - t0);
    }
  }
}

export function avgPool1dBackward(dx: FloatArray, dy: FloatArray, T: number, B: number, C: number, To: number, P: number, S: number, padL: number, accumulate: boolean): void {
  const n = B * C;
  if (!accumulate) dx.fill(0, 0, T * n);
  for (let t = 0; t < To; t++) {
    const [t0, t1] = window(t, S, P, padL, T);
    for (let u = t0; u < t1; u++) for (let i = 0; i < n; i++) dx[u * n + i] += dy[t * n + i] / (t1 - t0);
  }
}

/** Global pooling is one window of all T steps: y and argmax (B, C). */
export function globalMaxPool1dForward(y: FloatArray, argmax: Int32Array, x: FloatArray, T: number, B: number, C: number): void {
  maxPool1dForward(y, argmax, x, T, B, C, 1, T, T, 0);
}

export function globalMaxPool1dBackward(dx: FloatArray, dy: FloatArray, argmax: ArrayLike<number>, T: number, B: number, C: number, accumulate: boolean): void {
  maxPool1dBackward(dx, dy, argmax, T, B, C, 1, accumulate);
}

export function globalAvgPool1dForward(y: FloatArray, x: FloatArray, T: number, B: number, C: number): void {
  avgPool1dForward(y, x, T, B, C, 1, T, T, 0);
}

export function globalAvgPool1dBackward(dx: FloatArray, dy: FloatArray, T: number, B: number, C: number, accumulate: boolean): void {
  avgPool1dBackward(dx, dy, T, B, C, 1, T, T, 0, accumulate);
}
