// Conv1D: y = act(conv(x, kernel) + bias) over time. Keras: keras.layers.Conv1D
// (https://keras.io/api/layers/convolution_layers/convolution1d/). Legend: T input steps, To output steps,
// B batch, C input channels, F filters, K kernel width. x (T, B, C) time-major, kernel (K, C, F), bias (F),
// y (To, B, F); the activation is fused in the kernel (like Dense).
//
// Layers that change the time length (Conv1D, MaxPooling1D, AveragePooling1D) state their output length
// (outputSteps), which travels with their output tensor; they drop the mask, as Keras 3 does for layers
// without mask support.

import type { TensorRef } from '../../bindings/index.js';
import { conv1dGeometry, type ConvPadding } from '../../bindings/families/conv1d.js';
import { ConfigError, ShapeError } from '../errors.js';
import { getInitializer, serializeInitializer, type InitializerSpec } from '../initializers.js';
import type { Regularizer } from '../model/param-table.js';
import {
  Layer, formatKerasShape, regularizerConfig, type LayerOptions, type ParamDeclaration, type Planner, type Port, type RunContext, type Shape, checkShapeArgument,
} from './layer.js';

/** Activations Conv1D fuses into its kernel. */
export type Conv1DActivation = 'linear' | 'relu' | 'tanh' | 'sigmoid' | 'hard_sigmoid' | 'hard_sigmoid_tfjs';
const ACTIVATIONS: readonly Conv1DActivation[] = ['linear', 'relu', 'tanh', 'sigmoid', 'hard_sigmoid', 'hard_sigmoid_tfjs'];
const PADDINGS: readonly ConvPadding[] = ['valid', 'same', 'causal'];

/** Options of Conv1D (Keras names). */
export interface Conv1DOptions extends LayerOptions {
  /** F: output channels. */
  filters: number;
  /** K: kernel width (a number or a 1-tuple, as in Keras). */
  kernelSize: number | [number];
  strides?: number | [number];
  padding?: ConvPadding;
  dilationRate?: number | [number];
  activation?: Conv1DActivation | null;
  useBias?: boolean;
  kernelInitializer?: InitializerSpec;
  biasInitializer?: InitializerSpec;
  kernelRegularizer?: Regularizer | null;
  biasRegularizer?: Regularizer | null;
}

/** Keras Conv1D over time: (None, T, C) → (None, To, filters). */
export class Conv1D extends Layer {
  readonly className = 'Conv1D';
  readonly filters: number;
  readonly kernelSize: number;
  readonly strides: number;
  readonly padding: ConvPadding;
  readonly dilationRate: number;
  readonly activation: Conv1DActivation;
  readonly useBias: boolean;
  private readonly kernelInitializer: InitializerSpec;
  private readonly biasInitializer: InitializerSpec;
  private readonly kernelRegularizer: Regularizer | null;
  private readonly biasRegularizer: Regularizer | null;
  private C = 0;

  constructor(options: Conv1DOptions) {
    super(options, 'conv1d');
    const int = (key: string, v: unknown, fallback?: number): number => {
      const n = Array.isArray(v) && v.length === 1 ? v[0] : v ?? fallback;
      if (!Number.isInteger(n) || (n as number) < 1) throw new ConfigError(`Conv1D "${this.name}": ${key} must be a positive integer, got ${JSON.stringify(v)}`);
      return n as number;
    };
    this.filters = int('filters', options.filters);
    this.kernelSize = int('kernelSize', options.kernelSize);
    this.strides = int('strides', options.strides, 1);
    this.dilationRate = int('dilationRate', options.dilationRate, 1);
    // Keras: "`strides > 1` not supported in conjunction with `dilation_rate > 1`".
    if (this.strides > 1 && this.dilationRate > 1) {
      throw new ConfigError(`Conv1D "${this.name}": strides > 1 is not supported together with dilationRate > 1 (Keras), got strides ${this.strides} and dilationRate ${this.dilationRate}`);
    }
    const padding = options.padding ?? 'valid';
    if (!PADDINGS.includes(padding)) throw new ConfigError(`Conv1D "${this.name}": padding must be one of ${PADDINGS.join(', ')}, got ${JSON.stringify(padding)}`);
    this.padding = padding;
    const activation = options.activation ?? 'linear';
    if (!ACTIVATIONS.includes(activation)) throw new ConfigError(`Conv1D "${this.name}": activation must be one of ${ACTIVATIONS.join(', ')}, got ${JSON.stringify(activation)}`);
    this.activation = activation;
    this.useBias = options.useBias ?? true;
    this.kernelInitializer = options.kernelInitializer ?? 'glorotUniform';
    this.biasInitializer = options.biasInitializer ?? 'zeros';
    this.kernelRegularizer = options.kernelRegularizer ?? null;
    this.biasRegularizer = options.biasRegularizer ?? null;
  }

  /** Output steps for T input steps (Keras formulas); throws a ShapeError when T is too short. */
  outputLength(T: number, input: Shape): number {
    const { To } = conv1dGeometry(T, this.kernelSize, this.strides, this.dilationRate, this.padding);
    if (To < 1) {
      const dK = (this.kernelSize - 1) * this.dilationRate + 1;
      throw new ShapeError(
        `Conv1D "${this.name}": input ${formatKerasShape([T, ...input.slice(1)])} has ${T} steps, fewer than the ` +
        `${this.dilationRate > 1 ? `dilated kernel width (K − 1)·dilationRate + 1 = ${dK}` : `kernel width ${dK}`} of kernel ` +
        `(${this.kernelSize}, ${input[1]}, ${this.filters}) with 'valid' padding`,
      );
    }
    return To;
  }

  computeOutputShape(input: Shape): Shape {
    checkShapeArgument(this, input);
    if (input.length !== 2 || input[1] === null) throw this.shapeError('a sequence input', '(None, T, C) with a known C', input);
    const T = input[0];
    return [T === null ? null : this.outputLength(T, input), this.filters];
  }

  declareParams(input: Shape): ParamDeclaration[] {
    const C = input[1] as number;
    const params: ParamDeclaration[] = [
      { name: 'kernel', shape: [this.kernelSize, C, this.filters], trainable: this.trainable, regularizer: this.kernelRegularizer, initializer: this.kernelInitializer },
    ];
    if (this.useBias) params.push({ name: 'bias', shape: [this.filters], trainable: this.trainable, regularizer: this.biasRegularizer, initializer: this.biasInitializer });
    return params;
  }

  plan(planner: Planner, input: Port): Port {
    if (!input.sequence || input.ids) throw this.shapeError('a sequence input', '(None, T, C) of floats', input.shape);
    const shape = this.computeOutputShape(input.shape);
    this.input = input;
    this.C = input.shape[1] as number;
    const rows = this.outputLength(planner.capacity.T, input.shape) * planner.capacity.B;
    const y = planner.alloc(rows * this.filters);
    const dy = planner.training ? planner.alloc(rows * this.filters) : 0;
    this.output = this.densePort(shape, true, y, dy);
    return this.output;
  }

  private config() {
    return { strides: this.strides, dilationRate: this.dilationRate, padding: this.padding, activation: this.activation };
  }

  override outputSteps(T: number): number {
    return this.outputLength(T, this.input?.shape ?? [T, null]);
  }

  forward(ctx: RunContext): void {
    const x = this.input.value(ctx);
    ctx.kernels.conv1dForward({
      y: this.output.value({ B: ctx.B, T: this.outputSteps(ctx.T) }), x, kernel: this.weight(ctx, 'kernel'), bias: this.useBias ? this.weight(ctx, 'bias') : null, ...this.config(),
    });
  }

  backward(ctx: RunContext): void {
    const out = { B: ctx.B, T: this.outputSteps(ctx.T) };
    const dy = this.output.grad(out), y = this.output.value(out);
    if (!dy) return;
    const dx: TensorRef | null = this.input.grad(ctx);
    if (!this.trainable && !dx) return;
    // dz defaults to dy itself (overwritten with dy ⊙ act'(y)): nothing reads this layer's dy afterwards.
    ctx.kernels.conv1dBackward({
      dx, dKernel: this.weightGrad(ctx, 'kernel'), dBias: this.useBias ? this.weightGrad(ctx, 'bias') : null,
      dy, x: this.input.value(ctx), kernel: this.weight(ctx, 'kernel'), y, ...this.config(),
    });
  }

  propagatesMask(): boolean {
    return false;
  }

  getConfig(): Record<string, unknown> {
    return {
      name: this.name, trainable: this.trainable, filters: this.filters, kernelSize: this.kernelSize, strides: this.strides,
      padding: this.padding, dilationRate: this.dilationRate, activation: this.activation, useBias: this.useBias,
      kernelInitializer: serializeInitializer(getInitializer(this.kernelInitializer)),
      biasInitializer: serializeInitializer(getInitializer(this.biasInitializer)),
      kernelRegularizer: regularizerConfig(this.kernelRegularizer), biasRegularizer: regularizerConfig(this.biasRegularizer),
    };
  }
}
