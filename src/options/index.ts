// The one place where option objects are validated (issue 16): schemas for layers, optimizers and the
// model calls, and the small schema language they are written in.
export { OptionError, validateOptions, describeValue, closestKey, checkArgument, checkOptions, type Spec, type Schema, type ValidateOptions } from './schema.js';
// The spec builders, for checkArgument at the top of exported functions.
export * as is from './specs.js';
export { checkHook } from './callbacks.js';
export { validateLayerOptions, LAYER_SCHEMAS, BASE_LAYER_SCHEMA } from './layers.js';
export { validateOptimizerOptions, OPTIMIZER_SCHEMAS } from './optimizers.js';
export {
  validateSequentialOptions, validateCompileOptions, validateFitOptions, validateEvaluateOptions, validatePredictOptions,
  SEQUENTIAL_OPTIONS_SCHEMA, COMPILE_OPTIONS_SCHEMA, FIT_OPTIONS_SCHEMA, EVALUATE_OPTIONS_SCHEMA, PREDICT_OPTIONS_SCHEMA,
} from './model.js';
