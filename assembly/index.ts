// The module's exports. Each family lives in its own file; this file only re-exports.
// Every export takes byte offsets into the imported memory and plain numbers; nothing managed crosses.
export * from "./gemm";
export * from "./vector";
export * from "./heap";
export * from "./activations";
export * from "./optimizers";
export * from "./clipping";
export * from "./lstm";
export * from "./gru";
export * from "./simple-rnn";
export * from "./embedding";
export * from "./dense";
export * from "./dropout";
export * from "./losses";
export * from "./conv1d";
export * from "./pooling";
export * from "./threads";
export * from "./recurrent-cols";
