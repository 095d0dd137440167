// Option schemas of the optimizers (Keras names) and the clip options they share. Beyond Keras' own
// checks, settings that make an update non-finite from finite gradients are refused here, at compile:
// epsilon 0 (Adam/AdamW/RMSprop/Adagrad divide by sqrt(v) + epsilon, 0/0 = NaN for a zero gradient),
// beta or rho ≥ 1 (bias correction 1/(1 − β^t) = 1/0), a negative Adagrad accumulator (sqrt of < 0).

import { anyOf, boolean, custom, number, OptionError, positive, validateOptions, type Schema } from './schema.js';

const CLIP: Schema = { clipvalue: positive(), clipnorm: positive(), globalClipnorm: positive(), clipGradNorm: positive() };
/** A learning rate: a positive number, or a schedule (src/schedules: a LearningRateSchedule object or { className, config }). */
const learningRate = anyOf([positive(), custom('a LearningRateSchedule', (v) => typeof v === 'object' && v !== null && !Array.isArray(v) &&
  (typeof (v as { className?: unknown }).className === 'string' || typeof (v as { getConfig?: unknown }).getConfig === 'function'))],
'a positive finite number or a learning-rate schedule');
const BASE: Schema = { learningRate, ...CLIP };
const unitOpen = number({ min: 0, max: 1, maxExclusive: true });
const epsilon = positive();

/** Schemas by lower-case optimizer name, with the class name used in messages. */
export const OPTIMIZER_SCHEMAS: Readonly<Record<string, { className: string; schema: Schema }>> = {
  sgd: { className: 'SGD', schema: { ...BASE, momentum: unitOpen, nesterov: boolean() } },
  adam: { className: 'Adam', schema: { ...BASE, beta1: unitOpen, beta2: unitOpen, epsilon } },
  adamw: { className: 'AdamW', schema: { ...BASE, beta1: unitOpen, beta2: unitOpen, epsilon, weightDecay: number({ min: 0 }) } },
  rmsprop: { className: 'RMSprop', schema: { ...BASE, rho: unitOpen, epsilon } },
  adagrad: { className: 'Adagrad', schema: { ...BASE, epsilon, initialAccumulatorValue: number({ min: 0 }) } },
};

/**
 * Validates an optimizer's options (constructor options or a compile-level `{ className, config }`'s config).
 * `name` is the optimizer's class name (any case). Throws OptionError: `Adam: epsilon must be a positive finite number, got 0`.
 * The Optimizer constructors call it; `path` prefixes option names (e.g. "optimizer.config.").
 */
export function validateOptimizerOptions(name: string, options: unknown, path = ''): void {
  const key = name.toLowerCase();
  // A user-defined Optimizer subclass: the shared options are checked, its own are let through.
  const entry = Object.prototype.hasOwnProperty.call(OPTIMIZER_SCHEMAS, key) ? OPTIMIZER_SCHEMAS[key] : { className: name, schema: BASE };
  const o = validateOptions<Record<string, unknown>>(entry.className, options, entry.schema, {
    path, what: path ? path.replace(/\.$/, '') : 'options', allowUnknown: entry.schema === BASE,
  });
  const clips = Object.keys(CLIP).filter((k) => o[k] !== undefined && o[k] !== null);
  if (clips.length > 1) {
    throw new OptionError(entry.className, path + clips[1], o[clips[1]], 'at most one clip option',
      `${entry.className}: set at most one of clipvalue, clipnorm, globalClipnorm, clipGradNorm (got ${clips.join(', ')})`);
  }
}
