// InferenceModel: a saved Sequential rebuilt for prediction only (no gradients, no optimizer, no losses):
// layers from the checkpoint config, weights in wasm memory once (packed), then `predict` over whole
// sequences and `stream` one step (or chunk) at a time. docs/inference.md.

import { checkOptions } from '../options/schema.js';
import type { Ptr } from '../../bindings/arena.js';
import { loadInferKernels, type InferKernels, type InferLoadOptions } from '../../bindings/infer.js';
import { ConfigError, DataValueError, ShapeError } from '../errors.js';
import { checkFinite, checkIds, toTensor, type DataInput, type TensorData } from '../model/data.js';
import type { SequentialConfig } from '../io/config.js';
import { readStoredCheckpoint, type InferSource, type StoredCheckpoint } from './checkpoint.js';
import { InferDense, InferDropout, InferEmbedding, InferLayer, InferRecurrent, type InferWeights, type LayerState, type RunBlock } from './layers.js';
import { ModelStream, type InferStreamOptions } from './stream.js';
import { paddingOf } from './padding.js';
import type { StreamHost } from './host.js';

/** Options of loadInferenceModel (fused-rnn/infer). */
export interface InferModelOptions extends InferLoadOptions {
  /**
   * Weights in memory: 'auto' (default: int8 when the file stores int8, else float32), 'float32', or 'int8'
   * (a float32/float16 file is quantized on load: symmetric, one scale per output column).
   */
  weights?: 'auto' | InferWeights;
  /** Kernels to share with other models (default: a fresh instance). */
  kernels?: InferKernels;
}

/** A model output: batch-major data and its shape, (N, C) or (N, T, C). */
export interface InferPrediction {
  data: Float32Array;
  shape: number[];
}

/**
 * Loads a checkpoint written by saveModel / saveModelToBytes (path in Node, file or directory; URL; bytes;
 * Response) into an inference-only model.
 */
export async function loadInferenceModel(source: InferSource, options: InferModelOptions = {}): Promise<InferenceModel> {
  checkOptions('loadInferenceModel', options); // issue 16: null or non-object options are an OptionError
  const cp = await readStoredCheckpoint(source);
  const own = !options.kernels;
  const kernels = options.kernels ?? (await loadInferKernels(options));
  try {
    return new InferenceModel(cp, kernels, options.weights ?? 'auto', own);
  } catch (e) {
    if (own) kernels.dispose();
    throw e;
  }
}

/** The Keras softmax of the training library's predict (same operations, so the same bits). */
export function softmaxInPlace(v: Float32Array): void {
  let max = -Infinity;
  for (const x of v) max = Math.max(max, x);
  let sum = 0;
  for (let i = 0; i < v.length; i++) { v[i] = Math.exp(v[i] - max); sum += v[i]; }
  for (let i = 0; i < v.length; i++) v[i] /= sum;
}

/** A saved model ready for prediction and streaming; weights are packed once when it is loaded. */
export class InferenceModel implements StreamHost {
  /** The model's name from its config. */
  readonly name: string;
  /** The layers in order (Dropout included, as the identity). */
  readonly layers: readonly InferLayer[];
  /** Per-sample input shape the model was built for: [T] token ids or [T, D] floats (T may be null). */
  readonly inputShape: Array<number | null>;
  /** Whether weight matrices run as float32 or int8. */
  readonly weights: InferWeights;
  /** The kernels (wasm instance and memory) the model runs on. */
  readonly kernels: InferKernels;
  /** Per-sample output shape: [C] or [T, C]. */
  readonly outputShape: Array<number | null>;
  private readonly unsupportedStreaming: string | null = null;

  /** ownsKernels: dispose() ends the kernels' helper threads (they were loaded for this model). */
  constructor(cp: StoredCheckpoint, kernels: InferKernels, weights: 'auto' | InferWeights, private readonly ownsKernels = false) {
    const spec = cp.manifest.model as { className: string; config: SequentialConfig['config'] };
    if (spec.className !== 'Sequential') {
      throw new ConfigError(`${cp.name}: a ${spec.className} model (functional API) is not supported by fused-rnn/infer, only Sequential models; load it with the full library: import { loadModel } from 'fused-rnn'`);
    }
    const cfg = spec.config;
    this.name = cfg.name;
    this.kernels = kernels;
    this.weights = weights === 'auto' ? (cp.tensors.some((t) => t.dtype === 'int8') ? 'int8' : 'float32') : weights;
    if (this.weights !== 'float32' && this.weights !== 'int8') throw new ConfigError(`loadInferenceModel: weights must be "auto", "float32" or "int8", got ${JSON.stringify(weights)}`);
    const shape = cfg.inputShape ?? (cfg.layers[0]?.config?.inputShape as Array<number | null> | undefined) ?? null;
    if (!shape) throw new ShapeError(`${cp.name}: the model config has no inputShape`);
    this.inputShape = shape.slice();
    const byPath = new Map(cp.tensors.map((t) => [t.path, t]));
    const used = new Set<string>();
    const layers: InferLayer[] = [];
    let prev: InferLayer | null = null;
    for (const spec of cfg.layers) {
      const c = spec.config as Record<string, unknown>;
      const name = String(c.name);
      const tensor = (w: string) => {
        const record = byPath.get(`${name}/${w}`);
        if (!record) throw new ShapeError(`${cp.name}: tensor ${name}/${w} of layer "${name}" (${spec.className}) is missing from the checkpoint`);
        used.add(record.path);
        return { record, blob: cp.blob };
      };
      const first = prev === null ? this.inputShape : null;
      let layer: InferLayer;
      switch (spec.className) {
        case 'Embedding':
          if (prev) throw new ShapeError(`Embedding "${name}" must be the first layer`);
          layer = new InferEmbedding(kernels, name, c, tensor, this.weights);
          break;
        case 'LSTM': case 'GRU': case 'SimpleRNN':
          layer = new InferRecurrent(kernels, spec.className, name, c, tensor, this.weights, prev, first);
          if ((layer as InferRecurrent).goBackwards) this.unsupportedStreaming ??= `${spec.className} "${name}" has goBackwards: it reads the sequence from its end`;
          break;
        case 'Dense':
          layer = new InferDense(kernels, name, c, tensor, this.weights, prev);
          if (prev === null && this.inputShape.length >= 2) throw new ShapeError(`Dense "${name}" as the first layer of a sequence model is not supported by fused-rnn/infer`);
          break;
        case 'Dropout':
          layer = new InferDropout(name, prev, first);
          break;
        case 'Bidirectional':
          throw new ConfigError(`${cp.name}: layer "${name}" (Bidirectional) is not supported by fused-rnn/infer yet (it cannot stream: its backward half needs the whole sequence); load it with the full library: import { loadModel } from 'fused-rnn'`);
        default:
          throw new ConfigError(`${cp.name}: layer "${name}" (${spec.className}) is not supported by fused-rnn/infer (Embedding, LSTM, GRU, SimpleRNN, Dense, Dropout); load it with the full library: import { loadModel } from 'fused-rnn'`);
      }
      layers.push(layer);
      prev = layer;
    }
    if (!prev) throw new ShapeError(`${cp.name}: the model has no layers`);
    const extra = cp.tensors.find((t) => !used.has(t.path));
    if (extra) throw new ShapeError(`${cp.name}: tensor ${extra.path} of the checkpoint belongs to no layer of model "${this.name}"`);
    this.layers = layers;
    const last = layers[layers.length - 1];
    this.outputShape = last.sequence ? [this.inputShape[0], last.units] : [last.units];
  }

  /** Whether the input is token ids (the first layer is an Embedding). */
  get idsInput(): boolean {
    return this.layers[0] instanceof InferEmbedding;
  }

  /** D: per-step input width (1 for token ids). */
  get inputWidth(): number {
    return this.idsInput ? 1 : Number(this.inputShape[this.inputShape.length - 1]);
  }

  /** The last layer's activation when it is applied after the kernels (softmax). */
  private get softmaxOutput(): boolean {
    const last = this.layers[this.layers.length - 1];
    return last instanceof InferDense && last.activation === 'softmax';
  }

  /** Checks and flattens x: ids (N, T) or floats (N, T, D). */
  prepare(xIn: DataInput, what = 'x'): TensorData {
    const x = toTensor(xIn, what);
    if (x.shape[0] === 0) throw new DataValueError(`InferenceModel "${this.name}": ${what} is empty (0 samples)`);
    const first = this.layers[0];
    if (first instanceof InferEmbedding) {
      if (x.shape.length !== 2) throw new ShapeError(`Embedding "${first.name}": expected ${what} of token ids (N, T), got (${x.shape.join(', ')})`);
      checkIds(x, what, first.inputDim, 'token id');
    } else {
      const want = this.inputShape;
      const s = x.shape.slice(1);
      const ok = s.length === want.length && want.every((d, i) => d === null || d === s[i] || (i === 0 && s.length >= 2));
      if (!ok) throw new ShapeError(`${first.className} "${first.name}": expected ${what} (N, ${want.map((d) => d ?? 'T').join(', ')}), got (${x.shape.join(', ')})`);
      checkFinite(x, what);
    }
    return x;
  }

  /**
   * Runs the layers on samples [start, start + B) of x (batch-major), T steps each, from the given states
   * (null: zeros). Returns the last layer's output rows, time-major (T·B or B rows of C). Allocates its
   * temporaries above the arena top and releases them.
   */
  runBlock(x: TensorData, start: number, B: number, t0: number, T: number, states: Array<LayerState | null> | null, perStep: boolean, lengths: Int32Array | null, leftPadded: boolean): Float32Array {
    const k = this.kernels, a = k.arena, mark = a.mark();
    try {
      const D = this.inputWidth, Tx = x.shape[1] ?? 1;
      let input: Ptr;
      if (this.idsInput) {
        input = a.alloc(B * T);
        const I = a.i32(input, B * T);
        for (let b = 0; b < B; b++) for (let t = 0; t < T; t++) I[b * T + t] = x.data[(start + b) * Tx + t0 + t];
      } else if (x.shape.length === 2) {
        input = a.alloc(B * D);
        const F = a.f32(input, B * D);
        for (let i = 0; i < B * D; i++) F[i] = x.data[start * D + i];
      } else {
        input = a.alloc(T * B * D);
        const F = a.f32(input, T * B * D);
        for (let t = 0; t < T; t++) for (let b = 0; b < B; b++) for (let d = 0; d < D; d++) F[(t * B + b) * D + d] = x.data[((start + b) * Tx + t0 + t) * D + d];
      }
      let lenPtr = 0;
      if (lengths) {
        lenPtr = a.alloc(B);
        a.i32(lenPtr, B).set(lengths);
      }
      const run: RunBlock = { T, B, lengths: lenPtr, leftPadded, perStep };
      let cur = input, seq = this.idsInput || x.shape.length >= 3;
      this.layers.forEach((layer, i) => {
        if (layer instanceof InferDense) cur = layer.forward(k, cur, run, null, undefined, seq);
        else cur = layer.forward(k, cur, run, states ? states[i] : null);
        seq = layer instanceof InferRecurrent ? layer.returnSequences || perStep : layer instanceof InferDense || layer instanceof InferDropout ? seq : true;
        // Keras: a recurrent layer that returns only its last output drops the mask.
        if (layer instanceof InferRecurrent && !layer.returnSequences) run.lengths = 0;
      });
      const C = this.layers[this.layers.length - 1].units;
      return a.f32(cur, (seq ? T : 1) * B * C).slice();
    } finally {
      a.release(mark);
    }
  }

  /**
   * Outputs for x, batch-major: (N, C) or (N, T, C), probabilities for sigmoid/softmax outputs; bit-identical
   * to the training library's predict of the same checkpoint (float32 weights).
   */
  async predict(xIn: DataInput, options: { batchSize?: number } = {}): Promise<InferPrediction> {
    checkOptions('predict', options); // issue 16: null or non-object options are an OptionError
    const x = this.prepare(xIn);
    const batchSize = options.batchSize ?? 32;
    if (!Number.isInteger(batchSize) || batchSize < 1) throw new ConfigError(`predict: batchSize must be a positive integer, got ${options.batchSize}`);
    const N = x.shape[0], T = x.shape.length >= 2 ? x.shape[1] : 1;
    const last = this.layers[this.layers.length - 1], C = last.units;
    const seqOut = last.sequence;
    const To = seqOut ? T : 1;
    const result = new Float32Array(N * To * C);
    for (let start = 0; start < N; start += batchSize) {
      const B = Math.min(N, start + batchSize) - start;
      let lengths: Int32Array | null = null, leftPadded = false;
      const first = this.layers[0];
      if (first instanceof InferEmbedding && first.maskZero) ({ lengths, leftPadded } = paddingOf(x.data, start, B, T, first.name));
      const out = this.stepsOnThreads(x, B, T) ? this.stepRows(x, start, B, T, !seqOut) : this.runBlock(x, start, B, 0, T, null, false, lengths, leftPadded);
      for (let t = 0; t < To; t++) for (let b = 0; b < B; b++) {
        const src = (t * B + b) * C, dst = ((start + b) * To + t) * C;
        result.set(out.subarray(src, src + C), dst);
        if (this.softmaxOutput) softmaxInPlace(result.subarray(dst, dst + C));
      }
    }
    return { data: result, shape: [N, ...(seqOut ? [To] : []), C] };
  }

  /**
   * Whether predict steps a block of B samples through a temporary stream (stepRows) rather than running
   * whole-sequence kernels: with helper threads (loadInferKernels({ threads })) only streaming steps are split
   * across threads, and that is faster up to B = 64 (MEASURED, LSTM(256), D 64, T 64, repeated predicts on 2
   * threads against the whole-sequence kernels on 1: B 1 1.56×, 2 1.78×, 8 1.82×, 32 1.79×, 64 1.75×;
   * docs/inference.md). Same bits: a T-step kernel call equals T one-step calls (tested).
   */
  private stepsOnThreads(x: TensorData, B: number, T: number): boolean {
    return this.kernels.threads !== null && this.unsupportedStreaming === null && T > 1 && B <= InferenceModel.threadedPredictMaxBatch && (this.idsInput || x.shape.length >= 3)
      && this.layers.some((l) => l instanceof InferRecurrent && l.splits(this.kernels, B)); // else no step is split
  }

  /** The largest block (samples) that predict steps on threads (stepsOnThreads); tests may change it. */
  static threadedPredictMaxBatch = 64;

  // Raw output rows of samples [start, start + B) stepped through a temporary stream; its buffers are freed.
  private stepRows(x: TensorData, start: number, B: number, T: number, lastOnly: boolean): Float32Array {
    const a = this.kernels.arena, mark = a.mark();
    try {
      return new ModelStream(this, { batchSize: B }).stepRows(x, start, T, lastOnly);
    } finally {
      a.release(mark);
    }
  }

  /** Applies the output softmax (if any) to rows of C. */
  finishRows(rows: Float32Array): Float32Array {
    if (this.softmaxOutput) {
      const C = this.layers[this.layers.length - 1].units;
      for (let o = 0; o < rows.length; o += C) softmaxInPlace(rows.subarray(o, o + C));
    }
    return rows;
  }

  /**
   * A stream over this model: `step(x_t)` feeds one time step per sample and returns the output at t;
   * the recurrent state stays in wasm memory between calls. Refused for layers that cannot stream.
   */
  stream(options: InferStreamOptions = {}): ModelStream {
    if (this.unsupportedStreaming) throw new ConfigError(`InferenceModel "${this.name}": cannot stream: ${this.unsupportedStreaming}`);
    return new ModelStream(this, options);
  }

  /**
   * Ends the helper threads of `loadInferenceModel(source, { threads })` (kernels passed in through
   * options.kernels are the caller's: `kernels.dispose()`). Threaded steps throw afterwards. Idempotent.
   */
  dispose(): void {
    if (this.ownsKernels) this.kernels.dispose();
  }
}
