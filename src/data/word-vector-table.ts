// The word-vector table (WordVectors) and the reader's options and statistics, apart from the reader
// (./word-vectors.ts) so that each file stays one concept.
import { DataError } from './errors.js';
import type { ReadOptions } from './source.js';
import { arrayOf, checkArgument, custom, object, positiveInt, string } from '../options/schema.js';

/** Options of loadWordVectors / parseWordVectors. */
export interface WordVectorOptions extends ReadOptions {
  /** Expected dimension D; default: from the header, else the first vector line. */
  dim?: number;
  /** Lowercase every word; when two spellings meet ("The", "the"), the first one's vector wins. */
  lowercase?: boolean;
  /** Keep only these words (checked after lowercasing): a Set, an array, a Map's keys (e.g. tokenizer.wordIndex). */
  vocabulary?: Iterable<string> | { has(word: string): boolean };
  /** Read at most this many vector lines (like gensim's `limit`; the header count is then not checked). */
  limit?: number;
  /** Longest line in bytes (default 16 MiB); a longer one (e.g. a binary file, /dev/zero) is a DataError. */
  maxLineBytes?: number;
  /** Most values kept in memory, rows × D (default 2^28 = 1 GiB of float32); more is a DataError. */
  maxValues?: number;
}

/** A word that occurred twice in a vectors file (the first vector is kept). */
export interface DuplicateWord {
  word: string;
  /** Line of the repeated (ignored) occurrence. */
  line: number;
  /** Line whose vector was kept. */
  firstLine: number;
}

/** What parsing a vectors file found: lines, header, entries kept, duplicates, case variants, filtered and blank lines. */
export interface WordVectorStats {
  /** The file name or label used in messages. */
  name: string;
  /** Lines read, including the header and blank lines. */
  lines: number;
  /** The "N D" header, when the file has one. */
  header: { count: number; dim: number } | null;
  /** Vector lines read (kept, duplicate or filtered). */
  entries: number;
  /** Words kept (= WordVectors.size). */
  kept: number;
  /** Later occurrences of a word already kept (after lowercasing, with `lowercase`), skipped. */
  duplicates: number;
  /** Of `duplicates`: those spelled differently from the kept word (only with `lowercase`). */
  caseVariants: number;
  /** Lines skipped because the word is not in `vocabulary`. */
  filtered: number;
  /** Lines whose word contains spaces. */
  wordsWithSpaces: number;
  blankLines: number;
  /** The first 10 duplicates, for the report. */
  duplicateExamples: DuplicateWord[];
}

/** A loaded set of word vectors: `vectors` is (N, D) row-major, row i belongs to words[i]. */
export class WordVectors {
  private readonly index = new Map<string, number>();

  constructor(
    readonly dim: number,
    readonly words: readonly string[],
    readonly vectors: Float32Array,
    readonly stats: WordVectorStats,
  ) {
    checkArgument('WordVectors', 'dim', dim, positiveInt());
    checkArgument('WordVectors', 'words', words, arrayOf(string(), {}, 'an array of strings'));
    checkArgument('WordVectors', 'vectors', vectors, custom('a Float32Array (N, dim)', (v) => v instanceof Float32Array));
    checkArgument('WordVectors', 'stats', stats, object('the reader\'s stats object'));
    if (vectors.length !== words.length * dim) throw new DataError(`WordVectors: ${words.length} words × ${dim} dims ≠ ${vectors.length} values`);
    words.forEach((w, i) => {
      if (!this.index.has(w)) this.index.set(w, i);
    });
  }

  get size(): number {
    return this.words.length;
  }

  has(word: string): boolean {
    return this.index.has(word);
  }

  /** Row of `word`, or -1. */
  indexOf(word: string): number {
    return this.index.get(word) ?? -1;
  }

  /** The vector of `word` (a view into `vectors`), or undefined. */
  get(word: string): Float32Array | undefined {
    const i = this.index.get(word);
    return i === undefined ? undefined : this.vectors.subarray(i * this.dim, (i + 1) * this.dim);
  }
}
