// Word-vector reader bounds (issue 16 finding 10): one very wide first line reserves one row (geometric
// growth from a small start), not 1024 rows of its width (a 1.1 MB line used to reserve 1.2 GB); lines
// longer than maxLineBytes (a binary file, /dev/zero) and more than maxValues values are typed errors.
// Also padSequences' bound on the padded array (a campaign finding: RangeError for maxlen 2^31).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { DataError } from '../src/data/errors.js';
import { WordVectorParser, loadWordVectors } from '../src/data/word-vectors.js';
import { padSequences } from '../src/data/pad-sequences.js';
import { rejectsTyped, throwsTyped } from './helpers/assert-throws.js';

test('a 1.1 MB first line reserves one row of its width, not 1024', () => {
  const D = 300_000;
  const line = 'wide ' + Array.from({ length: D }, (_, i) => (i % 7) / 10 + 0.5).join(' ') + '\n';
  assert.ok(line.length > 1_000_000, `${line.length} bytes`);
  const p = new WordVectorParser({ name: 'wide.txt' });
  p.pushBytes(new TextEncoder().encode(line));
  const capacity = (p as unknown as { data: Float32Array }).data.length;
  console.log(`    one ${line.length}-byte line of ${D} values: ${capacity * 4} bytes reserved (was ${1024 * D * 4})`);
  assert.is(capacity, D, `capacity ${capacity} values: one row`);
  p.pushBytes(new TextEncoder().encode('next ' + Array.from({ length: D }, () => '1').join(' ') + '\n'));
  const v = p.end();
  assert.is(v.size, 2);
  assert.is(v.dim, D);
});

test('growth stays geometric and bounded by maxValues', () => {
  const p = new WordVectorParser({ name: 'many.txt', maxValues: 1000 });
  const rows = Array.from({ length: 400 }, (_, i) => `w${i} 1 2 3`).join('\n') + '\n';
  throwsTyped(() => p.pushBytes(new TextEncoder().encode(rows)), DataError, /many\.txt:\d+: 334 vectors of dimension 3 exceed maxValues = 1000 values/);
});

test('a line longer than maxLineBytes (a binary file, /dev/zero) is refused without reading on', async () => {
  const p = new WordVectorParser({ name: 'bin', maxLineBytes: 100 });
  throwsTyped(() => p.pushBytes(new Uint8Array(101)), DataError, /bin:1: line 1 is longer than maxLineBytes = 100 bytes/);
  const q = new WordVectorParser({ name: 'chunks', maxLineBytes: 100 });
  q.pushBytes(new TextEncoder().encode('a 1\nb '));
  throwsTyped(() => { for (let i = 0; i < 30; i++) q.pushBytes(new TextEncoder().encode('1 2 ')); }, DataError, /chunks:2: line 2 is longer/);
  await rejectsTyped(() => loadWordVectors('/dev/zero', { maxLineBytes: 1 << 20 }), DataError, /\/dev\/zero:1: line 1 is longer than maxLineBytes = 1048576/);
  throwsTyped(() => new WordVectorParser({ lowercase: 'yes' as never }), DataError, /lowercase must be a boolean/);
});

test('padSequences: a huge maxlen is a DataError, not a RangeError from the typed array (found by the fuzz campaign)', () => {
  throwsTyped(() => padSequences([[1, 2], [3]], { maxlen: 2 ** 31 }), DataError, /padSequences: 2 sequences × maxlen 2147483648 = 4294967296 ids is more than/);
});

test.run();
