// Inverted dropout (Keras: kept values scaled by 1/(1 − rate)) with masks from the project's one seeded
// generator, xoshiro128** (src/random.ts is the same generator in TypeScript; both give identical bits).
// Legend: n mask elements; R repeats of the mask (x is (R, n): R = 1 for a plain Dropout layer over a whole
// buffer; R = T for a per-sequence mask (B, H) or (B, D) broadcast over the time steps of (T, B, ·)).
// The mask holds 0 or scale = f32(1/(1 − rate)), so forward and backward are one multiply each:
//   y = x ⊙ mask,   dx (+)= dy ⊙ mask.
// Keras: https://keras.io/api/layers/regularization_layers/dropout/ (keep iff uniform >= rate).
// Preconditions (checked by bindings/): state is 4 u32 not all zero, 0 <= threshold <= 2^24, buffers in
// memory, y/dx do not partly overlap x/dy (in place is fine).

@inline function __rotl(x: u32, k: u32): u32 {
  return (x << k) | (x >>> (32 - k));
}

/**
 * mask[i] = (u24_i >= threshold) ? scale : 0 for i in [0, n), where u24_i = next() >>> 8 is the top 24 bits
 * of the i-th xoshiro128** output. threshold = ceil(rate · 2^24), so "kept" is exactly uniform24 >= rate.
 * state (4 u32) is read, advanced by n outputs, and written back.
 */
export function dropout_mask(mask: usize, state: usize, n: i32, threshold: u32, scale: f32): void {
  let s0 = load<u32>(state), s1 = load<u32>(state, 4), s2 = load<u32>(state, 8), s3 = load<u32>(state, 12);
  const scaleBits = reinterpret<u32>(scale);
  for (let i = 0; i < n; i++) {
    const r = __rotl(s1 * 5, 7) * 9;
    const t = s1 << 9;
    s2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3;
    s2 ^= t;
    s3 = __rotl(s3, 11);
    // Branch-free select (a data-dependent branch on random bits mispredicts half the time: 3x slower).
    store<u32>(mask + (<usize>i << 2), scaleBits & (0 - <u32>((r >>> 8) >= threshold)));
  }
  store<u32>(state, s0); store<u32>(state, s1, 4); store<u32>(state, s2, 8); store<u32>(state, s3, 12);
}

/** y (R, n) = x (R, n) ⊙ mask (n) broadcast over the R repeats; y may equal x. */
export function dropout_forward(y: usize, x: usize, mask: usize, R: i32, n: i32): void {
  const rowBytes = <usize>n << 2;
  for (let r = 0; r < R; r++) {
    const xr = x + <usize>r * rowBytes, yr = y + <usize>r * rowBytes;
    let o: usize = 0;
    if (ASC_FEATURE_SIMD) {
      for (; o + 16 <= rowBytes; o += 16) v128.store(yr + o, f32x4.mul(v128.load(xr + o), v128.load(mask + o)));
    }
    for (; o < rowBytes; o += 4) store<f32>(yr + o, load<f32>(xr + o) * load<f32>(mask + o));
  }
}

/** dx (R, n) = dy ⊙ mask, or += with accumulate; dx may equal dy (then accumulate must be 0). */
export function dropout_backward(dx: usize, dy: usize, mask: usize, R: i32, n: i32, accumulate: i32): void {
  const rowBytes = <usize>n << 2;
  for (let r = 0; r < R; r++) {
    const dyr = dy + <usize>r * rowBytes, dxr = dx + <usize>r * rowBytes;
    let o: usize = 0;
    if (ASC_FEATURE_SIMD) {
      for (; o + 16 <= rowBytes; o += 16) {
        let g = f32x4.mul(v128.load(dyr + o), v128.load(mask + o));
        if (accumulate) g = f32x4.add(v128.load(dxr + o), g);
        v128.store(dxr + o, g);
      }
    }
    for (; o < rowBytes; o += 4) {
      let g = load<f32>(dyr + o) * load<f32>(mask + o);
      if (accumulate) g = load<f32>(dxr + o) + g;
      store<f32>(dxr + o, g);
    }
  }
}
