// CosineDecay with optional linear warm-up (Keras 3, https://keras.io/api/optimizers/learning_rate_schedules/cosine_decay/;
// Loshchilov & Hutter, SGDR, ICLR 2017):
//   step < warmupSteps:  lr = initialLearningRate + (warmupTarget − initialLearningRate) · step / warmupSteps
//   otherwise, s = min(step − warmupSteps, decaySteps), peak = warmupTarget ?? initialLearningRate:
//                        lr = peak · ((1 − alpha) · ½ (1 + cos(π s / decaySteps)) + alpha)
import { ConfigError } from '../errors.js';
import { LearningRateSchedule, checkRate, checkScheduleOptions, checkStep, option, registerSchedule } from './learning-rate-schedule.js';

/** Options of CosineDecay (Keras names, camelCase). */
export interface CosineDecayOptions {
  /** The rate at step 0 (the warm-up start when warmupSteps > 0; may then be 0). */
  initialLearningRate: number;
  /** Steps of the cosine part (after the warm-up). */
  decaySteps: number;
  /** Final rate as a fraction of the peak (default 0). */
  alpha?: number;
  /** The rate the warm-up climbs to (default: no warm-up, the peak is initialLearningRate). */
  warmupTarget?: number | null;
  /** Steps of the linear warm-up (default 0). */
  warmupSteps?: number;
}

/** Linear warm-up, then a half cosine from the peak down to alpha · peak over decaySteps. */
export class CosineDecay extends LearningRateSchedule {
  readonly className = 'CosineDecay';
  readonly initialLearningRate: number;
  readonly decaySteps: number;
  readonly alpha: number;
  readonly warmupTarget: number | null;
  readonly warmupSteps: number;

  constructor(o: CosineDecayOptions) {
    super();
    checkScheduleOptions('CosineDecay', o);
    const warm = o?.warmupTarget ?? null;
    this.initialLearningRate = checkRate('CosineDecay', 'initialLearningRate', o?.initialLearningRate, warm !== null);
    this.decaySteps = checkRate('CosineDecay', 'decaySteps', o.decaySteps);
    this.alpha = checkRate('CosineDecay', 'alpha', o.alpha ?? 0, true);
    if (this.alpha > 1) throw new ConfigError(`CosineDecay: alpha must be in [0, 1], got ${this.alpha}`);
    this.warmupTarget = warm === null ? null : checkRate('CosineDecay', 'warmupTarget', warm);
    this.warmupSteps = o.warmupSteps ?? 0;
    if (!Number.isInteger(this.warmupSteps) || this.warmupSteps < 0) throw new ConfigError(`CosineDecay: warmupSteps must be an integer >= 0, got ${String(o.warmupSteps)}`);
    if (this.warmupSteps > 0 && this.warmupTarget === null) throw new ConfigError('CosineDecay: warmupSteps > 0 needs a warmupTarget (the rate the warm-up reaches)');
  }

  at(step: number): number {
    checkStep('CosineDecay', step);
    if (step < this.warmupSteps) return this.initialLearningRate + ((this.warmupTarget! - this.initialLearningRate) * step) / this.warmupSteps;
    const peak = this.warmupTarget ?? this.initialLearningRate;
    const s = Math.min(step - this.warmupSteps, this.decaySteps);
    return peak * ((1 - this.alpha) * 0.5 * (1 + Math.cos((Math.PI * s) / this.decaySteps)) + this.alpha);
  }

  getConfig(): Record<string, unknown> {
    return { initialLearningRate: this.initialLearningRate, decaySteps: this.decaySteps, alpha: this.alpha, warmupTarget: this.warmupTarget, warmupSteps: this.warmupSteps };
  }
}

registerSchedule('CosineDecay', (c) => new CosineDecay({
  initialLearningRate: option(c, 'initialLearningRate') as number, decaySteps: option(c, 'decaySteps') as number,
  alpha: option(c, 'alpha') as number | undefined, warmupTarget: option(c, 'warmupTarget') as number | null | undefined,
  warmupSteps: option(c, 'warmupSteps') as number | undefined,
}));
