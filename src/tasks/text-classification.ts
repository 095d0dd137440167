// Text classification end to end: texts → tokenizer → padded ids (right padding, masked) → a model from
// the zoo → fit with early model selection on validation accuracy → test accuracy. Shared by the CLI's
// train/compare commands, the examples and the web page.

import type { Kernels } from '../../bindings/index.js';
import type { Callback, CallbackFunctions } from '../callbacks/callback.js';
import { padSequences } from '../data/pad-sequences.js';
import { splitIndices } from '../data/split.js';
import { Tokenizer } from '../data/tokenizer.js';
import { embeddingMatrix, type EmbeddingCoverage, type WordVectors } from '../data/word-vectors.js';
import type { Sequential } from '../model/sequential.js';
import type { ClipOptions } from '../optimizers.js';
import { buildTextModel, type TextModelKind } from './text-models.js';

/** Texts tokenized and padded for a text classifier, with the fitted tokenizer. */
export interface PreparedText {
  tokenizer: Tokenizer;
  maxlen: number;
  /** (N, T) ids, right-padded with 0. */
  x: Int32Array;
  labels: Int32Array;
  train: Int32Array;
  validation: Int32Array;
  test: Int32Array;
}

export interface PrepareOptions {
  /** T; default: the 95th percentile of the training texts' token counts. */
  maxlen?: number;
  numWords?: number | null;
  seed?: number;
  validation?: number;
  test?: number;
}

/** Tokenizes (fit on the training split only), pads and splits (stratified, seeded). */
export function prepareText(texts: readonly string[], labels: ArrayLike<number>, o: PrepareOptions = {}): PreparedText {
  const split = splitIndices(texts.length, { validation: o.validation ?? 0.1, test: o.test ?? 0.2, seed: o.seed ?? 0, stratify: labels });
  const tokenizer = new Tokenizer({ numWords: o.numWords ?? null, oovToken: '<oov>' });
  tokenizer.fitOnTexts(Array.from(split.train, (i) => texts[i]));
  const sequences = tokenizer.textsToSequences(texts);
  const lengths = Array.from(split.train, (i) => sequences[i].length).sort((a, b) => a - b);
  const maxlen = o.maxlen ?? Math.max(4, lengths[Math.floor(0.95 * (lengths.length - 1))]);
  const padded = padSequences(sequences, { maxlen, padding: 'post', truncating: 'post' });
  return { tokenizer, maxlen, x: padded.data, labels: Int32Array.from(labels), ...split };
}

/** Options of trainTextClassifier(): model kind, embeddings, sizes, epochs, clipping. */
export interface TrainTextOptions extends ClipOptions {
  kind: TextModelKind;
  /** Pre-trained vectors for the Embedding (frozen); null: random, trained. */
  vectors?: WordVectors | null;
  embeddingDim?: number;
  units?: number;
  dropout?: number;
  epochs?: number;
  batchSize?: number;
  learningRate?: number;
  optimizer?: 'adam' | 'adamw' | 'rmsprop' | 'sgd' | 'adagrad';
  seed?: number;
  kernels?: Kernels;
  callbacks?: Array<Callback | CallbackFunctions>;
}

/** A trained text classifier with its history, best epoch, test accuracy and loss, sizes and embedding coverage. */
export interface TrainTextResult {
  model: Sequential;
  /** Per-epoch logs. */
  history: Record<string, number[]>;
  bestEpoch: number;
  testAccuracy: number;
  testLoss: number;
  trainSeconds: number;
  params: number;
  trainableParams: number;
  coverage: EmbeddingCoverage | null;
}

const rows = (p: PreparedText, idx: Int32Array) => {
  const T = p.maxlen, data = new Int32Array(idx.length * T);
  idx.forEach((r, i) => data.set(p.x.subarray(r * T, (r + 1) * T), i * T));
  return { x: { data, shape: [idx.length, T] }, y: { data: Array.from(idx, (r) => p.labels[r]), shape: [idx.length, 1] } };
};

/** Trains one model, keeps the weights of the epoch with the best validation accuracy, reports test accuracy. */
export async function trainTextClassifier(p: PreparedText, o: TrainTextOptions): Promise<TrainTextResult> {
  const V = p.tokenizer.vocabularySize;
  let coverage: EmbeddingCoverage | null = null, embeddings: Float32Array | null = null;
  if (o.vectors) {
    const m = embeddingMatrix(p.tokenizer, o.vectors, { oov: 'zeros', numWords: V });
    embeddings = m.matrix;
    coverage = m.coverage;
  }
  const model = buildTextModel({ kind: o.kind, vocabularySize: V, embeddingDim: o.embeddingDim ?? 100, embeddings, units: o.units, dropout: o.dropout, seed: o.seed ?? 0, kernels: o.kernels });
  const clip: ClipOptions = { clipvalue: o.clipvalue, clipnorm: o.clipnorm, globalClipnorm: o.globalClipnorm, clipGradNorm: o.clipGradNorm };
  model.compile({ optimizer: { className: o.optimizer ?? 'adam', config: { learningRate: o.learningRate ?? 0.005, ...clip } }, loss: 'binaryCrossentropy', metrics: ['accuracy'] });
  const train = rows(p, p.train), val = rows(p, p.validation), test = rows(p, p.test);
  let best = { acc: -1, epoch: -1, weights: null as ReturnType<Sequential['getWeights']> | null };
  const keepBest: CallbackFunctions = {
    onEpochEnd: (epoch, logs) => {
      const acc = logs?.val_accuracy ?? -1;
      if (acc > best.acc) best = { acc, epoch, weights: model.getWeights() };
    },
  };
  const t0 = performance.now();
  const h = await model.fit(train.x, train.y, {
    epochs: o.epochs ?? 8, batchSize: o.batchSize ?? 32, validationData: [val.x, val.y], seed: o.seed ?? 0, callbacks: [keepBest, ...(o.callbacks ?? [])],
  });
  const trainSeconds = (performance.now() - t0) / 1000;
  if (best.weights) model.setWeights(best.weights);
  const logs = await model.evaluate(test.x, test.y, { batchSize: 64 });
  const t = model.paramTable;
  return {
    model, history: h.history, bestEpoch: best.epoch, testAccuracy: logs.accuracy, testLoss: logs.loss, trainSeconds,
    params: t.count(), trainableParams: t.count((e) => e.trainable), coverage,
  };
}

/** Probabilities of the positive class for raw texts, with the tokenizer and length the model was trained on. */
export async function predictTexts(model: Sequential, tokenizer: Tokenizer, maxlen: number, texts: readonly string[]): Promise<Float32Array> {
  const padded = padSequences(tokenizer.textsToSequences(texts).map((s) => (s.length ? s : [1])), { maxlen, padding: 'post', truncating: 'post' });
  return (await model.predict({ data: padded.data, shape: padded.shape })).data;
}
