// SimpleRNN family: raw ABI (wasm exports and the JS reference), checked entry points, and the reference raw.
// One call = one layer over a whole sequence in one direction; ABI in docs/recurrent-abi.md.
// Legend: T steps, B batch, D input width, H units (G = H).   h' = act(x·W + b + h·U)

import type { Arena, Ptr } from '../arena.js';
import type { ArgumentCheck, Checker, TensorRef } from '../checker.js';
import type { ActivationName } from '../reference/activations.js';
import type { RecurrentConfig } from '../reference/recurrent-common.js';
import { simpleRnnBackward, simpleRnnForward, simpleRnnInfer } from '../reference/simple-rnn.js';
import {
  CELL_ACTIVATIONS, REVERSE, activationCode, checkDims, optionalF64Arg, validityOf, checkMasking, checkNoOverlap, checkRecurrentMask, optionalTensorArg, ptrOf,
  packedArg, recurrentFlags, tensorArg, withPackedWork, withTemporaries, type PackedWeights, type RecurrentDims, type Validity, type RecurrentDropoutOptions, type RecurrentOptions,
} from './recurrent-common.js';

export interface SimpleRnnRaw {
  /** work: (D + H)·H floats for the packed W and U, or 0 (docs/recurrent-abi.md); likewise simple_rnn_infer. */
  simple_rnn_forward(
    h: Ptr, x: Ptr, W: Ptr, U: Ptr, b: Ptr, lengths: Ptr, rmask: Ptr, rscratch: Ptr, work: Ptr,
    T: number, B: number, D: number, H: number, flags: number, activation: number,
  ): void;
  simple_rnn_backward(
    dx: Ptr, dW: Ptr, dU: Ptr, db: Ptr, dgates: Ptr, hnorm2: Ptr, dh: Ptr,
    x: Ptr, W: Ptr, U: Ptr, h: Ptr, lengths: Ptr, rmask: Ptr, rscratch: Ptr,
    T: number, B: number, D: number, H: number, flags: number, activation: number,
  ): void;
  simple_rnn_infer(
    y: Ptr, h: Ptr, scratch: Ptr, work: Ptr, x: Ptr, W: Ptr, U: Ptr, b: Ptr, lengths: Ptr,
    T: number, B: number, D: number, H: number, flags: number, activation: number,
  ): void;
}

/** Cell options (Keras names; activation defaults to tanh). */
export interface SimpleRnnCellOptions extends RecurrentOptions {
  activation?: ActivationName;
}

export interface SimpleRnnForwardArgs extends RecurrentDims, SimpleRnnCellOptions, RecurrentDropoutOptions {
  /** (T+1, B, H): h0 in slot 0 (slot T with reverse); outputs in the other slots. */
  h: TensorRef;
  /** x (T, B, D), W (D, H), U (H, H), b (H). */
  x: TensorRef;
  W: TensorRef;
  U: TensorRef;
  b: TensorRef;
}

export interface SimpleRnnBackwardArgs extends RecurrentDims, SimpleRnnCellOptions, RecurrentDropoutOptions {
  /** (T, B, D) out (null: not needed); written, or added to with accumulateDx. */
  dx?: TensorRef | null;
  accumulateDx?: boolean;
  /** (D, H), (H, H), (H): accumulated into (+=). */
  dW: TensorRef;
  dU: TensorRef;
  db: TensorRef;
  /** (T, B, H) out: pre-activation gradients. */
  dgates: TensorRef;
  /** (T) f64 out (8-byte aligned, 8·T bytes): ‖total dL/dh_t‖² by time (null: not needed). */
  hnorm2?: TensorRef | null;
  /** (T+1, B, H) in/out: upstream grads in the output slots; ends with dh0 and the total dL/dh_t. */
  dh: TensorRef;
  /** Saved by simpleRnnForward: x, W, U, h. */
  x: TensorRef;
  W: TensorRef;
  U: TensorRef;
  h: TensorRef;
}

export interface SimpleRnnInferArgs extends RecurrentDims, SimpleRnnCellOptions {
  /** (T, B, H) out: the output at every time; null = last output only (= h). */
  y?: TensorRef | null;
  /** (B, H) in/out: initial state in, final state out. */
  h: TensorRef;
  /** (T, B, H) scratch for the input projection. */
  scratch: TensorRef;
  x: TensorRef;
  W: TensorRef;
  U: TensorRef;
  b: TensorRef;
  /** A kept workspace for the packed W and U ((D + H)·H floats; omitted: a temporary packed every call). */
  packed?: PackedWeights | null;
}

export interface SimpleRnnKernels {
  /** Training forward over a whole sequence (h saved for simpleRnnBackward). */
  simpleRnnForward(args: SimpleRnnForwardArgs): void;
  /** Backward over a whole sequence: dx, dW/dU/db (+=), dh0 (in dh), per-step gradient norms. */
  simpleRnnBackward(args: SimpleRnnBackwardArgs): void;
  /** Inference-only forward: saves nothing; state (B, H) in and out. */
  simpleRnnInfer(args: SimpleRnnInferArgs): void;
}

function cellOptions(c: ArgumentCheck, a: SimpleRnnCellOptions & { accumulateDx?: boolean }, dims: RecurrentDims) {
  const flags = recurrentFlags(c, a);
  const m = checkMasking(c, a, dims.B, dims.T, (flags & REVERSE) !== 0);
  return {
    flags: flags | m.flags,
    act: activationCode(c, 'activation', a.activation ?? 'tanh', CELL_ACTIVATIONS),
    valid: m.valid,
  };
}

function weights(c: ArgumentCheck, a: { W: TensorRef; U: TensorRef }, D: number, H: number) {
  return [tensorArg(c, 'W', a.W, [D, H], '(D, H)'), tensorArg(c, 'U', a.U, [H, H], '(H, H)')];
}

export function simpleRnnKernels(raw: SimpleRnnRaw, checker: Checker): SimpleRnnKernels {
  const arena = checker.arena;
  return {
    simpleRnnForward(a) {
      const c = checker.begin('simple_rnn_forward');
      const { T, B, D, H } = checkDims(c, a);
      const cell = cellOptions(c, a, a);
      const rm = checkRecurrentMask(c, a.recurrentMask, B, H, 1);
      const ins = [tensorArg(c, 'x', a.x, [T, B, D], '(T, B, D)'), ...weights(c, a, D, H), tensorArg(c, 'b', a.b, [H], '(H)'), rm.mask];
      const outs = [tensorArg(c, 'h', a.h, [T + 1, B, H], '(T+1, B, H)')];
      checkNoOverlap(c, outs, ins);
      withTemporaries(arena, c, cell.valid, rm.mask, B, H, (len, scratch, work) =>
        raw.simple_rnn_forward(a.h.ptr, a.x.ptr, a.W.ptr, a.U.ptr, a.b.ptr, len, ptrOf(rm.mask), scratch, work, T, B, D, H, cell.flags, cell.act),
      (D + H) * H);
    },
    simpleRnnBackward(a) {
      const c = checker.begin('simple_rnn_backward');
      const { T, B, D, H } = checkDims(c, a);
      const cell = cellOptions(c, a, a);
      const rm = checkRecurrentMask(c, a.recurrentMask, B, H, 1);
      const ins = [
        tensorArg(c, 'x', a.x, [T, B, D], '(T, B, D)'), ...weights(c, a, D, H),
        tensorArg(c, 'h', a.h, [T + 1, B, H], '(T+1, B, H)'),
        rm.mask,
      ];
      const dx = optionalTensorArg(c, 'dx', a.dx, [T, B, D], '(T, B, D)');
      const hn = optionalF64Arg(c, 'hnorm2', a.hnorm2, T);
      const outs = [
        dx,
        tensorArg(c, 'dW', a.dW, [D, H], '(D, H)'),
        tensorArg(c, 'dU', a.dU, [H, H], '(H, H)'),
        tensorArg(c, 'db', a.db, [H], '(H)'),
        tensorArg(c, 'dgates', a.dgates, [T, B, H], '(T, B, H)'),
        hn,
        tensorArg(c, 'dh', a.dh, [T + 1, B, H], '(T+1, B, H)'),
      ];
      checkNoOverlap(c, outs, ins);
      withTemporaries(arena, c, cell.valid, rm.mask, B, H, (len, scratch) =>
        raw.simple_rnn_backward(ptrOf(dx), a.dW.ptr, a.dU.ptr, a.db.ptr, a.dgates.ptr, ptrOf(hn), a.dh.ptr,
          a.x.ptr, a.W.ptr, a.U.ptr, a.h.ptr, len, ptrOf(rm.mask), scratch, T, B, D, H, cell.flags, cell.act));
    },
    simpleRnnInfer(a) {
      const c = checker.begin('simple_rnn_infer');
      const { T, B, D, H } = checkDims(c, a);
      const cell = cellOptions(c, a, a);
      const ins = [tensorArg(c, 'x', a.x, [T, B, D], '(T, B, D)'), ...weights(c, a, D, H), tensorArg(c, 'b', a.b, [H], '(H)')];
      const y = optionalTensorArg(c, 'y', a.y, [T, B, H], '(T, B, H)');
      const outs = [y, tensorArg(c, 'h', a.h, [B, H], '(B, H)'), tensorArg(c, 'scratch', a.scratch, [T, B, H], '(T, B, H)')];
      const packed = packedArg(c, a.packed, (D + H) * H);
      checkNoOverlap(c, [...outs, packed && packed.work], ins);
      withPackedWork(arena, c, cell.valid, (D + H) * H, packed, (len, work, pre) =>
        raw.simple_rnn_infer(ptrOf(y), a.h.ptr, a.scratch.ptr, work, a.x.ptr, a.W.ptr, a.U.ptr, a.b.ptr, len, T, B, D, H, cell.flags | pre, cell.act));
    },
  };
}

/** The reference raw for the JS backend: bindings/reference/simple-rnn.ts over views of the arena. */
export function simpleRnnReference(arena: Arena): SimpleRnnRaw {
  const f32 = (p: Ptr, n: number) => arena.f32(p, n);
  const opt = (p: Ptr, n: number) => (p === 0 ? null : arena.f32(p, n));
  const optF64 = (p: Ptr, n: number) => (p === 0 ? null : new Float64Array(arena.memory.buffer, p, n));
  const config = (lengths: Ptr, T: number, B: number, D: number, H: number, flags: number, activation: number, rmask: Ptr = 0): RecurrentConfig =>
    ({ T, B, D, H, flags, activation, recurrentActivation: 2, ...validityOf(arena, lengths, T, B, flags),
      recurrentMask: rmask === 0 ? null : arena.f32(rmask, B * H) });
  return {
    simple_rnn_forward(h, x, W, U, b, lengths, rmask, _rscratch, _work, T, B, D, H, flags, act) {
      simpleRnnForward(f32(h, (T + 1) * B * H), f32(x, T * B * D), f32(W, D * H), f32(U, H * H), f32(b, H), config(lengths, T, B, D, H, flags, act, rmask));
    },
    simple_rnn_backward(dx, dW, dU, db, dgates, hnorm2, dh, x, W, U, h, lengths, rmask, _rscratch, T, B, D, H, flags, act) {
      const S = (T + 1) * B * H;
      simpleRnnBackward(
        { dx: opt(dx, T * B * D), dW: f32(dW, D * H), dU: f32(dU, H * H), db: f32(db, H), dgates: f32(dgates, T * B * H), hnorm2: optF64(hnorm2, T) },
        f32(dh, S), f32(x, T * B * D), f32(W, D * H), f32(U, H * H), f32(h, S), config(lengths, T, B, D, H, flags, act, rmask));
    },
    simple_rnn_infer(y, h, scratch, _work, x, W, U, b, lengths, T, B, D, H, flags, act) {
      simpleRnnInfer(opt(y, T * B * H), f32(h, B * H), f32(scratch, T * B * H), f32(x, T * B * D), f32(W, D * H), f32(U, H * H), f32(b, H),
        config(lengths, T, B, D, H, flags, act));
    },
  };
}
