// One recurrent layer over one batch of sequences in ONE fused kernel call, as a tfjs operation.
// Inference (no gradient tape): the `*Infer` kernel, saving nothing. Training (a tape is recording, e.g. inside
// model.fit or tf.grad): the training `*Forward` kernel inside tf.customGrad, whose gradient function runs the
// backward-through-time kernel, so tfjs' optimizers train through it.
//
// Memory (one shared kernel arena, see runtime.ts): each layer keeps its weights resident in kernel memory and
// re-copies a weight only when its tfjs tensor changed (a tf.Variable gets a new dataId on every assign, so
// the check is one identity comparison); a training forward saves x, h, c and the gates in the layer's own
// region, which its backward reads. If the same layer ran another training forward before the first one's
// backward (a layer shared inside one model), the backward recomputes its forward first: still exact.
// Everything else (inference scratch, backward's dh/dgates/dx/dW...) is a temporary at the arena top.
//
// tfjs order and layout: tfjs is batch-major (B, T, D) and emits sequence outputs in processing order (with
// goBackwards output j is time T-1-j); the kernels are time-major with (T+1, B, H) state slots
// (docs/recurrent-abi.md); the row copies below convert in the same pass as the copy.
// Legend: T steps, B batch, D input width, H units, G gate width (4H LSTM, 3H GRU, H SimpleRNN),
// S saved gate width (4H LSTM and GRU, none for SimpleRNN).

import type { Arena, Kernels, Ptr } from '../../bindings/index.js';
import type { ActivationName } from '../../bindings/reference/activations.js';
import type { Tensor, TfNamespace } from './tf-types.js';
import { addRow, putTimeMajor, readBatchMajor, readSequence } from './time-major.js';

/** The recurrent cell of a fused layer: its kind and the settings the kernels need. */
export interface CellSpec {
  kind: 'lstm' | 'gru' | 'simple_rnn';
  /** Units H. */
  units: number;
  activation: ActivationName;
  /** LSTM and GRU gates (ignored by SimpleRNN). */
  recurrentActivation: ActivationName;
  /** GRU only: Keras reset_after (bias (2, 3H)). */
  resetAfter: boolean;
}

/** One call: the (already dropped-out) input, the weights as tfjs tensors and the per-call options. */
export interface SequenceArgs {
  /** (B, T, D) float32. */
  x: Tensor;
  kernel: Tensor;
  recurrentKernel: Tensor;
  /** null when the layer has useBias false (the kernels then get a zero bias). */
  bias: Tensor | null;
  /** (B, H) h0 (and LSTM c0), or null for zeros. */
  initialState: Tensor[] | null;
  /** Per-sample valid lengths from a one-sided mask, or null (all T). */
  lengths: Int32Array | null;
  leftPadded: boolean;
  /** A mask with gaps: (T, B) time-major, 1 = valid step; or null. Never together with lengths. */
  stepMask: Uint8Array | null;
  goBackwards: boolean;
  returnSequences: boolean;
  /** Also return the final states (returnState or stateful). */
  returnStates: boolean;
  /** (B, H) recurrent dropout mask (values 0 or 1/(1-rate)), the same at every step; null = none. */
  recurrentMask: Float32Array | null;
  /** Build the customGrad (training) path. */
  needGrad: boolean;
}

const ZERO = 0;

const stateCount = (spec: CellSpec): number => (spec.kind === 'lstm' ? 2 : 1);
const gateWidth = (spec: CellSpec): number => (spec.kind === 'lstm' ? 4 : spec.kind === 'gru' ? 3 : 1) * spec.units;
const savedWidth = (spec: CellSpec): number => (spec.kind === 'simple_rnn' ? 0 : 4 * spec.units);
const biasLength = (spec: CellSpec): number => (spec.kind === 'gru' && spec.resetAfter ? 6 * spec.units : gateWidth(spec));
const biasShape = (spec: CellSpec): number[] => (spec.kind === 'gru' && spec.resetAfter ? [2, 3 * spec.units] : [gateWidth(spec)]);

/** A weight resident in kernel memory and the tfjs data it was copied from. */
interface ResidentWeight {
  ptr: Ptr;
  n: number;
  source: unknown;
}

/** The kernel-memory region a training forward saves for its backward. */
interface TrainRegion {
  /** Capacity in floats of x, h, c, gates. */
  sizes: number[];
  x: Ptr;
  h: Ptr;
  c: Ptr;
  gates: Ptr;
  /** Which forward the region holds (compared with the backward's own number). */
  generation: number;
}

/** Counters a test or a benchmark reads: kernel calls and weight uploads of one layer. */
export interface FusedSequenceStats {
  inferCalls: number;
  forwardCalls: number;
  backwardCalls: number;
  /** Backward passes that had to recompute their forward (the region held a later forward). */
  recomputed: number;
  /** Weight tensors copied into kernel memory (a cached weight is not copied again). */
  weightUploads: number;
}

/** The fused kernel calls of one tfjs recurrent layer (one direction). */
export class FusedSequence {
  private readonly weights: ResidentWeight[] = [];
  private zeroBias: ResidentWeight | null = null;
  private region: TrainRegion | null = null;
  private generation = 0;
  readonly stats: FusedSequenceStats = { inferCalls: 0, forwardCalls: 0, backwardCalls: 0, recomputed: 0, weightUploads: 0 };

  constructor(
    private readonly tf: TfNamespace,
    private readonly kernels: Kernels,
  ) {}

  private get arena(): Arena {
    return this.kernels.arena;
  }

  /** Runs the layer: [output, ...final states (only with returnStates)]. */
  run(spec: CellSpec, a: SequenceArgs): Tensor[] {
    return a.needGrad ? this.runTraining(spec, a) : this.runInference(spec, a);
  }

  // ---- weights

  /** Pointer of weight `i` in kernel memory, uploading it if its tensor changed since the last call. */
  private resident(i: number, t: Tensor): Ptr {
    const n = t.size;
    let w = this.weights[i];
    if (w === undefined || w.n !== n) {
      w = { ptr: this.arena.alloc(n), n, source: null };
      this.weights[i] = w;
    }
    if (w.source !== t.dataId) {
      this.arena.F32.set(t.dataSync() as Float32Array, w.ptr >> 2);
      w.source = t.dataId;
      this.stats.weightUploads++;
    }
    return w.ptr;
  }

  private weightPtrs(spec: CellSpec, a: SequenceArgs): { W: Ptr; U: Ptr; b: Ptr } {
    const W = this.resident(0, a.kernel);
    const U = this.resident(1, a.recurrentKernel);
    let b: Ptr;
    if (a.bias !== null) {
      b = this.resident(2, a.bias);
    } else {
      const n = biasLength(spec);
      if (this.zeroBias === null || this.zeroBias.n !== n) this.zeroBias = { ptr: this.arena.allocZeroed(n), n, source: null };
      b = this.zeroBias.ptr;
    }
    return { W, U, b };
  }

  // ---- inference

  private runInference(spec: CellSpec, a: SequenceArgs): Tensor[] {
    const tf = this.tf;
    const [B, T, D] = a.x.shape as number[];
    const H = spec.units;
    const arena = this.arena;
    const xData = a.x.dataSync() as Float32Array;
    const { W, U, b } = this.weightPtrs(spec, a);
    const mark = arena.mark();
    try {
      const x = arena.alloc(T * B * D);
      putTimeMajor(arena, x, xData, B, T, D);
      const h = arena.alloc(B * H);
      const c = spec.kind === 'lstm' ? arena.alloc(B * H) : ZERO;
      this.putInitialStates(a, [h, c], B, H);
      const y = a.returnSequences ? arena.alloc(T * B * H) : ZERO;
      const scratch = arena.alloc(T * B * (spec.kind === 'simple_rnn' ? H : 4 * H));
      const common = {
        T, B, D, H, lengths: a.lengths, stepMask: a.stepMask, reverse: a.goBackwards, leftPadded: a.leftPadded,
        x: { ptr: x, shape: [T, B, D] }, W: { ptr: W, shape: [D, gateWidth(spec)] }, U: { ptr: U, shape: [H, gateWidth(spec)] },
        b: { ptr: b, shape: biasShape(spec) }, h: { ptr: h, shape: [B, H] },
        y: y === ZERO ? null : { ptr: y, shape: [T, B, H] },
      };
      if (spec.kind === 'lstm') {
        this.kernels.lstmInfer({ ...common, c: { ptr: c, shape: [B, H] }, scratch: { ptr: scratch, shape: [T, B, 4 * H] },
          activation: spec.activation, recurrentActivation: spec.recurrentActivation });
      } else if (spec.kind === 'gru') {
        this.kernels.gruInfer({ ...common, scratch: { ptr: scratch, shape: [T, B, 4 * H] },
          activation: spec.activation, recurrentActivation: spec.recurrentActivation, resetAfter: spec.resetAfter });
      } else {
        this.kernels.simpleRnnInfer({ ...common, scratch: { ptr: scratch, shape: [T, B, H] }, activation: spec.activation });
      }
      this.stats.inferCalls++;
      const output = a.returnSequences
        ? tf.tensor3d(readSequence(arena, y, B, T, H, a.goBackwards, (t) => t), [B, T, H])
        : tf.tensor2d(arena.readF32(h, B * H), [B, H]);
      if (!a.returnStates) return [output];
      const states = [tf.tensor2d(arena.readF32(h, B * H), [B, H])];
      if (spec.kind === 'lstm') states.push(tf.tensor2d(arena.readF32(c, B * H), [B, H]));
      return [output, ...states];
    } finally {
      arena.release(mark);
    }
  }

  /** Writes the initial states (or zeros) into the (B, H) blocks `dst` (0 entries skipped). */
  private putInitialStates(a: SequenceArgs, dst: Ptr[], B: number, H: number): void {
    const F32 = this.arena.F32;
    dst.forEach((p, i) => {
      if (p === ZERO) return;
      const s = a.initialState?.[i];
      if (s) F32.set(s.dataSync() as Float32Array, p >> 2);
      else F32.fill(0, p >> 2, (p >> 2) + B * H);
    });
  }

  // ---- training: forward in customGrad, backward-through-time in its gradient

  private ensureRegion(spec: CellSpec, T: number, B: number, D: number): TrainRegion {
    const H = spec.units;
    const sizes = [T * B * D, (T + 1) * B * H, (T + 1) * B * H, Math.max(1, T * B * savedWidth(spec))];
    const r = this.region;
    if (r === null || sizes.some((n, i) => n > r.sizes[i])) {
      // The old region (if any) stays allocated (the arena is a bump allocator); each buffer keeps the largest
      // size seen, so this happens only when a call is larger than every earlier one.
      const grown = sizes.map((n, i) => Math.max(n, r?.sizes[i] ?? 0));
      const [x, h, c, gates] = grown.map((n) => this.arena.alloc(n));
      this.region = { sizes: grown, x, h, c, gates, generation: -1 };
    }
    return this.region!;
  }

  /** The training forward into the region; returns the region (x, h, c, gates filled). */
  private forwardIntoRegion(spec: CellSpec, a: SequenceArgs, xData: Float32Array, h0: Float32Array | null, c0: Float32Array | null,
    B: number, T: number, D: number): TrainRegion {
    const H = spec.units;
    const r = this.ensureRegion(spec, T, B, D);
    const { W, U, b } = this.weightPtrs(spec, a);
    const arena = this.arena;
    putTimeMajor(arena, r.x, xData, B, T, D);
    const slot0 = a.goBackwards ? T : 0;
    const F32 = arena.F32;
    const putState = (dst: Ptr, v: Float32Array | null) => {
      const at = (dst >> 2) + slot0 * B * H;
      if (v) F32.set(v, at);
      else F32.fill(0, at, at + B * H);
    };
    putState(r.h, h0);
    if (spec.kind === 'lstm') putState(r.c, c0);
    const mark = arena.mark();
    try {
      const mask = a.recurrentMask === null ? null : { ptr: arena.putF32(a.recurrentMask), shape: [B, H] };
      const common = {
        T, B, D, H, lengths: a.lengths, stepMask: a.stepMask, reverse: a.goBackwards, leftPadded: a.leftPadded, recurrentMask: mask,
        x: { ptr: r.x, shape: [T, B, D] }, W: { ptr: W, shape: [D, gateWidth(spec)] }, U: { ptr: U, shape: [H, gateWidth(spec)] },
        b: { ptr: b, shape: biasShape(spec) }, h: { ptr: r.h, shape: [T + 1, B, H] },
      };
      if (spec.kind === 'lstm') {
        this.kernels.lstmForward({ ...common, c: { ptr: r.c, shape: [T + 1, B, H] }, gates: { ptr: r.gates, shape: [T, B, 4 * H] },
          activation: spec.activation, recurrentActivation: spec.recurrentActivation });
      } else if (spec.kind === 'gru') {
        this.kernels.gruForward({ ...common, gates: { ptr: r.gates, shape: [T, B, 4 * H] },
          activation: spec.activation, recurrentActivation: spec.recurrentActivation, resetAfter: spec.resetAfter });
      } else {
        this.kernels.simpleRnnForward({ ...common, activation: spec.activation });
      }
    } finally {
      arena.release(mark);
    }
    this.stats.forwardCalls++;
    r.generation = ++this.generation;
    return r;
  }

  private runTraining(spec: CellSpec, a: SequenceArgs): Tensor[] {
    const tf = this.tf;
    const [B, T, D] = a.x.shape as number[];
    const H = spec.units;
    const nStates = stateCount(spec);
    const hasInit = a.initialState !== null && a.initialState.length > 0;
    // Outputs in tfjs order: K rows per sample (T with returnSequences, else the last output), then the final
    // states; packed into ONE tensor because customGrad has one output (slices give each its gradient).
    const K = a.returnSequences ? T : 1;
    const S = a.returnStates ? nStates : 0;
    const inputs: Tensor[] = [a.x, a.kernel, a.recurrentKernel];
    if (a.bias !== null) inputs.push(a.bias);
    if (hasInit) inputs.push(...a.initialState!);
    const finalSlot = a.goBackwards ? 0 : T;
    const slotOfTime = (t: number) => (a.goBackwards ? t : t + 1);

    const op = tf.customGrad((...args: unknown[]) => {
      const xData = a.x.dataSync() as Float32Array;
      const h0 = hasInit ? (a.initialState![0].dataSync() as Float32Array) : null;
      const c0 = hasInit && spec.kind === 'lstm' ? (a.initialState![1].dataSync() as Float32Array) : null;
      void args;
      const region = this.forwardIntoRegion(spec, a, xData, h0, c0, B, T, D);
      const generation = region.generation;
      const arena = this.arena;
      const packed = new Float32Array(B * (K + S) * H);
      const F32 = arena.F32;
      const R = K + S;
      for (let b = 0; b < B; b++) {
        for (let k = 0; k < K; k++) {
          const slot = a.returnSequences ? slotOfTime(a.goBackwards ? T - 1 - k : k) : finalSlot;
          const from = (region.h >> 2) + (slot * B + b) * H;
          packed.set(F32.subarray(from, from + H), (b * R + k) * H);
        }
        for (let s = 0; s < S; s++) {
          const from = ((s === 0 ? region.h : region.c) >> 2) + (finalSlot * B + b) * H;
          packed.set(F32.subarray(from, from + H), (b * R + K + s) * H);
        }
      }
      const value = S === 0
        ? (a.returnSequences ? tf.tensor3d(packed, [B, T, H]) : tf.tensor2d(packed, [B, H]))
        : tf.tensor3d(packed, [B, R, H]);
      const gradFunc = (dy: Tensor): Tensor[] => {
        let r = this.region!;
        if (r.generation !== generation) {
          // Another training forward of this layer ran since: recompute ours (same inputs, same weights).
          r = this.forwardIntoRegion(spec, a, xData, h0, c0, B, T, D);
          this.stats.recomputed++;
        }
        return this.backward(spec, a, r, dy.dataSync() as Float32Array, { B, T, D, K, S, hasInit });
      };
      return { value, gradFunc };
    });
    const value = op(...inputs);
    if (S === 0) return [value];
    const output = a.returnSequences
      ? tf.slice(value, [0, 0, 0], [B, T, H])
      : tf.reshape(tf.slice(value, [0, 0, 0], [B, 1, H]), [B, H]);
    const states: Tensor[] = [];
    for (let s = 0; s < S; s++) states.push(tf.reshape(tf.slice(value, [0, K + s, 0], [B, 1, H]), [B, H]));
    return [output, ...states];
  }

  private backward(spec: CellSpec, a: SequenceArgs, r: TrainRegion, dy: Float32Array,
    d: { B: number; T: number; D: number; K: number; S: number; hasInit: boolean }): Tensor[] {
    const tf = this.tf;
    const { B, T, D, K, S } = d;
    const H = spec.units, G = gateWidth(spec);
    const arena = this.arena;
    const { W, U, b } = this.weightPtrs(spec, a);
    const finalSlot = a.goBackwards ? 0 : T;
    const slotOfTime = (t: number) => (a.goBackwards ? t : t + 1);
    const R = K + S;
    const mark = arena.mark();
    try {
      const dh = arena.allocZeroed((T + 1) * B * H);
      const dc = spec.kind === 'lstm' ? arena.allocZeroed(B * H) : ZERO;
      const dc0 = spec.kind === 'lstm' ? arena.alloc(B * H) : ZERO;
      const dW = arena.allocZeroed(D * G);
      const dU = arena.allocZeroed(H * G);
      const nb = biasLength(spec);
      const db = arena.allocZeroed(nb);
      const dx = arena.alloc(T * B * D);
      const dgates = arena.alloc(T * B * (spec.kind === 'simple_rnn' ? H : 4 * H));
      const F32 = arena.F32;
      // Upstream gradients into the output slots (+= : without returnSequences the last output IS the final
      // state, and returnState adds the state's own gradient to the same slot).
      for (let bi = 0; bi < B; bi++) {
        for (let k = 0; k < K; k++) {
          const slot = a.returnSequences ? slotOfTime(a.goBackwards ? T - 1 - k : k) : finalSlot;
          addRow(F32, (dh >> 2) + (slot * B + bi) * H, dy, (bi * R + k) * H, H);
        }
        if (S > 0) addRow(F32, (dh >> 2) + (finalSlot * B + bi) * H, dy, (bi * R + K) * H, H);
        if (S > 1) addRow(F32, (dc >> 2) + bi * H, dy, (bi * R + K + 1) * H, H);
      }
      const mask = a.recurrentMask === null ? null : { ptr: arena.putF32(a.recurrentMask), shape: [B, H] };
      const common = {
        T, B, D, H, lengths: a.lengths, stepMask: a.stepMask, reverse: a.goBackwards, leftPadded: a.leftPadded, recurrentMask: mask,
        dx: { ptr: dx, shape: [T, B, D] }, dW: { ptr: dW, shape: [D, G] }, dU: { ptr: dU, shape: [H, G] },
        db: { ptr: db, shape: biasShape(spec) }, dh: { ptr: dh, shape: [T + 1, B, H] },
        x: { ptr: r.x, shape: [T, B, D] }, W: { ptr: W, shape: [D, G] }, U: { ptr: U, shape: [H, G] },
        h: { ptr: r.h, shape: [T + 1, B, H] },
      };
      if (spec.kind === 'lstm') {
        this.kernels.lstmBackward({ ...common, dc0: { ptr: dc0, shape: [B, H] }, dgates: { ptr: dgates, shape: [T, B, 4 * H] },
          dc: { ptr: dc, shape: [B, H] }, gates: { ptr: r.gates, shape: [T, B, 4 * H] }, c: { ptr: r.c, shape: [T + 1, B, H] },
          activation: spec.activation, recurrentActivation: spec.recurrentActivation });
      } else if (spec.kind === 'gru') {
        this.kernels.gruBackward({ ...common, dgates: { ptr: dgates, shape: [T, B, 4 * H] }, gates: { ptr: r.gates, shape: [T, B, 4 * H] },
          activation: spec.activation, recurrentActivation: spec.recurrentActivation, resetAfter: spec.resetAfter });
      } else {
        this.kernels.simpleRnnBackward({ ...common, dgates: { ptr: dgates, shape: [T, B, H] }, activation: spec.activation });
      }
      this.stats.backwardCalls++;
      const grads: Tensor[] = [
        tf.tensor3d(readBatchMajor(arena, dx, B, T, D), [B, T, D]),
        tf.tensor(arena.readF32(dW, D * G), [D, G]),
        tf.tensor(arena.readF32(dU, H * G), [H, G]),
      ];
      if (a.bias !== null) grads.push(tf.tensor(arena.readF32(db, nb), biasShape(spec)));
      if (d.hasInit) {
        const slot0 = a.goBackwards ? T : 0;
        grads.push(tf.tensor2d(arena.readF32(dh + slot0 * B * H * 4, B * H), [B, H]));
        if (spec.kind === 'lstm') grads.push(tf.tensor2d(arena.readF32(dc0, B * H), [B, H]));
      }
      return grads;
    } finally {
      arena.release(mark);
    }
  }
}
