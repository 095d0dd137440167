// A seeded recurrent problem (input, weights, initial states, upstream gradients, lengths) and the slot
// arithmetic of docs/recurrent-abi.md, shared by the LSTM and SimpleRNN tests.
// Legend: T steps, B batch, D input width, H units, G gate width.
import { uniform } from './random.js';

export type Padding = 'none' | 'right' | 'left';

export interface RnnProblem {
  T: number;
  B: number;
  D: number;
  H: number;
  G: number;
  x: Float32Array;
  W: Float32Array;
  U: Float32Array;
  b: Float32Array;
  h0: Float32Array;
  c0: Float32Array;
  /** Upstream dL/d(output at time t), (T, B, H) by time. */
  R: Float32Array;
  /** Upstream dL/d(final c), (B, H). */
  Rc: Float32Array;
  lengths: number[] | null;
  /** (T, B) 0/1 step mask by time, used instead of lengths when given. */
  stepMask?: Uint8Array | null;
  reverse: boolean;
  leftPadded: boolean;
  /** Recurrent dropout mask: (B, H), or (K, B, H) with perGate; absent = none. */
  rmask?: Float32Array | null;
  perGate?: boolean;
}

/** A Keras-style dropout mask of n entries: 0 with probability `rate`, else 1/(1 − rate) (seeded). */
export function dropoutMask(n: number, seed: number, rate = 0.4): Float32Array {
  const u = uniform(n, seed, 0, 1);
  return u.map((v) => (v < rate ? 0 : 1 / (1 - rate)));
}

/** Lengths that cover 0, 1, T and values in between (cycled over B). */
export function lengthsFor(T: number, B: number): number[] {
  const pool = [T, 1, 0, Math.max(1, T - 2), Math.ceil(T / 2), T];
  return Array.from({ length: B }, (_, b) => pool[b % pool.length]);
}

export function makeProblem(
  dims: { T: number; B: number; D: number; H: number; G: number },
  o: { seed: number; padding?: Padding; reverse?: boolean; lengths?: number[]; wScale?: number; uScale?: number },
): RnnProblem {
  const { T, B, D, H, G } = dims;
  const s = o.seed * 101;
  const wScale = o.wScale ?? 0.5, uScale = o.uScale ?? 0.5;
  const padding = o.padding ?? 'none';
  return {
    ...dims,
    x: uniform(T * B * D, s + 1),
    W: uniform(D * G, s + 2, -wScale, wScale),
    U: uniform(H * G, s + 3, -uScale, uScale),
    b: uniform(G, s + 4, -0.3, 0.3),
    h0: uniform(B * H, s + 5, -0.5, 0.5),
    c0: uniform(B * H, s + 6, -0.5, 0.5),
    R: uniform(T * B * H, s + 7),
    Rc: uniform(B * H, s + 8),
    lengths: padding === 'none' ? null : (o.lengths ?? lengthsFor(T, B)),
    reverse: o.reverse ?? false,
    leftPadded: padding === 'left',
  };
}

/** Slot holding the initial state, and the first of the T contiguous output slots (times 0..T-1). */
export const initialSlot = (p: { T: number; reverse: boolean }): number => (p.reverse ? p.T : 0);
export const firstOutputSlot = (p: { reverse: boolean }): number => (p.reverse ? 0 : 1);
/** Slot holding the final state. */
export const finalSlot = (p: { T: number; reverse: boolean }): number => (p.reverse ? 0 : p.T);

/** Whether sample b is valid at time t. */
export function valid(p: RnnProblem, b: number, t: number): boolean {
  if (p.stepMask) return p.stepMask[t * p.B + b] === 1;
  if (p.lengths === null) return true;
  return p.leftPadded ? t >= p.T - p.lengths[b] : t < p.lengths[b];
}

/** A (T+1, B, H) slot buffer with `state` in the initial slot and zeros elsewhere. */
export function slotsWithInitial<A extends Float32Array | Float64Array>(p: RnnProblem, state: ArrayLike<number>, make: (n: number) => A): A {
  const BH = p.B * p.H;
  const out = make((p.T + 1) * BH);
  out.set(state, initialSlot(p) * BH);
  return out;
}

/** A (T+1, B, H) gradient buffer with R in the output slots (the h0 slot gets junk, which must be ignored). */
export function upstreamSlots<A extends Float32Array | Float64Array>(p: RnnProblem, make: (n: number) => A): A {
  const BH = p.B * p.H;
  const out = make((p.T + 1) * BH);
  out.fill(123.5, initialSlot(p) * BH, (initialSlot(p) + 1) * BH);
  out.set(p.R, firstOutputSlot(p) * BH);
  return out;
}

/** Maximum |v| (for scale-aware absolute tolerances). */
export function maxAbs(v: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < v.length; i++) m = Math.max(m, Math.abs(v[i]));
  return m;
}

/** A row's state at one step under Keras masking, in the call's walking order (docs/recurrent-abi.md). */
export type RowState = 'leading' | 'valid' | 'carry';

/**
 * Row states (T, B) by time from a validity function: masked before the row's first valid step in walking
 * order = 'leading' (Keras output 0, state h0), masked after it = 'carry'.
 */
export function rowStatesOf(valid: (b: number, t: number) => boolean, T: number, B: number, reverse: boolean): RowState[] {
  const out: RowState[] = new Array(T * B);
  for (let b = 0; b < B; b++) {
    let started = false;
    for (let k = 0; k < T; k++) {
      const t = reverse ? T - 1 - k : k;
      if (valid(b, t)) started = true;
      out[t * B + b] = valid(b, t) ? 'valid' : started ? 'carry' : 'leading';
    }
  }
  return out;
}

/**
 * A (T, B) 0/1 step mask by time with every pattern Keras allows: row 0 all valid, 1 left padded, 2 right
 * padded, 3 gaps at both ends and inside, 4 all masked, 5 one valid step in the middle, the rest seeded random.
 */
export function gappyMask(T: number, B: number, seed: number): Uint8Array {
  const m = new Uint8Array(T * B);
  const u = uniform(T * B, seed, 0, 1);
  for (let b = 0; b < B; b++) {
    for (let t = 0; t < T; t++) {
      let v: boolean;
      switch (b % 7) {
        case 0: v = true; break;
        case 1: v = t >= Math.floor(T / 3); break;
        case 2: v = t < T - Math.floor(T / 3); break;
        case 3: v = t > 0 && t < T - 1 && t % 3 !== 1; break;
        case 4: v = false; break;
        case 5: v = t === Math.floor(T / 2); break;
        default: v = u[t * B + b] < 0.6;
      }
      m[t * B + b] = v ? 1 : 0;
    }
  }
  return m;
}
