// Conv1D (time-major): Keras output lengths, gradchecks of dx, dKernel, dBias for every padding mode with
// strides and dilation on the f64 reference, wasm SIMD / scalar / js vs the reference (SIMD == scalar bit
// for bit), and bad input rejected before wasm runs.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { loadKernels, KernelArgumentError, type Kernels } from '../bindings/index.js';
import { ACTIVATIONS, type ActivationName } from '../bindings/reference/activations.js';
import { conv1dBackward, conv1dForward, conv1dGeometry, type ConvPadding } from '../bindings/reference/conv1d.js';
import { checkClose, checkEqual } from './helpers/check-close.js';
import { uniform } from './helpers/random.js';
import { gradcheckArray } from './helpers/gradcheck.js';

let simd: Kernels, scalar: Kernels, js: Kernels;
test.before(async () => {
  simd = await loadKernels({ variant: 'simd' });
  scalar = await loadKernels({ variant: 'scalar' });
  js = await loadKernels({ backend: 'js' });
});

const PADDINGS: ConvPadding[] = ['valid', 'same', 'causal'];

test('conv1d geometry: Keras/TensorFlow output lengths and left padding', () => {
  // [T, K, strides, dilation, padding, To, padL]; To from keras conv_utils / tf.nn.convolution.
  const cases: Array<[number, number, number, number, ConvPadding, number, number]> = [
    [10, 3, 1, 1, 'valid', 8, 0], [10, 3, 1, 1, 'same', 10, 1], [10, 3, 1, 1, 'causal', 10, 2],
    [10, 3, 2, 1, 'valid', 4, 0], [10, 3, 2, 1, 'same', 5, 0], [10, 3, 2, 1, 'causal', 5, 2],
    [10, 3, 1, 2, 'valid', 6, 0], [10, 3, 1, 2, 'same', 10, 2], [10, 3, 1, 2, 'causal', 10, 4],
    [5, 3, 2, 1, 'same', 3, 1], [5, 4, 1, 1, 'same', 5, 1], [1, 1, 1, 1, 'valid', 1, 0], [1, 5, 3, 2, 'same', 1, 4],
    [7, 2, 3, 2, 'valid', 2, 0], [2, 3, 1, 1, 'valid', 0, 0],
  ];
  for (const [T, K, s, d, p, To, padL] of cases) {
    assert.equal(conv1dGeometry(T, K, s, d, p), { To, padL }, `T=${T} K=${K} s=${s} d=${d} ${p}`);
  }
});

/** Centred differences of loss() w.r.t. every element of p (shared helper; relative-error floor 1e-2). */
const gradcheck = (label: string, p: Float64Array, g: ArrayLike<number>, loss: () => number) => gradcheckArray(label, p, g, loss, { floor: 1e-2 });

const GEOMS: Array<[number, number]> = [[1, 1], [2, 1], [1, 2], [3, 2]]; // [strides, dilation]

for (const padding of PADDINGS) {
  test(`conv1d ${padding}: gradcheck of dx, dKernel, dBias with strides and dilation (f64 reference)`, () => {
    const T = 8, B = 2, C = 3, F = 2, K = 3;
    for (const [s, d] of GEOMS) {
      for (const act of ['linear', 'tanh'] as ActivationName[]) {
        const { To, padL } = conv1dGeometry(T, K, s, d, padding);
        const kind = ACTIVATIONS[act];
        const x = Float64Array.from(uniform(T * B * C, 1)), W = Float64Array.from(uniform(K * C * F, 2)), b = Float64Array.from(uniform(F, 3));
        const R = Float64Array.from(uniform(To * B * F, 4));
        const loss = () => {
          const y = new Float64Array(To * B * F);
          conv1dForward(y, x, W, b, T, B, C, F, K, To, s, d, padL, kind);
          return y.reduce((acc, v, i) => acc + v * R[i], 0);
        };
        const y = new Float64Array(To * B * F);
        conv1dForward(y, x, W, b, T, B, C, F, K, To, s, d, padL, kind);
        const dx = new Float64Array(T * B * C), dW = new Float64Array(K * C * F), db = new Float64Array(F);
        conv1dBackward(dx, dW, db, new Float64Array(To * B * F), R, x, W, y, T, B, C, F, K, To, s, d, padL, kind, false);
        const label = `${padding} s=${s} d=${d} ${act}`;
        gradcheck(`${label} dx`, x, dx, loss);
        gradcheck(`${label} dKernel`, W, dW, loss);
        gradcheck(`${label} dBias`, b, db, loss);
      }
    }
  });
}

interface Shape { T: number; B: number; C: number; F: number; K: number }
const SHAPES: Shape[] = [
  { T: 1, B: 1, C: 1, F: 1, K: 1 },
  { T: 5, B: 1, C: 3, F: 5, K: 2 },
  { T: 9, B: 3, C: 7, F: 13, K: 3 },
  { T: 12, B: 2, C: 16, F: 9, K: 5 },
  { T: 20, B: 5, C: 10, F: 33, K: 4 },
];

function runConv(k: Kernels, sh: Shape, s: number, d: number, padding: ConvPadding, act: ActivationName, x: Float32Array, W: Float32Array, b: Float32Array, dy: Float32Array, dx0: Float32Array, acc: boolean) {
  const { T, B, C, F, K } = sh;
  const { To } = conv1dGeometry(T, K, s, d, padding);
  const a = k.arena;
  const mark = a.mark();
  const px = a.putF32(x), pW = a.putF32(W), pb = a.putF32(b), py = a.alloc(To * B * F), pdy = a.putF32(dy), pdx = a.putF32(dx0);
  const pdW = a.putF32(new Float32Array(K * C * F).fill(0.5)), pdb = a.allocZeroed(F);
  const cfg = { strides: s, dilationRate: d, padding, activation: act, x: { ptr: px, shape: [T, B, C] }, kernel: { ptr: pW, shape: [K, C, F] } };
  k.conv1dForward({ ...cfg, y: { ptr: py, shape: [To, B, F] }, bias: { ptr: pb, shape: [F] } });
  k.conv1dBackward({ ...cfg, y: { ptr: py, shape: [To, B, F] }, dy: { ptr: pdy, shape: [To, B, F] }, dx: { ptr: pdx, shape: [T, B, C] },
    dKernel: { ptr: pdW, shape: [K, C, F] }, dBias: { ptr: pdb, shape: [F] }, accumulateDx: acc });
  const out = { y: a.readF32(py, To * B * F), dx: a.readF32(pdx, T * B * C), dW: a.readF32(pdW, K * C * F), db: a.readF32(pdb, F) };
  a.release(mark);
  return out;
}

for (const padding of PADDINGS) {
  test(`conv1d ${padding}: wasm simd, wasm scalar and js vs the reference; simd == scalar`, () => {
    for (const sh of SHAPES) {
      for (const [s, d] of GEOMS) {
        const { T, B, C, F, K } = sh;
        const { To, padL } = conv1dGeometry(T, K, s, d, padding);
        if (To < 1) continue;
        for (const act of ['linear', 'relu'] as ActivationName[]) {
          const acc = s === 2;
          const x = uniform(T * B * C, T + C), W = uniform(K * C * F, F + K), b = uniform(F, 3), dy = uniform(To * B * F, 4), dx0 = uniform(T * B * C, 5);
          const y = new Float64Array(To * B * F);
          conv1dForward(y, x, W, b, T, B, C, F, K, To, s, d, padL, ACTIVATIONS[act]);
          const dx = Float64Array.from(dx0), dW = new Float64Array(K * C * F).fill(0.5), db = new Float64Array(F);
          conv1dBackward(dx, dW, db, new Float64Array(To * B * F), Float64Array.from(dy), x, W, Float64Array.from(Float32Array.from(y)),
            T, B, C, F, K, To, s, d, padL, ACTIVATIONS[act], acc);
          const got = [simd, scalar, js].map((k) => runConv(k, sh, s, d, padding, act, x, W, b, dy, dx0, acc));
          const label = `T=${T} B=${B} C=${C} F=${F} K=${K} s=${s} d=${d} ${act} acc=${acc}`;
          const tol = 3e-6 * Math.sqrt(K * C), tolW = 3e-6 * Math.sqrt(To * B);
          got.forEach((g, i) => {
            const who = ['simd', 'scalar', 'js'][i];
            checkClose(`${who} ${label} y`, g.y, y, tol, 1e-5);
            checkClose(`${who} ${label} dx`, g.dx, dx, 3e-6 * Math.sqrt(K * F), 1e-5);
            checkClose(`${who} ${label} dKernel`, g.dW, dW, tolW, 1e-5);
            checkClose(`${who} ${label} dBias`, g.db, db, tolW, 1e-5);
          });
          for (const key of ['y', 'dx', 'dW', 'db'] as const) checkEqual(`simd == scalar ${label} ${key}`, got[0][key], got[1][key]);
        }
      }
    }
  });
}

test('conv1d: bad input is rejected with a message naming the argument; memory unchanged', () => {
  const a = simd.arena;
  const mark = a.mark();
  const T = 4, B = 2, C = 3, F = 5, K = 3;
  const px = a.putF32(uniform(T * B * C, 1)), pW = a.putF32(uniform(K * C * F, 2)), py = a.putF32(new Float32Array(T * B * F).fill(6));
  const base = { x: { ptr: px, shape: [T, B, C] }, kernel: { ptr: pW, shape: [K, C, F] }, y: { ptr: py, shape: [T - 2, B, F] } };
  const expectError = (fn: () => unknown, re: RegExp) => {
    try { fn(); } catch (e) {
      assert.instance(e, KernelArgumentError);
      assert.match((e as Error).message, re);
      assert.ok(a.readF32(py, T * B * F).every((v) => v === 6), 'y unchanged');
      return;
    }
    assert.unreachable(`expected an error matching ${re}`);
  };
  expectError(() => simd.conv1dForward({ ...base, y: { ptr: py, shape: [T, B, F] } }), /^conv1d_forward: argument y = \d+ has shape \(4, 2, 5\), expected \(To, B, F\) = \(2, 2, 5\)$/);
  expectError(() => simd.conv1dForward({ ...base, dilationRate: 2 }), /argument x = \d+ has T = 4 steps, fewer than the dilated kernel width \(K − 1\)·dilationRate \+ 1 = 5 \('valid' padding\)/);
  expectError(() => simd.conv1dForward({ ...base, padding: 'full' as never }), /argument padding = "full" must be 'valid', 'same' or 'causal'/);
  expectError(() => simd.conv1dForward({ ...base, strides: 0 }), /argument strides = 0 must be a positive integer/);
  expectError(() => simd.conv1dForward({ ...base, kernel: { ptr: pW, shape: [K, C + 1, F] } }), /argument x = \d+ has shape \(4, 2, 3\), expected \(T, B, C\) = \(4, 2, 4\)/);
  expectError(() => simd.conv1dForward({ ...base, x: { ptr: px, shape: [B, T * C] } }), /argument x = \d+ must be a tensor reference with shape \(T, B, C\) \(time-major\)/);
  expectError(() => simd.conv1dForward({ ...base, y: { ptr: px, shape: [T - 2, B, F] } }), /argument y = \d+ \(bytes .*overlaps input x/);
  a.release(mark);
});

test.run();
