// tfjs masks (B, T) → what the fused kernels take: per-sample lengths on one side (docs/recurrent-abi.md,
// "Variable lengths"). A mask whose every row is "ones then zeros" is right padding, "zeros then ones" left
// padding (all-ones and all-zeros rows fit both); anything else has gaps and cannot be expressed as lengths.
// Legend: B batch, T steps.

/** How the kernels see a mask: no masking, lengths on one side, or not expressible as lengths. */
export type MaskPlan =
  | { kind: 'none' }
  | { kind: 'lengths'; lengths: Int32Array; leftPadded: boolean }
  | { kind: 'gaps'; row: number };

/** Classifies a (B, T) mask given as B·T numbers (non-zero = valid step). */
export function planMask(mask: ArrayLike<number | boolean>, B: number, T: number): MaskPlan {
  if (mask.length !== B * T) throw new Error(`fused-rnn/tfjs: mask has ${mask.length} values, expected (B, T) = (${B}, ${T})`);
  const lengths = new Int32Array(B);
  let right = true, left = true, full = true;
  let firstBad = -1;
  for (let b = 0; b < B; b++) {
    let n = 0;
    for (let t = 0; t < T; t++) if (mask[b * T + t]) n++;
    lengths[b] = n;
    if (n !== T) full = false;
    let isRight = true, isLeft = true;
    for (let t = 0; t < T; t++) {
      const on = !!mask[b * T + t];
      if (on !== t < n) isRight = false;
      if (on !== t >= T - n) isLeft = false;
    }
    right &&= isRight;
    left &&= isLeft;
    if (!isRight && !isLeft && firstBad < 0) firstBad = b;
    if (!right && !left) return { kind: 'gaps', row: firstBad >= 0 ? firstBad : b };
  }
  if (full) return { kind: 'none' };
  return { kind: 'lengths', lengths, leftPadded: !right };
}
