// compile() options: one loss for every output or one per output (a list in output order, or an object by
// output name), metrics and loss weights the same way, as Keras takes them; and their serialisable form.

import { ConfigError } from '../errors.js';
import { getLoss, type Loss } from '../losses.js';
import { getMetric } from '../metrics.js';
import { getOptimizer, type Optimizer, type OptimizerSpec } from '../optimizers.js';
import { inputList } from './data.js';
import type { OutputSpec } from './engine.js';

/** A loss by name or object. */
export type LossSpec = string | Loss;

/** compile() options (Keras): one loss for every output, or one per output as a list or by output name. */
export interface CompileOptions {
  optimizer: OptimizerSpec;
  loss: LossSpec | LossSpec[] | Record<string, LossSpec>;
  /** Metric names for every output, or per output (list or by name). */
  metrics?: string[] | string[][] | Record<string, string[]>;
  /** Weights of the per-output losses in the total loss (default 1 each). */
  lossWeights?: number[] | Record<string, number>;
}

/** What compile() was given, as JSON: single-output models keep Keras' plain { loss, metrics }. */
export interface CompileConfig {
  optimizer: { className: string; config: Record<string, unknown> };
  loss: string | Record<string, string>;
  metrics: string[] | Record<string, string[]>;
  lossWeights?: Record<string, number>;
}

/** The optimizer and one OutputSpec per output; throws a ConfigError naming the bad option. */
export function parseCompile(options: CompileOptions, names: string[], where: string): { optimizer: Optimizer; heads: OutputSpec[] } {
  if (options === null || typeof options !== 'object') throw new ConfigError(`${where}: compile() takes { optimizer, loss, metrics? }, got ${JSON.stringify(options)}`);
  const optimizer = getOptimizer(options.optimizer);
  if (options.loss === undefined || options.loss === null) throw new ConfigError(`${where}: compile() needs a loss`);
  const perOutput = <T>(v: unknown, what: string, isOne: (x: unknown) => boolean, fallback: T): T[] => {
    if (v === undefined || v === null) return names.map(() => fallback);
    if (isOne(v)) return names.map(() => v as T);
    return inputList(v as T[] | Record<string, T>, names, `compile: ${what} per output`);
  };
  const losses = perOutput<LossSpec>(options.loss, 'loss', (x) => typeof x === 'string' || (typeof x === 'object' && x !== null && 'compute' in x), 'mse');
  const metrics = perOutput<string[]>(options.metrics, 'metrics', (x) => Array.isArray(x) && x.every((m) => typeof m === 'string'), []);
  const weights = perOutput<number>(options.lossWeights, 'lossWeights', (x) => typeof x === 'number', 1);
  const heads = names.map((name, o): OutputSpec => {
    const loss = getLoss(losses[o]);
    if (!Number.isFinite(weights[o]) || weights[o] < 0) throw new ConfigError(`compile: lossWeights for "${name}" must be a finite number >= 0, got ${weights[o]}`);
    if (!Array.isArray(metrics[o])) throw new ConfigError(`compile: metrics for "${name}" must be a list of names, got ${JSON.stringify(metrics[o])}`);
    for (const m of metrics[o]) getMetric(m, loss.name); // validate names now
    return { name, loss, weight: weights[o], metrics: metrics[o].slice() };
  });
  return { optimizer, heads };
}

/** The serialisable compile config. */
export function compileToConfig(optimizer: Optimizer, heads: OutputSpec[]): CompileConfig {
  const opt = { className: optimizer.className, config: optimizer.getConfig() };
  if (heads.length === 1) return { optimizer: opt, loss: heads[0].loss.name, metrics: heads[0].metrics.slice() };
  const by = <T>(f: (h: OutputSpec) => T) => Object.fromEntries(heads.map((h) => [h.name, f(h)]));
  return { optimizer: opt, loss: by((h) => h.loss.name), metrics: by((h) => h.metrics.slice()), lossWeights: by((h) => h.weight) };
}
