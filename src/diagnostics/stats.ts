// Small statistics used by the diagnostics: least-squares line with R², percentiles, geometric mean.
// All sums run in f64 in index order (deterministic).
import { DataValueError } from '../errors.js';
import { checkArgument } from '../options/schema.js';
import * as is from '../options/specs.js';

/** A least-squares line fit y ≈ intercept + slope·x. */
export interface LineFit {
  /** y ≈ intercept + slope·x */
  slope: number;
  intercept: number;
  /** Coefficient of determination 1 − SS_res/SS_tot; 1 when every y is equal (a perfect fit). */
  r2: number;
  /** Points used. */
  n: number;
}

/** Ordinary least squares of y on x (n >= 2 points with distinct x; else slope/intercept/r2 are NaN). */
export function fitLine(x: ArrayLike<number>, y: ArrayLike<number>): LineFit {
  checkArgument('fitLine', 'x', x, is.numbers());
  checkArgument('fitLine', 'y', y, is.numbers());
  const n = x.length;
  if (n !== y.length) throw new DataValueError(`fitLine: x has ${n} points, y has ${y.length}`); // issue 16: typed
  if (n < 2) return { slope: NaN, intercept: n === 1 ? y[0] : NaN, r2: NaN, n };
  let mx = 0, my = 0;
  for (let i = 0; i < n; i++) { mx += x[i]; my += y[i]; }
  mx /= n; my /= n;
  let sxx = 0, sxy = 0, syy = 0;
  for (let i = 0; i < n; i++) {
    const dx = x[i] - mx, dy = y[i] - my;
    sxx += dx * dx; sxy += dx * dy; syy += dy * dy;
  }
  if (sxx === 0) return { slope: NaN, intercept: NaN, r2: NaN, n };
  const slope = sxy / sxx;
  const intercept = my - slope * mx;
  let ssRes = 0;
  for (let i = 0; i < n; i++) {
    const r = y[i] - (intercept + slope * x[i]);
    ssRes += r * r;
  }
  // A constant y has nothing to explain: call that a perfect fit (tested on the values, not on syy, which the
  // rounding of the mean leaves a hair above 0).
  let flat = true;
  for (let i = 1; i < n && flat; i++) flat = y[i] === y[0];
  const r2 = flat ? 1 : Math.max(0, 1 - ssRes / syy);
  return { slope, intercept, r2, n };
}

/**
 * The p-th percentile (p in [0, 100]) of the finite values, linear interpolation between closest ranks
 * (numpy's default, "type 7"). NaN when there is no finite value.
 */
export function percentile(values: ArrayLike<number>, p: number): number {
  checkArgument('percentile', 'values', values, is.numbers());
  checkArgument('percentile', 'p', p, is.number({ min: 0, max: 100 }));
  return percentiles(values, [p])[0];
}

/** Several percentiles with one sort. */
export function percentiles(values: ArrayLike<number>, ps: readonly number[]): number[] {
  checkArgument('percentiles', 'values', values, is.numbers());
  checkArgument('percentiles', 'ps', ps, is.arrayOf(is.number({ min: 0, max: 100 })));
  const sorted = finiteSorted(values);
  return ps.map((p) => {
    if (!(p >= 0 && p <= 100)) throw new RangeError(`percentile: p = ${p} is not in [0, 100]`);
    if (sorted.length === 0) return NaN;
    const pos = (p / 100) * (sorted.length - 1);
    const lo = Math.floor(pos), hi = Math.ceil(pos);
    return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
  });
}

function finiteSorted(values: ArrayLike<number>): Float64Array {
  const out: number[] = [];
  for (let i = 0; i < values.length; i++) if (Number.isFinite(values[i])) out.push(values[i]);
  return Float64Array.from(out).sort();
}

/** exp(mean(ln v)) over the positive finite values; NaN when there is none. */
export function geometricMean(values: ArrayLike<number>): number {
  checkArgument('geometricMean', 'values', values, is.numbers());
  let s = 0, n = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v > 0 && Number.isFinite(v)) { s += Math.log(v); n++; }
  }
  return n === 0 ? NaN : Math.exp(s / n);
}
