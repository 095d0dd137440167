// fused-rnn/tfjs: fused-rnn as the recurrent backend of TensorFlow.js (subpath export; the main entry never
// imports tfjs). `await installFusedLayers(tf)` registers fused LSTM, GRU, SimpleRNN and Bidirectional under
// tfjs' class names; `fusedLayers.lstm(...)` etc. build them directly. See README "TensorFlow.js plugin".
export {
  installFusedLayers, fusedLayers,
  type InstallOptions, type FusedLayerFactories, type FusedLayersInstallation,
} from './install.js';
export type { FusedClasses } from './layers.js';
export type { FusedSequenceStats } from './fused-sequence.js';
export type { TfNamespace, TfLayer, LSTMLayerArgs, GRULayerArgs, SimpleRNNLayerArgs, BidirectionalLayerArgs } from './tf-types.js';
