// Learning-rate schedules (per optimizer step, serialised with the optimizer) and the per-epoch callback.
export { LearningRateSchedule, registerSchedule, type ScheduleConfig } from './learning-rate-schedule.js';
export { getSchedule, isScheduleSpec } from './get-schedule.js';
export { ExponentialDecay, type ExponentialDecayOptions } from './exponential-decay.js';
export { InverseTimeDecay, type InverseTimeDecayOptions } from './inverse-time-decay.js';
export { PiecewiseConstantDecay, type PiecewiseConstantDecayOptions } from './piecewise-constant-decay.js';
export { CosineDecay, type CosineDecayOptions } from './cosine-decay.js';
export { LearningRateScheduler, type LearningRateSchedulerOptions } from './learning-rate-scheduler.js';
export { scheduleStep } from './apply.js';
