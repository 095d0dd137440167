// ReduceLROnPlateau: multiply the optimizer's learning rate by `factor` after `patience` epochs without
// improvement, then wait `cooldown` epochs (Keras keras.callbacks.ReduceLROnPlateau,
// https://keras.io/api/callbacks/reduce_lr_on_plateau/). Adds `learning_rate` to the epoch logs.

import { ConfigError, ModelStateError } from '../errors.js';
import { Callback, type Logs } from './callback.js';
import { improves, monitorDirection, warnMissing, type MonitorMode } from './monitor.js';
import { validateCallbackOptions } from '../options/callbacks.js';

/** Options of ReduceLROnPlateau (Keras names and defaults). */
export interface ReduceLROnPlateauOptions {
  /** Default 'val_loss'. */
  monitor?: string;
  /** New lr = lr · factor; must be < 1. Default 0.1. */
  factor?: number;
  /** Default 10. */
  patience?: number;
  mode?: MonitorMode;
  /** Default 1e-4. */
  minDelta?: number;
  /** Epochs after a reduction during which no waiting is counted. Default 0. */
  cooldown?: number;
  /** Lower bound on the learning rate. Default 0. */
  minLr?: number;
  verbose?: 0 | 1;
}

/** Multiplies the learning rate by `factor` when the monitored metric stops improving (Keras ReduceLROnPlateau). */
export class ReduceLROnPlateau extends Callback {
  readonly monitor: string;
  readonly factor: number;
  readonly patience: number;
  readonly mode: MonitorMode;
  readonly minDelta: number;
  readonly cooldown: number;
  readonly minLr: number;
  readonly verbose: 0 | 1;
  wait = 0;
  cooldownCounter = 0;
  best = Infinity;
  private direction: 'min' | 'max';

  constructor(options: ReduceLROnPlateauOptions = {}) {
    super();
    options = validateCallbackOptions('ReduceLROnPlateau', options);
    this.monitor = options.monitor ?? 'val_loss';
    this.factor = options.factor ?? 0.1;
    this.patience = options.patience ?? 10;
    this.mode = options.mode ?? 'auto';
    this.minDelta = options.minDelta ?? 1e-4;
    this.cooldown = options.cooldown ?? 0;
    this.minLr = options.minLr ?? 0;
    this.verbose = options.verbose ?? 0;
    if (!(this.factor < 1) || !(this.factor > 0)) throw new ConfigError(`ReduceLROnPlateau: factor must be in (0, 1), got ${options.factor}`);
    if (!Number.isInteger(this.patience) || this.patience < 0) throw new ConfigError(`ReduceLROnPlateau: patience must be a non-negative integer, got ${options.patience}`);
    if (!Number.isInteger(this.cooldown) || this.cooldown < 0) throw new ConfigError(`ReduceLROnPlateau: cooldown must be a non-negative integer, got ${options.cooldown}`);
    if (!(this.minLr >= 0)) throw new ConfigError(`ReduceLROnPlateau: minLr must be ≥ 0, got ${options.minLr}`);
    this.direction = monitorDirection(this.monitor, this.mode, 'ReduceLROnPlateau');
    this.reset();
  }

  private reset(): void {
    this.best = this.direction === 'min' ? Infinity : -Infinity;
    this.cooldownCounter = 0;
    this.wait = 0;
  }

  override onTrainBegin(logs?: Logs): void {
    super.onTrainBegin(logs); // checks the arguments (a hook called by hand)
    this.reset();
  }

  private get inCooldown(): boolean {
    return this.cooldownCounter > 0;
  }

  override onEpochEnd(epoch: number, logs: Logs = {}): void {
    super.onEpochEnd(epoch, logs); // checks the arguments (a hook called by hand)
    const opt = this.requireModel('onEpochEnd').optimizer;
    if (!opt) throw new ModelStateError('ReduceLROnPlateau: the model has no optimizer (compile it first)');
    logs.learning_rate = opt.learningRate;
    const current = logs[this.monitor];
    if (current === undefined) {
      warnMissing(this, 'ReduceLROnPlateau', this.monitor, logs);
      return;
    }
    if (this.inCooldown) {
      this.cooldownCounter--;
      this.wait = 0;
    }
    if (improves(this.direction, current, this.best, this.minDelta)) {
      this.best = current;
      this.wait = 0;
    } else if (!this.inCooldown) {
      this.wait++;
      if (this.wait >= this.patience) {
        const old = opt.learningRate;
        if (old > Math.fround(this.minLr)) {
          const lr = Math.max(old * this.factor, this.minLr);
          opt.learningRate = lr;
          if (this.verbose) console.log(`Epoch ${epoch + 1}: ReduceLROnPlateau reducing learning rate to ${lr}.`);
          this.cooldownCounter = this.cooldown;
          this.wait = 0;
        }
      }
    }
  }
}
