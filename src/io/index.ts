// Checkpoints and model configs (DESIGN.md §8, docs/checkpoint-format.md).
export { saveModel, saveModelToBytes, loadModel, loadWeights, readCheckpoint, type CheckpointSource, type SaveOptions } from './checkpoint.js';
export { FORMAT_VERSION, MAGIC, DEFAULT_LIMITS, manifestChecksum, type Manifest, type TensorRecord, type TensorDtype, type Checkpoint, type RestoreOptions, type CheckpointReadOptions, type CheckpointLimits } from './format.js';
export { cleanStaleTempFiles } from './node.js';
export { type WeightsDtype } from './quantize.js';
export { modelToConfig, modelFromConfig, modelFromConfigBuilt, compileToConfig, compileFromConfig, type SequentialConfig, type CompileConfig, type FromConfigOptions } from './config.js';
export { crc32 } from './crc32.js';
