// GradientMonitor: what it records during fit() matches the model and the definitions.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Bidirectional, Dense, Embedding, GRU, LSTM, Sequential, SimpleRNN, loadKernels, type Kernels } from '../src/index.js';
import { GradientMonitor } from '../src/diagnostics/gradient-monitor.js';
import { firstTokenTask } from './helpers/tasks.js';

let k: Kernels;
test.before(async () => {
  k = await loadKernels();
});

test('records ‖dL/dh_t‖ per layer and step, tensor norms, gate statistics, spectral norms', async () => {
  const { x, y } = firstTokenTask(40, 9, 10, 1);
  const m = new Sequential([new Embedding({ inputDim: 10, outputDim: 4 }), new LSTM({ units: 6, returnSequences: true }), new Bidirectional({ layer: new GRU({ units: 3 }) }), new Dense({ units: 1, activation: 'sigmoid' })], { seed: 1, kernels: k });
  m.compile({ optimizer: 'adam', loss: 'bce' });
  const monitor = new GradientMonitor({ spectralEvery: 2 });
  await m.fit(x, y, { epochs: 2, batchSize: 10, callbacks: [monitor] });
  assert.is(monitor.records.length, 8);
  const r = monitor.records[7];
  const gru = (m.layers[2] as Bidirectional).forwardLayer.name.replace(/^forward_/, '');
  assert.equal(r.layers.map((l) => l.layer), [m.layers[1].name, `forward_${gru}`, `backward_${gru}`]);
  assert.is(r.layers.length, 3, 'LSTM + both GRU directions');
  for (const l of r.layers) assert.is(l.dh.length, 9);
  // The last record equals what the model reports for its last step.
  const now = m.gradientNorms();
  assert.equal(r.layers[0].dh, Array.from(now[0].h));
  assert.ok(r.layers[0].dc && r.layers[0].dc.length === 9, 'LSTM cell norms');
  // Global norm = sqrt(Σ tensor norms²); no clipping configured.
  const g = Math.sqrt(r.tensors.reduce((s, t) => s + t.norm * t.norm, 0));
  assert.ok(Math.abs(g - r.globalNorm) < 1e-9 && !r.clipped && Math.abs(r.appliedNorm - r.globalNorm) < 1e-6 * g);
  assert.ok(r.tensors.every((t) => t.updateRatio !== null && t.updateRatio >= 0));
  const gates = r.layers[0].gates!;
  assert.equal(gates.map((q) => q.gate), ['input', 'forget', 'cell', 'output']);
  assert.ok(gates[1].mean > 0.5, 'unit forget bias keeps the forget gate open early');
  assert.ok(monitor.records[0].layers[0].spectral !== null && monitor.records[1].layers[0].spectral === null, 'spectral every 2nd record');
  // Orthogonal initialisation: the full (H, 4H) kernel has orthonormal rows → σ_max ≈ 1 at the start.
  assert.ok(Math.abs(monitor.records[0].layers[0].spectral!.full - 1) < 0.05, `σ ${monitor.records[0].layers[0].spectral!.full}`);
  const csv = monitor.toCSV().trim().split('\n');
  assert.is(csv.length, 1 + 8 * (3 * 9 + 9 + r.tensors.length));
});

test('update ratios ‖Δw‖/‖w‖ (computed in wasm) equal a direct computation from the weights', async () => {
  const { x, y } = firstTokenTask(10, 5, 8, 4);
  const m = new Sequential([new Embedding({ inputDim: 8, outputDim: 3 }), new GRU({ units: 4 }), new Dense({ units: 1, activation: 'sigmoid' })], { seed: 5, kernels: k });
  m.compile({ optimizer: 'adam', loss: 'bce' });
  await m.evaluate(x, y);
  const w0 = m.getWeights();
  const monitor = new GradientMonitor({ spectralEvery: 0 });
  await m.fit(x, y, { epochs: 1, batchSize: 10, callbacks: [monitor] });
  const w1 = m.getWeights();
  for (const t of monitor.records[0].tensors) {
    const i = w0.findIndex((w) => w.path === t.path);
    let d = 0, n = 0;
    for (let j = 0; j < w0[i].data.length; j++) { d += (w1[i].data[j] - w0[i].data[j]) ** 2; n += w0[i].data[j] ** 2; }
    const want = n > 0 ? Math.sqrt(d / n) : null;
    if (want === null) assert.is(t.updateRatio, null, `${t.path}: zero weights give no ratio`);
    else assert.ok(Math.abs(t.updateRatio! - want) <= 1e-5 * want + 1e-9, `${t.path}: ${t.updateRatio} vs ${want}`);
  }
});

test('clip events: globalClipnorm below the gradient norm clips every recorded step to the clip value', async () => {
  const { x, y } = firstTokenTask(20, 6, 8, 2);
  const m = new Sequential([new Embedding({ inputDim: 8, outputDim: 3 }), new SimpleRNN({ units: 5 }), new Dense({ units: 1, activation: 'sigmoid' })], { seed: 2, kernels: k });
  m.compile({ optimizer: { className: 'SGD', config: { learningRate: 0.1, globalClipnorm: 1e-3 } }, loss: 'bce' });
  const monitor = new GradientMonitor({ every: 2, updateRatios: false, spectralEvery: 0 });
  await m.fit(x, y, { epochs: 1, batchSize: 5, callbacks: [monitor] });
  assert.is(monitor.records.length, 2, 'every 2nd of 4 steps');
  for (const r of monitor.records) {
    assert.ok(r.clipped, 'clipped');
    assert.ok(Math.abs(r.appliedNorm - 1e-3) < 1e-8, `applied ${r.appliedNorm}`);
    assert.ok(r.tensors.every((t) => t.updateRatio === null));
  }
});

test('guard events: a skipped step is recorded with the tensor that held the first NaN', async () => {
  const { x, y } = firstTokenTask(20, 6, 8, 3);
  const m = new Sequential([new Embedding({ inputDim: 8, outputDim: 3 }), new LSTM({ units: 4 }), new Dense({ units: 1, activation: 'sigmoid' })], { seed: 3, kernels: k });
  m.compile({ optimizer: 'adam', loss: 'bce' });
  await m.fit(x, y, { epochs: 1, batchSize: 10 });
  const w = m.getWeights().find((t) => t.path.endsWith('/recurrent_kernel'))!;
  w.data[0] = Infinity;
  m.setWeights([w]);
  const monitor = new GradientMonitor();
  await m.fit(x, y, { epochs: 1, batchSize: 10, callbacks: [monitor], maxConsecutiveNonFinite: 2 });
  assert.is(monitor.records.length, 2);
  for (const r of monitor.records) {
    assert.ok(r.guard !== null && Number.isNaN(r.globalNorm) && !r.clipped);
    assert.ok(r.guard.tensor.length > 0);
  }
});

test.run();
