// Reference losses in plain TypeScript (f64 Math; arrays f32 or f64), same contract as assembly/losses.ts:
// return the weighted mean loss Σ w_i·ℓ_i / Σ w_i (w = 1 without weights; / N with byCount) and write its
// gradient.
// Legend: N rows, C real columns, ld row stride of logits/dlogits (lanes [C, ld) untouched); targets of
// BCE/MSE (N, C) contiguous, sparse targets (N) integer class ids.

import type { FloatArray } from './float-array.js';

type Weights = FloatArray | null;

function weightSum(w: Weights, N: number, byCount: boolean): number {
  if (!w || byCount) return N;
  let s = 0;
  for (let i = 0; i < N; i++) s += w[i];
  return s;
}

/** max(x, 0) − x·y + log(1 + exp(−|x|)), mean over C; gradient (σ(x) − y)·w/(Σw·C). */
export function sigmoidBce(g: FloatArray, x: FloatArray, y: FloatArray, w: Weights, N: number, C: number, ld = C, byCount = false): number {
  const W = weightSum(w, N, byCount);
  let total = 0;
  for (let i = 0; i < N; i++) {
    const wi = w ? w[i] : 1;
    if (wi === 0 || W === 0) { g.fill(0, i * ld, i * ld + C); continue; }
    for (let j = 0; j < C; j++) {
      const xv = x[i * ld + j], yv = y[i * C + j];
      total += wi * (Math.max(xv, 0) - xv * yv + Math.log1p(Math.exp(-Math.abs(xv))));
      const sig = xv >= 0 ? 1 / (1 + Math.exp(-xv)) : Math.exp(xv) / (1 + Math.exp(xv));
      g[i * ld + j] = (sig - yv) * wi / (W * C);
    }
  }
  return W === 0 ? 0 : total / (W * C);
}

/** log-sum-exp over the C real columns minus the target logit; gradient (softmax − onehot)·w/Σw. */
export function sparseSoftmaxCe(g: FloatArray, x: FloatArray, targets: ArrayLike<number>, w: Weights, N: number, C: number, ld = C, byCount = false): number {
  const W = weightSum(w, N, byCount);
  let total = 0;
  for (let i = 0; i < N; i++) {
    const wi = w ? w[i] : 1;
    const o = i * ld;
    if (wi === 0 || W === 0) { g.fill(0, o, o + C); continue; }
    let m = -Infinity;
    for (let j = 0; j < C; j++) m = Math.max(m, x[o + j]);
    let s = 0;
    for (let j = 0; j < C; j++) s += Math.exp(x[o + j] - m);
    const t = targets[i];
    total += wi * (m + Math.log(s) - x[o + t]);
    for (let j = 0; j < C; j++) g[o + j] = (Math.exp(x[o + j] - m) / s - (j === t ? 1 : 0)) * wi / W;
  }
  return W === 0 ? 0 : total / W;
}

/** mean over C of (p − y)², gradient 2(p − y)·w/(Σw·C). */
export function mse(g: FloatArray, p: FloatArray, y: FloatArray, w: Weights, N: number, C: number, ld = C, byCount = false): number {
  const W = weightSum(w, N, byCount);
  let total = 0;
  for (let i = 0; i < N; i++) {
    const wi = w ? w[i] : 1;
    if (wi === 0 || W === 0) { g.fill(0, i * ld, i * ld + C); continue; }
    for (let j = 0; j < C; j++) {
      const d = p[i * ld + j] - y[i * C + j];
      total += wi * d * d;
      g[i * ld + j] = 2 * d * wi / (W * C);
    }
  }
  return W === 0 ? 0 : total / (W * C);
}
