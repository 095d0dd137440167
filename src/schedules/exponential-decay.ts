// ExponentialDecay (Keras): lr(step) = initialLearningRate · decayRate^(step / decaySteps),
// the exponent floored when staircase. https://keras.io/api/optimizers/learning_rate_schedules/exponential_decay/
import { ConfigError } from '../errors.js';
import { LearningRateSchedule, checkRate, checkScheduleOptions, checkStep, option, registerSchedule } from './learning-rate-schedule.js';

/** Options of ExponentialDecay (Keras names, camelCase). */
export interface ExponentialDecayOptions {
  initialLearningRate: number;
  decaySteps: number;
  decayRate: number;
  /** Decay in whole steps of decaySteps (default false: continuously). */
  staircase?: boolean;
}

/** initialLearningRate · decayRate^(step / decaySteps). */
export class ExponentialDecay extends LearningRateSchedule {
  readonly className = 'ExponentialDecay';
  readonly initialLearningRate: number;
  readonly decaySteps: number;
  readonly decayRate: number;
  readonly staircase: boolean;

  constructor(o: ExponentialDecayOptions) {
    super();
    checkScheduleOptions('ExponentialDecay', o);
    this.initialLearningRate = checkRate('ExponentialDecay', 'initialLearningRate', o?.initialLearningRate);
    this.decaySteps = checkRate('ExponentialDecay', 'decaySteps', o.decaySteps);
    this.decayRate = checkRate('ExponentialDecay', 'decayRate', o.decayRate);
    this.staircase = o.staircase ?? false;
    if (typeof this.staircase !== 'boolean') throw new ConfigError(`ExponentialDecay: staircase must be a boolean, got ${String(o.staircase)}`);
  }

  at(step: number): number {
    const p = checkStep('ExponentialDecay', step) / this.decaySteps;
    return this.initialLearningRate * this.decayRate ** (this.staircase ? Math.floor(p) : p);
  }

  getConfig(): Record<string, unknown> {
    return { initialLearningRate: this.initialLearningRate, decaySteps: this.decaySteps, decayRate: this.decayRate, staircase: this.staircase };
  }
}

registerSchedule('ExponentialDecay', (c) => new ExponentialDecay({
  initialLearningRate: option(c, 'initialLearningRate') as number, decaySteps: option(c, 'decaySteps') as number,
  decayRate: option(c, 'decayRate') as number, staircase: (option(c, 'staircase') as boolean | undefined) ?? false,
}));
