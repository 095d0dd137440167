// Page logic of test/tfjs-browser.test.ts, bundled by esbuild with tfjs (core, layers, cpu and wasm backends)
// and the BUILT plugin (dist/browser/tfjs.js, dist/browser/index.js). On each tfjs backend it builds a stock tfjs
// model and its fused twin (LSTM(7, seq) with a right-padded mask → Bidirectional(GRU(5)), same weights) and
// compares predict outputs and the gradients of a weighted-sum loss; sets window.__tfjsResult.
import * as tfc from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import * as tfl from '@tensorflow/tfjs-layers';
import { loadKernels } from '../../dist/browser/index.js';
import { installFusedLayers } from '../../dist/browser/tfjs.js';

const tf = { ...tfc, ...tfl };
const B = 3, T = 6, D = 5;
const R = { recurrentActivation: 'sigmoid', recurrentInitializer: 'glorotUniform' };

function uniform(n, seed) {
  let a = seed >>> 0;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    out[i] = (((t ^ (t >>> 14)) >>> 0) / 4294967296) * 2 - 1;
  }
  return out;
}

function build(L) {
  const input = tf.input({ shape: [T, D] });
  let h = tf.layers.masking({ maskValue: 0 }).apply(input);
  h = L.lstm({ units: 7, returnSequences: true, ...R, name: 'l' }).apply(h);
  h = L.bidirectional({ layer: L.gru({ units: 5, ...R, name: 'g' }), name: 'bi' }).apply(h);
  return tf.model({ inputs: input, outputs: h });
}

const maxDiff = (a, b) => a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i])), a.length === b.length ? 0 : Infinity);

async function run() {
  setWasmPaths('/node_modules/@tensorflow/tfjs-backend-wasm/dist/');
  const calls = { infer: 0, forward: 0, backward: 0 };
  const kernels = await loadKernels({
    wrapRaw: (raw) => {
      const w = {};
      for (const [k, v] of Object.entries(raw)) {
        const kind = /_(infer|forward|backward)$/.exec(k)?.[1];
        w[k] = kind && typeof v === 'function' ? (...a) => { calls[kind]++; return v(...a); } : v;
      }
      return w;
    },
  });
  const inst = await installFusedLayers(tf, { kernels, register: false, onStockPath: (l, r) => { throw new Error(`${l}: stock path (${r})`); } });
  const checks = [];
  for (const backend of ['cpu', 'wasm']) {
    if (!(await tf.setBackend(backend))) throw new Error(`tfjs backend ${backend} failed to initialise`);
    const stock = build(tf.layers), fused = build(inst.layers);
    const weights = stock.weights.map((v, i) => tf.tensor(uniform(v.shape.reduce((a, b) => a * b, 1), 10 + i), v.shape));
    stock.setWeights(weights);
    fused.setWeights(weights);
    const v = uniform(B * T * D, 3);
    v.fill(0, (T + 4) * D, 2 * T * D); // row 1: last two steps masked
    const x = tf.tensor3d(v, [B, T, D]);
    checks.push({ check: `${backend}: predict`, maxDiff: maxDiff(fused.predict(x).dataSync(), stock.predict(x).dataSync()) });
    const grads = (m) => {
      const vars = m.trainableWeights.map((w) => w.val);
      const r = tf.tensor(uniform(B * 10, 7), [B, 10]);
      const { grads: g } = tf.variableGrads(() => tf.sum(tf.mul(m.apply(x, { training: true }), r)), vars);
      return vars.map((w) => g[w.name].dataSync());
    };
    const gs = grads(stock), gf = grads(fused);
    checks.push({ check: `${backend}: gradients`, maxDiff: Math.max(...gf.map((g, i) => maxDiff(g, gs[i]))) });
  }
  for (const c of checks) c.pass = c.maxDiff <= 1e-5;
  return { ok: checks.every((c) => c.pass), backend: kernels.backend, checks, calls, tfjsBackends: Object.keys(tf.engine().registryFactory) };
}

run().then((r) => { window.__tfjsResult = r; }, (e) => { window.__tfjsResult = { ok: false, error: String(e && e.stack || e) }; });
