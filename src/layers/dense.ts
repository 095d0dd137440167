// Dense: y = act(x·kernel + bias) over every leading position (time-distributed on sequences: T·B rows in
// one GEMM). Keras: keras.layers.Dense (https://keras.io/api/layers/core_layers/dense/).
// As the model's output layer with a sigmoid/softmax activation and a cross-entropy loss, the model sets
// `emitLogits`: the layer then outputs logits and the fused loss applies the activation (stable, exact
// gradient); predictions apply it afterwards.

import { ConfigError } from '../errors.js';
import { getInitializer, serializeInitializer, type InitializerSpec } from '../initializers.js';
import type { Regularizer } from '../model/param-table.js';
import { Layer, regularizerConfig, type LayerOptions, type ParamDeclaration, type Planner, type Port, type RunContext, type Shape } from './layer.js';

export type DenseActivation = 'linear' | 'relu' | 'tanh' | 'sigmoid' | 'hard_sigmoid' | 'softmax';
const ACTIVATIONS: readonly DenseActivation[] = ['linear', 'relu', 'tanh', 'sigmoid', 'hard_sigmoid', 'softmax'];

/** Options of Dense (Keras names and defaults). */
export interface DenseOptions extends LayerOptions {
  units: number;
  activation?: DenseActivation | null;
  useBias?: boolean;
  kernelInitializer?: InitializerSpec;
  biasInitializer?: InitializerSpec;
  kernelRegularizer?: Regularizer | null;
  biasRegularizer?: Regularizer | null;
}

/** Fully connected layer, applied at every time step of a sequence input (Keras Dense). */
export class Dense extends Layer {
  readonly className = 'Dense';
  readonly units: number;
  readonly activation: DenseActivation;
  readonly useBias: boolean;
  /** Set by the model for a fused sigmoid/softmax + cross-entropy output. */
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

  /** The activation the kernel applies (linear when the fused loss applies it). */
  private kernelActivation(): Exclude<DenseActivation, 'softmax'> {
    if (this.emitLogits) return 'linear';
    if (this.activation === 'softmax') {
      throw new ConfigError(`Dense "${this.name}": softmax is supported as the output layer of a model compiled with sparseCategoricalCrossentropy`);
    }
    return this.activation;
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
    ctx.kernels.denseForward({
      y: this.output.value(ctx), x: this.input.value(ctx), kernel: this.weight(ctx, 'kernel'),
      bias: this.useBias ? this.weight(ctx, 'bias') : null, activation: this.kernelActivation(),
    });
  }

  backward(ctx: RunContext): void {
    const dy = this.output.grad(ctx);
    if (!dy) return;
    const dx = this.input.grad(ctx);
    if (!this.trainable && !dx) return;
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
