// Where the module's own memory ends; bindings/ start the arena above it (16-byte aligned).
// Layout: static data (constant tables) | kernel scratch | arena.
// With threads (bindings/threads/) every worker instantiates this module over the same shared memory; the
// scratch is then per instance: set_thread_scratch points a worker's instance at its own block (carved by
// the bindings above heap_base), so two threads never stage tiles in the same bytes.

/**
 * Kernel scratch: 64 KB for packed-gemm's transposed-GEMM blocks (TN_A, TN_B) plus 1 KB of row staging
 * (ROW_TMP 128 B at +64 KB, ROWS_TMP 768 B at +64 KB + 128, whose first 192 B gemm-core's 6×8 staging
 * reuses), 64-byte aligned, right above the static data.
 * Not a memory.data segment: a zero-filled segment would add its bytes to the .wasm file.
 */
export const KERNEL_SCRATCH_BYTES: usize = 65536 + 1024;

// 0: this instance uses the static block above __heap_base (the main thread); else a worker's own block.
let threadScratch: usize = 0;

@inline export function kernelScratch(): usize {
  return threadScratch != 0 ? threadScratch : (__heap_base + 63) & ~(<usize>63);
}

/** First byte of linear memory that the module does not use itself. */
export function heap_base(): usize {
  return ((__heap_base + 63) & ~(<usize>63)) + KERNEL_SCRATCH_BYTES;
}

/** Points this instance's kernel scratch at ptr (KERNEL_SCRATCH_BYTES, 64-byte aligned; 0 = the static block). */
export function set_thread_scratch(ptr: usize): void {
  threadScratch = ptr;
}

/** Bytes of kernel scratch one thread needs (what bindings/threads/ reserves per worker). */
export function kernel_scratch_bytes(): usize {
  return KERNEL_SCRATCH_BYTES;
}
