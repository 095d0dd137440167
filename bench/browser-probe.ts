// The in-browser side of `npm run bench:browser` (bench/browser.ts bundles it with esbuild and runs it as a
// module Worker of the cross-origin isolated page that scripts/serve-web.mjs serves; one fresh Worker per
// cell, as bench:peers uses one process per cell). A Worker, because a page's main thread may not block in
// Atomics.wait, so fused-rnn's threads (and the peers' pthreads) run only off the main thread.
// Message in: { peer, workload, threads, origin }. Message out: a CellResult-like object (times per run in ms,
// median, the first loss / output sum for the cross-check, versions) or { ok: false, error }.
// Same workloads and seeded weights as bench:peers (bench/peers/workloads.ts): every peer copies fused-rnn's.
import * as tfc from '@tensorflow/tfjs-core';
import { setThreadsCount, setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import * as tfl from '@tensorflow/tfjs-layers';
import * as ort from 'onnxruntime-web';
import { loadKernels } from '../src/index.js';
import { WORKLOADS, batch, fusedModel, type Workload } from './peers/workloads.js';

/** What the Node side asks for. */
export interface BrowserCellRequest {
  peer: 'fused-rnn' | 'tfjs-wasm' | 'ort-web';
  workload: 'W2f' | 'W3 B32';
  threads: number;
  origin: string;
}

interface Runner {
  version: string;
  run(): Promise<number>;
}

const sum = (a: ArrayLike<number>) => { let s = 0; for (let i = 0; i < a.length; i++) s += a[i]; return s; };

async function fusedRunner(w: Workload, threads: number): Promise<Runner> {
  const k = await loadKernels({ threads });
  if (k.threads !== threads) throw new Error(`fused-rnn ran on ${k.threads} threads, not ${threads}`);
  const m = await fusedModel(w, k);
  const { x, y } = batch(w);
  const version = `fused-rnn (wasm ${k.variant}, ${threads} thread${threads > 1 ? 's' : ''})`;
  if (w.kind === 'infer') return { version, run: async () => sum((await m.predict(x, { batchSize: w.B })).data) };
  m.compile({ optimizer: 'adam', loss: 'sparseCategoricalCrossentropy' });
  return { version, run: async () => (await m.fit(x, y!, { epochs: 1, batchSize: w.B, shuffle: false })).history.loss[0] };
}

async function tfjsRunner(w: Workload, threads: number, origin: string): Promise<Runner> {
  const tf = { ...tfc, ...tfl } as typeof tfc & typeof tfl;
  setWasmPaths(`${origin}/node_modules/@tensorflow/tfjs-backend-wasm/dist/`);
  setThreadsCount(threads);
  await tf.setBackend('wasm');
  await tf.ready();
  const fused = await fusedModel(w, await loadKernels());
  const model = tf.sequential({
    layers: [
      tf.layers.lstm({ units: w.H, returnSequences: w.returnSequences, recurrentActivation: 'sigmoid', recurrentInitializer: 'glorotUniform', inputShape: [w.T, w.D!] }),
      ...(w.head ? [tf.layers.dense(w.head)] : []),
    ],
  });
  const weights = fused.getWeights();
  model.weights.forEach((v, i) => {
    if (v.shape.join(',') !== weights[i].shape.join(',')) throw new Error(`tfjs weight ${v.name} [${v.shape}] vs fused-rnn ${weights[i].path} [${weights[i].shape}]`);
  });
  model.setWeights(weights.map((v) => tf.tensor(v.data, v.shape)));
  const { x, y } = batch(w);
  const xs = tf.tensor3d(x.data as Float32Array, [w.B, w.T, w.D!]);
  const simd = (await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT')) ? 'SIMD' : 'no SIMD';
  const mt = (await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT')) ? `${threads} thread${threads > 1 ? 's' : ''}` : '1 thread (no multithread support)';
  const version = `tfjs ${tf.version_core} wasm, ${simd}, ${mt}`;
  if (w.kind === 'infer') {
    return { version, run: async () => { const out = model.predict(xs) as tfc.Tensor; const s = sum(await out.data()); out.dispose(); return s; } };
  }
  const ys = tf.cast(tf.oneHot(tf.tensor2d(y!.data as Int32Array, [w.B, w.T], 'int32'), w.head!.units), 'float32');
  model.compile({ optimizer: tf.train.adam(0.001), loss: 'categoricalCrossentropy' });
  return { version, run: async () => (await model.trainOnBatch(xs, ys)) as number };
}

async function ortRunner(w: Workload, threads: number, origin: string): Promise<Runner> {
  ort.env.wasm.numThreads = threads;
  ort.env.wasm.wasmPaths = `${origin}/node_modules/onnxruntime-web/dist/`;
  const bytes = new Uint8Array(await (await fetch(`${origin}/build/bench-browser/${w.id.replace(' ', '-')}.onnx`)).arrayBuffer());
  const session = await ort.InferenceSession.create(bytes, { executionProviders: ['wasm'], graphOptimizationLevel: 'all', intraOpNumThreads: 1, interOpNumThreads: 1 });
  const { x } = batch(w);
  const input = new ort.Tensor('float32', x.data as Float32Array, x.shape);
  return {
    version: `onnxruntime-web ${ort.env.versions.web ?? ort.env.versions.common} (wasm SIMD), ${threads} thread${threads > 1 ? 's' : ''}`,
    run: async () => { const out = await session.run({ x: input }); return sum(Float32Array.from(out.y.data as Float32Array)); },
  };
}

async function cell(req: BrowserCellRequest) {
  const w = WORKLOADS.find((x) => x.id === req.workload)!;
  const r = req.peer === 'fused-rnn' ? await fusedRunner(w, req.threads)
    : req.peer === 'tfjs-wasm' ? await tfjsRunner(w, req.threads, req.origin) : await ortRunner(w, req.threads, req.origin);
  // As bench/peers/worker.ts: the first call (its result is the cross-check), ~0.5 s of warm-up (2 to 10
  // runs), then ~1.5 s of timed runs (7 to 50; 3 after 1 warm-up when one run takes over 3 s).
  let t = performance.now();
  const check = await r.run();
  const first = performance.now() - t;
  const slow = first > 3000;
  const warmup = slow ? 1 : Math.max(2, Math.min(10, Math.ceil(500 / Math.max(first, 1))));
  for (let i = 1; i < warmup; i++) await r.run();
  const runs = slow ? 3 : Math.max(7, Math.min(50, Math.ceil(1500 / Math.max(first, 1))));
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    t = performance.now();
    await r.run();
    times.push(performance.now() - t);
  }
  const sorted = [...times].sort((a, b) => a - b);
  return { ...req, ok: true, times, warmup, medianMs: sorted[sorted.length >> 1], check, version: r.version, isolated: globalThis.crossOriginIsolated === true };
}

self.addEventListener('message', (e: MessageEvent<BrowserCellRequest>) => {
  cell(e.data).then((r) => postMessage(r), (err) => postMessage({ ...e.data, ok: false, error: String((err as Error)?.stack ?? err) }));
}, { once: true });
