// Tokenizer vs Keras (keras.preprocessing.text.Tokenizer): expected values are worked out by hand from Keras'
// algorithm (lower → filters to split → split → drop empties; indices by descending count, ties by first
// occurrence; oov at 1; numWords keeps indices < numWords); the JSON string is what Python's json.dumps writes
// for Keras' get_config (checked with CPython 3: ensure_ascii escapes, ", " and ": " separators).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { DataError } from '../src/data/errors.js';
import { KERAS_FILTERS, textToWordSequence, Tokenizer } from '../src/data/tokenizer.js';
import { throwsTyped } from './helpers/assert-throws.js';

const TEXTS = ['The cat sat on the mat.', 'The dog ate my homework!', 'a cat, a dog; THE end'];
const entries = <K, V>(m: ReadonlyMap<K, V>) => [...m];

test('word index: descending count, ties in first-occurrence order, 0 unused', () => {
  const t = new Tokenizer().fitOnTexts(TEXTS);
  // counts: the 4; cat, dog, a 2 (first seen in that order); the rest 1, in order of first occurrence
  assert.equal(entries(t.wordIndex), [
    ['the', 1], ['cat', 2], ['dog', 3], ['a', 4], ['sat', 5], ['on', 6], ['mat', 7], ['ate', 8], ['my', 9], ['homework', 10], ['end', 11],
  ]);
  assert.equal(t.wordCounts.get('the'), 4);
  assert.equal(entries(t.wordCounts).map(([w]) => w), ['the', 'cat', 'sat', 'on', 'mat', 'dog', 'ate', 'my', 'homework', 'a', 'end']);
  assert.equal(t.wordDocs.get('the'), 3);
  assert.equal(t.wordDocs.get('a'), 1);
  assert.equal(t.indexDocs.get(1), 3);
  assert.equal(t.indexWord.get(3), 'dog');
  assert.equal(t.documentCount, 3);
  assert.equal(t.vocabularySize, 12);
  assert.equal(t.textsToSequences(['The cat ate a fish', '']), [[1, 2, 8, 4], []]);
});

test('oovToken takes index 1; unknown words map to it', () => {
  const t = new Tokenizer({ oovToken: '<OOV>' }).fitOnTexts(TEXTS);
  assert.equal(t.wordIndex.get('<OOV>'), 1);
  assert.equal(t.wordIndex.get('the'), 2);
  assert.equal(t.wordIndex.get('end'), 12);
  assert.equal(t.textsToSequences(['the cat ate a fish']), [[2, 3, 9, 5, 1]]);
  assert.equal(t.vocabularySize, 13);
});

test('numWords keeps indices < numWords (word_index keeps all); with an oov token the rest become 1', () => {
  const plain = new Tokenizer({ numWords: 4 }).fitOnTexts(TEXTS);
  assert.equal(plain.wordIndex.size, 11);
  assert.equal(plain.textsToSequences(['the cat ate a dog']), [[1, 2, 3]]);
  assert.equal(plain.vocabularySize, 4);
  const oov = new Tokenizer({ numWords: 4, oovToken: '<OOV>' }).fitOnTexts(TEXTS);
  assert.equal(oov.textsToSequences(['the cat dog fish']), [[2, 3, 1, 1]]);
  assert.equal(oov.sequencesToTexts([[2, 3, 4, 7, 99]]), ['the cat <OOV> <OOV> <OOV>']);
});

test('Keras quirk kept: an oov token that is also a word gets the later index', () => {
  const t = new Tokenizer({ oovToken: 'x' }).fitOnTexts(['x y y']);
  assert.equal(entries(t.wordIndex), [['x', 3], ['y', 2]]);
  assert.equal(t.textsToSequences(['z y']), [[3, 2]]);
});

test('filters, split, lower (Keras text_to_word_sequence)', () => {
  assert.equal(KERAS_FILTERS, '!"#$%&()*+,-./:;<=>?@[\\]^_`{|}~\t\n');
  assert.equal(textToWordSequence("Don't STOP-me now!!\tok\nyes"), ["don't", 'stop', 'me', 'now', 'ok', 'yes']);
  assert.equal(textToWordSequence('x\ry  z'), ['x\ry', 'z']); // \r is not a Keras filter; empty pieces dropped
  assert.equal(textToWordSequence('a-b c', ''), ['a-b', 'c']);
  assert.equal(textToWordSequence('The the', KERAS_FILTERS, false), ['The', 'the']);
  assert.equal(textToWordSequence('a,b;c d', ';', true, ','), ['a', 'b', 'c d']);
  const t = new Tokenizer({ filters: '', split: '|', lower: false }).fitOnTexts(['A|b!|A', 'b!']);
  assert.equal(entries(t.wordIndex), [['A', 1], ['b!', 2]]);
});

test('non-ASCII: Unicode lowercasing, code-point filters, accented and CJK words', () => {
  assert.equal(textToWordSequence('Café CRÊPE naïve ΟΔΟΣ 日本語!'), ['café', 'crêpe', 'naïve', 'οδος', '日本語']);
  assert.equal(textToWordSequence('a😀b', '😀'), ['a', 'b']); // an astral filter character is one character
  assert.equal(textToWordSequence('İ'), ['i\u0307']); // as Python's str.lower()
  const t = new Tokenizer().fitOnTexts(['Ünïcödé ünïcödé wörds']);
  assert.equal(entries(t.wordIndex), [['ünïcödé', 1], ['wörds', 2]]);
});

test('charLevel: every code point is a token (filters not applied); sequencesToTexts joins with a space', () => {
  const t = new Tokenizer({ charLevel: true }).fitOnTexts(['hello', 'Help!']);
  // h e l l o h e l p !  → l 3, h 2, e 2, o 1, p 1, ! 1
  assert.equal(entries(t.wordIndex), [['l', 1], ['h', 2], ['e', 3], ['o', 4], ['p', 5], ['!', 6]]);
  assert.equal(t.textsToSequences(['hope?']), [[2, 4, 5, 3]]);
  assert.equal(t.sequencesToTexts([[2, 3, 1, 1, 4]]), ['h e l l o']);
  assert.equal(t.sequencesToTexts([[2, 3, 1, 1, 4]], ''), ['hello']);
  const emoji = new Tokenizer({ charLevel: true, lower: false }).fitOnTexts(['a😀 A']);
  assert.equal([...emoji.wordIndex.keys()], ['a', '😀', ' ', 'A']);
});

test('pre-tokenized texts (arrays) are used as is, lowercased', () => {
  const t = new Tokenizer().fitOnTexts([['New York', 'is'], ['new york']]);
  assert.equal(entries(t.wordIndex), [['new york', 1], ['is', 2]]);
  assert.equal(t.textsToSequences([['NEW YORK', 'x']]), [[1]]);
});

test('sequencesToTexts: unknown ids dropped or oov; padding 0 always dropped', () => {
  const t = new Tokenizer().fitOnTexts(TEXTS);
  assert.equal(t.sequencesToTexts([[0, 0, 1, 2, 99], []]), ['the cat', '']);
  const o = new Tokenizer({ oovToken: '<OOV>' }).fitOnTexts(TEXTS);
  assert.equal(o.sequencesToTexts([Int32Array.from([0, 2, 3, 99])]), ['the cat <OOV>']);
  const round = o.sequencesToTexts(o.textsToSequences(['The cat, the zebra.']));
  assert.equal(round, ['the cat the <OOV>']);
});

test('toJSONString is byte-identical to Keras to_json; fromJSON round trip', () => {
  const t = new Tokenizer({ oovToken: '<OOV>' }).fitOnTexts(['b a b', 'c']);
  const keras = '{"class_name": "Tokenizer", "config": {"num_words": null, "filters": "!\\"#$%&()*+,-./:;<=>?@[\\\\]^_`{|}~\\t\\n", ' +
    '"lower": true, "split": " ", "char_level": false, "oov_token": "<OOV>", "document_count": 2, ' +
    '"word_counts": "{\\"b\\": 2, \\"a\\": 1, \\"c\\": 1}", "word_docs": "{\\"b\\": 1, \\"a\\": 1, \\"c\\": 1}", ' +
    '"index_docs": "{\\"2\\": 1, \\"3\\": 1, \\"4\\": 1}", ' +
    '"index_word": "{\\"1\\": \\"<OOV>\\", \\"2\\": \\"b\\", \\"3\\": \\"a\\", \\"4\\": \\"c\\"}", ' +
    '"word_index": "{\\"<OOV>\\": 1, \\"b\\": 2, \\"a\\": 3, \\"c\\": 4}"}}';
  assert.is(t.toJSONString(), keras);
  for (const form of [keras, JSON.stringify(t), JSON.parse(keras)]) {
    const u = Tokenizer.fromJSON(form);
    assert.equal(entries(u.wordIndex), entries(t.wordIndex));
    assert.equal(entries(u.wordCounts), entries(t.wordCounts));
    assert.equal(entries(u.indexWord), entries(t.indexWord));
    assert.equal(entries(u.indexDocs), entries(t.indexDocs));
    assert.is(u.oovToken, '<OOV>');
    assert.is(u.documentCount, 2);
    assert.equal(u.textsToSequences(['c b z']), [[4, 2, 1]]);
    assert.is(u.toJSONString(), keras);
  }
});

test('JSON: ensure_ascii escapes, order of integer-like keys, "__proto__" and options survive', () => {
  const t = new Tokenizer({ numWords: 50, lower: false, split: '·', filters: '!', charLevel: false }).fitOnTexts(['café·1990·__proto__·constructor·café😀']);
  const s = t.toJSONString();
  assert.ok(s.includes('\\\\u00e9'), 'é escaped inside the nested word_counts string');
  assert.ok(s.includes('"split": "\\u00b7"'), 'non-ASCII option escaped');
  assert.ok(s.includes('\\\\ud83d\\\\ude00'), 'astral character as a surrogate pair');
  assert.ok(/^[\x20-\x7e]*$/.test(s), 'pure printable ASCII');
  const u = Tokenizer.fromJSON(s);
  assert.equal(entries(u.wordCounts), entries(t.wordCounts));
  assert.equal([...u.wordCounts.keys()], ['café', '1990', '__proto__', 'constructor', 'café😀']);
  assert.equal(u.wordIndex.get('__proto__'), 3);
  assert.is(u.numWords, 50);
  assert.is(u.split, '·');
  assert.is(u.filters, '!');
  assert.is(u.lower, false);
  // refitting a loaded tokenizer gives the same index as refitting the original (tie order preserved)
  assert.equal(entries(u.fitOnTexts(['x']).wordIndex), entries(t.fitOnTexts(['x']).wordIndex));
});

test('bad input: typed errors naming the problem', () => {
  throwsTyped(() => new Tokenizer().fitOnTexts('just one string'), DataError, /single string/);
  const t = new Tokenizer().fitOnTexts(['kept']);
  throwsTyped(() => t.fitOnTexts(['ok', 3 as unknown as string]), DataError, /texts\[1\] is number 3/);
  throwsTyped(() => t.fitOnTexts(['ok', ['fine', 7 as unknown as string]]), DataError, /token 1 is number 7/);
  assert.equal([...t.wordIndex], [['kept', 1]], 'a failed fit leaves the tokenizer unchanged');
  assert.is(t.documentCount, 1);
  throwsTyped(() => new Tokenizer().textsToSequences(null as unknown as string[]), DataError, /iterable/);
  throwsTyped(() => new Tokenizer({ numWords: 0 }), DataError, /numWords must be a positive integer/);
  throwsTyped(() => new Tokenizer({ numWords: 2.5 }), DataError, /numWords/);
  throwsTyped(() => new Tokenizer({ split: '' }), DataError, /split must be a non-empty string/);
  throwsTyped(() => new Tokenizer({ oovToken: '' }), DataError, /oovToken/);
  throwsTyped(() => new Tokenizer({ lower: 'yes' as unknown as boolean }), DataError, /lower/);
  throwsTyped(() => Tokenizer.fromJSON('{not json'), DataError, /not valid JSON/);
  throwsTyped(() => Tokenizer.fromJSON({ class_name: 'Sequential', config: {} }), DataError, /class_name/);
  throwsTyped(() => Tokenizer.fromJSON({ class_name: 'Tokenizer' }), DataError, /missing "config"/);
  throwsTyped(() => Tokenizer.fromJSON({ config: { word_index: '{"a": 1' } }), DataError, /word_index is not a flat JSON object/);
  throwsTyped(() => Tokenizer.fromJSON({ config: { word_counts: '{"a": -1}' } }), DataError, /word_counts\["a"\]/);
  throwsTyped(() => new Tokenizer().sequencesToTexts([5 as unknown as number[]]), DataError, /sequences\[0\]/);
});

test.run();
