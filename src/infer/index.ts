// `fused-rnn/infer`: the inference-only entry (issue 20). Loads a saved native checkpoint and predicts and
// streams with the inference-only wasm module (no backward, loss or optimizer kernels, no training code).
export { loadInferenceModel, InferenceModel, type InferModelOptions, type InferPrediction } from './model.js';
export { ModelStream, type InferStreamOptions, type StreamLayerState } from './stream.js';
export { createPredictor, type Predictor, type PredictorOptions, type AsyncStream, type WorkerRequest, type WorkerReply } from './predictor.js';
export { readStoredCheckpoint, type InferSource, type StoredCheckpoint } from './checkpoint.js';
export { loadInferKernels, type InferKernels, type InferLoadOptions } from '../../bindings/infer.js';
export { FusedRnnError, WasmFeatureError } from '../../bindings/errors.js';
export { CheckpointError, ShapeError, ConfigError, DataValueError } from '../errors.js';
export type { StoredTensor } from '../io/quantize.js';
