// Option schemas of the built-in layers, keyed by the layer's default name base (the second argument of
// the Layer constructor: 'lstm', 'dense', ...), so minified class names do not matter. The Layer base
// constructor calls validateLayerOptions() once; a new option or enum value of a layer is added HERE.

import { getInitializer, type InitializerSpec } from '../initializers.js';
import { anyOf, arrayOf, boolean, custom, nullable, number, oneOf, positiveInt, required, string, validateOptions, type Schema, type Spec } from './schema.js';

const layerName: Spec = {
  expected: 'a non-empty string without "/"',
  test: (v) => typeof v === 'string' && v.length > 0 && !v.includes('/'),
};

/** Per-sample shape without the batch dim: positive sizes, null for "any length". */
const inputShape = arrayOf(anyOf([positiveInt(), custom('null', (v) => v === null)]), { min: 1, max: 8 }, 'an array of 1 to 8 positive integers or null (the per-sample shape, e.g. [40] or [null, 8])');

/** A known initializer name or { className, config } (checked by building it: its own config errors are refused here too), or an Initializer object. */
const initializer: Spec = {
  expected: 'a known initializer name (e.g. \'glorotUniform\', \'orthogonal\', \'zeros\'), { className, config } or an Initializer object',
  test: (v) => {
    if (typeof v === 'object' && v !== null && !Array.isArray(v) && typeof (v as { fill?: unknown }).fill === 'function') return typeof (v as { getConfig?: unknown }).getConfig === 'function';
    if (typeof v !== 'string' && (typeof v !== 'object' || v === null || Array.isArray(v) || typeof (v as { className?: unknown }).className !== 'string')) return false;
    const config = (v as { config?: unknown }).config;
    if (typeof v === 'object' && config !== undefined && (typeof config !== 'object' || config === null || Array.isArray(config))) return false;
    try {
      getInitializer(v as InitializerSpec);
      return true;
    } catch {
      return false;
    }
  },
};

const finiteNonNegative = (v: unknown) => typeof v === 'number' && Number.isFinite(v) && v >= 0;
const regularizer = nullable(custom('{ l1, l2 } with non-negative finite numbers', (v) => {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  const r = v as Record<string, unknown>;
  return Object.keys(r).every((k) => k === 'l1' || k === 'l2') && finiteNonNegative(r.l1) && finiteNonNegative(r.l2);
}));

const rate = number({ min: 0, max: 1, maxExclusive: true });
const intOrTuple = anyOf([positiveInt(), arrayOf(positiveInt(), { min: 1, max: 1 })], 'a positive integer or a 1-tuple [n]');
const isArrayLike = (v: unknown) => Array.isArray(v) || (ArrayBuffer.isView(v) && !(v instanceof DataView));
const recurrentLayer = custom('an LSTM, GRU or SimpleRNN layer', (v) => typeof v === 'object' && v !== null && typeof (v as { cellShape?: unknown }).cellShape === 'function');
const anyLayer = custom('a layer object', (v) => typeof v === 'object' && v !== null && typeof (v as { getConfig?: unknown }).getConfig === 'function' && typeof (v as { computeOutputShape?: unknown }).computeOutputShape === 'function');

/** Options every layer takes. */
export const BASE_LAYER_SCHEMA: Schema = { name: layerName, trainable: boolean(), inputShape };

const CELL_ACTIVATIONS = ['tanh', 'relu', 'sigmoid', 'linear'] as const;
const GATE_ACTIVATIONS = ['sigmoid', 'hard_sigmoid', 'hard_sigmoid_tfjs'] as const;

const RECURRENT: Schema = {
  ...BASE_LAYER_SCHEMA,
  units: required(positiveInt()),
  activation: oneOf(CELL_ACTIVATIONS),
  returnSequences: boolean(), returnState: boolean(), goBackwards: boolean(), stateful: boolean(),
  dropout: rate, recurrentDropout: rate,
  kernelInitializer: initializer, recurrentInitializer: initializer, biasInitializer: initializer,
  kernelRegularizer: regularizer, recurrentRegularizer: regularizer, biasRegularizer: regularizer,
};

const POOLING: Schema = { ...BASE_LAYER_SCHEMA, poolSize: intOrTuple, strides: nullable(intOrTuple), padding: oneOf(['valid', 'same']) };

/** Schemas by the layer's default name base, with the class name used in messages. */
export const LAYER_SCHEMAS: Readonly<Record<string, { className: string; schema: Schema }>> = {
  lstm: { className: 'LSTM', schema: { ...RECURRENT, recurrentActivation: oneOf(GATE_ACTIVATIONS), unitForgetBias: boolean() } },
  gru: { className: 'GRU', schema: { ...RECURRENT, recurrentActivation: oneOf(GATE_ACTIVATIONS), resetAfter: boolean() } },
  simple_rnn: { className: 'SimpleRNN', schema: RECURRENT },
  dense: {
    className: 'Dense',
    schema: {
      ...BASE_LAYER_SCHEMA, units: required(positiveInt()), activation: nullable(oneOf(['linear', 'relu', 'tanh', 'sigmoid', 'hard_sigmoid', 'hard_sigmoid_tfjs', 'softmax'])),
      useBias: boolean(), kernelInitializer: initializer, biasInitializer: initializer, kernelRegularizer: regularizer, biasRegularizer: regularizer,
    },
  },
  embedding: {
    className: 'Embedding',
    schema: {
      ...BASE_LAYER_SCHEMA, inputDim: required(positiveInt()), outputDim: required(positiveInt()),
      embeddingsInitializer: initializer, embeddingsRegularizer: regularizer,
      weights: custom('a (V, E) matrix: a flat array or typed array of V·E numbers, or V rows of E numbers', isArrayLike),
      maskZero: boolean(), inputLength: nullable(positiveInt()),
    },
  },
  conv1d: {
    className: 'Conv1D',
    schema: {
      ...BASE_LAYER_SCHEMA, filters: required(positiveInt()), kernelSize: required(intOrTuple), strides: intOrTuple, dilationRate: intOrTuple,
      padding: oneOf(['valid', 'same', 'causal']), activation: nullable(oneOf(['linear', 'relu', 'tanh', 'sigmoid', 'hard_sigmoid', 'hard_sigmoid_tfjs'])),
      useBias: boolean(), kernelInitializer: initializer, biasInitializer: initializer, kernelRegularizer: regularizer, biasRegularizer: regularizer,
    },
  },
  dropout: { className: 'Dropout', schema: { ...BASE_LAYER_SCHEMA, rate: required(rate) } },
  flatten: { className: 'Flatten', schema: BASE_LAYER_SCHEMA },
  max_pooling1d: { className: 'MaxPooling1D', schema: POOLING },
  average_pooling1d: { className: 'AveragePooling1D', schema: POOLING },
  global_max_pooling1d: { className: 'GlobalMaxPooling1D', schema: BASE_LAYER_SCHEMA },
  global_average_pooling1d: { className: 'GlobalAveragePooling1D', schema: BASE_LAYER_SCHEMA },
  bidirectional: { className: 'Bidirectional', schema: { ...BASE_LAYER_SCHEMA, layer: required(recurrentLayer), mergeMode: oneOf(['concat', 'sum', 'mul', 'ave']) } },
  residual: { className: 'Residual', schema: { ...BASE_LAYER_SCHEMA, layer: required(anyLayer) } },
  // model core (issue 14): functional-API layers
  masking: { className: 'Masking', schema: { ...BASE_LAYER_SCHEMA, maskValue: number() } },
  repeat_vector: { className: 'RepeatVector', schema: { ...BASE_LAYER_SCHEMA, n: required(positiveInt()) } },
  time_distributed: { className: 'TimeDistributed', schema: { ...BASE_LAYER_SCHEMA, layer: required(anyLayer) } },
  add: { className: 'Add', schema: BASE_LAYER_SCHEMA },
  multiply: { className: 'Multiply', schema: BASE_LAYER_SCHEMA },
  average: { className: 'Average', schema: BASE_LAYER_SCHEMA },
  concatenate: { className: 'Concatenate', schema: { ...BASE_LAYER_SCHEMA, axis: number() } },
};

/**
 * Validates a layer's constructor options (called once by the Layer base constructor). `base` is the
 * layer's default name base ('lstm', 'dense', ...) and `name` the name it got (for messages); an unknown base (a user-defined layer) checks only the
 * common options and lets the others through. Throws OptionError: `LSTM "lstm_1": units must be a positive integer, got 0`.
 */
export function validateLayerOptions(base: string, options: unknown, name?: unknown): void {
  const entry = Object.prototype.hasOwnProperty.call(LAYER_SCHEMAS, base) ? LAYER_SCHEMAS[base] : undefined;
  const named = typeof name === 'string' && layerName.test(name) ? ` "${name}"` : '';
  const className = entry?.className ?? base;
  validateOptions(`${className}${named}`, options, entry?.schema ?? BASE_LAYER_SCHEMA, { allowUnknown: !entry });
}
