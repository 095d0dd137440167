// Stock tfjs vs fused-rnn/tfjs on identical weights (test/tfjs-*.test.ts): one model description is built
// twice, once from tf.layers (stock) and once from the fused factories; the fused model takes the stock
// model's weights (names and shapes must agree), then outputs (predict), gradients of a weighted-sum loss
// (every trainable weight, every model input) and the weights after 5 Adam steps are compared within 1e-5.
// Every kernel call is counted (loadKernels' wrapRaw), so a test also proves the fused path ran.
import * as assert from 'uvu/assert';
import * as tfc from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import { loadKernels, type RawKernels } from '../../src/index.js';
import { installFusedLayers, type FusedLayerFactories, type FusedLayersInstallation, type TfNamespace } from '../../src/tfjs/index.js';
import { checkClose } from './check-close.js';
import { uniform } from './random.js';

/* eslint-disable @typescript-eslint/no-explicit-any */
export const tf = { ...tfc, ...tfl } as unknown as TfNamespace & typeof tfl & typeof tfc;

/** Raw kernel calls by export name (lstm_infer, gru_backward, ...). */
export const kernelCalls = new Map<string, number>();
/** Calls that ran tfjs' per-step code: "layer: reason". */
export const stockPathCalls: string[] = [];

/** Selects the backend and installs the fused layers (not registered: stock factories stay stock). */
export async function setup(backend: 'cpu' | 'wasm'): Promise<FusedLayersInstallation> {
  await tf.setBackend(backend);
  await tf.ready();
  const kernels = await loadKernels({
    wrapRaw: (raw) => {
      // The wasm exports object is frozen: wrap into a plain copy that counts the recurrent kernel calls.
      const wrapped: Record<string, unknown> = {};
      for (const [key, v] of Object.entries(raw)) {
        wrapped[key] = typeof v === 'function' && /_(infer|forward|backward)$/.test(key)
          ? (...args: unknown[]) => {
            kernelCalls.set(key, (kernelCalls.get(key) ?? 0) + 1);
            return (v as (...a: unknown[]) => unknown)(...args);
          }
          : v;
      }
      return wrapped as unknown as RawKernels;
    },
  });
  return installFusedLayers(tf, { kernels, register: false, onStockPath: (layer, reason) => stockPathCalls.push(`${layer}: ${reason}`) });
}

/** Clears the counters. */
export function resetCounters(): void {
  kernelCalls.clear();
  stockPathCalls.length = 0;
}

/** Sum of the kernel-call counters whose name matches. */
export function calls(pattern: RegExp): number {
  let n = 0;
  for (const [k, v] of kernelCalls) if (pattern.test(k)) n += v;
  return n;
}

/** Layer factories: tf.layers (stock) or the fused ones. */
export type Factories = Pick<typeof tfl.layers, 'lstm' | 'gru' | 'simpleRNN' | 'bidirectional'> | FusedLayerFactories;

/** A model description built from either factory set; `inputs` give the concrete data of each model input. */
export interface TwinCase {
  name: string;
  build: (L: any) => { inputs: any[]; outputs: any[] };
  inputs: () => tfc.Tensor[];
  /** Expect tfjs' per-step code (a reason containing this text) instead of the fused path. */
  stockPath?: string;
  /** Compare only weight gradients (no gradient for the model inputs exists, e.g. behind tfjs' Masking). */
  noInputGrads?: boolean;
  /**
   * The model takes initial states as inputs: tfjs 4.22's graph executor then fails in model.apply and
   * model.fit (RNN.apply sees initialState twice: "When inputs is an array, neither initialState or constants
   * should be provided"), in stock tfjs too. Gradients and Adam steps then run through model.predict under
   * the gradient tape (training false) and optimizer.minimize.
   */
  statesAsInputs?: boolean;
  /** Skip the 5 Adam steps (e.g. outputs that are not trainable targets). */
  noAdam?: boolean;
}

export interface Twins {
  stock: tfl.LayersModel;
  fused: tfl.LayersModel;
}

/** Builds both models; the fused one gets seeded uniform weights in [-0.5, 0.5), copied into the stock one. */
export function twins(c: TwinCase, fused: FusedLayerFactories, seed = 1, stockLayers: unknown = tf.layers): Twins {
  const s = c.build(stockLayers);
  const f = c.build(fused);
  const stock = tf.model({ inputs: s.inputs, outputs: s.outputs });
  const fm = tf.model({ inputs: f.inputs, outputs: f.outputs });
  // tfjs makes variable names unique per process ("rnn/kernel_3"): compare without that suffix.
  const plain = (name: string) => name.replace(/_\d+$/, '');
  const sw = stock.weights.map((w) => `${plain(w.name)} ${w.shape}`);
  const fw = fm.weights.map((w) => `${plain(w.name)} ${w.shape}`);
  assert.equal(fw, sw, `${c.name}: fused weight names and shapes equal tfjs'`);
  const values = fm.weights.map((w, i) => { const shape = w.shape as number[]; return tf.tensor(uniform(shape.reduce((a, b) => a * b, 1), seed * 100 + i, -0.5, 0.5), shape); });
  fm.setWeights(values);
  stock.setWeights(values);
  return { stock, fused: fm };
}

const list = (y: tfc.Tensor | tfc.Tensor[]): tfc.Tensor[] => (Array.isArray(y) ? y : [y]);

/** Outputs of predict (inference path). */
export function outputs(m: tfl.LayersModel, xs: tfc.Tensor[]): Float32Array[] {
  return list(m.predict(xs.length === 1 ? xs[0] : xs) as tfc.Tensor | tfc.Tensor[]).map((t) => t.dataSync() as Float32Array);
}

/** loss = Σ_k Σ out_k ⊙ R_k (R fixed, seeded) in training mode; its gradients for every weight and input. */
export function gradients(m: tfl.LayersModel, xs: tfc.Tensor[], withInputs = true, viaPredict = false): { loss: number; grads: Float32Array[] } {
  const vars = m.trainableWeights.map((w) => (w as unknown as { val: tfc.Variable }).val);
  const lossOf = (ins: tfc.Tensor[]) => {
    const arg = ins.length === 1 ? ins[0] : ins;
    const ys = list((viaPredict ? m.predict(arg) : m.apply(arg, { training: true })) as tfc.Tensor | tfc.Tensor[]);
    return ys.map((y, k) => tf.sum(tf.mul(y, tf.tensor(uniform(y.size, 900 + k), y.shape)))).reduce((a, b) => tf.add(a, b)) as tfc.Scalar;
  };
  const { value, grads } = tf.variableGrads(() => lossOf(xs), vars);
  const inputGrads = withInputs ? tf.grads((...ins: tfc.Tensor[]) => lossOf(ins))(xs) : [];
  return {
    loss: value.dataSync()[0],
    grads: [...vars.map((v) => grads[v.name].dataSync() as Float32Array), ...inputGrads.map((g) => g.dataSync() as Float32Array)],
  };
}

/**
 * Weights after 5 Adam steps (lr 0.001) on MSE to seeded targets, every output a target. Adam divides by
 * sqrt(v): for a gradient element near zero it turns float32 rounding of the gradient into an update difference of
 * up to ~lr, so the learning rate bounds what two exact implementations can differ by (weights move by ~5·lr).
 */
export async function adamSteps(m: tfl.LayersModel, xs: tfc.Tensor[], steps = 5, viaPredict = false): Promise<Float32Array[]> {
  const arg = xs.length === 1 ? xs[0] : xs;
  const ys = list(m.predict(arg) as tfc.Tensor | tfc.Tensor[]).map((y, k) => tf.tensor(uniform(y.size, 700 + k), y.shape));
  if (viaPredict) {
    const opt = tf.train.adam(0.001);
    const vars = m.trainableWeights.map((w) => (w as unknown as { val: tfc.Variable }).val);
    for (let i = 0; i < steps; i++) {
      opt.minimize(() => list(m.predict(arg) as tfc.Tensor | tfc.Tensor[])
        .map((y, k) => tf.losses.meanSquaredError(ys[k], y)).reduce((a, b) => tf.add(a, b)) as tfc.Scalar, false, vars);
    }
    return m.getWeights().map((w) => w.dataSync() as Float32Array);
  }
  m.compile({ optimizer: tf.train.adam(0.001), loss: 'meanSquaredError' });
  for (let i = 0; i < steps; i++) await m.trainOnBatch(arg, ys.length === 1 ? ys[0] : ys);
  return m.getWeights().map((w) => w.dataSync() as Float32Array);
}

/** Runs the whole comparison of one case; asserts the fused kernels (or the expected stock path) ran. */
export async function compareCase(c: TwinCase, inst: FusedLayersInstallation, stockLayers: unknown = tf.layers): Promise<void> {
  resetCounters();
  const { stock, fused } = twins(c, inst.layers, 1, stockLayers);
  const xs = c.inputs();
  const so = outputs(stock, xs), fo = outputs(fused, xs);
  assert.is(fo.length, so.length);
  fo.forEach((o, i) => checkClose(`${c.name}: output ${i}`, o, so[i], 1e-5, 0));
  const via = c.statesAsInputs ?? false;
  const sg = gradients(stock, xs, !c.noInputGrads, via), fg = gradients(fused, xs, !c.noInputGrads, via);
  checkClose(`${c.name}: loss`, [fg.loss], [sg.loss], 1e-5, 1e-6);
  const names = [...stock.trainableWeights.map((w) => w.name), ...xs.map((_, i) => `input ${i}`)];
  fg.grads.forEach((g, i) => checkClose(`${c.name}: gradient of ${names[i]}`, g, sg.grads[i], 1e-5, 0));
  if (!c.noAdam) {
    const w0 = fused.getWeights().map((w) => w.dataSync().slice());
    const sw = await adamSteps(stock, xs, 5, via), fw = await adamSteps(fused, xs, 5, via);
    const moved = Math.max(...fw.map((w, i) => w.reduce((m, v, j) => Math.max(m, Math.abs(v - w0[i][j])), 0)));
    assert.ok(moved > 1e-3, `${c.name}: the Adam steps moved the weights (by ${moved}), far beyond the tolerance`);
    fw.forEach((w, i) => checkClose(`${c.name}: ${stock.weights[i].name} after 5 Adam steps`, w, sw[i], 1e-5, 0));
  }
  if (c.stockPath) {
    assert.ok(stockPathCalls.some((s) => s.includes(c.stockPath!)), `${c.name}: expected tfjs' per-step path (${c.stockPath}); got ${JSON.stringify(stockPathCalls)}`);
  } else {
    assert.equal(stockPathCalls, [], `${c.name}: every call should be fused`);
    assert.ok(calls(/_infer$/) > 0, `${c.name}: predict ran an inference kernel`);
    assert.ok(calls(/_forward$/) > 0 && calls(/_backward$/) > 0, `${c.name}: training ran forward and backward kernels`);
  }
}
