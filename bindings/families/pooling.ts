// 1-D pooling, time-major: raw ABI, checked entry points, reference raw.
// Legend: T input steps, B batch, C channels, P pool size, S stride, To output steps.
// x and dx (T, B, C); y, dy and argmax (To, B, C) (argmax i32: the input step of the first maximum);
// global pooling: y, dy, argmax (B, C). Keras config keys: poolSize, strides (default poolSize), padding.

import type { Arena, Ptr } from '../arena.js';
import type { ArgumentCheck, Checker, TensorRef } from '../checker.js';
import { KernelArgumentError } from '../errors.js';
import * as ref from '../reference/pooling.js';
import { pool1dGeometry, type PoolPadding } from '../reference/pooling.js';

export { pool1dGeometry, type PoolPadding };

export interface PoolingRaw {
  max_pool1d_forward(y: Ptr, argmax: Ptr, x: Ptr, T: number, B: number, C: number, To: number, P: number, S: number, padL: number): void;
  max_pool1d_backward(dx: Ptr, dy: Ptr, argmax: Ptr, T: number, B: number, C: number, To: number, accumulate: number): void;
  avg_pool1d_forward(y: Ptr, x: Ptr, T: number, B: number, C: number, To: number, P: number, S: number, padL: number): void;
  avg_pool1d_backward(dx: Ptr, dy: Ptr, T: number, B: number, C: number, To: number, P: number, S: number, padL: number, accumulate: number): void;
  global_max_pool1d_forward(y: Ptr, argmax: Ptr, x: Ptr, T: number, B: number, C: number): void;
  global_max_pool1d_backward(dx: Ptr, dy: Ptr, argmax: Ptr, T: number, B: number, C: number, accumulate: number): void;
  global_avg_pool1d_forward(y: Ptr, x: Ptr, T: number, B: number, C: number): void;
  global_avg_pool1d_backward(dx: Ptr, dy: Ptr, T: number, B: number, C: number, accumulate: number): void;
}

export interface PoolConfig {
  poolSize: number;
  /** Default: poolSize (Keras). */
  strides?: number;
  /** Default 'valid'. */
  padding?: PoolPadding;
}

export interface PoolingKernels {
  /** y = max over each window; argmax = the input step of the first maximum (saved for backward). */
  maxPooling1dForward(args: PoolConfig & { y: TensorRef; argmax: TensorRef; x: TensorRef }): void;
  /** dx[argmax] += dy (dx zeroed first unless accumulate). */
  maxPooling1dBackward(args: { dx: TensorRef; dy: TensorRef; argmax: TensorRef; accumulate?: boolean }): void;
  /** y = mean over each window's real (non-padded) steps. */
  averagePooling1dForward(args: PoolConfig & { y: TensorRef; x: TensorRef }): void;
  averagePooling1dBackward(args: PoolConfig & { dx: TensorRef; dy: TensorRef; accumulate?: boolean }): void;
  globalMaxPooling1dForward(args: { y: TensorRef; argmax: TensorRef; x: TensorRef }): void;
  globalMaxPooling1dBackward(args: { dx: TensorRef; dy: TensorRef; argmax: TensorRef; accumulate?: boolean }): void;
  globalAveragePooling1dForward(args: { y: TensorRef; x: TensorRef }): void;
  globalAveragePooling1dBackward(args: { dx: TensorRef; dy: TensorRef; accumulate?: boolean }): void;
}

function tbc(c: ArgumentCheck, name: string, t: TensorRef): [number, number, number] {
  if (typeof t !== 'object' || t === null || !Array.isArray(t.shape) || t.shape.length !== 3) c.fail(name, t?.ptr, 'must be a tensor reference with shape (T, B, C) (time-major)');
  return [c.dim(`${name}.shape[0]`, t.shape[0]), c.dim(`${name}.shape[1]`, t.shape[1]), c.dim(`${name}.shape[2]`, t.shape[2])];
}

function config(c: ArgumentCheck, a: PoolConfig, T: number): { P: number; S: number; To: number; padL: number } {
  const P = c.dim('poolSize', a.poolSize);
  const S = c.dim('strides', a.strides ?? P);
  const padding = a.padding ?? 'valid';
  if (padding !== 'valid' && padding !== 'same') c.fail('padding', padding, "must be 'valid' or 'same'");
  const { To, padL } = pool1dGeometry(T, P, S, padding);
  if (To < 1) c.fail('poolSize', P, `is larger than T = ${T} ('valid' padding)`);
  return { P, S, To, padL };
}

/** argmax entries must be steps in [0, T): backward scatters at dx + argmax·B·C. */
function checkArgmax(c: ArgumentCheck, arena: Arena, argmax: Ptr, n: number, B: number, C: number, T: number, global: boolean): void {
  const v = arena.i32(argmax, n);
  for (let i = 0; i < n; i++) {
    if (v[i] < 0 || v[i] >= T) {
      const t = Math.floor(i / (B * C)), b = Math.floor(i / C) % B, ch = i % C;
      const name = global ? `argmax[${b}][${ch}]` : `argmax[${t}][${b}][${ch}]`;
      throw new KernelArgumentError(c.kernel, name, v[i], `must be an input step in [0, T = ${T}) (saved by the forward pass)`);
    }
  }
}

function bc(c: ArgumentCheck, name: string, t: TensorRef): [number, number] {
  if (typeof t !== 'object' || t === null || !Array.isArray(t.shape) || t.shape.length !== 2) c.fail(name, t?.ptr, 'must be a tensor reference with shape (B, C)');
  return [c.dim(`${name}.shape[0]`, t.shape[0]), c.dim(`${name}.shape[1]`, t.shape[1])];
}

export function poolingKernels(raw: PoolingRaw, checker: Checker): PoolingKernels {
  const arena = checker.arena;
  return {
    maxPooling1dForward(a) {
      const c = checker.begin('max_pool1d_forward');
      const [T, B, C] = tbc(c, 'x', a.x);
      const { P, S, To, padL } = config(c, a, T);
      const nX = c.tensor('x', a.x, [T, B, C], '(T, B, C)');
      const nY = c.tensor('y', a.y, [To, B, C], '(To, B, C)');
      c.tensor('argmax', a.argmax, [To, B, C], '(To, B, C)');
      c.disjoint('y', a.y.ptr, nY, 'x', a.x.ptr, nX);
      c.disjoint('argmax', a.argmax.ptr, nY, 'x', a.x.ptr, nX);
      c.disjoint('argmax', a.argmax.ptr, nY, 'y', a.y.ptr, nY);
      raw.max_pool1d_forward(a.y.ptr, a.argmax.ptr, a.x.ptr, T, B, C, To, P, S, padL);
    },
    maxPooling1dBackward(a) {
      const c = checker.begin('max_pool1d_backward');
      const [T, B, C] = tbc(c, 'dx', a.dx);
      const [To] = tbc(c, 'dy', a.dy);
      const acc = c.flag('accumulate', a.accumulate ?? false);
      const nX = c.tensor('dx', a.dx, [T, B, C], '(T, B, C)');
      const nY = c.tensor('dy', a.dy, [To, B, C], '(To, B, C)');
      c.tensor('argmax', a.argmax, [To, B, C], '(To, B, C)');
      c.disjoint('dx', a.dx.ptr, nX, 'dy', a.dy.ptr, nY);
      c.disjoint('dx', a.dx.ptr, nX, 'argmax', a.argmax.ptr, nY);
      checkArgmax(c, arena, a.argmax.ptr, nY, B, C, T, false);
      raw.max_pool1d_backward(a.dx.ptr, a.dy.ptr, a.argmax.ptr, T, B, C, To, acc);
    },
    averagePooling1dForward(a) {
      const c = checker.begin('avg_pool1d_forward');
      const [T, B, C] = tbc(c, 'x', a.x);
      const { P, S, To, padL } = config(c, a, T);
      const nX = c.tensor('x', a.x, [T, B, C], '(T, B, C)');
      const nY = c.tensor('y', a.y, [To, B, C], '(To, B, C)');
      c.disjoint('y', a.y.ptr, nY, 'x', a.x.ptr, nX);
      raw.avg_pool1d_forward(a.y.ptr, a.x.ptr, T, B, C, To, P, S, padL);
    },
    averagePooling1dBackward(a) {
      const c = checker.begin('avg_pool1d_backward');
      const [T, B, C] = tbc(c, 'dx', a.dx);
      const { P, S, To, padL } = config(c, a, T);
      const acc = c.flag('accumulate', a.accumulate ?? false);
      const nX = c.tensor('dx', a.dx, [T, B, C], '(T, B, C)');
      const nY = c.tensor('dy', a.dy, [To, B, C], '(To, B, C)');
      c.disjoint('dx', a.dx.ptr, nX, 'dy', a.dy.ptr, nY);
      raw.avg_pool1d_backward(a.dx.ptr, a.dy.ptr, T, B, C, To, P, S, padL, acc);
    },
    globalMaxPooling1dForward(a) {
      const c = checker.begin('global_max_pool1d_forward');
      const [T, B, C] = tbc(c, 'x', a.x);
      const nX = c.tensor('x', a.x, [T, B, C], '(T, B, C)');
      c.tensor('y', a.y, [B, C], '(B, C)');
      c.tensor('argmax', a.argmax, [B, C], '(B, C)');
      c.disjoint('y', a.y.ptr, B * C, 'x', a.x.ptr, nX);
      c.disjoint('argmax', a.argmax.ptr, B * C, 'x', a.x.ptr, nX);
      c.disjoint('argmax', a.argmax.ptr, B * C, 'y', a.y.ptr, B * C);
      raw.global_max_pool1d_forward(a.y.ptr, a.argmax.ptr, a.x.ptr, T, B, C);
    },
    globalMaxPooling1dBackward(a) {
      const c = checker.begin('global_max_pool1d_backward');
      const [T, B, C] = tbc(c, 'dx', a.dx);
      bc(c, 'dy', a.dy);
      const acc = c.flag('accumulate', a.accumulate ?? false);
      const nX = c.tensor('dx', a.dx, [T, B, C], '(T, B, C)');
      c.tensor('dy', a.dy, [B, C], '(B, C)');
      c.tensor('argmax', a.argmax, [B, C], '(B, C)');
      c.disjoint('dx', a.dx.ptr, nX, 'dy', a.dy.ptr, B * C);
      c.disjoint('dx', a.dx.ptr, nX, 'argmax', a.argmax.ptr, B * C);
      checkArgmax(c, arena, a.argmax.ptr, B * C, B, C, T, true);
      raw.global_max_pool1d_backward(a.dx.ptr, a.dy.ptr, a.argmax.ptr, T, B, C, acc);
    },
    globalAveragePooling1dForward(a) {
      const c = checker.begin('global_avg_pool1d_forward');
      const [T, B, C] = tbc(c, 'x', a.x);
      const nX = c.tensor('x', a.x, [T, B, C], '(T, B, C)');
      c.tensor('y', a.y, [B, C], '(B, C)');
      c.disjoint('y', a.y.ptr, B * C, 'x', a.x.ptr, nX);
      raw.global_avg_pool1d_forward(a.y.ptr, a.x.ptr, T, B, C);
    },
    globalAveragePooling1dBackward(a) {
      const c = checker.begin('global_avg_pool1d_backward');
      const [T, B, C] = tbc(c, 'dx', a.dx);
      const acc = c.flag('accumulate', a.accumulate ?? false);
      const nX = c.tensor('dx', a.dx, [T, B, C], '(T, B, C)');
      c.tensor('dy', a.dy, [B, C], '(B, C)');
      c.disjoint('dx', a.dx.ptr, nX, 'dy', a.dy.ptr, B * C);
      raw.global_avg_pool1d_backward(a.dx.ptr, a.dy.ptr, T, B, C, acc);
    },
  };
}

export function poolingReference(arena: Arena): PoolingRaw {
  const f = (p: Ptr, n: number) => arena.f32(p, n);
  const i = (p: Ptr, n: number) => arena.i32(p, n);
  return {
    max_pool1d_forward: (y, am, x, T, B, C, To, P, S, padL) => ref.maxPool1dForward(f(y, To * B * C), i(am, To * B * C), f(x, T * B * C), T, B, C, To, P, S, padL),
    max_pool1d_backward: (dx, dy, am, T, B, C, To, acc) => ref.maxPool1dBackward(f(dx, T * B * C), f(dy, To * B * C), i(am, To * B * C), T, B, C, To, acc !== 0),
    avg_pool1d_forward: (y, x, T, B, C, To, P, S, padL) => ref.avgPool1dForward(f(y, To * B * C), f(x, T * B * C), T, B, C, To, P, S, padL),
    avg_pool1d_backward: (dx, dy, T, B, C, To, P, S, padL, acc) => ref.avgPool1dBackward(f(dx, T * B * C), f(dy, To * B * C), T, B, C, To, P, S, padL, acc !== 0),
    global_max_pool1d_forward: (y, am, x, T, B, C) => ref.globalMaxPool1dForward(f(y, B * C), i(am, B * C), f(x, T * B * C), T, B, C),
    global_max_pool1d_backward: (dx, dy, am, T, B, C, acc) => ref.globalMaxPool1dBackward(f(dx, T * B * C), f(dy, B * C), i(am, B * C), T, B, C, acc !== 0),
    global_avg_pool1d_forward: (y, x, T, B, C) => ref.globalAvgPool1dForward(f(y, B * C), f(x, T * B * C), T, B, C),
    global_avg_pool1d_backward: (dx, dy, T, B, C, acc) => ref.globalAvgPool1dBackward(f(dx, T * B * C), f(dy, B * C), T, B, C, acc !== 0),
  };
}
