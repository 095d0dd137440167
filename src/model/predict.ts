// Prediction: the inference-only plan (no buffers for backward, the *Infer recurrent kernels), batch by
// batch, outputs turned batch-major, and the activation applied to outputs that emit logits for a fused loss
// (sigmoid in wasm, softmax per row). Keras: https://keras.io/api/models/model_training_apis/#predict-method

import type { Random } from '../../bindings/random.js';
import type { TensorData } from './data.js';
import type { Engine } from './engine.js';
import { loadBatch } from './train.js';

/** One output of predict(): batch-major values (N, ...output shape). */
export interface Prediction {
  data: Float32Array;
  shape: number[];
}

function softmaxInPlace(v: Float32Array): void {
  let max = -Infinity;
  for (const x of v) max = Math.max(max, x);
  let sum = 0;
  for (let i = 0; i < v.length; i++) { v[i] = Math.exp(v[i] - max); sum += v[i]; }
  for (let i = 0; i < v.length; i++) v[i] /= sum;
}

/** Outputs for xs (checked inputs), one Prediction per model output, in batches of batchSize. */
export function predict(e: Engine, xs: TensorData[], batchSize: number, random: Random, training = false): Prediction[] {
  const k = e.kernels, a = k.arena, N = xs[0].shape[0];
  const Ts = xs.map((x, i) => (e.kinds[i] === 'vector' ? 1 : x.shape[1]));
  const plan = e.ensurePlan(training, Math.min(batchSize, N), Ts);
  const results: Array<{ data: Float32Array | null; To: number }> = e.graph.outputs.map(() => ({ data: null, To: 1 }));
  for (let start = 0; start < N; start += batchSize) {
    const B = Math.min(N, start + batchSize) - start;
    const idx = Int32Array.from({ length: B }, (_, i) => start + i);
    loadBatch(e, plan, { xs, ys: null }, idx);
    const pass = e.forward(plan, B, Ts, false, random);
    e.graph.outputs.forEach((edge, o) => {
      const head = plan.heads[o], st = e.outputState(pass, o), seq = head.sequence;
      const v = head.port.value({ B, T: st.T });
      const C = v.shape[v.shape.length - 1];
      const To = seq ? st.T : 1, rows = To * B;
      const r = results[o];
      r.To = To;
      r.data ??= new Float32Array(N * To * (v.shape.slice(seq ? 2 : 1).reduce((p, q) => p * q, 1)));
      const act = edge.index === 0 ? e.graph.nodes[edge.node].layer.logitsActivation : null;
      if (act === 'sigmoid') k.activationForward(v.ptr, v.ptr, rows * C, 'sigmoid');
      const F = a.f32(v.ptr, rows * C);
      for (let t = 0; t < To; t++) for (let b = 0; b < B; b++) {
        const src = (t * B + b) * C, dst = ((start + b) * To + t) * C;
        r.data.set(F.subarray(src, src + C), dst);
        if (act === 'softmax') softmaxInPlace(r.data.subarray(dst, dst + C));
      }
    });
  }
  return results.map((r, o) => {
    const head = plan.heads[o], shape = head.port.shape;
    return { data: r.data!, shape: [N, ...(head.sequence ? [r.To] : []), ...(shape.slice(head.sequence ? 1 : 0) as number[])] };
  });
}
