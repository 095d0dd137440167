// `fused-rnn train`: one text classifier on the built-in sentiment data or a user CSV/TSV/JSONL file.

import { Command } from 'commander';
import { loadKernels } from '../../src/index.js';
import { prepareText, trainTextClassifier } from '../../src/tasks/text-classification.js';
import { TEXT_MODEL_KINDS, type TextModelKind } from '../../src/tasks/text-models.js';
import { CliError } from '../errors.js';
import { checkOutTarget, saveTextClassifier } from '../model-dir.js';
import { emit, note, table } from '../output.js';
import { loadLabelledTexts } from '../user-data.js';
import { addTrainingOptions, loadEmbeddings, positiveInt, type TrainingFlags } from './text-options.js';

interface TrainFlags extends TrainingFlags {
  data: string;
  textColumn: string;
  labelColumn: string;
  model: TextModelKind;
  embeddings: string;
  maxlen?: number;
  out?: string;
  force?: boolean;
  json?: boolean;
}

export function trainCommand(): Command {
  const c = new Command('train')
    .description('train a text classifier (built-in sentiment data or your CSV/TSV/JSONL)')
    .option('--data <source>', '"sentiment" (built in) or a .csv/.tsv/.jsonl file with text and label columns', 'sentiment')
    .option('--text-column <name>', 'text column of a user file', 'text')
    .option('--label-column <name>', 'label column of a user file (two distinct values)', 'label')
    .option('--model <kind>', `model: ${TEXT_MODEL_KINDS.join(' | ')}`, 'lstm')
    .option('--embeddings <spec>', 'random | glove (built-in 100d subset) | glove:PATH', 'random')
    .option('--maxlen <n>', 'time steps (default: 95th percentile of the training texts)', positiveInt('--maxlen'))
    .option('--out <dir>', 'save the trained model (and its tokenizer) here')
    .option('--force', 'let --out replace a file or a non-empty directory that is not a fused-rnn model')
    .option('--json', 'print the results as JSON');
  return addTrainingOptions(c).action(async (o: TrainFlags) => {
    if (!TEXT_MODEL_KINDS.includes(o.model)) throw new CliError(`--model must be one of ${TEXT_MODEL_KINDS.join(', ')}, got "${o.model}"`);
    if (o.out !== undefined) await checkOutTarget(o.out, o.force); // before training, not after
    const kernels = await loadKernels();
    const data = await loadLabelledTexts(o.data, o.textColumn, o.labelColumn);
    const prepared = prepareText(data.texts, data.labels, { seed: o.seed, maxlen: o.maxlen });
    const vectors = await loadEmbeddings(o.embeddings);
    note(o, `${data.name}: ${data.texts.length} texts (train ${prepared.train.length}, validation ${prepared.validation.length}, test ${prepared.test.length}); ` +
      `vocabulary ${prepared.tokenizer.vocabularySize}; T = ${prepared.maxlen}; model ${o.model}, embeddings ${o.embeddings}`);
    const epochRows: Array<Array<string | number>> = [];
    const r = await trainTextClassifier(prepared, {
      kind: o.model, vectors, units: o.units, dropout: o.dropout, epochs: o.epochs, batchSize: o.batchSize, learningRate: o.lr,
      optimizer: o.optimizer, seed: o.seed, kernels, clipvalue: o.clipvalue, clipnorm: o.clipnorm, globalClipnorm: o.globalClipnorm, clipGradNorm: o.clipGradNorm,
      callbacks: [{
        onEpochEnd: (epoch, logs) => {
          const row = [epoch + 1, Number(logs!.loss.toFixed(4)), Number(logs!.accuracy.toFixed(4)), Number(logs!.val_loss.toFixed(4)), Number(logs!.val_accuracy.toFixed(4))];
          epochRows.push(row);
          note(o, `epoch ${row[0]}/${o.epochs}: loss ${row[1]}, accuracy ${row[2]}, val_loss ${row[3]}, val_accuracy ${row[4]}`);
        },
      }],
    });
    if (o.out) await saveTextClassifier(o.out, r.model, prepared.tokenizer, prepared.maxlen, data.classes, o.force);
    emit(o, {
      data: data.name, model: o.model, embeddings: o.embeddings, testAccuracy: r.testAccuracy, testLoss: r.testLoss, bestEpoch: r.bestEpoch + 1,
      trainSeconds: r.trainSeconds, params: r.params, trainableParams: r.trainableParams, history: r.history, coverage: r.coverage, saved: o.out ?? null,
    }, () => [
      '',
      table(['epoch', 'loss', 'accuracy', 'val_loss', 'val_accuracy'], epochRows),
      '',
      `test accuracy ${r.testAccuracy.toFixed(3)} (weights of epoch ${r.bestEpoch + 1}, best validation accuracy); ${r.trainSeconds.toFixed(1)} s; ${r.params.toLocaleString('en-US')} params`,
      ...(o.out ? [`saved to ${o.out}`] : []),
    ].join('\n'));
  });
}
