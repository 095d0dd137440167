// Losses by Keras name, mapped onto the fused loss kernels (mean loss + gradient in one call).
// binaryCrossentropy with a sigmoid output and sparseCategoricalCrossentropy with a softmax output run
// from logits (the output Dense emits logits; stable log-sum-exp / softplus forms).

import { ConfigError } from './errors.js';

export type LossName = 'binaryCrossentropy' | 'sparseCategoricalCrossentropy' | 'meanSquaredError';

const ALIASES: Record<string, LossName> = {
  binarycrossentropy: 'binaryCrossentropy', binary_crossentropy: 'binaryCrossentropy', bce: 'binaryCrossentropy',
  sparsecategoricalcrossentropy: 'sparseCategoricalCrossentropy', sparse_categorical_crossentropy: 'sparseCategoricalCrossentropy',
  meansquarederror: 'meanSquaredError', mean_squared_error: 'meanSquaredError', mse: 'meanSquaredError',
};

export function getLoss(name: string): LossName {
  const canonical = typeof name === 'string' ? ALIASES[name.toLowerCase()] ?? ALIASES[name] : undefined;
  if (!canonical) throw new ConfigError(`unknown loss ${JSON.stringify(name)}; known: binaryCrossentropy, sparseCategoricalCrossentropy, meanSquaredError`);
  return canonical;
}

/** Targets are integer class ids (sparse CE) or floats (BCE, MSE). */
export const targetsAreIds = (loss: LossName): boolean => loss === 'sparseCategoricalCrossentropy';
