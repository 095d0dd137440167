// Multi-class evaluation: confusion matrix, per-class precision / recall / F1 and their macro and weighted
// averages, as scikit-learn's confusion_matrix and classification_report define them:
// https://scikit-learn.org/stable/modules/generated/sklearn.metrics.classification_report.html
//   confusion[t][p] = (weighted) count of samples of true class t predicted as p   (K, K), rows = truth
//   precision_k = C[k][k] / Σ_t C[t][k]   recall_k = C[k][k] / Σ_p C[k][p]   F1 = 2PR / (P + R)
//   a 0/0 ratio is 0 (sklearn's zero_division=0); macro = plain mean over classes; weighted = mean weighted by
//   support (the true count of each class). With sample weights every count is a sum of weights.
import { DataValueError } from './errors.js';
import { checkArgument, describeValue, validateOptions } from './options/schema.js';
import * as is from './options/specs.js';

/** Precision, recall, F1 and support (true samples) of one class. */
export interface ClassScores {
  label: string | number;
  precision: number;
  recall: number;
  f1: number;
  support: number;
}

/** Averages over the classes. */
export interface AverageScores {
  precision: number;
  recall: number;
  f1: number;
}

/** Everything classificationReport computes. */
export interface ClassificationReport {
  /** Class labels, id order. */
  classes: Array<string | number>;
  /** (K, K) rows = true class, columns = predicted class. */
  confusion: number[][];
  perClass: ClassScores[];
  accuracy: number;
  macro: AverageScores;
  weighted: AverageScores;
  /** Total weight (sample count when unweighted). */
  support: number;
}

/** The predicted class of each row of a (N, K) score matrix (first maximum wins; K = 1: threshold 0.5). */
export function argmaxRows(scores: ArrayLike<number>, K: number): Int32Array {
  checkArgument('argmaxRows', 'scores', scores, is.numbers());
  if (!Number.isInteger(K) || K < 1 || scores.length % K !== 0) throw new DataValueError(`argmaxRows: ${scores.length} scores do not form rows of K = ${K}`);
  const N = scores.length / K, out = new Int32Array(N);
  for (let r = 0; r < N; r++) {
    if (K === 1) { out[r] = scores[r] >= 0.5 ? 1 : 0; continue; }
    let best = 0;
    for (let c = 1; c < K; c++) if (scores[r * K + c] > scores[r * K + best]) best = c;
    out[r] = best;
  }
  return out;
}

/** The (K, K) confusion matrix, rows = true class, columns = predicted; optional non-negative sample weights. */
export function confusionMatrix(yTrue: ArrayLike<number>, yPred: ArrayLike<number>, K: number, sampleWeight?: ArrayLike<number> | null): number[][] {
  checkArgument('confusionMatrix', 'yTrue', yTrue, is.numbers());
  checkArgument('confusionMatrix', 'yPred', yPred, is.numbers());
  checkArgument('confusionMatrix', 'sampleWeight', sampleWeight, is.optional(is.nullable(is.numbers())));
  if (!Number.isInteger(K) || K < 2) throw new DataValueError(`confusionMatrix: K must be an integer >= 2, got ${describeValue(K)}`);
  if (yTrue.length !== yPred.length) throw new DataValueError(`confusionMatrix: ${yTrue.length} true labels but ${yPred.length} predictions`);
  if (sampleWeight && sampleWeight.length !== yTrue.length) throw new DataValueError(`confusionMatrix: ${yTrue.length} labels but ${sampleWeight.length} sample weights`);
  const C = Array.from({ length: K }, () => new Array<number>(K).fill(0));
  for (let i = 0; i < yTrue.length; i++) {
    const t = yTrue[i], p = yPred[i];
    if (!Number.isInteger(t) || t < 0 || t >= K) throw new DataValueError(`confusionMatrix: yTrue[${i}] = ${t} is not a class id in [0, ${K})`);
    if (!Number.isInteger(p) || p < 0 || p >= K) throw new DataValueError(`confusionMatrix: yPred[${i}] = ${p} is not a class id in [0, ${K})`);
    const w = sampleWeight ? sampleWeight[i] : 1;
    if (!(w >= 0) || !Number.isFinite(w)) throw new DataValueError(`confusionMatrix: sampleWeight[${i}] = ${w} must be finite and >= 0`);
    C[t][p] += w;
  }
  return C;
}

const ratio = (a: number, b: number): number => (b > 0 ? a / b : 0);

/** Per-class and averaged scores from true and predicted class ids (see the file comment for definitions). */
export function classificationReport(
  yTrue: ArrayLike<number>, yPred: ArrayLike<number>,
  options: { classes?: ReadonlyArray<string | number>; K?: number; sampleWeight?: ArrayLike<number> | null } = {},
): ClassificationReport {
  validateOptions('classificationReport', options, { classes: is.arrayOf(is.anyOf([is.string(), is.number()]), {}, 'an array of class names (strings or numbers)'), K: is.integer({ min: 2 }), sampleWeight: is.nullable(is.numbers()) });
  const K = options.classes?.length ?? options.K;
  if (K === undefined) throw new DataValueError('classificationReport: give classes or K');
  const classes = options.classes ? options.classes.slice() : Array.from({ length: K }, (_, i) => i);
  const C = confusionMatrix(yTrue, yPred, K, options.sampleWeight);
  const perClass: ClassScores[] = [];
  let total = 0, hits = 0;
  for (let k = 0; k < K; k++) {
    let predicted = 0, support = 0;
    for (let j = 0; j < K; j++) { predicted += C[j][k]; support += C[k][j]; }
    const precision = ratio(C[k][k], predicted), recall = ratio(C[k][k], support);
    perClass.push({ label: classes[k], precision, recall, f1: ratio(2 * precision * recall, precision + recall), support });
    total += support;
    hits += C[k][k];
  }
  const mean = (key: keyof AverageScores, weighted: boolean): number => {
    let s = 0;
    for (const c of perClass) s += c[key] * (weighted ? c.support : 1);
    return weighted ? ratio(s, total) : s / K;
  };
  const avg = (weighted: boolean): AverageScores => ({ precision: mean('precision', weighted), recall: mean('recall', weighted), f1: mean('f1', weighted) });
  return { classes, confusion: C, perClass, accuracy: ratio(hits, total), macro: avg(false), weighted: avg(true), support: total };
}

const fmtCount = (v: number): string => (Number.isInteger(v) ? String(v) : v.toFixed(2));

/** The report as text: per-class table, averages, then the confusion matrix (rows true, columns predicted). */
export function formatClassificationReport(r: ClassificationReport): string {
  checkArgument('formatClassificationReport', 'r', r, is.custom('a classificationReport result', (v) => Array.isArray((v as ClassificationReport | null)?.classes) && Array.isArray((v as ClassificationReport).perClass) && Array.isArray((v as ClassificationReport).confusion)));
  const names = r.classes.map(String);
  const w = Math.max(12, ...names.map((n) => n.length));
  const row = (name: string, p: string, rc: string, f: string, s: string) => `${name.padStart(w)}  ${p.padStart(9)}  ${rc.padStart(9)}  ${f.padStart(9)}  ${s.padStart(9)}`;
  const lines = [row('', 'precision', 'recall', 'f1-score', 'support'), ''];
  for (const c of r.perClass) lines.push(row(String(c.label), c.precision.toFixed(4), c.recall.toFixed(4), c.f1.toFixed(4), fmtCount(c.support)));
  lines.push('', row('accuracy', '', '', r.accuracy.toFixed(4), fmtCount(r.support)));
  lines.push(row('macro avg', r.macro.precision.toFixed(4), r.macro.recall.toFixed(4), r.macro.f1.toFixed(4), fmtCount(r.support)));
  lines.push(row('weighted avg', r.weighted.precision.toFixed(4), r.weighted.recall.toFixed(4), r.weighted.f1.toFixed(4), fmtCount(r.support)));
  const cw = Math.max(6, ...names.map((n) => n.length), ...r.confusion.flat().map((v) => fmtCount(v).length));
  lines.push('', `confusion matrix (rows: true class, columns: predicted class)`);
  lines.push(`${''.padStart(w)}  ${names.map((n) => n.padStart(cw)).join('  ')}`);
  r.confusion.forEach((cells, t) => lines.push(`${names[t].padStart(w)}  ${cells.map((v) => fmtCount(v).padStart(cw)).join('  ')}`));
  return lines.join('\n');
}
