// Conv1D, time-major: raw ABI, checked entry points, reference raw.
// Legend: T input steps, B batch, C channels, F filters, K kernel width, To output steps.
// x (T, B, C) time-major (the model's inside layout; Keras' (B, T, C) is converted once by the first
// layer), kernel (K, C, F) and bias (F) in Keras layout, y (To, B, F). Keras config keys: strides,
// padding ('valid' | 'same' | 'causal'), dilationRate; To and the left padding follow Keras/TensorFlow.

import type { Arena, Ptr } from '../arena.js';
import type { ArgumentCheck, Checker, TensorRef } from '../checker.js';
import type { ActivationName } from '../reference/activations.js';
import { conv1dBackward, conv1dForward, conv1dGeometry, type ConvPadding } from '../reference/conv1d.js';
import { activationKind } from './activations.js';

export { conv1dGeometry, type ConvPadding };

export interface Conv1dRaw {
  conv1d_forward(
    y: Ptr, x: Ptr, W: Ptr, b: Ptr,
    T: number, B: number, C: number, F: number, K: number, To: number, s: number, d: number, padL: number, act: number,
  ): void;
  conv1d_backward(
    dx: Ptr, dW: Ptr, db: Ptr, dz: Ptr, dy: Ptr, x: Ptr, W: Ptr, y: Ptr,
    T: number, B: number, C: number, F: number, K: number, To: number, s: number, d: number, padL: number, act: number, accumulateDx: number,
  ): void;
}

export interface Conv1dConfig {
  strides?: number;
  dilationRate?: number;
  padding?: ConvPadding;
  activation?: ActivationName;
}

export interface Conv1dForwardArgs extends Conv1dConfig {
  /** (To, B, F) */
  y: TensorRef;
  /** (T, B, C) */
  x: TensorRef;
  /** (K, C, F) */
  kernel: TensorRef;
  /** (F), or null/omitted for use_bias = false. */
  bias?: TensorRef | null;
}

export interface Conv1dBackwardArgs extends Conv1dConfig {
  /** (T, B, C): written, or added with accumulateDx; null/omitted when not needed. */
  dx?: TensorRef | null;
  /** (K, C, F), accumulated into. */
  dKernel: TensorRef;
  /** (F), accumulated into. */
  dBias?: TensorRef | null;
  /** (To, B, F) scratch for dy ⊙ act'(y); default dy itself (overwritten). Unused for linear. */
  dz?: TensorRef;
  dy: TensorRef;
  x: TensorRef;
  kernel: TensorRef;
  /** (To, B, F) saved forward output. */
  y: TensorRef;
  accumulateDx?: boolean;
}

export interface Conv1dKernels {
  /** y = act(conv(x, kernel) + bias). */
  conv1dForward(args: Conv1dForwardArgs): void;
  conv1dBackward(args: Conv1dBackwardArgs): void;
}

interface Geo { T: number; B: number; C: number; F: number; K: number; To: number; s: number; d: number; padL: number; act: number; nX: number; nW: number; nY: number }

function geometry(c: ArgumentCheck, a: Conv1dForwardArgs | Conv1dBackwardArgs): Geo {
  if (typeof a !== 'object' || a === null) c.fail('args', a, 'must be an object');
  const k = a.kernel, x = a.x;
  if (typeof k !== 'object' || k === null || !Array.isArray(k.shape) || k.shape.length !== 3) c.fail('kernel', k?.ptr, 'must be a tensor reference with shape (K, C, F)');
  if (typeof x !== 'object' || x === null || !Array.isArray(x.shape) || x.shape.length !== 3) c.fail('x', x?.ptr, 'must be a tensor reference with shape (T, B, C) (time-major)');
  const K = c.dim('kernel.shape[0]', k.shape[0]), C = c.dim('kernel.shape[1]', k.shape[1]), F = c.dim('kernel.shape[2]', k.shape[2]);
  const T = c.dim('x.shape[0]', x.shape[0]), B = c.dim('x.shape[1]', x.shape[1]);
  const s = c.dim('strides', a.strides ?? 1);
  const d = c.dim('dilationRate', a.dilationRate ?? 1);
  const padding = a.padding ?? 'valid';
  if (padding !== 'valid' && padding !== 'same' && padding !== 'causal') c.fail('padding', padding, "must be 'valid', 'same' or 'causal'");
  const act = activationKind(c, 'activation', a.activation ?? 'linear');
  const { To, padL } = conv1dGeometry(T, K, s, d, padding);
  if (To < 1) c.fail('x', x.ptr, `has T = ${T} steps, fewer than the dilated kernel width (K − 1)·dilationRate + 1 = ${(K - 1) * d + 1} ('valid' padding)`);
  const nX = c.tensor('x', x, [T, B, C], '(T, B, C)');
  const nW = c.tensor('kernel', k, [K, C, F], '(K, C, F)');
  const nY = c.tensor('y', a.y, [To, B, F], '(To, B, F)');
  return { T, B, C, F, K, To, s, d, padL, act, nX, nW, nY };
}

export function conv1dKernels(raw: Conv1dRaw, checker: Checker): Conv1dKernels {
  return {
    conv1dForward(a) {
      const c = checker.begin('conv1d_forward');
      const g = geometry(c, a);
      let b = 0;
      if (a.bias) {
        c.tensor('bias', a.bias, [g.F], '(F)');
        c.disjoint('y', a.y.ptr, g.nY, 'bias', a.bias.ptr, g.F);
        b = a.bias.ptr;
      }
      c.disjoint('y', a.y.ptr, g.nY, 'x', a.x.ptr, g.nX);
      c.disjoint('y', a.y.ptr, g.nY, 'kernel', a.kernel.ptr, g.nW);
      raw.conv1d_forward(a.y.ptr, a.x.ptr, a.kernel.ptr, b, g.T, g.B, g.C, g.F, g.K, g.To, g.s, g.d, g.padL, g.act);
    },
    conv1dBackward(a) {
      const c = checker.begin('conv1d_backward');
      const g = geometry(c, a);
      c.tensor('dy', a.dy, [g.To, g.B, g.F], '(To, B, F)');
      const dz = a.dz ?? a.dy;
      c.tensor('dz', dz, [g.To, g.B, g.F], '(To, B, F)');
      c.tensor('dKernel', a.dKernel, [g.K, g.C, g.F], '(K, C, F)');
      const acc = c.flag('accumulateDx', a.accumulateDx ?? false);
      const outs: Array<[string, Ptr, number]> = [['dKernel', a.dKernel.ptr, g.nW]];
      if (a.dBias) { c.tensor('dBias', a.dBias, [g.F], '(F)'); outs.push(['dBias', a.dBias.ptr, g.F]); }
      if (a.dx) { c.tensor('dx', a.dx, [g.T, g.B, g.C], '(T, B, C)'); outs.push(['dx', a.dx.ptr, g.nX]); }
      if (g.act !== 0) outs.push(['dz', dz.ptr, g.nY]);
      const ins: Array<[string, Ptr, number]> = [['x', a.x.ptr, g.nX], ['kernel', a.kernel.ptr, g.nW], ['y', a.y.ptr, g.nY], ['dy', a.dy.ptr, g.nY]];
      for (const [on, op, oe] of outs) for (const [inn, ip, ie] of ins) c.disjoint(on, op, oe, inn, ip, ie, on === 'dz' && inn === 'dy');
      for (let i = 0; i < outs.length; i++) for (let j = i + 1; j < outs.length; j++) c.disjoint(outs[j][0], outs[j][1], outs[j][2], outs[i][0], outs[i][1], outs[i][2]);
      raw.conv1d_backward(a.dx ? a.dx.ptr : 0, a.dKernel.ptr, a.dBias ? a.dBias.ptr : 0, dz.ptr, a.dy.ptr, a.x.ptr, a.kernel.ptr, a.y.ptr,
        g.T, g.B, g.C, g.F, g.K, g.To, g.s, g.d, g.padL, g.act, acc);
    },
  };
}

export function conv1dReference(arena: Arena): Conv1dRaw {
  const f = (p: Ptr, n: number) => arena.f32(p, n);
  return {
    conv1d_forward: (y, x, W, b, T, B, C, F, K, To, s, d, padL, act) =>
      conv1dForward(f(y, To * B * F), f(x, T * B * C), f(W, K * C * F), b ? f(b, F) : null, T, B, C, F, K, To, s, d, padL, act),
    conv1d_backward: (dx, dW, db, dz, dy, x, W, y, T, B, C, F, K, To, s, d, padL, act, acc) =>
      conv1dBackward(dx ? f(dx, T * B * C) : null, f(dW, K * C * F), db ? f(db, F) : null, f(dz, To * B * F), f(dy, To * B * F),
        f(x, T * B * C), f(W, K * C * F), f(y, To * B * F), T, B, C, F, K, To, s, d, padL, act, acc !== 0),
  };
}
