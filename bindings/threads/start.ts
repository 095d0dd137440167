// Loads the kernels over a shared memory with a pool of helper threads (loadKernels({ threads: N > 1 })).
//
//   | module statics | main scratch | helper scratch × (N - 1) | arena ... |   one shared WebAssembly.Memory
//
// The main thread's instance stages its GEMM tiles in the module's own scratch (heap_base); each helper's
// instance gets a block of kernel_scratch_bytes() right above it (set_thread_scratch), and the arena starts
// after the last one.

import { Arena, PAGE_BYTES, type ArenaOptions } from '../arena.js';
import { createKernels, type Backend, type Kernels, type RawKernels } from '../kernels.js';
import { ThreadPool } from './pool.js';
import { THREAD_KERNELS, threadedRaw, type ThreadRaw } from './dispatch.js';
import { withSharedMemoryImport } from './shared-module.js';

/** Kernels over a shared arena with `threads` threads in all; `kernels.dispose()` ends the helpers. */
export async function loadThreadedKernels(
  bytes: Uint8Array, threads: number, options: ArenaOptions, label: Backend,
  imports: { abort: (...a: number[]) => never }, wrapRaw?: (raw: RawKernels) => RawKernels, minFlops?: number,
): Promise<Kernels> {
  const arena = new Arena({ ...options, shared: true });
  const module = await WebAssembly.compile(withSharedMemoryImport(bytes, arena.maximumBytes / PAGE_BYTES) as BufferSource);
  const instance = await WebAssembly.instantiate(module, { env: { memory: arena.memory, abort: imports.abort } });
  const exports = instance.exports as unknown as RawKernels & ThreadRaw;
  const scratchBytes = Math.ceil(exports.kernel_scratch_bytes() / 64) * 64;
  const first = Math.ceil(exports.heap_base() / 64) * 64;
  const scratch = Array.from({ length: threads - 1 }, (_, i) => first + i * scratchBytes);
  arena.reserveBelow(first + (threads - 1) * scratchBytes);
  const pool = await ThreadPool.start(module, arena.memory, scratch, THREAD_KERNELS);
  const threaded = threadedRaw(exports, pool, arena, minFlops);
  const kernels = createKernels(wrapRaw ? wrapRaw(threaded) : threaded, arena, label);
  Object.defineProperty(kernels, 'threads', { value: threads, enumerable: true });
  Object.defineProperty(kernels, 'dispose', { value: () => pool.dispose(), enumerable: true });
  return kernels;
}
