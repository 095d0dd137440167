// 1-D pooling over time, TIME-major like Conv1D: x (T, B, C), y (To, B, C); global pooling gives (B, C).
// Legend: T input steps, B batch, C channels, P pool size, S stride, padL left padding, To output steps
// (bindings/ derive To and padL from Keras' padding mode valid / same).
// Keras: https://keras.io/api/layers/pooling_layers/ (max_pooling1d, average_pooling1d, global_*).
// Window of output t: input steps [t·S − padL, t·S − padL + P) ∩ [0, T); padded steps are ignored (max
// never picks them, the average divides by the number of real steps: TensorFlow's SAME semantics).
// Max pooling saves argmax (To, B, C) i32 = the input step of the FIRST maximum (strict > while scanning
// forward), and backward routes the whole gradient there. Backward writes dx, or adds with `accumulate`.
// Preconditions (checked by bindings/): every window non-empty, buffers in memory, outputs disjoint.

@inline function __start(t: i32, S: i32, padL: i32): i32 {
  return max<i32>(t * S - padL, 0);
}

@inline function __end(t: i32, S: i32, P: i32, padL: i32, T: i32): i32 {
  return min<i32>(t * S - padL + P, T);
}

/** y[t, b, c] = max over the window; argmax[t, b, c] = the input step of its first occurrence. */
@inline function __maxRows(y: usize, argmax: usize, x: usize, t0: i32, t1: i32, B: i32, C: i32): void {
  const rowBytes = <usize>(B * C) << 2;
  const n = B * C;
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    for (; i + 4 <= n; i += 4) {
      const o = <usize>i << 2;
      let m = v128.load(x + <usize>t0 * rowBytes + o);
      let idx = i32x4.splat(t0);
      for (let t = t0 + 1; t < t1; t++) {
        const v = v128.load(x + <usize>t * rowBytes + o);
        const gt = f32x4.gt(v, m);
        m = v128.bitselect(v, m, gt);
        idx = v128.bitselect(i32x4.splat(t), idx, gt);
      }
      v128.store(y + o, m);
      v128.store(argmax + o, idx);
    }
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    let m = load<f32>(x + <usize>t0 * rowBytes + o);
    let idx = t0;
    for (let t = t0 + 1; t < t1; t++) {
      const v = load<f32>(x + <usize>t * rowBytes + o);
      if (v > m) { m = v; idx = t; }
    }
    store<f32>(y + o, m);
    store<i32>(argmax + o, idx);
  }
}

/** y (B·C) = (Σ_{t in [t0, t1)} x[t]) / (t1 − t0), summed in ascending t. */
@inline function __avgRows(y: usize, x: usize, t0: i32, t1: i32, B: i32, C: i32): void {
  const rowBytes = <usize>(B * C) << 2;
  const n = B * C;
  const cnt = <f32>(t1 - t0);
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    const vc = f32x4.splat(cnt);
    for (; i + 4 <= n; i += 4) {
      const o = <usize>i << 2;
      let s = v128.load(x + <usize>t0 * rowBytes + o);
      for (let t = t0 + 1; t < t1; t++) s = f32x4.add(s, v128.load(x + <usize>t * rowBytes + o));
      v128.store(y + o, f32x4.div(s, vc));
    }
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    let s = load<f32>(x + <usize>t0 * rowBytes + o);
    for (let t = t0 + 1; t < t1; t++) s += load<f32>(x + <usize>t * rowBytes + o);
    store<f32>(y + o, s / cnt);
  }
}

/** dx[argmax[i], i] += dy[i] for the n = B·C lanes of one output step. */
@inline function __scatterMax(dx: usize, dy: usize, argmax: usize, B: i32, C: i32): void {
  const n = B * C;
  const rowBytes = <usize>n << 2;
  for (let i = 0; i < n; i++) {
    const o = <usize>i << 2;
    const p = dx + <usize>load<i32>(argmax + o) * rowBytes + o;
    store<f32>(p, load<f32>(p) + load<f32>(dy + o));
  }
}

/** dx[t] += dy / (t1 − t0) for t in [t0, t1). */
@inline function __spreadAvg(dx: usize, dy: usize, t0: i32, t1: i32, B: i32, C: i32): void {
  const n = B * C;
  const rowBytes = <usize>n << 2;
  const cnt = <f32>(t1 - t0);
  for (let t = t0; t < t1; t++) {
    const d = dx + <usize>t * rowBytes;
    let i = 0;
    if (ASC_FEATURE_SIMD) {
      const vc = f32x4.splat(cnt);
      for (; i + 4 <= n; i += 4) {
        const o = <usize>i << 2;
        v128.store(d + o, f32x4.add(v128.load(d + o), f32x4.div(v128.load(dy + o), vc)));
      }
    }
    for (; i < n; i++) {
      const o = <usize>i << 2;
      store<f32>(d + o, load<f32>(d + o) + load<f32>(dy + o) / cnt);
    }
  }
}

// ---- MaxPooling1D

export function max_pool1d_forward(y: usize, argmax: usize, x: usize, T: i32, B: i32, C: i32, To: i32, P: i32, S: i32, padL: i32): void {
  const rowBytes = <usize>(B * C) << 2;
  for (let t = 0; t < To; t++) {
    __maxRows(y + <usize>t * rowBytes, argmax + <usize>t * rowBytes, x, __start(t, S, padL), __end(t, S, P, padL, T), B, C);
  }
}

export function max_pool1d_backward(dx: usize, dy: usize, argmax: usize, T: i32, B: i32, C: i32, To: i32, accumulate: i32): void {
  const rowBytes = <usize>(B * C) << 2;
  if (!accumulate) memory.fill(dx, 0, <usize>T * rowBytes);
  for (let t = 0; t < To; t++) __scatterMax(dx, dy + <usize>t * rowBytes, argmax + <usize>t * rowBytes, B, C);
}

// ---- AveragePooling1D

export function avg_pool1d_forward(y: usize, x: usize, T: i32, B: i32, C: i32, To: i32, P: i32, S: i32, padL: i32): void {
  const rowBytes = <usize>(B * C) << 2;
  for (let t = 0; t < To; t++) __avgRows(y + <usize>t * rowBytes, x, __start(t, S, padL), __end(t, S, P, padL, T), B, C);
}

export function avg_pool1d_backward(dx: usize, dy: usize, T: i32, B: i32, C: i32, To: i32, P: i32, S: i32, padL: i32, accumulate: i32): void {
  const rowBytes = <usize>(B * C) << 2;
  if (!accumulate) memory.fill(dx, 0, <usize>T * rowBytes);
  for (let t = 0; t < To; t++) __spreadAvg(dx, dy + <usize>t * rowBytes, __start(t, S, padL), __end(t, S, P, padL, T), B, C);
}

// ---- GlobalMaxPooling1D, GlobalAveragePooling1D: one window over all T steps, y and argmax (B, C)

export function global_max_pool1d_forward(y: usize, argmax: usize, x: usize, T: i32, B: i32, C: i32): void {
  __maxRows(y, argmax, x, 0, T, B, C);
}

export function global_max_pool1d_backward(dx: usize, dy: usize, argmax: usize, T: i32, B: i32, C: i32, accumulate: i32): void {
  if (!accumulate) memory.fill(dx, 0, <usize>(T * B * C) << 2);
  __scatterMax(dx, dy, argmax, B, C);
}

export function global_avg_pool1d_forward(y: usize, x: usize, T: i32, B: i32, C: i32): void {
  __avgRows(y, x, 0, T, B, C);
}

export function global_avg_pool1d_backward(dx: usize, dy: usize, T: i32, B: i32, C: i32, accumulate: i32): void {
  if (!accumulate) memory.fill(dx, 0, <usize>(T * B * C) << 2);
  __spreadAvg(dx, dy, 0, T, B, C);
}
