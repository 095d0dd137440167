// padSequences vs Keras pad_sequences: the four padding/truncating combinations, value, maxlen default
// (longest), lengths, and typed errors for bad options and ids.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { DataError } from '../src/data/errors.js';
import { padSequences, type PadOptions } from '../src/data/pad-sequences.js';
import { throwsTyped } from './helpers/assert-throws.js';

const SEQS = [[1, 2, 3], [4, 5], [6], []];
const rows = (r: { data: Int32Array; shape: [number, number] }) =>
  Array.from({ length: r.shape[0] }, (_, b) => [...r.data.subarray(b * r.shape[1], (b + 1) * r.shape[1])]);

test('defaults (Keras): maxlen = longest, padding pre, int32', () => {
  const r = padSequences(SEQS);
  assert.ok(r.data instanceof Int32Array);
  assert.equal(r.shape, [4, 3]);
  assert.equal(rows(r), [[1, 2, 3], [0, 4, 5], [0, 0, 6], [0, 0, 0]]);
  assert.equal([...r.lengths], [3, 2, 1, 0]);
});

test('all four padding/truncating combinations at maxlen 2', () => {
  const cases: Array<[PadOptions['padding'], PadOptions['truncating'], number[][]]> = [
    ['pre', 'pre', [[2, 3], [4, 5], [0, 6], [0, 0]]],
    ['post', 'pre', [[2, 3], [4, 5], [6, 0], [0, 0]]],
    ['pre', 'post', [[1, 2], [4, 5], [0, 6], [0, 0]]],
    ['post', 'post', [[1, 2], [4, 5], [6, 0], [0, 0]]],
  ];
  for (const [padding, truncating, want] of cases) {
    const r = padSequences(SEQS, { maxlen: 2, padding, truncating });
    assert.equal(rows(r), want, `${padding}/${truncating}`);
    assert.equal([...r.lengths], [2, 2, 1, 0]);
  }
});

test('value, maxlen longer than every sequence, typed-array input', () => {
  const r = padSequences([Int32Array.from([7, 8]), [9]], { maxlen: 4, value: -1, padding: 'post' });
  assert.equal(rows(r), [[7, 8, -1, -1], [9, -1, -1, -1]]);
  const single = padSequences([[5]], { maxlen: 1 });
  assert.equal(rows(single), [[5]]);
  assert.equal(padSequences([]).shape, [0, 0]);
  assert.equal(padSequences([[], []]).shape, [2, 0]);
});

test('bad options and ids: DataError naming them', () => {
  throwsTyped(() => padSequences(SEQS, { padding: 'left' as 'pre' }), DataError, /padding must be "pre" or "post", got "left"/);
  throwsTyped(() => padSequences(SEQS, { truncating: 'end' as 'pre' }), DataError, /truncating must be "pre" or "post"/);
  throwsTyped(() => padSequences(SEQS, { maxlen: 0 }), DataError, /maxlen must be a positive integer, got 0/);
  throwsTyped(() => padSequences(SEQS, { maxlen: 2.5 }), DataError, /maxlen/);
  throwsTyped(() => padSequences(SEQS, { value: 0.5 }), DataError, /value must be an int32/);
  throwsTyped(() => padSequences(SEQS, { dtype: 'float32' as 'int32' }), DataError, /dtype must be "int32"/);
  throwsTyped(() => padSequences([[1, 2.5]]), DataError, /sequences\[0\]\[1\] = 2.5 is not an int32/);
  throwsTyped(() => padSequences([[1], [2 ** 31]]), DataError, /sequences\[1\]\[0\] = 2147483648/);
  throwsTyped(() => padSequences([[1], null as unknown as number[]]), DataError, /sequences\[1\] is null/);
  throwsTyped(() => padSequences('abc' as unknown as number[][]), DataError, /must be an array/);
});

test.run();
