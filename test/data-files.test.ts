// The committed data files: sha256 of every file in data/ (and of the decompressed text of the .gz files)
// against the values below (= data/NOTICE.md), then the loaders: 3,000 sentences 1,500/1,500, the novel, the
// GloVe subset, its coverage of the sentiment vocabulary; loaders fed browser-style (bytes) and bad input.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { loadPrideAndPrejudice, loadSentiment, loadSentimentGlove, parseSentimentTsv } from '../src/data/datasets.js';
import { DataError } from '../src/data/errors.js';
import { Tokenizer } from '../src/data/tokenizer.js';
import { embeddingMatrix } from '../src/data/word-vectors.js';
import { rejectsTyped, throwsTyped } from './helpers/assert-throws.js';

const DATA = fileURLToPath(new URL('../data/', import.meta.url));
const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

const FILES: Record<string, { sha256: string; bytes: number; text?: { sha256: string; bytes: number } }> = {
  'sentiment.tsv': { sha256: 'abdc37cc7814353609f38de4b9fb0af78672567c502bd33f0b97d8d41fc06f7c', bytes: 219831 },
  'prideprejudice.txt.gz': {
    sha256: '9293078f9fdf2bb982632487b98a571347e3b05a041b61a607b551453efb475d', bytes: 247856,
    text: { sha256: 'dfc684d4f857fa938268f9ab9c5567b64bd0691251eca959644adeabe6287a4d', bytes: 684768 },
  },
  'glove.sentiment.100d.txt.gz': {
    sha256: 'd38845ea8bd0f86690a6435f07642dd278afe74805a52d59ce0f6592b74b7867', bytes: 1261178,
    text: { sha256: 'abb9d8ad1e2208c95280409e16a9076bd140dce79dba919e2b99ca6f978ecca3', bytes: 3628737 },
  },
};

test('every committed data file has the recorded sha256 and size (and nothing unlisted is there)', () => {
  const present = readdirSync(DATA).filter((f) => f !== 'NOTICE.md').sort();
  assert.equal(present, Object.keys(FILES).sort());
  for (const [name, want] of Object.entries(FILES)) {
    const bytes = readFileSync(DATA + name);
    assert.is(bytes.length, want.bytes, `${name} size`);
    assert.is(sha256(bytes), want.sha256, `${name} sha256`);
    assert.ok(bytes.length < 2 * 1024 * 1024, `${name} under 2 MB`);
    if (want.text) {
      const text = gunzipSync(bytes);
      assert.is(text.length, want.text.bytes, `${name} decompressed size`);
      assert.is(sha256(text), want.text.sha256, `${name} decompressed sha256`);
    }
  }
  const notice = readFileSync(DATA + 'NOTICE.md', 'utf8');
  for (const want of Object.values(FILES)) assert.ok(notice.includes(want.sha256), `NOTICE.md lists ${want.sha256}`);
});

test('sentiment: 3,000 sentences, 1,500 positive / 1,500 negative, 1,000 per source', async () => {
  const d = await loadSentiment();
  assert.is(d.texts.length, 3000);
  assert.ok(d.labels instanceof Int32Array);
  assert.is(d.labels.reduce((a, b) => a + b, 0), 1500);
  for (const source of ['amazon', 'imdb', 'yelp'] as const) {
    const rows = d.sources.flatMap((s, i) => (s === source ? [i] : []));
    assert.is(rows.length, 1000, source);
    assert.is(rows.filter((i) => d.labels[i] === 1).length, 500, `${source} positives`);
  }
  assert.is(d.texts[0], 'So there is no way for me to plug it in here in the US unless I go by a converter.');
  assert.is(d.labels[0], 0);
  assert.ok(d.texts.every((t) => t.length > 0 && !t.includes('\t')));
  assert.is(d.texts.filter((t) => /[^\x00-\x7f]/.test(t)).length, 17); // DATA.md: 17 non-ASCII sentences
});

test('sentiment from bytes (browser-style) and bad TSV lines', async () => {
  const bytes = readFileSync(DATA + 'sentiment.tsv');
  const d = await loadSentiment({ source: new Uint8Array(bytes) });
  assert.is(d.texts.length, 3000);
  throwsTyped(() => parseSentimentTsv('imdb\t1\tgood\nyelp\t2\tbad\n', 'mine.tsv'), DataError, /^mine\.tsv:2: label must be 0 or 1, got "2"$/);
  throwsTyped(() => parseSentimentTsv('imdb\t1\n', 'mine.tsv'), DataError, /mine\.tsv:1: expected source<TAB>label<TAB>text/);
  throwsTyped(() => parseSentimentTsv('', 'mine.tsv'), DataError, /mine\.tsv: no sentences/);
  await rejectsTyped(() => loadSentiment({ source: '/nonexistent/sentiment.tsv' }), DataError, /\/nonexistent\/sentiment\.tsv: file not found/);
});

test('Pride and Prejudice: 684,768 characters, 75 distinct, starts with the title', async () => {
  const text = await loadPrideAndPrejudice();
  assert.is(text.length, 684768);
  assert.is(new Set(text).size, 75);
  assert.ok(text.startsWith('PRIDE AND PREJUDICE\n\nBy Jane Austen\n'));
  assert.ok(text.includes('It is a truth universally acknowledged, that a single man in possession\nof a good fortune, must be in want of a wife.'));
});

test('GloVe subset: 4,860 words × 100, "the" = GloVe values to 4 decimals; coverage of the sentiment vocabulary', async () => {
  const g = await loadSentimentGlove();
  assert.is(g.size, 4860);
  assert.is(g.dim, 100);
  assert.is(g.stats.duplicates, 0);
  assert.equal([...g.get('the')!.subarray(0, 3)], [Math.fround(-0.0382), Math.fround(-0.2449), Math.fround(0.7281)]); // GloVe: -0.038194 -0.24487 0.72812
  const tok = new Tokenizer().fitOnTexts((await loadSentiment()).texts);
  assert.is(tok.wordIndex.size, 5271);
  const { shape, coverage } = embeddingMatrix(tok, g);
  assert.equal(shape, [5272, 100]);
  assert.equal([coverage.typesFound, coverage.typesTotal, coverage.tokensFound, coverage.tokensTotal], [4860, 5271, 32690, 35677]);
  // the wink source drops one-letter words and words with an apostrophe: an oov policy is needed
  assert.equal(coverage.missing.slice(0, 4).map((m) => m.word), ['i', 'a', "it's", "don't"]);
  const filtered = await loadSentimentGlove({ vocabulary: new Set(['the', 'good', 'zzz']) });
  assert.equal(filtered.words, ['the', 'good']);
});

test.run();
