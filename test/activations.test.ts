// Activation approximations: max error over a dense grid on [-20, 20] against f64 Math, in the SIMD and
// scalar builds (which must agree bit for bit), plus the backward from saved outputs.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { loadKernels, type Kernels } from '../bindings/index.js';
import { activate, derivative } from '../bindings/reference/activations.js';
import { checkClose, checkEqual } from './helpers/check-close.js';
import { uniform } from './helpers/random.js';

const NAMES = ['linear', 'tanh', 'sigmoid', 'relu', 'hard_sigmoid', 'hard_sigmoid_tfjs'] as const;
const KIND = { linear: 0, tanh: 1, sigmoid: 2, relu: 3, hard_sigmoid: 4, hard_sigmoid_tfjs: 5 };
// The bound stated in assembly/math.ts: |error| ≤ 2e-7 · max(1, |y|).
const BOUND = 2e-7;

let simd: Kernels, scalar: Kernels;
test.before(async () => {
  simd = await loadKernels();
  scalar = await loadKernels({ variant: 'scalar' });
});

function grid(): Float32Array {
  const n = 400_001; // step 1e-4 over [-20, 20], plus the edges of every tanh/sigmoid branch
  const x = new Float32Array(n + 6);
  for (let i = 0; i < n; i++) x[i] = -20 + i * 1e-4;
  x.set([0.625, -0.625, Math.fround(0.625) - 1e-7, 88, -87, 0], n);
  return x;
}

function forward(k: Kernels, x: Float32Array, name: (typeof NAMES)[number]): Float32Array {
  const a = k.arena;
  const mark = a.mark();
  const px = a.putF32(x), py = a.alloc(x.length);
  k.activationForward(py, px, x.length, name);
  const y = a.readF32(py, x.length);
  a.release(mark);
  return y;
}

for (const name of NAMES) {
  test(`${name}: max error over [-20, 20] within ${BOUND}·max(1, |y|); simd == scalar`, () => {
    const x = grid();
    const y = forward(simd, x, name);
    let worst = 0, at = 0;
    for (let i = 0; i < x.length; i++) {
      const want = activate(x[i], KIND[name]);
      const err = Math.abs(y[i] - want) / Math.max(1, Math.abs(want));
      if (!(err <= worst)) { worst = err; at = x[i]; }
    }
    // f32 rounding of the exact value alone is up to 6e-8 near 1.
    assert.ok(worst <= BOUND, `${name}: max scaled error ${worst} at x = ${at}`);
    checkEqual(`${name} simd vs scalar`, y, forward(scalar, x, name));
  });

  test(`${name}: backward from saved outputs, accumulate and overwrite`, () => {
    const n = 37;
    const x = uniform(n, 3, -4, 4), dy = uniform(n, 4), dx0 = uniform(n, 5);
    const y = forward(simd, x, name);
    for (const acc of [false, true]) {
      const a = simd.arena;
      const mark = a.mark();
      const pdx = a.putF32(dx0), pdy = a.putF32(dy), py = a.putF32(y);
      simd.activationBackward(pdx, pdy, py, n, name, acc);
      const want = Array.from(y, (yi, i) => (acc ? dx0[i] : 0) + dy[i] * derivative(yi, KIND[name]));
      checkClose(`${name} backward acc=${acc}`, a.readF32(pdx, n), want, 1e-6, 1e-6);
      a.release(mark);
    }
  });
}

test('activation: unknown name and aliasing are rejected before wasm runs', () => {
  const a = simd.arena;
  const p = a.alloc(16);
  assert.throws(() => simd.activationForward(p, p, 8, 'swish' as never), /activation_forward: argument activation = "swish" must be one of/);
  assert.throws(() => simd.activationForward(p + 4, p, 8, 'tanh'), /argument y = \d+ \(bytes .*overlaps input x/);
});

test.run();
