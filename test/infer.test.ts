// fused-rnn/infer (issue 20): a checkpoint saved by the training library loads into the inference-only
// entry; predict is bit-identical to the training library's predict; streaming (step, stepMany, reset,
// state) is bit-identical to a whole-sequence predict; unsupported layers are refused with clear errors.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Bidirectional, Dense, Dropout, Embedding, GRU, LSTM, Sequential, SimpleRNN, loadKernels, saveModelToBytes, type Kernels } from '../src/index.js';
import { loadInferenceModel, loadInferKernels, type InferKernels } from '../src/infer/index.js';
import { statePointers } from '../src/infer/stream.js';
import { floats, lcg, same } from './helpers/bit-identity.js';

let k: Kernels;
let ik: InferKernels;
test.before(async () => {
  // The inference module is built from the plain SIMD source; 'auto' picks the relaxed build where it validates
  // (Node 24, Chromium), whose fused multiply-add changes the last bits, so bit-identity is against 'simd'.
  k = await loadKernels({ variant: 'simd' });
  ik = await loadInferKernels();
});

const ids = (N: number, T: number, V: number, seed: number, pad: 'none' | 'right' | 'left' = 'none') => {
  const r = lcg(seed);
  return Array.from({ length: N }, (_, n) => {
    const len = pad === 'none' ? T : 1 + ((n * 3) % T);
    const row = Array.from({ length: T }, () => 1 + Math.floor(r() * (V - 1)));
    return row.map((v, t) => (pad === 'right' ? (t < len ? v : 0) : pad === 'left' ? (t >= T - len ? v : 0) : v));
  });
};

interface Case { name: string; make: () => Sequential; x: number[][] | number[][][] }
const V = 13;
const cases: Case[] = [
  { name: 'Embedding → LSTM → Dense(sigmoid)', make: () => new Sequential([new Embedding({ inputDim: V, outputDim: 6, inputShape: [9] }), new LSTM({ units: 7 }), new Dense({ units: 1, activation: 'sigmoid' })], { seed: 1, kernels: k }), x: ids(5, 9, V, 1) },
  { name: 'GRU resetAfter (seq) → Dense(softmax)', make: () => new Sequential([new GRU({ units: 9, returnSequences: true, inputShape: [null, 5] }), new Dense({ units: 4, activation: 'softmax' })], { seed: 2, kernels: k }), x: floats(3, 8, 5, 2) },
  { name: 'GRU resetAfter=false, hard_sigmoid', make: () => new Sequential([new GRU({ units: 6, resetAfter: false, recurrentActivation: 'hard_sigmoid', returnSequences: true, inputShape: [null, 3] })], { seed: 3, kernels: k }), x: floats(2, 7, 3, 3) },
  { name: 'SimpleRNN relu → Dense', make: () => new Sequential([new SimpleRNN({ units: 5, activation: 'relu', inputShape: [null, 4] }), new Dense({ units: 3 })], { seed: 4, kernels: k }), x: floats(4, 6, 4, 4) },
  {
    name: 'stacked: Embedding(maskZero, right pad) → LSTM(seq) → Dropout → GRU → Dense(tanh) → Dense(sigmoid)',
    make: () => new Sequential([new Embedding({ inputDim: V, outputDim: 8, maskZero: true, inputShape: [10] }), new LSTM({ units: 33, returnSequences: true }), new Dropout({ rate: 0.3 }), new GRU({ units: 12 }), new Dense({ units: 6, activation: 'tanh' }), new Dense({ units: 1, activation: 'sigmoid' })], { seed: 5, kernels: k }),
    x: ids(6, 10, V, 5, 'right'),
  },
  { name: 'Embedding(maskZero, left pad) → LSTM(seq) → Dense(softmax) (char-LM shape)', make: () => new Sequential([new Embedding({ inputDim: V, outputDim: 5, maskZero: true, inputShape: [8] }), new LSTM({ units: 36, returnSequences: true }), new Dense({ units: V, activation: 'softmax' })], { seed: 6, kernels: k }), x: ids(5, 8, V, 6, 'left') },
];

async function pair(c: Case) {
  const m = c.make();
  const want = await m.predict(c.x);
  if (m.layers[m.layers.length - 1] instanceof Dense && (m.layers[m.layers.length - 1] as Dense).activation === 'softmax') {
    m.compile({ optimizer: 'adam', loss: 'sparseCategoricalCrossentropy' });
  }
  const bytes = saveModelToBytes(m);
  const im = await loadInferenceModel(bytes, { kernels: ik });
  return { m, im, want: await m.predict(c.x), bytes };
}

for (const c of cases) {
  test(`predict: bit-identical to the training library (${c.name})`, async () => {
    const { im, want } = await pair(c);
    const got = await im.predict(c.x, { batchSize: 2 });
    assert.equal(got.shape, want.shape);
    same(c.name, got.data, want.data);
  });

  test(`stream: step-by-step and stepMany are bit-identical to predict (${c.name})`, async () => {
    const { im } = await pair(c);
    const N = c.x.length, T = c.x[0].length;
    const full = await im.predict(c.x, { batchSize: N });
    const seqOut = full.shape.length === 3;
    const C = full.shape[full.shape.length - 1];
    const s = im.stream({ batchSize: N });
    const ptrs = statePointers(s);
    for (let t = 0; t < T; t++) {
      const xt = c.x.map((row) => row[t]) as number[] | number[][];
      const out = s.step(xt);
      assert.is(out.length, N * C);
      // The output at t: predict's row t (sequence output) or predict of the prefix [0, t] (last output).
      const want = seqOut
        ? Float32Array.from({ length: N * C }, (_, i) => full.data[(Math.floor(i / C) * T + t) * C + (i % C)])
        : (await im.predict(c.x.map((row) => row.slice(0, t + 1)) as number[][], { batchSize: N })).data;
      if (seqOut || !(im.layers[0].className === 'Embedding' && (im.layers[0] as unknown as { maskZero: boolean }).maskZero)) same(`${c.name} step ${t}`, out, want);
      else same(`${c.name} step ${t} (masked prefix)`, out, want);
    }
    assert.equal(statePointers(s), ptrs, 'the state stays at the same place in wasm memory');
    // stepMany in two chunks after reset() gives the same as the steps.
    s.reset();
    assert.is(s.steps, 0);
    const cut = Math.floor(T / 2);
    const a = s.stepMany(c.x.map((row) => row.slice(0, cut)) as number[][]);
    const b = s.stepMany(c.x.map((row) => row.slice(cut)) as number[][]);
    if (seqOut) {
      const joined = new Float32Array(N * T * C);
      for (let n = 0; n < N; n++) {
        joined.set(a.data.subarray(n * cut * C, (n + 1) * cut * C), n * T * C);
        joined.set(b.data.subarray(n * (T - cut) * C, (n + 1) * (T - cut) * C), (n * T + cut) * C);
      }
      same(`${c.name} stepMany`, joined, full.data);
    } else {
      const last = Float32Array.from({ length: N * C }, (_, i) => b.data[(Math.floor(i / C) * (T - cut) + T - cut - 1) * C + (i % C)]);
      same(`${c.name} stepMany last`, last, full.data);
    }
  });
}

test('stream.state: get, reset, set back resumes exactly; bad shapes are refused and change nothing', async () => {
  const c = cases[4];
  const { im } = await pair(c);
  const s = im.stream({ batchSize: 6 });
  const T = c.x[0].length;
  for (let t = 0; t < 4; t++) s.step((c.x as number[][]).map((r) => r[t]));
  const saved = s.state;
  assert.is(saved.length, 2);
  assert.ok(saved[0].c && saved[0].c.length === 6 * 33 && !saved[1].c);
  const rest1: Float32Array[] = [];
  for (let t = 4; t < T; t++) rest1.push(s.step((c.x as number[][]).map((r) => r[t])));
  s.reset();
  assert.ok(s.state.every((v) => v.h.every((z) => z === 0)));
  s.state = saved;
  for (let t = 4; t < T; t++) same(`resumed step ${t}`, s.step((c.x as number[][]).map((r) => r[t])), rest1[t - 4]);
  const before = s.state;
  assert.throws(() => { s.state = [saved[0]]; }, /expected 2 layer states/);
  assert.throws(() => { s.state = [saved[0], { ...saved[1], h: new Float32Array(3) }]; }, /h has 3 values, expected \(B, H\) = \(6, 12\)/);
  assert.throws(() => { s.state = [{ ...saved[0], h: saved[0].h.map(() => NaN) }, saved[1]]; }, /not finite/);
  assert.equal(s.state, before);
  assert.throws(() => s.step([1, 2, 3]), /x_t has shape \(3\), expected \(B\) = \(6\) token ids/);
  assert.throws(() => s.step([1, 2, 3, 4, 5, 99]), /token id in \[0, 13\)/);
});

test('stream.step(x_t, out): writes into out (no allocation), same bits; a wrong out is refused and changes nothing', async () => {
  const c = cases[5];
  const { im } = await pair(c);
  const a = im.stream({ batchSize: 5 }), b = im.stream({ batchSize: 5 });
  const out = new Float32Array(5 * V);
  for (let t = 0; t < c.x[0].length; t++) {
    const xt = (c.x as number[][]).map((r) => r[t]);
    const want = a.step(xt);
    assert.ok(b.step(xt, out) === out, 'returns out itself');
    same(`step ${t} into out`, out, want);
  }
  const before = b.state;
  assert.throws(() => b.step([1, 2, 3, 4, 5], new Float32Array(3)), /out must be a Float32Array of \(B, C\) = 65 floats, got 3 floats/);
  assert.throws(() => b.step([1, 2, 3, 4, 5], [0] as unknown as Float32Array), /out must be a Float32Array/);
  assert.equal(b.state, before);
  assert.is(b.steps, c.x[0].length);
});

test('refused: Bidirectional (cannot stream) and goBackwards streams; unsupported layers name the way out', async () => {
  const bi = new Sequential([new Bidirectional({ layer: new LSTM({ units: 3 }), inputShape: [null, 2] }), new Dense({ units: 1 })], { seed: 1, kernels: k });
  await bi.predict(floats(1, 3, 2, 1));
  try {
    await loadInferenceModel(saveModelToBytes(bi), { kernels: ik });
    assert.unreachable('Bidirectional must be refused');
  } catch (e) {
    assert.match((e as Error).message, /"bidirectional[^"]*" \(Bidirectional\) is not supported by fused-rnn\/infer.*cannot stream/);
  }
  const back = new Sequential([new GRU({ units: 3, goBackwards: true, inputShape: [null, 2] })], { seed: 1, kernels: k });
  const x = floats(2, 4, 2, 9);
  const want = await back.predict(x);
  const im = await loadInferenceModel(saveModelToBytes(back), { kernels: ik });
  same('goBackwards predict', (await im.predict(x)).data, want.data);
  assert.throws(() => im.stream(), /cannot stream: GRU "[^"]+" has goBackwards/);
});

test('int8 weights on load: close to float32, streaming equals predict bit for bit', async () => {
  const c = cases[5];
  const { bytes } = await pair(c);
  const f32 = await loadInferenceModel(bytes, { kernels: ik });
  const q8 = await loadInferenceModel(bytes, { kernels: ik, weights: 'int8' });
  assert.is(q8.weights, 'int8');
  const a = await f32.predict(c.x), b = await q8.predict(c.x);
  let maxDiff = 0;
  for (let i = 0; i < a.data.length; i++) maxDiff = Math.max(maxDiff, Math.abs(a.data[i] - b.data[i]));
  assert.ok(maxDiff > 0 && maxDiff < 0.02, `int8 vs f32 max probability difference ${maxDiff}`);
  const s = q8.stream({ batchSize: c.x.length });
  const T = c.x[0].length, C = b.shape[2];
  for (let t = 0; t < T; t++) {
    const out = s.step((c.x as number[][]).map((r) => r[t]));
    same(`int8 step ${t}`, out, Float32Array.from({ length: out.length }, (_, i) => b.data[(Math.floor(i / C) * T + t) * C + (i % C)]));
  }
});

test('scalar fallback build (fetched, not embedded) gives the same bits as SIMD, float32 and int8; the Node bundle loads', async () => {
  const c = cases[4];
  const { bytes } = await pair(c);
  const scalar = await loadInferKernels({ variant: 'scalar', wasm: 'build/infer-scalar.wasm' });
  assert.is(scalar.variant, 'scalar');
  for (const weights of ['float32', 'int8'] as const) {
    const a = await (await loadInferenceModel(bytes, { kernels: ik, weights })).predict(c.x);
    const b = await (await loadInferenceModel(bytes, { kernels: scalar, weights })).predict(c.x);
    same(`scalar vs simd (${weights})`, b.data, a.data);
  }
  // The built entry (what `import 'fused-rnn/infer'` resolves to in Node), with its scalar file next to it.
  const dist = await import('../dist/node/infer.js' as string);
  const m = await dist.loadInferenceModel(bytes, { variant: 'scalar' });
  same('dist/node/infer.js scalar', (await m.predict(c.x)).data, (await (await loadInferenceModel(bytes, { kernels: ik })).predict(c.x)).data);
});

test('stream.step results are views that later steps never overwrite (pooled 64 KB blocks)', async () => {
  const m = new Sequential([new LSTM({ units: 64, inputShape: [null, 3] })], { seed: 11, kernels: k });
  const x = floats(4, 1, 3, 11)[0];
  await m.predict([x.map((r) => r)]);
  const s = (await loadInferenceModel(saveModelToBytes(m), { kernels: ik })).stream({ batchSize: 4 });
  const kept: Float32Array[] = [], copies: Float32Array[] = [];
  const r = lcg(12);
  // 150 steps of (4, 64) floats = 1 KB each: several 64 KB blocks.
  for (let t = 0; t < 150; t++) {
    const y = s.step(Array.from({ length: 4 }, () => [r(), r(), r()]));
    assert.is(y.length, 256);
    kept.push(y);
    copies.push(y.slice());
  }
  kept.forEach((y, t) => same(`step ${t} after 150 steps`, y, copies[t]));
  assert.ok(new Set(kept.map((y) => y.buffer)).size >= 3, 'results spread over several blocks');
});

test.run();
