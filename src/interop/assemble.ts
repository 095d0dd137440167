// The one place every importer ends: a list of fused-rnn layers with their parameters (fused-rnn order and
// Keras shapes) becomes a built Sequential model. Shapes are checked before any weight is set, and the model
// is only returned once complete, so a bad file never yields a half-loaded model.
import { Sequential, type Kernels, type Layer, type Shape } from '../index.js';
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

/** Everything needed to build the model. */
export interface ImportPlan {
  name: string;
  /** Per-sample input shape: [T] of ids (T may be null) or [T, D] of floats. */
  inputShape: Shape;
  layers: PlannedLayer[];
}

/** One row of the import table: source layer → fused-rnn layer, parameter count. */
export interface LayerMapping {
  source: string;
  target: string;
  params: number;
}

/** Builds the model for a plan and sets every parameter; ModelFileError naming the tensor on a shape mismatch. */
export async function buildModel(plan: ImportPlan, kernels?: Kernels): Promise<{ model: Sequential; mapping: LayerMapping[] }> {
  const model = new Sequential(plan.layers.map((l) => l.layer), { name: plan.name, ...(kernels ? { kernels } : {}) });
  await model.build(plan.inputShape);
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
