// The raw kernel ABI's version: see docs/semver.md ("The raw kernel ABI").

/**
 * Version of the raw kernel ABI: the wasm exports' names, argument order, flag bits and memory layouts that
 * `RawKernels` describes (docs/recurrent-abi.md). It is bumped on every incompatible change to them, independently
 * of the package version: code that drives the raw exports itself (not through `Kernels`) should check it.
 */
export const KERNEL_ABI_VERSION = 1;
