// The threaded LSTM weight gradients (bindings/threads/dispatch.ts lstm_backward): x and hPrev transposed
// once into shared TN panels by row ranges (recurrent_transpose_inputs_part), then dW, dU, db by columns in
// blocks of 128 with every 32-row panel inside (recurrent_weight_gradients_cols), dx by row blocks. These
// shapes reach what test/threads.test.ts's small cases do not: several 128-column blocks per thread, a
// narrow last panel, T·B not a multiple of 32 with the row split inside, D and H not multiples of 4 (the
// transposition's scalar tails), lengths (the h0 term). Every output must equal one thread bit for bit on
// the SIMD build, and on the relaxed build too (one engine: the same kernels run either way).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { hasRelaxedSimd, loadKernels, type Kernels } from '../bindings/index.js';
import { checkEqual } from './helpers/check-close.js';
import { uniform } from './helpers/random.js';

interface Case { T: number; B: number; D: number; H: number; lengths: boolean; reverse: boolean; accumulateDx: boolean }

function backward(k: Kernels, p: Case): Record<string, Float32Array> {
  const { T, B, D, H } = p, G = 4 * H, a = k.arena;
  const mark = a.mark();
  try {
    const put = (n: number, seed: number, scale = 0.5) => ({ ptr: a.putF32(uniform(n, seed, -scale, scale)), n });
    const ref = (t: { ptr: number }, shape: number[]) => ({ ptr: t.ptr, shape });
    const lengths = p.lengths ? Array.from({ length: B }, (_, b) => [T, 1, 0, (b * 7) % (T + 1)][b % 4]) : undefined;
    const masking = { lengths, reverse: p.reverse };
    const x = ref(put(T * B * D, 1), [T, B, D]), W = ref(put(D * G, 2), [D, G]), U = ref(put(H * G, 3), [H, G]);
    const h = ref(put((T + 1) * B * H, 5), [T + 1, B, H]), c = ref(put((T + 1) * B * H, 6), [T + 1, B, H]);
    const gates = { ptr: a.allocZeroed(T * B * G), shape: [T, B, G] };
    k.lstmForward({ T, B, D, H, x, W, U, b: ref(put(G, 4), [G]), h, c, gates, ...masking });
    const dh = ref(put((T + 1) * B * H, 7), [T + 1, B, H]), dc = ref(put(B * H, 8), [B, H]);
    const dW = ref(put(D * G, 9), [D, G]), dU = ref(put(H * G, 10), [H, G]), db = ref(put(G, 11), [G]);
    const dx = ref(put(T * B * D, 12), [T, B, D]);
    const dc0 = { ptr: a.allocZeroed(B * H), shape: [B, H] }, dgates = { ptr: a.allocZeroed(T * B * G), shape: [T, B, G] };
    k.lstmBackward({ T, B, D, H, x, W, U, gates, c, h, dh, dc, dW, dU, db, dx, dc0, dgates, accumulateDx: p.accumulateDx, ...masking });
    const read = (t: { ptr: number; shape: number[] }) => a.f32(t.ptr, t.shape.reduce((m, n) => m * n, 1)).slice();
    return { dW: read(dW), dU: read(dU), db: read(db), dx: read(dx), dh: read(dh), dc0: read(dc0) };
  } finally {
    a.release(mark);
  }
}

const CASES: Case[] = [
  { T: 16, B: 24, D: 20, H: 72, lengths: false, reverse: false, accumulateDx: true },  // G 288: 128-column blocks + a narrow panel
  { T: 7, B: 13, D: 9, H: 70, lengths: true, reverse: true, accumulateDx: false },     // T·B 91: the row split inside a panel's range
  { T: 5, B: 40, D: 64, H: 96, lengths: true, reverse: false, accumulateDx: true },    // T·B 200, G 384: 3 blocks on one thread
  { T: 3, B: 9, D: 3, H: 5, lengths: false, reverse: false, accumulateDx: false },     // every dimension a scalar tail
];

for (const variant of ['simd', 'relaxed'] as const) {
  test(`LSTM weight gradients split over 2 and 3 threads equal 1 thread bit for bit (${variant})`, async () => {
    if (variant === 'relaxed' && !hasRelaxedSimd()) return;
    const one = await loadKernels({ variant });
    const two = await loadKernels({ variant, threads: 2, threadMinFlops: 0 });
    const three = await loadKernels({ variant, threads: 3, threadMinFlops: 0 });
    try {
      for (const p of CASES) {
        const want = backward(one, p);
        for (const k of [two, three]) {
          const got = backward(k, p);
          for (const name of Object.keys(want)) checkEqual(`${name} ${JSON.stringify(p)} threads ${k.threads}`, got[name], want[name]);
        }
      }
    } finally {
      two.dispose();
      three.dispose();
    }
  });
}

test('Dense backward split (dz rows; then dW by rows of D, db by columns, dx by rows) equals 1 thread on 2 and 3 threads', async () => {
  const one = await loadKernels({ variant: 'simd' });
  const many = [await loadKernels({ variant: 'simd', threads: 2, threadMinFlops: 0 }), await loadKernels({ variant: 'simd', threads: 3, threadMinFlops: 0 })];
  try {
    const cases = [[300, 72, 80, 80, 'linear', true, true], [130, 45, 19, 24, 'sigmoid', false, true], [67, 13, 40, 40, 'relu', true, false], [8, 3, 5, 5, 'tanh', true, true]] as const;
    for (const [N, D, U, ldy, activation, bias, withDx] of cases) {
      const outs = [one, ...many].map((k) => {
        const a = k.arena, mark = a.mark();
        const put = (n: number, seed: number) => a.putF32(uniform(n, seed, -1, 1));
        const x = { ptr: put(N * D, 1), shape: [N, D] }, kernel = { ptr: put(D * U, 2), shape: [D, U] };
        const y = { ptr: a.allocZeroed(N * ldy), shape: [N, ldy] };
        k.denseForward({ y, x, kernel, bias: bias ? { ptr: put(U, 3), shape: [U] } : null, activation, rowStride: ldy });
        const dy = { ptr: put(N * ldy, 4), shape: [N, ldy] }, dz = { ptr: a.allocZeroed(N * ldy), shape: [N, ldy] };
        const dKernel = { ptr: put(D * U, 5), shape: [D, U] }, dBias = bias ? { ptr: put(U, 6), shape: [U] } : null;
        const dx = withDx ? { ptr: put(N * D, 7), shape: [N, D] } : null;
        k.denseBackward({ dx, dKernel, dBias, dz, dy, x, kernel, y, activation, rowStride: ldy, accumulateDx: false });
        const out = [dz, dKernel, ...(dx ? [dx] : []), ...(dBias ? [dBias] : [])].map((t) => a.f32(t.ptr, t.shape.reduce((m, v) => m * v, 1)).slice());
        a.release(mark);
        return out;
      });
      for (let t = 1; t < outs.length; t++) outs[0].forEach((want, i) => checkEqual(`dense ${N}x${D}x${U} ${activation} output ${i}, ${t + 1} threads`, outs[t][i], want));
    }
  } finally {
    for (const k of many) k.dispose();
  }
});

test('the comparison can fail: another h changes dU', async () => {
  const one = await loadKernels({ variant: 'simd' });
  const two = await loadKernels({ variant: 'simd', threads: 2, threadMinFlops: 0 });
  try {
    const want = backward(one, CASES[0]);
    const got = backward(two, { ...CASES[0], reverse: true });
    assert.not.ok(want.dU.every((v, i) => Object.is(v, got.dU[i])), 'a reversed sweep must change dU');
  } finally {
    two.dispose();
  }
});

test.run();
