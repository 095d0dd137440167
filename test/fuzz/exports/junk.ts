// Junk arguments for the export sweep (test/fuzz/exports/): the values users pass by mistake, by name, so
// that a call plan is plain JSON and a finding can be reproduced from its report. Each factory makes a
// fresh value (a callee that mutates its argument cannot taint the next call).

/** Junk by name: wrong types, edge and non-finite numbers, negative and huge sizes, wrong-shaped objects. */
export const JUNK: Record<string, () => unknown> = {
  undefined: () => undefined,
  null: () => null,
  zero: () => 0,
  minusOne: () => -1,
  NaN: () => NaN,
  Infinity: () => Infinity,
  half: () => 1.5,
  huge: () => 1e9,
  '2^31': () => 2 ** 31,
  string: () => 'junk',
  emptyString: () => '',
  numericString: () => '3',
  true: () => true,
  object: () => ({}),
  /** An object whose common option/data keys hold the wrong types. */
  wrongObject: () => ({ name: 5, units: 'x', shape: -1, length: -1, data: 'x', size: NaN, x: null, y: 7, monitor: 7, filename: 3, filepath: {}, patience: '2', values: 'v', labels: 3, layers: 'l', config: 'c', className: 4, epochs: -1, batchSize: 0.5 }),
  emptyArray: () => [],
  junkArray: () => [NaN, 'x', null, -1, {}],
  nestedJunk: () => [[1, 'a'], null, [[NaN]]],
  negativeShape: () => [-1, 0],
  /** A sparse array with a huge length (2^20): a loop over it must be refused or finish, never hang. */
  hugeArray: () => new Array(2 ** 20),
  float32: () => Float32Array.of(NaN, Infinity, -1, 0),
  function: () => () => undefined,
  bytes: () => new Uint8Array([0x46, 0x52, 0x4e, 0x4e, 1, 2, 3]),
};

/** First arguments of the grid: every junk value. */
export const FIRST = Object.keys(JUNK);
/** Second arguments of the grid (with a valid-looking or absent first one). */
export const SECOND = ['null', 'string', 'minusOne', 'NaN', 'wrongObject', 'junkArray', 'function'];

/**
 * The first arguments of the bounded sweep inside npm test: one value per kind of mistake (absent, null,
 * a negative or non-finite number, a string, a wrong-typed object, an array of junk, a typed array, a
 * function); the campaign (npm run fuzz) uses every value of JUNK, huge arrays included.
 */
export const QUICK = ['undefined', 'null', 'minusOne', 'NaN', 'string', 'wrongObject', 'junkArray', 'float32', 'function'];

/**
 * Junk pairs of the bounded sweep, for callables of 2 or more parameters: a plausible or absent first
 * argument followed by a second one that is null, a string, a number, a function or a wrong-typed object
 * (the options or logs argument most functions take second; null must be refused with a typed error).
 */
export const QUICK_PAIRS = { first: ['undefined', 'zero', 'string', 'emptyArray'], second: ['null', 'string', 'minusOne', 'function', 'wrongObject'] };
