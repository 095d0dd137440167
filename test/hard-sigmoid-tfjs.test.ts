// The TF.js / Keras 2 hard sigmoid (`hard_sigmoid_tfjs`: clip(0.2·x + 0.5, 0, 1)) as a kernel activation and
// as the recurrent (gate) activation of LSTM and GRU, checked against TensorFlow.js 4.22 itself (cpu backend):
// the activation bit for bit on a dense grid, and tfjs' LSTM and GRU (whose default recurrentActivation is
// 'hardSigmoid') against the fused kernels on identical weights. Gradchecks, wasm vs reference and masking
// for these cells run in recurrent-masks.test.ts (CELLS); the error bound in activations.test.ts.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { loadKernels, type Kernels, type TensorRef } from '../bindings/index.js';
import { checkClose, checkEqual } from './helpers/check-close.js';
import { uniform } from './helpers/random.js';
import { tf, tfl, useCpu } from './oracles/tfjs.js';

let simd: Kernels, scalar: Kernels, js: Kernels;
test.before(async () => {
  simd = await loadKernels();
  scalar = await loadKernels({ variant: 'scalar' });
  js = await loadKernels({ backend: 'js' });
  await useCpu();
});

test('hard_sigmoid_tfjs equals tfjs hardSigmoid bit for bit on [-4, 4] (SIMD and scalar), and differs from Keras 3 hard_sigmoid', () => {
  const n = 80_001;
  const x = Float32Array.from({ length: n + 4 }, (_, i) => (i < n ? -4 + i * 1e-4 : [2.5, -2.5, 1e-30, -0][i - n]));
  const want = tf.tidy(() => (tfl.layers.activation({ activation: 'hardSigmoid' }).apply(tf.tensor1d(x)) as tf.Tensor).dataSync());
  for (const k of [simd, scalar]) {
    const a = k.arena, mark = a.mark();
    const px = a.putF32(x), py = a.alloc(x.length), pk = a.alloc(x.length);
    k.activationForward(py, px, x.length, 'hard_sigmoid_tfjs');
    checkEqual(`${k.backend} vs tfjs`, a.readF32(py, x.length), want);
    k.activationForward(pk, px, x.length, 'hard_sigmoid');
    const keras3 = a.readF32(pk, x.length);
    assert.ok(Math.abs(keras3[50_000] - want[50_000]) > 0.03, `the two hard sigmoids differ at x = 1: ${keras3[50_000]} vs ${want[50_000]}`);
    a.release(mark);
  }
});

/** Runs a tfjs recurrent layer (returnSequences) on x (N, T, D) with the given weights; returns (N, T, H). */
function tfjsRun(layer: tfl.layers.Layer, x: Float32Array, N: number, T: number, D: number, weights: Array<[Float32Array, number[]]>): Float32Array {
  return tf.tidy(() => {
    const model = tfl.sequential({ layers: [layer] });
    model.setWeights(weights.map(([w, shape]) => tf.tensor(w, shape)));
    return (model.predict(tf.tensor3d(x, [N, T, D])) as tf.Tensor).dataSync() as Float32Array;
  });
}

/** (N, T, C) batch-major ↔ (T, N, C) time-major. */
function transpose(v: Float32Array, A: number, Bn: number, C: number): Float32Array {
  const out = new Float32Array(v.length);
  for (let a = 0; a < A; a++) for (let b = 0; b < Bn; b++) out.set(v.subarray((a * Bn + b) * C, (a * Bn + b + 1) * C), (b * A + a) * C);
  return out;
}

test('LSTM and GRU (reset_before) with recurrentActivation hard_sigmoid_tfjs match tfjs layers with their default hardSigmoid', () => {
  const N = 3, T = 7, D = 5, H = 6;
  const x = uniform(N * T * D, 1, -2, 2);
  for (const cell of ['lstm', 'gru'] as const) {
    const G = (cell === 'lstm' ? 4 : 3) * H;
    // weights large enough that many gate pre-activations fall outside [-2.5, 2.5] (saturated) and many inside
    const W = uniform(D * G, 2, -1.2, 1.2), U = uniform(H * G, 3, -1, 1), b = uniform(G, 4, -0.5, 0.5);
    const layer = cell === 'lstm'
      ? tfl.layers.lstm({ units: H, returnSequences: true, recurrentInitializer: 'glorotUniform', inputShape: [T, D] })
      : tfl.layers.gru({ units: H, returnSequences: true, recurrentInitializer: 'glorotUniform', inputShape: [T, D] });
    assert.is((layer.getConfig() as { recurrentActivation: string }).recurrentActivation, 'hardSigmoid', 'tfjs default');
    const want = transpose(tfjsRun(layer, x, N, T, D, [[W, [D, G]], [U, [H, G]], [b, [G]]]), N, T, H); // (T, N, H)
    for (const k of [simd, scalar, js]) {
      const a = k.arena, mark = a.mark();
      const put = (v: ArrayLike<number>, shape: number[]): TensorRef => ({ ptr: a.putF32(v), shape });
      const args = {
        T, B: N, D, H, recurrentActivation: 'hard_sigmoid_tfjs' as const,
        x: put(transpose(x, N, T, D), [T, N, D]), W: put(W, [D, G]), U: put(U, [H, G]), b: put(b, [G]),
        h: put(new Float32Array((T + 1) * N * H), [T + 1, N, H]), gates: put(new Float32Array(T * N * 4 * H), [T, N, 4 * H]),
      };
      if (cell === 'lstm') k.lstmForward({ ...args, c: put(new Float32Array((T + 1) * N * H), [T + 1, N, H]) });
      else k.gruForward({ ...args, resetAfter: false });
      const got = a.readF32(args.h.ptr + 4 * N * H, T * N * H);
      checkClose(`${cell} ${k.backend} vs tfjs`, got, want, 2e-6, 1e-5);
      // the gates really do saturate and really do not: both branches of the clip are exercised
      const gates = a.readF32(args.gates.ptr, T * N * 4 * H);
      let zero = 0, one = 0, mid = 0;
      for (let r = 0; r < T * N; r++) for (let j = 0; j < H; j++) {
        const g = gates[r * 4 * H + j]; // i (LSTM) or z (GRU) gate
        if (g === 0) zero++; else if (g === 1) one++; else mid++;
      }
      assert.ok(zero > 0 && one > 0 && mid > 0, `${cell}: saturated low ${zero}, high ${one}, linear ${mid}`);
      a.release(mark);
    }
  }
});

test('hard_sigmoid_tfjs is accepted as recurrentActivation and Dense activation; the error lists it', () => {
  const a = simd.arena, mark = a.mark();
  const T = 2, B = 1, D = 2, H = 2;
  const put = (v: ArrayLike<number>, shape: number[]): TensorRef => ({ ptr: a.putF32(v), shape });
  const args = {
    T, B, D, H, x: put(uniform(T * B * D, 5), [T, B, D]), W: put(uniform(D * 4 * H, 6), [D, 4 * H]), U: put(uniform(H * 4 * H, 7), [H, 4 * H]),
    b: put(new Float32Array(4 * H), [4 * H]), h: put(new Float32Array((T + 1) * B * H), [T + 1, B, H]),
    c: put(new Float32Array((T + 1) * B * H), [T + 1, B, H]), gates: put(new Float32Array(T * B * 4 * H), [T, B, 4 * H]),
  };
  assert.throws(() => simd.lstmForward({ ...args, recurrentActivation: 'hardSigmoid' as never }),
    /argument recurrentActivation = "hardSigmoid" must be one of sigmoid, hard_sigmoid, hard_sigmoid_tfjs/);
  const y = { ptr: a.alloc(2), shape: [1, 2] };
  simd.denseForward({ y, x: put([10, -1], [1, 2]), kernel: put([1, 0, 0, 1], [2, 2]), activation: 'hard_sigmoid_tfjs' });
  checkEqual('Dense hard_sigmoid_tfjs', a.readF32(y.ptr, 2), [1, Math.fround(Math.fround(-1 * Math.fround(0.2)) + 0.5)]);
  a.release(mark);
});

test.run();
