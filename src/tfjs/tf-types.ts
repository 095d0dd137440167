// Types of the TensorFlow.js namespace the plugin is given. Type-only imports: nothing of tfjs is bundled or
// loaded by fused-rnn; the caller passes its own `tf` (the union package `@tensorflow/tfjs`, or
// `{ ...tfjsCore, ...tfjsLayers }`), so the plugin always uses the caller's tfjs instance and backend.
import type * as tfc from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';

/** The tfjs namespace: tfjs-core's ops and serialization plus tfjs-layers' `layers` (≥ 4). */
export type TfNamespace = Omit<typeof tfc, 'default'> & Pick<typeof tfl, 'layers'>;

/** A tfjs tensor. */
export type Tensor = tfc.Tensor;

/** A tfjs layer (what the factories return). */
export type TfLayer = tfl.layers.Layer;

/** tfjs' LSTM layer arguments (plus nothing: the fused LSTM takes exactly tfjs' config). */
export type LSTMLayerArgs = tfl.LSTMLayerArgs;

/** tfjs' GRU layer arguments plus Keras' `resetAfter` (true: bias (2, 3H), Keras 3's default). */
export type GRULayerArgs = tfl.GRULayerArgs & { resetAfter?: boolean };

/** tfjs' SimpleRNN layer arguments. */
export type SimpleRNNLayerArgs = tfl.SimpleRNNLayerArgs;

/** tfjs' Bidirectional arguments: the wrapped recurrent layer and the merge mode. */
export type BidirectionalLayerArgs = Parameters<typeof tfl.layers.bidirectional>[0];
