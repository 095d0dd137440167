// Multi-label text data for trainTextClassifier: texts with (N, K) 0/1 targets (MultiLabelBinarizer) are
// tokenized, padded and split as prepareText does (seeded; not stratified, a sample has several labels), and
// the split is checked: a label that is positive in validation or test samples but never in the training
// split cannot be learnt, so it is a DataError naming it (as a class seen only in validation is for one label).
import { DataError } from '../data/errors.js';
import { prepareText, type PreparedText, type PrepareOptions } from './text-classification.js';

/** prepareText's options, with the test set's targets instead of its class ids. */
export interface PrepareMultiLabelOptions extends Omit<PrepareOptions, 'testLabels'> {
  /** (testTexts.length, K) 0/1 targets of a fixed test set. */
  testTargets?: Float32Array;
  /** Label names for errors (column order). */
  classes?: ReadonlyArray<string | number>;
}

function checkTargets(t: Float32Array, n: number, K: number, what: string): void {
  if (!(t instanceof Float32Array)) throw new DataError(`prepareMultiLabelText: ${what} targets must be a Float32Array of (N, K) zeros and ones`);
  if (t.length !== n * K) throw new DataError(`prepareMultiLabelText: ${n} ${what} texts and K = ${K} labels need ${n * K} targets, got ${t.length}`);
  for (let i = 0; i < t.length; i++) {
    if (t[i] !== 0 && t[i] !== 1) throw new DataError(`prepareMultiLabelText: ${what} target [${Math.floor(i / K)}][${i % K}] = ${t[i]} must be 0 or 1`);
  }
}

/**
 * Tokenizes (fit on the training split only), pads and splits texts with multi-label targets: `targets`
 * (N, K) row-major 0/1, K >= 2 (see MultiLabelBinarizer). The result trains K sigmoid outputs with binary
 * cross-entropy in trainTextClassifier.
 */
export function prepareMultiLabelText(texts: readonly string[], targets: Float32Array, K: number, o: PrepareMultiLabelOptions = {}): PreparedText {
  if (!Number.isInteger(K) || K < 2) throw new DataError(`prepareMultiLabelText: K must be an integer >= 2 (labels), got ${K}`);
  checkTargets(targets, texts.length, K, 'training');
  const testN = o.testTexts?.length ?? 0;
  if (o.testTexts) checkTargets(o.testTargets ?? new Float32Array(0), testN, K, 'test');
  const { testTargets, classes, ...rest } = o;
  const p = prepareText(texts, new Int32Array(texts.length), { ...rest, testLabels: o.testTexts ? new Int32Array(testN) : undefined });
  const all = testTargets && o.testTexts ? Float32Array.from([...targets, ...testTargets]) : targets;
  const seen = new Uint8Array(K);
  for (const i of p.train) for (let k = 0; k < K; k++) if (all[i * K + k]) seen[k] = 1;
  for (const part of ['validation', 'test'] as const) {
    for (const i of p[part]) {
      for (let k = 0; k < K; k++) {
        if (all[i * K + k] && !seen[k]) throw new DataError(`prepareMultiLabelText: label ${JSON.stringify(classes?.[k] ?? k)} occurs in the ${part} data but in no sample of the training split`);
      }
    }
  }
  return { ...p, labels: new Int32Array(p.labels.length), numClasses: K, targets: all };
}
