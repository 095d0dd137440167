// A file read through the data sources is closed before its caller sees the end of the read, an error or a
// break: no read left in flight and no descriptor open until a garbage collection. Found as an intermittent
// CI hang of `fused-rnn train --embeddings glove:/dev/zero` (the process printed its error, then did not
// exit): two fs requests on /dev/zero were still in flight when the CLI exited on the error.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataError } from '../src/data/errors.js';
import { byteChunks } from '../src/data/source.js';
import { loadWordVectors } from '../src/data/word-vectors.js';
import { rejectsTyped } from './helpers/assert-throws.js';

// (after one turn of the event loop: 'close' is emitted from inside the close request's own callback)
const fsRequests = async () => {
  await new Promise((resolve) => setImmediate(resolve));
  return process.getActiveResourcesInfo().filter((r) => r.startsWith('FS') || r === 'CloseReq');
};

test('a parser error on an endless device: the file is closed when the error arrives', async () => {
  assert.equal(await fsRequests(), [], 'nothing in flight before');
  await rejectsTyped(() => loadWordVectors('/dev/zero', { maxLineBytes: 3 << 20 }), DataError, /line 1 is longer than maxLineBytes/);
  assert.equal(await fsRequests(), [], 'no fs request in flight after the error');
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
  assert.equal(await fsRequests(), [], 'no fs request in flight after break');
  let bytes = 0;
  for await (const chunk of byteChunks(path)) bytes += chunk.length;
  assert.is(bytes, 5 << 20, 'a full read still sees every byte');
  assert.equal(await fsRequests(), [], 'none after a full read');
  const gz = join(dir, 'big.txt.gz');
  writeFileSync(gz, gzipSync(Buffer.from('y'.repeat(5 << 20))));
  for await (const chunk of byteChunks(gz)) {
    assert.is(chunk[0], 0x79, 'gunzipped');
    break;
  }
  assert.equal(await fsRequests(), [], 'no fs request in flight after break inside gunzip');
});

test('a missing file: DataError, nothing left open', async () => {
  await rejectsTyped(() => loadWordVectors('/nonexistent/vectors.txt'), DataError, /file not found/);
  assert.equal(await fsRequests(), []);
});

test.run();
