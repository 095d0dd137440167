// GRU (both Keras variants: resetAfter true = Keras 3, false = Keras 2 / tfjs): f64 gradcheck of the
// reference backward; wasm SIMD and scalar vs the reference after ≥ 64 steps; sequential == batch;
// reverse == reversed input; left vs right padding; masked steps and guard memory; hnorm2; infer ==
// training forward; bad input. Shapes: H, D not multiples of 4, T = 1, B = 1, ≥ 2 SIMD iterations (H = 9, 33).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { KernelArgumentError, loadKernels, type Kernels, type TensorRef } from '../bindings/index.js';
import { gruBackward, gruForward, gruInfer } from '../bindings/reference/gru.js';
import type { FloatArray } from '../bindings/reference/float-array.js';
import type { GruRaw } from '../bindings/families/gru.js';
import { ACCUMULATE_DX, LEFT_PADDED, PER_GATE_RMASK, RESET_AFTER, REVERSE, type RecurrentConfig } from '../bindings/reference/recurrent-common.js';
import { throwsTyped } from './helpers/assert-throws.js';
import { checkClose, checkEqual } from './helpers/check-close.js';
import { gradcheck, gradcheckReport, weightedSum } from './helpers/gradcheck.js';
import { uniform } from './helpers/random.js';
import { f64Out, readF64 } from './helpers/f64-out.js';
import { dropoutMask, gappyMask, rowStatesOf } from './helpers/rnn-problem.js';

type Act = 'tanh' | 'relu' | 'sigmoid' | 'linear';
type GateAct = 'sigmoid' | 'hard_sigmoid';
const CODE = { linear: 0, tanh: 1, sigmoid: 2, relu: 3, hard_sigmoid: 4 } as const;

interface Case {
  T: number;
  B: number;
  D: number;
  H: number;
  resetAfter: boolean;
  reverse?: boolean;
  leftPadded?: boolean;
  lengths?: number[] | null;
  /** (T, B) 0/1 step mask by time (instead of lengths). */
  stepMask?: Uint8Array | null;
  activation?: Act;
  recurrentActivation?: GateAct;
  accumulateDx?: boolean;
  /** Recurrent dropout mask (B, H), or (3, B, H) with perGate. */
  rmask?: Float32Array | null;
  perGate?: boolean;
}

const nBias = (c: Case) => (c.resetAfter ? 6 : 3) * c.H;
const h0Slot = (c: Case) => (c.reverse ? c.T : 0);
const outSlotOf = (c: Case, t: number) => (c.reverse ? t : t + 1);
const label = (c: Case) =>
  `T${c.T} B${c.B} D${c.D} H${c.H} ${c.resetAfter ? 'after' : 'before'}${c.reverse ? ' rev' : ''}` +
  `${c.lengths ? ` len[${c.lengths}]${c.leftPadded ? 'L' : 'R'}` : ''} ${c.activation ?? 'tanh'}/${c.recurrentActivation ?? 'sigmoid'}`;

function cfgOf(c: Case): RecurrentConfig {
  const flags = (c.reverse ? REVERSE : 0) | (c.leftPadded ? LEFT_PADDED : 0) | (c.accumulateDx ? ACCUMULATE_DX : 0) |
    (c.resetAfter ? RESET_AFTER : 0) | (c.perGate ? PER_GATE_RMASK : 0);
  return {
    T: c.T, B: c.B, D: c.D, H: c.H, flags, lengths: c.lengths ?? null, stepMask: c.stepMask ?? null, recurrentMask: c.rmask ?? null,
    activation: CODE[c.activation ?? 'tanh'], recurrentActivation: CODE[c.recurrentActivation ?? 'sigmoid'],
  };
}

const options = (c: Case) => ({
  T: c.T, B: c.B, D: c.D, H: c.H, resetAfter: c.resetAfter, reverse: c.reverse ?? false, leftPadded: c.leftPadded ?? false,
  lengths: c.lengths ?? null, stepMask: c.stepMask ?? null, activation: c.activation ?? 'tanh', recurrentActivation: c.recurrentActivation ?? 'sigmoid',
});

/** Inputs, weights, initial state, upstream gradient R (T, B, H) by time, and initial grad buffers. */
interface Data {
  x: Float32Array;
  W: Float32Array;
  U: Float32Array;
  b: Float32Array;
  h0: Float32Array;
  R: Float32Array;
  dW0: Float32Array;
  dU0: Float32Array;
  db0: Float32Array;
  dx0: Float32Array;
}

function makeData(c: Case, seed: number, zeroGrads = false): Data {
  const { T, B, D, H } = c;
  const G = 3 * H;
  const grad = (n: number, s: number) => (zeroGrads ? new Float32Array(n) : uniform(n, s, -0.1, 0.1));
  return {
    x: uniform(T * B * D, seed + 1),
    W: uniform(D * G, seed + 2, -0.6, 0.6),
    U: uniform(H * G, seed + 3, -0.5, 0.5),
    b: uniform(nBias(c), seed + 4, -0.5, 0.5),
    h0: uniform(B * H, seed + 5, -0.8, 0.8),
    R: uniform(T * B * H, seed + 6),
    dW0: grad(D * G, seed + 7),
    dU0: grad(H * G, seed + 8),
    db0: grad(nBias(c), seed + 9),
    dx0: grad(T * B * D, seed + 10),
  };
}

/** The upstream dh (T+1, B, H): R of time t in the output slot of t, zeros in the h0 slot. */
function upstream(c: Case, R: ArrayLike<number>, make: (n: number) => FloatArray): FloatArray {
  const { T, B, H } = c;
  const dh = make((T + 1) * B * H);
  for (let t = 0; t < T; t++) for (let i = 0; i < B * H; i++) dh[outSlotOf(c, t) * B * H + i] = R[t * B * H + i];
  return dh;
}

interface Result {
  h: FloatArray;
  gates: FloatArray;
  dx: FloatArray;
  dW: FloatArray;
  dU: FloatArray;
  db: FloatArray;
  dgates: FloatArray;
  hnorm2: FloatArray;
  dh: FloatArray;
}

const f64 = (n: number) => new Float64Array(n);
const f32 = (n: number) => new Float32Array(n);

function runReference(c: Case, d: Data, make: (n: number) => FloatArray = f32): Result {
  const { T, B, D, H } = c;
  const G = 3 * H, cfg = cfgOf(c);
  const conv = (v: Float32Array) => { const a = make(v.length); a.set(v); return a; };
  const x = conv(d.x), W = conv(d.W), U = conv(d.U), b = conv(d.b);
  const h = make((T + 1) * B * H);
  h.set(d.h0, h0Slot(c) * B * H);
  const gates = make(T * B * 4 * H);
  gruForward(h, gates, x, W, U, b, cfg);
  const dh = upstream(c, d.R, make);
  const dx = conv(d.dx0), dW = conv(d.dW0), dU = conv(d.dU0), db = conv(d.db0);
  const dgates = make(T * B * 4 * H), hnorm2 = make(T);
  gruBackward(dx, dW, dU, db, dgates, hnorm2, dh, x, W, U, gates, h, cfg);
  void G;
  return { h, gates, dx, dW, dU, db, dgates, hnorm2, dh };
}

/** Runs gruForward then gruBackward through the checked Kernels interface. */
function runKernels(k: Kernels, c: Case, d: Data): Result {
  const { T, B, D, H } = c;
  const G = 3 * H;
  const a = k.arena;
  const mark = a.mark();
  const put = (v: ArrayLike<number>, shape: number[]): TensorRef => ({ ptr: a.putF32(v), shape });
  const zeros = (shape: number[]): TensorRef => ({ ptr: a.allocZeroed(shape.reduce((p, q) => p * q, 1)), shape });
  const bShape = c.resetAfter ? [2, G] : [G];
  const hInit = new Float32Array((T + 1) * B * H);
  hInit.set(d.h0, h0Slot(c) * B * H);
  const x = put(d.x, [T, B, D]), W = put(d.W, [D, G]), U = put(d.U, [H, G]), b = put(d.b, bShape);
  const h = put(hInit, [T + 1, B, H]), gates = zeros([T, B, 4 * H]);
  const recurrentMask = c.rmask ? put(c.rmask, c.perGate ? [3, B, H] : [B, H]) : null;
  const o = { ...options(c), recurrentMask };
  k.gruForward({ ...o, x, W, U, b, h, gates });
  const dh = put(upstream(c, d.R, f32), [T + 1, B, H]);
  const dx = put(d.dx0, [T, B, D]), dW = put(d.dW0, [D, G]), dU = put(d.dU0, [H, G]), db = put(d.db0, bShape);
  const dgates = zeros([T, B, 4 * H]), hnorm2 = f64Out(a, T);
  k.gruBackward({ ...o, accumulateDx: c.accumulateDx ?? false, dx, dW, dU, db, dgates, hnorm2, dh, x, W, U, gates, h });
  const read = (t: TensorRef) => a.readF32(t.ptr, t.shape.reduce((p, q) => p * q, 1));
  const out = {
    h: read(h), gates: read(gates), dx: read(dx), dW: read(dW), dU: read(dU), db: read(db),
    dgates: read(dgates), hnorm2: readF64(a, hnorm2), dh: read(dh),
  };
  a.release(mark);
  return out;
}

/** gruInfer through the checked interface: returns y (or null) and the final state. */
function runInfer(k: Kernels, c: Case, d: Data, withY: boolean): { y: Float32Array | null; h: Float32Array } {
  const { T, B, D, H } = c;
  const G = 3 * H;
  const a = k.arena;
  const mark = a.mark();
  const put = (v: ArrayLike<number>, shape: number[]): TensorRef => ({ ptr: a.putF32(v), shape });
  const x = put(d.x, [T, B, D]), W = put(d.W, [D, G]), U = put(d.U, [H, G]), b = put(d.b, c.resetAfter ? [2, G] : [G]);
  const h = put(d.h0, [B, H]);
  const y = withY ? put(new Float32Array(T * B * H), [T, B, H]) : null;
  const scratch: TensorRef = { ptr: a.alloc(T * B * 4 * H), shape: [T, B, 4 * H] };
  k.gruInfer({ ...options(c), x, W, U, b, h, y, scratch });
  const out = { y: y ? a.readF32(y.ptr, T * B * H) : null, h: a.readF32(h.ptr, B * H) };
  a.release(mark);
  return out;
}

const maxAbs = (v: ArrayLike<number>) => { let m = 0; for (let i = 0; i < v.length; i++) m = Math.max(m, Math.abs(v[i])); return m; };

/** |got − want| ≤ tol·(|want| + max|want|): relative to the element and to the tensor's scale. */
function checkRel(name: string, got: ArrayLike<number>, want: ArrayLike<number>, tol: number): void {
  checkClose(name, got, want, tol * Math.max(maxAbs(want), 1e-30), tol);
}

const FIELDS = ['h', 'gates', 'dx', 'dW', 'dU', 'db', 'dgates', 'hnorm2', 'dh'] as const;

let simd: Kernels, scalar: Kernels, js: Kernels;
test.before(async () => {
  simd = await loadKernels();
  scalar = await loadKernels({ variant: 'scalar' });
  js = await loadKernels({ backend: 'js' });
});

// ---- 1. finite-difference gradcheck of the f64 reference

const GRAD_MODES: Array<Partial<Case>> = [
  {},
  { reverse: true },
  { lengths: [4, 2, 0] },
  { lengths: [1, 3, 4], leftPadded: true },
  { lengths: [2, 4, 3], leftPadded: true, reverse: true },
  { lengths: [3, 1, 4], reverse: true },
];

function gradcheckCase(c: Case, seed: number): void {
  const d = makeData(c, seed, true);
  const r = runReference(c, d, f64);
  const p = {
    x: Float64Array.from(d.x), W: Float64Array.from(d.W), U: Float64Array.from(d.U), b: Float64Array.from(d.b),
    h0: Float64Array.from(d.h0),
  };
  const cfg = cfgOf(c);
  const { T, B, H } = c;
  const dhUp = upstream(c, d.R, f64);
  const loss = () => {
    const h = new Float64Array((T + 1) * B * H);
    h.set(p.h0, h0Slot(c) * B * H);
    gruForward(h, new Float64Array(T * B * 4 * H), p.x, p.W, p.U, p.b, cfg);
    return weightedSum(h, dhUp);
  };
  const dh0 = r.dh.slice(h0Slot(c) * B * H, (h0Slot(c) + 1) * B * H);
  gradcheck(`gradcheck ${label(c)}`, [
    { name: 'x', value: p.x, analytic: r.dx },
    { name: 'W', value: p.W, analytic: r.dW },
    { name: 'U', value: p.U, analytic: r.dU },
    { name: 'b', value: p.b, analytic: r.db },
    { name: 'h0', value: p.h0, analytic: dh0 },
  ], loss, { delta: 1e-5, tolerance: 1e-6 });
}

for (const resetAfter of [true, false]) {
  for (const recurrentActivation of ['sigmoid', 'hard_sigmoid'] as const) {
    test(`gradcheck (f64 reference): resetAfter=${resetAfter}, ${recurrentActivation}; plain, reverse, right/left padding`, () => {
      GRAD_MODES.forEach((m, i) => gradcheckCase({ T: 4, B: 3, D: 3, H: 5, resetAfter, recurrentActivation, ...m }, 100 + i));
    });
  }
  test(`gradcheck (f64 reference): resetAfter=${resetAfter}, activations relu, sigmoid, linear; T = 1, B = 1`, () => {
    for (const activation of ['relu', 'sigmoid', 'linear'] as const) {
      gradcheckCase({ T: 3, B: 2, D: 2, H: 3, resetAfter, activation, lengths: [3, 2] }, 200);
    }
    gradcheckCase({ T: 1, B: 1, D: 3, H: 5, resetAfter }, 300);
  });
}

test('gradcheck fails on a wrong backward (the check can fail)', () => {
  const c: Case = { T: 3, B: 2, D: 2, H: 3, resetAfter: true };
  const d = makeData(c, 7, true);
  const r = runReference(c, d, f64);
  const p = Float64Array.from(d.U);
  const wrong = Float64Array.from(r.dU);
  wrong[4] *= 1.001;
  const dhUp = upstream(c, d.R, f64);
  const loss = () => {
    const h = new Float64Array((c.T + 1) * c.B * c.H);
    h.set(d.h0, 0);
    gruForward(h, new Float64Array(c.T * c.B * 4 * c.H), Float64Array.from(d.x), Float64Array.from(d.W), p, Float64Array.from(d.b), cfgOf(c));
    return weightedSum(h, dhUp);
  };
  const bad = gradcheckReport([{ name: 'U', value: p, analytic: wrong }], loss);
  assert.ok(bad.maxError > 1e-4 && bad.worst.startsWith('U[4]'), `a 0.1% error in dU[4] must be found: ${bad.worst}`);
  const good = gradcheckReport([{ name: 'U', value: p, analytic: r.dU }], loss);
  assert.ok(good.maxError < 1e-6, `the true dU passes: ${good.maxError}`);
});

// ---- 2. wasm SIMD and scalar (and the JS backend) vs the f32 reference

const SHAPES: Array<[number, number, number, number]> = [
  // T, B, D, H
  [1, 1, 3, 5],
  [70, 3, 7, 9],
  [64, 5, 7, 33],
  [5, 4, 8, 8],
];

for (const resetAfter of [true, false]) {
  test(`wasm simd and scalar vs reference (f32), resetAfter=${resetAfter}: h, gates, all grads, dh, hnorm2; simd == scalar`, () => {
    for (const [T, B, D, H] of SHAPES) {
      const variants: Case[] = [
        { T, B, D, H, resetAfter, accumulateDx: true },
        { T, B, D, H, resetAfter, reverse: true, recurrentActivation: 'hard_sigmoid', activation: 'relu' },
        {
          T, B, D, H, resetAfter, leftPadded: true, activation: 'sigmoid',
          lengths: Array.from({ length: B }, (_, i) => (i === 1 ? 0 : Math.max(0, T - 3 * i))),
        },
        { T, B, D, H, resetAfter, reverse: true, lengths: Array.from({ length: B }, (_, i) => (i * 7 + T) % (T + 1)) },
      ];
      for (const c of variants) {
        const d = makeData(c, T * 31 + H);
        const want = runReference(c, d);
        const gs = runKernels(simd, c, d), gc = runKernels(scalar, c, d);
        for (const f of FIELDS) {
          checkRel(`simd ${f} ${label(c)}`, gs[f], want[f], 1e-4);
          checkRel(`scalar ${f} ${label(c)}`, gc[f], want[f], 1e-4);
          // Same operation order in both builds: bit for bit.
          checkEqual(`simd == scalar ${f} ${label(c)}`, gs[f], gc[f]);
        }
      }
    }
  });
}

test('the JS backend (reference raw behind the checked interface) matches the reference', () => {
  for (const resetAfter of [true, false]) {
    const c: Case = { T: 6, B: 3, D: 5, H: 7, resetAfter, lengths: [6, 0, 3], leftPadded: true };
    const d = makeData(c, 5);
    const want = runReference(c, d, f64);
    const got = runKernels(js, c, d);
    for (const f of FIELDS) checkRel(`js ${f}`, got[f], want[f], 1e-5);
  }
});

test('dx and hnorm2 are optional (null = not needed): the other gradients are unchanged, bit for bit', () => {
  for (const resetAfter of [true, false]) {
    const c: Case = { T: 5, B: 3, D: 7, H: 9, resetAfter, lengths: [5, 1, 3] };
    const d = makeData(c, 61);
    const full = runKernels(simd, c, d);
    const { T, B, D, H } = c;
    const G = 3 * H;
    const a = simd.arena;
    const mark = a.mark();
    const put = (v: ArrayLike<number>, shape: number[]): TensorRef => ({ ptr: a.putF32(v), shape });
    const bShape = resetAfter ? [2, G] : [G];
    const x = put(d.x, [T, B, D]), W = put(d.W, [D, G]), U = put(d.U, [H, G]), h = put(full.h, [T + 1, B, H]);
    const gates = put(full.gates, [T, B, 4 * H]), dh = put(upstream(c, d.R, f32), [T + 1, B, H]);
    const dW = put(d.dW0, [D, G]), dU = put(d.dU0, [H, G]), db = put(d.db0, bShape), dgates = put(new Float32Array(T * B * 4 * H), [T, B, 4 * H]);
    simd.gruBackward({ ...options(c), dx: null, hnorm2: null, dW, dU, db, dgates, dh, x, W, U, gates, h });
    checkEqual('dW', a.readF32(dW.ptr, D * G), full.dW);
    checkEqual('dU', a.readF32(dU.ptr, H * G), full.dU);
    checkEqual('db', a.readF32(db.ptr, nBias(c)), full.db);
    checkEqual('dgates', a.readF32(dgates.ptr, T * B * 4 * H), full.dgates);
    checkEqual('dh', a.readF32(dh.ptr, (T + 1) * B * H), full.dh);
    a.release(mark);
  }
});

// ---- 3. sequential == batch (state plumbing, forward and backward incl. dh0)

for (const reverse of [false, true]) {
  test(`sequential == batch: T one-step calls with carried state == one T-step call, gappy step mask (${reverse ? 'reverse' : 'forward'})`, () => {
    for (const resetAfter of [true, false]) {
      const T = 7, B = 7, D = 7, H = 9;
      const mask = gappyMask(T, B, 5);
      const c: Case = { T, B, D, H, resetAfter, reverse, stepMask: mask };
      const d = makeData(c, 77);
      const whole = runKernels(simd, c, d);
      const BH = B * H, G = 3 * H;
      const valid = (b: number, t: number) => mask[t * B + b] === 1;
      const states = rowStatesOf(valid, T, B, reverse);
      // forward: steps in walking order, each a T = 1 call whose lengths say valid (1) or masked (0); the state
      // carried into the next call is the call's output where the row was valid, else its initial state
      const a = simd.arena;
      const mark = a.mark();
      const put = (v: ArrayLike<number>, shape: number[]): TensorRef => ({ ptr: a.putF32(v), shape });
      const W = put(d.W, [D, G]), U = put(d.U, [H, G]), b = put(d.b, resetAfter ? [2, G] : [G]);
      const o1 = { ...options(c), T: 1, leftPadded: false, stepMask: null };
      const order = Array.from({ length: T }, (_, k) => (reverse ? T - 1 - k : k));
      const hSteps: Float32Array[] = [], gSteps: Float32Array[] = [], xs: TensorRef[] = [];
      let state = d.h0;
      for (const t of order) {
        const x = put(d.x.subarray(t * B * D, (t + 1) * B * D), [1, B, D]);
        xs[t] = x;
        const hInit = new Float32Array(2 * BH);
        hInit.set(state, (reverse ? 1 : 0) * BH);
        const h = put(hInit, [2, B, H]), gates = put(new Float32Array(B * 4 * H), [1, B, 4 * H]);
        const len = Array.from({ length: B }, (_, bi) => (valid(bi, t) ? 1 : 0));
        simd.gruForward({ ...o1, lengths: len, x, W, U, b, h, gates });
        hSteps[t] = a.readF32(h.ptr, 2 * BH);
        gSteps[t] = a.readF32(gates.ptr, B * 4 * H);
        const out = hSteps[t].slice((reverse ? 0 : 1) * BH, (reverse ? 1 : 2) * BH);
        state = state.map((v, i) => (valid(Math.floor(i / H), t) ? out[i] : v));
        // Keras output of the whole call: 0 before the row's first valid step, else the carried state
        const want = whole.h.subarray(outSlotOf(c, t) * BH, (outSlotOf(c, t) + 1) * BH);
        checkEqual(`forward output of time ${t}`, state.map((v, i) => (states[t * B + Math.floor(i / H)] === 'leading' ? 0 : v)), want);
        checkEqual(`gates of time ${t}`, gSteps[t], whole.gates.subarray(t * B * 4 * H, (t + 1) * B * 4 * H));
      }
      // backward: reverse walking order; the upstream of the output at t counts unless the output is a leading 0;
      // a masked row passes its state gradient straight through the one-step call
      const dW = put(d.dW0, [D, G]), dU = put(d.dU0, [H, G]), db = put(d.db0, resetAfter ? [2, G] : [G]);
      let carry = new Float32Array(BH);
      for (const t of [...order].reverse()) {
        const os = reverse ? 0 : 1;
        const up = Float32Array.from(carry, (v, i) => (states[t * B + Math.floor(i / H)] === 'leading' ? 0 : d.R[t * BH + i]) + v);
        const dhInit = new Float32Array(2 * BH);
        dhInit.set(up, os * BH);
        const dh = put(dhInit, [2, B, H]);
        const dx = put(new Float32Array(B * D), [1, B, D]);
        const dgates = put(new Float32Array(B * 4 * H), [1, B, 4 * H]), hnorm2 = f64Out(a, 1);
        const len = Array.from({ length: B }, (_, bi) => (valid(bi, t) ? 1 : 0));
        simd.gruBackward({
          ...o1, lengths: len, dx, dW, dU, db, dgates, hnorm2, dh, x: xs[t], W, U,
          gates: put(gSteps[t], [1, B, 4 * H]), h: put(hSteps[t], [2, B, H]),
        });
        const dhOut = a.readF32(dh.ptr, 2 * BH);
        const dh0 = dhOut.slice((1 - os) * BH, (2 - os) * BH);
        carry = Float32Array.from(dh0, (v, i) => (valid(Math.floor(i / H), t) ? v : up[i]));
        checkClose(`dx of time ${t}`, a.readF32(dx.ptr, B * D), whole.dx.subarray(t * B * D, (t + 1) * B * D), 1e-6, 1e-5);
        checkClose(`dgates of time ${t}`, a.readF32(dgates.ptr, B * 4 * H), whole.dgates.subarray(t * B * 4 * H, (t + 1) * B * 4 * H), 1e-6, 1e-5);
        // hnorm2 sums the total gradient of the output slots: a leading output (the constant 0) adds nothing
        let n2 = 0;
        for (let i = 0; i < BH; i++) if (states[t * B + Math.floor(i / H)] !== 'leading') n2 += up[i] ** 2;
        checkClose(`hnorm2 of time ${t} (the total dL/dh_t: upstream + carried)`, [n2], [whole.hnorm2[t]], 1e-6, 1e-5);
      }
      checkClose('dh0', carry, whole.dh.subarray(h0Slot(c) * BH, (h0Slot(c) + 1) * BH), 1e-6, 1e-5);
      checkClose('dW', a.readF32(dW.ptr, D * G), whole.dW, 1e-6, 1e-5);
      checkClose('dU', a.readF32(dU.ptr, H * G), whole.dU, 1e-6, 1e-5);
      checkClose('db', a.readF32(db.ptr, nBias(c)), whole.db, 1e-6, 1e-5);
      a.release(mark);
    }
  });
}

// ---- 4. reverse == reversed input; 5. left vs right padding

/** Reverses time in a (T, B, N) array. */
function reverseTime(v: ArrayLike<number>, T: number, BN: number): Float32Array {
  const out = new Float32Array(T * BN);
  for (let t = 0; t < T; t++) for (let i = 0; i < BN; i++) out[(T - 1 - t) * BN + i] = v[t * BN + i];
  return out;
}

test('reverse == forward on the time-reversed input (right padding ↔ left padding), forward and backward', () => {
  for (const resetAfter of [true, false]) {
    const T = 9, B = 3, D = 7, H = 9, lengths = [9, 4, 0];
    const rev: Case = { T, B, D, H, resetAfter, reverse: true, lengths };
    const fwd: Case = { T, B, D, H, resetAfter, lengths, leftPadded: true };
    const d = makeData(rev, 21);
    const dr: Data = { ...d, x: reverseTime(d.x, T, B * D), R: reverseTime(d.R, T, B * H), dx0: reverseTime(d.dx0, T, B * D) };
    const a = runKernels(simd, rev, d), b = runKernels(simd, fwd, dr);
    const BH = B * H;
    for (let s = 0; s <= T; s++) {
      checkEqual(`h slot ${s}`, a.h.subarray(s * BH, (s + 1) * BH), b.h.subarray((T - s) * BH, (T - s + 1) * BH));
      checkEqual(`dh slot ${s}`, a.dh.subarray(s * BH, (s + 1) * BH), b.dh.subarray((T - s) * BH, (T - s + 1) * BH));
    }
    checkEqual('gates', a.gates, reverseTime(b.gates, T, B * 4 * H));
    checkEqual('dgates', a.dgates, reverseTime(b.dgates, T, B * 4 * H));
    checkEqual('dx', a.dx, reverseTime(b.dx, T, B * D));
    checkEqual('hnorm2', a.hnorm2, Float64Array.from(b.hnorm2).reverse());
    // weight gradients sum the same terms in another row order
    checkClose('dW', a.dW, b.dW, 1e-6, 1e-5);
    checkClose('dU', a.dU, b.dU, 1e-6, 1e-5);
    checkClose('db', a.db, b.db, 1e-6, 1e-5);
  }
});

test('left vs right padding: same valid data gives the same states, final state and gradients, shifted', () => {
  for (const resetAfter of [true, false]) {
    const T = 8, B = 4, D = 5, H = 9, lengths = [8, 3, 0, 5];
    const right: Case = { T, B, D, H, resetAfter, lengths };
    const left: Case = { ...right, leftPadded: true };
    const d = makeData(right, 41);
    // the left-padded copy: sample b's valid steps moved to [T - len, T); masked steps hold other values
    const dl: Data = { ...d, x: uniform(T * B * D, 99), R: new Float32Array(T * B * H), dx0: new Float32Array(T * B * D) };
    const dr: Data = { ...d, R: new Float32Array(T * B * H), dx0: new Float32Array(T * B * D) };
    for (let b = 0; b < B; b++) {
      const sh = T - lengths[b];
      for (let t = 0; t < lengths[b]; t++) {
        for (let k = 0; k < D; k++) dl.x[((t + sh) * B + b) * D + k] = d.x[(t * B + b) * D + k];
        for (let j = 0; j < H; j++) {
          dr.R[(t * B + b) * H + j] = d.R[(t * B + b) * H + j];
          dl.R[((t + sh) * B + b) * H + j] = d.R[(t * B + b) * H + j];
        }
      }
    }
    const r = runKernels(simd, right, dr), l = runKernels(simd, left, dl);
    const BH = B * H;
    for (let b = 0; b < B; b++) {
      const sh = T - lengths[b];
      const row = (v: FloatArray, slot: number) => v.subarray(slot * BH + b * H, slot * BH + (b + 1) * H);
      checkEqual(`final state b${b}`, row(l.h, T), row(r.h, T));
      checkEqual(`dh0 b${b}`, row(l.dh, 0), row(r.dh, 0));
      for (let t = 0; t < lengths[b]; t++) {
        checkEqual(`h b${b} t${t}`, row(l.h, t + sh + 1), row(r.h, t + 1));
        checkEqual(`dx b${b} t${t}`, l.dx.subarray(((t + sh) * B + b) * D, ((t + sh) * B + b + 1) * D), r.dx.subarray((t * B + b) * D, (t * B + b + 1) * D));
      }
      // Keras: the outputs before the first valid step are 0 (the state stays h0)
      for (let t = 0; t < sh; t++) checkEqual(`left-padded leading output is 0, b${b} t${t}`, row(l.h, t + 1), new Float32Array(H));
    }
    checkClose('dW', l.dW, r.dW, 1e-6, 1e-5);
    checkClose('dU', l.dU, r.dU, 1e-6, 1e-5);
    checkClose('db', l.db, r.db, 1e-6, 1e-5);
  }
});

// ---- 6. masked steps and memory outside the outputs

test('masked steps: state carried exactly, gates/dgates/dx rows exactly zero, dh carried', () => {
  for (const resetAfter of [true, false]) {
    for (const leftPadded of [false, true]) {
      const T = 7, B = 5, D = 7, H = 33, lengths = [7, 0, 3, 6, 1];
      const c: Case = { T, B, D, H, resetAfter, leftPadded, lengths, reverse: leftPadded };
      const r = runKernels(simd, c, makeData(c, 3));
      const BH = B * H, S = 4 * H;
      for (let t = 0; t < T; t++) {
        for (let b = 0; b < B; b++) {
          const ok = leftPadded ? t >= T - lengths[b] : t < lengths[b];
          if (ok) continue;
          const os = outSlotOf(c, t), ps = c.reverse ? t + 1 : t;
          // before the first valid step (walking order) the output is 0; after it the previous output repeats
          const st = rowStatesOf((bb, tt) => (leftPadded ? tt >= T - lengths[bb] : tt < lengths[bb]), T, B, c.reverse ?? false)[t * B + b];
          const want = st === 'carry' ? r.h.subarray(ps * BH + b * H, ps * BH + (b + 1) * H) : new Float32Array(H);
          checkEqual(`h carried t${t} b${b}`, r.h.subarray(os * BH + b * H, os * BH + (b + 1) * H), want);
          checkEqual(`gates zero t${t} b${b}`, r.gates.subarray((t * B + b) * S, (t * B + b + 1) * S), new Float32Array(S));
          checkEqual(`dgates zero t${t} b${b}`, r.dgates.subarray((t * B + b) * S, (t * B + b + 1) * S), new Float32Array(S));
          checkEqual(`dx zero t${t} b${b}`, r.dx.subarray((t * B + b) * D, (t * B + b + 1) * D), new Float32Array(D));
        }
      }
      // a sample with length 0 outputs the constant 0 at every step: its h0 gets no gradient from the outputs
      checkEqual('dh0 of the empty sample', r.dh.subarray(h0Slot(c) * BH + H, h0Slot(c) * BH + 2 * H), new Float32Array(H));
    }
  }
});

test('memory just outside every output and scratch is untouched (forward, backward, infer)', () => {
  const T = 5, B = 3, D = 7, H = 9, G = 3 * H;
  for (const resetAfter of [true, false]) {
    const c: Case = { T, B, D, H, resetAfter, lengths: [5, 2, 0] };
    const d = makeData(c, 8);
    const a = simd.arena;
    const mark = a.mark();
    const GUARD = 16, SENTINEL = 12345.5;
    const guards: Array<{ name: string; ptr: number; n: number }> = [];
    const guarded = (name: string, v: ArrayLike<number> | number, shape: number[]): TensorRef => {
      const n = shape.reduce((p, q) => p * q, 1);
      const base = a.alloc(n + 2 * GUARD);
      a.F32.fill(SENTINEL, base >> 2, (base >> 2) + n + 2 * GUARD);
      const ptr = base + GUARD * 4;
      if (typeof v === 'number') a.F32.fill(v, ptr >> 2, (ptr >> 2) + n);
      else a.F32.set(v, ptr >> 2);
      guards.push({ name, ptr, n });
      return { ptr, shape };
    };
    const hInit = new Float32Array((T + 1) * B * H);
    hInit.set(d.h0, 0);
    const bShape = resetAfter ? [2, G] : [G];
    const x = guarded('x', d.x, [T, B, D]), W = guarded('W', d.W, [D, G]), U = guarded('U', d.U, [H, G]), b = guarded('b', d.b, bShape);
    const h = guarded('h', hInit, [T + 1, B, H]), gates = guarded('gates', 0, [T, B, 4 * H]);
    simd.gruForward({ ...options(c), x, W, U, b, h, gates });
    const dh = guarded('dh', upstream(c, d.R, f32), [T + 1, B, H]);
    const dx = guarded('dx', 0, [T, B, D]), dW = guarded('dW', 0, [D, G]), dU = guarded('dU', 0, [H, G]), db = guarded('db', 0, bShape);
    const dgates = guarded('dgates', 0, [T, B, 4 * H]), hnorm2 = { ...guarded('hnorm2', 0, [2 * T]), shape: [T] };
    simd.gruBackward({ ...options(c), dx, dW, dU, db, dgates, hnorm2, dh, x, W, U, gates, h });
    const y = guarded('y', 0, [T, B, H]), state = guarded('state', d.h0, [B, H]), scratch = guarded('scratch', 0, [T, B, 4 * H]);
    simd.gruInfer({ ...options(c), x, W, U, b, y, h: state, scratch });
    for (const g of guards) {
      const all = a.readF32(g.ptr - GUARD * 4, g.n + 2 * GUARD);
      for (let i = 0; i < GUARD; i++) {
        assert.is(all[i], SENTINEL, `${g.name}: guard before at ${i}`);
        assert.is(all[GUARD + g.n + i], SENTINEL, `${g.name}: guard after at ${i}`);
      }
    }
    a.release(mark);
  }
});

// ---- 7. hnorm2 = Σ of squares of the total dh (by the reference)

test('hnorm2[t] equals ‖total dL/dh_t‖² computed from the reference dh, and from the kernel\'s own dh', () => {
  for (const resetAfter of [true, false]) {
    const c: Case = { T: 65, B: 2, D: 7, H: 9, resetAfter, lengths: [65, 30] };
    const d = makeData(c, 12);
    const want = runReference(c, d, f64), got = runKernels(simd, c, d);
    const BH = c.B * c.H;
    const fromRef = new Float64Array(c.T), fromOwn = new Float64Array(c.T);
    for (let t = 0; t < c.T; t++) {
      const s = outSlotOf(c, t);
      for (let i = 0; i < BH; i++) {
        fromRef[t] += want.dh[s * BH + i] ** 2;
        fromOwn[t] += got.dh[s * BH + i] ** 2;
      }
    }
    checkRel('hnorm2 vs reference dh', got.hnorm2, fromRef, 1e-4);
    checkClose('hnorm2 vs own dh', got.hnorm2, fromOwn, 0, 1e-6);
    // the total includes the recurrent part: it differs from the upstream alone
    let upstreamOnly = 0;
    for (let i = 0; i < BH; i++) upstreamOnly += d.R[i] ** 2;
    assert.ok(Math.abs(upstreamOnly - got.hnorm2[0]) > 1e-3, 'hnorm2[0] must include the recurrent gradient');
  }
});

// ---- 8. inference == training forward

test('infer == training forward (outputs y and final state, bit for bit), with and without y; JS backend too', () => {
  for (const resetAfter of [true, false]) {
    const modes: Array<Partial<Case>> = [{}, { reverse: true }, { lengths: [9, 3, 0, 5, 1], leftPadded: true }, { lengths: [2, 9, 9, 0, 4] }];
    for (const m of modes) {
      const c: Case = { T: 9, B: 5, D: 7, H: 33, resetAfter, activation: 'relu', ...m };
      const d = makeData(c, 17);
      for (const k of [simd, js]) {
        const train = runKernels(k, c, d);
        const BH = c.B * c.H;
        const inf = runInfer(k, c, d, true);
        const finalSlot = c.reverse ? 0 : c.T;
        const compare = k === simd ? checkEqual : (n: string, g: ArrayLike<number>, w: ArrayLike<number>) => checkClose(n, g, w, 1e-6, 1e-6);
        // the final state is the last slot, except for a sample with no valid step: it keeps h0 (its outputs are 0)
        const wantState = Float32Array.from(train.h.subarray(finalSlot * BH, (finalSlot + 1) * BH), (v, i) =>
          (c.lengths && c.lengths[Math.floor(i / c.H)] === 0 ? d.h0[i] : v));
        compare(`final state ${k.backend} ${label(c)}`, inf.h, wantState);
        for (let t = 0; t < c.T; t++) {
          const s = outSlotOf(c, t);
          compare(`y[${t}] ${k.backend} ${label(c)}`, inf.y!.subarray(t * BH, (t + 1) * BH), train.h.subarray(s * BH, (s + 1) * BH));
        }
        compare(`final state without y ${k.backend}`, runInfer(k, c, d, false).h, inf.h);
      }
    }
  }
});

// ---- 9. bad input: typed errors naming the argument and both shapes, before wasm runs

test('bad input: wrong gate width, bias shape, lengths, overlaps, activation names, flags', () => {
  const T = 4, B = 2, D = 7, H = 9, G = 3 * H;
  const a = simd.arena;
  const mark = a.mark();
  const t = (shape: number[]): TensorRef => ({ ptr: a.allocZeroed(shape.reduce((p, q) => p * q, 1)), shape });
  const x = t([T, B, D]), W = t([D, G]), U = t([H, G]), b2 = t([2, G]), b1 = t([G]);
  const h = t([T + 1, B, H]), gates = t([T, B, 4 * H]);
  a.F32.fill(7, h.ptr >> 2, (h.ptr >> 2) + (T + 1) * B * H);
  const base = { T, B, D, H, x, W, U, b: b2, h, gates };
  const E = KernelArgumentError;
  throwsTyped(() => simd.gruForward({ ...base, W: t([D, 4 * H]) }), E,
    /gru_forward: argument W = \d+ has shape \(7, 36\), expected \(D, 3H\) = \(7, 27\)/, 'W (D, 4H)');
  throwsTyped(() => simd.gruForward({ ...base, U: t([H, 4 * H]) }), E, /argument U = \d+ has shape \(9, 36\), expected \(H, 3H\) = \(9, 27\)/);
  throwsTyped(() => simd.gruForward({ ...base, b: b1 }), E, /argument b = \d+ has shape \(27\), expected \(2, 3H\) = \(2, 27\)/, 'resetAfter bias');
  throwsTyped(() => simd.gruForward({ ...base, resetAfter: false }), E, /argument b = \d+ has shape \(2, 27\), expected \(3H\) = \(27\)/, 'reset-before bias');
  throwsTyped(() => simd.gruForward({ ...base, x: t([T, B, D + 1]) }), E, /argument x = \d+ has shape \(4, 2, 8\), expected \(T, B, D\) = \(4, 2, 7\)/);
  throwsTyped(() => simd.gruForward({ ...base, lengths: [4, 5] }), E, /argument lengths\[1\] = 5 \(batch row 1\) must be an integer in \[0, T = 4\]/);
  throwsTyped(() => simd.gruForward({ ...base, lengths: [-1, 2] }), E, /argument lengths\[0\] = -1 \(batch row 0\) must be an integer in \[0, T = 4\]/);
  throwsTyped(() => simd.gruForward({ ...base, lengths: [2, 1.5] }), E, /argument lengths\[1\] = 1\.5 \(batch row 1\)/);
  throwsTyped(() => simd.gruForward({ ...base, lengths: [2] }), E, /argument lengths = .* must have B = 2 entries/);
  throwsTyped(() => simd.gruForward({ ...base, gates: { ptr: x.ptr, shape: [T, B, 4 * H] } }), E, /argument gates = \d+ \(bytes .*\) overlaps input x/);
  throwsTyped(() => simd.gruForward({ ...base, h: { ptr: gates.ptr + 4, shape: [T + 1, B, H] } }), E, /argument h = \d+ \(bytes .*\) overlaps input gates/);
  throwsTyped(() => simd.gruForward({ ...base, activation: 'swish' as never }), E, /argument activation = "swish" must be one of tanh, relu, sigmoid, linear/);
  throwsTyped(() => simd.gruForward({ ...base, recurrentActivation: 'tanh' }), E, /argument recurrentActivation = "tanh" must be one of sigmoid, hard_sigmoid/);
  throwsTyped(() => simd.gruForward({ ...base, resetAfter: 'yes' as never }), E, /argument resetAfter = "yes" must be a boolean/);
  throwsTyped(() => simd.gruForward({ ...base, H: 0 }), E, /argument H = 0 must be a positive integer/);
  // nothing ran: the state buffer is as before
  checkEqual('h untouched after rejected calls', a.readF32(h.ptr, (T + 1) * B * H), new Float32Array((T + 1) * B * H).fill(7));

  const grads = { dW: t([D, G]), dU: t([H, G]), db: t([2, G]), dgates: t([T, B, 4 * H]), dh: t([T + 1, B, H]) };
  const bwd = { T, B, D, H, x, W, U, gates, h, ...grads };
  throwsTyped(() => simd.gruBackward({ ...bwd, dW: t([D, 4 * H]) }), E, /gru_backward: argument dW = \d+ has shape \(7, 36\), expected \(D, 3H\) = \(7, 27\)/);
  throwsTyped(() => simd.gruBackward({ ...bwd, resetAfter: false }), E, /argument db = \d+ has shape \(2, 27\), expected \(3H\) = \(27\)/);
  throwsTyped(() => simd.gruBackward({ ...bwd, dgates: gates }), E, /argument dgates = \d+ .* overlaps input gates/);
  throwsTyped(() => simd.gruBackward({ ...bwd, dh: { ptr: grads.dgates.ptr, shape: [T + 1, B, H] } }), E, /argument dgates = \d+ .* overlaps (input )?dh/);
  throwsTyped(() => simd.gruBackward({ ...bwd, hnorm2: t([T + 1]) }), E, /argument hnorm2 = \d+ has shape \(5\), expected \(T\) = \(4\)/);
  throwsTyped(() => simd.gruBackward({ ...bwd, lengths: [0, 9] }), E, /argument lengths\[1\] = 9 \(batch row 1\)/);

  const inf = { T, B, D, H, x, W, U, b: b2, h: t([B, H]), scratch: t([T, B, 4 * H]) };
  throwsTyped(() => simd.gruInfer({ ...inf, scratch: t([T, B, 3 * H]) }), E, /gru_infer: argument scratch = \d+ has shape \(4, 2, 27\), expected \(T, B, 4H\) = \(4, 2, 36\)/);
  throwsTyped(() => simd.gruInfer({ ...inf, h: t([T + 1, B, H]) }), E, /argument h = \d+ has shape \(5, 2, 9\), expected \(B, H\) = \(2, 9\)/);
  throwsTyped(() => simd.gruInfer({ ...inf, y: { ptr: W.ptr, shape: [T, B, H] } }), E, /argument y = \d+ .* overlaps input W/);
  a.release(mark);
});

// ---- 10. recurrent dropout (Keras recurrent_dropout): h_prev ⊙ m_k feeds gate block k's recurrent product only

const masked = (c: Case, perGate: boolean, seed: number): Case => ({ ...c, perGate, rmask: dropoutMask((perGate ? 3 : 1) * c.B * c.H, seed) });

for (const resetAfter of [true, false]) {
  test(`recurrent dropout: gradcheck (f64 reference), resetAfter=${resetAfter}, shared and per-gate masks`, () => {
    for (const perGate of [false, true]) {
      gradcheckCase(masked({ T: 4, B: 3, D: 3, H: 5, resetAfter }, perGate, 3), 400);
      gradcheckCase(masked({ T: 4, B: 3, D: 3, H: 5, resetAfter, reverse: true, lengths: [4, 2, 0], recurrentActivation: 'hard_sigmoid' }, perGate, 4), 401);
      gradcheckCase(masked({ T: 3, B: 2, D: 2, H: 3, resetAfter, lengths: [1, 3], leftPadded: true, activation: 'relu' }, perGate, 5), 402);
    }
  });

  test(`recurrent dropout: wasm simd and scalar vs reference, simd == scalar, resetAfter=${resetAfter}; all-ones == none bit for bit`, () => {
    const shapes: Array<[number, number, number, number]> = [[64, 5, 7, 33], [1, 1, 3, 5], [9, 37, 5, 9]];
    for (const [i, [T, B, D, H]] of shapes.entries()) {
      for (const perGate of [false, true]) {
        const c = masked({ T, B, D, H, resetAfter, reverse: i === 2, lengths: i === 2 ? Array.from({ length: B }, (_, q) => q % (T + 1)) : null }, perGate, 20 + i);
        const d = makeData(c, T * 31 + H);
        const want = runReference(c, d);
        const gs = runKernels(simd, c, d), gc = runKernels(scalar, c, d);
        for (const f of FIELDS) {
          checkRel(`simd ${f} rmask ${label(c)} perGate=${perGate}`, gs[f], want[f], 1e-4);
          checkRel(`scalar ${f} rmask ${label(c)} perGate=${perGate}`, gc[f], want[f], 1e-4);
          checkEqual(`simd == scalar ${f} rmask ${label(c)}`, gs[f], gc[f]);
        }
        if (i === 0 && perGate) for (const f of FIELDS) checkRel(`js ${f} rmask`, runKernels(js, c, d)[f], runReference(c, d, f64)[f], 1e-5);
      }
      const plain: Case = { T, B, D, H, resetAfter, lengths: [T, ...Array(B - 1).fill(Math.ceil(T / 2))] };
      const d = makeData(plain, 9);
      for (const k of [simd, scalar]) {
        const none = runKernels(k, plain, d), ones = runKernels(k, { ...plain, rmask: new Float32Array(B * H).fill(1) }, d);
        for (const f of FIELDS) checkEqual(`ones == none ${f} ${label(plain)}`, ones[f], none[f]);
      }
    }
  });

  test(`recurrent dropout (Keras semantics), resetAfter=${resetAfter}: a zero unit of m_k drops h_j from block k only, the state keeps h_j`, () => {
    const c: Case = { T: 5, B: 3, D: 4, H: 6, resetAfter };
    const { B, H } = c;
    const G = 3 * H, j = 1, scale = 1 / (1 - 0.25);
    const d = makeData(c, 31, true);
    for (const block of [0, 1, 2]) {
      // per-gate masks: scale everywhere, unit j of block `block` dropped in every batch row
      const rmask = new Float32Array(3 * B * H).fill(scale);
      for (let b = 0; b < B; b++) rmask[block * B * H + b * H + j] = 0;
      // == no mask with U_k scaled and row j of block `block` zeroed
      const U2 = Float32Array.from(d.U, (u, i) => (Math.floor(i / G) === j && Math.floor((i % G) / H) === block ? 0 : u * scale));
      const m = runKernels(simd, { ...c, perGate: true, rmask }, d), p = runKernels(simd, c, { ...d, U: U2 });
      for (const f of ['h', 'dx', 'dW', 'db', 'dh'] as const) checkRel(`block ${block} ${f}`, m[f], p[f], 1e-5);
      // the dropped unit still carries its state: h' = z ⊙ h + (1 − z) ⊙ n uses the unmasked h
      for (let b = 0; b < B; b++) assert.ok(Math.abs(m.h[B * H + b * H + j]) > 1e-4, `h_j stays in the output (block ${block}, b${b})`);
      for (let q = 0; q < H; q++) assert.is(m.dU[j * G + block * H + q], 0, `dU row ${j} of block ${block}`);
    }
  });
}

test('recurrent dropout: bad mask shapes and overlaps are KernelArgumentErrors naming both shapes', () => {
  const T = 3, B = 2, D = 5, H = 6, G = 3 * H;
  const a = simd.arena;
  const mark = a.mark();
  const t = (shape: number[]): TensorRef => ({ ptr: a.allocZeroed(shape.reduce((p, q) => p * q, 1)), shape });
  const base = { T, B, D, H, x: t([T, B, D]), W: t([D, G]), U: t([H, G]), b: t([2, G]), h: t([T + 1, B, H]), gates: t([T, B, 4 * H]) };
  const E = KernelArgumentError;
  throwsTyped(() => simd.gruForward({ ...base, recurrentMask: t([B, H + 1]) }), E, /gru_forward: argument recurrentMask = \d+ has shape \(2, 7\), expected \(B, H\) = \(2, 6\)/);
  throwsTyped(() => simd.gruForward({ ...base, recurrentMask: t([4, B, H]) }), E, /argument recurrentMask = \d+ has shape \(4, 2, 6\), expected \(3, B, H\) = \(3, 2, 6\)/);
  throwsTyped(() => simd.gruForward({ ...base, recurrentMask: { ptr: base.h.ptr, shape: [B, H] } }), E, /argument h = \d+ .*overlaps input recurrentMask/);
  const bwd = { T, B, D, H, x: base.x, W: base.W, U: base.U, gates: base.gates, h: base.h, dW: t([D, G]), dU: t([H, G]), db: t([2, G]), dgates: t([T, B, 4 * H]), dh: t([T + 1, B, H]) };
  throwsTyped(() => simd.gruBackward({ ...bwd, recurrentMask: t([B]) }), E, /gru_backward: argument recurrentMask = \d+ has shape \(2\), expected \(B, H\) = \(2, 6\)/);
  a.release(mark);
});

test('gru_forward and gru_infer with packed weights (work) equal the unpacked path bit for bit (both reset variants, every K mod 4, panel and row remainders)', async () => {
  for (const variant of ['simd', 'scalar'] as const) {
    let raw: GruRaw | null = null;
    const k = await loadKernels({ variant, wrapRaw: (r) => { raw = r; return r; } });
    for (const [B, D, H] of [[1, 4, 8], [3, 5, 16], [5, 6, 11], [8, 7, 33], [2, 3, 1]]) {
      for (const resetAfter of [false, true]) {
        const T = 6, G = 3 * H, S = 4 * H;
        const a = k.arena;
        const mark = a.mark();
        const seed = 11 * B + D + H + (resetAfter ? 100 : 0);
        const x = a.putF32(uniform(T * B * D, seed)), W = a.putF32(uniform(D * G, seed + 1, -0.5, 0.5));
        const U = a.putF32(uniform(H * G, seed + 2, -0.5, 0.5)), b = a.putF32(uniform((resetAfter ? 2 : 1) * G, seed + 3, -0.2, 0.2));
        const h0 = uniform(B * H, seed + 4, -0.5, 0.5);
        const flags = resetAfter ? RESET_AFTER : 0;
        const infer = (work: number) => {
          const h = a.putF32(h0), y = a.alloc(T * B * H), scratch = a.alloc(T * B * S);
          raw!.gru_infer(y, h, scratch, work, x, W, U, b, 0, T, B, D, H, flags, CODE.tanh, CODE.sigmoid);
          return [a.readF32(y, T * B * H), a.readF32(h, B * H)];
        };
        const forward = (work: number) => {
          const slots = new Float32Array((T + 1) * B * H);
          slots.set(h0);
          const h = a.putF32(slots), gates = a.allocZeroed(T * B * S);
          raw!.gru_forward(h, gates, x, W, U, b, 0, 0, 0, work, T, B, D, H, flags, CODE.tanh, CODE.sigmoid);
          return [a.readF32(h, (T + 1) * B * H), a.readF32(gates, T * B * S)];
        };
        const label = `${variant} B${B} D${D} H${H} resetAfter=${resetAfter}`;
        for (const [name, run] of [['infer', infer], ['forward', forward]] as const) {
          const unpacked = run(0), packed = run(a.alloc((D + H) * G));
          unpacked.forEach((u, i) => checkEqual(`${label} ${name} output ${i}`, packed[i], u));
        }
        a.release(mark);
      }
    }
  }
});

test.run();
