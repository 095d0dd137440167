// GRU: Keras keras.layers.GRU (https://keras.io/api/layers/recurrent_layers/gru/), blocks [z | r | h];
// W (D, 3H), U (H, 3H); resetAfter (Keras 3 default) bias (2, 3H) = [input bias; recurrent bias], else (3H).

import type { InitializerSpec } from '../initializers.js';
import type { RunContext } from './layer.js';
import { Recurrent, type CellShape, type GateActivation, type RecurrentOptions } from './recurrent.js';

/** Options of GRU: the recurrent options plus recurrentActivation and resetAfter. */
export interface GruOptions extends RecurrentOptions {
  recurrentActivation?: GateActivation;
  resetAfter?: boolean;
}

/** Keras GRU (reset_after true or false) on the fused kernels. */
export class GRU extends Recurrent {
  readonly className = 'GRU';
  readonly recurrentActivation: GateActivation;
  readonly resetAfter: boolean;

  constructor(options: GruOptions) {
    super(options, 'gru');
    this.recurrentActivation = options.recurrentActivation ?? 'sigmoid';
    this.resetAfter = options.resetAfter ?? true;
  }

  cellShape(): CellShape {
    const H = this.units;
    return { gateWidth: 3 * H, saved: 4 * H, dgates: 4 * H, scratch: 4 * H, biasShape: this.resetAfter ? [2, 3 * H] : [3 * H], hasCell: false };
  }

  protected biasInit(): InitializerSpec {
    return this.biasInitializer;
  }

  private opts(ctx: RunContext, a: { lengths: Int32Array | null; stepMask: Uint8Array | null; reverse: boolean; leftPadded: boolean }) {
    return {
      T: ctx.T, B: ctx.B, D: this.input.shape[1] as number, H: this.units, lengths: a.lengths, stepMask: a.stepMask, reverse: a.reverse, leftPadded: a.leftPadded,
      activation: this.activation, recurrentActivation: this.recurrentActivation, resetAfter: this.resetAfter,
    };
  }

  protected runForward(ctx: RunContext, a: Parameters<Recurrent['runForward']>[1]): void {
    ctx.kernels.gruForward({ ...this.opts(ctx, a), recurrentMask: a.recurrentMask ?? null, x: a.x, W: a.W, U: a.U, b: a.b, h: a.h, gates: a.gates! });
  }

  protected runBackward(ctx: RunContext, a: Parameters<Recurrent['runBackward']>[1]): void {
    ctx.kernels.gruBackward({
      ...this.opts(ctx, a), recurrentMask: a.recurrentMask ?? null, dx: a.dx, accumulateDx: a.accumulateDx, dW: a.dW, dU: a.dU, db: a.db, dgates: a.dgates,
      hnorm2: a.hnorm2, dh: a.dh, x: a.x, W: a.W, U: a.U, gates: a.gates!, h: a.h,
    });
  }

  protected runInfer(ctx: RunContext, a: Parameters<Recurrent['runInfer']>[1]): void {
    ctx.kernels.gruInfer({ ...this.opts(ctx, a), y: a.y, h: a.h, scratch: a.scratch, packed: a.packed, x: a.x, W: a.W, U: a.U, b: a.b });
  }

  getConfig(): Record<string, unknown> {
    return { ...this.baseConfig(), recurrentActivation: this.recurrentActivation, resetAfter: this.resetAfter };
  }
}
