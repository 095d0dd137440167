// The layer contract of the model: declare params, plan buffers once for the largest (B, T), then run
// forward in order and backward in reverse over those buffers (no autograd tape).
//
// Layouts inside the model (DESIGN.md §3): sequences are time-major (T, B, F); per-sample vectors are
// (B, F); token ids stay batch-major (B, T) i32 (the Embedding gather writes time-major).
// A Port is how a layer hands its output to the next one: a view for the current (B, T) and, when the
// model trains, a gradient buffer of the same shape that the NEXT layer's backward writes into.

import type { Kernels, Ptr, TensorRef } from '../../bindings/index.js';
import { ShapeError } from '../errors.js';
import type { InitializerSpec } from '../initializers.js';
import type { ParamEntry, ParamSpec, Regularizer } from '../model/param-table.js';
import type { Random } from '../random.js';

/** Per-sample Keras shape (no batch dim); `null` = any length (time). */
export type Shape = Array<number | null>;

/** The batch size and sequence length of the current call. */
export interface RunDims {
  B: number;
  T: number;
}

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

/** Per-batch state shared by the layers of one forward/backward pass. */
export interface RunContext extends RunDims {
  kernels: Kernels;
  training: boolean;
  /** Per-sample lengths from an Embedding with maskZero (null: no mask). */
  lengths: Int32Array | null;
  leftPadded: boolean;
  /** Generator for dropout masks (advanced only in training). */
  random: Random;
  /** Scratch for the dropout kernel's generator state (16 bytes). */
  randomState: Ptr;
  /** Param and grad slab base pointers. */
  params: Ptr;
  grads: Ptr;
}

/** Buffer planning: capacity allocations from the model's arena. */
export interface Planner {
  /** Allocates `floats` f32 (or i32) elements, zeroed. */
  alloc(floats: number): Ptr;
  /** Largest batch and length this plan must hold. */
  readonly capacity: RunDims;
  /** Whether gradient buffers are needed (training plan vs inference-only plan). */
  readonly training: boolean;
}

export interface ParamDeclaration extends ParamSpec {
  initializer: InitializerSpec;
}

export interface LayerOptions {
  name?: string;
  trainable?: boolean;
  /** Keras input_shape for the first layer: per-sample shape without the batch, e.g. [40] ids or [T, D]. */
  inputShape?: Shape;
}

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

export function sizeOf(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** Base class of every layer: name, shapes, weights in the model's parameter table, forward and backward on the kernels. */
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
    this.name = options.name ?? uniqueName(defaultBase);
    this.trainable = options.trainable ?? true;
    this.inputShape = options.inputShape;
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

/** (batch, 40, 100)-style rendering of a per-sample shape with the batch dim. */
export function formatKerasShape(shape: Shape): string {
  return `(None, ${shape.map((d) => (d === null ? 'None' : d)).join(', ')})`;
}

export function regularizerConfig(r: Regularizer | null | undefined): Record<string, number> | null {
  return r ? { l1: r.l1, l2: r.l2 } : null;
}
