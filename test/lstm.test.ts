// LSTM: gradcheck of the f64 reference for every variant; wasm (SIMD and scalar) vs the f32 reference over
// ≥ 64 steps; state plumbing (sequential == batch, reverse == reversed input, left == shifted right padding);
// untouched memory; gradient norms; inference == training forward; bad input.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { KernelArgumentError, loadKernels, type Kernels, type Ptr } from '../bindings/index.js';
import type { ActivationName } from '../bindings/reference/activations.js';
import type { LstmRaw } from '../bindings/families/lstm.js';
import { lstmBackward, lstmForward, lstmInfer } from '../bindings/reference/lstm.js';
import { LEFT_PADDED, PER_GATE_RMASK, REVERSE, type RecurrentConfig } from '../bindings/reference/recurrent-common.js';
import { checkClose, checkEqual } from './helpers/check-close.js';
import { gradcheck, weightedSum } from './helpers/gradcheck.js';
import {
  dropoutMask, finalSlot, firstOutputSlot, gappyMask, initialSlot, makeProblem, maxAbs, rowStatesOf, slotsWithInitial, upstreamSlots, valid,
  type Padding, type RnnProblem,
} from './helpers/rnn-problem.js';
import { uniform } from './helpers/random.js';
import { f64Out, readF64 } from './helpers/f64-out.js';

const CODES: Record<string, number> = { linear: 0, tanh: 1, sigmoid: 2, relu: 3, hard_sigmoid: 4 };
const ACTS: ActivationName[] = ['tanh', 'relu', 'sigmoid', 'linear'];
const RACTS: ActivationName[] = ['sigmoid', 'hard_sigmoid'];
const PADDINGS: Padding[] = ['none', 'right', 'left'];

interface Variant {
  act: ActivationName;
  ract: ActivationName;
}

const lstmProblem = (T: number, B: number, D: number, H: number, o: Parameters<typeof makeProblem>[1]) =>
  makeProblem({ T, B, D, H, G: 4 * H }, o);

function config(p: RnnProblem, v: Variant): RecurrentConfig {
  return {
    T: p.T, B: p.B, D: p.D, H: p.H, lengths: p.lengths, stepMask: p.stepMask ?? null,
    flags: (p.reverse ? REVERSE : 0) | (p.leftPadded ? LEFT_PADDED : 0) | (p.perGate ? PER_GATE_RMASK : 0),
    recurrentMask: p.rmask ?? null,
    activation: CODES[v.act], recurrentActivation: CODES[v.ract],
  };
}

/** Everything one forward + backward produces. */
interface Run {
  h: ArrayLike<number>;
  c: ArrayLike<number>;
  gates: ArrayLike<number>;
  dx: ArrayLike<number>;
  dW: ArrayLike<number>;
  dU: ArrayLike<number>;
  db: ArrayLike<number>;
  dh: ArrayLike<number>;
  dc0: ArrayLike<number>;
  dgates: ArrayLike<number>;
  hnorm2: ArrayLike<number>;
  cnorm2: ArrayLike<number>;
}

/** The reference in f32 or f64 (dcTotal: the total dL/dc_t by time, for the norm test). */
function runReference(p: RnnProblem, v: Variant, f64: boolean, dcTotal?: Float64Array): Run {
  const make = (n: number) => (f64 ? new Float64Array(n) : new Float32Array(n));
  const cast = (a: Float32Array) => (f64 ? Float64Array.from(a) : Float32Array.from(a));
  const { T, B, D, H, G } = p;
  const cfg = config(p, v);
  const h = slotsWithInitial(p, p.h0, make), c = slotsWithInitial(p, p.c0, make), gates = make(T * B * G);
  const x = cast(p.x), W = cast(p.W), U = cast(p.U);
  lstmForward(h, c, gates, x, W, U, cast(p.b), cfg);
  const dh = upstreamSlots(p, make), dc = cast(p.Rc);
  const out = {
    dx: make(T * B * D), dW: make(D * G), dU: make(H * G), db: make(G), dc0: make(B * H), dgates: make(T * B * G),
    hnorm2: make(T), cnorm2: make(T), dcTotal: dcTotal ?? null,
  };
  lstmBackward(out, dh, dc, x, W, U, gates, c, h, cfg);
  return { h, c, gates, dh, ...out };
}

/** Allocates a problem's buffers in a Kernels arena and runs lstmForward + lstmBackward through the checked API. */
function runKernels(k: Kernels, p: RnnProblem, v: Variant): Run {
  const a = k.arena;
  const mark = a.mark();
  const { T, B, D, H, G } = p;
  const S = (T + 1) * B * H;
  const put = (values: ArrayLike<number>, shape: number[]) => ({ ptr: a.putF32(values), shape });
  const zeros = (shape: number[]) => ({ ptr: a.allocZeroed(shape.reduce((m, n) => m * n, 1)), shape });
  const f64Zeros = (n: number) => f64Out(a, n);
  const recurrentMask = p.rmask ? put(p.rmask, p.perGate ? [4, B, H] : [B, H]) : null;
  const opts = { T, B, D, H, lengths: p.lengths, stepMask: p.stepMask ?? null, reverse: p.reverse, leftPadded: p.leftPadded, activation: v.act, recurrentActivation: v.ract, recurrentMask };
  const x = put(p.x, [T, B, D]), W = put(p.W, [D, G]), U = put(p.U, [H, G]), b = put(p.b, [G]);
  const h = put(slotsWithInitial(p, p.h0, (n) => new Float32Array(n)), [T + 1, B, H]);
  const c = put(slotsWithInitial(p, p.c0, (n) => new Float32Array(n)), [T + 1, B, H]);
  const gates = zeros([T, B, G]);
  k.lstmForward({ ...opts, h, c, gates, x, W, U, b });
  const g = {
    dx: put(uniform(T * B * D, 99), [T, B, D]), dW: zeros([D, G]), dU: zeros([H, G]), db: zeros([G]), dc0: zeros([B, H]),
    dgates: zeros([T, B, G]), hnorm2: f64Zeros(T), cnorm2: f64Zeros(T),
    dh: put(upstreamSlots(p, (n) => new Float32Array(n)), [T + 1, B, H]), dc: put(p.Rc, [B, H]),
  };
  k.lstmBackward({ ...opts, ...g, x, W, U, gates, c, h });
  const read = (t: { ptr: Ptr; shape: number[] }) => a.readF32(t.ptr, t.shape.reduce((m, n) => m * n, 1));
  const run: Run = {
    h: read(h), c: read(c), gates: read(gates), dx: read(g.dx), dW: read(g.dW), dU: read(g.dU), db: read(g.db),
    dh: read(g.dh), dc0: read(g.dc0), dgates: read(g.dgates), hnorm2: readF64(a, g.hnorm2), cnorm2: readF64(a, g.cnorm2),
  };
  assert.is(S, run.h.length);
  a.release(mark);
  return run;
}

const FIELDS: Array<keyof Run> = ['h', 'c', 'gates', 'dx', 'dW', 'dU', 'db', 'dh', 'dc0', 'dgates', 'hnorm2', 'cnorm2'];

function compareRuns(label: string, got: Run, want: Run, rtol: number): void {
  for (const f of FIELDS) {
    const scale = Math.max(1, maxAbs(want[f]));
    checkClose(`${label} ${f}`, got[f], want[f], rtol * scale * 0.1, rtol);
  }
}

let simd: Kernels, scalar: Kernels, js: Kernels;
test.before(async () => {
  simd = await loadKernels();
  scalar = await loadKernels({ variant: 'scalar' });
  js = await loadKernels({ backend: 'js' });
});

// ---- 1. gradcheck of the f64 reference, every variant

for (const act of ACTS) {
  for (const ract of RACTS) {
    test(`gradcheck f64 reference: activation ${act}, recurrentActivation ${ract}, both directions, every padding`, () => {
      for (const reverse of [false, true]) {
        for (const padding of PADDINGS) {
          const v = { act, ract };
          // lengths cover 0, 1 and T; D, H not multiples of 4.
          const p = lstmProblem(3, 3, 3, 5, { seed: 11, reverse, padding, lengths: [3, 1, 0] });
          const cfg = config(p, v);
          const { T, B, D, H, G } = p;
          const x = Float64Array.from(p.x), W = Float64Array.from(p.W), U = Float64Array.from(p.U), b = Float64Array.from(p.b);
          const h0 = Float64Array.from(p.h0), c0 = Float64Array.from(p.c0);
          const BH = B * H;
          const loss = () => {
            const h = slotsWithInitial(p, h0, (n) => new Float64Array(n)), c = slotsWithInitial(p, c0, (n) => new Float64Array(n));
            lstmForward(h, c, new Float64Array(T * B * G), x, W, U, b, cfg);
            return weightedSum(h, p.R, firstOutputSlot(p) * BH) + weightedSum(c, p.Rc, finalSlot(p) * BH);
          };
          const r = runReference(p, v, true);
          const dh0 = Array.from(r.dh).slice(initialSlot(p) * BH, (initialSlot(p) + 1) * BH);
          gradcheck(`lstm ${act}/${ract} reverse=${reverse} padding=${padding}`, [
            { name: 'x', value: x, analytic: r.dx },
            { name: 'W', value: W, analytic: r.dW },
            { name: 'U', value: U, analytic: r.dU },
            { name: 'b', value: b, analytic: r.db },
            { name: 'h0', value: h0, analytic: dh0 },
            { name: 'c0', value: c0, analytic: r.dc0 },
          ], loss);
          // The masked rows of dx are exactly zero.
          for (let t = 0; t < T; t++) for (let bb = 0; bb < B; bb++) {
            if (!valid(p, bb, t)) for (let d = 0; d < D; d++) assert.is(r.dx[(t * B + bb) * D + d], 0, `dx masked (${t}, ${bb})`);
          }
        }
      }
    });
  }
}

test('gradcheck is able to fail: a wrong analytic gradient is reported', () => {
  const p = lstmProblem(2, 1, 2, 3, { seed: 3 });
  const v = { act: 'tanh' as ActivationName, ract: 'sigmoid' as ActivationName };
  const W = Float64Array.from(p.W);
  const r = runReference(p, v, true);
  const wrong = Float64Array.from(r.dW);
  wrong[5] *= 1.001;
  const loss = () => {
    const h = slotsWithInitial(p, p.h0, (n) => new Float64Array(n)), c = slotsWithInitial(p, p.c0, (n) => new Float64Array(n));
    lstmForward(h, c, new Float64Array(2 * 12), Float64Array.from(p.x), W, Float64Array.from(p.U), Float64Array.from(p.b), config(p, v));
    return weightedSum(h, p.R, 3) + weightedSum(c, p.Rc, 6);
  };
  // uvu's assert.throws rethrows assertion errors, so catch by hand.
  let message = '';
  try {
    gradcheck('wrong', [{ name: 'W', value: W, analytic: wrong }], loss);
  } catch (err) {
    message = (err as Error).message;
  }
  assert.match(message, /wrong: gradcheck error .* at W\[5\]/);
});

// ---- 2. wasm (SIMD and scalar) vs the f32 reference

const WASM_CASES: Array<{ T: number; B: number; D: number; H: number; v: Variant; reverse: boolean; padding: Padding }> = [
  { T: 64, B: 5, D: 7, H: 13, v: { act: 'tanh', ract: 'sigmoid' }, reverse: false, padding: 'none' },
  { T: 65, B: 6, D: 9, H: 13, v: { act: 'relu', ract: 'hard_sigmoid' }, reverse: true, padding: 'right' },
  { T: 64, B: 6, D: 5, H: 8, v: { act: 'sigmoid', ract: 'sigmoid' }, reverse: false, padding: 'left' },
  { T: 66, B: 4, D: 4, H: 11, v: { act: 'linear', ract: 'hard_sigmoid' }, reverse: true, padding: 'left' },
  { T: 1, B: 1, D: 3, H: 9, v: { act: 'tanh', ract: 'sigmoid' }, reverse: false, padding: 'none' },
  { T: 70, B: 1, D: 6, H: 7, v: { act: 'tanh', ract: 'sigmoid' }, reverse: false, padding: 'right' },
  { T: 1, B: 3, D: 1, H: 1, v: { act: 'relu', ract: 'sigmoid' }, reverse: true, padding: 'right' },
];

test('wasm SIMD and scalar match the f32 reference after ≥ 64 steps (1e-4 relative); SIMD == scalar bit for bit', () => {
  for (const [i, cs] of WASM_CASES.entries()) {
    const p = lstmProblem(cs.T, cs.B, cs.D, cs.H, { seed: 20 + i, reverse: cs.reverse, padding: cs.padding, uScale: 0.4 });
    const label = `T${cs.T} B${cs.B} D${cs.D} H${cs.H} ${cs.v.act}/${cs.v.ract} rev=${cs.reverse} ${cs.padding}`;
    const want = runReference(p, cs.v, false);
    const gotSimd = runKernels(simd, p, cs.v);
    compareRuns(`simd ${label}`, gotSimd, want, 1e-4);
    const gotScalar = runKernels(scalar, p, cs.v);
    compareRuns(`scalar ${label}`, gotScalar, want, 1e-4);
    for (const f of FIELDS) checkEqual(`simd == scalar ${label} ${f}`, gotSimd[f], gotScalar[f]);
  }
});

test('the js backend (reference raw through the checked API) matches the reference', () => {
  const cs = WASM_CASES[1];
  const p = lstmProblem(cs.T, cs.B, cs.D, cs.H, { seed: 21, reverse: cs.reverse, padding: cs.padding, uScale: 0.4 });
  const want = runReference(p, cs.v, false);
  compareRuns('js', runKernels(js, p, cs.v), want, 1e-6);
});

// ---- 3. state plumbing

test('sequential == batch: T one-step calls with carried state equal one T-step call, gappy step mask (forward and backward, dh0, dc0)', () => {
  const v: Variant = { act: 'tanh', ract: 'sigmoid' };
  for (const reverse of [false, true]) {
    const T = 7, B = 7, D = 6, H = 9;
    const mask = gappyMask(T, B, 31);
    const p: RnnProblem = { ...lstmProblem(T, B, D, H, { seed: 31, reverse }), stepMask: mask };
    const G = p.G, BH = B * H;
    const batch = runKernels(simd, p, v);
    const ok = (b: number, t: number) => mask[t * B + b] === 1;
    const states = rowStatesOf(ok, T, B, reverse);
    const a = simd.arena;
    const mark = a.mark();
    const common = { B, D, H, T: 1, activation: v.act, recurrentActivation: v.ract };
    const put = (values: ArrayLike<number>, shape: number[]) => ({ ptr: a.putF32(values), shape });
    const W = put(p.W, [D, G]), U = put(p.U, [H, G]), b = put(p.b, [G]);
    const order = Array.from({ length: T }, (_, k) => (reverse ? T - 1 - k : k));
    const s0 = reverse ? 1 : 0, s1 = 1 - s0; // the one-step call's h0 slot and output slot
    const saved: Array<{ h: Float32Array; c: Float32Array; gates: Float32Array }> = [];
    let hs = Float32Array.from(p.h0), cs = Float32Array.from(p.c0);
    const lengthsAt = (t: number) => Array.from({ length: B }, (_, bb) => (ok(bb, t) ? 1 : 0));
    const rowOf = (i: number) => Math.floor(i / H);
    for (const t of order) {
      const hInit = new Float32Array(2 * BH), cInit = new Float32Array(2 * BH);
      hInit.set(hs, s0 * BH);
      cInit.set(cs, s0 * BH);
      const h = put(hInit, [2, B, H]), c = put(cInit, [2, B, H]), gates = put(new Float32Array(B * G), [1, B, G]);
      simd.lstmForward({ ...common, reverse, lengths: lengthsAt(t), h, c, gates, x: put(p.x.subarray(t * B * D, (t + 1) * B * D), [1, B, D]), W, U, b });
      saved[t] = { h: a.readF32(h.ptr, 2 * BH), c: a.readF32(c.ptr, 2 * BH), gates: a.readF32(gates.ptr, B * G) };
      const hOut = saved[t].h.subarray(s1 * BH, (s1 + 1) * BH);
      // the state carried into the next call: the call's output where the row was valid, else unchanged
      hs = hs.map((x, i) => (ok(rowOf(i), t) ? hOut[i] : x));
      cs = saved[t].c.slice(s1 * BH, (s1 + 1) * BH);
      const os = firstOutputSlot(p) + t;
      checkEqual(`output of time ${t} (0 before the first valid step, else the state)`,
        hs.map((x, i) => (states[t * B + rowOf(i)] === 'leading' ? 0 : x)), Array.from(batch.h).slice(os * BH, (os + 1) * BH));
      checkEqual(`c of time ${t}`, cs, Array.from(batch.c).slice(os * BH, (os + 1) * BH));
      checkEqual(`gates of time ${t}`, saved[t].gates, Array.from(batch.gates).slice(t * B * G, (t + 1) * B * G));
    }
    const dW = put(new Float32Array(D * G), [D, G]), dU = put(new Float32Array(H * G), [H, G]), db = put(new Float32Array(G), [G]);
    const dc = put(p.Rc, [B, H]), dc0 = put(new Float32Array(BH), [B, H]);
    let carry = new Float32Array(BH);
    for (const t of [...order].reverse()) {
      // upstream of the output at t (nothing for a leading 0) plus the state gradient carried from later steps
      const up = Float32Array.from(carry, (x, i) => (states[t * B + rowOf(i)] === 'leading' ? 0 : p.R[t * BH + i]) + x);
      const dhInit = new Float32Array(2 * BH);
      dhInit.set(up, s1 * BH);
      const dh = put(dhInit, [2, B, H]);
      const dx = put(new Float32Array(B * D), [1, B, D]), dgates = put(new Float32Array(B * G), [1, B, G]);
      const hn = f64Out(a, 1), cn = f64Out(a, 1);
      simd.lstmBackward({
        ...common, reverse, lengths: lengthsAt(t), dx, dW, dU, db, dc0, dgates, hnorm2: hn, cnorm2: cn, dh, dc,
        x: put(p.x.subarray(t * B * D, (t + 1) * B * D), [1, B, D]), W, U, gates: put(saved[t].gates, [1, B, G]),
        c: put(saved[t].c, [2, B, H]), h: put(saved[t].h, [2, B, H]),
      });
      const dh0 = a.readF32(dh.ptr + 4 * s0 * BH, BH);
      carry = Float32Array.from(dh0, (x, i) => (ok(rowOf(i), t) ? x : up[i]));
      a.F32.copyWithin(dc.ptr >> 2, dc0.ptr >> 2, (dc0.ptr >> 2) + BH);
      checkClose(`dx of time ${t}`, a.readF32(dx.ptr, B * D), Array.from(batch.dx).slice(t * B * D, (t + 1) * B * D), 1e-6, 1e-5);
      checkClose(`dgates of time ${t}`, a.readF32(dgates.ptr, B * G), Array.from(batch.dgates).slice(t * B * G, (t + 1) * B * G), 1e-6, 1e-5);
      let n2 = 0;
      for (let i = 0; i < BH; i++) if (states[t * B + rowOf(i)] !== 'leading') n2 += up[i] ** 2;
      checkClose(`hnorm2 of time ${t}`, [n2], [batch.hnorm2[t]], 1e-6, 1e-5);
      checkClose(`cnorm2 of time ${t}`, readF64(a, cn), [batch.cnorm2[t]], 1e-6, 1e-5);
    }
    const is = initialSlot(p) * BH;
    checkClose('dh0', carry, Array.from(batch.dh).slice(is, is + BH), 1e-6, 1e-5);
    checkClose('dc0', a.readF32(dc.ptr, BH), batch.dc0, 1e-6, 1e-5);
    const tol = (f: keyof Run) => 1e-6 * Math.max(1, maxAbs(batch[f]));
    checkClose('dW', a.readF32(dW.ptr, D * G), batch.dW, tol('dW'), 1e-5);
    checkClose('dU', a.readF32(dU.ptr, H * G), batch.dU, tol('dU'), 1e-5);
    checkClose('db', a.readF32(db.ptr, G), batch.db, tol('db'), 1e-5);
    a.release(mark);
  }
});

/** x (T, B, D) with every sample's time axis reversed. */
function reverseTime(v: Float32Array, T: number, rowWidth: number): Float32Array {
  const out = new Float32Array(v.length);
  for (let t = 0; t < T; t++) out.set(v.subarray(t * rowWidth, (t + 1) * rowWidth), (T - 1 - t) * rowWidth);
  return out;
}

test('reverse == forward over the time-reversed input (right padding ↔ left padding), outputs and grads', () => {
  const v: Variant = { act: 'tanh', ract: 'hard_sigmoid' };
  for (const padding of ['none', 'right'] as const) {
    const pr = lstmProblem(7, 4, 5, 6, { seed: 41, reverse: true, padding, lengths: [7, 3, 0, 5] });
    const { T, B, D, H } = pr;
    const BH = B * H;
    const pf: RnnProblem = {
      ...pr, reverse: false, leftPadded: padding === 'right', x: reverseTime(pr.x, T, B * D), R: reverseTime(pr.R, T, BH),
    };
    const r = runKernels(simd, pr, v), f = runKernels(simd, pf, v);
    const slotsR = (run: Run, key: 'h' | 'c' | 'dh') => Array.from(run[key]);
    // reverse slot s holds time s (s < T) and the initial state at T; forward slot s holds time s - 1, initial at 0.
    const flipSlots = (a: number[]) => reverseTime(Float32Array.from(a), T + 1, BH);
    checkClose(`${padding}: h`, slotsR(r, 'h'), flipSlots(slotsR(f, 'h')), 1e-6, 1e-5);
    checkClose(`${padding}: c`, slotsR(r, 'c'), flipSlots(slotsR(f, 'c')), 1e-6, 1e-5);
    checkClose(`${padding}: dh (dh0 and totals)`, slotsR(r, 'dh'), flipSlots(slotsR(f, 'dh')), 1e-6, 1e-5);
    checkClose(`${padding}: dx`, r.dx, reverseTime(Float32Array.from(f.dx), T, B * D), 1e-6, 1e-5);
    for (const key of ['dW', 'dU', 'db', 'dc0'] as const) checkClose(`${padding}: ${key}`, r[key], f[key], 1e-5, 1e-5);
    checkClose(`${padding}: hnorm2`, r.hnorm2, reverseTime(Float32Array.from(f.hnorm2), T, 1), 1e-6, 1e-5);
    checkClose(`${padding}: cnorm2`, r.cnorm2, reverseTime(Float32Array.from(f.cnorm2), T, 1), 1e-6, 1e-5);
  }
});

test('left padding == right padding shifted: same final state, same weight grads, dh0, dc0; dx shifted', () => {
  const v: Variant = { act: 'tanh', ract: 'sigmoid' };
  for (const reverse of [false, true]) {
    const lengths = [6, 2, 0, 4, 1];
    const right = lstmProblem(6, 5, 7, 5, { seed: 51, reverse, padding: 'right', lengths });
    const { T, B, D, H } = right;
    const BH = B * H;
    const shift = (bb: number) => T - lengths[bb];
    // Same data at valid steps (left: shifted to the end); junk at masked steps; upstream only at valid steps.
    const left: RnnProblem = { ...right, leftPadded: true, x: uniform(T * B * D, 52, -9, 9), R: new Float32Array(T * BH) };
    const R = new Float32Array(T * BH);
    for (let bb = 0; bb < B; bb++) {
      for (let t = 0; t < lengths[bb]; t++) {
        left.x.set(right.x.subarray((t * B + bb) * D, (t * B + bb + 1) * D), ((t + shift(bb)) * B + bb) * D);
        R.set(right.R.subarray((t * B + bb) * H, (t * B + bb + 1) * H), (t * B + bb) * H);
        left.R.set(right.R.subarray((t * B + bb) * H, (t * B + bb + 1) * H), ((t + shift(bb)) * B + bb) * H);
      }
    }
    const r = runKernels(simd, { ...right, R }, v), l = runKernels(simd, left, v);
    const fs = finalSlot(right) * BH, is = initialSlot(right) * BH;
    checkClose(`rev=${reverse}: final h`, Array.from(l.h).slice(fs, fs + BH), Array.from(r.h).slice(fs, fs + BH), 1e-6, 1e-5);
    checkClose(`rev=${reverse}: final c`, Array.from(l.c).slice(fs, fs + BH), Array.from(r.c).slice(fs, fs + BH), 1e-6, 1e-5);
    checkClose(`rev=${reverse}: dh0`, Array.from(l.dh).slice(is, is + BH), Array.from(r.dh).slice(is, is + BH), 1e-6, 1e-5);
    for (const key of ['dW', 'dU', 'db', 'dc0'] as const) checkClose(`rev=${reverse}: ${key}`, l[key], r[key], 1e-5, 1e-5);
    for (let bb = 0; bb < B; bb++) {
      for (let t = 0; t < T; t++) {
        const lrow = Array.from(l.dx).slice((t * B + bb) * D, (t * B + bb + 1) * D);
        const valid = t >= shift(bb);
        const want = valid ? Array.from(r.dx).slice(((t - shift(bb)) * B + bb) * D, ((t - shift(bb)) * B + bb + 1) * D) : new Array(D).fill(0);
        (valid ? checkClose : checkEqual)(`rev=${reverse}: dx left (t ${t}, b ${bb})`, lrow, want, 1e-6, 1e-5);
        if (t >= lengths[bb]) checkEqual(`rev=${reverse}: dx right masked (t ${t}, b ${bb})`, Array.from(r.dx).slice((t * B + bb) * D, (t * B + bb + 1) * D), new Array(D).fill(0));
      }
    }
  }
});

// ---- 4. memory discipline, norms, inference

test('memory around every buffer, the initial-state slots, inputs and masked rows are untouched', () => {
  const v: Variant = { act: 'relu', ract: 'hard_sigmoid' };
  for (const accumulateDx of [false, true]) {
    const p = lstmProblem(5, 5, 6, 7, { seed: 61, padding: 'left' });
    const { T, B, D, H, G } = p;
    const a = simd.arena;
    const mark = a.mark();
    const GUARD = 16, SENTINEL = -777.25;
    // Each buffer sits between two guard zones of 16 floats.
    const guarded = (values: ArrayLike<number> | number, shape: number[]) => {
      const n = shape.reduce((m, k) => m * k, 1);
      const base = a.alloc(n + 2 * GUARD);
      a.F32.fill(SENTINEL, base >> 2, (base >> 2) + n + 2 * GUARD);
      const ptr = base + 4 * GUARD;
      if (typeof values === 'number') a.F32.fill(values, ptr >> 2, (ptr >> 2) + n);
      else a.F32.set(values, ptr >> 2);
      return { ptr, shape, base, n };
    };
    const dx0 = uniform(T * B * D, 62);
    const bufs = {
      x: guarded(p.x, [T, B, D]), W: guarded(p.W, [D, G]), U: guarded(p.U, [H, G]), b: guarded(p.b, [G]),
      h: guarded(slotsWithInitial(p, p.h0, (n) => new Float32Array(n)), [T + 1, B, H]),
      c: guarded(slotsWithInitial(p, p.c0, (n) => new Float32Array(n)), [T + 1, B, H]),
      gates: guarded(0, [T, B, G]), dx: guarded(dx0, [T, B, D]), dW: guarded(0, [D, G]), dU: guarded(0, [H, G]),
      db: guarded(0, [G]), dc0: guarded(0, [B, H]), dgates: guarded(0, [T, B, G]), hnorm2: { ...guarded(0, [2 * T]), shape: [T] },
      cnorm2: { ...guarded(0, [2 * T]), shape: [T] }, dh: guarded(upstreamSlots(p, (n) => new Float32Array(n)), [T + 1, B, H]), dc: guarded(p.Rc, [B, H]),
    };
    const opts = { T, B, D, H, lengths: p.lengths, leftPadded: true, activation: v.act, recurrentActivation: v.ract };
    const inputsBefore = (['x', 'W', 'U', 'b'] as const).map((k) => a.readF32(bufs[k].ptr, bufs[k].n));
    simd.lstmForward({ ...opts, h: bufs.h, c: bufs.c, gates: bufs.gates, x: bufs.x, W: bufs.W, U: bufs.U, b: bufs.b });
    const savedBefore = (['h', 'c', 'gates'] as const).map((k) => a.readF32(bufs[k].ptr, bufs[k].n));
    simd.lstmBackward({ ...opts, accumulateDx, ...bufs });
    for (const [name, buf] of Object.entries(bufs)) {
      const before = a.readF32(buf.base, GUARD), after = a.readF32(buf.ptr + 4 * buf.n, GUARD);
      checkEqual(`guard before ${name}`, before, new Array(GUARD).fill(SENTINEL));
      checkEqual(`guard after ${name}`, after, new Array(GUARD).fill(SENTINEL));
    }
    (['x', 'W', 'U', 'b'] as const).forEach((k, i) => checkEqual(`input ${k} unchanged`, a.readF32(bufs[k].ptr, bufs[k].n), inputsBefore[i]));
    (['h', 'c', 'gates'] as const).forEach((k, i) => checkEqual(`saved ${k} unchanged by backward`, a.readF32(bufs[k].ptr, bufs[k].n), savedBefore[i]));
    checkEqual('h0 slot unchanged', a.readF32(bufs.h.ptr, B * H), p.h0);
    checkEqual('c0 slot unchanged', a.readF32(bufs.c.ptr, B * H), p.c0);
    const dx = a.readF32(bufs.dx.ptr, T * B * D), dgates = a.readF32(bufs.dgates.ptr, T * B * G), gates = a.readF32(bufs.gates.ptr, T * B * G);
    let masked = 0;
    for (let t = 0; t < T; t++) for (let bb = 0; bb < B; bb++) {
      if (valid(p, bb, t)) continue;
      masked++;
      const row = (t * B + bb);
      const wantDx = accumulateDx ? dx0.subarray(row * D, (row + 1) * D) : new Float32Array(D);
      checkEqual(`masked dx row (t ${t}, b ${bb}) acc=${accumulateDx}`, dx.subarray(row * D, (row + 1) * D), wantDx);
      checkEqual(`masked dgates row (t ${t}, b ${bb})`, dgates.subarray(row * G, (row + 1) * G), new Float32Array(G));
      checkEqual(`masked gates row (t ${t}, b ${bb})`, gates.subarray(row * G, (row + 1) * G), new Float32Array(G));
    }
    assert.ok(masked >= 5, 'the case has masked rows');
    a.release(mark);
  }
});

test('hnorm2 / cnorm2 equal Σ² of the total dL/dh_t and dL/dc_t of the reference', () => {
  const v: Variant = { act: 'tanh', ract: 'sigmoid' };
  for (const reverse of [false, true]) {
    const p = lstmProblem(9, 4, 5, 6, { seed: 71, reverse, padding: 'right' });
    const { T, B, H } = p;
    const BH = B * H;
    const dcTotal = new Float64Array(T * BH);
    const want = runReference(p, v, true, dcTotal);
    const h2 = new Float64Array(T), c2 = new Float64Array(T);
    for (let t = 0; t < T; t++) {
      const os = (firstOutputSlot(p) + t) * BH;
      for (let i = 0; i < BH; i++) {
        h2[t] += want.dh[os + i] ** 2;
        c2[t] += dcTotal[t * BH + i] ** 2;
      }
    }
    checkClose(`reference hnorm2 rev=${reverse}`, want.hnorm2, h2, 1e-12, 1e-12);
    checkClose(`reference cnorm2 rev=${reverse}`, want.cnorm2, c2, 1e-12, 1e-12);
    const got = runKernels(simd, p, v);
    checkClose(`wasm hnorm2 rev=${reverse}`, got.hnorm2, h2, 1e-6, 1e-4);
    checkClose(`wasm cnorm2 rev=${reverse}`, got.cnorm2, c2, 1e-6, 1e-4);
    assert.ok(maxAbs(c2) > 0.1, 'the norms are not trivially zero');
  }
});

test('lstmInfer equals the training forward (outputs and final state), with and without y', () => {
  for (const k of [simd, scalar, js]) {
    for (const [reverse, padding] of [[false, 'none'], [true, 'right'], [false, 'left'], [true, 'left']] as const) {
      const v: Variant = { act: 'sigmoid', ract: 'hard_sigmoid' };
      const p = lstmProblem(8, 6, 5, 9, { seed: 81, reverse, padding });
      const { T, B, D, H, G } = p;
      const BH = B * H;
      const train = runKernels(k, p, v);
      const a = k.arena;
      const mark = a.mark();
      const put = (values: ArrayLike<number>, shape: number[]) => ({ ptr: a.putF32(values), shape });
      const args = {
        T, B, D, H, lengths: p.lengths, reverse, leftPadded: p.leftPadded, activation: v.act, recurrentActivation: v.ract,
        x: put(p.x, [T, B, D]), W: put(p.W, [D, G]), U: put(p.U, [H, G]), b: put(p.b, [G]),
        scratch: { ptr: a.alloc(T * B * G), shape: [T, B, G] },
      };
      const fs = finalSlot(p) * BH, os = firstOutputSlot(p) * BH;
      const label = `${k.backend} rev=${reverse} ${padding}`;
      for (const withY of [true, false]) {
        const h = put(p.h0, [B, H]), c = put(p.c0, [B, H]);
        const y = withY ? { ptr: a.alloc(T * BH), shape: [T, B, H] } : null;
        k.lstmInfer({ ...args, h, c, y });
        // the final state is the last slot, except for a sample with no valid step: it keeps h0 (its outputs are 0)
        const noValid = (i: number) => p.lengths !== null && p.lengths[Math.floor(i / H)] === 0;
        checkEqual(`${label} final h`, a.readF32(h.ptr, BH), Array.from(train.h).slice(fs, fs + BH).map((x, i) => (noValid(i) ? p.h0[i] : x)));
        checkEqual(`${label} final c`, a.readF32(c.ptr, BH), Array.from(train.c).slice(fs, fs + BH));
        if (y) checkEqual(`${label} y`, a.readF32(y.ptr, T * BH), Array.from(train.h).slice(os, os + T * BH));
      }
      a.release(mark);
    }
  }
});

test('lstm_infer with packed weights (work) equals the unpacked path bit for bit: every K mod 4, panel remainders, row remainders', async () => {
  for (const variant of ['simd', 'scalar'] as const) {
    let raw: LstmRaw | null = null;
    const k = await loadKernels({ variant, wrapRaw: (r) => { raw = r; return r; } });
    for (const [B, D, H] of [[1, 4, 8], [3, 5, 16], [5, 6, 9], [8, 7, 33], [4, 64, 64], [2, 3, 1]]) {
      const p = lstmProblem(6, B, D, H, { seed: 7 * B + D + H, padding: B > 2 ? 'right' : 'none' });
      const { T, G } = p;
      const a = k.arena;
      const mark = a.mark();
      const x = a.putF32(p.x), W = a.putF32(p.W), U = a.putF32(p.U), b = a.putF32(p.b);
      const len = p.lengths ? a.putI32(p.lengths) : 0;
      const out = (work: Ptr) => {
        const h = a.putF32(p.h0), c = a.putF32(p.c0), y = a.alloc(T * B * H), scratch = a.alloc(T * B * G);
        raw!.lstm_infer(y, h, c, scratch, work, x, W, U, b, len, T, B, D, H, 0, CODES.tanh, CODES.sigmoid);
        return { y: a.readF32(y, T * B * H), h: a.readF32(h, B * H), c: a.readF32(c, B * H) };
      };
      const unpacked = out(0);
      const packed = out(a.alloc((D + H) * G));
      for (const f of ['y', 'h', 'c'] as const) checkEqual(`${variant} B${B} D${D} H${H} ${f}`, packed[f], unpacked[f]);
      assert.ok(maxAbs(unpacked.y) > 0.01, 'outputs are not trivially zero');
      a.release(mark);
    }
  }
});

// ---- 5. bad input

test('bad input: KernelArgumentError before wasm runs, message names the argument, memory unchanged', () => {
  const p = lstmProblem(4, 3, 5, 6, { seed: 91 });
  const { T, B, D, H, G } = p;
  const a = simd.arena;
  const mark = a.mark();
  const put = (values: ArrayLike<number>, shape: number[]) => ({ ptr: a.putF32(values), shape });
  const x = put(p.x, [T, B, D]), W = put(p.W, [D, G]), U = put(p.U, [H, G]), b = put(p.b, [G]);
  const h = put(slotsWithInitial(p, p.h0, (n) => new Float32Array(n)), [T + 1, B, H]);
  const c = put(slotsWithInitial(p, p.c0, (n) => new Float32Array(n)), [T + 1, B, H]);
  const gates = { ptr: a.allocZeroed(T * B * G), shape: [T, B, G] };
  const fwd = { T, B, D, H, h, c, gates, x, W, U, b };
  const bwdBufs = {
    dx: { ptr: a.allocZeroed(T * B * D), shape: [T, B, D] }, dW: { ptr: a.allocZeroed(D * G), shape: [D, G] },
    dU: { ptr: a.allocZeroed(H * G), shape: [H, G] }, db: { ptr: a.allocZeroed(G), shape: [G] },
    dc0: { ptr: a.allocZeroed(B * H), shape: [B, H] }, dgates: { ptr: a.allocZeroed(T * B * G), shape: [T, B, G] },
    dh: put(upstreamSlots(p, (n) => new Float32Array(n)), [T + 1, B, H]), dc: put(p.Rc, [B, H]),
  };
  const bwd = { T, B, D, H, ...bwdBufs, x, W, U, gates, c, h };
  const snapshot = () => a.u8.slice(a.base, a.top);
  const cases: Array<[string, () => void, RegExp]> = [
    ['length > T', () => simd.lstmForward({ ...fwd, lengths: [4, 5, 1] }), /lstm_forward: argument lengths\[1\] = 5 \(batch row 1\) must be an integer in \[0, T = 4\]/],
    ['negative length', () => simd.lstmBackward({ ...bwd, lengths: [-1, 2, 3] }), /lstm_backward: argument lengths\[0\] = -1 \(batch row 0\) must be an integer/],
    ['fractional length', () => simd.lstmForward({ ...fwd, lengths: [1, 2, 2.5] }), /argument lengths\[2\] = 2\.5 \(batch row 2\)/],
    ['lengths count', () => simd.lstmForward({ ...fwd, lengths: [1, 2] }), /argument lengths = "\[2 values\]" must have B = 3 entries/],
    ['W rows != D', () => simd.lstmForward({ ...fwd, W: { ptr: W.ptr, shape: [D + 1, G] } }), /argument W = \d+ has shape \(6, 24\), expected \(D, 4H\) = \(5, 24\)/],
    ['U rows != H', () => simd.lstmBackward({ ...bwd, U: { ptr: U.ptr, shape: [H - 1, G] } }), /lstm_backward: argument U = \d+ has shape \(5, 24\), expected \(H, 4H\) = \(6, 24\)/],
    ['gate width 3H', () => simd.lstmForward({ ...fwd, W: { ptr: W.ptr, shape: [D, 3 * H] } }), /argument W = \d+ has shape \(5, 18\), expected \(D, 4H\) = \(5, 24\)/],
    ['bias width', () => simd.lstmForward({ ...fwd, b: { ptr: b.ptr, shape: [3 * H] } }), /argument b = \d+ has shape \(18\), expected \(4H\) = \(24\)/],
    ['dW gate width', () => simd.lstmBackward({ ...bwd, dW: { ptr: bwdBufs.dW.ptr, shape: [D, 2 * H] } }), /argument dW = \d+ has shape \(5, 12\), expected \(D, 4H\)/],
    ['h overlaps x', () => simd.lstmForward({ ...fwd, h: { ptr: x.ptr + 8, shape: [T + 1, B, H] } }), /argument h = \d+ \(bytes \[\d+, \d+\)\) overlaps input x/],
    ['dgates overlaps gates', () => simd.lstmBackward({ ...bwd, dgates: gates }), /lstm_backward: argument dgates = \d+ .*overlaps input gates/],
    ['dx overlaps dW', () => simd.lstmBackward({ ...bwd, dx: { ptr: bwdBufs.dW.ptr, shape: [T, B, D] } }), /argument dx = \d+ .*overlaps input dW/],
    ['activation', () => simd.lstmForward({ ...fwd, activation: 'softmax' as ActivationName }), /argument activation = "softmax" must be one of tanh, relu, sigmoid, linear/],
    ['recurrentActivation', () => simd.lstmForward({ ...fwd, recurrentActivation: 'tanh' }), /argument recurrentActivation = "tanh" must be one of sigmoid, hard_sigmoid/],
    ['reverse flag', () => simd.lstmForward({ ...fwd, reverse: 'yes' as never }), /argument reverse = "yes" must be a boolean/],
    ['T = 0', () => simd.lstmForward({ ...fwd, T: 0 }), /argument T = 0 must be a positive integer/],
    ['out of memory', () => simd.lstmForward({ ...fwd, gates: { ptr: a.byteLength - 16, shape: [T, B, G] } }), /argument gates = \d+ with \d+ elements ends at byte \d+, beyond memory/],
    ['infer scratch width', () => simd.lstmInfer({ T, B, D, H, x, W, U, b, h: { ptr: h.ptr, shape: [B, H] }, c: { ptr: c.ptr, shape: [B, H] }, scratch: { ptr: gates.ptr, shape: [T, B, H] } }), /lstm_infer: argument scratch = \d+ has shape \(4, 3, 6\), expected \(T, B, 4H\)/],
  ];
  for (const [name, call, message] of cases) {
    const before = snapshot();
    const topBefore = a.top;
    try {
      call();
      assert.unreachable(`${name}: no error`);
    } catch (err) {
      assert.instance(err, KernelArgumentError, `${name}: ${String(err)}`);
      assert.match((err as Error).message, message, name);
    }
    assert.is(a.top, topBefore, `${name}: arena top unchanged`);
    const after = snapshot();
    assert.ok(before.length === after.length && before.every((v, i) => v === after[i]), `${name}: memory unchanged`);
  }
  a.release(mark);
});

// ---- recurrent dropout (Keras recurrent_dropout): h_prev ⊙ m feeds the recurrent GEMM only

/** The problem with a recurrent mask: shared (B, H) or per gate (4, B, H). */
const withMask = (p: RnnProblem, perGate: boolean, seed: number): RnnProblem =>
  ({ ...p, perGate, rmask: dropoutMask((perGate ? 4 : 1) * p.B * p.H, seed) });

test('recurrent dropout: gradcheck of the f64 reference (shared and per-gate masks, reverse, padding)', () => {
  for (const perGate of [false, true]) {
    for (const [reverse, padding] of [[false, 'none'], [true, 'right'], [false, 'left']] as Array<[boolean, Padding]>) {
      const v = { act: 'tanh' as ActivationName, ract: 'sigmoid' as ActivationName };
      const p = withMask(lstmProblem(3, 3, 3, 5, { seed: 13, reverse, padding, lengths: [3, 1, 0] }), perGate, 5);
      const cfg = config(p, v);
      const { T, B, G } = p;
      const x = Float64Array.from(p.x), W = Float64Array.from(p.W), U = Float64Array.from(p.U), b = Float64Array.from(p.b);
      const h0 = Float64Array.from(p.h0), c0 = Float64Array.from(p.c0);
      const BH = B * p.H;
      const loss = () => {
        const h = slotsWithInitial(p, h0, (n) => new Float64Array(n)), c = slotsWithInitial(p, c0, (n) => new Float64Array(n));
        lstmForward(h, c, new Float64Array(T * B * G), x, W, U, b, cfg);
        return weightedSum(h, p.R, firstOutputSlot(p) * BH) + weightedSum(c, p.Rc, finalSlot(p) * BH);
      };
      const r = runReference(p, v, true);
      gradcheck(`lstm rmask perGate=${perGate} reverse=${reverse} ${padding}`, [
        { name: 'x', value: x, analytic: r.dx },
        { name: 'W', value: W, analytic: r.dW },
        { name: 'U', value: U, analytic: r.dU },
        { name: 'b', value: b, analytic: r.db },
        { name: 'h0', value: h0, analytic: Array.from(r.dh).slice(initialSlot(p) * BH, (initialSlot(p) + 1) * BH) },
        { name: 'c0', value: c0, analytic: r.dc0 },
      ], loss);
    }
  }
});

test('recurrent dropout: wasm SIMD and scalar match the f32 reference (1e-4), SIMD == scalar bit for bit; js backend', () => {
  const cases: Array<[number, number, number, number, boolean, Padding, boolean]> = [
    [64, 5, 7, 13, false, 'none', false], [65, 3, 5, 9, true, 'right', true], [1, 1, 3, 6, false, 'none', true],
    [9, 37, 5, 6, false, 'left', false], // B > 32: the masked dU panels span two batches of rows
  ];
  for (const [i, [T, B, D, H, reverse, padding, perGate]] of cases.entries()) {
    const p = withMask(lstmProblem(T, B, D, H, { seed: 60 + i, reverse, padding, uScale: 0.3 }), perGate, 70 + i);
    const v = { act: 'tanh' as ActivationName, ract: 'sigmoid' as ActivationName };
    const want = runReference(p, v, false);
    const s = runKernels(simd, p, v), sc = runKernels(scalar, p, v);
    compareRuns(`simd rmask case ${i}`, s, want, 1e-4);
    compareRuns(`scalar rmask case ${i}`, sc, want, 1e-4);
    for (const f of FIELDS) checkEqual(`simd == scalar rmask case ${i} ${f}`, s[f], sc[f]);
    if (i === 1) compareRuns('js rmask', runKernels(js, p, v), runReference(p, v, true), 1e-5);
  }
});

test('recurrent dropout: an all-ones mask gives the unmasked results bit for bit (SIMD and scalar)', () => {
  for (const [T, B, D, H] of [[6, 3, 5, 7], [5, 40, 3, 9]]) {
    const p = lstmProblem(T, B, D, H, { seed: 81, padding: 'right' });
    const v = { act: 'tanh' as ActivationName, ract: 'sigmoid' as ActivationName };
    for (const k of [simd, scalar]) {
      const plain = runKernels(k, p, v);
      const ones = runKernels(k, { ...p, rmask: new Float32Array(B * H).fill(1) }, v);
      for (const f of FIELDS) checkEqual(`ones == none ${f}`, ones[f], plain[f]);
      // per gate with four all-ones masks: the same numbers (column-block GEMMs), within rounding
      compareRuns('per-gate ones', runKernels(k, { ...p, perGate: true, rmask: new Float32Array(4 * B * H).fill(1) }, v), plain, 1e-5);
    }
  }
});

test('recurrent dropout (Keras semantics): a zero mask unit does not feed the recurrence but stays in the state and output', () => {
  const p = lstmProblem(5, 3, 4, 6, { seed: 85 });
  const { B, H, G } = p;
  const j = 2, scale = 1 / (1 - 0.25);
  const rmask = new Float32Array(B * H).fill(scale);
  for (let b = 0; b < B; b++) rmask[b * H + j] = 0;
  // == no mask with U scaled by 1/(1 − rate) and U's row j zeroed (every batch row drops unit j)
  const U2 = Float32Array.from(p.U, (u, i) => (Math.floor(i / G) === j ? 0 : u * scale));
  const v = { act: 'tanh' as ActivationName, ract: 'sigmoid' as ActivationName };
  const masked = runKernels(simd, { ...p, rmask }, v), plainU2 = runKernels(simd, { ...p, U: U2 }, v);
  for (const f of ['h', 'c', 'gates', 'dx', 'dW', 'db', 'dh', 'dc0'] as const) compareRuns(`zero unit == zeroed U row (${f})`, { ...masked, [f]: masked[f] } as Run, { ...masked, [f]: plainU2[f] } as Run, 1e-5);
  // the masked unit is in the state/output (non-zero), its h0 gets no gradient, its dU row is zero
  const BH = B * H;
  for (let b = 0; b < B; b++) {
    assert.ok(Math.abs(masked.h[BH + b * H + j]) > 1e-4, `h of the dropped unit is in the output (b${b})`);
    assert.is(masked.dh[b * H + j], 0, `dh0 of the dropped unit (b${b})`);
  }
  for (let q = 0; q < G; q++) assert.is(masked.dU[j * G + q], 0, `dU row ${j} col ${q}`);
});

test('recurrent dropout: bad mask shape or an overlapping output is a KernelArgumentError naming both shapes', () => {
  const p = lstmProblem(3, 2, 5, 6, { seed: 92 });
  const { T, B, D, H, G } = p;
  const a = simd.arena;
  const mark = a.mark();
  const put = (values: ArrayLike<number>, shape: number[]) => ({ ptr: a.putF32(values), shape });
  const x = put(p.x, [T, B, D]), W = put(p.W, [D, G]), U = put(p.U, [H, G]), b = put(p.b, [G]);
  const h = put(slotsWithInitial(p, p.h0, (n) => new Float32Array(n)), [T + 1, B, H]);
  const c = put(slotsWithInitial(p, p.c0, (n) => new Float32Array(n)), [T + 1, B, H]);
  const gates = { ptr: a.allocZeroed(T * B * G), shape: [T, B, G] };
  const fwd = { T, B, D, H, h, c, gates, x, W, U, b };
  const before = a.readF32(h.ptr, (T + 1) * B * H);
  assert.throws(() => simd.lstmForward({ ...fwd, recurrentMask: put(new Float32Array(B * (H + 1)), [B, H + 1]) }),
    (e: unknown) => e instanceof KernelArgumentError && /lstm_forward: argument recurrentMask = \d+ has shape \(2, 7\), expected \(B, H\) = \(2, 6\)/.test(String((e as Error).message)));
  assert.throws(() => simd.lstmForward({ ...fwd, recurrentMask: put(new Float32Array(3 * B * H), [3, B, H]) }),
    (e: unknown) => e instanceof KernelArgumentError && /argument recurrentMask = \d+ has shape \(3, 2, 6\), expected \(4, B, H\) = \(4, 2, 6\)/.test(String((e as Error).message)));
  assert.throws(() => simd.lstmForward({ ...fwd, recurrentMask: { ptr: gates.ptr, shape: [B, H] } }),
    (e: unknown) => e instanceof KernelArgumentError && /argument gates = \d+ .*overlaps input recurrentMask/.test(String((e as Error).message)));
  checkEqual('h untouched', a.readF32(h.ptr, (T + 1) * B * H), before);
  a.release(mark);
});

test.run();
