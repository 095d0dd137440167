// Optimizers as objects (Keras names and defaults) over the fused flat update kernels. Clipping options
// (one at most): clipvalue, clipnorm (Keras, per tensor), globalClipnorm (Keras, global norm),
// clipGradNorm (PyTorch clip_grad_norm_). The update runs once over the trainable range of the slabs.

import type { Kernels, Ptr } from '../bindings/index.js';
import { ADAGRAD_INITIAL_ACCUMULATOR, type ClipSpec } from '../bindings/families/optimizers.js';
import { ConfigError } from './errors.js';
import { getSchedule, isScheduleSpec } from './schedules/get-schedule.js';
import type { LearningRateSchedule, ScheduleConfig } from './schedules/learning-rate-schedule.js';

export interface ClipOptions {
  clipvalue?: number;
  clipnorm?: number;
  globalClipnorm?: number;
  clipGradNorm?: number;
}

export interface OptimizerOptions extends ClipOptions {
  /** A rate, or a schedule of the step (src/schedules; Keras: a LearningRateSchedule as learning_rate). */
  learningRate?: number | LearningRateSchedule | ScheduleConfig;
}

export abstract class Optimizer {
  abstract readonly className: string;
  /** How many P-sized state slabs the optimizer keeps (moments, accumulators). */
  abstract readonly stateSlabs: number;
  learningRate: number;
  /** Set when learningRate was a schedule: the loop sets learningRate = schedule.at(iterations) before each update. */
  readonly schedule: LearningRateSchedule | null;
  readonly clip: ClipSpec | null;
  /** Steps applied so far (t, 1-based inside apply). */
  iterations = 0;

  constructor(options: OptimizerOptions, defaultLr: number) {
    this.schedule = isScheduleSpec(options.learningRate) ? getSchedule(options.learningRate) : null;
    this.learningRate = this.schedule ? this.schedule.at(0) : (options.learningRate as number | undefined) ?? defaultLr;
    if (!this.schedule && (!(this.learningRate > 0) || !Number.isFinite(this.learningRate))) {
      throw new ConfigError(`${new.target.name}: learningRate must be a positive finite number, got ${options.learningRate}`);
    }
    const modes = (['clipvalue', 'clipnorm', 'globalClipnorm', 'clipGradNorm'] as const).filter((k) => options[k] !== undefined && options[k] !== null);
    if (modes.length > 1) throw new ConfigError(`${new.target.name}: set at most one of clipvalue, clipnorm, globalClipnorm, clipGradNorm (got ${modes.join(', ')})`);
    if (modes.length === 1) {
      const v = options[modes[0]] as number;
      if (!(v > 0) || !Number.isFinite(v)) throw new ConfigError(`${new.target.name}: ${modes[0]} must be a positive finite number, got ${v}`);
      this.clip = { [modes[0]]: v } as ClipSpec;
    } else {
      this.clip = null;
    }
  }

  /** Fills fresh state slabs (most start at zero). */
  initState(k: Kernels, state: Ptr[], P: number): void {
    for (const s of state) k.fill(s, 0, P);
  }

  /** One update of W from G over [i0, i1) (t = ++iterations). */
  abstract apply(k: Kernels, W: Ptr, G: Ptr, state: Ptr[], P: number, i0: number, i1: number): void;

  protected own(): Record<string, unknown> {
    return {};
  }

  getConfig(): Record<string, unknown> {
    return { learningRate: this.schedule ? this.schedule.toJSON() : this.learningRate, ...this.own(), ...(this.clip ?? {}) };
  }
}

export interface SgdOptions extends OptimizerOptions { momentum?: number; nesterov?: boolean }
export class SGD extends Optimizer {
  readonly className = 'SGD';
  readonly momentum: number;
  readonly nesterov: boolean;
  get stateSlabs() { return this.momentum > 0 ? 1 : 0; }
  constructor(o: SgdOptions = {}) {
    super(o, 0.01);
    this.momentum = o.momentum ?? 0;
    this.nesterov = o.nesterov ?? false;
  }
  apply(k: Kernels, W: Ptr, G: Ptr, s: Ptr[], P: number, i0: number, i1: number): void {
    this.iterations++;
    k.sgd(W, s[0] ?? 0, G, P, { learningRate: this.learningRate, momentum: this.momentum, nesterov: this.nesterov }, i0, i1);
  }
  protected own() { return { momentum: this.momentum, nesterov: this.nesterov }; }
}

export interface AdamOptions extends OptimizerOptions { beta1?: number; beta2?: number; epsilon?: number }
export class Adam extends Optimizer {
  readonly className: string = 'Adam';
  readonly stateSlabs = 2;
  readonly beta1: number;
  readonly beta2: number;
  readonly epsilon: number;
  constructor(o: AdamOptions = {}) {
    super(o, 0.001);
    this.beta1 = o.beta1 ?? 0.9;
    this.beta2 = o.beta2 ?? 0.999;
    this.epsilon = o.epsilon ?? 1e-7;
  }
  apply(k: Kernels, W: Ptr, G: Ptr, s: Ptr[], P: number, i0: number, i1: number): void {
    const step = ++this.iterations;
    k.adam(W, s[0], s[1], G, P, { learningRate: this.learningRate, beta1: this.beta1, beta2: this.beta2, epsilon: this.epsilon, step }, i0, i1);
  }
  protected own(): Record<string, unknown> { return { beta1: this.beta1, beta2: this.beta2, epsilon: this.epsilon }; }
}

export interface AdamWOptions extends AdamOptions { weightDecay?: number }
export class AdamW extends Adam {
  override readonly className = 'AdamW';
  readonly weightDecay: number;
  constructor(o: AdamWOptions = {}) {
    super(o);
    this.weightDecay = o.weightDecay ?? 0.004;
  }
  override apply(k: Kernels, W: Ptr, G: Ptr, s: Ptr[], P: number, i0: number, i1: number): void {
    const step = ++this.iterations;
    k.adamw(W, s[0], s[1], G, P, { learningRate: this.learningRate, beta1: this.beta1, beta2: this.beta2, epsilon: this.epsilon, weightDecay: this.weightDecay, step }, i0, i1);
  }
  protected override own() { return { ...super.own(), weightDecay: this.weightDecay }; }
}

export interface RmspropOptions extends OptimizerOptions { rho?: number; epsilon?: number }
export class RMSprop extends Optimizer {
  readonly className = 'RMSprop';
  readonly stateSlabs = 1;
  readonly rho: number;
  readonly epsilon: number;
  constructor(o: RmspropOptions = {}) {
    super(o, 0.001);
    this.rho = o.rho ?? 0.9;
    this.epsilon = o.epsilon ?? 1e-7;
  }
  apply(k: Kernels, W: Ptr, G: Ptr, s: Ptr[], P: number, i0: number, i1: number): void {
    this.iterations++;
    k.rmsprop(W, s[0], G, P, { learningRate: this.learningRate, rho: this.rho, epsilon: this.epsilon }, i0, i1);
  }
  protected own() { return { rho: this.rho, epsilon: this.epsilon }; }
}

export interface AdagradOptions extends OptimizerOptions { epsilon?: number; initialAccumulatorValue?: number }
export class Adagrad extends Optimizer {
  readonly className = 'Adagrad';
  readonly stateSlabs = 1;
  readonly epsilon: number;
  readonly initialAccumulatorValue: number;
  constructor(o: AdagradOptions = {}) {
    super(o, 0.001);
    this.epsilon = o.epsilon ?? 1e-7;
    this.initialAccumulatorValue = o.initialAccumulatorValue ?? ADAGRAD_INITIAL_ACCUMULATOR;
  }
  override initState(k: Kernels, state: Ptr[], P: number): void {
    k.fill(state[0], this.initialAccumulatorValue, P);
  }
  apply(k: Kernels, W: Ptr, G: Ptr, s: Ptr[], P: number, i0: number, i1: number): void {
    this.iterations++;
    k.adagrad(W, s[0], G, P, { learningRate: this.learningRate, epsilon: this.epsilon }, i0, i1);
  }
  protected own() { return { epsilon: this.epsilon, initialAccumulatorValue: this.initialAccumulatorValue }; }
}

const BY_NAME: Record<string, (o: Record<string, unknown>) => Optimizer> = {
  sgd: (o) => new SGD(o), adam: (o) => new Adam(o), adamw: (o) => new AdamW(o), rmsprop: (o) => new RMSprop(o), adagrad: (o) => new Adagrad(o),
};

export type OptimizerSpec = string | Optimizer | { className: string; config?: Record<string, unknown> };

/** 'adam' | Adam instance | { className: 'Adam', config: {...} } → Optimizer. */
export function getOptimizer(spec: OptimizerSpec): Optimizer {
  if (spec instanceof Optimizer) return spec;
  const name = typeof spec === 'string' ? spec : spec?.className;
  const make = typeof name === 'string' ? BY_NAME[name.toLowerCase()] : undefined;
  if (!make) throw new ConfigError(`unknown optimizer ${JSON.stringify(name)}; known: sgd, adam, adamw, rmsprop, adagrad`);
  return make(typeof spec === 'object' && spec.config ? spec.config : {});
}
