// Typed errors thrown at the wasm boundary. Each names the kernel, the argument and its value so a caller
// can tell exactly what was wrong without reading kernel code.

/** Base class of every error fused-rnn throws on purpose. */
export class FusedRnnError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** A kernel argument (dimension, pointer range, row range, scalar) failed validation before wasm ran. */
export class KernelArgumentError extends FusedRnnError {
  constructor(
    readonly kernel: string,
    readonly argument: string,
    readonly value: unknown,
    detail: string,
  ) {
    super(`${kernel}: argument ${argument} = ${formatValue(value)} ${detail}`);
  }
}

/** The engine lacks a WebAssembly feature the requested build needs (e.g. fixed-width SIMD). */
export class WasmFeatureError extends FusedRnnError {
  constructor(readonly feature: string, detail: string) {
    super(`WebAssembly feature "${feature}" is not available: ${detail}`);
  }
}

/** The arena cannot satisfy an allocation (memory maximum reached) or a mark is invalid. */
export class ArenaError extends FusedRnnError {}

export function formatValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' && Object.is(value, -0)) return '-0';
  return String(value);
}
