// Multi-label metrics over one epoch, for a sigmoid output of K labels trained with binary cross-entropy
// (targets (rows, K) of 0/1). A label is predicted when its probability is > 0.5 (logit > 0), as Keras'
// binary_accuracy and F1Score(threshold=0.5) decide. Every count is a sum of row weights (masked steps and
// sample weights, as the other metrics). Definitions (scikit-learn's, zero_division = 0):
//   f1Micro        2·Σtp / (2·Σtp + Σfp + Σfn), counts pooled over all labels   (Keras F1Score(average='micro'))
//   f1Macro        mean over the K labels of 2·tp_k / (2·tp_k + fp_k + fn_k)     (Keras F1Score(average='macro'))
//   subsetAccuracy share of rows whose K decisions are all right (exact match; sklearn accuracy_score)
//   hammingLoss    share of wrong decisions among rows·K (= 1 − binaryAccuracy; sklearn hamming_loss)
import { ConfigError } from './errors.js';
import type { LossName } from './losses.js';
import type { Metric, MetricBatch } from './metric-types.js';

/** Names (camelCase; snake_case also accepted) of the multi-label metrics. */
export const MULTI_LABEL_METRICS = ['f1Micro', 'f1Macro', 'subsetAccuracy', 'hammingLoss'] as const;

const predicted = (b: MetricBatch, i: number) => (b.logits ? b.scores[i] > 0 : b.scores[i] > 0.5);

/** Per-label weighted tp/fp/fn counts, grown to the output width on the first batch. */
class LabelCounts {
  tp = new Float64Array(0);
  fp = new Float64Array(0);
  fn = new Float64Array(0);
  reset() { this.tp = new Float64Array(0); this.fp = new Float64Array(0); this.fn = new Float64Array(0); }
  update(b: MetricBatch) {
    if (this.tp.length !== b.columns) { this.tp = new Float64Array(b.columns); this.fp = new Float64Array(b.columns); this.fn = new Float64Array(b.columns); }
    for (let r = 0; r < b.rows; r++) {
      const w = b.weights ? b.weights[r] : 1;
      if (w === 0) continue;
      for (let c = 0; c < b.columns; c++) {
        const i = r * b.columns + c, p = predicted(b, i), t = b.targets[i] > 0.5;
        if (p && t) this.tp[c] += w;
        else if (p) this.fp[c] += w;
        else if (t) this.fn[c] += w;
      }
    }
  }
}

const f1 = (tp: number, fp: number, fn: number) => (2 * tp + fp + fn > 0 ? (2 * tp) / (2 * tp + fp + fn) : 0);

class F1 implements Metric {
  private readonly counts = new LabelCounts();
  constructor(readonly name: 'f1Micro' | 'f1Macro') {}
  reset() { this.counts.reset(); }
  update(b: MetricBatch) { this.counts.update(b); }
  result() {
    const { tp, fp, fn } = this.counts;
    if (tp.length === 0) return 0;
    if (this.name === 'f1Micro') {
      let t = 0, p = 0, n = 0;
      for (let c = 0; c < tp.length; c++) { t += tp[c]; p += fp[c]; n += fn[c]; }
      return f1(t, p, n);
    }
    let s = 0;
    for (let c = 0; c < tp.length; c++) s += f1(tp[c], fp[c], fn[c]);
    return s / tp.length;
  }
}

/** subsetAccuracy (rows all right) or hammingLoss (wrong decisions), both weighted by row. */
class RowDecisions implements Metric {
  private right = 0;
  private n = 0;
  constructor(readonly name: 'subsetAccuracy' | 'hammingLoss') {}
  reset() { this.right = this.n = 0; }
  update(b: MetricBatch) {
    for (let r = 0; r < b.rows; r++) {
      const w = b.weights ? b.weights[r] : 1;
      if (w === 0) continue;
      let wrong = 0;
      for (let c = 0; c < b.columns; c++) {
        const i = r * b.columns + c;
        if (predicted(b, i) !== b.targets[i] > 0.5) wrong++;
      }
      if (this.name === 'subsetAccuracy') { this.right += wrong === 0 ? w : 0; this.n += w; }
      else { this.right += wrong * w; this.n += b.columns * w; }
    }
  }
  result() { return this.n ? this.right / this.n : 0; }
}

const NAMES: Record<string, (typeof MULTI_LABEL_METRICS)[number]> = {
  f1micro: 'f1Micro', f1_micro: 'f1Micro', f1macro: 'f1Macro', f1_macro: 'f1Macro',
  subsetaccuracy: 'subsetAccuracy', subset_accuracy: 'subsetAccuracy', exactmatch: 'subsetAccuracy', exact_match: 'subsetAccuracy',
  hammingloss: 'hammingLoss', hamming_loss: 'hammingLoss',
};

/**
 * The multi-label metric of this name, or null when the name is none of them. They need 0/1 targets per
 * output unit (binaryCrossentropy); with another loss a ConfigError says so.
 */
export function multiLabelMetric(name: string, loss: LossName): Metric | null {
  const canonical = typeof name === 'string' ? NAMES[name.toLowerCase()] : undefined;
  if (!canonical) return null;
  if (loss !== 'binaryCrossentropy') throw new ConfigError(`metric "${name}" is a multi-label metric: it needs a sigmoid output trained with binaryCrossentropy (0/1 targets per label), not ${loss}`);
  return canonical === 'f1Micro' || canonical === 'f1Macro' ? new F1(canonical) : new RowDecisions(canonical);
}
