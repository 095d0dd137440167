// Model-level gradient check: the gradient the model applies (read back from one plain SGD step) against
// centred finite differences of the model's own loss, for stacks that exercise the layer wiring (slots,
// directions, masks, merges, skip connections). Kernel-level gradchecks (f64) live beside each kernel;
// this one catches wiring mistakes between layers, which a wasm-vs-reference comparison cannot.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Bidirectional, Dense, Embedding, GRU, LSTM, Residual, SGD, Sequential, SimpleRNN, loadKernels, type Kernels, type Layer } from '../src/index.js';
import { Random } from '../src/random.js';
import { firstTokenTask, floatTask, shiftTask } from './helpers/tasks.js';

let k: Kernels;
test.before(async () => {
  k = await loadKernels({ backend: 'js' });
});

type Case = { name: string; layers: () => Layer[]; loss: string; data: () => { x: unknown; y: unknown } };
const leftPadded = (d: { x: number[][]; y: unknown }) => ({ x: d.x.map((row, i) => row.map((v, t) => (t >= i % 3 ? v : 0))), y: d.y });
const rightPadded = (d: { x: number[][]; y: unknown }) => ({ x: d.x.map((row, i) => row.map((v, t) => (t < row.length - (i % 3) ? v : 0))), y: d.y });

const CASES: Case[] = [
  ...(['concat', 'sum', 'mul', 'ave'] as const).map((mergeMode): Case => ({
    name: `Bidirectional(LSTM seq, ${mergeMode}) → Bidirectional(GRU, ${mergeMode}), left padding`,
    layers: () => [new Embedding({ inputDim: 8, outputDim: 3, maskZero: true }), new Bidirectional({ layer: new LSTM({ units: 3, returnSequences: true }), mergeMode }),
      new Bidirectional({ layer: new GRU({ units: 2 }), mergeMode }), new Dense({ units: 1, activation: 'sigmoid' })],
    loss: 'binaryCrossentropy', data: () => leftPadded(firstTokenTask(6, 5, 8, 1)),
  })),
  {
    name: 'LSTM(seq) → Residual(LSTM seq) → LSTM(goBackwards), right padding',
    layers: () => [new Embedding({ inputDim: 8, outputDim: 4, maskZero: true }), new LSTM({ units: 4, returnSequences: true }), new Residual({ layer: new LSTM({ units: 4, returnSequences: true }) }),
      new LSTM({ units: 3, goBackwards: true }), new Dense({ units: 1, activation: 'sigmoid' })],
    loss: 'binaryCrossentropy', data: () => rightPadded(firstTokenTask(6, 5, 8, 2)),
  },
  {
    name: 'GRU(resetAfter, seq, goBackwards) → Dense(softmax) per step, sparse CE, right padding',
    layers: () => [new Embedding({ inputDim: 7, outputDim: 3, maskZero: true }), new GRU({ units: 4, returnSequences: true, goBackwards: true }), new Dense({ units: 6, activation: 'softmax' })],
    loss: 'sparseCategoricalCrossentropy',
    data: () => { const d = shiftTask(5, 4, 6, 3); return rightPadded({ x: d.x.map((r) => r.map((v) => v + 1)), y: d.y }); },
  },
  {
    name: 'floats → SimpleRNN(tanh, seq) → SimpleRNN(relu) → Dense(linear), MSE',
    layers: () => [new SimpleRNN({ units: 4, returnSequences: true, inputShape: [null, 3] }), new SimpleRNN({ units: 3, activation: 'relu' }), new Dense({ units: 2 })],
    loss: 'mse', data: () => floatTask(5, 4, 3, 2, 4),
  },
];

for (const c of CASES) {
  test(`model gradient vs finite differences: ${c.name}`, async () => {
    const { x, y } = c.data();
    const lr = 1; // one plain SGD step: w1 = w0 − g exactly up to the rounding of w1
    const m = new Sequential(c.layers(), { seed: 5, kernels: k });
    m.compile({ optimizer: new SGD({ learningRate: lr }), loss: c.loss });
    const N = (x as unknown[]).length;
    const w0 = await (async () => { await m.evaluate(x as never, y as never, { batchSize: N }); return m.getWeights(); })();
    await m.fit(x as never, y as never, { epochs: 1, batchSize: N, shuffle: false });
    const w1 = m.getWeights();
    m.setWeights(w0);
    const lossAt = async () => (await m.evaluate(x as never, y as never, { batchSize: N })).loss;
    const r = new Random(1);
    let checked = 0, worst = 0, worstAt = '';
    for (let t = 0; t < w0.length; t++) {
      for (let s = 0; s < 6; s++) {
        const i = r.int(w0[t].data.length);
        const analytic = (w0[t].data[i] - w1[t].data[i]) / lr;
        const eps = 1e-2;
        const plus = w0.map((w) => ({ ...w, data: Float32Array.from(w.data) }));
        plus[t].data[i] += eps;
        m.setWeights(plus);
        const lp = await lossAt();
        plus[t].data[i] -= 2 * eps;
        m.setWeights(plus);
        const lm = await lossAt();
        m.setWeights(w0);
        const numeric = (lp - lm) / (2 * eps);
        const err = Math.abs(analytic - numeric) / (1e-3 + Math.abs(numeric));
        if (err > worst) { worst = err; worstAt = `${w0[t].path}[${i}]: model ${analytic}, finite difference ${numeric}`; }
        checked++;
      }
    }
    assert.ok(worst < 0.03, `worst relative error ${worst.toFixed(4)} at ${worstAt} (${checked} checked)`);
  });
}

test.run();
