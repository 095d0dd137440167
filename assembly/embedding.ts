// Embedding lookup (gather) and its backward (scatter-add).
// Legend: T time steps, B batch, V vocabulary, E embedding width (the model may pass the padded Ep: padded
// lanes of the table are zero, so they copy through as zero and receive zero gradient).
// ids (B, T) i32 is BATCH-major (the API layout); y (T, B, E) is TIME-major (the layout inside the model),
// so this kernel is where the one batch-to-time transpose happens (DESIGN.md §3).
// Keras: https://keras.io/api/layers/core_layers/embedding/ (mask_zero: id 0 is padding).
// Preconditions (checked by bindings/, never here): every id in [0, V), buffers in memory, y and dW do not
// overlap their inputs.

/** y[t, b, :] = W[ids[b, t], :]; with maskZero, id 0 gives a zero row. W is (V, E). */
export function embedding_forward(y: usize, ids: usize, W: usize, T: i32, B: i32, E: i32, maskZero: i32): void {
  const rowBytes = <usize>E << 2;
  for (let t = 0; t < T; t++) {
    for (let b = 0; b < B; b++) {
      const id = load<i32>(ids + (<usize>(b * T + t) << 2));
      const dst = y + <usize>(t * B + b) * rowBytes;
      if (maskZero && id == 0) memory.fill(dst, 0, rowBytes);
      else memory.copy(dst, W + <usize>id * rowBytes, rowBytes);
    }
  }
}

/**
 * dW[ids[b, t], :] += dy[t, b, :] for every (t, b), t outer and b inner (a fixed order, so repeated ids are
 * summed deterministically: the true gradient, unlike Keras' one-row-per-occurrence updates). With
 * maskZero, id 0 receives nothing. dW is (V, E), accumulated into (grads are zeroed once per step).
 */
export function embedding_backward(dW: usize, dy: usize, ids: usize, T: i32, B: i32, E: i32, maskZero: i32): void {
  const rowBytes = <usize>E << 2;
  for (let t = 0; t < T; t++) {
    for (let b = 0; b < B; b++) {
      const id = load<i32>(ids + (<usize>(b * T + t) << 2));
      if (maskZero && id == 0) continue;
      const dst = dW + <usize>id * rowBytes;
      const src = dy + <usize>(t * B + b) * rowBytes;
      let o: usize = 0;
      if (ASC_FEATURE_SIMD) {
        for (; o + 16 <= rowBytes; o += 16) v128.store(dst + o, f32x4.add(v128.load(dst + o), v128.load(src + o)));
      }
      for (; o < rowBytes; o += 4) store<f32>(dst + o, load<f32>(dst + o) + load<f32>(src + o));
    }
  }
}
