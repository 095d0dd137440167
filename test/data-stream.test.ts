// Streaming data path: records of CSV (quoted fields across lines, chunk boundaries anywhere), TSV and JSONL
// with exact line numbers; the seeded shuffle buffer; TextFileDataset (scan → tokenizer and classes, padded
// batches, train/validation split, reshuffle per epoch); bad input → DataError naming file and line.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataError } from '../src/data/errors.js';
import { TextFileDataset } from '../src/data/stream-dataset.js';
import { streamRecords } from '../src/data/stream-records.js';
import { shuffleStream } from '../src/data/stream-shuffle.js';
import { rejectsTyped } from './helpers/assert-throws.js';

const dir = mkdtempSync(join(tmpdir(), 'fused-rnn-stream-'));
const enc = new TextEncoder();
const collect = async <T>(it: AsyncIterable<T>): Promise<T[]> => { const out: T[] = []; for await (const x of it) out.push(x); return out; };
/** The bytes of `text` in chunks of `n` bytes (boundaries inside lines, quotes and UTF-8 sequences). */
const chunked = (text: string, n: number): Uint8Array[] => { const b = enc.encode(text); const out = []; for (let i = 0; i < b.length; i += n) out.push(b.slice(i, i + n)); return out; };

const CSV = 'label,text\r\npos,"fine, really"\n\nneg,"two\nlines ""quoted"""\nneutral,plain é\n';

test('streamRecords CSV: quoted commas, quotes and newlines, CRLF, blank lines; same records for every chunk size', async () => {
  for (const n of [1, 2, 3, 7, 1000]) {
    const rows = await collect(streamRecords(chunked(CSV, n), { format: 'csv', name: 'mem.csv' }));
    assert.equal(rows.map((r) => r.fields), [
      { label: 'pos', text: 'fine, really' }, { label: 'neg', text: 'two\nlines "quoted"' }, { label: 'neutral', text: 'plain é' },
    ], `chunk ${n}`);
    assert.equal(rows.map((r) => r.line), [2, 4, 6], `lines, chunk ${n}`);
  }
  // small blocks: many csv-parse calls, same result
  const small = await collect(streamRecords(chunked(CSV, 5), { format: 'csv', blockBytes: 1 }));
  assert.is(small.length, 3);
});

test('streamRecords TSV and JSONL (format from the file name), gzip', async () => {
  const tsv = join(dir, 'a.tsv');
  writeFileSync(tsv, 'stars\ttext\n5\tgreat "movie\n\n1\tbad\n');
  assert.equal((await collect(streamRecords(tsv))).map((r) => [r.fields.stars, r.fields.text, r.line]), [['5', 'great "movie', 2], ['1', 'bad', 4]]);
  const jsonl = join(dir, 'a.jsonl');
  writeFileSync(jsonl, '{"label": 2, "text": "x"}\n\n{"label": "b", "text": "y"}');
  assert.equal((await collect(streamRecords(jsonl))).map((r) => [r.fields.label, r.line]), [[2, 1], ['b', 3]]);
  const { gzipSync } = await import('node:zlib');
  const gz = join(dir, 'a.csv.gz');
  writeFileSync(gz, gzipSync(CSV));
  assert.is((await collect(streamRecords(gz))).length, 3);
});

test('streamRecords: malformed input → DataError with file and line', async () => {
  await rejectsTyped(() => collect(streamRecords(chunked('a,b\n1,2\n3,4,5\n', 4), { format: 'csv', name: 'f.csv' })), DataError, /^f\.csv:3: .*expected 2 fields/);
  await rejectsTyped(() => collect(streamRecords(chunked('a,b\n1,"open\n', 4), { format: 'csv', name: 'f.csv' })), DataError, /^f\.csv:2: unterminated quoted field/);
  await rejectsTyped(() => collect(streamRecords(chunked('a\tb\n1\n', 4), { format: 'tsv', name: 'f.tsv' })), DataError, /^f\.tsv:2: expected 2 tab-separated fields/);
  await rejectsTyped(() => collect(streamRecords(chunked('{"a":1}\n{oops\n', 4), { format: 'jsonl', name: 'f.jsonl' })), DataError, /^f\.jsonl:2: invalid JSON/);
  await rejectsTyped(() => collect(streamRecords(chunked('[1]\n', 4), { format: 'jsonl', name: 'f.jsonl' })), DataError, /^f\.jsonl:1: each line must hold one JSON object/);
  await rejectsTyped(() => collect(streamRecords(new Uint8Array([0x61, 0x0a, 0xff, 0x0a]), { format: 'tsv', name: 'u.tsv' })), DataError, /^u\.tsv:2: invalid UTF-8/);
  await rejectsTyped(() => collect(streamRecords(new Uint8Array(0), { name: 'x.bin' })), DataError, /cannot tell the format/);
  await rejectsTyped(() => collect(streamRecords(join(dir, 'missing.csv'))), DataError, /file not found/);
});

test('shuffleStream: a permutation, reproducible per seed; buffer 1 keeps the order; small buffers shuffle locally', async () => {
  const items = Array.from({ length: 200 }, (_, i) => i);
  const a = await collect(shuffleStream(items, 50, 7)), b = await collect(shuffleStream(items, 50, 7)), c = await collect(shuffleStream(items, 50, 8));
  assert.equal(a, b);
  assert.not.equal(a, c);
  assert.equal([...a].sort((x, y) => x - y), items);
  assert.equal(await collect(shuffleStream(items, 1, 3)), items);
  // an item can leave at most ~size positions early: item i is emitted after at least i − 50 others
  a.forEach((v, pos) => assert.ok(pos >= v - 50, `item ${v} at ${pos}`));
  const full = await collect(shuffleStream(items, 1000, 1));
  assert.equal([...full].sort((x, y) => x - y), items);
});

test('TextFileDataset: scan fits tokenizer and classes; batches are padded ids with class ids; splits are disjoint', async () => {
  const file = join(dir, 'stars.csv');
  const lines = ['stars,text'];
  for (let i = 0; i < 103; i++) lines.push(`${(i % 5) + 1},"word${i % 5} filler number ${i}"`);
  writeFileSync(file, lines.join('\n'));
  const ds = await TextFileDataset.scan(file, { labelColumn: 'stars', batchSize: 8, shuffleBuffer: 16, seed: 1, validation: 0.1, maxlen: 6 });
  assert.equal(ds.labels.classes, ['1', '2', '3', '4', '5']);
  assert.is(ds.stats.records, 103);
  assert.is(ds.stats.validationRecords, 10); // every 10th record
  assert.equal(ds.stats.classCounts, [21, 21, 21, 20, 20]);
  const train = ds.split('train'), val = ds.split('validation');
  assert.is(train.steps, Math.ceil(93 / 8));
  const readAll = async (d: TextFileDataset) => {
    const ids: number[] = [];
    for await (const b of d) {
      assert.is(b.x.shape[1], 6);
      assert.is(b.x.data.length, b.x.shape[0] * 6);
      assert.is(b.y.data.length, b.x.shape[0]);
      assert.ok(b.x.shape[0] <= 8);
      for (let r = 0; r < b.x.shape[0]; r++) {
        const words = d.tokenizer.sequencesToTexts([b.x.data.subarray(r * 6, r * 6 + 6)])[0];
        const k = Number(/word(\d)/.exec(words)![1]);
        assert.is(b.y.data[r], k, 'label follows its text');
        // record numbers of validation rows were never seen by the tokenizer (fit on training rows only)
        const n = /number (\d+)/.exec(words);
        ids.push(n ? Number(n[1]) : -1);
      }
    }
    return ids;
  };
  const epoch0 = await readAll(train), epoch1 = await readAll(train), v = await readAll(val);
  assert.is(epoch0.length, 93);
  assert.equal([...epoch0].sort((a, b) => a - b), [...epoch1].sort((a, b) => a - b));
  assert.not.equal(epoch0, epoch1, 'reshuffled per epoch');
  assert.equal(v, new Array(10).fill(-1), 'validation numbers are out of the training vocabulary');
  assert.ok(epoch0.every((i) => i % 10 !== 9), 'every 10th record is held out');
});

test('TextFileDataset: bad input → DataError (K = 1, unknown label with given classes, negative weight, one-shot source)', async () => {
  const one = join(dir, 'one.csv');
  writeFileSync(one, 'label,text\na,x\na,y\n');
  await rejectsTyped(() => TextFileDataset.scan(one), DataError, /at least 2 distinct labels, found 1/);
  const lonely = join(dir, 'lonely.csv');
  writeFileSync(lonely, 'label,text\na,x\nb,y\nc,z\na,w\n');
  await rejectsTyped(() => TextFileDataset.scan(lonely, { validation: 1 / 3 }), DataError, /lonely\.csv:4: label "c" occurs only in validation records/);
  const three = join(dir, 'three.csv');
  writeFileSync(three, 'label,text,w\na,x,1\nb,y,2\nc,z,-1\n');
  await rejectsTyped(() => TextFileDataset.scan(three, { classes: ['a', 'b'] }), DataError, /label "c" is not one of the 2 given classes/);
  await rejectsTyped(() => TextFileDataset.scan(three, { weightColumn: 'w', validation: 0 }), DataError, /three\.csv:4: sample weight "-1" must be a finite number >= 0/);
  const weighted = join(dir, 'weighted.csv');
  writeFileSync(weighted, 'label,text,w\na,x,1\nb,y,2.5\n');
  const ds = await TextFileDataset.scan(weighted, { weightColumn: 'w', validation: 0, shuffleBuffer: 1 });
  assert.equal([...(await collect(ds))[0].sampleWeight!], [1, 2.5]);
  await rejectsTyped(() => TextFileDataset.scan(new ReadableStream()), DataError, /re-readable/);
  await rejectsTyped(() => TextFileDataset.scan(three, { textColumn: 'body' }), DataError, /three\.csv:2: no column "body"/);
});

test.after(() => rmSync(dir, { recursive: true, force: true }));
test.run();
