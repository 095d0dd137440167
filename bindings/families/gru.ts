// GRU family: raw ABI (wasm exports and the JS reference), checked entry points, and the reference raw.
// One call = one layer over a whole sequence in one direction; ABI in docs/recurrent-abi.md, maths in
// docs/gru.md. Legend: T steps, B batch, D input width, H units, G = 3H; Keras gate order [z | r | h(n)].
// resetAfter (Keras 3 default, true): bias (2, 3H) = [input bias; recurrent bias]; false (Keras 2 / tfjs):
// bias (3H).

import type { Arena, Ptr } from '../arena.js';
import type { ArgumentCheck, Checker, TensorRef } from '../checker.js';
import type { ActivationName } from '../reference/activations.js';
import { gruBackward, gruForward, gruInfer } from '../reference/gru.js';
import type { RecurrentConfig } from '../reference/recurrent-common.js';
import {
  CELL_ACTIVATIONS, GATE_ACTIVATIONS, PER_GATE_RMASK, RESET_AFTER, REVERSE, activationCode, checkDims, optionalF64Arg, validityOf, checkMasking,
  checkNoOverlap, checkRecurrentMask, optionalTensorArg, packedArg, ptrOf, recurrentFlags, tensorArg, withPackedWork, withTemporaries,
  type Checked, type PackedWeights, type RecurrentDims, type Validity, type RecurrentDropoutOptions, type RecurrentOptions,
} from './recurrent-common.js';

export interface GruRaw {
  /** work: (D + H)·3H floats for the packed W and U, or 0 (docs/recurrent-abi.md); likewise gru_infer. */
  gru_forward(
    h: Ptr, gates: Ptr, x: Ptr, W: Ptr, U: Ptr, b: Ptr, lengths: Ptr, rmask: Ptr, rscratch: Ptr, work: Ptr,
    T: number, B: number, D: number, H: number, flags: number, activation: number, recurrentActivation: number,
  ): void;
  gru_backward(
    dx: Ptr, dW: Ptr, dU: Ptr, db: Ptr, dgates: Ptr, hnorm2: Ptr, dh: Ptr,
    x: Ptr, W: Ptr, U: Ptr, gates: Ptr, h: Ptr, lengths: Ptr, rmask: Ptr, rscratch: Ptr,
    T: number, B: number, D: number, H: number, flags: number, activation: number, recurrentActivation: number,
  ): void;
  gru_infer(
    y: Ptr, h: Ptr, scratch: Ptr, work: Ptr, x: Ptr, W: Ptr, U: Ptr, b: Ptr, lengths: Ptr,
    T: number, B: number, D: number, H: number, flags: number, activation: number, recurrentActivation: number,
  ): void;
}

/** Cell options (Keras names and defaults: activation tanh, recurrentActivation sigmoid, resetAfter true). */
export interface GruCellOptions extends RecurrentOptions {
  activation?: ActivationName;
  recurrentActivation?: ActivationName;
  /** Keras reset_after: true (Keras 3 default) applies r after the recurrent GEMM; false (Keras 2, tfjs) before. */
  resetAfter?: boolean;
}

/** Weights and input: x (T, B, D), W (D, 3H), U (H, 3H), b (2, 3H) with resetAfter, else (3H). */
export interface GruInputs {
  x: TensorRef;
  W: TensorRef;
  U: TensorRef;
  b: TensorRef;
}

export interface GruForwardArgs extends RecurrentDims, GruCellOptions, RecurrentDropoutOptions, GruInputs {
  /** (T+1, B, H): h0 in slot 0 (slot T with reverse); outputs in the other slots. */
  h: TensorRef;
  /** (T, B, 4H) out: [z | r | n | hn], saved for backward. */
  gates: TensorRef;
}

export interface GruBackwardArgs extends RecurrentDims, GruCellOptions, RecurrentDropoutOptions {
  /** (T, B, D) out (null: not needed); written, or added to with accumulateDx. */
  dx?: TensorRef | null;
  accumulateDx?: boolean;
  /** (D, 3H), (H, 3H), (2, 3H) or (3H): accumulated into (+=). */
  dW: TensorRef;
  dU: TensorRef;
  db: TensorRef;
  /** (T, B, 4H) out: [dz_pre | dr_pre | dn_pre | dn_rec]. */
  dgates: TensorRef;
  /** (T) f64 out (8-byte aligned, 8·T bytes): ‖total dL/dh_t‖² by time (null: not needed). */
  hnorm2?: TensorRef | null;
  /** (T+1, B, H) in/out: upstream grads in the output slots; ends with dh0 and the total dL/dh_t. */
  dh: TensorRef;
  /** Saved by gruForward: x, W, U, gates, h. */
  x: TensorRef;
  W: TensorRef;
  U: TensorRef;
  gates: TensorRef;
  h: TensorRef;
}

export interface GruInferArgs extends RecurrentDims, GruCellOptions, GruInputs {
  /** (T, B, H) out: the output at every time; null = last output only (= h). */
  y?: TensorRef | null;
  /** (B, H) in/out: initial state in, final state out. */
  h: TensorRef;
  /** (T, B, 4H) scratch for the input projection and per-step products. */
  scratch: TensorRef;
  /** A kept workspace for the packed W and U ((D + H)·3H floats; omitted: a temporary packed every call). */
  packed?: PackedWeights | null;
}

export interface GruKernels {
  /** Training forward over a whole sequence (saves gates and h for gruBackward). */
  gruForward(args: GruForwardArgs): void;
  /** Backward over a whole sequence: dx, dW/dU/db (+=), dh0 (in dh), per-step gradient norms. */
  gruBackward(args: GruBackwardArgs): void;
  /** Inference-only forward: saves nothing; state (B, H) in and out. */
  gruInfer(args: GruInferArgs): void;
}

interface Cell {
  flags: number;
  act: number;
  ract: number;
  valid: Validity;
  resetAfter: boolean;
}

function cellOptions(c: ArgumentCheck, a: GruCellOptions & { accumulateDx?: boolean }, dims: RecurrentDims): Cell {
  const resetAfter = a.resetAfter ?? true; // Keras 3 default
  const flags = recurrentFlags(c, { ...a, resetAfter });
  const m = checkMasking(c, a, dims.B, dims.T, (flags & REVERSE) !== 0);
  return {
    flags: flags | m.flags,
    act: activationCode(c, 'activation', a.activation ?? 'tanh', CELL_ACTIVATIONS),
    ract: activationCode(c, 'recurrentActivation', a.recurrentActivation ?? 'sigmoid', GATE_ACTIVATIONS),
    valid: m.valid,
    resetAfter: (flags & RESET_AFTER) !== 0,
  };
}

const biasShape = (H: number, resetAfter: boolean): [number[], string] =>
  resetAfter ? [[2, 3 * H], '(2, 3H)'] : [[3 * H], '(3H)'];

function weights(c: ArgumentCheck, a: { W: TensorRef; U: TensorRef }, D: number, H: number, prefix = ''): Checked[] {
  return [
    tensorArg(c, `${prefix}W`, a.W, [D, 3 * H], '(D, 3H)'),
    tensorArg(c, `${prefix}U`, a.U, [H, 3 * H], '(H, 3H)'),
  ];
}

export function gruKernels(raw: GruRaw, checker: Checker): GruKernels {
  const arena = checker.arena;
  return {
    gruForward(a) {
      const c = checker.begin('gru_forward');
      const { T, B, D, H } = checkDims(c, a);
      const cell = cellOptions(c, a, a);
      const [bs, bl] = biasShape(H, cell.resetAfter);
      const rm = checkRecurrentMask(c, a.recurrentMask, B, H, 3);
      const flags = cell.flags | (rm.perGate ? PER_GATE_RMASK : 0);
      const ins = [tensorArg(c, 'x', a.x, [T, B, D], '(T, B, D)'), ...weights(c, a, D, H), tensorArg(c, 'b', a.b, bs, bl), rm.mask];
      const outs = [
        tensorArg(c, 'h', a.h, [T + 1, B, H], '(T+1, B, H)'),
        tensorArg(c, 'gates', a.gates, [T, B, 4 * H], '(T, B, 4H)'),
      ];
      checkNoOverlap(c, outs, ins);
      withTemporaries(arena, c, cell.valid, rm.mask, B, H, (len, scratch, work) =>
        raw.gru_forward(a.h.ptr, a.gates.ptr, a.x.ptr, a.W.ptr, a.U.ptr, a.b.ptr, len, ptrOf(rm.mask), scratch, work, T, B, D, H, flags, cell.act, cell.ract),
      (D + H) * 3 * H);
    },
    gruBackward(a) {
      const c = checker.begin('gru_backward');
      const { T, B, D, H } = checkDims(c, a);
      const cell = cellOptions(c, a, a);
      const [bs, bl] = biasShape(H, cell.resetAfter);
      const rm = checkRecurrentMask(c, a.recurrentMask, B, H, 3);
      const flags = cell.flags | (rm.perGate ? PER_GATE_RMASK : 0);
      const ins = [
        tensorArg(c, 'x', a.x, [T, B, D], '(T, B, D)'), ...weights(c, a, D, H),
        tensorArg(c, 'gates', a.gates, [T, B, 4 * H], '(T, B, 4H)'),
        tensorArg(c, 'h', a.h, [T + 1, B, H], '(T+1, B, H)'),
        rm.mask,
      ];
      const dx = optionalTensorArg(c, 'dx', a.dx, [T, B, D], '(T, B, D)');
      const hn = optionalF64Arg(c, 'hnorm2', a.hnorm2, T);
      const outs = [
        dx,
        ...weights(c, { W: a.dW, U: a.dU }, D, H, 'd'),
        tensorArg(c, 'db', a.db, bs, bl),
        tensorArg(c, 'dgates', a.dgates, [T, B, 4 * H], '(T, B, 4H)'),
        hn,
        tensorArg(c, 'dh', a.dh, [T + 1, B, H], '(T+1, B, H)'),
      ];
      checkNoOverlap(c, outs, ins);
      withTemporaries(arena, c, cell.valid, rm.mask, B, H, (len, scratch) =>
        raw.gru_backward(ptrOf(dx), a.dW.ptr, a.dU.ptr, a.db.ptr, a.dgates.ptr, ptrOf(hn), a.dh.ptr,
          a.x.ptr, a.W.ptr, a.U.ptr, a.gates.ptr, a.h.ptr, len, ptrOf(rm.mask), scratch, T, B, D, H, flags, cell.act, cell.ract));
    },
    gruInfer(a) {
      const c = checker.begin('gru_infer');
      const { T, B, D, H } = checkDims(c, a);
      const cell = cellOptions(c, a, a);
      const [bs, bl] = biasShape(H, cell.resetAfter);
      const ins = [tensorArg(c, 'x', a.x, [T, B, D], '(T, B, D)'), ...weights(c, a, D, H), tensorArg(c, 'b', a.b, bs, bl)];
      const y = optionalTensorArg(c, 'y', a.y, [T, B, H], '(T, B, H)');
      const outs = [
        y,
        tensorArg(c, 'h', a.h, [B, H], '(B, H)'),
        tensorArg(c, 'scratch', a.scratch, [T, B, 4 * H], '(T, B, 4H)'),
      ];
      const packed = packedArg(c, a.packed, (D + H) * 3 * H);
      checkNoOverlap(c, [...outs, packed && packed.work], ins);
      withPackedWork(arena, c, cell.valid, (D + H) * 3 * H, packed, (len, work, pre) =>
        raw.gru_infer(ptrOf(y), a.h.ptr, a.scratch.ptr, work, a.x.ptr, a.W.ptr, a.U.ptr, a.b.ptr, len, T, B, D, H, cell.flags | pre, cell.act, cell.ract));
    },
  };
}

/** The reference raw for the JS backend: bindings/reference/gru.ts over views of the arena. */
export function gruReference(arena: Arena): GruRaw {
  const f32 = (p: Ptr, n: number) => arena.f32(p, n);
  const opt = (p: Ptr, n: number) => (p === 0 ? null : arena.f32(p, n));
  const optF64 = (p: Ptr, n: number) => (p === 0 ? null : new Float64Array(arena.memory.buffer, p, n));
  const config = (lengths: Ptr, T: number, B: number, D: number, H: number, flags: number, activation: number, recurrentActivation: number, rmask: Ptr = 0): RecurrentConfig =>
    ({ T, B, D, H, flags, activation, recurrentActivation, ...validityOf(arena, lengths, T, B, flags),
      recurrentMask: rmask === 0 ? null : arena.f32(rmask, ((flags & PER_GATE_RMASK) !== 0 ? 3 : 1) * B * H) });
  const nb = (H: number, flags: number) => ((flags & RESET_AFTER) !== 0 ? 6 * H : 3 * H);
  return {
    gru_forward(h, gates, x, W, U, b, lengths, rmask, _rscratch, _work, T, B, D, H, flags, act, ract) {
      const G = 3 * H;
      gruForward(f32(h, (T + 1) * B * H), f32(gates, T * B * 4 * H), f32(x, T * B * D), f32(W, D * G), f32(U, H * G),
        f32(b, nb(H, flags)), config(lengths, T, B, D, H, flags, act, ract, rmask));
    },
    gru_backward(dx, dW, dU, db, dgates, hnorm2, dh, x, W, U, gates, h, lengths, rmask, _rscratch, T, B, D, H, flags, act, ract) {
      const S = (T + 1) * B * H, G = 3 * H;
      gruBackward(opt(dx, T * B * D), f32(dW, D * G), f32(dU, H * G), f32(db, nb(H, flags)), f32(dgates, T * B * 4 * H),
        optF64(hnorm2, T), f32(dh, S), f32(x, T * B * D), f32(W, D * G), f32(U, H * G), f32(gates, T * B * 4 * H), f32(h, S),
        config(lengths, T, B, D, H, flags, act, ract, rmask));
    },
    gru_infer(y, h, _scratch, _work, x, W, U, b, lengths, T, B, D, H, flags, act, ract) {
      const G = 3 * H;
      gruInfer(opt(y, T * B * H), f32(h, B * H), f32(x, T * B * D), f32(W, D * G), f32(U, H * G), f32(b, nb(H, flags)),
        config(lengths, T, B, D, H, flags, act, ract));
    },
  };
}
