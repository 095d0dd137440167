// Kernel arguments are read exactly once (issue 16, finding 8): a getter or a Proxy that answers differently
// on a second read cannot steer a call to pointers that were never checked (out of bounds, or into the
// module's static data below the arena base); and the temporaries a call allocates (lengths, step masks,
// recurrent-dropout scratch, packed weights, grad tables) never overlap an argument, even one the caller
// placed above the arena top. Every entry point of every family goes through the same snapshot
// (bindings/kernels.ts → checker.ts snapshotArgs), so a few families stand for all here.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { loadKernels, type Kernels, type TensorRef } from '../bindings/index.js';
import { checkEqual } from './helpers/check-close.js';
import { uniform } from './helpers/random.js';

let simd: Kernels, js: Kernels;
test.before(async () => {
  simd = await loadKernels();
  js = await loadKernels({ backend: 'js' });
});

const T = 5, B = 3, D = 4, H = 6, G = 4 * H;

/** An LSTM problem's buffers in k's arena (h, c slots with zero initial state). */
function lstmBuffers(k: Kernels) {
  const a = k.arena;
  const put = (v: ArrayLike<number>, shape: number[]): TensorRef => ({ ptr: a.putF32(v), shape });
  return {
    T, B, D, H,
    x: put(uniform(T * B * D, 1), [T, B, D]), W: put(uniform(D * G, 2, -0.5, 0.5), [D, G]), U: put(uniform(H * G, 3, -0.5, 0.5), [H, G]),
    b: put(uniform(G, 4, -0.1, 0.1), [G]),
    h: put(new Float32Array((T + 1) * B * H), [T + 1, B, H]), c: put(new Float32Array((T + 1) * B * H), [T + 1, B, H]),
    gates: put(new Float32Array(T * B * G), [T, B, G]),
  };
}

/** An object whose property `key` answers `first` on the first read and `later` afterwards; counts reads. */
function twoFaced<T extends object>(target: T, key: string, first: unknown, later: unknown): { value: T; reads: () => number } {
  let n = 0;
  const value = { ...target };
  Object.defineProperty(value, key, { enumerable: true, get: () => (n++ === 0 ? first : later) });
  return { value, reads: () => n };
}

test('a getter on a tensor pointer is read once: it cannot steer an LSTM write into static data or past memory', () => {
  for (const k of [simd, js]) {
    const a = k.arena;
    const mark = a.mark();
    const args = lstmBuffers(k);
    k.lstmForward({ ...args, lengths: [5, 2, 0] });
    const want = a.readF32(args.h.ptr, (T + 1) * B * H);
    for (const later of [0, 16, a.base - 64, a.byteLength - 8]) {
      a.F32.fill(0, args.h.ptr >> 2, (args.h.ptr >> 2) + (T + 1) * B * H);
      const h = twoFaced(args.h, 'ptr', args.h.ptr, later);
      k.lstmForward({ ...args, h: h.value, lengths: [5, 2, 0] });
      assert.is(h.reads(), 1, `${k.backend}: h.ptr read exactly once (later answer ${later})`);
      checkEqual(`${k.backend}: the output went to the checked pointer`, a.readF32(args.h.ptr, (T + 1) * B * H), want);
    }
    // the module's constants are intact: a plain call gives the same bits as before
    k.lstmForward({ ...args, lengths: [5, 2, 0] });
    checkEqual(`${k.backend}: later calls unchanged`, a.readF32(args.h.ptr, (T + 1) * B * H), want);
    a.release(mark);
  }
});

test('getters on dims, shapes, lengths and step masks are read once (a Proxy array too)', () => {
  const k = simd, a = k.arena;
  const mark = a.mark();
  const args = lstmBuffers(k);
  k.lstmForward({ ...args, stepMask: [1, 1, 0, 1, 0, 0, 1, 1, 1, 0, 1, 1, 1, 1, 1] });
  const want = a.readF32(args.h.ptr, (T + 1) * B * H);
  // T: 5 when checked, 500 afterwards
  const dims = twoFaced({ ...args, stepMask: [1, 1, 0, 1, 0, 0, 1, 1, 1, 0, 1, 1, 1, 1, 1] }, 'T', T, 500);
  k.lstmForward(dims.value);
  assert.is(dims.reads(), 1, 'T read once');
  checkEqual('T getter', a.readF32(args.h.ptr, (T + 1) * B * H), want);
  // a shape array whose first entry changes after one read
  let shapeReads = 0;
  const shape = new Proxy([T + 1, B, H], { get: (t, p, r) => { if (p === '0') return shapeReads++ === 0 ? T + 1 : 1e6; return Reflect.get(t, p, r); } });
  k.lstmForward({ ...args, h: { ptr: args.h.ptr, shape }, stepMask: [1, 1, 0, 1, 0, 0, 1, 1, 1, 0, 1, 1, 1, 1, 1] });
  assert.is(shapeReads, 1, 'shape[0] read once');
  checkEqual('shape Proxy', a.readF32(args.h.ptr, (T + 1) * B * H), want);
  // a step mask whose entries change after one read (valid entries 2 would be refused; a second read of 1s
  // would change the results)
  const mask = [1, 1, 0, 1, 0, 0, 1, 1, 1, 0, 1, 1, 1, 1, 1];
  const seen = new Array(mask.length).fill(0);
  const proxy = new Proxy(mask, { get: (t, p, r) => { const i = Number(p); if (Number.isInteger(i)) return seen[i]++ === 0 ? t[i] : 7; return Reflect.get(t, p, r); } });
  k.lstmForward({ ...args, stepMask: proxy });
  assert.ok(seen.every((n) => n === 1), `every mask entry read once: ${seen}`);
  checkEqual('step mask Proxy', a.readF32(args.h.ptr, (T + 1) * B * H), want);
  a.release(mark);
});

test('a getter on a GradTable field or a Dense argument is read once', () => {
  const k = simd, a = k.arena;
  const mark = a.mark();
  const G0 = a.putF32(uniform(40, 5, -3, 3));
  const grads = k.gradTable(G0, [[0, 10], [10, 30]]);
  const before = a.readF32(G0, 40);
  const evil = twoFaced(grads, 'G', grads.G, 8); // 8: the module's static data
  k.globalClipnorm(evil.value, 0.5);
  assert.is(evil.reads(), 1, 'G read once');
  const norm = Math.hypot(...before);
  checkEqual('the checked slab was clipped', a.readF32(G0, 40), Float32Array.from(before, (v) => Math.fround(v * Math.fround(0.5 / norm))));
  const x = { ptr: a.putF32(uniform(2 * 3, 6)), shape: [2, 3] }, kernel = { ptr: a.putF32(uniform(3 * 4, 7)), shape: [3, 4] };
  const y = { ptr: a.allocZeroed(2 * 4), shape: [2, 4] };
  k.denseForward({ y, x, kernel });
  const wantY = a.readF32(y.ptr, 8);
  a.F32.fill(0, y.ptr >> 2, (y.ptr >> 2) + 8);
  const evilY = twoFaced(y, 'ptr', y.ptr, a.base - 32);
  k.denseForward({ y: evilY.value, x, kernel });
  assert.is(evilY.reads(), 1, 'y.ptr read once');
  checkEqual('dense output at the checked pointer', a.readF32(y.ptr, 8), wantY);
  a.release(mark);
});

test('temporaries never overlap an argument placed above the arena top (lengths, step mask, dropout scratch, packed weights, grad table)', () => {
  for (const k of [simd, js]) {
    const a = k.arena;
    const mark = a.mark();
    const args = lstmBuffers(k);
    const n = T * B * D;
    const rmask = { ptr: a.putF32(new Float32Array(B * H).fill(1.25)), shape: [B, H] };
    const hs = { ptr: a.alloc(B * H), shape: [B, H] }, cs = { ptr: a.alloc(B * H), shape: [B, H] };
    const scratch = { ptr: a.alloc(T * B * G), shape: [T, B, G] };
    const run = (x: TensorRef) => {
      k.lstmForward({ ...args, x, lengths: [5, 2, 0], recurrentMask: rmask });
      const h1 = a.readF32(args.h.ptr, (T + 1) * B * H);
      k.lstmForward({ ...args, x, stepMask: [1, 1, 0, 1, 0, 0, 1, 1, 1, 0, 1, 1, 1, 1, 1] });
      const h2 = a.readF32(args.h.ptr, (T + 1) * B * H);
      a.F32.fill(0, hs.ptr >> 2, (hs.ptr >> 2) + B * H);
      a.F32.fill(0, cs.ptr >> 2, (cs.ptr >> 2) + B * H);
      k.lstmInfer({ ...args, x, h: hs, c: cs, scratch, lengths: [5, 2, 0] });
      return [h1, h2, a.readF32(hs.ptr, B * H)];
    };
    const want = run(args.x);
    // x copied just above the top, into memory nobody allocated: the temporaries must go above it
    const top = a.top;
    a.ensure(top + 4 * n + 1024);
    a.F32.set(a.readF32(args.x.ptr, n), top >> 2);
    const got = run({ ptr: top, shape: [T, B, D] });
    got.forEach((g, i) => checkEqual(`${k.backend}: result ${i} with x above the top`, g, want[i]));
    checkEqual(`${k.backend}: x above the top unchanged`, a.readF32(top, n), a.readF32(args.x.ptr, n));
    assert.is(a.top, top, `${k.backend}: temporaries released`);
    // a grad slab above the top: the table and scratch gradTable allocates do not land on it
    const slab = uniform(12, 9, -1, 1);
    a.ensure(a.top + 4096);
    const G0 = a.top + 64;
    a.F32.set(slab, G0 >> 2);
    const grads = k.gradTable(G0, [[0, 5], [5, 7]]);
    checkEqual(`${k.backend}: grad slab above the top unchanged by gradTable`, a.readF32(G0, 12), slab);
    assert.ok(grads.table >= G0 + 48, `${k.backend}: the table lies above the slab`);
    a.release(mark);
  }
});

test.run();
