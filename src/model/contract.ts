// What callbacks and diagnostics may use of a model during training, as plain types. Callbacks import this
// file, never the model class, so the model can import callbacks without an import circle.

import type { GradNormResult } from '../../bindings/families/clipping.js';
import type { Optimizer } from '../optimizers.js';

/** A step the NaN/Inf guard skipped: where the first non-finite gradient sat. */
export interface GuardEvent {
  epoch: number;
  batch: number;
  /** Global step number (0-based). */
  step: number;
  tensor: string;
  index: number;
  value: number;
  /**
   * For a tensor of a recurrent layer: the earliest time step t (0-based, time order) whose ‖dL/dh_t‖ is
   * NaN/Inf in that layer's backward, or null when every ‖dL/dh_t‖ is finite (the bad value arose elsewhere).
   */
  timeStep: number | null;
  /** The loss of that step (may itself be NaN). */
  loss: number;
}

/** Per-step record for diagnostics: loss, norms before clipping, whether the guard skipped it. */
export interface StepRecord {
  step: number;
  loss: number;
  gradNorm: number;
  skipped: boolean;
}

/** One weight tensor as the user sees it: Keras shape, unpadded values. */
export interface WeightTensor {
  path: string;
  shape: number[];
  data: Float32Array;
}

/** Gate means and saturation of one LSTM/GRU layer in the last training step. */
export interface GateStatistics {
  layer: string;
  className: string;
  gates: Array<{ gate: string; mean: number; saturated: number }>;
}

/** ‖dL/dh_t‖ (and ‖dL/dc_t‖ for LSTM) per time step of one recurrent layer in the last training step. */
export interface LayerGradientNorms {
  layer: string;
  className: string;
  h: Float64Array;
  c: Float64Array | null;
}

/** The model as callbacks see it (Keras callback.model): stop flag, weights, optimizer, diagnostics probes. */
export interface TrainingModel {
  readonly name: string;
  /** Set by a callback (EarlyStopping, TerminateOnNaN) to end fit() after the current batch. */
  stopTraining: boolean;
  /** Steps the NaN/Inf guard skipped during the last fit(). */
  guardEvents: GuardEvent[];
  readonly optimizer: Optimizer | null;
  getWeights(): WeightTensor[];
  /** Loss and metrics on (x, y) without an update (Keras model.evaluate). */
  evaluate(x: unknown, y: unknown, options?: { batchSize?: number }): Promise<Record<string, number>>;
  setWeights(weights: Array<{ path: string; shape: readonly number[]; data: ArrayLike<number> }>): void;
  /** Set to measure ‖Δw‖/‖w‖ per tensor in the next training step (after trackUpdates()). */
  recordNextUpdate: boolean;
  trackUpdates(): void;
  tensorGradNorms(): { tensors: Array<{ path: string; norm: number }>; appliedNorm: number } | null;
  lastUpdateRatios(): Array<{ path: string; ratio: number }> | null;
  gateStatistics(): GateStatistics[];
  gradientNorms(): LayerGradientNorms[];
  /** Hook for diagnostics: called after every training step with the norms. */
  onStep: ((record: StepRecord, norms: GradNormResult) => void) | null;
}
