// Errors of the model layer (src/). Each names the layer (or file) and the shapes involved.
import { FusedRnnError } from '../bindings/errors.js';

/** A layer or model was configured or called with shapes/options that do not fit. */
export class ShapeError extends FusedRnnError {}
/** An option value is invalid (unknown name, out of range). */
export class ConfigError extends FusedRnnError {}
/** Training data is unusable (empty, NaN, labels out of range, mismatched lengths). */
export class DataValueError extends FusedRnnError {}
/** The model is used in the wrong state (fit before compile, predict before build...). */
export class ModelStateError extends FusedRnnError {}
/** A saved model file is unreadable, truncated, corrupt or does not match the model. */
export class CheckpointError extends FusedRnnError {}
/** A functional model's graph is malformed: a disconnected input, a cycle, a merge or state of the wrong shape. */
export class GraphError extends ConfigError {}
