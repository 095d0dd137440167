// What a stream needs from its model (src/infer/model.ts implements it): kept apart so stream.ts and
// model.ts do not import each other.

import type { InferKernels } from '../../bindings/infer.js';
import type { DataInput, TensorData } from '../model/data.js';
import type { InferLayer, LayerState } from './layers.js';

/** The model side of a ModelStream. */
export interface StreamHost {
  /** The model's name (errors). */
  readonly name: string;
  /** The layers in order. */
  readonly layers: readonly InferLayer[];
  /** The kernels the model runs on. */
  readonly kernels: InferKernels;
  /** Whether the input is token ids. */
  readonly idsInput: boolean;
  /** D: per-step input width (1 for ids). */
  readonly inputWidth: number;
  /** Checks and flattens an input. */
  prepare(x: DataInput, what?: string): TensorData;
  /** Runs T steps of B samples from the given states; time-major output rows. */
  runBlock(x: TensorData, start: number, B: number, t0: number, T: number, states: Array<LayerState | null> | null, perStep: boolean, lengths: Int32Array | null, leftPadded: boolean): Float32Array;
  /** Applies the output softmax (if any) to rows. */
  finishRows(rows: Float32Array): Float32Array;
}
