// Dropout: raw ABI, checked entry points, reference raw. Inverted dropout (Keras): the mask holds 0 or
// f32(1/(1 − rate)); kept iff the generator's 24-bit uniform is >= rate.
// Legend: n mask elements; R repeats: the mask is either x's whole shape (R = 1, a Dropout layer) or x's
// shape without its first dim (R = T: one mask per sequence, e.g. (B, H) over (T, B, H): Keras' RNN
// `dropout` / `recurrent_dropout`, see docs/training-kernels.md for the recurrent-cell contract).

import type { Arena, Ptr } from '../arena.js';
import { formatShape, type ArgumentCheck, type Checker, type TensorRef } from '../checker.js';
import { dropoutBackward, dropoutForward, dropoutMask } from '../reference/dropout.js';

export interface DropoutRaw {
  dropout_mask(mask: Ptr, state: Ptr, n: number, threshold: number, scale: number): void;
  dropout_forward(y: Ptr, x: Ptr, mask: Ptr, R: number, n: number): void;
  dropout_backward(dx: Ptr, dy: Ptr, mask: Ptr, R: number, n: number, accumulate: number): void;
}

/** The generator's state carrier (src/random.ts `Random`); structural, so bindings/ does not import src/. */
export interface RandomState {
  getState(): Uint32Array;
  setState(state: ArrayLike<number>): void;
}

export interface DropoutMaskArgs {
  /** Any shape; every element gets its own draw, in row-major order. */
  mask: TensorRef;
  /** Drop probability in [0, 1). */
  rate: number;
  /** The seeded generator; advanced by one output per mask element (exactly like Random.nextU32). */
  random: RandomState;
  /** 16 bytes (4 u32) of scratch memory where the kernel reads and writes the generator state. */
  state: Ptr;
}

export interface DropoutKernels {
  /** Fills the mask with 0 or 1/(1 − rate) from `random` (same bits as fillDropoutMask in src/random.ts). */
  dropoutMask(args: DropoutMaskArgs): void;
  /** y = x ⊙ mask; mask has x's shape, or x's shape without the first dim (broadcast over it). y may be x. */
  dropoutForward(args: { y: TensorRef; x: TensorRef; mask: TensorRef }): void;
  /** dx = dy ⊙ mask, or += with accumulate; dx may be dy (then not accumulate). */
  dropoutBackward(args: { dx: TensorRef; dy: TensorRef; mask: TensorRef; accumulate?: boolean }): void;
}

function shapeOf(c: ArgumentCheck, name: string, t: TensorRef): number[] {
  if (typeof t !== 'object' || t === null || !Array.isArray(t.shape) || t.shape.length < 1) c.fail(name, t?.ptr, 'must be a tensor reference { ptr, shape }');
  t.shape.forEach((d, i) => c.dim(`${name}.shape[${i}]`, d));
  return t.shape.slice();
}

/** R and n from x's shape and the mask's shape (equal, or x's without its first dim). */
function broadcast(c: ArgumentCheck, xName: string, x: TensorRef, mask: TensorRef): { R: number; n: number; total: number } {
  const xs = shapeOf(c, xName, x);
  const ms = shapeOf(c, 'mask', mask);
  const same = ms.length === xs.length && ms.every((d, i) => d === xs[i]);
  const perSeq = ms.length === xs.length - 1 && ms.every((d, i) => d === xs[i + 1]);
  if (!same && !perSeq) {
    c.fail('mask', mask.ptr, `has shape ${formatShape(ms)}, expected ${formatShape(xs)} or ${formatShape(xs.slice(1))} (one mask per sequence)`);
  }
  const n = ms.reduce((p, d) => p * d, 1);
  const R = same ? 1 : xs[0];
  c.buffer('mask', mask.ptr, n);
  c.buffer(xName, x.ptr, R * n);
  return { R, n, total: R * n };
}

export function dropoutKernels(raw: DropoutRaw, checker: Checker): DropoutKernels {
  const arena = checker.arena;
  return {
    dropoutMask(a) {
      const c = checker.begin('dropout_mask');
      const ms = shapeOf(c, 'mask', a.mask);
      const n = ms.reduce((p, d) => p * d, 1);
      c.buffer('mask', a.mask.ptr, n);
      if (typeof a.rate !== 'number' || !(a.rate >= 0 && a.rate < 1)) c.fail('rate', a.rate, 'must be a number in [0, 1)');
      if (!a.random || typeof a.random.getState !== 'function' || typeof a.random.setState !== 'function') {
        c.fail('random', a.random, 'must be a Random (src/random.ts) with getState/setState');
      }
      c.buffer('state', a.state, 4);
      c.disjoint('mask', a.mask.ptr, n, 'state', a.state, 4);
      const s = a.random.getState();
      arena.I32.set(Int32Array.from(s, (v) => v | 0), a.state >> 2);
      raw.dropout_mask(a.mask.ptr, a.state, n, Math.ceil(a.rate * 16777216), Math.fround(1 / (1 - a.rate)));
      a.random.setState(Uint32Array.from(arena.i32(a.state, 4)));
    },
    dropoutForward(a) {
      const c = checker.begin('dropout_forward');
      const { R, n, total } = broadcast(c, 'x', a.x, a.mask);
      c.tensor('y', a.y, a.x.shape, formatShape(a.x.shape));
      c.disjoint('y', a.y.ptr, total, 'x', a.x.ptr, total, true);
      c.disjoint('y', a.y.ptr, total, 'mask', a.mask.ptr, n);
      raw.dropout_forward(a.y.ptr, a.x.ptr, a.mask.ptr, R, n);
    },
    dropoutBackward(a) {
      const c = checker.begin('dropout_backward');
      const { R, n, total } = broadcast(c, 'dy', a.dy, a.mask);
      c.tensor('dx', a.dx, a.dy.shape, formatShape(a.dy.shape));
      const acc = c.flag('accumulate', a.accumulate ?? false);
      c.disjoint('dx', a.dx.ptr, total, 'dy', a.dy.ptr, total, !acc);
      c.disjoint('dx', a.dx.ptr, total, 'mask', a.mask.ptr, n);
      raw.dropout_backward(a.dx.ptr, a.dy.ptr, a.mask.ptr, R, n, acc);
    },
  };
}

export function dropoutReference(arena: Arena): DropoutRaw {
  const f = (p: Ptr, n: number) => arena.f32(p, n);
  return {
    dropout_mask: (mask, state, n, threshold, scale) => {
      const s = new Uint32Array(arena.memory.buffer, state, 4);
      dropoutMask(f(mask, n), s, n, threshold, scale);
    },
    dropout_forward: (y, x, mask, R, n) => dropoutForward(f(y, R * n), f(x, R * n), f(mask, n), R, n),
    dropout_backward: (dx, dy, mask, R, n, acc) => dropoutBackward(f(dx, R * n), f(dy, R * n), f(mask, n), R, n, acc !== 0),
  };
}
