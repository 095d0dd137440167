// The typed Kernels interface: every family's checked entry points plus the memory they work in.
// A model (or another library) talks only to this interface, so it runs on wasm SIMD, wasm scalar or the
// plain-TypeScript reference alike.

import type { Arena } from './arena.js';
import { Checker } from './checker.js';
import { gemmKernels, type GemmKernels, type GemmRaw } from './families/gemm.js';
import { vectorKernels, type VectorKernels, type VectorRaw } from './families/vector.js';
import { activationKernels, type ActivationKernels, type ActivationRaw } from './families/activations.js';
import { optimizerKernels, type OptimizerKernels, type OptimizersRaw } from './families/optimizers.js';
import { clippingKernels, type ClippingKernels, type ClippingRaw } from './families/clipping.js';
import { lstmKernels, type LstmKernels, type LstmRaw } from './families/lstm.js';
import { simpleRnnKernels, type SimpleRnnKernels, type SimpleRnnRaw } from './families/simple-rnn.js';
import { gruKernels, type GruKernels, type GruRaw } from './families/gru.js';

/** The raw ABI: what the wasm module exports (snake_case, byte offsets, i32 flags). */
export interface RawKernels extends GemmRaw, VectorRaw, ActivationRaw, OptimizersRaw, ClippingRaw, LstmRaw, SimpleRnnRaw, GruRaw {
  heap_base(): number;
}

/** Which implementation runs the kernels. */
export type Backend = 'wasm-simd' | 'wasm-scalar' | 'wasm-debug' | 'js';

export interface Kernels extends GemmKernels, VectorKernels, ActivationKernels, OptimizerKernels, ClippingKernels, LstmKernels, SimpleRnnKernels, GruKernels {
  readonly backend: Backend;
  /** The memory every pointer refers to, and its allocator. */
  readonly arena: Arena;
}

export function createKernels(raw: RawKernels, arena: Arena, backend: Backend): Kernels {
  const checker = new Checker(arena);
  return {
    backend,
    arena,
    ...gemmKernels(raw, checker),
    ...vectorKernels(raw, checker),
    ...activationKernels(raw, checker),
    ...optimizerKernels(raw, checker),
    ...clippingKernels(raw, checker),
    ...lstmKernels(raw, checker),
    ...simpleRnnKernels(raw, checker),
    ...gruKernels(raw, checker),
  };
}
