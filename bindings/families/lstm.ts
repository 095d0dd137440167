// LSTM family: raw ABI (wasm exports and the JS reference), checked entry points, and the reference raw.
// One call = one layer over a whole sequence in one direction; ABI in docs/recurrent-abi.md.
// Legend: T steps, B batch, D input width, H units, G = 4H; Keras gate order [i | f | c(g) | o].

import type { Arena, Ptr } from '../arena.js';
import type { ArgumentCheck, Checker, TensorRef } from '../checker.js';
import type { ActivationName } from '../reference/activations.js';
import { lstmBackward, lstmForward, lstmInfer } from '../reference/lstm.js';
import type { RecurrentConfig } from '../reference/recurrent-common.js';
import {
  CELL_ACTIVATIONS, GATE_ACTIVATIONS, PER_GATE_RMASK, REVERSE, activationCode, checkDims, optionalF64Arg, validityOf, checkMasking, checkNoOverlap,
  checkRecurrentMask, optionalTensorArg, packedArg, ptrOf, recurrentFlags, tensorArg, withPackedWork, withTemporaries,
  type PackedWeights, type RecurrentDims, type Validity, type RecurrentDropoutOptions, type RecurrentOptions,
} from './recurrent-common.js';

export interface LstmRaw {
  /** work: (D + H)·4H floats for the packed W and U, or 0 (docs/recurrent-abi.md). */
  lstm_forward(
    h: Ptr, c: Ptr, gates: Ptr, x: Ptr, W: Ptr, U: Ptr, b: Ptr, lengths: Ptr, rmask: Ptr, rscratch: Ptr, work: Ptr,
    T: number, B: number, D: number, H: number, flags: number, activation: number, recurrentActivation: number,
  ): void;
  lstm_backward(
    dx: Ptr, dW: Ptr, dU: Ptr, db: Ptr, dc0: Ptr, dgates: Ptr, hnorm2: Ptr, cnorm2: Ptr, dh: Ptr, dc: Ptr,
    x: Ptr, W: Ptr, U: Ptr, gates: Ptr, c: Ptr, h: Ptr, lengths: Ptr, rmask: Ptr, rscratch: Ptr,
    T: number, B: number, D: number, H: number, flags: number, activation: number, recurrentActivation: number,
  ): void;
  /** work: (D + H)·4H floats for the packed W and U, or 0 (docs/recurrent-abi.md). */
  lstm_infer(
    y: Ptr, h: Ptr, c: Ptr, scratch: Ptr, work: Ptr, x: Ptr, W: Ptr, U: Ptr, b: Ptr, lengths: Ptr,
    T: number, B: number, D: number, H: number, flags: number, activation: number, recurrentActivation: number,
  ): void;
}

/** Cell options (Keras names and defaults: activation tanh, recurrentActivation sigmoid). */
export interface LstmCellOptions extends RecurrentOptions {
  activation?: ActivationName;
  recurrentActivation?: ActivationName;
}

/** Weights and input: x (T, B, D), W (D, 4H), U (H, 4H), b (4H). */
export interface LstmInputs {
  x: TensorRef;
  W: TensorRef;
  U: TensorRef;
  b: TensorRef;
}

export interface LstmForwardArgs extends RecurrentDims, LstmCellOptions, RecurrentDropoutOptions, LstmInputs {
  /** (T+1, B, H): h0 in slot 0 (slot T with reverse); outputs in the other slots. */
  h: TensorRef;
  /** (T+1, B, H): c0 likewise. */
  c: TensorRef;
  /** (T, B, 4H) out: activated gates, saved for backward. */
  gates: TensorRef;
}

export interface LstmBackwardArgs extends RecurrentDims, LstmCellOptions, RecurrentDropoutOptions {
  /** (T, B, D) out (null: not needed); written, or added to with accumulateDx. */
  dx?: TensorRef | null;
  accumulateDx?: boolean;
  /** (D, 4H), (H, 4H), (4H): accumulated into (+=). */
  dW: TensorRef;
  dU: TensorRef;
  db: TensorRef;
  /** (B, H) out: dL/dc0. */
  dc0: TensorRef;
  /** (T, B, 4H) out: pre-activation gate gradients. */
  dgates: TensorRef;
  /** (T) f64 outs (8-byte aligned, 8·T bytes each): ‖total dL/dh_t‖² and ‖total dL/dc_t‖² by time (null: not needed). */
  hnorm2?: TensorRef | null;
  cnorm2?: TensorRef | null;
  /** (T+1, B, H) in/out: upstream grads in the output slots; ends with dh0 and the total dL/dh_t. */
  dh: TensorRef;
  /** (B, H) in: dL/d(final c) (zeros if unused); scratch afterwards. */
  dc: TensorRef;
  /** Saved by lstmForward: x, W, U, gates, c, h. */
  x: TensorRef;
  W: TensorRef;
  U: TensorRef;
  gates: TensorRef;
  c: TensorRef;
  h: TensorRef;
}

export interface LstmInferArgs extends RecurrentDims, LstmCellOptions, LstmInputs {
  /** (T, B, H) out: the output at every time; null = last output only (= h). */
  y?: TensorRef | null;
  /** (B, H) in/out: initial state in, final state out. */
  h: TensorRef;
  c: TensorRef;
  /** (T, B, 4H) scratch for the input projection. */
  scratch: TensorRef;
  /** A kept workspace for the packed W and U ((D + H)·4H floats; omitted: a temporary packed every call). */
  packed?: PackedWeights | null;
}

export interface LstmKernels {
  /** Training forward over a whole sequence (saves gates, c, h for lstmBackward). */
  lstmForward(args: LstmForwardArgs): void;
  /** Backward over a whole sequence: dx, dW/dU/db (+=), dh0 (in dh), dc0, per-step gradient norms. */
  lstmBackward(args: LstmBackwardArgs): void;
  /** Inference-only forward: saves nothing; state (B, H) in and out. */
  lstmInfer(args: LstmInferArgs): void;
}

interface Cell {
  flags: number;
  act: number;
  ract: number;
  valid: Validity;
}

function cellOptions(c: ArgumentCheck, a: LstmCellOptions & { accumulateDx?: boolean }, dims: RecurrentDims): Cell {
  const flags = recurrentFlags(c, a);
  const m = checkMasking(c, a, dims.B, dims.T, (flags & REVERSE) !== 0);
  return {
    flags: flags | m.flags,
    act: activationCode(c, 'activation', a.activation ?? 'tanh', CELL_ACTIVATIONS),
    ract: activationCode(c, 'recurrentActivation', a.recurrentActivation ?? 'sigmoid', GATE_ACTIVATIONS),
    valid: m.valid,
  };
}

function weights(c: ArgumentCheck, a: { W: TensorRef; U: TensorRef }, D: number, H: number) {
  return [tensorArg(c, 'W', a.W, [D, 4 * H], '(D, 4H)'), tensorArg(c, 'U', a.U, [H, 4 * H], '(H, 4H)')];
}

export function lstmKernels(raw: LstmRaw, checker: Checker): LstmKernels {
  const arena = checker.arena;
  return {
    lstmForward(a) {
      const c = checker.begin('lstm_forward');
      const { T, B, D, H } = checkDims(c, a);
      const cell = cellOptions(c, a, a);
      const rm = checkRecurrentMask(c, a.recurrentMask, B, H, 4);
      const flags = cell.flags | (rm.perGate ? PER_GATE_RMASK : 0);
      const ins = [tensorArg(c, 'x', a.x, [T, B, D], '(T, B, D)'), ...weights(c, a, D, H), tensorArg(c, 'b', a.b, [4 * H], '(4H)'), rm.mask];
      const outs = [
        tensorArg(c, 'h', a.h, [T + 1, B, H], '(T+1, B, H)'),
        tensorArg(c, 'c', a.c, [T + 1, B, H], '(T+1, B, H)'),
        tensorArg(c, 'gates', a.gates, [T, B, 4 * H], '(T, B, 4H)'),
      ];
      checkNoOverlap(c, outs, ins);
      withTemporaries(arena, c, cell.valid, rm.mask, B, H, (len, scratch, work) =>
        raw.lstm_forward(a.h.ptr, a.c.ptr, a.gates.ptr, a.x.ptr, a.W.ptr, a.U.ptr, a.b.ptr, len, ptrOf(rm.mask), scratch, work, T, B, D, H, flags, cell.act, cell.ract),
      (D + H) * 4 * H);
    },
    lstmBackward(a) {
      const c = checker.begin('lstm_backward');
      const { T, B, D, H } = checkDims(c, a);
      const cell = cellOptions(c, a, a);
      const rm = checkRecurrentMask(c, a.recurrentMask, B, H, 4);
      const flags = cell.flags | (rm.perGate ? PER_GATE_RMASK : 0);
      const ins = [
        tensorArg(c, 'x', a.x, [T, B, D], '(T, B, D)'), ...weights(c, a, D, H),
        tensorArg(c, 'gates', a.gates, [T, B, 4 * H], '(T, B, 4H)'),
        tensorArg(c, 'c', a.c, [T + 1, B, H], '(T+1, B, H)'),
        tensorArg(c, 'h', a.h, [T + 1, B, H], '(T+1, B, H)'),
        rm.mask,
      ];
      const dx = optionalTensorArg(c, 'dx', a.dx, [T, B, D], '(T, B, D)');
      const hn = optionalF64Arg(c, 'hnorm2', a.hnorm2, T);
      const cn = optionalF64Arg(c, 'cnorm2', a.cnorm2, T);
      const outs = [
        dx,
        tensorArg(c, 'dW', a.dW, [D, 4 * H], '(D, 4H)'),
        tensorArg(c, 'dU', a.dU, [H, 4 * H], '(H, 4H)'),
        tensorArg(c, 'db', a.db, [4 * H], '(4H)'),
        tensorArg(c, 'dc0', a.dc0, [B, H], '(B, H)'),
        tensorArg(c, 'dgates', a.dgates, [T, B, 4 * H], '(T, B, 4H)'),
        hn,
        cn,
        tensorArg(c, 'dh', a.dh, [T + 1, B, H], '(T+1, B, H)'),
        tensorArg(c, 'dc', a.dc, [B, H], '(B, H)'),
      ];
      checkNoOverlap(c, outs, ins);
      withTemporaries(arena, c, cell.valid, rm.mask, B, H, (len, scratch) =>
        raw.lstm_backward(ptrOf(dx), a.dW.ptr, a.dU.ptr, a.db.ptr, a.dc0.ptr, a.dgates.ptr, ptrOf(hn), ptrOf(cn), a.dh.ptr, a.dc.ptr,
          a.x.ptr, a.W.ptr, a.U.ptr, a.gates.ptr, a.c.ptr, a.h.ptr, len, ptrOf(rm.mask), scratch, T, B, D, H, flags, cell.act, cell.ract));
    },
    lstmInfer(a) {
      const c = checker.begin('lstm_infer');
      const { T, B, D, H } = checkDims(c, a);
      const cell = cellOptions(c, a, a);
      const ins = [tensorArg(c, 'x', a.x, [T, B, D], '(T, B, D)'), ...weights(c, a, D, H), tensorArg(c, 'b', a.b, [4 * H], '(4H)')];
      const y = optionalTensorArg(c, 'y', a.y, [T, B, H], '(T, B, H)');
      const outs = [
        y,
        tensorArg(c, 'h', a.h, [B, H], '(B, H)'),
        tensorArg(c, 'c', a.c, [B, H], '(B, H)'),
        tensorArg(c, 'scratch', a.scratch, [T, B, 4 * H], '(T, B, 4H)'),
      ];
      const packed = packedArg(c, a.packed, (D + H) * 4 * H);
      checkNoOverlap(c, [...outs, packed && packed.work], ins);
      withPackedWork(arena, c, cell.valid, (D + H) * 4 * H, packed, (len, work, pre) =>
        raw.lstm_infer(ptrOf(y), a.h.ptr, a.c.ptr, a.scratch.ptr, work, a.x.ptr, a.W.ptr, a.U.ptr, a.b.ptr, len, T, B, D, H, cell.flags | pre, cell.act, cell.ract));
    },
  };
}

/** The reference raw for the JS backend: bindings/reference/lstm.ts over views of the arena. */
export function lstmReference(arena: Arena): LstmRaw {
  const f32 = (p: Ptr, n: number) => arena.f32(p, n);
  const opt = (p: Ptr, n: number) => (p === 0 ? null : arena.f32(p, n));
  const optF64 = (p: Ptr, n: number) => (p === 0 ? null : new Float64Array(arena.memory.buffer, p, n));
  const config = (lengths: Ptr, T: number, B: number, D: number, H: number, flags: number, activation: number, recurrentActivation: number, rmask: Ptr = 0): RecurrentConfig =>
    ({ T, B, D, H, flags, activation, recurrentActivation, ...validityOf(arena, lengths, T, B, flags),
      recurrentMask: rmask === 0 ? null : arena.f32(rmask, ((flags & PER_GATE_RMASK) !== 0 ? 4 : 1) * B * H) });
  return {
    lstm_forward(h, c, gates, x, W, U, b, lengths, rmask, _rscratch, _work, T, B, D, H, flags, act, ract) {
      const S = (T + 1) * B * H;
      lstmForward(f32(h, S), f32(c, S), f32(gates, T * B * 4 * H), f32(x, T * B * D), f32(W, D * 4 * H), f32(U, H * 4 * H), f32(b, 4 * H),
        config(lengths, T, B, D, H, flags, act, ract, rmask));
    },
    lstm_backward(dx, dW, dU, db, dc0, dgates, hnorm2, cnorm2, dh, dc, x, W, U, gates, c, h, lengths, rmask, _rscratch, T, B, D, H, flags, act, ract) {
      const S = (T + 1) * B * H, G = 4 * H;
      lstmBackward(
        { dx: opt(dx, T * B * D), dW: f32(dW, D * G), dU: f32(dU, H * G), db: f32(db, G), dc0: f32(dc0, B * H),
          dgates: f32(dgates, T * B * G), hnorm2: optF64(hnorm2, T), cnorm2: optF64(cnorm2, T) },
        f32(dh, S), f32(dc, B * H), f32(x, T * B * D), f32(W, D * G), f32(U, H * G), f32(gates, T * B * G), f32(c, S), f32(h, S),
        config(lengths, T, B, D, H, flags, act, ract, rmask));
    },
    lstm_infer(y, h, c, scratch, _work, x, W, U, b, lengths, T, B, D, H, flags, act, ract) {
      const G = 4 * H;
      lstmInfer(opt(y, T * B * H), f32(h, B * H), f32(c, B * H), f32(scratch, T * B * G), f32(x, T * B * D), f32(W, D * G), f32(U, H * G),
        f32(b, G), config(lengths, T, B, D, H, flags, act, ract));
    },
  };
}
