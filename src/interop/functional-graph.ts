// A functional fused-rnn Model as the exporters see it: its inputs, one node per layer call (the layer, where
// its inputs and initial states come from, the per-sample shapes in and out), its outputs, and the order
// Keras 3 gives the layers (`model.layers`, which also numbers the `.keras` weight groups). Built from the
// model's own config (getConfig) so nothing internal is read. Shared layers (one layer called twice) and
// explicit masks have no counterpart the exporters write: UnsupportedModelError naming the layer.
import type { Layer, Model, Shape } from '../index.js';
import { UnsupportedModelError } from './errors.js';

/** Output `index` of node `node`, or model input `index` when node is -1. */
export interface ExportEdge {
  node: number;
  index: number;
}

/** One layer call. */
export interface ExportNode {
  layer: Layer;
  /** Inputs, then `stateCount` initial states. */
  inputs: ExportEdge[];
  stateCount: number;
  inputShapes: Shape[];
  outputShapes: Shape[];
}

/** The wiring of a functional model, nodes in topological order. */
export interface ExportGraph {
  name: string;
  inputs: Array<{ name: string; shape: Shape; dtype: 'int32' | 'float32' }>;
  nodes: ExportNode[];
  outputs: ExportEdge[];
}

interface FunctionalSpec {
  className: string;
  config: {
    name: string;
    inputs: Array<{ name: string; shape: Shape; dtype: string }>;
    nodes: Array<{ layer: number; inputs: Array<[number, number]>; stateCount: number; mask?: [number, number] | null }>;
    outputs: Array<[number, number]>;
  };
}

/** The export graph of a built functional model. */
export function exportGraphOf(model: Model): ExportGraph {
  const spec = model.getConfig() as unknown as FunctionalSpec;
  const where = `${model.className} "${model.name}"`;
  if (spec.className !== 'Functional') throw new UnsupportedModelError(where, `a ${spec.className} model is not a functional graph`);
  const layers = model.layers;
  const c = spec.config;
  const inputs = c.inputs.map((i) => ({ name: i.name, shape: i.shape.slice(), dtype: (i.dtype === 'int32' ? 'int32' : 'float32') as 'int32' | 'float32' }));
  const seen = new Set<number>();
  const nodes: ExportNode[] = [];
  const shapeOf = (e: ExportEdge): Shape => (e.node === -1 ? inputs[e.index].shape : nodes[e.node].outputShapes[e.index]);
  for (const n of c.nodes) {
    const layer = layers[n.layer];
    const name = `${layer.className} "${layer.name}"`;
    if (seen.has(n.layer)) throw new UnsupportedModelError(name, 'is called more than once (a shared layer); the exporters write each layer once');
    if (n.mask) throw new UnsupportedModelError(name, 'is called with an explicit mask; the exporters write masks that come from Embedding(maskZero) or Masking only');
    seen.add(n.layer);
    const ins = n.inputs.map(([node, index]) => ({ node, index }));
    const inputShapes = ins.map(shapeOf);
    nodes.push({ layer, inputs: ins, stateCount: n.stateCount, inputShapes, outputShapes: layer.computeOutputShapes(inputShapes, n.stateCount) });
  }
  return { name: c.name, inputs, nodes, outputs: c.outputs.map(([node, index]) => ({ node, index })) };
}

/** Something Keras lists in `model.layers`: a model input (InputLayer) or a node. */
export type KerasOperation = { input: number } | { node: number };

/**
 * Keras 3's `model.layers` order (functional.py map_graph): depth from the outputs (a layer is one deeper than
 * the deepest layer reading it), deepest first; ties in the order a depth-first walk from the outputs (inputs
 * before states, as the call lists them) first meets them.
 */
export function kerasLayerOrder(g: ExportGraph): KerasOperation[] {
  const key = (e: ExportEdge) => (e.node === -1 ? `i${e.index}` : `n${e.node}`);
  const seenAt = new Map<string, number>();
  const finished = new Set<string>();
  const post: string[] = [];
  const walk = (e: ExportEdge): void => {
    const k = key(e);
    if (finished.has(k)) return;
    if (!seenAt.has(k)) seenAt.set(k, seenAt.size);
    if (e.node >= 0) for (const u of g.nodes[e.node].inputs) walk(u);
    finished.add(k);
    post.push(k);
  };
  g.outputs.forEach(walk);
  const depth = new Map<string, number>();
  for (const k of post.slice().reverse()) {
    const d = depth.get(k) ?? 0;
    depth.set(k, d);
    if (k.startsWith('n')) for (const u of g.nodes[Number(k.slice(1))].inputs) depth.set(key(u), Math.max(depth.get(key(u)) ?? 0, d + 1));
  }
  return post
    .slice()
    .sort((a, b) => depth.get(b)! - depth.get(a)! || seenAt.get(a)! - seenAt.get(b)!)
    .map((k) => (k.startsWith('i') ? { input: Number(k.slice(1)) } : { node: Number(k.slice(1)) }));
}
