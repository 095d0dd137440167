// Fused optimizer updates and the regularization gradient: raw ABI, checked entry points, and guardedStep.
// Legend: P elements per slab; [i0, i1) the element range updated (default the whole slab).
//
//   | params W (P) | grads G (P) | state M (P) | state V (P) |     one offset names the same parameter in each
//
// W, G and the state slabs must be pairwise disjoint. Hyperparameters use Keras config names (camelCase) and
// Keras defaults; `step` is the 1-based step number t (Keras `iterations + 1`).

import type { Ptr } from '../arena.js';
import type { ArgumentCheck, Checker } from '../checker.js';
import { KernelArgumentError } from '../errors.js';
import type { ClippingKernels, GradNormResult, GradTable } from './clipping.js';

export interface OptimizersRaw {
  sgd_update(W: Ptr, M: Ptr, G: Ptr, lr: number, momentum: number, nesterov: number, i0: number, i1: number): void;
  adam_update(W: Ptr, M: Ptr, V: Ptr, G: Ptr, lr: number, beta1: number, beta2: number, epsilon: number, t: number, i0: number, i1: number): void;
  adamw_update(
    W: Ptr, M: Ptr, V: Ptr, G: Ptr, lr: number, beta1: number, beta2: number, epsilon: number, t: number, weight_decay: number,
    i0: number, i1: number,
  ): void;
  rmsprop_update(W: Ptr, V: Ptr, G: Ptr, lr: number, rho: number, epsilon: number, i0: number, i1: number): void;
  adagrad_update(W: Ptr, A: Ptr, G: Ptr, lr: number, epsilon: number, i0: number, i1: number): void;
  regularizer_grad(G: Ptr, W: Ptr, l1: number, l2: number, i0: number, i1: number): void;
}

/** Hyper-parameters of the fused SGD kernel (`Kernels.sgd`), Keras names and defaults. */
export interface SgdKernelOptions {
  /** Default 0.01. */
  learningRate?: number;
  /** In [0, 1]; default 0 (then the velocity slab M is not read and may be 0). */
  momentum?: number;
  nesterov?: boolean;
}

/** Hyper-parameters of the fused Adam kernel (`Kernels.adam`), including the 1-based step t. */
export interface AdamKernelOptions {
  /** Default 0.001. */
  learningRate?: number;
  /** In [0, 1); default 0.9. */
  beta1?: number;
  /** In [0, 1); default 0.999. */
  beta2?: number;
  /** Default 1e-7 (added to sqrt(v), Keras form). */
  epsilon?: number;
  /** The 1-based step number t. */
  step: number;
}

/** Adam kernel options plus the decoupled weight decay (`Kernels.adamw`). */
export interface AdamWKernelOptions extends AdamKernelOptions {
  /** Decoupled decay; default 0.004 (Keras AdamW). */
  weightDecay?: number;
}

/** Hyper-parameters of the fused RMSprop kernel (`Kernels.rmsprop`). */
export interface RmspropKernelOptions {
  /** Default 0.001. */
  learningRate?: number;
  /** In [0, 1); default 0.9. */
  rho?: number;
  /** Default 1e-7 (inside the root). */
  epsilon?: number;
}

/** Hyper-parameters of the fused Adagrad kernel (`Kernels.adagrad`). */
export interface AdagradKernelOptions {
  /** Default 0.001. */
  learningRate?: number;
  /** Default 1e-7 (inside the root). */
  epsilon?: number;
}

export interface OptimizerKernels {
  /** Keras SGD over [i0, i1): m = m·μ − g·lr; w += m (Nesterov: w += m·μ − g·lr); μ = 0: w −= g·lr. */
  sgd(W: Ptr, M: Ptr, G: Ptr, P: number, options?: SgdKernelOptions, i0?: number, i1?: number): void;
  /** Keras Adam over [i0, i1): m, v moments in M, V; w −= m·α/(sqrt(v) + ε), α = lr·sqrt(1−β2^t)/(1−β1^t). */
  adam(W: Ptr, M: Ptr, V: Ptr, G: Ptr, P: number, options: AdamKernelOptions, i0?: number, i1?: number): void;
  /** Keras AdamW: w −= (w·wd)·lr, then the Adam step, in one pass. */
  adamw(W: Ptr, M: Ptr, V: Ptr, G: Ptr, P: number, options: AdamWKernelOptions, i0?: number, i1?: number): void;
  /** Keras RMSprop (momentum 0, not centered): v = ρv + (1−ρ)g²; w −= lr·g/sqrt(v + ε). */
  rmsprop(W: Ptr, V: Ptr, G: Ptr, P: number, options?: RmspropKernelOptions, i0?: number, i1?: number): void;
  /** Keras Adagrad: a += g²; w −= lr·g/sqrt(a + ε). Fill A with initial_accumulator_value (0.1) first. */
  adagrad(W: Ptr, A: Ptr, G: Ptr, P: number, options?: AdagradKernelOptions, i0?: number, i1?: number): void;
  /** G += l1·sign(W) + 2·l2·W over [i0, i1): the gradient of Keras L1L2 (l1·Σ|w| + l2·Σw²). */
  regularizerGrad(G: Ptr, W: Ptr, P: number, l1: number, l2: number, i0?: number, i1?: number): void;
}

/** Keras' default initial_accumulator_value for Adagrad. */
export const ADAGRAD_INITIAL_ACCUMULATOR = 0.1;

// ---- checks

function elementRange(c: ArgumentCheck, i0: number, i1: number, P: number): void {
  if (typeof i0 !== 'number' || !Number.isSafeInteger(i0) || i0 < 0 || i0 > P) c.fail('i0', i0, `must be an integer in [0, P = ${P}]`);
  if (typeof i1 !== 'number' || !Number.isSafeInteger(i1) || i1 < i0 || i1 > P) c.fail('i1', i1, `must be an integer in [i0 = ${i0}, P = ${P}]`);
}

/** Every slab is a P-element buffer in memory, and no two overlap. */
function slabs(c: ArgumentCheck, P: number, named: Array<[string, Ptr]>): void {
  for (const [name, p] of named) c.buffer(name, p, P);
  for (let a = 0; a < named.length; a++) {
    for (let b = a + 1; b < named.length; b++) c.disjoint(named[a][0], named[a][1], P, named[b][0], named[b][1], P);
  }
}

function options<T extends object>(c: ArgumentCheck, value: T | undefined, required: boolean): Partial<T> {
  if (value === undefined && !required) return {};
  if (typeof value !== 'object' || value === null) c.fail('options', value, 'must be an options object');
  return value;
}

function nonNegative(c: ArgumentCheck, name: string, value: number): number {
  c.finite(name, value);
  if (value < 0) c.fail(name, value, 'must be >= 0');
  return value;
}

function unitInterval(c: ArgumentCheck, name: string, value: number, closed: boolean): number {
  c.finite(name, value);
  if (value < 0 || (closed ? value > 1 : value >= 1)) c.fail(name, value, `must be in [0, 1${closed ? ']' : ')'}`);
  return value;
}

function stepNumber(c: ArgumentCheck, value: number): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1 || value > 0x7fffffff) {
    c.fail('step', value, 'must be an integer >= 1 (the 1-based step number t)');
  }
  return value;
}

function adamHyper(c: ArgumentCheck, o: Partial<AdamKernelOptions>) {
  return {
    lr: nonNegative(c, 'learningRate', o.learningRate ?? 0.001),
    beta1: unitInterval(c, 'beta1', o.beta1 ?? 0.9, false),
    beta2: unitInterval(c, 'beta2', o.beta2 ?? 0.999, false),
    epsilon: nonNegative(c, 'epsilon', o.epsilon ?? 1e-7),
    t: stepNumber(c, o.step as number),
  };
}

export function optimizerKernels(raw: OptimizersRaw, checker: Checker): OptimizerKernels {
  return {
    sgd(W, M, G, P, opts, i0 = 0, i1 = P) {
      const c = checker.begin('sgd_update');
      const o = options(c, opts, false);
      c.dim('P', P);
      elementRange(c, i0, i1, P);
      const lr = nonNegative(c, 'learningRate', o.learningRate ?? 0.01);
      const momentum = unitInterval(c, 'momentum', o.momentum ?? 0, true);
      const nesterov = c.flag('nesterov', o.nesterov ?? false);
      slabs(c, P, momentum === 0 ? [['W', W], ['G', G]] : [['W', W], ['M', M], ['G', G]]);
      if (i0 === i1) return;
      raw.sgd_update(W, momentum === 0 ? 0 : M, G, lr, momentum, nesterov, i0, i1);
    },
    adam(W, M, V, G, P, opts, i0 = 0, i1 = P) {
      const c = checker.begin('adam_update');
      const o = options(c, opts, true);
      c.dim('P', P);
      elementRange(c, i0, i1, P);
      const h = adamHyper(c, o);
      slabs(c, P, [['W', W], ['M', M], ['V', V], ['G', G]]);
      if (i0 === i1) return;
      raw.adam_update(W, M, V, G, h.lr, h.beta1, h.beta2, h.epsilon, h.t, i0, i1);
    },
    adamw(W, M, V, G, P, opts, i0 = 0, i1 = P) {
      const c = checker.begin('adamw_update');
      const o = options(c, opts, true);
      c.dim('P', P);
      elementRange(c, i0, i1, P);
      const h = adamHyper(c, o);
      const wd = nonNegative(c, 'weightDecay', o.weightDecay ?? 0.004);
      slabs(c, P, [['W', W], ['M', M], ['V', V], ['G', G]]);
      if (i0 === i1) return;
      raw.adamw_update(W, M, V, G, h.lr, h.beta1, h.beta2, h.epsilon, h.t, wd, i0, i1);
    },
    rmsprop(W, V, G, P, opts, i0 = 0, i1 = P) {
      const c = checker.begin('rmsprop_update');
      const o = options(c, opts, false);
      c.dim('P', P);
      elementRange(c, i0, i1, P);
      const lr = nonNegative(c, 'learningRate', o.learningRate ?? 0.001);
      const rho = unitInterval(c, 'rho', o.rho ?? 0.9, false);
      const epsilon = nonNegative(c, 'epsilon', o.epsilon ?? 1e-7);
      slabs(c, P, [['W', W], ['V', V], ['G', G]]);
      if (i0 === i1) return;
      raw.rmsprop_update(W, V, G, lr, rho, epsilon, i0, i1);
    },
    adagrad(W, A, G, P, opts, i0 = 0, i1 = P) {
      const c = checker.begin('adagrad_update');
      const o = options(c, opts, false);
      c.dim('P', P);
      elementRange(c, i0, i1, P);
      const lr = nonNegative(c, 'learningRate', o.learningRate ?? 0.001);
      const epsilon = nonNegative(c, 'epsilon', o.epsilon ?? 1e-7);
      slabs(c, P, [['W', W], ['A', A], ['G', G]]);
      if (i0 === i1) return;
      raw.adagrad_update(W, A, G, lr, epsilon, i0, i1);
    },
    regularizerGrad(G, W, P, l1, l2, i0 = 0, i1 = P) {
      const c = checker.begin('regularizer_grad');
      c.dim('P', P);
      elementRange(c, i0, i1, P);
      nonNegative(c, 'l1', l1);
      nonNegative(c, 'l2', l2);
      slabs(c, P, [['G', G], ['W', W]]);
      if (i0 === i1) return;
      raw.regularizer_grad(G, W, l1, l2, i0, i1);
    },
  };
}

// ---- guarded step

/** Exactly one clipping mode, by its honest name. */
export type ClipSpec =
  | { readonly clipvalue: number }
  | { readonly clipnorm: number }
  | { readonly globalClipnorm: number }
  | { readonly clipGradNorm: number };

/**
 * Norm pass → clip → update, only if every gradient is finite. On a NaN/±Inf gradient nothing is written:
 * no clipping, no update (weights and optimizer state stay bit-identical), and the result names the tensor
 * and the index within it. `update` runs the optimizer (e.g. `() => k.adam(W, M, V, G, P, { step })`); it
 * receives the norm pass result (the global norm bounds every gradient element, also after clipping).
 * Returns the norm pass result (norms before clipping).
 */
export function guardedStep(
  k: ClippingKernels, grads: GradTable, clip: ClipSpec | null | undefined, update: (norms: Extract<GradNormResult, { finite: true }>) => void,
): GradNormResult {
  const norms = k.gradNorms(grads);
  if (!norms.finite) return norms;
  if (clip != null) {
    const keys = Object.keys(clip);
    if (keys.length !== 1) {
      throw new KernelArgumentError('guarded_step', 'clip', `{${keys.join(', ')}}`, 'must name exactly one mode: clipvalue, clipnorm, globalClipnorm or clipGradNorm');
    }
    if ('clipvalue' in clip) k.clipValue(grads, clip.clipvalue);
    else if ('clipnorm' in clip) k.clipNorm(grads, clip.clipnorm, norms);
    else if ('globalClipnorm' in clip) k.globalClipnorm(grads, clip.globalClipnorm, norms);
    else if ('clipGradNorm' in clip) k.clipGradNorm(grads, clip.clipGradNorm, norms);
    else throw new KernelArgumentError('guarded_step', 'clip', keys[0], 'is not a clip mode (clipvalue, clipnorm, globalClipnorm, clipGradNorm)');
  }
  update(norms);
  return norms;
}
