// The training loop: fit (epochs of shuffled batches, validation, callbacks), evaluate, trainOnBatch and
// computeGradients, over the engine. One training step = gather the batch, forward, losses (which write
// the output gradients), zero the grads, backward in reverse, regularizers, metrics, then the optimizer
// behind the NaN/Inf guard (a step with a non-finite gradient is skipped; the weights stay intact).
// Keras: https://keras.io/api/models/model_training_apis/

import type { Ptr } from '../../bindings/index.js';
import type { GradTable } from '../../bindings/families/clipping.js';
import { Random } from '../../bindings/random.js';
import { Callback, FunctionCallback, History, type CallbackFunctions, type Logs } from '../callbacks/callback.js';
import { ConfigError, DataValueError } from '../errors.js';
import { firstBadTimeStep, recurrentLayersOf, UpdateTracker } from '../diagnostics/probes.js';
import { getMetric, type Metric } from '../metrics.js';
import type { Optimizer } from '../optimizers.js';
import type { GuardEvent, StepRecord, TrainingModel } from './contract.js';
import { batchSizeOption, gatherInput, gatherTargets, sliceRows, stepsOf, type TensorData } from './data.js';
import type { Engine, Pass, Plan } from './engine.js';
import { Level } from './memory.js';
import { scheduleStep } from '../schedules/apply.js';
import { combineWeights, gatherWeights, type ClassWeight } from '../training/sample-weights.js';
import { rateLog } from '../training/rate-log.js';
import type { GradNormResult } from '../../bindings/families/clipping.js';

/** Options of fit() (Keras names). */
export interface FitOptions {
  epochs?: number;
  batchSize?: number;
  /** Fraction of the samples, taken from the END before shuffling (Keras), used for validation. */
  validationSplit?: number;
  /** [x, y] to evaluate after every epoch (x, y as fit() takes them). */
  validationData?: [unknown, unknown] | Iterable<unknown> | AsyncIterable<unknown>;
  shuffle?: boolean;
  /** Seeds shuffling and dropout for this call (default: the model seed). */
  seed?: number;
  callbacks?: Array<Callback | CallbackFunctions>;
  /** 0 silent, 1 a progress bar per epoch (Node; a line per epoch elsewhere). */
  verbose?: 0 | 1;
  /** NaN/Inf guard: stop after this many consecutive skipped steps (default 10). */
  maxConsecutiveNonFinite?: number;
  /** Keras sample_weight: one weight >= 0 per sample (src/training/sample-weights.ts). */
  sampleWeight?: ArrayLike<number>;
  /** Keras class_weight: { classId: weight } or 'balanced'. */
  classWeight?: ClassWeight;
  /** Batches per epoch when x is an (async) iterable of batches (default: until it ends). */
  stepsPerEpoch?: number;
  /** Validation batches per epoch when validationData is an iterable (default: until it ends). */
  validationSteps?: number;
}

/** Inputs and targets checked against the model: one TensorData per input and per output. */
export interface Batchable {
  xs: TensorData[];
  ys: TensorData[];
  /** Per-sample weights (N), or none. */
  sampleWeights?: Float32Array | null;
}

/** What the loop needs of a model: its engine and trainer, data preparation, and itself for callbacks. */
export interface Session {
  engine: Engine;
  trainer: Trainer;
  host: TrainingModel;
  random: Random;
  /** Checks and converts [x, y] (validationData). */
  prepare(x: unknown, y: unknown): Promise<Batchable>;
}

/** The optimizer's state and the training-step bookkeeping of a compiled model. */
export class Trainer {
  state: Ptr[] = [];
  gradTable: GradTable | null = null;
  tracker: UpdateTracker | null = null;
  recordNextUpdate = false;
  guardEvents: GuardEvent[] = [];
  onStep: ((record: StepRecord, norms: GradNormResult) => void) | null = null;

  constructor(readonly engine: Engine, readonly optimizer: Optimizer) {}

  /** Allocates the optimizer's slabs and the grad table (memory level 1; drops the plan and the tracker). */
  allocate(): void {
    const e = this.engine, k = e.kernels, table = e.table!, opt = this.optimizer;
    e.memory.allocate(Level.trainingState, () => {
      this.state = Array.from({ length: opt.stateSlabs }, () => k.arena.alloc(table.size));
      opt.initState(k, this.state, table.size);
      const trainable = table.entries.filter((x) => x.trainable);
      this.gradTable = trainable.length ? k.gradTable(e.grads, trainable.map((x) => [x.offset, x.size] as const)) : null;
    });
    this.tracker = null;
    e.dropPlan();
  }

  /** Starts ‖Δw‖/‖w‖ tracking: one more P-float slab (memory level 2; drops the plan). */
  trackUpdates(): void {
    const e = this.engine;
    if (this.tracker || !e.table) return;
    const snapshot = e.memory.allocate(Level.updateSnapshot, () => e.kernels.arena.alloc(e.table!.size));
    this.tracker = new UpdateTracker(snapshot, e.table.entries.filter((x) => x.trainable));
    e.dropPlan();
  }

  /** L1/L2 penalties: adds their gradient to the grads, returns their value. */
  regularize(): number {
    const e = this.engine, k = e.kernels, table = e.table!;
    let penalty = 0;
    for (const x of table.entries) {
      const r = x.regularizer;
      if (!r || !x.trainable || (r.l1 === 0 && r.l2 === 0)) continue;
      k.regularizerGrad(e.grads, e.params, table.size, r.l1, r.l2, x.offset, x.offset + x.size);
      if (r.l2) penalty += r.l2 * k.sumSquares(e.params + x.offset * 4, x.size);
      if (r.l1) {
        const w = k.arena.f32(e.params + x.offset * 4, x.size);
        let s = 0;
        for (let i = 0; i < w.length; i++) s += Math.abs(w[i]);
        penalty += r.l1 * s;
      }
    }
    return penalty;
  }

  /** The guarded optimizer update after a backward; records a guard event when it skips. */
  update(loss: number, where: { epoch: number; batch: number; step: number }): boolean {
    const e = this.engine, k = e.kernels, table = e.table!, opt = this.optimizer;
    if (!this.gradTable) return false;
    const track = this.recordNextUpdate ? this.tracker : null;
    this.recordNextUpdate = false;
    track?.begin(k, e.params, table.size);
    scheduleStep(opt); // a LearningRateSchedule sets this update's rate
    const norms = opt.step(k, this.gradTable, e.paramsForWrite(), e.grads, this.state, table.size, 0, table.trainableSize); // guard + post-update check (issue 16)
    if (!norms.finite) {
      const t = table.entries.filter((x) => x.trainable)[norms.tensor];
      const layers = recurrentLayersOf(e.graph.runtime);
      this.guardEvents.push({ ...where, tensor: t.path, index: norms.index, value: norms.value, timeStep: firstBadTimeStep(k, layers, t.path), loss });
    }
    track?.finish(k, e.params);
    this.onStep?.({ step: where.step, loss, gradNorm: norms.finite ? norms.norm : NaN, skipped: !norms.finite }, norms);
    return !norms.finite;
  }
}

/** Metrics per output, named as Keras logs them ("accuracy", or "<output>_accuracy" with several outputs). */
export function makeMetrics(e: Engine): Metric[][] {
  return e.heads!.map((h) => h.metrics.map((m) => getMetric(m, h.loss.name)));
}

export function metricName(e: Engine, o: number, name: string): string {
  return e.heads!.length === 1 ? name : `${e.heads![o].name}_${name}`;
}

function updateMetrics(e: Engine, metrics: Metric[][], plan: Plan, pass: Pass): void {
  metrics.forEach((list, o) => {
    if (list.length === 0) return;
    const head = plan.heads[o], st = e.outputState(pass, o), a = e.kernels.arena;
    const out = head.port.value({ B: pass.B, T: st.T }), C = out.shape[out.shape.length - 1];
    const rows = out.shape.slice(0, -1).reduce((p, q) => p * q, 1);
    const node = e.graph.nodes[e.graph.outputs[o].node];
    const batch = {
      scores: a.f32(out.ptr, rows * C), rows, columns: C, logits: e.graph.outputs[o].index === 0 && node.layer.logitsActivation !== null,
      targets: e.heads![o].loss.targetsAreIds ? a.i32(head.targets, rows) : a.f32(head.targets, rows * C),
      weights: (head.sequence && st.mask) || e.sampleWeights ? a.f32(head.weights, rows) : null,
    };
    for (const m of list) m.update(batch);
  });
}

/** Copies samples idx of every input (and target) into the plan; returns (B, Ts). */
export function loadBatch(e: Engine, plan: Plan, data: Batchable | { xs: TensorData[]; ys: null }, idx: ArrayLike<number>): { B: number; Ts: number[] } {
  const a = e.kernels.arena;
  data.xs.forEach((x, i) => gatherInput(a, plan.inputs[i].ptr, plan.inputs[i].capacity, x, idx, e.kinds[i]));
  data.ys?.forEach((y, o) => gatherTargets(a, plan.heads[o].targets, plan.heads[o].targetCapacity, y, idx, e.heads![o].loss.targetsAreIds, plan.heads[o].sequence));
  e.sampleWeights = 'sampleWeights' in data && data.sampleWeights ? gatherWeights(data.sampleWeights, idx) : null;
  return { B: idx.length, Ts: data.xs.map((x, i) => stepsOf(x, e.kinds[i])) };
}

/** Forward, losses and backward of one batch (no update): the loss including regularizers. */
function forwardBackward(s: Session, plan: Plan, data: Batchable, idx: ArrayLike<number>, random: Random, training: boolean): { loss: number; each: number[]; pass: Pass } {
  const e = s.engine, k = e.kernels;
  const { B, Ts } = loadBatch(e, plan, data, idx);
  const pass = e.forward(plan, B, Ts, training, random);
  const { total, each } = e.losses(plan, pass);
  k.fill(e.grads, 0, e.table!.size);
  e.backward(plan, pass, random);
  return { loss: total + s.trainer.regularize(), each, pass };
}

export function trainStep(s: Session, plan: Plan, data: Batchable, idx: ArrayLike<number>, random: Random, metrics: Metric[][], where: { epoch: number; batch: number; step: number }): { loss: number; skipped: boolean } {
  const r = forwardBackward(s, plan, data, idx, random, true);
  updateMetrics(s.engine, metrics, plan, r.pass);
  return { loss: r.loss, skipped: s.trainer.update(r.loss, where) };
}

const maxT = (data: Batchable, e: Engine) => data.xs.map((x, i) => stepsOf(x, e.kinds[i]));

/** Keras fit(): returns the History of per-epoch logs. */
export async function fit(s: Session, data: Batchable, options: FitOptions): Promise<History> {
  const e = s.engine, epochs = options.epochs ?? 1, batchSize = batchSizeOption(options.batchSize, 'fit');
  if (!Number.isInteger(epochs) || epochs < 0) throw new ConfigError(`fit: epochs must be a non-negative integer, got ${options.epochs}`);
  const maxBad = options.maxConsecutiveNonFinite ?? 10;
  let N = data.xs[0].shape[0];
  data.sampleWeights ??= combineWeights(data.ys[0] ?? null, N, options.sampleWeight, options.classWeight, 'fit');
  let val: Batchable | null = null;
  if (options.validationData) {
    const [vx, vy] = options.validationData as [unknown, unknown]; // a batch source here goes with a batch-source x (src/training/batch-loop.ts)
    val = await s.prepare(vx, vy);
  } else if (options.validationSplit) {
    const f = options.validationSplit;
    if (!(f > 0 && f < 1)) throw new ConfigError(`fit: validationSplit must be in (0, 1), got ${f}`);
    const nVal = Math.floor(N * f);
    if (nVal < 1 || nVal >= N) throw new DataValueError(`fit: validationSplit ${f} of ${N} samples leaves ${nVal} for validation`);
    val = { xs: data.xs.map((x) => sliceRows(x, N - nVal, N)), ys: data.ys.map((y) => sliceRows(y, N - nVal, N)) };
    N -= nVal;
  }
  const random = options.seed !== undefined ? new Random(options.seed) : s.random;
  const history = new History();
  const callbacks: Callback[] = [history, ...(options.callbacks ?? []).map((c) => (c instanceof Callback ? c : new FunctionCallback(c)))];
  if (options.verbose) callbacks.push(await progressCallback(epochs, Math.ceil(N / batchSize)));
  for (const c of callbacks) c.setModel(s.host);
  s.host.stopTraining = false;
  s.trainer.guardEvents = [];
  const metrics = makeMetrics(e);
  for (const c of callbacks) await c.onTrainBegin(); // before planning: a callback may reserve memory (trackUpdates)
  const plan = e.ensurePlan(true, Math.min(batchSize, N), maxT(data, e));
  let step = 0, consecutiveBad = 0;
  for (let epoch = 0; epoch < epochs && !s.host.stopTraining; epoch++) {
    for (const c of callbacks) await c.onEpochBegin(epoch);
    const order = Int32Array.from({ length: N }, (_, i) => i);
    if (options.shuffle ?? true) random.shuffle(order);
    for (const list of metrics) for (const m of list) m.reset();
    let lossSum = 0, seen = 0, batch = 0;
    for (let start = 0; start < N && !s.host.stopTraining; start += batchSize, batch++) {
      const idx = order.subarray(start, Math.min(N, start + batchSize));
      for (const c of callbacks) await c.onBatchBegin(batch);
      const r = trainStep(s, plan, data, idx, random, metrics, { epoch, batch, step: step++ });
      consecutiveBad = r.skipped ? consecutiveBad + 1 : 0;
      if (Number.isFinite(r.loss)) { lossSum += r.loss * idx.length; seen += idx.length; }
      const logs: Logs = { loss: r.loss, size: idx.length, ...rateLog(s.trainer.optimizer) };
      for (const c of callbacks) await c.onBatchEnd(batch, logs);
      if (consecutiveBad >= maxBad) s.host.stopTraining = true;
    }
    const logs: Logs = { loss: seen ? lossSum / seen : NaN, ...rateLog(s.trainer.optimizer) };
    metrics.forEach((list, o) => { for (const m of list) logs[metricName(e, o, m.name)] = m.result(); });
    if (val) {
      const v = evaluate(s, val, batchSize);
      for (const [key, value] of Object.entries(v)) logs[`val_${key}`] = value;
    }
    for (const c of callbacks) await c.onEpochEnd(epoch, logs);
  }
  for (const c of callbacks) await c.onTrainEnd();
  return history;
}

/** The progress display of verbose: 1: the terminal bar in Node (loaded only now), a line per epoch elsewhere. */
export async function progressCallback(epochs: number, steps: number): Promise<Callback> {
  if (typeof process !== 'undefined' && process.versions?.node) {
    const { ProgressBar } = await import('../callbacks/progress-bar.js');
    return new ProgressBar({ epochs, steps });
  }
  return new FunctionCallback({
    onEpochEnd: (epoch, logs = {}) => console.log(`Epoch ${epoch + 1}/${epochs} - ${Object.entries(logs).map(([k, v]) => `${k}: ${v.toFixed(4)}`).join(' - ')}`),
  });
}

/** Loss (and per-output losses) and metrics over data, in batches, without updating anything (dropout off). */
export function evaluate(s: Session, data: Batchable, batchSize: number, metrics: Metric[][] = makeMetrics(s.engine)): Logs {
  const e = s.engine, N = data.xs[0].shape[0];
  const plan = e.ensurePlan(true, Math.min(batchSize, N), maxT(data, e));
  let lossSum = 0;
  const eachSum = e.heads!.map(() => 0);
  for (let start = 0; start < N; start += batchSize) {
    const idx = Int32Array.from({ length: Math.min(N, start + batchSize) - start }, (_, i) => start + i);
    const { B, Ts } = loadBatch(e, plan, data, idx);
    const pass = e.forward(plan, B, Ts, false, s.random);
    const { total, each } = e.losses(plan, pass);
    lossSum += total * idx.length;
    each.forEach((v, o) => { eachSum[o] += v * idx.length; });
    updateMetrics(e, metrics, plan, pass);
  }
  const logs: Logs = { loss: lossSum / N };
  if (e.heads!.length > 1) e.heads!.forEach((h, o) => { logs[`${h.name}_loss`] = eachSum[o] / N; });
  metrics.forEach((list, o) => { for (const m of list) logs[metricName(e, o, m.name)] = m.result(); });
  return logs;
}

/** Keras train_on_batch(): one step on exactly these samples; loss and metrics computed before the update. */
export function trainOnBatch(s: Session, data: Batchable): Logs {
  const e = s.engine, N = data.xs[0].shape[0];
  const plan = e.ensurePlan(true, N, maxT(data, e));
  const metrics = makeMetrics(e);
  const idx = Int32Array.from({ length: N }, (_, i) => i);
  const r = trainStep(s, plan, data, idx, s.random, metrics, { epoch: 0, batch: 0, step: 0 });
  const logs: Logs = { loss: r.loss };
  metrics.forEach((list, o) => { for (const m of list) logs[metricName(e, o, m.name)] = m.result(); });
  return logs;
}

/** Loss and gradients of one batch without an update; the plan keeps dL/dx buffers when asked. */
export function gradientsOf(s: Session, data: Batchable, withInputs: boolean): { loss: number; plan: Plan; pass: Pass } {
  const e = s.engine, N = data.xs[0].shape[0];
  const plan = e.ensurePlan(true, N, maxT(data, e), withInputs);
  const idx = Int32Array.from({ length: N }, (_, i) => i);
  const r = forwardBackward(s, plan, data, idx, s.random, false);
  return { loss: r.loss, plan, pass: r.pass };
}
