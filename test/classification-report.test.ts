// Multi-class labels and evaluation: LabelEncoder's sorted mapping (numbers, numeric strings, strings), its
// errors (K = 1, a label seen only in evaluation data), and the confusion matrix / per-class precision, recall,
// F1 and their averages on a known prediction, worked out by hand (and matching scikit-learn's definitions).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { argmaxRows, classificationReport, confusionMatrix, formatClassificationReport } from '../src/classification-report.js';
import { DataError } from '../src/data/errors.js';
import { LabelEncoder } from '../src/data/labels.js';
import { DataValueError } from '../src/errors.js';
import { throwsTyped } from './helpers/assert-throws.js';

test('LabelEncoder: numeric labels sort by value, strings by code units; ids follow that order', () => {
  const stars = LabelEncoder.fit(['5', '1', '10', '2', '1', '3', '4']);
  assert.equal(stars.classes, ['1', '2', '3', '4', '5', '10']); // numerically, not "1" < "10" < "2"
  assert.equal([...stars.encode(['10', '1', '3'])], [5, 0, 2]);
  assert.is(stars.idOf('3.0'), 2); // numeric strings compare by value
  const topics = LabelEncoder.fit(['sport', 'politics', 'tech', 'sport']);
  assert.equal(topics.classes, ['politics', 'sport', 'tech']);
  assert.is(topics.decode(2), 'tech');
  const numbers = LabelEncoder.fit([3, 1, 2, 3]);
  assert.equal(numbers.classes, [1, 2, 3]);
  const bools = LabelEncoder.fit([true, false, true]);
  assert.equal(bools.classes, ['false', 'true']); // binary keeps its meaning: id 1 = positive
  const back = LabelEncoder.fromJSON(JSON.parse(JSON.stringify(stars.toJSON())));
  assert.equal([...back.encode(['4', '10'])], [3, 5]);
});

test('LabelEncoder: K = 1, unknown labels, bad values → DataError naming the problem', () => {
  throwsTyped(() => LabelEncoder.fit(['a', 'a', 'a']), DataError, /at least 2 distinct labels, found 1 \("a"\)/);
  throwsTyped(() => LabelEncoder.fit([]), DataError, /found 0/);
  const enc = LabelEncoder.fit(['neg', 'pos']);
  throwsTyped(() => enc.encode(['pos', 'neutral'], { rowName: (i) => `line ${i + 2}` }), DataError, /line 3: label "neutral" is not one of the 2 classes .*"neg", "pos"/);
  throwsTyped(() => LabelEncoder.fit(['a', null]), DataError, /label 1: a label must be/);
  throwsTyped(() => LabelEncoder.fit([1, Number.NaN]), DataError, /NaN/);
  throwsTyped(() => LabelEncoder.fromClasses(['x', 'x']), DataError, /duplicate/);
  throwsTyped(() => enc.decode(2), DataError, /out of range/);
});

// A known prediction over 3 classes (10 samples):
//   true: 0 0 0 0 1 1 1 2 2 2
//   pred: 0 0 1 2 1 1 0 2 2 1
// confusion (rows true):  [2 1 1] [1 2 0] [0 1 2]
// class 0: P = 2/3, R = 2/4, F1 = 2·(2/3)(1/2)/(2/3+1/2) = 4/7
// class 1: P = 2/4, R = 2/3, F1 = 4/7        class 2: P = 2/3, R = 2/3, F1 = 2/3
// accuracy 6/10; macro P = (2/3+1/2+2/3)/3 = 11/18; weighted R = (4·1/2 + 3·2/3 + 3·2/3)/10 = 0.6
const yTrue = [0, 0, 0, 0, 1, 1, 1, 2, 2, 2];
const yPred = [0, 0, 1, 2, 1, 1, 0, 2, 2, 1];

test('confusion matrix and report on a known prediction (by hand)', () => {
  assert.equal(confusionMatrix(yTrue, yPred, 3), [[2, 1, 1], [1, 2, 0], [0, 1, 2]]);
  const r = classificationReport(yTrue, yPred, { classes: ['a', 'b', 'c'] });
  const near = (x: number, y: number, l: string) => assert.ok(Math.abs(x - y) < 1e-12, `${l}: ${x} vs ${y}`);
  near(r.perClass[0].precision, 2 / 3, 'P0'); near(r.perClass[0].recall, 0.5, 'R0'); near(r.perClass[0].f1, 4 / 7, 'F0');
  near(r.perClass[1].precision, 0.5, 'P1'); near(r.perClass[1].recall, 2 / 3, 'R1'); near(r.perClass[1].f1, 4 / 7, 'F1');
  near(r.perClass[2].f1, 2 / 3, 'F2');
  assert.equal(r.perClass.map((c) => c.support), [4, 3, 3]);
  near(r.accuracy, 0.6, 'accuracy');
  near(r.macro.precision, 11 / 18, 'macro P');
  near(r.macro.f1, (4 / 7 + 4 / 7 + 2 / 3) / 3, 'macro F1');
  near(r.weighted.recall, 0.6, 'weighted R (= accuracy)');
  near(r.weighted.f1, (4 * 4 / 7 + 3 * 4 / 7 + 3 * 2 / 3) / 10, 'weighted F1');
  const text = formatClassificationReport(r);
  assert.match(text, /confusion matrix/);
  assert.match(text, /\n {11}a {7}2 {7}1 {7}1/);
});

test('sample weights count as weights; a class never predicted has precision 0 (zero_division = 0)', () => {
  const w = [1, 1, 1, 1, 2, 2, 2, 0, 0, 0];
  const r = classificationReport(yTrue, yPred, { K: 3, sampleWeight: w });
  assert.equal(r.confusion, [[2, 1, 1], [2, 4, 0], [0, 0, 0]]);
  assert.is(r.support, 10);
  assert.is(r.accuracy, 0.6);
  assert.is(r.perClass[2].recall, 0);
  assert.is(r.perClass[2].precision, 0); // column 2 holds weight 1 (a class-0 sample), none of it correct
  const none = classificationReport([0, 1, 1], [1, 1, 1], { K: 2 });
  assert.is(none.perClass[0].precision, 0);
  assert.is(none.perClass[0].f1, 0);
});

test('argmaxRows: first maximum wins; one column thresholds at 0.5', () => {
  assert.equal([...argmaxRows([0.1, 0.7, 0.2, 0.4, 0.4, 0.2], 3)], [1, 0]);
  assert.equal([...argmaxRows([0.2, 0.5, 0.9], 1)], [0, 1, 1]);
  throwsTyped(() => argmaxRows([1, 2, 3], 2), DataValueError, /rows of K = 2/);
});

test('bad input to the report → DataValueError naming the index', () => {
  throwsTyped(() => confusionMatrix([0, 3], [0, 1], 3), DataValueError, /yTrue\[1\] = 3/);
  throwsTyped(() => confusionMatrix([0, 1], [0], 2), DataValueError, /2 true labels but 1 predictions/);
  throwsTyped(() => confusionMatrix([0, 1], [0, 1], 2, [1, -1]), DataValueError, /sampleWeight\[1\] = -1/);
  throwsTyped(() => confusionMatrix([0], [0], 1), DataValueError, /K must be/);
});

test.run();
