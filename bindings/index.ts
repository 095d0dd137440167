// Public surface of the wasm boundary: load kernels, the memory they use, their errors.
export { loadKernels, type LoadOptions, type WasmSource } from './load.js';
export { Arena, type ArenaOptions, type Ptr, ALIGN, PAGE_BYTES } from './arena.js';
export { createKernels, type Kernels, type RawKernels, type Backend, type KernelVariant } from './kernels.js';
export { type TensorRef, formatShape } from './checker.js';
export { referenceRaw } from './reference-kernels.js';
export { FusedRnnError, KernelArgumentError, WasmFeatureError, ArenaError } from './errors.js';
export { hasRelaxedSimd, hasSimd } from './features.js';
