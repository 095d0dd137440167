// Option schemas of the built-in callbacks (Keras names and ranges): EarlyStopping, ModelCheckpoint,
// ReduceLROnPlateau, CSVLogger, ProgressBar, GradientMonitor. The callbacks call validateCallbackOptions
// first thing in their constructors, so `new EarlyStopping(null)` or `{ patience: "2" }` is an OptionError.
import { anyOf, boolean, checkArgument, custom, func, integer, nullable, number, object, oneOf, required, string, validateOptions, type Schema } from './schema.js';

const monitor = string({ nonEmpty: true });
const mode = oneOf(['auto', 'min', 'max']);
const verbose = oneOf([0, 1]);
const count = integer({ min: 0 }, 'a non-negative integer');

/** Schemas by callback class name. */
export const CALLBACK_SCHEMAS: Readonly<Record<string, Schema>> = {
  EarlyStopping: {
    monitor, minDelta: number(), patience: count, mode, baseline: nullable(number()), restoreBestWeights: boolean(),
    startFromEpoch: count, verbose,
  },
  ModelCheckpoint: {
    filepath: required(string({ nonEmpty: true })), monitor, saveBestOnly: boolean(), mode, initialValueThreshold: nullable(number()),
    verbose, save: func(),
  },
  ReduceLROnPlateau: {
    monitor, factor: number({ min: 0, max: 1, minExclusive: true, maxExclusive: true }, 'in (0, 1)'), patience: count, mode, minDelta: number({ min: 0 }),
    cooldown: count, minLr: number({ min: 0 }), verbose,
  },
  CSVLogger: { separator: string({ nonEmpty: true }), append: boolean() },
  ProgressBar: {
    epochs: integer({ min: 1 }, 'a positive integer'), steps: anyOf([integer({ min: 0 }), custom('null', (v) => v === null)], 'a non-negative integer or null'),
    stream: custom('a stream with a write(s) method', (v) => typeof (v as { write?: unknown } | null)?.write === 'function'),
    everySeconds: nullable(number({ min: 0 })),
  },
  GradientMonitor: { every: integer({ min: 1 }, 'a positive integer'), spectralEvery: count, updateRatios: boolean() },
};

const hookFunctions: Schema = {
  onTrainBegin: func(), onTrainEnd: func(), onEpochBegin: func(), onEpochEnd: func(), onBatchBegin: func(), onBatchEnd: func(),
};

/**
 * Checks the object of user functions behind a FunctionCallback (fit's `callbacks: [{ onEpochEnd }]`): an
 * object (not null), each hook a function; a misspelt hook name (onEpochend) is refused, other keys pass.
 */
export function validateCallbackFunctions(functions: unknown): void {
  checkArgument('FunctionCallback', 'functions', functions, object('an object of hook functions ({ onEpochEnd: (epoch, logs) => ... })'));
  validateOptions('FunctionCallback', functions, hookFunctions, { allowUnknown: 'typos', what: 'functions' });
}

/** Checks a callback's options against its schema; throws OptionError naming the callback and the option. */
export function validateCallbackOptions<T>(className: string, options: unknown): T {
  return validateOptions<T>(className, options, CALLBACK_SCHEMAS[className] ?? {}, { allowUnknown: false });
}

/** Logs of a hook: absent, or an object of numbers by name (what fit() passes). */
const logsSpec = custom('an object of numbers by name (what fit() passes), or nothing', (v) => v === undefined
  || (typeof v === 'object' && v !== null && !Array.isArray(v) && !ArrayBuffer.isView(v) && Object.values(v).every((x) => typeof x === 'number')));

/**
 * Checks the arguments of a callback hook (fit() passes valid ones; this answers a hook called by hand):
 * the epoch or batch index, when the hook takes one, must be a non-negative integer, and logs absent or an
 * object of numbers; null logs are refused like every null options argument (docs/reliability.md).
 * Throws an OptionError naming `<Class>.<hook>`; returns the logs, {} when absent.
 */
export function checkHook(callback: object, hook: string, logs: unknown, index?: { name: 'epoch' | 'batch'; value: unknown }): Record<string, number> {
  const owner = `${callback.constructor.name}.${hook}`;
  if (index) checkArgument(owner, index.name, index.value, count);
  checkArgument(owner, 'logs', logs, logsSpec);
  return (logs ?? {}) as Record<string, number>;
}
