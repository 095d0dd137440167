// Where the module's own memory ends; bindings/ start the arena above it (16-byte aligned).
// Layout: static data (constant tables, small staging tiles) | kernel scratch | arena.

/**
 * Kernel scratch: 64 KB, 64-byte aligned, right above the static data, for packed-gemm's transposed-GEMM
 * blocks. Not a memory.data segment: a zero-filled segment would add its 64 KB to the .wasm file.
 */
export const KERNEL_SCRATCH_BYTES: usize = 65536;
@inline export function kernelScratch(): usize {
  return (__heap_base + 63) & ~(<usize>63);
}

/** First byte of linear memory that the module does not use itself. */
export function heap_base(): usize {
  return kernelScratch() + KERNEL_SCRATCH_BYTES;
}
