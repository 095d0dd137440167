// Pre-trained word vectors in the GloVe / word2vec TEXT format, read as a stream, and the Embedding weight
// matrix built from them for a Tokenizer's index.
//
// Format: one "word v1 … vD" per line, separated by spaces (tabs accepted); an optional first line "N D"
// (word2vec / fastText .vec header). Handled: CRLF, leading/trailing blanks, blank lines, a UTF-8 BOM, non-ASCII
// words, words containing spaces (glove.840B has some: when a line has more than D + 1 fields and the extra
// leading fields are not numbers, they belong to the word), duplicate words (the first wins; counted), mixed
// case (`lowercase`: words are lowercased and the first spelling wins), a `vocabulary` filter (only those
// words are kept, to save memory), gzip (by magic bytes). A line with the wrong number of values is a DataError
// naming file and line: "glove.txt:17: expected 100 values after the word, got 99". Values are parsed (and
// must be finite) only for the lines kept; every line's field count is checked.
// The binary word2vec format is not read (convert it to text first).
import { DataError } from './errors.js';
import { byteChunks, LineSplitter, sourceName, type DataSource, type ReadOptions } from './source.js';
import { Random } from '../random.js';
import type { SeedOrRandom } from './split.js';

import { WordVectors, type WordVectorOptions, type WordVectorStats } from './word-vector-table.js';
import { checkArgument, checkOptions, custom, integer, positiveInt, string } from '../options/schema.js';

export { WordVectors, type WordVectorOptions, type WordVectorStats, type DuplicateWord } from './word-vector-table.js';

const BLANK = (c: number): boolean => c === 32 || c === 9 || c === 13;
const FIELD_SEPARATOR = /[ \t]+/;
const UNSIGNED = /^\d+$/;

/**
 * The streaming core: feed it lines (or bytes via `pushBytes`), then call `end()`. Node and browser loaders
 * both drive this class; it never sees where the text came from.
 */
export class WordVectorParser {
  readonly name: string;
  private dim: number;
  private readonly lowercase: boolean;
  private readonly vocabulary: { has(word: string): boolean } | null;
  private readonly limit: number;
  private readonly splitter: LineSplitter;
  private readonly rows = new Map<string, number>();
  private readonly words: string[] = [];
  private readonly spellings: string[] = []; // original spelling per row (lowercase mode)
  private readonly firstLines: number[] = [];
  private data = new Float32Array(0);
  private sawFirst = false;
  private stoppedEarly = false;
  private readonly maxLineBytes: number;
  private readonly maxValues: number;
  /** Bytes of the current (unterminated) line seen so far. */
  private openLineBytes = 0;
  private readonly stats: WordVectorStats;

  constructor(options: WordVectorOptions = {}) {
    checkOptions('WordVectorParser', options); // issue 16: null or non-object options are an OptionError
    this.name = options.name ?? 'word vectors';
    const { dim, lowercase = false, vocabulary, limit, maxLineBytes = 16 * 2 ** 20, maxValues = 2 ** 28 } = options;
    if (dim !== undefined && (!Number.isSafeInteger(dim) || dim < 1)) throw new DataError(`dim must be a positive integer, got ${String(dim)}`, this.name);
    if (limit !== undefined && (!Number.isSafeInteger(limit) || limit < 1)) throw new DataError(`limit must be a positive integer, got ${String(limit)}`, this.name);
    if (typeof lowercase !== 'boolean') throw new DataError(`lowercase must be a boolean (true or false), got ${JSON.stringify(lowercase)}`, this.name);
    if (!Number.isSafeInteger(maxLineBytes) || maxLineBytes < 1) throw new DataError(`maxLineBytes must be a positive integer, got ${String(maxLineBytes)}`, this.name);
    if (!Number.isSafeInteger(maxValues) || maxValues < 1) throw new DataError(`maxValues must be a positive integer, got ${String(maxValues)}`, this.name);
    this.maxLineBytes = maxLineBytes;
    this.maxValues = maxValues;
    this.dim = dim ?? 0;
    this.lowercase = lowercase;
    this.limit = limit ?? Infinity;
    if (vocabulary === undefined || vocabulary === null) this.vocabulary = null;
    else if (typeof (vocabulary as { has?: unknown }).has === 'function') this.vocabulary = vocabulary as { has(word: string): boolean }; // Set, Map
    else if (typeof (vocabulary as Iterable<string>)[Symbol.iterator] === 'function') this.vocabulary = new Set(vocabulary as Iterable<string>);
    else throw new DataError('vocabulary must be a Set, Map or iterable of words', this.name);
    this.stats = {
      name: this.name, lines: 0, header: null, entries: 0, kept: 0, duplicates: 0, caseVariants: 0, filtered: 0,
      wordsWithSpaces: 0, blankLines: 0, duplicateExamples: [],
    };
    this.splitter = new LineSplitter(this.name, (line, n) => this.pushLine(line, n));
  }

  /** True once `limit` vector lines were read (the caller may stop reading). */
  get done(): boolean {
    return this.stoppedEarly;
  }

  /** Raw UTF-8 bytes, any chunking (lines may span chunks). A line longer than maxLineBytes is a DataError. */
  pushBytes(chunk: Uint8Array): void {
    checkArgument('WordVectorParser.pushBytes', 'chunk', chunk, custom('a Uint8Array of bytes', (v) => v instanceof Uint8Array));
    const last = chunk.lastIndexOf(0x0a);
    const open = last < 0 ? this.openLineBytes + chunk.length : chunk.length - last - 1;
    if (Math.max(open, last < 0 ? 0 : this.openLineBytes + chunk.indexOf(0x0a)) > this.maxLineBytes) {
      throw new DataError(`line ${this.stats.lines + 1} is longer than maxLineBytes = ${this.maxLineBytes} bytes (not a text file of word vectors?)`, this.name, this.stats.lines + 1);
    }
    this.openLineBytes = open;
    this.splitter.push(chunk);
  }

  /** One line (without its "\n"; a trailing "\r" is ignored) and its 1-based number. Returns false once done. */
  pushLine(line: string, lineNo: number): boolean {
    checkArgument('WordVectorParser.pushLine', 'line', line, string());
    checkArgument('WordVectorParser.pushLine', 'lineNo', lineNo, positiveInt());
    if (this.stoppedEarly) return false;
    this.stats.lines = lineNo;
    let end = line.length, start = 0;
    while (end > 0 && BLANK(line.charCodeAt(end - 1))) end--;
    while (start < end && BLANK(line.charCodeAt(start))) start++;
    if (start === end) {
      this.stats.blankLines++;
      return true;
    }
    const fields = (start === 0 && end === line.length ? line : line.slice(start, end)).split(FIELD_SEPARATOR);
    if (!this.sawFirst) {
      this.sawFirst = true;
      if (fields.length === 2 && UNSIGNED.test(fields[0]) && UNSIGNED.test(fields[1])) {
        const count = Number(fields[0]), dim = Number(fields[1]);
        if (dim < 1) throw new DataError(`header "${fields[0]} ${fields[1]}" gives dimension 0`, this.name, lineNo);
        if (this.dim !== 0 && dim !== this.dim) throw new DataError(`header says dimension ${dim}, expected ${this.dim}`, this.name, lineNo);
        this.dim = dim;
        this.stats.header = { count, dim };
        return true;
      }
    }
    if (this.dim === 0) {
      if (fields.length < 2) throw new DataError(`expected a word followed by its values, got only ${JSON.stringify(fields[0])}`, this.name, lineNo);
      this.dim = fields.length - 1;
    }
    const D = this.dim;
    const got = fields.length - 1;
    let wordFields = 1;
    if (got > D) {
      // Extra leading fields that are not numbers are part of the word ("at name@domain.com", ". . .").
      wordFields = got - D + 1;
      for (let k = 1; k < wordFields; k++) {
        if (Number.isFinite(Number(fields[k]))) throw new DataError(`expected ${D} values after the word, got ${got}`, this.name, lineNo);
      }
      this.stats.wordsWithSpaces++;
    } else if (got < D) {
      throw new DataError(`expected ${D} values after the word, got ${got}`, this.name, lineNo);
    }
    this.stats.entries++;
    const spelling = wordFields === 1 ? fields[0] : fields.slice(0, wordFields).join(' ');
    const word = this.lowercase ? spelling.toLowerCase() : spelling;
    if (this.vocabulary !== null && !this.vocabulary.has(word)) {
      this.stats.filtered++;
    } else {
      const row = this.rows.get(word);
      if (row !== undefined) {
        this.stats.duplicates++;
        if (this.lowercase && this.spellings[row] !== spelling) this.stats.caseVariants++;
        if (this.stats.duplicateExamples.length < 10) this.stats.duplicateExamples.push({ word, line: lineNo, firstLine: this.firstLines[row] });
      } else {
        this.store(word, spelling, fields, wordFields, lineNo);
      }
    }
    if (this.stats.entries >= this.limit) {
      this.stoppedEarly = true;
      return false;
    }
    return true;
  }

  private store(word: string, spelling: string, fields: string[], wordFields: number, lineNo: number): void {
    const D = this.dim;
    const n = this.words.length;
    if ((n + 1) * D > this.data.length) {
      // Geometric growth from a small start (64K values, or one row when wider), capped at maxValues:
      // one huge first line costs one row, not a 1024-row reservation of its width.
      const need = (n + 1) * D;
      if (need > this.maxValues) throw new DataError(`${n + 1} vectors of dimension ${D} exceed maxValues = ${this.maxValues} values`, this.name, lineNo);
      const grown = new Float32Array(Math.min(this.maxValues, Math.max(need, 65536, this.data.length * 2)));
      grown.set(this.data);
      this.data = grown;
    }
    for (let k = 0; k < D; k++) {
      const f = fields[wordFields + k];
      const v = Number(f);
      if (!Number.isFinite(v)) throw new DataError(`value ${k + 1} of ${JSON.stringify(word)} is ${JSON.stringify(f)}, not a finite number`, this.name, lineNo);
      this.data[n * D + k] = v;
    }
    this.rows.set(word, n);
    this.words.push(word);
    if (this.lowercase) this.spellings.push(spelling);
    this.firstLines.push(lineNo);
  }

  /** Finishes the stream: checks the header count and returns the vectors. */
  end(): WordVectors {
    this.splitter.end();
    const { header } = this.stats;
    if (this.dim === 0) throw new DataError('no word vectors found (empty file?)', this.name);
    if (header !== null && !this.stoppedEarly && header.count !== this.stats.entries) {
      throw new DataError(`header says ${header.count} vectors, found ${this.stats.entries}${this.stats.entries < header.count ? ' (truncated file?)' : ''}`, this.name);
    }
    this.stats.kept = this.words.length;
    return new WordVectors(this.dim, this.words.slice(), this.data.slice(0, this.words.length * this.dim), { ...this.stats });
  }
}

/**
 * Loads word vectors from a file path (Node), URL (fetch), Response, Blob, ReadableStream, ArrayBuffer or typed
 * array, or an async iterable of chunks; gzip is undone automatically. Streams: memory holds only the kept
 * vectors. Stops reading early once `limit` lines were read.
 */
export async function loadWordVectors(source: DataSource, options: WordVectorOptions = {}): Promise<WordVectors> {
  checkOptions('loadWordVectors', options); // issue 16: null or non-object options are an OptionError
  const name = options.name ?? sourceName(source, 'word vectors');
  const parser = new WordVectorParser({ ...options, name });
  for await (const chunk of byteChunks(source, { name, gzip: options.gzip })) {
    parser.pushBytes(chunk);
    if (parser.done) break;
  }
  return parser.end();
}

/** Synchronous parse of text already in memory (no gzip: use loadWordVectors for .gz). */
export function parseWordVectors(text: string, options: WordVectorOptions = {}): WordVectors {
  if (typeof text !== 'string') throw new DataError('parseWordVectors: text must be a string (use loadWordVectors for bytes and files)');
  checkOptions('parseWordVectors', options); // issue 16: null or non-object options are an OptionError
  const parser = new WordVectorParser(options);
  const lines = text.split('\n');
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  for (let i = 0; i < lines.length; i++) {
    let line = lines[i];
    if (i === 0 && line.charCodeAt(0) === 0xfeff) line = line.slice(1);
    if (!parser.pushLine(line, i + 1)) break;
  }
  return parser.end();
}

// ---- embedding matrix

/** What embeddingMatrix needs from a tokenizer (the Tokenizer class has all of it). */
export interface TokenizerLike {
  readonly wordIndex: ReadonlyMap<string, number>;
  readonly wordCounts: ReadonlyMap<string, number>;
  readonly numWords?: number | null;
  readonly oovToken?: string | null;
}

/** Options of embeddingMatrix(): rows for words without a vector. */
export interface EmbeddingMatrixOptions {
  /** Rows for words without a pretrained vector (and the oov token): 'zeros' (default) or 'random'. */
  oov?: 'zeros' | 'random';
  /** Seed or generator for 'random' rows (default seed 0). */
  seed?: SeedOrRandom;
  /** Standard deviation of 'random' rows; default: the standard deviation of all loaded vector values. */
  scale?: number;
  /** Rows V; default: the tokenizer's numWords capped at max index + 1 (as Tokenizer.vocabularySize). */
  numWords?: number;
  /** How many of the most frequent missing words to list (default 20). */
  topMissing?: number;
}

/** How much of a tokenizer's vocabulary (types and tokens) the pretrained vectors cover. */
export interface EmbeddingCoverage {
  /** Word types (indices 1…V−1, the oov token excluded) that have a pretrained vector. */
  typesFound: number;
  typesTotal: number;
  /** typesFound / typesTotal (0 when empty). */
  typeShare: number;
  /** Token occurrences (tokenizer.wordCounts) of those word types that are covered. */
  tokensFound: number;
  tokensTotal: number;
  tokenShare: number;
  /** The most frequent words without a vector: word, its index and count. */
  missing: Array<{ word: string; index: number; count: number }>;
}

/** An Embedding weight matrix built from pretrained vectors, with its coverage. */
export interface EmbeddingMatrixResult {
  /** (V, E) row-major; row 0 (padding) is zeros; row i is the vector of tokenizer index i. */
  matrix: Float32Array;
  shape: [number, number];
  coverage: EmbeddingCoverage;
}

/**
 * The Embedding weights for a tokenizer from pretrained vectors (exact word lookup). Coverage counts only
 * the rows the matrix has (indices < V), without the oov token.
 */
export function embeddingMatrix(tokenizer: TokenizerLike, vectors: WordVectors, options: EmbeddingMatrixOptions = {}): EmbeddingMatrixResult {
  checkOptions('embeddingMatrix', options); // issue 16: null or non-object options are an OptionError
  if (tokenizer === null || typeof tokenizer !== 'object' || !(tokenizer.wordIndex instanceof Map) || !(tokenizer.wordCounts instanceof Map)) {
    throw new DataError('embeddingMatrix: tokenizer must have wordIndex and wordCounts maps (fit it first)');
  }
  if (!(vectors instanceof WordVectors)) throw new DataError('embeddingMatrix: vectors must be a WordVectors (from loadWordVectors)');
  const { oov = 'zeros', topMissing = 20 } = options;
  if (oov !== 'zeros' && oov !== 'random') throw new DataError(`embeddingMatrix: oov must be "zeros" or "random", got ${JSON.stringify(oov)}`);
  let maxIndex = 0;
  for (const i of tokenizer.wordIndex.values()) if (i > maxIndex) maxIndex = i;
  const limit = options.numWords ?? tokenizer.numWords ?? null;
  if (limit !== null && (!Number.isSafeInteger(limit) || limit < 1)) throw new DataError(`embeddingMatrix: numWords must be a positive integer, got ${String(limit)}`);
  const V = options.numWords ?? (limit === null ? maxIndex + 1 : Math.min(limit, maxIndex + 1));
  const E = vectors.dim;
  const matrix = new Float32Array(V * E);
  const covered = new Uint8Array(V);
  covered[0] = 1; // padding stays zero
  const oovIndex = tokenizer.oovToken == null ? -1 : tokenizer.wordIndex.get(tokenizer.oovToken) ?? -1;
  let typesFound = 0, typesTotal = 0, tokensFound = 0, tokensTotal = 0;
  const missing: Array<{ word: string; index: number; count: number }> = [];
  for (const [word, i] of tokenizer.wordIndex) {
    if (i <= 0 || i >= V || i === oovIndex) continue;
    const count = tokenizer.wordCounts.get(word) ?? 0;
    typesTotal++;
    tokensTotal += count;
    const row = vectors.indexOf(word);
    if (row >= 0) {
      matrix.set(vectors.vectors.subarray(row * E, (row + 1) * E), i * E);
      covered[i] = 1;
      typesFound++;
      tokensFound += count;
    } else {
      missing.push({ word, index: i, count });
    }
  }
  if (oov === 'random') {
    const scale = options.scale ?? stddev(vectors.vectors);
    if (!Number.isFinite(scale) || scale < 0) throw new DataError(`embeddingMatrix: scale must be a non-negative number, got ${String(scale)}`);
    const random = options.seed instanceof Random ? options.seed : new Random(options.seed ?? 0);
    for (let i = 1; i < V; i++) {
      if (covered[i]) continue;
      for (let k = 0; k < E; k++) matrix[i * E + k] = random.normal(0, scale);
    }
  }
  missing.sort((a, b) => b.count - a.count || a.index - b.index);
  return {
    matrix,
    shape: [V, E],
    coverage: {
      typesFound, typesTotal, typeShare: typesTotal ? typesFound / typesTotal : 0,
      tokensFound, tokensTotal, tokenShare: tokensTotal ? tokensFound / tokensTotal : 0,
      missing: missing.slice(0, topMissing),
    },
  };
}

/** One line for logs: "4,715 of 5,123 word types (92.0%), 98.1% of tokens; missing: a (1,234), i (987), …". */
export function formatCoverage(c: EmbeddingCoverage, show = 8): string {
  checkArgument('formatCoverage', 'c', c, custom('an embedding coverage (from embeddingMatrix)', (v) => Array.isArray((v as EmbeddingCoverage | null)?.missing) && typeof (v as EmbeddingCoverage).typesFound === 'number'));
  checkArgument('formatCoverage', 'show', show, integer({ min: 0 }));
  const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
  const list = c.missing.slice(0, show).map((m) => `${m.word} (${m.count.toLocaleString('en-US')})`).join(', ');
  return `${c.typesFound.toLocaleString('en-US')} of ${c.typesTotal.toLocaleString('en-US')} word types (${pct(c.typeShare)}), ` +
    `${pct(c.tokenShare)} of tokens have pretrained vectors${list ? `; most frequent missing: ${list}` : ''}`;
}

/** Population standard deviation (two-pass, f64 accumulation). */
function stddev(x: Float32Array): number {
  if (x.length === 0) return 0;
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i];
  const mean = s / x.length;
  let s2 = 0;
  for (let i = 0; i < x.length; i++) s2 += (x[i] - mean) ** 2;
  return Math.sqrt(s2 / x.length);
}
