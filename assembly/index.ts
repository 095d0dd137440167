// The module's exports. Each family lives in its own file; this file only re-exports.
// Every export takes byte offsets into the imported memory and plain numbers; nothing managed crosses.
export * from "./gemm";
export * from "./vector";
export * from "./heap";
export * from "./activations";
export * from "./optimizers";
export * from "./clipping";
