// Per-step gradient norms of the recurrent backward kernels (hnorm2, cnorm2: (T) f64) over the whole float
// range (issue 16, finding 12: kept as f32 squares they underflowed to 0 below ‖dL/dh_t‖ ≈ 1e-19).
// The bar: equal to the float64 norms of the same float32 gradients (the kernel's own dh) within 1e-6
// relative, from subnormal gradients (1e-41) to 1e30, for every cell, SIMD and scalar builds.
// Legend: T steps, B batch, D input width, H units.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { loadKernels, type Kernels } from '../bindings/index.js';
import { checkClose, checkEqual } from './helpers/check-close.js';
import { CELLS, outSlot, problem, runKernels, type Problem } from './helpers/recurrent-cells.js';
import { gappyMask } from './helpers/rnn-problem.js';

let simd: Kernels, scalar: Kernels;
test.before(async () => {
  simd = await loadKernels();
  scalar = await loadKernels({ variant: 'scalar' });
});

/** The problem with every upstream gradient (dL/dh outputs and dL/d(final c)) multiplied by s. */
const scaled = (p: Problem, s: number): Problem => ({ ...p, R: p.R.map((v) => v * s), Rc: p.Rc.map((v) => v * s) });

/** Σ over the (B, H) output-slot rows of time t of the kernel's own total dL/dh, squared, in f64. */
function ownNorms2(p: Problem, dh: ArrayLike<number>): Float64Array {
  const BH = p.B * p.H;
  return Float64Array.from({ length: p.T }, (_, t) => {
    let s = 0;
    for (let i = 0; i < BH; i++) s += dh[outSlot(p, t) * BH + i] ** 2;
    return s;
  });
}

test('hnorm2 equals the f64 norms² of the kernel\'s own dh within 1e-6 relative, from 1e-41 (subnormal) to 1e30, every cell, SIMD and scalar', () => {
  for (const c of CELLS) {
    for (const k of [simd, scalar]) {
      const T = 12, B = 5, D = 4, H = 7;
      const base = problem(c, T, B, D, H, 3, false, gappyMask(T, B, 4));
      for (const s of [1e-41, 1e-36, 1e-30, 1e-25, 1e-19, 1e-10, 1, 1e10, 1e20, 1e30]) {
        const p = scaled(base, s);
        const r = runKernels(k, c, p);
        const want = ownNorms2(p, r.dh);
        const label = `${k.backend} ${c.label} scale ${s}`;
        // the norms, not their squares: ‖g‖ = sqrt(hnorm2) vs sqrt(Σ g²)
        checkClose(`${label} ‖dL/dh_t‖`, Array.from(r.hnorm2, Math.sqrt), Array.from(want, Math.sqrt), 0, 1e-6);
        checkClose(`${label} ‖dL/dh_t‖²`, r.hnorm2, want, 0, 1e-6);
        assert.ok(want.some((v) => v > 0), `${label}: the case has non-zero gradients`);
        if (s <= 1e-25) assert.ok(r.hnorm2.every((v, t) => want[t] === 0 || v > 0), `${label}: no norm underflows to 0`);
      }
    }
  }
});

test('hnorm2 and cnorm2 scale exactly: gradients × 2^±100 (≈ 1e∓30) give norms² × 2^±200, bit for bit, every cell', () => {
  for (const c of CELLS) {
    for (const reverse of [false, true]) {
      const T = 9, B = 6, D = 5, H = 9;
      const p = problem(c, T, B, D, H, 7, reverse, gappyMask(T, B, 8));
      const one = runKernels(simd, c, p);
      for (const e of [-100, -60, 60, 100]) {
        // multiplying by a power of 2 is exact in f32 as long as nothing leaves the normal range, so every
        // gradient (and so every norm²) scales exactly
        const r = runKernels(simd, c, scaled(p, 2 ** e));
        const label = `${c.label} reverse=${reverse} 2^${e}`;
        checkEqual(`${label} dh`, r.dh, Float32Array.from(one.dh, (v) => v * 2 ** e));
        checkEqual(`${label} hnorm2`, r.hnorm2, Float64Array.from(one.hnorm2, (v) => v * 2 ** (2 * e)));
        if (one.cnorm2) checkEqual(`${label} cnorm2`, r.cnorm2!, Float64Array.from(one.cnorm2, (v) => v * 2 ** (2 * e)));
        assert.ok(r.hnorm2.some((v) => v > 0) && r.hnorm2.every(Number.isFinite), `${label}: finite non-zero norms`);
      }
    }
  }
});

test('hnorm2 / cnorm2 must be 8-byte aligned f64 buffers: a misaligned or too short one is a KernelArgumentError', async () => {
  const { KernelArgumentError } = await import('../bindings/index.js');
  const c = CELLS[0];
  const p = problem(c, 3, 2, 2, 3, 9, false, null);
  const a = simd.arena;
  const mark = a.mark();
  const base = a.alloc(64);
  const run = (hnorm2: { ptr: number; shape: number[] }) => {
    const { T, B, D, H } = p;
    const put = (v: ArrayLike<number>, shape: number[]) => ({ ptr: a.putF32(v), shape });
    const h = put(new Float32Array((T + 1) * B * H), [T + 1, B, H]), cs = put(new Float32Array((T + 1) * B * H), [T + 1, B, H]);
    const gates = put(new Float32Array(T * B * 4 * H), [T, B, 4 * H]);
    const x = put(p.x, [T, B, D]), W = put(p.W, [D, 4 * H]), U = put(p.U, [H, 4 * H]), b = put(p.b, [4 * H]);
    simd.lstmForward({ T, B, D, H, h, c: cs, gates, x, W, U, b });
    simd.lstmBackward({
      T, B, D, H, x, W, U, gates, c: cs, h, hnorm2, dW: put(new Float32Array(D * 4 * H), [D, 4 * H]), dU: put(new Float32Array(H * 4 * H), [H, 4 * H]),
      db: put(new Float32Array(4 * H), [4 * H]), dc0: put(new Float32Array(B * H), [B, H]), dgates: put(new Float32Array(T * B * 4 * H), [T, B, 4 * H]),
      dh: put(new Float32Array((T + 1) * B * H), [T + 1, B, H]), dc: put(new Float32Array(B * H), [B, H]),
    });
  };
  try {
    run({ ptr: base + 4, shape: [3] });
    assert.unreachable('misaligned hnorm2 accepted');
  } catch (err) {
    assert.instance(err, KernelArgumentError);
    assert.match((err as Error).message, /lstm_backward: argument hnorm2 = \d+ is not 8-byte aligned \(it holds f64\)/);
  }
  try {
    run({ ptr: a.byteLength - 16, shape: [3] });
    assert.unreachable('hnorm2 past the end accepted');
  } catch (err) {
    assert.instance(err, KernelArgumentError);
    assert.match((err as Error).message, /argument hnorm2 = \d+ with 6 elements ends at byte \d+, beyond memory/);
  }
  a.release(mark);
});

test.run();
