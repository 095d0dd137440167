// SimpleRNN: Keras keras.layers.SimpleRNN: h' = act(x·W + h·U + b); W (D, H), U (H, H), b (H).

import type { InitializerSpec } from '../initializers.js';
import type { RunContext } from './layer.js';
import { Recurrent, type CellShape, type RecurrentOptions } from './recurrent.js';

/** Keras SimpleRNN (tanh or relu) on the fused kernels. */
export class SimpleRNN extends Recurrent {
  readonly className = 'SimpleRNN';

  constructor(options: RecurrentOptions) {
    super(options, 'simple_rnn');
  }

  cellShape(): CellShape {
    const H = this.units;
    return { gateWidth: H, saved: 0, dgates: H, scratch: H, biasShape: [H], hasCell: false };
  }

  protected biasInit(): InitializerSpec {
    return this.biasInitializer;
  }

  private opts(ctx: RunContext, a: { lengths: Int32Array | null; stepMask: Uint8Array | null; reverse: boolean; leftPadded: boolean }) {
    return {
      T: ctx.T, B: ctx.B, D: this.input.shape[1] as number, H: this.units, lengths: a.lengths, stepMask: a.stepMask, reverse: a.reverse, leftPadded: a.leftPadded,
      activation: this.activation,
    };
  }

  protected runForward(ctx: RunContext, a: Parameters<Recurrent['runForward']>[1]): void {
    ctx.kernels.simpleRnnForward({ ...this.opts(ctx, a), recurrentMask: a.recurrentMask ?? null, x: a.x, W: a.W, U: a.U, b: a.b, h: a.h });
  }

  protected runBackward(ctx: RunContext, a: Parameters<Recurrent['runBackward']>[1]): void {
    ctx.kernels.simpleRnnBackward({
      ...this.opts(ctx, a), recurrentMask: a.recurrentMask ?? null, dx: a.dx, accumulateDx: a.accumulateDx, dW: a.dW, dU: a.dU, db: a.db, dgates: a.dgates,
      hnorm2: a.hnorm2, dh: a.dh, x: a.x, W: a.W, U: a.U, h: a.h,
    });
  }

  protected runInfer(ctx: RunContext, a: Parameters<Recurrent['runInfer']>[1]): void {
    ctx.kernels.simpleRnnInfer({ ...this.opts(ctx, a), y: a.y, h: a.h, scratch: a.scratch, packed: a.packed, x: a.x, W: a.W, U: a.U, b: a.b });
  }

  getConfig(): Record<string, unknown> {
    return this.baseConfig();
  }
}
