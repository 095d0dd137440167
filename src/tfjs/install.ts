// installFusedLayers(tf): builds the fused layer classes on the caller's tfjs, registers them under the
// standard class names (so tf.loadLayersModel and every registry lookup build fused layers), and sets up the
// factories. uninstall() puts the stock classes back.

import { checkOptions } from '../options/schema.js';
import { loadKernels, type Kernels, type LoadOptions } from '../../bindings/index.js';
import { ConfigError, ModelStateError } from '../errors.js';
import { FUSED_MARK, createFusedClasses, type FusedClasses, type FusedRuntime, type StockClasses } from './layers.js';
import type { BidirectionalLayerArgs, GRULayerArgs, LSTMLayerArgs, SimpleRNNLayerArgs, TfLayer, TfNamespace } from './tf-types.js';

/* eslint-disable @typescript-eslint/no-explicit-any */

/** Options of installFusedLayers. */
export interface InstallOptions {
  /** Kernels to run on (e.g. shared with fused-rnn models); default: a new `loadKernels({ variant })`. */
  kernels?: Kernels;
  /** Which wasm build when loading kernels: 'simd' (default), 'scalar' or 'auto'. */
  variant?: LoadOptions['variant'];
  /**
   * Register the fused classes under tfjs' class names LSTM, GRU, GRUCell, SimpleRNN and Bidirectional
   * (default true), so `tf.loadLayersModel` and tfjs' own Bidirectional build fused layers.
   */
  register?: boolean;
  /**
   * Told when a layer call runs tfjs' own per-step code instead of the fused kernels (an activation or mask
   * the kernels do not support), with the layer name and the reason. Default: one console.warn per layer
   * and reason.
   */
  onStockPath?: (layerName: string, reason: string) => void;
  /**
   * false: every call runs tfjs' own per-step ops (tfjs' code, plus Keras' reset_after GRU step), never the
   * kernels: a reference for comparisons and debugging. Default true.
   */
  fused?: boolean;
}

/** Factories mirroring `tf.layers.lstm`, `.gru`, `.simpleRNN` and `.bidirectional`, returning fused layers. */
export interface FusedLayerFactories {
  /** A fused LSTM: tfjs' `tf.layers.lstm` config, weights and names; one kernel call per sequence. */
  lstm(args: LSTMLayerArgs): TfLayer;
  /** A fused GRU: tfjs' `tf.layers.gru` config plus Keras' `resetAfter` (bias (2, 3H) when true). */
  gru(args: GRULayerArgs): TfLayer;
  /** A fused SimpleRNN: tfjs' `tf.layers.simpleRNN` config. */
  simpleRNN(args: SimpleRNNLayerArgs): TfLayer;
  /** tfjs' Bidirectional whose forward and backward layers are fused. */
  bidirectional(args: BidirectionalLayerArgs): TfLayer;
}

/** What installFusedLayers returns. */
export interface FusedLayersInstallation {
  /** The factories (the same as the module's `fusedLayers`, bound to this installation). */
  layers: FusedLayerFactories;
  /** The fused classes (subclasses of tfjs-layers' LSTM, GRU, GRUCell, SimpleRNN, Bidirectional). */
  classes: FusedClasses;
  /** The kernels the fused layers run on. */
  kernels: Kernels;
  /** Puts tfjs' stock classes back into its class registry (layers already built stay fused). */
  uninstall(): void;
}

const NAMES = ['LSTM', 'GRU', 'GRUCell', 'SimpleRNN', 'Bidirectional'] as const;

let current: FusedLayersInstallation | null = null;

/** tfjs' class registry: class name → [class, fromConfig]. */
function registry(tf: TfNamespace): Record<string, [any, any]> {
  return (tf.serialization.SerializationMap.getMap() as any).classNameMap;
}

/** The stock classes: from the registry, looking through fused classes a previous install registered. */
function stockClasses(tf: TfNamespace): StockClasses {
  const map = registry(tf);
  const out: Record<string, any> = {};
  for (const name of NAMES) {
    const entry = map[name];
    if (!entry) throw new Error(`fused-rnn/tfjs: tfjs-layers' ${name} is not registered; pass a tf namespace that includes @tensorflow/tfjs-layers (>= 4)`);
    out[name] = entry[0][FUSED_MARK] ?? entry[0];
  }
  return out as unknown as StockClasses;
}

/**
 * Installs fused-rnn as the recurrent backend of the given TensorFlow.js: builds fused LSTM, GRU (both reset
 * variants), SimpleRNN and Bidirectional layer classes on tfjs-layers' own ones and (by default) registers
 * them under the standard class names, so `tf.loadLayersModel` of an existing model runs its recurrent
 * layers on the fused kernels. `tf` is the union package `@tensorflow/tfjs` or `{ ...tfjsCore, ...tfjsLayers }`.
 */
export async function installFusedLayers(tf: TfNamespace, options: InstallOptions = {}): Promise<FusedLayersInstallation> {
  checkOptions('installFusedLayers', options); // issue 16: null or non-object options are an OptionError
  if (!tf || typeof tf.customGrad !== 'function' || !tf.serialization || !tf.layers) {
    throw new ConfigError('fused-rnn/tfjs: installFusedLayers(tf) needs the tfjs namespace with tfjs-core and tfjs-layers (>= 4)');
  }
  const kernels = options.kernels ?? (await loadKernels({ variant: options.variant ?? 'simd' }));
  const stock = stockClasses(tf);
  const warned = new Set<string>();
  const onStockPath = options.onStockPath ?? ((layer: string, reason: string) => {
    const key = `${layer}: ${reason}`;
    if (warned.has(key)) return;
    warned.add(key);
    console.warn(`fused-rnn/tfjs: layer "${layer}" runs tfjs' per-step code: ${reason}`);
  });
  let classes!: FusedClasses;
  const map = registry(tf);
  const runtime: FusedRuntime = {
    tf,
    kernels,
    onStockPath,
    fused: options.fused ?? true,
    openFusedRegistry() {
      const saved = NAMES.map((n) => map[n]);
      for (const n of NAMES) map[n] = [classes[n], classes[n].fromConfig];
      return () => NAMES.forEach((n, i) => { map[n] = saved[i]; });
    },
  };
  classes = createFusedClasses(runtime, stock);
  const before = NAMES.map((n) => map[n]);
  if (options.register ?? true) for (const n of NAMES) tf.serialization.registerClass(classes[n]);
  const layers: FusedLayerFactories = {
    lstm: (args) => new classes.LSTM(args),
    gru: (args) => new classes.GRU(args),
    simpleRNN: (args) => new classes.SimpleRNN(args),
    bidirectional: (args) => new classes.Bidirectional(args),
  };
  const installation: FusedLayersInstallation = {
    layers,
    classes,
    kernels,
    uninstall() {
      NAMES.forEach((n, i) => { map[n] = before[i]; });
      if (current === installation) current = null;
    },
  };
  current = installation;
  return installation;
}

function installed(): FusedLayersInstallation {
  if (current === null) throw new ModelStateError('fused-rnn/tfjs: call `await installFusedLayers(tf)` before using fusedLayers'); // issue 16: typed
  return current;
}

/**
 * Factories of fused layers, mirroring `tf.layers.lstm`, `.gru`, `.simpleRNN`, `.bidirectional` (same
 * config, weights and names); they use the latest `installFusedLayers` and throw before it.
 */
export const fusedLayers: FusedLayerFactories = {
  lstm: (args) => installed().layers.lstm(args),
  gru: (args) => installed().layers.gru(args),
  simpleRNN: (args) => installed().layers.simpleRNN(args),
  bidirectional: (args) => installed().layers.bidirectional(args),
};
