// Keras semantics of returned states and masked outputs, against values computed independently here in
// float64 from the model's own weights: LSTM/GRU(returnSequences, returnState) over right- and left-padded
// ids (Embedding maskZero). Keras: the state is carried through masked steps; the output at a masked step
// repeats the previous output, zeros before the first valid step; the returned state is the state after
// the last valid step.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Bidirectional, Embedding, GRU, Input, LSTM, Masking, Model, loadKernels, type SymbolicTensor } from '../src/index.js';
import { checkClose } from './helpers/check-close.js';

const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));

/** One LSTM/GRU step in float64 (Keras gate orders; GRU reset_after). */
function step(kind: 'LSTM' | 'GRU', x: Float64Array, h: Float64Array, c: Float64Array, W: Float32Array, U: Float32Array, b: Float32Array, D: number, H: number) {
  const G = kind === 'LSTM' ? 4 * H : 3 * H;
  const xw = new Float64Array(G), hu = new Float64Array(G);
  for (let g = 0; g < G; g++) {
    let s = 0, r = 0;
    for (let d = 0; d < D; d++) s += x[d] * W[d * G + g];
    for (let k = 0; k < H; k++) r += h[k] * U[k * G + g];
    xw[g] = s; hu[g] = r;
  }
  const h2 = new Float64Array(H), c2 = new Float64Array(H);
  for (let j = 0; j < H; j++) {
    if (kind === 'LSTM') {
      const z = (k: number) => xw[k * H + j] + hu[k * H + j] + b[k * H + j];
      const i = sigmoid(z(0)), f = sigmoid(z(1)), g = Math.tanh(z(2)), o = sigmoid(z(3));
      c2[j] = f * c[j] + i * g;
      h2[j] = o * Math.tanh(c2[j]);
    } else {
      // bias (2, 3H): row 0 input bias, row 1 recurrent bias
      const zin = (k: number) => xw[k * H + j] + b[k * H + j], zrec = (k: number) => hu[k * H + j] + b[G + k * H + j];
      const zg = sigmoid(zin(0) + zrec(0)), rg = sigmoid(zin(1) + zrec(1));
      const n = Math.tanh(zin(2) + rg * zrec(2));
      h2[j] = zg * h[j] + (1 - zg) * n;
    }
  }
  return { h: h2, c: c2 };
}

for (const kind of ['LSTM', 'GRU'] as const) {
  test(`${kind}(returnSequences, returnState) over masked ids == float64 Keras semantics (right and left padding)`, async () => {
    const k = await loadKernels();
    const V = 9, E = 3, H = 4, T = 6;
    const x = Input({ shape: [T], dtype: 'int32', name: 'ids' });
    const e = new Embedding({ inputDim: V, outputDim: E, maskZero: true, name: 'emb' }).apply(x) as SymbolicTensor;
    const layer = kind === 'LSTM' ? new LSTM({ units: H, returnSequences: true, returnState: true, name: 'rnn' }) : new GRU({ units: H, returnSequences: true, returnState: true, name: 'rnn' });
    const outs = layer.apply(e) as SymbolicTensor[];
    const m = new Model({ inputs: x, outputs: outs, seed: 7, kernels: k });
    await m.build();
    const w = new Map(m.getWeights().map((t) => [t.path, t.data]));
    const emb = w.get('emb/embeddings')!, W = w.get('rnn/kernel')!, U = w.get('rnn/recurrent_kernel')!, b = w.get('rnn/bias')!;
    // right padding; left padding; gaps and both sides mixed in one batch (per-step masks)
    for (const ids of [[[3, 1, 4, 1, 0, 0], [5, 8, 2, 6, 5, 3]], [[0, 0, 2, 7, 1, 8], [0, 3, 1, 4, 1, 5]], [[0, 2, 0, 7, 1, 0], [4, 0, 0, 4, 0, 5]]]) {
      const preds = await m.predict(ids) as Array<{ data: Float32Array; shape: number[] }>;
      assert.equal(preds.map((p) => p.shape), kind === 'LSTM' ? [[2, T, H], [2, H], [2, H]] : [[2, T, H], [2, H]]);
      for (let s = 0; s < 2; s++) {
        let h = new Float64Array(H), c = new Float64Array(H), prev = new Float64Array(H); // prev output: zeros before the first valid step
        const ys: number[] = [];
        for (let t = 0; t < T; t++) {
          const id = ids[s][t];
          if (id !== 0) {
            const xv = Float64Array.from(emb.subarray(id * E, id * E + E));
            ({ h, c } = step(kind, xv, h, c, W, U, b, E, H));
            prev = h;
          }
          ys.push(...prev);
        }
        checkClose(`${kind} sample ${s} outputs`, preds[0].data.subarray(s * T * H, (s + 1) * T * H), ys, 2e-6, 2e-5);
        checkClose(`${kind} sample ${s} h`, preds[1].data.subarray(s * H, s * H + H), h, 2e-6, 2e-5);
        if (kind === 'LSTM') checkClose(`${kind} sample ${s} c`, preds[2].data.subarray(s * H, s * H + H), c, 2e-6, 2e-5);
      }
    }
  });
}

test('Bidirectional(returnSequences) zeroes its outputs at masked steps (Keras zero_output_for_mask)', async () => {
  const k = await loadKernels();
  const x = Input({ shape: [5], dtype: 'int32' });
  const e = new Embedding({ inputDim: 9, outputDim: 3, maskZero: true }).apply(x) as SymbolicTensor;
  const y = new Bidirectional({ layer: new LSTM({ units: 2, returnSequences: true }) }).apply(e) as SymbolicTensor;
  const m = new Model({ inputs: x, outputs: y, kernels: k });
  const ids = [[0, 3, 0, 4, 0], [5, 6, 0, 0, 7]];
  const p = await m.predict(ids) as { data: Float32Array };
  for (let b = 0; b < 2; b++) for (let t = 0; t < 5; t++) {
    const row = p.data.subarray((b * 5 + t) * 4, (b * 5 + t + 1) * 4);
    if (ids[b][t] === 0) assert.ok(row.every((v) => v === 0), `masked step ${b},${t} is 0`);
    else assert.ok(row.some((v) => v !== 0), `valid step ${b},${t}`);
  }
});

test('apply(x, { mask }): an explicit (None, T) mask of any pattern == the same steps masked by Masking', async () => {
  const k = await loadKernels();
  const T = 6, D = 2, data = Float32Array.from({ length: 3 * T * D }, (_, i) => Math.sin(1 + i)), valid = [[1, 0, 1, 1, 0, 1], [0, 0, 1, 1, 1, 1], [1, 1, 1, 0, 0, 0]];
  const x = Input({ shape: [T, D], name: 'x' }), m = Input({ shape: [T], name: 'm' });
  const lstm = new LSTM({ units: 3, returnSequences: true, name: 'masked_lstm' });
  const a = new Model({ inputs: [x, m], outputs: lstm.apply(x, { mask: m }) as SymbolicTensor, kernels: k });
  const x2 = Input({ shape: [T, D] });
  const b = new Model({ inputs: x2, outputs: new LSTM({ units: 3, returnSequences: true, name: 'masked_lstm' }).apply(new Masking().apply(x2) as SymbolicTensor) as SymbolicTensor, kernels: k });
  await a.build(); await b.build();
  b.setWeights(a.getWeights());
  const zeroed = data.slice();
  valid.forEach((row, i) => row.forEach((v, t) => { if (!v) zeroed.fill(0, (i * T + t) * D, (i * T + t + 1) * D); }));
  const pa = await a.predict([{ data, shape: [3, T, D] }, valid]) as { data: Float32Array }, pb = await b.predict({ data: zeroed, shape: [3, T, D] }) as { data: Float32Array };
  checkClose('explicit mask == Masking', pa.data, pb.data, 0, 0);
});

test('a returned state equals the last output of returnSequences false, and feeds another layer as its initial state', async () => {
  const k = await loadKernels();
  const x = Input({ shape: [5, 2] });
  const [y, h, c] = new LSTM({ units: 3, returnState: true }).apply(x) as SymbolicTensor[];
  const m = new Model({ inputs: x, outputs: [y, h, c], kernels: k });
  const data = { data: Float32Array.from({ length: 20 }, (_, i) => Math.sin(i)), shape: [2, 5, 2] };
  const [py, ph] = await m.predict(data) as Array<{ data: Float32Array }>;
  checkClose('y == h', py.data, ph.data, 0, 0);
});

test.run();
