// The teaching material's gradient experiments, measured on the fused kernels (used by `fused-rnn diagnose`
// and the web page). Every result is a number from a real run; the pictures are drawn from those numbers.
//   1. the one-neuron linear RNN h_t = w·h_{t−1} over 1000 steps (w = 1, 1.01, 0.99, 0.01) and dL/dw
//   2. SimpleRNN vs LSTM vs GRU on a long-range task (classify by the first token) at T = 50 and 100:
//      ‖dL/dh_t‖ over t at the first step and over training, and which of them learn
//   3. exploding: a ReLU SimpleRNN whose recurrent kernel has spectral norm 2, trained with plain SGD with
//      and without global-norm clipping: loss curves, clip events, NaN-guard events

import type { Kernels } from '../../bindings/index.js';
import { analyzeSeries, type SeriesAnalysis } from '../diagnostics/analysis.js';
import { GradientMonitor } from '../diagnostics/gradient-monitor.js';
import { linearRnnTable, type LinearRnnResult } from '../diagnostics/linear-rnn.js';
import { summarizeTraining, type TrainingSummary } from '../diagnostics/training-summary.js';
import { Orthogonal } from '../initializers.js';
import { Dense } from '../layers/dense.js';
import { Embedding } from '../layers/embedding.js';
import { GRU } from '../layers/gru.js';
import type { Layer } from '../layers/layer.js';
import { LSTM } from '../layers/lstm.js';
import { SimpleRNN } from '../layers/simple-rnn.js';
import { Sequential } from '../model/sequential.js';
import { Random } from '../random.js';
import { validateTaskOptions } from '../options/tasks.js';

/** The one-neuron linear RNN table: y = w^T and dy/dw for w around 1 (vanishing vs exploding). */
export function oneNeuronExperiment(): LinearRnnResult[] {
  return linearRnnTable();
}

/** Classify by the first of T tokens: ids in [1, V), label = first > V/2. */
export function firstTokenData(N: number, T: number, V: number, seed: number): { x: { data: Int32Array; shape: number[] }; y: { data: Float32Array; shape: number[] } } {
  const r = new Random(seed);
  const x = new Int32Array(N * T), y = new Float32Array(N);
  for (let i = 0; i < N; i++) {
    for (let t = 0; t < T; t++) x[i * T + t] = 1 + r.int(V - 1);
    y[i] = x[i * T] > V / 2 ? 1 : 0;
  }
  return { x: { data: x, shape: [N, T] }, y: { data: y, shape: [N, 1] } };
}

/**
 * The adding problem (Hochreiter & Schmidhuber 1997): x (N, T, 2) = (value in [0, 1), marker); exactly two
 * markers, one in the first 10 steps and one in the second half; y = the sum of the two marked values (MSE).
 */
export function addingData(N: number, T: number, seed: number): { x: { data: Float32Array; shape: number[] }; y: { data: Float32Array; shape: number[] } } {
  const r = new Random(seed);
  const x = new Float32Array(N * T * 2), y = new Float32Array(N);
  for (let n = 0; n < N; n++) {
    const a = r.int(Math.min(10, Math.floor(T / 2))), b = Math.floor(T / 2) + r.int(T - Math.floor(T / 2));
    for (let t = 0; t < T; t++) {
      const v = r.uniform(), marked = t === a || t === b;
      x[(n * T + t) * 2] = v;
      x[(n * T + t) * 2 + 1] = marked ? 1 : 0;
      if (marked) y[n] += v;
    }
  }
  return { x: { data: x, shape: [N, T, 2] }, y: { data: y, shape: [N, 1] } };
}

export type LongRangeTask = 'first-token' | 'adding';

/** One cell's run of the long-range experiment: gradient norms through time and accuracy. */
export interface CellRun {
  name: string;
  cell: 'simple-rnn' | 'lstm' | 'gru';
  T: number;
  /** ‖dL/dh_t‖ at the first training step (t = 1..T). */
  initial: Float64Array;
  initialAnalysis: SeriesAnalysis;
  /** Recorded steps × T over training. */
  rows: number[][];
  stepNumbers: number[];
  summary: TrainingSummary;
  /** Validation accuracy per epoch (first-token) or validation MSE per epoch (adding). */
  valAccuracy: number[];
  task: LongRangeTask;
  forgetGateMean: number | null;
  spectralNorm: number | null;
  seconds: number;
}

export interface LongRangeOptions {
  /** 'first-token' (classify by the first of T tokens, default) or 'adding' (the adding problem, MSE). */
  task?: LongRangeTask;
  lengths?: number[];
  samples?: number;
  epochs?: number;
  units?: number;
  seed?: number;
  kernels?: Kernels;
  onProgress?: (text: string) => void;
}

/** Experiment 2. SimpleRNN runs twice: with Keras' default orthogonal recurrent kernel and with glorotUniform. */
export async function longRangeExperiment(o: LongRangeOptions = {}): Promise<CellRun[]> {
  validateTaskOptions('longRangeExperiment', o);
  const runs: CellRun[] = [];
  const V = 10, units = o.units ?? 32;
  const cells: Array<{ name: string; cell: CellRun['cell']; make: () => Layer }> = [
    { name: 'SimpleRNN (tanh, orthogonal U)', cell: 'simple-rnn', make: () => new SimpleRNN({ units }) },
    { name: 'SimpleRNN (tanh, glorotUniform U)', cell: 'simple-rnn', make: () => new SimpleRNN({ units, recurrentInitializer: 'glorotUniform' }) },
    { name: 'LSTM', cell: 'lstm', make: () => new LSTM({ units }) },
    { name: 'GRU', cell: 'gru', make: () => new GRU({ units }) },
  ];
  const task = o.task ?? 'first-token';
  for (const T of o.lengths ?? [50, 100]) {
    const { x, y } = task === 'adding' ? addingData(o.samples ?? 2000, T, (o.seed ?? 0) + T) : firstTokenData(o.samples ?? 1000, T, V, (o.seed ?? 0) + T);
    for (const c of cells) {
      const model = task === 'adding'
        ? new Sequential([c.make(), new Dense({ units: 1 })], { seed: o.seed ?? 0, kernels: o.kernels })
        : new Sequential([new Embedding({ inputDim: V, outputDim: 8 }), c.make(), new Dense({ units: 1, activation: 'sigmoid' })], { seed: o.seed ?? 0, kernels: o.kernels });
      model.compile(task === 'adding'
        ? { optimizer: { className: 'Adam', config: { learningRate: 0.005 } }, loss: 'meanSquaredError' }
        : { optimizer: { className: 'Adam', config: { learningRate: 0.005 } }, loss: 'binaryCrossentropy', metrics: ['accuracy'] });
      const monitor = new GradientMonitor({ every: 5, spectralEvery: 1000, updateRatios: false });
      const t0 = performance.now();
      const h = await model.fit(x, y, { epochs: o.epochs ?? 10, batchSize: 32, validationSplit: 0.2, seed: o.seed ?? 0, callbacks: [monitor] });
      const rows = monitor.records.map((r) => r.layers[0].dh);
      const stepNumbers = monitor.records.map((r) => r.step);
      const initial = Float64Array.from(rows[0]);
      const first = monitor.records[0].layers[0];
      const run: CellRun = {
        name: c.name, cell: c.cell, T, initial, initialAnalysis: analyzeSeries(initial), rows, stepNumbers,
        summary: summarizeTraining(rows, { stepNumbers }), valAccuracy: task === 'adding' ? h.history.val_loss : h.history.val_accuracy, task,
        forgetGateMean: first.gates?.find((g) => g.gate === 'forget')?.mean ?? null,
        spectralNorm: first.spectral?.full ?? null, seconds: (performance.now() - t0) / 1000,
      };
      runs.push(run);
      const lastRow = rows[rows.length - 1];
      o.onProgress?.(`T = ${T}, ${c.name}: ‖dL/dh_1‖/‖dL/dh_T‖ at the first step ${run.initialAnalysis.ratio.toExponential(2)}, ` +
        `at the last recorded step ${(lastRow[0] / lastRow[T - 1]).toExponential(2)}; ` +
        `validation ${task === 'adding' ? 'MSE' : 'accuracy'} after ${run.valAccuracy.length} epochs ${run.valAccuracy.at(-1)!.toFixed(3)} (${run.seconds.toFixed(1)} s)`);
    }
  }
  return runs;
}

/** One training run of the exploding-gradient experiment (with or without clipping). */
export interface ExplodingRun {
  name: string;
  clipNorm: number | null;
  loss: number[];
  steps: number[];
  clipSteps: number[];
  guardSteps: number[];
  globalNorms: number[];
  spectralNorms: Array<{ step: number; sigma: number }>;
  initialAnalysis: SeriesAnalysis;
  finalAccuracy: number;
}

/** Experiment 3: ReLU SimpleRNN, U = 2 × orthogonal (σ_max = 2), SGD lr 0.01, with and without global clipping. */
export async function explodingExperiment(o: { T?: number; epochs?: number; clipNorm?: number; seed?: number; kernels?: Kernels; onProgress?: (t: string) => void } = {}): Promise<ExplodingRun[]> {
  validateTaskOptions('explodingExperiment', o);
  const T = o.T ?? 30;
  const { x, y } = firstTokenData(400, T, 10, (o.seed ?? 0) + 7);
  const out: ExplodingRun[] = [];
  for (const clipNorm of [null, o.clipNorm ?? 1]) {
    const model = new Sequential([
      new Embedding({ inputDim: 10, outputDim: 8, embeddingsInitializer: { className: 'RandomUniform', config: { minval: -1, maxval: 1 } } }),
      new SimpleRNN({ units: 32, activation: 'relu', recurrentInitializer: new Orthogonal(2) }),
      new Dense({ units: 1, activation: 'sigmoid' }),
    ], { seed: o.seed ?? 0, kernels: o.kernels });
    model.compile({ optimizer: { className: 'SGD', config: { learningRate: 0.01, ...(clipNorm ? { globalClipnorm: clipNorm } : {}) } }, loss: 'binaryCrossentropy', metrics: ['accuracy'] });
    const monitor = new GradientMonitor({ spectralEvery: 5, updateRatios: false });
    const h = await model.fit(x, y, { epochs: o.epochs ?? 5, batchSize: 20, seed: o.seed ?? 0, callbacks: [monitor], maxConsecutiveNonFinite: 1_000_000 });
    const r = monitor.records;
    const run: ExplodingRun = {
      name: clipNorm ? `SGD + global clipnorm ${clipNorm}` : 'SGD, no clipping', clipNorm,
      loss: r.map((q) => q.loss), steps: r.map((q) => q.step), clipSteps: r.filter((q) => q.clipped).map((q) => q.step),
      guardSteps: r.filter((q) => q.guard).map((q) => q.step), globalNorms: r.map((q) => q.globalNorm),
      spectralNorms: r.filter((q) => q.layers[0].spectral).map((q) => ({ step: q.step, sigma: q.layers[0].spectral!.full })),
      initialAnalysis: analyzeSeries(r[0].layers[0].dh), finalAccuracy: h.history.accuracy.at(-1) ?? NaN,
    };
    out.push(run);
    o.onProgress?.(`${run.name}: first-step global norm ${run.globalNorms[0].toExponential(2)}, ${run.clipSteps.length} clipped steps, ` +
      `${run.guardSteps.length} steps skipped by the NaN guard, final loss ${run.loss.at(-1)}`);
  }
  return out;
}
