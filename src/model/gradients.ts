// Reading gradients out of the engine after a forward/backward without an update (model.computeGradients):
// the grads slab per weight tensor (Keras shapes), and dL/dx per input, turned batch-major. For an int32
// input (token ids, not differentiable) dL/d(the output of the first layer reading it), usually the
// Embedding's vectors, as (N, T, E).

import type { WeightTensor } from './contract.js';
import type { TensorData } from './data.js';
import type { Engine, Pass, Plan } from './engine.js';

/** One input's gradient, batch-major. */
export interface InputGradient {
  shape: number[];
  data: Float32Array;
}

/** Time-major (T, B, F) → batch-major (B, T, F); (B, F) stays. */
function batchMajor(src: Float32Array, sequence: boolean, B: number, T: number, F: number): Float32Array {
  if (!sequence) return src.slice(0, B * F);
  const out = new Float32Array(B * T * F);
  for (let t = 0; t < T; t++) for (let b = 0; b < B; b++) out.set(src.subarray((t * B + b) * F, (t * B + b + 1) * F), (b * T + t) * F);
  return out;
}

/** Loss, weight gradients and (when asked) input gradients after gradientsOf(). */
export function readGradients(e: Engine, r: { loss: number; plan: Plan; pass: Pass }, data: { xs: TensorData[] }, withInputs: boolean): { loss: number; gradients: WeightTensor[]; inputs?: Record<string, InputGradient> } {
  const a = e.kernels.arena;
  const gradients = e.table!.entries.map((x) => ({ path: x.path, shape: x.shape.slice(), data: a.readF32(e.grads + x.offset * 4, x.size) }));
  if (!withInputs) return { loss: r.loss, gradients };
  const inputs: Record<string, InputGradient> = {};
  const B = r.pass.B;
  e.graph.inputs.forEach((t, i) => {
    const T = r.pass.inputs[i].T;
    if (e.kinds[i] !== 'ids') {
      const g = r.plan.inputs[i].port.grad({ B, T })!;
      const F = t.shape.slice(e.kinds[i] === 'sequence' ? 1 : 0).reduce((p, q) => p! * q!, 1) as number;
      const n = g.shape.reduce((p, q) => p * q, 1);
      inputs[t.name] = { shape: [B, ...(e.kinds[i] === 'sequence' ? [T] : []), ...(t.shape.slice(e.kinds[i] === 'sequence' ? 1 : 0) as number[])], data: batchMajor(a.f32(g.ptr, n), e.kinds[i] === 'sequence', B, T, F) };
      return;
    }
    const n = e.graph.nodes.findIndex((node) => node.inputs.some((x) => x.node < 0 && x.index === i));
    const port = r.plan.outputs[n][0], st = r.pass.outputs[n][0];
    const g = port.grad({ B, T: st.T });
    if (!g) return;
    const F = g.shape[g.shape.length - 1];
    const size = g.shape.reduce((p, q) => p * q, 1);
    inputs[t.name] = { shape: port.sequence ? [B, st.T, F] : [B, F], data: batchMajor(a.f32(g.ptr, size), port.sequence, B, st.T, F) };
  });
  return { loss: r.loss, gradients, inputs };
}
