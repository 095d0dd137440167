// The inference-only layers of `fused-rnn/infer`: Embedding, LSTM / GRU / SimpleRNN, Dense, Dropout (the
// identity at inference). Each is built from its checkpoint config ({ className, config }) and its stored
// tensors, puts its weights into wasm memory ONCE (recurrent weights packed into panels: f32, or int8 with
// per-column scales), and runs one call per layer per (T, B) block. Layouts as in the model (DESIGN.md §3):
// sequences time-major (T, B, F), per-sample vectors (B, F), token ids batch-major (B, T) i32.

import type { Ptr } from '../../bindings/arena.js';
import { ACTIVATION_CODES, INFER_FLAGS, quantRowBytes, type InferKernels } from '../../bindings/infer.js';
import { threadedStep } from './threaded-step.js';
import { ConfigError, ShapeError } from '../errors.js';
import { decodeTensor, quantizeInt8, readInt8, type StoredTensor } from '../io/quantize.js';

/** How weight matrices are held in memory: float32 packed panels, or int8 (from an int8 file or quantized on load). */
export type InferWeights = 'float32' | 'int8';

/** One (T, B) call through the layers: dims, the mask from an Embedding with maskZero, and where it runs. */
export interface RunBlock {
  T: number;
  B: number;
  /** (B) i32 lengths in memory, or 0 (no mask). */
  lengths: Ptr;
  leftPadded: boolean;
  /** Streaming: recurrent layers output every step (their state is the carry). */
  perStep: boolean;
}

/** The state a recurrent layer carries between calls: h and (LSTM) c, (B, H) each. */
export interface LayerState {
  h: Ptr;
  c: Ptr;
}

/** Buffers a stream allocates once for its one-step calls (T = 1), so a step allocates nothing. */
export interface StepBuffers {
  y: Ptr;
  scratch: Ptr;
  qtmp: Ptr;
  /** Bytes from one thread's copy of scratch to the next (threaded steps, each copy on its own pages), or 0. */
  scratchStride: number;
}

/** Stored tensors of one layer by weight name ("kernel", "bias", ...). */
export type TensorLookup = (weight: string) => { record: StoredTensor; blob: Uint8Array };

/** Base of the inference layers. */
export abstract class InferLayer {
  /** Per-sample output width (last dim). */
  abstract readonly units: number;
  /** Whether the output is a sequence (T, B, F) rather than (B, F) (outside streaming). */
  abstract readonly sequence: boolean;
  constructor(readonly className: string, readonly name: string) {}
  /** Runs the layer on x (its input for `run`) and returns the pointer of its output (allocated from the arena). */
  abstract forward(k: InferKernels, x: Ptr, run: RunBlock, state: LayerState | null, pre?: StepBuffers): Ptr;
  /** Sizes (floats) of the buffers one step at batch B needs: output, scratch, int16 scratch (bytes). */
  stepSizes(B: number): { y: number; scratch: number; qtmpBytes: number } {
    return { y: B * this.units, scratch: 0, qtmpBytes: 0 };
  }
  /** The recurrent state this layer carries (0 for stateless layers): floats per batch row, and whether c exists. */
  stateSize(): { H: number; cell: boolean } | null {
    return null;
  }
  /**
   * Streaming: the one-step (T = 1) call of this layer on B rows from x into the stream's buffers, with every
   * pointer fixed and checked once here, so that a step runs no checks and allocates nothing (the step path is
   * the latency users see). Returns the call and its output pointer.
   */
  abstract stepCall(k: InferKernels, x: Ptr, B: number, lengths: Ptr, state: LayerState | null, pre: StepBuffers): StepCall;
}

/** One layer's prepared streaming step: run() computes it; y is where its (B, units) output lands. */
export interface StepCall {
  run: () => void;
  y: Ptr;
}

const actCode = (layer: string, what: string, name: unknown): number => {
  const code = ACTIVATION_CODES[String(name)];
  if (code === undefined) throw new ConfigError(`${layer}: ${what} ${JSON.stringify(name)} is not supported by fused-rnn/infer`);
  return code;
};

/** A f32 matrix (or vector) copied into memory, unpacked. */
function putF32(k: InferKernels, data: Float32Array): Ptr {
  const p = k.arena.alloc(data.length);
  k.arena.f32(p, data.length).set(data);
  return p;
}

/** A (K, N) weight matrix packed for the recurrent/Dense products: f32 panels, or int8 panels + scales. */
interface PackedMatrix { P: Ptr; S: Ptr }

function packMatrix(k: InferKernels, t: { record: StoredTensor; blob: Uint8Array }, weights: InferWeights, colFrom = 0, colTo = -1): PackedMatrix {
  const [K, Nall] = t.record.shape;
  const c1 = colTo < 0 ? Nall : colTo, N = c1 - colFrom;
  const a = k.arena;
  if (weights === 'int8') {
    let q: Int8Array, scales: Float32Array;
    if (t.record.dtype === 'int8' && t.record.quantization?.axis === 1) ({ q, scales } = readInt8(t.record, t.blob));
    else ({ q, scales } = quantizeInt8(decodeTensor(t.record, t.blob), K, Nall, 1, t.record.path));
    const sub = new Int8Array(K * N);
    for (let r = 0; r < K; r++) sub.set(q.subarray(r * Nall + colFrom, r * Nall + c1), r * N);
    const bytes = k.raw.quant_packed_bytes(K, N);
    const P = a.allocBytes(bytes);
    const mark = a.mark();
    const tmp = a.allocBytes(sub.length);
    a.u8.set(new Uint8Array(sub.buffer), tmp);
    k.raw.quant_pack(P, tmp, K, N);
    a.release(mark);
    const S = putF32(k, scales.subarray(colFrom, c1));
    return { P, S };
  }
  const w = decodeTensor(t.record, t.blob);
  const P = a.alloc(K * N);
  const mark = a.mark();
  const src = putF32(k, w);
  k.raw.infer_pack(P, src + colFrom * 4, Nall, K, N);
  a.release(mark);
  return { P, S: 0 };
}

/** A recurrent input is a sequence (T, B, D). */
function needSequence(layer: string, input: InferLayer | null): void {
  if (input && !input.sequence) throw new ShapeError(`${layer}: expects a sequence input (None, T, D), but ${input.className} "${input.name}" outputs (None, ${input.units})`);
}

/** Embedding: ids (B, T) → (T, B, E); f32 table, or int8 with one scale per row. */
export class InferEmbedding extends InferLayer {
  readonly units: number;
  readonly sequence = true;
  readonly inputDim: number;
  readonly maskZero: boolean;
  private table: Ptr;
  private scales: Ptr = 0;

  constructor(k: InferKernels, name: string, config: Record<string, unknown>, tensor: TensorLookup, weights: InferWeights) {
    super('Embedding', name);
    this.inputDim = Number(config.inputDim);
    this.units = Number(config.outputDim);
    this.maskZero = config.maskZero === true;
    const t = tensor('embeddings');
    const [V, E] = t.record.shape;
    if (V !== this.inputDim || E !== this.units) throw new ShapeError(`Embedding "${name}": table shape (${V}, ${E}) does not match (inputDim, outputDim) = (${this.inputDim}, ${this.units})`);
    if (weights === 'int8' || t.record.dtype === 'int8') {
      const { q, scales } = t.record.dtype === 'int8' && t.record.quantization?.axis === 0 ? readInt8(t.record, t.blob) : quantizeInt8(decodeTensor(t.record, t.blob), V, E, 0, t.record.path);
      this.table = k.arena.allocBytes(q.length);
      k.arena.u8.set(new Uint8Array(q.buffer, q.byteOffset, q.length), this.table);
      this.scales = putF32(k, scales);
    } else {
      this.table = putF32(k, decodeTensor(t.record, t.blob));
    }
  }

  forward(k: InferKernels, ids: Ptr, run: RunBlock, _state: LayerState | null, pre?: StepBuffers): Ptr {
    const { T, B } = run, E = this.units;
    const y = pre ? pre.y : k.arena.alloc(T * B * E);
    k.check('embedding', 'y', y, 4 * T * B * E);
    if (this.scales) k.raw.embedding_q8_forward(y, ids, this.table, this.scales, T, B, E, this.maskZero ? 1 : 0);
    else k.raw.embedding_forward(y, ids, this.table, T, B, E, this.maskZero ? 1 : 0);
    return y;
  }

  stepCall(k: InferKernels, ids: Ptr, B: number, _lengths: Ptr, _state: LayerState | null, pre: StepBuffers): StepCall {
    const E = this.units, y = pre.y, raw = k.raw, table = this.table, scales = this.scales, mask = this.maskZero ? 1 : 0;
    k.check('embedding', 'y', y, 4 * B * E);
    k.check('embedding', 'ids', ids, 4 * B);
    return { run: scales ? () => raw.embedding_q8_forward(y, ids, table, scales, 1, B, E, mask) : () => raw.embedding_forward(y, ids, table, 1, B, E, mask), y };
  }
}

/** LSTM, GRU (both reset_after variants) and SimpleRNN with packed weights. */
export class InferRecurrent extends InferLayer {
  readonly units: number;
  readonly sequence: boolean;
  readonly returnSequences: boolean;
  readonly goBackwards: boolean;
  readonly D: number;
  private readonly flags: number;
  private readonly act: number;
  private readonly ract: number;
  private readonly W: PackedMatrix;
  private readonly U: PackedMatrix;
  private readonly Un: PackedMatrix | null = null;
  private readonly bias: Ptr;
  /**
   * Threaded int8, SimpleRNN and reset-before GRU steps split only with this much work per run: B·(D + H)·G
   * multiply-adds, int8 counted half, per phase (measured, docs/inference.md "Threaded steps ..."). Tests set 0.
   */
  static minSplitWork = 120_000;

  constructor(k: InferKernels, className: 'LSTM' | 'GRU' | 'SimpleRNN', name: string, config: Record<string, unknown>, tensor: TensorLookup, weights: InferWeights, input: InferLayer | null, inputShape: Array<number | null> | null) {
    super(className, name);
    const label = `${className} "${name}"`;
    needSequence(label, input);
    this.units = Number(config.units);
    this.returnSequences = config.returnSequences === true;
    this.goBackwards = config.goBackwards === true;
    this.sequence = this.returnSequences;
    const H = this.units, G = className === 'LSTM' ? 4 * H : className === 'GRU' ? 3 * H : H;
    const Wt = tensor('kernel'), Ut = tensor('recurrent_kernel'), bt = tensor('bias');
    this.D = Wt.record.shape[0];
    const want = input ? input.units : (inputShape?.[1] ?? this.D);
    if (this.D !== want) throw new ShapeError(`${label}: kernel has shape (${Wt.record.shape.join(', ')}) but the input width is ${want}`);
    if (Wt.record.shape[1] !== G || Ut.record.shape[0] !== H || Ut.record.shape[1] !== G) {
      throw new ShapeError(`${label}: kernel (${Wt.record.shape.join(', ')}) / recurrent_kernel (${Ut.record.shape.join(', ')}) do not match units ${H} (expected (D, ${G}) and (${H}, ${G}))`);
    }
    this.act = actCode(label, 'activation', config.activation ?? 'tanh');
    this.ract = className === 'SimpleRNN' ? 0 : actCode(label, 'recurrentActivation', config.recurrentActivation ?? 'sigmoid');
    const resetAfter = className === 'GRU' && config.resetAfter !== false;
    this.flags = (this.goBackwards ? INFER_FLAGS.reverse : 0) | (resetAfter ? INFER_FLAGS.resetAfter : 0);
    this.W = packMatrix(k, Wt, weights);
    if (className === 'GRU') {
      this.U = packMatrix(k, Ut, weights, 0, 2 * H);
      this.Un = packMatrix(k, Ut, weights, 2 * H, 3 * H);
    } else {
      this.U = packMatrix(k, Ut, weights);
    }
    const b = decodeTensor(bt.record, bt.blob);
    const wantBias = resetAfter ? 2 * G : G;
    if (b.length !== wantBias) throw new ShapeError(`${label}: bias has ${b.length} values, expected ${wantBias}`);
    this.bias = putF32(k, b);
  }

  stateSize(): { H: number; cell: boolean } {
    return { H: this.units, cell: this.className === 'LSTM' };
  }

  stepSizes(B: number): { y: number; scratch: number; qtmpBytes: number } {
    // qtmp: one quantized row, or (threaded int8 steps) x's and h's rows quantized once per step (quant_rows).
    const pre = B * (quantRowBytes(this.D) + quantRowBytes(this.units));
    return { y: B * this.units, scratch: B * (this.className === 'SimpleRNN' ? 1 : 4) * this.units, qtmpBytes: Math.max(2 * (Math.max(this.D, this.units) + 2), pre) };
  }

  forward(k: InferKernels, x: Ptr, run: RunBlock, state: LayerState | null, pre?: StepBuffers): Ptr {
    const { T, B } = run, H = this.units, D = this.D, a = k.arena;
    const st = state ?? { h: a.allocZeroed(B * H), c: this.className === 'LSTM' ? a.allocZeroed(B * H) : 0 };
    const seq = this.returnSequences || run.perStep;
    const y = seq ? (pre ? pre.y : a.alloc(T * B * H)) : 0;
    const S = this.className === 'SimpleRNN' ? H : 4 * H;
    const scratch = pre ? pre.scratch : a.alloc(B * S);
    const qtmp = pre ? pre.qtmp : a.allocBytes(2 * (Math.max(D, H) + 2));
    const flags = this.flags | (run.leftPadded ? INFER_FLAGS.leftPadded : 0);
    const kernel = this.className.toLowerCase();
    k.check(kernel, 'x', x, 4 * T * B * D);
    k.check(kernel, 'h', st.h, 4 * B * H);
    if (y) k.check(kernel, 'y', y, 4 * T * B * H);
    if (this.className === 'LSTM') {
      k.check(kernel, 'c', st.c, 4 * B * H);
      k.raw.infer_lstm(y, st.h, st.c, scratch, qtmp, x, this.W.P, this.W.S, this.U.P, this.U.S, this.bias, run.lengths, T, B, D, H, flags, this.act, this.ract);
    } else if (this.className === 'GRU') {
      k.raw.infer_gru(y, st.h, scratch, qtmp, x, this.W.P, this.W.S, this.U.P, this.U.S, this.Un!.P, this.Un!.S, this.bias, run.lengths, T, B, D, H, flags, this.act, this.ract);
    } else {
      k.raw.infer_simple_rnn(y, st.h, scratch, qtmp, x, this.W.P, this.W.S, this.U.P, this.U.S, this.bias, run.lengths, T, B, D, H, flags, this.act);
    }
    if (!seq) return st.h;
    if (this.goBackwards && this.returnSequences) {
      // Keras go_backwards returns outputs in processing order: swap time blocks t and T-1-t.
      const n = B * H, F = a.F32;
      for (let t = 0; t < T - 1 - t; t++) {
        const p = (y >> 2) + t * n, q = (y >> 2) + (T - 1 - t) * n;
        const tmp = F.slice(p, p + n);
        F.copyWithin(p, q, q + n);
        F.set(tmp, q);
      }
    }
    return y;
  }

  stepCall(k: InferKernels, x: Ptr, B: number, lengths: Ptr, state: LayerState | null, pre: StepBuffers): StepCall {
    const H = this.units, D = this.D, raw = k.raw, kernel = this.className.toLowerCase();
    const { h, c } = state!, { y, scratch, qtmp } = pre, W = this.W, U = this.U, Un = this.Un, b = this.bias;
    const flags = this.flags, act = this.act, ract = this.ract;
    k.check(kernel, 'x', x, 4 * B * D);
    k.check(kernel, 'h', h, 4 * B * H);
    k.check(kernel, 'y', y, 4 * B * H);
    k.check(kernel, 'scratch', scratch, 4 * B * (this.className === 'SimpleRNN' ? 1 : 4) * H);
    if (lengths) k.check(kernel, 'lengths', lengths, 4 * B);
    let run: () => void;
    const q8 = W.S !== 0, split = this.splits(k, B);
    // int8: the caller quantizes x and h once per step into qtmp, for every chunk (INFER_FLAGS.preQuantized).
    const tflags = q8 ? flags | INFER_FLAGS.preQuantized : flags, tq = q8 ? qtmp : 0;
    if (q8) k.check(kernel, 'qtmp', qtmp, B * (quantRowBytes(D) + quantRowBytes(H)));
    const quantize = q8 ? () => { raw.quant_rows(qtmp, x, D, B, D); raw.quant_rows(qtmp + B * quantRowBytes(D), h, H, B, H); } : null;
    if (this.className === 'LSTM') {
      k.check(kernel, 'c', c, 4 * B * H);
      run = () => raw.infer_lstm(y, h, c, scratch, qtmp, x, W.P, W.S, U.P, U.S, b, lengths, 1, B, D, H, flags, act, ract);
      // Threads (loadInferKernels({ threads })): chunks of whole 32-column panels of units, f32 or int8 weights.
      if (split) run = threadedStep(k, this.units, 0, [[y, h, c, scratch, x, W.P, U.P, b, lengths, B, D, H, 0, H, tflags, act, ract, tq, W.S, U.S]], y, h, B * H, run, quantize, { arg: 3, stride: pre.scratchStride });
    } else if (this.className === 'GRU') {
      run = () => raw.infer_gru(y, h, scratch, qtmp, x, W.P, W.S, U.P, U.S, Un!.P, Un!.S, b, lengths, 1, B, D, H, flags, act, ract);
      // Threads: reset-after in one job; reset-before in two (phase 1: z, r, r ⊙ h; phase 2, once every chunk
      // of phase 1 is done: the candidate product, which reads r ⊙ h of all units).
      const args = (phase: number) => [y, h, scratch, x, W.P, U.P, Un!.P, b, lengths, B, D, H, 0, H, tflags, act, ract, tq, W.S, U.S, Un!.S, phase];
      if (split) run = threadedStep(k, this.units, 1, flags & INFER_FLAGS.resetAfter ? [args(1)] : [args(1), args(2)], y, h, B * H, run, quantize, { arg: 2, stride: pre.scratchStride });
    } else {
      run = () => raw.infer_simple_rnn(y, h, scratch, qtmp, x, W.P, W.S, U.P, U.S, b, lengths, 1, B, D, H, flags, act);
      if (split) run = threadedStep(k, this.units, 2, [[y, h, 0, scratch, x, W.P, U.P, b, lengths, B, D, H, 0, H, tflags, act, 0, tq, W.S, U.S]], y, h, B * H, run, quantize, { arg: 3, stride: pre.scratchStride });
    }
    return { run, y };
  }

  /**
   * Whether this layer's step at batch B runs on threads: whole panels and ≥ 2 chunks (int8: max(D, H) ≤ 32700,
   * the kernel scratch's rows); the f32 LSTM and reset-after GRU always, the other forms with enough work.
   */
  splits(k: InferKernels, B: number): boolean {
    const H = this.units, q8 = this.W.S !== 0, resetBefore = this.className === 'GRU' && !(this.flags & INFER_FLAGS.resetAfter);
    const work = (B * (this.D + H) * (this.className === 'LSTM' ? 4 : this.className === 'GRU' ? 3 : 1) * H) / (q8 ? 2 : 1) / (resetBefore ? 2 : 1);
    return k.threads !== null && H % 32 === 0 && H >= 64 && (!q8 || Math.max(this.D, H) <= 32700)
      && ((!q8 && !resetBefore && this.className !== 'SimpleRNN') || work >= InferRecurrent.minSplitWork);
  }
}

/** Dense: y = act(x·W + b) over every leading position; f32 (unpacked, as the training library) or int8. */
export class InferDense extends InferLayer {
  readonly units: number;
  readonly sequence: boolean;
  readonly activation: string;
  readonly D: number;
  private readonly kernel: Ptr;
  private readonly scales: Ptr = 0;
  private readonly bias: Ptr = 0;

  constructor(k: InferKernels, name: string, config: Record<string, unknown>, tensor: TensorLookup, weights: InferWeights, input: InferLayer | null) {
    super('Dense', name);
    this.units = Number(config.units);
    this.activation = String(config.activation ?? 'linear');
    if (this.activation !== 'softmax') actCode(`Dense "${name}"`, 'activation', this.activation);
    this.sequence = input ? input.sequence : false;
    const Wt = tensor('kernel');
    this.D = Wt.record.shape[0];
    if (input && input.units !== this.D) throw new ShapeError(`Dense "${name}": kernel has shape (${Wt.record.shape.join(', ')}) but the input width is ${input.units}`);
    if (weights === 'int8') {
      const m = packMatrix(k, Wt, 'int8');
      this.kernel = m.P;
      this.scales = m.S;
    } else {
      this.kernel = putF32(k, decodeTensor(Wt.record, Wt.blob));
    }
    if (config.useBias !== false) {
      const bt = tensor('bias');
      this.bias = putF32(k, decodeTensor(bt.record, bt.blob));
    }
  }

  stepSizes(B: number): { y: number; scratch: number; qtmpBytes: number } {
    return { y: B * this.units, scratch: 0, qtmpBytes: 2 * (this.D + 2) };
  }

  forward(k: InferKernels, x: Ptr, run: RunBlock, _state: LayerState | null, pre?: StepBuffers, inputIsSequence = this.sequence): Ptr {
    const rows = (inputIsSequence || run.perStep ? run.T : 1) * run.B, U = this.units, a = k.arena;
    const y = pre ? pre.y : a.alloc(rows * U);
    k.check('dense', 'x', x, 4 * rows * this.D);
    k.check('dense', 'y', y, 4 * rows * U);
    // softmax is applied by the model on the copied rows (as the training library's predict does).
    const act = this.activation === 'softmax' ? 0 : ACTIVATION_CODES[this.activation];
    if (this.scales) k.raw.dense_q8_forward(y, x, this.kernel, this.scales, this.bias, rows, this.D, U, U, act, pre ? pre.qtmp : a.allocBytes(2 * (this.D + 2)));
    else k.raw.dense_forward(y, x, this.kernel, this.bias, rows, this.D, U, U, act);
    return y;
  }

  stepCall(k: InferKernels, x: Ptr, B: number, _lengths: Ptr, _state: LayerState | null, pre: StepBuffers): StepCall {
    const U = this.units, D = this.D, y = pre.y, qtmp = pre.qtmp, raw = k.raw, W = this.kernel, s = this.scales, b = this.bias;
    k.check('dense', 'x', x, 4 * B * D);
    k.check('dense', 'y', y, 4 * B * U);
    const act = this.activation === 'softmax' ? 0 : ACTIVATION_CODES[this.activation];
    return { run: s ? () => raw.dense_q8_forward(y, x, W, s, b, B, D, U, U, act, qtmp) : () => raw.dense_forward(y, x, W, b, B, D, U, U, act), y };
  }
}

/** Dropout: the identity at inference. */
export class InferDropout extends InferLayer {
  readonly units: number;
  readonly sequence: boolean;
  constructor(name: string, input: InferLayer | null, inputShape: Array<number | null> | null) {
    super('Dropout', name);
    this.units = input ? input.units : Number(inputShape?.[inputShape.length - 1]);
    this.sequence = input ? input.sequence : (inputShape?.length ?? 0) >= 2;
  }

  forward(_k: InferKernels, x: Ptr): Ptr {
    return x;
  }

  stepCall(_k: InferKernels, x: Ptr): StepCall {
    return { run: () => {}, y: x };
  }
}
