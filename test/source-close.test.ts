// A file read through the data sources is closed before its caller sees the end of the read, an error or a
// break: no read left in flight and no descriptor open until a garbage collection. Found as an intermittent
// CI hang of `fused-rnn train --embeddings glove:/dev/zero` (the process printed its error, then did not
// exit): two fs requests on /dev/zero were still in flight when the CLI exited on the error.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, mkdtempSync, readdirSync, readlinkSync, writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataError } from '../src/data/errors.js';
import { byteChunks } from '../src/data/source.js';
import { loadWordVectors } from '../src/data/word-vectors.js';
import { rejectsTyped } from './helpers/assert-throws.js';

// The descriptors this process holds open on `path` (Linux: /proc/self/fd). Counting fs requests in flight
// instead is not reliable: the test loader reads files in the background (seen on Node 24 with tsx).
const hasProc = existsSync('/proc/self/fd');
const openOn = (path: string) => !hasProc ? [] : readdirSync('/proc/self/fd').filter((fd) => {
  try {
    return readlinkSync(`/proc/self/fd/${fd}`) === path;
  } catch {
    return false; // the directory's own descriptor, gone by the time it is read
  }
});

test.before(() => {
  if (!hasProc) console.log('    (no /proc/self/fd here: the descriptor checks are skipped)');
});

test('a parser error on an endless device: the file is closed when the error arrives', async () => {
  assert.equal(openOn('/dev/zero'), [], 'nothing open before');
  await rejectsTyped(() => loadWordVectors('/dev/zero', { maxLineBytes: 3 << 20 }), DataError, /line 1 is longer than maxLineBytes/);
  assert.equal(openOn('/dev/zero'), [], '/dev/zero is closed when the error arrives');
});

test('a consumer that breaks after the first chunk: the file is closed when the loop ends', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'fused-rnn-source-'));
  const path = join(dir, 'big.txt');
  writeFileSync(path, 'x'.repeat(5 << 20));
  let chunks = 0;
  for await (const chunk of byteChunks(path)) {
    assert.ok(chunk.length > 0);
    if (++chunks === 1) break;
  }
  assert.equal(openOn(path), [], 'closed when the loop ends');
  let bytes = 0;
  for await (const chunk of byteChunks(path)) bytes += chunk.length;
  assert.is(bytes, 5 << 20, 'a full read still sees every byte');
  assert.equal(openOn(path), [], 'closed after a full read');
  const gz = join(dir, 'big.txt.gz');
  writeFileSync(gz, gzipSync(Buffer.from('y'.repeat(5 << 20))));
  for await (const chunk of byteChunks(gz)) {
    assert.is(chunk[0], 0x79, 'gunzipped');
    break;
  }
  assert.equal(openOn(gz), [], 'closed after a break inside gunzip');
});

test('a missing file: DataError', async () => {
  await rejectsTyped(() => loadWordVectors('/nonexistent/vectors.txt'), DataError, /file not found/);
});

test.run();
