// A small hand-written schema for option objects (docs/decisions.md "Option validation"): each option is a
// Spec that says what it allows in words ("a positive integer", "one of tanh, relu") and tests a value
// without coercing it. validateOptions() walks an object against a Schema and throws an OptionError in
// the Keras style: `LSTM "lstm_1": returnSequences must be a boolean (true or false), got "false" (a string)`.
// Unknown keys are errors too (Keras: "Unrecognized keyword arguments"), with the closest known key suggested.

import { ConfigError } from '../errors.js';

/** One option's rule: what it allows, in words, and a test that never coerces. */
export interface Spec {
  /** What is allowed, completing "<option> must be ...", e.g. "a positive integer". */
  readonly expected: string;
  /** True when `value` is allowed (undefined never reaches it: absent options are always allowed unless required). */
  test(value: unknown): boolean;
  /** When set, the option must be present (not undefined). */
  readonly required?: boolean;
  /** Optional extra check returning a reason when the value passes `test` but is still wrong. */
  refine?(value: unknown): string | null;
}

/** A map of option name → rule. */
export type Schema = Readonly<Record<string, Spec>>;

/** An option value that is not allowed: names the owner (layer, optimizer, call), the option, the value and what is allowed. */
export class OptionError extends ConfigError {
  constructor(
    /** Who received the option, e.g. `LSTM "lstm_1"`, `Adam`, `fit`. */
    readonly owner: string,
    /** The option's name as the user spelled it (dotted for nested options, e.g. `optimizer.config.epsilon`). */
    readonly option: string,
    /** The value that was rejected. */
    readonly value: unknown,
    /** What is allowed, in words. */
    readonly allowed: string,
    message: string,
  ) {
    super(message);
  }
}

/** A short, readable rendering of any value for error messages (strings quoted, type named for non-numbers). */
export function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'undefined';
  switch (typeof value) {
    case 'string': return `${JSON.stringify(value.length > 60 ? `${value.slice(0, 57)}...` : value)} (a string)`;
    case 'number': return Object.is(value, -0) ? '-0' : String(value);
    case 'boolean': return `${value} (a boolean)`;
    case 'bigint': return `${value}n (a bigint)`;
    case 'function': return 'a function';
    case 'symbol': return 'a symbol';
  }
  if (Array.isArray(value)) {
    const items = value.slice(0, 6).map((v) => (typeof v === 'number' || v === null ? String(v) : typeof v === 'string' ? JSON.stringify(v) : typeof v));
    return `[${items.join(', ')}${value.length > 6 ? ', ...' : ''}] (an array of ${value.length})`;
  }
  if (ArrayBuffer.isView(value)) return `a ${value.constructor.name}`;
  const name = (value as object).constructor?.name;
  return name && name !== 'Object' ? `a ${name} object` : 'an object';
}

// ---- specs

type NumberBounds = { min?: number; max?: number; minExclusive?: boolean; maxExclusive?: boolean };

function boundsText(b: NumberBounds): string {
  const lo = b.min === undefined ? null : `${b.minExclusive ? '>' : '≥'} ${b.min}`;
  const hi = b.max === undefined ? null : `${b.maxExclusive ? '<' : '≤'} ${b.max}`;
  if (lo && hi && b.min !== undefined && b.max !== undefined) return ` in ${b.minExclusive ? '(' : '['}${b.min}, ${b.max}${b.maxExclusive ? ')' : ']'}`;
  return lo ? ` ${lo}` : hi ? ` ${hi}` : '';
}

function inBounds(v: number, b: NumberBounds): boolean {
  if (b.min !== undefined && (b.minExclusive ? !(v > b.min) : !(v >= b.min))) return false;
  if (b.max !== undefined && (b.maxExclusive ? !(v < b.max) : !(v <= b.max))) return false;
  return true;
}

/** A finite number (not a numeric string) within optional bounds. */
export function number(bounds: NumberBounds = {}, expected?: string): Spec {
  return { expected: expected ?? `a finite number${boundsText(bounds)}`, test: (v) => typeof v === 'number' && Number.isFinite(v) && inBounds(v, bounds) };
}

/** A positive finite number (> 0). */
export const positive = (): Spec => number({ min: 0, minExclusive: true }, 'a positive finite number');

/** A safe integer within optional bounds. */
export function integer(bounds: NumberBounds = {}, expected?: string): Spec {
  return { expected: expected ?? `an integer${boundsText(bounds)}`, test: (v) => typeof v === 'number' && Number.isSafeInteger(v) && inBounds(v, bounds) };
}

/** A positive safe integer (≥ 1). */
export const positiveInt = (): Spec => integer({ min: 1 }, 'a positive integer');

/** true or false (never the strings "true"/"false", never 0/1). */
export const boolean = (): Spec => ({ expected: 'a boolean (true or false)', test: (v) => typeof v === 'boolean' });

/** Any string (optionally non-empty). */
export function string(options: { nonEmpty?: boolean } = {}): Spec {
  return { expected: options.nonEmpty ? 'a non-empty string' : 'a string', test: (v) => typeof v === 'string' && (!options.nonEmpty || v.length > 0) };
}

/** One of the listed literal values. */
export function oneOf<T extends string | number | boolean>(values: readonly T[]): Spec {
  return { expected: `one of ${values.map(String).join(', ')}`, test: (v) => values.includes(v as T) };
}

/** The spec, or null. */
export function nullable(spec: Spec): Spec {
  return { ...spec, expected: `${spec.expected} or null`, test: (v) => v === null || spec.test(v), refine: spec.refine && ((v) => (v === null ? null : spec.refine!(v))) };
}

/** The spec, and the option must be present. */
export function required(spec: Spec): Spec {
  return { ...spec, required: true };
}

/** Any of the specs. */
export function anyOf(specs: readonly Spec[], expected?: string): Spec {
  return { expected: expected ?? specs.map((s) => s.expected).join(', or '), test: (v) => specs.some((s) => s.test(v)) };
}

/** Whether every element passes `f`, holes of a sparse array included (Array.prototype.every skips them). */
export function everyItem(v: ArrayLike<unknown>, f: (x: unknown) => boolean): boolean {
  for (let i = 0; i < v.length; i++) if (!f(v[i])) return false;
  return true;
}

/** An array (length in bounds) whose every item passes `item`. */
export function arrayOf(item: Spec, length: { min?: number; max?: number } = {}, expected?: string): Spec {
  const len = length.min !== undefined && length.min === length.max ? ` of ${length.min}` : '';
  return {
    expected: expected ?? `an array${len} of ${item.expected.replace(/^an? /, '')}s`,
    test: (v) => Array.isArray(v) && (length.min === undefined || v.length >= length.min) && (length.max === undefined || v.length <= length.max) && everyItem(v, (x) => item.test(x)),
  };
}

/** A plain object (not an array, not null). */
export const object = (expected = 'an object'): Spec => ({ expected, test: (v) => typeof v === 'object' && v !== null && !Array.isArray(v) && !ArrayBuffer.isView(v) });

/**
 * An optional options (or logs) argument: absent (undefined) or an object. The rule for every public
 * function and method: undefined means "no options"; null, an array, a typed array or any other non-object
 * is refused with an OptionError naming the function and the argument (as validateOptions does), never read.
 */
export const options = (expected = 'an object of named options (or nothing)'): Spec => optional(object(expected));

/** A function. */
export const func = (expected = 'a function'): Spec => ({ expected, test: (v) => typeof v === 'function' });

/** The spec, or absent (undefined): for optional positional arguments (see checkArgument). */
export function optional(spec: Spec): Spec {
  return { ...spec, expected: spec.expected, test: (v) => v === undefined || spec.test(v), refine: spec.refine && ((v) => (v === undefined ? null : spec.refine!(v))) };
}

const isArrayLike = (v: unknown): v is ArrayLike<unknown> =>
  (Array.isArray(v) || ArrayBuffer.isView(v)) && !(v instanceof DataView);

/** An array or typed array of numbers (NaN and ±Inf allowed: series may hold them); at most `max` long. */
export function numbers(max = 2 ** 31 - 1, expected = 'an array of numbers'): Spec {
  return {
    expected,
    test: (v) => {
      if (!isArrayLike(v) || v.length > max) return false;
      if (ArrayBuffer.isView(v)) return !(v instanceof BigInt64Array || v instanceof BigUint64Array);
      for (let i = 0; i < v.length; i++) if (typeof v[i] !== 'number') return false;
      return true;
    },
  };
}

/** A per-sample shape: an array of positive integers (null for a free dimension when `free`). */
export function shape(options: { free?: boolean } = {}): Spec {
  return {
    expected: options.free ? 'a shape: an array of positive integers or null' : 'a shape: an array of positive integers',
    test: (v) => Array.isArray(v) && v.length <= 16 && everyItem(v, (d) => (options.free && d === null) || (Number.isSafeInteger(d) && (d as number) > 0)),
  };
}

/** An object with the named methods (a model, a layer, a tokenizer...), described as `expected`. */
export function withMethods(expected: string, methods: readonly string[]): Spec {
  return { expected, test: (v) => typeof v === 'object' && v !== null && methods.every((m) => typeof (v as Record<string, unknown>)[m] === 'function') };
}

/** Anything that passes a custom predicate. */
export function custom(expected: string, test: (v: unknown) => boolean): Spec {
  return { expected, test };
}

// ---- validation

/** Edit distance, for "did you mean" suggestions on misspelt option names. */
function distance(a: string, b: string): number {
  const x = a.toLowerCase(), y = b.toLowerCase();
  let prev = Array.from({ length: y.length + 1 }, (_, i) => i);
  for (let i = 1; i <= x.length; i++) {
    const cur = [i];
    for (let j = 1; j <= y.length; j++) cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (x[i - 1] === y[j - 1] ? 0 : 1));
    prev = cur;
  }
  return prev[y.length];
}

/** The closest known key to a misspelt one (snake_case to camelCase counts as close), or null. */
export function closestKey(key: string, known: readonly string[]): string | null {
  if (key.length > 64) return null; // no option name is that long; the edit distance would cost |key|·|k| per key
  const camel = key.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
  let best: string | null = null, bestD = Infinity;
  for (const k of known) {
    const d = Math.min(distance(key, k), distance(camel, k));
    if (d < bestD) { best = k; bestD = d; }
  }
  return best !== null && bestD <= Math.max(2, Math.floor(key.length / 4)) ? best : null;
}

export interface ValidateOptions {
  /**
   * Keys outside the schema: false (default) refuses them; true allows them (a user-defined layer's own
   * options); 'typos' refuses only those close to a known key (batch_size, batchsize → batchSize) and lets
   * others through (calls that other modules extend with options of their own).
   */
  allowUnknown?: boolean | 'typos';
  /** Prefix for option names in messages, e.g. "config." for a nested optimizer config. */
  path?: string;
  /** What the options object is called in messages when it is not an object (default "options"). */
  what?: string;
}

/**
 * Checks `options` against `schema`; throws OptionError naming `owner`, the option, its value and what is
 * allowed. `undefined` options count as absent. Returns the same object (typed) on success; never coerces.
 */
export function validateOptions<T>(owner: string, options: unknown, schema: Schema, settings: ValidateOptions = {}): T {
  const path = settings.path ?? '';
  if (options === undefined) options = {};
  if (typeof options !== 'object' || options === null || Array.isArray(options) || ArrayBuffer.isView(options)) {
    const what = settings.what ?? 'options';
    throw new OptionError(owner, path || what, options, 'an object', `${owner}: ${what} must be an object of named options, got ${describeValue(options)}`);
  }
  const o = options as Record<string, unknown>;
  if (settings.allowUnknown !== true) {
    const known = Object.keys(schema);
    for (const key of Object.keys(o)) {
      if (key in schema || o[key] === undefined) continue;
      const near = closestKey(key, known);
      if (settings.allowUnknown === 'typos' && near === null) continue;
      throw new OptionError(owner, path + key, o[key], `one of the options ${known.join(', ')}`,
        `${owner}: unknown option ${path}${key}${near ? ` (did you mean ${path}${near}?)` : ''}; the options are ${known.join(', ')}`);
    }
  }
  for (const [key, spec] of Object.entries(schema)) {
    if (spec.required && o[key] === undefined) throw new OptionError(owner, path + key, undefined, spec.expected, `${owner}: option ${path}${key} is required (${spec.expected})`);
  }
  // In the order the user wrote them, so the first wrong option they wrote is the one reported.
  for (const key of Object.keys(o)) {
    const spec = Object.prototype.hasOwnProperty.call(schema, key) ? schema[key] : undefined;
    const v = o[key];
    if (spec === undefined || v === undefined) continue;
    if (!spec.test(v)) throw new OptionError(owner, path + key, v, spec.expected, `${owner}: ${path}${key} must be ${spec.expected}, got ${describeValue(v)}`);
    const reason = spec.refine?.(v);
    if (reason) throw new OptionError(owner, path + key, v, spec.expected, `${owner}: ${path}${key} = ${describeValue(v)} ${reason}`);
  }
  return o as T;
}

/**
 * Checks one positional argument of a public function or method against a spec: throws an OptionError
 * `<owner>: <name> must be <expected>, got <value>` naming the function, the argument, what is allowed and
 * what was passed (undefined counts as missing unless the spec is optional()). Returns the value, typed.
 */
export function checkArgument<T>(owner: string, name: string, value: unknown, spec: Spec): T {
  if (!spec.test(value)) {
    throw new OptionError(owner, name, value, spec.expected, value === undefined ? `${owner}: argument ${name} is missing (${spec.expected})` : `${owner}: ${name} must be ${spec.expected}, got ${describeValue(value)}`);
  }
  const reason = spec.refine?.(value);
  if (reason) throw new OptionError(owner, name, value, spec.expected, `${owner}: ${name} = ${describeValue(value)} ${reason}`);
  return value as T;
}

/**
 * Checks an optional options argument of a public function (see options()): returns it, or {} when it is
 * undefined; throws an OptionError for null or any non-object: `streamRecords: options must be an object of
 * named options (or nothing), got null`.
 */
export function checkOptions<T extends object>(owner: string, value: T | undefined, name = 'options'): T {
  checkArgument(owner, name, value, options());
  return value ?? ({} as T);
}
