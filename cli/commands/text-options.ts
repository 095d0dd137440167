// Options shared by the commands that train text classifiers (train, compare).

import type { Command } from 'commander';
import { InvalidArgumentError } from 'commander';
import { loadSentimentGlove } from '../../src/data/datasets.js';
import { loadWordVectors, type WordVectors } from '../../src/data/word-vectors.js';
import { CliError } from '../errors.js';
import { checkUserFile } from '../user-data.js';
import type { ClipOptions } from '../../src/optimizers.js';

export const positiveInt = (name: string) => (v: string): number => {
  const n = Number(v);
  if (v.trim() === '' || !Number.isSafeInteger(n) || n < 1) throw new InvalidArgumentError(`${name} must be a positive integer, got "${v}"`);
  return n;
};

export const positiveNumber = (name: string) => (v: string): number => {
  const n = Number(v);
  if (!(n > 0) || !Number.isFinite(n)) throw new InvalidArgumentError(`${name} must be a positive number, got "${v}"`);
  return n;
};

/** An integer ≥ 0 (seeds, counts that may be 0). */
export const nonNegativeInt = (name: string) => (v: string): number => {
  const n = Number(v);
  if (v.trim() === '' || !Number.isSafeInteger(n) || n < 0) throw new InvalidArgumentError(`${name} must be a non-negative integer, got "${v}"`);
  return n;
};

/** A finite number ≥ 0. */
export const nonNegativeNumber = (name: string) => (v: string): number => {
  const n = Number(v);
  if (v.trim() === '' || !Number.isFinite(n) || n < 0) throw new InvalidArgumentError(`${name} must be a number ≥ 0, got "${v}"`);
  return n;
};

/** One of the listed words. */
export const choice = (name: string, values: readonly string[]) => (v: string): string => {
  if (!values.includes(v)) throw new InvalidArgumentError(`${name} must be one of ${values.join(', ')}, got "${v}"`);
  return v;
};

export const fraction = (name: string) => (v: string): number => {
  const n = Number(v);
  if (!(n >= 0 && n < 1)) throw new InvalidArgumentError(`${name} must be in [0, 1), got "${v}"`);
  return n;
};

export function addTrainingOptions(c: Command): Command {
  return c
    .option('--epochs <n>', 'training epochs', positiveInt('--epochs'), 8)
    .option('--batch-size <n>', 'batch size', positiveInt('--batch-size'), 32)
    .option('--lr <x>', 'learning rate', positiveNumber('--lr'), 0.005)
    .option('--optimizer <name>', 'adam | adamw | rmsprop | sgd | adagrad', choice('--optimizer', ['adam', 'adamw', 'rmsprop', 'sgd', 'adagrad']), 'adam')
    .option('--lr-schedule <kind>', 'constant | cosine (CosineDecay to 0 over all steps) | exponential (halve each epoch)', 'constant')
    .option('--clipvalue <x>', 'clip each gradient element to ±x (Keras clipvalue)', positiveNumber('--clipvalue'))
    .option('--clipnorm <x>', 'clip each tensor to norm x (Keras clipnorm)', positiveNumber('--clipnorm'))
    .option('--global-clipnorm <x>', 'clip all gradients to global norm x (Keras global_clipnorm)', positiveNumber('--global-clipnorm'))
    .option('--clip-grad-norm <x>', 'PyTorch clip_grad_norm_ with max norm x', positiveNumber('--clip-grad-norm'))
    .option('--units <n>', 'recurrent units', positiveInt('--units'), 64)
    .option('--dropout <x>', 'dropout before the output layer', fraction('--dropout'), 0.2)
    .option('--seed <n>', 'seed for splits, initialisation, shuffling and dropout', nonNegativeInt('--seed'), 0);
}

export interface TrainingFlags extends ClipOptions {
  epochs: number;
  batchSize: number;
  lr: number;
  optimizer: 'adam' | 'adamw' | 'rmsprop' | 'sgd' | 'adagrad';
  lrSchedule: 'constant' | 'cosine' | 'exponential';
  globalClipnorm?: number;
  clipGradNorm?: number;
  units: number;
  dropout: number;
  seed: number;
}

/** `random` | `glove` (the built-in subset) | `glove:PATH` (any GloVe/word2vec text file, .gz allowed). */
export async function loadEmbeddings(spec: string): Promise<WordVectors | null> {
  if (spec === 'random') return null;
  if (spec === 'glove') return loadSentimentGlove();
  if (spec.startsWith('glove:')) {
    const path = spec.slice('glove:'.length);
    await checkUserFile(path);
    return loadWordVectors(path, { lowercase: true });
  }
  throw new CliError(`--embeddings must be random, glove or glove:PATH, got "${spec}"`);
}
