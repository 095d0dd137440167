// A plain float32 tensor as the importers hand it around: row-major data and its shape.

/** Row-major float32 data with its shape. */
export interface Tensor {
  shape: number[];
  data: Float32Array;
}

/** Number of elements of a shape. */
export function sizeOfShape(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** `(16, 32)`: how messages print shapes. */
export function fmtShape(shape: readonly number[]): string {
  return `(${shape.join(', ')})`;
}

/** Transpose of a 2-D (R, C) tensor → (C, R). */
export function transpose2d(t: Tensor): Tensor {
  const [R, C] = t.shape;
  const out = new Float32Array(R * C);
  for (let r = 0; r < R; r++) for (let c = 0; c < C; c++) out[c * R + r] = t.data[r * C + c];
  return { shape: [C, R], data: out };
}

/**
 * Reorders the gate blocks along the last axis: `order[k]` = the source block that becomes block k.
 * Works on (..., nH) data with block width H.
 */
export function reorderBlocks(t: Tensor, H: number, order: readonly number[]): Tensor {
  const last = t.shape[t.shape.length - 1];
  const rows = t.data.length / last;
  const out = new Float32Array(t.data.length);
  for (let r = 0; r < rows; r++) {
    for (let k = 0; k < order.length; k++) {
      out.set(t.data.subarray(r * last + order[k] * H, r * last + (order[k] + 1) * H), r * last + k * H);
    }
  }
  return { shape: t.shape.slice(), data: out };
}
