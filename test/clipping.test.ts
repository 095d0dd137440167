// Norm pass, the four clipping operations and the NaN/Inf guard: wasm SIMD vs wasm scalar vs the js backend
// (bit-exact), expected numbers computed here from each operation's definition, one case where all four modes
// differ, the clip_grad_norm_ epsilon pinned at norm == max, non-finite behaviour of each mode, guardedStep
// leaving weights AND moments bit-identical on NaN/Inf, and bad input.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { KernelArgumentError, loadKernels, type Kernels } from '../bindings/index.js';
import { guardedStep } from '../bindings/families/optimizers.js';
import type { GradTable } from '../bindings/families/clipping.js';
import { checkClose, checkEqual } from './helpers/check-close.js';
import { uniform } from './helpers/random.js';

let simd: Kernels, scalar: Kernels, js: Kernels;
test.before(async () => {
  simd = await loadKernels();
  scalar = await loadKernels({ variant: 'scalar' });
  js = await loadKernels({ backend: 'js' });
});
const all = () => [simd, scalar, js];

/** A grad slab of `slab` floats (values) with tensors at `ranges`; returns the table and a reader. */
function setup(k: Kernels, slab: ArrayLike<number>, ranges: Array<[number, number]>) {
  const G = k.arena.putF32(slab);
  const grads = k.gradTable(G, ranges);
  return { G, grads, read: () => k.arena.readF32(G, slab.length) };
}

const norm2 = (xs: ArrayLike<number>) => Math.sqrt(Array.from(xs).reduce((s, x) => s + x * x, 0));

// ---- norm pass

test('gradNorms: per-tensor Σg² and the global norm, identical on every backend; Σ in table order', () => {
  const slab = uniform(200, 9, -3, 3);
  const ranges: Array<[number, number]> = [[3, 37], [50, 1], [60, 8], [80, 117], [40, 0]];
  const got = all().map((k) => {
    const mark = k.arena.mark();
    const s = setup(k, slab, ranges);
    const r = k.gradNorms(s.grads);
    const sums = Array.from(new Float64Array(k.arena.memory.buffer, s.grads.sums, ranges.length));
    checkEqual(`${k.backend}: norm pass does not write G`, s.read(), slab);
    k.arena.release(mark);
    return { r, sums };
  });
  for (const { r, sums } of got) {
    assert.ok(r.finite);
    assert.equal(r, got[0].r);
    checkEqual('per-tensor sums', sums, got[0].sums);
  }
  const want = ranges.map(([o, n]) => norm2(slab.subarray(o, o + n)) ** 2);
  checkClose('per-tensor Σg²', got[0].sums, want, 1e-9, 1e-12);
  if (got[0].r.finite) assert.ok(Math.abs(got[0].r.norm - Math.sqrt(want.reduce((a, b) => a + b))) < 1e-12);
});

// ---- the four modes

test('clipping: the four modes give four different results on one input (expected from definitions)', () => {
  // tensor 0 = [0.006, 0.008] (‖·‖ = 0.01), tensor 1 = [0.001, 0.002, 0.002] (‖·‖ = 0.003), c = 0.005.
  const slab = [9, 0.006, 0.008, 9, 0.001, 0.002, 0.002, 9];
  const ranges: Array<[number, number]> = [[1, 2], [4, 3]];
  const c = 0.005;
  const f = Math.fround;
  const g = slab.map(f); // what the slab holds
  const n0 = Math.hypot(g[1], g[2]), n1 = Math.hypot(g[4], g[5], g[6]), global = Math.sqrt(n0 * n0 + n1 * n1);
  const gap = (i: number) => i === 0 || i === 3 || i === 7;
  const scaleAll = (s: number) => g.map((x, i) => (gap(i) ? x : f(x * f(s))));
  const want = {
    // clipvalue: clamp each element to [−c, c]
    clipValue: g.map((x, i) => (gap(i) ? x : Math.min(Math.max(x, -c), c))),
    // clipnorm (Keras): tensor t ·= c / max(‖g_t‖, c): tensor 0 halves, tensor 1 (0.003 < c) unchanged
    clipNorm: g.map((x, i) => (i === 1 || i === 2 ? f(x * f(c / Math.max(n0, c))) : x)),
    // global_clipnorm (Keras): all ·= c / max(‖g‖, c), no epsilon
    globalClipnorm: scaleAll(c / Math.max(global, c)),
    // clip_grad_norm_ (PyTorch): all ·= c / (‖g‖ + 1e-6) since that is < 1
    clipGradNorm: scaleAll(c / (global + 1e-6)),
  };
  const modes = Object.keys(want) as Array<keyof typeof want>;
  const results: Record<string, Float32Array[]> = {};
  for (const k of all()) {
    for (const mode of modes) {
      const mark = k.arena.mark();
      const s = setup(k, slab, ranges);
      if (mode === 'clipValue') k.clipValue(s.grads, c);
      else k[mode](s.grads, c);
      const got = s.read();
      checkClose(`${mode} ${k.backend} vs definition`, got, want[mode], 1e-10, 1e-6);
      (results[mode] ??= []).push(got);
      k.arena.release(mark);
    }
  }
  for (const mode of modes) for (const r of results[mode]) checkEqual(`${mode}: backends agree bit for bit`, r, results[mode][0]);
  // Pairwise different: each mode changes the slab differently.
  for (let a = 0; a < modes.length; a++) {
    for (let b = a + 1; b < modes.length; b++) {
      const x = results[modes[a]][0], y = results[modes[b]][0];
      assert.ok(x.some((v, i) => v !== y[i]), `${modes[a]} and ${modes[b]} must differ`);
    }
  }
  // clipnorm leaves a small tensor alone, global modes shrink it; clipvalue leaves tensor 1 alone too.
  assert.equal(Array.from(results.clipNorm[0].subarray(4, 7)), Array.from(new Float32Array(g.slice(4, 7))));
});

test('clipping: at ‖g‖ == c Keras global_clipnorm is a no-op, PyTorch clip_grad_norm_ still scales by c/(c+1e-6)', () => {
  for (const k of all()) {
    const mark = k.arena.mark();
    const slab = [0.3, 0.4, 0.1, -0.2, 0.05];
    const s1 = setup(k, slab, [[0, 5]]);
    const r = k.gradNorms(s1.grads);
    assert.ok(r.finite);
    const c = r.finite ? r.norm : NaN;
    k.globalClipnorm(s1.grads, c);
    checkEqual(`${k.backend} global_clipnorm at norm == clip`, s1.read(), Float32Array.from(slab));
    const s2 = setup(k, slab, [[0, 5]]);
    k.clipGradNorm(s2.grads, c);
    const coef = Math.fround(c / (c + 1e-6));
    checkEqual(`${k.backend} clip_grad_norm_ at norm == max`, s2.read(), Float32Array.from(slab, (x) => Math.fround(Math.fround(x) * coef)));
    assert.ok(s2.read().some((x, i) => x !== Math.fround(slab[i])), 'clip_grad_norm_ changed something');
    // Below the threshold (coef >= 1) clip_grad_norm_ is a no-op.
    const s3 = setup(k, slab, [[0, 5]]);
    k.clipGradNorm(s3.grads, 2 * c);
    checkEqual(`${k.backend} clip_grad_norm_ below max`, s3.read(), Float32Array.from(slab));
    k.arena.release(mark);
  }
});

test('clipping: wasm simd == scalar == js on random tensors (lengths not multiples of 4, ≥ 2 SIMD iterations)', () => {
  const slab = uniform(300, 21, -2, 2);
  const ranges: Array<[number, number]> = [[1, 41], [45, 3], [50, 9], [70, 230]];
  for (const [mode, clip] of [['clipValue', 0.7], ['clipNorm', 2.5], ['globalClipnorm', 3], ['clipGradNorm', 3]] as const) {
    const out = all().map((k) => {
      const mark = k.arena.mark();
      const s = setup(k, slab, ranges);
      if (mode === 'clipValue') k.clipValue(s.grads, clip);
      else k[mode](s.grads, clip);
      const got = s.read();
      k.arena.release(mark);
      return got;
    });
    checkEqual(`${mode} simd == scalar`, out[0], out[1]);
    checkEqual(`${mode} simd == js`, out[0], out[2]);
    // Gaps between tensors are untouched.
    for (const i of [0, 42, 43, 44, 48, 49, 59, 60, 69]) assert.is(out[0][i], slab[i], `${mode}: gap element ${i}`);
    const changed = out[0].some((x, i) => x !== slab[i]);
    assert.ok(changed, `${mode} changed the tensors`);
  }
});

test('clipping: an Inf or -Inf gradient makes global_clipnorm all NaN, as Keras (scale + (norm - norm)); clipnorm: 0 and NaN in that tensor only', () => {
  for (const k of all()) {
    for (const bad of [Infinity, -Infinity]) {
      const slab = [1, 2, 3, 4, 5, 6, 7, bad, 9];
      const ranges: Array<[number, number]> = [[0, 5], [5, 4]];
      const mark = k.arena.mark();
      let s = setup(k, slab, ranges);
      k.globalClipnorm(s.grads, 1);
      assert.ok(s.read().every(Number.isNaN), `${k.backend} global_clipnorm with ${bad}: all NaN, got ${s.read()}`);
      // Keras clip_by_norm: t·c / max(‖t‖, c) with ‖t‖ = Inf gives 0 for the finite entries and NaN for the Inf one
      s = setup(k, slab, ranges);
      k.clipNorm(s.grads, 1);
      checkEqual(`${k.backend} clipnorm with ${bad}`, s.read(), [1, 2, 3, 4, 5, 0, 0, NaN, 0].map((v, i) => (i < 5 ? Math.fround(v * Math.fround(1 / Math.hypot(1, 2, 3, 4, 5))) : v)));
      k.arena.release(mark);
    }
  }
});

test('clipping: non-finite gradients follow the peers (global_clipnorm: all NaN; clipnorm: only that tensor; clipvalue: only that element)', () => {
  for (const k of all()) {
    const slab = [1, 2, 3, 4, 5, 6, 7, NaN, 9];
    const ranges: Array<[number, number]> = [[0, 5], [5, 4]];
    const mark = k.arena.mark();
    let s = setup(k, slab, ranges);
    k.globalClipnorm(s.grads, 1);
    assert.ok(s.read().every(Number.isNaN), `${k.backend} global: all NaN`);
    s = setup(k, slab, ranges);
    k.clipNorm(s.grads, 1);
    const cn = s.read();
    assert.ok(cn.subarray(0, 5).every(Number.isFinite) && cn.subarray(5).every(Number.isNaN), `${k.backend} clipnorm: only tensor 1 NaN`);
    s = setup(k, slab, ranges);
    k.clipValue(s.grads, 4);
    checkEqual(`${k.backend} clipvalue`, s.read(), [1, 2, 3, 4, 4, 4, 4, NaN, 4]);
    k.arena.release(mark);
  }
});

// ---- the guard

test('guardedStep: a NaN or Inf gradient skips the step: weights AND moments bit-identical, result names tensor and index', () => {
  for (const k of all()) {
    const a = k.arena, mark = a.mark(), P = 41;
    const W = a.putF32(uniform(P, 1)), M = a.allocZeroed(P), V = a.allocZeroed(P), G = a.alloc(P);
    const grads = k.gradTable(G, [[0, 10], [10, 17], [27, 14]]);
    const adam = (step: number) => () => k.adam(W, M, V, G, P, { learningRate: 0.01, step });
    const snapshot = () => [a.readF32(W, P), a.readF32(M, P), a.readF32(V, P)];
    for (let t = 1; t <= 3; t++) {
      a.F32.set(uniform(P, 50 + t, -3, 3), G >> 2);
      const r = guardedStep(k, grads, { clipnorm: 1 }, adam(t));
      assert.ok(r.finite, 'finite steps run');
    }
    for (const [bad, tensor, index, off] of [[NaN, 1, 5, 10], [Infinity, 2, 0, 27], [-Infinity, 0, 9, 0]] as const) {
      for (const clip of [{ clipnorm: 1 }, { globalClipnorm: 1 }, { clipvalue: 0.5 }, { clipGradNorm: 1 }, null]) {
        const g = uniform(P, 77, -3, 3);
        g[off + index] = bad;
        if (tensor !== 2) g[30] = NaN; // a later bad value: the first one is reported
        a.F32.set(g, G >> 2);
        const before = snapshot();
        let ran = false;
        const r = guardedStep(k, grads, clip, () => { ran = true; adam(4)(); });
        assert.not.ok(ran, 'update not called');
        assert.equal({ ...r }, { finite: false, tensor, index, value: bad }, `${k.backend} ${bad}: result names the location`);
        const after = snapshot();
        for (let i = 0; i < 3; i++) checkEqual(`${k.backend} ${bad} ${JSON.stringify(clip)} slab ${'WMV'[i]} unchanged`, after[i], before[i]);
        checkEqual(`${k.backend} grads not clipped either`, a.readF32(G, P), g);
      }
    }
    // The next finite step runs normally.
    a.F32.set(uniform(P, 99, -3, 3), G >> 2);
    const before = a.readF32(W, P);
    assert.ok(guardedStep(k, grads, { globalClipnorm: 1 }, adam(4)).finite);
    assert.ok(a.readF32(W, P).some((w, i) => w !== before[i]), 'weights moved after recovery');
    a.release(mark);
  }
});

test('guardedStep: finite path = norm pass → clip → update (same bits as calling them by hand)', () => {
  const P = 23, g = uniform(P, 5, -4, 4);
  const run = (k: Kernels, guarded: boolean) => {
    const a = k.arena, mark = a.mark();
    const W = a.putF32(uniform(P, 6)), M = a.allocZeroed(P), V = a.allocZeroed(P), G = a.putF32(g);
    const grads = k.gradTable(G, [[0, 7], [7, 16]]);
    const step = () => k.adamw(W, M, V, G, P, { step: 1, weightDecay: 0.01 });
    if (guarded) guardedStep(k, grads, { clipGradNorm: 2 }, step);
    else { k.clipGradNorm(grads, 2); step(); }
    const out = a.readF32(W, P);
    a.release(mark);
    return out;
  };
  for (const k of all()) checkEqual(`${k.backend} guarded == manual`, run(k, true), run(k, false));
});

// ---- bad input

function throwsArg(fn: () => void, argument: string, pattern?: RegExp): void {
  try {
    fn();
  } catch (e) {
    assert.instance(e, KernelArgumentError);
    const err = e as KernelArgumentError;
    assert.is(err.argument, argument, err.message);
    if (pattern) assert.match(err.message, pattern);
    return;
  }
  assert.unreachable(`expected KernelArgumentError naming ${argument}`);
}

test('bad input: KernelArgumentError naming the argument', () => {
  for (const k of [simd, js]) {
    const a = k.arena, mark = a.mark();
    const G = a.putF32(uniform(64, 3));
    throwsArg(() => k.gradTable(G, []), 'ranges.length');
    throwsArg(() => k.gradTable(G, [[0, 4], [4, -2]]), 'ranges[1].length');
    throwsArg(() => k.gradTable(G, [[0, 2.5]]), 'ranges[0].length');
    throwsArg(() => k.gradTable(G, [[-1, 2]]), 'ranges[0].offset');
    throwsArg(() => k.gradTable(G, [[0, 4], [a.byteLength / 4, 4]]), 'ranges[1]', /beyond memory/);
    throwsArg(() => k.gradTable(G, [[0, 10], [8, 4]]), 'table[1]', /overlaps table\[0\]/);
    throwsArg(() => k.gradTable(G + 1, [[0, 4]]), 'G', /aligned/);
    const grads = k.gradTable(G, [[0, 10], [10, 5]]);
    for (const [name, fn] of [['clip_value', k.clipValue], ['clip_norm', k.clipNorm], ['global_clipnorm', k.globalClipnorm]] as const) {
      throwsArg(() => fn(grads, NaN), 'clip', new RegExp(name));
      throwsArg(() => fn(grads, 0), 'clip');
      throwsArg(() => fn(grads, -1), 'clip');
    }
    throwsArg(() => k.clipGradNorm(grads, Infinity), 'maxNorm');
    // A table edited to point outside memory, or scratch that overlaps a tensor, is caught on every call.
    const bad: GradTable = { ...grads, sums: G + 8 };
    throwsArg(() => k.gradNorms(bad), 'table[0]', /overlaps input sums/);
    throwsArg(() => k.gradNorms({ ...grads, sums: grads.sums + 4 }), 'sums', /8-byte aligned/);
    throwsArg(() => k.gradNorms({ ...grads, count: 1.5 }), 'count');
    a.I32[(grads.table >> 2) + 3] = -7;
    throwsArg(() => k.gradNorms(grads), 'table[1].length');
    a.I32[(grads.table >> 2) + 3] = 5;
    throwsArg(() => guardedStep(k, grads, { clipnorm: 1, clipvalue: 1 } as never, () => {}), 'clip', /exactly one mode/);
    throwsArg(() => guardedStep(k, grads, { maxNorm: 1 } as never, () => {}), 'clip');
    a.release(mark);
  }
});

test.run();
