// Finite-difference gradient check for the f64 references: centred differences
//   dL/dθ_i ≈ (L(θ + δ e_i) − L(θ − δ e_i)) / 2δ,  δ = 1e-5,
// compared element by element with the analytic gradient. Error measure per element:
//   |analytic − numeric| / max(|analytic|, |numeric|, floor)
// (the floor keeps near-zero gradients from turning roundoff into a huge "relative" error; with δ = 1e-5 in
// f64 the absolute error of the numeric side is ~1e-10). Every element is checked unless `maxPerParam` asks
// for a seeded random subset.
import * as assert from 'uvu/assert';
import { rng } from './random.js';

export interface GradParam {
  /** Name used in the failure message (e.g. "W"). */
  name: string;
  /** The parameter values, perturbed in place by the check (restored afterwards). */
  value: Float64Array;
  /** The analytic gradient dL/d(value) from the backward under test. */
  analytic: ArrayLike<number>;
}

export interface GradcheckOptions {
  delta?: number;
  /** Maximum allowed error (default 1e-6). */
  tolerance?: number;
  /** Denominator floor of the relative error (default 1e-4). */
  floor?: number;
  /** Check at most this many elements per parameter, chosen with `seed` (default: all). */
  maxPerParam?: number;
  seed?: number;
}

export interface GradcheckResult {
  maxError: number;
  worst: string;
  checked: number;
}

/** Returns the worst error and where; does not assert. `loss` must recompute L from the current values. */
export function gradcheckReport(params: GradParam[], loss: () => number, options: GradcheckOptions = {}): GradcheckResult {
  const delta = options.delta ?? 1e-5;
  const floor = options.floor ?? 1e-4;
  const next = rng(options.seed ?? 1);
  let maxError = 0, worst = 'none', checked = 0;
  for (const p of params) {
    if (p.analytic.length !== p.value.length) {
      throw new Error(`gradcheck: ${p.name}: analytic gradient has ${p.analytic.length} elements, value has ${p.value.length}`);
    }
    let indices = Array.from(p.value, (_, i) => i);
    if (options.maxPerParam !== undefined && indices.length > options.maxPerParam) {
      indices = Array.from({ length: options.maxPerParam }, () => Math.floor(next() * p.value.length));
    }
    for (const i of indices) {
      const v = p.value[i];
      p.value[i] = v + delta;
      const up = loss();
      p.value[i] = v - delta;
      const down = loss();
      p.value[i] = v;
      const numeric = (up - down) / (2 * delta);
      const analytic = p.analytic[i];
      const err = Math.abs(analytic - numeric) / Math.max(Math.abs(analytic), Math.abs(numeric), floor);
      checked++;
      if (!(err <= maxError)) {
        maxError = Number.isNaN(err) ? Infinity : err;
        worst = `${p.name}[${i}]: analytic ${analytic}, numeric ${numeric}`;
      }
    }
  }
  return { maxError, worst, checked };
}

/** Asserts every checked element's error is below the tolerance; the message names the worst element. */
export function gradcheck(label: string, params: GradParam[], loss: () => number, options: GradcheckOptions = {}): GradcheckResult {
  const tolerance = options.tolerance ?? 1e-6;
  const r = gradcheckReport(params, loss, options);
  assert.ok(r.maxError < tolerance, `${label}: gradcheck error ${r.maxError} >= ${tolerance} at ${r.worst} (${r.checked} elements checked)`);
  return r;
}

/** Σ out[i] · R[i]: the weighted-sum loss whose gradient dL/dout is R. */
export function weightedSum(out: ArrayLike<number>, R: ArrayLike<number>, outOffset = 0, n = R.length): number {
  let s = 0;
  for (let i = 0; i < n; i++) s += out[outOffset + i] * R[i];
  return s;
}

/** The one-parameter form: every element of `value` against `analytic`. */
export function gradcheckArray(label: string, value: Float64Array, analytic: ArrayLike<number>, loss: () => number, options: GradcheckOptions = {}): GradcheckResult {
  return gradcheck(label, [{ name: label, value, analytic }], loss, options);
}
