// Label sets ↔ multi-hot targets for multi-label classification (scikit-learn's MultiLabelBinarizer): every
// sample carries a set of 0…K labels (a tag column such as "food|service"); the K distinct labels map to
// columns 0…K−1 in the same sorted order LabelEncoder uses (numerically for numeric labels), and a sample
// becomes a row of K zeros and ones, the (N, K) targets of a Dense(K, sigmoid) output trained with binary
// cross-entropy. The classes are saved with the model so predictions answer with the original labels.
import { DataError } from './errors.js';
import { checkArgument, checkOptions, custom, number, numbers } from '../options/schema.js';
import { LabelEncoder, type Label, type LabelEncoderJSON } from './labels.js';

/** Where errors point: a file or column name, and a name for row i (e.g. its line). */
export interface LabelSetOptions {
  name?: string;
  rowName?: (i: number) => string;
}

/**
 * The label sets of a label column whose cells hold several labels joined by `separator` (e.g. "|" or ";"):
 * pieces are trimmed, empty pieces dropped (an empty cell is the empty set), a label repeated in one cell
 * counts once. Numbers and booleans are read as one label each; an array (a JSONL field) is already a set.
 */
export function splitLabelSets(values: ArrayLike<unknown>, separator: string, options: LabelSetOptions = {}): string[][] {
  checkArgument('splitLabelSets', 'values', values, custom('an array of label cells', (v) => Array.isArray(v) || (ArrayBuffer.isView(v) && !(v instanceof DataView))));
  checkOptions('splitLabelSets', options); // issue 16: null or non-object options are an OptionError
  if (typeof separator !== 'string' || separator === '') throw new DataError(`the label separator must be a non-empty string, got ${JSON.stringify(separator)}`, options.name);
  const out: string[][] = [];
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (typeof v === 'number' || typeof v === 'boolean') { out.push([String(v)]); continue; }
    if (v === null || v === undefined) { out.push([]); continue; }
    if (Array.isArray(v)) { out.push([...new Set(v.map((x) => String(x).trim()).filter((x) => x !== ''))]); continue; } // JSONL: ["a", "b"]
    if (typeof v !== 'string') throw new DataError(`${options.rowName ? options.rowName(i) : `label ${i}`}: a label cell must be a string, got ${typeof v}`, options.name);
    out.push([...new Set(v.split(separator).map((s) => s.trim()).filter((s) => s !== ''))]);
  }
  return out;
}

/** Maps label sets to (N, K) multi-hot rows and back. */
export class MultiLabelBinarizer {
  private constructor(private readonly encoder: LabelEncoder) {}

  /** The K labels, column order. */
  get classes(): readonly Label[] {
    return this.encoder.classes;
  }

  /** K, the number of labels (output units). */
  get size(): number {
    return this.encoder.size;
  }

  /** The labels of a data set: every distinct label of every set, sorted; fewer than 2 → DataError. */
  static fit(sets: ReadonlyArray<ReadonlyArray<unknown>>, options: LabelSetOptions = {}): MultiLabelBinarizer {
    checkOptions('MultiLabelBinarizer.fit', options); // issue 16: null or non-object options are an OptionError
    if (!Array.isArray(sets)) throw new DataError(`label sets must be an array of arrays, got ${typeof sets}`, options.name);
    const all: unknown[] = [];
    sets.forEach((s, i) => {
      if (!Array.isArray(s)) throw new DataError(`${options.rowName ? options.rowName(i) : `sample ${i}`}: a label set must be an array, got ${s === null ? 'null' : typeof s}`, options.name);
      all.push(...s);
    });
    const distinct = [...new Set(all.map((v) => (typeof v === 'number' ? String(v) : v)))];
    if (distinct.length < 2) {
      throw new DataError(`multi-label classification needs at least 2 distinct labels over all samples, found ${distinct.length}${distinct.length ? ` (${JSON.stringify(distinct[0])}; for one label train a binary classifier)` : ''} in ${sets.length} samples`, options.name);
    }
    return new MultiLabelBinarizer(LabelEncoder.fit(all, { name: options.name }));
  }

  /** A binarizer with exactly these labels in this column order (e.g. from a saved model). */
  static fromClasses(classes: readonly Label[]): MultiLabelBinarizer {
    return new MultiLabelBinarizer(LabelEncoder.fromClasses(classes));
  }

  /** Reads toJSON() output. */
  static fromJSON(json: LabelEncoderJSON): MultiLabelBinarizer {
    return new MultiLabelBinarizer(LabelEncoder.fromJSON(json));
  }

  /** { classes }: what a saved model keeps. */
  toJSON(): LabelEncoderJSON {
    return this.encoder.toJSON();
  }

  /**
   * (N, K) targets, row-major: row i has a 1 in the column of each label of sets[i]. A label that is not one
   * of the classes (e.g. seen only in test data) is a DataError naming it, the row and the known labels.
   */
  transform(sets: ReadonlyArray<ReadonlyArray<unknown>>, options: LabelSetOptions = {}): Float32Array {
    checkArgument('MultiLabelBinarizer.transform', 'sets', sets, custom('an array of label sets (arrays)', (v) => Array.isArray(v)));
    checkOptions('MultiLabelBinarizer.transform', options); // issue 16: null or non-object options are an OptionError
    const K = this.size, out = new Float32Array(sets.length * K);
    sets.forEach((s, i) => {
      const where = options.rowName ? options.rowName(i) : `sample ${i}`;
      if (!Array.isArray(s)) throw new DataError(`${where}: a label set must be an array, got ${s === null ? 'null' : typeof s}`, options.name);
      if (s.length === 0) return;
      const ids = this.encoder.encode(s, { name: options.name, rowName: () => where });
      for (const id of ids) out[i * K + id] = 1;
    });
    return out;
  }

  /** The label set of each row of (N, K) scores: the labels whose probability is above threshold (default 0.5; Keras decides by p > threshold). */
  inverseTransform(scores: ArrayLike<number>, threshold = 0.5): Label[][] {
    checkArgument('MultiLabelBinarizer.inverseTransform', 'scores', scores, numbers());
    checkArgument('MultiLabelBinarizer.inverseTransform', 'threshold', threshold, number());
    const K = this.size;
    if (scores.length % K !== 0) throw new DataError(`inverseTransform: ${scores.length} scores are not rows of K = ${K}`);
    const out: Label[][] = [];
    for (let r = 0; r < scores.length / K; r++) {
      const row: Label[] = [];
      for (let c = 0; c < K; c++) if (scores[r * K + c] > threshold) row.push(this.encoder.classes[c]);
      out.push(row);
    }
    return out;
  }
}
