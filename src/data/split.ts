// Seeded shuffling, train/validation/test splits (optionally stratified) and index batches. Everything is
// driven by the project's one generator (src/random.ts), so a seed fixes every split and batch order on every
// engine. Splits and batches are index arrays (Int32Array); `takeRows`/`take` gather the data they select.
import { Random } from '../random.js';
import { DataError } from './errors.js';
import { checkArgument, checkOptions, describeValue, positiveInt } from '../options/schema.js';

/** A seed (safe integer) or a generator to draw from (advanced in place, so successive calls differ). */
export type SeedOrRandom = number | Random;

function rng(seed: SeedOrRandom | undefined, where: string): Random {
  if (seed instanceof Random) return seed;
  if (seed === undefined) return new Random(0);
  if (!Number.isSafeInteger(seed)) throw new DataError(`${where}: seed must be a safe integer or a Random, got ${String(seed)}`);
  return new Random(seed);
}

function checkCount(n: number, where: string): void {
  // 2^28 indices (1 GiB of int32) at most: more is not a data set that fits in memory with its samples
  if (!Number.isSafeInteger(n) || n < 0 || n > 2 ** 28) throw new DataError(`${where}: n must be a non-negative integer of at most 2^28, got ${describeValue(n)}`);
}

/** 0, 1, …, n−1 in a seeded random order (Fisher–Yates). */
export function permutation(n: number, seed?: SeedOrRandom): Int32Array {
  checkCount(n, 'permutation');
  const p = new Int32Array(n);
  for (let i = 0; i < n; i++) p[i] = i;
  return rng(seed, 'permutation').shuffle(p);
}

/** Shares and seed of splitIndices(). */
export interface SplitOptions {
  /** Validation share: a fraction in (0, 1) of all items, or a whole count. Default 0. */
  validation?: number;
  /** Test share: a fraction in (0, 1) of all items, or a whole count. Default 0. */
  test?: number;
  /** Seed or generator for the shuffle (default seed 0). */
  seed?: SeedOrRandom;
  /** Shuffle before splitting (default true). false: train, validation, test are consecutive ranges. */
  shuffle?: boolean;
  /** One label per item: each class is split in the same proportions (largest-remainder rounding). */
  stratify?: ArrayLike<number | string | boolean>;
}

/** Index sets of a train / validation / test split. */
export interface Split {
  train: Int32Array;
  validation: Int32Array;
  test: Int32Array;
}

/** Number of items a split option asks for: fraction → Math.round(f · n), integer → itself. */
function shareCount(spec: number | undefined, n: number, name: string): number {
  if (spec === undefined || spec === 0) return 0;
  if (typeof spec !== 'number' || !Number.isFinite(spec) || spec < 0 || (spec > 1 && !Number.isInteger(spec))) {
    throw new DataError(`splitIndices: ${name} must be a fraction in (0, 1) or a whole count, got ${String(spec)}`);
  }
  const count = spec < 1 ? Math.round(spec * n) : spec;
  if (count > n) throw new DataError(`splitIndices: ${name} = ${spec} asks for ${count} items, only ${n} exist`);
  return count;
}

/**
 * Splits the indices 0…n−1 into train, validation and test. Train gets what the other two leave (it must
 * not be empty). With `stratify`, each class contributes round-proportional shares, so a 50/50 label set stays
 * 50/50 in every part (up to one item per class).
 */
export function splitIndices(n: number, options: SplitOptions = {}): Split {
  checkCount(n, 'splitIndices');
  checkOptions('splitIndices', options); // issue 16: null or non-object options are an OptionError
  const nTest = shareCount(options.test, n, 'test');
  const nVal = shareCount(options.validation, n, 'validation');
  if (nTest + nVal >= n && n > 0) {
    throw new DataError(`splitIndices: validation (${nVal}) + test (${nTest}) leave nothing of ${n} items for training`);
  }
  const shuffle = options.shuffle ?? true;
  const random = rng(options.seed, 'splitIndices');
  const labels = options.stratify;
  if (labels === undefined) {
    const order = shuffle ? permutation(n, random) : Int32Array.from({ length: n }, (_, i) => i);
    const nTrain = n - nVal - nTest;
    return { train: order.slice(0, nTrain), validation: order.slice(nTrain, nTrain + nVal), test: order.slice(nTrain + nVal) };
  }

  if (labels === null || typeof labels !== 'object' || labels.length !== n) {
    throw new DataError(`splitIndices: stratify must hold one label per item (${n}), got ${labels === null || typeof labels !== 'object' ? String(labels) : `${labels.length} labels`}`);
  }
  const classes = new Map<unknown, number[]>(); // label → member indices, classes in order of first occurrence
  for (let i = 0; i < n; i++) {
    const l = labels[i];
    let members = classes.get(l);
    if (members === undefined) classes.set(l, (members = []));
    members.push(i);
  }
  const groups = [...classes.values()];
  const sizes = groups.map((g) => g.length);
  const testPer = allocate(nTest, sizes, sizes);
  const valPer = allocate(nVal, sizes, sizes.map((s, c) => s - testPer[c]));
  const train: number[] = [], validation: number[] = [], test: number[] = [];
  groups.forEach((g, c) => {
    if (shuffle) random.shuffle(g);
    const nTrain = g.length - valPer[c] - testPer[c];
    train.push(...g.slice(0, nTrain));
    validation.push(...g.slice(nTrain, nTrain + valPer[c]));
    test.push(...g.slice(nTrain + valPer[c]));
  });
  const finish = (a: number[]): Int32Array => {
    const out = Int32Array.from(a);
    return shuffle ? random.shuffle(out) : out.sort();
  };
  return { train: finish(train), validation: finish(validation), test: finish(test) };
}

/**
 * Hamilton (largest-remainder) apportionment of `total` over classes proportional to `sizes`, never above
 * `capacity`; remainders tie in class order. Sum(result) = total whenever total <= Sum(capacity).
 */
function allocate(total: number, sizes: number[], capacity: number[]): number[] {
  const n = sizes.reduce((a, b) => a + b, 0);
  if (total === 0 || n === 0) return sizes.map(() => 0);
  const quota = sizes.map((s) => (total * s) / n);
  const out = quota.map((q, c) => Math.min(Math.floor(q), capacity[c]));
  let left = total - out.reduce((a, b) => a + b, 0);
  const order = sizes.map((_, c) => c).sort((a, b) => (quota[b] - Math.floor(quota[b])) - (quota[a] - Math.floor(quota[a])) || a - b);
  while (left > 0) {
    let gave = false;
    for (const c of order) {
      if (left === 0) break;
      if (out[c] < capacity[c]) { out[c]++; left--; gave = true; }
    }
    if (!gave) break;
  }
  return out;
}

/** Options of batches(): whether to shuffle, and the seed. */
export interface BatchOptions {
  /** Reshuffle the indices (a copy) before batching (default false). */
  shuffle?: boolean;
  /** Seed or generator for the shuffle (default seed 0); pass one Random across epochs for a new order each time. */
  seed?: SeedOrRandom;
}

/**
 * Index batches of size `batchSize` over `indices` (or 0…n−1 when given a count), in order or shuffled; the
 * last, partial batch is kept. Yields views (subarrays) of one index array.
 */
export function* batches(indices: ArrayLike<number> | number, batchSize: number, options: BatchOptions = {}): Generator<Int32Array> {
  checkOptions('batches', options); // issue 16: null or non-object options are an OptionError
  if (!Number.isSafeInteger(batchSize) || batchSize < 1) throw new DataError(`batches: batchSize must be a positive integer, got ${String(batchSize)}`);
  let order: Int32Array;
  if (typeof indices === 'number') {
    checkCount(indices, 'batches');
    order = Int32Array.from({ length: indices }, (_, i) => i);
  } else if (indices !== null && typeof indices === 'object' && Number.isSafeInteger(indices.length)) {
    order = Int32Array.from(indices);
  } else {
    throw new DataError(`batches: indices must be an index array or a count, got ${String(indices)}`);
  }
  if (options.shuffle) rng(options.seed, 'batches').shuffle(order);
  for (let start = 0; start < order.length; start += batchSize) yield order.subarray(start, Math.min(start + batchSize, order.length));
}

/** Number of batches `batches` yields: ceil(n / batchSize). */
export function batchCount(n: number, batchSize: number): number {
  checkCount(n, 'batchCount');
  checkArgument('batchCount', 'batchSize', batchSize, positiveInt());
  return Math.ceil(n / batchSize);
}

/** items[indices[0]], items[indices[1]], … as a plain array. */
export function take<T>(items: ArrayLike<T>, indices: ArrayLike<number>): T[] {
  if (!isArrayLike(items) || !isArrayLike(indices)) throw new DataError(`take: items and indices must be arrays, got ${typeof items} and ${typeof indices}`); // issue 16
  const out = new Array<T>(indices.length);
  for (let i = 0; i < indices.length; i++) {
    const j = indices[i];
    if (!Number.isInteger(j) || j < 0 || j >= items.length) throw new DataError(`take: index ${j} is outside [0, ${items.length})`);
    out[i] = items[j];
  }
  return out;
}

type Rows = Int32Array | Float32Array | Float64Array | Uint8Array;

/**
 * Gathers rows of a row-major block: data is (N, rowSize) → result (indices.length, rowSize), same type.
 * E.g. a (B, T) Int32Array from padSequences, or labels with rowSize 1.
 */
export function takeRows<A extends Rows>(data: A, rowSize: number, indices: ArrayLike<number>): A {
  if (!isArrayLike(data) || !isArrayLike(indices)) throw new DataError(`takeRows: data and indices must be arrays, got ${typeof data} and ${typeof indices}`); // issue 16
  if (!Number.isSafeInteger(rowSize) || rowSize < 1 || data.length % rowSize !== 0) {
    throw new DataError(`takeRows: rowSize ${describeValue(rowSize)} does not divide the data length ${data.length}`);
  }
  const rows = data.length / rowSize;
  const out = new (data.constructor as new (n: number) => A)(indices.length * rowSize);
  for (let i = 0; i < indices.length; i++) {
    const j = indices[i];
    if (!Number.isInteger(j) || j < 0 || j >= rows) throw new DataError(`takeRows: index ${j} is outside [0, ${rows})`);
    out.set(data.subarray(j * rowSize, (j + 1) * rowSize), i * rowSize);
  }
  return out;
}

/** A string, or an object whose length is a valid array length (an object with length −1 or 2^32 is not). */
function isArrayLike(v: unknown): v is ArrayLike<unknown> {
  if (typeof v === 'string') return true;
  const n = (v as { length?: unknown } | null)?.length;
  return typeof v === 'object' && v !== null && typeof n === 'number' && Number.isSafeInteger(n) && n >= 0 && n < 2 ** 32;
}
