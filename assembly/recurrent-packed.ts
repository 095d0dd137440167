// The PREPACKED flag of the inference kernels (lstm_infer, gru_infer, simple_rnn_infer; docs/recurrent-abi.md
// "Inference workspace"). Without it a kernel given a `work` workspace first packs W and U into it (one pass
// over (D + H)·G floats: ≈ 40–60 µs of a 1.1 ms LSTM(256) B = 1 call). With it, `work` already holds this
// call's W and U packed by an earlier call, which the caller kept and knows to be current (src/layers:
// prediction caches the panels between predict calls, keyed by the model's weights version), and the
// kernel reads the panels as they are. Same bits either way: the panels are the same bytes.

/** flags bit: `work` already holds W and U packed (skip packing). Ignored when work = 0. */
export const FLAG_PREPACKED: i32 = 64;

/** Whether the kernel must pack W and U into `work` itself. */
@inline export function mustPack(work: usize, flags: i32): bool {
  return work != 0 && (flags & FLAG_PREPACKED) == 0;
}
