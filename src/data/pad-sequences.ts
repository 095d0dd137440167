// Keras pad_sequences: ragged index sequences → one (B, T) int32 block.
// https://keras.io/api/data_loading/sequence/ (keras.utils.pad_sequences)
//   T = maxlen, or the longest sequence when maxlen is omitted;
//   truncating 'pre' keeps the LAST T ids, 'post' the first T; padding 'pre' right-aligns (value fills the left),
//   'post' left-aligns. Keras' defaults are 'pre' for both: the last real token sits at step T − 1, which is
//   what a return_sequences=false RNN reads.
// Beyond Keras: `lengths` (valid steps per row after truncation) for masking, and every kept id is checked to
// be an int32 (Keras casts 1.5 to 1 silently).
import { checkOptions } from '../options/schema.js';
import { DataError } from './errors.js';

/** Options of padSequences (Keras pad_sequences names). */
export interface PadOptions {
  /** Time steps T (positive integer). Default: the longest sequence. */
  maxlen?: number;
  /** Where the padding goes: 'pre' (default, Keras) or 'post'. */
  padding?: 'pre' | 'post';
  /** Which end is cut from sequences longer than maxlen: 'pre' (default, Keras) or 'post'. */
  truncating?: 'pre' | 'post';
  /** The fill id (default 0, the index Tokenizer never assigns). */
  value?: number;
  /** Only 'int32' (the id type the Embedding kernels read). */
  dtype?: 'int32';
}

/** A (B, T) batch of padded id sequences, row-major. */
export interface PaddedSequences {
  /** (B, T) row-major ids. */
  data: Int32Array;
  /** [B, T]. */
  shape: [number, number];
  /** (B): number of real (unpadded) steps in each row, min(length, T). */
  lengths: Int32Array;
}

const INT32_MIN = -2147483648, INT32_MAX = 2147483647;
const isInt32 = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= INT32_MIN && v <= INT32_MAX;

/** Pads or truncates id sequences to one length T (Keras pad_sequences), returning a (B, T) row-major batch. */
export function padSequences(sequences: ReadonlyArray<ArrayLike<number>>, options: PadOptions = {}): PaddedSequences {
  if (!Array.isArray(sequences)) throw new DataError(`padSequences: sequences must be an array of id arrays, got ${kind(sequences)}`);
  checkOptions('padSequences', options); // issue 16: null or non-object options are an OptionError
  const { maxlen, padding = 'pre', truncating = 'pre', value = 0, dtype = 'int32' } = options;
  if (padding !== 'pre' && padding !== 'post') throw new DataError(`padSequences: padding must be "pre" or "post", got ${kind(padding)}`);
  if (truncating !== 'pre' && truncating !== 'post') throw new DataError(`padSequences: truncating must be "pre" or "post", got ${kind(truncating)}`);
  if (dtype !== 'int32') throw new DataError(`padSequences: dtype must be "int32", got ${kind(dtype)}`);
  if (!isInt32(value)) throw new DataError(`padSequences: value must be an int32, got ${kind(value)}`);
  if (maxlen !== undefined && (!Number.isSafeInteger(maxlen) || maxlen < 1)) {
    throw new DataError(`padSequences: maxlen must be a positive integer, got ${kind(maxlen)}`);
  }

  const B = sequences.length;
  let longest = 0;
  for (let b = 0; b < B; b++) {
    const s = sequences[b];
    if (s === null || typeof s !== 'object' || !Number.isSafeInteger(s.length)) {
      throw new DataError(`padSequences: sequences[${b}] is ${kind(s)}, expected an array of ids`);
    }
    if (s.length > longest) longest = s.length;
  }
  const T = maxlen ?? longest;
  if (B * T > 2 ** 30) throw new DataError(`padSequences: ${B} sequences × maxlen ${T} = ${B * T} ids is more than the 2^30 a padded array may hold`); // issue 16: no RangeError
  const data = new Int32Array(B * T);
  if (value !== 0) data.fill(value);
  const lengths = new Int32Array(B);
  for (let b = 0; b < B; b++) {
    const s = sequences[b];
    const n = Math.min(s.length, T);
    const from = truncating === 'pre' ? s.length - n : 0; // first kept element of s
    const to = b * T + (padding === 'pre' ? T - n : 0); // where it lands in the row
    for (let j = 0; j < n; j++) {
      const v = s[from + j];
      if (!isInt32(v)) throw new DataError(`padSequences: sequences[${b}][${from + j}] = ${kind(v)} is not an int32 id`);
      data[to + j] = v;
    }
    lengths[b] = n;
  }
  return { data, shape: [B, T], lengths };
}

function kind(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v);
  if (v === null || v === undefined || typeof v !== 'object') return String(v);
  return `a ${v.constructor?.name ?? 'object'}`;
}
