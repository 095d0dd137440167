// Optimizers and the regularization gradient: wasm SIMD vs wasm scalar vs the TypeScript reference over several
// steps (bit-exact: the reference rounds every operation to f32), vs an f64 reference (close), vs hand-computed
// Keras values; element ranges that start mid-slab, lengths that are not multiples of 4 and ≥ 2 SIMD iterations;
// elements outside the range untouched; bad input.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { KernelArgumentError, loadKernels, type Kernels } from '../bindings/index.js';
import * as ref from '../bindings/reference/optimizers.js';
import { checkClose, checkEqual } from './helpers/check-close.js';
import { uniform } from './helpers/random.js';

type Opt = 'sgd' | 'sgd-momentum' | 'sgd-nesterov' | 'adam' | 'adamw' | 'rmsprop' | 'adagrad' | 'regularizer';
const OPTS: Opt[] = ['sgd', 'sgd-momentum', 'sgd-nesterov', 'adam', 'adamw', 'rmsprop', 'adagrad', 'regularizer'];
const STEPS = 4;

interface State { W: Float32Array; M: Float32Array; V: Float32Array; G: Float32Array }

function initial(P: number, opt: Opt): State {
  const V = opt === 'adagrad' ? new Float32Array(P).fill(0.1) : uniform(P, 4, 0, 0.01); // v >= 0
  return { W: uniform(P, 1), M: uniform(P, 2, -0.01, 0.01), V, G: uniform(P, 3) };
}

const gradAt = (P: number, step: number) => uniform(P, 100 + step, -2, 2);

/** Runs STEPS steps through the checked Kernels interface on [i0, i1) of P-element slabs. */
function runKernels(k: Kernels, opt: Opt, P: number, i0: number, i1: number): State {
  const a = k.arena, mark = a.mark(), s0 = initial(P, opt);
  const W = a.putF32(s0.W), M = a.putF32(s0.M), V = a.putF32(s0.V), G = a.putF32(s0.G);
  for (let t = 1; t <= STEPS; t++) {
    a.F32.set(gradAt(P, t), G >> 2);
    switch (opt) {
      case 'sgd': k.sgd(W, 0, G, P, { learningRate: 0.05 }, i0, i1); break;
      case 'sgd-momentum': k.sgd(W, M, G, P, { learningRate: 0.05, momentum: 0.9 }, i0, i1); break;
      case 'sgd-nesterov': k.sgd(W, M, G, P, { learningRate: 0.05, momentum: 0.9, nesterov: true }, i0, i1); break;
      case 'adam': k.adam(W, M, V, G, P, { learningRate: 0.01, step: t }, i0, i1); break;
      case 'adamw': k.adamw(W, M, V, G, P, { learningRate: 0.01, weightDecay: 0.1, step: t }, i0, i1); break;
      case 'rmsprop': k.rmsprop(W, V, G, P, { learningRate: 0.01 }, i0, i1); break;
      case 'adagrad': k.adagrad(W, V, G, P, { learningRate: 0.1 }, i0, i1); break;
      case 'regularizer': k.regularizerGrad(G, W, P, 0.01, 0.05, i0, i1); a.F32.set(a.readF32(G, P), W >> 2); break;
    }
  }
  const out = { W: a.readF32(W, P), M: a.readF32(M, P), V: a.readF32(V, P), G: a.readF32(G, P) };
  a.release(mark);
  return out;
}

/** The same steps on plain arrays (f32 or f64) with the reference functions, over subarrays [i0, i1). */
function runReference(opt: Opt, P: number, i0: number, i1: number, F: Float32ArrayConstructor | Float64ArrayConstructor): State {
  const s0 = initial(P, opt);
  const W = F.from(s0.W), M = F.from(s0.M), V = F.from(s0.V), G = F.from(s0.G);
  const r = <T extends Float32Array | Float64Array>(x: T) => x.subarray(i0, i1) as T;
  for (let t = 1; t <= STEPS; t++) {
    G.set(gradAt(P, t));
    switch (opt) {
      case 'sgd': ref.sgd(r(W), null, r(G), 0.05, 0, false); break;
      case 'sgd-momentum': ref.sgd(r(W), r(M), r(G), 0.05, 0.9, false); break;
      case 'sgd-nesterov': ref.sgd(r(W), r(M), r(G), 0.05, 0.9, true); break;
      case 'adam': ref.adam(r(W), r(M), r(V), r(G), 0.01, 0.9, 0.999, 1e-7, t); break;
      case 'adamw': ref.adamw(r(W), r(M), r(V), r(G), 0.01, 0.9, 0.999, 1e-7, t, 0.1); break;
      case 'rmsprop': ref.rmsprop(r(W), r(V), r(G), 0.01, 0.9, 1e-7); break;
      case 'adagrad': ref.adagrad(r(W), r(V), r(G), 0.1, 1e-7); break;
      case 'regularizer': ref.regularizerGrad(r(G), r(W), 0.01, 0.05); W.set(G); break;
    }
  }
  const f32 = (x: Float32Array | Float64Array) => Float32Array.from(x);
  return { W: f32(W), M: f32(M), V: f32(V), G: f32(G) };
}

let simd: Kernels, scalar: Kernels, js: Kernels;
test.before(async () => {
  simd = await loadKernels({ variant: 'simd' });
  scalar = await loadKernels({ variant: 'scalar' });
  js = await loadKernels({ backend: 'js' });
});

// P = 37: [0, 37) full, [5, 30) mid-slab (6 SIMD iterations + 1), [3, 14) (2 iterations + 3), [7, 8) one element,
// [9, 9) empty; P = 1001 for a long run.
const CASES: Array<[number, number, number]> = [[37, 0, 37], [37, 5, 30], [37, 3, 14], [37, 7, 8], [37, 9, 9], [1001, 13, 998]];

for (const opt of OPTS) {
  test(`${opt}: wasm simd == wasm scalar == js backend == f32 reference, ≈ f64 reference, outside the range untouched`, () => {
    for (const [P, i0, i1] of CASES) {
      const label = `${opt} P=${P} [${i0}, ${i1})`;
      const a = runKernels(simd, opt, P, i0, i1);
      const b = runKernels(scalar, opt, P, i0, i1);
      const c = runKernels(js, opt, P, i0, i1);
      const r32 = runReference(opt, P, i0, i1, Float32Array);
      const r64 = runReference(opt, P, i0, i1, Float64Array);
      const s0 = initial(P, opt);
      for (const key of ['W', 'M', 'V'] as const) {
        checkEqual(`${label} ${key} simd == scalar`, a[key], b[key]);
        checkEqual(`${label} ${key} simd == js backend`, a[key], c[key]);
        checkEqual(`${label} ${key} simd == f32 reference`, a[key], r32[key]);
        checkClose(`${label} ${key} simd ≈ f64 reference`, a[key], r64[key], 1e-5, 1e-4);
        const outside = (x: Float32Array) => Float32Array.from([...x.subarray(0, i0), ...x.subarray(i1)]);
        if (opt !== 'regularizer') checkEqual(`${label} ${key} outside the range`, outside(a[key]), outside(s0[key]));
      }
      if (i1 > i0 && opt !== 'regularizer') {
        assert.ok(a.W.subarray(i0, i1).some((w, j) => w !== s0.W[i0 + j]), `${label}: the range was updated`);
      }
    }
  });
}

// ---- hand-computed Keras values (one or two elements, formulas from keras/src/optimizers/*.py)

function oneParam(k: Kernels, w: number[], g: number[], m: number[] = [0, 0], v: number[] = [0, 0]) {
  const a = k.arena;
  return { W: a.putF32(w), G: a.putF32(g), M: a.putF32(m), V: a.putF32(v), read: (p: number) => Array.from(a.readF32(p, w.length)) };
}

test('sgd: hand-computed Keras values (plain, momentum, nesterov)', () => {
  for (const k of [simd, scalar, js]) {
    const mark = k.arena.mark();
    let s = oneParam(k, [1, -2], [0.5, 0.25]);
    k.sgd(s.W, 0, s.G, 2, { learningRate: 0.1 });
    // w = w − g·lr
    checkClose('sgd', s.read(s.W), [1 - 0.5 * 0.1, -2 - 0.25 * 0.1], 1e-7, 1e-6);
    s = oneParam(k, [1, -2], [0.5, 0.25]);
    k.sgd(s.W, s.M, s.G, 2, { learningRate: 0.1, momentum: 0.9 });
    k.sgd(s.W, s.M, s.G, 2, { learningRate: 0.1, momentum: 0.9 });
    // m1 = 0·0.9 − 0.5·0.1 = −0.05, w1 = 0.95; m2 = −0.05·0.9 − 0.05 = −0.095, w2 = 0.855
    checkClose('sgd momentum m', s.read(s.M), [-0.095, -0.0475], 1e-7, 1e-6);
    checkClose('sgd momentum w', s.read(s.W), [0.855, -2 - 0.025 - 0.0475], 1e-7, 1e-6);
    s = oneParam(k, [1, -2], [0.5, 0.25]);
    k.sgd(s.W, s.M, s.G, 2, { learningRate: 0.1, momentum: 0.9, nesterov: true });
    // m = −0.05; w = w + (m·0.9 − g·lr) = 1 + (−0.045 − 0.05) = 0.905
    checkClose('sgd nesterov', s.read(s.W), [0.905, -2 + (-0.025 * 0.9 - 0.025)], 1e-7, 1e-6);
    k.arena.release(mark);
  }
});

test('adam / adamw: hand-computed Keras values over two steps', () => {
  for (const k of [simd, scalar, js]) {
    const mark = k.arena.mark();
    const lr = 0.001, b1 = 0.9, b2 = 0.999, eps = 1e-7, wd = 0.004;
    const adamStep = (w: number, m: number, v: number, g: number, t: number, decay: number) => {
      w = w - w * decay * lr; // AdamW only (decay = wd): w −= w·wd·lr before the step
      m = m + (g - m) * (1 - b1); // m += (g − m)(1 − β1)
      v = v + (g * g - v) * (1 - b2); // v += (g² − v)(1 − β2)
      const alpha = (lr * Math.sqrt(1 - b2 ** t)) / (1 - b1 ** t); // α = lr·sqrt(1 − β2^t)/(1 − β1^t)
      return [w - (m * alpha) / (Math.sqrt(v) + eps), m, v]; // w −= m·α/(sqrt(v) + ε)
    };
    for (const decay of [0, wd]) {
      const s = oneParam(k, [1, -3], [0.5, 1e-3]);
      let e0 = [1, 0, 0], e1 = [-3, 0, 0];
      for (let t = 1; t <= 2; t++) {
        const g1 = t === 1 ? 1e-3 : -2e-3;
        k.arena.F32.set([0.5, g1], s.G >> 2);
        if (decay) k.adamw(s.W, s.M, s.V, s.G, 2, { learningRate: lr, weightDecay: wd, step: t });
        else k.adam(s.W, s.M, s.V, s.G, 2, { step: t });
        e0 = adamStep(e0[0], e0[1], e0[2], 0.5, t, decay);
        e1 = adamStep(e1[0], e1[1], e1[2], g1, t, decay);
      }
      const name = decay ? 'adamw' : 'adam';
      checkClose(`${name} ${k.backend} w`, s.read(s.W), [e0[0], e1[0]], 1e-7, 1e-6);
      checkClose(`${name} ${k.backend} m`, s.read(s.M), [e0[1], e1[1]], 1e-9, 1e-5);
      checkClose(`${name} ${k.backend} v`, s.read(s.V), [e0[2], e1[2]], 1e-12, 1e-5);
    }
    // Step 1 of Adam moves every weight by ≈ lr·sign(g) (the bias-corrected m/sqrt(v) is ±1): a sanity pin.
    const s = oneParam(k, [0, 0], [3, -0.02]);
    k.adam(s.W, s.M, s.V, s.G, 2, { learningRate: 0.01, step: 1 });
    checkClose(`adam step 1 ≈ −lr·sign(g) ${k.backend}`, s.read(s.W), [-0.01, 0.01], 1e-6, 1e-4);
    k.arena.release(mark);
  }
});

test('rmsprop / adagrad: hand-computed Keras values (epsilon inside the root)', () => {
  for (const k of [simd, scalar, js]) {
    const mark = k.arena.mark();
    let s = oneParam(k, [1, 2], [0.5, -1e-4]);
    k.rmsprop(s.W, s.V, s.G, 2, { learningRate: 0.01 });
    // v = 0.9·0 + 0.1·g²; w = w − lr·g/sqrt(v + 1e-7)
    const v = [0.1 * 0.25, 0.1 * 1e-8];
    checkClose(`rmsprop v ${k.backend}`, s.read(s.V), v, 1e-12, 1e-6);
    checkClose(`rmsprop w ${k.backend}`, s.read(s.W), [1 - (0.01 * 0.5) / Math.sqrt(v[0] + 1e-7), 2 + (0.01 * 1e-4) / Math.sqrt(v[1] + 1e-7)], 1e-7, 1e-6);
    s = oneParam(k, [1, 2], [0.5, -1e-4], [0, 0], [0.1, 0.1]); // accumulator starts at 0.1 (Keras default)
    k.adagrad(s.W, s.V, s.G, 2, { learningRate: 0.01 });
    // a = 0.1 + g²; w = w − lr·g/sqrt(a + 1e-7)
    const acc = [0.1 + 0.25, 0.1 + 1e-8];
    checkClose(`adagrad a ${k.backend}`, s.read(s.V), acc, 1e-9, 1e-6);
    checkClose(`adagrad w ${k.backend}`, s.read(s.W), [1 - (0.01 * 0.5) / Math.sqrt(acc[0] + 1e-7), 2 + (0.01 * 1e-4) / Math.sqrt(acc[1] + 1e-7)], 1e-7, 1e-6);
    k.arena.release(mark);
  }
});

test('regularizerGrad: g += l1·sign(w) + 2·l2·w (Keras L1L2 penalty l1·Σ|w| + l2·Σw²)', () => {
  for (const k of [simd, scalar, js]) {
    const mark = k.arena.mark();
    const w = [-2, 0, 3, 0.5, -0.25, 1, 2], g = [0.1, 0.1, 0.1, 0, -1, 0, 0];
    const W = k.arena.putF32(w), G = k.arena.putF32(g);
    k.regularizerGrad(G, W, 7, 0.01, 0.1);
    checkClose(`regularizer ${k.backend}`, k.arena.readF32(G, 7), w.map((wi, i) => g[i] + 0.01 * Math.sign(wi) + 2 * 0.1 * wi), 1e-7, 1e-6);
    k.arena.release(mark);
  }
});

// ---- bad input

function throwsArg(fn: () => void, argument: string, pattern?: RegExp): void {
  try {
    fn();
  } catch (e) {
    assert.instance(e, KernelArgumentError);
    const err = e as KernelArgumentError;
    assert.is(err.argument, argument, err.message);
    assert.ok(err.message.includes(`argument ${argument} =`), err.message);
    if (pattern) assert.match(err.message, pattern);
    return;
  }
  assert.unreachable(`expected KernelArgumentError naming ${argument}`);
}

test('bad input: KernelArgumentError naming the argument, and nothing written', () => {
  for (const k of [simd, js]) {
    const a = k.arena, mark = a.mark(), P = 10;
    const W = a.putF32(uniform(P, 1)), M = a.putF32(uniform(P, 2)), V = a.putF32(uniform(P, 3, 0, 1)), G = a.putF32(uniform(P, 4));
    const before = a.readF32(W, 4 * P + 8);
    const ok = { step: 1 };
    throwsArg(() => k.adam(W, M, V, G, -4, ok), 'P');
    throwsArg(() => k.adam(W, M, V, G, 2.5, ok), 'P');
    throwsArg(() => k.adam(W, M, V, G, P, ok, -1, 5), 'i0');
    throwsArg(() => k.adam(W, M, V, G, P, ok, 1.5, 5), 'i0');
    throwsArg(() => k.adam(W, M, V, G, P, ok, 6, 5), 'i1');
    throwsArg(() => k.adam(W, M, V, G, P, ok, 0, P + 1), 'i1');
    throwsArg(() => k.adam(W, M, V, a.byteLength - 16, P, ok), 'G', /beyond memory/);
    throwsArg(() => k.adam(W, M, V, 8, P, ok), 'G', /below the arena base/);
    throwsArg(() => k.adam(W + 2, M, V, G, P, ok), 'W', /aligned/);
    throwsArg(() => k.adam(W, M, V, G, P, { learningRate: NaN, step: 1 }), 'learningRate');
    throwsArg(() => k.adam(W, M, V, G, P, { learningRate: -1, step: 1 }), 'learningRate');
    throwsArg(() => k.adam(W, M, V, G, P, { beta1: 1, step: 1 }), 'beta1', /\[0, 1\)/);
    throwsArg(() => k.adam(W, M, V, G, P, { beta2: -0.1, step: 1 }), 'beta2');
    throwsArg(() => k.adam(W, M, V, G, P, { epsilon: Infinity, step: 1 }), 'epsilon');
    throwsArg(() => k.adam(W, M, V, G, P, { step: 0 }), 'step');
    throwsArg(() => k.adam(W, M, V, G, P, { step: 1.5 }), 'step');
    throwsArg(() => k.adam(W, M, V, G, P, {} as { step: number }), 'step');
    throwsArg(() => k.adam(W, M, V, G, P, undefined as unknown as { step: number }), 'options');
    throwsArg(() => k.adamw(W, M, V, G, P, { weightDecay: NaN, step: 1 }), 'weightDecay');
    // overlapping slabs: params and grads, moments and params, a one-element shift
    throwsArg(() => k.adam(W, M, V, W, P, ok), 'W', /overlaps input G/);
    throwsArg(() => k.adam(W, W + 4, V, G, P, ok), 'W', /overlaps input M/);
    throwsArg(() => k.sgd(W, M, W + 36, P, { momentum: 0.5 }), 'W', /overlaps input G/);
    throwsArg(() => k.sgd(W, M, G, P, { momentum: 1.5 }), 'momentum');
    throwsArg(() => k.sgd(W, M, G, P, { nesterov: 'yes' as unknown as boolean }), 'nesterov');
    throwsArg(() => k.rmsprop(W, V, G, P, { rho: 1 }), 'rho');
    throwsArg(() => k.rmsprop(W, V, G, P, { learningRate: NaN }), 'learningRate');
    throwsArg(() => k.adagrad(W, V, V, P), 'A', /overlaps input G/);
    throwsArg(() => k.regularizerGrad(G, W, P, NaN, 0), 'l1');
    throwsArg(() => k.regularizerGrad(G, W, P, 0, -1), 'l2');
    throwsArg(() => k.regularizerGrad(G, G, P, 0, 1), 'G', /overlaps input W/);
    checkEqual(`${k.backend}: memory unchanged after rejected calls`, a.readF32(W, 4 * P + 8), before);
    a.release(mark);
  }
});

test.run();
