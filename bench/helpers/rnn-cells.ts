// Buffer planning for the recurrent benchmark: one cell (LSTM, GRU, SimpleRNN) at one shape on one backend,
// every buffer allocated once outside the timed closures. Legend: T steps, B batch, D input width, H units,
// G gate width (4H LSTM, 3H GRU, H SimpleRNN), S saved gate width.
import type { Kernels, Ptr } from '../../bindings/index.js';
import { uniform } from '../../test/helpers/random.js';

export type CellName = 'lstm' | 'gru' | 'simple_rnn';

export interface Shape {
  label: string;
  T: number;
  B: number;
  D: number;
  H: number;
}

/** Napkin flops of one forward: (8 | 6 | 2) · T·B·H·(D+H); backward ≈ 2× forward. */
export const FLOP_FACTOR: Record<CellName, number> = { lstm: 8, gru: 6, simple_rnn: 2 };
export const forwardFlops = (cell: CellName, s: Shape): number => FLOP_FACTOR[cell] * s.T * s.B * s.H * (s.D + s.H);

interface Layout {
  G: number;
  S: number;
  bias: number[];
  hasC: boolean;
}

const layout = (cell: CellName, H: number): Layout =>
  cell === 'lstm' ? { G: 4 * H, S: 4 * H, bias: [4 * H], hasC: true }
    : cell === 'gru' ? { G: 3 * H, S: 4 * H, bias: [2, 3 * H], hasC: false }
      : { G: H, S: 0, bias: [H], hasC: false };

export interface PlannedCell {
  forward(): void;
  /** Restores the upstream gradients (backward overwrites dh and dc), then runs backward. */
  backward(): void;
  /** The values validated against the reference: outputs, final state and every gradient. */
  read(): Record<string, Float32Array>;
  release(): void;
}

/** Keras masking options passed to every call (bench/rnn-masks.ts). */
export interface Masking {
  lengths?: number[] | null;
  leftPadded?: boolean;
  stepMask?: Uint8Array | null;
}

/** Allocates and fills every buffer of `cell` at `s` in k's arena (same seeded data on every backend). */
export function planCell(k: Kernels, cell: CellName, s: Shape, masking: Masking = {}): PlannedCell {
  const { T, B, D, H } = s;
  const { G, S, bias, hasC } = layout(cell, H);
  const a = k.arena;
  const mark = a.mark();
  const size = (shape: number[]) => shape.reduce((m, n) => m * n, 1);
  const put = (values: Float32Array, shape: number[]) => ({ ptr: a.putF32(values), shape });
  const zeros = (shape: number[]) => ({ ptr: a.allocZeroed(size(shape)), shape });
  const wScale = 1 / Math.sqrt(D), uScale = 1 / Math.sqrt(H);
  const x = put(uniform(T * B * D, 1), [T, B, D]);
  const W = put(uniform(D * G, 2, -wScale, wScale), [D, G]);
  const U = put(uniform(H * G, 3, -uScale, uScale), [H, G]);
  const b = put(uniform(size(bias), 4, -0.1, 0.1), bias);
  const slots = [T + 1, B, H];
  const initial = new Float32Array((T + 1) * B * H);
  initial.set(uniform(B * H, 5, -0.5, 0.5));
  const h = put(initial, slots);
  const c = hasC ? put(initial, slots) : null;
  const gates = S > 0 ? zeros([T, B, S]) : null;
  const upstream = put(uniform((T + 1) * B * H, 6), slots);
  const upstreamC = put(uniform(B * H, 7), [B, H]);
  const dh = zeros(slots), dc = zeros([B, H]);
  const grads = {
    dx: zeros([T, B, D]), dW: zeros([D, G]), dU: zeros([H, G]), db: zeros(bias), dgates: zeros([T, B, S > 0 ? S : H]),
    hnorm2: { ptr: a.allocZeroed(2 * T), shape: [T] }, // (T) f64
  };
  const cnorm2 = { ptr: a.allocZeroed(2 * T), shape: [T] }, dc0 = zeros([B, H]);
  const dims = { T, B, D, H, ...masking };

  const forward = (): void => {
    if (cell === 'lstm') k.lstmForward({ ...dims, h, c: c!, gates: gates!, x, W, U, b });
    else if (cell === 'gru') k.gruForward({ ...dims, h, gates: gates!, x, W, U, b });
    else k.simpleRnnForward({ ...dims, h, x, W, U, b });
  };
  const backward = (): void => {
    k.copy(dh.ptr, upstream.ptr, size(slots));
    if (cell === 'lstm') {
      k.copy(dc.ptr, upstreamC.ptr, B * H);
      k.lstmBackward({ ...dims, ...grads, dc0, cnorm2, dh, dc, x, W, U, gates: gates!, c: c!, h });
    } else if (cell === 'gru') {
      k.gruBackward({ ...dims, ...grads, dh, x, W, U, gates: gates!, h });
    } else {
      k.simpleRnnBackward({ ...dims, ...grads, dh, x, W, U, h });
    }
  };
  const read = (): Record<string, Float32Array> => {
    const r = (t: { ptr: Ptr; shape: number[] }) => a.readF32(t.ptr, size(t.shape));
    const f64 = (t: { ptr: Ptr; shape: number[] }) => Float32Array.from(new Float64Array(a.memory.buffer, t.ptr, size(t.shape)));
    const out: Record<string, Float32Array> = { h: r(h), dh: r(dh), dx: r(grads.dx), dW: r(grads.dW), dU: r(grads.dU), db: r(grads.db), hnorm2: f64(grads.hnorm2) };
    if (c) Object.assign(out, { c: r(c), dc0: r(dc0), cnorm2: f64(cnorm2) });
    return out;
  };
  return { forward, backward, read, release: () => a.release(mark) };
}
