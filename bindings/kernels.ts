// The typed Kernels interface: every family's checked entry points plus the memory they work in.
// A model (or another library) talks only to this interface, so it runs on wasm SIMD, wasm scalar or the
// plain-TypeScript reference alike.

import type { Arena } from './arena.js';
import { Checker, snapshotArgs } from './checker.js';
import { gemmKernels, type GemmKernels, type GemmRaw } from './families/gemm.js';
import { vectorKernels, type VectorKernels, type VectorRaw } from './families/vector.js';
import { activationKernels, type ActivationKernels, type ActivationRaw } from './families/activations.js';
import { optimizerKernels, type OptimizerKernels, type OptimizersRaw } from './families/optimizers.js';
import { clippingKernels, type ClippingKernels, type ClippingRaw } from './families/clipping.js';
import { lstmKernels, type LstmKernels, type LstmRaw } from './families/lstm.js';
import { simpleRnnKernels, type SimpleRnnKernels, type SimpleRnnRaw } from './families/simple-rnn.js';
import { gruKernels, type GruKernels, type GruRaw } from './families/gru.js';
import { embeddingKernels, type EmbeddingKernels, type EmbeddingRaw } from './families/embedding.js';
import { denseKernels, type DenseKernels, type DenseRaw } from './families/dense.js';
import { dropoutKernels, type DropoutKernels, type DropoutRaw } from './families/dropout.js';
import { lossKernels, type LossKernels, type LossRaw } from './families/losses.js';
import { conv1dKernels, type Conv1dKernels, type Conv1dRaw } from './families/conv1d.js';
import { poolingKernels, type PoolingKernels, type PoolingRaw } from './families/pooling.js';

/** The raw ABI: what the wasm module exports (snake_case, byte offsets, i32 flags). */
export interface RawKernels extends GemmRaw, VectorRaw, ActivationRaw, OptimizersRaw, ClippingRaw, LstmRaw, SimpleRnnRaw, GruRaw,
  EmbeddingRaw, DenseRaw, DropoutRaw, LossRaw, Conv1dRaw, PoolingRaw {
  heap_base(): number;
}

/** Which implementation runs the kernels. */
export type Backend = 'wasm-relaxed' | 'wasm-simd' | 'wasm-scalar' | 'wasm-debug' | 'js';

/** Which build runs: a wasm build (loadKernels' `variant`, with 'auto' resolved) or 'js' (the reference). */
export type KernelVariant = 'relaxed' | 'simd' | 'scalar' | 'debug' | 'js';

/** The checked kernel API: every family (GEMM, activations, LSTM/GRU/SimpleRNN, Dense, optimizers, ...) over one arena; each call validates shapes and pointers and throws KernelArgumentError. */
export interface Kernels extends GemmKernels, VectorKernels, ActivationKernels, OptimizerKernels, ClippingKernels, LstmKernels, SimpleRnnKernels, GruKernels,
  EmbeddingKernels, DenseKernels, DropoutKernels, LossKernels, Conv1dKernels, PoolingKernels {
  readonly backend: Backend;
  /** The build that runs ('relaxed', 'simd', 'scalar', 'debug' or 'js'): what `variant: 'auto'` picked. */
  readonly variant: KernelVariant;
  /** The memory every pointer refers to, and its allocator. */
  readonly arena: Arena;
  /** Threads the kernels run on (loadKernels' `threads`, after any fallback to 1); docs/performance.md. */
  readonly threads: number;
  /** Ends the helper threads (a no-op with one thread); calls afterwards throw. Idle helpers never keep Node alive. */
  dispose(): void;
}

/** Wraps raw kernel exports (wasm or the TS reference) over `arena` in the checked `Kernels` API. */
export function createKernels(raw: RawKernels, arena: Arena, backend: Backend): Kernels {
  const checker = new Checker(arena);
  const families: Record<string, unknown> = {
    ...gemmKernels(raw, checker),
    ...vectorKernels(raw, checker),
    ...activationKernels(raw, checker),
    ...optimizerKernels(raw, checker),
    ...clippingKernels(raw, checker),
    ...lstmKernels(raw, checker),
    ...simpleRnnKernels(raw, checker),
    ...gruKernels(raw, checker),
    ...embeddingKernels(raw, checker),
    ...denseKernels(raw, checker),
    ...dropoutKernels(raw, checker),
    ...lossKernels(raw, checker),
    ...conv1dKernels(raw, checker),
    ...poolingKernels(raw, checker),
  };
  // Every entry point sees a snapshot of its arguments (each property read once; bindings/checker.ts), so
  // nothing the caller controls (a getter, a Proxy) runs between validation and the wasm call.
  const variant: KernelVariant = backend === 'js' ? 'js' : (backend.slice(5) as KernelVariant);
  const kernels: Record<string, unknown> = { backend, variant, arena, threads: 1, dispose: () => {} };
  for (const [name, fn] of Object.entries(families)) {
    kernels[name] = typeof fn === 'function' ? (...args: unknown[]) => fn(...snapshotArgs(name, args)) : fn;
  }
  return kernels as unknown as Kernels;
}
