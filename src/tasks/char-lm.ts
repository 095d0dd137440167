// Character-level language model: a text → windows of T characters with next-character targets →
// Embedding → LSTM/GRU (returnSequences) → Dense(V, softmax), sparse cross-entropy over every step; and
// generation by temperature sampling from a stateful copy of the model, one character at a time.

import type { Kernels } from '../../bindings/index.js';
import type { Callback, CallbackFunctions } from '../callbacks/callback.js';
import { Tokenizer } from '../data/tokenizer.js';
import { ConfigError } from '../errors.js';
import { Dense } from '../layers/dense.js';
import { Embedding } from '../layers/embedding.js';
import { GRU } from '../layers/gru.js';
import { LSTM } from '../layers/lstm.js';
import { Sequential } from '../model/sequential.js';
import type { ClipOptions } from '../optimizers.js';
import { Random } from '../random.js';
import { validateTaskOptions } from '../options/tasks.js';
import { checkArgument, custom, string as stringSpec } from '../options/schema.js';

/** Options of trainCharLm(): cell, sizes, window, epochs, clipping. */
export interface CharLmOptions extends ClipOptions {
  cell?: 'lstm' | 'gru';
  units?: number;
  embeddingDim?: number;
  /** T: characters per training window. */
  window?: number;
  /** Use at most this many characters of the text (from the start) for training. */
  maxChars?: number;
  /** Share of the text held out at its END for validation (bits per character); default 0.1, 0 = none. */
  validationShare?: number;
  /** Stop training after this many seconds (checked after every batch); the held-out score is then measured. */
  timeLimitSeconds?: number;
  epochs?: number;
  batchSize?: number;
  learningRate?: number;
  seed?: number;
  kernels?: Kernels;
  callbacks?: Array<Callback | CallbackFunctions>;
}

/** A trained character language model: the model, its tokenizer, sizes, history and held-out bits per character. */
export interface CharLm {
  model: Sequential;
  tokenizer: Tokenizer;
  cell: 'lstm' | 'gru';
  units: number;
  embeddingDim: number;
  history: Record<string, number[]>;
  /** Held-out cross-entropy in bits per character after each epoch (val_loss / ln 2); empty without validation. */
  validationBitsPerChar: number[];
  /** Held-out bits per character of the final weights (NaN without validation). */
  finalBitsPerChar: number;
  /** Training seconds (until the time limit, if one stopped it). */
  seconds: number;
}

/** Builds the (non-stateful) training model or the stateful generator with the same weights' shapes. */
export function charLmModel(V: number, o: { cell: 'lstm' | 'gru'; units: number; embeddingDim: number; stateful?: boolean; seed?: number; kernels?: Kernels }): Sequential {
  checkArgument('charLmModel', 'V', V, custom('a positive integer (the vocabulary size)', (v) => Number.isSafeInteger(v) && (v as number) > 0));
  validateTaskOptions('charLmModel', o);
  const Cell = o.cell === 'gru' ? GRU : LSTM;
  return new Sequential([
    new Embedding({ inputDim: V, outputDim: o.embeddingDim, name: 'embedding' }),
    new Cell({ units: o.units, returnSequences: true, stateful: o.stateful ?? false, name: 'rnn' }),
    new Dense({ units: V, activation: 'softmax', name: 'logits' }),
  ], { seed: o.seed ?? 0, kernels: o.kernels });
}

/** Non-overlapping windows: x = text[i .. i+T), y = text[i+1 .. i+T+1). */
export function charWindows(ids: ArrayLike<number>, T: number): { x: { data: Int32Array; shape: number[] }; y: { data: Int32Array; shape: number[] } } {
  const N = Math.floor((ids.length - 1) / T);
  if (N < 1) throw new ConfigError(`char LM: the text has ${ids.length} characters, fewer than one window of T = ${T} + 1`);
  const x = new Int32Array(N * T), y = new Int32Array(N * T);
  for (let n = 0; n < N; n++) for (let t = 0; t < T; t++) {
    x[n * T + t] = ids[n * T + t];
    y[n * T + t] = ids[n * T + t + 1];
  }
  return { x: { data: x, shape: [N, T] }, y: { data: y, shape: [N, T] } };
}

/** Trains a character-level language model (LSTM or GRU) on `text`, holding out the end for validation. */
export async function trainCharLm(text: string, o: CharLmOptions = {}): Promise<CharLm> {
  checkArgument('trainCharLm', 'text', text, stringSpec({ nonEmpty: true }));
  validateTaskOptions('trainCharLm', o);
  const share = o.validationShare ?? 0.1;
  if (!(share >= 0 && share < 1)) throw new ConfigError(`char LM: validationShare must be in [0, 1), got ${o.validationShare}`);
  const cut = Math.floor(text.length * (1 - share));
  const trainText = text.slice(0, cut), heldOut = text.slice(cut);
  const source = o.maxChars ? trainText.slice(0, o.maxChars) : trainText;
  const tokenizer = new Tokenizer({ charLevel: true, lower: false, filters: '' });
  tokenizer.fitOnTexts([text]); // the alphabet of the whole text, so held-out characters are known
  const ids = tokenizer.textsToSequences([source])[0];
  // Index 0 is never assigned by the tokenizer; shift ids so every character is a class in [0, V).
  const V = tokenizer.vocabularySize;
  const T = o.window ?? 64;
  const { x, y } = charWindows(ids, T);
  const cell = o.cell ?? 'lstm', units = o.units ?? 128, embeddingDim = o.embeddingDim ?? 32;
  const model = charLmModel(V, { cell, units, embeddingDim, seed: o.seed, kernels: o.kernels });
  const clip: ClipOptions = { clipvalue: o.clipvalue, clipnorm: o.clipnorm, globalClipnorm: o.globalClipnorm, clipGradNorm: o.clipGradNorm };
  model.compile({ optimizer: { className: 'Adam', config: { learningRate: o.learningRate ?? 0.005, ...clip } }, loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
  const validation = share > 0 && heldOut.length > T + 1 ? charWindows(tokenizer.textsToSequences([heldOut])[0], T) : null;
  const t0 = performance.now();
  const limit = o.timeLimitSeconds;
  const timer = { onBatchEnd: () => { if (limit !== undefined && (performance.now() - t0) / 1000 >= limit) model.stopTraining = true; } };
  const h = await model.fit(x, y, {
    epochs: o.epochs ?? 3, batchSize: o.batchSize ?? 32, seed: o.seed ?? 0, callbacks: [timer, ...(o.callbacks ?? [])],
    ...(validation ? { validationData: [validation.x, validation.y] as [typeof x, typeof y] } : {}),
  });
  const seconds = (performance.now() - t0) / 1000;
  const validationBitsPerChar = (h.history.val_loss ?? []).map((v) => v / Math.LN2);
  // A time limit may stop mid-epoch, after the last per-epoch validation: score the final weights.
  let finalBitsPerChar = NaN;
  if (validation) {
    const stoppedEarly = validationBitsPerChar.length < (h.history.loss?.length ?? 0) || model.stopTraining;
    finalBitsPerChar = stoppedEarly || validationBitsPerChar.length === 0
      ? (await model.evaluate(validation.x, validation.y, { batchSize: o.batchSize ?? 32 })).loss / Math.LN2
      : validationBitsPerChar[validationBitsPerChar.length - 1];
  }
  return { model, tokenizer, cell, units, embeddingDim, history: h.history, validationBitsPerChar, finalBitsPerChar, seconds };
}

/** Options of generateText(): how many characters, the sampling temperature and the seed. */
export interface GenerateOptions {
  length?: number;
  /** Sampling temperature: < 1 sharper, > 1 flatter; 0 = greedy. */
  temperature?: number;
  seed?: number;
}

/** Continues `prime` by sampling one character at a time from a stateful copy of the model. */
export async function generateText(lm: Pick<CharLm, 'model' | 'tokenizer' | 'cell' | 'units' | 'embeddingDim'>, prime: string, o: GenerateOptions = {}): Promise<string> {
  checkArgument('generateText', 'lm', lm, custom('a trained char LM { model, tokenizer, cell, units, embeddingDim } (from trainCharLm)', (v) => typeof (v as CharLm | null)?.tokenizer?.textsToSequences === 'function' && typeof (v as CharLm).model?.getWeights === 'function'));
  checkArgument('generateText', 'prime', prime, stringSpec());
  validateTaskOptions('generateText', o);
  const V = lm.tokenizer.vocabularySize;
  const gen = charLmModel(V, { cell: lm.cell, units: lm.units, embeddingDim: lm.embeddingDim, stateful: true, kernels: lm.model.kernels ?? undefined });
  const primeIds = lm.tokenizer.textsToSequences([prime])[0];
  if (primeIds.length === 0) throw new ConfigError('generate: the prime text has no characters the model knows');
  // Build the generator, then copy the weights (same layer names, same paths).
  await gen.predict({ data: Int32Array.from(primeIds.slice(0, 1)), shape: [1, 1] });
  gen.setWeights(lm.model.getWeights());
  gen.resetStates();
  const random = new Random(o.seed ?? 0);
  const temperature = o.temperature ?? 0.8;
  let probs = (await gen.predict({ data: Int32Array.from(primeIds), shape: [1, primeIds.length] })).data;
  let last = probs.subarray((primeIds.length - 1) * V, primeIds.length * V);
  const out: number[] = [];
  for (let i = 0; i < (o.length ?? 200); i++) {
    const next = sample(last, temperature, random);
    out.push(next);
    probs = (await gen.predict({ data: Int32Array.of(next), shape: [1, 1] })).data;
    last = probs;
  }
  return lm.tokenizer.sequencesToTexts([out], '')[0];
}

/** Samples a class from probabilities p; class 0 (the tokenizer's padding index, never a character) excluded. */
function sample(p: Float32Array, temperature: number, random: Random): number {
  if (temperature <= 0) {
    let best = 1;
    for (let i = 2; i < p.length; i++) if (p[i] > p[best]) best = i;
    return best;
  }
  const w = Float64Array.from(p, (v, i) => (i === 0 ? 0 : Math.pow(Math.max(v, 1e-30), 1 / temperature)));
  let sum = 0;
  for (const v of w) sum += v;
  let u = random.uniform() * sum;
  for (let i = 0; i < w.length; i++) {
    u -= w[i];
    if (u <= 0) return i;
  }
  return w.length - 1;
}
