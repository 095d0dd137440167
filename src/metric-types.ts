// The metric interface and the batch it reads (shared by src/metrics.ts and src/multilabel-metrics.ts, so
// neither imports the other's classes).

/** One batch of outputs: `scores` (rows, C) probabilities (or logits when `logits`), targets per row. */
export interface MetricBatch {
  scores: Float32Array;
  rows: number;
  columns: number;
  logits: boolean;
  /** Binary/MSE: (rows, C) floats; sparse: (rows) class ids. */
  targets: Float32Array | Int32Array;
  /** Optional weight >= 0 per row: 0/1 for masked time steps, times the sample weight (Keras: weighted metrics). */
  weights: Float32Array | null;
}

/** A streaming metric: reset at each epoch, updated per batch, read at the end. */
export interface Metric {
  readonly name: string;
  reset(): void;
  update(b: MetricBatch): void;
  result(): number;
}
