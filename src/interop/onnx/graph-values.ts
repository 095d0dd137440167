// The abstract values of the ONNX importer (import-graph.ts): constants, ids and their zero-mask, and
// data-path tensors with tagged axes (B batch, T time, F features as "parts" = one direction of one layer,
// L a list of per-direction states, 1 a unit axis); and the stack of converted layers they refer to.
import { ModelFileError, UnsupportedModelError } from '../errors.js';
import type { Tensor } from '../tensor.js';
import type { OnnxGraph, OnnxNode } from './proto.js';
import type { ConstTensor } from './static-ops.js';

/** Throws the UnsupportedModelError for a node. */
export function unsupported(node: OnnxNode, what = 'operator is not supported on the data path (between the input and the output)'): never {
  throw new UnsupportedModelError(where(node), what);
}

/** Axis tags of a data-path value. */
export type Tag = 'B' | 'T' | 'F' | 'L' | '1';

/** One direction of one entry's output; `cell` marks an LSTM cell state (Y_c); `ver` a Dense's bias/activation stage. */
export interface Part {
  src: number;
  dir: number;
  cell?: boolean;
  ver?: number;
}

/** What a layer reads of an entry: its output, or of a recurrent entry its sequence, final state h or cell state c. */
export interface Ref {
  src: number;
  what: 'out' | 'seq' | 'h' | 'c';
}

/** A data-path value. */
export interface Dyn {
  kind: 'dyn';
  tags: Tag[];
  shape: number[];
  /** Entries of the L axis (when tags has L); F is then each entry's width. */
  list: Part[] | null;
  /** Parts concatenated along F (when tags has no L). */
  feat: Part[] | null;
}

/** Any value of the graph. */
export type Val =
  | { kind: 'const'; t: ConstTensor }
  | Dyn
  | { kind: 'ids'; tags: Tag[]; shape: number[]; input: number }
  | { kind: 'idsmask'; nonzero: boolean; shape: number[]; input: number }
  | { kind: 'lens'; input: number }
  /** Keras Masking as ONNX computes it (masking-ops.ts): x ≠ value per element, then per step; shape is x's. */
  | { kind: 'fmask'; of: Ref; value: number; nonzero: boolean; step: boolean; unit: boolean; shape: number[] };

/** A converted recurrent node. */
export interface RnnEntry {
  kind: 'rnn';
  node: OnnxNode;
  cell: 'LSTM' | 'GRU' | 'RNN';
  H: number;
  dirs: number;
  reverse: boolean;
  activation: string;
  recurrentActivation: string;
  resetAfter: boolean;
  /** Per direction: kernel (D, G), recurrent (H, G), bias (Keras layout). */
  weights: Tensor[][];
  /** The entry whose mask sequence_lens counts: an ids input (non-zero ids) or a Masking entry (-1: none). */
  lensInput: number;
  input: Ref;
  /** Initial states (h[, c]) when the graph passes them. */
  states: Ref[];
  /** What later layers read of it. */
  uses: Set<'seq' | 'h' | 'c'>;
}

/** A converted layer (or the input) on the stack. */
export type Entry =
  | { kind: 'input'; name: string; width: number; ids: boolean; time: number | null }
  | { kind: 'embedding'; node: OnnxNode; table: Tensor; maskZero: boolean; input: Ref }
  | RnnEntry
  | { kind: 'dense'; node: OnnxNode; kernel: Tensor; bias: Float32Array | null; activation: string; input: Ref; ver: number }
  | { kind: 'merge'; source: string; op: 'Add' | 'Multiply' | 'Average' | 'Concatenate'; inputs: Ref[]; width: number }
  | { kind: 'repeat'; node: OnnxNode; n: number; input: Ref; width: number }
  | { kind: 'masking'; node: OnnxNode; value: number; input: Ref; width: number };

/** The refs an entry reads (data inputs, then initial states). */
export function refsOf(e: Entry): Ref[] {
  switch (e.kind) {
    case 'input': return [];
    case 'merge': return e.inputs;
    case 'rnn': return [e.input, ...e.states];
    default: return [e.input];
  }
}

/** How errors name a node. */
export const where = (n: OnnxNode) => `ONNX ${n.opType} "${n.name}"`;

/** A constant as a float32 tensor. */
export function constTensor(t: ConstTensor): Tensor {
  return { shape: t.dims.slice(), data: Float32Array.from(t.data) };
}

/** ONNX activation name (+ alpha/beta) → fused-rnn name, or null when fused-rnn has no such activation. */
/** ONNX activation name (+ alpha/beta) → fused-rnn name, or null. */
export function activationOf(name: string, alpha: number | undefined, beta: number | undefined): string | null {
  switch (name.toLowerCase()) {
    case 'sigmoid': return 'sigmoid';
    case 'tanh': return 'tanh';
    case 'relu': return 'relu';
    case 'affine': return (alpha ?? 1) === 1 && (beta ?? 0) === 0 ? 'linear' : null;
    case 'hardsigmoid': {
      const a = alpha ?? 0.2, b = beta ?? 0.5;
      if (Math.abs(a - 1 / 6) < 1e-6 && Math.abs(b - 0.5) < 1e-6) return 'hard_sigmoid';
      // ONNX's default (0.2, 0.5) is TF.js / Keras 2's clip(0.2x + 0.5, 0, 1): the kernels' hard_sigmoid_tfjs.
      if (Math.abs(a - 0.2) < 1e-6 && Math.abs(b - 0.5) < 1e-6) return 'hard_sigmoid_tfjs';
      return null;
    }
    default: return null;
  }
}


/** A constant input, or UnsupportedModelError naming the node. */
export function need(t: ConstTensor | null, node: OnnxNode, what: string): ConstTensor {
  if (!t) unsupported(node, `${what} must be a constant`);
  return t;
}

/** The data-path input, or UnsupportedModelError naming the node. */
export function asDyn(v: Val | null, node: OnnxNode): Dyn {
  if (!v || v.kind !== 'dyn') unsupported(node, `expects the data path as input ${node.inputs[0]}`);
  return v;
}

/** Equal(ids, 0) / Greater(ids, 0) / Not: the mask_zero pattern that computes sequence_lens. */
export function maskOps(node: OnnxNode, ins: Array<Val | null>): Val {
  const [a, b] = ins;
  if (node.opType === 'Not') {
    if (a?.kind !== 'idsmask') unsupported(node);
    return { ...a, nonzero: !a.nonzero };
  }
  const ids = a?.kind === 'ids' ? a : b?.kind === 'ids' ? b : null;
  const k = a?.kind === 'const' ? a.t : b?.kind === 'const' ? b.t : null;
  if (!ids || !k || k.data.length !== 1 || k.data[0] !== 0) unsupported(node, 'compares something other than the ids with 0 (only the mask_zero pattern is supported)');
  if (node.opType === 'Greater' && a?.kind !== 'ids') unsupported(node);
  return { kind: 'idsmask', nonzero: node.opType === 'Greater', shape: ids.shape, input: ids.input };
}

/** Nodes the requested outputs depend on (the rest, e.g. an output not imported, is ignored). */
export function neededNodes(graph: OnnxGraph, outputNames: string[], file: string): Set<OnnxNode> {
  const producer = new Map<string, OnnxNode>();
  for (const n of graph.nodes) for (const o of n.outputs) producer.set(o, n);
  for (const name of outputNames) {
    if (!producer.has(name) && !graph.outputs.some((o) => o.name === name)) {
      throw new ModelFileError(file, `has no output named "${name}" (outputs: ${graph.outputs.map((o) => o.name).join(', ')})`);
    }
  }
  const seen = new Set<OnnxNode>();
  const todo = outputNames.slice();
  while (todo.length) {
    const p = producer.get(todo.pop()!);
    if (!p || seen.has(p)) continue;
    seen.add(p);
    for (const i of p.inputs) if (i) todo.push(i);
  }
  return seen;
}
