// A seeded shuffle buffer over a stream (tf.data's Dataset.shuffle(bufferSize)): the first `size` items fill
// the buffer; then each new item replaces a uniformly drawn buffered one, which is emitted; at the end the rest
// leave in random order. Memory: `size` items. size >= the stream length gives a uniform permutation; size 1
// keeps the order. Deterministic for a given seed (the project's xoshiro generator).
import { Random } from '../random.js';
import { DataError } from './errors.js';
import { checkArgument, custom } from '../options/schema.js';

/** Items of `items` in a seeded, locally shuffled order (see the file comment). */
export async function* shuffleStream<T>(items: AsyncIterable<T> | Iterable<T>, size: number, seed: number | Random): AsyncGenerator<T> {
  // issue 16: every argument checked before the first item is read
  checkArgument('shuffleStream', 'items', items, custom('an iterable or async iterable of items', (v) => v !== null && v !== undefined
    && (typeof (v as AsyncIterable<T>)[Symbol.asyncIterator] === 'function' || typeof (v as Iterable<T>)[Symbol.iterator] === 'function')));
  if (!Number.isInteger(size) || size < 1) throw new DataError(`shuffleStream: size must be a positive integer, got ${String(size)}`);
  const random = seed instanceof Random ? seed : new Random(seed);
  const buffer: T[] = [];
  for await (const item of items) {
    if (buffer.length < size) {
      buffer.push(item);
      continue;
    }
    const i = random.int(size);
    const out = buffer[i];
    buffer[i] = item;
    yield out;
  }
  // Drain: Fisher–Yates on what is left.
  for (let n = buffer.length; n > 0; n--) {
    const i = random.int(n);
    yield buffer[i];
    buffer[i] = buffer[n - 1];
  }
}
