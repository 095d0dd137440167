// The config of a functional model (the model owns it; io/ only turns it into bytes): its layers (each
// once, as { className, config }), its inputs, every layer application in topological order with where its
// inputs come from, and its outputs. fromConfig replays the applications on fresh layers.
//
//   { className: 'Functional', config: { name, seed, inputs: [{ name, shape, dtype }], layers: [...],
//     nodes: [{ layer: i, inputs: [[node, index], ...], stateCount }], outputs: [[node, index], ...] } }
//   where node -1 means model input `index`.

import { ConfigError } from '../errors.js';
import type { Layer, LayerConfig } from '../layers/layer.js';
import { layerFromConfig, layerToConfig } from '../layers/registry.js';
import { Input, isShape, SymbolicTensor, type DType, type Shape } from '../layers/symbolic.js';
import type { Graph } from './graph.js';

/** Any model config: { className, config }. */
export interface ModelConfig {
  className: string;
  config: object;
}

/** The config of a functional model (see the header). */
export interface FunctionalConfig extends ModelConfig {
  className: 'Functional';
  config: {
    name: string;
    seed: number;
    inputs: Array<{ name: string; shape: Shape; dtype: DType }>;
    layers: LayerConfig[];
    nodes: Array<{ layer: number; inputs: Array<[number, number]>; stateCount: number }>;
    outputs: Array<[number, number]>;
  };
}

/** The config of a model's graph. */
export function graphToConfig(graph: Graph, name: string, seed: number): FunctionalConfig {
  return {
    className: 'Functional',
    config: {
      name, seed,
      inputs: graph.inputs.map((t) => ({ name: t.name, shape: t.shape.slice(), dtype: t.dtype })),
      layers: graph.owners.map((l) => layerToConfig(l)),
      nodes: graph.nodes.map((n) => ({ layer: graph.owners.indexOf(n.owner), inputs: n.inputs.map((e) => [e.node, e.index] as [number, number]), stateCount: n.stateCount })),
      outputs: graph.outputs.map((e) => [e.node, e.index] as [number, number]),
    },
  };
}

/** Fresh layers and symbolic tensors from a functional config: what `new Model({ inputs, outputs })` takes. */
export function graphFromConfig(spec: FunctionalConfig): { inputs: SymbolicTensor[]; outputs: SymbolicTensor[]; name: string; seed: number } {
  const c = spec?.config;
  if (!spec || spec.className !== 'Functional' || !c || !Array.isArray(c.inputs) || !Array.isArray(c.layers) || !Array.isArray(c.nodes) || !Array.isArray(c.outputs)) {
    throw new ConfigError(`model config must be { className: 'Sequential' | 'Functional', config: {...} }, got className ${JSON.stringify(spec?.className)}`);
  }
  const inputs = c.inputs.map((i, n) => {
    if (!i || typeof i.name !== 'string' || !isShape(i.shape)) throw new ConfigError(`Functional config: inputs[${n}] must be { name, shape, dtype }, got ${JSON.stringify(i)}`);
    return Input({ name: i.name, shape: i.shape, dtype: i.dtype });
  });
  const layers: Layer[] = c.layers.map((l) => layerFromConfig(l));
  const made: SymbolicTensor[][] = [];
  const tensor = (ref: unknown, where: string): SymbolicTensor => {
    const [node, index] = Array.isArray(ref) ? (ref as number[]) : [NaN, NaN];
    const t = node === -1 ? inputs[index] : made[node]?.[index];
    if (!t) throw new ConfigError(`Functional config: ${where} refers to ${JSON.stringify(ref)}, which is not an earlier tensor`);
    return t;
  };
  c.nodes.forEach((n, i) => {
    const layer = layers[n?.layer];
    if (!layer || !Array.isArray(n.inputs) || !Number.isInteger(n.stateCount) || n.stateCount < 0 || n.stateCount >= n.inputs.length) {
      throw new ConfigError(`Functional config: nodes[${i}] must be { layer: index, inputs: [[node, index]...], stateCount }, got ${JSON.stringify(n)}`);
    }
    const ins = n.inputs.map((r, j) => tensor(r, `nodes[${i}].inputs[${j}]`));
    const main = ins.slice(0, ins.length - n.stateCount), states = ins.slice(ins.length - n.stateCount);
    const out = layer.apply(main.length === 1 ? main[0] : main, states.length ? { initialState: states } : {});
    made.push(Array.isArray(out) ? out : [out]);
  });
  return { inputs, outputs: c.outputs.map((r, i) => tensor(r, `outputs[${i}]`)), name: c.name, seed: c.seed };
}
