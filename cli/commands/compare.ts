// `fused-rnn compare`: the main job. On the built-in sentiment sentences, the teaching material's
// comparison: SimpleRNN baseline vs LSTM vs GRU vs LSTM initialised from GloVe, each trained the same way;
// a table of test accuracy, training time and parameter count; the best model saved; a prediction shown.

import { Command } from 'commander';
import { loadKernels } from '../../src/index.js';
import { loadSentiment, loadSentimentGlove } from '../../src/data/datasets.js';
import { prepareText, predictTexts, trainTextClassifier, type TrainTextResult } from '../../src/tasks/text-classification.js';
import type { TextModelKind } from '../../src/tasks/text-models.js';
import { checkOutTarget, saveTextClassifier } from '../model-dir.js';
import { emit, note, table } from '../output.js';
import { addTrainingOptions, type TrainingFlags } from './text-options.js';

const EXAMPLES = ['The food was wonderful and the staff were friendly.', 'Terrible phone, it broke after two days.'];

export function compareCommand(): Command {
  const c = new Command('compare')
    .description('main job: SimpleRNN vs LSTM vs GRU vs LSTM+GloVe on the built-in sentiment sentences')
    .option('--out <dir>', 'where to save the best model', 'runs/compare-best')
    .option('--force', 'let --out replace a file or a non-empty directory that is not a fused-rnn model')
    .option('--json', 'print the results as JSON');
  return addTrainingOptions(c).action(async (o: TrainingFlags & { out: string; force?: boolean; json?: boolean }) => {
    await checkOutTarget(o.out, o.force); // before training, not after
    const kernels = await loadKernels();
    const data = await loadSentiment();
    const prepared = prepareText(data.texts, data.labels, { seed: o.seed });
    note(o, `sentiment: ${data.texts.length} sentences; train ${prepared.train.length}, validation ${prepared.validation.length}, test ${prepared.test.length}; ` +
      `vocabulary ${prepared.tokenizer.vocabularySize}, T = ${prepared.maxlen} (95th percentile); backend ${kernels.backend}`);
    const glove = await loadSentimentGlove();
    const runs: Array<{ label: string; kind: TextModelKind; glove: boolean }> = [
      { label: 'SimpleRNN', kind: 'simple', glove: false },
      { label: 'LSTM', kind: 'lstm', glove: false },
      { label: 'GRU', kind: 'gru', glove: false },
      { label: 'LSTM + GloVe', kind: 'lstm', glove: true },
    ];
    const results: Array<{ label: string; r: TrainTextResult }> = [];
    for (const run of runs) {
      note(o, `training ${run.label} (${o.epochs} epochs)...`);
      const r = await trainTextClassifier(prepared, {
        kind: run.kind, vectors: run.glove ? glove : null, units: o.units, dropout: o.dropout, epochs: o.epochs, batchSize: o.batchSize,
        learningRate: o.lr, optimizer: o.optimizer, seed: o.seed, kernels,
        clipvalue: o.clipvalue, clipnorm: o.clipnorm, globalClipnorm: o.globalClipnorm, clipGradNorm: o.clipGradNorm,
      });
      note(o, `  test accuracy ${r.testAccuracy.toFixed(3)} (best validation epoch ${r.bestEpoch + 1}), ${r.trainSeconds.toFixed(1)} s` +
        (r.coverage ? `; GloVe covers ${(100 * r.coverage.typeShare).toFixed(1)}% of word types, ${(100 * r.coverage.tokenShare).toFixed(1)}% of tokens` : ''));
      results.push({ label: run.label, r });
    }
    const best = results.reduce((a, b) => (b.r.testAccuracy > a.r.testAccuracy ? b : a));
    await saveTextClassifier(o.out, best.r.model, prepared.tokenizer, prepared.maxlen, ['negative', 'positive'], o.force);
    const probs = await predictTexts(best.r.model, prepared.tokenizer, prepared.maxlen, EXAMPLES);
    const summary = results.map(({ label, r }) => ({
      model: label, testAccuracy: r.testAccuracy, trainSeconds: r.trainSeconds, params: r.params, trainableParams: r.trainableParams,
      bestEpoch: r.bestEpoch + 1, glove: r.coverage ? { typeShare: r.coverage.typeShare, tokenShare: r.coverage.tokenShare } : null,
    }));
    emit(o, { results: summary, best: best.label, saved: o.out, predictions: EXAMPLES.map((t, i) => ({ text: t, positive: probs[i] })) }, () => [
      '',
      table(['model', 'test accuracy', 'train time (s)', 'params', 'trainable'],
        summary.map((s) => [s.model, Number(s.testAccuracy.toFixed(3)), Number(s.trainSeconds.toFixed(1)), s.params, s.trainableParams])),
      '',
      `best: ${best.label}, saved to ${o.out}`,
      ...EXAMPLES.map((t, i) => `  ${probs[i] >= 0.5 ? 'positive' : 'negative'} (${probs[i].toFixed(3)})  "${t}"`),
      `  try: npm run cli -- predict --model ${o.out} "your sentence"   (installed: fused-rnn predict ...)`,
    ].join('\n'));
  });
}
