// EarlyStopping: stop fit() when the monitored value stops improving (Keras 3 keras.callbacks.EarlyStopping,
// https://keras.io/api/callbacks/early_stopping/). With restoreBestWeights the model ends with the weights of
// the best epoch (a copy taken with getWeights at that epoch's end), whether or not training was stopped.

import { ConfigError } from '../errors.js';
import { Callback, type Logs } from './callback.js';
import { improves, monitorDirection, warnMissing, type MonitorMode } from './monitor.js';
import { validateCallbackOptions } from '../options/callbacks.js';

/** Options of EarlyStopping (Keras names and defaults). */
export interface EarlyStoppingOptions {
  /** Default 'val_loss'. */
  monitor?: string;
  /** Smallest change that counts as an improvement (absolute value is used). Default 0. */
  minDelta?: number;
  /** Epochs without improvement before stopping. Default 0. */
  patience?: number;
  mode?: MonitorMode;
  /** Training stops unless the value beats this baseline within `patience` epochs. */
  baseline?: number | null;
  restoreBestWeights?: boolean;
  /** Epochs to wait before monitoring starts (warm-up). Default 0. */
  startFromEpoch?: number;
  verbose?: 0 | 1;
}

type Weights = ReturnType<Callback['model']['getWeights']>;

/** Stops fit() when the monitored metric has not improved for `patience` epochs; optionally restores the best weights (Keras EarlyStopping). */
export class EarlyStopping extends Callback {
  readonly monitor: string;
  readonly minDelta: number;
  readonly patience: number;
  readonly mode: MonitorMode;
  readonly baseline: number | null;
  readonly restoreBestWeights: boolean;
  readonly startFromEpoch: number;
  readonly verbose: 0 | 1;
  /** Epochs since the last improvement. */
  wait = 0;
  /** Epoch (0-based) at which training was stopped, 0 if it was not. */
  stoppedEpoch = 0;
  best: number | null = null;
  bestEpoch = 0;
  bestWeights: Weights | null = null;
  private direction: 'min' | 'max' | null = null;

  constructor(options: EarlyStoppingOptions = {}) {
    super();
    options = validateCallbackOptions('EarlyStopping', options);
    this.monitor = options.monitor ?? 'val_loss';
    this.minDelta = Math.abs(options.minDelta ?? 0);
    this.patience = options.patience ?? 0;
    this.mode = options.mode ?? 'auto';
    this.baseline = options.baseline ?? null;
    this.restoreBestWeights = options.restoreBestWeights ?? false;
    this.startFromEpoch = options.startFromEpoch ?? 0;
    this.verbose = options.verbose ?? 0;
    if (!Number.isInteger(this.patience) || this.patience < 0) throw new ConfigError(`EarlyStopping: patience must be a non-negative integer, got ${options.patience}`);
    if (!Number.isFinite(this.minDelta)) throw new ConfigError(`EarlyStopping: minDelta must be finite, got ${options.minDelta}`);
    monitorDirection(this.monitor, this.mode, 'EarlyStopping'); // validates mode now
  }

  override onTrainBegin(logs?: Logs): void {
    super.onTrainBegin(logs); // checks the arguments (a hook called by hand)
    this.wait = 0;
    this.stoppedEpoch = 0;
    this.best = null;
    this.bestWeights = null;
    this.bestEpoch = 0;
  }

  private isImprovement(current: number, reference: number | null): boolean {
    return reference === null || improves(this.direction!, current, reference, this.minDelta);
  }

  override onEpochEnd(epoch: number, logs: Logs = {}): void {
    super.onEpochEnd(epoch, logs); // checks the arguments (a hook called by hand)
    this.direction ??= monitorDirection(this.monitor, this.mode, 'EarlyStopping', true);
    const current = logs[this.monitor];
    if (current === undefined) {
      warnMissing(this, 'EarlyStopping', this.monitor, logs);
      return;
    }
    if (epoch < this.startFromEpoch) return;
    if (this.restoreBestWeights && this.bestWeights === null) {
      // Until something improves, the current weights are the best.
      this.bestWeights = this.model.getWeights();
      this.bestEpoch = epoch;
    }
    this.wait++;
    if (this.isImprovement(current, this.best)) {
      this.best = current;
      this.bestEpoch = epoch;
      if (this.restoreBestWeights) this.bestWeights = this.model.getWeights();
      // Only restart the wait when both the previous best and the baseline are beaten.
      if (this.baseline === null || this.isImprovement(current, this.baseline)) this.wait = 0;
      return;
    }
    if (this.wait >= this.patience && epoch > 0) {
      this.stoppedEpoch = epoch;
      this.model.stopTraining = true;
    }
  }

  override onTrainEnd(logs?: Logs): void {
    super.onTrainEnd(logs); // checks the arguments (a hook called by hand)
    if (this.stoppedEpoch > 0 && this.verbose) console.log(`Epoch ${this.stoppedEpoch + 1}: early stopping`);
    if (this.restoreBestWeights && this.bestWeights !== null) {
      if (this.verbose) console.log(`Restoring model weights from the end of the best epoch: ${this.bestEpoch + 1}.`);
      this.model.setWeights(this.bestWeights);
    }
  }
}
