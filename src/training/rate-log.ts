// The applied learning rate in the logs (History, progress bar): Keras logs `learning_rate` when a schedule or
// a LearningRateScheduler sets it; we log it whenever the optimizer follows a schedule or such a callback
// drives it (the callback registers the optimizer here at the start of fit).
import type { Optimizer } from '../optimizers.js';

const driven = new WeakSet<Optimizer>();

/** Marks an optimizer whose rate a callback sets (LearningRateScheduler), so the loop logs it. */
export function logRateOf(optimizer: Optimizer): void {
  driven.add(optimizer);
}

/** { learning_rate } (the rate of the last update) when a schedule or a callback drives the rate, else {}. */
export function rateLog(optimizer: Optimizer): { learning_rate?: number } {
  return optimizer.schedule || driven.has(optimizer) ? { learning_rate: optimizer.learningRate } : {};
}
