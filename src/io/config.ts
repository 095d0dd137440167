// Model ⇄ config for the checkpoint format. The model owns its config (Sequential.getConfig/fromConfig,
// Model.getConfig/fromConfig in src/model/); this file only picks the class by className and pairs it with
// the compile config (optimizer, loss, metrics). The optimizer's state (moments, iteration count) is part
// of neither: a restored model trains on with fresh optimizer state, as Keras does after
// model.save(include_optimizer=False).

import type { Kernels } from '../../bindings/index.js';
import { ConfigError } from '../errors.js';
import type { Shape } from '../layers/layer.js';
import type { CompileConfig, CompileOptions } from '../model/compile.js';
import type { FunctionalConfig, ModelConfig } from '../model/functional-config.js';
import { Model } from '../model/model.js';
import { Sequential, type SequentialConfig } from '../model/sequential.js';
import { checkArgument, custom, describeValue, object } from '../options/schema.js';

/** A model: a Sequential or a functional Model. */
const aModel = custom('a model (Sequential or Model)', (v) => v instanceof Model);

export type { SequentialConfig } from '../model/sequential.js';
export type { FunctionalConfig, ModelConfig } from '../model/functional-config.js';
export type { CompileConfig } from '../model/compile.js';

/** Options of fromConfig: the Kernels the rebuilt model runs on. */
export interface FromConfigOptions {
  kernels?: Kernels;
}

/** The per-sample input shape of a Sequential (built, or its first layer's), null otherwise. */
export function modelInputShape(model: Model): Shape | null {
  if (model instanceof Sequential) return model.builtInputShape ?? model.layers[0]?.inputShape?.slice() ?? null;
  return null;
}

/** The compile options of a compiled model as plain JSON, or null before compile(). */
export function compileToConfig(model: Model): CompileConfig | null {
  checkArgument('compileToConfig', 'model', model, aModel);
  const c = model.compileConfig;
  return c ? structuredClone(c) : null;
}

/** Keras get_config() of any model. */
export function modelToConfig(model: Sequential): SequentialConfig;
export function modelToConfig(model: Model): ModelConfig;
export function modelToConfig(model: Model): ModelConfig {
  checkArgument('modelToConfig', 'model', model, aModel);
  return model.getConfig();
}

/** Keras from_config(): a new, unbuilt model of the config's class ('Sequential' or 'Functional'). */
export function modelFromConfig(spec: ModelConfig, options: FromConfigOptions = {}): Model {
  checkArgument('modelFromConfig', 'options', options, object());
  if (spec && spec.className === 'Sequential') return Sequential.fromConfig(spec as SequentialConfig, options);
  if (spec && spec.className === 'Functional') return Model.fromConfig(spec as FunctionalConfig, options);
  throw new ConfigError(`modelFromConfig: spec must be { className: 'Sequential' | 'Functional', config: {...} }, got ${spec !== null && typeof spec === 'object' ? `className ${describeValue((spec as { className?: unknown }).className)}` : describeValue(spec)}`);
}

/** Rebuilds a model from its config and builds it (a Sequential for its stored input shape, when there is one). */
export async function modelFromConfigBuilt(spec: ModelConfig, options: FromConfigOptions = {}): Promise<Model> {
  const model = modelFromConfig(spec, options);
  if (model instanceof Sequential) {
    const shape = (spec as SequentialConfig).config.inputShape;
    if (shape) await model.build(shape.slice());
  } else {
    await model.build();
  }
  return model;
}

/** compile() options from a stored compile config. */
export function compileFromConfig(c: CompileConfig): CompileOptions {
  checkArgument('compileFromConfig', 'c', c, custom('a compile config { optimizer: { className, config }, loss, metrics } (from compileToConfig)', (v) => typeof (v as CompileConfig | null)?.optimizer?.className === 'string' && (v as CompileConfig).loss !== undefined));
  const out: CompileOptions = { optimizer: { className: c.optimizer.className, config: { ...c.optimizer.config } }, loss: structuredClone(c.loss), metrics: structuredClone(c.metrics) };
  if (c.lossWeights) out.lossWeights = { ...c.lossWeights };
  return out;
}
