// A model with two inputs: a token sequence and a float feature vector, joined after the recurrent layer.
// Task (generated here from a fixed seed): a "review" is a sequence of word ids plus two numbers (say, the
// reviewer's average rating and a helpfulness score); the label is positive when the words lean positive
// (ids 1–20 positive, 21–40 negative) AND the reviewer is not a habitual grump (first number > −0.5), or when
// the second number is very high. Neither input alone decides it, so the model must combine both.
// Run: npm run example:two-inputs   (prints held-out accuracy of the two-input model and of each half)
import { Concatenate, Dense, Embedding, GRU, Input, Model, Random, loadKernels, type SymbolicTensor } from '../src/index.js';

const T = 12, V = 41;
const r = new Random(7);
function make(N: number) {
  const words: number[][] = [], feats: number[][] = [], labels: number[] = [];
  for (let i = 0; i < N; i++) {
    const lean = r.uniform() < 0.5;
    const row = Array.from({ length: T }, () => (r.uniform() < 0.7 === lean ? 1 + r.int(20) : 21 + r.int(20)));
    const f = [2 * r.uniform() - 1, 2 * r.uniform() - 1];
    words.push(row);
    feats.push(f);
    labels.push((lean && f[0] > -0.5) || f[1] > 0.8 ? 1 : 0);
  }
  return { words, feats, labels };
}
const train = make(4000), test = make(1000);
const kernels = await loadKernels();

function twoInputModel() {
  const words = Input({ shape: [T], dtype: 'int32', name: 'words' }), feats = Input({ shape: [2], name: 'features' });
  const text = new GRU({ units: 32 }).apply(new Embedding({ inputDim: V, outputDim: 16 }).apply(words) as SymbolicTensor) as SymbolicTensor;
  const meta = new Dense({ units: 16, activation: 'relu' }).apply(feats) as SymbolicTensor;
  const joined = new Concatenate().apply([text, meta]) as SymbolicTensor;
  const hidden = new Dense({ units: 16, activation: 'relu' }).apply(joined) as SymbolicTensor;
  return new Model({ inputs: [words, feats], outputs: new Dense({ units: 1, activation: 'sigmoid' }).apply(hidden) as SymbolicTensor, name: 'two_inputs', seed: 1, kernels });
}

async function run(label: string, model: Model, x: (d: ReturnType<typeof make>) => unknown): Promise<number> {
  model.compile({ optimizer: { className: 'Adam', config: { learningRate: 0.005 } }, loss: 'binaryCrossentropy', metrics: ['accuracy'] });
  await model.fit(x(train) as never, train.labels, { epochs: 12, batchSize: 64 });
  const logs = await model.evaluate(x(test) as never, test.labels);
  console.log(`${label.padEnd(22)} held-out accuracy ${(100 * logs.accuracy).toFixed(1)}%`);
  return logs.accuracy;
}

const both = await run('words + features', twoInputModel(), (d) => [d.words, d.feats]);
// The same data through each input alone, for comparison.
const w = Input({ shape: [T], dtype: 'int32' }), f = Input({ shape: [2] });
const wordsOnly = new Model({ inputs: w, outputs: new Dense({ units: 1, activation: 'sigmoid' }).apply(new GRU({ units: 32 }).apply(new Embedding({ inputDim: V, outputDim: 16 }).apply(w) as SymbolicTensor) as SymbolicTensor) as SymbolicTensor, seed: 1, kernels });
const featsOnly = new Model({ inputs: f, outputs: new Dense({ units: 1, activation: 'sigmoid' }).apply(new Dense({ units: 16, activation: 'relu' }).apply(f) as SymbolicTensor) as SymbolicTensor, seed: 1, kernels });
const a = await run('words only', wordsOnly, (d) => d.words);
const b = await run('features only', featsOnly, (d) => d.feats);
console.log(`the two-input model beats each single input by ${(100 * (both - Math.max(a, b))).toFixed(1)} points`);
if (!(both > Math.max(a, b) + 0.05)) process.exitCode = 1;
