// The teaching material's one-neuron linear RNN, in f64:  h_t = w·h_{t−1} + x_t,  t = 1..T,  loss L = y = h_T.
// With h_0 = 1 and zero input over T = 1000 steps: y = w^T, so w = 1 → 1, 1.01 → 20959.16, 0.99 → 4.317e-5,
// 0.01 → 0 (1e-2000 underflows f64).
// Backprop through time: dL/dh_T = 1, dL/dh_{t−1} = w·dL/dh_t (so ‖dL/dh_t‖ = |w|^(T−t)),
// dL/dw = Σ_t dL/dh_t·h_{t−1}; closed form T·w^(T−1)·h_0 + Σ_t (T−t)·w^(T−t−1)·x_t.
import { DataValueError } from '../errors.js';
import { analyzeSeries, type SeriesAnalysis } from './analysis.js';
import { formatNumber } from './format.js';
import { checkArgument } from '../options/schema.js';
import * as is from '../options/specs.js';

/** The weights of the teaching material's experiment. */
export const TEACHING_WEIGHTS: readonly number[] = Object.freeze([1, 1.01, 0.99, 0.01]);

/** Options of the one-neuron linear RNN h_t = w·h_{t−1}. */
export interface LinearRnnOptions {
  /** Time steps (default 1000). */
  T?: number;
  /** Initial state (default 1). */
  h0?: number;
  /** Inputs x_1..x_T (default all 0). */
  x?: ArrayLike<number>;
}

/** The one-neuron linear RNN's output and gradient for one w. */
export interface LinearRnnResult {
  w: number;
  T: number;
  h0: number;
  /** y = h_T from running the recurrence. */
  y: number;
  /** y from the closed form w^T·h_0 + Σ w^(T−t)·x_t. */
  yClosedForm: number;
  /** dL/dw from explicit backprop through time. */
  dLdw: number;
  /** dL/dw from the closed form. */
  dLdwClosedForm: number;
  /** |dL/dw − closed form| / max(|closed form|, tiny): agreement of the two (0 when both are 0). */
  dLdwRelDiff: number;
  /** ‖dL/dh_t‖ for t = 1..T from BPTT (element T−1 is dL/dh_T = 1). */
  gradNorms: Float64Array;
  /** dL/dh_0 = w^T (the gradient that reaches the initial state). */
  dLdh0: number;
  /** The vanishing/exploding analysis of gradNorms. */
  analysis: SeriesAnalysis;
}

/** Run the recurrence forward and backward for one weight w. */
export function linearRnn(w: number, opts: LinearRnnOptions = {}): LinearRnnResult {
  checkArgument('linearRnn', 'w', w, is.custom('a number', (v) => typeof v === 'number')); // NaN/Inf: the DataValueError below
  checkArgument('linearRnn', 'opts', opts, is.object());
  const T = opts.T ?? 1000;
  const h0 = opts.h0 ?? 1;
  if (!(Number.isInteger(T) && T >= 1)) throw new DataValueError(`linearRnn: T = ${T} must be an integer >= 1`);
  if (!Number.isFinite(w) || !Number.isFinite(h0)) throw new DataValueError(`linearRnn: w = ${w} and h0 = ${h0} must be finite`);
  const x = opts.x;
  if (x && x.length !== T) throw new DataValueError(`linearRnn: x has ${x.length} steps, expected T = ${T}`);
  const xt = (t: number) => (x ? x[t - 1] : 0);

  // forward: h[0..T]
  const h = new Float64Array(T + 1);
  h[0] = h0;
  for (let t = 1; t <= T; t++) h[t] = w * h[t - 1] + xt(t);
  const y = h[T];

  // backward through time
  const gradNorms = new Float64Array(T);
  let dh = 1; // dL/dh_T
  let dLdw = 0;
  for (let t = T; t >= 1; t--) {
    gradNorms[t - 1] = Math.abs(dh);
    dLdw += dh * h[t - 1]; // ∂h_t/∂w = h_{t−1}
    dh *= w; // dL/dh_{t−1}
  }
  const dLdh0 = dh;

  // closed forms
  let yClosedForm = Math.pow(w, T) * h0;
  let dLdwClosedForm = T * Math.pow(w, T - 1) * h0;
  if (x) {
    for (let t = 1; t <= T; t++) {
      yClosedForm += Math.pow(w, T - t) * x[t - 1];
      if (t < T) dLdwClosedForm += (T - t) * Math.pow(w, T - t - 1) * x[t - 1];
    }
  }
  const scale = Math.max(Math.abs(dLdwClosedForm), Number.MIN_VALUE);
  const dLdwRelDiff = dLdw === dLdwClosedForm ? 0 : Math.abs(dLdw - dLdwClosedForm) / scale;

  return {
    w, T, h0, y, yClosedForm, dLdw, dLdwClosedForm, dLdwRelDiff, gradNorms, dLdh0,
    analysis: analyzeSeries(gradNorms),
  };
}

/** The experiment for several weights (default: the teaching material's 1, 1.01, 0.99, 0.01). */
export function linearRnnTable(ws: readonly number[] = TEACHING_WEIGHTS, opts: LinearRnnOptions = {}): LinearRnnResult[] {
  checkArgument('linearRnnTable', 'ws', ws, is.numbers());
  checkArgument('linearRnnTable', 'opts', opts, is.object());
  return ws.map((w) => linearRnn(w, opts));
}

/** The table as Markdown: one row per w with y, dL/dw (BPTT and closed form), ‖dL/dh_1‖ and the verdict. */
export function linearRnnMarkdown(rows: readonly LinearRnnResult[]): string {
  checkArgument('linearRnnMarkdown', 'rows', rows, is.arrayOf(is.custom('a linearRnn result', (v) => typeof (v as LinearRnnResult | null)?.analysis === 'object'), {}, 'an array of linearRnn results'));
  const f = (v: number) => formatNumber(v, 5);
  const lines = [
    '| w | T | y = h_T | w^T·h_0 | dL/dw (BPTT) | T·w^(T−1)·h_0 | ‖dL/dh_1‖ | verdict |',
    '|---:|---:|---:|---:|---:|---:|---:|---|',
  ];
  for (const r of rows) {
    lines.push(`| ${r.w} | ${r.T} | ${f(r.y)} | ${f(r.yClosedForm)} | ${f(r.dLdw)} | ${f(r.dLdwClosedForm)} | `
      + `${f(r.gradNorms[0])} | ${r.analysis.verdict} |`);
  }
  return lines.join('\n');
}
