// 1-D pooling (time-major): Keras output lengths, gradchecks of every pooling backward on the f64
// reference, first-max tie rule, wasm SIMD / scalar / js vs the reference (SIMD == scalar bit for bit),
// and bad input (including corrupted argmax) rejected before wasm runs.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { loadKernels, KernelArgumentError, type Kernels } from '../bindings/index.js';
import * as ref from '../bindings/reference/pooling.js';
import { pool1dGeometry, type PoolPadding } from '../bindings/reference/pooling.js';
import { checkClose, checkEqual } from './helpers/check-close.js';
import { uniform } from './helpers/random.js';
import { gradcheckArray } from './helpers/gradcheck.js';

let simd: Kernels, scalar: Kernels, js: Kernels;
test.before(async () => {
  simd = await loadKernels({ variant: 'simd' });
  scalar = await loadKernels({ variant: 'scalar' });
  js = await loadKernels({ backend: 'js' });
});

test('pooling geometry: Keras output lengths (valid: floor((T − P)/S) + 1, same: ceil(T/S))', () => {
  const cases: Array<[number, number, number, PoolPadding, number, number]> = [
    [10, 2, 2, 'valid', 5, 0], [10, 3, 2, 'valid', 4, 0], [10, 3, 2, 'same', 5, 0], [10, 3, 1, 'same', 10, 1],
    [7, 4, 3, 'same', 3, 1], [7, 4, 3, 'valid', 2, 0], [1, 1, 1, 'valid', 1, 0], [1, 3, 3, 'same', 1, 1], [2, 3, 3, 'valid', 0, 0],
  ];
  for (const [T, P, S, p, To, padL] of cases) assert.equal(pool1dGeometry(T, P, S, p), { To, padL }, `T=${T} P=${P} S=${S} ${p}`);
});

/** Centred differences of loss() w.r.t. every element of p (shared helper; relative-error floor 1e-2). */
const gradcheck = (label: string, p: Float64Array, g: ArrayLike<number>, loss: () => number) => gradcheckArray(label, p, g, loss, { floor: 1e-2 });

const CONFIGS: Array<[number, number, PoolPadding]> = [[2, 2, 'valid'], [3, 2, 'valid'], [3, 1, 'same'], [4, 3, 'same'], [3, 2, 'same'], [1, 1, 'valid']];

test('pooling: gradcheck of max, average, global max and global average backward (f64 reference)', () => {
  const T = 7, B = 2, C = 3;
  const x = Float64Array.from(uniform(T * B * C, 1));
  for (const [P, S, padding] of CONFIGS) {
    const { To, padL } = pool1dGeometry(T, P, S, padding);
    const R = Float64Array.from(uniform(To * B * C, 2));
    const am = new Int32Array(To * B * C);
    const maxLoss = () => { const y = new Float64Array(To * B * C); ref.maxPool1dForward(y, am, x, T, B, C, To, P, S, padL); return y.reduce((s, v, i) => s + v * R[i], 0); };
    const avgLoss = () => { const y = new Float64Array(To * B * C); ref.avgPool1dForward(y, x, T, B, C, To, P, S, padL); return y.reduce((s, v, i) => s + v * R[i], 0); };
    maxLoss();
    const dxMax = new Float64Array(T * B * C), dxAvg = new Float64Array(T * B * C);
    ref.maxPool1dBackward(dxMax, R, am, T, B, C, To, false);
    ref.avgPool1dBackward(dxAvg, R, T, B, C, To, P, S, padL, false);
    gradcheck(`max P=${P} S=${S} ${padding}`, x, dxMax, maxLoss);
    gradcheck(`avg P=${P} S=${S} ${padding}`, x, dxAvg, avgLoss);
  }
  const R = Float64Array.from(uniform(B * C, 3));
  const am = new Int32Array(B * C);
  const gmax = () => { const y = new Float64Array(B * C); ref.globalMaxPool1dForward(y, am, x, T, B, C); return y.reduce((s, v, i) => s + v * R[i], 0); };
  const gavg = () => { const y = new Float64Array(B * C); ref.globalAvgPool1dForward(y, x, T, B, C); return y.reduce((s, v, i) => s + v * R[i], 0); };
  gmax();
  const d1 = new Float64Array(T * B * C), d2 = new Float64Array(T * B * C);
  ref.globalMaxPool1dBackward(d1, R, am, T, B, C, false);
  ref.globalAvgPool1dBackward(d2, R, T, B, C, false);
  gradcheck('global max', x, d1, gmax);
  gradcheck('global avg', x, d2, gavg);
});

test('max pooling: ties route the gradient to the FIRST maximum (simd and scalar)', () => {
  for (const k of [simd, scalar, js]) {
    const a = k.arena;
    const mark = a.mark();
    const T = 4, B = 1, C = 5; // lanes: [2 2 1 1], [0 5 5 0], ... ; channels 0..3 hit the SIMD path, 4 the tail
    const xs = [[2, 2, 1, 1], [0, 5, 5, 0], [3, 3, 3, 3], [-1, -2, -1, -3], [7, 1, 7, 7]];
    const x = new Float32Array(T * C);
    xs.forEach((col, c) => col.forEach((v, t) => { x[t * C + c] = v; }));
    const px = a.putF32(x), py = a.alloc(C), pam = a.alloc(C), pdy = a.putF32([1, 2, 3, 4, 5]), pdx = a.alloc(T * C);
    k.globalMaxPooling1dForward({ y: { ptr: py, shape: [B, C] }, argmax: { ptr: pam, shape: [B, C] }, x: { ptr: px, shape: [T, B, C] } });
    checkEqual(`${k.backend} argmax`, a.i32(pam, C), [0, 1, 0, 0, 0]);
    k.globalMaxPooling1dBackward({ dx: { ptr: pdx, shape: [T, B, C] }, dy: { ptr: pdy, shape: [B, C] }, argmax: { ptr: pam, shape: [B, C] } });
    const dx = a.readF32(pdx, T * C);
    checkEqual(`${k.backend} dx of global max`, dx, [1, 0, 3, 4, 5, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    a.release(mark);
  }
});

const SHAPES: Array<[number, number, number]> = [[1, 1, 1], [5, 1, 3], [9, 3, 7], [12, 2, 16], [20, 5, 13]];

function runAll(k: Kernels, T: number, B: number, C: number, P: number, S: number, padding: PoolPadding, x: Float32Array, dy: Float32Array, gdy: Float32Array, dx0: Float32Array, acc: boolean) {
  const { To } = pool1dGeometry(T, P, S, padding);
  const a = k.arena;
  const mark = a.mark();
  const n = T * B * C, m = To * B * C;
  const px = a.putF32(x), pdy = a.putF32(dy), pgdy = a.putF32(gdy);
  const py = a.alloc(m), pam = a.alloc(m), pdx = a.putF32(dx0), pya = a.alloc(m), pdxa = a.putF32(dx0);
  const pg = a.alloc(B * C), pgam = a.alloc(B * C), pgdx = a.putF32(dx0), pga = a.alloc(B * C), pgdxa = a.putF32(dx0);
  const X = { ptr: px, shape: [T, B, C] }, cfg = { poolSize: P, strides: S, padding };
  k.maxPooling1dForward({ ...cfg, y: { ptr: py, shape: [To, B, C] }, argmax: { ptr: pam, shape: [To, B, C] }, x: X });
  k.maxPooling1dBackward({ dx: { ptr: pdx, shape: [T, B, C] }, dy: { ptr: pdy, shape: [To, B, C] }, argmax: { ptr: pam, shape: [To, B, C] }, accumulate: acc });
  k.averagePooling1dForward({ ...cfg, y: { ptr: pya, shape: [To, B, C] }, x: X });
  k.averagePooling1dBackward({ ...cfg, dx: { ptr: pdxa, shape: [T, B, C] }, dy: { ptr: pdy, shape: [To, B, C] }, accumulate: acc });
  k.globalMaxPooling1dForward({ y: { ptr: pg, shape: [B, C] }, argmax: { ptr: pgam, shape: [B, C] }, x: X });
  k.globalMaxPooling1dBackward({ dx: { ptr: pgdx, shape: [T, B, C] }, dy: { ptr: pgdy, shape: [B, C] }, argmax: { ptr: pgam, shape: [B, C] }, accumulate: acc });
  k.globalAveragePooling1dForward({ y: { ptr: pga, shape: [B, C] }, x: X });
  k.globalAveragePooling1dBackward({ dx: { ptr: pgdxa, shape: [T, B, C] }, dy: { ptr: pgdy, shape: [B, C] }, accumulate: acc });
  const out = {
    max: a.readF32(py, m), argmax: Int32Array.from(a.i32(pam, m)), dxMax: a.readF32(pdx, n),
    avg: a.readF32(pya, m), dxAvg: a.readF32(pdxa, n),
    gmax: a.readF32(pg, B * C), gargmax: Int32Array.from(a.i32(pgam, B * C)), dxGmax: a.readF32(pgdx, n),
    gavg: a.readF32(pga, B * C), dxGavg: a.readF32(pgdxa, n),
  };
  a.release(mark);
  return out;
}

test('pooling: wasm simd, wasm scalar and js vs the reference for every config; simd == scalar', () => {
  for (const [T, B, C] of SHAPES) {
    for (const [P, S, padding] of CONFIGS) {
      const { To, padL } = pool1dGeometry(T, P, S, padding);
      if (To < 1) continue;
      for (const acc of [false, true]) {
        const n = T * B * C, m = To * B * C;
        const x = uniform(n, T * 7 + C), dy = uniform(m, 2), gdy = uniform(B * C, 3), dx0 = uniform(n, 4);
        const want = {
          max: new Float64Array(m), argmax: new Int32Array(m), dxMax: Float64Array.from(dx0), avg: new Float64Array(m), dxAvg: Float64Array.from(dx0),
          gmax: new Float64Array(B * C), gargmax: new Int32Array(B * C), dxGmax: Float64Array.from(dx0), gavg: new Float64Array(B * C), dxGavg: Float64Array.from(dx0),
        };
        ref.maxPool1dForward(want.max, want.argmax, x, T, B, C, To, P, S, padL);
        ref.maxPool1dBackward(want.dxMax, dy, want.argmax, T, B, C, To, acc);
        ref.avgPool1dForward(want.avg, x, T, B, C, To, P, S, padL);
        ref.avgPool1dBackward(want.dxAvg, dy, T, B, C, To, P, S, padL, acc);
        ref.globalMaxPool1dForward(want.gmax, want.gargmax, x, T, B, C);
        ref.globalMaxPool1dBackward(want.dxGmax, gdy, want.gargmax, T, B, C, acc);
        ref.globalAvgPool1dForward(want.gavg, x, T, B, C);
        ref.globalAvgPool1dBackward(want.dxGavg, gdy, T, B, C, acc);
        const got = [simd, scalar, js].map((k) => runAll(k, T, B, C, P, S, padding, x, dy, gdy, dx0, acc));
        const label = `T=${T} B=${B} C=${C} P=${P} S=${S} ${padding} acc=${acc}`;
        got.forEach((g, i) => {
          const who = `${['simd', 'scalar', 'js'][i]} ${label}`;
          for (const key of Object.keys(want) as Array<keyof typeof want>) checkClose(`${who} ${key}`, g[key], want[key], 3e-7, 1e-6);
        });
        for (const key of Object.keys(want) as Array<keyof typeof want>) checkEqual(`simd == scalar ${label} ${key}`, got[0][key], got[1][key]);
      }
    }
  }
});

test('pooling: bad input is rejected with a message naming the argument; memory unchanged', () => {
  const a = simd.arena;
  const mark = a.mark();
  const T = 5, B = 2, C = 3;
  const px = a.putF32(uniform(T * B * C, 1)), py = a.alloc(T * B * C), pam = a.putI32(new Int32Array(T * B * C));
  const pdx = a.putF32(new Float32Array(T * B * C).fill(2));
  const X = { ptr: px, shape: [T, B, C] };
  const expectError = (fn: () => unknown, re: RegExp) => {
    try { fn(); } catch (e) {
      assert.instance(e, KernelArgumentError);
      assert.match((e as Error).message, re);
      assert.ok(a.readF32(pdx, T * B * C).every((v) => v === 2), 'dx unchanged');
      return;
    }
    assert.unreachable(`expected an error matching ${re}`);
  };
  expectError(() => simd.maxPooling1dForward({ poolSize: 6, y: { ptr: py, shape: [1, B, C] }, argmax: { ptr: pam, shape: [1, B, C] }, x: X }),
    /^max_pool1d_forward: argument poolSize = 6 is larger than T = 5 \('valid' padding\)$/);
  expectError(() => simd.averagePooling1dForward({ poolSize: 2, y: { ptr: py, shape: [3, B, C] }, x: X }),
    /^avg_pool1d_forward: argument y = \d+ has shape \(3, 2, 3\), expected \(To, B, C\) = \(2, 2, 3\)$/);
  expectError(() => simd.averagePooling1dForward({ poolSize: 2, padding: 'causal' as never, y: { ptr: py, shape: [2, B, C] }, x: X }),
    /argument padding = "causal" must be 'valid' or 'same'/);
  a.I32[(pam >> 2) + 7] = 5; // argmax[1][0][1] = T: a corrupted saved index would scatter outside dx
  expectError(() => simd.maxPooling1dBackward({ dx: { ptr: pdx, shape: [T, B, C] }, dy: { ptr: px, shape: [2, B, C] }, argmax: { ptr: pam, shape: [2, B, C] } }),
    /^max_pool1d_backward: argument argmax\[1\]\[0\]\[1\] = 5 must be an input step in \[0, T = 5\) \(saved by the forward pass\)$/);
  a.I32[(pam >> 2) + 4] = -3; // argmax[1][1] of a (B, C) global argmax
  expectError(() => simd.globalMaxPooling1dBackward({ dx: { ptr: pdx, shape: [T, B, C] }, dy: { ptr: px, shape: [B, C] }, argmax: { ptr: pam, shape: [B, C] } }),
    /^global_max_pool1d_backward: argument argmax\[1\]\[1\] = -3 must be an input step/);
  expectError(() => simd.globalAveragePooling1dBackward({ dx: { ptr: pdx, shape: [T, B, C] }, dy: { ptr: pdx, shape: [B, C] } }), /argument dx = \d+ \(bytes .*overlaps input dy/);
  a.release(mark);
});

test.run();
