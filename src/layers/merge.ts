// Merge layers: several tensors of one shape into one. Keras: keras.layers.Add, Multiply, Average,
// Concatenate (https://keras.io/api/layers/merging_layers/). Inputs are all sequences (T, B, F) or all
// vectors (B, F), of one time length at run time. Concatenate joins along the last axis (features).
// Masks (Keras Merge.compute_mask): a step is valid when it is valid in every masked input (layers/mask.ts).
//
//   Add       y = Σ x_i                dx_i = dy
//   Average   y = (1/n) Σ x_i          dx_i = dy / n
//   Multiply  y = Π x_i                dx_i = dy ⊙ Π_{j≠i} x_j
//   Concatenate  y[:, off_i : off_i + F_i] = x_i      dx_i = dy[:, off_i : off_i + F_i]

import type { Ptr } from '../../bindings/index.js';
import { ConfigError, GraphError, ShapeError } from '../errors.js';
import { andMasks } from './mask.js';
import { Layer, formatKerasShape, type LayerOptions, type Mask, type Planner, type Port, type RunContext, type RunDims, type Shape, checkShapeArgument } from './layer.js';

const rowsOf = (p: Port, run: RunDims) => (p.sequence ? run.T * run.B : run.B);
const widthOf = (s: Shape) => s[s.length - 1] as number;


abstract class Merge extends Layer {
  protected inputs: Port[] = [];
  private out: Ptr = 0;
  private dout: Ptr = 0;

  /** Output shape for input shapes known to have the same rank; throws naming all shapes. */
  protected abstract merged(inputs: Shape[]): Shape;

  computeOutputShape(input: Shape): Shape {
    checkShapeArgument(this, input);
    throw new GraphError(`${this.className} "${this.name}": needs a list of at least 2 inputs, got one ${formatKerasShape(input)}`);
  }

  override computeOutputShapes(inputs: Shape[], stateCount: number): Shape[] {
    if (stateCount > 0) throw new GraphError(`${this.className} "${this.name}": initialState is only accepted by recurrent layers`);
    if (inputs.length < 2) throw new GraphError(`${this.className} "${this.name}": needs a list of at least 2 inputs, got ${inputs.length}`);
    if (inputs.some((s) => s.length !== inputs[0].length)) throw this.mismatch(inputs);
    return [this.merged(inputs)];
  }

  protected mismatch(inputs: Shape[]): GraphError {
    return new GraphError(`${this.className} "${this.name}": input shapes do not match: ${inputs.map(formatKerasShape).join(', ')}`);
  }

  plan(planner: Planner, input: Port): Port {
    return this.planNode(planner, [input])[0];
  }

  override planNode(planner: Planner, inputs: Port[]): Port[] {
    if (inputs.some((p) => p.ids)) throw new ShapeError(`${this.className} "${this.name}": inputs must be floats, not token ids`);
    if (inputs.some((p) => p.sequence !== inputs[0].sequence)) throw this.mismatch(inputs.map((p) => p.shape));
    this.inputs = inputs;
    this.input = inputs[0];
    const shape = this.merged(inputs.map((p) => p.shape)), seq = inputs[0].sequence;
    const n = (seq ? planner.capacity.T : 1) * planner.capacity.B * widthOf(shape);
    this.out = planner.alloc(n);
    this.dout = planner.training ? planner.alloc(n) : 0;
    this.output = this.densePort(shape, seq, this.out, this.dout);
    return [this.output];
  }

  override computeMask(ctx: RunContext): Mask | null {
    return this.output.sequence ? andMasks(ctx.inputs.map((i) => i.mask), ctx.T, ctx.B) : null;
  }

  protected checkSteps(ctx: RunContext): void {
    if (this.output.sequence && ctx.inputs.some((i) => i.T !== ctx.T)) throw new ShapeError(`${this.className} "${this.name}": inputs have different time lengths (${ctx.inputs.map((i) => i.T).join(', ')})`);
  }

  getConfig(): Record<string, unknown> {
    return { name: this.name, trainable: this.trainable };
  }
}

/** Element-wise merges: all input shapes equal. */
abstract class ElementwiseMerge extends Merge {
  protected merged(inputs: Shape[]): Shape {
    const out = inputs[0].slice();
    for (const s of inputs.slice(1)) {
      s.forEach((d, i) => {
        if (d !== null && out[i] !== null && d !== out[i]) throw this.mismatch(inputs);
        out[i] ??= d;
      });
    }
    if (out[out.length - 1] === null) throw this.mismatch(inputs);
    return out;
  }

  protected abstract combine(ctx: RunContext, y: Ptr, xs: Ptr[], n: number): void;
  protected abstract split(ctx: RunContext, dxs: Array<Ptr | null>, dy: Ptr, xs: Ptr[], n: number): void;

  forward(ctx: RunContext): void {
    this.checkSteps(ctx);
    const y = this.output.value(ctx), n = rowsOf(this.output, ctx) * widthOf(this.output.shape);
    this.combine(ctx, y.ptr, this.inputs.map((p) => p.value(ctx).ptr), n);
  }

  backward(ctx: RunContext): void {
    const dy = this.output.grad(ctx);
    if (!dy) return;
    const n = rowsOf(this.output, ctx) * widthOf(this.output.shape);
    this.split(ctx, this.inputs.map((p) => p.grad(ctx)?.ptr ?? null), dy.ptr, this.inputs.map((p) => p.value(ctx).ptr), n);
  }
}

/** Keras Add: the element-wise sum of its inputs. */
export class Add extends ElementwiseMerge {
  readonly className: string = 'Add';
  constructor(options: LayerOptions = {}) {
    super(options, 'add');
  }
  protected combine(ctx: RunContext, y: Ptr, xs: Ptr[], n: number): void {
    ctx.kernels.copy(y, xs[0], n);
    for (const x of xs.slice(1)) ctx.kernels.axpy(y, 1, x, n);
  }
  protected split(ctx: RunContext, dxs: Array<Ptr | null>, dy: Ptr, _xs: Ptr[], n: number): void {
    for (const dx of dxs) if (dx) ctx.kernels.copy(dx, dy, n);
  }
}

/** Keras Average: the element-wise mean of its inputs. */
export class Average extends ElementwiseMerge {
  readonly className = 'Average';
  constructor(options: LayerOptions = {}) {
    super(options, 'average');
  }
  protected combine(ctx: RunContext, y: Ptr, xs: Ptr[], n: number): void {
    ctx.kernels.copy(y, xs[0], n);
    for (const x of xs.slice(1)) ctx.kernels.axpy(y, 1, x, n);
    ctx.kernels.scale(y, 1 / xs.length, n);
  }
  protected split(ctx: RunContext, dxs: Array<Ptr | null>, dy: Ptr, _xs: Ptr[], n: number): void {
    for (const dx of dxs) {
      if (!dx) continue;
      ctx.kernels.copy(dx, dy, n);
      ctx.kernels.scale(dx, 1 / dxs.length, n);
    }
  }
}

/** Keras Multiply: the element-wise product of its inputs. */
export class Multiply extends ElementwiseMerge {
  readonly className = 'Multiply';
  constructor(options: LayerOptions = {}) {
    super(options, 'multiply');
  }
  protected combine(ctx: RunContext, y: Ptr, xs: Ptr[], n: number): void {
    ctx.kernels.mul(y, xs[0], xs[1], n);
    for (const x of xs.slice(2)) ctx.kernels.mul(y, y, x, n);
  }
  protected split(ctx: RunContext, dxs: Array<Ptr | null>, dy: Ptr, xs: Ptr[], n: number): void {
    dxs.forEach((dx, i) => {
      if (!dx) return;
      const others = xs.filter((_, j) => j !== i);
      ctx.kernels.mul(dx, dy, others[0], n);
      for (const x of others.slice(1)) ctx.kernels.mul(dx, dx, x, n);
    });
  }
}

/** Options of Concatenate: the axis to join along (the last, -1, the only one supported: features). */
export interface ConcatenateOptions extends LayerOptions {
  axis?: number;
}

/** Keras Concatenate along the last axis (features): widths add up. */
export class Concatenate extends Merge {
  readonly className = 'Concatenate';
  readonly axis: number;
  constructor(options: ConcatenateOptions = {}) {
    super(options, 'concatenate');
    this.axis = options.axis ?? -1;
    if (this.axis !== -1) throw new ConfigError(`Concatenate "${this.name}": only axis -1 (the features) is supported, got ${JSON.stringify(options.axis)}`);
  }

  protected merged(inputs: Shape[]): Shape {
    const lead = inputs[0].slice(0, -1);
    for (const s of inputs) {
      if (s[s.length - 1] === null || s.slice(0, -1).some((d, i) => d !== null && lead[i] !== null && d !== lead[i])) throw this.mismatch(inputs);
    }
    return [...lead, inputs.reduce((a, s) => a + widthOf(s), 0)];
  }

  forward(ctx: RunContext): void {
    this.checkSteps(ctx);
    const y = this.output.value(ctx), W = widthOf(this.output.shape), rows = rowsOf(this.output, ctx);
    let off = 0;
    for (const p of this.inputs) {
      const F = widthOf(p.shape);
      ctx.kernels.copyRows(y.ptr + off * 4, W, p.value(ctx).ptr, F, rows, F);
      off += F;
    }
  }

  backward(ctx: RunContext): void {
    const dy = this.output.grad(ctx);
    if (!dy) return;
    const W = widthOf(this.output.shape), rows = rowsOf(this.output, ctx);
    let off = 0;
    for (const p of this.inputs) {
      const F = widthOf(p.shape), dx = p.grad(ctx);
      if (dx) ctx.kernels.copyRows(dx.ptr, F, dy.ptr + off * 4, W, rows, F);
      off += F;
    }
  }

  override getConfig(): Record<string, unknown> {
    return { name: this.name, trainable: this.trainable, axis: this.axis };
  }
}
