// The fused tfjs layer classes: subclasses of tfjs-layers' own LSTM, GRU, SimpleRNN and Bidirectional (taken
// from the caller's tfjs at install time), so config, weight creation, weight names, getConfig, stateful
// bookkeeping and serialization are tfjs' own code; only `call` changes: the whole sequence goes through one
// fused kernel call (fused-sequence.ts) instead of tfjs' per-step ops.
//
// Porting notes (where the fused path differs from running tfjs' ops, all measured equal within 1e-5 where
// both run, see test/tfjs-layers.test.ts):
// - Masks: one-sided masks go to the kernels as lengths, masks with gaps as a per-step mask.
// - A call the kernels cannot express runs tfjs' own per-step code instead (the "stock path"): an initial
//   state (initialState or stateful) together with a sample whose first step (in walking order) is masked
//   (tfjs outputs h0 there, the kernels Keras' 0), activations other than tanh/relu/sigmoid/linear, gate
//   activations other than sigmoid and hardSigmoid (tfjs' 0.2x + 0.5, the kernels' hard_sigmoid_tfjs).
//   `onStockPath` (install option) is told each time, with the reason.
// - GRU: `resetAfter: true` (Keras' default, bias (2, 3H)) is supported on both paths; stock tfjs refuses it.
// - GRU recurrent dropout: tfjs multiplies the carried state h_{t-1} by the recurrent dropout mask too
//   (`h = z·(h⊙m) + (1−z)·hh`); the fused kernels mask only the recurrent products, as Keras ≥ 3.8 does
//   (keras-team/keras#20656: masking the carried state kept training from converging). LSTM and SimpleRNN
//   recurrent dropout and every input dropout are exactly tfjs' (one mask per sequence, shared by the gates).
// Legend: B batch, T steps, D input width, H units.

import type { Kernels } from '../../bindings/index.js';
import type { ActivationName } from '../../bindings/reference/activations.js';
import { FusedSequence, type CellSpec } from './fused-sequence.js';
import { planMask } from './mask.js';
import type { Tensor, TfNamespace } from './tf-types.js';

/* eslint-disable @typescript-eslint/no-explicit-any */
// tfjs-layers' classes are obtained at run time from the caller's tfjs, so they are typed loosely here; the
// public API (index.ts) gives the factories tfjs' own argument and layer types.
type AnyClass = (new (...args: any[]) => any) & { className: string; fromConfig: any };

/** What the layers need from the installation: tfjs, the kernels, and where to report a stock-path call. */
export interface FusedRuntime {
  tf: TfNamespace;
  kernels: Kernels;
  /** Called when a call runs tfjs' own per-step code instead of the fused kernels. */
  onStockPath: (layerName: string, reason: string) => void;
  /** false: always run tfjs' per-step ops (InstallOptions.fused). */
  fused: boolean;
  /**
   * Makes tfjs' class registry resolve the standard class names (LSTM, GRU, ...) to the fused classes until
   * the returned function is called (which restores what was registered before).
   */
  openFusedRegistry(): () => void;
}

/** The stock tfjs-layers classes the fused ones extend. */
export interface StockClasses {
  LSTM: AnyClass;
  GRU: AnyClass;
  GRUCell: AnyClass;
  SimpleRNN: AnyClass;
  Bidirectional: AnyClass;
}

/** The fused classes (registered under the standard class names). */
export interface FusedClasses {
  LSTM: AnyClass;
  GRU: AnyClass;
  GRUCell: AnyClass;
  SimpleRNN: AnyClass;
  Bidirectional: AnyClass;
}

/** Marks a fused class (and tells where its stock base is), so a second install can find the stock classes. */
export const FUSED_MARK = Symbol.for('fused-rnn.tfjs.stock');

const CELL_ACTIVATIONS: Record<string, ActivationName> = { tanh: 'tanh', relu: 'relu', sigmoid: 'sigmoid', linear: 'linear' };
// tfjs' hardSigmoid is clip(0.2x + 0.5, 0, 1): the kernels' 'hard_sigmoid_tfjs' (not Keras 3's relu6(x + 3) / 6).
const GATE_ACTIVATIONS: Record<string, ActivationName> = { sigmoid: 'sigmoid', hardSigmoid: 'hard_sigmoid_tfjs' };

/** The kernel spec of a tfjs cell, or the reason the kernels cannot run it. */
function cellSpec(kind: CellSpec['kind'], cell: any): CellSpec | string {
  const act = cell.activation?.getClassName?.() ?? 'linear';
  const activation = CELL_ACTIVATIONS[act];
  if (activation === undefined) return `activation '${act}' is not a fused kernel activation (tanh, relu, sigmoid, linear)`;
  let recurrentActivation: ActivationName = 'sigmoid';
  if (kind !== 'simple_rnn') {
    const ract = cell.recurrentActivation?.getClassName?.() ?? 'linear';
    const r = GATE_ACTIVATIONS[ract];
    if (r === undefined) return `recurrentActivation '${ract}' is not a fused kernel gate activation (sigmoid, hardSigmoid)`;
    recurrentActivation = r;
  }
  return { kind, units: cell.units, activation, recurrentActivation, resetAfter: kind === 'gru' && cell.resetAfter === true };
}

/** tfjs' dropout mask: `dropoutFunc(ones, rate)` when the cell has one (tests), else tf.dropout. */
function dropoutMask(tf: TfNamespace, cell: any, shape: number[], rate: number): Tensor {
  const ones = tf.ones(shape);
  return cell.dropoutFunc ? cell.dropoutFunc(ones, rate) : tf.dropout(ones, rate);
}

/** Whether a gradient tape is recording (tf.grad, model.fit): then the layer needs its backward. */
function tapeIsOn(tf: TfNamespace): boolean {
  const state = (tf.engine() as any).state;
  return state === undefined || typeof state.gradientDepth !== 'number' ? true : state.gradientDepth > 0;
}

/**
 * The fused `call` shared by LSTM, GRU and SimpleRNN: tfjs' RNN.call semantics (initialState, stateful,
 * masks, goBackwards, returnSequences, returnState, dropout only in training) on one kernel call.
 */
function fusedCall(layer: any, rt: FusedRuntime, kind: CellSpec['kind'], stockCall: (inputs: any, kwargs: any) => any, inputs: any, kwargs: any): any {
  const tf = rt.tf;
  const stock = (reason: string) => {
    rt.onStockPath(layer.name, reason);
    return stockCall.call(layer, inputs, kwargs);
  };
  if (!rt.fused) return stockCall.call(layer, inputs, kwargs);
  const x0: Tensor = Array.isArray(inputs) ? inputs[0] : inputs;
  if (Array.isArray(inputs) && inputs.length !== 1) return stock(`${inputs.length} input tensors`);
  if (x0.rank !== 3) return stock(`input of rank ${x0.rank} (expected (B, T, D))`);
  const spec = cellSpec(kind, layer.cell);
  if (typeof spec === 'string') return stock(spec);
  const maskTensor: Tensor | null = kwargs?.mask == null ? null : (Array.isArray(kwargs.mask) ? kwargs.mask[0] : kwargs.mask);
  const [B, T, D] = x0.shape as number[];
  let lengths: Int32Array | null = null;
  let stepMask: Uint8Array | null = null;
  let leftPadded = false;
  const initialGiven = kwargs?.initialState != null || layer.stateful;
  if (maskTensor != null) {
    const m = maskTensor.dataSync() as ArrayLike<number>;
    // tfjs outputs the state at a masked step, h0 before a sample's first valid step; the kernels output 0
    // there (Keras). Equal for h0 = 0; with an initial state and such a step, tfjs' own code runs.
    const first = layer.goBackwards ? T - 1 : 0;
    if (initialGiven) {
      for (let b = 0; b < B; b++) {
        if (!m[b * T + first]) return stock(`initial state with masked leading steps (row ${b}): tfjs outputs h0 there, the kernels 0`);
      }
    }
    const plan = planMask(m, B, T);
    if (plan.kind === 'lengths') ({ lengths, leftPadded } = plan);
    if (plan.kind === 'gaps') {
      stepMask = new Uint8Array(T * B);
      for (let b = 0; b < B; b++) for (let t = 0; t < T; t++) stepMask[t * B + b] = m[b * T + t] ? 1 : 0;
    }
  }
  const training = kwargs?.training ?? false;
  const cell = layer.cell;
  const H = spec.units;
  const numStates = kind === 'lstm' ? 2 : 1;
  let initialState: Tensor[] | null = kwargs?.initialState ?? null;
  if (initialState == null && layer.stateful) initialState = layer.states_;
  if (initialState != null && initialState.length !== numStates) {
    throw new Error(`RNN Layer has ${numStates} state(s) but was passed ${initialState.length} initial state(s).`);
  }
  if (!layer.sequences) layer.sequences = new FusedSequence(tf, rt.kernels);
  const sequence: FusedSequence = layer.sequences;
  return tf.tidy(() => {
    let x = x0.dtype === 'float32' ? x0 : tf.cast(x0, 'float32');
    if (training && cell.dropout > 0 && cell.dropout < 1) {
      x = tf.mul(x, tf.expandDims(dropoutMask(tf, cell, [B, D], cell.dropout), 1));
    }
    let recurrentMask: Float32Array | null = null;
    if (training && cell.recurrentDropout > 0 && cell.recurrentDropout < 1) {
      recurrentMask = Float32Array.from(dropoutMask(tf, cell, [B, H], cell.recurrentDropout).dataSync() as Float32Array);
    }
    const init = initialState?.map((s) => (s.dtype === 'float32' ? s : tf.cast(s, 'float32'))) ?? null;
    const out = sequence.run(spec, {
      x, kernel: cell.kernel.read(), recurrentKernel: cell.recurrentKernel.read(), bias: cell.bias ? cell.bias.read() : null,
      initialState: init, lengths, leftPadded, stepMask, goBackwards: layer.goBackwards, returnSequences: layer.returnSequences,
      returnStates: layer.returnState || layer.stateful, recurrentMask, needGrad: tapeIsOn(tf),
    });
    if (layer.stateful) layer.resetStates(out.slice(1), training);
    return layer.returnState ? out : out[0];
  });
}

/** Builds the fused classes on the caller's stock tfjs classes. */
export function createFusedClasses(rt: FusedRuntime, stock: StockClasses): FusedClasses {
  const tf = rt.tf;

  class FusedLSTM extends stock.LSTM {
    /** Runs the whole sequence in one fused LSTM kernel call (tfjs' per-step code when the kernels cannot). */
    call(inputs: any, kwargs: any): any {
      return fusedCall(this, rt, 'lstm', stock.LSTM.prototype.call, inputs, kwargs);
    }
  }

  class FusedSimpleRNN extends stock.SimpleRNN {
    /** Runs the whole sequence in one fused SimpleRNN kernel call. */
    call(inputs: any, kwargs: any): any {
      return fusedCall(this, rt, 'simple_rnn', stock.SimpleRNN.prototype.call, inputs, kwargs);
    }
  }

  /** tfjs' GRUCell plus Keras' reset_after (bias (2, 3H) = [input bias; recurrent bias]). */
  class FusedGRUCell extends stock.GRUCell {
    resetAfter: boolean;

    constructor(args: any) {
      super({ ...args, resetAfter: false });
      this.resetAfter = args?.resetAfter === true;
    }

    build(inputShape: any): void {
      if (!this.resetAfter) return super.build(inputShape);
      const shape: number[] = Array.isArray(inputShape[0]) ? inputShape[0] : inputShape;
      const inputDim = shape[shape.length - 1];
      this.kernel = this.addWeight('kernel', [inputDim, this.units * 3], null, this.kernelInitializer, this.kernelRegularizer, true, this.kernelConstraint);
      this.recurrentKernel = this.addWeight('recurrent_kernel', [this.units, this.units * 3], null, this.recurrentInitializer,
        this.recurrentRegularizer, true, this.recurrentConstraint);
      this.bias = this.useBias
        ? this.addWeight('bias', [2, this.units * 3], null, this.biasInitializer, this.biasRegularizer, true, this.biasConstraint)
        : null;
      this.built = true;
    }

    /** One step (used by tfjs' per-step path only). Keras reset_after: hh = act(x·W_h + b_in + r ⊙ (h·U_h + b_rec)). */
    call(inputs: any, kwargs: any): any {
      if (!this.resetAfter) return super.call(inputs, kwargs);
      return tf.tidy(() => {
        const training = kwargs?.training ?? false;
        let x: Tensor = inputs[0];
        const hPrev: Tensor = inputs[1];
        if (this.dropout > 0 && this.dropout < 1 && this.dropoutMask == null) {
          this.dropoutMask = training ? [tf.keep(dropoutMask(tf, this, x.shape as number[], this.dropout))] : null;
        }
        if (this.recurrentDropout > 0 && this.recurrentDropout < 1 && this.recurrentDropoutMask == null) {
          this.recurrentDropoutMask = training ? [tf.keep(dropoutMask(tf, this, hPrev.shape as number[], this.recurrentDropout))] : null;
        }
        if (this.dropoutMask) x = tf.mul(x, this.dropoutMask[0]);
        const hMasked = this.recurrentDropoutMask ? tf.mul(hPrev, this.recurrentDropoutMask[0]) : hPrev;
        let mx = tf.matMul(x, this.kernel.read());
        let mh = tf.matMul(hMasked, this.recurrentKernel.read());
        if (this.useBias) {
          const [bIn, bRec] = tf.unstack(this.bias.read());
          mx = tf.add(mx, bIn);
          mh = tf.add(mh, bRec);
        }
        const [xz, xr, xh] = tf.split(mx, 3, 1);
        const [hz, hr, hh0] = tf.split(mh, 3, 1);
        const z = this.recurrentActivation.apply(tf.add(xz, hz));
        const r = this.recurrentActivation.apply(tf.add(xr, hr));
        const hh = this.activation.apply(tf.add(xh, tf.mul(r, hh0)));
        const h = tf.add(tf.mul(z, hPrev), tf.mul(tf.sub(1, z), hh));
        return [h, h];
      });
    }

    getConfig(): any {
      return { ...super.getConfig(), resetAfter: this.resetAfter };
    }
  }

  class FusedGRU extends stock.GRU {
    constructor(args: any) {
      super({ ...args, resetAfter: false });
      // tfjs' GRU constructor builds a GRUCell that refuses resetAfter; ours replaces it.
      this.cell = new FusedGRUCell(args);
    }

    /** Runs the whole sequence in one fused GRU kernel call (either reset variant). */
    call(inputs: any, kwargs: any): any {
      return fusedCall(this, rt, 'gru', stock.GRU.prototype.call, inputs, kwargs);
    }
  }

  /**
   * tfjs' Bidirectional with fused forward and backward layers: tfjs clones the wrapped layer through the
   * class registry, which resolves to the fused classes while the constructor runs.
   */
  class FusedBidirectional extends stock.Bidirectional {
    constructor(args: any) {
      const restore = rt.openFusedRegistry();
      try {
        super(args);
      } finally {
        restore();
      }
    }
  }

  const classes = { LSTM: FusedLSTM, GRU: FusedGRU, GRUCell: FusedGRUCell, SimpleRNN: FusedSimpleRNN, Bidirectional: FusedBidirectional };
  for (const [name, cls] of Object.entries(classes)) {
    (cls as any).className = name;
    (cls as any)[FUSED_MARK] = (stock as any)[name];
  }
  return classes;
}
