// GradientMonitor: a fit() callback that records, every `every` training steps, what the vanishing /
// exploding-gradient lessons measure: ‖dL/dh_t‖ for every time step of every recurrent layer (straight from
// the backward kernels), ‖dL/dc_t‖ for LSTMs, the gradient norm of every tensor, the global norm before and
// after clipping (clip events), update/weight ratios, LSTM/GRU gate means and saturation, the NaN guard's
// skipped steps, and (every `spectralEvery` steps) power-iteration spectral norms of the recurrent kernels.
// Exported as JSON and CSV; analysis, pictures and reports: analysis.ts, svg/, report.ts.

import { Callback, type Logs } from '../callbacks/callback.js';
import { recurrentSpectralNorms } from './spectral-norm.js';
import { validateCallbackOptions } from '../options/callbacks.js';

/** Options of GradientMonitor: how often to record and what. */
export interface GradientMonitorOptions {
  /** Record every n-th training step (default 1). */
  every?: number;
  /** Spectral norms every n-th recorded step (default 10; 0 = never). */
  spectralEvery?: number;
  /** Compute ‖Δw‖/‖w‖ per tensor (one extra P-float slab; copies and norms in wasm; default true). */
  updateRatios?: boolean;
}

/** One recurrent layer's gradient diagnostics at one recorded step. */
export interface LayerRecord {
  layer: string;
  className: string;
  /** ‖dL/dh_t‖ for t = 0..T−1 (time order). */
  dh: number[];
  /** LSTM: ‖dL/dc_t‖. */
  dc: number[] | null;
  gates: Array<{ gate: string; mean: number; saturated: number }> | null;
  /** σ_max of the recurrent kernel U (H, G) and of its H×H gate blocks (only on spectral steps). */
  spectral: { full: number; blocks: Array<{ gate: string; sigma: number }> } | null;
}

/** What GradientMonitor records at one training step: loss, global norms and each layer's LayerRecord. */
export interface MonitorStepRecord {
  step: number;
  epoch: number;
  batch: number;
  loss: number;
  /** Global gradient norm before clipping (NaN when the guard skipped the step). */
  globalNorm: number;
  /** Global norm of the gradients actually applied (after clipping). */
  appliedNorm: number;
  clipped: boolean;
  /** The NaN/Inf guard skipped this step: where the first bad value was. */
  guard: { tensor: string; index: number; value: number } | null;
  tensors: Array<{ path: string; norm: number; updateRatio: number | null }>;
  layers: LayerRecord[];
}

/** A fit() callback that records per-time-step gradient norms of the recurrent layers (and optional spectral norms and update ratios). */
export class GradientMonitor extends Callback {
  readonly records: MonitorStepRecord[] = [];
  private readonly every: number;
  private readonly spectralEvery: number;
  private readonly updateRatios: boolean;
  private step = 0;
  private epoch = 0;
  /** Last power-iteration vectors per layer: warm starts make later estimates converge in a few iterations. */
  private starts = new Map<string, { full?: ArrayLike<number>; blocks?: ArrayLike<number>[] }>();
  /** Milliseconds spent inside the monitor (its overhead). */
  overheadMs = 0;

  constructor(options: GradientMonitorOptions = {}) {
    super();
    options = validateCallbackOptions('GradientMonitor', options);
    this.every = Math.max(1, options.every ?? 1);
    this.spectralEvery = options.spectralEvery ?? 10;
    this.updateRatios = options.updateRatios ?? true;
  }

  private recording(): boolean {
    return this.step % this.every === 0;
  }

  override onEpochBegin(epoch: number, logs?: Logs): void {
    super.onEpochBegin(epoch, logs); // checks the arguments (a hook called by hand)
    this.epoch = epoch;
  }

  override onTrainBegin(logs?: Logs): void {
    super.onTrainBegin(logs); // checks the arguments (a hook called by hand)
    if (this.updateRatios) this.requireModel('onTrainBegin').trackUpdates();
  }

  override onBatchBegin(batch: number, logs?: Logs): void {
    super.onBatchBegin(batch, logs); // checks the arguments (a hook called by hand)
    if (this.recording() && this.updateRatios) this.requireModel('onBatchBegin').recordNextUpdate = true;
  }

  override onBatchEnd(batch: number, logs: Logs = {}): void {
    super.onBatchEnd(batch, logs); // checks the arguments (a hook called by hand)
    this.requireModel('onBatchEnd');
    const step = this.step++;
    if (step % this.every !== 0) return;
    const t = performance.now();
    const m = this.model;
    const guardEvent = m.guardEvents.find((e) => e.step === step) ?? null;
    const norms = m.tensorGradNorms();
    const tensorNorms = norms?.tensors ?? [];
    let sum = 0;
    for (const x of tensorNorms) sum += x.norm * x.norm;
    const globalNorm = guardEvent ? NaN : Math.sqrt(sum);
    const appliedNorm = guardEvent ? 0 : norms?.appliedNorm ?? NaN;
    const ratios = this.updateRatios && !guardEvent ? new Map((m.lastUpdateRatios() ?? []).map((r) => [r.path, r.ratio])) : null;
    const tensors = tensorNorms.map(({ path, norm }) => {
      const r = ratios?.get(path);
      return { path, norm, updateRatio: r === undefined || Number.isNaN(r) ? null : r };
    });
    const recorded = this.records.length;
    const spectralStep = this.spectralEvery > 0 && recorded % this.spectralEvery === 0;
    const gateStats = new Map(m.gateStatistics().map((g) => [g.layer, g.gates]));
    const weights = spectralStep ? new Map(m.getWeights().map((w) => [w.path, w])) : null;
    const layers: LayerRecord[] = m.gradientNorms().map((g) => {
      let spectral: LayerRecord['spectral'] = null;
      if (weights) {
        const U = [...weights.values()].find((w) => w.path.endsWith(`${g.layer}/recurrent_kernel`));
        if (U) {
          const s = recurrentSpectralNorms(U.data, U.shape[0], U.shape[1], { maxIterations: 50, tolerance: 1e-6, starts: this.starts.get(g.layer) });
          this.starts.set(g.layer, { full: s.full.v, blocks: s.blocks.map((b) => b.v) });
          spectral = { full: s.full.sigma, blocks: s.blocks.map((b) => ({ gate: b.gate, sigma: b.sigma })) };
        }
      }
      return { layer: g.layer, className: g.className, dh: Array.from(g.h), dc: g.c ? Array.from(g.c) : null, gates: gateStats.get(g.layer) ?? null, spectral };
    });
    this.records.push({
      step, epoch: this.epoch, batch, loss: logs.loss ?? NaN, globalNorm, appliedNorm,
      clipped: Number.isFinite(globalNorm) && appliedNorm < globalNorm * (1 - 1e-6),
      guard: guardEvent ? { tensor: guardEvent.tensor, index: guardEvent.index, value: guardEvent.value } : null,
      tensors, layers,
    });
    this.overheadMs += performance.now() - t;
  }

  /** Layer names in record order. */
  layerNames(): string[] {
    return this.records[0]?.layers.map((l) => l.layer) ?? [];
  }

  /** steps × T matrix of ‖dL/dh_t‖ for one layer (rows = recorded steps), for the heatmap. */
  dhMatrix(layer: string): number[][] {
    return this.records.map((r) => r.layers.find((l) => l.layer === layer)?.dh ?? []);
  }

  toJSON(): { records: MonitorStepRecord[] } {
    return { records: this.records };
  }

  /**
   * Long-format CSV, one row per (step, layer, time step) for dh/dc and one per (step, tensor) for
   * tensor norms: step,epoch,batch,loss,global_norm,applied_norm,clipped,guard,kind,name,t,value,update_ratio
   */
  toCSV(): string {
    const lines = ['step,epoch,batch,loss,global_norm,applied_norm,clipped,guard,kind,name,t,value,update_ratio'];
    const q = (s: string) => (/[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);
    for (const r of this.records) {
      const head = `${r.step},${r.epoch},${r.batch},${r.loss},${r.globalNorm},${r.appliedNorm},${r.clipped ? 1 : 0},${r.guard ? q(r.guard.tensor) : ''}`;
      for (const l of r.layers) {
        l.dh.forEach((v, t) => lines.push(`${head},dh,${q(l.layer)},${t},${v},`));
        l.dc?.forEach((v, t) => lines.push(`${head},dc,${q(l.layer)},${t},${v},`));
      }
      for (const x of r.tensors) lines.push(`${head},tensor,${q(x.path)},,${x.norm},${x.updateRatio ?? ''}`);
    }
    return lines.join('\n') + '\n';
  }
}
