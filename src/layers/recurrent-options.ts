// Options and internal shapes of the recurrent layers (LSTM, GRU, SimpleRNN), shared by recurrent.ts and
// the cells. Legend: T steps, B batch, D input width, H units.

import type { TensorRef } from '../../bindings/index.js';
import type { InitializerSpec } from '../initializers.js';
import type { Regularizer } from '../model/param-table.js';
import type { LayerOptions } from './layer.js';

/** Activations of a recurrent cell. */
export type CellActivation = 'tanh' | 'relu' | 'sigmoid' | 'linear';
/**
 * Activations of the recurrent gates: sigmoid; hard_sigmoid (Keras 3: relu6(x + 3) / 6); hard_sigmoid_tfjs
 * (TF.js and Keras 2: clip(0.2x + 0.5, 0, 1)).
 */
export type GateActivation = 'sigmoid' | 'hard_sigmoid' | 'hard_sigmoid_tfjs';

/** Options shared by LSTM, GRU and SimpleRNN (Keras names). */
export interface RecurrentOptions extends LayerOptions {
  units: number;
  activation?: CellActivation;
  returnSequences?: boolean;
  /** Also return the final state(s): outputs [y, h] (GRU, SimpleRNN) or [y, h, c] (LSTM), Keras return_state. */
  returnState?: boolean;
  goBackwards?: boolean;
  /** Keep the final state between batches (truncated BPTT); needs a fixed batch size. */
  stateful?: boolean;
  /** Input dropout rate: one (B, D) mask per sequence, Keras' variational dropout on x. */
  dropout?: number;
  /**
   * Recurrent dropout rate (Keras recurrent_dropout): one mask per sequence on h before the recurrent
   * GEMM, one per gate for LSTM/GRU (Keras ≥ 3.8), (B, H) for SimpleRNN; the carried state is not masked.
   */
  recurrentDropout?: number;
  kernelInitializer?: InitializerSpec;
  recurrentInitializer?: InitializerSpec;
  biasInitializer?: InitializerSpec;
  kernelRegularizer?: Regularizer | null;
  recurrentRegularizer?: Regularizer | null;
  biasRegularizer?: Regularizer | null;
}

/** What a cell needs from the shared layer: gate widths and the three kernel calls. */
export interface CellShape {
  /** G: columns of W and U (4H, 3H, H). */
  gateWidth: number;
  /** S: saved gate width in forward (0: none), S': width of dgates in backward, Si: infer scratch width. */
  saved: number;
  dgates: number;
  scratch: number;
  biasShape: number[];
  hasCell: boolean;
}

/** The buffers of one fused recurrent kernel call. */
export interface StepBuffers {
  x: TensorRef;
  h: TensorRef;
  c: TensorRef | null;
  gates: TensorRef | null;
  W: TensorRef;
  U: TensorRef;
  b: TensorRef;
  lengths: Int32Array | null;
  /** (T, B) 0/1 time-major step mask, for masks lengths cannot describe (then lengths is null). */
  stepMask: Uint8Array | null;
  reverse: boolean;
  leftPadded: boolean;
  /** Recurrent dropout mask (K, B, H) or (B, H), training only. */
  recurrentMask?: TensorRef | null;
}
