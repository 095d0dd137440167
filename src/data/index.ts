// The text pipeline: tokenizer, padding, splits and batches, word vectors, embedded data sets, data sources.
export { DataError } from './errors.js';
export { Tokenizer, textToWordSequence, KERAS_FILTERS, type TokenizerOptions, type TokenizerJSON, type TextInput } from './tokenizer.js';
export { padSequences, type PadOptions, type PaddedSequences } from './pad-sequences.js';
export { permutation, splitIndices, batches, batchCount, take, takeRows, type SplitOptions, type Split, type BatchOptions, type SeedOrRandom } from './split.js';
export {
  WordVectors, WordVectorParser, loadWordVectors, parseWordVectors, embeddingMatrix, formatCoverage,
  type WordVectorOptions, type WordVectorStats, type DuplicateWord, type TokenizerLike, type EmbeddingMatrixOptions,
  type EmbeddingCoverage, type EmbeddingMatrixResult,
} from './word-vectors.js';
export {
  loadSentiment, parseSentimentTsv, loadPrideAndPrejudice, loadSentimentGlove, DATASET_CITATIONS,
  type DatasetOptions, type SentimentData, type SentimentSource,
} from './datasets.js';
export { readText, readBytes, byteChunks, LineSplitter, type DataSource, type ReadOptions } from './source.js';
