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
import { gruBackward, gruForward } from '../bindings/reference/gru.js';
import { lstmBackward, lstmForward } from '../bindings/reference/lstm.js';
import { PER_GATE_RMASK, RESET_AFTER, REVERSE, type RecurrentConfig } from '../bindings/reference/recurrent-common.js';
import { simpleRnnBackward, simpleRnnForward } from '../bindings/reference/simple-rnn.js';
import { checkClose, checkEqual } from './helpers/check-close.js';
import { gradcheck, weightedSum } from './helpers/gradcheck.js';
import { uniform } from './helpers/random.js';
import { dropoutMask, gappyMask, maxAbs, rowStatesOf } from './helpers/rnn-problem.js';

const CODE = { linear: 0, tanh: 1, sigmoid: 2, relu: 3, hard_sigmoid: 4 } as const;
type Act = keyof typeof CODE;

/** One cell variant: its shapes and how to run it on the reference and through the checked kernels. */
interface Cell {
  label: string;
  kind: 'lstm' | 'gru' | 'rnn';
  act: Act;
  ract: Act;
  resetAfter?: boolean;
}

const CELLS: Cell[] = [
  { label: 'LSTM tanh/sigmoid', kind: 'lstm', act: 'tanh', ract: 'sigmoid' },
  { label: 'LSTM relu/hard_sigmoid', kind: 'lstm', act: 'relu', ract: 'hard_sigmoid' },
  { label: 'GRU reset_after', kind: 'gru', act: 'tanh', ract: 'sigmoid', resetAfter: true },
  { label: 'GRU reset_before', kind: 'gru', act: 'tanh', ract: 'hard_sigmoid', resetAfter: false },
  { label: 'SimpleRNN tanh', kind: 'rnn', act: 'tanh', ract: 'sigmoid' },
  { label: 'SimpleRNN relu', kind: 'rnn', act: 'relu', ract: 'sigmoid' },
];

/** Gate width G, saved gate width, bias length, gate blocks (for per-gate dropout masks). */
const G = (c: Cell, H: number) => (c.kind === 'lstm' ? 4 : c.kind === 'gru' ? 3 : 1) * H;
const S = (c: Cell, H: number) => (c.kind === 'rnn' ? 0 : 4 * H);
const DG = (c: Cell, H: number) => (c.kind === 'rnn' ? H : 4 * H);
const NB = (c: Cell, H: number) => (c.kind === 'gru' && c.resetAfter ? 2 * G(c, H) : G(c, H));
const BLOCKS = (c: Cell) => (c.kind === 'lstm' ? 4 : c.kind === 'gru' ? 3 : 1);

/** A masked problem: data, weights, initial states, upstream gradients and the (T, B) 0/1 mask by time. */
interface Problem {
  T: number;
  B: number;
  D: number;
  H: number;
  reverse: boolean;
  x: Float32Array;
  W: Float32Array;
  U: Float32Array;
  b: Float32Array;
  h0: Float32Array;
  c0: Float32Array;
  /** dL/d(output at time t), (T, B, H); dL/d(final c), (B, H). */
  R: Float32Array;
  Rc: Float32Array;
  /** (T, B) step mask by time (1 valid), or null with `lengths`. */
  mask: Uint8Array | null;
  lengths?: number[] | null;
  leftPadded?: boolean;
  rmask?: Float32Array | null;
  perGate?: boolean;
}

function problem(c: Cell, T: number, B: number, D: number, H: number, seed: number, reverse: boolean, mask: Uint8Array | null): Problem {
  const s = seed * 37;
  return {
    T, B, D, H, reverse,
    x: uniform(T * B * D, s + 1),
    W: uniform(D * G(c, H), s + 2, -0.5, 0.5),
    U: uniform(H * G(c, H), s + 3, -0.5, 0.5),
    b: uniform(NB(c, H), s + 4, -0.3, 0.3),
    h0: uniform(B * H, s + 5, -0.6, 0.6),
    c0: uniform(B * H, s + 6, -0.6, 0.6),
    R: uniform(T * B * H, s + 7),
    Rc: uniform(B * H, s + 8),
    mask,
  };
}

/** Everything one training forward + backward gives (plus the inference outputs when asked). */
interface Run {
  h: FloatArray;
  c: FloatArray | null;
  gates: FloatArray | null;
  dx: FloatArray;
  dW: FloatArray;
  dU: FloatArray;
  db: FloatArray;
  dh: FloatArray;
  dc0: FloatArray | null;
  dgates: FloatArray;
  hnorm2: FloatArray;
  cnorm2: FloatArray | null;
}

const h0Slot = (p: Problem) => (p.reverse ? p.T : 0);
const outSlot = (p: Problem, t: number) => (p.reverse ? t : t + 1);

function config(c: Cell, p: Problem): RecurrentConfig {
  return {
    T: p.T, B: p.B, D: p.D, H: p.H, lengths: p.lengths ?? null, stepMask: p.mask,
    flags: (p.reverse ? REVERSE : 0) | (c.resetAfter ? RESET_AFTER : 0) | (p.leftPadded ? 2 : 0) | (p.perGate ? PER_GATE_RMASK : 0),
    activation: CODE[c.act], recurrentActivation: CODE[c.ract], recurrentMask: p.rmask ?? null,
  };
}

/** The reference forward only: h (and c) slots with the initial state in the h0 slot. */
function referenceForward(c: Cell, p: Problem, make: (n: number) => FloatArray, v: { x: FloatArray; W: FloatArray; U: FloatArray; b: FloatArray; h0: ArrayLike<number>; c0: ArrayLike<number> }) {
  const { T, B, H } = p, BH = B * H;
  const h = make((T + 1) * BH), cs = c.kind === 'lstm' ? make((T + 1) * BH) : null;
  h.set(v.h0, h0Slot(p) * BH);
  if (cs) cs.set(v.c0, h0Slot(p) * BH);
  const gates = c.kind === 'rnn' ? null : make(T * B * S(c, H));
  const cfg = config(c, p);
  if (c.kind === 'lstm') lstmForward(h, cs!, gates!, v.x, v.W, v.U, v.b, cfg);
  else if (c.kind === 'gru') gruForward(h, gates!, v.x, v.W, v.U, v.b, cfg);
  else simpleRnnForward(h, v.x, v.W, v.U, v.b, cfg);
  return { h, c: cs, gates };
}

function runReference(c: Cell, p: Problem, f64: boolean): Run {
  const make = (n: number) => (f64 ? new Float64Array(n) : new Float32Array(n));
  const cast = (a: Float32Array) => (f64 ? Float64Array.from(a) : Float32Array.from(a));
  const { T, B, D, H } = p, BH = B * H;
  const v = { x: cast(p.x), W: cast(p.W), U: cast(p.U), b: cast(p.b), h0: p.h0, c0: p.c0 };
  const f = referenceForward(c, p, make, v);
  const dh = make((T + 1) * BH);
  for (let t = 0; t < T; t++) dh.set(p.R.subarray(t * BH, (t + 1) * BH), outSlot(p, t) * BH);
  const dx = make(T * B * D), dW = make(D * G(c, H)), dU = make(H * G(c, H)), db = make(NB(c, H));
  const dgates = make(T * B * DG(c, H)), hnorm2 = make(T);
  const cfg = config(c, p);
  let dc0: FloatArray | null = null, cnorm2: FloatArray | null = null;
  if (c.kind === 'lstm') {
    dc0 = make(BH);
    cnorm2 = make(T);
    lstmBackward({ dx, dW, dU, db, dc0, dgates, hnorm2, cnorm2 }, dh, cast(p.Rc), v.x, v.W, v.U, f.gates!, f.c!, f.h, cfg);
  } else if (c.kind === 'gru') {
    gruBackward(dx, dW, dU, db, dgates, hnorm2, dh, v.x, v.W, v.U, f.gates!, f.h, cfg);
  } else {
    simpleRnnBackward({ dx, dW, dU, db, dgates, hnorm2 }, dh, v.x, v.W, v.U, f.h, cfg);
  }
  return { ...f, dx, dW, dU, db, dh, dc0, dgates, hnorm2, cnorm2 };
}

/** The masking and cell options of the checked API. */
function options(c: Cell, p: Problem) {
  return {
    T: p.T, B: p.B, D: p.D, H: p.H, reverse: p.reverse, stepMask: p.mask, lengths: p.lengths ?? null, leftPadded: p.leftPadded ?? false,
    activation: c.act as 'tanh', recurrentActivation: c.ract as 'sigmoid', ...(c.kind === 'gru' ? { resetAfter: c.resetAfter } : {}),
  };
}

function runKernels(k: Kernels, c: Cell, p: Problem): Run {
  const a = k.arena;
  const mark = a.mark();
  const { T, B, D, H } = p, BH = B * H, Gw = G(c, H);
  const put = (v: ArrayLike<number>, shape: number[]): TensorRef => ({ ptr: a.putF32(v), shape });
  const zeros = (shape: number[]): TensorRef => ({ ptr: a.allocZeroed(shape.reduce((m, n) => m * n, 1)), shape });
  const slots = (init: Float32Array) => {
    const s = new Float32Array((T + 1) * BH);
    s.set(init, h0Slot(p) * BH);
    return put(s, [T + 1, B, H]);
  };
  const o = { ...options(c, p), recurrentMask: p.rmask ? put(p.rmask, p.perGate ? [BLOCKS(c), B, H] : [B, H]) : null };
  const x = put(p.x, [T, B, D]), W = put(p.W, [D, Gw]), U = put(p.U, [H, Gw]);
  const b = put(p.b, c.kind === 'gru' && c.resetAfter ? [2, Gw] : [Gw]);
  const h = slots(p.h0), cs = c.kind === 'lstm' ? slots(p.c0) : null;
  const gates = c.kind === 'rnn' ? null : zeros([T, B, S(c, H)]);
  const dhInit = new Float32Array((T + 1) * BH);
  dhInit.fill(55.5, h0Slot(p) * BH, (h0Slot(p) + 1) * BH); // junk the kernel must overwrite
  for (let t = 0; t < T; t++) dhInit.set(p.R.subarray(t * BH, (t + 1) * BH), outSlot(p, t) * BH);
  const g = {
    dx: put(uniform(T * B * D, 5), [T, B, D]), dW: zeros([D, Gw]), dU: zeros([H, Gw]), db: zeros(b.shape as number[]),
    dgates: zeros([T, B, DG(c, H)]), hnorm2: zeros([T]), dh: put(dhInit, [T + 1, B, H]),
  };
  let dc0: TensorRef | null = null, cnorm2: TensorRef | null = null;
  if (c.kind === 'lstm') {
    k.lstmForward({ ...o, h, c: cs!, gates: gates!, x, W, U, b });
    dc0 = zeros([B, H]);
    cnorm2 = zeros([T]);
    k.lstmBackward({ ...o, ...g, dc0, cnorm2, dc: put(p.Rc, [B, H]), x, W, U, gates: gates!, c: cs!, h });
  } else if (c.kind === 'gru') {
    k.gruForward({ ...o, h, gates: gates!, x, W, U, b });
    k.gruBackward({ ...o, ...g, x, W, U, gates: gates!, h });
  } else {
    k.simpleRnnForward({ ...o, h, x, W, U, b });
    k.simpleRnnBackward({ ...o, ...g, x, W, U, h });
  }
  const read = (t: TensorRef | null) => (t === null ? null : a.readF32(t.ptr, t.shape.reduce((m, n) => m * n, 1)));
  const run: Run = {
    h: read(h)!, c: read(cs), gates: read(gates), dx: read(g.dx)!, dW: read(g.dW)!, dU: read(g.dU)!, db: read(g.db)!,
    dh: read(g.dh)!, dc0: read(dc0), dgates: read(g.dgates)!, hnorm2: read(g.hnorm2)!, cnorm2: read(cnorm2),
  };
  a.release(mark);
  return run;
}

/** Inference through the checked API: outputs y (T, B, H) and the final state (h, c). */
function runInfer(k: Kernels, c: Cell, p: Problem): { y: Float32Array; h: Float32Array; c: Float32Array | null } {
  const a = k.arena;
  const mark = a.mark();
  const { T, B, D, H } = p, BH = B * H, Gw = G(c, H);
  const put = (v: ArrayLike<number>, shape: number[]): TensorRef => ({ ptr: a.putF32(v), shape });
  const o = options(c, p);
  const x = put(p.x, [T, B, D]), W = put(p.W, [D, Gw]), U = put(p.U, [H, Gw]);
  const b = put(p.b, c.kind === 'gru' && c.resetAfter ? [2, Gw] : [Gw]);
  const y = put(new Float32Array(T * BH).fill(-9), [T, B, H]), h = put(p.h0, [B, H]), cs = c.kind === 'lstm' ? put(p.c0, [B, H]) : null;
  const scratch = { ptr: a.alloc(T * B * (c.kind === 'rnn' ? H : 4 * H)), shape: [T, B, c.kind === 'rnn' ? H : 4 * H] };
  if (c.kind === 'lstm') k.lstmInfer({ ...o, y, h, c: cs!, scratch, x, W, U, b });
  else if (c.kind === 'gru') k.gruInfer({ ...o, y, h, scratch, x, W, U, b });
  else k.simpleRnnInfer({ ...o, y, h, scratch, x, W, U, b });
  const out = { y: a.readF32(y.ptr, T * BH), h: a.readF32(h.ptr, BH), c: cs ? a.readF32(cs.ptr, BH) : null };
  a.release(mark);
  return out;
}

const FIELDS = ['h', 'c', 'gates', 'dx', 'dW', 'dU', 'db', 'dh', 'dc0', 'dgates', 'hnorm2', 'cnorm2'] as const;

function compareRuns(label: string, got: Run, want: Run, rtol: number): void {
  for (const f of FIELDS) {
    const g = got[f], w = want[f];
    if (g === null || w === null) continue;
    checkClose(`${label} ${f}`, g, w, rtol * 0.1 * Math.max(1, maxAbs(w)), rtol);
  }
}

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
