// Option schemas of the built-in callbacks (Keras names and ranges): EarlyStopping, ModelCheckpoint,
// ReduceLROnPlateau, CSVLogger, ProgressBar, GradientMonitor. The callbacks call validateCallbackOptions
// first thing in their constructors, so `new EarlyStopping(null)` or `{ patience: "2" }` is an OptionError.
import { anyOf, boolean, custom, func, integer, nullable, number, oneOf, required, string, validateOptions, type Schema } from './schema.js';

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

/** Checks a callback's options against its schema; throws OptionError naming the callback and the option. */
export function validateCallbackOptions<T>(className: string, options: unknown): T {
  return validateOptions<T>(className, options, CALLBACK_SCHEMAS[className] ?? {}, { allowUnknown: false });
}
