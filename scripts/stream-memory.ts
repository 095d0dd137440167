// Streams a generated labelled CSV file several times larger than the JS heap limit through TextFileDataset
// (and, with --train, through fit() on a small GRU), in a child process started with --max-old-space-size, and
// prints the heap and RSS it measured every few hundred batches. Memory must stay flat: the run fails (exit 1)
// if the heap ever exceeds the limit (the child would die) or the last quarter's peak heap exceeds the first
// quarter's by more than 50%.
//   tsx scripts/stream-memory.ts [--mb 300] [--heap 48] [--train]
// The file (3 labels, ~180-byte texts over a 2,000-word vocabulary) is written to the OS temp dir and removed.
import { spawnSync } from 'node:child_process';
import { createWriteStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const arg = (name: string, fallback: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
};

/** Writes `mb` megabytes of `label,text` rows; the label is decided by which of three word groups dominates. */
export async function writeLargeCsv(path: string, mb: number, seed = 1): Promise<{ rows: number; bytes: number }> {
  let s = seed >>> 0 || 1;
  const rnd = () => { s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0; return s / 4294967296; };
  const vocab = Array.from({ length: 2000 }, (_, i) => `w${i.toString(36)}`);
  const out = createWriteStream(path);
  const write = (chunk: string) => new Promise<void>((resolve) => { if (out.write(chunk)) resolve(); else out.once('drain', resolve); });
  await write('label,text\n');
  let bytes = 11, rows = 0;
  const target = mb * 1024 * 1024;
  while (bytes < target) {
    let block = '';
    for (let r = 0; r < 2000; r++) {
      const label = Math.floor(rnd() * 3);
      const words: string[] = [];
      for (let w = 0; w < 36; w++) words.push(w < 4 ? vocab[label * 10 + Math.floor(rnd() * 10)] : vocab[30 + Math.floor(rnd() * 1970)]);
      const line = `${['red', 'green', 'blue'][label]},${words.join(' ')}\n`;
      block += line;
      rows++;
    }
    bytes += block.length;
    await write(block);
  }
  await new Promise<void>((resolve) => out.end(resolve));
  return { rows, bytes };
}

async function child(file: string, train: boolean): Promise<void> {
  const { TextFileDataset } = await import('../src/data/stream-dataset.js');
  const samples: Array<{ batch: number; heapMB: number; rssMB: number }> = [];
  const sample = (batch: number) => {
    const m = process.memoryUsage();
    samples.push({ batch, heapMB: m.heapUsed / 2 ** 20, rssMB: m.rss / 2 ** 20 });
  };
  const t0 = performance.now();
  const ds = await TextFileDataset.scan(file, { maxlen: 12, batchSize: 256, shuffleBuffer: 4096, validation: 0, seed: 1 });
  const scanSeconds = (performance.now() - t0) / 1000;
  sample(0);
  let batches = 0, rows = 0;
  const t1 = performance.now();
  let accuracy: number | null = null;
  if (train) {
    const { buildTextModel } = await import('../src/tasks/text-models.js');
    const model = buildTextModel({ kind: 'gru', vocabularySize: ds.tokenizer.vocabularySize, embeddingDim: 8, units: 8, dropout: 0, classes: ds.labels.size, seed: 1 });
    model.compile({ optimizer: { className: 'adam', config: { learningRate: 0.01 } }, loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
    const h = await model.fit(ds as never, undefined as never, {
      epochs: 1, callbacks: [{ onBatchEnd: (b: number) => { batches = b + 1; rows += 256; if (b % 200 === 0) sample(b); } }],
    } as never);
    accuracy = (h.history.accuracy ?? [NaN])[0];
  } else {
    for await (const b of ds) {
      batches++;
      rows += b.x.shape[0];
      if (batches % 200 === 0) sample(batches);
    }
  }
  sample(batches);
  process.stdout.write(JSON.stringify({ records: ds.stats.records, rows, batches, scanSeconds, passSeconds: (performance.now() - t1) / 1000, accuracy, samples }) + '\n');
}

async function main(): Promise<void> {
  if (process.argv[2] === '--child') return child(process.argv[3], process.argv[4] === 'train');
  const mb = arg('mb', 300), heap = arg('heap', 48), train = process.argv.includes('--train');
  const dir = mkdtempSync(join(tmpdir(), 'fused-rnn-big-'));
  const file = join(dir, 'big.csv');
  try {
    const t0 = performance.now();
    const { rows } = await writeLargeCsv(file, mb);
    const size = statSync(file).size;
    console.log(`wrote ${(size / 2 ** 20).toFixed(0)} MB, ${rows} rows in ${((performance.now() - t0) / 1000).toFixed(1)} s; child heap limit ${heap} MB (file = ${(size / 2 ** 20 / heap).toFixed(1)}× the heap)`);
    const self = fileURLToPath(import.meta.url);
    const r = spawnSync(process.execPath, [`--max-old-space-size=${heap}`, '--import', 'tsx', self, '--child', file, train ? 'train' : 'read'], { encoding: 'utf8', maxBuffer: 1 << 24 });
    if (r.status !== 0) {
      console.log(r.stdout, r.stderr.slice(-3000));
      console.log(`FAILED: the child exited with ${r.status} (${r.signal ?? ''})`);
      process.exit(1);
    }
    const res = JSON.parse(r.stdout.trim().split('\n').pop()!);
    const s = res.samples as Array<{ batch: number; heapMB: number; rssMB: number }>;
    const q = Math.max(1, Math.floor(s.length / 4));
    const peak = (xs: typeof s, k: 'heapMB' | 'rssMB') => Math.max(...xs.map((x) => x[k]));
    const first = peak(s.slice(0, q), 'heapMB'), last = peak(s.slice(-q), 'heapMB');
    console.log(`records ${res.records}, batches ${res.batches}; scan ${res.scanSeconds.toFixed(1)} s, ${train ? 'training epoch' : 'read pass'} ${res.passSeconds.toFixed(1)} s${res.accuracy !== null ? `, accuracy ${res.accuracy.toFixed(4)}` : ''}`);
    console.log(`heap used (MB): first quarter peak ${first.toFixed(1)}, last quarter peak ${last.toFixed(1)}, overall peak ${peak(s, 'heapMB').toFixed(1)}; RSS peak ${peak(s, 'rssMB').toFixed(0)} MB`);
    console.log(s.filter((_, i) => i % Math.max(1, Math.floor(s.length / 8)) === 0).map((x) => `  batch ${x.batch}: heap ${x.heapMB.toFixed(1)} MB, rss ${x.rssMB.toFixed(0)} MB`).join('\n'));
    if (last > first * 1.5) { console.log('FAILED: heap grew'); process.exit(1); }
    console.log('ok: memory flat');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await main();
