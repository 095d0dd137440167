// Callbacks for fit() (Keras keras.callbacks).
export { Callback, FunctionCallback, History, type Logs, type CallbackFunctions } from './callback.js';
export { EarlyStopping, type EarlyStoppingOptions } from './early-stopping.js';
export { ModelCheckpoint, formatFilepath, type ModelCheckpointOptions } from './model-checkpoint.js';
export { ReduceLROnPlateau, type ReduceLROnPlateauOptions } from './reduce-lr-on-plateau.js';
export { TerminateOnNaN } from './terminate-on-nan.js';
export { CSVLogger, type CSVLoggerOptions } from './csv-logger.js';
export { ProgressBar, formatLogs, type ProgressBarOptions, type ProgressParams } from './progress-bar.js';
export { monitorDirection, type MonitorMode } from './monitor.js';
