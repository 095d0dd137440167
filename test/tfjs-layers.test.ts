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
import { B, CASES, D, GAPS, H, LEFT, R, RIGHT, S, T, seq, x, xMasked } from './helpers/tfjs-cases.js';

/* eslint-disable @typescript-eslint/no-explicit-any */

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

test('initial state with masks (eager apply: tfjs\' functional models cannot take both): fused where tfjs\' and the kernels\' semantics agree', () => {
  // tfjs outputs the carried state at masked steps, h0 before a sample's first valid step; the kernels (Keras)
  // output 0 there. So with an initial state, a mask whose first step (in walking order) is masked runs
  // tfjs' per-step code; every other mask runs fused. Both must equal stock tfjs.
  const cases = [
    { name: 'LSTM, left-padded', make: (L: any) => L.lstm({ units: H, returnSequences: true, returnState: true, ...R }), n: 2, mask: LEFT, fused: false },
    { name: 'LSTM, right-padded', make: (L: any) => L.lstm({ units: H, returnSequences: true, returnState: true, ...R }), n: 2, mask: RIGHT.map((r) => r.filter((t) => t > 0)), fused: true },
    { name: 'LSTM goBackwards, right-padded', make: (L: any) => L.lstm({ units: H, returnSequences: true, goBackwards: true, ...R }), n: 2, mask: RIGHT, fused: false },
    { name: 'GRU goBackwards, left-padded', make: (L: any) => L.gru({ units: H, returnSequences: true, returnState: true, goBackwards: true, ...R }), n: 1, mask: [[], [0, 1], [0, 1, 2]], fused: true },
    { name: 'SimpleRNN, gaps', make: (L: any) => L.simpleRNN({ units: H, returnSequences: true, ...S }), n: 1, mask: GAPS.map((r) => r.filter((t) => t > 0)), fused: true },
  ];
  for (const c of cases) {
    resetCounters();
    const xs = xMasked(c.mask);
    const mask = tf.any(tf.notEqual(xs, 0), -1);
    const states = Array.from({ length: c.n }, (_, i) => tf.tensor2d(uniform(B * H, 50 + i), [B, H]));
    const stock = c.make(tf.layers), fused = c.make(inst.layers);
    stock.apply([xs, ...states], { mask });
    fused.apply([xs, ...states], { mask });
    fused.setWeights(stock.getWeights().map((w: any, i: number) => tf.tensor(uniform(w.size, 70 + i, -0.5, 0.5), w.shape)));
    stock.setWeights(fused.getWeights());
    const run = (l: any, training: boolean) => [l.apply([xs, ...states], { mask, training })].flat();
    const so = run(stock, false), fo = run(fused, false);
    fo.forEach((o: any, i: number) => checkClose(`${c.name}: output ${i}`, o.dataSync(), so[i].dataSync(), 1e-5, 0));
    const grads = (l: any) => {
      const vars = l.trainableWeights.map((w: any) => w.val);
      const loss = (...st: any[]) => run({ apply: (ins: any, kw: any) => l.apply([ins[0], ...st], kw) }, true)
        .map((y: any, k: number) => tf.sum(tf.mul(y, tf.tensor(uniform(y.size, 90 + k), y.shape)))).reduce((a: any, b: any) => tf.add(a, b));
      const { grads: g } = tf.variableGrads(() => loss(...states) as any, vars);
      const dStates = tf.grads((...st: any[]) => loss(...st))(states);
      return [...vars.map((v: any) => g[v.name].dataSync()), ...dStates.map((d: any) => d.dataSync())];
    };
    const sg = grads(stock), fg = grads(fused);
    fg.forEach((g, i) => checkClose(`${c.name}: gradient ${i}`, g, sg[i], 1e-5, 0));
    if (c.fused) {
      assert.equal(stockPathCalls, [], `${c.name}: fused`);
      assert.ok(calls(/_backward$/) > 0);
    } else {
      assert.ok(stockPathCalls.some((s) => s.includes('initial state with masked leading steps')), `${c.name}: tfjs' per-step code ran`);
    }
  }
});

test('bad input: wrong initial state count and wrong input width give tfjs-style errors', () => {
  const l = inst.layers.lstm({ units: H, ...R }) as any;
  l.apply(x());
  assert.throws(() => l.call(x(), { initialState: [tf.zeros([B, H])] }), /2 state\(s\) but was passed 1/);
  assert.throws(() => l.apply(tf.zeros([B, T, D + 1])), /expected.*5|incompatible|shape/i);
});

test.run();
