// Training and prediction data at the API: batch-major arrays (nested JS arrays or flat typed arrays with
// a shape), checked once, then gathered batch by batch into the model's time-major buffers.

import { DataValueError } from '../errors.js';

/** A flat array with its shape, batch first: ids (N, T), floats (N, T, D) or (N, D), targets (N), (N, C)... */
export interface TensorData {
  data: ArrayLike<number>;
  shape: number[];
}

/** Training or prediction data: a { data, shape } tensor or nested arrays, batch first. */
export type DataInput = TensorData | ArrayLike<number> | ArrayLike<ArrayLike<number>> | ArrayLike<ArrayLike<ArrayLike<number>>>;

const isTensorData = (x: unknown): x is TensorData =>
  typeof x === 'object' && x !== null && 'data' in x && 'shape' in x && Array.isArray((x as TensorData).shape);

/** Flattens nested arrays (rectangular) or passes a TensorData through, checking the shape. */
export function toTensor(x: DataInput, what: string): TensorData {
  if (isTensorData(x)) {
    const n = x.shape.reduce((a, b) => a * b, 1);
    if (!x.shape.every((d) => Number.isInteger(d) && d >= 0)) throw new DataValueError(`${what}: shape (${x.shape.join(', ')}) must hold non-negative integers`);
    if (x.data.length !== n) throw new DataValueError(`${what}: ${x.data.length} values do not fill shape (${x.shape.join(', ')}) = ${n}`);
    return x;
  }
  if (x === null || typeof x !== 'object' || typeof (x as ArrayLike<unknown>).length !== 'number') {
    throw new DataValueError(`${what}: expected an array or { data, shape }, got ${x === null ? 'null' : typeof x}`);
  }
  const shape: number[] = [];
  let probe: unknown = x;
  while (typeof probe === 'object' && probe !== null && typeof (probe as ArrayLike<unknown>).length === 'number') {
    shape.push((probe as ArrayLike<unknown>).length);
    probe = (probe as ArrayLike<unknown>)[0];
    if (shape[shape.length - 1] === 0) break;
  }
  const n = shape.reduce((a, b) => a * b, 1);
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

/** Every value finite. */
export function checkFinite(t: TensorData, what: string): void {
  for (let i = 0; i < t.data.length; i++) {
    if (!Number.isFinite(t.data[i])) throw new DataValueError(`${position(what, i, t.shape)} = ${t.data[i]} is not finite`);
  }
}

/** Every value an integer in [0, n). */
export function checkIds(t: TensorData, what: string, n: number, meaning: string): void {
  for (let i = 0; i < t.data.length; i++) {
    const v = t.data[i];
    if (!Number.isInteger(v) || v < 0 || v >= n) throw new DataValueError(`${position(what, i, t.shape)} = ${v} must be an integer ${meaning} in [0, ${n})`);
  }
}
