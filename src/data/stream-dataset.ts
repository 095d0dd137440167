// A labelled text file as a re-iterable stream of padded batches, for fit()/evaluate() on data larger than
// memory (Keras fit(dataset), tfjs fitDataset):
//   TextFileDataset.scan(source)  one streaming pass: fits the tokenizer (word counts only) and the label
//                                 classes, counts records; memory ~ vocabulary, not file size
//   dataset.split('train' | 'validation')  records whose index i has i % k == k − 1 are validation (k from the
//                                 validation fraction), the rest train: deterministic, no pass needed
//   for await (const batch of ds)  re-reads the file: records → seeded shuffle buffer → tokenizer → padded
//                                 (B, T) ids, right-padded with 0 (masked), class ids, optional sample weights
// Each iteration is one epoch and reshuffles with seed + epoch. The source is read once per epoch plus once
// for the scan, so it must be re-readable: a path or URL, a File/Blob, or bytes (a ReadableStream or an
// iterator can be read once: stream its records with streamRecords instead).
import { checkOptions } from '../options/schema.js';
import { Random } from '../random.js';
import { DataError } from './errors.js';
import { LabelEncoder, type Label } from './labels.js';
import { padSequences } from './pad-sequences.js';
import type { DataSource } from './source.js';
import { streamRecords, type RecordFormat, type StreamedRecord } from './stream-records.js';
import { shuffleStream } from './stream-shuffle.js';
import { Tokenizer } from './tokenizer.js';

/** One batch as fit(), evaluate() and predict() take it from an iterable: (B, T) ids, (B) targets, optional (B) weights. */
export interface TextBatch {
  x: { data: Int32Array; shape: [number, number] };
  y: { data: Int32Array; shape: [number] };
  sampleWeight?: Float32Array;
}

/** Options of TextFileDataset.scan. */
export interface TextFileOptions {
  format?: RecordFormat;
  /** Label for errors (default: the path). */
  name?: string;
  textColumn?: string;
  labelColumn?: string;
  /** A column of per-sample weights (finite, >= 0). */
  weightColumn?: string;
  /** Keep the numWords − 1 most frequent words (Keras num_words); default all. */
  numWords?: number | null;
  /** T. Default: the 95th percentile of the token counts seen in the scan (from a reservoir of 10,000). */
  maxlen?: number;
  truncating?: 'pre' | 'post';
  batchSize?: number;
  /** Shuffle buffer size in records (default 10,000; 1 = file order). */
  shuffleBuffer?: number;
  seed?: number;
  /** Fraction of records held out for validation (default 0.1; 0 = none). */
  validation?: number;
  /** Use this tokenizer (e.g. a saved model's) instead of fitting one. */
  tokenizer?: Tokenizer;
  /** Use these classes (e.g. a saved model's) instead of the labels found. */
  classes?: readonly Label[];
  /** CSV: bytes of text parsed per csv-parse call (default 1 MiB; smaller blocks lower the peak heap). */
  blockBytes?: number;
}

/** What the scan found. */
export interface TextFileStats {
  records: number;
  trainRecords: number;
  validationRecords: number;
  /** Records per class id (all records). */
  classCounts: number[];
}

type Part = 'all' | 'train' | 'validation';

/** A labelled CSV/TSV/JSONL file streamed as padded batches (see the file comment). */
export class TextFileDataset implements AsyncIterable<TextBatch> {
  /** Epochs served so far (the shuffle seed of the next one is seed + epoch). */
  epoch = 0;
  private readonly every: number;

  private constructor(
    readonly source: DataSource,
    readonly options: Required<Pick<TextFileOptions, 'textColumn' | 'labelColumn' | 'batchSize' | 'shuffleBuffer' | 'seed' | 'truncating'>> & TextFileOptions,
    readonly tokenizer: Tokenizer,
    readonly labels: LabelEncoder,
    readonly maxlen: number,
    readonly stats: TextFileStats,
    readonly part: Part,
  ) {
    const v = options.validation ?? 0.1;
    this.every = v > 0 ? Math.max(2, Math.round(1 / v)) : 0;
  }

  /** One pass over the file: tokenizer, classes, counts (see the file comment). */
  static async scan(source: DataSource, options: TextFileOptions = {}): Promise<TextFileDataset> {
    checkOptions('TextFileDataset.scan', options); // issue 16: null or non-object options are an OptionError
    const o = {
      textColumn: options.textColumn ?? 'text', labelColumn: options.labelColumn ?? 'label', batchSize: options.batchSize ?? 32,
      shuffleBuffer: options.shuffleBuffer ?? 10000, seed: options.seed ?? 0, truncating: options.truncating ?? 'post', ...options,
    } as TextFileDataset['options'];
    if (!rereadable(source)) {
      throw new DataError('TextFileDataset: the source is read once per epoch, so it must be re-readable (a path, URL, File/Blob or bytes), not a stream, iterator or Response', o.name);
    }
    if (!Number.isInteger(o.batchSize) || o.batchSize < 1) throw new DataError(`TextFileDataset: batchSize must be a positive integer, got ${String(o.batchSize)}`);
    if (!Number.isInteger(o.shuffleBuffer) || o.shuffleBuffer < 1) throw new DataError(`TextFileDataset: shuffleBuffer must be a positive integer, got ${String(o.shuffleBuffer)}`);
    const v = o.validation ?? 0.1;
    if (!(v >= 0 && v < 1)) throw new DataError(`TextFileDataset: validation must be a fraction in [0, 1), got ${String(v)}`);
    const every = v > 0 ? Math.max(2, Math.round(1 / v)) : 0;
    const fitTokenizer = !o.tokenizer;
    const tokenizer = o.tokenizer ?? new Tokenizer({ numWords: o.numWords ?? null, oovToken: '<oov>' });
    const distinct = new Map<string, Label>();
    const rawCounts = new Map<string, number>();
    const inTraining = new Set<string>();
    let firstValidationOnly: { key: string; line: number } | null = null;
    const reservoir: number[] = [];
    const random = new Random(o.seed);
    let records = 0, validationRecords = 0, pending: string[] = [];
    for await (const r of streamRecords(source, { format: o.format, name: o.name, blockBytes: o.blockBytes })) {
      const { text, label } = fieldsOf(r, o, o.name ?? String(source));
      const key = String(label);
      if (!distinct.has(key)) distinct.set(key, label);
      rawCounts.set(key, (rawCounts.get(key) ?? 0) + 1);
      const isVal = every > 0 && records % every === every - 1;
      records++;
      if (isVal) {
        validationRecords++;
        if (!inTraining.has(key) && !firstValidationOnly) firstValidationOnly = { key, line: r.line };
        continue;
      }
      inTraining.add(key);
      if (fitTokenizer) {
        pending.push(text);
        if (pending.length >= 5000) { tokenizer.fitOnTexts(pending); pending = []; }
      }
      if (o.maxlen === undefined) {
        const n = tokenizer.tokenize(text).length;
        const seen = records - validationRecords;
        if (reservoir.length < 10000) reservoir.push(n);
        else { const j = random.int(seen); if (j < 10000) reservoir[j] = n; }
      }
    }
    if (pending.length) tokenizer.fitOnTexts(pending);
    if (records === 0) throw new DataError('no records', o.name ?? String(source));
    const late = firstValidationOnly as { key: string; line: number } | null;
    if (!o.classes && late && !inTraining.has(late.key)) {
      throw new DataError(`label ${JSON.stringify(late.key)} occurs only in validation records (every ${every}th record), never in training ones; a classifier cannot learn it`, o.name ?? String(source), late.line);
    }
    const labels = o.classes ? LabelEncoder.fromClasses(o.classes) : LabelEncoder.fit([...distinct.values()], { name: `${o.name ?? String(source)}: column "${o.labelColumn}"` });
    const classCounts = new Array<number>(labels.size).fill(0);
    for (const [key, n] of rawCounts) {
      const id = labels.idOf(distinct.get(key)!);
      if (id < 0) throw new DataError(`label ${JSON.stringify(key)} is not one of the ${labels.size} given classes`, o.name ?? String(source));
      classCounts[id] += n;
    }
    reservoir.sort((a, b) => a - b);
    const maxlen = o.maxlen ?? Math.max(4, reservoir[Math.floor(0.95 * (reservoir.length - 1))] ?? 4);
    const stats = { records, trainRecords: records - validationRecords, validationRecords, classCounts };
    return new TextFileDataset(source, o, tokenizer, labels, maxlen, stats, 'all');
  }

  /** The training or validation records only (same file, same tokenizer; no new pass). */
  split(part: 'train' | 'validation'): TextFileDataset {
    if (part === 'validation' && this.every === 0) throw new DataError('TextFileDataset: no validation records (validation = 0)');
    return new TextFileDataset(this.source, this.options, this.tokenizer, this.labels, this.maxlen, this.stats, part);
  }

  /** Records this dataset serves per epoch. */
  get size(): number {
    return this.part === 'train' ? this.stats.trainRecords : this.part === 'validation' ? this.stats.validationRecords : this.stats.records;
  }

  /** Batches per epoch (the last may be short). */
  get steps(): number {
    return Math.ceil(this.size / this.options.batchSize);
  }

  /** One epoch of batches; each call reshuffles (seed + epoch). Validation batches come in file order. */
  [Symbol.asyncIterator](): AsyncIterator<TextBatch> {
    return this.batches(this.epoch++)[Symbol.asyncIterator]();
  }

  private async *selected(): AsyncGenerator<StreamedRecord> {
    let i = 0;
    for await (const r of streamRecords(this.source, { format: this.options.format, name: this.options.name, blockBytes: this.options.blockBytes })) {
      const isVal = this.every > 0 && i % this.every === this.every - 1;
      i++;
      if (this.part === 'all' || (this.part === 'validation') === isVal) yield r;
    }
  }

  /** The batches of one epoch, shuffled with seed + epoch (training and 'all'). */
  async *batches(epoch = 0): AsyncGenerator<TextBatch> {
    const o = this.options, B = o.batchSize, T = this.maxlen, name = o.name ?? String(this.source);
    const records = this.part === 'validation' || o.shuffleBuffer === 1 ? this.selected() : shuffleStream(this.selected(), o.shuffleBuffer, o.seed + epoch);
    let texts: string[] = [], ids: number[] = [], weights: number[] = [];
    const emit = (): TextBatch => {
      const padded = padSequences(this.tokenizer.textsToSequences(texts).map((s) => (s.length ? s : [1])), { maxlen: T, padding: 'post', truncating: o.truncating });
      const batch: TextBatch = { x: { data: padded.data, shape: [texts.length, T] }, y: { data: Int32Array.from(ids), shape: [texts.length] } };
      if (o.weightColumn) batch.sampleWeight = Float32Array.from(weights);
      texts = []; ids = []; weights = [];
      return batch;
    };
    for await (const r of records) {
      const f = fieldsOf(r, o, name);
      const id = this.labels.idOf(f.label);
      if (id < 0) throw new DataError(`label ${JSON.stringify(f.label)} is not one of the ${this.labels.size} classes (${this.labels.classes.join(', ')})`, name, r.line);
      texts.push(f.text);
      ids.push(id);
      if (o.weightColumn) weights.push(f.weight);
      if (texts.length === B) yield emit();
    }
    if (texts.length) yield emit();
  }
}

const rereadable = (s: DataSource): boolean =>
  typeof s === 'string' || s instanceof URL || s instanceof ArrayBuffer || ArrayBuffer.isView(s) || (typeof Blob !== 'undefined' && s instanceof Blob);

function fieldsOf(r: StreamedRecord, o: TextFileOptions & { textColumn: string; labelColumn: string }, name: string): { text: string; label: Label; weight: number } {
  const f = r.fields;
  if (!(o.textColumn in f)) throw new DataError(`no column "${o.textColumn}" (columns: ${Object.keys(f).join(', ')})`, name, r.line);
  if (!(o.labelColumn in f)) throw new DataError(`no column "${o.labelColumn}" (columns: ${Object.keys(f).join(', ')})`, name, r.line);
  const raw = f[o.labelColumn];
  const label = typeof raw === 'number' ? raw : typeof raw === 'string' ? raw.trim() : typeof raw === 'boolean' ? String(raw) : null;
  if (label === null || label === '') throw new DataError(`empty or invalid label ${JSON.stringify(raw)} in column "${o.labelColumn}"`, name, r.line);
  let weight = 1;
  if (o.weightColumn) {
    if (!(o.weightColumn in f)) throw new DataError(`no column "${o.weightColumn}" (columns: ${Object.keys(f).join(', ')})`, name, r.line);
    weight = Number(f[o.weightColumn]);
    if (!Number.isFinite(weight) || weight < 0) throw new DataError(`sample weight ${JSON.stringify(f[o.weightColumn])} must be a finite number >= 0`, name, r.line);
  }
  return { text: String(f[o.textColumn] ?? ''), label, weight };
}
