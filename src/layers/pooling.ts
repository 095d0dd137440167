// 1-D pooling over time. Keras: keras.layers.MaxPooling1D, AveragePooling1D, GlobalMaxPooling1D,
// GlobalAveragePooling1D (https://keras.io/api/layers/pooling_layers/). Legend: T input steps, To output
// steps, B batch, C channels, P pool size, S stride. x (T, B, C) time-major; windowed pooling gives
// y (To, B, C) (a sequence), global pooling y (B, C) (one vector per sample).
//
// Masks (Keras 3): windowed pooling and GlobalMaxPooling1D drop the mask; GlobalAveragePooling1D averages
// only the valid steps of each sample when a mask reaches it (any pattern, layers/mask.ts), and an
// all-padding sample averages to 0 (Keras gives 0/0 = NaN).

import type { Ptr } from '../../bindings/index.js';
import { pool1dGeometry, type PoolPadding } from '../../bindings/families/pooling.js';
import { ConfigError, ShapeError } from '../errors.js';
import { stepValid } from './mask.js';
import { Layer, formatKerasShape, type LayerOptions, type Planner, type Port, type RunContext, type Shape, checkShapeArgument } from './layer.js';

/** Options of the windowed 1-D pooling layers (Keras names). */
export interface Pooling1DOptions extends LayerOptions {
  /** P: window width (default 2). */
  poolSize?: number | [number];
  /** S: default poolSize (Keras strides = None). */
  strides?: number | [number] | null;
  padding?: PoolPadding;
}

const PADDINGS: readonly PoolPadding[] = ['valid', 'same'];

abstract class Pooling1D extends Layer {
  readonly poolSize: number;
  readonly strides: number;
  readonly padding: PoolPadding;
  protected C = 0;

  constructor(options: Pooling1DOptions, base: string, className: string) {
    super(options, base);
    const int = (key: string, v: unknown, fallback: number): number => {
      const n = Array.isArray(v) && v.length === 1 ? v[0] : v ?? fallback;
      if (!Number.isInteger(n) || (n as number) < 1) throw new ConfigError(`${className} "${this.name}": ${key} must be a positive integer, got ${JSON.stringify(v)}`);
      return n as number;
    };
    this.poolSize = int('poolSize', options.poolSize, 2);
    this.strides = int('strides', options.strides, this.poolSize);
    const padding = options.padding ?? 'valid';
    if (!PADDINGS.includes(padding)) throw new ConfigError(`${className} "${this.name}": padding must be one of ${PADDINGS.join(', ')}, got ${JSON.stringify(padding)}`);
    this.padding = padding;
  }

  /** Output steps for T input steps (Keras formulas); throws a ShapeError when T is shorter than the pool. */
  outputLength(T: number, input: Shape): number {
    const { To } = pool1dGeometry(T, this.poolSize, this.strides, this.padding);
    if (To < 1) {
      throw new ShapeError(`${this.className} "${this.name}": input ${formatKerasShape([T, ...input.slice(1)])} has ${T} steps, fewer than poolSize ${this.poolSize} with 'valid' padding`);
    }
    return To;
  }

  computeOutputShape(input: Shape): Shape {
    checkShapeArgument(this, input);
    if (input.length !== 2 || input[1] === null) throw this.shapeError('a sequence input', '(None, T, C) with a known C', input);
    const T = input[0];
    return [T === null ? null : this.outputLength(T, input), input[1]];
  }

  plan(planner: Planner, input: Port): Port {
    if (!input.sequence || input.ids) throw this.shapeError('a sequence input', '(None, T, C) of floats', input.shape);
    const shape = this.computeOutputShape(input.shape);
    this.input = input;
    this.C = input.shape[1] as number;
    const n = this.outputLength(planner.capacity.T, input.shape) * planner.capacity.B * this.C;
    this.planExtra(planner, n);
    this.output = this.densePort(shape, true, planner.alloc(n), planner.training ? planner.alloc(n) : 0);
    return this.output;
  }

  protected planExtra(_planner: Planner, _n: number): void {}

  override outputSteps(T: number): number {
    return this.outputLength(T, this.input?.shape ?? [T, null]);
  }

  /** The output run (B, To) for an input run. */
  protected out(ctx: RunContext): { B: number; T: number } {
    return { B: ctx.B, T: this.outputSteps(ctx.T) };
  }

  propagatesMask(): boolean {
    return false;
  }

  getConfig(): Record<string, unknown> {
    return { name: this.name, trainable: this.trainable, poolSize: this.poolSize, strides: this.strides, padding: this.padding };
  }
}

/** Keras MaxPooling1D over time. */
export class MaxPooling1D extends Pooling1D {
  readonly className = 'MaxPooling1D';
  /** (To, B, C) i32: the input step of each window's first maximum. */
  private argmax: Ptr = 0;

  constructor(options: Pooling1DOptions = {}) {
    super(options, 'max_pooling1d', 'MaxPooling1D');
  }

  protected planExtra(planner: Planner, n: number): void {
    this.argmax = planner.alloc(n);
  }

  forward(ctx: RunContext): void {
    const x = this.input.value(ctx);
    const y = this.output.value(this.out(ctx));
    ctx.kernels.maxPooling1dForward({ y, argmax: { ptr: this.argmax, shape: y.shape }, x, poolSize: this.poolSize, strides: this.strides, padding: this.padding });
  }

  backward(ctx: RunContext): void {
    const dy = this.output.grad(this.out(ctx));
    const dx = this.input.grad(ctx);
    if (!dy || !dx) return;
    ctx.kernels.maxPooling1dBackward({ dx, dy, argmax: { ptr: this.argmax, shape: dy.shape } });
  }
}

/** Keras AveragePooling1D over time. */
export class AveragePooling1D extends Pooling1D {
  readonly className = 'AveragePooling1D';

  constructor(options: Pooling1DOptions = {}) {
    super(options, 'average_pooling1d', 'AveragePooling1D');
  }

  forward(ctx: RunContext): void {
    const x = this.input.value(ctx);
    ctx.kernels.averagePooling1dForward({ y: this.output.value(this.out(ctx)), x, poolSize: this.poolSize, strides: this.strides, padding: this.padding });
  }

  backward(ctx: RunContext): void {
    const dy = this.output.grad(this.out(ctx));
    const dx = this.input.grad(ctx);
    if (!dy || !dx) return;
    ctx.kernels.averagePooling1dBackward({ dx, dy, poolSize: this.poolSize, strides: this.strides, padding: this.padding });
  }
}

abstract class GlobalPooling1D extends Layer {
  protected C = 0;

  computeOutputShape(input: Shape): Shape {
    checkShapeArgument(this, input);
    if (input.length !== 2 || input[1] === null) throw this.shapeError('a sequence input', '(None, T, C) with a known C', input);
    return [input[1]];
  }

  plan(planner: Planner, input: Port): Port {
    if (!input.sequence || input.ids) throw this.shapeError('a sequence input', '(None, T, C) of floats', input.shape);
    const shape = this.computeOutputShape(input.shape);
    this.input = input;
    this.C = input.shape[1] as number;
    const n = planner.capacity.B * this.C;
    this.planExtra(planner, n);
    this.output = this.densePort(shape, false, planner.alloc(n), planner.training ? planner.alloc(n) : 0);
    return this.output;
  }

  protected planExtra(_planner: Planner, _n: number): void {}

  propagatesMask(): boolean {
    return false;
  }

  getConfig(): Record<string, unknown> {
    return { name: this.name, trainable: this.trainable };
  }
}

/** Keras GlobalMaxPooling1D: the maximum over time per channel. */
export class GlobalMaxPooling1D extends GlobalPooling1D {
  readonly className = 'GlobalMaxPooling1D';
  /** (B, C) i32: the input step of each channel's first maximum. */
  private argmax: Ptr = 0;

  constructor(options: LayerOptions = {}) {
    super(options, 'global_max_pooling1d');
  }

  protected planExtra(planner: Planner, n: number): void {
    this.argmax = planner.alloc(n);
  }

  forward(ctx: RunContext): void {
    const y = this.output.value(ctx);
    // Keras 3: no mask support, the mask is dropped (max over all steps).
    ctx.kernels.globalMaxPooling1dForward({ y, argmax: { ptr: this.argmax, shape: y.shape }, x: this.input.value(ctx) });
  }

  backward(ctx: RunContext): void {
    const dy = this.output.grad(ctx), dx = this.input.grad(ctx);
    if (!dy || !dx) return;
    ctx.kernels.globalMaxPooling1dBackward({ dx, dy, argmax: { ptr: this.argmax, shape: dy.shape } });
  }
}

/** Keras GlobalAveragePooling1D: the mean over the valid steps per channel. */
export class GlobalAveragePooling1D extends GlobalPooling1D {
  readonly className = 'GlobalAveragePooling1D';

  constructor(options: LayerOptions = {}) {
    super(options, 'global_average_pooling1d');
  }

  forward(ctx: RunContext): void {
    const y = this.output.value(ctx), x = this.input.value(ctx);
    if (!ctx.mask) {
      ctx.kernels.globalAveragePooling1dForward({ y, x });
      return;
    }
    // Masked mean (Keras: Σ_t mask·x / Σ_t mask): the kernel has no mask, so this loops over arena views.
    const { T, B } = ctx, C = this.C, a = ctx.kernels.arena, m = ctx.mask;
    const X = a.f32(x.ptr, T * B * C), Y = a.f32(y.ptr, B * C);
    Y.fill(0);
    for (let b = 0; b < B; b++) {
      const yb = b * C;
      let n = 0;
      for (let t = 0; t < T; t++) {
        if (!stepValid(m, t, b, T, B)) continue;
        n++;
        const xb = (t * B + b) * C;
        for (let c = 0; c < C; c++) Y[yb + c] += X[xb + c];
      }
      const inv = n > 0 ? 1 / n : 0;
      for (let c = 0; c < C; c++) Y[yb + c] *= inv;
    }
  }

  backward(ctx: RunContext): void {
    const dy = this.output.grad(ctx), dx = this.input.grad(ctx);
    if (!dy || !dx) return;
    if (!ctx.mask) {
      ctx.kernels.globalAveragePooling1dBackward({ dx, dy });
      return;
    }
    // dx[t, b] = dy[b] / n_b on valid steps, 0 on masked ones (n_b: valid steps of sample b).
    const { T, B } = ctx, C = this.C, a = ctx.kernels.arena, m = ctx.mask;
    const DX = a.f32(dx.ptr, T * B * C), DY = a.f32(dy.ptr, B * C);
    DX.fill(0);
    for (let b = 0; b < B; b++) {
      let n = 0;
      for (let t = 0; t < T; t++) if (stepValid(m, t, b, T, B)) n++;
      if (n === 0) continue;
      const inv = 1 / n, yb = b * C;
      for (let t = 0; t < T; t++) {
        if (!stepValid(m, t, b, T, B)) continue;
        const xb = (t * B + b) * C;
        for (let c = 0; c < C; c++) DX[xb + c] = DY[yb + c] * inv;
      }
    }
  }
}
