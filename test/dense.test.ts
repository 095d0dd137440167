// Dense (time-distributed over T·B rows): gradcheck of dx, dW, db for every activation on the f64
// reference; wasm SIMD / scalar / js vs the reference (SIMD == scalar bit for bit); padded row stride
// (padding never written); dz in place or separate; accumulateDx; bad input rejected before wasm runs.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { loadKernels, KernelArgumentError, type Kernels } from '../bindings/index.js';
import { ACTIVATIONS, type ActivationName } from '../bindings/reference/activations.js';
import { denseBackward, denseForward } from '../bindings/reference/dense.js';
import { checkClose, checkEqual } from './helpers/check-close.js';
import { uniform } from './helpers/random.js';
import { gradcheckArray } from './helpers/gradcheck.js';

const ACTS = Object.keys(ACTIVATIONS) as ActivationName[];

let simd: Kernels, scalar: Kernels, js: Kernels;
test.before(async () => {
  simd = await loadKernels({ variant: 'simd' });
  scalar = await loadKernels({ variant: 'scalar' });
  js = await loadKernels({ backend: 'js' });
});

/** Centred differences of loss() w.r.t. every element of p (shared helper; relative-error floor 1e-2). */
const gradcheck = (label: string, p: Float64Array, g: ArrayLike<number>, loss: () => number) => gradcheckArray(label, p, g, loss, { floor: 1e-2 });

for (const act of ACTS) {
  test(`dense ${act}: gradcheck of dx, dW, db (f64 reference, loss = Σ y ⊙ R)`, () => {
    const N = 4, D = 5, U = 3, ldy = 4, kind = ACTIVATIONS[act];
    const x = Float64Array.from(uniform(N * D, 1, -1.5, 1.5)), W = Float64Array.from(uniform(D * U, 2)), b = Float64Array.from(uniform(U, 3));
    const R = Float64Array.from(uniform(N * ldy, 4));
    for (let i = 0; i < N; i++) R[i * ldy + U] = 0;
    const loss = () => {
      const y = new Float64Array(N * ldy);
      denseForward(y, x, W, b, N, D, U, ldy, kind);
      return y.reduce((s, v, i) => s + v * R[i], 0);
    };
    const y = new Float64Array(N * ldy);
    denseForward(y, x, W, b, N, D, U, ldy, kind);
    const dx = new Float64Array(N * D), dW = new Float64Array(D * U), db = new Float64Array(U), dz = new Float64Array(N * ldy);
    denseBackward(dx, dW, db, dz, R, x, W, y, N, D, U, ldy, kind, false);
    gradcheck(`${act} dx`, x, dx, loss);
    gradcheck(`${act} dW`, W, dW, loss);
    gradcheck(`${act} db`, b, db, loss);
  });
}

interface Shape { lead: number[]; D: number; U: number; ldy: number }
const SHAPES: Shape[] = [
  { lead: [1], D: 1, U: 1, ldy: 1 },
  { lead: [1, 1], D: 5, U: 3, ldy: 3 },
  { lead: [3, 1], D: 7, U: 13, ldy: 16 },
  { lead: [2, 5], D: 33, U: 17, ldy: 17 },
  { lead: [37], D: 20, U: 40, ldy: 44 },
];

function runDense(k: Kernels, s: Shape, act: ActivationName, x: Float32Array, W: Float32Array, b: Float32Array, dy: Float32Array, dx0: Float32Array, acc: boolean, separateDz: boolean) {
  const a = k.arena;
  const mark = a.mark();
  const N = s.lead.reduce((p, d) => p * d, 1);
  const yShape = [...s.lead, s.ldy];
  const px = a.putF32(x), pW = a.putF32(W), pb = a.putF32(b), py = a.allocZeroed(N * s.ldy);
  const pdy = a.putF32(dy), pdx = a.putF32(dx0), pdW = a.putF32(new Float32Array(s.D * s.U).fill(0.5)), pdb = a.putF32(new Float32Array(s.U).fill(0.25));
  const pdz = separateDz ? a.allocZeroed(N * s.ldy) : pdy;
  const common = { x: { ptr: px, shape: [...s.lead, s.D] }, kernel: { ptr: pW, shape: [s.D, s.U] }, activation: act, rowStride: s.ldy };
  k.denseForward({ ...common, y: { ptr: py, shape: yShape }, bias: { ptr: pb, shape: [s.U] } });
  k.denseBackward({
    ...common, y: { ptr: py, shape: yShape }, dy: { ptr: pdy, shape: yShape }, dz: { ptr: pdz, shape: yShape },
    dx: { ptr: pdx, shape: [...s.lead, s.D] }, dKernel: { ptr: pdW, shape: [s.D, s.U] }, dBias: { ptr: pdb, shape: [s.U] }, accumulateDx: acc,
  });
  const out = { y: a.readF32(py, N * s.ldy), dx: a.readF32(pdx, N * s.D), dW: a.readF32(pdW, s.D * s.U), db: a.readF32(pdb, s.U), dz: a.readF32(pdz, N * s.ldy) };
  a.release(mark);
  return out;
}

for (const act of ACTS) {
  test(`dense ${act}: wasm simd, wasm scalar and js vs the reference; simd == scalar; padding untouched`, () => {
    for (const s of SHAPES) {
      const N = s.lead.reduce((p, d) => p * d, 1);
      const x = uniform(N * s.D, 11, -2, 2), W = uniform(s.D * s.U, 12), b = uniform(s.U, 13), dx0 = uniform(N * s.D, 15);
      const dy = uniform(N * s.ldy, 14);
      for (let i = 0; i < N; i++) for (let p = s.U; p < s.ldy; p++) dy[i * s.ldy + p] = 0;
      // reference in f64 on the same f32 inputs
      const y = new Float64Array(N * s.ldy);
      denseForward(y, x, W, b, N, s.D, s.U, s.ldy, ACTIVATIONS[act]);
      const results = [] as Array<ReturnType<typeof runDense>>;
      for (const acc of [false, true]) {
        const dx = Float64Array.from(dx0), dW = new Float64Array(s.D * s.U).fill(0.5), db = new Float64Array(s.U).fill(0.25);
        // The reference derives act' from the f32 output the kernels saved, exactly like the kernels.
        const y32 = Float64Array.from(Float32Array.from(y));
        denseBackward(dx, dW, db, new Float64Array(N * s.ldy), Float64Array.from(dy), x, W, y32, N, s.D, s.U, s.ldy, ACTIVATIONS[act], acc);
        for (const k of [simd, scalar, js]) {
          for (const separateDz of [false, true]) {
            const got = runDense(k, s, act, x, W, b, dy, dx0, acc, separateDz);
            const label = `${act} ${k.backend} lead=(${s.lead}) D=${s.D} U=${s.U} ldy=${s.ldy} acc=${acc} dz=${separateDz ? 'separate' : 'in place'}`;
            const tol = 3e-6 * Math.sqrt(s.D);
            checkClose(`${label} y`, got.y, y, tol, 1e-5);
            checkClose(`${label} dx`, got.dx, dx, tol, 1e-5);
            checkClose(`${label} dW`, got.dW, dW, 3e-6 * Math.sqrt(N), 1e-5);
            checkClose(`${label} db`, got.db, db, 3e-6 * Math.sqrt(N), 1e-5);
            for (let i = 0; i < N; i++) {
              for (let p = s.U; p < s.ldy; p++) {
                assert.is(got.y[i * s.ldy + p], 0, `${label}: padded lane y[${i}][${p}] written`);
                assert.is(got.dz[i * s.ldy + p], 0, `${label}: padded lane dz[${i}][${p}] written`);
              }
            }
            if (k !== js) results.push(got);
          }
        }
      }
      // Per acc: [simd in place, simd separate dz, scalar in place, scalar separate dz].
      assert.is(results.length, 8);
      for (let i = 0; i < 8; i += 4) {
        for (const o of [0, 1]) {
          for (const key of ['y', 'dx', 'dW', 'db'] as const) checkEqual(`${act} simd == scalar ${key}`, results[i + o][key], results[i + o + 2][key]);
        }
      }
    }
  });
}

test('dense: no bias, no dx (first layer), linear leaves dz untouched', () => {
  const a = simd.arena;
  const mark = a.mark();
  const N = 6, D = 4, U = 5;
  const x = uniform(N * D, 1), W = uniform(D * U, 2), dy = uniform(N * U, 3);
  const px = a.putF32(x), pW = a.putF32(W), py = a.alloc(N * U), pdy = a.putF32(dy), pdW = a.allocZeroed(D * U), pdz = a.putF32(new Float32Array(N * U).fill(4));
  simd.denseForward({ y: { ptr: py, shape: [N, U] }, x: { ptr: px, shape: [N, D] }, kernel: { ptr: pW, shape: [D, U] } });
  const y = new Float64Array(N * U);
  denseForward(y, x, W, null, N, D, U, U, 0);
  checkClose('no-bias y', a.readF32(py, N * U), y, 1e-6, 1e-6);
  simd.denseBackward({ y: { ptr: py, shape: [N, U] }, x: { ptr: px, shape: [N, D] }, kernel: { ptr: pW, shape: [D, U] }, dy: { ptr: pdy, shape: [N, U] },
    dz: { ptr: pdz, shape: [N, U] }, dKernel: { ptr: pdW, shape: [D, U] } });
  const dW = new Float64Array(D * U);
  denseBackward(null, dW, null, new Float64Array(N * U), dy, x, W, y, N, D, U, U, 0, false);
  checkClose('dW without dx/db', a.readF32(pdW, D * U), dW, 1e-6, 1e-6);
  assert.ok(a.readF32(pdz, N * U).every((v) => v === 4), 'linear activation: dz is not written');
  a.release(mark);
});

test('dense: bad input is rejected with a message naming the argument; memory unchanged', () => {
  const a = simd.arena;
  const mark = a.mark();
  const N = 3, D = 4, U = 5;
  const px = a.putF32(uniform(N * D, 1)), pW = a.putF32(uniform(D * U, 2)), pb = a.putF32(uniform(U, 3)), py = a.putF32(new Float32Array(N * U).fill(8));
  const base = { y: { ptr: py, shape: [N, U] }, x: { ptr: px, shape: [N, D] }, kernel: { ptr: pW, shape: [D, U] }, bias: { ptr: pb, shape: [U] } };
  const expectError = (fn: () => unknown, re: RegExp) => {
    try { fn(); } catch (e) {
      assert.instance(e, KernelArgumentError);
      assert.match((e as Error).message, re);
      assert.ok(a.readF32(py, N * U).every((v) => v === 8), 'y unchanged');
      return;
    }
    assert.unreachable(`expected an error matching ${re}`);
  };
  expectError(() => simd.denseForward({ ...base, x: { ptr: px, shape: [N, D + 1] } }), /^dense_forward: argument x = \d+ has shape \(3, 5\), expected \(N, D\) = \(3, 4\)$/);
  expectError(() => simd.denseForward({ ...base, y: { ptr: py, shape: [N, U + 1] } }), /argument y = \d+ has shape \(3, 6\), expected \(N, U\) = \(3, 5\)/);
  expectError(() => simd.denseForward({ ...base, bias: { ptr: pb, shape: [U - 1] } }), /argument bias = \d+ has shape \(4\), expected \(U\) = \(5\)/);
  expectError(() => simd.denseForward({ ...base, activation: 'gelu' as never }), /argument activation = "gelu" must be one of/);
  expectError(() => simd.denseForward({ ...base, rowStride: 4 }), /argument rowStride = 4 must be >= U = 5/);
  expectError(() => simd.denseForward({ ...base, y: { ptr: px, shape: [N, U] } }), /argument y = \d+ \(bytes .*overlaps input x/);
  expectError(() => simd.denseForward({ ...base, x: { ptr: px, shape: [N, 0] } }), /argument x.shape\[1\] = 0 must be a positive integer|has shape/);
  expectError(() => simd.denseBackward({ ...base, dy: { ptr: py, shape: [N, U] }, dKernel: { ptr: pW, shape: [D, U] } }),
    /^dense_backward: argument dKernel = \d+ \(bytes .*overlaps input kernel/);
  a.release(mark);
});

test.run();
