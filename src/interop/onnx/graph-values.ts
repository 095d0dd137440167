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

/** One direction of one stack entry's output; `cell` marks an LSTM cell state (Y_c), never a layer output. */
/** One direction of one layer's output. */
export interface Part {
  src: number;
  dir: number;
  cell?: boolean;
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
  | { kind: 'ids'; tags: Tag[]; shape: number[] }
  | { kind: 'idsmask'; nonzero: boolean; shape: number[] }
  | { kind: 'lens' };

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
  masked: boolean;
  returnSequences?: boolean;
}

/** A converted layer (or the input) on the stack. */
export type Entry =
  | { kind: 'input'; width: number }
  | { kind: 'embedding'; node: OnnxNode; table: Tensor; maskZero: boolean }
  | RnnEntry
  | { kind: 'dense'; node: OnnxNode; kernel: Tensor; bias: Float32Array | null; activation: string };

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
  return { kind: 'idsmask', nonzero: node.opType === 'Greater', shape: ids.shape };
}

/** Nodes the requested output depends on (the rest, e.g. a second output, is ignored). */
export function neededNodes(graph: OnnxGraph, outputName: string, file: string): Set<OnnxNode> {
  const producer = new Map<string, OnnxNode>();
  for (const n of graph.nodes) for (const o of n.outputs) producer.set(o, n);
  if (!producer.has(outputName) && !graph.outputs.some((o) => o.name === outputName)) {
    throw new ModelFileError(file, `has no output named "${outputName}"`);
  }
  const seen = new Set<OnnxNode>();
  const todo = [outputName];
  while (todo.length) {
    const p = producer.get(todo.pop()!);
    if (!p || seen.has(p)) continue;
    seen.add(p);
    for (const i of p.inputs) if (i) todo.push(i);
  }
  return seen;
}
