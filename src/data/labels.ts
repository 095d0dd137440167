// Class labels ↔ class ids for classification: any K ≥ 2 distinct values (numbers or strings) map to ids
// 0…K−1 in sorted order, and the mapping is saved with the model so predictions answer with the original
// labels. Sorted order: numerically when every label is a number (or a numeric string, as labels read from a
// CSV file are), else by code units (Python's sorted() on str, which Keras' and scikit-learn's LabelEncoder use).
// So binary files keep their old meaning: 0/1, false/true and "neg"/"pos" give the second value id 1.
import { DataError } from './errors.js';
import { checkArgument, custom, describeValue, func, string, validateOptions } from '../options/schema.js';

/** A column of labels: an array (or typed array) of at most 2^31 values. */
const labelColumn = custom('an array of labels (strings or numbers)', (v) => (Array.isArray(v) || (ArrayBuffer.isView(v) && !(v instanceof DataView))) && (v as ArrayLike<unknown>).length <= 2 ** 31);

/** One label as it appears in the data. */
export type Label = string | number;

/** The JSON form saved beside a model (task.json / config). */
export interface LabelEncoderJSON {
  classes: Label[];
}

const numeric = (v: Label): boolean => (typeof v === 'number' ? Number.isFinite(v) : v.trim() !== '' && Number.isFinite(Number(v)));

/** Canonical key of a label: numbers and numeric strings compare by value ("1" and "1.0" and 1 are one class). */
const keyOf = (v: Label, byNumber: boolean): string => (byNumber ? String(Number(v)) : String(v));

function checkLabel(v: unknown, where: string, name: string | undefined): Label {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (typeof v === 'boolean') return String(v);
  throw new DataError(`${where}: a label must be a string, a finite number or a boolean, got ${v === null ? 'null' : typeof v === 'number' ? String(v) : typeof v}`, name);
}

/** Maps labels to class ids 0…K−1 (sorted order) and back. */
export class LabelEncoder {
  /** The K labels, id order. */
  readonly classes: readonly Label[];
  private readonly byNumber: boolean;
  private readonly ids: Map<string, number>;

  private constructor(classes: Label[]) {
    this.classes = Object.freeze(classes.slice());
    this.byNumber = classes.every(numeric);
    this.ids = new Map(classes.map((c, i) => [keyOf(c, this.byNumber), i]));
  }

  /** K, the number of classes. */
  get size(): number {
    return this.classes.length;
  }

  /**
   * The classes of a label column: every distinct value, sorted; K < 2 → DataError (nothing to learn).
   * `name` labels errors (file or column).
   */
  static fit(values: ArrayLike<unknown>, options: { name?: string } = {}): LabelEncoder {
    checkArgument('LabelEncoder.fit', 'values', values, labelColumn);
    validateOptions('LabelEncoder.fit', options, { name: string() });
    const labels: Label[] = [];
    for (let i = 0; i < values.length; i++) labels.push(checkLabel(values[i], `label ${i}`, options.name));
    const byNumber = labels.length > 0 && labels.every(numeric);
    const distinct = new Map<string, Label>();
    for (const v of labels) { const k = keyOf(v, byNumber); if (!distinct.has(k)) distinct.set(k, v); }
    const classes = [...distinct.values()].sort(byNumber ? (a, b) => Number(a) - Number(b) : (a, b) => (String(a) < String(b) ? -1 : String(a) > String(b) ? 1 : 0));
    if (classes.length < 2) {
      throw new DataError(`a classifier needs at least 2 distinct labels, found ${classes.length}${classes.length ? ` (${JSON.stringify(classes[0])})` : ''} in ${values.length} samples`, options.name);
    }
    return new LabelEncoder(classes);
  }

  /** An encoder with exactly these classes, in this order (e.g. from a saved model). */
  static fromClasses(classes: readonly Label[]): LabelEncoder {
    if (!Array.isArray(classes) || classes.length < 2) throw new DataError(`a classifier needs at least 2 classes, got ${Array.isArray(classes) ? classes.length : typeof classes}`);
    const checked = Array.from(classes, (c, i) => checkLabel(c, `class ${i}`, undefined)); // Array.from: holes of a sparse array are checked too
    const enc = new LabelEncoder(checked);
    if (enc.ids.size !== checked.length) throw new DataError(`duplicate classes in ${JSON.stringify(classes)}`);
    return enc;
  }

  /** Reads toJSON() output. */
  static fromJSON(json: LabelEncoderJSON): LabelEncoder {
    if (json === null || typeof json !== 'object' || !Array.isArray(json.classes)) throw new DataError('label encoder JSON must be { classes: [...] }');
    return LabelEncoder.fromClasses(json.classes);
  }

  /** { classes }: what a saved model keeps. */
  toJSON(): LabelEncoderJSON {
    return { classes: this.classes.slice() };
  }

  /** The id of one label, or -1 when it is not a class. */
  idOf(label: Label): number {
    const ok = typeof label === 'string' || (typeof label === 'number' && Number.isFinite(label));
    if (!ok) return -1;
    if (this.byNumber && !numeric(label)) return -1;
    return this.ids.get(keyOf(label, this.byNumber)) ?? -1;
  }

  /**
   * Class ids of labels. A label that is not one of the classes (e.g. seen only in validation or test data)
   * is a DataError naming it, its position (or `rowName(i)`, e.g. a file line) and the known classes.
   */
  encode(values: ArrayLike<unknown>, options: { name?: string; rowName?: (i: number) => string } = {}): Int32Array {
    checkArgument('LabelEncoder.encode', 'values', values, labelColumn);
    validateOptions('LabelEncoder.encode', options, { name: string(), rowName: func() });
    const out = new Int32Array(values.length);
    for (let i = 0; i < values.length; i++) {
      const where = options.rowName ? options.rowName(i) : `label ${i}`;
      const id = this.idOf(checkLabel(values[i], where, options.name));
      if (id < 0) {
        const known = this.classes.length > 12 ? `${this.classes.slice(0, 12).map((c) => JSON.stringify(c)).join(', ')}, ...` : this.classes.map((c) => JSON.stringify(c)).join(', ');
        throw new DataError(`${where}: label ${JSON.stringify(values[i])} is not one of the ${this.size} classes the model was trained on (${known})`, options.name);
      }
      out[i] = id;
    }
    return out;
  }

  /** The label of a class id. */
  decode(id: number): Label {
    if (!Number.isInteger(id) || id < 0 || id >= this.size) throw new DataError(`LabelEncoder.decode: class id ${describeValue(id)} out of range [0, ${this.size})`);
    return this.classes[id];
  }
}
