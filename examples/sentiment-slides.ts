// The slides' sentiment model on the built-in UCI sentences:
//   Embedding → Dense → Dropout → LSTM → GRU → Dense → Dropout → Dense → Dense(sigmoid)
// Run: npm run example:sentiment
import { loadSentiment, prepareText, trainTextClassifier, predictTexts } from '../src/index.js';

const data = await loadSentiment();
const prepared = prepareText(data.texts, data.labels, { seed: 1 });
console.log(`${data.texts.length} sentences, vocabulary ${prepared.tokenizer.vocabularySize}, T = ${prepared.maxlen}`);
const result = await trainTextClassifier(prepared, {
  kind: 'slides', embeddingDim: 64, units: 64, epochs: 8, learningRate: 0.003, seed: 1,
  callbacks: [{ onEpochEnd: (e, logs) => console.log(`epoch ${e + 1}: loss ${logs!.loss.toFixed(4)}, val_accuracy ${logs!.val_accuracy.toFixed(3)}`) }],
});
console.log(result.model.summary());
console.log(`test accuracy ${result.testAccuracy.toFixed(3)} (epoch ${result.bestEpoch + 1} weights), ${result.trainSeconds.toFixed(1)} s`);
const texts = ['I would definitely recommend this restaurant.', 'The plot was dull and the acting was worse.'];
const p = await predictTexts(result.model, prepared.tokenizer, prepared.maxlen, texts);
texts.forEach((t, i) => console.log(`${p[i] >= 0.5 ? 'positive' : 'negative'} ${p[i].toFixed(3)}  ${t}`));
