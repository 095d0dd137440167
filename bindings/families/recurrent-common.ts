// Checks shared by the recurrent families (LSTM, GRU, SimpleRNN): dims, the flags bit field, activation
// names, per-sample lengths copied into kernel memory, and "no output overlaps anything else".
// The ABI they check is docs/recurrent-abi.md. Legend: T steps, B batch, D input width, H units.

import type { Arena, Ptr } from '../arena.js';
import { aboveArguments, type ArgumentCheck, type TensorRef } from '../checker.js';
import { ACTIVATIONS, type ActivationName } from '../reference/activations.js';

// ---- flags (i32 bit field)
export const REVERSE = 1;
export const LEFT_PADDED = 2;
export const ACCUMULATE_DX = 4;
export const RESET_AFTER = 8;
/** The recurrent dropout mask is (K, B, H): one mask per gate block (Keras >= 3.8) instead of one (B, H). */
export const PER_GATE_RMASK = 16;
/** `valid` is a (T, B) u8 step mask of row codes instead of (B) lengths (docs/recurrent-abi.md "Masking"). */
export const STEP_MASK = 32;
/**
 * The inference kernels' `work` already holds W and U packed by an earlier call (assembly/recurrent-packed.ts):
 * set by the checked entry points when a caller's `packed` workspace is `current`, never by callers directly.
 */
export const PREPACKED = 64;
/** Rows of the recurrent-dropout scratch: max(B, RSCRATCH_MIN_ROWS) (the masked dU panel is 32 rows). */
export const RSCRATCH_MIN_ROWS = 32;

/** Dimensions of one recurrent layer call. */
export interface RecurrentDims {
  T: number;
  B: number;
  D: number;
  H: number;
}

/** Options every recurrent forward/backward kernel takes (Keras names). */
export interface RecurrentKernelOptions {
  /** Per-sample sequence lengths (B integers in [0, T]); omitted or null = all T (no masking). */
  lengths?: ArrayLike<number> | null;
  /**
   * Per-step mask (Keras masking with any pattern: gaps, left and right padding mixed in one batch):
   * T·B entries, time-major (entry t·B + b is sample b at time t), each 0/false (masked) or 1/true (valid).
   * Use instead of `lengths` (giving both is an error). Keras semantics, also for `reverse`: at a masked step
   * the state is carried; the output repeats the previous output, 0 before the sample's first valid step.
   */
  stepMask?: ArrayLike<number | boolean> | null;
  /** Walk time backwards (Keras go_backwards, Bidirectional's backward layer). */
  reverse?: boolean;
  /** Sample b is valid at times [T - len_b, T) instead of [0, len_b). */
  leftPadded?: boolean;
}

// The families (lstm, gru, simple-rnn) import it by its old local name; the package exports RecurrentKernelOptions.
export type { RecurrentKernelOptions as RecurrentOptions };

/** Activation names `activation` accepts (Keras: tanh default; relu/sigmoid/linear allowed). */
export const CELL_ACTIVATIONS: readonly ActivationName[] = ['tanh', 'relu', 'sigmoid', 'linear'];
/**
 * Names `recurrentActivation` accepts: sigmoid; hard_sigmoid (Keras 3: relu6(x + 3) / 6); hard_sigmoid_tfjs
 * (TF.js' default and Keras 2's hard_sigmoid: clip(0.2·x + 0.5, 0, 1)).
 */
export const GATE_ACTIVATIONS: readonly ActivationName[] = ['sigmoid', 'hard_sigmoid', 'hard_sigmoid_tfjs'];

/** Checks T, B, D, H are positive integers. */
export function checkDims(c: ArgumentCheck, dims: RecurrentDims): RecurrentDims {
  if (typeof dims !== 'object' || dims === null) c.fail('dims', dims, 'must be an object { T, B, D, H }');
  c.dim('T', dims.T);
  c.dim('B', dims.B);
  c.dim('D', dims.D);
  c.dim('H', dims.H);
  return dims;
}

/** Maps an activation name to its ABI code, accepting only `allowed`; the error lists them. */
export function activationCode(c: ArgumentCheck, argument: string, name: unknown, allowed: readonly ActivationName[]): number {
  if (typeof name !== 'string' || !allowed.includes(name as ActivationName)) {
    c.fail(argument, name, `must be one of ${allowed.join(', ')}`);
  }
  return ACTIVATIONS[name as ActivationName];
}

/** The flags bit field from boolean options (each checked to be a boolean when given). */
export function recurrentFlags(
  c: ArgumentCheck,
  o: { reverse?: unknown; leftPadded?: unknown; accumulateDx?: unknown; resetAfter?: unknown },
): number {
  let flags = 0;
  if (o.reverse !== undefined && c.flag('reverse', o.reverse)) flags |= REVERSE;
  if (o.leftPadded !== undefined && c.flag('leftPadded', o.leftPadded)) flags |= LEFT_PADDED;
  if (o.accumulateDx !== undefined && c.flag('accumulateDx', o.accumulateDx)) flags |= ACCUMULATE_DX;
  if (o.resetAfter !== undefined && c.flag('resetAfter', o.resetAfter)) flags |= RESET_AFTER;
  return flags;
}

/**
 * What tells the kernel which steps are valid, as it goes into kernel memory: (B) i32 lengths, a (T, B) u8
 * step mask of row codes (stepMaskCodes), or null (every step valid).
 */
export type Validity = Int32Array | Uint8Array | null;

/**
 * The kernel's row codes of a boolean (T, B) step mask (entry t·B + b), walking each row in the call's
 * direction: 0 masked before the row's first valid step, 1 valid, 2 masked after it (docs/recurrent-abi.md).
 */
export function stepMaskCodes(mask: Uint8Array, T: number, B: number, reverse: boolean): Uint8Array {
  const codes = new Uint8Array(T * B);
  for (let b = 0; b < B; b++) {
    let started = false;
    for (let k = 0; k < T; k++) {
      const i = (reverse ? T - 1 - k : k) * B + b;
      if (mask[i]) started = true;
      codes[i] = mask[i] ? 1 : started ? 2 : 0;
    }
  }
  return codes;
}

/**
 * Validated masking options: lengths (B integers in [0, T]) or a step mask (T·B booleans), never both.
 * Returns what goes into kernel memory and the flag bits to add (STEP_MASK for a step mask).
 */
export function checkMasking(
  c: ArgumentCheck, o: { lengths?: ArrayLike<number> | null; stepMask?: ArrayLike<number | boolean> | null },
  B: number, T: number, reverse: boolean,
): { valid: Validity; flags: number } {
  const lengths = o.lengths, stepMask = o.stepMask;
  const hasLengths = lengths !== undefined && lengths !== null, hasMask = stepMask !== undefined && stepMask !== null;
  if (hasLengths && hasMask) c.fail('stepMask', '[mask]', 'cannot be combined with lengths: pass one of them');
  if (hasMask) return { valid: stepMaskCodes(c.stepMask('stepMask', stepMask, T, B), T, B, reverse), flags: STEP_MASK };
  if (hasLengths) return { valid: c.lengths('lengths', lengths, B, T), flags: 0 };
  return { valid: null, flags: 0 };
}

/** Copies validity data into kernel memory at the arena top (inside a caller's mark/release); 0 for none. */
function putValidity(arena: Arena, valid: Validity): Ptr {
  if (valid === null) return 0;
  if (valid instanceof Int32Array) return arena.putI32(valid);
  const p = arena.allocBytes(valid.length);
  arena.u8.set(valid, p);
  return p;
}

/**
 * The validity argument of the reference raw, read from kernel memory: (B) lengths, or with STEP_MASK the
 * (T, B) row codes (the reference treats code 1 as valid and derives the rest itself).
 */
export function validityOf(arena: Arena, ptr: Ptr, T: number, B: number, flags: number): { lengths: Int32Array | null; stepMask: Uint8Array | null } {
  if (ptr === 0) return { lengths: null, stepMask: null };
  if ((flags & STEP_MASK) !== 0) return { lengths: null, stepMask: new Uint8Array(arena.memory.buffer, ptr, T * B) };
  return { lengths: arena.i32(ptr, B), stepMask: null };
}

/**
 * Runs `call` with the validity data (lengths or step mask) copied into kernel memory (a temporary at the
 * arena top, above every argument `c` checked, released afterwards) or with pointer 0 when there is none.
 * Call only after every check has passed.
 */
export function withLengths<R>(arena: Arena, c: ArgumentCheck, valid: Validity, call: (ptr: Ptr) => R): R {
  if (valid === null) return call(0);
  const mark = arena.mark();
  try {
    aboveArguments(arena, c);
    return call(putValidity(arena, valid));
  } finally {
    arena.release(mark);
  }
}

/**
 * A packed-weights workspace of `floats` floats at the arena top, 64-byte (cache-line) aligned: a packed panel
 * row is 128 bytes, two lines instead of three (B = 1 LSTM inference 1.7 → 1.4 ms per sequence at H = 256).
 */
function allocWork(arena: Arena, floats: number): Ptr {
  return (arena.alloc(floats + 16) + 63) & ~63;
}

/**
 * Lengths (as withLengths) plus a workspace of `floats` floats for an inference kernel's packed weights
 * (docs/recurrent-abi.md, "Inference workspace"), both released after the call. The workspace is arena
 * memory above every planned buffer, so it can never overlap the call's checked arguments.
 */
export function withInferWork<R>(arena: Arena, c: ArgumentCheck, valid: Validity, floats: number, call: (lengths: Ptr, work: Ptr) => R): R {
  const mark = arena.mark();
  try {
    aboveArguments(arena, c);
    const len = putValidity(arena, valid);
    return call(len, allocWork(arena, floats));
  } finally {
    arena.release(mark);
  }
}

/**
 * A workspace the caller keeps between inference calls for W and U packed into panels (docs/recurrent-abi.md
 * "Inference workspace"), so that repeated calls on unchanged weights skip the packing pass.
 */
export interface PackedWeights {
  /** ((D + H)·G) floats, 64-byte aligned (G = 4H LSTM, 3H GRU, H SimpleRNN): the panels. */
  work: TensorRef;
  /**
   * true: `work` holds THIS call's W and U, packed by an earlier call on this workspace, and neither changed
   * since (the caller's promise: src/layers/recurrent.ts keys it by the model's weights version); the kernel
   * reads the panels as they are. false: the kernel packs W and U into `work` first.
   */
  current: boolean;
}

/** Checks an optional `packed` workspace of `floats` floats; returns it as a Checked entry (null when absent). */
export function packedArg(c: ArgumentCheck, p: PackedWeights | null | undefined, floats: number): { work: Checked; current: boolean } | null {
  if (p === undefined || p === null) return null;
  if (typeof p !== 'object') c.fail('packed', p, 'must be { work, current } or null');
  const work = tensorArg(c, 'packed.work', p.work, [floats], '((D + H)·G)');
  if (work.ptr % 64 !== 0) c.fail('packed.work', work.ptr, 'is not 64-byte aligned (a panel row spans two cache lines, not three)');
  if (typeof p.current !== 'boolean') c.fail('packed.current', p.current, 'must be a boolean');
  return { work, current: p.current };
}

/**
 * withInferWork, or with a caller's checked `packed` workspace: lengths only, `work` = its pointer and the
 * PREPACKED flag bit to add when it is current (0 otherwise).
 */
export function withPackedWork<R>(arena: Arena, c: ArgumentCheck, valid: Validity, floats: number, packed: { work: Checked; current: boolean } | null,
  call: (lengths: Ptr, work: Ptr, flags: number) => R): R {
  if (packed === null) return withInferWork(arena, c, valid, floats, (len, work) => call(len, work, 0));
  return withLengths(arena, c, valid, (len) => call(len, packed.work.ptr, packed.current ? PREPACKED : 0));
}

/** A checked buffer of a call: its name, pointer and element count. */
export interface Checked {
  name: string;
  ptr: Ptr;
  n: number;
}

/** Checks a tensor's shape and range; returns it as a Checked entry for the overlap checks. */
export function tensorArg(c: ArgumentCheck, name: string, t: TensorRef, expected: readonly number[], letters: string): Checked {
  const n = c.tensor(name, t, expected, letters);
  return { name, ptr: t.ptr, n };
}

/**
 * An optional tensor (null/undefined = not needed, passed to wasm as pointer 0); checked like tensorArg.
 */
export function optionalTensorArg(c: ArgumentCheck, name: string, t: TensorRef | null | undefined, expected: readonly number[], letters: string): Checked | null {
  if (t === undefined || t === null) return null;
  return tensorArg(c, name, t, expected, letters);
}

/**
 * An optional (T) f64 output (the per-step squared gradient norms): shape [T], 8-byte aligned, 8·T bytes.
 * Returned as a Checked entry of 2·T 4-byte words for the overlap checks.
 */
export function optionalF64Arg(c: ArgumentCheck, name: string, t: TensorRef | null | undefined, T: number): Checked | null {
  if (t === undefined || t === null) return null;
  c.tensor(name, t, [T], '(T)');
  if (t.ptr % 8 !== 0) c.fail(name, t.ptr, 'is not 8-byte aligned (it holds f64)');
  c.buffer(name, t.ptr, 2 * T);
  return { name, ptr: t.ptr, n: 2 * T };
}

/** Every output must be disjoint from every other output and from every input. */
export function checkNoOverlap(c: ArgumentCheck, outputs: ReadonlyArray<Checked | null>, inputs: ReadonlyArray<Checked | null>): void {
  const outs = outputs.filter((o): o is Checked => o !== null);
  const ins = inputs.filter((o): o is Checked => o !== null);
  for (let i = 0; i < outs.length; i++) {
    for (let j = i + 1; j < outs.length; j++) c.disjoint(outs[i].name, outs[i].ptr, outs[i].n, outs[j].name, outs[j].ptr, outs[j].n);
    for (const input of ins) c.disjoint(outs[i].name, outs[i].ptr, outs[i].n, input.name, input.ptr, input.n);
  }
}

/** Options of the training forward/backward with recurrent dropout (docs/recurrent-abi.md "Recurrent dropout"). */
export interface RecurrentDropoutOptions {
  /**
   * Recurrent dropout mask (values 0 or 1/(1 − rate), the same at every step), or null/omitted: none.
   * (B, H): one mask for every gate block; (K, B, H): one per gate block (K = 4 LSTM [i|f|c|o], 3 GRU [z|r|h]),
   * Keras >= 3.8. h_prev ⊙ m feeds the recurrent GEMM only; the state itself is not masked.
   * Pass the same mask to forward and backward.
   */
  recurrentMask?: TensorRef | null;
}

/**
 * The recurrent mask as a Checked input (null when absent) and whether it is per gate: shape (B, H), or
 * (K, B, H) when gateBlocks K > 1 (a 3-d shape is checked against (K, B, H), any other against (B, H)).
 */
export function checkRecurrentMask(c: ArgumentCheck, t: TensorRef | null | undefined, B: number, H: number, gateBlocks: number): { mask: Checked | null; perGate: boolean } {
  if (t === undefined || t === null) return { mask: null, perGate: false };
  const perGate = gateBlocks > 1 && typeof t === 'object' && Array.isArray(t.shape) && t.shape.length === 3;
  if (perGate) return { mask: tensorArg(c, 'recurrentMask', t, [gateBlocks, B, H], `(${gateBlocks}, B, H)`), perGate };
  return { mask: tensorArg(c, 'recurrentMask', t, [B, H], '(B, H)'), perGate };
}

/**
 * Runs `call` with the lengths copied into kernel memory, when a recurrent mask is given a scratch of
 * max(B, 32)·H floats, and when workFloats > 0 a packed-weights workspace (temporaries at the arena top,
 * released afterwards); pointer 0 for what is absent.
 * Call only after every check has passed.
 */
export function withTemporaries<R>(
  arena: Arena, c: ArgumentCheck, valid: Validity, mask: Checked | null, B: number, H: number,
  call: (lengths: Ptr, scratch: Ptr, work: Ptr) => R, workFloats = 0,
): R {
  if (mask === null && workFloats === 0) return withLengths(arena, c, valid, (len) => call(len, 0, 0));
  const mark = arena.mark();
  try {
    aboveArguments(arena, c);
    const len = putValidity(arena, valid);
    const scratch = mask === null ? 0 : arena.alloc(Math.max(B, RSCRATCH_MIN_ROWS) * H);
    const work = workFloats === 0 ? 0 : allocWork(arena, workFloats);
    return call(len, scratch, work);
  } finally {
    arena.release(mark);
  }
}

/** Pointer of an optional checked buffer (0 = not needed). */
export const ptrOf = (t: Checked | null): Ptr => (t === null ? 0 : t.ptr);
