// fused-rnn: the library entry point.
export * from '../bindings/index.js';
