// Vanishing/exploding analysis of one per-time-step gradient norm series g_t = ‖dL/dh_t‖, t = 1..T, with the
// loss at the end of the sequence (t = T is closest to the loss). Formulas and thresholds: docs/diagnostics.md.
//   ratio = g_1 / g_T
//   fit   ln g_t ≈ a + k·ln(rate),  k = T − t (steps back from the loss), least squares over g_t > 0 finite
//   rate  = factor per step back in time (< 1 shrinks, > 1 grows); per10 = rate^10
import { DataValueError } from '../errors.js';
import { formatNumber } from './format.js';
import { fitLine } from './stats.js';
import { checkArgument } from '../options/schema.js';
import * as is from '../options/specs.js';

/** The diagnosis of one gradient-norm series. */
export type Verdict = 'vanishing' | 'exploding' | 'healthy';

/** Verdict thresholds (see docs/diagnostics.md for the reasoning behind the defaults). */
export interface Thresholds {
  /** vanishing when g_1/g_T < this (default 1e-3: three decades lost across the sequence). */
  vanishingRatio: number;
  /** exploding when g_1/g_T > this (default 1e3). */
  explodingRatio: number;
  /** vanishing when the fitted rate per step back < this (default 0.9: 10× lost every 22 steps)... */
  vanishingRate: number;
  /** ...exploding when it is > this (default 1/0.9 ≈ 1.111: 10× gained every 22 steps)... */
  explodingRate: number;
  /** ...provided the fit spans at least this many steps (default 10)... */
  minSpan: number;
  /** ...and explains at least this share of the variance of ln g (R², default 0.5). */
  minR2: number;
}

/** The default verdict thresholds (docs/diagnostics.md explains each). */
export const DEFAULT_THRESHOLDS: Readonly<Thresholds> = Object.freeze({
  vanishingRatio: 1e-3,
  explodingRatio: 1e3,
  vanishingRate: 0.9,
  explodingRate: 1 / 0.9,
  minSpan: 10,
  minR2: 0.5,
});

/** A fitted per-step growth or decay rate of the gradient norm back through time. */
export interface RateFit {
  /** Fitted factor per step back in time: g_{t−1} ≈ rate·g_t. NaN with fewer than 2 usable points. */
  rate: number;
  /** rate^10: the factor over 10 steps back. */
  per10: number;
  /** Steps back over which the gradient changes 10× (ln 10 / |ln rate|); Infinity when rate = 1. */
  stepsPerDecade: number;
  /** ln g at k = 0 (at t = T) on the fitted line. */
  intercept: number;
  /** R² of the fit on ln g (1 for an exact geometric series). */
  r2: number;
  /** Usable points (g_t > 0 and finite). */
  points: number;
  /** Steps between the first and last usable point (the distance the fit extrapolates over). */
  span: number;
}

/** The analysis of one ‖dL/dh_t‖ series: end points, ratio, fitted rate and verdict. */
export interface SeriesAnalysis {
  T: number;
  /** g_1 = ‖dL/dh_1‖ (farthest from the loss) and g_T = ‖dL/dh_T‖ (closest). */
  first: number;
  last: number;
  /** g_1 / g_T; NaN when g_T is 0 or either end is not finite. */
  ratio: number;
  fit: RateFit;
  /** Smallest and largest usable value with their time steps (1-based); NaN/0 when none is usable. */
  min: number;
  minAt: number;
  max: number;
  maxAt: number;
  /** Values left out of the fit: zeros (and negatives) and NaN/±Inf, with the first time step of each. */
  skipped: { nonPositive: number; nonFinite: number; firstNonPositiveAt: number; firstNonFiniteAt: number };
  verdict: Verdict;
  /** Why, with the numbers: one line per criterion that fired (or the healthy ranges when none did). */
  reasons: string[];
}

/**
 * Per-time-step norms from the backward kernels' `hnorm2 (T)` output (‖dL/dh_t‖² summed over B and H, indexed
 * by time): square roots, ordered so that the LAST element is the step closest to the loss. A forward layer
 * whose loss sits at the end needs no reordering; a `reverse` (go_backwards) layer ends its sweep at time 0,
 * so its order is flipped.
 */
export function stepNorms(hnorm2: ArrayLike<number>, reverse = false): Float64Array {
  checkArgument('stepNorms', 'hnorm2', hnorm2, is.custom('an array of squared norms (numbers ≥ 0)', (v) => is.numbers().test(v) && !Array.prototype.some.call(v, (x: number) => x < 0)));
  checkArgument('stepNorms', 'reverse', reverse, is.boolean());
  const T = hnorm2.length;
  const out = new Float64Array(T);
  for (let t = 0; t < T; t++) out[reverse ? T - 1 - t : t] = Math.sqrt(hnorm2[t]);
  return out;
}

/** Analyse one series g_1..g_T (element T−1 closest to the loss). Throws DataValueError when it is empty. */
export function analyzeSeries(g: ArrayLike<number>, thresholds: Partial<Thresholds> = {}): SeriesAnalysis {
  checkArgument('analyzeSeries', 'g', g, is.numbers());
  checkArgument('analyzeSeries', 'thresholds', thresholds, is.object());
  const T = g.length;
  if (T === 0) throw new DataValueError('analyzeSeries: the gradient norm series is empty (T = 0)');
  const th: Thresholds = { ...DEFAULT_THRESHOLDS, ...thresholds };

  const ks: number[] = [], lns: number[] = [];
  let nonPositive = 0, nonFinite = 0, firstNonPositiveAt = 0, firstNonFiniteAt = 0;
  let min = NaN, max = NaN, minAt = 0, maxAt = 0;
  for (let i = 0; i < T; i++) {
    const v = g[i];
    if (!Number.isFinite(v)) {
      if (nonFinite++ === 0) firstNonFiniteAt = i + 1;
    } else if (v <= 0) {
      if (nonPositive++ === 0) firstNonPositiveAt = i + 1;
    } else {
      ks.push(T - 1 - i);
      lns.push(Math.log(v));
      if (!(v >= min)) { min = v; minAt = i + 1; }
      if (!(v <= max)) { max = v; maxAt = i + 1; }
    }
  }

  const line = fitLine(ks, lns);
  const rate = Math.exp(line.slope);
  const span = ks.length > 0 ? ks[0] - ks[ks.length - 1] : 0;
  const fit: RateFit = {
    rate,
    per10: Math.exp(10 * line.slope),
    stepsPerDecade: Number.isNaN(line.slope) ? NaN : Math.LN10 / Math.abs(line.slope),
    intercept: line.intercept,
    r2: line.r2,
    points: ks.length,
    span,
  };

  const first = g[0], last = g[T - 1];
  const ratio = Number.isFinite(first) && Number.isFinite(last) && last > 0 ? first / last : NaN;

  const { verdict, reasons } = decide({ T, first, last, ratio, fit, nonPositive, nonFinite, firstNonFiniteAt }, th);
  return {
    T, first, last, ratio, fit, min, minAt, max, maxAt,
    skipped: { nonPositive, nonFinite, firstNonPositiveAt, firstNonFiniteAt },
    verdict, reasons,
  };
}

interface Evidence {
  T: number;
  first: number;
  last: number;
  ratio: number;
  fit: RateFit;
  nonPositive: number;
  nonFinite: number;
  firstNonFiniteAt: number;
}

const f = (x: number) => formatNumber(x, 3);

/**
 * The verdict rules, in order: non-finite values → exploding; no positive value → vanishing; then the ratio
 * criterion and the rate criterion each vote; when they disagree, the ratio (a direct measurement) wins.
 */
function decide(e: Evidence, th: Thresholds): { verdict: Verdict; reasons: string[] } {
  if (e.nonFinite > 0) {
    return {
      verdict: 'exploding',
      reasons: [`${e.nonFinite} of ${e.T} values are NaN/Inf (first at t = ${e.firstNonFiniteAt}): the backward pass overflowed`],
    };
  }
  if (e.fit.points === 0) {
    return { verdict: 'vanishing', reasons: [`all ${e.T} values are 0: no gradient reaches any time step`] };
  }
  const byRatio: Verdict | null = Number.isNaN(e.ratio) ? null
    : e.ratio < th.vanishingRatio ? 'vanishing' : e.ratio > th.explodingRatio ? 'exploding' : null;
  const rateUsable = e.fit.span >= th.minSpan && e.fit.r2 >= th.minR2;
  const byRate: Verdict | null = !rateUsable ? null
    : e.fit.rate < th.vanishingRate ? 'vanishing' : e.fit.rate > th.explodingRate ? 'exploding' : null;

  const ratioText = `‖dL/dh_1‖/‖dL/dh_T‖ = ${f(e.ratio)} over T = ${e.T} steps`;
  const rateText = `fitted factor per step back = ${f(e.fit.rate)} (×${f(e.fit.per10)} per 10 steps, R² = ${f(e.fit.r2)}, `
    + `over ${e.fit.span} steps)`;
  const reasons: string[] = [];
  if (byRatio === 'vanishing') reasons.push(`${ratioText} < ${f(th.vanishingRatio)}`);
  if (byRatio === 'exploding') reasons.push(`${ratioText} > ${f(th.explodingRatio)}`);
  if (byRate === 'vanishing') reasons.push(`${rateText} < ${f(th.vanishingRate)}`);
  if (byRate === 'exploding') reasons.push(`${rateText} > ${f(th.explodingRate)}`);
  if (e.nonPositive > 0) reasons.push(`${e.nonPositive} of ${e.T} values are 0 (left out of the fit)`);
  if (byRatio === null && byRate === null) {
    const parts: string[] = [];
    parts.push(Number.isNaN(e.ratio)
      ? `ratio undefined (‖dL/dh_T‖ = ${f(e.last)})`
      : `${ratioText} within [${f(th.vanishingRatio)}, ${f(th.explodingRatio)}]`);
    if (rateUsable) parts.push(`${rateText} within [${f(th.vanishingRate)}, ${f(th.explodingRate)}]`);
    else if (e.fit.points >= 2) {
      parts.push(`${rateText} not used (needs span >= ${th.minSpan} and R² >= ${f(th.minR2)})`);
    }
    reasons.unshift(...parts);
    return { verdict: 'healthy', reasons };
  }
  return { verdict: byRatio ?? (byRate as Verdict), reasons };
}
