// GEMM family: raw ABI (what wasm and the JS reference export) and the checked, typed entry points.
// Legend: M rows of C, N columns of C, K inner dimension; rows [m0, m1) of C are written.

import type { Ptr } from '../arena.js';
import type { Checker } from '../checker.js';

export interface GemmRaw {
  gemm_nn(C: Ptr, A: Ptr, B: Ptr, M: number, N: number, K: number, m0: number, m1: number, accumulate: number): void;
  gemm_tn(C: Ptr, A: Ptr, B: Ptr, M: number, N: number, K: number, m0: number, m1: number, accumulate: number): void;
  gemm_nt(C: Ptr, A: Ptr, B: Ptr, M: number, N: number, K: number, m0: number, m1: number, accumulate: number): void;
}

export interface GemmKernels {
  /** C (M, N) (+)= A (M, K) · B (K, N) over rows [m0, m1) (default all). C must not overlap A or B. */
  gemmNN(C: Ptr, A: Ptr, B: Ptr, M: number, N: number, K: number, accumulate?: boolean, m0?: number, m1?: number): void;
  /** C (M, N) (+)= Aᵀ · B with A (K, M), B (K, N). */
  gemmTN(C: Ptr, A: Ptr, B: Ptr, M: number, N: number, K: number, accumulate?: boolean, m0?: number, m1?: number): void;
  /** C (M, N) (+)= A (M, K) · Bᵀ with B (N, K). */
  gemmNT(C: Ptr, A: Ptr, B: Ptr, M: number, N: number, K: number, accumulate?: boolean, m0?: number, m1?: number): void;
}

type Form = 'nn' | 'tn' | 'nt';

export function gemmKernels(raw: GemmRaw, checker: Checker): GemmKernels {
  const entry = (form: Form) => {
    const name = `gemm_${form}` as const;
    const fn = raw[name].bind(raw);
    return (C: Ptr, A: Ptr, B: Ptr, M: number, N: number, K: number, accumulate = false, m0 = 0, m1 = M): void => {
      const c = checker.begin(name);
      c.dim('M', M);
      c.dim('N', N);
      c.dim('K', K);
      const acc = c.flag('accumulate', accumulate);
      c.rows(m0, m1, M);
      const sizeA = M * K, sizeB = K * N, sizeC = M * N;
      c.buffer('C', C, sizeC);
      c.buffer('A', A, sizeA);
      c.buffer('B', B, sizeB);
      c.disjoint('C', C, sizeC, 'A', A, sizeA);
      c.disjoint('C', C, sizeC, 'B', B, sizeB);
      if (m0 === m1) return;
      fn(C, A, B, M, N, K, m0, m1, acc);
    };
  };
  return { gemmNN: entry('nn'), gemmTN: entry('tn'), gemmNT: entry('nt') };
}
