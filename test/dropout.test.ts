// Dropout: masks from the one seeded generator are bit-identical in wasm SIMD, wasm scalar, the js backend
// and src/random.ts (and leave the generator in the same state); forward/backward vs the reference, per-
// sequence (B, H) masks broadcast over T, gradcheck on the f64 reference, bad input rejected.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { loadKernels, KernelArgumentError, type Kernels } from '../bindings/index.js';
import { dropoutBackward, dropoutForward } from '../bindings/reference/dropout.js';
import { Random, fillDropoutMask } from '../src/random.js';
import { checkClose, checkEqual } from './helpers/check-close.js';
import { uniform } from './helpers/random.js';

let simd: Kernels, scalar: Kernels, js: Kernels;
test.before(async () => {
  simd = await loadKernels({ variant: 'simd' });
  scalar = await loadKernels({ variant: 'scalar' });
  js = await loadKernels({ backend: 'js' });
});

function mask(k: Kernels, shape: number[], rate: number, random: Random): Float32Array {
  const a = k.arena;
  const mark = a.mark();
  const n = shape.reduce((p, d) => p * d, 1);
  const pm = a.putF32(new Float32Array(n).fill(-1)), ps = a.alloc(4);
  k.dropoutMask({ mask: { ptr: pm, shape }, rate, random, state: ps });
  const out = a.readF32(pm, n);
  a.release(mark);
  return out;
}

test('dropout mask: identical bits in wasm simd, wasm scalar, js and src/random.ts; generator state advanced alike', () => {
  for (const [shape, rate] of [[[1], 0.5], [[3, 5], 0.25], [[4, 9, 13], 0.5], [[1000, 37], 0.9], [[7], 0]] as Array<[number[], number]>) {
    const n = shape.reduce((p, d) => p * d, 1);
    const want = new Float32Array(n);
    const tsRandom = new Random(2024);
    fillDropoutMask(want, tsRandom, rate);
    const next = tsRandom.nextU32();
    for (const k of [simd, scalar, js]) {
      const r = new Random(2024);
      const got = mask(k, shape, rate, r);
      checkEqual(`${k.backend} mask (${shape}) rate ${rate}`, got, want);
      assert.is(r.nextU32(), next, `${k.backend}: generator state after the mask`);
    }
    if (rate === 0) assert.ok(want.every((v) => v === 1), 'rate 0 keeps everything with scale 1');
  }
});

test('dropout mask: the kept fraction is 1 − rate and kept values are exactly f32(1/(1 − rate))', () => {
  const rate = 0.3, n = 100000;
  const m = mask(simd, [n], rate, new Random(1));
  const kept = m.filter((v) => v !== 0);
  assert.ok(kept.every((v) => v === Math.fround(1 / 0.7)), 'scale');
  assert.ok(Math.abs(kept.length / n - 0.7) < 5 * Math.sqrt(0.21 / n), `kept ${kept.length / n}`);
});

test('dropout: gradcheck of dx on the f64 reference (y = x ⊙ mask broadcast over T, loss = Σ y ⊙ R)', () => {
  const T = 3, n = 6;
  const m = Float64Array.from(mask(simd, [n], 0.5, new Random(4)));
  const x = Float64Array.from(uniform(T * n, 1)), R = Float64Array.from(uniform(T * n, 2));
  const loss = () => { const y = new Float64Array(T * n); dropoutForward(y, x, m, T, n); return y.reduce((s, v, i) => s + v * R[i], 0); };
  const dx = new Float64Array(T * n);
  dropoutBackward(dx, R, m, T, n, false);
  const h = 1e-5;
  for (let i = 0; i < x.length; i++) {
    const x0 = x[i];
    x[i] = x0 + h; const lp = loss();
    x[i] = x0 - h; const lm = loss();
    x[i] = x0;
    const num = (lp - lm) / (2 * h);
    assert.ok(Math.abs(num - dx[i]) / Math.max(Math.abs(num), Math.abs(dx[i]), 1e-2) < 1e-6, `dx[${i}] ${dx[i]} vs ${num}`);
  }
});

test('dropout forward/backward: full-shape and per-sequence (B, H) masks, in place, accumulate; all backends agree', () => {
  for (const [T, B, H] of [[1, 1, 1], [5, 3, 7], [4, 2, 16], [2, 9, 13]]) {
    for (const perSequence of [false, true]) {
      const mShape = perSequence ? [B, H] : [T, B, H];
      const n = mShape.reduce((p, d) => p * d, 1), R = perSequence ? T : 1;
      const m = mask(simd, mShape, 0.4, new Random(T * 10 + B));
      const x = uniform(T * B * H, 5), dy = uniform(T * B * H, 6), dx0 = uniform(T * B * H, 7);
      const y = new Float32Array(T * B * H), dxA = Float32Array.from(dx0), dxW = new Float32Array(T * B * H);
      dropoutForward(y, x, m, R, n);
      dropoutBackward(dxA, dy, m, R, n, true);
      dropoutBackward(dxW, dy, m, R, n, false);
      if (perSequence) for (let t = 0; t < T; t++) for (let i = 0; i < n; i++) assert.is(y[t * n + i] === 0, m[i] === 0 || x[t * n + i] === 0, 'same mask at every step');
      for (const k of [simd, scalar, js]) {
        const a = k.arena;
        const mark = a.mark();
        const shape = [T, B, H];
        const pm = a.putF32(m), px = a.putF32(x), py = a.alloc(T * B * H), pdy = a.putF32(dy), pdx = a.putF32(dx0);
        k.dropoutForward({ y: { ptr: py, shape }, x: { ptr: px, shape }, mask: { ptr: pm, shape: mShape } });
        checkEqual(`${k.backend} y (${shape}) mask (${mShape})`, a.readF32(py, T * B * H), y);
        k.dropoutForward({ y: { ptr: px, shape }, x: { ptr: px, shape }, mask: { ptr: pm, shape: mShape } });
        checkEqual(`${k.backend} y in place`, a.readF32(px, T * B * H), y);
        k.dropoutBackward({ dx: { ptr: pdx, shape }, dy: { ptr: pdy, shape }, mask: { ptr: pm, shape: mShape }, accumulate: true });
        // dx0 + dy·m: f32 rounds the product before the add, the reference (f64 maths) only once at the end.
        checkClose(`${k.backend} dx accumulate`, a.readF32(pdx, T * B * H), dxA, 2.4e-7, 2.4e-7);
        k.dropoutBackward({ dx: { ptr: pdy, shape }, dy: { ptr: pdy, shape }, mask: { ptr: pm, shape: mShape } });
        checkEqual(`${k.backend} dx in place`, a.readF32(pdy, T * B * H), dxW);
        a.release(mark);
      }
    }
  }
});

test('dropout: bad input is rejected with a message naming the argument; memory unchanged', () => {
  const a = simd.arena;
  const mark = a.mark();
  const pm = a.putF32(new Float32Array(12).fill(5)), ps = a.alloc(4), px = a.putF32(uniform(24, 1));
  const r = new Random(1);
  const state = r.getState();
  const expectError = (fn: () => unknown, re: RegExp) => {
    try { fn(); } catch (e) {
      assert.instance(e, KernelArgumentError);
      assert.match((e as Error).message, re);
      assert.ok(a.readF32(pm, 12).every((v) => v === 5), 'mask unchanged');
      checkEqual('generator state unchanged', r.getState(), state);
      return;
    }
    assert.unreachable(`expected an error matching ${re}`);
  };
  const m = { ptr: pm, shape: [3, 4] };
  expectError(() => simd.dropoutMask({ mask: m, rate: 1, random: r, state: ps }), /^dropout_mask: argument rate = 1 must be a number in \[0, 1\)$/);
  expectError(() => simd.dropoutMask({ mask: m, rate: -0.1, random: r, state: ps }), /argument rate = -0.1 must be/);
  expectError(() => simd.dropoutMask({ mask: m, rate: NaN, random: r, state: ps }), /argument rate = NaN must be/);
  expectError(() => simd.dropoutMask({ mask: m, rate: 0.5, random: {} as never, state: ps }), /argument random = \[object Object\] must be a Random/);
  expectError(() => simd.dropoutMask({ mask: m, rate: 0.5, random: r, state: pm + 4 }), /argument mask = \d+ \(bytes .*overlaps input state/);
  expectError(() => simd.dropoutForward({ y: { ptr: px, shape: [2, 3, 4] }, x: { ptr: px, shape: [2, 3, 4] }, mask: { ptr: pm, shape: [4, 3] } }),
    /^dropout_forward: argument mask = \d+ has shape \(4, 3\), expected \(2, 3, 4\) or \(3, 4\) \(one mask per sequence\)$/);
  expectError(() => simd.dropoutForward({ y: { ptr: px + 4, shape: [2, 3, 4] }, x: { ptr: px, shape: [2, 3, 4] }, mask: m }), /argument y = \d+ \(bytes .*overlaps input x/);
  expectError(() => simd.dropoutBackward({ dx: { ptr: px, shape: [2, 3, 4] }, dy: { ptr: px, shape: [2, 3, 4] }, mask: m, accumulate: true }),
    /^dropout_backward: argument dx = \d+ \(bytes .*overlaps input dy/);
  a.release(mark);
});

test.run();
