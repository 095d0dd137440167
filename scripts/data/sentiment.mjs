// Rebuilds data/sentiment.tsv: the UCI "Sentiment Labelled Sentences" (Kotzias et al., KDD 2015) from the
// copies in npm sentiment@5.0.2 (test/fixtures/{amazon,imdb,yelp}.json). One line per sentence:
// source<TAB>label<TAB>text, label 1 = positive; whitespace runs collapsed to one space; each fixture's trailing
// empty record ({"text": "", "class": null}) dropped. Usage: node scripts/data/sentiment.mjs [package dir]
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DATA, expectSha256, npmPackage, writeFile } from './common.mjs';

export const SENTIMENT_SHA256 = 'abdc37cc7814353609f38de4b9fb0af78672567c502bd33f0b97d8d41fc06f7c';

const pkg = process.argv[2] ?? npmPackage('sentiment@5.0.2');
const lines = [];
for (const source of ['amazon', 'imdb', 'yelp']) {
  const rows = JSON.parse(readFileSync(join(pkg, 'test', 'fixtures', `${source}.json`), 'utf8'));
  const counts = { 0: 0, 1: 0, dropped: 0 };
  for (const r of rows) {
    const text = typeof r.text === 'string' ? r.text.replace(/\s+/g, ' ').trim() : '';
    if (!text || (r.class !== 0 && r.class !== 1)) { counts.dropped++; continue; }
    counts[r.class]++;
    lines.push(`${source}\t${r.class}\t${text}`);
  }
  console.log(source, counts);
}
const bytes = Buffer.from(lines.join('\n') + '\n', 'utf8');
expectSha256('sentiment.tsv', bytes, SENTIMENT_SHA256);
writeFile(join(DATA, 'sentiment.tsv'), bytes);
