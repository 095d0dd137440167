// Child process of test/stream-memory.test.ts, started with a small --max-old-space-size and --expose-gc:
// scans a CSV file with TextFileDataset (tokenizer and classes in one streamed pass), then reads one epoch of
// padded batches through its seeded shuffle buffer (what fit(dataset) consumes), and prints the memory in use
// after a full GC, sampled every 10 batches: JS heap plus ArrayBuffers (typed arrays of batches live outside the
// heap). CSV parsed in 128 KB blocks. Plain JS on the built library (dist/node), so no loader sits in
// the heap being measured.
//   node --max-old-space-size=18 --expose-gc stream-memory-child.mjs <dist/node/index.js> <file.csv>
const [lib, file] = process.argv.slice(2);
const { TextFileDataset } = await import(lib);
const heapMB = [];
const sample = () => {
  globalThis.gc();
  const m = process.memoryUsage();
  heapMB.push((m.heapUsed + m.arrayBuffers) / 2 ** 20);
};
const ds = await TextFileDataset.scan(file, { maxlen: 8, batchSize: 512, shuffleBuffer: 2048, validation: 0, seed: 1, blockBytes: 1 << 17 });
const afterScanMB = process.memoryUsage().heapUsed / 2 ** 20;
let batches = 0, rows = 0;
for await (const b of ds) {
  batches++;
  rows += b.x.shape[0];
  if (batches % 10 === 0) sample();
}
sample();
process.stdout.write(JSON.stringify({ records: ds.stats.records, rows, batches, classes: ds.labels.size, afterScanMB, heapMB }) + '\n');
