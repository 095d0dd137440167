// Metrics over one epoch, updated per batch from the model output (probabilities or logits) and targets.
// Keras names: accuracy (resolved by the loss), binaryAccuracy, sparseCategoricalAccuracy, precision,
// recall, auc. AUC here is the exact ROC AUC (rank statistic with tied scores averaged), not Keras'
// 200-threshold approximation.

import { ConfigError } from './errors.js';
import type { LossName } from './losses.js';
import type { Metric, MetricBatch } from './metric-types.js';
import { multiLabelMetric, MULTI_LABEL_METRICS } from './multilabel-metrics.js';

export type { Metric, MetricBatch } from './metric-types.js';

const positive = (b: MetricBatch, i: number) => (b.logits ? b.scores[i] > 0 : b.scores[i] > 0.5);
const probability = (b: MetricBatch, i: number) => (b.logits ? 1 / (1 + Math.exp(-b.scores[i])) : b.scores[i]);

class BinaryAccuracy implements Metric {
  private hits = 0;
  private n = 0;
  constructor(readonly name = 'binaryAccuracy') {}
  reset() { this.hits = this.n = 0; }
  update(b: MetricBatch) {
    for (let r = 0; r < b.rows; r++) {
      const w = b.weights ? b.weights[r] : 1;
      if (w === 0) continue;
      for (let c = 0; c < b.columns; c++) {
        const i = r * b.columns + c;
        if (positive(b, i) === b.targets[i] > 0.5) this.hits += w;
        this.n += w;
      }
    }
  }
  result() { return this.n ? this.hits / this.n : 0; }
}

class SparseCategoricalAccuracy implements Metric {
  private hits = 0;
  private n = 0;
  constructor(readonly name = 'sparseCategoricalAccuracy') {}
  reset() { this.hits = this.n = 0; }
  update(b: MetricBatch) {
    for (let r = 0; r < b.rows; r++) {
      const w = b.weights ? b.weights[r] : 1;
      if (w === 0) continue;
      let best = 0;
      for (let c = 1; c < b.columns; c++) if (b.scores[r * b.columns + c] > b.scores[r * b.columns + best]) best = c;
      if (best === b.targets[r]) this.hits += w;
      this.n += w;
    }
  }
  result() { return this.n ? this.hits / this.n : 0; }
}

/** Precision or recall of the positive class (threshold 0.5). */
class PrecisionRecall implements Metric {
  private tp = 0;
  private fp = 0;
  private fn = 0;
  constructor(readonly name: 'precision' | 'recall') {}
  reset() { this.tp = this.fp = this.fn = 0; }
  update(b: MetricBatch) {
    for (let i = 0; i < b.rows * b.columns; i++) {
      const w = b.weights ? b.weights[Math.floor(i / b.columns)] : 1;
      if (w === 0) continue;
      const p = positive(b, i), t = b.targets[i] > 0.5;
      if (p && t) this.tp += w;
      else if (p && !t) this.fp += w;
      else if (!p && t) this.fn += w;
    }
  }
  result() {
    const d = this.name === 'precision' ? this.tp + this.fp : this.tp + this.fn;
    return d ? this.tp / d : 0;
  }
}

class Auc implements Metric {
  readonly name = 'auc';
  private scores: number[] = [];
  private labels: boolean[] = [];
  reset() { this.scores = []; this.labels = []; }
  update(b: MetricBatch) {
    for (let i = 0; i < b.rows * b.columns; i++) {
      if (b.weights && b.weights[Math.floor(i / b.columns)] === 0) continue;
      this.scores.push(probability(b, i));
      this.labels.push(b.targets[i] > 0.5);
    }
  }
  result() {
    const n = this.scores.length;
    const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => this.scores[a] - this.scores[b]);
    let rankSumPos = 0, pos = 0;
    for (let i = 0; i < n;) {
      let j = i;
      while (j + 1 < n && this.scores[order[j + 1]] === this.scores[order[i]]) j++;
      const rank = (i + j) / 2 + 1; // average rank of a tie group
      for (let k = i; k <= j; k++) if (this.labels[order[k]]) { rankSumPos += rank; pos++; }
      i = j + 1;
    }
    const neg = n - pos;
    return pos && neg ? (rankSumPos - (pos * (pos + 1)) / 2) / (pos * neg) : 0;
  }
}

export function getMetric(name: string, loss: LossName): Metric {
  switch (name) {
    case 'accuracy':
    case 'acc':
      return loss === 'sparseCategoricalCrossentropy' ? new SparseCategoricalAccuracy('accuracy') : new BinaryAccuracy('accuracy');
    case 'binaryAccuracy': case 'binary_accuracy': return new BinaryAccuracy();
    case 'sparseCategoricalAccuracy': case 'sparse_categorical_accuracy': return new SparseCategoricalAccuracy();
    case 'precision': return new PrecisionRecall('precision');
    case 'recall': return new PrecisionRecall('recall');
    case 'auc': case 'AUC': return new Auc();
    default: {
      const m = multiLabelMetric(name, loss);
      if (m) return m;
      throw new ConfigError(`unknown metric ${JSON.stringify(name)}; known: accuracy, binaryAccuracy, sparseCategoricalAccuracy, precision, recall, auc, ${MULTI_LABEL_METRICS.join(', ')}`);
    }
  }
}
