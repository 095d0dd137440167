// checkClose: element-wise |got - want| <= atol + rtol·|want|; on failure the message lists the first 5
// mismatches and the max abs difference, so a failing kernel test says where and by how much.
import * as assert from 'uvu/assert';

export function closeReport(label: string, got: ArrayLike<number>, want: ArrayLike<number>, atol: number, rtol: number): string | null {
  if (got.length !== want.length) return `${label}: length ${got.length} != expected ${want.length}`;
  let maxDiff = 0, maxAt = -1, bad = 0;
  const first: string[] = [];
  for (let i = 0; i < want.length; i++) {
    const g = got[i], w = want[i];
    const diff = Math.abs(g - w);
    const ok = diff <= atol + rtol * Math.abs(w) || (Number.isNaN(g) && Number.isNaN(w)) || g === w;
    if (diff > maxDiff || Number.isNaN(diff)) { maxDiff = Number.isNaN(diff) ? Infinity : diff; maxAt = i; }
    if (!ok) {
      bad++;
      if (first.length < 5) first.push(`  [${i}] got ${g}, want ${w}, diff ${diff}`);
    }
  }
  if (bad === 0) return null;
  return `${label}: ${bad}/${want.length} elements differ (atol ${atol}, rtol ${rtol}); max diff ${maxDiff} at [${maxAt}]\n${first.join('\n')}`;
}

export function checkClose(label: string, got: ArrayLike<number>, want: ArrayLike<number>, atol = 1e-5, rtol = 1e-5): void {
  const report = closeReport(label, got, want, atol, rtol);
  if (report) assert.unreachable(report);
}

/** Exact (bitwise for floats, NaN-aware) equality with the same reporting. */
export function checkEqual(label: string, got: ArrayLike<number>, want: ArrayLike<number>): void {
  checkClose(label, got, want, 0, 0);
}
