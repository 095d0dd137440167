// A Keras-compatible text Tokenizer (word and character level), ported from keras.preprocessing.text
// (Keras 2 / tf.keras; Keras 3 keeps it as keras._legacy.preprocessing.text.Tokenizer):
// https://www.tensorflow.org/api_docs/python/tf/keras/preprocessing/text/Tokenizer
//
// Semantics kept exactly:
// - word level: lowercase (if `lower`), replace every character of `filters` by `split`, split on `split`, drop
//   empty pieces. Character level: lowercase only; every character is a token, `filters` is NOT applied.
// - indices: 0 is never assigned (padding); the oov token, if any, is forced to index 1; words follow by
//   descending count, ties in order of first occurrence (Python's stable sort over an OrderedDict).
// - `numWords`: word_index keeps every word, but texts_to_sequences keeps only indices < numWords (so at most
//   numWords − 1 distinct words); dropped words become the oov index when there is an oov token.
// - JSON: toJSONString() writes the exact text of Keras' `tokenizer.to_json()` (nested JSON strings, Python's
//   ", " / ": " separators and \uXXXX escapes), and Tokenizer.fromJSON reads it (tokenizer_from_json).
// Porting notes: characters are Unicode code points (an emoji is one token and a filter); lowercasing is
// toLowerCase (full Unicode, locale-free, like Python's str.lower()). word_docs key order: first occurrence
// (Keras: arbitrary). An oov token that is also a word gets that word's (later) index, leaving 1 unused.
import { checkOptions } from '../options/schema.js';
import { DataError } from './errors.js';
/** Keras' default `filters`: ASCII punctuation (except the apostrophe), tab and newline. */
export const KERAS_FILTERS = '!"#$%&()*+,-./:;<=>?@[\\]^_`{|}~\t\n';
/** Options of Tokenizer (Keras Tokenizer names and defaults). */
export interface TokenizerOptions {
  /** Keep only indices < numWords when converting texts (Keras `num_words`); null: keep all. */
  numWords?: number | null;
  /** Characters replaced by `split` before splitting (word level only). Default KERAS_FILTERS. */
  filters?: string;
  /** Lowercase texts first (default true). */
  lower?: boolean;
  /** Separator between words (default " "; must not be empty). */
  split?: string;
  /** One token per character instead of per word (default false). */
  charLevel?: boolean;
  /** Token that stands for words outside the index (gets index 1); null: drop such words. */
  oovToken?: string | null;
}
/** A text, or a text already split into tokens (Keras accepts lists of tokens too; `lower` still applies). */
export type TextInput = string | readonly string[];

/** The object form of Keras' tokenizer JSON: `{"class_name": "Tokenizer", "config": {...}}`. */
export interface TokenizerJSON {
  class_name: 'Tokenizer';
  config: {
    num_words: number | null;
    filters: string;
    lower: boolean;
    split: string;
    char_level: boolean;
    oov_token: string | null;
    document_count: number;
    /** Each of these is itself a JSON string (as Keras writes it). */
    word_counts: string;
    word_docs: string;
    index_docs: string;
    index_word: string;
    word_index: string;
  };
}

/** Keras `text_to_word_sequence`: lowercase, filters → split, split, drop empty pieces. */
export function textToWordSequence(text: string, filters = KERAS_FILTERS, lower = true, split = ' '): string[] {
  if (typeof text !== 'string') throw new DataError(`textToWordSequence: text must be a string, got ${describe(text)}`);
  checkSplit('textToWordSequence', split);
  return splitWords(text, filterRegExp(filters), lower, split);
}

/** Word- or character-level text tokenizer with Keras Tokenizer semantics (fitOnTexts, textsToSequences, JSON round trip). */
export class Tokenizer {
  readonly numWords: number | null;
  readonly filters: string;
  readonly lower: boolean;
  readonly split: string;
  readonly charLevel: boolean;
  readonly oovToken: string | null;
  /** Number of texts seen by fitOnTexts. */
  documentCount = 0;
  /** word → occurrences, in order of first occurrence. */
  readonly wordCounts = new Map<string, number>();
  /** word → number of texts containing it. */
  readonly wordDocs = new Map<string, number>();
  /** word → index (1-based; 0 is padding). Holds every word seen, whatever numWords is. */
  readonly wordIndex = new Map<string, number>();
  /** index → word. */
  readonly indexWord = new Map<number, string>();
  /** index → number of texts containing that word. */
  readonly indexDocs = new Map<number, number>();
  private readonly filterRe: RegExp | null;

  constructor(options: TokenizerOptions = {}) {
    checkOptions('Tokenizer', options); // issue 16: null or non-object options are an OptionError
    const { numWords = null, filters = KERAS_FILTERS, lower = true, split = ' ', charLevel = false, oovToken = null } = options;
    if (numWords !== null && (!Number.isSafeInteger(numWords) || numWords < 1)) {
      throw new DataError(`Tokenizer: numWords must be a positive integer or null, got ${describe(numWords)}`);
    }
    if (typeof filters !== 'string') throw new DataError(`Tokenizer: filters must be a string, got ${describe(filters)}`);
    if (typeof lower !== 'boolean') throw new DataError(`Tokenizer: lower must be a boolean, got ${describe(lower)}`);
    if (typeof charLevel !== 'boolean') throw new DataError(`Tokenizer: charLevel must be a boolean, got ${describe(charLevel)}`);
    checkSplit('Tokenizer', split);
    if (oovToken !== null && (typeof oovToken !== 'string' || oovToken === '')) {
      throw new DataError(`Tokenizer: oovToken must be a non-empty string or null, got ${describe(oovToken)}`);
    }
    this.numWords = numWords;
    this.filters = filters;
    this.lower = lower;
    this.split = split;
    this.charLevel = charLevel;
    this.oovToken = oovToken;
    this.filterRe = filterRegExp(filters);
  }

  /** The tokens of one text, exactly as fitOnTexts and textsToSequences see them. */
  tokenize(text: TextInput): string[] {
    if (typeof text === 'string') {
      if (this.charLevel) return Array.from(this.lower ? text.toLowerCase() : text);
      return splitWords(text, this.filterRe, this.lower, this.split);
    }
    if (Array.isArray(text)) {
      return text.map((t, j) => {
        if (typeof t !== 'string') throw new DataError(`Tokenizer: token ${j} is ${describe(t)}, expected a string`);
        return this.lower ? t.toLowerCase() : t;
      });
    }
    throw new DataError(`Tokenizer: a text must be a string or an array of tokens, got ${describe(text)}`);
  }

  /** Counts tokens over `texts` (adding to earlier calls) and rebuilds the index (Keras fit_on_texts). */
  fitOnTexts(texts: Iterable<TextInput>): this {
    // Check every text before counting any, so a bad input leaves the tokenizer unchanged.
    const all = [...this.eachText('fitOnTexts', texts)];
    for (const text of all) if (typeof text !== 'string') this.tokenize(text);
    for (const text of all) {
      this.documentCount++;
      const seq = this.tokenize(text);
      for (const w of seq) this.wordCounts.set(w, (this.wordCounts.get(w) ?? 0) + 1);
      for (const w of new Set(seq)) this.wordDocs.set(w, (this.wordDocs.get(w) ?? 0) + 1);
    }
    // Stable sort: equal counts keep first-occurrence order, as Python's list.sort over an OrderedDict.
    const sorted = [...this.wordCounts].sort((a, b) => b[1] - a[1]);
    const vocabulary = this.oovToken === null ? [] : [this.oovToken];
    for (const [w] of sorted) vocabulary.push(w);
    this.wordIndex.clear();
    vocabulary.forEach((w, i) => this.wordIndex.set(w, i + 1)); // a repeated key keeps the later index, as dict(zip(...))
    this.rebuildInverse();
    return this;
  }

  /** Keras texts_to_sequences: one list of indices per text. */
  textsToSequences(texts: Iterable<TextInput>): number[][] {
    const out: number[][] = [];
    const oovIndex = this.oovToken === null ? undefined : this.wordIndex.get(this.oovToken);
    const limit = this.numWords;
    for (const text of this.eachText('textsToSequences', texts)) {
      const seq: number[] = [];
      for (const w of this.tokenize(text)) {
        const i = this.wordIndex.get(w);
        if (i !== undefined && (limit === null || i < limit)) seq.push(i);
        else if (oovIndex !== undefined) seq.push(oovIndex);
      }
      out.push(seq);
    }
    return out;
  }

  /**
   * Keras sequences_to_texts: indices back to tokens joined by `joiner` (Keras always joins with " ", also at
   * character level; pass "" to get the characters back as a plain string). Unknown indices and indices
   * >= numWords become the oov token, or are dropped without one. Porting note: 0 (padding) is always
   * dropped; Keras turns it into the oov token when there is one.
   */
  sequencesToTexts(sequences: Iterable<ArrayLike<number>>, joiner = ' '): string[] {
    if (typeof (sequences as { [Symbol.iterator]?: unknown } | null)?.[Symbol.iterator] !== 'function' || typeof sequences === 'string') throw new DataError(`Tokenizer.sequencesToTexts: sequences must be an array of id arrays, got ${describe(sequences)}`);
    if (typeof joiner !== 'string') throw new DataError(`Tokenizer.sequencesToTexts: joiner must be a string, got ${describe(joiner)}`);
    const oovIndex = this.oovToken === null ? undefined : this.wordIndex.get(this.oovToken);
    const oovWord = oovIndex === undefined ? undefined : this.indexWord.get(oovIndex);
    const limit = this.numWords;
    const out: string[] = [];
    let n = 0;
    for (const seq of sequences) {
      if (seq === null || typeof seq !== 'object' || typeof seq.length !== 'number') {
        throw new DataError(`Tokenizer.sequencesToTexts: sequences[${n}] is ${describe(seq)}, expected an array of indices`);
      }
      const words: string[] = [];
      for (let j = 0; j < seq.length; j++) {
        const i = seq[j];
        const w = this.indexWord.get(i);
        if (w !== undefined && (limit === null || i < limit)) words.push(w);
        else if (oovWord !== undefined && i !== 0) words.push(oovWord);
      }
      out.push(words.join(joiner));
      n++;
    }
    return out;
  }

  /**
   * Rows an Embedding needs for this tokenizer's sequences: max index + 1, capped at numWords (Keras:
   * `num_words or len(word_index) + 1`).
   */
  get vocabularySize(): number {
    let max = 0;
    for (const i of this.wordIndex.values()) if (i > max) max = i;
    return this.numWords === null ? max + 1 : Math.min(this.numWords, max + 1);
  }

  /** The object form of Keras' JSON (so JSON.stringify(tokenizer) works). */
  toJSON(): TokenizerJSON {
    return {
      class_name: 'Tokenizer',
      config: {
        num_words: this.numWords,
        filters: this.filters,
        lower: this.lower,
        split: this.split,
        char_level: this.charLevel,
        oov_token: this.oovToken,
        document_count: this.documentCount,
        word_counts: pyDumps(this.wordCounts),
        word_docs: pyDumps(this.wordDocs),
        index_docs: pyDumps(this.indexDocs),
        index_word: pyDumps(this.indexWord),
        word_index: pyDumps(this.wordIndex),
      },
    };
  }

  /** The exact text Keras' `tokenizer.to_json()` writes for the same state. */
  toJSONString(): string {
    const c = this.toJSON().config;
    const fields = Object.entries(c).map(([k, v]) => `${pyString(k)}: ${pyValue(v)}`);
    return `{"class_name": "Tokenizer", "config": {${fields.join(', ')}}}`;
  }

  /** Keras tokenizer_from_json: accepts the JSON text or its parsed object (nested strings or plain objects). */
  static fromJSON(json: string | TokenizerJSON | Record<string, unknown>): Tokenizer {
    let root: unknown = json;
    if (typeof json === 'string') {
      try {
        root = JSON.parse(json);
      } catch (e) {
        throw new DataError(`Tokenizer.fromJSON: not valid JSON (${(e as Error).message})`);
      }
    }
    if (root === null || typeof root !== 'object') throw new DataError(`Tokenizer.fromJSON: expected an object, got ${describe(root)}`);
    const r = root as Record<string, unknown>;
    if (r.class_name !== undefined && r.class_name !== 'Tokenizer') {
      throw new DataError(`Tokenizer.fromJSON: class_name is ${describe(r.class_name)}, expected "Tokenizer"`);
    }
    const config = r.config;
    if (config === null || typeof config !== 'object') throw new DataError('Tokenizer.fromJSON: missing "config" object');
    const c = config as Record<string, unknown>;
    const opt = <T>(key: string, fallback: T): T => (c[key] === undefined ? fallback : (c[key] as T));
    const t = new Tokenizer({
      numWords: opt<number | null>('num_words', null),
      filters: opt('filters', KERAS_FILTERS),
      lower: opt('lower', true),
      split: opt('split', ' '),
      charLevel: opt('char_level', false),
      oovToken: opt<string | null>('oov_token', null),
    });
    const documentCount = opt('document_count', 0);
    if (!Number.isSafeInteger(documentCount) || documentCount < 0) {
      throw new DataError(`Tokenizer.fromJSON: document_count must be a non-negative integer, got ${describe(documentCount)}`);
    }
    t.documentCount = documentCount;
    for (const [w, n] of readDict(c, 'word_counts')) t.wordCounts.set(w, count(n, 'word_counts', w));
    for (const [w, n] of readDict(c, 'word_docs')) t.wordDocs.set(w, count(n, 'word_docs', w));
    for (const [w, i] of readDict(c, 'word_index')) t.wordIndex.set(w, index(i, 'word_index', w));
    if (c.index_word === undefined) {
      t.rebuildInverse();
    } else {
      for (const [i, w] of readDict(c, 'index_word')) {
        if (typeof w !== 'string') throw new DataError(`Tokenizer.fromJSON: index_word["${i}"] is ${describe(w)}, expected a string`);
        t.indexWord.set(index(Number(i), 'index_word key', i), w);
      }
    }
    for (const [i, n] of readDict(c, 'index_docs')) t.indexDocs.set(index(Number(i), 'index_docs key', i), count(n, 'index_docs', i));
    return t;
  }

  private rebuildInverse(): void {
    this.indexWord.clear();
    for (const [w, i] of this.wordIndex) this.indexWord.set(i, w);
    this.indexDocs.clear();
    for (const [w, n] of this.wordDocs) {
      const i = this.wordIndex.get(w);
      if (i !== undefined) this.indexDocs.set(i, n);
    }
  }

  private *eachText(method: string, texts: Iterable<TextInput>): Iterable<TextInput> {
    if (typeof texts === 'string') {
      throw new DataError(`Tokenizer.${method}: texts must be an array of texts, got a single string (wrap it: [text])`);
    }
    if (texts === null || typeof texts !== 'object' || typeof (texts as Iterable<TextInput>)[Symbol.iterator] !== 'function') {
      throw new DataError(`Tokenizer.${method}: texts must be an iterable of strings, got ${describe(texts)}`);
    }
    let n = 0;
    for (const text of texts) {
      if (typeof text !== 'string' && !Array.isArray(text)) {
        throw new DataError(`Tokenizer.${method}: texts[${n}] is ${describe(text)}, expected a string or an array of tokens`);
      }
      yield text;
      n++;
    }
  }
}
// ---- helpers
function checkSplit(where: string, split: unknown): void {
  if (typeof split !== 'string' || split === '') throw new DataError(`${where}: split must be a non-empty string, got ${describe(split)}`);
}

/** A global regexp matching any one code point of `filters` (null when there are none). */
function filterRegExp(filters: string): RegExp | null {
  if (typeof filters !== 'string') throw new DataError(`filters must be a string, got ${describe(filters)}`);
  const chars = [...new Set(filters)];
  if (chars.length === 0) return null;
  return new RegExp(`[${chars.map((ch) => `\\u{${ch.codePointAt(0)!.toString(16)}}`).join('')}]`, 'gu');
}

function splitWords(text: string, filterRe: RegExp | null, lower: boolean, split: string): string[] {
  let s = lower ? text.toLowerCase() : text;
  if (filterRe !== null) s = s.replace(filterRe, split);
  return s.split(split).filter((w) => w !== '');
}

function describe(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v.length > 40 ? v.slice(0, 40) + '…' : v);
  if (Array.isArray(v)) return `an array of length ${v.length}`;
  if (v === null || v === undefined) return String(v);
  if (typeof v === 'object') return `a ${v.constructor?.name ?? 'object'}`;
  return `${typeof v} ${String(v)}`;
}

function count(n: unknown, what: string, key: string): number {
  if (!Number.isSafeInteger(n) || (n as number) < 0) throw new DataError(`Tokenizer.fromJSON: ${what}["${key}"] is ${describe(n)}, expected a count`);
  return n as number;
}

function index(i: unknown, what: string, key: string): number {
  if (!Number.isSafeInteger(i) || (i as number) < 0) throw new DataError(`Tokenizer.fromJSON: ${what} "${key}" is not a valid index (${describe(i)})`);
  return i as number;
}

/** One of the dictionaries of a Keras config: a JSON string (read in key order) or a plain object. */
function readDict(config: Record<string, unknown>, key: string): Array<[string, unknown]> {
  const v = config[key];
  if (v === undefined || v === null) return [];
  if (typeof v === 'string') return parseOrderedObject(v, key);
  if (typeof v === 'object' && !Array.isArray(v)) return Object.entries(v as Record<string, unknown>);
  throw new DataError(`Tokenizer.fromJSON: ${key} must be a JSON object string, got ${describe(v)}`);
}

// A flat JSON object {"key": number | string, ...} read in document order. JSON.parse would reorder
// integer-like keys ("1990" before "the"), and word_counts' order decides ties when fitting more texts.
const ENTRY = /\s*("(?:[^"\\]|\\.)*")\s*:\s*("(?:[^"\\]|\\.)*"|-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)\s*([,}])/y;

function parseOrderedObject(text: string, key: string): Array<[string, unknown]> {
  const fail = (): never => {
    throw new DataError(`Tokenizer.fromJSON: ${key} is not a flat JSON object of strings and numbers`);
  };
  const open = /^\s*\{\s*/.exec(text);
  if (!open) return fail();
  const out: Array<[string, unknown]> = [];
  let pos = open[0].length;
  if (text[pos] === '}') {
    if (text.slice(pos + 1).trim() !== '') fail();
    return out;
  }
  for (;;) {
    ENTRY.lastIndex = pos;
    const m = ENTRY.exec(text);
    if (!m) return fail();
    try {
      out.push([JSON.parse(m[1]) as string, JSON.parse(m[2]) as unknown]);
    } catch {
      fail();
    }
    pos = ENTRY.lastIndex;
    if (m[3] === '}') break;
  }
  if (text.slice(pos).trim() !== '') fail();
  return out;
}

// Python json.dumps (default ensure_ascii=True, separators ", " and ": ") for the values Keras writes.
function pyString(s: string): string {
  return JSON.stringify(s).replace(/[\u007f-\uffff]/g, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

function pyValue(v: unknown): string {
  if (v === null) return 'null';
  if (typeof v === 'string') return pyString(v);
  return String(v); // booleans and integers print the same in both languages
}

function pyDumps(map: ReadonlyMap<string | number, string | number>): string {
  const parts: string[] = [];
  for (const [k, v] of map) parts.push(`${pyString(String(k))}: ${pyValue(v)}`);
  return `{${parts.join(', ')}}`;
}
