// The layer contract of the model: declare params, plan buffers once for the largest (B, T), then run
// forward in order and backward in reverse over those buffers (no autograd tape).
//
// Layouts inside the model (DESIGN.md §3): sequences are time-major (T, B, F); per-sample vectors are
// (B, F); token ids stay batch-major (B, T) i32 (the Embedding gather writes time-major).
// A Port is how a layer hands an output to the next one: a view for the current (B, T) and, when the
// model trains, a gradient buffer of the same shape that the CONSUMER's backward writes into.
//
// Time length and mask travel with the tensors: the model keeps, for every port, the (B, T) and the mask
// its producer gave it in forward, and hands each layer a fresh RunContext made from its inputs' state.
// A layer never changes the context (nothing to restore in backward); it states its output length
// (outputSteps) and mask (computeMask) and the model records them on its output ports.

import type { Kernels, Ptr, TensorRef } from '../../bindings/index.js';
import type { Random } from '../../bindings/random.js';
import { validateLayerOptions } from '../options/layers.js';
import { GraphError, ShapeError } from '../errors.js';
import type { InitializerSpec } from '../initializers.js';
import type { ParamEntry, ParamSpec, Regularizer } from '../model/param-table.js';
import { SymbolicTensor, type GraphNode, type Shape } from './symbolic.js';
import { checkOptions, describeValue } from '../options/schema.js';

export type { Shape } from './symbolic.js';

/** The batch size and sequence length of the current call. */
export interface RunDims {
  B: number;
  T: number;
}

/**
 * Which time steps of a batch are valid (Keras masks). One-sided padding is `lengths` (valid steps per
 * sample) with the side, the kernels' fast path; any other pattern is a (T, B) step mask (layers/mask.ts).
 */
export interface Mask {
  /** (B) valid steps per sample, for one-sided masks; null when `steps` holds the mask. */
  lengths: Int32Array | null;
  /** Valid steps at the end (left padding) instead of the start. */
  leftPadded: boolean;
  /** (T, B) time-major 0/1, for masks lengths cannot describe (gaps, mixed sides); else null. */
  steps: Uint8Array | null;
}

/** How a layer hands an output to its consumers: value and gradient buffers for the current run. */
export interface Port {
  /** Keras per-sample shape, e.g. [T, 64] for a sequence of 64-vectors, [1] for a score. */
  shape: Shape;
  /** True when the leading per-sample dim is time (internal layout (T, B, F)). */
  sequence: boolean;
  /** True for int32 token ids (B, T). */
  ids?: boolean;
  /** The data for the current run. */
  value(run: RunDims): TensorRef;
  /** The gradient buffer the consumer writes into (same layout), or null when no gradient is needed. */
  grad(run: RunDims): TensorRef | null;
}

/** The time length and mask of one input tensor in the current run. */
export interface InputState {
  T: number;
  mask: Mask | null;
}

/** What one layer call sees: B and T and the mask of its first input, every input's state, the slabs. */
export interface RunContext extends RunDims {
  kernels: Kernels;
  training: boolean;
  /** The mask of the first input (null: every step valid). */
  mask: Mask | null;
  /** Per-sample valid lengths of the first input, when its mask is one-sided (else null). */
  lengths: Int32Array | null;
  leftPadded: boolean;
  /** (T, B) 0/1 step mask of the first input, when lengths cannot describe it (else null). */
  stepMask: Uint8Array | null;
  /** Every input's time length and mask, in input order (the first is also in T / lengths above). */
  inputs: readonly InputState[];
  /** Generator for dropout masks (advanced only in training). */
  random: Random;
  /** Scratch for the dropout kernel's generator state (16 bytes). */
  randomState: Ptr;
  /** Param and grad slab base pointers. */
  params: Ptr;
  grads: Ptr;
  /**
   * The version of the params slab's contents: the Engine bumps it before every write (setWeights, an
   * optimizer step, `slabs`), so what a layer derives from its weights (packed panels) stays valid while it is
   * unchanged. Undefined: unknown (nothing derived is reused).
   */
  weightsVersion?: number;
}

/** Buffer planning: capacity allocations from the model's arena. */
export interface Planner {
  /** Allocates `floats` f32 (or i32) elements, zeroed. */
  alloc(floats: number): Ptr;
  /** Largest batch and length (of the first input) this plan must hold. */
  readonly capacity: RunDims;
  /** Largest length of every input, in input order. */
  readonly inputCapacity: readonly number[];
  /** Whether gradient buffers are needed (training plan vs inference-only plan). */
  readonly training: boolean;
  /** Whether each output is read by another layer or a loss (an unread output needs no gradient). */
  readonly outputsUsed: readonly boolean[];
}

/** Options of layer.apply(): initial states for recurrent layers (Keras `initial_state`). */
export interface ApplyOptions {
  /** Recurrent layers: [h] (GRU, SimpleRNN) or [h, c] (LSTM); Bidirectional: forward states, then backward. */
  initialState?: SymbolicTensor | SymbolicTensor[];
  /**
   * An explicit mask for the first input (Keras `mask=`): a (None, T) tensor whose nonzero entries mark the
   * valid steps; it replaces the mask the input carries.
   */
  mask?: SymbolicTensor;
}

/** A weight a layer declares: its spec and initializer. */
export interface ParamDeclaration extends ParamSpec {
  initializer: InitializerSpec;
}

/** Options every layer takes: name, trainable, inputShape. */
export interface LayerOptions {
  name?: string;
  trainable?: boolean;
  /** Keras input_shape for the first layer: per-sample shape without the batch, e.g. [40] ids or [T, D]. */
  inputShape?: Shape;
}

/** A layer as config: { className, config } (Keras get_config). */
export interface LayerConfig {
  className: string;
  config: Record<string, unknown>;
}

const counters = new Map<string, number>();
/** Keras-style unique default names: lstm, lstm_1, lstm_2... (per process). */
export function uniqueName(base: string): string {
  const n = counters.get(base) ?? 0;
  counters.set(base, n + 1);
  return n === 0 ? base : `${base}_${n}`;
}

/** The number of elements of a shape. */
export function sizeOf(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** The base of every layer: declare params, plan buffers, forward and backward; apply() for the functional API. */
export abstract class Layer {
  abstract readonly className: string;
  readonly name: string;
  trainable: boolean;
  readonly inputShape: Shape | undefined;
  /** Filled by the model when it lays out the param table. */
  params: ParamEntry[] = [];
  protected input!: Port;
  protected output!: Port;

  constructor(options: LayerOptions, defaultBase: string) {
    this.name = options?.name ?? uniqueName(defaultBase);
    validateLayerOptions(defaultBase, options, this.name); // src/options/layers.ts: types, ranges, unknown keys (issue 16)
    this.trainable = options?.trainable ?? true; // options may be absent: a subclass that takes none
    this.inputShape = options?.inputShape;
  }

  /** Receives this layer's entries of the param table (wrappers hand them on to their inner layers). */
  bindParams(entries: ParamEntry[]): void {
    this.params = entries;
  }

  /** The output shape for an input shape; throws ShapeError naming the layer and both shapes. */
  abstract computeOutputShape(input: Shape): Shape;

  /** The weights this layer owns, for an input shape (empty for weightless layers). */
  declareParams(_input: Shape): ParamDeclaration[] {
    return [];
  }

  /** Allocates this layer's buffers for `planner.capacity`, wired to its input port; returns its output port. */
  abstract plan(planner: Planner, input: Port): Port;

  abstract forward(ctx: RunContext): void;

  /** Reads the gradient of its output port, accumulates weight grads, writes the input port's gradient. */
  abstract backward(ctx: RunContext): void;

  /** Keras-style config (constructor options), for getConfig/fromConfig and checkpoints. */
  abstract getConfig(): Record<string, unknown>;

  /** Whether this layer's output carries the input mask on (Keras mask propagation). */
  propagatesMask(): boolean {
    return true;
  }

  // ---- graph: several inputs/outputs, shared application, masks and lengths

  /** True for layers that read int32 token ids (Embedding). */
  get expectsIds(): boolean {
    return false;
  }

  /**
   * Output shapes for input shapes (the last `stateCount` of them initial states). The default handles
   * one input and one output; merge layers and recurrent layers with states override it.
   */
  computeOutputShapes(inputs: Shape[], stateCount: number): Shape[] {
    if (stateCount > 0) throw new GraphError(`${this.className} "${this.name}": initialState is only accepted by recurrent layers`);
    if (inputs.length !== 1) throw new GraphError(`${this.className} "${this.name}": expects one input, got ${inputs.length}`);
    return [this.computeOutputShape(inputs[0])];
  }

  /** Allocates buffers for one application with several input ports; returns one port per output. */
  planNode(planner: Planner, inputs: Port[]): Port[] {
    return [this.plan(planner, inputs[0])];
  }

  /** The time length of the sequence outputs for an input of T steps (Conv1D, pooling change it). */
  outputSteps(T: number): number {
    return T;
  }

  /** The mask of output 0 after forward (other outputs carry none); by default the input's, if propagated. */
  computeMask(ctx: RunContext): Mask | null {
    return this.propagatesMask() ? ctx.mask : null;
  }

  /**
   * A fresh instance with the same configuration, for a second application of this layer in a graph
   * (the model binds it to the same weights, so the two applications share them). Wrappers override.
   */
  twin(): Layer {
    const Ctor = this.constructor as new (options: Record<string, unknown>) => Layer;
    return new Ctor(this.getConfig());
  }

  /**
   * Output fusion with a loss: a layer whose activation is `activation` may output logits instead and let
   * the fused loss apply it (exact, stable gradient). Returns whether it did; Dense overrides.
   */
  fuseOutputActivation(_activation: 'sigmoid' | 'softmax'): boolean {
    return false;
  }

  /** Undoes fuseOutputActivation (the layer applies its own activation again). */
  unfuseOutputActivation(): void {}

  /** The activation applied after this layer's output when it emits logits for a fused loss, else null. */
  get logitsActivation(): 'sigmoid' | 'softmax' | null {
    return null;
  }

  /** The element-wise activation of this layer's output, when it has one (Dense: its activation). */
  get outputActivation(): string | null {
    return null;
  }

  /**
   * Applies the layer to symbolic tensors (Keras functional API): `dense.apply(x)`,
   * `lstm.apply(x, { initialState: [h, c] })`, `new Concatenate().apply([a, b])`. Returns the output
   * tensor, or the list of outputs for layers with several (e.g. returnState). Applying a layer twice
   * shares its weights.
   */
  apply(inputs: SymbolicTensor | SymbolicTensor[], options: ApplyOptions = {}): SymbolicTensor | SymbolicTensor[] {
    checkOptions(`${this.className} "${this.name}": apply`, options); // issue 16: null or non-object options are an OptionError
    const main = Array.isArray(inputs) ? inputs.slice() : [inputs];
    const init = options?.initialState;
    const states = init === undefined || init === null ? [] : Array.isArray(init) ? init.slice() : [init];
    const all = [...main, ...states];
    if (main.length === 0) throw new GraphError(`${this.className} "${this.name}": apply() needs at least one input tensor`);
    all.forEach((t, i) => {
      if (!(t instanceof SymbolicTensor)) {
        throw new GraphError(`${this.className} "${this.name}": input ${i} must be a symbolic tensor from Input() or layer.apply(), got ${t === null ? 'null' : typeof t}`);
      }
    });
    main.forEach((t) => {
      if (t.dtype === 'int32' && !this.expectsIds) throw new GraphError(`${this.className} "${this.name}": input ${t.toString()} holds int32 token ids; pass it through an Embedding first`);
      if (t.dtype !== 'int32' && this.expectsIds) throw new GraphError(`${this.className} "${this.name}": expects int32 token ids (Input({ dtype: 'int32' })), got float input ${t.toString()}`);
    });
    const mask = options?.mask ?? null;
    if (mask !== null) {
      const T = main[0].shape[0];
      if (!(mask instanceof SymbolicTensor) || mask.shape.length !== 1 || main[0].shape.length !== 2 || (T !== null && mask.shape[0] !== null && mask.shape[0] !== T)) {
        throw new GraphError(`${this.className} "${this.name}": mask must be a (None, T) tensor for a sequence input (None, T, F); got mask ${mask instanceof SymbolicTensor ? mask.toString() : typeof mask} for input ${main[0].toString()}`);
      }
    }
    const shapes = this.computeOutputShapes(all.map((t) => t.shape), states.length);
    const node: GraphNode = { layer: this, inputs: all, outputs: [], stateCount: states.length, mask };
    shapes.forEach((shape, i) => node.outputs.push(new SymbolicTensor(shape, 'float32', node, i, i === 0 ? this.name : `${this.name}:${i}`)));
    return node.outputs.length === 1 ? node.outputs[0] : node.outputs.slice();
  }

  protected param(name: string): ParamEntry {
    const p = this.params.find((e) => e.name === name);
    if (!p) throw new ShapeError(`${this.className} "${this.name}": weight ${name} is not built`);
    return p;
  }

  /** TensorRef of a weight (in the params slab) or of its gradient (in the grads slab). */
  protected weight(ctx: RunContext, name: string): TensorRef {
    const p = this.param(name);
    return { ptr: ctx.params + p.offset * 4, shape: p.shape };
  }

  protected weightGrad(ctx: RunContext, name: string): TensorRef {
    const p = this.param(name);
    return { ptr: ctx.grads + p.offset * 4, shape: p.shape };
  }

  protected shapeError(what: string, expected: string, got: Shape): ShapeError {
    return new ShapeError(`${this.className} "${this.name}": expected ${what} ${expected}, got ${formatKerasShape(got)}`);
  }

  /** A port whose value and grad are dense buffers (T, B, F) or (B, F) at the given pointers. */
  protected densePort(shape: Shape, sequence: boolean, value: Ptr, grad: Ptr | 0): Port {
    const features = shape.slice(sequence ? 1 : 0) as number[];
    const dims = (run: RunDims) => (sequence ? [run.T, run.B, ...features] : [run.B, ...features]);
    return {
      shape,
      sequence,
      value: (run) => ({ ptr: value, shape: dims(run) }),
      grad: (run) => (grad === 0 ? null : { ptr: grad, shape: dims(run) }),
    };
  }
}

/**
 * The argument of computeOutputShape(input): a per-sample shape, an array of positive integers or null (a
 * free length); anything else is a ShapeError naming the layer (the planner passes shapes it derived).
 */
export function checkShapeArgument(layer: Layer, input: unknown): void {
  const ok = Array.isArray(input) && input.length <= 16 && Array.from(input).every((d) => d === null || (Number.isSafeInteger(d) && d > 0));
  if (!ok) throw new ShapeError(`${layer.className} "${layer.name}": computeOutputShape: input must be a per-sample shape (an array of positive integers or null), got ${describeValue(input)}`);
}

/** (batch, 40, 100)-style rendering of a per-sample shape with the batch dim. */
export function formatKerasShape(shape: Shape): string {
  return `(None, ${shape.map((d) => (d === null ? 'None' : d)).join(', ')})`;
}

/** A regularizer as config ({ l1, l2 } or null). */
export function regularizerConfig(r: Regularizer | null | undefined): Record<string, number> | null {
  return r ? { l1: r.l1, l2: r.l2 } : null;
}
