// One (peer, workload) cell of the peer benchmark, in its own process: `node --import tsx bench/peers/worker.ts
// <peer> <workload id>`. Builds the workload on the peer with fused-rnn's seeded weights (so outputs and first
// losses can be cross-checked by run.ts), warms up (~0.5 s), times 7–50 runs (3 when one run takes over 3 s) and prints
// one line "RESULT {json}". A run is one training step (forward + backward + Adam on one batch) or one
// inference call (predict / session.run, including copying the result out).
import { loadKernels } from '../../src/index.js';
import { buildOnnxRnn, kerasDirections } from './onnx-model.js';
import { loadOrt } from './ort.js';
import { peerRequire, type Untyped } from './peer-import.js';
import { WORKLOADS, batch, fusedModel, usesIds, type PeerName, type Workload } from './workloads.js';

export interface CellResult {
  peer: PeerName;
  workload: string;
  ok: boolean;
  error?: string;
  /** Per-run milliseconds of the timed runs. */
  times?: number[];
  warmup?: number;
  medianMs?: number;
  /** Loss of the first step (train) or sum of the outputs of the first call (infer), for cross-checks. */
  check?: number;
  version?: string;
  note?: string;
  /** Rounds pooled into times (run.ts repeats the headline cells). */
  rounds?: number;
}

interface Runner {
  version: string;
  note?: string;
  /** One timed unit of work; returns the first-step loss / output sum. */
  run(): Promise<number>;
}

const sum = (a: ArrayLike<number>) => { let s = 0; for (let i = 0; i < a.length; i++) s += a[i]; return s; };

async function fusedRunner(w: Workload, threads = 1): Promise<Runner> {
  const k = await loadKernels({ threads });
  if (k.threads !== threads) throw new Error(`fused-rnn ran on ${k.threads} threads, not ${threads}`);
  const m = await fusedModel(w, k);
  const { x, y } = batch(w);
  const version = `fused-rnn (wasm ${k.variant}, ${threads} thread${threads > 1 ? 's' : ''})`;
  if (w.kind === 'infer') return { version, run: async () => sum((await m.predict(x, { batchSize: w.B })).data) };
  m.compile({ optimizer: 'adam', loss: w.head!.units === 1 ? 'binaryCrossentropy' : 'sparseCategoricalCrossentropy' });
  return { version, run: async () => (await m.fit(x, y!, { epochs: 1, batchSize: w.B, shuffle: false })).history.loss[0] };
}

async function tfjsRunner(w: Workload, backend: 'cpu' | 'wasm'): Promise<Runner> {
  const tf: Untyped = peerRequire('@tensorflow/tfjs');
  if (backend === 'wasm') peerRequire('@tensorflow/tfjs-backend-wasm');
  await tf.setBackend(backend);
  await tf.ready();
  const k = await loadKernels();
  const fused = await fusedModel(w, k);
  const layers: Untyped[] = [];
  if (usesIds(w)) layers.push(tf.layers.embedding({ inputDim: w.V!, outputDim: w.E!, inputLength: w.T }));
  const rnn = { units: w.H, returnSequences: w.returnSequences, recurrentActivation: 'sigmoid' as const, recurrentInitializer: 'glorotUniform' as const, ...(usesIds(w) ? {} : { inputShape: [w.T, w.D] }) };
  layers.push(w.cell === 'lstm' ? tf.layers.lstm(rnn) : tf.layers.gru(rnn)); // tfjs GRU = reset-before
  if (w.head) layers.push(tf.layers.dense(w.head));
  const model = tf.sequential({ layers });
  const weights = fused.getWeights();
  model.weights.forEach((v: { name: string; shape: number[] }, i: number) => {
    if (v.shape.join(',') !== weights[i].shape.join(',')) throw new Error(`tfjs weight ${v.name} [${v.shape}] vs fused-rnn ${weights[i].path} [${weights[i].shape}]`);
  });
  model.setWeights(weights.map((v) => tf.tensor(v.data, v.shape)));
  const { x, y } = batch(w);
  const xs = usesIds(w) ? tf.tensor2d(Float32Array.from(x.data), [w.B, w.T]) : tf.tensor3d(x.data as Float32Array, [w.B, w.T, w.D]);
  let simd = '';
  if (backend === 'wasm') simd = (await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT')) ? ', SIMD' : ', no SIMD';
  const version = `tfjs ${tf.version.tfjs} ${backend}${simd}`;
  if (w.kind === 'infer') {
    return { version, run: async () => { const out = model.predict(xs); const s = sum(await out.data()); out.dispose(); return s; } };
  }
  // BCE for W1; for W2 categorical CE on one-hot targets (the same loss as sparse CE on the ids).
  const ys = w.head!.units === 1 ? tf.tensor2d(y!.data as Float32Array, [w.B, 1]) : tf.oneHot(tf.tensor2d(y!.data as Int32Array, [w.B, w.T], 'int32'), w.head!.units).toFloat();
  model.compile({ optimizer: tf.train.adam(0.001), loss: w.head!.units === 1 ? 'binaryCrossentropy' : 'categoricalCrossentropy' });
  return { version, run: async () => (await model.trainOnBatch(xs, ys)) as number };
}

async function ortRunner(w: Workload, name: 'ort-node' | 'ort-web', threads = 1): Promise<Runner> {
  const ort = await loadOrt(name, threads);
  const k = await loadKernels();
  const fused = await fusedModel(w, k);
  const bytes = buildOnnxRnn({ cell: w.cell, D: w.D, H: w.H, resetAfter: false, returnSequences: w.returnSequences, directions: kerasDirections(fused.getWeights()) });
  const session = await ort.create(bytes);
  const { x } = batch(w);
  return { version: `onnxruntime ${ort.version} ${name === 'ort-node' ? 'node (native CPU)' : 'web (wasm SIMD)'}, ${threads} thread${threads > 1 ? 's' : ''}`, run: async () => sum(await session.run(x.data as Float32Array, x.shape)) };
}

async function brainRunner(w: Workload): Promise<Runner> {
  const brain: { recurrent: { LSTM: new (o: object) => { train(d: string[], o: object): { error: number } } } } = peerRequire('brain.js');
  // One string of T + 1 characters (T predictions) over an 80-character alphabet; the first train() call also
  // sees the whole alphabet so the vocabulary is complete. brain.js sizes its input (embedding) and output layers
  // from the data: vocabulary = embedding width = 80 (fused-rnn: Embedding(80, 64)).
  const alphabet = Array.from({ length: w.V! }, (_, i) => String.fromCharCode(40 + i)).join('');
  const ids = batch(w).x.data;
  const sample = Array.from({ length: w.T + 1 }, (_, i) => alphabet[ids[i % ids.length]]).join('');
  const net = new brain.recurrent.LSTM({ hiddenLayers: [w.H] });
  net.train([alphabet, sample], { iterations: 1 });
  return { version: 'brain.js 1.6.1 recurrent.LSTM (CPU, JS)', note: 'vocabulary 80 = its embedding width', run: async () => net.train([sample], { iterations: 1 }).error };
}

async function runner(peer: PeerName, w: Workload): Promise<Runner> {
  switch (peer) {
    case 'fused-rnn': return fusedRunner(w);
    case 'fused-rnn 2t': return fusedRunner(w, 2);
    case 'ort-web 2t': return ortRunner(w, 'ort-web', 2);
    case 'tfjs-cpu': return tfjsRunner(w, 'cpu');
    case 'tfjs-wasm': return tfjsRunner(w, 'wasm');
    case 'ort-node': case 'ort-web': return ortRunner(w, peer);
    case 'brain.js': return brainRunner(w);
  }
}

async function main(): Promise<CellResult> {
  const [peer, id] = process.argv.slice(2) as [PeerName, string];
  const w = WORKLOADS.find((x) => x.id === id);
  if (!w) throw new Error(`unknown workload ${id}`);
  const base = { peer, workload: id };
  let r: Runner;
  try {
    r = await runner(peer, w);
  } catch (e) {
    return { ...base, ok: false, error: String((e as Error).message ?? e).split('\n')[0] };
  }
  try {
    let t = performance.now();
    const check = await r.run();
    const first = performance.now() - t;
    const slow = first > 3000;
    // Warm-up: about 0.5 s of runs (2 to 10): a fresh process's first runs are slower while V8 tiers up
    // (on 2 threads its background compile jobs compete with both compute threads: W2 on 2 threads ran
    // 60.7, 59.0, 57.4, 56.3, 55.2 ms in its first timed runs after 2 warm-ups).
    const warmup = slow ? 1 : Math.max(2, Math.min(10, Math.ceil(500 / Math.max(first, 1))));
    for (let i = 1; i < warmup; i++) await r.run();
    const times: number[] = [];
    // Fast cells take more runs (about 1.5 s of them, 7 to 50) so the median rides out a busy shared machine.
    const runs = slow ? 3 : Math.max(7, Math.min(50, Math.ceil(1500 / Math.max(first, 1))));
    for (let i = 0; i < runs; i++) {
      t = performance.now();
      await r.run();
      times.push(performance.now() - t);
    }
    const sorted = [...times].sort((a, b) => a - b);
    return { ...base, ok: true, times, warmup, medianMs: sorted[sorted.length >> 1], check, version: r.version, note: r.note };
  } catch (e) {
    return { ...base, ok: false, error: String((e as Error).message ?? e).split('\n')[0], version: r.version };
  }
}

const result = await main();
console.log(`RESULT ${JSON.stringify(result)}`);
process.exit(0);
