// LearningRateScheduler (Keras keras.callbacks.LearningRateScheduler,
// https://keras.io/api/callbacks/learning_rate_scheduler/): at the start of every epoch, sets the optimizer's
// learning rate to schedule(epoch, currentRate). For per-step schedules use a LearningRateSchedule object as
// the optimizer's learningRate instead; combining both is an error (the schedule would overwrite the callback).
import { Callback, type Logs } from '../callbacks/callback.js';
import { ConfigError, ModelStateError } from '../errors.js';
import { oneOf, validateOptions } from '../options/schema.js';
import { logRateOf } from '../training/rate-log.js';

/** Options of LearningRateScheduler. */
export interface LearningRateSchedulerOptions {
  /** 1: print the new rate at each epoch start. */
  verbose?: 0 | 1;
}

/** Epoch-level schedule from a function (epoch, lr) → new lr. */
export class LearningRateScheduler extends Callback {
  /** The rate set at the start of the current epoch. */
  current = NaN;

  constructor(
    readonly schedule: (epoch: number, learningRate: number) => number,
    readonly options: LearningRateSchedulerOptions = {},
  ) {
    super();
    if (typeof schedule !== 'function') throw new ConfigError(`LearningRateScheduler: schedule must be a function (epoch, lr) => lr, got ${typeof schedule}`);
    validateOptions('LearningRateScheduler', options, { verbose: oneOf([0, 1]) });
  }

  override onTrainBegin(logs?: Logs): void {
    super.onTrainBegin(logs); // checks the arguments (a hook called by hand)
    const opt = this.model?.optimizer;
    if (opt) logRateOf(opt); // the loop then logs learning_rate in History and the progress bar
  }

  override onEpochBegin(epoch: number, logs?: Logs): void {
    super.onEpochBegin(epoch, logs); // checks the arguments (a hook called by hand)
    const opt = this.model?.optimizer;
    if (!opt) throw new ModelStateError('LearningRateScheduler: the model has no optimizer (call compile() first)');
    if (opt.schedule) {
      throw new ConfigError(`LearningRateScheduler: the optimizer's learningRate is already a ${opt.schedule.className} schedule; use one or the other`);
    }
    const lr = this.schedule(epoch, opt.learningRate);
    if (typeof lr !== 'number' || !Number.isFinite(lr) || lr <= 0) {
      throw new ConfigError(`LearningRateScheduler: schedule(${epoch}, ${opt.learningRate}) returned ${String(lr)}, expected a finite number > 0`);
    }
    opt.learningRate = lr;
    this.current = lr;
    if (this.options.verbose) console.log(`Epoch ${epoch + 1}: LearningRateScheduler setting learning rate to ${lr}.`);
  }
}
