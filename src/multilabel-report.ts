// Multi-label evaluation, as scikit-learn's classification_report, multilabel_confusion_matrix,
// hamming_loss and accuracy_score define them for (N, K) 0/1 targets and (N, K) probabilities:
//   a label is predicted when p > threshold (default 0.5, as Keras' binary_accuracy and F1Score decide)
//   per label k: tp, fp, fn, tn;  precision = tp/(tp+fp), recall = tp/(tp+fn), F1 = 2PR/(P+R), support = tp+fn
//   micro: P, R, F1 from the counts pooled over labels; macro: plain mean over labels; weighted: mean weighted
//   by support; subsetAccuracy: share of samples with every label right (exact match); hammingLoss: share of
//   wrong decisions among N·K. A 0/0 ratio is 0 (zero_division = 0). Sample weights multiply every count.
import type { AverageScores } from './classification-report.js';
import { DataValueError } from './errors.js';
import { anyOf, arrayOf, checkArgument, custom, nullable, number, numbers, positiveInt, string, validateOptions } from './options/schema.js';

/** Scores and the 2×2 counts of one label. */
export interface LabelScores {
  label: string | number;
  precision: number;
  recall: number;
  f1: number;
  /** Samples (weight) carrying the label. */
  support: number;
  tp: number;
  fp: number;
  fn: number;
  tn: number;
}

/** Everything multiLabelReport computes. */
export interface MultiLabelReport {
  /** Labels, column order. */
  classes: Array<string | number>;
  perLabel: LabelScores[];
  micro: AverageScores;
  macro: AverageScores;
  weighted: AverageScores;
  /** Share of samples whose K decisions are all right. */
  subsetAccuracy: number;
  /** Share of wrong decisions (= 1 − Keras binary accuracy). */
  hammingLoss: number;
  /** Mean number of true labels per sample (label cardinality). */
  labelCardinality: number;
  /** Total sample weight (N when unweighted). */
  samples: number;
  threshold: number;
}

const ratio = (a: number, b: number): number => (b > 0 ? a / b : 0);

/** Per-label and averaged scores of (N, K) probabilities against (N, K) 0/1 targets (see the file comment). */
export function multiLabelReport(
  yTrue: ArrayLike<number>, scores: ArrayLike<number>,
  options: { classes?: ReadonlyArray<string | number>; K?: number; threshold?: number; sampleWeight?: ArrayLike<number> | null } = {},
): MultiLabelReport {
  // issue 16: every argument checked before use (null options are an OptionError, like everywhere)
  checkArgument('multiLabelReport', 'yTrue', yTrue, numbers());
  checkArgument('multiLabelReport', 'scores', scores, numbers());
  validateOptions('multiLabelReport', options, {
    classes: arrayOf(anyOf([string(), number()]), { min: 1 }, 'an array of label names'), K: positiveInt(), threshold: number(),
    sampleWeight: nullable(numbers()),
  });
  const K = options.classes?.length ?? options.K;
  if (K === undefined || !Number.isInteger(K) || K < 1) throw new DataValueError(`multiLabelReport: give classes or K >= 1, got ${K}`);
  if (yTrue.length !== scores.length) throw new DataValueError(`multiLabelReport: ${yTrue.length} targets but ${scores.length} scores`);
  if (yTrue.length % K !== 0) throw new DataValueError(`multiLabelReport: ${yTrue.length} targets are not rows of K = ${K}`);
  const N = yTrue.length / K, threshold = options.threshold ?? 0.5, w = options.sampleWeight ?? null;
  if (w && w.length !== N) throw new DataValueError(`multiLabelReport: ${N} samples but ${w.length} sample weights`);
  const tp = new Float64Array(K), fp = new Float64Array(K), fn = new Float64Array(K), tn = new Float64Array(K);
  let exact = 0, wrong = 0, total = 0, labels = 0;
  for (let r = 0; r < N; r++) {
    const wr = w ? w[r] : 1;
    if (!(wr >= 0) || !Number.isFinite(wr)) throw new DataValueError(`multiLabelReport: sampleWeight[${r}] = ${wr} must be finite and >= 0`);
    let rowWrong = 0;
    for (let c = 0; c < K; c++) {
      const t = yTrue[r * K + c], s = scores[r * K + c];
      if (t !== 0 && t !== 1) throw new DataValueError(`multiLabelReport: yTrue[${r}][${c}] = ${t} must be 0 or 1`);
      if (Number.isNaN(s)) throw new DataValueError(`multiLabelReport: scores[${r}][${c}] is NaN`);
      const p = s > threshold;
      if (p && t) tp[c] += wr; else if (p) { fp[c] += wr; rowWrong++; } else if (t) { fn[c] += wr; rowWrong++; } else tn[c] += wr;
      labels += t * wr;
    }
    if (rowWrong === 0) exact += wr;
    wrong += rowWrong * wr;
    total += wr;
  }
  const classes = options.classes ? options.classes.slice() : Array.from({ length: K }, (_, i) => i);
  const perLabel: LabelScores[] = classes.map((label, k) => {
    const precision = ratio(tp[k], tp[k] + fp[k]), recall = ratio(tp[k], tp[k] + fn[k]);
    return { label, precision, recall, f1: ratio(2 * precision * recall, precision + recall), support: tp[k] + fn[k], tp: tp[k], fp: fp[k], fn: fn[k], tn: tn[k] };
  });
  const sum = (a: Float64Array) => a.reduce((x, y) => x + y, 0);
  const P = ratio(sum(tp), sum(tp) + sum(fp)), R = ratio(sum(tp), sum(tp) + sum(fn));
  const support = perLabel.reduce((s, l) => s + l.support, 0);
  const mean = (key: keyof AverageScores, weighted: boolean) => {
    let s = 0;
    for (const l of perLabel) s += l[key] * (weighted ? l.support : 1);
    return weighted ? ratio(s, support) : s / K;
  };
  const avg = (weighted: boolean): AverageScores => ({ precision: mean('precision', weighted), recall: mean('recall', weighted), f1: mean('f1', weighted) });
  return {
    classes, perLabel, micro: { precision: P, recall: R, f1: ratio(2 * P * R, P + R) }, macro: avg(false), weighted: avg(true),
    subsetAccuracy: ratio(exact, total), hammingLoss: ratio(wrong, total * K), labelCardinality: ratio(labels, total), samples: total, threshold,
  };
}

const fmtCount = (v: number): string => (Number.isInteger(v) ? String(v) : v.toFixed(2));

/** The report as text: per-label table with tp/fp/fn, the averages, subset accuracy and Hamming loss. */
export function formatMultiLabelReport(r: MultiLabelReport): string {
  checkArgument('formatMultiLabelReport', 'r', r, custom('a multiLabelReport result', (v) => Array.isArray((v as MultiLabelReport | null)?.classes) && Array.isArray((v as MultiLabelReport).perLabel)));
  const w = Math.max(12, ...r.classes.map((c) => String(c).length));
  const row = (cells: string[]) => `${cells[0].padStart(w)}  ${cells.slice(1).map((c) => c.padStart(9)).join('  ')}`;
  const lines = [row(['', 'precision', 'recall', 'f1-score', 'support', 'tp', 'fp', 'fn']), ''];
  for (const l of r.perLabel) lines.push(row([String(l.label), l.precision.toFixed(4), l.recall.toFixed(4), l.f1.toFixed(4), fmtCount(l.support), fmtCount(l.tp), fmtCount(l.fp), fmtCount(l.fn)]));
  const support = fmtCount(r.perLabel.reduce((s, l) => s + l.support, 0));
  lines.push('');
  for (const [name, a] of [['micro avg', r.micro], ['macro avg', r.macro], ['weighted avg', r.weighted]] as const) lines.push(row([name, a.precision.toFixed(4), a.recall.toFixed(4), a.f1.toFixed(4), support]));
  lines.push('', `subset accuracy (all labels right) ${r.subsetAccuracy.toFixed(4)}, Hamming loss ${r.hammingLoss.toFixed(4)} over ${fmtCount(r.samples)} samples; ` +
    `${r.labelCardinality.toFixed(2)} labels per sample; threshold ${r.threshold}`);
  return lines.join('\n');
}
