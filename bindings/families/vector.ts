// Flat vector and row operations: raw ABI and checked entry points. Legend: n elements; M rows, N columns.

import type { Ptr } from '../arena.js';
import type { Checker } from '../checker.js';

export interface VectorRaw {
  fill(x: Ptr, value: number, n: number): void;
  copy(dst: Ptr, src: Ptr, n: number): void;
  scale(x: Ptr, alpha: number, n: number): void;
  axpy(y: Ptr, alpha: number, x: Ptr, n: number): void;
  sum_squares(x: Ptr, n: number): number;
  bias_add_rows(Y: Ptr, b: Ptr, M: number, N: number): void;
  col_sums(out: Ptr, X: Ptr, M: number, N: number, accumulate: number): void;
  copy_rows(dst: Ptr, ldd: number, src: Ptr, lds: number, rows: number, cols: number, accumulate: number): void;
  mul(y: Ptr, a: Ptr, b: Ptr, n: number, accumulate: number): void;
}

export interface VectorKernels {
  /** x[0..n) = value (value may be any f32, including NaN, for tests and masks). */
  fill(x: Ptr, value: number, n: number): void;
  /** dst[0..n) = src[0..n) (memmove semantics). */
  copy(dst: Ptr, src: Ptr, n: number): void;
  /** x[0..n) *= alpha */
  scale(x: Ptr, alpha: number, n: number): void;
  /** y[0..n) += alpha · x[0..n); y may be x itself but must not partly overlap it. */
  axpy(y: Ptr, alpha: number, x: Ptr, n: number): void;
  /** Σ x², accumulated in f64 in a fixed order (deterministic). */
  sumSquares(x: Ptr, n: number): number;
  /** Y (M, N): every row += b (N). */
  biasAddRows(Y: Ptr, b: Ptr, M: number, N: number): void;
  /** out (N) (+)= column sums of X (M, N). */
  colSums(out: Ptr, X: Ptr, M: number, N: number, accumulate?: boolean): void;
  /** dst (rows, ldd)[:, 0:cols] (+)= src (rows, lds)[:, 0:cols]: a column block copy (Bidirectional concat). */
  copyRows(dst: Ptr, ldd: number, src: Ptr, lds: number, rows: number, cols: number, accumulate?: boolean): void;
  /** y (+)= a ⊙ b over n floats; y may be a or b itself (not with accumulate) but not partly overlap them. */
  mul(y: Ptr, a: Ptr, b: Ptr, n: number, accumulate?: boolean): void;
}

export function vectorKernels(raw: VectorRaw, checker: Checker): VectorKernels {
  return {
    fill(x, value, n) {
      const c = checker.begin('fill');
      c.dim('n', n);
      if (typeof value !== 'number') c.fail('value', value, 'must be a number');
      c.buffer('x', x, n);
      raw.fill(x, value, n);
    },
    copy(dst, src, n) {
      const c = checker.begin('copy');
      c.dim('n', n);
      c.buffer('dst', dst, n);
      c.buffer('src', src, n);
      raw.copy(dst, src, n);
    },
    scale(x, alpha, n) {
      const c = checker.begin('scale');
      c.dim('n', n);
      c.finite('alpha', alpha);
      c.buffer('x', x, n);
      raw.scale(x, alpha, n);
    },
    axpy(y, alpha, x, n) {
      const c = checker.begin('axpy');
      c.dim('n', n);
      c.finite('alpha', alpha);
      c.buffer('y', y, n);
      c.buffer('x', x, n);
      c.disjoint('y', y, n, 'x', x, n, true);
      raw.axpy(y, alpha, x, n);
    },
    sumSquares(x, n) {
      const c = checker.begin('sum_squares');
      c.dim('n', n);
      c.buffer('x', x, n);
      return raw.sum_squares(x, n);
    },
    biasAddRows(Y, b, M, N) {
      const c = checker.begin('bias_add_rows');
      c.dim('M', M);
      c.dim('N', N);
      c.buffer('Y', Y, M * N);
      c.buffer('b', b, N);
      c.disjoint('Y', Y, M * N, 'b', b, N);
      raw.bias_add_rows(Y, b, M, N);
    },
    colSums(out, X, M, N, accumulate = false) {
      const c = checker.begin('col_sums');
      c.dim('M', M);
      c.dim('N', N);
      const acc = c.flag('accumulate', accumulate);
      c.buffer('out', out, N);
      c.buffer('X', X, M * N);
      c.disjoint('out', out, N, 'X', X, M * N);
      raw.col_sums(out, X, M, N, acc);
    },
    copyRows(dst, ldd, src, lds, rows, cols, accumulate = false) {
      const c = checker.begin('copy_rows');
      c.dim('rows', rows);
      c.dim('cols', cols);
      c.dim('ldd', ldd);
      c.dim('lds', lds);
      if (cols > ldd) c.fail('cols', cols, `must be <= ldd = ${ldd}`);
      if (cols > lds) c.fail('cols', cols, `must be <= lds = ${lds}`);
      const acc = c.flag('accumulate', accumulate);
      const nd = (rows - 1) * ldd + cols, ns = (rows - 1) * lds + cols;
      c.buffer('dst', dst, nd);
      c.buffer('src', src, ns);
      c.disjoint('dst', dst, nd, 'src', src, ns);
      raw.copy_rows(dst, ldd, src, lds, rows, cols, acc);
    },
    mul(y, a, b, n, accumulate = false) {
      const c = checker.begin('mul');
      c.dim('n', n);
      const acc = c.flag('accumulate', accumulate);
      c.buffer('y', y, n);
      c.buffer('a', a, n);
      c.buffer('b', b, n);
      c.disjoint('y', y, n, 'a', a, n, !acc);
      c.disjoint('y', y, n, 'b', b, n, !acc);
      raw.mul(y, a, b, n, acc);
    },
  };
}
