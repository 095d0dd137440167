// A Keras model config (Sequential, or a Functional model whose layers form one chain) → the converted
// layers in model order and the per-sample input shape. Shared by `.keras`, legacy `.h5` and TF.js files.
import type { Shape } from '../../index.js';
import type { GraphPlan, TensorRef } from '../assemble.js';
import { ModelFileError, UnsupportedModelError } from '../errors.js';
import { convertKerasLayer, describe, type ConvertedLayer, type KerasFlavor, type KerasLayerSpec } from './layers.js';

/** The top-level `{class_name, config}` of a Keras model. */
export interface KerasModelSpec {
  class_name: string;
  config: Record<string, unknown> | KerasLayerSpec[];
}

/** Converted layers in model order, with the model's name and per-sample input shape. */
export interface KerasModelLayers {
  name: string;
  inputShape: Shape;
  layers: ConvertedLayer[];
  /** Every layer entry of the config in model order, InputLayer included (the `.keras` weight keys count these). */
  specs: KerasLayerSpec[];
  /** For a functional model that is not one chain: how the layers are wired (else undefined: Sequential). */
  graph?: GraphPlan;
}

/** Inputs and initial states of a functional layer call, as references to layer outputs. */
function callRefs(spec: KerasLayerSpec, recurrentLayer: boolean): { inputs: TensorRef[]; states: TensorRef[] } {
  const nodes = spec.inbound_nodes as unknown[] | undefined;
  if (!nodes || nodes.length === 0) return { inputs: [], states: [] };
  if (nodes.length > 1) throw new UnsupportedModelError(describe(spec), 'a layer called more than once (shared layer) is not supported');
  const refs = (v: unknown, out: TensorRef[] = []): TensorRef[] => {
    if (Array.isArray(v)) {
      if (v.length >= 3 && typeof v[0] === 'string' && typeof v[1] === 'number' && typeof v[2] === 'number') {
        if (v[1] !== 0) throw new UnsupportedModelError(describe(spec), `reads node ${v[1]} of layer "${v[0]}" (a shared layer)`);
        out.push({ layer: v[0], index: v[2] });
        const kw = v[3] as Record<string, unknown> | undefined;
        if (kw && typeof kw === 'object' && !Array.isArray(kw) && Object.keys(kw).some((k) => k === 'mask' && kw[k] !== null)) {
          throw new UnsupportedModelError(describe(spec), 'is called with an explicit mask');
        }
        return out;
      }
      v.forEach((x) => refs(x, out));
    } else if (v && typeof v === 'object') {
      const o = v as Record<string, unknown>;
      if (o.keras_history) return refs(o.keras_history, out);
      if (o.config && typeof o.config === 'object') return refs(o.config, out);
    }
    return out;
  };
  const node = nodes[0];
  if (node && typeof node === 'object' && !Array.isArray(node)) {
    // Keras 3: {args: [...], kwargs: {initial_state?, mask?, training?}}
    const n = node as { args?: unknown; kwargs?: Record<string, unknown> };
    const kw = n.kwargs ?? {};
    if (kw.mask !== undefined && kw.mask !== null) throw new UnsupportedModelError(describe(spec), 'is called with an explicit mask');
    return { inputs: refs(n.args), states: kw.initial_state ? refs(kw.initial_state) : [] };
  }
  // Keras 2: [[name, node, tensor, kwargs], ...]; a recurrent layer lists its initial states after the input.
  const all = refs(node);
  const kwStates = Array.isArray(node) ? (node as unknown[]).flatMap((e) => (Array.isArray(e) && e[3] && typeof e[3] === 'object' && (e[3] as Record<string, unknown>).initial_state ? refs((e[3] as Record<string, unknown>).initial_state) : [])) : [];
  if (kwStates.length) return { inputs: all.slice(0, 1), states: kwStates };
  return recurrentLayer && all.length > 1 ? { inputs: all.slice(0, 1), states: all.slice(1) } : { inputs: all, states: [] };
}

/** A functional model's layers as a graph plan (any wiring the functional API can express). */
function functionalGraph(model: KerasModelSpec, flavor: KerasFlavor, where: string): KerasModelLayers {
  const c = model.config as Record<string, unknown>;
  const name = typeof c.name === 'string' ? c.name : 'imported';
  const specs = (c.layers as KerasLayerSpec[]) ?? [];
  const refList = (v: unknown): TensorRef[] => {
    if (!Array.isArray(v)) return [];
    const list = typeof v[0] === 'string' ? [v] : v;
    return (list as unknown[][]).map((r) => ({ layer: String(r[0]), index: Number(r[2] ?? 0) }));
  };
  const inputs: GraphPlan['inputs'] = [];
  const calls: GraphPlan['calls'] = [];
  const layers: ConvertedLayer[] = [];
  for (const s of specs) {
    if (!s || typeof s.class_name !== 'string' || typeof s.config !== 'object') throw new ModelFileError(where, `malformed layer entry ${JSON.stringify(s).slice(0, 120)}`);
    if (s.class_name === 'InputLayer') {
      const shape = (batchShape(s) ?? []).slice(1);
      const dtype = String(s.config.dtype ?? 'float32');
      inputs.push({ name: String(s.config.name), shape, dtype: dtype.startsWith('int') ? 'int32' : 'float32' });
      continue;
    }
    const conv = convertKerasLayer(s, flavor, true)!;
    layers.push(conv);
    const isRnn = ['LSTM', 'GRU', 'SimpleRNN', 'Bidirectional'].includes(s.class_name);
    const { inputs: ins, states } = callRefs(s, isRnn);
    if (ins.length === 0) throw new ModelFileError(where, `${describe(s)} has no inbound layer`);
    calls.push({ layer: conv.layer.name, inputs: ins, states });
  }
  const outputs = refList(c.output_layers);
  const inputOrder = refList(c.input_layers).map((r) => r.layer);
  inputs.sort((a, b) => inputOrder.indexOf(a.name) - inputOrder.indexOf(b.name));
  if (!inputs.length || !outputs.length) throw new ModelFileError(where, `functional model "${name}" lists no input or output layers`);
  return { name, inputShape: inputs[0].shape, layers, specs, graph: { inputs, calls, outputs } };
}

/** Names of the layers feeding a functional layer (Keras 3 keras_history and Keras 2 nested-list forms). */
function inboundNames(spec: KerasLayerSpec): string[] {
  const nodes = spec.inbound_nodes as unknown[] | undefined;
  if (!nodes || nodes.length === 0) return [];
  if (nodes.length > 1) throw new UnsupportedModelError(describe(spec), 'a layer called more than once (shared layer) needs the functional API');
  const out: string[] = [];
  const visit = (v: unknown): void => {
    if (Array.isArray(v)) {
      if (v.length >= 3 && typeof v[0] === 'string' && typeof v[1] === 'number' && typeof v[2] === 'number') { out.push(v[0]); return; }
      v.forEach(visit);
    } else if (v && typeof v === 'object') {
      const o = v as Record<string, unknown>;
      if (o.keras_history) { visit(o.keras_history); return; }
      for (const [k, x] of Object.entries(o)) {
        if (k === 'kwargs' && x && typeof x === 'object' && Object.keys(x).some((kk) => ['mask', 'initial_state', 'constants'].includes(kk) && (x as Record<string, unknown>)[kk] !== null)) {
          throw new UnsupportedModelError(describe(spec), `is called with ${Object.keys(x).join(', ')}; that needs the functional API`);
        }
        visit(x);
      }
    }
  };
  visit(nodes[0]);
  return out;
}

/** The layers of a Functional model that is one chain input → ... → output, in order. */
function chainOf(modelName: string, layers: KerasLayerSpec[]): KerasLayerSpec[] {
  const byName = new Map(layers.map((l) => [String(l.config?.name ?? l.name), l]));
  const order: KerasLayerSpec[] = [];
  const inputs = layers.filter((l) => l.class_name === 'InputLayer');
  if (inputs.length !== 1) throw new UnsupportedModelError(`Functional model "${modelName}"`, `has ${inputs.length} inputs; only single-input chains import into a Sequential model`);
  let current = inputs[0];
  order.push(current);
  const used = new Set([String(current.config.name)]);
  for (;;) {
    const name = String(current.config.name);
    const next = layers.filter((l) => inboundNames(l).includes(name));
    if (next.length === 0) break;
    if (next.length > 1 || inboundNames(next[0]).length !== 1) {
      throw new UnsupportedModelError(`Functional model "${modelName}"`, `layer "${name}" feeds ${next.map((l) => describe(l)).join(', ')}: branching graphs need the functional API`);
    }
    current = next[0];
    used.add(String(current.config.name));
    order.push(current);
  }
  const left = layers.filter((l) => !used.has(String(l.config?.name)));
  if (left.length) throw new UnsupportedModelError(`Functional model "${modelName}"`, `layers ${left.map((l) => describe(l)).join(', ')} are not on the single input → output chain`);
  void byName;
  return order;
}

function batchShape(spec: KerasLayerSpec | undefined): Array<number | null> | null {
  const c = spec?.config;
  if (!c) return null;
  const s = (c.batch_shape ?? c.batch_input_shape) as Array<number | null> | undefined;
  if (Array.isArray(s)) return s;
  const b = spec?.build_config as { input_shape?: Array<number | null> } | undefined;
  return Array.isArray(b?.input_shape) ? b!.input_shape : null;
}

/** Parses a model config into converted layers (every layer checked; nothing built yet). */
export function kerasModelLayers(model: KerasModelSpec, flavor: KerasFlavor, where: string): KerasModelLayers {
  if (!model || typeof model !== 'object' || typeof model.class_name !== 'string') throw new ModelFileError(where, 'holds no Keras model config ({class_name, config})');
  let name = 'imported';
  let specs: KerasLayerSpec[];
  if (model.class_name === 'Sequential') {
    const c = model.config;
    specs = Array.isArray(c) ? c : (c.layers as KerasLayerSpec[]);
    if (!Array.isArray(c) && typeof c.name === 'string') name = c.name;
  } else if (model.class_name === 'Functional' || model.class_name === 'Model') {
    const c = model.config as Record<string, unknown>;
    if (typeof c.name === 'string') name = c.name;
    // A single chain without states imports as a Sequential model; anything else as a functional Model.
    try {
      specs = chainOf(name, (c.layers as KerasLayerSpec[]) ?? []);
      for (const s of specs) convertKerasLayer(s, flavor);
    } catch (e) {
      if (!(e instanceof UnsupportedModelError)) throw e;
      return functionalGraph(model, flavor, where);
    }
  } else {
    throw new UnsupportedModelError(`${model.class_name} model`, 'only Sequential models and single-chain Functional models are supported');
  }
  if (!Array.isArray(specs) || specs.length === 0) throw new ModelFileError(where, 'the model config lists no layers');
  const layers: ConvertedLayer[] = [];
  for (const s of specs) {
    if (!s || typeof s.class_name !== 'string' || typeof s.config !== 'object') throw new ModelFileError(where, `malformed layer entry ${JSON.stringify(s).slice(0, 120)}`);
    const conv = convertKerasLayer(s, flavor);
    if (conv) layers.push(conv);
  }
  if (layers.length === 0) throw new ModelFileError(where, 'the model has no layers besides its input');
  const declared = batchShape(specs.find((s) => s.class_name === 'InputLayer')) ?? batchShape(specs[0]) ?? batchShape(specs[1]);
  let inputShape: Shape;
  if (declared) inputShape = declared.slice(1);
  else if (layers[0].layer.className === 'Embedding') inputShape = [null];
  else throw new ModelFileError(where, `the config does not give the input shape of ${describe(specs[0])}`);
  if (layers[0].layer.className === 'Embedding' && inputShape.length !== 1) {
    throw new UnsupportedModelError(describe(layers[0].spec), `expects ids of shape (None, T), the model input is (None, ${inputShape.join(', ')})`);
  }
  return { name, inputShape, layers, specs };
}
