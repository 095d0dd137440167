// Keras masking of token ids (Embedding maskZero, id 0 = padding) for fused-rnn/infer: per-sample lengths and
// the padding side, the rule of the training library's Embedding.

import { ShapeError } from '../errors.js';

/**
 * Per-sample lengths and padding side of samples [start, start + B) of ids (N, T), id 0 = padding (the
 * rule of the training library's Embedding: padding on one side of each row, the same side in a batch).
 */
export function paddingOf(ids: ArrayLike<number>, start: number, B: number, T: number, layer: string): { lengths: Int32Array; leftPadded: boolean } {
  const lengths = new Int32Array(B);
  let side: 'left' | 'right' | null = null, sideRow = -1;
  for (let b = 0; b < B; b++) {
    const o = (start + b) * T;
    let first = -1, last = -1, count = 0;
    for (let t = 0; t < T; t++) if (ids[o + t] !== 0) { if (first < 0) first = t; last = t; count++; }
    lengths[b] = count;
    if (count === 0 || count === T) continue;
    if (last - first + 1 !== count) throw new ShapeError(`Embedding "${layer}": maskZero needs padding (id 0) on one side of each sequence, but batch row ${b} has id 0 between tokens`);
    const rowSide = first === 0 ? 'right' : last === T - 1 ? 'left' : null;
    if (rowSide === null) throw new ShapeError(`Embedding "${layer}": batch row ${b} is padded on both sides (tokens at time steps ${first}..${last} of ${T})`);
    if (side !== null && side !== rowSide) throw new ShapeError(`Embedding "${layer}": batch row ${sideRow} is ${side}-padded but batch row ${b} is ${rowSide}-padded; use one padding side`);
    side = rowSide;
    sideRow = b;
  }
  return { lengths, leftPadded: side === 'left' };
}
