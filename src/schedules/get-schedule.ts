// Resolving a schedule from its object or serialised form. Imports every built-in schedule, so their
// registrations have run before any lookup (the base class file cannot import them: they extend it).
import { ConfigError } from '../errors.js';
import { checkArgument, object, optional } from '../options/schema.js';
import './cosine-decay.js';
import './exponential-decay.js';
import './inverse-time-decay.js';
import './piecewise-constant-decay.js';
import { LearningRateSchedule, SCHEDULE_FACTORIES, type ScheduleConfig } from './learning-rate-schedule.js';

/** True for a schedule object or its { className, config } form (as opposed to a plain number). */
export function isScheduleSpec(v: unknown): v is LearningRateSchedule | ScheduleConfig {
  return v instanceof LearningRateSchedule || (typeof v === 'object' && v !== null && typeof (v as ScheduleConfig).className === 'string');
}

/** A schedule object from itself or its { className, config } (also Keras' { class_name, config }). */
export function getSchedule(spec: LearningRateSchedule | ScheduleConfig | { class_name: string; config: Record<string, unknown> }): LearningRateSchedule {
  if (spec instanceof LearningRateSchedule) return spec;
  checkArgument('getSchedule', 'spec', spec, object('a schedule or its { className, config }'));
  const name = (spec as ScheduleConfig).className ?? (spec as { class_name: string }).class_name;
  const make = typeof name === 'string' ? SCHEDULE_FACTORIES.get(name.toLowerCase()) : undefined;
  if (!make) throw new ConfigError(`unknown learning-rate schedule ${JSON.stringify(name)}; known: ${[...SCHEDULE_FACTORIES.keys()].join(', ')}`);
  checkArgument('getSchedule', 'spec.config', spec.config, optional(object()));
  return make(spec.config ?? {});
}
