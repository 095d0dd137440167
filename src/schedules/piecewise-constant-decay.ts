// PiecewiseConstantDecay (Keras): values[0] while step <= boundaries[0], values[i] while
// boundaries[i−1] < step <= boundaries[i], values[n] after boundaries[n−1] (n boundaries, n + 1 values).
// https://keras.io/api/optimizers/learning_rate_schedules/piecewise_constant_decay/
import { ConfigError } from '../errors.js';
import { LearningRateSchedule, checkRate, checkScheduleOptions, checkStep, option, registerSchedule } from './learning-rate-schedule.js';

/** Options of PiecewiseConstantDecay. */
export interface PiecewiseConstantDecayOptions {
  /** Strictly increasing step numbers (n >= 1). */
  boundaries: number[];
  /** n + 1 learning rates. */
  values: number[];
}

/** A step function of the step number. */
export class PiecewiseConstantDecay extends LearningRateSchedule {
  readonly className = 'PiecewiseConstantDecay';
  readonly boundaries: readonly number[];
  readonly values: readonly number[];

  constructor(o: PiecewiseConstantDecayOptions) {
    super();
    checkScheduleOptions('PiecewiseConstantDecay', o);
    const b = o?.boundaries, v = o?.values;
    if (!Array.isArray(b) || b.length === 0) throw new ConfigError(`PiecewiseConstantDecay: boundaries must be a non-empty array of steps, got ${JSON.stringify(b)}`);
    if (!Array.isArray(v) || v.length !== b.length + 1) throw new ConfigError(`PiecewiseConstantDecay: values must hold boundaries.length + 1 = ${b.length + 1} rates, got ${Array.isArray(v) ? v.length : typeof v}`);
    b.forEach((x, i) => {
      if (typeof x !== 'number' || !Number.isFinite(x) || x < 0) throw new ConfigError(`PiecewiseConstantDecay: boundaries[${i}] = ${String(x)} must be a finite step >= 0`);
      if (i > 0 && !(x > b[i - 1])) throw new ConfigError(`PiecewiseConstantDecay: boundaries must increase strictly, got ${b[i - 1]} then ${x}`);
    });
    v.forEach((x, i) => checkRate('PiecewiseConstantDecay', `values[${i}]`, x));
    this.boundaries = Object.freeze(b.slice());
    this.values = Object.freeze(v.slice());
  }

  at(step: number): number {
    checkStep('PiecewiseConstantDecay', step);
    let i = 0;
    while (i < this.boundaries.length && step > this.boundaries[i]) i++;
    return this.values[i];
  }

  getConfig(): Record<string, unknown> {
    return { boundaries: this.boundaries.slice(), values: this.values.slice() };
  }
}

registerSchedule('PiecewiseConstantDecay', (c) => new PiecewiseConstantDecay({ boundaries: option(c, 'boundaries') as number[], values: option(c, 'values') as number[] }));
