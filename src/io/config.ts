// Model ⇄ Keras-style config: { className: 'Sequential', config: { name, seed, inputShape, layers } } with
// each layer as { className, config = getConfig() }, plus the compile config (optimizer, loss, metrics).
// The optimizer's state (moments, iteration count) is not part of either: a restored model trains on with
// fresh optimizer state, as Keras does after model.save(include_optimizer=False).

import type { Kernels } from '../../bindings/index.js';
import { ConfigError } from '../errors.js';
import type { Layer, LayerConfig, Shape } from '../layers/layer.js';
import { layerFromConfig, layerToConfig } from '../layers/registry.js';
import { Sequential, type CompileOptions } from '../model/sequential.js';

/** A model's architecture as JSON (Keras-style get_config of a Sequential). */
export interface SequentialConfig {
  className: 'Sequential';
  config: {
    name: string;
    seed: number;
    /** Per-sample input shape the model was built for (null: not built and no first-layer inputShape). */
    inputShape: Shape | null;
    layers: LayerConfig[];
  };
}

/** The compile options as JSON (optimizer config, loss, metrics). */
export interface CompileConfig {
  optimizer: { className: string; config: Record<string, unknown> };
  loss: string;
  metrics: string[];
}

/**
 * What the model keeps private: the shape it was built for and its compile options. Read through public
 * getters when the model has them (builtInputShape, compileConfig), else through the private fields.
 */
interface ModelInternals {
  builtInputShape?: Shape | null;
  compileConfig?: CompileConfig | null;
  inputShape?: Shape | null;
  compiled?: { optimizer: { className: string; getConfig(): Record<string, unknown> }; loss: string; metricNames: string[] } | null;
}

export function modelInputShape(model: Sequential): Shape | null {
  const m = model as unknown as ModelInternals;
  const s = 'builtInputShape' in m ? m.builtInputShape : m.inputShape;
  return s ? s.slice() : model.layers[0]?.inputShape?.slice() ?? null;
}

/** The compile options of a compiled model as plain JSON, or null before compile(). */
export function compileToConfig(model: Sequential): CompileConfig | null {
  const m = model as unknown as ModelInternals;
  if ('compileConfig' in m) return m.compileConfig ? structuredClone(m.compileConfig) : null;
  const c = m.compiled;
  if (!c) return null;
  return { optimizer: { className: c.optimizer.className, config: c.optimizer.getConfig() }, loss: c.loss, metrics: c.metricNames.slice() };
}

/** Keras Sequential.get_config(). */
export function modelToConfig(model: Sequential): SequentialConfig {
  return {
    className: 'Sequential',
    config: { name: model.name, seed: model.seed, inputShape: modelInputShape(model), layers: model.layers.map((l: Layer) => layerToConfig(l)) },
  };
}

/** Options of modelFromConfig(): the kernels the new model runs on. */
export interface FromConfigOptions {
  kernels?: Kernels;
}

/** Keras Sequential.from_config(): a new, unbuilt model (build it with model.build(config.config.inputShape)). */
export function modelFromConfig(spec: SequentialConfig, options: FromConfigOptions = {}): Sequential {
  if (!spec || spec.className !== 'Sequential' || typeof spec.config !== 'object' || !Array.isArray(spec.config?.layers)) {
    throw new ConfigError(`model config must be { className: 'Sequential', config: { layers: [...] } }, got className ${JSON.stringify(spec?.className)}`);
  }
  const c = spec.config;
  const layers = c.layers.map((l) => layerFromConfig(l));
  return new Sequential(layers, { name: c.name, seed: c.seed, kernels: options.kernels });
}

/** Rebuilds a model from its config and builds it for the stored input shape (when there is one). */
export async function modelFromConfigBuilt(spec: SequentialConfig, options: FromConfigOptions = {}): Promise<Sequential> {
  const model = modelFromConfig(spec, options);
  const shape = spec.config.inputShape;
  if (shape) await model.build(shape.slice());
  return model;
}

/** compile() options from a stored compile config. */
export function compileFromConfig(c: CompileConfig): CompileOptions {
  return { optimizer: { className: c.optimizer.className, config: { ...c.optimizer.config } }, loss: c.loss, metrics: c.metrics.slice() };
}
