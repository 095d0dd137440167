// TensorFlow.js (4.22, cpu backend) as an oracle: loading fused-rnn weights into an equivalent tfjs model.
// Both follow the Keras layouts (kernel (D, 4H|3H|H), recurrent_kernel (H, ·), LSTM gates i,f,c,o, GRU z,r,h,
// tfjs Bidirectional = forward weights then backward weights), so the mapping is by order; it is checked by
// normalised name and shape, so a layout change on either side fails loudly instead of comparing garbage.
// Only @tensorflow/tfjs-core + tfjs-layers + tfjs-backend-cpu are installed (83 MB vs 294 MB for the union
// package). Their Node bundles do not register the chained tensor ops (`t.flatten()`), which tfjs' Orthogonal
// initializer uses, so every oracle layer sets recurrentInitializer 'glorotUniform' (the weights are replaced anyway).
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import type { Sequential } from '../../src/index.js';

export { tf, tfl };

/** Selects the cpu backend (the only tfjs backend installed for the test suite). */
export async function useCpu(): Promise<void> {
  await tf.setBackend('cpu');
  await tf.ready();
}

/**
 * 'bidirectional_Bidirectional1/forward_lstm_LSTM1/kernel' (tfjs) and 'bidirectional/forward_lstm_1/kernel'
 * (fused-rnn) both become 'bidirectional/forward_lstm/kernel': the per-model uniquifying suffixes go.
 */
export function normalizedPath(path: string): string {
  return path.split('/').map((part) => part.replace(/_[A-Z][A-Za-z]*\d+$/, '').replace(/_\d+$/, '')).join('/');
}

export interface WeightView {
  path: string;
  shape: number[];
}

/** The tfjs model's weights as paths and shapes, in its getWeights() order. */
export function tfjsWeightViews(model: tfl.LayersModel): WeightView[] {
  return model.weights.map((w) => ({ path: w.name, shape: [...w.shape] as number[] }));
}

/** Pairs fused weights with tfjs weights by order; throws naming the first pair whose name or shape differs. */
export function checkSameLayout(fused: WeightView[], tfjs: WeightView[]): void {
  if (fused.length !== tfjs.length) {
    throw new Error(`weight count differs: fused-rnn ${fused.map((w) => w.path).join(', ')} vs tfjs ${tfjs.map((w) => w.path).join(', ')}`);
  }
  fused.forEach((f, i) => {
    const t = tfjs[i];
    if (normalizedPath(f.path) !== normalizedPath(t.path) || f.shape.join(',') !== t.shape.join(',')) {
      throw new Error(`weight ${i}: fused-rnn ${f.path} [${f.shape}] does not match tfjs ${t.path} [${t.shape}]`);
    }
  });
}

/** Copies every fused-rnn weight into the tfjs model (after checking the layouts agree). */
export function copyWeightsToTfjs(fused: Sequential, model: tfl.LayersModel): void {
  const weights = fused.getWeights();
  checkSameLayout(weights, tfjsWeightViews(model));
  model.setWeights(weights.map((w) => tf.tensor(w.data, w.shape)));
}

/** tfjs model weights in getWeights() order, as Float32Arrays. */
export function tfjsWeights(model: tfl.LayersModel): Float32Array[] {
  return model.getWeights().map((t) => t.dataSync() as Float32Array);
}

/**
 * Gradients of `loss(model(x))` for every trainable tfjs weight, in model.trainableWeights order (the same
 * order as getWeights() when every weight is trainable), via tf.variableGrads.
 */
export function tfjsGradients(model: tfl.LayersModel, x: tf.Tensor, loss: (y: tf.Tensor) => tf.Scalar): { loss: number; grads: Float32Array[] } {
  // LayerVariable keeps its tf.Variable in `val`; variableGrads needs the tf.Variables themselves.
  const vars = model.trainableWeights.map((w) => (w as unknown as { val: tf.Variable }).val);
  const { value, grads } = tf.variableGrads(() => loss(model.apply(x, { training: true }) as tf.Tensor), vars);
  return { loss: value.dataSync()[0], grads: vars.map((v) => grads[v.name].dataSync() as Float32Array) };
}

/** Common options for tfjs recurrent layers used as oracles (Keras 3 semantics, see DESIGN.md section 6). */
export const ORACLE_RNN = { recurrentActivation: 'sigmoid', recurrentInitializer: 'glorotUniform' } as const;
