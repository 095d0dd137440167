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

/** Relative slack covering f32 rounding in the bounds of updateBounds (9 roundings of 2^-24 ≈ 5.4e-7). */
const SLACK = 1e-6;
/**
 * The fast path's limit for every bounded magnitude: a finite f32 weight plus a step below 2^103 (half an ulp
 * of the largest float) rounds to a finite value, and squares of gradients below 1e15 stay far from overflow.
 */
const SAFE_BOUND = 1e30;

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
   * Per state allocation (the Trainer's slab list): an upper bound of |every state value| in the slabs, set by
   * initState, raised by fast steps, measured again by checked steps (the values outside the updated range
   * keep their initial value). Absent = unknown: every step runs checked.
   */
  private stateBounds = new WeakMap<Ptr[], number>();

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
   * gradients (grads: the model's GradTable over G), clipping, then the update. When the gradients hold a
   * NaN/Inf, or the update would make a weight or an optimizer state value NaN/±Inf (overflow of a huge
   * step), the weights, the state and the iteration count are left as they were before the step and the
   * result says where the first bad value sat (tensor = index into the GradTable, index inside that tensor);
   * the caller records a guard event.
   *
   * Two paths, the same result. Fast path (almost every step, no extra memory traffic): updateBounds proves
   * from the gradient norm, the tracked bound of the state and the hyperparameters that every new value is
   * finite (a finite weight minus a step below 2^103 stays finite in f32), so the update runs unchecked.
   * Checked path (no proof: huge gradients or state, unknown state bound, a subclass without bounds): one
   * copy of (1 + stateSlabs)·(i1 − i0) floats into a reused JS buffer, the update, one sum-of-squares pass
   * per slab, and the copy written back when a value came out non-finite. The state bound is known from
   * initState on; the optimizer assumes it alone writes its state slabs.
   */
  step(k: Kernels, grads: GradTable, W: Ptr, G: Ptr, state: Ptr[], P: number, i0: number, i1: number): GradNormResult {
    const n = i1 - i0, slabs = [W, ...state], iterations = this.iterations, known = this.stateBounds.get(state);
    let checked = false;
    const norms = guardedStep(k, grads, this.clip, (pre) => {
      const b = known === undefined ? null : this.updateBounds(pre.norm * (1 + SLACK), known);
      if (b && b.step < SAFE_BOUND && b.state < SAFE_BOUND) {
        this.apply(k, W, G, state, P, i0, i1);
        this.stateBounds.set(state, Math.max(known!, b.state));
        return;
      }
      checked = true;
      if (!this.backup || this.backup.length < slabs.length * n) this.backup = new Float32Array(slabs.length * n);
      const backup = this.backup, F = k.arena.F32;
      slabs.forEach((p, s) => backup.set(F.subarray((p >> 2) + i0, (p >> 2) + i1), s * n));
      this.apply(k, W, G, state, P, i0, i1);
    });
    if (!norms.finite || !checked || n === 0) return norms;
    const sums = slabs.map((p) => k.sumSquares(p + i0 * 4, n));
    const bad = sums.findIndex((v) => !Number.isFinite(v));
    if (bad < 0) {
      // The checked step succeeded: the state's root-sum-of-squares bounds each state value from here on.
      const init = this.initialStateBound();
      if (known !== undefined && init !== null) this.stateBounds.set(state, Math.max(init, Math.sqrt(Math.max(0, ...sums.slice(1))) * (1 + SLACK)));
      return norms;
    }
    const backup = this.backup!, F = k.arena.F32;
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

  /** Fills fresh state slabs (most start at zero) and records the bound of their values. */
  initState(k: Kernels, state: Ptr[], P: number): void {
    for (const s of state) k.fill(s, 0, P);
    const init = this.initialStateBound();
    if (init === null) this.stateBounds.delete(state);
    else this.stateBounds.set(state, init);
  }

  /** |every value| initState writes; null when the fast path's proofs do not hold for it (a negative accumulator). */
  protected initialStateBound(): number | null {
    return 0;
  }

  /**
   * Upper bounds for one update (the fast path of step()), from g ≥ |every gradient element| and s ≥ |every
   * state value| (accumulators of squares are ≥ 0, which every update keeps): `step` ≥ |what is added to any
   * weight| and every intermediate product, `state` ≥ |every new state value|. Each f32 operation's rounding is
   * covered by a (1 + 1e-6) factor. Infinity = no proof, the step runs checked (the default for subclasses).
   */
  protected updateBounds(_g: number, _s: number): { step: number; state: number } {
    return { step: Infinity, state: Infinity };
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
  /** m = m·μ − g·lr; w += m (Nesterov: w += m·μ − g·lr). */
  protected override updateBounds(g: number, s: number) {
    const lr = f32(this.learningRate), mu = f32(this.momentum), glr = grown(g * lr);
    if (mu === 0) return { step: glr, state: 0 };
    const m = grown(s * mu + glr);
    return { step: this.nesterov ? grown(m * mu + glr) : m, state: m };
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
  /**
   * m and v move by convex steps toward g and g² (|m'| ≤ max(|m|, |g|), 0 ≤ v' ≤ max(v, g²)); the step is
   * (m'·α)/(sqrt(v') + ε) ≤ m'·α/ε with α the kernel's bias-corrected rate of step t = iterations + 1.
   */
  protected override updateBounds(g: number, s: number) {
    const t = this.iterations + 1, lr = this.learningRate, eps = f32(this.epsilon);
    const alpha = f32((lr * Math.sqrt(1 - this.beta2 ** t)) / (1 - this.beta1 ** t)) * (1 + SLACK);
    if (!(eps > 0)) return { step: Infinity, state: Infinity };
    const state = grown(Math.max(s, g, g * g)), ma = grown(state * alpha);
    return { step: Math.max(ma, grown(ma / eps)), state };
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
  /** The decay w −= (w·wd)·lr comes first and only shrinks |w| while wd and lr are ≤ 1; then Adam's bounds. */
  protected override updateBounds(g: number, s: number) {
    if (f32(this.weightDecay) > 1 || f32(this.learningRate) > 1) return { step: Infinity, state: Infinity };
    return super.updateBounds(g, s);
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
  /** v' = ρ·v + (1 − ρ)·g² ≤ (ρ + (1 − ρ))·max(v, g²) in f32 coefficients; step (lr·g)/sqrt(v' + ε) ≤ lr·g/sqrt(ε). */
  protected override updateBounds(g: number, s: number) {
    return rootStepBounds(this.learningRate, this.epsilon, g, grown((f32(this.rho) + f32(1 - this.rho)) * Math.max(s, g * g)));
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
    super.initState(k, state, P);
    k.fill(state[0], this.initialAccumulatorValue, P);
  }
  protected override initialStateBound(): number | null {
    const a = f32(this.initialAccumulatorValue);
    return a >= 0 && a < SAFE_BOUND ? a : null;
  }
  apply(k: Kernels, W: Ptr, G: Ptr, s: Ptr[], P: number, i0: number, i1: number): void {
    this.iterations++;
    k.adagrad(W, s[0], G, P, { learningRate: this.learningRate, epsilon: this.epsilon }, i0, i1);
  }
  /** a' = a + g² (grows); step (lr·g)/sqrt(a' + ε) ≤ lr·g/sqrt(ε). */
  protected override updateBounds(g: number, s: number) {
    return rootStepBounds(this.learningRate, this.epsilon, g, grown(s + g * g));
  }
  protected own() { return { epsilon: this.epsilon, initialAccumulatorValue: this.initialAccumulatorValue }; }
}

/** Bounds of w −= (lr·g)/sqrt(a' + ε) with a' ≥ 0 the new accumulator (RMSprop, Adagrad). */
function rootStepBounds(learningRate: number, epsilon: number, g: number, state: number): { step: number; state: number } {
  const eps = f32(epsilon), glr = grown(g * f32(learningRate));
  if (!(eps > 0)) return { step: Infinity, state: Infinity };
  return { step: Math.max(glr, grown(glr / Math.sqrt(eps))), state };
}

/** x rounded to f32 the way the kernels round hyperparameters (Math.fround). */
const f32 = Math.fround;
/** x raised by the rounding slack of a few f32 operations. */
const grown = (x: number) => x * (1 + SLACK) ** 4;

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
