// Optimizers as objects (Keras names and defaults) over the fused flat update kernels. Clipping options
// (one at most): clipvalue, clipnorm (Keras, per tensor), globalClipnorm (Keras, global norm),
// clipGradNorm (PyTorch clip_grad_norm_). The update runs once over the trainable range of the slabs.

import type { Kernels, Ptr } from '../bindings/index.js';
import type { GradNormResult, GradTable } from '../bindings/families/clipping.js';
import { ADAGRAD_INITIAL_ACCUMULATOR, guardedStep, type ClipSpec } from '../bindings/families/optimizers.js';
import { describeValue, OptionError } from './options/schema.js';
import { validateOptimizerOptions } from './options/optimizers.js';
import { getSchedule, isScheduleSpec } from './schedules/get-schedule.js';
import type { LearningRateSchedule, ScheduleConfig } from './schedules/learning-rate-schedule.js';

/** Gradient clipping: clipvalue, clipnorm, globalClipnorm (Keras) and clipGradNorm (PyTorch); see docs/optimizers-and-clipping.md. */
export interface ClipOptions {
  clipvalue?: number;
  clipnorm?: number;
  globalClipnorm?: number;
  clipGradNorm?: number;
}

/** Options every optimizer takes: the learning rate and the clipping options. */
export interface OptimizerOptions extends ClipOptions {
  /** A rate, or a schedule of the step (src/schedules; Keras: a LearningRateSchedule as learning_rate). */
  learningRate?: number | LearningRateSchedule | ScheduleConfig;
}

/** Base class of the optimizers: a fused update of the whole flat parameter table behind the NaN/Inf guard. */
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
  /** Copy of the weights and state of the running step's range (reused between steps; see step()). */
  private backup: Float32Array | null = null;

  /**
   * @param options the user's options, validated here (src/options/optimizers.ts): wrong types, out-of-range
   *   values and unknown keys throw OptionError (a ConfigError) naming the optimizer and the option
   * @param defaultLr Keras' default learning rate of the subclass
   * @param kind the optimizer's lower-case name ('adam', ...) selecting its schema; other names (user
   *   subclasses) check only the shared options
   */
  constructor(options: OptimizerOptions = {}, defaultLr = 0.001, kind = '') {
    validateOptimizerOptions(typeof kind === 'string' && kind ? kind : new.target.name, options);
    options ??= {};
    this.schedule = isScheduleSpec(options.learningRate) ? getSchedule(options.learningRate) : null;
    this.learningRate = this.schedule ? this.schedule.at(0) : (options.learningRate as number | undefined) ?? defaultLr;
    const modes = (['clipvalue', 'clipnorm', 'globalClipnorm', 'clipGradNorm'] as const).filter((k) => options[k] !== undefined && options[k] !== null);
    this.clip = modes.length === 1 ? ({ [modes[0]]: options[modes[0]] } as ClipSpec) : null;
  }

  /**
   * One guarded training step over the trainable range [i0, i1) of the slabs: the NaN/Inf guard on the
   * gradients (grads: the model's GradTable over G), clipping, the update, then a check of the result.
   * When the gradients hold a NaN/Inf, or the update made a weight or an optimizer state value NaN/±Inf
   * (overflow of a huge step), the weights, the state and the iteration count are left as they were before
   * the step and the result says where the first bad value sat (tensor = index into the GradTable, index
   * inside that tensor); the caller records a guard event. Costs one copy of (1 + stateSlabs)·(i1 − i0)
   * floats per step (into a reused JS buffer) and one sum-of-squares pass per slab.
   */
  step(k: Kernels, grads: GradTable, W: Ptr, G: Ptr, state: Ptr[], P: number, i0: number, i1: number): GradNormResult {
    const n = i1 - i0, slabs = [W, ...state];
    if (!this.backup || this.backup.length < slabs.length * n) this.backup = new Float32Array(slabs.length * n);
    const backup = this.backup;
    let F = k.arena.F32;
    slabs.forEach((p, s) => backup.set(F.subarray((p >> 2) + i0, (p >> 2) + i1), s * n));
    const iterations = this.iterations;
    const norms = guardedStep(k, grads, this.clip, () => this.apply(k, W, G, state, P, i0, i1));
    if (!norms.finite || n === 0) return norms;
    const bad = slabs.findIndex((p) => !Number.isFinite(k.sumSquares(p + i0 * 4, n)));
    if (bad < 0) return norms;
    F = k.arena.F32;
    const base = (slabs[bad] >> 2) + i0;
    let j = 0;
    while (j < n && Number.isFinite(F[base + j])) j++;
    const value = F[base + j];
    slabs.forEach((p, s) => F.set(backup.subarray(s * n, (s + 1) * n), (p >> 2) + i0));
    this.iterations = iterations;
    // Map the element to its tensor through the GradTable's [offset, length] pairs (offsets are from the slab base).
    const I = k.arena.I32, at = i0 + j;
    for (let t = 0; t < grads.count; t++) {
      const off = I[(grads.table >> 2) + 2 * t], len = I[(grads.table >> 2) + 2 * t + 1];
      if (at >= off && at < off + len) return { finite: false, tensor: t, index: at - off, value };
    }
    return { finite: false, tensor: 0, index: at, value };
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

/** Options of SGD (Keras names and defaults). */
export interface SgdOptions extends OptimizerOptions { momentum?: number; nesterov?: boolean }
/** Stochastic gradient descent with optional (Nesterov) momentum (Keras SGD), one fused update. */
export class SGD extends Optimizer {
  readonly className = 'SGD';
  readonly momentum: number;
  readonly nesterov: boolean;
  get stateSlabs() { return this.momentum > 0 ? 1 : 0; }
  constructor(o: SgdOptions = {}) {
    super(o, 0.01, 'sgd');
    this.momentum = o.momentum ?? 0;
    this.nesterov = o.nesterov ?? false;
  }
  apply(k: Kernels, W: Ptr, G: Ptr, s: Ptr[], P: number, i0: number, i1: number): void {
    this.iterations++;
    k.sgd(W, s[0] ?? 0, G, P, { learningRate: this.learningRate, momentum: this.momentum, nesterov: this.nesterov }, i0, i1);
  }
  protected own() { return { momentum: this.momentum, nesterov: this.nesterov }; }
}

/** Options of Adam (Keras names and defaults). */
export interface AdamOptions extends OptimizerOptions { beta1?: number; beta2?: number; epsilon?: number }
/** Adam (Keras), one fused update. */
export class Adam extends Optimizer {
  readonly className: string = 'Adam';
  readonly stateSlabs = 2;
  readonly beta1: number;
  readonly beta2: number;
  readonly epsilon: number;
  constructor(o: AdamOptions = {}, kind = 'adam') {
    super(o, 0.001, typeof kind === 'string' ? kind : 'adam');
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

/** Options of AdamW: Adam's plus the decoupled weight decay. */
export interface AdamWOptions extends AdamOptions { weightDecay?: number }
/** Adam with decoupled weight decay (Keras AdamW), one fused update. */
export class AdamW extends Adam {
  override readonly className = 'AdamW';
  readonly weightDecay: number;
  constructor(o: AdamWOptions = {}) {
    super(o, 'adamw');
    this.weightDecay = o.weightDecay ?? 0.004;
  }
  override apply(k: Kernels, W: Ptr, G: Ptr, s: Ptr[], P: number, i0: number, i1: number): void {
    const step = ++this.iterations;
    k.adamw(W, s[0], s[1], G, P, { learningRate: this.learningRate, beta1: this.beta1, beta2: this.beta2, epsilon: this.epsilon, weightDecay: this.weightDecay, step }, i0, i1);
  }
  protected override own() { return { ...super.own(), weightDecay: this.weightDecay }; }
}

/** Options of RMSprop (Keras names and defaults). */
export interface RmspropOptions extends OptimizerOptions { rho?: number; epsilon?: number }
/** RMSprop (Keras, not centered, no momentum), one fused update. */
export class RMSprop extends Optimizer {
  readonly className = 'RMSprop';
  readonly stateSlabs = 1;
  readonly rho: number;
  readonly epsilon: number;
  constructor(o: RmspropOptions = {}) {
    super(o, 0.001, 'rmsprop');
    this.rho = o.rho ?? 0.9;
    this.epsilon = o.epsilon ?? 1e-7;
  }
  apply(k: Kernels, W: Ptr, G: Ptr, s: Ptr[], P: number, i0: number, i1: number): void {
    this.iterations++;
    k.rmsprop(W, s[0], G, P, { learningRate: this.learningRate, rho: this.rho, epsilon: this.epsilon }, i0, i1);
  }
  protected own() { return { rho: this.rho, epsilon: this.epsilon }; }
}

/** Options of Adagrad (Keras names and defaults). */
export interface AdagradOptions extends OptimizerOptions { epsilon?: number; initialAccumulatorValue?: number }
/** Adagrad (Keras), one fused update. */
export class Adagrad extends Optimizer {
  readonly className = 'Adagrad';
  readonly stateSlabs = 1;
  readonly epsilon: number;
  readonly initialAccumulatorValue: number;
  constructor(o: AdagradOptions = {}) {
    super(o, 0.001, 'adagrad');
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

/** What compile() accepts as optimizer: a name, an instance, or a { className, config } object. */
export type OptimizerSpec = string | Optimizer | { className: string; config?: Record<string, unknown> };

/** 'adam' | Adam instance | { className: 'Adam', config: {...} } → Optimizer. */
export function getOptimizer(spec: OptimizerSpec): Optimizer {
  if (spec instanceof Optimizer) return spec;
  const name = typeof spec === 'string' ? spec : typeof spec === 'object' && spec !== null ? spec.className : undefined;
  const make = typeof name === 'string' && Object.prototype.hasOwnProperty.call(BY_NAME, name.toLowerCase()) ? BY_NAME[name.toLowerCase()] : undefined;
  if (!make) {
    const what = typeof spec === 'object' && spec !== null ? `{ className: ${JSON.stringify(name)} }` : typeof spec === 'string' ? JSON.stringify(spec) : describeValue(spec);
    throw new OptionError('compile', 'optimizer', spec, 'sgd, adam, adamw, rmsprop, adagrad', `compile: unknown optimizer ${what}; known: sgd, adam, adamw, rmsprop, adagrad (or an Optimizer object)`);
  }
  const config = typeof spec === 'object' ? spec.config : undefined;
  if (config !== undefined && (typeof config !== 'object' || config === null || Array.isArray(config))) {
    throw new OptionError(name as string, 'config', config, 'an object', `${name}: config must be an object of options, got ${describeValue(config)}`);
  }
  return make(config ?? {});
}
