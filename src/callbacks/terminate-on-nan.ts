// TerminateOnNaN: stop fit() after the first batch whose loss is NaN or ±Inf (Keras
// keras.callbacks.TerminateOnNaN). The model's NaN/Inf guard has already skipped that step's update.

import { Callback, type Logs } from './callback.js';
import { checkArgument, oneOf } from '../options/schema.js';

/** Stops training at the first batch whose loss is NaN or infinite. */
export class TerminateOnNaN extends Callback {
  /** Batch index (within its epoch) whose loss stopped training, or null. */
  stoppedAtBatch: number | null = null;
  constructor(private readonly verbose: 0 | 1 = 1) {
    super();
    checkArgument('TerminateOnNaN', 'verbose', verbose, oneOf([0, 1]));
  }
  override onTrainBegin(logs?: Logs): void {
    super.onTrainBegin(logs); // checks the arguments (a hook called by hand)
    this.stoppedAtBatch = null;
  }
  override onBatchEnd(batch: number, logs: Logs = {}): void {
    super.onBatchEnd(batch, logs); // checks the arguments (a hook called by hand)
    const loss = logs.loss;
    if (loss !== undefined && !Number.isFinite(loss)) {
      if (this.verbose) console.log(`Batch ${batch}: Invalid loss, terminating training`);
      this.stoppedAtBatch = batch;
      this.model.stopTraining = true;
    }
  }
}
