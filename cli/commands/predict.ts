// `fused-rnn predict`, `evaluate` and `summary` on a saved model directory.

import { Command } from 'commander';
import { createInterface } from 'node:readline';
import { prepareText, predictTexts } from '../../src/tasks/text-classification.js';
import { loadTask } from '../model-dir.js';
import { isImportedModel, predictImported } from './import.js';
import { emit, table } from '../output.js';
import { loadLabelledTexts } from '../user-data.js';
import { nonNegativeInt } from './text-options.js';

async function stdinLines(): Promise<string[]> {
  const lines: string[] = [];
  for await (const line of createInterface({ input: process.stdin })) if (line.trim()) lines.push(line);
  return lines;
}

export function predictCommand(): Command {
  return new Command('predict')
    .description('classify texts with a saved model (arguments, or one text per line on stdin)')
    .requiredOption('--model <dir>', 'a model directory written by train/compare --out')
    .option('--json', 'print JSON')
    .option('--ids <json>', 'imported models: ids as JSON, e.g. \'[[3, 9, 4]]\'')
    .option('--tokenizer <file>', 'imported models: a Keras tokenizer JSON that turns the texts into ids')
    .option('--maxlen <n>', 'imported models: pad/truncate to this length', (v) => Number.parseInt(v, 10))
    .argument('[texts...]', 'texts to classify (default: read lines from stdin)')
    .action(async (texts: string[], o: { model: string; json?: boolean; ids?: string; tokenizer?: string; maxlen?: number }) => {
      if (await isImportedModel(o.model)) return predictImported(o.model, texts, o);
      const task = await loadTask(o.model, 'text-classifier');
      const input = texts.length ? texts : await stdinLines();
      const probs = await predictTexts(task.model, task.tokenizer, task.maxlen, input);
      const rows = input.map((text, i) => ({ text, label: task.classes[probs[i] >= 0.5 ? 1 : 0], probability: probs[i] }));
      emit(o, rows, () => rows.map((r) => `${r.label}\t${r.probability.toFixed(4)}\t${r.text}`).join('\n'));
    });
}

export function evaluateCommand(): Command {
  return new Command('evaluate')
    .description('loss and accuracy of a saved model on labelled data (the built-in set: its test split)')
    .requiredOption('--model <dir>', 'a model directory written by train/compare --out')
    .option('--data <source>', '"sentiment" or a .csv/.tsv/.jsonl file', 'sentiment')
    .option('--text-column <name>', 'text column of a user file', 'text')
    .option('--label-column <name>', 'label column of a user file', 'label')
    .option('--seed <n>', 'the split seed used in training (built-in data)', nonNegativeInt('--seed'), 0)
    .option('--json', 'print JSON')
    .action(async (o: { model: string; data: string; textColumn: string; labelColumn: string; seed: number; json?: boolean }) => {
      const task = await loadTask(o.model, 'text-classifier');
      const data = await loadLabelledTexts(o.data, o.textColumn, o.labelColumn);
      let texts = data.texts, labels = Array.from(data.labels);
      if (o.data === 'sentiment') {
        const split = prepareText(data.texts, data.labels, { seed: o.seed }).test;
        texts = Array.from(split, (i) => data.texts[i]);
        labels = Array.from(split, (i) => data.labels[i]);
      }
      const probs = await predictTexts(task.model, task.tokenizer, task.maxlen, texts);
      let hits = 0, loss = 0;
      probs.forEach((p, i) => {
        if ((p >= 0.5 ? 1 : 0) === labels[i]) hits++;
        const q = Math.min(Math.max(p, 1e-7), 1 - 1e-7);
        loss -= labels[i] ? Math.log(q) : Math.log(1 - q);
      });
      const result = { data: data.name, samples: texts.length, accuracy: hits / texts.length, loss: loss / texts.length };
      emit(o, result, () => table(['data', 'samples', 'accuracy', 'loss'], [[result.data, result.samples, Number(result.accuracy.toFixed(4)), Number(result.loss.toFixed(4))]]));
    });
}

export function summaryCommand(): Command {
  return new Command('summary')
    .description('the Keras-style layer table of a saved model')
    .requiredOption('--model <dir>', 'a model directory')
    .option('--json', 'print the model config as JSON')
    .action(async (o: { model: string; json?: boolean }) => {
      const task = await loadTask(o.model);
      emit(o, { task: task.kind, layers: task.model.layers.map((l) => ({ className: l.className, config: l.getConfig() })) }, () => task.model.summary());
    });
}
