// fused-rnn layers → Keras model configs: the Keras 3 serialization of `.keras` config.json (key order as
// Keras 3.15 writes it, checked against the sample file) and the Keras-2-style topology TF.js model.json
// uses. Initializers are written as the Keras defaults: a loaded model's weights come from the file.
import {
  AveragePooling1D, Bidirectional, Conv1D, Dense, Dropout, Embedding, Flatten, GlobalAveragePooling1D, GlobalMaxPooling1D,
  GRU, LSTM, MaxPooling1D, Recurrent, SimpleRNN, type Layer, type Sequential, type Shape,
} from '../../index.js';
import { UnsupportedModelError } from '../errors.js';

type Json = Record<string, unknown>;
const describe = (l: Layer) => `${l.className} "${l.name}"`;

/** Keras 3's float32 dtype policy object. */
export const DTYPE = { module: 'keras', class_name: 'DTypePolicy', config: { name: 'float32' }, registered_name: null };
const init3 = (class_name: string, config: Json = {}) => ({ module: 'keras.initializers', class_name, config, registered_name: null });
const GLOROT3 = () => init3('GlorotUniform', { seed: null, input_axes: null, output_axes: null });
const ORTHO3 = () => init3('Orthogonal', { seed: null, gain: 1.0 });
const ZEROS3 = () => init3('Zeros');

/** The per-sample input shape of every layer (model order), from the model's built input shape. */
export function layerInputShapes(model: Sequential): Shape[] {
  let s = model.builtInputShape;
  if (!s) throw new UnsupportedModelError(`Sequential "${model.name}"`, 'build the model before exporting it');
  const out: Shape[] = [];
  for (const l of model.layers) {
    out.push(s);
    s = l.computeOutputShape(s);
  }
  return out;
}

function kerasActivation(name: string, where: string, flavor: 'keras3' | 'tfjs'): string {
  if (name === 'hard_sigmoid' && flavor === 'tfjs') {
    throw new UnsupportedModelError(where, 'hard_sigmoid here is Keras 3\'s relu6(x + 3) / 6; TF.js\'s hard_sigmoid has slope 0.2 and would compute a different model');
  }
  // The slope-0.2 gate is TF.js' (and Keras 2's) own hard_sigmoid; Keras 3 has no activation computing it.
  if (name === 'hard_sigmoid_tfjs') {
    if (flavor === 'tfjs') return 'hard_sigmoid';
    throw new UnsupportedModelError(where, 'hard_sigmoid_tfjs (clip(0.2x + 0.5, 0, 1), TF.js / Keras 2) has no Keras 3 activation (Keras 3\'s hard_sigmoid is relu6(x + 3) / 6)');
  }
  return name;
}

function rnnConfig3(l: Recurrent, name: string, extra: { goBackwards?: boolean; zeroOutput?: boolean } = {}): Json {
  const where = describe(l);
  const base: Json = {
    name, trainable: l.trainable, dtype: DTYPE,
    return_sequences: l.returnSequences, return_state: l.returnState, go_backwards: extra.goBackwards ?? l.goBackwards, stateful: l.stateful,
    unroll: false, zero_output_for_mask: extra.zeroOutput ?? false, units: l.units, activation: kerasActivation(l.activation, where, 'keras3'),
  };
  if (l instanceof LSTM || l instanceof GRU) base.recurrent_activation = kerasActivation(l.recurrentActivation, where, 'keras3');
  Object.assign(base, { use_bias: true, kernel_initializer: GLOROT3(), recurrent_initializer: ORTHO3(), bias_initializer: ZEROS3() });
  if (l instanceof LSTM) base.unit_forget_bias = l.unitForgetBias;
  Object.assign(base, {
    kernel_regularizer: null, recurrent_regularizer: null, bias_regularizer: null, activity_regularizer: null,
    kernel_constraint: null, recurrent_constraint: null, bias_constraint: null, dropout: l.dropout, recurrent_dropout: l.recurrentDropout,
  });
  if (l instanceof GRU) base.reset_after = l.resetAfter;
  base.seed = null;
  return base;
}

/** A Keras 3 serialized layer: {module, class_name, config, registered_name, build_config?}. */
export function wrap3(class_name: string, config: Json, inputShape: Shape | null): Json {
  const out: Json = { module: 'keras.layers', class_name, config, registered_name: null };
  if (inputShape) out.build_config = { input_shape: [null, ...inputShape] };
  return out;
}

/** One layer in Keras 3 serialization ({module, class_name, config, registered_name, build_config}). */
export function layerConfig3(l: Layer, input: Shape): Json {
  const head = { name: l.name, trainable: l.trainable, dtype: DTYPE };
  if (l instanceof Embedding) {
    return wrap3('Embedding', {
      ...head, input_dim: l.inputDim, output_dim: l.outputDim,
      embeddings_initializer: init3('RandomUniform', { seed: null, minval: -0.05, maxval: 0.05 }),
      embeddings_regularizer: null, activity_regularizer: null, embeddings_constraint: null, mask_zero: l.maskZero, quantization_config: null,
    }, input);
  }
  if (l instanceof Dense) {
    return wrap3('Dense', {
      ...head, units: l.units, activation: kerasActivation(l.activation, describe(l), 'keras3'), use_bias: l.useBias,
      kernel_initializer: GLOROT3(), bias_initializer: ZEROS3(), kernel_regularizer: null, bias_regularizer: null,
      kernel_constraint: null, bias_constraint: null, quantization_config: null,
    }, input);
  }
  if (l instanceof Dropout) return wrap3('Dropout', { ...head, rate: l.rate, seed: null, noise_shape: null }, input);
  if (l instanceof Flatten) return wrap3('Flatten', { ...head, data_format: 'channels_last' }, input);
  if (l instanceof LSTM || l instanceof GRU || l instanceof SimpleRNN) return wrap3(l.className, rnnConfig3(l, l.name), input);
  if (l instanceof Bidirectional) {
    const f = l.forwardLayer, inner = f.name.replace(/^forward_/, '');
    return wrap3('Bidirectional', {
      ...head, merge_mode: l.mergeMode,
      layer: wrap3(f.className, rnnConfig3(f, inner, { zeroOutput: f.returnSequences }), null),
      backward_layer: wrap3(f.className, rnnConfig3(f, `backward_${inner}`, { goBackwards: true, zeroOutput: f.returnSequences }), null),
    }, input);
  }
  if (l instanceof Conv1D) {
    return wrap3('Conv1D', {
      ...head, filters: l.filters, kernel_size: [l.kernelSize], strides: [l.strides], padding: l.padding, data_format: 'channels_last',
      dilation_rate: [l.dilationRate], groups: 1, activation: kerasActivation(l.activation, describe(l), 'keras3'), use_bias: l.useBias,
      kernel_initializer: GLOROT3(), bias_initializer: ZEROS3(), kernel_regularizer: null, bias_regularizer: null,
      activity_regularizer: null, kernel_constraint: null, bias_constraint: null,
    }, input);
  }
  if (l instanceof MaxPooling1D || l instanceof AveragePooling1D) {
    return wrap3(l.className, { ...head, pool_size: [l.poolSize], padding: l.padding, strides: [l.strides], data_format: 'channels_last' }, input);
  }
  if (l instanceof GlobalMaxPooling1D || l instanceof GlobalAveragePooling1D) {
    return wrap3(l.className, { ...head, data_format: 'channels_last', keepdims: false }, input);
  }
  throw new UnsupportedModelError(describe(l), 'has no Keras counterpart the export writes');
}

/** The Keras 3 config.json of a Sequential model. */
export function kerasConfig3(model: Sequential): Json {
  const shapes = layerInputShapes(model);
  const input = model.builtInputShape!;
  const ids = model.layers[0] instanceof Embedding;
  const layers: Json[] = [
    wrap3('InputLayer', { batch_shape: [null, ...input], dtype: ids ? 'int32' : 'float32', sparse: false, ragged: false, name: 'input_layer', optional: false }, null),
    ...model.layers.map((l, i) => layerConfig3(l, shapes[i])),
  ];
  return {
    module: 'keras', class_name: 'Sequential',
    config: { name: model.name, trainable: true, dtype: DTYPE, layers, build_input_shape: [null, ...input] },
    registered_name: null, build_config: { input_shape: [null, ...input] }, compile_config: null,
  };
}

// ---- TF.js (Keras 2 style, as tfjs-layers 4.x writes model.json)

const initJs = (class_name: string, config: Json = {}) => ({ class_name, config });
const GLOROTJS = () => initJs('VarianceScaling', { scale: 1, mode: 'fan_avg', distribution: 'uniform', seed: null });

function rnnConfigJs(l: Recurrent, name: string): Json {
  const where = describe(l);
  const c: Json = { name, trainable: l.trainable, units: l.units, activation: kerasActivation(l.activation, where, 'tfjs') };
  if (l instanceof LSTM || l instanceof GRU) c.recurrent_activation = kerasActivation(l.recurrentActivation, where, 'tfjs');
  Object.assign(c, { use_bias: true, kernel_initializer: GLOROTJS(), recurrent_initializer: initJs('Orthogonal', { gain: 1, seed: null }), bias_initializer: initJs('Zeros') });
  if (l instanceof LSTM) c.unit_forget_bias = l.unitForgetBias;
  Object.assign(c, {
    kernel_regularizer: null, recurrent_regularizer: null, bias_regularizer: null, activity_regularizer: null,
    kernel_constraint: null, recurrent_constraint: null, bias_constraint: null, dropout: l.dropout, recurrent_dropout: l.recurrentDropout, implementation: null,
  });
  if (l instanceof GRU) c.reset_after = l.resetAfter;
  Object.assign(c, { return_sequences: l.returnSequences, return_state: l.returnState, go_backwards: l.goBackwards, stateful: l.stateful, unroll: false });
  return c;
}

/** One layer as tfjs-layers 4.x writes it ({class_name, config}). */
export function layerConfigJs(l: Layer): Json {
  const where = describe(l);
  if (l instanceof Embedding) {
    return { class_name: 'Embedding', config: {
      input_dim: l.inputDim, output_dim: l.outputDim, embeddings_initializer: initJs('RandomUniform', { minval: -0.05, maxval: 0.05, seed: null }),
      embeddings_regularizer: null, activity_regularizer: null, embeddings_constraint: null, mask_zero: l.maskZero, input_length: l.inputLength ?? null,
      name: l.name, trainable: l.trainable,
    } };
  }
  if (l instanceof Dense) {
    return { class_name: 'Dense', config: {
      units: l.units, activation: kerasActivation(l.activation, where, 'tfjs'), use_bias: l.useBias, kernel_initializer: GLOROTJS(), bias_initializer: initJs('Zeros'),
      kernel_regularizer: null, bias_regularizer: null, activity_regularizer: null, kernel_constraint: null, bias_constraint: null, name: l.name, trainable: l.trainable,
    } };
  }
  if (l instanceof Dropout) return { class_name: 'Dropout', config: { rate: l.rate, noise_shape: null, seed: null, name: l.name, trainable: l.trainable } };
  if (l instanceof Flatten) return { class_name: 'Flatten', config: { name: l.name, trainable: l.trainable } };
  if (l instanceof LSTM || l instanceof GRU || l instanceof SimpleRNN) return { class_name: l.className, config: rnnConfigJs(l, l.name) };
  if (l instanceof Bidirectional) {
    const f = l.forwardLayer;
    return { class_name: 'Bidirectional', config: { layer: { class_name: f.className, config: rnnConfigJs(f, f.name.replace(/^forward_/, '')) }, merge_mode: l.mergeMode, name: l.name, trainable: l.trainable } };
  }
  if (l instanceof Conv1D) {
    return { class_name: 'Conv1D', config: {
      filters: l.filters, kernel_size: [l.kernelSize], strides: [l.strides], padding: l.padding, data_format: 'channels_last', dilation_rate: [l.dilationRate],
      activation: kerasActivation(l.activation, where, 'tfjs'), use_bias: l.useBias, kernel_initializer: GLOROTJS(), bias_initializer: initJs('Zeros'),
      kernel_regularizer: null, bias_regularizer: null, activity_regularizer: null, kernel_constraint: null, bias_constraint: null, name: l.name, trainable: l.trainable,
    } };
  }
  if (l instanceof MaxPooling1D || l instanceof AveragePooling1D) {
    return { class_name: l.className, config: { pool_size: [l.poolSize], padding: l.padding, strides: [l.strides], name: l.name, trainable: l.trainable } };
  }
  if (l instanceof GlobalMaxPooling1D || l instanceof GlobalAveragePooling1D) return { class_name: l.className, config: { name: l.name, trainable: l.trainable } };
  throw new UnsupportedModelError(where, 'has no TF.js counterpart the export writes');
}

/** The TF.js modelTopology of a Sequential model (first layer carries batch_input_shape and dtype). */
export function tfjsTopology(model: Sequential): Json {
  const input = model.builtInputShape;
  if (!input) throw new UnsupportedModelError(`Sequential "${model.name}"`, 'build the model before exporting it');
  const layers = model.layers.map(layerConfigJs);
  const first = layers[0].config as Json;
  first.batch_input_shape = [null, ...input];
  first.dtype = 'float32';
  return { class_name: 'Sequential', config: { name: model.name, layers }, keras_version: 'tfjs-layers 4.22.0', backend: 'tensor_flow.js' };
}
