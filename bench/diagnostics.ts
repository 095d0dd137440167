// Cost of the gradient diagnostics: a training step with and without the GradientMonitor, measured side by
// side in one run (median of interleaved runs). Workloads: W2 LSTM (B32, T64, H256, V80, sequence outputs)
// and W1 LSTM (B32, T40, E100, V5000, H64). The monitor records every step (‖dL/dh_t‖, ‖dL/dc_t‖, tensor
// norms, applied norm, gate statistics, update ratios) and spectral norms every 10th recorded step.
import { Dense, Embedding, GradientMonitor, LSTM, Sequential, loadKernels } from '../src/index.js';
import { Random } from '../src/random.js';
import { describeMachine } from './helpers/machine.js';
import { saveResults } from './helpers/results.js';

const kernels = await loadKernels();
const r = new Random(3);
const workloads = [
  { name: 'W2 lstm', B: 32, T: 64, V: 80, seq: true, make: () => [new Embedding({ inputDim: 80, outputDim: 64 }), new LSTM({ units: 256, returnSequences: true }), new Dense({ units: 80, activation: 'softmax' })], loss: 'sparseCategoricalCrossentropy' },
  { name: 'W1 lstm', B: 32, T: 40, V: 5000, seq: false, make: () => [new Embedding({ inputDim: 5000, outputDim: 100 }), new LSTM({ units: 64 }), new Dense({ units: 1, activation: 'sigmoid' })], loss: 'binaryCrossentropy' },
];
const rows = [];
let last = '';
for (const w of workloads) {
  const N = w.B * 4;
  const x = { data: Int32Array.from({ length: N * w.T }, () => r.int(w.V)), shape: [N, w.T] };
  const y = w.seq ? { data: Int32Array.from({ length: N * w.T }, () => r.int(w.V)), shape: [N, w.T] } : { data: Float32Array.from({ length: N }, () => r.int(2)), shape: [N, 1] };
  const plain = new Sequential(w.make(), { seed: 1, kernels }), watched = new Sequential(w.make(), { seed: 1, kernels });
  for (const m of [plain, watched]) m.compile({ optimizer: 'adam', loss: w.loss });
  const monitor = new GradientMonitor({ every: 1, spectralEvery: 10 });
  const time = async (m: Sequential, callbacks: GradientMonitor[]) => {
    const t = performance.now();
    await m.fit(x, y, { epochs: 1, batchSize: w.B, shuffle: false, callbacks });
    return (performance.now() - t) / 4; // ms per step (4 batches)
  };
  await time(plain, []); await time(watched, [monitor]); // warm-up
  const a: number[] = [], b: number[] = [];
  for (let i = 0; i < 7; i++) { a.push(await time(plain, [])); b.push(await time(watched, [monitor])); }
  const med = (v: number[]) => v.slice().sort((p, q) => p - q)[v.length >> 1];
  const overhead = med(b) / med(a) - 1;
  rows.push({ workload: w.name, stepMs: med(a), monitoredStepMs: med(b), overhead, monitorSelfMs: monitor.overheadMs / monitor.records.length });
  console.log(`${w.name} (B${w.B}, T${w.T}): step ${med(a).toFixed(1)} ms, with GradientMonitor ${med(b).toFixed(1)} ms: overhead ${(100 * overhead).toFixed(1)}% ` +
    `(monitor's own time ${(monitor.overheadMs / monitor.records.length).toFixed(2)} ms/step)`);
  if (w.name === 'W2 lstm') last = `diagnostics overhead W2 lstm: ${(100 * overhead).toFixed(1)}% of a training step`;
}
console.log(`saved ${saveResults('diagnostics', { machine: describeMachine(), rows })}`);
console.log(last);
