// Sequential: a linear stack of layers, the simplest Model. Its graph is made when the input shape is known
// (the first layer's inputShape, build(shape), or the first data given to fit/evaluate/predict): one Input,
// then each layer applied to the previous output. Everything else is the Model's.
// Keras API: https://keras.io/api/models/sequential/

import { ConfigError, ModelStateError, ShapeError } from '../errors.js';
import { validateSequentialOptions } from '../options/model.js';
import { checkOptions } from '../options/schema.js';
import { formatKerasShape, type Layer, type LayerConfig } from '../layers/layer.js';
import { layerFromConfig, layerToConfig } from '../layers/registry.js';
import { Input, SymbolicTensor, type Shape } from '../layers/symbolic.js';
import type { TensorData } from './data.js';
import { buildGraph } from './graph.js';
import { Model, type ModelData, type ModelOptions } from './model.js';
import type { BatchSource } from '../training/batch-loop.js';
import type { Prediction } from './predict.js';

export type { CompileOptions, FitOptions, GuardEvent, StepRecord } from './model.js';

/** Options of a Sequential model (name, seed, kernels). */
export type SequentialOptions = ModelOptions;

/** Keras-style config of a Sequential: { className: 'Sequential', config: { name, seed, inputShape, layers } }. */
export interface SequentialConfig {
  className: 'Sequential';
  config: {
    name: string;
    seed: number;
    /** Per-sample input shape the model was built for (null: not built and no first-layer inputShape). */
    inputShape: Shape | null;
    layers: LayerConfig[];
  };
}

/** A linear stack of layers (Keras Sequential) with the Model API. */
export class Sequential extends Model {
  private readonly stack: Layer[] = [];
  private inputShape: Shape | null = null;

  constructor(layers: Layer[] = [], options: SequentialOptions = {}) {
    validateSequentialOptions(layers, options);
    super(options, 'sequential');
    for (const l of layers) this.add(l);
  }

  override get className(): string {
    return 'Sequential';
  }

  /** The layers in order. */
  override get layers(): Layer[] {
    return this.stack;
  }

  /** The output name: the last layer's (known before the model is built, so compile() may come first). */
  override get outputNames(): string[] {
    return this.built ? super.outputNames : this.stack.slice(-1).map((l) => l.name);
  }

  /** Appends a layer (before the model is built). */
  add(layer: Layer): void {
    if (this.built) throw new ModelStateError(`Sequential "${this.name}": cannot add layers after the model is built`);
    if (this.stack.some((l) => l.name === layer.name)) throw new ConfigError(`Sequential "${this.name}": duplicate layer name "${layer.name}"`);
    this.stack.push(layer);
  }

  /** The per-sample input shape the model was built for (null before build). */
  get builtInputShape(): Shape | null {
    return this.inputShape ? this.inputShape.slice() : null;
  }

  /** Builds for a per-sample input shape (Keras: ids [T] or floats [T, D] / [D]); T may be null. */
  override async build(inputShape?: Shape): Promise<void> {
    await this.ensureKernels(); // throws on a disposed model
    if (this.built) return;
    if (this.stack.length === 0) throw new ModelStateError(`Sequential "${this.name}": add layers before building`);
    const shape = inputShape ?? this.stack[0].inputShape;
    if (!shape) throw new ModelStateError(`Sequential "${this.name}": the first layer needs inputShape (or call fit/predict/build with data)`);
    const input = Input({ shape: shape.slice(), dtype: this.stack[0].expectsIds ? 'int32' : 'float32', name: `${this.name}_input` });
    let t: SymbolicTensor = input;
    for (const layer of this.stack) {
      const out = layer.apply(t);
      if (!(out instanceof SymbolicTensor)) throw new ConfigError(`Sequential "${this.name}": layer ${layer.className} "${layer.name}" has several outputs (returnState); use a functional Model`);
      t = out;
    }
    this.graph = buildGraph([input], [t], this.name, this);
    this.inputShape = shape.slice();
    await super.build();
  }

  /** Builds from the first data: the first layer's inputShape, else the data's per-sample shape (any length). */
  protected override async buildFor(tensors: TensorData[]): Promise<void> {
    if (this.built) return;
    if (this.stack.length === 0) throw new ModelStateError(`Sequential "${this.name}": add layers before building`);
    const x = tensors[0], s: Shape = x.shape.slice(1), first = this.stack[0], want = first.inputShape;
    if (want) {
      const ok = want.length === s.length && want.every((d, i) => d === null || d === s[i]);
      if (!ok && !first.expectsIds) throw new ShapeError(`${first.className} "${first.name}": expected input ${formatKerasShape(want)}, got (${x.shape.join(', ')})`);
    }
    const fixedT = want?.[0] ?? null;
    await this.build(first.expectsIds ? [fixedT] : s.map((d, i) => (i === 0 && s.length >= 2 ? fixedT : d)));
  }

  /** Outputs for x, batch-major: (N, ...output shape), probabilities for sigmoid/softmax outputs. */
  override async predict(x: ModelData | BatchSource, options: { batchSize?: number; steps?: number } = {}): Promise<Prediction> {
    return (await super.predict(x, options)) as Prediction;
  }

  /** predict() on these samples as one batch. */
  override async predictOnBatch(x: ModelData): Promise<Prediction> {
    return (await super.predictOnBatch(x)) as Prediction;
  }

  /** Keras-style config: { className: 'Sequential', config: { name, seed, inputShape, layers } }. */
  getConfig(): SequentialConfig {
    const inputShape = this.inputShape?.slice() ?? this.stack[0]?.inputShape?.slice() ?? null;
    return { className: 'Sequential', config: { name: this.name, seed: this.seed, inputShape, layers: this.stack.map((l) => layerToConfig(l)) } };
  }

  /** Rebuilds a model from getConfig() output (layers by className through the registry); not built. */
  static fromConfig(spec: SequentialConfig, options: Pick<ModelOptions, 'kernels'> = {}): Sequential {
    checkOptions('Sequential.fromConfig', options); // issue 16: null or non-object options are an OptionError
    if (!spec || spec.className !== 'Sequential' || typeof spec.config !== 'object' || !Array.isArray(spec.config?.layers)) {
      throw new ConfigError(`model config must be { className: 'Sequential', config: { layers: [...] } }, got className ${JSON.stringify(spec?.className)}`);
    }
    const c = spec.config;
    return new Sequential(c.layers.map((l) => layerFromConfig(l)), { name: c.name, seed: c.seed, kernels: options.kernels });
  }
}
