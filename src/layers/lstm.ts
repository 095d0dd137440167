// LSTM: Keras keras.layers.LSTM (https://keras.io/api/layers/recurrent_layers/lstm/), gate order
// [i | f | c | o]; W (D, 4H), U (H, 4H), b (4H); unitForgetBias puts 1 in the f block of the bias.

import type { Initializer, InitializerSpec } from '../initializers.js';
import { getInitializer } from '../initializers.js';
import type { Random } from '../random.js';
import type { Kernels } from '../../bindings/index.js';
import type { RunContext } from './layer.js';
import { Recurrent, type CellShape, type GateActivation, type RecurrentOptions } from './recurrent.js';

/** Options of LSTM: the recurrent options plus recurrentActivation and unitForgetBias. */
export interface LstmOptions extends RecurrentOptions {
  recurrentActivation?: GateActivation;
  unitForgetBias?: boolean;
}

/** The bias initializer with Keras' unit_forget_bias: base initializer, then ones in [H, 2H). */
class UnitForgetBias implements Initializer {
  readonly className = 'UnitForgetBias';
  constructor(private readonly base: InitializerSpec, private readonly H: number) {}
  fill(out: Float32Array, shape: readonly number[], random: Random, kernels: Kernels): void {
    getInitializer(this.base).fill(out, shape, random, kernels);
    out.fill(1, this.H, 2 * this.H);
  }
  getConfig() { return {}; }
}

/** Keras LSTM on the fused kernels. */
export class LSTM extends Recurrent {
  readonly className = 'LSTM';
  readonly recurrentActivation: GateActivation;
  readonly unitForgetBias: boolean;

  constructor(options: LstmOptions) {
    super(options, 'lstm');
    this.recurrentActivation = options.recurrentActivation ?? 'sigmoid';
    this.unitForgetBias = options.unitForgetBias ?? true;
  }

  cellShape(): CellShape {
    const H = this.units;
    return { gateWidth: 4 * H, saved: 4 * H, dgates: 4 * H, scratch: 4 * H, biasShape: [4 * H], hasCell: true };
  }

  protected biasInit(): InitializerSpec {
    return this.unitForgetBias ? new UnitForgetBias(this.biasInitializer, this.units) : this.biasInitializer;
  }

  private opts(ctx: RunContext, a: { lengths: Int32Array | null; stepMask: Uint8Array | null; reverse: boolean; leftPadded: boolean }) {
    return {
      T: ctx.T, B: ctx.B, D: this.input.shape[1] as number, H: this.units, lengths: a.lengths, stepMask: a.stepMask, reverse: a.reverse, leftPadded: a.leftPadded,
      activation: this.activation, recurrentActivation: this.recurrentActivation,
    };
  }

  protected runForward(ctx: RunContext, a: Parameters<Recurrent['runForward']>[1]): void {
    ctx.kernels.lstmForward({ ...this.opts(ctx, a), recurrentMask: a.recurrentMask ?? null, x: a.x, W: a.W, U: a.U, b: a.b, h: a.h, c: a.c!, gates: a.gates! });
  }

  protected runBackward(ctx: RunContext, a: Parameters<Recurrent['runBackward']>[1]): void {
    ctx.kernels.lstmBackward({
      ...this.opts(ctx, a), recurrentMask: a.recurrentMask ?? null, dx: a.dx, accumulateDx: a.accumulateDx, dW: a.dW, dU: a.dU, db: a.db, dc0: a.dc0!, dgates: a.dgates,
      hnorm2: a.hnorm2, cnorm2: a.cnorm2, dh: a.dh, dc: a.dc!, x: a.x, W: a.W, U: a.U, gates: a.gates!, c: a.c!, h: a.h,
    });
  }

  protected runInfer(ctx: RunContext, a: Parameters<Recurrent['runInfer']>[1]): void {
    ctx.kernels.lstmInfer({ ...this.opts(ctx, a), y: a.y, h: a.h, c: a.c!, scratch: a.scratch, packed: a.packed, x: a.x, W: a.W, U: a.U, b: a.b });
  }

  getConfig(): Record<string, unknown> {
    return { ...this.baseConfig(), recurrentActivation: this.recurrentActivation, unitForgetBias: this.unitForgetBias };
  }
}

