// Streaming inference: one time step (or a chunk of steps) per call, the recurrent state (h, and c for
// LSTM) kept in wasm memory between calls. Every step runs the same kernels as a whole-sequence predict
// with T = 1 and the state as the carry, so the outputs are bit-identical to predict's (tested).
// Masking (Embedding maskZero): a step whose id is 0 carries the state (Keras), as padding does in predict.

import { checkOptions } from '../options/schema.js';
import type { Ptr } from '../../bindings/arena.js';
import { ConfigError, ShapeError } from '../errors.js';
import { toTensor, type DataInput } from '../model/data.js';
import { DataValueError } from '../errors.js';
import { InferEmbedding, InferRecurrent, type LayerState, type StepBuffers } from './layers.js';
import type { StreamHost } from './host.js';
import { paddingOf } from './padding.js';

/** Options of model.stream(). */
export interface InferStreamOptions {
  /** B: samples streamed side by side (default 1). */
  batchSize?: number;
}

/** The recurrent state of one layer, (B, H) each (c only for LSTM). */
export interface StreamLayerState {
  layer: string;
  h: Float32Array;
  c?: Float32Array;
}

/**
 * A stream over an InferenceModel. `step(x_t)` takes (B) token ids or (B, D) floats (a flat array, or
 * nested) and returns the model output at t, (B, C) batch-major. `stepMany(chunk)` takes (B, Tc) ids or
 * (B, Tc, D) floats and returns (B, Tc, C). Outputs equal `predict` on the whole sequence so far (for a
 * many-to-one model: the prediction if the sequence ended at t).
 */
export class ModelStream {
  /** B. */
  readonly batchSize: number;
  /** Time steps fed since creation or the last reset(). */
  steps = 0;
  private readonly states: Array<LayerState | null>;
  private readonly model: StreamHost;
  private disposed = false;
  // One-step buffers, allocated once: the input (B ids or (B, D) floats), the step's lengths, each layer's.
  private readonly input: Ptr;
  private readonly lengths: Ptr;
  private readonly buffers: StepBuffers[];
  // The layers' one-step calls, pointers bound and checked once (layers.ts stepCall), and where the output lands.
  private readonly plan: Array<() => void>;
  private readonly out: Ptr;
  private readonly outLength: number;
  // Views of the input, lengths and output buffers, re-derived when memory.buffer changes (growth detaches them).
  private views: { buffer: ArrayBuffer; f: Float32Array; i: Int32Array; len: Int32Array; out: Float32Array } | null = null;

  constructor(model: StreamHost, options: InferStreamOptions = {}) {
    checkOptions('stream', options); // issue 16: null or non-object options are an OptionError
    const B = options.batchSize ?? 1;
    if (!Number.isInteger(B) || B < 1) throw new ConfigError(`stream: batchSize must be a positive integer, got ${options.batchSize}`);
    this.model = model;
    this.batchSize = B;
    const a = model.kernels.arena;
    // State, outputs and scratch start on a 64-byte cache line: with threads, each thread writes its own
    // units' columns of them, and a line straddling two threads' ranges would bounce between the cores.
    const line = (p: Ptr) => (p + 63) & ~63;
    const alloc = (n: number) => line(a.allocZeroed(n + 16));
    this.states = model.layers.map((l) => {
      const s = l.stateSize();
      return s ? { h: alloc(B * s.H), c: s.cell ? alloc(B * s.H) : 0 } : null;
    });
    this.input = alloc(B * model.inputWidth);
    this.lengths = a.alloc(B);
    // With threads, a recurrent layer's gate scratch has one copy per thread, each on its own 4 KB pages
    // (bindings/infer-threads.ts PrivateScratch: sharing pages cost the 2-thread LSTM(256) step ≈ 1.5 µs).
    const threads = model.kernels.threads?.size ?? 1;
    this.buffers = model.layers.map((l) => {
      const z = l.stepSizes(B);
      const stride = threads > 1 && l instanceof InferRecurrent ? Math.ceil((z.scratch * 4) / 4096) * 4096 : 0;
      const scratch = stride ? (a.allocBytes(threads * stride + 4096) + 4095) & ~4095 : alloc(z.scratch);
      return { y: alloc(z.y), scratch, qtmp: a.allocBytes(z.qtmpBytes), scratchStride: stride };
    });
    // As runBlock: the mask of an Embedding with maskZero reaches the layers up to the first recurrent layer
    // that returns only its last output.
    const first = model.layers[0];
    let lengths = first instanceof InferEmbedding && first.maskZero ? this.lengths : 0, cur = this.input;
    this.plan = model.layers.map((layer, i) => {
      const call = layer.stepCall(model.kernels, cur, B, lengths, this.states[i], this.buffers[i]);
      if (layer instanceof InferRecurrent && !layer.returnSequences) lengths = 0;
      cur = call.y;
      return call.run;
    });
    this.out = cur;
    this.outLength = B * model.layers[model.layers.length - 1].units;
  }

  private live(): void {
    if (this.disposed) throw new ConfigError('stream: this stream was disposed');
  }

  /**
   * One step: x_t is (B) token ids or (B, D) floats (flat or nested); returns the output at t, (B, C).
   * Allocates nothing in wasm memory: the stream's buffers are reused (the state never moves). The result
   * is a new view that no later step overwrites, but into a 64 KB block shared with other steps' results
   * (as Node's Buffer pool: `.buffer` is that block; `.slice()` gives an array of its own). `out` (B·C
   * floats, optional): the output is written there and returned instead, so a step allocates nothing.
   */
  step(xt: DataInput, out?: Float32Array): Float32Array {
    this.live();
    if (out !== undefined && (!(out instanceof Float32Array) || out.length !== this.outLength)) {
      throw new ShapeError(`stream.step: out must be a Float32Array of (B, C) = ${this.outLength} floats, got ${out instanceof Float32Array ? out.length + ' floats' : typeof out}`);
    }
    const m = this.model, B = this.batchSize, D = m.inputWidth, k = m.kernels, a = k.arena;
    const flat: ArrayLike<number> = ArrayBuffer.isView(xt) || (Array.isArray(xt) && typeof xt[0] === 'number') ? (xt as ArrayLike<number>) : toTensor(xt, 'x_t').data;
    const n = m.idsInput ? B : B * D;
    if (flat.length !== n) {
      const shape = ArrayBuffer.isView(xt) || (Array.isArray(xt) && typeof xt[0] === 'number') ? [flat.length] : toTensor(xt, 'x_t').shape;
      throw new ShapeError(`stream.step: x_t has shape (${shape.join(', ')}), expected ${m.idsInput ? `(B) = (${B}) token ids` : `(B, D) = (${B}, ${D})`}`);
    }
    const first = m.layers[0];
    const buffer = a.memory.buffer as ArrayBuffer;
    let v = this.views;
    if (!v || v.buffer !== buffer) {
      v = this.views = { buffer, f: new Float32Array(buffer, this.input, n), i: new Int32Array(buffer, this.input, n), len: new Int32Array(buffer, this.lengths, B), out: new Float32Array(buffer, this.out, this.outLength) };
    }
    if (first instanceof InferEmbedding) {
      const I = v.i, V = first.inputDim;
      for (let b = 0; b < B; b++) {
        const id = flat[b];
        if (!Number.isInteger(id) || id < 0 || id >= V) throw new DataValueError(`x_t[${b}] = ${id} must be an integer token id in [0, ${V})`);
        I[b] = id;
      }
      if (first.maskZero) for (let b = 0; b < B; b++) v.len[b] = I[b] !== 0 ? 1 : 0;
    } else {
      const F = v.f;
      for (let i = 0; i < n; i++) {
        if (!Number.isFinite(flat[i])) throw new DataValueError(`x_t[${Math.floor(i / D)}][${i % D}] = ${flat[i]} is not finite`);
        F[i] = flat[i];
      }
    }
    for (const run of this.plan) run();
    this.steps++;
    const o = out ?? this.fresh();
    o.set(v.out);
    return m.finishRows(o);
  }

  /**
   * Steps samples [start, start + B) of x (checked by the model's prepare: (N, T) ids or (N, T, D) floats)
   * through T steps; returns the last layer's raw output rows (no softmax), time-major: (T, B, C), or only
   * the last step's (B, C) when lastOnly. Masking as step() (an id 0 carries the state), which is predict's
   * for the padding predict accepts. The threaded predict (InferenceModel.predict) runs on this.
   */
  stepRows(x: { data: ArrayLike<number>; shape: number[] }, start: number, T: number, lastOnly: boolean): Float32Array {
    this.live();
    const m = this.model, B = this.batchSize, D = m.inputWidth, C = this.outLength / B, a = m.kernels.arena;
    const first = m.layers[0], mask = first instanceof InferEmbedding && first.maskZero;
    const rows = new Float32Array((lastOnly ? 1 : T) * B * C);
    m.kernels.threads?.wakeHelpers(); // T steps back to back: the helpers join from the first ones
    for (let t = 0; t < T; t++) {
      if (m.idsInput) {
        const I = a.i32(this.input, B);
        for (let b = 0; b < B; b++) I[b] = x.data[(start + b) * T + t];
        if (mask) {
          const len = a.i32(this.lengths, B);
          for (let b = 0; b < B; b++) len[b] = I[b] !== 0 ? 1 : 0;
        }
      } else {
        const F = a.f32(this.input, B * D);
        for (let b = 0; b < B; b++) for (let d = 0; d < D; d++) F[b * D + d] = x.data[((start + b) * T + t) * D + d];
      }
      for (const run of this.plan) run();
      if (!lastOnly || t === T - 1) rows.set(a.f32(this.out, B * C), lastOnly ? 0 : t * B * C);
    }
    this.steps += T;
    return rows;
  }

  // step()'s result arrays: consecutive (B, C) views into 64 KB blocks, never reused (as Node's Buffer pool):
  // a new ArrayBuffer per step cost 1-1.5 µs of a 20 µs LSTM(256) step (bench/infer.ts), a view 0.06.
  private pool: ArrayBuffer | null = null;
  private poolUsed = 0;
  private fresh(): Float32Array {
    const bytes = this.outLength * 4;
    if (bytes > 16384) return new Float32Array(this.outLength);
    if (!this.pool || this.poolUsed + bytes > this.pool.byteLength) {
      this.pool = new ArrayBuffer(65536);
      this.poolUsed = 0;
    }
    const o = new Float32Array(this.pool, this.poolUsed, this.outLength);
    this.poolUsed += (bytes + 15) & ~15;
    return o;
  }

  /** Tc steps at once: chunk (B, Tc) ids or (B, Tc, D) floats; returns (B, Tc, C) batch-major. */
  stepMany(chunk: DataInput): { data: Float32Array; shape: number[] } {
    this.live();
    const m = this.model, B = this.batchSize;
    const x = m.prepare(chunk, 'chunk');
    if (x.shape[0] !== B) throw new ShapeError(`stream: chunk has ${x.shape[0]} samples, the stream has batchSize ${B}`);
    const Tc = x.shape[1], C = m.layers[m.layers.length - 1].units;
    const out = this.run(x, Tc);
    const data = new Float32Array(B * Tc * C);
    for (let t = 0; t < Tc; t++) for (let b = 0; b < B; b++) data.set(out.subarray((t * B + b) * C, (t * B + b + 1) * C), (b * Tc + t) * C);
    return { data, shape: [B, Tc, C] };
  }

  private run(x: { data: ArrayLike<number>; shape: number[] }, T: number): Float32Array {
    const m = this.model, B = this.batchSize;
    if (x.shape[0] !== B) throw new ShapeError(`stream: x_t has ${x.shape[0]} samples, the stream has batchSize ${B}`);
    // On threads: T split steps rather than the whole-sequence kernels on one thread (as predict; same bits).
    if (T > 1 && m.layers.some((l) => l instanceof InferRecurrent && l.splits(m.kernels, B))) return m.finishRows(this.stepRows(x, 0, T, false));
    const first = m.layers[0];
    let lengths: Int32Array | null = null, leftPadded = false;
    if (first instanceof InferEmbedding && first.maskZero) {
      try {
        ({ lengths, leftPadded } = paddingOf(x.data, 0, B, T, first.name));
      } catch {
        // Padding inside the chunk (or both sides): step by step, each step masks exactly its own zeros.
        const C = m.layers[m.layers.length - 1].units, out = new Float32Array(T * B * C);
        for (let t = 0; t < T; t++) {
          const ids = Array.from({ length: B }, (_, b) => x.data[b * T + t]);
          out.set(this.run({ data: ids, shape: [B, 1] }, 1), t * B * C);
        }
        return out;
      }
    }
    const rows = m.runBlock(x as never, 0, B, 0, T, this.states, true, lengths, leftPadded);
    this.steps += T;
    return m.finishRows(rows);
  }

  /** Zeroes the state (a new sequence starts). */
  reset(): void {
    this.live();
    const k = this.model.kernels, B = this.batchSize;
    this.states.forEach((s, i) => {
      if (!s) return;
      const H = this.model.layers[i].stateSize()!.H;
      k.raw.fill(s.h, 0, B * H);
      if (s.c) k.raw.fill(s.c, 0, B * H);
    });
    this.steps = 0;
  }

  /** Copies of every recurrent layer's state; assign (same layers and shapes) to restore one. */
  get state(): StreamLayerState[] {
    this.live();
    const a = this.model.kernels.arena, B = this.batchSize;
    const out: StreamLayerState[] = [];
    this.states.forEach((s, i) => {
      if (!s) return;
      const H = this.model.layers[i].stateSize()!.H;
      out.push({ layer: this.model.layers[i].name, h: a.readF32(s.h, B * H), ...(s.c ? { c: a.readF32(s.c, B * H) } : {}) });
    });
    return out;
  }

  set state(values: StreamLayerState[]) {
    this.live();
    const a = this.model.kernels.arena, B = this.batchSize;
    const targets = this.states.map((s, i) => ({ s, layer: this.model.layers[i] })).filter((x) => x.s);
    if (!Array.isArray(values) || values.length !== targets.length) throw new ShapeError(`stream.state: expected ${targets.length} layer states, got ${Array.isArray(values) ? values.length : typeof values}`);
    // Check everything first, so a bad value changes nothing.
    targets.forEach(({ s, layer }, i) => {
      const v = values[i], H = layer.stateSize()!.H;
      if (v.layer !== layer.name) throw new ShapeError(`stream.state[${i}]: layer "${v.layer}" given where "${layer.name}" is expected`);
      if (v.h?.length !== B * H) throw new ShapeError(`stream.state[${i}] (${layer.name}): h has ${v.h?.length} values, expected (B, H) = (${B}, ${H})`);
      if (s!.c && v.c?.length !== B * H) throw new ShapeError(`stream.state[${i}] (${layer.name}): c has ${v.c?.length} values, expected (B, H) = (${B}, ${H})`);
      for (const arr of [v.h, v.c ?? []]) for (let j = 0; j < arr.length; j++) if (!Number.isFinite(arr[j])) throw new ShapeError(`stream.state[${i}] (${layer.name}): value ${arr[j]} at ${j} is not finite`);
    });
    targets.forEach(({ s }, i) => {
      a.f32(s!.h, values[i].h.length).set(values[i].h);
      if (s!.c) a.f32(s!.c, values[i].c!.length).set(values[i].c!);
    });
  }

  /** Marks the stream unusable (its state memory is reclaimed with the model's arena). */
  dispose(): void {
    this.disposed = true;
  }
}

/** The state pointers of a stream's recurrent layers (for tests of "state stays in wasm memory"). */
export function statePointers(s: ModelStream): Ptr[] {
  return (s as unknown as { states: Array<LayerState | null> }).states.flatMap((x) => (x ? [x.h, x.c].filter(Boolean) : []));
}

