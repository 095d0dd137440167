// fused-rnn/tfjs layers vs stock TensorFlow.js 4.22 layers (cpu backend) on identical weights: for every class
// and option (masks on either side, goBackwards, returnSequences, returnState with initialState, useBias,
// activations, every Bidirectional merge mode, dropout with a deterministic dropoutFunc, stateful) the outputs
// of predict, the gradients of a weighted-sum loss for every weight and input, and the weights after 5 Adam
// steps agree within 1e-5; each case also asserts the fused kernels ran (or, for what the kernels cannot
// express, that tfjs' per-step code ran and said why). Shapes: B 3, T 6, D 5, H 7 (not multiples of 4).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { FusedLayersInstallation } from '../src/tfjs/index.js';
import { checkClose } from './helpers/check-close.js';
import { uniform } from './helpers/random.js';
import { calls, compareCase, resetCounters, setup, stockPathCalls, tf, twins, type TwinCase } from './helpers/tfjs-twins.js';

/* eslint-disable @typescript-eslint/no-explicit-any */
const B = 3, T = 6, D = 5, H = 7;
// tfjs' defaults hardSigmoid and orthogonal (whose chained ops the Node bundles lack) are set explicitly.
const R = { recurrentActivation: 'sigmoid', recurrentInitializer: 'glorotUniform' } as const;
const S = { recurrentInitializer: 'glorotUniform' } as const;

const x = () => tf.tensor3d(uniform(B * T * D, 5), [B, T, D]);
/** x with zeroed (masked) steps: per row, the steps listed are zero. */
function xMasked(zeroSteps: number[][]) {
  const v = uniform(B * T * D, 6);
  zeroSteps.forEach((steps, b) => steps.forEach((t) => v.fill(0, (b * T + t) * D, (b * T + t + 1) * D)));
  return tf.tensor3d(v, [B, T, D]);
}
const RIGHT = [[], [4, 5], [1, 2, 3, 4, 5]];
const LEFT = [[], [0, 1], [0, 1, 2, 3, 4, 5]];
const GAPS = [[], [2], [0, 5]];

/** input → (optional Masking) → recurrent layer(s) built by `layer(L)`. */
function seq(name: string, layer: (L: any) => any, opts: { mask?: number[][]; stockPath?: string } = {}): TwinCase {
  return {
    name,
    stockPath: opts.stockPath,
    // tfjs' Masking layer has no gradient for its input (its `any` op), in either model.
    noInputGrads: opts.mask !== undefined,
    inputs: () => [opts.mask ? xMasked(opts.mask) : x()],
    build: (L) => {
      const input = tf.input({ shape: [T, D] });
      const h = opts.mask ? tf.layers.masking({ maskValue: 0 }).apply(input) : input;
      const out = layer(L).apply(h);
      return { inputs: [input], outputs: Array.isArray(out) ? out : [out] };
    },
  };
}

/** A recurrent layer with initial states as extra model inputs, returning its states. */
function withStates(name: string, nStates: number, layer: (L: any) => any): TwinCase {
  return {
    name,
    statesAsInputs: true,
    inputs: () => [x(), ...Array.from({ length: nStates }, (_, i) => tf.tensor2d(uniform(B * H, 40 + i), [B, H]))],
    build: (L) => {
      const input = tf.input({ shape: [T, D] });
      const states = Array.from({ length: nStates }, () => tf.input({ shape: [H] }));
      // Initial states as extra inputs of apply (tfjs' functional executor re-standardizes them this way).
      const out = layer(L).apply([input, ...states]);
      return { inputs: [input, ...states], outputs: out };
    },
  };
}

/** A deterministic dropoutFunc (tfjs calls it with ones and the rate): drops every third unit. */
const dropoutFunc = (ones: any, rate: number) => {
  const n = ones.size;
  const m = Float32Array.from({ length: n }, (_, i) => ((i * 7 + 3) % 3 === 0 ? 0 : 1 / (1 - rate)));
  return tf.mul(ones, tf.tensor(m, ones.shape));
};

const CASES: TwinCase[] = [
  seq('LSTM(7)', (L) => L.lstm({ units: H, ...R, name: 'rnn' })),
  seq('LSTM(7, seq)', (L) => L.lstm({ units: H, returnSequences: true, ...R, name: 'rnn' })),
  seq('LSTM(7, seq, goBackwards)', (L) => L.lstm({ units: H, returnSequences: true, goBackwards: true, ...R, name: 'rnn' })),
  seq('LSTM(7, goBackwards)', (L) => L.lstm({ units: H, goBackwards: true, ...R, name: 'rnn' })),
  seq('LSTM(7, seq), right-padded mask', (L) => L.lstm({ units: H, returnSequences: true, ...R, name: 'rnn' }), { mask: RIGHT }),
  seq('LSTM(7), left-padded mask', (L) => L.lstm({ units: H, ...R, name: 'rnn' }), { mask: LEFT }),
  seq('LSTM(7, seq, goBackwards), right-padded mask', (L) => L.lstm({ units: H, returnSequences: true, goBackwards: true, ...R, name: 'rnn' }), { mask: RIGHT }),
  seq('LSTM(7, relu, useBias false, unitForgetBias)', (L) => L.lstm({ units: H, activation: 'relu', useBias: false, unitForgetBias: true, ...R, name: 'rnn' })),
  seq('LSTM(7, seq) → LSTM(4)', (L) => ({
    apply: (h: any) => L.lstm({ units: 4, ...R, name: 'rnn2' }).apply(L.lstm({ units: H, returnSequences: true, ...R, name: 'rnn1' }).apply(h)),
  })),
  withStates('LSTM(7, seq, returnState) with initialState [h0, c0]', 2,
    (L) => L.lstm({ units: H, returnSequences: true, returnState: true, ...R, name: 'rnn' })),
  withStates('LSTM(7, goBackwards, returnState) with initialState', 2,
    (L) => L.lstm({ units: H, goBackwards: true, returnState: true, ...R, name: 'rnn' })),
  seq('GRU(7)', (L) => L.gru({ units: H, ...R, name: 'rnn' })),
  seq('GRU(7, seq, goBackwards)', (L) => L.gru({ units: H, returnSequences: true, goBackwards: true, ...R, name: 'rnn' })),
  seq('GRU(7, seq), left-padded mask', (L) => L.gru({ units: H, returnSequences: true, ...R, name: 'rnn' }), { mask: LEFT }),
  seq('GRU(7, relu, useBias false)', (L) => L.gru({ units: H, activation: 'relu', useBias: false, ...R, name: 'rnn' })),
  withStates('GRU(7, seq, returnState) with initialState', 1, (L) => L.gru({ units: H, returnSequences: true, returnState: true, ...R, name: 'rnn' })),
  seq('SimpleRNN(7, seq)', (L) => L.simpleRNN({ units: H, returnSequences: true, ...S, name: 'rnn' })),
  seq('SimpleRNN(7, relu), right-padded mask', (L) => L.simpleRNN({ units: H, activation: 'relu', ...S, name: 'rnn' }), { mask: RIGHT }),
  seq('SimpleRNN(7, goBackwards, linear)', (L) => L.simpleRNN({ units: H, activation: 'linear', goBackwards: true, ...S, name: 'rnn' })),
  withStates('SimpleRNN(7, returnState) with initialState', 1, (L) => L.simpleRNN({ units: H, returnState: true, ...S, name: 'rnn' })),
  ...(['concat', 'sum', 'ave', 'mul'] as const).map((mergeMode) =>
    seq(`Bidirectional(LSTM(7, seq), ${mergeMode})`, (L) => L.bidirectional({ layer: L.lstm({ units: H, returnSequences: true, ...R, name: 'rnn' }), mergeMode, name: 'bi' }))),
  seq('Bidirectional(LSTM(7), concat), right-padded mask', (L) => L.bidirectional({ layer: L.lstm({ units: H, ...R, name: 'rnn' }), name: 'bi' }), { mask: RIGHT }),
  seq('Bidirectional(GRU(7, seq), concat), left-padded mask', (L) => L.bidirectional({ layer: L.gru({ units: H, returnSequences: true, ...R, name: 'rnn' }), name: 'bi' }), { mask: LEFT }),
  seq('Bidirectional(SimpleRNN(7, seq), merge null)', (L) => L.bidirectional({ layer: L.simpleRNN({ units: H, returnSequences: true, ...S, name: 'rnn' }), mergeMode: null, name: 'bi' })),
  seq('Bidirectional(LSTM(7, returnState), concat)', (L) => L.bidirectional({ layer: L.lstm({ units: H, returnState: true, ...R, name: 'rnn' }), name: 'bi' })),
  seq('LSTM(7, seq), dropout 0.3, recurrentDropout 0.4 (deterministic dropoutFunc)',
    (L) => L.lstm({ units: H, returnSequences: true, dropout: 0.3, recurrentDropout: 0.4, dropoutFunc, ...R, name: 'rnn' })),
  seq('SimpleRNN(7), dropout 0.25, recurrentDropout 0.5 (deterministic dropoutFunc)',
    (L) => L.simpleRNN({ units: H, dropout: 0.25, recurrentDropout: 0.5, dropoutFunc, ...S, name: 'rnn' })),
  seq('GRU(7, seq), dropout 0.3 (deterministic dropoutFunc)', (L) => L.gru({ units: H, returnSequences: true, dropout: 0.3, dropoutFunc, ...R, name: 'rnn' })),
  // What the kernels cannot express runs tfjs' per-step code (and still agrees).
  seq('LSTM(7) with tfjs default hardSigmoid gates', (L) => L.lstm({ units: H, recurrentInitializer: 'glorotUniform', name: 'rnn' }), { stockPath: 'hardSigmoid' }),
  seq('LSTM(7, seq), mask with gaps', (L) => L.lstm({ units: H, returnSequences: true, ...R, name: 'rnn' }), { mask: GAPS, stockPath: 'gaps' }),
];

let inst: FusedLayersInstallation;
let reference: FusedLayersInstallation;
test.before(async () => {
  inst = await setup('cpu');
  const { installFusedLayers } = await import('../src/tfjs/index.js');
  reference = await installFusedLayers(tf, { kernels: inst.kernels, register: false, fused: false });
});

for (const c of CASES) test(c.name, () => compareCase(c, inst));

test('GRU resetAfter (Keras default, bias (2, 3H)): stock tfjs refuses it; fused = the reset_after step in tfjs ops', async () => {
  assert.throws(() => tf.layers.gru({ units: H, resetAfter: true } as any), /reset_after/);
  for (const c of [
    seq('GRU(7, resetAfter)', (L) => L.gru({ units: H, resetAfter: true, ...R, name: 'rnn' })),
    seq('GRU(7, seq, resetAfter, goBackwards), right-padded mask', (L) => L.gru({ units: H, resetAfter: true, returnSequences: true, goBackwards: true, ...R, name: 'rnn' }), { mask: RIGHT }),
    seq('Bidirectional(GRU(7, seq, resetAfter))', (L) => L.bidirectional({ layer: L.gru({ units: H, resetAfter: true, returnSequences: true, ...R, name: 'rnn' }), name: 'bi' })),
  ]) {
    await compareCase(c, inst, reference.layers);
    const bias = twins(c, inst.layers, 1, reference.layers).fused.weights.find((w) => /bias/.test(w.name))!;
    assert.equal(bias.shape, [2, 3 * H], 'reset_after bias is (2, 3H)');
  }
});

test('training path: dropout only in training; predict (inference) ignores it', () => {
  resetCounters();
  const c = seq('LSTM dropout', (L) => L.lstm({ units: H, returnSequences: true, dropout: 0.5, recurrentDropout: 0.5, ...R, name: 'rnn' }));
  const { fused } = twins(c, inst.layers);
  const xs = x();
  const a = (fused.predict(xs) as any).dataSync();
  const b = (fused.predict(xs) as any).dataSync();
  checkClose('inference is deterministic', a, b, 0, 0);
  const noDropout = twins(seq('LSTM', (L) => L.lstm({ units: H, returnSequences: true, ...R, name: 'rnn' })), inst.layers).fused;
  checkClose('inference equals the model without dropout', a, (noDropout.predict(xs) as any).dataSync(), 1e-6, 0);
  const trained = (fused.apply(xs, { training: true }) as any).dataSync();
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff = Math.max(diff, Math.abs(a[i] - trained[i]));
  assert.ok(diff > 1e-3, `training output should differ from inference under dropout 0.5 (max diff ${diff})`);
  assert.equal(stockPathCalls, []);
});

test('stateful LSTM: states carry between predict calls and resetStates clears them, as in tfjs', () => {
  resetCounters();
  const build = (L: any) => tf.sequential({ layers: [L.lstm({ units: H, stateful: true, batchInputShape: [B, T, D], ...R, name: 'rnn' })] });
  const stock = build(tf.layers), fused = build(inst.layers);
  const w = fused.weights.map((v, i) => { const shape = v.shape as number[]; return tf.tensor(uniform(shape.reduce((a, b) => a * b, 1), 30 + i, -0.5, 0.5), shape); });
  stock.setWeights(w);
  fused.setWeights(w);
  const xs = x();
  const run = (m: any) => (m.predict(xs) as any).dataSync() as Float32Array;
  const s1 = run(stock), f1 = run(fused);
  checkClose('first call', f1, s1, 1e-5, 0);
  const s2 = run(stock), f2 = run(fused);
  checkClose('second call (carried state)', f2, s2, 1e-5, 0);
  let moved = 0;
  for (let i = 0; i < f1.length; i++) moved = Math.max(moved, Math.abs(f1[i] - f2[i]));
  assert.ok(moved > 1e-3, 'the carried state changes the second output');
  stock.resetStates();
  fused.resetStates();
  checkClose('after resetStates', run(fused), s1, 1e-5, 0);
  checkClose('after resetStates (stock)', run(stock), s1, 1e-5, 0);
  assert.ok(calls(/lstm_infer/) >= 3);
  assert.equal(stockPathCalls, []);
});

test('weights stay resident in kernel memory until tfjs changes them', async () => {
  resetCounters();
  const c = seq('LSTM', (L) => L.lstm({ units: H, ...R, name: 'rnn' }));
  const { fused } = twins(c, inst.layers);
  const layer = fused.getLayer('rnn') as any;
  const xs = x();
  fused.predict(xs);
  const uploads = layer.sequences.stats.weightUploads;
  fused.predict(xs);
  fused.predict(xs);
  assert.is(layer.sequences.stats.weightUploads, uploads, 'unchanged weights are not copied again');
  fused.compile({ optimizer: tf.train.sgd(0.1), loss: 'meanSquaredError' });
  await fused.trainOnBatch(xs, tf.zeros([B, H]));
  const before = (fused.predict(xs) as any).dataSync().slice();
  assert.ok(layer.sequences.stats.weightUploads > uploads, 'updated weights are uploaded');
  // setWeights also replaces the data: the next call sees the new values.
  fused.setWeights(fused.getWeights().map((w) => tf.mul(w, 0)));
  const zeroed = (fused.predict(xs) as any).dataSync();
  assert.ok(zeroed.every((v: number) => v === 0), 'zero weights give zero outputs');
  assert.ok(before.some((v: number) => v !== 0));
});

test('a layer shared twice in one model: the backward recomputes the overwritten forward and stays exact', async () => {
  resetCounters();
  const c: TwinCase = {
    name: 'shared LSTM',
    inputs: () => [x()],
    build: (L) => {
      const input = tf.input({ shape: [T, D] });
      const l = L.lstm({ units: D, returnSequences: true, ...R, name: 'rnn' });
      return { inputs: [input], outputs: [l.apply(l.apply(input))] };
    },
  };
  await compareCase(c, inst);
  const layer = twins(c, inst.layers).fused.getLayer('rnn') as any;
  void layer;
  assert.ok(calls(/lstm_forward/) > calls(/lstm_backward/), 'a recompute ran an extra forward');
});

test('bad input: wrong initial state count and wrong input width give tfjs-style errors', () => {
  const l = inst.layers.lstm({ units: H, ...R }) as any;
  l.apply(x());
  assert.throws(() => l.call(x(), { initialState: [tf.zeros([B, H])] }), /2 state\(s\) but was passed 1/);
  assert.throws(() => l.apply(tf.zeros([B, T, D + 1])), /expected.*5|incompatible|shape/i);
});

test.run();
