// `fused-rnn lm train` / `lm generate`: character-level language model on Pride and Prejudice (built in)
// or a user text file; temperature sampling.

import { Command } from 'commander';
import { loadKernels } from '../../src/index.js';
import { loadPrideAndPrejudice } from '../../src/data/datasets.js';
import { generateText, trainCharLm } from '../../src/tasks/char-lm.js';
import { CliError } from '../errors.js';
import { checkOutTarget, loadTask, saveCharLm } from '../model-dir.js';
import { readUserText } from '../user-data.js';
import { emit, note } from '../output.js';
import { nonNegativeInt, nonNegativeNumber, positiveInt, positiveNumber } from './text-options.js';

export function lmCommand(): Command {
  const lm = new Command('lm').description('character-level language model: train and generate');
  lm.command('train')
    .description('train on the built-in novel or --text FILE')
    .option('--text <file>', 'a UTF-8 text file (default: Pride and Prejudice, built in)')
    .option('--cell <kind>', 'lstm | gru', 'lstm')
    .option('--units <n>', 'recurrent units', positiveInt('--units'), 128)
    .option('--window <n>', 'characters per training window', positiveInt('--window'), 64)
    .option('--max-chars <n>', 'use only the first n characters', positiveInt('--max-chars'), 200000)
    .option('--epochs <n>', 'epochs', positiveInt('--epochs'), 3)
    .option('--batch-size <n>', 'batch size', positiveInt('--batch-size'), 32)
    .option('--lr <x>', 'learning rate', positiveNumber('--lr'), 0.005)
    .option('--clipnorm <x>', 'Keras clipnorm', positiveNumber('--clipnorm'))
    .option('--seed <n>', 'seed', nonNegativeInt('--seed'), 0)
    .option('--time-limit <minutes>', 'stop training after this many minutes', positiveNumber('--time-limit'))
    .option('--out <dir>', 'save the model here', 'runs/char-lm')
    .option('--force', 'let --out replace a file or a non-empty directory that is not a fused-rnn model')
    .option('--sample <n>', 'characters to sample after training', nonNegativeInt('--sample'), 300)
    .option('--json', 'print JSON')
    .action(async (o: { text?: string; cell: 'lstm' | 'gru'; units: number; window: number; maxChars: number; epochs: number; batchSize: number; lr: number; clipnorm?: number; seed: number; timeLimit?: number; out: string; force?: boolean; sample: number; json?: boolean }) => {
      if (o.cell !== 'lstm' && o.cell !== 'gru') throw new CliError(`--cell must be lstm or gru, got "${o.cell}"`);
      await checkOutTarget(o.out, o.force); // before training, not after
      const text = o.text ? await readUserText(o.text) : await loadPrideAndPrejudice();
      if (text.length < 2) throw new CliError(`--text ${o.text}: the text has ${text.length} characters; training needs at least 2`);
      const trainChars = Math.min(Math.floor(text.length * 0.9), o.maxChars);
      note(o, `${o.text ?? 'Pride and Prejudice'}: training on ${trainChars.toLocaleString('en-US')} characters, the last 10% (${(text.length - Math.floor(text.length * 0.9)).toLocaleString('en-US')}) held out; ${o.cell.toUpperCase()}(${o.units}), window ${o.window}`);
      const t0 = performance.now();
      const model = await trainCharLm(text, {
        cell: o.cell, units: o.units, window: o.window, maxChars: o.maxChars, epochs: o.epochs, batchSize: o.batchSize, learningRate: o.lr, clipnorm: o.clipnorm,
        seed: o.seed, kernels: await loadKernels(), timeLimitSeconds: o.timeLimit !== undefined ? o.timeLimit * 60 : undefined,
        callbacks: [{
          onEpochEnd: (e, logs) => note(o, `epoch ${e + 1}/${o.epochs}: loss ${logs!.loss.toFixed(4)}, accuracy ${logs!.accuracy.toFixed(4)}` +
            (logs!.val_loss !== undefined ? `, held-out ${(logs!.val_loss / Math.LN2).toFixed(3)} bits/char` : '')),
        }],
      });
      const seconds = (performance.now() - t0) / 1000;
      await saveCharLm(o.out, model, o.force);
      const sample = o.sample > 0 ? await generateText(model, text.slice(0, 20), { length: o.sample, temperature: 0.7, seed: o.seed }) : '';
      const bits = model.finalBitsPerChar;
      emit(o, { seconds, trainSeconds: model.seconds, history: model.history, validationBitsPerChar: model.validationBitsPerChar, finalBitsPerChar: bits, saved: o.out, sample }, () =>
        `trained for ${model.seconds.toFixed(1)} s${Number.isFinite(bits) ? `; held-out (last 10% of the text) ${bits.toFixed(3)} bits/char` : ''}; saved to ${o.out}` +
        `\n\nsample (temperature 0.7):\n${text.slice(0, 20)}${sample}`);
    });
  lm.command('generate')
    .description('sample text from a saved character LM')
    .requiredOption('--model <dir>', 'a directory written by lm train')
    .option('--prime <text>', 'text to start from', 'It is a truth ')
    .option('--length <n>', 'characters to generate', positiveInt('--length'), 400)
    .option('--temperature <x>', 'sampling temperature (0 = greedy)', nonNegativeNumber('--temperature'), 0.7)
    .option('--seed <n>', 'sampling seed', nonNegativeInt('--seed'), 0)
    .option('--json', 'print JSON')
    .action(async (o: { model: string; prime: string; length: number; temperature: number; seed: number; json?: boolean }) => {
      const task = await loadTask(o.model, 'char-lm');
      const text = await generateText(task.lm!, o.prime, { length: o.length, temperature: o.temperature, seed: o.seed });
      emit(o, { prime: o.prime, text }, () => o.prime + text);
    });
  return lm;
}
