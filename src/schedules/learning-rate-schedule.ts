// Learning-rate schedules as objects (Keras keras.optimizers.schedules.LearningRateSchedule,
// https://keras.io/api/optimizers/learning_rate_schedules/): a pure function of the optimizer step (the number
// of updates applied before this one, 0 for the first update; steps the NaN guard skipped do not count), serialised
// as { className, config } with the optimizer inside the model config. Pass one as an optimizer's learningRate:
//   new Adam({ learningRate: new ExponentialDecay({ initialLearningRate: 1e-3, decaySteps: 1000, decayRate: 0.9 }) })
// The training loop sets optimizer.learningRate = schedule.at(optimizer.iterations) before every update.
import { ConfigError } from '../errors.js';
import { checkArgument, describeValue, func, object, string } from '../options/schema.js';

/** The serialised form: Keras' { class_name, config } with our camelCase keys. */
export interface ScheduleConfig {
  className: string;
  config: Record<string, unknown>;
}

/** A learning rate as a function of the optimizer step. */
export abstract class LearningRateSchedule {
  /** Keras class name (ExponentialDecay, InverseTimeDecay, PiecewiseConstantDecay, CosineDecay). */
  abstract readonly className: string;
  /** The learning rate for the update at `step` (0-based count of updates already applied). */
  abstract at(step: number): number;
  /** The constructor options, JSON-safe. */
  abstract getConfig(): Record<string, unknown>;
  /** { className, config }. */
  toJSON(): ScheduleConfig {
    return { className: this.className, config: this.getConfig() };
  }
}

/** A finite number > 0 (or >= 0 when `zero`), else ConfigError naming the schedule and option. */
export function checkRate(owner: string, key: string, v: unknown, zero = false): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || (zero ? v < 0 : v <= 0)) {
    throw new ConfigError(`${owner}: ${key} must be a finite number ${zero ? '>= 0' : '> 0'}, got ${describeValue(v)}`);
  }
  return v;
}

/** A schedule constructor's options: an object (then each option is checked by checkRate). */
export function checkScheduleOptions(owner: string, o: unknown): void {
  checkArgument(owner, 'options', o, object(`an object of options, e.g. { initialLearningRate, decaySteps }`));
}

/** The step argument of at(): a non-negative integer. */
export function checkStep(owner: string, step: number): number {
  if (!Number.isInteger(step) || step < 0) throw new ConfigError(`${owner}.at: step must be a non-negative integer, got ${describeValue(step)}`);
  return step;
}

/** Keras config keys are snake_case; ours camelCase. Reads either. */
export function option(config: Record<string, unknown>, camel: string): unknown {
  if (camel in config) return config[camel];
  const snake = camel.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
  return config[snake];
}

/** Schedule classes by lower-case name (filled by registerSchedule). */
export const SCHEDULE_FACTORIES = new Map<string, (config: Record<string, unknown>) => LearningRateSchedule>();

/** Makes fromConfig find a schedule class by name (the built-in ones register themselves). */
export function registerSchedule(className: string, make: (config: Record<string, unknown>) => LearningRateSchedule): void {
  checkArgument('registerSchedule', 'className', className, string({ nonEmpty: true }));
  checkArgument('registerSchedule', 'make', make, func('a function (config) => schedule'));
  SCHEDULE_FACTORIES.set(className.toLowerCase(), make);
}

