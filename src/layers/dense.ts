// Dense: y = act(x·kernel + bias) over every leading position (time-distributed on sequences: T·B rows in
// one GEMM). Keras: keras.layers.Dense (https://keras.io/api/layers/core_layers/dense/).
// As the model's output layer with a sigmoid/softmax activation and a cross-entropy loss, the model sets
// `emitLogits`: the layer then outputs logits and the fused loss applies the activation (stable, exact
// gradient); predictions apply it afterwards. Anywhere else a softmax runs row-wise after the linear
// kernel: y = exp(z − max z) / Σ exp(z − max z); backward dz = y ⊙ (dy − Σ_j dy_j y_j).
// Porting note: the kernels have no softmax yet, so this one runs in JS (Math.exp: bit-identical runs on
// one engine, not across engines as the fused paths are; see docs/decisions.md).

import { ConfigError } from '../errors.js';
import { getInitializer, serializeInitializer, type InitializerSpec } from '../initializers.js';
import type { Regularizer } from '../model/param-table.js';
import { Layer, regularizerConfig, type LayerOptions, type ParamDeclaration, type Planner, type Port, type RunContext, type Shape, checkShapeArgument } from './layer.js';

/** Activations of Dense (softmax included); hard_sigmoid is Keras 3's relu6(x + 3) / 6, hard_sigmoid_tfjs TF.js / Keras 2's clip(0.2x + 0.5, 0, 1). */
export type DenseActivation = 'linear' | 'relu' | 'tanh' | 'sigmoid' | 'hard_sigmoid' | 'hard_sigmoid_tfjs' | 'softmax';
const ACTIVATIONS: readonly DenseActivation[] = ['linear', 'relu', 'tanh', 'sigmoid', 'hard_sigmoid', 'hard_sigmoid_tfjs', 'softmax'];

/** Options of Dense (Keras names). */
export interface DenseOptions extends LayerOptions {
  units: number;
  activation?: DenseActivation | null;
  useBias?: boolean;
  kernelInitializer?: InitializerSpec;
  biasInitializer?: InitializerSpec;
  kernelRegularizer?: Regularizer | null;
  biasRegularizer?: Regularizer | null;
}

/** Keras Dense: y = act(x·kernel + bias) at every leading position. */
export class Dense extends Layer {
  readonly className = 'Dense';
  readonly units: number;
  readonly activation: DenseActivation;
  readonly useBias: boolean;
  /** Set (through fuseOutputActivation) by the model for a fused sigmoid/softmax + cross-entropy output. */
  emitLogits = false;
  private readonly kernelInitializer: InitializerSpec;
  private readonly biasInitializer: InitializerSpec;
  private readonly kernelRegularizer: Regularizer | null;
  private readonly biasRegularizer: Regularizer | null;
  private inFeatures = 0;

  constructor(options: DenseOptions) {
    super(options, 'dense');
    if (!Number.isInteger(options.units) || options.units < 1) throw new ConfigError(`Dense "${this.name}": units must be a positive integer, got ${options.units}`);
    const activation = options.activation ?? 'linear';
    if (!ACTIVATIONS.includes(activation)) throw new ConfigError(`Dense "${this.name}": activation must be one of ${ACTIVATIONS.join(', ')}, got ${JSON.stringify(activation)}`);
    this.units = options.units;
    this.activation = activation;
    this.useBias = options.useBias ?? true;
    this.kernelInitializer = options.kernelInitializer ?? 'glorotUniform';
    this.biasInitializer = options.biasInitializer ?? 'zeros';
    this.kernelRegularizer = options.kernelRegularizer ?? null;
    this.biasRegularizer = options.biasRegularizer ?? null;
  }

  computeOutputShape(input: Shape): Shape {
    checkShapeArgument(this, input);
    const D = input[input.length - 1];
    if (input.length < 1 || D === null) throw this.shapeError('input', '(None, ..., D) with a known D', input);
    return [...input.slice(0, -1), this.units];
  }

  declareParams(input: Shape): ParamDeclaration[] {
    const D = input[input.length - 1] as number;
    const params: ParamDeclaration[] = [
      { name: 'kernel', shape: [D, this.units], trainable: this.trainable, regularizer: this.kernelRegularizer, initializer: this.kernelInitializer },
    ];
    if (this.useBias) params.push({ name: 'bias', shape: [this.units], trainable: this.trainable, regularizer: this.biasRegularizer, initializer: this.biasInitializer });
    return params;
  }

  override fuseOutputActivation(activation: 'sigmoid' | 'softmax'): boolean {
    this.emitLogits = this.activation === activation;
    return this.emitLogits;
  }

  override unfuseOutputActivation(): void {
    this.emitLogits = false;
  }

  override get logitsActivation(): 'sigmoid' | 'softmax' | null {
    return this.emitLogits ? (this.activation as 'sigmoid' | 'softmax') : null;
  }

  override get outputActivation(): string | null {
    return this.activation;
  }

  /** The activation the kernel applies (linear when the fused loss or the row-wise softmax applies it). */
  private kernelActivation(): Exclude<DenseActivation, 'softmax'> {
    return this.emitLogits || this.activation === 'softmax' ? 'linear' : this.activation;
  }

  /** Whether this layer applies a softmax itself (not fused with a loss). */
  private get ownSoftmax(): boolean {
    return this.activation === 'softmax' && !this.emitLogits;
  }

  plan(planner: Planner, input: Port): Port {
    this.input = input;
    this.kernelActivation();
    this.inFeatures = input.shape[input.shape.length - 1] as number;
    const rows = (input.sequence ? planner.capacity.T : 1) * planner.capacity.B;
    const y = planner.alloc(rows * this.units);
    const dy = planner.training ? planner.alloc(rows * this.units) : 0;
    this.output = this.densePort(this.computeOutputShape(input.shape), input.sequence, y, dy);
    return this.output;
  }

  forward(ctx: RunContext): void {
    const y = this.output.value(ctx);
    ctx.kernels.denseForward({
      y, x: this.input.value(ctx), kernel: this.weight(ctx, 'kernel'),
      bias: this.useBias ? this.weight(ctx, 'bias') : null, activation: this.kernelActivation(),
    });
    if (this.ownSoftmax) {
      const U = this.units, rows = y.shape.slice(0, -1).reduce((a, b) => a * b, 1), Y = ctx.kernels.arena.f32(y.ptr, rows * U);
      for (let r = 0; r < rows; r++) {
        const o = r * U;
        let max = -Infinity, sum = 0;
        for (let j = 0; j < U; j++) max = Math.max(max, Y[o + j]);
        for (let j = 0; j < U; j++) { Y[o + j] = Math.exp(Y[o + j] - max); sum += Y[o + j]; }
        for (let j = 0; j < U; j++) Y[o + j] /= sum;
      }
    }
  }

  backward(ctx: RunContext): void {
    const dy = this.output.grad(ctx);
    if (!dy) return;
    const dx = this.input.grad(ctx);
    if (!this.trainable && !dx) return;
    if (this.ownSoftmax) {
      // dy := y ⊙ (dy − Σ_j dy_j y_j) in place (nothing reads this layer's output gradient afterwards).
      const U = this.units, rows = dy.shape.slice(0, -1).reduce((a, b) => a * b, 1), a = ctx.kernels.arena;
      const D = a.f32(dy.ptr, rows * U), Y = a.f32(this.output.value(ctx).ptr, rows * U);
      for (let r = 0; r < rows; r++) {
        const o = r * U;
        let dot = 0;
        for (let j = 0; j < U; j++) dot += D[o + j] * Y[o + j];
        for (let j = 0; j < U; j++) D[o + j] = Y[o + j] * (D[o + j] - dot);
      }
    }
    ctx.kernels.denseBackward({
      dx, dKernel: this.weightGrad(ctx, 'kernel'), dBias: this.useBias ? this.weightGrad(ctx, 'bias') : null,
      dy, x: this.input.value(ctx), kernel: this.weight(ctx, 'kernel'), y: this.output.value(ctx), activation: this.kernelActivation(),
    });
  }

  getConfig(): Record<string, unknown> {
    return {
      name: this.name, trainable: this.trainable, units: this.units, activation: this.activation, useBias: this.useBias,
      kernelInitializer: serializeInitializer(getInitializer(this.kernelInitializer)),
      biasInitializer: serializeInitializer(getInitializer(this.biasInitializer)),
      kernelRegularizer: regularizerConfig(this.kernelRegularizer), biasRegularizer: regularizerConfig(this.biasRegularizer),
    };
  }
}
