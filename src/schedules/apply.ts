// What the training loop calls around each update, so the loop needs one line per hook:
// before the update, the optimizer's schedule (if any) sets its learningRate for this step.
import type { Optimizer } from '../optimizers.js';
import { checkArgument, custom } from '../options/schema.js';

/**
 * Sets optimizer.learningRate from its schedule for the next update (step = updates applied so far) and
 * returns the rate the update will use (the plain rate when there is no schedule).
 */
export function scheduleStep(optimizer: Optimizer): number {
  checkArgument('scheduleStep', 'optimizer', optimizer, custom('an optimizer', (v) => typeof (v as Optimizer | null)?.learningRate === 'number' && typeof (v as Optimizer).iterations === 'number'));
  const s = optimizer.schedule;
  if (s) optimizer.learningRate = s.at(optimizer.iterations);
  return optimizer.learningRate;
}
