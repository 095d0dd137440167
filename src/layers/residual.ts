// Residual: y = layer(x) + x (a skip connection around one layer whose output shape equals its input
// shape, e.g. a stacked LSTM with returnSequences and units = input width). The teaching material's
// remedy for deep stacks: the identity path carries the gradient past the layer unchanged.

import { ShapeError } from '../errors.js';
import type { ParamEntry } from '../model/param-table.js';
import { Layer, formatKerasShape, type LayerOptions, type ParamDeclaration, type Planner, type Port, type RunContext, type Shape, checkShapeArgument } from './layer.js';

/** Options of Residual: the layer to wrap. */
export interface ResidualOptions extends LayerOptions {
  layer: Layer;
}

/** A skip connection: y = layer(x) + x. */
export class Residual extends Layer {
  readonly className = 'Residual';
  readonly inner: Layer;
  private out = 0;

  constructor(options: ResidualOptions) {
    super(options, 'residual');
    this.inner = options.layer;
  }

  computeOutputShape(input: Shape): Shape {
    checkShapeArgument(this, input);
    const s = this.inner.computeOutputShape(input);
    if (s.length !== input.length || s.some((d, i) => d !== input[i])) {
      throw new ShapeError(`Residual "${this.name}": the inner ${this.inner.className} "${this.inner.name}" maps ${formatKerasShape(input)} to ${formatKerasShape(s)}; a skip connection needs equal shapes`);
    }
    return s;
  }

  declareParams(input: Shape): ParamDeclaration[] {
    return this.inner.declareParams(input).map((d) => ({ ...d, name: `${this.inner.name}/${d.name}` }));
  }

  override bindParams(entries: ParamEntry[]): void {
    this.params = entries;
    this.inner.bindParams(entries.map((e) => ({ ...e, name: e.name.slice(this.inner.name.length + 1) })));
  }

  override twin(): Residual {
    return new Residual({ name: this.name, trainable: this.trainable, layer: this.inner.twin() });
  }

  override propagatesMask(): boolean {
    return this.inner.propagatesMask();
  }

  plan(planner: Planner, input: Port): Port {
    this.input = input;
    const innerOut = this.inner.plan(planner, input);
    const features = (innerOut.shape.slice(innerOut.sequence ? 1 : 0) as number[]).reduce((a, b) => a * b, 1);
    const n = (innerOut.sequence ? planner.capacity.T : 1) * planner.capacity.B * features;
    this.out = planner.alloc(n);
    // The gradient of y flows unchanged into the inner layer's output gradient buffer (shared).
    const innerGrad = (run: Parameters<Port['grad']>[0]) => innerOut.grad(run);
    this.output = { shape: innerOut.shape, sequence: innerOut.sequence, value: (run) => ({ ptr: this.out, shape: innerOut.value(run).shape }), grad: innerGrad };
    return this.output;
  }

  forward(ctx: RunContext): void {
    this.inner.forward(ctx);
    const y = (this.inner as unknown as { output: Port }).output.value(ctx), x = this.input.value(ctx);
    const n = y.shape.reduce((a, b) => a * b, 1);
    ctx.kernels.copy(this.out, y.ptr, n);
    ctx.kernels.axpy(this.out, 1, x.ptr, n);
  }

  backward(ctx: RunContext): void {
    const dy = this.output.grad(ctx);
    // dy sits in the inner output's gradient buffer: read it for the skip path before the inner backward
    // (which may reuse that buffer, e.g. recurrent dh totals), then add it to dx afterwards.
    const dx = this.input.grad(ctx);
    if (!dy) return;
    const n = dy.shape.reduce((a, b) => a * b, 1);
    const k = ctx.kernels;
    const mark = k.arena.mark();
    const saved = dx ? k.arena.alloc(n) : 0;
    if (dx) k.copy(saved, dy.ptr, n);
    this.inner.backward(ctx);
    if (dx) k.axpy(dx.ptr, 1, saved, n);
    k.arena.release(mark);
  }

  getConfig(): Record<string, unknown> {
    return { name: this.name, trainable: this.trainable, layer: { className: this.inner.className, config: this.inner.getConfig() } };
  }
}
