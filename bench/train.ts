// Training-step benchmark of the model API (issue: Keras-like model). One step = forward + backward +
// Adam on the model, measured on the wasm SIMD backend and on the TypeScript reference backend in the
// same run, plus how much of a wasm step is spent outside wasm (JS: batching, checks, dispatch).
//   W1 = ids (B32, T40) → Embedding(5000, 100) → LSTM(64) → Dense(1, sigmoid), BCE, Adam: sequences/s
//   W2 = ids (B32, T64) → Embedding(80, 64) → LSTM(256, seq) → Dense(80) softmax CE, Adam: tokens/s
//   W2 GRU = the same with GRU(256)
import { Dense, Embedding, GRU, LSTM, Sequential, loadKernels, type Kernels, type Layer, type RawKernels } from '../src/index.js';
import { Random } from '../src/random.js';
import { describeMachine } from './helpers/machine.js';
import { saveResults } from './helpers/results.js';

interface Workload {
  name: string;
  B: number;
  T: number;
  V: number;
  sequenceTargets: boolean;
  layers: () => Layer[];
  loss: string;
}

const WORKLOADS: Workload[] = [
  { name: 'W1 lstm', B: 32, T: 40, V: 5000, sequenceTargets: false, loss: 'binaryCrossentropy',
    layers: () => [new Embedding({ inputDim: 5000, outputDim: 100 }), new LSTM({ units: 64 }), new Dense({ units: 1, activation: 'sigmoid' })] },
  { name: 'W2 lstm', B: 32, T: 64, V: 80, sequenceTargets: true, loss: 'sparseCategoricalCrossentropy',
    layers: () => [new Embedding({ inputDim: 80, outputDim: 64 }), new LSTM({ units: 256, returnSequences: true }), new Dense({ units: 80, activation: 'softmax' })] },
  { name: 'W2 gru', B: 32, T: 64, V: 80, sequenceTargets: true, loss: 'sparseCategoricalCrossentropy',
    layers: () => [new Embedding({ inputDim: 80, outputDim: 64 }), new GRU({ units: 256, returnSequences: true }), new Dense({ units: 80, activation: 'softmax' })] },
];

/** Wraps every raw export to accumulate the time spent inside wasm. */
function timedRaw(clock: { ms: number }) {
  return (raw: RawKernels): RawKernels => {
    const out: Record<string, unknown> = {};
    for (const [name, f] of Object.entries(raw)) {
      out[name] = typeof f === 'function'
        ? (...args: unknown[]) => { const t = performance.now(); try { return (f as (...a: unknown[]) => unknown)(...args); } finally { clock.ms += performance.now() - t; } }
        : f;
    }
    return out as unknown as RawKernels;
  };
}

function data(w: Workload, batches: number) {
  const r = new Random(11);
  const N = w.B * batches;
  const x = { data: Int32Array.from({ length: N * w.T }, () => r.int(w.V)), shape: [N, w.T] };
  const y = w.sequenceTargets
    ? { data: Int32Array.from({ length: N * w.T }, () => r.int(w.V)), shape: [N, w.T] }
    : { data: Float32Array.from({ length: N }, () => r.int(2)), shape: [N, 1] };
  return { x, y };
}

async function measure(w: Workload, k: Kernels, clock: { ms: number }, steps: number, warmup: number) {
  const m = new Sequential(w.layers(), { seed: 1, kernels: k });
  m.compile({ optimizer: 'adam', loss: w.loss });
  const { x, y } = data(w, 1);
  const times: number[] = [], wasmShare: number[] = [];
  const losses: number[] = [];
  for (let i = 0; i < warmup + steps; i++) {
    clock.ms = 0;
    const t = performance.now();
    const h = await m.fit(x, y, { epochs: 1, batchSize: w.B, shuffle: false });
    const dt = performance.now() - t;
    losses.push(h.history.loss[0]);
    if (i >= warmup) { times.push(dt); wasmShare.push(clock.ms / dt); }
  }
  const order = times.map((_, i) => i).sort((a, b) => times[a] - times[b]);
  const mid = order[order.length >> 1];
  return { ms: times[mid], wasmShare: wasmShare[mid], losses };
}

const rows: Array<Record<string, unknown>> = [];
const clockW = { ms: 0 }, clockJ = { ms: 0 };
const wasm = await loadKernels({ wrapRaw: timedRaw(clockW) });
const js = await loadKernels({ backend: 'js', wrapRaw: timedRaw(clockJ) });
let lastLine = '';
for (const w of WORKLOADS) {
  const a = await measure(w, wasm, clockW, 7, 2);
  const b = await measure(w, js, clockJ, 2, 0);
  // Validate: the first step's loss (before any update) agrees between the backends.
  const rel = Math.abs(a.losses[0] - b.losses[0]) / Math.abs(b.losses[0]);
  if (!(rel < 1e-4)) {
    console.error(`${w.name}: first-step loss differs: wasm ${a.losses[0]}, js ${b.losses[0]}`);
    process.exit(1);
  }
  const perSec = (ms: number) => (w.sequenceTargets ? (w.B * w.T) / (ms / 1000) : w.B / (ms / 1000));
  const unit = w.sequenceTargets ? 'tokens/s' : 'sequences/s';
  const row = {
    workload: w.name, B: w.B, T: w.T, unit, wasmStepMs: a.ms, jsStepMs: b.ms, wasmRate: perSec(a.ms), jsRate: perSec(b.ms),
    ratio: b.ms / a.ms, jsOverheadShare: 1 - a.wasmShare,
  };
  rows.push(row);
  console.log(`${w.name.padEnd(8)} (B${w.B}, T${w.T}): wasm ${a.ms.toFixed(1)} ms/step = ${perSec(a.ms).toFixed(0)} ${unit}; ` +
    `js reference ${b.ms.toFixed(0)} ms/step = ${perSec(b.ms).toFixed(0)} ${unit}; wasm/js ${(b.ms / a.ms).toFixed(1)}x; ` +
    `time outside wasm ${(100 * (1 - a.wasmShare)).toFixed(1)}% of the step`);
  if (w.name === 'W2 lstm') lastLine = `W2 lstm train: ${perSec(a.ms).toFixed(0)} tokens/s, wasm/js: ${(b.ms / a.ms).toFixed(1)}x`;
}
console.log(`saved ${saveResults('train', { machine: describeMachine(), rows })}`);
console.log(lastLine);
