// className → constructor, for rebuilding layers from their Keras-style config ({ className, config },
// where config is the layer's getConfig() output = its constructor options). Wrappers (Bidirectional,
// Residual) hold the config of their inner layer and rebuild it through the same registry.
// New layer kinds call registerLayer(className, factory) next to their class (or here).

import { ConfigError } from '../errors.js';
import { Bidirectional, type BidirectionalOptions } from './bidirectional.js';
import { Dense, type DenseOptions } from './dense.js';
import { Dropout, type DropoutOptions } from './dropout.js';
import { Embedding, type EmbeddingOptions } from './embedding.js';
import { GRU, type GruOptions } from './gru.js';
import type { Layer, LayerConfig } from './layer.js';
import { LSTM, type LstmOptions } from './lstm.js';
import type { Recurrent, RecurrentOptions } from './recurrent.js';
import { Residual, type ResidualOptions } from './residual.js';
import { SimpleRNN } from './simple-rnn.js';
import { Conv1D, type Conv1DOptions } from './conv1d.js';
import { AveragePooling1D, GlobalAveragePooling1D, GlobalMaxPooling1D, MaxPooling1D, type Pooling1DOptions } from './pooling.js';
import { Flatten } from './flatten.js';
import type { LayerOptions } from './layer.js';
import { Add, Average, Concatenate, Multiply, type ConcatenateOptions } from './merge.js';
import { Masking, type MaskingOptions } from './masking.js';
import { RepeatVector, type RepeatVectorOptions } from './repeat-vector.js';
import { TimeDistributed, type TimeDistributedOptions } from './time-distributed.js';
import { checkArgument, custom, describeValue, func, string } from '../options/schema.js';

/** Makes a layer from its config. */
export type LayerFactory = (config: Record<string, unknown>) => Layer;

const registry = new Map<string, LayerFactory>();

/** Registers (or replaces) the factory for a className. */
export function registerLayer(className: string, factory: LayerFactory): void {
  checkArgument('registerLayer', 'className', className, string({ nonEmpty: true }));
  checkArgument('registerLayer', 'factory', factory, func('a function (config) => layer'));
  registry.set(className, factory);
}

/** The class names the registry can rebuild. */
export function registeredLayers(): string[] {
  return [...registry.keys()].sort();
}

/** The Keras-style config of a layer: { className, config } with config = getConfig() (+ inputShape when set). */
export function layerToConfig(layer: Layer): LayerConfig {
  checkArgument('layerToConfig', 'layer', layer, custom('a layer', (v) => typeof (v as Layer | null)?.getConfig === 'function' && typeof (v as Layer).className === 'string'));
  const config = layer.getConfig();
  if (layer.inputShape && config.inputShape === undefined) config.inputShape = layer.inputShape.slice();
  return { className: layer.className, config };
}

/** Rebuilds a layer from { className, config }; ConfigError for unknown classes or malformed configs. */
export function layerFromConfig(spec: LayerConfig): Layer {
  if (!spec || typeof spec !== 'object' || typeof spec.className !== 'string') {
    throw new ConfigError(`layerFromConfig: spec must be { className, config }, got ${describeValue(spec)}`);
  }
  const make = registry.get(spec.className);
  if (!make) throw new ConfigError(`unknown layer class "${spec.className}"; registered: ${registeredLayers().join(', ')}`);
  const config = spec.config ?? {};
  if (typeof config !== 'object' || Array.isArray(config)) throw new ConfigError(`${spec.className}: config must be an object, got ${describeValue(config)}`);
  return make({ ...config });
}

/** Keras configs store absent options as null; constructors expect undefined. */
function options<T>(config: Record<string, unknown>): T {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(config)) if (v !== null) out[k] = v;
  return out as T;
}

/** Regularizers are nullable options: keep null (= none) as it is. */
function withRegularizers<T>(config: Record<string, unknown>, keys: string[]): T {
  const out = options<Record<string, unknown>>(config);
  for (const k of keys) if (config[k] === null) out[k] = null;
  return out as T;
}

const RNN_REGULARIZERS = ['kernelRegularizer', 'recurrentRegularizer', 'biasRegularizer'];

registerLayer('LSTM', (c) => new LSTM(withRegularizers<LstmOptions>(c, RNN_REGULARIZERS)));
registerLayer('GRU', (c) => new GRU(withRegularizers<GruOptions>(c, RNN_REGULARIZERS)));
registerLayer('SimpleRNN', (c) => new SimpleRNN(withRegularizers<RecurrentOptions>(c, RNN_REGULARIZERS)));
registerLayer('Embedding', (c) => new Embedding(withRegularizers<EmbeddingOptions>(c, ['embeddingsRegularizer'])));
registerLayer('Dense', (c) => new Dense(withRegularizers<DenseOptions>(c, ['kernelRegularizer', 'biasRegularizer'])));
registerLayer('Dropout', (c) => new Dropout(options<DropoutOptions>(c)));
registerLayer('Bidirectional', (c) => {
  const o = options<Omit<BidirectionalOptions, 'layer'> & { layer: LayerConfig }>(c);
  return new Bidirectional({ ...o, layer: layerFromConfig(o.layer) as Recurrent });
});
registerLayer('Residual', (c) => {
  const o = options<Omit<ResidualOptions, 'layer'> & { layer: LayerConfig }>(c);
  return new Residual({ ...o, layer: layerFromConfig(o.layer) });
});
registerLayer('Conv1D', (c) => new Conv1D(withRegularizers<Conv1DOptions>(c, ['kernelRegularizer', 'biasRegularizer'])));
registerLayer('MaxPooling1D', (c) => new MaxPooling1D(options<Pooling1DOptions>(c)));
registerLayer('AveragePooling1D', (c) => new AveragePooling1D(options<Pooling1DOptions>(c)));
registerLayer('GlobalMaxPooling1D', (c) => new GlobalMaxPooling1D(options<LayerOptions>(c)));
registerLayer('GlobalAveragePooling1D', (c) => new GlobalAveragePooling1D(options<LayerOptions>(c)));
registerLayer('Flatten', (c) => new Flatten(options<LayerOptions>(c)));
registerLayer('Add', (c) => new Add(options<LayerOptions>(c)));
registerLayer('Multiply', (c) => new Multiply(options<LayerOptions>(c)));
registerLayer('Average', (c) => new Average(options<LayerOptions>(c)));
registerLayer('Concatenate', (c) => new Concatenate(options<ConcatenateOptions>(c)));
registerLayer('Masking', (c) => new Masking(options<MaskingOptions>(c)));
registerLayer('RepeatVector', (c) => new RepeatVector(options<RepeatVectorOptions>(c)));
registerLayer('TimeDistributed', (c) => {
  const o = options<Omit<TimeDistributedOptions, 'layer'> & { layer: LayerConfig }>(c);
  return new TimeDistributed({ ...o, layer: layerFromConfig(o.layer) });
});
