// Callbacks: hooks into fit() (Keras keras.callbacks.Callback). Logs are plain { name: number } maps.

import type { TrainingModel } from '../model/contract.js';
import { ModelStateError } from '../errors.js';

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
  onTrainBegin(_logs?: Logs): void | Promise<void> {}
  onTrainEnd(_logs?: Logs): void | Promise<void> {}
  onEpochBegin(_epoch: number, _logs?: Logs): void | Promise<void> {}
  onEpochEnd(_epoch: number, _logs?: Logs): void | Promise<void> {}
  onBatchBegin(_batch: number, _logs?: Logs): void | Promise<void> {}
  onBatchEnd(_batch: number, _logs?: Logs): void | Promise<void> {}
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
  }
  override onTrainBegin(logs?: Logs) { return this.f.onTrainBegin?.(logs); }
  override onTrainEnd(logs?: Logs) { return this.f.onTrainEnd?.(logs); }
  override onEpochBegin(e: number, logs?: Logs) { return this.f.onEpochBegin?.(e, logs); }
  override onEpochEnd(e: number, logs?: Logs) { return this.f.onEpochEnd?.(e, logs); }
  override onBatchBegin(b: number, logs?: Logs) { return this.f.onBatchBegin?.(b, logs); }
  override onBatchEnd(b: number, logs?: Logs) { return this.f.onBatchEnd?.(b, logs); }
}

/** What fit() returns: per-epoch logs (Keras History). */
export class History extends Callback {
  readonly epoch: number[] = [];
  readonly history: Record<string, number[]> = {};
  override onEpochEnd(epoch: number, logs: Logs = {}): void {
    if (typeof logs !== 'object' || logs === null) throw new ModelStateError(`History.onEpochEnd: logs must be an object of numbers (fit() passes one), got ${logs === null ? 'null' : typeof logs}`);
    this.epoch.push(epoch);
    for (const [k, v] of Object.entries(logs)) (this.history[k] ??= []).push(v);
  }
}
