// The graph of a model: from its input and output symbolic tensors to a list of layer applications in
// topological order, each naming where its inputs come from. Checked here, once, with errors that name the
// layers and shapes: an output that depends on a tensor that is not a model input (disconnected), an input
// no output uses, a cycle, two layers with one name. A layer applied twice gets a second runtime instance
// (twin) bound to the same weights: the weights are shared, the buffers are not.

import { GraphError } from '../errors.js';
import { Layer } from '../layers/layer.js';
import { SymbolicTensor, type GraphNode, type Shape } from '../layers/symbolic.js';

/** Where a tensor comes from: output `index` of node `node`, or model input `index` when node is -1. */
export interface Edge {
  node: number;
  index: number;
}

/** One layer application, in topological order. */
export interface PlanNode {
  /** The runtime instance (the user's layer, or a twin of it for a second application). */
  layer: Layer;
  /** The layer that owns the weights (the user's layer). */
  owner: Layer;
  inputs: Edge[];
  /** How many of the inputs are initial states (at the end). */
  stateCount: number;
  outputShapes: Shape[];
  /** Whether each output is read by a later node or is a model output. */
  outputsUsed: boolean[];
}

/** A checked graph: inputs, nodes in topological order, output edges, the distinct weight owners. */
export interface Graph {
  inputs: SymbolicTensor[];
  nodes: PlanNode[];
  outputs: Edge[];
  /** Distinct layers in order of first application (the order their weights are declared in). */
  owners: Layer[];
}

/** Builds and checks the graph between `inputs` and `outputs` (see the header). */
export function buildGraph(inputs: SymbolicTensor[], outputs: SymbolicTensor[], model: string): Graph {
  const where = `Model "${model}"`;
  if (inputs.length === 0) throw new GraphError(`${where}: needs at least one input`);
  if (outputs.length === 0) throw new GraphError(`${where}: needs at least one output`);
  inputs.forEach((t, i) => {
    if (!(t instanceof SymbolicTensor) || !t.isInput) throw new GraphError(`${where}: inputs[${i}] must be a tensor made by Input(), got ${t instanceof SymbolicTensor ? `the output of layer "${t.node.layer?.name}"` : typeof t}`);
    if (inputs.indexOf(t) !== i) throw new GraphError(`${where}: input "${t.name}" is listed twice`);
    if (inputs.findIndex((u) => u.name === t.name) !== i) throw new GraphError(`${where}: two inputs are named "${t.name}"`);
  });
  outputs.forEach((t, i) => {
    if (!(t instanceof SymbolicTensor)) throw new GraphError(`${where}: outputs[${i}] must be a symbolic tensor from layer.apply(), got ${typeof t}`);
    if (t.isInput) throw new GraphError(`${where}: outputs[${i}] is the input "${t.name}" itself; apply a layer to it`);
  });

  // Depth-first from the outputs: post-order = topological order; a node met while on the stack = a cycle.
  const order: GraphNode[] = [];
  const state = new Map<GraphNode, 'open' | 'done'>();
  const usedInputs = new Set<SymbolicTensor>();
  const visit = (t: SymbolicTensor, path: string[]): void => {
    if (t.isInput) {
      if (!inputs.includes(t)) {
        throw new GraphError(`${where}: the graph is disconnected: ${path.length ? `layer "${path[path.length - 1]}"` : 'an output'} reads ${t.toString()}, which is not one of the model inputs [${inputs.map((x) => `"${x.name}"`).join(', ')}]`);
      }
      usedInputs.add(t);
      return;
    }
    const node = t.node, name = node.layer!.name;
    const s = state.get(node);
    if (s === 'done') return;
    if (s === 'open') throw new GraphError(`${where}: the graph has a cycle through layer${path.length > 1 ? 's' : ''} ${[...path.slice(path.indexOf(name)), name].map((n) => `"${n}"`).join(' → ')}`);
    state.set(node, 'open');
    for (const u of node.inputs) visit(u, [...path, name]);
    state.set(node, 'done');
    order.push(node);
  };
  for (const t of outputs) visit(t, []);
  const unused = inputs.find((t) => !usedInputs.has(t));
  if (unused) throw new GraphError(`${where}: input ${unused.toString()} is not connected to any output`);

  const index = new Map<GraphNode, number>(order.map((n, i) => [n, i]));
  const edge = (t: SymbolicTensor): Edge => (t.isInput ? { node: -1, index: inputs.indexOf(t) } : { node: index.get(t.node)!, index: t.index });
  const owners: Layer[] = [];
  const nodes: PlanNode[] = order.map((n) => {
    const owner = n.layer as Layer;
    if (!(owner instanceof Layer)) throw new GraphError(`${where}: node of "${n.layer?.name}" is not a Layer`);
    const clash = owners.find((o) => o !== owner && o.name === owner.name);
    if (clash) throw new GraphError(`${where}: two different layers are named "${owner.name}" (${clash.className} and ${owner.className}); layer names must be unique`);
    const shared = owners.includes(owner);
    if (!shared) owners.push(owner);
    return {
      layer: shared ? owner.twin() : owner, owner, inputs: n.inputs.map(edge), stateCount: n.stateCount,
      outputShapes: n.outputs.map((o) => o.shape), outputsUsed: n.outputs.map(() => false),
    };
  });
  const outs = outputs.map(edge);
  for (const e of [...nodes.flatMap((n) => n.inputs), ...outs]) if (e.node >= 0) nodes[e.node].outputsUsed[e.index] = true;
  return { inputs: inputs.slice(), nodes, outputs: outs, owners };
}
