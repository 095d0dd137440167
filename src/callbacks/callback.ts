// Callbacks: hooks into fit() (Keras keras.callbacks.Callback). Logs are plain { name: number } maps.

import type { TrainingModel } from '../model/contract.js';
import { ModelStateError } from '../errors.js';
import { checkHook, validateCallbackFunctions } from '../options/callbacks.js';

/** Per-batch or per-epoch values by name (loss, metrics). */
export type Logs = Record<string, number>;

/** A hook into fit() (Keras Callback). */
export abstract class Callback {
  /** The model being trained (Keras callback.model), as the TrainingModel contract. */
  model!: TrainingModel;
  setModel(model: TrainingModel): void {
    this.model = model;
  }
  /** The model, or a ModelStateError naming the hook when fit() has not handed one over yet (a hook called by hand). */
  protected requireModel(hook: string): TrainingModel {
    if (this.model === undefined) throw new ModelStateError(`${this.constructor.name}.${hook}: no model yet (callbacks are driven by fit(), which calls setModel first)`);
    return this.model;
  }
  // The hooks check their arguments (a hook called by hand with junk gets an OptionError; see checkHook).
  onTrainBegin(logs?: Logs): void | Promise<void> { checkHook(this, 'onTrainBegin', logs); }
  onTrainEnd(logs?: Logs): void | Promise<void> { checkHook(this, 'onTrainEnd', logs); }
  onEpochBegin(epoch: number, logs?: Logs): void | Promise<void> { checkHook(this, 'onEpochBegin', logs, { name: 'epoch', value: epoch }); }
  onEpochEnd(epoch: number, logs?: Logs): void | Promise<void> { checkHook(this, 'onEpochEnd', logs, { name: 'epoch', value: epoch }); }
  onBatchBegin(batch: number, logs?: Logs): void | Promise<void> { checkHook(this, 'onBatchBegin', logs, { name: 'batch', value: batch }); }
  onBatchEnd(batch: number, logs?: Logs): void | Promise<void> { checkHook(this, 'onBatchEnd', logs, { name: 'batch', value: batch }); }
}

/** User functions as a callback: fit(x, y, { callbacks: { onEpochEnd: (epoch, logs) => ... } }). */
export interface CallbackFunctions {
  onTrainBegin?: (logs?: Logs) => void | Promise<void>;
  onTrainEnd?: (logs?: Logs) => void | Promise<void>;
  onEpochBegin?: (epoch: number, logs?: Logs) => void | Promise<void>;
  onEpochEnd?: (epoch: number, logs?: Logs) => void | Promise<void>;
  onBatchBegin?: (batch: number, logs?: Logs) => void | Promise<void>;
  onBatchEnd?: (batch: number, logs?: Logs) => void | Promise<void>;
}

/** User functions as a callback. */
export class FunctionCallback extends Callback {
  constructor(private readonly f: CallbackFunctions) {
    super();
    validateCallbackFunctions(f);
  }
  override onTrainBegin(logs?: Logs) { super.onTrainBegin(logs); return this.f.onTrainBegin?.(logs); }
  override onTrainEnd(logs?: Logs) { super.onTrainEnd(logs); return this.f.onTrainEnd?.(logs); }
  override onEpochBegin(e: number, logs?: Logs) { super.onEpochBegin(e, logs); return this.f.onEpochBegin?.(e, logs); }
  override onEpochEnd(e: number, logs?: Logs) { super.onEpochEnd(e, logs); return this.f.onEpochEnd?.(e, logs); }
  override onBatchBegin(b: number, logs?: Logs) { super.onBatchBegin(b, logs); return this.f.onBatchBegin?.(b, logs); }
  override onBatchEnd(b: number, logs?: Logs) { super.onBatchEnd(b, logs); return this.f.onBatchEnd?.(b, logs); }
}

/** What fit() returns: per-epoch logs (Keras History). */
export class History extends Callback {
  readonly epoch: number[] = [];
  readonly history: Record<string, number[]> = {};
  override onEpochEnd(epoch: number, logs?: Logs): void {
    logs = checkHook(this, 'onEpochEnd', logs, { name: 'epoch', value: epoch });
    this.epoch.push(epoch);
    for (const [k, v] of Object.entries(logs)) (this.history[k] ??= []).push(v);
  }
}
