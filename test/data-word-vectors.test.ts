// GloVe / word2vec text loader on tiny files this test writes itself: header, CRLF, trailing blanks, BOM,
// non-ASCII words, duplicates (first wins, counted), lowercase merging, vocabulary filter, limit, gzip (node:zlib
// and DecompressionStream), browser-style inputs (ArrayBuffer, ReadableStream in 1-byte chunks, Response, Blob),
// and errors naming file and line. Then embeddingMatrix: rows, oov policies and coverage numbers.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { DataError } from '../src/data/errors.js';
import { gunzip, readText } from '../src/data/source.js';
import { Tokenizer } from '../src/data/tokenizer.js';
import { embeddingMatrix, formatCoverage, loadWordVectors, parseWordVectors, WordVectors } from '../src/data/word-vectors.js';
import { rejectsTyped, throwsTyped } from './helpers/assert-throws.js';

let dir = '';
test.before(() => {
  dir = mkdtempSync(join(tmpdir(), 'fused-rnn-wv-'));
});
test.after(() => rmSync(dir, { recursive: true, force: true }));
const file = (name: string, content: string | Uint8Array) => {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
};

// D = 3. Line 3 has CRLF, line 2 trailing blanks, line 5 repeats "the", line 4 is "The" (mixed case).
const SMALL = 'the 0.1 0.2 0.3\ncat 1 2 3   \t\ncafé -1 -2.5e-1 -3\r\nThe 9 9 9\nthe 5 5 5\n日本 0.5 0.5 0.5\n\n';
const vec = (v: WordVectors, w: string) => (v.get(w) ? [...v.get(w)!] : undefined);
const f32 = (xs: number[]) => xs.map((x) => Math.fround(x));

function checkSmall(v: WordVectors): void {
  assert.is(v.dim, 3);
  assert.equal(v.words, ['the', 'cat', 'café', 'The', '日本']);
  assert.equal(vec(v, 'the'), f32([0.1, 0.2, 0.3]));
  assert.equal(vec(v, 'café'), f32([-1, -0.25, -3]));
  assert.equal(vec(v, 'cat'), [1, 2, 3]);
  assert.is(v.stats.duplicates, 1);
  assert.equal(v.stats.duplicateExamples, [{ word: 'the', line: 5, firstLine: 1 }]);
  assert.is(v.stats.entries, 6);
  assert.is(v.stats.blankLines, 1);
  assert.is(v.stats.header, null);
}

test('plain file: CRLF, trailing blanks, non-ASCII words, duplicates first-wins and counted', async () => {
  checkSmall(await loadWordVectors(file('small.txt', SMALL)));
  checkSmall(parseWordVectors(SMALL));
  checkSmall(await loadWordVectors(file('bom-crlf.txt', '\ufeff' + SMALL.replace(/\n/g, '\r\n'))));
});

test('word2vec header "N D"; a count mismatch is an error (truncated file)', async () => {
  const v = await loadWordVectors(file('w2v.txt', '6 3\n' + SMALL));
  assert.equal(v.stats.header, { count: 6, dim: 3 });
  assert.is(v.size, 5);
  await rejectsTyped(() => loadWordVectors(file('short.txt', '7 3\n' + SMALL)), DataError, /short\.txt: header says 7 vectors, found 6 \(truncated file\?\)/);
  await rejectsTyped(() => loadWordVectors(file('hdr.txt', '6 3\n' + SMALL), { dim: 4 }), DataError, /hdr\.txt:1: header says dimension 3, expected 4/);
});

test('lowercase: first spelling wins, case variants counted', () => {
  const v = parseWordVectors(SMALL, { lowercase: true });
  assert.equal(v.words, ['the', 'cat', 'café', '日本']);
  assert.equal(vec(v, 'the'), f32([0.1, 0.2, 0.3]));
  assert.is(v.stats.duplicates, 2);
  assert.is(v.stats.caseVariants, 1);
  const upperFirst = parseWordVectors('Apple 1 1\napple 2 2\n', { lowercase: true });
  assert.equal(vec(upperFirst, 'apple'), [1, 1]);
  assert.is(upperFirst.has('Apple'), false);
});

test('vocabulary filter and limit', async () => {
  const v = parseWordVectors(SMALL, { vocabulary: new Set(['the', '日本', 'missing']) });
  assert.equal(v.words, ['the', '日本']);
  assert.is(v.stats.filtered, 3);
  assert.is(v.stats.duplicates, 1);
  const fromMap = parseWordVectors(SMALL, { vocabulary: new Map([['cat', 1]]) });
  assert.equal(fromMap.words, ['cat']);
  const fromArray = parseWordVectors(SMALL, { vocabulary: ['café'] });
  assert.equal(fromArray.words, ['café']);
  // limit stops after that many vector lines; the rest (even a broken line) is never read
  const limited = await loadWordVectors(file('limit.txt', '9 3\n' + SMALL + 'bad 1\n'), { limit: 2 });
  assert.equal(limited.words, ['the', 'cat']);
});

test('wrong dimension: DataError naming file and line', async () => {
  const good = (i: number) => `w${i} ${Array.from({ length: 100 }, (_, k) => ((i + k) % 7) / 10).join(' ')}`;
  const lines = Array.from({ length: 16 }, (_, i) => good(i));
  lines.push('broken ' + Array.from({ length: 99 }, () => '0.5').join(' '));
  const path = file('glove.txt', lines.join('\n') + '\n');
  await rejectsTyped(() => loadWordVectors(path), DataError, /glove\.txt:17: expected 100 values after the word, got 99$/);
  throwsTyped(() => parseWordVectors(lines.join('\n'), { name: 'glove.txt' }), DataError, /^glove\.txt:17: expected 100 values after the word, got 99$/);
  throwsTyped(() => parseWordVectors('a 1 2\nb 1 2 3\n', { name: 'v.txt' }), DataError, /^v\.txt:2: expected 2 values after the word, got 3$/);
  throwsTyped(() => parseWordVectors('a 1 2 3\n', { name: 'v.txt', dim: 2 }), DataError, /v\.txt:1: expected 2 values after the word, got 3/);
  throwsTyped(() => parseWordVectors('a 1 2\nb 1 x\n', { name: 'v.txt' }), DataError, /v\.txt:2: value 2 of "b" is "x", not a finite number/);
  throwsTyped(() => parseWordVectors('a 1 2\nb 1 Infinity\n', { name: 'v.txt' }), DataError, /v\.txt:2: value 2/);
  throwsTyped(() => parseWordVectors('lonely\n', { name: 'v.txt' }), DataError, /v\.txt:1: expected a word followed by its values/);
  throwsTyped(() => parseWordVectors('\n\n', { name: 'v.txt' }), DataError, /v\.txt: no word vectors found/);
});

test('words containing spaces (glove.840B style) are kept whole', () => {
  const v = parseWordVectors('the 1 2\n. . . 3 4\nat name@x.com 5 6\n');
  assert.equal(v.words, ['the', '. . .', 'at name@x.com']);
  assert.equal(vec(v, '. . .'), [3, 4]);
  assert.is(v.stats.wordsWithSpaces, 2);
});

test('gzip: a .gz file (node:zlib) and the DecompressionStream path give the same vectors', async () => {
  checkSmall(await loadWordVectors(file('small.txt.gz', gzipSync(Buffer.from(SMALL)))));
  async function* chunks() { yield gzipSync(Buffer.from(SMALL)); }
  const web: Uint8Array[] = [];
  for await (const c of gunzip(chunks(), 'x.gz', 'web')) web.push(c);
  assert.is(Buffer.concat(web).toString('utf8'), SMALL);
  await rejectsTyped(() => loadWordVectors(file('bad.gz', Uint8Array.from([0x1f, 0x8b, 1, 2, 3, 4]))), DataError, /bad\.gz: not valid gzip data/);
  async function* badChunks() { yield Uint8Array.from([0x1f, 0x8b, 1, 2, 3, 4]); }
  await rejectsTyped(async () => { for await (const _ of gunzip(badChunks(), 'y.gz', 'web')) { /* drain */ } }, DataError, /y\.gz: not valid gzip data/);
});

test('browser-style inputs: ArrayBuffer, 1-byte ReadableStream, Response (gzip), Blob, async iterable of strings', async () => {
  const bytes = new TextEncoder().encode(SMALL);
  checkSmall(await loadWordVectors(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength)));
  let i = 0;
  const trickle = new ReadableStream<Uint8Array>({
    pull(c) {
      if (i < bytes.length) c.enqueue(bytes.subarray(i, ++i)); // multi-byte characters split across chunks
      else c.close();
    },
  });
  checkSmall(await loadWordVectors(trickle));
  checkSmall(await loadWordVectors(new Response(gzipSync(bytes))));
  checkSmall(await loadWordVectors(new Blob([bytes])));
  async function* strings() { yield SMALL.slice(0, 20); yield SMALL.slice(20); }
  checkSmall(await loadWordVectors(strings()));
  await rejectsTyped(() => loadWordVectors(new Response('nope', { status: 404, statusText: 'Not Found' }), { name: 'https://x/glove.txt' }), DataError, /https:\/\/x\/glove\.txt: HTTP 404 Not Found/);
});

test('invalid UTF-8 names the line (also across chunk boundaries); missing file; empty file', async () => {
  const bad = Buffer.concat([Buffer.from('a 1 2\nb 3 4\nc'), Buffer.from([0xff]), Buffer.from(' 5 6\n')]);
  await rejectsTyped(() => loadWordVectors(file('latin1.txt', bad)), DataError, /latin1\.txt:3: invalid UTF-8/);
  async function* split() { yield bad.subarray(0, 4); yield bad.subarray(4, 13); yield bad.subarray(13); }
  await rejectsTyped(() => loadWordVectors(split(), { name: 'chunks' }), DataError, /chunks:3: invalid UTF-8/);
  await rejectsTyped(() => readText(file('latin1b.txt', bad)), DataError, /latin1b\.txt:3: invalid UTF-8/);
  await rejectsTyped(() => loadWordVectors(join(dir, 'nope.txt')), DataError, /nope\.txt: file not found/);
  await rejectsTyped(() => loadWordVectors(dir), DataError, /is a directory/);
  await rejectsTyped(() => loadWordVectors(file('empty.txt', '')), DataError, /empty\.txt: no word vectors found/);
});

test('embeddingMatrix: rows by tokenizer index, row 0 and missing words zero, coverage numbers', async () => {
  const t = new Tokenizer({ oovToken: '<unk>' }).fitOnTexts(['the cat sat', 'the dog']);
  // index: <unk> 1, the 2, cat 3, sat 4, dog 5; counts the 2, cat 1, sat 1, dog 1
  const v = parseWordVectors('the 1 2 3\ncat 4 5 6\nDog 7 8 9\nzebra 0 0 1\n');
  const { matrix, shape, coverage } = embeddingMatrix(t, v);
  assert.equal(shape, [6, 3]);
  assert.equal([...matrix], [0, 0, 0, 0, 0, 0, 1, 2, 3, 4, 5, 6, 0, 0, 0, 0, 0, 0]);
  assert.equal(coverage, {
    typesFound: 2, typesTotal: 4, typeShare: 0.5, tokensFound: 3, tokensTotal: 5, tokenShare: 0.6,
    missing: [{ word: 'sat', index: 4, count: 1 }, { word: 'dog', index: 5, count: 1 }],
  });
  assert.is(formatCoverage(coverage), '2 of 4 word types (50.0%), 60.0% of tokens have pretrained vectors; most frequent missing: sat (1), dog (1)');
  // numWords caps the rows (Keras semantics: indices < numWords)
  const capped = embeddingMatrix(t, v, { numWords: 4 });
  assert.equal(capped.shape, [4, 3]);
  assert.equal([capped.coverage.typesFound, capped.coverage.typesTotal, capped.coverage.tokenShare], [2, 2, 1]);
});

test('embeddingMatrix oov "random": seeded, only missing rows (and oov) filled, row 0 stays zero', () => {
  const t = new Tokenizer({ oovToken: '<unk>' }).fitOnTexts(['the cat sat', 'the dog']);
  const v = parseWordVectors('the 1 2 3\ncat 4 5 6\n');
  const a = embeddingMatrix(t, v, { oov: 'random', seed: 1 }).matrix;
  const b = embeddingMatrix(t, v, { oov: 'random', seed: 1 }).matrix;
  const c = embeddingMatrix(t, v, { oov: 'random', seed: 2 }).matrix;
  assert.equal([...a], [...b]);
  assert.not.equal([...a], [...c]);
  assert.equal([...a.subarray(0, 3)], [0, 0, 0]);
  assert.equal([...a.subarray(6, 12)], [1, 2, 3, 4, 5, 6]);
  for (const row of [1, 4, 5]) assert.ok(a.subarray(row * 3, row * 3 + 3).some((x) => x !== 0), `row ${row} random`);
  const zeroScale = embeddingMatrix(t, v, { oov: 'random', scale: 0 }).matrix;
  assert.equal([...zeroScale.subarray(12)], [0, 0, 0, 0, 0, 0]);
  throwsTyped(() => embeddingMatrix(t, v, { oov: 'mean' as 'zeros' }), DataError, /oov must be "zeros" or "random"/);
  throwsTyped(() => embeddingMatrix({} as Tokenizer, v), DataError, /wordIndex and wordCounts/);
});

test.run();
