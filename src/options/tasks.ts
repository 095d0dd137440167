// Option schemas of the task helpers (src/tasks/): trainTextClassifier, prepareText, buildTextModel,
// trainCharLm, generateText, charLmModel and the gradient experiments. Keys other modules add are let
// through (allowUnknown: 'typos' refuses only near-misses of a known key, e.g. batch_size).
import { arrayOf, boolean, custom, func, integer, nullable, number, object, oneOf, positive, positiveInt, required, string, validateOptions, type Schema } from './schema.js';

const share = number({ min: 0, max: 1, maxExclusive: true });
const rate = number({ min: 0, max: 1, maxExclusive: true });
const seed = integer();
const clip = { clipvalue: positive(), clipnorm: positive(), globalClipnorm: positive(), clipGradNorm: positive() };
const callbacks = arrayOf(custom('a callback or an object of callback functions', (v) => typeof v === 'object' && v !== null), {}, 'an array of callbacks');
const kernels = object('a Kernels object (from loadKernels)');

/** Schemas by helper name. */
export const TASK_SCHEMAS: Readonly<Record<string, Schema>> = {
  prepareText: {
    maxlen: positiveInt(), numWords: nullable(positiveInt()), truncating: oneOf(['pre', 'post']), seed, validation: share, test: share,
    testTexts: arrayOf(string()), testLabels: custom('an array of class ids', (v) => Array.isArray(v) || ArrayBuffer.isView(v)),
  },
  trainTextClassifier: {
    ...clip, kind: required(oneOf(['simple', 'lstm', 'gru', 'bilstm', 'cnn', 'cnn-lstm', 'slides'])), vectors: nullable(object('a WordVectors object')),
    embeddingDim: positiveInt(), units: positiveInt(), dropout: rate, inputDropout: rate, recurrentDropout: rate, epochs: positiveInt(), batchSize: positiveInt(),
    learningRate: positive(), schedule: oneOf(['constant', 'cosine', 'exponential']), optimizer: oneOf(['adam', 'adamw', 'rmsprop', 'sgd', 'adagrad']),
    seed, kernels, callbacks,
  },
  buildTextModel: {
    kind: required(oneOf(['simple', 'lstm', 'gru', 'bilstm', 'cnn', 'cnn-lstm', 'slides'])), vocabularySize: required(positiveInt()), embeddingDim: positiveInt(),
    embeddings: nullable(custom('a Float32Array', (v) => v instanceof Float32Array)), trainEmbeddings: boolean(), units: positiveInt(), dropout: rate,
    inputDropout: rate, recurrentDropout: rate, classes: positiveInt(), maskZero: boolean(), seed, kernels,
  },
  charLmModel: { cell: required(oneOf(['lstm', 'gru'])), units: required(positiveInt()), embeddingDim: required(positiveInt()), stateful: boolean(), seed, kernels },
  trainCharLm: {
    ...clip, cell: oneOf(['lstm', 'gru']), units: positiveInt(), embeddingDim: positiveInt(), window: positiveInt(), maxChars: positiveInt(), validationShare: share,
    timeLimitSeconds: positive(), epochs: positiveInt(), batchSize: positiveInt(), learningRate: positive(), seed, kernels, callbacks,
  },
  generateText: { length: integer({ min: 0 }), temperature: positive(), seed },
  longRangeExperiment: {
    task: oneOf(['first-token', 'adding']), lengths: arrayOf(positiveInt()), samples: positiveInt(), epochs: positiveInt(), units: positiveInt(), seed, kernels,
    onProgress: func(),
  },
  explodingExperiment: { T: positiveInt(), epochs: positiveInt(), clipNorm: positive(), seed, kernels, onProgress: func() },
};

/** Checks a task helper's options; throws OptionError naming the helper and the option. */
export function validateTaskOptions<T>(helper: string, options: unknown): T {
  return validateOptions<T>(helper, options, TASK_SCHEMAS[helper], { allowUnknown: 'typos' });
}
