// Text classification end to end: texts → tokenizer → padded ids (right padding, masked) → a model from
// the zoo → fit with early model selection on validation accuracy → test accuracy, per-class report and
// confusion matrix. Shared by the CLI's train/compare commands, the examples and the web page.
// Labels are class ids 0…K−1 (src/data/labels.ts maps raw labels to ids): K = 2 trains one sigmoid output with
// binary cross-entropy (Keras' binary setup), K > 2 a softmax over K with sparse categorical cross-entropy.
// Multi-label (prepareMultiLabelText: `targets` (N, K) of 0/1): K sigmoids with binary cross-entropy over the
// K outputs, the epoch chosen by validation micro F1, and a multi-label report.

import type { Kernels } from '../../bindings/index.js';
import type { Callback, CallbackFunctions } from '../callbacks/callback.js';
import { argmaxRows, classificationReport, type ClassificationReport } from '../classification-report.js';
import { multiLabelReport, type MultiLabelReport } from '../multilabel-report.js';
import { padSequences } from '../data/pad-sequences.js';
import { splitIndices } from '../data/split.js';
import { Tokenizer } from '../data/tokenizer.js';
import { embeddingMatrix, type EmbeddingCoverage, type WordVectors } from '../data/word-vectors.js';
import { DataError } from '../data/errors.js';
import type { Sequential } from '../model/sequential.js';
import type { ClipOptions } from '../optimizers.js';
import { CosineDecay } from '../schedules/cosine-decay.js';
import { ExponentialDecay } from '../schedules/exponential-decay.js';
import { buildTextModel, type TextModelKind } from './text-models.js';
import { validateTaskOptions } from '../options/tasks.js';
import { checkArgument, arrayOf, custom, oneOf, string as stringSpec, validateOptions } from '../options/schema.js';

/** Texts tokenized, padded and split, ready for trainTextClassifier. */
export interface PreparedText {
  tokenizer: Tokenizer;
  maxlen: number;
  /** Which end of a long text was cut ('post' keeps the first T tokens, 'pre' the last T). */
  truncating: 'pre' | 'post';
  /** (N, T) ids, right-padded with 0. */
  x: Int32Array;
  /** (N) class ids in [0, K). */
  labels: Int32Array;
  /** K, the number of classes (max label + 1, at least 2), or of labels when multi-label. */
  numClasses: number;
  /** Multi-label: (N, K) 0/1 targets, row-major (then `labels` is unused); absent or null: single-label. */
  targets?: Float32Array | null;
  train: Int32Array;
  validation: Int32Array;
  test: Int32Array;
}

/** How prepareText tokenizes, pads and splits. */
export interface PrepareOptions {
  /** T; default: the 95th percentile of the training texts' token counts. */
  maxlen?: number;
  /** Keep the numWords − 1 most frequent training words (Keras num_words); the rest become <oov>. */
  numWords?: number | null;
  /** Which end of a text longer than T is cut (default 'post': keep the beginning). */
  truncating?: 'pre' | 'post';
  seed?: number;
  /** Validation share of the (training) texts (default 0.1). */
  validation?: number;
  /** Test share (default 0.2); ignored when testTexts is given. */
  test?: number;
  /** A fixed test set (e.g. IMDB's official 25k test reviews): then only validation is split off the texts. */
  testTexts?: readonly string[];
  /** Class ids of testTexts. */
  testLabels?: ArrayLike<number>;
}

function checkLabels(labels: ArrayLike<number>, n: number, what: string): void {
  if (labels.length !== n) throw new DataError(`prepareText: ${n} ${what} texts but ${labels.length} labels`);
  for (let i = 0; i < labels.length; i++) {
    const v = labels[i];
    if (!Number.isInteger(v) || v < 0) throw new DataError(`prepareText: ${what} label ${i} = ${v} is not a class id (an integer >= 0); map raw labels with LabelEncoder`);
  }
}

/** Tokenizes (fit on the training split only), pads and splits (stratified, seeded). */
export function prepareText(texts: readonly string[], labels: ArrayLike<number>, o: PrepareOptions = {}): PreparedText {
  checkArgument('prepareText', 'texts', texts, arrayOf(stringSpec(), {}, 'an array of strings'));
  checkArgument('prepareText', 'labels', labels, custom('an array of class ids', (v) => Array.isArray(v) || (ArrayBuffer.isView(v) && !(v instanceof DataView))));
  validateTaskOptions('prepareText', o);
  checkLabels(labels, texts.length, 'training');
  const testTexts = o.testTexts ?? null;
  let split: { train: Int32Array; validation: Int32Array; test: Int32Array };
  let allTexts: readonly string[] = texts, allLabels = Int32Array.from(labels);
  if (testTexts) {
    const testLabels = o.testLabels ?? [];
    checkLabels(testLabels, testTexts.length, 'test');
    const s = splitIndices(texts.length, { validation: o.validation ?? 0.1, seed: o.seed ?? 0, stratify: labels });
    split = { train: s.train, validation: s.validation, test: Int32Array.from({ length: testTexts.length }, (_, i) => texts.length + i) };
    allTexts = [...texts, ...testTexts];
    allLabels = Int32Array.from([...Array.from(labels), ...Array.from(testLabels)]);
  } else {
    split = splitIndices(texts.length, { validation: o.validation ?? 0.1, test: o.test ?? 0.2, seed: o.seed ?? 0, stratify: labels });
  }
  const numClasses = Math.max(2, ...Array.from(split.train, (i) => allLabels[i] + 1));
  for (const part of ['validation', 'test'] as const) {
    for (const i of split[part]) {
      if (allLabels[i] >= numClasses) throw new DataError(`prepareText: class ${allLabels[i]} occurs in the ${part} data but not in the training split (K = ${numClasses})`);
    }
  }
  const tokenizer = new Tokenizer({ numWords: o.numWords ?? null, oovToken: '<oov>' });
  tokenizer.fitOnTexts(Array.from(split.train, (i) => allTexts[i]));
  const sequences = tokenizer.textsToSequences(allTexts);
  const lengths = Array.from(split.train, (i) => sequences[i].length).sort((a, b) => a - b);
  const maxlen = o.maxlen ?? Math.max(4, lengths[Math.floor(0.95 * (lengths.length - 1))]);
  const truncating = o.truncating ?? 'post';
  const padded = padSequences(sequences, { maxlen, padding: 'post', truncating });
  return { tokenizer, maxlen, truncating, x: padded.data, labels: allLabels, numClasses, ...split };
}

/** Model, optimiser and loop settings of trainTextClassifier. */
export interface TrainTextOptions extends ClipOptions {
  kind: TextModelKind;
  /** Pre-trained vectors for the Embedding (frozen); null: random, trained. */
  vectors?: WordVectors | null;
  embeddingDim?: number;
  units?: number;
  dropout?: number;
  /** Input (variational) and recurrent dropout of the recurrent layer (Keras dropout / recurrent_dropout). */
  inputDropout?: number;
  recurrentDropout?: number;
  epochs?: number;
  batchSize?: number;
  learningRate?: number;
  /** 'cosine': CosineDecay from learningRate to 0 over all steps; 'exponential': × 0.5 per epoch; default constant. */
  schedule?: 'constant' | 'cosine' | 'exponential';
  optimizer?: 'adam' | 'adamw' | 'rmsprop' | 'sgd' | 'adagrad';
  seed?: number;
  kernels?: Kernels;
  callbacks?: Array<Callback | CallbackFunctions>;
}

/** What trainTextClassifier measured. */
export interface TrainTextResult {
  model: Sequential;
  /** Per-epoch logs. */
  history: Record<string, number[]>;
  bestEpoch: number;
  testAccuracy: number;
  testLoss: number;
  /** Per-class precision/recall/F1, averages and the confusion matrix on the test split (class ids as labels); null when multi-label. */
  report: ClassificationReport | null;
  /** Multi-label: per-label scores, micro/macro F1, subset accuracy and Hamming loss on the test split; else null. */
  multiLabelReport: MultiLabelReport | null;
  trainSeconds: number;
  /** Wall time of each epoch (training pass plus validation), seconds. */
  epochSeconds: number[];
  params: number;
  trainableParams: number;
  coverage: EmbeddingCoverage | null;
}

const rows = (p: PreparedText, idx: Int32Array) => {
  const T = p.maxlen, data = new Int32Array(idx.length * T);
  idx.forEach((r, i) => data.set(p.x.subarray(r * T, (r + 1) * T), i * T));
  const x = { data, shape: [idx.length, T] };
  if (!p.targets) return { x, y: { data: Int32Array.from(idx, (r) => p.labels[r]), shape: [idx.length] } as { data: Int32Array | Float32Array; shape: number[] } };
  const K = p.numClasses, y = new Float32Array(idx.length * K);
  idx.forEach((r, i) => y.set(p.targets!.subarray(r * K, (r + 1) * K), i * K));
  return { x, y: { data: y as Int32Array | Float32Array, shape: [idx.length, K] } };
};

/**
 * Trains one model, keeps the weights of the epoch with the best validation accuracy (multi-label: micro F1),
 * reports test accuracy (multi-label: Keras' binary accuracy over all N·K decisions) and the test report.
 */
export async function trainTextClassifier(p: PreparedText, o: TrainTextOptions): Promise<TrainTextResult> {
  checkArgument('trainTextClassifier', 'p', p, custom('a PreparedText (from prepareText)', (v) => typeof (v as PreparedText | null)?.tokenizer?.textsToSequences === 'function'));
  validateTaskOptions('trainTextClassifier', o);
  const V = p.tokenizer.vocabularySize, K = p.numClasses ?? 2, multi = !!p.targets;
  let coverage: EmbeddingCoverage | null = null, embeddings: Float32Array | null = null;
  if (o.vectors) {
    const m = embeddingMatrix(p.tokenizer, o.vectors, { oov: 'zeros', numWords: V });
    embeddings = m.matrix;
    coverage = m.coverage;
  }
  const model = buildTextModel({
    kind: o.kind, vocabularySize: V, embeddingDim: o.embeddingDim ?? 100, embeddings, units: o.units, dropout: o.dropout, seed: o.seed ?? 0,
    inputDropout: o.inputDropout, recurrentDropout: o.recurrentDropout,
    kernels: o.kernels, classes: K === 2 && !multi ? 1 : K, multiLabel: multi,
  });
  const clip: ClipOptions = { clipvalue: o.clipvalue, clipnorm: o.clipnorm, globalClipnorm: o.globalClipnorm, clipGradNorm: o.clipGradNorm };
  const lr = o.learningRate ?? 0.005, steps = Math.ceil(p.train.length / (o.batchSize ?? 32)), epochs = o.epochs ?? 8;
  const learningRate = o.schedule === 'cosine' ? new CosineDecay({ initialLearningRate: lr, decaySteps: Math.max(1, steps * epochs) })
    : o.schedule === 'exponential' ? new ExponentialDecay({ initialLearningRate: lr, decaySteps: steps, decayRate: 0.5 }) : lr;
  model.compile({
    optimizer: { className: o.optimizer ?? 'adam', config: { learningRate, ...clip } },
    loss: K === 2 || multi ? 'binaryCrossentropy' : 'sparseCategoricalCrossentropy', metrics: multi ? ['accuracy', 'f1Micro'] : ['accuracy'],
  });
  const train = rows(p, p.train), val = rows(p, p.validation), test = rows(p, p.test);
  let best = { acc: -1, epoch: -1, weights: null as ReturnType<Sequential['getWeights']> | null };
  const epochSeconds: number[] = [];
  let epochStart = 0;
  const keepBest: CallbackFunctions = {
    onEpochBegin: () => { epochStart = performance.now(); },
    onEpochEnd: (epoch, logs) => {
      epochSeconds.push((performance.now() - epochStart) / 1000);
      const acc = (multi ? logs?.val_f1Micro : logs?.val_accuracy) ?? -1;
      if (acc > best.acc) best = { acc, epoch, weights: model.getWeights() };
    },
  };
  const t0 = performance.now();
  const h = await model.fit(train.x, train.y, {
    epochs: o.epochs ?? 8, batchSize: o.batchSize ?? 32, validationData: [val.x, val.y], seed: o.seed ?? 0, callbacks: [keepBest, ...(o.callbacks ?? [])],
  });
  const trainSeconds = (performance.now() - t0) / 1000;
  if (best.weights) model.setWeights(best.weights);
  const logs = await model.evaluate(test.x, test.y, { batchSize: 128 });
  const scores = (await model.predict(test.x, { batchSize: 128 })).data;
  const report = multi ? null : classificationReport(test.y.data, argmaxRows(scores, K === 2 ? 1 : K), { K });
  const mlReport = multi ? multiLabelReport(test.y.data, scores, { K }) : null;
  const t = model.paramTable;
  return {
    model, history: h.history, bestEpoch: best.epoch, testAccuracy: logs.accuracy, testLoss: logs.loss, report, multiLabelReport: mlReport, trainSeconds, epochSeconds,
    params: t.count(), trainableParams: t.count((e) => e.trainable), coverage,
  };
}

/**
 * Model outputs for raw texts, with the tokenizer, length and truncation the model was trained with:
 * (N) probabilities of the positive class for a binary model, (N, K) class probabilities (row-major) otherwise.
 */
export async function predictTexts(model: Sequential, tokenizer: Tokenizer, maxlen: number, texts: readonly string[], options: { truncating?: 'pre' | 'post' } = {}): Promise<Float32Array> {
  checkArgument('predictTexts', 'model', model, custom('a model (with predict)', (v) => typeof (v as Sequential | null)?.predict === 'function'));
  checkArgument('predictTexts', 'tokenizer', tokenizer, custom('a Tokenizer', (v) => typeof (v as Tokenizer | null)?.textsToSequences === 'function'));
  checkArgument('predictTexts', 'maxlen', maxlen, custom('a positive integer', (v) => Number.isSafeInteger(v) && (v as number) > 0));
  checkArgument('predictTexts', 'texts', texts, arrayOf(stringSpec(), {}, 'an array of strings'));
  validateOptions('predictTexts', options, { truncating: oneOf(['pre', 'post']) });
  const padded = padSequences(tokenizer.textsToSequences(texts).map((s) => (s.length ? s : [1])), { maxlen, padding: 'post', truncating: options.truncating ?? 'post' });
  return (await model.predict({ data: padded.data, shape: padded.shape }, { batchSize: 128 })).data;
}

/**
 * Per-class probability rows from predictTexts' output: `columns` is the model's output width, 1 for a
 * binary model (then each row is [1 − p, p]) or K.
 */
export function classProbabilities(scores: Float32Array, columns: number): Float32Array[] {
  checkArgument('classProbabilities', 'scores', scores, custom('a Float32Array of scores (from predictTexts)', (v) => v instanceof Float32Array));
  checkArgument('classProbabilities', 'columns', columns, custom('a positive integer', (v) => Number.isSafeInteger(v) && (v as number) > 0));
  if (columns === 1) return Array.from(scores, (p) => Float32Array.of(1 - p, p));
  if (!Number.isInteger(columns) || columns < 2 || scores.length % columns !== 0) throw new DataError(`classProbabilities: ${scores.length} scores are not rows of ${columns}`);
  return Array.from({ length: scores.length / columns }, (_, r) => scores.slice(r * columns, (r + 1) * columns));
}
