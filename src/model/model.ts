// Model: Keras' functional model over one Kernels instance (https://keras.io/api/models/model/). `new Model({
// inputs, outputs })` takes symbolic tensors from Input() and layer.apply(); the graph is checked (graph.ts),
// memory planned once (engine.ts, memory.ts), training in train.ts, prediction in predict.ts. Sequential is
// the linear case, built from its first data when no input shape is given.

import { loadKernels, type Kernels, type Ptr } from '../../bindings/index.js';
import type { GradNormResult } from '../../bindings/families/clipping.js';
import { Random } from '../../bindings/random.js';
import type { History, Logs } from '../callbacks/callback.js';
import { gateStatistics, gradientNorms, recurrentLayersOf, tensorGradNorms } from '../diagnostics/probes.js';
import { DataValueError, ModelStateError, ShapeError } from '../errors.js';
import type { Layer } from '../layers/layer.js';
import type { Recurrent } from '../layers/recurrent.js';
import type { Shape, SymbolicTensor } from '../layers/symbolic.js';
import type { Optimizer } from '../optimizers.js';
import { checkOptions } from '../options/schema.js';
import { validateCompileOptions, validateEvaluateOptions, validateFitOptions, validateModelOptions, validatePredictOptions } from '../options/model.js';
import { compileToConfig, parseCompile, type CompileConfig, type CompileOptions } from './compile.js';
import type { GateStatistics, GuardEvent, LayerGradientNorms, StepRecord, TrainingModel, WeightTensor } from './contract.js';
import { batchSizeOption, checkFinite, checkInput, inputList, toTensor, type DataInput, type InputSpec, type TensorData } from './data.js';
import { Engine, type OutputSpec } from './engine.js';
import { graphFromConfig, graphToConfig, type FunctionalConfig, type ModelConfig } from './functional-config.js';
import { buildGraph, type Graph } from './graph.js';
import { readGradients } from './gradients.js';
import type { ParamTable } from './param-table.js';
import { predict, type Prediction } from './predict.js';
import { summaryTable } from './summary.js';
import { evaluateBatches, fitBatches, isBatchSource, predictBatches, readySource, withSampleWeights, type BatchSource } from '../training/batch-loop.js';
import { evaluate, fit, gradientsOf, trainOnBatch, Trainer, type Batchable, type FitOptions, type Session } from './train.js';

export type { FitOptions } from './train.js';
export type { CompileOptions, CompileConfig, LossSpec } from './compile.js';
export type { GuardEvent, StepRecord } from './contract.js';
/** Options of every model: a name, the seed of its weights (and default shuffling/dropout), its Kernels. */
export interface ModelOptions {
  name?: string;
  /** Seeds weight initialisation (and, unless fit() gets its own, shuffling and dropout). Default 0. */
  seed?: number;
  /** Kernels to run on (default: loadKernels() on first use). Share one instance between models freely. */
  kernels?: Kernels;
}

/** A functional model: inputs and outputs (one tensor or a list), plus the common options. */
export interface FunctionalOptions extends ModelOptions {
  inputs: SymbolicTensor | SymbolicTensor[];
  outputs: SymbolicTensor | SymbolicTensor[];
}

/** Data in the shape of the model's inputs or outputs: one DataInput, a list, or an object by name. */
export type ModelData = DataInput | DataInput[] | Record<string, DataInput>;

/** Gradients without an update: loss, per-weight gradients, and dL/dx per input when asked. */
export interface Gradients {
  loss: number;
  gradients: WeightTensor[];
  /** Per input (by name): dL/dx batch-major; for an int32 input, dL/d(the output of the Embedding reading it). */
  inputs?: Record<string, { shape: number[]; data: Float32Array }>;
}

let counter = 0;

/** A functional model (Keras Model): layers applied to symbolic tensors from Input(), trained and run on the fused kernels. */
export class Model implements TrainingModel {
  readonly name: string;
  readonly seed: number;
  kernels: Kernels | null;
  /** Set by a callback (EarlyStopping, TerminateOnNaN) to end fit() after the current batch. */
  stopTraining = false;
  protected graph: Graph | null = null;
  protected engine: Engine | null = null;
  protected random: Random;
  private trainer: Trainer | null = null;
  private compiled: { optimizer: Optimizer; heads: OutputSpec[]; options: CompileOptions } | null = null;
  private pendingHooks: { onStep: TrainingModel['onStep'] } = { onStep: null };

  constructor(options: FunctionalOptions | (ModelOptions & { inputs?: undefined; outputs?: undefined }), base = 'model') {
    options = validateModelOptions(options, base === 'model' ? 'Model' : 'Sequential'); // undefined → {}
    this.name = options.name ?? (counter++ === 0 ? base : `${base}_${counter - 1}`);
    this.seed = options.seed ?? 0;
    this.kernels = options.kernels ?? null;
    this.random = new Random(this.seed);
    if (options.inputs !== undefined) {
      const list = (v: SymbolicTensor | SymbolicTensor[]) => (Array.isArray(v) ? v : [v]);
      this.graph = buildGraph(list(options.inputs), list(options.outputs!), this.name, this);
    }
  }

  protected get where(): string {
    return `${this.className} "${this.name}"`;
  }

  /** 'Functional' (Keras' class name of functional models) or 'Sequential'. */
  get className(): string {
    return 'Functional';
  }

  /** The layers, each once, in order of first application (the graph's order). */
  get layers(): Layer[] {
    return this.graph ? this.graph.owners.slice() : [];
  }

  /** Input names, in order. */
  get inputNames(): string[] {
    return this.graph ? this.graph.inputs.map((t) => t.name) : [];
  }

  /** Output names, in order: the producing layer's name (":i" for its i-th extra output). */
  get outputNames(): string[] {
    if (!this.graph) return [];
    const g = this.graph;
    return g.outputs.map((e) => (e.index === 0 ? g.nodes[e.node].owner.name : `${g.nodes[e.node].owner.name}:${e.index}`));
  }

  get built(): boolean {
    if (this.disposed) return false;
    return this.engine?.table != null;
  }

  get paramTable(): ParamTable {
    if (!this.engine?.table) throw new ModelStateError(`${this.where}: not built yet`);
    return this.engine.table;
  }

  get optimizer(): Optimizer | null {
    return this.compiled?.optimizer ?? null;
  }

  /** What compile() was given, serialisable (null before compile). */
  get compileConfig(): CompileConfig | null {
    return this.compiled ? compileToConfig(this.compiled.optimizer, this.compiled.heads) : null;
  }

  /** The model's config (Keras get_config): layers, inputs, graph; see functional-config.ts. */
  getConfig(): ModelConfig {
    if (!this.graph) throw new ModelStateError(`${this.where}: has no graph yet`);
    return graphToConfig(this.graph, this.name, this.seed);
  }

  /** A new, unbuilt model from getConfig() output (fresh layers through the registry). */
  static fromConfig(spec: ModelConfig, options: Pick<ModelOptions, 'kernels'> = {}): Model {
    checkOptions('Model.fromConfig', options); // issue 16: null or non-object options are an OptionError
    const g = graphFromConfig(spec as FunctionalConfig);
    return new Model({ inputs: g.inputs, outputs: g.outputs, name: g.name, seed: g.seed, kernels: options.kernels });
  }

  private disposed = false;

  /**
   * Frees the model's memory on its Kernels (params, grads, optimizer state, activation plans) so that other
   * models reuse it; the model cannot be used afterwards (ModelStateError). Safe to call twice.
   */
  dispose(): void {
    this.engine?.memory.dispose();
    this.disposed = true;
    this.engine = null;
    this.trainer = null;
  }

  protected async ensureKernels(): Promise<Kernels> {
    if (this.disposed) throw new ModelStateError(`${this.where}: the model was disposed`);
    this.kernels ??= await loadKernels();
    return this.kernels;
  }

  /** Builds the weights (and, when compiled, the optimizer state). Sequential takes a per-sample input shape. */
  async build(_inputShape?: Shape): Promise<void> {
    if (this.built) return;
    if (!this.graph) throw new ModelStateError(`${this.where}: has no layers to build`);
    const k = await this.ensureKernels();
    const engine = new Engine(this.graph, k, this.where);
    engine.build(this.random);
    this.engine = engine;
    if (this.compiled) this.startTraining();
  }

  private startTraining(): void {
    const engine = this.engine!, c = this.compiled!;
    engine.heads = c.heads;
    engine.dropPlan();
    const trainer = new Trainer(engine, c.optimizer);
    trainer.onStep = this.pendingHooks.onStep;
    trainer.allocate();
    this.trainer = trainer;
  }

  /** Keras compile(): optimizer, loss(es), metrics; on a built model the optimizer state is allocated now. */
  compile(options: CompileOptions): void {
    validateCompileOptions(this.name, options, this.className);
    if (this.outputNames.length === 0) throw new ModelStateError(`${this.where}: add layers before compile()`);
    this.compiled = { ...parseCompile(options, this.outputNames, this.where), options };
    if (this.built) this.startTraining();
  }

  private session(): Session {
    return { engine: this.engine!, trainer: this.trainer!, host: this, random: this.random, prepare: (x, y) => this.prepare(x as ModelData, y as ModelData) };
  }

  private requireCompiled(call: string): void {
    if (!this.compiled) throw new ModelStateError(`${this.where}: call compile() before ${call}()`);
  }

  /** Input specs for data checks (after build). */
  protected inputSpecs(): InputSpec[] {
    const g = this.graph!, e = this.engine!;
    return g.inputs.map((t, i) => {
      const reads = (x: { node: number; index: number } | null) => x !== null && x.node < 0 && x.index === i;
      const node = g.nodes.find((n) => n.inputs.some(reads)) ?? g.nodes.find((n) => reads(n.mask))!;
      const reader = node.layer;
      const vocab = (reader as unknown as { inputDim?: number }).inputDim;
      return { name: t.name, shape: t.shape, kind: e.kinds[i], vocab: e.kinds[i] === 'ids' ? vocab : undefined, reader: `${reader.className} "${reader.name}"` };
    });
  }

  /** Builds (if needed) for the data, then checks every input; nothing is planned or written before. */
  protected async inputs(x: ModelData, what = 'x'): Promise<TensorData[]> {
    const g = this.graph;
    const names = g ? g.inputs.map((t) => t.name) : ['x'];
    const label = (i: number) => (names.length > 1 ? `${what}["${names[i]}"]` : what);
    const tensors = inputList<DataInput>(x as never, names, what).map((v, i) => toTensor(v, label(i)));
    tensors.forEach((t, i) => { if (t.shape[0] === 0) throw new DataValueError(`${this.where}: ${label(i)} is empty (0 samples)`); });
    await this.buildFor(tensors);
    const specs = this.inputSpecs();
    tensors.forEach((t, i) => checkInput(t, specs[i], label(i)));
    const N = tensors[0].shape[0];
    tensors.forEach((t, i) => { if (t.shape[0] !== N) throw new DataValueError(`${this.where}: input "${names[i]}" has ${t.shape[0]} samples, input "${names[0]}" ${N}`); });
    return tensors;
  }

  /** Builds for the first data (Sequential infers the input shape from it); a functional model just builds. */
  protected async buildFor(_tensors: TensorData[]): Promise<void> {
    await this.build();
  }

  private targets(y: ModelData, xs: TensorData[], what = 'y'): TensorData[] {
    const names = this.outputNames, g = this.graph!, N = xs[0].shape[0], e = this.engine!;
    const steps = e.outputSteps(xs.map((x, i) => (e.kinds[i] === 'vector' ? 1 : x.shape[1])));
    return inputList<DataInput>(y as never, names, what).map((v, o) => {
      const label = names.length > 1 ? `${what}["${names[o]}"]` : what;
      const t = toTensor(v, label);
      if (t.shape[0] !== N) throw new DataValueError(`${this.where}: x has ${N} samples but ${label} has ${t.shape[0]}`);
      checkFinite(t, label);
      const edge = g.outputs[o], out = g.nodes[edge.node].outputShapes[edge.index];
      const ready = this.compiled!.heads[o].loss.prepareTargets(t, out, this.where);
      if (out.length === 2 && ready.shape[1] !== steps[o]) {
        throw new ShapeError(`${this.where}: ${label} ${'(' + t.shape.join(', ') + ')'} has ${ready.shape[1]} time steps, but output "${names[o]}" has ${steps[o]} for this x`);
      }
      return ready;
    });
  }

  private async prepare(x: ModelData, y: ModelData): Promise<Batchable> {
    const xs = await this.inputs(x);
    if (!this.trainer) this.startTraining();
    return { xs, ys: this.targets(y, xs) };
  }

  /** Keras fit(): trains for `epochs` over shuffled batches; returns the History of per-epoch logs. */
  async fit(x: ModelData | BatchSource, y?: ModelData, options: FitOptions = {}): Promise<History> {
    validateFitOptions(this.name, options, this.className);
    this.requireCompiled('fit');
    batchSizeOption(options.batchSize, 'fit');
    if (isBatchSource(x)) return fitBatches(() => this.session(), await readySource(x, y, this.built, (bx, by) => this.prepare(bx as ModelData, by as ModelData), this.where), options);
    const data = await this.prepare(x, y as ModelData);
    return fit(this.session(), data, options);
  }

  /** Loss and metrics on (x, y), without updating anything (dropout off). */
  async evaluate(x: ModelData | BatchSource, y?: ModelData, options: { batchSize?: number; sampleWeight?: ArrayLike<number>; steps?: number } = {}): Promise<Logs> {
    validateEvaluateOptions(this.name, options, this.className);
    this.requireCompiled('evaluate');
    const batchSize = batchSizeOption(options.batchSize, 'evaluate');
    if (isBatchSource(x)) return evaluateBatches(() => this.session(), await readySource(x, y, this.built, (bx, by) => this.prepare(bx as ModelData, by as ModelData), this.where), { steps: options.steps });
    const data = await this.prepare(x, y as ModelData);
    return evaluate(this.session(), withSampleWeights(data, options.sampleWeight, `${this.where}: evaluate`), batchSize);
  }

  /** Keras train_on_batch(): one update on exactly these samples; logs computed before the update. */
  async trainOnBatch(x: ModelData, y: ModelData): Promise<Logs> {
    this.requireCompiled('trainOnBatch');
    const data = await this.prepare(x, y);
    return trainOnBatch(this.session(), data);
  }

  /**
   * Outputs for x, batch-major: (N, ...output shape), probabilities for sigmoid/softmax outputs, one per
   * output (a list for several). Runs the inference-only kernels (nothing saved for backward).
   */
  async predict(x: ModelData | BatchSource, options: { batchSize?: number; steps?: number } = {}): Promise<Prediction | Prediction[]> {
    validatePredictOptions(this.name, options, this.className);
    const batchSize = batchSizeOption(options.batchSize, 'predict');
    const out = isBatchSource(x) ? await predictBatches(await readySource(x, undefined, this.built, (bx) => this.inputs(bx as ModelData), this.where), (bx) => this.inputs(bx as ModelData), (xs) => predict(this.engine!, xs, xs[0].shape[0], this.random), options.steps)
      : await this.inputs(x).then((xs) => predict(this.engine!, xs, batchSize, this.random)); // inputs() builds the engine first
    return out.length === 1 ? out[0] : out;
  }

  /** Keras predict_on_batch(): predict() on these samples as one batch. */
  async predictOnBatch(x: ModelData): Promise<Prediction | Prediction[]> {
    const xs = await this.inputs(x);
    const out = predict(this.engine!, xs, xs[0].shape[0], this.random);
    return out.length === 1 ? out[0] : out;
  }

  /**
   * Loss and per-weight gradients on (x, y) as one batch, without an update (dropout off); with
   * `{ inputs: true }` also dL/dx of every input. Needs compile() (for the losses).
   */
  async computeGradients(x: ModelData, y: ModelData, options: { inputs?: boolean } = {}): Promise<Gradients> {
    checkOptions(`${this.className} "${this.name}": computeGradients`, options); // issue 16: null or non-object options are an OptionError
    this.requireCompiled('computeGradients');
    const data = await this.prepare(x, y);
    const r = gradientsOf(this.session(), data, options.inputs === true);
    return readGradients(this.engine!, r, data, options.inputs === true);
  }

  /** Every recurrent layer, including those inside Bidirectional and Residual wrappers, in model order. */
  recurrentLayers(): Recurrent[] {
    return recurrentLayersOf(this.graph?.runtime ?? this.layers);
  }

  /** Clears the carried state of every stateful recurrent layer. */
  resetStates(): void {
    for (const l of this.recurrentLayers()) l.resetStates();
  }

  /** Copies of every tensor: { path, shape, data } in table order. */
  getWeights(): WeightTensor[] {
    this.paramTable; // throws before build
    return this.engine!.readWeights();
  }

  /** Sets tensors by path; checks every shape first, so nothing changes on a mismatch. */
  setWeights(weights: Array<{ path: string; shape: readonly number[]; data: ArrayLike<number> }>): void {
    this.paramTable; // throws before build
    this.engine!.writeWeights(weights);
  }

  /** Slab pointers for diagnostics and direct kernel users (writes to params: get `slabs` again after them; the optimizer alone writes its state slabs). */
  get slabs(): { params: Ptr; grads: Ptr; state: Ptr[] } {
    return { params: this.engine?.paramsForWrite() ?? 0, grads: this.engine?.grads ?? 0, state: this.trainer?.state.slice() ?? [] }; // bumps the weights version
  }

  /** Keras-style summary table: one row per layer application, with output shapes and parameter counts. */
  summary(): string {
    return summaryTable(this.name, this.graph!, this.paramTable);
  }

  // ---- diagnostics probes (src/diagnostics/probes.ts) and the TrainingModel contract of callbacks

  /** Steps the NaN/Inf guard skipped during the last fit(). */
  get guardEvents(): GuardEvent[] {
    return this.trainer?.guardEvents ?? [];
  }

  set guardEvents(v: GuardEvent[]) {
    if (this.trainer) this.trainer.guardEvents = v;
  }

  /** Hook for diagnostics: called after every training step with the norms and the model. */
  get onStep(): ((record: StepRecord, norms: GradNormResult) => void) | null {
    return this.trainer?.onStep ?? this.pendingHooks.onStep;
  }

  set onStep(f: ((record: StepRecord, norms: GradNormResult) => void) | null) {
    this.pendingHooks.onStep = f;
    if (this.trainer) this.trainer.onStep = f;
  }

  /** Set (e.g. by GradientMonitor.onBatchBegin) to measure ‖Δw‖/‖w‖ per tensor in the next training step. */
  get recordNextUpdate(): boolean {
    return this.trainer?.recordNextUpdate ?? false;
  }

  set recordNextUpdate(v: boolean) {
    if (this.trainer) this.trainer.recordNextUpdate = v;
  }

  /** Starts update tracking (‖Δw‖/‖w‖ per tensor, computed in wasm): one more P-float slab; re-plans. */
  trackUpdates(): void { this.trainer?.trackUpdates(); }

  /** ‖g‖ of every trainable tensor from the last step (before clipping) and the applied global norm. */
  tensorGradNorms(): { tensors: Array<{ path: string; norm: number }>; appliedNorm: number } | null {
    const tr = this.trainer;
    if (!tr?.gradTable || !this.kernels) return null;
    return tensorGradNorms(this.kernels, tr.gradTable, this.paramTable.entries.filter((e) => e.trainable));
  }

  /** ‖Δw‖/‖w‖ per trainable tensor (table order) of the last step recorded with recordNextUpdate, or null. */
  lastUpdateRatios(): Array<{ path: string; ratio: number }> | null { return this.trainer?.tracker?.result() ?? null; }

  /** Gate means and saturation of every LSTM/GRU layer in the last training step (valid steps only). */
  gateStatistics(): GateStatistics[] {
    return this.kernels ? gateStatistics(this.kernels, this.recurrentLayers()) : [];
  }

  /** Recurrent layers' ‖dL/dh_t‖ per time step from the last training step (diagnostics). */
  gradientNorms(): LayerGradientNorms[] {
    return this.kernels ? gradientNorms(this.kernels, this.recurrentLayers()) : [];
  }
}
