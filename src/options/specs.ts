// The spec builders of src/options/schema.ts under one name, so that an exported function elsewhere
// checks its positional arguments in one line: `checkArgument('sparkline', 'values', values, is.numbers())`.
export { anyOf, arrayOf, boolean, custom, func, integer, nullable, number, numbers, object, oneOf, optional, options, positive, positiveInt, required, shape, string, withMethods } from './schema.js';
