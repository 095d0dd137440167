// The threaded raw ABI: the same RawKernels signatures, with the big kernels split over a ThreadPool.
// The checked layer (bindings/kernels.ts and families/) sits on top unchanged, so every argument is
// validated before a share ever runs, and src/ keeps its synchronous calls.
//
// What is split, and why it stays bit-identical to one thread (the 'simd' and 'scalar' builds):
// - lstm_forward: batch rows (every sequence is independent; a row's sums do not depend on which rows share
//   a GEMM call). W and U are packed first (split by panel columns), then shared read-only.
// - lstm_infer: by UNITS where that pays (inferSplit below; assembly/recurrent-cols.ts): thread i owns
//   hidden units [u0, u1) (multiples of 32), packs and keeps its panels of W and U in its own L2, projects
//   and steps its gate columns, and the threads meet at a barrier between steps (a stepped pool job). Each
//   column's sums are the one-thread kernel's. Otherwise by batch rows, as lstm_forward. Either way each
//   thread writes its gate pre-activations into its own copy of the scratch, each on its own 4 KB pages
//   (threadPages: two threads writing lines of the same or adjacent pages slowed each other).
// - lstm_backward: phase 1 the sequential sweep by batch rows; then x and hPrev transposed once into a
//   shared temporary (threads take halves of the T·B rows; before, every thread transposed all of them for
//   its columns); phase 2 the weight gradients by COLUMNS of dW, dU, db (each column still sums all T·B
//   rows in the same 32-row panels) and dx by row blocks.
//   Of the optional per-step norms, hnorm2 is summed by the caller from dh's finished slots (the same
//   sum as one thread); cnorm2 sums a carry no buffer keeps, so each thread writes its rows' partial sums
//   and the caller adds them in thread order (fixed for a given thread count; equal to one thread's value
//   up to f64 rounding of the partial sums).
// - gemm_nn / gemm_tn / gemm_nt, dense forward: row blocks of the output (each element's sum is unchanged).
// - dense backward: dz by row blocks (when the activation is not linear), then in one job dW by rows of D
//   (each thread transposes only its columns of x), db by columns (multiples of 8) and dx by row blocks.
// - adam_update / adamw_update: element ranges (every parameter's update is independent and elementwise).
// Not split (one thread runs them): calls with a recurrent dropout mask (their masked weight-gradient
// panels share one scratch), batches too small to pay for the hand-off, GRU and SimpleRNN (not yet).

import type { Arena } from '../arena.js';
import type { RawKernels } from '../kernels.js';
import type { ThreadPool } from './pool.js';

/** Exports the helpers run, by index (the order is the protocol between dispatch and worker). */
export const THREAD_KERNELS = [
  'lstm_forward_rows', 'lstm_backward_rows', 'lstm_infer_rows', 'gemm_nn', 'gemm_tn', 'gemm_nt',
  'dense_forward', 'adam_update', 'adamw_update', 'recurrent_pack_weights_part', 'lstm_infer_units',
  'recurrent_transpose_inputs_part', 'recurrent_weight_gradients_cols', 'dense_dz_rows', 'dense_backward_part',
] as const;
const FWD = 0, BWD = 1, INFER = 2, GEMM_NN = 3, DENSE_FWD = 6, ADAM = 7, ADAMW = 8, PACK = 9, INFER_UNITS = 10;
const TRANSPOSE_IN = 11, WGRAD_COLS = 12, DENSE_DZ = 13, DENSE_PART = 14;

/** How a threaded lstm_infer call is split: by batch rows or by units (see inferSplit). */
export type InferSplit = 'rows' | 'units';

/**
 * Pins the split of threaded lstm_infer calls ('auto': inferSplit decides). For tests and benchmarks that
 * compare the two splits on one shape; a pinned 'units' still needs what units need (else rows).
 */
export const inferSplitOverride: { mode: 'auto' | InferSplit } = { mode: 'auto' };

/**
 * The split of an lstm_infer call on `threads` threads, as measured (docs/performance.md "Threads"; Node 24,
 * 2-core Zen 5, relaxed build, T = 64, D = 64): units only for B = 1, where rows cannot split at all, and
 * only when a thread's share of a step is at least ~1e5 flops (8·H·H/threads; H ≥ 160 on 2 threads): the
 * barrier costs ~1 µs per step, so LSTM(128) B1 gained 1.01–1.08× and LSTM(96) lost (0.87×), while
 * LSTM(160) gained 1.18×, LSTM(256) 1.38–1.53× and LSTM(512) 1.68×. From B = 2 on the row split is as
 * fast or faster (B = 8 / 32 at H = 256: units 0.96× / 0.93× of rows; they only tie at H = 512): each
 * thread's rows run the whole sequence without meeting the other, while a barrier per step makes every
 * step wait for the slower thread. (In the units split U stays in L2, but at B ≥ 2 the row split's U
 * stream from L3 is already hidden behind B rows of compute per panel.)
 */
export function inferSplit(T: number, B: number, D: number, H: number, threads: number, packed: boolean): InferSplit {
  void T; void D;
  return unitsPossible(H, threads, packed) && B === 1 && (8 * H * H) / threads >= 1e5 ? 'units' : 'rows';
}

/** Whether the units split can run: packed weights, H a multiple of 32 (whole panels per gate), two panels or more. */
function unitsPossible(H: number, threads: number, packed: boolean): boolean {
  return packed && H % 32 === 0 && H >= 64 && threads >= 2;
}

/**
 * An optimizer step costs about as much per parameter as 32 GEMM flops (Adam: ~0.6 ns per element, memory
 * bound; the GEMM ~0.02 ns per flop): with the default threadMinFlops Adam splits from 125k parameters on.
 */
const FLOPS_PER_ADAM_ELEMENT = 32;

/** Default for loadKernels' `threadMinFlops`: waking helpers costs tens of microseconds. */
export const MIN_FLOPS = 4e6;

/** The row-range exports the threaded path needs on top of RawKernels (assembly/lstm.ts, assembly/threads.ts). */
export interface ThreadRaw {
  lstm_forward_rows(...args: number[]): void;
  lstm_backward_rows(...args: number[]): void;
  lstm_infer_rows(...args: number[]): void;
  lstm_infer_units(...args: number[]): void;
  recurrent_transpose_inputs_part(xt: number, x: number, hPrev: number, TB: number, D: number, H: number, k0: number, k1: number): void;
  recurrent_weight_gradients_cols(...args: number[]): void;
  recurrent_pack_weights(work: number, W: number, U: number, D: number, H: number, G: number): void;
  recurrent_pack_weights_part(work: number, W: number, U: number, D: number, H: number, G: number, j0: number, j1: number): void;
  dense_dz_rows(dz: number, dy: number, y: number, U: number, ldy: number, act: number, r0: number, r1: number): void;
  dense_backward_part(...args: number[]): void;
  set_thread_scratch(ptr: number): void;
  kernel_scratch_bytes(): number;
}

/** [start, end) ranges splitting [lo, hi) into at most n near-equal parts whose inner bounds are multiples of `align`. */
export function splitRange(lo: number, hi: number, n: number, align: number): Array<[number, number]> {
  const units = Math.ceil((hi - lo) / align);
  const parts = Math.max(1, Math.min(n, units));
  const out: Array<[number, number]> = [];
  let start = lo;
  for (let i = 0; i < parts; i++) {
    const end = i === parts - 1 ? hi : Math.min(hi, lo + Math.round((units * (i + 1)) / parts) * align);
    if (end > start) out.push([start, end]);
    start = end;
  }
  return out;
}

/** Bytes of a 4 KB page (the prefetchers' region: two threads writing lines of one page slow each other). */
export const PAGE = 4096;
const pageUp = (bytes: number) => Math.ceil(bytes / PAGE) * PAGE;
// Floats of projected gates the LSTM kernels keep at once (assembly/lstm.ts and recurrent-cols.ts PROJECT_FLOATS).
const PROJECT_FLOATS = 1 << 16;

/**
 * Page separation of what threads write (docs/performance.md "Threads writing the same pages"): `private`
 * gives each thread of a threaded lstm_infer (by units or by rows) its own gate scratch copy on its own
 * pages. A switch only for benchmarks (bench/threads-pages.ts measures both settings side by side); the
 * bits are the same either way.
 */
export const threadPages = { private: true };

// FLAG_PREPACKED: an inference kernel's `work` already holds W and U packed (the caller's cached panels).
const FLAG_REVERSE = 1, FLAG_ACCUMULATE_DX = 4, FLAG_PREPACKED = 64;

/** `raw` with the LSTM and GEMM entry points split over `pool` (the pool's helpers share `arena.memory`). */
export function threadedRaw(raw: RawKernels & ThreadRaw, pool: ThreadPool, arena: Arena, minFlops = MIN_FLOPS): RawKernels {
  const n = pool.size;
  // Rows of a batch: multiples of 4 (the GEMM micro-kernel's row block) when every thread still gets some.
  const rows = (B: number): Array<[number, number]> => splitRange(0, B, n, B >= 8 * n ? 4 : 1);

  // W and U into column panels (the workspace the row shares read), split by panel columns: packing the
  // (D + H)·4H floats on the calling thread alone was ~0.45 ms of a 54 ms W2 step on 2 threads.
  const pack = (work: number, W: number, U: number, D: number, H: number, G: number) => {
    pool.run(PACK, splitRange(0, G, n, 32).map(([j0, j1]) => [work, W, U, D, H, G, j0, j1]), raw.recurrent_pack_weights_part);
  };

  const lstm_forward: RawKernels['lstm_forward'] = (h, c, gates, x, W, U, b, lengths, rmask, rscratch, work, T, B, D, H, flags, act, ract) => {
    const G = 4 * H;
    if (rmask !== 0 || B < 2 || 2 * T * B * (D + H) * G < minFlops) {
      return raw.lstm_forward(h, c, gates, x, W, U, b, lengths, rmask, rscratch, work, T, B, D, H, flags, act, ract);
    }
    if (work !== 0) pack(work, W, U, D, H, G);
    pool.run(FWD, rows(B).map(([r0, r1]) => [h, c, gates, x, W, U, b, lengths, work, T, B, D, H, flags, act, ract, r0, r1]), raw.lstm_forward_rows);
  };

  // Temporaries go above every argument of the call (as the checked layer's own temporaries do): `ends`, the
  // first bytes past each argument.
  const above = (ends: number[]) => {
    const high = Math.max(...ends);
    if (high > arena.top) arena.allocBytes(high - arena.top);
  };

  // The ends of lstm_infer's arguments (for `above`).
  const inferEnds = (y: number, h: number, c: number, scratch: number, work: number, x: number, W: number, U: number, b: number, lengths: number,
    T: number, B: number, D: number, H: number) => {
    const G = 4 * H;
    return [y + 4 * T * B * H, h + 4 * B * H, c + 4 * B * H, scratch + 4 * T * B * G, work + 4 * (D + H) * G, x + 4 * T * B * D,
      W + 4 * D * G, U + 4 * H * G, b + 4 * G, lengths + 4 * T * B];
  };

  // Each thread's own copy of the units kernel's gate scratch (threadPages): the Tc·B rows of one projected
  // chunk (Tc as assembly/recurrent-cols.ts computes it), each copy starting a 4 KB page. A thread reads and
  // writes only its own columns of a copy, so the other copies' columns are never touched.
  const unitsScratch = (T: number, B: number, H: number, parts: number) => {
    const stride = pageUp(4 * Math.max(1, Math.min(T, Math.floor(PROJECT_FLOATS / (B * 4 * H)))) * B * 4 * H);
    return { base: pageUp(arena.allocBytes(parts * stride + PAGE - 16)), stride };
  };

  // By units: the second state buffer h2 (B, H) goes above every argument of the call (as the checked
  // layer's temporaries do); T odd ends with one more call that copies the final state from h2 into h.
  const inferUnits: RawKernels['lstm_infer'] = (y, h, c, scratch, work, x, W, U, b, lengths, T, B, D, H, flags, act, ract) => {
    const G = 4 * H;
    const mark = arena.mark();
    try {
      above(inferEnds(y, h, c, scratch, work, x, W, U, b, lengths, T, B, D, H));
      const h2 = arena.allocBytes(4 * B * H);
      const parts = splitRange(0, H, n, 32);
      const own = threadPages.private ? unitsScratch(T, B, H, parts.length) : null;
      const shares = parts.map(([u0, u1], i) => [y, h, h2, c, own ? own.base + i * own.stride : scratch, work, x, W, U, b, lengths, T, B, D, H, flags, act, ract, u0, u1]);
      pool.runStepped(INFER_UNITS, shares, T + (T & 1), raw.lstm_infer_units);
    } finally {
      arena.release(mark);
    }
  };

  const lstm_infer: RawKernels['lstm_infer'] = (y, h, c, scratch, work, x, W, U, b, lengths, T, B, D, H, flags, act, ract) => {
    const G = 4 * H;
    if (2 * T * B * (D + H) * G < minFlops) return raw.lstm_infer(y, h, c, scratch, work, x, W, U, b, lengths, T, B, D, H, flags, act, ract);
    const mode = inferSplitOverride.mode;
    if (mode === 'rows' ? false : mode === 'units' ? unitsPossible(H, n, work !== 0) : inferSplit(T, B, D, H, n, work !== 0) === 'units') {
      return inferUnits(y, h, c, scratch, work, x, W, U, b, lengths, T, B, D, H, flags, act, ract);
    }
    if (B < 2) return raw.lstm_infer(y, h, c, scratch, work, x, W, U, b, lengths, T, B, D, H, flags, act, ract);
    if (work !== 0 && (flags & FLAG_PREPACKED) === 0) pack(work, W, U, D, H, G);
    const parts = rows(B);
    if (!threadPages.private) {
      pool.run(INFER, parts.map(([r0, r1]) => [y, h, c, scratch, work, x, W, U, b, lengths, T, B, D, H, flags, act, ract, r0, r1]), raw.lstm_infer_rows);
      return;
    }
    // Each thread projects its rows into its own copy of the first B scratch rows (it uses rows [r0, r1) of
    // it), each copy starting a page: thread i's rows no longer sit right after thread i - 1's (MEASURED, B = 8,
    // H = 256: the helper's share ran 4.45 ms next to the caller's rows, 4.22 in its own copy; the caller's
    // stream of writes ran into the helper's first lines).
    const mark = arena.mark();
    try {
      above(inferEnds(y, h, c, scratch, work, x, W, U, b, lengths, T, B, D, H));
      const stride = pageUp(4 * B * G);
      const base = pageUp(arena.allocBytes(parts.length * stride + PAGE - 16));
      pool.run(INFER, parts.map(([r0, r1], i) => [y, h, c, base + i * stride, work, x, W, U, b, lengths, T, B, D, H, flags, act, ract, r0, r1]), raw.lstm_infer_rows);
    } finally {
      arena.release(mark);
    }
  };

  const lstm_backward: RawKernels['lstm_backward'] = (dx, dW, dU, db, dc0, dgates, hnorm2, cnorm2, dh, dc, x, W, U, gates, c, h, lengths, rmask, rscratch, T, B, D, H, flags, act, ract) => {
    const G = 4 * H;
    if (rmask !== 0 || B < 2 || 4 * T * B * (D + H) * G < minFlops) {
      return raw.lstm_backward(dx, dW, dU, db, dc0, dgates, hnorm2, cnorm2, dh, dc, x, W, U, gates, c, h, lengths, rmask, rscratch, T, B, D, H, flags, act, ract);
    }
    const shares = rows(B);
    const slot = B * H * 4; // bytes per (B, H) slot
    const TB = T * B;
    const reverse = (flags & FLAG_REVERSE) !== 0;
    const hPrev = h + (reverse ? slot : 0), h0 = h + (reverse ? T * slot : 0);
    const mark = arena.mark();
    try {
      // Temporaries go above every argument of the call (as the checked layer's own temporaries do):
      // xt, the (D + H)·T·B floats of xᵀ and hPrevᵀ in TN panels, and with cnorm2 the per-thread partial
      // sums (cnorm2 sums rows of a running carry that no buffer keeps: each thread writes its rows' partial
      // sums into a (threads, T) f64 block, added in thread order).
      const ends = [dx + 4 * TB * D, dW + 4 * D * G, dU + 4 * H * G, db + 4 * G, dc0 + slot, dgates + 4 * TB * G, hnorm2 + 8 * T, cnorm2 + 8 * T,
        dh + (T + 1) * slot, dc + slot, x + 4 * TB * D, W + 4 * D * G, U + 4 * H * G, gates + 4 * TB * G, c + (T + 1) * slot, h + (T + 1) * slot, lengths + 4 * TB];
      above(ends);
      const xt = arena.allocBytes(4 * (D + H) * TB);
      const cPart = cnorm2 !== 0 ? arena.allocBytes(8 * T * shares.length) : 0;
      pool.run(BWD, shares.map(([r0, r1], i) => [dc0, dgates, 0, cPart && cPart + 8 * T * i, dh, dc, U, gates, c, lengths, T, B, H, flags, act, ract, r0, r1]), raw.lstm_backward_rows);
      if (cnorm2 !== 0) {
        const p = new Float64Array(arena.memory.buffer, cPart, T * shares.length);
        const o = new Float64Array(arena.memory.buffer, cnorm2, T);
        for (let t = 0; t < T; t++) {
          let s = p[t];
          for (let i = 1; i < shares.length; i++) s += p[i * T + t];
          o[t] = s;
        }
      }
      // hnorm2[t] is the sum of squares of dh's output slot of time t, which the sweep finishes at step t and
      // never touches again: summed here over the whole slot, exactly as the one-thread kernel does.
      if (hnorm2 !== 0) {
        const o = new Float64Array(arena.memory.buffer, hnorm2, T);
        for (let t = 0; t < T; t++) o[t] = raw.sum_squares(dh + (reverse ? t : t + 1) * slot, B * H);
      }
      // Weight gradients: x and hPrev transposed once (threads take halves of the T·B rows), then dW, dU, db
      // by columns (each column sums all T·B rows, the same 32-row panels) and dx by row blocks.
      pool.run(TRANSPOSE_IN, splitRange(0, TB, n, 32).map(([k0, k1]) => [xt, x, hPrev, TB, D, H, k0, k1]), raw.recurrent_transpose_inputs_part);
      const cols = splitRange(0, G, n, 32);
      const dxRows = splitRange(0, TB, n, 4);
      const parts = Math.max(cols.length, dx !== 0 ? dxRows.length : 0);
      const shares2: number[][] = [];
      for (let i = 0; i < parts; i++) {
        const [j0, j1] = cols[i] ?? [0, 0];
        const [m0, m1] = dx !== 0 ? (dxRows[i] ?? [0, 0]) : [0, 0];
        shares2.push([dx, dW, dU, db, dgates, G, x, xt, W, hPrev, h0, lengths, T, B, D, H, G, flags, (flags & FLAG_ACCUMULATE_DX) !== 0 ? 1 : 0, j0, j1, m0, m1]);
      }
      pool.run(WGRAD_COLS, shares2, raw.recurrent_weight_gradients_cols);
    } finally {
      arena.release(mark);
    }
  };

  const gemm = (which: 0 | 1 | 2, own: RawKernels['gemm_nn']): RawKernels['gemm_nn'] => (C, A, B, M, N, K, m0, m1, accumulate) => {
    if (2 * (m1 - m0) * N * K < minFlops || m1 - m0 < 8) return own(C, A, B, M, N, K, m0, m1, accumulate);
    pool.run(GEMM_NN + which, splitRange(m0, m1, n, 4).map(([a, b]) => [C, A, B, M, N, K, a, b, accumulate]), own);
  };

  // Dense: forward by row blocks (the same export on offset pointers); backward by columns of the units
  // (dz, dW, db of those columns), then dx by row blocks once every column's dz exists.
  const dense_forward: RawKernels['dense_forward'] = (y, x, W, b, N, D, U, ldy, act) => {
    if (2 * N * D * U < minFlops || N < 8) return raw.dense_forward(y, x, W, b, N, D, U, ldy, act);
    pool.run(DENSE_FWD, splitRange(0, N, n, 4).map(([r0, r1]) => [y + 4 * r0 * ldy, x + 4 * r0 * D, W, b, r1 - r0, D, U, ldy, act]), raw.dense_forward);
  };
  const dense_backward: RawKernels['dense_backward'] = (dx, dW, db, dz, dy, x, W, y, N, D, U, ldy, act, acc) => {
    if (4 * N * D * U < minFlops || N < 8) return raw.dense_backward(dx, dW, db, dz, dy, x, W, y, N, D, U, ldy, act, acc);
    // dz first (rows) where the activation has a derivative; then dW by ROWS of D (each thread transposes
    // only its columns of x: split by unit columns, every thread transposed all of x and Dense(80) ran
    // 1.02x on 2 threads), db by columns and dx by rows, all in one job.
    if (act !== 0) pool.run(DENSE_DZ, splitRange(0, N, n, 4).map(([r0, r1]) => [dz, dy, y, U, ldy, act, r0, r1]), raw.dense_dz_rows);
    const g = act === 0 ? dy : dz; // ACT_LINEAR = 0: dz is dy itself
    const wRows = splitRange(0, D, n, 8), bCols = db !== 0 ? splitRange(0, U, n, 8) : [], xRows = dx !== 0 ? splitRange(0, N, n, 4) : [];
    const parts = Math.max(wRows.length, bCols.length, xRows.length);
    const shares: number[][] = [];
    for (let i = 0; i < parts; i++) {
      const [i0, i1] = wRows[i] ?? [0, 0], [j0, j1] = bCols[i] ?? [0, 0], [m0, m1] = xRows[i] ?? [0, 0];
      shares.push([dx, dW, db, g, x, W, N, D, U, ldy, acc, i0, i1, j0, j1, m0, m1]);
    }
    pool.run(DENSE_PART, shares, raw.dense_backward_part);
  };

  // Adam / AdamW: element ranges in multiples of 16 (each element's update is the same f32 maths in the
  // SIMD body and the scalar tail, so where a range ends changes no bit).
  const adamSplit = (i0: number, i1: number) => (i1 - i0) * FLOPS_PER_ADAM_ELEMENT < minFlops ? null : splitRange(i0, i1, n, 16);
  const adam_update: RawKernels['adam_update'] = (W, M, V, G, lr, beta1, beta2, epsilon, t, i0, i1) => {
    const parts = adamSplit(i0, i1);
    if (parts === null) return raw.adam_update(W, M, V, G, lr, beta1, beta2, epsilon, t, i0, i1);
    pool.run(ADAM, parts.map(([a, b]) => [W, M, V, G, lr, beta1, beta2, epsilon, t, a, b]), raw.adam_update);
  };
  const adamw_update: RawKernels['adamw_update'] = (W, M, V, G, lr, beta1, beta2, epsilon, t, weightDecay, i0, i1) => {
    const parts = adamSplit(i0, i1);
    if (parts === null) return raw.adamw_update(W, M, V, G, lr, beta1, beta2, epsilon, t, weightDecay, i0, i1);
    pool.run(ADAMW, parts.map(([a, b]) => [W, M, V, G, lr, beta1, beta2, epsilon, t, weightDecay, a, b]), raw.adamw_update);
  };

  return {
    ...raw,
    adam_update,
    adamw_update,
    dense_forward,
    dense_backward,
    lstm_forward,
    lstm_infer,
    lstm_backward,
    gemm_nn: gemm(0, raw.gemm_nn),
    gemm_tn: gemm(1, raw.gemm_tn),
    gemm_nt: gemm(2, raw.gemm_nt),
  };
}
