// The seeded generator lives in bindings/random.ts (the reference dropout kernel needs it, and arrows point
// down: bindings/ imports nothing from src/); the library re-exports it here under its old path.
export { Random, xoshiro128ss, detLog, dropoutThreshold, fillDropoutMask } from '../bindings/random.js';
