// RepeatVector: one vector per sample → a sequence of n copies (Keras keras.layers.RepeatVector,
// https://keras.io/api/layers/reshaping_layers/repeat_vector/). x (B, F) → y (n, B, F) time-major;
// backward dx = Σ_t dy[t].

import { ConfigError } from '../errors.js';
import { Layer, type LayerOptions, type Planner, type Port, type RunContext, type Shape, checkShapeArgument } from './layer.js';

/** Options of RepeatVector: n, the number of time steps. */
export interface RepeatVectorOptions extends LayerOptions {
  n: number;
}

/** Keras RepeatVector: (None, F) → (None, n, F). */
export class RepeatVector extends Layer {
  readonly className = 'RepeatVector';
  readonly n: number;

  constructor(options: RepeatVectorOptions) {
    super(options, 'repeat_vector');
    if (!Number.isInteger(options?.n) || options.n < 1) throw new ConfigError(`RepeatVector "${this.name}": n must be a positive integer, got ${JSON.stringify(options?.n)}`);
    this.n = options.n;
  }

  computeOutputShape(input: Shape): Shape {
    checkShapeArgument(this, input);
    if (input.length !== 1 || input[0] === null) throw this.shapeError('a vector input', '(None, F)', input);
    return [this.n, input[0]];
  }

  override outputSteps(): number {
    return this.n;
  }

  override propagatesMask(): boolean {
    return false;
  }

  plan(planner: Planner, input: Port): Port {
    if (input.sequence || input.ids) throw this.shapeError('a vector input', '(None, F)', input.shape);
    this.input = input;
    const size = this.n * planner.capacity.B * (input.shape[0] as number);
    this.output = this.densePort(this.computeOutputShape(input.shape), true, planner.alloc(size), planner.training ? planner.alloc(size) : 0);
    return this.output;
  }

  forward(ctx: RunContext): void {
    const n = ctx.B * (this.input.shape[0] as number), x = this.input.value(ctx), y = this.output.value({ B: ctx.B, T: this.n });
    for (let t = 0; t < this.n; t++) ctx.kernels.copy(y.ptr + t * n * 4, x.ptr, n);
  }

  backward(ctx: RunContext): void {
    const n = ctx.B * (this.input.shape[0] as number), dy = this.output.grad({ B: ctx.B, T: this.n }), dx = this.input.grad(ctx);
    if (!dy || !dx) return;
    ctx.kernels.copy(dx.ptr, dy.ptr, n);
    for (let t = 1; t < this.n; t++) ctx.kernels.axpy(dx.ptr, 1, dy.ptr + t * n * 4, n);
  }

  getConfig(): Record<string, unknown> {
    return { name: this.name, trainable: this.trainable, n: this.n };
  }
}
