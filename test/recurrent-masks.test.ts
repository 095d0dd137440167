// Per-step masks (Keras masking with any pattern: gaps, left and right padding mixed in one batch) in the
// fused recurrent kernels, for every cell: LSTM, GRU (reset_after and reset_before), SimpleRNN (tanh, relu).
// 1. gradcheck of the f64 reference with gappy masks, both directions, non-zero h0/c0 (and recurrent dropout);
// 2. Keras semantics computed independently in f64 from unmasked one-step calls (state carried, output =
//    previous output, 0 before the first valid step) against the reference and the wasm kernels;
// 3. wasm SIMD and scalar vs the f32 reference (≥ 64 steps), SIMD == scalar bit for bit, the JS backend;
// 4. a one-sided mask == the equivalent lengths, bit for bit (training forward, backward, inference);
// 5. inference == training forward; dx, gates and dgates exactly 0 at masked steps;
// 6. bad masks are typed errors naming the entry.
// "T one-step calls == one T-step call" with a gappy mask lives in lstm/gru/simple-rnn.test.ts.
// Legend: T steps, B batch, D input width, H units.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { KernelArgumentError, loadKernels, type Kernels, type TensorRef } from '../bindings/index.js';
import type { FloatArray } from '../bindings/reference/float-array.js';
import { checkClose, checkEqual } from './helpers/check-close.js';
import { gradcheck, weightedSum } from './helpers/gradcheck.js';
import {
  BLOCKS, CELLS, DG, FIELDS, S, compareRuns, h0Slot, outSlot, problem, referenceForward, runInfer, runKernels, runReference,
  type Cell, type Problem,
} from './helpers/recurrent-cells.js';
import { dropoutMask, gappyMask, rowStatesOf } from './helpers/rnn-problem.js';

let simd: Kernels, scalar: Kernels, js: Kernels;
test.before(async () => {
  simd = await loadKernels();
  scalar = await loadKernels({ variant: 'scalar' });
  js = await loadKernels({ backend: 'js' });
});

// ---- 1. gradcheck of the f64 reference with gappy masks

for (const c of CELLS) {
  test(`gradcheck f64 reference, gappy step mask, both directions, non-zero h0: ${c.label}`, () => {
    for (const reverse of [false, true]) {
      for (const dropout of c.kind === 'rnn' || c.act === 'relu' ? [false] : [false, true]) {
        const T = 5, B = 7, D = 3, H = 3;
        const p = problem(c, T, B, D, H, 3, reverse, gappyMask(T, B, 9));
        if (dropout) Object.assign(p, { perGate: true, rmask: dropoutMask(BLOCKS(c) * B * H, 4) });
        const BH = B * H;
        const x = Float64Array.from(p.x), W = Float64Array.from(p.W), U = Float64Array.from(p.U), b = Float64Array.from(p.b);
        const h0 = Float64Array.from(p.h0), c0 = Float64Array.from(p.c0);
        const first = reverse ? 0 : 1, last = reverse ? 0 : T;
        const loss = () => {
          const f = referenceForward(c, p, (n) => new Float64Array(n), { x, W, U, b, h0, c0 });
          return weightedSum(f.h, p.R, first * BH) + (f.c ? weightedSum(f.c, p.Rc, last * BH) : 0);
        };
        const r = runReference(c, p, true);
        const params = [
          { name: 'x', value: x, analytic: r.dx }, { name: 'W', value: W, analytic: r.dW },
          { name: 'U', value: U, analytic: r.dU }, { name: 'b', value: b, analytic: r.db },
          { name: 'h0', value: h0, analytic: r.dh.subarray(h0Slot(p) * BH, (h0Slot(p) + 1) * BH) },
        ];
        if (r.dc0) params.push({ name: 'c0', value: c0, analytic: r.dc0 });
        gradcheck(`${c.label} reverse=${reverse} dropout=${dropout}`, params, loss);
        // dx at masked steps is exactly 0
        for (let t = 0; t < T; t++) for (let bb = 0; bb < B; bb++) {
          if (p.mask![t * B + bb] === 0) for (let d = 0; d < D; d++) assert.is(r.dx[(t * B + bb) * D + d], 0, `dx (${t}, ${bb})`);
        }
      }
    }
  });
}

// ---- 2. Keras semantics, computed independently in f64 from unmasked one-step reference calls

/**
 * Keras' masked RNN loop (keras.src.backend.*.rnn with a mask): for every step in walking order,
 * new = cell(x_t, state); state = where(mask, new, state); output = where(mask, new_h, prev_output) with
 * prev_output starting at 0. Each cell step is an UNMASKED T = 1 reference call on a single batch row.
 */
function kerasMasked(c: Cell, p: Problem): { y: Float64Array; h: Float64Array; c: Float64Array } {
  const { T, B, D, H } = p;
  const y = new Float64Array(T * B * H), hs = Float64Array.from(p.h0), cs = Float64Array.from(p.c0);
  const prev = new Float64Array(B * H);
  for (let k = 0; k < T; k++) {
    const t = p.reverse ? T - 1 - k : k;
    for (let b = 0; b < B; b++) {
      const one: Problem = { ...p, T: 1, B: 1, reverse: false, mask: null, x: p.x.slice((t * B + b) * D, (t * B + b + 1) * D) };
      const f = referenceForward(c, one, (n) => new Float64Array(n), {
        x: Float64Array.from(one.x), W: Float64Array.from(p.W), U: Float64Array.from(p.U), b: Float64Array.from(p.b),
        h0: hs.subarray(b * H, (b + 1) * H), c0: cs.subarray(b * H, (b + 1) * H),
      });
      if (p.mask![t * B + b]) {
        hs.set(f.h.subarray(H, 2 * H), b * H);
        if (f.c) cs.set(f.c.subarray(H, 2 * H), b * H);
        prev.set(f.h.subarray(H, 2 * H), b * H);
      }
      y.set(prev.subarray(b * H, (b + 1) * H), (t * B + b) * H);
    }
  }
  return { y, h: hs, c: cs };
}

test('Keras semantics (state carried, output = previous output, 0 before the first valid step) from unmasked one-step calls: reference and wasm', () => {
  for (const c of CELLS) {
    for (const reverse of [false, true]) {
      const T = 9, B = 8, D = 4, H = 6;
      const p = problem(c, T, B, D, H, 21, reverse, gappyMask(T, B, 22));
      const keras = kerasMasked(c, p);
      const BH = B * H;
      const outputs = (h: FloatArray) => {
        const out = new Float64Array(T * BH);
        for (let t = 0; t < T; t++) out.set(h.subarray(outSlot(p, t) * BH, (outSlot(p, t) + 1) * BH), t * BH);
        return out;
      };
      const ref = runReference(c, p, true);
      const label = `${c.label} reverse=${reverse}`;
      checkClose(`${label}: reference outputs`, outputs(ref.h), keras.y, 1e-12, 1e-12);
      const got = runKernels(simd, c, p);
      checkClose(`${label}: wasm outputs`, outputs(got.h), keras.y, 2e-6, 1e-5);
      // the final state: the last output slot for rows with a valid step, h0 (still in its slot) for the others
      const fin = reverse ? 0 : T;
      const state = Float64Array.from(got.h.subarray(fin * BH, (fin + 1) * BH), (v, i) => {
        const b = Math.floor(i / H);
        let any = false;
        for (let t = 0; t < T; t++) any ||= p.mask![t * B + b] === 1;
        return any ? v : got.h[h0Slot(p) * BH + i];
      });
      checkClose(`${label}: final h state`, state, keras.h, 2e-6, 1e-5);
      if (got.c) checkClose(`${label}: final c state (slot)`, got.c.subarray(fin * BH, (fin + 1) * BH), keras.c, 2e-6, 1e-5);
      const inf = runInfer(simd, c, p);
      checkClose(`${label}: infer y`, inf.y, keras.y, 2e-6, 1e-5);
      checkClose(`${label}: infer final state`, inf.h, keras.h, 2e-6, 1e-5);
      if (inf.c) checkClose(`${label}: infer final c`, inf.c, keras.c, 2e-6, 1e-5);
    }
  }
});

// ---- 3. wasm vs the f32 reference

test('wasm SIMD and scalar match the f32 reference with gappy masks over ≥ 64 steps; SIMD == scalar bit for bit; JS backend', () => {
  for (const [i, c] of CELLS.entries()) {
    for (const reverse of [false, true]) {
      const T = 64 + i, B = 9, D = 5, H = 13;
      const p = problem(c, T, B, D, H, 40 + i, reverse, gappyMask(T, B, 50 + i));
      if (i % 2 === 0 && c.kind !== 'rnn') Object.assign(p, { perGate: true, rmask: dropoutMask(BLOCKS(c) * B * H, 60 + i) });
      const label = `${c.label} T${T} reverse=${reverse}${p.rmask ? ' rmask' : ''}`;
      const want = runReference(c, p, false);
      const s = runKernels(simd, c, p), sc = runKernels(scalar, c, p);
      compareRuns(`simd ${label}`, s, want, 1e-4);
      compareRuns(`scalar ${label}`, sc, want, 1e-4);
      for (const f of FIELDS) if (s[f] !== null) checkEqual(`simd == scalar ${label} ${f}`, s[f]!, sc[f]!);
      if (!reverse) compareRuns(`js ${label}`, runKernels(js, c, { ...p, T: 12, x: p.x, R: p.R, mask: gappyMask(12, B, 50 + i) }),
        runReference(c, { ...p, T: 12, mask: gappyMask(12, B, 50 + i) }, true), 1e-5);
    }
  }
});

// ---- 4. one-sided masks == lengths, bit for bit

test('a one-sided step mask gives the same bits as the equivalent lengths (training, backward, inference; both sides, both directions)', () => {
  for (const c of CELLS) {
    for (const reverse of [false, true]) {
      for (const leftPadded of [false, true]) {
        const T = 11, B = 6, D = 5, H = 9;
        const lengths = [11, 0, 4, 1, 10, 6];
        const mask = new Uint8Array(T * B);
        for (let t = 0; t < T; t++) for (let b = 0; b < B; b++) mask[t * B + b] = (leftPadded ? t >= T - lengths[b] : t < lengths[b]) ? 1 : 0;
        const pm = problem(c, T, B, D, H, 70, reverse, mask);
        const pl: Problem = { ...pm, mask: null, lengths, leftPadded };
        const label = `${c.label} reverse=${reverse} left=${leftPadded}`;
        for (const k of [simd, scalar]) {
          const m = runKernels(k, c, pm), l = runKernels(k, c, pl);
          for (const f of FIELDS) if (m[f] !== null) checkEqual(`${k.backend} ${label} ${f}`, m[f]!, l[f]!);
          const im = runInfer(k, c, pm), il = runInfer(k, c, pl);
          checkEqual(`${k.backend} ${label} infer y`, im.y, il.y);
          checkEqual(`${k.backend} ${label} infer h`, im.h, il.h);
        }
      }
    }
  }
});

// ---- 5. inference == training forward; exact zeros at masked steps

test('inference == training forward with gappy masks (outputs bit for bit; final state = last slot or h0); masked rows of dx, gates, dgates are 0', () => {
  for (const c of CELLS) {
    for (const reverse of [false, true]) {
      const T = 10, B = 9, D = 6, H = 11;
      const p = problem(c, T, B, D, H, 80, reverse, gappyMask(T, B, 81));
      const BH = B * H;
      for (const k of [simd, scalar]) {
        const train = runKernels(k, c, p), inf = runInfer(k, c, p);
        const label = `${k.backend} ${c.label} reverse=${reverse}`;
        for (let t = 0; t < T; t++) checkEqual(`${label} y[${t}]`, inf.y.subarray(t * BH, (t + 1) * BH), train.h.subarray(outSlot(p, t) * BH, (outSlot(p, t) + 1) * BH));
        const fin = reverse ? 0 : T;
        const states = rowStatesOf((b, t) => p.mask![t * B + b] === 1, T, B, reverse);
        for (let b = 0; b < B; b++) {
          const never = states.every((s, i) => i % B !== b || s === 'leading');
          const want = never ? p.h0.subarray(b * H, (b + 1) * H) : train.h.subarray(fin * BH + b * H, fin * BH + (b + 1) * H);
          checkEqual(`${label} final state b${b}`, inf.h.subarray(b * H, (b + 1) * H), want);
        }
        for (let t = 0; t < T; t++) for (let b = 0; b < B; b++) {
          if (p.mask![t * B + b]) continue;
          const row = t * B + b;
          checkEqual(`${label} dx (${t}, ${b})`, train.dx.subarray(row * D, (row + 1) * D), new Float32Array(D));
          const w = DG(c, H);
          checkEqual(`${label} dgates (${t}, ${b})`, train.dgates.subarray(row * w, (row + 1) * w), new Float32Array(w));
          if (train.gates) checkEqual(`${label} gates (${t}, ${b})`, train.gates.subarray(row * S(c, H), (row + 1) * S(c, H)), new Float32Array(S(c, H)));
          if (states[row] === 'leading') {
            const os = outSlot(p, t) * BH + b * H;
            checkEqual(`${label} leading output (${t}, ${b}) is 0`, train.h.subarray(os, os + H), new Float32Array(H));
            checkEqual(`${label} leading total dh (${t}, ${b}) is 0`, train.dh.subarray(os, os + H), new Float32Array(H));
          }
        }
      }
    }
  }
});

// ---- 6. bad masks

test('bad step masks: KernelArgumentError naming the entry, before wasm runs; memory unchanged', () => {
  const c = CELLS[0];
  const T = 3, B = 2, D = 2, H = 4;
  const p = problem(c, T, B, D, H, 90, false, null);
  const a = simd.arena;
  const mark = a.mark();
  const put = (v: ArrayLike<number>, shape: number[]): TensorRef => ({ ptr: a.putF32(v), shape });
  const args = {
    T, B, D, H, x: put(p.x, [T, B, D]), W: put(p.W, [D, 4 * H]), U: put(p.U, [H, 4 * H]), b: put(p.b, [4 * H]),
    h: put(new Float32Array((T + 1) * B * H), [T + 1, B, H]), c: put(new Float32Array((T + 1) * B * H), [T + 1, B, H]),
    gates: put(new Float32Array(T * B * 4 * H), [T, B, 4 * H]),
  };
  const gru = { ...args, W: put(p.W.subarray(0, D * 3 * H), [D, 3 * H]), U: put(p.U.subarray(0, H * 3 * H), [H, 3 * H]), b: put(new Float32Array(6 * H), [2, 3 * H]) };
  const cases: Array<[string, () => void, RegExp]> = [
    ['length', () => simd.lstmForward({ ...args, stepMask: [1, 0, 1] }), /lstm_forward: argument stepMask = "\[3 values\]" must have T·B = 3·2 = 6 entries/],
    ['entry', () => simd.lstmForward({ ...args, stepMask: [1, 0, 1, 2, 1, 1] }), /argument stepMask\[3\] = 2 \(time 1, batch row 1\) must be 0, 1, false or true/],
    ['NaN', () => simd.gruForward({ ...gru, stepMask: [1, 0, 1, NaN, 1, 1] }), /gru_forward: argument stepMask\[3\] = NaN/],
    ['both', () => simd.lstmForward({ ...args, stepMask: [1, 1, 1, 1, 1, 1], lengths: [3, 3] }), /argument stepMask .*cannot be combined with lengths/],
    ['not an array', () => simd.lstmForward({ ...args, stepMask: 5 as never }), /argument stepMask = 5 must be an array of T·B booleans/],
  ];
  for (const [name, call, message] of cases) {
    const before = a.u8.slice(a.base, a.top), top = a.top;
    try {
      call();
      assert.unreachable(`${name}: no error`);
    } catch (err) {
      assert.instance(err, KernelArgumentError, `${name}: ${String(err)}`);
      assert.match((err as Error).message, message, name);
    }
    assert.is(a.top, top, `${name}: arena top`);
    const after = a.u8.slice(a.base, a.top);
    assert.ok(before.every((v, i) => v === after[i]), `${name}: memory unchanged`);
  }
  // booleans are accepted and equal 0/1
  simd.lstmForward({ ...args, stepMask: [true, false, true, true, false, true] });
  const viaBool = a.readF32(args.h.ptr, (T + 1) * B * H);
  simd.lstmForward({ ...args, stepMask: [1, 0, 1, 1, 0, 1] });
  checkEqual('boolean mask == 0/1 mask', viaBool, a.readF32(args.h.ptr, (T + 1) * B * H));
  a.release(mark);
});

test.run();
