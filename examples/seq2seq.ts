// Sequence to sequence with the functional API: reverse strings of 3–8 digits. An LSTM encoder reads the
// digits (right-padded, masked); its final states [h, c] start an LSTM decoder trained with teacher forcing
// (decoder input = start token + the reversed digits, target = the reversed digits + end token). Greedy
// decoding then runs the encoder once and the decoder one step at a time on its own predictions. The data
// are generated here from a fixed seed; held-out strings are never seen in training.
// Run: npm run example:seq2seq   (prints the held-out exact-sequence accuracy)
import { Dense, Embedding, Input, LSTM, Model, Random, loadKernels, type SymbolicTensor } from '../src/index.js';

const PAD = 0, START = 11, END = 12, V = 13; // digits d are tokens d + 1
const MIN = 3, MAX = 8, UNITS = 128, EMB = 32;
const Tenc = MAX, Tdec = MAX + 1;

function sample(r: Random): number[] {
  const n = MIN + r.int(MAX - MIN + 1);
  return Array.from({ length: n }, () => r.int(10));
}

/** Encoder ids (N, Tenc), decoder inputs and targets (N, Tdec), all right-padded with 0. */
function encode(strings: number[][]) {
  const pad = (row: number[], T: number) => [...row, ...Array(T - row.length).fill(PAD)];
  return {
    enc: strings.map((s) => pad(s.map((d) => d + 1), Tenc)),
    decIn: strings.map((s) => pad([START, ...s.slice().reverse().map((d) => d + 1)], Tdec)),
    decOut: strings.map((s) => pad([...s.slice().reverse().map((d) => d + 1), END], Tdec)),
  };
}

const r = new Random(2024);
const seen = new Set<string>(), train: number[][] = [], test: number[][] = [];
while (test.length < 1000) {
  const s = sample(r), key = s.join('');
  if (seen.has(key)) continue;
  seen.add(key);
  (train.length < 24000 ? train : test).push(s);
}

// ---- the training model: encoder states → decoder with teacher forcing
const kernels = await loadKernels();
const encIn = Input({ shape: [Tenc], dtype: 'int32', name: 'encoder_ids' });
const decIn = Input({ shape: [Tdec], dtype: 'int32', name: 'decoder_ids' });
const encEmb = new Embedding({ inputDim: V, outputDim: EMB, maskZero: true, name: 'enc_emb' });
const encoder = new LSTM({ units: UNITS, returnState: true, name: 'encoder' });
const decEmb = new Embedding({ inputDim: V, outputDim: EMB, maskZero: true, name: 'dec_emb' });
const decoder = new LSTM({ units: UNITS, returnSequences: true, returnState: true, name: 'decoder' });
const head = new Dense({ units: V, activation: 'softmax', name: 'next_token' });

const [, h, c] = encoder.apply(encEmb.apply(encIn) as SymbolicTensor) as SymbolicTensor[];
const [decSeq] = decoder.apply(decEmb.apply(decIn) as SymbolicTensor, { initialState: [h, c] }) as SymbolicTensor[];
const model = new Model({ inputs: [encIn, decIn], outputs: head.apply(decSeq) as SymbolicTensor, name: 'reverser', seed: 1, kernels });
model.compile({ optimizer: { className: 'Adam', config: { learningRate: 0.005, clipnorm: 5 } }, loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
await model.build();
console.log(model.summary());

// ---- inference models on the same layers: the encoder, and one decoder step fed its own states
const encoderModel = new Model({ inputs: encIn, outputs: [h, c], name: 'encoder_model', kernels });
const token = Input({ shape: [1], dtype: 'int32', name: 'token' }), hIn = Input({ shape: [UNITS], name: 'h' }), cIn = Input({ shape: [UNITS], name: 'c' });
const [stepSeq, h2, c2] = decoder.apply(decEmb.apply(token) as SymbolicTensor, { initialState: [hIn, cIn] }) as SymbolicTensor[];
const stepModel = new Model({ inputs: [token, hIn, cIn], outputs: [head.apply(stepSeq) as SymbolicTensor, h2, c2], name: 'decoder_step', kernels });
await encoderModel.build();
await stepModel.build();

/** Each model has its own weight slabs: copy the trained tensors (same layer names, same paths). */
function shareWeights(): void {
  const trained = new Map(model.getWeights().map((w) => [w.path, w]));
  for (const m of [encoderModel, stepModel]) m.setWeights(m.getWeights().map((w) => trained.get(w.path)!));
}

/** Greedy decoding of many strings at once: encoder once, then one decoder step per output token. */
async function reverseAll(strings: number[][]): Promise<number[][]> {
  shareWeights();
  const { enc } = encode(strings);
  let [hs, cs] = (await encoderModel.predict(enc)) as Array<{ data: Float32Array; shape: number[] }>;
  let tokens = strings.map(() => [START]);
  const out = strings.map(() => [] as number[]), done = strings.map(() => false);
  for (let t = 0; t < Tdec; t++) {
    const [p, hn, cn] = (await stepModel.predict([tokens, hs, cs], { batchSize: 1024 })) as Array<{ data: Float32Array; shape: number[] }>;
    tokens = strings.map((_, i) => {
      const row = p.data.subarray(i * V, (i + 1) * V);
      let best = 0;
      for (let v = 1; v < V; v++) if (row[v] > row[best]) best = v;
      if (best === END || best === PAD || best === START) done[i] = true;
      if (!done[i]) out[i].push(best - 1);
      return [best];
    });
    hs = hn; cs = cn;
  }
  return out;
}

const exact = async (strings: number[][]) => {
  const got = await reverseAll(strings);
  return got.filter((g, i) => g.join(',') === strings[i].slice().reverse().join(',')).length / strings.length;
};

const data = encode(train), t0 = performance.now();
for (let epoch = 1; epoch <= 12; epoch++) {
  const h = await model.fit([data.enc, data.decIn], data.decOut, { epochs: 1, batchSize: 64, seed: epoch });
  const acc = await exact(test);
  console.log(`epoch ${epoch}: loss ${h.history.loss[0].toFixed(4)}, token accuracy ${h.history.accuracy[0].toFixed(4)}, held-out exact-sequence accuracy ${(100 * acc).toFixed(1)}% (${((performance.now() - t0) / 1000).toFixed(0)} s)`);
  if (acc >= 0.99) break;
}
const final = await exact(test);
console.log(`held-out exact-sequence accuracy: ${(100 * final).toFixed(1)}% on ${test.length} strings never seen in training`);
for (const s of test.slice(0, 5)) console.log(`  ${s.join('')} → ${(await reverseAll([s]))[0].join('')}`);
if (final < 0.95) process.exitCode = 1;
