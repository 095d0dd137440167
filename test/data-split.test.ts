// Seeded shuffling and splits: determinism (same seed → same split, other seed → other split), sizes from
// fractions and counts, disjoint cover of all indices, stratification, batching, gathering.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { DataError } from '../src/data/errors.js';
import { batchCount, batches, permutation, splitIndices, take, takeRows } from '../src/data/split.js';
import { Random } from '../src/random.js';
import { throwsTyped } from './helpers/assert-throws.js';

const sorted = (...parts: Int32Array[]) => parts.flatMap((p) => [...p]).sort((a, b) => a - b);
const range = (n: number) => Array.from({ length: n }, (_, i) => i);

test('permutation: a seeded permutation, reproducible, seed-dependent', () => {
  const a = permutation(100, 42), b = permutation(100, 42), c = permutation(100, 43);
  assert.equal([...a], [...b]);
  assert.not.equal([...a], [...c]);
  assert.equal([...a].sort((x, y) => x - y), range(100));
  assert.not.equal([...a], range(100));
  assert.equal([...permutation(0, 1)], []);
  // a shared Random advances: two draws differ
  const r = new Random(5);
  assert.not.equal([...permutation(20, r)], [...permutation(20, r)]);
});

test('splitIndices: fractions and counts, disjoint, covering, deterministic', () => {
  const s = splitIndices(1000, { validation: 0.1, test: 0.2, seed: 7 });
  assert.is(s.train.length, 700);
  assert.is(s.validation.length, 100);
  assert.is(s.test.length, 200);
  assert.equal(sorted(s.train, s.validation, s.test), range(1000));
  const again = splitIndices(1000, { validation: 0.1, test: 0.2, seed: 7 });
  assert.equal([...again.test], [...s.test]);
  const other = splitIndices(1000, { validation: 0.1, test: 0.2, seed: 8 });
  assert.not.equal([...other.test], [...s.test]);
  const counts = splitIndices(10, { test: 3, validation: 1, seed: 1 });
  assert.equal([counts.train.length, counts.validation.length, counts.test.length], [6, 1, 3]);
  const rounded = splitIndices(7, { test: 0.25 }); // 1.75 → 2
  assert.is(rounded.test.length, 2);
  const ordered = splitIndices(6, { test: 2, shuffle: false });
  assert.equal([[...ordered.train], [...ordered.test]], [[0, 1, 2, 3], [4, 5]]);
});

test('stratified: each class split in proportion; interleaved labels stay balanced', () => {
  const labels = range(100).map((i) => (i % 5 < 3 ? 0 : 1)); // 60 zeros, 40 ones
  const s = splitIndices(100, { test: 0.25, validation: 0.1, stratify: labels, seed: 3 });
  const count = (idx: Int32Array, c: number) => [...idx].filter((i) => labels[i] === c).length;
  assert.equal([count(s.test, 0), count(s.test, 1)], [15, 10]);
  assert.equal([count(s.validation, 0), count(s.validation, 1)], [6, 4]);
  assert.equal([count(s.train, 0), count(s.train, 1)], [39, 26]);
  assert.equal(sorted(s.train, s.validation, s.test), range(100));
  // the same seed gives the same split, another seed another
  assert.equal([...splitIndices(100, { test: 0.25, validation: 0.1, stratify: labels, seed: 3 }).test], [...s.test]);
  assert.not.equal([...splitIndices(100, { test: 0.25, validation: 0.1, stratify: labels, seed: 4 }).test], [...s.test]);
  // three odd-sized string classes: largest remainders decide; totals are exact
  const three = [...Array(7).fill('a'), ...Array(5).fill('b'), ...Array(3).fill('c')];
  const t = splitIndices(15, { test: 4, stratify: three, seed: 1 });
  const per = (c: string) => [...t.test].filter((i) => three[i] === c).length;
  // quotas 4·7/15 = 1.87, 4·5/15 = 1.33, 4·3/15 = 0.8 → floors 1, 1, 0, remainder 2 → a (.87), c (.8)
  assert.equal([per('a'), per('b'), per('c')], [2, 1, 1]);
  assert.is(t.test.length, 4);
});

test('splitIndices: bad options', () => {
  throwsTyped(() => splitIndices(10, { test: 1.5 }), DataError, /test must be a fraction in \(0, 1\) or a whole count/);
  throwsTyped(() => splitIndices(10, { test: -0.1 }), DataError, /test must be/);
  throwsTyped(() => splitIndices(10, { test: 20 }), DataError, /asks for 20 items, only 10 exist/);
  throwsTyped(() => splitIndices(10, { test: 5, validation: 5 }), DataError, /nothing of 10 items for training/);
  throwsTyped(() => splitIndices(10, { test: 0.2, stratify: [0, 1] }), DataError, /one label per item \(10\), got 2 labels/);
  throwsTyped(() => splitIndices(-1), DataError, /non-negative integer/);
  throwsTyped(() => splitIndices(10, { seed: 0.5 }), DataError, /seed must be a safe integer/);
});

test('batches: in order with the partial last batch kept; shuffled = the seeded permutation', () => {
  assert.equal([...batches(10, 4)].map((b) => [...b]), [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]]);
  assert.is(batchCount(10, 4), 3);
  assert.equal([...batches([5, 3, 1], 2)].map((b) => [...b]), [[5, 3], [1]]);
  const shuffled = [...batches(10, 3, { shuffle: true, seed: 9 })].flatMap((b) => [...b]);
  assert.equal(shuffled, [...permutation(10, 9)]);
  const r = new Random(2);
  const epoch1 = [...batches(10, 10, { shuffle: true, seed: r })][0];
  const epoch2 = [...batches(10, 10, { shuffle: true, seed: r })][0];
  assert.not.equal([...epoch1], [...epoch2]);
  assert.equal([...batches(0, 4)], []);
  throwsTyped(() => [...batches(10, 0)], DataError, /batchSize must be a positive integer/);
});

test('take and takeRows gather selected items and rows', () => {
  assert.equal(take(['a', 'b', 'c'], [2, 0]), ['c', 'a']);
  const block = Int32Array.from([1, 2, 3, 4, 5, 6]); // (3, 2)
  const got = takeRows(block, 2, [2, 0]);
  assert.ok(got instanceof Int32Array);
  assert.equal([...got], [5, 6, 1, 2]);
  assert.equal([...takeRows(Float32Array.from([0.5, 1.5]), 1, [1, 1])], [1.5, 1.5]);
  throwsTyped(() => take(['a'], [1]), DataError, /index 1 is outside \[0, 1\)/);
  throwsTyped(() => takeRows(block, 4, [0]), DataError, /rowSize 4 does not divide/);
  throwsTyped(() => takeRows(block, 2, [3]), DataError, /index 3 is outside \[0, 3\)/);
});

test.run();
