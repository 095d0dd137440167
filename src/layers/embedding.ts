// Embedding: token ids (B, T) → vectors (T, B, E), time-major. Keras: keras.layers.Embedding
// (https://keras.io/api/layers/core_layers/embedding/). `weights` initialises the table from a matrix
// (e.g. GloVe, see src/data), `trainable: false` freezes it, `maskZero` makes id 0 padding: its row is
// zeros, it receives no gradient, and the per-sample lengths flow to the recurrent layers above.

import { ShapeError } from '../errors.js';
import { Constant, serializeInitializer, getInitializer, type InitializerSpec } from '../initializers.js';
import type { Regularizer } from '../model/param-table.js';
import { maskFromSteps } from './mask.js';
import { Layer, regularizerConfig, type LayerOptions, type Mask, type ParamDeclaration, type Planner, type Port, type RunContext, type Shape, checkShapeArgument } from './layer.js';

/** Options of Embedding (Keras names; `weights` to start from a matrix). */
export interface EmbeddingOptions extends LayerOptions {
  /** V: vocabulary size (ids in [0, V)). */
  inputDim: number;
  /** E: vector width. */
  outputDim: number;
  embeddingsInitializer?: InitializerSpec;
  embeddingsRegularizer?: Regularizer | null;
  /** A (V, E) matrix (flat row-major or rows) to start from, e.g. GloVe vectors. */
  weights?: ArrayLike<number> | ArrayLike<ArrayLike<number>>;
  maskZero?: boolean;
  /** Keras input_length: fixes T (optional). */
  inputLength?: number;
}

/** Keras Embedding: token ids (None, T) → vectors (None, T, E); maskZero makes id 0 padding. */
export class Embedding extends Layer {
  readonly className = 'Embedding';
  readonly inputDim: number;
  readonly outputDim: number;
  readonly maskZero: boolean;
  readonly inputLength: number | undefined;
  private readonly initializer: InitializerSpec;
  private readonly regularizer: Regularizer | null;
  private y = 0;
  private dy = 0;

  constructor(options: EmbeddingOptions) {
    super({ ...options, inputShape: options?.inputShape ?? (options?.inputLength ? [options.inputLength] : undefined) }, 'embedding');
    const { inputDim, outputDim } = options;
    if (!Number.isInteger(inputDim) || inputDim < 1) throw new ShapeError(`Embedding "${this.name}": inputDim must be a positive integer, got ${inputDim}`);
    if (!Number.isInteger(outputDim) || outputDim < 1) throw new ShapeError(`Embedding "${this.name}": outputDim must be a positive integer, got ${outputDim}`);
    this.inputDim = inputDim;
    this.outputDim = outputDim;
    this.maskZero = options.maskZero ?? false;
    this.inputLength = options.inputLength;
    this.regularizer = options.embeddingsRegularizer ?? null;
    this.initializer = options.weights !== undefined
      ? new Constant(flattenMatrix(options.weights, inputDim, outputDim, this.name))
      : options.embeddingsInitializer ?? { className: 'RandomUniform', config: { minval: -0.05, maxval: 0.05 } };
  }

  computeOutputShape(input: Shape): Shape {
    checkShapeArgument(this, input);
    if (input.length !== 1) throw this.shapeError('input of token ids', '(None, T)', input);
    return [input[0], this.outputDim];
  }

  declareParams(): ParamDeclaration[] {
    return [{ name: 'embeddings', shape: [this.inputDim, this.outputDim], trainable: this.trainable, regularizer: this.regularizer, initializer: this.initializer }];
  }

  plan(planner: Planner, input: Port): Port {
    if (!input.ids) throw new ShapeError(`Embedding "${this.name}": input must be integer token ids (B, T)`);
    this.input = input;
    const cap = planner.capacity.T * planner.capacity.B * this.outputDim;
    this.y = planner.alloc(cap);
    this.dy = planner.training ? planner.alloc(cap) : 0;
    this.output = this.densePort(this.computeOutputShape(input.shape), true, this.y, this.dy);
    return this.output;
  }

  forward(ctx: RunContext): void {
    const ids = this.input.value(ctx);
    ctx.kernels.embeddingForward({ y: this.output.value(ctx), ids, embeddings: this.weight(ctx, 'embeddings'), maskZero: this.maskZero });
  }

  /** With maskZero: the valid steps of each sample (id 0 = padding), from the batch's ids. */
  override computeMask(ctx: RunContext): Mask | null {
    if (!this.maskZero) return null;
    // ids are batch-major (B, T); the mask is time-major (T, B), any pattern (gaps, either side).
    const { B, T } = ctx, ids = ctx.kernels.arena.i32(this.input.value(ctx).ptr, B * T), valid = new Uint8Array(T * B);
    for (let b = 0; b < B; b++) for (let t = 0; t < T; t++) valid[t * B + b] = ids[b * T + t] !== 0 ? 1 : 0;
    return maskFromSteps(valid, T, B);
  }

  override get expectsIds(): boolean {
    return true;
  }

  backward(ctx: RunContext): void {
    if (!this.trainable) return;
    const dy = this.output.grad(ctx);
    if (!dy) return;
    ctx.kernels.embeddingBackward({ dEmbeddings: this.weightGrad(ctx, 'embeddings'), dy, ids: this.input.value(ctx), maskZero: this.maskZero });
  }

  getConfig(): Record<string, unknown> {
    const init = getInitializer(this.initializer);
    return {
      name: this.name, trainable: this.trainable, inputDim: this.inputDim, outputDim: this.outputDim, maskZero: this.maskZero,
      inputLength: this.inputLength ?? null,
      // A weights matrix is saved with the checkpoint's weights, not in the config.
      embeddingsInitializer: init instanceof Constant ? { className: 'RandomUniform', config: { minval: -0.05, maxval: 0.05 } } : serializeInitializer(init),
      embeddingsRegularizer: regularizerConfig(this.regularizer),
    };
  }
}

function flattenMatrix(weights: ArrayLike<number> | ArrayLike<ArrayLike<number>>, V: number, E: number, name: string): Float32Array {
  const first = weights[0];
  if (typeof first === 'object' && first !== null) {
    const rows = weights as ArrayLike<ArrayLike<number>>;
    if (rows.length !== V) throw new ShapeError(`Embedding "${name}": weights have ${rows.length} rows, expected inputDim = ${V}`);
    const out = new Float32Array(V * E);
    for (let v = 0; v < V; v++) {
      if (rows[v].length !== E) throw new ShapeError(`Embedding "${name}": weights row ${v} has ${rows[v].length} values, expected outputDim = ${E}`);
      out.set(rows[v], v * E);
    }
    return out;
  }
  const flat = weights as ArrayLike<number>;
  if (flat.length !== V * E) {
    throw new ShapeError(`Embedding "${name}": weights have ${flat.length} values, expected (inputDim, outputDim) = (${V}, ${E}) = ${V * E}`);
  }
  return Float32Array.from(flat);
}

/**
 * Per-sample lengths and padding side of a batch of ids (B, T), id 0 = padding. Keras masks may have holes;
 * the fused kernels take right- OR left-padded batches, so padding must sit on one side of every row and on
 * the same side in the whole batch (rows without padding fit either).
 */
export function paddingOf(ids: Int32Array, B: number, T: number, layer: string, what = 'id 0'): { lengths: Int32Array; leftPadded: boolean } {
  const lengths = new Int32Array(B);
  let side: 'left' | 'right' | null = null;
  let sideRow = -1;
  for (let b = 0; b < B; b++) {
    const row = ids.subarray(b * T, (b + 1) * T);
    let first = -1, last = -1, count = 0;
    for (let t = 0; t < T; t++) {
      if (row[t] !== 0) {
        if (first < 0) first = t;
        last = t;
        count++;
      }
    }
    lengths[b] = count;
    if (count === 0 || count === T) continue;
    if (last - first + 1 !== count) {
      let hole = first;
      while (row[hole] !== 0) hole++;
      throw new ShapeError(`${what === 'id 0' ? 'Embedding' : 'Masking'} "${layer}": ${what === 'id 0' ? 'maskZero needs padding (id 0)' : 'one-sided masks need padding'} on one side of each sequence, but batch row ${b} has ${what} at time step ${hole} between ${what === 'id 0' ? 'tokens' : 'valid steps'}`);
    }
    const rowSide = first === 0 ? 'right' : last === T - 1 ? 'left' : null;
    if (rowSide === null) {
      throw new ShapeError(`${what === 'id 0' ? 'Embedding' : 'Masking'} "${layer}": batch row ${b} is padded on both sides (tokens at time steps ${first}..${last} of ${T})`);
    }
    if (side !== null && side !== rowSide) {
      throw new ShapeError(`${what === 'id 0' ? 'Embedding' : 'Masking'} "${layer}": batch row ${sideRow} is ${side}-padded but batch row ${b} is ${rowSide}-padded; use one padding side (padSequences padding 'pre' or 'post')`);
    }
    side = rowSide;
    sideRow = b;
  }
  return { lengths, leftPadded: side === 'left' };
}
