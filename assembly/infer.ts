// The inference-only module (issue 20, `fused-rnn/infer`): no backward, loss, optimizer, dropout or
// clipping kernels. Re-exports only what prediction and streaming run; every export takes byte offsets into
// the imported memory and plain numbers, as in assembly/index.ts.
export { heap_base, set_thread_scratch, kernel_scratch_bytes } from "./heap";
export { fill, copy } from "./vector";
export { activation_forward } from "./activations";
export { embedding_forward } from "./embedding";
export { dense_forward } from "./dense";
export {
  infer_pack, infer_lstm, infer_gru, infer_simple_rnn, infer_lstm_units, infer_gru_units, infer_simple_rnn_units,
} from "./infer-recurrent";
export { quant_pack, quant_packed_bytes, quant_rows, embedding_q8_forward } from "./quant-gemm";
export { dense_q8_forward } from "./quant-dense";
