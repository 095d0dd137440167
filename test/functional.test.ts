// The functional API: Input, layer.apply, Model with several inputs/outputs, shared layers, merges,
// returned and initial states, new layers, computeGradients. Gradients are checked at the model level
// against centred finite differences of the model's own loss (graph wiring: shared layers, merges, states
// passed between layers, masks, dL/dx); each model also runs on wasm vs the TypeScript reference.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  Add, Average, Bidirectional, Concatenate, Dense, Embedding, GRU, GraphError, Input, LSTM, Masking, Model, Multiply, RepeatVector, SimpleRNN,
  TimeDistributed, loadKernels, type Kernels, type SymbolicTensor,
} from '../src/index.js';
import { Random } from '../src/random.js';
import { throwsTyped } from './helpers/assert-throws.js';
import { checkClose } from './helpers/check-close.js';

let js: Kernels, wasm: Kernels;
test.before(async () => {
  js = await loadKernels({ backend: 'js' });
  wasm = await loadKernels();
});

const r = new Random(3);
const floats = (...shape: number[]) => ({ data: Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => 2 * r.uniform() - 1), shape });
const ids = (V: number, ...shape: number[]) => ({ data: Int32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => 1 + r.int(V - 1)), shape });

interface Case {
  name: string;
  build: () => { inputs: SymbolicTensor[]; outputs: SymbolicTensor[] };
  x: () => Array<{ data: Float32Array | Int32Array; shape: number[] }>;
  y: () => Array<{ data: Float32Array; shape: number[] }>;
}

const CASES: Case[] = [
  {
    name: 'shared Dense applied to two inputs, Add, Dense',
    build: () => {
      const a = Input({ shape: [3], name: 'a' }), b = Input({ shape: [3], name: 'b' });
      const shared = new Dense({ units: 4, activation: 'tanh', name: 'shared' });
      const s = new Add({ name: 'sum' }).apply([shared.apply(a) as SymbolicTensor, shared.apply(b) as SymbolicTensor]) as SymbolicTensor;
      return { inputs: [a, b], outputs: [new Dense({ units: 2, name: 'out' }).apply(s) as SymbolicTensor] };
    },
    x: () => [floats(5, 3), floats(5, 3)], y: () => [floats(5, 2)],
  },
  {
    name: 'Multiply, Average and Concatenate of sequences, LSTM, Dense',
    build: () => {
      const a = Input({ shape: [4, 2], name: 'a' }), b = Input({ shape: [4, 2], name: 'b' });
      const m = new Multiply().apply([a, b]) as SymbolicTensor, v = new Average().apply([a, b, m]) as SymbolicTensor;
      const c = new Concatenate().apply([m, v, a]) as SymbolicTensor;
      return { inputs: [a, b], outputs: [new Dense({ units: 1 }).apply(new LSTM({ units: 3 }).apply(c) as SymbolicTensor) as SymbolicTensor] };
    },
    x: () => [floats(4, 4, 2), floats(4, 4, 2)], y: () => [floats(4, 1)],
  },
  {
    name: 'LSTM encoder states → LSTM decoder initialState → TimeDistributed(Dense)',
    build: () => {
      const enc = Input({ shape: [null, 3], name: 'enc' }), dec = Input({ shape: [null, 2], name: 'dec' });
      const [, h, c] = new LSTM({ units: 4, returnState: true }).apply(enc) as SymbolicTensor[];
      const y = new LSTM({ units: 4, returnSequences: true }).apply(dec, { initialState: [h, c] }) as SymbolicTensor;
      return { inputs: [enc, dec], outputs: [new TimeDistributed({ layer: new Dense({ units: 2 }) }).apply(y) as SymbolicTensor] };
    },
    x: () => [floats(3, 5, 3), floats(3, 4, 2)], y: () => [floats(3, 4, 2)],
  },
  {
    name: 'GRU returnState as a second output, SimpleRNN state from an input',
    build: () => {
      const x = Input({ shape: [4, 2], name: 'x' }), h0 = Input({ shape: [3], name: 'h0' });
      const [seq, h] = new GRU({ units: 3, returnSequences: true, returnState: true, name: 'gru' }).apply(x) as SymbolicTensor[];
      const s = new SimpleRNN({ units: 3, name: 'rnn' }).apply(seq, { initialState: h0 }) as SymbolicTensor;
      return { inputs: [x, h0], outputs: [new Dense({ units: 2, name: 'head' }).apply(s) as SymbolicTensor, h] };
    },
    x: () => [floats(3, 4, 2), floats(3, 3)], y: () => [floats(3, 2), floats(3, 3)],
  },
  {
    name: 'Bidirectional(LSTM, returnState) states concatenated, Dense',
    build: () => {
      const x = Input({ shape: [5, 2], name: 'x' });
      const [y, hf, cf, hb, cb] = new Bidirectional({ layer: new LSTM({ units: 3, returnState: true }) }).apply(x) as SymbolicTensor[];
      const c = new Concatenate().apply([y, hf, cf, hb, cb]) as SymbolicTensor;
      return { inputs: [x], outputs: [new Dense({ units: 2 }).apply(c) as SymbolicTensor] };
    },
    x: () => [floats(3, 5, 2)], y: () => [floats(3, 2)],
  },
  {
    name: 'Dense(softmax) inside, RepeatVector, SimpleRNN(seq), Dense',
    build: () => {
      const x = Input({ shape: [4], name: 'x' });
      const p = new Dense({ units: 3, activation: 'softmax' }).apply(x) as SymbolicTensor;
      const s = new SimpleRNN({ units: 3, returnSequences: true }).apply(new RepeatVector({ n: 3 }).apply(p) as SymbolicTensor) as SymbolicTensor;
      return { inputs: [x], outputs: [new Dense({ units: 1 }).apply(s) as SymbolicTensor] };
    },
    x: () => [floats(4, 4)], y: () => [floats(4, 3, 1)],
  },
];

/** Right-padded float sequences for Masking: sample b keeps T − (b mod 3) steps, the rest is maskValue 0. */
function padded(N: number, T: number, D: number) {
  const x = floats(N, T, D);
  for (let b = 0; b < N; b++) for (let t = T - (b % 3); t < T; t++) for (let d = 0; d < D; d++) x.data[(b * T + t) * D + d] = 0;
  return x;
}
CASES.push({
  name: 'Masking (right padding) → LSTM(seq) → Dense per step, masked loss',
  build: () => {
    const x = Input({ shape: [5, 2], name: 'x' });
    const s = new LSTM({ units: 3, returnSequences: true }).apply(new Masking().apply(x) as SymbolicTensor) as SymbolicTensor;
    return { inputs: [x], outputs: [new Dense({ units: 1 }).apply(s) as SymbolicTensor] };
  },
  x: () => [padded(4, 5, 2)], y: () => [floats(4, 5, 1)],
});

for (const c of CASES) {
  const fixed = { x: c.x(), y: c.y() }; // one draw of data per case, shared by both tests and backends
  test(`finite differences == computeGradients (weights and dL/dx): ${c.name}`, async () => {
    const m = new Model({ ...c.build(), seed: 2, kernels: js });
    m.compile({ optimizer: 'sgd', loss: 'mse' });
    const { x, y } = fixed;
    const g = await m.computeGradients(x, y, { inputs: true });
    const w0 = m.getWeights();
    const lossAt = async (xs = x) => (await m.evaluate(xs, y, { batchSize: 64 })).loss;
    const base = await lossAt();
    assert.ok(Math.abs(base - g.loss) < 1e-6 * Math.max(1, Math.abs(base)), `computeGradients loss ${g.loss} == evaluate ${base}`);
    const eps = 1e-2, pick = new Random(9);
    let worst = 0, at = '';
    const compare = (analytic: number, numeric: number, where: string) => {
      const err = Math.abs(analytic - numeric) / (1e-3 + Math.abs(numeric));
      if (err > worst) { worst = err; at = `${where}: model ${analytic}, finite difference ${numeric}`; }
    };
    for (let t = 0; t < w0.length; t++) {
      for (let s = 0; s < 4; s++) {
        const i = pick.int(w0[t].data.length);
        const w = w0.map((v) => ({ ...v, data: Float32Array.from(v.data) }));
        w[t].data[i] += eps; m.setWeights(w); const lp = await lossAt();
        w[t].data[i] -= 2 * eps; m.setWeights(w); const lm = await lossAt();
        m.setWeights(w0);
        compare(g.gradients[t].data[i], (lp - lm) / (2 * eps), `${w0[t].path}[${i}]`);
      }
    }
    for (const [k, input] of x.entries()) {
      const name = m.inputNames[k];
      for (let s = 0; s < 4; s++) {
        const i = pick.int(input.data.length);
        if (input.data[i] === 0) continue; // masked padding (Masking reads exact zeros)
        const xp = x.map((v) => ({ ...v, data: Float32Array.from(v.data) }));
        xp[k].data[i] += eps; const lp = await lossAt(xp);
        xp[k].data[i] -= 2 * eps; const lm = await lossAt(xp);
        compare(g.inputs![name].data[i], (lp - lm) / (2 * eps), `dL/d${name}[${i}]`);
      }
    }
    assert.ok(worst < 0.03, `worst relative error ${worst.toFixed(4)} at ${at}`);
  });

  test(`wasm == reference after 3 Adam steps: ${c.name}`, async () => {
    const run = async (k: Kernels) => {
      const m = new Model({ ...c.build(), seed: 4, kernels: k });
      m.compile({ optimizer: { className: 'Adam', config: { learningRate: 0.01 } }, loss: 'mse' });
      const { x, y } = fixed;
      await m.fit(x, y, { epochs: 3, batchSize: 64 });
      const p = await m.predict(x);
      return { w: m.getWeights(), p: Array.isArray(p) ? p : [p] };
    };
    const a = await run(wasm), b = await run(js);
    a.w.forEach((w, i) => checkClose(w.path, w.data, b.w[i].data, 2e-5, 2e-4));
    a.p.forEach((p, i) => checkClose(`output ${i}`, p.data, b.p[i].data, 2e-5, 2e-4));
  });
}

test('a layer applied twice shares one set of weights', async () => {
  const a = Input({ shape: [3] }), b = Input({ shape: [3] });
  const d = new Dense({ units: 2, name: 'twice' });
  const m = new Model({ inputs: [a, b], outputs: [new Add().apply([d.apply(a) as SymbolicTensor, d.apply(b) as SymbolicTensor]) as SymbolicTensor], kernels: js });
  await m.build();
  assert.equal(m.getWeights().map((w) => w.path), ['twice/kernel', 'twice/bias']);
  const x = floats(2, 3);
  const p = await m.predict([x, x]) as { data: Float32Array };
  const single = new Model({ inputs: [a], outputs: [d.apply(a) as SymbolicTensor], kernels: js });
  await single.build();
  single.setWeights(m.getWeights());
  const q = await single.predict(x) as { data: Float32Array };
  checkClose('d(x) + d(x) == 2 d(x)', p.data, q.data.map((v) => 2 * v), 1e-6, 1e-6);
});

test('bad graphs: typed errors naming layers and shapes', async () => {
  const a = Input({ shape: [3], name: 'in_a' }), b = Input({ shape: [4], name: 'in_b' }), stray = Input({ shape: [3], name: 'stray' });
  throwsTyped(() => new Add({ name: 'plus' }).apply([a, b]), GraphError, /Add "plus": input shapes do not match: \(None, 3\), \(None, 4\)/);
  throwsTyped(() => new Concatenate({ name: 'cat' }).apply([Input({ shape: [2, 3] }), Input({ shape: [3] })]), GraphError, /Concatenate "cat": input shapes do not match/);
  const y = new Dense({ units: 2, name: 'dd' }).apply(stray) as SymbolicTensor;
  throwsTyped(() => new Model({ inputs: [a], outputs: [y] }), GraphError, /disconnected: layer "dd" reads stray \(None, 3\), which is not one of the model inputs \["in_a"\]/);
  throwsTyped(() => new Model({ inputs: [a, b], outputs: [new Dense({ units: 1 }).apply(a) as SymbolicTensor] }), GraphError, /input in_b \(None, 4\) is not connected to any output/);
  const seq = Input({ shape: [5, 2] });
  throwsTyped(() => new LSTM({ units: 4, name: 'dec' }).apply(seq, { initialState: [Input({ shape: [3] }), Input({ shape: [4] })] }), GraphError, /LSTM "dec": initial state 0 must have shape \(None, 4\), got \(None, 3\)/);
  throwsTyped(() => new GRU({ units: 4, name: 'g' }).apply(seq, { initialState: [Input({ shape: [4] }), Input({ shape: [4] })] }), GraphError, /GRU "g": initialState must be \[h\]/);
  // A cycle cannot be built with apply(); make one by editing a node's inputs, as a corrupted graph would.
  const u = new Dense({ units: 3, name: 'u' }).apply(a) as SymbolicTensor;
  const v = new Dense({ units: 3, name: 'v' }).apply(u) as SymbolicTensor;
  (u.node.inputs as SymbolicTensor[])[0] = v;
  throwsTyped(() => new Model({ inputs: [a], outputs: [v] }), GraphError, /cycle through layers "v" → "u" → "v"|cycle through layers "u" → "v" → "u"/);
  throwsTyped(() => new Embedding({ inputDim: 5, outputDim: 2, name: 'emb' }).apply(a), GraphError, /Embedding "emb": expects int32 token ids/);
});

test('several outputs: loss per output as a list or by name, lossWeights, per-output logs', async () => {
  const x = Input({ shape: [6], dtype: 'int32', name: 'tokens' });
  const e = new Embedding({ inputDim: 9, outputDim: 4 }).apply(x) as SymbolicTensor;
  const h = new GRU({ units: 5 }).apply(e) as SymbolicTensor;
  const cls = new Dense({ units: 1, activation: 'sigmoid', name: 'cls' }).apply(h) as SymbolicTensor;
  const reg = new Dense({ units: 2, name: 'reg' }).apply(h) as SymbolicTensor;
  const m = new Model({ inputs: x, outputs: [cls, reg], kernels: wasm });
  const xs = ids(9, 8, 6), yc = { data: Float32Array.from({ length: 8 }, (_, i) => i % 2), shape: [8, 1] }, yr = floats(8, 2);
  m.compile({ optimizer: 'adam', loss: { cls: 'binaryCrossentropy', reg: 'mse' }, metrics: { cls: ['accuracy'], reg: [] }, lossWeights: { cls: 1, reg: 0.5 } });
  const logs = await m.evaluate(xs, { cls: yc, reg: yr });
  assert.ok(Math.abs(logs.loss - (logs.cls_loss + 0.5 * logs.reg_loss)) < 1e-5, JSON.stringify(logs));
  assert.ok('cls_accuracy' in logs);
  m.compile({ optimizer: 'adam', loss: ['binaryCrossentropy', 'mse'] });
  const h1 = await m.fit(xs, [yc, yr], { epochs: 5, batchSize: 4 });
  assert.ok(h1.history.loss[4] < h1.history.loss[0], 'trains');
  const [pc, pr] = await m.predict(xs) as Array<{ data: Float32Array; shape: number[] }>;
  assert.equal(pc.shape, [8, 1]);
  assert.equal(pr.shape, [8, 2]);
  assert.ok(pc.data.every((p) => p > 0 && p < 1), 'sigmoid applied to the fused output');
});

test.run();
