// One harness for every recurrent cell variant (LSTM, GRU both reset variants, SimpleRNN): a seeded problem
// with optional Keras masking and recurrent dropout, run on the f32/f64 reference or through the checked
// Kernels interface (training forward + backward, inference). Used by recurrent-masks.test.ts and
// gradient-norms.test.ts. Legend: T steps, B batch, D input width, H units, G gate width.
import type { Kernels, TensorRef } from '../../bindings/index.js';
import type { FloatArray } from '../../bindings/reference/float-array.js';
import { gruBackward, gruForward } from '../../bindings/reference/gru.js';
import { lstmBackward, lstmForward } from '../../bindings/reference/lstm.js';
import { PER_GATE_RMASK, RESET_AFTER, REVERSE, type RecurrentConfig } from '../../bindings/reference/recurrent-common.js';
import { simpleRnnBackward, simpleRnnForward } from '../../bindings/reference/simple-rnn.js';
import { checkClose } from './check-close.js';
import { f64Out, readF64 } from './f64-out.js';
import { uniform } from './random.js';
import { maxAbs } from './rnn-problem.js';

export const CODE = { linear: 0, tanh: 1, sigmoid: 2, relu: 3, hard_sigmoid: 4, hard_sigmoid_tfjs: 5 } as const;
export type Act = keyof typeof CODE;

/** One cell variant: its shapes and how to run it on the reference and through the checked kernels. */
export interface Cell {
  label: string;
  kind: 'lstm' | 'gru' | 'rnn';
  act: Act;
  ract: Act;
  resetAfter?: boolean;
}

export const CELLS: Cell[] = [
  { label: 'LSTM tanh/sigmoid', kind: 'lstm', act: 'tanh', ract: 'sigmoid' },
  { label: 'LSTM relu/hard_sigmoid', kind: 'lstm', act: 'relu', ract: 'hard_sigmoid' },
  { label: 'GRU reset_after', kind: 'gru', act: 'tanh', ract: 'sigmoid', resetAfter: true },
  { label: 'GRU reset_before', kind: 'gru', act: 'tanh', ract: 'hard_sigmoid', resetAfter: false },
  { label: 'LSTM tanh/hard_sigmoid_tfjs', kind: 'lstm', act: 'tanh', ract: 'hard_sigmoid_tfjs' },
  { label: 'GRU reset_before hard_sigmoid_tfjs', kind: 'gru', act: 'tanh', ract: 'hard_sigmoid_tfjs', resetAfter: false },
  { label: 'SimpleRNN tanh', kind: 'rnn', act: 'tanh', ract: 'sigmoid' },
  { label: 'SimpleRNN relu', kind: 'rnn', act: 'relu', ract: 'sigmoid' },
];

/** Gate width G, saved gate width, bias length, gate blocks (for per-gate dropout masks). */
export const G = (c: Cell, H: number) => (c.kind === 'lstm' ? 4 : c.kind === 'gru' ? 3 : 1) * H;
export const S = (c: Cell, H: number) => (c.kind === 'rnn' ? 0 : 4 * H);
export const DG = (c: Cell, H: number) => (c.kind === 'rnn' ? H : 4 * H);
export const NB = (c: Cell, H: number) => (c.kind === 'gru' && c.resetAfter ? 2 * G(c, H) : G(c, H));
export const BLOCKS = (c: Cell) => (c.kind === 'lstm' ? 4 : c.kind === 'gru' ? 3 : 1);

/** A masked problem: data, weights, initial states, upstream gradients and the (T, B) 0/1 mask by time. */
export interface Problem {
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

export function problem(c: Cell, T: number, B: number, D: number, H: number, seed: number, reverse: boolean, mask: Uint8Array | null): Problem {
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
export interface Run {
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

export const h0Slot = (p: Problem) => (p.reverse ? p.T : 0);
export const outSlot = (p: Problem, t: number) => (p.reverse ? t : t + 1);

export function config(c: Cell, p: Problem): RecurrentConfig {
  return {
    T: p.T, B: p.B, D: p.D, H: p.H, lengths: p.lengths ?? null, stepMask: p.mask,
    flags: (p.reverse ? REVERSE : 0) | (c.resetAfter ? RESET_AFTER : 0) | (p.leftPadded ? 2 : 0) | (p.perGate ? PER_GATE_RMASK : 0),
    activation: CODE[c.act], recurrentActivation: CODE[c.ract], recurrentMask: p.rmask ?? null,
  };
}

/** The reference forward only: h (and c) slots with the initial state in the h0 slot. */
export function referenceForward(c: Cell, p: Problem, make: (n: number) => FloatArray, v: { x: FloatArray; W: FloatArray; U: FloatArray; b: FloatArray; h0: ArrayLike<number>; c0: ArrayLike<number> }) {
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

export function runReference(c: Cell, p: Problem, f64: boolean): Run {
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
export function options(c: Cell, p: Problem) {
  return {
    T: p.T, B: p.B, D: p.D, H: p.H, reverse: p.reverse, stepMask: p.mask, lengths: p.lengths ?? null, leftPadded: p.leftPadded ?? false,
    activation: c.act as 'tanh', recurrentActivation: c.ract as 'sigmoid', ...(c.kind === 'gru' ? { resetAfter: c.resetAfter } : {}),
  };
}

export function runKernels(k: Kernels, c: Cell, p: Problem): Run {
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
    dgates: zeros([T, B, DG(c, H)]), hnorm2: f64Out(a, T), dh: put(dhInit, [T + 1, B, H]),
  };
  let dc0: TensorRef | null = null, cnorm2: TensorRef | null = null;
  if (c.kind === 'lstm') {
    k.lstmForward({ ...o, h, c: cs!, gates: gates!, x, W, U, b });
    dc0 = zeros([B, H]);
    cnorm2 = f64Out(a, T);
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
    dh: read(g.dh)!, dc0: read(dc0), dgates: read(g.dgates)!, hnorm2: readF64(a, g.hnorm2), cnorm2: cnorm2 ? readF64(a, cnorm2) : null,
  };
  a.release(mark);
  return run;
}

/** Inference through the checked API: outputs y (T, B, H) and the final state (h, c). */
export function runInfer(k: Kernels, c: Cell, p: Problem): { y: Float32Array; h: Float32Array; c: Float32Array | null } {
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

export const FIELDS = ['h', 'c', 'gates', 'dx', 'dW', 'dU', 'db', 'dh', 'dc0', 'dgates', 'hnorm2', 'cnorm2'] as const;

export function compareRuns(label: string, got: Run, want: Run, rtol: number): void {
  for (const f of FIELDS) {
    const g = got[f], w = want[f];
    if (g === null || w === null) continue;
    checkClose(`${label} ${f}`, g, w, rtol * 0.1 * Math.max(1, maxAbs(w)), rtol);
  }
}
