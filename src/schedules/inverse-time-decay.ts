// InverseTimeDecay (Keras): lr(step) = initialLearningRate / (1 + decayRate · step / decaySteps),
// step / decaySteps floored when staircase. https://keras.io/api/optimizers/learning_rate_schedules/inverse_time_decay/
import { ConfigError } from '../errors.js';
import { LearningRateSchedule, checkRate, checkScheduleOptions, checkStep, option, registerSchedule } from './learning-rate-schedule.js';

/** Options of InverseTimeDecay (Keras names, camelCase). */
export interface InverseTimeDecayOptions {
  initialLearningRate: number;
  decaySteps: number;
  /** >= 0. */
  decayRate: number;
  staircase?: boolean;
}

/** initialLearningRate / (1 + decayRate · step / decaySteps). */
export class InverseTimeDecay extends LearningRateSchedule {
  readonly className = 'InverseTimeDecay';
  readonly initialLearningRate: number;
  readonly decaySteps: number;
  readonly decayRate: number;
  readonly staircase: boolean;

  constructor(o: InverseTimeDecayOptions) {
    super();
    checkScheduleOptions('InverseTimeDecay', o);
    this.initialLearningRate = checkRate('InverseTimeDecay', 'initialLearningRate', o?.initialLearningRate);
    this.decaySteps = checkRate('InverseTimeDecay', 'decaySteps', o.decaySteps);
    this.decayRate = checkRate('InverseTimeDecay', 'decayRate', o.decayRate, true);
    this.staircase = o.staircase ?? false;
    if (typeof this.staircase !== 'boolean') throw new ConfigError(`InverseTimeDecay: staircase must be a boolean, got ${String(o.staircase)}`);
  }

  at(step: number): number {
    const p = checkStep('InverseTimeDecay', step) / this.decaySteps;
    return this.initialLearningRate / (1 + this.decayRate * (this.staircase ? Math.floor(p) : p));
  }

  getConfig(): Record<string, unknown> {
    return { initialLearningRate: this.initialLearningRate, decaySteps: this.decaySteps, decayRate: this.decayRate, staircase: this.staircase };
  }
}

registerSchedule('InverseTimeDecay', (c) => new InverseTimeDecay({
  initialLearningRate: option(c, 'initialLearningRate') as number, decaySteps: option(c, 'decaySteps') as number,
  decayRate: option(c, 'decayRate') as number, staircase: (option(c, 'staircase') as boolean | undefined) ?? false,
}));
