// `fused-rnn diagnose`: the teaching material's vanishing/exploding-gradient experiments, measured; writes
// SVG pictures, data (JSON) and a Markdown + HTML report into --out, and prints sparklines.

import { Command } from 'commander';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { loadKernels } from '../../src/index.js';
import { gradientHeatmap, gradientNormChart, htmlReport, linearRnnMarkdown, lossCurve, markdownReport, sparkline, type Figure, type LayerDiagnostics } from '../../src/diagnostics/index.js';
import { explodingExperiment, longRangeExperiment, oneNeuronExperiment } from '../../src/tasks/gradient-experiments.js';
import { emit, note } from '../output.js';
import { CliError } from '../errors.js';
import { nonNegativeInt, positiveInt } from './text-options.js';

const slug = (s: string) => s.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');

export function diagnoseCommand(): Command {
  return new Command('diagnose')
    .description('vanishing/exploding gradient experiments: one-neuron RNN, SimpleRNN vs LSTM vs GRU, clipping')
    .option('--out <dir>', 'where to write the SVGs and the report', 'runs/diagnose')
    .option('--lengths <list>', 'sequence lengths for the long-range experiment', '50,100')
    .option('--epochs <n>', 'epochs for the long-range experiment', positiveInt('--epochs'), 30)
    .option('--task <name>', 'long-range task: adding (the adding problem) | first-token (classify by the first token)', 'adding')
    .option('--seed <n>', 'seed', nonNegativeInt('--seed'), 0)
    .option('--json', 'print the measured numbers as JSON')
    .action(async (o: { out: string; lengths: string; epochs: number; task: 'first-token' | 'adding'; seed: number; json?: boolean }) => {
      if (o.task !== 'first-token' && o.task !== 'adding') throw new CliError(`--task must be first-token or adding, got "${o.task}"`);
      const lengths = o.lengths.split(',').map((s) => Number(s.trim()));
      if (lengths.some((T) => !Number.isInteger(T) || T < 2)) throw new CliError(`--lengths must be integers ≥ 2, got "${o.lengths}"`);
      const kernels = await loadKernels();
      await mkdir(o.out, { recursive: true });
      const progress = (t: string) => note(o, t);
      const figures: Figure[] = [];
      const addFigure = async (title: string, svg: string, caption: string) => {
        const file = `${slug(title)}.svg`;
        await writeFile(join(o.out, file), svg);
        figures.push({ title, svg, file, caption });
      };

      // 1. One neuron
      const linear = oneNeuronExperiment();
      note(o, '1. one-neuron linear RNN, 1000 steps, h0 = 1, L = h_1000:');
      note(o, linearRnnMarkdown(linear));

      // 2. Long-range task
      const metric = o.task === 'adding' ? 'validation MSE' : 'validation accuracy';
      note(o, `\n2. ${o.task === 'adding' ? 'the adding problem' : 'classify by the first token'}, T = ${lengths.join(', ')}:`);
      const runs = await longRangeExperiment({ task: o.task, lengths, epochs: o.epochs, seed: o.seed, kernels, onProgress: progress });
      const layers: LayerDiagnostics[] = [];
      for (const T of lengths) {
        const atT = runs.filter((r) => r.T === T);
        await addFigure(`Gradient norm vs time step, T = ${T} (first training step)`,
          gradientNormChart(atT.map((r) => ({ name: r.name, values: r.initial })), { title: `‖dL/dh_t‖ at the first step, T = ${T}`, xLabel: 'time step t', yLabel: '‖dL/dh_t‖' }),
          `The same task, batch and seed for every cell; the loss sits after step ${T}.`);
        for (const r of atT) {
          await addFigure(`Heatmap ${r.name}, T = ${T}`,
            gradientHeatmap(r.rows, { stepNumbers: r.stepNumbers, title: `log10 ‖dL/dh_t‖ over training: ${r.name}, T = ${T}` }),
            `${metric[0].toUpperCase()}${metric.slice(1)} after ${r.valAccuracy.length} epochs: ${r.valAccuracy.at(-1)!.toFixed(3)}.`);
          layers.push({
            name: `${r.name}, T = ${T}`, cell: r.cell, activation: 'tanh', analysis: r.initialAnalysis, norms: r.initial, summary: r.summary,
            spectralNorm: r.spectralNorm ?? undefined,
          });
          note(o, `  ${r.name.padEnd(34)} T=${String(T).padEnd(4)} ${sparkline(r.initial, { width: 40 })}  ${metric} ${r.valAccuracy.at(-1)!.toFixed(3)}`);
        }
      }

      // 3. Exploding
      note(o, '\n3. exploding gradients: ReLU SimpleRNN with σ_max(U) = 2, SGD lr 0.01:');
      const exploding = await explodingExperiment({ seed: o.seed, kernels, onProgress: progress });
      await addFigure('Loss with and without clipping', lossCurve(exploding.map((r) => ({ name: r.name, loss: r.loss, steps: r.steps, clipSteps: r.clipSteps, guardSteps: r.guardSteps })), {
        title: 'Training loss: exploding ReLU RNN', yScale: 'log', xLabel: 'training step', yLabel: 'loss',
      }), 'Ticks mark clipped steps; crosses mark steps the NaN/Inf guard skipped.');
      for (const r of exploding) {
        layers.push({ name: `exploding: ${r.name}`, cell: 'simple-rnn', activation: 'relu', analysis: r.initialAnalysis, spectralNorm: r.spectralNorms[0]?.sigma, clip: null });
      }

      const report = {
        title: 'fused-rnn gradient diagnostics',
        intro: [`Measured with the ${kernels.backend} kernels, seed ${o.seed}. Every number below comes from this run.`],
        layers, linearRnn: linear, figures,
        notes: [
          `Long-range task: ${o.task}.`,
          ...runs.map((r) => `${r.name}, T = ${r.T}: ${r.seconds.toFixed(1)} s; ‖dL/dh_1‖/‖dL/dh_T‖ at the first step ${r.initialAnalysis.ratio.toExponential(2)}, at the last recorded step ${(r.rows[r.rows.length - 1][0] / r.rows[r.rows.length - 1][r.T - 1]).toExponential(2)}; ${metric} per epoch ${r.valAccuracy.map((v) => v.toFixed(3)).join(' ')}` +
            (r.forgetGateMean !== null ? `; forget-gate mean at the first step ${r.forgetGateMean.toFixed(3)}` : '')),
          ...exploding.map((r) => `${r.name}: first-step global norm ${r.globalNorms[0].toExponential(2)}; ${r.clipSteps.length} clipped and ${r.guardSteps.length} guard-skipped of ${r.steps.length} steps; σ_max(U) ${r.spectralNorms.map((s) => s.sigma.toPrecision(3)).join(' → ')}`),
        ],
      };
      await writeFile(join(o.out, 'report.md'), markdownReport(report));
      await writeFile(join(o.out, 'report.html'), htmlReport(report));
      const data = {
        linear, task: o.task, longRange: runs.map((r) => ({ name: r.name, T: r.T, finalRatio: r.rows[r.rows.length - 1][0] / r.rows[r.rows.length - 1][r.T - 1], initial: Array.from(r.initial), initialRatio: r.initialAnalysis.ratio, rate: r.initialAnalysis.fit.rate, verdict: r.initialAnalysis.verdict, valAccuracy: r.valAccuracy, forgetGateMean: r.forgetGateMean, rows: r.rows, stepNumbers: r.stepNumbers })),
        exploding,
      };
      await writeFile(join(o.out, 'data.json'), JSON.stringify(data));
      emit(o, data, () => `\nwrote ${figures.length} SVGs, report.md, report.html and data.json to ${o.out}`);
    });
}
