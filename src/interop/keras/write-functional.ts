// Functional fused-rnn Models → Keras model configs: the Keras 3 `Functional` serialization of `.keras`
// config.json (layers in Keras' model.layers order, each with `name` and `inbound_nodes: [{args, kwargs}]`
// whose tensors are `__keras_tensor__` objects with keras_history [layer, 0, index]; initial states as the
// `initial_state` kwarg) and the TF.js/Keras 2 `Model` topology (inbound nodes as nested lists
// [[layer, 0, index, {}], ...], initial states listed after the input, as tfjs-layers 4.22 writes them).
import { Add, Average, Concatenate, Masking, Multiply, RepeatVector, type Layer, type Shape } from '../../index.js';
import { kerasLayerOrder, type ExportEdge, type ExportGraph } from '../functional-graph.js';
import { DTYPE, layerConfig3, layerConfigJs, wrap3 } from './write-config.js';

type Json = Record<string, unknown>;
const batch = (s: Shape) => [null, ...s];

/** Layers only the functional API uses (merges, Masking, RepeatVector), Keras 3 form; null for the rest. */
function extraConfig3(l: Layer, inputs: Shape[]): Json | null {
  const head = { name: l.name, trainable: l.trainable, dtype: DTYPE };
  const merged = { input_shape: inputs.map(batch) };
  if (l instanceof Add || l instanceof Multiply || l instanceof Average) return { ...wrap3(l.className, head, null), build_config: merged };
  if (l instanceof Concatenate) return { ...wrap3('Concatenate', { ...head, axis: -1 }, null), build_config: merged };
  if (l instanceof Masking) return wrap3('Masking', { ...head, mask_value: l.maskValue }, inputs[0]);
  if (l instanceof RepeatVector) return wrap3('RepeatVector', { ...head, n: l.n }, inputs[0]);
  return null;
}

/** Layers only the functional API uses, TF.js form; null for the rest. */
function extraConfigJs(l: Layer): Json | null {
  const head = { name: l.name, trainable: l.trainable };
  if (l instanceof Add || l instanceof Multiply || l instanceof Average) return { class_name: l.className, config: head };
  if (l instanceof Concatenate) return { class_name: 'Concatenate', config: { axis: -1, ...head } };
  if (l instanceof Masking) return { class_name: 'Masking', config: { mask_value: l.maskValue, ...head } };
  if (l instanceof RepeatVector) return { class_name: 'RepeatVector', config: { n: l.n, ...head } };
  return null;
}

/** The name of the layer (or InputLayer) an edge reads. */
function producer(g: ExportGraph, e: ExportEdge): string {
  return e.node === -1 ? g.inputs[e.index].name : g.nodes[e.node].layer.name;
}

/** The Keras 3 config.json of a functional model. */
export function kerasFunctionalConfig3(g: ExportGraph): Json {
  const tensor = (e: ExportEdge) => {
    const shape = e.node === -1 ? g.inputs[e.index].shape : g.nodes[e.node].outputShapes[e.index];
    const dtype = e.node === -1 ? g.inputs[e.index].dtype : 'float32';
    return { class_name: '__keras_tensor__', config: { shape: batch(shape), dtype, keras_history: [producer(g, e), 0, e.node === -1 ? 0 : e.index] } };
  };
  const layers = kerasLayerOrder(g).map((op) => {
    if ('input' in op) {
      const i = g.inputs[op.input];
      return { ...wrap3('InputLayer', { batch_shape: batch(i.shape), dtype: i.dtype, sparse: false, ragged: false, name: i.name, optional: false }, null), name: i.name, inbound_nodes: [] };
    }
    const n = g.nodes[op.node];
    const main = n.inputs.slice(0, n.inputs.length - n.stateCount), states = n.inputs.slice(main.length);
    let out = extraConfig3(n.layer, n.inputShapes) ?? layerConfig3(n.layer, n.inputShapes[0]);
    // A recurrent call with initial states is built from both (Keras' build_config shapes_dict).
    if (states.length) out = { ...out, build_config: { shapes_dict: { sequences_shape: batch(n.inputShapes[0]), initial_state_shape: n.inputShapes.slice(1).map(batch) } } };
    const args = main.length === 1 ? [tensor(main[0])] : [main.map(tensor)];
    return { ...out, name: n.layer.name, inbound_nodes: [{ args, kwargs: states.length ? { initial_state: states.map(tensor) } : {} }] };
  });
  const ref = (e: ExportEdge) => [producer(g, e), 0, e.node === -1 ? 0 : e.index];
  return {
    module: 'keras.src.models.functional', class_name: 'Functional',
    config: { name: g.name, trainable: true, layers, input_layers: g.inputs.map((_, i) => ref({ node: -1, index: i })), output_layers: g.outputs.map(ref) },
    registered_name: 'Functional', build_config: { input_shape: null }, compile_config: null,
  };
}

/** The TF.js modelTopology of a functional model (class_name "Model", Keras 2 inbound nodes). */
export function tfjsFunctionalTopology(g: ExportGraph): Json {
  const ref = (e: ExportEdge) => [producer(g, e), 0, e.node === -1 ? 0 : e.index];
  const layers = kerasLayerOrder(g).map((op) => {
    if ('input' in op) {
      const i = g.inputs[op.input];
      return { name: i.name, class_name: 'InputLayer', config: { batch_input_shape: batch(i.shape), dtype: i.dtype, sparse: false, name: i.name }, inbound_nodes: [] };
    }
    const n = g.nodes[op.node];
    const c = extraConfigJs(n.layer) ?? layerConfigJs(n.layer);
    return { name: n.layer.name, ...c, inbound_nodes: [n.inputs.map((e) => [...ref(e), {}])] };
  });
  return {
    class_name: 'Model',
    config: { name: g.name, layers, input_layers: g.inputs.map((_, i) => ref({ node: -1, index: i })), output_layers: g.outputs.map(ref) },
    keras_version: 'tfjs-layers 4.22.0', backend: 'tensor_flow.js',
  };
}
