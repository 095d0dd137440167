// exportModel: a fused-rnn model → the files another framework loads. Per format (docs/interop.md):
// 'onnx' → ONNX bytes (LSTM/GRU/RNN operators, opset ≥ 14); 'keras' → a Keras 3 `.keras` zip;
// 'tfjs' → a TF.js layers model (model.json + one weights shard); 'safetensors' → a PyTorch state_dict.
import { checkOptions } from '../options/schema.js';
import { Model, Sequential } from '../index.js';
import { UnsupportedModelError } from './errors.js';
import { exportKeras } from './keras/export-keras.js';
import { exportTfjs, type TfjsExport } from './keras/export-tfjs.js';
import { exportOnnx, type OnnxExportOptions } from './onnx/export-graph.js';
import { exportOnnxFunctional } from './onnx/export-functional.js';
import { exportSafetensors } from './torch/export-torch.js';

/** Formats exportModel writes. */
export type ExportFormat = 'onnx' | 'keras' | 'tfjs' | 'safetensors';

/** Options of exportModel. */
export interface ExportOptions extends OnnxExportOptions {
  /** TF.js: the shard's file name written into model.json (default "weights.bin"). */
  shardName?: string;
}

/** What exportModel returns: the file bytes, or for TF.js the model.json text plus its shard. */
export type ExportResult = Uint8Array | TfjsExport;

/**
 * Exports a built model. `'onnx'`, `'keras'` and `'safetensors'` give the file's bytes; `'tfjs'` gives
 * `{ modelJson, weights, shardName, notes }`. What the target cannot express (ONNX and left padding, a
 * reset-before GRU in PyTorch, ...) is an UnsupportedModelError naming the layer, never a different model.
 */
export async function exportModel(model: Model, format: 'tfjs', options?: ExportOptions): Promise<TfjsExport>;
export async function exportModel(model: Model, format: 'onnx' | 'keras' | 'safetensors', options?: ExportOptions): Promise<Uint8Array>;
export async function exportModel(model: Model, format: ExportFormat, options?: ExportOptions): Promise<ExportResult>;
export async function exportModel(model: Model, format: ExportFormat, options: ExportOptions = {}): Promise<ExportResult> {
  checkOptions('exportModel', options); // issue 16: null or non-object options are an OptionError
  if (!(model instanceof Model)) throw new UnsupportedModelError('exportModel', `model must be a fused-rnn model (Sequential or Model), got ${model === null ? 'null' : typeof model}`); // issue 16
  const functional = !(model instanceof Sequential);
  switch (format) {
    case 'onnx':
      return functional ? exportOnnxFunctional(model, options) : exportOnnx(model as Sequential, options);
    case 'keras': return exportKeras(model);
    case 'tfjs': return exportTfjs(model, options.shardName);
    case 'safetensors': return exportSafetensors(model);
    default: throw new UnsupportedModelError('exportModel', `unknown format ${JSON.stringify(format)} (onnx, keras, tfjs, safetensors)`);
  }
}
