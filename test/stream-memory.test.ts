// Data larger than memory, as a test: a generated CSV file three times larger than a deliberately small JS heap
// (child process with --max-old-space-size=40) is scanned and read for one epoch through TextFileDataset
// (test/helpers/stream-memory-child.mjs). It must complete (holding the file, or the records, would exceed the
// heap and kill the child), and the memory after GC (JS heap + ArrayBuffers) must not grow as the file is read: the last quarter's peak may
// exceed the first quarter's by less than 3 MB (on a quiet machine V8 adds 0.8–1.7 MB over the run whatever
// the file size; a child that keeps its batches grows by 4.1 MB on 54 MB and more on this 120 MB file). The training variant, fit() over a 100 MB file, is measured by
// scripts/stream-memory.ts --train (README).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeLargeCsv } from '../scripts/stream-memory.js';
import { runNode } from './helpers/child.js';

const ROOT = resolve(fileURLToPath(new URL('..', import.meta.url)));
const LIB = join(ROOT, 'dist/node/index.js');
const CHILD = join(ROOT, 'test/helpers/stream-memory-child.mjs');
const HEAP_MB = 40; // 18 and 24 ran out of memory on quiet CI machines (Node 24 peaks at ~23 MB live while scanning)

// test/helpers/child.ts: a child that hung in Node's shutdown (nodejs/node#54918) after its report is run once
// more (the marker preload it gets is a few KB, the same in every sample)
async function read(file: string) {
  const r = await runNode([`--max-old-space-size=${HEAP_MB}`, '--expose-gc', CHILD, LIB, file], { timeoutMs: 300_000 });
  assert.is(r.status, 0, `child on ${file} exited with ${r.status} ${r.signal ?? ''}: ${r.stderr.slice(-1500)}`);
  return JSON.parse(r.stdout.trim().split('\n').pop()!) as { records: number; rows: number; batches: number; classes: number; afterScanMB: number; heapMB: number[] };
}

test(`a CSV file 3× the ${HEAP_MB} MB heap limit streams through TextFileDataset with flat memory`, async () => {
  assert.ok(existsSync(LIB), `${LIB} is missing: run npm run build first`);
  const dir = mkdtempSync(join(tmpdir(), 'fused-rnn-stream-memory-'));
  try {
    const big = join(dir, 'big.csv');
    const b = await writeLargeCsv(big, 3 * HEAP_MB, 2);
    const mb = statSync(big).size / 2 ** 20;
    assert.ok(mb >= 3 * HEAP_MB, 'the file is at least 3× the heap limit');
    const r = await read(big);
    assert.is(r.records, b.rows, 'every record was scanned');
    assert.is(r.rows, b.rows, 'one epoch served every record once');
    assert.is(r.classes, 3);
    const h = r.heapMB, q = Math.floor(h.length / 4);
    assert.ok(q >= 15, `sampled ${h.length} times`);
    const first = Math.max(...h.slice(0, q)), last = Math.max(...h.slice(-q));
    const msg = `heap + ArrayBuffers after GC over ${mb.toFixed(0)} MB (${r.records} records, ${r.batches} batches): first quarter peak ${first.toFixed(2)} MB, last quarter peak ${last.toFixed(2)} MB, overall ${Math.max(...h).toFixed(2)} MB; heap limit ${HEAP_MB} MB`;
    assert.ok(last - first < 3, msg);
    console.log(msg);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
