// `fused-rnn predict`, `evaluate` and `summary` on a saved model directory.

import { Command } from 'commander';
import { createInterface } from 'node:readline';
import { argmaxRows, classificationReport, formatClassificationReport } from '../../src/classification-report.js';
import { LabelEncoder } from '../../src/data/labels.js';
import { MultiLabelBinarizer, splitLabelSets } from '../../src/data/multi-labels.js';
import { formatMultiLabelReport, multiLabelReport } from '../../src/multilabel-report.js';
import { classProbabilities, prepareText, predictTexts } from '../../src/tasks/text-classification.js';
import { CliError } from '../errors.js';
import { loadTask } from '../model-dir.js';
import { isImportedModel, predictImported } from './import.js';
import { emit, table } from '../output.js';
import { loadLabelledTexts } from '../user-data.js';
import { fraction, nonNegativeInt } from './text-options.js';

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
    .option('--threshold <p>', 'multi-label models: a label is predicted when its probability is above p', fraction('--threshold'), 0.5)
    .argument('[texts...]', 'texts to classify (default: read lines from stdin)')
    .action(async (texts: string[], o: { model: string; json?: boolean; ids?: string; tokenizer?: string; maxlen?: number; threshold: number }) => {
      if (await isImportedModel(o.model)) return predictImported(o.model, texts, o);
      const task = await loadTask(o.model, 'text-classifier');
      const input = texts.length ? texts : await stdinLines();
      const scores = await predictTexts(task.model, task.tokenizer, task.maxlen, input, { truncating: task.truncating });
      const columns = scores.length / Math.max(1, input.length);
      if (task.labelSeparator !== null) {
        // Multi-label: every label whose sigmoid is above the threshold, and all K probabilities.
        const sets = MultiLabelBinarizer.fromClasses(task.classes).inverseTransform(scores, o.threshold);
        const out = sets.map((labels, i) => ({ text: input[i], labels, probabilities: Object.fromEntries(task.classes.map((c, k) => [c, scores[i * columns + k]])) }));
        return emit(o, out, () => out.map((r) => `${r.labels.join(task.labelSeparator!) || '(none)'}\t${r.text}`).join('\n'));
      }
      const rows = classProbabilities(scores, columns).map((p, i) => {
        const best = argmaxRows(p, p.length)[0];
        return { text: input[i], label: task.classes[best], probability: p[best], probabilities: Object.fromEntries(task.classes.map((c, k) => [c, p[k]])) };
      });
      emit(o, rows, () => rows.map((r) => `${r.label}\t${r.probability.toFixed(4)}\t${r.text}`).join('\n'));
    });
}

export function evaluateCommand(): Command {
  return new Command('evaluate')
    .description('loss, accuracy, per-class precision/recall/F1 and the confusion matrix of a saved model on labelled data (built-in set and imdb: their test split)')
    .requiredOption('--model <dir>', 'a model directory written by train/compare --out')
    .option('--data <source>', '"sentiment", "imdb" or a .csv/.tsv/.jsonl file', 'sentiment')
    .option('--text-column <name>', 'text column of a user file', 'text')
    .option('--label-column <name>', 'label column of a user file', 'label')
    .option('--seed <n>', 'the split seed used in training (built-in data)', nonNegativeInt('--seed'), 0)
    .option('--label-separator <sep>', 'multi-label models: what joins the labels of one cell (default: the one used in training)')
    .option('--threshold <p>', 'multi-label models: a label is predicted when its probability is above p', fraction('--threshold'), 0.5)
    .option('--json', 'print JSON')
    .action(async (o: { model: string; data: string; textColumn: string; labelColumn: string; seed: number; labelSeparator?: string; threshold: number; json?: boolean }) => {
      const task = await loadTask(o.model, 'text-classifier');
      if (task.labelSeparator !== null) return evaluateMultiLabel(task, o);
      const data = await loadLabelledTexts(o.data, o.textColumn, o.labelColumn, o.seed);
      let texts = data.texts, raw = data.rawLabels;
      if (data.test) {
        texts = data.test.texts;
        raw = Array.from(data.test.labels, (l) => data.classes[l]);
      } else if (o.data === 'sentiment') {
        const split = prepareText(data.texts, data.labels, { seed: o.seed }).test;
        texts = Array.from(split, (i) => data.texts[i]);
        raw = Array.from(split, (i) => data.rawLabels[i]);
      }
      // Labels through the model's own classes: a label the model never saw is an error naming it.
      const labels = LabelEncoder.fromClasses(task.classes).encode(raw, { name: o.data });
      const scores = await predictTexts(task.model, task.tokenizer, task.maxlen, texts, { truncating: task.truncating });
      const probs = classProbabilities(scores, scores.length / texts.length);
      let loss = 0;
      probs.forEach((p, i) => { loss -= Math.log(Math.min(Math.max(p[labels[i]], 1e-7), 1)); });
      const K = task.classes.length;
      const report = classificationReport(labels, argmaxRows(Float32Array.from(probs.flatMap((p) => [...p])), K), { classes: task.classes });
      const result = {
        data: data.name, samples: texts.length, accuracy: report.accuracy, loss: loss / texts.length,
        macro: report.macro, weighted: report.weighted, perClass: report.perClass, confusion: report.confusion, classes: task.classes,
      };
      emit(o, result, () => [
        table(['data', 'samples', 'accuracy', 'loss'], [[result.data, result.samples, Number(result.accuracy.toFixed(4)), Number(result.loss.toFixed(4))]]),
        '',
        formatClassificationReport(report),
      ].join('\n'));
    });
}

/** evaluate for a multi-label model: the file's label sets through the model's labels, then the multi-label report. */
async function evaluateMultiLabel(task: Awaited<ReturnType<typeof loadTask>>, o: { data: string; textColumn: string; labelColumn: string; seed: number; labelSeparator?: string; threshold: number; json?: boolean }): Promise<void> {
  const separator = o.labelSeparator ?? task.labelSeparator!;
  const data = await loadLabelledTexts(o.data, o.textColumn, o.labelColumn, o.seed, separator);
  // Through the model's own labels: a label the model never saw is an error naming it and its line.
  const jsonl = /\.(jsonl|ndjson)$/i.test(o.data);
  const sets = data.labelSets ?? splitLabelSets(data.rawLabels, separator);
  const targets = MultiLabelBinarizer.fromClasses(task.classes).transform(sets, { name: o.data, rowName: (i) => `line ${jsonl ? i + 1 : i + 2}` });
  const scores = await predictTexts(task.model, task.tokenizer, task.maxlen, data.texts, { truncating: task.truncating });
  if (scores.length !== targets.length) throw new CliError(`the model answers ${scores.length / data.texts.length} outputs per text, its task.json names ${task.classes.length} labels`);
  let loss = 0; // mean binary cross-entropy over the N·K outputs, as Keras' binary_crossentropy
  for (let i = 0; i < scores.length; i++) {
    const p = Math.min(Math.max(scores[i], 1e-7), 1 - 1e-7);
    loss -= targets[i] ? Math.log(p) : Math.log(1 - p);
  }
  const report = multiLabelReport(targets, scores, { classes: task.classes, threshold: o.threshold });
  const result = { data: data.name, ...report, samples: data.texts.length, loss: loss / Math.max(1, scores.length), multiLabel: true };
  emit(o, result, () => [
    table(['data', 'samples', 'micro F1', 'macro F1', 'subset accuracy', 'Hamming loss', 'loss'], [[result.data, result.samples, Number(report.micro.f1.toFixed(4)),
      Number(report.macro.f1.toFixed(4)), Number(report.subsetAccuracy.toFixed(4)), Number(report.hammingLoss.toFixed(4)), Number(result.loss.toFixed(4))]]),
    '',
    formatMultiLabelReport(report),
  ].join('\n'));
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
