// The model zoo of the teaching material for text classification: one function builds each kind on the
// same Embedding front (random or pre-trained GloVe vectors), so comparisons differ only in the recurrent
// (or convolutional) part.

import type { Kernels } from '../../bindings/index.js';
import { ConfigError } from '../errors.js';
import { Bidirectional } from '../layers/bidirectional.js';
import { Conv1D } from '../layers/conv1d.js';
import { GlobalMaxPooling1D, MaxPooling1D } from '../layers/pooling.js';
import { Dense } from '../layers/dense.js';
import { Dropout } from '../layers/dropout.js';
import { Embedding } from '../layers/embedding.js';
import { GRU } from '../layers/gru.js';
import { LSTM } from '../layers/lstm.js';
import type { Layer } from '../layers/layer.js';
import { SimpleRNN } from '../layers/simple-rnn.js';
import { Sequential } from '../model/sequential.js';
import { validateTaskOptions } from '../options/tasks.js';

/** The text classifier architectures buildTextModel() knows. */
export const TEXT_MODEL_KINDS = ['simple', 'lstm', 'gru', 'bilstm', 'cnn', 'cnn-lstm', 'slides'] as const;
/** One of TEXT_MODEL_KINDS. */
export type TextModelKind = (typeof TEXT_MODEL_KINDS)[number];

/** Options of buildTextModel(): kind, vocabulary, embeddings and sizes. */
export interface TextModelOptions {
  kind: TextModelKind;
  /** V: rows of the embedding table (tokenizer vocabulary size). */
  vocabularySize: number;
  embeddingDim?: number;
  /** (V, E) pre-trained vectors (e.g. GloVe); frozen unless trainEmbeddings. */
  embeddings?: Float32Array | null;
  trainEmbeddings?: boolean;
  units?: number;
  dropout?: number;
  /** Keras `dropout` of the recurrent layers: one input mask per sequence (variational). Default 0. */
  inputDropout?: number;
  /** Keras `recurrent_dropout` of the recurrent layers. Default 0. */
  recurrentDropout?: number;
  /** Output classes: 1 (binary, sigmoid) or more (softmax; sigmoid per class with multiLabel). */
  classes?: number;
  /** Multi-label: one independent sigmoid per class (Dense(K, sigmoid), for binary cross-entropy over K outputs). */
  multiLabel?: boolean;
  maskZero?: boolean;
  seed?: number;
  kernels?: Kernels;
}

/** Builds (uncompiled) one of the text classifier architectures. */
export function buildTextModel(o: TextModelOptions): Sequential {
  validateTaskOptions('buildTextModel', o);
  const E = o.embeddings ? o.embeddings.length / o.vocabularySize : o.embeddingDim ?? 64;
  if (!Number.isInteger(E) || E < 1) throw new ConfigError(`buildTextModel: embeddings have ${o.embeddings?.length} values, not a multiple of V = ${o.vocabularySize}`);
  const units = o.units ?? 64, dropout = o.dropout ?? 0.2, classes = o.classes ?? 1;
  const embedding = new Embedding({
    inputDim: o.vocabularySize, outputDim: E, maskZero: o.maskZero ?? true,
    ...(o.embeddings ? { weights: o.embeddings, trainable: o.trainEmbeddings ?? false } : {}),
  });
  const head = (): Layer[] => [
    ...(dropout > 0 ? [new Dropout({ rate: dropout })] : []),
    new Dense({ units: classes, activation: classes === 1 || o.multiLabel ? 'sigmoid' : 'softmax' }),
  ];
  const rnn = { units, dropout: o.inputDropout ?? 0, recurrentDropout: o.recurrentDropout ?? 0 };
  let body: Layer[];
  switch (o.kind) {
    case 'simple': body = [new SimpleRNN(rnn)]; break;
    case 'lstm': body = [new LSTM(rnn)]; break;
    case 'gru': body = [new GRU(rnn)]; break;
    case 'bilstm': body = [new Bidirectional({ layer: new LSTM(rnn) })]; break;
    // Text CNN (Kim 2014 style, one filter width): Conv1D(relu, same) → global max over time.
    case 'cnn': body = [new Conv1D({ filters: units * 2, kernelSize: 3, padding: 'same', activation: 'relu' }), new GlobalMaxPooling1D({})]; break;
    // CNN-LSTM: local n-gram features, downsampled, then an LSTM over the shorter sequence.
    case 'cnn-lstm': body = [new Conv1D({ filters: units, kernelSize: 3, padding: 'same', activation: 'relu' }), new MaxPooling1D({ poolSize: 2 }), new LSTM({ units })]; break;
    // The slides' sentiment model: Embedding → Dense → Dropout → LSTM → GRU → Dense → Dropout → Dense → Dense(sigmoid).
    case 'slides':
      body = [new Dense({ units, activation: 'relu' }), new Dropout({ rate: dropout }), new LSTM({ units, returnSequences: true }), new GRU({ units }),
        new Dense({ units, activation: 'relu' })];
      return new Sequential([embedding, ...body, new Dropout({ rate: dropout }), new Dense({ units: Math.max(8, units >> 2), activation: 'relu' }),
        new Dense({ units: 1, activation: 'sigmoid' })], { seed: o.seed, kernels: o.kernels });
    default:
      throw new ConfigError(`unknown model kind ${JSON.stringify(o.kind)}; known: ${TEXT_MODEL_KINDS.join(', ')}`);
  }
  return new Sequential([embedding, ...body, ...head()], { seed: o.seed, kernels: o.kernels });
}
