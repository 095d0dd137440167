// fused-rnn: the library entry point.
export * from '../bindings/index.js';
export { Sequential, type SequentialOptions, type CompileOptions, type FitOptions, type GuardEvent, type StepRecord } from './model/sequential.js';
export { Embedding, type EmbeddingOptions } from './layers/embedding.js';
export { Dense, type DenseOptions } from './layers/dense.js';
export { Dropout, type DropoutOptions } from './layers/dropout.js';
export { LSTM, type LstmOptions } from './layers/lstm.js';
export { GRU, type GruOptions } from './layers/gru.js';
export { SimpleRNN } from './layers/simple-rnn.js';
export { Recurrent, type RecurrentOptions } from './layers/recurrent.js';
export { Layer, type Shape } from './layers/layer.js';
export { SGD, Adam, AdamW, RMSprop, Adagrad, Optimizer, getOptimizer } from './optimizers.js';
export * from './initializers.js';
export { Random } from './random.js';
export { Callback, History, type Logs, type CallbackFunctions } from './callbacks/callback.js';
export { ShapeError, ConfigError, DataValueError, ModelStateError, CheckpointError } from './errors.js';
export { type TensorData, type DataInput } from './model/data.js';
export { Bidirectional, type BidirectionalOptions, type MergeMode } from './layers/bidirectional.js';
export { Residual, type ResidualOptions } from './layers/residual.js';
