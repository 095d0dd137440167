// Masking: marks time steps whose features all equal maskValue as padding (Keras keras.layers.Masking,
// https://keras.io/api/layers/core_layers/masking/). The output is the input with masked steps zeroed
// (Keras multiplies by the mask), and the mask travels on to the layers above (recurrent layers skip the
// masked steps: state carried, Keras semantics).
//
//   valid[t, b] = any_f x[t, b, f] != maskValue        y = x ⊙ valid        dx = dy ⊙ valid

import type { Ptr } from '../../bindings/index.js';
import { ConfigError } from '../errors.js';
import { maskFromSteps } from './mask.js';
import { Layer, type LayerOptions, type Mask, type Planner, type Port, type RunContext, type Shape, checkShapeArgument } from './layer.js';

/** Options of Masking: the value that marks a padding step (default 0). */
export interface MaskingOptions extends LayerOptions {
  maskValue?: number;
}

/** Keras Masking over float sequences (T, B, F). */
export class Masking extends Layer {
  readonly className = 'Masking';
  readonly maskValue: number;
  /** (T, B) 0/1 of the last forward, time-major. */
  private valid = new Uint8Array(0);
  private mask: Mask | null = null;

  constructor(options: MaskingOptions = {}) {
    super(options, 'masking');
    this.maskValue = options.maskValue ?? 0;
    if (typeof this.maskValue !== 'number' || Number.isNaN(this.maskValue)) throw new ConfigError(`Masking "${this.name}": maskValue must be a number, got ${JSON.stringify(options.maskValue)}`);
  }

  computeOutputShape(input: Shape): Shape {
    checkShapeArgument(this, input);
    if (input.length !== 2 || input[1] === null) throw this.shapeError('a sequence input', '(None, T, F) of floats', input);
    return input;
  }

  plan(planner: Planner, input: Port): Port {
    if (!input.sequence || input.ids) throw this.shapeError('a sequence input', '(None, T, F) of floats', input.shape);
    this.input = input;
    const n = planner.capacity.T * planner.capacity.B * (input.shape[1] as number);
    this.output = this.densePort(input.shape, true, planner.alloc(n), planner.training ? planner.alloc(n) : 0);
    return this.output;
  }

  private zeroMasked(ctx: RunContext, p: Ptr, F: number): void {
    const { T, B } = ctx;
    for (let t = 0; t < T; t++) for (let b = 0; b < B; b++) if (!this.valid[t * B + b]) ctx.kernels.fill(p + (t * B + b) * F * 4, 0, F);
  }

  forward(ctx: RunContext): void {
    const { T, B } = ctx, F = this.input.shape[1] as number, x = this.input.value(ctx), y = this.output.value(ctx);
    const X = ctx.kernels.arena.f32(x.ptr, T * B * F);
    if (this.valid.length < T * B) this.valid = new Uint8Array(T * B);
    for (let t = 0; t < T; t++) for (let b = 0; b < B; b++) {
      let any = 0;
      for (let f = 0, o = (t * B + b) * F; f < F; f++) if (X[o + f] !== this.maskValue) { any = 1; break; }
      this.valid[t * B + b] = any;
    }
    ctx.kernels.copy(y.ptr, x.ptr, T * B * F);
    this.zeroMasked(ctx, y.ptr, F);
    this.mask = maskFromSteps(this.valid, T, B);
  }

  backward(ctx: RunContext): void {
    const dy = this.output.grad(ctx), dx = this.input.grad(ctx), F = this.input.shape[1] as number;
    if (!dy || !dx) return;
    ctx.kernels.copy(dx.ptr, dy.ptr, ctx.T * ctx.B * F);
    this.zeroMasked(ctx, dx.ptr, F);
  }

  override computeMask(): Mask | null {
    return this.mask;
  }

  getConfig(): Record<string, unknown> {
    return { name: this.name, trainable: this.trainable, maskValue: this.maskValue };
  }
}
