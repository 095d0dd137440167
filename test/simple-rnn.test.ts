// SimpleRNN: gradcheck of the f64 reference for every variant; wasm (SIMD and scalar) vs the f32 reference
// over ≥ 64 steps; sequential == batch; reverse == reversed input; left == shifted right padding; untouched
// memory; gradient norms; inference == training forward; bad input.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { KernelArgumentError, loadKernels, type Kernels, type Ptr } from '../bindings/index.js';
import type { ActivationName } from '../bindings/reference/activations.js';
import { LEFT_PADDED, PER_GATE_RMASK, REVERSE, type RecurrentConfig } from '../bindings/reference/recurrent-common.js';
import { simpleRnnBackward, simpleRnnForward } from '../bindings/reference/simple-rnn.js';
import type { SimpleRnnRaw } from '../bindings/families/simple-rnn.js';
import { checkClose, checkEqual } from './helpers/check-close.js';
import { gradcheck, weightedSum } from './helpers/gradcheck.js';
import {
  finalSlot, dropoutMask, firstOutputSlot, gappyMask, initialSlot, makeProblem, maxAbs, rowStatesOf, slotsWithInitial, upstreamSlots, valid,
  type Padding, type RnnProblem,
} from './helpers/rnn-problem.js';
import { uniform } from './helpers/random.js';
import { f64Out, readF64 } from './helpers/f64-out.js';

const CODES: Record<string, number> = { linear: 0, tanh: 1, sigmoid: 2, relu: 3 };
const ACTS: ActivationName[] = ['tanh', 'relu', 'sigmoid', 'linear'];
const PADDINGS: Padding[] = ['none', 'right', 'left'];

const rnnProblem = (T: number, B: number, D: number, H: number, o: Parameters<typeof makeProblem>[1]) =>
  makeProblem({ T, B, D, H, G: H }, o);

function config(p: RnnProblem, act: ActivationName): RecurrentConfig {
  return {
    T: p.T, B: p.B, D: p.D, H: p.H, lengths: p.lengths, stepMask: p.stepMask ?? null,
    flags: (p.reverse ? REVERSE : 0) | (p.leftPadded ? LEFT_PADDED : 0) | (p.perGate ? PER_GATE_RMASK : 0),
    recurrentMask: p.rmask ?? null, activation: CODES[act], recurrentActivation: 2,
  };
}

interface Run {
  h: ArrayLike<number>;
  dx: ArrayLike<number>;
  dW: ArrayLike<number>;
  dU: ArrayLike<number>;
  db: ArrayLike<number>;
  dh: ArrayLike<number>;
  dgates: ArrayLike<number>;
  hnorm2: ArrayLike<number>;
}
const FIELDS: Array<keyof Run> = ['h', 'dx', 'dW', 'dU', 'db', 'dh', 'dgates', 'hnorm2'];

function runReference(p: RnnProblem, act: ActivationName, f64: boolean): Run {
  const make = (n: number) => (f64 ? new Float64Array(n) : new Float32Array(n));
  const cast = (a: Float32Array) => (f64 ? Float64Array.from(a) : Float32Array.from(a));
  const { T, B, D, H } = p;
  const cfg = config(p, act);
  const h = slotsWithInitial(p, p.h0, make);
  const x = cast(p.x), W = cast(p.W), U = cast(p.U);
  simpleRnnForward(h, x, W, U, cast(p.b), cfg);
  const dh = upstreamSlots(p, make);
  const out = { dx: make(T * B * D), dW: make(D * H), dU: make(H * H), db: make(H), dgates: make(T * B * H), hnorm2: make(T) };
  simpleRnnBackward(out, dh, x, W, U, h, cfg);
  return { h, dh, ...out };
}

function runKernels(k: Kernels, p: RnnProblem, act: ActivationName, accumulateDx = false, dx0?: Float32Array): Run {
  const a = k.arena;
  const mark = a.mark();
  const { T, B, D, H } = p;
  const put = (values: ArrayLike<number>, shape: number[]) => ({ ptr: a.putF32(values), shape });
  const zeros = (shape: number[]) => ({ ptr: a.allocZeroed(shape.reduce((m, n) => m * n, 1)), shape });
  const recurrentMask = p.rmask ? put(p.rmask, [B, H]) : null;
  const opts = { T, B, D, H, lengths: p.lengths, stepMask: p.stepMask ?? null, reverse: p.reverse, leftPadded: p.leftPadded, activation: act, recurrentMask };
  const x = put(p.x, [T, B, D]), W = put(p.W, [D, H]), U = put(p.U, [H, H]), b = put(p.b, [H]);
  const h = put(slotsWithInitial(p, p.h0, (n) => new Float32Array(n)), [T + 1, B, H]);
  k.simpleRnnForward({ ...opts, h, x, W, U, b });
  const g = {
    dx: put(dx0 ?? uniform(T * B * D, 99), [T, B, D]), dW: zeros([D, H]), dU: zeros([H, H]), db: zeros([H]),
    dgates: zeros([T, B, H]), hnorm2: f64Out(a, T), dh: put(upstreamSlots(p, (n) => new Float32Array(n)), [T + 1, B, H]),
  };
  k.simpleRnnBackward({ ...opts, accumulateDx, ...g, x, W, U, h });
  const read = (t: { ptr: Ptr; shape: number[] }) => a.readF32(t.ptr, t.shape.reduce((m, n) => m * n, 1));
  const run: Run = {
    h: read(h), dx: read(g.dx), dW: read(g.dW), dU: read(g.dU), db: read(g.db), dh: read(g.dh), dgates: read(g.dgates), hnorm2: readF64(a, g.hnorm2),
  };
  a.release(mark);
  return run;
}

let simd: Kernels, scalar: Kernels, js: Kernels;
test.before(async () => {
  simd = await loadKernels();
  scalar = await loadKernels({ variant: 'scalar' });
  js = await loadKernels({ backend: 'js' });
});

for (const act of ACTS) {
  test(`gradcheck f64 reference: activation ${act}, both directions, every padding`, () => {
    for (const reverse of [false, true]) {
      for (const padding of PADDINGS) {
        const p = rnnProblem(4, 3, 3, 5, { seed: 12, reverse, padding, lengths: [4, 1, 0] });
        const cfg = config(p, act);
        const BH = p.B * p.H;
        const x = Float64Array.from(p.x), W = Float64Array.from(p.W), U = Float64Array.from(p.U), b = Float64Array.from(p.b);
        const h0 = Float64Array.from(p.h0);
        const loss = () => {
          const h = slotsWithInitial(p, h0, (n) => new Float64Array(n));
          simpleRnnForward(h, x, W, U, b, cfg);
          return weightedSum(h, p.R, firstOutputSlot(p) * BH);
        };
        const r = runReference(p, act, true);
        gradcheck(`simple_rnn ${act} reverse=${reverse} padding=${padding}`, [
          { name: 'x', value: x, analytic: r.dx },
          { name: 'W', value: W, analytic: r.dW },
          { name: 'U', value: U, analytic: r.dU },
          { name: 'b', value: b, analytic: r.db },
          { name: 'h0', value: h0, analytic: Array.from(r.dh).slice(initialSlot(p) * BH, (initialSlot(p) + 1) * BH) },
        ], loss);
      }
    }
  });
}

const WASM_CASES: Array<{ T: number; B: number; D: number; H: number; act: ActivationName; reverse: boolean; padding: Padding }> = [
  { T: 64, B: 5, D: 7, H: 13, act: 'tanh', reverse: false, padding: 'none' },
  { T: 65, B: 6, D: 9, H: 10, act: 'relu', reverse: true, padding: 'right' },
  { T: 64, B: 6, D: 5, H: 8, act: 'sigmoid', reverse: false, padding: 'left' },
  { T: 66, B: 4, D: 4, H: 11, act: 'linear', reverse: true, padding: 'left' },
  { T: 1, B: 1, D: 3, H: 9, act: 'tanh', reverse: false, padding: 'none' },
  { T: 70, B: 1, D: 6, H: 7, act: 'relu', reverse: false, padding: 'right' },
];

test('wasm SIMD and scalar match the f32 reference after ≥ 64 steps (1e-4 relative); SIMD == scalar bit for bit', () => {
  for (const [i, cs] of WASM_CASES.entries()) {
    // Small recurrent weights keep relu and linear from blowing up over 64 steps.
    const p = rnnProblem(cs.T, cs.B, cs.D, cs.H, { seed: 30 + i, reverse: cs.reverse, padding: cs.padding, uScale: 0.25 });
    const label = `T${cs.T} B${cs.B} D${cs.D} H${cs.H} ${cs.act} rev=${cs.reverse} ${cs.padding}`;
    const want = runReference(p, cs.act, false);
    const gotSimd = runKernels(simd, p, cs.act), gotScalar = runKernels(scalar, p, cs.act);
    for (const f of FIELDS) {
      const atol = 1e-5 * Math.max(1, maxAbs(want[f]));
      checkClose(`simd ${label} ${f}`, gotSimd[f], want[f], atol, 1e-4);
      checkClose(`scalar ${label} ${f}`, gotScalar[f], want[f], atol, 1e-4);
      checkEqual(`simd == scalar ${label} ${f}`, gotSimd[f], gotScalar[f]);
    }
    if (i === 1) for (const f of FIELDS) checkClose(`js ${label} ${f}`, runKernels(js, p, cs.act)[f], want[f], 1e-6, 1e-6);
  }
});

test('sequential == batch: T one-step calls with carried state equal one T-step call, gappy step mask (forward, backward, dh0)', () => {
  for (const [reverse, act] of [[false, 'tanh'], [true, 'relu']] as Array<[boolean, ActivationName]>) {
    const T = 7, B = 7, D = 6, H = 9;
    const mask = gappyMask(T, B, 41);
    const p: RnnProblem = { ...rnnProblem(T, B, D, H, { seed: 41, reverse }), stepMask: mask };
    const BH = B * H;
    const batch = runKernels(simd, p, act);
    const ok = (b: number, t: number) => mask[t * B + b] === 1;
    const states = rowStatesOf(ok, T, B, reverse);
    const a = simd.arena;
    const mark = a.mark();
    const common = { B, D, H, T: 1, reverse, activation: act };
    const put = (values: ArrayLike<number>, shape: number[]) => ({ ptr: a.putF32(values), shape });
    const W = put(p.W, [D, H]), U = put(p.U, [H, H]), b = put(p.b, [H]);
    const order = Array.from({ length: T }, (_, k) => (reverse ? T - 1 - k : k));
    const s0 = reverse ? 1 : 0, s1 = 1 - s0;
    const rowOf = (i: number) => Math.floor(i / H);
    const lengthsAt = (t: number) => Array.from({ length: B }, (_, bb) => (ok(bb, t) ? 1 : 0));
    const saved: Float32Array[] = [];
    let hs = Float32Array.from(p.h0);
    for (const t of order) {
      const hInit = new Float32Array(2 * BH);
      hInit.set(hs, s0 * BH);
      const h = put(hInit, [2, B, H]);
      simd.simpleRnnForward({ ...common, lengths: lengthsAt(t), h, x: put(p.x.subarray(t * B * D, (t + 1) * B * D), [1, B, D]), W, U, b });
      saved[t] = a.readF32(h.ptr, 2 * BH);
      const out = saved[t].subarray(s1 * BH, (s1 + 1) * BH);
      hs = hs.map((x, i) => (ok(rowOf(i), t) ? out[i] : x));
      const os = firstOutputSlot(p) + t;
      checkEqual(`output of time ${t}`, hs.map((x, i) => (states[t * B + rowOf(i)] === 'leading' ? 0 : x)), Array.from(batch.h).slice(os * BH, (os + 1) * BH));
    }
    const dW = put(new Float32Array(D * H), [D, H]), dU = put(new Float32Array(H * H), [H, H]), db = put(new Float32Array(H), [H]);
    let carry = new Float32Array(BH);
    for (const t of [...order].reverse()) {
      const up = Float32Array.from(carry, (x, i) => (states[t * B + rowOf(i)] === 'leading' ? 0 : p.R[t * BH + i]) + x);
      const dhInit = new Float32Array(2 * BH);
      dhInit.set(up, s1 * BH);
      const dh = put(dhInit, [2, B, H]), dx = put(new Float32Array(B * D), [1, B, D]), dgates = put(new Float32Array(BH), [1, B, H]);
      const hn = f64Out(a, 1);
      simd.simpleRnnBackward({
        ...common, lengths: lengthsAt(t), dx, dW, dU, db, dgates, hnorm2: hn, dh,
        x: put(p.x.subarray(t * B * D, (t + 1) * B * D), [1, B, D]), W, U, h: put(saved[t], [2, B, H]),
      });
      const dh0 = a.readF32(dh.ptr + 4 * s0 * BH, BH);
      carry = Float32Array.from(dh0, (x, i) => (ok(rowOf(i), t) ? x : up[i]));
      checkClose(`dx of time ${t}`, a.readF32(dx.ptr, B * D), Array.from(batch.dx).slice(t * B * D, (t + 1) * B * D), 1e-6, 1e-5);
      checkClose(`dgates of time ${t}`, a.readF32(dgates.ptr, BH), Array.from(batch.dgates).slice(t * BH, (t + 1) * BH), 1e-6, 1e-5);
      let n2 = 0;
      for (let i = 0; i < BH; i++) if (states[t * B + rowOf(i)] !== 'leading') n2 += up[i] ** 2;
      checkClose(`hnorm2 of time ${t}`, [n2], [batch.hnorm2[t]], 1e-6, 1e-5);
    }
    const is = initialSlot(p) * BH;
    checkClose('dh0', carry, Array.from(batch.dh).slice(is, is + BH), 1e-6, 1e-5);
    const tol = (f: keyof Run) => 1e-6 * Math.max(1, maxAbs(batch[f]));
    checkClose('dW', a.readF32(dW.ptr, D * H), batch.dW, tol('dW'), 1e-5);
    checkClose('dU', a.readF32(dU.ptr, H * H), batch.dU, tol('dU'), 1e-5);
    checkClose('db', a.readF32(db.ptr, H), batch.db, tol('db'), 1e-5);
    a.release(mark);
  }
});

function reverseTime(v: ArrayLike<number>, T: number, rowWidth: number): Float32Array {
  const src = Float32Array.from(v), out = new Float32Array(src.length);
  for (let t = 0; t < T; t++) out.set(src.subarray(t * rowWidth, (t + 1) * rowWidth), (T - 1 - t) * rowWidth);
  return out;
}

test('reverse == forward over the time-reversed input (right padding ↔ left padding)', () => {
  for (const padding of ['none', 'right'] as const) {
    const pr = rnnProblem(7, 4, 5, 6, { seed: 51, reverse: true, padding, lengths: [7, 3, 0, 5] });
    const { T, B, D, H } = pr;
    const BH = B * H;
    const pf: RnnProblem = { ...pr, reverse: false, leftPadded: padding === 'right', x: reverseTime(pr.x, T, B * D), R: reverseTime(pr.R, T, BH) };
    const r = runKernels(simd, pr, 'tanh'), f = runKernels(simd, pf, 'tanh');
    checkClose(`${padding}: h`, r.h, reverseTime(f.h, T + 1, BH), 1e-6, 1e-5);
    checkClose(`${padding}: dh`, r.dh, reverseTime(f.dh, T + 1, BH), 1e-6, 1e-5);
    checkClose(`${padding}: dx`, r.dx, reverseTime(f.dx, T, B * D), 1e-6, 1e-5);
    checkClose(`${padding}: hnorm2`, r.hnorm2, reverseTime(f.hnorm2, T, 1), 1e-6, 1e-5);
    for (const key of ['dW', 'dU', 'db'] as const) checkClose(`${padding}: ${key}`, r[key], f[key], 1e-5, 1e-5);
  }
});

test('left padding == right padding shifted: same final state, weight grads and dh0; dx shifted, masked rows 0', () => {
  for (const reverse of [false, true]) {
    const lengths = [6, 2, 0, 4, 1];
    const right = rnnProblem(6, 5, 7, 5, { seed: 61, reverse, padding: 'right', lengths });
    const { T, B, D, H } = right;
    const BH = B * H;
    const shift = (bb: number) => T - lengths[bb];
    const left: RnnProblem = { ...right, leftPadded: true, x: uniform(T * B * D, 62, -9, 9), R: new Float32Array(T * BH) };
    const R = new Float32Array(T * BH);
    for (let bb = 0; bb < B; bb++) {
      for (let t = 0; t < lengths[bb]; t++) {
        left.x.set(right.x.subarray((t * B + bb) * D, (t * B + bb + 1) * D), ((t + shift(bb)) * B + bb) * D);
        R.set(right.R.subarray((t * B + bb) * H, (t * B + bb + 1) * H), (t * B + bb) * H);
        left.R.set(right.R.subarray((t * B + bb) * H, (t * B + bb + 1) * H), ((t + shift(bb)) * B + bb) * H);
      }
    }
    const r = runKernels(simd, { ...right, R }, 'relu'), l = runKernels(simd, left, 'relu');
    const fs = finalSlot(right) * BH, is = initialSlot(right) * BH;
    checkClose(`rev=${reverse}: final h`, Array.from(l.h).slice(fs, fs + BH), Array.from(r.h).slice(fs, fs + BH), 1e-6, 1e-5);
    checkClose(`rev=${reverse}: dh0`, Array.from(l.dh).slice(is, is + BH), Array.from(r.dh).slice(is, is + BH), 1e-6, 1e-5);
    for (const key of ['dW', 'dU', 'db'] as const) checkClose(`rev=${reverse}: ${key}`, l[key], r[key], 1e-5, 1e-5);
    for (let bb = 0; bb < B; bb++) {
      for (let t = 0; t < T; t++) {
        const row = (run: Run, tt: number) => Array.from(run.dx).slice((tt * B + bb) * D, (tt * B + bb + 1) * D);
        if (t >= shift(bb)) checkClose(`rev=${reverse}: dx (t ${t}, b ${bb})`, row(l, t), row(r, t - shift(bb)), 1e-6, 1e-5);
        else checkEqual(`rev=${reverse}: left masked dx (t ${t}, b ${bb})`, row(l, t), new Array(D).fill(0));
        if (t >= lengths[bb]) checkEqual(`rev=${reverse}: right masked dx (t ${t}, b ${bb})`, row(r, t), new Array(D).fill(0));
      }
    }
  }
});

test('memory around every buffer, the h0 slot, inputs and masked rows (accumulateDx) are untouched', () => {
  const p = rnnProblem(5, 5, 6, 7, { seed: 71, padding: 'left' });
  const { T, B, D, H } = p;
  const a = simd.arena;
  const mark = a.mark();
  const GUARD = 16, SENTINEL = -777.25;
  const guarded = (values: ArrayLike<number> | number, shape: number[]) => {
    const n = shape.reduce((m, k) => m * k, 1);
    const base = a.alloc(n + 2 * GUARD);
    a.F32.fill(SENTINEL, base >> 2, (base >> 2) + n + 2 * GUARD);
    const ptr = base + 4 * GUARD;
    if (typeof values === 'number') a.F32.fill(values, ptr >> 2, (ptr >> 2) + n);
    else a.F32.set(values, ptr >> 2);
    return { ptr, shape, base, n };
  };
  const dx0 = uniform(T * B * D, 72);
  const bufs = {
    x: guarded(p.x, [T, B, D]), W: guarded(p.W, [D, H]), U: guarded(p.U, [H, H]), b: guarded(p.b, [H]),
    h: guarded(slotsWithInitial(p, p.h0, (n) => new Float32Array(n)), [T + 1, B, H]),
    dx: guarded(dx0, [T, B, D]), dW: guarded(0, [D, H]), dU: guarded(0, [H, H]), db: guarded(0, [H]),
    dgates: guarded(0, [T, B, H]), hnorm2: { ...guarded(0, [2 * T]), shape: [T] }, dh: guarded(upstreamSlots(p, (n) => new Float32Array(n)), [T + 1, B, H]),
  };
  const opts = { T, B, D, H, lengths: p.lengths, leftPadded: true, activation: 'tanh' as const };
  const inputs = (['x', 'W', 'U', 'b'] as const).map((k) => a.readF32(bufs[k].ptr, bufs[k].n));
  simd.simpleRnnForward({ ...opts, h: bufs.h, x: bufs.x, W: bufs.W, U: bufs.U, b: bufs.b });
  const hSaved = a.readF32(bufs.h.ptr, bufs.h.n);
  simd.simpleRnnBackward({ ...opts, accumulateDx: true, ...bufs });
  for (const [name, buf] of Object.entries(bufs)) {
    checkEqual(`guard before ${name}`, a.readF32(buf.base, GUARD), new Array(GUARD).fill(SENTINEL));
    checkEqual(`guard after ${name}`, a.readF32(buf.ptr + 4 * buf.n, GUARD), new Array(GUARD).fill(SENTINEL));
  }
  (['x', 'W', 'U', 'b'] as const).forEach((k, i) => checkEqual(`input ${k} unchanged`, a.readF32(bufs[k].ptr, bufs[k].n), inputs[i]));
  checkEqual('h unchanged by backward', a.readF32(bufs.h.ptr, bufs.h.n), hSaved);
  checkEqual('h0 slot unchanged', hSaved.subarray(0, B * H), p.h0);
  const dx = a.readF32(bufs.dx.ptr, T * B * D), dgates = a.readF32(bufs.dgates.ptr, T * B * H);
  let masked = 0;
  for (let t = 0; t < T; t++) for (let bb = 0; bb < B; bb++) {
    if (valid(p, bb, t)) continue;
    masked++;
    const row = t * B + bb;
    checkEqual(`masked dx row (t ${t}, b ${bb}) accumulated 0`, dx.subarray(row * D, (row + 1) * D), dx0.subarray(row * D, (row + 1) * D));
    checkEqual(`masked dgates row (t ${t}, b ${bb})`, dgates.subarray(row * H, (row + 1) * H), new Float32Array(H));
  }
  assert.ok(masked >= 5, 'the case has masked rows');
  a.release(mark);
});

test('accumulateDx adds the same dx the overwrite mode writes', () => {
  const p = rnnProblem(5, 3, 6, 7, { seed: 75, padding: 'right' });
  const dx0 = uniform(5 * 3 * 6, 76);
  const over = runKernels(simd, p, 'tanh', false, dx0), acc = runKernels(simd, p, 'tanh', true, dx0);
  checkClose('dx0 + dx', acc.dx, Array.from(over.dx, (v, i) => v + dx0[i]), 1e-6, 1e-6);
});

test('hnorm2 equals Σ² of the total dL/dh_t of the reference', () => {
  for (const reverse of [false, true]) {
    const p = rnnProblem(9, 4, 5, 6, { seed: 81, reverse, padding: 'left' });
    const BH = p.B * p.H;
    const want = runReference(p, 'tanh', true);
    const h2 = Array.from({ length: p.T }, (_, t) => {
      let s = 0;
      for (let i = 0; i < BH; i++) s += want.dh[(firstOutputSlot(p) + t) * BH + i] ** 2;
      return s;
    });
    checkClose(`reference hnorm2 rev=${reverse}`, want.hnorm2, h2, 1e-12, 1e-12);
    checkClose(`wasm hnorm2 rev=${reverse}`, runKernels(simd, p, 'tanh').hnorm2, h2, 1e-6, 1e-4);
    assert.ok(maxAbs(h2) > 0.1, 'the norms are not trivially zero');
  }
});

test('simpleRnnInfer equals the training forward (outputs and final state), with and without y', () => {
  for (const k of [simd, scalar, js]) {
    for (const [reverse, padding] of [[false, 'none'], [true, 'right'], [false, 'left'], [true, 'left']] as const) {
      const p = rnnProblem(8, 6, 5, 9, { seed: 91, reverse, padding });
      const { T, B, D, H } = p;
      const BH = B * H;
      const train = runKernels(k, p, 'relu');
      const a = k.arena;
      const mark = a.mark();
      const put = (values: ArrayLike<number>, shape: number[]) => ({ ptr: a.putF32(values), shape });
      const args = {
        T, B, D, H, lengths: p.lengths, reverse, leftPadded: p.leftPadded, activation: 'relu' as const,
        x: put(p.x, [T, B, D]), W: put(p.W, [D, H]), U: put(p.U, [H, H]), b: put(p.b, [H]), scratch: { ptr: a.alloc(T * BH), shape: [T, B, H] },
      };
      const fs = finalSlot(p) * BH, os = firstOutputSlot(p) * BH;
      for (const withY of [true, false]) {
        const h = put(p.h0, [B, H]);
        const y = withY ? { ptr: a.alloc(T * BH), shape: [T, B, H] } : null;
        k.simpleRnnInfer({ ...args, h, y });
        // the final state is the last slot, except for a sample with no valid step: it keeps h0 (its outputs are 0)
        const noValid = (i: number) => p.lengths !== null && p.lengths[Math.floor(i / H)] === 0;
        checkEqual(`${k.backend} rev=${reverse} ${padding} final h`, a.readF32(h.ptr, BH), Array.from(train.h).slice(fs, fs + BH).map((x, i) => (noValid(i) ? p.h0[i] : x)));
        if (y) checkEqual(`${k.backend} rev=${reverse} ${padding} y`, a.readF32(y.ptr, T * BH), Array.from(train.h).slice(os, os + T * BH));
      }
      a.release(mark);
    }
  }
});

test('bad input: KernelArgumentError before wasm runs, message names the argument, memory unchanged', () => {
  const p = rnnProblem(4, 3, 5, 6, { seed: 95 });
  const { T, B, D, H } = p;
  const a = simd.arena;
  const mark = a.mark();
  const put = (values: ArrayLike<number>, shape: number[]) => ({ ptr: a.putF32(values), shape });
  const x = put(p.x, [T, B, D]), W = put(p.W, [D, H]), U = put(p.U, [H, H]), b = put(p.b, [H]);
  const h = put(slotsWithInitial(p, p.h0, (n) => new Float32Array(n)), [T + 1, B, H]);
  const fwd = { T, B, D, H, h, x, W, U, b };
  const bwd = {
    T, B, D, H, x, W, U, h,
    dx: { ptr: a.allocZeroed(T * B * D), shape: [T, B, D] }, dW: { ptr: a.allocZeroed(D * H), shape: [D, H] },
    dU: { ptr: a.allocZeroed(H * H), shape: [H, H] }, db: { ptr: a.allocZeroed(H), shape: [H] },
    dgates: { ptr: a.allocZeroed(T * B * H), shape: [T, B, H] }, dh: put(upstreamSlots(p, (n) => new Float32Array(n)), [T + 1, B, H]),
  };
  const cases: Array<[string, () => void, RegExp]> = [
    ['length > T', () => simd.simpleRnnForward({ ...fwd, lengths: [4, 9, 1] }), /simple_rnn_forward: argument lengths\[1\] = 9 \(batch row 1\) must be an integer in \[0, T = 4\]/],
    ['negative length', () => simd.simpleRnnBackward({ ...bwd, lengths: [0, -2, 3] }), /simple_rnn_backward: argument lengths\[1\] = -2 \(batch row 1\)/],
    ['fractional length', () => simd.simpleRnnForward({ ...fwd, lengths: [0.5, 2, 2] }), /argument lengths\[0\] = 0\.5 \(batch row 0\)/],
    ['W rows != D', () => simd.simpleRnnForward({ ...fwd, W: { ptr: W.ptr, shape: [D - 1, H] } }), /argument W = \d+ has shape \(4, 6\), expected \(D, H\) = \(5, 6\)/],
    ['U not (H, H)', () => simd.simpleRnnBackward({ ...bwd, U: { ptr: U.ptr, shape: [H, H + 1] } }), /simple_rnn_backward: argument U = \d+ has shape \(6, 7\), expected \(H, H\) = \(6, 6\)/],
    ['gate width 4H', () => simd.simpleRnnForward({ ...fwd, W: { ptr: W.ptr, shape: [D, 4 * H] } }), /argument W = \d+ has shape \(5, 24\), expected \(D, H\) = \(5, 6\)/],
    ['bias width', () => simd.simpleRnnForward({ ...fwd, b: { ptr: b.ptr, shape: [H + 1] } }), /argument b = \d+ has shape \(7\), expected \(H\) = \(6\)/],
    ['h overlaps W', () => simd.simpleRnnForward({ ...fwd, h: { ptr: W.ptr, shape: [T + 1, B, H] } }), /argument h = \d+ \(bytes \[\d+, \d+\)\) overlaps input W/],
    ['dh overlaps h', () => simd.simpleRnnBackward({ ...bwd, dh: h }), /simple_rnn_backward: argument dh = \d+ .*overlaps input h/],
    ['activation', () => simd.simpleRnnForward({ ...fwd, activation: 'hard_sigmoid' }), /argument activation = "hard_sigmoid" must be one of tanh, relu, sigmoid, linear/],
    ['leftPadded flag', () => simd.simpleRnnForward({ ...fwd, leftPadded: 2 as never }), /argument leftPadded = 2 must be a boolean/],
    ['H fractional', () => simd.simpleRnnForward({ ...fwd, H: 6.5 }), /argument H = 6\.5 must be a positive integer/],
  ];
  for (const [name, call, message] of cases) {
    const before = a.u8.slice(a.base, a.top), topBefore = a.top;
    try {
      call();
      assert.unreachable(`${name}: no error`);
    } catch (err) {
      assert.instance(err, KernelArgumentError, `${name}: ${String(err)}`);
      assert.match((err as Error).message, message, name);
    }
    assert.is(a.top, topBefore, `${name}: arena top unchanged`);
    const after = a.u8.slice(a.base, a.top);
    assert.ok(before.every((v, i) => v === after[i]), `${name}: memory unchanged`);
  }
  a.release(mark);
});

// ---- recurrent dropout (Keras recurrent_dropout): h' = act(x·W + b + (h_prev ⊙ m)·U)

const withMask = (p: RnnProblem, seed: number): RnnProblem => ({ ...p, rmask: dropoutMask(p.B * p.H, seed) });

test('recurrent dropout: gradcheck of the f64 reference (reverse, padding)', () => {
  for (const [reverse, padding] of [[false, 'none'], [true, 'right'], [false, 'left']] as Array<[boolean, Padding]>) {
    const p = withMask(rnnProblem(4, 3, 3, 5, { seed: 14, reverse, padding, lengths: [4, 1, 0] }), 6);
    const cfg = config(p, 'tanh');
    const BH = p.B * p.H;
    const x = Float64Array.from(p.x), W = Float64Array.from(p.W), U = Float64Array.from(p.U), b = Float64Array.from(p.b);
    const h0 = Float64Array.from(p.h0);
    const loss = () => {
      const h = slotsWithInitial(p, h0, (n) => new Float64Array(n));
      simpleRnnForward(h, x, W, U, b, cfg);
      return weightedSum(h, p.R, firstOutputSlot(p) * BH);
    };
    const r = runReference(p, 'tanh', true);
    gradcheck(`simple_rnn rmask reverse=${reverse} ${padding}`, [
      { name: 'x', value: x, analytic: r.dx },
      { name: 'W', value: W, analytic: r.dW },
      { name: 'U', value: U, analytic: r.dU },
      { name: 'b', value: b, analytic: r.db },
      { name: 'h0', value: h0, analytic: Array.from(r.dh).slice(initialSlot(p) * BH, (initialSlot(p) + 1) * BH) },
    ], loss);
  }
});

test('recurrent dropout: wasm SIMD and scalar match the f32 reference, SIMD == scalar bit for bit; all-ones == none bit for bit', () => {
  const cases: Array<[number, number, number, number, boolean, Padding]> = [[64, 5, 7, 13, false, 'none'], [65, 3, 5, 9, true, 'right'], [9, 37, 5, 6, false, 'left']];
  for (const [i, [T, B, D, H, reverse, padding]] of cases.entries()) {
    const plainP = rnnProblem(T, B, D, H, { seed: 60 + i, reverse, padding, uScale: 0.3 });
    const p = withMask(plainP, 70 + i);
    const want = runReference(p, 'tanh', false);
    const s = runKernels(simd, p, 'tanh'), sc = runKernels(scalar, p, 'tanh');
    for (const f of FIELDS) {
      const atol = 1e-5 * Math.max(1, maxAbs(want[f]));
      checkClose(`simd rmask ${i} ${f}`, s[f], want[f], atol, 1e-4);
      checkClose(`scalar rmask ${i} ${f}`, sc[f], want[f], atol, 1e-4);
      checkEqual(`simd == scalar rmask ${i} ${f}`, s[f], sc[f]);
    }
    if (i === 1) for (const f of FIELDS) checkClose(`js rmask ${f}`, runKernels(js, p, 'tanh')[f], runReference(p, 'tanh', true)[f], 1e-6, 1e-6);
    for (const k of [simd, scalar]) {
      const ones = runKernels(k, { ...plainP, rmask: new Float32Array(B * H).fill(1) }, 'tanh'), plain = runKernels(k, plainP, 'tanh');
      for (const f of FIELDS) checkEqual(`ones == none ${i} ${f}`, ones[f], plain[f]);
    }
  }
});

test('recurrent dropout (Keras semantics): a zero mask unit does not feed the recurrence but stays in the output', () => {
  const p = rnnProblem(5, 3, 4, 6, { seed: 86 });
  const { B, H } = p;
  const j = 4, scale = 1 / (1 - 0.25);
  const rmask = new Float32Array(B * H).fill(scale);
  for (let b = 0; b < B; b++) rmask[b * H + j] = 0;
  const U2 = Float32Array.from(p.U, (u, i) => (Math.floor(i / H) === j ? 0 : u * scale));
  const masked = runKernels(simd, { ...p, rmask }, 'tanh'), plainU2 = runKernels(simd, { ...p, U: U2 }, 'tanh');
  for (const f of ['h', 'dx', 'dW', 'db', 'dh', 'dgates'] as const) checkClose(`zero unit == zeroed U row (${f})`, masked[f], plainU2[f], 1e-6, 1e-5);
  for (let b = 0; b < B; b++) {
    assert.ok(Math.abs(masked.h[B * H + b * H + j]) > 1e-4, `h of the dropped unit is in the output (b${b})`);
    assert.is(masked.dh[b * H + j], 0, `dh0 of the dropped unit (b${b})`);
  }
  for (let q = 0; q < H; q++) assert.is(masked.dU[j * H + q], 0, `dU row ${j}`);
});

test('recurrent dropout: a bad mask shape is a KernelArgumentError naming both shapes (no per-gate form)', () => {
  const p = rnnProblem(3, 2, 5, 6, { seed: 93 });
  const { T, B, D, H } = p;
  const a = simd.arena;
  const mark = a.mark();
  const put = (values: ArrayLike<number>, shape: number[]) => ({ ptr: a.putF32(values), shape });
  const fwd = {
    T, B, D, H, x: put(p.x, [T, B, D]), W: put(p.W, [D, H]), U: put(p.U, [H, H]), b: put(p.b, [H]),
    h: put(slotsWithInitial(p, p.h0, (n) => new Float32Array(n)), [T + 1, B, H]),
  };
  for (const [shape, re] of [[[B + 1, H], /simple_rnn_forward: argument recurrentMask = \d+ has shape \(3, 6\), expected \(B, H\) = \(2, 6\)/],
    [[1, B, H], /argument recurrentMask = \d+ has shape \(1, 2, 6\), expected \(B, H\) = \(2, 6\)/]] as Array<[number[], RegExp]>) {
    assert.throws(() => simd.simpleRnnForward({ ...fwd, recurrentMask: put(new Float32Array(shape.reduce((q, r) => q * r, 1)), shape) }),
      (e: unknown) => e instanceof KernelArgumentError && re.test(String((e as Error).message)));
  }
  a.release(mark);
});

test('simple_rnn_forward and simple_rnn_infer with packed weights (work) equal the unpacked path bit for bit', async () => {
  for (const variant of ['simd', 'scalar'] as const) {
    let raw: SimpleRnnRaw | null = null;
    const k = await loadKernels({ variant, wrapRaw: (r) => { raw = r; return r; } });
    for (const [B, D, H] of [[1, 4, 32], [3, 5, 16], [5, 6, 37], [8, 7, 64], [2, 3, 1]]) {
      const T = 7, a = k.arena, mark = a.mark(), seed = 13 * B + D + H;
      const x = a.putF32(uniform(T * B * D, seed)), W = a.putF32(uniform(D * H, seed + 1, -0.5, 0.5));
      const U = a.putF32(uniform(H * H, seed + 2, -0.5, 0.5)), b = a.putF32(uniform(H, seed + 3, -0.2, 0.2));
      const h0 = uniform(B * H, seed + 4, -0.5, 0.5);
      const infer = (work: Ptr) => {
        const h = a.putF32(h0), y = a.alloc(T * B * H), scratch = a.alloc(T * B * H);
        raw!.simple_rnn_infer(y, h, scratch, work, x, W, U, b, 0, T, B, D, H, 0, CODES.tanh);
        return [a.readF32(y, T * B * H), a.readF32(h, B * H)];
      };
      const forward = (work: Ptr) => {
        const slots = new Float32Array((T + 1) * B * H);
        slots.set(h0);
        const h = a.putF32(slots);
        raw!.simple_rnn_forward(h, x, W, U, b, 0, 0, 0, work, T, B, D, H, 0, CODES.tanh);
        return [a.readF32(h, (T + 1) * B * H)];
      };
      for (const [name, run] of [['infer', infer], ['forward', forward]] as const) {
        const unpacked = run(0), packed = run(a.alloc((D + H) * H));
        unpacked.forEach((u, i) => checkEqual(`${variant} B${B} D${D} H${H} ${name} output ${i}`, packed[i], u));
      }
      a.release(mark);
    }
  }
});

test.run();
