// Diagnostics probes into a training step, read by GradientMonitor and the guard: per-tensor gradient norms,
// update ratios ‖Δw‖/‖w‖, gate statistics and per-step ‖dL/dh_t‖ of the recurrent layers, and the first time
// step where a gradient turned non-finite. They read what the step left in wasm memory (the grad table's
// sums, the layers' saved gates and norms); the model calls them, they never import the model.

import type { Kernels, Ptr } from '../../bindings/index.js';
import type { GradTable } from '../../bindings/families/clipping.js';
import { Bidirectional } from '../layers/bidirectional.js';
import type { Layer } from '../layers/layer.js';
import { Recurrent } from '../layers/recurrent.js';
import { Residual } from '../layers/residual.js';
import type { ParamEntry } from '../model/param-table.js';

/** Every recurrent layer, including those inside Bidirectional and Residual wrappers, in model order. */
export function recurrentLayersOf(layers: readonly Layer[]): Recurrent[] {
  const out: Recurrent[] = [];
  const visit = (l: Layer): void => {
    if (l instanceof Recurrent) out.push(l);
    else if (l instanceof Bidirectional) out.push(l.forwardLayer, l.backwardLayer);
    else if (l instanceof Residual) visit(l.inner);
  };
  layers.forEach(visit);
  return out;
}

/**
 * ‖g‖ of every trainable tensor from the last step's norm pass (before clipping), in table order, and the
 * global norm of the gradients as applied (after clipping; one more norm pass).
 */
export function tensorGradNorms(k: Kernels, table: GradTable, trainable: readonly ParamEntry[]): { tensors: Array<{ path: string; norm: number }>; appliedNorm: number } {
  const before = new Float64Array(k.arena.memory.buffer, table.sums, table.count).slice();
  const after = k.gradNorms(table);
  return { tensors: trainable.map((e, i) => ({ path: e.path, norm: Math.sqrt(before[i]) })), appliedNorm: after.finite ? after.norm : NaN };
}

/** ‖Δw‖/‖w‖ per trainable tensor of one step, computed in wasm from a P-float snapshot of the params. */
export class UpdateTracker {
  private readonly before: Float64Array;
  ratios: Float64Array | null = null;

  constructor(private readonly snapshot: Ptr, private readonly trainable: readonly ParamEntry[]) {
    this.before = new Float64Array(trainable.length);
  }

  /** Before the update: copy the params and their squared norms. */
  begin(k: Kernels, params: Ptr, P: number): void {
    k.copy(this.snapshot, params, P);
    this.trainable.forEach((e, i) => { this.before[i] = k.sumSquares(params + e.offset * 4, e.size); });
  }

  /** After the update: snapshot := w_before − w_after, ratio = ‖Δw‖ / ‖w_before‖. */
  finish(k: Kernels, params: Ptr): void {
    const ratios = new Float64Array(this.before.length);
    this.trainable.forEach((e, i) => {
      const d = this.snapshot + e.offset * 4;
      k.axpy(d, -1, params + e.offset * 4, e.size);
      ratios[i] = this.before[i] > 0 ? Math.sqrt(k.sumSquares(d, e.size) / this.before[i]) : NaN;
    });
    this.ratios = ratios;
  }

  /** The last step's ratios by tensor path, or null before any recorded step. */
  result(): Array<{ path: string; ratio: number }> | null {
    const r = this.ratios;
    return r ? this.trainable.map((e, i) => ({ path: e.path, ratio: r[i] })) : null;
  }
}

/**
 * Gate statistics of one layer's last training forward (valid steps only): per gate block the mean
 * activation and the share of saturated activations (sigmoid < 0.05 or > 0.95; the tanh cell gate |g| >
 * 0.95). LSTM blocks [i | f | g | o], GRU [z | r]. At most `maxRows` (t, b) rows are read, evenly strided.
 */
export function layerGateStatistics(k: Kernels, layer: Recurrent, maxRows = 256): Array<{ gate: string; mean: number; saturated: number }> | null {
  const saved = layer.savedGates();
  if (!saved) return null;
  const { T, B, S, H, names, mask } = saved;
  const g = k.arena.f32(saved.ptr, T * B * S);
  const sums = new Float64Array(names.length), sat = new Float64Array(names.length);
  let rows = 0;
  const stride = Math.max(1, Math.floor((T * B) / maxRows));
  for (let row = 0; row < T * B; row += stride) {
    const t = Math.floor(row / B), b = row % B;
    if (mask) {
      const len = mask.lengths[b];
      if (mask.leftPadded ? t < T - len : t >= len) continue;
    }
    rows++;
    const o = (t * B + b) * S;
    for (let j = 0; j < names.length; j++) {
      const tanhGate = names[j] === 'cell';
      for (let u = 0; u < H; u++) {
        const v = g[o + j * H + u];
        sums[j] += v;
        if (tanhGate ? Math.abs(v) > 0.95 : v < 0.05 || v > 0.95) sat[j]++;
      }
    }
  }
  const n = Math.max(1, rows * H);
  return names.map((gate, j) => ({ gate, mean: sums[j] / n, saturated: sat[j] / n }));
}

/** Gate means and saturation of every LSTM/GRU layer in the last training step (valid steps only). */
export function gateStatistics(k: Kernels, layers: readonly Recurrent[]): Array<{ layer: string; className: string; gates: Array<{ gate: string; mean: number; saturated: number }> }> {
  const out = [];
  for (const l of layers) {
    const gates = layerGateStatistics(k, l);
    if (gates) out.push({ layer: l.name, className: l.className, gates });
  }
  return out;
}

/** Recurrent layers' ‖dL/dh_t‖ per time step from the last training step. */
export function gradientNorms(k: Kernels, layers: readonly Recurrent[]): Array<{ layer: string; className: string; h: Float64Array; c: Float64Array | null }> {
  const out = [];
  for (const l of layers) {
    const n = l.gradientNorms({ kernels: k });
    if (n) out.push({ layer: l.name, className: l.className, ...n });
  }
  return out;
}

/** The first time step whose ‖dL/dh_t‖ is not finite in the recurrent layer owning tensor `path`, or null. */
export function firstBadTimeStep(k: Kernels, layers: readonly Recurrent[], path: string): number | null {
  for (const l of layers) {
    if (!path.includes(`${l.name}/`)) continue;
    const n = l.gradientNorms({ kernels: k });
    if (!n) return null;
    const t = n.h.findIndex((v) => !Number.isFinite(v));
    return t < 0 ? null : t;
  }
  return null;
}
