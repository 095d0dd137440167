// Option schemas of the model-level calls: new Sequential(layers, options), compile, fit, evaluate, predict.
// The model calls these once at the top of each method, before anything is built, planned or changed, so a
// rejected call leaves the model exactly as it was. A new option is added to the schema HERE. Unknown keys
// close to a known one (batch_size) are refused; others pass, so other modules may extend these calls.

import { anyOf, arrayOf, boolean, custom, integer, number, object, oneOf, positiveInt, required, string, validateOptions, OptionError, type Schema } from './schema.js';

const seed = integer({ min: 0, max: 0xffffffff }, 'an integer in [0, 4294967295]');

/** new Sequential(layers, options). */
export const SEQUENTIAL_OPTIONS_SCHEMA: Schema = {
  name: string({ nonEmpty: true }), seed,
  kernels: custom('a Kernels object (from loadKernels())', (v) => typeof v === 'object' && v !== null && typeof (v as { arena?: unknown }).arena === 'object'),
};

const optimizerSpec = anyOf([
  string({ nonEmpty: true }),
  custom('an Optimizer object', (v) => typeof v === 'object' && v !== null && typeof (v as { apply?: unknown }).apply === 'function'),
  custom('{ className, config }', (v) => typeof v === 'object' && v !== null && typeof (v as { className?: unknown }).className === 'string' &&
    ((v as { config?: unknown }).config === undefined || object().test((v as { config?: unknown }).config))),
], "an optimizer name ('adam'), an Optimizer object or { className: 'Adam', config: { ... } }");

// compile(options): one loss (name or Loss object), a list per output, or an object by output name.
const lossOne = anyOf([string({ nonEmpty: true }), custom('a Loss object', (v) => typeof v === 'object' && v !== null && typeof (v as { compute?: unknown }).compute === 'function')]);
const isRecord = (v: unknown) => typeof v === 'object' && v !== null && !Array.isArray(v);
const names = arrayOf(string({ nonEmpty: true }), {}, 'an array of metric names');
/** compile(options). The optimizer's own config is checked by validateOptimizerOptions (owner: the optimizer). */
export const COMPILE_OPTIONS_SCHEMA: Schema = {
  optimizer: required(optimizerSpec),
  // one loss for every output, a list in output order, or an object by output name (functional models)
  loss: required(anyOf([lossOne, arrayOf(lossOne, { min: 1 }), custom('an object of losses by output name', (v) => isRecord(v) && typeof (v as { compute?: unknown }).compute !== 'function' && Object.values(v as object).every((x) => lossOne.test(x)))],
    'a loss name, a Loss object, a list of them (one per output) or an object by output name')),
  metrics: anyOf([names, arrayOf(names), custom('an object of metric lists by output name', (v) => isRecord(v) && Object.values(v as object).every((x) => names.test(x)))],
    'an array of metric names'), // (or one such array per output, as a list or by output name)
  lossWeights: anyOf([arrayOf(number({ min: 0 })), custom('an object of weights by output name', (v) => isRecord(v) && Object.values(v as object).every((x) => typeof x === 'number' && Number.isFinite(x) && x >= 0))],
    'a list of non-negative numbers (one per output) or an object of them by output name'),
};

const batchSize = positiveInt();
const isIterable = (v: unknown) => typeof v === 'object' && v !== null && (Symbol.iterator in v || Symbol.asyncIterator in v);
/** Per-sample weights: an array or a typed array (values checked with the data: finite, ≥ 0, one per sample). */
const weightList = custom('an array of per-sample weights (finite numbers ≥ 0)', (v) => Array.isArray(v) || (ArrayBuffer.isView(v) && !(v instanceof DataView)));
const isData = (v: unknown) => Array.isArray(v) || ArrayBuffer.isView(v) || (typeof v === 'object' && v !== null && 'data' in v && 'shape' in v);

/** fit(x, y, options). */
export const FIT_OPTIONS_SCHEMA: Schema = {
  epochs: integer({ min: 0 }, 'a non-negative integer'),
  batchSize,
  validationSplit: number({ min: 0, max: 1, maxExclusive: true }),
  validationData: custom('[x, y]: an array of two data inputs, or an (async) iterable of { x, y } batches',
    (v) => (Array.isArray(v) && v.length === 2 && isData(v[0]) && isData(v[1])) || (!Array.isArray(v) && isIterable(v)) ||
      (Array.isArray(v) && v.every((b) => typeof b === 'object' && b !== null && !Array.isArray(b) && 'x' in b))), // an array of { x, y } batches
  shuffle: boolean(),
  seed,
  callbacks: arrayOf(object('a Callback or an object of callback functions'), {}, 'an array of Callbacks or objects of callback functions'),
  verbose: oneOf([0, 1]),
  maxConsecutiveNonFinite: positiveInt(),
  sampleWeight: weightList,
  // Only the container is checked here; each value (index, sign, count, class id) is checked with the data,
  // where the message can name the element (src/training/sample-weights.ts, DataValueError).
  classWeight: anyOf([oneOf(['balanced']), object('{ [classId]: weight ≥ 0 }')], "'balanced' or { [classId]: weight ≥ 0 }"),
  stepsPerEpoch: positiveInt(),
  validationSteps: positiveInt(),
};

/** evaluate(x, y, options). */
export const EVALUATE_OPTIONS_SCHEMA: Schema = { batchSize, sampleWeight: weightList, steps: positiveInt() };
/** predict(x, options). */
export const PREDICT_OPTIONS_SCHEMA: Schema = { batchSize, steps: positiveInt() };

/** Checks new Sequential(layers, options): layers must be an array of layer objects. Throws OptionError. */
export function validateSequentialOptions(layers: unknown, options: unknown): void {
  const owner = 'Sequential';
  validateOptions(owner, { layers }, { layers: arrayOf(custom('a layer', (v) => typeof v === 'object' && v !== null && typeof (v as { getConfig?: unknown }).getConfig === 'function'), {}, 'an array of layers') });
  validateOptions(owner, options, SEQUENTIAL_OPTIONS_SCHEMA);
}

/** Checks new Model(options) (functional: inputs and outputs together; plain base options otherwise). */
export function validateModelOptions<T>(options: T, owner: string): T {
  validateOptions(owner, options, {
    ...SEQUENTIAL_OPTIONS_SCHEMA,
    inputs: custom('a SymbolicTensor or an array of them (from Input)', (v) => typeof v === 'object' && v !== null),
    outputs: custom('a SymbolicTensor or an array of them', (v) => typeof v === 'object' && v !== null),
  }, { allowUnknown: 'typos' });
  const o = (options ?? {}) as { inputs?: unknown; outputs?: unknown };
  if ((o.inputs === undefined) !== (o.outputs === undefined)) {
    throw new OptionError(owner, o.inputs === undefined ? 'inputs' : 'outputs', undefined, 'inputs and outputs together', `${owner}: give inputs and outputs together (a functional model), or neither`);
  }
  return (options ?? {}) as T;
}

/** Checks compile(options) of model `model` (its name). Throws OptionError: `Sequential "m": compile: loss must be ...`. */
export function validateCompileOptions(model: string, options: unknown, className = 'Sequential'): void {
  validateOptions(`${className} "${model}": compile`, options, COMPILE_OPTIONS_SCHEMA, { what: 'the compile options', allowUnknown: 'typos' });
}

/** Checks fit(x, y, options). */
export function validateFitOptions(model: string, options: unknown, className = 'Sequential'): void {
  validateOptions(`${className} "${model}": fit`, options, FIT_OPTIONS_SCHEMA, { what: 'the fit options', allowUnknown: 'typos' });
}

/** Checks evaluate(x, y, options). */
export function validateEvaluateOptions(model: string, options: unknown, className = 'Sequential'): void {
  validateOptions(`${className} "${model}": evaluate`, options, EVALUATE_OPTIONS_SCHEMA, { what: 'the evaluate options', allowUnknown: 'typos' });
}

/** Checks predict(x, options). */
export function validatePredictOptions(model: string, options: unknown, className = 'Sequential'): void {
  validateOptions(`${className} "${model}": predict`, options, PREDICT_OPTIONS_SCHEMA, { what: 'the predict options', allowUnknown: 'typos' });
}
