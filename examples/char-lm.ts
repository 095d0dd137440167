// Character-level text generation: an LSTM(256) language model on Pride and Prejudice (the last 10% held
// out), trained for at most 4.5 minutes, then temperature sampling. Run: npm run example:char-lm
import { loadPrideAndPrejudice } from '../src/index.js';
import { generateText, trainCharLm } from '../src/tasks/char-lm.js';

const text = await loadPrideAndPrejudice();
console.log(`Pride and Prejudice: ${text.length.toLocaleString('en-US')} characters; the last 10% held out`);
const lm = await trainCharLm(text, {
  units: 256, window: 100, epochs: 30, timeLimitSeconds: 270, learningRate: 0.006, clipnorm: 5, seed: 0,
  callbacks: [{ onEpochEnd: (e, logs) => console.log(`epoch ${e + 1}: loss ${logs!.loss.toFixed(3)}, held-out ${(logs!.val_loss / Math.LN2).toFixed(3)} bits/char`) }],
});
console.log(`trained for ${lm.seconds.toFixed(0)} s: held-out ${lm.finalBitsPerChar.toFixed(3)} bits per character`);
for (const temperature of [0.5, 1.0]) {
  console.log(`\n--- temperature ${temperature} ---`);
  console.log('It is a truth ' + (await generateText(lm, 'It is a truth ', { length: 300, temperature, seed: 2 })));
}
