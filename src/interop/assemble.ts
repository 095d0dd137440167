// The one place every importer ends: a list of fused-rnn layers with their parameters (fused-rnn order and
// Keras shapes) becomes a built Sequential model. Shapes are checked before any weight is set, and the model
// is only returned once complete, so a bad file never yields a half-loaded model.
import { Input, Model, Sequential, type Kernels, type Layer, type Shape, type SymbolicTensor } from '../index.js';
import { ModelFileError } from './errors.js';
import { fmtShape, sizeOfShape, type Tensor } from './tensor.js';

/** One imported layer: where it came from, what it became, and its parameters in fused-rnn order. */
export interface PlannedLayer {
  /** How the source names it: `LSTM "lstm"`, `ONNX LSTM "/lstm/LSTM"`. */
  source: string;
  layer: Layer;
  params: Tensor[];
  /** Names of the source tensors, parallel to params (for messages). */
  paramSources: string[];
}

/** Output `index` of a layer (or of a model input, by its name). */
export interface TensorRef {
  layer: string;
  index: number;
}

/** The wiring of a functional model: inputs, layer calls in order, outputs. */
export interface GraphPlan {
  inputs: Array<{ name: string; shape: Shape; dtype: 'int32' | 'float32' }>;
  /** One call per layer (by name), reading layer outputs / inputs, with initial states for recurrent layers. */
  calls: Array<{ layer: string; inputs: TensorRef[]; states: TensorRef[] }>;
  outputs: TensorRef[];
}

/** Everything needed to build the model. */
export interface ImportPlan {
  name: string;
  /** Per-sample input shape: [T] of ids (T may be null) or [T, D] of floats (first input of a graph). */
  inputShape: Shape;
  layers: PlannedLayer[];
  /** Set for functional models (built as a Model); absent for a Sequential stack. */
  graph?: GraphPlan;
}

/** Applies the layers of a graph plan to Input()s: the functional Model. */
function functionalModel(plan: ImportPlan, graph: GraphPlan, kernels?: Kernels): Model {
  const byName = new Map(plan.layers.map((l) => [l.layer.name, l]));
  const tensors = new Map<string, SymbolicTensor[]>();
  const inputs = graph.inputs.map((i) => {
    const t = Input({ shape: i.shape, dtype: i.dtype, name: i.name });
    tensors.set(i.name, [t]);
    return t;
  });
  const ref = (r: TensorRef, user: string): SymbolicTensor => {
    const t = tensors.get(r.layer)?.[r.index];
    if (!t) throw new ModelFileError(user, `reads output ${r.index} of "${r.layer}", which the model does not define before it`);
    return t;
  };
  for (const call of graph.calls) {
    const pl = byName.get(call.layer)!;
    const ins = call.inputs.map((r) => ref(r, pl.source));
    const states = call.states.map((r) => ref(r, pl.source));
    const out = pl.layer.apply(ins.length === 1 ? ins[0] : ins, states.length ? { initialState: states } : {});
    tensors.set(call.layer, Array.isArray(out) ? out : [out]);
  }
  const outputs = graph.outputs.map((r) => ref(r, `model "${plan.name}" output`));
  return new Model({ inputs, outputs, name: plan.name, ...(kernels ? { kernels } : {}) });
}

/** One row of the import table: source layer → fused-rnn layer, parameter count. */
export interface LayerMapping {
  source: string;
  target: string;
  params: number;
}

/** Builds the model for a plan and sets every parameter; ModelFileError naming the tensor on a shape mismatch. */
export async function buildModel(plan: ImportPlan, kernels?: Kernels): Promise<{ model: Model; mapping: LayerMapping[] }> {
  const model = plan.graph
    ? functionalModel(plan, plan.graph, kernels)
    : new Sequential(plan.layers.map((l) => l.layer), { name: plan.name, ...(kernels ? { kernels } : {}) });
  await model.build(plan.graph ? undefined : plan.inputShape);
  const entries = model.paramTable.entries;
  const weights: Array<{ path: string; shape: number[]; data: Float32Array }> = [];
  const mapping: LayerMapping[] = [];
  for (const pl of plan.layers) {
    const mine = entries.filter((e) => e.layer === pl.layer.name);
    if (mine.length !== pl.params.length) {
      throw new ModelFileError(pl.source, `has ${pl.params.length} weight tensors (${pl.paramSources.join(', ')}), fused-rnn ${pl.layer.className} "${pl.layer.name}" needs ${mine.length} (${mine.map((e) => e.name).join(', ')})`);
    }
    mine.forEach((e, i) => {
      const t = pl.params[i];
      const same = t.shape.length === e.shape.length && t.shape.every((d, j) => d === e.shape[j]);
      if (!same || t.data.length !== sizeOfShape(e.shape)) {
        throw new ModelFileError(`${pl.source} weight ${pl.paramSources[i]}`, `has shape ${fmtShape(t.shape)} (${t.data.length} values), expected ${fmtShape(e.shape)} for ${e.path}`);
      }
      for (let j = 0; j < t.data.length; j++) {
        if (!Number.isFinite(t.data[j])) throw new ModelFileError(`${pl.source} weight ${pl.paramSources[i]}`, `holds a non-finite value (${t.data[j]}) at flat index ${j}`);
      }
      weights.push({ path: e.path, shape: e.shape.slice(), data: t.data });
    });
    mapping.push({ source: pl.source, target: `${pl.layer.className} "${pl.layer.name}"`, params: mine.reduce((a, e) => a + e.size, 0) });
  }
  model.setWeights(weights);
  return { model, mapping };
}
