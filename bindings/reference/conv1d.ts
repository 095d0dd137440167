// Reference Conv1D, time-major (f32 or f64 arrays, f64 accumulation and Math activations).
// Legend: T input steps, B batch, C channels, F filters, K kernel width, To output steps, s stride,
// d dilation, padL left zero padding. x (T, B, C), W (K, C, F), b (F) or null, y (To, B, F).

import type { FloatArray } from './float-array.js';
import { activate, derivative } from './activations.js';

/** Conv1D padding (Keras): 'valid' (no padding), 'same' (output length = input length), 'causal' (left padding only). */
export type ConvPadding = 'valid' | 'same' | 'causal';

/**
 * Keras' output length and our left padding (TensorFlow SAME: the smaller half on the left).
 * dK = (K − 1)·d + 1; valid: To = floor((T − dK)/s) + 1; same: To = ceil(T/s), padL = floor(max((To − 1)·s
 * + dK − T, 0)/2); causal: padL = dK − 1, To = floor((T − 1)/s) + 1. To <= 0 means the input is too short.
 */
export function conv1dGeometry(T: number, K: number, strides: number, dilationRate: number, padding: ConvPadding): { To: number; padL: number } {
  const dK = (K - 1) * dilationRate + 1;
  if (padding === 'valid') return { To: Math.floor((T - dK) / strides) + 1, padL: 0 };
  if (padding === 'causal') return { To: Math.floor((T - 1) / strides) + 1, padL: dK - 1 };
  const To = Math.ceil(T / strides);
  return { To, padL: Math.floor(Math.max((To - 1) * strides + dK - T, 0) / 2) };
}

export function conv1dForward(
  y: FloatArray, x: FloatArray, W: FloatArray, b: FloatArray | null,
  T: number, B: number, C: number, F: number, K: number, To: number, s: number, d: number, padL: number, act: number,
): void {
  for (let t = 0; t < To; t++) {
    for (let bb = 0; bb < B; bb++) {
      for (let f = 0; f < F; f++) {
        let sum = b ? b[f] : 0;
        for (let k = 0; k < K; k++) {
          const ti = t * s + k * d - padL;
          if (ti < 0 || ti >= T) continue;
          for (let c = 0; c < C; c++) sum += x[(ti * B + bb) * C + c] * W[(k * C + c) * F + f];
        }
        y[(t * B + bb) * F + f] = activate(sum, act);
      }
    }
  }
}

/** dz = dy ⊙ act'(y) (linear: dy is used, dz untouched); dW, db accumulate; dx written or accumulated. */
export function conv1dBackward(
  dx: FloatArray | null, dW: FloatArray, db: FloatArray | null, dz: FloatArray, dy: FloatArray, x: FloatArray, W: FloatArray, y: FloatArray,
  T: number, B: number, C: number, F: number, K: number, To: number, s: number, d: number, padL: number, act: number, accumulateDx: boolean,
): void {
  const g = act === 0 ? dy : dz;
  if (act !== 0) for (let i = 0; i < To * B * F; i++) dz[i] = dy[i] * derivative(y[i], act);
  if (dx && !accumulateDx) dx.fill(0, 0, T * B * C);
  for (let t = 0; t < To; t++) {
    for (let bb = 0; bb < B; bb++) {
      for (let f = 0; f < F; f++) {
        const gv = g[(t * B + bb) * F + f];
        if (db) db[f] += gv;
        for (let k = 0; k < K; k++) {
          const ti = t * s + k * d - padL;
          if (ti < 0 || ti >= T) continue;
          for (let c = 0; c < C; c++) {
            dW[(k * C + c) * F + f] += x[(ti * B + bb) * C + c] * gv;
            if (dx) dx[(ti * B + bb) * C + c] += gv * W[(k * C + c) * F + f];
          }
        }
      }
    }
  }
}
