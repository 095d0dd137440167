// Character-level text generation: an LSTM language model on Pride and Prejudice, then temperature sampling.
// Run: npm run example:char-lm
import { loadPrideAndPrejudice } from '../src/index.js';
import { generateText, trainCharLm } from '../src/tasks/char-lm.js';

const text = await loadPrideAndPrejudice();
console.log(`Pride and Prejudice: ${text.length.toLocaleString('en-US')} characters; training on the first 300,000`);
const lm = await trainCharLm(text, {
  maxChars: 300_000, units: 256, epochs: 4, window: 64, learningRate: 0.004, clipnorm: 5, seed: 1,
  callbacks: [{ onEpochEnd: (e, logs) => console.log(`epoch ${e + 1}: loss ${logs!.loss.toFixed(3)}, accuracy ${logs!.accuracy.toFixed(3)}`) }],
});
for (const temperature of [0.5, 1.0]) {
  console.log(`\n--- temperature ${temperature} ---`);
  console.log('It is a truth ' + (await generateText(lm, 'It is a truth ', { length: 300, temperature, seed: 2 })));
}
