// Training and prediction data at the API: batch-major arrays (nested JS arrays or flat typed arrays with
// a shape), checked once against what the model was built for (rank, every fixed dim, finite float32
// values, ids in range), then gathered batch by batch into the model's time-major buffers. A check fails
// before anything is written, so bad data never reaches the arena.

import type { Arena, Ptr } from '../../bindings/index.js';
import { ConfigError, DataValueError, ShapeError } from '../errors.js';
import type { Shape } from '../layers/symbolic.js';

/** A flat array with its shape, batch first: ids (N, T), floats (N, T, D) or (N, D), targets (N), (N, C)... */
export interface TensorData {
  data: ArrayLike<number>;
  shape: number[];
}

/** Training/prediction data: a TensorData, or nested arrays (N, ...) of numbers. */
export type DataInput = TensorData | ArrayLike<number> | ArrayLike<ArrayLike<number>> | ArrayLike<ArrayLike<ArrayLike<number>>>;

const isTensorData = (x: unknown): x is TensorData =>
  typeof x === 'object' && x !== null && 'data' in x && 'shape' in x && Array.isArray((x as TensorData).shape);

/** Flattens nested arrays (rectangular) or passes a TensorData through, checking the shape. */
export function toTensor(x: DataInput, what: string): TensorData {
  if (isTensorData(x)) {
    const n = x.shape.reduce((a, b) => a * b, 1);
    if (!x.shape.every((d) => Number.isInteger(d) && d >= 0)) throw new DataValueError(`${what}: shape (${x.shape.join(', ')}) must hold non-negative integers`);
    if (!Array.isArray(x.data) && !ArrayBuffer.isView(x.data)) throw new DataValueError(`${what}: data must be an array or a typed array of numbers, got ${typeof x.data}`);
    if (x.data.length !== n) throw new DataValueError(`${what}: ${x.data.length} values do not fill shape (${x.shape.join(', ')}) = ${n}`);
    return x;
  }
  if (x === null || typeof x !== 'object' || typeof (x as ArrayLike<unknown>).length !== 'number') {
    throw new DataValueError(`${what}: expected an array or { data, shape }, got ${x === null ? 'null' : typeof x}`);
  }
  const shape: number[] = [];
  let probe: unknown = x;
  while (typeof probe === 'object' && probe !== null && typeof (probe as ArrayLike<unknown>).length === 'number') {
    const len = (probe as ArrayLike<unknown>).length;
    // an array-like's length is a count: -1, 1.5 or 2^40 are not (and would make a typed array throw a RangeError)
    if (!Number.isSafeInteger(len) || len < 0 || len > 2 ** 31) throw new DataValueError(`${what}: length ${len} at depth ${shape.length} is not a valid array length`);
    shape.push(len);
    probe = (probe as ArrayLike<unknown>)[0];
    if (shape[shape.length - 1] === 0) break;
  }
  const n = shape.reduce((a, b) => a * b, 1);
  if (n > 2 ** 31) throw new DataValueError(`${what}: shape (${shape.join(', ')}) holds ${n} values, over the limit of 2^31`);
  const data = new Float64Array(n);
  let k = 0;
  const walk = (v: unknown, depth: number, path: number[]): void => {
    if (depth === shape.length) {
      data[k++] = typeof v === 'number' ? v : NaN;
      if (typeof v !== 'number') throw new DataValueError(`${what}[${path.join('][')}] = ${JSON.stringify(v)} is not a number`);
      return;
    }
    const arr = v as ArrayLike<unknown>;
    if (typeof arr !== 'object' || arr === null || arr.length !== shape[depth]) {
      throw new DataValueError(`${what}[${path.join('][')}] has ${typeof arr === 'object' && arr !== null ? arr.length : 'no'} entries, expected ${shape[depth]} (arrays must be rectangular)`);
    }
    for (let i = 0; i < shape[depth]; i++) walk(arr[i], depth + 1, [...path, i]);
  };
  walk(x, 0, []);
  return { data, shape };
}

/** `x[3][17]`-style position of flat element i in a shape. */
export function position(what: string, i: number, shape: readonly number[]): string {
  const idx: number[] = [];
  for (let d = shape.length - 1; d >= 0; d--) {
    idx.unshift(i % shape[d]);
    i = Math.floor(i / shape[d]);
  }
  return `${what}[${idx.join('][')}]`;
}

const FLOAT32_MAX = 3.4028234663852886e38;

/** Every value finite and inside the float32 range (1e39 would become Inf in the model's f32 buffers). */
export function checkFinite(t: TensorData, what: string): void {
  // Float32Array (the common case): finite is enough, and a monomorphic loop (x − x is 0 unless x is NaN or
  // ±Inf) checks W3's 4096 values in ≈ 1 µs instead of ≈ 9; on a bad value the general loop names it.
  if (t.data instanceof Float32Array && allFinite(t.data)) return;
  for (let i = 0; i < t.data.length; i++) {
    const v = t.data[i];
    if (!Number.isFinite(v)) throw new DataValueError(`${position(what, i, t.shape)} = ${v} is not finite`);
    if (Math.abs(v) > FLOAT32_MAX && !Number.isFinite(Math.fround(v))) {
      throw new DataValueError(`${position(what, i, t.shape)} = ${v} is beyond the float32 range (±3.4028235e38)`);
    }
  }
}

function allFinite(v: Float32Array): boolean {
  // no loop-carried sum (a chain of dependent adds ran at 4 cycles per value): one predictable branch each
  for (let i = 0; i < v.length; i++) if (v[i] - v[i] !== 0) return false;
  return true;
}

/** Every value an integer in [0, n). */
export function checkIds(t: TensorData, what: string, n: number, meaning: string): void {
  for (let i = 0; i < t.data.length; i++) {
    const v = t.data[i];
    if (!Number.isInteger(v) || v < 0 || v >= n) throw new DataValueError(`${position(what, i, t.shape)} = ${v} must be an integer ${meaning} in [0, ${n})`);
  }
}

/** How an input is laid out in the model: token ids (B, T) i32, a sequence (T, B, F) or vectors (B, F). */
export type InputKind = 'ids' | 'sequence' | 'vector';

/** What the model expects of one input: per-sample shape, layout, and for ids the vocabulary size. */
export interface InputSpec {
  name: string;
  shape: Shape;
  kind: InputKind;
  /** ids must be in [0, vocab). */
  vocab?: number;
  /** The layer that reads this input first, for error messages ("LSTM "lstm""). */
  reader: string;
}

const fmt = (s: ReadonlyArray<number | null>) => `(${s.map((d) => (d === null ? 'None' : d)).join(', ')})`;

/** Layout of a per-sample shape: ids when int32, a sequence when rank >= 2, else vectors. */
export function inputKind(shape: Shape, ids: boolean): InputKind {
  return ids ? 'ids' : shape.length >= 2 ? 'sequence' : 'vector';
}

/**
 * Checks x for one input: rank and every fixed dim of the per-sample shape (a sequence's time may vary),
 * at least one sample, finite float32 values or ids in range. Throws a ShapeError/DataValueError that
 * names the reading layer and both shapes.
 */
export function checkInput(t: TensorData, spec: InputSpec, what: string): TensorData {
  if (t.shape[0] === 0) throw new DataValueError(`${what} is empty (0 samples)`);
  const want = spec.shape, got = t.shape.slice(1);
  const fits = got.length === want.length && want.every((d, i) => d === null || d === got[i]) && got.every((d) => d > 0);
  if (!fits && spec.kind === 'ids' && t.shape.length !== 2) throw new ShapeError(`${spec.reader}: expected ${what} of token ids (N, T), got ${fmt(t.shape)}`);
  if (!fits && spec.kind === 'ids') throw new ShapeError(`${spec.reader}: expected input (None, ${want[0]}) of token ids, got ${what} ${fmt(t.shape)}`);
  if (!fits) throw new ShapeError(`${spec.reader}: expected input "${spec.name}" of shape (None, ${want.map((d) => (d === null ? 'None' : d)).join(', ')}), got ${what} ${fmt(t.shape)}`);
  if (spec.kind === 'ids') checkIds(t, what, spec.vocab ?? 2 ** 31 - 1, 'token id');
  else checkFinite(t, what);
  return t;
}

/** Time steps of one sample of x for an input (1 for vectors). */
export function stepsOf(t: TensorData, kind: InputKind): number {
  return kind === 'vector' ? 1 : t.shape[1];
}

/**
 * The inputs of a call as a list in model-input order: one DataInput for a one-input model; a list or an
 * object keyed by input name for several.
 */
export function inputList<T>(x: T | T[] | Record<string, T>, names: string[], what: string): T[] {
  if (names.length === 1) {
    // A list of one for a one-input model: [{ data, shape }] (a nested numeric array stays data).
    if (Array.isArray(x) && x.length === 1 && x[0] !== null && typeof x[0] === 'object' && 'data' in x[0] && 'shape' in x[0]) return [x[0] as T];
    if (x !== null && typeof x === 'object' && !Array.isArray(x) && !ArrayBuffer.isView(x) && names[0] in (x as object) && !('data' in (x as object))) {
      return [(x as Record<string, T>)[names[0]]];
    }
    return [x as T];
  }
  if (Array.isArray(x)) {
    if (x.length !== names.length) throw new ConfigError(`${what}: the model has ${names.length} (${names.join(', ')}), got a list of ${x.length}`);
    return x as T[];
  }
  if (x !== null && typeof x === 'object' && !ArrayBuffer.isView(x)) {
    const obj = x as Record<string, T>;
    const extra = Object.keys(obj).find((k) => !names.includes(k));
    if (extra !== undefined) throw new ConfigError(`${what}: "${extra}" is not one of ${names.map((n) => `"${n}"`).join(', ')}`);
    return names.map((n) => {
      if (!(n in obj)) throw new ConfigError(`${what}: missing "${n}"`);
      return obj[n];
    });
  }
  throw new ConfigError(`${what}: the model has ${names.length} (${names.join(', ')}); pass a list or an object keyed by name`);
}

/** Samples [from, to) of t. */
export function sliceRows(t: TensorData, from: number, to: number): TensorData {
  const per = t.shape.slice(1).reduce((a, b) => a * b, 1);
  const data = Array.prototype.slice.call(t.data, from * per, to * per) as number[];
  return { data, shape: [to - from, ...t.shape.slice(1)] };
}

/** A batch size option: a positive integer (Keras default 32). */
export function batchSizeOption(v: unknown, call: string): number {
  const b = v ?? 32;
  if (typeof b !== 'number' || !Number.isInteger(b) || b < 1) throw new ConfigError(`${call}: batchSize must be a positive integer, got ${JSON.stringify(v)}`);
  return b;
}

/**
 * Copies samples idx of x into an input buffer: ids (B, T) i32 batch-major, sequences (T, B, F) and
 * vectors (B, F) f32. `capacity` is the buffer's size in elements (a last guard against overruns).
 */
export function gatherInput(arena: Arena, ptr: Ptr, capacity: number, x: TensorData, idx: ArrayLike<number>, kind: InputKind): void {
  const B = idx.length, T = stepsOf(x, kind);
  const F = kind === 'ids' ? 1 : x.shape.slice(kind === 'vector' ? 1 : 2).reduce((p, q) => p * q, 1);
  if (B * T * F > capacity) throw new ShapeError(`input batch (${B}, ${T}, ${F}) exceeds its planned buffer of ${capacity} values`);
  const base = ptr >> 2;
  if (kind === 'ids') {
    const I = arena.I32;
    for (let b = 0; b < B; b++) for (let t = 0; t < T; t++) I[base + b * T + t] = x.data[idx[b] * T + t];
    return;
  }
  const F32 = arena.F32;
  const typed = x.data instanceof Float32Array ? x.data : null; // rows by memcpy (W3 B32: 0.5 ms → 0.05)
  if (kind === 'vector') {
    for (let b = 0; b < B; b++) for (let d = 0; d < F; d++) F32[base + b * F + d] = x.data[idx[b] * F + d];
    return;
  }
  if (typed && B === 1) { // (T, 1, F) is sample idx[0]'s (T, F) block as it is: one copy (B = 1 predict)
    F32.set(typed.subarray(idx[0] * T * F, (idx[0] + 1) * T * F), base);
    return;
  }
  for (let t = 0; t < T; t++) for (let b = 0; b < B; b++) {
    const src = (idx[b] * T + t) * F, dst = base + (t * B + b) * F;
    if (typed) F32.set(typed.subarray(src, src + F), dst);
    else for (let d = 0; d < F; d++) F32[dst + d] = x.data[src + d];
  }
}

/** Copies targets of samples idx time-major: (Ty, B, C) floats, or (Ty, B) class ids as i32. */
export function gatherTargets(arena: Arena, ptr: Ptr, capacity: number, y: TensorData, idx: ArrayLike<number>, ids: boolean, sequence: boolean): void {
  const B = idx.length, C = ids ? 1 : (y.shape[y.shape.length - 1] as number);
  const mem = ids ? arena.I32 : arena.F32, base = ptr >> 2;
  const Ty = sequence ? y.shape[1] : 1;
  if (Ty * B * C > capacity) throw new ShapeError(`target batch (${Ty}, ${B}, ${C}) exceeds its planned buffer of ${capacity} values`);
  for (let t = 0; t < Ty; t++) for (let b = 0; b < B; b++) {
    const src = (idx[b] * Ty + t) * C, dst = base + (t * B + b) * C;
    for (let c = 0; c < C; c++) mem[dst + c] = y.data[src + c];
  }
}
