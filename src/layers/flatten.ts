// Flatten: a sequence (T, F) → one vector (T·F) per sample. Keras: keras.layers.Flatten
// (https://keras.io/api/layers/reshaping_layers/flatten/). Keras flattens batch-major (B, T, F) → (B, T·F)
// (step t is columns [t·F, (t + 1)·F)); inside the model a sequence is time-major (T, B, F), so this is a
// real transpose copy: y (B, T·F) columns t·F.. ← x block t (B, F), one strided copyRows per step, and
// backward the reverse. T must be known (Keras: the input shape must be fully defined). A vector input
// (None, D) passes through unchanged. The mask is dropped (Keras 3: Flatten has no mask support).

import { ShapeError } from '../errors.js';
import { Layer, type LayerOptions, type Planner, type Port, type RunContext, type Shape, checkShapeArgument } from './layer.js';

/** Keras Flatten: (None, T, F) → (None, T·F). */
export class Flatten extends Layer {
  readonly className = 'Flatten';
  private T = 0;
  private F = 0;

  constructor(options: LayerOptions = {}) {
    super(options, 'flatten');
  }

  computeOutputShape(input: Shape): Shape {
    checkShapeArgument(this, input);
    if (input.length === 0 || input.some((d) => d === null)) {
      throw this.shapeError('an input with a fully defined shape', '(None, T, F) with known T and F (build the model with a fixed length, e.g. Embedding inputLength)', input);
    }
    return [(input as number[]).reduce((a, b) => a * b, 1)];
  }

  plan(planner: Planner, input: Port): Port {
    if (input.ids) throw this.shapeError('a float input', '(None, T, F)', input.shape);
    const shape = this.computeOutputShape(input.shape);
    this.input = input;
    if (!input.sequence) {
      this.output = input; // already (B, D)
      return input;
    }
    this.T = input.shape[0] as number;
    this.F = (input.shape.slice(1) as number[]).reduce((a, b) => a * b, 1);
    if (planner.capacity.T < this.T) throw new ShapeError(`Flatten "${this.name}": built for ${this.T} steps, planned for ${planner.capacity.T}`);
    const n = planner.capacity.B * this.T * this.F;
    this.output = this.densePort(shape, false, planner.alloc(n), planner.training ? planner.alloc(n) : 0);
    return this.output;
  }

  forward(ctx: RunContext): void {
    if (this.output === this.input) return;
    if (ctx.T !== this.T) throw new ShapeError(`Flatten "${this.name}": built for ${this.T} time steps, got ${ctx.T}`);
    const x = this.input.value(ctx), y = this.output.value(ctx), { B } = ctx, T = this.T, F = this.F;
    // y (B, T·F)[:, t·F : (t+1)·F] ← x[t] (B, F)
    for (let t = 0; t < T; t++) ctx.kernels.copyRows(y.ptr + t * F * 4, T * F, x.ptr + t * B * F * 4, F, B, F);
  }

  backward(ctx: RunContext): void {
    if (this.output === this.input) return;
    const dy = this.output.grad(ctx), dx = this.input.grad(ctx), { B } = ctx, T = this.T, F = this.F;
    if (!dy || !dx) return;
    // dx[t] (B, F) ← dy (B, T·F)[:, t·F : (t+1)·F]
    for (let t = 0; t < T; t++) ctx.kernels.copyRows(dx.ptr + t * B * F * 4, F, dy.ptr + t * F * 4, T * F, B, F);
  }

  propagatesMask(): boolean {
    return false;
  }

  getConfig(): Record<string, unknown> {
    return { name: this.name, trainable: this.trainable };
  }
}
