// LSTM inference split by UNITS across threads, one time step per call (bindings/threads/dispatch.ts runs
// it as a stepped job: every thread calls step k for its units, then all meet at a barrier).
//
// Why units and not batch rows: a row split makes every thread stream the whole recurrent matrix U (H, 4H;
// 1 MB at H = 256) at every step, from L3 once two cores share it, and cannot split B = 1 at all. Thread i
// owning units [u0, u1) (gate columns i, f, g, o [u0, u1)) reads only its column panels of the packed W and
// U, about (D + H)·4·(u1 - u0) floats (640 KB of 1.25 MB at H = 256 on 2 threads), which stay in its own
// core's L2 for all T steps. Per step it still needs all of h_{t-1}: the barrier between steps, and h
// ping-pongs between the caller's h and a second (B, H) buffer h2 (a thread writing h_t[u0:u1] must not
// overwrite h_{t-1}[u0:u1] that another thread may still be reading). c is per unit: updated in place.
//
// Bits: every gate column is summed by the same gemmPacked micro-kernels over the same k order, the input
// projection over the same row blocks (Tc steps at a time, as lstm_infer), and each unit's pointwise maths
// is lstmForwardRow's (lstmForwardRowUnits, shared with fused-rnn/infer's threaded stream): identical to lstm_infer for any split. Needs H % 32 == 0 and
// u0, u1 multiples of 32 (every gate's range is whole panels) and work != 0 (the packed layout).
// Legend: T steps, B batch, D input width, H units, G = 4H.

import { gemmPacked, packPanels } from "./packed-gemm";
import { biasAddStrided } from "./gemm-core";
import { FLAG_REVERSE, stepTime, rowState, stateRunEnd, ROW_LEADING, ROW_CARRY, copyRow, zeroRow } from "./recurrent-core";
import { lstmForwardRowUnits } from "./recurrent-rows";
import { FLAG_PREPACKED } from "./recurrent-packed";

// Floats of projected gates kept at once: must equal lstm.ts's PROJECT_FLOATS (same chunks, same row blocks).
const PROJECT_FLOATS: i32 = 1 << 16;

/**
 * Step k (0..T-1) of lstm_infer for units [u0, u1). Same arguments as lstm_infer, plus h2 (B, H): the
 * other state buffer (step k reads h_k from h when k is even, from h2 when odd, and writes the other).
 * Step 0 first packs this thread's panels of W and U into work (no other thread reads them; not with
 * FLAG_PREPACKED, when work already holds them). k = T (called
 * only when T is odd, after the last barrier): copies units [u0, u1) of the final state from h2 to h.
 */
export function lstm_infer_units(
  y: usize, h: usize, h2: usize, c: usize, scratch: usize, work: usize,
  x: usize, W: usize, U: usize, b: usize, lengths: usize,
  T: i32, B: i32, D: i32, H: i32, flags: i32, activation: i32, recurrentActivation: i32, u0: i32, u1: i32, k: i32
): void {
  const G = H << 2;
  const n = u1 - u0;
  const uo = <usize>u0 << 2;
  const rowH = <usize>H << 2, rowG = <usize>G << 2;
  if (k == T) {
    for (let r = 0; r < B; r++) copyRow(h + <usize>r * rowH + uo, h2 + <usize>r * rowH + uo, n);
    return;
  }
  const Up = work + (<usize>D * <usize>G << 2);
  if (k == 0 && (flags & FLAG_PREPACKED) == 0) {
    for (let q = 0; q < 4; q++) {
      const j0 = q * H + u0;
      packPanels(work + (<usize>j0 * <usize>D << 2), W + (<usize>j0 << 2), G, D, n);
      packPanels(Up + (<usize>j0 * <usize>H << 2), U + (<usize>j0 << 2), G, H, n);
    }
  }
  const reverse = (flags & FLAG_REVERSE) != 0;
  const t = stepTime(k, T, reverse);
  // The projected chunk holding step k: Tc steps from walk index k0, times [lo, lo + nc).
  const Tc = max<i32>(1, min<i32>(T, PROJECT_FLOATS / (B * G)));
  const k0 = k - k % Tc;
  const nc = min<i32>(Tc, T - k0);
  const lo = reverse ? stepTime(k0, T, reverse) - nc + 1 : k0;
  if (k == k0) {
    const xc = x + (<usize>lo * <usize>B * <usize>D << 2);
    for (let q = 0; q < 4; q++) {
      const j0 = q * H + u0;
      gemmPacked(scratch + (<usize>j0 << 2), G, xc, D, work + (<usize>j0 * <usize>D << 2), nc * B, n, D, 0, nc * B, 0);
      biasAddStrided(scratch + (<usize>j0 << 2), G, b + (<usize>j0 << 2), nc * B, n);
    }
  }
  const st = scratch + (<usize>(t - lo) * <usize>B * rowG);
  const odd = (k & 1) != 0;
  const hp = odd ? h2 : h, hn = odd ? h : h2;
  let b0 = 0;
  while (b0 < B) {
    const rs = rowState(lengths, b0, k, t, T, B, flags);
    const b1 = stateRunEnd(lengths, rs, b0, k, t, T, B, flags);
    if (rs == ROW_LEADING || rs == ROW_CARRY) {
      for (let r = b0; r < b1; r++) copyRow(hn + <usize>r * rowH + uo, hp + <usize>r * rowH + uo, n);
    } else {
      for (let q = 0; q < 4; q++) {
        const j0 = q * H + u0;
        gemmPacked(st + (<usize>j0 << 2), G, hp, H, Up + (<usize>j0 * <usize>H << 2), B, n, H, b0, b1, 1, odd);
      }
      for (let r = b0; r < b1; r++) {
        const cr = c + <usize>r * rowH;
        lstmForwardRowUnits(st + <usize>r * rowG, cr, cr, hn + <usize>r * rowH, H, u0, u1, activation, recurrentActivation);
      }
    }
    b0 = b1;
  }
  if (y != 0) {
    const yt = y + (<usize>t * <usize>B * rowH);
    for (let r = 0; r < B; r++) {
      const yr = yt + <usize>r * rowH + uo;
      if (lengths != 0 && rowState(lengths, r, k, t, T, B, flags) == ROW_LEADING) zeroRow(yr, n);
      else copyRow(yr, hn + <usize>r * rowH + uo, n);
    }
  }
}
