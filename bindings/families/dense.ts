// Dense (time-distributed): raw ABI, checked entry points, reference raw.
// Legend: N rows = product of the leading dims of x (e.g. (T, B) time-major), D input width, U units,
// ldy the row stride of y/dy/dz (`rowStride`, default U; larger when the model pads U, e.g. logits (N, Vp)).
// kernel (D, U), bias (U): Keras layout. y = act(x·kernel + bias).

import type { Arena, Ptr } from '../arena.js';
import { formatShape, type ArgumentCheck, type Checker, type TensorRef } from '../checker.js';
import type { ActivationName } from '../reference/activations.js';
import { denseBackward, denseForward } from '../reference/dense.js';
import { activationKind } from './activations.js';

export interface DenseRaw {
  dense_forward(y: Ptr, x: Ptr, W: Ptr, b: Ptr, N: number, D: number, U: number, ldy: number, act: number): void;
  dense_backward(
    dx: Ptr, dW: Ptr, db: Ptr, dz: Ptr, dy: Ptr, x: Ptr, W: Ptr, y: Ptr,
    N: number, D: number, U: number, ldy: number, act: number, accumulateDx: number,
  ): void;
}

export interface DenseForwardArgs {
  /** (..., ldy) output; lanes [U, ldy) are left untouched. */
  y: TensorRef;
  /** (..., D) input; every leading dim is a row (time-distributed). */
  x: TensorRef;
  /** (D, U) */
  kernel: TensorRef;
  /** (U), or null/omitted for use_bias = false. */
  bias?: TensorRef | null;
  activation?: ActivationName;
  /** Row stride of y (>= U); default U. */
  rowStride?: number;
}

export interface DenseBackwardArgs {
  /** (..., D) input gradient: written, or added with accumulateDx; null/omitted when not needed. */
  dx?: TensorRef | null;
  /** (D, U), accumulated into. */
  dKernel: TensorRef;
  /** (U), accumulated into; null/omitted without bias. */
  dBias?: TensorRef | null;
  /** (..., ldy) scratch for dy ⊙ act'(y); default: dy itself (overwritten in place). Unused for linear. */
  dz?: TensorRef;
  /** (..., ldy) upstream gradient. */
  dy: TensorRef;
  x: TensorRef;
  kernel: TensorRef;
  /** (..., ldy) the saved forward output (act' is taken from it). */
  y: TensorRef;
  activation?: ActivationName;
  rowStride?: number;
  accumulateDx?: boolean;
}

export interface DenseKernels {
  denseForward(args: DenseForwardArgs): void;
  denseBackward(args: DenseBackwardArgs): void;
}

interface Dims { N: number; D: number; U: number; ldy: number; lead: number[]; act: number; nX: number; nW: number; nY: number }

function dims(c: ArgumentCheck, a: DenseForwardArgs | DenseBackwardArgs): Dims {
  if (typeof a !== 'object' || a === null) c.fail('args', a, 'must be an object');
  const k = a.kernel, x = a.x;
  if (typeof k !== 'object' || k === null || !Array.isArray(k.shape) || k.shape.length !== 2) c.fail('kernel', k?.ptr, 'must be a tensor reference with shape (D, U)');
  const D = c.dim('kernel.shape[0]', k.shape[0]);
  const U = c.dim('kernel.shape[1]', k.shape[1]);
  if (typeof x !== 'object' || x === null || !Array.isArray(x.shape) || x.shape.length < 2) {
    c.fail('x', x?.ptr, `must be a tensor reference with shape (N, D) or (T, B, D), got ${x && Array.isArray(x.shape) ? formatShape(x.shape) : String(x?.shape)}`);
  }
  const lead = x.shape.slice(0, -1);
  lead.forEach((d, i) => c.dim(`x.shape[${i}]`, d));
  const N = lead.reduce((p, d) => p * d, 1);
  const ldy = a.rowStride === undefined ? U : c.dim('rowStride', a.rowStride);
  if (ldy < U) c.fail('rowStride', ldy, `must be >= U = ${U}`);
  const act = activationKind(c, 'activation', a.activation ?? 'linear');
  const L = lead.length === 2 ? '(T, B' : '(N';
  const nX = c.tensor('x', x, [...lead, D], `${L}, D)`);
  const nW = c.tensor('kernel', k, [D, U], '(D, U)');
  const nY = c.tensor('y', a.y, [...lead, ldy], ldy === U ? `${L}, U)` : `${L}, rowStride)`);
  return { N, D, U, ldy, lead, act, nX, nW, nY };
}

export function denseKernels(raw: DenseRaw, checker: Checker): DenseKernels {
  return {
    denseForward(a) {
      const c = checker.begin('dense_forward');
      const { N, D, U, ldy, act, nX, nW, nY } = dims(c, a);
      let b = 0;
      if (a.bias) {
        c.tensor('bias', a.bias, [U], '(U)');
        c.disjoint('y', a.y.ptr, nY, 'bias', a.bias.ptr, U);
        b = a.bias.ptr;
      }
      c.disjoint('y', a.y.ptr, nY, 'x', a.x.ptr, nX);
      c.disjoint('y', a.y.ptr, nY, 'kernel', a.kernel.ptr, nW);
      raw.dense_forward(a.y.ptr, a.x.ptr, a.kernel.ptr, b, N, D, U, ldy, act);
    },
    denseBackward(a) {
      const c = checker.begin('dense_backward');
      const { N, D, U, ldy, lead, act, nX, nW, nY } = dims(c, a);
      const L = lead.length === 2 ? '(T, B' : '(N';
      const shapeY = [...lead, ldy];
      c.tensor('dy', a.dy, shapeY, `${L}, ${ldy === U ? 'U' : 'rowStride'})`);
      const dz = a.dz ?? a.dy;
      c.tensor('dz', dz, shapeY, `${L}, ${ldy === U ? 'U' : 'rowStride'})`);
      c.tensor('dKernel', a.dKernel, [D, U], '(D, U)');
      const acc = c.flag('accumulateDx', a.accumulateDx ?? false);
      // Everything written (dKernel, dBias, dz, dx) must be disjoint from everything read and from each other.
      const outs: Array<[string, Ptr, number]> = [['dKernel', a.dKernel.ptr, nW]];
      if (a.dBias) { c.tensor('dBias', a.dBias, [U], '(U)'); outs.push(['dBias', a.dBias.ptr, U]); }
      if (a.dx) { c.tensor('dx', a.dx, [...lead, D], `${L}, D)`); outs.push(['dx', a.dx.ptr, nX]); }
      if (act !== 0) outs.push(['dz', dz.ptr, nY]);
      const ins: Array<[string, Ptr, number]> = [['x', a.x.ptr, nX], ['kernel', a.kernel.ptr, nW], ['y', a.y.ptr, nY], ['dy', a.dy.ptr, nY]];
      for (const [on, op, oe] of outs) for (const [inn, ip, ie] of ins) c.disjoint(on, op, oe, inn, ip, ie, on === 'dz' && inn === 'dy');
      for (let i = 0; i < outs.length; i++) for (let j = i + 1; j < outs.length; j++) c.disjoint(outs[j][0], outs[j][1], outs[j][2], outs[i][0], outs[i][1], outs[i][2]);
      raw.dense_backward(a.dx ? a.dx.ptr : 0, a.dKernel.ptr, a.dBias ? a.dBias.ptr : 0, dz.ptr, a.dy.ptr,
        a.x.ptr, a.kernel.ptr, a.y.ptr, N, D, U, ldy, act, acc);
    },
  };
}

export function denseReference(arena: Arena): DenseRaw {
  const f = (p: Ptr, n: number) => arena.f32(p, n);
  return {
    dense_forward: (y, x, W, b, N, D, U, ldy, act) =>
      denseForward(f(y, N * ldy), f(x, N * D), f(W, D * U), b ? f(b, U) : null, N, D, U, ldy, act),
    dense_backward: (dx, dW, db, dz, dy, x, W, y, N, D, U, ldy, act, acc) =>
      denseBackward(dx ? f(dx, N * D) : null, f(dW, D * U), db ? f(db, U) : null, f(dz, N * ldy), f(dy, N * ldy),
        f(x, N * D), f(W, D * U), f(y, N * ldy), N, D, U, ldy, act, acc !== 0),
  };
}
