// TimeDistributed(Dense): the same Dense at every time step (Keras keras.layers.TimeDistributed,
// https://keras.io/api/layers/recurrent_layers/time_distributed/). Dense already maps (T, B, F) as T·B rows
// in one GEMM, so the wrapper hands its input to the inner Dense; its weights are the wrapper's:
// "<wrapper>/kernel", "<wrapper>/bias".

import { ConfigError } from '../errors.js';
import type { ParamEntry } from '../model/param-table.js';
import { Dense } from './dense.js';
import { Layer, type LayerOptions, type Mask, type ParamDeclaration, type Planner, type Port, type RunContext, type Shape, checkShapeArgument } from './layer.js';

/** Options of TimeDistributed: the layer applied per step (a Dense). */
export interface TimeDistributedOptions extends LayerOptions {
  layer: Layer;
}

/** Keras TimeDistributed over a Dense: (None, T, F) → (None, T, units). */
export class TimeDistributed extends Layer {
  readonly className = 'TimeDistributed';
  readonly inner: Dense;

  constructor(options: TimeDistributedOptions) {
    super(options, 'time_distributed');
    if (!(options?.layer instanceof Dense)) throw new ConfigError(`TimeDistributed "${this.name}": layer must be a Dense, got ${options?.layer?.className ?? typeof options?.layer}`);
    this.inner = options.layer;
  }

  computeOutputShape(input: Shape): Shape {
    checkShapeArgument(this, input);
    if (input.length !== 2 || input[1] === null) throw this.shapeError('a sequence input', '(None, T, F)', input);
    return this.inner.computeOutputShape(input);
  }

  override declareParams(input: Shape): ParamDeclaration[] {
    return this.inner.declareParams(input);
  }

  override bindParams(entries: ParamEntry[]): void {
    this.params = entries;
    this.inner.bindParams(entries);
  }

  override twin(): TimeDistributed {
    return new TimeDistributed({ name: this.name, trainable: this.trainable, layer: this.inner.twin() });
  }

  override fuseOutputActivation(activation: 'sigmoid' | 'softmax'): boolean {
    return this.inner.fuseOutputActivation(activation);
  }

  override unfuseOutputActivation(): void {
    this.inner.unfuseOutputActivation();
  }

  override get logitsActivation(): 'sigmoid' | 'softmax' | null {
    return this.inner.logitsActivation;
  }

  override get outputActivation(): string | null {
    return this.inner.outputActivation;
  }

  plan(planner: Planner, input: Port): Port {
    if (!input.sequence || input.ids) throw this.shapeError('a sequence input', '(None, T, F)', input.shape);
    this.input = input;
    this.output = this.inner.plan(planner, input);
    return this.output;
  }

  forward(ctx: RunContext): void {
    this.inner.forward(ctx);
  }

  backward(ctx: RunContext): void {
    this.inner.backward(ctx);
  }

  override computeMask(ctx: RunContext): Mask | null {
    return ctx.mask;
  }

  getConfig(): Record<string, unknown> {
    return { name: this.name, trainable: this.trainable, layer: { className: this.inner.className, config: this.inner.getConfig() } };
  }
}
