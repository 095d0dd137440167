// Accuracy of int8 weights (issue 20): the main job's sentiment models (`npm start`: SimpleRNN, LSTM, GRU,
// LSTM + GloVe, trained as `fused-rnn compare` trains them) and the character LM (`fused-rnn lm train`
// defaults, time-limited), each saved as float32 and as int8 and run through fused-rnn/infer. Prints the
// test accuracy change, the max probability difference and the held-out bits per character, and writes
// bench/results/infer-accuracy-<date>.json. Run: npm run bench:infer-accuracy [-- --lm-seconds 240]
import { mkdirSync, writeFileSync } from 'node:fs';
import { loadKernels, saveModelToBytes } from '../src/index.js';
import { loadPrideAndPrejudice, loadSentiment, loadSentimentGlove } from '../src/data/datasets.js';
import { prepareText, trainTextClassifier } from '../src/tasks/text-classification.js';
import { charWindows, trainCharLm } from '../src/tasks/char-lm.js';
import type { TextModelKind } from '../src/tasks/text-models.js';
import { loadInferenceModel, loadInferKernels } from '../src/infer/index.js';

const arg = (name: string, dflt: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
};
const lmSeconds = arg('lm-seconds', 240);
const kernels = await loadKernels();
const ik = await loadInferKernels();
const report: Record<string, unknown> = { date: new Date().toISOString(), node: process.version };

// ---- main job
const data = await loadSentiment();
const prepared = prepareText(data.texts, data.labels, { seed: 0 });
const glove = await loadSentimentGlove();
const T = prepared.maxlen;
const test = { data: new Int32Array(prepared.test.length * T), shape: [prepared.test.length, T] };
prepared.test.forEach((r, i) => test.data.set(prepared.x.subarray(r * T, (r + 1) * T), i * T));
const labels = Array.from(prepared.test, (r) => prepared.labels[r]);
const rows: Array<Record<string, unknown>> = [];
const runs: Array<{ label: string; kind: TextModelKind; glove: boolean }> = [
  { label: 'SimpleRNN', kind: 'simple', glove: false }, { label: 'LSTM', kind: 'lstm', glove: false },
  { label: 'GRU', kind: 'gru', glove: false }, { label: 'LSTM + GloVe', kind: 'lstm', glove: true },
];
const accuracy = (p: Float32Array) => p.reduce((a, v, i) => a + ((v >= 0.5 ? 1 : 0) === labels[i] ? 1 : 0), 0) / labels.length;
for (const run of runs) {
  const r = await trainTextClassifier(prepared, { kind: run.kind, vectors: run.glove ? glove : null, units: 64, dropout: 0.2, epochs: 8, batchSize: 32, learningRate: 0.005, optimizer: 'adam', seed: 0, kernels });
  const f32Bytes = saveModelToBytes(r.model), q8Bytes = saveModelToBytes(r.model, { weights: 'int8' }), f16Bytes = saveModelToBytes(r.model, { weights: 'float16' });
  const pf = (await (await loadInferenceModel(f32Bytes, { kernels: ik })).predict(test, { batchSize: 64 })).data;
  const pq = (await (await loadInferenceModel(q8Bytes, { kernels: ik })).predict(test, { batchSize: 64 })).data;
  let maxDiff = 0;
  for (let i = 0; i < pf.length; i++) maxDiff = Math.max(maxDiff, Math.abs(pf[i] - pq[i]));
  const row = {
    model: run.label, testAccuracyF32: accuracy(pf), testAccuracyInt8: accuracy(pq), changePoints: 100 * (accuracy(pq) - accuracy(pf)),
    maxProbabilityDifference: maxDiff, bytesF32: f32Bytes.length, bytesInt8: q8Bytes.length, bytesF16: f16Bytes.length, testSamples: labels.length,
  };
  rows.push(row);
  console.log(`${run.label.padEnd(13)} test accuracy f32 ${row.testAccuracyF32.toFixed(4)} int8 ${row.testAccuracyInt8.toFixed(4)} (${row.changePoints >= 0 ? '+' : ''}${row.changePoints.toFixed(2)} pp), ` +
    `max |Δp| ${maxDiff.toExponential(2)}; file ${f32Bytes.length} → int8 ${q8Bytes.length} (${(f32Bytes.length / q8Bytes.length).toFixed(2)}×), f16 ${f16Bytes.length} (${(f32Bytes.length / f16Bytes.length).toFixed(2)}×)`);
}
report.mainJob = { testSamples: labels.length, T, models: rows };

// ---- character LM (lm train defaults: LSTM(128), window 64, first 200k characters), time-limited
const text = await loadPrideAndPrejudice();
const lm = await trainCharLm(text, { cell: 'lstm', units: 128, window: 64, maxChars: 200000, epochs: 3, batchSize: 32, learningRate: 0.005, seed: 0, kernels, timeLimitSeconds: lmSeconds });
const held = lm.tokenizer.textsToSequences([text.slice(Math.floor(text.length * 0.9))])[0];
const { x, y } = charWindows(held, 64);
const lmF32 = saveModelToBytes(lm.model), lmQ8 = saveModelToBytes(lm.model, { weights: 'int8' });
const V = lm.tokenizer.vocabularySize;
const score = async (bytes: Uint8Array) => {
  const p = (await (await loadInferenceModel(bytes, { kernels: ik })).predict(x, { batchSize: 64 })).data;
  let bits = 0;
  for (let i = 0; i < y.data.length; i++) bits -= Math.log2(Math.max(p[i * V + y.data[i]], 1e-30));
  return { p, bitsPerChar: bits / y.data.length };
};
const a = await score(lmF32), b = await score(lmQ8);
let maxDiff = 0, agree = 0;
for (let i = 0; i < a.p.length; i++) maxDiff = Math.max(maxDiff, Math.abs(a.p[i] - b.p[i]));
for (let i = 0; i < y.data.length; i++) {
  const arg = (p: Float32Array) => { let best = 0; for (let c = 1; c < V; c++) if (p[i * V + c] > p[i * V + best]) best = c; return best; };
  agree += arg(a.p) === arg(b.p) ? 1 : 0;
}
report.charLm = {
  model: `Embedding(${V}, 32) → LSTM(128) → Dense(${V}, softmax)`, trainSeconds: lm.seconds, heldOutChars: y.data.length,
  bitsPerCharF32: a.bitsPerChar, bitsPerCharInt8: b.bitsPerChar, changeBits: b.bitsPerChar - a.bitsPerChar, maxProbabilityDifference: maxDiff,
  top1Agreement: agree / y.data.length, bytesF32: lmF32.length, bytesInt8: lmQ8.length,
};
console.log(`char LM (LSTM(128), trained ${lm.seconds.toFixed(0)} s): held-out ${y.data.length} chars, f32 ${a.bitsPerChar.toFixed(4)} bits/char, int8 ${b.bitsPerChar.toFixed(4)} ` +
  `(${b.bitsPerChar - a.bitsPerChar >= 0 ? '+' : ''}${(b.bitsPerChar - a.bitsPerChar).toFixed(4)}), max |Δp| ${maxDiff.toExponential(2)}, top-1 agreement ${(100 * agree / y.data.length).toFixed(2)}%; file ${lmF32.length} → ${lmQ8.length}`);
mkdirSync('bench/results', { recursive: true });
const file = `bench/results/infer-accuracy-${new Date().toISOString().slice(0, 10)}.json`;
writeFileSync(file, JSON.stringify(report, null, 1));
console.log(`written ${file}`);
