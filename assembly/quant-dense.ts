// Dense with int8 weights (inference only): y = act(x·W + b) with W int8 packed (quant-gemm.ts quant_pack)
// and per-column scales. Legend: N rows, D input width, U units, ldy the row stride of y.

import { biasAddStrided } from "./gemm-core";
import { ACT_LINEAR, activateInPlace } from "./math";
import { gemmQ8 } from "./quant-gemm";

/** y (N, U) stride ldy = act(x (N, D) · W + b); P, s: packed int8 W (D, U) and its U scales; b = 0: no bias. */
export function dense_q8_forward(y: usize, x: usize, P: usize, s: usize, b: usize, N: i32, D: i32, U: i32, ldy: i32, act: i32, qtmp: usize): void {
  gemmQ8(y, ldy, x, D, P, s, N, U, D, 0, N, 0, qtmp);
  if (b) biasAddStrided(y, ldy, b, N, U);
  if (act != ACT_LINEAR) {
    const ldy4 = <usize>ldy << 2;
    for (let r = 0; r < N; r++) activateInPlace(y + <usize>r * ldy4, U, act);
  }
}
