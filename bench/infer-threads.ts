// The 2-thread streaming rows of npm run bench:infer (issue 20): fused-rnn/infer with loadInferenceModel(…,
// { threads: 2 }) (each LSTM step split by units between the caller and one helper thread) against
// onnxruntime-web's one-step graph, at B = 1, LSTM(256), D = 64.
// onnxruntime-web reads env.wasm.numThreads once, when its wasm starts, so one process cannot hold a 1-thread
// and a 2-thread ORT: bench/infer.ts measures fused 2t vs ort-web 1t itself (pairWindows below) and runs this
// file as a child process for fused 2t vs ort-web 2t (env.wasm.numThreads = 2; its pthreads are
// worker_threads in Node: a B = 64 one-step LSTM runs 1.5 → 0.8 ms with 2, so the threads are real).
// Windows as bench/infer.ts (1 ms of untimed steps, then WINDOW = 32 timed; contenders in turn, order swapped
// every round), but each window starts after a 1 ms pause (so the previous contender's spinning threads, ours
// or ORT's, have gone to sleep and take no core); the untimed steps pay the wake-up of the sleeping threads,
// for both. Prints one JSON line last.
import { LSTM, Sequential, loadKernels, saveModelToBytes } from '../src/index.js';
import { loadInferenceModel, loadInferKernels } from '../src/infer/index.js';
import { kerasDirections } from './peers/onnx-model.js';
import { buildOnnxStep } from './peers/onnx-step.js';
import { peerImport, type Untyped } from './peers/peer-import.js';

export const D = 64, H = 256;
export const stepInputs = Array.from({ length: 64 }, (_, t) => Float32Array.from({ length: D }, (_, d) => Math.sin(0.37 * t + 0.11 * d)));
const median = (xs: number[]) => { const s = xs.slice().sort((a, b) => a - b); return s[Math.floor(s.length / 2)]; };
const pause = () => new Promise((r) => setTimeout(r, 1));
/** Timed steps per window, after WARM_MS (and at least 2 steps) of untimed ones, as bench/infer.ts. */
const WINDOW = Number(process.env.WINDOW ?? 32), WARM_MS = Number(process.env.WARM_MS ?? 1);

/** A contender: one step on input x (sync or async). */
export type StepFn = (x: Float32Array) => unknown;

/**
 * `rounds` rounds of one window of a and one of b (order swapped every round); µs per step of each window,
 * the median per-step times and the median per-round ratio b / a.
 */
export async function pairWindows(a: StepFn, b: StepFn, rounds: number): Promise<{ a: number[]; b: number[]; usA: number; usB: number; ratio: number }> {
  let k = 0;
  const window = async (f: StepFn) => {
    await pause();
    for (let i = 0, until = performance.now() + WARM_MS; i < 2 || performance.now() < until; i++) await f(stepInputs[k++ & 63]);
    const t0 = performance.now();
    for (let i = 0; i < WINDOW; i++) await f(stepInputs[k++ & 63]);
    return ((performance.now() - t0) / WINDOW) * 1000;
  };
  for (let i = 0; i < 10; i++) { await window(a); await window(b); }
  const ta: number[] = [], tb: number[] = [];
  for (let r = 0; r < rounds; r++) {
    if (r & 1) { tb.push(await window(b)); ta.push(await window(a)); }
    else { ta.push(await window(a)); tb.push(await window(b)); }
  }
  return { a: ta, b: tb, usA: median(ta), usB: median(tb), ratio: median(tb.map((x, i) => x / ta[i])) };
}

/** The LSTM(256) model of bench/infer.ts (seed 1): saved bytes and its weights (for the ONNX graph). */
export async function lstmModel(): Promise<{ bytes: Uint8Array; weights: ReturnType<Sequential['getWeights']> }> {
  const kernels = await loadKernels({ variant: 'simd' });
  const m = new Sequential([new LSTM({ units: H, inputShape: [null, D] })], { seed: 1, kernels });
  await m.predict({ data: new Float32Array(D), shape: [1, 1, D] });
  return { bytes: saveModelToBytes(m), weights: m.getWeights() };
}

/** onnxruntime-web's one-step LSTM(256) session with `threads` wasm threads: a step function (state fed back). */
export async function ortStepper(weights: ReturnType<Sequential['getWeights']>, threads: number): Promise<{ step: (x: Float32Array) => Promise<Float32Array>; version: string; release: () => Promise<void> }> {
  const mod = await peerImport('onnxruntime-web');
  const ort: Untyped = mod.InferenceSession ? mod : mod.default;
  ort.env.wasm.numThreads = threads;
  const session = await ort.InferenceSession.create(buildOnnxStep('lstm', D, H, 1, kerasDirections(weights)[0]), { executionProviders: ['wasm'], intraOpNumThreads: 1, interOpNumThreads: 1, graphOptimizationLevel: 'all' });
  let h = new ort.Tensor('float32', new Float32Array(H), [1, 1, H]), c = new ort.Tensor('float32', new Float32Array(H), [1, 1, H]);
  return {
    version: ort.env.versions?.common,
    async step(x: Float32Array) {
      const out = await session.run({ x: new ort.Tensor('float32', x, [1, 1, D]), h0: h, c0: c });
      h = out.h;
      c = out.c;
      return out.h.data as Float32Array;
    },
    release: () => session.release(),
  };
}

// Child process: fused-rnn 2 threads vs onnxruntime-web 2 threads, validated first.
if (process.argv[1]?.endsWith('infer-threads.ts')) {
  const rounds = Number(process.env.ROUNDS ?? 120);
  const { bytes, weights } = await lstmModel();
  const ort = await ortStepper(weights, 2);
  const one = (await loadInferenceModel(bytes, { kernels: await loadInferKernels(), weights: 'float32' })).stream();
  const model2 = await loadInferenceModel(bytes, { threads: 2, weights: 'float32' });
  if (model2.kernels.threads?.size !== 2) throw new Error('fused-rnn/infer did not start 2 threads');
  const two = model2.stream();
  let errOrt = 0;
  for (const x of stepInputs) {
    const a = one.step(x), b = two.step(x), o = await ort.step(x);
    for (let i = 0; i < H; i++) {
      if (!Object.is(a[i], b[i])) throw new Error(`2-thread stream differs from 1 thread at unit ${i}: ${b[i]} vs ${a[i]}`);
      errOrt = Math.max(errOrt, Math.abs(o[i] - b[i]));
    }
  }
  if (!(errOrt < 1e-4)) throw new Error(`ort-web (2 threads) one-step output differs from fused-rnn by ${errOrt}`);
  const r = await pairWindows((x) => two.step(x), (x) => ort.step(x), rounds);
  await ort.release();
  model2.dispose();
  console.log(JSON.stringify({ fused2tUs: r.usA, ort2tUs: r.usB, ort2tVsFused2t: r.ratio, maxAbsOrt: errOrt, bestUs: { fused2t: Math.min(...r.a), ort2t: Math.min(...r.b) }, ort: ort.version, rounds: { fused2t: r.a, ort2t: r.b } }));
}
