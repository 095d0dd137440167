// The 2-thread streaming rows of npm run bench:infer (issue 20): fused-rnn/infer with loadInferenceModel(…,
// { threads: 2 }) (each LSTM step split by units between the caller and one helper thread) against
// onnxruntime-web's one-step graph, at B = 1, LSTM(256), D = 64.
// onnxruntime-web reads env.wasm.numThreads once, when its wasm starts, so one process cannot hold a 1-thread
// and a 2-thread ORT: bench/infer.ts measures ort-web on 1 thread itself and runs this file as a child
// process for ort-web on 2 threads (env.wasm.numThreads = 2; its pthreads are worker_threads in Node: a
// B = 64 one-step LSTM runs 1.5 → 0.8 ms with 2, so the threads are real). The child measures ort-web 2t
// against fused-rnn on 1 thread first, with no thread pool of ours in the process: bench/infer.ts has the
// same 1-thread stream in its rotation, so the two ratios against it say which ort-web setting is faster,
// and fused 2t vs ort-web 2t follows through it (see bench/infer.ts). Then fused 2t vs ort-web 2t side by
// side in this process, reported as its own row: there ort-web's pool spins on one of the 2 cores through
// our windows (measured per thread from /proc), so it measures two thread pools competing for 2 cores.
// Windows as bench/infer.ts (1 ms of untimed steps, then WINDOW = 32 timed; contenders in turn, order swapped
// every round), but each window starts after a 1 ms pause (our helper sleeps 0.3 ms after its last step;
// ort-web's pool spins far longer, see above); the untimed steps pay the wake-up of the sleeping threads, for
// both. Prints one JSON line last.
import { readdirSync, readFileSync } from 'node:fs';
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

/** This process's thread ids (Linux /proc/self/task), or null elsewhere. */
function threadIds(): Set<string> | null {
  try {
    return new Set(readdirSync('/proc/self/task'));
  } catch {
    return null;
  }
}

/** CPU time (user + system, ms) the given threads of this process used so far (Linux; 10 ms ticks). */
function threadsCpuMs(ids: string[]): number {
  let ticks = 0;
  for (const id of ids) {
    try {
      const f = readFileSync(`/proc/self/task/${id}/stat`, 'utf8').split(') ')[1].split(' ');
      ticks += Number(f[11]) + Number(f[12]);
    } catch {
      // the thread ended
    }
  }
  return ticks * 10;
}

/** A contender: one step on input x (sync or async). */
export type StepFn = (x: Float32Array) => unknown;

/**
 * `rounds` rounds of one window of a and one of b (order swapped every round); µs per step of each window,
 * the median per-step times and the median per-round ratio b / a.
 */
export async function pairWindows(a: StepFn, b: StepFn, rounds: number, aroundA?: (f: () => Promise<number>) => Promise<number>): Promise<{ a: number[]; b: number[]; usA: number; usB: number; ratio: number }> {
  let k = 0;
  const window = async (f: StepFn) => {
    await pause();
    for (let i = 0, until = performance.now() + WARM_MS; i < 2 || performance.now() < until; i++) await f(stepInputs[k++ & 63]);
    const t0 = performance.now();
    for (let i = 0; i < WINDOW; i++) await f(stepInputs[k++ & 63]);
    return ((performance.now() - t0) / WINDOW) * 1000;
  };
  const windowA = aroundA ? () => aroundA(() => window(a)) : () => window(a);
  for (let i = 0; i < 10; i++) { await window(a); await window(b); }
  const ta: number[] = [], tb: number[] = [];
  for (let r = 0; r < rounds; r++) {
    if (r & 1) { tb.push(await window(b)); ta.push(await windowA()); }
    else { ta.push(await windowA()); tb.push(await window(b)); }
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

// Child process: onnxruntime-web on 2 threads against fused-rnn on 1 thread (the reference that bench/infer.ts
// also measures, to compare ort-web's two settings) and against fused-rnn on 2 threads, validated first.
if (process.argv[1]?.endsWith('infer-threads.ts')) {
  const rounds = Number(process.env.ROUNDS ?? 120);
  const { bytes, weights } = await lstmModel();
  const before = threadIds();
  const ort = await ortStepper(weights, 2);
  const one = (await loadInferenceModel(bytes, { kernels: await loadInferKernels(), weights: 'float32' })).stream();
  let errOrt = 0;
  for (const x of stepInputs) {
    const a = one.step(x), o = await ort.step(x);
    for (let i = 0; i < H; i++) errOrt = Math.max(errOrt, Math.abs(o[i] - a[i]));
  }
  if (!(errOrt < 1e-4)) throw new Error(`ort-web (2 threads) one-step output differs from fused-rnn by ${errOrt}`);
  // ort-web's own threads (its pthreads are worker threads of this process), started by now.
  const ortThreads = before === null ? [] : [...threadIds()!].filter((t) => !before.has(t));
  // 1. ort-web 2 threads vs fused-rnn 1 thread: no second thread pool of ours in the process yet.
  const r1 = await pairWindows((x) => one.step(x), (x) => ort.step(x), rounds);
  // 2. Both on 2 threads in one process. CPU time of ort-web's threads during our windows (Linux /proc): its
  // pool keeps spinning after its own window, on one of this VM's 2 cores.
  const model2 = await loadInferenceModel(bytes, { threads: 2, weights: 'float32' });
  if (model2.kernels.threads?.size !== 2) throw new Error('fused-rnn/infer did not start 2 threads');
  const two = model2.stream();
  one.reset();
  for (const x of stepInputs) {
    const a = one.step(x), b = two.step(x);
    for (let i = 0; i < H; i++) if (!Object.is(a[i], b[i])) throw new Error(`2-thread stream differs from 1 thread at unit ${i}: ${b[i]} vs ${a[i]}`);
  }
  let ortCpuMs = 0, wallMs = 0;
  const r2 = await pairWindows((x) => two.step(x), (x) => ort.step(x), rounds, async (window) => {
    const c0 = threadsCpuMs(ortThreads), t0 = performance.now();
    const us = await window();
    ortCpuMs += threadsCpuMs(ortThreads) - c0;
    wallMs += performance.now() - t0;
    return us;
  });
  await ort.release();
  model2.dispose();
  console.log(JSON.stringify({
    fused1tUs: r1.usA, ort2tUsVs1t: r1.usB, ort2tVsFused1t: r1.ratio,
    fused2tUs: r2.usA, ort2tUs: r2.usB, ort2tVsFused2t: r2.ratio,
    ortThreads: ortThreads.length, ortThreadsCpuMsInFusedWindows: ortThreads.length ? ortCpuMs : null, fusedWindowsWallMs: wallMs,
    maxAbsOrt: errOrt, bestUs: { fused1t: Math.min(...r1.a), fused2t: Math.min(...r2.a), ort2t: Math.min(...r2.b) }, ort: ort.version,
    rounds: { fused1t: r1.a, ort2tVs1t: r1.b, fused2t: r2.a, ort2t: r2.b },
  }));
}
