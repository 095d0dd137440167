// `npm run bench:tfjs`: TensorFlow.js 4.22 with its stock recurrent layers vs the same tfjs with fused-rnn's
// layers (fused-rnn/tfjs, installFusedLayers), on the same backend (cpu, wasm; tfjs-wasm is single-threaded in
// Node), same weights, same data, in one process, rounds alternating stock / fused so machine noise hits both.
//   W3 B1 / W3 B32: LSTM(256) inference on floats (B, T64, D64), last state: model.predict + dataSync.
//   W2f: floats (B32, T64, D64) → LSTM(256, seq) → Dense(80, softmax), categorical CE, Adam: one trainOnBatch.
// (Definitions as bench/peers/workloads.ts.) Before timing, outputs (W3) and the first loss and the weights
// after one Adam step (W2f) must agree within 1e-5, or the run exits 1. Napkin maths: LSTM forward ≈
// 8·T·B·H·(D+H) flops, training ≈ 3× that. Prints medians, ratios and ends with the summary line; saves JSON
// under bench/results/.
import * as tfc from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import * as tfl from '@tensorflow/tfjs-layers';
import { loadKernels } from '../src/index.js';
import { installFusedLayers, type FusedLayersInstallation, type TfNamespace } from '../src/tfjs/index.js';
import { describeMachine } from './helpers/machine.js';
import { saveResults } from './helpers/results.js';
import { uniform } from '../test/helpers/random.js';

/* eslint-disable @typescript-eslint/no-explicit-any */
const tf = { ...tfc, ...tfl } as unknown as TfNamespace & typeof tfc & typeof tfl;
const T = 64, D = 64, H = 256, V = 80;
const TOL = 1e-5;
const quick = process.argv.includes('--quick');

interface Cell {
  backend: string;
  workload: string;
  stockMs: number[];
  fusedMs: number[];
  stockMedianMs: number;
  fusedMedianMs: number;
  ratio: number;
  maxDiff: number;
  unit: string;
  stockRate: number;
  fusedRate: number;
}

const median = (a: number[]) => [...a].sort((x, y) => x - y)[a.length >> 1];
const fmt = (v: number) => (v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toPrecision(2));

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return a.length === b.length ? m : Infinity;
}

/** Seeded weights for a model (the same values go into the stock and the fused twin). */
function seededWeights(model: tfl.LayersModel, seed: number): tfc.Tensor[] {
  return model.weights.map((w, i) => {
    const shape = w.shape as number[];
    const n = shape.reduce((a, b) => a * b, 1);
    const scale = Math.sqrt(6 / (shape[0] + shape[shape.length - 1])); // glorot-uniform range
    return tf.tensor(uniform(n, seed * 100 + i, -scale, scale), shape);
  });
}

const RNN = { recurrentActivation: 'sigmoid', recurrentInitializer: 'glorotUniform', kernelInitializer: 'glorotUniform' } as const;

function w3(L: any, B: number): tfl.LayersModel {
  void B;
  return tf.sequential({ layers: [L.lstm({ units: H, inputShape: [T, D], ...RNN })] });
}

function w2f(L: any): tfl.LayersModel {
  const m = tf.sequential({ layers: [L.lstm({ units: H, returnSequences: true, inputShape: [T, D], ...RNN }), tf.layers.dense({ units: V, activation: 'softmax' })] });
  m.compile({ optimizer: tf.train.adam(0.001), loss: 'categoricalCrossentropy' });
  return m;
}

/** Alternating rounds of stock and fused runs; `runs` timed runs each after `warmup`. */
async function timeBoth(stock: () => Promise<void>, fused: () => Promise<void>, warmup: number, runs: number) {
  for (let i = 0; i < warmup; i++) { await stock(); await fused(); }
  const s: number[] = [], f: number[] = [];
  for (let i = 0; i < runs; i++) {
    let t = performance.now();
    await stock();
    s.push(performance.now() - t);
    t = performance.now();
    await fused();
    f.push(performance.now() - t);
  }
  return { s, f };
}

async function inferenceCell(backend: string, inst: FusedLayersInstallation, B: number): Promise<Cell> {
  const stock = w3(tf.layers, B), fused = w3(inst.layers, B);
  const weights = seededWeights(stock, 3);
  stock.setWeights(weights);
  fused.setWeights(weights);
  const x = tf.tensor3d(uniform(B * T * D, 12, -1, 1), [B, T, D]);
  const run = (m: tfl.LayersModel) => { const y = m.predict(x) as tfc.Tensor; const v = y.dataSync(); y.dispose(); return v; };
  const maxDiff = maxAbsDiff(run(fused), run(stock));
  if (!(maxDiff <= TOL)) throw new Error(`${backend} W3 B${B}: fused and stock outputs differ by ${maxDiff} (> ${TOL})`);
  const slowStock = backend === 'cpu' && B > 1;
  // tfjs' per-step path needs a few calls before V8 has compiled it (first calls are 3–10× slower).
  const { s, f } = await timeBoth(async () => { run(stock); }, async () => { run(fused); }, slowStock ? 1 : 4, quick ? 3 : slowStock ? 3 : B === 1 ? 15 : 7);
  return cell(backend, `W3 B${B}`, s, f, maxDiff, 'sequences/s', B);
}

async function trainingCell(backend: string, inst: FusedLayersInstallation): Promise<Cell> {
  const B = 32;
  const stock = w2f(tf.layers), fused = w2f(inst.layers);
  const weights = seededWeights(stock, 5);
  stock.setWeights(weights);
  fused.setWeights(weights);
  const x = tf.tensor3d(uniform(B * T * D, 12, -1, 1), [B, T, D]);
  const ids = Int32Array.from(uniform(B * T, 13, 0, V), (v) => Math.floor(v));
  const y = tf.reshape(tf.oneHot(tf.tensor1d(ids, 'int32'), V), [B, T, V]);
  const step = async (m: tfl.LayersModel) => (await m.trainOnBatch(x, y)) as number;
  const lossDiff = Math.abs((await step(fused)) - (await step(stock)));
  const weightDiff = Math.max(...fused.getWeights().map((w, i) => maxAbsDiff(w.dataSync(), stock.getWeights()[i].dataSync())));
  const maxDiff = Math.max(lossDiff, weightDiff);
  if (!(maxDiff <= TOL)) throw new Error(`${backend} W2f: first loss differs by ${lossDiff}, weights after one Adam step by ${weightDiff} (> ${TOL})`);
  const runs = quick ? 2 : backend === 'cpu' ? 2 : 5;
  const { s, f } = await timeBoth(async () => { await step(stock); }, async () => { await step(fused); }, backend === 'cpu' ? 0 : 2, runs);
  return cell(backend, 'W2f', s, f, maxDiff, 'tokens/s', B * T);
}

function cell(backend: string, workload: string, s: number[], f: number[], maxDiff: number, unit: string, items: number): Cell {
  const sm = median(s), fm = median(f);
  const c = { backend, workload, stockMs: s, fusedMs: f, stockMedianMs: sm, fusedMedianMs: fm, ratio: sm / fm, maxDiff, unit,
    stockRate: items / (sm / 1000), fusedRate: items / (fm / 1000) };
  const flops = workload === 'W2f' ? 3 * 8 * T * 32 * H * (D + H) : 8 * T * items * H * (D + H);
  console.log(`  tfjs-${backend.padEnd(4)} ${workload.padEnd(7)} stock ${fmt(sm).padStart(7)} ms (${fmt(c.stockRate)} ${unit})   ` +
    `+ fused-rnn ${fmt(fm).padStart(6)} ms (${fmt(c.fusedRate)} ${unit}, LSTM ≈ ${fmt(flops / (fm / 1000) / 1e9)} GFLOP/s)   ` +
    `${c.ratio.toFixed(1)}x   max |diff| ${maxDiff.toExponential(1)}`);
  return c;
}

const kernels = await loadKernels();
const inst = await installFusedLayers(tf, { kernels, register: false, onStockPath: (l, r) => { throw new Error(`${l} ran tfjs' per-step code: ${r}`); } });
const cells: Cell[] = [];
console.log(`tfjs ${tf.version_core} stock layers vs fused-rnn/tfjs layers, LSTM(${H}), T ${T}, D ${D} (median ms per call, rounds alternate)`);
for (const backend of ['wasm', 'cpu']) {
  await tf.setBackend(backend);
  await tf.ready();
  const simd = backend === 'wasm' ? `, SIMD ${await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT')}, threads ${await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT')}` : '';
  console.log(`backend ${backend}${simd}:`);
  cells.push(await inferenceCell(backend, inst, 1));
  cells.push(await inferenceCell(backend, inst, 32));
  cells.push(await trainingCell(backend, inst));
}
const file = saveResults('tfjs', { machine: describeMachine(), tfjs: tf.version_core, T, D, H, V, cells });
console.log(`saved ${file}`);
const r = (w: string) => cells.find((c) => c.backend === 'wasm' && c.workload === w)!.ratio.toFixed(1);
console.log(`tfjs-wasm + fused-rnn vs tfjs-wasm: W3 B1 ${r('W3 B1')}x, W3 B32 ${r('W3 B32')}x, W2f ${r('W2f')}x`);
