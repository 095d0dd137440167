// Embedding: gather (batch-major ids → time-major rows) and scatter-add backward (duplicates summed),
// maskZero, gradcheck on the f64 reference, wasm SIMD / scalar / js vs the reference, id validation from
// JS arrays and in memory (messages and untouched memory), and the lengths/mask helpers.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { loadKernels, KernelArgumentError, type Kernels } from '../bindings/index.js';
import { sequenceLengths, sequenceMask } from '../bindings/families/embedding.js';
import { embeddingBackward, embeddingForward } from '../bindings/reference/embedding.js';
import { checkEqual } from './helpers/check-close.js';
import { rng, uniform } from './helpers/random.js';

let simd: Kernels, scalar: Kernels, js: Kernels;
test.before(async () => {
  simd = await loadKernels({ variant: 'simd' });
  scalar = await loadKernels({ variant: 'scalar' });
  js = await loadKernels({ backend: 'js' });
});

/** Ids (B, T) with repeats and some zeros (padding when maskZero). */
function makeIds(B: number, T: number, V: number, seed: number): Int32Array {
  const r = rng(seed);
  return Int32Array.from({ length: B * T }, () => (r() < 0.2 ? 0 : Math.floor(r() * Math.min(V, 4)) + (r() < 0.5 ? 0 : Math.floor(r() * V))) % V);
}

function run(k: Kernels, ids: Int32Array, W: Float32Array, dy: Float32Array, dW0: Float32Array, B: number, T: number, V: number, E: number, maskZero: boolean) {
  const a = k.arena;
  const mark = a.mark();
  const pIds = a.putI32(ids), pW = a.putF32(W), pY = a.putF32(new Float32Array(T * B * E).fill(9));
  const pdy = a.putF32(dy), pdW = a.putF32(dW0);
  k.embeddingForward({ y: { ptr: pY, shape: [T, B, E] }, ids: { ptr: pIds, shape: [B, T] }, embeddings: { ptr: pW, shape: [V, E] }, maskZero });
  k.embeddingBackward({ dEmbeddings: { ptr: pdW, shape: [V, E] }, dy: { ptr: pdy, shape: [T, B, E] }, ids: { ptr: pIds, shape: [B, T] }, maskZero });
  const out = { y: a.readF32(pY, T * B * E), dW: a.readF32(pdW, V * E) };
  a.release(mark);
  return out;
}

test('embedding: gradcheck of dEmbeddings on the f64 reference (duplicates summed, maskZero)', () => {
  for (const maskZero of [false, true]) {
    const B = 3, T = 4, V = 6, E = 5;
    const ids = makeIds(B, T, V, 3);
    ids[0] = ids[5] = ids[11] = 2; // a repeated id
    ids[1] = 0;
    const W = Float64Array.from(uniform(V * E, 4));
    const R = Float64Array.from(uniform(T * B * E, 5));
    const loss = () => {
      const y = new Float64Array(T * B * E);
      embeddingForward(y, ids, W, T, B, E, maskZero);
      return y.reduce((s, v, i) => s + v * R[i], 0);
    };
    const dW = new Float64Array(V * E);
    embeddingBackward(dW, R, ids, T, B, E, maskZero);
    const h = 1e-5;
    for (let i = 0; i < W.length; i++) {
      const w0 = W[i];
      W[i] = w0 + h; const lp = loss();
      W[i] = w0 - h; const lm = loss();
      W[i] = w0;
      const num = (lp - lm) / (2 * h);
      const rel = Math.abs(num - dW[i]) / Math.max(Math.abs(num), Math.abs(dW[i]), 1e-2);
      assert.ok(rel < 1e-6, `maskZero=${maskZero} dW[${i}] analytic ${dW[i]} numeric ${num}`);
    }
    if (maskZero) for (let e = 0; e < E; e++) assert.is(dW[e], 0, 'id 0 receives no gradient with maskZero');
  }
});

test('embedding: wasm simd, wasm scalar and js match the reference exactly (copy and f32 adds in the same order)', () => {
  const shapes: Array<[number, number, number, number]> = [[1, 1, 2, 1], [1, 7, 5, 3], [3, 1, 9, 4], [3, 5, 11, 7], [4, 9, 50, 13], [8, 17, 30, 36]];
  for (const [B, T, V, E] of shapes) {
    for (const maskZero of [false, true]) {
      const ids = makeIds(B, T, V, B * 100 + T);
      const W = uniform(V * E, V), dy = uniform(T * B * E, T), dW0 = uniform(V * E, E);
      const y = new Float32Array(T * B * E), dW = Float32Array.from(dW0);
      embeddingForward(y, ids, W, T, B, E, maskZero);
      embeddingBackward(dW, dy, ids, T, B, E, maskZero);
      for (const k of [simd, scalar, js]) {
        const got = run(k, ids, W, dy, dW0, B, T, V, E, maskZero);
        const label = `${k.backend} B=${B} T=${T} V=${V} E=${E} maskZero=${maskZero}`;
        checkEqual(`${label} y`, got.y, y);
        checkEqual(`${label} dW (+=)`, got.dW, dW);
      }
    }
  }
});

test('embedding: output is time-major: y[t, b] is the row of ids[b, t]', () => {
  const B = 2, T = 3, V = 10, E = 2;
  const W = Float32Array.from({ length: V * E }, (_, i) => i);
  const ids = Int32Array.from([1, 2, 3, 4, 5, 6]); // row b = 0: 1 2 3; row b = 1: 4 5 6
  const got = run(simd, ids, W, new Float32Array(T * B * E), new Float32Array(V * E), B, T, V, E, false);
  checkEqual('time-major gather', got.y, [2, 3, 8, 9, 4, 5, 10, 11, 6, 7, 12, 13]);
});

test('embedding: idValues from JS arrays are checked and written; errors name batch row, time step and value', () => {
  const a = simd.arena;
  const B = 4, T = 18, V = 5000, E = 3;
  const mark = a.mark();
  const pIds = a.putI32(new Int32Array(B * T).fill(1)), pW = a.putF32(uniform(V * E, 1)), pY = a.putF32(new Float32Array(T * B * E).fill(3));
  const call = (idValues: unknown, extra: object = {}) => simd.embeddingForward({
    y: { ptr: pY, shape: [T, B, E] }, ids: { ptr: pIds, shape: [B, T] }, embeddings: { ptr: pW, shape: [V, E] },
    idValues: idValues as number[], ...extra,
  });
  const snapshot = () => [a.readF32(pY, T * B * E), Int32Array.from(a.i32(pIds, B * T))] as const;
  const before = snapshot();
  const expectError = (fn: () => unknown, re: RegExp) => {
    try { fn(); } catch (e) {
      assert.instance(e, KernelArgumentError);
      assert.match((e as Error).message, re);
      const now = snapshot();
      checkEqual('y unchanged', now[0], before[0]);
      checkEqual('ids unchanged', now[1], before[1]);
      return;
    }
    assert.unreachable(`expected an error matching ${re}`);
  };
  const good = Array.from({ length: B }, (_, b) => Array.from({ length: T }, (_, t) => (b * 31 + t * 7) % V));
  const bad = (v: number) => good.map((row, b) => row.map((x, t) => (b === 3 && t === 17 ? v : x)));
  expectError(() => call(bad(5001)), /^embedding_forward: argument ids\[3\]\[17\] = 5001 \(batch row 3, time step 17\) must be an integer id in \[0, V = 5000\)$/);
  expectError(() => call(bad(5000)), /ids\[3\]\[17\] = 5000 /);
  expectError(() => call(bad(-1)), /ids\[3\]\[17\] = -1 /);
  expectError(() => call(bad(2.5)), /ids\[3\]\[17\] = 2.5 /);
  expectError(() => call(bad(NaN)), /ids\[3\]\[17\] = NaN /);
  expectError(() => call(Float64Array.from(bad(Infinity).flat())), /ids\[3\]\[17\] = Infinity /);
  expectError(() => call(good.flat().slice(1)), /argument idValues = "\[71 values\]" must have B·T = 72 ids/);
  expectError(() => call(good.slice(1)), /argument idValues = "\[3 rows\]"/);
  expectError(() => call([...good.slice(0, 3), good[3].slice(1)]), /argument idValues\[3\] = "\[17 values\]" \(batch row 3\) must have T = 18 ids/);
  // Valid ids: nested, flat array and typed array give the same gather.
  call(good);
  const y1 = a.readF32(pY, T * B * E);
  checkEqual('ids written', a.i32(pIds, B * T), good.flat());
  call(Float64Array.from(good.flat()));
  checkEqual('flat typed array ids', a.readF32(pY, T * B * E), y1);
  // In-memory ids are range-checked too (forward and backward).
  a.I32[(pIds >> 2) + 2 * T + 5] = 7000;
  const mem = snapshot();
  try { simd.embeddingForward({ y: { ptr: pY, shape: [T, B, E] }, ids: { ptr: pIds, shape: [B, T] }, embeddings: { ptr: pW, shape: [V, E] } }); assert.unreachable('no error'); }
  catch (e) { assert.match((e as Error).message, /^embedding_forward: argument ids\[2\]\[5\] = 7000 \(batch row 2, time step 5\) must be an integer id in \[0, V = 5000\)$/); }
  checkEqual('y unchanged after in-memory id error', a.readF32(pY, T * B * E), mem[0]);
  const pdW = a.allocZeroed(V * E);
  assert.throws(() => simd.embeddingBackward({ dEmbeddings: { ptr: pdW, shape: [V, E] }, dy: { ptr: pY, shape: [T, B, E] }, ids: { ptr: pIds, shape: [B, T] } }),
    /^embedding_backward: argument ids\[2\]\[5\] = 7000 \(batch row 2, time step 5\)/);
  assert.ok(a.readF32(pdW, V * E).every((v) => v === 0), 'dEmbeddings unchanged');
  assert.throws(() => call(good, { y: { ptr: pY, shape: [B, T, E] } }), /argument y = \d+ has shape \(4, 18, 3\), expected \(T, B, E\) = \(18, 4, 3\)/);
  a.release(mark);
});

test('embedding: sequenceLengths / sequenceMask / embeddingLengths derive padding from id 0', () => {
  const B = 3, T = 4;
  const post = [5, 6, 0, 0, 1, 2, 3, 4, 0, 0, 0, 0];
  checkEqual('post lengths', sequenceLengths(post, B, T, 'post'), [2, 4, 0]);
  checkEqual('pre lengths', sequenceLengths([0, 0, 5, 6, 1, 2, 3, 4, 0, 0, 0, 0], B, T, 'pre'), [2, 4, 0]);
  checkEqual('mask time-major (T, B)', sequenceMask(post, B, T), [1, 1, 0, 1, 1, 0, 0, 1, 0, 0, 1, 0]);
  assert.throws(() => sequenceLengths([5, 0, 6, 0, 1, 2, 3, 4, 0, 0, 0, 0], B, T, 'post'), /ids\[0\]\[1\] = 0 \(batch row 0, time step 1\) is padding between tokens/);
  assert.throws(() => sequenceLengths([0, 5, 6, 7, 1, 2, 3, 4, 0, 0, 0, 0], B, T, 'post'), /ids\[0\]\[0\] = 0 \(batch row 0\) is padding at the start, but padding is 'post'/);
  const a = simd.arena;
  const mark = a.mark();
  const p = a.putI32(post);
  checkEqual('embeddingLengths from memory', simd.embeddingLengths({ ids: { ptr: p, shape: [B, T] } }), [2, 4, 0]);
  assert.throws(() => simd.embeddingLengths({ ids: { ptr: p, shape: [B, T] }, padding: 'middle' as never }), /argument padding = "middle" must be 'post' or 'pre'/);
  a.release(mark);
});

test.run();
