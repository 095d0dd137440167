// The text-CNN layers (Conv1D, MaxPooling1D, AveragePooling1D, GlobalMaxPooling1D, GlobalAveragePooling1D,
// Flatten) through Sequential: wasm vs the reference backend after training, Keras output lengths, the
// time-length/mask hand-over between layers, summary param counts, bad input, and learning a task.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  AveragePooling1D, ConfigError, Conv1D, Dense, Dropout, Embedding, Flatten, GlobalAveragePooling1D, GlobalMaxPooling1D, LSTM, Layer, MaxPooling1D,
  Sequential, ShapeError, loadKernels, type Kernels, type Shape,
} from '../src/index.js';
import type { Conv1DOptions } from '../src/layers/conv1d.js';
import type { Planner, Port, RunContext } from '../src/layers/layer.js';
import { layerFromConfig, layerToConfig } from '../src/layers/registry.js';
import { closeReport } from './helpers/check-close.js';
import { rejectsTyped, throwsTyped } from './helpers/assert-throws.js';
import { firstTokenTask, floatTask } from './helpers/tasks.js';

let wasm: Kernels, js: Kernels;
test.before(async () => {
  wasm = await loadKernels();
  js = await loadKernels({ backend: 'js' });
});

type Case = { name: string; layers: () => Layer[]; loss: string; build?: boolean; data: () => { x: unknown; y: unknown } };
const CASES: Case[] = [
  {
    name: 'Embedding → Conv1D(same, relu) → MaxPooling1D → Conv1D(causal, dilation 2) → GlobalMaxPooling1D → Dense(sigmoid)',
    layers: () => [
      new Embedding({ inputDim: 13, outputDim: 6 }), new Conv1D({ filters: 7, kernelSize: 3, padding: 'same', activation: 'relu' }), new MaxPooling1D(),
      new Conv1D({ filters: 5, kernelSize: 2, padding: 'causal', dilationRate: 2, activation: 'tanh' }), new GlobalMaxPooling1D(), new Dense({ units: 1, activation: 'sigmoid' }),
    ],
    loss: 'binaryCrossentropy', data: () => firstTokenTask(24, 9, 13, 1),
  },
  {
    name: 'Embedding(inputLength 11) → Conv1D(valid, strides 2, tanh) → AveragePooling1D(same) → Flatten → Dense(sigmoid)',
    layers: () => [
      new Embedding({ inputDim: 11, outputDim: 5, inputLength: 11 }), new Conv1D({ filters: 6, kernelSize: 3, strides: 2, activation: 'tanh' }),
      new AveragePooling1D({ padding: 'same' }), new Flatten(), new Dense({ units: 1, activation: 'sigmoid' }),
    ],
    loss: 'binaryCrossentropy', build: true, data: () => firstTokenTask(20, 11, 11, 2),
  },
  {
    name: 'Embedding → Conv1D(sigmoid, no bias) → GlobalAveragePooling1D → Dense(sigmoid)',
    layers: () => [
      new Embedding({ inputDim: 9, outputDim: 7 }), new Conv1D({ filters: 9, kernelSize: 4, activation: 'sigmoid', useBias: false }),
      new GlobalAveragePooling1D(), new Dense({ units: 1, activation: 'sigmoid' }),
    ],
    loss: 'binaryCrossentropy', data: () => firstTokenTask(16, 6, 9, 3),
  },
  {
    name: 'cnn-lstm: Embedding → Conv1D(same) → MaxPooling1D(3, strides 2, same) → LSTM → Dense(sigmoid)',
    layers: () => [
      new Embedding({ inputDim: 10, outputDim: 5 }), new Conv1D({ filters: 6, kernelSize: 3, padding: 'same', activation: 'relu' }),
      new MaxPooling1D({ poolSize: 3, strides: 2, padding: 'same' }), new LSTM({ units: 5 }), new Dense({ units: 1, activation: 'sigmoid' }),
    ],
    loss: 'binaryCrossentropy', data: () => firstTokenTask(15, 10, 10, 4),
  },
  {
    name: 'floats → Conv1D(valid, l2 regularizer) → Dropout → AveragePooling1D(3, strides 1) → GlobalMaxPooling1D → Dense(linear), MSE',
    layers: () => [
      new Conv1D({ filters: 5, kernelSize: 2, inputShape: [null, 3], kernelRegularizer: { l1: 0, l2: 0.01 }, biasInitializer: 'ones' }),
      new Dropout({ rate: 0.2 }), new AveragePooling1D({ poolSize: 3, strides: 1 }), new GlobalMaxPooling1D(), new Dense({ units: 2 }),
    ],
    loss: 'mse', data: () => floatTask(16, 7, 3, 2, 3),
  },
  {
    name: 'Embedding(maskZero, right padding) → GlobalAveragePooling1D (masked) → Dense(sigmoid)',
    layers: () => [new Embedding({ inputDim: 10, outputDim: 6, maskZero: true }), new GlobalAveragePooling1D(), new Dense({ units: 1, activation: 'sigmoid' })],
    loss: 'binaryCrossentropy',
    data: () => {
      const d = firstTokenTask(14, 7, 9, 5);
      return { x: d.x.map((row, i) => row.map((v, t) => (t < 7 - (i % 4) ? v : 0))), y: d.y };
    },
  },
];

async function trained(k: Kernels, c: Case, seed = 3) {
  const m = new Sequential(c.layers(), { seed, kernels: k });
  if (c.build) await m.build();
  m.compile({ optimizer: 'adam', loss: c.loss });
  const { x, y } = c.data();
  const h = await m.fit(x as never, y as never, { epochs: 2, batchSize: 5, seed: 9 });
  const p = await m.predict(x as never);
  return { m, h, p };
}

for (const c of CASES) {
  test(`wasm == reference backend: ${c.name}`, async () => {
    const a = await trained(wasm, c), b = await trained(js, c);
    const wa = a.m.getWeights(), wb = b.m.getWeights();
    assert.is(wa.length, wb.length);
    for (let i = 0; i < wa.length; i++) {
      const r = closeReport(`${c.name}: ${wa[i].path}`, wa[i].data, wb[i].data, 2e-5, 2e-4);
      assert.ok(r === null, r ?? '');
    }
    const w0 = new Sequential(c.layers(), { seed: 3, kernels: js });
    if (c.build) await w0.build();
    else await w0.predict(c.data().x as never);
    const moved = w0.getWeights().some((w, i) => closeReport('moved', w.data, wb[i].data, 1e-6, 0) !== null);
    assert.ok(moved, 'training changed the weights');
    const r = closeReport(`${c.name}: predictions`, a.p.data, b.p.data, 2e-5, 2e-4);
    assert.ok(r === null, r ?? '');
    assert.ok(a.p.data.every(Number.isFinite));
    assert.ok(Math.abs(a.h.history.loss[1] - b.h.history.loss[1]) < 1e-4 * Math.max(1, Math.abs(b.h.history.loss[1])));
  });
}

// Keras lengths, worked by hand: valid ceil((T − dK + 1)/s), same ceil(T/s), causal ceil(T/s); dK = (K − 1)·d + 1.
const CONV_SHAPES: Array<[T: number, K: number, s: number, d: number, padding: 'valid' | 'same' | 'causal', To: number]> = [
  [10, 3, 1, 1, 'valid', 8], [10, 3, 2, 1, 'valid', 4], [10, 3, 3, 1, 'valid', 3], [10, 3, 1, 2, 'valid', 6], [5, 5, 1, 1, 'valid', 1],
  [1, 1, 1, 1, 'valid', 1], [9, 4, 4, 1, 'valid', 2],
  [10, 3, 1, 1, 'same', 10], [10, 3, 3, 1, 'same', 4], [7, 4, 2, 1, 'same', 4], [9, 3, 1, 3, 'same', 9], [1, 5, 1, 1, 'same', 1],
  [10, 3, 1, 1, 'causal', 10], [10, 4, 1, 2, 'causal', 10], [10, 2, 3, 1, 'causal', 4], [2, 6, 1, 3, 'causal', 2],
];

test('Conv1D output lengths follow Keras for (T, K, strides, dilation, padding), at build and at run time', async () => {
  const N = 3, C = 3, F = 2;
  for (const [T, K, s, d, padding, To] of CONV_SHAPES) {
    const label = `T ${T} K ${K} strides ${s} dilation ${d} ${padding}`;
    const conv = new Conv1D({ filters: F, kernelSize: K, strides: s, dilationRate: d, padding, inputShape: [T, C] });
    assert.equal(conv.computeOutputShape([T, C]), [To, F], label);
    assert.equal(conv.computeOutputShape([null, C]), [null, F], label);
    const m = new Sequential([conv, new Flatten()], { kernels: wasm });
    await m.build();
    assert.match(m.summary(), new RegExp(`\\(None, ${To}, ${F}\\)`), label);
    const x = Array.from({ length: N }, (_, n) => Array.from({ length: T }, (_, t) => Array.from({ length: C }, (_, c) => Math.sin(n + 2 * t + 3 * c))));
    const p = await m.predict(x);
    assert.equal(p.shape, [N, To * F], label);
  }
});

test('pooling output lengths follow Keras (valid floor((T − P)/S) + 1, same ceil(T/S)); strides default to poolSize', () => {
  const cases: Array<[T: number, P: number, S: number | undefined, padding: 'valid' | 'same', To: number]> = [
    [10, 2, undefined, 'valid', 5], [11, 2, undefined, 'valid', 5], [11, 2, undefined, 'same', 6], [10, 3, undefined, 'valid', 3],
    [10, 3, undefined, 'same', 4], [10, 2, 1, 'valid', 9], [7, 4, 2, 'same', 4], [7, 4, 2, 'valid', 2], [1, 1, 1, 'valid', 1], [1, 3, undefined, 'same', 1],
  ];
  for (const [T, P, S, padding, To] of cases) {
    for (const Pool of [MaxPooling1D, AveragePooling1D]) {
      const l = new Pool({ poolSize: P, strides: S, padding });
      assert.is(l.strides, S ?? P);
      assert.equal(l.computeOutputShape([T, 4]), [To, 4], `${Pool.name} T ${T} P ${P} S ${S} ${padding}`);
    }
  }
  assert.equal(new GlobalMaxPooling1D().computeOutputShape([null, 6]), [6]);
  assert.equal(new GlobalAveragePooling1D().computeOutputShape([12, 6]), [6]);
  assert.equal(new Flatten().computeOutputShape([5, 6]), [30]);
  assert.equal(new Flatten().computeOutputShape([7]), [7]);
  const mp = new MaxPooling1D();
  assert.is(mp.poolSize, 2);
  assert.is(mp.padding, 'valid');
});

test('Flatten is Keras batch-major: row b = [x[b, 0, :], x[b, 1, :], ...] (a transpose of the time-major layout)', async () => {
  const N = 3, T = 4, F = 5;
  const x = Array.from({ length: N }, (_, n) => Array.from({ length: T }, (_, t) => Array.from({ length: F }, (_, f) => 100 * n + 10 * t + f)));
  for (const k of [wasm, js]) {
    const m = new Sequential([new Flatten({ inputShape: [T, F] })], { kernels: k });
    await m.build();
    const p = await m.predict(x, { batchSize: 2 });
    assert.equal(p.shape, [N, T * F]);
    assert.equal(Array.from(p.data), x.flat(2));
  }
});

test('Flatten backward: one SGD step of Conv1D(kernel 1) → Flatten → Dense matches batch-major maths (B = 2, F = 2)', async () => {
  // h[b, t, f] = k[f]·x[b, t]; flat[b, t·F + f] = h[b, t, f]; ŷ[b] = Σ_j w[j]·flat[b, j]; MSE over B: g[b] = 2(ŷ[b] − y[b])/B;
  // dw[j] = Σ_b g[b]·flat[b, j]; dk[f] = Σ_b g[b] Σ_t w[t·F + f]·x[b, t]. A wrong transpose permutes columns.
  const T = 3, F = 2, B = 2, lr = 1e-3;
  const x = [[0.5, -1, 2], [1.5, 0.25, -0.75]], y = [0.3, -0.2];
  const k = [0.7, -1.3], w = [0.1, -0.2, 0.3, 0.4, -0.5, 0.6];
  for (const kern of [wasm, js]) {
    const m = new Sequential([
      new Conv1D({ filters: F, kernelSize: 1, inputShape: [T, 1], useBias: false, name: 'cv' }), new Flatten(), new Dense({ units: 1, useBias: false, name: 'fd' }),
    ], { kernels: kern });
    await m.build();
    m.setWeights([{ path: 'cv/kernel', shape: [1, 1, F], data: k }, { path: 'fd/kernel', shape: [T * F, 1], data: w }]);
    m.compile({ optimizer: { className: 'SGD', config: { learningRate: lr } }, loss: 'mse' });
    await m.fit(x.map((r) => r.map((v) => [v])), y, { epochs: 1, batchSize: B });
    const flat = x.map((r) => r.flatMap((v) => k.map((kf) => kf * v)));
    const g = flat.map((row, b) => (2 * (row.reduce((s, v, j) => s + v * w[j], 0) - y[b])) / B);
    const dw = w.map((_, j) => g.reduce((s, gb, b) => s + gb * flat[b][j], 0));
    const dk = k.map((_, f) => g.reduce((s, gb, b) => s + gb * x[b].reduce((u, v, t) => u + w[t * F + f] * v, 0), 0));
    const got = Object.fromEntries(m.getWeights().map((e) => [e.path, e.data]));
    const r1 = closeReport('Dense kernel', got['fd/kernel'], w.map((v, j) => v - lr * dw[j]), 1e-7, 1e-6);
    assert.ok(r1 === null, r1 ?? '');
    const r2 = closeReport('Conv1D kernel', got['cv/kernel'], k.map((v, f) => v - lr * dk[f]), 1e-7, 1e-6);
    assert.ok(r2 === null, r2 ?? '');
  }
});

/** Identity layer that records the run state it sees (T, mask) in forward and backward. */
class Probe extends Layer {
  readonly className = 'Probe';
  seen: { forward: Array<[number, Int32Array | null]>; backward: Array<[number, Int32Array | null]> } = { forward: [], backward: [] };
  constructor(name: string) {
    super({ name }, 'probe');
  }
  computeOutputShape(input: Shape): Shape {
    return input;
  }
  plan(_planner: Planner, input: Port): Port {
    this.input = this.output = input;
    return input;
  }
  forward(ctx: RunContext): void {
    this.seen.forward.push([ctx.T, ctx.lengths && Int32Array.from(ctx.lengths)]);
  }
  backward(ctx: RunContext): void {
    this.seen.backward.push([ctx.T, ctx.lengths && Int32Array.from(ctx.lengths)]);
  }
  getConfig(): Record<string, unknown> {
    return { name: this.name };
  }
}

test('run state: time-resampling layers hand To and no mask up, and restore T and the mask for the layers below', async () => {
  for (const [make, To] of [
    [() => new Conv1D({ filters: 3, kernelSize: 3, strides: 2 }), 3] as const,
    [() => new MaxPooling1D({ poolSize: 3 }), 2] as const,
    [() => new AveragePooling1D({ padding: 'same' }), 4] as const,
  ]) {
    const below = new Probe('below'), above = new Probe('above'), layer = make();
    const m = new Sequential([new Embedding({ inputDim: 8, outputDim: 4, maskZero: true }), below, layer, above, new GlobalMaxPooling1D(), new Dense({ units: 1, activation: 'sigmoid' })], { kernels: wasm });
    m.compile({ optimizer: 'sgd', loss: 'binaryCrossentropy' });
    await m.fit([[1, 2, 3, 4, 5, 0, 0], [3, 4, 5, 6, 0, 0, 0]], [1, 0], { epochs: 1, batchSize: 2, shuffle: false });
    const lengths = [5, 4];
    assert.equal(below.seen.forward[0][0], 7, layer.className);
    assert.equal(Array.from(below.seen.forward[0][1]!), lengths);
    assert.equal(above.seen.forward[0], [To, null], `${layer.className}: forward above`);
    assert.equal(above.seen.backward[0], [To, null], `${layer.className}: backward above`);
    assert.equal(below.seen.backward[0][0], 7, `${layer.className}: backward below gets T back`);
    assert.equal(Array.from(below.seen.backward[0][1]!), lengths, `${layer.className}: backward below gets the mask back`);
  }
  // Global pooling and Flatten consume the mask and hand it back on the way down.
  for (const make of [() => new GlobalMaxPooling1D(), () => new GlobalAveragePooling1D(), () => new Flatten()]) {
    const below = new Probe('below'), above = new Probe('above'), layer = make();
    const m = new Sequential([new Embedding({ inputDim: 8, outputDim: 4, maskZero: true, inputLength: 5 }), below, layer, above, new Dense({ units: 1, activation: 'sigmoid' })], { kernels: wasm });
    await m.build();
    m.compile({ optimizer: 'sgd', loss: 'binaryCrossentropy' });
    await m.fit([[1, 2, 3, 0, 0]], [1], { epochs: 1, batchSize: 1 });
    assert.is(above.seen.forward[0][1], null, layer.className);
    assert.equal(Array.from(below.seen.backward[0][1]!), [3], layer.className);
  }
});

test('masks: GlobalAveragePooling1D averages only the valid steps (right or left padding), Keras-style', async () => {
  const m = new Sequential([new Embedding({ inputDim: 10, outputDim: 4, maskZero: true }), new GlobalAveragePooling1D(), new Dense({ units: 1, activation: 'sigmoid' })], { seed: 2, kernels: wasm });
  const tokens = [3, 7, 1, 9, 2];
  const plain = await m.predict([tokens]);
  const right = await m.predict([[...tokens, 0, 0, 0], [...tokens, 4, 4, 4]]);
  const left = await m.predict([[0, 0, 0, ...tokens]]);
  assert.ok(Math.abs(right.data[0] - plain.data[0]) < 1e-6, 'right padding');
  assert.ok(Math.abs(left.data[0] - plain.data[0]) < 1e-6, 'left padding');
  assert.ok(Math.abs(right.data[1] - plain.data[0]) > 1e-6, 'real tokens do change the output');
  // Without the mask the zero rows would count: the plain mean over 8 steps differs.
  const noMask = new Sequential([new Embedding({ inputDim: 10, outputDim: 4 }), new GlobalAveragePooling1D(), new Dense({ units: 1, activation: 'sigmoid' })], { seed: 2, kernels: wasm });
  const a = await noMask.predict([tokens]), b = await noMask.predict([[...tokens, 0, 0, 0]]);
  assert.ok(Math.abs(a.data[0] - b.data[0]) > 1e-7, 'unmasked mean includes padding');
});

test('summary: Conv1D has K·C·F + F params (F without bias); pooling and Flatten none', async () => {
  const m = new Sequential([
    new Embedding({ inputDim: 20, outputDim: 8, inputLength: 16, name: 'emb' }),
    new Conv1D({ filters: 16, kernelSize: 5, padding: 'same', name: 'conv_a' }),
    new MaxPooling1D({ poolSize: 2, name: 'pool_a' }),
    new Conv1D({ filters: 4, kernelSize: 3, useBias: false, name: 'conv_b' }),
    new AveragePooling1D({ poolSize: 2, name: 'pool_b' }),
    new Flatten({ name: 'flat' }),
    new Dense({ units: 1, activation: 'sigmoid', name: 'out' }),
  ], { kernels: wasm });
  await m.build();
  const s = m.summary();
  const row = (name: string) => s.split('\n').find((l) => l.startsWith(`${name} (`))!;
  assert.match(row('conv_a'), /\(None, 16, 16\)\s+656$/); // 5·8·16 + 16
  assert.match(row('pool_a'), /\(None, 8, 16\)\s+0$/);
  assert.match(row('conv_b'), /\(None, 6, 4\)\s+192$/); // 3·16·4
  assert.match(row('pool_b'), /\(None, 3, 4\)\s+0$/);
  assert.match(row('flat'), /\(None, 12\)\s+0$/);
  assert.match(row('out'), /\(None, 1\)\s+13$/);
  assert.match(s, /Total params: 1,021/); // 160 + 656 + 192 + 13
  const shapes = Object.fromEntries(m.getWeights().map((w) => [w.path, w.shape]));
  assert.equal(shapes['conv_a/kernel'], [5, 8, 16]);
  assert.equal(shapes['conv_a/bias'], [16]);
  assert.equal(shapes['conv_b/kernel'], [3, 16, 4]);
});

test('Conv1D kernel init is Glorot uniform over fanIn = K·C, fanOut = K·F', async () => {
  const m = new Sequential([new Conv1D({ filters: 30, kernelSize: 4, inputShape: [null, 20], name: 'gl' })], { kernels: wasm, seed: 5 });
  await m.build();
  const w = m.getWeights().find((e) => e.path === 'gl/kernel')!;
  const limit = Math.sqrt(6 / (4 * 20 + 4 * 30));
  let max = 0;
  for (const v of w.data) max = Math.max(max, Math.abs(v));
  assert.ok(max <= limit && max > 0.9 * limit, `max |w| ${max}, limit ${limit}`);
  assert.ok(m.getWeights().find((e) => e.path === 'gl/bias')!.data.every((v) => v === 0));
});

test('bad input: typed errors naming the layer and the shapes', async () => {
  throwsTyped(() => new Conv1D({ filters: 4, kernelSize: 3, strides: 2, dilationRate: 2, name: 'sd' }), ConfigError, /Conv1D "sd": strides > 1 is not supported together with dilationRate > 1/);
  throwsTyped(() => new Conv1D({ filters: 4, kernelSize: 3, padding: 'full' as never }), ConfigError, /padding must be one of valid, same, causal/);
  throwsTyped(() => new Conv1D({ filters: 0, kernelSize: 3 }), ConfigError, /filters must be a positive integer/);
  throwsTyped(() => new Conv1D({ filters: 2, kernelSize: 2.5 }), ConfigError, /kernelSize must be a positive integer/);
  throwsTyped(() => new Conv1D({ filters: 2, kernelSize: 2, activation: 'softmax' as never }), ConfigError, /activation must be one of/);
  throwsTyped(() => new MaxPooling1D({ poolSize: 0 }), ConfigError, /MaxPooling1D .*poolSize must be a positive integer/);
  throwsTyped(() => new AveragePooling1D({ padding: 'causal' as never }), ConfigError, /AveragePooling1D .*padding must be one of valid, same/);

  // Conv1D on a non-sequence
  const flat = new Sequential([new Conv1D({ filters: 4, kernelSize: 3, inputShape: [5], name: 'c_flat' })], { kernels: wasm });
  await rejectsTyped(() => flat.build(), ShapeError, /Conv1D "c_flat": expected a sequence input \(None, T, C\).*got \(None, 5\)/);
  const afterLstm = new Sequential([new Embedding({ inputDim: 5, outputDim: 3 }), new LSTM({ units: 4 }), new GlobalMaxPooling1D({ name: 'g_flat' })], { kernels: wasm });
  await rejectsTyped(() => afterLstm.predict([[1, 2, 3]]), ShapeError, /GlobalMaxPooling1D "g_flat": expected a sequence input.*got \(None, 4\)/);

  // kernel wider than T with valid padding: at build with a fixed T, and at run time with T from the data
  const short = new Sequential([new Conv1D({ filters: 4, kernelSize: 5, inputShape: [4, 3], name: 'c_short' })], { kernels: wasm });
  await rejectsTyped(() => short.build(), ShapeError, /Conv1D "c_short": input \(None, 4, 3\) has 4 steps, fewer than the kernel width 5 of kernel \(5, 3, 4\)/);
  const dilated = new Sequential([new Embedding({ inputDim: 9, outputDim: 3 }), new Conv1D({ filters: 2, kernelSize: 3, dilationRate: 3, name: 'c_dil' }), new GlobalMaxPooling1D()], { kernels: wasm });
  await rejectsTyped(() => dilated.predict([[1, 2, 3, 4, 5, 6]]), ShapeError, /Conv1D "c_dil": input \(None, 6, 3\) has 6 steps, fewer than the dilated kernel width \(K − 1\)·dilationRate \+ 1 = 7 of kernel \(3, 3, 2\)/);
  assert.ok((await dilated.predict([[1, 2, 3, 4, 5, 6, 7]])).data.every(Number.isFinite), 'T = 7 fits');
  // a shorter batch through an existing (longer) plan is checked too
  await rejectsTyped(() => dilated.predict([[1, 2, 3]]), ShapeError, /Conv1D "c_dil": input \(None, 3, 3\) has 3 steps/);
  const pool = new Sequential([new MaxPooling1D({ poolSize: 4, inputShape: [3, 2], name: 'p_short' })], { kernels: wasm });
  await rejectsTyped(() => pool.build(), ShapeError, /MaxPooling1D "p_short": input \(None, 3, 2\) has 3 steps, fewer than poolSize 4/);

  // Flatten needs a known T
  const open = new Sequential([new Embedding({ inputDim: 9, outputDim: 3 }), new Flatten({ name: 'f_open' }), new Dense({ units: 1 })], { kernels: wasm });
  await rejectsTyped(() => open.predict([[1, 2, 3]]), ShapeError, /Flatten "f_open": expected an input with a fully defined shape.*got \(None, None, 3\)/);
  // and data of another length than it was built for
  const fixed = new Sequential([new Embedding({ inputDim: 9, outputDim: 3, inputLength: 4 }), new Flatten(), new Dense({ units: 1 })], { kernels: wasm });
  await fixed.build();
  await rejectsTyped(() => fixed.predict([[1, 2, 3]]), ShapeError, /expected input \(None, 4\)/);
});

test('learns the first-token task: Embedding → Conv1D → MaxPooling1D → Flatten → Dense ≥ 0.9 validation accuracy', async () => {
  const { x, y } = firstTokenTask(600, 12, 12, 5);
  const m = new Sequential([
    new Embedding({ inputDim: 12, outputDim: 8, inputLength: 12 }), new Conv1D({ filters: 12, kernelSize: 3, padding: 'same', activation: 'relu' }),
    new MaxPooling1D(), new Flatten(), new Dense({ units: 1, activation: 'sigmoid' }),
  ], { seed: 1, kernels: wasm });
  await m.build();
  m.compile({ optimizer: { className: 'Adam', config: { learningRate: 0.01 } }, loss: 'binaryCrossentropy', metrics: ['accuracy'] });
  const t0 = Date.now();
  const h = await m.fit(x, y, { epochs: 8, batchSize: 32, validationSplit: 0.25 });
  const acc = h.history.val_accuracy.at(-1)!;
  console.log(`    text CNN: val accuracy ${acc.toFixed(3)} after 8 epochs (${Date.now() - t0} ms)`);
  assert.ok(acc >= 0.9, `val accuracy ${acc}`);
});

test('learns the first-token task position-free: causal Conv1D → GlobalMaxPooling1D sees the left padding', async () => {
  const { x, y } = firstTokenTask(600, 10, 12, 6);
  const m = new Sequential([
    new Embedding({ inputDim: 12, outputDim: 8 }), new Conv1D({ filters: 16, kernelSize: 2, padding: 'causal', activation: 'relu' }),
    new GlobalMaxPooling1D(), new Dense({ units: 1, activation: 'sigmoid' }),
  ], { seed: 1, kernels: wasm });
  m.compile({ optimizer: { className: 'Adam', config: { learningRate: 0.02 } }, loss: 'binaryCrossentropy', metrics: ['accuracy'] });
  const h = await m.fit(x, y, { epochs: 15, batchSize: 32, validationSplit: 0.25 });
  const acc = h.history.val_accuracy.at(-1)!;
  console.log(`    causal CNN + global max: val accuracy ${acc.toFixed(3)} after 15 epochs`);
  assert.ok(acc >= 0.9, `val accuracy ${acc}`);
});

test('getConfig round-trips the Keras options', () => {
  const c = new Conv1D({ filters: 3, kernelSize: [4], strides: 2, padding: 'causal', activation: 'relu', useBias: false, kernelRegularizer: { l1: 0, l2: 0.1 } });
  const cfg = c.getConfig();
  assert.is(cfg.kernelSize, 4);
  assert.is(cfg.padding, 'causal');
  const again = new Conv1D({ ...(cfg as unknown as Conv1DOptions), name: 'again' });
  assert.equal({ ...again.getConfig(), name: cfg.name }, cfg);
  const p = new AveragePooling1D({ poolSize: 3, padding: 'same' }).getConfig();
  assert.equal([p.poolSize, p.strides, p.padding], [3, 3, 'same']);
  // through the registry (fromConfig): same class, same config
  for (const l of [c, new MaxPooling1D({ poolSize: 3, strides: 1, inputShape: [null, 4] }), new AveragePooling1D({ padding: 'same' }), new GlobalMaxPooling1D(), new GlobalAveragePooling1D(), new Flatten()]) {
    const spec = layerToConfig(l);
    const back = layerFromConfig(JSON.parse(JSON.stringify(spec)));
    assert.is(back.className, l.className);
    assert.equal(layerToConfig(back), spec, l.className);
  }
});

test.run();
