// fused-rnn/interop: import Keras, TF.js, ONNX and PyTorch recurrent models, export to them (docs/interop.md).
// The parsers (fflate, jsfive, h5wasm) load lazily on the paths that use them.
export { importModel, importDetailed, detectFormat, type ImportFormat, type ImportOptions, type ImportResult, type ModelSource, type TfjsParts } from './import.js';
export { type LayerMapping } from './assemble.js';
export { UnsupportedModelError, ModelFileError } from './errors.js';
export { type Tensor } from './tensor.js';
export { type ByteSource } from './source.js';
export { loadTorchWeights, type TorchLoadOptions } from './torch/load.js';
export { exportModel, type ExportFormat, type ExportOptions, type ExportResult } from './export.js';
export { type TfjsExport } from './keras/export-tfjs.js';
export { type OnnxExportOptions } from './onnx/export-graph.js';
