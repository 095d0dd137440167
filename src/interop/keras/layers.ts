// Keras layer configs (Keras 3 `config.json`, Keras 2/3 legacy `.h5` `model_config`, TF.js `modelTopology`)
// → fused-rnn layers, plus how each layer's Keras variables (in Keras order) become its parameters.
// Keras variable order per layer: Embedding [embeddings]; Dense [kernel, bias?]; LSTM/GRU/SimpleRNN
// [kernel (D, G), recurrent_kernel (H, G), bias?]; Bidirectional [forward..., backward...]; Conv1D
// [kernel (K, C, F), bias?]. fused-rnn's own parameter order is the same, so the mapping is 1:1 except where
// fused-rnn keeps a tensor Keras omits (use_bias=False on a recurrent layer → a zero bias).

import {
  Add, Average, AveragePooling1D, Bidirectional, Concatenate, Conv1D, Dense, Dropout, Embedding, Flatten, GlobalAveragePooling1D,
  GlobalMaxPooling1D, GRU, LSTM, Masking, MaxPooling1D, Multiply, RepeatVector, SimpleRNN, type Layer, type Recurrent,
} from '../../index.js';
import { UnsupportedModelError } from '../errors.js';
import type { Tensor } from '../tensor.js';

/** Which writer produced the config: decides defaults that changed between versions (hard_sigmoid, reset_after). */
export type KerasFlavor = 'keras3' | 'keras2' | 'tfjs';

/** One layer entry of a Keras model config. */
export interface KerasLayerSpec {
  class_name: string;
  config: Record<string, unknown>;
  [key: string]: unknown;
}

/** A converted layer: the fused-rnn layer and how its Keras variables become its parameters. */
export interface ConvertedLayer {
  spec: KerasLayerSpec;
  layer: Layer;
  /** Keras variables this layer stores, in Keras order (names relative to the layer, for messages). */
  kerasVars: string[];
  /** Keras tensors (Keras order, shapes checked by the caller) → fused-rnn parameters (table order). */
  toParams(vars: Tensor[]): Tensor[];
}

/** `LSTM "encoder"`: how errors name a source layer. */
export function describe(spec: KerasLayerSpec): string {
  return `${spec.class_name} "${String(spec.config?.name ?? '?')}"`;
}

/** Keras activation names as written by Keras 3 (string or serialized object) and TF.js (camelCase). */
function activationName(v: unknown): string {
  if (v === null || v === undefined) return 'linear';
  if (typeof v === 'string') return v.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
  if (typeof v === 'object') {
    const o = v as Record<string, unknown>;
    if (typeof o.config === 'string') return activationName(o.config);
    if (typeof o.config === 'object' && o.config && typeof (o.config as Record<string, unknown>).name === 'string') return activationName((o.config as Record<string, unknown>).name);
    if (typeof o.class_name === 'string') return activationName(o.class_name);
  }
  return JSON.stringify(v);
}

/** An activation fused-rnn supports for this role, or UnsupportedModelError naming layer, option and value. */
function activation<T extends string>(spec: KerasLayerSpec, key: string, allowed: readonly T[], flavor: KerasFlavor, fallback: string): T {
  const raw = spec.config[key];
  let name = raw === undefined ? fallback : activationName(raw);
  if (name === 'hard_sigmoid') {
    // Keras 3: relu6(x + 3) / 6 (slope 1/6); Keras 2 and TF.js: clip(0.2x + 0.5, 0, 1) (slope 0.2).
    if (flavor !== 'keras3') name = 'hard_sigmoid_tfjs';
  }
  if (!(allowed as readonly string[]).includes(name)) {
    throw new UnsupportedModelError(describe(spec), `${key} "${name}" is not supported; supported: ${allowed.join(', ')}`);
  }
  return name as T;
}

const GATE_ACTIVATIONS = ['sigmoid', 'hard_sigmoid', 'hard_sigmoid_tfjs'] as const;
const CELL_ACTIVATIONS = ['tanh', 'relu', 'sigmoid', 'linear'] as const;
const DENSE_ACTIVATIONS = ['linear', 'relu', 'tanh', 'sigmoid', 'hard_sigmoid', 'hard_sigmoid_tfjs', 'softmax'] as const;
const CONV_ACTIVATIONS = ['linear', 'relu', 'tanh', 'sigmoid', 'hard_sigmoid', 'hard_sigmoid_tfjs'] as const;

/** Throws when an option holds anything but its neutral value(s). */
function requireOption(spec: KerasLayerSpec, key: string, ok: (v: unknown) => boolean, what: string): void {
  const v = spec.config[key];
  if (v !== undefined && !ok(v)) throw new UnsupportedModelError(describe(spec), `${key} = ${JSON.stringify(v)} is not supported (${what})`);
}

const num = (v: unknown, fallback: number): number => (typeof v === 'number' ? v : Array.isArray(v) && typeof v[0] === 'number' ? v[0] : fallback);

function recurrent(spec: KerasLayerSpec, flavor: KerasFlavor, functional: boolean, nameOverride?: string): { layer: Recurrent; useBias: boolean } {
  const c = spec.config;
  const cls = spec.class_name;
  if (!functional) requireOption(spec, 'return_state', (v) => v === false, 'a Sequential stack passes one output on; states need a functional model');
  requireOption(spec, 'time_major', (v) => v === false, 'inputs are batch-major');
  for (const k of ['kernel_constraint', 'recurrent_constraint', 'bias_constraint', 'activity_regularizer']) requireOption(spec, k, (v) => v === null, 'training-time option fused-rnn does not implement');
  const units = c.units;
  if (typeof units !== 'number' || !Number.isInteger(units) || units < 1) throw new UnsupportedModelError(describe(spec), `units must be a positive integer, got ${JSON.stringify(units)}`);
  const base = {
    name: nameOverride ?? String(c.name),
    units,
    activation: activation(spec, 'activation', CELL_ACTIVATIONS, flavor, 'tanh'),
    returnSequences: c.return_sequences === true,
    goBackwards: c.go_backwards === true,
    returnState: functional && c.return_state === true,
    stateful: c.stateful === true,
    dropout: typeof c.dropout === 'number' ? c.dropout : 0,
    recurrentDropout: typeof c.recurrent_dropout === 'number' ? c.recurrent_dropout : 0,
    trainable: c.trainable !== false,
  };
  const useBias = c.use_bias !== false;
  if (cls === 'LSTM') {
    return {
      layer: new LSTM({ ...base, recurrentActivation: activation(spec, 'recurrent_activation', GATE_ACTIVATIONS, flavor, flavor === 'tfjs' ? 'hard_sigmoid' : 'sigmoid'), unitForgetBias: c.unit_forget_bias !== false }),
      useBias,
    };
  }
  if (cls === 'GRU') {
    // reset_after: Keras ≥ 2.3 defaults to True; TF.js only knows False (and may omit the key).
    const resetAfter = c.reset_after === undefined ? flavor !== 'tfjs' : c.reset_after === true;
    return {
      layer: new GRU({ ...base, recurrentActivation: activation(spec, 'recurrent_activation', GATE_ACTIVATIONS, flavor, flavor === 'tfjs' ? 'hard_sigmoid' : 'sigmoid'), resetAfter }),
      useBias,
    };
  }
  return { layer: new SimpleRNN(base), useBias };
}

/** The zero bias fused-rnn keeps where Keras has use_bias=False. */
function zeroBias(layer: Recurrent): Tensor {
  const shape = layer.cellShape().biasShape;
  return { shape: shape.slice(), data: new Float32Array(shape.reduce((a, b) => a * b, 1)) };
}

function recurrentVars(useBias: boolean): string[] {
  return useBias ? ['kernel', 'recurrent_kernel', 'bias'] : ['kernel', 'recurrent_kernel'];
}

/**
 * Converts one Keras layer; null for layers that only declare the input (InputLayer). Throws
 * UnsupportedModelError naming the layer for classes and options fused-rnn cannot run.
 */
export function convertKerasLayer(spec: KerasLayerSpec, flavor: KerasFlavor, functional = false): ConvertedLayer | null {
  const c = spec.config ?? {};
  const name = String(c.name);
  const trainable = c.trainable !== false;
  switch (spec.class_name) {
    case 'InputLayer':
      return null;
    case 'Embedding': {
      requireOption(spec, 'embeddings_constraint', (v) => v === null, 'training-time option');
      requireOption(spec, 'sparse', (v) => v === false, 'dense embeddings only');
      const layer = new Embedding({
        name, trainable, inputDim: Number(c.input_dim), outputDim: Number(c.output_dim), maskZero: c.mask_zero === true,
        ...(typeof c.input_length === 'number' ? { inputLength: c.input_length } : {}),
      });
      return { spec, layer, kerasVars: ['embeddings'], toParams: (v) => v };
    }
    case 'Dense': {
      for (const k of ['kernel_constraint', 'bias_constraint', 'activity_regularizer']) requireOption(spec, k, (v) => v === null, 'training-time option');
      const useBias = c.use_bias !== false;
      const layer = new Dense({ name, trainable, units: Number(c.units), activation: activation(spec, 'activation', DENSE_ACTIVATIONS, flavor, 'linear'), useBias });
      return { spec, layer, kerasVars: useBias ? ['kernel', 'bias'] : ['kernel'], toParams: (v) => v };
    }
    case 'Dropout':
      requireOption(spec, 'noise_shape', (v) => v === null, 'per-element dropout only');
      return { spec, layer: new Dropout({ name, rate: Number(c.rate ?? 0) }), kerasVars: [], toParams: () => [] };
    case 'Flatten':
      requireOption(spec, 'data_format', (v) => v === 'channels_last' || v === null, 'channels_last only');
      return { spec, layer: new Flatten({ name }), kerasVars: [], toParams: () => [] };
    case 'LSTM':
    case 'GRU':
    case 'SimpleRNN': {
      const { layer, useBias } = recurrent(spec, flavor, functional);
      return { spec, layer, kerasVars: recurrentVars(useBias), toParams: (v) => (useBias ? v : [...v, zeroBias(layer)]) };
    }
    case 'Bidirectional': {
      const inner = c.layer as KerasLayerSpec | undefined;
      if (!inner || !['LSTM', 'GRU', 'SimpleRNN'].includes(inner.class_name)) {
        throw new UnsupportedModelError(describe(spec), `wraps ${inner ? describe(inner) : 'no layer'}; supported: LSTM, GRU, SimpleRNN`);
      }
      const mode = c.merge_mode === undefined ? 'concat' : c.merge_mode;
      if (!['concat', 'sum', 'mul', 'ave'].includes(mode as string)) {
        throw new UnsupportedModelError(describe(spec), `merge_mode ${JSON.stringify(mode)} is not supported (concat, sum, mul, ave)`);
      }
      if (inner.config?.go_backwards === true) throw new UnsupportedModelError(describe(spec), 'an inner layer with go_backwards=True is not supported');
      const back = c.backward_layer as KerasLayerSpec | undefined;
      if (back) {
        const strip = (o: Record<string, unknown>) => { const { name: _n, go_backwards: _g, ...rest } = o; return JSON.stringify(rest); };
        if (back.class_name !== inner.class_name || strip(back.config) !== strip(inner.config)) {
          throw new UnsupportedModelError(describe(spec), 'a backward_layer that differs from the forward layer is not supported');
        }
      }
      if (!functional) requireOption(spec, 'return_state', (v) => v === false, 'states need a functional model');
      if (inner.config?.return_state === true) throw new UnsupportedModelError(describe(spec), 'return_state on a Bidirectional layer is not supported');
      const { layer: innerLayer, useBias } = recurrent(inner, flavor, false);
      const layer = new Bidirectional({ name, trainable, layer: innerLayer, mergeMode: mode as 'concat' });
      const n = recurrentVars(useBias).length;
      return {
        spec, layer,
        kerasVars: [...recurrentVars(useBias).map((v) => `forward_layer/${v}`), ...recurrentVars(useBias).map((v) => `backward_layer/${v}`)],
        toParams: (v) => (useBias ? v : [...v.slice(0, n), zeroBias(innerLayer), ...v.slice(n), zeroBias(innerLayer)]),
      };
    }
    case 'Conv1D': {
      requireOption(spec, 'data_format', (v) => v === 'channels_last' || v === null, 'channels_last only');
      requireOption(spec, 'groups', (v) => v === 1, 'groups = 1 only');
      for (const k of ['kernel_constraint', 'bias_constraint', 'activity_regularizer']) requireOption(spec, k, (v) => v === null, 'training-time option');
      const useBias = c.use_bias !== false;
      const layer = new Conv1D({
        name, trainable, filters: Number(c.filters), kernelSize: num(c.kernel_size, 1), strides: num(c.strides, 1), dilationRate: num(c.dilation_rate, 1),
        padding: (c.padding ?? 'valid') as 'valid', activation: activation(spec, 'activation', CONV_ACTIVATIONS, flavor, 'linear'), useBias,
      });
      return { spec, layer, kerasVars: useBias ? ['kernel', 'bias'] : ['kernel'], toParams: (v) => v };
    }
    case 'MaxPooling1D':
    case 'MaxPool1D':
    case 'AveragePooling1D':
    case 'AvgPool1D': {
      requireOption(spec, 'data_format', (v) => v === 'channels_last' || v === null, 'channels_last only');
      const pool = num(c.pool_size, 2);
      const opts = { name, poolSize: pool, strides: c.strides === null || c.strides === undefined ? pool : num(c.strides, pool), padding: (c.padding ?? 'valid') as 'valid' };
      const layer = spec.class_name.startsWith('Max') ? new MaxPooling1D(opts) : new AveragePooling1D(opts);
      return { spec, layer, kerasVars: [], toParams: () => [] };
    }
    case 'GlobalMaxPooling1D':
    case 'GlobalMaxPool1D':
    case 'GlobalAveragePooling1D':
    case 'GlobalAvgPool1D': {
      requireOption(spec, 'data_format', (v) => v === 'channels_last' || v === null, 'channels_last only');
      requireOption(spec, 'keepdims', (v) => v === false, 'keepdims=False only');
      const layer = spec.class_name.includes('Max') ? new GlobalMaxPooling1D({ name }) : new GlobalAveragePooling1D({ name });
      return { spec, layer, kerasVars: [], toParams: () => [] };
    }
    case 'Masking':
      return { spec, layer: new Masking({ name, maskValue: Number(c.mask_value ?? 0) }), kerasVars: [], toParams: () => [] };
    case 'Add':
    case 'Multiply':
    case 'Average': {
      const Ctor = spec.class_name === 'Add' ? Add : spec.class_name === 'Multiply' ? Multiply : Average;
      return { spec, layer: new Ctor({ name }), kerasVars: [], toParams: () => [] };
    }
    case 'Concatenate':
      requireOption(spec, 'axis', (v) => v === -1, 'concatenation along the features (axis -1) only');
      return { spec, layer: new Concatenate({ name }), kerasVars: [], toParams: () => [] };
    case 'RepeatVector':
      return { spec, layer: new RepeatVector({ name, n: Number(c.n) }), kerasVars: [], toParams: () => [] };
    default:
      throw new UnsupportedModelError(describe(spec), 'this layer class is not supported; supported: InputLayer, Embedding, LSTM, GRU, SimpleRNN, Bidirectional, Dense, Dropout, Flatten, Conv1D, MaxPooling1D, AveragePooling1D, GlobalMaxPooling1D, GlobalAveragePooling1D, Masking, Add, Multiply, Average, Concatenate, RepeatVector');
  }
}
