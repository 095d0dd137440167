// Dropout: inverted dropout in training (kept values scaled by 1/(1 − rate)), identity otherwise.
// Keras: keras.layers.Dropout. Masks come from the model's seeded generator (deterministic).

import { ConfigError } from '../errors.js';
import { Layer, type LayerOptions, type Planner, type Port, type RunContext, type Shape, checkShapeArgument } from './layer.js';

/** Options of Dropout: the rate in [0, 1). */
export interface DropoutOptions extends LayerOptions {
  rate: number;
}

/** Keras Dropout: inverted dropout in training, identity otherwise. */
export class Dropout extends Layer {
  readonly className = 'Dropout';
  readonly rate: number;
  private mask = 0;
  private features = 0;

  constructor(options: DropoutOptions) {
    super(options, 'dropout');
    if (!(options.rate >= 0 && options.rate < 1)) throw new ConfigError(`Dropout "${this.name}": rate must be in [0, 1), got ${options.rate}`);
    this.rate = options.rate;
  }

  computeOutputShape(input: Shape): Shape {
    checkShapeArgument(this, input);
    return input;
  }

  plan(planner: Planner, input: Port): Port {
    this.input = input;
    if (!planner.training || this.rate === 0) {
      this.output = input; // identity: no buffers
      return input;
    }
    this.features = (input.shape.slice(input.sequence ? 1 : 0) as number[]).reduce((a, b) => a * b, 1);
    const cap = (input.sequence ? planner.capacity.T : 1) * planner.capacity.B * this.features;
    this.mask = planner.alloc(cap);
    this.output = this.densePort(input.shape, input.sequence, planner.alloc(cap), planner.alloc(cap));
    return this.output;
  }

  forward(ctx: RunContext): void {
    if (this.output === this.input) return;
    const x = this.input.value(ctx), y = this.output.value(ctx);
    const mask = { ptr: this.mask, shape: x.shape };
    if (ctx.training) {
      ctx.kernels.dropoutMask({ mask, rate: this.rate, random: ctx.random, state: ctx.randomState });
    } else {
      ctx.kernels.fill(this.mask, 1, x.shape.reduce((a, b) => a * b, 1));
    }
    ctx.kernels.dropoutForward({ y, x, mask });
  }

  backward(ctx: RunContext): void {
    if (this.output === this.input) return;
    const dx = this.input.grad(ctx), dy = this.output.grad(ctx);
    if (!dx || !dy) return;
    ctx.kernels.dropoutBackward({ dx, dy, mask: { ptr: this.mask, shape: dy.shape } });
  }

  getConfig(): Record<string, unknown> {
    return { name: this.name, trainable: this.trainable, rate: this.rate };
  }
}
