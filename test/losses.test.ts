// Losses fused with their backward: finite-difference gradchecks on the f64 reference, wasm SIMD / scalar /
// js backends vs the reference (SIMD == scalar bit for bit), padded row strides (padding never read, never
// written), per-row weights and masks, extreme logits, and bad input rejected before wasm runs.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { loadKernels, KernelArgumentError, type Kernels } from '../bindings/index.js';
import * as ref from '../bindings/reference/losses.js';
import { checkClose, checkEqual } from './helpers/check-close.js';
import { rng, uniform } from './helpers/random.js';

let simd: Kernels, scalar: Kernels, js: Kernels;
test.before(async () => {
  simd = await loadKernels({ variant: 'simd' });
  scalar = await loadKernels({ variant: 'scalar' });
  js = await loadKernels({ backend: 'js' });
});

type Kind = 'bce' | 'sparse' | 'mse';
const KINDS: Kind[] = ['bce', 'sparse', 'mse'];
const refFn = { bce: ref.sigmoidBce, mse: ref.mse } as const;

interface Case { N: number; C: number; ld: number; logits: Float32Array; targets: Float32Array | Int32Array; weights: Float32Array | null; byCount?: boolean }

function makeCase(kind: Kind, N: number, C: number, ld: number, seed: number, weights: 'none' | 'mask' | 'real' = 'none', scale = 3): Case {
  const r = rng(seed);
  const logits = new Float32Array(N * ld).fill(NaN); // padding lanes hold garbage the kernel must not read
  for (let i = 0; i < N; i++) for (let j = 0; j < C; j++) logits[i * ld + j] = (2 * r() - 1) * scale;
  const targets = kind === 'sparse'
    ? Int32Array.from({ length: N }, () => Math.floor(r() * C))
    : Float32Array.from({ length: N * C }, () => (kind === 'bce' ? (r() < 0.5 ? 0 : r()) : 2 * r() - 1));
  let w: Float32Array | null = null;
  if (weights === 'mask') w = Float32Array.from({ length: N }, (_, i) => (i % 3 === 1 ? 0 : 1));
  if (weights === 'real') w = Float32Array.from({ length: N }, () => r() * 2);
  return { N, C, ld, logits, targets, weights: w };
}

/** Runs one loss through a backend; returns the loss and the whole dLogits buffer (padding included). */
function run(k: Kernels, kind: Kind, cs: Case, dInit = 0): { loss: number; d: Float32Array } {
  const a = k.arena;
  const mark = a.mark();
  const lead = [cs.N];
  const pl = a.putF32(cs.logits);
  const pt = kind === 'sparse' ? a.putI32(cs.targets) : a.putF32(cs.targets);
  const pd = a.putF32(new Float32Array(cs.N * cs.ld).fill(dInit));
  const pw = cs.weights ? a.putF32(cs.weights) : 0;
  const args = {
    dLogits: { ptr: pd, shape: [...lead, cs.ld] },
    logits: { ptr: pl, shape: [...lead, cs.ld] },
    targets: { ptr: pt, shape: kind === 'sparse' ? lead : [...lead, cs.C] },
    weights: cs.weights ? { ptr: pw, shape: lead } : null,
    columns: cs.C,
    reduction: cs.byCount ? 'sum_over_batch_size' as const : undefined,
  };
  const loss = kind === 'bce' ? k.sigmoidBinaryCrossentropy(args) : kind === 'sparse' ? k.sparseSoftmaxCrossentropy(args) : k.meanSquaredError(args);
  const d = a.readF32(pd, cs.N * cs.ld);
  a.release(mark);
  return { loss, d };
}

function reference(kind: Kind, cs: Case, x: Float64Array | Float32Array = Float64Array.from(cs.logits)): { loss: number; d: Float64Array } {
  const d = new Float64Array(cs.N * cs.ld);
  const w = cs.weights ? Float64Array.from(cs.weights) : null;
  const loss = kind === 'sparse'
    ? ref.sparseSoftmaxCe(d, x, cs.targets, w, cs.N, cs.C, cs.ld, cs.byCount)
    : refFn[kind](d, x, Float64Array.from(cs.targets), w, cs.N, cs.C, cs.ld, cs.byCount);
  return { loss, d };
}

/** Real lanes of a padded (N, ld) buffer. */
const real = (v: ArrayLike<number>, N: number, C: number, ld: number) => Float64Array.from({ length: N * C }, (_, i) => v[Math.floor(i / C) * ld + (i % C)]);

for (const kind of KINDS) {
  test(`${kind}: gradcheck of the mean loss on the f64 reference (centred, delta 1e-5, rel < 1e-6)`, () => {
    for (const [N, C, weights] of [[1, 1, 'none'], [3, 5, 'none'], [4, 7, 'mask'], [5, 6, 'real'], [3, 4, 'real by count']] as const) {
      const cs = makeCase(kind, N, kind === 'sparse' && C === 1 ? 2 : C, C === 1 && kind === 'sparse' ? 2 : C, 10 + N, weights === 'real by count' ? 'real' : weights);
      cs.byCount = weights === 'real by count';
      const x = Float64Array.from(cs.logits);
      const { d } = reference(kind, cs, x);
      const h = 1e-5;
      for (let i = 0; i < x.length; i++) {
        const x0 = x[i];
        x[i] = x0 + h; const lp = reference(kind, cs, x).loss;
        x[i] = x0 - h; const lm = reference(kind, cs, x).loss;
        x[i] = x0;
        const num = (lp - lm) / (2 * h);
        const rel = Math.abs(num - d[i]) / Math.max(Math.abs(num), Math.abs(d[i]), 1e-2);
        assert.ok(rel < 1e-6, `${kind} N=${N} C=${cs.C} w=${weights}: d[${i}] analytic ${d[i]} vs numeric ${num} (rel ${rel})`);
      }
    }
  });

  test(`${kind}: wasm simd, wasm scalar and js match the reference; simd == scalar bit for bit; padding untouched`, () => {
    const shapes: Array<[number, number, number]> = [[1, 1, 1], [1, 1, 4], [7, 3, 4], [5, 4, 4], [6, 13, 16], [35, 37, 40], [9, 300, 300]];
    for (const [N, C0, ld0] of shapes) {
      const C = kind === 'sparse' ? Math.max(C0, 2) : C0, ld = Math.max(ld0, C);
      for (const weights of ['none', 'mask', 'real', 'real by count'] as const) {
        const cs = makeCase(kind, N, C, ld, N * 31 + C, weights === 'real by count' ? 'real' : weights);
        cs.byCount = weights === 'real by count';
        const want = reference(kind, cs);
        const s = run(simd, kind, cs), sc = run(scalar, kind, cs), j = run(js, kind, cs);
        const label = `${kind} N=${N} C=${C} ld=${ld} w=${weights}`;
        for (const [name, got] of [['simd', s], ['scalar', sc], ['js', j]] as const) {
          assert.ok(Math.abs(got.loss - want.loss) <= 1e-6 * Math.max(1, Math.abs(want.loss)), `${label} ${name}: loss ${got.loss} vs ${want.loss}`);
          checkClose(`${label} ${name} dLogits`, real(got.d, N, C, ld), real(want.d, N, C, ld), 2e-7, 2e-5);
          for (let i = 0; i < N; i++) for (let p = C; p < ld; p++) assert.is(got.d[i * ld + p], 0, `${label} ${name}: padded lane [${i}][${p}] written`);
        }
        assert.is(s.loss, sc.loss, `${label}: simd and scalar losses differ`);
        checkEqual(`${label} simd == scalar`, s.d, sc.d);
      }
    }
  });

  test(`${kind}: masked rows get zero gradient, all-masked gives loss 0; weights scale like repeated rows`, () => {
    const cs = makeCase(kind, 6, 5, 8, 77, 'mask');
    const got = run(simd, kind, cs, 123);
    for (let i = 0; i < 6; i++) {
      if (cs.weights![i] !== 0) continue;
      for (let j = 0; j < 5; j++) assert.is(got.d[i * 8 + j], 0, `masked row ${i} lane ${j}`);
    }
    // Masked mean == the plain mean over the unmasked rows only.
    const keep = [0, 2, 3, 5];
    const sub = makeCase(kind, 4, 5, 8, 1);
    sub.logits = Float32Array.from(keep.flatMap((i) => Array.from(cs.logits.subarray(i * 8, i * 8 + 8))));
    sub.targets = kind === 'sparse' ? Int32Array.from(keep.map((i) => cs.targets[i])) : Float32Array.from(keep.flatMap((i) => Array.from(cs.targets.subarray(i * 5, i * 5 + 5))));
    const plain = run(simd, kind, sub);
    assert.ok(Math.abs(plain.loss - got.loss) < 1e-6, `masked mean ${got.loss} vs mean of kept rows ${plain.loss}`);
    const none = { ...cs, weights: new Float32Array(6) };
    const z = run(simd, kind, none, 5);
    assert.is(z.loss, 0);
    assert.ok(real(z.d, 6, 5, 8).every((v) => v === 0), 'all-masked gradient must be zero');
  });
}

test('losses: reduction sum_over_batch_size = weighted mean · Σw / N (Keras sample_weight)', () => {
  for (const kind of KINDS) {
    const cs = makeCase(kind, 9, 6, 8, 5, 'real');
    const wm = run(simd, kind, cs);
    const bc = run(simd, kind, { ...cs, byCount: true });
    const f = cs.weights!.reduce((p, v) => p + v, 0) / 9;
    assert.ok(Math.abs(bc.loss - wm.loss * f) < 1e-6 * Math.abs(bc.loss), `${kind}: ${bc.loss} vs ${wm.loss * f}`);
    checkClose(`${kind} by-count gradient`, bc.d, Array.from(wm.d, (v) => v * f), 1e-8, 1e-5);
  }
  const a = simd.arena;
  const mark = a.mark();
  const p = a.alloc(8);
  assert.throws(() => simd.meanSquaredError({ dLogits: { ptr: p, shape: [2, 2] }, logits: { ptr: p + 16, shape: [2, 2] }, targets: { ptr: p + 16, shape: [2, 2] }, reduction: 'sum' as never }),
    /^loss_mse: argument reduction = "sum" must be 'weighted_mean' or 'sum_over_batch_size'$/);
  a.release(mark);
});

test('losses: numerically stable at extreme logits (±1000 in f32, no overflow, exact limits)', () => {
  const N = 4, C = 5;
  const logits = Float32Array.from([1000, -1000, 0, 88, -88, 1000, 999, -1000, 0, 0, -1000, -1000, -1000, -1000, 1000, 50, 50, 50, 50, 50]);
  const bce = { N, C, ld: C, logits, targets: Float32Array.from({ length: 20 }, (_, i) => i % 2), weights: null };
  for (const k of [simd, scalar]) {
    const r = run(k, 'bce', bce);
    const want = reference('bce', bce);
    assert.ok(Number.isFinite(r.loss) && Math.abs(r.loss - want.loss) <= 1e-6 * want.loss, `bce loss ${r.loss} vs ${want.loss}`);
    checkClose('bce extreme grads', r.d, want.d, 1e-7, 1e-5);
    const sp = { N, C, ld: C, logits, targets: Int32Array.from([1, 0, 3, 2]), weights: null };
    const s = run(k, 'sparse', sp);
    const ws = reference('sparse', sp);
    assert.ok(Number.isFinite(s.loss) && Math.abs(s.loss - ws.loss) <= 1e-6 * ws.loss, `sparse loss ${s.loss} vs ${ws.loss}`);
    checkClose('sparse extreme grads', s.d, ws.d, 1e-7, 1e-5);
  }
});

test('sparse softmax CE: sequence LM over (T, B) rows, padded steps masked, V padded to Vp', () => {
  const T = 5, B = 3, V = 11, Vp = 12;
  const a = simd.arena;
  const mark = a.mark();
  const logits = uniform(T * B * Vp, 9, -4, 4);
  for (let i = 0; i < T * B; i++) logits[i * Vp + V] = 0; // a padded lane as the model keeps it: zero
  const targets = Int32Array.from({ length: T * B }, (_, i) => (i * 7) % V);
  const mask = Float32Array.from({ length: T * B }, (_, i) => (Math.floor(i / B) >= 3 && i % B === 2 ? 0 : 1));
  const pl = a.putF32(logits), pt = a.putI32(targets), pw = a.putF32(mask), pd = a.allocZeroed(T * B * Vp);
  const loss = simd.sparseSoftmaxCrossentropy({
    dLogits: { ptr: pd, shape: [T, B, Vp] }, logits: { ptr: pl, shape: [T, B, Vp] },
    targets: { ptr: pt, shape: [T, B] }, weights: { ptr: pw, shape: [T, B] }, columns: V,
  });
  const d = new Float64Array(T * B * Vp);
  const want = ref.sparseSoftmaxCe(d, Float64Array.from(logits), targets, Float64Array.from(mask), T * B, V, Vp);
  assert.ok(Math.abs(loss - want) < 1e-6, `loss ${loss} vs ${want}`);
  checkClose('LM dLogits', a.readF32(pd, T * B * Vp), d, 2e-7, 2e-5);
  a.release(mark);
});

test('losses: bad input is rejected with a message naming the argument, and memory is unchanged', () => {
  const a = simd.arena;
  const mark = a.mark();
  const T = 2, B = 3, V = 5;
  const pl = a.putF32(uniform(T * B * V, 1)), pd = a.putF32(new Float32Array(T * B * V).fill(7));
  const pt = a.putI32([0, 1, 2, 3, 4, 0]), pw = a.putF32([1, 1, 1, 1, 1, 1]);
  const base = () => ({
    dLogits: { ptr: pd, shape: [T, B, V] }, logits: { ptr: pl, shape: [T, B, V] },
    targets: { ptr: pt, shape: [T, B] } as { ptr: number; shape: number[] }, weights: null as null | { ptr: number; shape: number[] },
  });
  const before = a.readF32(pd, T * B * V);
  const expectError = (fn: () => unknown, re: RegExp) => {
    try { fn(); } catch (e) {
      assert.instance(e, KernelArgumentError);
      assert.match((e as Error).message, re);
      checkEqual('dLogits unchanged', a.readF32(pd, T * B * V), before);
      return;
    }
    assert.unreachable(`expected an error matching ${re}`);
  };
  a.I32[(pt >> 2) + 4] = 5; // targets[1][1] = 5 = V
  expectError(() => simd.sparseSoftmaxCrossentropy(base()),
    /^loss_sparse_softmax_ce: argument targets\[1\]\[1\] = 5 \(time step 1, batch row 1\) must be a class id in \[0, C = 5\)$/);
  a.I32[(pt >> 2) + 4] = -1;
  expectError(() => simd.sparseSoftmaxCrossentropy(base()), /targets\[1\]\[1\] = -1/);
  a.I32[(pt >> 2) + 4] = 4;
  a.F32[(pw >> 2) + 2] = NaN;
  expectError(() => simd.sparseSoftmaxCrossentropy({ ...base(), weights: { ptr: pw, shape: [T, B] } }),
    /argument weights\[0\]\[2\] = NaN must be a finite weight >= 0/);
  a.F32[(pw >> 2) + 2] = -1;
  expectError(() => simd.meanSquaredError({ ...base(), targets: { ptr: pl, shape: [T, B, V] }, weights: { ptr: pw, shape: [T, B] } }),
    /weights\[0\]\[2\] = -1/);
  expectError(() => simd.sparseSoftmaxCrossentropy({ ...base(), targets: { ptr: pt, shape: [B, T] } }),
    /argument targets = \d+ has shape \(3, 2\), expected \(T, B\) = \(2, 3\)/);
  expectError(() => simd.sigmoidBinaryCrossentropy({ ...base(), targets: { ptr: pl, shape: [T, B, V - 1] } }),
    /argument targets = \d+ has shape \(2, 3, 4\), expected \(T, B, C\) = \(2, 3, 5\)/);
  expectError(() => simd.sparseSoftmaxCrossentropy({ ...base(), columns: 6 }), /argument columns = 6 must be <= the row stride ld = 5/);
  expectError(() => simd.sparseSoftmaxCrossentropy({ ...base(), dLogits: { ptr: pl, shape: [T, B, V] } }), /argument dLogits = \d+ \(bytes .*overlaps input logits/);
  expectError(() => simd.meanSquaredError({ ...base(), logits: { ptr: pl, shape: [T * B * V] } }), /argument logits = \d+ must be a tensor reference with shape \(N, C\)/);
  a.release(mark);
});

test.run();
