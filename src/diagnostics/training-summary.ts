// Aggregation of per-time-step gradient norms over training: a (steps × T) matrix, one row per recorded training
// step, each row g_1..g_T (last element closest to the loss). Per-row analyses, the trend of the ratio
// ‖dL/dh_1‖/‖dL/dh_T‖ over training (least squares of log10 ratio on the step number), verdict counts, and the
// geometric-mean profile over training (the one line to draw per layer).
import { DataValueError } from '../errors.js';
import { analyzeSeries, type SeriesAnalysis, type Thresholds, type Verdict } from './analysis.js';
import { fitLine, geometricMean } from './stats.js';
import { checkArgument } from '../options/schema.js';
import * as is from '../options/specs.js';

/** The fitted trend of log10(g_1/g_T) over training steps. */
export interface RatioTrend {
  /** Fitted change of log10(ratio) per training step (NaN with fewer than 2 usable steps). */
  log10PerStep: number;
  /** The factor the ratio changes by over 100 training steps on the fitted line: 10^(100·log10PerStep). */
  factorPer100Steps: number;
  r2: number;
  /** Ratios of the first and last rows, and the median over rows with a finite positive ratio. */
  first: number;
  last: number;
  median: number;
  /** Rows with a finite positive ratio (the ones fitted). */
  points: number;
}

/** How the gradient ratio g_1/g_T evolved over training (summarizeTraining()). */
export interface TrainingSummary {
  /** Recorded rows and time steps per row. */
  steps: number;
  T: number;
  /** Training step number of each row (default 1..steps). */
  stepNumbers: number[];
  perStep: SeriesAnalysis[];
  /** ratio of each row (NaN where undefined). */
  ratios: Float64Array;
  ratioTrend: RatioTrend;
  verdictCounts: Record<Verdict, number>;
  /**
   * Per time step t: geometric mean over rows of the positive finite g_t (the typical behaviour); 0 where no
   * row has a positive finite g_t but some row has 0; NaN where every row is NaN/Inf. Rows with NaN/Inf are
   * counted in `nonFiniteRows` and show in `verdictCounts.exploding`.
   */
  profile: Float64Array;
  /** analyzeSeries(profile): the typical behaviour over the whole run. */
  overall: SeriesAnalysis;
  /** Rows that contain at least one NaN/Inf. */
  nonFiniteRows: number;
}

/** Options of summarizeTraining(). */
export interface SummaryOptions {
  /** Training step number of each row (same length as rows); default 1..rows.length. */
  stepNumbers?: ArrayLike<number>;
  thresholds?: Partial<Thresholds>;
}

/** Summarise a (steps × T) matrix given as rows. Rows must all have the same length T >= 1. */
export function summarizeTraining(rows: readonly ArrayLike<number>[], opts: SummaryOptions = {}): TrainingSummary {
  checkArgument('summarizeTraining', 'rows', rows, is.arrayOf(is.numbers(), {}, 'an array of number arrays (one per step)'));
  checkArgument('summarizeTraining', 'opts', opts, is.object());
  const steps = rows.length;
  if (steps === 0) throw new DataValueError('summarizeTraining: no rows (need at least one recorded training step)');
  const T = rows[0].length;
  rows.forEach((r, i) => {
    if (r.length !== T) throw new DataValueError(`summarizeTraining: row ${i} has length ${r.length}, row 0 has T = ${T}`);
  });
  if (T === 0) throw new DataValueError('summarizeTraining: rows are empty (T = 0)');
  const stepNumbers = opts.stepNumbers ? Array.from(opts.stepNumbers) : rows.map((_, i) => i + 1);
  if (stepNumbers.length !== steps) {
    throw new DataValueError(`summarizeTraining: stepNumbers has ${stepNumbers.length} entries for ${steps} rows`);
  }

  const perStep = rows.map((r) => analyzeSeries(r, opts.thresholds));
  const ratios = Float64Array.from(perStep, (a) => a.ratio);
  const verdictCounts: Record<Verdict, number> = { vanishing: 0, exploding: 0, healthy: 0 };
  for (const a of perStep) verdictCounts[a.verdict]++;

  const xs: number[] = [], ys: number[] = [], usable: number[] = [];
  ratios.forEach((r, i) => {
    if (r > 0 && Number.isFinite(r)) { xs.push(stepNumbers[i]); ys.push(Math.log10(r)); usable.push(r); }
  });
  const line = fitLine(xs, ys);
  usable.sort((p, q) => p - q);
  const mid = usable.length >> 1;
  const median = usable.length === 0 ? NaN : usable.length % 2 ? usable[mid] : (usable[mid - 1] + usable[mid]) / 2;
  const ratioTrend: RatioTrend = {
    log10PerStep: line.slope,
    factorPer100Steps: 10 ** (100 * line.slope),
    r2: line.r2,
    first: ratios[0],
    last: ratios[steps - 1],
    median,
    points: xs.length,
  };

  const profile = new Float64Array(T);
  const column = new Float64Array(steps);
  for (let t = 0; t < T; t++) {
    let finite = false, positive = false;
    for (let s = 0; s < steps; s++) {
      const v = rows[s][t];
      column[s] = v;
      if (Number.isFinite(v)) {
        finite = true;
        if (v > 0) positive = true;
      }
    }
    profile[t] = positive ? geometricMean(column) : finite ? 0 : NaN;
  }
  const overall = analyzeSeries(profile, opts.thresholds);
  const nonFiniteRows = perStep.filter((a) => a.skipped.nonFinite > 0).length;
  return { steps, T, stepNumbers, perStep, ratios, ratioTrend, verdictCounts, profile, overall, nonFiniteRows };
}
