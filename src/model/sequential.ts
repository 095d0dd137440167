// Sequential: a stack of layers over one Kernels instance. The model plans all memory once (param table
// + activation plan for the largest (B, T) seen), runs forward kernels in order and backward kernels in
// reverse, and updates every trainable tensor with one fused optimizer call behind the NaN/Inf guard.
// Keras API: https://keras.io/api/models/sequential/ and https://keras.io/api/models/model_training_apis/
//
// Arena layout: | params P | grads P | optimizer state k·P | guard scratch | plan: inputs, layer buffers |

import { loadKernels, type Kernels, type Ptr, type TensorRef } from '../../bindings/index.js';
import type { GradNormResult, GradTable } from '../../bindings/families/clipping.js';
import { guardedStep } from '../../bindings/families/optimizers.js';
import { Callback, FunctionCallback, History, type CallbackFunctions, type Logs } from '../callbacks/callback.js';
import { ProgressBar } from '../callbacks/progress-bar.js';
import { ConfigError, DataValueError, ModelStateError, ShapeError } from '../errors.js';
import { getInitializer } from '../initializers.js';
import { Dense } from '../layers/dense.js';
import { Embedding } from '../layers/embedding.js';
import { formatKerasShape, type Layer, type Planner, type Port, type RunContext, type Shape } from '../layers/layer.js';
import { Bidirectional } from '../layers/bidirectional.js';
import { Recurrent } from '../layers/recurrent.js';
import { Residual } from '../layers/residual.js';
import { getLoss, targetsAreIds, type LossName } from '../losses.js';
import { getMetric, type Metric } from '../metrics.js';
import { getOptimizer, type Optimizer, type OptimizerSpec } from '../optimizers.js';
import { Random } from '../random.js';
import { modelFromConfig, modelToConfig, type FromConfigOptions, type SequentialConfig } from '../io/config.js';
import { checkFinite, checkIds, toTensor, type DataInput, type TensorData } from './data.js';
import { ParamTable, type ParamEntry } from './param-table.js';

/** Options of the Sequential constructor: name, seed, kernels. */
export interface SequentialOptions {
  name?: string;
  /** Seeds weight initialisation (and, unless fit() gets its own, shuffling and dropout). Default 0. */
  seed?: number;
  /** Kernels to run on (default: loadKernels() on first use). Share one instance between models freely. */
  kernels?: Kernels;
}

/** Options of Sequential.compile(): optimizer, loss and metrics (Keras names). */
export interface CompileOptions {
  optimizer: OptimizerSpec;
  loss: string;
  metrics?: string[];
}

/** Options of Sequential.fit() (Keras names and defaults). */
export interface FitOptions {
  epochs?: number;
  batchSize?: number;
  /** Fraction of the samples, taken from the END before shuffling (Keras), used for validation. */
  validationSplit?: number;
  validationData?: [DataInput, DataInput];
  shuffle?: boolean;
  /** Seeds shuffling and dropout for this call (default: the model seed). */
  seed?: number;
  callbacks?: Array<Callback | CallbackFunctions>;
  /** 0 silent, 1 one line per epoch. */
  verbose?: 0 | 1;
  /** NaN/Inf guard: stop after this many consecutive skipped steps (default 10). */
  maxConsecutiveNonFinite?: number;
}

/** A step the NaN/Inf guard skipped: where the first non-finite gradient sat. */
export interface GuardEvent {
  epoch: number;
  batch: number;
  /** Global step number (0-based). */
  step: number;
  tensor: string;
  index: number;
  value: number;
  /**
   * For a tensor of a recurrent layer: the earliest time step t (0-based, time order) whose ‖dL/dh_t‖ is
   * NaN/Inf in that layer's backward, or null when every ‖dL/dh_t‖ is finite (the bad value arose elsewhere).
   */
  timeStep: number | null;
  /** The loss of that step (may itself be NaN). */
  loss: number;
}

/** Per-step record for diagnostics: loss, norms before clipping, whether the guard skipped it. */
export interface StepRecord {
  step: number;
  loss: number;
  gradNorm: number;
  skipped: boolean;
}

interface Plan {
  training: boolean;
  B: number;
  T: number;
  inputPtr: Ptr;
  targets: Ptr;
  weights: Ptr;
  output: Port;
  randomState: Ptr;
}

let modelCounter = 0;

/** A linear stack of layers with Keras's compile / fit / evaluate / predict, running on the fused kernels. */
export class Sequential {
  readonly name: string;
  readonly layers: Layer[] = [];
  readonly seed: number;
  kernels: Kernels | null;
  /** Set by a callback (EarlyStopping, TerminateOnNaN) to end fit() after the current batch. */
  stopTraining = false;
  /** Steps the NaN/Inf guard skipped during the last fit(). */
  guardEvents: GuardEvent[] = [];
  /** Hook for diagnostics: called after every training step with the norms and the model (see src/diagnostics). */
  onStep: ((record: StepRecord, norms: GradNormResult) => void) | null = null;

  private table: ParamTable | null = null;
  private inputShape: Shape | null = null;
  private outputShape: Shape | null = null;
  private params = 0;
  private grads = 0;
  private slabEnd = 0;
  private state: Ptr[] = [];
  private gradTable: GradTable | null = null;
  private planMark = 0;
  /** The arena top after this model's last allocation: when another model sharing the Kernels has allocated
   *  above it, this model must not release (it would free the other model's memory) and plans on top. */
  private planEnd = 0;
  /** Start of this model's topmost contiguous region (everything in [ownFrom, planEnd) is this model's). */
  private ownFrom = 0;
  private plan: Plan | null = null;
  private compiled: { optimizer: Optimizer; loss: LossName; metricNames: string[] } | null = null;
  private random: Random;
  private lastMask: { lengths: Int32Array | null; leftPadded: boolean } = { lengths: null, leftPadded: false };
  /** Update tracking for diagnostics: a P-float copy of the params before a recorded step, in wasm memory. */
  private updates: { snapshot: Ptr; before: Float64Array; ratios: Float64Array | null } | null = null;
  /** Set (e.g. by GradientMonitor.onBatchBegin) to measure ‖Δw‖/‖w‖ per tensor in the next training step. */
  recordNextUpdate = false;

  constructor(layers: Layer[] = [], options: SequentialOptions = {}) {
    this.name = options.name ?? (modelCounter++ === 0 ? 'sequential' : `sequential_${modelCounter - 1}`);
    this.seed = options.seed ?? 0;
    this.kernels = options.kernels ?? null;
    this.random = new Random(this.seed);
    for (const l of layers) this.add(l);
  }

  add(layer: Layer): void {
    if (this.table) throw new ModelStateError(`Sequential "${this.name}": cannot add layers after the model is built`);
    if (this.layers.some((l) => l.name === layer.name)) throw new ConfigError(`Sequential "${this.name}": duplicate layer name "${layer.name}"`);
    this.layers.push(layer);
  }

  get built(): boolean {
    return this.table !== null;
  }

  /** The per-sample input shape the model was built for (null before build). */
  get builtInputShape(): Shape | null {
    return this.inputShape ? this.inputShape.slice() : null;
  }

  /** What compile() was given, serialisable (null before compile). */
  get compileConfig(): { optimizer: { className: string; config: Record<string, unknown> }; loss: string; metrics: string[] } | null {
    const c = this.compiled;
    return c ? { optimizer: { className: c.optimizer.className, config: c.optimizer.getConfig() }, loss: c.loss, metrics: c.metricNames.slice() } : null;
  }

  get optimizer(): Optimizer | null {
    return this.compiled?.optimizer ?? null;
  }

  get paramTable(): ParamTable {
    if (!this.table) throw new ModelStateError(`Sequential "${this.name}": not built yet`);
    return this.table;
  }

  private async ensureKernels(): Promise<Kernels> {
    this.kernels ??= await loadKernels();
    return this.kernels;
  }

  /** Builds for a per-sample input shape (Keras: ids [T] or floats [T, D] / [D]); T may be null. */
  async build(inputShape?: Shape): Promise<void> {
    if (this.table) return;
    if (this.layers.length === 0) throw new ModelStateError(`Sequential "${this.name}": add layers before building`);
    const shape = inputShape ?? this.layers[0].inputShape;
    if (!shape) throw new ModelStateError(`Sequential "${this.name}": the first layer needs inputShape (or call fit/predict/build with data)`);
    const k = await this.ensureKernels();
    const specs: Array<{ layer: string; spec: import('../layers/layer.js').ParamDeclaration }> = [];
    let s: Shape = shape;
    for (const layer of this.layers) {
      const decl = layer.declareParams(s);
      for (const d of decl) specs.push({ layer: layer.name, spec: d });
      s = layer.computeOutputShape(s);
    }
    const table = ParamTable.layout(specs);
    const a = k.arena;
    this.ownFrom = a.mark();
    this.params = a.allocZeroed(table.size);
    this.grads = a.allocZeroed(table.size);
    this.slabEnd = a.mark();
    // Initialise in declaration order from the model seed (deterministic, independent of table order).
    // The view is taken after each fill: the orthogonal initializer uses arena scratch and may grow memory.
    for (const { layer, spec } of specs) {
      const e = table.get(`${layer}/${spec.name}`);
      const values = new Float32Array(e.size);
      getInitializer(spec.initializer).fill(values, e.shape, this.random, k);
      a.f32(this.params, table.size).set(values, e.offset);
    }
    for (const layer of this.layers) layer.bindParams(table.entries.filter((e) => e.layer === layer.name));
    this.table = table;
    this.inputShape = shape;
    this.outputShape = s;
    this.planMark = a.mark();
    this.planEnd = a.mark();
  }

  compile(options: CompileOptions): void {
    const optimizer = getOptimizer(options.optimizer);
    const loss = getLoss(options.loss);
    const metricNames = options.metrics ?? [];
    for (const m of metricNames) getMetric(m, loss); // validate names now
    this.compiled = { optimizer, loss, metricNames };
    if (this.table) this.allocateTrainingState();
  }

  private allocateTrainingState(): void {
    const k = this.kernels!, a = k.arena, table = this.table!, opt = this.compiled!.optimizer;
    // Free our own memory above the slabs only while no other model sharing the arena sits above it.
    if (a.mark() === this.planEnd) a.release(Math.max(this.slabEnd, this.ownFrom));
    else this.ownFrom = a.mark();
    this.plan = null;
    this.state = Array.from({ length: opt.stateSlabs }, () => a.alloc(table.size));
    opt.initState(k, this.state, table.size);
    const trainable = table.entries.filter((e) => e.trainable);
    this.gradTable = trainable.length ? k.gradTable(this.grads, trainable.map((e) => [e.offset, e.size] as const)) : null;
    this.updates = null;
    this.planMark = a.mark();
    this.planEnd = a.mark();
  }

  private configureOutput(): void {
    const last = this.layers[this.layers.length - 1];
    if (last instanceof Dense) {
      const loss = this.compiled?.loss;
      last.emitLogits = last.activation === 'softmax' || (last.activation === 'sigmoid' && loss === 'binaryCrossentropy');
      if (loss === 'sparseCategoricalCrossentropy' && last.activation !== 'softmax' && last.activation !== 'linear') {
        throw new ConfigError(`Sequential "${this.name}": sparseCategoricalCrossentropy needs a softmax (or linear logits) output, got Dense "${last.name}" with ${last.activation}`);
      }
      if (last.activation === 'softmax' && loss !== undefined && loss !== 'sparseCategoricalCrossentropy') {
        throw new ConfigError(`Sequential "${this.name}": a softmax output is supported with sparseCategoricalCrossentropy, got ${loss}`);
      }
    }
  }

  private get idsInput(): boolean {
    return this.layers[0] instanceof Embedding;
  }

  /** Plans buffers for (B, T) unless the current plan of the same mode already holds them. */
  private ensurePlan(training: boolean, B: number, T: number): Plan {
    const p = this.plan;
    if (p && p.training === training && B <= p.B && T <= p.T) return p;
    const k = this.kernels!, a = k.arena;
    const capB = Math.max(B, p && p.training === training ? p.B : 0);
    const capT = Math.max(T, p && p.training === training ? p.T : 0);
    if (a.mark() === this.planEnd) a.release(this.planMark);
    else this.ownFrom = this.planMark = a.mark(); // another model allocated above ours: plan on top (the old plan is leaked)
    this.configureOutput();
    const planner: Planner = { alloc: (n) => a.allocZeroed(n), capacity: { B: capB, T: capT }, training };
    const inShape = this.inputShape!;
    const features = (inShape.slice(this.idsInput ? 1 : 1) as number[]).reduce((x, y) => x * y, 1);
    const sequence = this.idsInput || inShape.length >= 2;
    const inputPtr = this.idsInput ? a.allocZeroed(capB * capT) : a.allocZeroed((sequence ? capT : 1) * capB * features);
    const inputPort: Port = this.idsInput
      ? { shape: inShape, sequence: true, ids: true, value: (r) => ({ ptr: inputPtr, shape: [r.B, r.T] }), grad: () => null }
      : {
          shape: inShape, sequence, value: (r) => ({ ptr: inputPtr, shape: sequence ? [r.T, r.B, ...(inShape.slice(1) as number[])] : [r.B, ...(inShape as number[])] }),
          grad: () => null,
        };
    let port = inputPort;
    for (const layer of this.layers) port = layer.plan(planner, port);
    const outFeatures = (port.shape.slice(port.sequence ? 1 : 0) as number[]).reduce((x, y) => x * y, 1);
    const rows = (port.sequence ? capT : 1) * capB;
    const targets = a.allocZeroed(rows * outFeatures);
    const weights = a.allocZeroed(rows);
    const randomState = a.allocZeroed(4);
    this.plan = { training, B: capB, T: capT, inputPtr, targets, weights, output: port, randomState };
    this.planEnd = a.mark();
    return this.plan;
  }

  // ---- data

  private prepareX(x: DataInput): TensorData {
    const t = toTensor(x, 'x');
    if (t.shape[0] === 0) throw new DataValueError(`Sequential "${this.name}": x is empty (0 samples)`);
    if (this.idsInput) {
      const emb = this.layers[0] as Embedding;
      if (t.shape.length !== 2) throw new ShapeError(`Embedding "${emb.name}": expected x of token ids (N, T), got (${t.shape.join(', ')})`);
      checkIds(t, 'x', emb.inputDim, 'token id');
    } else {
      checkFinite(t, 'x');
    }
    return t;
  }

  private sampleShape(x: TensorData): Shape {
    const s: Shape = x.shape.slice(1);
    if (this.layers[0].inputShape) {
      const want = this.layers[0].inputShape;
      const ok = want.length === s.length && want.every((d, i) => d === null || d === s[i]);
      if (!ok) throw new ShapeError(`${this.layers[0].className} "${this.layers[0].name}": expected input ${formatKerasShape(want)}, got (${x.shape.join(', ')})`);
    }
    const fixedT = this.layers[0].inputShape?.[0] ?? null;
    return this.idsInput ? [fixedT] : s.map((d, i) => (i === 0 && s.length >= 2 ? fixedT : d));
  }

  private prepareY(y: DataInput, n: number): TensorData {
    const t = toTensor(y, 'y');
    if (t.shape[0] !== n) throw new DataValueError(`Sequential "${this.name}": x has ${n} samples but y has ${t.shape[0]}`);
    const loss = this.compiled!.loss, out = this.outputShape!;
    const C = out[out.length - 1] as number;
    checkFinite(t, 'y');
    if (targetsAreIds(loss)) {
      checkIds(t, 'y', C, 'class id');
      const want = out.length === 2 ? 2 : 1; // (N, T) for sequence outputs, (N) otherwise
      const shape = t.shape[t.shape.length - 1] === 1 && t.shape.length === want + 1 ? t.shape.slice(0, -1) : t.shape;
      if (shape.length !== want) throw new ShapeError(`Sequential "${this.name}": sparse targets must be ${want === 2 ? '(N, T)' : '(N)'} class ids for output ${formatKerasShape(out)}, got (${t.shape.join(', ')})`);
      return { data: t.data, shape };
    }
    const perSample = out.map((d) => d ?? -1);
    const flatOk = t.shape.length === out.length + 1 && t.shape.slice(1).every((d, i) => perSample[i] === -1 || d === perSample[i]);
    if (flatOk) return t;
    if (C === 1 && t.shape.length === out.length) return { data: t.data, shape: [...t.shape, 1] };
    throw new ShapeError(`Sequential "${this.name}": targets (${t.shape.join(', ')}) do not fit the output ${formatKerasShape(out)}`);
  }

  /** Copies samples idx into the plan's input (and target) buffers; returns the run dims. */
  private loadBatch(plan: Plan, x: TensorData, y: TensorData | null, idx: ArrayLike<number>): { B: number; T: number } {
    const k = this.kernels!, a = k.arena, B = idx.length;
    const T = x.shape.length >= 2 && (this.idsInput || x.shape.length >= 3) ? x.shape[1] : 1;
    if (this.idsInput) {
      const I = a.I32, base = plan.inputPtr >> 2;
      for (let b = 0; b < B; b++) for (let t = 0; t < T; t++) I[base + b * T + t] = x.data[idx[b] * T + t];
    } else {
      const F = a.F32, base = plan.inputPtr >> 2;
      if (x.shape.length >= 3) {
        const D = x.shape.slice(2).reduce((p, q) => p * q, 1);
        const typed = x.data instanceof Float32Array ? x.data : null; // rows by memcpy (W3 B32: 0.5 ms → 0.05)
        for (let t = 0; t < T; t++) for (let b = 0; b < B; b++) {
          const src = (idx[b] * T + t) * D, dst = base + (t * B + b) * D;
          if (typed) F.set(typed.subarray(src, src + D), dst);
          else for (let d = 0; d < D; d++) F[dst + d] = x.data[src + d];
        }
      } else {
        const D = x.shape[1];
        for (let b = 0; b < B; b++) for (let d = 0; d < D; d++) F[base + b * D + d] = x.data[idx[b] * D + d];
      }
    }
    if (y) {
      const seq = plan.output.sequence;
      const ids = targetsAreIds(this.compiled!.loss);
      const C = ids ? 1 : (y.shape[y.shape.length - 1] as number);
      const mem = ids ? a.I32 : a.F32, base = plan.targets >> 2;
      const Ty = seq ? y.shape[1] : 1;
      for (let t = 0; t < Ty; t++) for (let b = 0; b < B; b++) {
        const src = (idx[b] * Ty + t) * C, dst = base + (t * B + b) * C;
        for (let c = 0; c < C; c++) mem[dst + c] = y.data[src + c];
      }
    }
    return { B, T };
  }

  private context(plan: Plan, run: { B: number; T: number }, training: boolean, random: Random): RunContext {
    return {
      ...run, kernels: this.kernels!, training, lengths: null, leftPadded: false, random, randomState: plan.randomState,
      params: this.params, grads: this.grads,
    };
  }

  private forward(ctx: RunContext): void {
    for (const layer of this.layers) layer.forward(ctx);
  }

  /** The fused loss over the output; writes d(mean loss)/d(output) into the output's gradient buffer. */
  private loss(plan: Plan, ctx: RunContext): number {
    const k = this.kernels!, out = plan.output, logits = out.value(ctx), dLogits = out.grad(ctx)!;
    const seq = out.sequence, rows = (seq ? ctx.T : 1) * ctx.B;
    const lead = seq ? [ctx.T, ctx.B] : [ctx.B];
    let weights: TensorRef | null = null;
    if (seq && ctx.lengths) {
      const W = k.arena.f32(plan.weights, rows);
      for (let t = 0; t < ctx.T; t++) for (let b = 0; b < ctx.B; b++) {
        const len = ctx.lengths[b];
        const valid = ctx.leftPadded ? t >= ctx.T - len : t < len;
        W[t * ctx.B + b] = valid ? 1 : 0;
      }
      weights = { ptr: plan.weights, shape: lead };
    }
    const loss = this.compiled!.loss;
    const C = logits.shape[logits.shape.length - 1];
    if (loss === 'sparseCategoricalCrossentropy') {
      return k.sparseSoftmaxCrossentropy({ dLogits, logits, targets: { ptr: plan.targets, shape: lead }, weights });
    }
    const targets = { ptr: plan.targets, shape: [...lead, C] };
    const last = this.layers[this.layers.length - 1];
    if (loss === 'binaryCrossentropy') {
      if (!(last instanceof Dense && last.emitLogits)) {
        throw new ConfigError(`Sequential "${this.name}": binaryCrossentropy needs a Dense output with sigmoid activation (fused from logits)`);
      }
      return k.sigmoidBinaryCrossentropy({ dLogits, logits, targets, weights });
    }
    return k.meanSquaredError({ dLogits, logits, targets, weights });
  }

  private regularize(): number {
    const k = this.kernels!, table = this.table!;
    let penalty = 0;
    for (const e of table.entries) {
      const r = e.regularizer;
      if (!r || !e.trainable || (r.l1 === 0 && r.l2 === 0)) continue;
      k.regularizerGrad(this.grads, this.params, table.size, r.l1, r.l2, e.offset, e.offset + e.size);
      if (r.l2) penalty += r.l2 * k.sumSquares(this.params + e.offset * 4, e.size);
      if (r.l1) {
        const w = k.arena.f32(this.params + e.offset * 4, e.size);
        let s = 0;
        for (let i = 0; i < w.length; i++) s += Math.abs(w[i]);
        penalty += r.l1 * s;
      }
    }
    return penalty;
  }

  private metrics(): Metric[] {
    return this.compiled!.metricNames.map((m) => getMetric(m, this.compiled!.loss));
  }

  private updateMetrics(metrics: Metric[], plan: Plan, ctx: RunContext): void {
    if (metrics.length === 0) return;
    const a = this.kernels!.arena, out = plan.output.value(ctx);
    const C = out.shape[out.shape.length - 1];
    const rows = out.shape.slice(0, -1).reduce((p, q) => p * q, 1);
    const ids = targetsAreIds(this.compiled!.loss);
    const last = this.layers[this.layers.length - 1];
    const batch = {
      scores: a.f32(out.ptr, rows * C), rows, columns: C, logits: last instanceof Dense && last.emitLogits,
      targets: ids ? a.i32(plan.targets, rows) : a.f32(plan.targets, rows * C),
      weights: plan.output.sequence && ctx.lengths ? a.f32(plan.weights, rows) : null,
    };
    for (const m of metrics) m.update(batch);
  }

  /** One training step on samples idx: forward, loss, backward, regularizers, guarded update. */
  private trainStep(plan: Plan, x: TensorData, y: TensorData, idx: ArrayLike<number>, random: Random, metrics: Metric[], where: { epoch: number; batch: number; step: number }): { loss: number; skipped: boolean; norms: GradNormResult | null } {
    const k = this.kernels!, table = this.table!, opt = this.compiled!.optimizer;
    const run = this.loadBatch(plan, x, y, idx);
    const ctx = this.context(plan, run, true, random);
    this.forward(ctx);
    this.lastMask = { lengths: ctx.lengths, leftPadded: ctx.leftPadded };
    let loss = this.loss(plan, ctx);
    k.fill(this.grads, 0, table.size);
    for (let i = this.layers.length - 1; i >= 0; i--) this.layers[i].backward(ctx);
    loss += this.regularize();
    this.updateMetrics(metrics, plan, ctx);
    if (!this.gradTable) return { loss, skipped: false, norms: null };
    const track = this.recordNextUpdate && this.updates ? this.updates : null;
    this.recordNextUpdate = false;
    if (track) this.snapshotParams(track);
    const norms = guardedStep(k, this.gradTable, opt.clip, () => opt.apply(k, this.params, this.grads, this.state, table.size, 0, table.trainableSize));
    if (!norms.finite) {
      const e = table.entries.filter((t) => t.trainable)[norms.tensor];
      this.guardEvents.push({ ...where, tensor: e.path, index: norms.index, value: norms.value, timeStep: this.firstBadTimeStep(e.path), loss });
    }
    if (track) this.finishUpdateRatios(track);
    this.onStep?.({ step: where.step, loss, gradNorm: norms.finite ? norms.norm : NaN, skipped: !norms.finite }, norms);
    return { loss, skipped: !norms.finite, norms };
  }

  private firstBadTimeStep(path: string): number | null {
    const k = this.kernels!;
    for (const l of this.recurrentLayers()) {
      if (!path.includes(`${l.name}/`) && !path.startsWith(`${l.name}/`)) continue;
      const n = l.gradientNorms({ kernels: k });
      if (!n) return null;
      const t = n.h.findIndex((v) => !Number.isFinite(v));
      return t < 0 ? null : t;
    }
    return null;
  }

  async fit(xIn: DataInput, yIn: DataInput, options: FitOptions = {}): Promise<History> {
    if (!this.compiled) throw new ModelStateError(`Sequential "${this.name}": call compile() before fit()`);
    const epochs = options.epochs ?? 1, batchSize = options.batchSize ?? 32;
    if (!Number.isInteger(epochs) || epochs < 0) throw new ConfigError(`fit: epochs must be a non-negative integer, got ${options.epochs}`);
    if (!Number.isInteger(batchSize) || batchSize < 1) throw new ConfigError(`fit: batchSize must be a positive integer, got ${options.batchSize}`);
    const maxBad = options.maxConsecutiveNonFinite ?? 10;
    const x = this.prepareX(xIn);
    await this.build(this.sampleShape(x));
    if (!this.gradTable && this.state.length === 0) this.allocateTrainingState();
    const y = this.prepareY(yIn, x.shape[0]);
    let N = x.shape[0];
    let val: [TensorData, TensorData] | null = null;
    if (options.validationData) {
      const vx = this.prepareX(options.validationData[0]);
      val = [vx, this.prepareY(options.validationData[1], vx.shape[0])];
    } else if (options.validationSplit) {
      const s = options.validationSplit;
      if (!(s > 0 && s < 1)) throw new ConfigError(`fit: validationSplit must be in (0, 1), got ${s}`);
      const nVal = Math.floor(N * s);
      if (nVal < 1 || nVal >= N) throw new DataValueError(`fit: validationSplit ${s} of ${N} samples leaves ${nVal} for validation`);
      val = [slice(x, N - nVal, N), slice(y, N - nVal, N)];
      N -= nVal;
    }
    const random = options.seed !== undefined ? new Random(options.seed) : this.random;
    const history = new History();
    const callbacks: Callback[] = [history, ...(options.callbacks ?? []).map((c) => (c instanceof Callback ? c : new FunctionCallback(c)))];
    if (options.verbose) callbacks.push(new ProgressBar({ epochs, steps: Math.ceil(N / batchSize) }));
    for (const c of callbacks) c.setModel(this);
    this.stopTraining = false;
    this.guardEvents = [];
    const metrics = this.metrics();
    const T = x.shape.length >= 2 ? x.shape[1] : 1;
    for (const c of callbacks) await c.onTrainBegin(); // before planning: a callback may reserve memory (trackUpdates)
    const plan = this.ensurePlan(true, Math.min(batchSize, N), T);
    let step = 0, consecutiveBad = 0;
    for (let epoch = 0; epoch < epochs && !this.stopTraining; epoch++) {
      for (const c of callbacks) await c.onEpochBegin(epoch);
      const order = Int32Array.from({ length: N }, (_, i) => i);
      if (options.shuffle ?? true) random.shuffle(order);
      for (const m of metrics) m.reset();
      let lossSum = 0, seen = 0, batch = 0;
      for (let start = 0; start < N && !this.stopTraining; start += batchSize, batch++) {
        const idx = order.subarray(start, Math.min(N, start + batchSize));
        for (const c of callbacks) await c.onBatchBegin(batch);
        const r = this.trainStep(plan, x, y, idx, random, metrics, { epoch, batch, step: step++ });
        consecutiveBad = r.skipped ? consecutiveBad + 1 : 0;
        if (Number.isFinite(r.loss)) { lossSum += r.loss * idx.length; seen += idx.length; }
        const logs: Logs = { loss: r.loss, size: idx.length };
        for (const c of callbacks) await c.onBatchEnd(batch, logs);
        if (consecutiveBad >= maxBad) this.stopTraining = true;
      }
      const logs: Logs = { loss: seen ? lossSum / seen : NaN };
      for (const m of metrics) logs[m.name] = m.result();
      if (val) {
        const v = this.evaluateTensors(val[0], val[1], batchSize);
        for (const [key, value] of Object.entries(v)) logs[`val_${key}`] = value;
      }
      for (const c of callbacks) await c.onEpochEnd(epoch, logs);
    }
    for (const c of callbacks) await c.onTrainEnd();
    return history;
  }

  private evaluateTensors(x: TensorData, y: TensorData, batchSize: number): Logs {
    const N = x.shape[0], T = x.shape.length >= 2 ? x.shape[1] : 1;
    const plan = this.ensurePlan(true, Math.min(batchSize, N), T);
    const metrics = this.metrics();
    let lossSum = 0;
    for (let start = 0; start < N; start += batchSize) {
      const idx = Int32Array.from({ length: Math.min(N, start + batchSize) - start }, (_, i) => start + i);
      const run = this.loadBatch(plan, x, y, idx);
      const ctx = this.context(plan, run, false, this.random);
      this.forward(ctx);
      lossSum += this.loss(plan, ctx) * idx.length;
      this.updateMetrics(metrics, plan, ctx);
    }
    const logs: Logs = { loss: lossSum / N };
    for (const m of metrics) logs[m.name] = m.result();
    return logs;
  }

  /** Loss and metrics on (x, y), without updating anything (dropout off). */
  async evaluate(xIn: DataInput, yIn: DataInput, options: { batchSize?: number } = {}): Promise<Logs> {
    if (!this.compiled) throw new ModelStateError(`Sequential "${this.name}": call compile() before evaluate()`);
    const x = this.prepareX(xIn);
    await this.build(this.sampleShape(x));
    if (!this.gradTable && this.state.length === 0) this.allocateTrainingState();
    return this.evaluateTensors(x, this.prepareY(yIn, x.shape[0]), options.batchSize ?? 32);
  }

  /**
   * Outputs for x, batch-major: (N, ...output shape), probabilities for sigmoid/softmax outputs. Runs the
   * inference-only kernels (nothing saved for backward).
   */
  async predict(xIn: DataInput, options: { batchSize?: number } = {}): Promise<{ data: Float32Array; shape: number[] }> {
    const x = this.prepareX(xIn);
    await this.build(this.sampleShape(x));
    const batchSize = options.batchSize ?? 32;
    if (!Number.isInteger(batchSize) || batchSize < 1) throw new ConfigError(`predict: batchSize must be a positive integer, got ${options.batchSize}`);
    const N = x.shape[0], T = x.shape.length >= 2 ? x.shape[1] : 1;
    const plan = this.ensurePlan(false, Math.min(batchSize, N), T);
    const k = this.kernels!, a = k.arena, out = plan.output;
    const seq = out.sequence;
    const C = out.shape[out.shape.length - 1] as number;
    let result: Float32Array | null = null, To = 1;
    const last = this.layers[this.layers.length - 1];
    const act = last instanceof Dense && last.emitLogits ? last.activation : null;
    for (let start = 0; start < N; start += batchSize) {
      const B = Math.min(N, start + batchSize) - start;
      const idx = Int32Array.from({ length: B }, (_, i) => start + i);
      const run = this.loadBatch(plan, x, null, idx);
      const ctx = this.context(plan, run, false, this.random);
      this.forward(ctx);
      To = seq ? ctx.T : 1; // Conv1D strides / pooling leave ctx.T at the output length
      result ??= new Float32Array(N * To * C);
      const v = out.value(ctx);
      const rows = To * B;
      if (act === 'sigmoid') k.activationForward(v.ptr, v.ptr, rows * C, 'sigmoid');
      const F = a.f32(v.ptr, rows * C);
      for (let t = 0; t < To; t++) for (let b = 0; b < B; b++) {
        const src = (t * B + b) * C, dst = ((start + b) * To + t) * C;
        result.set(F.subarray(src, src + C), dst);
        if (act === 'softmax') softmaxInPlace(result.subarray(dst, dst + C));
      }
    }
    return { data: result!, shape: [N, ...(seq ? [To] : []), ...(out.shape.slice(seq ? 1 : 0) as number[])] };
  }

  /** Every recurrent layer, including those inside Bidirectional and Residual wrappers, in model order. */
  recurrentLayers(): Recurrent[] {
    const out: Recurrent[] = [];
    const visit = (l: Layer): void => {
      if (l instanceof Recurrent) out.push(l);
      else if (l instanceof Bidirectional) { out.push(l.forwardLayer, l.backwardLayer); }
      else if (l instanceof Residual) visit(l.inner);
    };
    this.layers.forEach(visit);
    return out;
  }

  /** Clears the carried state of every stateful recurrent layer. */
  resetStates(): void {
    for (const l of this.recurrentLayers()) l.resetStates();
  }

  // ---- weights

  /** Copies of every tensor: { path, shape, data } in table order. */
  getWeights(): Array<{ path: string; shape: number[]; data: Float32Array }> {
    const t = this.paramTable, a = this.kernels!.arena;
    return t.entries.map((e) => ({ path: e.path, shape: e.shape.slice(), data: a.readF32(this.params + e.offset * 4, e.size) }));
  }

  /** Sets tensors by path; checks every shape first, so nothing changes on a mismatch. */
  setWeights(weights: Array<{ path: string; shape: readonly number[]; data: ArrayLike<number> }>): void {
    const t = this.paramTable;
    const resolved: Array<[ParamEntry, ArrayLike<number>]> = weights.map((w) => {
      const e = t.entries.find((x) => x.path === w.path);
      if (!e) throw new ShapeError(`Sequential "${this.name}": no weight named ${w.path}`);
      const same = w.shape.length === e.shape.length && w.shape.every((d, i) => d === e.shape[i]);
      if (!same || w.data.length !== e.size) {
        throw new ShapeError(`Sequential "${this.name}": weight ${w.path} has shape (${w.shape.join(', ')}) with ${w.data.length} values, expected (${e.shape.join(', ')})`);
      }
      return [e, w.data];
    });
    const F = this.kernels!.arena.F32;
    for (const [e, data] of resolved) F.set(data, (this.params >> 2) + e.offset);
  }

  /** Parameter slab pointers, for diagnostics and direct kernel users. */
  get slabs(): { params: Ptr; grads: Ptr; state: Ptr[] } {
    return { params: this.params, grads: this.grads, state: this.state.slice() };
  }

  /** Keras-style config: { className: 'Sequential', config: { name, seed, inputShape, layers } } (src/io/config.ts). */
  getConfig(): SequentialConfig {
    return modelToConfig(this);
  }

  /** Rebuilds a model from getConfig() output (layers by className through the registry). */
  static fromConfig(config: SequentialConfig, options: FromConfigOptions = {}): Sequential {
    return modelFromConfig(config, options);
  }

  /** Keras-style summary table. */
  summary(): string {
    const t = this.paramTable;
    const rows: string[][] = [];
    let s: Shape = this.inputShape!;
    for (const l of this.layers) {
      s = l.computeOutputShape(s);
      rows.push([`${l.name} (${l.className})`, formatKerasShape(s), String(t.count((e) => e.layer === l.name))]);
    }
    const w = [Math.max(20, ...rows.map((r) => r[0].length)), Math.max(14, ...rows.map((r) => r[1].length)), Math.max(8, ...rows.map((r) => r[2].length))];
    const line = (c: string) => c.repeat(w[0] + w[1] + w[2] + 6);
    const fmt = (r: string[]) => `${r[0].padEnd(w[0])}   ${r[1].padEnd(w[1])}   ${r[2].padStart(w[2])}`;
    const total = t.count(), trainable = t.count((e) => e.trainable);
    return [
      `Model: "${this.name}"`, line('─'), fmt(['Layer (type)', 'Output Shape', 'Param #']), line('═'),
      ...rows.map(fmt), line('─'),
      ` Total params: ${total.toLocaleString('en-US')}`,
      ` Trainable params: ${trainable.toLocaleString('en-US')}`,
      ` Non-trainable params: ${(total - trainable).toLocaleString('en-US')}`,
    ].join('\n');
  }

  /**
   * ‖g‖ of every trainable tensor from the last training step's norm pass (before clipping), in table
   * order, and the global norm of the gradients as applied (after clipping; one more norm pass).
   */
  tensorGradNorms(): { tensors: Array<{ path: string; norm: number }>; appliedNorm: number } | null {
    if (!this.gradTable || !this.kernels) return null;
    const g = this.gradTable, k = this.kernels;
    const before = new Float64Array(k.arena.memory.buffer, g.sums, g.count).slice();
    const after = k.gradNorms(g);
    const trainable = this.table!.entries.filter((e) => e.trainable);
    return { tensors: trainable.map((e, i) => ({ path: e.path, norm: Math.sqrt(before[i]) })), appliedNorm: after.finite ? after.norm : NaN };
  }

  /**
   * Starts update tracking (‖Δw‖/‖w‖ per tensor, computed in wasm): allocates one more P-float slab below
   * the activation plan. Call before fit() (GradientMonitor does it in onTrainBegin); re-plans activations.
   */
  trackUpdates(): void {
    if (this.updates || !this.table || !this.kernels) return;
    const a = this.kernels.arena;
    if (a.mark() === this.planEnd) a.release(this.planMark);
    else this.ownFrom = a.mark();
    this.plan = null;
    const snapshot = a.alloc(this.table.size);
    this.planMark = a.mark();
    this.planEnd = a.mark();
    const n = this.table.entries.filter((e) => e.trainable).length;
    this.updates = { snapshot, before: new Float64Array(n), ratios: null };
  }

  private snapshotParams(u: NonNullable<Sequential['updates']>): void {
    const k = this.kernels!, t = this.table!;
    k.copy(u.snapshot, this.params, t.size);
    t.entries.filter((e) => e.trainable).forEach((e, i) => {
      u.before[i] = k.sumSquares(this.params + e.offset * 4, e.size);
    });
  }

  private finishUpdateRatios(u: NonNullable<Sequential['updates']>): void {
    const k = this.kernels!, t = this.table!;
    const ratios = new Float64Array(u.before.length);
    t.entries.filter((e) => e.trainable).forEach((e, i) => {
      const d = u.snapshot + e.offset * 4;
      k.axpy(d, -1, this.params + e.offset * 4, e.size); // snapshot := w_before − w_after
      ratios[i] = u.before[i] > 0 ? Math.sqrt(k.sumSquares(d, e.size) / u.before[i]) : NaN;
    });
    u.ratios = ratios;
  }

  /** ‖Δw‖/‖w‖ per trainable tensor (table order) of the last step recorded with recordNextUpdate, or null. */
  lastUpdateRatios(): Array<{ path: string; ratio: number }> | null {
    const r = this.updates?.ratios;
    if (!r || !this.table) return null;
    return this.table.entries.filter((e) => e.trainable).map((e, i) => ({ path: e.path, ratio: r[i] }));
  }

  /** Gate means and saturation of every LSTM/GRU layer in the last training step (valid steps only). */
  gateStatistics(): Array<{ layer: string; className: string; gates: Array<{ gate: string; mean: number; saturated: number }> }> {
    const out = [];
    for (const l of this.recurrentLayers()) {
      if (!this.kernels) continue;
      const gates = l.gateStatistics({ kernels: this.kernels }, this.lastMask.lengths, this.lastMask.leftPadded);
      if (gates) out.push({ layer: l.name, className: l.className, gates });
    }
    return out;
  }

  /** Recurrent layers' ‖dL/dh_t‖ per time step from the last training step (diagnostics). */
  gradientNorms(): Array<{ layer: string; className: string; h: Float64Array; c: Float64Array | null }> {
    const out = [];
    for (const l of this.recurrentLayers()) {
      if (!this.kernels) continue;
      const n = l.gradientNorms({ kernels: this.kernels });
      if (n) out.push({ layer: l.name, className: l.className, ...n });
    }
    return out;
  }
}

function slice(t: TensorData, from: number, to: number): TensorData {
  const per = t.shape.slice(1).reduce((a, b) => a * b, 1);
  const data = Array.prototype.slice.call(t.data, from * per, to * per) as number[];
  return { data, shape: [to - from, ...t.shape.slice(1)] };
}

function softmaxInPlace(v: Float32Array): void {
  let max = -Infinity;
  for (const x of v) max = Math.max(max, x);
  let sum = 0;
  for (let i = 0; i < v.length; i++) { v[i] = Math.exp(v[i] - max); sum += v[i]; }
  for (let i = 0; i < v.length; i++) v[i] /= sum;
}
