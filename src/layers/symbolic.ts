// Symbolic tensors of the functional API (Keras: KerasTensor): what `Input()` returns and what
// `layer.apply()` returns. They hold only a per-sample shape, a dtype and the node that made them; a Model
// walks them back from its outputs to find the graph. Nothing numeric happens here.
//
// This file sits below layer.ts (layer.ts imports it, never the reverse), so a node refers to its layer
// through the small structural `NodeLayer` interface.

import { ConfigError } from '../errors.js';

/** Per-sample Keras shape (no batch dim); `null` = any length (time). */
export type Shape = Array<number | null>;

/** Element type of a tensor: float32 values, or int32 token ids (the input of an Embedding). */
export type DType = 'float32' | 'int32';

/** What a node needs from its layer (the Layer class satisfies it). */
export interface NodeLayer {
  readonly name: string;
  readonly className: string;
}

/** One application of a layer: the tensors it read and the tensors it made (Keras: Node). */
export interface GraphNode {
  /** The layer applied (null for an Input). */
  readonly layer: NodeLayer | null;
  /** Every tensor the layer reads: the main input(s) first, then initial states. */
  readonly inputs: readonly SymbolicTensor[];
  readonly outputs: SymbolicTensor[];
  /** How many of `inputs` are initial states (recurrent layers), counted from the end. */
  readonly stateCount: number;
}

let tensorCounter = 0;

/** A placeholder for data flowing through a functional model (Keras KerasTensor). */
export class SymbolicTensor {
  /** Unique id (creation order), used to order and identify graph edges. */
  readonly id = tensorCounter++;

  constructor(
    /** Per-sample Keras shape (no batch dim). */
    readonly shape: Shape,
    readonly dtype: DType,
    /** The node that produced this tensor. */
    readonly node: GraphNode,
    /** Which output of that node this tensor is. */
    readonly index: number,
    /** A readable name: "<layer>" or "<layer>:<index>"; an Input's own name. */
    readonly name: string,
  ) {}

  /** Whether this tensor is a model input (made by Input()). */
  get isInput(): boolean {
    return this.node.layer === null;
  }

  /** `(None, 5, 3)`-style rendering with the batch dim, for error messages. */
  toString(): string {
    return `${this.name} (None, ${this.shape.map((d) => (d === null ? 'None' : d)).join(', ')})`;
  }
}

/** Options of Input(): per-sample shape (no batch), dtype (int32 for token ids) and a name. */
export interface InputOptions {
  shape: Shape;
  dtype?: DType;
  name?: string;
}

const inputNames = new Map<string, number>();

/** Checks a per-sample shape: an array of positive integers or null (any length). */
export function isShape(s: unknown): s is Shape {
  return Array.isArray(s) && s.every((d) => d === null || (Number.isInteger(d) && (d as number) > 0));
}

/**
 * A model input (Keras `keras.Input`): `Input({ shape: [null, 8] })` is a sequence of 8-vectors of any
 * length, `Input({ shape: [20], dtype: 'int32' })` 20 token ids, `Input({ shape: [4] })` one 4-vector.
 */
export function Input(options: InputOptions): SymbolicTensor {
  const { shape, dtype = 'float32' } = options ?? ({} as InputOptions);
  if (!isShape(shape) || shape.length === 0) {
    throw new ConfigError(`Input: shape must be a non-empty array of positive integers or null, got ${JSON.stringify(shape)}`);
  }
  if (dtype !== 'float32' && dtype !== 'int32') throw new ConfigError(`Input: dtype must be 'float32' or 'int32', got ${JSON.stringify(dtype)}`);
  if (dtype === 'int32' && shape.length !== 1) throw new ConfigError(`Input: int32 token ids must have shape [T], got ${JSON.stringify(shape)}`);
  let name = options.name;
  if (name === undefined) {
    const n = inputNames.get('input') ?? 0;
    inputNames.set('input', n + 1);
    name = n === 0 ? 'input_layer' : `input_layer_${n}`;
  } else if (typeof name !== 'string' || name === '') {
    throw new ConfigError(`Input: name must be a non-empty string, got ${JSON.stringify(name)}`);
  }
  const node: GraphNode = { layer: null, inputs: [], outputs: [], stateCount: 0 };
  const t = new SymbolicTensor(shape.slice(), dtype, node, 0, name);
  node.outputs.push(t);
  return t;
}
